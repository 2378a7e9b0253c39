/* SPDX-License-Identifier: MIT */
/* `bpfrt asm` and `bpfrt disasm`: between assembler text and bytecode. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bpfrt/object.h"
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

enum { DIS_OPT_SYNTAX, DIS_OPT_BYTES, DIS_OPT_JSON, DIS_OPT_FORMAT, DIS_OPT_PROG,
       DIS_OPT_NO_SOURCE, DIS_OPT_LINUM, DIS_OPT_BTF, DIS_OPT_KCONFIG };

static const struct cli_opt disasm_opts[] = {
	[DIS_OPT_SYNTAX] = { "syntax", 0, true },
	[DIS_OPT_BYTES] = { "bytes", 0, false },
	[DIS_OPT_JSON] = { "json", 0, false },
	[DIS_OPT_FORMAT] = { "format", 0, true },
	[DIS_OPT_PROG] = { "prog", 0, true },
	[DIS_OPT_NO_SOURCE] = { "no-source", 0, false },
	[DIS_OPT_LINUM] = { "linum", 0, false },
	[DIS_OPT_BTF] = { "btf", 0, true },
	[DIS_OPT_KCONFIG] = { "kconfig", 0, true },
	{ 0 },
};

static const char *const syntax_names[] = {
	[BPFRT_SYNTAX_LLVM] = "llvm",
	[BPFRT_SYNTAX_UBPF] = "ubpf",
};

struct dis_cfg {
	const char *file;
	enum cli_format fmt;
	enum bpfrt_syntax syntax;
	bool bytes, json;
	/* ELF objects only */
	const char *prog;
	bool no_source, linum;
	struct cli_obj_opts obj;
	const char *obj_only; /* an object-only option that was given, or NULL */
};

/* What an instruction of an object comes with (NULL members: nothing). */
struct dis_note {
	const struct bpfrt_line *line; /* a new source line starts here */
	const char *func;              /* a new function starts here */
	const char *comment;           /* what a map/helper/call reference names */
};

/*
 * Print the instruction at insns[pc]; returns the slots it takes (an
 * invalid one takes one, its text describes it) and counts it in *invalid.
 */
static size_t print_insn(const struct dis_cfg *cfg, const struct bpfrt_insn *insns, size_t cnt,
			 size_t pc, const struct dis_note *note, bool first, size_t *invalid)
{
	uint8_t raw[16];
	char text[256];
	size_t slots;
	int n;

	n = bpfrt_disasm_insn(&insns[pc], cnt - pc, cfg->syntax, text, sizeof(text));
	if (n < 0)
		(*invalid)++;
	slots = n == 2 && pc + 1 < cnt ? 2 : 1;
	cli_encode_insns(&insns[pc], slots, raw);
	if (cfg->json) {
		printf("%s\n  {\"pc\": %zu, \"bytes\": \"", first ? "" : ",", pc);
		cli_print_hex(stdout, raw, slots * 8);
		printf("\", \"text\": ");
		cli_json_string(stdout, text);
		printf(", \"valid\": %s", n < 0 ? "false" : "true");
		if (note && note->func) {
			printf(", \"func\": ");
			cli_json_string(stdout, note->func);
		}
		if (note && note->line) {
			printf(", \"source\": {\"file\": ");
			cli_json_string(stdout, note->line->file ? note->line->file : "");
			printf(", \"line\": %u, \"col\": %u, \"text\": ", note->line->line,
			       note->line->col);
			cli_json_string(stdout, note->line->text ? note->line->text : "");
			printf("}");
		}
		if (note && note->comment) {
			printf(", \"comment\": ");
			cli_json_string(stdout, note->comment);
		}
		printf("}");
		return slots;
	}
	printf("%6zu:\t", pc);
	if (cfg->bytes) {
		cli_print_hex(stdout, raw, slots * 8);
		printf("\t");
	}
	if (note && note->comment)
		printf("%s  # %s\n", text, note->comment);
	else
		printf("%s\n", text);
	return slots;
}

/* ---- disasm of an ELF object ------------------------------------------ */

/*
 * The name to show for a map in comments. Global-data maps are named as
 * libbpf names them, "<object>.data", or after their section (".data.custom"),
 * so the section is the part from the first '.'.
 */
static const char *map_label(const struct bpfrt_map *map)
{
	const char *name = bpfrt_map__name(map), *dot = strchr(name, '.');

	return bpfrt_map__is_internal(map) && dot ? dot : name;
}

/*
 * " (var)" or " (var + 2)": the variable of global-data section `sec` at
 * offset `off`, from the DATASEC of the object's BTF; "" if unknown.
 */
static void datasec_var(const struct bpfrt_object *obj, const char *sec, uint32_t off, char *buf,
			size_t size)
{
	const struct bpfrt_btf *btf = bpfrt_object__btf(obj);
	const struct btf_var_secinfo *v;
	const struct btf_type *t, *var;
	const char *name;
	int id;

	buf[0] = '\0';
	if (!btf || (id = bpfrt_btf__find_by_name_kind(btf, sec, BTF_KIND_DATASEC)) < 0)
		return;
	t = bpfrt_btf__type_by_id(btf, (uint32_t)id);
	v = (const struct btf_var_secinfo *)(t + 1);
	for (uint32_t i = 0; i < BTF_INFO_VLEN(t->info); i++, v++) {
		if (off < v->offset || off - v->offset >= v->size)
			continue;
		var = bpfrt_btf__type_by_id(btf, v->type);
		name = var ? bpfrt_btf__str(btf, var->name_off) : NULL;
		if (!name || !name[0])
			return;
		if (off == v->offset)
			snprintf(buf, size, " (%s)", name);
		else
			snprintf(buf, size, " (%s + %u)", name, off - v->offset);
		return;
	}
}

/* What the instruction at pc refers to, for the comment after it (or ""). */
static void insn_comment(const struct bpfrt_object *obj, const struct bpfrt_program *prog,
			 const struct bpfrt_insn *insns, size_t cnt, size_t pc, char *buf,
			 size_t size)
{
	const struct bpfrt_insn *in = &insns[pc];
	const struct bpfrt_map *map;
	const char *name;
	char var[96];

	buf[0] = '\0';
	if (in->code == (BPFRT_LD | BPFRT_IMM | BPFRT_DW) && pc + 1 < cnt) {
		switch (in->src_reg) {
		case BPFRT_PSEUDO_MAP_IDX:
		case BPFRT_PSEUDO_MAP_IDX_VALUE:
			map = bpfrt_object__map_by_index(obj, (unsigned int)in->imm);
			if (!map)
				snprintf(buf, size, "no map %d", in->imm);
			else if (in->src_reg == BPFRT_PSEUDO_MAP_IDX)
				snprintf(buf, size, "map '%s'", bpfrt_map__name(map));
			else if (bpfrt_map__is_internal(map)) {
				datasec_var(obj, map_label(map), (uint32_t)in[1].imm, var, sizeof(var));
				snprintf(buf, size, "%s + %u%s", map_label(map), (uint32_t)in[1].imm,
					 var);
			} else
				snprintf(buf, size, "map '%s' + %u", bpfrt_map__name(map),
					 (uint32_t)in[1].imm);
			break;
		case BPFRT_PSEUDO_FUNC:
			name = bpfrt_program__func_name(prog, pc + (size_t)(int64_t)in->imm + 1);
			if (name)
				snprintf(buf, size, "<%s>", name);
			break;
		default:
			break;
		}
		return;
	}
	if (in->code != (BPFRT_JMP | BPFRT_CALL))
		return;
	if (in->src_reg == BPFRT_PSEUDO_CALL) {
		name = bpfrt_program__func_name(prog, pc + (size_t)(int64_t)in->imm + 1);
		if (name)
			snprintf(buf, size, "<%s>", name);
	} else if (in->src_reg == BPFRT_PSEUDO_CALL_HELPER) {
		if (in->imm == BPFRT_POISON_HELPER_ID)
			snprintf(buf, size, "CO-RE relocation failed: fails if reached");
		else if (in->imm >= BPFRT_KFUNC_POISON_BASE)
			snprintf(buf, size, "unresolved __weak kfunc: fails if reached");
		else if (in->imm > 0 && (name = bpfrt_helper_name((uint32_t)in->imm)))
			snprintf(buf, size, "bpf_%s", name);
	}
}

/*
 * Whether two line-info records name the same source line (and, with
 * --linum, the same column): llvm-objdump -S prints a line once however
 * many records clang made for its expressions, bpftool's linum each record.
 */
static bool same_line(const struct bpfrt_line *a, const struct bpfrt_line *b, bool col)
{
	return a->line == b->line && (!col || a->col == b->col) &&
	       strcmp(a->file ? a->file : "", b->file ? b->file : "") == 0 &&
	       strcmp(a->text ? a->text : "", b->text ? b->text : "") == 0;
}

/* One program: a header line, then its relocated instructions. */
static void disasm_program(const struct dis_cfg *cfg, const struct bpfrt_object *obj,
			   const struct bpfrt_program *prog, bool first, size_t *invalid)
{
	const struct bpfrt_insn *insns = bpfrt_program__insns(prog);
	size_t cnt = bpfrt_program__insn_cnt(prog);
	const char *type = bpfrt_prog_type_name(bpfrt_program__type(prog));
	const char *name = bpfrt_program__name(prog), *func = NULL;
	struct bpfrt_line prev = { 0 };
	bool have_prev = false;

	if (cfg->json) {
		printf("%s\n {\"name\": ", first ? "" : ",");
		cli_json_string(stdout, name);
		printf(", \"section\": ");
		cli_json_string(stdout, bpfrt_program__section_name(prog));
		printf(", \"type\": ");
		cli_json_string(stdout, type ? type : "unknown");
		printf(", \"count\": %zu, \"insns\": [", cnt);
	} else {
		printf("%s%s (section %s, type %s, %zu insns):\n", first ? "" : "\n", name,
		       bpfrt_program__section_name(prog), type ? type : "unknown", cnt);
	}
	for (size_t pc = 0; pc < cnt;) {
		struct dis_note note = { 0 };
		struct bpfrt_line line;
		const char *f = bpfrt_program__func_name(prog, pc);
		char comment[160];

		/* A new function: the program's own (at pc 0) goes without saying. */
		if (f && (!func || strcmp(f, func) != 0) && (pc || strcmp(f, name) != 0))
			note.func = f;
		if (f)
			func = f;
		if (!cfg->no_source && bpfrt_program__line(prog, pc, &line) == 0 &&
		    (!have_prev || !same_line(&line, &prev, cfg->linum || cfg->json))) {
			prev = line;
			have_prev = true;
			note.line = &prev;
		}
		insn_comment(obj, prog, insns, cnt, pc, comment, sizeof(comment));
		note.comment = comment[0] ? comment : NULL;
		if (!cfg->json) {
			if (note.func)
				printf("<%s>:\n", note.func);
			if (note.line && (cfg->linum || (note.line->text && note.line->text[0]))) {
				printf(";%s%s", note.line->text && note.line->text[0] ? " " : "",
				       note.line->text ? note.line->text : "");
				if (cfg->linum)
					printf(" [%s:%u:%u]", note.line->file ? note.line->file : "?",
					       note.line->line, note.line->col);
				printf("\n");
			}
		}
		pc += print_insn(cfg, insns, cnt, pc, &note, pc == 0, invalid);
	}
	if (cfg->json)
		printf("%s]}", cnt ? "\n " : "");
}

static int disasm_object(const struct dis_cfg *cfg, const uint8_t *data, size_t len)
{
	const char *name = cli_path_name(cfg->file);
	const struct bpfrt_program *prog = NULL;
	struct bpfrt_object *obj;
	size_t invalid = 0;
	bool first = true;
	char names[512];

	obj = cli_object_open(cfg->file, data, len, &cfg->obj);
	if (!obj)
		return CLI_FAIL;
	if (cfg->prog && !bpfrt_object__find_program_by_name(obj, cfg->prog)) {
		cli_object_prog_names(obj, false, names, sizeof(names));
		cli_err("%s: no program '%s' (programs: %s)", name, cfg->prog,
			names[0] ? names : "none");
		bpfrt_object__close(obj);
		return CLI_FAIL;
	}
	if (cfg->json) {
		printf("{\"file\": ");
		cli_json_string(stdout, name);
		printf(", \"syntax\": \"%s\", \"programs\": [", syntax_names[cfg->syntax]);
	}
	while ((prog = bpfrt_object__next_program(obj, prog))) {
		if (cfg->prog && strcmp(bpfrt_program__name(prog), cfg->prog) != 0)
			continue;
		disasm_program(cfg, obj, prog, first, &invalid);
		first = false;
	}
	if (cfg->json)
		printf("%s]}\n", first ? "" : "\n");
	bpfrt_object__close(obj);
	if (invalid) {
		cli_err("%s: %zu invalid instruction%s", name, invalid, invalid == 1 ? "" : "s");
		return CLI_FAIL;
	}
	return CLI_OK;
}

/* ---- disasm ----------------------------------------------------------- */

static int disasm_args(struct dis_cfg *cfg, int argc, char **argv)
{
	struct cli_args args;
	const char *val;
	int opt, f;

	cli_args_init(&args, argc, argv);
	while ((opt = cli_args_next(&args, disasm_opts, &val)) != CLI_ARG_END) {
		if (opt >= DIS_OPT_PROG)
			cfg->obj_only = disasm_opts[opt].name;
		switch (opt) {
		case DIS_OPT_SYNTAX:
			if (strcmp(val, syntax_names[BPFRT_SYNTAX_LLVM]) == 0)
				cfg->syntax = BPFRT_SYNTAX_LLVM;
			else if (strcmp(val, syntax_names[BPFRT_SYNTAX_UBPF]) == 0)
				cfg->syntax = BPFRT_SYNTAX_UBPF;
			else
				return cli_usage_err("--syntax: unknown syntax '%s' (llvm or ubpf)",
						     val);
			break;
		case DIS_OPT_BYTES:
			cfg->bytes = true;
			break;
		case DIS_OPT_JSON:
			cfg->json = true;
			break;
		case DIS_OPT_FORMAT:
			f = cli_format_from_name(val);
			if (f < 0)
				return cli_usage_err("--format: unknown format '%s' (see 'bpfrt help "
						     "disasm')", val);
			cfg->fmt = (enum cli_format)f;
			break;
		case DIS_OPT_PROG:
			cfg->prog = val;
			break;
		case DIS_OPT_NO_SOURCE:
			cfg->no_source = true;
			break;
		case DIS_OPT_LINUM:
			cfg->linum = true;
			break;
		case DIS_OPT_BTF:
			cfg->obj.btf_path = val;
			break;
		case DIS_OPT_KCONFIG:
			cfg->obj.kconfig_path = val;
			break;
		case CLI_ARG_OPERAND:
			if (cfg->file)
				return cli_usage_err("unexpected argument '%s' (one FILE only)", val);
			cfg->file = val;
			break;
		case CLI_ARG_HELP:
			cli_help("disasm");
			return -1;
		default:
			return CLI_USAGE;
		}
	}
	if (!cfg->file)
		return cli_usage_err("missing FILE (see 'bpfrt help disasm')");
	if (cfg->no_source && cfg->linum)
		return cli_usage_err("--no-source and --linum cannot be used together");
	return CLI_OK;
}

int cmd_disasm(int argc, char **argv)
{
	struct dis_cfg cfg = { .fmt = CLI_FORMAT_AUTO, .syntax = BPFRT_SYNTAX_LLVM };
	struct bpfrt_insn *insns;
	size_t cnt, len, invalid = 0;
	uint8_t *data;
	int rc;

	rc = disasm_args(&cfg, argc, argv);
	if (rc)
		return rc < 0 ? CLI_OK : rc;
	if (cli_read_file(cfg.file, &data, &len))
		return CLI_FAIL;
	if (cfg.fmt == CLI_FORMAT_AUTO && cli_is_elf(data, len)) {
		rc = disasm_object(&cfg, data, len);
		free(data);
		return rc;
	}
	if (cfg.obj_only) {
		free(data);
		return cli_usage_err("--%s: only for ELF objects, and %s is not one", cfg.obj_only,
				     cli_path_name(cfg.file));
	}
	rc = cli_parse_insns(cfg.file, data, len, cfg.fmt, &insns, &cnt, NULL);
	free(data);
	if (rc)
		return CLI_FAIL;

	if (cfg.json)
		printf("{\"syntax\": \"%s\", \"insns\": [", syntax_names[cfg.syntax]);
	for (size_t pc = 0; pc < cnt;)
		pc += print_insn(&cfg, insns, cnt, pc, NULL, pc == 0, &invalid);
	if (cfg.json)
		printf("\n], \"count\": %zu, \"invalid\": %zu}\n", cnt, invalid);
	free(insns);
	if (invalid) {
		cli_err("%s: %zu invalid instruction%s", cli_path_name(cfg.file), invalid,
			invalid == 1 ? "" : "s");
		return CLI_FAIL;
	}
	return CLI_OK;
}
