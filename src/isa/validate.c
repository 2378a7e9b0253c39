/* SPDX-License-Identifier: MIT */
/*
 * Structural validation: what a program must satisfy before any engine may
 * run it. The field rules follow the kernel's (kernel/bpf/verifier.c
 * rejects non-zero reserved fields), so bytecode bpfrt accepts here is
 * bytecode whose encoding the kernel accepts too.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/core.h"
#include "isa/isa.h"
#include "isa/opcodes.h"

struct vctx {
	const struct bpfrt_insn *insns;
	size_t cnt;
	char *log;
	size_t log_size;
	uint8_t *flags; /* per pc: F_* below */
};

#define F_LDDW_TAIL 0x01 /* second slot of an LDDW */
#define F_FUNC      0x02 /* first instruction of a function */

static int reject(struct vctx *v, size_t pc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int reject(struct vctx *v, size_t pc, const char *fmt, ...)
{
	char why[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	core_log(v->log, v->log_size, "pc %zu: %s", pc, why);
	return -EINVAL;
}

/* Does this instruction write its dst_reg (so dst r10 is forbidden)? */
static bool writes_dst(enum isa_kind kind)
{
	switch (kind) {
	case ISA_ALU_K: case ISA_ALU_X: case ISA_SHIFT_K: case ISA_DIV_K: case ISA_DIV_X:
	case ISA_MOV_K: case ISA_MOV_X: case ISA_NEG: case ISA_END: case ISA_LDDW:
	case ISA_LDX: case ISA_LDXSX:
		return true;
	default:
		return false;
	}
}

#define WHY(...) (snprintf(why, size, __VA_ARGS__), -EINVAL)

int isa_check_insn(const struct bpfrt_insn *in, size_t remaining, char *why, size_t size)
{
	const struct isa_op *op = &isa_ops[in->code];
	bool alu64 = BPFRT_CLASS(in->code) == BPFRT_ALU64;

	if (!op->valid)
		return WHY("unknown opcode 0x%02x", in->code);
	if (in->dst_reg > BPFRT_REG_10)
		return WHY("invalid dst register r%u", in->dst_reg);
	/* LDDW and CALL use src_reg as a selector, checked below. */
	if (in->src_reg > BPFRT_REG_10 && op->kind != ISA_LDDW && op->kind != ISA_CALL)
		return WHY("invalid src register r%u", in->src_reg);

	switch ((enum isa_kind)op->kind) {
	case ISA_ALU_K:
	case ISA_SHIFT_K:
	case ISA_MOV_K:
		if (in->src_reg || in->off)
			return WHY("%s with an immediate uses reserved fields (src_reg %u, off %d must be 0)",
				   op->mnemonic, in->src_reg, in->off);
		break;
	case ISA_ALU_X:
		if (in->imm || in->off)
			return WHY("%s with a register uses reserved fields (imm %d, off %d must be 0)",
				   op->mnemonic, in->imm, in->off);
		break;
	case ISA_DIV_K:
	case ISA_DIV_X:
		if ((op->kind == ISA_DIV_K ? in->src_reg != 0 : in->imm != 0) || (in->off != 0 && in->off != 1))
			return WHY("%s uses reserved fields (off %d must be 0, or 1 for the signed form)",
				   op->mnemonic, in->off);
		break;
	case ISA_MOV_X:
		if (in->imm || !(in->off == 0 || in->off == 8 || in->off == 16 || (alu64 && in->off == 32)))
			return WHY("%s uses reserved fields (imm %d must be 0; off %d must be 0, 8, 16%s)",
				   op->mnemonic, in->imm, in->off, alu64 ? " or 32" : "");
		break;
	case ISA_NEG:
		if (in->src_reg || in->off || in->imm)
			return WHY("%s uses reserved fields", op->mnemonic);
		break;
	case ISA_END:
		if (in->src_reg || in->off)
			return WHY("byte swap uses reserved fields");
		if (in->imm != 16 && in->imm != 32 && in->imm != 64)
			return WHY("byte swap width %d is not 16, 32 or 64", in->imm);
		break;
	case ISA_JMP_K:
		if (in->src_reg)
			return WHY("%s with an immediate uses reserved fields (src_reg %u)", op->mnemonic,
				   in->src_reg);
		break;
	case ISA_JMP_X:
		if (in->imm)
			return WHY("%s with a register uses reserved fields (imm %d)", op->mnemonic, in->imm);
		break;
	case ISA_JA:
		if (in->src_reg || in->dst_reg || in->imm)
			return WHY("ja uses reserved fields");
		break;
	case ISA_JA32:
		if (in->src_reg || in->dst_reg || in->off)
			return WHY("gotol uses reserved fields");
		break;
	case ISA_CALL:
		if (in->dst_reg || in->off)
			return WHY("call uses reserved fields (dst_reg %u, off %d)", in->dst_reg, in->off);
		if (in->src_reg > BPFRT_PSEUDO_KFUNC_CALL)
			return WHY("call has unknown src_reg %u", in->src_reg);
		break;
	case ISA_CALLX:
		if (in->src_reg || in->off || in->imm)
			return WHY("callx uses reserved fields (the helper id register is dst_reg)");
		break;
	case ISA_EXIT:
		if (in->src_reg || in->dst_reg || in->off || in->imm)
			return WHY("exit uses reserved fields");
		break;
	case ISA_LDDW:
		if (in->off)
			return WHY("lddw uses reserved fields (off %d)", in->off);
		if (in->src_reg > BPFRT_PSEUDO_MAP_IDX_VALUE)
			return WHY("lddw has unknown pseudo source %u", in->src_reg);
		if (remaining < 2)
			return WHY("lddw is missing its second slot");
		if (in[1].code || in[1].dst_reg || in[1].src_reg || in[1].off)
			return WHY("second slot of lddw must have only imm set");
		break;
	case ISA_LDABS:
		if (in->dst_reg || in->src_reg || in->off)
			return WHY("ld_abs uses reserved fields");
		break;
	case ISA_LDIND:
		if (in->dst_reg || in->off)
			return WHY("ld_ind uses reserved fields");
		break;
	case ISA_LDX:
	case ISA_LDXSX:
	case ISA_STX:
		if (in->imm)
			return WHY("%s uses reserved fields (imm %d)", op->mnemonic, in->imm);
		break;
	case ISA_ST:
		if (in->src_reg)
			return WHY("%s uses reserved fields (src_reg %u)", op->mnemonic, in->src_reg);
		break;
	case ISA_ATOMIC:
		if (!isa_atomic_op_valid(in->imm))
			return WHY("unknown atomic operation 0x%x", (unsigned)in->imm);
		break;
	}
	return 0;
}

#undef WHY

static bool is_call_local(const struct bpfrt_insn *in)
{
	return in->code == OP_CALL && in->src_reg == BPFRT_PSEUDO_CALL;
}

/* Jumps and local calls have a target; everything else does not. */
static bool has_target(const struct bpfrt_insn *in)
{
	switch ((enum isa_kind)isa_ops[in->code].kind) {
	case ISA_JMP_K: case ISA_JMP_X: case ISA_JA: case ISA_JA32:
		return true;
	default:
		return is_call_local(in);
	}
}

/* The target of a jump or local call at pc (see has_target()). */
static int64_t branch_target(const struct bpfrt_insn *in, size_t pc)
{
	if (in->code == OP_JA32 || in->code == OP_CALL)
		return (int64_t)pc + in->imm + 1;
	return (int64_t)pc + in->off + 1;
}

/* May execution continue from this instruction to the next one? */
static bool falls_through(const struct bpfrt_insn *in)
{
	return !(in->code == OP_EXIT || in->code == OP_JA || in->code == OP_JA32);
}

/* Pass 1: each instruction on its own; mark LDDW tails. */
static int check_insns(struct vctx *v)
{
	for (size_t pc = 0; pc < v->cnt; pc++) {
		const struct bpfrt_insn *in = &v->insns[pc];
		const struct isa_op *op = &isa_ops[in->code];
		char why[160];

		if (isa_check_insn(in, v->cnt - pc, why, sizeof(why))) {
			/* A bad second slot is reported at its own pc. */
			bool tail = op->kind == ISA_LDDW && !strncmp(why, "second slot", 11);

			return reject(v, pc + tail, "%s", why);
		}
		if (writes_dst(op->kind) && in->dst_reg == BPFRT_REG_10)
			return reject(v, pc, "%s writes r10, the read-only frame pointer", op->mnemonic);
		if (op->kind == ISA_CALL && in->src_reg == BPFRT_PSEUDO_KFUNC_CALL)
			return reject(v, pc, "call to kernel function (BTF id %d) is not supported", in->imm);
		if (in->code == OP_LDDW)
			v->flags[++pc] |= F_LDDW_TAIL;
	}
	return 0;
}

/* Pass 2: branch targets; function starts. */
static int check_targets(struct vctx *v)
{
	v->flags[0] |= F_FUNC;
	for (size_t pc = 0; pc < v->cnt; pc++) {
		const struct bpfrt_insn *in = &v->insns[pc];
		int64_t t;

		if ((v->flags[pc] & F_LDDW_TAIL) || !has_target(in))
			continue;
		t = branch_target(in, pc);
		if (t < 0 || t >= (int64_t)v->cnt)
			return reject(v, pc, "%s out of range: target %lld outside [0, %zu)",
				      is_call_local(in) ? "call" : "jump", (long long)t, v->cnt);
		if (v->flags[t] & F_LDDW_TAIL)
			return reject(v, pc, "%s into the middle of the lddw at pc %lld",
				      is_call_local(in) ? "call" : "jump", (long long)t - 1);
		if (is_call_local(in))
			v->flags[t] |= F_FUNC;
	}
	return 0;
}

/*
 * Pass 3: each function (from one start to the next) must not let control
 * fall off its end, and its jumps must stay inside it, as in the kernel.
 */
static int check_functions(struct vctx *v)
{
	size_t start = 0;

	while (start < v->cnt) {
		size_t end = start + 1, last;

		while (end < v->cnt && !(v->flags[end] & F_FUNC))
			end++;
		last = end - 1;
		if (v->flags[last] & F_LDDW_TAIL)
			last--;
		if (falls_through(&v->insns[last]))
			return reject(v, last, "%s falls off the end of the %s",
				      isa_ops[v->insns[last].code].mnemonic,
				      end == v->cnt && start == 0 ? "program" : "function");
		for (size_t pc = start; pc < end; pc++) {
			const struct bpfrt_insn *in = &v->insns[pc];
			int64_t t;

			if ((v->flags[pc] & F_LDDW_TAIL) || is_call_local(in) || !has_target(in))
				continue;
			t = branch_target(in, pc);
			if (t < (int64_t)start || t >= (int64_t)end)
				return reject(v, pc, "jump to pc %lld leaves the function at pc %zu..%zu",
					      (long long)t, start, end - 1);
		}
		start = end;
	}
	return 0;
}

int isa_validate(const struct bpfrt_insn *insns, size_t cnt, char *log, size_t log_size)
{
	struct vctx v = { .insns = insns, .cnt = cnt, .log = log, .log_size = log_size };
	int err;

	if (cnt == 0) {
		core_log(log, log_size, "program is empty");
		return -EINVAL;
	}
	if (cnt > BPFRT_MAX_INSNS) {
		core_log(log, log_size, "program has %zu instructions, more than the limit of %d",
			 cnt, BPFRT_MAX_INSNS);
		return -E2BIG;
	}
	v.flags = core_calloc(cnt, 1);
	if (!v.flags)
		return -ENOMEM;
	err = check_insns(&v);
	if (!err)
		err = check_targets(&v);
	if (!err)
		err = check_functions(&v);
	core_free(v.flags);
	return err;
}
