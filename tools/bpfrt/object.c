/* SPDX-License-Identifier: MIT */
/*
 * `bpfrt prog list`, `bpfrt map list`, `bpfrt btf dump`: what an ELF object
 * holds, as the loader (include/bpfrt/object.h) sees it. The disassembly and
 * the runs of an object's programs live with their commands (asm.c, run.c).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <linux/bpf.h> /* BPF_F_SLEEPABLE, BPF_F_XDP_HAS_FRAGS */

#include "bpfrt/btf.h"
#include "bpfrt/object.h"
#include "cli.h"
#include "util.h"

static bool is_help(const char *arg)
{
	return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0;
}

/*
 * `bpfrt GROUP SUB ARGS...`: check that SUB is `sub` (of the group's
 * subcommands `subs`, for messages) and make the messages read "bpfrt
 * GROUP SUB: ...". Returns 0 to go on, -1 after printing the help, or
 * CLI_USAGE after printing why (as the argument parsers of every command
 * do).
 */
static int check_sub(int argc, char **argv, const char *group, const char *sub, const char *subs)
{
	if (argc < 2)
		return cli_usage_err("missing subcommand (%s has: %s; see 'bpfrt help %s')", group,
				     subs, group);
	if (is_help(argv[1])) {
		cli_help(group);
		return -1;
	}
	if (strcmp(argv[1], sub) != 0)
		return cli_usage_err("unknown subcommand '%s' (%s has: %s)", argv[1], group, subs);
	snprintf(cli_prog, sizeof(cli_prog), "bpfrt %s %s", group, sub);
	return 0;
}

/* ---- prog list, map list ---------------------------------------------- */

enum { LIST_OPT_JSON, LIST_OPT_BTF, LIST_OPT_KCONFIG };

static const struct cli_opt list_opts[] = {
	[LIST_OPT_JSON] = { "json", 0, false },
	[LIST_OPT_BTF] = { "btf", 0, true },
	[LIST_OPT_KCONFIG] = { "kconfig", 0, true },
	{ 0 },
};

struct list_cfg {
	const char *file;
	bool json;
	struct cli_obj_opts obj;
};

/* Parse `SUB FILE [--json] [--btf PATH] [--kconfig FILE]`; returns as check_sub. */
static int parse_list(struct list_cfg *cfg, int argc, char **argv, const char *group)
{
	struct cli_args args;
	const char *val;
	int opt;

	cli_args_init(&args, argc, argv);
	while ((opt = cli_args_next(&args, list_opts, &val)) != CLI_ARG_END) {
		switch (opt) {
		case LIST_OPT_JSON:
			cfg->json = true;
			break;
		case LIST_OPT_BTF:
			cfg->obj.btf_path = val;
			break;
		case LIST_OPT_KCONFIG:
			cfg->obj.kconfig_path = val;
			break;
		case CLI_ARG_OPERAND:
			if (cfg->file)
				return cli_usage_err("unexpected argument '%s' (one FILE only)", val);
			cfg->file = val;
			break;
		case CLI_ARG_HELP:
			cli_help(group);
			return -1;
		default:
			return CLI_USAGE;
		}
	}
	if (!cfg->file)
		return cli_usage_err("missing FILE (see 'bpfrt help %s')", group);
	return 0;
}

static const char *prog_type_str(enum bpfrt_prog_type type, char *buf, size_t size)
{
	const char *s = bpfrt_prog_type_name(type);

	if (s)
		return s;
	snprintf(buf, size, "type %d", (int)type);
	return buf;
}

static const char *map_type_str(enum bpfrt_map_type type, char *buf, size_t size)
{
	const char *s = bpfrt_map_type_name(type);

	if (s)
		return s;
	snprintf(buf, size, "type %d", (int)type);
	return buf;
}

static int width(int w, const char *s)
{
	int n = s ? (int)strlen(s) : 0;

	return n > w ? n : w;
}

static void prog_list_json(const struct bpfrt_object *obj)
{
	const struct bpfrt_program *p = NULL;
	bool first = true;
	char tbuf[32];

	printf("[");
	while ((p = bpfrt_object__next_program(obj, p))) {
		const char *target = bpfrt_program__attach_target(p);
		int eat = bpfrt_program__expected_attach_type(p);

		printf("%s\n  {\"name\": ", first ? "" : ",");
		cli_json_string(stdout, bpfrt_program__name(p));
		printf(", \"section\": ");
		cli_json_string(stdout, bpfrt_program__section_name(p));
		printf(", \"type\": ");
		cli_json_string(stdout, prog_type_str(bpfrt_program__type(p), tbuf, sizeof(tbuf)));
		printf(", \"insns\": %zu, \"attach_target\": ", bpfrt_program__insn_cnt(p));
		if (target && target[0])
			cli_json_string(stdout, target);
		else
			printf("null");
		if (eat >= 0)
			printf(", \"expected_attach_type\": %d", eat);
		else
			printf(", \"expected_attach_type\": null");
		printf(", \"autoload\": %s, \"flags\": %u, \"unsupported\": ",
		       bpfrt_program__autoload(p) ? "true" : "false", bpfrt_program__flags(p));
		if (bpfrt_program__unsupported_reason(p))
			cli_json_string(stdout, bpfrt_program__unsupported_reason(p));
		else
			printf("null");
		printf("}");
		first = false;
	}
	printf("%s]\n", first ? "" : "\n");
}

/* "autoload off, sleepable, unsupported", or "-". */
static void prog_notes(const struct bpfrt_program *p, char *buf, size_t size)
{
	uint32_t flags = bpfrt_program__flags(p);

	snprintf(buf, size, "%s%s%s%s", bpfrt_program__autoload(p) ? "" : ", autoload off",
		 flags & BPF_F_SLEEPABLE ? ", sleepable" : "",
		 flags & BPF_F_XDP_HAS_FRAGS ? ", xdp frags" : "",
		 bpfrt_program__unsupported_reason(p) ? ", not runnable (see --json)" : "");
	if (buf[0])
		memmove(buf, buf + 2, strlen(buf + 2) + 1);
	else
		snprintf(buf, size, "-");
}

static void prog_list_text(const struct bpfrt_object *obj)
{
	const struct bpfrt_program *p = NULL;
	int wn = 4, ws = 7, wt = 4, wa = 6;
	char tbuf[32], notes[128];

	while ((p = bpfrt_object__next_program(obj, p))) {
		wn = width(wn, bpfrt_program__name(p));
		ws = width(ws, bpfrt_program__section_name(p));
		wt = width(wt, prog_type_str(bpfrt_program__type(p), tbuf, sizeof(tbuf)));
		wa = width(wa, bpfrt_program__attach_target(p));
	}
	printf("%-*s  %-*s  %-*s  %6s  %-*s  %s\n", wn, "NAME", ws, "SECTION", wt, "TYPE",
	       "INSNS", wa, "ATTACH", "NOTES");
	while ((p = bpfrt_object__next_program(obj, p))) {
		const char *target = bpfrt_program__attach_target(p);

		prog_notes(p, notes, sizeof(notes));
		printf("%-*s  %-*s  %-*s  %6zu  %-*s  %s\n", wn, bpfrt_program__name(p), ws,
		       bpfrt_program__section_name(p), wt,
		       prog_type_str(bpfrt_program__type(p), tbuf, sizeof(tbuf)),
		       bpfrt_program__insn_cnt(p), wa, target && target[0] ? target : "-", notes);
	}
}

int cmd_prog(int argc, char **argv)
{
	struct list_cfg cfg = { 0 };
	struct bpfrt_object *obj;
	int rc;

	rc = check_sub(argc, argv, "prog", "list", "list");
	if (!rc)
		rc = parse_list(&cfg, argc - 1, argv + 1, "prog");
	if (rc)
		return rc < 0 ? CLI_OK : rc;
	obj = cli_object_open(cfg.file, NULL, 0, &cfg.obj);
	if (!obj)
		return CLI_FAIL;
	if (cfg.json)
		prog_list_json(obj);
	else
		prog_list_text(obj);
	bpfrt_object__close(obj);
	return CLI_OK;
}

static const char *pinning_str(uint32_t pinning)
{
	return pinning == 0 ? "none" : pinning == 1 ? "by_name" : "unknown";
}

/* Append ", text" (or "text" to an empty buf), as much as fits. */
static void note(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void note(char *buf, size_t size, const char *fmt, ...)
{
	size_t n = strlen(buf);
	va_list ap;

	if (n && n + 2 < size) {
		memcpy(buf + n, ", ", 3);
		n += 2;
	}
	va_start(ap, fmt);
	vsnprintf(buf + n, size - n, fmt, ap);
	va_end(ap);
}

/* The notes of a map: "internal, read-only, initial value 8 bytes, ...". */
static void map_notes(const struct bpfrt_map *m, char *buf, size_t size)
{
	const struct bpfrt_map *inner = bpfrt_map__inner_map(m);
	size_t init_size = 0;
	uint32_t slots = 0;
	char tbuf[32];

	buf[0] = '\0';
	if (bpfrt_map__is_internal(m))
		note(buf, size, "internal");
	if (bpfrt_map__is_readonly(m))
		note(buf, size, "read-only");
	if (bpfrt_map__initial_value(m, &init_size) && init_size)
		note(buf, size, "initial value %zu bytes", init_size);
	if (bpfrt_map__pinning(m))
		note(buf, size, "pinning %s", pinning_str(bpfrt_map__pinning(m)));
	if (bpfrt_map__numa_node(m))
		note(buf, size, "numa node %u", bpfrt_map__numa_node(m));
	if (inner)
		note(buf, size, "inner %s key %u value %u max %u",
		     map_type_str(bpfrt_map__type(inner), tbuf, sizeof(tbuf)),
		     bpfrt_map__key_size(inner), bpfrt_map__value_size(inner),
		     bpfrt_map__max_entries(inner));
	for (uint32_t i = 0; i < bpfrt_map__init_slot_cnt(m); i++)
		if (bpfrt_map__init_slot_prog(m, i) || bpfrt_map__init_slot_map(m, i))
			slots++;
	if (slots)
		note(buf, size, "%u slot%s set by `values`", slots, slots == 1 ? "" : "s");
}

static void map_json_fields(const struct bpfrt_map *m)
{
	char tbuf[32];

	printf("\"name\": ");
	cli_json_string(stdout, bpfrt_map__name(m));
	printf(", \"type\": ");
	cli_json_string(stdout, map_type_str(bpfrt_map__type(m), tbuf, sizeof(tbuf)));
	printf(", \"key_size\": %u, \"value_size\": %u, \"max_entries\": %u, \"flags\": %u",
	       bpfrt_map__key_size(m), bpfrt_map__value_size(m), bpfrt_map__max_entries(m),
	       bpfrt_map__map_flags(m));
}

static void map_list_json(const struct bpfrt_object *obj)
{
	const struct bpfrt_map *m = NULL;
	bool first = true;

	printf("[");
	while ((m = bpfrt_object__next_map(obj, m))) {
		const struct bpfrt_map *inner = bpfrt_map__inner_map(m);
		size_t init_size = 0;

		if (!bpfrt_map__initial_value(m, &init_size))
			init_size = 0;
		printf("%s\n  {\"index\": %d, ", first ? "" : ",", bpfrt_map__index(m));
		map_json_fields(m);
		printf(", \"numa_node\": %u, \"pinning\": \"%s\", \"internal\": %s, "
		       "\"readonly\": %s, \"initial_value_size\": %zu, "
		       "\"btf_key_type_id\": %u, \"btf_value_type_id\": %u, \"inner_map\": ",
		       bpfrt_map__numa_node(m), pinning_str(bpfrt_map__pinning(m)),
		       bpfrt_map__is_internal(m) ? "true" : "false",
		       bpfrt_map__is_readonly(m) ? "true" : "false", init_size,
		       bpfrt_map__btf_key_type_id(m), bpfrt_map__btf_value_type_id(m));
		if (inner) {
			printf("{");
			map_json_fields(inner);
			printf("}");
		} else {
			printf("null");
		}
		printf(", \"init_slots\": [");
		for (uint32_t i = 0; i < bpfrt_map__init_slot_cnt(m); i++) {
			const struct bpfrt_program *sp = bpfrt_map__init_slot_prog(m, i);
			const struct bpfrt_map *sm = bpfrt_map__init_slot_map(m, i);

			printf("%s", i ? ", " : "");
			if (sp || sm)
				cli_json_string(stdout, sp ? bpfrt_program__name(sp) : bpfrt_map__name(sm));
			else
				printf("null");
		}
		printf("]}");
		first = false;
	}
	printf("%s]\n", first ? "" : "\n");
}

static void map_list_text(const struct bpfrt_object *obj)
{
	const struct bpfrt_map *m = NULL;
	int wn = 4, wt = 4;
	char tbuf[32], notes[256];

	while ((m = bpfrt_object__next_map(obj, m))) {
		wn = width(wn, bpfrt_map__name(m));
		wt = width(wt, map_type_str(bpfrt_map__type(m), tbuf, sizeof(tbuf)));
	}
	printf("%3s  %-*s  %-*s  %5s  %6s  %8s  %-6s  %s\n", "IDX", wn, "NAME", wt, "TYPE", "KEY",
	       "VALUE", "MAX", "FLAGS", "NOTES");
	while ((m = bpfrt_object__next_map(obj, m))) {
		char flags[16];

		snprintf(flags, sizeof(flags), "0x%x", bpfrt_map__map_flags(m));
		map_notes(m, notes, sizeof(notes));
		printf("%3d  %-*s  %-*s  %5u  %6u  %8u  %-6s  %s\n", bpfrt_map__index(m), wn,
		       bpfrt_map__name(m), wt, map_type_str(bpfrt_map__type(m), tbuf, sizeof(tbuf)),
		       bpfrt_map__key_size(m), bpfrt_map__value_size(m), bpfrt_map__max_entries(m),
		       flags, notes[0] ? notes : "-");
	}
}

int cmd_map(int argc, char **argv)
{
	struct list_cfg cfg = { 0 };
	struct bpfrt_object *obj;
	int rc;

	if (argc >= 2 && (!strcmp(argv[1], "dump") || !strcmp(argv[1], "lookup") ||
			  !strcmp(argv[1], "update") || !strcmp(argv[1], "delete"))) {
		snprintf(cli_prog, sizeof(cli_prog), "bpfrt map %s", argv[1]);
		return cli_map_session_cmd(argc, argv);
	}
	rc = check_sub(argc, argv, "map", "list", "list, dump, lookup, update, delete");
	if (!rc)
		rc = parse_list(&cfg, argc - 1, argv + 1, "map");
	if (rc)
		return rc < 0 ? CLI_OK : rc;
	obj = cli_object_open(cfg.file, NULL, 0, &cfg.obj);
	if (!obj)
		return CLI_FAIL;
	if (cfg.json)
		map_list_json(obj);
	else
		map_list_text(obj);
	bpfrt_object__close(obj);
	return CLI_OK;
}

/* ---- btf dump --------------------------------------------------------- */

/*
 * The raw format of `bpftool btf dump ... format raw`: one line per type,
 * `[ID] KIND 'name' fields...`, then one indented line per member, enumerator,
 * parameter or variable.
 */
static const char *str_or_anon(const struct bpfrt_btf *btf, uint32_t off)
{
	const char *s = bpfrt_btf__str(btf, off);

	return s && s[0] ? s : "(anon)";
}

static void print_kind(int kind)
{
	const char *s = bpfrt_btf_kind_name(kind);

	if (!s) {
		fputs("UNKNOWN", stdout);
		return;
	}
	for (; *s; s++)
		putchar(*s >= 'a' && *s <= 'z' ? *s - 'a' + 'A' : *s);
}

static const char *int_encoding(uint32_t enc)
{
	switch (enc) {
	case 0:
		return "(none)";
	case BTF_INT_SIGNED:
		return "SIGNED";
	case BTF_INT_CHAR:
		return "CHAR";
	case BTF_INT_BOOL:
		return "BOOL";
	default:
		return "UNKN";
	}
}

static const char *linkage_str(uint32_t linkage)
{
	switch (linkage) {
	case BTF_FUNC_STATIC:
		return "static";
	case BTF_FUNC_GLOBAL:
		return "global";
	case BTF_FUNC_EXTERN:
		return "extern";
	default:
		return "(unknown)";
	}
}

static void raw_type(const struct bpfrt_btf *btf, uint32_t id, const struct btf_type *t)
{
	int kind = (int)BTF_INFO_KIND(t->info);
	uint32_t vlen = BTF_INFO_VLEN(t->info);
	bool kflag = BTF_INFO_KFLAG(t->info);

	printf("[%u] ", id);
	print_kind(kind);
	printf(" '%s'", str_or_anon(btf, t->name_off));

	switch (kind) {
	case BTF_KIND_INT: {
		uint32_t v = *(const uint32_t *)(t + 1);

		printf(" size=%u bits_offset=%u nr_bits=%u encoding=%s", t->size, BTF_INT_OFFSET(v),
		       BTF_INT_BITS(v), int_encoding(BTF_INT_ENCODING(v)));
		break;
	}
	case BTF_KIND_PTR:
	case BTF_KIND_CONST:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_TYPE_TAG:
		printf(" type_id=%u", t->type);
		break;
	case BTF_KIND_ARRAY: {
		const struct btf_array *a = (const struct btf_array *)(t + 1);

		printf(" type_id=%u index_type_id=%u nr_elems=%u", a->type, a->index_type,
		       a->nelems);
		break;
	}
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION: {
		const struct btf_member *m = (const struct btf_member *)(t + 1);

		printf(" size=%u vlen=%u", t->size, vlen);
		for (uint32_t i = 0; i < vlen; i++, m++) {
			uint32_t off = kflag ? BTF_MEMBER_BIT_OFFSET(m->offset) : m->offset;
			uint32_t bits = kflag ? BTF_MEMBER_BITFIELD_SIZE(m->offset) : 0;

			printf("\n\t'%s' type_id=%u bits_offset=%u", str_or_anon(btf, m->name_off),
			       m->type, off);
			if (bits)
				printf(" bitfield_size=%u", bits);
		}
		break;
	}
	case BTF_KIND_ENUM: {
		const struct btf_enum *e = (const struct btf_enum *)(t + 1);

		printf(" encoding=%s size=%u vlen=%u", kflag ? "SIGNED" : "UNSIGNED", t->size, vlen);
		for (uint32_t i = 0; i < vlen; i++, e++) {
			printf("\n\t'%s' val=", str_or_anon(btf, e->name_off));
			if (kflag)
				printf("%d", e->val);
			else
				printf("%u", (uint32_t)e->val);
		}
		break;
	}
	case BTF_KIND_ENUM64: {
		const struct btf_enum64 *e = (const struct btf_enum64 *)(t + 1);

		printf(" encoding=%s size=%u vlen=%u", kflag ? "SIGNED" : "UNSIGNED", t->size, vlen);
		for (uint32_t i = 0; i < vlen; i++, e++) {
			uint64_t v = (uint64_t)e->val_hi32 << 32 | e->val_lo32;

			printf("\n\t'%s' val=", str_or_anon(btf, e->name_off));
			if (kflag)
				printf("%" PRId64 "LL", (int64_t)v);
			else
				printf("%" PRIu64 "ULL", v);
		}
		break;
	}
	case BTF_KIND_FWD:
		printf(" fwd_kind=%s", kflag ? "union" : "struct");
		break;
	case BTF_KIND_FUNC:
		printf(" type_id=%u linkage=%s", t->type, linkage_str(vlen));
		break;
	case BTF_KIND_FUNC_PROTO: {
		const struct btf_param *p = (const struct btf_param *)(t + 1);

		printf(" ret_type_id=%u vlen=%u", t->type, vlen);
		for (uint32_t i = 0; i < vlen; i++, p++)
			printf("\n\t'%s' type_id=%u", str_or_anon(btf, p->name_off), p->type);
		break;
	}
	case BTF_KIND_VAR: {
		const struct btf_var *v = (const struct btf_var *)(t + 1);

		printf(" type_id=%u, linkage=%s", t->type, linkage_str(v->linkage));
		break;
	}
	case BTF_KIND_DATASEC: {
		const struct btf_var_secinfo *v = (const struct btf_var_secinfo *)(t + 1);

		printf(" size=%u vlen=%u", t->size, vlen);
		for (uint32_t i = 0; i < vlen; i++, v++) {
			const struct btf_type *vt = bpfrt_btf__type_by_id(btf, v->type);

			printf("\n\ttype_id=%u offset=%u size=%u", v->type, v->offset, v->size);
			if (vt) {
				printf(" (");
				print_kind((int)BTF_INFO_KIND(vt->info));
				printf(" '%s')", str_or_anon(btf, vt->name_off));
			}
		}
		break;
	}
	case BTF_KIND_FLOAT:
		printf(" size=%u", t->size);
		break;
	case BTF_KIND_DECL_TAG: {
		const struct btf_decl_tag *d = (const struct btf_decl_tag *)(t + 1);

		printf(" type_id=%u component_idx=%d", t->type, d->component_idx);
		break;
	}
	default:
		break;
	}
	putchar('\n');
}

static void dump_out(void *ctx, const char *text)
{
	fputs(text, ctx);
}

enum { BTF_OPT_FORMAT };

static const struct cli_opt btf_opts[] = {
	[BTF_OPT_FORMAT] = { "format", 0, true },
	{ 0 },
};

/* Read the BTF of `path`: a raw BTF file, or an object's .BTF section. */
static struct bpfrt_btf *btf_read(const char *path)
{
	const char *name = cli_path_name(path);
	struct bpfrt_btf *btf;
	char log[512] = "";
	uint8_t *data;
	size_t len;

	/* Read it ourselves first: the messages of cli_read_file, and stdin. */
	if (cli_read_file(path, &data, &len))
		return NULL;
	if (!cli_is_elf(data, len)) {
		btf = bpfrt_btf__parse(data, len, log, sizeof(log));
	} else if (strcmp(path, "-") == 0) {
		cli_err("%s: an object on standard input: give its path", name);
		free(data);
		return NULL;
	} else {
		btf = bpfrt_btf__load_file(path, log, sizeof(log));
	}
	if (!btf) {
		log[strcspn(log, "\n")] = '\0';
		if (log[0] && strstr(log, path))
			cli_err("%s", log); /* it names the file already */
		else
			cli_err("%s: %s", name, log[0] ? log : strerror(errno));
	}
	free(data);
	return btf;
}

int cmd_btf(int argc, char **argv)
{
	const char *file = NULL, *val;
	struct bpfrt_btf *btf;
	struct cli_args args;
	bool raw = true;
	int opt, rc;

	rc = check_sub(argc, argv, "btf", "dump", "dump");
	if (rc)
		return rc < 0 ? CLI_OK : rc;
	cli_args_init(&args, argc - 1, argv + 1);
	while ((opt = cli_args_next(&args, btf_opts, &val)) != CLI_ARG_END) {
		switch (opt) {
		case BTF_OPT_FORMAT:
			if (strcmp(val, "raw") == 0)
				raw = true;
			else if (strcmp(val, "c") == 0)
				raw = false;
			else
				return cli_usage_err("--format: unknown format '%s' (c or raw)", val);
			break;
		case CLI_ARG_OPERAND:
			if (file)
				return cli_usage_err("unexpected argument '%s' (one FILE only)", val);
			file = val;
			break;
		case CLI_ARG_HELP:
			return cli_help("btf");
		default:
			return CLI_USAGE;
		}
	}
	if (!file)
		return cli_usage_err("missing FILE (see 'bpfrt help btf')");

	btf = btf_read(file);
	if (!btf)
		return CLI_FAIL;
	rc = CLI_OK;
	if (raw) {
		uint32_t cnt = bpfrt_btf__type_cnt(btf);

		for (uint32_t id = 1; id < cnt; id++) {
			const struct btf_type *t = bpfrt_btf__type_by_id(btf, id);

			if (t)
				raw_type(btf, id, t);
		}
	} else {
		int err = bpfrt_btf__dump_c(btf, dump_out, stdout);

		if (err) {
			cli_err("%s: cannot write C: %s", cli_path_name(file), strerror(-err));
			rc = CLI_FAIL;
		}
	}
	bpfrt_btf__free(btf);
	return rc;
}
