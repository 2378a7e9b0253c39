/* SPDX-License-Identifier: MIT */
/*
 * BPF_PROG_TYPE_KPROBE (kprobes and uprobes): r1 = struct pt_regs, the
 * x86-64 registers as the kernel saves them. The program reads the
 * struct itself, so nothing is rewritten; the kernel's
 * kprobe_prog_is_valid_access() allows any aligned read inside it.
 *
 * Test run (bpfrt's own: the kernel has none for kprobes): ctx_in is the
 * struct pt_regs (shorter input is zero-padded); no data_in, data_out or
 * ctx_out.
 */
#include <errno.h>
#include <string.h>

#include "exec/exec.h"
#include "helpers/helpers.h"
#include "progtypes/kern.h"
#include "progtypes/progtype.h"

/* The vmlinux BTF's names (arch/x86/include/asm/ptrace.h). */
static const struct progtype_field regs_fields[] = {
	{ "r15", 0, 8, 0 },    { "r14", 8, 8, 0 },   { "r13", 16, 8, 0 },  { "r12", 24, 8, 0 },
	{ "bp", 32, 8, 0 },    { "bx", 40, 8, 0 },   { "r11", 48, 8, 0 },  { "r10", 56, 8, 0 },
	{ "r9", 64, 8, 0 },    { "r8", 72, 8, 0 },   { "ax", 80, 8, 0 },   { "cx", 88, 8, 0 },
	{ "dx", 96, 8, 0 },    { "si", 104, 8, 0 },  { "di", 112, 8, 0 },  { "orig_ax", 120, 8, 0 },
	{ "ip", 128, 8, 0 },   { "cs", 136, 8, 0 },  { "flags", 144, 8, 0 }, { "sp", 152, 8, 0 },
	{ "ss", 160, 8, 0 },   { NULL, 0, 0, 0 },
};

static bool kprobe_is_valid_access(const struct bpfrt_prog *prog, const struct progtype_access *a,
				   struct progtype_access_info *info)
{
	(void)prog, (void)info;
	if (a->off < 0 || a->off >= PT_REGS_SIZE || a->write || a->off % a->size)
		return false;
	return a->off + a->size <= PT_REGS_SIZE;
}

static const struct bpfrt_helper_proto *kprobe_func_proto(uint32_t id, const struct bpfrt_prog *prog)
{
	return helpers_tracing_proto(id, prog->gpl);
}

static int kprobe_test_run(const struct bpfrt_prog *prog, struct bpfrt_test_run_opts *opts)
{
	uint64_t regs[PT_REGS_SIZE / 8];
	struct bpfrt_region region = { "pt_regs", regs, sizeof(regs), false };
	struct exec_hook hook = { 0 };
	bool given;
	int err;

	if (opts->data_in || opts->data_out || opts->ctx_out || opts->flags)
		return progtype_refuse(opts, -EINVAL, "kprobes take only ctx_in (a struct pt_regs)");
	err = progtype_ctx_in(opts, regs, sizeof(regs), &given);
	if (err)
		return err;
	hook.r1 = (uint64_t)(uintptr_t)regs;
	hook.ctx = regs;
	hook.regions = &region;
	hook.region_cnt = 1;
	return progtype_run(prog, opts, &hook);
}

const struct progtype progtype_kprobe = {
	.name = "kprobe",
	.type = BPFRT_PROG_TYPE_KPROBE,
	.ctx_name = "struct pt_regs",
	.ctx_size = PT_REGS_SIZE,
	.fields = regs_fields,
	.is_valid_access = kprobe_is_valid_access,
	.func_proto = kprobe_func_proto,
	.test_run = kprobe_test_run,
	.ret_min = INT64_MIN,
	.ret_max = INT64_MAX,
};
