/* SPDX-License-Identifier: MIT */
/*
 * Opening an object: the pipeline (in libbpf's order), programs found from
 * function symbols, and the object and program API.
 *
 *   ELF checks -> license, version -> BTF -> programs -> externs ->
 *   BTF fix-ups -> .BTF.ext -> maps -> relocation records -> relocation
 *
 * Everything is copied out of the file, which is released before open
 * returns: the object owns its instructions, map contents, BTF and
 * .BTF.ext.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "loader/object_int.h"

/* ---- small shared helpers ---- */

const struct btf_type *obj_btf_type(const struct bpfrt_btf *btf, uint32_t id)
{
	return btf ? bpfrt_btf__type_by_id(btf, id) : NULL;
}

const char *obj_btf_name(const struct bpfrt_btf *btf, const struct btf_type *t)
{
	const char *s = t ? bpfrt_btf__str(btf, t->name_off) : NULL;

	return s ? s : "";
}

struct bpfrt_program *obj_prog_by_sec_insn(const struct bpfrt_object *obj, size_t sec_idx,
					   size_t insn_idx)
{
	size_t l = 0, r = obj->prog_cnt;

	/* Programs are sorted by (section, offset); find the last one at or before. */
	while (l < r) {
		size_t m = l + (r - l) / 2;
		const struct bpfrt_program *p = &obj->progs[m];

		if (p->sec_idx < sec_idx || (p->sec_idx == sec_idx && p->sec_insn_off <= insn_idx))
			l = m + 1;
		else
			r = m;
	}
	if (l == 0)
		return NULL;
	{
		struct bpfrt_program *p = &obj->progs[l - 1];

		if (p->sec_idx == sec_idx && insn_idx >= p->sec_insn_off &&
		    insn_idx < p->sec_insn_off + p->sec_insn_cnt)
			return p;
	}
	return NULL;
}

struct bpfrt_program *obj_find_prog(const struct bpfrt_object *obj, const char *name)
{
	for (size_t i = 0; i < obj->prog_cnt; i++) {
		if (!obj->progs[i].is_subprog && strcmp(obj->progs[i].name, name) == 0)
			return &obj->progs[i];
	}
	return NULL;
}

/* ---- programs ---- */

static int cmp_progs(const void *a_, const void *b_)
{
	const struct bpfrt_program *a = a_, *b = b_;

	if (a->sec_idx != b->sec_idx)
		return a->sec_idx < b->sec_idx ? -1 : 1;
	if (a->sec_insn_off != b->sec_insn_off)
		return a->sec_insn_off < b->sec_insn_off ? -1 : 1;
	return 0;
}

static int add_program(struct obj_ctx *ctx, size_t sec_idx, const struct elf_sym *sym,
		       size_t *cap)
{
	struct bpfrt_object *obj = ctx->obj;
	const struct elf_sec *s = &ctx->ef.secs[sec_idx];
	struct bpfrt_program *p;

	if (!sym->name[0]) {
		obj_err(ctx, "section '%s' (index %zu): function at offset 0x%llx has no name",
			s->name, sec_idx, (unsigned long long)sym->value);
		return -EINVAL;
	}
	if (sym->size == 0 || sym->size % OBJ_INSN_SZ || sym->value % OBJ_INSN_SZ) {
		obj_err(ctx,
			"section '%s' (index %zu): function '%s' at offset 0x%llx, size %llu, is not a whole number of instructions",
			s->name, sec_idx, sym->name, (unsigned long long)sym->value,
			(unsigned long long)sym->size);
		return -EINVAL;
	}
	if (sym->value > s->size || s->size - sym->value < sym->size) {
		obj_err(ctx,
			"section '%s' (index %zu): function '%s' at offset 0x%llx, size %llu, crosses the end of the section (size %zu)",
			s->name, sec_idx, sym->name, (unsigned long long)sym->value,
			(unsigned long long)sym->size, s->size);
		return -EINVAL;
	}
	if ((int)sec_idx != ctx->ef.text_idx && sym->bind == STB_LOCAL) {
		obj_err(ctx,
			"section '%s' (index %zu): program '%s' is static; programs outside .text must be global functions",
			s->name, sec_idx, sym->name);
		return -ENOTSUP;
	}
	if (obj->prog_cnt == *cap) {
		size_t ncap = *cap ? *cap * 2 : 8;
		void *np = core_realloc(obj->progs, ncap * sizeof(*obj->progs));

		if (!np)
			return -ENOMEM;
		obj->progs = np;
		*cap = ncap;
	}
	p = &obj->progs[obj->prog_cnt];
	memset(p, 0, sizeof(*p));
	p->obj = obj;
	p->sec_idx = sec_idx;
	p->sec_insn_off = sym->value / OBJ_INSN_SZ;
	p->sec_insn_cnt = sym->size / OBJ_INSN_SZ;
	p->sym_global = sym->bind != STB_LOCAL;
	p->attach_type = -1;
	p->name = core_strdup(sym->name);
	p->sec_name = core_strdup(s->name[0] == '?' ? s->name + 1 : s->name);
	obj->prog_cnt++;
	if (!p->name || !p->sec_name)
		return -ENOMEM;
	p->autoload = s->name[0] != '?';
	p->attach_target = "";
	return 0;
}

static int collect_programs(struct obj_ctx *ctx)
{
	struct bpfrt_object *obj = ctx->obj;
	const struct elf_file *ef = &ctx->ef;
	size_t cap = 0;
	int err;

	for (size_t i = 0; i < ef->sym_cnt; i++) {
		const struct elf_sym *sym = &ef->syms[i];

		if (sym->type != STT_FUNC || sym->shndx == SHN_UNDEF || sym->shndx >= ef->sec_cnt ||
		    ef->secs[sym->shndx].kind != ELF_SEC_PROG)
			continue;
		err = add_program(ctx, sym->shndx, sym, &cap);
		if (err)
			return err;
	}
	if (obj->prog_cnt)
		qsort(obj->progs, obj->prog_cnt, sizeof(*obj->progs), cmp_progs);
	for (size_t i = 0; i < obj->prog_cnt; i++) {
		struct bpfrt_program *p = &obj->progs[i];

		if (i > 0 && p[-1].sec_idx == p->sec_idx &&
		    p[-1].sec_insn_off + p[-1].sec_insn_cnt > p->sec_insn_off) {
			obj_err(ctx, "section '%s' (index %zu): functions '%s' and '%s' overlap",
				ef->secs[p->sec_idx].name, p->sec_idx, p[-1].name, p->name);
			return -EINVAL;
		}
		/* As libbpf: .text functions are subprograms unless alone. */
		p->is_subprog = (int)p->sec_idx == ef->text_idx && obj->prog_cnt > 1;
		p->def = sec_def_find(p->sec_name);
		if (!p->def) {
			if (!p->is_subprog)
				core_print(BPFRT_DEBUG,
					   "bpfrt: program '%s': unrecognized section name '%s'\n",
					   p->name, p->sec_name);
			continue;
		}
		p->type = p->def->type;
		p->attach_type = p->def->attach_type;
		p->attach_target = sec_attach_target(p->def, p->sec_name);
		p->prog_flags = sec_prog_flags(p->def);
	}
	return 0;
}

/* ---- license, version, BTF ---- */

static void read_license_version(struct obj_ctx *ctx)
{
	struct bpfrt_object *obj = ctx->obj;
	const struct elf_file *ef = &ctx->ef;

	if (ef->license_idx >= 0 && ef->secs[ef->license_idx].data) {
		const struct elf_sec *s = &ef->secs[ef->license_idx];
		size_t n = s->size < sizeof(obj->license) - 1 ? s->size : sizeof(obj->license) - 1;

		memcpy(obj->license, s->data, n);
		obj->license[n] = '\0';
	}
	if (ef->version_idx >= 0)
		memcpy(&obj->kversion, ef->secs[ef->version_idx].data, sizeof(obj->kversion));
}

/* libbpf needs BTF for .maps, .struct_ops and externs; without those it is optional. */
static bool needs_btf(const struct elf_file *ef)
{
	if (ef->maps_idx >= 0 || ef->st_ops_idx >= 0 || ef->st_ops_link_idx >= 0)
		return true;
	for (size_t i = 0; i < ef->sym_cnt; i++) {
		const struct elf_sym *s = &ef->syms[i];

		if (s->shndx == SHN_UNDEF && (s->bind == STB_GLOBAL || s->bind == STB_WEAK) &&
		    s->type == STT_NOTYPE && s->name[0])
			return true;
	}
	return false;
}

static int load_btf(struct obj_ctx *ctx)
{
	const struct elf_file *ef = &ctx->ef;
	const struct elf_sec *s;
	char msg[256];

	if (ef->btf_idx < 0 || !ef->secs[ef->btf_idx].data) {
		if (ef->maps_idx >= 0) {
			obj_err(ctx, "section '.maps' (index %d) defines maps with BTF, but the object has no .BTF section; compile with -g",
				ef->maps_idx);
			return -EINVAL;
		}
		if (needs_btf(ef)) {
			obj_err(ctx, "the object needs BTF (for .struct_ops or externs) but has no .BTF section; compile with -g");
			return -EINVAL;
		}
		return 0;
	}
	s = &ef->secs[ef->btf_idx];
	msg[0] = '\0';
	ctx->obj->btf = bpfrt_btf__parse(s->data, s->size, msg, sizeof(msg));
	if (ctx->obj->btf)
		return 0;
	if (needs_btf(ef)) {
		obj_err(ctx, "section '.BTF' (index %d): %s", ef->btf_idx, msg[0] ? msg : "invalid BTF");
		return -EINVAL;
	}
	/* As libbpf: BTF is optional here, go on without it. */
	core_print(BPFRT_WARN, "bpfrt: ignoring section '.BTF' (index %d): %s\n", ef->btf_idx,
		   msg[0] ? msg : "invalid BTF");
	return 0;
}

/* Rewrite DATASEC sizes and offsets in a copy of the raw BTF and parse it again. */
static int fixup_btf(struct obj_ctx *ctx)
{
	struct bpfrt_object *obj = ctx->obj;
	const struct elf_sec *s;
	struct bpfrt_btf *fixed;
	char msg[256];
	void *raw;
	int err;

	if (!obj->btf)
		return 0;
	s = &ctx->ef.secs[ctx->ef.btf_idx];
	raw = core_malloc(s->size);
	if (!raw)
		return -ENOMEM;
	memcpy(raw, s->data, s->size);
	err = mapdef_fixup_btf(ctx, obj->btf, raw, s->size);
	if (err > 0) {
		msg[0] = '\0';
		fixed = bpfrt_btf__parse(raw, s->size, msg, sizeof(msg));
		if (!fixed) {
			obj_err(ctx, "section '.BTF' (index %d): after fixing DATASEC sizes: %s",
				ctx->ef.btf_idx, msg);
			err = -EINVAL;
		} else {
			bpfrt_btf__free(obj->btf);
			obj->btf = fixed;
			err = 0;
		}
	}
	core_free(raw);
	return err;
}

static int load_btf_ext(struct obj_ctx *ctx)
{
	const struct elf_file *ef = &ctx->ef;
	const struct elf_sec *s;
	char msg[256];
	int err;

	if (ef->btf_ext_idx < 0 || !ef->secs[ef->btf_ext_idx].data)
		return 0;
	if (!ctx->obj->btf) {
		core_print(BPFRT_DEBUG, "bpfrt: ignoring .BTF.ext: the object has no usable .BTF\n");
		return 0;
	}
	s = &ef->secs[ef->btf_ext_idx];
	msg[0] = '\0';
	err = btf_ext_parse(s->data, s->size, ctx->obj->btf, &ctx->obj->btf_ext, msg, sizeof(msg));
	if (err) {
		ctx->obj->btf_ext = NULL;
		obj_err(ctx, "section '.BTF.ext' (index %d): %s", ef->btf_ext_idx,
			msg[0] ? msg : "invalid");
		return err;
	}
	return 0;
}

static int collect_relos(struct obj_ctx *ctx)
{
	const struct elf_file *ef = &ctx->ef;

	for (size_t i = 1; i < ef->sec_cnt; i++) {
		const struct elf_sec *s = &ef->secs[i];
		struct elf_rel *rels;
		size_t cnt;
		int target, err;

		if (s->kind != ELF_SEC_RELO)
			continue;
		target = (int)s->sh.sh_info;
		err = elf_read_rels(ef, (int)i, &rels, &cnt, ctx->log, ctx->log_size);
		if (err)
			return err;
		switch (ef->secs[target].kind) {
		case ELF_SEC_PROG:
			err = reloc_collect(ctx, target, rels, cnt);
			break;
		case ELF_SEC_MAPS:
			err = mapdef_collect_slots(ctx, rels, cnt);
			break;
		case ELF_SEC_STRUCT_OPS:
			err = mapdef_collect_st_ops(ctx, target, rels, cnt);
			break;
		default:
			break;
		}
		core_free(rels);
		if (err)
			return err;
	}
	return 0;
}

/* ---- open / close ---- */

static void free_program(struct bpfrt_program *p)
{
	core_free(p->name);
	core_free(p->sec_name);
	core_free(p->insns);
	core_free(p->relos);
	core_free(p->func_info);
	core_free(p->line_info);
	core_free(p->unsupported);
}

void bpfrt_object__close(struct bpfrt_object *obj)
{
	if (!obj)
		return;
	obj_unload(obj);
	for (size_t i = 0; i < obj->prog_cnt; i++)
		free_program(&obj->progs[i]);
	core_free(obj->progs);
	for (size_t i = 0; i < obj->map_cnt; i++)
		mapdef_free(&obj->maps[i]);
	core_free(obj->maps);
	for (size_t i = 0; i < obj->extern_cnt; i++)
		core_free(obj->externs[i].name);
	core_free(obj->externs);
	btf_ext_free(obj->btf_ext);
	bpfrt_btf__free(obj->btf);
	core_free(obj);
}

static void set_name(struct bpfrt_object *obj, const struct bpfrt_object_open_opts *opts,
		     const char *path)
{
	const char *base;
	char *dot;

	if (opts->object_name) {
		snprintf(obj->name, sizeof(obj->name), "%s", opts->object_name);
		return;
	}
	if (!path) {
		snprintf(obj->name, sizeof(obj->name), "mem");
		return;
	}
	/* As libbpf: the file's base name, cut at the first '.'. */
	base = strrchr(path, '/');
	base = base ? base + 1 : path;
	snprintf(obj->name, sizeof(obj->name), "%s", base);
	dot = strchr(obj->name, '.');
	if (dot)
		*dot = '\0';
}

/* Open from a buffer we own (buf is freed in every case); opts is a full copy. */
static struct bpfrt_object *open_owned(void *buf, size_t size, const char *path,
				       const struct bpfrt_object_open_opts *opts)
{
	struct obj_ctx ctx = { .opts = opts, .st_ops_map_first = -1 };
	struct bpfrt_object *obj;
	int err;

	ctx.log = opts->log_buf;
	ctx.log_size = opts->log_size;
	if (ctx.log && ctx.log_size)
		ctx.log[0] = '\0';
	obj = core_calloc(1, sizeof(*obj));
	if (!obj) {
		core_free(buf);
		return NULL;
	}
	obj->kconfig_map_idx = -1;
	set_name(obj, opts, path);
	ctx.obj = obj;

	err = elf_open(&ctx.ef, buf, size, ctx.log, ctx.log_size);
	if (!err) {
		read_license_version(&ctx);
		err = load_btf(&ctx);
	}
	err = err ? err : collect_programs(&ctx);
	err = err ? err : kcfg_collect_externs(&ctx);
	err = err ? err : fixup_btf(&ctx);
	err = err ? err : load_btf_ext(&ctx);
	err = err ? err : mapdef_init_maps(&ctx);
	err = err ? err : collect_relos(&ctx);
	err = err ? err : reloc_programs(&ctx);
	elf_close(&ctx.ef);
	if (err) {
		if (err == -ENOMEM)
			obj_err(&ctx, "out of memory opening object '%s'", obj->name);
		bpfrt_object__close(obj);
		errno = -err;
		return NULL;
	}
	return obj;
}

/*
 * Copy the caller's options into a full-size struct: an older caller's
 * shorter struct leaves the newer fields zero. False if sz is invalid.
 */
static bool copy_opts(struct bpfrt_object_open_opts *dst, const struct bpfrt_object_open_opts *src)
{
	memset(dst, 0, sizeof(*dst));
	dst->sz = sizeof(*dst);
	if (!src)
		return true;
	if (!CORE_OPTS_VALID(src))
		return false;
	memcpy(dst, src, src->sz < sizeof(*dst) ? src->sz : sizeof(*dst));
	dst->sz = sizeof(*dst);
	if (!dst->log_buf)
		dst->log_size = 0;
	return true;
}

struct bpfrt_object *bpfrt_object__open_mem(const void *buf, size_t size,
					    const struct bpfrt_object_open_opts *user_opts)
{
	struct bpfrt_object_open_opts opts;
	void *copy;

	if (!copy_opts(&opts, user_opts)) {
		core_log(NULL, 0, "bpfrt_object__open_mem: invalid options (sz)");
		errno = EINVAL;
		return NULL;
	}
	if (!buf || !size) {
		core_log(opts.log_buf, opts.log_size, "bpfrt_object__open_mem: empty buffer");
		errno = EINVAL;
		return NULL;
	}
	copy = core_malloc(size);
	if (!copy)
		return NULL;
	memcpy(copy, buf, size);
	return open_owned(copy, size, NULL, &opts);
}

struct bpfrt_object *bpfrt_object__open_file(const char *path,
					     const struct bpfrt_object_open_opts *user_opts)
{
	struct bpfrt_object_open_opts opts;
	char *log;
	size_t log_size;
	struct stat st;
	void *buf;
	size_t got = 0;
	int fd, err;

	if (!copy_opts(&opts, user_opts) || !path) {
		core_log(path ? NULL : opts.log_buf, path ? 0 : opts.log_size,
			 "bpfrt_object__open_file: invalid %s", path ? "options (sz)" : "path");
		errno = EINVAL;
		return NULL;
	}
	log = opts.log_buf;
	log_size = opts.log_size;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		err = errno;
		core_log(log, log_size, "cannot open '%s': %s", path, strerror(err));
		if (fd >= 0)
			close(fd);
		errno = err;
		return NULL;
	}
	if (!S_ISREG(st.st_mode) || st.st_size <= 0) {
		core_log(log, log_size, "'%s' is not a regular, non-empty file", path);
		close(fd);
		errno = EINVAL;
		return NULL;
	}
	buf = core_malloc((size_t)st.st_size);
	if (!buf) {
		close(fd);
		return NULL;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, (char *)buf + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err = n < 0 ? errno : EIO;
			core_log(log, log_size, "cannot read '%s': %s", path, strerror(err));
			close(fd);
			core_free(buf);
			errno = err;
			return NULL;
		}
		got += (size_t)n;
	}
	close(fd);
	return open_owned(buf, got, path, &opts);
}

/* ---- object API ---- */

const char *bpfrt_object__name(const struct bpfrt_object *obj)
{
	return obj ? obj->name : NULL;
}

const char *bpfrt_object__license(const struct bpfrt_object *obj)
{
	return obj ? obj->license : NULL;
}

uint32_t bpfrt_object__kversion(const struct bpfrt_object *obj)
{
	return obj ? obj->kversion : 0;
}

const struct bpfrt_btf *bpfrt_object__btf(const struct bpfrt_object *obj)
{
	return obj ? obj->btf : NULL;
}

struct bpfrt_program *bpfrt_object__next_program(const struct bpfrt_object *obj,
						 const struct bpfrt_program *prev)
{
	size_t i;

	if (!obj) {
		errno = EINVAL;
		return NULL;
	}
	if (!prev) {
		i = 0;
	} else {
		if (prev < obj->progs || prev >= obj->progs + obj->prog_cnt) {
			errno = EINVAL;
			return NULL;
		}
		i = (size_t)(prev - obj->progs) + 1;
	}
	for (; i < obj->prog_cnt; i++) {
		if (!obj->progs[i].is_subprog)
			return &obj->progs[i];
	}
	errno = ENOENT;
	return NULL;
}

struct bpfrt_program *bpfrt_object__find_program_by_name(const struct bpfrt_object *obj,
							 const char *name)
{
	struct bpfrt_program *p;

	if (!obj || !name) {
		errno = EINVAL;
		return NULL;
	}
	p = obj_find_prog(obj, name);
	if (!p)
		errno = ENOENT;
	return p;
}

/* ---- program API ---- */

const char *bpfrt_program__name(const struct bpfrt_program *prog)
{
	return prog ? prog->name : NULL;
}

const char *bpfrt_program__section_name(const struct bpfrt_program *prog)
{
	return prog ? prog->sec_name : NULL;
}

enum bpfrt_prog_type bpfrt_program__type(const struct bpfrt_program *prog)
{
	return prog ? prog->type : BPFRT_PROG_TYPE_UNSPEC;
}

int bpfrt_program__expected_attach_type(const struct bpfrt_program *prog)
{
	return prog ? prog->attach_type : -1;
}

const char *bpfrt_program__attach_target(const struct bpfrt_program *prog)
{
	return prog ? prog->attach_target : NULL;
}

bool bpfrt_program__autoload(const struct bpfrt_program *prog)
{
	return prog && prog->autoload;
}

uint32_t bpfrt_program__flags(const struct bpfrt_program *prog)
{
	return prog ? prog->prog_flags : 0;
}

const char *bpfrt_program__unsupported_reason(const struct bpfrt_program *prog)
{
	return prog ? prog->unsupported : NULL;
}

const struct bpfrt_insn *bpfrt_program__insns(const struct bpfrt_program *prog)
{
	return prog ? prog->insns : NULL;
}

size_t bpfrt_program__insn_cnt(const struct bpfrt_program *prog)
{
	return prog ? prog->insn_cnt : 0;
}

int bpfrt_program__line(const struct bpfrt_program *prog, size_t pc, struct bpfrt_line *line)
{
	const struct obj_line_info *li;
	const struct bpfrt_btf *btf;
	size_t l = 0, r;

	if (!prog || !line || pc >= prog->insn_cnt)
		return -EINVAL;
	r = prog->line_info_cnt;
	while (l < r) {
		size_t m = l + (r - l) / 2;

		if (prog->line_info[m].insn_off <= pc)
			l = m + 1;
		else
			r = m;
	}
	if (l == 0)
		return -ENOENT;
	li = &prog->line_info[l - 1];
	btf = prog->obj->btf;
	line->file = bpfrt_btf__str(btf, li->file_name_off);
	line->text = bpfrt_btf__str(btf, li->line_off);
	if (!line->file)
		line->file = "";
	if (!line->text)
		line->text = "";
	line->line = li->line_col >> 10;
	line->col = li->line_col & 0x3ff;
	return 0;
}

const char *bpfrt_program__func_name(const struct bpfrt_program *prog, size_t pc)
{
	const struct obj_func_info *fi;
	size_t l = 0, r;

	if (!prog || pc >= prog->insn_cnt)
		return NULL;
	r = prog->func_info_cnt;
	while (l < r) {
		size_t m = l + (r - l) / 2;

		if (prog->func_info[m].insn_off <= pc)
			l = m + 1;
		else
			r = m;
	}
	if (l == 0)
		return NULL;
	fi = &prog->func_info[l - 1];
	return obj_btf_name(prog->obj->btf, obj_btf_type(prog->obj->btf, fi->type_id));
}
