/* SPDX-License-Identifier: MIT */
/*
 * The arrays of references (maps/fd_array.h): creation, the user-space
 * element operations and iteration the kernel's fd arrays share.
 */
#include <errno.h>
#include <string.h>

#include "core/core.h"
#include "maps/fd_array.h"

int fd_array_alloc_check(const struct map_attr *attr)
{
	/* Only references (fds in the kernel) can be stored. */
	if (attr->value_size != sizeof(uint32_t))
		return -EINVAL;
	/* Read-only/write-only for programs is not supported for these maps. */
	if (attr->map_flags & (BPFRT_F_RDONLY_PROG | BPFRT_F_WRONLY_PROG))
		return -EINVAL;
	return array_map_ops.alloc_check(attr);
}

struct fd_array *fd_array_alloc(const struct map_attr *attr, size_t size,
				const struct fd_array_kind *kind)
{
	/* The kernel's array holds one pointer (8 bytes) per slot, up front. */
	uint64_t bytes = (uint64_t)attr->max_entries * sizeof(void *);
	struct fd_array *a;
	int err;

	err = map_check_mem(bytes);
	if (err || bytes > SIZE_MAX / 2) {
		errno = ENOMEM;
		return NULL;
	}
	a = core_calloc(1, size);
	if (!a)
		return NULL;
	map_init(&a->map, attr);
	a->kind = kind;
	a->slots_size = (size_t)bytes;
	a->slots = map_area_alloc(a->slots_size);
	if (!a->slots) {
		core_free(a);
		errno = ENOMEM;
		return NULL;
	}
	return a;
}

void fd_array_free(struct map *m)
{
	struct fd_array *a = (struct fd_array *)m;

	/* Slots ever written are in pages touched; the rest read as NULL. */
	for (uint32_t i = 0; i < m->max_entries; i++)
		if (a->slots[i])
			a->kind->put(a, a->slots[i]);
	map_area_free(a->slots, a->slots_size);
	core_free(a);
}

static uint32_t key_index(const void *key)
{
	uint32_t idx;

	memcpy(&idx, key, sizeof(idx));
	return idx;
}

/* bpf_fd_array_map_update_elem(). */
int fd_array_update_sys(struct map *m, const void *key, const void *value, uint64_t flags)
{
	struct fd_array *a = (struct fd_array *)m;
	uint32_t idx = key_index(key), v;
	void *obj, *old;
	int err;

	if (flags != BPFRT_ANY)
		return -EINVAL;
	if (idx >= m->max_entries)
		return -E2BIG;
	memcpy(&v, value, sizeof(v));
	err = a->kind->get(a, v, &obj);
	if (err)
		return err;
	map_spin_lock(&a->lock);
	old = a->slots[idx];
	__atomic_store_n(&a->slots[idx], obj, __ATOMIC_RELEASE);
	map_spin_unlock(&a->lock);
	if (old)
		a->kind->put(a, old);
	return 0;
}

/* bpf_fd_array_map_lookup_elem(): the object's id. */
int fd_array_lookup_sys(struct map *m, const void *key, void *value, uint64_t flags)
{
	struct fd_array *a = (struct fd_array *)m;
	uint32_t idx = key_index(key), v = 0;
	int err = -ENOENT;

	(void)flags; /* BPF_F_LOCK was refused above: no spin lock here */
	if (idx >= m->max_entries)
		return -ENOENT;
	map_spin_lock(&a->lock);
	if (a->slots[idx]) {
		v = a->kind->sys_value(a->slots[idx]);
		err = 0;
	}
	map_spin_unlock(&a->lock);
	if (!err)
		memcpy(value, &v, sizeof(v));
	return err;
}

/* fd_array_map_delete_elem(). */
int fd_array_delete(struct map *m, const void *key)
{
	struct fd_array *a = (struct fd_array *)m;
	uint32_t idx = key_index(key);
	void *old;

	if (idx >= m->max_entries)
		return -E2BIG;
	map_spin_lock(&a->lock);
	old = a->slots[idx];
	__atomic_store_n(&a->slots[idx], NULL, __ATOMIC_RELEASE);
	map_spin_unlock(&a->lock);
	if (!old)
		return -ENOENT;
	a->kind->put(a, old);
	return 0;
}

int fd_array_get_next_key(struct map *m, const void *key, void *next_key)
{
	return array_map_ops.get_next_key(m, key, next_key);
}
