/* SPDX-License-Identifier: MIT */
/*
 * bench/pb.h - build an eBPF program from the insn.h builders, with
 * symbolic jump labels instead of hand-counted offsets.
 *
 *   struct pb b;
 *   pb_init(&b);
 *   pb_emit(&b, BPFRT_MOV64_IMM(BPFRT_REG_0, 0));
 *   pb_label(&b, L_LOOP);
 *   ...
 *   pb_jmp(&b, BPFRT_JMP_IMM(BPFRT_JLT, BPFRT_REG_4, 100, 0), L_LOOP);
 *   if (pb_finish(&b)) ...   // every jump resolved, nothing overflowed
 *
 * pb_jmp() ignores the `off` of the instruction it is given and fills it in
 * from the label at pb_finish(). Offsets are relative, so a finished body
 * can be copied after any prologue unchanged.
 */
#ifndef BPFRT_BENCH_PB_H
#define BPFRT_BENCH_PB_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "bpfrt/insn.h"

#define PB_MAX_INSNS  2048
#define PB_MAX_LABELS 16
#define PB_MAX_FIXUPS 64

struct pb {
	struct bpfrt_insn insns[PB_MAX_INSNS];
	int cnt;
	int label_pc[PB_MAX_LABELS]; /* -1: not placed yet */
	struct {
		int pc;
		int label;
	} fix[PB_MAX_FIXUPS];
	int fix_cnt;
	bool bad; /* overflow, bad label, or a label placed twice */
};

static inline void pb_init(struct pb *b)
{
	memset(b, 0, sizeof(*b));
	for (int i = 0; i < PB_MAX_LABELS; i++)
		b->label_pc[i] = -1;
}

static inline void pb_emit(struct pb *b, struct bpfrt_insn insn)
{
	if (b->cnt >= PB_MAX_INSNS) {
		b->bad = true;
		return;
	}
	b->insns[b->cnt++] = insn;
}

/* LDDW takes two slots; the BPFRT_LD_IMM64 builder expands to both. */
static inline void pb_ld_imm64(struct pb *b, int dst, uint64_t value)
{
	const struct bpfrt_insn two[2] = { BPFRT_LD_IMM64(dst, value) };

	pb_emit(b, two[0]);
	pb_emit(b, two[1]);
}

/* A jump (conditional or not) to `label`. */
static inline void pb_jmp(struct pb *b, struct bpfrt_insn insn, int label)
{
	if (label < 0 || label >= PB_MAX_LABELS || b->fix_cnt >= PB_MAX_FIXUPS) {
		b->bad = true;
		return;
	}
	b->fix[b->fix_cnt].pc = b->cnt;
	b->fix[b->fix_cnt].label = label;
	b->fix_cnt++;
	pb_emit(b, insn);
}

/* Place `label` at the next instruction. */
static inline void pb_label(struct pb *b, int label)
{
	if (label < 0 || label >= PB_MAX_LABELS || b->label_pc[label] >= 0) {
		b->bad = true;
		return;
	}
	b->label_pc[label] = b->cnt;
}

/* Resolve every jump: 0, or -EINVAL if anything went wrong on the way. */
static inline int pb_finish(struct pb *b)
{
	for (int i = 0; i < b->fix_cnt && !b->bad; i++) {
		int target = b->label_pc[b->fix[i].label];

		if (target < 0)
			b->bad = true;
		else
			b->insns[b->fix[i].pc].off = (int16_t)(target - b->fix[i].pc - 1);
	}
	return b->bad ? -EINVAL : 0;
}

#endif /* BPFRT_BENCH_PB_H */
