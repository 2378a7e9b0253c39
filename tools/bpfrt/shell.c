/* SPDX-License-Identifier: MIT */
/*
 * `bpfrt shell FILE.o`: one session (session.h), commands read line by
 * line: run (run.c), map (session.c), help, quit.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "session.h"

enum { SHELL_OPT_PROG, SHELL_OPT_MAP_INIT, SHELL_OPT_SCRIPT, SHELL_OPT_BTF, SHELL_OPT_KCONFIG };

static const struct cli_opt shell_opts[] = {
	[SHELL_OPT_PROG] = { "prog", 0, true },
	[SHELL_OPT_MAP_INIT] = { "map-init", 0, true },
	[SHELL_OPT_SCRIPT] = { "script", 0, true },
	[SHELL_OPT_BTF] = { "btf", 0, true },
	[SHELL_OPT_KCONFIG] = { "kconfig", 0, true },
	{ 0 },
};

/* Split a line into words: blanks separate, "double quotes" group, # starts a comment. */
static int split(char *line, char **words, int max)
{
	int n = 0;

	for (char *p = line; *p;) {
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		if (!*p || *p == '#')
			break;
		if (n == max - 1)
			return -E2BIG;
		if (*p == '"') {
			words[n++] = ++p;
			while (*p && *p != '"')
				p++;
			if (!*p)
				return -EINVAL;
		} else {
			words[n++] = p;
			while (*p && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
				p++;
		}
		if (*p)
			*p++ = '\0';
	}
	words[n] = NULL;
	return n;
}

/* One command of n words; returns its exit status (-1: it printed help). */
static int shell_cmd(struct cli_session *s, int n, char **words)
{
	if (!strcmp(words[0], "run"))
		return cli_session_run(s, n, words);
	if (!strcmp(words[0], "map"))
		return cli_session_map_cmd(s, n - 1, words + 1);
	if (!strcmp(words[0], "help"))
		return cli_help("shell");
	return cli_usage_err("unknown command '%s' (run, map, help, quit)", words[0]);
}

#define SHELL_MAX_WORDS 64

int cmd_shell(int argc, char **argv)
{
	struct cli_session_opts so = { 0 };
	struct cli_session s;
	struct cli_args args;
	char *line = NULL, *words[SHELL_MAX_WORDS];
	const char *script = NULL, *val;
	size_t cap = 0, lineno = 0;
	bool failed = false;
	FILE *in = stdin;
	int opt, rc;

	cli_args_init(&args, argc, argv);
	while ((opt = cli_args_next(&args, shell_opts, &val)) != CLI_ARG_END) {
		switch (opt) {
		case SHELL_OPT_PROG:
			so.prog = val;
			break;
		case SHELL_OPT_MAP_INIT:
			so.map_init = val;
			break;
		case SHELL_OPT_SCRIPT:
			script = val;
			break;
		case SHELL_OPT_BTF:
			so.obj.btf_path = val;
			break;
		case SHELL_OPT_KCONFIG:
			so.obj.kconfig_path = val;
			break;
		case CLI_ARG_OPERAND:
			if (so.file)
				return cli_usage_err("unexpected argument '%s' (one FILE only)", val);
			so.file = val;
			break;
		case CLI_ARG_HELP:
			return cli_help("shell");
		default:
			return CLI_USAGE;
		}
	}
	if (!so.file)
		return cli_usage_err("missing FILE (an ELF object; see 'bpfrt help shell')");
	if (!strcmp(so.file, "-") && !script)
		return cli_usage_err("the object and the commands cannot both be standard input");
	if (script && !(in = fopen(script, "r"))) {
		cli_err("%s: %s", script, strerror(errno));
		return CLI_FAIL;
	}
	rc = cli_session_start(&s, &so, CLI_LOAD_ALL, NULL);
	while (!rc && getline(&line, &cap, in) >= 0) {
		int n = split(line, words, SHELL_MAX_WORDS), r;

		/* Every message of the line says which line it is. */
		snprintf(cli_prog, sizeof(cli_prog), "bpfrt shell: line %zu", ++lineno);
		if (n == -E2BIG)
			r = cli_usage_err("more than %d words", SHELL_MAX_WORDS - 1);
		else if (n < 0)
			r = cli_usage_err("unterminated quote");
		else if (!n)
			continue;
		else if (!strcmp(words[0], "quit") || !strcmp(words[0], "exit"))
			break;
		else
			r = shell_cmd(&s, n, words);
		failed |= r > 0;
		fflush(stdout);
	}
	snprintf(cli_prog, sizeof(cli_prog), "bpfrt shell");
	free(line);
	if (in != stdin)
		fclose(in);
	cli_session_close(&s);
	return rc ? rc : failed ? CLI_FAIL : CLI_OK;
}
