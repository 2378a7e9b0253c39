/* SPDX-License-Identifier: MIT */
/*
 * tests/asm_test.c - the assembler and disassembler.
 *
 *  1. every row of ISA_OPCODES: representative encodings (register, imm and
 *     off extremes, every variant a row covers) disassemble in both
 *     syntaxes and reassemble to the same bytes; invalid variants print as
 *     `.quad` and still round-trip; random slots of any bytes round-trip.
 *  2. a table of (text, bytes) for both syntaxes, labels, comments and
 *     pasted objdump output, and of (bytes, text) for the disassembler.
 *  3. llvm-mc-19 / llvm-objdump-19 / llvm-objdump-14, when installed: our
 *     LLVM-syntax text equals objdump's, llvm-mc encodes it to the same
 *     bytes, and objdump's text (both versions) assembles to the bytes.
 *  4. errors name the line and the reason; random and truncated input,
 *     and a failing allocator, never crash or leak.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bpfrt/bpfrt.h"
#include "harness.h"
#include "isa/opcodes.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const struct row {
	const char *name;
	uint8_t code;
	enum isa_kind kind;
	const char *mnemonic;
} rows[] = {
#define X(name, code, kind, mnem) { #name, code, ISA_##kind, mnem },
	ISA_OPCODES(X)
#undef X
};

/* ---- helpers ---- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* A slot as the little-endian u64 that `.quad` takes. */
static uint64_t raw64(const struct bpfrt_insn *in)
{
	uint8_t b[8];
	uint64_t v = 0;

	memcpy(b, in, 8);
	for (int i = 7; i >= 0; i--)
		v = v << 8 | b[i];
	return v;
}

static bool same(const struct bpfrt_insn *a, const struct bpfrt_insn *b, size_t n)
{
	return memcmp(a, b, n * sizeof(*a)) == 0;
}

static void hex_insns(const struct bpfrt_insn *in, size_t n, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && len + 20 < size; i++) {
		const uint8_t *b = (const uint8_t *)&in[i];

		len += (size_t)snprintf(buf + len, size - len, "%s%02x%02x%02x%02x%02x%02x%02x%02x",
					i ? " " : "", b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]);
	}
}

/* Assemble text; true when it gives exactly want[0..n). why gets the reason. */
static bool asm_gives(const char *text, const struct bpfrt_insn *want, size_t n, char *why,
		      size_t size)
{
	struct bpfrt_insn *got = NULL;
	size_t cnt = 0;
	char log[256];
	int err = bpfrt_asm(text, &got, &cnt, log, sizeof(log));
	bool ok;

	if (err) {
		snprintf(why, size, "asm error %d: %s", err, log);
		return false;
	}
	ok = cnt == n && same(got, want, n);
	if (!ok) {
		char g[200], w[200];

		hex_insns(got, cnt, g, sizeof(g));
		hex_insns(want, n, w, sizeof(w));
		snprintf(why, size, "got [%s], want [%s]", g, w);
	}
	bpfrt_free(got);
	return ok;
}

/*
 * Disassemble one instruction (1 or 2 slots) in `syntax`, reassemble the
 * text, compare. Returns false with a reason. valid: expect > 0 from the
 * disassembler (else -EINVAL and a .quad).
 */
static bool round_trip(const struct bpfrt_insn *in, size_t slots, enum bpfrt_syntax syntax,
		       bool valid, char *why, size_t size)
{
	char text[192];
	int n = bpfrt_disasm_insn(in, slots, syntax, text, sizeof(text)), k;

	if (valid && n != (int)slots) {
		snprintf(why, size, "disasm returned %d (%s)", n, text);
		return false;
	}
	if (!valid) {
		if (n != -EINVAL || strncmp(text, ".quad 0x", 8) || !strstr(text, " # ")) {
			snprintf(why, size, "invalid insn: disasm returned %d, '%s'", n, text);
			return false;
		}
		slots = 1;
	}
	k = snprintf(why, size, "'%s': ", text);
	if (k < 0 || (size_t)k >= size)
		k = 0;
	return asm_gives(text, in, slots, why + k, size - (size_t)k);
}

/* ---- 1. every opcode row ---- */

static const int32_t imms[] = { 0, 1, -1, 7, 0x7fffffff, INT32_MIN, 0x12345678, -0x10000, 65535,
				65536, -65535 };
static const int16_t offs[] = { 0, 1, -1, 100, 32767, -32768, -4 };
static const uint8_t regs[] = { 0, 1, 5, 9, 10 };

/* Fill out[] with representative valid encodings of a row; returns count. */
static size_t row_encodings(const struct row *rw, struct bpfrt_insn (*out)[2], size_t max)
{
	size_t n = 0;
	bool alu64 = BPFRT_CLASS(rw->code) == BPFRT_ALU64;

#define ADD(DST, SRC, OFF, IMM)                                                     \
	do {                                                                        \
		if (n < max) {                                                      \
			out[n][0] = BPFRT_RAW_INSN(rw->code, DST, SRC, OFF, IMM);   \
			out[n][1] = BPFRT_RAW_INSN(0, 0, 0, 0, 0);                  \
			n++;                                                        \
		}                                                                   \
	} while (0)

	switch (rw->kind) {
	case ISA_ALU_K:
	case ISA_SHIFT_K:
	case ISA_MOV_K:
		for (size_t d = 0; d < ARRAY_SIZE(regs); d++)
			for (size_t i = 0; i < ARRAY_SIZE(imms); i++)
				ADD(regs[d], 0, 0, imms[i]);
		break;
	case ISA_ALU_X:
		for (size_t d = 0; d < ARRAY_SIZE(regs); d++)
			for (size_t s = 0; s < ARRAY_SIZE(regs); s++)
				ADD(regs[d], regs[s], 0, 0);
		break;
	case ISA_DIV_K:
		for (int off = 0; off <= 1; off++)
			for (size_t d = 0; d < ARRAY_SIZE(regs); d++)
				for (size_t i = 0; i < ARRAY_SIZE(imms); i++)
					ADD(regs[d], 0, off, imms[i]);
		break;
	case ISA_DIV_X:
		for (int off = 0; off <= 1; off++)
			for (size_t d = 0; d < ARRAY_SIZE(regs); d++)
				for (size_t s = 0; s < ARRAY_SIZE(regs); s++)
					ADD(regs[d], regs[s], off, 0);
		break;
	case ISA_MOV_X: {
		static const int16_t sx[] = { 0, 8, 16, 32 };

		for (size_t o = 0; o < ARRAY_SIZE(sx) - (alu64 ? 0 : 1); o++)
			for (size_t d = 0; d < ARRAY_SIZE(regs); d++)
				for (size_t s = 0; s < ARRAY_SIZE(regs); s++)
					ADD(regs[d], regs[s], sx[o], 0);
		break;
	}
	case ISA_NEG:
	case ISA_CALLX:
		for (size_t d = 0; d < ARRAY_SIZE(regs); d++)
			ADD(regs[d], 0, 0, 0);
		break;
	case ISA_END:
		for (int sz = 16; sz <= 64; sz *= 2)
			for (size_t d = 0; d < ARRAY_SIZE(regs); d++)
				ADD(regs[d], 0, 0, sz);
		break;
	case ISA_JMP_K:
		for (size_t d = 0; d < ARRAY_SIZE(regs); d++)
			for (size_t i = 0; i < ARRAY_SIZE(imms); i++)
				for (size_t o = 0; o < ARRAY_SIZE(offs); o++)
					ADD(regs[d], 0, offs[o], imms[i]);
		break;
	case ISA_JMP_X:
		for (size_t d = 0; d < ARRAY_SIZE(regs); d++)
			for (size_t s = 0; s < ARRAY_SIZE(regs); s++)
				for (size_t o = 0; o < ARRAY_SIZE(offs); o++)
					ADD(regs[d], regs[s], offs[o], 0);
		break;
	case ISA_JA:
		for (size_t o = 0; o < ARRAY_SIZE(offs); o++)
			ADD(0, 0, offs[o], 0);
		break;
	case ISA_JA32:
		for (size_t i = 0; i < ARRAY_SIZE(imms); i++)
			ADD(0, 0, 0, imms[i]);
		break;
	case ISA_CALL:
		for (int src = 0; src <= 2; src++)
			for (size_t i = 0; i < ARRAY_SIZE(imms); i++)
				ADD(0, src, 0, imms[i]);
		break;
	case ISA_EXIT:
		ADD(0, 0, 0, 0);
		break;
	case ISA_LDDW:
		for (int src = 0; src <= 6; src++)
			for (size_t d = 0; d < ARRAY_SIZE(regs); d++)
				for (size_t i = 0; i < ARRAY_SIZE(imms); i += 2)
					for (size_t j = 0; j < ARRAY_SIZE(imms); j += 3)
						if (n < max) {
							out[n][0] = BPFRT_RAW_INSN(rw->code, regs[d], src, 0,
										   imms[i]);
							out[n][1] = BPFRT_RAW_INSN(0, 0, 0, 0, imms[j]);
							n++;
						}
		break;
	case ISA_LDABS:
		for (size_t i = 0; i < ARRAY_SIZE(imms); i++)
			ADD(0, 0, 0, imms[i]);
		break;
	case ISA_LDIND:
		for (size_t s = 0; s < ARRAY_SIZE(regs); s++)
			for (size_t i = 0; i < ARRAY_SIZE(imms); i++)
				ADD(0, regs[s], 0, imms[i]);
		break;
	case ISA_LDX:
	case ISA_LDXSX:
	case ISA_STX:
		for (size_t d = 0; d < ARRAY_SIZE(regs); d++)
			for (size_t s = 0; s < ARRAY_SIZE(regs); s++)
				for (size_t o = 0; o < ARRAY_SIZE(offs); o++)
					ADD(regs[d], regs[s], offs[o], 0);
		break;
	case ISA_ST:
		for (size_t d = 0; d < ARRAY_SIZE(regs); d++)
			for (size_t o = 0; o < ARRAY_SIZE(offs); o++)
				for (size_t i = 0; i < ARRAY_SIZE(imms); i++)
					ADD(regs[d], 0, offs[o], imms[i]);
		break;
	case ISA_ATOMIC: {
		static const int32_t ops[] = {
			BPFRT_ADD, BPFRT_OR, BPFRT_AND, BPFRT_XOR,
			BPFRT_ADD | BPFRT_FETCH, BPFRT_OR | BPFRT_FETCH, BPFRT_AND | BPFRT_FETCH,
			BPFRT_XOR | BPFRT_FETCH, BPFRT_XCHG, BPFRT_CMPXCHG,
		};

		for (size_t k = 0; k < ARRAY_SIZE(ops); k++)
			for (size_t d = 0; d < ARRAY_SIZE(regs); d++)
				for (size_t s = 0; s < ARRAY_SIZE(regs); s++)
					for (size_t o = 0; o < ARRAY_SIZE(offs); o += 2)
						ADD(regs[d], regs[s], offs[o], ops[k]);
		break;
	}
	}
#undef ADD
	return n;
}

/*
 * Invalid neighbours of a valid encoding: a register above r10 in a used
 * field, a nonzero reserved field, a variant the row does not have.
 */
static size_t row_invalid(const struct row *rw, struct bpfrt_insn (*out)[2], size_t max)
{
	struct bpfrt_insn base[2];
	size_t n = 0;

	if (!row_encodings(rw, &base, 1))
		return 0;
#define BAD(FIELD, VALUE)                                \
	do {                                             \
		if (n < max) {                           \
			out[n][0] = base[0];             \
			out[n][1] = base[1];             \
			out[n][0].FIELD = VALUE;         \
			n++;                             \
		}                                        \
	} while (0)

	switch (rw->kind) {
	case ISA_ALU_K:
	case ISA_SHIFT_K:
	case ISA_MOV_K:
		BAD(dst_reg, 11);
		BAD(src_reg, 1);
		BAD(off, 1);
		break;
	case ISA_ALU_X:
		BAD(dst_reg, 15);
		BAD(src_reg, 11);
		BAD(imm, 1);
		BAD(off, -1);
		break;
	case ISA_DIV_K:
		BAD(off, 2);
		BAD(src_reg, 2);
		break;
	case ISA_DIV_X:
		BAD(off, -1);
		BAD(imm, 5);
		BAD(src_reg, 12);
		break;
	case ISA_MOV_X:
		BAD(off, 1);
		BAD(off, 64);
		if (BPFRT_CLASS(rw->code) == BPFRT_ALU)
			BAD(off, 32);
		BAD(imm, 1);
		break;
	case ISA_NEG:
		BAD(imm, 1);
		BAD(src_reg, 1);
		BAD(off, 1);
		break;
	case ISA_END:
		BAD(imm, 0);
		BAD(imm, 8);
		BAD(imm, 128);
		BAD(src_reg, 1);
		break;
	case ISA_JMP_K:
		BAD(src_reg, 1);
		BAD(dst_reg, 11);
		break;
	case ISA_JMP_X:
		BAD(imm, 1);
		BAD(src_reg, 11);
		break;
	case ISA_JA:
		BAD(imm, 1);
		BAD(dst_reg, 1);
		BAD(src_reg, 1);
		break;
	case ISA_JA32:
		BAD(off, 1);
		BAD(dst_reg, 1);
		break;
	case ISA_CALL:
		BAD(src_reg, 3);
		BAD(dst_reg, 1);
		BAD(off, 1);
		break;
	case ISA_CALLX:
		BAD(dst_reg, 11);
		BAD(imm, 2);
		BAD(src_reg, 2);
		break;
	case ISA_EXIT:
		BAD(imm, 1);
		BAD(dst_reg, 1);
		break;
	case ISA_LDDW:
		BAD(src_reg, 7);
		BAD(off, 1);
		BAD(dst_reg, 11);
		if (n < max) { /* bad second slot */
			out[n][0] = base[0];
			out[n][1] = BPFRT_RAW_INSN(0, 1, 0, 0, 0);
			n++;
		}
		break;
	case ISA_LDABS:
		BAD(dst_reg, 1);
		BAD(src_reg, 1);
		BAD(off, 1);
		break;
	case ISA_LDIND:
		BAD(dst_reg, 1);
		BAD(src_reg, 11);
		break;
	case ISA_LDX:
	case ISA_LDXSX:
	case ISA_STX:
		BAD(imm, 1);
		BAD(src_reg, 11);
		break;
	case ISA_ST:
		BAD(src_reg, 1);
		BAD(dst_reg, 13);
		break;
	case ISA_ATOMIC:
		BAD(imm, 0xe0);
		BAD(imm, 0xf0);
		BAD(imm, 0x02);
		BAD(imm, 0x101);
		BAD(src_reg, 11);
		break;
	}
#undef BAD
	return n;
}

static void test_rows(void)
{
	static struct bpfrt_insn enc[4096][2];
	static const enum bpfrt_syntax syn[] = { BPFRT_SYNTAX_LLVM, BPFRT_SYNTAX_UBPF };
	static const char *const syn_name[] = { "llvm", "ubpf" };

	for (size_t r = 0; r < ARRAY_SIZE(rows); r++) {
		const struct row *rw = &rows[r];
		size_t n = row_encodings(rw, enc, ARRAY_SIZE(enc));
		size_t slots = isa_slots(rw->code), bad = 0, nbad;
		char why[512] = "";

		for (size_t i = 0; i < n; i++)
			for (size_t s = 0; s < 2; s++)
				if (!round_trip(enc[i], slots, syn[s], true, why, sizeof(why))) {
					if (!bad++)
						t_fail("row %s (%s): %s", rw->name, syn_name[s], why);
				}
		nbad = row_invalid(rw, enc, ARRAY_SIZE(enc));
		for (size_t i = 0; i < nbad; i++)
			for (size_t s = 0; s < 2; s++)
				if (!round_trip(enc[i], 2, syn[s], false, why, sizeof(why))) {
					if (!bad++)
						t_fail("row %s (%s, invalid variant %zu): %s", rw->name,
						       syn_name[s], i, why);
				}
		if (!bad)
			t_pass("row %s: %zu encodings and %zu invalid variants round-trip in both syntaxes",
			       rw->name, n, nbad);
		else if (bad > 1)
			t_fail("row %s: %zu more failures", rw->name, bad - 1);
	}
}

/* Every byte value as opcode, random other fields: any slot round-trips. */
static void test_any_bytes(void)
{
	size_t fails = 0, valid = 0, total = 0;
	char why[512];

	for (int round = 0; round < 200; round++) {
		for (int code = 0; code < 256; code++) {
			struct bpfrt_insn in[2];
			uint64_t r = rnd();

			in[0] = BPFRT_RAW_INSN(code, r & 0xf, (r >> 4) & 0xf, (int16_t)(r >> 8),
					       (int32_t)(r >> 32));
			/* Mostly small fields, so that many come out valid. */
			if (round % 4 == 0) {
				in[0].src_reg = 0;
				in[0].off = 0;
			} else if (round % 4 == 1) {
				in[0].dst_reg %= 11;
				in[0].src_reg %= 11;
				in[0].imm = 0;
			}
			in[1] = BPFRT_RAW_INSN(0, 0, 0, 0, (int32_t)rnd());
			if (round % 8 == 7)
				in[1] = BPFRT_RAW_INSN(rnd() & 0xff, rnd() & 0xf, 0, 0, 0);
			for (int s = 0; s < 2; s++) {
				char text[192];
				int n = bpfrt_disasm_insn(in, 2, s ? BPFRT_SYNTAX_UBPF : BPFRT_SYNTAX_LLVM,
							  text, sizeof(text));
				size_t slots = n > 0 ? (size_t)n : 1;

				total++;
				valid += n > 0;
				if (!asm_gives(text, in, slots, why, sizeof(why)) && !fails++)
					t_fail("random slot %016" PRIx64 " '%s': %s",
					       raw64(in), text, why);
			}
		}
	}
	T_CHECK(!fails, "%zu random slots (%zu valid) round-trip through disasm+asm (%zu failures)",
		total, valid, fails);
}

struct collect {
	size_t calls;
	size_t pcs[16];
	char text[16][192];
};

static void collect_line(void *ctx, size_t pc, const char *text)
{
	struct collect *c = ctx;

	if (c->calls < 16) {
		c->pcs[c->calls] = pc;
		snprintf(c->text[c->calls], sizeof(c->text[0]), "%s", text);
	}
	c->calls++;
}

static void test_disasm_program(void)
{
	const struct bpfrt_insn prog[] = {
		BPFRT_MOV64_IMM(0, 1),
		BPFRT_LD_IMM64(1, 0x1122334455667788ull),
		BPFRT_RAW_INSN(0xff, 0, 0, 0, 0),
		BPFRT_EXIT_INSN(),
		BPFRT_RAW_INSN(OP_LDDW, 2, 0, 0, 5), /* truncated */
	};
	struct collect c = { 0 };
	char buf[64];
	int err = bpfrt_disasm(prog, ARRAY_SIZE(prog), BPFRT_SYNTAX_LLVM, collect_line, &c);

	T_CHECK(err == -EINVAL && c.calls == 5 && c.pcs[0] == 0 && c.pcs[1] == 1 && c.pcs[2] == 3 &&
		c.pcs[3] == 4 && c.pcs[4] == 5 && !strcmp(c.text[1], "r1 = 0x1122334455667788 ll") &&
		!strcmp(c.text[2], ".quad 0x00000000000000ff # unknown opcode 0xff") &&
		!strcmp(c.text[4], ".quad 0x0000000500000218 # lddw is missing its second slot"),
		"bpfrt_disasm: one callback per instruction, lddw as one, invalid slots as .quad, -EINVAL");
	memset(&c, 0, sizeof(c));
	err = bpfrt_disasm(prog, 3, BPFRT_SYNTAX_UBPF, collect_line, &c);
	T_CHECK(err == 0 && c.calls == 2 && !strcmp(c.text[0], "mov r0, 1"),
		"bpfrt_disasm: valid program returns 0");
	T_CHECK(bpfrt_disasm(prog, 1, BPFRT_SYNTAX_LLVM, NULL, NULL) == -EINVAL &&
		bpfrt_disasm(NULL, 1, BPFRT_SYNTAX_LLVM, collect_line, &c) == -EINVAL &&
		bpfrt_disasm(prog, 1, (enum bpfrt_syntax)7, collect_line, &c) == -EINVAL &&
		bpfrt_disasm_insn(prog, 0, BPFRT_SYNTAX_LLVM, buf, sizeof(buf)) == -EINVAL &&
		bpfrt_disasm_insn(NULL, 1, BPFRT_SYNTAX_LLVM, buf, sizeof(buf)) == -EINVAL &&
		bpfrt_disasm_insn(prog, 1, (enum bpfrt_syntax)7, buf, sizeof(buf)) == -EINVAL,
		"bpfrt_disasm: bad arguments give -EINVAL");
	/* Small buffers: truncated, terminated, same return value. */
	{
		bool ok = true;

		for (size_t size = 0; size < 40; size++) {
			char small[40];

			memset(small, 'X', sizeof(small));
			ok &= bpfrt_disasm_insn(&prog[1], 2, BPFRT_SYNTAX_LLVM, small, size) == 2;
			if (size)
				ok &= strlen(small) == size - 1 ||
				      !strcmp(small, "r1 = 0x1122334455667788 ll");
			ok &= size == sizeof(small) || small[size] == 'X' || size == 0;
		}
		ok &= bpfrt_disasm_insn(&prog[1], 2, BPFRT_SYNTAX_LLVM, NULL, 100) == 2;
		T_CHECK(ok, "bpfrt_disasm_insn: short or NULL buffers are truncated safely");
	}
}

/* ---- 2. hand-written tables ---- */

#define I(...) BPFRT_RAW_INSN(__VA_ARGS__)
#define LDDW2(DST, SRC, LO, HI) I(OP_LDDW, DST, SRC, 0, LO), I(0, 0, 0, 0, HI)

struct asm_case {
	const char *text;
	struct bpfrt_insn want[6];
	size_t n;
};

#define C1(T, ...) { T, { __VA_ARGS__ }, 1 }
#define C2(T, ...) { T, { __VA_ARGS__ }, 2 }

static const struct asm_case llvm_cases[] = {
	C1("r0 = 1", I(0xb7, 0, 0, 0, 1)),
	C1("r0 = 0x1", I(0xb7, 0, 0, 0, 1)),
	C1("r1 = 0xffffffff", I(0xb7, 1, 0, 0, -1)),
	C1("r1 = -0x80000000", I(0xb7, 1, 0, 0, INT32_MIN)),
	C1("w1 = 0XFF", I(0xb4, 1, 0, 0, 255)),
	C1("w1 += w2", I(0x0c, 1, 2, 0, 0)),
	C1("w1 = -w1", I(0x84, 1, 0, 0, 0)),
	C1("r1 = -r1", I(0x87, 1, 0, 0, 0)),
	C1("r1 s/= r2", I(0x3f, 1, 2, 1, 0)),
	C1("r1 s%= 3", I(0x97, 1, 0, 1, 3)),
	C1("w3 s/= -7", I(0x34, 3, 0, 1, -7)),
	C1("r1 = (s8)r2", I(0xbf, 1, 2, 8, 0)),
	C1("w1 = (s16)w2", I(0xbc, 1, 2, 16, 0)),
	C1("r1 = (s32)r2", I(0xbf, 1, 2, 32, 0)),
	C1("r1 = be16 r1", I(0xdc, 1, 0, 0, 16)),
	C1("r1 = le32 r1", I(0xd4, 1, 0, 0, 32)),
	C1("r1 = bswap64 r1", I(0xd7, 1, 0, 0, 64)),
	C1("r1 <<= 3", I(0x67, 1, 0, 0, 3)),
	C1("r1 >>= r2", I(0x7f, 1, 2, 0, 0)),
	C1("r1 s>>= r2", I(0xcf, 1, 2, 0, 0)),
	C1("w9 ^= -0x1", I(0xa4, 9, 0, 0, -1)),
	C1("r1 %= r2", I(0x9f, 1, 2, 0, 0)),
	C1("r1 = r10", I(0xbf, 1, 10, 0, 0)),
	C1("*(u32 *)(r10 - 4) = r1", I(0x63, 10, 1, -4, 0)),
	C1("*(u32 *)(r10 - 0x4) = w1", I(0x63, 10, 1, -4, 0)),
	C1("*(u64*)(r10-8)=r1", I(0x7b, 10, 1, -8, 0)),
	C1("*(u8 *)(r1 + 0) = 7", I(0x72, 1, 0, 0, 7)),
	C1("*(u16 *)(r1 + 32767) = -0x2", I(0x6a, 1, 0, 32767, -2)),
	C1("*(u64 *)(r1 - 32768) = 0", I(0x7a, 1, 0, -32768, 0)),
	C1("r0 = *(u64 *)(r1 + 8)", I(0x79, 0, 1, 8, 0)),
	C1("w0 = *(u8 *)(r1 + 0)", I(0x71, 0, 1, 0, 0)),
	C1("r0 = *(u8 *)(r1 + 0)", I(0x71, 0, 1, 0, 0)),
	C1("w0 = *(u32 *)(r1)", I(0x61, 0, 1, 0, 0)),
	C1("r0 = *(s16 *)(r1 + 2)", I(0x89, 0, 1, 2, 0)),
	C1("r0 = *(s32 *)(r1 + -2)", I(0x81, 0, 1, -2, 0)),
	C1("if r1 > 0x5 goto +3", I(0x25, 1, 0, 3, 5)),
	C1("if w1 s< w2 goto -2", I(0xce, 1, 2, -2, 0)),
	C1("if r1 & r2 goto +1", I(0x4d, 1, 2, 1, 0)),
	C1("if r1 s>= -1 goto +0x7fff", I(0x75, 1, 0, 32767, -1)),
	C1("if w1 != 0xffffffff goto -0x8000", I(0x56, 1, 0, -32768, -1)),
	C1("if r1 <= r2 goto 4", I(0xbd, 1, 2, 4, 0)),
	C1("goto +5", I(0x05, 0, 0, 5, 0)),
	C1("goto -1", I(0x05, 0, 0, -1, 0)),
	C1("gotol +70000", I(0x06, 0, 0, 0, 70000)),
	C1("gotol -0x80000000", I(0x06, 0, 0, 0, INT32_MIN)),
	C1("call 1", I(0x85, 0, 0, 0, 1)),
	C1("call -3", I(0x85, 0, 0, 0, -3)),
	C1("call pc+3", I(0x85, 0, 1, 0, 3)),
	C1("call pc-0x1", I(0x85, 0, 1, 0, -1)),
	C1("call kfunc 0x7", I(0x85, 0, 2, 0, 7)),
	C1("callx r2", I(0x8d, 2, 0, 0, 0)),
	C1("exit", I(0x95, 0, 0, 0, 0)),
	C2("r1 = 0x1122334455667788 ll", LDDW2(1, 0, 0x55667788, 0x11223344)),
	C2("r1 = 1234605616436508552 ll", LDDW2(1, 0, 0x55667788, 0x11223344)),
	C2("r1 = -1 ll", LDDW2(1, 0, -1, -1)),
	C2("r1 = -0x8000000000000000 ll", LDDW2(1, 0, 0, INT32_MIN)),
	C2("r1 = 0xffffffffffffffff ll", LDDW2(1, 0, -1, -1)),
	C1("lock *(u64 *)(r1 + 0) += r2", I(0xdb, 1, 2, 0, BPFRT_ADD)),
	C1("lock *(u32 *)(r1 + 4) |= w2", I(0xc3, 1, 2, 4, BPFRT_OR)),
	C1("lock *(u32 *)(r1 + 4) |= r2", I(0xc3, 1, 2, 4, BPFRT_OR)),
	C1("lock *(u64 *)(r1 - 8) &= r3", I(0xdb, 1, 3, -8, BPFRT_AND)),
	C1("lock *(u64 *)(r1 + 0) ^= r3", I(0xdb, 1, 3, 0, BPFRT_XOR)),
	C1("r0 = atomic_fetch_add((u64 *)(r1 + 0), r0)", I(0xdb, 1, 0, 0, 0x01)),
	C1("w0 = atomic_fetch_and((u32 *)(r1 + 0), w0)", I(0xc3, 1, 0, 0, 0x51)),
	C1("r5 = atomic_fetch_or((u64 *)(r1 + 0x10), r5)", I(0xdb, 1, 5, 16, 0x41)),
	C1("w5 = atomic_fetch_xor((u32 *)(r1 - 0x10), w5)", I(0xc3, 1, 5, -16, 0xa1)),
	C1("r0 = xchg_64(r1 + 0, r0)", I(0xdb, 1, 0, 0, 0xe1)),
	C1("w0 = xchg32_32(r1 + 0, w0)", I(0xc3, 1, 0, 0, 0xe1)),
	C1("r0 = cmpxchg_64(r1 + 0, r0, r2)", I(0xdb, 1, 2, 0, 0xf1)),
	C1("w0 = cmpxchg32_32(r1 + 8, w0, w2)", I(0xc3, 1, 2, 8, 0xf1)),
	C1("r0 = *(u8 *)skb[12]", I(0x30, 0, 0, 0, 12)),
	C1("r0 = *(u32 *)skb[-0x1]", I(0x20, 0, 0, 0, -1)),
	C1("r0 = *(u16 *)skb[r3]", I(0x48, 0, 3, 0, 0)),
	C1("r0 = *(u32 *)skb[r3 + 4]", I(0x40, 0, 3, 0, 4)),
	C1("r0 = *(u8 *)skb[r3 - 0x4]", I(0x50, 0, 3, 0, -4)),
	C2("r1 = map_fd(3) ll", LDDW2(1, 1, 3, 0)),
	C2("r1 = map_value(3, 16) ll", LDDW2(1, 2, 3, 16)),
	C2("r1 = btf_id(7) ll", LDDW2(1, 3, 7, 0)),
	C2("r1 = btf_id(7, 4) ll", LDDW2(1, 3, 7, 4)),
	C2("r1 = func(+5) ll", LDDW2(1, 4, 5, 0)),
	C2("r1 = func(-0x2) ll", LDDW2(1, 4, -2, 0)),
	C2("r1 = map_idx(0) ll", LDDW2(1, 5, 0, 0)),
	C2("r1 = map_idx_value(0, 8) ll", LDDW2(1, 6, 0, 8)),
	C2("r2 = map_fd(0x3)", LDDW2(2, 1, 3, 0)),
	C2("ld_pseudo r1, 1, 3", LDDW2(1, 1, 3, 0)),
	C2("ld_pseudo\tr1, 0x2, 0x3", LDDW2(1, 2, 3, 0)),
	C1("%r1 = %r2", I(0xbf, 1, 2, 0, 0)),
};

static const struct asm_case ubpf_cases[] = {
	C1("mov r0, 1", I(0xb7, 0, 0, 0, 1)),
	C1("mov32 r0, 1", I(0xb4, 0, 0, 0, 1)),
	C1("mov32 %r1, 0x9abcdef0", I(0xb4, 1, 0, 0, (int32_t)0x9abcdef0)),
	C1("mov %r0, %r1", I(0xbf, 0, 1, 0, 0)),
	C1("add32 r1, r2", I(0x0c, 1, 2, 0, 0)),
	C1("sub r1, -5", I(0x17, 1, 0, 0, -5)),
	C1("arsh32 r1, r2", I(0xcc, 1, 2, 0, 0)),
	C1("neg r1", I(0x87, 1, 0, 0, 0)),
	C1("neg32 r1", I(0x84, 1, 0, 0, 0)),
	C1("le16 r1", I(0xd4, 1, 0, 0, 16)),
	C1("le64 r3", I(0xd4, 3, 0, 0, 64)),
	C1("be32 r1", I(0xdc, 1, 0, 0, 32)),
	C1("swap64 r1", I(0xd7, 1, 0, 0, 64)),
	C1("swap16 r1", I(0xd7, 1, 0, 0, 16)),
	C1("movsx864 r1, r2", I(0xbf, 1, 2, 8, 0)),
	C1("movsx1664 r1, r2", I(0xbf, 1, 2, 16, 0)),
	C1("movsx3264 r1, r2", I(0xbf, 1, 2, 32, 0)),
	C1("movsx832 r1, r2", I(0xbc, 1, 2, 8, 0)),
	C1("movsx1632 r1, r2", I(0xbc, 1, 2, 16, 0)),
	C1("movsx8 r1, r2", I(0xbf, 1, 2, 8, 0)),
	C1("movsx32 r1, r2", I(0xbf, 1, 2, 32, 0)),
	C1("sdiv r1, r2", I(0x3f, 1, 2, 1, 0)),
	C1("sdiv32 r1, 3", I(0x34, 1, 0, 1, 3)),
	C1("smod r1, r2", I(0x9f, 1, 2, 1, 0)),
	C1("smod32 r1, -3", I(0x94, 1, 0, 1, -3)),
	C1("div r1, r2", I(0x3f, 1, 2, 0, 0)),
	C1("ldxb r0, [r1+4]", I(0x71, 0, 1, 4, 0)),
	C1("ldxh r0, [r1-4]", I(0x69, 0, 1, -4, 0)),
	C1("ldxw r0, [r1]", I(0x61, 0, 1, 0, 0)),
	C1("ldxdw %r0, [%r10-8]", I(0x79, 0, 10, -8, 0)),
	C1("ldxsb r0, [r1+0x7eef]", I(0x91, 0, 1, 0x7eef, 0)),
	C1("ldxsh r0, [r1 + 2]", I(0x89, 0, 1, 2, 0)),
	C1("ldxsw r0, [r1+2]", I(0x81, 0, 1, 2, 0)),
	C1("stb [r10-4], 7", I(0x72, 10, 0, -4, 7)),
	C1("sth [r10-4], 7", I(0x6a, 10, 0, -4, 7)),
	C1("stw [r10-4], 0xCCBBAA99", I(0x62, 10, 0, -4, (int32_t)0xccbbaa99)),
	C1("stdw [r10-8], -1", I(0x7a, 10, 0, -8, -1)),
	C1("stxb [r10-8], r1", I(0x73, 10, 1, -8, 0)),
	C1("stxh [r10-8], r1", I(0x6b, 10, 1, -8, 0)),
	C1("stxw [r10-8], r1", I(0x63, 10, 1, -8, 0)),
	C1("stxdw [r10-8], r1", I(0x7b, 10, 1, -8, 0)),
	C1("jeq r1, 5, +3", I(0x15, 1, 0, 3, 5)),
	C1("jeq32 r1, r2, -1", I(0x1e, 1, 2, -1, 0)),
	C1("jsge r1, 0xffffffff, 1", I(0x75, 1, 0, 1, -1)),
	C1("ja +3", I(0x05, 0, 0, 3, 0)),
	C1("gotol +70000", I(0x06, 0, 0, 0, 70000)),
	C1("ja32 -6", I(0x06, 0, 0, 0, -6)),
	C1("call 5", I(0x85, 0, 0, 0, 5)),
	C1("call helper 5", I(0x85, 0, 0, 0, 5)),
	C1("call local +3", I(0x85, 0, 1, 0, 3)),
	C1("call runtime 0x2a", I(0x85, 0, 2, 0, 42)),
	C1("call %r2", I(0x8d, 2, 0, 0, 0)),
	C1("callx r2", I(0x8d, 2, 0, 0, 0)),
	C1("exit", I(0x95, 0, 0, 0, 0)),
	C2("lddw r0, 0x1122334455667788", LDDW2(0, 0, 0x55667788, 0x11223344)),
	C2("lddw %r0, 0x123456789abcdef0", LDDW2(0, 0, (int32_t)0x9abcdef0, 0x12345678)),
	C2("lddw r0, -1", LDDW2(0, 0, -1, -1)),
	C2("lddw r1, map_fd(3)", LDDW2(1, 1, 3, 0)),
	C2("lddw r1, map_by_fd(3)", LDDW2(1, 1, 3, 0)),
	C2("lddw r1, map_value(3, 16)", LDDW2(1, 2, 3, 16)),
	C2("lddw r1, map_by_idx(2)", LDDW2(1, 5, 2, 0)),
	C1("ldabsb 12", I(0x30, 0, 0, 0, 12)),
	C1("ldabsh 12", I(0x28, 0, 0, 0, 12)),
	C1("ldabsw 12", I(0x20, 0, 0, 0, 12)),
	C1("ldindb r1, 4", I(0x50, 0, 1, 0, 4)),
	C1("ldindh r1, -4", I(0x48, 0, 1, 0, -4)),
	C1("ldindw r1, 4", I(0x40, 0, 1, 0, 4)),
	C1("lock add [r1+0], r2", I(0xdb, 1, 2, 0, BPFRT_ADD)),
	C1("lock or [r1+0], r2", I(0xdb, 1, 2, 0, BPFRT_OR)),
	C1("lock and [r1+0], r2", I(0xdb, 1, 2, 0, BPFRT_AND)),
	C1("lock xor [r1+0], r2", I(0xdb, 1, 2, 0, BPFRT_XOR)),
	C1("lock fetch add [r1+0], r2", I(0xdb, 1, 2, 0, 0x01)),
	C1("lock fetch xor [%r10-8], %r1", I(0xdb, 10, 1, -8, 0xa1)),
	C1("lock xchg [r1+0], r2", I(0xdb, 1, 2, 0, 0xe1)),
	C1("lock cmpxchg [r1+0], r2", I(0xdb, 1, 2, 0, 0xf1)),
	C1("lock add32 [r1+4], r2", I(0xc3, 1, 2, 4, BPFRT_ADD)),
	C1("lock fetch or32 [r1+4], r2", I(0xc3, 1, 2, 4, 0x41)),
	C1("lock xchg32 [r1+4], r2", I(0xc3, 1, 2, 4, 0xe1)),
	C1("lock cmpxchg32 [r10-8], %r1", I(0xc3, 10, 1, -8, 0xf1)),
	C1(".quad 0x00000000000000ff", I(0xff, 0, 0, 0, 0)),
	C2(".quad 0x0000000500000218, 0", I(0x18, 2, 0, 0, 5), I(0, 0, 0, 0, 0)),
};

/* Programs: labels, comments, objdump paste, mixed syntax. */
static const struct asm_case program_cases[] = {
	{ "start:\n  mov r0, 0 # comment\n\tja start ; another\n  exit // third\n",
	  { I(0xb7, 0, 0, 0, 0), I(0x05, 0, 0, -2, 0), I(0x95, 0, 0, 0, 0) }, 3 },
	{ "# only a comment\n\n;\n//\nexit", { I(0x95, 0, 0, 0, 0) }, 1 },
	{ "jeq r1, 0, exit\nmov r0, 1\nexit\nmov r0, 2\nexit\n", /* implicit `exit` label */
	  { I(0x15, 1, 0, 1, 0), I(0xb7, 0, 0, 0, 1), I(0x95, 0, 0, 0, 0), I(0xb7, 0, 0, 0, 2),
	    I(0x95, 0, 0, 0, 0) }, 5 },
	{ "jeq r1, 0, exit\nexit\nexit: mov r0, 2\nexit\n", /* an explicit one wins */
	  { I(0x15, 1, 0, 1, 0), I(0x95, 0, 0, 0, 0), I(0xb7, 0, 0, 0, 2), I(0x95, 0, 0, 0, 0) }, 4 },
	{ "lbl: exit\nja lbl", { I(0x95, 0, 0, 0, 0), I(0x05, 0, 0, -2, 0) }, 2 },
	{ "a: b:\nc: ja b", { I(0x05, 0, 0, -1, 0) }, 1 },
	{ "call local func\nexit\nfunc:\nmov r0, 1\nexit",
	  { I(0x85, 0, 1, 0, 1), I(0x95, 0, 0, 0, 0), I(0xb7, 0, 0, 0, 1), I(0x95, 0, 0, 0, 0) }, 4 },
	{ "call func\nexit\nfunc: exit", /* LLVM: call <label> is a local call */
	  { I(0x85, 0, 1, 0, 1), I(0x95, 0, 0, 0, 0), I(0x95, 0, 0, 0, 0) }, 3 },
	{ "r1 = func(fn) ll\nexit\nfn: exit",
	  { LDDW2(1, 4, 2, 0), I(0x95, 0, 0, 0, 0), I(0x95, 0, 0, 0, 0) }, 4 },
	{ "gotol far\nexit\nfar: exit", { I(0x06, 0, 0, 0, 1), I(0x95, 0, 0, 0, 0), I(0x95, 0, 0, 0, 0) }, 3 },
	{ "if r1 == 0 goto out\nr0 = 1\nout:\nexit",
	  { I(0x15, 1, 0, 1, 0), I(0xb7, 0, 0, 0, 1), I(0x95, 0, 0, 0, 0) }, 3 },
	{ ".LBB0_2:\n\tif w1 s> w2 goto .LBB0_2", { I(0x6e, 1, 2, -1, 0) }, 1 },
	{ "mov r0, 1\r\nr0 += 2\r\nexit\r\n", /* mixed syntax, CRLF */
	  { I(0xb7, 0, 0, 0, 1), I(0x07, 0, 0, 0, 2), I(0x95, 0, 0, 0, 0) }, 3 },
	{ "\t.text\n\t.globl\tprog\n\t.p2align\t3\n\t.type\tprog,@function\nprog:\n\tr0 = 0\n\texit\n"
	  ".Lfunc_end0:\n\t.size\tprog, .Lfunc_end0-prog\n",
	  { I(0xb7, 0, 0, 0, 0), I(0x95, 0, 0, 0, 0) }, 2 },
	{ /* llvm-objdump -dr output, LLVM 19 */
	  "\nf.o:\tfile format elf64-bpf\n\nDisassembly of section .text:\n\n"
	  "0000000000000000 <prog>:\n"
	  "       0:\t18 01 00 00 00 00 00 00 00 00 00 00 00 00 00 00\tr1 = 0x0 ll\n"
	  "\t\t0000000000000000:  R_BPF_64_64\tm\n"
	  "       2:\tb7 00 00 00 01 00 00 00\tr0 = 0x1\n"
	  "       3:\t05 00 01 00 00 00 00 00\tgoto +0x1 <prog+0x28>\n"
	  "       4:\tc3 21 04 00 40 00 00 00\t<unknown>\n"
	  "       5:\t95 00 00 00 00 00 00 00\texit\n",
	  { LDDW2(1, 0, 0, 0), I(0xb7, 0, 0, 0, 1), I(0x05, 0, 0, 1, 0), I(0xc3, 1, 2, 4, 0x40),
	    I(0x95, 0, 0, 0, 0) }, 6 },
	{ /* LLVM 14 style, decimal, and a "..." gap filled from the next address */
	  "0000000000000000 <prog>:\n"
	  "       0:\tb7 00 00 00 01 00 00 00\tr0 = 1\n"
	  "\t\t...\n"
	  "       3:\t15 01 ff 7f ff ff ff ff\tif r1 == -1 goto +32767 <prog+0x40040>\n",
	  { I(0xb7, 0, 0, 0, 1), I(0, 0, 0, 0, 0), I(0, 0, 0, 0, 0), I(0x15, 1, 0, 32767, -1) }, 4 },
	{ /* objdump --no-show-raw-insn, and a gap before a symbol header */
	  "0000000000000000 <f>:\n       0:\tr0 = 0x0\n\t\t...\n\n0000000000000018 <g>:\n"
	  "       3:\texit\n       4:\tcall -0x1\n",
	  { I(0xb7, 0, 0, 0, 0), I(0, 0, 0, 0, 0), I(0, 0, 0, 0, 0), I(0x95, 0, 0, 0, 0),
	    I(0x85, 0, 0, 0, -1) }, 5 },
	{ "       0:\t18 01 00 00 00 00 00 00\t<unknown>\n", { I(0x18, 1, 0, 0, 0) }, 1 },
	{ "prog: r0 = 0x0 # encoding: [0xb7,0x00,0x00,0x00,0x00,0x00,0x00,0x00]\n"
	  "                                        #   fixup A - offset: 0, value: foo\n",
	  { I(0xb7, 0, 0, 0, 0) }, 1 },
	{ "", { I(0, 0, 0, 0, 0) }, 0 },
	{ "\n\n   \n", { I(0, 0, 0, 0, 0) }, 0 },
};

static void run_asm_cases(const char *what, const struct asm_case *cases, size_t n)
{
	size_t fails = 0;
	char why[512];

	for (size_t i = 0; i < n; i++)
		if (!asm_gives(cases[i].text, cases[i].want, cases[i].n, why, sizeof(why))) {
			fails++;
			t_fail("%s: '%s': %s", what, cases[i].text, why);
		}
	if (!fails)
		t_pass("%s: %zu cases assemble to the expected bytes", what, n);
}

/* Every conditional jump mnemonic of the table, both widths, both sources. */
static void test_ubpf_jumps(void)
{
	size_t fails = 0, n = 0;
	char why[512], text[96];

	for (size_t r = 0; r < ARRAY_SIZE(rows); r++) {
		struct bpfrt_insn want;

		if (rows[r].kind == ISA_JMP_K) {
			snprintf(text, sizeof(text), "%s r3, -7, +9", rows[r].mnemonic);
			want = I(rows[r].code, 3, 0, 9, -7);
		} else if (rows[r].kind == ISA_JMP_X) {
			snprintf(text, sizeof(text), "%s r3, r4, -9", rows[r].mnemonic);
			want = I(rows[r].code, 3, 4, -9, 0);
		} else {
			continue;
		}
		n++;
		if (!asm_gives(text, &want, 1, why, sizeof(why))) {
			fails++;
			t_fail("ubpf jumps: '%s': %s", text, why);
		}
	}
	T_CHECK(!fails && n == 44, "ubpf jumps: all %zu conditional jump forms assemble", n);
}

struct disasm_case {
	struct bpfrt_insn in[2];
	const char *llvm, *ubpf;
};

/* What the disassembler prints, including the forms LLVM cannot express. */
static const struct disasm_case disasm_cases[] = {
	{ { I(0xb7, 0, 0, 0, 1) }, "r0 = 0x1", "mov r0, 1" },
	{ { I(0xb7, 1, 0, 0, -1) }, "r1 = -0x1", "mov r1, -1" },
	{ { I(0xb4, 1, 0, 0, INT32_MIN) }, "w1 = -0x80000000", "mov32 r1, -0x80000000" },
	{ { I(0x04, 1, 0, 0, 0x12345678) }, "w1 += 0x12345678", "add32 r1, 0x12345678" },
	{ { I(0x3f, 1, 2, 1, 0) }, "r1 s/= r2", "sdiv r1, r2" },
	{ { I(0x94, 1, 0, 1, 3) }, "w1 s%= 0x3", "smod32 r1, 3" },
	{ { I(0xbc, 1, 2, 8, 0) }, "w1 = (s8)w2", "movsx832 r1, r2" },
	{ { I(0xbf, 1, 2, 32, 0) }, "r1 = (s32)r2", "movsx3264 r1, r2" },
	{ { I(0xd4, 1, 0, 0, 16) }, "r1 = le16 r1", "le16 r1" },
	{ { I(0xdc, 1, 0, 0, 64) }, "r1 = be64 r1", "be64 r1" },
	{ { I(0xd7, 1, 0, 0, 32) }, "r1 = bswap32 r1", "swap32 r1" },
	{ { I(0x84, 3, 0, 0, 0) }, "w3 = -w3", "neg32 r3" },
	{ { I(0x25, 1, 0, 3, 5) }, "if r1 > 0x5 goto +0x3", "jgt r1, 5, +3" },
	{ { I(0xce, 1, 2, -2, 0) }, "if w1 s< w2 goto -0x2", "jslt32 r1, r2, -2" },
	{ { I(0x05, 0, 0, -32768, 0) }, "goto -0x8000", "ja -32768" },
	{ { I(0x06, 0, 0, 0, 70000) }, "gotol +0x11170", "gotol +70000" },
	{ { I(0x85, 0, 0, 0, 1) }, "call 0x1", "call 1" },
	{ { I(0x85, 0, 1, 0, 3) }, "call pc+0x3", "call local +3" },
	{ { I(0x85, 0, 1, 0, -1) }, "call pc-0x1", "call local -1" },
	{ { I(0x85, 0, 2, 0, 7) }, "call kfunc 0x7", "call runtime 7" },
	{ { I(0x8d, 2, 0, 0, 0) }, "callx r2", "callx r2" },
	{ { I(0x95, 0, 0, 0, 0) }, "exit", "exit" },
	{ { LDDW2(1, 0, 0x55667788, 0x11223344) }, "r1 = 0x1122334455667788 ll",
	  "lddw r1, 0x1122334455667788" },
	{ { LDDW2(1, 0, -1, -1) }, "r1 = -0x1 ll", "lddw r1, 0xffffffffffffffff" },
	{ { LDDW2(1, 1, 3, 0) }, "r1 = map_fd(0x3) ll", "lddw r1, map_fd(3)" },
	{ { LDDW2(1, 2, 3, 16) }, "r1 = map_value(0x3, 0x10) ll", "lddw r1, map_value(3, 16)" },
	{ { LDDW2(1, 3, 7, 0) }, "r1 = btf_id(0x7) ll", "lddw r1, btf_id(7)" },
	{ { LDDW2(1, 3, 7, 2) }, "r1 = btf_id(0x7, 0x2) ll", "lddw r1, btf_id(7, 2)" },
	{ { LDDW2(1, 4, -5, 0) }, "r1 = func(-0x5) ll", "lddw r1, func(-5)" },
	{ { LDDW2(1, 5, 0, 0) }, "r1 = map_idx(0x0) ll", "lddw r1, map_idx(0)" },
	{ { LDDW2(1, 6, 1, 8) }, "r1 = map_idx_value(0x1, 0x8) ll", "lddw r1, map_idx_value(1, 8)" },
	{ { I(0x30, 0, 0, 0, 12) }, "r0 = *(u8 *)skb[0xc]", "ldabsb 12" },
	{ { I(0x48, 0, 3, 0, 0) }, "r0 = *(u16 *)skb[r3]", "ldindh r3, 0" },
	{ { I(0x40, 0, 3, 0, -4) }, "r0 = *(u32 *)skb[r3 - 0x4]", "ldindw r3, -4" },
	{ { I(0x61, 0, 1, 4, 0) }, "w0 = *(u32 *)(r1 + 0x4)", "ldxw r0, [r1+4]" },
	{ { I(0x79, 0, 10, -8, 0) }, "r0 = *(u64 *)(r10 - 0x8)", "ldxdw r0, [r10-8]" },
	{ { I(0x91, 0, 1, 0, 0) }, "r0 = *(s8 *)(r1 + 0x0)", "ldxsb r0, [r1+0]" },
	{ { I(0x72, 10, 0, -4, -2) }, "*(u8 *)(r10 - 0x4) = -0x2", "stb [r10-4], -2" },
	{ { I(0x6b, 10, 1, 6, 0) }, "*(u16 *)(r10 + 0x6) = w1", "stxh [r10+6], r1" },
	{ { I(0x7b, 10, 1, -8, 0) }, "*(u64 *)(r10 - 0x8) = r1", "stxdw [r10-8], r1" },
	{ { I(0xdb, 1, 2, 0, 0x00) }, "lock *(u64 *)(r1 + 0x0) += r2", "lock add [r1+0], r2" },
	{ { I(0xc3, 1, 2, 4, 0x51) }, "w2 = atomic_fetch_and((u32 *)(r1 + 0x4), w2)",
	  "lock fetch and32 [r1+4], r2" },
	{ { I(0xdb, 1, 2, -8, 0xe1) }, "r2 = xchg_64(r1 - 0x8, r2)", "lock xchg [r1-8], r2" },
	{ { I(0xc3, 1, 2, 0, 0xf1) }, "w0 = cmpxchg32_32(r1 + 0x0, w0, w2)",
	  "lock cmpxchg32 [r1+0], r2" },
	{ { I(0xff, 0, 0, 0, 0) }, ".quad 0x00000000000000ff # unknown opcode 0xff",
	  ".quad 0x00000000000000ff # unknown opcode 0xff" },
	{ { I(0x07, 1, 1, 0, 0) }, ".quad 0x0000000000001107 # add with an immediate uses reserved fields (src_reg 1, off 0 must be 0)",
	  ".quad 0x0000000000001107 # add with an immediate uses reserved fields (src_reg 1, off 0 must be 0)" },
	{ { I(0x0f, 11, 1, 0, 0) }, ".quad 0x0000000000001b0f # invalid dst register r11",
	  ".quad 0x0000000000001b0f # invalid dst register r11" },
	{ { I(0xbc, 1, 2, 32, 0) }, ".quad 0x00000000002021bc # mov32 uses reserved fields (imm 0 must be 0; off 32 must be 0, 8, 16)",
	  ".quad 0x00000000002021bc # mov32 uses reserved fields (imm 0 must be 0; off 32 must be 0, 8, 16)" },
	{ { I(0x18, 1, 0, 0, 0), I(0x18, 0, 0, 0, 0) },
	  ".quad 0x0000000000000118 # second slot of lddw must have only imm set",
	  ".quad 0x0000000000000118 # second slot of lddw must have only imm set" },
};

static void test_disasm_cases(void)
{
	size_t fails = 0;

	for (size_t i = 0; i < ARRAY_SIZE(disasm_cases); i++) {
		const struct disasm_case *c = &disasm_cases[i];
		char l[192], u[192];

		bpfrt_disasm_insn(c->in, 2, BPFRT_SYNTAX_LLVM, l, sizeof(l));
		bpfrt_disasm_insn(c->in, 2, BPFRT_SYNTAX_UBPF, u, sizeof(u));
		if (strcmp(l, c->llvm) || strcmp(u, c->ubpf)) {
			fails++;
			t_fail("disasm case %zu: got '%s' / '%s', want '%s' / '%s'", i, l, u, c->llvm,
			       c->ubpf);
		}
	}
	if (!fails)
		t_pass("disasm: %zu instructions print as expected in both syntaxes",
		       ARRAY_SIZE(disasm_cases));
}

/* ---- 3. cross-checks against LLVM's tools ---- */

static bool have_tool(const char *name)
{
	char cmd[160];

	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", name);
	return system(cmd) == 0;
}

/* Run a shell command, return its stdout (malloc'd) or NULL. */
static char *run(const char *cmd)
{
	FILE *f = popen(cmd, "r");
	size_t len = 0, cap = 1 << 16;
	char *buf;

	if (!f)
		return NULL;
	buf = malloc(cap);
	while (buf) {
		size_t n = fread(buf + len, 1, cap - len - 1, f);

		len += n;
		if (len + 1 < cap)
			break;
		cap *= 2;
		buf = realloc(buf, cap);
	}
	if (pclose(f) != 0 || !buf) {
		free(buf);
		return NULL;
	}
	buf[len] = '\0';
	return buf;
}

/* A valid random instruction (1 or 2 slots), any row, interesting fields. */
static size_t random_valid(struct bpfrt_insn out[2])
{
	static struct bpfrt_insn enc[4096][2];
	const struct row *rw = &rows[rnd() % ARRAY_SIZE(rows)];
	size_t n = row_encodings(rw, enc, ARRAY_SIZE(enc));
	size_t k = rnd() % n;

	out[0] = enc[k][0];
	out[1] = enc[k][1];
	/* Spread the values beyond the fixed lists. */
	switch (rw->kind) {
	case ISA_ALU_K: case ISA_SHIFT_K: case ISA_MOV_K: case ISA_DIV_K: case ISA_JMP_K:
	case ISA_JA32: case ISA_LDABS: case ISA_LDIND: case ISA_ST: case ISA_CALL:
		if (rnd() & 1)
			out[0].imm = (int32_t)rnd();
		break;
	case ISA_LDDW:
		out[0].imm = (int32_t)rnd();
		out[1].imm = (int32_t)rnd();
		break;
	default:
		break;
	}
	if ((rw->kind == ISA_JMP_K || rw->kind == ISA_JMP_X || rw->kind == ISA_JA ||
	     rw->kind == ISA_LDX || rw->kind == ISA_LDXSX || rw->kind == ISA_ST ||
	     rw->kind == ISA_STX || rw->kind == ISA_ATOMIC) && (rnd() & 1))
		out[0].off = (int16_t)rnd();
	return isa_slots(rw->code);
}

/* Forms where bpfrt prints what LLVM cannot say (documented in disasm.c). */
static bool llvm_inexpressible(const struct bpfrt_insn *in)
{
	const struct isa_op *op = &isa_ops[in->code];

	return (op->kind == ISA_CALL && in->src_reg != 0) ||
	       (op->kind == ISA_LDDW && in->src_reg != 0) || (op->kind == ISA_LDIND && in->imm != 0);
}

/* Instructions LLVM 14 does not know or prints wrongly (it predates v4). */
static bool llvm14_unknown(const struct bpfrt_insn *in)
{
	const struct isa_op *op = &isa_ops[in->code];

	/* 14 prints every 32-bit atomic as `lock ... +=`, whatever the operation */
	return llvm_inexpressible(in) || in->code == OP_BSWAP || op->kind == ISA_JA32 ||
	       (in->code == OP_ATOMIC32 && in->imm != BPFRT_ADD) ||
	       op->kind == ISA_CALLX || op->kind == ISA_LDXSX ||
	       ((op->kind == ISA_DIV_K || op->kind == ISA_DIV_X || op->kind == ISA_MOV_X) &&
		in->off != 0);
}

struct prog {
	struct bpfrt_insn *insns;
	size_t *start; /* slot of each instruction */
	size_t n, slots;
};

static void build_prog(struct prog *p, size_t count)
{
	static struct bpfrt_insn enc[4096][2];

	p->insns = calloc(count * 2 + 8192, sizeof(*p->insns));
	p->start = calloc(count + 8192, sizeof(*p->start));
	p->n = p->slots = 0;
	/* every systematic encoding of every row, then random ones */
	for (size_t r = 0; r < ARRAY_SIZE(rows); r++) {
		size_t n = row_encodings(&rows[r], enc, ARRAY_SIZE(enc));

		for (size_t i = 0; i < n && p->n < count; i += 3) {
			size_t sl = isa_slots(rows[r].code);

			p->start[p->n++] = p->slots;
			memcpy(&p->insns[p->slots], enc[i], sl * sizeof(enc[i][0]));
			p->slots += sl;
		}
	}
	while (p->n < count + 4000) {
		struct bpfrt_insn two[2];
		size_t sl = random_valid(two);

		p->start[p->n++] = p->slots;
		memcpy(&p->insns[p->slots], two, sl * sizeof(two[0]));
		p->slots += sl;
	}
}

/* objdump lines "  N:\t<text>" into text[N]; the `<sym+off>` note dropped. */
static char **parse_objdump(char *out, size_t slots)
{
	char **text = calloc(slots, sizeof(*text));

	for (char *line = strtok(out, "\n"); line && text; line = strtok(NULL, "\n")) {
		char *end, *tab;
		unsigned long pc = strtoul(line, &end, 10);

		if (end == line || *end != ':' || !(tab = strchr(end, '\t')) || pc >= slots)
			continue;
		tab++;
		end = tab + strlen(tab);
		if (end > tab && end[-1] == '>') {
			char *lt = strrchr(tab, '<');

			if (lt && lt > tab && lt[-1] == ' ')
				lt[-1] = '\0';
		}
		text[pc] = tab;
	}
	return text;
}

static void test_llvm_objdump(const char *dir, const struct prog *p)
{
	char path[256], cmd[768];
	FILE *f;
	char *out19 = NULL, *out14 = NULL, **t19 = NULL, **t14 = NULL;
	size_t cmp = 0, diff = 0, cmp14 = 0, diff14 = 0, excluded = 0;

	snprintf(path, sizeof(path), "%s/q.s", dir);
	f = fopen(path, "w");
	if (!f) {
		t_fail("llvm: cannot write %s", path);
		return;
	}
	fprintf(f, "\t.text\n");
	for (size_t i = 0; i < p->slots; i++)
		fprintf(f, "\t.quad 0x%016" PRIx64 "\n", raw64(&p->insns[i]));
	fclose(f);
	snprintf(cmd, sizeof(cmd), "llvm-mc-19 -triple bpfel -mcpu=v4 -filetype=obj %s/q.s -o %s/q.o",
		 dir, dir);
	if (system(cmd) != 0) {
		t_fail("llvm: '%s' failed", cmd);
		return;
	}
	snprintf(cmd, sizeof(cmd), "llvm-objdump-19 -d --mcpu=v4 --no-show-raw-insn %s/q.o", dir);
	out19 = run(cmd);
	t19 = out19 ? parse_objdump(out19, p->slots) : NULL;
	if (!t19) {
		t_fail("llvm: '%s' failed", cmd);
		goto out;
	}
	for (size_t i = 0; i < p->n; i++) {
		const struct bpfrt_insn *in = &p->insns[p->start[i]];
		char mine[192];

		if (llvm_inexpressible(in)) {
			excluded++;
			continue;
		}
		bpfrt_disasm_insn(in, p->slots - p->start[i], BPFRT_SYNTAX_LLVM, mine, sizeof(mine));
		cmp++;
		if (!t19[p->start[i]] || strcmp(mine, t19[p->start[i]])) {
			if (diff++ < 10)
				t_fail("llvm-objdump-19: %016" PRIx64 ": objdump '%s', bpfrt '%s'",
				       raw64(in),
				       t19[p->start[i]] ? t19[p->start[i]] : "(none)", mine);
		}
	}
	T_CHECK(!diff && cmp > 10000,
		"llvm-objdump-19 --mcpu=v4 prints the same text as bpfrt for %zu instructions "
		"(%zu differ; %zu in forms LLVM cannot express skipped)", cmp, diff, excluded);

	/* The other way: objdump's text, as pasted by a user, assembles back. */
	diff = 0;
	for (size_t i = 0; i < p->n; i++) {
		const struct bpfrt_insn *in = &p->insns[p->start[i]];
		size_t sl = isa_slots(in->code);
		char why[512];

		if (llvm_inexpressible(in) || !t19[p->start[i]])
			continue;
		if (!asm_gives(t19[p->start[i]], in, sl, why, sizeof(why)) && diff++ < 10)
			t_fail("llvm-objdump-19 text '%s' does not assemble back: %s", t19[p->start[i]],
			       why);
	}
	T_CHECK(!diff, "llvm-objdump-19 output assembles to the original bytes (%zu failures)", diff);

	if (!have_tool("llvm-objdump-14")) {
		t_skip("llvm-objdump-14: not installed");
		goto out;
	}
	snprintf(cmd, sizeof(cmd), "llvm-objdump-14 -d --mcpu=v3 --no-show-raw-insn %s/q.o", dir);
	out14 = run(cmd);
	t14 = out14 ? parse_objdump(out14, p->slots) : NULL;
	if (!t14) {
		t_fail("llvm: '%s' failed", cmd);
		goto out;
	}
	for (size_t i = 0; i < p->n; i++) {
		const struct bpfrt_insn *in = &p->insns[p->start[i]];
		const char *t = t14[p->start[i]];
		char why[512];

		if (llvm14_unknown(in) || !t || !strcmp(t, "<unknown>"))
			continue;
		cmp14++;
		if (!asm_gives(t, in, isa_slots(in->code), why, sizeof(why)) && diff14++ < 10)
			t_fail("llvm-objdump-14 text '%s' does not assemble back: %s", t, why);
	}
	T_CHECK(!diff14 && cmp14 > 5000,
		"llvm-objdump-14 output assembles to the original bytes for %zu instructions "
		"(%zu failures)", cmp14, diff14);
out:
	free(t19);
	free(t14);
	free(out19);
	free(out14);
}

/* Parse "# encoding: [0x18,0x01,...]" lines of llvm-mc -show-encoding, in order. */
static size_t parse_encodings(char *out, uint8_t *bytes, size_t max, size_t *lines)
{
	size_t n = 0;

	*lines = 0;
	for (char *p = strstr(out, "encoding: ["); p; p = strstr(p, "encoding: [")) {
		p += strlen("encoding: [");
		(*lines)++;
		while (*p && *p != ']') {
			char *end;
			unsigned long b = strtoul(p, &end, 16);

			if (end == p)
				break;
			if (n < max)
				bytes[n++] = (uint8_t)b;
			p = end;
			if (*p == ',')
				p++;
		}
	}
	return n;
}

/* Our LLVM-syntax text, read by llvm-mc, gives the original bytes. */
static void test_llvm_mc_reads_ours(const char *dir, const struct prog *p)
{
	char path[256], cmd[768];
	uint8_t *want = malloc(p->slots * 8), *got = malloc(p->slots * 8 + 64);
	size_t nwant = 0, ngot, lines, cnt = 0, skipped = 0;
	char *out;
	FILE *f;

	snprintf(path, sizeof(path), "%s/m.s", dir);
	f = fopen(path, "w");
	if (!f || !want || !got) {
		t_fail("llvm-mc: cannot prepare %s", path);
		goto done;
	}
	for (size_t i = 0; i < p->n; i++) {
		const struct bpfrt_insn *in = &p->insns[p->start[i]];
		size_t sl = isa_slots(in->code);
		char text[192];

		/* llvm-mc takes gotol targets only as labels or 16-bit numbers */
		if (llvm_inexpressible(in) ||
		    (in->code == OP_JA32 && (in->imm < INT16_MIN || in->imm > INT16_MAX))) {
			skipped++;
			continue;
		}
		bpfrt_disasm_insn(in, sl, BPFRT_SYNTAX_LLVM, text, sizeof(text));
		fprintf(f, "\t%s\n", text);
		memcpy(want + nwant, in, sl * 8);
		nwant += sl * 8;
		cnt++;
	}
	fclose(f);
	snprintf(cmd, sizeof(cmd),
		 "llvm-mc-19 -triple bpfel -mcpu=v4 -show-encoding %s 2>%s/m.err", path, dir);
	out = run(cmd);
	if (!out) {
		snprintf(cmd, sizeof(cmd), "head -5 %s/m.err", dir);
		t_fail("llvm-mc-19 rejected bpfrt's LLVM-syntax output:");
		(void)!system(cmd);
		goto done;
	}
	ngot = parse_encodings(out, got, p->slots * 8 + 64, &lines);
	if (ngot != nwant || memcmp(got, want, nwant)) {
		size_t at = 0;

		while (at < ngot && at < nwant && got[at] == want[at])
			at++;
		t_fail("llvm-mc-19 encodes bpfrt's text differently: %zu vs %zu bytes, first "
		       "difference at byte %zu (instruction %zu)", ngot, nwant, at, at / 8);
	} else {
		t_pass("llvm-mc-19 encodes bpfrt's LLVM-syntax text of %zu instructions to the "
		       "original bytes (%zu inexpressible skipped)", cnt, skipped);
	}
	free(out);
done:
	free(want);
	free(got);
}

/*
 * Our hand-written LLVM-syntax table, read by llvm-mc: same bytes, except
 * the lines listed here, which are bpfrt extensions llvm-mc rejects (or
 * reads differently: `call pc+3` is a call to a symbol "pc" to llvm-mc).
 */
static const char *const llvm_mc_rejects[] = {
	"r0 = *(s32 *)(r1 + -2)", "w0 = *(u32 *)(r1)", "gotol +70000",
	"gotol -0x80000000", "call pc+3", "call pc-0x1", "call kfunc 0x7",
	"r0 = *(u32 *)skb[r3 + 4]", "r0 = *(u8 *)skb[r3 - 0x4]", "r1 = map_fd(3) ll",
	"r1 = map_value(3, 16) ll", "r1 = btf_id(7) ll", "r1 = btf_id(7, 4) ll",
	"r1 = func(+5) ll", "r1 = func(-0x2) ll", "r1 = map_idx(0) ll",
	"r1 = map_idx_value(0, 8) ll", "r2 = map_fd(0x3)", "%r1 = %r2",
	"lock *(u32 *)(r1 + 4) |= r2",
};

static void test_llvm_mc_table(const char *dir)
{
	size_t agree = 0, rejected = 0, fails = 0;

	for (size_t i = 0; i < ARRAY_SIZE(llvm_cases); i++) {
		const struct asm_case *c = &llvm_cases[i];
		char path[256], cmd[768];
		uint8_t got[64];
		size_t n, lines;
		bool expect_reject = false;
		char *out;
		FILE *f;

		for (size_t k = 0; k < ARRAY_SIZE(llvm_mc_rejects); k++)
			expect_reject |= !strcmp(llvm_mc_rejects[k], c->text);
		snprintf(path, sizeof(path), "%s/t.s", dir);
		f = fopen(path, "w");
		if (!f)
			continue;
		fprintf(f, "\t%s\n", c->text);
		fclose(f);
		snprintf(cmd, sizeof(cmd),
			 "llvm-mc-19 -triple bpfel -mcpu=v4 -show-encoding %s 2>/dev/null", path);
		out = run(cmd);
		n = out ? parse_encodings(out, got, sizeof(got), &lines) : 0;
		if (out && lines == 1 && n == c->n * 8 && !memcmp(got, c->want, n)) {
			agree++;
			if (expect_reject && fails++ < 10)
				t_fail("llvm-mc-19 now reads '%s' as bpfrt does: drop it from "
				       "llvm_mc_rejects", c->text);
		} else {
			rejected++;
			if (!expect_reject && fails++ < 10)
				t_fail("llvm-mc-19 %s '%s' (not a listed bpfrt extension)",
				       out && lines == 1 ? "encodes differently" : "rejects", c->text);
		}
		free(out);
	}
	T_CHECK(!fails, "llvm-mc-19 encodes %zu table lines like bpfrt; rejects or misreads the %zu "
		"listed extensions", agree, rejected);
}

static void test_llvm(void)
{
	char dir[] = "/tmp/bpfrt-asm-test-XXXXXX";
	char cmd[128];
	struct prog p;

	if (!have_tool("llvm-mc-19") || !have_tool("llvm-objdump-19")) {
		t_skip("llvm cross-check: llvm-mc-19 or llvm-objdump-19 not installed");
		return;
	}
	if (!mkdtemp(dir)) {
		t_fail("llvm cross-check: mkdtemp failed");
		return;
	}
	build_prog(&p, 12000);
	if (!p.insns || !p.start) {
		t_fail("llvm cross-check: out of memory");
	} else {
		test_llvm_objdump(dir, &p);
		test_llvm_mc_reads_ours(dir, &p);
		test_llvm_mc_table(dir);
	}
	free(p.insns);
	free(p.start);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	(void)!system(cmd);
}

/* ---- 4. errors and robustness ---- */

struct err_case {
	const char *text;
	const char *log;
};

static const struct err_case err_cases[] = {
	{ "mov r0, 1\nmov r1, 2\naddd r1, 2", "line 3: unknown mnemonic 'addd'" },
	{ "exit\nexit\nexit\nexit\nmov r11, 1", "line 5: register r11 out of range" },
	{ "r12 = 1", "line 1: register r12 out of range" },
	{ "ldxw r0, [%r15+0]", "line 1: register %r15 out of range" },
	{ "exit\nja foo", "line 2: undefined label 'foo'" },
	{ "call local nowhere\nexit", "line 1: undefined label 'nowhere'" },
	{ "\n\n\nmov32 r0, 0x1ffffffff", "line 4: immediate 0x1ffffffff does not fit in 32 bits" },
	{ "r1 = -2147483649", "line 1: immediate -2147483649 does not fit in 32 bits" },
	{ "\n\n\n\n\n\nja +40000", "line 7: jump offset out of range" },
	{ "if r1 > 2 goto -32769", "line 1: jump offset out of range" },
	{ "gotol +0x80000000", "line 1: jump offset out of range" },
	{ "r0 = *(u64 *)(r1 + 40000)", "line 1: offset 40000 does not fit in 16 bits" },
	{ "stw [r10-32769], 1", "line 1: offset -32769 does not fit in 16 bits" },
	{ "lddw r0, -0x8000000000000001", "line 1: immediate -0x8000000000000001 does not fit in 64 bits" },
	{ "r1 = 99999999999999999999 ll", "line 1: number '99999999999999999999' does not fit in 64 bits" },
	{ "r1 = 12ab", "line 1: invalid number '12ab'" },
	{ "x:\nx: exit", "line 2: duplicate label 'x'" },
	{ "r1: exit", "line 1: 'r1' is a register name, not a label" },
	{ "w1 += r2", "line 1: mixed 32-bit and 64-bit registers (w1 and r2)" },
	{ "if r1 == w2 goto +1", "line 1: mixed 32-bit and 64-bit registers (r1 and w2)" },
	{ "w1 = 1 ll", "line 1: lddw needs a 64-bit register, not w1" },
	{ "w1 = (s32)w2", "line 1: (s32) sign extension needs 64-bit registers" },
	{ "r1 = -r2", "line 1: negation must name the destination register twice" },
	{ "r1 = be16 r2", "line 1: byte swap must name the destination register twice" },
	{ "r1 = map_value(3) ll", "line 1: map_value() takes two values" },
	{ "lddw r1, map_fdd(3)", "line 1: unknown pseudo source 'map_fdd'" },
	{ "ld_pseudo r1, 7, 0", "line 1: invalid pseudo source 7" },
	{ "lock fetch xchg [r1+0], r2", "line 1: xchg always fetches: write 'lock xchg'" },
	{ "lock nand [r1+0], r2", "line 1: expected an atomic operation, found 'nand'" },
	{ "lock *(u16 *)(r1 + 0) += r2", "line 1: atomic operations take u32 or u64" },
	{ "lock *(u64 *)(r1 + 0) -= r2", "line 1: expected +=, |=, &= or ^=, found '-='" },
	{ "r2 = xchg_64(r1 + 0, r3)", "line 1: xchg_64 returns into its source register r3" },
	{ "r1 = cmpxchg_64(r1 + 0, r0, r2)", "line 1: cmpxchg compares with and returns r0" },
	{ "le r1", "line 1: 'le' needs a size: le16, le32 or le64" },
	{ "atomic64 r1, r2", "line 1: atomic operations are written 'lock [fetch] <op> ...'" },
	{ "movsx1632 r1, 5", "line 1: 'movsx1632' takes a register" },
	{ "r0 = *(u64 *)skb[1]", "line 1: packet loads are u8, u16 or u32" },
	{ "r5 = *(u8 *)skb[1]", "line 1: packet loads write r0, not r5" },
	{ "r0 = *(s64 *)(r1 + 0)", "line 1: expected u8, u16, u32, u64, s8, s16 or s32, found 's64'" },
	{ "w0 = *(s8 *)(r1 + 0)", "line 1: a sign-extending load needs a 64-bit register, not w0" },
	{ "w0 = *(u64 *)(r1 + 0)", "line 1: a 64-bit load needs a 64-bit register, not w0" },
	{ "*(s8 *)(r1 + 0) = 1", "line 1: stores take u8, u16, u32 or u64" },
	{ "r1 s+= 2", "line 1: unknown operator 's+='" },
	{ "if r1 ~ r2 goto +1", "line 1: unexpected character '~'" },
	{ "if r1 == r2 goto", "line 1: expected number, found end of line" },
	{ "if r1 == r2 +1", "line 1: expected 'goto', found '+'" },
	{ "mov r0, 1 2", "line 1: unexpected '2'" },
	{ "mov r0,", "line 1: expected number, found end of line" },
	{ "mov r0 1", "line 1: expected ',', found '1'" },
	{ "stxw [r10-4] r1", "line 1: expected ',', found 'r1'" },
	{ "ldxw r0, r1+4", "line 1: expected '[', found 'r1'" },
	{ "ja r1", "line 1: expected jump target, found register" },
	{ "r1 = foo", "line 1: unexpected 'foo'" },
	{ "@", "line 1: unexpected character '@'" },
	{ "mov r0, 1\n\x01", "line 2: unexpected character 0x01" },
	{ ".bogus 1", "line 1: unknown directive '.bogus'" },
	{ ".quad 1 2", "line 1: expected ',' after .quad value" },
	{ "<unknown>", "line 1: '<unknown>' without its bytes cannot be assembled" },
	{ "exit\n...\n", "line 2: '...' (elided zero bytes) without a following address" },
	{ "call helper 0x100000000", "line 1: immediate 0x100000000 does not fit in 32 bits" },
	{ "mov r0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, "
	  "8, 9, 0, 1, 2, 3", "line 1: line too long (more than 64 tokens)" },
};

static void test_errors(void)
{
	size_t fails = 0;

	for (size_t i = 0; i < ARRAY_SIZE(err_cases); i++) {
		struct bpfrt_insn *insns = (struct bpfrt_insn *)&insns;
		size_t cnt = 77;
		char log[256];
		int err = bpfrt_asm(err_cases[i].text, &insns, &cnt, log, sizeof(log));

		if (err != -EINVAL || strcmp(log, err_cases[i].log) || insns || cnt) {
			fails++;
			t_fail("error case %zu: got %d '%s', want '%s'", i, err, log, err_cases[i].log);
		}
	}
	if (!fails)
		t_pass("errors: %zu bad inputs give -EINVAL, no output and \"line N: reason\"",
		       ARRAY_SIZE(err_cases));

	/* A label too far away for a 16-bit offset. */
	{
		size_t n = 33000;
		char *text = malloc(16 + n * 5 + 16), *p = text;
		struct bpfrt_insn *insns = NULL;
		size_t cnt;
		char log[128];
		int err;

		p += sprintf(p, "mov r0, 0\nja end\n");
		for (size_t i = 0; i < n; i++)
			p += sprintf(p, "exit\n");
		sprintf(p, "end: exit\n");
		err = bpfrt_asm(text, &insns, &cnt, log, sizeof(log));
		T_CHECK(err == -EINVAL && !strcmp(log, "line 2: jump offset out of range"),
			"errors: label beyond a 16-bit offset is reported at the jump's line ('%s')", log);
		p = text;
		p += sprintf(p, "mov r0, 0\ngotol end\n");
		for (size_t i = 0; i < n; i++)
			p += sprintf(p, "exit\n");
		sprintf(p, "end: exit\n");
		err = bpfrt_asm(text, &insns, &cnt, log, sizeof(log));
		T_CHECK(err == 0 && cnt == n + 3 && insns[1].imm == (int32_t)n,
			"gotol reaches a label %zu slots away", n);
		bpfrt_free(insns);
		free(text);
	}

	/* Arguments, a NULL or tiny log buffer. */
	{
		struct bpfrt_insn *insns;
		size_t cnt;
		char tiny[8];
		bpfrt_print_fn old = bpfrt_set_print(NULL);
		bool ok = bpfrt_asm(NULL, &insns, &cnt, NULL, 0) == -EINVAL &&
			  bpfrt_asm("exit", NULL, &cnt, NULL, 0) == -EINVAL &&
			  bpfrt_asm("exit", &insns, NULL, NULL, 0) == -EINVAL &&
			  bpfrt_asm("bad", &insns, &cnt, NULL, 0) == -EINVAL &&
			  bpfrt_asm("bad", &insns, &cnt, tiny, sizeof(tiny)) == -EINVAL &&
			  !strcmp(tiny, "line 1:");

		ok &= bpfrt_asm("", &insns, &cnt, NULL, 0) == 0 && insns && cnt == 0;
		bpfrt_free(insns);
		bpfrt_set_print(old);
		T_CHECK(ok, "bpfrt_asm: bad arguments, NULL and short logs, empty program");
	}
}

/* Random text never crashes; what assembles survives a round trip. */
static void test_fuzz(void)
{
	static const char *const vocab[] = {
		"r0", "r1", "w2", "%r3", "r10", "r11", "=", "+=", "-", "+", "*", "(", ")", "[", "]",
		",", ":", "u8", "u32", "u64", "s16", "s32", "skb", "ll", "goto", "gotol", "if", "call",
		"callx", "exit", "lock", "fetch", "add", "add32", "mov", "movsx832", "lddw", "ldxw",
		"stxdw", "ja", "jeq", "jset32", "le16", "be64", "swap32", "map_fd", "func", "pc",
		"local", "runtime", "helper", "0", "1", "-1", "0x7fffffff", "0xffffffff",
		"0x100000000", "65535", "32767", "-32768", "lbl", "lbl:", "exit:", "#", ";", "//",
		"\n", "\n", "\n", ".quad", "...", "<unknown>", "0:", "\t", "xchg_64", "cmpxchg_64",
		"atomic_fetch_add", "s", ">>=", "s>", "==", "&", "<", "0000000000000000", "<f>:",
		"b7 00 00 00 01 00 00 00", "R_BPF_64_64",
	};
	static const char *const programs[] = {
		"start:\n  mov r0, 0\n  jeq r1, 5, +2\n  lddw r2, map_value(3, 16)\n  call local f\n"
		"  ja start\nf: r0 = *(u32 *)(r1 + 4)\n  lock *(u64 *)(r10 - 8) += r1\n  exit\n",
		"0000000000000000 <prog>:\n       0:\tb7 00 00 00 01 00 00 00\tr0 = 0x1\n\t\t...\n"
		"       3:\t95 00 00 00 00 00 00 00\texit\n",
		"r1 = 0x1122334455667788 ll\nw0 = cmpxchg32_32(r1 + 8, w0, w2)\ngotol +3\n",
	};
	size_t ok = 0, total = 0, bad = 0;
	char text[600], why[512];

	for (int iter = 0; iter < 6000; iter++) {
		size_t len = 0, parts = 1 + rnd() % 24;
		struct bpfrt_insn *insns;
		size_t cnt;
		char log[256];

		if (iter % 3 == 0) { /* raw bytes */
			len = rnd() % 200;
			for (size_t i = 0; i < len; i++)
				text[i] = (char)(1 + rnd() % 255);
		} else {
			for (size_t i = 0; i < parts && len < 500; i++) {
				const char *w = vocab[rnd() % ARRAY_SIZE(vocab)];

				len += (size_t)snprintf(text + len, sizeof(text) - len, "%s%s", w,
							rnd() % 3 ? " " : "");
			}
		}
		text[len < sizeof(text) ? len : sizeof(text) - 1] = '\0';
		total++;
		if (bpfrt_asm(text, &insns, &cnt, log, sizeof(log)) == 0) {
			/* Whatever assembled disassembles and reassembles to itself. */
			for (size_t pc = 0; pc < cnt;) {
				char line[192];
				int n = bpfrt_disasm_insn(insns + pc, cnt - pc,
							  iter & 1 ? BPFRT_SYNTAX_UBPF : BPFRT_SYNTAX_LLVM,
							  line, sizeof(line));
				size_t sl = n > 0 ? (size_t)n : 1;

				if (!asm_gives(line, insns + pc, sl, why, sizeof(why)) && bad++ < 5)
					t_fail("fuzz: '%s' from '%s': %s", line, text, why);
				pc += sl;
			}
			bpfrt_free(insns);
			ok++;
		} else if (strncmp(log, "line ", 5) && bad++ < 5) {
			t_fail("fuzz: error without a line number: '%s'", log);
		}
	}
	T_CHECK(!bad, "fuzz: %zu random texts (%zu assembled) never crash, errors name a line", total,
		ok);

	/* Every prefix of real programs. */
	bad = 0;
	total = 0;
	for (size_t k = 0; k < ARRAY_SIZE(programs); k++) {
		size_t n = strlen(programs[k]);

		for (size_t cut = 0; cut <= n; cut++) {
			char *t = malloc(cut + 1);
			struct bpfrt_insn *insns;
			size_t cnt;
			char log[256];
			int err;

			memcpy(t, programs[k], cut);
			t[cut] = '\0';
			err = bpfrt_asm(t, &insns, &cnt, log, sizeof(log));
			if (!err)
				bpfrt_free(insns);
			else if (strncmp(log, "line ", 5))
				bad++;
			if (cut == n && err) {
				bad++;
				t_fail("fuzz: full program %zu does not assemble: %s", k, log);
			}
			total++;
			free(t);
		}
	}
	T_CHECK(!bad, "fuzz: %zu truncations of sample programs never crash", total);
}

/* An allocator that fails the Nth call. */
static long alloc_countdown = -1;
static long alloc_live;

static void *failing_alloc(void *ud, void *ptr, size_t size)
{
	(void)ud;
	if (size == 0) {
		if (ptr)
			alloc_live--;
		free(ptr);
		return NULL;
	}
	if (alloc_countdown == 0)
		return NULL;
	if (alloc_countdown > 0)
		alloc_countdown--;
	if (!ptr)
		alloc_live++;
	return realloc(ptr, size);
}

static void test_alloc_failure(void)
{
	const char *prog = "a: mov r0, 0\nb: jeq r1, 0, a\nc: ja b\nd: call local c\n"
			   "lddw r1, func(d)\nexit\n";
	bpfrt_print_fn old = bpfrt_set_print(NULL);
	bool ok = true, reached = false;

	for (long n = 0; n < 64 && !reached; n++) {
		struct bpfrt_insn *insns = NULL;
		size_t cnt;
		char log[128];
		int err;

		alloc_live = 0;
		alloc_countdown = n;
		bpfrt_set_allocator(failing_alloc, NULL);
		err = bpfrt_asm(prog, &insns, &cnt, log, sizeof(log));
		if (err == 0) {
			reached = true;
			bpfrt_free(insns);
		} else {
			ok &= err == -ENOMEM && !insns;
		}
		bpfrt_set_allocator(NULL, NULL);
		ok &= alloc_live == 0;
	}
	bpfrt_set_print(old);
	T_CHECK(ok && reached, "allocation failures give -ENOMEM and leak nothing");
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	test_rows();
	test_any_bytes();
	test_disasm_program();
	run_asm_cases("llvm syntax", llvm_cases, ARRAY_SIZE(llvm_cases));
	run_asm_cases("ubpf syntax", ubpf_cases, ARRAY_SIZE(ubpf_cases));
	run_asm_cases("programs", program_cases, ARRAY_SIZE(program_cases));
	test_ubpf_jumps();
	test_disasm_cases();
	test_llvm();
	test_errors();
	test_fuzz();
	test_alloc_failure();
	return t_exit();
}
