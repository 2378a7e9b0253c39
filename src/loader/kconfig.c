/* SPDX-License-Identifier: MIT */
/*
 * Externs: `extern ... __kconfig` variables (DATASEC .kconfig) and
 * `extern ... __ksym` variables and kernel functions (DATASEC .ksyms).
 *
 * .kconfig externs live in one read-only array map, ".kconfig", laid out
 * as libbpf lays it out (sorted by alignment, descending, then size, then
 * name) so relocated programs match libbpf's instruction for instruction.
 * Values:
 *   CONFIG_*               from the kconfig text of the open options
 *                          ("CONFIG_FOO=y"); bpfrt does not read the
 *                          running kernel's config, so results do not
 *                          depend on the host;
 *   LINUX_KERNEL_VERSION   opts->kernel_version, else the running kernel's;
 *   LINUX_HAS_BPF_COOKIE,
 *   LINUX_HAS_SYSCALL_WRAPPER  0: bpfrt attaches to no kernel;
 *   other LINUX_*          0 if __weak, else an error (as libbpf).
 * A missing value is 0 for __weak externs and an error otherwise.
 *
 * .ksyms externs name kernel objects bpfrt cannot provide; reloc.c marks
 * the programs that use them as unsupported instead of failing the open.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "loader/object_int.h"

static bool sym_is_extern(const struct elf_sym *sym)
{
	return sym->shndx == SHN_UNDEF && (sym->bind == STB_GLOBAL || sym->bind == STB_WEAK) &&
	       sym->type == STT_NOTYPE && sym->name[0];
}

/* The BTF VAR or FUNC declaring extern `name`: > 0, or -errno. */
static int find_extern_btf_id(const struct bpfrt_btf *btf, const char *name)
{
	uint32_t n = bpfrt_btf__type_cnt(btf);

	for (uint32_t i = 1; i < n; i++) {
		const struct btf_type *t = bpfrt_btf__type_by_id(btf, i);
		int kind = BTF_INFO_KIND(t->info);

		if (kind != BTF_KIND_VAR && kind != BTF_KIND_FUNC)
			continue;
		if (strcmp(obj_btf_name(btf, t), name) != 0)
			continue;
		if (kind == BTF_KIND_VAR && ((const struct btf_var *)(t + 1))->linkage != BTF_VAR_GLOBAL_EXTERN)
			return -EINVAL;
		if (kind == BTF_KIND_FUNC && BTF_INFO_VLEN(t->info) != BTF_FUNC_EXTERN)
			return -EINVAL;
		return (int)i;
	}
	return -ENOENT;
}

static int find_extern_sec_btf_id(const struct bpfrt_btf *btf, uint32_t ext_id)
{
	uint32_t n = bpfrt_btf__type_cnt(btf);

	for (uint32_t i = 1; i < n; i++) {
		const struct btf_type *t = bpfrt_btf__type_by_id(btf, i);
		const struct btf_var_secinfo *vs = (const void *)(t + 1);

		if (BTF_INFO_KIND(t->info) != BTF_KIND_DATASEC)
			continue;
		for (uint32_t j = 0; j < BTF_INFO_VLEN(t->info); j++) {
			if (vs[j].type == ext_id)
				return (int)i;
		}
	}
	return -ENOENT;
}

/* Alignment of the types a .kconfig extern may have, or -EINVAL. */
static int kcfg_align_of(const struct bpfrt_btf *btf, uint32_t id, int depth)
{
	const struct btf_type *t = bpfrt_btf__type_by_id(btf, id);

	if (!t || depth > 32)
		return -EINVAL;
	switch (BTF_INFO_KIND(t->info)) {
	case BTF_KIND_INT:
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
	case BTF_KIND_FLOAT:
		return t->size < 8 ? (int)t->size : 8;
	case BTF_KIND_PTR:
		return 8;
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPE_TAG:
		return kcfg_align_of(btf, t->type, depth + 1);
	case BTF_KIND_ARRAY:
		return kcfg_align_of(btf, ((const struct btf_array *)(t + 1))->type, depth + 1);
	default:
		return -EINVAL;
	}
}

static enum kcfg_type find_kcfg_type(const struct bpfrt_btf *btf, uint32_t id, bool *is_signed)
{
	const struct btf_type *t = bpfrt_btf__type_by_id(btf, bpfrt_btf__skip_mods_and_typedefs(btf, id));
	const char *name;

	if (is_signed)
		*is_signed = false;
	if (!t)
		return KCFG_UNKNOWN;
	name = obj_btf_name(btf, t);
	switch (BTF_INFO_KIND(t->info)) {
	case BTF_KIND_INT: {
		uint32_t enc = BTF_INT_ENCODING(*(const uint32_t *)(t + 1));

		if (enc & BTF_INT_BOOL)
			return t->size == 1 ? KCFG_BOOL : KCFG_UNKNOWN;
		if (is_signed)
			*is_signed = enc & BTF_INT_SIGNED;
		if (t->size == 1)
			return KCFG_CHAR;
		if (t->size < 1 || t->size > 8 || (t->size & (t->size - 1)))
			return KCFG_UNKNOWN;
		return KCFG_INT;
	}
	case BTF_KIND_ENUM:
		if (t->size != 4 || strcmp(name, "libbpf_tristate"))
			return KCFG_UNKNOWN;
		return KCFG_TRISTATE;
	case BTF_KIND_ENUM64:
		return strcmp(name, "libbpf_tristate") ? KCFG_UNKNOWN : KCFG_TRISTATE;
	case BTF_KIND_ARRAY: {
		const struct btf_array *arr = (const void *)(t + 1);

		if (arr->nelems == 0 || find_kcfg_type(btf, arr->type, NULL) != KCFG_CHAR)
			return KCFG_UNKNOWN;
		return KCFG_CHAR_ARR;
	}
	default:
		return KCFG_UNKNOWN;
	}
}

static int cmp_externs(const void *a_, const void *b_)
{
	const struct obj_extern *a = a_, *b = b_;

	if (a->type != b->type)
		return a->type < b->type ? -1 : 1;
	if (a->type == EXT_KCFG) {
		/* Descending alignment, then ascending size: libbpf's packing. */
		if (a->kcfg_align != b->kcfg_align)
			return a->kcfg_align > b->kcfg_align ? -1 : 1;
		if (a->kcfg_sz != b->kcfg_sz)
			return a->kcfg_sz < b->kcfg_sz ? -1 : 1;
	}
	return strcmp(a->name, b->name);
}

static int init_extern(struct obj_ctx *ctx, struct obj_extern *ext, const char *name)
{
	const struct bpfrt_btf *btf = ctx->obj->btf;
	const struct btf_type *t, *sec;
	const char *sec_name;
	int id;

	id = find_extern_btf_id(btf, name);
	if (id <= 0) {
		obj_err(ctx, "extern '%s': %s", name,
			id == -EINVAL ? "its BTF declaration is not an extern VAR or FUNC"
				      : "no BTF VAR or FUNC declares it");
		return id ? id : -ENOENT;
	}
	ext->btf_id = (uint32_t)id;
	t = bpfrt_btf__type_by_id(btf, ext->btf_id);
	id = find_extern_sec_btf_id(btf, ext->btf_id);
	if (id <= 0) {
		obj_err(ctx, "extern '%s': its BTF [%u] is in no DATASEC", name, ext->btf_id);
		return -ENOENT;
	}
	ext->sec_btf_id = (uint32_t)id;
	sec = bpfrt_btf__type_by_id(btf, ext->sec_btf_id);
	sec_name = obj_btf_name(btf, sec);
	ext->is_func = BTF_INFO_KIND(t->info) == BTF_KIND_FUNC;
	if (strcmp(sec_name, ".kconfig") == 0) {
		int64_t sz;

		if (ext->is_func) {
			obj_err(ctx, "extern function '%s' is not allowed in .kconfig", name);
			return -ENOTSUP;
		}
		ext->type = EXT_KCFG;
		sz = bpfrt_btf__resolve_size(btf, t->type);
		if (sz <= 0 || sz > INT32_MAX) {
			obj_err(ctx, "extern (kcfg) '%s': cannot resolve its size", name);
			return -EINVAL;
		}
		ext->kcfg_sz = (int)sz;
		ext->kcfg_align = kcfg_align_of(btf, t->type, 0);
		if (ext->kcfg_align <= 0) {
			obj_err(ctx, "extern (kcfg) '%s': cannot determine its alignment", name);
			return -EINVAL;
		}
		ext->kcfg_type = find_kcfg_type(btf, t->type, &ext->kcfg_signed);
		if (ext->kcfg_type == KCFG_UNKNOWN) {
			obj_err(ctx, "extern (kcfg) '%s': type is unsupported (bool, char, integers, enum libbpf_tristate and char arrays are)",
				name);
			return -ENOTSUP;
		}
	} else if (strcmp(sec_name, ".ksyms") == 0) {
		ext->type = EXT_KSYM;
	} else {
		obj_err(ctx, "extern '%s': unrecognized extern section '%s'", name, sec_name);
		return -ENOTSUP;
	}
	return 0;
}

int kcfg_collect_externs(struct obj_ctx *ctx)
{
	struct bpfrt_object *obj = ctx->obj;
	const struct elf_file *ef = &ctx->ef;
	size_t n = 0;
	int err;

	for (size_t i = 0; i < ef->sym_cnt; i++)
		n += sym_is_extern(&ef->syms[i]);
	if (!n)
		return 0;
	if (!obj->btf) {
		obj_err(ctx, "the object has externs but no usable BTF to describe them");
		return -EINVAL;
	}
	obj->externs = core_calloc(n, sizeof(*obj->externs));
	if (!obj->externs)
		return -ENOMEM;
	for (size_t i = 0; i < ef->sym_cnt; i++) {
		const struct elf_sym *sym = &ef->syms[i];
		struct obj_extern *ext;

		if (!sym_is_extern(sym))
			continue;
		ext = &obj->externs[obj->extern_cnt++];
		ext->sym_idx = (int)i;
		ext->is_weak = sym->bind == STB_WEAK;
		ext->name = core_strdup(sym->name);
		if (!ext->name)
			return -ENOMEM;
		err = init_extern(ctx, ext, sym->name);
		if (err)
			return err;
	}
	qsort(obj->externs, obj->extern_cnt, sizeof(*obj->externs), cmp_externs);
	return 0;
}

size_t kcfg_layout(struct bpfrt_object *obj)
{
	size_t off = 0;

	for (size_t i = 0; i < obj->extern_cnt; i++) {
		struct obj_extern *ext = &obj->externs[i];
		size_t a;

		if (ext->type != EXT_KCFG)
			continue;
		a = (size_t)ext->kcfg_align;
		ext->kcfg_off = (uint32_t)((off + a - 1) / a * a);
		off = ext->kcfg_off + (size_t)ext->kcfg_sz;
	}
	return off;
}

int kcfg_extern_by_sym(const struct bpfrt_object *obj, int sym_idx)
{
	for (size_t i = 0; i < obj->extern_cnt; i++) {
		if (obj->externs[i].sym_idx == sym_idx)
			return (int)i;
	}
	return -1;
}

/* ---- values ---- */

static struct obj_extern *find_kcfg(struct bpfrt_object *obj, const char *name)
{
	for (size_t i = 0; i < obj->extern_cnt; i++) {
		if (obj->externs[i].type == EXT_KCFG && strcmp(obj->externs[i].name, name) == 0)
			return &obj->externs[i];
	}
	return NULL;
}

static bool value_fits(const struct obj_extern *ext, uint64_t v)
{
	int bits = ext->kcfg_sz * 8;

	if (ext->kcfg_sz == 8)
		return true;
	/* Signed: -2^(b-1) <= v <= 2^(b-1)-1, shifted into 0 <= v' < 2^b. */
	if (ext->kcfg_signed)
		return v + (1ULL << (bits - 1)) < (1ULL << bits);
	return (v >> bits) == 0;
}

static int set_num(struct obj_ctx *ctx, struct obj_extern *ext, uint8_t *dst, uint64_t v)
{
	if (ext->kcfg_type != KCFG_INT && ext->kcfg_type != KCFG_CHAR && ext->kcfg_type != KCFG_BOOL) {
		obj_err(ctx, "extern (kcfg) '%s': value '%llu' implies an integer, char or bool type",
			ext->name, (unsigned long long)v);
		return -EINVAL;
	}
	if (ext->kcfg_type == KCFG_BOOL && v > 1) {
		obj_err(ctx, "extern (kcfg) '%s': value '%llu' is not a bool", ext->name,
			(unsigned long long)v);
		return -EINVAL;
	}
	if (!value_fits(ext, v)) {
		obj_err(ctx, "extern (kcfg) '%s': value '%llu' does not fit in %d bytes", ext->name,
			(unsigned long long)v, ext->kcfg_sz);
		return -ERANGE;
	}
	/* Little-endian host (big-endian objects are rejected). */
	memcpy(dst, &v, (size_t)ext->kcfg_sz);
	ext->is_set = true;
	return 0;
}

static int set_tristate(struct obj_ctx *ctx, struct obj_extern *ext, uint8_t *dst, char c)
{
	uint32_t tri;

	switch (ext->kcfg_type) {
	case KCFG_BOOL:
		if (c == 'm') {
			obj_err(ctx, "extern (kcfg) '%s': value 'm' implies a tristate or char type",
				ext->name);
			return -EINVAL;
		}
		*dst = c == 'y';
		break;
	case KCFG_TRISTATE:
		/* enum libbpf_tristate: TRI_NO 0, TRI_YES 1, TRI_MODULE 2. */
		tri = c == 'y' ? 1 : c == 'm' ? 2 : 0;
		memcpy(dst, &tri, sizeof(tri));
		break;
	case KCFG_CHAR:
		*dst = (uint8_t)c;
		break;
	default:
		obj_err(ctx, "extern (kcfg) '%s': value '%c' implies a bool, tristate or char type",
			ext->name, c);
		return -EINVAL;
	}
	ext->is_set = true;
	return 0;
}

static int set_string(struct obj_ctx *ctx, struct obj_extern *ext, uint8_t *dst, const char *v)
{
	size_t len = strlen(v);

	if (ext->kcfg_type != KCFG_CHAR_ARR) {
		obj_err(ctx, "extern (kcfg) '%s': value '%s' implies a char array type", ext->name, v);
		return -EINVAL;
	}
	if (len < 2 || v[len - 1] != '"') {
		obj_err(ctx, "extern (kcfg) '%s': invalid string value '%s'", ext->name, v);
		return -EINVAL;
	}
	len -= 2;
	if (len >= (size_t)ext->kcfg_sz) {
		core_print(BPFRT_WARN, "bpfrt: extern (kcfg) '%s': string '%s' truncated to %d bytes\n",
			   ext->name, v, ext->kcfg_sz - 1);
		len = (size_t)ext->kcfg_sz - 1;
	}
	memcpy(dst, v + 1, len);
	dst[len] = '\0';
	ext->is_set = true;
	return 0;
}

/* One "CONFIG_X=value" line, NUL-terminated, without its newline. */
static int kconfig_line(struct obj_ctx *ctx, char *line, int lineno, uint8_t *data)
{
	struct obj_extern *ext;
	char *sep, *value, *end;
	uint64_t num;

	if (strncmp(line, "CONFIG_", 7) != 0)
		return 0;
	sep = strchr(line, '=');
	if (!sep) {
		obj_err(ctx, "kconfig line %d '%s': no '=' separator", lineno, line);
		return -EINVAL;
	}
	*sep = '\0';
	value = sep + 1;
	if (!*value) {
		obj_err(ctx, "kconfig line %d '%s=': no value", lineno, line);
		return -EINVAL;
	}
	ext = find_kcfg(ctx->obj, line);
	if (!ext || ext->is_set)
		return 0;
	data += ext->kcfg_off;
	switch (*value) {
	case 'y':
	case 'n':
	case 'm':
		return set_tristate(ctx, ext, data, *value);
	case '"':
		return set_string(ctx, ext, data, value);
	default:
		errno = 0;
		num = strtoull(value, &end, 0);
		if (errno || *end) {
			obj_err(ctx, "extern (kcfg) '%s': value '%s' is not a valid integer", ext->name,
				value);
			return -EINVAL;
		}
		if (ext->kcfg_type != KCFG_INT && ext->kcfg_type != KCFG_CHAR) {
			obj_err(ctx, "extern (kcfg) '%s': value '%s' implies an integer type", ext->name,
				value);
			return -EINVAL;
		}
		return set_num(ctx, ext, data, num);
	}
}

static int read_kconfig_text(struct obj_ctx *ctx, const char *text, uint8_t *data)
{
	char *copy = core_strdup(text), *line, *next;
	int lineno = 1, err = 0;

	if (!copy)
		return -ENOMEM;
	for (line = copy; line && !err; line = next, lineno++) {
		size_t len;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		len = strlen(line);
		if (len && line[len - 1] == '\r')
			line[len - 1] = '\0';
		err = kconfig_line(ctx, line, lineno, data);
	}
	core_free(copy);
	return err;
}

/* KERNEL_VERSION(a, b, c) of the running kernel, 0 if unknown. */
static uint32_t running_kernel_version(void)
{
	unsigned int major, minor, patch = 0;
	struct utsname u;

	if (uname(&u) || sscanf(u.release, "%u.%u.%u", &major, &minor, &patch) < 2)
		return 0;
	return (major << 16) + (minor << 8) + (patch > 255 ? 255 : patch);
}

int kcfg_fill(struct obj_ctx *ctx, void *data)
{
	struct bpfrt_object *obj = ctx->obj;
	const char *text = ctx->opts ? ctx->opts->kconfig : NULL;
	bool need_config = false;
	int err;

	for (size_t i = 0; i < obj->extern_cnt; i++) {
		struct obj_extern *ext = &obj->externs[i];
		uint8_t *dst = (uint8_t *)data + ext->kcfg_off;
		uint64_t value = 0;

		if (ext->type != EXT_KCFG)
			continue;
		if (strncmp(ext->name, "CONFIG_", 7) == 0) {
			need_config = true;
			continue;
		}
		if (strcmp(ext->name, "LINUX_KERNEL_VERSION") == 0) {
			value = ctx->opts && ctx->opts->kernel_version ? ctx->opts->kernel_version
								       : running_kernel_version();
			if (!value) {
				obj_err(ctx, "extern (kcfg) '%s': cannot determine the kernel version; set kernel_version in the open options",
					ext->name);
				return -EINVAL;
			}
		} else if (strcmp(ext->name, "LINUX_HAS_BPF_COOKIE") != 0 &&
			   strcmp(ext->name, "LINUX_HAS_SYSCALL_WRAPPER") != 0) {
			if (strncmp(ext->name, "LINUX_", 6) != 0 || !ext->is_weak) {
				obj_err(ctx, "extern (kcfg) '%s': unrecognized virtual extern", ext->name);
				return -EINVAL;
			}
			continue; /* unknown __weak LINUX_*: zero */
		}
		err = set_num(ctx, ext, dst, value);
		if (err)
			return err;
	}
	if (need_config && text) {
		err = read_kconfig_text(ctx, text, data);
		if (err)
			return err;
	}
	for (size_t i = 0; i < obj->extern_cnt; i++) {
		const struct obj_extern *ext = &obj->externs[i];

		if (ext->type != EXT_KCFG || ext->is_set || ext->is_weak)
			continue;
		obj_err(ctx, "extern '%s' (strong): not resolved; give its value in the kconfig open option or declare it __weak",
			ext->name);
		return -ESRCH;
	}
	return 0;
}
