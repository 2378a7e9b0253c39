/* SPDX-License-Identifier: MIT */
/*
 * src/isa/asm.c - the assembler: lines, comments, labels, directives and
 * pasted `llvm-objdump -d` output. One statement is parsed by asm_stmt.c.
 *
 * Two syntaxes are read, mixed freely line by line.
 *
 * LLVM syntax, as `llvm-objdump -d` prints it (LLVM 14: decimal, `r` for
 * 32-bit loads and stores; LLVM 19: hex, `w`), and what llvm-mc reads:
 *
 *   r0 = 1   w1 += w2   r1 s/= r2   r1 s%= 3   r1 s>>= r2   w1 = -w1
 *   r1 = (s8)r2   w1 = (s16)w2   r1 = (s32)r2          sign-extending moves
 *   r1 = be16 r1   r1 = le32 r1   r1 = bswap64 r1
 *   r0 = *(u64 *)(r1 + 8)   w0 = *(u8 *)(r1 + 0)   r0 = *(s16 *)(r1 + 2)
 *   *(u32 *)(r10 - 4) = r1 (or w1)   *(u8 *)(r1 + 0) = 7
 *   r0 = *(u8 *)skb[12]   r0 = *(u16 *)skb[r3]   r0 = *(u16 *)skb[r3 + 4]
 *   if r1 > 0x5 goto +3   if w1 s< w2 goto -2   if r1 & r2 goto label
 *   goto +5   gotol +70000   call 1   call label   callx r2   exit
 *   r1 = 0x1122334455667788 ll   ld_pseudo r1, 1, 3
 *   lock *(u64 *)(r1 + 0) += r2            (+= |= &= ^=)
 *   r0 = atomic_fetch_add((u64 *)(r1 + 0), r0)   (add and or xor)
 *   r0 = xchg_64(r1 + 0, r0)   w0 = xchg32_32(r1 + 0, w0)
 *   r0 = cmpxchg_64(r1 + 0, r0, r2)   w0 = cmpxchg32_32(r1 + 0, w0, w2)
 *
 * plus what LLVM cannot express, as bpfrt's disassembler prints it:
 *
 *   call pc+3 / call pc-1        local call, src_reg 1
 *   call kfunc 7                 kfunc call, src_reg 2
 *   r1 = map_fd(3) ll      r1 = map_value(3, 16) ll     r1 = btf_id(7) ll
 *   r1 = func(+5) ll       r1 = func(label) ll          r1 = map_idx(0) ll
 *   r1 = map_idx_value(0, 8) ll                        (pseudo LDDW, src 1-6;
 *                          the second number goes to the second slot's imm)
 *
 * uBPF / conformance-suite syntax, "mnemonic operands". The mnemonics are
 * the MNEMONIC column of src/isa/opcodes.h, plus the variants an opcode
 * row covers through its other fields:
 *
 *   add/sub/mul/div/or/and/lsh/rsh/mod/xor/mov/arsh[32] dst, src|imm
 *   sdiv[32], smod[32] dst, src|imm          signed (off 1)
 *   neg dst, neg32 dst
 *   movsx<from><to> dst, src                 movsx864 movsx1664 movsx3264
 *                                            (ALU64), movsx832 movsx1632
 *                                            (ALU32); movsx8/16/32 = ALU64
 *   le16/32/64 dst, be16/32/64 dst, swap16/32/64 dst (ALU64 bswap)
 *   jeq/jgt/jge/jset/jne/jsgt/jsge/jlt/jle/jslt/jsle[32] dst, src|imm, target
 *   ja target, gotol target (alias ja32; 32-bit offset in imm)
 *   call N, call helper N, call local target, call runtime N (kfunc,
 *   alias call kfunc N), callx rN (alias call rN), exit
 *   lddw dst, imm64      lddw dst, map_fd(3) (and the pseudo forms above)
 *   ldabsb/ldabsh/ldabsw imm, ldindb/ldindh/ldindw src, imm
 *   ldxb/ldxh/ldxw/ldxdw dst, [src+off], ldxsb/ldxsh/ldxsw dst, [src+off]
 *   stb/sth/stw/stdw [dst+off], imm, stxb/stxh/stxw/stxdw [dst+off], src
 *   lock [fetch] add|or|and|xor[32] [dst+off], src
 *   lock xchg[32] [dst+off], src, lock cmpxchg[32] [dst+off], src
 *
 * Common to both:
 *   registers r0-r10 or %r0-%r10; w0-w10 name the 32-bit view in LLVM
 *   syntax. Register names cannot be labels.
 *   numbers: decimal or 0x hex, with an optional sign. A 32-bit imm takes
 *   -2^31 .. 2^32-1 (0xffffffff is stored as -1, as llvm-mc does); lddw any
 *   64-bit value; offsets -32768 .. 32767.
 *   targets: +N / -N / N (slots, relative to the next instruction) or a
 *   label. As in the conformance suite, `exit` as a target means the first
 *   exit instruction unless a label named `exit` exists.
 *   labels: `name:` alone on a line or before an instruction.
 *   comments: from `#`, `;` or `//` to the end of the line.
 *   .quad N[, N...]: raw slots, each the little-endian u64 of 8 bytes (the
 *   disassembler's form for invalid encodings). .text, .section, .globl,
 *   .type, .size, .p2align and similar directives are ignored.
 *
 * Pasted `llvm-objdump -d` output assembles too: the "N:" address and the
 * hex byte columns are dropped (a `<unknown>` line is taken from its
 * bytes), "0000000000000000 <prog>:" defines label prog, `<sym+0x8>` notes
 * after targets, "Disassembly of section", "file format" and relocation
 * lines are skipped, and a "..." line (elided zero bytes) is filled in from
 * the address of the next line.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "bpfrt/asm.h"
#include "core/core.h"
#include "isa/asm_int.h"
#include "isa/asm_syntax.h"

int asm_fail(struct asm_state *a, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	core_log(a->log, a->log_size, "line %u: %s", a->line, msg);
	return -EINVAL;
}

/* Parsers pass errors up as -EINVAL; the flag turns the result into -ENOMEM. */
static int out_of_memory(struct asm_state *a)
{
	a->nomem = true;
	asm_fail(a, "out of memory");
	return -ENOMEM;
}

static bool grow(void **p, size_t *cap, size_t need, size_t elem)
{
	size_t n = *cap ? *cap : 16;
	void *q;

	if (need <= *cap)
		return true;
	while (n < need)
		n *= 2;
	q = core_realloc(*p, n * elem);
	if (!q)
		return false;
	*p = q;
	*cap = n;
	return true;
}

int asm_emit(struct asm_state *a, struct bpfrt_insn insn)
{
	if (a->cnt >= BPFRT_MAX_INSNS)
		return asm_fail(a, "program too large (more than %d instructions)",
				BPFRT_MAX_INSNS);
	if (!grow((void **)&a->out, &a->cap, a->cnt + 1, sizeof(*a->out)))
		return out_of_memory(a);
	a->out[a->cnt++] = insn;
	return 0;
}

int asm_add_fixup(struct asm_state *a, const struct asm_tok *name, enum asm_fix_kind kind)
{
	if (!grow((void **)&a->fixups, &a->fixups_cap, a->nfixups + 1, sizeof(*a->fixups)))
		return out_of_memory(a);
	a->fixups[a->nfixups++] = (struct asm_fixup){
		.name = name->s, .len = name->len, .slot = a->cnt, .line = a->line, .kind = kind,
	};
	return 0;
}

/* ---- labels: a small open-addressing hash table over a->labels ---- */

static size_t label_hash(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return (size_t)h;
}

static struct asm_label *label_find(struct asm_state *a, const char *s, size_t len)
{
	if (!a->hash_cap)
		return NULL;
	for (size_t i = label_hash(s, len) & (a->hash_cap - 1);; i = (i + 1) & (a->hash_cap - 1)) {
		size_t idx = a->hash[i];
		struct asm_label *l;

		if (!idx)
			return NULL;
		l = &a->labels[idx - 1];
		if (l->len == len && !memcmp(l->name, s, len))
			return l;
	}
}

static int label_rehash(struct asm_state *a, size_t cap)
{
	size_t *h = core_calloc(cap, sizeof(*h));

	if (!h)
		return -ENOMEM;
	core_free(a->hash);
	a->hash = h;
	a->hash_cap = cap;
	for (size_t n = 0; n < a->nlabels; n++) {
		size_t i = label_hash(a->labels[n].name, a->labels[n].len) & (cap - 1);

		while (h[i])
			i = (i + 1) & (cap - 1);
		h[i] = n + 1;
	}
	return 0;
}

static int label_define(struct asm_state *a, const char *s, size_t len)
{
	if (asm_is_reg_name(s, len))
		return asm_fail(a, "'%.*s' is a register name, not a label", (int)len, s);
	if (label_find(a, s, len))
		return asm_fail(a, "duplicate label '%.*s'", len > 64 ? 64 : (int)len, s);
	if (!grow((void **)&a->labels, &a->labels_cap, a->nlabels + 1, sizeof(*a->labels)))
		goto oom;
	a->labels[a->nlabels++] = (struct asm_label){ .name = s, .len = len, .slot = a->cnt };
	if (a->nlabels * 2 > a->hash_cap) {
		if (label_rehash(a, a->hash_cap ? a->hash_cap * 2 : 64))
			goto oom;
	} else {
		size_t i = label_hash(s, len) & (a->hash_cap - 1);

		while (a->hash[i])
			i = (i + 1) & (a->hash_cap - 1);
		a->hash[i] = a->nlabels;
	}
	return 0;
oom:
	return out_of_memory(a);
}

static int resolve_fixups(struct asm_state *a)
{
	for (size_t i = 0; i < a->nfixups; i++) {
		const struct asm_fixup *f = &a->fixups[i];
		const struct asm_label *l = label_find(a, f->name, f->len);
		size_t target;
		int64_t delta;

		a->line = f->line;
		if (l)
			target = l->slot;
		else if (a->have_exit && f->len == 4 && !memcmp(f->name, "exit", 4))
			target = a->first_exit;
		else
			return asm_fail(a, "undefined label '%.*s'", f->len > 64 ? 64 : (int)f->len,
					f->name);
		delta = (int64_t)target - (int64_t)f->slot - 1;
		if (f->kind == ASM_FIX_OFF16) {
			if (delta < INT16_MIN || delta > INT16_MAX)
				return asm_fail(a, "jump offset out of range");
			a->out[f->slot].off = (int16_t)delta;
		} else {
			if (delta < INT32_MIN || delta > INT32_MAX)
				return asm_fail(a, "jump offset out of range");
			a->out[f->slot].imm = (int32_t)delta;
		}
	}
	return 0;
}

/* ---- the tokenizer ---- */

static bool is_ident_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '.' ||
	       c == '$' || c == '%';
}

static bool is_ident_char(char c)
{
	return is_ident_start(c) || (c >= '0' && c <= '9');
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool asm_is_reg_name(const char *s, size_t len)
{
	size_t i = 0;

	if (len && s[0] == '%')
		i++;
	if (i >= len || (s[i] != 'r' && s[i] != 'w'))
		return false;
	if (++i >= len)
		return false;
	for (; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static int lex_number(struct asm_state *a, const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;
	size_t i = 0;
	unsigned base = 10;

	if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
	}
	for (; i < len; i++) {
		int d = hex_digit(s[i]);

		if (d < 0 || (unsigned)d >= base)
			return asm_fail(a, "invalid number '%.*s'", len > 40 ? 40 : (int)len, s);
		if (v > (UINT64_MAX - (unsigned)d) / base)
			return asm_fail(a, "number '%.*s' does not fit in 64 bits",
					len > 40 ? 40 : (int)len, s);
		v = v * base + (unsigned)d;
	}
	*out = v;
	return 0;
}

int asm_tokenize(struct asm_state *a, const char *s, const char *e)
{
	static const char *const ops[] = {
		"<<=", ">>=", "+=", "-=", "*=", "/=", "|=", "&=", "%=", "^=", "==", "!=", ">=", "<=",
	};
	static const char single[] = "=+-*/()[],<>&|%^!:";

	a->ntoks = a->pos = 0;
	while (s < e) {
		struct asm_tok *t;
		const char *start = s;
		size_t n = 0;

		if (is_space(*s)) {
			s++;
			continue;
		}
		if (a->ntoks >= ASM_MAX_TOKS)
			return asm_fail(a, "line too long (more than %d tokens)", ASM_MAX_TOKS);
		t = &a->toks[a->ntoks];
		*t = (struct asm_tok){ .s = start };
		if (*s >= '0' && *s <= '9') {
			while (s < e && is_ident_char(*s) && *s != '%')
				s++;
			t->kind = ASM_T_NUM;
			t->len = (size_t)(s - start);
			if (lex_number(a, start, t->len, &t->num))
				return -EINVAL;
		} else if (is_ident_start(*s) &&
			   (*s != '%' || (s + 1 < e && is_ident_char(s[1]) && s[1] != '%'))) {
			s++;
			while (s < e && is_ident_char(*s) && *s != '%')
				s++;
			t->kind = ASM_T_IDENT;
			t->len = (size_t)(s - start);
		} else {
			for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]) && !n; i++) {
				size_t l = strlen(ops[i]);

				if ((size_t)(e - s) >= l && !memcmp(s, ops[i], l))
					n = l;
			}
			if (!n && *s && strchr(single, *s))
				n = 1;
			if (!n) {
				unsigned char c = (unsigned char)*s;

				if (c > 0x20 && c < 0x7f)
					return asm_fail(a, "unexpected character '%c'", c);
				return asm_fail(a, "unexpected character 0x%02x", c);
			}
			t->kind = ASM_T_PUNCT;
			t->len = n;
			s += n;
		}
		a->ntoks++;
	}
	a->toks[a->ntoks] = (struct asm_tok){ .kind = ASM_T_END, .s = e };
	return 0;
}

/* ---- one line ---- */

static const char *skip_space(const char *s, const char *e)
{
	while (s < e && is_space(*s))
		s++;
	return s;
}

static const char *trim_end(const char *s, const char *e)
{
	while (e > s && is_space(e[-1]))
		e--;
	return e;
}

static bool starts_with(const char *s, const char *e, const char *word)
{
	size_t n = strlen(word);

	return (size_t)(e - s) >= n && !memcmp(s, word, n);
}

/* Cut the line at the first comment: `#`, `;` or `//`. */
static const char *cut_comment(const char *s, const char *e)
{
	for (const char *p = s; p < e; p++)
		if (*p == '#' || *p == ';' || (*p == '/' && p + 1 < e && p[1] == '/'))
			return p;
	return e;
}

/* Pasted objdump state that spans lines. */
struct paste {
	bool gap;           /* a "..." line is waiting for the next address */
	unsigned gap_line;
};

/* After "...", pad with zero slots up to the address of the next line. */
static int fill_gap(struct asm_state *a, struct paste *p, uint64_t slot)
{
	if (!p->gap)
		return 0;
	p->gap = false;
	if (slot > BPFRT_MAX_INSNS)
		return asm_fail(a, "address %llu out of range", (unsigned long long)slot);
	while (a->cnt < slot) {
		int err = asm_emit(a, (struct bpfrt_insn){ 0 });

		if (err)
			return err;
	}
	return 0;
}

/* "0000000000000068 <sub>:" - objdump's symbol header. */
static int objdump_header(struct asm_state *a, struct paste *p, const char *s, const char *e,
			  bool *matched)
{
	const char *q = s, *name, *name_end;
	uint64_t addr = 0;
	int err;

	*matched = false;
	while (q < e && hex_digit(*q) >= 0) {
		addr = addr << 4 | (uint64_t)hex_digit(*q);
		q++;
	}
	if (q - s < 8 || q - s > 16)
		return 0;
	q = skip_space(q, e);
	if (q >= e || *q != '<' || e - q < 4 || e[-1] != ':' || e[-2] != '>')
		return 0;
	name = q + 1;
	name_end = e - 2;
	*matched = true;
	if (addr % 8 == 0) {
		err = fill_gap(a, p, addr / 8);
		if (err)
			return err;
	}
	for (const char *c = name; c < name_end; c++)
		if (!is_ident_char(*c) || *c == '%')
			return 0; /* not a name we could refer to: keep the position only */
	if (name_end == name || (name[0] >= '0' && name[0] <= '9'))
		return 0;
	return label_define(a, name, (size_t)(name_end - name));
}

/*
 * "  12:\t85 00 00 00 01 00 00 00\tcall 0x1": drop the address and the hex
 * bytes (kept in raw[] for a `<unknown>` line). Returns the rest.
 */
static int objdump_prefix(struct asm_state *a, struct paste *p, const char **ps, const char *e,
			  uint8_t raw[16], size_t *nraw)
{
	const char *s = *ps, *q = s;
	uint64_t addr = 0;
	size_t n = 0;
	int err;

	*nraw = 0;
	while (q < e && *q >= '0' && *q <= '9') {
		if (addr > (UINT64_MAX - 9) / 10)
			return 0;
		addr = addr * 10 + (uint64_t)(*q - '0');
		q++;
	}
	if (q == s || q >= e || *q != ':' || (q + 1 < e && !is_space(q[1])))
		return 0;
	q = skip_space(q + 1, e);
	if (starts_with(q, e, "R_BPF_")) {
		*ps = q; /* a relocation line: its "address" is a byte offset in hex */
		return 0;
	}
	err = fill_gap(a, p, addr);
	if (err)
		return err;
	/* The raw bytes: exactly 8 or 16 two-digit hex pairs. */
	{
		const char *r = q;

		while (n < 16 && e - r >= 2 && hex_digit(r[0]) >= 0 && hex_digit(r[1]) >= 0 &&
		       (e - r == 2 || is_space(r[2]))) {
			raw[n++] = (uint8_t)(hex_digit(r[0]) << 4 | hex_digit(r[1]));
			r = skip_space(r + 2, e);
		}
		if (n == 8 || n == 16) {
			q = r;
			*nraw = n;
		}
	}
	*ps = q;
	return 0;
}

/* Directives LLVM's assembler output carries that mean nothing here. */
static bool ignored_directive(const char *s, size_t len)
{
	static const char *const names[] = {
		".text", ".data", ".section", ".globl", ".global", ".local", ".weak", ".hidden",
		".type", ".size", ".p2align", ".align", ".file", ".ident", ".addrsig",
		".addrsig_sym", ".previous", ".loc", ".cfi_sections", ".cfi_startproc",
		".cfi_endproc",
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i]) == len && !memcmp(names[i], s, len))
			return true;
	return false;
}

/* .quad N[, N...] */
static int directive_quad(struct asm_state *a)
{
	a->pos = 1;
	for (;;) {
		struct asm_num n;
		uint64_t v;
		int err = asm_parse_num(a, &n);

		if (err)
			return err;
		if (n.neg && n.mag > (uint64_t)1 << 63)
			return asm_fail(a, "value -%.*s does not fit in 64 bits", (int)n.len, n.s);
		v = n.neg ? (uint64_t)0 - n.mag : n.mag;
		err = asm_emit(a, asm_u64_to_insn(v));
		if (err)
			return err;
		if (a->toks[a->pos].kind == ASM_T_END)
			return 0;
		if (a->toks[a->pos].kind != ASM_T_PUNCT || a->toks[a->pos].s[0] != ',' ||
		    a->toks[a->pos].len != 1)
			return asm_fail(a, "expected ',' after .quad value");
		a->pos++;
	}
}

static int emit_raw(struct asm_state *a, const uint8_t *raw, size_t n)
{
	for (size_t i = 0; i + 8 <= n; i += 8) {
		struct bpfrt_insn insn;
		int err;

		memcpy(&insn, raw + i, sizeof(insn));
		err = asm_emit(a, insn);
		if (err)
			return err;
	}
	return 0;
}

static int assemble_line(struct asm_state *a, struct paste *p, const char *s, const char *e)
{
	uint8_t raw[16];
	size_t nraw = 0;
	bool matched;
	int err;

	e = trim_end(s, cut_comment(s, e));
	s = skip_space(s, e);
	if (s == e)
		return 0;

	/* objdump decorations */
	if (starts_with(s, e, "Disassembly of section"))
		return 0;
	{
		const char *c = memchr(s, ':', (size_t)(e - s));

		if (c && starts_with(skip_space(c + 1, e), e, "file format"))
			return 0;
	}
	if (e - s == 3 && !memcmp(s, "...", 3)) {
		p->gap = true;
		p->gap_line = a->line;
		return 0;
	}
	err = objdump_header(a, p, s, e, &matched);
	if (err || matched)
		return err;
	err = objdump_prefix(a, p, &s, e, raw, &nraw);
	if (err)
		return err;
	if (starts_with(s, e, "R_BPF_"))
		return 0; /* a relocation line of objdump -r */
	if (e - s == 9 && !memcmp(s, "<unknown>", 9)) {
		if (!nraw)
			return asm_fail(a, "'<unknown>' without its bytes cannot be assembled");
		return emit_raw(a, raw, nraw);
	}
	/* objdump's note after a jump target: "goto +0x3 <prog+0x20>" */
	if (e > s && e[-1] == '>') {
		const char *lt = e - 1;

		while (lt > s && *lt != '<' && !is_space(*lt))
			lt--;
		if (*lt == '<' && lt > s && is_space(lt[-1]))
			e = trim_end(s, lt);
	}

	/* labels */
	for (;;) {
		const char *q = s;

		if (q >= e || !is_ident_start(*q) || *q == '%')
			break;
		while (q < e && is_ident_char(*q) && *q != '%')
			q++;
		{
			const char *c = skip_space(q, e);

			if (c >= e || *c != ':')
				break;
			err = label_define(a, s, (size_t)(q - s));
			if (err)
				return err;
			s = skip_space(c + 1, e);
		}
	}
	if (s == e)
		return 0;

	/* directives */
	if (*s == '.') {
		const char *q = s + 1;

		while (q < e && is_ident_char(*q) && *q != '%')
			q++;
		if (q - s == 5 && !memcmp(s, ".quad", 5)) {
			err = asm_tokenize(a, s, e);
			return err ? err : directive_quad(a);
		}
		if (ignored_directive(s, (size_t)(q - s)))
			return 0;
		return asm_fail(a, "unknown directive '%.*s'", q - s > 40 ? 40 : (int)(q - s), s);
	}

	err = asm_tokenize(a, s, e);
	if (err)
		return err;
	if (a->ntoks == 0)
		return 0;
	return asm_statement(a);
}

int bpfrt_asm(const char *text, struct bpfrt_insn **insns, size_t *cnt, char *log,
	      size_t log_size)
{
	struct asm_state a = { .log = log, .log_size = log_size };
	struct paste p = { 0 };
	const char *s;
	int err = 0;

	if (insns)
		*insns = NULL;
	if (cnt)
		*cnt = 0;
	if (log && log_size)
		log[0] = '\0';
	if (!text || !insns || !cnt) {
		core_log(log, log_size, "bpfrt_asm: text, insns and cnt are required");
		return -EINVAL;
	}
	for (s = text; *s && !err;) {
		const char *e = strchr(s, '\n');

		if (!e)
			e = s + strlen(s);
		if (a.line == UINT32_MAX) {
			err = asm_fail(&a, "too many lines");
			break;
		}
		a.line++;
		err = assemble_line(&a, &p, s, e);
		s = *e ? e + 1 : e;
	}
	if (!err && p.gap) {
		a.line = p.gap_line;
		err = asm_fail(&a, "'...' (elided zero bytes) without a following address");
	}
	if (!err)
		err = resolve_fixups(&a);
	if (!err && !a.out) {
		/* An empty program still gets a buffer, so success means non-NULL. */
		a.out = core_malloc(sizeof(*a.out));
		if (!a.out) {
			core_log(log, log_size, "out of memory");
			err = -ENOMEM;
		}
	}
	core_free(a.labels);
	core_free(a.hash);
	core_free(a.fixups);
	if (err && a.nomem)
		err = -ENOMEM;
	if (err) {
		core_free(a.out);
		return err;
	}
	*insns = a.out;
	*cnt = a.cnt;
	return 0;
}
