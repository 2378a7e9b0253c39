/* SPDX-License-Identifier: MIT */
/*
 * BPF_MAP_TYPE_HASH and BPF_MAP_TYPE_PERCPU_HASH, with the semantics of the
 * kernel's kernel/bpf/hashtab.c, preallocated or not (BPF_F_NO_PREALLOC
 * changes nothing visible here: both take memory as elements arrive, and
 * both answer E2BIG for a new key when max_entries elements exist).
 *
 * Layout. max_entries nodes, each {link, hash, free-list link, key}, in one
 * node arena; node i's value is slot i of the value arena (map.h), so values
 * never share memory with keys or links. Buckets are a power of 2 at least
 * max_entries, as in the kernel, and the hash is the kernel's jhash
 * (jhash.h), so with BPF_F_ZERO_SEED every key lands in the kernel's bucket:
 * iteration visits buckets in the kernel's order and batches stop at the
 * same places. Inside a bucket, new keys go first, as in the kernel; an
 * update of a present key changes its value in place (the kernel moves it to
 * the front: the one order difference).
 *
 *   bucket b:  first ─► node ─► node ─► NULLS(b)
 *
 * Concurrency. Every change to bucket b holds b's lock. Look-ups from
 * programs take no lock: they follow links that writers publish with release
 * stores. A node deleted while a reader stands on it keeps its link, so the
 * reader can walk on; if the node has meanwhile been reused in another
 * bucket, the walk ends on another bucket's NULLS marker and the reader
 * starts again (the kernel's hlist_nulls scheme). Node and value memory is
 * never unmapped while the map lives, so such a reader never touches freed
 * memory. Freed nodes are reused oldest first, which keeps a deleted value
 * intact as long as possible for programs still holding its address.
 *
 * The structures and the lock-free look-up are in htab.h, shared with
 * lru_hash.c (LRU maps allocate and free nodes their own way, through
 * htab.elem_free, and use the rest of this file as it is).
 */
#include <errno.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "core/core.h"
#include "maps/htab.h"

#define F_CREATE_MASK (BPFRT_F_NO_PREALLOC | BPFRT_F_NO_COMMON_LRU | BPFRT_F_NUMA_NODE | \
		       BPFRT_F_RDONLY | BPFRT_F_WRONLY | BPFRT_F_RDONLY_PROG |             \
		       BPFRT_F_WRONLY_PROG | BPFRT_F_ZERO_SEED)

/* Kernel constants that decide which sizes it accepts (x86-64). */
#define K_KMALLOC_MAX (4U << 20)       /* KMALLOC_MAX_SIZE */
#define K_HTAB_ELEM 48U                /* sizeof(struct htab_elem) */
#define K_BUCKET 16U                   /* sizeof(struct bucket) */
#define K_PCPU_MIN_UNIT_SIZE 32768U

/*
 * With bucket b locked: the node of key, or NO_NODE; *prev receives the
 * node before it (NO_NODE if it is first).
 */
uint32_t htab_lookup_locked(const struct htab *h, uint32_t b, uint32_t hash, const void *key,
			    uint32_t *prev)
{
	uint32_t ref, p = NO_NODE;

	for (ref = head_load(h, b); !IS_NULLS(ref); ref = node(h, REF_IDX(ref))->next) {
		const struct htab_node *n = node(h, REF_IDX(ref));

		if (n->hash == hash && key_eq(n->key, key, h->map.key_size)) {
			if (prev)
				*prev = p;
			return REF_IDX(ref);
		}
		p = REF_IDX(ref);
	}
	return NO_NODE;
}

/* With bucket b locked: take node idx (after prev) out of its chain. */
void htab_unlink_node(struct htab *h, uint32_t b, uint32_t idx, uint32_t prev)
{
	uint32_t next = node(h, idx)->next;

	/* The node keeps its own link, for readers standing on it. */
	if (prev == NO_NODE)
		head_store(h, b, next);
	else
		__atomic_store_n(&node(h, prev)->next, next, __ATOMIC_RELEASE);
}

/* A node for a new element, or NO_NODE when max_entries are in use. */
uint32_t htab_node_alloc(struct htab *h)
{
	uint32_t idx = NO_NODE;

	map_spin_lock(&h->free_lock);
	if (h->free_head != NO_NODE) {
		idx = h->free_head;
		h->free_head = node(h, idx)->free_next;
		if (h->free_head == NO_NODE)
			h->free_tail = NO_NODE;
	} else if (h->fresh < h->map.max_entries) {
		idx = h->fresh++;
	}
	map_spin_unlock(&h->free_lock);
	return idx;
}

void htab_node_free(struct htab *h, uint32_t idx)
{
	map_spin_lock(&h->free_lock);
	node(h, idx)->free_next = NO_NODE;
	if (h->free_tail == NO_NODE)
		h->free_head = idx;
	else
		node(h, h->free_tail)->free_next = idx;
	h->free_tail = idx;
	map_spin_unlock(&h->free_lock);
}

/* A deleted node back to its map's allocator. */
static void elem_free(struct htab *h, uint32_t idx)
{
	if (h->elem_free)
		h->elem_free(h, idx);
	else
		htab_node_free(h, idx);
}

/* ---- creation ---- */

bool htab_is_percpu(enum bpfrt_map_type t)
{
	return t == BPFRT_MAP_TYPE_PERCPU_HASH || t == BPFRT_MAP_TYPE_LRU_PERCPU_HASH;
}

bool htab_is_lru(enum bpfrt_map_type t)
{
	return t == BPFRT_MAP_TYPE_LRU_HASH || t == BPFRT_MAP_TYPE_LRU_PERCPU_HASH;
}

/* htab_map_alloc_check(). */
int htab_alloc_check(const struct map_attr *attr)
{
	uint32_t f = attr->map_flags;
	bool percpu = htab_is_percpu(attr->type), lru = htab_is_lru(attr->type);
	bool percpu_lru = f & BPFRT_F_NO_COMMON_LRU, prealloc = !(f & BPFRT_F_NO_PREALLOC);

	if ((f & ~F_CREATE_MASK) || ((f & BPFRT_F_RDONLY_PROG) && (f & BPFRT_F_WRONLY_PROG)))
		return -EINVAL;
	if (!lru && percpu_lru)
		return -EINVAL;
	if (lru && !prealloc)
		return -ENOTSUPP;
	if ((f & BPFRT_F_NUMA_NODE) && (percpu || percpu_lru))
		return -EINVAL;
	if (attr->max_entries == 0 || attr->key_size == 0 || attr->value_size == 0)
		return -EINVAL;
	/* User space could not copy bigger elements in the kernel. */
	if ((uint64_t)attr->key_size + attr->value_size >= K_KMALLOC_MAX - K_HTAB_ELEM)
		return -E2BIG;
	if (percpu && MAP_ROUND_UP(attr->value_size, 8U) > K_PCPU_MIN_UNIT_SIZE)
		return -E2BIG;
	return 0;
}

static uint32_t random_seed(void)
{
	uint32_t seed;
	struct timespec ts;

	if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) == (ssize_t)sizeof(seed))
		return seed;
	/* No entropy yet: the seed only spreads keys, it protects no secret. */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint32_t)ts.tv_nsec ^ (uint32_t)ts.tv_sec ^ (uint32_t)(uintptr_t)&seed;
}

void htab_free(struct map *m)
{
	struct htab *h = (struct htab *)m;

	map_area_free(h->buckets, h->buckets_size);
	map_area_free(h->nodes, h->nodes_size);
	map_free_values(m);
	core_free(h);
}

struct htab *htab_alloc_size(const struct map_attr *attr, size_t size)
{
	uint64_t n_buckets, kbytes, elem;
	bool percpu = htab_is_percpu(attr->type);
	struct htab *h;
	int err;

	if (attr->max_entries > 1U << 31)
		goto e2big;
	for (n_buckets = 1; n_buckets < attr->max_entries; n_buckets <<= 1)
		;
	if (n_buckets > UINT32_MAX / K_BUCKET)
		goto e2big;

	/* What the kernel allocates up front: buckets, and elements if preallocated. */
	kbytes = n_buckets * K_BUCKET;
	if (!(attr->map_flags & BPFRT_F_NO_PREALLOC)) {
		elem = K_HTAB_ELEM + MAP_ROUND_UP((uint64_t)attr->key_size, 8) +
		       (percpu ? 8 : MAP_ROUND_UP((uint64_t)attr->value_size, 8));
		kbytes += (attr->max_entries + (uint64_t)attr->nr_cpus) * elem;
		if (percpu)
			kbytes += (uint64_t)attr->max_entries * attr->nr_cpus *
				  MAP_ROUND_UP((uint64_t)attr->value_size, 8);
	}
	err = map_check_mem(kbytes);
	if (err)
		goto fail;

	h = core_calloc(1, size);
	if (!h)
		return NULL;
	map_init(&h->map, attr);
	h->n_buckets = (uint32_t)n_buckets;
	h->node_size = sizeof(struct htab_node) + MAP_ROUND_UP((size_t)attr->key_size, 8);
	h->free_head = h->free_tail = NO_NODE;
	h->seed = (attr->map_flags & BPFRT_F_ZERO_SEED) ? 0 : random_seed();
	h->buckets_size = (size_t)n_buckets * sizeof(struct htab_bucket);
	h->buckets = map_area_alloc(h->buckets_size);
	h->nodes_size = (size_t)attr->max_entries * h->node_size;
	h->nodes = h->buckets ? map_area_alloc(h->nodes_size) : NULL;
	err = h->nodes ? map_alloc_values(&h->map, attr->max_entries) : -ENOMEM;
	if (err) {
		htab_free(&h->map);
		goto fail;
	}
	return h;
e2big:
	err = -E2BIG;
fail:
	errno = -err;
	return NULL;
}

static struct map *htab_alloc(const struct map_attr *attr)
{
	struct htab *h = htab_alloc_size(attr, sizeof(struct htab));

	return h ? &h->map : NULL;
}

/* ---- element operations ---- */

static void *htab_lookup(struct map *m, const void *key, unsigned int cpu)
{
	const struct htab *h = (const struct htab *)m;
	uint32_t idx = lookup_nulls(h, htab_hash(h, key), key);

	(void)cpu;
	return idx == NO_NODE ? NULL : map_slot(m, idx, 0);
}

static void *htab_percpu_lookup(struct map *m, const void *key, unsigned int cpu)
{
	const struct htab *h = (const struct htab *)m;
	uint32_t idx = lookup_nulls(h, htab_hash(h, key), key);

	return idx == NO_NODE ? NULL : map_slot(m, idx, map_cpu(m, cpu));
}

#define ALL_CPUS UINT32_MAX /* update from user space: the value of every CPU */

/*
 * htab_map_update_elem() and __htab_percpu_map_update_elem(): cpu is the
 * program's worker, or ALL_CPUS from user space.
 */
static int htab_update_cpu(struct htab *h, const void *key, const void *value, uint64_t flags,
			   uint32_t cpu)
{
	struct map *m = &h->map;
	uint64_t op = flags & ~(uint64_t)BPFRT_F_LOCK;
	uint32_t hash, b, idx;
	struct htab_node *n;
	int err = 0;

	if (m->percpu ? flags > BPFRT_EXIST : !map_update_flags_ok(flags))
		return -EINVAL;
	if ((flags & BPFRT_F_LOCK) && m->spin_lock_off < 0)
		return -EINVAL;
	if (m->percpu && cpu != ALL_CPUS)
		cpu = map_cpu(m, cpu);
	hash = htab_hash(h, key);
	b = bucket_of(h, hash);
	map_spin_lock(&h->buckets[b].lock);
	idx = htab_lookup_locked(h, b, hash, key, NULL);
	if (idx != NO_NODE && op == BPFRT_NOEXIST) {
		err = -EEXIST;
	} else if (idx == NO_NODE && op == BPFRT_EXIST) {
		err = -ENOENT;
	} else if (idx != NO_NODE) {
		/* In place: pointers programs hold keep designating this value. */
		if (!m->percpu && (flags & BPFRT_F_LOCK))
			map_copy_in_locked(m, map_slot(m, idx, 0), value);
		else if (!m->percpu)
			map_copy_in(m, map_slot(m, idx, 0), value);
		else if (cpu == ALL_CPUS)
			map_pcpu_copy_in(m, idx, value);
		else
			memcpy(map_slot(m, idx, cpu), value, m->value_size);
	} else if ((idx = htab_node_alloc(h)) == NO_NODE) {
		err = -E2BIG;
	} else {
		n = node(h, idx);
		memcpy(n->key, key, m->key_size);
		__atomic_store_n(&n->hash, hash, __ATOMIC_RELAXED);
		if (!m->percpu) {
			memset(map_slot(m, idx, 0), 0, m->value_stride);
			map_copy_in(m, map_slot(m, idx, 0), value);
		} else if (cpu == ALL_CPUS) {
			map_pcpu_copy_in(m, idx, value);
		} else {
			/* Other CPUs start from zero (the kernel's pcpu_init_value()). */
			for (uint32_t c = 0; c < m->nr_cpus; c++)
				memset(map_slot(m, idx, c), 0, m->value_stride);
			memcpy(map_slot(m, idx, cpu), value, m->value_size);
		}
		__atomic_store_n(&n->next, head_load(h, b), __ATOMIC_RELAXED);
		head_store(h, b, REF(idx)); /* publishes key, hash and value */
	}
	map_spin_unlock(&h->buckets[b].lock);
	return err;
}

static int htab_update(struct map *m, const void *key, const void *value, uint64_t flags,
		       unsigned int cpu)
{
	return htab_update_cpu((struct htab *)m, key, value, flags, cpu);
}

static int htab_update_sys(struct map *m, const void *key, const void *value, uint64_t flags)
{
	return htab_update_cpu((struct htab *)m, key, value, flags, ALL_CPUS);
}

/* Copy node idx's value out for user space. */
static void copy_value_out(const struct map *m, uint32_t idx, void *value, uint64_t flags)
{
	const struct htab *h = (const struct htab *)m;

	if (h->value_out)
		h->value_out(h, idx, value);
	else if (m->percpu)
		map_pcpu_copy_out(m, idx, value);
	else if (flags & BPFRT_F_LOCK)
		map_copy_out_locked(m, value, map_slot(m, idx, 0));
	else
		map_copy_out(m, value, map_slot(m, idx, 0));
}

/* Look-up, and with `del` delete, under the bucket lock. */
static int lookup_delete(struct htab *h, const void *key, void *value, uint64_t flags, bool del)
{
	uint32_t hash = htab_hash(h, key), b = bucket_of(h, hash), idx, prev;

	map_spin_lock(&h->buckets[b].lock);
	idx = htab_lookup_locked(h, b, hash, key, &prev);
	if (idx != NO_NODE) {
		if (value)
			copy_value_out(&h->map, idx, value, flags);
		if (del)
			htab_unlink_node(h, b, idx, prev);
	}
	map_spin_unlock(&h->buckets[b].lock);
	if (idx == NO_NODE)
		return -ENOENT;
	if (del)
		elem_free(h, idx);
	return 0;
}

int htab_delete(struct map *m, const void *key)
{
	return lookup_delete((struct htab *)m, key, NULL, 0, true);
}

int htab_lookup_sys(struct map *m, const void *key, void *value, uint64_t flags)
{
	return lookup_delete((struct htab *)m, key, value, flags, false);
}

int htab_lookup_and_delete(struct map *m, const void *key, void *value, uint64_t flags)
{
	return lookup_delete((struct htab *)m, key, value, flags, true);
}

/*
 * The key after `key` in its bucket, else the first key of the next
 * non-empty bucket. A key that is not there restarts from the first bucket,
 * as in the kernel.
 */
int htab_get_next_key(struct map *m, const void *key, void *next_key)
{
	struct htab *h = (struct htab *)m;
	uint32_t i = 0, ref;

	if (key) {
		uint32_t hash = htab_hash(h, key), b = bucket_of(h, hash), idx;

		map_spin_lock(&h->buckets[b].lock);
		idx = htab_lookup_locked(h, b, hash, key, NULL);
		if (idx != NO_NODE) {
			ref = node(h, idx)->next;
			if (!IS_NULLS(ref)) {
				memcpy(next_key, node(h, REF_IDX(ref))->key, m->key_size);
				map_spin_unlock(&h->buckets[b].lock);
				return 0;
			}
			i = b + 1;
		}
		map_spin_unlock(&h->buckets[b].lock);
	}
	for (; i < h->n_buckets; i++) {
		if (IS_NULLS(head_load(h, i)))
			continue;
		map_spin_lock(&h->buckets[i].lock);
		ref = head_load(h, i);
		if (!IS_NULLS(ref)) {
			memcpy(next_key, node(h, REF_IDX(ref))->key, m->key_size);
			map_spin_unlock(&h->buckets[i].lock);
			return 0;
		}
		map_spin_unlock(&h->buckets[i].lock);
	}
	return -ENOENT;
}

/*
 * __htab_map_lookup_and_delete_batch(): whole buckets from bucket *in_batch
 * (a u32) on, while they fit in *count; out_batch receives the bucket to go
 * on from. -ENOENT after the last bucket; -ENOSPC if the first non-empty
 * bucket alone does not fit.
 */
static int htab_batch(struct map *m, const struct map_batch *bt, bool del)
{
	struct htab *h = (struct htab *)m;
	size_t vsz = m->percpu ? (size_t)m->value_stride * m->nr_cpus : m->value_size;
	uint32_t max = *bt->count, total = 0, batch = 0, cnt, ref, freed;
	int ret = 0;

	if ((bt->elem_flags & ~(uint64_t)BPFRT_F_LOCK) ||
	    ((bt->elem_flags & BPFRT_F_LOCK) && m->spin_lock_off < 0))
		return -EINVAL;
	if (!max)
		return 0;
	*bt->count = 0;
	if (bt->in_batch)
		memcpy(&batch, bt->in_batch, sizeof(batch));
	if (batch >= h->n_buckets)
		return -ENOENT;
	for (;;) {
		cnt = 0;
		freed = NO_NODE;
		if (!IS_NULLS(head_load(h, batch))) {
			map_spin_lock(&h->buckets[batch].lock);
			for (ref = head_load(h, batch); !IS_NULLS(ref); ref = node(h, REF_IDX(ref))->next)
				cnt++;
			if (cnt > max - total) {
				map_spin_unlock(&h->buckets[batch].lock);
				if (total == 0)
					ret = -ENOSPC;
				break;
			}
			cnt = 0;
			for (ref = head_load(h, batch); !IS_NULLS(ref); ref = node(h, REF_IDX(ref))->next) {
				uint32_t idx = REF_IDX(ref);

				memcpy((char *)bt->keys + (size_t)(total + cnt) * m->key_size,
				       node(h, idx)->key, m->key_size);
				copy_value_out(m, idx, (char *)bt->values + (size_t)(total + cnt) * vsz,
					       bt->elem_flags);
				cnt++;
			}
			if (del) {
				/* Empty the bucket; the nodes keep their links for readers. */
				freed = head_load(h, batch);
				head_store(h, batch, NULLS(batch));
			}
			map_spin_unlock(&h->buckets[batch].lock);
			for (ref = freed; ref != NO_NODE && !IS_NULLS(ref);) {
				uint32_t idx = REF_IDX(ref);

				ref = node(h, idx)->next;
				elem_free(h, idx);
			}
		}
		total += cnt;
		if (++batch >= h->n_buckets) {
			ret = -ENOENT;
			break;
		}
	}
	memcpy(bt->out_batch, &batch, sizeof(batch));
	*bt->count = total;
	return ret;
}

int htab_lookup_batch(struct map *m, const struct map_batch *b)
{
	return htab_batch(m, b, false);
}

int htab_lookup_and_delete_batch(struct map *m, const struct map_batch *b)
{
	return htab_batch(m, b, true);
}

/*
 * bpf_for_each_hash_elem(): bucket by bucket, each chain from its head (the
 * order of get_next_key), without a lock, as program look-ups walk. fn may
 * change or delete the element it is given: a deleted node keeps its link.
 * The key is the node's own (read-only), the value the element's
 * (per-CPU: worker cpu's).
 */
long htab_for_each(struct map *m, int (*fn)(void *ctx, void *key, void *value), void *ctx,
		   unsigned int cpu)
{
	struct htab *h = (struct htab *)m;
	unsigned int c = m->percpu ? map_cpu(m, cpu) : 0;
	long n = 0;

	for (uint32_t b = 0; b < h->n_buckets; b++) {
		uint32_t ref;

		for (ref = head_load(h, b); !IS_NULLS(ref); ref = next_load(node(h, REF_IDX(ref)))) {
			uint32_t idx = REF_IDX(ref);

			n++;
			if (fn(ctx, node(h, idx)->key, map_slot(m, idx, c)))
				return n;
		}
	}
	return n;
}

const struct map_ops htab_map_ops = {
	.alloc_check = htab_alloc_check,
	.alloc = htab_alloc,
	.free = htab_free,
	.lookup = htab_lookup,
	.update = htab_update,
	.delete = htab_delete,
	.lookup_sys = htab_lookup_sys,
	.update_sys = htab_update_sys,
	.lookup_and_delete = htab_lookup_and_delete,
	.get_next_key = htab_get_next_key,
	.lookup_batch = htab_lookup_batch,
	.lookup_and_delete_batch = htab_lookup_and_delete_batch,
	.update_batch = map_generic_update_batch,
	.delete_batch = map_generic_delete_batch,
	.for_each = htab_for_each,
};

const struct map_ops htab_percpu_map_ops = {
	.alloc_check = htab_alloc_check,
	.alloc = htab_alloc,
	.free = htab_free,
	.lookup = htab_percpu_lookup,
	.update = htab_update,
	.delete = htab_delete,
	.lookup_sys = htab_lookup_sys,
	.update_sys = htab_update_sys,
	.lookup_and_delete = htab_lookup_and_delete,
	.get_next_key = htab_get_next_key,
	.lookup_batch = htab_lookup_batch,
	.lookup_and_delete_batch = htab_lookup_and_delete_batch,
	.update_batch = map_generic_update_batch,
	.delete_batch = map_generic_delete_batch,
	.for_each = htab_for_each,
};
