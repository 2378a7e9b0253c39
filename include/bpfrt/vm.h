/* SPDX-License-Identifier: MIT */
/*
 * bpfrt/vm.h - load raw bytecode and run it.
 *
 * A struct bpfrt_vm holds what programs share: the helper functions an
 * embedder registers by id. A struct bpfrt_prog is one program that passed
 * structural validation against a vm. Running a program never changes the
 * prog, so one prog may run on many threads at once.
 *
 * Engines:
 *   BPFRT_ENGINE_INTERP          fast interpreter, computed-goto dispatch.
 *                                No per-instruction checks: meant for
 *                                programs a verifier has accepted. A stray
 *                                pointer in an unverified program is
 *                                undefined behaviour, as in native code.
 *   BPFRT_ENGINE_INTERP_SWITCH   the same, dispatching with a switch.
 *   BPFRT_ENGINE_CHECKED         every load and store checked against the
 *                                regions the run may touch (its stack
 *                                frames, the input memory, registered
 *                                regions); optional instruction budget. A
 *                                violation stops the run with a fault
 *                                naming pc, address, size and region.
 *   BPFRT_ENGINE_CHECKED_SWITCH  the same, dispatching with a switch.
 */
#ifndef BPFRT_VM_H
#define BPFRT_VM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpfrt/insn.h"

#ifdef __cplusplus
extern "C" {
#endif

struct bpfrt_vm;
struct bpfrt_prog;
struct bpfrt_run; /* the state of one run, as seen by helpers */

/*
 * A helper function: five 64-bit arguments (r1-r5), 64-bit result (r0),
 * and the run it was called from.
 */
typedef uint64_t (*bpfrt_helper_fn)(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4,
				    uint64_t r5, struct bpfrt_run *run);

/* Create an empty vm (no helpers). NULL with errno on failure. */
struct bpfrt_vm *bpfrt_vm__new(void);

/* Free a vm. Every prog loaded on it must have been freed first. */
void bpfrt_vm__free(struct bpfrt_vm *vm);

/*
 * Register helper `id` (kernel-compatible ids: 1 = map_lookup_elem, ...).
 * Ids up to BPFRT_MAX_HELPER_ID are accepted; registering an id again
 * replaces it. `name` is copied. Returns 0, -EINVAL or -ENOMEM.
 */
#define BPFRT_MAX_HELPER_ID 0xfffffff
int bpfrt_vm__register_helper(struct bpfrt_vm *vm, uint32_t id, const char *name,
			      bpfrt_helper_fn fn);

/*
 * libbpf's marker for a CO-RE relocation that could not be resolved: the
 * instruction is replaced by `call 0xbad2310`. Programs carrying it load
 * (the kernel too accepts them when the call is unreachable); reaching it
 * stops the run with a fault, unless the embedder registered this id.
 */
#define BPFRT_POISON_HELPER_ID 0xbad2310
/*
 * Likewise libbpf's marker for a call to an unresolved __weak kernel
 * function: `call BPFRT_KFUNC_POISON_BASE + n` for extern #n.
 */
#define BPFRT_KFUNC_POISON_BASE 2002000000
#define BPFRT_KFUNC_POISON_MAX  0xffff

/* Name of helper `id`, or NULL if none is registered. */
const char *bpfrt_vm__helper_name(const struct bpfrt_vm *vm, uint32_t id);

/*
 * Resolve an LDDW whose src_reg is a pseudo source (1-6): `insn` points at
 * its first slot; store the 64-bit value to load in *value. Return 0, or
 * -errno to reject the program.
 */
typedef int (*bpfrt_ld_imm64_fn)(void *ctx, size_t pc, const struct bpfrt_insn *insn,
				 uint64_t *value);

struct bpfrt_load_opts {
	size_t sz;               /* sizeof(struct bpfrt_load_opts) */
	char *log_buf;           /* if set, receives the rejection message */
	size_t log_size;
	bpfrt_ld_imm64_fn resolve_ld_imm64; /* NULL: pseudo LDDW are rejected */
	void *resolve_ctx;
};

/*
 * Validate `cnt` instructions structurally and bind them to `vm`. The
 * instructions are copied. Rejections (unknown opcode, bad register, write
 * to r10, jump out of range or into an LDDW, falling off the end, call to a
 * missing function or unregistered helper, too many instructions) return
 * NULL with errno EINVAL (E2BIG for size) and a message "pc N: reason" in
 * log_buf and through the print callback.
 */
struct bpfrt_prog *bpfrt_prog__load(struct bpfrt_vm *vm, const struct bpfrt_insn *insns,
				    size_t cnt, const struct bpfrt_load_opts *opts);

void bpfrt_prog__free(struct bpfrt_prog *prog);

/* The program's instructions after load (pseudo LDDW resolved). */
const struct bpfrt_insn *bpfrt_prog__insns(const struct bpfrt_prog *prog);
size_t bpfrt_prog__insn_cnt(const struct bpfrt_prog *prog);

enum bpfrt_engine {
	BPFRT_ENGINE_INTERP,
	BPFRT_ENGINE_CHECKED,
	BPFRT_ENGINE_INTERP_SWITCH,
	BPFRT_ENGINE_CHECKED_SWITCH,
	BPFRT_ENGINE__COUNT,
};

/* "interp", "checked", "interp-switch", "checked-switch". */
const char *bpfrt_engine_name(enum bpfrt_engine engine);
/* The engine of that name, or -EINVAL. */
int bpfrt_engine_from_name(const char *name);

/* A memory region a checked run may access besides its stack and input. */
struct bpfrt_region {
	const char *name; /* shown in fault messages */
	void *addr;
	size_t size;
	bool writable;
};

enum bpfrt_fault_kind {
	BPFRT_FAULT_NONE,
	BPFRT_FAULT_READ,        /* load outside every readable region */
	BPFRT_FAULT_WRITE,       /* store outside every writable region */
	BPFRT_FAULT_BUDGET,      /* instruction budget exhausted */
	BPFRT_FAULT_CALL_DEPTH,  /* more than BPFRT_MAX_CALL_FRAMES frames */
	BPFRT_FAULT_HELPER,      /* callx to an unregistered helper id */
	BPFRT_FAULT_ABORT,       /* a helper called bpfrt_run__abort() */
};

struct bpfrt_fault {
	enum bpfrt_fault_kind kind;
	uint32_t pc;      /* instruction index */
	uint64_t addr;    /* READ/WRITE: the address accessed */
	uint32_t size;    /* READ/WRITE: access size in bytes */
	char msg[192];    /* e.g. "pc 7: read of 4 bytes at 0x... is outside ..." */
};

struct bpfrt_run_opts {
	size_t sz;                 /* sizeof(struct bpfrt_run_opts) */
	enum bpfrt_engine engine;
	/*
	 * Input memory: r1 = mem, r2 = mem_size at entry. LD_ABS / LD_IND
	 * read from it (an out-of-range read ends the program with r0 = 0,
	 * as in the kernel). Checked engines allow reads and writes to it.
	 */
	void *mem;
	size_t mem_size;
	const struct bpfrt_region *regions; /* checked engines only */
	size_t region_cnt;
	uint64_t insn_budget;      /* checked engines: 0 = unlimited */
	void *user;                /* handed to helpers: bpfrt_run__user() */

	/* Results. */
	uint64_t retval;           /* r0 at exit */
	uint64_t insn_executed;    /* checked engines: instructions executed */
	struct bpfrt_fault fault;  /* when the run returned -EFAULT etc. */
};

/*
 * Run `prog` once. Returns 0 with opts->retval set, or a negative errno
 * with opts->fault describing the fault: -EFAULT (memory), -E2BIG
 * (budget), -ELOOP (call depth), -ENOENT (callx to unknown helper),
 * -ECANCELED (helper abort), -EINVAL (bad opts).
 */
int bpfrt_prog__run(const struct bpfrt_prog *prog, struct bpfrt_run_opts *opts);

/* For helpers: the `user` pointer given in the run options. */
void *bpfrt_run__user(const struct bpfrt_run *run);

/*
 * For helpers: stop the program after this helper returns; the run
 * returns -ECANCELED with the formatted message in its fault.
 */
void bpfrt_run__abort(struct bpfrt_run *run, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#ifdef __cplusplus
}
#endif

#endif /* BPFRT_VM_H */
