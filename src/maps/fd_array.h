/* SPDX-License-Identifier: MIT */
/*
 * src/maps/fd_array.h - what the arrays of references share, as the
 * kernel's "fd arrays" (kernel/bpf/arraymap.c): PROG_ARRAY, ARRAY_OF_MAPS,
 * and the creation checks and iteration of PERF_EVENT_ARRAY.
 *
 * Key u32, value u32 (4 bytes): user space stores an object by naming it
 * (where the kernel takes a file descriptor, bpfrt takes the object's id)
 * and reads back the object's id. A slot holds a reference on its object:
 * replacing or deleting the slot, or freeing the map, drops it.
 *
 *   slots ─► ┌────────┬────────┬─────┬──────────────────┐
 *            │ obj 0  │ NULL   │ ... │ obj max_entries-1 │   (void *, 8 bytes)
 *            └────────┴────────┴─────┴──────────────────┘
 *
 * The slots are not a value arena: programs never get pointers into them,
 * only the objects themselves (map_prog_array_get, the inner map of a
 * look-up), so map_regions() and map_mem_find() do not show them.
 *
 * Concurrency. User-space updates, deletes and look-ups take the array's
 * lock (a look-up reads the object's id while the slot's reference keeps it
 * alive); references are dropped after the lock. Programs read a slot with
 * one atomic load. As in the kernel, a program may still use an object it
 * read from a slot that user space has since emptied; bpfrt has no RCU to
 * delay the object's end, so user space must not drop the last reference
 * on an object (by emptying its slot and destroying it) while programs
 * that may have read it still run.
 *
 * Errors, as the kernel's bpf_fd_array_map_update_elem() and friends:
 * update flags other than BPF_ANY: EINVAL; an index >= max_entries: E2BIG
 * (update, delete), ENOENT (look-up); an empty slot: ENOENT; a value that
 * names no live object: EBADF (the kernel's answer for a bad fd), an
 * object of the wrong kind or an incompatible one: EINVAL.
 *
 * Module prefix: fd_array_.
 */
#ifndef BPFRT_MAPS_FD_ARRAY_H
#define BPFRT_MAPS_FD_ARRAY_H

#include "maps/map.h"

struct fd_array;

/* What differs between the kinds of fd arrays. */
struct fd_array_kind {
	/* Take a reference on the object `value` names: 0 or -errno. */
	int (*get)(struct fd_array *a, uint32_t value, void **obj);
	void (*put)(struct fd_array *a, void *obj);
	/* What a user-space look-up reads for obj (its id). */
	uint32_t (*sys_value)(const void *obj);
};

struct fd_array {
	struct map map;
	const struct fd_array_kind *kind;
	void **slots;              /* max_entries objects or NULL */
	size_t slots_size;
	uint32_t lock;             /* user-space changes and look-ups */
};

/*
 * fd_array_map_alloc_check(): value_size 4, no BPF_F_RDONLY_PROG or
 * BPF_F_WRONLY_PROG, then the checks of arrays. -EINVAL / -E2BIG.
 */
int fd_array_alloc_check(const struct map_attr *attr);
/*
 * Allocate `size` bytes (a struct embedding struct fd_array first) and the
 * slots. NULL with errno (ENOMEM where the kernel's array would not fit).
 */
struct fd_array *fd_array_alloc(const struct map_attr *attr, size_t size,
				const struct fd_array_kind *kind);
/* Drop every slot's reference, then free. */
void fd_array_free(struct map *m);

/* The user-space side (struct map_ops entries). */
int fd_array_update_sys(struct map *m, const void *key, const void *value, uint64_t flags);
int fd_array_lookup_sys(struct map *m, const void *key, void *value, uint64_t flags);
int fd_array_delete(struct map *m, const void *key);
/* array_map_get_next_key(): also for PERF_EVENT_ARRAY. */
int fd_array_get_next_key(struct map *m, const void *key, void *next_key);

/* Program side: the object in slot idx, or NULL (one atomic load). */
static inline void *fd_array_slot(const struct fd_array *a, uint32_t idx)
{
	if (idx >= a->map.max_entries)
		return NULL;
	return __atomic_load_n(&a->slots[idx], __ATOMIC_ACQUIRE);
}

#endif /* BPFRT_MAPS_FD_ARRAY_H */
