/* SPDX-License-Identifier: MIT */
/*
 * tools/bpfrt/util.h - what the subcommands of the bpfrt CLI share: error
 * messages and exit statuses, option parsing, reading files, hex, the input
 * formats of a program, and JSON strings.
 *
 * Error convention inside the CLI: a helper that fails prints its one-line
 * message itself (through cli_err, so it carries the "bpfrt CMD:" prefix)
 * and returns a negative errno; the caller only picks the exit status.
 */
#ifndef BPFRT_CLI_UTIL_H
#define BPFRT_CLI_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "bpfrt/bpfrt.h"

/* Exit statuses of every subcommand. */
enum {
	CLI_OK = 0,
	CLI_FAIL = 1,  /* runtime failure: unreadable input, rejected program, fault */
	CLI_USAGE = 2, /* the command line itself is wrong */
};

/* Largest file the CLI reads (program text, bytecode or memory). */
#define CLI_MAX_FILE_SIZE ((size_t)256 << 20)

/* "bpfrt" or "bpfrt run": the prefix of every message. Set by main(). */
extern char cli_prog[64];

/* Print "<cli_prog>: <message>\n" to stderr. */
void cli_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The message of the last cli_err() (without the prefix), for JSON output. */
const char *cli_last_error(void);

/*
 * strerror() of a negative errno the library returned, including the
 * kernel's ENOTSUPP (524), which user-space errno.h does not know.
 */
const char *cli_strerror(int err);

/* cli_err(), then return CLI_USAGE: `return cli_usage_err("...")`. */
int cli_usage_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Options of one subcommand, as a table ending with a zeroed row. Both
 * "--name VALUE" and "--name=VALUE" are accepted; "--" ends the options;
 * a lone "-" is an operand (standard input).
 */
struct cli_opt {
	const char *name; /* long name without dashes: "mem-hex" */
	char short_name;  /* 'o' for -o, or 0 */
	bool has_arg;
};

struct cli_args {
	int argc;
	char **argv;
	int next;          /* index of the next argument to look at */
	bool operands_only; /* after "--" */
};

/* Start parsing argv[1..argc-1] (argv[0] is the subcommand name). */
void cli_args_init(struct cli_args *a, int argc, char **argv);

enum {
	CLI_ARG_END = -1,     /* no arguments left */
	CLI_ARG_OPERAND = -2, /* *val is an operand (not an option) */
	CLI_ARG_HELP = -3,    /* -h or --help */
	CLI_ARG_ERROR = -4,   /* unknown option or missing value; message printed */
};

/*
 * Next argument: the index of the option matched in opts (with *val set to
 * its value when it takes one), or one of CLI_ARG_*.
 */
int cli_args_next(struct cli_args *a, const struct cli_opt *opts, const char **val);

/*
 * Parse an unsigned decimal or 0x-hex number for option `what` into [min,
 * max]. 0, or -EINVAL after printing why.
 */
int cli_parse_u64(const char *what, const char *s, uint64_t min, uint64_t max, uint64_t *out);

/*
 * Read a whole file ("-" is standard input) into a buffer of *len bytes
 * followed by a NUL byte, to free(). 0 or -errno after printing why.
 */
int cli_read_file(const char *path, uint8_t **data, size_t *len);

/* The name to show for a path: "<stdin>" for "-". */
const char *cli_path_name(const char *path);

/*
 * Parse hex text: byte pairs such as "b7 00 00 00" (the conformance suite's
 * form) or runs such as "b7000000", separated by any whitespace. `what`
 * names the input in messages. The result is to free(). 0 or -errno after
 * printing why.
 */
int cli_parse_hex(const char *what, const char *text, size_t len, uint8_t **out, size_t *out_len);

/* Print bytes as lower-case hex pairs separated by single spaces. */
void cli_print_hex(FILE *f, const uint8_t *data, size_t len);

/* Instructions <-> their file form: 8 bytes each, little-endian fields. */
void cli_encode_insns(const struct bpfrt_insn *insns, size_t cnt, uint8_t *out);
void cli_decode_insns(const uint8_t *in, size_t cnt, struct bpfrt_insn *insns);

/* The forms a program can be read in, each row once. */
#define CLI_FORMATS(X)                                                        \
	X(AUTO, "auto", "detect (see below)")                                 \
	X(RAW,  "raw",  "bytecode: 8-byte little-endian instructions")        \
	X(ASM,  "asm",  "assembler text, LLVM or uBPF syntax")                \
	X(HEX,  "hex",  "hex text of the bytecode, \"b7 00 00 00 ...\"")

enum cli_format {
#define X(id, name, doc) CLI_FORMAT_##id,
	CLI_FORMATS(X)
#undef X
	CLI_FORMAT__COUNT
};

const char *cli_format_name(enum cli_format fmt);
/* The format of that name, or -EINVAL. */
int cli_format_from_name(const char *name);
/* Print "raw (bytecode...)" lines, one per format, each indented by `indent`. */
void cli_print_formats(FILE *f, int indent);

/*
 * What --format auto picks. Bytecode is binary: data containing a NUL
 * byte, another control character than whitespace, or bytes that are not
 * valid UTF-8 is raw. Text made only of whitespace-separated runs of hex
 * digit pairs is hex. Any other text is assembler.
 */
enum cli_format cli_detect_format(const uint8_t *data, size_t len);

/*
 * Read a program from `path` in format `fmt` (CLI_FORMAT_AUTO to detect).
 * On success *insns (to free()) holds *cnt >= 1 instructions and *used the
 * format that was read. 0 or -errno after printing why.
 */
int cli_load_insns(const char *path, enum cli_format fmt, struct bpfrt_insn **insns, size_t *cnt,
		   enum cli_format *used);

/*
 * The same for a file already read by cli_read_file() (data[len] must be
 * NUL); `path` names it in messages.
 */
int cli_parse_insns(const char *path, const uint8_t *data, size_t len, enum cli_format fmt,
		    struct bpfrt_insn **insns, size_t *cnt, enum cli_format *used);

/* Turn raw bytes (file or hex) into instructions; `what` names them in messages. */
int cli_bytes_to_insns(const char *what, const uint8_t *data, size_t len, struct bpfrt_insn **insns,
		       size_t *cnt);

/* Print s as a JSON string literal, quotes included. */
void cli_json_string(FILE *f, const char *s);

/* The names of all engines built in, separated by `sep`. */
void cli_print_engines(FILE *f, const char *sep);

/* Parse --engine's value; -EINVAL after printing the valid names. */
int cli_parse_engine(const char *name, enum bpfrt_engine *engine);

/* Default engine of `run` and `conformance-plugin`: safe for untrusted input. */
#define CLI_DEFAULT_ENGINE BPFRT_ENGINE_CHECKED

/* ---- ELF objects ------------------------------------------------------ */

struct bpfrt_object;

/*
 * An ELF object (what `clang -target bpf -c` writes) starts with "\x7fELF".
 * disasm and run check this before --format auto looks at the data, so an
 * object is never mistaken for raw bytecode.
 */
bool cli_is_elf(const uint8_t *data, size_t len);

/* The options of every command that opens objects (--btf, --kconfig). */
struct cli_obj_opts {
	const char *btf_path;     /* target BTF for CO-RE; NULL: bpfrt's own */
	const char *kconfig_path; /* a kernel .config for .kconfig externs, or NULL */
};

/*
 * Open the object `path`. data/len: its contents if the caller has read
 * them already (with cli_read_file), else NULL to read them here. The
 * object is named as libbpf names it (the base name up to the first '.').
 * NULL after printing "FILE: reason" (not an ELF file, or the loader's
 * message).
 */
struct bpfrt_object *cli_object_open(const char *path, const uint8_t *data, size_t len,
				     const struct cli_obj_opts *opts);

/*
 * "a, b, c": the names of the object's programs (with `loaded`, of those
 * loaded only), for messages ("" if none).
 */
void cli_object_prog_names(const struct bpfrt_object *obj, bool loaded, char *buf, size_t size);

#endif /* BPFRT_CLI_UTIL_H */
