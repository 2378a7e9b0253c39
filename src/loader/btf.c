/* SPDX-License-Identifier: MIT */
/*
 * BTF: parse and validate raw type information, and the look-ups the loader
 * and CO-RE make on it.
 *
 * Validation follows the kernel's (kernel/bpf/btf.c) so that BTF accepted
 * here is BTF a kernel would accept, with two deliberate relaxations for
 * object files, whose BTF libbpf fixes up before any kernel sees it:
 * DATASEC sizes may still be 0 (externs, sections clang left unsized), and
 * FUNC and VAR may have extern linkage.
 *
 * Parsing makes five passes over the type section; each pass may rely on
 * what the previous ones proved:
 *
 *   1. records: header word, kind, vlen, kind_flag, names, sizes, and that
 *      the record fits; records each type's offset (the id -> type index);
 *   2. references: every type id a record names is in range and of a kind
 *      that may be referenced from there;
 *   3. by-value graph (modifiers, typedefs, arrays, struct members, vars,
 *      datasec entries): no cycles, since such a type would have infinite
 *      size. Post-order also yields each type's resolved id (modifiers and
 *      typedefs skipped) and size, kept for O(1) look-ups later;
 *   4. reference chains (modifiers, typedefs, pointers): no cycles, i.e.
 *      no pointer that leads back to itself without a named aggregate in
 *      between (a struct holding a pointer to itself is fine);
 *   5. layout: members fit their struct, bitfields are on integers, array
 *      elements have a size, parameters are complete, decl tags name an
 *      existing component.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bpfrt/btf.h"
#include "core/core.h"

/* The kernel's KSYM_NAME_LEN: longest identifier it accepts, NUL included. */
#define NAME_MAX_LEN 512
/*
 * Longest other name (int, float, tag strings), NUL included. The kernel
 * sets none; a bound keeps hashing and comparing names linear.
 */
#define TEXT_MAX_LEN 4096
/* rsize[] of a type without a size (void, fwd, func, func_proto, decl_tag). */
#define SIZE_NONE UINT32_MAX

struct name_index {
	uint32_t mask;     /* slot count - 1 (a power of two - 1) */
	uint32_t slots[];  /* type ids; 0 = empty */
};

struct bpfrt_btf {
	char *types;        /* type section, then string section: one block */
	const char *strs;
	uint32_t types_len;
	uint32_t strs_len;
	uint32_t cnt;       /* type ids, void included */
	uint32_t *offs;     /* offs[id]: offset of type id in types */
	uint32_t *rid;      /* rid[id]: id with modifiers and typedefs skipped */
	uint32_t *rsize;    /* rsize[id]: resolved size, or SIZE_NONE */
	struct name_index *names; /* built on first find_by_name_kind() */
};

/* ---- record accessors ---- */

static inline const struct btf_type *type_at(const struct bpfrt_btf *btf, uint32_t id)
{
	return (const struct btf_type *)(btf->types + btf->offs[id]);
}

static inline unsigned int kind_of(const struct btf_type *t)
{
	return BTF_INFO_KIND(t->info);
}

static inline unsigned int vlen_of(const struct btf_type *t)
{
	return BTF_INFO_VLEN(t->info);
}

static inline bool kflag_of(const struct btf_type *t)
{
	return BTF_INFO_KFLAG(t->info);
}

/* Kind of a type id; void (0) is BTF_KIND_UNKN. */
static inline unsigned int kind_id(const struct bpfrt_btf *btf, uint32_t id)
{
	return id ? kind_of(type_at(btf, id)) : BTF_KIND_UNKN;
}

static inline const char *str_at(const struct bpfrt_btf *btf, uint32_t off)
{
	return off < btf->strs_len ? btf->strs + off : "(invalid name offset)";
}

/* ---- the rules of each kind ---- */

enum name_rule {
	NAME_NONE,       /* must be anonymous */
	NAME_ANY,        /* any string (int and float names are free text) */
	NAME_IDENT_OPT,  /* anonymous or an identifier */
	NAME_IDENT,      /* an identifier */
	NAME_STRING,     /* any non-empty string (tags) */
	NAME_SECTION,    /* non-empty, printable (".data..percpu") */
};

#define R_KFLAG 0x1 /* kind_flag may be set */
#define R_VLEN  0x2 /* vlen counts trailing entries */

static const struct kind_rule {
	uint8_t extra;    /* bytes after struct btf_type */
	uint8_t per_vlen; /* bytes per vlen entry */
	uint8_t flags;
	uint8_t name;     /* enum name_rule */
} kind_rules[NR_BTF_KINDS] = {
	[BTF_KIND_INT]        = { 4, 0, 0, NAME_ANY },
	[BTF_KIND_PTR]        = { 0, 0, 0, NAME_NONE },
	[BTF_KIND_ARRAY]      = { sizeof(struct btf_array), 0, 0, NAME_NONE },
	[BTF_KIND_STRUCT]     = { 0, sizeof(struct btf_member), R_KFLAG | R_VLEN, NAME_IDENT_OPT },
	[BTF_KIND_UNION]      = { 0, sizeof(struct btf_member), R_KFLAG | R_VLEN, NAME_IDENT_OPT },
	[BTF_KIND_ENUM]       = { 0, sizeof(struct btf_enum), R_KFLAG | R_VLEN, NAME_IDENT_OPT },
	[BTF_KIND_FWD]        = { 0, 0, R_KFLAG, NAME_IDENT },
	[BTF_KIND_TYPEDEF]    = { 0, 0, 0, NAME_IDENT },
	[BTF_KIND_VOLATILE]   = { 0, 0, 0, NAME_NONE },
	[BTF_KIND_CONST]      = { 0, 0, 0, NAME_NONE },
	[BTF_KIND_RESTRICT]   = { 0, 0, 0, NAME_NONE },
	/* vlen of a FUNC is its linkage, checked on its own */
	[BTF_KIND_FUNC]       = { 0, 0, 0, NAME_IDENT },
	[BTF_KIND_FUNC_PROTO] = { 0, sizeof(struct btf_param), R_VLEN, NAME_NONE },
	[BTF_KIND_VAR]        = { sizeof(struct btf_var), 0, 0, NAME_IDENT },
	[BTF_KIND_DATASEC]    = { 0, sizeof(struct btf_var_secinfo), R_VLEN, NAME_SECTION },
	[BTF_KIND_FLOAT]      = { 0, 0, 0, NAME_ANY },
	/* kind_flag on tags: the string is a whole attribute (libbpf 1.6) */
	[BTF_KIND_DECL_TAG]   = { sizeof(struct btf_decl_tag), 0, R_KFLAG, NAME_STRING },
	[BTF_KIND_TYPE_TAG]   = { 0, 0, R_KFLAG, NAME_STRING },
	[BTF_KIND_ENUM64]     = { 0, sizeof(struct btf_enum64), R_KFLAG | R_VLEN, NAME_IDENT_OPT },
};

#define KIND_BIT(k) (1u << (k))
/* Kinds that only declare things: no other type may use them as a type. */
#define K_DECL (KIND_BIT(BTF_KIND_FUNC) | KIND_BIT(BTF_KIND_VAR) | \
		KIND_BIT(BTF_KIND_DATASEC) | KIND_BIT(BTF_KIND_DECL_TAG))

static bool is_modifier(unsigned int kind)
{
	switch (kind) {
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPE_TAG:
		return true;
	default:
		return false;
	}
}

/* ---- diagnostics ---- */

struct pctx {
	struct bpfrt_btf *btf;
	char *log;
	size_t log_size;
	/*
	 * One bit per string offset known to be an identifier: deduplicated
	 * BTF names each string once and uses it many times.
	 */
	uint8_t *ident_ok;
};

/* "STRUCT", "FUNC_PROTO": bpftool's spelling, from the one list of names. */
static const char *kind_upper(unsigned int kind, char buf[16])
{
	const char *s = bpfrt_btf_kind_name((int)kind);
	size_t i;

	for (i = 0; s[i] && i < 15; i++)
		buf[i] = (s[i] >= 'a' && s[i] <= 'z') ? (char)(s[i] - 'a' + 'A') : s[i];
	buf[i] = '\0';
	return buf;
}

static int hdr_err(struct pctx *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int hdr_err(struct pctx *p, const char *fmt, ...)
{
	char why[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	core_log(p->log, p->log_size, "BTF: %s", why);
	return -EINVAL;
}

static int type_err(struct pctx *p, uint32_t id, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* "BTF: type [12] STRUCT 'foo': <why>" */
static int type_err(struct pctx *p, uint32_t id, const char *fmt, ...)
{
	const struct btf_type *t = type_at(p->btf, id);
	const char *name = t->name_off ? str_at(p->btf, t->name_off) : "(anon)";
	char why[400], kn[16];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	core_log(p->log, p->log_size, "BTF: type [%u] %s '%.64s': %s", id,
		 kind_upper(kind_of(t), kn), name, why);
	return -EINVAL;
}

/* "[5] STRUCT 'foo'" for naming another type inside a message. */
static const char *type_desc(const struct bpfrt_btf *btf, uint32_t id, char buf[96])
{
	char kn[16];

	if (!id) {
		snprintf(buf, 96, "[0] void");
		return buf;
	}
	snprintf(buf, 96, "[%u] %s '%.48s'", id, kind_upper(kind_id(btf, id), kn),
		 type_at(btf, id)->name_off ? str_at(btf, type_at(btf, id)->name_off) : "(anon)");
	return buf;
}

/* ---- names ---- */

/* Character classes of the kernel's identifier rule: [A-Za-z_.][A-Za-z0-9_.]* */
#define C_FIRST 1
#define C_NEXT  2

static const uint8_t ident_class[256] = {
	['.'] = C_FIRST | C_NEXT, ['_'] = C_FIRST | C_NEXT,
	['0' ... '9'] = C_NEXT,
	['A' ... 'Z'] = C_FIRST | C_NEXT, ['a' ... 'z'] = C_FIRST | C_NEXT,
};

static bool name_is_ident(const char *s)
{
	size_t i;

	if (!(ident_class[(unsigned char)*s] & C_FIRST))
		return false;
	for (i = 1; s[i]; i++)
		if (i >= NAME_MAX_LEN - 1 || !(ident_class[(unsigned char)s[i]] & C_NEXT))
			return false;
	return true;
}

static bool name_is_section(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (i >= NAME_MAX_LEN - 1 || (unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			return false;
	return i > 0;
}

/*
 * Check a name offset against a rule. Returns NULL if fine, else the
 * reason.
 */
static const char *name_check(struct pctx *p, uint32_t off, enum name_rule rule)
{
	const struct bpfrt_btf *btf = p->btf;
	const char *s;

	if (off >= btf->strs_len)
		return "name offset out of the string section";
	s = btf->strs + off;
	switch (rule) {
	case NAME_NONE:
		return off ? "must be anonymous" : NULL;
	case NAME_ANY:
		return strnlen(s, TEXT_MAX_LEN) < TEXT_MAX_LEN ? NULL : "name is longer than 4095 bytes";
	case NAME_IDENT_OPT:
	case NAME_IDENT:
		if (!*s)
			return rule == NAME_IDENT ? "must have a name" : NULL;
		if (p->ident_ok[off / 8] & (1u << (off % 8)))
			return NULL;
		if (!name_is_ident(s))
			return "name is not a valid identifier";
		p->ident_ok[off / 8] |= (uint8_t)(1u << (off % 8));
		return NULL;
	case NAME_STRING:
		if (!*s)
			return "must have a non-empty name";
		return strnlen(s, TEXT_MAX_LEN) < TEXT_MAX_LEN ? NULL : "name is longer than 4095 bytes";
	case NAME_SECTION:
		return name_is_section(s) ? NULL : "name is not a valid section name";
	}
	return NULL;
}

/* ---- pass 1: records ---- */

static int check_int(struct pctx *p, uint32_t id, const struct btf_type *t)
{
	uint32_t data;
	unsigned int bits, off, enc;

	memcpy(&data, t + 1, sizeof(data));
	bits = BTF_INT_BITS(data);
	off = BTF_INT_OFFSET(data);
	enc = BTF_INT_ENCODING(data);
	if (t->size != 1 && t->size != 2 && t->size != 4 && t->size != 8 && t->size != 16)
		return type_err(p, id, "int size %u is not 1, 2, 4, 8 or 16", t->size);
	if (data & 0xf0000000u)
		return type_err(p, id, "int data 0x%08x sets reserved bits", data);
	if (!bits || bits > 128)
		return type_err(p, id, "int bits %u out of range (1..128)", bits);
	if (off + bits > t->size * 8)
		return type_err(p, id, "int bits %u at bit offset %u exceed its size (%u bytes)",
				bits, off, t->size);
	if (enc && enc != BTF_INT_SIGNED && enc != BTF_INT_CHAR && enc != BTF_INT_BOOL)
		return type_err(p, id, "int encoding 0x%x is not one of signed, char, bool", enc);
	return 0;
}

/* Per-kind checks of a record's own fields (nothing that names another type). */
static int check_record(struct pctx *p, uint32_t id, const struct btf_type *t)
{
	unsigned int kind = kind_of(t), vlen = vlen_of(t), i;
	const char *why;

	switch (kind) {
	case BTF_KIND_INT:
		return check_int(p, id, t);
	case BTF_KIND_ARRAY:
		if (t->size)
			return type_err(p, id, "size field %u must be 0", t->size);
		return 0;
	case BTF_KIND_FWD:
		if (t->type)
			return type_err(p, id, "type field %u must be 0", t->type);
		return 0;
	case BTF_KIND_FUNC:
		if (vlen > BTF_FUNC_EXTERN)
			return type_err(p, id, "linkage %u is not static, global or extern", vlen);
		return 0;
	case BTF_KIND_FLOAT:
		if (t->size != 2 && t->size != 4 && t->size != 8 && t->size != 12 && t->size != 16)
			return type_err(p, id, "float size %u is not 2, 4, 8, 12 or 16", t->size);
		return 0;
	case BTF_KIND_VAR: {
		const struct btf_var *v = (const void *)(t + 1);

		if (v->linkage > BTF_VAR_GLOBAL_EXTERN)
			return type_err(p, id, "linkage %u is not static, global or extern", v->linkage);
		return 0;
	}
	case BTF_KIND_DECL_TAG: {
		const struct btf_decl_tag *d = (const void *)(t + 1);

		if (d->component_idx < -1)
			return type_err(p, id, "component_idx %d is below -1", d->component_idx);
		return 0;
	}
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64: {
		size_t esz = kind == BTF_KIND_ENUM ? sizeof(struct btf_enum) : sizeof(struct btf_enum64);

		if (t->size != 1 && t->size != 2 && t->size != 4 && t->size != 8)
			return type_err(p, id, "enum size %u is not 1, 2, 4 or 8", t->size);
		for (i = 0; i < vlen; i++) {
			uint32_t noff;

			/* name_off is the first field of both enum entry layouts */
			memcpy(&noff, (const char *)(t + 1) + i * esz, sizeof(noff));
			why = name_check(p, noff, NAME_IDENT);
			if (why)
				return type_err(p, id, "enumerator #%u: %s", i, why);
		}
		return 0;
	}
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION: {
		const struct btf_member *m = (const void *)(t + 1);

		for (i = 0; i < vlen; i++) {
			why = name_check(p, m[i].name_off, NAME_IDENT_OPT);
			if (why)
				return type_err(p, id, "member #%u: %s", i, why);
		}
		return 0;
	}
	case BTF_KIND_FUNC_PROTO: {
		const struct btf_param *a = (const void *)(t + 1);

		for (i = 0; i < vlen; i++) {
			why = name_check(p, a[i].name_off, NAME_IDENT_OPT);
			if (why)
				return type_err(p, id, "param #%u: %s", i, why);
		}
		return 0;
	}
	default:
		return 0;
	}
}

static int pass_records(struct pctx *p)
{
	struct bpfrt_btf *btf = p->btf;
	uint32_t off = 0, id = 1;
	char kn[16];

	while (off < btf->types_len) {
		const struct btf_type *t = (const void *)(btf->types + off);
		uint32_t left = btf->types_len - off;
		const struct kind_rule *r;
		unsigned int kind, vlen;
		uint64_t need;
		const char *why;

		if (left < sizeof(*t))
			return hdr_err(p, "type [%u] at offset %u: truncated record (%u bytes left, need %zu)",
				       id, off, left, sizeof(*t));
		if (id > BTF_MAX_TYPE)
			return hdr_err(p, "more than %u types", BTF_MAX_TYPE);
		btf->offs[id] = off;
		btf->cnt = id + 1; /* so type_err() can name this record */
		kind = kind_of(t);
		vlen = vlen_of(t);
		if (kind == BTF_KIND_UNKN || kind >= NR_BTF_KINDS)
			return type_err(p, id, "unknown kind %u (at offset %u)", kind, off);
		if (t->info & ~0x9f00ffffu)
			return type_err(p, id, "info word 0x%08x sets reserved bits", t->info);
		r = &kind_rules[kind];
		if (kflag_of(t) && !(r->flags & R_KFLAG))
			return type_err(p, id, "kind_flag is not allowed for %s", kind_upper(kind, kn));
		if (vlen && !(r->flags & R_VLEN) && kind != BTF_KIND_FUNC)
			return type_err(p, id, "vlen %u must be 0 for %s", vlen, kind_upper(kind, kn));
		need = sizeof(*t) + r->extra + (uint64_t)((r->flags & R_VLEN) ? vlen : 0) * r->per_vlen;
		if (need > left)
			return type_err(p, id, "record of %llu bytes (vlen %u) overruns the type section (%u bytes left)",
					(unsigned long long)need, vlen, left);
		why = name_check(p, t->name_off, (enum name_rule)r->name);
		if (why)
			return type_err(p, id, "%s", why);
		if (check_record(p, id, t))
			return -EINVAL;
		off += (uint32_t)need;
		id++;
	}
	btf->cnt = id;
	return 0;
}

/* ---- pass 2: references ---- */

/*
 * A reference from `id` (described by `what`) to `ref`: in range, and not
 * to a kind in `forbidden` (a KIND_BIT mask). void_ok: may ref be 0?
 */
static int check_ref(struct pctx *p, uint32_t id, const char *what, uint32_t ref,
		     bool void_ok, uint32_t forbidden)
{
	char desc[96];

	if (ref >= p->btf->cnt)
		return type_err(p, id, "%s type id %u out of range (max %u)", what, ref, p->btf->cnt - 1);
	if (!ref && !void_ok)
		return type_err(p, id, "%s type is void", what);
	if (ref && (KIND_BIT(kind_id(p->btf, ref)) & forbidden))
		return type_err(p, id, "%s type %s cannot be used as a type", what,
				type_desc(p->btf, ref, desc));
	return 0;
}

/* The fast path of check_ref(): messages are built only for failures. */
static inline bool ref_ok(const struct bpfrt_btf *btf, uint32_t ref, bool void_ok, uint32_t forbidden)
{
	return ref < btf->cnt && (ref ? !(KIND_BIT(kind_id(btf, ref)) & forbidden) : void_ok);
}

static int pass_refs(struct pctx *p)
{
	const struct bpfrt_btf *btf = p->btf;
	char what[96], desc[96];

	for (uint32_t id = 1; id < btf->cnt; id++) {
		const struct btf_type *t = type_at(btf, id);
		unsigned int vlen = vlen_of(t), i;
		int err = 0;

		switch (kind_of(t)) {
		case BTF_KIND_PTR:
		case BTF_KIND_TYPEDEF:
		case BTF_KIND_VOLATILE:
		case BTF_KIND_CONST:
		case BTF_KIND_RESTRICT:
		case BTF_KIND_TYPE_TAG:
			err = check_ref(p, id, "referenced", t->type, true, K_DECL);
			break;
		case BTF_KIND_ARRAY: {
			const struct btf_array *a = (const void *)(t + 1);

			err = check_ref(p, id, "array element", a->type, false,
					K_DECL | KIND_BIT(BTF_KIND_FUNC_PROTO));
			if (!err)
				err = check_ref(p, id, "array index", a->index_type, false,
						K_DECL | KIND_BIT(BTF_KIND_FUNC_PROTO));
			break;
		}
		case BTF_KIND_STRUCT:
		case BTF_KIND_UNION: {
			const struct btf_member *m = (const void *)(t + 1);

			for (i = 0; i < vlen && !err; i++) {
				if (ref_ok(btf, m[i].type, false, K_DECL | KIND_BIT(BTF_KIND_FUNC_PROTO)))
					continue;
				snprintf(what, sizeof(what), "member '%.48s'",
					 m[i].name_off ? str_at(btf, m[i].name_off) : "(anon)");
				err = check_ref(p, id, what, m[i].type, false,
						K_DECL | KIND_BIT(BTF_KIND_FUNC_PROTO));
			}
			break;
		}
		case BTF_KIND_FUNC:
			err = check_ref(p, id, "prototype", t->type, false, 0);
			if (!err && kind_id(btf, t->type) != BTF_KIND_FUNC_PROTO)
				err = type_err(p, id, "type %s is not a FUNC_PROTO",
					       type_desc(btf, t->type, desc));
			break;
		case BTF_KIND_FUNC_PROTO: {
			const struct btf_param *a = (const void *)(t + 1);

			err = check_ref(p, id, "return", t->type, true,
					K_DECL | KIND_BIT(BTF_KIND_FUNC_PROTO));
			for (i = 0; i < vlen && !err; i++) {
				if (!a[i].type) {
					/* void marks varargs: only last, unnamed */
					if (i != vlen - 1 || a[i].name_off)
						err = type_err(p, id, "param #%u is void (only a last, unnamed param may be: varargs)", i);
					continue;
				}
				if (ref_ok(btf, a[i].type, false, K_DECL | KIND_BIT(BTF_KIND_FUNC_PROTO)))
					continue;
				snprintf(what, sizeof(what), "param #%u", i);
				err = check_ref(p, id, what, a[i].type, false,
						K_DECL | KIND_BIT(BTF_KIND_FUNC_PROTO));
			}
			break;
		}
		case BTF_KIND_VAR:
			err = check_ref(p, id, "variable", t->type, false,
					K_DECL | KIND_BIT(BTF_KIND_FUNC_PROTO));
			break;
		case BTF_KIND_DATASEC: {
			const struct btf_var_secinfo *v = (const void *)(t + 1);

			for (i = 0; i < vlen && !err; i++) {
				unsigned int k;

				if (!ref_ok(btf, v[i].type, false, 0)) {
					snprintf(what, sizeof(what), "entry #%u", i);
					err = check_ref(p, id, what, v[i].type, false, 0);
					break;
				}
				k = kind_id(btf, v[i].type);
				/* .ksyms lists extern functions beside variables */
				if (k != BTF_KIND_VAR && k != BTF_KIND_FUNC)
					err = type_err(p, id, "entry #%u type %s is not a VAR or FUNC", i,
						       type_desc(btf, v[i].type, desc));
				else if (t->size && (uint64_t)v[i].offset + v[i].size > t->size)
					err = type_err(p, id, "entry #%u (offset %u, size %u) exceeds the section size %u",
						       i, v[i].offset, v[i].size, t->size);
			}
			break;
		}
		case BTF_KIND_DECL_TAG: {
			unsigned int k;

			err = check_ref(p, id, "tagged", t->type, false, 0);
			if (err)
				break;
			k = kind_id(btf, t->type);
			if (k != BTF_KIND_STRUCT && k != BTF_KIND_UNION && k != BTF_KIND_VAR &&
			    k != BTF_KIND_FUNC && k != BTF_KIND_TYPEDEF)
				err = type_err(p, id, "tags %s; only a struct, union, var, func or typedef may be tagged",
					       type_desc(btf, t->type, desc));
			break;
		}
		default:
			break;
		}
		if (err)
			return err;
	}
	return 0;
}

/* ---- passes 3 and 4: cycles, resolved ids and sizes ---- */

/* Types a type contains by value: those it needs complete to have a size. */
static uint32_t value_edge_cnt(const struct btf_type *t)
{
	switch (kind_of(t)) {
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPE_TAG:
	case BTF_KIND_ARRAY:
	case BTF_KIND_VAR:
		return 1;
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
	case BTF_KIND_DATASEC:
		return vlen_of(t);
	default:
		return 0;
	}
}

static uint32_t value_edge(const struct btf_type *t, uint32_t i)
{
	switch (kind_of(t)) {
	case BTF_KIND_ARRAY:
		return ((const struct btf_array *)(t + 1))->type;
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		return ((const struct btf_member *)(t + 1))[i].type;
	case BTF_KIND_DATASEC:
		return ((const struct btf_var_secinfo *)(t + 1))[i].type;
	default:
		return t->type;
	}
}

/* Post-order step: children are final, so this type's rid and size are too. */
static int finish_type(struct pctx *p, uint32_t id)
{
	struct bpfrt_btf *btf = p->btf;
	const struct btf_type *t = type_at(btf, id);

	btf->rid[id] = id;
	switch (kind_of(t)) {
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPE_TAG:
		btf->rid[id] = btf->rid[t->type];
		btf->rsize[id] = btf->rsize[t->type];
		break;
	case BTF_KIND_VAR:
		btf->rsize[id] = btf->rsize[t->type];
		break;
	case BTF_KIND_ARRAY: {
		const struct btf_array *a = (const void *)(t + 1);
		uint32_t es = btf->rsize[a->type];
		uint64_t total;

		if (es == SIZE_NONE) {
			btf->rsize[id] = SIZE_NONE; /* reported by pass 5 */
			break;
		}
		total = (uint64_t)es * a->nelems;
		if (total >= SIZE_NONE)
			return type_err(p, id, "array of %u x %u bytes overflows 4 GiB", a->nelems, es);
		btf->rsize[id] = (uint32_t)total;
		break;
	}
	case BTF_KIND_PTR:
		btf->rsize[id] = 8;
		break;
	case BTF_KIND_INT:
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
	case BTF_KIND_FLOAT:
	case BTF_KIND_DATASEC:
		btf->rsize[id] = t->size;
		break;
	default:
		btf->rsize[id] = SIZE_NONE;
		break;
	}
	return 0;
}

struct dfs_frame {
	uint32_t id;
	uint32_t next; /* next edge to follow */
};

static int cycle_err(struct pctx *p, const struct dfs_frame *stack, uint32_t sp, uint32_t from,
		     const char *what)
{
	char path[200];
	size_t len = 0;
	uint32_t i, shown = 0;

	for (i = from; i < sp && len < sizeof(path); i++) {
		if (shown == 6 && sp - i > 1) {
			len += (size_t)snprintf(path + len, sizeof(path) - len, " -> ...");
			i = sp - 1;
			if (len >= sizeof(path))
				break;
		}
		len += (size_t)snprintf(path + len, sizeof(path) - len, "[%u] -> ", stack[i].id);
		shown++;
	}
	if (len < sizeof(path))
		snprintf(path + len, sizeof(path) - len, "[%u]", stack[from].id);
	return type_err(p, stack[from].id, "%s cycle: %s", what, path);
}

/*
 * Pass 3: depth-first over by-value edges with an explicit stack (the
 * input decides the depth). A grey type met again closes a cycle.
 */
static int pass_values(struct pctx *p, uint8_t *state, struct dfs_frame *stack)
{
	struct bpfrt_btf *btf = p->btf;
	enum { WHITE, GREY, BLACK };

	btf->rid[0] = 0;
	btf->rsize[0] = SIZE_NONE;
	state[0] = BLACK;
	for (uint32_t root = 1; root < btf->cnt; root++) {
		uint32_t sp = 0;

		if (state[root] != WHITE)
			continue;
		state[root] = GREY;
		stack[sp++] = (struct dfs_frame){ root, 0 };
		while (sp) {
			struct dfs_frame *f = &stack[sp - 1];
			const struct btf_type *t = type_at(btf, f->id);

			if (f->next < value_edge_cnt(t)) {
				uint32_t c = value_edge(t, f->next++);

				if (state[c] == GREY) {
					uint32_t from = sp - 1;

					while (stack[from].id != c)
						from--;
					return cycle_err(p, stack, sp, from, "by-value reference");
				}
				if (state[c] == WHITE) {
					state[c] = GREY;
					stack[sp++] = (struct dfs_frame){ c, 0 };
				}
				continue;
			}
			if (finish_type(p, f->id))
				return -EINVAL;
			state[f->id] = BLACK;
			sp--;
		}
	}
	return 0;
}

/*
 * Pass 4: pointers and modifiers form chains (one edge each); a chain that
 * comes back to itself never reaches a real type ("typedef T *T").
 */
static int pass_pointers(struct pctx *p, uint32_t *walk, struct dfs_frame *stack)
{
	const struct bpfrt_btf *btf = p->btf;

	for (uint32_t start = 1; start < btf->cnt; start++) {
		uint32_t cur = start, n = 0;

		while (cur && !walk[cur]) {
			unsigned int k = kind_id(btf, cur);

			if (k != BTF_KIND_PTR && !is_modifier(k))
				break;
			walk[cur] = start;
			stack[n++].id = cur;
			cur = type_at(btf, cur)->type;
		}
		if (cur && walk[cur] == start) {
			uint32_t from = 0;

			while (stack[from].id != cur)
				from++;
			return cycle_err(p, stack, n, from, "pointer");
		}
	}
	return 0;
}

/* ---- pass 5: layout ---- */

static int check_members(struct pctx *p, uint32_t id, const struct btf_type *t)
{
	const struct bpfrt_btf *btf = p->btf;
	const struct btf_member *m = (const void *)(t + 1);
	bool is_union = kind_of(t) == BTF_KIND_UNION;
	uint64_t struct_bits = (uint64_t)t->size * 8;
	uint32_t last = 0;
	char desc[96];

	for (unsigned int i = 0; i < vlen_of(t); i++) {
		const char *mname = m[i].name_off ? str_at(btf, m[i].name_off) : "(anon)";
		uint32_t bits = kflag_of(t) ? BTF_MEMBER_BITFIELD_SIZE(m[i].offset) : 0;
		uint32_t boff = kflag_of(t) ? BTF_MEMBER_BIT_OFFSET(m[i].offset) : m[i].offset;
		uint32_t r = btf->rid[m[i].type], size = btf->rsize[m[i].type];
		unsigned int rk = kind_id(btf, r);
		uint64_t end;

		if (size == SIZE_NONE)
			return type_err(p, id, "member '%.48s' has type %s, which has no size", mname,
					type_desc(btf, r, desc));
		if (is_union && boff)
			return type_err(p, id, "member '%.48s' is at bit offset %u; union members must be at 0",
					mname, boff);
		/* ">" rather than ">=": a flexible array shares the last offset */
		if (boff < last)
			return type_err(p, id, "member '%.48s' bit offset %u is below the previous member's (%u)",
					mname, boff, last);
		last = boff;
		if (bits) {
			if (rk != BTF_KIND_INT && rk != BTF_KIND_ENUM && rk != BTF_KIND_ENUM64)
				return type_err(p, id, "member '%.48s' is a bitfield of %s, not an integer or enum",
						mname, type_desc(btf, r, desc));
			if (bits > size * 8)
				return type_err(p, id, "member '%.48s' bitfield of %u bits is wider than its type (%u bits)",
						mname, bits, size * 8);
			end = (uint64_t)boff + bits;
		} else if (rk == BTF_KIND_INT && !kflag_of(t)) {
			/* the old encoding: the int's own bits give the bitfield */
			uint32_t data;

			memcpy(&data, type_at(btf, r) + 1, sizeof(data));
			end = (uint64_t)boff + BTF_INT_OFFSET(data) + BTF_INT_BITS(data);
		} else {
			if (boff % 8)
				return type_err(p, id, "member '%.48s' bit offset %u is not byte-aligned",
						mname, boff);
			end = (uint64_t)boff + (uint64_t)size * 8;
		}
		if (end > struct_bits)
			return type_err(p, id, "member '%.48s' (bit offset %u, %llu bits) exceeds the %s size of %u bytes",
					mname, boff, (unsigned long long)(end - boff),
					is_union ? "union" : "struct", t->size);
	}
	return 0;
}

static int pass_layout(struct pctx *p)
{
	const struct bpfrt_btf *btf = p->btf;
	char desc[96];

	for (uint32_t id = 1; id < btf->cnt; id++) {
		const struct btf_type *t = type_at(btf, id);
		unsigned int i, vlen = vlen_of(t);
		int err = 0;

		switch (kind_of(t)) {
		case BTF_KIND_STRUCT:
		case BTF_KIND_UNION:
			err = check_members(p, id, t);
			break;
		case BTF_KIND_ARRAY: {
			const struct btf_array *a = (const void *)(t + 1);

			if (btf->rsize[a->type] == SIZE_NONE)
				err = type_err(p, id, "array element type %s has no size",
					       type_desc(btf, btf->rid[a->type], desc));
			else if (kind_id(btf, btf->rid[a->index_type]) != BTF_KIND_INT)
				err = type_err(p, id, "array index type %s is not an integer",
					       type_desc(btf, btf->rid[a->index_type], desc));
			break;
		}
		case BTF_KIND_FUNC_PROTO: {
			const struct btf_param *a = (const void *)(t + 1);

			if (t->type && btf->rsize[t->type] == SIZE_NONE)
				err = type_err(p, id, "return type %s has no size",
					       type_desc(btf, btf->rid[t->type], desc));
			for (i = 0; i < vlen && !err; i++)
				if (a[i].type && btf->rsize[a[i].type] == SIZE_NONE)
					err = type_err(p, id, "param #%u type %s has no size", i,
						       type_desc(btf, btf->rid[a[i].type], desc));
			break;
		}
		case BTF_KIND_DECL_TAG: {
			int32_t comp = ((const struct btf_decl_tag *)(t + 1))->component_idx;
			const struct btf_type *target = type_at(btf, t->type);
			unsigned int k = kind_of(target), n = 0;

			if (comp == -1)
				break;
			if (k == BTF_KIND_STRUCT || k == BTF_KIND_UNION)
				n = vlen_of(target);
			else if (k == BTF_KIND_FUNC)
				n = vlen_of(type_at(btf, target->type));
			if ((uint32_t)comp >= n)
				err = type_err(p, id, "component_idx %d out of range for %s (%u components)",
					       comp, type_desc(btf, t->type, desc), n);
			break;
		}
		default:
			break;
		}
		if (err)
			return err;
	}
	return 0;
}

/* ---- parse ---- */

static int check_header(struct pctx *p, const void *data, size_t size, struct btf_header *h)
{
	const unsigned char *bytes = data;
	size_t body;

	if (!data || size < sizeof(*h))
		return hdr_err(p, "truncated header (%zu bytes, need %zu)", data ? size : 0, sizeof(*h));
	memcpy(h, data, sizeof(*h));
	if (h->magic == 0x9feb)
		return hdr_err(p, "big-endian BTF is not supported (magic 0x%04x)", h->magic);
	if (h->magic != BTF_MAGIC)
		return hdr_err(p, "bad magic 0x%04x (expected 0x%04x)", h->magic, BTF_MAGIC);
	if (h->version != BTF_VERSION)
		return hdr_err(p, "unsupported version %u (expected %u)", h->version, BTF_VERSION);
	if (h->flags)
		return hdr_err(p, "unsupported header flags 0x%x", h->flags);
	if (h->hdr_len < sizeof(*h))
		return hdr_err(p, "header length %u is below %zu", h->hdr_len, sizeof(*h));
	if (h->hdr_len > size)
		return hdr_err(p, "header length %u exceeds the data (%zu bytes)", h->hdr_len, size);
	/* a longer header from a newer format: fine only if we lose nothing */
	for (size_t i = sizeof(*h); i < h->hdr_len; i++)
		if (bytes[i])
			return hdr_err(p, "header has unknown non-zero fields (header length %u)", h->hdr_len);
	body = size - h->hdr_len;
	if (h->type_off % 4)
		return hdr_err(p, "type section offset %u is not 4-byte aligned", h->type_off);
	if ((uint64_t)h->type_off + h->type_len > body)
		return hdr_err(p, "type section (offset %u, length %u) exceeds the data (%zu bytes after the header)",
			       h->type_off, h->type_len, body);
	if ((uint64_t)h->str_off + h->str_len > body)
		return hdr_err(p, "string section (offset %u, length %u) exceeds the data (%zu bytes after the header)",
			       h->str_off, h->str_len, body);
	if (h->type_len && h->str_len && h->type_off < h->str_off + h->str_len &&
	    h->str_off < h->type_off + h->type_len)
		return hdr_err(p, "type section (offset %u, length %u) and string section (offset %u, length %u) overlap",
			       h->type_off, h->type_len, h->str_off, h->str_len);
	if (!h->str_len)
		return hdr_err(p, "string section is empty (it must hold at least \"\")");
	if (h->str_len > BTF_MAX_NAME_OFFSET + 1u)
		return hdr_err(p, "string section of %u bytes exceeds the %u-byte limit", h->str_len,
			       BTF_MAX_NAME_OFFSET + 1);
	if (bytes[h->hdr_len + h->str_off] != '\0')
		return hdr_err(p, "string section does not start with \\0");
	if (bytes[h->hdr_len + h->str_off + h->str_len - 1] != '\0')
		return hdr_err(p, "string section is not NUL-terminated");
	return 0;
}

void bpfrt_btf__free(struct bpfrt_btf *btf)
{
	if (!btf)
		return;
	core_free(btf->names);
	core_free(btf->types);
	core_free(btf->offs);
	core_free(btf->rid);
	core_free(btf->rsize);
	core_free(btf);
}

struct bpfrt_btf *bpfrt_btf__parse(const void *data, size_t size, char *log, size_t log_size)
{
	struct pctx p = { .log = log, .log_size = log_size };
	struct bpfrt_btf *btf;
	struct btf_header h;
	struct dfs_frame *stack = NULL;
	uint8_t *state = NULL;
	uint32_t max_cnt;
	int err;

	if (check_header(&p, data, size, &h)) {
		errno = EINVAL;
		return NULL;
	}
	btf = core_calloc(1, sizeof(*btf));
	if (!btf)
		goto nomem;
	p.btf = btf;
	/* copy into one block so that records are 4-byte aligned */
	btf->types = core_malloc((size_t)h.type_len + h.str_len);
	/* every record is at least 12 bytes: a bound on the type count */
	max_cnt = h.type_len / sizeof(struct btf_type) + 1;
	btf->offs = core_calloc(max_cnt, sizeof(*btf->offs));
	if (!btf->types || !btf->offs)
		goto nomem;
	memcpy(btf->types, (const char *)data + h.hdr_len + h.type_off, h.type_len);
	memcpy(btf->types + h.type_len, (const char *)data + h.hdr_len + h.str_off, h.str_len);
	btf->strs = btf->types + h.type_len;
	btf->types_len = h.type_len;
	btf->strs_len = h.str_len;
	btf->cnt = 1;
	p.ident_ok = core_calloc(h.str_len / 8 + 1, 1);
	if (!p.ident_ok)
		goto nomem;

	err = pass_records(&p);
	core_free(p.ident_ok);
	p.ident_ok = NULL;
	if (!err)
		err = pass_refs(&p);
	if (err)
		goto fail;
	btf->rid = core_malloc((size_t)btf->cnt * sizeof(*btf->rid));
	btf->rsize = core_malloc((size_t)btf->cnt * sizeof(*btf->rsize));
	state = core_calloc(btf->cnt, sizeof(*state));
	stack = core_malloc((size_t)btf->cnt * sizeof(*stack));
	if (!btf->rid || !btf->rsize || !state || !stack)
		goto nomem;
	err = pass_values(&p, state, stack);
	core_free(state);
	state = NULL;
	if (!err) {
		uint32_t *walk = core_calloc(btf->cnt, sizeof(*walk));

		if (!walk)
			goto nomem;
		err = pass_pointers(&p, walk, stack);
		core_free(walk);
	}
	if (!err)
		err = pass_layout(&p);
	if (err)
		goto fail;
	core_free(stack);
	return btf;

nomem:
	core_log(log, log_size, "BTF: out of memory");
	core_free(p.ident_ok);
	core_free(state);
	core_free(stack);
	bpfrt_btf__free(btf);
	errno = ENOMEM;
	return NULL;
fail:
	core_free(state);
	core_free(stack);
	bpfrt_btf__free(btf);
	errno = EINVAL;
	return NULL;
}

/* ---- files ---- */

/* Read a whole file (sysfs files report no useful size: read to EOF). */
static void *read_file(const char *path, size_t *size, char *log, size_t log_size)
{
	size_t cap = 1 << 16, len = 0;
	struct stat st;
	char *buf, *nbuf;
	int fd, saved;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		saved = errno;
		core_log(log, log_size, "BTF: cannot open %s: %s", path, strerror(saved));
		errno = saved;
		return NULL;
	}
	if (!fstat(fd, &st) && S_ISREG(st.st_mode) && st.st_size > 0)
		cap = (size_t)st.st_size + 1;
	buf = core_malloc(cap);
	if (!buf)
		goto nomem;
	for (;;) {
		ssize_t n;

		if (len == cap) {
			nbuf = core_realloc(buf, cap * 2);
			if (!nbuf)
				goto nomem;
			buf = nbuf;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			saved = errno;
			core_log(log, log_size, "BTF: cannot read %s: %s", path, strerror(saved));
			core_free(buf);
			close(fd);
			errno = saved;
			return NULL;
		}
		if (!n)
			break;
		len += (size_t)n;
	}
	close(fd);
	*size = len;
	return buf;

nomem:
	core_free(buf);
	close(fd);
	core_log(log, log_size, "BTF: out of memory reading %s", path);
	errno = ENOMEM;
	return NULL;
}

static struct bpfrt_btf *parse_elf(const char *path, void *buf, size_t size, char *log, size_t log_size)
{
	struct bpfrt_btf *btf = NULL;
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	int saved;
	Elf *elf;

	if (elf_version(EV_CURRENT) == EV_NONE) {
		core_log(log, log_size, "BTF: libelf initialisation failed: %s", elf_errmsg(-1));
		errno = EINVAL;
		return NULL;
	}
	elf = elf_memory(buf, size);
	if (!elf || elf_kind(elf) != ELF_K_ELF || elf_getshdrstrndx(elf, &shstrndx)) {
		core_log(log, log_size, "BTF: %s: not a valid ELF file: %s", path, elf_errmsg(-1));
		if (elf)
			elf_end(elf);
		errno = EINVAL;
		return NULL;
	}
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;
		const char *name;

		if (!gelf_getshdr(scn, &sh))
			continue;
		name = elf_strptr(elf, shstrndx, sh.sh_name);
		if (!name || strcmp(name, ".BTF"))
			continue;
		d = sh.sh_type == SHT_NOBITS ? NULL : elf_rawdata(scn, NULL);
		if (!d || !d->d_buf) {
			core_log(log, log_size, "BTF: %s: .BTF section has no readable data", path);
			errno = EINVAL;
			break;
		}
		btf = bpfrt_btf__parse(d->d_buf, d->d_size, log, log_size);
		break;
	}
	if (!scn) {
		core_log(log, log_size, "BTF: %s: no .BTF section", path);
		errno = ENOENT;
	}
	saved = errno;
	elf_end(elf);
	errno = saved;
	return btf;
}

struct bpfrt_btf *bpfrt_btf__load_file(const char *path, char *log, size_t log_size)
{
	static const unsigned char elf_magic[4] = { 0x7f, 'E', 'L', 'F' };
	struct bpfrt_btf *btf;
	size_t size = 0;
	uint16_t magic = 0;
	void *buf;
	int saved;

	if (!path) {
		core_log(log, log_size, "BTF: no file name");
		errno = EINVAL;
		return NULL;
	}
	buf = read_file(path, &size, log, log_size);
	if (!buf)
		return NULL;
	if (size >= 2)
		memcpy(&magic, buf, 2);
	if (magic == BTF_MAGIC || magic == 0x9feb)
		btf = bpfrt_btf__parse(buf, size, log, log_size);
	else if (size >= 4 && !memcmp(buf, elf_magic, 4))
		btf = parse_elf(path, buf, size, log, log_size);
	else {
		core_log(log, log_size, "BTF: %s is neither raw BTF nor an ELF file", path);
		errno = EINVAL;
		btf = NULL;
	}
	saved = errno;
	core_free(buf);
	errno = saved;
	return btf;
}

/* ---- look-ups ---- */

uint32_t bpfrt_btf__type_cnt(const struct bpfrt_btf *btf)
{
	return btf ? btf->cnt : 0;
}

const struct btf_type *bpfrt_btf__type_by_id(const struct bpfrt_btf *btf, uint32_t id)
{
	if (!btf || !id || id >= btf->cnt)
		return NULL;
	return type_at(btf, id);
}

const char *bpfrt_btf__str(const struct bpfrt_btf *btf, uint32_t offset)
{
	if (!btf || offset >= btf->strs_len)
		return NULL;
	return btf->strs + offset;
}

uint32_t bpfrt_btf__skip_mods_and_typedefs(const struct bpfrt_btf *btf, uint32_t id)
{
	if (!btf || id >= btf->cnt)
		return id;
	return btf->rid[id];
}

int64_t bpfrt_btf__resolve_size(const struct bpfrt_btf *btf, uint32_t id)
{
	if (!btf || !id || id >= btf->cnt || btf->rsize[id] == SIZE_NONE)
		return -EINVAL;
	return btf->rsize[id];
}

/* FNV-1a: short names, no need for anything stronger. */
static uint32_t name_hash(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

/*
 * Open addressing over (name, kind) pairs, each held once with its lowest
 * id: inserting in id order and skipping pairs already present keeps the
 * answer the one a linear scan would give, and keeps many same-named types
 * (type tags, say) from piling into one long probe run.
 */
static struct name_index *build_name_index(const struct bpfrt_btf *btf)
{
	struct name_index *idx;
	uint32_t named = 0, slots = 16;

	for (uint32_t id = 1; id < btf->cnt; id++)
		named += type_at(btf, id)->name_off != 0;
	while (slots < named * 2)
		slots *= 2;
	idx = core_calloc(1, sizeof(*idx) + (size_t)slots * sizeof(idx->slots[0]));
	if (!idx)
		return NULL;
	idx->mask = slots - 1;
	for (uint32_t id = 1; id < btf->cnt; id++) {
		const struct btf_type *t = type_at(btf, id);
		const char *name = btf->strs + t->name_off;
		uint32_t h;

		if (!t->name_off)
			continue;
		for (h = name_hash(name) & idx->mask; idx->slots[h]; h = (h + 1) & idx->mask) {
			const struct btf_type *o = type_at(btf, idx->slots[h]);

			if (kind_of(o) == kind_of(t) && !strcmp(btf->strs + o->name_off, name))
				break;
		}
		if (!idx->slots[h])
			idx->slots[h] = id;
	}
	return idx;
}

int bpfrt_btf__find_by_name_kind(const struct bpfrt_btf *btf, const char *name, int kind)
{
	struct name_index *idx, *expected = NULL;

	if (!btf || !name)
		return -EINVAL;
	if (kind == BTF_KIND_UNKN && !strcmp(name, "void"))
		return 0;
	if (!*name)
		return -ENOENT;
	/* built once, published atomically: concurrent readers are safe */
	idx = __atomic_load_n(&btf->names, __ATOMIC_ACQUIRE);
	if (!idx) {
		idx = build_name_index(btf);
		if (!idx) {
			for (uint32_t id = 1; id < btf->cnt; id++) {
				const struct btf_type *t = type_at(btf, id);

				if ((int)kind_of(t) == kind && !strcmp(btf->strs + t->name_off, name))
					return (int)id;
			}
			return -ENOENT;
		}
		if (!__atomic_compare_exchange_n(&((struct bpfrt_btf *)btf)->names, &expected, idx,
						 false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
			core_free(idx);
			idx = expected;
		}
	}
	for (uint32_t h = name_hash(name) & idx->mask; idx->slots[h]; h = (h + 1) & idx->mask) {
		const struct btf_type *t = type_at(btf, idx->slots[h]);

		if ((int)kind_of(t) == kind && !strcmp(btf->strs + t->name_off, name))
			return (int)idx->slots[h];
	}
	return -ENOENT;
}
