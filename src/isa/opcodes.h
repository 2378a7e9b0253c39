/* SPDX-License-Identifier: MIT */
/*
 * src/isa/opcodes.h - the one table of valid eBPF opcodes.
 *
 * Every part of bpfrt that needs to know about opcodes expands this list:
 * the structural validator, both interpreter flavours (jump table and
 * switch), the assembler and the disassembler (and later the verifier and
 * the JIT). An opcode byte that is not listed here is invalid everywhere.
 *
 * X(NAME, CODE, KIND, MNEMONIC)
 *   NAME      identifier used for the interpreter's handler labels (OP_NAME)
 *   CODE      the opcode byte (kernel / RFC 9669 value)
 *   KIND      the operand shape, which fixes what the other fields of the
 *             instruction may hold (see enum isa_kind below)
 *   MNEMONIC  the mnemonic in the uBPF / conformance-suite syntax
 *             (`add32`, `ldxw`, `jeq`...); the LLVM syntax is derived from
 *             the opcode's fields by the assembler and disassembler.
 *
 * Opcodes whose meaning also depends on `off` (SDIV/SMOD with off 1,
 * MOVSX with off 8/16/32) share one row with their plain form: the row is
 * the opcode byte, and the validator checks `off` per KIND.
 */
#ifndef BPFRT_ISA_OPCODES_H
#define BPFRT_ISA_OPCODES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpfrt/insn.h"

#define ISA_OPCODES(X) \
	X(ADD64_K   , 0x07, ALU_K  , "add") \
	X(ADD64_X   , 0x0f, ALU_X  , "add") \
	X(SUB64_K   , 0x17, ALU_K  , "sub") \
	X(SUB64_X   , 0x1f, ALU_X  , "sub") \
	X(MUL64_K   , 0x27, ALU_K  , "mul") \
	X(MUL64_X   , 0x2f, ALU_X  , "mul") \
	X(DIV64_K   , 0x37, DIV_K  , "div") \
	X(DIV64_X   , 0x3f, DIV_X  , "div") \
	X(OR64_K    , 0x47, ALU_K  , "or") \
	X(OR64_X    , 0x4f, ALU_X  , "or") \
	X(AND64_K   , 0x57, ALU_K  , "and") \
	X(AND64_X   , 0x5f, ALU_X  , "and") \
	X(LSH64_K   , 0x67, SHIFT_K, "lsh") \
	X(LSH64_X   , 0x6f, ALU_X  , "lsh") \
	X(RSH64_K   , 0x77, SHIFT_K, "rsh") \
	X(RSH64_X   , 0x7f, ALU_X  , "rsh") \
	X(MOD64_K   , 0x97, DIV_K  , "mod") \
	X(MOD64_X   , 0x9f, DIV_X  , "mod") \
	X(XOR64_K   , 0xa7, ALU_K  , "xor") \
	X(XOR64_X   , 0xaf, ALU_X  , "xor") \
	X(MOV64_K   , 0xb7, MOV_K  , "mov") \
	X(MOV64_X   , 0xbf, MOV_X  , "mov") \
	X(ARSH64_K  , 0xc7, SHIFT_K, "arsh") \
	X(ARSH64_X  , 0xcf, ALU_X  , "arsh") \
	X(NEG64     , 0x87, NEG    , "neg") \
	X(ADD32_K   , 0x04, ALU_K  , "add32") \
	X(ADD32_X   , 0x0c, ALU_X  , "add32") \
	X(SUB32_K   , 0x14, ALU_K  , "sub32") \
	X(SUB32_X   , 0x1c, ALU_X  , "sub32") \
	X(MUL32_K   , 0x24, ALU_K  , "mul32") \
	X(MUL32_X   , 0x2c, ALU_X  , "mul32") \
	X(DIV32_K   , 0x34, DIV_K  , "div32") \
	X(DIV32_X   , 0x3c, DIV_X  , "div32") \
	X(OR32_K    , 0x44, ALU_K  , "or32") \
	X(OR32_X    , 0x4c, ALU_X  , "or32") \
	X(AND32_K   , 0x54, ALU_K  , "and32") \
	X(AND32_X   , 0x5c, ALU_X  , "and32") \
	X(LSH32_K   , 0x64, SHIFT_K, "lsh32") \
	X(LSH32_X   , 0x6c, ALU_X  , "lsh32") \
	X(RSH32_K   , 0x74, SHIFT_K, "rsh32") \
	X(RSH32_X   , 0x7c, ALU_X  , "rsh32") \
	X(MOD32_K   , 0x94, DIV_K  , "mod32") \
	X(MOD32_X   , 0x9c, DIV_X  , "mod32") \
	X(XOR32_K   , 0xa4, ALU_K  , "xor32") \
	X(XOR32_X   , 0xac, ALU_X  , "xor32") \
	X(MOV32_K   , 0xb4, MOV_K  , "mov32") \
	X(MOV32_X   , 0xbc, MOV_X  , "mov32") \
	X(ARSH32_K  , 0xc4, SHIFT_K, "arsh32") \
	X(ARSH32_X  , 0xcc, ALU_X  , "arsh32") \
	X(NEG32     , 0x84, NEG    , "neg32") \
	X(LE        , 0xd4, END    , "le") \
	X(BE        , 0xdc, END    , "be") \
	X(BSWAP     , 0xd7, END    , "swap") \
	X(JEQ64_K   , 0x15, JMP_K  , "jeq") \
	X(JEQ64_X   , 0x1d, JMP_X  , "jeq") \
	X(JGT64_K   , 0x25, JMP_K  , "jgt") \
	X(JGT64_X   , 0x2d, JMP_X  , "jgt") \
	X(JGE64_K   , 0x35, JMP_K  , "jge") \
	X(JGE64_X   , 0x3d, JMP_X  , "jge") \
	X(JSET64_K  , 0x45, JMP_K  , "jset") \
	X(JSET64_X  , 0x4d, JMP_X  , "jset") \
	X(JNE64_K   , 0x55, JMP_K  , "jne") \
	X(JNE64_X   , 0x5d, JMP_X  , "jne") \
	X(JSGT64_K  , 0x65, JMP_K  , "jsgt") \
	X(JSGT64_X  , 0x6d, JMP_X  , "jsgt") \
	X(JSGE64_K  , 0x75, JMP_K  , "jsge") \
	X(JSGE64_X  , 0x7d, JMP_X  , "jsge") \
	X(JLT64_K   , 0xa5, JMP_K  , "jlt") \
	X(JLT64_X   , 0xad, JMP_X  , "jlt") \
	X(JLE64_K   , 0xb5, JMP_K  , "jle") \
	X(JLE64_X   , 0xbd, JMP_X  , "jle") \
	X(JSLT64_K  , 0xc5, JMP_K  , "jslt") \
	X(JSLT64_X  , 0xcd, JMP_X  , "jslt") \
	X(JSLE64_K  , 0xd5, JMP_K  , "jsle") \
	X(JSLE64_X  , 0xdd, JMP_X  , "jsle") \
	X(JEQ32_K   , 0x16, JMP_K  , "jeq32") \
	X(JEQ32_X   , 0x1e, JMP_X  , "jeq32") \
	X(JGT32_K   , 0x26, JMP_K  , "jgt32") \
	X(JGT32_X   , 0x2e, JMP_X  , "jgt32") \
	X(JGE32_K   , 0x36, JMP_K  , "jge32") \
	X(JGE32_X   , 0x3e, JMP_X  , "jge32") \
	X(JSET32_K  , 0x46, JMP_K  , "jset32") \
	X(JSET32_X  , 0x4e, JMP_X  , "jset32") \
	X(JNE32_K   , 0x56, JMP_K  , "jne32") \
	X(JNE32_X   , 0x5e, JMP_X  , "jne32") \
	X(JSGT32_K  , 0x66, JMP_K  , "jsgt32") \
	X(JSGT32_X  , 0x6e, JMP_X  , "jsgt32") \
	X(JSGE32_K  , 0x76, JMP_K  , "jsge32") \
	X(JSGE32_X  , 0x7e, JMP_X  , "jsge32") \
	X(JLT32_K   , 0xa6, JMP_K  , "jlt32") \
	X(JLT32_X   , 0xae, JMP_X  , "jlt32") \
	X(JLE32_K   , 0xb6, JMP_K  , "jle32") \
	X(JLE32_X   , 0xbe, JMP_X  , "jle32") \
	X(JSLT32_K  , 0xc6, JMP_K  , "jslt32") \
	X(JSLT32_X  , 0xce, JMP_X  , "jslt32") \
	X(JSLE32_K  , 0xd6, JMP_K  , "jsle32") \
	X(JSLE32_X  , 0xde, JMP_X  , "jsle32") \
	X(JA        , 0x05, JA     , "ja") \
	X(JA32      , 0x06, JA32   , "gotol") \
	X(CALL      , 0x85, CALL   , "call") \
	X(CALLX     , 0x8d, CALLX  , "callx") \
	X(EXIT      , 0x95, EXIT   , "exit") \
	X(LDDW      , 0x18, LDDW   , "lddw") \
	X(LDABSB    , 0x30, LDABS  , "ldabsb") \
	X(LDABSH    , 0x28, LDABS  , "ldabsh") \
	X(LDABSW    , 0x20, LDABS  , "ldabsw") \
	X(LDINDB    , 0x50, LDIND  , "ldindb") \
	X(LDINDH    , 0x48, LDIND  , "ldindh") \
	X(LDINDW    , 0x40, LDIND  , "ldindw") \
	X(LDXB      , 0x71, LDX    , "ldxb") \
	X(LDXH      , 0x69, LDX    , "ldxh") \
	X(LDXW      , 0x61, LDX    , "ldxw") \
	X(LDXDW     , 0x79, LDX    , "ldxdw") \
	X(LDXSB     , 0x91, LDXSX  , "ldxsb") \
	X(LDXSH     , 0x89, LDXSX  , "ldxsh") \
	X(LDXSW     , 0x81, LDXSX  , "ldxsw") \
	X(STB       , 0x72, ST     , "stb") \
	X(STH       , 0x6a, ST     , "sth") \
	X(STW       , 0x62, ST     , "stw") \
	X(STDW      , 0x7a, ST     , "stdw") \
	X(STXB      , 0x73, STX    , "stxb") \
	X(STXH      , 0x6b, STX    , "stxh") \
	X(STXW      , 0x63, STX    , "stxw") \
	X(STXDW     , 0x7b, STX    , "stxdw") \
	X(ATOMIC32  , 0xc3, ATOMIC , "atomic32") \
	X(ATOMIC64  , 0xdb, ATOMIC , "atomic64")

/* Operand shapes. */
enum isa_kind {
	ISA_ALU_K,   /* dst op= imm;  src_reg 0, off 0 */
	ISA_ALU_X,   /* dst op= src;  imm 0, off 0 */
	ISA_SHIFT_K, /* like ALU_K (the shift count is masked at run time) */
	ISA_DIV_K,   /* DIV/MOD by imm; off 0 (unsigned) or 1 (signed) */
	ISA_DIV_X,   /* DIV/MOD by src; off 0 or 1 */
	ISA_MOV_K,   /* dst = imm; src_reg 0, off 0 */
	ISA_MOV_X,   /* dst = src; off 0, or 8/16/32 (MOVSX; 32 only in ALU64) */
	ISA_NEG,     /* dst = -dst; src_reg 0, off 0, imm 0 */
	ISA_END,     /* byte swap; src_reg 0, off 0, imm 16/32/64 */
	ISA_JMP_K,   /* if dst op imm goto pc+off+1; src_reg 0 */
	ISA_JMP_X,   /* if dst op src goto pc+off+1; imm 0 */
	ISA_JA,      /* goto pc+off+1; dst, src, imm 0 */
	ISA_JA32,    /* goto pc+imm+1; dst, src, off 0 */
	ISA_CALL,    /* src_reg 0: helper imm; 1: local pc+imm+1; 2: kfunc */
	ISA_CALLX,   /* helper whose id is in dst_reg */
	ISA_EXIT,    /* return r0 (or return to the caller's frame) */
	ISA_LDDW,    /* dst = imm64 over two slots; src_reg = pseudo source */
	ISA_LDABS,   /* r0 = packet[imm] (big-endian); may end the program */
	ISA_LDIND,   /* r0 = packet[src + imm] (big-endian); may end the program */
	ISA_LDX,     /* dst = *(size *)(src + off), zero-extended; imm 0 */
	ISA_LDXSX,   /* dst = *(size *)(src + off), sign-extended; imm 0 */
	ISA_ST,      /* *(size *)(dst + off) = imm; src_reg 0 */
	ISA_STX,     /* *(size *)(dst + off) = src; imm 0 */
	ISA_ATOMIC,  /* atomic op imm on *(size *)(dst + off) with src */
};

/* The opcode byte for each row, as OP_NAME. */
enum isa_opcode {
#define X(name, code, kind, mnem) OP_##name = code,
	ISA_OPCODES(X)
#undef X
};

/* One row of the table, for code that looks opcodes up at run time. */
struct isa_op {
	const char *name;     /* "ADD64_K" */
	const char *mnemonic; /* "add" */
	uint8_t code;
	uint8_t kind;         /* enum isa_kind */
	bool valid;           /* false for bytes that are not opcodes */
};

/* Indexed by opcode byte; .valid is false for unlisted bytes. */
extern const struct isa_op isa_ops[256];

/* Size in bytes of a load/store opcode (1, 2, 4 or 8). */
static inline unsigned isa_size_bytes(uint8_t code)
{
	static const uint8_t bytes[4] = { 4, 2, 1, 8 };
	return bytes[BPFRT_SIZE(code) >> 3];
}

/* Number of slots an instruction occupies (2 for LDDW, 1 otherwise). */
static inline unsigned isa_slots(uint8_t code)
{
	return code == OP_LDDW ? 2 : 1;
}

/* True if the atomic operation encoded in imm is one the ISA defines. */
static inline bool isa_atomic_op_valid(int32_t imm)
{
	switch (imm) {
	case BPFRT_ADD: case BPFRT_OR: case BPFRT_AND: case BPFRT_XOR:
	case BPFRT_ADD | BPFRT_FETCH: case BPFRT_OR | BPFRT_FETCH:
	case BPFRT_AND | BPFRT_FETCH: case BPFRT_XOR | BPFRT_FETCH:
	case BPFRT_XCHG: case BPFRT_CMPXCHG:
		return true;
	default:
		return false;
	}
}

#endif /* BPFRT_ISA_OPCODES_H */
