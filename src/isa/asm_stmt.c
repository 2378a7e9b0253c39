/* SPDX-License-Identifier: MIT */
/*
 * src/isa/asm_stmt.c - one assembler statement, in LLVM or uBPF syntax
 * (the grammar of both is at the top of asm.c).
 *
 * A statement is a token array (asm_int.h). LLVM statements are told apart
 * by their first token: a register (`r1 += 2`, `r0 = *(u8 *)...`), `*` (a
 * store), `if`, `lock *`. Everything else starts with a mnemonic, looked up
 * in the MNEMONIC column of src/isa/opcodes.h; the mnemonics that name a
 * variant of a row through its other fields (sdiv, movsx832, le16, ...)
 * are derived from that row's name, so no opcode is listed here.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "isa/asm_int.h"
#include "isa/asm_syntax.h"
#include "isa/opcodes.h"

/* ---- tokens ---- */

static const struct asm_tok *cur(const struct asm_state *a)
{
	return &a->toks[a->pos];
}

static const struct asm_tok *next(const struct asm_state *a)
{
	return a->pos < a->ntoks ? &a->toks[a->pos + 1] : &a->toks[a->ntoks];
}

static bool tok_eq(const struct asm_tok *t, enum asm_tok_kind kind, const char *s)
{
	return t->kind == kind && t->len == strlen(s) && !memcmp(t->s, s, t->len);
}

static bool is_p(const struct asm_tok *t, const char *s)
{
	return tok_eq(t, ASM_T_PUNCT, s);
}

static bool is_id(const struct asm_tok *t, const char *s)
{
	return tok_eq(t, ASM_T_IDENT, s);
}

static bool accept_p(struct asm_state *a, const char *s)
{
	if (!is_p(cur(a), s))
		return false;
	a->pos++;
	return true;
}

static bool accept_id(struct asm_state *a, const char *s)
{
	if (!is_id(cur(a), s))
		return false;
	a->pos++;
	return true;
}

/* "'foo'" or "end of line", for messages. */
static const char *desc(const struct asm_tok *t, char *buf, size_t size)
{
	if (t->kind == ASM_T_END)
		snprintf(buf, size, "end of line");
	else
		snprintf(buf, size, "'%.*s'", t->len > 40 ? 40 : (int)t->len, t->s);
	return buf;
}

static int expect_p(struct asm_state *a, const char *s)
{
	char d[48];

	if (accept_p(a, s))
		return 0;
	return asm_fail(a, "expected '%s', found %s", s, desc(cur(a), d, sizeof(d)));
}

/* The statement must end here. */
static int finish(struct asm_state *a)
{
	char d[48];

	if (cur(a)->kind == ASM_T_END)
		return 0;
	return asm_fail(a, "unexpected %s", desc(cur(a), d, sizeof(d)));
}

/* ---- registers and numbers ---- */

struct reg {
	unsigned n;
	bool w; /* written wN: the 32-bit view (LLVM syntax) */
};

/* 1 and *r if t names a register, 0 if it does not, -EINVAL if out of range. */
static int reg_of(struct asm_state *a, const struct asm_tok *t, struct reg *r)
{
	size_t i;
	unsigned n = 0;

	if (t->kind != ASM_T_IDENT || !asm_is_reg_name(t->s, t->len))
		return 0;
	i = t->s[0] == '%';
	r->w = t->s[i] == 'w';
	for (i++; i < t->len; i++)
		if (n < 1000)
			n = n * 10 + (unsigned)(t->s[i] - '0');
	if (n > BPFRT_REG_10)
		return asm_fail(a, "register %.*s out of range", t->len > 40 ? 40 : (int)t->len,
				t->s);
	r->n = n;
	return 1;
}

static int parse_reg(struct asm_state *a, struct reg *r)
{
	char d[48];
	int k = reg_of(a, cur(a), r);

	if (k < 0)
		return k;
	if (!k)
		return asm_fail(a, "expected register, found %s", desc(cur(a), d, sizeof(d)));
	a->pos++;
	return 0;
}

/* Both operands of a 64-bit operation are rN, of a 32-bit one wN. */
static int same_class(struct asm_state *a, struct reg x, struct reg y)
{
	if (x.w != y.w)
		return asm_fail(a, "mixed 32-bit and 64-bit registers (%c%u and %c%u)",
				x.w ? 'w' : 'r', x.n, y.w ? 'w' : 'r', y.n);
	return 0;
}

static int need_r(struct asm_state *a, struct reg r, const char *what)
{
	if (r.w)
		return asm_fail(a, "%s needs a 64-bit register, not w%u", what, r.n);
	return 0;
}

int asm_parse_num(struct asm_state *a, struct asm_num *n)
{
	char d[48];

	n->neg = false;
	if (accept_p(a, "-"))
		n->neg = true;
	else
		accept_p(a, "+");
	if (cur(a)->kind != ASM_T_NUM)
		return asm_fail(a, "expected number, found %s", desc(cur(a), d, sizeof(d)));
	n->mag = cur(a)->num;
	n->s = cur(a)->s;
	n->len = cur(a)->len > 40 ? 40 : cur(a)->len;
	a->pos++;
	return 0;
}

/* -2^31 .. 2^32-1; values above INT32_MAX keep their 32-bit pattern. */
static int imm32_of(struct asm_state *a, const struct asm_num *n, int32_t *v)
{
	if (n->neg ? n->mag > 0x80000000ull : n->mag > 0xffffffffull)
		return asm_fail(a, "immediate %s%.*s does not fit in 32 bits", n->neg ? "-" : "",
				(int)n->len, n->s);
	*v = (int32_t)(uint32_t)(n->neg ? (uint64_t)0 - n->mag : n->mag);
	return 0;
}

static int parse_imm32(struct asm_state *a, int32_t *v)
{
	struct asm_num n;

	return asm_parse_num(a, &n) ? -EINVAL : imm32_of(a, &n, v);
}

static int off16_of(struct asm_state *a, const struct asm_num *n, int16_t *v)
{
	if (n->neg ? n->mag > 0x8000 : n->mag > 0x7fff)
		return asm_fail(a, "offset %s%.*s does not fit in 16 bits", n->neg ? "-" : "",
				(int)n->len, n->s);
	*v = (int16_t)(n->neg ? -(int32_t)n->mag : (int32_t)n->mag);
	return 0;
}

/* REG [(+|-) NUM]: the address of a load, store or atomic. */
static int parse_base_off(struct asm_state *a, struct reg *r, int16_t *off)
{
	struct asm_num n;
	bool minus;

	*off = 0;
	if (parse_reg(a, r))
		return -EINVAL;
	if (!is_p(cur(a), "+") && !is_p(cur(a), "-"))
		return 0;
	minus = is_p(cur(a), "-");
	a->pos++;
	if (asm_parse_num(a, &n))
		return -EINVAL;
	n.neg ^= minus;
	return off16_of(a, &n, off);
}

static int parse_mem(struct asm_state *a, const char *open, const char *close, struct reg *r,
		     int16_t *off)
{
	if (expect_p(a, open) || parse_base_off(a, r, off))
		return -EINVAL;
	return expect_p(a, close);
}

/* A jump or call target: a number of slots, or a label resolved later. */
static int parse_target(struct asm_state *a, enum asm_fix_kind kind, int32_t *rel)
{
	const struct asm_tok *t = cur(a);
	struct asm_num n;
	int64_t v;

	*rel = 0;
	if (t->kind == ASM_T_IDENT) {
		struct reg r;
		int k = reg_of(a, t, &r);

		if (k < 0)
			return k;
		if (k)
			return asm_fail(a, "expected jump target, found register");
		a->pos++;
		return asm_add_fixup(a, t, kind);
	}
	if (asm_parse_num(a, &n))
		return -EINVAL;
	if (n.mag > (uint64_t)1 << 32)
		return asm_fail(a, "jump offset out of range");
	v = n.neg ? -(int64_t)n.mag : (int64_t)n.mag;
	if (kind == ASM_FIX_OFF16 ? v < INT16_MIN || v > INT16_MAX : v < INT32_MIN || v > INT32_MAX)
		return asm_fail(a, "jump offset out of range");
	*rel = (int32_t)v;
	return 0;
}

/* ---- emitting ---- */

static int emit(struct asm_state *a, uint8_t code, unsigned dst, unsigned src, int16_t off,
		int32_t imm)
{
	if (finish(a))
		return -EINVAL;
	if (code == OP_EXIT && !a->have_exit) {
		a->have_exit = true;
		a->first_exit = a->cnt;
	}
	return asm_emit(a, BPFRT_RAW_INSN(code, dst, src, off, imm));
}

static int emit_lddw(struct asm_state *a, unsigned dst, unsigned src, uint64_t v)
{
	int err;

	if (finish(a))
		return -EINVAL;
	err = asm_emit(a, BPFRT_RAW_INSN(OP_LDDW, dst, src, 0, (int32_t)(uint32_t)v));
	return err ? err : asm_emit(a, BPFRT_RAW_INSN(0, 0, 0, 0, (int32_t)(uint32_t)(v >> 32)));
}

static uint8_t size_field(unsigned bits)
{
	return bits == 8 ? BPFRT_B : bits == 16 ? BPFRT_H : bits == 32 ? BPFRT_W : BPFRT_DW;
}

/* ---- pieces shared by both syntaxes ---- */

/* imm64, or a pseudo source: map_fd(3), map_value(3, 16), func(label)... */
static int parse_lddw_value(struct asm_state *a, unsigned *src, uint64_t *v)
{
	const struct asm_tok *t = cur(a);
	int32_t lo = 0, hi = 0;
	struct asm_num n;

	*src = 0;
	if (t->kind == ASM_T_IDENT && is_p(next(a), "(")) {
		for (unsigned i = 1; i <= ASM_PSEUDO_MAX; i++)
			if (is_id(t, asm_pseudo_name[i]))
				*src = i;
		/* the conformance suite's spellings */
		if (is_id(t, "map_by_fd"))
			*src = BPFRT_PSEUDO_MAP_FD;
		if (is_id(t, "map_by_idx"))
			*src = BPFRT_PSEUDO_MAP_IDX;
		if (!*src)
			return asm_fail(a, "unknown pseudo source '%.*s'",
					t->len > 40 ? 40 : (int)t->len, t->s);
		a->pos += 2;
		if (*src == BPFRT_PSEUDO_FUNC ? parse_target(a, ASM_FIX_IMM32, &lo) :
						parse_imm32(a, &lo))
			return -EINVAL;
		if (accept_p(a, ",")) {
			if (parse_imm32(a, &hi))
				return -EINVAL;
		} else if (asm_pseudo_has_imm2(*src)) {
			return asm_fail(a, "%s() takes two values", asm_pseudo_name[*src]);
		}
		if (expect_p(a, ")"))
			return -EINVAL;
		*v = (uint64_t)(uint32_t)lo | (uint64_t)(uint32_t)hi << 32;
		return 0;
	}
	if (asm_parse_num(a, &n))
		return -EINVAL;
	if (n.neg && n.mag > (uint64_t)1 << 63)
		return asm_fail(a, "immediate -%.*s does not fit in 64 bits", (int)n.len, n.s);
	*v = n.neg ? (uint64_t)0 - n.mag : n.mag;
	return 0;
}

/*
 * call N | call helper N | call local T | call pc+N | call runtime N |
 * call kfunc N | call rN | call label
 */
static int parse_call(struct asm_state *a)
{
	const struct asm_tok *t;
	struct reg r;
	int32_t imm;
	int k;

	a->pos++;
	t = cur(a);
	k = reg_of(a, t, &r);
	if (k < 0)
		return k;
	if (k) {
		a->pos++;
		return emit(a, OP_CALLX, r.n, 0, 0, 0);
	}
	if (t->kind == ASM_T_IDENT && next(a)->kind != ASM_T_END) {
		if (accept_id(a, "helper"))
			return parse_imm32(a, &imm) ? -EINVAL :
			       emit(a, OP_CALL, 0, BPFRT_PSEUDO_CALL_HELPER, 0, imm);
		if (accept_id(a, "local"))
			return parse_target(a, ASM_FIX_IMM32, &imm) ? -EINVAL :
			       emit(a, OP_CALL, 0, BPFRT_PSEUDO_CALL, 0, imm);
		if (accept_id(a, "runtime") || accept_id(a, "kfunc"))
			return parse_imm32(a, &imm) ? -EINVAL :
			       emit(a, OP_CALL, 0, BPFRT_PSEUDO_KFUNC_CALL, 0, imm);
		if (is_id(t, "pc") && (is_p(next(a), "+") || is_p(next(a), "-"))) {
			a->pos++;
			if (parse_target(a, ASM_FIX_IMM32, &imm))
				return -EINVAL;
			return emit(a, OP_CALL, 0, BPFRT_PSEUDO_CALL, 0, imm);
		}
	}
	if (t->kind == ASM_T_IDENT)
		return parse_target(a, ASM_FIX_IMM32, &imm) ? -EINVAL :
		       emit(a, OP_CALL, 0, BPFRT_PSEUDO_CALL, 0, imm);
	return parse_imm32(a, &imm) ? -EINVAL :
	       emit(a, OP_CALL, 0, BPFRT_PSEUDO_CALL_HELPER, 0, imm);
}

/* ---- LLVM syntax ---- */

/* "u32" -> 32, unsigned; "s16" -> 16, signed. */
static bool size_of(const struct asm_tok *t, unsigned *bits, bool *sgn)
{
	static const char *const names[] = { "u8", "u16", "u32", "u64", "s8", "s16", "s32" };
	static const unsigned sizes[] = { 8, 16, 32, 64, 8, 16, 32 };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (is_id(t, names[i])) {
			*bits = sizes[i];
			*sgn = names[i][0] == 's';
			return true;
		}
	return false;
}

/* "(u32 *)" */
static int parse_cast(struct asm_state *a, unsigned *bits, bool *sgn)
{
	char d[48];

	if (expect_p(a, "("))
		return -EINVAL;
	if (!size_of(cur(a), bits, sgn))
		return asm_fail(a, "expected u8, u16, u32, u64, s8, s16 or s32, found %s",
				desc(cur(a), d, sizeof(d)));
	a->pos++;
	if (expect_p(a, "*"))
		return -EINVAL;
	return expect_p(a, ")");
}

/* REG = *(uN *)(REG + OFF) | *(sN *)(...) | *(uN *)skb[...] */
static int llvm_load(struct asm_state *a, struct reg d)
{
	unsigned bits;
	bool sgn;
	struct reg s;
	int16_t off;

	a->pos++; /* '*' */
	if (parse_cast(a, &bits, &sgn))
		return -EINVAL;
	if (accept_id(a, "skb")) {
		uint8_t code = BPFRT_LD | size_field(bits);
		int32_t imm = 0;
		int k;

		if (sgn || bits == 64)
			return asm_fail(a, "packet loads are u8, u16 or u32");
		if (d.n != 0)
			return asm_fail(a, "packet loads write r0, not %c%u", d.w ? 'w' : 'r', d.n);
		if (expect_p(a, "["))
			return -EINVAL;
		k = reg_of(a, cur(a), &s);
		if (k < 0)
			return k;
		if (k) {
			a->pos++;
			code |= BPFRT_IND;
			if (is_p(cur(a), "+") || is_p(cur(a), "-")) {
				bool minus = is_p(cur(a), "-");
				struct asm_num n;

				a->pos++;
				if (asm_parse_num(a, &n))
					return -EINVAL;
				n.neg ^= minus;
				if (imm32_of(a, &n, &imm))
					return -EINVAL;
			}
		} else {
			code |= BPFRT_ABS;
			s.n = 0;
			if (parse_imm32(a, &imm))
				return -EINVAL;
		}
		if (expect_p(a, "]"))
			return -EINVAL;
		return emit(a, code, 0, s.n, 0, imm);
	}
	if (parse_mem(a, "(", ")", &s, &off) || need_r(a, s, "an address"))
		return -EINVAL;
	if (sgn) {
		if (need_r(a, d, "a sign-extending load"))
			return -EINVAL;
		return emit(a, BPFRT_LDX | size_field(bits) | BPFRT_MEMSX, d.n, s.n, off, 0);
	}
	if (bits == 64 && need_r(a, d, "a 64-bit load"))
		return -EINVAL;
	return emit(a, BPFRT_LDX | size_field(bits) | BPFRT_MEM, d.n, s.n, off, 0);
}

/* *(uN *)(REG + OFF) = REG | IMM */
static int llvm_store(struct asm_state *a)
{
	unsigned bits;
	bool sgn;
	struct reg d, s;
	int16_t off;
	int32_t imm;
	int k;

	a->pos++; /* '*' */
	if (parse_cast(a, &bits, &sgn))
		return -EINVAL;
	if (sgn)
		return asm_fail(a, "stores take u8, u16, u32 or u64");
	if (parse_mem(a, "(", ")", &d, &off) || need_r(a, d, "an address") || expect_p(a, "="))
		return -EINVAL;
	k = reg_of(a, cur(a), &s);
	if (k < 0)
		return k;
	if (k) {
		a->pos++;
		if (bits == 64 && need_r(a, s, "a 64-bit store"))
			return -EINVAL;
		return emit(a, BPFRT_STX | size_field(bits) | BPFRT_MEM, d.n, s.n, off, 0);
	}
	if (parse_imm32(a, &imm))
		return -EINVAL;
	return emit(a, BPFRT_ST | size_field(bits) | BPFRT_MEM, d.n, 0, off, imm);
}

/* lock *(uN *)(REG + OFF) op= REG */
static int llvm_lock(struct asm_state *a)
{
	unsigned bits;
	bool sgn;
	struct reg d, s;
	int16_t off;
	int op = -1;
	char dd[48];

	a->pos += 2; /* lock * */
	if (parse_cast(a, &bits, &sgn))
		return -EINVAL;
	if (sgn || bits < 32)
		return asm_fail(a, "atomic operations take u32 or u64");
	if (parse_mem(a, "(", ")", &d, &off) || need_r(a, d, "an address"))
		return -EINVAL;
	for (int i = 0; i < 16; i++)
		if (asm_atomic_op[i] && i < (BPFRT_XCHG >> 4) && is_p(cur(a), asm_alu_llvm_op[i]))
			op = i << 4;
	if (op < 0)
		return asm_fail(a, "expected +=, |=, &= or ^=, found %s", desc(cur(a), dd, sizeof(dd)));
	a->pos++;
	if (parse_reg(a, &s) || (bits == 64 && need_r(a, s, "a 64-bit atomic")))
		return -EINVAL;
	return emit(a, BPFRT_STX | size_field(bits) | BPFRT_ATOMIC, d.n, s.n, off, op);
}

/*
 * REG = atomic_fetch_OP((uN *)(REG + OFF), REG)
 * REG = xchg_64(REG + OFF, REG)         w = xchg32_32(...)
 * r0 = cmpxchg_64(REG + OFF, r0, REG)   w0 = cmpxchg32_32(...)
 */
static int llvm_atomic_call(struct asm_state *a, struct reg d, const struct asm_tok *t)
{
	unsigned bits = 64;
	bool sgn;
	struct reg base, s, r0;
	int16_t off;
	int32_t imm = -1;

	a->pos++;
	if (expect_p(a, "("))
		return -EINVAL;
	if (t->len > 13 && !memcmp(t->s, "atomic_fetch_", 13)) {
		for (int i = 0; i < (BPFRT_XCHG >> 4); i++)
			if (asm_atomic_op[i] && t->len - 13 == strlen(asm_atomic_op[i]) &&
			    !memcmp(t->s + 13, asm_atomic_op[i], t->len - 13))
				imm = i << 4 | BPFRT_FETCH;
		if (imm < 0)
			return asm_fail(a, "unknown atomic operation '%.*s'", (int)t->len, t->s);
		if (parse_cast(a, &bits, &sgn))
			return -EINVAL;
		if (sgn || bits < 32)
			return asm_fail(a, "atomic operations take u32 or u64");
		if (parse_mem(a, "(", ")", &base, &off))
			return -EINVAL;
	} else {
		imm = t->s[0] == 'c' ? BPFRT_CMPXCHG : BPFRT_XCHG;
		bits = t->s[t->len - 2] == '3' ? 32 : 64;
		if (parse_base_off(a, &base, &off))
			return -EINVAL;
		if (imm == BPFRT_CMPXCHG) {
			if (expect_p(a, ",") || parse_reg(a, &r0))
				return -EINVAL;
			if (d.n != 0 || r0.n != 0)
				return asm_fail(a, "cmpxchg compares with and returns r0");
		}
	}
	if (need_r(a, base, "an address") || expect_p(a, ",") || parse_reg(a, &s) ||
	    expect_p(a, ")"))
		return -EINVAL;
	if (imm != BPFRT_CMPXCHG && s.n != d.n)
		return asm_fail(a, "%.*s returns into its source register %c%u", (int)t->len, t->s,
				s.w ? 'w' : 'r', s.n);
	if (bits == 64 && (need_r(a, d, "a 64-bit atomic") || need_r(a, s, "a 64-bit atomic")))
		return -EINVAL;
	return emit(a, BPFRT_STX | size_field(bits) | BPFRT_ATOMIC, base.n, s.n, off, imm);
}

/* "be16", "le32", "bswap64": the END opcode byte and the size, or 0. */
static uint8_t end_of(const struct asm_tok *t, int32_t *size)
{
	static const struct {
		const char *prefix;
		uint8_t code;
	} forms[] = {
		{ "be", BPFRT_ALU | BPFRT_END | BPFRT_TO_BE },
		{ "le", BPFRT_ALU | BPFRT_END | BPFRT_TO_LE },
		{ "bswap", BPFRT_ALU64 | BPFRT_END | BPFRT_TO_LE },
	};

	if (t->kind != ASM_T_IDENT)
		return 0;
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		size_t n = strlen(forms[i].prefix);

		if (t->len != n + 2 || memcmp(t->s, forms[i].prefix, n))
			continue;
		if (!memcmp(t->s + n, "16", 2))
			*size = 16;
		else if (!memcmp(t->s + n, "32", 2))
			*size = 32;
		else if (!memcmp(t->s + n, "64", 2))
			*size = 64;
		else
			return 0;
		return forms[i].code;
	}
	return 0;
}

/* REG = ... */
static int llvm_assign(struct asm_state *a, struct reg d)
{
	const struct asm_tok *t = cur(a);
	uint8_t alu = d.w ? BPFRT_ALU : BPFRT_ALU64;
	struct reg s;
	struct asm_num n;
	int32_t imm = 0;
	uint64_t v;
	unsigned src;
	uint8_t code;
	int k;

	if (is_p(t, "-") && reg_of(a, next(a), &s) == 1) { /* r1 = -r1 */
		a->pos += 2;
		if (s.n != d.n || s.w != d.w)
			return asm_fail(a, "negation must name the destination register twice");
		return emit(a, alu | BPFRT_NEG, d.n, 0, 0, 0);
	}
	k = reg_of(a, t, &s);
	if (k < 0)
		return k;
	if (k) { /* r1 = r2 */
		a->pos++;
		return same_class(a, d, s) ? -EINVAL : emit(a, alu | BPFRT_MOV | BPFRT_X, d.n, s.n, 0, 0);
	}
	if (accept_p(a, "(")) { /* r1 = (s8)r2 */
		unsigned bits;
		bool sgn;
		char dd[48];

		if (!size_of(cur(a), &bits, &sgn) || !sgn)
			return asm_fail(a, "expected s8, s16 or s32, found %s",
					desc(cur(a), dd, sizeof(dd)));
		a->pos++;
		if (expect_p(a, ")") || parse_reg(a, &s) || same_class(a, d, s))
			return -EINVAL;
		if (bits == 32 && d.w)
			return asm_fail(a, "(s32) sign extension needs 64-bit registers");
		return emit(a, alu | BPFRT_MOV | BPFRT_X, d.n, s.n, (int16_t)bits, 0);
	}
	if (is_p(t, "*"))
		return llvm_load(a, d);
	code = end_of(t, &imm);
	if (code) { /* r1 = be16 r1 */
		a->pos++;
		if (parse_reg(a, &s))
			return -EINVAL;
		if (s.n != d.n)
			return asm_fail(a, "byte swap must name the destination register twice");
		return emit(a, code, d.n, 0, 0, imm);
	}
	if (t->kind == ASM_T_IDENT && is_p(next(a), "(")) {
		if ((t->len > 13 && !memcmp(t->s, "atomic_fetch_", 13)) || is_id(t, "xchg_64") ||
		    is_id(t, "xchg32_32") || is_id(t, "cmpxchg_64") || is_id(t, "cmpxchg32_32"))
			return llvm_atomic_call(a, d, t);
		/* r1 = map_fd(3) ll */
		if (parse_lddw_value(a, &src, &v) || need_r(a, d, "lddw"))
			return -EINVAL;
		accept_id(a, "ll");
		return emit_lddw(a, d.n, src, v);
	}
	if (t->kind == ASM_T_IDENT) {
		char dd[48];

		return asm_fail(a, "unexpected %s", desc(t, dd, sizeof(dd)));
	}
	/* r1 = 5, r1 = 0x1122334455667788 ll */
	if (asm_parse_num(a, &n))
		return -EINVAL;
	if (accept_id(a, "ll")) {
		if (need_r(a, d, "lddw"))
			return -EINVAL;
		if (n.neg && n.mag > (uint64_t)1 << 63)
			return asm_fail(a, "immediate -%.*s does not fit in 64 bits", (int)n.len, n.s);
		return emit_lddw(a, d.n, 0, n.neg ? (uint64_t)0 - n.mag : n.mag);
	}
	if (imm32_of(a, &n, &imm))
		return -EINVAL;
	return emit(a, alu | BPFRT_MOV | BPFRT_K, d.n, 0, 0, imm);
}

/* REG op= REG|IMM, REG = ... */
static int llvm_reg_stmt(struct asm_state *a, struct reg d)
{
	char op[8], dd[48];
	const struct asm_tok *t;
	bool sgn;
	int idx = -1;
	int16_t off = 0;
	struct reg s;
	int32_t imm;
	uint8_t code;
	int k;

	if (accept_p(a, "="))
		return llvm_assign(a, d);
	sgn = accept_id(a, "s");
	t = cur(a);
	if (t->kind != ASM_T_PUNCT || t->len > 4)
		return asm_fail(a, "expected an operator after %c%u, found %s", d.w ? 'w' : 'r',
				d.n, desc(t, dd, sizeof(dd)));
	snprintf(op, sizeof(op), "%s%.*s", sgn ? "s" : "", (int)t->len, t->s);
	for (int i = 0; i < 16; i++)
		if (asm_alu_llvm_op[i] && !strcmp(asm_alu_llvm_op[i], op))
			idx = i;
	if (idx < 0 && sgn && (is_p(t, "/=") || is_p(t, "%="))) { /* sdiv, smod */
		idx = (is_p(t, "/=") ? BPFRT_DIV : BPFRT_MOD) >> 4;
		off = 1;
	}
	if (idx < 0)
		return asm_fail(a, "unknown operator '%s'", op);
	a->pos++;
	code = (uint8_t)((d.w ? BPFRT_ALU : BPFRT_ALU64) | idx << 4);
	k = reg_of(a, cur(a), &s);
	if (k < 0)
		return k;
	if (k) {
		a->pos++;
		return same_class(a, d, s) ? -EINVAL : emit(a, code | BPFRT_X, d.n, s.n, off, 0);
	}
	if (parse_imm32(a, &imm))
		return -EINVAL;
	return emit(a, code | BPFRT_K, d.n, 0, off, imm);
}

/* if REG cmp REG|IMM goto TARGET */
static int llvm_if(struct asm_state *a)
{
	char op[8], dd[48];
	const struct asm_tok *t;
	struct reg d, s;
	bool sgn;
	int idx = -1;
	int32_t imm = 0, rel;
	uint8_t code;
	int k;

	a->pos++;
	if (parse_reg(a, &d))
		return -EINVAL;
	sgn = accept_id(a, "s");
	t = cur(a);
	if (t->kind == ASM_T_PUNCT && t->len <= 3) {
		snprintf(op, sizeof(op), "%s%.*s", sgn ? "s" : "", (int)t->len, t->s);
		for (int i = 0; i < 16; i++)
			if (asm_jmp_llvm_op[i] && !strcmp(asm_jmp_llvm_op[i], op))
				idx = i;
	}
	if (idx < 0)
		return asm_fail(a, "expected a comparison, found %s%s", sgn ? "s " : "",
				desc(t, dd, sizeof(dd)));
	a->pos++;
	code = (uint8_t)((d.w ? BPFRT_JMP32 : BPFRT_JMP) | idx << 4);
	k = reg_of(a, cur(a), &s);
	if (k < 0)
		return k;
	if (k) {
		a->pos++;
		if (same_class(a, d, s))
			return -EINVAL;
		code |= BPFRT_X;
	} else {
		s.n = 0;
		if (parse_imm32(a, &imm))
			return -EINVAL;
	}
	if (!accept_id(a, "goto"))
		return asm_fail(a, "expected 'goto', found %s", desc(cur(a), dd, sizeof(dd)));
	if (parse_target(a, ASM_FIX_OFF16, &rel))
		return -EINVAL;
	return emit(a, code, d.n, s.n, (int16_t)rel, imm);
}

/* ld_pseudo REG, SRC, IMM (what llvm-objdump 19 prints for pseudo LDDW) */
static int llvm_ld_pseudo(struct asm_state *a)
{
	struct reg d;
	int32_t src, imm;

	a->pos++;
	if (parse_reg(a, &d) || need_r(a, d, "lddw") || expect_p(a, ",") ||
	    parse_imm32(a, &src) || expect_p(a, ",") || parse_imm32(a, &imm))
		return -EINVAL;
	if (src < 0 || src > ASM_PSEUDO_MAX)
		return asm_fail(a, "invalid pseudo source %d", src);
	return emit_lddw(a, d.n, (unsigned)src, (uint32_t)imm);
}

/* ---- uBPF syntax ---- */

/* The rows of opcodes.h spelled `name`: a K and an X form, or just one. */
struct rows {
	const struct isa_op *k, *x;
};

static const struct isa_op *row_any(const struct rows *r)
{
	return r->k ? r->k : r->x;
}

/* "16", "32" or "64" (two characters). */
static bool size_suffix(const char *s, int32_t *bits)
{
	if (!memcmp(s, "16", 2) || !memcmp(s, "32", 2) || !memcmp(s, "64", 2)) {
		*bits = (s[0] - '0') * 10 + (s[1] - '0');
		return true;
	}
	return false;
}

static bool find_rows(const char *name, size_t len, struct rows *r)
{
	r->k = r->x = NULL;
	for (unsigned c = 0; c < 256; c++) {
		const struct isa_op *op = &isa_ops[c];

		if (!op->valid || strlen(op->mnemonic) != len || memcmp(op->mnemonic, name, len))
			continue;
		if (!r->k)
			r->k = op;
		else
			r->x = op;
	}
	if (r->x && BPFRT_SRC(r->k->code) == BPFRT_X) {
		const struct isa_op *t = r->k;

		r->k = r->x;
		r->x = t;
	}
	if (r->k && !r->x && (r->k->kind == ISA_ALU_X || r->k->kind == ISA_DIV_X ||
			      r->k->kind == ISA_MOV_X || r->k->kind == ISA_JMP_X)) {
		r->x = r->k;
		r->k = NULL;
	}
	return r->k || r->x;
}

/* "movsx864" -> 8, 64; aliases movsx8/16/32 are ALU64. */
static bool movsx_of(const char *s, size_t len, int16_t *from, bool *alu32)
{
	static const struct {
		const char *suffix;
		int16_t from;
		bool alu32;
	} forms[] = {
		{ "864", 8, false }, { "1664", 16, false }, { "3264", 32, false },
		{ "832", 8, true },  { "1632", 16, true },  { "8", 8, false },
		{ "16", 16, false }, { "32", 32, false },
	};

	if (len <= 5 || memcmp(s, "movsx", 5))
		return false;
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++)
		if (strlen(forms[i].suffix) == len - 5 && !memcmp(s + 5, forms[i].suffix, len - 5)) {
			*from = forms[i].from;
			*alu32 = forms[i].alu32;
			return true;
		}
	return false;
}

/* lock [fetch] op[32] [REG+OFF], REG */
static int ubpf_lock(struct asm_state *a)
{
	const struct asm_tok *t;
	bool fetch, w = false;
	int imm = -1;
	size_t len;
	struct reg d, s;
	int16_t off;
	char dd[48];

	a->pos++;
	fetch = accept_id(a, "fetch");
	t = cur(a);
	len = t->len;
	if (t->kind == ASM_T_IDENT && len > 2 && !memcmp(t->s + len - 2, "32", 2)) {
		w = true;
		len -= 2;
	}
	for (int i = 0; i < 16 && t->kind == ASM_T_IDENT; i++)
		if (asm_atomic_op[i] && strlen(asm_atomic_op[i]) == len &&
		    !memcmp(asm_atomic_op[i], t->s, len))
			imm = i << 4;
	if (imm < 0)
		return asm_fail(a, "expected an atomic operation, found %s",
				desc(t, dd, sizeof(dd)));
	if (imm == (BPFRT_XCHG & 0xf0) || imm == (BPFRT_CMPXCHG & 0xf0)) {
		if (fetch)
			return asm_fail(a, "%s always fetches: write 'lock %.*s'",
					asm_atomic_op[imm >> 4], (int)t->len, t->s);
		imm |= BPFRT_FETCH;
	} else if (fetch) {
		imm |= BPFRT_FETCH;
	}
	a->pos++;
	if (parse_mem(a, "[", "]", &d, &off) || expect_p(a, ",") || parse_reg(a, &s))
		return -EINVAL;
	return emit(a, BPFRT_STX | (w ? BPFRT_W : BPFRT_DW) | BPFRT_ATOMIC, d.n, s.n, off, imm);
}

static int ubpf_stmt(struct asm_state *a)
{
	const struct asm_tok *m = cur(a);
	const struct isa_op *op;
	struct rows rows;
	struct reg d = { 0 }, s = { 0 };
	int16_t off = 0;
	int32_t imm = 0, rel;
	bool fixed_imm = false, alu32;
	uint64_t v;
	unsigned src;
	char dd[48];
	int k;

	if (m->kind != ASM_T_IDENT)
		return asm_fail(a, "unexpected %s", desc(m, dd, sizeof(dd)));
	a->pos++;
	if (!find_rows(m->s, m->len, &rows)) {
		struct rows r2;

		if (is_id(m, "goto")) {
			find_rows("ja", 2, &rows);
		} else if (is_id(m, "ja32")) {
			find_rows("gotol", 5, &rows);
		} else if (m->s[0] == 's' && find_rows(m->s + 1, m->len - 1, &r2) &&
			   (row_any(&r2)->kind == ISA_DIV_K || row_any(&r2)->kind == ISA_DIV_X)) {
			rows = r2; /* sdiv, smod32: off 1 */
			off = 1;
		} else if (movsx_of(m->s, m->len, &off, &alu32)) {
			find_rows(alu32 ? "mov32" : "mov", alu32 ? 5 : 3, &rows);
			rows.k = NULL; /* register source only */
		} else if (m->len > 2 && size_suffix(m->s + m->len - 2, &imm) &&
			   find_rows(m->s, m->len - 2, &r2) && row_any(&r2)->kind == ISA_END) {
			rows = r2; /* le16, be32, swap64: imm is the size */
			fixed_imm = true;
		} else {
			return asm_fail(a, "unknown mnemonic '%.*s'", m->len > 40 ? 40 : (int)m->len,
					m->s);
		}
	} else {
		op = row_any(&rows);
		if (op->kind == ISA_END)
			return asm_fail(a, "'%s' needs a size: %s16, %s32 or %s64", op->mnemonic,
					op->mnemonic, op->mnemonic, op->mnemonic);
		if (op->kind == ISA_ATOMIC)
			return asm_fail(a, "atomic operations are written 'lock [fetch] <op> ...'");
	}
	op = row_any(&rows);

	switch ((enum isa_kind)op->kind) {
	case ISA_ALU_K:
	case ISA_ALU_X:
	case ISA_SHIFT_K:
	case ISA_DIV_K:
	case ISA_DIV_X:
	case ISA_MOV_K:
	case ISA_MOV_X:
		if (parse_reg(a, &d) || expect_p(a, ","))
			return -EINVAL;
		k = reg_of(a, cur(a), &s);
		if (k < 0)
			return k;
		if (k) {
			a->pos++;
			if (!rows.x)
				return asm_fail(a, "'%.*s' takes an immediate", (int)m->len, m->s);
			return emit(a, rows.x->code, d.n, s.n, off, 0);
		}
		if (!rows.k)
			return asm_fail(a, "'%.*s' takes a register", (int)m->len, m->s);
		if (parse_imm32(a, &imm))
			return -EINVAL;
		return emit(a, rows.k->code, d.n, 0, off, imm);
	case ISA_NEG:
	case ISA_CALLX:
		if (parse_reg(a, &d))
			return -EINVAL;
		return emit(a, op->code, d.n, 0, 0, 0);
	case ISA_END:
		if (!fixed_imm)
			return asm_fail(a, "byte swap needs a size");
		if (parse_reg(a, &d))
			return -EINVAL;
		return emit(a, op->code, d.n, 0, 0, imm);
	case ISA_JMP_K:
	case ISA_JMP_X:
		if (parse_reg(a, &d) || expect_p(a, ","))
			return -EINVAL;
		k = reg_of(a, cur(a), &s);
		if (k < 0)
			return k;
		if (k) {
			a->pos++;
			op = rows.x;
		} else {
			s.n = 0;
			op = rows.k;
			if (parse_imm32(a, &imm))
				return -EINVAL;
		}
		if (!op || expect_p(a, ",") || parse_target(a, ASM_FIX_OFF16, &rel))
			return -EINVAL;
		return emit(a, op->code, d.n, s.n, (int16_t)rel, imm);
	case ISA_JA:
		if (parse_target(a, ASM_FIX_OFF16, &rel))
			return -EINVAL;
		return emit(a, op->code, 0, 0, (int16_t)rel, 0);
	case ISA_JA32:
		if (parse_target(a, ASM_FIX_IMM32, &rel))
			return -EINVAL;
		return emit(a, op->code, 0, 0, 0, rel);
	case ISA_CALL:
		a->pos--;
		return parse_call(a);
	case ISA_EXIT:
		return emit(a, op->code, 0, 0, 0, 0);
	case ISA_LDDW:
		if (parse_reg(a, &d) || expect_p(a, ",") || parse_lddw_value(a, &src, &v))
			return -EINVAL;
		return emit_lddw(a, d.n, src, v);
	case ISA_LDABS:
		if (parse_imm32(a, &imm))
			return -EINVAL;
		return emit(a, op->code, 0, 0, 0, imm);
	case ISA_LDIND:
		if (parse_reg(a, &s) || expect_p(a, ",") || parse_imm32(a, &imm))
			return -EINVAL;
		return emit(a, op->code, 0, s.n, 0, imm);
	case ISA_LDX:
	case ISA_LDXSX:
		if (parse_reg(a, &d) || expect_p(a, ",") || parse_mem(a, "[", "]", &s, &off))
			return -EINVAL;
		return emit(a, op->code, d.n, s.n, off, 0);
	case ISA_ST:
		if (parse_mem(a, "[", "]", &d, &off) || expect_p(a, ",") || parse_imm32(a, &imm))
			return -EINVAL;
		return emit(a, op->code, d.n, 0, off, imm);
	case ISA_STX:
		if (parse_mem(a, "[", "]", &d, &off) || expect_p(a, ",") || parse_reg(a, &s))
			return -EINVAL;
		return emit(a, op->code, d.n, s.n, off, 0);
	case ISA_ATOMIC:
		break;
	}
	return asm_fail(a, "unknown mnemonic '%.*s'", m->len > 40 ? 40 : (int)m->len, m->s);
}

int asm_statement(struct asm_state *a)
{
	const struct asm_tok *t = cur(a);
	struct reg r;
	int k;

	if (is_p(t, "*"))
		return llvm_store(a);
	k = reg_of(a, t, &r);
	if (k < 0)
		return k;
	if (k) {
		a->pos++;
		return llvm_reg_stmt(a, r);
	}
	if (is_id(t, "if"))
		return llvm_if(a);
	if (is_id(t, "lock"))
		return is_p(next(a), "*") ? llvm_lock(a) : ubpf_lock(a);
	if (is_id(t, "call"))
		return parse_call(a);
	if (is_id(t, "ld_pseudo"))
		return llvm_ld_pseudo(a);
	return ubpf_stmt(a);
}
