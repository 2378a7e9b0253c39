/* SPDX-License-Identifier: MIT */
/*
 * The CLI's session: an object loaded into the runtime, its maps and its
 * events (see session.h). JSON input is parsed with json-c.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "cli.h"
#include "session.h"

/* ---- events ----------------------------------------------------------- */

static void print_event(const struct cli_session *s, const char *kind, const char *map, int cpu,
			const void *data, size_t size)
{
	const uint8_t *p = data;

	if (s->json) {
		printf("{\"event\": \"%s\", \"map\": ", kind);
		cli_json_string(stdout, map);
		if (cpu >= 0)
			printf(", \"cpu\": %d", cpu);
		printf(", \"size\": %zu, \"data\": \"", size);
		for (size_t i = 0; i < size; i++)
			printf("%02x", p[i]);
		printf("\"}\n");
		return;
	}
	printf("event: %s '%s'", kind, map);
	if (cpu >= 0)
		printf(" cpu %d", cpu);
	printf(" (%zu bytes):", size);
	for (size_t i = 0; i < size; i++)
		printf(" %02x", p[i]);
	printf("\n");
}

struct rb_ctx {
	const struct cli_session *s;
	const char *name;
};

static int on_ringbuf(void *ctx, void *data, size_t size)
{
	const struct rb_ctx *c = ctx;

	print_event(c->s, "ringbuf", c->name, -1, data, size);
	return 0;
}

static void on_perf(void *ctx, int cpu, void *data, uint32_t size)
{
	const struct rb_ctx *c = ctx;

	print_event(c->s, "perf", c->name, cpu, data, size);
}

static void on_perf_lost(void *ctx, int cpu, uint64_t cnt)
{
	const struct rb_ctx *c = ctx;

	if (c->s->json)
		printf("{\"event\": \"perf_lost\", \"map\": \"%s\", \"cpu\": %d, \"count\": %" PRIu64 "}\n",
		       c->name, cpu, cnt);
	else
		printf("event: perf '%s' cpu %d: %" PRIu64 " samples lost\n", c->name, cpu, cnt);
}

static void on_trace(void *ctx, const char *line, size_t len)
{
	const struct cli_session *s = ctx;

	if (s->json) {
		printf("{\"trace\": ");
		cli_json_string(stdout, line);
		printf("}\n");
	} else {
		printf("trace: %.*s\n", (int)len, line);
	}
}

int cli_session_drain(struct cli_session *s)
{
	int n = 0, r;

	for (size_t i = 0; i < s->rb_cnt; i++)
		if ((r = bpfrt_ringbuf__consume(s->rbs[i])) > 0)
			n += r;
	for (size_t i = 0; i < s->pb_cnt; i++)
		if ((r = bpfrt_perf_buffer__consume(s->pbs[i])) > 0)
			n += r;
	fflush(stdout);
	return n;
}

/* ---- open, close ------------------------------------------------------ */

/* Consumers for the event maps; the rb_ctx of each is allocated with it. */
static int attach_consumers(struct cli_session *s)
{
	struct bpfrt_map *m = NULL;
	size_t n = 0;

	while ((m = bpfrt_object__next_map(s->obj, m)))
		n++;
	s->rbs = calloc(n ? n : 1, sizeof(*s->rbs));
	s->pbs = calloc(n ? n : 1, sizeof(*s->pbs));
	s->rb_names = calloc(n ? n : 1, sizeof(*s->rb_names));
	s->pb_names = calloc(n ? n : 1, sizeof(*s->pb_names));
	if (!s->rbs || !s->pbs || !s->rb_names || !s->pb_names)
		return -ENOMEM;
	while ((m = bpfrt_object__next_map(s->obj, m))) {
		struct rb_ctx *c;

		if (bpfrt_map__type(m) != BPFRT_MAP_TYPE_RINGBUF &&
		    bpfrt_map__type(m) != BPFRT_MAP_TYPE_PERF_EVENT_ARRAY)
			continue;
		c = malloc(sizeof(*c));
		if (!c)
			return -ENOMEM;
		*c = (struct rb_ctx){ s, bpfrt_map__name(m) };
		if (bpfrt_map__type(m) == BPFRT_MAP_TYPE_RINGBUF) {
			s->rbs[s->rb_cnt] = bpfrt_ringbuf__new(m, on_ringbuf, c, NULL);
			if (!s->rbs[s->rb_cnt]) {
				free(c);
				return -errno;
			}
			s->rb_names[s->rb_cnt++] = (const char *)c;
		} else {
			struct bpfrt_perf_buffer_opts po = { .sz = sizeof(po), .lost_fn = on_perf_lost,
							     .ctx = c };

			s->pbs[s->pb_cnt] = bpfrt_perf_buffer__new(m, 8, on_perf, &po);
			if (!s->pbs[s->pb_cnt]) {
				free(c);
				return -errno;
			}
			s->pb_names[s->pb_cnt++] = (const char *)c;
		}
	}
	return 0;
}

int cli_session_open(struct cli_session *s, const char *path, const uint8_t *data, size_t len,
		     const struct cli_obj_opts *oo)
{
	memset(s, 0, sizeof(*s));
	s->file = cli_path_name(path);
	s->env = (struct bpfrt_env){ .sz = sizeof(s->env), .trace = on_trace, .trace_ctx = s };
	s->obj = cli_object_open(path, data, len, oo);
	return s->obj ? CLI_OK : CLI_FAIL;
}

int cli_session_load(struct cli_session *s, const char *prog, bool all)
{
	struct bpfrt_object_load_opts lo = { .sz = sizeof(lo) };
	struct bpfrt_program *p = NULL;
	struct bpfrt_map *m = NULL;
	char log[1024] = "";
	int err;

	/* Load the program asked for and those prog_array initialisers name. */
	while ((p = bpfrt_object__next_program(s->obj, p)))
		bpfrt_program__set_autoload(p, all ? !bpfrt_program__unsupported_reason(p) &&
						     bpfrt_prog_type_supported(bpfrt_program__type(p))
						   : prog && !strcmp(bpfrt_program__name(p), prog));
	while ((m = bpfrt_object__next_map(s->obj, m)))
		for (uint32_t i = 0; bpfrt_map__type(m) == BPFRT_MAP_TYPE_PROG_ARRAY &&
				     i < bpfrt_map__init_slot_cnt(m); i++) {
			const struct bpfrt_program *t = bpfrt_map__init_slot_prog(m, i);

			if (t)
				bpfrt_program__set_autoload(
					bpfrt_object__find_program_by_name(s->obj, bpfrt_program__name(t)),
					true);
		}
	lo.log_buf = log;
	lo.log_size = sizeof(log);
	err = bpfrt_object__load(s->obj, &lo);
	if (err) {
		cli_err("%s: %s", s->file, log[0] ? log : strerror(-err));
		return CLI_FAIL;
	}
	err = attach_consumers(s);
	if (err) {
		cli_err("%s: cannot consume the object's events: %s", s->file, strerror(-err));
		return CLI_FAIL;
	}
	return CLI_OK;
}

void cli_session_close(struct cli_session *s)
{
	for (size_t i = 0; i < s->rb_cnt; i++) {
		bpfrt_ringbuf__free(s->rbs[i]);
		free((void *)s->rb_names[i]);
	}
	for (size_t i = 0; i < s->pb_cnt; i++) {
		bpfrt_perf_buffer__free(s->pbs[i]);
		free((void *)s->pb_names[i]);
	}
	free(s->rbs);
	free(s->pbs);
	free(s->rb_names);
	free(s->pb_names);
	bpfrt_object__close(s->obj);
	memset(s, 0, sizeof(*s));
}

/* ---- keys and values ---------------------------------------------------- */

/* Bytes a user buffer of the map's values takes (per-CPU: all CPUs). */
static size_t value_buf_size(const struct bpfrt_map *m)
{
	enum bpfrt_map_type t = bpfrt_map__type(m);
	size_t v = bpfrt_map__value_size(m);

	if (t == BPFRT_MAP_TYPE_PERCPU_ARRAY || t == BPFRT_MAP_TYPE_PERCPU_HASH ||
	    t == BPFRT_MAP_TYPE_LRU_PERCPU_HASH)
		return (v + 7) / 8 * 8 * bpfrt_map__nr_cpus(m);
	return v;
}

static bool is_percpu(const struct bpfrt_map *m)
{
	return value_buf_size(m) != bpfrt_map__value_size(m) || bpfrt_map__nr_cpus(m) > 1;
}

int cli_parse_bytes(const char *what, const char *text, uint8_t *out, size_t size)
{
	uint8_t *bytes = NULL;
	size_t n = 0;
	char *end;

	/* A plain number: little-endian, as a C integer of that size in memory. */
	errno = 0;
	if (text[0] && !strchr(text, ' ') && strncmp(text, "0x", 2) != 0) {
		unsigned long long v = strtoull(text, &end, 0);

		if (!*end && !errno) {
			if (size < 8 && v >> (size * 8)) {
				cli_err("%s: %s does not fit in %zu bytes", what, text, size);
				return -ERANGE;
			}
			memset(out, 0, size);
			for (size_t i = 0; i < size && i < 8; i++)
				out[i] = (uint8_t)(v >> (8 * i));
			return 0;
		}
	}
	if (cli_parse_hex(what, text[0] == '0' && text[1] == 'x' ? text + 2 : text,
			  strlen(text[0] == '0' && text[1] == 'x' ? text + 2 : text), &bytes, &n))
		return -EINVAL;
	if (n != size) {
		cli_err("%s: %zu bytes given, the map needs %zu", what, n, size);
		free(bytes);
		return -EINVAL;
	}
	memcpy(out, bytes, n);
	free(bytes);
	return 0;
}

/* A JSON key or value (number, hex string, array of bytes) into exactly `size` bytes. */
static int json_bytes(const char *what, json_object *j, uint8_t *out, size_t size)
{
	if (json_object_is_type(j, json_type_array)) {
		size_t n = json_object_array_length(j);

		if (n != size) {
			cli_err("%s: %zu bytes given, the map needs %zu", what, n, size);
			return -EINVAL;
		}
		for (size_t i = 0; i < n; i++) {
			json_object *b = json_object_array_get_idx(j, i);
			int64_t v = json_object_get_int64(b);

			if (!json_object_is_type(b, json_type_int) || v < 0 || v > 255) {
				cli_err("%s: byte %zu is not a number from 0 to 255", what, i);
				return -EINVAL;
			}
			out[i] = (uint8_t)v;
		}
		return 0;
	}
	if (json_object_is_type(j, json_type_int)) {
		char num[32];

		snprintf(num, sizeof(num), "%" PRIu64, json_object_get_uint64(j));
		if (json_object_get_int64(j) < 0) {
			int64_t v = json_object_get_int64(j);

			memset(out, 0, size);
			for (size_t i = 0; i < size && i < 8; i++)
				out[i] = (uint8_t)((uint64_t)v >> (8 * i));
			return 0;
		}
		return cli_parse_bytes(what, num, out, size);
	}
	if (json_object_is_type(j, json_type_string))
		return cli_parse_bytes(what, json_object_get_string(j), out, size);
	cli_err("%s: expected a number, a hex string or an array of bytes", what);
	return -EINVAL;
}

static struct bpfrt_map *find_map(struct cli_session *s, const char *name)
{
	struct bpfrt_map *m = bpfrt_object__find_map_by_name(s->obj, name);

	if (!m) {
		char names[512] = "";
		size_t n = 0;

		for (struct bpfrt_map *it = NULL; (it = bpfrt_object__next_map(s->obj, it));)
			n += (size_t)snprintf(names + n, n < sizeof(names) ? sizeof(names) - n : 0, "%s%s",
					      n ? ", " : "", bpfrt_map__name(it));
		cli_err("%s: no map '%s' (maps: %s)", s->file, name, names[0] ? names : "none");
	}
	return m;
}

/* A value for every CPU of a per-CPU map from one CPU's value. */
static void spread(const struct bpfrt_map *m, uint8_t *buf)
{
	size_t v = bpfrt_map__value_size(m), stride = (v + 7) / 8 * 8;

	for (uint32_t c = 1; is_percpu(m) && c < bpfrt_map__nr_cpus(m); c++)
		memcpy(buf + c * stride, buf, v);
}

int cli_session_map_init(struct cli_session *s, const char *path)
{
	json_object *root = json_object_from_file(path);
	int rc = CLI_OK;

	if (!root) {
		cli_err("%s: %s", cli_path_name(path), json_util_get_last_err());
		return CLI_FAIL;
	}
	if (!json_object_is_type(root, json_type_object)) {
		cli_err("%s: expected an object { \"MAP\": [ { \"key\": ..., \"value\": ... } ] }",
			cli_path_name(path));
		json_object_put(root);
		return CLI_FAIL;
	}
	json_object_object_foreach(root, name, entries)
	{
		struct bpfrt_map *m = find_map(s, name);
		size_t ks, vs, n;
		uint8_t *key, *val;

		if (!m) {
			rc = CLI_FAIL;
			break;
		}
		if (!json_object_is_type(entries, json_type_array)) {
			cli_err("%s: map '%s': expected an array of entries", cli_path_name(path), name);
			rc = CLI_FAIL;
			break;
		}
		ks = bpfrt_map__key_size(m);
		vs = value_buf_size(m);
		key = calloc(1, ks ? ks : 1);
		val = calloc(1, vs ? vs : 1);
		n = json_object_array_length(entries);
		for (size_t i = 0; key && val && i < n && rc == CLI_OK; i++) {
			json_object *e = json_object_array_get_idx(entries, i), *jk, *jv;
			char what[160];
			int err;

			snprintf(what, sizeof(what), "%s: map '%s' entry %zu", cli_path_name(path), name, i);
			if (!json_object_object_get_ex(e, "value", &jv) ||
			    (ks && !json_object_object_get_ex(e, "key", &jk))) {
				cli_err("%s: needs \"key\" and \"value\"", what);
				rc = CLI_FAIL;
				break;
			}
			if ((ks && json_bytes(what, jk, key, ks)) ||
			    json_bytes(what, jv, val, bpfrt_map__value_size(m))) {
				rc = CLI_FAIL;
				break;
			}
			spread(m, val);
			err = ks ? bpfrt_map__update_elem(m, key, ks, val, vs, BPFRT_ANY)
				 : bpfrt_map__update_elem(m, NULL, 0, val, vs, BPFRT_ANY);
			if (err) {
				cli_err("%s: update failed: %s", what, strerror(-err));
				rc = CLI_FAIL;
			}
		}
		if (!key || !val) {
			cli_err("%s: %s", cli_path_name(path), strerror(ENOMEM));
			rc = CLI_FAIL;
		}
		free(key);
		free(val);
		if (rc)
			break;
	}
	json_object_put(root);
	return rc;
}

/* ---- dump --------------------------------------------------------------- */

static void print_bytes(const uint8_t *p, size_t n, bool json)
{
	if (json) {
		printf("[");
		for (size_t i = 0; i < n; i++)
			printf("%s\"0x%02x\"", i ? "," : "", p[i]);
		printf("]");
		return;
	}
	for (size_t i = 0; i < n; i++)
		printf("%s%02x", i ? " " : "", p[i]);
}

static void print_value(const struct bpfrt_map *m, const uint8_t *val, bool json)
{
	size_t v = bpfrt_map__value_size(m), stride = (v + 7) / 8 * 8;

	if (!is_percpu(m)) {
		printf(json ? "\"value\": " : "value: ");
		print_bytes(val, v, json);
		return;
	}
	printf(json ? "\"values\": [" : "values:");
	for (uint32_t c = 0; c < bpfrt_map__nr_cpus(m); c++) {
		printf(json ? "%s{\"cpu\": %u, \"value\": " : "%s cpu %u: ", json && c ? ", " : "", c);
		print_bytes(val + c * stride, v, json);
		if (json)
			printf("}");
	}
	if (json)
		printf("]");
}

/* Iterable maps list their elements; ring buffers and the like have none to show. */
static bool dumpable(const struct bpfrt_map *m)
{
	switch (bpfrt_map__type(m)) {
	case BPFRT_MAP_TYPE_RINGBUF:
	case BPFRT_MAP_TYPE_PERF_EVENT_ARRAY:
	case BPFRT_MAP_TYPE_BLOOM_FILTER:
	case BPFRT_MAP_TYPE_QUEUE:
	case BPFRT_MAP_TYPE_STACK:
		return false;
	default:
		return true;
	}
}

static int dump_map(struct bpfrt_map *m, bool json)
{
	size_t ks = bpfrt_map__key_size(m), vs = value_buf_size(m);
	uint8_t *key = calloc(1, ks ? ks : 1), *next = calloc(1, ks ? ks : 1);
	uint8_t *val = calloc(1, vs ? vs : 1);
	bool first = true;
	int err, cnt = 0;

	if (!key || !next || !val) {
		free(key), free(next), free(val);
		return -ENOMEM;
	}
	if (json) {
		printf("{\"name\": ");
		cli_json_string(stdout, bpfrt_map__name(m));
		printf(", \"type\": \"%s\", \"elements\": [", bpfrt_map_type_name(bpfrt_map__type(m)));
	} else {
		printf("map '%s' (%s):\n", bpfrt_map__name(m), bpfrt_map_type_name(bpfrt_map__type(m)));
	}
	for (err = dumpable(m) ? bpfrt_map__get_next_key(m, NULL, next, ks) : -ENOENT; !err;
	     err = bpfrt_map__get_next_key(m, key, next, ks)) {
		memcpy(key, next, ks);
		if (bpfrt_map__lookup_elem(m, key, ks, val, vs, 0))
			continue; /* deleted meanwhile, or a slot with nothing in it */
		if (json) {
			printf("%s{\"key\": ", first ? "" : ", ");
			print_bytes(key, ks, true);
			printf(", ");
			print_value(m, val, true);
			printf("}");
		} else {
			printf("  key: ");
			print_bytes(key, ks, false);
			printf("  ");
			print_value(m, val, false);
			printf("\n");
		}
		first = false;
		cnt++;
	}
	if (json)
		printf("]}");
	else if (!cnt)
		printf("  (%s)\n", dumpable(m) ? "empty" : "elements cannot be listed");
	free(key), free(next), free(val);
	return err == -ENOENT ? 0 : err;
}

void cli_session_dump_maps(struct cli_session *s, bool json)
{
	bool first = true;

	if (json)
		printf("[");
	for (struct bpfrt_map *m = NULL; (m = bpfrt_object__next_map(s->obj, m));) {
		if (json && !first)
			printf(", ");
		dump_map(m, json);
		first = false;
	}
	if (json)
		printf("]\n");
}

/* ---- map dump|lookup|update|delete -------------------------------------- */

enum { MAP_OPT_JSON, MAP_OPT_FLAGS };

static const struct cli_opt map_opts[] = {
	[MAP_OPT_JSON] = { "json", 0, false },
	[MAP_OPT_FLAGS] = { "flags", 0, true },
	{ 0 },
};

int cli_session_map_cmd(struct cli_session *s, int argc, char **argv)
{
	const char *sub = argc > 0 ? argv[0] : NULL, *operand[3] = { NULL, NULL, NULL }, *val;
	struct cli_args args;
	uint64_t flags = BPFRT_ANY;
	struct bpfrt_map *m;
	size_t nops = 0, ks, vs;
	uint8_t *key = NULL, *value = NULL;
	bool json = false;
	int opt, err, rc = CLI_OK;

	cli_args_init(&args, argc, argv);
	while ((opt = cli_args_next(&args, map_opts, &val)) != CLI_ARG_END) {
		switch (opt) {
		case MAP_OPT_JSON:
			json = true;
			break;
		case MAP_OPT_FLAGS:
			if (!strcmp(val, "any"))
				flags = BPFRT_ANY;
			else if (!strcmp(val, "noexist"))
				flags = BPFRT_NOEXIST;
			else if (!strcmp(val, "exist"))
				flags = BPFRT_EXIST;
			else
				return cli_usage_err("--flags: '%s' is not any, noexist or exist", val);
			break;
		case CLI_ARG_OPERAND:
			if (nops == 3)
				return cli_usage_err("unexpected argument '%s'", val);
			operand[nops++] = val;
			break;
		case CLI_ARG_HELP:
			cli_help("map");
			return -1;
		default:
			return CLI_USAGE;
		}
	}
	if (!sub)
		return cli_usage_err("missing subcommand (dump, lookup, update or delete)");
	if (!strcmp(sub, "dump") && nops <= 1) {
		if (!operand[0]) {
			cli_session_dump_maps(s, json);
			return CLI_OK;
		}
		if (!(m = find_map(s, operand[0])))
			return CLI_FAIL;
		err = dump_map(m, json);
		if (json)
			printf("\n");
		return err ? CLI_FAIL : CLI_OK;
	}
	if ((!strcmp(sub, "lookup") || !strcmp(sub, "delete")) ? nops != 2
	    : !strcmp(sub, "update") ? nops != 3 : true)
		return cli_usage_err("usage: map dump [MAP] | lookup MAP KEY | update MAP KEY VALUE "
				     "[--flags any|noexist|exist] | delete MAP KEY");
	if (!(m = find_map(s, operand[0])))
		return CLI_FAIL;
	ks = bpfrt_map__key_size(m);
	vs = value_buf_size(m);
	key = calloc(1, ks ? ks : 1);
	value = calloc(1, vs ? vs : 1);
	if (!key || !value || cli_parse_bytes("KEY", operand[1], key, ks) ||
	    (operand[2] && cli_parse_bytes("VALUE", operand[2], value, bpfrt_map__value_size(m)))) {
		rc = key && value ? CLI_USAGE : CLI_FAIL;
		goto out;
	}
	if (!strcmp(sub, "lookup")) {
		err = bpfrt_map__lookup_elem(m, key, ks, value, vs, 0);
		if (!err) {
			printf(json ? "{\"key\": " : "key: ");
			print_bytes(key, ks, json);
			printf(json ? ", " : "  ");
			print_value(m, value, json);
			printf(json ? "}\n" : "\n");
		}
	} else if (!strcmp(sub, "update")) {
		spread(m, value);
		err = bpfrt_map__update_elem(m, key, ks, value, vs, flags);
	} else {
		err = bpfrt_map__delete_elem(m, key, ks, 0);
	}
	if (err) {
		cli_err("%s: map '%s': %s: %s", s->file, bpfrt_map__name(m), sub,
			err == -ENOENT ? "no such key" : strerror(-err));
		rc = CLI_FAIL;
	}
out:
	free(key);
	free(value);
	return rc;
}
