/* SPDX-License-Identifier: MIT */
/*
 * BPF_PROG_TYPE_PERF_EVENT: r1 = struct bpf_perf_event_data { regs,
 * sample_period, addr }, rewritten onto struct pt_perf_event (kern.h), the
 * kernel's bpf_perf_event_data_kern: registers behind a pointer, the
 * sample's fields read from it.
 *
 * Accesses (the kernel's pe_prog_is_valid_access()): reads only; the
 * registers by whole 8-byte words, sample_period and addr also narrow.
 *
 * Test run (bpfrt's own: the kernel has none for perf events): ctx_in is
 * a struct bpf_perf_event_data (shorter input is zero-padded); no
 * data_in, data_out or ctx_out.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <linux/bpf_perf_event.h>

#include "exec/exec.h"
#include "helpers/helpers.h"
#include "progtypes/kern.h"
#include "progtypes/progtype.h"

#define PE(m) offsetof(struct bpf_perf_event_data, m)

static const struct progtype_field pe_fields[] = {
	{ "regs", 0, PT_REGS_SIZE, 8 },
	{ "sample_period", PE(sample_period), 8, 0 },
	{ "addr", PE(addr), 8, 0 },
	{ NULL, 0, 0, 0 },
};

_Static_assert(sizeof(bpf_user_pt_regs_t) == PT_REGS_SIZE, "x86-64 pt_regs");

static bool pe_is_valid_access(const struct bpfrt_prog *prog, const struct progtype_access *a,
			       struct progtype_access_info *info)
{
	int32_t off = a->off;

	(void)prog;
	if (off < 0 || off >= (int32_t)sizeof(struct bpf_perf_event_data) || a->write ||
	    off % a->size)
		return false;
	if ((off >= (int32_t)PE(sample_period) && off < (int32_t)PE(sample_period) + 8) ||
	    (off >= (int32_t)PE(addr) && off < (int32_t)PE(addr) + 8)) {
		info->field_size = 8;
		return true; /* narrow reads of the u64 fields */
	}
	return a->size == 8;
}

static int pe_convert_access(const struct bpfrt_prog *prog, const struct bpfrt_insn *si, bool write,
			     struct bpfrt_insn *buf, uint32_t *target_size)
{
	(void)prog, (void)write;
	switch (si->off) {
	case PE(sample_period):
		*target_size = 8;
		buf[0] = BPFRT_LDX_MEM(BPFRT_DW, si->dst_reg, si->src_reg,
				       offsetof(struct pt_perf_event, sample_period));
		return 1;
	case PE(addr):
		*target_size = 8;
		buf[0] = BPFRT_LDX_MEM(BPFRT_DW, si->dst_reg, si->src_reg,
				       offsetof(struct pt_perf_event, addr));
		return 1;
	default:
		buf[0] = BPFRT_LDX_MEM(BPFRT_DW, si->dst_reg, si->src_reg,
				       offsetof(struct pt_perf_event, regs));
		buf[1] = BPFRT_LDX_MEM(BPFRT_DW, si->dst_reg, si->dst_reg, si->off);
		return 2;
	}
}

static const struct bpfrt_helper_proto *pe_func_proto(uint32_t id, const struct bpfrt_prog *prog)
{
	return helpers_tracing_proto(id, prog->gpl);
}

static int pe_test_run(const struct bpfrt_prog *prog, struct bpfrt_test_run_opts *opts)
{
	struct bpf_perf_event_data in;
	struct pt_perf_event pe;
	struct bpfrt_region regions[2];
	struct exec_hook hook = { 0 };
	bool given;
	int err;

	if (opts->data_in || opts->data_out || opts->ctx_out || opts->flags)
		return progtype_refuse(opts, -EINVAL, "perf_event programs take only ctx_in (a "
				       "struct bpf_perf_event_data)");
	err = progtype_ctx_in(opts, &in, sizeof(in), &given);
	if (err)
		return err;
	pe.regs = (uint64_t *)&in.regs;
	pe.sample_period = in.sample_period;
	pe.addr = in.addr;
	regions[0] = (struct bpfrt_region){ "pt_regs", &in.regs, sizeof(in.regs), false };
	regions[1] = (struct bpfrt_region){ "bpf_perf_event_data_kern", &pe, sizeof(pe), false };
	hook.r1 = (uint64_t)(uintptr_t)&pe;
	hook.ctx = &pe;
	hook.regions = regions;
	hook.region_cnt = 2;
	return progtype_run(prog, opts, &hook);
}

const struct progtype progtype_perf_event = {
	.name = "perf_event",
	.type = BPFRT_PROG_TYPE_PERF_EVENT,
	.ctx_name = "struct bpf_perf_event_data",
	.ctx_size = sizeof(struct bpf_perf_event_data),
	.fields = pe_fields,
	.is_valid_access = pe_is_valid_access,
	.convert_access = pe_convert_access,
	.func_proto = pe_func_proto,
	.test_run = pe_test_run,
	.ret_min = INT64_MIN,
	.ret_max = INT64_MAX,
};
