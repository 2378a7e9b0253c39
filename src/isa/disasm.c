/* SPDX-License-Identifier: MIT */
/*
 * src/isa/disasm.c - the disassembler, in LLVM or uBPF syntax.
 *
 * The LLVM syntax is what `llvm-objdump-19 -d --mcpu=v4` prints, character
 * for character (immediates and offsets in hex, `w` registers for 32-bit
 * loads, stores and atomics), minus the `<sym+off>` note objdump adds after
 * jump targets. Where LLVM cannot tell two encodings apart, or drops a
 * field, this disassembler departs from it so that its output always
 * reassembles to the same bytes:
 *
 *   call pc+0x3              local call (src_reg 1); LLVM: call 0x3
 *   call kfunc 0x3           kfunc call (src_reg 2); LLVM: call 0x3
 *   r1 = map_fd(0x3) ll      pseudo LDDW sources; LLVM: ld_pseudo r1, 0x1, 0x3
 *   r0 = *(u8 *)skb[r3 + 0x4]   LD_IND with imm != 0; LLVM drops the imm
 *
 * The uBPF syntax is described at the top of asm.c.
 *
 * An instruction that is not valid (unknown opcode, nonzero reserved field,
 * register above r10, truncated LDDW...) is printed as its raw slot,
 * `.quad 0x<16 hex digits> # <reason>`, which the assembler reads back as
 * the same 8 bytes: any byte sequence round-trips, one slot at a time.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "bpfrt/asm.h"
#include "isa/asm_syntax.h"
#include "isa/isa.h"
#include "isa/opcodes.h"

const char *const asm_alu_llvm_op[16] = {
	[BPFRT_ADD >> 4] = "+=",  [BPFRT_SUB >> 4] = "-=",  [BPFRT_MUL >> 4] = "*=",
	[BPFRT_DIV >> 4] = "/=",  [BPFRT_OR >> 4] = "|=",   [BPFRT_AND >> 4] = "&=",
	[BPFRT_LSH >> 4] = "<<=", [BPFRT_RSH >> 4] = ">>=", [BPFRT_MOD >> 4] = "%=",
	[BPFRT_XOR >> 4] = "^=",  [BPFRT_ARSH >> 4] = "s>>=",
};

const char *const asm_jmp_llvm_op[16] = {
	[BPFRT_JEQ >> 4] = "==",  [BPFRT_JGT >> 4] = ">",   [BPFRT_JGE >> 4] = ">=",
	[BPFRT_JSET >> 4] = "&",  [BPFRT_JNE >> 4] = "!=",  [BPFRT_JSGT >> 4] = "s>",
	[BPFRT_JSGE >> 4] = "s>=", [BPFRT_JLT >> 4] = "<",  [BPFRT_JLE >> 4] = "<=",
	[BPFRT_JSLT >> 4] = "s<", [BPFRT_JSLE >> 4] = "s<=",
};

const char *const asm_atomic_op[16] = {
	[BPFRT_ADD >> 4] = "add", [BPFRT_OR >> 4] = "or",     [BPFRT_AND >> 4] = "and",
	[BPFRT_XOR >> 4] = "xor", [BPFRT_XCHG >> 4] = "xchg", [BPFRT_CMPXCHG >> 4] = "cmpxchg",
};

const char *const asm_pseudo_name[ASM_PSEUDO_MAX + 1] = {
	[BPFRT_PSEUDO_MAP_FD] = "map_fd",
	[BPFRT_PSEUDO_MAP_VALUE] = "map_value",
	[BPFRT_PSEUDO_BTF_ID] = "btf_id",
	[BPFRT_PSEUDO_FUNC] = "func",
	[BPFRT_PSEUDO_MAP_IDX] = "map_idx",
	[BPFRT_PSEUDO_MAP_IDX_VALUE] = "map_idx_value",
};

uint64_t asm_insn_to_u64(const struct bpfrt_insn *insn)
{
	uint8_t b[8];
	uint64_t v = 0;

	memcpy(b, insn, sizeof(b));
	for (int i = 7; i >= 0; i--)
		v = v << 8 | b[i];
	return v;
}

struct bpfrt_insn asm_u64_to_insn(uint64_t v)
{
	struct bpfrt_insn insn;
	uint8_t b[8];

	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	memcpy(&insn, b, sizeof(insn));
	return insn;
}

/* A bounded line buffer: output past the end is dropped, still terminated. */
struct out {
	char *buf;
	size_t size;
	size_t len;
};

__attribute__((format(printf, 2, 3))) static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->len >= o->size)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->len, o->size - o->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len += (size_t)n;
}

static uint64_t magnitude(int64_t v)
{
	return v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
}

/* LLVM immediates: 0x1f, -0x1f. */
static void put_hex(struct out *o, int64_t v)
{
	put(o, "%s0x%" PRIx64, v < 0 ? "-" : "", magnitude(v));
}

/* uBPF immediates: decimal while short, hex beyond 16 bits. */
static void put_num(struct out *o, int64_t v)
{
	if (magnitude(v) <= 0xffff)
		put(o, "%" PRId64, v);
	else
		put(o, "%s0x%" PRIx64, v < 0 ? "-" : "", magnitude(v));
}

/* Relative targets: +0x3 / -0x3 (LLVM), +3 / -3 (uBPF). */
static void put_rel(struct out *o, int64_t v, bool llvm)
{
	if (llvm)
		put(o, "%s0x%" PRIx64, v < 0 ? "-" : "+", magnitude(v));
	else
		put(o, "%+" PRId64, v);
}

static void put_reg(struct out *o, unsigned reg, bool w)
{
	put(o, "%c%u", w ? 'w' : 'r', reg);
}

/* LLVM memory operand: (r1 + 0x8), (r10 - 0x4). */
static void put_mem_llvm(struct out *o, unsigned reg, int16_t off)
{
	put(o, "(r%u %c 0x%" PRIx64 ")", reg, off < 0 ? '-' : '+', magnitude(off));
}

/* uBPF memory operand: [r1+8], [r10-4]. */
static void put_mem_ubpf(struct out *o, unsigned reg, int16_t off)
{
	put(o, "[r%u%+d]", reg, off);
}

static unsigned size_bits(uint8_t code)
{
	return isa_size_bytes(code) * 8;
}

static void disasm_alu(struct out *o, const struct bpfrt_insn *in, const struct isa_op *op,
		       bool llvm)
{
	bool w = BPFRT_CLASS(in->code) == BPFRT_ALU; /* LLVM writes 32-bit operands wN */
	bool x = BPFRT_SRC(in->code) == BPFRT_X;
	bool is_signed = in->off == 1 && (op->kind == ISA_DIV_K || op->kind == ISA_DIV_X);

	switch ((enum isa_kind)op->kind) {
	case ISA_NEG:
		if (llvm) {
			put_reg(o, in->dst_reg, w);
			put(o, " = -");
			put_reg(o, in->dst_reg, w);
		} else {
			put(o, "%s r%u", op->mnemonic, in->dst_reg);
		}
		return;
	case ISA_END:
		if (llvm)
			put(o, "r%u = %s%d r%u", in->dst_reg,
			    BPFRT_CLASS(in->code) == BPFRT_ALU64 ? "bswap" :
			    BPFRT_SRC(in->code) == BPFRT_TO_BE ? "be" : "le",
			    in->imm, in->dst_reg);
		else
			put(o, "%s%d r%u", op->mnemonic, in->imm, in->dst_reg);
		return;
	case ISA_MOV_X:
		if (in->off) { /* MOVSX */
			if (llvm)
				put(o, "%c%u = (s%d)%c%u", w ? 'w' : 'r', in->dst_reg, in->off,
				    w ? 'w' : 'r', in->src_reg);
			else
				put(o, "movsx%d%d r%u, r%u", in->off, w ? 32 : 64, in->dst_reg,
				    in->src_reg);
			return;
		}
		/* fall through */
	case ISA_MOV_K:
		if (llvm) {
			put_reg(o, in->dst_reg, w);
			put(o, " = ");
		} else {
			put(o, "%s r%u, ", op->mnemonic, in->dst_reg);
		}
		break;
	default: /* r1 += r2, r1 s/= 3; add r1, r2, sdiv r1, 3 */
		if (llvm) {
			put_reg(o, in->dst_reg, w);
			put(o, " %s%s ", is_signed ? "s" : "",
			    asm_alu_llvm_op[BPFRT_OP(in->code) >> 4]);
		} else {
			put(o, "%s%s r%u, ", is_signed ? "s" : "", op->mnemonic, in->dst_reg);
		}
		break;
	}
	if (x)
		put_reg(o, in->src_reg, w && llvm);
	else if (llvm)
		put_hex(o, in->imm);
	else
		put_num(o, in->imm);
}

static void disasm_jmp(struct out *o, const struct bpfrt_insn *in, const struct isa_op *op,
		       bool llvm)
{
	bool w = BPFRT_CLASS(in->code) == BPFRT_JMP32;

	switch ((enum isa_kind)op->kind) {
	case ISA_JA:
		put(o, "%s ", llvm ? "goto" : op->mnemonic);
		put_rel(o, in->off, llvm);
		return;
	case ISA_JA32:
		put(o, "%s ", op->mnemonic);
		put_rel(o, in->imm, llvm);
		return;
	case ISA_CALL:
		put(o, "%s ", op->mnemonic);
		if (in->src_reg == BPFRT_PSEUDO_CALL) {
			put(o, "%s", llvm ? "pc" : "local ");
			put_rel(o, in->imm, llvm);
			return;
		}
		if (in->src_reg == BPFRT_PSEUDO_KFUNC_CALL)
			put(o, "%s ", llvm ? "kfunc" : "runtime");
		if (llvm)
			put_hex(o, in->imm);
		else
			put_num(o, in->imm);
		return;
	case ISA_CALLX:
		put(o, "%s r%u", op->mnemonic, in->dst_reg);
		return;
	case ISA_EXIT:
		put(o, "%s", op->mnemonic);
		return;
	default:
		break;
	}
	if (llvm) {
		put(o, "if ");
		put_reg(o, in->dst_reg, w);
		put(o, " %s ", asm_jmp_llvm_op[BPFRT_OP(in->code) >> 4]);
		if (BPFRT_SRC(in->code) == BPFRT_X)
			put_reg(o, in->src_reg, w);
		else
			put_hex(o, in->imm);
		put(o, " goto ");
	} else {
		put(o, "%s r%u, ", op->mnemonic, in->dst_reg);
		if (BPFRT_SRC(in->code) == BPFRT_X)
			put(o, "r%u", in->src_reg);
		else
			put_num(o, in->imm);
		put(o, ", ");
	}
	put_rel(o, in->off, llvm);
}

static void disasm_lddw(struct out *o, const struct bpfrt_insn *in, const struct isa_op *op,
			bool llvm)
{
	uint64_t v = (uint64_t)(uint32_t)in[0].imm | (uint64_t)(uint32_t)in[1].imm << 32;
	unsigned src = in->src_reg;

	if (llvm)
		put(o, "r%u = ", in->dst_reg);
	else
		put(o, "%s r%u, ", op->mnemonic, in->dst_reg);
	if (src == 0) {
		if (llvm)
			put(o, "%s0x%" PRIx64 " ll", (int64_t)v < 0 ? "-" : "",
			    magnitude((int64_t)v));
		else
			put(o, "0x%" PRIx64, v);
		return;
	}
	put(o, "%s(", asm_pseudo_name[src]);
	if (src == BPFRT_PSEUDO_FUNC)
		put_rel(o, in[0].imm, llvm);
	else if (llvm)
		put_hex(o, in[0].imm);
	else
		put_num(o, in[0].imm);
	if (asm_pseudo_has_imm2(src) || in[1].imm) {
		put(o, ", ");
		if (llvm)
			put_hex(o, in[1].imm);
		else
			put_num(o, in[1].imm);
	}
	put(o, ")%s", llvm ? " ll" : "");
}

static void disasm_mem(struct out *o, const struct bpfrt_insn *in, const struct isa_op *op,
		       bool llvm)
{
	unsigned bits = size_bits(in->code);
	bool w = bits < 64; /* LLVM (alu32): sub-64-bit loads and stores use w registers */

	if (!llvm) {
		switch ((enum isa_kind)op->kind) {
		case ISA_LDABS:
			put(o, "%s ", op->mnemonic);
			put_num(o, in->imm);
			break;
		case ISA_LDIND:
			put(o, "%s r%u, ", op->mnemonic, in->src_reg);
			put_num(o, in->imm);
			break;
		case ISA_LDX:
		case ISA_LDXSX:
			put(o, "%s r%u, ", op->mnemonic, in->dst_reg);
			put_mem_ubpf(o, in->src_reg, in->off);
			break;
		case ISA_ST:
			put(o, "%s ", op->mnemonic);
			put_mem_ubpf(o, in->dst_reg, in->off);
			put(o, ", ");
			put_num(o, in->imm);
			break;
		case ISA_STX:
			put(o, "%s ", op->mnemonic);
			put_mem_ubpf(o, in->dst_reg, in->off);
			put(o, ", r%u", in->src_reg);
			break;
		default:
			break;
		}
		return;
	}
	switch ((enum isa_kind)op->kind) {
	case ISA_LDABS:
		put(o, "r0 = *(u%u *)skb[", bits);
		put_hex(o, in->imm);
		put(o, "]");
		break;
	case ISA_LDIND:
		put(o, "r0 = *(u%u *)skb[r%u", bits, in->src_reg);
		if (in->imm)
			put(o, " %c 0x%" PRIx64, in->imm < 0 ? '-' : '+', magnitude(in->imm));
		put(o, "]");
		break;
	case ISA_LDX:
		put_reg(o, in->dst_reg, w);
		put(o, " = *(u%u *)", bits);
		put_mem_llvm(o, in->src_reg, in->off);
		break;
	case ISA_LDXSX:
		put(o, "r%u = *(s%u *)", in->dst_reg, bits);
		put_mem_llvm(o, in->src_reg, in->off);
		break;
	case ISA_ST:
		put(o, "*(u%u *)", bits);
		put_mem_llvm(o, in->dst_reg, in->off);
		put(o, " = ");
		put_hex(o, in->imm);
		break;
	case ISA_STX:
		put(o, "*(u%u *)", bits);
		put_mem_llvm(o, in->dst_reg, in->off);
		put(o, " = ");
		put_reg(o, in->src_reg, w);
		break;
	default:
		break;
	}
}

static void disasm_atomic(struct out *o, const struct bpfrt_insn *in, bool llvm)
{
	unsigned bits = size_bits(in->code);
	bool w = bits == 32;
	const char *name = asm_atomic_op[(in->imm & 0xf0) >> 4];
	bool fetch = in->imm & BPFRT_FETCH;

	if (!llvm) {
		put(o, "lock %s%s%s ", fetch && in->imm != BPFRT_XCHG && in->imm != BPFRT_CMPXCHG ?
		    "fetch " : "", name, w ? "32" : "");
		put_mem_ubpf(o, in->dst_reg, in->off);
		put(o, ", r%u", in->src_reg);
		return;
	}
	if (in->imm == BPFRT_CMPXCHG) {
		/* r0 is both the expected value and the result. */
		put(o, "%c0 = cmpxchg%s_%u(r%u %c 0x%" PRIx64 ", %c0, ", w ? 'w' : 'r',
		    w ? "32" : "", bits, in->dst_reg, in->off < 0 ? '-' : '+',
		    magnitude(in->off), w ? 'w' : 'r');
		put_reg(o, in->src_reg, w);
		put(o, ")");
	} else if (in->imm == BPFRT_XCHG) {
		put_reg(o, in->src_reg, w);
		put(o, " = xchg%s_%u(r%u %c 0x%" PRIx64 ", ", w ? "32" : "", bits, in->dst_reg,
		    in->off < 0 ? '-' : '+', magnitude(in->off));
		put_reg(o, in->src_reg, w);
		put(o, ")");
	} else if (fetch) {
		put_reg(o, in->src_reg, w);
		put(o, " = atomic_fetch_%s((u%u *)", name, bits);
		put_mem_llvm(o, in->dst_reg, in->off);
		put(o, ", ");
		put_reg(o, in->src_reg, w);
		put(o, ")");
	} else {
		put(o, "lock *(u%u *)", bits);
		put_mem_llvm(o, in->dst_reg, in->off);
		put(o, " %s ", asm_alu_llvm_op[in->imm >> 4]);
		put_reg(o, in->src_reg, w);
	}
}

int bpfrt_disasm_insn(const struct bpfrt_insn *insns, size_t remaining,
		      enum bpfrt_syntax syntax, char *buf, size_t size)
{
	struct out o = { .buf = buf, .size = buf ? size : 0 };
	const struct isa_op *op;
	bool llvm = syntax == BPFRT_SYNTAX_LLVM;
	char why[96];

	if (o.size)
		buf[0] = '\0';
	if (!insns || remaining == 0) {
		put(&o, "no instruction");
		return -EINVAL;
	}
	if (syntax != BPFRT_SYNTAX_LLVM && syntax != BPFRT_SYNTAX_UBPF) {
		put(&o, "unknown syntax %d", (int)syntax);
		return -EINVAL;
	}
	if (isa_check_insn(insns, remaining, why, sizeof(why))) {
		put(&o, ".quad 0x%016" PRIx64 " # %s", asm_insn_to_u64(insns), why);
		return -EINVAL;
	}
	op = &isa_ops[insns->code];
	switch (BPFRT_CLASS(insns->code)) {
	case BPFRT_ALU:
	case BPFRT_ALU64:
		disasm_alu(&o, insns, op, llvm);
		break;
	case BPFRT_JMP:
	case BPFRT_JMP32:
		disasm_jmp(&o, insns, op, llvm);
		break;
	case BPFRT_LD:
		if (op->kind == ISA_LDDW)
			disasm_lddw(&o, insns, op, llvm);
		else
			disasm_mem(&o, insns, op, llvm);
		break;
	case BPFRT_STX:
		if (op->kind == ISA_ATOMIC) {
			disasm_atomic(&o, insns, llvm);
			break;
		}
		/* fall through */
	default:
		disasm_mem(&o, insns, op, llvm);
		break;
	}
	return (int)isa_slots(insns->code);
}

int bpfrt_disasm(const struct bpfrt_insn *insns, size_t cnt, enum bpfrt_syntax syntax,
		 bpfrt_disasm_line_fn fn, void *ctx)
{
	char line[192];
	int ret = 0;

	if ((!insns && cnt) || !fn)
		return -EINVAL;
	if (syntax != BPFRT_SYNTAX_LLVM && syntax != BPFRT_SYNTAX_UBPF)
		return -EINVAL;
	for (size_t pc = 0; pc < cnt;) {
		int n = bpfrt_disasm_insn(insns + pc, cnt - pc, syntax, line, sizeof(line));

		fn(ctx, pc, line);
		if (n < 0) {
			ret = -EINVAL;
			n = 1; /* an invalid slot is shown alone, as .quad */
		}
		pc += (size_t)n;
	}
	return ret;
}
