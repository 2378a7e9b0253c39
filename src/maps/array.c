/* SPDX-License-Identifier: MIT */
/*
 * BPF_MAP_TYPE_ARRAY and BPF_MAP_TYPE_PERCPU_ARRAY, with the semantics of the
 * kernel's kernel/bpf/arraymap.c: u32 keys 0..max_entries-1, every element
 * present (zeroed) from creation, slot i of the value arena is index i.
 * Elements can be neither created (BPF_NOEXIST: EEXIST; an index out of
 * range: E2BIG) nor deleted (EINVAL). Nothing here needs a lock: a value's
 * address never changes and look-ups are an index computation.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "core/core.h"
#include "maps/map.h"

#define F_PRESERVE_ELEMS (1U << 11)   /* perf_event_array only */
#define PCPU_MIN_UNIT_SIZE 32768      /* the kernel's bound on one CPU's value */

#define ARRAY_CREATE_FLAG_MASK (BPFRT_F_NUMA_NODE | BPFRT_F_MMAPABLE | BPFRT_F_RDONLY | \
				BPFRT_F_WRONLY | BPFRT_F_RDONLY_PROG | BPFRT_F_WRONLY_PROG | \
				F_PRESERVE_ELEMS | BPFRT_F_INNER_MAP)

static int array_alloc_check(const struct map_attr *attr)
{
	bool percpu = attr->type == BPFRT_MAP_TYPE_PERCPU_ARRAY;
	uint32_t f = attr->map_flags;

	if (attr->max_entries == 0 || attr->key_size != 4 || attr->value_size == 0 ||
	    (f & ~ARRAY_CREATE_FLAG_MASK) ||
	    ((f & BPFRT_F_RDONLY_PROG) && (f & BPFRT_F_WRONLY_PROG)) ||
	    (percpu && (f & BPFRT_F_NUMA_NODE)))
		return -EINVAL;
	if (attr->type != BPFRT_MAP_TYPE_ARRAY && (f & (BPFRT_F_MMAPABLE | BPFRT_F_INNER_MAP)))
		return -EINVAL;
	if (attr->type != BPFRT_MAP_TYPE_PERF_EVENT_ARRAY && (f & F_PRESERVE_ELEMS))
		return -EINVAL;
	/* round_up(value_size, 8) must not overflow an int. */
	if (attr->value_size > INT_MAX)
		return -E2BIG;
	if (percpu && MAP_ROUND_UP(attr->value_size, 8U) > PCPU_MIN_UNIT_SIZE)
		return -E2BIG;
	return 0;
}

static struct map *array_alloc(const struct map_attr *attr)
{
	uint64_t stride = MAP_ROUND_UP((uint64_t)attr->value_size, 8);
	uint64_t kbytes;
	struct map *m;
	int err;

	/*
	 * What the kernel allocates up front (as a process with CAP_PERFMON,
	 * which does not round max_entries up to a power of 2).
	 */
	if (attr->type == BPFRT_MAP_TYPE_PERCPU_ARRAY)
		kbytes = (uint64_t)attr->max_entries * (8 + stride * attr->nr_cpus);
	else
		kbytes = (uint64_t)attr->max_entries * stride;
	err = map_check_mem(kbytes);
	if (err) {
		errno = -err;
		return NULL;
	}
	m = core_calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	map_init(m, attr);
	err = map_alloc_values(m, attr->max_entries);
	if (err) {
		core_free(m);
		errno = -err;
		return NULL;
	}
	return m;
}

static void array_free(struct map *m)
{
	map_free_values(m);
	core_free(m);
}

static uint32_t key_index(const void *key)
{
	uint32_t idx;

	memcpy(&idx, key, sizeof(idx)); /* keys on a program's stack need not be aligned */
	return idx;
}

static void *array_lookup(struct map *m, const void *key, unsigned int cpu)
{
	uint32_t idx = key_index(key);

	(void)cpu;
	return idx < m->max_entries ? map_slot(m, idx, 0) : NULL;
}

static void *percpu_array_lookup(struct map *m, const void *key, unsigned int cpu)
{
	uint32_t idx = key_index(key);

	return idx < m->max_entries ? map_slot(m, idx, map_cpu(m, cpu)) : NULL;
}

/* array_map_update_elem(): programs, and user space for shared arrays. */
static int array_update(struct map *m, const void *key, const void *value, uint64_t flags,
			unsigned int cpu)
{
	uint32_t idx = key_index(key);
	void *slot;

	if (!map_update_flags_ok(flags))
		return -EINVAL;
	/* Every element exists from the start: none can be added. */
	if (idx >= m->max_entries)
		return -E2BIG;
	if (flags & BPFRT_NOEXIST)
		return -EEXIST;
	if ((flags & BPFRT_F_LOCK) && m->spin_lock_off < 0)
		return -EINVAL;
	if (m->percpu) {
		/* A program writes its own CPU's value: value_size bytes. */
		memcpy(map_slot(m, idx, map_cpu(m, cpu)), value, m->value_size);
		return 0;
	}
	slot = map_slot(m, idx, 0);
	if (flags & BPFRT_F_LOCK)
		map_copy_in_locked(m, slot, value);
	else
		map_copy_in(m, slot, value);
	return 0;
}

static int array_update_sys(struct map *m, const void *key, const void *value, uint64_t flags)
{
	uint32_t idx = key_index(key);

	if (!m->percpu)
		return array_update(m, key, value, flags, 0);
	/* bpf_percpu_array_update(): no BPF_F_LOCK, every CPU's value. */
	if (flags > BPFRT_EXIST)
		return -EINVAL;
	if (idx >= m->max_entries)
		return -E2BIG;
	if (flags == BPFRT_NOEXIST)
		return -EEXIST;
	map_pcpu_copy_in(m, idx, value);
	return 0;
}

static int array_lookup_sys(struct map *m, const void *key, void *value, uint64_t flags)
{
	uint32_t idx = key_index(key);

	if (idx >= m->max_entries)
		return -ENOENT;
	if (m->percpu)
		map_pcpu_copy_out(m, idx, value);
	else if (flags & BPFRT_F_LOCK)
		map_copy_out_locked(m, value, map_slot(m, idx, 0));
	else
		map_copy_out(m, value, map_slot(m, idx, 0));
	return 0;
}

static int array_delete(struct map *m, const void *key)
{
	(void)m, (void)key;
	return -EINVAL;
}

/* Past the end (or no key): index 0, so a stale cursor restarts, as in the kernel. */
static int array_get_next_key(struct map *m, const void *key, void *next_key)
{
	uint32_t idx = key ? key_index(key) : UINT32_MAX, next;

	if (idx >= m->max_entries) {
		next = 0;
	} else {
		if (idx == m->max_entries - 1)
			return -ENOENT;
		next = idx + 1;
	}
	memcpy(next_key, &next, sizeof(next));
	return 0;
}

/*
 * bpf_for_each_array_elem(): every index in order; the key is a copy, the
 * value the element itself (per-CPU: worker cpu's).
 */
static long array_for_each(struct map *m, int (*fn)(void *ctx, void *key, void *value),
			   void *ctx, unsigned int cpu)
{
	unsigned int c = m->percpu ? map_cpu(m, cpu) : 0;
	long n = 0;

	for (uint32_t i = 0; i < m->max_entries; i++) {
		uint32_t key = i;

		n++;
		if (fn(ctx, &key, map_slot(m, i, c)))
			break;
	}
	return n;
}

const struct map_ops array_map_ops = {
	.alloc_check = array_alloc_check,
	.alloc = array_alloc,
	.free = array_free,
	.lookup = array_lookup,
	.update = array_update,
	.delete = array_delete,
	.lookup_sys = array_lookup_sys,
	.update_sys = array_update_sys,
	.get_next_key = array_get_next_key,
	.lookup_batch = map_generic_lookup_batch,
	.update_batch = map_generic_update_batch,
	.for_each = array_for_each,
};

const struct map_ops percpu_array_map_ops = {
	.alloc_check = array_alloc_check,
	.alloc = array_alloc,
	.free = array_free,
	.lookup = percpu_array_lookup,
	.update = array_update,
	.delete = array_delete,
	.lookup_sys = array_lookup_sys,
	.update_sys = array_update_sys,
	.get_next_key = array_get_next_key,
	.lookup_batch = map_generic_lookup_batch,
	.update_batch = map_generic_update_batch,
	.for_each = array_for_each,
};
