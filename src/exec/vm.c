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
#include "core/ids.h"
#include "exec/exec.h"
#include "isa/isa.h"
#include "isa/opcodes.h"
#include "maps/map.h"
#include "progtypes/progtype.h"

/* ---- helper tables ---- */

static int helper_cmp(const void *key, const void *elem)
{
	uint64_t id = *(const uint64_t *)key;
	const struct exec_helper *h = elem;

	return id < h->id ? -1 : id > h->id;
}

const struct exec_helper *exec_helper_search(const struct exec_helpers *h, uint64_t id)
{
	if (!h->cnt)
		return NULL; /* bsearch() must not see a NULL base */
	return bsearch(&id, h->list, h->cnt, sizeof(*h->list), helper_cmp);
}

/* `owned`: the vm's table, which owns names and prototype copies. */
static void helpers_free(struct exec_helpers *h, bool owned)
{
	if (owned)
		for (uint32_t i = 0; i < h->cnt; i++) {
			core_free(h->list[i].name);
			core_free((void *)h->list[i].proto);
		}
	core_free(h->list);
	core_free(h->dense);
	memset(h, 0, sizeof(*h));
}

/* Rebuild the direct-index table for ids below EXEC_DENSE_HELPERS. */
static int helpers_index(struct exec_helpers *h)
{
	uint32_t n = 0;
	struct exec_helper *dense;

	for (uint32_t i = 0; i < h->cnt && h->list[i].id < EXEC_DENSE_HELPERS; i++)
		n = h->list[i].id + 1;
	dense = core_calloc(n ? n : 1, sizeof(*dense));
	if (!dense)
		return -ENOMEM;
	for (uint32_t i = 0; i < h->cnt && h->list[i].id < n; i++)
		dense[h->list[i].id] = h->list[i];
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
		       const struct bpfrt_helper_proto *proto, bool owned)
{
	struct exec_helper *list;
	uint32_t i;

	for (i = 0; i < h->cnt && h->list[i].id < id; i++)
		;
	if (i < h->cnt && h->list[i].id == id) {
		if (owned) {
			core_free(h->list[i].name);
			core_free((void *)h->list[i].proto);
		}
	} else {
		list = core_realloc(h->list, (h->cnt + 1) * sizeof(*list));
		if (!list)
			return -ENOMEM;
		h->list = list;
		memmove(&list[i + 1], &list[i], (h->cnt - i) * sizeof(*list));
		h->cnt++;
	}
	h->list[i] = (struct exec_helper){ .id = id, .fn = fn, .name = name, .proto = proto };
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
	err = helpers_set(&vm->helpers, id, copy, fn, NULL, true);
	if (err == -ENOMEM && !exec_helper_entry(&vm->helpers, id))
		core_free(copy);
	return err;
}

int bpfrt_vm__add_helper(struct bpfrt_vm *vm, uint32_t id, const struct bpfrt_helper_proto *proto)
{
	const struct exec_helper *e;
	struct bpfrt_helper_proto *copy;
	char *name;
	int err;

	if (!vm || !proto || !proto->fn || id > BPFRT_MAX_HELPER_ID)
		return -EINVAL;
	for (int i = 0; i < 5; i++)
		if ((unsigned)proto->args[i] > BPFRT_ARG_PTR_TO_UNINIT_MEM_OR_NULL)
			return -EINVAL;
	if ((unsigned)proto->ret > BPFRT_RET_PTR_TO_MEM_OR_NULL)
		return -EINVAL;
	copy = core_malloc(sizeof(*copy));
	name = core_strdup(proto->name ? proto->name : "");
	if (!copy || !name) {
		core_free(copy);
		core_free(name);
		return -ENOMEM;
	}
	*copy = *proto;
	copy->name = name;
	err = helpers_set(&vm->helpers, id, name, proto->fn, copy, true);
	e = exec_helper_entry(&vm->helpers, id);
	if (err == -ENOMEM && (!e || e->proto != copy)) {
		core_free(copy);
		core_free(name);
	}
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
		return helpers_set(&prog->helpers, id, (char *)"core_poison", core_poison, NULL, false);
	if (id >= BPFRT_KFUNC_POISON_BASE && id - BPFRT_KFUNC_POISON_BASE <= BPFRT_KFUNC_POISON_MAX)
		return helpers_set(&prog->helpers, id, (char *)"kfunc_poison", kfunc_poison, NULL, false);
	return -EINVAL;
}

/*
 * A helper the vm does not have: the kernel's, if the program type allows
 * it, else libbpf's markers for what could not be resolved.
 */
static int bind_kernel_helper(struct bpfrt_prog *prog, uint32_t id, size_t pc, char *log,
			      size_t log_size)
{
	const struct bpfrt_helper_proto *proto = progtype_func_proto(prog->pt, id, prog);
	const struct bpfrt_helper_proto *known = bpfrt_kernel_helper(id);
	const char *name = bpfrt_helper_name(id);
	int err;

	if (proto)
		return helpers_set(&prog->helpers, id, (char *)proto->name, proto->fn, proto, false);
	err = bind_poison(prog, id);
	if (err != -EINVAL)
		return err;
	if (known && (known->flags & BPFRT_HELPER_GPL_ONLY) && !prog->gpl)
		core_log(log, log_size, "pc %zu: cannot call GPL-restricted function bpf_%s#%u from "
			 "non-GPL compatible program", pc, known->name, id);
	else if (known)
		core_log(log, log_size, "pc %zu: helper bpf_%s#%u is not allowed in %s programs", pc,
			 known->name, id, prog->pt->name);
	else if (name)
		core_log(log, log_size, "pc %zu: helper bpf_%s#%u is not implemented by bpfrt", pc,
			 name, id);
	else
		core_log(log, log_size, "pc %zu: call to unknown helper id %u", pc, id);
	return -EINVAL;
}

/* Remember a map the program refers to (once), with its value memory. */
static int prog_add_map(struct bpfrt_prog *prog, struct map *m)
{
	struct bpfrt_region r;
	void **maps;
	struct exec_region *regions;

	for (size_t i = 0; i < prog->map_cnt; i++)
		if (prog->maps[i] == m)
			return 0;
	maps = core_realloc(prog->maps, (prog->map_cnt + 1) * sizeof(*maps));
	if (!maps)
		return -ENOMEM;
	prog->maps = maps;
	regions = core_realloc(prog->map_regions, (prog->map_cnt + 1) * sizeof(*regions));
	if (!regions)
		return -ENOMEM;
	prog->map_regions = regions;
	/* Maps of references (prog arrays, map-in-maps) give programs no memory: an empty region. */
	if (map_regions(m, &r, 1) != 1)
		r = (struct bpfrt_region){ m->name, NULL, 0, false };
	maps[prog->map_cnt] = m;
	regions[prog->map_cnt++] = (struct exec_region){ (uint64_t)(uintptr_t)r.addr, r.size,
							 r.name ? r.name : "map", r.writable };
	return 0;
}

/* An LDDW with a map source, resolved from opts->maps. */
static int resolve_map(struct bpfrt_prog *prog, const struct bpfrt_load_opts *opts, size_t pc,
		       const struct bpfrt_insn *in, uint64_t *value, char *log, size_t log_size)
{
	bool direct = in->src_reg == BPFRT_PSEUDO_MAP_VALUE || in->src_reg == BPFRT_PSEUDO_MAP_IDX_VALUE;
	uint32_t off = (uint32_t)in[1].imm;
	struct map *m;
	int err;

	if (in->imm < 0 || !opts->maps || (size_t)in->imm >= opts->map_cnt ||
	    !(m = map_of(opts->maps[in->imm]))) {
		core_log(log, log_size, "pc %zu: lddw refers to map #%d, but %s", pc, in->imm,
			 opts->maps && (size_t)in->imm < opts->map_cnt && in->imm >= 0
				 ? "that map is not live (create or load it first)"
				 : "the load options give no such map");
		return -EINVAL;
	}
	/* The kernel's verifier makes the first program using a prog_array its owner. */
	if (m->type == BPFRT_MAP_TYPE_PROG_ARRAY && !map_prog_array_compatible(m, prog)) {
		core_log(log, log_size, "pc %zu: prog_array '%s' holds programs of another type or "
			 "attach type than this %s program", pc, m->name,
			 bpfrt_prog_type_name(prog->type) ? bpfrt_prog_type_name(prog->type) : "?");
		return -EINVAL;
	}
	if (!direct) {
		if (in[1].imm) {
			core_log(log, log_size, "pc %zu: lddw of map '%s' has a non-zero second imm", pc,
				 m->name);
			return -EINVAL;
		}
		*value = (uint64_t)(uintptr_t)m;
	} else {
		/* The kernel gives direct value access to array maps only. */
		if (m->type != BPFRT_MAP_TYPE_ARRAY) {
			core_log(log, log_size, "pc %zu: direct value access to map '%s' needs an array map",
				 pc, m->name);
			return -EINVAL;
		}
		if (off >= m->value_size) {
			core_log(log, log_size, "pc %zu: direct value offset %u is outside map '%s' (value size %u)",
				 pc, off, m->name, m->value_size);
			return -EINVAL;
		}
		*value = (uint64_t)(uintptr_t)map_slot(m, 0, 0) + off;
	}
	err = prog_add_map(prog, m);
	return err;
}

/* What the validator leaves to us: helper ids and pseudo LDDW sources. */
static int bind(struct bpfrt_prog *prog, const struct bpfrt_load_opts *opts)
{
	char *log = opts ? opts->log_buf : NULL;
	size_t log_size = opts ? opts->log_size : 0;

	for (size_t pc = 0; pc < prog->cnt; pc += isa_slots(prog->insns[pc].code)) {
		struct bpfrt_insn *in = &prog->insns[pc];

		if (in->code == OP_CALL && in->src_reg == BPFRT_PSEUDO_CALL_HELPER &&
		    !exec_helper_entry(&prog->helpers, (uint32_t)in->imm)) {
			int err = bind_kernel_helper(prog, (uint32_t)in->imm, pc, log, log_size);

			if (err)
				return err;
		}
		if (in->code == OP_LDDW && in->src_reg && in->src_reg != BPFRT_PSEUDO_FUNC) {
			uint64_t value;
			int err;

			if (opts && opts->resolve_ld_imm64) {
				err = opts->resolve_ld_imm64(opts->resolve_ctx, pc, in, &value);
				if (err)
					core_log(log, log_size, "pc %zu: cannot resolve lddw with pseudo source %u: %s",
						 pc, in->src_reg, strerror(err < 0 ? -err : err));
			} else if (opts && opts->maps && in->src_reg != BPFRT_PSEUDO_BTF_ID) {
				err = resolve_map(prog, opts, pc, in, &value, log, log_size);
			} else {
				core_log(log, log_size,
					 in->src_reg == BPFRT_PSEUDO_BTF_ID
						 ? "pc %zu: lddw with pseudo source %u: a kernel symbol (BTF id %d), not available outside the kernel"
						 : "pc %zu: lddw with pseudo source %u refers to map #%d, but the load options give no maps",
					 pc, in->src_reg, in->imm);
				err = -EINVAL;
			}
			if (err)
				return err < 0 ? err : -err;
			in[0].src_reg = 0;
			in[0].imm = (int32_t)(uint32_t)value;
			in[1].imm = (int32_t)(uint32_t)(value >> 32);
		}
	}
	return 0;
}

static int u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Does an instruction start at `target` (not the second slot of an LDDW)? */
static bool insn_starts(const struct bpfrt_prog *prog, size_t target)
{
	size_t pc = 0;

	while (pc < target)
		pc += isa_slots(prog->insns[pc].code);
	return pc == target;
}

/*
 * LDDW BPFRT_PSEUDO_FUNC: the address of a function of the program, for
 * callbacks. Resolved last, once the instructions no longer move.
 */
static int bind_funcs(struct bpfrt_prog *prog, char *log, size_t log_size)
{
	for (size_t pc = 0; pc < prog->cnt; pc += isa_slots(prog->insns[pc].code)) {
		struct bpfrt_insn *in = &prog->insns[pc];
		int64_t target = (int64_t)pc + 1 + in->imm;
		uint64_t value;
		uint32_t *funcs;

		if (in->code != OP_LDDW || in->src_reg != BPFRT_PSEUDO_FUNC)
			continue;
		if (target < 0 || (uint64_t)target >= prog->cnt || in[1].imm ||
		    !insn_starts(prog, (size_t)target)) {
			core_log(log, log_size, "pc %zu: lddw of a function refers to instruction %lld, "
				 "which does not start one", pc, (long long)target);
			return -EINVAL;
		}
		funcs = core_realloc(prog->funcs, (prog->func_cnt + 1) * sizeof(*funcs));
		if (!funcs)
			return -ENOMEM;
		prog->funcs = funcs;
		funcs[prog->func_cnt++] = (uint32_t)target;
		value = (uint64_t)(uintptr_t)&prog->insns[target];
		in[0].src_reg = 0;
		in[0].imm = (int32_t)(uint32_t)value;
		in[1].imm = (int32_t)(uint32_t)(value >> 32);
	}
	if (prog->func_cnt)
		qsort(prog->funcs, prog->func_cnt, sizeof(*prog->funcs), u32_cmp);
	return 0;
}

static void prog_free(struct bpfrt_prog *prog)
{
	ids_free(IDS_PROG, prog->id);
	helpers_free(&prog->helpers, false);
	core_free(prog->insns);
	core_free(prog->orig_pc);
	core_free(prog->maps);
	core_free(prog->map_regions);
	core_free(prog->funcs);
	core_free(prog);
}

struct bpfrt_prog *bpfrt_prog__load(struct bpfrt_vm *vm, const struct bpfrt_insn *insns,
				    size_t cnt, const struct bpfrt_load_opts *opts)
{
	char *log = opts ? opts->log_buf : NULL;
	size_t log_size = opts ? opts->log_size : 0;
	struct bpfrt_prog *prog;
	int err;

	if (!vm || (!insns && cnt) || !CORE_OPTS_VALID(opts)) {
		errno = EINVAL;
		return NULL;
	}
	err = isa_validate(insns, cnt, log, log_size);
	if (err) {
		errno = -err;
		return NULL;
	}
	prog = core_calloc(1, sizeof(*prog));
	if (!prog)
		return NULL;
	prog->vm = vm;
	prog->cnt = cnt;
	prog->refcnt = 1;
	prog->type = opts ? opts->prog_type : BPFRT_PROG_TYPE_UNSPEC;
	prog->expected_attach_type = opts ? opts->expected_attach_type : 0;
	prog->gpl = opts && opts->gpl;
	prog->pt = progtype_get(prog->type);
	prog->insns = core_malloc(cnt * sizeof(*insns));
	err = prog->insns ? helpers_copy(&prog->helpers, &vm->helpers) : -ENOMEM;
	if (!err)
		memcpy(prog->insns, insns, cnt * sizeof(*insns));
	if (!err && !prog->pt) {
		const char *tname = bpfrt_prog_type_name(prog->type);

		core_log(log, log_size, "program type %s (%d) is not supported by bpfrt",
			 tname ? tname : "unknown", (int)prog->type);
		err = -BPFRT_ENOTSUPP;
	}
	if (!err)
		err = bind(prog, opts);
	if (!err)
		err = progtype_prepare(prog->pt, prog, log, log_size);
	if (!err)
		err = bind_funcs(prog, log, log_size);
	if (!err) {
		prog->id = ids_alloc(IDS_PROG, prog);
		if (!prog->id)
			err = -ENOMEM;
	}
	if (err) {
		prog_free(prog);
		errno = -err;
		return NULL;
	}
	__atomic_add_fetch(&vm->progs, 1, __ATOMIC_RELAXED);
	return prog;
}

void exec_prog_get(struct bpfrt_prog *prog)
{
	__atomic_add_fetch(&prog->refcnt, 1, __ATOMIC_RELAXED);
}

void exec_prog_put(struct bpfrt_prog *prog)
{
	if (!prog || __atomic_sub_fetch(&prog->refcnt, 1, __ATOMIC_ACQ_REL))
		return;
	__atomic_sub_fetch(&prog->vm->progs, 1, __ATOMIC_RELAXED);
	prog_free(prog);
}

void bpfrt_prog__free(struct bpfrt_prog *prog)
{
	exec_prog_put(prog);
}

const struct bpfrt_insn *bpfrt_prog__insns(const struct bpfrt_prog *prog)
{
	return prog ? prog->insns : NULL;
}

size_t bpfrt_prog__insn_cnt(const struct bpfrt_prog *prog)
{
	return prog ? prog->cnt : 0;
}

bool bpfrt_prog_type_supported(enum bpfrt_prog_type type)
{
	return progtype_get(type) != NULL;
}

int bpfrt_prog__test_run(const struct bpfrt_prog *prog, struct bpfrt_test_run_opts *opts)
{
	return progtype_test_run(prog, opts);
}

enum bpfrt_prog_type bpfrt_prog__type(const struct bpfrt_prog *prog)
{
	return prog ? prog->type : BPFRT_PROG_TYPE_UNSPEC;
}

uint32_t bpfrt_prog__id(const struct bpfrt_prog *prog)
{
	return prog ? prog->id : 0;
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

int (*exec_engine(enum bpfrt_engine engine, bool *checked))(const struct exec_args *a)
{
	*checked = engines[engine].checked;
	return engines[engine].run;
}

int bpfrt_prog__run(const struct bpfrt_prog *prog, struct bpfrt_run_opts *opts)
{
	struct bpfrt_region mem;
	struct exec_hook hook;

	if (!prog || !opts || !CORE_OPTS_VALID(opts) || (unsigned)opts->engine >= BPFRT_ENGINE__COUNT ||
	    (!opts->mem && opts->mem_size) || (!opts->regions && opts->region_cnt))
		return -EINVAL;
	mem = (struct bpfrt_region){ "mem", opts->mem, opts->mem_size, true };
	hook = (struct exec_hook){
		.r1 = (uint64_t)(uintptr_t)opts->mem,
		.r2 = opts->mem_size,
		.pkt = opts->mem,
		.pkt_len = opts->mem_size,
		.ctx = opts->mem,
		.regions = &mem,
		.region_cnt = 1,
	};
	return exec_run(prog, opts, &hook);
}
