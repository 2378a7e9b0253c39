/* SPDX-License-Identifier: MIT */
/*
 * `bpfrt shell FILE.o` (a session read line by line: run, map ...) and
 * `bpfrt map dump|lookup|update|delete FILE.o ...` (a session of one
 * command).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "session.h"

/* Options that make the session, taken out of argv before the command's own. */
struct session_opts {
	const char *file;
	const char *map_init;
	const char *prog;
	const char *script;
	struct cli_obj_opts obj;
};

enum { SO_MAP_INIT, SO_BTF, SO_KCONFIG, SO_PROG, SO_SCRIPT };
static const char *const session_opt_names[] = {
	[SO_MAP_INIT] = "--map-init", [SO_BTF] = "--btf", [SO_KCONFIG] = "--kconfig",
	[SO_PROG] = "--prog", [SO_SCRIPT] = "--script",
};

/*
 * Remove the session options (and, if `want_file`, the first operand after
 * argv[skip - 1]: FILE) from argv; argc is updated. CLI_OK or CLI_USAGE.
 */
static int take_session_opts(struct session_opts *so, int *argc, char **argv, int skip,
			     bool want_file, unsigned int allowed)
{
	int out = skip;

	for (int i = skip; i < *argc; i++) {
		const char *a = argv[i], *val = NULL;
		size_t o, n;

		for (o = 0; o < sizeof(session_opt_names) / sizeof(*session_opt_names); o++) {
			n = strlen(session_opt_names[o]);
			if (!strncmp(a, session_opt_names[o], n) && (a[n] == '\0' || a[n] == '='))
				break;
		}
		if (o == sizeof(session_opt_names) / sizeof(*session_opt_names)) {
			if (want_file && !so->file && a[0] != '-') {
				so->file = a;
				continue;
			}
			argv[out++] = argv[i];
			continue;
		}
		if (!(allowed & (1U << o)))
			return cli_usage_err("%s: not an option of this command", session_opt_names[o]);
		if (a[n] == '=')
			val = a + n + 1;
		else if (i + 1 < *argc)
			val = argv[++i];
		else
			return cli_usage_err("%s needs a value", session_opt_names[o]);
		switch (o) {
		case SO_MAP_INIT: so->map_init = val; break;
		case SO_BTF: so->obj.btf_path = val; break;
		case SO_KCONFIG: so->obj.kconfig_path = val; break;
		case SO_PROG: so->prog = val; break;
		case SO_SCRIPT: so->script = val; break;
		}
	}
	*argc = out;
	argv[out] = NULL;
	if (want_file && !so->file)
		return cli_usage_err("missing FILE (an ELF object)");
	return CLI_OK;
}

static int session_start(struct cli_session *s, const struct session_opts *so, bool all)
{
	int rc = cli_session_open(s, so->file, NULL, 0, &so->obj);

	if (!rc)
		rc = cli_session_load(s, so->prog, all && !so->prog);
	if (!rc && so->map_init)
		rc = cli_session_map_init(s, so->map_init);
	return rc;
}

/* `bpfrt map SUB FILE.o ...` for SUB in dump, lookup, update, delete. */
int cli_map_session_cmd(int argc, char **argv)
{
	struct session_opts so = { 0 };
	struct cli_session s;
	int rc;

	/* argv: "map", SUB, FILE, ... */
	rc = take_session_opts(&so, &argc, argv, 2, true, 1U << SO_MAP_INIT | 1U << SO_BTF |
							      1U << SO_KCONFIG);
	if (rc)
		return rc;
	rc = session_start(&s, &so, false);
	if (!rc)
		rc = cli_session_map_cmd(&s, argc - 1, argv + 1);
	cli_session_close(&s);
	return rc < 0 ? CLI_OK : rc;
}

/* Split a line into words: blanks separate, "double quotes" group. */
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

#define SHELL_MAX_WORDS 64

int cmd_shell(int argc, char **argv)
{
	struct session_opts so = { 0 };
	struct cli_session s;
	char *line = NULL, *words[SHELL_MAX_WORDS];
	size_t cap = 0, lineno = 0;
	bool failed = false;
	FILE *in = stdin;
	int rc;

	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return cli_help("shell");
	rc = take_session_opts(&so, &argc, argv, 1, true, ~0U);
	if (rc)
		return rc;
	if (argc > 1)
		return cli_usage_err("unexpected argument '%s'", argv[1]);
	if (so.script && !(in = fopen(so.script, "r"))) {
		cli_err("%s: %s", so.script, strerror(errno));
		return CLI_FAIL;
	}
	rc = session_start(&s, &so, true);
	while (!rc && getline(&line, &cap, in) >= 0) {
		int n = split(line, words, SHELL_MAX_WORDS), r;

		lineno++;
		if (n < 0) {
			cli_err("line %zu: %s", lineno, n == -E2BIG ? "too many words" : "unterminated quote");
			failed = true;
			continue;
		}
		if (!n)
			continue;
		if (!strcmp(words[0], "quit") || !strcmp(words[0], "exit"))
			break;
		if (!strcmp(words[0], "run"))
			r = cli_session_run(&s, n, words);
		else if (!strcmp(words[0], "map"))
			r = cli_session_map_cmd(&s, n - 1, words + 1);
		else if (!strcmp(words[0], "help"))
			r = cli_help("shell");
		else
			r = cli_usage_err("line %zu: unknown command '%s' (run, map, help, quit)", lineno,
					  words[0]);
		if (r > 0)
			failed = true;
		fflush(stdout);
	}
	free(line);
	if (in != stdin)
		fclose(in);
	cli_session_close(&s);
	return rc ? rc : failed ? CLI_FAIL : CLI_OK;
}
