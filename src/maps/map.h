/* SPDX-License-Identifier: MIT */
/*
 * src/maps/map.h - live maps: the common part, the ops table every map type
 * implements, and the interface programs (helpers, interpreter) use.
 *
 * map.c          creation, attribute checks common to all types, the public
 *                API of include/bpfrt/map.h (permissions, freeze, sizes,
 *                flags), value copies, the generic batch operations; ids,
 *                reference counts and the registry of the memory maps hand
 *                to programs (map_is_live, map_mem_find)
 * map_types.h    the registry: one row per implemented type
 * array.c        ARRAY, PERCPU_ARRAY
 * hash.c         HASH, PERCPU_HASH
 * lru_hash.c     LRU_HASH, LRU_PERCPU_HASH (on hash.c's table, via htab.h)
 * queue_stack.c  QUEUE, STACK
 * bloom.c        BLOOM_FILTER
 * lpm_trie.c     LPM_TRIE
 * jhash.h        the kernel's jhash (hash buckets, bloom filter bits)
 * ringbuf.c      RINGBUF (producer side in ringbuf.h, consumer API in map.h)
 * fd_array.c     what the arrays of references share (fd_array.h)
 * prog_array.c   PROG_ARRAY (bpf_tail_call's table; slots hold programs)
 * perf_event_array.c  PERF_EVENT_ARRAY and its consumer (bpfrt_perf_buffer)
 * map_in_map.c   ARRAY_OF_MAPS (an fd array), HASH_OF_MAPS (on htab.h)
 *
 * Lifetime. A map lives while it has references (struct map's refcnt): the
 * user's handle, each map-in-map slot holding it, a perf buffer consumer.
 * Programs hold none: a map must outlive the runs that use it, and so must
 * the objects a reference map hands to programs (see fd_array.h). Live
 * maps have ids (core/ids.h); user space names inner maps and programs by
 * id where the kernel takes file descriptors.
 *
 * Module prefix: map_ (each type file exports only its ops tables).
 *
 * Memory. Every map keeps its values in ONE arena, reserved at creation with
 * mmap(MAP_NORESERVE): a reservation costs nothing until its pages are
 * touched, so a map takes memory in proportion to the elements it has held,
 * and a value never moves while the map lives. This is why the arena does not
 * come from the allocator hook (core_malloc): the hook cannot reserve address
 * space without committing memory. Everything else does. Value slots:
 *
 *   values ─► ┌──── CPU 0 ───────────────────────────┐ ┌──── CPU 1 ─── ...
 *             │ slot 0 │ slot 1 │ ... │ slot n-1 │pad│ │ slot 0 │ ...
 *             └──────────────────────────────────────┘ └────────────
 *             |<------------- pcpu_stride ------------>|
 *   slot i of CPU c = values + c * pcpu_stride + i * value_stride
 *   value_stride = round_up(value_size, 8); pcpu_stride is page-aligned so
 *   that CPUs share no cache line; maps that are not per-CPU have one CPU
 *   and pcpu_stride 0.
 *
 * An array's slot i is index i; a hash map's slot i belongs to its node i
 * (see hash.c). Since the arena holds only values (never keys or links), a
 * checked engine may let programs access all of it (map_regions()) without
 * letting them corrupt the map's own structure.
 *
 * Concurrency. Look-ups from programs take no lock (arrays: none needed;
 * hash maps: "nulls"-terminated chains, as the kernel's RCU lists, so that a
 * reader notices when an element it walks is recycled into another bucket).
 * Changes take a per-bucket lock. A hash map's user-space copies of whole
 * values are taken under the bucket lock, so they never see half an update
 * made through this API; array values are copied without a lock, as in the
 * kernel (BPF_F_LOCK serialises with a bpf_spin_lock in the value). Programs
 * writing through their pointers are not synchronised with anything, as in
 * the kernel.
 */
#ifndef BPFRT_MAPS_MAP_H
#define BPFRT_MAPS_MAP_H

#include <sched.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpfrt/map.h"
#include "bpfrt/vm.h"

/* The kernel's ENOTSUPP (not in user-space errno.h). */
#ifndef ENOTSUPP
#define ENOTSUPP BPFRT_ENOTSUPP
#endif

#define MAP_ROUND_UP(x, a) (((x) + (a) - 1) / (a) * (a))

/* Creation attributes, after defaults were applied. */
struct map_attr {
	enum bpfrt_map_type type;
	uint32_t key_size;
	uint32_t value_size;
	uint32_t max_entries;
	uint32_t map_flags;
	uint32_t numa_node;
	uint64_t map_extra;
	uint32_t nr_cpus;          /* per-CPU types: resolved, >= 1; else 1 */
	int32_t spin_lock_off;     /* offset of the bpf_spin_lock, or -1 */
	const struct bpfrt_map *inner_map;
};

/* A batch call (BPF_MAP_*_BATCH); see bpfrt_map__lookup_batch(). */
struct map_batch {
	void *in_batch;            /* NULL: from the start */
	void *out_batch;
	void *keys;                /* read-only for update and delete batches */
	void *values;
	uint32_t *count;
	uint64_t elem_flags;
};

struct map;

/*
 * What a map type implements (the kernel's struct bpf_map_ops). Entries a
 * type leaves NULL answer -ENOTSUPP. Key and value buffers have the map's
 * sizes; the public layer (map.c) has checked sizes, permissions and the
 * flags that do not depend on the type.
 */
struct map_ops {
	/* Type-specific attribute checks, before anything is allocated. */
	int (*alloc_check)(const struct map_attr *attr);
	/* Allocate (E2BIG, ENOMEM: NULL with errno); calls map_init(). */
	struct map *(*alloc)(const struct map_attr *attr);
	void (*free)(struct map *m);

	/* Program side: one CPU's value. */
	void *(*lookup)(struct map *m, const void *key, unsigned int cpu);
	int (*update)(struct map *m, const void *key, const void *value, uint64_t flags,
		      unsigned int cpu);
	int (*delete)(struct map *m, const void *key);

	/* User-space side: whole values (every CPU's, for per-CPU maps). */
	int (*lookup_sys)(struct map *m, const void *key, void *value, uint64_t flags);
	int (*update_sys)(struct map *m, const void *key, const void *value, uint64_t flags);
	int (*lookup_and_delete)(struct map *m, const void *key, void *value, uint64_t flags);
	/* key NULL: the first key. */
	int (*get_next_key)(struct map *m, const void *key, void *next_key);

	int (*lookup_batch)(struct map *m, const struct map_batch *b);
	int (*lookup_and_delete_batch)(struct map *m, const struct map_batch *b);
	int (*update_batch)(struct map *m, const struct map_batch *b);
	int (*delete_batch)(struct map *m, const struct map_batch *b);

	/* Program side, queue/stack/bloom (bpf_map_push/pop/peek_elem). */
	int (*push)(struct map *m, const void *value, uint64_t flags);
	int (*pop)(struct map *m, void *value);
	int (*peek)(struct map *m, void *value);
	/*
	 * bpf_for_each_map_elem(): call fn for each element in the order of
	 * get_next_key (per-CPU maps: worker cpu's value) until it returns
	 * non-zero. Returns the number of elements visited, or -errno.
	 */
	long (*for_each)(struct map *m, int (*fn)(void *ctx, void *key, void *value), void *ctx,
			 unsigned int cpu);
};

/* The registry: `extern const struct map_ops <ops>;` for each row. */
#include "maps/map_types.h"
#define X(type, ops) extern const struct map_ops ops;
MAP_TYPES(X)
#undef X

/* The part every map type embeds first. */
struct map {
	const struct map_ops *ops;
	const char *name;          /* the public map's name (for fault messages) */
	enum bpfrt_map_type type;
	uint32_t key_size;
	uint32_t value_size;
	uint32_t max_entries;
	uint32_t map_flags;
	uint32_t value_stride;     /* round_up(value_size, 8) */
	uint32_t nr_cpus;          /* 1 unless per-CPU */
	int32_t spin_lock_off;     /* -1: no bpf_spin_lock in the value */
	bool percpu;

	char *values;              /* the value arena (layout above) */
	size_t values_size;        /* bytes reserved */
	size_t pcpu_stride;        /* 0 unless per-CPU */
	/* The arena holds references (hash of maps), not memory for programs. */
	bool values_private;

	/* User-space state (kernel: map->frozen, map->writecnt). */
	int frozen;
	int write_active;

	/*
	 * Lifetime, as the kernel's map->refcnt and map->id: the user's handle
	 * holds one reference, and so does every map-in-map slot holding this
	 * map and every perf buffer consumer of it. The last map_put() frees
	 * the map; until then its id finds it (map_get_by_id).
	 */
	uint32_t id;
	int refcnt;
};

/* ---- the program-side interface ---- */

/*
 * A pointer to the value of `key` for worker `cpu` (per-CPU maps: that
 * worker's slot, cpu taken modulo nr_cpus; other maps ignore cpu), or NULL if
 * there is none. The pointer stays valid, and keeps designating this
 * element's value, while the element exists; updates change the value in
 * place. After a delete the slot may be reused for another element (as in
 * the kernel's preallocated maps), but it always stays inside the map's
 * value arena, so the address is never dangling while the map lives.
 */
static inline void *map_lookup(struct map *m, const void *key, unsigned int cpu)
{
	return m->ops->lookup(m, key, cpu);
}

/*
 * bpf_map_update_elem() / bpf_map_delete_elem() from a program running on
 * worker `cpu`: per-CPU maps change only that worker's value (a new element
 * starts zeroed on the other workers). 0 or -errno as the kernel's helpers;
 * -EPERM on BPFRT_F_RDONLY_PROG maps (which the verifier refuses earlier).
 * Frozen maps can still be changed by programs, as in the kernel.
 */
int map_update(struct map *m, const void *key, const void *value, uint64_t flags,
	       unsigned int cpu);
int map_delete(struct map *m, const void *key);

/*
 * The memory a program may access through pointers from map_lookup(): one
 * region, the whole value arena (every CPU's slots, used or not), writable
 * unless the map is BPFRT_F_RDONLY_PROG. Fills at most n entries; returns
 * how many the map has (1; 0 for maps that give programs no memory: fd
 * arrays, map-in-maps, perf event arrays, bloom filters), or -EINVAL.
 */
int map_regions(const struct map *m, struct bpfrt_region *out, size_t n);

/*
 * bpfrt_map__create() without the public handle: the live map, holding one
 * reference (map_put() releases it), or NULL with errno. The object loader
 * makes its definitions live with it.
 */
struct map *map_create(enum bpfrt_map_type type, uint32_t key_size, uint32_t value_size,
		       uint32_t max_entries, const struct bpfrt_map_create_opts *opts);

/*
 * The wait of the ring and perf buffer consumers: take the wake-ups pending
 * on eventfd `efd`, process() what is there; if nothing was, and ready()
 * (called after a full fence) sees nothing committed meanwhile, wait up to
 * timeout_ms (-1: forever) for the next wake-up and go again. Returns
 * process()'s count or negative return, 0 on timeout, or -errno.
 */
int map_consumer_poll(int efd, int timeout_ms, int (*process)(void *ctx),
		      bool (*ready)(void *ctx), void *ctx);

/* The live map behind a public handle, or NULL for a definition. */
struct map *map_of(const struct bpfrt_map *pub);

/*
 * Program side, as the helpers of the same names: -ENOTSUPP where the type
 * has no such op; push and pop change the map, so -EPERM on
 * BPFRT_F_RDONLY_PROG maps (as map_update).
 */
int map_push(struct map *m, const void *value, uint64_t flags);
int map_pop(struct map *m, void *value);
int map_peek(struct map *m, void *value);
long map_for_each(struct map *m, int (*fn)(void *ctx, void *key, void *value), void *ctx,
		  unsigned int cpu);

/*
 * Checked engines: is `ptr` a live map (a value a program may pass as a map
 * pointer)? And does [addr, addr + n) lie in memory some live map hands to
 * programs (value arenas, ring buffer data)? If so, *name (the map's name,
 * valid while the map lives) and *writable (not BPFRT_F_RDONLY_PROG)
 * describe it; either may be NULL. A range that straddles two maps is not
 * found. Both are slow paths: a lock and a search.
 */
bool map_is_live(const void *ptr);
bool map_mem_find(uint64_t addr, uint64_t n, const char **name, bool *writable);

/*
 * BPFRT_MAP_TYPE_PROG_ARRAY, for bpf_tail_call(): the program in slot
 * `index`, or NULL. The slot keeps a reference on it (see exec.h).
 */
struct bpfrt_prog *map_prog_array_get(struct map *m, uint32_t index);
/*
 * The kernel's bpf_prog_map_compatible() for a program array: the first
 * program makes its type and expected attach type the map's (its owner);
 * false for a program that differs in either. Loading a program that
 * refers to a program array should ask it, as the kernel's verifier does.
 */
bool map_prog_array_compatible(struct map *m, const struct bpfrt_prog *prog);

/*
 * BPFRT_MAP_TYPE_ARRAY_OF_MAPS / HASH_OF_MAPS: as in the kernel, a
 * program's look-up in an outer map returns the inner map itself (its
 * `struct map *`, usable as a map argument), or NULL.
 */

/*
 * BPFRT_MAP_TYPE_PERF_EVENT_ARRAY, for bpf_perf_event_output(): append a
 * sample to the buffer of slot (flags & BPF_F_INDEX_MASK), or of worker
 * `cpu` for BPF_F_CURRENT_CPU. 0, -E2BIG (index >= max_entries, or a
 * record above 64 KiB), -ENOENT (no consumer on that slot), -EINVAL (flags,
 * or not a perf event array), -ENOSPC (buffer full: the sample is counted
 * as lost). Safe from any number of threads (perf_event_array.c).
 */
int map_perf_event_output(struct map *m, unsigned int cpu, uint64_t flags, const void *data,
			  uint64_t size);

/* ---- lifetime (see struct map) ---- */

void map_get(struct map *m);
/* Drop a reference; the last one frees the map (its id, its memory). */
void map_put(struct map *m);
/*
 * The live map with that id, with a reference taken for the caller, or
 * NULL. Safe against a concurrent last map_put() of that map.
 */
struct map *map_get_by_id(uint32_t id);

/* ---- for the map types ---- */

/* The kernel's num_possible_cpus() (sysfs, else the configured CPUs). */
uint32_t map_possible_cpus(void);

/* Fill the common part from attr (the arena is allocated by the type). */
void map_init(struct map *m, const struct map_attr *attr);

/*
 * Reserve `size` bytes of zeroed memory that costs nothing until touched.
 * NULL with errno ENOMEM.
 */
void *map_area_alloc(size_t size);
void map_area_free(void *p, size_t size);
/*
 * -ENOMEM if the kernel would have to allocate `bytes` up front for this
 * map and they exceed the machine's memory (so that creation fails where
 * the kernel's does), else 0.
 */
int map_check_mem(uint64_t bytes);
/* Reserve the value arena for `slots` slots (sets values, pcpu_stride). 0 or -ENOMEM. */
int map_alloc_values(struct map *m, uint64_t slots);
void map_free_values(struct map *m);

static inline unsigned int map_cpu(const struct map *m, unsigned int cpu)
{
	return cpu < m->nr_cpus ? cpu : cpu % m->nr_cpus;
}

/* Slot `idx` of worker `cpu` (cpu < nr_cpus; 0 for maps that are not per-CPU). */
static inline void *map_slot(const struct map *m, uint32_t idx, unsigned int cpu)
{
	return m->values + (size_t)cpu * m->pcpu_stride + (size_t)idx * m->value_stride;
}

/*
 * Value copies that respect the bpf_spin_lock word: copies into the map
 * leave it alone, copies out of the map return it as 0.
 */
void map_copy_in(const struct map *m, void *dst, const void *src);
void map_copy_out(const struct map *m, void *dst, const void *src);
/* BPFRT_F_LOCK: the same, holding the lock of the value in the map. */
void map_copy_in_locked(const struct map *m, void *dst, const void *src);
void map_copy_out_locked(const struct map *m, void *dst, const void *src);
/* Per-CPU slot `idx`, every CPU: the kernel's long copies, padding included. */
void map_pcpu_copy_out(const struct map *m, uint32_t idx, void *dst);
void map_pcpu_copy_in(const struct map *m, uint32_t idx, const void *src);

/* The generic batches of the kernel (syscall.c), built on the ops. */
int map_generic_lookup_batch(struct map *m, const struct map_batch *b);
int map_generic_update_batch(struct map *m, const struct map_batch *b);
int map_generic_delete_batch(struct map *m, const struct map_batch *b);

/* The kernel's check of update flags: (flags & ~F_LOCK) > EXIST is -EINVAL. */
static inline bool map_update_flags_ok(uint64_t flags)
{
	return (flags & ~(uint64_t)BPFRT_F_LOCK) <= BPFRT_EXIST;
}

/*
 * A 4-byte lock: the bpf_spin_lock in values and the bucket locks. Critical
 * sections are a few copies long; a waiter spins briefly, then yields, so a
 * holder that was preempted gets its CPU back.
 */
static inline void map_spin_lock(uint32_t *lock)
{
	unsigned int spins = 0;

	while (__atomic_exchange_n(lock, 1, __ATOMIC_ACQUIRE)) {
		while (__atomic_load_n(lock, __ATOMIC_RELAXED)) {
			if (++spins < 64) {
#if defined(__x86_64__) || defined(__i386__)
				__builtin_ia32_pause();
#endif
			} else {
				spins = 0;
				sched_yield();
			}
		}
	}
}

static inline void map_spin_unlock(uint32_t *lock)
{
	__atomic_store_n(lock, 0, __ATOMIC_RELEASE);
}

#endif /* BPFRT_MAPS_MAP_H */
