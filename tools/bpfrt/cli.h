/* SPDX-License-Identifier: MIT */
/*
 * tools/bpfrt/cli.h - the subcommands of the bpfrt CLI and the helper
 * functions its programs may call.
 *
 * The commands themselves (name, handler, summary, usage) are listed once,
 * in the table in main.c; dispatch, `bpfrt --help` and `bpfrt help CMD` are
 * generated from it. A handler gets argv with argv[0] = the command name
 * and returns an exit status (CLI_OK, CLI_FAIL, CLI_USAGE).
 */
#ifndef BPFRT_CLI_H
#define BPFRT_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "bpfrt/bpfrt.h"

int cmd_asm(int argc, char **argv);                /* asm.c */
int cmd_disasm(int argc, char **argv);             /* asm.c */
int cmd_run(int argc, char **argv);                /* run.c */
int cmd_prog(int argc, char **argv);               /* object.c */
int cmd_map(int argc, char **argv);                /* object.c */
int cmd_btf(int argc, char **argv);                /* object.c */
int cmd_shell(int argc, char **argv);              /* shell.c */
/* `bpfrt map dump|lookup|update|delete FILE.o ...` (session.c). */
int cli_map_session_cmd(int argc, char **argv);
int cmd_conformance_plugin(int argc, char **argv); /* plugin.c */
int cmd_version(int argc, char **argv);            /* main.c */
int cmd_help(int argc, char **argv);               /* main.c */

/* Print the usage text of command `name` to stdout; returns CLI_OK. */
int cli_help(const char *name);

/*
 * The helpers programs run by the CLI may call (helpers.c), one row each.
 * The library will bring the kernel's helpers later; these are the ones
 * the conformance suite expects.
 */
struct cli_helper {
	uint32_t id;
	const char *name;
	bpfrt_helper_fn fn;
	const char *doc;
};

extern const struct cli_helper cli_helpers[];
extern const size_t cli_helper_cnt;

/* A new vm with every helper of the table registered; NULL after printing why. */
struct bpfrt_vm *cli_vm_new(void);

/* Print "  ID  name  doc" lines, each indented by `indent`. */
void cli_print_helpers(FILE *f, int indent);

#endif /* BPFRT_CLI_H */
