/* SPDX-License-Identifier: MIT */
/*
 * bpfrt/insn.h - the eBPF instruction: layout, opcode fields and builders.
 *
 * The layout and every numeric value below are those of the Linux kernel
 * (include/uapi/linux/bpf.h) and RFC 9669, so a buffer of kernel
 * `struct bpf_insn` can be passed as `struct bpfrt_insn` unchanged.
 * Names carry a BPFRT_ prefix so this header can be included next to
 * <linux/bpf.h>.
 *
 * One instruction is 8 bytes, little-endian on the host:
 *
 *   byte 0         byte 1            bytes 2-3       bytes 4-7
 *   +--------+----------------+----------------+---------------------+
 *   | opcode | src:4 | dst:4  |  offset (s16)  |     imm (s32)       |
 *   +--------+----------------+----------------+---------------------+
 *              high    low
 *
 * The opcode byte:
 *
 *   ALU / ALU64 / JMP / JMP32:    LD / LDX / ST / STX:
 *   +-------+---+-------+         +-------+-------+-------+
 *   | op:4  |s:1| cls:3 |         |mode:3 |size:2 | cls:3 |
 *   +-------+---+-------+         +-------+-------+-------+
 *
 * LDDW (BPF_LD | BPF_IMM | BPF_DW) takes two slots: the second has opcode 0
 * and holds the upper 32 bits of the constant in its imm.
 */
#ifndef BPFRT_INSN_H
#define BPFRT_INSN_H

#include <stdint.h>

struct bpfrt_insn {
	uint8_t code;
	uint8_t dst_reg : 4;
	uint8_t src_reg : 4;
	int16_t off;
	int32_t imm;
};

_Static_assert(sizeof(struct bpfrt_insn) == 8, "struct bpfrt_insn must be 8 bytes");

/* Registers. r10 is the read-only frame pointer. */
enum {
	BPFRT_REG_0, BPFRT_REG_1, BPFRT_REG_2, BPFRT_REG_3, BPFRT_REG_4, BPFRT_REG_5,
	BPFRT_REG_6, BPFRT_REG_7, BPFRT_REG_8, BPFRT_REG_9, BPFRT_REG_10,
	BPFRT_REG_COUNT
};

/* Instruction classes (low 3 bits). */
#define BPFRT_LD    0x00
#define BPFRT_LDX   0x01
#define BPFRT_ST    0x02
#define BPFRT_STX   0x03
#define BPFRT_ALU   0x04
#define BPFRT_JMP   0x05
#define BPFRT_JMP32 0x06
#define BPFRT_ALU64 0x07
#define BPFRT_CLASS(code) ((code) & 0x07)

/* Load/store size (bits 3-4). */
#define BPFRT_W     0x00
#define BPFRT_H     0x08
#define BPFRT_B     0x10
#define BPFRT_DW    0x18
#define BPFRT_SIZE(code) ((code) & 0x18)

/* Load/store mode (bits 5-7). */
#define BPFRT_IMM    0x00
#define BPFRT_ABS    0x20
#define BPFRT_IND    0x40
#define BPFRT_MEM    0x60
#define BPFRT_MEMSX  0x80
#define BPFRT_ATOMIC 0xc0
#define BPFRT_MODE(code) ((code) & 0xe0)

/* Source (bit 3) for ALU and JMP classes. */
#define BPFRT_K 0x00
#define BPFRT_X 0x08
#define BPFRT_SRC(code) ((code) & 0x08)

/* ALU operations (bits 4-7). */
#define BPFRT_ADD  0x00
#define BPFRT_SUB  0x10
#define BPFRT_MUL  0x20
#define BPFRT_DIV  0x30 /* off 1: SDIV */
#define BPFRT_OR   0x40
#define BPFRT_AND  0x50
#define BPFRT_LSH  0x60
#define BPFRT_RSH  0x70
#define BPFRT_NEG  0x80
#define BPFRT_MOD  0x90 /* off 1: SMOD */
#define BPFRT_XOR  0xa0
#define BPFRT_MOV  0xb0 /* off 8/16/32: MOVSX */
#define BPFRT_ARSH 0xc0
#define BPFRT_END  0xd0 /* ALU: K = to LE, X = to BE; ALU64 K: BSWAP */
#define BPFRT_OP(code) ((code) & 0xf0)

#define BPFRT_TO_LE 0x00
#define BPFRT_TO_BE 0x08

/* Jump operations (bits 4-7). */
#define BPFRT_JA   0x00 /* JMP32: offset in imm (gotol) */
#define BPFRT_JEQ  0x10
#define BPFRT_JGT  0x20
#define BPFRT_JGE  0x30
#define BPFRT_JSET 0x40
#define BPFRT_JNE  0x50
#define BPFRT_JSGT 0x60
#define BPFRT_JSGE 0x70
#define BPFRT_CALL 0x80 /* K: by imm (src_reg says how); X: helper id in dst_reg */
#define BPFRT_EXIT 0x90
#define BPFRT_JLT  0xa0
#define BPFRT_JLE  0xb0
#define BPFRT_JSLT 0xc0
#define BPFRT_JSLE 0xd0

/* Atomic operations (imm of BPFRT_STX | BPFRT_ATOMIC). */
#define BPFRT_FETCH   0x01
#define BPFRT_XCHG    (0xe0 | BPFRT_FETCH)
#define BPFRT_CMPXCHG (0xf0 | BPFRT_FETCH)

/* src_reg of a CALL with BPFRT_K. */
#define BPFRT_PSEUDO_CALL_HELPER 0
#define BPFRT_PSEUDO_CALL        1 /* bpf-to-bpf: target = pc + imm + 1 */
#define BPFRT_PSEUDO_KFUNC_CALL  2 /* kernel function by BTF id */

/*
 * src_reg of an LDDW: how the 64-bit constant is to be resolved. Only 0 is
 * a plain constant; the others are left for the object loader.
 */
#define BPFRT_PSEUDO_MAP_FD        1 /* imm: map fd            -> map pointer */
#define BPFRT_PSEUDO_MAP_VALUE     2 /* imm: map fd, imm2: off -> value address */
#define BPFRT_PSEUDO_BTF_ID        3 /* imm: BTF id of a kernel variable */
#define BPFRT_PSEUDO_FUNC          4 /* imm: insn offset       -> function address */
#define BPFRT_PSEUDO_MAP_IDX       5 /* imm: map index         -> map pointer */
#define BPFRT_PSEUDO_MAP_IDX_VALUE 6 /* imm: map index, imm2: off -> value address */

/* Limits shared by every engine (the kernel's values). */
#define BPFRT_MAX_INSNS        1000000
#define BPFRT_STACK_SIZE       512 /* bytes per call frame */
#define BPFRT_MAX_CALL_FRAMES  8

/*
 * Builders, in the style of the kernel's filter.h, so programs written in C
 * read like assembly.
 */
#define BPFRT_RAW_INSN(CODE, DST, SRC, OFF, IMM) \
	((struct bpfrt_insn){ .code = (CODE), .dst_reg = (DST), .src_reg = (SRC), .off = (OFF), .imm = (IMM) })

#define BPFRT_ALU64_REG(OP, DST, SRC) BPFRT_RAW_INSN(BPFRT_ALU64 | (OP) | BPFRT_X, DST, SRC, 0, 0)
#define BPFRT_ALU32_REG(OP, DST, SRC) BPFRT_RAW_INSN(BPFRT_ALU | (OP) | BPFRT_X, DST, SRC, 0, 0)
#define BPFRT_ALU64_IMM(OP, DST, IMM) BPFRT_RAW_INSN(BPFRT_ALU64 | (OP) | BPFRT_K, DST, 0, 0, IMM)
#define BPFRT_ALU32_IMM(OP, DST, IMM) BPFRT_RAW_INSN(BPFRT_ALU | (OP) | BPFRT_K, DST, 0, 0, IMM)
#define BPFRT_MOV64_REG(DST, SRC)     BPFRT_ALU64_REG(BPFRT_MOV, DST, SRC)
#define BPFRT_MOV32_REG(DST, SRC)     BPFRT_ALU32_REG(BPFRT_MOV, DST, SRC)
#define BPFRT_MOV64_IMM(DST, IMM)     BPFRT_ALU64_IMM(BPFRT_MOV, DST, IMM)
#define BPFRT_MOV32_IMM(DST, IMM)     BPFRT_ALU32_IMM(BPFRT_MOV, DST, IMM)

/* Two slots: use as `BPFRT_LD_IMM64(r, v)` inside an initializer list. */
#define BPFRT_LD_IMM64_RAW(DST, SRC, IMM64)                                           \
	BPFRT_RAW_INSN(BPFRT_LD | BPFRT_DW | BPFRT_IMM, DST, SRC, 0, (int32_t)(uint32_t)(IMM64)), \
	BPFRT_RAW_INSN(0, 0, 0, 0, (int32_t)(uint32_t)((uint64_t)(IMM64) >> 32))
#define BPFRT_LD_IMM64(DST, IMM64) BPFRT_LD_IMM64_RAW(DST, 0, IMM64)

#define BPFRT_LDX_MEM(SIZE, DST, SRC, OFF)   BPFRT_RAW_INSN(BPFRT_LDX | (SIZE) | BPFRT_MEM, DST, SRC, OFF, 0)
#define BPFRT_LDX_MEMSX(SIZE, DST, SRC, OFF) BPFRT_RAW_INSN(BPFRT_LDX | (SIZE) | BPFRT_MEMSX, DST, SRC, OFF, 0)
#define BPFRT_STX_MEM(SIZE, DST, SRC, OFF)   BPFRT_RAW_INSN(BPFRT_STX | (SIZE) | BPFRT_MEM, DST, SRC, OFF, 0)
#define BPFRT_ST_MEM(SIZE, DST, OFF, IMM)    BPFRT_RAW_INSN(BPFRT_ST | (SIZE) | BPFRT_MEM, DST, 0, OFF, IMM)
#define BPFRT_ATOMIC_OP(SIZE, OP, DST, SRC, OFF) \
	BPFRT_RAW_INSN(BPFRT_STX | (SIZE) | BPFRT_ATOMIC, DST, SRC, OFF, OP)
#define BPFRT_LD_ABS(SIZE, IMM)      BPFRT_RAW_INSN(BPFRT_LD | (SIZE) | BPFRT_ABS, 0, 0, 0, IMM)
#define BPFRT_LD_IND(SIZE, SRC, IMM) BPFRT_RAW_INSN(BPFRT_LD | (SIZE) | BPFRT_IND, 0, SRC, 0, IMM)

#define BPFRT_JMP_REG(OP, DST, SRC, OFF)   BPFRT_RAW_INSN(BPFRT_JMP | (OP) | BPFRT_X, DST, SRC, OFF, 0)
#define BPFRT_JMP_IMM(OP, DST, IMM, OFF)   BPFRT_RAW_INSN(BPFRT_JMP | (OP) | BPFRT_K, DST, 0, OFF, IMM)
#define BPFRT_JMP32_REG(OP, DST, SRC, OFF) BPFRT_RAW_INSN(BPFRT_JMP32 | (OP) | BPFRT_X, DST, SRC, OFF, 0)
#define BPFRT_JMP32_IMM(OP, DST, IMM, OFF) BPFRT_RAW_INSN(BPFRT_JMP32 | (OP) | BPFRT_K, DST, 0, OFF, IMM)
#define BPFRT_JMP_A(OFF)                   BPFRT_RAW_INSN(BPFRT_JMP | BPFRT_JA, 0, 0, OFF, 0)
#define BPFRT_JMP32_A(IMM)                 BPFRT_RAW_INSN(BPFRT_JMP32 | BPFRT_JA, 0, 0, 0, IMM)
#define BPFRT_CALL_HELPER(ID)              BPFRT_RAW_INSN(BPFRT_JMP | BPFRT_CALL, 0, 0, 0, ID)
#define BPFRT_CALL_LOCAL(OFF)              BPFRT_RAW_INSN(BPFRT_JMP | BPFRT_CALL, 0, BPFRT_PSEUDO_CALL, 0, OFF)
#define BPFRT_CALLX(REG)                   BPFRT_RAW_INSN(BPFRT_JMP | BPFRT_CALL | BPFRT_X, REG, 0, 0, 0)
#define BPFRT_EXIT_INSN()                  BPFRT_RAW_INSN(BPFRT_JMP | BPFRT_EXIT, 0, 0, 0, 0)

#endif /* BPFRT_INSN_H */
