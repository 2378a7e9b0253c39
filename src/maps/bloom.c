/* SPDX-License-Identifier: MIT */
/*
 * BPF_MAP_TYPE_BLOOM_FILTER, with the semantics of the kernel's
 * kernel/bpf/bloom_filter.c: a keyless map (key_size 0) that answers "maybe
 * present" (0) or "absent" (ENOENT) for a value. User space pushes with
 * update (BPF_ANY only, else EINVAL) and peeks with lookup, whose value
 * buffer is the value to test; nothing can be deleted (delete, pop and
 * get_next_key: EOPNOTSUPP).
 *
 * Bits. map_extra (0..15; 0 means 5) is the number of hash functions k.
 * The bit array has max_entries * k * 7/5 bits (7/5 ~ 1/ln 2, the size
 * that minimises false positives), rounded up to a power of 2 and at least
 * 64, or 2^32 bits if that overflows 2^31, in the kernel's integer steps.
 * Hash function i is the kernel's jhash of the value (jhash2 when the size
 * is a multiple of 4) with seed + i, masked to the array: with
 * BPF_F_ZERO_SEED (seed 0) every value sets and tests the kernel's bits,
 * so even false positives are the kernel's.
 *
 * Concurrency. Bits are set with atomic ORs and read with atomic loads, as
 * the kernel's set_bit()/test_bit(): no lock.
 */
#include <errno.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "core/core.h"
#include "maps/jhash.h"
#include "maps/map.h"

#define K_KMALLOC_MAX (4U << 20) /* KMALLOC_MAX_SIZE (x86-64) */

#define BLOOM_CREATE_FLAG_MASK (BPFRT_F_NUMA_NODE | BPFRT_F_ZERO_SEED | BPFRT_F_RDONLY | \
				BPFRT_F_WRONLY | BPFRT_F_RDONLY_PROG | BPFRT_F_WRONLY_PROG)

struct bloom {
	struct map map;
	uint64_t *bits;
	size_t bits_size;        /* bytes reserved */
	uint32_t mask;           /* bits in the array - 1 */
	uint32_t seed;
	uint32_t nr_hash;
};

/* bloom_map_alloc_check(): the rest is checked in bloom_alloc(), as the kernel does. */
static int bloom_alloc_check(const struct map_attr *attr)
{
	/* User space could not copy bigger values in the kernel. */
	return attr->value_size > K_KMALLOC_MAX ? -E2BIG : 0;
}

static uint32_t bloom_random_seed(void)
{
	uint32_t seed;
	struct timespec ts;

	if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) == (ssize_t)sizeof(seed))
		return seed;
	/* No entropy yet: the seed only spreads values, it protects no secret. */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint32_t)ts.tv_nsec ^ (uint32_t)ts.tv_sec ^ (uint32_t)(uintptr_t)&seed;
}

static void bloom_free(struct map *m)
{
	struct bloom *b = (struct bloom *)m;

	map_area_free(b->bits, b->bits_size);
	core_free(b);
}

static struct map *bloom_alloc(const struct map_attr *attr)
{
	uint32_t f = attr->map_flags, nr_hash, nr_bits, mask;
	uint64_t bytes, prod;
	struct bloom *b;
	int err;

	if (attr->key_size != 0 || attr->value_size == 0 || attr->max_entries == 0 ||
	    (f & ~BLOOM_CREATE_FLAG_MASK) ||
	    ((f & BPFRT_F_RDONLY_PROG) && (f & BPFRT_F_WRONLY_PROG)) ||
	    (attr->map_extra & ~(uint64_t)0xf)) {
		errno = EINVAL;
		return NULL;
	}
	nr_hash = attr->map_extra ? (uint32_t)attr->map_extra : 5;

	/*
	 * The kernel's steps in u32: max_entries * k, then / 5 * 7, each
	 * checked for overflow; above 2^31 bits the array has 2^32.
	 */
	prod = (uint64_t)attr->max_entries * nr_hash;
	if (prod > UINT32_MAX || (prod / 5) * 7 > UINT32_MAX || (prod / 5) * 7 > (1ULL << 31)) {
		bytes = (1ULL << 32) / 8;
		mask = UINT32_MAX;
	} else {
		nr_bits = (uint32_t)((prod / 5) * 7);
		if (nr_bits <= 64) {
			nr_bits = 64;
		} else {
			uint32_t p = 1;

			while (p < nr_bits) /* nr_bits <= 2^31: no overflow */
				p <<= 1;
			nr_bits = p;
		}
		bytes = nr_bits / 8;
		mask = nr_bits - 1;
	}
	err = map_check_mem(bytes);
	if (err) {
		errno = -err;
		return NULL;
	}
	b = core_calloc(1, sizeof(*b));
	if (!b)
		return NULL;
	map_init(&b->map, attr);
	b->nr_hash = nr_hash;
	b->mask = mask;
	b->seed = (f & BPFRT_F_ZERO_SEED) ? 0 : bloom_random_seed();
	b->bits_size = (size_t)bytes;
	b->bits = map_area_alloc(b->bits_size);
	if (!b->bits) {
		core_free(b);
		errno = ENOMEM;
		return NULL;
	}
	return &b->map;
}

/* Bit of hash function i for value. */
static uint32_t bloom_hash(const struct bloom *b, const void *value, uint32_t i)
{
	uint32_t vs = b->map.value_size, h;

	if (vs % 4 == 0)
		h = jhash2(value, vs / 4, b->seed + i);
	else
		h = jhash(value, vs, b->seed + i);
	return h & b->mask;
}

/* bloom_map_peek_elem(): 0 if the value may be present, else ENOENT. */
static int bloom_test(struct map *m, const void *value)
{
	struct bloom *b = (struct bloom *)m;

	for (uint32_t i = 0; i < b->nr_hash; i++) {
		uint32_t h = bloom_hash(b, value, i);

		if (!(__atomic_load_n(&b->bits[h / 64], __ATOMIC_RELAXED) & (1ULL << (h % 64))))
			return -ENOENT;
	}
	return 0;
}

/* bloom_map_push_elem(). */
static int bloom_push(struct map *m, const void *value, uint64_t flags)
{
	struct bloom *b = (struct bloom *)m;

	if (flags != BPFRT_ANY)
		return -EINVAL;
	for (uint32_t i = 0; i < b->nr_hash; i++) {
		uint32_t h = bloom_hash(b, value, i);

		__atomic_or_fetch(&b->bits[h / 64], 1ULL << (h % 64), __ATOMIC_RELAXED);
	}
	return 0;
}

/* Programs use the push/peek helpers: the keyed helpers do not apply. */
static void *bloom_lookup(struct map *m, const void *key, unsigned int cpu)
{
	(void)m, (void)key, (void)cpu;
	return NULL;
}

static int bloom_update(struct map *m, const void *key, const void *value, uint64_t flags,
			unsigned int cpu)
{
	(void)m, (void)key, (void)value, (void)flags, (void)cpu;
	return -EINVAL;
}

static int bloom_delete(struct map *m, const void *key)
{
	(void)m, (void)key;
	return -EOPNOTSUPP;
}

static int bloom_lookup_sys(struct map *m, const void *key, void *value, uint64_t flags)
{
	(void)key, (void)flags; /* BPF_F_LOCK was refused above: no spin lock here */
	return bloom_test(m, value);
}

static int bloom_update_sys(struct map *m, const void *key, const void *value, uint64_t flags)
{
	(void)key;
	return bloom_push(m, value, flags);
}

static int bloom_get_next_key(struct map *m, const void *key, void *next_key)
{
	(void)m, (void)key, (void)next_key;
	return -EOPNOTSUPP;
}

static int bloom_peek(struct map *m, void *value)
{
	return bloom_test(m, value);
}

/*
 * No lookup_and_delete: the syscall answers ENOTSUPP for this type. No pop
 * either: the verifier allows bpf_map_pop_elem on queues and stacks only.
 */
const struct map_ops bloom_filter_map_ops = {
	.alloc_check = bloom_alloc_check,
	.alloc = bloom_alloc,
	.free = bloom_free,
	.lookup = bloom_lookup,
	.update = bloom_update,
	.delete = bloom_delete,
	.lookup_sys = bloom_lookup_sys,
	.update_sys = bloom_update_sys,
	.get_next_key = bloom_get_next_key,
	.push = bloom_push,
	.peek = bloom_peek,
};
