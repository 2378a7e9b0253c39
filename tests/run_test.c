/* SPDX-License-Identifier: MIT */
/*
 * Runs with helpers that have prototypes: the checked engines' tests of
 * helper arguments, callbacks into the program (bpfrt_run__call), maps
 * given in the load options (map pointers and direct value access),
 * program ids. Every case runs on every engine.
 */
#include <errno.h>
#include <string.h>

#include "bpfrt/bpfrt.h"
#include "harness.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static bool is_checked(int e)
{
	return e == BPFRT_ENGINE_CHECKED || e == BPFRT_ENGINE_CHECKED_SWITCH;
}

/* sum_mem(ptr, size): the sum of `size` bytes. */
static uint64_t h_sum_mem(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
			  struct bpfrt_run *run)
{
	const uint8_t *p = (const uint8_t *)(uintptr_t)r1;
	uint64_t sum = 0;

	(void)r3, (void)r4, (void)r5, (void)run;
	for (uint64_t i = 0; i < r2; i++)
		sum += p[i];
	return sum;
}

/* each(n, fn, ctx): call fn(i, ctx) for i < n until it returns non-zero. */
static uint64_t h_each(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
		       struct bpfrt_run *run)
{
	uint64_t i, ret;

	(void)r4, (void)r5;
	for (i = 0; i < r1; i++) {
		if (bpfrt_run__call(run, r2, i, r3, 0, 0, 0, &ret))
			return 0;
		if (ret)
			return i + 1;
	}
	return i;
}

/* map_arg(map, key): the first byte of the key, if the map is live. */
static uint64_t h_map_arg(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
			  struct bpfrt_run *run)
{
	(void)r1, (void)r3, (void)r4, (void)r5, (void)run;
	return *(const uint8_t *)(uintptr_t)r2;
}

static const struct bpfrt_helper_proto sum_mem_proto = {
	.name = "sum_mem", .fn = h_sum_mem, .ret = BPFRT_RET_INTEGER,
	.args = { BPFRT_ARG_PTR_TO_MEM, BPFRT_ARG_CONST_SIZE },
};
static const struct bpfrt_helper_proto each_proto = {
	.name = "each", .fn = h_each, .ret = BPFRT_RET_INTEGER,
	.args = { BPFRT_ARG_ANYTHING, BPFRT_ARG_PTR_TO_FUNC, BPFRT_ARG_PTR_TO_STACK_OR_NULL },
};
static const struct bpfrt_helper_proto map_arg_proto = {
	.name = "map_arg", .fn = h_map_arg, .ret = BPFRT_RET_INTEGER,
	.args = { BPFRT_ARG_CONST_MAP_PTR, BPFRT_ARG_PTR_TO_MAP_KEY },
};

static struct bpfrt_vm *vm;

static struct bpfrt_prog *load(const struct bpfrt_insn *insns, size_t cnt, struct bpfrt_map **maps,
			       size_t map_cnt, char *log, size_t size)
{
	struct bpfrt_load_opts lo = { .sz = sizeof(lo), .log_buf = log, .log_size = size,
				      .maps = maps, .map_cnt = map_cnt };

	log[0] = 0;
	return bpfrt_prog__load(vm, insns, cnt, &lo);
}

static int run(struct bpfrt_prog *p, int e, void *mem, size_t len, struct bpfrt_run_opts *o)
{
	*o = (struct bpfrt_run_opts){ .sz = sizeof(*o), .engine = e, .mem = mem, .mem_size = len };
	return bpfrt_prog__run(p, o);
}

static void test_arg_checks(void)
{
	uint8_t mem[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	struct bpfrt_insn ok[] = { /* sum_mem(mem, 8) */
		BPFRT_MOV64_IMM(2, 8), BPFRT_CALL_HELPER(100), BPFRT_EXIT_INSN(),
	};
	struct bpfrt_insn past[] = { /* sum_mem(mem + 4, 8): 4 bytes too far */
		BPFRT_ALU64_IMM(BPFRT_ADD, 1, 4), BPFRT_MOV64_IMM(2, 8), BPFRT_CALL_HELPER(100),
		BPFRT_EXIT_INSN(),
	};
	struct bpfrt_insn zero[] = { /* CONST_SIZE must not be 0 */
		BPFRT_MOV64_IMM(2, 0), BPFRT_CALL_HELPER(100), BPFRT_EXIT_INSN(),
	};
	struct bpfrt_insn stack[] = { /* sum_mem(fp - 8, 8) with a stored value */
		BPFRT_ST_MEM(BPFRT_DW, 10, -8, 0x01010101), BPFRT_MOV64_REG(1, 10),
		BPFRT_ALU64_IMM(BPFRT_ADD, 1, -8), BPFRT_MOV64_IMM(2, 8), BPFRT_CALL_HELPER(100),
		BPFRT_EXIT_INSN(),
	};
	struct bpfrt_prog *p[4];
	struct bpfrt_run_opts o;
	char log[256];

	p[0] = load(ok, ARRAY_SIZE(ok), NULL, 0, log, sizeof(log));
	p[1] = load(past, ARRAY_SIZE(past), NULL, 0, log, sizeof(log));
	p[2] = load(zero, ARRAY_SIZE(zero), NULL, 0, log, sizeof(log));
	p[3] = load(stack, ARRAY_SIZE(stack), NULL, 0, log, sizeof(log));
	T_CHECK(p[0] && p[1] && p[2] && p[3], "programs calling a helper with a prototype load (%s)", log);
	for (int e = 0; p[0] && p[1] && p[2] && p[3] && e < BPFRT_ENGINE__COUNT; e++) {
		const char *en = bpfrt_engine_name(e);

		T_CHECK(run(p[0], e, mem, sizeof(mem), &o) == 0 && o.retval == 36,
			"%s: helper reads the memory it was given (%llu)", en,
			(unsigned long long)o.retval);
		T_CHECK(run(p[3], e, mem, sizeof(mem), &o) == 0 && o.retval == 4,
			"%s: stack memory is a valid helper argument (%llu)", en,
			(unsigned long long)o.retval);
		if (!is_checked(e))
			continue;
		T_CHECK(run(p[1], e, mem, sizeof(mem), &o) == -EFAULT &&
				o.fault.kind == BPFRT_FAULT_HELPER &&
				strstr(o.fault.msg, "pc 2: helper sum_mem arg 1") &&
				strstr(o.fault.msg, "readable memory"),
			"%s: a pointer past the input faults before the helper runs: %s", en, o.fault.msg);
		T_CHECK(run(p[2], e, mem, sizeof(mem), &o) == -EFAULT &&
				strstr(o.fault.msg, "arg 2") && strstr(o.fault.msg, "a size > 0"),
			"%s: a zero CONST_SIZE faults: %s", en, o.fault.msg);
	}
	for (int i = 0; i < 4; i++)
		bpfrt_prog__free(p[i]);
}

static void test_callbacks(void)
{
	/*
	 * *(u64 *)(fp - 8) = 0; each(4, cb, fp - 8); return *(u64 *)(fp - 8)
	 * cb(i, ctx): *(u64 *)ctx += i; return 0   => 0 + 1 + 2 + 3
	 */
	struct bpfrt_insn prog[] = {
		BPFRT_ST_MEM(BPFRT_DW, 10, -8, 0),
		BPFRT_MOV64_IMM(1, 4),
		BPFRT_LD_IMM64_RAW(2, BPFRT_PSEUDO_FUNC, 6), /* pc 2: cb at 2 + 1 + 6 = 9 */
		BPFRT_MOV64_REG(3, 10),
		BPFRT_ALU64_IMM(BPFRT_ADD, 3, -8),
		BPFRT_CALL_HELPER(101),
		BPFRT_LDX_MEM(BPFRT_DW, 0, 10, -8),
		BPFRT_EXIT_INSN(),
		/* pc 9: cb */
		BPFRT_LDX_MEM(BPFRT_DW, 3, 2, 0),
		BPFRT_ALU64_REG(BPFRT_ADD, 3, 1),
		BPFRT_STX_MEM(BPFRT_DW, 2, 3, 0),
		BPFRT_MOV64_IMM(0, 0),
		BPFRT_EXIT_INSN(),
	};
	/* The callback reads past the input: the run ends with its fault. */
	struct bpfrt_insn bad[] = {
		BPFRT_MOV64_REG(6, 1),
		BPFRT_MOV64_IMM(1, 2),
		BPFRT_LD_IMM64_RAW(2, BPFRT_PSEUDO_FUNC, 4), /* pc 2: cb at 7 */
		BPFRT_MOV64_REG(3, 6),
		BPFRT_CALL_HELPER(101),
		BPFRT_EXIT_INSN(),
		/* pc 7: cb: r0 = *(u64 *)(ctx + 64) */
		BPFRT_LDX_MEM(BPFRT_DW, 0, 2, 64),
		BPFRT_EXIT_INSN(),
	};
	/* each() with a pointer that is not a function of the program. */
	struct bpfrt_insn notfn[] = {
		BPFRT_MOV64_IMM(1, 1), BPFRT_MOV64_REG(2, 10), BPFRT_MOV64_IMM(3, 0),
		BPFRT_CALL_HELPER(101), BPFRT_EXIT_INSN(),
	};
	/* A function reference into the middle of an LDDW is refused at load. */
	struct bpfrt_insn mid[] = {
		BPFRT_LD_IMM64_RAW(2, BPFRT_PSEUDO_FUNC, 0), BPFRT_MOV64_IMM(0, 0), BPFRT_EXIT_INSN(),
	};
	uint8_t mem[16] = { 0 };
	struct bpfrt_prog *p, *pb, *pn;
	struct bpfrt_run_opts o;
	char log[256];

	p = load(prog, ARRAY_SIZE(prog), NULL, 0, log, sizeof(log));
	pb = load(bad, ARRAY_SIZE(bad), NULL, 0, log, sizeof(log));
	pn = load(notfn, ARRAY_SIZE(notfn), NULL, 0, log, sizeof(log));
	T_CHECK(p && pb && pn, "programs with callbacks load (%s)", log);
	for (int e = 0; p && pb && pn && e < BPFRT_ENGINE__COUNT; e++) {
		const char *en = bpfrt_engine_name(e);

		T_CHECK(run(p, e, mem, sizeof(mem), &o) == 0 && o.retval == 6,
			"%s: a helper calls back into the program, which updates its caller's stack "
			"(got %llu)", en, (unsigned long long)o.retval);
		if (!is_checked(e))
			continue;
		T_CHECK(run(pb, e, mem, sizeof(mem), &o) == -EFAULT && o.fault.kind == BPFRT_FAULT_READ &&
				strstr(o.fault.msg, "pc 7:"),
			"%s: a fault in a callback ends the run with the callback's pc: %s", en,
			o.fault.msg);
		T_CHECK(run(pn, e, mem, sizeof(mem), &o) == -EFAULT &&
				strstr(o.fault.msg, "must be a function of the program"),
			"%s: a callback argument that is not a function faults: %s", en, o.fault.msg);
	}
	/* The fast engines trust the argument; bpfrt_run__call() still refuses it. */
	if (pn) {
		T_CHECK(run(pn, BPFRT_ENGINE_INTERP, mem, sizeof(mem), &o) == -EFAULT &&
				strstr(o.fault.msg, "is not a function of the program"),
			"interp: bpfrt_run__call refuses a pointer that is not a function: %s",
			o.fault.msg);
	}
	T_CHECK(!load(mid, ARRAY_SIZE(mid), NULL, 0, log, sizeof(log)) &&
			strstr(log, "does not start one"),
		"a function reference to the middle of an instruction is refused: %s", log);
	bpfrt_prog__free(p);
	bpfrt_prog__free(pb);
	bpfrt_prog__free(pn);
}

static void test_maps(void)
{
	struct bpfrt_map_create_opts mo = { .sz = sizeof(mo), .name = "vals" };
	struct bpfrt_map *arr = bpfrt_map__create(BPFRT_MAP_TYPE_ARRAY, 4, 16, 1, &mo);
	struct bpfrt_map *hash = bpfrt_map__create(BPFRT_MAP_TYPE_HASH, 4, 8, 8, NULL);
	struct bpfrt_map *maps[2] = { arr, hash };
	/* vals[0].u64[1] = 77 through a direct value address; map_arg(hash, fp - 4) */
	struct bpfrt_insn prog[] = {
		BPFRT_LD_IMM64_RAW(1, BPFRT_PSEUDO_MAP_VALUE, 0), /* imm2 set below */
		BPFRT_ST_MEM(BPFRT_DW, 1, 0, 77),
		BPFRT_ST_MEM(BPFRT_W, 10, -4, 9),
		BPFRT_LD_IMM64_RAW(1, BPFRT_PSEUDO_MAP_FD, 1),
		BPFRT_MOV64_REG(2, 10),
		BPFRT_ALU64_IMM(BPFRT_ADD, 2, -4),
		BPFRT_CALL_HELPER(102),
		BPFRT_EXIT_INSN(),
	};
	/* map_arg(forged pointer, fp - 4) */
	struct bpfrt_insn forged[] = {
		BPFRT_MOV64_REG(1, 10), BPFRT_MOV64_REG(2, 10), BPFRT_ALU64_IMM(BPFRT_ADD, 2, -4),
		BPFRT_CALL_HELPER(102), BPFRT_EXIT_INSN(),
	};
	struct bpfrt_insn badidx[] = { BPFRT_LD_IMM64_RAW(1, BPFRT_PSEUDO_MAP_FD, 5), BPFRT_EXIT_INSN() };
	struct bpfrt_insn badoff[] = {
		BPFRT_LD_IMM64_RAW(1, BPFRT_PSEUDO_MAP_VALUE, 0), BPFRT_EXIT_INSN(),
	};
	struct bpfrt_insn hashval[] = {
		BPFRT_LD_IMM64_RAW(1, BPFRT_PSEUDO_MAP_VALUE, 1), BPFRT_EXIT_INSN(),
	};
	struct bpfrt_prog *p, *pf;
	struct bpfrt_run_opts o;
	uint64_t val[2];
	uint32_t key = 0;
	char log[256];

	T_CHECK(arr && hash, "maps for the load options are created");
	if (!arr || !hash)
		return;
	prog[1].imm = 8; /* second slot of the LDDW: offset 8 in the value */
	badoff[1].imm = 16;
	p = load(prog, ARRAY_SIZE(prog), maps, 2, log, sizeof(log));
	T_CHECK(p != NULL, "a program with map references loads (%s)", log);
	pf = load(forged, ARRAY_SIZE(forged), maps, 2, log, sizeof(log));
	for (int e = 0; p && pf && e < BPFRT_ENGINE__COUNT; e++) {
		const char *en = bpfrt_engine_name(e);

		memset(val, 0, sizeof(val));
		bpfrt_map__update_elem(arr, &key, 4, val, sizeof(val), BPFRT_ANY);
		T_CHECK(run(p, e, NULL, 0, &o) == 0 && o.retval == 9 &&
				bpfrt_map__lookup_elem(arr, &key, 4, val, sizeof(val), 0) == 0 &&
				val[1] == 77 && val[0] == 0,
			"%s: direct value store lands in the map; a map pointer and key reach the "
			"helper (r0 %llu, value %llu)", en, (unsigned long long)o.retval,
			(unsigned long long)val[1]);
		if (is_checked(e))
			T_CHECK(run(pf, e, NULL, 0, &o) == -EFAULT && strstr(o.fault.msg, "not a live map"),
				"%s: a forged map pointer faults: %s", en, o.fault.msg);
	}
	T_CHECK(!load(badidx, ARRAY_SIZE(badidx), maps, 2, log, sizeof(log)) &&
			strstr(log, "pc 0:") && strstr(log, "map #5"),
		"a map index outside the load options is refused: %s", log);
	T_CHECK(!load(badoff, ARRAY_SIZE(badoff), maps, 2, log, sizeof(log)) &&
			strstr(log, "offset 16 is outside map 'vals'"),
		"a direct value offset past the value is refused: %s", log);
	T_CHECK(!load(hashval, ARRAY_SIZE(hashval), maps, 2, log, sizeof(log)) &&
			strstr(log, "needs an array map"),
		"direct value access to a hash map is refused: %s", log);
	T_CHECK(p && pf && bpfrt_prog__id(p) > 0 && bpfrt_prog__id(pf) > 0 &&
			bpfrt_prog__id(p) != bpfrt_prog__id(pf),
		"loaded programs have distinct ids (%u, %u)", bpfrt_prog__id(p), bpfrt_prog__id(pf));
	bpfrt_prog__free(p);
	bpfrt_prog__free(pf);
	bpfrt_map__destroy(arr);
	bpfrt_map__destroy(hash);
}

/*
 * bpf_spin_lock without a verifier: checked runs accept only the lock of a
 * map value, one at a time, released before the end.
 */
static void test_spin_locks(void)
{
	struct bpfrt_map_create_opts mo = { .sz = sizeof(mo), .value_has_spin_lock = true,
					    .btf_value_spin_lock_off = 0 };
	struct bpfrt_map *arr = bpfrt_map__create(BPFRT_MAP_TYPE_ARRAY, 4, 8, 1, &mo);
	struct bpfrt_map *maps[1] = { arr };
	/* r6 = &value of key 0 (direct value address); then the variant's calls. */
#define LOCK_PROG(...)                                                                   \
	{ BPFRT_LD_IMM64_RAW(6, BPFRT_PSEUDO_MAP_VALUE, 0), __VA_ARGS__, BPFRT_MOV64_IMM(0, 0), \
	  BPFRT_EXIT_INSN() }
	struct bpfrt_insn ok[] = LOCK_PROG(BPFRT_MOV64_REG(1, 6), BPFRT_CALL_HELPER(93),
					   BPFRT_MOV64_REG(1, 6), BPFRT_CALL_HELPER(94));
	struct bpfrt_insn twice[] = LOCK_PROG(BPFRT_MOV64_REG(1, 6), BPFRT_CALL_HELPER(93),
					      BPFRT_MOV64_REG(1, 6), BPFRT_CALL_HELPER(93));
	struct bpfrt_insn held[] = LOCK_PROG(BPFRT_MOV64_REG(1, 6), BPFRT_CALL_HELPER(93));
	struct bpfrt_insn stack[] = LOCK_PROG(BPFRT_ST_MEM(BPFRT_DW, 10, -8, 0), BPFRT_MOV64_REG(1, 10),
					      BPFRT_ALU64_IMM(BPFRT_ADD, 1, -8), BPFRT_CALL_HELPER(93));
	struct bpfrt_insn unheld[] = LOCK_PROG(BPFRT_MOV64_REG(1, 6), BPFRT_CALL_HELPER(94));
#undef LOCK_PROG
	const struct { struct bpfrt_insn *insns; size_t cnt; int err; const char *msg; } cases[] = {
		{ ok, ARRAY_SIZE(ok), 0, NULL },
		{ twice, ARRAY_SIZE(twice), -ECANCELED, "while it already holds one" },
		{ held, ARRAY_SIZE(held), -EINVAL, "ended holding a bpf_spin_lock" },
		{ stack, ARRAY_SIZE(stack), -EFAULT, "must be the bpf_spin_lock of a map value" },
		{ unheld, ARRAY_SIZE(unheld), -ECANCELED, "a lock it does not hold" },
	};
	struct bpfrt_run_opts o;
	char log[256];

	T_CHECK(arr != NULL, "an array with a bpf_spin_lock in its values");
	for (size_t i = 0; arr && i < ARRAY_SIZE(cases); i++) {
		struct bpfrt_prog *p = load(cases[i].insns, cases[i].cnt, maps, 1, log, sizeof(log));

		T_CHECK(p != NULL, "spin lock case %zu loads (%s)", i, log);
		for (int e = BPFRT_ENGINE_CHECKED; p && e < BPFRT_ENGINE__COUNT; e += 2) {
			int err = run(p, e, NULL, 0, &o);

			T_CHECK(err == cases[i].err && (!cases[i].msg || strstr(o.fault.msg, cases[i].msg)),
				"%s: spin lock case %zu: %d (%s)", bpfrt_engine_name(e), i, err,
				o.fault.msg);
		}
		/* Whatever happened, the lock is free again: the ok case runs. */
		bpfrt_prog__free(p);
	}
	bpfrt_map__destroy(arr);
}

/* Which kernel helpers a program may call: its type's, its licence's. */
static void test_kernel_helper_binding(void)
{
	struct bpfrt_vm *plain = bpfrt_vm__new();
	struct bpfrt_insn printk[] = { /* bpf_trace_printk(fp - 8, 8): GPL only */
		BPFRT_ST_MEM(BPFRT_DW, 10, -8, 0x0a6968), BPFRT_MOV64_REG(1, 10),
		BPFRT_ALU64_IMM(BPFRT_ADD, 1, -8), BPFRT_MOV64_IMM(2, 8), BPFRT_CALL_HELPER(6),
		BPFRT_EXIT_INSN(),
	};
	struct bpfrt_insn adjust[] = { /* bpf_xdp_adjust_head(ctx, 0): XDP only */
		BPFRT_MOV64_IMM(2, 0), BPFRT_CALL_HELPER(44), BPFRT_EXIT_INSN(),
	};
	struct bpfrt_insn unimpl[] = { BPFRT_CALL_HELPER(99), BPFRT_EXIT_INSN() };
	struct bpfrt_load_opts lo = { .sz = sizeof(lo) };
	struct bpfrt_prog *p;
	char log[256];

	lo.log_buf = log;
	lo.log_size = sizeof(log);
	log[0] = '\0';
	T_CHECK(!bpfrt_prog__load(plain, printk, ARRAY_SIZE(printk), &lo) &&
			strstr(log, "pc 4: cannot call GPL-restricted function bpf_trace_printk#6"),
		"a GPL-only helper is refused to a program that is not GPL: %s", log);
	lo.gpl = true;
	p = bpfrt_prog__load(plain, printk, ARRAY_SIZE(printk), &lo);
	T_CHECK(p != NULL, "the same program with a GPL licence binds bpf_trace_printk (%s)", log);
	bpfrt_prog__free(p);
	log[0] = '\0';
	T_CHECK(!bpfrt_prog__load(plain, adjust, ARRAY_SIZE(adjust), &lo) &&
			strstr(log, "pc 1: helper bpf_xdp_adjust_head#44 is not allowed in unspec programs"),
		"a helper of another program type is refused: %s", log);
	lo.prog_type = BPFRT_PROG_TYPE_XDP;
	p = bpfrt_prog__load(plain, adjust, ARRAY_SIZE(adjust), &lo);
	T_CHECK(p != NULL, "an XDP program binds bpf_xdp_adjust_head (%s)", log);
	bpfrt_prog__free(p);
	log[0] = '\0';
	T_CHECK(!bpfrt_prog__load(plain, unimpl, ARRAY_SIZE(unimpl), &lo) &&
			strstr(log, "pc 0: helper bpf_skc_lookup_tcp#99 is not implemented by bpfrt"),
		"a kernel helper bpfrt lacks is named: %s", log);
	lo.prog_type = BPFRT_PROG_TYPE_LSM;
	log[0] = '\0';
	T_CHECK(!bpfrt_prog__load(plain, unimpl, ARRAY_SIZE(unimpl), &lo) && errno == BPFRT_ENOTSUPP &&
			strstr(log, "program type lsm (29) is not supported by bpfrt"),
		"a program type bpfrt cannot run is refused: %s", log);
	bpfrt_vm__free(plain);
}

int main(void)
{
	vm = bpfrt_vm__new();
	T_CHECK(vm && bpfrt_vm__add_helper(vm, 100, &sum_mem_proto) == 0 &&
			bpfrt_vm__add_helper(vm, 101, &each_proto) == 0 &&
			bpfrt_vm__add_helper(vm, 102, &map_arg_proto) == 0,
		"helpers with prototypes register");
	T_CHECK(bpfrt_vm__add_helper(vm, 103, &(struct bpfrt_helper_proto){ .name = "x" }) == -EINVAL,
		"a prototype without a function is refused");
	T_CHECK(bpfrt_vm__helper_name(vm, 101) && !strcmp(bpfrt_vm__helper_name(vm, 101), "each"),
		"a helper added with a prototype is named by it");
	test_arg_checks();
	test_callbacks();
	test_maps();
	test_spin_locks();
	test_kernel_helper_binding();
	bpfrt_vm__free(vm);
	return t_exit();
}
