/* SPDX-License-Identifier: MIT */
/*
 * tests/kernel_diff.c - differential test of bpfrt against the running kernel.
 *
 * Random programs that the kernel verifier accepts run once on the kernel
 * (BPF_PROG_LOAD as a socket filter, BPF_PROG_TEST_RUN on a packet) and
 * once on every bpfrt engine; r0 must agree.
 *
 * A generated program:
 *
 *   prologue  r6 = r1 (only when it uses LD_ABS/LD_IND, which need the ctx
 *             in r6); r0-r9 = constants; a 64-byte stack area
 *             [r10 - base - 64, r10 - base) written in full, so every
 *             later read of it sees initialised bytes.
 *   body      units of 1-48 instructions: ALU, byte swaps, LDDW, stack
 *             loads/stores/atomics at fixed aligned offsets, LD_ABS/LD_IND,
 *             forward if / if-else structures, bounded loops.
 *   epilogue  fold r0-r9 and the stack words into r0 with r0 ^= x;
 *             r0 *= odd (a bijection in each argument, so one differing
 *             value is never lost), then r0 ^= r0 >> 32 because
 *             BPF_PROG_TEST_RUN reports only 32 bits of r0.
 *
 * Only scalars are computed on: r10 is used only as the base of a memory
 * access and the ctx in r6 only implicitly by LD_ABS/LD_IND. Every
 * register is initialised between units (the r1-r5 that LD_ABS/LD_IND
 * clobber are set again inside its unit), so a forward jump to any unit
 * boundary is safe. Jumps name their target unit and are resolved when
 * the program is laid out, which lets a mismatch be minimised by dropping
 * units.
 *
 * The kernel's socket-filter test run strips the 14-byte Ethernet header,
 * so the kernel gets 14 + N bytes and bpfrt the N payload bytes: LD_ABS
 * offsets then mean the same thing on both sides.
 *
 * A mismatch is minimised (a one-item epilogue, then units dropped while
 * the kernel still accepts the program and it still differs) and printed
 * with its input and every engine's r0. Two kernel bugs the generator met
 * on Linux 6.18 are steered around in gen_atomic(); see the comments there.
 *
 * Environment: KDIFF_PROGRAMS=N (default 10000), KDIFF_SEED=S (default
 * random; printed), KDIFF_ONLY=I (only program I of that seed, printed in
 * full), KDIFF_VERBOSE=1 (print mismatching programs in full too),
 * KDIFF_MUTATE=FROM:TO (self-test: bpfrt runs opcode FROM as TO).
 */
#include <errno.h>
#include <inttypes.h>
#include <linux/bpf.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "bpfrt/bpfrt.h"
#include "harness.h"
#include "isa/opcodes.h" /* the opcode table, to check what was covered */

#define DEFAULT_PROGRAMS 10000
#define UNIT_MAX    48   /* instructions in one unit */
#define UNITS_MAX   400  /* units in one program */
#define PROG_MAX    1024 /* instructions after layout */
#define STACK_AREA  64   /* bytes of stack a program uses */
#define STACK_WORDS (STACK_AREA / 8)
#define PKT_MAX     80   /* payload bytes */
#define ETH_LEN     14
#define MAX_COND    24   /* conditional jumps per program (verifier cost) */
#define MAX_DEPTH   3    /* nesting of if / loop structures */
#define SHOW_MAX    5    /* mismatches printed in full */
#define REJECT_SHOW 3    /* rejections printed with the verifier log */
#define WATCHDOG_S  20   /* seconds one program may take */

/* ---- random numbers ---------------------------------------------------- */

static uint64_t rng;

static uint64_t splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t rnd(void)
{
	return splitmix(&rng);
}

static uint32_t below(uint32_t n)
{
	return (uint32_t)(rnd() % n);
}

static bool chance(unsigned pct)
{
	return below(100) < pct;
}

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define PICK(a) ((a)[below(NELEM(a))])

static const uint64_t edge64[] = {
	0, 1, 2, 3, 7, 8, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000,
	0x7fffffff, 0x80000000, 0x80000001, 0xffffffff, 0x100000000, 0x100000001,
	0x7fffffffffffffff, 0x8000000000000000, 0x8000000000000001,
	0xffffffffffffffff, 0xfffffffffffffffe, 0xffffffff80000000,
	0xffffffff7fffffff, 0xffffffffffff8000, 0xffffffffffffff80,
	0x8000000080000000, 0x00000001ffffffff, 0x0123456789abcdef,
	0xfedcba9876543210, 31, 32, 33, 63, 64, 65, 70,
};

static const int32_t edge32[] = {
	0, 1, -1, 2, -2, 3, 7, 8, 16, 31, 32, 33, 63, 64, 65, 0x7f, 0x80, 0xff,
	0x100, 0x7fff, 0x8000, 0xffff, 0x10000, INT32_MAX, INT32_MIN, INT32_MIN + 1,
	INT32_MAX - 1, -0x80, -0x81, -0x8000, 0x55555555, (int32_t)0xaaaaaaaa,
};

/* A register value: edge values half the time. */
static uint64_t value64(void)
{
	unsigned r = below(100);

	if (r < 35)
		return PICK(edge64);
	if (r < 50)
		return (uint64_t)(int64_t)PICK(edge32);
	if (r < 60)
		return (uint32_t)PICK(edge32);
	if (r < 70)
		return (uint64_t)(int64_t)((int)below(141) - 70);
	if (r < 80)
		return (uint32_t)rnd();
	return rnd();
}

/* A 32-bit immediate. */
static int32_t imm32(void)
{
	unsigned r = below(100);

	if (r < 40)
		return PICK(edge32);
	if (r < 60)
		return (int)below(141) - 70;
	if (r < 70)
		return (int32_t)(rnd() & 0xff);
	if (r < 80)
		return (int32_t)(rnd() & 0xffff);
	return (int32_t)rnd();
}

static uint64_t divisor(void)
{
	static const uint64_t d[] = {
		0, 0, 1, -1ull, 2, -2ull, 3, 7, 0x80000000, 0xffffffff,
		0xffffffff80000000, 0x8000000000000000, 0x100000000,
		0x100000001, 0x7fffffff, 0x7fffffffffffffff, 0xffffffff00000000,
	};

	return chance(70) ? PICK(d) : value64();
}

static uint64_t dividend(void)
{
	static const uint64_t d[] = {
		0x8000000000000000, 0xffffffff80000000, 0x80000000, -1ull, 0, 1,
		0x7fffffff, 0x7fffffffffffffff, 0xffffffff, 0x180000000,
	};

	return chance(60) ? PICK(d) : value64();
}

static uint64_t shift_count(void)
{
	static const uint64_t s[] = {
		0, 1, 31, 32, 33, 63, 64, 65, 0xffffffff, 0x100000020, -1ull, 0x80, 0xff,
	};

	return chance(50) ? below(71) : PICK(s);
}

static int32_t shift_imm(int width)
{
	const int32_t s[] = { 0, 1, width / 2 - 1, width / 2, width / 2 + 1, width - 1 };

	return chance(50) ? PICK(s) : (int32_t)below((uint32_t)width);
}

/* ---- programs as units ------------------------------------------------- */

enum family {
	/* straight-line */
	F_ALU64, F_ALU32, F_SDIV, F_MOVSX, F_END, F_LDDW, F_MEM, F_LDSX, F_ATOMIC,
	F_LDABS,
	/* control flow */
	F_JMP, F_JMP32, F_JA, F_LOOP,
	F_MIXED,
	F__COUNT
};

#define F_STRAIGHT_COUNT (F_LDABS + 1)

static const char *const family_names[F__COUNT] = {
	[F_ALU64] = "alu64", [F_ALU32] = "alu32", [F_SDIV] = "sdiv/smod",
	[F_MOVSX] = "movsx", [F_END] = "byteswap", [F_LDDW] = "lddw",
	[F_MEM] = "ldx/stx/st", [F_LDSX] = "ldsx", [F_ATOMIC] = "atomic",
	[F_LDABS] = "ld_abs/ld_ind", [F_JMP] = "jmp", [F_JMP32] = "jmp32",
	[F_JA] = "ja/gotol", [F_LOOP] = "loop", [F_MIXED] = "mixed",
};

/* What the running kernel accepts (probed at start). */
static bool family_ok[F__COUNT];
static bool have_bswap, have_gotol, have_fetch;

struct unit {
	struct bpfrt_insn insn[UNIT_MAX];
	int n;
	int jmp;      /* index in insn[] of a forward jump to resolve, or -1 */
	int target;   /* the unit it jumps to (== unit count: the epilogue) */
	bool pinned;  /* kept when minimising */
	bool removed; /* dropped by the minimiser */
};

struct prog {
	struct unit u[UNITS_MAX];
	int n;
	int insns;         /* instructions in all units */
	enum family fam;   /* focus of the program */
	bool ctx;          /* r6 holds the ctx (LD_ABS / LD_IND used) */
	int stack_base;    /* area: [r10 - stack_base - 64, r10 - stack_base) */
	size_t pkt_len;    /* payload length LD_ABS offsets aim at */
	/* generator state */
	uint16_t locked;   /* registers the current block must not write */
	int cond_jumps, loops, depth;
};

static void die(const char *msg)
{
	printf("FAIL: kernel_diff: internal error: %s\n", msg);
	fflush(stdout);
	exit(1);
}

static struct unit *unit_new(struct prog *p)
{
	struct unit *u;

	if (p->n == UNITS_MAX)
		die("too many units");
	u = &p->u[p->n++];
	u->n = 0;
	u->jmp = -1;
	u->target = 0;
	u->pinned = false;
	u->removed = false;
	return u;
}

static int unit_idx(const struct prog *p, const struct unit *u)
{
	return (int)(u - p->u);
}

static void emit(struct prog *p, struct unit *u, struct bpfrt_insn insn)
{
	if (u->n == UNIT_MAX)
		die("unit too long");
	u->insn[u->n++] = insn;
	p->insns++;
}

static void emit_ld64(struct prog *p, struct unit *u, int reg, uint64_t v)
{
	struct bpfrt_insn two[2] = { BPFRT_LD_IMM64(reg, v) };

	emit(p, u, two[0]);
	emit(p, u, two[1]);
}

/* reg = v, by the shortest instruction that can (or LDDW anyway). */
static void emit_set(struct prog *p, struct unit *u, int reg, uint64_t v)
{
	if (v == (uint64_t)(int64_t)(int32_t)v && chance(85))
		emit(p, u, BPFRT_MOV64_IMM(reg, (int32_t)v));
	else if (v <= 0xffffffff && chance(85))
		emit(p, u, BPFRT_MOV32_IMM(reg, (int32_t)v));
	else
		emit_ld64(p, u, reg, v);
}

static bool reg_ok(const struct prog *p, int r)
{
	return !(r == 6 && p->ctx);
}

static bool writable(const struct prog *p, int r)
{
	return reg_ok(p, r) && !(p->locked >> r & 1);
}

/* A scalar register to read. */
static int src_reg(const struct prog *p)
{
	int r;

	do
		r = (int)below(10);
	while (!reg_ok(p, r));
	return r;
}

/* A scalar register to write. */
static int dst_reg(const struct prog *p)
{
	int r;

	do
		r = (int)below(10);
	while (!writable(p, r));
	return r;
}

static unsigned size_bytes(uint8_t size)
{
	switch (size) {
	case BPFRT_B: return 1;
	case BPFRT_H: return 2;
	case BPFRT_W: return 4;
	default: return 8;
	}
}

static int area_start(const struct prog *p)
{
	return -(p->stack_base + STACK_AREA);
}

/* A naturally aligned offset from r10 inside the area. */
static int16_t stack_off(const struct prog *p, unsigned bytes)
{
	return (int16_t)(area_start(p) + (int)(below(STACK_AREA / bytes) * bytes));
}

static const uint8_t sizes[] = { BPFRT_B, BPFRT_H, BPFRT_W, BPFRT_DW };

/* ---- straight-line units ----------------------------------------------- */

static void gen_set(struct prog *p)
{
	struct unit *u = unit_new(p);

	emit_set(p, u, dst_reg(p), value64());
}

static bool is_div(uint8_t op)
{
	return op == BPFRT_DIV || op == BPFRT_MOD;
}

static bool is_shift(uint8_t op)
{
	return op == BPFRT_LSH || op == BPFRT_RSH || op == BPFRT_ARSH;
}

/* off 1: signed DIV/MOD only. */
static void gen_alu(struct prog *p, bool is64, int off)
{
	static const uint8_t ops[] = {
		BPFRT_ADD, BPFRT_SUB, BPFRT_MUL, BPFRT_DIV, BPFRT_OR, BPFRT_AND,
		BPFRT_LSH, BPFRT_RSH, BPFRT_NEG, BPFRT_MOD, BPFRT_XOR, BPFRT_MOV,
		BPFRT_ARSH,
	};
	static const int32_t sdiv_imm[] = { -1, 1, -2, 2, INT32_MIN, INT32_MAX, 3, -3 };
	struct unit *u = unit_new(p);
	uint8_t cls = is64 ? BPFRT_ALU64 : BPFRT_ALU;
	int width = is64 ? 64 : 32;
	uint8_t op = off ? (chance(50) ? BPFRT_DIV : BPFRT_MOD) : PICK(ops);
	int dst = dst_reg(p);

	if (op == BPFRT_NEG) {
		emit(p, u, BPFRT_RAW_INSN(cls | BPFRT_NEG | BPFRT_K, dst, 0, 0, 0));
		return;
	}
	if (is_div(op) && chance(25))
		emit_set(p, u, dst, dividend());
	if (chance(50)) {
		int32_t imm = is_shift(op) ? shift_imm(width) : imm32();

		if (off && chance(50))
			imm = PICK(sdiv_imm);
		/* The verifier rejects division by a constant 0. */
		if (is_div(op) && imm == 0)
			imm = chance(50) ? -1 : 1;
		emit(p, u, BPFRT_RAW_INSN(cls | op | BPFRT_K, dst, 0, off, imm));
	} else {
		int src = src_reg(p);

		if (writable(p, src) && chance(40)) {
			if (is_div(op))
				emit_set(p, u, src, divisor());
			else if (is_shift(op))
				emit_set(p, u, src, shift_count());
		}
		emit(p, u, BPFRT_RAW_INSN(cls | op | BPFRT_X, dst, src, off, 0));
	}
}

static void gen_movsx(struct prog *p)
{
	static const uint64_t v[] = {
		0x7f, 0x80, 0xff, 0x17f, 0x7fff, 0x8000, 0xffff, 0x18000, 0x7fffffff,
		0x80000000, 0xffffffff, 0x180000000, 0xffffffffffffff80,
	};
	static const int off64[] = { 8, 16, 32 }, off32[] = { 8, 16 };
	struct unit *u = unit_new(p);
	bool is64 = chance(50);
	int src = src_reg(p), dst = dst_reg(p);

	if (writable(p, src) && chance(35))
		emit_set(p, u, src, chance(70) ? PICK(v) : value64());
	emit(p, u, BPFRT_RAW_INSN((is64 ? BPFRT_ALU64 : BPFRT_ALU) | BPFRT_MOV | BPFRT_X, dst,
				  src, is64 ? PICK(off64) : PICK(off32), 0));
}

static void gen_end(struct prog *p)
{
	static const int32_t widths[] = { 16, 32, 64 };
	struct unit *u = unit_new(p);
	unsigned kind = below(have_bswap ? 3 : 2);
	uint8_t code = kind == 0 ? BPFRT_ALU | BPFRT_END | BPFRT_TO_LE :
		       kind == 1 ? BPFRT_ALU | BPFRT_END | BPFRT_TO_BE :
				   BPFRT_ALU64 | BPFRT_END | BPFRT_TO_LE;

	emit(p, u, BPFRT_RAW_INSN(code, dst_reg(p), 0, 0, PICK(widths)));
}

static void gen_lddw(struct prog *p)
{
	struct unit *u = unit_new(p);

	emit_ld64(p, u, dst_reg(p), value64());
}

static void gen_mem(struct prog *p)
{
	struct unit *u = unit_new(p);
	uint8_t size = PICK(sizes);
	unsigned bytes = size_bytes(size);
	int16_t off = stack_off(p, bytes);

	switch (below(4)) {
	case 0:
		emit(p, u, BPFRT_LDX_MEM(size, dst_reg(p), BPFRT_REG_10, off));
		break;
	case 1:
		emit(p, u, BPFRT_STX_MEM(size, BPFRT_REG_10, src_reg(p), off));
		break;
	case 2:
		emit(p, u, BPFRT_ST_MEM(size, BPFRT_REG_10, off, imm32()));
		break;
	default: {
		/* Store one size, load another that overlaps it. */
		uint8_t size2 = PICK(sizes);
		unsigned bytes2 = size_bytes(size2);
		int rel = off - area_start(p);
		int rel2 = bytes2 <= bytes ? rel + (int)(below(bytes / bytes2) * bytes2)
					   : rel & ~(int)(bytes2 - 1);

		if (chance(50))
			emit(p, u, BPFRT_STX_MEM(size, BPFRT_REG_10, src_reg(p), off));
		else
			emit(p, u, BPFRT_ST_MEM(size, BPFRT_REG_10, off, imm32()));
		emit(p, u, BPFRT_LDX_MEM(size2, dst_reg(p), BPFRT_REG_10,
					 (int16_t)(area_start(p) + rel2)));
		break;
	}
	}
}

static void gen_ldsx(struct prog *p)
{
	static const uint8_t sx_sizes[] = { BPFRT_B, BPFRT_H, BPFRT_W };
	static const int32_t v[] = {
		0x7f, 0x80, 0xff, -1, 0x7fff, 0x8000, 0xffff, INT32_MIN, INT32_MAX,
		0x17f, 0x18000,
	};
	struct unit *u = unit_new(p);
	uint8_t size = PICK(sx_sizes);
	int16_t off = stack_off(p, size_bytes(size));

	if (chance(40))
		emit(p, u, BPFRT_ST_MEM(size, BPFRT_REG_10, off, chance(70) ? PICK(v) : imm32()));
	emit(p, u, BPFRT_LDX_MEMSX(size, dst_reg(p), BPFRT_REG_10, off));
}

/* The non-fetching ones first. */
static const int32_t atomic_ops[] = {
	BPFRT_ADD, BPFRT_OR, BPFRT_AND, BPFRT_XOR,
	BPFRT_ADD | BPFRT_FETCH, BPFRT_OR | BPFRT_FETCH,
	BPFRT_AND | BPFRT_FETCH, BPFRT_XOR | BPFRT_FETCH,
	BPFRT_XCHG, BPFRT_CMPXCHG,
};

static void gen_atomic(struct prog *p)
{
	struct unit *u = unit_new(p);
	uint8_t size = chance(50) ? BPFRT_W : BPFRT_DW;
	int16_t off = stack_off(p, size_bytes(size));
	int32_t op = atomic_ops[below(have_fetch ? NELEM(atomic_ops) : 4)];
	int src;

	if (op == BPFRT_CMPXCHG && !writable(p, 0))
		op = BPFRT_XOR;
	/*
	 * Linux 6.18 does not carry precision back through a fetching
	 * atomic to the stack slot it read: where paths join it may prune
	 * one on which the slot differs, keep the constant it fetched on
	 * the path it did check, and remove code as dead on that belief.
	 * A byte stored first makes the slot unknown to the verifier, so
	 * it has no constant to believe.
	 */
	if (op & BPFRT_FETCH)
		emit(p, u, BPFRT_STX_MEM(BPFRT_B, BPFRT_REG_10, src_reg(p), off));
	if (op == BPFRT_CMPXCHG && chance(40)) {
		/*
		 * Make the exchange happen. A 32-bit one compares only the
		 * low half of r0: give it an upper half by loading the whole
		 * word the 32 bits start (little-endian).
		 */
		bool wide = size == BPFRT_W && (off - area_start(p)) % 8 == 0 && chance(50);

		emit(p, u, BPFRT_LDX_MEM(wide ? BPFRT_DW : size, BPFRT_REG_0, BPFRT_REG_10, off));
	}
	/* Fetching ops (not CMPXCHG, which loads into r0) write src. */
	src = (op & BPFRT_FETCH) && op != BPFRT_CMPXCHG ? dst_reg(p) : src_reg(p);
	emit(p, u, BPFRT_ATOMIC_OP(size, op, BPFRT_REG_10, src, off));
	/*
	 * x86's 32-bit cmpxchg leaves the upper half of rax alone when the
	 * exchange happens, so the verifier adds a zero extension, but only
	 * after a cmpxchg it saw r0 read as 64 bits from; Linux 6.18 misses
	 * the read when it is reached through a pruned path and returns
	 * the stale upper half. Reading r0 at once keeps the kernel right.
	 */
	if (op == BPFRT_CMPXCHG && size == BPFRT_W)
		emit(p, u, BPFRT_MOV64_REG(BPFRT_REG_0, BPFRT_REG_0));
}

static void gen_ldabs(struct prog *p)
{
	static const uint8_t abs_sizes[] = { BPFRT_B, BPFRT_H, BPFRT_W };
	static const uint32_t far[] = {
		0x7fffffff, 0x7ffffffe, 0x7ffffffd, 0x7ffffffc, 0x10000, 0xffff, 0x1000,
		PKT_MAX, PKT_MAX + 1, 255, 256,
	};
	struct unit *u;
	uint8_t size = PICK(abs_sizes);
	uint32_t bytes = size_bytes(size), len = (uint32_t)p->pkt_len, t;
	unsigned r = below(100);
	int reg;

	if (!p->ctx) {
		gen_alu(p, chance(50), 0);
		return;
	}
	u = unit_new(p);
	/* Mostly in range, some just past the end, some far out. */
	if (r < 70)
		t = len >= bytes ? below(len - bytes + 1) : 0;
	else if (r < 85)
		t = (len >= bytes ? len - bytes + 1 : 0) + below(4);
	else if (r < 95)
		t = below(2 * PKT_MAX);
	else
		t = PICK(far);

	if (chance(50)) {
		emit(p, u, BPFRT_LD_ABS(size, (int32_t)t));
	} else {
		/*
		 * src + imm in 64 bits, truncated to 32 bits by the kernel:
		 * let it wrap, and give src upper bits sometimes.
		 */
		int32_t imm = chance(40) ? 0 : chance(80) ? (int)below(33) - 16 : (int32_t)t;
		uint32_t s = t - (uint32_t)imm;
		uint64_t v = below(3) == 0 ? (uint64_t)(int64_t)(int32_t)s :
			     chance(50) ? s : (rnd() << 32) | s;
		int src = dst_reg(p);

		emit_set(p, u, src, v);
		emit(p, u, BPFRT_LD_IND(size, src, imm));
	}
	/* LD_ABS / LD_IND are calls in the kernel: r1-r5 are clobbered. */
	for (reg = 1; reg <= 5; reg++)
		emit_set(p, u, reg, value64());
}

static void gen_straight_fam(struct prog *p, enum family f)
{
	switch (f) {
	case F_ALU64: gen_alu(p, true, 0); break;
	case F_ALU32: gen_alu(p, false, 0); break;
	case F_SDIV: gen_alu(p, chance(50), 1); break;
	case F_MOVSX: gen_movsx(p); break;
	case F_END: gen_end(p); break;
	case F_LDDW: gen_lddw(p); break;
	case F_MEM: gen_mem(p); break;
	case F_LDSX: gen_ldsx(p); break;
	case F_ATOMIC: gen_atomic(p); break;
	case F_LDABS: gen_ldabs(p); break;
	default: gen_alu(p, chance(50), 0); break;
	}
}

/* A straight-line unit of any available family (never LD_ABS). */
static void gen_straight_any(struct prog *p)
{
	enum family f;

	if (chance(10)) {
		gen_set(p);
		return;
	}
	if (chance(45)) {
		gen_alu(p, chance(50), 0);
		return;
	}
	do
		f = (enum family)below(F_LDABS);
	while (!family_ok[f]);
	gen_straight_fam(p, f);
}

/* ---- control flow ------------------------------------------------------ */

static void gen_block(struct prog *p, int budget);

/* One unit ending in a conditional jump (target left to the caller). */
static int gen_cond(struct prog *p, bool is32)
{
	static const uint8_t ops[] = {
		BPFRT_JEQ, BPFRT_JGT, BPFRT_JGE, BPFRT_JSET, BPFRT_JNE, BPFRT_JSGT,
		BPFRT_JSGE, BPFRT_JLT, BPFRT_JLE, BPFRT_JSLT, BPFRT_JSLE,
	};
	struct unit *u = unit_new(p);
	uint8_t cls = is32 ? BPFRT_JMP32 : BPFRT_JMP;
	uint8_t op = PICK(ops);
	int dst = src_reg(p);

	if (chance(50)) {
		int32_t imm = imm32();

		/* Compare with a value equal or next to the immediate. */
		if (writable(p, dst) && chance(35)) {
			uint64_t v = (uint64_t)(int64_t)imm + below(3) - 1;

			if (is32 && chance(50))
				v = (rnd() << 32) | (uint32_t)v;
			emit_set(p, u, dst, v);
		}
		emit(p, u, BPFRT_RAW_INSN(cls | op | BPFRT_K, dst, 0, 0, imm));
	} else {
		int src = src_reg(p);

		if (writable(p, dst) && dst != src && chance(30)) {
			emit(p, u, BPFRT_MOV64_REG(dst, src));
			if (chance(60))
				emit(p, u, BPFRT_RAW_INSN((chance(50) ? BPFRT_ALU64 : BPFRT_ALU) |
							  BPFRT_ADD | BPFRT_K, dst, 0, 0,
							  (int)below(3) - 1));
		}
		emit(p, u, BPFRT_RAW_INSN(cls | op | BPFRT_X, dst, src, 0, 0));
	}
	u->jmp = u->n - 1;
	p->cond_jumps++;
	return unit_idx(p, u);
}

static int gen_ja(struct prog *p)
{
	struct unit *u = unit_new(p);

	if (have_gotol && chance(50))
		emit(p, u, BPFRT_JMP32_A(0));
	else
		emit(p, u, BPFRT_JMP_A(0));
	u->jmp = 0;
	return unit_idx(p, u);
}

/* if (cond) goto L; then; [goto E; L: else;] L/E: */
static void gen_if(struct prog *p, bool is32, bool with_else, int budget)
{
	int ci = gen_cond(p, is32), ji;
	int max = budget < 30 ? budget : 30;

	p->depth++;
	gen_block(p, (int)below((uint32_t)max + 1));
	if (with_else) {
		ji = gen_ja(p);
		p->u[ci].target = p->n;
		gen_block(p, (int)below((uint32_t)max + 1));
		p->u[ji].target = p->n;
	} else {
		p->u[ci].target = p->n;
	}
	p->depth--;
}

/*
 * A bounded loop, flattened into one unit:
 *
 *   c = k                          c = k
 *   L: body                        L: if c == 0 goto E
 *      c -= 1                         body
 *      if c != 0 goto L               c -= 1
 *                                     goto L
 *                                  E:
 *
 * The body is straight-line and never writes c.
 */
static void gen_loop(struct prog *p)
{
	static const uint8_t cands[] = { 6, 7, 8, 9 };
	struct bpfrt_insn dec[] = {
		BPFRT_ALU64_IMM(BPFRT_SUB, 0, 1), BPFRT_ALU64_IMM(BPFRT_ADD, 0, -1),
		BPFRT_ALU32_IMM(BPFRT_SUB, 0, 1), BPFRT_ALU32_IMM(BPFRT_ADD, 0, -1),
	};
	/* "continue while c > 0" and "leave when c == 0", c counting down to 0. */
	static const struct { uint8_t op; int32_t imm; } cont[] = {
		{ BPFRT_JNE, 0 }, { BPFRT_JSGT, 0 }, { BPFRT_JGT, 0 },
		{ BPFRT_JSGE, 1 }, { BPFRT_JGE, 1 },
	}, leave[] = {
		{ BPFRT_JEQ, 0 }, { BPFRT_JSLE, 0 }, { BPFRT_JLE, 0 },
		{ BPFRT_JSLT, 1 }, { BPFRT_JLT, 1 },
	};
	struct unit *u;
	struct bpfrt_insn d;
	int c, head, first, start, i, j;
	bool is_while = chance(40);
	uint8_t cls;

	for (i = 0, c = -1; i < (int)NELEM(cands); i++)
		if (writable(p, cands[i]) && (c < 0 || chance(50)))
			c = cands[i];
	if (c < 0) {
		gen_straight_any(p);
		return;
	}
	u = unit_new(p);
	p->loops++;
	emit_set(p, u, c, 1 + below(5));
	head = u->n;
	if (is_while) {
		cls = family_ok[F_JMP32] && chance(50) ? BPFRT_JMP32 : BPFRT_JMP;
		i = (int)below(NELEM(leave));
		emit(p, u, BPFRT_RAW_INSN(cls | leave[i].op | BPFRT_K, c, 0, 0, leave[i].imm));
	}

	/* The body: straight-line units, flattened into this one. */
	p->locked |= (uint16_t)(1u << c);
	first = p->n;
	start = p->insns;
	{
		int target = 2 + (int)below(16);

		while (p->insns - start < target)
			gen_straight_any(p);
	}
	for (i = first; i < p->n; i++)
		for (j = 0; j < p->u[i].n; j++) {
			if (u->n == UNIT_MAX)
				die("loop unit too long");
			u->insn[u->n++] = p->u[i].insn[j];
		}
	p->n = first;
	p->locked &= (uint16_t)~(1u << c);

	d = PICK(dec);
	d.dst_reg = (uint8_t)c;
	emit(p, u, d);
	if (is_while) {
		/* Back to the test; the test leaves to the end of this unit. */
		if (have_gotol && chance(50))
			emit(p, u, BPFRT_JMP32_A(head - u->n - 1));
		else
			emit(p, u, BPFRT_JMP_A(head - u->n - 1));
		u->insn[head].off = (int16_t)(u->n - head - 1);
	} else {
		cls = family_ok[F_JMP32] && chance(50) ? BPFRT_JMP32 : BPFRT_JMP;
		i = (int)below(NELEM(cont));
		emit(p, u, BPFRT_RAW_INSN(cls | cont[i].op | BPFRT_K, c, 0, 0, cont[i].imm));
		u->insn[u->n - 1].off = (int16_t)(head - u->n);
	}
}

static bool can_branch(const struct prog *p)
{
	return p->depth < MAX_DEPTH && p->cond_jumps < MAX_COND;
}

static void gen_structure(struct prog *p, enum family f, int budget)
{
	switch (f) {
	case F_JMP:
		gen_if(p, false, chance(25), budget);
		break;
	case F_JMP32:
		gen_if(p, true, chance(25), budget);
		break;
	case F_JA:
		if (chance(10)) /* goto +0 */
			p->u[gen_ja(p)].target = p->n;
		else
			gen_if(p, family_ok[F_JMP32] && chance(50), true, budget);
		break;
	default:
		if (p->loops < 3)
			gen_loop(p);
		else
			gen_if(p, false, false, budget);
		break;
	}
}

static void gen_unit(struct prog *p, int budget)
{
	enum family f = p->fam;

	if (f == F_MIXED) {
		unsigned r = below(100);

		if (r < 18 && can_branch(p)) {
			do
				f = (enum family)(F_JMP + below(F_MIXED - F_JMP));
			while (!family_ok[f]);
			gen_structure(p, f, budget);
		} else if (r < 24 && p->ctx) {
			gen_ldabs(p);
		} else {
			gen_straight_any(p);
		}
	} else if (f < F_STRAIGHT_COUNT) {
		if (chance(f == F_LDABS ? 40 : 80))
			gen_straight_fam(p, f);
		else if (chance(50))
			gen_set(p);
		else
			gen_alu(p, chance(50), 0);
	} else {
		if (can_branch(p) && chance(35))
			gen_structure(p, f, budget);
		else
			gen_straight_any(p);
	}
}

static void gen_block(struct prog *p, int budget)
{
	int end = p->insns + budget;

	while (p->insns < end)
		gen_unit(p, end - p->insns);
}

static void gen_prologue(struct prog *p)
{
	struct unit *u;
	int r, w;

	if (p->ctx) {
		u = unit_new(p);
		emit(p, u, BPFRT_MOV64_REG(BPFRT_REG_6, BPFRT_REG_1));
		u->pinned = true;
	}
	for (r = 0; r <= 9; r++) {
		if (!reg_ok(p, r))
			continue;
		u = unit_new(p);
		emit_set(p, u, r, value64());
		/* Without it r1 would be the ctx (kernel) / memory (bpfrt). */
		u->pinned = r == 1;
	}
	for (w = 0; w < STACK_WORDS; w++) {
		int16_t off = (int16_t)(area_start(p) + 8 * w);
		unsigned k = below(10), i;

		u = unit_new(p);
		u->pinned = true; /* uninitialised stack would differ */
		if (k < 5) {
			emit(p, u, BPFRT_STX_MEM(BPFRT_DW, BPFRT_REG_10, src_reg(p), off));
		} else if (k < 8) {
			emit(p, u, BPFRT_ST_MEM(BPFRT_DW, BPFRT_REG_10, off, imm32()));
		} else if (k < 9) {
			for (i = 0; i < 2; i++)
				emit(p, u, BPFRT_ST_MEM(BPFRT_W, BPFRT_REG_10, (int16_t)(off + 4 * i),
							imm32()));
		} else {
			for (i = 0; i < 4; i++)
				emit(p, u, BPFRT_STX_MEM(BPFRT_H, BPFRT_REG_10, src_reg(p),
							 (int16_t)(off + 2 * i)));
		}
	}
}

static bool family_uses_ctx(enum family f)
{
	return f == F_LDABS || (f == F_MIXED && family_ok[F_LDABS] && chance(50));
}

static size_t payload_len(void)
{
	unsigned r = below(100);

	if (r < 10)
		return below(5);
	return 4 + below(PKT_MAX - 4 + 1);
}

static void gen_program(struct prog *p, enum family f)
{
	static const int bases[] = { 0, 0, 64, 192, 448 };

	p->n = 0;
	p->insns = 0;
	p->fam = f;
	p->ctx = family_uses_ctx(f);
	p->stack_base = PICK(bases);
	p->pkt_len = payload_len();
	p->locked = 0;
	p->cond_jumps = p->loops = p->depth = 0;
	gen_prologue(p);
	gen_block(p, 8 + (int)below(113));
}

/* ---- layout ------------------------------------------------------------ */

/*
 * Epilogues: EPI_FULL folds everything; the single-item ones (used when
 * minimising) return one register or stack word, low or high half.
 */
#define EPI_FULL  (-1)
#define EPI_ITEMS (10 + STACK_WORDS)
#define EPI_COUNT (2 * EPI_ITEMS)

static bool epi_valid(const struct prog *p, int epi)
{
	return epi == EPI_FULL || (epi / 2 >= 10 || reg_ok(p, epi / 2));
}

static size_t emit_epilogue(const struct prog *p, int epi, struct bpfrt_insn *out)
{
	static const int32_t odd[] = {
		0x2545f491, (int32_t)0x9e3779b1, 0x01000193, (int32_t)0x85ebca6b,
		(int32_t)0xc2b2ae35, 0x27d4eb2f, 0x165667b1,
	};
	size_t n = 0;
	int r, w;

	if (epi != EPI_FULL) {
		int item = epi / 2;

		if (item >= 10)
			out[n++] = BPFRT_LDX_MEM(BPFRT_DW, BPFRT_REG_0, BPFRT_REG_10,
						 (int16_t)(area_start(p) + 8 * (item - 10)));
		else if (item != 0)
			out[n++] = BPFRT_MOV64_REG(BPFRT_REG_0, item);
		if (epi & 1)
			out[n++] = BPFRT_ALU64_IMM(BPFRT_RSH, BPFRT_REG_0, 32);
		out[n++] = BPFRT_EXIT_INSN();
		return n;
	}
	for (r = 1; r <= 9; r++) {
		if (!reg_ok(p, r))
			continue;
		out[n++] = BPFRT_ALU64_REG(BPFRT_XOR, BPFRT_REG_0, r);
		out[n++] = BPFRT_ALU64_IMM(BPFRT_MUL, BPFRT_REG_0, odd[r % NELEM(odd)]);
	}
	for (w = 0; w < STACK_WORDS; w++) {
		out[n++] = BPFRT_LDX_MEM(BPFRT_DW, BPFRT_REG_1, BPFRT_REG_10,
					 (int16_t)(area_start(p) + 8 * w));
		out[n++] = BPFRT_ALU64_REG(BPFRT_XOR, BPFRT_REG_0, BPFRT_REG_1);
		out[n++] = BPFRT_ALU64_IMM(BPFRT_MUL, BPFRT_REG_0, odd[w % NELEM(odd)]);
	}
	/* BPF_PROG_TEST_RUN reports 32 bits: fold the upper half in. */
	out[n++] = BPFRT_MOV64_REG(BPFRT_REG_1, BPFRT_REG_0);
	out[n++] = BPFRT_ALU64_IMM(BPFRT_RSH, BPFRT_REG_1, 32);
	out[n++] = BPFRT_ALU64_REG(BPFRT_XOR, BPFRT_REG_0, BPFRT_REG_1);
	out[n++] = BPFRT_EXIT_INSN();
	return n;
}

/* Lay the surviving units out and resolve their jumps. */
static size_t layout(const struct prog *p, int epi, struct bpfrt_insn *out)
{
	static int start[UNITS_MAX + 1];
	size_t pc = 0;
	int i;

	for (i = 0; i < p->n; i++) {
		start[i] = (int)pc; /* a removed unit starts where the next one does */
		if (!p->u[i].removed)
			pc += (size_t)p->u[i].n;
	}
	start[p->n] = (int)pc;
	if (pc + 64 + 4 * STACK_WORDS > PROG_MAX)
		die("program too long");
	for (i = 0; i < p->n; i++) {
		const struct unit *u = &p->u[i];
		struct bpfrt_insn *dst = out + start[i];

		if (u->removed)
			continue;
		memcpy(dst, u->insn, (size_t)u->n * sizeof(*dst));
		if (u->jmp >= 0) {
			int from = start[i] + u->jmp;
			int off = start[u->target] - from - 1;

			if (dst[u->jmp].code == (BPFRT_JMP32 | BPFRT_JA))
				dst[u->jmp].imm = off;
			else
				dst[u->jmp].off = (int16_t)off;
		}
	}
	return pc + emit_epilogue(p, epi, out + pc);
}

/* ---- the kernel -------------------------------------------------------- */

static char vlog[1 << 20];

static int sys_bpf(int cmd, union bpf_attr *attr)
{
	return (int)syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

/* A prog fd, or -errno; with_log: the verifier log goes to vlog. */
static int kernel_load(const struct bpfrt_insn *insns, size_t cnt, bool with_log)
{
	union bpf_attr attr;
	int fd;

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
	attr.insns = (uint64_t)(uintptr_t)insns; /* same layout as struct bpf_insn */
	attr.insn_cnt = (uint32_t)cnt;
	attr.license = (uint64_t)(uintptr_t)"GPL";
	if (with_log) {
		vlog[0] = 0;
		attr.log_buf = (uint64_t)(uintptr_t)vlog;
		attr.log_size = sizeof(vlog);
		attr.log_level = 1;
	}
	fd = sys_bpf(BPF_PROG_LOAD, &attr);
	return fd < 0 ? -errno : fd;
}

struct input {
	uint8_t pkt[ETH_LEN + PKT_MAX]; /* Ethernet header, then the payload */
	size_t len;                     /* payload bytes */
};

static int kernel_run(int fd, const struct input *in, uint32_t *retval)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.test.prog_fd = (uint32_t)fd;
	attr.test.data_in = (uint64_t)(uintptr_t)in->pkt;
	attr.test.data_size_in = (uint32_t)(ETH_LEN + in->len);
	attr.test.repeat = 1;
	if (sys_bpf(BPF_PROG_TEST_RUN, &attr))
		return -errno;
	*retval = attr.test.retval;
	return 0;
}

static void gen_input(struct input *in, size_t len)
{
	static const uint8_t eth[ETH_LEN] = {
		0x02, 0, 0, 0, 0, 0x01, 0x02, 0, 0, 0, 0, 0x02, 0x08, 0x00, /* IPv4 */
	};
	static const uint8_t edge[] = { 0x00, 0x01, 0x7f, 0x80, 0xff };
	size_t i;

	memcpy(in->pkt, eth, ETH_LEN);
	/*
	 * The kernel's test run insists on a whole IPv4 header after an
	 * IPv4 ethertype (EINVAL otherwise): short payloads get the local
	 * experimental ethertype 0x88b5 instead.
	 */
	if (len < 20) {
		in->pkt[12] = 0x88;
		in->pkt[13] = 0xb5;
	}
	for (i = 0; i < len; i++)
		in->pkt[ETH_LEN + i] = chance(30) ? PICK(edge) : (uint8_t)rnd();
	in->len = len;
}

/* ---- bpfrt ------------------------------------------------------------- */

struct result {
	int err;
	uint64_t r0;
	uint64_t executed;
	char fault[192];
};

static struct bpfrt_vm *vm;

static void bpfrt_run_all(const struct bpfrt_prog *bp, const struct input *in,
			  struct result res[BPFRT_ENGINE__COUNT])
{
	int e;

	for (e = 0; e < BPFRT_ENGINE__COUNT; e++) {
		uint8_t mem[PKT_MAX + 1];
		struct bpfrt_run_opts o;

		memcpy(mem, in->pkt + ETH_LEN, in->len);
		memset(&o, 0, sizeof(o));
		o.sz = sizeof(o);
		o.engine = (enum bpfrt_engine)e;
		o.mem = mem;
		o.mem_size = in->len;
		res[e].err = bpfrt_prog__run(bp, &o);
		res[e].r0 = o.retval;
		res[e].executed = o.insn_executed;
		snprintf(res[e].fault, sizeof(res[e].fault), "%s", res[e].err ? o.fault.msg : "");
	}
}

static bool agree(uint32_t kret, const struct result *res)
{
	int e;

	for (e = 0; e < BPFRT_ENGINE__COUNT; e++)
		if (res[e].err || (uint32_t)res[e].r0 != kret || res[e].r0 != res[0].r0)
			return false;
	return true;
}

/*
 * KDIFF_MUTATE=FROM:TO rewrites opcode FROM to TO in bpfrt's copy of every
 * program: a self-test showing that such a bug is caught and minimised.
 */
static int mutate_from = -1, mutate_to;

static struct bpfrt_prog *bpfrt_load(const struct bpfrt_insn *insns, size_t cnt,
				     const struct bpfrt_load_opts *opts)
{
	static struct bpfrt_insn copy[PROG_MAX];
	size_t i;

	if (mutate_from < 0)
		return bpfrt_prog__load(vm, insns, cnt, opts);
	memcpy(copy, insns, cnt * sizeof(*insns));
	for (i = 0; i < cnt; i++)
		if (copy[i].code == mutate_from && (i == 0 || copy[i - 1].code != 0x18))
			copy[i].code = (uint8_t)mutate_to;
	return bpfrt_prog__load(vm, copy, cnt, opts);
}

/* ---- reporting --------------------------------------------------------- */

static void print_line(void *ctx, size_t pc, const char *text)
{
	const struct bpfrt_insn *in = (const struct bpfrt_insn *)ctx + pc;

	printf("  %4zu: %02x %x %x %6d %11d   %s\n", pc, in->code, in->dst_reg, in->src_reg,
	       in->off, in->imm, text);
	if (in->code == (BPFRT_LD | BPFRT_IMM | BPFRT_DW)) /* the slot bpfrt_disasm consumed */
		printf("  %4zu: %02x %x %x %6d %11d\n", pc + 1, in[1].code, in[1].dst_reg,
		       in[1].src_reg, in[1].off, in[1].imm);
}

static void print_prog(const struct bpfrt_insn *insns, size_t cnt)
{
	bpfrt_disasm(insns, cnt, BPFRT_SYNTAX_LLVM, print_line, (void *)insns);
}

static void print_input(const struct input *in)
{
	size_t i;

	printf("  payload (%zu bytes; the kernel also gets a 14-byte Ethernet header):", in->len);
	for (i = 0; i < in->len; i++)
		printf("%s%02x", i % 32 ? "" : "\n    ", in->pkt[ETH_LEN + i]);
	printf("\n");
}

static void print_results(uint32_t kret, const struct result *res)
{
	int e;

	printf("  kernel r0 = 0x%08" PRIx32 " (32 bits)\n", kret);
	for (e = 0; e < BPFRT_ENGINE__COUNT; e++) {
		if (res[e].err)
			printf("  bpfrt  %-14s error %d: %s\n",
			       bpfrt_engine_name((enum bpfrt_engine)e), res[e].err, res[e].fault);
		else
			printf("  bpfrt  %-14s r0 = 0x%016" PRIx64 "%s\n",
			       bpfrt_engine_name((enum bpfrt_engine)e), res[e].r0,
			       (uint32_t)res[e].r0 == kret ? "" : "   <-- differs");
	}
}

/* ---- minimising -------------------------------------------------------- */

static struct bpfrt_insn buf[PROG_MAX];
static char watchdog_msg[256];
static size_t watchdog_len;

static void on_alarm(int sig)
{
	ssize_t r;

	(void)sig;
	r = write(STDOUT_FILENO, watchdog_msg, watchdog_len);
	(void)r;
	_exit(1);
}

static uint64_t seed;

static void watchdog(const char *what, uint64_t i)
{
	snprintf(watchdog_msg, sizeof(watchdog_msg),
		 "FAIL: kernel_diff: %s program %" PRIu64 " did not finish in %d s (replay: "
		 "KDIFF_SEED=%" PRIu64 " KDIFF_ONLY=%" PRIu64 ")\n", what, i, WATCHDOG_S, seed, i);
	watchdog_len = strlen(watchdog_msg);
	fflush(stdout);
	alarm(WATCHDOG_S);
}

/* Does the program, laid out with epilogue epi, still show a difference? */
static bool reproduces(const struct prog *p, int epi, const struct input *in)
{
	struct result res[BPFRT_ENGINE__COUNT];
	struct bpfrt_prog *bp;
	size_t cnt = layout(p, epi, buf);
	uint32_t kret;
	int fd = kernel_load(buf, cnt, false);
	bool ok;

	if (fd < 0)
		return false;
	ok = kernel_run(fd, in, &kret) == 0;
	close(fd);
	if (!ok)
		return false;
	bp = bpfrt_load(buf, cnt, NULL);
	if (!bp)
		return false;
	bpfrt_run_all(bp, in, res);
	bpfrt_prog__free(bp);
	return !agree(kret, res);
}

/*
 * The stack word a pinned prologue unit initialises, or -1. Such a unit
 * may go only when nothing reads the word: an uninitialised read would
 * differ between kernel and bpfrt for no fault of either.
 */
static int init_word(const struct prog *p, int i)
{
	const struct bpfrt_insn *in = &p->u[i].insn[0];
	uint8_t cls = BPFRT_CLASS(in->code);

	if (!p->u[i].pinned || (cls != BPFRT_ST && cls != BPFRT_STX) || in->dst_reg != BPFRT_REG_10)
		return -1;
	return (in->off - area_start(p)) / 8;
}

static bool word_read(const struct prog *p, int epi, int w)
{
	size_t cnt = layout(p, epi, buf), pc;
	int lo = area_start(p) + 8 * w;

	for (pc = 0; pc < cnt; pc++) {
		const struct bpfrt_insn *in = &buf[pc];
		uint8_t cls = BPFRT_CLASS(in->code), mode = BPFRT_MODE(in->code);
		int size = (int)size_bytes(BPFRT_SIZE(in->code));
		bool reads = (cls == BPFRT_LDX && in->src_reg == BPFRT_REG_10) ||
			     (cls == BPFRT_STX && mode == BPFRT_ATOMIC && in->dst_reg == BPFRT_REG_10);

		if (in->code == (BPFRT_LD | BPFRT_IMM | BPFRT_DW))
			pc++;
		else if (reads && in->off < lo + 8 && in->off + size > lo)
			return true;
	}
	return false;
}

/* Pick a one-item epilogue if one still differs, then drop units greedily. */
static int minimise(struct prog *p, const struct input *in)
{
	int epi = EPI_FULL, v, i, w;
	bool progress;

	for (v = 0; v < EPI_COUNT; v++)
		if (epi_valid(p, v) && reproduces(p, v, in)) {
			epi = v;
			break;
		}
	do {
		progress = false;
		for (i = p->n - 1; i >= 0; i--) {
			if (p->u[i].removed)
				continue;
			w = init_word(p, i);
			if (p->u[i].pinned && (w < 0 || word_read(p, epi, w)))
				continue;
			p->u[i].removed = true;
			if (reproduces(p, epi, in))
				progress = true;
			else
				p->u[i].removed = false;
		}
	} while (progress);
	return epi;
}

/* ---- probing the kernel ------------------------------------------------ */

static bool kernel_accepts(const struct bpfrt_insn *insns, size_t cnt)
{
	int fd = kernel_load(insns, cnt, false);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

#define ACCEPTS(...)                                                          \
	({                                                                    \
		const struct bpfrt_insn probe_[] = { __VA_ARGS__ };           \
		kernel_accepts(probe_, NELEM(probe_));                        \
	})

static void probe_features(void)
{
	int f;

	for (f = 0; f < F__COUNT; f++)
		family_ok[f] = true;
	family_ok[F_SDIV] = ACCEPTS(BPFRT_MOV64_IMM(0, 7),
				    BPFRT_RAW_INSN(BPFRT_ALU64 | BPFRT_DIV | BPFRT_K, 0, 0, 1, -1),
				    BPFRT_EXIT_INSN());
	family_ok[F_MOVSX] = ACCEPTS(BPFRT_MOV64_IMM(0, 0x80),
				     BPFRT_RAW_INSN(BPFRT_ALU | BPFRT_MOV | BPFRT_X, 0, 0, 8, 0),
				     BPFRT_EXIT_INSN());
	family_ok[F_LDSX] = ACCEPTS(BPFRT_ST_MEM(BPFRT_DW, 10, -8, 0x80),
				    BPFRT_LDX_MEMSX(BPFRT_B, 0, 10, -8), BPFRT_EXIT_INSN());
	family_ok[F_JMP32] = ACCEPTS(BPFRT_MOV64_IMM(0, 0), BPFRT_JMP32_IMM(BPFRT_JEQ, 0, 0, 0),
				     BPFRT_EXIT_INSN());
	family_ok[F_LOOP] = ACCEPTS(BPFRT_MOV64_IMM(0, 3), BPFRT_ALU64_IMM(BPFRT_SUB, 0, 1),
				    BPFRT_JMP_IMM(BPFRT_JNE, 0, 0, -2), BPFRT_EXIT_INSN());
	family_ok[F_LDABS] = ACCEPTS(BPFRT_MOV64_REG(6, 1), BPFRT_LD_ABS(BPFRT_B, 0),
				     BPFRT_EXIT_INSN());
	family_ok[F_ATOMIC] = ACCEPTS(BPFRT_ST_MEM(BPFRT_DW, 10, -8, 0), BPFRT_MOV64_IMM(1, 1),
				      BPFRT_ATOMIC_OP(BPFRT_DW, BPFRT_ADD, 10, 1, -8),
				      BPFRT_MOV64_IMM(0, 0), BPFRT_EXIT_INSN());
	have_fetch = ACCEPTS(BPFRT_ST_MEM(BPFRT_DW, 10, -8, 0), BPFRT_MOV64_IMM(0, 0),
			     BPFRT_MOV64_IMM(1, 1),
			     BPFRT_ATOMIC_OP(BPFRT_W, BPFRT_CMPXCHG, 10, 1, -8),
			     BPFRT_ATOMIC_OP(BPFRT_DW, BPFRT_ADD | BPFRT_FETCH, 10, 1, -8),
			     BPFRT_EXIT_INSN());
	have_bswap = ACCEPTS(BPFRT_MOV64_IMM(0, 1),
			     BPFRT_RAW_INSN(BPFRT_ALU64 | BPFRT_END | BPFRT_TO_LE, 0, 0, 0, 16),
			     BPFRT_EXIT_INSN());
	have_gotol = ACCEPTS(BPFRT_MOV64_IMM(0, 0), BPFRT_JMP32_A(0), BPFRT_EXIT_INSN());

	for (f = 0; f < F__COUNT; f++)
		if (!family_ok[f])
			t_skip("kernel_diff: %s: the running kernel rejects them", family_names[f]);
	if (!have_fetch || !have_bswap || !have_gotol)
		t_skip("kernel_diff:%s%s%s: the running kernel rejects them",
		       have_fetch ? "" : " atomic fetch/xchg/cmpxchg", have_bswap ? "" : " bswap",
		       have_gotol ? "" : " gotol");
}

/* ---- coverage of the opcode table ------------------------------------- */

/*
 * seen[code] has bit v set when variant v of that opcode was generated:
 * off for DIV/MOD (1: signed), off / 8 for MOV X (MOVSX), imm / 16 for
 * END, the index in atomic_ops[] for atomics, 0 otherwise.
 */
static uint16_t seen[256];

static int variant(const struct bpfrt_insn *in)
{
	size_t i;

	switch (isa_ops[in->code].kind) {
	case ISA_DIV_K: case ISA_DIV_X:
		return in->off & 15;
	case ISA_MOV_X:
		return (in->off / 8) & 15;
	case ISA_END:
		return (in->imm / 16) & 15;
	case ISA_ATOMIC:
		for (i = 0; i < NELEM(atomic_ops); i++)
			if (in->imm == atomic_ops[i])
				return (int)i;
		return 15;
	default:
		return 0;
	}
}

static void record(const struct bpfrt_insn *insns, size_t cnt)
{
	size_t pc;

	for (pc = 0; pc < cnt; pc += isa_slots(insns[pc].code))
		seen[insns[pc].code] |= (uint16_t)(1u << variant(&insns[pc]));
}

/* The variants this generator emits on the running kernel; 0: not tried. */
static uint16_t expected(uint8_t code)
{
	const struct isa_op *op = &isa_ops[code];
	bool is64 = BPFRT_CLASS(code) == BPFRT_ALU64;

	if (BPFRT_CLASS(code) == BPFRT_JMP32 && !family_ok[F_JMP32] && code != OP_JA32)
		return 0;
	switch (op->kind) {
	case ISA_CALL: case ISA_CALLX: /* no helpers in these programs */
		return 0;
	case ISA_DIV_K: case ISA_DIV_X:
		return family_ok[F_SDIV] ? 0x3 : 0x1;
	case ISA_MOV_X:
		return !family_ok[F_MOVSX] ? 0x1 : is64 ? 0x17 : 0x7;
	case ISA_END:
		return code == OP_BSWAP && !have_bswap ? 0 : 0x16;
	case ISA_ATOMIC:
		return !family_ok[F_ATOMIC] ? 0 : have_fetch ? 0x3ff : 0xf;
	case ISA_LDXSX:
		return family_ok[F_LDSX];
	case ISA_LDABS: case ISA_LDIND:
		return family_ok[F_LDABS];
	case ISA_JA32:
		return have_gotol;
	default:
		return 1;
	}
}

static void check_coverage(void)
{
	char missing[512] = "";
	size_t len = 0;
	int code, v;

	for (code = 0; code < 256; code++) {
		uint16_t lack;

		if (!isa_ops[code].valid)
			continue;
		lack = expected((uint8_t)code) & (uint16_t)~seen[code];
		for (v = 0; v < 16 && len < sizeof(missing) - 40; v++)
			if (lack >> v & 1)
				len += (size_t)snprintf(missing + len, sizeof(missing) - len, " %s/%d",
							isa_ops[code].name, v);
	}
	T_CHECK(!len, "kernel_diff: the programs used every opcode of bpfrt's table but calls%s%s",
		len ? "; never:" : "", missing);
}

/* ---- main -------------------------------------------------------------- */

static uint64_t env_u64(const char *name, uint64_t def)
{
	const char *s = getenv(name);

	return s && *s ? strtoull(s, NULL, 0) : def;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct prog prog;
static bool only, verbose;
static uint64_t progs[F__COUNT], bad[F__COUNT];
static uint64_t generated, rejected, accepted, load_fail, run_fail, mismatches, executed;

/* Half the programs mix everything, the rest focus on one family each. */
static enum family family_of(uint64_t i)
{
	enum family f = (enum family)((i / 2) % F_MIXED);

	return i % 2 == 0 || !family_ok[f] ? F_MIXED : f;
}

static void show_rejection(uint64_t i, size_t cnt)
{
	int fd = kernel_load(buf, cnt, true);
	size_t len = strlen(vlog);

	if (fd >= 0)
		close(fd);
	fflush(stdout);
	fprintf(stderr, "kernel_diff: the verifier rejected program %" PRIu64 " (%s; replay: "
		"KDIFF_SEED=%" PRIu64 " KDIFF_ONLY=%" PRIu64 "), log tail:\n%s\n", i,
		family_names[prog.fam], seed, i, len > 3000 ? vlog + len - 3000 : vlog);
}

/* Minimise the program in `prog` (laid out in buf) and print it. */
static void show_mismatch(uint64_t i, size_t cnt, const struct input *in, uint32_t kret,
			  const struct result *res)
{
	struct result mres[BPFRT_ENGINE__COUNT];
	struct bpfrt_prog *bp = NULL;
	uint32_t mkret;
	size_t mcnt;
	int fd, epi;

	printf("kernel_diff: mismatch #%" PRIu64 ": program %" PRIu64 " (%s, %zu instructions; "
	       "replay: KDIFF_SEED=%" PRIu64 " KDIFF_ONLY=%" PRIu64 ")\n",
	       mismatches, i, family_names[prog.fam], cnt, seed, i);
	if (verbose) {
		print_prog(buf, cnt);
		print_input(in);
		print_results(kret, res);
	}
	watchdog("minimising", i);
	epi = minimise(&prog, in);
	mcnt = layout(&prog, epi, buf);
	printf(" minimised to %zu instructions:\n", mcnt);
	print_prog(buf, mcnt);
	print_input(in);
	fd = kernel_load(buf, mcnt, false);
	if (fd >= 0 && kernel_run(fd, in, &mkret) == 0 && (bp = bpfrt_load(buf, mcnt, NULL))) {
		bpfrt_run_all(bp, in, mres);
		print_results(mkret, mres);
		bpfrt_prog__free(bp);
	} else {
		print_results(kret, res);
	}
	if (fd >= 0)
		close(fd);
}

/* Generate program i, run it on the kernel and on every engine, compare. */
static void check_program(uint64_t i)
{
	struct result res[2][BPFRT_ENGINE__COUNT];
	struct bpfrt_load_opts lo = { .sz = sizeof(lo) };
	struct input in[2];
	struct bpfrt_prog *bp;
	uint32_t kret[2];
	char blog[256] = "";
	size_t cnt;
	int fd, k, nin, err;

	rng = seed ^ (i * 0xd1342543de82ef95ull);
	gen_program(&prog, family_of(i));
	gen_input(&in[0], prog.pkt_len);
	gen_input(&in[1], payload_len());
	nin = prog.ctx ? 2 : 1; /* only LD_ABS / LD_IND see the packet */
	cnt = layout(&prog, EPI_FULL, buf);
	generated++;
	watchdog("kernel run of", i);
	if (only) {
		printf("kernel_diff: program %" PRIu64 " (%s), %zu instructions:\n", i,
		       family_names[prog.fam], cnt);
		print_prog(buf, cnt);
	}

	fd = kernel_load(buf, cnt, false);
	if (fd < 0) {
		if (++rejected <= REJECT_SHOW || only)
			show_rejection(i, cnt);
		return;
	}
	accepted++;
	progs[prog.fam]++;
	record(buf, cnt);
	for (k = 0; k < nin; k++) {
		err = kernel_run(fd, &in[k], &kret[k]);
		if (err) {
			if (++run_fail <= REJECT_SHOW)
				printf("kernel_diff: BPF_PROG_TEST_RUN of program %" PRIu64
				       " failed: %s\n", i, strerror(-err));
			close(fd);
			return;
		}
	}
	close(fd);

	lo.log_buf = blog;
	lo.log_size = sizeof(blog);
	bp = bpfrt_load(buf, cnt, &lo);
	if (!bp) {
		if (++load_fail <= REJECT_SHOW) {
			printf("kernel_diff: bpfrt_prog__load rejected program %" PRIu64 " (replay: "
			       "KDIFF_SEED=%" PRIu64 " KDIFF_ONLY=%" PRIu64 "): %s: %s\n", i, seed, i,
			       strerror(errno), blog);
			if (verbose)
				print_prog(buf, cnt);
		}
		return;
	}
	watchdog("bpfrt run of", i);
	for (k = 0; k < nin; k++) {
		bpfrt_run_all(bp, &in[k], res[k]);
		executed += res[k][BPFRT_ENGINE_CHECKED].executed;
		if (only) {
			print_input(&in[k]);
			print_results(kret[k], res[k]);
		}
	}
	bpfrt_prog__free(bp);
	for (k = 0; k < nin; k++)
		if (!agree(kret[k], res[k])) {
			bad[prog.fam]++;
			if (++mismatches <= SHOW_MAX)
				show_mismatch(i, cnt, &in[k], kret[k], res[k]);
			return;
		}
}

/* 0 if bpf() can load and test-run a socket filter here; else says why. */
static int kernel_usable(void)
{
	const struct bpfrt_insn trivial[] = { BPFRT_MOV64_IMM(0, 0), BPFRT_EXIT_INSN() };
	struct input in;
	uint32_t kret;
	int fd = kernel_load(trivial, NELEM(trivial), false), err;

	if (fd == -EPERM || fd == -EACCES || fd == -ENOSYS) {
		t_skip("kernel_diff: bpf() not permitted: %s (%s)",
		       fd == -EPERM ? "EPERM" : fd == -EACCES ? "EACCES" : "ENOSYS", strerror(-fd));
		return fd;
	}
	if (fd < 0) {
		t_fail("kernel_diff: the kernel rejects r0 = 0; exit: %s", strerror(-fd));
		return fd;
	}
	gen_input(&in, 16);
	err = kernel_run(fd, &in, &kret);
	close(fd);
	if (err)
		t_skip("kernel_diff: BPF_PROG_TEST_RUN of a socket filter fails: %s", strerror(-err));
	return err;
}

int main(void)
{
	uint64_t first = 0, end = env_u64("KDIFF_PROGRAMS", DEFAULT_PROGRAMS), i;
	const char *mutate = getenv("KDIFF_MUTATE");
	double t0 = now();
	int f;

	seed = env_u64("KDIFF_SEED", (uint64_t)time(NULL) * 1000003u ^ (uint64_t)getpid());
	only = getenv("KDIFF_ONLY") && *getenv("KDIFF_ONLY");
	verbose = only || env_u64("KDIFF_VERBOSE", 0);
	if (only) {
		first = env_u64("KDIFF_ONLY", 0);
		end = first + 1;
	}
	if (mutate && sscanf(mutate, "%i:%i", &mutate_from, &mutate_to) != 2)
		mutate_from = -1;
	if (kernel_usable() < 0)
		return t_exit();
	probe_features();
	vm = bpfrt_vm__new();
	if (!vm) {
		t_fail("kernel_diff: bpfrt_vm__new: %s", strerror(errno));
		return t_exit();
	}
	signal(SIGALRM, on_alarm);
	printf("kernel_diff: seed %" PRIu64 ", %" PRIu64 " programs\n", seed, end - first);
	for (i = first; i < end; i++)
		check_program(i);
	alarm(0);

	for (f = 0; f < F__COUNT; f++)
		if (progs[f])
			T_CHECK(bad[f] == 0, "kernel_diff: %s: %" PRIu64 " programs, %" PRIu64
				" mismatches", family_names[f], progs[f], bad[f]);
	T_CHECK(rejected * 100 <= generated, "kernel_diff: the verifier accepted %" PRIu64
		" of %" PRIu64 " generated programs (%" PRIu64 " rejected; at most 1%% may be)",
		accepted, generated, rejected);
	if (!only && accepted >= 2000) /* fewer may miss a rare variant by chance */
		check_coverage();
	T_CHECK(load_fail == 0, "kernel_diff: bpfrt_prog__load accepted %" PRIu64 " of %" PRIu64
		" programs", accepted - load_fail, accepted);
	if (run_fail)
		t_fail("kernel_diff: BPF_PROG_TEST_RUN failed on %" PRIu64 " programs", run_fail);
	T_CHECK(mismatches == 0 && load_fail == 0 && run_fail == 0 && accepted > 0,
		"kernel_diff: %" PRIu64 " programs, %" PRIu64 " instructions executed, %" PRIu64
		" mismatches (seed %" PRIu64 ", %.1f s)", accepted, executed, mismatches, seed,
		now() - t0);
	bpfrt_vm__free(vm);
	return t_exit();
}
