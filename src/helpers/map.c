/* SPDX-License-Identifier: MIT */
/*
 * src/helpers/map.c - the map helpers: lookup, update, delete,
 * lookup_percpu, push, pop, peek and for_each_map_elem, on the
 * program-side interface of src/maps/map.h. A map argument is the
 * `struct map *` that LDDW of a map reference loads.
 */
#include <errno.h>
#include <string.h>

#include "helpers/helpers_int.h"
#include "maps/map.h"

#define MAP(r) ((struct map *)HELPER_PTR(r))

/* Per-CPU values are those of the run's worker (run->cpu). */
HELPER_FN(map_lookup_elem)
{
	HELPER_UNUSED();
	return (uint64_t)(uintptr_t)map_lookup(MAP(r1), HELPER_PTR(r2), run->cpu);
}

const struct bpfrt_helper_proto helper_map_lookup_elem_proto = {
	.name = "map_lookup_elem",
	.fn = h_map_lookup_elem,
	.ret = BPFRT_RET_PTR_TO_MAP_VALUE_OR_NULL,
	.args = { BPFRT_ARG_CONST_MAP_PTR, BPFRT_ARG_PTR_TO_MAP_KEY },
	.flags = BPFRT_HELPER_PKT_ACCESS,
};

HELPER_FN(map_update_elem)
{
	HELPER_UNUSED();
	return (uint64_t)(int64_t)map_update(MAP(r1), HELPER_PTR(r2), HELPER_PTR(r3), r4, run->cpu);
}

const struct bpfrt_helper_proto helper_map_update_elem_proto = {
	.name = "map_update_elem",
	.fn = h_map_update_elem,
	.ret = BPFRT_RET_INTEGER,
	.args = { BPFRT_ARG_CONST_MAP_PTR, BPFRT_ARG_PTR_TO_MAP_KEY, BPFRT_ARG_PTR_TO_MAP_VALUE,
		  BPFRT_ARG_ANYTHING },
	.flags = BPFRT_HELPER_PKT_ACCESS,
};

HELPER_FN(map_delete_elem)
{
	HELPER_UNUSED();
	return (uint64_t)(int64_t)map_delete(MAP(r1), HELPER_PTR(r2));
}

const struct bpfrt_helper_proto helper_map_delete_elem_proto = {
	.name = "map_delete_elem",
	.fn = h_map_delete_elem,
	.ret = BPFRT_RET_INTEGER,
	.args = { BPFRT_ARG_CONST_MAP_PTR, BPFRT_ARG_PTR_TO_MAP_KEY },
	.flags = BPFRT_HELPER_PKT_ACCESS,
};

/*
 * bpf_map_lookup_percpu_elem(map, key, cpu): the value of worker `cpu` of
 * a per-CPU map; NULL when cpu is not one of the map's workers (the
 * kernel: cpu >= nr_cpu_ids), or for maps that are not per-CPU (which the
 * kernel's verifier refuses).
 */
HELPER_FN(map_lookup_percpu_elem)
{
	struct map *m = MAP(r1);
	uint32_t cpu = (uint32_t)r3;

	HELPER_UNUSED();
	if (!m->percpu || cpu >= m->nr_cpus)
		return 0;
	return (uint64_t)(uintptr_t)map_lookup(m, HELPER_PTR(r2), cpu);
}

const struct bpfrt_helper_proto helper_map_lookup_percpu_elem_proto = {
	.name = "map_lookup_percpu_elem",
	.fn = h_map_lookup_percpu_elem,
	.ret = BPFRT_RET_PTR_TO_MAP_VALUE_OR_NULL,
	.args = { BPFRT_ARG_CONST_MAP_PTR, BPFRT_ARG_PTR_TO_MAP_KEY, BPFRT_ARG_ANYTHING },
	.flags = BPFRT_HELPER_PKT_ACCESS,
};

HELPER_FN(map_push_elem)
{
	HELPER_UNUSED();
	return (uint64_t)(int64_t)map_push(MAP(r1), HELPER_PTR(r2), r3);
}

const struct bpfrt_helper_proto helper_map_push_elem_proto = {
	.name = "map_push_elem",
	.fn = h_map_push_elem,
	.ret = BPFRT_RET_INTEGER,
	.args = { BPFRT_ARG_CONST_MAP_PTR, BPFRT_ARG_PTR_TO_MAP_VALUE, BPFRT_ARG_ANYTHING },
	.flags = BPFRT_HELPER_PKT_ACCESS,
};

/*
 * pop and peek write value_size bytes at their second argument (the
 * kernel's ARG_PTR_TO_MAP_VALUE | MEM_UNINIT | MEM_WRITE).
 */
HELPER_FN(map_pop_elem)
{
	HELPER_UNUSED();
	return (uint64_t)(int64_t)map_pop(MAP(r1), HELPER_PTR(r2));
}

const struct bpfrt_helper_proto helper_map_pop_elem_proto = {
	.name = "map_pop_elem",
	.fn = h_map_pop_elem,
	.ret = BPFRT_RET_INTEGER,
	.args = { BPFRT_ARG_CONST_MAP_PTR, BPFRT_ARG_PTR_TO_UNINIT_MAP_VALUE },
};

HELPER_FN(map_peek_elem)
{
	HELPER_UNUSED();
	return (uint64_t)(int64_t)map_peek(MAP(r1), HELPER_PTR(r2));
}

const struct bpfrt_helper_proto helper_map_peek_elem_proto = {
	.name = "map_peek_elem",
	.fn = h_map_peek_elem,
	.ret = BPFRT_RET_INTEGER,
	.args = { BPFRT_ARG_CONST_MAP_PTR, BPFRT_ARG_PTR_TO_UNINIT_MAP_VALUE },
};

/* ---- bpf_for_each_map_elem ---- */

struct for_each {
	struct bpfrt_run *run;
	uint64_t fn, map, ctx;
	bool faulted;
};

/*
 * Checked engines: the key the map hands to the callback (in the map's
 * node, or on the map's stack for arrays) is readable by the callback
 * while it runs, as the kernel's verifier lets it read PTR_TO_MAP_KEY. It
 * is lent as a run region tagged with the map itself (so that it cannot
 * make any other pointer pass for a map), and taken back afterwards.
 */
static bool key_lend(struct bpfrt_run *run, struct map *m, const void *key)
{
	if (!run->checked || run->dyn_cnt >= EXEC_MAX_DYN)
		return false;
	run->dyn_map[run->dyn_cnt] = m;
	run->dyn[run->dyn_cnt++] = (struct exec_region){ (uint64_t)(uintptr_t)key, m->key_size,
							 "map key", false };
	return true;
}

static void key_return(struct bpfrt_run *run, struct map *m, const void *key)
{
	/* Callbacks may have added regions since: remove exactly ours. */
	for (unsigned int i = run->dyn_cnt; i-- > 0;) {
		if (run->dyn_map[i] == m && run->dyn[i].start == (uint64_t)(uintptr_t)key &&
		    !strcmp(run->dyn[i].name, "map key")) {
			memmove(&run->dyn[i], &run->dyn[i + 1], (run->dyn_cnt - i - 1) * sizeof(run->dyn[0]));
			memmove(&run->dyn_map[i], &run->dyn_map[i + 1],
				(run->dyn_cnt - i - 1) * sizeof(run->dyn_map[0]));
			run->dyn_cnt--;
			return;
		}
	}
}

static int for_each_one(void *ctx, void *key, void *value)
{
	struct for_each *fe = ctx;
	struct map *m = MAP(fe->map);
	bool lent = key_lend(fe->run, m, key);
	uint64_t ret;
	int err;

	err = bpfrt_run__call(fe->run, fe->fn, fe->map, (uint64_t)(uintptr_t)key,
			      (uint64_t)(uintptr_t)value, fe->ctx, 0, &ret);
	if (lent)
		key_return(fe->run, m, key);
	if (err) {
		fe->faulted = true;
		return 1;
	}
	return ret != 0;
}

/*
 * bpf_for_each_map_elem(map, callback, ctx, flags): callback(map, key,
 * value, ctx) for each element (per-CPU maps: the run's worker's value)
 * until it returns non-zero. Returns the elements visited (the one that
 * stopped the walk included), -EINVAL for flags, or the map's -errno.
 */
HELPER_FN(for_each_map_elem)
{
	struct for_each fe = { .run = run, .fn = r2, .map = r1, .ctx = r3 };
	long n;

	HELPER_UNUSED();
	if (r4)
		return HELPER_ERR(EINVAL);
	n = map_for_each(MAP(r1), for_each_one, &fe, run->cpu);
	return fe.faulted ? 0 : (uint64_t)(int64_t)n;
}

const struct bpfrt_helper_proto helper_for_each_map_elem_proto = {
	.name = "for_each_map_elem",
	.fn = h_for_each_map_elem,
	.ret = BPFRT_RET_INTEGER,
	.args = { BPFRT_ARG_CONST_MAP_PTR, BPFRT_ARG_PTR_TO_FUNC,
		  BPFRT_ARG_PTR_TO_STACK_OR_NULL, BPFRT_ARG_ANYTHING },
};
