/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: arbitrary bytes as an ELF object. Whatever opens is
 * walked through the whole object API (programs, relocated instructions,
 * line and func info, maps, initial values, BTF dump) and each relocated
 * program goes through bpfrt_prog__load's validation. Never a crash, a
 * hang or a sanitizer report.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bpfrt/bpfrt.h"
#include "bpfrt/object.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int quiet(enum bpfrt_print_level level, const char *fmt, va_list ap)
{
	(void)level, (void)fmt, (void)ap;
	return 0;
}

static void discard(void *ctx, const char *text)
{
	(void)ctx, (void)text;
}

static int resolve(void *ctx, size_t pc, const struct bpfrt_insn *insn, uint64_t *value)
{
	(void)ctx;
	*value = 0x1000 * (uint64_t)(uint32_t)insn->imm + pc;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct bpfrt_vm *vm;
	struct bpfrt_object_open_opts oo = { .sz = sizeof(oo), .kconfig = "CONFIG_HZ=250\n" };
	struct bpfrt_object *obj;
	const struct bpfrt_program *p;
	const struct bpfrt_map *m;

	if (!vm) {
		bpfrt_set_print(quiet);
		vm = bpfrt_vm__new();
	}
	obj = bpfrt_object__open_mem(data, size, &oo);
	if (!obj)
		return 0;
	for (p = bpfrt_object__next_program(obj, NULL); p; p = bpfrt_object__next_program(obj, p)) {
		const struct bpfrt_insn *insns = bpfrt_program__insns(p);
		size_t cnt = bpfrt_program__insn_cnt(p);
		struct bpfrt_load_opts lo = { .sz = sizeof(lo), .resolve_ld_imm64 = resolve };
		struct bpfrt_line line;

		(void)bpfrt_program__name(p);
		(void)bpfrt_program__section_name(p);
		(void)bpfrt_program__attach_target(p);
		for (size_t pc = 0; pc < cnt; pc++) {
			(void)bpfrt_program__line(p, pc, &line);
			(void)bpfrt_program__func_name(p, pc);
		}
		bpfrt_prog__free(bpfrt_prog__load(vm, insns, cnt, &lo));
	}
	for (m = bpfrt_object__next_map(obj, NULL); m; m = bpfrt_object__next_map(obj, m)) {
		size_t n;

		(void)bpfrt_map__name(m);
		(void)bpfrt_map__initial_value(m, &n);
		(void)bpfrt_map__inner_map(m);
		for (uint32_t i = 0; i < bpfrt_map__init_slot_cnt(m); i++) {
			(void)bpfrt_map__init_slot_prog(m, i);
			(void)bpfrt_map__init_slot_map(m, i);
		}
	}
	if (bpfrt_object__btf(obj))
		bpfrt_btf__dump_c(bpfrt_object__btf(obj), discard, NULL);
	bpfrt_object__close(obj);
	return 0;
}
