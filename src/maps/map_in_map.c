/* SPDX-License-Identifier: MIT */
/*
 * BPF_MAP_TYPE_ARRAY_OF_MAPS and BPF_MAP_TYPE_HASH_OF_MAPS, with the
 * semantics of the kernel's kernel/bpf/map_in_map.c and the map-in-map
 * parts of arraymap.c and hashtab.c.
 *
 * Creation needs a template (opts->inner_map, the kernel's inner_map_fd):
 * a live map, or a map definition of an object, whose attributes every
 * inner map must have. As bpf_map_meta_alloc(): none at all is EINVAL (the
 * kernel's answer for inner_map_fd 0), a map-in-map template EINVAL, a
 * type the kernel cannot compare (prog_array) ENOTSUPP. The value size must
 * be 4 (EINVAL); the other checks are those of arrays (maps/fd_array.h) or
 * hash maps.
 *
 * Values. User space stores an inner map by its id (bpfrt_map__id(), where
 * the kernel takes an fd) and reads back the id; an id that names no live
 * map is EBADF (the kernel's bad fd), a map unlike the template EINVAL.
 * "Like" is bpf_map_meta_equal(): the same type, key size, value size,
 * map_flags and spin lock offset, and for arrays the same max_entries
 * unless the template has BPF_F_INNER_MAP. A program's look-up returns the
 * inner map itself (its struct map *), which it may pass as a map.
 *
 * References. Each slot holds a reference on its inner map (struct map's
 * refcnt), so an inner map whose user handle was destroyed lives on until
 * the outer map lets go of it: on replacement, deletion, or when the outer
 * map is freed. As for fd arrays (see maps/fd_array.h), a program may keep
 * using an inner map it looked up after user space removed it from the
 * outer map; the caller must not drop the last reference while such
 * programs run.
 *
 * The array of maps is an fd array (maps/fd_array.h), with the generic
 * batches of arrays (lookup, update). The hash of maps is a hash map
 * (maps/htab.h) whose value slots hold struct map pointers (the value
 * arena is then private: map_mem_find() does not show it), with the hash
 * maps' batches; its update resolves the id first and then applies the
 * hash map's flag rules, as bpf_fd_htab_map_update_elem() does. Neither
 * has lookup_and_delete (ENOTSUPP), and programs can only look up.
 */
#include <errno.h>
#include <string.h>

#include "core/core.h"
#include "loader/object_int.h"
#include "maps/fd_array.h"
#include "maps/htab.h"

/* What inner maps must be like: the kernel's inner_map_meta. */
struct inner_meta {
	enum bpfrt_map_type type;
	uint32_t key_size;
	uint32_t value_size;
	uint32_t max_entries;
	uint32_t map_flags;
	int32_t spin_lock_off;
};

struct array_of_maps {
	struct fd_array a;
	struct inner_meta meta;
};

struct hash_of_maps {
	struct htab h;
	struct inner_meta meta;
};

static bool is_map_in_map(enum bpfrt_map_type t)
{
	return t == BPFRT_MAP_TYPE_ARRAY_OF_MAPS || t == BPFRT_MAP_TYPE_HASH_OF_MAPS;
}

/* bpf_map_meta_alloc(): the template's attributes, or -errno. */
static int meta_of(const struct bpfrt_map *tmpl, struct inner_meta *meta)
{
	const struct map *m = map_of(tmpl);

	if (!tmpl)
		return -EINVAL;
	if (m) {
		*meta = (struct inner_meta){ m->type, m->key_size, m->value_size, m->max_entries,
					     m->map_flags, m->spin_lock_off };
	} else {
		*meta = (struct inner_meta){ tmpl->type, tmpl->key_size, tmpl->value_size,
					     tmpl->max_entries, tmpl->map_flags, -1 };
	}
	/* One level only. */
	if (is_map_in_map(meta->type))
		return -EINVAL;
	/* The kernel has no map_meta_equal for program arrays. */
	if (meta->type == BPFRT_MAP_TYPE_PROG_ARRAY)
		return -ENOTSUPP;
	return 0;
}

/* bpf_map_meta_equal() (array_map_meta_equal() for arrays). */
static bool meta_equal(const struct inner_meta *meta, const struct map *m)
{
	if (meta->type != m->type || meta->key_size != m->key_size ||
	    meta->value_size != m->value_size || meta->map_flags != m->map_flags ||
	    meta->spin_lock_off != m->spin_lock_off)
		return false;
	if (meta->type == BPFRT_MAP_TYPE_ARRAY && !(meta->map_flags & BPFRT_F_INNER_MAP))
		return meta->max_entries == m->max_entries;
	return true;
}

/* bpf_map_fd_get_ptr(): a reference on the inner map `id` names. */
static int inner_get(const struct inner_meta *meta, uint32_t id, struct map **inner)
{
	struct map *m = map_get_by_id(id);

	if (!m)
		return -EBADF;
	if (!meta_equal(meta, m)) {
		map_put(m);
		return -EINVAL;
	}
	*inner = m;
	return 0;
}

/* ---- array of maps ---- */

static int aom_get(struct fd_array *a, uint32_t value, void **obj)
{
	struct array_of_maps *aom = (struct array_of_maps *)a;
	struct map *inner;
	int err = inner_get(&aom->meta, value, &inner);

	if (!err)
		*obj = inner;
	return err;
}

static void aom_put(struct fd_array *a, void *obj)
{
	(void)a;
	map_put(obj);
}

static uint32_t inner_id(const void *obj)
{
	return ((const struct map *)obj)->id;
}

static const struct fd_array_kind aom_kind = {
	.get = aom_get,
	.put = aom_put,
	.sys_value = inner_id,
};

static int aom_alloc_check(const struct map_attr *attr)
{
	struct inner_meta meta;
	int err = fd_array_alloc_check(attr);

	return err ? err : meta_of(attr->inner_map, &meta);
}

static struct map *aom_alloc(const struct map_attr *attr)
{
	struct array_of_maps *aom;

	aom = (struct array_of_maps *)fd_array_alloc(attr, sizeof(*aom), &aom_kind);
	if (!aom)
		return NULL;
	meta_of(attr->inner_map, &aom->meta); /* checked by aom_alloc_check */
	return &aom->a.map;
}

static void *aom_lookup(struct map *m, const void *key, unsigned int cpu)
{
	uint32_t idx;

	(void)cpu;
	memcpy(&idx, key, sizeof(idx));
	return fd_array_slot((struct fd_array *)m, idx);
}

const struct map_ops array_of_maps_map_ops = {
	.alloc_check = aom_alloc_check,
	.alloc = aom_alloc,
	.free = fd_array_free,
	.lookup = aom_lookup,
	.delete = fd_array_delete,
	.lookup_sys = fd_array_lookup_sys,
	.update_sys = fd_array_update_sys,
	.get_next_key = fd_array_get_next_key,
	.lookup_batch = map_generic_lookup_batch,
	.update_batch = map_generic_update_batch,
};

/* ---- hash of maps ---- */

static struct map **hom_slot(const struct htab *h, uint32_t idx)
{
	return (struct map **)map_slot(&h->map, idx, 0);
}

/* A deleted element lets go of its inner map. */
static void hom_elem_free(struct htab *h, uint32_t idx)
{
	struct map *inner = __atomic_exchange_n(hom_slot(h, idx), NULL, __ATOMIC_ACQ_REL);

	htab_node_free(h, idx);
	map_put(inner);
}

/* With the bucket locked (the slot's reference keeps the inner map): its id. */
static void hom_value_out(const struct htab *h, uint32_t idx, void *dst)
{
	const struct map *inner = __atomic_load_n(hom_slot(h, idx), __ATOMIC_ACQUIRE);
	uint32_t id = inner ? inner->id : 0;

	memcpy(dst, &id, sizeof(id));
}

static int hom_alloc_check(const struct map_attr *attr)
{
	struct inner_meta meta;
	int err;

	if (attr->value_size != sizeof(uint32_t))
		return -EINVAL;
	err = htab_alloc_check(attr);
	return err ? err : meta_of(attr->inner_map, &meta);
}

static struct map *hom_alloc(const struct map_attr *attr)
{
	struct hash_of_maps *hom;

	hom = (struct hash_of_maps *)htab_alloc_size(attr, sizeof(*hom));
	if (!hom)
		return NULL;
	meta_of(attr->inner_map, &hom->meta); /* checked by hom_alloc_check */
	hom->h.elem_free = hom_elem_free;
	hom->h.value_out = hom_value_out;
	hom->h.map.values_private = true;
	return &hom->h.map;
}

static void hom_free(struct map *m)
{
	struct htab *h = (struct htab *)m;

	for (uint32_t b = 0; b < h->n_buckets; b++)
		for (uint32_t ref = head_load(h, b); !IS_NULLS(ref); ref = node(h, REF_IDX(ref))->next)
			map_put(*hom_slot(h, REF_IDX(ref)));
	htab_free(m);
}

static void *hom_lookup(struct map *m, const void *key, unsigned int cpu)
{
	const struct htab *h = (const struct htab *)m;
	uint32_t idx = lookup_nulls(h, htab_hash(h, key), key);

	(void)cpu;
	return idx == NO_NODE ? NULL : __atomic_load_n(hom_slot(h, idx), __ATOMIC_ACQUIRE);
}

/*
 * bpf_fd_htab_map_update_elem(): the inner map first (EBADF, EINVAL), then
 * htab_map_update_elem()'s rules (flags EINVAL, EEXIST, ENOENT, E2BIG). A
 * present key gets the new inner map in place.
 */
static int hom_update_sys(struct map *m, const void *key, const void *value, uint64_t flags)
{
	struct hash_of_maps *hom = (struct hash_of_maps *)m;
	struct htab *h = &hom->h;
	uint64_t op = flags & ~(uint64_t)BPFRT_F_LOCK;
	struct map *inner, *old = NULL;
	uint32_t id, hash, b, idx;
	struct htab_node *n;
	int err;

	memcpy(&id, value, sizeof(id));
	err = inner_get(&hom->meta, id, &inner);
	if (err)
		return err;
	if (!map_update_flags_ok(flags) || (flags & BPFRT_F_LOCK)) {
		map_put(inner);
		return -EINVAL;
	}
	hash = htab_hash(h, key);
	b = bucket_of(h, hash);
	map_spin_lock(&h->buckets[b].lock);
	idx = htab_lookup_locked(h, b, hash, key, NULL);
	if (idx != NO_NODE && op == BPFRT_NOEXIST) {
		err = -EEXIST;
	} else if (idx == NO_NODE && op == BPFRT_EXIST) {
		err = -ENOENT;
	} else if (idx != NO_NODE) {
		old = __atomic_exchange_n(hom_slot(h, idx), inner, __ATOMIC_ACQ_REL);
	} else if ((idx = htab_node_alloc(h)) == NO_NODE) {
		err = -E2BIG;
	} else {
		n = node(h, idx);
		memcpy(n->key, key, m->key_size);
		__atomic_store_n(&n->hash, hash, __ATOMIC_RELAXED);
		__atomic_store_n(hom_slot(h, idx), inner, __ATOMIC_RELAXED);
		__atomic_store_n(&n->next, head_load(h, b), __ATOMIC_RELAXED);
		head_store(h, b, REF(idx)); /* publishes key, hash and inner map */
	}
	map_spin_unlock(&h->buckets[b].lock);
	if (err)
		map_put(inner);
	map_put(old);
	return err;
}

const struct map_ops hash_of_maps_map_ops = {
	.alloc_check = hom_alloc_check,
	.alloc = hom_alloc,
	.free = hom_free,
	.lookup = hom_lookup,
	.delete = htab_delete,
	.lookup_sys = htab_lookup_sys,
	.update_sys = hom_update_sys,
	.get_next_key = htab_get_next_key,
	.lookup_batch = htab_lookup_batch,
	.lookup_and_delete_batch = htab_lookup_and_delete_batch,
	.update_batch = map_generic_update_batch,
	.delete_batch = map_generic_delete_batch,
};
