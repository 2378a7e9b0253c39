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
#include "bpfrt/types.h"

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

/*
 * Helper prototypes: the kernel's struct bpf_func_proto, in short. The same
 * table serves the verifier (what each argument must be), the checked
 * engines (they test every argument against it before the call, so a
 * helper never sees a key pointer it may not read) and the CLI (names).
 *
 * Pointer arguments and the memory they must designate:
 *   PTR_TO_MAP_KEY      key_size bytes of the map in the CONST_MAP_PTR arg
 *   PTR_TO_MAP_VALUE    value_size bytes of that map, readable
 *   PTR_TO_UNINIT_MAP_VALUE  value_size bytes, writable
 *   PTR_TO_MEM          readable, size in the next (CONST_SIZE*) argument
 *   PTR_TO_UNINIT_MEM   writable, size in the next (CONST_SIZE*) argument
 *   PTR_TO_LONG/INT     8/4 writable bytes
 *   PTR_TO_CONST_STR    a NUL-terminated string in read-only memory
 *   PTR_TO_ALLOC_MEM    a record returned by a RET_PTR_TO_ALLOC_MEM helper
 *   PTR_TO_FUNC         a callback: the value of LDDW with BPFRT_PSEUDO_FUNC
 * *_OR_NULL forms also accept 0.
 */
enum bpfrt_arg_type {
	BPFRT_ARG_NONE,                 /* the helper takes fewer arguments */
	BPFRT_ARG_ANYTHING,
	BPFRT_ARG_CONST_MAP_PTR,
	BPFRT_ARG_PTR_TO_MAP_KEY,
	BPFRT_ARG_PTR_TO_MAP_VALUE,
	BPFRT_ARG_PTR_TO_MEM,
	BPFRT_ARG_PTR_TO_MEM_OR_NULL,
	BPFRT_ARG_PTR_TO_UNINIT_MEM,
	BPFRT_ARG_CONST_SIZE,
	BPFRT_ARG_CONST_SIZE_OR_ZERO,
	BPFRT_ARG_PTR_TO_CTX,
	BPFRT_ARG_PTR_TO_CTX_OR_NULL,
	BPFRT_ARG_PTR_TO_STACK_OR_NULL, /* callback context */
	BPFRT_ARG_PTR_TO_FUNC,
	BPFRT_ARG_PTR_TO_SPIN_LOCK,
	BPFRT_ARG_PTR_TO_LONG,
	BPFRT_ARG_PTR_TO_INT,
	BPFRT_ARG_PTR_TO_CONST_STR,
	BPFRT_ARG_PTR_TO_ALLOC_MEM,
	BPFRT_ARG_CONST_ALLOC_SIZE_OR_ZERO,
	BPFRT_ARG_PTR_TO_BTF_ID,        /* a kernel object (e.g. a task) */
	BPFRT_ARG_PTR_TO_UNINIT_MAP_VALUE,  /* value_size writable bytes (pop, peek) */
	BPFRT_ARG_PTR_TO_UNINIT_MEM_OR_NULL, /* writable, size in the next argument, or NULL */
};

enum bpfrt_ret_type {
	BPFRT_RET_INTEGER,
	BPFRT_RET_VOID,
	BPFRT_RET_PTR_TO_MAP_VALUE_OR_NULL,
	BPFRT_RET_PTR_TO_ALLOC_MEM_OR_NULL, /* size: the CONST_ALLOC_SIZE arg */
	BPFRT_RET_PTR_TO_BTF_ID,            /* a kernel object (e.g. a task) */
	BPFRT_RET_PTR_TO_MEM_OR_NULL,
};

/* Helper flags. */
#define BPFRT_HELPER_GPL_ONLY   (1U << 0) /* only for GPL-compatible programs */
#define BPFRT_HELPER_PKT_ACCESS (1U << 1) /* may read packet data through its args */
#define BPFRT_HELPER_PKT_CHANGE (1U << 2) /* moves packet data: pointers to it are stale */

struct bpfrt_helper_proto {
	const char *name;       /* without the bpf_ prefix: "map_lookup_elem" */
	bpfrt_helper_fn fn;
	enum bpfrt_ret_type ret;
	enum bpfrt_arg_type args[5];
	uint32_t flags;
};

/*
 * Register helper `id` with its prototype (copied; proto->name too). A
 * registered id replaces a kernel helper of the same id for the programs
 * loaded afterwards. 0, -EINVAL or -ENOMEM.
 */
int bpfrt_vm__add_helper(struct bpfrt_vm *vm, uint32_t id, const struct bpfrt_helper_proto *proto);

/*
 * The kernel helper `id` as bpfrt implements it, or NULL if bpfrt has no
 * such helper. bpfrt_helper_name() names every helper id the kernel
 * defines (implemented or not), or returns NULL.
 */
const struct bpfrt_helper_proto *bpfrt_kernel_helper(uint32_t id);
const char *bpfrt_helper_name(uint32_t id);

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
	/*
	 * The program type: what r1 points at (the context), how context
	 * accesses are rewritten, which kernel helpers the program may call
	 * besides the vm's own, and how bpfrt_prog__test_run() builds a run.
	 * BPFRT_PROG_TYPE_UNSPEC (0) is bpfrt's "memory" type: r1 = memory,
	 * r2 = its length, the kernel's base helpers (maps, time, random,
	 * trace_printk, loop, ring buffers, strings).
	 */
	enum bpfrt_prog_type prog_type;
	int expected_attach_type;
	bool gpl;                /* the licence is GPL-compatible */
	/*
	 * Live maps the program refers to (include/bpfrt/map.h): LDDW with
	 * src_reg BPFRT_PSEUDO_MAP_FD or BPFRT_PSEUDO_MAP_IDX and imm = i loads
	 * maps[i] (the value helpers take as a map); BPFRT_PSEUDO_MAP_VALUE or
	 * BPFRT_PSEUDO_MAP_IDX_VALUE loads the address of byte imm2 of the value
	 * of key 0 (array maps only). resolve_ld_imm64, if set, is asked first.
	 */
	struct bpfrt_map *const *maps;
	size_t map_cnt;
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

/*
 * What helpers report about the host: the values of "the current task",
 * the clocks, where trace output goes, and the memory probe_read helpers
 * may read. Zero fields take the defaults given; a run without env uses
 * the defaults everywhere.
 */
enum bpfrt_clock {
	BPFRT_CLOCK_MONOTONIC,        /* ktime_get_ns */
	BPFRT_CLOCK_BOOTTIME,         /* ktime_get_boot_ns */
	BPFRT_CLOCK_MONOTONIC_COARSE, /* ktime_get_coarse_ns */
	BPFRT_CLOCK_TAI,              /* ktime_get_tai_ns */
	BPFRT_CLOCK_JIFFIES,          /* jiffies64 (ticks, not ns) */
};

struct bpfrt_env {
	size_t sz;                 /* sizeof(struct bpfrt_env) */
	/* Clocks: NULL = the host's (jiffies: CLOCK_MONOTONIC_COARSE at 250 Hz). */
	uint64_t (*clock)(void *ctx, enum bpfrt_clock clock);
	void *clock_ctx;
	/*
	 * get_current_pid_tgid / uid_gid / comm / task. task_set false: the
	 * calling process's tgid << 32 | tid, gid << 32 | uid, its comm, task 0.
	 */
	bool task_set;
	uint64_t pid_tgid;
	uint64_t uid_gid;
	char comm[16];
	uint64_t task;             /* get_current_task(): an opaque handle */
	/* trace_printk / trace_vprintk lines (NUL-terminated, no newline). NULL: the print callback (BPFRT_INFO). */
	void (*trace)(void *ctx, const char *line, size_t len);
	void *trace_ctx;
	/*
	 * Memory probe_read* may read (kernel and user alike). Reads outside
	 * it return -EFAULT and zero the destination, as in the kernel.
	 */
	const struct bpfrt_region *probe_regions;
	size_t probe_region_cnt;
	uint64_t prandom_seed;     /* get_prandom_u32: 0 = seeded from getrandom() */
	uint64_t func_ip;          /* get_func_ip */
	uint64_t attach_cookie;    /* get_attach_cookie */
	uint32_t numa_node;        /* get_numa_node_id */
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
	const struct bpfrt_env *env; /* NULL: defaults */
	uint32_t cpu;              /* worker index: per-CPU map slot, smp_processor_id */

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

/* For helpers: the run's worker index, its environment (never NULL), its context. */
uint32_t bpfrt_run__cpu(const struct bpfrt_run *run);
const struct bpfrt_env *bpfrt_run__env(const struct bpfrt_run *run);
void *bpfrt_run__ctx(const struct bpfrt_run *run);

/*
 * For helpers: may the program access [addr, addr + size)? Checked engines
 * answer from their regions (stack, input, context, packet, maps); fast
 * engines answer true (a verifier vouched for the program).
 */
bool bpfrt_run__mem_ok(const struct bpfrt_run *run, uint64_t addr, uint64_t size, bool write);

/*
 * For helpers taking callbacks (loop, for_each_map_elem): call the
 * program's function at `fn` (an ARG_PTR_TO_FUNC value) with r1-r5 and
 * store its r0 in *ret. 0, or -errno if the run faulted (the helper should
 * return at once; the run then ends with that fault).
 */
int bpfrt_run__call(struct bpfrt_run *run, uint64_t fn, uint64_t r1, uint64_t r2, uint64_t r3,
		    uint64_t r4, uint64_t r5, uint64_t *ret);

/*
 * Test-run: the equivalent of BPF_PROG_TEST_RUN. The program type builds
 * the context from data_in and ctx_in (e.g. an xdp_buff with 256 bytes of
 * headroom, an sk_buff from an Ethernet frame), runs the program `repeat`
 * times and reports the last run's return value, the packet after it
 * (data_out, after head/tail adjustments) and the context (ctx_out).
 * Sizes as in the kernel: data_size_out/ctx_size_out are capacities on
 * input and the full sizes on output; -ENOSPC when data_out was too small
 * (the first data_size_out bytes are still written).
 */
struct bpfrt_test_run_opts {
	size_t sz;                 /* sizeof(struct bpfrt_test_run_opts) */
	const void *data_in;
	uint32_t data_size_in;
	void *data_out;
	uint32_t data_size_out;
	const void *ctx_in;
	uint32_t ctx_size_in;
	void *ctx_out;
	uint32_t ctx_size_out;
	uint32_t repeat;           /* 0 = 1 */
	uint32_t flags;
	uint32_t cpu;
	enum bpfrt_engine engine;
	uint64_t insn_budget;      /* checked engines: 0 = unlimited */
	const struct bpfrt_env *env;
	void *user;

	/* Results. */
	uint32_t retval;           /* r0 of the last run (as the kernel: 32 bits) */
	uint64_t retval64;
	uint64_t duration_ns;      /* mean of the runs */
	uint64_t insn_executed;    /* checked engines, last run */
	struct bpfrt_fault fault;
	/* bpf_redirect / redirect_map: what the last run asked for (0 if not). */
	uint32_t redirect_ifindex;
	uint64_t redirect_flags;
};

/*
 * Run `prog` as its program type's hook would. 0 with the results set, or
 * -errno: -EINVAL for inputs the kernel refuses (e.g. data smaller than an
 * Ethernet header for skb types, ctx fields it does not let users set),
 * -ENOTSUPP for types that cannot be test-run, or a run's fault as in
 * bpfrt_prog__run().
 */
int bpfrt_prog__test_run(const struct bpfrt_prog *prog, struct bpfrt_test_run_opts *opts);

/* Can bpfrt load and run programs of this type? */
bool bpfrt_prog_type_supported(enum bpfrt_prog_type type);

/* The program's type, as given at load. */
enum bpfrt_prog_type bpfrt_prog__type(const struct bpfrt_prog *prog);
/* Its id: > 0, unique among live programs (prog_array values are ids). */
uint32_t bpfrt_prog__id(const struct bpfrt_prog *prog);

#ifdef __cplusplus
}
#endif

#endif /* BPFRT_VM_H */
