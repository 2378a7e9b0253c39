/* SPDX-License-Identifier: MIT */
/*
 * tools/bpfrt/session.h - an object loaded into the runtime for the CLI:
 * its live maps (initialised from --map-init, read and changed by the map
 * commands, dumped by --dump-maps), its loaded programs, and the events
 * their runs produce (ring buffer and perf buffer records, trace_printk
 * lines), printed as they arrive.
 *
 * `bpfrt run FILE.o`, `bpfrt map dump|lookup|update|delete FILE.o` and
 * every line of `bpfrt shell FILE.o` work on one session.
 */
#ifndef BPFRT_CLI_SESSION_H
#define BPFRT_CLI_SESSION_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "bpfrt/bpfrt.h"
#include "util.h"

struct cli_event_src;

struct cli_session {
	struct bpfrt_object *obj;
	const char *file;                 /* for messages */
	bool loaded;
	const struct bpfrt_program *prog; /* CLI_LOAD_ONE: the program picked */
	struct bpfrt_ringbuf **rbs;       /* one consumer per ring buffer map */
	size_t rb_cnt;
	struct bpfrt_perf_buffer **pbs;   /* one consumer per perf event array */
	size_t pb_cnt;
	struct cli_event_src *srcs;       /* what each consumer reports (rbs, then pbs) */
	bool json;                        /* events as JSON lines */
	struct bpfrt_env env;             /* trace lines go to stdout */
	pthread_t watcher;                /* cli_session_watch() */
	bool watching;
	bool watch_stop;
};

/* What a session is made of: the options its commands share. */
struct cli_session_opts {
	const char *file;          /* FILE.o; "-" = standard input */
	const uint8_t *data;       /* its contents if read already (cli_read_file), else NULL */
	size_t len;
	struct cli_obj_opts obj;   /* --btf, --kconfig */
	const char *prog;          /* --prog, or NULL */
	const char *map_init;      /* --map-init FILE.json, or NULL */
};

/* Which programs a session loads (besides those prog_array initialisers name). */
enum cli_load {
	CLI_LOAD_NONE, /* maps only: the map commands */
	CLI_LOAD_ONE,  /* --prog, or the object's only program: `run` */
	CLI_LOAD_ALL,  /* --prog, or every program bpfrt can run: `shell` */
};

/*
 * Open o->file, load it, then fill its maps from o->map_init. CLI_OK, or
 * an exit status after printing why, with *stage (if not NULL) "input" or
 * "load" (call cli_session_close() either way).
 */
int cli_session_start(struct cli_session *s, const struct cli_session_opts *o, enum cli_load what,
		      const char **stage);
void cli_session_close(struct cli_session *s);

/*
 * The program `name`, or with NULL the only one there is: among the
 * loaded programs once the session is loaded, else among all the object
 * holds. CLI_OK with *out set, or an exit status after printing why (no
 * such program, several to choose from, one bpfrt cannot run).
 */
int cli_session_pick(struct cli_session *s, const char *name, const struct bpfrt_program **out);

/* Print the events waiting in the session's buffers; returns how many. */
int cli_session_drain(struct cli_session *s);

/*
 * on: print events as they arrive, from a thread of the session's, while
 * programs run on this one; off: stop it and print what is left.
 */
void cli_session_watch(struct cli_session *s, bool on);

/* Print every map with its entries (text, or a JSON array without a newline). */
void cli_session_dump_maps(struct cli_session *s, bool json);

/*
 * A line `map dump|lookup|update|delete ...` of a session: argv = { "dump"|
 * "lookup"|"update"|"delete", MAP, [KEY [VALUE]], options }. (`bpfrt map
 * SUB FILE.o ...` is cli_map_session_cmd(), in cli.h.) Returns an exit
 * status, or -1 after printing the help.
 */
int cli_session_map_cmd(struct cli_session *s, int argc, char **argv);

/* A line `run [options]` of a session (run.c): as `bpfrt run FILE.o [options]`. */
int cli_session_run(struct cli_session *s, int argc, char **argv);

/*
 * Parse a key or value (what --map-init and the map commands take in text):
 * a number, stored little-endian in `size` bytes, or hex bytes ("0a 00",
 * "0x0a00"), exactly `size` of them. 0, or -errno after printing why.
 */
int cli_parse_bytes(const char *what, const char *text, uint8_t *out, size_t size);

#endif /* BPFRT_CLI_SESSION_H */
