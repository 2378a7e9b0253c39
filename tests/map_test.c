/* SPDX-License-Identifier: MIT */
/*
 * Live maps through the public API (include/bpfrt/map.h) and the program-side
 * interface (src/maps/map.h): creation checks, element operations, per-CPU
 * layout, iteration, batches, permissions and freezing, spin locks, memory,
 * and concurrency.
 *
 * Expected results are data: tables of creation attributes and scripts of
 * element operations, each with the errno the kernel gives. Where bpf() is
 * permitted, every table row and script also runs against the kernel, so a
 * wrong expectation fails here rather than in bpfrt.
 */
#include <errno.h>
#include <linux/bpf.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "bpfrt/bpfrt.h"
#include "bpfrt/map.h"
#include "bpfrt/object.h"
#include "harness.h"
#include "maps/map.h"
#include "maps/ringbuf.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define HASH BPFRT_MAP_TYPE_HASH
#define ARRAY BPFRT_MAP_TYPE_ARRAY
#define PHASH BPFRT_MAP_TYPE_PERCPU_HASH
#define PARRAY BPFRT_MAP_TYPE_PERCPU_ARRAY

#define RDONLY BPFRT_F_RDONLY
#define WRONLY BPFRT_F_WRONLY
#define NOPRE BPFRT_F_NO_PREALLOC
#define ZSEED BPFRT_F_ZERO_SEED
#define LOCK BPFRT_F_LOCK

/* ---- the kernel, when bpf() is permitted ---- */

static bool have_kernel;

static long sys_bpf(int cmd, union bpf_attr *a)
{
	long r = syscall(__NR_bpf, cmd, a, sizeof(*a));

	return r < 0 ? -errno : r;
}

static int k_create(uint32_t type, uint32_t ks, uint32_t vs, uint32_t max, uint32_t flags,
		    uint32_t numa, uint64_t extra, const char *name)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.map_type = type;
	a.key_size = ks;
	a.value_size = vs;
	a.max_entries = max;
	a.map_flags = flags;
	a.numa_node = numa;
	a.map_extra = extra;
	if (name)
		memcpy(a.map_name, name, strlen(name) < 16 ? strlen(name) : 16);
	return (int)sys_bpf(BPF_MAP_CREATE, &a);
}

static int k_elem(int cmd, int fd, const void *key, void *value, uint64_t flags)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.map_fd = fd;
	a.key = (uintptr_t)key;
	a.value = (uintptr_t)value;
	a.flags = flags;
	return (int)sys_bpf(cmd, &a);
}

static int k_batch(int cmd, int fd, void *in, void *out, void *keys, void *values,
		   uint32_t *count, uint64_t elem_flags)
{
	union bpf_attr a;
	int r;

	memset(&a, 0, sizeof(a));
	a.batch.map_fd = fd;
	a.batch.in_batch = (uintptr_t)in;
	a.batch.out_batch = (uintptr_t)out;
	a.batch.keys = (uintptr_t)keys;
	a.batch.values = (uintptr_t)values;
	a.batch.count = *count;
	a.batch.elem_flags = elem_flags;
	r = (int)sys_bpf(cmd, &a);
	*count = a.batch.count;
	return r;
}

static struct bpfrt_map *mk(enum bpfrt_map_type type, uint32_t ks, uint32_t vs, uint32_t max,
			    uint32_t flags)
{
	struct bpfrt_map_create_opts o = { .sz = sizeof(o), .map_flags = flags };

	return bpfrt_map__create(type, ks, vs, max, &o);
}

/* ---- creation ---- */

struct create_case {
	uint32_t type, ks, vs, max, flags, numa;
	uint64_t extra;
	const char *name;
	int err;           /* errno expected, 0 for success */
	bool bpfrt_only;   /* the kernel has this type; bpfrt does not yet */
};

static const struct create_case create_cases[] = {
	{ 0, 4, 4, 1, 0, 0, 0, NULL, EINVAL, false },             /* unspec */
	{ 34, 4, 4, 1, 0, 0, 0, NULL, EINVAL, false },            /* beyond the list */
	{ ARRAY, 4, 4, 1, 0, 0, 0, NULL, 0, false },
	{ ARRAY, 4, 4, 0, 0, 0, 0, NULL, EINVAL, false },
	{ ARRAY, 8, 4, 1, 0, 0, 0, NULL, EINVAL, false },
	{ ARRAY, 4, 0, 1, 0, 0, 0, NULL, EINVAL, false },
	{ ARRAY, 4, 4, 1, NOPRE, 0, 0, NULL, EINVAL, false },
	{ ARRAY, 4, 4, 1, ZSEED, 0, 0, NULL, EINVAL, false },
	{ ARRAY, 4, 4, 1, RDONLY | WRONLY, 0, 0, NULL, EINVAL, false },
	{ ARRAY, 4, 4, 1, BPFRT_F_RDONLY_PROG | BPFRT_F_WRONLY_PROG, 0, 0, NULL, EINVAL, false },
	{ ARRAY, 4, 4, 1, BPFRT_F_MMAPABLE, 0, 0, NULL, 0, false },
	{ ARRAY, 4, 4, 1, BPFRT_F_INNER_MAP, 0, 0, NULL, 0, false },
	{ ARRAY, 4, 4, 1, 1U << 11, 0, 0, NULL, EINVAL, false },  /* preserve_elems */
	{ ARRAY, 4, 4, 1, 1U << 16, 0, 0, NULL, EINVAL, false },
	{ ARRAY, 4, 4, 1, BPFRT_F_NUMA_NODE, 0, 0, NULL, 0, false },
	{ ARRAY, 4, 4, 1, BPFRT_F_NUMA_NODE, 1000, 0, NULL, EINVAL, false },
	{ ARRAY, 4, 4, 1, 0, 1000, 0, NULL, 0, false },         /* numa ignored without the flag */
	{ ARRAY, 4, 4, 1, 0, 0, 1, NULL, EINVAL, false },         /* map_extra */
	{ ARRAY, 4, 4, 1, 0, 0, 0, "ok_name.x", 0, false },
	{ ARRAY, 4, 4, 1, 0, 0, 0, "bad-name", EINVAL, false },
	{ ARRAY, 4, 4, 1, 0, 0, 0, "0123456789abcde", 0, false },
	{ ARRAY, 4, 4, 1, 0, 0, 0, "0123456789abcdef", EINVAL, false },
	{ ARRAY, 4, 0x80000000U, 1, 0, 0, 0, NULL, E2BIG, false },
	{ ARRAY, 4, 0x80000000U, 1, 0, 0, 0, "bad-name", E2BIG, false },
	{ ARRAY, 8, 4, 0, 0, 0, 0, "bad-name", EINVAL, false },
	{ ARRAY, 4, 8, 0xffffffffU, 0, 0, 0, NULL, ENOMEM, false }, /* 32 GiB up front */
	{ PARRAY, 4, 4, 1, 0, 0, 0, NULL, 0, false },
	{ PARRAY, 4, 32768, 1, 0, 0, 0, NULL, 0, false },
	{ PARRAY, 4, 32761, 1, 0, 0, 0, NULL, 0, false },
	{ PARRAY, 4, 32769, 1, 0, 0, 0, NULL, E2BIG, false },
	{ PARRAY, 4, 32769, 0, 0, 0, 0, NULL, EINVAL, false },
	{ PARRAY, 4, 4, 1, BPFRT_F_MMAPABLE, 0, 0, NULL, EINVAL, false },
	{ PARRAY, 4, 4, 1, BPFRT_F_INNER_MAP, 0, 0, NULL, EINVAL, false },
	{ PARRAY, 4, 4, 1, BPFRT_F_NUMA_NODE, 0, 0, NULL, EINVAL, false },
	{ PARRAY, 4, 4, 1, BPFRT_F_RDONLY_PROG, 0, 0, NULL, 0, false },
	{ HASH, 4, 4, 1, 0, 0, 0, NULL, 0, false },
	{ HASH, 0, 4, 1, 0, 0, 0, NULL, EINVAL, false },
	{ HASH, 4, 0, 1, 0, 0, 0, NULL, EINVAL, false },
	{ HASH, 4, 4, 0, 0, 0, 0, NULL, EINVAL, false },
	{ HASH, 4, 4, 1, NOPRE, 0, 0, NULL, 0, false },
	{ HASH, 4, 4, 1, ZSEED, 0, 0, NULL, 0, false },
	{ HASH, 4, 4, 1, BPFRT_F_NO_COMMON_LRU, 0, 0, NULL, EINVAL, false },
	{ HASH, 4, 4, 1, BPFRT_F_MMAPABLE, 0, 0, NULL, EINVAL, false },
	{ HASH, 4, 4, 1, BPFRT_F_INNER_MAP, 0, 0, NULL, EINVAL, false },
	{ HASH, 4, 4, 1, 1U << 5, 0, 0, NULL, EINVAL, false },
	{ HASH, 4, 4, 1, BPFRT_F_NUMA_NODE, 0, 0, NULL, 0, false },
	{ HASH, 4, 4, 1, RDONLY | WRONLY, 0, 0, NULL, EINVAL, false },
	{ HASH, 4, 4, 1, 0, 0, 1, NULL, EINVAL, false },
	{ HASH, 4, 4, 0x80000001U, NOPRE, 0, 0, NULL, E2BIG, false },
	{ HASH, 4, 4, (1U << 27) + 1, NOPRE, 0, 0, NULL, E2BIG, false },
	{ HASH, 4194304 - 50, 1, 1, 0, 0, 0, NULL, 0, false },
	{ HASH, 4194304 - 49, 1, 1, 0, 0, 0, NULL, E2BIG, false },
	{ HASH, 0xffffffffU, 0xffffffffU, 1, 0, 0, 0, NULL, E2BIG, false },
	{ HASH, 4, 4, 1, 0, 0, 0, "bad-name", EINVAL, false },
	{ PHASH, 4, 4, 1, 0, 0, 0, NULL, 0, false },
	{ PHASH, 4, 32768, 1, 0, 0, 0, NULL, 0, false },
	{ PHASH, 4, 32769, 1, 0, 0, 0, NULL, E2BIG, false },
	{ PHASH, 4, 32769, 1, BPFRT_F_NUMA_NODE, 0, 0, NULL, EINVAL, false },
	{ PHASH, 4, 4, 1, NOPRE, 0, 0, NULL, 0, false },
	{ PHASH, 4, 4, 1, BPFRT_F_NO_COMMON_LRU, 0, 0, NULL, EINVAL, false },
	/* Queues and stacks: keyless. */
	{ BPFRT_MAP_TYPE_QUEUE, 0, 8, 16, 0, 0, 0, NULL, 0, false },
	{ BPFRT_MAP_TYPE_QUEUE, 4, 8, 16, 0, 0, 0, NULL, EINVAL, false },
	{ BPFRT_MAP_TYPE_QUEUE, 0, 0, 16, 0, 0, 0, NULL, EINVAL, false },
	{ BPFRT_MAP_TYPE_QUEUE, 0, 8, 0, 0, 0, 0, NULL, EINVAL, false },
	{ BPFRT_MAP_TYPE_QUEUE, 0, 8, 16, NOPRE, 0, 0, NULL, EINVAL, false },
	{ BPFRT_MAP_TYPE_QUEUE, 0, (4U << 20) + 1, 1, 0, 0, 0, NULL, E2BIG, false },
	{ BPFRT_MAP_TYPE_STACK, 0, 8, 16, RDONLY, 0, 0, NULL, 0, false },
	{ BPFRT_MAP_TYPE_STACK, 0, 8, 16, BPFRT_F_NUMA_NODE, 0, 0, NULL, 0, false },
	{ BPFRT_MAP_TYPE_STACK, 0, 8, 16, ZSEED, 0, 0, NULL, EINVAL, false },
	{ BPFRT_MAP_TYPE_STACK, 0, 8, 16, 0, 0, 1, NULL, EINVAL, false },  /* map_extra */
	/* Bloom filters: keyless, map_extra = number of hash functions (0: 5). */
	{ BPFRT_MAP_TYPE_BLOOM_FILTER, 0, 8, 16, 0, 0, 0, NULL, 0, false },
	{ BPFRT_MAP_TYPE_BLOOM_FILTER, 0, 8, 16, ZSEED, 0, 15, NULL, 0, false },
	{ BPFRT_MAP_TYPE_BLOOM_FILTER, 0, 8, 16, 0, 0, 16, NULL, EINVAL, false },
	{ BPFRT_MAP_TYPE_BLOOM_FILTER, 4, 8, 16, 0, 0, 0, NULL, EINVAL, false },
	{ BPFRT_MAP_TYPE_BLOOM_FILTER, 0, 0, 16, 0, 0, 0, NULL, EINVAL, false },
	{ BPFRT_MAP_TYPE_BLOOM_FILTER, 0, 8, 0, 0, 0, 0, NULL, EINVAL, false },
	{ BPFRT_MAP_TYPE_BLOOM_FILTER, 0, 8, 16, NOPRE, 0, 0, NULL, EINVAL, false },
	{ BPFRT_MAP_TYPE_BLOOM_FILTER, 4, (4U << 20) + 1, 0, 0, 0, 0, NULL, E2BIG, false },
	/* LPM tries: BPF_F_NO_PREALLOC, 1 to 256 bytes of data after the prefix length. */
	{ BPFRT_MAP_TYPE_LPM_TRIE, 8, 8, 16, NOPRE, 0, 0, NULL, 0, false },
	{ BPFRT_MAP_TYPE_LPM_TRIE, 8, 8, 16, 0, 0, 0, NULL, EINVAL, false },
	{ BPFRT_MAP_TYPE_LPM_TRIE, 4, 8, 16, NOPRE, 0, 0, NULL, EINVAL, false },
	{ BPFRT_MAP_TYPE_LPM_TRIE, 5, 8, 16, NOPRE, 0, 0, NULL, 0, false },
	{ BPFRT_MAP_TYPE_LPM_TRIE, 260, 8, 16, NOPRE, 0, 0, NULL, 0, false },
	{ BPFRT_MAP_TYPE_LPM_TRIE, 261, 8, 16, NOPRE, 0, 0, NULL, EINVAL, false },
	{ BPFRT_MAP_TYPE_LPM_TRIE, 8, 0, 16, NOPRE, 0, 0, NULL, EINVAL, false },
	{ BPFRT_MAP_TYPE_LPM_TRIE, 8, 8, 0, NOPRE, 0, 0, NULL, EINVAL, false },
	{ BPFRT_MAP_TYPE_LPM_TRIE, 8, 8, 16, NOPRE | ZSEED, 0, 0, NULL, EINVAL, false },
	{ BPFRT_MAP_TYPE_LPM_TRIE, 8, (4U << 20) - 280, 1, NOPRE, 0, 0, NULL, 0, false },
	{ BPFRT_MAP_TYPE_LPM_TRIE, 8, (4U << 20) - 279, 1, NOPRE, 0, 0, NULL, EINVAL, false },
	{ BPFRT_MAP_TYPE_LPM_TRIE, 8, 8, 0xffffffffU, NOPRE, 0, 0, NULL, 0, false },
	/* Ring buffers: no key or value, a power-of-2 number of pages, only NUMA_NODE. */
	{ BPFRT_MAP_TYPE_RINGBUF, 0, 0, 4096, 0, 0, 0, NULL, 0, false },
	{ BPFRT_MAP_TYPE_RINGBUF, 0, 0, 1U << 16, 0, 0, 0, "rb", 0, false },
	{ BPFRT_MAP_TYPE_RINGBUF, 0, 0, 4096, BPFRT_F_NUMA_NODE, 0, 0, NULL, 0, false },
	{ BPFRT_MAP_TYPE_RINGBUF, 4, 0, 4096, 0, 0, 0, NULL, EINVAL, false },
	{ BPFRT_MAP_TYPE_RINGBUF, 0, 4, 4096, 0, 0, 0, NULL, EINVAL, false },
	{ BPFRT_MAP_TYPE_RINGBUF, 0, 0, 0, 0, 0, 0, NULL, EINVAL, false },
	{ BPFRT_MAP_TYPE_RINGBUF, 0, 0, 1024, 0, 0, 0, NULL, EINVAL, false },
	{ BPFRT_MAP_TYPE_RINGBUF, 0, 0, 3 * 4096, 0, 0, 0, NULL, EINVAL, false },
	{ BPFRT_MAP_TYPE_RINGBUF, 0, 0, 4096, NOPRE, 0, 0, NULL, EINVAL, false },
	{ BPFRT_MAP_TYPE_RINGBUF, 0, 0, 4096, RDONLY, 0, 0, NULL, EINVAL, false },
	{ BPFRT_MAP_TYPE_RINGBUF, 0, 0, 4096, BPFRT_F_RDONLY_PROG, 0, 0, NULL, EINVAL, false },
	{ BPFRT_MAP_TYPE_RINGBUF, 0, 0, 4096, BPFRT_F_MMAPABLE, 0, 0, NULL, EINVAL, false },
	{ BPFRT_MAP_TYPE_LRU_HASH, 4, 4, 1, 0, 0, 0, NULL, 0, false },
	{ BPFRT_MAP_TYPE_LRU_HASH, 4, 4, 1, NOPRE, 0, 0, NULL, ENOTSUPP, false },
	{ BPFRT_MAP_TYPE_LRU_PERCPU_HASH, 4, 4, 1, BPFRT_F_NO_COMMON_LRU, 0, 0, NULL, 0, false },
	{ BPFRT_MAP_TYPE_LRU_PERCPU_HASH, 4, 4, 1, BPFRT_F_NO_COMMON_LRU | BPFRT_F_NUMA_NODE, 0, 0,
	  NULL, EINVAL, false },
	/* Types the kernel has and bpfrt does not yet. */
	{ BPFRT_MAP_TYPE_USER_RINGBUF, 0, 0, 4096, 0, 0, 0, NULL, ENOTSUPP, true },
	{ BPFRT_MAP_TYPE_LRU_HASH, 4, 4, 1, RDONLY | WRONLY, 0, 0, NULL, EINVAL, false },
};

static int captured_warnings;

static int capture_print(enum bpfrt_print_level level, const char *fmt, va_list ap)
{
	(void)fmt, (void)ap;
	if (level == BPFRT_WARN)
		captured_warnings++;
	return 0;
}

static void test_create(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(create_cases); i++) {
		const struct create_case *c = &create_cases[i];
		struct bpfrt_map_create_opts o = { .sz = sizeof(o), .name = c->name,
						   .map_flags = c->flags, .numa_node = c->numa,
						   .map_extra = c->extra };
		struct bpfrt_map *m;
		int got, kgot;

		captured_warnings = 0;
		bpfrt_print_fn old = bpfrt_set_print(capture_print);
		m = bpfrt_map__create(c->type, c->ks, c->vs, c->max, &o);
		bpfrt_set_print(old);
		got = m ? 0 : errno;
		T_CHECK(got == c->err, "create row %zu (type %u, %u/%u/%u, flags %#x): errno %d, want %d",
			i, c->type, c->ks, c->vs, c->max, c->flags, got, c->err);
		/* A type bpfrt lacks is a warning; the kernel's own ENOTSUPP verdicts are not. */
		if (c->err == ENOTSUPP)
			T_CHECK(captured_warnings == (c->bpfrt_only ? 1 : 0), "create row %zu: %s", i,
				c->bpfrt_only ? "unsupported type reported" :
						"the kernel's ENOTSUPP is no warning");
		bpfrt_map__destroy(m);
		if (!have_kernel || c->bpfrt_only)
			continue;
		kgot = k_create(c->type, c->ks, c->vs, c->max, c->flags, c->numa, c->extra, c->name);
		if (kgot >= 0)
			close(kgot);
		kgot = kgot < 0 ? -kgot : 0;
		/* NUMA node 1000 is not online here; the expectation holds for any machine. */
		T_CHECK(kgot == c->err, "kernel agrees on create row %zu: errno %d, want %d", i, kgot,
			c->err);
	}

	/* Options: size and unknown trailing bytes. */
	{
		struct { struct bpfrt_map_create_opts o; uint64_t extra; } big;
		struct bpfrt_map *m;

		memset(&big, 0, sizeof(big));
		big.o.sz = sizeof(big);
		m = bpfrt_map__create(ARRAY, 4, 4, 1, &big.o);
		T_CHECK(m != NULL, "create: larger options with zero tail accepted");
		bpfrt_map__destroy(m);
		big.extra = 1;
		m = bpfrt_map__create(ARRAY, 4, 4, 1, &big.o);
		T_CHECK(!m && errno == EINVAL, "create: non-zero unknown option bytes refused");
		m = bpfrt_map__create(ARRAY, 4, 4, 1, NULL);
		T_CHECK(m != NULL && bpfrt_map__nr_cpus(m) == 1, "create: NULL options");
		bpfrt_map__destroy(m);
	}

	/* The accessors of object maps answer for standalone maps. */
	{
		struct bpfrt_map_create_opts o = { .sz = sizeof(o), .name = "counters",
						   .map_flags = NOPRE };
		struct bpfrt_map *m = bpfrt_map__create(HASH, 8, 16, 100, &o);

		T_CHECK(m && strcmp(bpfrt_map__name(m), "counters") == 0 &&
			bpfrt_map__type(m) == HASH && bpfrt_map__key_size(m) == 8 &&
			bpfrt_map__value_size(m) == 16 && bpfrt_map__max_entries(m) == 100 &&
			bpfrt_map__map_flags(m) == NOPRE && bpfrt_map__index(m) == -ENOENT &&
			!bpfrt_map__is_internal(m) && bpfrt_map__initial_value(m, NULL) == NULL,
			"object accessors work on a standalone map");
		bpfrt_map__destroy(m);
	}
}

/* ---- scripts of element operations, run on bpfrt and the kernel ---- */

enum op_kind { UPD, LKP, DEL, LAD, NXT, NXT0, FRZ };

struct op {
	enum op_kind op;
	uint32_t key;
	uint64_t flags;
	int err;           /* negative errno, or 0 */
	uint32_t next;     /* NXT: the key expected (hash maps: only checked when ZERO_SEED) */
};

struct script {
	const char *name;
	uint32_t type, vs, max, flags;
	struct op ops[24];
};

#define END { FRZ, 0, 0, 1, 0 }   /* err 1: end of script */

static const struct script scripts[] = {
	{ "array", ARRAY, 4, 4, 0, {
		{ UPD, 0, BPFRT_ANY, 0, 0 }, { UPD, 0, BPFRT_NOEXIST, -EEXIST, 0 },
		{ UPD, 0, BPFRT_EXIST, 0, 0 }, { UPD, 0, 3, -EINVAL, 0 },
		{ UPD, 0, LOCK, -EINVAL, 0 }, { UPD, 0, 8, -EINVAL, 0 },
		{ UPD, 4, BPFRT_ANY, -E2BIG, 0 }, { UPD, 4, BPFRT_NOEXIST, -E2BIG, 0 },
		{ UPD, 4, 3, -EINVAL, 0 }, { LKP, 4, 0, -ENOENT, 0 }, { LKP, 0, 0, 0, 0 },
		{ LKP, 0, LOCK, -EINVAL, 0 }, { LKP, 0, 1, -EINVAL, 0 },
		{ DEL, 0, 0, -EINVAL, 0 }, { DEL, 9, 0, -EINVAL, 0 }, { DEL, 0, 1, -EINVAL, 0 },
		{ LAD, 0, 0, -ENOTSUPP, 0 }, { LAD, 0, LOCK, -EINVAL, 0 },
		{ NXT0, 0, 0, 0, 0 }, { NXT, 2, 0, 0, 3 }, { NXT, 3, 0, -ENOENT, 0 },
		{ NXT, 7, 0, 0, 0 }, END } },
	{ "percpu_array", PARRAY, 4, 4, 0, {
		{ UPD, 1, BPFRT_ANY, 0, 0 }, { UPD, 1, LOCK, -EINVAL, 0 },
		{ UPD, 1, BPFRT_NOEXIST, -EEXIST, 0 }, { UPD, 1, 3, -EINVAL, 0 },
		{ UPD, 9, 0, -E2BIG, 0 }, { LKP, 1, 0, 0, 0 }, { LKP, 9, 0, -ENOENT, 0 },
		{ DEL, 1, 0, -EINVAL, 0 }, { LAD, 1, 0, -ENOTSUPP, 0 }, END } },
	{ "hash", HASH, 4, 2, ZSEED, {
		{ UPD, 1, BPFRT_EXIST, -ENOENT, 0 }, { UPD, 1, 3, -EINVAL, 0 },
		{ UPD, 1, LOCK, -EINVAL, 0 }, { UPD, 1, BPFRT_NOEXIST, 0, 0 },
		{ UPD, 1, BPFRT_NOEXIST, -EEXIST, 0 }, { UPD, 1, BPFRT_EXIST, 0, 0 },
		{ UPD, 2, BPFRT_ANY, 0, 0 }, { UPD, 3, BPFRT_ANY, -E2BIG, 0 },
		{ UPD, 3, BPFRT_NOEXIST, -E2BIG, 0 }, { UPD, 3, BPFRT_EXIST, -ENOENT, 0 },
		{ UPD, 2, BPFRT_ANY, 0, 0 }, { UPD, 2, BPFRT_NOEXIST, -EEXIST, 0 },
		{ LKP, 3, 0, -ENOENT, 0 }, { DEL, 3, 0, -ENOENT, 0 },
		{ DEL, 1, 1, -EINVAL, 0 }, { NXT, 3, 0, 0, 2 },
		{ LAD, 3, 0, -ENOENT, 0 }, { LAD, 2, 8, -EINVAL, 0 }, { LAD, 2, LOCK, -EINVAL, 0 },
		{ LAD, 2, 0, 0, 0 }, { DEL, 2, 0, -ENOENT, 0 }, { DEL, 1, 0, 0, 0 },
		{ NXT0, 0, 0, -ENOENT, 0 }, END } },
	{ "hash_no_prealloc", HASH, 4, 2, NOPRE, {
		{ UPD, 1, 0, 0, 0 }, { UPD, 2, 0, 0, 0 }, { UPD, 3, 0, -E2BIG, 0 },
		{ UPD, 3, BPFRT_EXIST, -ENOENT, 0 }, { UPD, 2, 0, 0, 0 }, { DEL, 1, 0, 0, 0 },
		{ UPD, 3, 0, 0, 0 }, { LKP, 3, 0, 0, 0 }, END } },
	{ "percpu_hash", PHASH, 12, 2, 0, {
		{ UPD, 1, LOCK, -EINVAL, 0 }, { UPD, 1, 0, 0, 0 }, { UPD, 1, BPFRT_NOEXIST, -EEXIST, 0 },
		{ LKP, 1, 0, 0, 0 }, { LKP, 1, 8, -EINVAL, 0 }, { UPD, 2, 0, 0, 0 },
		{ UPD, 5, 0, -E2BIG, 0 }, { LAD, 1, 0, 0, 0 }, { LKP, 1, 0, -ENOENT, 0 },
		{ UPD, 5, 0, 0, 0 }, END } },
	{ "frozen_array", ARRAY, 4, 4, 0, {
		{ UPD, 0, 0, 0, 0 }, { FRZ, 0, 0, 0, 0 }, { FRZ, 0, 0, -EPERM, 0 },
		{ UPD, 0, 0, -EPERM, 0 }, { DEL, 0, 0, -EPERM, 0 }, { LKP, 0, 0, 0, 0 },
		{ LAD, 0, 0, -EPERM, 0 }, { NXT0, 0, 0, 0, 0 }, END } },
	{ "frozen_hash", HASH, 4, 4, 0, {
		{ UPD, 0, 0, 0, 0 }, { FRZ, 0, 0, 0, 0 }, { UPD, 0, 0, -EPERM, 0 },
		{ UPD, 0, 8, -EPERM, 0 }, { DEL, 0, 0, -EPERM, 0 }, { DEL, 0, 1, -EINVAL, 0 },
		{ LKP, 0, 0, 0, 0 }, { LAD, 0, 0, -EPERM, 0 }, { LAD, 0, 8, -EINVAL, 0 }, END } },
	{ "rdonly_hash", HASH, 4, 4, RDONLY, {
		{ UPD, 0, 0, -EPERM, 0 }, { UPD, 0, 8, -EPERM, 0 }, { UPD, 0, LOCK, -EPERM, 0 },
		{ DEL, 0, 0, -EPERM, 0 }, { LKP, 0, 0, -ENOENT, 0 }, { NXT0, 0, 0, -ENOENT, 0 },
		{ LAD, 0, 0, -EPERM, 0 }, { LAD, 0, 8, -EINVAL, 0 }, { LAD, 0, LOCK, -EPERM, 0 },
		{ FRZ, 0, 0, -EPERM, 0 }, END } },
	{ "wronly_array", ARRAY, 4, 4, WRONLY, {
		{ UPD, 0, 0, 0, 0 }, { LKP, 0, 0, -EPERM, 0 }, { LKP, 0, 8, -EINVAL, 0 },
		{ LKP, 0, LOCK, -EPERM, 0 }, { NXT0, 0, 0, -EPERM, 0 }, { LAD, 0, 0, -EPERM, 0 },
		{ DEL, 0, 0, -EINVAL, 0 }, { FRZ, 0, 0, 0, 0 }, { FRZ, 0, 0, -EPERM, 0 }, END } },
};

static void fill_value(uint8_t *v, size_t n, uint32_t key, int step)
{
	for (size_t i = 0; i < n; i++)
		v[i] = (uint8_t)(key * 31 + (uint32_t)step * 7 + i);
}

static int run_op(const struct bpfrt_map *m, int fd, const struct op *op, int step,
		  uint8_t *out, size_t vsz, uint32_t *next)
{
	uint8_t v[4096];

	fill_value(v, vsz, op->key, step);
	memset(out, 0xee, vsz);
	switch (op->op) {
	case UPD:
		return m ? bpfrt_map__update_elem(m, &op->key, 4, v, vsz, op->flags)
			 : k_elem(BPF_MAP_UPDATE_ELEM, fd, &op->key, v, op->flags);
	case LKP:
		return m ? bpfrt_map__lookup_elem(m, &op->key, 4, out, vsz, op->flags)
			 : k_elem(BPF_MAP_LOOKUP_ELEM, fd, &op->key, out, op->flags);
	case DEL:
		return m ? bpfrt_map__delete_elem(m, &op->key, 4, op->flags)
			 : k_elem(BPF_MAP_DELETE_ELEM, fd, &op->key, NULL, op->flags);
	case LAD:
		return m ? bpfrt_map__lookup_and_delete_elem(m, &op->key, 4, out, vsz, op->flags)
			 : k_elem(BPF_MAP_LOOKUP_AND_DELETE_ELEM, fd, &op->key, out, op->flags);
	case NXT:
		return m ? bpfrt_map__get_next_key(m, &op->key, next, 4)
			 : k_elem(BPF_MAP_GET_NEXT_KEY, fd, &op->key, next, 0);
	case NXT0:
		return m ? bpfrt_map__get_next_key(m, NULL, next, 4)
			 : k_elem(BPF_MAP_GET_NEXT_KEY, fd, NULL, next, 0);
	case FRZ:
		return m ? bpfrt_map__freeze(m) : k_elem(BPF_MAP_FREEZE, fd, NULL, NULL, 0);
	}
	return -EINVAL;
}

static void test_scripts(void)
{
	uint32_t ncpu = 0;

	for (size_t s = 0; s < ARRAY_SIZE(scripts); s++) {
		const struct script *sc = &scripts[s];
		struct bpfrt_map *m = mk(sc->type, 4, sc->vs, sc->max, sc->flags);
		int fd = have_kernel ? k_create(sc->type, 4, sc->vs, sc->max, sc->flags, 0, 0, NULL) : -1;
		bool pc = sc->type == PHASH || sc->type == PARRAY;
		size_t vsz;
		bool ok = true;

		if (!m) {
			t_fail("script %s: create: %s", sc->name, strerror(errno));
			continue;
		}
		ncpu = bpfrt_map__nr_cpus(m);
		vsz = pc ? MAP_ROUND_UP(sc->vs, 8U) * ncpu : sc->vs;
		if (vsz > 4096) {
			t_skip("script %s: %u CPUs are too many for its buffers", sc->name, ncpu);
			bpfrt_map__destroy(m);
			if (fd >= 0)
				close(fd);
			continue;
		}
		for (int i = 0; sc->ops[i].err != 1; i++) {
			const struct op *op = &sc->ops[i];
			uint8_t out[4096], kout[4096];
			uint32_t next = 0xdead, knext = 0xdead;
			int got = run_op(m, -1, op, i, out, vsz, &next);

			if (got != op->err) {
				t_fail("script %s, op %d: got %d, want %d", sc->name, i, got, op->err);
				ok = false;
			}
			if ((op->op == NXT || op->op == NXT0) && !got && next != op->next &&
			    (sc->flags & ZSEED || sc->type == ARRAY || sc->type == PARRAY)) {
				t_fail("script %s, op %d: next key %u, want %u", sc->name, i, next, op->next);
				ok = false;
			}
			if (fd < 0)
				continue;
			got = run_op(NULL, fd, op, i, kout, vsz, &knext);
			if (got != op->err) {
				t_fail("script %s, op %d: the kernel says %d, the script %d", sc->name, i,
				       got, op->err);
				ok = false;
			}
			if ((op->op == LKP || op->op == LAD) && !got && memcmp(out, kout, vsz)) {
				t_fail("script %s, op %d: value differs from the kernel's", sc->name, i);
				ok = false;
			}
			if ((op->op == NXT || op->op == NXT0) && !got && next != knext) {
				t_fail("script %s, op %d: next key %u, the kernel's %u", sc->name, i, next,
				       knext);
				ok = false;
			}
		}
		if (ok)
			t_pass("script %s%s", sc->name, fd >= 0 ? " (and the kernel agrees)" : "");
		if (fd >= 0)
			close(fd);
		bpfrt_map__destroy(m);
	}
	if (!have_kernel)
		t_skip("scripts against the kernel: bpf() not permitted");
}

/* ---- sizes, per-CPU layout, program side ---- */

static void test_sizes_and_layout(void)
{
	struct bpfrt_map_create_opts o = { .sz = sizeof(o), .nr_cpus = 3 };
	struct bpfrt_map *pa = bpfrt_map__create(PARRAY, 4, 4, 4, &o);
	struct bpfrt_map *ph = bpfrt_map__create(PHASH, 4, 12, 4, &o);
	uint8_t buf[3 * 16], back[3 * 16];
	uint32_t k = 1, k2 = 2;
	struct map *m;
	uint64_t *p;

	if (!pa || !ph) {
		t_fail("per-CPU maps with 3 CPUs: %s", strerror(errno));
		return;
	}
	T_CHECK(bpfrt_map__nr_cpus(pa) == 3, "nr_cpus option: 3 slots");
	/* value_sz must be round_up(value_size, 8) * nr_cpus. */
	T_CHECK(bpfrt_map__update_elem(pa, &k, 4, buf, 12, 0) == -EINVAL &&
		bpfrt_map__update_elem(pa, &k, 4, buf, 4, 0) == -EINVAL &&
		bpfrt_map__update_elem(pa, &k, 3, buf, 24, 0) == -EINVAL &&
		bpfrt_map__lookup_elem(pa, &k, 4, buf, 25, 0) == -EINVAL,
		"per-CPU buffers of the wrong size are refused");
	for (size_t i = 0; i < 24; i++)
		buf[i] = (uint8_t)(i + 1);
	T_CHECK(bpfrt_map__update_elem(pa, &k, 4, buf, 24, 0) == 0 &&
		bpfrt_map__lookup_elem(pa, &k, 4, back, 24, 0) == 0 && !memcmp(buf, back, 24),
		"per-CPU array: 8-byte slots, padding kept as the kernel keeps it");
	m = map_of(pa);
	T_CHECK(memcmp(map_lookup(m, &k, 1), buf + 8, 4) == 0 &&
		memcmp(map_lookup(m, &k, 2), buf + 16, 4) == 0 &&
		map_lookup(m, &k, 4) == map_lookup(m, &k, 1),
		"per-CPU array: program look-ups see their CPU's slot (cpu taken modulo)");
	memset(buf, 0x5a, 4);
	T_CHECK(map_update(m, &k, buf, 0, 2) == 0 &&
		bpfrt_map__lookup_elem(pa, &k, 4, back, 24, 0) == 0 &&
		back[16] == 0x5a && back[0] == 1 && back[8] == 9,
		"per-CPU array: a program's update changes its CPU's value only");
	T_CHECK(map_update(m, &k, buf, BPFRT_NOEXIST, 0) == -EEXIST &&
		map_delete(m, &k) == -EINVAL, "per-CPU array: program update/delete errors");

	m = map_of(ph);
	memset(buf, 0x11, sizeof(buf));
	T_CHECK(map_update(m, &k2, buf, 0, 1) == 0 &&
		bpfrt_map__lookup_elem(ph, &k2, 4, back, 48, 0) == 0 &&
		back[0] == 0 && back[15] == 0 && back[16] == 0x11 && back[27] == 0x11 &&
		back[28] == 0 && back[32] == 0,
		"per-CPU hash: a program's new element is zero on the other CPUs");
	p = map_lookup(m, &k2, 0);
	*p = 77;
	T_CHECK(bpfrt_map__lookup_elem(ph, &k2, 4, back, 48, 0) == 0 && back[0] == 77,
		"per-CPU hash: writes through a program's pointer are seen by user space");
	bpfrt_map__destroy(pa);
	bpfrt_map__destroy(ph);

	/* Program side on a shared hash: pointer stability across updates. */
	{
		struct bpfrt_map *h = mk(HASH, 4, 8, 16, 0);
		uint64_t v = 1, *ptr, *ptr2;
		struct bpfrt_region r[2];

		m = map_of(h);
		bpfrt_map__update_elem(h, &k, 4, &v, 8, 0);
		ptr = map_lookup(m, &k, 0);
		v = 2;
		bpfrt_map__update_elem(h, &k, 4, &v, 8, BPFRT_EXIST);
		ptr2 = map_lookup(m, &k, 0);
		T_CHECK(ptr && ptr == ptr2 && *ptr == 2,
			"hash: an update keeps the value where programs point");
		T_CHECK(map_lookup(m, &k2, 0) == NULL, "hash: program look-up of a missing key");
		T_CHECK(map_regions(m, r, 2) == 1 && (char *)ptr >= (char *)r[0].addr &&
			(char *)(ptr + 1) <= (char *)r[0].addr + r[0].size && r[0].writable,
			"map_regions: the value arena holds the program's pointer");
		T_CHECK(map_update(m, &k2, &v, BPFRT_EXIST, 0) == -ENOENT &&
			map_update(m, &k2, &v, 0, 0) == 0 && map_delete(m, &k2) == 0 &&
			map_delete(m, &k2) == -ENOENT, "hash: program update/delete");
		bpfrt_map__destroy(h);
		h = mk(ARRAY, 4, 8, 4, BPFRT_F_RDONLY_PROG);
		m = map_of(h);
		T_CHECK(map_regions(m, r, 1) == 1 && !r[0].writable &&
			map_update(m, &k, &v, 0, 0) == -EPERM &&
			bpfrt_map__update_elem(h, &k, 4, &v, 8, 0) == 0,
			"BPF_F_RDONLY_PROG: programs cannot write, user space can");
		bpfrt_map__destroy(h);
	}

	/* Freezing while a user-space write is in flight (as bpf_map_write_active()). */
	{
		struct bpfrt_map *h = mk(HASH, 4, 8, 4, 0);

		m = map_of(h);
		m->write_active++;
		T_CHECK(bpfrt_map__freeze(h) == -EBUSY, "freeze during a write: -EBUSY");
		m->write_active--;
		T_CHECK(bpfrt_map__freeze(h) == 0 && bpfrt_map__update_elem(h, &k, 4, &k, 8, 0) == -EPERM,
			"freeze after the write");
		bpfrt_map__destroy(h);
	}

	/* Not live: a definition. */
	T_CHECK(bpfrt_map__lookup_elem(NULL, &k, 4, buf, 4, 0) == -EINVAL &&
		bpfrt_map__freeze(NULL) == -EINVAL && bpfrt_map__nr_cpus(NULL) == 0,
		"NULL map: -EINVAL");
}

/* ---- iteration ---- */

static void test_iteration(void)
{
	enum { N = 1000 };
	struct bpfrt_map *h = mk(HASH, 4, 4, N, 0);
	static uint8_t seen[N];
	uint32_t key, next, cnt = 0;
	int err;
	bool dup = false;

	for (uint32_t i = 0; i < N; i++)
		bpfrt_map__update_elem(h, &i, 4, &i, 4, BPFRT_NOEXIST);
	memset(seen, 0, sizeof(seen));
	for (err = bpfrt_map__get_next_key(h, NULL, &next, 4); !err;
	     err = bpfrt_map__get_next_key(h, &key, &next, 4)) {
		dup |= next >= N || seen[next]++;
		key = next;
		cnt++;
	}
	T_CHECK(err == -ENOENT && cnt == N && !dup, "hash iteration visits each key once (%u)", cnt);

	/* Delete while iterating: the classic drain loop restarts from the first key. */
	cnt = 0;
	key = 123456;
	while (bpfrt_map__get_next_key(h, &key, &next, 4) == 0) {
		bpfrt_map__delete_elem(h, &next, 4, 0);
		key = next;
		cnt++;
	}
	T_CHECK(cnt == N && bpfrt_map__get_next_key(h, NULL, &next, 4) == -ENOENT,
		"hash: get_next_key of a deleted key restarts; drain loop empties the map");
	bpfrt_map__destroy(h);

	/* BPF_F_ZERO_SEED: the kernel's buckets, so the kernel's order. */
	{
		static const uint32_t want[] = { 29, 50, 1, 8, 15, 43, 36, 22 };
		uint32_t got[8], i = 0;
		bool same = true;

		h = mk(HASH, 4, 4, 8, ZSEED);
		for (uint32_t j = 0; j < 8; j++) {
			key = j * 7 + 1;
			bpfrt_map__update_elem(h, &key, 4, &j, 4, 0);
		}
		for (err = bpfrt_map__get_next_key(h, NULL, &next, 4); !err && i < 8;
		     err = bpfrt_map__get_next_key(h, &key, &next, 4)) {
			got[i] = next;
			same &= next == want[i++];
			key = next;
		}
		T_CHECK(same && i == 8, "zero seed: iteration order is the kernel's");
		if (have_kernel) {
			int fd = k_create(HASH, 4, 4, 8, ZSEED, 0, 0, NULL);

			for (uint32_t j = 0; j < 8; j++) {
				key = j * 7 + 1;
				k_elem(BPF_MAP_UPDATE_ELEM, fd, &key, &j, 0);
			}
			i = 0;
			same = true;
			for (err = k_elem(BPF_MAP_GET_NEXT_KEY, fd, NULL, &next, 0); !err && i < 8;
			     err = k_elem(BPF_MAP_GET_NEXT_KEY, fd, &key, &next, 0)) {
				same &= next == got[i++];
				key = next;
			}
			T_CHECK(same && i == 8, "zero seed: the kernel iterates in the same order");
			close(fd);
		}
		bpfrt_map__destroy(h);
	}
}

/* ---- queues and stacks ---- */

/* One element op on a keyless map: bpfrt's (m) or the kernel's (fd). */
static int kl_op(const struct bpfrt_map *m, int fd, int cmd, void *v, size_t vs, uint64_t flags)
{
	if (!m)
		return k_elem(cmd, fd, NULL, v, flags);
	switch (cmd) {
	case BPF_MAP_UPDATE_ELEM: return bpfrt_map__update_elem(m, NULL, 0, v, vs, flags);
	case BPF_MAP_LOOKUP_ELEM: return bpfrt_map__lookup_elem(m, NULL, 0, v, vs, flags);
	case BPF_MAP_LOOKUP_AND_DELETE_ELEM:
		return bpfrt_map__lookup_and_delete_elem(m, NULL, 0, v, vs, flags);
	case BPF_MAP_DELETE_ELEM: return bpfrt_map__delete_elem(m, NULL, 0, flags);
	default: return bpfrt_map__get_next_key(m, NULL, v, 0);
	}
}

struct qs_step {
	int cmd;
	uint64_t value;    /* pushed, or expected from peek / pop */
	uint64_t flags;
	int err;
};

#define QS_END { -1, 0, 0, 0 }

/* max_entries 3, value_size 8: the same steps on a queue and a stack. */
static const struct qs_step queue_steps[] = {
	{ BPF_MAP_LOOKUP_ELEM, 0, 0, -ENOENT }, { BPF_MAP_LOOKUP_AND_DELETE_ELEM, 0, 0, -ENOENT },
	{ BPF_MAP_UPDATE_ELEM, 1, BPFRT_NOEXIST, -EINVAL }, { BPF_MAP_UPDATE_ELEM, 1, 3, -EINVAL },
	{ BPF_MAP_UPDATE_ELEM, 1, LOCK, -EINVAL }, { BPF_MAP_UPDATE_ELEM, 1, 0, 0 },
	{ BPF_MAP_UPDATE_ELEM, 2, BPFRT_EXIST, 0 }, { BPF_MAP_UPDATE_ELEM, 3, 0, 0 },
	{ BPF_MAP_UPDATE_ELEM, 4, 0, -E2BIG }, { BPF_MAP_LOOKUP_ELEM, 1, 0, 0 },
	{ BPF_MAP_UPDATE_ELEM, 4, BPFRT_EXIST, 0 },           /* drops 1, the oldest */
	{ BPF_MAP_LOOKUP_ELEM, 2, 0, 0 }, { BPF_MAP_LOOKUP_ELEM, 2, LOCK, -EINVAL },
	{ BPF_MAP_LOOKUP_AND_DELETE_ELEM, 2, LOCK, -EINVAL },
	{ BPF_MAP_LOOKUP_AND_DELETE_ELEM, 2, 0, 0 }, { BPF_MAP_UPDATE_ELEM, 5, 0, 0 },
	{ BPF_MAP_DELETE_ELEM, 0, 0, -EINVAL }, { BPF_MAP_GET_NEXT_KEY, 0, 0, -EINVAL },
	{ BPF_MAP_LOOKUP_AND_DELETE_ELEM, 3, 0, 0 }, { BPF_MAP_LOOKUP_AND_DELETE_ELEM, 4, 0, 0 },
	{ BPF_MAP_LOOKUP_AND_DELETE_ELEM, 5, 0, 0 }, { BPF_MAP_LOOKUP_ELEM, 0, 0, -ENOENT },
	QS_END,
};

static const struct qs_step stack_steps[] = {
	{ BPF_MAP_LOOKUP_ELEM, 0, 0, -ENOENT }, { BPF_MAP_LOOKUP_AND_DELETE_ELEM, 0, 0, -ENOENT },
	{ BPF_MAP_UPDATE_ELEM, 1, BPFRT_NOEXIST, -EINVAL }, { BPF_MAP_UPDATE_ELEM, 1, 0, 0 },
	{ BPF_MAP_UPDATE_ELEM, 2, 0, 0 }, { BPF_MAP_UPDATE_ELEM, 3, BPFRT_EXIST, 0 },
	{ BPF_MAP_UPDATE_ELEM, 4, 0, -E2BIG }, { BPF_MAP_LOOKUP_ELEM, 3, 0, 0 },
	{ BPF_MAP_UPDATE_ELEM, 4, BPFRT_EXIST, 0 },           /* drops 1, the bottom */
	{ BPF_MAP_LOOKUP_AND_DELETE_ELEM, 4, 0, 0 }, { BPF_MAP_LOOKUP_AND_DELETE_ELEM, 3, 0, 0 },
	{ BPF_MAP_UPDATE_ELEM, 5, 0, 0 }, { BPF_MAP_LOOKUP_AND_DELETE_ELEM, 5, 0, 0 },
	{ BPF_MAP_LOOKUP_AND_DELETE_ELEM, 2, 0, 0 }, { BPF_MAP_LOOKUP_AND_DELETE_ELEM, 0, 0, -ENOENT },
	{ BPF_MAP_DELETE_ELEM, 0, 0, -EINVAL }, { BPF_MAP_GET_NEXT_KEY, 0, 0, -EINVAL },
	QS_END,
};

static void run_qs_steps(const char *name, uint32_t type, const struct qs_step *steps)
{
	struct bpfrt_map *m = mk(type, 0, 8, 3, 0);
	int fd = have_kernel ? k_create(type, 0, 8, 3, 0, 0, 0, NULL) : -1;
	bool ok = m != NULL;

	for (int i = 0; m && steps[i].cmd >= 0; i++) {
		const struct qs_step *st = &steps[i];
		uint64_t v = st->cmd == BPF_MAP_UPDATE_ELEM ? st->value : 0xeeee, kv = v;
		int got = kl_op(m, -1, st->cmd, &v, 8, st->flags), kgot;
		bool read = st->cmd == BPF_MAP_LOOKUP_ELEM || st->cmd == BPF_MAP_LOOKUP_AND_DELETE_ELEM;

		if (got != st->err || (read && !got && v != st->value)) {
			t_fail("%s step %d: got %d (value %llu), want %d (value %llu)", name, i, got,
			       (unsigned long long)v, st->err, (unsigned long long)st->value);
			ok = false;
		}
		if (fd < 0)
			continue;
		kgot = kl_op(NULL, fd, st->cmd, &kv, 8, st->flags);
		if (kgot != st->err || (read && !kgot && kv != st->value)) {
			t_fail("%s step %d: the kernel says %d (value %llu)", name, i, kgot,
			       (unsigned long long)kv);
			ok = false;
		}
	}
	if (ok)
		t_pass("%s: push, peek, pop, overwrite when full%s", name,
		       fd >= 0 ? " (and the kernel agrees)" : "");
	if (fd >= 0)
		close(fd);
	bpfrt_map__destroy(m);
}

static void test_queue_stack(void)
{
	struct bpfrt_map *m;
	uint64_t v = 7, out = 0;
	uint32_t key = 0;

	run_qs_steps("queue", BPFRT_MAP_TYPE_QUEUE, queue_steps);
	run_qs_steps("stack", BPFRT_MAP_TYPE_STACK, stack_steps);

	/* Sizes: no key, whole values; frozen maps refuse pushes and pops. */
	m = mk(BPFRT_MAP_TYPE_QUEUE, 0, 8, 4, 0);
	T_CHECK(m && bpfrt_map__update_elem(m, &key, 4, &v, 8, 0) == -EINVAL &&
		bpfrt_map__update_elem(m, NULL, 0, &v, 4, 0) == -EINVAL &&
		bpfrt_map__update_elem(m, NULL, 0, &v, 8, 0) == 0 &&
		bpfrt_map__freeze(m) == 0 && bpfrt_map__update_elem(m, NULL, 0, &v, 8, 0) == -EPERM &&
		bpfrt_map__lookup_and_delete_elem(m, NULL, 0, &out, 8, 0) == -EPERM &&
		bpfrt_map__lookup_elem(m, NULL, 0, &out, 8, 0) == 0 && out == 7,
		"queue: key size 0, value size checked, frozen: peek only");
	bpfrt_map__destroy(m);

	/* Wrapping around the ring many times keeps FIFO order. */
	m = mk(BPFRT_MAP_TYPE_QUEUE, 0, 8, 5, 0);
	{
		uint64_t next_in = 0, next_out = 0;
		bool ok = m != NULL;

		for (int i = 0; ok && i < 1000; i++) {
			if (i % 3 != 2 && bpfrt_map__update_elem(m, NULL, 0, &next_in, 8, 0) == 0)
				next_in++;
			else if (bpfrt_map__lookup_and_delete_elem(m, NULL, 0, &out, 8, 0) == 0)
				ok = out == next_out++;
		}
		T_CHECK(ok && next_out > 300, "queue: FIFO order across ring wrap-arounds");
	}
	bpfrt_map__destroy(m);

	/* Programs: the keyed helpers do not apply (the verifier refuses them). */
	m = mk(BPFRT_MAP_TYPE_STACK, 0, 8, 4, 0);
	T_CHECK(m && map_lookup(map_of(m), NULL, 0) == NULL &&
		map_update(map_of(m), NULL, &v, 0, 0) == -EINVAL &&
		map_delete(map_of(m), NULL) == -EINVAL, "stack: program-side keyed ops refused");
	bpfrt_map__destroy(m);
}

/* Two producers and two consumers on one small queue: every value comes out once. */
enum { QS_PER_PRODUCER = 20000 };

struct qs_worker {
	struct bpfrt_map *m;
	uint64_t base;             /* producer: values base + 1 .. base + QS_PER_PRODUCER */
	uint64_t sum;              /* consumer: sum of values popped */
	uint32_t popped;
	uint32_t *total;           /* pops by all consumers */
};

static void *qs_producer(void *arg)
{
	struct qs_worker *w = arg;

	for (uint64_t i = 1; i <= QS_PER_PRODUCER;) {
		uint64_t v = w->base + i;

		if (bpfrt_map__update_elem(w->m, NULL, 0, &v, 8, 0) == 0)
			i++;
		else
			sched_yield();
	}
	return NULL;
}

static void *qs_consumer(void *arg)
{
	struct qs_worker *w = arg;
	uint64_t v;

	while (__atomic_load_n(w->total, __ATOMIC_RELAXED) < 2 * QS_PER_PRODUCER) {
		if (bpfrt_map__lookup_and_delete_elem(w->m, NULL, 0, &v, 8, 0) == 0) {
			w->sum += v;
			w->popped++;
			__atomic_add_fetch(w->total, 1, __ATOMIC_RELAXED);
		} else {
			sched_yield();
		}
	}
	return NULL;
}

static void test_queue_concurrency(void)
{
	struct bpfrt_map *m = mk(BPFRT_MAP_TYPE_QUEUE, 0, 8, 8, 0);
	struct qs_worker w[4];
	pthread_t th[4];
	uint32_t total = 0;
	uint64_t sum = 0, want = 0;

	for (int i = 0; i < 4; i++) {
		w[i] = (struct qs_worker){ m, i < 2 ? (uint64_t)i << 32 : 0, 0, 0, &total };
		pthread_create(&th[i], NULL, i < 2 ? qs_producer : qs_consumer, &w[i]);
	}
	for (int i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	for (uint64_t i = 1; i <= QS_PER_PRODUCER; i++)
		want += i + (i + (1ULL << 32));
	sum = w[2].sum + w[3].sum;
	T_CHECK(m && total == 2 * QS_PER_PRODUCER && sum == want,
		"concurrency: 2 producers and 2 consumers on a queue of 8, every value popped once");
	bpfrt_map__destroy(m);
}

/* ---- bloom filters ---- */

static void test_bloom(void)
{
	/* value_size, max_entries, map_extra: jhash2 and jhash, several array sizes. */
	static const struct { uint32_t vs, max; uint64_t extra; } cfg[] = {
		{ 8, 64, 3 }, { 4, 100, 0 }, { 3, 10, 1 }, { 13, 1000, 7 }, { 16, 1, 15 },
		{ 1, 5000, 2 }, { 8, 16, 1 }, { 5, 50, 2 }, { 12, 30, 4 },
	};
	struct bpfrt_map *m;
	uint64_t v = 1;
	int fd;

	for (size_t c = 0; c < ARRAY_SIZE(cfg); c++) {
		struct bpfrt_map_create_opts o = { .sz = sizeof(o), .map_flags = ZSEED,
						   .map_extra = cfg[c].extra };
		uint32_t vs = cfg[c].vs, n = cfg[c].max, fneg = 0, diff = 0, fpos = 0;
		uint8_t val[16];

		m = bpfrt_map__create(BPFRT_MAP_TYPE_BLOOM_FILTER, 0, vs, n, &o);
		fd = have_kernel ? k_create(BPFRT_MAP_TYPE_BLOOM_FILTER, 0, vs, n, ZSEED, 0,
					    cfg[c].extra, NULL) : -1;
		if (!m) {
			t_fail("bloom %u/%u/%llu: create: %s", vs, n, (unsigned long long)cfg[c].extra,
			       strerror(errno));
			continue;
		}
		/* Push values 0..n-1 (as bytes of i * 2654435761), test 4n values. */
		for (uint32_t i = 0; i < 4 * n; i++) {
			uint64_t x = (uint64_t)i * 2654435761u;
			int got, kgot;

			for (uint32_t b = 0; b < vs; b++)
				val[b] = (uint8_t)(x >> (8 * (b % 8))) ^ (uint8_t)b;
			if (i < n) {
				bpfrt_map__update_elem(m, NULL, 0, val, vs, 0);
				if (fd >= 0)
					k_elem(BPF_MAP_UPDATE_ELEM, fd, NULL, val, 0);
				continue;
			}
			/* Test the pushed ones (i - n < n), then others. */
			if (i < 2 * n) {
				for (uint32_t b = 0; b < vs; b++)
					val[b] = (uint8_t)((uint64_t)(i - n) * 2654435761u >> (8 * (b % 8))) ^
						 (uint8_t)b;
			}
			got = bpfrt_map__lookup_elem(m, NULL, 0, val, vs, 0);
			fneg += i < 2 * n && got != 0;
			fpos += i >= 2 * n && got == 0;
			if (fd >= 0) {
				kgot = k_elem(BPF_MAP_LOOKUP_ELEM, fd, NULL, val, 0);
				diff += kgot != got;
			}
		}
		T_CHECK(fneg == 0 && diff == 0, "bloom %u/%u/%llu: no false negatives, %u false "
			"positives in %u%s", vs, n, (unsigned long long)cfg[c].extra, fpos, 2 * n,
			fd >= 0 ? ", every answer the kernel's (zero seed)" : "");
		if (fd >= 0)
			close(fd);
		bpfrt_map__destroy(m);
	}

	m = mk(BPFRT_MAP_TYPE_BLOOM_FILTER, 0, 8, 16, 0);
	T_CHECK(m && bpfrt_map__update_elem(m, NULL, 0, &v, 8, BPFRT_NOEXIST) == -EINVAL &&
		bpfrt_map__update_elem(m, NULL, 0, &v, 8, BPFRT_EXIST) == -EINVAL &&
		bpfrt_map__lookup_elem(m, NULL, 0, &v, 8, 0) == -ENOENT &&
		bpfrt_map__update_elem(m, NULL, 0, &v, 8, 0) == 0 &&
		bpfrt_map__lookup_elem(m, NULL, 0, &v, 8, 0) == 0 &&
		bpfrt_map__delete_elem(m, NULL, 0, 0) == -EOPNOTSUPP &&
		bpfrt_map__get_next_key(m, NULL, NULL, 0) == -EOPNOTSUPP &&
		bpfrt_map__lookup_and_delete_elem(m, NULL, 0, &v, 8, 0) == -ENOTSUPP,
		"bloom: push BPF_ANY only; peek; no delete, pop or iteration");
	bpfrt_map__destroy(m);
}

/* ---- LPM tries ---- */

struct lpm4 {
	uint32_t prefixlen;
	uint8_t data[4];
};

static struct lpm4 lpm4(uint32_t plen, uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	struct lpm4 k = { plen, { a, b, c, d } };

	return k;
}

/* get_next_key on bpfrt (m) or the kernel (fd). */
static int lpm_next(const struct bpfrt_map *m, int fd, const struct lpm4 *k, struct lpm4 *next)
{
	if (m)
		return bpfrt_map__get_next_key(m, k, next, sizeof(*next));
	return k_elem(BPF_MAP_GET_NEXT_KEY, fd, k, next, 0);
}

static uint64_t lpm_rng = 0x1234567;

static uint32_t lpm_rand(void)
{
	lpm_rng = lpm_rng * 6364136223846793005ULL + 1442695040888963407ULL;
	return (uint32_t)(lpm_rng >> 33);
}

static void test_lpm_trie(void)
{
	struct bpfrt_map *m = mk(BPFRT_MAP_TYPE_LPM_TRIE, 8, 4, 16, NOPRE);
	struct lpm4 k, next;
	uint32_t v, *p;
	int err;

	/* The kernel's own example: post-order, more specific prefixes first. */
	static const uint8_t order[][3] = { { 0, 24 }, { 1, 24 }, { 128, 24 }, { 0, 16 } };
	bool ok = m != NULL;

	v = 16, k = lpm4(16, 192, 168, 0, 0), ok &= !bpfrt_map__update_elem(m, &k, 8, &v, 4, 0);
	v = 24, k = lpm4(24, 192, 168, 0, 0), ok &= !bpfrt_map__update_elem(m, &k, 8, &v, 4, 0);
	v = 124, k = lpm4(24, 192, 168, 1, 0), ok &= !bpfrt_map__update_elem(m, &k, 8, &v, 4, 0);
	v = 224, k = lpm4(24, 192, 168, 128, 0), ok &= !bpfrt_map__update_elem(m, &k, 8, &v, 4, 0);
	for (int i = 0; ok && i < 4; i++) {
		ok &= !lpm_next(m, -1, i ? &k : NULL, &next) && next.prefixlen == order[i][1] &&
		      next.data[2] == order[i][0];
		k = next;
	}
	T_CHECK(ok && lpm_next(m, -1, &k, &next) == -ENOENT,
		"lpm_trie: iteration in the kernel's post-order");
	k = lpm4(32, 192, 168, 1, 77);
	T_CHECK(!bpfrt_map__lookup_elem(m, &k, 8, &v, 4, 0) && v == 124 &&
		(k = lpm4(32, 192, 168, 2, 1), !bpfrt_map__lookup_elem(m, &k, 8, &v, 4, 0)) && v == 16 &&
		(k = lpm4(32, 10, 0, 0, 1), bpfrt_map__lookup_elem(m, &k, 8, &v, 4, 0) == -ENOENT) &&
		(k = lpm4(20, 192, 168, 1, 1), !bpfrt_map__lookup_elem(m, &k, 8, &v, 4, 0)) && v == 16,
		"lpm_trie: longest-prefix match, limited to the key's prefix length");
	k = lpm4(32, 192, 168, 128, 9);
	p = map_lookup(map_of(m), &k, 0);
	T_CHECK(p && *p == 224, "lpm_trie: program-side look-up points at the value");
	k = lpm4(33, 192, 168, 0, 0);
	T_CHECK(bpfrt_map__update_elem(m, &k, 8, &v, 4, 0) == -EINVAL &&
		bpfrt_map__delete_elem(m, &k, 8, 0) == -EINVAL &&
		bpfrt_map__lookup_elem(m, &k, 8, &v, 4, 0) == -ENOENT &&
		(k = lpm4(16, 192, 168, 0, 0), bpfrt_map__update_elem(m, &k, 8, &v, 4, 3) == -EINVAL) &&
		bpfrt_map__update_elem(m, &k, 8, &v, 4, BPFRT_NOEXIST) == -EEXIST &&
		(k = lpm4(15, 192, 168, 0, 0), bpfrt_map__update_elem(m, &k, 8, &v, 4,
								      BPFRT_EXIST) == -ENOENT) &&
		bpfrt_map__delete_elem(m, &k, 8, 0) == -ENOENT &&
		bpfrt_map__lookup_and_delete_elem(m, &k, 8, &v, 4, 0) == -ENOTSUPP,
		"lpm_trie: prefixlen above the maximum, flags, exact-prefix update and delete");
	bpfrt_map__destroy(m);

	/* Full: ENOSPC for a new prefix, a stored one can still be replaced. */
	m = mk(BPFRT_MAP_TYPE_LPM_TRIE, 5, 4, 2, NOPRE);
	{
		uint8_t k5[5] = { 8, 0, 0, 0, 10 };
		bool full_ok = m && !bpfrt_map__update_elem(m, k5, 5, &v, 4, 0);

		k5[4] = 11;
		full_ok &= !bpfrt_map__update_elem(m, k5, 5, &v, 4, 0);
		k5[4] = 12;
		full_ok &= bpfrt_map__update_elem(m, k5, 5, &v, 4, 0) == -ENOSPC;
		k5[4] = 11;
		full_ok &= !bpfrt_map__update_elem(m, k5, 5, &v, 4, BPFRT_EXIST);
		T_CHECK(full_ok, "lpm_trie: full map: ENOSPC for new prefixes only");
	}
	bpfrt_map__destroy(m);

	/*
	 * Random prefixes on bpfrt and the kernel: the same answers, and
	 * get_next_key (from every stored key and from keys not stored) the
	 * same, in order.
	 */
	if (!have_kernel) {
		t_skip("lpm_trie: order against the kernel: bpf() not permitted");
		return;
	}
	m = mk(BPFRT_MAP_TYPE_LPM_TRIE, 8, 4, 200, NOPRE);
	{
		int fd = k_create(BPFRT_MAP_TYPE_LPM_TRIE, 8, 4, 200, NOPRE, 0, 0, NULL);
		uint32_t mism = 0, steps = 0, kv;
		struct lpm4 knext;

		for (int round = 0; round < 3000; round++) {
			uint32_t r = lpm_rand(), plen = lpm_rand() % 34, op = lpm_rand() % 10;
			int kerr;

			/* Few distinct high bits so that prefixes nest and share paths. */
			k = lpm4(plen, (uint8_t)(10 + (r & 1)), (uint8_t)(r >> 1 & 3),
				 (uint8_t)(r >> 8), (uint8_t)(r >> 16));
			v = r;
			if (op < 5) {
				err = bpfrt_map__update_elem(m, &k, 8, &v, 4, op % 3);
				kerr = k_elem(BPF_MAP_UPDATE_ELEM, fd, &k, &v, op % 3);
			} else if (op < 8) {
				err = bpfrt_map__delete_elem(m, &k, 8, 0);
				kerr = k_elem(BPF_MAP_DELETE_ELEM, fd, &k, NULL, 0);
			} else if (op < 9) {
				v = kv = 0;
				err = bpfrt_map__lookup_elem(m, &k, 8, &v, 4, 0);
				kerr = k_elem(BPF_MAP_LOOKUP_ELEM, fd, &k, &kv, 0);
				mism += v != kv;
			} else {
				memset(&next, 0, sizeof(next));
				memset(&knext, 0, sizeof(knext));
				err = lpm_next(m, -1, &k, &next);
				kerr = lpm_next(NULL, fd, &k, &knext);
				mism += memcmp(&next, &knext, sizeof(next)) != 0;
			}
			mism += err != kerr;
			if (round % 100)
				continue;
			/* A whole walk, key by key. */
			for (err = lpm_next(m, -1, NULL, &next), kerr = lpm_next(NULL, fd, NULL, &knext);
			     !err && !kerr; steps++) {
				mism += memcmp(&next, &knext, sizeof(next)) != 0;
				k = next;
				err = lpm_next(m, -1, &k, &next);
				kerr = lpm_next(NULL, fd, &k, &knext);
			}
			mism += err != kerr;
		}
		T_CHECK(fd >= 0 && mism == 0 && steps > 100, "lpm_trie: 3000 random ops and %u walk "
			"steps, every answer and key order the kernel's (%u differ)", steps, mism);
		if (fd >= 0)
			close(fd);
	}
	bpfrt_map__destroy(m);
}

/* A writer churns /24s under a stable /8 while readers look up from the program side. */
struct lpm_worker {
	struct bpfrt_map *m;
	int stop;
	uint32_t bad, reads;
};

static void *lpm_churner(void *arg)
{
	struct lpm_worker *w = arg;
	uint32_t v;

	for (uint32_t i = 0; i < 20000; i++) {
		struct lpm4 k = lpm4(24, 10, (uint8_t)(i % 7), (uint8_t)(i % 13), 0);

		v = 24;
		if (i % 3 == 2)
			bpfrt_map__delete_elem(w->m, &k, 8, 0);
		else
			bpfrt_map__update_elem(w->m, &k, 8, &v, 4, 0);
	}
	__atomic_store_n(&w->stop, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void *lpm_reader(void *arg)
{
	struct lpm_worker *w = arg;
	uint32_t i = 0;

	while (!__atomic_load_n(&w->stop, __ATOMIC_ACQUIRE)) {
		struct lpm4 k = lpm4(32, 10, (uint8_t)(i % 7), (uint8_t)(i % 13), (uint8_t)i);
		uint32_t *p = map_lookup(map_of(w->m), &k, 0);

		if (!p || (*p != 8 && *p != 24))
			__atomic_add_fetch(&w->bad, 1, __ATOMIC_RELAXED);
		__atomic_add_fetch(&w->reads, 1, __ATOMIC_RELAXED);
		i++;
	}
	return NULL;
}

static void test_lpm_concurrency(void)
{
	struct lpm_worker w = { mk(BPFRT_MAP_TYPE_LPM_TRIE, 8, 4, 256, NOPRE), 0, 0, 0 };
	struct lpm4 k = lpm4(8, 10, 0, 0, 0);
	uint32_t v = 8;
	pthread_t th[3];

	bpfrt_map__update_elem(w.m, &k, 8, &v, 4, 0);
	pthread_create(&th[0], NULL, lpm_churner, &w);
	pthread_create(&th[1], NULL, lpm_reader, &w);
	pthread_create(&th[2], NULL, lpm_reader, &w);
	for (int i = 0; i < 3; i++)
		pthread_join(th[i], NULL);
	T_CHECK(w.m && w.bad == 0, "concurrency: lpm_trie look-ups during updates and deletes "
		"always find the /8 or a /24 (%u reads)", w.reads);
	bpfrt_map__destroy(w.m);
}

/* ---- batches ---- */

static void test_batches(void)
{
	uint32_t keys[64], vals[64], cnt, in, out = 0xdead;
	struct bpfrt_map *a = mk(ARRAY, 4, 4, 10, 0), *h;
	int err;

	cnt = 4;
	err = bpfrt_map__lookup_batch(a, NULL, &out, keys, vals, &cnt, 0);
	T_CHECK(!err && cnt == 4 && out == 3 && keys[0] == 0 && keys[3] == 3,
		"array lookup batch: first 4, token = last key");
	in = out;
	cnt = 4;
	err = bpfrt_map__lookup_batch(a, &in, &out, keys, vals, &cnt, 0);
	T_CHECK(!err && cnt == 4 && out == 7 && keys[0] == 4, "array lookup batch: next 4");
	in = out;
	cnt = 4;
	err = bpfrt_map__lookup_batch(a, &in, &out, keys, vals, &cnt, 0);
	T_CHECK(err == -ENOENT && cnt == 2 && out == 9, "array lookup batch: -ENOENT with the last 2");
	in = out;
	cnt = 4;
	out = 0xdead;
	err = bpfrt_map__lookup_batch(a, &in, &out, keys, vals, &cnt, 0);
	T_CHECK(err == -ENOENT && cnt == 0 && out == 0xdead,
		"array lookup batch past the end: -ENOENT, token untouched");
	in = 100;
	cnt = 4;
	err = bpfrt_map__lookup_batch(a, &in, &out, keys, vals, &cnt, 0);
	T_CHECK(!err && cnt == 4 && keys[0] == 0, "array lookup batch: a token out of range restarts");
	cnt = 0;
	T_CHECK(bpfrt_map__lookup_batch(a, NULL, &out, keys, vals, &cnt, 0) == 0 &&
		bpfrt_map__lookup_batch(a, NULL, &out, keys, vals, &cnt, 1) == -EINVAL &&
		bpfrt_map__lookup_batch(a, NULL, &out, keys, vals, &cnt, LOCK) == -EINVAL,
		"batch: count 0 is a no-op, but flags are checked first");
	cnt = 2;
	T_CHECK(bpfrt_map__delete_batch(a, keys, &cnt, 7) == -ENOTSUPP && cnt == 2 &&
		bpfrt_map__lookup_and_delete_batch(a, NULL, &out, keys, vals, &cnt, 0) == -ENOTSUPP,
		"array: no delete batches (ENOTSUPP before flags)");
	keys[0] = 1, keys[1] = 20, keys[2] = 2;
	vals[0] = vals[1] = vals[2] = 5;
	cnt = 3;
	err = bpfrt_map__update_batch(a, keys, vals, &cnt, 0);
	T_CHECK(err == -E2BIG && cnt == 1, "update batch stops at the first failure (count 1)");
	cnt = 3;
	T_CHECK(bpfrt_map__update_batch(a, keys, vals, &cnt, BPFRT_NOEXIST) == -EINVAL && cnt == 3,
		"update batch: only BPF_F_LOCK as element flag; count untouched on -EINVAL");
	bpfrt_map__destroy(a);

	/* Hash: whole buckets. Zero seed, so the buckets are the kernel's. */
	h = mk(HASH, 4, 4, 8, ZSEED);
	for (uint32_t i = 0; i < 8; i++) {
		uint32_t k = i * 7 + 1;

		bpfrt_map__update_elem(h, &k, 4, &i, 4, 0);
	}
	cnt = 1;
	err = bpfrt_map__lookup_batch(h, NULL, &out, keys, vals, &cnt, 0);
	T_CHECK(!err && cnt == 1 && out == 2, "hash lookup batch: 1 element, token = bucket 2");
	cnt = 3;
	err = bpfrt_map__lookup_batch(h, NULL, &out, keys, vals, &cnt, 0);
	T_CHECK(!err && cnt == 3 && out == 4, "hash lookup batch: 3 elements, token = bucket 4");
	in = out;
	cnt = 3;
	err = bpfrt_map__lookup_batch(h, &in, &out, keys, vals, &cnt, 0);
	T_CHECK(!err && cnt == 2 && out == 6, "hash lookup batch: a bucket that does not fit waits");
	in = out;
	cnt = 3;
	err = bpfrt_map__lookup_batch(h, &in, &out, keys, vals, &cnt, 0);
	T_CHECK(err == -ENOENT && cnt == 3 && out == 8, "hash lookup batch: -ENOENT at the end");
	in = 8;
	cnt = 3;
	out = 0xdead;
	err = bpfrt_map__lookup_batch(h, &in, &out, keys, vals, &cnt, 0);
	T_CHECK(err == -ENOENT && cnt == 0 && out == 0xdead, "hash lookup batch from bucket 8: -ENOENT");
	keys[0] = 1, keys[1] = 99, keys[2] = 8;
	cnt = 3;
	err = bpfrt_map__delete_batch(h, keys, &cnt, 0);
	T_CHECK(err == -ENOENT && cnt == 1, "hash delete batch stops at a missing key");
	cnt = 3;
	T_CHECK(bpfrt_map__delete_batch(h, keys, &cnt, LOCK) == -EINVAL, "delete batch: F_LOCK without lock");
	keys[0] = 1, keys[1] = 100, keys[2] = 101, keys[3] = 102;
	cnt = 4;
	err = bpfrt_map__update_batch(h, keys, vals, &cnt, 0);
	T_CHECK(err == -E2BIG && cnt == 1, "hash update batch: E2BIG when full");
	cnt = 4;
	err = bpfrt_map__lookup_and_delete_batch(h, NULL, &out, keys, vals, &cnt, 0);
	T_CHECK(!err && cnt == 4 && out == 5, "hash lookup_and_delete batch: 4 elements");
	cnt = 64;
	err = bpfrt_map__lookup_and_delete_batch(h, NULL, &out, keys, vals, &cnt, 0);
	T_CHECK(err == -ENOENT && cnt == 4 && bpfrt_map__get_next_key(h, NULL, &in, 4) == -ENOENT,
		"hash lookup_and_delete batch empties the map");
	bpfrt_map__destroy(h);

	/* ENOSPC: the first non-empty bucket does not fit. */
	h = mk(HASH, 4, 4, 1000, ZSEED);
	for (uint32_t i = 0; i < 1000; i++)
		bpfrt_map__update_elem(h, &i, 4, &i, 4, 0);
	in = 0;
	for (err = 0; !err;) {
		cnt = 1;
		err = bpfrt_map__lookup_batch(h, &in, &out, keys, vals, &cnt, 0);
		in = out;
	}
	T_CHECK(err == -ENOSPC && cnt == 0, "hash lookup batch: -ENOSPC for a bucket of 2 in a buffer of 1");
	bpfrt_map__destroy(h);

	/* The kernel agrees on a whole walk with random counts (zero seed). */
	if (have_kernel && bpfrt_map__nr_cpus(h = mk(PHASH, 4, 4, 1, 0)) <= 64) {
		struct bpfrt_map *b = mk(PHASH, 4, 4, 300, ZSEED);
		int fd = k_create(PHASH, 4, 4, 300, ZSEED, 0, 0, NULL);
		uint32_t ncpu = bpfrt_map__nr_cpus(b), kin = 0, kout, kcnt, bin = 0, bout;
		static uint8_t bv[300 * 8 * 64], kv[300 * 8 * 64];
		uint32_t bk[300], kk[300];
		bool same = true;
		int kerr, berr, rounds = 0;

		for (uint32_t i = 0; i < 250; i++) {
			uint8_t v[8 * 64];

			fill_value(v, 8 * ncpu, i, 0);
			bpfrt_map__update_elem(b, &i, 4, v, 8 * ncpu, 0);
			k_elem(BPF_MAP_UPDATE_ELEM, fd, &i, v, 0);
		}
		srand(7);
		do {
			cnt = kcnt = 1 + rand() % 12;
			berr = bpfrt_map__lookup_batch(b, rounds ? &bin : NULL, &bout, bk, bv, &cnt, 0);
			kerr = k_batch(BPF_MAP_LOOKUP_BATCH, fd, rounds ? &kin : NULL, &kout, kk, kv, &kcnt, 0);
			same &= berr == kerr && cnt == kcnt && (berr == -ENOSPC || bout == kout) &&
				!memcmp(bk, kk, cnt * 4) && !memcmp(bv, kv, (size_t)cnt * 8 * ncpu);
			bin = bout, kin = kout;
			rounds++;
		} while (same && (berr == 0 || berr == -ENOSPC) && rounds < 1000);
		T_CHECK(same && berr == -ENOENT, "per-CPU hash lookup batches equal the kernel's (%d calls)",
			rounds);
		close(fd);
		bpfrt_map__destroy(b);
	}
	bpfrt_map__destroy(h);
}

/* ---- spin locks ---- */

struct locked_val {
	uint32_t lock;
	uint32_t a;
	uint64_t b;
};

static void test_spin_lock(void)
{
	struct bpfrt_map_create_opts o = { .sz = sizeof(o), .value_has_spin_lock = true,
					   .btf_value_spin_lock_off = 0 };
	struct locked_val v = { 0xffffffff, 5, 6 }, back;
	struct bpfrt_map *h, *a, *bad;
	uint32_t k = 3, keys[2] = { 3, 4 }, cnt, out;
	struct locked_val vals[2];

	h = bpfrt_map__create(HASH, 4, sizeof(v), 8, &o);
	a = bpfrt_map__create(ARRAY, 4, sizeof(v), 8, &o);
	if (!h || !a) {
		t_fail("maps with a spin lock: %s", strerror(errno));
		return;
	}
	T_CHECK(bpfrt_map__update_elem(h, &k, 4, &v, sizeof(v), LOCK | BPFRT_EXIST) == -ENOENT &&
		bpfrt_map__update_elem(h, &k, 4, &v, sizeof(v), LOCK) == 0 &&
		bpfrt_map__update_elem(h, &k, 4, &v, sizeof(v), LOCK | BPFRT_NOEXIST) == -EEXIST,
		"F_LOCK updates with NOEXIST/EXIST");
	memset(&back, 0xee, sizeof(back));
	T_CHECK(bpfrt_map__lookup_elem(h, &k, 4, &back, sizeof(back), LOCK) == 0 &&
		back.lock == 0 && back.a == 5 && back.b == 6,
		"F_LOCK look-up: the lock reads as 0");
	T_CHECK(*(uint32_t *)map_lookup(map_of(h), &k, 0) == 0,
		"updates leave the lock word alone");
	T_CHECK(bpfrt_map__freeze(h) == -ENOTSUPP, "freeze with a spin lock: ENOTSUPP");
	T_CHECK(bpfrt_map__update_elem(a, &k, 4, &v, sizeof(v), LOCK | BPFRT_NOEXIST) == -EEXIST &&
		bpfrt_map__update_elem(a, &k, 4, &v, sizeof(v), LOCK | BPFRT_EXIST) == 0 &&
		bpfrt_map__lookup_elem(a, &k, 4, &back, sizeof(back), LOCK) == 0 && back.a == 5,
		"array: F_LOCK update and look-up");
	cnt = 2;
	T_CHECK(bpfrt_map__lookup_batch(a, NULL, &out, keys, vals, &cnt, LOCK) == 0 && cnt == 2 &&
		bpfrt_map__update_batch(a, keys, vals, &cnt, LOCK) == 0,
		"batches with F_LOCK on a map with a lock");
	memset(&back, 0xee, sizeof(back));
	T_CHECK(bpfrt_map__lookup_and_delete_elem(h, &k, 4, &back, sizeof(back), LOCK) == 0 &&
		back.lock == 0 && back.b == 6, "lookup_and_delete with F_LOCK");
	bpfrt_map__destroy(h);
	bpfrt_map__destroy(a);

	o.map_flags = BPFRT_F_RDONLY_PROG;
	bad = bpfrt_map__create(ARRAY, 4, sizeof(v), 8, &o);
	T_CHECK(!bad && errno == EACCES, "spin lock + RDONLY_PROG: EACCES");
	o.map_flags = 0;
	bad = bpfrt_map__create(PARRAY, 4, sizeof(v), 8, &o);
	T_CHECK(!bad && errno == EOPNOTSUPP, "spin lock in a per-CPU map: EOPNOTSUPP");
	o.btf_value_spin_lock_off = 14;
	bad = bpfrt_map__create(HASH, 4, sizeof(v), 8, &o);
	T_CHECK(!bad && errno == EINVAL, "spin lock beyond the value: EINVAL");
	o.btf_value_spin_lock_off = 2;
	bad = bpfrt_map__create(HASH, 4, sizeof(v), 8, &o);
	T_CHECK(!bad && errno == EINVAL, "misaligned spin lock: EINVAL");
}

/* ---- memory ---- */

static long resident_kib(void)
{
	long pages = 0, rss = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (!f)
		return -1;
	if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
		rss = -1;
	fclose(f);
	return rss < 0 ? -1 : rss * (sysconf(_SC_PAGESIZE) / 1024);
}

static void test_memory(void)
{
	long before = resident_kib(), after;
	struct bpfrt_map *h = mk(HASH, 8, 64, 1U << 22, 0);
	struct bpfrt_map *a = mk(PARRAY, 4, 64, 1U << 22, 0);

	after = resident_kib();
	if (before < 0 || !h || !a) {
		t_skip("memory: %s", !h || !a ? strerror(errno) : "no /proc/self/statm");
	} else {
		/* Preallocated in the kernel: ~600 MiB and ~512 MiB. */
		T_CHECK(after - before < 1024, "4M-entry hash and per-CPU array cost %ld KiB until used",
			after - before);
	}
	bpfrt_map__destroy(h);
	bpfrt_map__destroy(a);
}

/* ---- concurrency ---- */

enum { COUNTERS = 64, ADDS = 200000, CHURN = 4096 };

struct conc {
	struct bpfrt_map *h;
	struct bpfrt_map *locked;
	int stop;
	int failures;
};

static void *adder(void *arg)
{
	struct conc *c = arg;
	struct map *m = map_of(c->h);

	for (uint32_t i = 0; i < ADDS; i++) {
		uint32_t k = i % COUNTERS;
		uint64_t *v = map_lookup(m, &k, 0);

		if (!v)
			__atomic_add_fetch(&c->failures, 1, __ATOMIC_RELAXED);
		else
			__atomic_add_fetch(v, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

/* Lock-free look-ups of keys that come and go: pointers must stay in the value arena. */
static void *churn_reader(void *arg)
{
	struct conc *c = arg;
	struct map *m = map_of(c->h);
	struct bpfrt_region r;

	map_regions(m, &r, 1);
	for (uint32_t i = 0; !__atomic_load_n(&c->stop, __ATOMIC_RELAXED); i++) {
		uint32_t k = 1000 + (i * 40503U) % CHURN;
		char *v = map_lookup(m, &k, 0);

		if (v && (v < (char *)r.addr || v + 8 > (char *)r.addr + r.size))
			__atomic_add_fetch(&c->failures, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

static void *churner(void *arg)
{
	struct conc *c = arg;
	struct map *m = map_of(c->h);
	uint64_t v = 0;

	for (uint32_t i = 0; !__atomic_load_n(&c->stop, __ATOMIC_RELAXED); i++) {
		uint32_t k = 1000 + (i * 2654435761U) % CHURN;

		if (i & 1) {
			bpfrt_map__update_elem(c->h, &k, 4, &v, 8, 0);
			bpfrt_map__delete_elem(c->h, &k, 4, 0);
		} else {
			map_update(m, &k, &v, 0, 0);
			map_delete(m, &k);
		}
	}
	return NULL;
}

static void *iterator(void *arg)
{
	struct conc *c = arg;
	uint32_t key, next, keys[64], out, cnt, in;
	uint64_t vals[64];
	int err;

	while (!__atomic_load_n(&c->stop, __ATOMIC_RELAXED)) {
		for (err = bpfrt_map__get_next_key(c->h, NULL, &next, 4); !err;
		     err = bpfrt_map__get_next_key(c->h, &key, &next, 4))
			key = next;
		in = 0;
		do {
			cnt = 64;
			err = bpfrt_map__lookup_batch(c->h, &in, &out, keys, vals, &cnt, 0);
			in = out;
		} while (!err);
		if (err != -ENOENT)
			__atomic_add_fetch(&c->failures, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

/* Programs increment both halves under the value's lock; user space must never see them differ. */
static void *locker(void *arg)
{
	struct conc *c = arg;
	struct map *m = map_of(c->locked);
	uint32_t k = 0;

	for (int i = 0; i < ADDS / 4; i++) {
		struct locked_val *v = map_lookup(m, &k, 0);

		map_spin_lock(&v->lock);
		v->a++;
		v->b++;
		map_spin_unlock(&v->lock);
	}
	return NULL;
}

static void *lock_reader(void *arg)
{
	struct conc *c = arg;
	struct locked_val v;
	uint32_t k = 0;

	while (!__atomic_load_n(&c->stop, __ATOMIC_RELAXED)) {
		bpfrt_map__lookup_elem(c->locked, &k, 4, &v, sizeof(v), LOCK);
		if (v.a != v.b)
			__atomic_add_fetch(&c->failures, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

static void test_concurrency(void)
{
	struct bpfrt_map_create_opts lo = { .sz = sizeof(lo), .value_has_spin_lock = true };
	struct conc c = { .h = mk(HASH, 4, 8, COUNTERS + CHURN, 0) };
	pthread_t add[3], ch[2], it, lk[2], lr, cr;
	uint64_t total = 0, v = 0;
	struct locked_val lv;
	uint32_t k = 0;

	c.locked = bpfrt_map__create(ARRAY, 4, sizeof(struct locked_val), 1, &lo);
	for (k = 0; k < COUNTERS; k++)
		bpfrt_map__update_elem(c.h, &k, 4, &v, 8, 0);
	for (int i = 0; i < 2; i++)
		pthread_create(&ch[i], NULL, churner, &c);
	pthread_create(&it, NULL, iterator, &c);
	pthread_create(&lr, NULL, lock_reader, &c);
	pthread_create(&cr, NULL, churn_reader, &c);
	for (int i = 0; i < 3; i++)
		pthread_create(&add[i], NULL, adder, &c);
	for (int i = 0; i < 2; i++)
		pthread_create(&lk[i], NULL, locker, &c);
	for (int i = 0; i < 3; i++)
		pthread_join(add[i], NULL);
	for (int i = 0; i < 2; i++)
		pthread_join(lk[i], NULL);
	__atomic_store_n(&c.stop, 1, __ATOMIC_RELAXED);
	for (int i = 0; i < 2; i++)
		pthread_join(ch[i], NULL);
	pthread_join(it, NULL);
	pthread_join(lr, NULL);
	pthread_join(cr, NULL);
	for (k = 0; k < COUNTERS; k++) {
		bpfrt_map__lookup_elem(c.h, &k, 4, &v, 8, 0);
		total += v;
	}
	T_CHECK(c.failures == 0 && total == 3ULL * ADDS,
		"concurrency: %llu atomic adds through program pointers, none lost, %d failures",
		(unsigned long long)total, c.failures);
	k = 0;
	bpfrt_map__lookup_elem(c.locked, &k, 4, &lv, sizeof(lv), LOCK);
	T_CHECK(lv.a == ADDS / 2 && lv.b == ADDS / 2,
		"concurrency: bpf_spin_lock sections of 2 workers, F_LOCK readers saw no torn value");
	total = 0;
	for (int err = bpfrt_map__get_next_key(c.h, NULL, &k, 4); !err;
	     err = bpfrt_map__get_next_key(c.h, &k, &k, 4))
		total++;
	T_CHECK(total == COUNTERS, "concurrency: churned keys all deleted (%llu left)",
		(unsigned long long)total);
	bpfrt_map__destroy(c.h);
	bpfrt_map__destroy(c.locked);
}

/* ---- timing (information only) ---- */

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void test_timing(void)
{
	enum { N = 10000, LOOKUPS = 4000000 };
	struct bpfrt_map *h = mk(HASH, 4, 8, N, 0), *a = mk(ARRAY, 4, 8, N, 0);
	struct map *mh = map_of(h), *ma = map_of(a);
	static uint32_t order[1 << 16];
	uint64_t v = 1, sum = 0;
	double t0, th, ta;

	for (uint32_t i = 0; i < N; i++) {
		bpfrt_map__update_elem(h, &i, 4, &v, 8, 0);
		bpfrt_map__update_elem(a, &i, 4, &v, 8, 0);
	}
	srand(1);
	for (size_t i = 0; i < ARRAY_SIZE(order); i++)
		order[i] = (uint32_t)rand() % N;
	t0 = now_ns();
	for (uint32_t i = 0; i < LOOKUPS; i++)
		sum += *(uint64_t *)map_lookup(mh, &order[i & 0xffff], 0);
	th = (now_ns() - t0) / LOOKUPS;
	t0 = now_ns();
	for (uint32_t i = 0; i < LOOKUPS; i++)
		sum += *(uint64_t *)map_lookup(ma, &order[i & 0xffff], 0);
	ta = (now_ns() - t0) / LOOKUPS;
	printf("# map_lookup, u32 keys, 10,000 elements: hash %.1f ns, array %.1f ns (sum %llu)\n",
	       th, ta, (unsigned long long)sum);
	T_CHECK(sum == 2ULL * LOOKUPS, "timing run looked up every key");
	bpfrt_map__destroy(h);
	bpfrt_map__destroy(a);
}

/* ---- ring buffers ---- */

struct rb_seen {
	int n;
	size_t size[8];
	uint8_t first[8];
	int stop_at;               /* return -7 on this call (1-based), 0: never */
};

static int rb_collect(void *ctx, void *data, size_t size)
{
	struct rb_seen *s = ctx;

	if (s->n < 8) {
		s->size[s->n] = size;
		s->first[s->n] = size ? *(uint8_t *)data : 0;
	}
	s->n++;
	return s->stop_at && s->n == s->stop_at ? -7 : 0;
}

static void test_ringbuf_basics(void)
{
	struct bpfrt_map *pub = mk(BPFRT_MAP_TYPE_RINGBUF, 0, 0, 4096, 0);
	struct map *m = map_of(pub);
	struct rb_seen seen = { 0 };
	struct bpfrt_ringbuf *rb;
	uint8_t buf[16] = { 0x5a }, *s1, *s2;
	bool ok;

	if (!m) {
		t_fail("ringbuf: create");
		return;
	}
	rb = bpfrt_ringbuf__new(pub, rb_collect, &seen, NULL);
	T_CHECK(rb != NULL, "ringbuf: consumer created");
	T_CHECK(ringbuf_query(m, RINGBUF_RING_SIZE) == 4096 &&
		ringbuf_query(m, RINGBUF_AVAIL_DATA) == 0 && ringbuf_query(m, 4) == 0,
		"ringbuf: query of an empty ring");
	T_CHECK(bpfrt_map__lookup_elem(pub, NULL, 0, NULL, 0, 0) == -ENOTSUPP &&
		bpfrt_map__update_elem(pub, NULL, 0, NULL, 0, 0) == -ENOTSUPP &&
		bpfrt_map__delete_elem(pub, NULL, 0, 0) == -ENOTSUPP &&
		bpfrt_map__get_next_key(pub, NULL, NULL, 0) == -ENOTSUPP,
		"ringbuf: user-space element operations are ENOTSUPP");
	T_CHECK(ringbuf_reserve(m, 8, 1) == NULL, "ringbuf: reserve with flags is NULL");
	T_CHECK(ringbuf_output(m, buf, 1, 4) == -EINVAL, "ringbuf: output with bad flags is EINVAL");

	/* A busy record holds back the consumer, and the records after it. */
	s1 = ringbuf_reserve(m, 10, 0);
	ok = s1 && ((uintptr_t)s1 & 7) == 0;
	T_CHECK(ok && ringbuf_query(m, RINGBUF_PROD_POS) == 24 &&
		ringbuf_query(m, RINGBUF_AVAIL_DATA) == 24,
		"ringbuf: reserve of 10 bytes takes 8 + 16, 8-aligned");
	s2 = ringbuf_reserve(m, 3, 0);
	T_CHECK(s2 && s2 == s1 + 24, "ringbuf: next record follows");
	if (!s1 || !s2)
		goto out;
	memset(s1, 0x11, 10);
	memset(s2, 0x22, 3);
	ringbuf_submit(s2, 0);
	T_CHECK(bpfrt_ringbuf__consume(rb) == 0 && seen.n == 0,
		"ringbuf: nothing consumed behind a busy record");
	ringbuf_submit(s1, 0);
	T_CHECK(bpfrt_ringbuf__consume(rb) == 2 && seen.n == 2 && seen.size[0] == 10 &&
		seen.first[0] == 0x11 && seen.size[1] == 3 && seen.first[1] == 0x22,
		"ringbuf: submitted records consumed in order");
	T_CHECK(ringbuf_query(m, RINGBUF_CONS_POS) == 40 && ringbuf_query(m, RINGBUF_AVAIL_DATA) == 0,
		"ringbuf: consumer position after two records");

	/* Discarded records are skipped; output copies. */
	s1 = ringbuf_reserve(m, 5, 0);
	if (s1)
		ringbuf_discard(s1, RINGBUF_NO_WAKEUP);
	T_CHECK(s1 && ringbuf_output(m, buf, 16, RINGBUF_FORCE_WAKEUP) == 0 &&
		bpfrt_ringbuf__consume(rb) == 1 && seen.n == 3 && seen.size[2] == 16 &&
		seen.first[2] == 0x5a && ringbuf_query(m, RINGBUF_CONS_POS) == 40 + 16 + 24,
		"ringbuf: discarded record skipped, output record consumed");

	/* A negative callback return stops and is returned; the rest stays. */
	seen = (struct rb_seen){ .stop_at = 2 };
	for (int i = 0; i < 3; i++)
		ringbuf_output(m, buf, 1, 0);
	T_CHECK(bpfrt_ringbuf__consume(rb) == -7 && seen.n == 2 && bpfrt_ringbuf__consume(rb) == 1 &&
		seen.n == 3 && ringbuf_query(m, RINGBUF_AVAIL_DATA) == 0,
		"ringbuf: callback's error stops consumption and is returned");

	/* Full ring: at most size - 1 bytes ahead of the consumer. */
	{
		int n = 0;

		ok = ringbuf_reserve(m, 4089, 0) == NULL && ringbuf_reserve(m, 1U << 31, 0) == NULL;
		seen = (struct rb_seen){ 0 };
		while (ringbuf_output(m, buf, 16, RINGBUF_NO_WAKEUP) == 0)
			n++;
		/* 170 * 24 = 4080 bytes used: an empty sample (8) still fits, no more. */
		s1 = ringbuf_reserve(m, 0, 0);
		if (s1)
			ringbuf_submit(s1, 0);
		T_CHECK(ok && n == 4095 / 24 && s1 && ringbuf_reserve(m, 0, 0) == NULL &&
			ringbuf_output(m, buf, 1, 0) == -EAGAIN,
			"ringbuf: full ring refuses reserve (NULL) and output (EAGAIN) after %d records",
			n);
		s1 = NULL;
		T_CHECK(bpfrt_ringbuf__consume(rb) == n + 1 &&
			(s1 = ringbuf_reserve(m, 4080, 0)) != NULL,
			"ringbuf: consuming makes room; the largest record (4080 bytes) fits");
	}
out:
	bpfrt_ringbuf__free(rb);
	bpfrt_map__destroy(pub);
	pub = mk(ARRAY, 4, 4, 1, 0);
	T_CHECK(bpfrt_ringbuf__new(pub, rb_collect, NULL, NULL) == NULL && errno == EINVAL,
		"ringbuf: consumer of another map type refused");
	bpfrt_map__destroy(pub);
}

/* Wraparound: records of varied sizes, checked byte by byte. */
struct rb_check {
	uint32_t next;             /* sequence number expected */
	uint32_t bad;
};

static uint32_t rb_size_of(uint32_t seq)
{
	return 1 + (seq * 2654435761U >> 7) % 700;
}

static int rb_verify(void *ctx, void *data, size_t size)
{
	struct rb_check *c = ctx;
	uint8_t *p = data;
	uint32_t seq;

	if (size < 4) {
		c->bad++;
		return 0;
	}
	memcpy(&seq, p, 4);
	if (seq != c->next || size != rb_size_of(seq) + 4)
		c->bad++;
	for (size_t i = 4; i < size; i++)
		if (p[i] != (uint8_t)(seq + i))
			c->bad++;
	c->next = seq + 1;
	return 0;
}

static void test_ringbuf_wrap(void)
{
	struct bpfrt_map *pub = mk(BPFRT_MAP_TYPE_RINGBUF, 0, 0, 8192, 0);
	struct map *m = map_of(pub);
	struct rb_check c = { 0, 0 };
	struct bpfrt_ringbuf *rb = bpfrt_ringbuf__new(pub, rb_verify, &c, NULL);
	uint32_t seq = 0, wrapped = 0, full = 0, discarded = UINT32_MAX;

	if (!m || !rb) {
		t_fail("ringbuf wrap: create");
		bpfrt_ringbuf__free(rb);
		bpfrt_map__destroy(pub);
		return;
	}
	while (seq < 20000) {
		uint32_t sz = rb_size_of(seq) + 4;
		uint64_t pos = ringbuf_query(m, RINGBUF_PROD_POS) & 8191;
		uint8_t *p = ringbuf_reserve(m, sz, 0);

		if (!p) {
			full++;
			bpfrt_ringbuf__consume(rb);
			continue;
		}
		if (pos + 8 + sz > 8192)
			wrapped++;
		memcpy(p, &seq, 4);
		for (uint32_t i = 4; i < sz; i++)
			p[i] = (uint8_t)(seq + i);
		if (seq % 5 == 3 && discarded != seq) {
			/* Discard one and send it again. */
			discarded = seq;
			ringbuf_discard(p, 0);
			continue;
		}
		ringbuf_submit(p, 0);
		seq++;
		if (seq % 40 == 0)
			bpfrt_ringbuf__consume(rb);
	}
	bpfrt_ringbuf__consume(rb);
	T_CHECK(c.next == 20000 && c.bad == 0 && wrapped > 10 && full > 10,
		"ringbuf: 20000 records of 5..704 bytes through 8 KiB, %u wrapped, %u full, "
		"all intact (%u bad)", wrapped, full, c.bad);
	bpfrt_ringbuf__free(rb);
	bpfrt_map__destroy(pub);
}

/* Many producers, one consumer thread. */
#define RB_PRODUCERS 4
#define RB_PER_PRODUCER 25000U

struct rb_prod {
	struct map *m;
	uint32_t id;
};

struct rb_cons {
	uint32_t next[RB_PRODUCERS];
	uint64_t got, bad;
};

static void *rb_producer(void *arg)
{
	struct rb_prod *p = arg;

	uint32_t discarded = UINT32_MAX;

	for (uint32_t i = 0; i < RB_PER_PRODUCER;) {
		uint32_t sz = 8 + (i * 37 + p->id) % 120;
		uint32_t *s = ringbuf_reserve(p->m, sz, 0);

		if (!s) {
			sched_yield();
			continue;
		}
		s[0] = p->id;
		s[1] = i;
		memset(s + 2, (int)(uint8_t)i, sz - 8);
		if (i % 11 == 5 && discarded != i) {
			/* Discard once, then send again; the consumer must never see it. */
			discarded = i;
			s[1] = UINT32_MAX;
			ringbuf_discard(s, 0);
			continue;
		}
		ringbuf_submit(s, i % 64 == 0 ? RINGBUF_NO_WAKEUP : 0);
		i++;
	}
	return NULL;
}

static int rb_cons_fn(void *ctx, void *data, size_t size)
{
	struct rb_cons *c = ctx;
	uint32_t *s = data, id, i;
	uint8_t *b = data;

	id = s[0];
	i = s[1];
	if (size < 8 || id >= RB_PRODUCERS || i != c->next[id] || size != 8 + (i * 37 + id) % 120) {
		c->bad++;
		return 0;
	}
	for (size_t k = 8; k < size; k++)
		if (b[k] != (uint8_t)i)
			c->bad++;
	c->next[id]++;
	c->got++;
	return 0;
}

struct rb_cons_arg {
	struct bpfrt_ringbuf *rb;
	struct rb_cons *c;
	int errs;
};

static void *rb_consumer_loop(void *arg)
{
	struct rb_cons_arg *a = arg;
	double t0 = (double)time(NULL);

	while (a->c->got < (uint64_t)RB_PRODUCERS * RB_PER_PRODUCER && a->c->bad == 0) {
		int n = bpfrt_ringbuf__poll(a->rb, 20);

		if (n < 0 && n != -EINTR)
			a->errs++;
		if ((double)time(NULL) - t0 > 60)
			break;
	}
	return NULL;
}

static void test_ringbuf_concurrency(void)
{
	struct bpfrt_map *pub = mk(BPFRT_MAP_TYPE_RINGBUF, 0, 0, 16384, 0);
	struct rb_cons c;
	struct rb_cons_arg a;
	struct rb_prod p[RB_PRODUCERS];
	pthread_t th[RB_PRODUCERS + 1];
	bool ok = true;

	memset(&c, 0, sizeof(c));
	a.rb = bpfrt_ringbuf__new(pub, rb_cons_fn, &c, NULL);
	a.c = &c;
	a.errs = 0;
	if (!a.rb) {
		t_fail("ringbuf concurrency: create");
		bpfrt_map__destroy(pub);
		return;
	}
	pthread_create(&th[RB_PRODUCERS], NULL, rb_consumer_loop, &a);
	for (uint32_t i = 0; i < RB_PRODUCERS; i++) {
		p[i] = (struct rb_prod){ map_of(pub), i };
		pthread_create(&th[i], NULL, rb_producer, &p[i]);
	}
	for (int i = 0; i <= RB_PRODUCERS; i++)
		pthread_join(th[i], NULL);
	for (int i = 0; i < RB_PRODUCERS; i++)
		ok = ok && c.next[i] == RB_PER_PRODUCER;
	T_CHECK(ok && c.got == (uint64_t)RB_PRODUCERS * RB_PER_PRODUCER && c.bad == 0 && !a.errs,
		"ringbuf: %d producer threads, one polling consumer: %llu records, each once and in "
		"order (%llu bad)", RB_PRODUCERS, (unsigned long long)c.got,
		(unsigned long long)c.bad);
	bpfrt_ringbuf__free(a.rb);
	bpfrt_map__destroy(pub);
}

/* poll: times out on an empty ring; wakes on a submit from another thread. */
static void *rb_late_output(void *arg)
{
	struct timespec ts = { 0, 30 * 1000000 };
	uint32_t v = 42;

	nanosleep(&ts, NULL);
	ringbuf_output(arg, &v, 4, 0);
	return NULL;
}

static void test_ringbuf_poll(void)
{
	struct bpfrt_map *pub = mk(BPFRT_MAP_TYPE_RINGBUF, 0, 0, 4096, 0);
	struct rb_seen seen = { 0 };
	struct bpfrt_ringbuf *rb = bpfrt_ringbuf__new(pub, rb_collect, &seen, NULL);
	struct timespec t0, t1;
	pthread_t th;
	double ms;
	int n;

	if (!rb) {
		t_fail("ringbuf poll: create");
		bpfrt_map__destroy(pub);
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	n = bpfrt_ringbuf__poll(rb, 50);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	T_CHECK(n == 0 && ms >= 45, "ringbuf: poll on an empty ring times out (%.0f ms)", ms);
	pthread_create(&th, NULL, rb_late_output, map_of(pub));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	n = bpfrt_ringbuf__poll(rb, 10000);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	pthread_join(th, NULL);
	ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	T_CHECK(n == 1 && seen.n == 1 && seen.size[0] == 4 && ms < 5000,
		"ringbuf: poll woken by a submit on another thread (%.0f ms)", ms);
	bpfrt_ringbuf__free(rb);
	bpfrt_map__destroy(pub);
}

/* ---- LRU hash maps ---- */

/* Elements of m, counted by walking its keys (u32 keys). */
static uint32_t count_keys(const struct bpfrt_map *pm)
{
	uint32_t k, n = 0;
	const void *cur = NULL;

	while (bpfrt_map__get_next_key(pm, cur, &k, sizeof(k)) == 0 && n <= 1U << 20) {
		n++;
		cur = &k;
	}
	return n;
}

/*
 * Over-filling an LRU map: every update succeeds (an element is evicted
 * instead of E2BIG), the map never holds more than max_entries, and keys
 * programs keep looking up (their reference bit) survive the churn.
 */
static void test_lru_one(enum bpfrt_map_type type, uint32_t flags, const char *name)
{
	struct bpfrt_map_create_opts o = { .sz = sizeof(o), .map_flags = flags };
	struct bpfrt_map *pm = bpfrt_map__create(type, 4, 8, 64, &o);
	struct map *m = map_of(pm);
	uint32_t k, failed = 0, most = 0, hot = 0, n;
	uint64_t v[BPFRT_MAP_MAX_CPUS] = { 0 };

	if (!pm || !m) {
		t_fail("lru %s: create: %s", name, strerror(errno));
		return;
	}
	for (k = 0; k < 2000; k++) {
		v[0] = k;
		/* Program-side updates on worker 0, and user-space ones. */
		if ((k & 1 ? map_update(m, &k, v, 0, 0) :
			     bpfrt_map__update_elem(pm, &k, 4, v, 8 * bpfrt_map__nr_cpus(pm), 0)) != 0)
			failed++;
		for (uint32_t h = 0; h < 4 && k >= 4; h++)
			if (!map_lookup(m, &h, 0))
				hot++;
		if (k % 50 == 0 && (n = count_keys(pm)) > most)
			most = n;
	}
	n = count_keys(pm);
	if (n > most)
		most = n;
	T_CHECK(failed == 0, "lru %s: 2000 updates into 64 entries all succeed (%u failed)", name,
		failed);
	T_CHECK(most <= 64 && n > 0, "lru %s: never more than max_entries (at most %u, now %u)",
		name, most, n);
	T_CHECK(hot == 0, "lru %s: keys looked up by programs are kept (%u misses)", name, hot);
	k = 1999;
	T_CHECK(bpfrt_map__lookup_elem(pm, &k, 4, v, 8 * bpfrt_map__nr_cpus(pm), 0) == 0 &&
		v[0] == 1999, "lru %s: the newest key is there", name);
	k = 100;
	T_CHECK(bpfrt_map__update_elem(pm, &k, 4, v, 8 * bpfrt_map__nr_cpus(pm), BPFRT_EXIST) ==
		-ENOENT && map_update(m, &k, v, BPFRT_F_LOCK, 0) == -EINVAL,
		"lru %s: an evicted key is gone; F_LOCK is refused", name);
	bpfrt_map__destroy(pm);
}

static void test_lru(void)
{
	test_lru_one(BPFRT_MAP_TYPE_LRU_HASH, 0, "hash");
	test_lru_one(BPFRT_MAP_TYPE_LRU_HASH, BPFRT_F_NO_COMMON_LRU, "hash/no_common_lru");
	test_lru_one(BPFRT_MAP_TYPE_LRU_PERCPU_HASH, 0, "percpu_hash");
	test_lru_one(BPFRT_MAP_TYPE_LRU_PERCPU_HASH, BPFRT_F_NO_COMMON_LRU,
		     "percpu_hash/no_common_lru");
}

int main(void)
{
	int fd = k_create(ARRAY, 4, 4, 1, 0, 0, 0, NULL);

	have_kernel = fd >= 0;
	if (fd >= 0)
		close(fd);
	test_create();
	test_scripts();
	test_sizes_and_layout();
	test_iteration();
	test_queue_stack();
	test_queue_concurrency();
	test_bloom();
	test_lpm_trie();
	test_lpm_concurrency();
	test_lru();
	test_batches();
	test_spin_lock();
	test_memory();
	test_concurrency();
	test_timing();
	test_ringbuf_basics();
	test_ringbuf_wrap();
	test_ringbuf_poll();
	test_ringbuf_concurrency();
	return t_exit();
}
