/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: arbitrary text through the assembler; whatever it
 * accepts must disassemble (both syntaxes) and reassemble to the same bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "bpfrt/bpfrt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *text;
static size_t text_len, text_cap;

/* Linear in the output: a pasted objdump "..." may expand to 1M slots. */
static void append(const char *s)
{
	size_t n = strlen(s);

	if (text_len + n + 2 > text_cap) {
		text_cap = (text_len + n + 2) * 2;
		text = realloc(text, text_cap);
		if (!text)
			abort();
	}
	memcpy(text + text_len, s, n);
	text_len += n;
	text[text_len++] = '\n';
	text[text_len] = 0;
}

static void collect(void *ctx, size_t pc, const char *line)
{
	(void)ctx, (void)pc;
	append(line);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *src = malloc(size + 1);
	struct bpfrt_insn *insns = NULL, *again = NULL;
	size_t cnt = 0, cnt2 = 0;
	char log[128];

	memcpy(src, data, size);
	src[size] = 0;
	if (bpfrt_asm(src, &insns, &cnt, log, sizeof(log)) == 0) {
		/*
		 * A pasted objdump "..." legitimately expands a few bytes into up
		 * to 1M zero slots; round-tripping those is linear but slow under
		 * the sanitizers, so only programs of sane size are round-tripped.
		 */
		for (int syntax = cnt > 65536 ? BPFRT_SYNTAX_UBPF + 1 : BPFRT_SYNTAX_LLVM; syntax <= BPFRT_SYNTAX_UBPF; syntax++) {
			text_len = 0;
			if (text)
				text[0] = 0;
			bpfrt_disasm(insns, cnt, syntax, collect, NULL);
			if (bpfrt_asm(text ? text : "", &again, &cnt2, log, sizeof(log)) != 0 || cnt2 != cnt ||
			    (cnt && memcmp(again, insns, cnt * sizeof(*insns))))
				abort(); /* disassembly must reassemble to the same bytes */
			bpfrt_free(again);
			again = NULL;
		}
		bpfrt_free(insns);
	}
	free(src);
	return 0;
}
