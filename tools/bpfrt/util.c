/* SPDX-License-Identifier: MIT */
/* Helpers shared by the subcommands of the bpfrt CLI (see util.h). */
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>


#include "bpfrt/object.h"

char cli_prog[64] = "bpfrt";
static char last_error[512];

static void verr(const char *fmt, va_list ap)
{
	vsnprintf(last_error, sizeof(last_error), fmt, ap);
	fflush(stdout); /* keep stdout and stderr in order on a terminal */
	fprintf(stderr, "%s: %s\n", cli_prog, last_error);
}

const char *cli_last_error(void)
{
	return last_error;
}

void cli_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verr(fmt, ap);
	va_end(ap);
}

const char *cli_strerror(int err)
{
	if (err == -BPFRT_ENOTSUPP)
		return "Not supported (ENOTSUPP)";
	return strerror(err < 0 ? -err : err);
}

int cli_usage_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verr(fmt, ap);
	va_end(ap);
	return CLI_USAGE;
}

/* ---- options ---------------------------------------------------------- */

void cli_args_init(struct cli_args *a, int argc, char **argv)
{
	a->argc = argc;
	a->argv = argv;
	a->next = 1;
	a->operands_only = false;
}

int cli_args_next(struct cli_args *a, const struct cli_opt *opts, const char **val)
{
	const char *arg, *name, *eq;
	size_t name_len;

	*val = NULL;
	if (a->next >= a->argc)
		return CLI_ARG_END;
	arg = a->argv[a->next++];
	if (a->operands_only || arg[0] != '-' || arg[1] == '\0') {
		*val = arg;
		return CLI_ARG_OPERAND;
	}
	if (strcmp(arg, "--") == 0) {
		a->operands_only = true;
		return cli_args_next(a, opts, val);
	}
	if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0)
		return CLI_ARG_HELP;

	if (arg[1] == '-') {
		name = arg + 2;
		eq = strchr(name, '=');
		name_len = eq ? (size_t)(eq - name) : strlen(name);
		for (int i = 0; opts[i].name; i++) {
			if (strlen(opts[i].name) != name_len || strncmp(opts[i].name, name, name_len))
				continue;
			if (!opts[i].has_arg) {
				if (eq) {
					cli_err("option '--%s' takes no value", opts[i].name);
					return CLI_ARG_ERROR;
				}
				return i;
			}
			if (eq) {
				*val = eq + 1;
				return i;
			}
			if (a->next >= a->argc) {
				cli_err("option '--%s' needs a value", opts[i].name);
				return CLI_ARG_ERROR;
			}
			*val = a->argv[a->next++];
			return i;
		}
		cli_err("unknown option '%.*s'", (int)(name_len + 2), arg);
		return CLI_ARG_ERROR;
	}

	/* A short option: "-o OUT" or "-oOUT". */
	for (int i = 0; opts[i].name; i++) {
		if (!opts[i].short_name || opts[i].short_name != arg[1])
			continue;
		if (!opts[i].has_arg) {
			if (arg[2]) {
				cli_err("unknown option '%s'", arg);
				return CLI_ARG_ERROR;
			}
			return i;
		}
		if (arg[2]) {
			*val = arg + 2;
			return i;
		}
		if (a->next >= a->argc) {
			cli_err("option '-%c' needs a value", arg[1]);
			return CLI_ARG_ERROR;
		}
		*val = a->argv[a->next++];
		return i;
	}
	cli_err("unknown option '%s'", arg);
	return CLI_ARG_ERROR;
}

int cli_parse_u64(const char *what, const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	/* strtoull would accept "-1" as a huge number and leading blanks. */
	if (!isdigit((unsigned char)s[0])) {
		cli_err("%s: '%s' is not a number", what, s);
		return -EINVAL;
	}
	errno = 0;
	v = strtoull(s, &end, 0);
	if (*end) {
		cli_err("%s: '%s' is not a number", what, s);
		return -EINVAL;
	}
	if (errno == ERANGE || v < min || v > max) {
		cli_err("%s: %s is out of range (%llu..%llu)", what, s, (unsigned long long)min,
			(unsigned long long)max);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

/* ---- files ------------------------------------------------------------ */

const char *cli_path_name(const char *path)
{
	return strcmp(path, "-") == 0 ? "<stdin>" : path;
}

int cli_read_file(const char *path, uint8_t **data, size_t *len)
{
	const char *name = cli_path_name(path);
	bool is_stdin = strcmp(path, "-") == 0;
	size_t size = 0, cap = 4096;
	uint8_t *buf = NULL, *nbuf;
	struct stat st;
	FILE *f;
	int err;

	f = is_stdin ? stdin : fopen(path, "rb");
	if (!f) {
		err = errno;
		cli_err("%s: %s", name, strerror(err));
		return -err;
	}
	if (fstat(fileno(f), &st) == 0) {
		if (S_ISDIR(st.st_mode)) {
			err = EISDIR;
			cli_err("%s: %s", name, strerror(err));
			goto fail;
		}
		if (S_ISREG(st.st_mode) && (uint64_t)st.st_size > CLI_MAX_FILE_SIZE) {
			err = EFBIG;
			cli_err("%s: larger than %zu MiB", name, CLI_MAX_FILE_SIZE >> 20);
			goto fail;
		}
	}
	for (;;) {
		size_t n;

		if (!buf || size + 1 >= cap) {
			if (buf)
				cap *= 2;
			nbuf = realloc(buf, cap);
			if (!nbuf) {
				err = ENOMEM;
				cli_err("%s: %s", name, strerror(err));
				goto fail;
			}
			buf = nbuf;
		}
		n = fread(buf + size, 1, cap - size - 1, f);
		size += n;
		if (size > CLI_MAX_FILE_SIZE) {
			err = EFBIG;
			cli_err("%s: larger than %zu MiB", name, CLI_MAX_FILE_SIZE >> 20);
			goto fail;
		}
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		err = errno ? errno : EIO;
		cli_err("%s: %s", name, strerror(err));
		goto fail;
	}
	if (!is_stdin)
		fclose(f);
	buf[size] = '\0';
	*data = buf;
	*len = size;
	return 0;
fail:
	if (!is_stdin)
		fclose(f);
	free(buf);
	return -err;
}

/* ---- hex -------------------------------------------------------------- */

static int hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int cli_parse_hex(const char *what, const char *text, size_t len, uint8_t **out, size_t *out_len)
{
	uint8_t *buf = malloc(len / 2 + 1);
	size_t n = 0, i = 0;

	if (!buf) {
		cli_err("%s: %s", what, strerror(ENOMEM));
		return -ENOMEM;
	}
	while (i < len) {
		size_t start, tok_len;

		if (isspace((unsigned char)text[i])) {
			i++;
			continue;
		}
		start = i;
		while (i < len && !isspace((unsigned char)text[i]))
			i++;
		tok_len = i - start;
		for (size_t j = 0; j < tok_len; j++) {
			if (hex_digit((unsigned char)text[start + j]) < 0) {
				cli_err("%s: '%.*s' at offset %zu is not hex", what,
					(int)(tok_len > 20 ? 20 : tok_len), text + start, start);
				free(buf);
				return -EINVAL;
			}
		}
		if (tok_len % 2) {
			cli_err("%s: '%.*s' at offset %zu has an odd number of hex digits", what,
				(int)(tok_len > 20 ? 20 : tok_len), text + start, start);
			free(buf);
			return -EINVAL;
		}
		for (size_t j = 0; j < tok_len; j += 2)
			buf[n++] = (uint8_t)(hex_digit((unsigned char)text[start + j]) << 4 |
					     hex_digit((unsigned char)text[start + j + 1]));
	}
	*out = buf;
	*out_len = n;
	return 0;
}

void cli_print_hex(FILE *f, const uint8_t *data, size_t len)
{
	for (size_t i = 0; i < len; i++)
		fprintf(f, i ? " %02x" : "%02x", data[i]);
}

/* ---- instructions ----------------------------------------------------- */

void cli_encode_insns(const struct bpfrt_insn *insns, size_t cnt, uint8_t *out)
{
	for (size_t i = 0; i < cnt; i++, out += 8) {
		uint16_t off = (uint16_t)insns[i].off;
		uint32_t imm = (uint32_t)insns[i].imm;

		out[0] = insns[i].code;
		out[1] = (uint8_t)(insns[i].src_reg << 4 | insns[i].dst_reg);
		out[2] = (uint8_t)off;
		out[3] = (uint8_t)(off >> 8);
		out[4] = (uint8_t)imm;
		out[5] = (uint8_t)(imm >> 8);
		out[6] = (uint8_t)(imm >> 16);
		out[7] = (uint8_t)(imm >> 24);
	}
}

void cli_decode_insns(const uint8_t *in, size_t cnt, struct bpfrt_insn *insns)
{
	for (size_t i = 0; i < cnt; i++, in += 8) {
		insns[i].code = in[0];
		insns[i].dst_reg = in[1] & 0x0f;
		insns[i].src_reg = in[1] >> 4;
		insns[i].off = (int16_t)(uint16_t)(in[2] | in[3] << 8);
		insns[i].imm = (int32_t)((uint32_t)in[4] | (uint32_t)in[5] << 8 |
					 (uint32_t)in[6] << 16 | (uint32_t)in[7] << 24);
	}
}

int cli_bytes_to_insns(const char *what, const uint8_t *data, size_t len, struct bpfrt_insn **insns,
		       size_t *cnt)
{
	struct bpfrt_insn *buf;

	if (len % 8) {
		cli_err("%s: size %zu is not a multiple of 8", what, len);
		return -EINVAL;
	}
	if (len == 0) {
		cli_err("%s: empty program", what);
		return -EINVAL;
	}
	buf = malloc(len);
	if (!buf) {
		cli_err("%s: %s", what, strerror(ENOMEM));
		return -ENOMEM;
	}
	cli_decode_insns(data, len / 8, buf);
	*insns = buf;
	*cnt = len / 8;
	return 0;
}

/* ---- formats ---------------------------------------------------------- */

static const struct {
	const char *name;
	const char *doc;
} formats[] = {
#define X(id, name, doc) [CLI_FORMAT_##id] = { name, doc },
	CLI_FORMATS(X)
#undef X
};

const char *cli_format_name(enum cli_format fmt)
{
	return fmt < CLI_FORMAT__COUNT ? formats[fmt].name : "?";
}

int cli_format_from_name(const char *name)
{
	for (int i = 0; i < CLI_FORMAT__COUNT; i++)
		if (strcmp(formats[i].name, name) == 0)
			return i;
	return -EINVAL;
}

void cli_print_formats(FILE *f, int indent)
{
	for (int i = 0; i < CLI_FORMAT__COUNT; i++)
		fprintf(f, "%*s%-5s %s\n", indent, "", formats[i].name, formats[i].doc);
}

/* Length of the valid UTF-8 sequence at p (1-4), or 0 if it is not one. */
static size_t utf8_len(const uint8_t *p, size_t left)
{
	size_t n;
	uint32_t cp;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2, cp = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3, cp = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4, cp = p[0] & 0x07;
	else
		return 0;
	if (n > left)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	/* Overlong forms, surrogates and values past U+10FFFF are not UTF-8. */
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

static bool is_text(const uint8_t *data, size_t len)
{
	size_t i = 0;

	while (i < len) {
		uint8_t c = data[i];
		size_t n;

		if (c < 0x20 && !isspace(c))
			return false; /* NUL and other control characters */
		if (c == 0x7f)
			return false;
		n = utf8_len(data + i, len - i);
		if (!n)
			return false;
		i += n;
	}
	return true;
}

enum cli_format cli_detect_format(const uint8_t *data, size_t len)
{
	bool any = false;

	if (!is_text(data, len))
		return CLI_FORMAT_RAW;
	for (size_t i = 0; i < len;) {
		size_t start;

		if (isspace(data[i])) {
			i++;
			continue;
		}
		start = i;
		while (i < len && !isspace(data[i])) {
			if (hex_digit(data[i]) < 0)
				return CLI_FORMAT_ASM;
			i++;
		}
		if ((i - start) % 2)
			return CLI_FORMAT_ASM;
		any = true;
	}
	return any ? CLI_FORMAT_HEX : CLI_FORMAT_ASM;
}

int cli_load_insns(const char *path, enum cli_format fmt, struct bpfrt_insn **insns, size_t *cnt,
		   enum cli_format *used)
{
	uint8_t *data;
	size_t len;
	int err;

	err = cli_read_file(path, &data, &len);
	if (err)
		return err;
	err = cli_parse_insns(path, data, len, fmt, insns, cnt, used);
	free(data);
	return err;
}

int cli_parse_insns(const char *path, const uint8_t *data, size_t len, enum cli_format fmt,
		    struct bpfrt_insn **insns, size_t *cnt, enum cli_format *used)
{
	const char *name = cli_path_name(path);
	struct bpfrt_insn *tmp = NULL;
	uint8_t *bytes;
	size_t nbytes, n = 0;
	char log[512] = "";
	int err;

	if (fmt == CLI_FORMAT_AUTO)
		fmt = cli_detect_format(data, len);

	switch (fmt) {
	case CLI_FORMAT_HEX:
		err = cli_parse_hex(name, (const char *)data, len, &bytes, &nbytes);
		if (!err) {
			err = cli_bytes_to_insns(name, bytes, nbytes, insns, cnt);
			free(bytes);
		}
		break;
	case CLI_FORMAT_ASM:
		if (memchr(data, '\0', len)) {
			cli_err("%s: contains a NUL byte: not assembler text (bytecode? try --format raw)",
				name);
			err = -EINVAL;
			break;
		}
		err = bpfrt_asm((const char *)data, &tmp, &n, log, sizeof(log));
		if (err) {
			cli_err("%s: %s", name, log[0] ? log : strerror(-err));
			break;
		}
		if (n == 0) {
			cli_err("%s: no instructions", name);
			err = -EINVAL;
		} else if (!(*insns = malloc(n * sizeof(**insns)))) {
			cli_err("%s: %s", name, strerror(ENOMEM));
			err = -ENOMEM;
		} else {
			memcpy(*insns, tmp, n * sizeof(**insns));
			*cnt = n;
		}
		bpfrt_free(tmp);
		break;
	case CLI_FORMAT_RAW:
	default:
		fmt = CLI_FORMAT_RAW;
		err = cli_bytes_to_insns(name, data, len, insns, cnt);
		break;
	}
	if (!err && used)
		*used = fmt;
	return err;
}

/* ---- JSON ------------------------------------------------------------- */

void cli_json_string(FILE *f, const char *s)
{
	const uint8_t *p = (const uint8_t *)s;
	size_t len = strlen(s);

	fputc('"', f);
	for (size_t i = 0; i < len;) {
		uint8_t c = p[i];
		size_t n;

		switch (c) {
		case '"':  fputs("\\\"", f); i++; continue;
		case '\\': fputs("\\\\", f); i++; continue;
		case '\n': fputs("\\n", f); i++; continue;
		case '\r': fputs("\\r", f); i++; continue;
		case '\t': fputs("\\t", f); i++; continue;
		default: break;
		}
		if (c < 0x20 || c == 0x7f) {
			fprintf(f, "\\u%04x", c);
			i++;
			continue;
		}
		n = utf8_len(p + i, len - i);
		if (!n) {
			/* Not UTF-8 (e.g. a file name): keep the output valid JSON. */
			fputs("\\ufffd", f);
			i++;
			continue;
		}
		fwrite(p + i, 1, n, f);
		i += n;
	}
	fputc('"', f);
}

/* ---- engines ---------------------------------------------------------- */

void cli_print_engines(FILE *f, const char *sep)
{
	for (int i = 0; i < BPFRT_ENGINE__COUNT; i++)
		fprintf(f, "%s%s", i ? sep : "", bpfrt_engine_name((enum bpfrt_engine)i));
}

int cli_parse_engine(const char *name, enum bpfrt_engine *engine)
{
	int e = bpfrt_engine_from_name(name);

	if (e < 0) {
		fflush(stdout);
		fprintf(stderr, "%s: unknown engine '%s' (engines: ", cli_prog, name);
		cli_print_engines(stderr, ", ");
		fputs(")\n", stderr);
		return -EINVAL;
	}
	*engine = (enum bpfrt_engine)e;
	return 0;
}

/* ---- ELF objects ------------------------------------------------------ */

bool cli_is_elf(const uint8_t *data, size_t len)
{
	return len >= 4 && memcmp(data, "\x7f" "ELF", 4) == 0;
}

struct bpfrt_object *cli_object_open(const char *path, const uint8_t *data, size_t len,
				     const struct cli_obj_opts *opts)
{
	const char *name = cli_path_name(path), *base;
	struct bpfrt_object_open_opts oopts;
	struct bpfrt_object *obj = NULL;
	uint8_t *own = NULL, *kconfig = NULL;
	char obj_name[64], log[1024] = "";
	size_t klen;

	if (!data) {
		if (cli_read_file(path, &own, &len))
			return NULL;
		data = own;
	}
	if (!cli_is_elf(data, len)) {
		cli_err("%s: not an ELF object (no \\x7fELF magic)", name);
		goto out;
	}
	if (opts && opts->kconfig_path && cli_read_file(opts->kconfig_path, &kconfig, &klen))
		goto out;

	memset(&oopts, 0, sizeof(oopts));
	oopts.sz = sizeof(oopts);
	if (strcmp(path, "-") != 0) {
		/* As bpfrt_object__open_file() and libbpf: base name up to the first '.'. */
		base = strrchr(path, '/');
		snprintf(obj_name, sizeof(obj_name), "%s", base ? base + 1 : path);
		obj_name[strcspn(obj_name, ".")] = '\0';
		oopts.object_name = obj_name;
	}
	oopts.btf_custom_path = opts ? opts->btf_path : NULL;
	oopts.kconfig = (const char *)kconfig;
	oopts.log_buf = log;
	oopts.log_size = sizeof(log);
	obj = bpfrt_object__open_mem(data, len, &oopts);
	if (!obj) {
		log[strcspn(log, "\n")] = '\0'; /* one line on stderr */
		/* The loader names its options; say which of ours sets them. */
		cli_err("%s: %s%s", name, log[0] ? log : strerror(errno),
			strstr(log, "btf_custom_path") ? " (--btf PATH, e.g. /sys/kernel/btf/vmlinux)"
			: strstr(log, "kconfig") && !(opts && opts->kconfig_path) ? " (--kconfig FILE)"
			: "");
	}
out:
	free(kconfig);
	free(own);
	return obj;
}

void cli_object_prog_names(const struct bpfrt_object *obj, bool loaded, char *buf, size_t size)
{
	const struct bpfrt_program *p = NULL;
	size_t n = 0;

	buf[0] = '\0';
	while ((p = bpfrt_object__next_program(obj, p)) && n < size)
		if (!loaded || bpfrt_program__prog(p))
			n += (size_t)snprintf(buf + n, size - n, "%s%s", n ? ", " : "",
					      bpfrt_program__name(p));
}
