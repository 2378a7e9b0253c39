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
int isa_validate(const struct bpfrt_insn *insns, size_t cnt, char *log, size_t log_size);

#endif /* BPFRT_ISA_ISA_H */
