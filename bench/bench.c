/* SPDX-License-Identifier: MIT */
/*
 * bench/bench.c - the same eBPF programs on every bpfrt engine, on the
 * kernel (BPF_PROG_TEST_RUN, normally JIT-compiled) and as native C.
 *
 *   build/bench/bench [-r ROUNDS] [-m MIN_MS] [-v] [PROGRAM...]
 *
 * -v prints every round's figure too.
 *
 * For each program (bench/progs.h): check that every system computes the
 * native C result (a mismatch is printed loudly and makes the exit status
 * 1), calibrate an iteration count per system so that one round takes at
 * least MIN_MS, then run ROUNDS rounds, interleaving the systems round by
 * round so that a noisy stretch of the machine hits them all alike, and
 * report the median ns per run beside its ratios to the kernel and to
 * native C. The instruction count per run comes from the checked engine.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bpfrt/bpfrt.h"
#include "kernel.h"
#include "pb.h"
#include "progs.h"

#define MAX_ROUNDS 31

/* The systems of one comparison, in the order of the tables. */
enum sys {
	SYS_NATIVE,
	SYS_KERNEL,
	SYS_INTERP,
	SYS_INTERP_SWITCH,
	SYS_CHECKED,
	SYS_CHECKED_SWITCH,
	SYS__COUNT,
};

static const struct {
	const char *label;
	const char *short_label; /* summary column */
	int engine;              /* enum bpfrt_engine, or -1 */
} systems[SYS__COUNT] = {
	[SYS_NATIVE] = { "native C", "native", -1 },
	[SYS_KERNEL] = { "kernel JIT", "kernel", -1 },
	[SYS_INTERP] = { "bpfrt interp", "interp", BPFRT_ENGINE_INTERP },
	[SYS_INTERP_SWITCH] = { "bpfrt interp-switch", "interp-sw", BPFRT_ENGINE_INTERP_SWITCH },
	[SYS_CHECKED] = { "bpfrt checked", "checked", BPFRT_ENGINE_CHECKED },
	[SYS_CHECKED_SWITCH] = { "bpfrt checked-switch", "checked-sw", BPFRT_ENGINE_CHECKED_SWITCH },
};

/* One system's measurements of one program. */
struct meas {
	bool ok;           /* ran and agreed with native C */
	bool ran;          /* produced a result, right or wrong */
	char why[128];     /* when !ok: shown in place of the figures */
	uint64_t iters;    /* runs per round */
	double ns[MAX_ROUNDS];
	double median;     /* ns per run */
	double spread;     /* (max - min) / median over the rounds */
};

/* One program on every system. */
struct bench {
	const struct bench_prog *p;
	struct bpfrt_prog *prog;
	int kfd;
	struct kbpf_info kinfo;
	bool kinfo_ok;
	uint32_t expect;       /* the native C result */
	uint64_t insns;        /* executed per run (checked engine) */
	struct meas m[SYS__COUNT];
};

static uint8_t pkt[PKT_LEN] __attribute__((aligned(64)));
static volatile uint64_t sink;
static int rounds = 7;
static bool verbose;
static double min_round_ns = 50e6;
static char kernel_off[96];  /* non-empty: why the kernel column is n/a */
static int status;

/*
 * This thread's CPU time: time the scheduler gives to other processes on
 * this busy machine does not count, just as BPF_PROG_TEST_RUN stops its
 * clock while it yields the CPU.
 */
static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* 1234567 -> "1,234,567" */
static const char *group(uint64_t v, char buf[32])
{
	char tmp[32];
	int n = snprintf(tmp, sizeof(tmp), "%llu", (unsigned long long)v), o = 0;

	for (int i = 0; i < n; i++) {
		if (i && (n - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = tmp[i];
	}
	buf[o] = '\0';
	return buf;
}

__attribute__((format(printf, 1, 2))) static void fail(const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fflush(stdout);
	printf("!!! %s\n", msg);
	fflush(stdout);
	fprintf(stderr, "bench: %s\n", msg);
	status = 1;
}

/* ---- building and loading ---- */

/*
 * The two prologues that bring each engine to the bodies' convention
 * (r1 = packet start, r2 = packet end).
 */
static int build(const struct bench_prog *p, bool kernel, struct bpfrt_insn *out, size_t *cnt)
{
	struct pb b;
	size_t n = 0;

	pb_init(&b);
	p->body(&b);
	if (pb_finish(&b))
		return -EINVAL;
	if (kernel) {
		/* r1 = struct xdp_md *: read data_end before r1 is overwritten. */
		out[n++] = BPFRT_LDX_MEM(BPFRT_W, BPFRT_REG_2, BPFRT_REG_1, 4); /* data_end */
		out[n++] = BPFRT_LDX_MEM(BPFRT_W, BPFRT_REG_1, BPFRT_REG_1, 0); /* data */
	} else {
		/* bpfrt: r1 = mem, r2 = mem_size. */
		out[n++] = BPFRT_ALU64_REG(BPFRT_ADD, BPFRT_REG_2, BPFRT_REG_1);
	}
	memcpy(out + n, b.insns, (size_t)b.cnt * sizeof(*out));
	*cnt = n + (size_t)b.cnt;
	return 0;
}

/* Print the tail of a verifier log, which holds the reason. */
static void print_log_tail(const char *log)
{
	size_t len = strlen(log);
	const char *s = log + (len > 1500 ? len - 1500 : 0);

	printf("    kernel verifier log (tail):\n");
	while (*s) {
		size_t n = strcspn(s, "\n");

		printf("      %.*s\n", (int)n, s);
		s += n + (s[n] == '\n');
	}
}

static void setup_kernel(struct bench *bn)
{
	static char log[1 << 20];
	struct bpfrt_insn insns[PB_MAX_INSNS + 4];
	struct meas *m = &bn->m[SYS_KERNEL];
	size_t cnt;
	int fd;

	bn->kfd = -1;
	if (kernel_off[0]) {
		snprintf(m->why, sizeof(m->why), "n/a (%s)", kernel_off);
		return;
	}
	if (build(bn->p, true, insns, &cnt)) {
		snprintf(m->why, sizeof(m->why), "n/a (program did not build)");
		status = 1;
		return;
	}
	fd = kbpf_load_xdp(insns, cnt, log, sizeof(log));
	if (fd == -EPERM || fd == -ENOSYS) {
		/* bpf() itself is unavailable: say so once, for every program. */
		snprintf(kernel_off, sizeof(kernel_off), "bpf(): %s", strerror(-fd));
		snprintf(m->why, sizeof(m->why), "n/a (%s)", kernel_off);
		return;
	}
	if (fd < 0) {
		/* The program is ours: a refusal is a bug of this benchmark. */
		snprintf(m->why, sizeof(m->why), "n/a (verifier: %s)", strerror(-fd));
		fail("%s: the kernel refused the program: %s", bn->p->name, strerror(-fd));
		print_log_tail(log);
		return;
	}
	bn->kfd = fd;
	bn->kinfo_ok = !kbpf_prog_info(fd, &bn->kinfo);
	m->ok = true;
}

static int setup_bpfrt(struct bench *bn, struct bpfrt_vm *vm)
{
	struct bpfrt_insn insns[PB_MAX_INSNS + 4];
	char log[256] = "";
	struct bpfrt_load_opts lo = { .sz = sizeof(lo), .log_buf = log, .log_size = sizeof(log) };
	size_t cnt;

	if (build(bn->p, false, insns, &cnt))
		return -EINVAL;
	bn->prog = bpfrt_prog__load(vm, insns, cnt, &lo);
	if (!bn->prog) {
		fail("%s: bpfrt refused the program: %s", bn->p->name, log);
		return -errno;
	}
	for (int s = SYS_INTERP; s < SYS__COUNT; s++)
		bn->m[s].ok = true;
	return 0;
}

/* ---- one round ---- */

/* Run `iters` times on system `s`: mean ns per run, or < 0 on failure. */
static double run_round(struct bench *bn, int s, uint64_t iters)
{
	uint64_t acc = 0;
	double t0, t1;

	switch (s) {
	case SYS_NATIVE: {
		uint32_t (*fn)(const uint8_t *, size_t) = bn->p->native;

		t0 = now_ns();
		for (uint64_t i = 0; i < iters; i++) {
			/* The packet "may have changed": no hoisting, no folding. */
			__asm__ volatile("" ::: "memory");
			acc += fn(pkt, sizeof(pkt));
		}
		t1 = now_ns();
		break;
	}
	case SYS_KERNEL: {
		uint32_t retval = 0, duration = 0;

		if (iters > UINT32_MAX)
			iters = UINT32_MAX;
		if (kbpf_test_run(bn->kfd, pkt, sizeof(pkt), (uint32_t)iters, &retval, &duration))
			return -1;
		sink += retval;
		return duration; /* the kernel's own mean per run */
	}
	default: {
		struct bpfrt_run_opts o = {
			.sz = sizeof(o),
			.engine = systems[s].engine,
			.mem = pkt,
			.mem_size = sizeof(pkt),
		};

		t0 = now_ns();
		for (uint64_t i = 0; i < iters; i++) {
			if (bpfrt_prog__run(bn->prog, &o))
				return -1;
			acc += o.retval;
		}
		t1 = now_ns();
		break;
	}
	}
	sink += acc;
	return (t1 - t0) / (double)iters;
}

/* ---- correctness, then time ---- */

static void check_results(struct bench *bn)
{
	const char *name = bn->p->name;

	bn->expect = bn->p->native(pkt, sizeof(pkt));
	if (bn->p->reference && bn->p->reference(pkt, sizeof(pkt)) != bn->expect)
		fail("MISMATCH %s: native C returned 0x%08x, the reference 0x%08x", name,
			 bn->expect, bn->p->reference(pkt, sizeof(pkt)));
	bn->m[SYS_NATIVE].ok = true;
	bn->m[SYS_NATIVE].ran = true;

	if (bn->m[SYS_KERNEL].ok) {
		struct meas *m = &bn->m[SYS_KERNEL];
		uint32_t retval = 0, duration = 0;
		int err = kbpf_test_run(bn->kfd, pkt, sizeof(pkt), 1, &retval, &duration);

		m->ran = !err;
		if (err) {
			snprintf(m->why, sizeof(m->why), "n/a (test_run: %s)", strerror(-err));
			m->ok = false;
			fail("%s: BPF_PROG_TEST_RUN failed: %s", name, strerror(-err));
		} else if (retval != bn->expect) {
			snprintf(m->why, sizeof(m->why), "WRONG RESULT");
			m->ok = false;
			fail("MISMATCH %s: kernel returned 0x%08x, native C 0x%08x", name, retval,
				 bn->expect);
		}
	}

	for (int s = SYS_INTERP; s < SYS__COUNT && bn->prog; s++) {
		struct bpfrt_run_opts o = {
			.sz = sizeof(o),
			.engine = systems[s].engine,
			.mem = pkt,
			.mem_size = sizeof(pkt),
		};
		struct meas *m = &bn->m[s];
		int err = bpfrt_prog__run(bn->prog, &o);

		m->ran = !err;
		if (err) {
			snprintf(m->why, sizeof(m->why), "FAULT");
			m->ok = false;
			fail("%s on %s: run failed (%s): %s", name, systems[s].label, strerror(-err),
				 o.fault.msg);
		} else if (o.retval != bn->expect) {
			snprintf(m->why, sizeof(m->why), "WRONG RESULT");
			m->ok = false;
			fail("MISMATCH %s: %s returned 0x%08llx, native C 0x%08x", name,
				 systems[s].label, (unsigned long long)o.retval, bn->expect);
		}
		if (!err && s == SYS_CHECKED)
			bn->insns = o.insn_executed;
	}
}

static void measure(struct bench *bn)
{
	/* Calibrate: grow the iteration count until a round is long enough. */
	for (int s = 0; s < SYS__COUNT; s++) {
		struct meas *m = &bn->m[s];

		if (!m->ok)
			continue;
		m->iters = 1;
		for (;;) {
			double ns = run_round(bn, s, m->iters), total = ns * (double)m->iters, grow;

			if (ns < 0) {
				snprintf(m->why, sizeof(m->why), "FAILED while timing");
				m->ok = false;
				fail("%s on %s: failed while timing", bn->p->name, systems[s].label);
				break;
			}
			if (total >= min_round_ns)
				break;
			grow = total > 0 ? min_round_ns * 1.2 / total : 100;
			grow = grow < 2 ? 2 : grow > 100 ? 100 : grow;
			m->iters = (uint64_t)((double)m->iters * grow);
		}
	}
	/* Interleave: round r of every system before round r + 1 of any. */
	for (int r = 0; r < rounds; r++)
		for (int s = 0; s < SYS__COUNT; s++)
			if (bn->m[s].ok)
				bn->m[s].ns[r] = run_round(bn, s, bn->m[s].iters);
	for (int s = 0; s < SYS__COUNT; s++) {
		struct meas *m = &bn->m[s];
		double sorted[MAX_ROUNDS];

		if (!m->ok)
			continue;
		memcpy(sorted, m->ns, (size_t)rounds * sizeof(double));
		qsort(sorted, (size_t)rounds, sizeof(double), cmp_double);
		m->median = sorted[rounds / 2];
		m->spread = m->median > 0 ? (sorted[rounds - 1] - sorted[0]) / m->median : 0;
		if (sorted[0] < 0) {
			snprintf(m->why, sizeof(m->why), "FAILED while timing");
			m->ok = false;
			fail("%s on %s: failed while timing", bn->p->name, systems[s].label);
		}
	}
}

/* ---- output ---- */

/* "12.34x", or "-" when either side is missing. */
static const char *ratio(const struct meas *a, const struct meas *b, char buf[32])
{
	if (!a->ok || !b->ok || b->median <= 0)
		return "-";
	snprintf(buf, 32, "%.2fx", a->median / b->median);
	return buf;
}

static void print_program(const struct bench *bn)
{
	const struct meas *kernel = &bn->m[SYS_KERNEL], *native = &bn->m[SYS_NATIVE];
	char g[32], r1[32], r2[32];
	int agree = 0, ran = 0;

	for (int s = 0; s < SYS__COUNT; s++) {
		ran += bn->m[s].ran;
		agree += bn->m[s].ok;
	}
	printf("\n%s [%s]: %s\n", bn->p->name, bn->p->kind, bn->p->what);
	printf("  result 0x%08x (%d of %d systems agree); %s eBPF insns executed per run", bn->expect,
	       agree, ran, group(bn->insns, g));
	if (kernel->ok && bn->kinfo_ok)
		printf("; kernel verifier: %s insns processed, %s", group(bn->kinfo.verified_insns, g),
		       bn->kinfo.jited ? "JIT-compiled" : "NOT JIT-compiled (kernel interpreter)");
	printf("\n");
	printf("  %-22s %12s %7s %8s %10s %10s\n", "system", "ns/run", "spread", "ns/insn", "vs kernel",
	       "vs native");
	for (int s = 0; s < SYS__COUNT; s++) {
		const struct meas *m = &bn->m[s];
		const char *label = systems[s].label;
		char ipi[32] = "-";

		if (s == SYS_KERNEL && m->ok && bn->kinfo_ok && !bn->kinfo.jited)
			label = "kernel, NO JIT";
		if (!m->ok) {
			printf("  %-22s %s\n", label, m->why);
			continue;
		}
		if (s != SYS_NATIVE && bn->insns)
			snprintf(ipi, sizeof(ipi), "%.3f", m->median / (double)bn->insns);
		printf("  %-22s %12.1f %6.1f%% %8s %10s %10s\n", label, m->median,
		       100 * m->spread, ipi, ratio(m, kernel, r1), ratio(m, native, r2));
		if (verbose) {
			printf("  %22s", "rounds:");
			for (int r = 0; r < rounds; r++)
				printf(" %.1f", m->ns[r]);
			printf("  (%llu runs each)\n", (unsigned long long)m->iters);
		}
	}
}

static double ns_per_insn(const struct bench *bn, int s)
{
	return bn->m[s].ok && bn->insns ? bn->m[s].median / (double)bn->insns : -1;
}

static void print_summary(const struct bench *bns, size_t cnt)
{
	static const int cols[] = { SYS_INTERP, SYS_INTERP_SWITCH, SYS_CHECKED, SYS_CHECKED_SWITCH,
				    SYS_KERNEL };
	const size_t ncols = sizeof(cols) / sizeof(cols[0]);
	char g[32], r1[32], r2[32], r3[32];
	bool any = false;

	printf("\nSummary: ns per executed eBPF instruction, and ratios of ns per run\n");
	printf("  %-9s %-6s %10s", "program", "kind", "insns/run");
	for (size_t c = 0; c < ncols; c++)
		printf(" %10s", systems[cols[c]].short_label);
	printf(" %14s %14s %14s\n", "interp/kernel", "interp/native", "kernel/native");
	for (size_t i = 0; i < cnt; i++) {
		const struct bench *bn = &bns[i];

		printf("  %-9s %-6s %10s", bn->p->name, bn->p->kind, group(bn->insns, g));
		for (size_t c = 0; c < ncols; c++) {
			double v = ns_per_insn(bn, cols[c]);

			if (v < 0)
				printf(" %10s", "-");
			else
				printf(" %10.3f", v);
		}
		printf(" %14s %14s %14s\n", ratio(&bn->m[SYS_INTERP], &bn->m[SYS_KERNEL], r1),
		       ratio(&bn->m[SYS_INTERP], &bn->m[SYS_NATIVE], r2),
		       ratio(&bn->m[SYS_KERNEL], &bn->m[SYS_NATIVE], r3));
	}

	/* Per engine: the mean of ns/insn over the alu and load programs. */
	for (size_t i = 0; i < cnt; i++)
		if (!strcmp(bns[i].p->kind, "alu") || !strcmp(bns[i].p->kind, "load")) {
			printf("%s%s", any ? ", " : "\n  mean ns/insn over the alu + load programs (",
			       bns[i].p->name);
			any = true;
		}
	if (!any)
		return;
	printf("), each program weighted alike:\n");
	for (size_t c = 0; c < ncols; c++) {
		double sum = 0;
		int n = 0, missing = 0;

		for (size_t i = 0; i < cnt; i++) {
			double v;

			if (strcmp(bns[i].p->kind, "alu") && strcmp(bns[i].p->kind, "load"))
				continue;
			v = ns_per_insn(&bns[i], cols[c]);
			if (v < 0)
				missing++;
			else
				sum += v, n++;
		}
		if (!n)
			continue;
		printf("  %-22s", systems[cols[c]].label);
		printf(" %6.3f ns/insn", sum / n);
		if (missing)
			printf("  (%d program%s missing)", missing, missing > 1 ? "s" : "");
		if (cols[c] == SYS_INTERP)
			printf("   target <= 1.5: %s; uBPF's interpreter needs ~5",
			       sum / n <= 1.5 ? "met" : "MISSED");
		printf("\n");
	}
}

static void print_notes(void)
{
	printf("\nNotes:\n"
	       "  ns/run   median of %d rounds, each round >= %.0f ms; the systems' rounds are\n"
	       "           interleaved. spread = (slowest - fastest round) / median.\n"
	       "  kernel   BPF_PROG_TYPE_XDP via BPF_PROG_TEST_RUN: `duration` is the kernel's mean\n"
	       "           per run and includes test_run's own ~20-40 ns per run, reported as is.\n"
	       "           Its prologue reads data/data_end from xdp_md (2 insns, bpfrt's is 1).\n"
	       "  bpfrt    ns per bpfrt_prog__run() call, its per-call setup included.\n"
	       "  clocks   bpfrt and native: this thread's CPU time (CLOCK_THREAD_CPUTIME_ID);\n"
	       "           kernel: test_run's own clock, which also pauses while it yields.\n"
	       "  native   the same algorithm in C, compiled with this binary by gcc %s\n"
	       "           %s; called through a noinline function\n"
	       "           with a compiler barrier per run.\n"
	       "  ns/insn  ns/run / eBPF insns executed per run (counted by the checked engine);\n"
	       "           the kernel column divides by the same count.\n",
	       rounds, min_round_ns / 1e6, __VERSION__,
#ifdef __OPTIMIZE__
	       "(the Makefile's OPT, -O2 by default)"
#else
	       "WITHOUT OPTIMIZATION: the native figures mean nothing"
#endif
	);
}

static void usage(void)
{
	fprintf(stderr, "usage: bench [-r ROUNDS (1-%d)] [-m MIN_MS per round] [-v] [PROGRAM...]\nprograms:",
		MAX_ROUNDS);
	for (size_t i = 0; i < BENCH_PROG_CNT; i++)
		fprintf(stderr, " %s", bench_progs[i].name);
	fprintf(stderr, "\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct bench bns[BENCH_PROG_CNT];
	struct bpfrt_vm *vm;
	size_t cnt = 0;
	int opt;

	while ((opt = getopt(argc, argv, "r:m:vh")) != -1) {
		switch (opt) {
		case 'r':
			rounds = atoi(optarg);
			if (rounds < 1 || rounds > MAX_ROUNDS)
				usage();
			break;
		case 'v':
			verbose = true;
			break;
		case 'm':
			min_round_ns = atof(optarg) * 1e6;
			if (min_round_ns <= 0)
				usage();
			break;
		default:
			usage();
		}
	}
	for (int a = optind; a < argc; a++) {
		size_t i = 0;

		while (i < BENCH_PROG_CNT && strcmp(argv[a], bench_progs[i].name))
			i++;
		if (i == BENCH_PROG_CNT) {
			fprintf(stderr, "bench: no program named '%s'\n", argv[a]);
			usage();
		}
	}
	vm = bpfrt_vm__new();
	if (!vm) {
		perror("bench: bpfrt_vm__new");
		return 1;
	}
	bench_packet_fill(pkt, sizeof(pkt));
	setvbuf(stdout, NULL, _IOLBF, 0);

	printf("bpfrt bench: %zu-byte packet; median of %d rounds >= %.0f ms each\n", sizeof(pkt),
	       rounds, min_round_ns / 1e6);
	for (size_t i = 0; i < BENCH_PROG_CNT; i++) {
		struct bench *bn = &bns[cnt];
		bool wanted = optind >= argc;

		for (int a = optind; a < argc; a++)
			wanted |= !strcmp(argv[a], bench_progs[i].name);
		if (!wanted)
			continue;
		memset(bn, 0, sizeof(*bn));
		bn->p = &bench_progs[i];
		cnt++;
		setup_kernel(bn);
		if (setup_bpfrt(bn, vm))
			for (int s = SYS_INTERP; s < SYS__COUNT; s++)
				snprintf(bn->m[s].why, sizeof(bn->m[s].why), "n/a (load failed)");
		check_results(bn);
		measure(bn);
		print_program(bn);
	}
	print_summary(bns, cnt);
	print_notes();

	for (size_t i = 0; i < cnt; i++) {
		if (bns[i].kfd >= 0)
			close(bns[i].kfd);
		bpfrt_prog__free(bns[i].prog);
	}
	bpfrt_vm__free(vm);
	if (status)
		printf("\nbench: FAILED (see the lines marked !!! above)\n");
	return status;
}
