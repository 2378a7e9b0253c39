/* SPDX-License-Identifier: MIT */
/*
 * src/helpers/misc.c - the helpers that need neither maps nor the task:
 * clocks, random numbers, cpu and numa ids, the string helpers (strncmp,
 * strtol, strtoul), bpf_loop, bpf_tail_call, spin locks, get_func_ip and
 * get_attach_cookie.
 */
#include <errno.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "helpers/helpers_int.h"
#include "maps/map.h"

#define NO_ARGS { BPFRT_ARG_NONE }

/* ---- clocks ---- */

static uint64_t host_ns(clockid_t id)
{
	struct timespec ts;

	if (clock_gettime(id, &ts))
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* The kernel's HZ for jiffies64 when the host's clock stands in. */
#define HOST_HZ 250

static uint64_t env_clock(struct bpfrt_run *run, enum bpfrt_clock which)
{
	const struct bpfrt_env *env = helpers_env(run);
	uint64_t (*clock)(void *, enum bpfrt_clock) = HELPERS_ENV(env, clock);

	if (clock)
		return clock(HELPERS_ENV(env, clock_ctx), which);
	switch (which) {
	case BPFRT_CLOCK_BOOTTIME:
		return host_ns(CLOCK_BOOTTIME);
	case BPFRT_CLOCK_MONOTONIC_COARSE:
		return host_ns(CLOCK_MONOTONIC_COARSE);
	case BPFRT_CLOCK_TAI:
		return host_ns(CLOCK_TAI);
	case BPFRT_CLOCK_JIFFIES:
		return host_ns(CLOCK_MONOTONIC_COARSE) / (1000000000ULL / HOST_HZ);
	case BPFRT_CLOCK_MONOTONIC:
	default:
		return host_ns(CLOCK_MONOTONIC);
	}
}

#define CLOCK_HELPER(name_, which)                                        \
	HELPER_FN(name_)                                                  \
	{                                                                 \
		HELPER_UNUSED();                                          \
		return env_clock(run, which);                             \
	}                                                                 \
	const struct bpfrt_helper_proto helper_##name_##_proto = {        \
		.name = #name_,                                           \
		.fn = h_##name_,                                              \
		.ret = BPFRT_RET_INTEGER,                                 \
		.args = NO_ARGS,                                          \
	};

CLOCK_HELPER(ktime_get_ns, BPFRT_CLOCK_MONOTONIC)
CLOCK_HELPER(ktime_get_boot_ns, BPFRT_CLOCK_BOOTTIME)
CLOCK_HELPER(ktime_get_coarse_ns, BPFRT_CLOCK_MONOTONIC_COARSE)
CLOCK_HELPER(ktime_get_tai_ns, BPFRT_CLOCK_TAI)
CLOCK_HELPER(jiffies64, BPFRT_CLOCK_JIFFIES)
#undef CLOCK_HELPER

/* ---- random numbers, cpu, numa node ---- */

/*
 * bpf_get_prandom_u32(): splitmix64 on the run's state (run->rnd), seeded
 * at the first call from env->prandom_seed or getrandom(). With a seed
 * every run draws the same sequence.
 */
HELPER_FN(get_prandom_u32)
{
	uint64_t z;

	HELPER_UNUSED();
	if (!run->rnd) {
		uint64_t seed = HELPERS_ENV(helpers_env(run), prandom_seed);

		if (!seed && getrandom(&seed, sizeof(seed), GRND_NONBLOCK) != sizeof(seed))
			seed = host_ns(CLOCK_MONOTONIC) ^ (uint64_t)(uintptr_t)run;
		run->rnd = seed ? seed : 1;
	}
	run->rnd += 0x9e3779b97f4a7c15ULL;
	z = run->rnd;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	return (uint32_t)(z >> 32);
}

const struct bpfrt_helper_proto helper_get_prandom_u32_proto = {
	.name = "get_prandom_u32",
	.fn = h_get_prandom_u32,
	.ret = BPFRT_RET_INTEGER,
	.args = NO_ARGS,
};

HELPER_FN(get_smp_processor_id)
{
	HELPER_UNUSED();
	return run->cpu;
}

const struct bpfrt_helper_proto helper_get_smp_processor_id_proto = {
	.name = "get_smp_processor_id",
	.fn = h_get_smp_processor_id,
	.ret = BPFRT_RET_INTEGER,
	.args = NO_ARGS,
};

HELPER_FN(get_numa_node_id)
{
	HELPER_UNUSED();
	return HELPERS_ENV(helpers_env(run), numa_node);
}

const struct bpfrt_helper_proto helper_get_numa_node_id_proto = {
	.name = "get_numa_node_id",
	.fn = h_get_numa_node_id,
	.ret = BPFRT_RET_INTEGER,
	.args = NO_ARGS,
};

/* ---- strings ---- */

/* bpf_strncmp(s1, s1_sz, s2): the kernel's strncmp(), which answers -1, 0 or 1. */
HELPER_FN(strncmp)
{
	const unsigned char *s1 = HELPER_PTR(r1), *s2 = HELPER_PTR(r3);

	HELPER_UNUSED();
	for (uint32_t n = (uint32_t)r2; n; n--, s1++, s2++) {
		if (*s1 != *s2)
			return *s1 < *s2 ? HELPER_ERR(1) : 1;
		if (!*s1)
			break;
	}
	return 0;
}

const struct bpfrt_helper_proto helper_strncmp_proto = {
	.name = "strncmp",
	.fn = h_strncmp,
	.ret = BPFRT_RET_INTEGER,
	.args = { BPFRT_ARG_PTR_TO_MEM, BPFRT_ARG_CONST_SIZE, BPFRT_ARG_PTR_TO_CONST_STR },
};

/* BPF_STRTOX_BASE_MASK: the flags of strtol/strtoul are the base. */
#define STRTOX_BASE_MASK 0x1f
/* KSTRTOX_OVERFLOW of lib/kstrtox.h. */
#define PARSE_OVERFLOW (1U << 31)

/*
 * lib/kstrtox.c _parse_integer_fixup_radix() and _parse_integer(): the
 * number of digits taken (with PARSE_OVERFLOW when the value wrapped).
 */
static const char *fixup_radix(const char *s, unsigned int *base)
{
	if (*base == 0) {
		if (s[0] == '0') {
			if ((s[1] | 0x20) == 'x' && kc_isxdigit((unsigned char)s[2]))
				*base = 16;
			else
				*base = 8;
		} else {
			*base = 10;
		}
	}
	if (*base == 16 && s[0] == '0' && (s[1] | 0x20) == 'x')
		s += 2;
	return s;
}

static unsigned int parse_integer(const char *s, unsigned int base, uint64_t *p)
{
	uint64_t res = 0;
	unsigned int rv = 0;

	for (;; s++) {
		unsigned int c = (unsigned char)*s, lc = c | 0x20, val;

		if (c >= '0' && c <= '9')
			val = c - '0';
		else if (lc >= 'a' && lc <= 'f')
			val = lc - 'a' + 10;
		else
			break;
		if (val >= base)
			break;
		/* Overflow is possible only within 4 bits of the top (base <= 16). */
		if (res & (~0ULL << 60)) {
			if (res > (UINT64_MAX - val) / base)
				rv |= PARSE_OVERFLOW;
		}
		res = res * base + val;
		rv++;
	}
	*p = res;
	return rv;
}

/*
 * __bpf_strtoull(): leading whitespace, one '-', then at most 63
 * characters parsed in the base of flags (0: by prefix). Returns the
 * characters consumed, or -EINVAL / -ERANGE.
 */
static long strtoull_(const char *buf, size_t buf_len, uint64_t flags, uint64_t *res, bool *neg)
{
	unsigned int base = flags & STRTOX_BASE_MASK, val_len;
	const char *cur = buf;
	size_t cur_len, consumed;
	char str[64];

	if (!buf || !buf_len)
		return -EINVAL;
	if (base != 0 && base != 8 && base != 10 && base != 16)
		return -EINVAL;
	if (flags & ~(uint64_t)STRTOX_BASE_MASK)
		return -EINVAL;
	while (cur < buf + buf_len && kc_isspace((unsigned char)*cur))
		cur++;
	*neg = cur < buf + buf_len && *cur == '-';
	if (*neg)
		cur++;
	consumed = (size_t)(cur - buf);
	cur_len = buf_len - consumed;
	if (!cur_len)
		return -EINVAL;
	if (cur_len > sizeof(str) - 1)
		cur_len = sizeof(str) - 1;
	memcpy(str, cur, cur_len);
	str[cur_len] = 0;
	cur = fixup_radix(str, &base);
	val_len = parse_integer(cur, base, res);
	if (val_len & PARSE_OVERFLOW)
		return -ERANGE;
	if (val_len == 0)
		return -EINVAL;
	cur += val_len;
	return (long)(consumed + (size_t)(cur - str));
}

/* bpf_strtol(buf, buf_len, flags, res): *res = 0 unless a number was read. */
HELPER_FN(strtol)
{
	int64_t *res = HELPER_PTR(r4);
	uint64_t v;
	bool neg;
	long n;

	HELPER_UNUSED();
	*res = 0;
	n = strtoull_(HELPER_PTR(r1), (size_t)r2, r3, &v, &neg);
	if (n < 0)
		return (uint64_t)(int64_t)n;
	if (neg) {
		if ((int64_t)-v > 0)
			return HELPER_ERR(ERANGE);
		*res = (int64_t)-v;
	} else {
		if ((int64_t)v < 0)
			return HELPER_ERR(ERANGE);
		*res = (int64_t)v;
	}
	return (uint64_t)n;
}

HELPER_FN(strtoul)
{
	uint64_t *res = HELPER_PTR(r4), v;
	bool neg;
	long n;

	HELPER_UNUSED();
	*res = 0;
	n = strtoull_(HELPER_PTR(r1), (size_t)r2, r3, &v, &neg);
	if (n < 0)
		return (uint64_t)(int64_t)n;
	if (neg)
		return HELPER_ERR(EINVAL);
	*res = v;
	return (uint64_t)n;
}

#define STRTOX_ARGS \
	{ BPFRT_ARG_PTR_TO_MEM, BPFRT_ARG_CONST_SIZE, BPFRT_ARG_ANYTHING, BPFRT_ARG_PTR_TO_LONG }

const struct bpfrt_helper_proto helper_strtol_proto = {
	.name = "strtol",
	.fn = h_strtol,
	.ret = BPFRT_RET_INTEGER,
	.args = STRTOX_ARGS,
};

const struct bpfrt_helper_proto helper_strtoul_proto = {
	.name = "strtoul",
	.fn = h_strtoul,
	.ret = BPFRT_RET_INTEGER,
	.args = STRTOX_ARGS,
};
#undef STRTOX_ARGS

/* ---- bpf_loop ---- */

/* The kernel's BPF_MAX_LOOPS. */
#define MAX_LOOPS (1U << 23)

/*
 * bpf_loop(nr_loops, callback, ctx, flags): callback(i, ctx) for i = 0..
 * until it returns non-zero. Returns the calls made; -EINVAL for flags,
 * -E2BIG for more than MAX_LOOPS.
 */
HELPER_FN(loop)
{
	uint32_t nr = (uint32_t)r1, i;

	HELPER_UNUSED();
	if (r4)
		return HELPER_ERR(EINVAL);
	if (nr > MAX_LOOPS)
		return HELPER_ERR(E2BIG);
	for (i = 0; i < nr; i++) {
		uint64_t ret;

		if (bpfrt_run__call(run, r2, i, r3, 0, 0, 0, &ret))
			return 0; /* the run faulted: it ends with the fault */
		if (ret)
			return (uint64_t)i + 1;
	}
	return i;
}

const struct bpfrt_helper_proto helper_loop_proto = {
	.name = "loop",
	.fn = h_loop,
	.ret = BPFRT_RET_INTEGER,
	.args = { BPFRT_ARG_ANYTHING, BPFRT_ARG_PTR_TO_FUNC, BPFRT_ARG_PTR_TO_STACK_OR_NULL,
		  BPFRT_ARG_ANYTHING },
};

/* ---- bpf_tail_call ---- */

/*
 * bpf_tail_call(ctx, prog_array, index), as the kernel's JITs do it (and
 * its interpreter since it was fixed to agree): an index out of range, a
 * run that made EXEC_MAX_TAIL_CALLS tail calls already, or an empty slot
 * (which does not count) fall through to the next instruction; otherwise
 * the count goes up and the engine continues with run->tail_prog (in the
 * calling function's place, r1 = ctx) once the helper returns. r0 is
 * undefined for the program (RET_VOID); here it is 0, or -E2BIG / -ELOOP /
 * -ENOENT for the three failures.
 */
HELPER_FN(tail_call)
{
	struct map *m = HELPER_PTR(r2);
	uint32_t index = (uint32_t)r3;
	struct bpfrt_prog *prog;

	HELPER_UNUSED();
	if (!m || m->type != BPFRT_MAP_TYPE_PROG_ARRAY)
		return HELPER_ERR(EINVAL);
	if (index >= m->max_entries)
		return HELPER_ERR(E2BIG);
	if (run->tail_calls >= EXEC_MAX_TAIL_CALLS)
		return HELPER_ERR(ELOOP);
	prog = map_prog_array_get(m, index);
	if (!prog)
		return HELPER_ERR(ENOENT);
	run->tail_calls++;
	run->tail_prog = prog;
	run->pending |= EXEC_PENDING_TAIL;
	return 0;
}

const struct bpfrt_helper_proto helper_tail_call_proto = {
	.name = "tail_call",
	.fn = h_tail_call,
	.ret = BPFRT_RET_VOID,
	.args = { BPFRT_ARG_PTR_TO_CTX, BPFRT_ARG_CONST_MAP_PTR, BPFRT_ARG_ANYTHING },
};

/* ---- spin locks ---- */

/*
 * The kernel's verifier lets a program hold one lock at a time and makes it
 * release it before anything else; without a verifier, checked runs keep
 * the rule here, so a program cannot deadlock on a lock it holds itself
 * (run.c releases a lock still held when the run ends).
 */
HELPER_FN(spin_lock)
{
	HELPER_UNUSED();
	if (run->checked && run->held_lock) {
		bpfrt_run__abort(run, "bpf_spin_lock while it already holds one");
		return 0;
	}
	map_spin_lock(HELPER_PTR(r1));
	run->held_lock = HELPER_PTR(r1);
	return 0;
}

HELPER_FN(spin_unlock)
{
	HELPER_UNUSED();
	if (run->checked && run->held_lock != HELPER_PTR(r1)) {
		bpfrt_run__abort(run, "bpf_spin_unlock of a lock it does not hold");
		return 0;
	}
	map_spin_unlock(HELPER_PTR(r1));
	run->held_lock = NULL;
	return 0;
}

const struct bpfrt_helper_proto helper_spin_lock_proto = {
	.name = "spin_lock",
	.fn = h_spin_lock,
	.ret = BPFRT_RET_VOID,
	.args = { BPFRT_ARG_PTR_TO_SPIN_LOCK },
};

const struct bpfrt_helper_proto helper_spin_unlock_proto = {
	.name = "spin_unlock",
	.fn = h_spin_unlock,
	.ret = BPFRT_RET_VOID,
	.args = { BPFRT_ARG_PTR_TO_SPIN_LOCK },
};

/* ---- what the attachment reports ---- */

HELPER_FN(get_func_ip)
{
	HELPER_UNUSED();
	return HELPERS_ENV(helpers_env(run), func_ip);
}

const struct bpfrt_helper_proto helper_get_func_ip_proto = {
	.name = "get_func_ip",
	.fn = h_get_func_ip,
	.ret = BPFRT_RET_INTEGER,
	.args = { BPFRT_ARG_PTR_TO_CTX },
	.flags = BPFRT_HELPER_GPL_ONLY,
};

HELPER_FN(get_attach_cookie)
{
	HELPER_UNUSED();
	return HELPERS_ENV(helpers_env(run), attach_cookie);
}

const struct bpfrt_helper_proto helper_get_attach_cookie_proto = {
	.name = "get_attach_cookie",
	.fn = h_get_attach_cookie,
	.ret = BPFRT_RET_INTEGER,
	.args = { BPFRT_ARG_PTR_TO_CTX },
};
