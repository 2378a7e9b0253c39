/* SPDX-License-Identifier: MIT */
/*
 * BPF_PROG_TYPE_RAW_TRACEPOINT: r1 = the tracepoint's arguments as u64
 * args[] (struct bpf_raw_tracepoint_args), at most MAX_BPF_FUNC_ARGS (12).
 * Nothing is rewritten; the kernel's raw_tp_prog_is_valid_access() allows
 * aligned reads inside the 12 arguments.
 *
 * Test run (the kernel's bpf_prog_test_run_raw_tp): ctx_in holds the
 * arguments, at least as many bytes as the program reads (its largest
 * context offset + size) and at most 96; no data_in, data_out, ctx_out or
 * repeat. cpu must be 0 unless flags has BPF_F_TEST_RUN_ON_CPU; then it
 * is the run's worker index (per-CPU map slot), below BPFRT_MAP_MAX_CPUS
 * (-ENXIO otherwise).
 */
#include <errno.h>
#include <string.h>

#include <linux/bpf.h>

#include "bpfrt/map.h"
#include "core/core.h"
#include "exec/exec.h"
#include "helpers/helpers.h"
#include "progtypes/progtype.h"

#define MAX_BPF_FUNC_ARGS 12

static const struct progtype_field raw_tp_fields[] = {
	{ "args", 0, MAX_BPF_FUNC_ARGS * 8, 8 },
	{ NULL, 0, 0, 0 },
};

/* bpf_tracing_ctx_access() */
static bool raw_tp_is_valid_access(const struct bpfrt_prog *prog, const struct progtype_access *a,
				   struct progtype_access_info *info)
{
	(void)prog, (void)info;
	if (a->off < 0 || a->off >= MAX_BPF_FUNC_ARGS * 8 || a->write)
		return false;
	return a->off % a->size == 0;
}

static const struct bpfrt_helper_proto *raw_tp_func_proto(uint32_t id, const struct bpfrt_prog *prog)
{
	return helpers_tracing_proto(id, prog->gpl);
}

static int raw_tp_test_run(const struct bpfrt_prog *prog, struct bpfrt_test_run_opts *opts)
{
	uint64_t args[MAX_BPF_FUNC_ARGS];
	struct bpfrt_region region = { "raw_tp args", args, opts->ctx_size_in, false };
	struct exec_hook hook = { 0 };
	uint32_t size = opts->ctx_size_in;

	if (opts->data_in || opts->data_out || opts->ctx_out || opts->repeat)
		return progtype_refuse(opts, -EINVAL, "raw tracepoints take only ctx_in (the "
				       "arguments), no data, ctx_out or repeat");
	if (size < progtype_max_ctx_offset(prog) || size > sizeof(args))
		return progtype_refuse(opts, -EINVAL, "ctx_in of %u bytes: the program reads %u, "
				       "at most %zu may be given", size,
				       progtype_max_ctx_offset(prog), sizeof(args));
	if (!(opts->flags & BPF_F_TEST_RUN_ON_CPU) && opts->cpu)
		return progtype_refuse(opts, -EINVAL, "a cpu needs BPF_F_TEST_RUN_ON_CPU");
	if (opts->cpu >= BPFRT_MAP_MAX_CPUS)
		return progtype_refuse(opts, -ENXIO, "cpu %u does not exist", opts->cpu);
	if (size)
		memcpy(args, opts->ctx_in, size);
	hook.r1 = size ? (uint64_t)(uintptr_t)args : 0;
	hook.ctx = size ? args : NULL;
	hook.regions = size ? &region : NULL;
	hook.region_cnt = size ? 1 : 0;
	return progtype_run(prog, opts, &hook);
}

const struct progtype progtype_raw_tp = {
	.name = "raw_tracepoint",
	.type = BPFRT_PROG_TYPE_RAW_TRACEPOINT,
	.ctx_name = "struct bpf_raw_tracepoint_args",
	.ctx_size = MAX_BPF_FUNC_ARGS * 8,
	.fields = raw_tp_fields,
	.is_valid_access = raw_tp_is_valid_access,
	.func_proto = raw_tp_func_proto,
	.test_run = raw_tp_test_run,
	.ret_min = INT64_MIN,
	.ret_max = INT64_MAX,
};
