/* SPDX-License-Identifier: MIT */
/* The opcode table indexed by opcode byte (see opcodes.h). */
#include "isa/opcodes.h"

const struct isa_op isa_ops[256] = {
#define X(nm, cd, kd, mn) [cd] = { .name = #nm, .mnemonic = mn, .code = cd, .kind = ISA_##kd, .valid = true },
	ISA_OPCODES(X)
#undef X
};
