/* SPDX-License-Identifier: MIT */
/*
 * The load/run API: helper registry, options checking, faults of the
 * checked engines, budgets, call depth, pseudo LDDW resolution, the
 * allocator hook, concurrent runs, and the validator's rejections (as a
 * table: program, expected message).
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "bpfrt/bpfrt.h"
#include "harness.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static uint64_t h_first(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
			struct bpfrt_run *run)
{
	(void)r2, (void)r3, (void)r4, (void)r5, (void)run;
	return r1;
}

static uint64_t h_sum(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
		      struct bpfrt_run *run)
{
	(void)run;
	return r1 + r2 + r3 + r4 + r5;
}

static uint64_t h_user(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
		       struct bpfrt_run *run)
{
	(void)r1, (void)r2, (void)r3, (void)r4, (void)r5;
	return *(uint64_t *)bpfrt_run__user(run);
}

static uint64_t h_abort(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
			struct bpfrt_run *run)
{
	(void)r2, (void)r3, (void)r4, (void)r5;
	bpfrt_run__abort(run, "refusing %llu", (unsigned long long)r1);
	return 0;
}

static struct bpfrt_vm *vm;

static struct bpfrt_prog *load(const struct bpfrt_insn *insns, size_t cnt, char *log, size_t size)
{
	struct bpfrt_load_opts lo = { .sz = sizeof(lo), .log_buf = log, .log_size = size };

	if (log)
		log[0] = 0;
	return bpfrt_prog__load(vm, insns, cnt, &lo);
}

static int run(struct bpfrt_prog *p, enum bpfrt_engine e, void *mem, size_t len,
	       struct bpfrt_run_opts *o)
{
	*o = (struct bpfrt_run_opts){ .sz = sizeof(*o), .engine = e, .mem = mem, .mem_size = len };
	return bpfrt_prog__run(p, o);
}

static void test_helpers(void)
{
	uint64_t cookie = 0xc0ffee;
	struct bpfrt_insn p[] = {
		BPFRT_MOV64_IMM(1, 1), BPFRT_MOV64_IMM(2, 2), BPFRT_MOV64_IMM(3, 3),
		BPFRT_MOV64_IMM(4, 4), BPFRT_MOV64_IMM(5, 5),
		BPFRT_CALL_HELPER(1000000),       /* far id: found by search */
		BPFRT_MOV64_REG(6, 0),
		BPFRT_CALL_HELPER(7),
		BPFRT_ALU64_REG(BPFRT_ADD, 0, 6), /* 15 + cookie */
		BPFRT_EXIT_INSN(),
	};
	struct bpfrt_insn px[] = {
		BPFRT_MOV64_IMM(1, 42), BPFRT_MOV64_IMM(7, 5), BPFRT_CALLX(7), BPFRT_EXIT_INSN(),
	};
	struct bpfrt_insn pbad[] = {
		BPFRT_MOV64_IMM(7, 99), BPFRT_CALLX(7), BPFRT_EXIT_INSN(),
	};
	struct bpfrt_insn pab[] = {
		BPFRT_MOV64_IMM(1, 3), BPFRT_CALL_HELPER(8), BPFRT_MOV64_IMM(0, 1), BPFRT_EXIT_INSN(),
	};
	struct bpfrt_insn punk[] = { BPFRT_CALL_HELPER(4242), BPFRT_EXIT_INSN() };
	struct bpfrt_run_opts o;
	struct bpfrt_prog *prog;
	char log[256];

	T_CHECK(bpfrt_vm__register_helper(vm, BPFRT_MAX_HELPER_ID + 1, "x", h_first) == -EINVAL,
		"helper id above the maximum is refused");
	T_CHECK(bpfrt_vm__register_helper(vm, 5, "first", h_first) == 0 &&
			bpfrt_vm__register_helper(vm, 1000000, "sum", h_sum) == 0 &&
			bpfrt_vm__register_helper(vm, 7, "user", h_first) == 0 &&
			bpfrt_vm__register_helper(vm, 7, "user", h_user) == 0 &&
			bpfrt_vm__register_helper(vm, 8, "abort", h_abort) == 0,
		"helpers register (and re-register) by id");
	T_CHECK(bpfrt_vm__helper_name(vm, 1000000) && !strcmp(bpfrt_vm__helper_name(vm, 1000000), "sum") &&
			!bpfrt_vm__helper_name(vm, 6),
		"helper names are looked up by id");

	prog = load(p, ARRAY_SIZE(p), log, sizeof(log));
	for (int e = 0; prog && e < BPFRT_ENGINE__COUNT; e++) {
		*(&o) = (struct bpfrt_run_opts){ .sz = sizeof(o), .engine = e, .user = &cookie };
		T_CHECK(bpfrt_prog__run(prog, &o) == 0 && o.retval == 15 + cookie,
			"%s: helpers get r1-r5 and the run's user pointer (got %llu)",
			bpfrt_engine_name(e), (unsigned long long)o.retval);
	}
	bpfrt_prog__free(prog);

	prog = load(px, ARRAY_SIZE(px), log, sizeof(log));
	for (int e = 0; prog && e < BPFRT_ENGINE__COUNT; e++)
		T_CHECK(run(prog, e, NULL, 0, &o) == 0 && o.retval == 42,
			"%s: callx calls the helper whose id is in dst_reg", bpfrt_engine_name(e));
	bpfrt_prog__free(prog);

	prog = load(pbad, ARRAY_SIZE(pbad), log, sizeof(log));
	for (int e = 0; prog && e < BPFRT_ENGINE__COUNT; e++)
		T_CHECK(run(prog, e, NULL, 0, &o) == -ENOENT && o.fault.kind == BPFRT_FAULT_HELPER &&
				strstr(o.fault.msg, "pc 1: callx r7: no helper has id 99"),
			"%s: callx to an unknown id faults: %s", bpfrt_engine_name(e), o.fault.msg);
	bpfrt_prog__free(prog);

	prog = load(pab, ARRAY_SIZE(pab), log, sizeof(log));
	for (int e = 0; prog && e < BPFRT_ENGINE__COUNT; e++)
		T_CHECK(run(prog, e, NULL, 0, &o) == -ECANCELED && o.fault.pc == 1 &&
				strstr(o.fault.msg, "helper abort (8) stopped the program: refusing 3"),
			"%s: a helper can stop the program: %s", bpfrt_engine_name(e), o.fault.msg);
	bpfrt_prog__free(prog);

	T_CHECK(!load(punk, ARRAY_SIZE(punk), log, sizeof(log)) && errno == EINVAL &&
			strstr(log, "pc 0: call to unknown helper id 4242"),
		"call to an unregistered helper is rejected at load: %s", log);
}

static void test_opts(void)
{
	struct bpfrt_insn p[] = { BPFRT_MOV64_IMM(0, 1), BPFRT_EXIT_INSN() };
	struct bpfrt_prog *prog = load(p, ARRAY_SIZE(p), NULL, 0);
	struct {
		struct bpfrt_run_opts o;
		uint64_t extra;
	} big = { .o = { .sz = sizeof(big) } };
	struct bpfrt_run_opts small = { .sz = 4 };
	struct bpfrt_load_opts lo = { .sz = 2 };

	T_CHECK(bpfrt_prog__run(prog, &big.o) == 0, "options from a newer caller with zero tail are accepted");
	big.extra = 1;
	T_CHECK(bpfrt_prog__run(prog, &big.o) == -EINVAL, "non-zero unknown option bytes are refused");
	T_CHECK(bpfrt_prog__run(prog, &small) == -EINVAL, "a size smaller than sz itself is refused");
	big.extra = 0;
	big.o.engine = BPFRT_ENGINE__COUNT;
	T_CHECK(bpfrt_prog__run(prog, &big.o) == -EINVAL, "an unknown engine is refused");
	T_CHECK(!bpfrt_prog__load(vm, p, 2, &lo) && errno == EINVAL, "bad load options are refused");
	T_CHECK(bpfrt_engine_from_name("checked") == BPFRT_ENGINE_CHECKED &&
			bpfrt_engine_from_name("jit?") == -EINVAL &&
			!strcmp(bpfrt_engine_name(BPFRT_ENGINE_INTERP_SWITCH), "interp-switch"),
		"engine names map both ways");
	bpfrt_prog__free(prog);
}

static void test_checked_faults(void)
{
	uint8_t mem[20] = { 1, 2, 3, 4 }, ro[8] = { 9 };
	struct bpfrt_insn rd[] = { BPFRT_LDX_MEM(BPFRT_W, 0, 1, 14), BPFRT_EXIT_INSN() };
	struct bpfrt_insn st[] = { BPFRT_ST_MEM(BPFRT_DW, 10, -516, 1), BPFRT_MOV64_IMM(0, 0), BPFRT_EXIT_INSN() };
	struct bpfrt_insn wr_ro[] = {
		BPFRT_LD_IMM64(2, 0), /* patched with ro's address below */
		BPFRT_LDX_MEM(BPFRT_B, 0, 2, 0),
		BPFRT_STX_MEM(BPFRT_B, 2, 0, 0),
		BPFRT_EXIT_INSN(),
	};
	struct bpfrt_insn atom[] = {
		BPFRT_MOV64_IMM(2, 1),
		BPFRT_ATOMIC_OP(BPFRT_DW, BPFRT_ADD, 10, 2, -12),
		BPFRT_MOV64_IMM(0, 0), BPFRT_EXIT_INSN(),
	};
	struct bpfrt_region region = { .name = "ro", .addr = ro, .size = sizeof(ro), .writable = false };
	struct bpfrt_run_opts o;
	struct bpfrt_prog *prog;
	uint64_t a = (uint64_t)(uintptr_t)ro;

	prog = load(rd, ARRAY_SIZE(rd), NULL, 0);
	for (int e = BPFRT_ENGINE_CHECKED; e < BPFRT_ENGINE__COUNT; e += 2) {
		T_CHECK(run(prog, e, mem, 16, &o) == -EFAULT && o.fault.kind == BPFRT_FAULT_READ &&
				strstr(o.fault.msg, "pc 0: invalid read of 4 bytes at 0x") &&
				strstr(o.fault.msg, "mem+14 (size 16)"),
			"%s: read across the end of mem faults: %s", bpfrt_engine_name(e), o.fault.msg);
		T_CHECK(run(prog, e, mem, 18, &o) == 0, "%s: the same read within 18 bytes passes",
			bpfrt_engine_name(e));
	}
	bpfrt_prog__free(prog);

	prog = load(st, ARRAY_SIZE(st), NULL, 0);
	for (int e = BPFRT_ENGINE_CHECKED; e < BPFRT_ENGINE__COUNT; e += 2)
		T_CHECK(run(prog, e, NULL, 0, &o) == -EFAULT && o.fault.kind == BPFRT_FAULT_WRITE &&
				strstr(o.fault.msg, "bytes below stack (size 512)"),
			"%s: a store below the frame faults: %s", bpfrt_engine_name(e), o.fault.msg);
	bpfrt_prog__free(prog);

	wr_ro[0].imm = (int32_t)(uint32_t)a;
	wr_ro[1].imm = (int32_t)(uint32_t)(a >> 32);
	prog = load(wr_ro, ARRAY_SIZE(wr_ro), NULL, 0);
	for (int e = BPFRT_ENGINE_CHECKED; e < BPFRT_ENGINE__COUNT; e += 2) {
		o = (struct bpfrt_run_opts){ .sz = sizeof(o), .engine = e, .regions = &region, .region_cnt = 1 };
		T_CHECK(bpfrt_prog__run(prog, &o) == -EFAULT && o.fault.pc == 3 &&
				strstr(o.fault.msg, "ro+0 (size 8), which is read-only"),
			"%s: a registered read-only region can be read, not written: %s",
			bpfrt_engine_name(e), o.fault.msg);
	}
	bpfrt_prog__free(prog);

	prog = load(atom, ARRAY_SIZE(atom), NULL, 0);
	for (int e = BPFRT_ENGINE_CHECKED; e < BPFRT_ENGINE__COUNT; e += 2)
		T_CHECK(run(prog, e, NULL, 0, &o) == -EFAULT && strstr(o.fault.msg, "misaligned"),
			"%s: a misaligned atomic faults: %s", bpfrt_engine_name(e), o.fault.msg);
	bpfrt_prog__free(prog);
}

static void test_budget_and_depth(void)
{
	struct bpfrt_insn loop[] = { BPFRT_ALU64_IMM(BPFRT_ADD, 0, 1), BPFRT_JMP_A(-2), BPFRT_EXIT_INSN() };
	/* f(): r1 += 1; if r1 < LIMIT f(); return r1. LIMIT 7: main + 7 frames of f. */
	struct bpfrt_insn rec[] = {
		BPFRT_MOV64_IMM(1, 0),
		BPFRT_CALL_LOCAL(1),
		BPFRT_EXIT_INSN(),
		BPFRT_ALU64_IMM(BPFRT_ADD, 1, 1),
		BPFRT_JMP_IMM(BPFRT_JGE, 1, 7, 1),
		BPFRT_CALL_LOCAL(-3),
		BPFRT_MOV64_REG(0, 1),
		BPFRT_EXIT_INSN(),
	};
	struct bpfrt_run_opts o;
	struct bpfrt_prog *prog = load(loop, ARRAY_SIZE(loop), NULL, 0);

	for (int e = BPFRT_ENGINE_CHECKED; e < BPFRT_ENGINE__COUNT; e += 2) {
		o = (struct bpfrt_run_opts){ .sz = sizeof(o), .engine = e, .insn_budget = 1000 };
		T_CHECK(bpfrt_prog__run(prog, &o) == -E2BIG && o.insn_executed == 1000 &&
				o.fault.kind == BPFRT_FAULT_BUDGET && strstr(o.fault.msg, "budget of 1000"),
			"%s: an endless loop stops at its budget: %s", bpfrt_engine_name(e), o.fault.msg);
	}
	bpfrt_prog__free(prog);

		prog = load(rec, ARRAY_SIZE(rec), NULL, 0);
	for (int e = 0; e < BPFRT_ENGINE__COUNT; e++)
		T_CHECK(run(prog, e, NULL, 0, &o) == 0 && o.retval == 7,
			"%s: 8 call frames are allowed (r0 %llu)", bpfrt_engine_name(e),
			(unsigned long long)o.retval);
	bpfrt_prog__free(prog);
	rec[4].imm = 8;
	prog = load(rec, ARRAY_SIZE(rec), NULL, 0);
	for (int e = 0; e < BPFRT_ENGINE__COUNT; e++)
		T_CHECK(run(prog, e, NULL, 0, &o) == -ELOOP && o.fault.kind == BPFRT_FAULT_CALL_DEPTH &&
				strstr(o.fault.msg, "pc 5: call stack too deep"),
			"%s: a 9th frame faults: %s", bpfrt_engine_name(e), o.fault.msg);
	bpfrt_prog__free(prog);
}

static int resolve(void *ctx, size_t pc, const struct bpfrt_insn *insn, uint64_t *value)
{
	(void)ctx;
	if (insn->src_reg != BPFRT_PSEUDO_MAP_IDX)
		return -ENOENT;
	*value = 0x1000 + pc + (uint64_t)insn->imm;
	return 0;
}

static void test_pseudo_lddw(void)
{
	struct bpfrt_insn p[] = { BPFRT_LD_IMM64_RAW(0, BPFRT_PSEUDO_MAP_IDX, 7), BPFRT_EXIT_INSN() };
	struct bpfrt_insn q[] = { BPFRT_LD_IMM64_RAW(0, BPFRT_PSEUDO_MAP_FD, 3), BPFRT_EXIT_INSN() };
	struct bpfrt_load_opts lo;
	struct bpfrt_run_opts o;
	struct bpfrt_prog *prog;
	char log[256] = "";

	T_CHECK(!load(p, ARRAY_SIZE(p), log, sizeof(log)) && strstr(log, "pc 0: lddw with pseudo source 5"),
		"pseudo lddw without a resolver is rejected: %s", log);
	lo = (struct bpfrt_load_opts){ .sz = sizeof(lo), .log_buf = log, .log_size = sizeof(log),
				       .resolve_ld_imm64 = resolve };
	prog = bpfrt_prog__load(vm, p, ARRAY_SIZE(p), &lo);
	T_CHECK(prog && run(prog, BPFRT_ENGINE_INTERP, NULL, 0, &o) == 0 && o.retval == 0x1007 &&
			bpfrt_prog__insns(prog)[0].src_reg == 0,
		"the resolver's value is loaded and the instruction rewritten");
	bpfrt_prog__free(prog);
	T_CHECK(!bpfrt_prog__load(vm, q, ARRAY_SIZE(q), &lo) && errno == ENOENT &&
			strstr(log, "cannot resolve lddw with pseudo source 1"),
		"a resolver's error is passed on: %s", log);
}

/* libbpf's poisoned CO-RE instruction: loads, faults only when reached. */
static void test_poison(void)
{
	struct bpfrt_insn p[] = {
		BPFRT_MOV64_IMM(0, 7),
		BPFRT_JMP_IMM(BPFRT_JEQ, 2, 0, 1), /* r2 = mem size: 0 skips the poison */
		BPFRT_CALL_HELPER(BPFRT_POISON_HELPER_ID),
		BPFRT_EXIT_INSN(),
	};
	uint8_t mem[4] = { 0 };
	struct bpfrt_run_opts o;
	char log[256];
	struct bpfrt_prog *prog = load(p, ARRAY_SIZE(p), log, sizeof(log));

	T_CHECK(prog != NULL, "a program with a poisoned call loads: %s", log);
	for (int e = 0; prog && e < BPFRT_ENGINE__COUNT; e++) {
		T_CHECK(run(prog, e, NULL, 0, &o) == 0 && o.retval == 7,
			"%s: the poison is harmless while unreached", bpfrt_engine_name(e));
		T_CHECK(run(prog, e, mem, sizeof(mem), &o) == -ECANCELED && o.fault.pc == 2 &&
				strstr(o.fault.msg, "poisoned by an unresolved CO-RE relocation"),
			"%s: reaching it faults: %s", bpfrt_engine_name(e), o.fault.msg);
	}
	bpfrt_prog__free(prog);
}

/* Program, expected message: the structural rejections. */
static const struct {
	const char *what;
	struct bpfrt_insn insns[6];
	size_t cnt;
	const char *msg;
} rejects[] = {
	{ "unknown opcode", { BPFRT_RAW_INSN(0xff, 0, 0, 0, 0), BPFRT_EXIT_INSN() }, 2,
	  "pc 0: unknown opcode 0xff" },
	{ "dst register 11", { BPFRT_RAW_INSN(0xb7, 11, 0, 0, 0), BPFRT_EXIT_INSN() }, 2,
	  "pc 0: invalid dst register r11" },
	{ "src register 12", { BPFRT_RAW_INSN(0xbf, 0, 12, 0, 0), BPFRT_EXIT_INSN() }, 2,
	  "pc 0: invalid src register r12" },
	{ "write to r10", { BPFRT_MOV64_IMM(0, 0), BPFRT_MOV64_IMM(10, 0), BPFRT_EXIT_INSN() }, 3,
	  "pc 1: mov writes r10" },
	{ "load into r10", { BPFRT_LDX_MEM(BPFRT_DW, 10, 1, 0), BPFRT_EXIT_INSN() }, 2,
	  "pc 0: ldxdw writes r10" },
	{ "jump past the end", { BPFRT_JMP_IMM(BPFRT_JEQ, 1, 0, 5), BPFRT_EXIT_INSN() }, 2,
	  "pc 0: jump out of range: target 6 outside [0, 2)" },
	{ "jump before the start", { BPFRT_JMP_A(-2), BPFRT_EXIT_INSN() }, 2,
	  "pc 0: jump out of range: target -1" },
	{ "jump into lddw", { BPFRT_JMP_A(1), BPFRT_LD_IMM64(0, 1), BPFRT_EXIT_INSN() }, 4,
	  "pc 0: jump into the middle of the lddw at pc 1" },
	{ "falling off the end", { BPFRT_MOV64_IMM(0, 0) }, 1,
	  "pc 0: mov falls off the end of the program" },
	{ "lddw cut short", { BPFRT_MOV64_IMM(0, 0), BPFRT_RAW_INSN(0x18, 0, 0, 0, 1) }, 2,
	  "pc 1: lddw is missing its second slot" },
	{ "lddw tail with opcode", { BPFRT_RAW_INSN(0x18, 0, 0, 0, 1), BPFRT_EXIT_INSN(), BPFRT_EXIT_INSN() }, 3,
	  "pc 1: second slot of lddw" },
	{ "call to missing function", { BPFRT_CALL_LOCAL(7), BPFRT_EXIT_INSN() }, 2,
	  "pc 0: call out of range: target 8" },
	{ "function falls off", { BPFRT_CALL_LOCAL(1), BPFRT_EXIT_INSN(), BPFRT_MOV64_IMM(0, 1) }, 3,
	  "pc 2: mov falls off the end of the function" },
	{ "jump out of a function", { BPFRT_CALL_LOCAL(1), BPFRT_EXIT_INSN(), BPFRT_JMP_A(-3) }, 3,
	  "pc 2: jump to pc 0 leaves the function at pc 2..2" },
	{ "reserved imm in ALU X", { BPFRT_RAW_INSN(0x0f, 0, 1, 0, 1), BPFRT_EXIT_INSN() }, 2,
	  "pc 0: add with a register uses reserved fields" },
	{ "movsx 32 in ALU32", { BPFRT_RAW_INSN(0xbc, 0, 1, 32, 0), BPFRT_EXIT_INSN() }, 2,
	  "off 32 must be 0, 8, 16)" },
	{ "sdiv off 2", { BPFRT_RAW_INSN(0x3f, 0, 1, 2, 0), BPFRT_EXIT_INSN() }, 2,
	  "pc 0: div uses reserved fields" },
	{ "byte swap width 8", { BPFRT_RAW_INSN(0xdc, 0, 0, 0, 8), BPFRT_EXIT_INSN() }, 2,
	  "pc 0: byte swap width 8" },
	{ "bad atomic op", { BPFRT_ATOMIC_OP(BPFRT_DW, 0x30, 10, 1, -8), BPFRT_EXIT_INSN() }, 2,
	  "pc 0: unknown atomic operation 0x30" },
	{ "kfunc call", { BPFRT_RAW_INSN(0x85, 0, 2, 0, 77), BPFRT_EXIT_INSN() }, 2,
	  "pc 0: call to kernel function (BTF id 77) is not supported" },
	{ "exit with fields", { BPFRT_RAW_INSN(0x95, 1, 0, 0, 0) }, 1, "pc 0: exit uses reserved fields" },
	{ "empty program", { BPFRT_EXIT_INSN() }, 0, "program is empty" },
};

static void test_rejects(void)
{
	char log[256];

	for (size_t i = 0; i < ARRAY_SIZE(rejects); i++) {
		struct bpfrt_prog *prog = load(rejects[i].insns, rejects[i].cnt, log, sizeof(log));

		T_CHECK(!prog && errno == EINVAL && strstr(log, rejects[i].msg), "reject %s: %s",
			rejects[i].what, log);
		bpfrt_prog__free(prog);
	}
}

static void test_too_big(void)
{
	size_t n = BPFRT_MAX_INSNS + 1;
	struct bpfrt_insn *p = calloc(n, sizeof(*p));
	char log[256];

	for (size_t i = 0; i < n; i++)
		p[i] = BPFRT_EXIT_INSN();
	T_CHECK(!load(p, n, log, sizeof(log)) && errno == E2BIG && strstr(log, "more than the limit of 1000000"),
		"a program over 1,000,000 instructions is rejected: %s", log);
	T_CHECK((bpfrt_prog__free(load(p, n - 1, NULL, 0)), 1), "1,000,000 instructions load");
	free(p);
}

/* One prog, several threads: runs share nothing but the code. */
struct thr {
	struct bpfrt_prog *prog;
	uint64_t bad;
};

static void *thr_main(void *arg)
{
	struct thr *t = arg;

	for (uint64_t i = 0; i < 20000; i++) {
		uint64_t x = i;
		struct bpfrt_run_opts o;

		if (run(t->prog, i & 1 ? BPFRT_ENGINE_CHECKED : BPFRT_ENGINE_INTERP, &x, sizeof(x), &o) ||
		    o.retval != i * 3 + 1)
			t->bad++;
	}
	return NULL;
}

static void test_threads(void)
{
	struct bpfrt_insn p[] = {
		BPFRT_LDX_MEM(BPFRT_DW, 0, 1, 0),
		BPFRT_STX_MEM(BPFRT_DW, 10, 0, -8),
		BPFRT_ALU64_IMM(BPFRT_MUL, 0, 3),
		BPFRT_ALU64_IMM(BPFRT_ADD, 0, 1),
		BPFRT_EXIT_INSN(),
	};
	struct thr t[4];
	pthread_t th[4];
	uint64_t bad = 0;

	for (int i = 0; i < 4; i++) {
		t[i] = (struct thr){ .prog = load(p, ARRAY_SIZE(p), NULL, 0) };
		if (i)
			bpfrt_prog__free(t[i].prog), t[i].prog = t[0].prog;
		pthread_create(&th[i], NULL, thr_main, &t[i]);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		bad += t[i].bad;
	}
	T_CHECK(bad == 0, "4 threads x 20000 runs of one prog: %llu wrong results", (unsigned long long)bad);
	bpfrt_prog__free(t[0].prog);
}

static size_t live_allocs;

static void *counting_alloc(void *ud, void *ptr, size_t size)
{
	(void)ud;
	if (!size) {
		if (ptr)
			live_allocs--;
		free(ptr);
		return NULL;
	}
	if (!ptr)
		live_allocs++;
	return realloc(ptr, size);
}

static void test_allocator(void)
{
	struct bpfrt_insn p[] = { BPFRT_CALL_HELPER(1), BPFRT_EXIT_INSN() };
	struct bpfrt_vm *v;
	struct bpfrt_prog *prog;
	size_t peak;

	bpfrt_set_allocator(counting_alloc, NULL);
	v = bpfrt_vm__new();
	bpfrt_vm__register_helper(v, 1, "one", h_first);
	prog = bpfrt_prog__load(v, p, 2, NULL);
	peak = live_allocs;
	bpfrt_prog__free(prog);
	bpfrt_vm__free(v);
	T_CHECK(peak > 0 && live_allocs == 0, "every allocation goes through the hook and is returned (peak %zu, left %zu)",
		peak, live_allocs);
	bpfrt_set_allocator(NULL, NULL);
}

int main(void)
{
	vm = bpfrt_vm__new();
	bpfrt_set_print(NULL);
	test_helpers();
	test_opts();
	test_checked_faults();
	test_budget_and_depth();
	test_pseudo_lddw();
	test_poison();
	test_rejects();
	test_too_big();
	test_threads();
	test_allocator();
	bpfrt_vm__free(vm);
	return t_exit();
}
