/* SPDX-License-Identifier: MIT */
/*
 * bpfrt/map.h - live maps: create, look up, update, delete, iterate.
 *
 * A struct bpfrt_map is either the definition of a map in an object
 * (include/bpfrt/object.h), which becomes live when the object is loaded
 * into a runtime (a later step), or a map created here on its own. The
 * operations below work on live maps and return -EINVAL for definitions
 * that are not live.
 *
 * Semantics and error codes are the kernel's (kernel/bpf/ *map*.c, and the
 * BPF_MAP_* commands of bpf(2)): ENOENT for a missing key, EEXIST for
 * BPF_NOEXIST on a present key, E2BIG when a hash map is full, EINVAL for
 * bad flags or sizes, EPERM on frozen maps, ENOTSUPP (524) where the kernel
 * reports it for an operation a type lacks.
 *
 * Per-CPU maps (percpu_array, percpu_hash, lru_percpu_hash) hold one value
 * per worker ("CPU"); user-space buffers for them hold
 * round_up(value_size, 8) * nr_cpus bytes, CPU 0 first, as in the kernel:
 *
 *   | CPU 0: value_size bytes | pad to 8 | CPU 1: value ... | pad | ...
 *
 * The padding is stored and returned as given, as the kernel does.
 *
 * The access flags of the map act as those of the kernel's map fd:
 * BPFRT_F_RDONLY maps refuse updates and deletes, BPFRT_F_WRONLY maps
 * refuse look-ups and iteration (EPERM).
 *
 * Every function is safe to call from many threads at once, and while
 * programs run on other threads.
 */
#ifndef BPFRT_MAP_H
#define BPFRT_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpfrt/types.h"

#ifdef __cplusplus
extern "C" {
#endif

struct bpfrt_map;

/* The kernel's ENOTSUPP, which user-space errno.h does not define. */
#define BPFRT_ENOTSUPP 524

/* Update flags (the kernel's values). */
#define BPFRT_ANY      0 /* create or update */
#define BPFRT_NOEXIST  1 /* create only */
#define BPFRT_EXIST    2 /* update only */
#define BPFRT_F_LOCK   4 /* take the value's bpf_spin_lock */

/* map_flags (the kernel's values). */
#define BPFRT_F_NO_PREALLOC   (1U << 0)
#define BPFRT_F_NO_COMMON_LRU (1U << 1)
#define BPFRT_F_NUMA_NODE     (1U << 2)
#define BPFRT_F_RDONLY        (1U << 3)
#define BPFRT_F_WRONLY        (1U << 4)
#define BPFRT_F_ZERO_SEED     (1U << 6)
#define BPFRT_F_RDONLY_PROG   (1U << 7)
#define BPFRT_F_WRONLY_PROG   (1U << 8)
#define BPFRT_F_MMAPABLE      (1U << 10)
#define BPFRT_F_INNER_MAP     (1U << 12)

struct bpfrt_map_create_opts {
	size_t sz;               /* sizeof(struct bpfrt_map_create_opts) */
	const char *name;        /* default "" */
	uint32_t map_flags;
	uint32_t numa_node;
	uint64_t map_extra;      /* bloom filter: number of hash functions */
	/*
	 * Per-CPU maps: number of workers (at most BPFRT_MAP_MAX_CPUS); 0 = the
	 * number of possible CPUs, which is what the kernel lays user buffers
	 * out for.
	 */
	uint32_t nr_cpus;
	/* Map-in-map: a map whose attributes inner maps must have. */
	const struct bpfrt_map *inner_map;
	/*
	 * A struct bpf_spin_lock (4 bytes, 4-aligned) in the value, which the
	 * kernel learns from BTF: only when value_has_spin_lock is true is
	 * btf_value_spin_lock_off read. Allowed in hash and array maps, not with
	 * BPFRT_F_RDONLY_PROG/WRONLY_PROG (EACCES) or per-CPU maps (EOPNOTSUPP).
	 * It enables BPFRT_F_LOCK; look-ups return the lock's bytes as 0 and
	 * updates leave them alone; such maps cannot be frozen (ENOTSUPP).
	 */
	uint32_t btf_value_spin_lock_off;
	bool value_has_spin_lock;
};

#define BPFRT_MAP_MAX_CPUS 4096

/*
 * Create a live map. Attribute checks and their order are the kernel's (e.g.
 * an array's key size must be 4; a hash map's max_entries must be > 0; the
 * name at most 15 characters of [A-Za-z0-9_.]), as seen by a process with
 * CAP_BPF and CAP_PERFMON. ENOMEM where the kernel would have to allocate
 * more than the machine's memory up front. NULL with errno (EINVAL, E2BIG,
 * ENOMEM, EACCES, EOPNOTSUPP, BPFRT_ENOTSUPP for types not supported yet,
 * with a message through the print callback).
 *
 * Memory: values live in one reservation made at creation, which costs
 * nothing until used, so a map takes memory in proportion to what it holds
 * (its peak number of elements), preallocated or not.
 */
struct bpfrt_map *bpfrt_map__create(enum bpfrt_map_type type, uint32_t key_size,
				    uint32_t value_size, uint32_t max_entries,
				    const struct bpfrt_map_create_opts *opts);

/*
 * Free a map made by bpfrt_map__create() (the maps of an object belong to
 * the object: ignored): the handle goes, and with it the user's reference
 * on the map. As in the kernel, where closing a map's fd does not free a
 * map something else holds, a map stored in a map-in-map (or with a perf
 * buffer consumer) lives on, with its id, until that lets go of it. No
 * program may be using the map when its last reference goes.
 */
void bpfrt_map__destroy(struct bpfrt_map *map);

/*
 * The map's id: > 0, unique among live maps (0 if the map is not live).
 * Map-in-map values are map ids, prog_array values program ids
 * (bpfrt_prog__id()), where the kernel's bpf(2) takes file descriptors on
 * update; look-ups return ids, as the kernel's do. An id that names no live
 * map or program is EBADF (the kernel's answer for a bad fd); a map unlike
 * the outer map's template, or a program of another type than the program
 * array's first, EINVAL. Map-in-maps are created with opts->inner_map as
 * the template (EINVAL without one).
 */
uint32_t bpfrt_map__id(const struct bpfrt_map *map);

/* Number of per-CPU slots (1 for other maps; 0 if the map is not live). */
uint32_t bpfrt_map__nr_cpus(const struct bpfrt_map *map);

/*
 * Element operations, as bpf(BPF_MAP_*_ELEM). key_sz and value_sz must equal
 * the map's key size and (per-CPU: rounded, times nr_cpus) value size, else
 * -EINVAL. Return 0 or -errno, e.g.: lookup of a missing key -ENOENT;
 * update with BPFRT_NOEXIST of a present key -EEXIST, BPFRT_EXIST of a
 * missing one -ENOENT, of a new key into a full hash map or an array index
 * >= max_entries -E2BIG, BPFRT_NOEXIST on an array -EEXIST; delete on an
 * array -EINVAL; delete takes no flags (-EINVAL); BPFRT_F_LOCK without a
 * spin lock -EINVAL.
 *
 * Values of hash maps are updated in place: a pointer a program got from a
 * look-up keeps pointing at the element's value while it exists.
 */
int bpfrt_map__lookup_elem(const struct bpfrt_map *map, const void *key, size_t key_sz,
			   void *value, size_t value_sz, uint64_t flags);
int bpfrt_map__update_elem(const struct bpfrt_map *map, const void *key, size_t key_sz,
			   const void *value, size_t value_sz, uint64_t flags);
int bpfrt_map__delete_elem(const struct bpfrt_map *map, const void *key, size_t key_sz,
			   uint64_t flags);
/* Queue/stack pop, or lookup-then-delete for hash maps (arrays: -BPFRT_ENOTSUPP). */
int bpfrt_map__lookup_and_delete_elem(const struct bpfrt_map *map, const void *key,
				      size_t key_sz, void *value, size_t value_sz,
				      uint64_t flags);
/*
 * The key after `cur_key` (NULL: the first key) into next_key. -ENOENT after
 * the last. For hash maps, a cur_key that is not present restarts from the
 * first key, as in the kernel.
 */
int bpfrt_map__get_next_key(const struct bpfrt_map *map, const void *cur_key, void *next_key,
			    size_t key_sz);
/*
 * Make the map read-only for user space from now on (programs may still
 * write it). -EPERM if already frozen or BPFRT_F_RDONLY, -EBUSY while a
 * user-space write is in progress, -BPFRT_ENOTSUPP with a spin lock.
 */
int bpfrt_map__freeze(const struct bpfrt_map *map);

/*
 * Batch operations, as BPF_MAP_*_BATCH: `in_batch` NULL starts from the
 * beginning; `out_batch` receives the position to continue from, to pass as
 * the next in_batch. The token is the kernel's: a u32 bucket index for hash
 * maps, the last key returned for arrays, so in_batch/out_batch must hold
 * max(key_size, 4) bytes. *count: in, the capacity of keys/values (values
 * laid out as for the element operations); out, how many were done (left
 * alone when the call fails before starting, e.g. -EINVAL for flags).
 * -ENOENT when the end was reached (with *count possibly > 0); for hash maps
 * a whole bucket is returned at once, and -ENOSPC means the first bucket
 * does not fit in *count. elem_flags: 0 or BPFRT_F_LOCK. Arrays have no
 * delete batches (-BPFRT_ENOTSUPP).
 */
int bpfrt_map__lookup_batch(const struct bpfrt_map *map, void *in_batch, void *out_batch,
			    void *keys, void *values, uint32_t *count, uint64_t elem_flags);
int bpfrt_map__lookup_and_delete_batch(const struct bpfrt_map *map, void *in_batch,
				       void *out_batch, void *keys, void *values,
				       uint32_t *count, uint64_t elem_flags);
int bpfrt_map__update_batch(const struct bpfrt_map *map, const void *keys, const void *values,
			    uint32_t *count, uint64_t elem_flags);
int bpfrt_map__delete_batch(const struct bpfrt_map *map, const void *keys, uint32_t *count,
			    uint64_t elem_flags);

/*
 * Ring buffer consumer (BPFRT_MAP_TYPE_RINGBUF), as libbpf's ring_buffer__*.
 * Programs produce records (bpf_ringbuf_reserve/submit/discard/output); one
 * consumer at a time reads them, on any thread, while programs keep
 * producing on others.
 *
 * The callback gets each submitted sample in order (discarded ones are
 * skipped); `data` points into the ring and is valid only during the call.
 * A return < 0 stops consumption and is returned (that sample counts as
 * consumed); other returns go on.
 */
struct bpfrt_ringbuf;
typedef int (*bpfrt_ringbuf_sample_fn)(void *ctx, void *data, size_t size);

struct bpfrt_ringbuf_opts {
	size_t sz;               /* sizeof(struct bpfrt_ringbuf_opts) */
};

/*
 * A consumer of a live ring buffer map (which must outlive it). NULL with
 * errno EINVAL (not a live ringbuf map, no callback, bad opts) or ENOMEM.
 */
struct bpfrt_ringbuf *bpfrt_ringbuf__new(struct bpfrt_map *map, bpfrt_ringbuf_sample_fn fn,
					 void *ctx, const struct bpfrt_ringbuf_opts *opts);
/*
 * Wait up to timeout_ms (-1: forever, 0: not at all) until there are
 * records, then consume all that are ready. Returns the number of samples
 * handed to the callback (0 on timeout), the callback's negative return, or
 * -errno (-EINTR if a signal interrupted the wait). Producers wake the
 * consumer when they commit the record it waits for, unless they pass
 * BPF_RB_NO_WAKEUP.
 */
int bpfrt_ringbuf__poll(struct bpfrt_ringbuf *rb, int timeout_ms);
/* Consume the records that are ready without waiting: as poll(rb, 0). */
int bpfrt_ringbuf__consume(struct bpfrt_ringbuf *rb);
void bpfrt_ringbuf__free(struct bpfrt_ringbuf *rb);

/*
 * Perf buffer consumer (BPFRT_MAP_TYPE_PERF_EVENT_ARRAY), as libbpf's
 * perf_buffer__*: one ring buffer of page_cnt pages (a power of 2) in each
 * of the map's slots 0..cpu_cnt-1; bpf_perf_event_output() appends to the
 * ring of the slot it names (BPF_F_CURRENT_CPU: the run's worker index),
 * from any number of threads at once. sample_fn gets (ctx, slot, data,
 * size) for each sample, size being the perf record's raw size (the
 * sample's bytes rounded up so that size + 4 is a multiple of 8, as
 * libbpf's callback gets it); lost_fn (may be NULL) gets (ctx, slot, count)
 * when samples were dropped because the ring was full. Data is valid only
 * during the call. The consumer keeps the map alive until it is freed.
 *
 * In the kernel, slots hold perf events that user space opens and stores
 * by fd; bpfrt has none, so the consumer fills the slots itself and user
 * space cannot (update: EBADF); deleting a slot detaches its ring.
 */
struct bpfrt_perf_buffer;
typedef void (*bpfrt_perf_sample_fn)(void *ctx, int cpu, void *data, uint32_t size);
typedef void (*bpfrt_perf_lost_fn)(void *ctx, int cpu, uint64_t cnt);

struct bpfrt_perf_buffer_opts {
	size_t sz;               /* sizeof(struct bpfrt_perf_buffer_opts) */
	bpfrt_perf_lost_fn lost_fn;
	void *ctx;               /* for both callbacks */
	/*
	 * Slots to put rings in, from 0 (libbpf's cpu_cnt): at most
	 * max_entries (else EINVAL); 0 = the number of possible CPUs, or
	 * max_entries if smaller.
	 */
	uint32_t cpu_cnt;
};

/*
 * NULL with errno: EINVAL (not a live perf_event_array map, no sample_fn,
 * page_cnt not a power of 2, bad opts), EBUSY (the map has a consumer),
 * ENOMEM.
 */
struct bpfrt_perf_buffer *bpfrt_perf_buffer__new(struct bpfrt_map *map, size_t page_cnt,
						 bpfrt_perf_sample_fn sample_fn,
						 const struct bpfrt_perf_buffer_opts *opts);
/*
 * As bpfrt_ringbuf__poll(): wait up to timeout_ms for samples, then handle
 * all that are ready. The number of samples handled, 0 on timeout, or
 * -errno.
 */
int bpfrt_perf_buffer__poll(struct bpfrt_perf_buffer *pb, int timeout_ms);
/* Handle the samples that are ready without waiting: as poll(pb, 0). */
int bpfrt_perf_buffer__consume(struct bpfrt_perf_buffer *pb);
void bpfrt_perf_buffer__free(struct bpfrt_perf_buffer *pb);

#ifdef __cplusplus
}
#endif

#endif /* BPFRT_MAP_H */
