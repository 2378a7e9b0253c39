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
	struct bpfrt_insn *insns; /* validated; pseudo LDDW resolved */
	size_t cnt;
	/* Snapshot of the vm's helpers at load: runs never see a table change. */
	struct exec_helpers helpers;
};

/* The helper registered as `id` in `h`, or NULL. */
bpfrt_helper_fn exec_helper_find(const struct exec_helpers *h, uint64_t id);

/* What a helper sees of its run (struct bpfrt_run in the public API). */
struct bpfrt_run {
	const struct bpfrt_prog *prog;
	struct bpfrt_run_opts *opts;
	bool aborted;
	char abort_msg[128];
};

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
