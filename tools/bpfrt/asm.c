/* SPDX-License-Identifier: MIT */
/* `bpfrt asm` and `bpfrt disasm`: between assembler text and bytecode. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "util.h"

/* ---- asm -------------------------------------------------------------- */

enum { ASM_OPT_OUTPUT, ASM_OPT_HEX };

static const struct cli_opt asm_opts[] = {
	[ASM_OPT_OUTPUT] = { "output", 'o', true },
	[ASM_OPT_HEX] = { "hex", 0, false },
	{ 0 },
};

static int write_all(FILE *f, const char *name, const uint8_t *data, size_t len, bool hex)
{
	errno = 0;
	if (hex) {
		for (size_t i = 0; i < len; i += 8) {
			cli_print_hex(f, data + i, 8);
			fputc('\n', f);
		}
	} else {
		fwrite(data, 1, len, f);
	}
	if (fflush(f) || ferror(f)) {
		cli_err("%s: %s", name, strerror(errno ? errno : EIO));
		return CLI_FAIL;
	}
	return CLI_OK;
}

int cmd_asm(int argc, char **argv)
{
	const char *in = NULL, *out = NULL, *val;
	struct bpfrt_insn *insns;
	struct cli_args args;
	bool hex = false;
	uint8_t *bytes;
	size_t cnt;
	int opt, rc;

	cli_args_init(&args, argc, argv);
	while ((opt = cli_args_next(&args, asm_opts, &val)) != CLI_ARG_END) {
		switch (opt) {
		case ASM_OPT_OUTPUT:
			out = val;
			break;
		case ASM_OPT_HEX:
			hex = true;
			break;
		case CLI_ARG_OPERAND:
			if (in)
				return cli_usage_err("unexpected argument '%s' (one FILE only)", val);
			in = val;
			break;
		case CLI_ARG_HELP:
			return cli_help("asm");
		default:
			return CLI_USAGE;
		}
	}
	if (!in)
		return cli_usage_err("missing FILE (see 'bpfrt help asm')");
	if (!out && !hex && isatty(STDOUT_FILENO))
		return cli_usage_err("refusing to write bytecode to a terminal: use -o OUT, "
				     "redirect, or --hex");

	/* Assemble before opening OUT, so a failure leaves OUT untouched. */
	if (cli_load_insns(in, CLI_FORMAT_ASM, &insns, &cnt, NULL))
		return CLI_FAIL;
	bytes = malloc(cnt * 8);
	if (!bytes) {
		free(insns);
		cli_err("%s", strerror(ENOMEM));
		return CLI_FAIL;
	}
	cli_encode_insns(insns, cnt, bytes);
	free(insns);

	if (!out || strcmp(out, "-") == 0) {
		rc = write_all(stdout, "<stdout>", bytes, cnt * 8, hex);
	} else {
		FILE *f = fopen(out, hex ? "w" : "wb");

		if (!f) {
			cli_err("%s: %s", out, strerror(errno));
			rc = CLI_FAIL;
		} else {
			rc = write_all(f, out, bytes, cnt * 8, hex);
			if (fclose(f) && rc == CLI_OK) {
				cli_err("%s: %s", out, strerror(errno));
				rc = CLI_FAIL;
			}
		}
	}
	free(bytes);
	return rc;
}

/* ---- disasm ----------------------------------------------------------- */

enum { DIS_OPT_SYNTAX, DIS_OPT_BYTES, DIS_OPT_JSON, DIS_OPT_FORMAT };

static const struct cli_opt disasm_opts[] = {
	[DIS_OPT_SYNTAX] = { "syntax", 0, true },
	[DIS_OPT_BYTES] = { "bytes", 0, false },
	[DIS_OPT_JSON] = { "json", 0, false },
	[DIS_OPT_FORMAT] = { "format", 0, true },
	{ 0 },
};

static const char *const syntax_names[] = {
	[BPFRT_SYNTAX_LLVM] = "llvm",
	[BPFRT_SYNTAX_UBPF] = "ubpf",
};

int cmd_disasm(int argc, char **argv)
{
	enum cli_format fmt = CLI_FORMAT_AUTO;
	enum bpfrt_syntax syntax = BPFRT_SYNTAX_LLVM;
	const char *in = NULL, *val;
	bool bytes = false, json = false;
	struct bpfrt_insn *insns;
	struct cli_args args;
	size_t cnt, invalid = 0;
	int opt, f;

	cli_args_init(&args, argc, argv);
	while ((opt = cli_args_next(&args, disasm_opts, &val)) != CLI_ARG_END) {
		switch (opt) {
		case DIS_OPT_SYNTAX:
			if (strcmp(val, syntax_names[BPFRT_SYNTAX_LLVM]) == 0)
				syntax = BPFRT_SYNTAX_LLVM;
			else if (strcmp(val, syntax_names[BPFRT_SYNTAX_UBPF]) == 0)
				syntax = BPFRT_SYNTAX_UBPF;
			else
				return cli_usage_err("--syntax: unknown syntax '%s' (llvm or ubpf)",
						     val);
			break;
		case DIS_OPT_BYTES:
			bytes = true;
			break;
		case DIS_OPT_JSON:
			json = true;
			break;
		case DIS_OPT_FORMAT:
			f = cli_format_from_name(val);
			if (f < 0)
				return cli_usage_err("--format: unknown format '%s' (see 'bpfrt help "
						     "disasm')", val);
			fmt = (enum cli_format)f;
			break;
		case CLI_ARG_OPERAND:
			if (in)
				return cli_usage_err("unexpected argument '%s' (one FILE only)", val);
			in = val;
			break;
		case CLI_ARG_HELP:
			return cli_help("disasm");
		default:
			return CLI_USAGE;
		}
	}
	if (!in)
		return cli_usage_err("missing FILE (see 'bpfrt help disasm')");
	if (cli_load_insns(in, fmt, &insns, &cnt, NULL))
		return CLI_FAIL;

	if (json)
		printf("{\"syntax\": \"%s\", \"insns\": [", syntax_names[syntax]);
	for (size_t pc = 0; pc < cnt;) {
		uint8_t raw[16];
		char text[256];
		size_t slots;
		int n;

		n = bpfrt_disasm_insn(&insns[pc], cnt - pc, syntax, text, sizeof(text));
		if (n < 0)
			invalid++;
		/* An invalid instruction takes one slot; its text describes it. */
		slots = n == 2 && pc + 1 < cnt ? 2 : 1;
		cli_encode_insns(&insns[pc], slots, raw);
		if (json) {
			printf("%s\n  {\"pc\": %zu, \"bytes\": \"", pc ? "," : "", pc);
			cli_print_hex(stdout, raw, slots * 8);
			printf("\", \"text\": ");
			cli_json_string(stdout, text);
			printf(", \"valid\": %s}", n < 0 ? "false" : "true");
		} else if (bytes) {
			printf("%6zu:\t", pc);
			cli_print_hex(stdout, raw, slots * 8);
			printf("\t%s\n", text);
		} else {
			printf("%6zu:\t%s\n", pc, text);
		}
		pc += slots;
	}
	if (json)
		printf("\n], \"count\": %zu, \"invalid\": %zu}\n", cnt, invalid);
	free(insns);
	if (invalid) {
		cli_err("%s: %zu invalid instruction%s", cli_path_name(in), invalid,
			invalid == 1 ? "" : "s");
		return CLI_FAIL;
	}
	return CLI_OK;
}
