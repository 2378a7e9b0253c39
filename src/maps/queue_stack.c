/* SPDX-License-Identifier: MIT */
/*
 * BPF_MAP_TYPE_QUEUE and BPF_MAP_TYPE_STACK, with the semantics of the
 * kernel's kernel/bpf/queue_stack_maps.c: keyless maps (key_size 0) of at
 * most max_entries values. User space pushes with update (BPF_ANY, or
 * BPF_EXIST to drop the oldest value when full; a full map otherwise answers
 * E2BIG), peeks with lookup and pops with lookup_and_delete (ENOENT when
 * empty); delete and get_next_key are EINVAL. Programs use push, pop and
 * peek with the same semantics (bpf_map_push/pop/peek_elem).
 *
 * Layout. A ring of max_entries + 1 slots in the value arena (map.h), so
 * that head == tail means empty and head + 1 == tail full:
 *
 *   slot:   0   1   2   3   4   ...  max_entries
 *               ^tail       ^head
 *               oldest      next push
 *
 * A queue pops at tail (oldest first), a stack at head - 1 (newest first);
 * both push at head, and an overwriting push on a full map advances tail
 * first, as in the kernel (so a full stack loses its bottom value).
 *
 * Concurrency. One lock for the whole map, as the kernel's raw spin lock;
 * values are copied in and out under it.
 */
#include <errno.h>
#include <string.h>

#include "core/core.h"
#include "maps/map.h"

#define K_KMALLOC_MAX (4U << 20) /* KMALLOC_MAX_SIZE (x86-64) */

#define QS_CREATE_FLAG_MASK (BPFRT_F_NUMA_NODE | BPFRT_F_RDONLY | BPFRT_F_WRONLY | \
			     BPFRT_F_RDONLY_PROG | BPFRT_F_WRONLY_PROG)

struct qstack {
	struct map map;
	uint32_t lock;
	uint32_t head;           /* next slot to push into */
	uint32_t tail;           /* oldest value */
	uint32_t size;           /* slots: max_entries + 1 */
};

/* queue_stack_map_alloc_check(). */
static int qs_alloc_check(const struct map_attr *attr)
{
	uint32_t f = attr->map_flags;

	if (attr->max_entries == 0 || attr->key_size != 0 || attr->value_size == 0 ||
	    (f & ~QS_CREATE_FLAG_MASK) ||
	    ((f & BPFRT_F_RDONLY_PROG) && (f & BPFRT_F_WRONLY_PROG)))
		return -EINVAL;
	/* User space could not copy bigger values in the kernel. */
	if (attr->value_size > K_KMALLOC_MAX)
		return -E2BIG;
	return 0;
}

static struct map *qs_alloc(const struct map_attr *attr)
{
	uint64_t slots = (uint64_t)attr->max_entries + 1;
	struct qstack *q;
	int err;

	/* The kernel allocates the whole ring up front. */
	err = map_check_mem(slots * attr->value_size);
	if (err) {
		errno = -err;
		return NULL;
	}
	/* Slot indices are u32: a ring of 2^32 slots is more than bpfrt offers. */
	if (slots > UINT32_MAX) {
		errno = ENOMEM;
		return NULL;
	}
	q = core_calloc(1, sizeof(*q));
	if (!q)
		return NULL;
	map_init(&q->map, attr);
	q->size = (uint32_t)slots;
	err = map_alloc_values(&q->map, slots);
	if (err) {
		core_free(q);
		errno = -err;
		return NULL;
	}
	return &q->map;
}

static void qs_free(struct map *m)
{
	map_free_values(m);
	core_free(m);
}

static bool qs_empty(const struct qstack *q)
{
	return q->head == q->tail;
}

static bool qs_full(const struct qstack *q)
{
	uint32_t next = q->head + 1;

	if (next >= q->size)
		next = 0;
	return next == q->tail;
}

/* queue_stack_map_push_elem(). */
static int qs_push(struct map *m, const void *value, uint64_t flags)
{
	struct qstack *q = (struct qstack *)m;

	/* BPF_EXIST makes room in a full map; nothing else is allowed. */
	if ((flags & BPFRT_NOEXIST) || flags > BPFRT_EXIST)
		return -EINVAL;
	map_spin_lock(&q->lock);
	if (qs_full(q)) {
		if (!(flags & BPFRT_EXIST)) {
			map_spin_unlock(&q->lock);
			return -E2BIG;
		}
		if (++q->tail >= q->size)
			q->tail = 0;
	}
	memcpy(map_slot(m, q->head, 0), value, m->value_size);
	if (++q->head >= q->size)
		q->head = 0;
	map_spin_unlock(&q->lock);
	return 0;
}

/* __queue_map_get() and __stack_map_get(): peek, or pop with `del`. */
static int qs_get(struct map *m, void *value, bool del)
{
	struct qstack *q = (struct qstack *)m;
	uint32_t idx;

	map_spin_lock(&q->lock);
	if (qs_empty(q)) {
		map_spin_unlock(&q->lock);
		return -ENOENT;
	}
	if (m->type == BPFRT_MAP_TYPE_QUEUE) {
		idx = q->tail;
		if (del && ++q->tail >= q->size)
			q->tail = 0;
	} else {
		idx = q->head ? q->head - 1 : q->size - 1;
		if (del)
			q->head = idx;
	}
	memcpy(value, map_slot(m, idx, 0), m->value_size);
	map_spin_unlock(&q->lock);
	return 0;
}

/* Programs use the push/pop/peek helpers: the keyed helpers do not apply. */
static void *qs_lookup(struct map *m, const void *key, unsigned int cpu)
{
	(void)m, (void)key, (void)cpu;
	return NULL;
}

static int qs_update(struct map *m, const void *key, const void *value, uint64_t flags,
		     unsigned int cpu)
{
	(void)m, (void)key, (void)value, (void)flags, (void)cpu;
	return -EINVAL;
}

static int qs_delete(struct map *m, const void *key)
{
	(void)m, (void)key;
	return -EINVAL;
}

static int qs_lookup_sys(struct map *m, const void *key, void *value, uint64_t flags)
{
	(void)key, (void)flags; /* BPF_F_LOCK was refused above: no spin lock here */
	return qs_get(m, value, false);
}

static int qs_update_sys(struct map *m, const void *key, const void *value, uint64_t flags)
{
	(void)key;
	return qs_push(m, value, flags);
}

static int qs_lookup_and_delete(struct map *m, const void *key, void *value, uint64_t flags)
{
	(void)key;
	/* The syscall refuses every flag for queues and stacks. */
	if (flags)
		return -EINVAL;
	return qs_get(m, value, true);
}

static int qs_get_next_key(struct map *m, const void *key, void *next_key)
{
	(void)m, (void)key, (void)next_key;
	return -EINVAL;
}

/* bpf_map_pop_elem() / bpf_map_peek_elem(): ENOENT when empty. */
static int qs_pop(struct map *m, void *value)
{
	return qs_get(m, value, true);
}

static int qs_peek(struct map *m, void *value)
{
	return qs_get(m, value, false);
}

const struct map_ops queue_map_ops = {
	.alloc_check = qs_alloc_check,
	.alloc = qs_alloc,
	.free = qs_free,
	.lookup = qs_lookup,
	.update = qs_update,
	.delete = qs_delete,
	.lookup_sys = qs_lookup_sys,
	.update_sys = qs_update_sys,
	.lookup_and_delete = qs_lookup_and_delete,
	.get_next_key = qs_get_next_key,
	.push = qs_push,
	.pop = qs_pop,
	.peek = qs_peek,
};

const struct map_ops stack_map_ops = {
	.alloc_check = qs_alloc_check,
	.alloc = qs_alloc,
	.free = qs_free,
	.lookup = qs_lookup,
	.update = qs_update,
	.delete = qs_delete,
	.lookup_sys = qs_lookup_sys,
	.update_sys = qs_update_sys,
	.lookup_and_delete = qs_lookup_and_delete,
	.get_next_key = qs_get_next_key,
	.push = qs_push,
	.pop = qs_pop,
	.peek = qs_peek,
};
