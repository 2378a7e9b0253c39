/* SPDX-License-Identifier: MIT */
/*
 * One run of a program: its state (struct bpfrt_run), what helpers may ask
 * of it, nested engine invocations (callbacks, tail calls), and the checked
 * engines' tests of helper arguments against the helpers' prototypes.
 *
 * A run is a stack of engine invocations (run->nest): the program itself,
 * then each callback a helper calls (bpf_loop, for_each_map_elem) or tail
 * call it makes, innermost last. Call frames add up across invocations, so
 * the limit of BPFRT_MAX_CALL_FRAMES holds for the run as a whole, and a
 * checked invocation may touch the stacks of the invocations around it
 * (a callback's context is usually on its caller's stack).
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "core/core.h"
#include "exec/exec.h"
#include "maps/map.h"
#include "maps/ringbuf.h"

static const struct bpfrt_env default_env = { .sz = sizeof(struct bpfrt_env) };

int exec_fault(struct bpfrt_run *run, int err, enum bpfrt_fault_kind kind, size_t pc,
	       const char *fmt, ...)
{
	struct bpfrt_fault *f = &run->opts->fault;
	const struct bpfrt_prog *prog = run->prog;
	int n;
	va_list ap;

	/* Name the instruction as loaded, before context rewriting moved it. */
	if (prog && prog->orig_pc && pc < prog->cnt)
		pc = prog->orig_pc[pc];
	n = snprintf(f->msg, sizeof(f->msg), "pc %zu: ", pc);
	va_start(ap, fmt);
	vsnprintf(f->msg + n, sizeof(f->msg) - (size_t)n, fmt, ap);
	va_end(ap);
	f->kind = kind;
	f->pc = (uint32_t)pc;
	return err;
}

void *bpfrt_run__user(const struct bpfrt_run *run)
{
	return run ? run->opts->user : NULL;
}

void bpfrt_run__abort(struct bpfrt_run *run, const char *fmt, ...)
{
	va_list ap;

	if (!run)
		return;
	va_start(ap, fmt);
	vsnprintf(run->abort_msg, sizeof(run->abort_msg), fmt, ap);
	va_end(ap);
	run->pending |= EXEC_PENDING_ABORT;
}

uint32_t bpfrt_run__cpu(const struct bpfrt_run *run)
{
	return run ? run->cpu : 0;
}

const struct bpfrt_env *bpfrt_run__env(const struct bpfrt_run *run)
{
	return run ? run->env : &default_env;
}

void *bpfrt_run__ctx(const struct bpfrt_run *run)
{
	return run && run->hook ? run->hook->ctx : NULL;
}

/* ---- invocations ---- */

int exec_invoke(const struct exec_args *a)
{
	struct bpfrt_run *run = a->run;
	const struct bpfrt_prog *outer = run->prog;
	int err;

	if (run->nest_cnt >= EXEC_MAX_NEST)
		return exec_fault(run, -ELOOP, BPFRT_FAULT_CALL_DEPTH, a->start_pc,
				  "callbacks and tail calls nested more than %d deep", EXEC_MAX_NEST);
	run->nest[run->nest_cnt] = a;
	run->nest_lo[run->nest_cnt] = run->nest_hi[run->nest_cnt] = 0;
	run->nest_depth[run->nest_cnt] = 0;
	run->nest_cnt++;
	run->prog = a->prog;
	err = run->engine(a);
	run->nest_cnt--;
	run->prog = outer;
	return err;
}

/* A nested invocation of the innermost one's program (or of `prog`). */
static int invoke_nested(struct bpfrt_run *run, const struct bpfrt_prog *prog, size_t start_pc,
			 const uint64_t *r, unsigned int extra_frames, uint64_t *ret)
{
	const struct exec_args *top = run->nest[run_level(run)];
	unsigned int base = top->frame_base + run->nest_depth[run_level(run)] + extra_frames;
	struct exec_args a = *top;
	int err;

	if (base >= BPFRT_MAX_CALL_FRAMES)
		return exec_fault(run, -ELOOP, BPFRT_FAULT_CALL_DEPTH, start_pc,
				  "call stack too deep: a callback would make %u frames (at most %d)",
				  base + 1, BPFRT_MAX_CALL_FRAMES);
	a.prog = prog;
	a.start_pc = start_pc;
	a.r1 = r[0];
	a.r2 = r[1];
	a.r3 = r[2];
	a.r4 = r[3];
	a.r5 = r[4];
	a.frame_base = base;
	err = exec_invoke(&a);
	if (!err)
		*ret = run->opts->retval;
	return err;
}

static int func_cmp(const void *key, const void *elem)
{
	uint32_t k = *(const uint32_t *)key, e = *(const uint32_t *)elem;

	return k < e ? -1 : k > e;
}

/* Is `v` the address of a callback entry of the program (LDDW BPFRT_PSEUDO_FUNC)? */
static bool is_func(const struct bpfrt_prog *prog, uint64_t v)
{
	uint64_t base = (uint64_t)(uintptr_t)prog->insns, off = v - base;
	uint32_t pc = (uint32_t)(off / sizeof(struct bpfrt_insn));

	return v >= base && off % sizeof(struct bpfrt_insn) == 0 && pc < prog->cnt && prog->func_cnt &&
	       bsearch(&pc, prog->funcs, prog->func_cnt, sizeof(*prog->funcs), func_cmp);
}

int bpfrt_run__call(struct bpfrt_run *run, uint64_t fn, uint64_t r1, uint64_t r2, uint64_t r3,
		    uint64_t r4, uint64_t r5, uint64_t *ret)
{
	uint64_t regs[5] = { r1, r2, r3, r4, r5 };
	int err;

	if (!run || !ret || !run->nest_cnt)
		return -EINVAL;
	if (!is_func(run->prog, fn))
		err = exec_fault(run, -EFAULT, BPFRT_FAULT_HELPER, 0,
				 "callback 0x%llx is not a function of the program",
				 (unsigned long long)fn);
	else
		err = invoke_nested(run, run->prog,
				    (size_t)(fn - (uint64_t)(uintptr_t)run->prog->insns) /
					    sizeof(struct bpfrt_insn),
				    regs, 1, ret);
	if (err) {
		run->nested_err = err;
		run->pending |= EXEC_PENDING_FAULT;
	}
	return err;
}

static __attribute__((cold)) int helper_aborted(struct bpfrt_run *run, size_t pc, uint64_t id)
{
	const struct exec_helper *h = exec_helper_entry(&run->prog->helpers, id);

	if (h && h->name && h->name[0])
		return exec_fault(run, -ECANCELED, BPFRT_FAULT_ABORT, pc,
				  "helper %s (%llu) stopped the program: %s", h->name,
				  (unsigned long long)id, run->abort_msg);
	return exec_fault(run, -ECANCELED, BPFRT_FAULT_ABORT, pc, "helper %llu stopped the program: %s",
			  (unsigned long long)id, run->abort_msg);
}

int exec_pending(const struct exec_args *a, size_t pc, uint64_t helper_id, uint64_t ctx,
		 unsigned int depth, uint64_t *r0)
{
	struct bpfrt_run *run = a->run;
	struct bpfrt_prog *tail = run->tail_prog;

	/* A fault in a callback first: its message names where it happened. */
	if (run->pending & EXEC_PENDING_FAULT)
		return run->nested_err;
	if (run->pending & EXEC_PENDING_ABORT)
		return helper_aborted(run, pc, helper_id);
	/*
	 * A tail call replaces the calling function: the new program starts
	 * with r1 = ctx in this function's frame, and what it returns, this
	 * function returns.
	 */
	run->pending = 0;
	run->tail_prog = NULL;
	run->nest_depth[run_level(run)] = depth;
	return invoke_nested(run, tail, 0, (uint64_t[5]){ ctx }, 0, r0);
}

/* ---- memory of checked runs ---- */

static bool in(uint64_t start, uint64_t size, uint64_t addr, uint64_t n)
{
	return addr >= start && n <= size && addr - start <= size - n;
}

static bool regions_ok(const struct exec_region *r, size_t cnt, uint64_t addr, uint64_t n,
		       bool write, bool *found)
{
	for (size_t i = 0; i < cnt; i++)
		if (in(r[i].start, r[i].size, addr, n)) {
			*found = true;
			return !write || r[i].writable;
		}
	return false;
}

/*
 * Only the memory of maps this run may name: the program's own, those it
 * passed to helpers (inner maps of map-in-maps), its ring buffer records.
 * Other live maps stay out of reach, so programs of different embedders
 * cannot read each other's maps by guessing addresses.
 */
bool exec_mem_ok_slow(const struct bpfrt_run *run, uint64_t addr, uint64_t n, bool write)
{
	const struct bpfrt_prog *prog = run->prog;
	bool found = false, ok;

	/* The stacks of the invocations around this one. */
	for (unsigned int i = 0; i + 1 < run->nest_cnt; i++)
		if (in(run->nest_lo[i], run->nest_hi[i] - run->nest_lo[i], addr, n))
			return true;
	ok = regions_ok(prog->map_regions, prog->map_cnt, addr, n, write, &found);
	if (!found)
		ok = regions_ok(run->dyn, run->dyn_cnt, addr, n, write, &found);
	if (!found)
		ok = regions_ok(run->allocs, run->alloc_cnt, addr, n, write, &found);
	return found && ok;
}

bool bpfrt_run__mem_ok(const struct bpfrt_run *run, uint64_t addr, uint64_t size, bool write)
{
	const struct exec_args *a;
	unsigned int top;
	bool found = false, ok;

	if (!run || !run->checked)
		return true;
	if (!run->nest_cnt)
		return false;
	top = run_level(run);
	a = run->nest[top];
	if (in(run->nest_lo[top], run->nest_hi[top] - run->nest_lo[top], addr, size))
		return true;
	ok = regions_ok(a->regions, a->region_cnt, addr, size, write, &found);
	return found ? ok : exec_mem_ok_slow(run, addr, size, write);
}

/* ---- helper arguments (checked engines) ---- */

static bool prog_has_map(const struct bpfrt_prog *prog, uint64_t v)
{
	for (size_t i = 0; i < prog->map_cnt; i++)
		if ((uint64_t)(uintptr_t)prog->maps[i] == v)
			return true;
	return false;
}

/*
 * Is `v` a map the run may pass to helpers? The program's own maps, maps
 * seen before in this run, and any other live map (an inner map a look-up
 * in a map-in-map returned), whose values then become accessible.
 */
static bool map_arg_ok(struct bpfrt_run *run, uint64_t v)
{
	struct bpfrt_region r;
	struct map *m = (struct map *)(uintptr_t)v;

	if (prog_has_map(run->prog, v))
		return true;
	for (unsigned int i = 0; i < run->dyn_cnt; i++)
		if ((uint64_t)(uintptr_t)run->dyn_map[i] == v)
			return true;
	if (!map_is_live(m) || run->dyn_cnt >= EXEC_MAX_DYN || map_regions(m, &r, 1) != 1)
		return false;
	run->dyn_map[run->dyn_cnt] = m;
	run->dyn[run->dyn_cnt++] = (struct exec_region){ (uint64_t)(uintptr_t)r.addr, r.size,
							 r.name, r.writable };
	return true;
}

static const char *const arg_names[] = {
	[BPFRT_ARG_CONST_MAP_PTR] = "a map",
	[BPFRT_ARG_PTR_TO_MAP_KEY] = "a map key",
	[BPFRT_ARG_PTR_TO_MAP_VALUE] = "a map value",
	[BPFRT_ARG_PTR_TO_MEM] = "readable memory",
	[BPFRT_ARG_PTR_TO_MEM_OR_NULL] = "readable memory or NULL",
	[BPFRT_ARG_PTR_TO_UNINIT_MEM] = "writable memory",
	[BPFRT_ARG_CONST_SIZE] = "a size > 0",
	[BPFRT_ARG_PTR_TO_CTX] = "the context",
	[BPFRT_ARG_PTR_TO_CTX_OR_NULL] = "the context or NULL",
	[BPFRT_ARG_PTR_TO_STACK_OR_NULL] = "memory or NULL",
	[BPFRT_ARG_PTR_TO_FUNC] = "a function of the program",
	[BPFRT_ARG_PTR_TO_SPIN_LOCK] = "the bpf_spin_lock of a map value",
	[BPFRT_ARG_PTR_TO_LONG] = "8 writable bytes",
	[BPFRT_ARG_PTR_TO_INT] = "4 writable bytes",
	[BPFRT_ARG_PTR_TO_CONST_STR] = "a NUL-terminated read-only string",
	[BPFRT_ARG_PTR_TO_ALLOC_MEM] = "a ring buffer record it holds",
	[BPFRT_ARG_PTR_TO_UNINIT_MAP_VALUE] = "a writable map value",
	[BPFRT_ARG_PTR_TO_UNINIT_MEM_OR_NULL] = "writable memory or NULL",
};

static __attribute__((cold)) int arg_fault(struct bpfrt_run *run, const struct exec_helper *h,
					   size_t pc, int i, uint64_t v, const char *detail)
{
	enum bpfrt_arg_type t = h->proto->args[i];
	const char *want = (size_t)t < sizeof(arg_names) / sizeof(arg_names[0]) && arg_names[t]
				   ? arg_names[t] : "something else";

	return exec_fault(run, -EFAULT, BPFRT_FAULT_HELPER, pc,
			  "helper %s arg %d (r%d = 0x%llx) must be %s%s%s", h->name, i + 1, i + 1,
			  (unsigned long long)v, want, detail ? ": " : "", detail ? detail : "");
}

/* The bpf_spin_lock of a value of a map with one (as the kernel's verifier demands)? */
static bool spin_lock_in(const struct exec_region *r, const void *const *maps, size_t cnt,
			 uint64_t v)
{
	for (size_t i = 0; i < cnt; i++) {
		const struct map *m = maps[i];

		if (r[i].size && v >= r[i].start && v - r[i].start < r[i].size)
			return m->spin_lock_off >= 0 && !m->percpu &&
			       (v - r[i].start) % m->value_stride == (uint64_t)m->spin_lock_off;
	}
	return false;
}

static bool spin_lock_ok(const struct bpfrt_run *run, uint64_t v)
{
	return spin_lock_in(run->prog->map_regions, (const void *const *)run->prog->maps,
			    run->prog->map_cnt, v) ||
	       spin_lock_in(run->dyn, run->dyn_map, run->dyn_cnt, v);
}

/* A NUL within readable memory from v on? */
static bool const_str_ok(const struct bpfrt_run *run, uint64_t v)
{
	for (uint64_t p = v;; p++) {
		if (!bpfrt_run__mem_ok(run, p, 1, false))
			return false;
		if (!*(const char *)(uintptr_t)p)
			return true;
	}
}

int exec_check_helper_args(struct bpfrt_run *run, const struct exec_helper *h, const uint64_t *reg,
			   size_t pc)
{
	const struct bpfrt_helper_proto *proto = h->proto;
	const struct map *map = NULL;

	if (!proto)
		return 0;
	for (int i = 0; i < 5; i++) {
		enum bpfrt_arg_type t = proto->args[i];
		enum bpfrt_arg_type next = i < 4 ? proto->args[i + 1] : BPFRT_ARG_NONE;
		uint64_t v = reg[i + 1], size = i < 4 ? reg[i + 2] : 0;

		switch (t) {
		case BPFRT_ARG_NONE:
		case BPFRT_ARG_ANYTHING:
		case BPFRT_ARG_CONST_SIZE_OR_ZERO:
		case BPFRT_ARG_CONST_ALLOC_SIZE_OR_ZERO:
		case BPFRT_ARG_PTR_TO_BTF_ID:
			break;
		case BPFRT_ARG_CONST_SIZE:
			if (!v)
				return arg_fault(run, h, pc, i, v, NULL);
			break;
		case BPFRT_ARG_CONST_MAP_PTR:
			if (!map_arg_ok(run, v))
				return arg_fault(run, h, pc, i, v, "not a live map");
			map = (const struct map *)(uintptr_t)v;
			break;
		case BPFRT_ARG_PTR_TO_MAP_KEY:
		case BPFRT_ARG_PTR_TO_MAP_VALUE:
		case BPFRT_ARG_PTR_TO_UNINIT_MAP_VALUE:
			if (!map)
				return arg_fault(run, h, pc, i, v, "no map argument before it");
			size = t == BPFRT_ARG_PTR_TO_MAP_KEY ? map->key_size : map->value_size;
			if (!bpfrt_run__mem_ok(run, v, size, t == BPFRT_ARG_PTR_TO_UNINIT_MAP_VALUE))
				return arg_fault(run, h, pc, i, v, "not accessible for the map's size");
			break;
		case BPFRT_ARG_PTR_TO_MEM_OR_NULL:
		case BPFRT_ARG_PTR_TO_UNINIT_MEM_OR_NULL:
			if (!v && (next == BPFRT_ARG_CONST_SIZE || next == BPFRT_ARG_CONST_SIZE_OR_ZERO) &&
			    size)
				return arg_fault(run, h, pc, i, v, "NULL with a size that is not 0");
			if (!v)
				break;
			/* fall through */
		case BPFRT_ARG_PTR_TO_MEM:
		case BPFRT_ARG_PTR_TO_UNINIT_MEM:
			if (next != BPFRT_ARG_CONST_SIZE && next != BPFRT_ARG_CONST_SIZE_OR_ZERO)
				size = 1;
			if (size && !bpfrt_run__mem_ok(run, v, size, t == BPFRT_ARG_PTR_TO_UNINIT_MEM ||
								t == BPFRT_ARG_PTR_TO_UNINIT_MEM_OR_NULL))
				return arg_fault(run, h, pc, i, v, "not accessible for the size given");
			break;
		case BPFRT_ARG_PTR_TO_CTX_OR_NULL:
			if (!v)
				break;
			/* fall through */
		case BPFRT_ARG_PTR_TO_CTX:
			if (!run->hook || v != (uint64_t)(uintptr_t)run->hook->ctx)
				return arg_fault(run, h, pc, i, v, NULL);
			break;
		case BPFRT_ARG_PTR_TO_STACK_OR_NULL:
			if (v && !bpfrt_run__mem_ok(run, v, 1, false))
				return arg_fault(run, h, pc, i, v, NULL);
			break;
		case BPFRT_ARG_PTR_TO_FUNC:
			if (!is_func(run->prog, v))
				return arg_fault(run, h, pc, i, v, NULL);
			break;
		case BPFRT_ARG_PTR_TO_SPIN_LOCK:
			if (!spin_lock_ok(run, v))
				return arg_fault(run, h, pc, i, v, NULL);
			break;
		case BPFRT_ARG_PTR_TO_LONG:
		case BPFRT_ARG_PTR_TO_INT:
			if (!bpfrt_run__mem_ok(run, v, t == BPFRT_ARG_PTR_TO_LONG ? 8 : 4, true))
				return arg_fault(run, h, pc, i, v, NULL);
			break;
		case BPFRT_ARG_PTR_TO_CONST_STR:
			if (!const_str_ok(run, v))
				return arg_fault(run, h, pc, i, v, NULL);
			break;
		case BPFRT_ARG_PTR_TO_ALLOC_MEM: {
			/* Releases the record: its memory is no longer the program's. */
			unsigned int j;

			for (j = 0; j < run->alloc_cnt && run->allocs[j].start != v; j++)
				;
			if (j == run->alloc_cnt)
				return arg_fault(run, h, pc, i, v, NULL);
			run->allocs[j] = run->allocs[--run->alloc_cnt];
			break;
		}
		}
	}
	return 0;
}

void exec_track_helper_ret(struct bpfrt_run *run, const struct exec_helper *h, const uint64_t *reg,
			   uint64_t r0)
{
	const struct bpfrt_helper_proto *proto = h->proto;

	if (!proto || proto->ret != BPFRT_RET_PTR_TO_ALLOC_MEM_OR_NULL || !r0)
		return;
	for (int i = 0; i < 5; i++)
		if (proto->args[i] == BPFRT_ARG_CONST_ALLOC_SIZE_OR_ZERO) {
			if (run->alloc_cnt >= EXEC_MAX_ALLOCS) {
				bpfrt_run__abort(run, "more than %d ring buffer records held at once",
						 EXEC_MAX_ALLOCS);
				return;
			}
			run->allocs[run->alloc_cnt++] = (struct exec_region){ r0, reg[i + 1],
									      "ringbuf record", true };
			return;
		}
}

/* ---- one run ---- */

/* The checked engines' region list: the hook's, then the caller's. */
#define RUN_MAX_REGIONS 64

int exec_run(const struct bpfrt_prog *prog, struct bpfrt_run_opts *opts, struct exec_hook *hook)
{
	struct exec_region regions[RUN_MAX_REGIONS];
	struct bpfrt_run run;
	struct exec_args a;
	size_t n = 0;
	int err;

	/* The arrays of the run are valid up to their counts: no need to clear them. */
	run.prog = NULL;
	run.pending = 0;
	run.nested_err = 0;
	run.tail_prog = NULL;
	run.tail_calls = 0;
	run.nest_cnt = 0;
	run.executed = 0;
	run.alloc_cnt = 0;
	run.dyn_cnt = 0;
	run.rnd = 0;
	run.held_lock = NULL;
	run.abort_msg[0] = '\0';
	run.opts = opts;
	run.hook = hook;
	run.env = opts->env ? opts->env : &default_env;
	run.cpu = opts->cpu;
	run.engine = exec_engine(opts->engine, &run.checked);
	opts->retval = 0;
	opts->insn_executed = 0;
	memset(&opts->fault, 0, sizeof(opts->fault));
	a = (struct exec_args){
		.prog = prog,
		.run = &run,
		.r1 = hook->r1,
		.r2 = hook->r2,
		.pkt = hook->pkt,
		.pkt_len = hook->pkt_len,
		.budget = opts->insn_budget ? opts->insn_budget : UINT64_MAX,
	};
	if (run.checked) {
		if (hook->region_cnt + opts->region_cnt > RUN_MAX_REGIONS)
			return -E2BIG;
		for (size_t i = 0; i < hook->region_cnt + opts->region_cnt; i++) {
			const struct bpfrt_region *r = i < hook->region_cnt
							       ? &hook->regions[i]
							       : &opts->regions[i - hook->region_cnt];

			if (!r->size)
				continue;
			regions[n++] = (struct exec_region){ (uint64_t)(uintptr_t)r->addr, r->size,
							     r->name ? r->name : "region", r->writable };
		}
		a.regions = regions;
		a.region_cnt = n;
	}
	err = exec_invoke(&a);
	if (!err && run.alloc_cnt) {
		/* The kernel's verifier refuses such programs ("Unreleased reference"). */
		err = exec_fault(&run, -EINVAL, BPFRT_FAULT_ABORT, 0,
				 "the program ended holding %u ring buffer record%s (discarded)",
				 run.alloc_cnt, run.alloc_cnt == 1 ? "" : "s");
	}
	for (unsigned int i = 0; i < run.alloc_cnt; i++)
		ringbuf_discard((void *)(uintptr_t)run.allocs[i].start, 0);
	if (run.held_lock) {
		/* The kernel's verifier refuses such programs ("bpf_spin_unlock is missing"). */
		map_spin_unlock(run.held_lock);
		if (!err)
			err = exec_fault(&run, -EINVAL, BPFRT_FAULT_ABORT, 0,
					 "the program ended holding a bpf_spin_lock (released)");
	}
	return err;
}
