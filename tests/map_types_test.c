/* SPDX-License-Identifier: MIT */
/*
 * Map lifetimes and the map types of references: ids and reference counts,
 * the registry of program-visible memory (map_is_live, map_mem_find), the
 * program-side ops (push/pop/peek, for_each), prog_array, perf_event_array
 * with its consumer (threads included), array_of_maps and hash_of_maps.
 * tests/map_test.c covers the value maps; tests/map_diff_fd.c compares the
 * reference maps with the kernel's.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bpfrt/bpfrt.h"
#include "bpfrt/insn.h"
#include "bpfrt/map.h"
#include "bpfrt/vm.h"
#include "core/ids.h"
#include "harness.h"
#include "maps/map.h"
#include "maps/ringbuf.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static struct bpfrt_map *mk(enum bpfrt_map_type type, uint32_t ks, uint32_t vs, uint32_t max,
			    uint32_t flags, const struct bpfrt_map *inner)
{
	struct bpfrt_map_create_opts o;

	memset(&o, 0, sizeof(o));
	o.sz = sizeof(o);
	o.map_flags = flags;
	o.inner_map = inner;
	o.nr_cpus = 2;
	if (type == BPFRT_MAP_TYPE_BLOOM_FILTER)
		o.map_extra = 3;
	return bpfrt_map__create(type, ks, vs, max, &o);
}

/* errno of a create, 0 on success (the map is destroyed). */
static int mk_err(enum bpfrt_map_type type, uint32_t ks, uint32_t vs, uint32_t max,
		  uint32_t flags, const struct bpfrt_map *inner)
{
	struct bpfrt_map *m = mk(type, ks, vs, max, flags, inner);
	int err = m ? 0 : errno;

	bpfrt_map__destroy(m);
	return err;
}

static int upd(struct bpfrt_map *m, uint32_t key, uint32_t value, uint64_t flags)
{
	return bpfrt_map__update_elem(m, &key, 4, &value, 4, flags);
}

static int look(struct bpfrt_map *m, uint32_t key, uint32_t *value)
{
	*value = 0xdeadbeef;
	return bpfrt_map__lookup_elem(m, &key, 4, value, 4, 0);
}

static int del(struct bpfrt_map *m, uint32_t key)
{
	return bpfrt_map__delete_elem(m, &key, 4, 0);
}

/* ---- ids, references, memory ---- */

static void test_ids(void)
{
	struct bpfrt_map *a = mk(BPFRT_MAP_TYPE_ARRAY, 4, 8, 4, 0, NULL);
	struct bpfrt_map *h = mk(BPFRT_MAP_TYPE_HASH, 4, 8, 4, BPFRT_F_RDONLY_PROG, NULL);
	struct bpfrt_map *rb = mk(BPFRT_MAP_TYPE_RINGBUF, 0, 0, 4096, 0, NULL);
	struct map *am = map_of(a), *hm = map_of(h), *rm = map_of(rb);
	uint32_t ida = bpfrt_map__id(a), idh = bpfrt_map__id(h), key = 1;
	const char *name = NULL;
	bool w = false;
	void *v, *rec;

	if (!a || !h || !rb) {
		t_fail("ids: create");
		return;
	}
	T_CHECK(ida && idh && ida != idh && bpfrt_map__id(NULL) == 0,
		"ids: live maps have distinct ids > 0, none for NULL");
	T_CHECK(ids_get(IDS_MAP, ida) == am && map_is_live(am) && map_is_live(hm) &&
		!map_is_live(NULL) && !map_is_live(&key), "ids: map_is_live and ids_get know the maps");
	v = map_lookup(am, &key, 0);
	T_CHECK(map_mem_find((uintptr_t)v, 8, &name, &w) && w && name && !strcmp(name, ""),
		"map_mem_find: an array value, writable");
	T_CHECK(!map_mem_find((uintptr_t)am->values + am->values_size - 4, 8, NULL, NULL) &&
		map_mem_find((uintptr_t)am->values + am->values_size - 8, 8, NULL, NULL) &&
		!map_mem_find((uintptr_t)am->values - 4, 8, NULL, NULL),
		"map_mem_find: ranges end where the arena ends");
	T_CHECK(map_mem_find((uintptr_t)hm->values, 1, NULL, &w) && !w,
		"map_mem_find: a BPF_F_RDONLY_PROG map's arena is read-only");
	rec = ringbuf_reserve(rm, 16, 0);
	T_CHECK(rec && map_mem_find((uintptr_t)rec, 16, NULL, &w) &&
		map_mem_find((uintptr_t)rm->values + 2 * 4096 - 8, 8, NULL, NULL) &&
		!map_mem_find((uintptr_t)rm->values + 2 * 4096 - 4, 8, NULL, NULL),
		"map_mem_find: ring buffer data, both mappings");
	if (rec)
		ringbuf_discard(rec, 0);
	{
		struct bpfrt_map *pa = mk(BPFRT_MAP_TYPE_PROG_ARRAY, 4, 4, 4, 0, NULL);
		struct bpfrt_map *hom = mk(BPFRT_MAP_TYPE_HASH_OF_MAPS, 4, 4, 4, 0, h);
		struct bpfrt_region r[2];

		T_CHECK(pa && hom && map_regions(map_of(pa), r, 2) == 0 &&
			map_regions(map_of(hom), r, 2) == 0 && map_regions(am, r, 2) == 1 &&
			!map_mem_find((uintptr_t)map_of(hom)->values, 1, NULL, NULL),
			"map_regions: maps of references give programs no memory");
		bpfrt_map__destroy(pa);
		bpfrt_map__destroy(hom);
	}
	bpfrt_map__destroy(a);
	T_CHECK(!map_is_live(am) && !ids_get(IDS_MAP, ida) &&
		!map_mem_find((uintptr_t)v, 8, NULL, NULL), "ids: a destroyed map is forgotten");
	bpfrt_map__destroy(h);
	bpfrt_map__destroy(rb);
}

/* ---- push / pop / peek ---- */

static void test_push_pop(void)
{
	struct bpfrt_map *q = mk(BPFRT_MAP_TYPE_QUEUE, 0, 8, 3, 0, NULL);
	struct bpfrt_map *s = mk(BPFRT_MAP_TYPE_STACK, 0, 8, 3, 0, NULL);
	struct bpfrt_map *b = mk(BPFRT_MAP_TYPE_BLOOM_FILTER, 0, 8, 64, 0, NULL);
	struct bpfrt_map *h = mk(BPFRT_MAP_TYPE_HASH, 4, 8, 4, 0, NULL);
	struct bpfrt_map *ro = mk(BPFRT_MAP_TYPE_QUEUE, 0, 8, 3, BPFRT_F_RDONLY_PROG, NULL);
	struct map *qm = map_of(q), *sm = map_of(s), *bm = map_of(b);
	uint64_t v, out[4];
	bool ok = true;

	if (!q || !s || !b || !h || !ro) {
		t_fail("push/pop: create");
		return;
	}
	T_CHECK(map_pop(qm, &v) == -ENOENT && map_peek(sm, &v) == -ENOENT,
		"push/pop: pop and peek of an empty queue/stack: ENOENT");
	for (v = 1; v <= 3; v++)
		ok &= map_push(qm, &v, 0) == 0 && map_push(sm, &v, 0) == 0;
	v = 4;
	T_CHECK(ok && map_push(qm, &v, 0) == -E2BIG && map_push(qm, &v, BPFRT_NOEXIST) == -EINVAL &&
		map_push(qm, &v, 4) == -EINVAL, "push: full E2BIG, NOEXIST and unknown flags EINVAL");
	T_CHECK(map_push(qm, &v, BPFRT_EXIST) == 0 && map_push(sm, &v, BPFRT_EXIST) == 0,
		"push: BPF_EXIST makes room in a full map");
	ok = map_peek(qm, &out[0]) == 0 && out[0] == 2;
	for (int i = 0; i < 3; i++)
		ok &= map_pop(qm, &out[i]) == 0;
	T_CHECK(ok && out[0] == 2 && out[1] == 3 && out[2] == 4 && map_pop(qm, &v) == -ENOENT,
		"queue: FIFO after the oldest value was dropped");
	ok = map_peek(sm, &out[0]) == 0 && out[0] == 4;
	for (int i = 0; i < 3; i++)
		ok &= map_pop(sm, &out[i]) == 0;
	T_CHECK(ok && out[0] == 4 && out[1] == 3 && out[2] == 2, "stack: LIFO, bottom dropped");
	v = 42;
	T_CHECK(map_peek(bm, &v) == -ENOENT && map_push(bm, &v, 0) == 0 && map_peek(bm, &v) == 0 &&
		map_pop(bm, &v) == -ENOTSUPP && map_push(bm, &v, BPFRT_EXIST) == -EINVAL,
		"bloom: push adds, peek finds, pop ENOTSUPP");
	T_CHECK(map_push(map_of(h), &v, 0) == -ENOTSUPP && map_pop(map_of(h), &v) == -ENOTSUPP &&
		map_peek(map_of(h), &v) == -ENOTSUPP, "push/pop/peek on a hash map: ENOTSUPP");
	T_CHECK(map_push(map_of(ro), &v, 0) == -EPERM && map_pop(map_of(ro), &v) == -EPERM &&
		map_peek(map_of(ro), &v) == -ENOENT, "push/pop on BPF_F_RDONLY_PROG: EPERM");
	bpfrt_map__destroy(q);
	bpfrt_map__destroy(s);
	bpfrt_map__destroy(b);
	bpfrt_map__destroy(h);
	bpfrt_map__destroy(ro);
}

/* ---- for_each ---- */

struct walk {
	struct map *m;
	uint32_t keys[64];
	uint64_t vals[64];
	int n, stop_at, del;
};

static int walk_fn(void *ctx, void *key, void *value)
{
	struct walk *w = ctx;

	if (w->n < 64) {
		memcpy(&w->keys[w->n], key, 4);
		memcpy(&w->vals[w->n], value, 8);
	}
	if (w->del)
		map_delete(w->m, key);
	return ++w->n == w->stop_at;
}

static void for_each_type(enum bpfrt_map_type type, bool array)
{
	const char *tn = bpfrt_map_type_name(type);
	struct bpfrt_map *m = mk(type, 4, 8, array ? 16 : 64, 0, NULL);
	struct map *mm = map_of(m);
	uint32_t key, next, order[64];
	struct walk w;
	uint64_t v;
	int n = 0, err;
	bool ok = true;

	if (!m) {
		t_fail("for_each %s: create", tn);
		return;
	}
	/* Worker 1's value is key * 10 + 1, worker 0's key * 10. */
	for (key = 0; key < 10; key++) {
		v = key * 10;
		ok &= map_update(mm, &key, &v, 0, 0) == 0;
		v = key * 10 + 1;
		ok &= map_update(mm, &key, &v, 0, 1) == 0;
	}
	for (err = bpfrt_map__get_next_key(m, NULL, &next, 4); !err && n < 64;
	     err = bpfrt_map__get_next_key(m, &key, &next, 4)) {
		order[n++] = next;
		key = next;
	}
	memset(&w, 0, sizeof(w));
	w.m = mm;
	T_CHECK(ok && map_for_each(mm, walk_fn, &w, 1) == n && w.n == n,
		"for_each %s: visits every element (%d)", tn, n);
	for (int i = 0; i < n && i < 64; i++) {
		ok &= w.keys[i] == order[i];
		if (order[i] < 10)
			ok &= w.vals[i] == order[i] * 10 + 1;
	}
	T_CHECK(ok, "for_each %s: in get_next_key order, with worker 1's values", tn);
	memset(&w, 0, sizeof(w));
	w.m = mm;
	w.stop_at = 3;
	T_CHECK(map_for_each(mm, walk_fn, &w, 0) == 3 && w.n == 3,
		"for_each %s: stops when the callback returns non-zero, counting that one", tn);
	if (!array) {
		memset(&w, 0, sizeof(w));
		w.m = mm;
		w.del = 1;
		T_CHECK(map_for_each(mm, walk_fn, &w, 0) == 10 &&
			bpfrt_map__get_next_key(m, NULL, &next, 4) == -ENOENT,
			"for_each %s: the callback may delete the element it is given", tn);
	}
	bpfrt_map__destroy(m);
}

static void test_for_each(void)
{
	struct bpfrt_map *q = mk(BPFRT_MAP_TYPE_QUEUE, 0, 8, 3, 0, NULL);
	struct walk w;

	for_each_type(BPFRT_MAP_TYPE_ARRAY, true);
	for_each_type(BPFRT_MAP_TYPE_PERCPU_ARRAY, true);
	for_each_type(BPFRT_MAP_TYPE_HASH, false);
	for_each_type(BPFRT_MAP_TYPE_PERCPU_HASH, false);
	for_each_type(BPFRT_MAP_TYPE_LRU_HASH, false);
	for_each_type(BPFRT_MAP_TYPE_LRU_PERCPU_HASH, false);
	memset(&w, 0, sizeof(w));
	T_CHECK(q && map_for_each(map_of(q), walk_fn, &w, 0) == -ENOTSUPP,
		"for_each on a queue: ENOTSUPP");
	bpfrt_map__destroy(q);
}

/* ---- prog_array ---- */

static struct bpfrt_prog *load(struct bpfrt_vm *vm, enum bpfrt_prog_type type, int attach,
			       int r0)
{
	struct bpfrt_insn insns[] = { BPFRT_MOV64_IMM(0, r0), BPFRT_EXIT_INSN() };
	struct bpfrt_load_opts o;

	memset(&o, 0, sizeof(o));
	o.sz = sizeof(o);
	o.prog_type = type;
	o.expected_attach_type = attach;
	return bpfrt_prog__load(vm, insns, ARRAY_SIZE(insns), &o);
}

static void test_prog_array(void)
{
	struct bpfrt_vm *vm = bpfrt_vm__new();
	struct bpfrt_prog *p1, *p2, *xdp, *other_attach, *ext;
	struct bpfrt_map *pa, *pa2;
	uint32_t id1, id2, v, next;

	if (!vm) {
		t_fail("prog_array: vm");
		return;
	}
	p1 = load(vm, BPFRT_PROG_TYPE_SOCKET_FILTER, 0, 1);
	p2 = load(vm, BPFRT_PROG_TYPE_SOCKET_FILTER, 0, 2);
	xdp = load(vm, BPFRT_PROG_TYPE_XDP, 0, 3);
	other_attach = load(vm, BPFRT_PROG_TYPE_SOCKET_FILTER, 5, 4);
	ext = load(vm, BPFRT_PROG_TYPE_EXT, 0, 5);
	pa = mk(BPFRT_MAP_TYPE_PROG_ARRAY, 4, 4, 4, 0, NULL);
	pa2 = mk(BPFRT_MAP_TYPE_PROG_ARRAY, 4, 4, 2, 0, NULL);
	/* bpfrt cannot load extensions at all; the kernel would refuse them in the map too. */
	T_CHECK(!ext && errno == BPFRT_ENOTSUPP, "prog_array: an extension does not even load");
	if (!p1 || !p2 || !xdp || !other_attach || !pa || !pa2) {
		t_fail("prog_array: load/create");
		return;
	}
	id1 = bpfrt_prog__id(p1);
	id2 = bpfrt_prog__id(p2);
	T_CHECK(mk_err(BPFRT_MAP_TYPE_PROG_ARRAY, 4, 8, 4, 0, NULL) == EINVAL &&
		mk_err(BPFRT_MAP_TYPE_PROG_ARRAY, 4, 4, 4, BPFRT_F_RDONLY_PROG, NULL) == EINVAL &&
		mk_err(BPFRT_MAP_TYPE_PROG_ARRAY, 8, 4, 4, 0, NULL) == EINVAL &&
		mk_err(BPFRT_MAP_TYPE_PROG_ARRAY, 4, 4, 0, 0, NULL) == EINVAL,
		"prog_array: value 4 bytes, key 4, max_entries > 0, no *_PROG flags");
	T_CHECK(look(pa, 0, &v) == -ENOENT && del(pa, 0) == -ENOENT && del(pa, 4) == -E2BIG &&
		look(pa, 9, &v) == -ENOENT, "prog_array: empty slots ENOENT, delete past the end E2BIG");
	T_CHECK(upd(pa, 0, id1, BPFRT_NOEXIST) == -EINVAL && upd(pa, 0, id1, BPFRT_EXIST) == -EINVAL &&
		upd(pa, 4, id1, 0) == -E2BIG && upd(pa, 0, 0x7ffffff0, 0) == -EBADF &&
		upd(pa, 0, 0, 0) == -EBADF, "prog_array: update flags EINVAL, index E2BIG, no such id EBADF");
	T_CHECK(upd(pa, 1, id1, 0) == 0 && look(pa, 1, &v) == 0 && v == id1 &&
		map_prog_array_get(map_of(pa), 1) == p1 && map_prog_array_get(map_of(pa), 0) == NULL &&
		map_prog_array_get(map_of(pa), 4) == NULL,
		"prog_array: a stored program reads back as its id and serves tail calls");
	T_CHECK(upd(pa, 2, bpfrt_prog__id(xdp), 0) == -EINVAL &&
		upd(pa, 2, bpfrt_prog__id(other_attach), 0) == -EINVAL && upd(pa, 2, id2, 0) == 0,
		"prog_array: the first program owns the map: another type or attach type EINVAL");
	T_CHECK(map_prog_array_compatible(map_of(pa), p2) && !map_prog_array_compatible(map_of(pa), xdp) &&
		upd(pa2, 0, bpfrt_prog__id(xdp), 0) == 0 && del(pa2, 0) == 0 &&
		upd(pa2, 0, id1, 0) == -EINVAL, "prog_array: the owner stays when the map empties");
	T_CHECK(bpfrt_map__get_next_key(pa, NULL, &next, 4) == 0 && next == 0 &&
		bpfrt_map__get_next_key(pa, &(uint32_t){ 3 }, &next, 4) == -ENOENT,
		"prog_array: get_next_key as arrays");
	/* The slot's reference keeps p1 after the user's is gone. */
	bpfrt_prog__free(p1);
	T_CHECK(ids_get(IDS_PROG, id1) == p1 && look(pa, 1, &v) == 0 && v == id1,
		"prog_array: a slot keeps its program alive after bpfrt_prog__free");
	T_CHECK(upd(pa, 1, id2, 0) == 0 && !ids_get(IDS_PROG, id1),
		"prog_array: replacing the slot lets go of the old program");
	T_CHECK(upd(pa, 3, id2, 0) == 0 && del(pa, 3) == 0 && ids_get(IDS_PROG, id2) == p2,
		"prog_array: delete lets go of one reference");
	bpfrt_prog__free(p2);
	T_CHECK(ids_get(IDS_PROG, id2) == p2, "prog_array: two slots, two references");
	bpfrt_map__destroy(pa);
	T_CHECK(!ids_get(IDS_PROG, id2), "prog_array: freeing the map lets go of its programs");
	bpfrt_map__destroy(pa2);
	bpfrt_prog__free(xdp);
	bpfrt_prog__free(other_attach);
	bpfrt_prog__free(ext);
	bpfrt_vm__free(vm);
}

/* ---- map-in-map ---- */

static void test_map_in_map(void)
{
	struct bpfrt_map *tmpl = mk(BPFRT_MAP_TYPE_ARRAY, 4, 8, 4, 0, NULL);
	struct bpfrt_map *tmpl_im = mk(BPFRT_MAP_TYPE_ARRAY, 4, 8, 4, BPFRT_F_INNER_MAP, NULL);
	struct bpfrt_map *htmpl = mk(BPFRT_MAP_TYPE_HASH, 4, 8, 16, 0, NULL);
	struct bpfrt_map *pa = mk(BPFRT_MAP_TYPE_PROG_ARRAY, 4, 4, 4, 0, NULL);
	struct bpfrt_map *i1 = mk(BPFRT_MAP_TYPE_ARRAY, 4, 8, 4, 0, NULL);
	struct bpfrt_map *i8 = mk(BPFRT_MAP_TYPE_ARRAY, 4, 8, 8, 0, NULL);
	struct bpfrt_map *iv = mk(BPFRT_MAP_TYPE_ARRAY, 4, 16, 4, 0, NULL);
	struct bpfrt_map *ih = mk(BPFRT_MAP_TYPE_HASH, 4, 8, 99, 0, NULL);
	struct bpfrt_map *ihf = mk(BPFRT_MAP_TYPE_HASH, 4, 8, 16, BPFRT_F_NO_PREALLOC, NULL);
	struct bpfrt_map *aom, *aom_im, *hom, *nested;
	uint32_t id1, id8, v, keys[8], vals[8], cnt, out = 0, key;
	struct map *inner;
	uint64_t x = 77;

	if (!tmpl || !tmpl_im || !htmpl || !pa || !i1 || !i8 || !iv || !ih || !ihf) {
		t_fail("map_in_map: create");
		return;
	}
	T_CHECK(mk_err(BPFRT_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 4, 0, NULL) == EINVAL &&
		mk_err(BPFRT_MAP_TYPE_HASH_OF_MAPS, 4, 4, 4, 0, NULL) == EINVAL,
		"map_in_map: no template: EINVAL");
	T_CHECK(mk_err(BPFRT_MAP_TYPE_ARRAY_OF_MAPS, 4, 8, 4, 0, tmpl) == EINVAL &&
		mk_err(BPFRT_MAP_TYPE_HASH_OF_MAPS, 4, 8, 4, 0, tmpl) == EINVAL &&
		mk_err(BPFRT_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 4, BPFRT_F_RDONLY_PROG, tmpl) == EINVAL,
		"map_in_map: value size 4, no *_PROG flags on arrays");
	T_CHECK(mk_err(BPFRT_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 4, 0, pa) == ENOTSUPP,
		"map_in_map: a prog_array template: ENOTSUPP");
	aom = mk(BPFRT_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 4, 0, tmpl);
	aom_im = mk(BPFRT_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 4, 0, tmpl_im);
	hom = mk(BPFRT_MAP_TYPE_HASH_OF_MAPS, 4, 4, 2, 0, htmpl);
	if (!aom || !aom_im || !hom) {
		t_fail("map_in_map: create outer maps");
		return;
	}
	T_CHECK(mk_err(BPFRT_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 4, 0, aom) == EINVAL &&
		mk_err(BPFRT_MAP_TYPE_HASH_OF_MAPS, 4, 4, 4, 0, hom) == EINVAL,
		"map_in_map: a map-in-map template: EINVAL");
	id1 = bpfrt_map__id(i1);
	id8 = bpfrt_map__id(i8);
	T_CHECK(upd(aom, 0, id8, 0) == -EINVAL && upd(aom, 0, bpfrt_map__id(iv), 0) == -EINVAL &&
		upd(aom, 0, bpfrt_map__id(ih), 0) == -EINVAL && upd(aom, 0, 0x7ffffff0, 0) == -EBADF &&
		upd(aom, 0, id1, BPFRT_NOEXIST) == -EINVAL && upd(aom, 4, id1, 0) == -E2BIG,
		"array_of_maps: max_entries, value size, type must match; bad id EBADF");
	T_CHECK(upd(aom_im, 0, id8, 0) == -EINVAL && upd(aom_im, 0, id1, 0) == -EINVAL,
		"array_of_maps: BPF_F_INNER_MAP is part of the flags compared");
	nested = mk(BPFRT_MAP_TYPE_ARRAY, 4, 8, 9, BPFRT_F_INNER_MAP, NULL);
	T_CHECK(nested && upd(aom_im, 1, bpfrt_map__id(nested), 0) == 0,
		"array_of_maps: with BPF_F_INNER_MAP, max_entries may differ");
	bpfrt_map__destroy(nested);
	T_CHECK(upd(aom, 2, id1, 0) == 0 && look(aom, 2, &v) == 0 && v == id1 && look(aom, 1, &v) == -ENOENT,
		"array_of_maps: an inner map reads back as its id");
	inner = map_lookup(map_of(aom), &(uint32_t){ 2 }, 0);
	T_CHECK(inner == map_of(i1) && map_is_live(inner) &&
		map_update(inner, &(uint32_t){ 1 }, &x, 0, 0) == 0,
		"array_of_maps: a program's look-up gives the inner map itself");
	cnt = 8;
	T_CHECK(bpfrt_map__lookup_batch(aom, NULL, &out, keys, vals, &cnt, 0) == -ENOENT && cnt == 1 &&
		keys[0] == 2 && vals[0] == id1, "array_of_maps: batch look-ups return ids");
	/* The user's handle goes; the outer map's reference keeps the inner map. */
	bpfrt_map__destroy(i1);
	T_CHECK(map_is_live(inner) && ids_get(IDS_MAP, id1) == inner &&
		map_lookup(inner, &(uint32_t){ 1 }, 0) &&
		*(uint64_t *)map_lookup(inner, &(uint32_t){ 1 }, 0) == 77,
		"array_of_maps: an inner map outlives its handle");
	T_CHECK(del(aom, 2) == 0 && !map_is_live(inner) && !ids_get(IDS_MAP, id1) &&
		del(aom, 2) == -ENOENT, "array_of_maps: delete lets go: the inner map is freed");

	/* hash of maps */
	T_CHECK(upd(hom, 10, bpfrt_map__id(ih), BPFRT_ANY) == 0 &&
		upd(hom, 11, bpfrt_map__id(ihf), 0) == -EINVAL && upd(hom, 11, 0x7ffffff0, 9) == -EBADF &&
		upd(hom, 11, id8, 0) == -EINVAL,
		"hash_of_maps: hash inners of any max_entries, flags must match; id resolved first");
	T_CHECK(upd(hom, 10, bpfrt_map__id(ih), BPFRT_NOEXIST) == -EEXIST &&
		upd(hom, 12, bpfrt_map__id(ih), BPFRT_EXIST) == -ENOENT &&
		upd(hom, 12, bpfrt_map__id(ih), 8) == -EINVAL && upd(hom, 12, bpfrt_map__id(htmpl), 0) == 0 &&
		upd(hom, 13, bpfrt_map__id(ih), 0) == -E2BIG &&
		upd(hom, 12, bpfrt_map__id(ih), BPFRT_EXIST) == 0,
		"hash_of_maps: the hash map's flag rules, E2BIG when full, replace in place");
	T_CHECK(look(hom, 12, &v) == 0 && v == bpfrt_map__id(ih) &&
		map_lookup(map_of(hom), &(uint32_t){ 12 }, 0) == map_of(ih) &&
		map_lookup(map_of(hom), &(uint32_t){ 13 }, 0) == NULL,
		"hash_of_maps: user look-ups give ids, programs' the inner map");
	T_CHECK(bpfrt_map__lookup_and_delete_elem(hom, &(uint32_t){ 12 }, 4, &v, 4, 0) == -ENOTSUPP,
		"hash_of_maps: no lookup_and_delete");
	inner = map_of(ih);
	bpfrt_map__destroy(ih);
	T_CHECK(map_is_live(inner), "hash_of_maps: two keys hold the inner map");
	cnt = 8;
	key = 0;
	T_CHECK(bpfrt_map__lookup_and_delete_batch(hom, NULL, &key, keys, vals, &cnt, 0) == -ENOENT &&
		cnt == 2 && vals[0] == vals[1] && !map_is_live(inner),
		"hash_of_maps: a deleting batch returns ids and lets go");
	T_CHECK(upd(hom, 1, bpfrt_map__id(htmpl), 0) == 0, "hash_of_maps: a template may be an inner map");
	inner = map_of(htmpl);
	bpfrt_map__destroy(htmpl);
	bpfrt_map__destroy(hom);
	T_CHECK(!map_is_live(inner), "hash_of_maps: freeing the outer map frees what only it held");
	bpfrt_map__destroy(aom);
	bpfrt_map__destroy(aom_im);
	bpfrt_map__destroy(tmpl);
	bpfrt_map__destroy(tmpl_im);
	bpfrt_map__destroy(pa);
	bpfrt_map__destroy(i8);
	bpfrt_map__destroy(iv);
	bpfrt_map__destroy(ihf);
}

/* ---- perf_event_array ---- */

struct sink {
	pthread_mutex_t lock;
	uint64_t samples, lost, bytes;
	uint64_t next_seq[8];   /* per producer: the next sequence number expected */
	bool order_ok, data_ok;
	uint32_t last_size;
	uint8_t last[64];
	int last_cpu;
};

/* A sample: u32 producer, u32 seq, then seq-derived bytes. */
static void on_sample(void *ctx, int cpu, void *data, uint32_t size)
{
	struct sink *s = ctx;
	uint32_t prod, seq;

	pthread_mutex_lock(&s->lock);
	s->samples++;
	s->bytes += size;
	s->last_cpu = cpu;
	s->last_size = size;
	memcpy(s->last, data, size < 64 ? size : 64);
	if (size >= 8) {
		memcpy(&prod, data, 4);
		memcpy(&seq, (char *)data + 4, 4);
		if (prod < 8) {
			if (seq < s->next_seq[prod])
				s->order_ok = false;
			s->next_seq[prod] = seq + 1;
			for (uint32_t i = 8; i < 8 + seq % 40 && i < size; i++)
				if (((uint8_t *)data)[i] != (uint8_t)(seq + i))
					s->data_ok = false;
		}
	}
	pthread_mutex_unlock(&s->lock);
}

static void on_lost(void *ctx, int cpu, uint64_t cnt)
{
	struct sink *s = ctx;

	(void)cpu;
	pthread_mutex_lock(&s->lock);
	s->lost += cnt;
	pthread_mutex_unlock(&s->lock);
}

static void sink_init(struct sink *s)
{
	memset(s, 0, sizeof(*s));
	pthread_mutex_init(&s->lock, NULL);
	s->order_ok = s->data_ok = true;
}

struct producer {
	struct map *m;
	uint32_t id, n, slot;
	uint64_t ok, nospc, other;
	uint32_t pace;           /* sleep a little after every `pace` samples (0: never) */
};

static void *produce(void *arg)
{
	struct producer *p = arg;
	uint8_t buf[48];

	for (uint32_t seq = 0; seq < p->n; seq++) {
		uint32_t size = 8 + seq % 40;
		int err;

		memcpy(buf, &p->id, 4);
		memcpy(buf + 4, &seq, 4);
		for (uint32_t i = 8; i < size; i++)
			buf[i] = (uint8_t)(seq + i);
		/* Even producers name their slot, odd ones ask for the current CPU. */
		err = map_perf_event_output(p->m, p->slot, p->id % 2 ? 0xffffffffULL : p->slot, buf,
					    size);
		if (!err)
			p->ok++;
		else if (err == -ENOSPC)
			p->nospc++;
		else
			p->other++;
		if (p->pace && seq % p->pace == 0)
			usleep(20);
	}
	return NULL;
}

struct poller {
	struct bpfrt_perf_buffer *pb;
	volatile int stop;
	int ret;
	double waited;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *poll_loop(void *arg)
{
	struct poller *p = arg;

	while (!p->stop)
		bpfrt_perf_buffer__poll(p->pb, 20);
	return NULL;
}

static void *poll_once(void *arg)
{
	struct poller *p = arg;
	double t0 = now_s();

	p->ret = bpfrt_perf_buffer__poll(p->pb, 5000);
	p->waited = now_s() - t0;
	return NULL;
}

/* Several producer threads, a consumer thread; big rings lose nothing, small ones count. */
static void perf_threads(struct bpfrt_map *map, size_t pages, bool consumer_runs)
{
	struct bpfrt_perf_buffer_opts o = { .sz = sizeof(o), .lost_fn = on_lost, .cpu_cnt = 2 };
	struct producer prod[4];
	pthread_t th[4], ct;
	struct poller pl;
	struct sink s;
	struct bpfrt_perf_buffer *pb;
	uint64_t ok = 0, nospc = 0, other = 0, total = 0;
	uint8_t one[8] = { 99 }; /* producer 99: not checked for order */
	int i;

	sink_init(&s);
	o.ctx = &s;
	pb = bpfrt_perf_buffer__new(map, pages, on_sample, &o);
	if (!pb) {
		t_fail("perf threads: bpfrt_perf_buffer__new: %d", errno);
		return;
	}
	memset(&pl, 0, sizeof(pl));
	pl.pb = pb;
	if (consumer_runs)
		pthread_create(&ct, NULL, poll_loop, &pl);
	for (i = 0; i < 4; i++) {
		prod[i] = (struct producer){ map_of(map), (uint32_t)i, 20000, (uint32_t)i % 2, 0, 0, 0,
					     0 };
		pthread_create(&th[i], NULL, produce, &prod[i]);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		ok += prod[i].ok;
		nospc += prod[i].nospc;
		other += prod[i].other;
		total += prod[i].n;
	}
	if (consumer_runs) {
		pl.stop = 1;
		pthread_join(ct, NULL);
	}
	while (bpfrt_perf_buffer__consume(pb) > 0)
		;
	/* A drop is reported with the next sample that fits: send one per slot. */
	for (i = 0; i < 2; i++)
		map_perf_event_output(map_of(map), 0, (uint64_t)i, one, sizeof(one));
	while (bpfrt_perf_buffer__consume(pb) > 0)
		;
	if (pages >= 1024)
		T_CHECK(ok == total && s.samples == total + 2 && s.lost == 0 && !other,
			"perf threads: 4 producers, 2 slots, %s: all %llu samples, none lost",
			consumer_runs ? "a polling consumer" : "consumed at the end",
			(unsigned long long)total);
	else
		T_CHECK((nospc > 0 || consumer_runs) && ok + nospc == total && s.samples == ok + 2 &&
			s.lost == nospc && !other,
			"perf threads: one-page rings%s: %llu delivered, %llu lost and reported as lost",
			consumer_runs ? " and a polling consumer" : "", (unsigned long long)ok,
			(unsigned long long)nospc);
	T_CHECK(s.order_ok && s.data_ok, "perf threads: each producer's samples intact and in order%s%s",
		s.order_ok ? "" : " (order broken)", s.data_ok ? "" : " (data broken)");
	bpfrt_perf_buffer__free(pb);
}

struct waker {
	struct bpfrt_perf_buffer *pb;
	struct sink *s;
	uint64_t want;
	int timeouts, polls;
};

static void *wait_all(void *arg)
{
	struct waker *w = arg;

	while (__atomic_load_n(&w->s->samples, __ATOMIC_RELAXED) < w->want) {
		w->polls++;
		if (bpfrt_perf_buffer__poll(w->pb, 2000) == 0)
			w->timeouts++;
		if (w->timeouts > 2)
			break;
	}
	return NULL;
}

/*
 * A consumer that sleeps in poll whenever it has caught up: each sample
 * that finds the ring empty must wake it, or it times out.
 */
static void perf_wakeups(struct bpfrt_map *map)
{
	struct bpfrt_perf_buffer_opts o = { .sz = sizeof(o), .cpu_cnt = 2 };
	struct producer prod[2];
	struct waker w;
	pthread_t th[2], ct;
	struct sink s;
	double t0 = now_s();

	sink_init(&s);
	o.ctx = &s;
	w.pb = bpfrt_perf_buffer__new(map, 64, on_sample, &o);
	if (!w.pb) {
		t_fail("perf wake-ups: bpfrt_perf_buffer__new");
		return;
	}
	w.s = &s;
	w.want = 2 * 5000;
	w.timeouts = w.polls = 0;
	pthread_create(&ct, NULL, wait_all, &w);
	for (int i = 0; i < 2; i++) {
		prod[i] = (struct producer){ map_of(map), (uint32_t)i, 5000, (uint32_t)i, 0, 0, 0, 5 };
		pthread_create(&th[i], NULL, produce, &prod[i]);
	}
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	pthread_join(ct, NULL);
	T_CHECK(w.timeouts == 0 && s.samples == prod[0].ok + prod[1].ok && s.lost == 0,
		"perf wake-ups: a consumer asleep in poll(2 s) got all %llu samples in %d polls "
		"without a timeout (%.2f s)", (unsigned long long)s.samples, w.polls, now_s() - t0);
	bpfrt_perf_buffer__free(w.pb);
}

static void test_perf(void)
{
	struct bpfrt_map *m = mk(BPFRT_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, 4, 0, NULL);
	struct bpfrt_perf_buffer_opts o = { .sz = sizeof(o), .lost_fn = on_lost };
	struct bpfrt_perf_buffer *pb, *pb2;
	struct map *pm = map_of(m);
	uint8_t data[300];
	uint32_t v, next;
	struct poller pl;
	pthread_t th;
	struct sink s;
	bool ok = true;
	int n;

	if (!m) {
		t_fail("perf: create");
		return;
	}
	for (n = 0; n < (int)sizeof(data); n++)
		data[n] = (uint8_t)n;
	T_CHECK(mk_err(BPFRT_MAP_TYPE_PERF_EVENT_ARRAY, 4, 8, 4, 0, NULL) == EINVAL &&
		mk_err(BPFRT_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, 4, 1U << 11, NULL) == 0,
		"perf: value size 4; BPF_F_PRESERVE_ELEMS allowed");
	T_CHECK(map_perf_event_output(pm, 0, 0, data, 8) == -ENOENT &&
		map_perf_event_output(pm, 0, 4, data, 8) == -E2BIG &&
		map_perf_event_output(pm, 9, 0xffffffffULL, data, 8) == -E2BIG &&
		map_perf_event_output(pm, 0, 1ULL << 32, data, 8) == -EINVAL,
		"perf: no consumer ENOENT, index E2BIG, unknown flags EINVAL");
	T_CHECK(upd(m, 0, 3, 0) == -EBADF && upd(m, 0, 3, BPFRT_EXIST) == -EINVAL &&
		upd(m, 4, 3, 0) == -E2BIG && look(m, 0, &v) == -ENOTSUPP && del(m, 0) == -ENOENT &&
		del(m, 4) == -E2BIG && bpfrt_map__get_next_key(m, NULL, &next, 4) == 0 && next == 0,
		"perf: user space: update EBADF, lookup ENOTSUPP, delete ENOENT, get_next_key");
	sink_init(&s);
	o.ctx = &s;
	errno = 0;
	T_CHECK(!bpfrt_perf_buffer__new(m, 3, on_sample, &o) && errno == EINVAL &&
		!bpfrt_perf_buffer__new(m, 1, NULL, &o) && errno == EINVAL,
		"perf: page_cnt must be a power of 2, sample_fn set");
	o.cpu_cnt = 5;
	T_CHECK(!bpfrt_perf_buffer__new(m, 1, on_sample, &o) && errno == EINVAL,
		"perf: cpu_cnt above max_entries: EINVAL");
	o.cpu_cnt = 3;
	pb = bpfrt_perf_buffer__new(m, 1, on_sample, &o);
	pb2 = bpfrt_perf_buffer__new(m, 1, on_sample, &o);
	T_CHECK(pb && !pb2 && errno == EBUSY, "perf: one consumer at a time (EBUSY)");
	if (!pb)
		return;
	T_CHECK(map_perf_event_output(pm, 3, 0xffffffffULL, data, 8) == -ENOENT,
		"perf: a slot without a ring: ENOENT");
	T_CHECK(map_perf_event_output(pm, 2, 0xffffffffULL, data, 5) == 0 &&
		bpfrt_perf_buffer__consume(pb) == 1 && s.last_cpu == 2 && s.last_size == 12 &&
		!memcmp(s.last, data, 5) && !s.last[5] && !s.last[11],
		"perf: BPF_F_CURRENT_CPU; raw size rounded (5 -> 12), zero padding");
	/* Odd sizes through a one-page ring: records wrap around its end. */
	for (int i = 0; i < 200; i++) {
		uint32_t size = 1 + (uint32_t)(i * 37) % 290;

		ok &= map_perf_event_output(pm, 0, 1, data, size) == 0;
		ok &= bpfrt_perf_buffer__consume(pb) == 1;
		ok &= s.last_cpu == 1 && s.last_size == ((size + 4 + 7) & ~7U) - 4 &&
		      !memcmp(s.last, data, size < 64 ? size : 64);
	}
	T_CHECK(ok, "perf: records that wrap around the ring arrive whole");
	for (n = 0; map_perf_event_output(pm, 0, 0, data, 100) == 0; n++)
		;
	T_CHECK(n == 4096 / 112 && map_perf_event_output(pm, 0, 0, data, 100) == -ENOSPC,
		"perf: a full ring: ENOSPC (%d samples of 112 bytes in 4096)", n);
	s.samples = 0;
	T_CHECK(bpfrt_perf_buffer__consume(pb) == n && s.lost == 0 &&
		map_perf_event_output(pm, 0, 0, data, 100) == 0 && bpfrt_perf_buffer__consume(pb) == 1 &&
		s.lost == 2, "perf: the next sample that fits is preceded by a LOST record (2)");
	T_CHECK(map_perf_event_output(pm, 0, 0, data, 70000) == -E2BIG,
		"perf: a record over 64 KiB: E2BIG");
	/* A consumer asleep in poll is woken by a producer on another thread. */
	memset(&pl, 0, sizeof(pl));
	pl.pb = pb;
	pthread_create(&th, NULL, poll_once, &pl);
	usleep(50000);
	map_perf_event_output(pm, 0, 1, data, 16);
	pthread_join(th, NULL);
	T_CHECK(pl.ret == 1 && pl.waited < 2.0, "perf: poll wakes up on a sample (%.3f s)", pl.waited);
	T_CHECK(bpfrt_perf_buffer__poll(pb, 10) == 0, "perf: poll times out with nothing");
	T_CHECK(del(m, 1) == 0 && map_perf_event_output(pm, 0, 1, data, 8) == -ENOENT &&
		del(m, 1) == -ENOENT, "perf: deleting a slot detaches its ring");
	/* The consumer keeps the map. */
	bpfrt_map__destroy(m);
	T_CHECK(map_is_live(pm) && map_perf_event_output(pm, 0, 0, data, 8) == 0,
		"perf: the consumer keeps the map alive");
	bpfrt_perf_buffer__free(pb);
	T_CHECK(!map_is_live(pm), "perf: freeing the consumer frees the map");

	m = mk(BPFRT_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, 2, 0, NULL);
	if (m) {
		perf_threads(m, 1024, true);
		perf_threads(m, 1, false);
		perf_threads(m, 1, true);
		perf_wakeups(m);
		bpfrt_map__destroy(m);
	}
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	test_ids();
	test_push_pop();
	test_for_each();
	test_prog_array();
	test_map_in_map();
	test_perf();
	return t_exit();
}
