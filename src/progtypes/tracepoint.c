/* SPDX-License-Identifier: MIT */
/*
 * BPF_PROG_TYPE_TRACEPOINT: r1 = the raw trace record (struct
 * trace_event_raw_<event>): 8 bytes of common fields, then the event's.
 * Nothing is rewritten; the kernel's tp_prog_is_valid_access() allows
 * aligned reads from offset 8 (the common fields are not the program's)
 * up to PERF_MAX_TRACE_SIZE, and, by a signedness slip, from offsets -8
 * to -1 as well.
 *
 * Test run (bpfrt's own: the kernel has none for tracepoints): ctx_in is
 * the record; it must hold every byte the program may read (the largest
 * offset + size of its context reads, -EINVAL otherwise, as raw
 * tracepoints in the kernel), and probe_read helpers may read it (it is
 * added to the run's probe regions: programs read the record's strings
 * at ctx + a __data_loc offset). No data_in, data_out or ctx_out.
 */
#include <errno.h>
#include <string.h>

#include "core/core.h"
#include "exec/exec.h"
#include "helpers/helpers.h"
#include "progtypes/progtype.h"

#define PERF_MAX_TRACE_SIZE 8192
#define TP_BEFORE 8 /* zero bytes before the record: see tp_is_valid_access() */

static const struct progtype_field tp_fields[] = {
	{ "common_type", 0, 2, 0 },
	{ "common_flags", 2, 1, 0 },
	{ "common_preempt_count", 3, 1, 0 },
	{ "common_pid", 4, 4, 0 },
	{ NULL, 0, 0, 0 },
};

static bool tp_is_valid_access(const struct bpfrt_prog *prog, const struct progtype_access *a,
			       struct progtype_access_info *info)
{
	(void)prog, (void)info;
	/*
	 * The kernel compares the int offset with sizeof(void *), a size_t:
	 * negative offsets pass as huge, then pass `off >= PERF_MAX_TRACE_SIZE`
	 * as negative. So reads just before the record are accepted, and bpfrt
	 * accepts them too (its test run puts 8 zero bytes there).
	 */
	if ((uint32_t)a->off < 8 || a->off >= PERF_MAX_TRACE_SIZE || a->write)
		return false;
	return a->off % a->size == 0;
}

static const struct bpfrt_helper_proto *tp_func_proto(uint32_t id, const struct bpfrt_prog *prog)
{
	return helpers_tracing_proto(id, prog->gpl);
}

static int tp_test_run(const struct bpfrt_prog *prog, struct bpfrt_test_run_opts *opts)
{
	struct bpfrt_region region, *probe;
	struct exec_hook hook = { 0 };
	struct bpfrt_env env = { .sz = sizeof(env) };
	const struct bpfrt_env *user_env = opts->env;
	uint32_t size = opts->ctx_size_in;
	uint8_t *rec;
	int err;

	if (opts->data_in || opts->data_out || opts->ctx_out || opts->flags)
		return progtype_refuse(opts, -EINVAL, "tracepoints take only ctx_in (the record)");
	if (size > PERF_MAX_TRACE_SIZE || size < progtype_max_ctx_offset(prog))
		return progtype_refuse(opts, -EINVAL, "a record of %u bytes: the program reads %u, "
				       "at most %d may be given", size,
				       progtype_max_ctx_offset(prog), PERF_MAX_TRACE_SIZE);
	rec = core_calloc(1, TP_BEFORE + size);
	if (!rec)
		return -ENOMEM;
	if (size)
		memcpy(rec + TP_BEFORE, opts->ctx_in, size);
	region = (struct bpfrt_region){ "trace record", rec, TP_BEFORE + size, false };
	hook.r1 = size ? (uint64_t)(uintptr_t)(rec + TP_BEFORE) : 0;
	hook.ctx = size ? rec + TP_BEFORE : NULL;
	hook.regions = size ? &region : NULL;
	hook.region_cnt = size ? 1 : 0;
	/*
	 * Programs read the record's strings with bpf_probe_read_kernel_str(ctx +
	 * __data_loc offset): the record is kernel memory probes may read.
	 */
	if (user_env)
		memcpy(&env, user_env, user_env->sz < sizeof(env) ? user_env->sz : sizeof(env));
	env.sz = sizeof(env);
	probe = core_calloc(env.probe_region_cnt + 1, sizeof(*probe));
	if (!probe) {
		core_free(rec);
		return -ENOMEM;
	}
	if (env.probe_region_cnt)
		memcpy(probe, env.probe_regions, env.probe_region_cnt * sizeof(*probe));
	probe[env.probe_region_cnt] = region;
	env.probe_regions = probe;
	env.probe_region_cnt++;
	opts->env = &env;
	err = progtype_run(prog, opts, &hook);
	opts->env = user_env;
	core_free(probe);
	core_free(rec);
	return err;
}

const struct progtype progtype_tracepoint = {
	.name = "tracepoint",
	.type = BPFRT_PROG_TYPE_TRACEPOINT,
	.ctx_name = "trace record",
	.ctx_size = PERF_MAX_TRACE_SIZE,
	.fields = tp_fields,
	.is_valid_access = tp_is_valid_access,
	.func_proto = tp_func_proto,
	.test_run = tp_test_run,
	.ret_min = INT64_MIN,
	.ret_max = INT64_MAX,
};
