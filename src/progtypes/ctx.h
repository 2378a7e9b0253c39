/* SPDX-License-Identifier: MIT */
/*
 * src/progtypes/ctx.h - where a program touches its context, and the
 * machinery that rewrites those places (see progtype.h for the overview).
 *
 * Module prefix: ctx_.
 */
#ifndef BPFRT_PROGTYPES_CTX_H
#define BPFRT_PROGTYPES_CTX_H

#include <stddef.h>
#include <stdint.h>

#include "progtypes/progtype.h"

/* One instruction that accesses the context, accepted by is_valid_access. */
struct ctx_site {
	uint32_t pc;
	struct progtype_access a;
	struct progtype_access_info info;
};

/*
 * Find the context accesses of prog->insns (a program of type `pt`) and
 * check them: every load and store whose base register holds the context
 * pointer on some path must hold it, unmodified, on all paths, and the
 * access must be valid for the type. *sites (core_malloc'ed, sorted by pc;
 * the caller frees it) and *cnt receive the accesses; *max_off the largest
 * off + size. 0, or -EINVAL/-EACCES with "pc N: reason" in the log
 * (-ENOMEM).
 *
 * The analysis is path-insensitive: it may reject a program the kernel,
 * which follows each path apart, would accept (a register that is the
 * context on one path and a scalar on another, both reaching one load).
 * It follows the context pointer through registers and the slots of the
 * stack frame that holds it, not through other memory; a pointer to a
 * frame that holds the context pointer may not be handed to a subprogram
 * or a callback (rejected: bpfrt could not tell what they do with it).
 */
int ctx_analyze(const struct progtype *pt, const struct bpfrt_prog *prog, struct ctx_site **sites,
		size_t *cnt, uint32_t *max_off, char *log, size_t log_size);

/* A replacement for the instruction at pc (never an LDDW). */
struct ctx_patch {
	uint32_t pc;
	uint32_t len;
	struct bpfrt_insn insns[PROGTYPE_MAX_PATCH];
};

/*
 * The replacement of one context access, as the kernel's
 * convert_ctx_accesses() builds it around the type's convert_access(): a
 * narrow load widened to its field, then shifted and masked; a
 * sign-extending load followed by a MOVSX. 0, or -EFAULT if the type gives
 * no conversion (a bug: is_valid_access accepted what it cannot convert).
 */
int ctx_convert(const struct progtype *pt, const struct bpfrt_prog *prog,
		const struct ctx_site *site, struct ctx_patch *out);

/*
 * Splice `n` patches (sorted by pc) into prog->insns: every jump, call
 * and LDDW BPFRT_PSEUDO_FUNC is retargeted (a jump to a patched
 * instruction lands on its first replacement), prog->orig_pc maps each
 * new instruction to the one it came from. 0, -ERANGE (a jump no longer
 * fits in 16 bits), -E2BIG (too many instructions), -ENOMEM.
 */
int ctx_patch(struct bpfrt_prog *prog, const struct ctx_patch *p, size_t n, char *log,
	      size_t log_size);

#endif /* BPFRT_PROGTYPES_CTX_H */
