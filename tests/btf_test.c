/* SPDX-License-Identifier: MIT */
/*
 * BTF and .BTF.ext: parsing, validation messages, look-ups, the C dump.
 *
 * BTF blobs are built here by hand (struct bb, a few lines per kind), so
 * the tests depend on no compiler and no object corpus. Malformed input is
 * a table of (build, patch, expected message); random mutations of valid
 * blobs must never crash (run under `make asan` to make that mean
 * something). The dump is compiled with clang when it is installed, with
 * _Static_asserts of every struct's size and member offsets appended, and
 * /sys/kernel/btf/vmlinux is parsed, looked up and dumped when present.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <linux/bpf.h>

#include "bpfrt/btf.h"
#include "harness.h"
#include "loader/btf_ext.h"

/* ---- a tiny BTF builder ---- */

struct bb {
	uint32_t *t;       /* type section, in words */
	size_t tn, tcap;
	char *s;           /* string section */
	size_t sn, scap;
	uint32_t nr;       /* types added */
	size_t last;       /* word index of the last type's first word */
};

static void bb_w(struct bb *b, uint32_t v)
{
	if (b->tn == b->tcap) {
		b->tcap = b->tcap ? b->tcap * 2 : 256;
		b->t = realloc(b->t, b->tcap * sizeof(*b->t));
		if (!b->t)
			abort();
	}
	b->t[b->tn++] = v;
}

static uint32_t bb_str(struct bb *b, const char *str)
{
	size_t n, off;

	if (!str || !*str)
		return 0;
	n = strlen(str) + 1;
	if (b->sn + n > b->scap) {
		while (b->sn + n > b->scap)
			b->scap = b->scap ? b->scap * 2 : 256;
		b->s = realloc(b->s, b->scap);
		if (!b->s)
			abort();
	}
	off = b->sn;
	memcpy(b->s + off, str, n);
	b->sn += n;
	return (uint32_t)off;
}

static void bb_init(struct bb *b)
{
	memset(b, 0, sizeof(*b));
	b->s = calloc(1, 256);
	b->scap = 256;
	b->sn = 1; /* "" */
}

static void bb_free(struct bb *b)
{
	free(b->t);
	free(b->s);
}

static uint32_t bb_add(struct bb *b, const char *name, unsigned int kind, unsigned int kflag,
		       unsigned int vlen, uint32_t size_or_type)
{
	uint32_t no = bb_str(b, name);

	b->last = b->tn;
	bb_w(b, no);
	bb_w(b, (kind << 24) | (kflag << 31) | vlen);
	bb_w(b, size_or_type);
	return ++b->nr;
}

static void bb_vlen_inc(struct bb *b)
{
	b->t[b->last + 1]++;
}

static uint32_t bb_int(struct bb *b, const char *name, uint32_t size, uint32_t enc, uint32_t bits)
{
	uint32_t id = bb_add(b, name, BTF_KIND_INT, 0, 0, size);

	bb_w(b, (enc << 24) | bits);
	return id;
}

static uint32_t bb_ref(struct bb *b, unsigned int kind, const char *name, uint32_t type)
{
	return bb_add(b, name, kind, 0, 0, type);
}

static uint32_t bb_array(struct bb *b, uint32_t elem, uint32_t index, uint32_t n)
{
	uint32_t id = bb_add(b, NULL, BTF_KIND_ARRAY, 0, 0, 0);

	bb_w(b, elem);
	bb_w(b, index);
	bb_w(b, n);
	return id;
}

static uint32_t bb_struct(struct bb *b, unsigned int kind, const char *name, uint32_t size, unsigned int kflag)
{
	return bb_add(b, name, kind, kflag, 0, size);
}

/* off: bit offset; with kflag, (bitfield size << 24) | bit offset */
static void bb_member(struct bb *b, const char *name, uint32_t type, uint32_t off)
{
	bb_w(b, bb_str(b, name));
	bb_w(b, type);
	bb_w(b, off);
	bb_vlen_inc(b);
}

static void bb_enumerator(struct bb *b, const char *name, int32_t val)
{
	bb_w(b, bb_str(b, name));
	bb_w(b, (uint32_t)val);
	bb_vlen_inc(b);
}

static void bb_enum64_val(struct bb *b, const char *name, uint64_t val)
{
	bb_w(b, bb_str(b, name));
	bb_w(b, (uint32_t)val);
	bb_w(b, (uint32_t)(val >> 32));
	bb_vlen_inc(b);
}

static void bb_param(struct bb *b, const char *name, uint32_t type)
{
	bb_w(b, bb_str(b, name));
	bb_w(b, type);
	bb_vlen_inc(b);
}

static uint32_t bb_func(struct bb *b, const char *name, uint32_t proto, unsigned int linkage)
{
	return bb_add(b, name, BTF_KIND_FUNC, 0, linkage, proto);
}

static uint32_t bb_var(struct bb *b, const char *name, uint32_t type, uint32_t linkage)
{
	uint32_t id = bb_add(b, name, BTF_KIND_VAR, 0, 0, type);

	bb_w(b, linkage);
	return id;
}

static void bb_vsi(struct bb *b, uint32_t type, uint32_t off, uint32_t size)
{
	bb_w(b, type);
	bb_w(b, off);
	bb_w(b, size);
	bb_vlen_inc(b);
}

static uint32_t bb_decl_tag(struct bb *b, const char *name, uint32_t type, int32_t comp)
{
	uint32_t id = bb_add(b, name, BTF_KIND_DECL_TAG, 0, 0, type);

	bb_w(b, (uint32_t)comp);
	return id;
}

/* header + types + strings, as clang lays them out */
static uint8_t *bb_blob(const struct bb *b, size_t *size)
{
	struct btf_header h = {
		.magic = BTF_MAGIC, .version = BTF_VERSION, .hdr_len = sizeof(h),
		.type_off = 0, .type_len = (uint32_t)(b->tn * 4),
		.str_off = (uint32_t)(b->tn * 4), .str_len = (uint32_t)b->sn,
	};
	uint8_t *p;

	*size = sizeof(h) + b->tn * 4 + b->sn;
	p = malloc(*size + 64); /* room for patches that grow it */
	if (!p)
		abort();
	memcpy(p, &h, sizeof(h));
	if (b->tn)
		memcpy(p + sizeof(h), b->t, b->tn * 4);
	memcpy(p + sizeof(h) + b->tn * 4, b->s, b->sn);
	return p;
}

static struct btf_header *hdr(uint8_t *blob)
{
	return (struct btf_header *)blob;
}

/* ---- the reference BTF: every kind, and the shapes the dump must handle ---- */

struct all_ids {
	uint32_t i_int, i_uint, i_char, i_long, u32, ptr_node, node, arr16, anon_union, flt, big,
		 color, proto_cb, ptr_cb, ptr_cv, cst, vol, opaque, opaque_t, proto_proc, ptr_opaque,
		 process, var_counter, var_head, datasec, ttag, ptr_ttag, holder, node_t, anon_pt, pk,
		 restrict_ptr, var_rp, ufwd, ptr_ufwd, var_up, matrix, row, var_matrix, anon_enum,
		 arr4, ptr_arr4, var_pa, cnt;
};

static void build_all(struct bb *b, struct all_ids *x)
{
	bb_init(b);
	x->i_int = bb_int(b, "int", 4, BTF_INT_SIGNED, 32);                 /* 1 */
	x->i_uint = bb_int(b, "unsigned int", 4, 0, 32);                    /* 2 */
	x->i_char = bb_int(b, "char", 1, BTF_INT_SIGNED, 8);                /* 3 */
	x->i_long = bb_int(b, "long", 8, BTF_INT_SIGNED, 64);               /* 4 */
	x->u32 = bb_ref(b, BTF_KIND_TYPEDEF, "u32", x->i_uint);             /* 5 */
	x->ptr_node = bb_ref(b, BTF_KIND_PTR, NULL, 8);                     /* 6: forward reference */
	x->cst = 17, x->vol = 18;
	/* 7 */
	bb_ref(b, BTF_KIND_CONST, NULL, x->i_long);
	x->node = bb_struct(b, BTF_KIND_STRUCT, "node", 64, 1);             /* 8 */
	bb_member(b, "val", x->i_int, 0);
	bb_member(b, "next", x->ptr_node, 64);
	bb_member(b, "flags", x->u32, (3u << 24) | 128);
	bb_member(b, "mode", x->u32, (5u << 24) | 131);
	bb_member(b, "name", 9, 160);      /* after a gap the compiler would not leave */
	bb_member(b, "u", 10, 320);
	bb_member(b, "c", 13, 352);
	bb_member(b, "cb", 15, 384);
	bb_member(b, "cv", 16, 448);
	x->arr16 = bb_array(b, x->i_char, x->i_int, 16);                    /* 9 */
	x->anon_union = bb_struct(b, BTF_KIND_UNION, NULL, 4, 0);           /* 10 */
	bb_member(b, "i", x->i_int, 0);
	bb_member(b, "f", 11, 0);
	x->flt = bb_add(b, "float", BTF_KIND_FLOAT, 0, 0, 4);                /* 11 */
	x->big = bb_add(b, "big", BTF_KIND_ENUM64, 0, 0, 8);                 /* 12 */
	bb_enum64_val(b, "BIGV", 1ull << 40);
	bb_enum64_val(b, "MAXV", UINT64_MAX);
	x->color = bb_add(b, "color", BTF_KIND_ENUM, 1, 0, 4);               /* 13 */
	bb_enumerator(b, "RED", 0);
	bb_enumerator(b, "GREEN", 5);
	bb_enumerator(b, "BLUE", -1);
	x->proto_cb = bb_ref(b, BTF_KIND_FUNC_PROTO, NULL, x->i_int);       /* 14 */
	bb_param(b, NULL, x->i_int);
	bb_param(b, NULL, x->ptr_node);
	bb_param(b, NULL, 0); /* ... */
	x->ptr_cb = bb_ref(b, BTF_KIND_PTR, NULL, x->proto_cb);             /* 15 */
	x->ptr_cv = bb_ref(b, BTF_KIND_PTR, NULL, 17);                      /* 16 */
	bb_ref(b, BTF_KIND_CONST, NULL, 18);                                /* 17 */
	bb_ref(b, BTF_KIND_VOLATILE, NULL, x->i_long);                      /* 18 */
	x->opaque = bb_add(b, "opaque", BTF_KIND_FWD, 0, 0, 0);              /* 19 */
	x->opaque_t = bb_ref(b, BTF_KIND_TYPEDEF, "opaque_t", x->opaque);   /* 20 */
	x->proto_proc = bb_ref(b, BTF_KIND_FUNC_PROTO, NULL, x->i_int);     /* 21 */
	bb_param(b, "x", x->i_int);
	bb_param(b, "o", 22);
	x->ptr_opaque = bb_ref(b, BTF_KIND_PTR, NULL, x->opaque_t);         /* 22 */
	x->process = bb_func(b, "process", x->proto_proc, BTF_FUNC_GLOBAL); /* 23 */
	bb_decl_tag(b, "kfunc", x->process, -1);                            /* 24 */
	bb_decl_tag(b, "arg", x->process, 0);                               /* 25 */
	x->var_counter = bb_var(b, "counter", x->i_int, BTF_VAR_GLOBAL_ALLOCATED); /* 26 */
	x->var_head = bb_var(b, "head", x->node, BTF_VAR_STATIC);           /* 27 */
	x->datasec = bb_add(b, ".data", BTF_KIND_DATASEC, 0, 0, 72);         /* 28 */
	bb_vsi(b, x->var_counter, 0, 4);
	bb_vsi(b, x->var_head, 8, 64);
	x->ttag = bb_ref(b, BTF_KIND_TYPE_TAG, "user", x->i_int);          /* 29 */
	x->ptr_ttag = bb_ref(b, BTF_KIND_PTR, NULL, x->ttag);               /* 30 */
	x->holder = bb_struct(b, BTF_KIND_STRUCT, "holder", 80, 0);         /* 31 */
	bb_member(b, "up", x->ptr_ttag, 0);
	bb_member(b, "n", 32, 64);
	bb_member(b, "pt", 33, 576);
	x->node_t = bb_ref(b, BTF_KIND_TYPEDEF, "node_t", x->node);        /* 32 */
	x->anon_pt = bb_struct(b, BTF_KIND_STRUCT, NULL, 8, 0);             /* 33 */
	bb_member(b, "x", x->i_int, 0);
	bb_member(b, "y", x->i_int, 32);
	x->pk = bb_struct(b, BTF_KIND_STRUCT, "pk", 5, 0);                  /* 34 */
	bb_member(b, "c", x->i_char, 0);
	bb_member(b, "i", x->i_int, 8);
	bb_decl_tag(b, "member_tag", x->node, 0);                           /* 35 */
	x->restrict_ptr = bb_ref(b, BTF_KIND_RESTRICT, NULL, x->ptr_node);  /* 36 */
	x->var_rp = bb_var(b, "rp", x->restrict_ptr, BTF_VAR_GLOBAL_ALLOCATED); /* 37 */
	x->ufwd = bb_add(b, "uopaque", BTF_KIND_FWD, 1, 0, 0);               /* 38 */
	x->ptr_ufwd = bb_ref(b, BTF_KIND_PTR, NULL, x->ufwd);               /* 39 */
	x->var_up = bb_var(b, "up", x->ptr_ufwd, BTF_VAR_STATIC);           /* 40 */
	x->matrix = bb_array(b, 42, x->i_int, 2);                           /* 41 */
	x->row = bb_array(b, x->i_int, x->i_int, 3);                        /* 42 */
	x->var_matrix = bb_var(b, "matrix", x->matrix, BTF_VAR_GLOBAL_ALLOCATED); /* 43 */
	x->anon_enum = bb_add(b, NULL, BTF_KIND_ENUM, 0, 0, 4);              /* 44 */
	bb_enumerator(b, "ANON_A", 1);
	x->arr4 = bb_array(b, x->i_int, x->i_int, 4);                       /* 45 */
	x->ptr_arr4 = bb_ref(b, BTF_KIND_PTR, NULL, x->arr4);               /* 46 */
	x->var_pa = bb_var(b, "pa", x->ptr_arr4, BTF_VAR_GLOBAL_ALLOCATED); /* 47 */
	x->cnt = b->nr + 1;
}

static struct bpfrt_btf *parse_bb(const struct bb *b, char *log, size_t log_size)
{
	size_t size;
	uint8_t *blob = bb_blob(b, &size);
	struct bpfrt_btf *btf = bpfrt_btf__parse(blob, size, log, log_size);

	free(blob);
	return btf;
}

/* ---- look-ups ---- */

static void test_lookups(void)
{
	struct all_ids x;
	struct bb b;
	char log[512] = "";
	struct bpfrt_btf *btf;
	const struct btf_type *t;

	build_all(&b, &x);
	btf = parse_bb(&b, log, sizeof(log));
	T_CHECK(btf != NULL, "btf: reference BTF with every kind parses (%s)", log);
	if (!btf) {
		bb_free(&b);
		return;
	}
	T_CHECK(bpfrt_btf__type_cnt(btf) == x.cnt, "btf: type_cnt %u == %u", bpfrt_btf__type_cnt(btf), x.cnt);
	T_CHECK(bpfrt_btf__type_by_id(btf, 0) == NULL, "btf: type_by_id(0) is NULL");
	T_CHECK(bpfrt_btf__type_by_id(btf, x.cnt) == NULL, "btf: type_by_id(cnt) is NULL");
	t = bpfrt_btf__type_by_id(btf, x.node);
	T_CHECK(t && BTF_INFO_KIND(t->info) == BTF_KIND_STRUCT && BTF_INFO_VLEN(t->info) == 9 &&
		!strcmp(bpfrt_btf__str(btf, t->name_off), "node"),
		"btf: type_by_id(node) is struct node with 9 members");
	T_CHECK(bpfrt_btf__str(btf, 0) && !*bpfrt_btf__str(btf, 0), "btf: str(0) is \"\"");
	T_CHECK(bpfrt_btf__str(btf, 1u << 30) == NULL, "btf: str out of range is NULL");
	T_CHECK(bpfrt_btf__find_by_name_kind(btf, "node", BTF_KIND_STRUCT) == (int)x.node,
		"btf: find struct node");
	T_CHECK(bpfrt_btf__find_by_name_kind(btf, "node", BTF_KIND_UNION) == -ENOENT,
		"btf: find union node: -ENOENT");
	T_CHECK(bpfrt_btf__find_by_name_kind(btf, "u32", BTF_KIND_TYPEDEF) == (int)x.u32,
		"btf: find typedef u32");
	T_CHECK(bpfrt_btf__find_by_name_kind(btf, "process", BTF_KIND_FUNC) == (int)x.process,
		"btf: find func process");
	T_CHECK(bpfrt_btf__find_by_name_kind(btf, ".data", BTF_KIND_DATASEC) == (int)x.datasec,
		"btf: find datasec .data");
	T_CHECK(bpfrt_btf__find_by_name_kind(btf, "void", BTF_KIND_UNKN) == 0, "btf: find void is 0");
	T_CHECK(bpfrt_btf__find_by_name_kind(btf, "nope", BTF_KIND_STRUCT) == -ENOENT,
		"btf: find missing name: -ENOENT");
	T_CHECK(bpfrt_btf__skip_mods_and_typedefs(btf, x.cst) == x.i_long,
		"btf: skip_mods(const volatile long) is long");
	T_CHECK(bpfrt_btf__skip_mods_and_typedefs(btf, x.node_t) == x.node,
		"btf: skip_mods(node_t) is struct node");
	T_CHECK(bpfrt_btf__skip_mods_and_typedefs(btf, x.ttag) == x.i_int, "btf: skip_mods skips type tags");
	T_CHECK(bpfrt_btf__skip_mods_and_typedefs(btf, x.ptr_node) == x.ptr_node,
		"btf: skip_mods stops at a pointer");
	T_CHECK(bpfrt_btf__resolve_size(btf, x.node) == 64, "btf: resolve_size(struct node) 64");
	T_CHECK(bpfrt_btf__resolve_size(btf, x.u32) == 4, "btf: resolve_size(u32) 4");
	T_CHECK(bpfrt_btf__resolve_size(btf, x.arr16) == 16, "btf: resolve_size(char[16]) 16");
	T_CHECK(bpfrt_btf__resolve_size(btf, x.matrix) == 24, "btf: resolve_size(int[2][3]) 24");
	T_CHECK(bpfrt_btf__resolve_size(btf, x.ptr_node) == 8, "btf: resolve_size(ptr) 8");
	T_CHECK(bpfrt_btf__resolve_size(btf, x.var_head) == 64, "btf: resolve_size(var head) 64");
	T_CHECK(bpfrt_btf__resolve_size(btf, x.big) == 8, "btf: resolve_size(enum64) 8");
	T_CHECK(bpfrt_btf__resolve_size(btf, x.proto_cb) == -EINVAL, "btf: resolve_size(func_proto) -EINVAL");
	T_CHECK(bpfrt_btf__resolve_size(btf, x.opaque_t) == -EINVAL, "btf: resolve_size(typedef of fwd) -EINVAL");
	T_CHECK(bpfrt_btf__resolve_size(btf, 0) == -EINVAL, "btf: resolve_size(void) -EINVAL");
	T_CHECK(bpfrt_btf__resolve_size(btf, 99999) == -EINVAL, "btf: resolve_size(out of range) -EINVAL");
	T_CHECK(!strcmp(bpfrt_btf_kind_name(BTF_KIND_STRUCT), "struct") &&
		!strcmp(bpfrt_btf_kind_name(BTF_KIND_ENUM64), "enum64") &&
		!strcmp(bpfrt_btf_kind_name(BTF_KIND_FUNC_PROTO), "func_proto") &&
		!strcmp(bpfrt_btf_kind_name(99), "unknown"), "btf: kind names");
	bpfrt_btf__free(btf);
	bb_free(&b);

	/* the first of several same-named types, as a linear scan would find */
	bb_init(&b);
	bb_int(&b, "int", 4, BTF_INT_SIGNED, 32);
	bb_ref(&b, BTF_KIND_TYPEDEF, "dup", 1);
	bb_struct(&b, BTF_KIND_STRUCT, "dup", 4, 0);
	bb_member(&b, "a", 1, 0);
	bb_struct(&b, BTF_KIND_STRUCT, "dup", 8, 0);
	bb_member(&b, "a", 1, 32);
	btf = parse_bb(&b, log, sizeof(log));
	T_CHECK(btf && bpfrt_btf__find_by_name_kind(btf, "dup", BTF_KIND_STRUCT) == 3 &&
		bpfrt_btf__find_by_name_kind(btf, "dup", BTF_KIND_TYPEDEF) == 2,
		"btf: find_by_name_kind returns the lowest id of a name and kind");
	bpfrt_btf__free(btf);
	bb_free(&b);

	T_CHECK(bpfrt_btf__type_cnt(NULL) == 0 && bpfrt_btf__type_by_id(NULL, 1) == NULL &&
		bpfrt_btf__find_by_name_kind(NULL, "x", 1) == -EINVAL, "btf: NULL handles are safe");
	bpfrt_btf__free(NULL);
}

/* ---- malformed BTF ---- */

struct bad_case {
	const char *name;
	void (*build)(struct bb *b);      /* NULL: the reference BTF */
	void (*patch)(uint8_t *blob, size_t *size);
	const char *expect;               /* substring of the log message */
};

static void b_int(struct bb *b) { bb_init(b); bb_int(b, "int", 4, BTF_INT_SIGNED, 32); }

static void p_short(uint8_t *p, size_t *n) { (void)p; *n = 10; }
static void p_magic(uint8_t *p, size_t *n) { (void)n; hdr(p)->magic = 0x1234; }
static void p_bigend(uint8_t *p, size_t *n) { (void)n; hdr(p)->magic = 0x9feb; }
static void p_version(uint8_t *p, size_t *n) { (void)n; hdr(p)->version = 2; }
static void p_flags(uint8_t *p, size_t *n) { (void)n; hdr(p)->flags = 1; }
static void p_hdrlen_small(uint8_t *p, size_t *n) { (void)n; hdr(p)->hdr_len = 16; }
static void p_hdrlen_big(uint8_t *p, size_t *n) { hdr(p)->hdr_len = (uint32_t)*n + 4; }
static void p_type_oob(uint8_t *p, size_t *n) { (void)n; hdr(p)->type_len += 4; }
static void p_str_oob(uint8_t *p, size_t *n) { (void)n; hdr(p)->str_len += 1; }
static void p_overlap(uint8_t *p, size_t *n) { (void)n; hdr(p)->str_off -= 4; hdr(p)->str_len += 4; }
static void p_unaligned(uint8_t *p, size_t *n) { (void)n; hdr(p)->type_off = 2; }
static void p_str_start(uint8_t *p, size_t *n) { p[hdr(p)->hdr_len + hdr(p)->str_off] = 'x'; (void)n; }
static void p_str_end(uint8_t *p, size_t *n) { (void)n; p[*n - 1] = 'x'; }
static void p_str_empty(uint8_t *p, size_t *n) { (void)n; hdr(p)->str_len = 0; }
static void p_type_trunc(uint8_t *p, size_t *n) { (void)n; hdr(p)->type_len -= 4; }

/* hdr_len 28: a newer header whose extra field is set */
static void p_hdr_unknown(uint8_t *p, size_t *n)
{
	uint32_t one = 1;

	memmove(p + 28, p + 24, *n - 24);
	memcpy(p + 24, &one, 4);
	hdr(p)->hdr_len = 28;
	*n += 4;
}

static void b_name_oob(struct bb *b) { b_int(b); b->t[0] = 5000; }
static void b_unknown_kind(struct bb *b) { b_int(b); b->t[1] = 25u << 24; }
static void b_kflag_int(struct bb *b) { b_int(b); b->t[1] |= 1u << 31; }
static void b_reserved_info(struct bb *b) { b_int(b); b->t[1] |= 1u << 20; }
static void b_ptr_vlen(struct bb *b) { b_int(b); bb_ref(b, BTF_KIND_PTR, NULL, 1); bb_vlen_inc(b); }
static void b_int_bits0(struct bb *b) { bb_init(b); bb_int(b, "int", 4, BTF_INT_SIGNED, 0); }
static void b_int_bits200(struct bb *b) { bb_init(b); bb_int(b, "int", 16, BTF_INT_SIGNED, 200); }
static void b_int_size3(struct bb *b) { bb_init(b); bb_int(b, "int", 3, 0, 24); }
static void b_int_enc(struct bb *b) { bb_init(b); bb_int(b, "int", 4, 3, 32); }
static void b_int_wide(struct bb *b) { bb_init(b); bb_int(b, "int", 4, 0, 40); }

static void b_ptr_oob(struct bb *b) { b_int(b); bb_ref(b, BTF_KIND_PTR, NULL, 999); }

static void b_member_oob(struct bb *b)
{
	b_int(b);
	bb_struct(b, BTF_KIND_STRUCT, "foo", 8, 0);
	bb_member(b, "bar", 999, 0);
}

static void b_vlen_big(struct bb *b)
{
	b_int(b);
	bb_struct(b, BTF_KIND_STRUCT, "foo", 8, 0);
	bb_member(b, "a", 1, 0);
	b->t[b->last + 1] += 1000;
}

static void b_typedef_cycle(struct bb *b)
{
	bb_init(b);
	bb_ref(b, BTF_KIND_TYPEDEF, "A", 2);
	bb_ref(b, BTF_KIND_CONST, NULL, 1);
}

static void b_array_cycle(struct bb *b) { b_int(b); bb_array(b, 2, 1, 4); }

static void b_struct_cycle(struct bb *b)
{
	b_int(b);
	bb_struct(b, BTF_KIND_STRUCT, "a", 8, 0);
	bb_member(b, "b", 3, 0);
	bb_struct(b, BTF_KIND_STRUCT, "b", 8, 0);
	bb_member(b, "a", 2, 0);
}

static void b_ptr_cycle(struct bb *b)
{
	bb_init(b);
	bb_ref(b, BTF_KIND_PTR, NULL, 2);
	bb_ref(b, BTF_KIND_CONST, NULL, 3);
	bb_ref(b, BTF_KIND_TYPEDEF, "T", 1);
}

static void b_datasec_oob(struct bb *b)
{
	b_int(b);
	bb_add(b, ".data", BTF_KIND_DATASEC, 0, 0, 8);
	bb_vsi(b, 999, 0, 4);
}

static void b_datasec_notvar(struct bb *b)
{
	b_int(b);
	bb_add(b, ".data", BTF_KIND_DATASEC, 0, 0, 8);
	bb_vsi(b, 1, 0, 4);
}

static void b_datasec_size(struct bb *b)
{
	b_int(b);
	bb_var(b, "v", 1, 1);
	bb_add(b, ".data", BTF_KIND_DATASEC, 0, 0, 8);
	bb_vsi(b, 2, 6, 4);
}

static void b_datasec_name(struct bb *b)
{
	b_int(b);
	bb_var(b, "v", 1, 1);
	bb_add(b, ".da\tta", BTF_KIND_DATASEC, 0, 0, 8);
	bb_vsi(b, 2, 0, 4);
}

static void b_enum64_size(struct bb *b)
{
	bb_init(b);
	bb_add(b, "e", BTF_KIND_ENUM64, 0, 0, 3);
	bb_enum64_val(b, "A", 1);
}

static void b_enum_size16(struct bb *b)
{
	bb_init(b);
	bb_add(b, "e", BTF_KIND_ENUM, 0, 0, 16);
	bb_enumerator(b, "A", 1);
}

static void b_enumerator_name(struct bb *b)
{
	bb_init(b);
	bb_add(b, "e", BTF_KIND_ENUM, 0, 0, 4);
	bb_enumerator(b, "1bad", 1);
}

static void b_struct_name(struct bb *b)
{
	b_int(b);
	bb_struct(b, BTF_KIND_STRUCT, "bad name", 4, 0);
	bb_member(b, "a", 1, 0);
}

static void b_ptr_named(struct bb *b) { b_int(b); bb_ref(b, BTF_KIND_PTR, "p", 1); }
static void b_typedef_anon(struct bb *b) { b_int(b); bb_ref(b, BTF_KIND_TYPEDEF, NULL, 1); }
static void b_func_notproto(struct bb *b) { b_int(b); bb_func(b, "f", 1, 1); }

static void b_func_linkage(struct bb *b)
{
	b_int(b);
	bb_ref(b, BTF_KIND_FUNC_PROTO, NULL, 1);
	bb_func(b, "f", 2, 3);
}

static void b_var_linkage(struct bb *b) { b_int(b); bb_var(b, "v", 1, 5); }
static void b_var_void(struct bb *b) { b_int(b); bb_var(b, "v", 0, 1); }

static void b_member_outside(struct bb *b)
{
	b_int(b);
	bb_struct(b, BTF_KIND_STRUCT, "s", 4, 0);
	bb_member(b, "a", 1, 32);
}

static void b_union_offset(struct bb *b)
{
	b_int(b);
	bb_struct(b, BTF_KIND_UNION, "u", 8, 0);
	bb_member(b, "a", 1, 32);
}

static void b_member_order(struct bb *b)
{
	b_int(b);
	bb_struct(b, BTF_KIND_STRUCT, "s", 8, 0);
	bb_member(b, "a", 1, 32);
	bb_member(b, "b", 1, 0);
}

static void b_member_unaligned(struct bb *b)
{
	b_int(b);
	bb_ref(b, BTF_KIND_PTR, NULL, 1);
	bb_struct(b, BTF_KIND_STRUCT, "s", 16, 0);
	bb_member(b, "p", 2, 3);
}

static void b_bitfield_ptr(struct bb *b)
{
	b_int(b);
	bb_ref(b, BTF_KIND_PTR, NULL, 1);
	bb_struct(b, BTF_KIND_STRUCT, "s", 8, 1);
	bb_member(b, "p", 2, 3u << 24);
}

static void b_bitfield_wide(struct bb *b)
{
	b_int(b);
	bb_struct(b, BTF_KIND_STRUCT, "s", 8, 1);
	bb_member(b, "a", 1, 40u << 24);
}

static void b_member_fwd(struct bb *b)
{
	bb_init(b);
	bb_add(b, "f", BTF_KIND_FWD, 0, 0, 0);
	bb_struct(b, BTF_KIND_STRUCT, "s", 8, 0);
	bb_member(b, "a", 1, 0);
}

static void b_member_func(struct bb *b)
{
	b_int(b);
	bb_ref(b, BTF_KIND_FUNC_PROTO, NULL, 1);
	bb_func(b, "f", 2, 1);
	bb_struct(b, BTF_KIND_STRUCT, "s", 8, 0);
	bb_member(b, "a", 3, 0);
}

static void b_array_fwd(struct bb *b)
{
	b_int(b);
	bb_add(b, "f", BTF_KIND_FWD, 0, 0, 0);
	bb_array(b, 2, 1, 4);
}

static void b_array_index(struct bb *b)
{
	b_int(b);
	bb_ref(b, BTF_KIND_PTR, NULL, 1);
	bb_array(b, 1, 2, 4);
}

static void b_array_overflow(struct bb *b)
{
	bb_init(b);
	bb_int(b, "long", 8, BTF_INT_SIGNED, 64);
	bb_array(b, 1, 1, 0x80000000u);
}

static void b_array_size(struct bb *b) { b_int(b); bb_array(b, 1, 1, 4); b->t[b->last + 2] = 4; }

static void b_proto_void_mid(struct bb *b)
{
	b_int(b);
	bb_ref(b, BTF_KIND_FUNC_PROTO, NULL, 1);
	bb_param(b, NULL, 0);
	bb_param(b, "a", 1);
}

static void b_proto_fwd_param(struct bb *b)
{
	b_int(b);
	bb_add(b, "f", BTF_KIND_FWD, 0, 0, 0);
	bb_ref(b, BTF_KIND_FUNC_PROTO, NULL, 1);
	bb_param(b, "a", 2);
}

static void b_tag_on_int(struct bb *b) { b_int(b); bb_decl_tag(b, "t", 1, -1); }

static void b_tag_comp(struct bb *b)
{
	b_int(b);
	bb_struct(b, BTF_KIND_STRUCT, "s", 4, 0);
	bb_member(b, "a", 1, 0);
	bb_decl_tag(b, "t", 2, 1);
}

static void b_tag_comp_neg(struct bb *b)
{
	b_int(b);
	bb_struct(b, BTF_KIND_STRUCT, "s", 4, 0);
	bb_member(b, "a", 1, 0);
	bb_decl_tag(b, "t", 2, -2);
}

static void b_type_tag_anon(struct bb *b) { b_int(b); bb_ref(b, BTF_KIND_TYPE_TAG, NULL, 1); }
static void b_fwd_type(struct bb *b) { bb_init(b); bb_add(b, "f", BTF_KIND_FWD, 0, 0, 7); }
static void b_float_size(struct bb *b) { bb_init(b); bb_add(b, "float", BTF_KIND_FLOAT, 0, 0, 3); }

static const struct bad_case bad_cases[] = {
	{ "truncated header", b_int, p_short, "truncated header" },
	{ "bad magic", b_int, p_magic, "bad magic 0x1234" },
	{ "big-endian magic", b_int, p_bigend, "big-endian BTF is not supported" },
	{ "version 2", b_int, p_version, "unsupported version 2" },
	{ "header flags", b_int, p_flags, "unsupported header flags" },
	{ "header length below 24", b_int, p_hdrlen_small, "header length 16 is below 24" },
	{ "header length beyond data", b_int, p_hdrlen_big, "exceeds the data" },
	{ "unknown header field set", b_int, p_hdr_unknown, "unknown non-zero fields" },
	{ "type section beyond data", b_int, p_type_oob, "type section" },
	{ "string section beyond data", b_int, p_str_oob, "string section" },
	{ "sections overlap", b_int, p_overlap, "overlap" },
	{ "type section unaligned", b_int, p_unaligned, "not 4-byte aligned" },
	{ "strings not starting with \\0", b_int, p_str_start, "does not start with \\0" },
	{ "strings not NUL-terminated", b_int, p_str_end, "not NUL-terminated" },
	{ "empty string section", b_int, p_str_empty, "string section is empty" },
	{ "truncated type record", b_int, p_type_trunc, "overruns the type section" },
	{ "name offset out of range", b_name_oob, NULL, "name offset out of the string section" },
	{ "unknown kind", b_unknown_kind, NULL, "unknown kind 25" },
	{ "kind_flag on int", b_kflag_int, NULL, "kind_flag is not allowed for INT" },
	{ "reserved info bits", b_reserved_info, NULL, "reserved bits" },
	{ "vlen on pointer", b_ptr_vlen, NULL, "vlen 1 must be 0 for PTR" },
	{ "int of 0 bits", b_int_bits0, NULL, "int bits 0 out of range" },
	{ "int of 200 bits", b_int_bits200, NULL, "int bits 200 out of range" },
	{ "int of size 3", b_int_size3, NULL, "int size 3" },
	{ "int encoding 3", b_int_enc, NULL, "int encoding 0x3" },
	{ "int bits beyond size", b_int_wide, NULL, "exceed its size" },
	{ "pointer to id 999", b_ptr_oob, NULL, "type [2] PTR '(anon)': referenced type id 999 out of range (max 2)" },
	{ "member type id 999", b_member_oob, NULL,
	  "type [2] STRUCT 'foo': member 'bar' type id 999 out of range (max 2)" },
	{ "vlen too big for the data", b_vlen_big, NULL, "(vlen 1001) overruns the type section" },
	{ "typedef/const cycle", b_typedef_cycle, NULL, "by-value reference cycle: [1] -> [2] -> [1]" },
	{ "array of itself", b_array_cycle, NULL, "by-value reference cycle: [2] -> [2]" },
	{ "structs holding each other", b_struct_cycle, NULL, "by-value reference cycle" },
	{ "pointer chain back to itself", b_ptr_cycle, NULL, "pointer cycle" },
	{ "datasec entry id 999", b_datasec_oob, NULL, "entry #0 type id 999 out of range" },
	{ "datasec entry not a var", b_datasec_notvar, NULL, "is not a VAR or FUNC" },
	{ "datasec entry beyond size", b_datasec_size, NULL, "exceeds the section size 8" },
	{ "datasec name with a tab", b_datasec_name, NULL, "not a valid section name" },
	{ "enum64 of size 3", b_enum64_size, NULL, "ENUM64 'e': enum size 3" },
	{ "enum of size 16", b_enum_size16, NULL, "enum size 16" },
	{ "enumerator name", b_enumerator_name, NULL, "enumerator #0: name is not a valid identifier" },
	{ "struct name with a space", b_struct_name, NULL, "name is not a valid identifier" },
	{ "named pointer", b_ptr_named, NULL, "must be anonymous" },
	{ "anonymous typedef", b_typedef_anon, NULL, "must have a name" },
	{ "func of an int", b_func_notproto, NULL, "is not a FUNC_PROTO" },
	{ "func linkage 3", b_func_linkage, NULL, "linkage 3" },
	{ "var linkage 5", b_var_linkage, NULL, "linkage 5" },
	{ "var of void", b_var_void, NULL, "variable type is void" },
	{ "member beyond the struct", b_member_outside, NULL, "exceeds the struct size of 4 bytes" },
	{ "union member at offset 32", b_union_offset, NULL, "union members must be at 0" },
	{ "members out of order", b_member_order, NULL, "below the previous member's" },
	{ "pointer member at bit 3", b_member_unaligned, NULL, "not byte-aligned" },
	{ "bitfield of a pointer", b_bitfield_ptr, NULL, "bitfield of [2] PTR" },
	{ "bitfield wider than int", b_bitfield_wide, NULL, "wider than its type" },
	{ "member of a fwd type", b_member_fwd, NULL, "which has no size" },
	{ "member of a func type", b_member_func, NULL, "cannot be used as a type" },
	{ "array of a fwd type", b_array_fwd, NULL, "array element type [2] FWD 'f' has no size" },
	{ "array indexed by a pointer", b_array_index, NULL, "array index type [2] PTR" },
	{ "array over 4 GiB", b_array_overflow, NULL, "overflows 4 GiB" },
	{ "array with a size", b_array_size, NULL, "size field 4 must be 0" },
	{ "void param before the last", b_proto_void_mid, NULL, "param #0 is void" },
	{ "fwd param by value", b_proto_fwd_param, NULL, "param #0 type [2] FWD 'f' has no size" },
	{ "decl tag on an int", b_tag_on_int, NULL, "only a struct, union, var, func or typedef" },
	{ "decl tag component 1 of 1", b_tag_comp, NULL, "component_idx 1 out of range" },
	{ "decl tag component -2", b_tag_comp_neg, NULL, "component_idx -2 is below -1" },
	{ "anonymous type tag", b_type_tag_anon, NULL, "must have a non-empty name" },
	{ "fwd with a type", b_fwd_type, NULL, "type field 7 must be 0" },
	{ "float of size 3", b_float_size, NULL, "float size 3" },
};

static void test_malformed(void)
{
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];
		char log[512] = "";
		struct bpfrt_btf *btf;
		struct bb b;
		uint8_t *blob;
		size_t size;

		c->build(&b);
		blob = bb_blob(&b, &size);
		if (c->patch)
			c->patch(blob, &size);
		errno = 0;
		btf = bpfrt_btf__parse(blob, size, log, sizeof(log));
		T_CHECK(!btf && errno == EINVAL && !strncmp(log, "BTF: ", 5) && strstr(log, c->expect),
			"btf: reject %s: want \"%s\", got \"%s\"", c->name, c->expect, log);
		bpfrt_btf__free(btf);
		free(blob);
		bb_free(&b);
	}
}

/* Shapes that look suspicious but are legal C and legal BTF. */
static void test_legal_shapes(void)
{
	char log[512] = "";
	struct bpfrt_btf *btf;
	struct bb b;

	/* struct list { struct list *next; }: a cycle through a pointer */
	bb_init(&b);
	bb_struct(&b, BTF_KIND_STRUCT, "list", 8, 0);
	bb_member(&b, "next", 2, 0);
	bb_ref(&b, BTF_KIND_PTR, NULL, 1);
	btf = parse_bb(&b, log, sizeof(log));
	T_CHECK(btf != NULL, "btf: self-referencing struct through a pointer is legal (%s)", log);
	bpfrt_btf__free(btf);
	bb_free(&b);

	/* typedef struct s *sp; struct s { sp next; }; and a flexible array */
	bb_init(&b);
	bb_ref(&b, BTF_KIND_TYPEDEF, "sp", 2);
	bb_ref(&b, BTF_KIND_PTR, NULL, 3);
	bb_struct(&b, BTF_KIND_STRUCT, "s", 8, 0);
	bb_member(&b, "next", 1, 0);
	bb_member(&b, "tail", 5, 64);
	bb_int(&b, "char", 1, 0, 8);
	bb_array(&b, 4, 4, 0);
	btf = parse_bb(&b, log, sizeof(log));
	T_CHECK(btf != NULL, "btf: typedef'd pointer cycle and flexible array are legal (%s)", log);
	bpfrt_btf__free(btf);
	bb_free(&b);

	/* what clang leaves in objects: unsized datasec, extern var and func */
	bb_init(&b);
	bb_int(&b, "int", 4, BTF_INT_SIGNED, 32);
	bb_var(&b, "LINUX_KERNEL_VERSION", 1, BTF_VAR_GLOBAL_EXTERN);
	bb_ref(&b, BTF_KIND_FUNC_PROTO, NULL, 1);
	bb_func(&b, "bpf_kfunc", 3, BTF_FUNC_EXTERN);
	bb_ref(&b, BTF_KIND_CONST, NULL, 0);
	bb_var(&b, "ksym", 5, BTF_VAR_GLOBAL_EXTERN);
	bb_add(&b, ".kconfig", BTF_KIND_DATASEC, 0, 0, 0);
	bb_vsi(&b, 2, 0, 4);
	bb_add(&b, ".ksyms", BTF_KIND_DATASEC, 0, 0, 0);
	bb_vsi(&b, 4, 0, 0);
	bb_vsi(&b, 6, 0, 0);
	btf = parse_bb(&b, log, sizeof(log));
	T_CHECK(btf != NULL, "btf: object-file datasecs (size 0, externs, funcs) are accepted (%s)", log);
	bpfrt_btf__free(btf);
	bb_free(&b);

	/* the old bitfield encoding: an int narrower than its size, any bit */
	bb_init(&b);
	bb_int(&b, "unsigned int", 4, 0, 3);
	bb_struct(&b, BTF_KIND_STRUCT, "old", 4, 0);
	bb_member(&b, "a", 1, 0);
	bb_member(&b, "b", 1, 3);
	btf = parse_bb(&b, log, sizeof(log));
	T_CHECK(btf != NULL, "btf: old-style int bitfields are accepted (%s)", log);
	bpfrt_btf__free(btf);
	bb_free(&b);

	/* no types at all */
	bb_init(&b);
	btf = parse_bb(&b, log, sizeof(log));
	T_CHECK(btf && bpfrt_btf__type_cnt(btf) == 1, "btf: empty type section gives just void");
	bpfrt_btf__free(btf);
	bb_free(&b);

	/* a 200,000-long qualifier chain: no recursion in the parser */
	bb_init(&b);
	bb_int(&b, "int", 4, BTF_INT_SIGNED, 32);
	for (uint32_t i = 0; i < 200000; i++)
		bb_ref(&b, (i & 1) ? BTF_KIND_CONST : BTF_KIND_VOLATILE, NULL, i + 1);
	btf = parse_bb(&b, log, sizeof(log));
	T_CHECK(btf && bpfrt_btf__skip_mods_and_typedefs(btf, 200001) == 1 &&
		bpfrt_btf__resolve_size(btf, 200001) == 4,
		"btf: 200,000-deep modifier chain parses and resolves (%s)", btf ? "" : log);
	bpfrt_btf__free(btf);
	bb_free(&b);
}

/* ---- files ---- */

static int write_file(char *path, const void *data, size_t size)
{
	int fd = mkstemp(path);

	if (fd < 0)
		return -1;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/* An ELF relocatable object with the given sections, written with libelf. */
static int write_elf(char *path, const char *secname, const void *data, size_t size)
{
	char shstr[64];
	size_t shlen;
	Elf64_Ehdr *eh;
	Elf64_Shdr *sh;
	Elf_Scn *scn;
	Elf_Data *d;
	Elf *e;
	int fd;

	shlen = (size_t)snprintf(shstr, sizeof(shstr), "%c%s%c.shstrtab", 0, secname, 0) + 1;
	if (elf_version(EV_CURRENT) == EV_NONE)
		return -1;
	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	e = elf_begin(fd, ELF_C_WRITE, NULL);
	eh = e ? elf64_newehdr(e) : NULL;
	if (!eh)
		goto fail;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_type = ET_REL;
	eh->e_machine = EM_BPF;
	eh->e_version = EV_CURRENT;

	scn = elf_newscn(e);
	d = elf_newdata(scn);
	d->d_buf = (void *)data;
	d->d_size = size;
	d->d_align = 4;
	d->d_type = ELF_T_BYTE;
	sh = elf64_getshdr(scn);
	sh->sh_name = 1;
	sh->sh_type = SHT_PROGBITS;

	scn = elf_newscn(e);
	d = elf_newdata(scn);
	d->d_buf = shstr;
	d->d_size = shlen;
	d->d_align = 1;
	d->d_type = ELF_T_BYTE;
	sh = elf64_getshdr(scn);
	sh->sh_name = (uint32_t)strlen(secname) + 2;
	sh->sh_type = SHT_STRTAB;
	eh->e_shstrndx = (Elf64_Half)elf_ndxscn(scn);
	if (elf_update(e, ELF_C_WRITE) < 0)
		goto fail;
	elf_end(e);
	close(fd);
	return 0;
fail:
	if (e)
		elf_end(e);
	close(fd);
	return -1;
}

static void test_files(void)
{
	char raw[] = "/tmp/bpfrt-btf-XXXXXX", elf[] = "/tmp/bpfrt-btf-elf-XXXXXX";
	char noelf[] = "/tmp/bpfrt-btf-noelf-XXXXXX", junk[] = "/tmp/bpfrt-btf-junk-XXXXXX";
	char log[512] = "";
	struct all_ids x;
	struct bpfrt_btf *btf;
	struct bb b;
	uint8_t *blob;
	size_t size;

	build_all(&b, &x);
	blob = bb_blob(&b, &size);
	if (write_file(raw, blob, size) || write_elf(elf, ".BTF", blob, size) ||
	    write_elf(noelf, ".text", blob, size) || write_file(junk, "hello, world", 12)) {
		t_fail("btf: cannot write temporary files");
		goto out;
	}
	btf = bpfrt_btf__load_file(raw, log, sizeof(log));
	T_CHECK(btf && bpfrt_btf__type_cnt(btf) == x.cnt, "btf: load_file reads raw BTF (%s)", log);
	bpfrt_btf__free(btf);
	btf = bpfrt_btf__load_file(elf, log, sizeof(log));
	T_CHECK(btf && bpfrt_btf__find_by_name_kind(btf, "node", BTF_KIND_STRUCT) == (int)x.node,
		"btf: load_file reads an ELF object's .BTF (%s)", log);
	bpfrt_btf__free(btf);
	btf = bpfrt_btf__load_file(noelf, log, sizeof(log));
	T_CHECK(!btf && errno == ENOENT && strstr(log, "no .BTF section"),
		"btf: ELF without .BTF: \"%s\"", log);
	btf = bpfrt_btf__load_file(junk, log, sizeof(log));
	T_CHECK(!btf && errno == EINVAL && strstr(log, "neither raw BTF nor an ELF file"),
		"btf: neither BTF nor ELF: \"%s\"", log);
	btf = bpfrt_btf__load_file("/nonexistent/bpfrt.btf", log, sizeof(log));
	T_CHECK(!btf && errno == ENOENT && strstr(log, "cannot open"), "btf: missing file: \"%s\"", log);
out:
	unlink(raw);
	unlink(elf);
	unlink(noelf);
	unlink(junk);
	free(blob);
	bb_free(&b);
}

/* ---- the C dump ---- */

struct chunks {
	char *text;
	size_t len, cap;
	unsigned int calls;
	bool unterminated; /* a chunk that does not end a line */
};

static void collect(void *ctx, const char *s)
{
	struct chunks *c = ctx;
	size_t n = strlen(s);

	if (c->len + n + 1 > c->cap) {
		while (c->len + n + 1 > c->cap)
			c->cap = c->cap ? c->cap * 2 : 4096;
		c->text = realloc(c->text, c->cap);
		if (!c->text)
			abort();
	}
	memcpy(c->text + c->len, s, n + 1);
	c->len += n;
	c->calls++;
	if (!n || s[n - 1] != '\n')
		c->unterminated = true;
}

static void discard(void *ctx, const char *s)
{
	(void)ctx;
	(void)s;
}

static bool have_clang(void)
{
	return system("command -v clang >/dev/null 2>&1") == 0;
}

/*
 * Append, for each uniquely named struct and union, _Static_asserts of its
 * size and of its named non-bitfield members' offsets: compiling the dump
 * with these proves the layout, not just the syntax.
 */
static void append_layout_asserts(const struct bpfrt_btf *btf, struct chunks *c)
{
	char line[512];

	for (uint32_t id = 1; id < bpfrt_btf__type_cnt(btf); id++) {
		const struct btf_type *t = bpfrt_btf__type_by_id(btf, id);
		unsigned int k = BTF_INFO_KIND(t->info);
		const char *name = bpfrt_btf__str(btf, t->name_off), *kw;
		const struct btf_member *m = (const void *)(t + 1);

		if ((k != BTF_KIND_STRUCT && k != BTF_KIND_UNION) || !*name)
			continue;
		/* C has one namespace for struct, union and enum tags */
		if (bpfrt_btf__find_by_name_kind(btf, name, BTF_KIND_STRUCT) != (k == BTF_KIND_STRUCT ? (int)id : -ENOENT) ||
		    bpfrt_btf__find_by_name_kind(btf, name, BTF_KIND_UNION) != (k == BTF_KIND_UNION ? (int)id : -ENOENT) ||
		    bpfrt_btf__find_by_name_kind(btf, name, BTF_KIND_ENUM) != -ENOENT ||
		    bpfrt_btf__find_by_name_kind(btf, name, BTF_KIND_ENUM64) != -ENOENT)
			continue; /* renamed or ambiguous */
		kw = k == BTF_KIND_STRUCT ? "struct" : "union";
		snprintf(line, sizeof(line), "_Static_assert(sizeof(%s %s) == %u, \"size of %s\");\n", kw, name,
			 t->size, name);
		collect(c, line);
		for (unsigned int i = 0; i < BTF_INFO_VLEN(t->info); i++) {
			const char *mn = bpfrt_btf__str(btf, m[i].name_off);
			uint32_t off = BTF_INFO_KFLAG(t->info) ? BTF_MEMBER_BIT_OFFSET(m[i].offset) : m[i].offset;

			if (!*mn || (BTF_INFO_KFLAG(t->info) && BTF_MEMBER_BITFIELD_SIZE(m[i].offset)) || off % 8)
				continue;
			snprintf(line, sizeof(line),
				 "_Static_assert(__builtin_offsetof(%s %s, %s) == %u, \"%s.%s\");\n", kw, name,
				 mn, off / 8, name, mn);
			collect(c, line);
		}
	}
}

/* Compile text with clang; returns clang's exit status, or -1. */
static int compile_c(const char *text, const char *flags, char *errs, size_t errs_size)
{
	char cmd[512], out[] = "/tmp/bpfrt-btf-cc-XXXXXX";
	int fd = mkstemp(out), status;
	FILE *p;

	if (fd < 0)
		return -1;
	close(fd);
	snprintf(cmd, sizeof(cmd), "clang -fsyntax-only %s -x c - 2>%s", flags, out);
	p = popen(cmd, "w");
	if (!p) {
		unlink(out);
		return -1;
	}
	fputs(text, p);
	status = pclose(p);
	errs[0] = '\0';
	fd = open(out, O_RDONLY);
	if (fd >= 0) {
		ssize_t n = read(fd, errs, errs_size - 1);

		errs[n > 0 ? n : 0] = '\0';
		close(fd);
	}
	unlink(out);
	return status;
}

static void test_dump(void)
{
	static const char *const want[] = {
		"typedef unsigned int u32;",
		"struct node {",
		"int val __attribute__((btf_decl_tag(\"member_tag\")));",
		"struct node *next;",
		"u32 flags: 3;",
		"u32 mode: 5;",
		"char name[16];",
		"int (*cb)(int, struct node *, ...);",
		"long const volatile *cv;",
		"union {",
		"enum color c;",
		"BLUE = -1,",
		"BIGV = 1099511627776,",
		"MAXV = 18446744073709551615ULL,",
		"typedef struct opaque opaque_t;",
		"extern int process(int x __attribute__((btf_decl_tag(\"arg\"))), opaque_t *o) __attribute__((btf_decl_tag(\"kfunc\")));",
		"int counter;",
		"static struct node head;",
		"int __attribute__((btf_type_tag(\"user\"))) *up;",
		"node_t n;",
		"} __attribute__((packed));",
		"struct node *restrict rp;",
		"static union uopaque *up;",
		"int matrix[2][3];",
		"int (*pa)[4];",
		"ANON_A = 1,",
		"/* section .data (size 72):",
	};
	struct chunks c = { 0 };
	char log[512] = "", errs[4096];
	struct all_ids x;
	struct bpfrt_btf *btf;
	struct bb b;
	int err;

	build_all(&b, &x);
	btf = parse_bb(&b, log, sizeof(log));
	bb_free(&b);
	if (!btf) {
		t_fail("btf dump: reference BTF does not parse: %s", log);
		return;
	}
	err = bpfrt_btf__dump_c(btf, collect, &c);
	T_CHECK(err == 0 && c.text, "btf dump: dump_c returns 0 (%d)", err);
	T_CHECK(c.calls >= 10 && !c.unterminated, "btf dump: %u chunks, each ending a line", c.calls);
	for (size_t i = 0; c.text && i < sizeof(want) / sizeof(want[0]); i++)
		T_CHECK(strstr(c.text, want[i]) != NULL, "btf dump: output has `%s`", want[i]);
	/* typedef u32 before the struct using it; struct node before node_t users */
	T_CHECK(c.text && strstr(c.text, "typedef unsigned int u32;") < strstr(c.text, "struct node {") &&
		strstr(c.text, "struct node {") < strstr(c.text, "struct holder {"),
		"btf dump: definitions come before by-value uses");
	if (!have_clang()) {
		t_skip("btf dump: compile the dump: clang not installed");
	} else if (c.text) {
		append_layout_asserts(btf, &c);
		T_CHECK(compile_c(c.text, "", errs, sizeof(errs)) == 0,
			"btf dump: the dump compiles and keeps every size and offset (%s)", errs);
		T_CHECK(compile_c(c.text, "-target bpf", errs, sizeof(errs)) == 0,
			"btf dump: ... also for -target bpf (%s)", errs);
	}
	T_CHECK(bpfrt_btf__dump_c(NULL, collect, &c) == -EINVAL && bpfrt_btf__dump_c(btf, NULL, NULL) == -EINVAL,
		"btf dump: NULL arguments give -EINVAL");
	free(c.text);
	bpfrt_btf__free(btf);
}

/* Names C cannot take as they are: duplicates, keywords, dots. */
static void test_dump_names(void)
{
	struct chunks c = { 0 };
	char log[512] = "", errs[4096];
	struct bpfrt_btf *btf;
	struct bb b;

	bb_init(&b);
	bb_int(&b, "int", 4, BTF_INT_SIGNED, 32);                 /* 1 */
	bb_struct(&b, BTF_KIND_STRUCT, "dup", 4, 0);              /* 2 */
	bb_member(&b, "a", 1, 0);
	bb_struct(&b, BTF_KIND_STRUCT, "dup", 8, 0);              /* 3 */
	bb_member(&b, "b", 1, 32);
	bb_add(&b, "dup", BTF_KIND_ENUM, 0, 0, 4);                 /* 4: same tag namespace */
	bb_enumerator(&b, "X", 1);
	bb_add(&b, "other", BTF_KIND_ENUM, 0, 0, 4);               /* 5 */
	bb_enumerator(&b, "X", 2);
	bb_ref(&b, BTF_KIND_TYPEDEF, "X", 1);                     /* 6: clashes with enumerator X */
	bb_struct(&b, BTF_KIND_STRUCT, "user", 16, 0);            /* 7 */
	bb_member(&b, "one", 2, 0);
	bb_member(&b, "two", 3, 32);
	bb_member(&b, "unix", 1, 96);                             /* a predefined macro */
	bb_ref(&b, BTF_KIND_FUNC_PROTO, NULL, 1);                 /* 8 */
	bb_func(&b, "foo.cold", 8, BTF_FUNC_STATIC);              /* 9: not C */
	bb_func(&b, "X", 8, BTF_FUNC_GLOBAL);                     /* 10: name taken */
	bb_ref(&b, BTF_KIND_TYPEDEF, "int_", 1);                  /* 11 */
	bb_add(&b, "dup", BTF_KIND_FWD, 0, 0, 0);                  /* 12: shares struct dup */
	bb_ref(&b, BTF_KIND_PTR, NULL, 12);                       /* 13 */
	bb_var(&b, "fp", 13, BTF_VAR_GLOBAL_ALLOCATED);           /* 14 */
	btf = parse_bb(&b, log, sizeof(log));
	bb_free(&b);
	if (!btf) {
		t_fail("btf dump names: BTF does not parse: %s", log);
		return;
	}
	T_CHECK(bpfrt_btf__dump_c(btf, collect, &c) == 0 && c.text, "btf dump names: dump_c returns 0");
	if (!c.text) {
		bpfrt_btf__free(btf);
		return;
	}
	T_CHECK(strstr(c.text, "struct dup {") && strstr(c.text, "struct dup___2 {") &&
		strstr(c.text, "enum dup___3 {"), "btf dump names: duplicate tags become dup___2, dup___3");
	T_CHECK(strstr(c.text, "X___2 = 2") && strstr(c.text, "typedef int X___3;"),
		"btf dump names: enumerator and typedef clashes are renamed");
	T_CHECK(strstr(c.text, "int unix_;"), "btf dump names: a member named unix becomes unix_");
	T_CHECK(strstr(c.text, "/* FUNC 'foo.cold'") && strstr(c.text, "/* FUNC 'X'"),
		"btf dump names: FUNCs C cannot name are comments");
	T_CHECK(strstr(c.text, "struct dup *fp;"), "btf dump names: a FWD shares its struct's name");
	if (!have_clang())
		t_skip("btf dump names: compile: clang not installed");
	else
		T_CHECK(compile_c(c.text, "", errs, sizeof(errs)) == 0, "btf dump names: the dump compiles (%s)", errs);
	free(c.text);
	bpfrt_btf__free(btf);
}

/* Valid BTF nested deeper than the dump will go: an error, not a crash. */
static void test_dump_deep(void)
{
	char log[512] = "";
	struct bpfrt_btf *btf;
	struct bb b;
	int err;

	bb_init(&b);
	bb_int(&b, "int", 4, BTF_INT_SIGNED, 32);
	for (uint32_t i = 0; i < 5000; i++) {
		bb_struct(&b, BTF_KIND_STRUCT, NULL, 4, 0);
		bb_member(&b, "m", i + 1, 0);
	}
	bb_ref(&b, BTF_KIND_TYPEDEF, "deep", b.nr);
	for (uint32_t i = 0; i < 100000; i++)
		bb_ref(&b, BTF_KIND_PTR, NULL, b.nr);
	bb_var(&b, "v", b.nr, BTF_VAR_STATIC);
	btf = parse_bb(&b, log, sizeof(log));
	bb_free(&b);
	T_CHECK(btf != NULL, "btf dump deep: 5,000 nested structs and 100,000 pointers parse (%s)", log);
	if (!btf)
		return;
	err = bpfrt_btf__dump_c(btf, discard, NULL);
	T_CHECK(err == -E2BIG, "btf dump deep: dump_c stops with -E2BIG (%d)", err);
	bpfrt_btf__free(btf);
}

/* ---- random mutations ---- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 16);
}

static void mutate(uint8_t *p, size_t *size, size_t cap)
{
	static const uint32_t interesting[] = { 0, 1, 2, 3, 4, 7, 8, 12, 16, 24, 0x7f, 0xff, 0xffff,
						0x10000, 0x7fffffff, 0x80000000, 0xffffffff, 0x01000000,
						0x04000000, 0x84000005, 0x0d000001 };
	unsigned int n = 1 + rnd() % 4;

	for (unsigned int i = 0; i < n && *size; i++) {
		size_t at = rnd() % *size;

		switch (rnd() % 6) {
		case 0:
			p[at] ^= (uint8_t)(1u << (rnd() % 8));
			break;
		case 1:
			p[at] = (uint8_t)rnd();
			break;
		case 2:
		case 3:
			if (at + 4 <= *size) {
				uint32_t v = interesting[rnd() % (sizeof(interesting) / sizeof(interesting[0]))];

				memcpy(p + (at & ~(size_t)3), &v, 4);
			}
			break;
		case 4:
			*size = at;
			break;
		default:
			if (*size + 4 <= cap) {
				memset(p + *size, (int)rnd(), 4);
				*size += 4;
			}
			break;
		}
	}
}

/* Everything a user may call on a BTF that parsed. */
static void exercise(const struct bpfrt_btf *btf)
{
	uint32_t n = bpfrt_btf__type_cnt(btf);

	for (uint32_t id = 0; id <= n; id++) {
		const struct btf_type *t = bpfrt_btf__type_by_id(btf, id);

		(void)bpfrt_btf__resolve_size(btf, id);
		(void)bpfrt_btf__skip_mods_and_typedefs(btf, id);
		if (t)
			(void)bpfrt_btf__find_by_name_kind(btf, bpfrt_btf__str(btf, t->name_off),
							   (int)BTF_INFO_KIND(t->info));
	}
	(void)bpfrt_btf__dump_c(btf, discard, NULL);
}

static void test_mutations(void)
{
	unsigned int accepted = 0, rejected = 0, silent = 0, iters = 4000;
	struct all_ids x;
	struct bb b;
	uint8_t *blob, *work;
	size_t size;

	build_all(&b, &x);
	blob = bb_blob(&b, &size);
	work = malloc(size + 64);
	if (!work)
		abort();
	for (unsigned int i = 0; i < iters; i++) {
		char log[512] = "";
		size_t n = size;
		struct bpfrt_btf *btf;

		memcpy(work, blob, size);
		mutate(work, &n, size + 64);
		btf = bpfrt_btf__parse(work, n, log, sizeof(log));
		if (btf) {
			accepted++;
			exercise(btf);
			bpfrt_btf__free(btf);
		} else {
			rejected++;
			if (strncmp(log, "BTF: ", 5))
				silent++;
		}
	}
	T_CHECK(silent == 0 && accepted + rejected == iters,
		"btf: %u random mutations: %u accepted (looked up and dumped), %u rejected, %u without a message",
		iters, accepted, rejected, silent);
	free(work);
	free(blob);
	bb_free(&b);
}

/* ---- .BTF.ext ---- */

struct eb {
	uint8_t buf[4096];
	size_t n;
};

static void eb_u32(struct eb *e, uint32_t v)
{
	memcpy(e->buf + e->n, &v, 4);
	e->n += 4;
}

struct ext_btf {
	struct bpfrt_btf *btf;
	uint32_t s_xdp, s_text, s_file, s_line, s_acc, s_badacc, f_main, f_sub;
};

static bool ext_btf_build(struct ext_btf *x)
{
	char log[512];
	struct bb b;

	bb_init(&b);
	bb_int(&b, "int", 4, BTF_INT_SIGNED, 32);                    /* 1 */
	bb_ref(&b, BTF_KIND_FUNC_PROTO, NULL, 1);                    /* 2 */
	x->f_main = bb_func(&b, "main", 2, BTF_FUNC_GLOBAL);         /* 3 */
	x->f_sub = bb_func(&b, "sub", 2, BTF_FUNC_STATIC);           /* 4 */
	bb_struct(&b, BTF_KIND_STRUCT, "s", 8, 0);                   /* 5 */
	bb_member(&b, "a", 1, 0);
	bb_member(&b, "b", 1, 32);
	x->s_xdp = bb_str(&b, "xdp");
	x->s_text = bb_str(&b, ".text");
	x->s_file = bb_str(&b, "/src/prog.c");
	x->s_line = bb_str(&b, "\treturn XDP_PASS;");
	x->s_acc = bb_str(&b, "0:1");
	x->s_badacc = bb_str(&b, "0:a");
	x->btf = parse_bb(&b, log, sizeof(log));
	bb_free(&b);
	return x->btf != NULL;
}

/*
 * A valid .BTF.ext: func info for xdp (main at 0) and .text (sub at 0,
 * main at 16), line info for xdp, one CO-RE relocation for xdp. `variant`
 * changes one thing (see the table below); rec sizes may be larger.
 */
enum ext_variant {
	EV_OK, EV_BIG_RECS, EV_NO_CORE_HDR, EV_FUNC_NOT_FUNC, EV_FUNC_UNSORTED, EV_LINE_UNSORTED,
	EV_LINE_FILE, EV_INSN_ODD, EV_CORE_TYPE, EV_CORE_ACCESS, EV_CORE_KIND, EV_DUP_SEC,
	EV_NO_RECS, EV_SEC_NAME, EV_OVERRUN, EV_REC_SMALL, EV_REC_ODD, EV_TRUNC_SEC, EV_UNALIGNED,
	EV_GROUP_OOB,
};

static void build_ext(struct eb *e, const struct ext_btf *x, enum ext_variant v)
{
	uint32_t func_rec = v == EV_BIG_RECS ? 12 : 8, line_rec = v == EV_BIG_RECS ? 20 : 16;
	uint32_t hdr_len = v == EV_NO_CORE_HDR ? 24 : 32;
	size_t func_start, line_start, core_start, end;
	uint32_t w[8];

	memset(e, 0, sizeof(*e));
	e->n = hdr_len + (v == EV_UNALIGNED ? 2 : 0);

	/* func_info */
	func_start = e->n;
	eb_u32(e, v == EV_REC_SMALL ? 4 : v == EV_REC_ODD ? 10 : func_rec);
	eb_u32(e, v == EV_SEC_NAME ? 99999 : x->s_xdp);
	eb_u32(e, v == EV_NO_RECS ? 0 : v == EV_OVERRUN ? 100 : 1);
	eb_u32(e, 0);
	eb_u32(e, v == EV_FUNC_NOT_FUNC ? 1 : x->f_main);
	if (func_rec > 8)
		eb_u32(e, 0xdead);
	eb_u32(e, v == EV_DUP_SEC ? x->s_xdp : x->s_text);
	eb_u32(e, 2);
	eb_u32(e, 0);
	eb_u32(e, x->f_sub);
	if (func_rec > 8)
		eb_u32(e, 0xdead);
	eb_u32(e, v == EV_FUNC_UNSORTED ? 0 : 16);
	eb_u32(e, x->f_main);
	if (func_rec > 8)
		eb_u32(e, 0xdead);
	if (v == EV_TRUNC_SEC)
		eb_u32(e, x->s_xdp);
	/* line_info */
	line_start = e->n;
	eb_u32(e, line_rec);
	eb_u32(e, x->s_xdp);
	eb_u32(e, 2);
	for (int i = 0; i < 2; i++) {
		eb_u32(e, v == EV_LINE_UNSORTED ? (uint32_t)(8 - 8 * i) : v == EV_INSN_ODD ? 3 : (uint32_t)(8 * i));
		eb_u32(e, v == EV_LINE_FILE ? 1u << 30 : x->s_file);
		eb_u32(e, x->s_line);
		eb_u32(e, (12u << 10) | 3);
		if (line_rec > 16)
			eb_u32(e, 0);
	}
	/* core_relo */
	core_start = e->n;
	eb_u32(e, 16);
	eb_u32(e, x->s_xdp);
	eb_u32(e, 1);
	eb_u32(e, 8);
	eb_u32(e, v == EV_CORE_TYPE ? 999 : 5);
	eb_u32(e, v == EV_CORE_ACCESS ? x->s_badacc : x->s_acc);
	eb_u32(e, v == EV_CORE_KIND ? 99 : BPF_CORE_FIELD_BYTE_OFFSET);
	end = e->n;

	w[0] = BTF_MAGIC | (1u << 16); /* magic, version 1, flags 0 */
	w[1] = hdr_len;
	w[2] = (uint32_t)(func_start - hdr_len);
	w[3] = (uint32_t)(line_start - func_start);
	w[4] = (uint32_t)(line_start - hdr_len);
	w[5] = (uint32_t)(core_start - line_start);
	w[6] = (uint32_t)(core_start - hdr_len);
	w[7] = (uint32_t)(end - core_start) + (v == EV_GROUP_OOB ? 4 : 0);
	memcpy(e->buf, w, hdr_len);
}

static void test_btf_ext(void)
{
	static const struct {
		enum ext_variant v;
		const char *name, *expect;
	} bad[] = {
		{ EV_FUNC_NOT_FUNC, "func info naming an int", "record #0 type id 1 is not a FUNC" },
		{ EV_FUNC_UNSORTED, "func info not increasing", "func_info of section '.text': record #1 insn_off 0 is not above" },
		{ EV_LINE_UNSORTED, "line info going back", "line_info of section 'xdp': record #1 insn_off 0 is below" },
		{ EV_LINE_FILE, "line info file name out of range", "file name offset 1073741824" },
		{ EV_INSN_ODD, "insn_off not a multiple of 8", "insn_off 3 is not a multiple of 8" },
		{ EV_CORE_TYPE, "core relo type id 999", "type id 999 out of range" },
		{ EV_CORE_ACCESS, "core relo access \"0:a\"", "access string \"0:a\"" },
		{ EV_CORE_KIND, "core relo kind 99", "unknown kind 99" },
		{ EV_DUP_SEC, "a section listed twice", "func_info lists section 'xdp' twice" },
		{ EV_NO_RECS, "a section without records", "func_info of section 'xdp' has no records" },
		{ EV_SEC_NAME, "section name out of range", "section name offset 99999" },
		{ EV_OVERRUN, "records overrunning the group", "100 records of 8 bytes overrun" },
		{ EV_REC_SMALL, "record size 4", "func_info record size 4 is below 8" },
		{ EV_REC_ODD, "record size 10", "record size 10 is not a multiple of 4" },
		{ EV_TRUNC_SEC, "truncated section header", "truncated section header" },
		{ EV_UNALIGNED, "group not 4-byte aligned", "func_info offset 2 is not 4-byte aligned" },
		{ EV_GROUP_OOB, "group beyond the section", "core_relo (offset" },
	};
	struct ext_btf x;
	struct btf_ext *ext = NULL;
	const struct btf_ext_sec *sec;
	char log[512] = "";
	struct eb e;
	int err;

	if (!ext_btf_build(&x)) {
		t_fail("btf.ext: helper BTF does not parse");
		return;
	}
	build_ext(&e, &x, EV_OK);
	err = btf_ext_parse(e.buf, e.n, x.btf, &ext, log, sizeof(log));
	T_CHECK(err == 0 && ext, "btf.ext: valid section parses (%s)", log);
	if (ext) {
		const struct bpf_func_info *fi;
		const struct bpf_line_info *li;
		const struct bpf_core_relo *cr;

		T_CHECK(ext->func_info.rec_size == 8 && ext->func_info.sec_cnt == 2 &&
			ext->line_info.sec_cnt == 1 && ext->core_relo.sec_cnt == 1,
			"btf.ext: group and section counts");
		sec = btf_ext_find(&ext->func_info, ".text");
		fi = sec ? sec->recs : NULL;
		T_CHECK(sec && sec->cnt == 2 && fi[1].insn_off == 16 && fi[1].type_id == x.f_main,
			"btf.ext: func info of .text");
		sec = btf_ext_find(&ext->line_info, "xdp");
		li = sec ? sec->recs : NULL;
		T_CHECK(sec && sec->cnt == 2 && li[1].insn_off == 8 && BPF_LINE_INFO_LINE_NUM(li[1].line_col) == 12 &&
			!strcmp(bpfrt_btf__str(x.btf, li[0].file_name_off), "/src/prog.c"),
			"btf.ext: line info of xdp");
		sec = btf_ext_find(&ext->core_relo, "xdp");
		cr = sec ? sec->recs : NULL;
		T_CHECK(sec && cr[0].type_id == 5 && !strcmp(bpfrt_btf__str(x.btf, cr[0].access_str_off), "0:1"),
			"btf.ext: core relocation of xdp");
		T_CHECK(btf_ext_find(&ext->func_info, "kprobe/x") == NULL && btf_ext_find(NULL, "xdp") == NULL,
			"btf.ext: find of a missing section is NULL");
	}
	btf_ext_free(ext);

	build_ext(&e, &x, EV_BIG_RECS);
	err = btf_ext_parse(e.buf, e.n, x.btf, &ext, log, sizeof(log));
	sec = err ? NULL : btf_ext_find(&ext->func_info, ".text");
	T_CHECK(sec && ext->func_info.rec_size == 12 &&
		((const struct bpf_func_info *)((const char *)sec->recs + 12))->type_id == x.f_main,
		"btf.ext: larger records are stepped by rec_size (%s)", log);
	btf_ext_free(err ? NULL : ext);

	build_ext(&e, &x, EV_NO_CORE_HDR);
	err = btf_ext_parse(e.buf, e.n, x.btf, &ext, log, sizeof(log));
	T_CHECK(!err && ext->core_relo.sec_cnt == 0 && ext->line_info.sec_cnt == 1,
		"btf.ext: a 24-byte header has no CO-RE relocations (%s)", log);
	btf_ext_free(err ? NULL : ext);

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		build_ext(&e, &x, bad[i].v);
		log[0] = '\0';
		ext = (void *)1;
		err = btf_ext_parse(e.buf, e.n, x.btf, &ext, log, sizeof(log));
		T_CHECK(err == -EINVAL && ext == NULL && !strncmp(log, ".BTF.ext: ", 10) && strstr(log, bad[i].expect),
			"btf.ext: reject %s: want \"%s\", got \"%s\"", bad[i].name, bad[i].expect, log);
	}

	/* header mutations */
	{
		static const struct {
			size_t at;
			uint32_t val;
			int width;
			const char *expect;
		} hp[] = {
			{ 0, 0x1234, 2, "bad magic 0x1234" },
			{ 0, 0x9feb, 2, "big-endian .BTF.ext is not supported" },
			{ 2, 2, 1, "unsupported version 2" },
			{ 3, 1, 1, "unsupported header flags" },
			{ 4, 16, 4, "header length 16 is below 24" },
			{ 4, 5000, 4, "header length 5000 exceeds" },
		};

		for (size_t i = 0; i < sizeof(hp) / sizeof(hp[0]); i++) {
			build_ext(&e, &x, EV_OK);
			memcpy(e.buf + hp[i].at, &hp[i].val, (size_t)hp[i].width);
			err = btf_ext_parse(e.buf, e.n, x.btf, &ext, log, sizeof(log));
			T_CHECK(err == -EINVAL && strstr(log, hp[i].expect), "btf.ext: header: want \"%s\", got \"%s\"",
				hp[i].expect, log);
		}
		err = btf_ext_parse(e.buf, 10, x.btf, &ext, log, sizeof(log));
		T_CHECK(err == -EINVAL && strstr(log, "truncated header"), "btf.ext: truncated header: \"%s\"", log);
	}

	/* random mutations: never a crash, always a message */
	{
		unsigned int ok = 0, bad_cnt = 0, silent = 0;
		struct eb base;

		build_ext(&base, &x, EV_OK);
		for (unsigned int i = 0; i < 3000; i++) {
			size_t n = base.n;

			memcpy(&e, &base, sizeof(e));
			mutate(e.buf, &n, sizeof(e.buf));
			log[0] = '\0';
			err = btf_ext_parse(e.buf, n, x.btf, &ext, log, sizeof(log));
			if (!err) {
				ok++;
				/* walk what was accepted, as the loader will */
				for (uint32_t s = 0; s < ext->line_info.sec_cnt; s++) {
					const struct btf_ext_sec *ls = &ext->line_info.secs[s];

					for (uint32_t r = 0; r < ls->cnt; r++) {
						const struct bpf_line_info *li =
							(const void *)((const char *)ls->recs + (size_t)r * ext->line_info.rec_size);

						if (!bpfrt_btf__str(x.btf, li->line_off))
							silent++;
					}
				}
				btf_ext_free(ext);
			} else {
				bad_cnt++;
				if (strncmp(log, ".BTF.ext: ", 10))
					silent++;
			}
		}
		T_CHECK(silent == 0, "btf.ext: 3000 random mutations: %u accepted, %u rejected, all checked", ok, bad_cnt);
	}
	bpfrt_btf__free(x.btf);
}

/* ---- the running kernel's BTF ---- */

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void test_vmlinux(void)
{
	const char *path = "/sys/kernel/btf/vmlinux";
	struct chunks c = { 0 };
	char log[512] = "", errs[4096];
	struct bpfrt_btf *btf;
	double times[5];
	int id, u64, err;

	if (access(path, R_OK)) {
		t_skip("btf vmlinux: %s not readable", path);
		return;
	}
	btf = NULL;
	for (int i = 0; i < 5; i++) {
		double t0 = now_ms();

		bpfrt_btf__free(btf);
		btf = bpfrt_btf__load_file(path, log, sizeof(log));
		times[i] = now_ms() - t0;
		if (!btf)
			break;
	}
	T_CHECK(btf != NULL, "btf vmlinux: parses (%s)", log);
	if (!btf)
		return;
	qsort(times, 5, sizeof(times[0]), cmp_double);
	/* generous: catches a quadratic pass, not a slow machine (or ASan) */
	T_CHECK(times[2] < 1000, "btf vmlinux: %u types read and validated in %.1f ms (median of 5)",
		bpfrt_btf__type_cnt(btf), times[2]);
	T_CHECK(bpfrt_btf__type_cnt(btf) > 1000, "btf vmlinux: more than 1000 types");
	id = bpfrt_btf__find_by_name_kind(btf, "task_struct", BTF_KIND_STRUCT);
	T_CHECK(id > 0 && bpfrt_btf__resolve_size(btf, (uint32_t)id) > 1000,
		"btf vmlinux: struct task_struct found, %lld bytes", (long long)bpfrt_btf__resolve_size(btf, (uint32_t)(id > 0 ? id : 0)));
	u64 = bpfrt_btf__find_by_name_kind(btf, "u64", BTF_KIND_TYPEDEF);
	T_CHECK(u64 > 0 && bpfrt_btf__resolve_size(btf, (uint32_t)u64) == 8 &&
		BTF_INFO_KIND(bpfrt_btf__type_by_id(btf, bpfrt_btf__skip_mods_and_typedefs(btf, (uint32_t)u64))->info) == BTF_KIND_INT,
		"btf vmlinux: typedef u64 resolves to an 8-byte int");
	err = bpfrt_btf__dump_c(btf, collect, &c);
	T_CHECK(err == 0 && c.len > 1000000, "btf vmlinux: dump_c gives %zu bytes (%d)", c.len, err);
	if (!have_clang()) {
		t_skip("btf vmlinux: compile the dump: clang not installed");
	} else if (!err) {
		append_layout_asserts(btf, &c);
		T_CHECK(compile_c(c.text, "", errs, sizeof(errs)) == 0,
			"btf vmlinux: the dump compiles with every struct size and member offset asserted (%.300s)", errs);
	}
	free(c.text);
	bpfrt_btf__free(btf);
}

int main(void)
{
	test_lookups();
	test_malformed();
	test_legal_shapes();
	test_files();
	test_dump();
	test_dump_names();
	test_dump_deep();
	test_mutations();
	test_btf_ext();
	test_vmlinux();
	return t_exit();
}
