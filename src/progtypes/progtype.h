/* SPDX-License-Identifier: MIT */
/*
 * src/progtypes/progtype.h - program types: what r1 points at, how context
 * accesses are rewritten at load, which kernel helpers a program may call,
 * the range of return values, and how a test run builds the context.
 *
 * One file per type (xdp.c, skb.c, kprobe.c, ...) exports one const struct
 * progtype; progtype.c holds the registry (PROGTYPES below) and the shared
 * test-run machinery, ctx.c the context-pointer analysis and the patcher.
 *
 * Two views of one context. A program is written against the uapi struct
 * (struct xdp_md, struct __sk_buff, ...): 32-bit `data` fields, fields the
 * kernel computes on the fly. What r1 really points at is bpfrt's
 * kernel-side struct (kern.h: struct pt_xdp, struct pt_skb, ...), which
 * holds real pointers and the state helpers work on. At load, the kernel's
 * verifier rewrites every access to the uapi struct into loads and stores
 * on its kernel structs (convert_ctx_accesses); bpfrt does the same without
 * a verifier:
 *
 *   ctx.c: a forward data-flow analysis over the program's CFG (all paths,
 *          subprograms and callbacks included) finds, for every load and
 *          store, whether its base register holds the context pointer:
 *          on all paths (an access to check and rewrite), on none (not a
 *          context access), or on some only (rejected, as the kernel's
 *          "same insn cannot be used with different pointers").
 *   type:  is_valid_access() accepts or rejects each access (the kernel's
 *          per-type rules: offsets, sizes, read-only fields, narrow
 *          loads); convert_access() emits its replacement.
 *   ctx.c: the patcher splices the replacements in, fixes every jump,
 *          bpf-to-bpf call and LDDW BPFRT_PSEUDO_FUNC offset, and fills
 *          prog->orig_pc.
 *
 * Module prefix: progtype_ (shared), per type its own short prefix.
 */
#ifndef BPFRT_PROGTYPES_PROGTYPE_H
#define BPFRT_PROGTYPES_PROGTYPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpfrt/vm.h"

struct bpfrt_prog;
struct exec_hook;

/* One access to the context, as the program makes it. */
struct progtype_access {
	int32_t off;  /* insn->off: from the start of the uapi struct */
	uint8_t size; /* 1, 2, 4 or 8 bytes */
	bool write;   /* BPF_ST / BPF_STX (else BPF_LDX) */
	bool sx;      /* BPF_LDX | BPF_MEMSX: a sign-extending load */
};

/*
 * What is_valid_access() reports besides yes/no: the size the field is read
 * with when the program reads less of it (the kernel's
 * bpf_ctx_record_field_size(); 0: the access is not a narrow load).
 */
struct progtype_access_info {
	uint32_t field_size;
};

/* A named member of a uapi context struct, for messages and tests. */
struct progtype_field {
	const char *name;
	uint32_t off;
	uint32_t size;      /* whole member (arrays: all elements) */
	uint32_t elem_size; /* arrays: one element; 0 otherwise */
};

struct progtype {
	const char *name;         /* "xdp", "sched_cls", ... (bpftool's names) */
	enum bpfrt_prog_type type;
	const char *ctx_name;     /* "struct xdp_md" (NULL: plain memory) */
	uint32_t ctx_size;        /* sizeof the uapi struct; 0: no checked accesses */
	const struct progtype_field *fields; /* ends with a NULL name; may be NULL */
	/* LD_ABS / LD_IND allowed (they read the hook's packet; r6 = ctx). */
	bool ld_abs;
	/*
	 * The kernel's is_valid_access for this type. NULL: the context is
	 * not checked (the memory type).
	 */
	bool (*is_valid_access)(const struct bpfrt_prog *prog, const struct progtype_access *a,
				struct progtype_access_info *info);
	/*
	 * The kernel's convert_ctx_access: the replacement of `si` (a load or
	 * store on the uapi struct at si->off, size BPF_SIZE(si->code); a
	 * narrow load arrives widened to the field, as in the kernel) as
	 * accesses to the kernel-side struct, into buf (room for
	 * PROGTYPE_MAX_PATCH). Returns the count; *target_size = the size of
	 * the kernel-side field read (for the narrow-load shift and mask).
	 * NULL: the kernel-side struct is the uapi one.
	 */
	int (*convert_access)(const struct bpfrt_prog *prog, const struct bpfrt_insn *si, bool write,
			      struct bpfrt_insn *buf, uint32_t *target_size);
	/* The helper `id` if programs of this type may call it (before the vm's). */
	const struct bpfrt_helper_proto *(*func_proto)(uint32_t id, const struct bpfrt_prog *prog);
	/* bpfrt_prog__test_run(); NULL: -ENOTSUPP. */
	int (*test_run)(const struct bpfrt_prog *prog, struct bpfrt_test_run_opts *opts);
	/*
	 * Return values the hook gives a meaning to (XDP actions, TC_ACT_*).
	 * Documentation for now: the kernel enforces no range for these types
	 * at load (check_return_code), so neither does bpfrt.
	 */
	int64_t ret_min, ret_max;
};

/* Instructions one context access may become. */
#define PROGTYPE_MAX_PATCH 16

/*
 * The registry: X(TYPE, variable) for every program type bpfrt runs. Each
 * variable is the const struct progtype of one file.
 */
#define PROGTYPES(X)                                  \
	X(UNSPEC, progtype_memory)                    \
	X(SOCKET_FILTER, progtype_socket_filter)      \
	X(KPROBE, progtype_kprobe)                    \
	X(SCHED_CLS, progtype_sched_cls)              \
	X(SCHED_ACT, progtype_sched_act)              \
	X(TRACEPOINT, progtype_tracepoint)            \
	X(XDP, progtype_xdp)                          \
	X(PERF_EVENT, progtype_perf_event)            \
	X(RAW_TRACEPOINT, progtype_raw_tp)

#define X(type, var) extern const struct progtype var;
PROGTYPES(X)
#undef X

/*
 * The type's description, or NULL if bpfrt cannot run programs of this
 * type. BPFRT_PROG_TYPE_UNSPEC is the "memory" type (r1 = memory, r2 =
 * its length, the kernel's base helpers).
 */
const struct progtype *progtype_get(enum bpfrt_prog_type type);

/*
 * At load, after validation and binding (map LDDW resolved; LDDW
 * BPFRT_PSEUDO_FUNC still relative, as the patcher moves instructions):
 * find the program's context accesses and rewrite them as the kernel's
 * verifier does (convert_ctx_accesses), e.g. a 32-bit load of xdp_md->data
 * becomes a 64-bit load of the real pointer. May replace prog->insns/cnt
 * (core_* allocated) and set prog->orig_pc. 0, or -errno with "pc N:
 * reason" in the log (the kernel's wording where it has one, e.g. "invalid
 * bpf_context access off=76 size=4").
 */
int progtype_prepare(const struct progtype *pt, struct bpfrt_prog *prog, char *log,
		     size_t log_size);

/* The kernel helper `id` if programs of this type may call it, else NULL. */
const struct bpfrt_helper_proto *progtype_func_proto(const struct progtype *pt, uint32_t id,
						     const struct bpfrt_prog *prog);

/* bpfrt_prog__test_run() of a program of this type. */
int progtype_test_run(const struct bpfrt_prog *prog, struct bpfrt_test_run_opts *opts);

/* "data_end", "cb[2]", "args[3]": the member at `off`, into buf; NULL if none. */
const char *progtype_field_name(const struct progtype *pt, uint32_t off, char *buf, size_t size);

/*
 * ---- shared by the types' test runs (progtype.c) ----
 */

/* Run `prog` opts->repeat times on `hook`; fill retval, duration, fault. */
int progtype_run(const struct bpfrt_prog *prog, struct bpfrt_test_run_opts *opts,
		 struct exec_hook *hook);

/*
 * The user's context in (the kernel's bpf_ctx_init): copy min(ctx_size_in,
 * size) bytes into `ctx` (zeroed first); bytes of ctx_in beyond `size`
 * must be 0 (-E2BIG otherwise). *given = whether there was a ctx_in or
 * ctx_out (the kernel then converts the context back).
 */
int progtype_ctx_in(struct bpfrt_test_run_opts *opts, void *ctx, uint32_t size, bool *given);

/*
 * Refuse a test run's input as the kernel does (returns `err`, e.g.
 * -EINVAL) and say why in opts->fault.msg, leaving fault.kind NONE: the
 * kernel answers a bare errno; users get the reason too.
 */
int progtype_refuse(struct bpfrt_test_run_opts *opts, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Copy `size` bytes to ctx_out (kernel: bpf_ctx_finish); -ENOSPC if short. */
int progtype_ctx_out(struct bpfrt_test_run_opts *opts, const void *ctx, uint32_t size);

/* Copy `size` bytes to data_out (kernel: bpf_test_finish); -ENOSPC if short. */
int progtype_data_out(struct bpfrt_test_run_opts *opts, const void *data, uint32_t size);

/*
 * The largest off + size of the program's context accesses (the kernel's
 * prog->aux->max_ctx_offset), found again by the analysis: raw tracepoint
 * and tracepoint test runs need at least that much context. 0 on error.
 */
uint32_t progtype_max_ctx_offset(const struct bpfrt_prog *prog);

#endif /* BPFRT_PROGTYPES_PROGTYPE_H */
