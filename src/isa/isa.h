/* SPDX-License-Identifier: MIT */
/* src/isa/isa.h - structural validation of raw bytecode. */
#ifndef BPFRT_ISA_ISA_H
#define BPFRT_ISA_ISA_H

#include <stddef.h>

#include "bpfrt/insn.h"

/*
 * Check `cnt` instructions for what no engine may ever meet: unknown
 * opcodes, registers above r10, writes to r10, reserved fields that are not
 * zero, jumps and calls out of range or into the second slot of an LDDW or
 * across a function's boundary, a function whose last instruction can fall
 * through, more than BPFRT_MAX_INSNS instructions.
 *
 * Returns 0, or -EINVAL (-E2BIG for size) with "pc N: reason" in log.
 * What it does not check is what depends on the environment (helper ids,
 * pseudo LDDW sources) and on data flow (that is the verifier's job).
 */
/*
 * The rules for one instruction on its own, shared by the validator and the
 * disassembler: a known opcode, registers r0-r10, reserved fields zero (as
 * the kernel requires), variant fields in range (off of SDIV/SMOD and MOVSX,
 * imm of byte swaps and atomics, src_reg of CALL and LDDW), and an LDDW's
 * second slot (`remaining` = slots readable from `in`). Returns 0, or
 * -EINVAL with the reason in `why`.
 */
int isa_check_insn(const struct bpfrt_insn *in, size_t remaining, char *why, size_t size);

int isa_validate(const struct bpfrt_insn *insns, size_t cnt, char *log, size_t log_size);

#endif /* BPFRT_ISA_ISA_H */
