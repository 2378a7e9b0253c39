/* SPDX-License-Identifier: MIT */
/*
 * `bpfrt conformance-plugin`: the plugin side of the bpf_conformance suite
 * (github.com/Alan-Jowett/bpf_conformance).
 *
 * The runner starts `PLUGIN [MEMHEX] [OPTIONS...]` and writes the program
 * to our stdin as hex text ("b7 00 00 00 ..."; its encoder puts two spaces
 * between bytes). It reads r0 back from stdout with stoull(..., 16), so we
 * print bare hex as uBPF's plugin does. On a non-zero exit it compares the
 * test's expected error with our stdout, or with stderr when stdout is
 * empty: so errors go to stderr only, on one line.
 *
 * Older runners pass MEMHEX even when it is empty and all plugin options as
 * a single argument ("--engine interp"), so an empty first argument means
 * no memory and every argument is split at whitespace.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "util.h"

struct plugin_cfg {
	const char *memhex;
	enum bpfrt_engine engine;
	bool debug;
};

/* Split the arguments from argv[first] on into tokens at whitespace; *toks, *buf to free(). */
static int split_args(int argc, char **argv, int first, char ***toks, size_t *ntok, char **buf)
{
	size_t total = 1, n = 0;
	char *p, *save;

	for (int i = first; i < argc; i++)
		total += strlen(argv[i]) + 1;
	*buf = malloc(total);
	*toks = malloc(total * sizeof(**toks)); /* at most one token per byte */
	if (!*buf || !*toks) {
		free(*buf);
		free(*toks);
		cli_err("%s", strerror(ENOMEM));
		return -ENOMEM;
	}
	p = *buf;
	for (int i = first; i < argc; i++) {
		size_t len = strlen(argv[i]);
		char *tok;

		memcpy(p, argv[i], len + 1);
		for (tok = strtok_r(p, " \t\n\r\f\v", &save); tok;
		     tok = strtok_r(NULL, " \t\n\r\f\v", &save))
			(*toks)[n++] = tok;
		p += len + 1;
	}
	*ntok = n;
	return 0;
}

static int parse_args(struct plugin_cfg *cfg, int argc, char **argv)
{
	char **toks = NULL, *buf = NULL;
	size_t ntok = 0;
	int first = 1, rc = CLI_OK;

	/* MEMHEX, if present, is the first argument and is no option. */
	if (argc > 1 && argv[1][0] != '-') {
		cfg->memhex = argv[1];
		first = 2;
	}
	if (split_args(argc, argv, first, &toks, &ntok, &buf))
		return CLI_FAIL;
	for (size_t i = 0; i < ntok && rc == CLI_OK; i++) {
		const char *t = toks[i];

		if (strcmp(t, "-h") == 0 || strcmp(t, "--help") == 0) {
			cli_help("conformance-plugin");
			rc = -1;
		} else if (strcmp(t, "--debug") == 0) {
			cfg->debug = true;
		} else if (strcmp(t, "--engine") == 0) {
			if (i + 1 >= ntok)
				rc = cli_usage_err("option '--engine' needs a value");
			else if (cli_parse_engine(toks[++i], &cfg->engine))
				rc = CLI_USAGE;
		} else if (strncmp(t, "--engine=", 9) == 0) {
			if (cli_parse_engine(t + 9, &cfg->engine))
				rc = CLI_USAGE;
		} else if (t[0] == '-') {
			rc = cli_usage_err("unknown option '%s'", t);
		} else {
			rc = cli_usage_err("unexpected argument '%s' (MEMHEX must come first)", t);
		}
	}
	free(toks);
	free(buf);
	return rc;
}

static void debug_dump(const struct plugin_cfg *cfg, const uint8_t *mem, size_t mem_len,
		       const struct bpfrt_insn *insns, size_t cnt)
{
	fprintf(stderr, "%s: engine %s\n", cli_prog, bpfrt_engine_name(cfg->engine));
	fprintf(stderr, "%s: memory (%zu bytes):", cli_prog, mem_len);
	if (mem_len) {
		fputc(' ', stderr);
		cli_print_hex(stderr, mem, mem_len);
	}
	fprintf(stderr, "\n%s: program (%zu slots):\n", cli_prog, cnt);
	for (size_t pc = 0; pc < cnt;) {
		char text[256];
		int n = bpfrt_disasm_insn(&insns[pc], cnt - pc, BPFRT_SYNTAX_LLVM, text, sizeof(text));

		fprintf(stderr, "%6zu:\t%s\n", pc, text);
		pc += n == 2 ? 2 : 1;
	}
}

int cmd_conformance_plugin(int argc, char **argv)
{
	struct plugin_cfg cfg = { .engine = CLI_DEFAULT_ENGINE };
	static uint8_t no_mem[1]; /* r1 for a test without memory: valid, 0 bytes long */
	struct bpfrt_insn *insns = NULL;
	struct bpfrt_load_opts lopts;
	struct bpfrt_run_opts ropts;
	struct bpfrt_prog *prog = NULL;
	struct bpfrt_vm *vm = NULL;
	uint8_t *mem = NULL, *text = NULL, *code = NULL;
	size_t mem_len = 0, text_len, code_len, cnt;
	char log[512] = "";
	int rc, err;

	rc = parse_args(&cfg, argc, argv);
	if (rc)
		return rc < 0 ? CLI_OK : rc;

	if (cfg.memhex &&
	    cli_parse_hex("memory argument", cfg.memhex, strlen(cfg.memhex), &mem, &mem_len))
		return CLI_USAGE;
	rc = CLI_FAIL;
	if (cli_read_file("-", &text, &text_len))
		goto out;
	if (cli_parse_hex("program on stdin", (const char *)text, text_len, &code, &code_len))
		goto out;
	if (cli_bytes_to_insns("program on stdin", code, code_len, &insns, &cnt))
		goto out;
	if (cfg.debug)
		debug_dump(&cfg, mem, mem_len, insns, cnt);

	vm = cli_vm_new();
	if (!vm)
		goto out;
	memset(&lopts, 0, sizeof(lopts));
	lopts.sz = sizeof(lopts);
	lopts.log_buf = log;
	lopts.log_size = sizeof(log);
	prog = bpfrt_prog__load(vm, insns, cnt, &lopts);
	if (!prog) {
		cli_err("program rejected: %s", log[0] ? log : strerror(errno));
		goto out;
	}

	memset(&ropts, 0, sizeof(ropts));
	ropts.sz = sizeof(ropts);
	ropts.engine = cfg.engine;
	ropts.mem = mem_len ? mem : no_mem;
	ropts.mem_size = mem_len;
	err = bpfrt_prog__run(prog, &ropts);
	if (err) {
		cli_err("fault: %s", ropts.fault.msg[0] ? ropts.fault.msg : strerror(-err));
		goto out;
	}
	if (cfg.debug)
		fprintf(stderr, "%s: r0 = 0x%" PRIx64 "\n", cli_prog, ropts.retval);
	printf("%" PRIx64 "\n", ropts.retval);
	rc = CLI_OK;
out:
	if (prog)
		bpfrt_prog__free(prog);
	if (vm)
		bpfrt_vm__free(vm);
	free(insns);
	free(code);
	free(text);
	free(mem);
	return rc;
}
