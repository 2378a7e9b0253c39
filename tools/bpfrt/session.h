/* SPDX-License-Identifier: MIT */
/*
 * tools/bpfrt/session.h - an object loaded into the runtime for the CLI:
 * its live maps (initialised from --map-init, read and changed by the map
 * commands, dumped by --dump-maps), the program that runs, and the events
 * its runs produce (ring buffer and perf buffer records, trace_printk
 * lines), printed as they arrive.
 *
 * `bpfrt run FILE.o`, `bpfrt map dump|lookup|update|delete FILE.o` and
 * every line of `bpfrt shell FILE.o` work on one session.
 */
#ifndef BPFRT_CLI_SESSION_H
#define BPFRT_CLI_SESSION_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "bpfrt/bpfrt.h"
#include "util.h"

struct cli_session {
	struct bpfrt_object *obj;
	const char *file;                 /* for messages */
	struct bpfrt_ringbuf **rbs;       /* one consumer per ring buffer map */
	const char **rb_names;
	size_t rb_cnt;
	struct bpfrt_perf_buffer **pbs;   /* one consumer per perf event array */
	const char **pb_names;
	size_t pb_cnt;
	bool json;                        /* events as JSON lines */
	struct bpfrt_env env;             /* trace lines go to stdout */
};

/*
 * Open FILE (data/len as cli_object_open()), then load it. Programs are
 * loaded only where needed: `prog` (if not NULL) and the programs
 * prog_array initialisers name; with `all`, every program bpfrt can run.
 * CLI_OK, or CLI_FAIL after printing why (call cli_session_close() either
 * way).
 */
int cli_session_open(struct cli_session *s, const char *path, const uint8_t *data, size_t len,
		     const struct cli_obj_opts *oo);
int cli_session_load(struct cli_session *s, const char *prog, bool all);
void cli_session_close(struct cli_session *s);

/*
 * Fill maps from a JSON file:
 *   { "MAP": [ { "key": K, "value": V }, ... ], ... }
 * where K and V are a number (stored little-endian in the key or value
 * size), a string of hex bytes ("0a 00 00 00", "0x0a000000"), or an array
 * of byte numbers. Per-CPU maps take V for every CPU. CLI_OK or CLI_FAIL
 * after printing which entry is wrong.
 */
int cli_session_map_init(struct cli_session *s, const char *path);

/* Print the events waiting in the session's buffers; returns how many. */
int cli_session_drain(struct cli_session *s);

/* Print every map with its entries (text or a JSON array). */
void cli_session_dump_maps(struct cli_session *s, bool json);

/*
 * The map subcommands on a session: argv = { "dump"|"lookup"|"update"|
 * "delete", MAP, [KEY [VALUE]], options }. Returns an exit status.
 */
int cli_session_map_cmd(struct cli_session *s, int argc, char **argv);

/* A line `run [options]` of a session (run.c): as `bpfrt run FILE.o [options]`. */
int cli_session_run(struct cli_session *s, int argc, char **argv);

/* Parse a key or value as --map-init does (text form), exactly `size` bytes. */
int cli_parse_bytes(const char *what, const char *text, uint8_t *out, size_t size);

#endif /* BPFRT_CLI_SESSION_H */
