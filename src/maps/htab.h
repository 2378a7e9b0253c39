/* SPDX-License-Identifier: MIT */
/*
 * src/maps/htab.h - the hash table machinery hash.c (HASH, PERCPU_HASH) and
 * lru_hash.c (LRU_HASH, LRU_PERCPU_HASH) share, as the kernel's hashtab.c
 * serves all four. hash.c describes the layout and the locking; lru_hash.c
 * adds only how nodes are allocated and freed.
 *
 * Module prefix: htab_.
 */
#ifndef BPFRT_MAPS_HTAB_H
#define BPFRT_MAPS_HTAB_H

#include <string.h>

#include "maps/jhash.h"
#include "maps/map.h"

/*
 * A link is a node reference (index << 1) or, at the end of bucket b's
 * chain, NULLS(b) = b << 1 | 1. Bucket heads are stored XORed with their
 * own NULLS, so that zeroed (untouched) bucket memory reads as empty.
 */
#define NULLS(b) ((uint32_t)(b) << 1 | 1U)
#define IS_NULLS(ref) ((ref) & 1U)
#define REF(idx) ((uint32_t)(idx) << 1)
#define REF_IDX(ref) ((ref) >> 1)
#define NO_NODE UINT32_MAX

struct htab_node {
	uint32_t next;       /* the chain link readers follow */
	uint32_t hash;
	/* Free-list link, apart from `next`: a reader on a deleted node must find its way on. */
	uint32_t free_next;
	uint32_t pad;
	unsigned char key[];
};

struct htab_bucket {
	uint32_t first;      /* head link XOR NULLS(bucket) */
	uint32_t lock;
};

struct htab {
	struct map map;
	struct htab_bucket *buckets;
	size_t buckets_size;
	char *nodes;
	size_t nodes_size;
	size_t node_size;
	uint32_t n_buckets;
	uint32_t seed;
	/* Node allocation: a FIFO of freed nodes, then nodes never used. */
	uint32_t free_lock;
	uint32_t free_head;
	uint32_t free_tail;
	uint32_t fresh;
	/* Where deleted nodes go: NULL for the free list above (LRU maps: their lists). */
	void (*elem_free)(struct htab *h, uint32_t idx);
	/*
	 * What user-space look-ups and batches read for node idx: NULL for
	 * the value itself (hash of maps: the inner map's id).
	 */
	void (*value_out)(const struct htab *h, uint32_t idx, void *dst);
};

static inline uint32_t load32(const unsigned char *p)
{
	return jhash_load32(p);
}

static inline uint32_t htab_hash(const struct htab *h, const void *key)
{
	uint32_t ks = h->map.key_size;

	if (ks % 4 == 0)
		return jhash2(key, ks / 4, h->seed);
	return jhash(key, ks, h->seed);
}

/* ---- nodes and buckets ---- */

static inline struct htab_node *node(const struct htab *h, uint32_t idx)
{
	return (struct htab_node *)(h->nodes + (size_t)idx * h->node_size);
}

static inline uint32_t head_load(const struct htab *h, uint32_t b)
{
	return __atomic_load_n(&h->buckets[b].first, __ATOMIC_ACQUIRE) ^ NULLS(b);
}

static inline void head_store(struct htab *h, uint32_t b, uint32_t ref)
{
	__atomic_store_n(&h->buckets[b].first, ref ^ NULLS(b), __ATOMIC_RELEASE);
}

static inline uint32_t next_load(const struct htab_node *n)
{
	return __atomic_load_n(&n->next, __ATOMIC_ACQUIRE);
}

static inline bool key_eq(const unsigned char *a, const void *b, uint32_t size)
{
	/* The common sizes without a call to memcmp (look-ups are the hot path). */
	if (size == 4)
		return load32(a) == load32(b);
	if (size == 8) {
		uint64_t x, y;

		memcpy(&x, a, 8);
		memcpy(&y, b, 8);
		return x == y;
	}
	return memcmp(a, b, size) == 0;
}

static inline uint32_t bucket_of(const struct htab *h, uint32_t hash)
{
	return hash & (h->n_buckets - 1);
}

/* Lock-free look-up: the node index of key, or NO_NODE. */
static inline uint32_t lookup_nulls(const struct htab *h, uint32_t hash, const void *key)
{
	uint32_t b = bucket_of(h, hash), ref;

again:
	for (ref = head_load(h, b); !IS_NULLS(ref); ref = next_load(node(h, REF_IDX(ref)))) {
		const struct htab_node *n = node(h, REF_IDX(ref));

		if (__atomic_load_n(&n->hash, __ATOMIC_RELAXED) == hash &&
		    key_eq(n->key, key, h->map.key_size))
			return REF_IDX(ref);
	}
	/* Ended in another bucket: a node we walked was reused there. */
	if (REF_IDX(ref) != b)
		goto again;
	return NO_NODE;
}

/*
 * With bucket b locked: the node of key, or NO_NODE; *prev (if not NULL)
 * receives the node before it (NO_NODE if it is first).
 */
uint32_t htab_lookup_locked(const struct htab *h, uint32_t b, uint32_t hash, const void *key,
			    uint32_t *prev);
/* With bucket b locked: take node idx (after prev) out of its chain. */
void htab_unlink_node(struct htab *h, uint32_t b, uint32_t idx, uint32_t prev);

/* The free list (hash.c's allocator): a node, or NO_NODE when max_entries are in use. */
uint32_t htab_node_alloc(struct htab *h);
void htab_node_free(struct htab *h, uint32_t idx);

bool htab_is_percpu(enum bpfrt_map_type t);
bool htab_is_lru(enum bpfrt_map_type t);

/*
 * Creation: htab_alloc_size() allocates `size` bytes (a struct that embeds
 * struct htab first) and the table for attr->max_entries nodes.
 */
int htab_alloc_check(const struct map_attr *attr);
struct htab *htab_alloc_size(const struct map_attr *attr, size_t size);
void htab_free(struct map *m);

/* The ops both families share (user-space side, deletes, iteration). */
int htab_delete(struct map *m, const void *key);
int htab_lookup_sys(struct map *m, const void *key, void *value, uint64_t flags);
int htab_lookup_and_delete(struct map *m, const void *key, void *value, uint64_t flags);
int htab_get_next_key(struct map *m, const void *key, void *next_key);
int htab_lookup_batch(struct map *m, const struct map_batch *b);
int htab_lookup_and_delete_batch(struct map *m, const struct map_batch *b);
long htab_for_each(struct map *m, int (*fn)(void *ctx, void *key, void *value), void *ctx,
		   unsigned int cpu);

#endif /* BPFRT_MAPS_HTAB_H */
