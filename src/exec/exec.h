/* SPDX-License-Identifier: MIT */
/*
 * src/exec/exec.h - what the engines share: the vm and prog behind the
 * public handles, and the state of one run.
 */
#ifndef BPFRT_EXEC_H
#define BPFRT_EXEC_H

#include <stdbool.h>
#include <stdint.h>

#include "bpfrt/vm.h"

/* Helpers below this id are found by direct index, the rest by search. */
#define EXEC_DENSE_HELPERS 4096

struct exec_helper {
	uint32_t id;
	bpfrt_helper_fn fn;
	char *name;
	/* The prototype (checked engines test arguments against it), or NULL. */
	const struct bpfrt_helper_proto *proto;
};

/*
 * A helper table: sorted by id, plus a direct-index copy for small ids
 * (an entry with fn NULL: no such helper), so that a call finds function
 * and prototype with one index.
 */
struct exec_helpers {
	struct exec_helper *list;  /* sorted by id */
	uint32_t cnt;
	struct exec_helper *dense; /* [id] for id < dense_cnt */
	uint32_t dense_cnt;
};

struct bpfrt_vm {
	struct exec_helpers helpers;
	unsigned int progs; /* live progs: the vm must outlive them */
};

struct bpfrt_prog {
	struct bpfrt_vm *vm;
	struct bpfrt_insn *insns; /* validated; pseudo LDDW resolved; ctx rewritten */
	size_t cnt;
	/* Snapshot of the vm's helpers at load: runs never see a table change. */
	struct exec_helpers helpers;
	enum bpfrt_prog_type type;
	const struct progtype *pt;  /* src/progtypes/progtype.h */
	int expected_attach_type;
	bool gpl;
	uint32_t id;
	/*
	 * References: the user's (bpfrt_prog__load) and one per prog_array slot
	 * holding it. The last exec_prog_put() frees it.
	 */
	int refcnt;
	/* After ctx rewriting: the loaded instruction each insn came from, or NULL. */
	uint32_t *orig_pc;
	/* Maps its LDDW refer to (struct map *), and their value memory as regions. */
	void **maps;
	size_t map_cnt;
	struct exec_region *map_regions;
	/* Callback entries (LDDW BPFRT_PSEUDO_FUNC targets), sorted. */
	uint32_t *funcs;
	size_t func_cnt;
};

void exec_prog_get(struct bpfrt_prog *prog);
void exec_prog_put(struct bpfrt_prog *prog);

/* The entry of `id` in `h` above the dense ids, or NULL (binary search). */
const struct exec_helper *exec_helper_search(const struct exec_helpers *h, uint64_t id);

/* The entry of `id` in `h` (function and prototype), or NULL. */
static inline const struct exec_helper *exec_helper_entry(const struct exec_helpers *h,
							  uint64_t id)
{
	if (id < h->dense_cnt)
		return h->dense[id].fn ? &h->dense[id] : NULL;
	return exec_helper_search(h, id);
}

/*
 * What a program type gives one run (bpfrt_prog__run() makes one from the
 * input memory): the registers at entry, the packet for LD_ABS/LD_IND, the
 * kernel-side context, the memory checked engines may touch besides the
 * stack and the maps; and what helpers record for the hook.
 */
struct exec_hook {
	uint64_t r1, r2;
	const uint8_t *pkt;       /* LD_ABS / LD_IND data */
	uint64_t pkt_len;
	void *ctx;                /* ARG_PTR_TO_CTX must equal it (NULL: none) */
	const struct bpfrt_region *regions;
	size_t region_cnt;
	/* Set by helpers. */
	uint32_t redirect_ifindex;
	uint64_t redirect_flags;
	void *redirect_map;       /* bpf_redirect_map's map, or NULL */
};

/* Tail calls a run may make, as the kernel's MAX_TAIL_CALL_CNT. */
#define EXEC_MAX_TAIL_CALLS 33
/* Nested engine invocations (callbacks of loop/for_each_map_elem, tail calls). */
#define EXEC_MAX_NEST 40
/* Checked engines: ring buffer records a run may hold at once. */
#define EXEC_MAX_ALLOCS 32
/* Checked engines: maps whose values a run may touch besides the program's own. */
#define EXEC_MAX_DYN 32

/* A memory region as the checked engines test it. */
struct exec_region {
	uint64_t start;
	uint64_t size;
	const char *name;
	bool writable;
};

struct exec_args;

/* Why an engine must look at its run after a helper returned. */
#define EXEC_PENDING_ABORT  1U /* bpfrt_run__abort() */
#define EXEC_PENDING_TAIL   2U /* bpf_tail_call() succeeded: continue with tail_prog */
#define EXEC_PENDING_FAULT  4U /* a callback faulted: the run ends with nested_err */

/* What a helper sees of its run (struct bpfrt_run in the public API). */
struct bpfrt_run {
	const struct bpfrt_prog *prog;   /* the program running now (tail calls change it) */
	struct bpfrt_run_opts *opts;
	struct exec_hook *hook;
	const struct bpfrt_env *env;     /* never NULL */
	int (*engine)(const struct exec_args *a);
	uint32_t cpu;
	bool checked;                    /* a checked engine runs it */
	unsigned int pending;            /* EXEC_PENDING_* */
	int nested_err;
	/* bpf_tail_call: the program to continue with after the helper returns. */
	struct bpfrt_prog *tail_prog;
	uint32_t tail_calls;
	/* Engine invocations, innermost last: their stacks are all accessible. */
	const struct exec_args *nest[EXEC_MAX_NEST];
	uint64_t nest_lo[EXEC_MAX_NEST]; /* checked: accessible stack of each, at its last call */
	uint64_t nest_hi[EXEC_MAX_NEST];
	unsigned int nest_depth[EXEC_MAX_NEST]; /* its call depth, at its last helper call */
	unsigned int nest_cnt;
	uint64_t executed;               /* checked: instructions, across invocations */
	/* Checked: records from RET_PTR_TO_ALLOC_MEM helpers not yet released. */
	struct exec_region allocs[EXEC_MAX_ALLOCS];
	unsigned int alloc_cnt;
	/* Checked: value memory of maps passed to helpers (inner maps, ...). */
	struct exec_region dyn[EXEC_MAX_DYN];
	const void *dyn_map[EXEC_MAX_DYN];
	unsigned int dyn_cnt;
	uint64_t rnd;                    /* prandom state (0: not seeded yet) */
	void *held_lock;                 /* the bpf_spin_lock the program holds, or NULL */
	char abort_msg[128];
};

/*
 * Run `prog` once with the hook's entry state, for bpfrt_prog__run() and
 * the program types' test runs: fills opts->retval or the fault, as
 * bpfrt_prog__run(). hook->redirect_* receive what helpers recorded.
 */
int exec_run(const struct bpfrt_prog *prog, struct bpfrt_run_opts *opts, struct exec_hook *hook);

/* Input of one engine invocation. */
struct exec_args {
	const struct bpfrt_prog *prog;
	struct bpfrt_run *run;
	size_t start_pc;         /* 0, or a callback's first instruction */
	uint64_t r1, r2, r3, r4, r5;
	unsigned int frame_base; /* call frames used by the invocations around it */
	const uint8_t *pkt;      /* LD_ABS / LD_IND data */
	uint64_t pkt_len;
	/* Checked engines: regions after the stack, and the budget. */
	const struct exec_region *regions;
	size_t region_cnt;
	uint64_t budget;         /* UINT64_MAX: none */
};

/*
 * Run one engine invocation inside a run (the outermost, a callback, a tail
 * call): keeps run->nest. Returns the engine's result.
 */
int exec_invoke(const struct exec_args *a);

/* Checked engines, slow path: may the run touch [addr, addr + n) outside its own frame? */
bool exec_mem_ok_slow(const struct bpfrt_run *run, uint64_t addr, uint64_t n, bool write);

/*
 * Checked engines, before helper `h` is called at `pc` with reg[1..5]:
 * 0, or a fault (-EFAULT, -EINVAL) naming the argument that is wrong.
 */
int exec_check_helper_args(struct bpfrt_run *run, const struct exec_helper *h,
			   const uint64_t *reg, size_t pc);
/* Checked engines, after it returned r0: track what it handed out. */
void exec_track_helper_ret(struct bpfrt_run *run, const struct exec_helper *h,
			   const uint64_t *reg, uint64_t r0);
/* After a helper set run->pending: the tail call (r0 of the tail program), or the fault. */
int exec_pending(const struct exec_args *a, size_t pc, uint64_t helper_id, uint64_t ctx,
		 unsigned int depth, uint64_t *r0);

/* The index of the innermost invocation in run->nest. */
static inline unsigned int run_level(const struct bpfrt_run *run)
{
	return run->nest_cnt ? run->nest_cnt - 1 : 0;
}

/* The engine function of `engine` (valid), and whether it checks memory. */
int (*exec_engine(enum bpfrt_engine engine, bool *checked))(const struct exec_args *a);

/* The engines. Each returns 0 with the result in run->opts, or -errno. */
int interp_run_fast(const struct exec_args *a);
int interp_run_fast_switch(const struct exec_args *a);
int interp_run_checked(const struct exec_args *a);
int interp_run_checked_switch(const struct exec_args *a);

/* Fill run->opts->fault (pc, kind, message); returns `err`. */
int exec_fault(struct bpfrt_run *run, int err, enum bpfrt_fault_kind kind, size_t pc,
	       const char *fmt, ...) __attribute__((format(printf, 5, 6), cold));

#endif /* BPFRT_EXEC_H */
