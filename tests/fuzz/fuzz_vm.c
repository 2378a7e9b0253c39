/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: arbitrary bytes through the validator and, when they
 * pass, through both checked engines with an instruction budget.
 *
 * Input layout: byte 0 = memory size (0-255), then that many bytes of
 * memory, then the program (whole 8-byte instructions; a trailing partial
 * one is dropped). The run must end in a result or a fault: never a crash,
 * a hang or a sanitizer report. (The two flavours cannot be compared
 * with each other here: an unverified program may compute with r10, whose
 * value is a host address that differs between them.)
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bpfrt/bpfrt.h"

static uint64_t helper_first(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
			     struct bpfrt_run *run)
{
	(void)r2, (void)r3, (void)r4, (void)r5, (void)run;
	return r1;
}

static uint64_t helper_abort(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
			     struct bpfrt_run *run)
{
	(void)r2, (void)r3, (void)r4, (void)r5;
	if (r1 & 1)
		bpfrt_run__abort(run, "odd argument %llu", (unsigned long long)r1);
	return r1 >> 1;
}

static int quiet(enum bpfrt_print_level level, const char *fmt, va_list ap)
{
	(void)level, (void)fmt, (void)ap;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct bpfrt_vm *vm;
	uint8_t mem[2][256];
	struct bpfrt_run_opts run[2];
	struct bpfrt_prog *prog;
	char log[256];
	size_t mem_size, n;

	if (!vm) {
		bpfrt_set_print(quiet);
		vm = bpfrt_vm__new();
		bpfrt_vm__register_helper(vm, 5, "first", helper_first);
		bpfrt_vm__register_helper(vm, 6, "maybe_abort", helper_abort);
		bpfrt_vm__register_helper(vm, 100000, "far", helper_first);
	}
	if (size < 1)
		return 0;
	mem_size = data[0];
	if (size < 1 + mem_size)
		return 0;
	n = (size - 1 - mem_size) / sizeof(struct bpfrt_insn);
	{
		struct bpfrt_insn *insns = malloc(n ? n * sizeof(*insns) : 1);
		struct bpfrt_load_opts lo = { .sz = sizeof(lo), .log_buf = log, .log_size = sizeof(log) };

		memcpy(insns, data + 1 + mem_size, n * sizeof(*insns));
		prog = bpfrt_prog__load(vm, insns, n, &lo);
		free(insns);
	}
	if (!prog)
		return 0;
	for (int e = 0; e < 2; e++) {
		memcpy(mem[e], data + 1, mem_size);
		run[e] = (struct bpfrt_run_opts){
			.sz = sizeof(run[e]),
			.engine = e ? BPFRT_ENGINE_CHECKED_SWITCH : BPFRT_ENGINE_CHECKED,
			.mem = mem_size ? mem[e] : NULL,
			.mem_size = mem_size,
			.insn_budget = 20000,
		};
		bpfrt_prog__run(prog, &run[e]);
	}
	bpfrt_prog__free(prog);
	return 0;
}
