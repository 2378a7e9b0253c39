/* SPDX-License-Identifier: MIT */
/*
 * src/progtypes/progtype.h - program types: what r1 points at, how context
 * accesses are rewritten at load, which kernel helpers a program may call,
 * the range of return values, and how a test run builds the context.
 *
 * One file per type (xdp.c, skb.c, kprobe.c, ...) exports one const struct
 * progtype; progtype.c holds the registry and the shared machinery.
 *
 * Module prefix: progtype_ (shared), per type its own short prefix.
 */
#ifndef BPFRT_PROGTYPES_PROGTYPE_H
#define BPFRT_PROGTYPES_PROGTYPE_H

#include <stddef.h>
#include <stdint.h>

#include "bpfrt/vm.h"

struct progtype;

/*
 * The type's description, or NULL if bpfrt cannot run programs of this
 * type. BPFRT_PROG_TYPE_UNSPEC is the "memory" type (r1 = memory, r2 =
 * its length, the kernel's base helpers).
 */
const struct progtype *progtype_get(enum bpfrt_prog_type type);

/*
 * At load, after validation and binding (pseudo LDDW resolved): find the
 * program's context accesses and rewrite them as the kernel's verifier
 * does (convert_ctx_accesses), e.g. a 32-bit load of xdp_md->data becomes
 * a 64-bit load of the real pointer. May replace prog->insns/cnt (core_*
 * allocated) and set prog->orig_pc. 0, or -errno with "pc N: reason" in
 * the log (the kernel's wording where it has one, e.g. "invalid bpf_context
 * access off=76 size=4").
 */
int progtype_prepare(const struct progtype *pt, struct bpfrt_prog *prog, char *log,
		     size_t log_size);

/* The kernel helper `id` if programs of this type may call it, else NULL. */
const struct bpfrt_helper_proto *progtype_func_proto(const struct progtype *pt, uint32_t id,
						     const struct bpfrt_prog *prog);

/* bpfrt_prog__test_run() of a program of this type. */
int progtype_test_run(const struct bpfrt_prog *prog, struct bpfrt_test_run_opts *opts);

#endif /* BPFRT_PROGTYPES_PROGTYPE_H */
