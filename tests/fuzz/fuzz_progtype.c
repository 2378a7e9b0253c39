/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: arbitrary bytecode loaded as each program type. Byte 0
 * picks the type, byte 1 the expected attach type (xdp: devmap or not),
 * the rest are instructions. Whatever loads must still be structurally
 * valid after its context accesses were rewritten (the patcher kept every
 * jump, call and callback in range), and must test-run on the checked
 * engine without the library itself misbehaving (sanitizers watch).
 */
#include <stdlib.h>
#include <string.h>

#include "bpfrt/bpfrt.h"
#include "isa/isa.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const enum bpfrt_prog_type types[] = {
	BPFRT_PROG_TYPE_UNSPEC, BPFRT_PROG_TYPE_SOCKET_FILTER, BPFRT_PROG_TYPE_KPROBE,
	BPFRT_PROG_TYPE_SCHED_CLS, BPFRT_PROG_TYPE_TRACEPOINT, BPFRT_PROG_TYPE_XDP,
	BPFRT_PROG_TYPE_PERF_EVENT, BPFRT_PROG_TYPE_RAW_TRACEPOINT,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct bpfrt_vm *vm;
	static uint8_t frame[64] = { [12] = 0x08, [13] = 0x06 }, ctx[256];
	struct bpfrt_load_opts lo = { .sz = sizeof(lo), .gpl = true };
	struct bpfrt_test_run_opts to = { .sz = sizeof(to), .engine = BPFRT_ENGINE_CHECKED,
					  .insn_budget = 4096 };
	struct bpfrt_insn *insns;
	struct bpfrt_prog *p;
	enum bpfrt_prog_type type;
	size_t cnt;
	char log[256];

	if (size < 2)
		return 0;
	if (!vm) {
		vm = bpfrt_vm__new();
		bpfrt_set_print(NULL);
	}
	type = types[data[0] % (sizeof(types) / sizeof(types[0]))];
	cnt = (size - 2) / sizeof(*insns);
	insns = malloc(cnt ? cnt * sizeof(*insns) : 1);
	if (!insns)
		return 0;
	memcpy(insns, data + 2, cnt * sizeof(*insns));
	lo.prog_type = type;
	lo.expected_attach_type = data[1] & 1 ? 33 /* BPF_XDP_DEVMAP */ : 0;
	lo.log_buf = log;
	lo.log_size = sizeof(log);
	p = bpfrt_prog__load(vm, insns, cnt, &lo);
	free(insns);
	if (!p)
		return 0;
	if (isa_validate(bpfrt_prog__insns(p), bpfrt_prog__insn_cnt(p), log, sizeof(log)))
		abort(); /* the rewrite broke the program's structure */
	switch (type) {
	case BPFRT_PROG_TYPE_UNSPEC:
	case BPFRT_PROG_TYPE_SOCKET_FILTER:
	case BPFRT_PROG_TYPE_SCHED_CLS:
	case BPFRT_PROG_TYPE_XDP:
		to.data_in = frame;
		to.data_size_in = sizeof(frame);
		break;
	default:
		to.ctx_in = ctx;
		to.ctx_size_in = type == BPFRT_PROG_TYPE_RAW_TRACEPOINT ? 96 :
				 type == BPFRT_PROG_TYPE_KPROBE ? 168 :
				 type == BPFRT_PROG_TYPE_PERF_EVENT ? 184 : sizeof(ctx);
		break;
	}
	bpfrt_prog__test_run(p, &to);
	bpfrt_prog__free(p);
	return 0;
}
