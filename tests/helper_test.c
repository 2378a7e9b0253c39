/* SPDX-License-Identifier: MIT */
/*
 * The kernel helpers (src/helpers/) through the public API: small programs
 * in assembler text, loaded with live maps and run on every engine, check
 * r0, what they store to their memory, map contents, trace lines, ring
 * buffer records and values injected through struct bpfrt_env. Table-driven
 * cases (strtol, strncmp, snprintf) report one line per table.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "bpfrt/asm.h"
#include "bpfrt/bpfrt.h"
#include "harness.h"
#include "maps/map.h"


#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define ENOTSUPP_ 524

static struct bpfrt_vm *vm;

static bool is_checked(int e)
{
	return e == BPFRT_ENGINE_CHECKED || e == BPFRT_ENGINE_CHECKED_SWITCH;
}

/* Assemble and load `text` as an UNSPEC program with `maps`. */
static struct bpfrt_prog *load_maps(const char *text, struct bpfrt_map **maps, size_t map_cnt,
				    bool gpl)
{
	struct bpfrt_load_opts lo = { .sz = sizeof(lo), .maps = maps, .map_cnt = map_cnt,
				      .gpl = gpl, .prog_type = BPFRT_PROG_TYPE_UNSPEC };
	struct bpfrt_insn *insns;
	struct bpfrt_prog *p;
	char log[512];
	size_t cnt;

	if (bpfrt_asm(text, &insns, &cnt, log, sizeof(log))) {
		t_fail("assemble: %s", log);
		return NULL;
	}
	lo.log_buf = log;
	lo.log_size = sizeof(log);
	log[0] = 0;
	p = bpfrt_prog__load(vm, insns, cnt, &lo);
	if (!p)
		t_fail("load: %s", log);
	bpfrt_free(insns);
	return p;
}

static struct bpfrt_prog *load(const char *text)
{
	return load_maps(text, NULL, 0, true);
}

/* Run on engine e with mem and env; 0 with *r0, or the run's -errno. */
static int run_env(struct bpfrt_prog *p, int e, void *mem, size_t len, const struct bpfrt_env *env,
		   uint32_t cpu, uint64_t *r0, struct bpfrt_run_opts *out)
{
	struct bpfrt_run_opts o = { .sz = sizeof(o), .engine = e, .mem = mem, .mem_size = len,
				    .env = env, .cpu = cpu };
	int err = bpfrt_prog__run(p, &o);

	if (r0)
		*r0 = o.retval;
	if (out)
		*out = o;
	return err;
}

static int run(struct bpfrt_prog *p, int e, void *mem, size_t len, uint64_t *r0)
{
	return run_env(p, e, mem, len, NULL, 0, r0, NULL);
}

static struct bpfrt_map *map_new(enum bpfrt_map_type type, uint32_t ks, uint32_t vs, uint32_t n,
				 const struct bpfrt_map_create_opts *opts)
{
	struct bpfrt_map *m = bpfrt_map__create(type, ks, vs, n, opts);

	if (!m)
		t_fail("create map type %d: %s", type, strerror(errno));
	return m;
}

#define NEG(e) ((uint64_t)-(int64_t)(e))

/* ---- the table ---- */

static void test_table(void)
{
	unsigned int named = 0, impl = 0, bad = 0;

	for (uint32_t id = 0; id < 300; id++) {
		const struct bpfrt_helper_proto *p = bpfrt_kernel_helper(id);
		const char *n = bpfrt_helper_name(id);

		named += n != NULL;
		if (!p)
			continue;
		impl++;
		if (!n || strcmp(n, p->name) || !p->fn)
			bad++;
	}
	T_CHECK(named == 211 && !bpfrt_helper_name(0) && !bpfrt_helper_name(212) &&
			!strcmp(bpfrt_helper_name(1), "map_lookup_elem") &&
			!strcmp(bpfrt_helper_name(211), "cgrp_storage_delete") &&
			!strcmp(bpfrt_helper_name(26), "skb_load_bytes"),
		"every kernel helper id 1..211 has its name (%u named)", named);
	T_CHECK(impl >= 45 && !bad, "%u helpers implemented, each named as the kernel names it (%u bad)",
		impl, bad);
	T_CHECK(bpfrt_kernel_helper(1)->ret == BPFRT_RET_PTR_TO_MAP_VALUE_OR_NULL &&
			bpfrt_kernel_helper(1)->args[0] == BPFRT_ARG_CONST_MAP_PTR &&
			bpfrt_kernel_helper(1)->args[1] == BPFRT_ARG_PTR_TO_MAP_KEY &&
			bpfrt_kernel_helper(1)->args[2] == BPFRT_ARG_NONE &&
			bpfrt_kernel_helper(181)->args[1] == BPFRT_ARG_PTR_TO_FUNC &&
			bpfrt_kernel_helper(131)->ret == BPFRT_RET_PTR_TO_ALLOC_MEM_OR_NULL &&
			(bpfrt_kernel_helper(6)->flags & BPFRT_HELPER_GPL_ONLY) &&
			!(bpfrt_kernel_helper(5)->flags & BPFRT_HELPER_GPL_ONLY) &&
			!bpfrt_kernel_helper(100000),
		"prototypes are the kernel's (map_lookup_elem, loop, ringbuf_reserve, GPL flags)");
}

/* ---- maps ---- */

/* out[0..6]: update, update NOEXIST again, lookup value, delete, delete again, bad flags, lookup after delete. */
static const char map_prog[] =
	"r9 = r1\n"
	"*(u32 *)(r10 - 4) = 7\n"
	"*(u64 *)(r10 - 16) = 100\n"
	"r1 = map_fd(0) ll\n r2 = r10\n r2 += -4\n r3 = r10\n r3 += -16\n r4 = 1\n call 2\n"
	"*(u64 *)(r9 + 0) = r0\n"
	"r1 = map_fd(0) ll\n r2 = r10\n r2 += -4\n r3 = r10\n r3 += -16\n r4 = 1\n call 2\n"
	"*(u64 *)(r9 + 8) = r0\n"
	"r1 = map_fd(0) ll\n r2 = r10\n r2 += -4\n call 1\n"
	"r1 = 0\n if r0 == 0 goto +2\n r1 = *(u64 *)(r0 + 0)\n *(u64 *)(r0 + 0) = 555\n"
	"*(u64 *)(r9 + 16) = r1\n"
	"r1 = map_fd(0) ll\n r2 = r10\n r2 += -4\n call 1\n"
	"r1 = 0\n if r0 == 0 goto +1\n r1 = *(u64 *)(r0 + 0)\n"
	"*(u64 *)(r9 + 56) = r1\n"
	"r1 = map_fd(0) ll\n r2 = r10\n r2 += -4\n call 3\n"
	"*(u64 *)(r9 + 24) = r0\n"
	"r1 = map_fd(0) ll\n r2 = r10\n r2 += -4\n call 3\n"
	"*(u64 *)(r9 + 32) = r0\n"
	"r1 = map_fd(0) ll\n r2 = r10\n r2 += -4\n r3 = r10\n r3 += -16\n r4 = 5\n call 2\n"
	"*(u64 *)(r9 + 40) = r0\n"
	"r1 = map_fd(0) ll\n r2 = r10\n r2 += -4\n call 1\n"
	"*(u64 *)(r9 + 48) = r0\n"
	"r0 = 0\n exit\n";

static void test_map_elem(void)
{
	struct bpfrt_map *m = map_new(BPFRT_MAP_TYPE_HASH, 4, 8, 16, NULL);
	struct bpfrt_prog *p = m ? load_maps(map_prog, &m, 1, false) : NULL;

	for (int e = 0; p && e < BPFRT_ENGINE__COUNT; e++) {
		uint64_t out[8] = { 0 }, r0 = 1, v = 0;
		uint32_t k = 7;

		T_CHECK(run(p, e, out, sizeof(out), &r0) == 0 && r0 == 0 && out[0] == 0 &&
				out[1] == NEG(EEXIST) && out[2] == 100 && out[7] == 555 && out[3] == 0 &&
				out[4] == NEG(ENOENT) && out[5] == NEG(EINVAL) && out[6] == 0,
			"%s: map update/lookup/delete and their errors (%lld %lld %llu %llu %lld %lld %lld %llx)",
			bpfrt_engine_name(e), (long long)out[0], (long long)out[1],
			(unsigned long long)out[2], (unsigned long long)out[7], (long long)out[3],
			(long long)out[4], (long long)out[5], (unsigned long long)out[6]);
		T_CHECK(bpfrt_map__lookup_elem(m, &k, 4, &v, 8, 0) == -ENOENT,
			"%s: the element is gone from user space's view", bpfrt_engine_name(e));
	}
	bpfrt_prog__free(p);
	bpfrt_map__destroy(m);
}

/* Per-CPU maps: the run's worker, and lookup_percpu_elem(map, key, cpu). */
static void test_percpu(void)
{
	struct bpfrt_map_create_opts mo = { .sz = sizeof(mo), .nr_cpus = 4 };
	struct bpfrt_map *m = map_new(BPFRT_MAP_TYPE_PERCPU_ARRAY, 4, 8, 2, &mo);
	struct bpfrt_prog *p = m ? load_maps(
		"r9 = r1\n *(u32 *)(r10 - 4) = 1\n *(u64 *)(r10 - 16) = 42\n"
		"r1 = map_fd(0) ll\n r2 = r10\n r2 += -4\n r3 = r10\n r3 += -16\n r4 = 0\n call 2\n"
		"r1 = map_fd(0) ll\n r2 = r10\n r2 += -4\n r3 = 2\n call 195\n"
		"r1 = -1\n if r0 == 0 goto +1\n r1 = *(u64 *)(r0 + 0)\n *(u64 *)(r9 + 0) = r1\n"
		"r1 = map_fd(0) ll\n r2 = r10\n r2 += -4\n r3 = 1\n call 195\n"
		"r1 = -1\n if r0 == 0 goto +1\n r1 = *(u64 *)(r0 + 0)\n *(u64 *)(r9 + 8) = r1\n"
		"r1 = map_fd(0) ll\n r2 = r10\n r2 += -4\n r3 = 4\n call 195\n"
		"*(u64 *)(r9 + 16) = r0\n"
		"call 8\n exit\n", &m, 1, false) : NULL;

	for (int e = 0; p && e < BPFRT_ENGINE__COUNT; e++) {
		uint64_t out[3] = { 0 }, r0 = 0, vals[4] = { 0 };
		uint32_t k = 1;

		T_CHECK(run_env(p, e, out, sizeof(out), NULL, 2, &r0, NULL) == 0 && r0 == 2 &&
				out[0] == 42 && out[1] == 0 && out[2] == 0 &&
				bpfrt_map__lookup_elem(m, &k, 4, vals, sizeof(vals), 0) == 0 &&
				vals[2] == 42 && vals[0] == 0 && vals[1] == 0 && vals[3] == 0,
			"%s: per-CPU update hits worker 2 (smp_processor_id), lookup_percpu_elem reads any "
			"worker, NULL past the last (%llu %llu %llu)",
			bpfrt_engine_name(e), (unsigned long long)out[0], (unsigned long long)out[1],
			(unsigned long long)out[2]);
		bpfrt_map__delete_elem(m, &k, 4, 0); /* arrays: -EINVAL, values stay; fine */
	}
	bpfrt_prog__free(p);
	bpfrt_map__destroy(m);
}

/* ---- callbacks: loop ---- */

static void test_loop(void)
{
	/*
	 * loop(mem[0], cb, &ctx, mem[1]); ctx = { sum, stop }: cb adds i to
	 * sum and returns 1 when i == stop (stop 0: never). mem[3] = sum.
	 */
	struct bpfrt_prog *p;
	struct {
		uint64_t n, flags, stop, sum;
	} cases[] = {
		{ 0, 0, 0, 0 }, { 1, 0, 0, 0 }, { 10, 0, 0, 45 }, { 1000, 0, 0, 499500 },
		{ 10, 1, 0, 0 }, { (1U << 23) + 1, 0, 0, 0 }, { 1U << 23, 0, 0, 0 },
	};
	uint64_t want_r0[] = { 0, 1, 10, 1000, NEG(EINVAL), NEG(E2BIG), 1U << 23 };

	p = load("r9 = r1\n"
		 "*(u64 *)(r10 - 16) = 0\n"
		 "r1 = *(u64 *)(r9 + 16)\n *(u64 *)(r10 - 8) = r1\n" /* stop at */
		 "r1 = *(u64 *)(r9 + 0)\n r2 = func(cb) ll\n r3 = r10\n r3 += -16\n"
		 "r4 = *(u64 *)(r9 + 8)\n call 181\n"
		 "r1 = *(u64 *)(r10 - 16)\n *(u64 *)(r9 + 24) = r1\n exit\n"
		 "cb:\n"
		 "r3 = *(u64 *)(r2 + 0)\n r3 += r1\n *(u64 *)(r2 + 0) = r3\n"
		 "r0 = 0\n r4 = *(u64 *)(r2 + 8)\n if r4 == 0 goto +2\n if r1 != r4 goto +1\n r0 = 1\n"
		 "exit\n");
	for (int e = 0; p && e < BPFRT_ENGINE__COUNT; e++) {
		unsigned int bad = 0;

		/* The 1 << 23 case only on the fast engines (it is slow when checked). */
		for (size_t i = 0; i < ARRAY_SIZE(cases) - (is_checked(e) ? 1 : 0); i++) {
			uint64_t mem[4] = { cases[i].n, cases[i].flags, 0, 0 }, r0;
			uint64_t want_sum = cases[i].n == (1U << 23) ? (uint64_t)(1U << 23) * ((1U << 23) - 1) / 2
								      : cases[i].sum;

			if (run(p, e, mem, sizeof(mem), &r0) || r0 != want_r0[i] || mem[3] != want_sum) {
				if (!bad++)
					t_fail("%s: loop(%llu, flags %llu) = %lld, sum %llu", bpfrt_engine_name(e),
					       (unsigned long long)cases[i].n, (unsigned long long)cases[i].flags,
					       (long long)r0, (unsigned long long)mem[3]);
			}
		}
		{
			uint64_t mem[4] = { 100, 0, 7, 0 }, r0;

			if (run(p, e, mem, sizeof(mem), &r0) || r0 != 8 || mem[3] != 28)
				bad++, t_fail("%s: loop stops when the callback returns 1 (%llu, %llu)",
					      bpfrt_engine_name(e), (unsigned long long)r0,
					      (unsigned long long)mem[3]);
		}
		if (!bad)
			t_pass("%s: bpf_loop: counts, flags -EINVAL, > 1<<23 -E2BIG, early stop",
			       bpfrt_engine_name(e));
	}
	bpfrt_prog__free(p);
}

/* ---- strings: strtol, strtoul, strncmp ---- */

struct strtox_case {
	const char *s;
	int len;        /* -1: strlen */
	uint64_t flags;
	int64_t ret_l;  /* strtol */
	int64_t res_l;
	int64_t ret_ul; /* strtoul */
	uint64_t res_ul;
};

static const struct strtox_case strtox_cases[] = {
	{ "123", -1, 0, 3, 123, 3, 123 },
	{ "  -42xyz", -1, 0, 5, -42, -EINVAL, 0 },
	{ "0x1F", -1, 0, 4, 31, 4, 31 },
	{ "0x1F", -1, 16, 4, 31, 4, 31 },
	{ "0x", -1, 0, 1, 0, 1, 0 },        /* "0x" without a digit: octal 0 */
	{ "0x", -1, 16, -EINVAL, 0, -EINVAL, 0 }, /* base 16 skips the "0x" first */
	{ "017", -1, 0, 3, 15, 3, 15 },
	{ "019", -1, 0, 2, 1, 2, 1 },
	{ "19", -1, 8, 1, 1, 1, 1 },
	{ "ff", -1, 10, -EINVAL, 0, -EINVAL, 0 },
	{ "ff", -1, 16, 2, 255, 2, 255 },
	{ "12", -1, 2, -EINVAL, 0, -EINVAL, 0 },
	{ "12", -1, 0x20 | 10, -EINVAL, 0, -EINVAL, 0 },
	{ "", 0, 0, -EINVAL, 0, -EINVAL, 0 },
	{ "   ", -1, 0, -EINVAL, 0, -EINVAL, 0 },
	{ "-", -1, 0, -EINVAL, 0, -EINVAL, 0 },
	{ "--1", -1, 0, -EINVAL, 0, -EINVAL, 0 },
	{ "+1", -1, 0, -EINVAL, 0, -EINVAL, 0 },
	{ "9223372036854775807", -1, 0, 19, INT64_MAX, 19, INT64_MAX },
	{ "9223372036854775808", -1, 0, -ERANGE, 0, 19, 9223372036854775808ULL },
	{ "-9223372036854775808", -1, 0, 20, INT64_MIN, -EINVAL, 0 },
	{ "-9223372036854775809", -1, 0, -ERANGE, 0, -EINVAL, 0 },
	{ "18446744073709551615", -1, 0, -ERANGE, 0, 20, UINT64_MAX },
	{ "18446744073709551616", -1, 0, -ERANGE, 0, -ERANGE, 0 },
	{ "123456", 3, 0, 3, 123, 3, 123 },  /* buf_len cuts */
	{ "\t\n 7", -1, 0, 4, 7, 4, 7 },
	{ "\xa0" "5", -1, 0, 2, 5, 2, 5 },   /* the kernel's ctype: 0xa0 is a space */
	{ "0000000000000000000000000000000000000000000000000000000000000000000001", -1, 0,
	  63, 0, 63, 0 },                    /* at most 63 characters are parsed */
	{ "-0", -1, 0, 2, 0, -EINVAL, 0 },
	{ "0X10", -1, 0, 4, 16, 4, 16 },
};

static void test_strtox(void)
{
	/* mem: flags, res, len, ret, str[80]. */
	static const char text[] =
		"r9 = r1\n r1 = r9\n r1 += 32\n r2 = *(u64 *)(r9 + 16)\n r3 = *(u64 *)(r9 + 0)\n"
		"r4 = r9\n r4 += 8\n call %d\n *(u64 *)(r9 + 24) = r0\n exit\n";
	char buf[sizeof(text) + 8];
	struct bpfrt_prog *p[2];

	for (int k = 0; k < 2; k++) {
		snprintf(buf, sizeof(buf), text, k ? 106 : 105);
		p[k] = load(buf);
	}
	for (int e = 0; p[0] && p[1] && e < BPFRT_ENGINE__COUNT; e++) {
		unsigned int bad = 0, n = 0;

		for (size_t i = 0; i < ARRAY_SIZE(strtox_cases); i++) {
			const struct strtox_case *c = &strtox_cases[i];

			for (int k = 0; k < 2; k++, n++) {
				struct {
					uint64_t flags, res, len, ret;
					char str[80];
				} mem = { .flags = c->flags, .res = 0xdead, .ret = 0 };
				int64_t want_ret = k ? c->ret_ul : c->ret_l;
				uint64_t want_res = k ? c->res_ul : (uint64_t)c->res_l;
				uint64_t r0 = 0;

				mem.len = c->len < 0 ? strlen(c->s) : (size_t)c->len;
				memcpy(mem.str, c->s, strlen(c->s));
				if (!mem.len && is_checked(e)) {
					/* ARG_CONST_SIZE: checked engines refuse 0, as the verifier. */
					if (run(p[k], e, &mem, sizeof(mem), &r0) != -EFAULT && !bad++)
						t_fail("%s: strtol with buf_len 0 must fault", bpfrt_engine_name(e));
					continue;
				}
				if (run(p[k], e, &mem, sizeof(mem), &r0) || (int64_t)r0 != want_ret ||
				    mem.res != want_res) {
					if (!bad++)
						t_fail("%s: %s(\"%s\", %llu, %#llx) = %lld res %lld, want %lld res %lld",
						       bpfrt_engine_name(e), k ? "strtoul" : "strtol", c->s,
						       (unsigned long long)mem.len, (unsigned long long)c->flags,
						       (long long)r0, (long long)mem.res, (long long)want_ret,
						       (long long)want_res);
				}
			}
		}
		if (!bad)
			t_pass("%s: strtol/strtoul: %u cases (bases, prefixes, signs, ranges, lengths)",
			       bpfrt_engine_name(e), n);
	}
	bpfrt_prog__free(p[0]);
	bpfrt_prog__free(p[1]);
}

static void test_strncmp(void)
{
	static const struct {
		const char *s1, *s2;
		uint32_t n;
		int64_t want;
	} cases[] = {
		{ "abc", "abc", 4, 0 }, { "abc", "abd", 4, -1 }, { "abd", "abc", 4, 1 },
		{ "abc", "abd", 2, 0 }, { "ab", "abc", 3, -1 }, { "abc", "ab", 3, 1 },
		{ "abc", "ab", 2, 0 }, { "\xff", "a", 1, 1 }, { "a", "\xff", 1, -1 },
		{ "", "", 1, 0 }, { "x", "", 1, 1 }, { "hello world", "hello", 5, 0 },
	};
	/* mem: n, s1[32], s2[32]. */
	struct bpfrt_prog *p = load("r9 = r1\n r1 = r9\n r1 += 8\n r2 = *(u32 *)(r9 + 0)\n"
				    "r3 = r9\n r3 += 40\n call 182\n exit\n");

	for (int e = 0; p && e < BPFRT_ENGINE__COUNT; e++) {
		unsigned int bad = 0;

		for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
			struct {
				uint64_t n;
				char s1[32], s2[32];
			} mem = { .n = cases[i].n };
			uint64_t r0 = 0;

			strcpy(mem.s1, cases[i].s1);
			strcpy(mem.s2, cases[i].s2);
			if (run(p, e, &mem, sizeof(mem), &r0) || (int64_t)r0 != cases[i].want)
				if (!bad++)
					t_fail("%s: strncmp(\"%s\", %u, \"%s\") = %lld", bpfrt_engine_name(e),
					       cases[i].s1, cases[i].n, cases[i].s2, (long long)r0);
		}
		if (!bad)
			t_pass("%s: strncmp answers -1/0/1 as the kernel's (%zu cases)", bpfrt_engine_name(e),
			       ARRAY_SIZE(cases));
	}
	bpfrt_prog__free(p);
}

/* ---- the formatter: snprintf, trace_printk, trace_vprintk ---- */

struct fmt_case {
	const char *fmt;
	uint64_t args[6];
	int nargs;
	const char *want; /* NULL: an error */
	int64_t ret;      /* snprintf's: length + 1, or -errno */
	/*
	 * With no room (0) or 4 bytes: pre-formatted %p arguments (%pI4,
	 * %pks...) are skipped, uncounted, once the output is full, as in the
	 * kernel's bstr_printf(). 0: as ret.
	 */
	int64_t ret0, ret4;
};

/* String arguments: ARG_STR(i) is replaced with the address of strs[i]. */
#define ARG_STR(i) (0x5750000000000000ULL | (i))
static const char *const strs[] = { "hi", "a longer string", "" };
static const uint8_t ip4[4] = { 10, 0, 1, 254 };
static const uint8_t ip6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
#define ARG_IP4 0x5750000000000100ULL
#define ARG_IP6 0x5750000000000101ULL

static const struct fmt_case fmt_cases[] = {
	{ "plain", { 0 }, 0, "plain", 6, 0, 0 },
	{ "%d %i %u", { (uint64_t)-5, 7, (uint64_t)-1 }, 3, "-5 7 4294967295", 16, 0, 0 },
	{ "%x %X %lx", { 0xabcdef, 0xabcdef, 0x1234567890ULL }, 3, "abcdef ABCDEF 1234567890", 25, 0, 0 },
	{ "%ld %lld %lu %llu", { (uint64_t)-1, (uint64_t)INT64_MIN, (uint64_t)-1, 5 }, 4,
	  "-1 -9223372036854775808 18446744073709551615 5", 47, 0, 0 },
	{ "[%5d][%-5d][%05d][%+d][% d]", { 42, 42, 42, 42, 42 }, 5, "[   42][42   ][00042][+42][ 42]", 32, 0, 0 },
	{ "[%-05d][%+05d][% 5d][%+u]", { 7, 7, (uint64_t)-7, 3 }, 4, "[7    ][+0007][   -7][3]", 25, 0, 0 },
	{ "[%08x][%-8X][%2d]", { 0xbeef, 0xbeef, 12345 }, 3, "[0000beef][BEEF    ][12345]", 28, 0, 0 },
	{ "%c%c%c", { 'a', 'b' | 0x100, 'c' }, 3, "abc", 4, 0, 0 },
	{ "[%3c][%-3c]", { 'x', 'y' }, 2, "[  x][y  ]", 11, 0, 0 },
	{ "%s and %s.", { ARG_STR(0), ARG_STR(1) }, 2, "hi and a longer string.", 24, 0, 0 },
	{ "[%5s][%-5s][%s]", { ARG_STR(0), ARG_STR(0), ARG_STR(2) }, 3, "[   hi][hi   ][]", 17, 0, 0 },
	{ "%s", { 0 }, 1, "", 1, 0, 0 }, /* NULL string: empty, as an unreadable one */
	{ "100%%", { 0 }, 0, "100%", 5, 0, 0 },
	{ "%pI4 %pi4", { ARG_IP4, ARG_IP4 }, 2, "10.0.1.254 010.000.001.254", 27, 2, 12 },
	{ "%pI6", { ARG_IP6 }, 1, "2001:0db8:0000:0000:0000:0000:0000:0001", 40, 1, 0 },
	{ "%pi6", { ARG_IP6 }, 1, "20010db8000000000000000000000001", 33, 1, 0 },
	{ "%pks|%pus", { ARG_STR(0), ARG_STR(1) }, 2, "hi|a longer string", 19, 2, 0 },
	{ "%px", { 0x1234 }, 1, "0000000000001234", 17, 0, 0 },
	{ "%p %pK", { 0, 0xffff }, 2, "0000000000000000 000000000000ffff", 34, 0, 0 },
	{ "%pI4abc", { 0 }, 1, "0.0.0.0", 8, 1, 0 }, /* alphanumerics after %p.. are skipped */
	{ "%d", { 0 }, 0, NULL, -EINVAL, 0, 0 },              /* more conversions than arguments */
	{ "%d %d", { 1 }, 1, NULL, -EINVAL, 0, 0 },
	{ "%q", { 1 }, 1, NULL, -EINVAL, 0, 0 },
	{ "%hd", { 1 }, 1, NULL, -EINVAL, 0, 0 },
	{ "%.3d", { 1 }, 1, NULL, -EINVAL, 0, 0 },
	{ "%#x", { 1 }, 1, NULL, -EINVAL, 0, 0 },
	{ "%lld%", { 1 }, 1, NULL, -EINVAL, 0, 0 },
	{ "%sx", { ARG_STR(0) }, 1, NULL, -EINVAL, 0, 0 },     /* %s must end a word */
	{ "%pZ", { 0 }, 1, NULL, -EINVAL, 0, 0 },
	{ "%o", { 8 }, 1, NULL, -EINVAL, 0, 0 },
	{ "bad\x01", { 0 }, 0, NULL, -EINVAL, 0, 0 },          /* unprintable */
	{ "tab\tnl\n", { 0 }, 0, "tab\tnl\n", 8, 0, 0 },
	{ "%d%d%d%d%d%d", { 1, 2, 3, 4, 5, 6 }, 6, "123456", 7, 0, 0 },
};

static uint64_t fmt_arg(uint64_t a)
{
	if (a == ARG_IP4)
		return (uint64_t)(uintptr_t)ip4;
	if (a == ARG_IP6)
		return (uint64_t)(uintptr_t)ip6;
	if ((a & ~0xffULL) == 0x5750000000000000ULL)
		return (uint64_t)(uintptr_t)strs[a & 0xff];
	return a;
}

/*
 * snprintf(out, size, fmt, args, 8 * nargs). mem: size, nargs, ret, pad,
 * args[12], fmt[128], out[256]. The strings the arguments point at are
 * given to the checked engines as a region.
 */
static const char snprintf_prog[] =
	"r9 = r1\n r1 = r9\n r1 += 256\n r2 = *(u64 *)(r9 + 0)\n r3 = r9\n r3 += 128\n"
	"r4 = r9\n r4 += 32\n r5 = *(u64 *)(r9 + 8)\n r5 <<= 3\n call 165\n"
	"*(u64 *)(r9 + 16) = r0\n exit\n";

struct fmt_mem {
	uint64_t size, nargs, ret, pad;
	uint64_t args[12];
	char fmt[128];
	char out[256];
};

static void test_snprintf(void)
{
	struct bpfrt_prog *p = load(snprintf_prog);
	struct bpfrt_region regions[5] = {
		{ "s0", (void *)strs[0], 3, false }, { "s1", (void *)strs[1], 16, false },
		{ "s2", (void *)strs[2], 1, false }, { "ip4", (void *)ip4, 4, false },
		{ "ip6", (void *)ip6, 16, false },
	};
	struct bpfrt_env env = { .sz = sizeof(env), .probe_regions = regions, .probe_region_cnt = 5 };

	for (int e = 0; p && e < BPFRT_ENGINE__COUNT; e++) {
		unsigned int bad = 0, n = 0;

		for (size_t i = 0; i < ARRAY_SIZE(fmt_cases); i++) {
			const struct fmt_case *c = &fmt_cases[i];

			for (int sz = 0; sz < 3; sz++, n++) {
				/* Output room: plenty, none, or 4 bytes (cut). */
				uint64_t room = sz == 0 ? 256 : sz == 1 ? 0 : 4;
				struct fmt_mem mem = { .size = room, .nargs = (uint64_t)c->nargs };
				int64_t want_ret = sz == 1 && c->ret0 ? c->ret0 : sz == 2 && c->ret4 ? c->ret4 : c->ret;
				char want[256];
				uint64_t r0 = 0;
				int err;

				for (int a = 0; a < c->nargs; a++)
					mem.args[a] = fmt_arg(c->args[a]);
				strcpy(mem.fmt, c->fmt);
				memset(mem.out, 'Z', sizeof(mem.out));
				err = run_env(p, e, &mem, sizeof(mem), &env, 0, &r0, NULL);
				if (c->want) {
					size_t len = strlen(c->want);

					memcpy(want, c->want, len + 1);
					if (room && len >= room)
						want[room - 1] = 0;
				}
				if (err || (int64_t)mem.ret != want_ret ||
				    (c->want && room && strcmp(mem.out, want)) ||
				    ((!c->want || !room) && mem.out[0] != 'Z')) {
					if (!bad++)
						t_fail("%s: snprintf(%llu, \"%s\") = %lld \"%.40s\", want %lld \"%s\" (err %d)",
						       bpfrt_engine_name(e), (unsigned long long)room, c->fmt,
						       (long long)mem.ret, mem.out, (long long)want_ret,
						       c->want ? want : "(error)", err);
				}
			}
		}
		if (!bad)
			t_pass("%s: snprintf: %u cases (conversions, flags, widths, strings, IPs, cuts, errors)",
			       bpfrt_engine_name(e), n);
	}
	bpfrt_prog__free(p);
}

/* snprintf writes str: NULL with a size stops every engine, read-only memory the checked ones. */
static void test_snprintf_guards(void)
{
	struct bpfrt_prog *pnull = load("r1 = 0\n r2 = 8\n r3 = r10\n r3 += -8\n *(u64 *)(r10 - 8) = 0\n"
					"r4 = 0\n r5 = 0\n call 165\n exit\n");
	/* snprintf(region ro, 8, "", NULL, 0), the region's address in mem[0]. */
	struct bpfrt_prog *pro = load("r1 = *(u64 *)(r1 + 0)\n r2 = 8\n r3 = r10\n r3 += -8\n"
				      "*(u64 *)(r10 - 8) = 0\n r4 = 0\n r5 = 0\n call 165\n exit\n");
	char ro[8] = "RRRRRRR";
	struct bpfrt_region region = { "ro", ro, sizeof(ro), false };

	for (int e = 0; pnull && pro && e < BPFRT_ENGINE__COUNT; e++) {
		struct bpfrt_run_opts o = { .sz = sizeof(o), .engine = e };
		uint64_t mem[1] = { (uint64_t)(uintptr_t)ro };
		int err = bpfrt_prog__run(pnull, &o);

		/* Checked engines stop it at the prototype, the fast ones in the helper. */
		T_CHECK(is_checked(e) ? err == -EFAULT && strstr(o.fault.msg, "NULL with a size")
				      : err == -ECANCELED && strstr(o.fault.msg, "str is NULL but str_size is 8"),
			"%s: snprintf(NULL, 8, ...) stops the program: %s", bpfrt_engine_name(e), o.fault.msg);
		o = (struct bpfrt_run_opts){ .sz = sizeof(o), .engine = e, .mem = mem,
					     .mem_size = sizeof(mem), .regions = &region, .region_cnt = 1 };
		err = bpfrt_prog__run(pro, &o);
		if (is_checked(e))
			T_CHECK(err == -EFAULT && strstr(o.fault.msg, "must be writable memory") && ro[0] == 'R',
				"%s: snprintf into read-only memory stops the program: %s",
				bpfrt_engine_name(e), o.fault.msg);
		else
			T_CHECK(err == 0 && o.retval == 1 && ro[0] == 0,
				"%s: fast engines trust str", bpfrt_engine_name(e));
		memcpy(ro, "RRRRRRR", 8);
	}
	bpfrt_prog__free(pnull);
	bpfrt_prog__free(pro);
}

/* What a run's trace lines were. */
struct trace_log {
	char lines[8][1100];
	size_t len[8];
	int n;
};

static void trace_cb(void *ctx, const char *line, size_t len)
{
	struct trace_log *t = ctx;

	if (t->n < 8) {
		memcpy(t->lines[t->n], line, len + 1);
		t->len[t->n++] = len;
	}
}

static void test_trace_printk(void)
{
	/* trace_printk(fmt in mem + 32, fmt_size = mem[0], a1..a3 = mem[1..3]). */
	struct bpfrt_prog *p = load("r9 = r1\n r1 = r9\n r1 += 32\n r2 = *(u64 *)(r9 + 0)\n"
				    "r3 = *(u64 *)(r9 + 8)\n r4 = *(u64 *)(r9 + 16)\n"
				    "r5 = *(u64 *)(r9 + 24)\n call 6\n exit\n");
	/* trace_vprintk(fmt, size, args, len). */
	struct bpfrt_prog *pv = load("r9 = r1\n r1 = r9\n r1 += 128\n r2 = *(u64 *)(r9 + 0)\n"
				     "r3 = r9\n r3 += 16\n r4 = *(u64 *)(r9 + 8)\n call 177\n exit\n");
	struct trace_log log;
	struct bpfrt_env env = { .sz = sizeof(env), .trace = trace_cb, .trace_ctx = &log };

	for (int e = 0; p && pv && e < BPFRT_ENGINE__COUNT; e++) {
		const char *en = bpfrt_engine_name(e);
		struct {
			uint64_t size, a[3];
			char fmt[1200];
		} mem = { .a = { 1, (uint64_t)-2, 0x30 } };
		uint64_t r0 = 0;

		memset(&log, 0, sizeof(log));
		strcpy(mem.fmt, "a=%d b=%lld c=%c\n");
		mem.size = strlen(mem.fmt) + 1;
		T_CHECK(run_env(p, e, &mem, sizeof(mem), &env, 0, &r0, NULL) == 0 && r0 == 13 &&
				log.n == 1 && !strcmp(log.lines[0], "a=1 b=-2 c=0") && log.len[0] == 12,
			"%s: trace_printk writes one line (without its newline) to env->trace, returns its length (%lld, %d, \"%s\")",
			en, (long long)r0, log.n, log.lines[0]);

		memset(&log, 0, sizeof(log));
		strcpy(mem.fmt, "%d %d %d %d");
		mem.size = strlen(mem.fmt) + 1;
		T_CHECK(run_env(p, e, &mem, sizeof(mem), &env, 0, &r0, NULL) == 0 &&
				r0 == NEG(EINVAL) && log.n == 0,
			"%s: trace_printk takes at most 3 conversions (-EINVAL, no line)", en);

		strcpy(mem.fmt, "no nul");
		mem.size = 6;
		T_CHECK(run_env(p, e, &mem, sizeof(mem), &env, 0, &r0, NULL) == 0 &&
				r0 == NEG(EINVAL) && log.n == 0,
			"%s: trace_printk wants the NUL within fmt_size (-EINVAL)", en);

		/* A line longer than the kernel's 1024-byte buffer is cut, the length is not. */
		memset(mem.fmt, 'x', 1100);
		mem.fmt[1100] = 0;
		mem.size = 1101;
		T_CHECK(run_env(p, e, &mem, sizeof(mem), &env, 0, &r0, NULL) == 0 && r0 == 1100 &&
				log.n == 1 && log.len[0] == 1023,
			"%s: trace_printk cuts lines at 1023 bytes and returns the full length (%llu, %zu)",
			en, (unsigned long long)r0, log.len[0]);

		{
			struct {
				uint64_t size, len;
				uint64_t args[14];
				char fmt[128];
			} vm_ = { .len = 12 * 8 };

			for (int i = 0; i < 14; i++)
				vm_.args[i] = (uint64_t)i;
			strcpy(vm_.fmt, "%d%d%d%d%d%d%d%d%d%d%d%d");
			vm_.size = strlen(vm_.fmt) + 1;
			memset(&log, 0, sizeof(log));
			T_CHECK(run_env(pv, e, &vm_, sizeof(vm_), &env, 0, &r0, NULL) == 0 && r0 == 14 &&
					log.n == 1 && !strcmp(log.lines[0], "01234567891011"),
				"%s: trace_vprintk takes 12 arguments (%lld \"%s\")", en, (long long)r0,
				log.lines[0]);
			vm_.len = 13 * 8;
			T_CHECK(run_env(pv, e, &vm_, sizeof(vm_), &env, 0, &r0, NULL) == 0 &&
					r0 == NEG(EINVAL),
				"%s: trace_vprintk refuses 13 arguments", en);
			vm_.len = 12;
			T_CHECK(run_env(pv, e, &vm_, sizeof(vm_), &env, 0, &r0, NULL) == 0 &&
					r0 == NEG(EINVAL),
				"%s: trace_vprintk refuses a length that is no multiple of 8", en);
		}
	}
	bpfrt_prog__free(p);
	bpfrt_prog__free(pv);
}

/* Without env->trace, lines go to the print callback at BPFRT_INFO. */
static char printed[256];

static int print_cb(enum bpfrt_print_level level, const char *fmt, va_list ap)
{
	if (level == BPFRT_INFO)
		vsnprintf(printed, sizeof(printed), fmt, ap);
	return 0;
}

static void test_trace_print_callback(void)
{
	struct bpfrt_prog *p = load("r1 = r10\n r1 += -8\n *(u64 *)(r10 - 8) = 0\n"
				    "*(u8 *)(r10 - 8) = 0x6f\n *(u8 *)(r10 - 7) = 0x6b\n"
				    "r2 = 8\n call 6\n exit\n");
	bpfrt_print_fn old = bpfrt_set_print(print_cb);
	uint64_t r0 = 0;

	printed[0] = 0;
	T_CHECK(p && run(p, BPFRT_ENGINE_INTERP, NULL, 0, &r0) == 0 && r0 == 2 &&
			!strcmp(printed, "ok\n"),
		"trace_printk without env->trace prints through the print callback");
	bpfrt_set_print(old);
	bpfrt_prog__free(p);
}

/* ---- ring buffers ---- */

struct rb_seen {
	int n;
	size_t size[8];
	uint64_t first[8];
};

static int rb_sample(void *ctx, void *data, size_t size)
{
	struct rb_seen *s = ctx;

	if (s->n < 8) {
		s->size[s->n] = size;
		memcpy(&s->first[s->n], data, size < 8 ? size : 8);
	}
	s->n++;
	return 0;
}

static void test_ringbuf(void)
{
	struct bpfrt_map *m = map_new(BPFRT_MAP_TYPE_RINGBUF, 0, 0, 4096, NULL);
	/*
	 * output(16 bytes of mem), reserve 8 + write + submit, reserve 8 +
	 * discard, reserve with flags (NULL), output with bad flags, then the
	 * four queries into mem.
	 */
	struct bpfrt_prog *p = m ? load_maps(
		"r9 = r1\n"
		"r1 = map_fd(0) ll\n r2 = r9\n r3 = 16\n r4 = 0\n call 130\n *(u64 *)(r9 + 16) = r0\n"
		"r1 = map_fd(0) ll\n r2 = 8\n r3 = 0\n call 131\n if r0 == 0 goto +5\n"
		"*(u64 *)(r0 + 0) = 77\n r1 = r0\n r2 = 0\n call 132\n r0 = 1\n"
		"*(u64 *)(r9 + 24) = r0\n"
		"r1 = map_fd(0) ll\n r2 = 8\n r3 = 0\n call 131\n if r0 == 0 goto +3\n"
		"r1 = r0\n r2 = 0\n call 133\n"
		"r1 = map_fd(0) ll\n r2 = 8\n r3 = 1\n call 131\n *(u64 *)(r9 + 32) = r0\n"
		"r1 = map_fd(0) ll\n r2 = r9\n r3 = 8\n r4 = 4\n call 130\n *(u64 *)(r9 + 40) = r0\n"
		"r1 = map_fd(0) ll\n r2 = 0\n call 134\n *(u64 *)(r9 + 48) = r0\n"
		"r1 = map_fd(0) ll\n r2 = 1\n call 134\n *(u64 *)(r9 + 56) = r0\n"
		"r1 = map_fd(0) ll\n r2 = 2\n call 134\n *(u64 *)(r9 + 64) = r0\n"
		"r1 = map_fd(0) ll\n r2 = 3\n call 134\n *(u64 *)(r9 + 72) = r0\n"
		"r1 = map_fd(0) ll\n r2 = 9\n call 134\n *(u64 *)(r9 + 80) = r0\n"
		"r0 = 0\n exit\n", &m, 1, false) : NULL;
	struct bpfrt_ringbuf *rb = NULL;
	struct rb_seen seen;

	if (p)
		rb = bpfrt_ringbuf__new(m, rb_sample, &seen, NULL);
	for (int e = 0; p && rb && e < BPFRT_ENGINE__COUNT; e++) {
		uint64_t mem[11] = { 0x1122334455667788ULL, 2 }, r0;

		memset(&seen, 0, sizeof(seen));
		T_CHECK(run(p, e, mem, sizeof(mem), &r0) == 0 && mem[2] == 0 && mem[3] == 1 &&
				mem[4] == 0 && mem[5] == NEG(EINVAL) && mem[6] == 24 + 16 + 16 &&
				mem[7] == 4096 && mem[9] - mem[8] == 56 && mem[10] == 0,
			"%s: ringbuf output/reserve/submit/discard and query (%lld %llu %llx %lld; avail %llu size %llu cons %llu prod %llu)",
			bpfrt_engine_name(e), (long long)mem[2], (unsigned long long)mem[3],
			(unsigned long long)mem[4], (long long)mem[5], (unsigned long long)mem[6],
			(unsigned long long)mem[7], (unsigned long long)mem[8], (unsigned long long)mem[9]);
		T_CHECK(bpfrt_ringbuf__consume(rb) == 2 && seen.n == 2 && seen.size[0] == 16 &&
				seen.first[0] == 0x1122334455667788ULL && seen.size[1] == 8 &&
				seen.first[1] == 77,
			"%s: the consumer sees the output and the submitted record, not the discarded one",
			bpfrt_engine_name(e));
	}
	bpfrt_ringbuf__free(rb);
	bpfrt_prog__free(p);
	bpfrt_map__destroy(m);
}

/* A full ring: output answers -EAGAIN, reserve NULL. */
static void test_ringbuf_full(void)
{
	struct bpfrt_map *m = map_new(BPFRT_MAP_TYPE_RINGBUF, 0, 0, 4096, NULL);
	struct bpfrt_prog *p = m ? load_maps(
		"r9 = r1\n r6 = 0\n"
		"loop:\n r1 = map_fd(0) ll\n r2 = r9\n r3 = 1000\n r4 = 0\n call 130\n"
		"if r0 != 0 goto out\n r6 += 1\n goto loop\n"
		"out:\n *(u64 *)(r9 + 0) = r0\n"
		"r1 = map_fd(0) ll\n r2 = 100\n r3 = 0\n call 131\n *(u64 *)(r9 + 8) = r0\n"
		"r0 = r6\n exit\n", &m, 1, false) : NULL;
	uint8_t mem[1000] = { 0 };
	uint64_t r0 = 0;

	T_CHECK(p && run(p, BPFRT_ENGINE_CHECKED, mem, sizeof(mem), &r0) == 0 && r0 == 4 &&
			*(uint64_t *)mem == NEG(EAGAIN),
		"ringbuf_output answers -EAGAIN when the ring is full (after %llu records)",
		(unsigned long long)r0);
	bpfrt_prog__free(p);
	bpfrt_map__destroy(m);
}

/* ---- clocks, random numbers, ids ---- */

static uint64_t fake_clock(void *ctx, enum bpfrt_clock c)
{
	return *(uint64_t *)ctx * 10 + c;
}

static void test_clocks(void)
{
	/* mem[i] = clock helper i's value. */
	struct bpfrt_prog *p = load("r9 = r1\n call 5\n *(u64 *)(r9 + 0) = r0\n call 125\n"
				    "*(u64 *)(r9 + 8) = r0\n call 160\n *(u64 *)(r9 + 16) = r0\n"
				    "call 208\n *(u64 *)(r9 + 24) = r0\n call 118\n"
				    "*(u64 *)(r9 + 32) = r0\n r0 = 0\n exit\n");
	uint64_t base = 1000;
	struct bpfrt_env env = { .sz = sizeof(env), .clock = fake_clock, .clock_ctx = &base };

	for (int e = 0; p && e < BPFRT_ENGINE__COUNT; e++) {
		uint64_t mem[5] = { 0 }, r0;
		struct timespec ts;
		uint64_t now;

		T_CHECK(run_env(p, e, mem, sizeof(mem), &env, 0, &r0, NULL) == 0 && mem[0] == 10000 &&
				mem[1] == 10001 && mem[2] == 10002 && mem[3] == 10003 && mem[4] == 10004,
			"%s: ktime_get_ns/boot/coarse/tai and jiffies64 read env->clock", bpfrt_engine_name(e));
		run(p, e, mem, sizeof(mem), &r0);
		clock_gettime(CLOCK_MONOTONIC, &ts);
		now = (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
		T_CHECK(mem[0] && mem[0] <= now && now - mem[0] < 5000000000ULL && mem[1] >= mem[0] &&
				mem[2] && mem[3] > mem[1] && mem[4] && mem[4] <= mem[2] / 4000000 + 2,
			"%s: without env->clock the host's clocks answer (jiffies at 250 Hz)",
			bpfrt_engine_name(e));
	}
	bpfrt_prog__free(p);
}

static void test_prandom_ids(void)
{
	struct bpfrt_prog *p = load("r9 = r1\n call 7\n *(u64 *)(r9 + 0) = r0\n call 7\n"
				    "*(u64 *)(r9 + 8) = r0\n call 8\n *(u64 *)(r9 + 16) = r0\n"
				    "call 42\n *(u64 *)(r9 + 24) = r0\n r0 = 0\n exit\n");
	struct bpfrt_env env = { .sz = sizeof(env), .prandom_seed = 12345, .numa_node = 3 };
	uint64_t first[2] = { 0 };

	for (int e = 0; p && e < BPFRT_ENGINE__COUNT; e++) {
		uint64_t mem[4] = { 0 }, mem2[4] = { 0 }, r0;

		run_env(p, e, mem, sizeof(mem), &env, 6, &r0, NULL);
		run_env(p, e, mem2, sizeof(mem2), &env, 6, &r0, NULL);
		if (e == 0)
			memcpy(first, mem, sizeof(first));
		T_CHECK(mem[0] != mem[1] && mem[0] <= UINT32_MAX && mem[1] <= UINT32_MAX &&
				mem[0] == mem2[0] && mem[1] == mem2[1] && mem[0] == first[0] &&
				mem[1] == first[1] && mem[2] == 6 && mem[3] == 3,
			"%s: get_prandom_u32 repeats with env->prandom_seed; smp_processor_id = opts.cpu; numa node from env",
			bpfrt_engine_name(e));
		run(p, e, mem, sizeof(mem), &r0);
		run(p, e, mem2, sizeof(mem2), &r0);
		T_CHECK(mem[0] != mem2[0] || mem[1] != mem2[1],
			"%s: unseeded runs draw different numbers", bpfrt_engine_name(e));
	}
	bpfrt_prog__free(p);
}

/* ---- the current task ---- */

static void test_task(void)
{
	/* pid_tgid, uid_gid, task, task_btf, then comm(mem + 32, mem[0]), all into mem. */
	struct bpfrt_prog *p = load("r9 = r1\n call 14\n *(u64 *)(r9 + 8) = r0\n call 15\n"
				    "*(u64 *)(r9 + 16) = r0\n call 35\n *(u64 *)(r9 + 24) = r0\n"
				    "r1 = r9\n r1 += 40\n r2 = *(u64 *)(r9 + 0)\n call 16\n"
				    "*(u64 *)(r9 + 32) = r0\n call 158\n exit\n");
	struct bpfrt_env env = { .sz = sizeof(env), .task_set = true, .pid_tgid = 0x100000002ULL,
				 .uid_gid = 0x300000004ULL, .comm = "injected-comm", .task = 0xfeed };
	char comm[16] = { 0 };

	prctl(PR_GET_NAME, comm);
	for (int e = 0; p && e < BPFRT_ENGINE__COUNT; e++) {
		struct {
			uint64_t size, pid_tgid, uid_gid, task, ret;
			char comm[24];
		} mem = { .size = 24 };
		uint64_t r0 = 0;

		memset(mem.comm, 'Z', sizeof(mem.comm));
		T_CHECK(run_env(p, e, &mem, sizeof(mem), &env, 0, &r0, NULL) == 0 && r0 == 0xfeed &&
				mem.pid_tgid == 0x100000002ULL && mem.uid_gid == 0x300000004ULL &&
				mem.task == 0xfeed && mem.ret == 0 && !strcmp(mem.comm, "injected-comm") &&
				!memcmp(mem.comm + 13, "\0\0\0\0\0\0\0\0\0\0\0", 11),
			"%s: pid_tgid, uid_gid, task, task_btf and comm (zero-padded) from env",
			bpfrt_engine_name(e));
		mem.size = 4;
		memset(mem.comm, 'Z', sizeof(mem.comm));
		T_CHECK(run_env(p, e, &mem, sizeof(mem), &env, 0, &r0, NULL) == 0 && mem.ret == 0 &&
				!memcmp(mem.comm, "inj\0ZZ", 6),
			"%s: get_current_comm cuts to size - 1 bytes and a NUL", bpfrt_engine_name(e));
		mem.size = 24;
		T_CHECK(run(p, e, &mem, sizeof(mem), &r0) == 0 && r0 == 0 &&
				mem.pid_tgid == ((uint64_t)getpid() << 32 | (uint32_t)syscall(SYS_gettid)) &&
				mem.uid_gid == ((uint64_t)getgid() << 32 | getuid()) && mem.task == 0 &&
				!strcmp(mem.comm, comm),
			"%s: without env: the calling thread's ids and comm (\"%s\"), task 0",
			bpfrt_engine_name(e), mem.comm);
	}
	bpfrt_prog__free(p);
}

/* An env from an older caller (shorter sz): the fields it lacks read as defaults. */
static void test_short_env(void)
{
	struct bpfrt_prog *p = load("call 42\n exit\n");
	struct bpfrt_env env = { .sz = offsetof(struct bpfrt_env, func_ip), .numa_node = 9 };
	uint64_t r0 = 1;

	T_CHECK(p && run_env(p, BPFRT_ENGINE_CHECKED, NULL, 0, &env, 0, &r0, NULL) == 0 && r0 == 0,
		"fields past env->sz are not read (numa node 0, not 9)");
	bpfrt_prog__free(p);
}

/* ---- probe_read* ---- */

static void test_probe_read(void)
{
	static const char secret[] = "kernel-data";
	struct bpfrt_region region = { "kmem", (void *)secret, sizeof(secret), false };
	struct bpfrt_env env = { .sz = sizeof(env), .probe_regions = &region, .probe_region_cnt = 1 };
	/* helper(mem + 24, mem[0], mem[1]) -> mem[2]. */
	static const char text[] = "r9 = r1\n r1 = r9\n r1 += 24\n r2 = *(u64 *)(r9 + 0)\n"
				   "r3 = *(u64 *)(r9 + 8)\n call %d\n *(u64 *)(r9 + 16) = r0\n exit\n";
	static const int plain[] = { 4, 113, 112 }, str[] = { 45, 115, 114 };

	for (int k = 0; k < 6; k++) {
		int id = k < 3 ? plain[k] : str[k - 3];
		bool is_str = k >= 3;
		char buf[sizeof(text) + 8];
		struct bpfrt_prog *p;

		snprintf(buf, sizeof(buf), text, id);
		p = load(buf);
		for (int e = 0; p && e < BPFRT_ENGINE__COUNT; e++) {
			struct {
				uint64_t size, src, ret;
				char dst[32];
			} mem;
			uint64_t src = (uint64_t)(uintptr_t)secret;
			unsigned int bad = 0;
			uint64_t r0 = 0;

#define PROBE(sz, from, want_ret, want_dst, want_n)                                                   \
	do {                                                                                          \
		memset(&mem, 'Z', sizeof(mem));                                                       \
		mem.size = (sz);                                                                      \
		mem.src = (from);                                                                     \
		if (run_env(p, e, &mem, sizeof(mem), &env, 0, &r0, NULL) || mem.ret != (uint64_t)(want_ret) || \
		    memcmp(mem.dst, (want_dst), (want_n))) {                                          \
			if (!bad++)                                                                   \
				t_fail("%s: helper %d(%u, +%lld): %lld", bpfrt_engine_name(e), id,    \
				       (unsigned)(sz), (long long)((from) - src), (long long)mem.ret); \
		}                                                                                     \
	} while (0)
			if (!is_str) {
				PROBE(6, src, 0, "kernel", 6);
				PROBE(12, src, 0, "kernel-data", 12);
				PROBE(13, src, NEG(EFAULT), "\0\0\0\0\0\0\0\0\0\0\0\0\0", 13);
				PROBE(4, src + 10, NEG(EFAULT), "\0\0\0\0Z", 5);
				PROBE(4, (uint64_t)(uintptr_t)mem.dst, NEG(EFAULT), "\0\0\0\0", 4);
				PROBE(0, 0, 0, "ZZ", 2);
			} else {
				PROBE(32, src, 12, "kernel-data", 12);
				PROBE(7, src, 7, "kernel\0Z", 8);
				PROBE(1, src, 1, "\0Z", 2);
				PROBE(32, src + 7, 5, "data", 5);
				PROBE(8, src + 20, NEG(EFAULT), "\0\0\0\0\0\0\0\0Z", 9);
				PROBE(0, src, 0, "Z", 1);
			}
#undef PROBE
			if (!bad)
				t_pass("%s: helper %d reads env->probe_regions only; outside: -EFAULT, dst zeroed%s",
				       bpfrt_engine_name(e), id, is_str ? "; length with NUL, cut at size" : "");
		}
		bpfrt_prog__free(p);
	}
}

/* ---- get_func_ip, get_attach_cookie, spin locks ---- */

static void test_attach_info(void)
{
	struct bpfrt_prog *p = load("r9 = r1\n call 173\n *(u64 *)(r9 + 0) = r0\n r1 = r9\n"
				    "call 174\n exit\n");
	struct bpfrt_env env = { .sz = sizeof(env), .func_ip = 0xffffffff81000000ULL,
				 .attach_cookie = 0xc00c1e };

	for (int e = 0; p && e < BPFRT_ENGINE__COUNT; e++) {
		uint64_t mem[1] = { 0 }, r0 = 0;

		T_CHECK(run_env(p, e, mem, sizeof(mem), &env, 0, &r0, NULL) == 0 &&
				mem[0] == 0xffffffff81000000ULL && r0 == 0xc00c1e,
			"%s: get_func_ip and get_attach_cookie report env's values", bpfrt_engine_name(e));
	}
	bpfrt_prog__free(p);
}

static void test_spin_lock(void)
{
	struct bpfrt_map_create_opts mo = { .sz = sizeof(mo), .value_has_spin_lock = true,
					    .btf_value_spin_lock_off = 0 };
	struct bpfrt_map *m = map_new(BPFRT_MAP_TYPE_ARRAY, 4, 16, 1, &mo);
	/* Under the value's lock: value.count += 1; returns the lock word seen while held. */
	struct bpfrt_prog *p = m ? load_maps(
		"*(u32 *)(r10 - 4) = 0\n r1 = map_fd(0) ll\n r2 = r10\n r2 += -4\n call 1\n"
		"if r0 == 0 goto +10\n r6 = r0\n r1 = r6\n call 93\n r7 = *(u32 *)(r6 + 0)\n"
		"r1 = *(u64 *)(r6 + 8)\n r1 += 1\n *(u64 *)(r6 + 8) = r1\n r1 = r6\n call 94\n"
		"r0 = r7\n exit\n", &m, 1, false) : NULL;

	for (int e = 0; p && e < BPFRT_ENGINE__COUNT; e++) {
		uint64_t r0 = 0, v[2] = { 0 };
		uint32_t k = 0;

		T_CHECK(run(p, e, NULL, 0, &r0) == 0 && r0 == 1 &&
				bpfrt_map__lookup_elem(m, &k, 4, v, 16, 0) == 0 && v[1] == (uint64_t)e + 1,
			"%s: spin_lock holds the value's lock word, spin_unlock releases it (count %llu)",
			bpfrt_engine_name(e), (unsigned long long)v[1]);
	}
	bpfrt_prog__free(p);
	bpfrt_map__destroy(m);
}

/* ---- maps of other branches' types: queue/stack, for_each, prog_array, perf_event_array ---- */

/* A map of `type`, or NULL with a SKIP when bpfrt does not have that type (yet). */
static struct bpfrt_map *map_or_skip(enum bpfrt_map_type type, uint32_t ks, uint32_t vs, uint32_t n,
				     const char *what)
{
	struct bpfrt_map *m = bpfrt_map__create(type, ks, vs, n, NULL);

	if (!m && (errno == ENOTSUPP_ || errno == EOPNOTSUPP))
		t_skip("%s: bpfrt has no map type %d yet", what, type);
	else if (!m)
		t_fail("%s: create map type %d: %s", what, type, strerror(errno));
	return m;
}

/*
 * push 10, 20, 30, 40 (full: -E2BIG), 40 with BPF_EXIST (drops the oldest),
 * peek, pop x4 (the last -ENOENT) into mem[0..9], popped values into
 * mem[10..13].
 */
static const char queue_prog[] =
	"r9 = r1\n"
	"*(u64 *)(r10 - 8) = 10\n r1 = map_fd(0) ll\n r2 = r10\n r2 += -8\n r3 = 0\n call 87\n *(u64 *)(r9 + 0) = r0\n"
	"*(u64 *)(r10 - 8) = 20\n r1 = map_fd(0) ll\n r2 = r10\n r2 += -8\n r3 = 0\n call 87\n *(u64 *)(r9 + 8) = r0\n"
	"*(u64 *)(r10 - 8) = 30\n r1 = map_fd(0) ll\n r2 = r10\n r2 += -8\n r3 = 0\n call 87\n *(u64 *)(r9 + 16) = r0\n"
	"*(u64 *)(r10 - 8) = 40\n r1 = map_fd(0) ll\n r2 = r10\n r2 += -8\n r3 = 0\n call 87\n *(u64 *)(r9 + 24) = r0\n"
	"r1 = map_fd(0) ll\n r2 = r10\n r2 += -8\n r3 = 2\n call 87\n *(u64 *)(r9 + 32) = r0\n"
	"r1 = map_fd(0) ll\n r2 = r9\n r2 += 80\n call 89\n *(u64 *)(r9 + 40) = r0\n"
	"r1 = map_fd(0) ll\n r2 = r9\n r2 += 88\n call 88\n *(u64 *)(r9 + 48) = r0\n"
	"r1 = map_fd(0) ll\n r2 = r9\n r2 += 96\n call 88\n *(u64 *)(r9 + 56) = r0\n"
	"r1 = map_fd(0) ll\n r2 = r9\n r2 += 104\n call 88\n *(u64 *)(r9 + 64) = r0\n"
	"r1 = map_fd(0) ll\n r2 = r9\n r2 += 112\n call 88\n *(u64 *)(r9 + 72) = r0\n"
	"r0 = 0\n exit\n";

static void test_queue_stack(void)
{
	for (int k = 0; k < 2; k++) {
		enum bpfrt_map_type type = k ? BPFRT_MAP_TYPE_STACK : BPFRT_MAP_TYPE_QUEUE;
		struct bpfrt_map *m = map_or_skip(type, 0, 8, 3, "push/pop/peek");
		struct bpfrt_prog *p = m ? load_maps(queue_prog, &m, 1, false) : NULL;

		for (int e = 0; p && e < BPFRT_ENGINE__COUNT; e++) {
			uint64_t mem[15] = { 0 }, r0, v;
			/* Queue: 20 30 40 oldest first; stack: 40 30 20 newest first. */
			uint64_t want[4] = { k ? 40 : 20, k ? 40 : 20, 30, k ? 20 : 40 };

			if (run(p, e, mem, sizeof(mem), &r0) == 0 && mem[0] == NEG(ENOTSUPP_)) {
				t_skip("%s: the map type has no push yet", bpfrt_engine_name(e));
				break;
			}
			T_CHECK(mem[0] == 0 && mem[1] == 0 && mem[2] == 0 && mem[3] == NEG(E2BIG) &&
					mem[4] == 0 && mem[5] == 0 && mem[6] == 0 && mem[7] == 0 &&
					mem[8] == 0 && mem[9] == NEG(ENOENT) && mem[10] == want[0] &&
					mem[11] == want[1] && mem[12] == want[2] && mem[13] == want[3] &&
					bpfrt_map__lookup_elem(m, NULL, 0, &v, 8, 0) == -ENOENT,
				"%s: %s push (full: -E2BIG, BPF_EXIST drops the %s), peek, pop (%llu %llu %llu %llu), empty: -ENOENT",
				bpfrt_engine_name(e), k ? "stack" : "queue", k ? "bottom" : "oldest",
				(unsigned long long)mem[10], (unsigned long long)mem[11],
				(unsigned long long)mem[12], (unsigned long long)mem[13]);
		}
		bpfrt_prog__free(p);
		bpfrt_map__destroy(m);
	}
}

/*
 * for_each_map_elem(map, cb, &ctx, flags): ctx = { sum, stop }; cb adds
 * key * 1000 + value to sum, adds 1 to the value, returns 1 at key == stop.
 * mem: flags, stop, r0, sum.
 */
static const char for_each_prog[] =
	"r9 = r1\n *(u64 *)(r10 - 16) = 0\n r1 = *(u64 *)(r9 + 8)\n *(u64 *)(r10 - 8) = r1\n"
	"r1 = map_fd(0) ll\n r2 = func(cb) ll\n r3 = r10\n r3 += -16\n r4 = *(u64 *)(r9 + 0)\n"
	"call 164\n *(u64 *)(r9 + 16) = r0\n r1 = *(u64 *)(r10 - 16)\n *(u64 *)(r9 + 24) = r1\n"
	"r0 = 0\n exit\n"
	"cb:\n r6 = *(u32 *)(r2 + 0)\n r7 = r6\n r6 *= 1000\n r8 = *(u64 *)(r3 + 0)\n r6 += r8\n"
	"r8 += 1\n *(u64 *)(r3 + 0) = r8\n r8 = *(u64 *)(r4 + 0)\n r8 += r6\n *(u64 *)(r4 + 0) = r8\n"
	"r0 = 0\n r8 = *(u64 *)(r4 + 8)\n if r7 != r8 goto +1\n r0 = 1\n exit\n";

static void test_for_each(void)
{
	for (int k = 0; k < 2; k++) {
		enum bpfrt_map_type type = k ? BPFRT_MAP_TYPE_HASH : BPFRT_MAP_TYPE_ARRAY;
		struct bpfrt_map *m = map_new(type, 4, 8, 4, NULL);
		struct bpfrt_prog *p = m ? load_maps(for_each_prog, &m, 1, false) : NULL;

		for (int e = 0; p && e < BPFRT_ENGINE__COUNT; e++) {
			uint64_t mem[4] = { 0, 99, 0, 0 }, r0, v[4];
			bool vals_ok = true;

			for (uint32_t key = 0; key < 4; key++) {
				uint64_t val = key + 1;

				bpfrt_map__update_elem(m, &key, 4, &val, 8, 0);
			}
			if (run(p, e, mem, sizeof(mem), &r0) == 0 && mem[2] == NEG(ENOTSUPP_)) {
				t_skip("%s: the map type has no for_each yet", bpfrt_engine_name(e));
				break;
			}
			for (uint32_t key = 0; key < 4; key++)
				vals_ok &= bpfrt_map__lookup_elem(m, &key, 4, &v[key], 8, 0) == 0 &&
					   v[key] == key + 2;
			T_CHECK(r0 == 0 && mem[2] == 4 && mem[3] == 6000 + 10 && vals_ok,
				"%s: for_each_map_elem over a%s %s: callback(map, key, value, ctx) for each, values writable (%lld, sum %llu)",
				bpfrt_engine_name(e), k ? "" : "n", k ? "hash" : "array",
				(long long)mem[2], (unsigned long long)mem[3]);
			if (!k) {
				uint64_t mem2[4] = { 0, 1, 0, 0 }, mem3[4] = { 1, 99, 0, 0 };

				run(p, e, mem2, sizeof(mem2), &r0);
				run(p, e, mem3, sizeof(mem3), &r0);
				T_CHECK(mem2[2] == 2 && mem2[3] == (0 + 2) + (1000 + 3) &&
						mem3[2] == NEG(EINVAL),
					"%s: the walk stops when the callback returns 1 (counted); flags: -EINVAL",
					bpfrt_engine_name(e));
			}
		}
		bpfrt_prog__free(p);
		bpfrt_map__destroy(m);
	}
}

/*
 * Tail calls. The caller: mem[0] += 1, then tail_call(ctx, pa, mem[1]),
 * then (falling through) r0 = 1000 + mem[0]. The target: r0 = 77.
 */
static void test_tail_call(void)
{
	struct bpfrt_map *pa = map_or_skip(BPFRT_MAP_TYPE_PROG_ARRAY, 4, 4, 4, "tail_call");
	struct bpfrt_prog *caller = pa ? load_maps(
		"r6 = r1\n r2 = *(u64 *)(r6 + 0)\n r2 += 1\n *(u64 *)(r6 + 0) = r2\n"
		"r1 = r6\n r2 = map_fd(0) ll\n r3 = *(u64 *)(r6 + 8)\n call 12\n"
		"r0 = *(u64 *)(r6 + 0)\n r0 += 1000\n exit\n", &pa, 1, false) : NULL;
	struct bpfrt_prog *target = pa ? load("r0 = 77\n exit\n") : NULL;
	uint32_t idx, id;

	if (!caller || !target)
		goto out;
	idx = 2;
	id = bpfrt_prog__id(target);
	if (bpfrt_map__update_elem(pa, &idx, 4, &id, 4, 0)) {
		t_fail("tail_call: storing the target in the prog array: %s", strerror(errno));
		goto out;
	}
	idx = 0;
	id = bpfrt_prog__id(caller);
	bpfrt_map__update_elem(pa, &idx, 4, &id, 4, 0);
	for (int e = 0; e < BPFRT_ENGINE__COUNT; e++) {
		uint64_t mem[2] = { 0, 2 }, r0 = 0;

		T_CHECK(run(caller, e, mem, sizeof(mem), &r0) == 0 && r0 == 77 && mem[0] == 1,
			"%s: tail_call continues with the slot's program (%llu)", bpfrt_engine_name(e),
			(unsigned long long)r0);
		mem[0] = 0, mem[1] = 1;
		T_CHECK(run(caller, e, mem, sizeof(mem), &r0) == 0 && r0 == 1001,
			"%s: an empty slot falls through", bpfrt_engine_name(e));
		mem[0] = 0, mem[1] = 4;
		T_CHECK(run(caller, e, mem, sizeof(mem), &r0) == 0 && r0 == 1001,
			"%s: an index past the end falls through", bpfrt_engine_name(e));
		mem[0] = 0, mem[1] = 0;
		T_CHECK(run(caller, e, mem, sizeof(mem), &r0) == 0 && mem[0] == 34 && r0 == 1034,
			"%s: a program tail-calling itself runs 1 + 33 times (%llu)", bpfrt_engine_name(e),
			(unsigned long long)mem[0]);
	}
	{
		/* 40 tail calls to the empty slot 1 do not count: the one to slot 2 still works. */
		struct bpfrt_prog *empties = load_maps(
			"r6 = r1\n r7 = 0\n loop:\n if r7 >= 40 goto done\n r1 = r6\n r2 = map_fd(0) ll\n"
			"r3 = 1\n call 12\n r7 += 1\n goto loop\n done:\n r1 = r6\n r2 = map_fd(0) ll\n"
			"r3 = 2\n call 12\n r0 = 1\n exit\n", &pa, 1, false);

		for (int e = 0; empties && e < BPFRT_ENGINE__COUNT; e++) {
			uint64_t r0 = 0;

			T_CHECK(run(empties, e, NULL, 0, &r0) == 0 && r0 == 77,
				"%s: tail calls to an empty slot do not count against the 33",
				bpfrt_engine_name(e));
		}
		bpfrt_prog__free(empties);
	}
	bpfrt_map__delete_elem(pa, &idx, 4, 0); /* the caller's slot holds a reference on it */
out:
	bpfrt_prog__free(caller);
	bpfrt_prog__free(target);
	bpfrt_map__destroy(pa);
}

struct perf_seen {
	int n, cpu[4];
	uint32_t size[4];
	uint64_t first[4];
};

static void perf_sample(void *ctx, int cpu, void *data, uint32_t size)
{
	struct perf_seen *s = ctx;

	if (s->n < 4) {
		s->cpu[s->n] = cpu;
		s->size[s->n] = size;
		memcpy(&s->first[s->n], data, 8);
	}
	s->n++;
}

static void test_perf_event_output(void)
{
	struct bpfrt_map *m = map_or_skip(BPFRT_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, 4, "perf_event_output");
	/* perf_event_output(ctx, map, mem[0], mem + 8, 16) -> mem[3]. */
	struct bpfrt_prog *p = m ? load_maps("r6 = r1\n r2 = map_fd(0) ll\n r3 = *(u64 *)(r6 + 0)\n"
					     "r4 = r6\n r4 += 8\n r5 = 16\n call 25\n"
					     "*(u64 *)(r6 + 24) = r0\n r0 = 0\n exit\n", &m, 1, true)
				 : NULL;
	/* Rings in slots 0 .. min(possible CPUs, 4) - 1: at least 0 and 1 on SMP hosts. */
	struct bpfrt_perf_buffer_opts po = { .sz = sizeof(po), .cpu_cnt = 4 };
	struct bpfrt_perf_buffer *pb = NULL;
	struct perf_seen seen;

	po.ctx = &seen;
	if (p)
		pb = bpfrt_perf_buffer__new(m, 1, perf_sample, &po);
	if (p && !pb)
		t_fail("perf buffer: %s", strerror(errno));
	for (int e = 0; pb && e < BPFRT_ENGINE__COUNT; e++) {
		uint64_t a[4] = { 0xffffffffULL, 0xabc, 0, 0 }, b[4] = { 0, 0xdef, 0, 0 };
		uint64_t c[4] = { 7, 0, 0, 0 }, d[4] = { 1ULL << 32, 0, 0, 0 };

		memset(&seen, 0, sizeof(seen));
		run_env(p, e, a, sizeof(a), NULL, 1, NULL, NULL);
		run_env(p, e, b, sizeof(b), NULL, 1, NULL, NULL);
		run_env(p, e, c, sizeof(c), NULL, 1, NULL, NULL);
		run_env(p, e, d, sizeof(d), NULL, 1, NULL, NULL);
		T_CHECK(a[3] == 0 && b[3] == 0 && c[3] == NEG(E2BIG) && d[3] == NEG(EINVAL) &&
				bpfrt_perf_buffer__consume(pb) == 2 && seen.n == 2 &&
				((seen.cpu[0] == 1 && seen.first[0] == 0xabc && seen.cpu[1] == 0 &&
				  seen.first[1] == 0xdef) ||
				 (seen.cpu[0] == 0 && seen.first[0] == 0xdef && seen.cpu[1] == 1 &&
				  seen.first[1] == 0xabc)) &&
				seen.size[0] >= 16,
			"%s: perf_event_output to the run's worker (BPF_F_CURRENT_CPU) and to slot 0; -E2BIG past the slots, -EINVAL for flags (%lld %lld %lld %lld, %d samples)",
			bpfrt_engine_name(e), (long long)a[3], (long long)b[3], (long long)c[3],
			(long long)d[3], seen.n);
	}
	bpfrt_perf_buffer__free(pb);
	bpfrt_prog__free(p);
	bpfrt_map__destroy(m);
}

/*
 * Without registering anything: an UNSPEC program gets the kernel's base
 * helpers from its program type, GPL-only ones only when GPL, and not the
 * tracing ones.
 */
static void test_binding(void)
{
	struct bpfrt_vm *bare = bpfrt_vm__new();
	char log[256];
	struct bpfrt_load_opts lo = { .sz = sizeof(lo), .gpl = true, .log_buf = log,
				      .log_size = sizeof(log) };
	struct bpfrt_insn ktime[] = { BPFRT_CALL_HELPER(5), BPFRT_EXIT_INSN() };
	struct bpfrt_insn printk[] = { BPFRT_MOV64_REG(1, 10), BPFRT_ALU64_IMM(BPFRT_ADD, 1, -8),
				       BPFRT_ST_MEM(BPFRT_DW, 10, -8, 0), BPFRT_MOV64_IMM(2, 8),
				       BPFRT_CALL_HELPER(6), BPFRT_EXIT_INSN() };
	struct bpfrt_insn comm[] = { BPFRT_CALL_HELPER(16), BPFRT_EXIT_INSN() };
	struct bpfrt_prog *p;

	if (!bare)
		return;
	p = bpfrt_prog__load(bare, ktime, ARRAY_SIZE(ktime), &lo);
	if (!p) {
		t_skip("programs do not get kernel helpers from their type yet (%s)", strerror(errno));
		bpfrt_vm__free(bare);
		return;
	}
	{
		struct bpfrt_run_opts o = { .sz = sizeof(o) };

		T_CHECK(bpfrt_prog__run(p, &o) == 0 && o.retval > 0,
			"an UNSPEC program calls ktime_get_ns without registering it");
	}
	bpfrt_prog__free(p);
	p = bpfrt_prog__load(bare, printk, ARRAY_SIZE(printk), &lo);
	T_CHECK(p != NULL, "GPL programs get trace_printk");
	bpfrt_prog__free(p);
	lo.gpl = false;
	p = bpfrt_prog__load(bare, printk, ARRAY_SIZE(printk), &lo);
	T_CHECK(p == NULL, "non-GPL programs do not get trace_printk (GPL-only)");
	bpfrt_prog__free(p);
	lo.gpl = true;
	p = bpfrt_prog__load(bare, comm, ARRAY_SIZE(comm), &lo);
	T_CHECK(p == NULL, "UNSPEC programs do not get get_current_comm (tracing only)");
	bpfrt_prog__free(p);
	bpfrt_vm__free(bare);
}

int main(void)
{
	vm = bpfrt_vm__new();
	if (!vm) {
		t_fail("vm");
		return t_exit();
	}
	/* The kernel helpers by prototype, as program types bind them. */
	for (uint32_t id = 1; id < 300; id++)
		if (bpfrt_kernel_helper(id))
			bpfrt_vm__add_helper(vm, id, bpfrt_kernel_helper(id));
	test_table();
	test_binding();
	test_map_elem();
	test_percpu();
	test_loop();
	test_strtox();
	test_strncmp();
	test_snprintf();
	test_snprintf_guards();
	test_trace_printk();
	test_trace_print_callback();
	test_ringbuf();
	test_ringbuf_full();
	test_clocks();
	test_prandom_ids();
	test_task();
	test_short_env();
	test_probe_read();
	test_attach_info();
	test_spin_lock();
	test_queue_stack();
	test_for_each();
	test_tail_call();
	test_perf_event_output();
	bpfrt_vm__free(vm);
	return t_exit();
}
