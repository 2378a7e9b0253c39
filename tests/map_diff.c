/* SPDX-License-Identifier: MIT */
/*
 * tests/map_diff.c - differential test of bpfrt's maps of values against
 * the kernel's: the rows below run through the engine of map_diff.h (which
 * describes the method and the environment variables), then the create
 * check compares verdicts on random attributes.
 */
#include "map_diff.h"
#include "map_diff_run.h"

#define ARRAY_SEEN COMMON_SEEN                                                 \
	"lookup:ENOENT update:E2BIG update:EEXIST next_key:ENOENT "            \
	"lookup_and_delete:ENOTSUPP lookup_batch:ENOENT update_batch:EINVAL "   \
	"update_batch:E2BIG delete_batch:ENOTSUPP"
#define HASH_SEEN COMMON_SEEN                                                  \
	"lookup:ENOENT update:E2BIG update:EEXIST update:ENOENT delete:ENOENT "  \
	"lookup_and_delete:ENOENT next_key:ENOENT lookup_batch:ENOENT "          \
	"lookup_and_delete_batch:ENOENT update_batch:E2BIG update_batch:EINVAL " \
	"delete_batch:ENOENT"

/*
 * The rows. Hash maps have a key space twice their size, so the fill
 * phases reach E2BIG; LRU maps have one far below theirs, because an LRU
 * map evicts in an order private to each implementation (the kernel's
 * per-CPU free lists even evict before the map is full), so only maps that
 * never evict compare exactly.
 */
static const struct row rows[] = {
	{ "array", BPFRT_MAP_TYPE_ARRAY, 4, 12, 32, 0, 0, SH_ARRAY, 0, MIX_KEYED, ARRAY_SEEN, NULL },
	{ "percpu_array", BPFRT_MAP_TYPE_PERCPU_ARRAY, 4, 12, 16, 0, 0, SH_ARRAY, 0, MIX_KEYED,
	  ARRAY_SEEN, NULL },
	{ "hash", BPFRT_MAP_TYPE_HASH, 4, 8, 64, 0, 0, SH_HASH, 128, MIX_KEYED, HASH_SEEN, NULL },
	{ "hash/no_prealloc", BPFRT_MAP_TYPE_HASH, 6, 12, 64, BPFRT_F_NO_PREALLOC, 0, SH_HASH,
	  128, MIX_KEYED, HASH_SEEN, NULL },
	{ "percpu_hash", BPFRT_MAP_TYPE_PERCPU_HASH, 8, 4, 48, 0, 0, SH_HASH, 96, MIX_KEYED,
	  HASH_SEEN, NULL },
	{ "percpu_hash/no_prealloc", BPFRT_MAP_TYPE_PERCPU_HASH, 4, 20, 48,
	  BPFRT_F_NO_PREALLOC, 0, SH_HASH, 96, MIX_KEYED, HASH_SEEN, NULL },
	{ "array/rdonly", BPFRT_MAP_TYPE_ARRAY, 4, 8, 8, BPFRT_F_RDONLY, 0, SH_ARRAY, 0,
	  MIX_KEYED, "update:EPERM delete:EPERM update_batch:EPERM freeze:EPERM lookup:ENOENT", NULL },
	{ "hash/wronly", BPFRT_MAP_TYPE_HASH, 4, 8, 32, BPFRT_F_WRONLY, 0, SH_HASH, 64, MIX_KEYED,
	  "lookup:EPERM next_key:EPERM lookup_batch:EPERM update:E2BIG delete:ENOENT", NULL },
	{ "lru_hash", BPFRT_MAP_TYPE_LRU_HASH, 4, 8, 1024, 0, 0, SH_HASH, 256, MIX_KEYED,
	  COMMON_SEEN "lookup:ENOENT update:EEXIST update:ENOENT delete:ENOENT", NULL },
	{ "lru_percpu_hash", BPFRT_MAP_TYPE_LRU_PERCPU_HASH, 4, 12, 1024, 0, 0, SH_HASH, 256,
	  MIX_KEYED, COMMON_SEEN "lookup:ENOENT update:EEXIST update:ENOENT delete:ENOENT", NULL },
	{ "lpm_trie", BPFRT_MAP_TYPE_LPM_TRIE, 8, 8, 24, BPFRT_F_NO_PREALLOC, 0, SH_LPM, 0,
	  MIX_KEYED, COMMON_SEEN "lookup:ENOENT update:ENOSPC update:EEXIST update:ENOENT "
	  "delete:ENOENT next_key:ENOENT", NULL },
	{ "queue", BPFRT_MAP_TYPE_QUEUE, 0, 8, 16, 0, 0, SH_QUEUE, 0, MIX_KEYLESS,
	  "update:E2BIG update:EINVAL update:EPERM lookup:ENOENT lookup_and_delete:ENOENT "
	  "delete:EINVAL next_key:EINVAL", NULL },
	{ "stack", BPFRT_MAP_TYPE_STACK, 0, 8, 16, 0, 0, SH_QUEUE, 0, MIX_KEYLESS,
	  "update:E2BIG update:EINVAL update:EPERM lookup:ENOENT lookup_and_delete:ENOENT "
	  "delete:EINVAL next_key:EINVAL", NULL },
	{ "bloom_filter", BPFRT_MAP_TYPE_BLOOM_FILTER, 0, 8, 64, 0, 3, SH_BLOOM, 256, MIX_KEYLESS,
	  "update:EINVAL update:EPERM lookup:ENOENT", NULL },
	{ "ringbuf", BPFRT_MAP_TYPE_RINGBUF, 0, 0, 16384, 0, 0, SH_NONE, 0, MIX_KEYLESS,
	  "lookup:ENOTSUPP update:ENOTSUPP", NULL },
};

/* ---- creation: random attributes, the same verdict ---------------------- */

static uint64_t pow2_at_least(uint64_t n)
{
	uint64_t p = 1;

	while (p < n)
		p <<= 1;
	return p;
}

/* A generous estimate of what a map with these attributes may allocate. */
static uint64_t est_bytes(enum bpfrt_map_type t, uint64_t ks, uint64_t vs, uint64_t me)
{
	uint64_t pc = is_percpu(t) ? (uint64_t)ncpus : 1, v8 = (vs + 7) & ~7ull;

	switch (t) {
	case BPFRT_MAP_TYPE_ARRAY:
	case BPFRT_MAP_TYPE_PERCPU_ARRAY:
		return me * v8 * pc;
	case BPFRT_MAP_TYPE_QUEUE:
	case BPFRT_MAP_TYPE_STACK:
		return (me + 1) * vs;
	case BPFRT_MAP_TYPE_BLOOM_FILTER:
		return me * 16;
	case BPFRT_MAP_TYPE_RINGBUF:
		return 2 * me;
	default:
		return pow2_at_least(me) * 16 + me * (ks + v8 * pc + 64);
	}
}

static void check_create(uint64_t n)
{
	static const enum bpfrt_map_type types[] = {
		BPFRT_MAP_TYPE_ARRAY, BPFRT_MAP_TYPE_PERCPU_ARRAY, BPFRT_MAP_TYPE_HASH,
		BPFRT_MAP_TYPE_PERCPU_HASH, BPFRT_MAP_TYPE_LRU_HASH,
		BPFRT_MAP_TYPE_LRU_PERCPU_HASH, BPFRT_MAP_TYPE_LPM_TRIE, BPFRT_MAP_TYPE_QUEUE,
		BPFRT_MAP_TYPE_STACK, BPFRT_MAP_TYPE_BLOOM_FILTER, BPFRT_MAP_TYPE_RINGBUF,
	};
	static const uint32_t kss[] = { 0, 1, 3, 4, 5, 8, 16, 20, 64, 255, 256, 260, 261, 512, 513,
					4096 };
	static const uint32_t vss[] = { 0, 1, 3, 4, 8, 12, 100, 4096, 32767, 32768, 32769, 65536,
					(1u << 22) + 1 };
	static const uint32_t mes[] = { 0, 1, 2, 3, 16, 64, 1000, 4096, 4095, 8192, 16384,
					65536, 1u << 20, 0x80000000u, 0xffffffffu };
	static const uint32_t known[] = {
		BPFRT_F_NO_PREALLOC, BPFRT_F_NO_COMMON_LRU, BPFRT_F_NUMA_NODE, BPFRT_F_RDONLY,
		BPFRT_F_WRONLY, BPFRT_F_ZERO_SEED, BPFRT_F_RDONLY_PROG, BPFRT_F_WRONLY_PROG,
		BPFRT_F_MMAPABLE, BPFRT_F_INNER_MAP,
	};
	static const uint32_t unknown[] = { 1u << 5, 1u << 9, 1u << 20, 1u << 31 };
	static const uint64_t extras[] = { 0, 1, 3, 5, 15, 16, 0x10000, 1ull << 32 };
	static const char *const names[] = {
		"", "m", "map_diff.1", "a-b", "sp ace", "0123456789abcde", "0123456789abcdef", "\xc3\xa9",
	};
	uint64_t i, tried = 0, bad = 0, env = 0, unimpl = 0;
	double t0 = now();
	size_t f;

	rng = seed ^ 0xc4ea7e5ull;
	for (i = 0; i < n; i++) {
		enum bpfrt_map_type t = PICK(types);
		uint32_t ks = PICK(kss), vs = PICK(vss), me = PICK(mes), flags = 0;
		uint64_t extra = chance(80) ? 0 : PICK(extras);
		const char *name = chance(70) ? "map_diff" : PICK(names);
		struct bpfrt_map *m;
		int kfd, berr;

		/* Mostly attributes a type can take, so the later checks are reached. */
		if (chance(60)) {
			bool keyless = t == BPFRT_MAP_TYPE_QUEUE || t == BPFRT_MAP_TYPE_STACK ||
				       t == BPFRT_MAP_TYPE_BLOOM_FILTER || t == BPFRT_MAP_TYPE_RINGBUF;

			ks = t == BPFRT_MAP_TYPE_ARRAY || t == BPFRT_MAP_TYPE_PERCPU_ARRAY ? 4 :
			     t == BPFRT_MAP_TYPE_LPM_TRIE ? 8 : keyless ? 0 : ks;
			if (t == BPFRT_MAP_TYPE_RINGBUF)
				vs = 0;
			if (t == BPFRT_MAP_TYPE_LPM_TRIE)
				flags |= BPFRT_F_NO_PREALLOC;
		}
		for (f = 0; f < NELEM(known); f++)
			if (chance(8))
				flags |= known[f];
		if (chance(3))
			flags |= PICK(unknown);
		if (est_bytes(t, ks, vs, me) > CREATE_MEM)
			continue;
		tried++;
		kfd = k_create(t, ks, vs, me, flags, extra, name);
		if (kfd >= 0)
			close(kfd);
		/* The kernel's memory limits and privileges, not its rules. */
		if (kfd == -ENOMEM || kfd == -EPERM) {
			env++;
			continue;
		}
		m = b_create(t, ks, vs, me, flags, extra, name);
		berr = m ? 0 : -errno;
		bpfrt_map__destroy(m);
		if (berr == -ENOTSUPP && kfd != -ENOTSUPP && !bpfrt_has[t]) {
			unimpl++;
			continue;
		}
		if ((kfd >= 0 ? 0 : kfd) == berr)
			continue;
		if (++bad <= SHOW_MAX)
			printf("map_diff create: mismatch #%" PRIu64 ": %s key_size %" PRIu32
			       " value_size %" PRIu32 " max_entries %" PRIu32 " map_flags 0x%" PRIx32
			       " map_extra 0x%" PRIx64 " name \"%s\"%s: kernel %s, bpfrt %s%s%s%s\n",
			       bad, bpfrt_map_type_name(t), ks, vs, me, flags, extra, name,
			       is_percpu(t) ? " (per-CPU)" : "", kfd >= 0 ? "0" : err_str(kfd),
			       err_str(berr), bpfrt_msg[0] ? " (\"" : "", bpfrt_msg,
			       bpfrt_msg[0] ? "\")" : "");
	}
	if (unimpl)
		printf("map_diff create: %" PRIu64 " attribute sets of types bpfrt does not "
		       "implement yet were left out\n", unimpl);
	if (env)
		printf("map_diff create: %" PRIu64 " attribute sets the kernel had no memory or "
		       "privilege for were left out\n", env);
	T_CHECK(bad == 0, "map_diff create: %" PRIu64 " attribute sets, %" PRIu64
		" mismatches (seed %" PRIu64 ", %.2f s)", tried - env - unimpl, bad, seed,
		now() - t0);
}

int main(void)
{
	uint64_t nops = env_u64("MAPDIFF_OPS", DEFAULT_OPS);
	const char *only = getenv("MAPDIFF_TYPE");
	double t0 = now();
	size_t r;
	int fd;

	setvbuf(stdout, NULL, _IOLBF, 0);
	seed = env_u64("MAPDIFF_SEED", (uint64_t)time(NULL) * 1000003u ^ (uint64_t)getpid());
	trace = env_u64("MAPDIFF_TRACE", 0);
	stats = env_u64("MAPDIFF_STATS", 0);
	ncpus = possible_cpus();
	if (ncpus < 1) {
		t_fail("map_diff: cannot read /sys/devices/system/cpu/possible");
		return t_exit();
	}
	fd = k_create(BPFRT_MAP_TYPE_ARRAY, 4, 4, 1, 0, 0, "map_diff");
	if (fd == -EPERM || fd == -EACCES || fd == -ENOSYS) {
		t_skip("map_diff: bpf() not permitted: %s (%s)", err_str(fd), strerror(-fd));
		return t_exit();
	}
	if (fd < 0) {
		t_fail("map_diff: the kernel cannot create a 1-element array: %s", err_str(fd));
		return t_exit();
	}
	close(fd);
	signal(SIGALRM, on_alarm);
	bpfrt_set_print(keep_msg);
	printf("map_diff: seed %" PRIu64 ", %" PRIu64 " ops per type, %d possible CPUs\n", seed,
	       nops, ncpus);
	for (r = 0; r < NELEM(rows); r++)
		if (selected(only, rows[r].name))
			run_row(&rows[r], nops);
	if (!only || !*only)
		check_create(env_u64("MAPDIFF_CREATE", DEFAULT_CREATE));
	printf("map_diff: %.1f s in all\n", now() - t0);
	free(oplog);
	return t_exit();
}
