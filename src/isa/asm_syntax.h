/* SPDX-License-Identifier: MIT */
/*
 * src/isa/asm_syntax.h - the spellings the assembler reads and the
 * disassembler writes, kept in one place so the two cannot drift apart.
 *
 * Opcodes themselves come from src/isa/opcodes.h; this header only holds
 * the pieces of text that depend on an opcode's fields: the LLVM operator
 * of each ALU and jump operation, the names of the atomic operations and of
 * the pseudo sources of LDDW.
 */
#ifndef BPFRT_ISA_ASM_SYNTAX_H
#define BPFRT_ISA_ASM_SYNTAX_H

#include <stddef.h>
#include <stdint.h>

#include "bpfrt/insn.h"

/*
 * LLVM compound-assignment operator of each ALU operation, indexed by
 * BPFRT_OP(code) >> 4 ("+=" for BPFRT_ADD); NULL where the operation is not
 * written that way (NEG, MOV, END). The signed forms of DIV and MOD
 * (off 1) put an "s" in front: "s/=", "s%=".
 */
extern const char *const asm_alu_llvm_op[16];

/*
 * LLVM comparison of each conditional jump, indexed by BPFRT_OP(code) >> 4
 * ("==" for BPFRT_JEQ, "s<" for BPFRT_JSLT); NULL for JA, CALL, EXIT.
 */
extern const char *const asm_jmp_llvm_op[16];

/*
 * Names of the atomic operations (imm of BPFRT_STX | BPFRT_ATOMIC) without
 * the fetch bit, indexed by imm >> 4: "add", "or", "and", "xor"; "xchg" and
 * "cmpxchg" (which always fetch).
 */
extern const char *const asm_atomic_op[16];

/*
 * Pseudo sources of LDDW by src_reg (1..6), as written in both syntaxes:
 * map_fd(imm), map_value(imm, imm2), btf_id(imm), func(target),
 * map_idx(imm), map_idx_value(imm, imm2). Index 0 is NULL.
 */
#define ASM_PSEUDO_MAX 6
extern const char *const asm_pseudo_name[ASM_PSEUDO_MAX + 1];

/* True if the pseudo source always shows its second immediate. */
static inline int asm_pseudo_has_imm2(unsigned src)
{
	return src == BPFRT_PSEUDO_MAP_VALUE || src == BPFRT_PSEUDO_MAP_IDX_VALUE;
}

/*
 * The raw form every byte sequence can be written in: ".quad 0x" followed
 * by the 16 hex digits of the slot read as a little-endian u64.
 */
uint64_t asm_insn_to_u64(const struct bpfrt_insn *insn);
struct bpfrt_insn asm_u64_to_insn(uint64_t v);

#endif /* BPFRT_ISA_ASM_SYNTAX_H */
