/* SPDX-License-Identifier: MIT */
/*
 * Relocating programs, in libbpf's order so the result matches libbpf's
 * instruction for instruction:
 *
 *   1. reloc_collect(): each ELF relocation of a code section becomes a
 *      record of the program containing the instruction (map, global data,
 *      call, function address, extern); relocations outside every function
 *      are ignored (eliminated __weak functions), as in libbpf.
 *   2. CO-RE: every .BTF.ext core_relo record of a section is resolved on
 *      the section's original instructions, before any appending, so
 *      subprograms carry their CO-RE results into every program that
 *      appends them (libbpf applies CO-RE per (sub)program before
 *      bpf_object__reloc_code()).
 *   3. Calls: for each entry program, the subprograms it uses are appended
 *      depth first in the order the calls (and function-address LDDWs) are
 *      met while walking the program, each subprogram once per program
 *      (libbpf's bpf_object__reloc_code()); call and LDDW immediates are
 *      rewritten to the appended positions. Func and line info follow,
 *      converted from section byte offsets to program instruction indexes.
 *   4. Data: map LDDWs become BPFRT_PSEUDO_MAP_IDX (imm = map index),
 *      global data BPFRT_PSEUDO_MAP_IDX_VALUE (imm = map index, second imm
 *      = the instruction's addend + the symbol's value), .kconfig externs
 *      the same against the .kconfig map. __weak kfuncs are poisoned as
 *      libbpf poisons unresolved ones (call 2002000000 + extern index);
 *      other kfuncs and ksyms mark the program unsupported.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader/core.h"
#include "loader/object_int.h"

#define CODE_CALL (BPFRT_JMP | BPFRT_CALL)
#define CODE_LDDW (BPFRT_LD | BPFRT_IMM | BPFRT_DW)

static bool is_subprog_call(const struct bpfrt_insn *in)
{
	return in->code == CODE_CALL && in->src_reg == BPFRT_PSEUDO_CALL && in->dst_reg == 0 &&
	       in->off == 0;
}

static bool is_pseudo_func(const struct bpfrt_insn *in)
{
	return in->code == CODE_LDDW && in->src_reg == BPFRT_PSEUDO_FUNC;
}

static bool sym_is_extern(const struct elf_sym *sym)
{
	return sym->shndx == SHN_UNDEF && (sym->bind == STB_GLOBAL || sym->bind == STB_WEAK) &&
	       sym->type == STT_NOTYPE && sym->name[0];
}

static bool sym_is_subprog(const struct elf_sym *sym, int text_idx)
{
	if ((int)sym->shndx != text_idx)
		return false;
	if (sym->bind == STB_LOCAL && sym->type == STT_SECTION)
		return true;
	return sym->bind == STB_GLOBAL && sym->type == STT_FUNC;
}

static int add_relo(struct bpfrt_program *p, const struct reloc_desc *r)
{
	/* Grow by doubling; relo_cnt is the count, capacity follows powers of 2. */
	if ((p->relo_cnt & (p->relo_cnt - 1)) == 0) {
		size_t cap = p->relo_cnt ? p->relo_cnt * 2 : 4;
		void *n = core_realloc(p->relos, cap * sizeof(*p->relos));

		if (!n)
			return -ENOMEM;
		p->relos = n;
	}
	p->relos[p->relo_cnt++] = *r;
	return 0;
}

static int find_map_at(const struct bpfrt_object *obj, int sec_idx, uint64_t off)
{
	for (size_t i = 0; i < obj->map_cnt; i++) {
		if (obj->maps[i].sec_idx == sec_idx && obj->maps[i].sec_offset == off &&
		    !obj->maps[i].internal)
			return (int)i;
	}
	return -1;
}

/* bpf_program__record_reloc(): classify one relocation. */
static int record_reloc(struct obj_ctx *ctx, struct bpfrt_program *p, size_t ri,
			const struct elf_rel *rel, const struct bpfrt_insn *insn, uint32_t idx)
{
	const struct elf_file *ef = &ctx->ef;
	const struct elf_sym *sym = &ef->syms[rel->sym];
	const char *sym_name = elf_sym_display_name(ef, sym);
	struct reloc_desc r = { .insn_idx = idx, .map_idx = -1, .ext_idx = -1 };
	bool call = insn->code == CODE_CALL;

	if (!call && insn->code != CODE_LDDW) {
		obj_err(ctx,
			"program '%s': relocation #%zu against '%s' is on instruction %u (code 0x%02x), which is neither a call nor an lddw",
			p->name, ri, sym_name, idx, insn->code);
		return -EINVAL;
	}
	if (!call && idx + 1 >= p->sec_insn_cnt) {
		obj_err(ctx, "program '%s': lddw at instruction %u (relocated against '%s') is cut off by the end of the function",
			p->name, idx, sym_name);
		return -EINVAL;
	}
	if (sym_is_extern(sym)) {
		r.ext_idx = kcfg_extern_by_sym(ctx->obj, (int)rel->sym);
		if (r.ext_idx < 0) {
			obj_err(ctx, "program '%s': relocation #%zu: extern '%s' is not declared in BTF",
				p->name, ri, sym_name);
			return -EINVAL;
		}
		if (call && ctx->obj->externs[r.ext_idx].type != EXT_KSYM) {
			obj_err(ctx, "program '%s': instruction %u calls '%s', which is not a kernel function",
				p->name, idx, sym_name);
			return -EINVAL;
		}
		r.type = call ? RELO_EXTERN_CALL : RELO_EXTERN_LD64;
		return add_relo(p, &r);
	}
	if (call) {
		if (insn->src_reg != BPFRT_PSEUDO_CALL) {
			obj_err(ctx, "program '%s': relocated call at instruction %u has src_reg %u, not BPF_PSEUDO_CALL",
				p->name, idx, insn->src_reg);
			return -EINVAL;
		}
		if (sym->shndx == SHN_UNDEF || (int)sym->shndx != ef->text_idx) {
			obj_err(ctx, "program '%s': call at instruction %u to '%s' in section '%s': bpf-to-bpf calls must go to .text",
				p->name, idx, sym_name,
				sym->shndx < ef->sec_cnt ? ef->secs[sym->shndx].name : "?");
			return -EINVAL;
		}
		if (sym->value % OBJ_INSN_SZ) {
			obj_err(ctx, "program '%s': call at instruction %u to '%s' at unaligned offset %llu",
				p->name, idx, sym_name, (unsigned long long)sym->value);
			return -EINVAL;
		}
		r.type = RELO_CALL;
		r.sym_off = (int64_t)sym->value;
		return add_relo(p, &r);
	}
	if (sym->shndx == SHN_UNDEF || sym->shndx >= SHN_LORESERVE) {
		obj_err(ctx, "program '%s': relocation against '%s' in special section 0x%x; forgot to initialize a global variable?",
			p->name, sym_name, sym->shndx);
		return -EINVAL;
	}
	if (sym_is_subprog(sym, ef->text_idx)) {
		/* Global function: value = offset, imm = 0; static: value = 0, imm = offset. */
		if (sym->value % OBJ_INSN_SZ || insn->imm % OBJ_INSN_SZ) {
			obj_err(ctx, "program '%s': function address of '%s' at unaligned offset %llu+%d",
				p->name, sym_name, (unsigned long long)sym->value, insn->imm);
			return -EINVAL;
		}
		r.type = RELO_SUBPROG_ADDR;
		r.sym_off = (int64_t)sym->value;
		return add_relo(p, &r);
	}
	switch (ef->secs[sym->shndx].kind) {
	case ELF_SEC_DATA:
	case ELF_SEC_RODATA:
	case ELF_SEC_BSS:
		r.map_idx = ef->secs[sym->shndx].map_idx;
		if (r.map_idx < 0) {
			obj_err(ctx, "program '%s': data relocation against section '%s', which has no map",
				p->name, ef->secs[sym->shndx].name);
			return -EINVAL;
		}
		r.type = RELO_DATA;
		r.sym_off = (int64_t)sym->value;
		return add_relo(p, &r);
	case ELF_SEC_MAPS:
	case ELF_SEC_LEGACY_MAPS:
		r.map_idx = find_map_at(ctx->obj, (int)sym->shndx, sym->value);
		if (r.map_idx < 0) {
			obj_err(ctx, "program '%s': map relocation against '%s': no map at offset %llu of section '%s'",
				p->name, sym_name, (unsigned long long)sym->value,
				ef->secs[sym->shndx].name);
			return -EINVAL;
		}
		r.type = RELO_LD64;
		return add_relo(p, &r);
	default:
		obj_err(ctx, "program '%s': bad relocation against '%s' in section '%s'", p->name,
			sym_name, ef->secs[sym->shndx].name);
		return -EINVAL;
	}
}

int reloc_collect(struct obj_ctx *ctx, int sec_idx, const struct elf_rel *rels, size_t cnt)
{
	const struct elf_sec *s = &ctx->ef.secs[sec_idx];

	for (size_t i = 0; i < cnt; i++) {
		size_t insn_idx = rels[i].offset / OBJ_INSN_SZ;
		struct bpfrt_program *p;
		struct bpfrt_insn insn;
		int err;

		if (rels[i].type == 0) /* R_BPF_NONE */
			continue;
		p = obj_prog_by_sec_insn(ctx->obj, (size_t)sec_idx, insn_idx);
		if (!p) {
			core_print(BPFRT_DEBUG,
				   "bpfrt: section '%s': relocation #%zu at insn %zu is in no function, skipped\n",
				   s->name, i, insn_idx);
			continue;
		}
		memcpy(&insn, (const uint8_t *)s->data + rels[i].offset, sizeof(insn));
		err = record_reloc(ctx, p, i, &rels[i], &insn, (uint32_t)(insn_idx - p->sec_insn_off));
		if (err)
			return err;
	}
	return 0;
}

static int cmp_relos(const void *a_, const void *b_)
{
	const struct reloc_desc *a = a_, *b = b_;

	if (a->insn_idx != b->insn_idx)
		return a->insn_idx < b->insn_idx ? -1 : 1;
	return a->type < b->type ? -1 : a->type > b->type;
}

static const struct reloc_desc *find_relo(const struct bpfrt_program *p, size_t idx)
{
	size_t l = 0, r = p->relo_cnt;

	while (l < r) {
		size_t m = l + (r - l) / 2;

		if (p->relos[m].insn_idx == idx)
			return &p->relos[m];
		if (p->relos[m].insn_idx < idx)
			l = m + 1;
		else
			r = m;
	}
	return NULL;
}

/* ---- CO-RE and the programs' own instructions ---- */

struct core_state {
	struct core_ctx *cctx;
	struct bpfrt_btf *target;  /* owned: from btf_custom_path */
};

static int core_section(struct obj_ctx *ctx, struct core_state *cs, size_t sec_idx,
			struct bpfrt_insn *insns, size_t cnt)
{
	struct bpfrt_object *obj = ctx->obj;
	const struct btf_ext_sec *grp;
	const struct btf_ext_info *info;
	const char *name = ctx->ef.secs[sec_idx].name;

	if (!obj->btf_ext || !obj->btf_ext->core_relo.rec_size)
		return 0;
	info = &obj->btf_ext->core_relo;
	grp = btf_ext_find(info, name);
	if (!grp || !grp->cnt)
		return 0;
	if (!cs->cctx) {
		const struct bpfrt_btf *targ = core_builtin_btf();
		const char *path = ctx->opts ? ctx->opts->btf_custom_path : NULL;

		if (path) {
			char msg[256] = "";

			cs->target = bpfrt_btf__load_file(path, msg, sizeof(msg));
			if (!cs->target) {
				obj_err(ctx, "CO-RE target BTF '%s': %s", path, msg[0] ? msg : strerror(errno));
				return -EINVAL;
			}
			targ = cs->target;
		}
		if (!targ) {
			obj_err(ctx, "section '%s': CO-RE relocations need a target BTF: bpfrt has no built-in one, give btf_custom_path",
				name);
			return -ENOENT;
		}
		cs->cctx = core_ctx_new(obj->btf, targ);
		if (!cs->cctx) {
			obj_err(ctx, "CO-RE: cannot set up relocation against the target BTF");
			return errno ? -errno : -ENOMEM;
		}
	}
	for (uint32_t i = 0; i < grp->cnt; i++) {
		struct bpf_core_relo relo;
		struct bpfrt_program *p;
		size_t idx;
		int err;

		memcpy(&relo, (const uint8_t *)grp->recs + (size_t)i * info->rec_size, sizeof(relo));
		if (relo.insn_off % OBJ_INSN_SZ || relo.insn_off / OBJ_INSN_SZ >= cnt) {
			obj_err(ctx, "section '%s': CO-RE relocation #%u at byte offset %u is not an instruction of the section",
				name, i, relo.insn_off);
			return -EINVAL;
		}
		idx = relo.insn_off / OBJ_INSN_SZ;
		p = obj_prog_by_sec_insn(obj, sec_idx, idx);
		if (!p)
			continue; /* in an eliminated __weak function, as libbpf skips it */
		err = core_relocate(cs->cctx, insns, cnt, &relo, (int)i, p->name, ctx->log,
				    ctx->log_size);
		if (err)
			return err;
	}
	return 0;
}

/* Copy each program's instructions out of its section, after CO-RE. */
static int init_insns(struct obj_ctx *ctx)
{
	struct bpfrt_object *obj = ctx->obj;
	struct core_state cs = { 0 };
	int err = 0;

	for (size_t i = 0; i < obj->prog_cnt && !err;) {
		size_t sec_idx = obj->progs[i].sec_idx, j;
		const struct elf_sec *s = &ctx->ef.secs[sec_idx];
		size_t cnt = s->size / OBJ_INSN_SZ;
		struct bpfrt_insn *work = core_malloc(s->size);

		if (!work) {
			err = -ENOMEM;
			break;
		}
		memcpy(work, s->data, s->size);
		err = core_section(ctx, &cs, sec_idx, work, cnt);
		for (j = i; j < obj->prog_cnt && obj->progs[j].sec_idx == sec_idx && !err; j++) {
			struct bpfrt_program *p = &obj->progs[j];

			p->insns = core_malloc(p->sec_insn_cnt * sizeof(*p->insns));
			if (!p->insns) {
				err = -ENOMEM;
				break;
			}
			memcpy(p->insns, work + p->sec_insn_off, p->sec_insn_cnt * sizeof(*p->insns));
			p->insn_cnt = p->sec_insn_cnt;
		}
		core_free(work);
		while (i < obj->prog_cnt && obj->progs[i].sec_idx == sec_idx)
			i++;
	}
	if (cs.cctx)
		core_ctx_free(cs.cctx);
	bpfrt_btf__free(cs.target);
	return err;
}

/* ---- func and line info ---- */

/*
 * Append the records of `prog` (main program or subprogram) to main's,
 * as adjust_prog_btf_ext_info(): the contiguous run of records inside
 * the function, offsets turned into main's instruction indexes.
 */
static int append_ext_info(struct obj_ctx *ctx, struct bpfrt_program *main_prog,
			   const struct bpfrt_program *prog, bool line)
{
	const struct btf_ext_info *info;
	const struct btf_ext_sec *grp;
	size_t first = SIZE_MAX, last = 0, n, have;
	int64_t adj = (int64_t)prog->sub_insn_off - (int64_t)prog->sec_insn_off;
	void *arr;

	if (!ctx->obj->btf_ext)
		return 0;
	info = line ? &ctx->obj->btf_ext->line_info : &ctx->obj->btf_ext->func_info;
	if (!info->rec_size)
		return 0;
	/* As libbpf: subprograms only add to a main program that has some. */
	have = line ? main_prog->line_info_cnt : main_prog->func_info_cnt;
	if (main_prog != prog && !have)
		return 0;
	grp = btf_ext_find(info, ctx->ef.secs[prog->sec_idx].name);
	if (!grp)
		return 0;
	for (uint32_t i = 0; i < grp->cnt; i++) {
		uint32_t off;

		memcpy(&off, (const uint8_t *)grp->recs + (size_t)i * info->rec_size, sizeof(off));
		off /= OBJ_INSN_SZ;
		if (off < prog->sec_insn_off)
			continue;
		if (off >= prog->sec_insn_off + prog->sec_insn_cnt)
			break;
		if (first == SIZE_MAX)
			first = i;
		last = i;
	}
	if (first == SIZE_MAX)
		return 0;
	n = last - first + 1;
	if (line) {
		arr = core_realloc(main_prog->line_info, (have + n) * sizeof(struct obj_line_info));
		if (!arr)
			return -ENOMEM;
		main_prog->line_info = arr;
	} else {
		arr = core_realloc(main_prog->func_info, (have + n) * sizeof(struct obj_func_info));
		if (!arr)
			return -ENOMEM;
		main_prog->func_info = arr;
	}
	for (size_t k = 0; k < n; k++) {
		const uint8_t *rec = (const uint8_t *)grp->recs + (first + k) * info->rec_size;
		uint32_t w[4];

		memcpy(w, rec, line ? 16 : 8);
		w[0] = (uint32_t)(w[0] / OBJ_INSN_SZ + adj);
		if (line)
			main_prog->line_info[have + k] = (struct obj_line_info){ w[0], w[1], w[2], w[3] };
		else
			main_prog->func_info[have + k] = (struct obj_func_info){ w[0], w[1] };
	}
	if (line)
		main_prog->line_info_cnt = have + n;
	else
		main_prog->func_info_cnt = have + n;
	return 0;
}

/* ---- calls ---- */

static int append_subprog(struct bpfrt_program *main_prog, struct bpfrt_program *sub)
{
	size_t new_cnt = main_prog->insn_cnt + sub->insn_cnt;
	struct bpfrt_insn *insns = core_realloc(main_prog->insns, new_cnt * sizeof(*insns));

	if (!insns)
		return -ENOMEM;
	sub->sub_insn_off = main_prog->insn_cnt;
	memcpy(insns + main_prog->insn_cnt, sub->insns, sub->insn_cnt * sizeof(*insns));
	main_prog->insns = insns;
	main_prog->insn_cnt = new_cnt;
	/* The subprogram's relocations follow it, shifted (still sorted). */
	for (size_t i = 0; i < sub->relo_cnt; i++) {
		struct reloc_desc r = sub->relos[i];
		int err;

		r.insn_idx += (uint32_t)sub->sub_insn_off;
		err = add_relo(main_prog, &r);
		if (err)
			return err;
	}
	return 0;
}

static int reloc_code(struct obj_ctx *ctx, struct bpfrt_program *main_prog,
		      struct bpfrt_program *prog)
{
	struct bpfrt_object *obj = ctx->obj;
	int err;

	err = append_ext_info(ctx, main_prog, prog, false);
	err = err ? err : append_ext_info(ctx, main_prog, prog, true);
	if (err)
		return err;
	for (size_t idx = 0; idx < prog->sec_insn_cnt; idx++) {
		struct bpfrt_insn *insn = &main_prog->insns[prog->sub_insn_off + idx];
		const struct reloc_desc *r;
		struct bpfrt_program *sub;
		int64_t sub_idx;

		if (!is_subprog_call(insn) && !is_pseudo_func(insn))
			continue;
		r = find_relo(prog, idx);
		if (r && r->type == RELO_EXTERN_CALL)
			continue;
		if (r && r->type != RELO_CALL && r->type != RELO_SUBPROG_ADDR) {
			obj_err(ctx, "program '%s': unexpected relocation for instruction %zu", prog->name, idx);
			return -EINVAL;
		}
		if (r && r->type == RELO_CALL) {
			sub_idx = r->sym_off / OBJ_INSN_SZ + insn->imm + 1;
		} else if (r) {
			sub_idx = (r->sym_off + insn->imm) / OBJ_INSN_SZ;
		} else if (is_pseudo_func(insn)) {
			obj_err(ctx, "program '%s': function-address lddw at instruction %zu has no relocation",
				prog->name, idx);
			return -EINVAL;
		} else if ((int)prog->sec_idx == ctx->ef.text_idx) {
			/* A static call inside .text carries no relocation: imm is pc-relative. */
			sub_idx = (int64_t)(prog->sec_insn_off + idx) + insn->imm + 1;
		} else {
			obj_err(ctx, "program '%s': call at instruction %zu has no relocation and does not target .text",
				prog->name, idx);
			return -EINVAL;
		}
		sub = sub_idx >= 0 && ctx->ef.text_idx >= 0
			      ? obj_prog_by_sec_insn(obj, (size_t)ctx->ef.text_idx, (size_t)sub_idx)
			      : NULL;
		if (!sub) {
			obj_err(ctx, "program '%s': instruction %zu refers to .text instruction %lld, which is in no function",
				prog->name, idx, (long long)sub_idx);
			return -EINVAL;
		}
		if ((size_t)sub_idx != sub->sec_insn_off) {
			obj_err(ctx, "program '%s': instruction %zu refers to the middle of function '%s'",
				prog->name, idx, sub->name);
			return -EINVAL;
		}
		/* First use within this main program: append, then relocate it. */
		if (sub != main_prog && sub->sub_insn_off == 0) {
			err = append_subprog(main_prog, sub);
			err = err ? err : reloc_code(ctx, main_prog, sub);
			if (err)
				return err;
		}
		insn = &main_prog->insns[prog->sub_insn_off + idx]; /* may have moved */
		insn->imm = (int32_t)((int64_t)sub->sub_insn_off - (int64_t)(prog->sub_insn_off + idx) - 1);
	}
	return 0;
}

/* ---- data ---- */

static void mark_unsupported(struct bpfrt_program *p, const struct obj_extern *ext)
{
	char buf[256];

	if (p->unsupported)
		return;
	snprintf(buf, sizeof(buf), "program '%s' uses kernel %s '%s' (%s): not supported by the bpfrt runtime",
		 p->name, ext->is_func ? "function" : "variable", ext->name,
		 ext->is_func ? "kfunc" : "ksym");
	p->unsupported = core_strdup(buf);
}

static void relocate_data(struct bpfrt_object *obj, struct bpfrt_program *p)
{
	for (size_t i = 0; i < p->relo_cnt; i++) {
		const struct reloc_desc *r = &p->relos[i];
		struct bpfrt_insn *insn = &p->insns[r->insn_idx];
		const struct obj_extern *ext = r->ext_idx >= 0 ? &obj->externs[r->ext_idx] : NULL;

		switch (r->type) {
		case RELO_LD64:
			insn[0].src_reg = BPFRT_PSEUDO_MAP_IDX;
			insn[0].imm = r->map_idx;
			break;
		case RELO_DATA:
			insn[1].imm = (int32_t)(insn[0].imm + r->sym_off);
			insn[0].src_reg = BPFRT_PSEUDO_MAP_IDX_VALUE;
			insn[0].imm = r->map_idx;
			break;
		case RELO_EXTERN_LD64:
			if (ext->type == EXT_KCFG) {
				insn[0].src_reg = BPFRT_PSEUDO_MAP_IDX_VALUE;
				insn[0].imm = obj->kconfig_map_idx;
				insn[1].imm = (int32_t)ext->kcfg_off;
			} else if (ext->is_weak) {
				/* Unresolved __weak ksym: address 0, as libbpf leaves it. */
				insn[0].imm = 0;
				insn[1].imm = 0;
			} else {
				insn[0].src_reg = BPFRT_PSEUDO_BTF_ID;
				insn[0].imm = (int32_t)ext->btf_id;
				insn[1].imm = 0;
				mark_unsupported(p, ext);
			}
			break;
		case RELO_EXTERN_CALL:
			if (ext->is_weak) {
				/* Unresolved __weak kfunc: libbpf's poison, fails only if reached. */
				insn->code = CODE_CALL;
				insn->src_reg = 0;
				insn->dst_reg = 0;
				insn->off = 0;
				insn->imm = BPFRT_KFUNC_POISON_BASE + r->ext_idx;
			} else {
				insn->src_reg = BPFRT_PSEUDO_KFUNC_CALL;
				insn->imm = (int32_t)ext->btf_id;
				insn->off = 0;
				mark_unsupported(p, ext);
			}
			break;
		case RELO_CALL:
		case RELO_SUBPROG_ADDR:
			break; /* done by reloc_code() */
		}
	}
}

int reloc_programs(struct obj_ctx *ctx)
{
	struct bpfrt_object *obj = ctx->obj;
	int err;

	for (size_t i = 0; i < obj->prog_cnt; i++) {
		struct bpfrt_program *p = &obj->progs[i];

		if (p->relo_cnt > 1)
			qsort(p->relos, p->relo_cnt, sizeof(*p->relos), cmp_relos);
	}
	err = init_insns(ctx);
	if (err)
		return err;
	/* Function-address LDDWs are recognized by their pseudo source from now on. */
	for (size_t i = 0; i < obj->prog_cnt; i++) {
		struct bpfrt_program *p = &obj->progs[i];

		for (size_t k = 0; k < p->relo_cnt; k++) {
			if (p->relos[k].type == RELO_SUBPROG_ADDR)
				p->insns[p->relos[k].insn_idx].src_reg = BPFRT_PSEUDO_FUNC;
		}
	}
	/*
	 * Every entry program, including SEC("?...") ones libbpf would skip:
	 * bpfrt users may still want to run them.
	 */
	for (size_t i = 0; i < obj->prog_cnt; i++) {
		struct bpfrt_program *p = &obj->progs[i];

		if (p->is_subprog)
			continue;
		for (size_t k = 0; k < obj->prog_cnt; k++)
			obj->progs[k].sub_insn_off = 0;
		err = reloc_code(ctx, p, p);
		if (err)
			return err;
	}
	for (size_t i = 0; i < obj->prog_cnt; i++) {
		struct bpfrt_program *p = &obj->progs[i];

		if (!p->is_subprog)
			relocate_data(obj, p);
	}
	for (size_t i = 0; i < obj->prog_cnt; i++) {
		core_free(obj->progs[i].relos);
		obj->progs[i].relos = NULL;
		obj->progs[i].relo_cnt = 0;
	}
	return 0;
}
