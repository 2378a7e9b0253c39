/* SPDX-License-Identifier: MIT */
/*
 * bpfrt/asm.h - assembler and disassembler.
 *
 * Two syntaxes are read, mixed freely line by line, and written:
 *
 *   LLVM (what `llvm-objdump -d` prints for BPF):
 *       r0 = 1                     w1 += w2
 *       *(u32 *)(r10 - 4) = r1     r0 = *(u64 *)(r1 + 8)
 *       if r1 > 0x5 goto +3        call 1
 *       lock *(u64 *)(r1 + 0) += r2
 *       r1 = 0x1122334455667788 ll exit
 *
 *   uBPF / conformance-suite mnemonics:
 *       mov r0, 1     add32 r1, r2     ldxw r0, [r1+4]
 *       jgt r1, 5, +3 lddw r0, 0x...   call local func
 *
 * Registers may be written r0 or %r0. Jump and call targets are either
 * relative offsets (+3, -2) or labels (`name:` on a line of its own or
 * before an instruction). Comments start with `#`, `;` or `//`.
 */
#ifndef BPFRT_ASM_H
#define BPFRT_ASM_H

#include <stddef.h>

#include "bpfrt/insn.h"

#ifdef __cplusplus
extern "C" {
#endif

enum bpfrt_syntax {
	BPFRT_SYNTAX_LLVM,  /* r0 = 1 */
	BPFRT_SYNTAX_UBPF,  /* mov r0, 1 */
};

/*
 * Assemble `text` (NUL-terminated). On success returns 0, sets *insns to a
 * buffer of *cnt instructions to be released with bpfrt_free(). On failure
 * returns -EINVAL (or -ENOMEM) and writes "line N: reason" into log.
 */
int bpfrt_asm(const char *text, struct bpfrt_insn **insns, size_t *cnt, char *log,
	      size_t log_size);

/*
 * Disassemble the instruction at insns[0] (reading insns[1] for an LDDW;
 * `remaining` is how many slots are readable) into buf as one line without
 * newline. Returns the number of slots consumed (1 or 2), or -EINVAL for an
 * invalid instruction, in which case buf holds the raw slot as
 * `.quad 0x<16 hex digits> # <reason>`, which bpfrt_asm() reads back as the
 * same 8 bytes (so any byte sequence round-trips).
 */
int bpfrt_disasm_insn(const struct bpfrt_insn *insns, size_t remaining,
		      enum bpfrt_syntax syntax, char *buf, size_t size);

/* Called once per instruction by bpfrt_disasm(). */
typedef void (*bpfrt_disasm_line_fn)(void *ctx, size_t pc, const char *text);

/*
 * Disassemble a whole program, one callback per instruction. Returns 0, or
 * -EINVAL if some slot was invalid (it is reported in the `.quad` form and
 * disassembly continues at the next slot).
 */
int bpfrt_disasm(const struct bpfrt_insn *insns, size_t cnt, enum bpfrt_syntax syntax,
		 bpfrt_disasm_line_fn fn, void *ctx);

#ifdef __cplusplus
}
#endif

#endif /* BPFRT_ASM_H */
