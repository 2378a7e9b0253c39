/* SPDX-License-Identifier: MIT */
/*
 * tests/map_ops_stub.h - TEMPORARY: weak stand-ins for the program-side map
 * operations that another branch implements, so that the helper tests link
 * before it is merged. The library's definitions override them.
 */
#ifndef BPFRT_TESTS_MAP_OPS_STUB_H
#define BPFRT_TESTS_MAP_OPS_STUB_H

#include "maps/map.h"

/*
 * TEMPORARY, until the map types' program-side operations are merged
 * (another branch implements them): weak stand-ins, overridden by the
 * library's definitions once they exist.
 */
__attribute__((weak)) int map_push(struct map *m, const void *value, uint64_t flags)
{
	(void)m, (void)value, (void)flags;
	return -524;
}
__attribute__((weak)) int map_pop(struct map *m, void *value)
{
	(void)m, (void)value;
	return -524;
}
__attribute__((weak)) int map_peek(struct map *m, void *value)
{
	(void)m, (void)value;
	return -524;
}
__attribute__((weak)) long map_for_each(struct map *m, int (*fn)(void *, void *, void *), void *ctx,
					unsigned int cpu)
{
	(void)m, (void)fn, (void)ctx, (void)cpu;
	return -524;
}
__attribute__((weak)) struct bpfrt_prog *map_prog_array_get(struct map *m, uint32_t index)
{
	(void)m, (void)index;
	return NULL;
}
__attribute__((weak)) int map_perf_event_output(struct map *m, unsigned int cpu, uint64_t flags,
						 const void *data, uint64_t size)
{
	(void)m, (void)cpu, (void)flags, (void)data, (void)size;
	return -524;
}
__attribute__((weak)) struct bpfrt_perf_buffer *bpfrt_perf_buffer__new(struct bpfrt_map *map, size_t page_cnt,
								  bpfrt_perf_sample_fn sample_fn,
								  const struct bpfrt_perf_buffer_opts *opts)
{
	(void)map, (void)page_cnt, (void)sample_fn, (void)opts;
	return NULL;
}
__attribute__((weak)) int bpfrt_perf_buffer__consume(struct bpfrt_perf_buffer *pb)
{
	(void)pb;
	return -524;
}
__attribute__((weak)) void bpfrt_perf_buffer__free(struct bpfrt_perf_buffer *pb)
{
	(void)pb;
}

#endif
