/* SPDX-License-Identifier: MIT */
/*
 * src/isa/asm_int.h - internals shared by the assembler's driver (asm.c:
 * lines, labels, objdump paste, directives) and its statement parsers
 * (asm_stmt.c: one instruction in either syntax).
 */
#ifndef BPFRT_ISA_ASM_INT_H
#define BPFRT_ISA_ASM_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpfrt/insn.h"

#define ASM_MAX_TOKS 64

enum asm_tok_kind {
	ASM_T_END,   /* end of the line */
	ASM_T_IDENT, /* name, register, mnemonic: [A-Za-z_.$%][A-Za-z0-9_.$]* */
	ASM_T_NUM,   /* unsigned literal, decimal or 0x hex; the sign is a token */
	ASM_T_PUNCT, /* operator or punctuation: "+=", "(", "s" is an IDENT */
};

struct asm_tok {
	enum asm_tok_kind kind;
	const char *s; /* points into the source text */
	size_t len;
	uint64_t num;  /* value of an ASM_T_NUM */
};

/* A signed literal: sign, magnitude and the digits as written (for messages). */
struct asm_num {
	bool neg;
	uint64_t mag;
	const char *s;
	size_t len;
};

/* Where a label's address goes once it is known. */
enum asm_fix_kind {
	ASM_FIX_OFF16, /* off = target - slot - 1 (jumps) */
	ASM_FIX_IMM32, /* imm = target - slot - 1 (gotol, call local, lddw func) */
};

struct asm_fixup {
	const char *name;
	size_t len;
	size_t slot;
	unsigned line;
	enum asm_fix_kind kind;
};

struct asm_label {
	const char *name;
	size_t len;
	size_t slot;
};

struct asm_state {
	struct bpfrt_insn *out;
	size_t cnt, cap;

	struct asm_label *labels;
	size_t nlabels, labels_cap;
	size_t *hash; /* open addressing: index + 1 into labels, 0 = empty */
	size_t hash_cap;

	struct asm_fixup *fixups;
	size_t nfixups, fixups_cap;

	bool have_exit; /* for the conformance suite's implicit `exit` label */
	size_t first_exit;

	bool nomem; /* an allocation failed: the result is -ENOMEM */
	unsigned line;
	char *log;
	size_t log_size;

	/* The statement being parsed. */
	struct asm_tok toks[ASM_MAX_TOKS + 1];
	size_t ntoks, pos;
};

/* Record "line N: <message>" in the log; returns -EINVAL. */
int asm_fail(struct asm_state *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Append one slot; -ENOMEM or -EINVAL (too many instructions) after reporting. */
int asm_emit(struct asm_state *a, struct bpfrt_insn insn);

/* Remember that the slot about to be emitted refers to a label. */
int asm_add_fixup(struct asm_state *a, const struct asm_tok *name, enum asm_fix_kind kind);

/* Split [s, e) into a->toks; -EINVAL after reporting a bad character or number. */
int asm_tokenize(struct asm_state *a, const char *s, const char *e);

/* Parse and emit the statement in a->toks (either syntax). */
int asm_statement(struct asm_state *a);

/* Parse a signed literal at the cursor. */
int asm_parse_num(struct asm_state *a, struct asm_num *n);

/* True if [s, s+len) spells a register, r0-r99 / w0-w99 / %r0..., in or out of range. */
bool asm_is_reg_name(const char *s, size_t len);

#endif /* BPFRT_ISA_ASM_INT_H */
