/* SPDX-License-Identifier: MIT */
/*
 * bench/maps.c - map-heavy programs on bpfrt and on the kernel, side by
 * side: the cost of map helpers called from eBPF.
 *
 *   build/bench/maps [-r ROUNDS] [-m MIN_MS]
 *
 * Each program makes OPS map operations per run in a bounded loop (the
 * kernel's verifier walks it). The same bytecode runs on the kernel
 * (BPF_PROG_TEST_RUN of an XDP program, JIT-compiled, on kernel maps) and
 * on bpfrt's engines (on bpfrt maps); "native C" does the same operations
 * through bpfrt's user-space map API from C, for scale. The systems run
 * round by round, interleaved; the table shows medians per operation and
 * ratios to the kernel. Results are compared before timing.
 */
#include <errno.h>
#include <linux/bpf.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bpfrt/bpfrt.h"
#include "kernel.h"

#define OPS        64
#define MAX_ROUNDS 31
#define LPM_ROUTES 256

enum { SYS_NATIVE, SYS_KERNEL, SYS_INTERP, SYS_CHECKED, SYS__COUNT };
static const char *const sys_label[SYS__COUNT] = { "native C (map API)", "kernel JIT",
						   "bpfrt interp", "bpfrt checked" };
static const int sys_engine[SYS__COUNT] = { -1, -1, BPFRT_ENGINE_INTERP, BPFRT_ENGINE_CHECKED };

static int rounds = 7;
static double min_round_ns = 50e6;
static volatile uint64_t sink;
static int status;

/* A map on both sides: its bpfrt handle and the kernel's fd (or < 0). */
struct bmap {
	struct bpfrt_map *m;
	int kfd;
};

struct mbench {
	const char *name;
	const char *what;
	/* Create its maps (on the kernel too if `kernel`): 0 or -1. */
	int (*setup)(struct mbench *b, bool kernel);
	/* Build the program; map i is referenced as LDDW (src 1, imm = fd[i]). */
	size_t (*build)(struct bpfrt_insn *out, const int *fd);
	uint32_t (*native)(struct bmap *maps);
	struct bmap maps[2];
	struct bpfrt_prog *prog;
	int kfd;
	uint32_t expect;
	double ns[SYS__COUNT][MAX_ROUNDS], median[SYS__COUNT];
	uint64_t iters[SYS__COUNT];
	bool ok[SYS__COUNT];
	char why[SYS__COUNT][96];
};

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int kmap_create(uint32_t type, uint32_t ks, uint32_t vs, uint32_t max, uint32_t flags)
{
	union bpf_attr a;
	int fd;

	memset(&a, 0, sizeof(a));
	a.map_type = type;
	a.key_size = ks;
	a.value_size = vs;
	a.max_entries = max;
	a.map_flags = flags;
	fd = kbpf_sys(BPF_MAP_CREATE, &a);
	return fd < 0 ? -errno : fd;
}

static int kmap_update(int fd, const void *key, const void *val)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)fd;
	a.key = (uint64_t)(uintptr_t)key;
	a.value = (uint64_t)(uintptr_t)val;
	return kbpf_sys(BPF_MAP_UPDATE_ELEM, &a) ? -errno : 0;
}

#define LD_MAP(DST, FD) BPFRT_LD_IMM64_RAW(DST, BPFRT_PSEUDO_MAP_FD, (uint32_t)(FD))

/*
 * hash: for i < OPS: key = i, value = i; update(hash, key, value, ANY);
 * p = lookup(hash, key); acc += *p.  Returns acc.
 */
static size_t build_hash(struct bpfrt_insn *o, const int *fd)
{
	struct bpfrt_insn p[] = {
		BPFRT_MOV64_IMM(6, 0), BPFRT_MOV64_IMM(7, 0),
		/* loop: pc 2 */
		BPFRT_STX_MEM(BPFRT_W, 10, 6, -4), BPFRT_STX_MEM(BPFRT_DW, 10, 6, -16),
		LD_MAP(1, fd[0]), BPFRT_MOV64_REG(2, 10), BPFRT_ALU64_IMM(BPFRT_ADD, 2, -4),
		BPFRT_MOV64_REG(3, 10), BPFRT_ALU64_IMM(BPFRT_ADD, 3, -16), BPFRT_MOV64_IMM(4, 0),
		BPFRT_CALL_HELPER(BPF_FUNC_map_update_elem),
		LD_MAP(1, fd[0]), BPFRT_MOV64_REG(2, 10), BPFRT_ALU64_IMM(BPFRT_ADD, 2, -4),
		BPFRT_CALL_HELPER(BPF_FUNC_map_lookup_elem),
		BPFRT_JMP_IMM(BPFRT_JEQ, 0, 0, 2),
		BPFRT_LDX_MEM(BPFRT_DW, 1, 0, 0), BPFRT_ALU64_REG(BPFRT_ADD, 7, 1),
		BPFRT_ALU64_IMM(BPFRT_ADD, 6, 1),
		BPFRT_JMP_IMM(BPFRT_JLT, 6, OPS, -20),
		BPFRT_MOV64_REG(0, 7), BPFRT_EXIT_INSN(),
	};

	memcpy(o, p, sizeof(p));
	return sizeof(p) / sizeof(p[0]);
}

static uint32_t native_hash(struct bmap *maps)
{
	uint64_t acc = 0, v;

	for (uint32_t i = 0; i < OPS; i++) {
		v = i;
		bpfrt_map__update_elem(maps[0].m, &i, 4, &v, 8, BPFRT_ANY);
		if (!bpfrt_map__lookup_elem(maps[0].m, &i, 4, &v, 8, 0))
			acc += v;
	}
	return (uint32_t)acc;
}

/*
 * lpm: for i < OPS: key = { 32, 10.(i*37).x.1 }; hits += lookup(trie) != NULL.
 * The trie holds LPM_ROUTES /24 routes 10.0.0.0/24, 10.0.1.0/24, ...
 */
static size_t build_lpm(struct bpfrt_insn *o, const int *fd)
{
	struct bpfrt_insn p[] = {
		BPFRT_MOV64_IMM(6, 0), BPFRT_MOV64_IMM(7, 0),
		BPFRT_ST_MEM(BPFRT_W, 10, -8, 32),
		/* loop: pc 3: addr = 0x0a000001 | ((i * 37) & 0x1ff) << 8, big-endian */
		BPFRT_MOV64_REG(1, 6), BPFRT_ALU64_IMM(BPFRT_MUL, 1, 37),
		BPFRT_ALU64_IMM(BPFRT_AND, 1, 0x1ff), BPFRT_ALU64_IMM(BPFRT_LSH, 1, 8),
		BPFRT_ALU64_IMM(BPFRT_OR, 1, 0x0a000001),
		BPFRT_RAW_INSN(BPFRT_ALU | BPFRT_END | BPFRT_TO_BE, 1, 0, 0, 32),
		BPFRT_STX_MEM(BPFRT_W, 10, 1, -4),
		LD_MAP(1, fd[0]), BPFRT_MOV64_REG(2, 10), BPFRT_ALU64_IMM(BPFRT_ADD, 2, -8),
		BPFRT_CALL_HELPER(BPF_FUNC_map_lookup_elem),
		BPFRT_JMP_IMM(BPFRT_JEQ, 0, 0, 1),
		BPFRT_ALU64_IMM(BPFRT_ADD, 7, 1),
		BPFRT_ALU64_IMM(BPFRT_ADD, 6, 1),
		BPFRT_JMP_IMM(BPFRT_JLT, 6, OPS, -16),
		BPFRT_MOV64_REG(0, 7), BPFRT_EXIT_INSN(),
	};

	memcpy(o, p, sizeof(p));
	return sizeof(p) / sizeof(p[0]);
}

static uint32_t native_lpm(struct bmap *maps)
{
	uint32_t hits = 0, key[2];
	uint64_t v;

	for (uint32_t i = 0; i < OPS; i++) {
		key[0] = 32;
		key[1] = __builtin_bswap32(0x0a000001 | ((i * 37) & 0x1ff) << 8);
		hits += !bpfrt_map__lookup_elem(maps[0].m, key, 8, &v, 8, 0);
	}
	return hits;
}

/* pcpu: for i < OPS: p = lookup(percpu_array, 0); *p += 1. Returns OPS. */
static size_t build_pcpu(struct bpfrt_insn *o, const int *fd)
{
	struct bpfrt_insn p[] = {
		BPFRT_MOV64_IMM(6, 0), BPFRT_ST_MEM(BPFRT_W, 10, -4, 0),
		/* loop: pc 2 */
		LD_MAP(1, fd[0]), BPFRT_MOV64_REG(2, 10), BPFRT_ALU64_IMM(BPFRT_ADD, 2, -4),
		BPFRT_CALL_HELPER(BPF_FUNC_map_lookup_elem),
		BPFRT_JMP_IMM(BPFRT_JEQ, 0, 0, 3),
		BPFRT_LDX_MEM(BPFRT_DW, 1, 0, 0), BPFRT_ALU64_IMM(BPFRT_ADD, 1, 1),
		BPFRT_STX_MEM(BPFRT_DW, 0, 1, 0),
		BPFRT_ALU64_IMM(BPFRT_ADD, 6, 1),
		BPFRT_JMP_IMM(BPFRT_JLT, 6, OPS, -11),
		BPFRT_MOV64_REG(0, 6), BPFRT_EXIT_INSN(),
	};

	memcpy(o, p, sizeof(p));
	return sizeof(p) / sizeof(p[0]);
}

static uint32_t native_pcpu(struct bmap *maps)
{
	uint32_t zero = 0, n = 0;
	uint64_t v[BPFRT_MAP_MAX_CPUS];
	size_t sz = 8 * bpfrt_map__nr_cpus(maps[0].m);

	for (; n < OPS; n++) {
		bpfrt_map__lookup_elem(maps[0].m, &zero, 4, v, sz, 0);
		v[0]++;
		bpfrt_map__update_elem(maps[0].m, &zero, 4, v, sz, BPFRT_ANY);
	}
	return n;
}


/* The maps of each program on both sides (kernel: if `kernel`), with the same contents. */
static int setup_hash(struct mbench *b, bool kernel)
{
	b->maps[0].m = bpfrt_map__create(BPFRT_MAP_TYPE_HASH, 4, 8, 1024, NULL);
	b->maps[0].kfd = kernel ? kmap_create(BPF_MAP_TYPE_HASH, 4, 8, 1024, 0) : -1;
	return b->maps[0].m ? 0 : -1;
}

static int setup_lpm(struct mbench *b, bool kernel)
{
	struct bpfrt_map_create_opts lpm = { .sz = sizeof(lpm), .map_flags = BPFRT_F_NO_PREALLOC };

	b->maps[0].m = bpfrt_map__create(BPFRT_MAP_TYPE_LPM_TRIE, 8, 8, 1024, &lpm);
	b->maps[0].kfd = kernel ? kmap_create(BPF_MAP_TYPE_LPM_TRIE, 8, 8, 1024, BPF_F_NO_PREALLOC)
				: -1;
	for (uint32_t r = 0; b->maps[0].m && r < LPM_ROUTES; r++) {
		uint32_t key[2] = { 24, __builtin_bswap32(0x0a000000 | r << 8) };
		uint64_t v = r;

		if (bpfrt_map__update_elem(b->maps[0].m, key, 8, &v, 8, BPFRT_ANY) ||
		    (b->maps[0].kfd >= 0 && kmap_update(b->maps[0].kfd, key, &v)))
			return -1;
	}
	return b->maps[0].m ? 0 : -1;
}

static int setup_pcpu(struct mbench *b, bool kernel)
{
	b->maps[0].m = bpfrt_map__create(BPFRT_MAP_TYPE_PERCPU_ARRAY, 4, 8, 1, NULL);
	b->maps[0].kfd = kernel ? kmap_create(BPF_MAP_TYPE_PERCPU_ARRAY, 4, 8, 1, 0) : -1;
	return b->maps[0].m ? 0 : -1;
}

static struct mbench benches[] = {
	{ .name = "hash", .what = "hash map (1024 x u32 -> u64): update + lookup, per pair",
	  .setup = setup_hash, .build = build_hash, .native = native_hash },
	{ .name = "lpm", .what = "LPM trie (256 /24 IPv4 routes): lookup of a /32",
	  .setup = setup_lpm, .build = build_lpm, .native = native_lpm },
	{ .name = "pcpu", .what = "per-CPU array counter: lookup + increment",
	  .setup = setup_pcpu, .build = build_pcpu, .native = native_pcpu },
};

static uint8_t pkt[64];

static double run_round(struct mbench *b, int s, uint64_t iters)
{
	uint64_t acc = 0;
	double t0, t1;

	if (s == SYS_KERNEL) {
		uint32_t retval = 0, duration = 0;

		if (kbpf_test_run(b->kfd, pkt, sizeof(pkt), (uint32_t)iters, &retval, &duration))
			return -1;
		sink += retval;
		return duration;
	}
	t0 = now_ns();
	if (s == SYS_NATIVE) {
		for (uint64_t i = 0; i < iters; i++)
			acc += b->native(b->maps);
	} else {
		struct bpfrt_run_opts o = { .sz = sizeof(o), .engine = sys_engine[s], .mem = pkt,
					    .mem_size = sizeof(pkt) };

		for (uint64_t i = 0; i < iters; i++) {
			if (bpfrt_prog__run(b->prog, &o))
				return -1;
			acc += o.retval;
		}
	}
	t1 = now_ns();
	sink += acc;
	return (t1 - t0) / (double)iters;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void bench_one(struct mbench *b, bool kernel, struct bpfrt_vm *vm)
{
	struct bpfrt_insn insns[64];
	int idx[2] = { 0, 1 }, fds[2];
	struct bpfrt_map *maps[2];
	struct bpfrt_load_opts lo = { .sz = sizeof(lo), .maps = maps, .map_cnt = 1 };
	char log[512] = "";
	size_t cnt;

	lo.log_buf = log;
	lo.log_size = sizeof(log);
	if (b->setup(b, kernel)) {
		fprintf(stderr, "%s: cannot create the maps\n", b->name);
		status = 1;
		return;
	}
	maps[0] = b->maps[0].m;
	cnt = b->build(insns, idx);
	b->prog = bpfrt_prog__load(vm, insns, cnt, &lo);
	b->ok[SYS_NATIVE] = true;
	b->ok[SYS_INTERP] = b->ok[SYS_CHECKED] = b->prog != NULL;
	if (!b->prog)
		snprintf(b->why[SYS_INTERP], sizeof(b->why[0]), "load failed: %.80s", log);
	snprintf(b->why[SYS_CHECKED], sizeof(b->why[0]), "%s", b->why[SYS_INTERP]);
	b->kfd = -1;
	if (kernel && b->maps[0].kfd >= 0) {
		fds[0] = b->maps[0].kfd;
		cnt = b->build(insns, fds);
		b->kfd = kbpf_load_xdp(insns, cnt, log, sizeof(log));
	}
	b->ok[SYS_KERNEL] = b->kfd >= 0;
	if (!b->ok[SYS_KERNEL])
		snprintf(b->why[SYS_KERNEL], sizeof(b->why[0]), "n/a (%s)",
			 kernel ? "the kernel refused the program or map" : "bpf() not permitted");

	/* Same result everywhere (the native run sets the expectation). */
	b->expect = b->native(b->maps);
	for (int s = SYS_KERNEL; s < SYS__COUNT; s++) {
		uint32_t r = 0;
		struct bpfrt_run_opts o = { .sz = sizeof(o), .engine = sys_engine[s], .mem = pkt,
					    .mem_size = sizeof(pkt) };

		if (!b->ok[s])
			continue;
		if (s == SYS_KERNEL) {
			uint32_t d;

			if (kbpf_test_run(b->kfd, pkt, sizeof(pkt), 1, &r, &d))
				r = ~b->expect;
		} else {
			r = bpfrt_prog__run(b->prog, &o) ? ~b->expect : (uint32_t)o.retval;
		}
		if (r != b->expect) {
			snprintf(b->why[s], sizeof(b->why[0]), "MISMATCH: 0x%x, native 0x%x", r, b->expect);
			b->ok[s] = false;
			status = 1;
		}
	}
	for (int s = 0; s < SYS__COUNT; s++) {
		if (!b->ok[s])
			continue;
		for (b->iters[s] = 1;;) {
			double ns = run_round(b, s, b->iters[s]);

			if (ns < 0 || ns * (double)b->iters[s] >= min_round_ns)
				break;
			b->iters[s] *= 4;
		}
	}
	for (int r = 0; r < rounds; r++)
		for (int s = 0; s < SYS__COUNT; s++)
			if (b->ok[s])
				b->ns[s][r] = run_round(b, s, b->iters[s]);
	for (int s = 0; s < SYS__COUNT; s++) {
		double sorted[MAX_ROUNDS];

		if (!b->ok[s])
			continue;
		memcpy(sorted, b->ns[s], (size_t)rounds * sizeof(double));
		qsort(sorted, (size_t)rounds, sizeof(double), cmp_double);
		b->median[s] = sorted[rounds / 2];
	}
}

static void print_one(const struct mbench *b)
{
	printf("\n%s: %s (%d per run; result %u)\n", b->name, b->what, OPS, b->expect);
	printf("  %-22s %12s %12s %10s\n", "system", "ns/run", "ns/op", "vs kernel");
	for (int s = 0; s < SYS__COUNT; s++) {
		char r[32] = "-";

		if (!b->ok[s]) {
			printf("  %-22s %s\n", sys_label[s], b->why[s][0] ? b->why[s] : "n/a");
			continue;
		}
		if (b->ok[SYS_KERNEL] && b->median[SYS_KERNEL] > 0)
			snprintf(r, sizeof(r), "%.2fx", b->median[s] / b->median[SYS_KERNEL]);
		printf("  %-22s %12.1f %12.1f %10s\n", sys_label[s], b->median[s], b->median[s] / OPS, r);
	}
}

int main(int argc, char **argv)
{
	struct bpfrt_vm *vm = bpfrt_vm__new();
	bool kernel;
	int fd, opt;

	while ((opt = getopt(argc, argv, "r:m:")) != -1) {
		if (opt == 'r')
			rounds = atoi(optarg);
		else if (opt == 'm')
			min_round_ns = atof(optarg) * 1e6;
		else {
			fprintf(stderr, "usage: %s [-r ROUNDS] [-m MIN_MS]\n", argv[0]);
			return 2;
		}
	}
	if (rounds < 1 || rounds > MAX_ROUNDS || min_round_ns <= 0) {
		fprintf(stderr, "%s: -r must be 1..%d and -m > 0\n", argv[0], MAX_ROUNDS);
		return 2;
	}
	fd = kmap_create(BPF_MAP_TYPE_ARRAY, 4, 4, 1, 0);
	kernel = fd >= 0;
	if (kernel)
		close(fd);
	else
		printf("kernel: n/a (bpf(): %s)\n", strerror(-fd));
	printf("median of %d rounds of >= %.0f ms; ns/op = ns/run / %d\n", rounds, min_round_ns / 1e6,
	       OPS);
	for (size_t i = 0; i < sizeof(benches) / sizeof(benches[0]); i++) {
		bench_one(&benches[i], kernel, vm);
		print_one(&benches[i]);
	}
	for (size_t i = 0; i < sizeof(benches) / sizeof(benches[0]); i++) {
		bpfrt_prog__free(benches[i].prog);
		bpfrt_map__destroy(benches[i].maps[0].m);
		if (benches[i].kfd >= 0)
			close(benches[i].kfd);
		if (benches[i].maps[0].kfd >= 0)
			close(benches[i].maps[0].kfd);
	}
	bpfrt_vm__free(vm);
	return status;
}
