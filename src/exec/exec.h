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

/* A helper table: sorted by id, plus a direct-index table for small ids. */
struct exec_helpers {
	struct exec_helper *list; /* sorted by id */
	uint32_t cnt;
	bpfrt_helper_fn *dense;   /* [id] for id < dense_cnt */
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
};

void exec_prog_get(struct bpfrt_prog *prog);
void exec_prog_put(struct bpfrt_prog *prog);

/* The helper registered as `id` in `h`, or NULL. */
bpfrt_helper_fn exec_helper_find(const struct exec_helpers *h, uint64_t id);

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

struct exec_args;

/* What a helper sees of its run (struct bpfrt_run in the public API). */
struct bpfrt_run {
	const struct bpfrt_prog *prog;   /* the program running now (tail calls change it) */
	struct bpfrt_run_opts *opts;
	struct exec_hook *hook;
	const struct bpfrt_env *env;     /* never NULL */
	uint32_t cpu;
	bool aborted;
	bool checked;                    /* a checked engine runs it */
	/* bpf_tail_call: the program to continue with after the helper returns. */
	struct bpfrt_prog *tail_prog;
	uint32_t tail_calls;
	/* Engine invocations, innermost last: their stacks are all accessible. */
	const struct exec_args *nest[EXEC_MAX_NEST];
	uint64_t nest_lo[EXEC_MAX_NEST]; /* checked: accessible stack of each, at its call */
	uint64_t nest_hi[EXEC_MAX_NEST];
	unsigned int nest_cnt;
	unsigned int frames;             /* call frames in use across invocations */
	uint64_t rnd;                    /* prandom state (0: not seeded yet) */
	char abort_msg[128];
};

/*
 * Run `prog` once with the hook's entry state, for bpfrt_prog__run() and
 * the program types' test runs: fills opts->retval or the fault, as
 * bpfrt_prog__run(). hook->redirect_* receive what helpers recorded.
 */
int exec_run(const struct bpfrt_prog *prog, struct bpfrt_run_opts *opts, struct exec_hook *hook);

/* A memory region as the checked engines test it. */
struct exec_region {
	uint64_t start;
	uint64_t size;
	const char *name;
	bool writable;
};

/* Input of one engine invocation. */
struct exec_args {
	const struct bpfrt_prog *prog;
	struct bpfrt_run *run;
	uint64_t r1, r2;
	const uint8_t *pkt;      /* LD_ABS / LD_IND data */
	uint64_t pkt_len;
	/* Checked engines: regions after the stack, and the budget. */
	const struct exec_region *regions;
	size_t region_cnt;
	uint64_t budget;         /* UINT64_MAX: none */
};

/* The engines. Each returns 0 with the result in run->opts, or -errno. */
int interp_run_fast(const struct exec_args *a);
int interp_run_fast_switch(const struct exec_args *a);
int interp_run_checked(const struct exec_args *a);
int interp_run_checked_switch(const struct exec_args *a);

/* Fill run->opts->fault (pc, kind, message); returns `err`. */
int exec_fault(struct bpfrt_run *run, int err, enum bpfrt_fault_kind kind, size_t pc,
	       const char *fmt, ...) __attribute__((format(printf, 5, 6), cold));

#endif /* BPFRT_EXEC_H */
