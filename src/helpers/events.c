/* SPDX-License-Identifier: MIT */
/*
 * src/helpers/events.c - what programs hand out: ring buffer records,
 * perf event samples, trace_printk / trace_vprintk lines, and snprintf
 * (whose formatter, shared with the trace helpers, is bprintf.c).
 */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "core/core.h"
#include "helpers/helpers_int.h"
#include "maps/map.h"
#include "maps/ringbuf.h"

#define MAP(r) ((struct map *)HELPER_PTR(r))

/* ---- ring buffers (kernel/bpf/ringbuf.c) ---- */

HELPER_FN(ringbuf_output)
{
	HELPER_UNUSED();
	return (uint64_t)(int64_t)ringbuf_output(MAP(r1), HELPER_PTR(r2), r3, r4);
}

const struct bpfrt_helper_proto helper_ringbuf_output_proto = {
	.name = "ringbuf_output",
	.fn = h_ringbuf_output,
	.ret = BPFRT_RET_INTEGER,
	.args = { BPFRT_ARG_CONST_MAP_PTR, BPFRT_ARG_PTR_TO_MEM, BPFRT_ARG_CONST_SIZE_OR_ZERO,
		  BPFRT_ARG_ANYTHING },
};

/* A record of r2 bytes, or NULL (flags not 0, too big, no room). */
HELPER_FN(ringbuf_reserve)
{
	HELPER_UNUSED();
	return (uint64_t)(uintptr_t)ringbuf_reserve(MAP(r1), r2, r3);
}

const struct bpfrt_helper_proto helper_ringbuf_reserve_proto = {
	.name = "ringbuf_reserve",
	.fn = h_ringbuf_reserve,
	.ret = BPFRT_RET_PTR_TO_ALLOC_MEM_OR_NULL,
	.args = { BPFRT_ARG_CONST_MAP_PTR, BPFRT_ARG_CONST_ALLOC_SIZE_OR_ZERO, BPFRT_ARG_ANYTHING },
};

HELPER_FN(ringbuf_submit)
{
	HELPER_UNUSED();
	ringbuf_submit(HELPER_PTR(r1), r2);
	return 0;
}

const struct bpfrt_helper_proto helper_ringbuf_submit_proto = {
	.name = "ringbuf_submit",
	.fn = h_ringbuf_submit,
	.ret = BPFRT_RET_VOID,
	.args = { BPFRT_ARG_PTR_TO_ALLOC_MEM, BPFRT_ARG_ANYTHING },
};

HELPER_FN(ringbuf_discard)
{
	HELPER_UNUSED();
	ringbuf_discard(HELPER_PTR(r1), r2);
	return 0;
}

const struct bpfrt_helper_proto helper_ringbuf_discard_proto = {
	.name = "ringbuf_discard",
	.fn = h_ringbuf_discard,
	.ret = BPFRT_RET_VOID,
	.args = { BPFRT_ARG_PTR_TO_ALLOC_MEM, BPFRT_ARG_ANYTHING },
};

HELPER_FN(ringbuf_query)
{
	HELPER_UNUSED();
	return ringbuf_query(MAP(r1), r2);
}

const struct bpfrt_helper_proto helper_ringbuf_query_proto = {
	.name = "ringbuf_query",
	.fn = h_ringbuf_query,
	.ret = BPFRT_RET_INTEGER,
	.args = { BPFRT_ARG_CONST_MAP_PTR, BPFRT_ARG_ANYTHING },
};

/* ---- perf event samples ---- */

/* BPF_F_INDEX_MASK: flags hold only the slot (or BPF_F_CURRENT_CPU). */
#define F_INDEX_MASK 0xffffffffULL

/*
 * bpf_perf_event_output(ctx, map, flags, data, size): a sample of `size`
 * bytes to the perf_event_array slot flags & F_INDEX_MASK, or the run's
 * worker's slot for BPF_F_CURRENT_CPU. 0, -EINVAL (flags), or the map's
 * -E2BIG / -ENOENT / -ENOSPC.
 */
HELPER_FN(perf_event_output)
{
	HELPER_UNUSED();
	if (r3 & ~F_INDEX_MASK)
		return HELPER_ERR(EINVAL);
	return (uint64_t)(int64_t)map_perf_event_output(MAP(r2), run->cpu, r3, HELPER_PTR(r4), r5);
}

const struct bpfrt_helper_proto helper_perf_event_output_proto = {
	.name = "perf_event_output",
	.fn = h_perf_event_output,
	.ret = BPFRT_RET_INTEGER,
	.args = { BPFRT_ARG_PTR_TO_CTX, BPFRT_ARG_CONST_MAP_PTR, BPFRT_ARG_ANYTHING,
		  BPFRT_ARG_PTR_TO_MEM, BPFRT_ARG_CONST_SIZE_OR_ZERO },
	.flags = BPFRT_HELPER_GPL_ONLY,
};

/* ---- trace_printk, trace_vprintk ---- */

/*
 * Hand a formatted line to env->trace without its final newline, or to the
 * print callback (BPFRT_INFO) without one.
 */
static void trace_line(struct bpfrt_run *run, char *line)
{
	const struct bpfrt_env *env = helpers_env(run);
	void (*trace)(void *, const char *, size_t) = HELPERS_ENV(env, trace);
	size_t len = strlen(line);

	if (len && line[len - 1] == '\n')
		line[--len] = 0;
	if (trace)
		trace(HELPERS_ENV(env, trace_ctx), line, len);
	else
		core_print(BPFRT_INFO, "%s\n", line);
}

/* The kernel's MAX_TRACE_PRINTK_VARARGS. */
#define TRACE_PRINTK_VARARGS 3

/*
 * bpf_trace_printk(fmt, fmt_size, a1, a2, a3): at most 3 conversions. The
 * line is cut at BPRINTF_BUF - 1 bytes; returns the full length, or
 * -EINVAL / -ENOSPC as helpers_bprintf().
 */
HELPER_FN(trace_printk)
{
	uint64_t args[TRACE_PRINTK_VARARGS] = { r3, r4, r5 };
	char buf[BPRINTF_BUF];
	int n;

	HELPER_UNUSED();
	n = helpers_bprintf(run, HELPER_PTR(r1), (uint32_t)r2, args, TRACE_PRINTK_VARARGS, buf,
			    sizeof(buf));
	if (n < 0)
		return HELPER_ERR(-n);
	trace_line(run, buf);
	return (uint64_t)n;
}

const struct bpfrt_helper_proto helper_trace_printk_proto = {
	.name = "trace_printk",
	.fn = h_trace_printk,
	.ret = BPFRT_RET_INTEGER,
	.args = { BPFRT_ARG_PTR_TO_MEM, BPFRT_ARG_CONST_SIZE },
	.flags = BPFRT_HELPER_GPL_ONLY,
};

/*
 * The argument array of trace_vprintk / snprintf: data_len bytes, a
 * multiple of 8, at most BPRINTF_MAX_VARARGS values. The number of
 * values, or -EINVAL.
 */
static int var_args(uint64_t *out, uint64_t data, uint32_t data_len)
{
	if ((data_len & 7) || data_len > BPRINTF_MAX_VARARGS * 8 || (data_len && !data))
		return -EINVAL;
	if (data_len)
		memcpy(out, HELPER_PTR(data), data_len);
	return (int)(data_len / 8);
}

/* bpf_trace_vprintk(fmt, fmt_size, args, data_len): trace_printk with up to 12 values. */
HELPER_FN(trace_vprintk)
{
	uint64_t args[BPRINTF_MAX_VARARGS];
	char buf[BPRINTF_BUF];
	int n = var_args(args, r3, (uint32_t)r4);

	HELPER_UNUSED();
	if (n < 0)
		return HELPER_ERR(-n);
	n = helpers_bprintf(run, HELPER_PTR(r1), (uint32_t)r2, args, (uint32_t)n, buf, sizeof(buf));
	if (n < 0)
		return HELPER_ERR(-n);
	trace_line(run, buf);
	return (uint64_t)n;
}

const struct bpfrt_helper_proto helper_trace_vprintk_proto = {
	.name = "trace_vprintk",
	.fn = h_trace_vprintk,
	.ret = BPFRT_RET_INTEGER,
	.args = { BPFRT_ARG_PTR_TO_MEM, BPFRT_ARG_CONST_SIZE, BPFRT_ARG_PTR_TO_MEM_OR_NULL,
		  BPFRT_ARG_CONST_SIZE_OR_ZERO },
	.flags = BPFRT_HELPER_GPL_ONLY,
};

/* ---- snprintf ---- */

/*
 * bpf_snprintf(str, str_size, fmt, args, data_len): format into str (cut
 * and NUL-terminated; str may be NULL when str_size is 0). Returns the
 * bytes the whole output needs, NUL included, or -EINVAL / -ENOSPC; str is
 * untouched on error.
 */
HELPER_FN(snprintf)
{
	uint64_t args[BPRINTF_MAX_VARARGS];
	uint32_t str_size = (uint32_t)r2;
	int n = var_args(args, r4, (uint32_t)r5);

	HELPER_UNUSED();
	if (n < 0)
		return HELPER_ERR(-n);
	/* Checked engines tested str's writability (the prototype); not NULL with a size. */
	if (!r1 && str_size) { /* the kernel's verifier refuses a NULL str with a size */
		bpfrt_run__abort(run, "snprintf: str is NULL but str_size is %u", str_size);
		return HELPER_ERR(EFAULT);
	}
	/* fmt is a NUL-terminated constant string: no bound needed. */
	n = helpers_bprintf(run, HELPER_PTR(r3), UINT32_MAX, args, (uint32_t)n,
			    str_size > INT_MAX ? NULL : HELPER_PTR(r1),
			    str_size > INT_MAX ? 0 : str_size);
	if (n < 0)
		return HELPER_ERR(-n);
	if (str_size > INT_MAX)
		return 1; /* bstr_printf() refuses such sizes and answers 0 */
	return (uint64_t)n + 1;
}

const struct bpfrt_helper_proto helper_snprintf_proto = {
	.name = "snprintf",
	.fn = h_snprintf,
	.ret = BPFRT_RET_INTEGER,
	.args = { BPFRT_ARG_PTR_TO_UNINIT_MEM_OR_NULL, BPFRT_ARG_CONST_SIZE_OR_ZERO,
		  BPFRT_ARG_PTR_TO_CONST_STR, BPFRT_ARG_PTR_TO_MEM_OR_NULL,
		  BPFRT_ARG_CONST_SIZE_OR_ZERO },
	.flags = BPFRT_HELPER_GPL_ONLY,
};
