/* SPDX-License-Identifier: MIT */
/*
 * The public face of the engines: vm (helper registry), prog (validated
 * bytecode bound to a vm's helpers), and bpfrt_prog__run(), which prepares
 * the memory regions and hands over to the chosen engine.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "exec/exec.h"
#include "isa/isa.h"
#include "isa/opcodes.h"

/* ---- helper tables ---- */

static int helper_cmp(const void *key, const void *elem)
{
	uint64_t id = *(const uint64_t *)key;
	const struct exec_helper *h = elem;

	return id < h->id ? -1 : id > h->id;
}

bpfrt_helper_fn exec_helper_find(const struct exec_helpers *h, uint64_t id)
{
	const struct exec_helper *e;

	if (id < h->dense_cnt)
		return h->dense[id];
	if (!h->cnt)
		return NULL; /* bsearch() must not see a NULL base */
	e = bsearch(&id, h->list, h->cnt, sizeof(*h->list), helper_cmp);
	return e ? e->fn : NULL;
}

static void helpers_free(struct exec_helpers *h, bool names)
{
	if (names)
		for (uint32_t i = 0; i < h->cnt; i++)
			core_free(h->list[i].name);
	core_free(h->list);
	core_free(h->dense);
	memset(h, 0, sizeof(*h));
}

/* Rebuild the direct-index table for ids below EXEC_DENSE_HELPERS. */
static int helpers_index(struct exec_helpers *h)
{
	uint32_t n = 0;
	bpfrt_helper_fn *dense;

	for (uint32_t i = 0; i < h->cnt && h->list[i].id < EXEC_DENSE_HELPERS; i++)
		n = h->list[i].id + 1;
	dense = core_calloc(n ? n : 1, sizeof(*dense));
	if (!dense)
		return -ENOMEM;
	for (uint32_t i = 0; i < h->cnt && h->list[i].id < n; i++)
		dense[h->list[i].id] = h->list[i].fn;
	core_free(h->dense);
	h->dense = dense;
	h->dense_cnt = n;
	return 0;
}

/* Copy a table (names are shared with the source, not copied). */
static int helpers_copy(struct exec_helpers *dst, const struct exec_helpers *src)
{
	memset(dst, 0, sizeof(*dst));
	dst->list = core_calloc(src->cnt ? src->cnt : 1, sizeof(*dst->list));
	if (!dst->list)
		return -ENOMEM;
	if (src->cnt)
		memcpy(dst->list, src->list, src->cnt * sizeof(*dst->list));
	dst->cnt = src->cnt;
	if (helpers_index(dst)) {
		helpers_free(dst, false);
		return -ENOMEM;
	}
	return 0;
}

/* ---- vm ---- */

struct bpfrt_vm *bpfrt_vm__new(void)
{
	struct bpfrt_vm *vm = core_calloc(1, sizeof(*vm));

	return vm;
}

void bpfrt_vm__free(struct bpfrt_vm *vm)
{
	if (!vm)
		return;
	if (vm->progs)
		core_print(BPFRT_WARN, "bpfrt: vm freed while %u programs still use it\n", vm->progs);
	helpers_free(&vm->helpers, true);
	core_free(vm);
}

/*
 * Insert or replace helper `id` in a sorted table. `name` is stored as
 * given; `owned` says whether the table frees names (the vm's does).
 */
static int helpers_set(struct exec_helpers *h, uint32_t id, char *name, bpfrt_helper_fn fn,
		       bool owned)
{
	struct exec_helper *list;
	uint32_t i;

	for (i = 0; i < h->cnt && h->list[i].id < id; i++)
		;
	if (i < h->cnt && h->list[i].id == id) {
		if (owned)
			core_free(h->list[i].name);
	} else {
		list = core_realloc(h->list, (h->cnt + 1) * sizeof(*list));
		if (!list)
			return -ENOMEM;
		h->list = list;
		memmove(&list[i + 1], &list[i], (h->cnt - i) * sizeof(*list));
		h->cnt++;
	}
	h->list[i] = (struct exec_helper){ .id = id, .fn = fn, .name = name };
	return helpers_index(h);
}

int bpfrt_vm__register_helper(struct bpfrt_vm *vm, uint32_t id, const char *name,
			      bpfrt_helper_fn fn)
{
	char *copy;
	int err;

	if (!vm || !fn || id > BPFRT_MAX_HELPER_ID)
		return -EINVAL;
	copy = core_strdup(name ? name : "");
	if (!copy)
		return -ENOMEM;
	err = helpers_set(&vm->helpers, id, copy, fn, true);
	if (err == -ENOMEM && !exec_helper_find(&vm->helpers, id))
		core_free(copy);
	return err;
}

const char *bpfrt_vm__helper_name(const struct bpfrt_vm *vm, uint32_t id)
{
	uint64_t key = id;
	const struct exec_helper *e;

	if (!vm || !vm->helpers.cnt)
		return NULL;
	e = bsearch(&key, vm->helpers.list, vm->helpers.cnt, sizeof(*e), helper_cmp);
	return e ? e->name : NULL;
}

/* ---- prog ---- */

/* Reached only if a poisoned CO-RE instruction is executed. */
static uint64_t core_poison(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
			    struct bpfrt_run *run)
{
	(void)r1, (void)r2, (void)r3, (void)r4, (void)r5;
	bpfrt_run__abort(run, "reached an instruction poisoned by an unresolved CO-RE relocation");
	return 0;
}

/* Reached only if a call to an unresolved __weak kfunc is executed. */
static uint64_t kfunc_poison(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
			     struct bpfrt_run *run)
{
	(void)r1, (void)r2, (void)r3, (void)r4, (void)r5;
	bpfrt_run__abort(run, "reached a call of a __weak kernel function that does not exist here");
	return 0;
}

/*
 * libbpf's markers for what could not be resolved load as built-in helpers
 * that stop the run when reached, unless the embedder registered the id.
 */
static int bind_poison(struct bpfrt_prog *prog, uint32_t id)
{
	if (id == BPFRT_POISON_HELPER_ID)
		return helpers_set(&prog->helpers, id, (char *)"core_poison", core_poison, false);
	if (id >= BPFRT_KFUNC_POISON_BASE && id - BPFRT_KFUNC_POISON_BASE <= BPFRT_KFUNC_POISON_MAX)
		return helpers_set(&prog->helpers, id, (char *)"kfunc_poison", kfunc_poison, false);
	return -EINVAL;
}

/* What the validator leaves to us: helper ids and pseudo LDDW sources. */
static int bind(struct bpfrt_prog *prog, const struct bpfrt_load_opts *opts)
{
	char *log = opts ? opts->log_buf : NULL;
	size_t log_size = opts ? opts->log_size : 0;

	for (size_t pc = 0; pc < prog->cnt; pc += isa_slots(prog->insns[pc].code)) {
		struct bpfrt_insn *in = &prog->insns[pc];

		if (in->code == OP_CALL && in->src_reg == BPFRT_PSEUDO_CALL_HELPER &&
		    !exec_helper_find(&prog->helpers, (uint32_t)in->imm)) {
			int err = bind_poison(prog, (uint32_t)in->imm);

			if (err == -EINVAL)
				core_log(log, log_size, "pc %zu: call to unknown helper id %d", pc, in->imm);
			if (err)
				return err;
		}
		if (in->code == OP_LDDW && in->src_reg) {
			uint64_t value;
			int err;

			if (!opts || !opts->resolve_ld_imm64) {
				core_log(log, log_size,
					 "pc %zu: lddw with pseudo source %u (imm %d) needs an object loader to resolve it",
					 pc, in->src_reg, in->imm);
				return -EINVAL;
			}
			err = opts->resolve_ld_imm64(opts->resolve_ctx, pc, in, &value);
			if (err) {
				core_log(log, log_size, "pc %zu: cannot resolve lddw with pseudo source %u: %s",
					 pc, in->src_reg, strerror(err < 0 ? -err : err));
				return err < 0 ? err : -err;
			}
			in[0].src_reg = 0;
			in[0].imm = (int32_t)(uint32_t)value;
			in[1].imm = (int32_t)(uint32_t)(value >> 32);
		}
	}
	return 0;
}

struct bpfrt_prog *bpfrt_prog__load(struct bpfrt_vm *vm, const struct bpfrt_insn *insns,
				    size_t cnt, const struct bpfrt_load_opts *opts)
{
	struct bpfrt_prog *prog;
	int err;

	if (!vm || (!insns && cnt) || !CORE_OPTS_VALID(opts)) {
		errno = EINVAL;
		return NULL;
	}
	err = isa_validate(insns, cnt, opts ? opts->log_buf : NULL, opts ? opts->log_size : 0);
	if (err) {
		errno = -err;
		return NULL;
	}
	prog = core_calloc(1, sizeof(*prog));
	if (!prog)
		return NULL;
	prog->vm = vm;
	prog->cnt = cnt;
	prog->insns = core_malloc(cnt * sizeof(*insns));
	err = prog->insns ? helpers_copy(&prog->helpers, &vm->helpers) : -ENOMEM;
	if (!err) {
		memcpy(prog->insns, insns, cnt * sizeof(*insns));
		err = bind(prog, opts);
	}
	if (err) {
		helpers_free(&prog->helpers, false);
		core_free(prog->insns);
		core_free(prog);
		errno = -err;
		return NULL;
	}
	vm->progs++;
	return prog;
}

void bpfrt_prog__free(struct bpfrt_prog *prog)
{
	if (!prog)
		return;
	prog->vm->progs--;
	helpers_free(&prog->helpers, false);
	core_free(prog->insns);
	core_free(prog);
}

const struct bpfrt_insn *bpfrt_prog__insns(const struct bpfrt_prog *prog)
{
	return prog ? prog->insns : NULL;
}

size_t bpfrt_prog__insn_cnt(const struct bpfrt_prog *prog)
{
	return prog ? prog->cnt : 0;
}

/* ---- engines and runs ---- */

static const struct {
	const char *name;
	int (*run)(const struct exec_args *a);
	bool checked;
} engines[BPFRT_ENGINE__COUNT] = {
	[BPFRT_ENGINE_INTERP] = { "interp", interp_run_fast, false },
	[BPFRT_ENGINE_CHECKED] = { "checked", interp_run_checked, true },
	[BPFRT_ENGINE_INTERP_SWITCH] = { "interp-switch", interp_run_fast_switch, false },
	[BPFRT_ENGINE_CHECKED_SWITCH] = { "checked-switch", interp_run_checked_switch, true },
};

const char *bpfrt_engine_name(enum bpfrt_engine engine)
{
	return (unsigned)engine < BPFRT_ENGINE__COUNT ? engines[engine].name : NULL;
}

int bpfrt_engine_from_name(const char *name)
{
	for (int i = 0; name && i < BPFRT_ENGINE__COUNT; i++)
		if (!strcmp(name, engines[i].name))
			return i;
	return -EINVAL;
}

int exec_fault(struct bpfrt_run *run, int err, enum bpfrt_fault_kind kind, size_t pc,
	       const char *fmt, ...)
{
	struct bpfrt_fault *f = &run->opts->fault;
	int n = snprintf(f->msg, sizeof(f->msg), "pc %zu: ", pc);
	va_list ap;

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
	run->aborted = true;
}

/* The checked engines' region list: the input memory, then the caller's. */
#define RUN_MAX_REGIONS 64

int bpfrt_prog__run(const struct bpfrt_prog *prog, struct bpfrt_run_opts *opts)
{
	struct exec_region regions[RUN_MAX_REGIONS];
	struct bpfrt_run run; /* abort_msg is written only on abort */
	struct exec_args a;
	size_t n = 0;

	if (!prog || !opts || !CORE_OPTS_VALID(opts) || (unsigned)opts->engine >= BPFRT_ENGINE__COUNT ||
	    (!opts->mem && opts->mem_size) || (!opts->regions && opts->region_cnt))
		return -EINVAL;
	run.prog = prog;
	run.opts = opts;
	run.aborted = false;
	opts->retval = 0;
	opts->insn_executed = 0;
	opts->fault.kind = BPFRT_FAULT_NONE;
	opts->fault.pc = 0;
	opts->fault.addr = 0;
	opts->fault.size = 0;
	opts->fault.msg[0] = '\0';
	a = (struct exec_args){
		.prog = prog,
		.run = &run,
		.r1 = (uint64_t)(uintptr_t)opts->mem,
		.r2 = opts->mem_size,
		.pkt = opts->mem,
		.pkt_len = opts->mem_size,
		.budget = opts->insn_budget ? opts->insn_budget : UINT64_MAX,
	};
	if (engines[opts->engine].checked) {
		if (opts->region_cnt + 1 > RUN_MAX_REGIONS)
			return -E2BIG;
		if (opts->mem_size)
			regions[n++] = (struct exec_region){ (uint64_t)(uintptr_t)opts->mem,
							     opts->mem_size, "mem", true };
		for (size_t i = 0; i < opts->region_cnt; i++) {
			const struct bpfrt_region *r = &opts->regions[i];

			regions[n++] = (struct exec_region){ (uint64_t)(uintptr_t)r->addr, r->size,
							     r->name ? r->name : "region", r->writable };
		}
		a.regions = regions;
		a.region_cnt = n;
	}
	return engines[opts->engine].run(&a);
}
