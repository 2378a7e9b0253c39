/* SPDX-License-Identifier: MIT */
/*
 * src/maps/map_types.h - the map types bpfrt implements: one row per type,
 * X(BPFRT_MAP_TYPE_X, ops), where `ops` is the struct map_ops its file
 * exports. map.h declares the ops and map.c indexes them by type; a type
 * without a row fails bpfrt_map__create() with ENOTSUPP. (The row macro is
 * not called MAP_TYPE: <sys/mman.h> defines that name.)
 */
#ifndef BPFRT_MAPS_MAP_TYPES_H
#define BPFRT_MAPS_MAP_TYPES_H

#define MAP_TYPES(X)                                           \
	X(BPFRT_MAP_TYPE_HASH, htab_map_ops)                    \
	X(BPFRT_MAP_TYPE_ARRAY, array_map_ops)                  \
	X(BPFRT_MAP_TYPE_PERCPU_HASH, htab_percpu_map_ops)      \
	X(BPFRT_MAP_TYPE_PERCPU_ARRAY, percpu_array_map_ops)    \
	X(BPFRT_MAP_TYPE_QUEUE, queue_map_ops)                  \
	X(BPFRT_MAP_TYPE_STACK, stack_map_ops)                  \
	X(BPFRT_MAP_TYPE_BLOOM_FILTER, bloom_filter_map_ops)    \
	X(BPFRT_MAP_TYPE_LPM_TRIE, trie_map_ops)                \
	X(BPFRT_MAP_TYPE_LRU_HASH, htab_lru_map_ops)            \
	X(BPFRT_MAP_TYPE_LRU_PERCPU_HASH, htab_lru_percpu_map_ops) \
	X(BPFRT_MAP_TYPE_RINGBUF, ringbuf_map_ops)              \
	X(BPFRT_MAP_TYPE_PROG_ARRAY, prog_array_map_ops)        \
	X(BPFRT_MAP_TYPE_PERF_EVENT_ARRAY, perf_event_array_map_ops) \
	X(BPFRT_MAP_TYPE_ARRAY_OF_MAPS, array_of_maps_map_ops)  \
	X(BPFRT_MAP_TYPE_HASH_OF_MAPS, hash_of_maps_map_ops)

#endif /* BPFRT_MAPS_MAP_TYPES_H */
