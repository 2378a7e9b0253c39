/* SPDX-License-Identifier: MIT */
/*
 * BPF_MAP_TYPE_PROG_ARRAY, the table of bpf_tail_call(), with the semantics
 * of the kernel's prog_array in kernel/bpf/arraymap.c: an fd array
 * (maps/fd_array.h) whose slots hold programs.
 *
 * User space stores a program by its id (bpfrt_prog__id(), where the
 * kernel takes a program fd) and reads back the id; delete empties a slot.
 * Errors as prog_fd_array_get_ptr(): an id that names no live program
 * EBADF (the kernel's bad fd); an extension program (BPF_PROG_TYPE_EXT) or
 * one incompatible with the map's owner EINVAL.
 *
 * The owner. As the kernel's bpf_prog_map_compatible(), the first program
 * the map is used with (stored in it, or loaded referring to it: see
 * map_prog_array_compatible()) makes its program type and expected attach
 * type the map's; every later program must have both the same, so a tail
 * call never lands in a program that reads another context. The owner
 * stays for the map's life, even when the map is empty again.
 *
 * References. A slot holds a reference on its program (exec_prog_get), so
 * bpfrt_prog__free() of a stored program only drops the user's; the slot
 * lets go on replacement, deletion and when the map is freed. A program a
 * run tail-called into is not referenced by the run (see fd_array.h).
 * Looking an id up and taking the reference is not atomic against a
 * concurrent last exec_prog_put() of that very program: a caller must not
 * store a program it is freeing at the same time.
 *
 * Programs may not use the keyed helpers on this map (lookup NULL, update
 * ENOTSUPP), only bpf_tail_call (map_prog_array_get).
 */
#include <errno.h>
#include <string.h>

#include "core/core.h"
#include "core/ids.h"
#include "exec/exec.h"
#include "maps/fd_array.h"

struct prog_array {
	struct fd_array a;
	uint32_t owner_lock;
	bool owned;
	enum bpfrt_prog_type owner_type;
	int owner_attach_type;
};

bool map_prog_array_compatible(struct map *m, const struct bpfrt_prog *prog)
{
	struct prog_array *pa = (struct prog_array *)m;
	bool ok = true;

	if (!m || m->type != BPFRT_MAP_TYPE_PROG_ARRAY || !prog)
		return false;
	map_spin_lock(&pa->owner_lock);
	if (!pa->owned) {
		pa->owned = true;
		pa->owner_type = prog->type;
		pa->owner_attach_type = prog->expected_attach_type;
	} else {
		ok = pa->owner_type == prog->type &&
		     pa->owner_attach_type == prog->expected_attach_type;
	}
	map_spin_unlock(&pa->owner_lock);
	return ok;
}

/* A reference on a live program, unless its last one is already gone. */
static struct bpfrt_prog *prog_get_by_id(uint32_t id)
{
	struct bpfrt_prog *prog = ids_get(IDS_PROG, id);
	int ref;

	if (!prog)
		return NULL;
	ref = __atomic_load_n(&prog->refcnt, __ATOMIC_RELAXED);
	do {
		if (!ref)
			return NULL;
	} while (!__atomic_compare_exchange_n(&prog->refcnt, &ref, ref + 1, true,
					      __ATOMIC_ACQUIRE, __ATOMIC_RELAXED));
	return prog;
}

/* prog_fd_array_get_ptr(). */
static int pa_get(struct fd_array *a, uint32_t value, void **obj)
{
	struct bpfrt_prog *prog = prog_get_by_id(value);

	if (!prog)
		return -EBADF;
	if (prog->type == BPFRT_PROG_TYPE_EXT || !map_prog_array_compatible(&a->map, prog)) {
		exec_prog_put(prog);
		return -EINVAL;
	}
	*obj = prog;
	return 0;
}

static void pa_put(struct fd_array *a, void *obj)
{
	(void)a;
	exec_prog_put(obj);
}

static uint32_t pa_sys_value(const void *obj)
{
	return ((const struct bpfrt_prog *)obj)->id;
}

static const struct fd_array_kind pa_kind = {
	.get = pa_get,
	.put = pa_put,
	.sys_value = pa_sys_value,
};

static struct map *pa_alloc(const struct map_attr *attr)
{
	struct fd_array *a = fd_array_alloc(attr, sizeof(struct prog_array), &pa_kind);

	return a ? &a->map : NULL;
}

struct bpfrt_prog *map_prog_array_get(struct map *m, uint32_t index)
{
	if (!m || m->type != BPFRT_MAP_TYPE_PROG_ARRAY)
		return NULL;
	return fd_array_slot((struct fd_array *)m, index);
}

static void *pa_lookup(struct map *m, const void *key, unsigned int cpu)
{
	(void)m, (void)key, (void)cpu;
	return NULL;
}

const struct map_ops prog_array_map_ops = {
	.alloc_check = fd_array_alloc_check,
	.alloc = pa_alloc,
	.free = fd_array_free,
	.lookup = pa_lookup,
	.delete = fd_array_delete,
	.lookup_sys = fd_array_lookup_sys,
	.update_sys = fd_array_update_sys,
	.get_next_key = fd_array_get_next_key,
};
