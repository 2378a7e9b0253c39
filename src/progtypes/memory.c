/* SPDX-License-Identifier: MIT */
/*
 * The "memory" type (BPFRT_PROG_TYPE_UNSPEC), bpfrt's own: r1 points at a
 * block of memory and r2 holds its length, as in uBPF and the conformance
 * suite. There is no context struct to check or rewrite; LD_ABS/LD_IND
 * read the memory; the kernel's base helpers are allowed.
 *
 * Test run: data_in is copied to a buffer the program may read and write;
 * data_out is that buffer afterwards. No ctx_in/ctx_out.
 */
#include <errno.h>
#include <string.h>

#include "core/core.h"
#include "exec/exec.h"
#include "helpers/helpers.h"
#include "progtypes/progtype.h"

static const struct bpfrt_helper_proto *mem_func_proto(uint32_t id, const struct bpfrt_prog *prog)
{
	return helpers_base_proto(id, prog->gpl);
}

static int mem_test_run(const struct bpfrt_prog *prog, struct bpfrt_test_run_opts *opts)
{
	uint32_t size = opts->data_size_in;
	uint8_t *buf;
	struct bpfrt_region region;
	struct exec_hook hook = { 0 };
	int err, err2;

	if (opts->ctx_in || opts->ctx_out || opts->flags)
		return progtype_refuse(opts, -EINVAL, "memory programs take only data (no context, "
				       "no flags)");
	buf = core_malloc(size);
	if (!buf)
		return -ENOMEM;
	if (size)
		memcpy(buf, opts->data_in, size);
	region = (struct bpfrt_region){ "mem", buf, size, true };
	hook.r1 = (uint64_t)(uintptr_t)buf;
	hook.r2 = size;
	hook.pkt = buf;
	hook.pkt_len = size;
	hook.regions = size ? &region : NULL;
	hook.region_cnt = size ? 1 : 0;
	err = progtype_run(prog, opts, &hook);
	err2 = progtype_data_out(opts, buf, size);
	core_free(buf);
	return err ? err : err2;
}

const struct progtype progtype_memory = {
	.name = "unspec",
	.type = BPFRT_PROG_TYPE_UNSPEC,
	.ld_abs = true,
	.func_proto = mem_func_proto,
	.test_run = mem_test_run,
	.ret_min = INT64_MIN,
	.ret_max = INT64_MAX,
};
