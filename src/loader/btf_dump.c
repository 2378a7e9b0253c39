/* SPDX-License-Identifier: MIT */
/*
 * BTF as C: bpfrt_btf__dump_c() prints every type as a declaration that a
 * C compiler accepts, in an order that compiles, and reproduces each
 * struct's layout (member offsets and size) with padding bitfields and
 * __attribute__((packed)) where the natural layout would differ.
 *
 * The dump works from the public look-ups only, on BTF that
 * bpfrt_btf__parse() validated: ids are in range, by-value references
 * have no cycles, modifiers skip in O(1).
 *
 * Order. Named structs, unions and enums, typedefs and forward
 * declarations are top-level items; a depth-first walk queues each after
 * the items it uses by value (a member `struct b x;` needs b defined; a
 * `struct b *p;` needs nothing, since C declares the tag on first use). A
 * typedef is queued after what its own definition needs, which for a named
 * struct is nothing: `typedef struct s t;` may precede `struct s { t *n; }`.
 * Anonymous structs, unions and enums are printed inline where used.
 * Function prototypes declare tags in their own scope, so a named struct
 * met there before it is declared gets a forward declaration first.
 *
 * Names. C has one namespace for struct/union/enum tags and one for
 * typedefs, enumerators, functions and variables; BTF (kernel BTF after
 * dedup in particular) may reuse a name for different types. Later uses
 * become name___2, name___3 (as bpftool does). FUNCs and VARs are never
 * renamed: one whose name is taken is printed as a comment instead.
 *
 * Output goes through the callback one top-level item per call. Nesting
 * is bounded (DUMP_MAX_DEPTH): deeper BTF is valid but not printable, and
 * the dump stops with -E2BIG rather than exhaust the stack.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfrt/btf.h"
#include "core/core.h"

const char *bpfrt_btf_kind_name(int kind)
{
	static const char *const names[NR_BTF_KINDS] = {
		[BTF_KIND_UNKN] = "unknown",
		[BTF_KIND_INT] = "int",
		[BTF_KIND_PTR] = "ptr",
		[BTF_KIND_ARRAY] = "array",
		[BTF_KIND_STRUCT] = "struct",
		[BTF_KIND_UNION] = "union",
		[BTF_KIND_ENUM] = "enum",
		[BTF_KIND_FWD] = "fwd",
		[BTF_KIND_TYPEDEF] = "typedef",
		[BTF_KIND_VOLATILE] = "volatile",
		[BTF_KIND_CONST] = "const",
		[BTF_KIND_RESTRICT] = "restrict",
		[BTF_KIND_FUNC] = "func",
		[BTF_KIND_FUNC_PROTO] = "func_proto",
		[BTF_KIND_VAR] = "var",
		[BTF_KIND_DATASEC] = "datasec",
		[BTF_KIND_FLOAT] = "float",
		[BTF_KIND_DECL_TAG] = "decl_tag",
		[BTF_KIND_TYPE_TAG] = "type_tag",
		[BTF_KIND_ENUM64] = "enum64",
	};

	if (kind < 0 || kind >= NR_BTF_KINDS)
		return "unknown";
	return names[kind];
}

#define DUMP_MAX_DEPTH 256 /* nested definitions and declarators */
#define DUMP_MAX_CHAIN 256 /* pointers, arrays, qualifiers in one declarator */

#include "loader/btf_dump_text.h"

/* ---- dump state ---- */

enum { ORDER_NONE, ORDER_VISITING, ORDER_DONE };
enum { EMIT_NONE, EMIT_DECLARED, EMIT_DEFINED };

struct tinfo {
	const char *name;    /* C name (tags and typedefs; owned by a nameset) */
	const char **enames; /* enumerator names, vlen of them */
	uint32_t canon;      /* fwd and empty enum: the full type of that name */
	uint32_t first_tag;  /* DECL_TAGs on this type, chained by next_tag */
	uint32_t last_tag;
	uint8_t order;
	uint8_t chain;       /* pointer/array/qualifier: walked (1: by pointer, 2: by value) */
	uint8_t emitted;     /* of canon; for anonymous enums: printed once */
	uint8_t inlining;    /* anonymous struct being printed (cycle guard) */
	uint8_t referenced;
	uint8_t align;       /* C alignment as printed, 0 = not computed yet */
	uint8_t packed;
};

struct dump {
	const struct bpfrt_btf *btf;
	bpfrt_btf_out_fn out;
	void *ctx;
	uint32_t cnt;
	struct tinfo *ti;
	uint32_t *next_tag;  /* DECL_TAG chains, by tag id */
	uint32_t *comp_next; /* the same tags regrouped by component */
	uint32_t *queue;
	uint32_t qlen;
	struct sbuf fwd;     /* forward declarations the current item needs */
	struct nameset tags, idents;
	int depth;
	int err;
};

static const struct btf_type *T(const struct dump *d, uint32_t id)
{
	return bpfrt_btf__type_by_id(d->btf, id);
}

static unsigned int kind_id(const struct dump *d, uint32_t id)
{
	return id ? BTF_INFO_KIND(T(d, id)->info) : BTF_KIND_UNKN;
}

static const char *name_of(const struct dump *d, uint32_t off)
{
	const char *s = bpfrt_btf__str(d->btf, off);

	return s ? s : "";
}

static uint32_t skip_mods(const struct dump *d, uint32_t id)
{
	return bpfrt_btf__skip_mods_and_typedefs(d->btf, id);
}

static bool depth_enter(struct dump *d)
{
	if (++d->depth > DUMP_MAX_DEPTH) {
		if (!d->err)
			d->err = -E2BIG;
		return false;
	}
	return true;
}

static void depth_leave(struct dump *d)
{
	d->depth--;
}

static void flush(struct dump *d, struct sbuf *b)
{
	if (b->oom && !d->err)
		d->err = -ENOMEM;
	if (d->fwd.len && !d->err) {
		d->out(d->ctx, d->fwd.p);
		d->fwd.len = 0;
		d->fwd.p[0] = '\0';
	}
	if (b->len && !d->err)
		d->out(d->ctx, b->p);
	b->len = 0;
	if (b->p)
		b->p[0] = '\0';
}

/* ---- base types as C spells them ---- */

static const struct int_name {
	const char *name;
	uint32_t size;
} int_names[] = {
	{ "_Bool", 1 }, { "char", 1 }, { "signed char", 1 }, { "unsigned char", 1 },
	{ "short", 2 }, { "short int", 2 }, { "unsigned short", 2 }, { "short unsigned int", 2 },
	{ "int", 4 }, { "signed int", 4 }, { "unsigned int", 4 }, { "unsigned", 4 },
	{ "long", 8 }, { "long int", 8 }, { "unsigned long", 8 }, { "long unsigned int", 8 },
	{ "long long", 8 }, { "long long int", 8 }, { "unsigned long long", 8 },
	{ "long long unsigned int", 8 }, { "__int128", 16 }, { "__int128 unsigned", 16 },
	{ "unsigned __int128", 16 },
};

/* The INT's own name if it is C, else a C type of the same size and sign. */
static const char *int_spelling(const struct dump *d, const struct btf_type *t)
{
	const char *name = name_of(d, t->name_off);
	uint32_t data;
	unsigned int enc;

	for (size_t i = 0; i < sizeof(int_names) / sizeof(int_names[0]); i++)
		if (int_names[i].size == t->size && !strcmp(int_names[i].name, name))
			return name;
	memcpy(&data, t + 1, sizeof(data));
	enc = BTF_INT_ENCODING(data);
	switch (t->size) {
	case 1:
		if (enc & BTF_INT_BOOL)
			return "_Bool";
		if (enc & BTF_INT_CHAR)
			return "char";
		return enc & BTF_INT_SIGNED ? "signed char" : "unsigned char";
	case 2:
		return enc & BTF_INT_SIGNED ? "short" : "unsigned short";
	case 4:
		return enc & BTF_INT_SIGNED ? "int" : "unsigned int";
	case 8:
		return enc & BTF_INT_SIGNED ? "long long" : "unsigned long long";
	default:
		return enc & BTF_INT_SIGNED ? "__int128" : "unsigned __int128";
	}
}

/* By size: BTF float names are free text, and C has one type per size. */
static const char *float_spelling(const struct btf_type *t)
{
	switch (t->size) {
	case 2:
		return "unsigned short /* _Float16 */"; /* not a type clang-14 has for x86 */
	case 4:
		return "float";
	case 8:
		return "double";
	default:
		return "long double";
	}
}

/* ---- enums ---- */

static bool enum_signed(const struct btf_type *t)
{
	return BTF_INFO_KFLAG(t->info);
}

static void enum_value(const struct btf_type *t, unsigned int i, int64_t *s, uint64_t *u)
{
	if (BTF_INFO_KIND(t->info) == BTF_KIND_ENUM) {
		const struct btf_enum *e = (const void *)(t + 1);

		*s = e[i].val;
		*u = (uint32_t)e[i].val;
	} else {
		const struct btf_enum64 *e = (const void *)(t + 1);

		*u = (uint64_t)e[i].val_hi32 << 32 | e[i].val_lo32;
		*s = (int64_t)*u;
	}
}

/*
 * Size of the enum as the compiler will make it: int or unsigned int when
 * the values fit, else 8 bytes; packed (BTF sizes 1 and 2): the smallest
 * type that holds them.
 */
static uint32_t enum_c_size(const struct btf_type *t)
{
	int64_t lo = 0, s;
	uint64_t hi = 0, u;
	bool sgn = enum_signed(t), neg = false;
	uint32_t size;

	for (unsigned int i = 0; i < BTF_INFO_VLEN(t->info); i++) {
		enum_value(t, i, &s, &u);
		if (sgn && s < 0) {
			neg = true;
			if (s < lo)
				lo = s;
		} else {
			if ((sgn ? (uint64_t)s : u) > hi)
				hi = sgn ? (uint64_t)s : u;
		}
	}
	for (size = t->size < 4 ? 1 : 4; size < 8; size *= 2) {
		unsigned int bits = size * 8;
		bool fits;

		if (neg)
			fits = lo >= -((int64_t)1 << (bits - 1)) && hi <= ((uint64_t)1 << (bits - 1)) - 1;
		else
			fits = hi <= ((uint64_t)1 << bits) - 1;
		if (fits)
			return size;
	}
	return 8;
}

static const char *int_of_size(uint32_t size, bool sgn)
{
	switch (size) {
	case 1:
		return sgn ? "signed char" : "unsigned char";
	case 2:
		return sgn ? "short" : "unsigned short";
	case 4:
		return sgn ? "int" : "unsigned int";
	default:
		return sgn ? "long long" : "unsigned long long";
	}
}

/* ---- layout ---- */

struct member_info {
	uint32_t off;  /* bit offset */
	uint32_t bits; /* bitfield width, 0 if not a bitfield */
};

static struct member_info member_info(const struct dump *d, const struct btf_type *t,
				      const struct btf_member *m)
{
	struct member_info mi = { m->offset, 0 };
	const struct btf_type *r;
	uint32_t data;

	if (BTF_INFO_KFLAG(t->info)) {
		mi.off = BTF_MEMBER_BIT_OFFSET(m->offset);
		mi.bits = BTF_MEMBER_BITFIELD_SIZE(m->offset);
		return mi;
	}
	/* the old encoding: an int narrower than its size is a bitfield */
	r = T(d, skip_mods(d, m->type));
	if (r && BTF_INFO_KIND(r->info) == BTF_KIND_INT) {
		memcpy(&data, r + 1, sizeof(data));
		if (BTF_INT_OFFSET(data) || BTF_INT_BITS(data) != r->size * 8) {
			mi.off += BTF_INT_OFFSET(data);
			mi.bits = BTF_INT_BITS(data);
		}
	}
	return mi;
}

/* Size in bytes of a type as printed (enums may differ from BTF). */
static uint64_t c_size(const struct dump *d, uint32_t id)
{
	uint32_t r = skip_mods(d, id);
	int64_t sz;

	if (r && (kind_id(d, r) == BTF_KIND_ENUM || kind_id(d, r) == BTF_KIND_ENUM64))
		return enum_c_size(T(d, r));
	sz = bpfrt_btf__resolve_size(d->btf, id);
	return sz < 0 ? 0 : (uint64_t)sz;
}

static uint32_t c_align(struct dump *d, uint32_t id);

/* Natural alignment of a struct or union and whether it must be packed. */
static void aggregate_layout(struct dump *d, uint32_t id)
{
	const struct btf_type *t = T(d, id);
	const struct btf_member *m = (const void *)(t + 1);
	struct tinfo *ti = &d->ti[id];
	uint32_t align = 1;
	bool packed = false;

	if (!depth_enter(d)) {
		ti->align = 1;
		depth_leave(d);
		return;
	}
	for (unsigned int i = 0; i < BTF_INFO_VLEN(t->info); i++) {
		uint32_t a = c_align(d, m[i].type);

		if (a > align)
			align = a;
	}
	if (t->size % align)
		packed = true;
	for (unsigned int i = 0; i < BTF_INFO_VLEN(t->info) && !packed; i++) {
		struct member_info mi = member_info(d, t, &m[i]);
		uint64_t a = (uint64_t)c_align(d, m[i].type) * 8;
		uint64_t unit = c_size(d, m[i].type) * 8;

		if (!mi.bits)
			packed = mi.off % a != 0;
		else if (unit)
			/* a bitfield may not straddle a unit of its type */
			packed = (mi.off % a) + mi.bits > unit;
	}
	ti->packed = packed;
	ti->align = (uint8_t)(packed ? 1 : align);
	depth_leave(d);
}

/* Alignment of a type as printed, under the x86-64 / BPF ABI. */
static uint32_t c_align(struct dump *d, uint32_t id)
{
	uint32_t r = skip_mods(d, id);
	const struct btf_type *t;

	/* arrays align as their element; skip nested arrays iteratively */
	while (r && kind_id(d, r) == BTF_KIND_ARRAY)
		r = skip_mods(d, ((const struct btf_array *)(T(d, r) + 1))->type);
	if (!r)
		return 1;
	t = T(d, r);
	switch (BTF_INFO_KIND(t->info)) {
	case BTF_KIND_INT:
	case BTF_KIND_FLOAT:
		return t->size == 12 ? 4 : (t->size > 8 ? 16 : t->size);
	case BTF_KIND_PTR:
		return 8;
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		return enum_c_size(t);
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		if (!d->ti[r].align)
			aggregate_layout(d, r);
		return d->ti[r].align;
	default:
		return 1;
	}
}

/* ---- declarations ---- */

static void emit_base(struct dump *d, struct sbuf *out, uint32_t id, int indent, bool ptr_follows);
static void emit_decl(struct dump *d, struct sbuf *out, uint32_t id, const char *name, int indent,
		      uint32_t func_id);

static const char *tag_keyword(const struct dump *d, uint32_t id)
{
	const struct btf_type *t = T(d, id);

	switch (BTF_INFO_KIND(t->info)) {
	case BTF_KIND_UNION:
		return "union";
	case BTF_KIND_FWD:
		return BTF_INFO_KFLAG(t->info) ? "union" : "struct";
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		return "enum";
	default:
		return "struct";
	}
}

/* A named tag used before its definition: declare it first. */
static void ensure_declared(struct dump *d, uint32_t id)
{
	struct tinfo *ti = &d->ti[d->ti[id].canon];

	if (ti->emitted != EMIT_NONE)
		return;
	sb_printf(&d->fwd, "%s %s;\n\n", tag_keyword(d, d->ti[id].canon), ti->name);
	ti->emitted = EMIT_DECLARED;
}

static void emit_tag(struct dump *d, struct sbuf *out, uint32_t tag)
{
	const struct btf_type *t = T(d, tag);

	if (BTF_INFO_KFLAG(t->info)) {
		/* a raw attribute: keep it, but where it cannot break the build */
		sb_puts(out, " /* __attribute__((");
		sb_comment_text(out, name_of(d, t->name_off));
		sb_puts(out, ")) */");
	} else {
		sb_puts(out, " __attribute__((btf_decl_tag(");
		sb_cstring(out, name_of(d, t->name_off));
		sb_puts(out, ")))");
	}
}

static int32_t tag_component(const struct dump *d, uint32_t tag)
{
	return ((const struct btf_decl_tag *)(T(d, tag) + 1))->component_idx;
}

/* The decl tags on type `id` itself (component -1), as attributes. */
static void emit_decl_tags(struct dump *d, struct sbuf *out, uint32_t id)
{
	for (uint32_t tag = d->ti[id].first_tag; tag; tag = d->next_tag[tag])
		if (tag_component(d, tag) == -1)
			emit_tag(d, out, tag);
}

/*
 * The decl tags on the n members (params) of `id`, grouped by component in
 * one pass: heads[i] starts member i's list in comp_next. NULL if none.
 */
static uint32_t *tag_buckets(struct dump *d, uint32_t id, unsigned int n)
{
	uint32_t *heads, *tails;

	if (!d->ti[id].first_tag || !n)
		return NULL;
	heads = core_calloc((size_t)n * 2, sizeof(*heads));
	if (!heads) {
		d->err = -ENOMEM;
		return NULL;
	}
	tails = heads + n;
	for (uint32_t tag = d->ti[id].first_tag; tag; tag = d->next_tag[tag]) {
		int32_t c = tag_component(d, tag);

		if (c < 0 || (uint32_t)c >= n)
			continue;
		d->comp_next[tag] = 0;
		if (tails[c])
			d->comp_next[tails[c]] = tag;
		else
			heads[c] = tag;
		tails[c] = tag;
	}
	return heads;
}

static void emit_tag_list(struct dump *d, struct sbuf *out, const uint32_t *heads, unsigned int i)
{
	for (uint32_t tag = heads ? heads[i] : 0; tag; tag = d->comp_next[tag])
		emit_tag(d, out, tag);
}

/* Parameter names of a FUNC's prototype: all valid and distinct, or none. */
static bool params_nameable(const struct dump *d, const struct btf_type *proto)
{
	const struct btf_param *a = (const void *)(proto + 1);
	unsigned int n = BTF_INFO_VLEN(proto->info);
	char b1[128], b2[128];

	if (n > 64) /* the check below is quadratic; nobody needs more */
		return false;
	for (unsigned int i = 0; i < n; i++) {
		if (!a[i].type)
			continue;
		if (!a[i].name_off)
			return false;
		c_ident(name_of(d, a[i].name_off), b1, sizeof(b1), NULL);
		for (unsigned int j = 0; j < i; j++)
			if (a[j].type && !strcmp(b1, c_ident(name_of(d, a[j].name_off), b2, sizeof(b2), NULL)))
				return false;
	}
	return true;
}

static void emit_params(struct dump *d, struct sbuf *out, uint32_t proto_id, int indent, uint32_t func_id)
{
	const struct btf_type *t = T(d, proto_id);
	const struct btf_param *a = (const void *)(t + 1);
	unsigned int n = BTF_INFO_VLEN(t->info);
	bool named = func_id && params_nameable(d, t);
	uint32_t *tags = func_id ? tag_buckets(d, func_id, n) : NULL;
	char buf[128];

	if (!n) {
		sb_puts(out, "(void)");
		return;
	}
	if (n == 1 && !a[0].type) {
		/* "..." alone is not C before C23: an unprototyped list takes anything */
		sb_puts(out, "()");
		core_free(tags);
		return;
	}
	sb_puts(out, "(");
	for (unsigned int i = 0; i < n; i++) {
		if (i)
			sb_puts(out, ", ");
		if (!a[i].type) {
			sb_puts(out, "...");
			continue;
		}
		emit_decl(d, out, a[i].type, named ? c_ident(name_of(d, a[i].name_off), buf, sizeof(buf), NULL) : "",
			  indent, 0);
		emit_tag_list(d, out, tags, i);
	}
	sb_puts(out, ")");
	core_free(tags);
}

#define QUAL_CONST    0x1
#define QUAL_VOLATILE 0x2
#define QUAL_RESTRICT 0x4

static bool is_qual_or_tag(unsigned int k)
{
	return k == BTF_KIND_CONST || k == BTF_KIND_VOLATILE || k == BTF_KIND_RESTRICT ||
	       k == BTF_KIND_TYPE_TAG;
}

static void prepend_quals(struct sbuf *inner, unsigned int q)
{
	if (q & QUAL_RESTRICT)
		sb_prepend(inner, "restrict ");
	if (q & QUAL_VOLATILE)
		sb_prepend(inner, "volatile ");
	if (q & QUAL_CONST)
		sb_prepend(inner, "const ");
}

/* `(inner)`: a pointer declarator takes parentheses before [] or (). */
static void wrap_pointer(struct sbuf *inner, bool *ptr)
{
	if (*ptr) {
		sb_prepend(inner, "(");
		sb_puts(inner, ")");
		*ptr = false;
	}
}

/*
 * Append a declaration of `name` with type `id` ("int (*name)[4]"). The
 * declarator grows inside-out in `inner` while the type chain is walked
 * from the outside in; the base type is printed last, in front. func_id:
 * a FUNC whose prototype this is (parameter names and tags).
 *
 * Qualifiers on an array qualify its elements in C, so they wait
 * (`pending`) until the element type; qualifiers on a function type have
 * no C spelling and are dropped.
 */
static void emit_decl(struct dump *d, struct sbuf *out, uint32_t id, const char *name, int indent,
		      uint32_t func_id)
{
	struct sbuf inner = { 0 };
	unsigned int pending = 0, steps = 0;
	bool ptr = false; /* inner is a pointer declarator */

	if (!depth_enter(d)) {
		sb_puts(out, "void");
		depth_leave(d);
		return;
	}
	sb_puts(&inner, name);
	for (;;) {
		const struct btf_type *t = id ? T(d, id) : NULL;
		unsigned int k = kind_id(d, id);

		if (++steps > DUMP_MAX_CHAIN) {
			if (!d->err)
				d->err = -E2BIG;
			id = 0;
			break;
		}
		if (pending && k != BTF_KIND_ARRAY && !is_qual_or_tag(k)) {
			prepend_quals(&inner, pending);
			pending = 0;
		}
		if (k == BTF_KIND_PTR) {
			sb_prepend(&inner, "*");
			ptr = true;
			id = t->type;
		} else if (is_qual_or_tag(k)) {
			struct sbuf attrs = { 0 };
			unsigned int q = 0;

			/* take the whole run at once: long runs stay linear */
			for (; is_qual_or_tag(k) && steps <= DUMP_MAX_CHAIN; steps++) {
				if (k == BTF_KIND_TYPE_TAG && BTF_INFO_KFLAG(t->info)) {
					sb_puts(&attrs, "/* __attribute__((");
					sb_comment_text(&attrs, name_of(d, t->name_off));
					sb_puts(&attrs, ")) */ ");
				} else if (k == BTF_KIND_TYPE_TAG) {
					sb_puts(&attrs, "__attribute__((btf_type_tag(");
					sb_cstring(&attrs, name_of(d, t->name_off));
					sb_puts(&attrs, "))) ");
				} else {
					q |= k == BTF_KIND_CONST ? QUAL_CONST :
					     k == BTF_KIND_VOLATILE ? QUAL_VOLATILE : QUAL_RESTRICT;
				}
				id = t->type;
				k = kind_id(d, id);
				t = id ? T(d, id) : NULL;
			}
			if (attrs.oom)
				inner.oom = true;
			else if (attrs.len)
				sb_prepend(&inner, attrs.p);
			sb_free(&attrs);
			if (k == BTF_KIND_ARRAY)
				pending |= q;
			else if (k != BTF_KIND_FUNC_PROTO)
				prepend_quals(&inner, q & ~pending);
		} else if (k == BTF_KIND_ARRAY) {
			const struct btf_array *arr = (const void *)(t + 1);

			wrap_pointer(&inner, &ptr);
			sb_printf(&inner, "[%u]", arr->nelems);
			id = arr->type;
		} else if (k == BTF_KIND_FUNC_PROTO) {
			wrap_pointer(&inner, &ptr);
			emit_params(d, &inner, id, indent, func_id);
			func_id = 0;
			id = t->type;
		} else {
			break;
		}
	}
	emit_base(d, out, id, indent, inner.len && inner.p[0] == '*');
	if (inner.len) {
		sb_puts(out, " ");
		sb_add(out, inner.p, inner.len);
	}
	if (inner.oom)
		out->oom = true;
	sb_free(&inner);
	depth_leave(d);
}

/*
 * Padding that moves the layout from `from` to `to` (bits): anonymous
 * bitfields, each placed exactly where the previous ended; a gap of 64
 * bytes or more becomes one byte array, so that output stays proportional
 * to the BTF even for a struct whose size is mostly hole.
 */
static void emit_padding(struct sbuf *out, uint64_t from, uint64_t to, int indent)
{
	while (from < to) {
		uint64_t gap = to - from, n;
		const char *ty;

		if (from % 8) {
			n = 8 - from % 8 < gap ? 8 - from % 8 : gap;
			ty = "char";
		} else if (gap >= 64 * 8) {
			sb_indent(out, indent);
			sb_printf(out, "char __pad_at_%" PRIu64 "[%" PRIu64 "];\n", from / 8, gap / 8);
			from += gap / 8 * 8;
			continue;
		} else if (gap >= 64 && from % 64 == 0) {
			n = 64;
			ty = "long";
		} else if (gap >= 32 && from % 32 == 0) {
			n = 32;
			ty = "int";
		} else if (gap >= 16 && from % 16 == 0) {
			n = 16;
			ty = "short";
		} else {
			n = gap < 8 ? gap : 8;
			ty = "char";
		}
		sb_indent(out, indent);
		sb_printf(out, "%s: %" PRIu64 ";\n", ty, n);
		from += n;
	}
}

static void emit_members(struct dump *d, struct sbuf *out, uint32_t id, int indent)
{
	const struct btf_type *t = T(d, id);
	const struct btf_member *m = (const void *)(t + 1);
	bool is_union = BTF_INFO_KIND(t->info) == BTF_KIND_UNION;
	uint32_t *tags = tag_buckets(d, id, BTF_INFO_VLEN(t->info));
	bool packed;
	uint64_t cur = 0, end, a_all;
	char buf[128];

	c_align(d, id);
	packed = d->ti[id].packed;
	a_all = (uint64_t)d->ti[id].align * 8;
	for (unsigned int i = 0; i < BTF_INFO_VLEN(t->info); i++) {
		struct member_info mi = member_info(d, t, &m[i]);
		uint64_t a = (uint64_t)c_align(d, m[i].type) * 8, sz = c_size(d, m[i].type) * 8, place;

		if (!is_union) {
			if (mi.bits)
				place = packed || (cur % a) + mi.bits <= sz ? cur : (cur + a - 1) / a * a;
			else
				place = packed ? (cur + 7) / 8 * 8 : (cur + a - 1) / a * a;
			if (mi.off > place)
				emit_padding(out, cur, mi.off, indent + 1);
			cur = mi.off + (mi.bits ? mi.bits : sz);
		}
		sb_indent(out, indent + 1);
		emit_decl(d, out, m[i].type,
			  m[i].name_off ? c_ident(name_of(d, m[i].name_off), buf, sizeof(buf), NULL) : "",
			  indent + 1, 0);
		if (mi.bits)
			sb_printf(out, ": %u", mi.bits);
		emit_tag_list(d, out, tags, i);
		sb_puts(out, ";\n");
	}
	core_free(tags);
	end = (uint64_t)t->size * 8;
	if (!is_union && (cur + a_all - 1) / a_all * a_all < end)
		emit_padding(out, cur, end, indent + 1);
}

/* "struct name { ... }" (no ';'); anonymous ones are printed where used. */
static void emit_struct_def(struct dump *d, struct sbuf *out, uint32_t id, int indent)
{
	const struct btf_type *t = T(d, id);
	struct tinfo *ti = &d->ti[id];

	if (t->name_off) {
		sb_printf(out, "%s %s {\n", tag_keyword(d, id), ti->name);
		/* the tag is in scope inside its own body */
		if (d->ti[ti->canon].emitted == EMIT_NONE)
			d->ti[ti->canon].emitted = EMIT_DECLARED;
	} else {
		sb_printf(out, "%s {\n", tag_keyword(d, id));
	}
	ti->inlining = 1;
	if (BTF_INFO_VLEN(t->info) || t->size)
		emit_members(d, out, id, indent);
	ti->inlining = 0;
	sb_indent(out, indent);
	sb_puts(out, "}");
	if (ti->packed)
		sb_puts(out, " __attribute__((packed))");
	emit_decl_tags(d, out, id);
	if (t->name_off)
		d->ti[ti->canon].emitted = EMIT_DEFINED;
}

static void emit_enum_def(struct dump *d, struct sbuf *out, uint32_t id, int indent)
{
	const struct btf_type *t = T(d, id);
	struct tinfo *ti = &d->ti[id];
	bool sgn = enum_signed(t);

	if (t->name_off)
		sb_printf(out, "enum %s {\n", ti->name);
	else
		sb_puts(out, "enum {\n");
	for (unsigned int i = 0; i < BTF_INFO_VLEN(t->info); i++) {
		int64_t s;
		uint64_t u;

		enum_value(t, i, &s, &u);
		sb_indent(out, indent + 1);
		if (sgn && s == INT64_MIN)
			sb_printf(out, "%s = (-9223372036854775807LL - 1),\n", ti->enames[i]);
		else if (sgn)
			sb_printf(out, "%s = %" PRId64 ",\n", ti->enames[i], s);
		else if (u > INT64_MAX)
			sb_printf(out, "%s = %" PRIu64 "ULL,\n", ti->enames[i], u);
		else
			sb_printf(out, "%s = %" PRIu64 ",\n", ti->enames[i], u);
	}
	sb_indent(out, indent);
	sb_puts(out, "}");
	if (t->size < 4)
		sb_puts(out, " __attribute__((packed))");
	ti->emitted = EMIT_DEFINED;
}

/* The type a declarator is applied to: a name, or an inline definition. */
static void emit_base(struct dump *d, struct sbuf *out, uint32_t id, int indent, bool ptr_follows)
{
	const struct btf_type *t;
	struct tinfo *ti;

	if (!id) {
		sb_puts(out, "void");
		return;
	}
	t = T(d, id);
	ti = &d->ti[id];
	switch (BTF_INFO_KIND(t->info)) {
	case BTF_KIND_INT:
		sb_puts(out, int_spelling(d, t));
		return;
	case BTF_KIND_FLOAT:
		sb_puts(out, float_spelling(t));
		return;
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		if (t->name_off) {
			ensure_declared(d, id);
			sb_printf(out, "%s %s", tag_keyword(d, id), ti->name);
		} else if (ti->inlining) {
			/* only a pointer can lead back into an anonymous type */
			sb_printf(out, "void /* anonymous %s [%u] */", tag_keyword(d, id), id);
		} else {
			emit_struct_def(d, out, id, indent);
		}
		return;
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		if (t->name_off) {
			ensure_declared(d, id);
			sb_printf(out, "enum %s", ti->name);
		} else if (ti->emitted || !BTF_INFO_VLEN(t->info)) {
			/* enumerators may be defined once: later uses get the int type */
			sb_printf(out, "%s /* enum [%u] */", int_of_size(enum_c_size(t), enum_signed(t)), id);
		} else {
			emit_enum_def(d, out, id, indent);
		}
		return;
	case BTF_KIND_FWD:
		ensure_declared(d, id);
		sb_printf(out, "%s %s", tag_keyword(d, id), d->ti[ti->canon].name);
		return;
	case BTF_KIND_TYPEDEF:
		if (ti->emitted == EMIT_DEFINED) {
			sb_puts(out, ti->name);
		} else {
			/* a typedef reached through its own definition (not valid C) */
			sb_printf(out, "void %s/* %s */", ptr_follows ? "" : "* ", ti->name);
		}
		return;
	default:
		sb_printf(out, "void /* [%u] %s */", id, bpfrt_btf_kind_name((int)BTF_INFO_KIND(t->info)));
		return;
	}
}

/* ---- ordering ---- */

static void enqueue(struct dump *d, uint32_t id)
{
	d->queue[d->qlen++] = id;
}

/*
 * Queue `id` and what it needs. need_def: the user holds it by value, so a
 * named aggregate must be complete before the user.
 */
static void order(struct dump *d, uint32_t id, bool need_def)
{
	const struct btf_type *t;
	struct tinfo *ti;

	if (d->err || !depth_enter(d))
		goto out;
	/*
	 * Walk pointer, array and qualifier chains without recursing, each
	 * node at most once per need_def: shared chains stay linear.
	 */
	for (;;) {
		unsigned int k = kind_id(d, id);
		uint8_t bit = need_def ? 2 : 1;

		if (k != BTF_KIND_PTR && k != BTF_KIND_ARRAY && !is_qual_or_tag(k))
			break;
		if (d->ti[id].chain & bit)
			goto out;
		d->ti[id].chain |= bit;
		if (k == BTF_KIND_PTR)
			need_def = false;
		else if (k == BTF_KIND_ARRAY)
			need_def = true; /* C has no arrays of incomplete types */
		id = k == BTF_KIND_ARRAY ? ((const struct btf_array *)(T(d, id) + 1))->type : T(d, id)->type;
	}
	if (!id)
		goto out;
	t = T(d, id);
	ti = &d->ti[id];
	switch (BTF_INFO_KIND(t->info)) {
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION: {
		const struct btf_member *m = (const void *)(t + 1);

		if (t->name_off && !need_def)
			break;
		if (ti->order != ORDER_NONE)
			break;
		ti->order = ORDER_VISITING;
		for (unsigned int i = 0; i < BTF_INFO_VLEN(t->info); i++)
			order(d, m[i].type, true);
		ti->order = ORDER_DONE;
		if (t->name_off)
			enqueue(d, id);
		break;
	}
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
	case BTF_KIND_FWD:
		if (t->name_off && ti->order == ORDER_NONE) {
			ti->order = ORDER_DONE;
			enqueue(d, id);
		}
		break;
	case BTF_KIND_TYPEDEF:
		if (ti->order == ORDER_NONE) {
			ti->order = ORDER_VISITING;
			order(d, t->type, false);
			ti->order = ORDER_DONE;
			enqueue(d, id);
		}
		if (need_def && ti->order == ORDER_DONE)
			order(d, t->type, true);
		break;
	case BTF_KIND_FUNC_PROTO: {
		const struct btf_param *a = (const void *)(t + 1);

		order(d, t->type, false);
		for (unsigned int i = 0; i < BTF_INFO_VLEN(t->info); i++)
			order(d, a[i].type, false);
		break;
	}
	default:
		break;
	}
out:
	depth_leave(d);
}

/* ---- setup: names, tags, references ---- */

static bool is_fwd_like(const struct btf_type *t)
{
	unsigned int k = BTF_INFO_KIND(t->info);

	return k == BTF_KIND_FWD || ((k == BTF_KIND_ENUM || k == BTF_KIND_ENUM64) && !BTF_INFO_VLEN(t->info));
}

static int assign_names(struct dump *d)
{
	char buf[600];

	for (size_t i = 0; i < sizeof(reserved_names) / sizeof(reserved_names[0]); i++)
		if (!ns_add(&d->tags, reserved_names[i]) || !ns_add(&d->idents, reserved_names[i]))
			return -ENOMEM;
	/* tags of full definitions first, so forward declarations can share them */
	for (uint32_t id = 1; id < d->cnt; id++) {
		const struct btf_type *t = T(d, id);
		unsigned int k = BTF_INFO_KIND(t->info);

		d->ti[id].canon = id;
		if (!t->name_off || is_fwd_like(t) ||
		    (k != BTF_KIND_STRUCT && k != BTF_KIND_UNION && k != BTF_KIND_ENUM && k != BTF_KIND_ENUM64))
			continue;
		d->ti[id].name = ns_unique(&d->tags, c_ident(name_of(d, t->name_off), buf, sizeof(buf), NULL));
		if (!d->ti[id].name)
			return -ENOMEM;
	}
	for (uint32_t id = 1; id < d->cnt; id++) {
		const struct btf_type *t = T(d, id);
		const char *kw;
		int found;

		if (!t->name_off || !is_fwd_like(t))
			continue;
		kw = tag_keyword(d, id);
		found = bpfrt_btf__find_by_name_kind(d->btf, name_of(d, t->name_off),
						     !strcmp(kw, "union") ? BTF_KIND_UNION :
						     !strcmp(kw, "enum") ? BTF_KIND_ENUM : BTF_KIND_STRUCT);
		if (found > 0 && !is_fwd_like(T(d, (uint32_t)found))) {
			d->ti[id].canon = (uint32_t)found;
			d->ti[id].name = d->ti[found].name;
			continue;
		}
		d->ti[id].name = ns_unique(&d->tags, c_ident(name_of(d, t->name_off), buf, sizeof(buf), NULL));
		if (!d->ti[id].name)
			return -ENOMEM;
	}
	/* ordinary identifiers: typedefs and enumerators, in id order */
	for (uint32_t id = 1; id < d->cnt; id++) {
		const struct btf_type *t = T(d, id);
		unsigned int k = BTF_INFO_KIND(t->info), n = BTF_INFO_VLEN(t->info);

		if (k == BTF_KIND_TYPEDEF) {
			d->ti[id].name = ns_unique(&d->idents, c_ident(name_of(d, t->name_off), buf, sizeof(buf), NULL));
			if (!d->ti[id].name)
				return -ENOMEM;
		} else if ((k == BTF_KIND_ENUM || k == BTF_KIND_ENUM64) && n) {
			size_t esz = k == BTF_KIND_ENUM ? sizeof(struct btf_enum) : sizeof(struct btf_enum64);

			d->ti[id].enames = core_calloc(n, sizeof(char *));
			if (!d->ti[id].enames)
				return -ENOMEM;
			for (unsigned int i = 0; i < n; i++) {
				uint32_t off;

				memcpy(&off, (const char *)(t + 1) + i * esz, sizeof(off));
				d->ti[id].enames[i] = ns_unique(&d->idents, c_ident(name_of(d, off), buf, sizeof(buf), NULL));
				if (!d->ti[id].enames[i])
					return -ENOMEM;
			}
		}
	}
	return 0;
}

/* Note which types something refers to, and chain decl tags to their targets. */
static void scan_refs(struct dump *d)
{
	for (uint32_t id = 1; id < d->cnt; id++) {
		const struct btf_type *t = T(d, id);
		unsigned int n = BTF_INFO_VLEN(t->info);

		switch (BTF_INFO_KIND(t->info)) {
		case BTF_KIND_PTR:
		case BTF_KIND_TYPEDEF:
		case BTF_KIND_VOLATILE:
		case BTF_KIND_CONST:
		case BTF_KIND_RESTRICT:
		case BTF_KIND_TYPE_TAG:
		case BTF_KIND_FUNC:
		case BTF_KIND_VAR:
			d->ti[t->type].referenced = 1;
			break;
		case BTF_KIND_ARRAY:
			d->ti[((const struct btf_array *)(t + 1))->type].referenced = 1;
			break;
		case BTF_KIND_STRUCT:
		case BTF_KIND_UNION:
			for (unsigned int i = 0; i < n; i++)
				d->ti[((const struct btf_member *)(t + 1))[i].type].referenced = 1;
			break;
		case BTF_KIND_FUNC_PROTO:
			d->ti[t->type].referenced = 1;
			for (unsigned int i = 0; i < n; i++)
				d->ti[((const struct btf_param *)(t + 1))[i].type].referenced = 1;
			break;
		case BTF_KIND_DECL_TAG: {
			/* append, so tags print in id order */
			struct tinfo *target = &d->ti[t->type];

			if (target->last_tag)
				d->next_tag[target->last_tag] = id;
			else
				target->first_tag = id;
			target->last_tag = id;
			break;
		}
		default:
			break;
		}
	}
}

/* ---- top-level items ---- */

static void emit_item(struct dump *d, struct sbuf *out, uint32_t id)
{
	const struct btf_type *t = T(d, id);
	struct tinfo *ti = &d->ti[id];

	switch (BTF_INFO_KIND(t->info)) {
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		emit_struct_def(d, out, id, 0);
		sb_puts(out, ";\n\n");
		break;
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		if (!BTF_INFO_VLEN(t->info)) {
			if (d->ti[ti->canon].emitted == EMIT_NONE && t->name_off) {
				sb_printf(out, "enum %s;\n\n", ti->name);
				d->ti[ti->canon].emitted = EMIT_DECLARED;
			}
			break;
		}
		emit_enum_def(d, out, id, 0);
		sb_puts(out, ";\n\n");
		if (t->name_off)
			d->ti[ti->canon].emitted = EMIT_DEFINED;
		break;
	case BTF_KIND_FWD:
		if (d->ti[ti->canon].emitted == EMIT_NONE) {
			sb_printf(out, "%s %s;\n\n", tag_keyword(d, id), ti->name);
			d->ti[ti->canon].emitted = EMIT_DECLARED;
		}
		break;
	case BTF_KIND_TYPEDEF:
		sb_puts(out, "typedef ");
		emit_decl(d, out, t->type, ti->name, 0, 0);
		emit_decl_tags(d, out, id);
		sb_puts(out, ";\n\n");
		ti->emitted = EMIT_DEFINED;
		break;
	default:
		break;
	}
}

/* A FUNC or VAR as a declaration, or as a comment if C cannot name it. */
static void emit_symbol(struct dump *d, struct sbuf *out, uint32_t id)
{
	const struct btf_type *t = T(d, id);
	bool is_func = BTF_INFO_KIND(t->info) == BTF_KIND_FUNC;
	const char *raw = name_of(d, t->name_off);
	unsigned int linkage = is_func ? BTF_INFO_VLEN(t->info) : ((const struct btf_var *)(t + 1))->linkage;
	const char *storage = linkage == 0 ? "static " : linkage == 2 || is_func ? "extern " : "";
	struct sbuf decl = { 0 };
	char buf[600];
	bool changed;

	/* only an extern object may have an incomplete type (typeless ksyms) */
	if (!is_func && bpfrt_btf__resolve_size(d->btf, t->type) < 0)
		storage = "extern ";

	c_ident(raw, buf, sizeof(buf), &changed);
	sb_puts(&decl, storage);
	emit_decl(d, &decl, t->type, buf, 0, is_func ? id : 0);
	emit_decl_tags(d, &decl, id);
	if (decl.oom)
		out->oom = true;
	else if (!changed && !ns_has(&d->idents, buf) && ns_add(&d->idents, buf))
		sb_printf(out, "%s;\n\n", decl.p);
	else {
		sb_printf(out, "/* %s '", is_func ? "FUNC" : "VAR");
		sb_comment_text(out, raw);
		sb_puts(out, "' (its name is taken or not C): ");
		sb_comment_text(out, decl.p);
		sb_puts(out, "; */\n\n");
	}
	sb_free(&decl);
}

static void emit_datasec(struct dump *d, struct sbuf *out, uint32_t id)
{
	const struct btf_type *t = T(d, id);
	const struct btf_var_secinfo *v = (const void *)(t + 1);

	sb_puts(out, "/* section ");
	sb_comment_text(out, name_of(d, t->name_off));
	sb_printf(out, " (size %u):\n", t->size);
	for (unsigned int i = 0; i < BTF_INFO_VLEN(t->info); i++) {
		sb_printf(out, " *   offset %u, size %u: %s ", v[i].offset, v[i].size,
			  kind_id(d, v[i].type) == BTF_KIND_FUNC ? "func" : "var");
		sb_comment_text(out, name_of(d, T(d, v[i].type)->name_off));
		sb_puts(out, "\n");
	}
	sb_puts(out, " */\n\n");
}

int bpfrt_btf__dump_c(const struct bpfrt_btf *btf, bpfrt_btf_out_fn out, void *ctx)
{
	struct dump d = { .btf = btf, .out = out, .ctx = ctx };
	struct sbuf item = { 0 };
	int err;

	if (!btf || !out)
		return -EINVAL;
	d.cnt = bpfrt_btf__type_cnt(btf);
	d.ti = core_calloc(d.cnt, sizeof(*d.ti));
	d.next_tag = core_calloc(d.cnt, sizeof(*d.next_tag));
	d.comp_next = core_calloc(d.cnt, sizeof(*d.comp_next));
	d.queue = core_calloc(d.cnt, sizeof(*d.queue));
	if (!d.ti || !d.next_tag || !d.comp_next || !d.queue) {
		d.err = -ENOMEM;
		goto out;
	}
	d.err = assign_names(&d);
	if (d.err)
		goto out;
	scan_refs(&d);

	for (uint32_t id = 1; id < d.cnt && !d.err; id++) {
		const struct btf_type *t = T(&d, id);
		unsigned int k = BTF_INFO_KIND(t->info);

		switch (k) {
		case BTF_KIND_STRUCT:
		case BTF_KIND_UNION:
		case BTF_KIND_FWD:
			if (t->name_off)
				order(&d, id, true);
			break;
		case BTF_KIND_ENUM:
		case BTF_KIND_ENUM64:
			if (t->name_off)
				order(&d, id, true);
			else if (!d.ti[id].referenced && BTF_INFO_VLEN(t->info))
				enqueue(&d, id); /* `enum { A, B };`: constants only */
			break;
		case BTF_KIND_TYPEDEF:
			order(&d, id, false);
			break;
		default:
			break;
		}
	}
	for (uint32_t i = 0; i < d.qlen && !d.err; i++) {
		emit_item(&d, &item, d.queue[i]);
		flush(&d, &item);
	}
	for (uint32_t id = 1; id < d.cnt && !d.err; id++) {
		unsigned int k = kind_id(&d, id);

		if (k == BTF_KIND_FUNC || k == BTF_KIND_VAR)
			emit_symbol(&d, &item, id);
		else if (k == BTF_KIND_DATASEC)
			emit_datasec(&d, &item, id);
		else
			continue;
		flush(&d, &item);
	}
out:
	err = d.err;
	if (err == -E2BIG)
		out(ctx, "/* bpfrt: types nest deeper than the dump allows; output is incomplete */\n");
	for (uint32_t id = 1; d.ti && id < d.cnt; id++)
		core_free(d.ti[id].enames);
	ns_free(&d.tags);
	ns_free(&d.idents);
	sb_free(&item);
	sb_free(&d.fwd);
	core_free(d.ti);
	core_free(d.next_tag);
	core_free(d.comp_next);
	core_free(d.queue);
	return err;
}
