/* SPDX-License-Identifier: MIT */
/*
 * The program-type registry, load-time preparation (ctx analysis, then
 * rewriting), and what every type's test run shares: the run loop and the
 * kernel's rules for copying data and context in and out.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/core.h"
#include "exec/exec.h"
#include "progtypes/ctx.h"
#include "progtypes/progtype.h"

const struct progtype *progtype_get(enum bpfrt_prog_type type)
{
	switch (type) {
#define X(t, var)                  \
	case BPFRT_PROG_TYPE_##t:  \
		return &var;
		PROGTYPES(X)
#undef X
	default:
		return NULL;
	}
}

int progtype_prepare(const struct progtype *pt, struct bpfrt_prog *prog, char *log,
		     size_t log_size)
{
	struct ctx_site *sites;
	struct ctx_patch *patches = NULL;
	uint32_t max_off;
	size_t n;
	int err;

	if (!pt || !prog)
		return -EINVAL;
	if (!pt->is_valid_access)
		return 0; /* plain memory: nothing to check or rewrite */
	err = ctx_analyze(pt, prog, &sites, &n, &max_off, log, log_size);
	if (err || !n || !pt->convert_access)
		goto out;
	patches = core_calloc(n, sizeof(*patches));
	if (!patches) {
		err = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n && !err; i++) {
		err = ctx_convert(pt, prog, &sites[i], &patches[i]);
		if (err)
			core_log(log, log_size, "pc %u: bpfrt cannot convert this %s access (off=%d size=%u)",
				 sites[i].pc, pt->name, sites[i].a.off, sites[i].a.size);
	}
	if (!err)
		err = ctx_patch(prog, patches, n, log, log_size);
out:
	core_free(patches);
	core_free(sites);
	return err;
}

const struct bpfrt_helper_proto *progtype_func_proto(const struct progtype *pt, uint32_t id,
						     const struct bpfrt_prog *prog)
{
	return pt && pt->func_proto ? pt->func_proto(id, prog) : NULL;
}

int progtype_test_run(const struct bpfrt_prog *prog, struct bpfrt_test_run_opts *opts)
{
	const struct progtype *pt;

	/* As bpf_prog_test_run(): a context pointer and its size come together. */
	if (!prog || !opts || !CORE_OPTS_VALID(opts) || (unsigned)opts->engine >= BPFRT_ENGINE__COUNT)
		return -EINVAL;
	memset(&opts->fault, 0, sizeof(opts->fault));
	if ((!opts->data_in && opts->data_size_in) || !opts->ctx_in != !opts->ctx_size_in ||
	    !opts->ctx_out != !opts->ctx_size_out)
		return progtype_refuse(opts, -EINVAL,
				       "a data or context buffer and its size go together");
	opts->retval = 0;
	opts->retval64 = 0;
	opts->duration_ns = 0;
	opts->insn_executed = 0;
	opts->redirect_ifindex = 0;
	opts->redirect_flags = 0;
	pt = prog->pt ? prog->pt : progtype_get(prog->type);
	if (!pt || !pt->test_run)
		return -BPFRT_ENOTSUPP;
	return pt->test_run(prog, opts);
}

const char *progtype_field_name(const struct progtype *pt, uint32_t off, char *buf, size_t size)
{
	for (const struct progtype_field *f = pt ? pt->fields : NULL; f && f->name; f++) {
		if (off < f->off || off >= f->off + f->size)
			continue;
		if (f->elem_size)
			snprintf(buf, size, "%s[%u]", f->name, (off - f->off) / f->elem_size);
		else
			snprintf(buf, size, "%s", f->name);
		return buf;
	}
	return NULL;
}

uint32_t progtype_max_ctx_offset(const struct bpfrt_prog *prog)
{
	const struct progtype *pt = prog->pt ? prog->pt : progtype_get(prog->type);
	struct ctx_site *sites;
	uint32_t max_off = 0;
	size_t n;

	if (!pt || !pt->is_valid_access || ctx_analyze(pt, prog, &sites, &n, &max_off, NULL, 0))
		return 0;
	core_free(sites);
	return max_off;
}

/* ---- test runs ---- */

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

int progtype_run(const struct bpfrt_prog *prog, struct bpfrt_test_run_opts *opts,
		 struct exec_hook *hook)
{
	struct bpfrt_run_opts ro = {
		.sz = sizeof(ro),
		.engine = opts->engine,
		.insn_budget = opts->insn_budget,
		.user = opts->user,
		.env = opts->env,
		.cpu = opts->cpu,
	};
	uint32_t repeat = opts->repeat ? opts->repeat : 1, i;
	uint64_t t0 = now_ns();
	int err = 0;

	/* As the kernel: every repetition runs on the context the last one left. */
	for (i = 0; i < repeat && !err; i++) {
		hook->redirect_ifindex = 0;
		hook->redirect_flags = 0;
		hook->redirect_map = NULL;
		err = exec_run(prog, &ro, hook);
	}
	opts->duration_ns = (now_ns() - t0) / i;
	opts->retval = (uint32_t)ro.retval;
	opts->retval64 = ro.retval;
	opts->insn_executed = ro.insn_executed;
	opts->fault = ro.fault;
	opts->redirect_ifindex = hook->redirect_ifindex;
	opts->redirect_flags = hook->redirect_flags;
	return err;
}

int progtype_refuse(struct bpfrt_test_run_opts *opts, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(opts->fault.msg, sizeof(opts->fault.msg), fmt, ap);
	va_end(ap);
	opts->fault.kind = BPFRT_FAULT_NONE;
	return err;
}

int progtype_ctx_in(struct bpfrt_test_run_opts *opts, void *ctx, uint32_t size, bool *given)
{
	const uint8_t *in = opts->ctx_in;

	memset(ctx, 0, size);
	*given = opts->ctx_in || opts->ctx_out;
	if (!in)
		return 0;
	/* bpf_check_uarg_tail_zero(): a longer struct is fine if the rest is 0. */
	for (uint32_t i = size; i < opts->ctx_size_in; i++)
		if (in[i])
			return progtype_refuse(opts, -E2BIG, "the context is %u bytes; byte %u of "
					       "ctx_in is not 0", size, i);
	memcpy(ctx, in, opts->ctx_size_in < size ? opts->ctx_size_in : size);
	return 0;
}

int progtype_ctx_out(struct bpfrt_test_run_opts *opts, const void *ctx, uint32_t size)
{
	uint32_t n = size;

	if (!opts->ctx_out)
		return 0;
	if (n > opts->ctx_size_out)
		n = opts->ctx_size_out;
	memcpy(opts->ctx_out, ctx, n);
	opts->ctx_size_out = size;
	return n < size ? -ENOSPC : 0;
}

int progtype_data_out(struct bpfrt_test_run_opts *opts, const void *data, uint32_t size)
{
	uint32_t n = size;

	if (opts->data_out) {
		if (n > opts->data_size_out)
			n = opts->data_size_out;
		if (n)
			memcpy(opts->data_out, data, n);
	}
	opts->data_size_out = size;
	return n < size && opts->data_out ? -ENOSPC : 0;
}
