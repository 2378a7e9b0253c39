/* SPDX-License-Identifier: MIT */
/*
 * The CLI's session: an object loaded into the runtime, its maps and its
 * events (see session.h). JSON input is parsed with json-c.
 */
#include <errno.h>
#include <pthread.h>
#include <time.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "cli.h"
#include "session.h"

/* ---- events ----------------------------------------------------------- */

/* What one event consumer reports: the session (text or JSON) and the map. */
struct cli_event_src {
	const struct cli_session *s;
	const char *map;
};

static void print_event(const struct cli_event_src *src, const char *kind, int cpu,
			const void *data, size_t size)
{
	const uint8_t *p = data;

	/* Events come from the watcher thread, trace lines from the run's: whole lines. */
	flockfile(stdout);
	if (src->s->json) {
		printf("{\"event\": \"%s\", \"map\": ", kind);
		cli_json_string(stdout, src->map);
		if (cpu >= 0)
			printf(", \"cpu\": %d", cpu);
		printf(", \"size\": %zu, \"data\": \"", size);
		for (size_t i = 0; i < size; i++)
			printf("%02x", p[i]);
		printf("\"}\n");
	} else {
		printf("event: %s '%s'", kind, src->map);
		if (cpu >= 0)
			printf(" cpu %d", cpu);
		printf(" (%zu bytes):", size);
		for (size_t i = 0; i < size; i++)
			printf(" %02x", p[i]);
		printf("\n");
	}
	fflush(stdout);
	funlockfile(stdout);
}

static int on_ringbuf(void *ctx, void *data, size_t size)
{
	print_event(ctx, "ringbuf", -1, data, size);
	return 0;
}

static void on_perf(void *ctx, int cpu, void *data, uint32_t size)
{
	print_event(ctx, "perf", cpu, data, size);
}

static void on_perf_lost(void *ctx, int cpu, uint64_t cnt)
{
	const struct cli_event_src *src = ctx;

	flockfile(stdout);
	if (src->s->json) {
		printf("{\"event\": \"perf_lost\", \"map\": ");
		cli_json_string(stdout, src->map);
		printf(", \"cpu\": %d, \"count\": %" PRIu64 "}\n", cpu, cnt);
	} else {
		printf("event: perf '%s' cpu %d: %" PRIu64 " samples lost\n", src->map, cpu, cnt);
	}
	fflush(stdout);
	funlockfile(stdout);
}

static void on_trace(void *ctx, const char *line, size_t len)
{
	const struct cli_session *s = ctx;

	flockfile(stdout);
	if (s->json) {
		printf("{\"trace\": ");
		cli_json_string(stdout, line);
		printf("}\n");
	} else {
		printf("trace: %.*s\n", (int)len, line);
	}
	fflush(stdout);
	funlockfile(stdout);
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

/*
 * While programs run, a watcher thread consumes the event buffers every
 * millisecond, so events print as they arrive (and a long --repeat does not
 * fill a buffer that nobody reads).
 */
static void *watch(void *arg)
{
	struct cli_session *s = arg;
	const struct timespec tick = { 0, 1000000 };

	while (!__atomic_load_n(&s->watch_stop, __ATOMIC_ACQUIRE)) {
		cli_session_drain(s);
		nanosleep(&tick, NULL);
	}
	return NULL;
}

void cli_session_watch(struct cli_session *s, bool on)
{
	if (on && !s->watching && (s->rb_cnt || s->pb_cnt)) {
		s->watch_stop = false;
		s->watching = !pthread_create(&s->watcher, NULL, watch, s);
	} else if (!on && s->watching) {
		__atomic_store_n(&s->watch_stop, true, __ATOMIC_RELEASE);
		pthread_join(s->watcher, NULL);
		s->watching = false;
	}
	if (!on)
		cli_session_drain(s); /* what came after the watcher's last look */
}

/* ---- start, close ------------------------------------------------------- */

/* A consumer for each ring buffer and perf event array. 0 or -errno. */
static int attach_consumers(struct cli_session *s)
{
	struct bpfrt_map *m = NULL;
	size_t n = 0, src = 0;

	while ((m = bpfrt_object__next_map(s->obj, m)))
		n++;
	s->rbs = calloc(n ? n : 1, sizeof(*s->rbs));
	s->pbs = calloc(n ? n : 1, sizeof(*s->pbs));
	s->srcs = calloc(n ? n : 1, sizeof(*s->srcs));
	if (!s->rbs || !s->pbs || !s->srcs)
		return -ENOMEM;
	while ((m = bpfrt_object__next_map(s->obj, m))) {
		struct cli_event_src *c = &s->srcs[src];

		*c = (struct cli_event_src){ s, bpfrt_map__name(m) };
		if (bpfrt_map__type(m) == BPFRT_MAP_TYPE_RINGBUF) {
			s->rbs[s->rb_cnt] = bpfrt_ringbuf__new(m, on_ringbuf, c, NULL);
			if (!s->rbs[s->rb_cnt++])
				return -errno;
		} else if (bpfrt_map__type(m) == BPFRT_MAP_TYPE_PERF_EVENT_ARRAY) {
			struct bpfrt_perf_buffer_opts po = { .sz = sizeof(po), .lost_fn = on_perf_lost,
							     .ctx = c };

			s->pbs[s->pb_cnt] = bpfrt_perf_buffer__new(m, 8, on_perf, &po);
			if (!s->pbs[s->pb_cnt++])
				return -errno;
		} else {
			continue;
		}
		src++;
	}
	return 0;
}

int cli_session_pick(struct cli_session *s, const char *name, const struct bpfrt_program **out)
{
	const struct bpfrt_program *p = NULL, *only = NULL;
	const char *which = s->loaded ? "loaded " : "";
	char names[512];
	size_t n = 0;

	cli_object_prog_names(s->obj, s->loaded, names, sizeof(names));
	if (name) {
		p = bpfrt_object__find_program_by_name(s->obj, name);
		if (!p) {
			cli_object_prog_names(s->obj, false, names, sizeof(names));
			cli_err("%s: no program '%s' (programs: %s)", s->file, name,
				names[0] ? names : "none");
			return CLI_FAIL;
		}
		if (s->loaded && !bpfrt_program__prog(p)) {
			cli_err("%s: program '%s' is not loaded (loaded: %s)", s->file, name,
				names[0] ? names : "none");
			return CLI_FAIL;
		}
	} else {
		while ((p = bpfrt_object__next_program(s->obj, p)))
			if (!s->loaded || bpfrt_program__prog(p))
				n++, only = p;
		if (n != 1) {
			if (!n) {
				cli_err("%s: no %sprograms", s->file, which);
				return CLI_FAIL;
			}
			cli_err("%s: %zu %sprograms, choose one with --prog: %s", s->file, n, which,
				names);
			return CLI_USAGE;
		}
		p = only;
	}
	if (bpfrt_program__unsupported_reason(p)) {
		/* "program 'foo' uses kernel function ...": the loader says it best. */
		cli_err("%s: %s", s->file, bpfrt_program__unsupported_reason(p));
		return CLI_FAIL;
	}
	*out = p;
	return CLI_OK;
}

/* Load the object: `prog` (if not NULL) or, with `all`, every program bpfrt can run. */
static int session_load(struct cli_session *s, const char *prog, bool all)
{
	struct bpfrt_object_load_opts lo = { .sz = sizeof(lo) };
	struct bpfrt_program *p = NULL;
	struct bpfrt_map *m = NULL;
	char log[1024] = "";
	int err;

	while ((p = bpfrt_object__next_program(s->obj, p)))
		bpfrt_program__set_autoload(p, prog ? !strcmp(bpfrt_program__name(p), prog)
						    : all && !bpfrt_program__unsupported_reason(p) &&
						      bpfrt_prog_type_supported(bpfrt_program__type(p)));
	/* The programs prog_array initialisers name, so their slots can be filled. */
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
		log[strcspn(log, "\n")] = '\0'; /* one line on stderr */
		/* A program bpfrt cannot load keeps the others from being loaded too. */
		cli_err("%s: %s%s", s->file, log[0] ? log : cli_strerror(err),
			all && !prog && !strncmp(log, "program '", 9) ? " (load one program with --prog)"
								      : "");
		return CLI_FAIL;
	}
	s->loaded = true;
	err = attach_consumers(s);
	if (err) {
		cli_err("%s: cannot consume the object's events: %s", s->file, cli_strerror(err));
		return CLI_FAIL;
	}
	return CLI_OK;
}

static int map_init(struct cli_session *s, const char *path);

int cli_session_start(struct cli_session *s, const struct cli_session_opts *o, enum cli_load what,
		      const char **stage)
{
	const struct bpfrt_program *p = NULL;
	const char *dummy;
	int rc;

	stage = stage ? stage : &dummy;
	memset(s, 0, sizeof(*s));
	s->file = cli_path_name(o->file);
	s->env = (struct bpfrt_env){ .sz = sizeof(s->env), .trace = on_trace, .trace_ctx = s };
	*stage = "input";
	s->obj = cli_object_open(o->file, o->data, o->len, &o->obj);
	if (!s->obj)
		return CLI_FAIL;
	if (what == CLI_LOAD_ONE || o->prog) {
		rc = cli_session_pick(s, o->prog, &p);
		if (rc)
			return rc;
	}
	*stage = "load";
	s->prog = p;
	rc = session_load(s, p ? bpfrt_program__name(p) : NULL, what == CLI_LOAD_ALL);
	if (!rc && o->map_init) {
		*stage = "input";
		rc = map_init(s, o->map_init);
	}
	return rc;
}

void cli_session_close(struct cli_session *s)
{
	if (s->watching)
		cli_session_watch(s, false);
	for (size_t i = 0; i < s->rb_cnt; i++)
		bpfrt_ringbuf__free(s->rbs[i]);
	for (size_t i = 0; i < s->pb_cnt; i++)
		bpfrt_perf_buffer__free(s->pbs[i]);
	free(s->rbs);
	free(s->pbs);
	free(s->srcs);
	bpfrt_object__close(s->obj);
	memset(s, 0, sizeof(*s));
}

/* ---- keys and values ---------------------------------------------------- */

static bool is_percpu(const struct bpfrt_map *m)
{
	switch (bpfrt_map__type(m)) {
	case BPFRT_MAP_TYPE_PERCPU_ARRAY:
	case BPFRT_MAP_TYPE_PERCPU_HASH:
	case BPFRT_MAP_TYPE_LRU_PERCPU_HASH:
		return true;
	default:
		return false;
	}
}

/* Bytes a user buffer of the map's values takes: per-CPU maps one 8-byte aligned slot per CPU. */
static size_t value_stride(const struct bpfrt_map *m)
{
	return (bpfrt_map__value_size(m) + 7) / 8 * 8;
}

static size_t value_buf_size(const struct bpfrt_map *m)
{
	return is_percpu(m) ? value_stride(m) * bpfrt_map__nr_cpus(m) : bpfrt_map__value_size(m);
}

int cli_parse_bytes(const char *what, const char *text, uint8_t *out, size_t size)
{
	const char *hex = strncmp(text, "0x", 2) ? text : text + 2;
	uint8_t *bytes = NULL;
	size_t n = 0;
	char *end;

	/* A plain number: little-endian, as a C integer of that size in memory. */
	errno = 0;
	if (text[0] && !strchr(text, ' ') && hex == text) {
		unsigned long long v = strtoull(text, &end, 10);

		if (!*end && !errno && text[0] != '-') {
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
	if (cli_parse_hex(what, hex, strlen(hex), &bytes, &n))
		return -EINVAL;
	if (n != size) {
		cli_err("%s: %zu byte%s given, the map needs %zu", what, n, n == 1 ? "" : "s", size);
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

		if (json_object_get_int64(j) < 0) { /* two's complement, as in C */
			uint64_t v = (uint64_t)json_object_get_int64(j);

			memset(out, 0, size);
			for (size_t i = 0; i < size && i < 8; i++)
				out[i] = (uint8_t)(v >> (8 * i));
			return 0;
		}
		snprintf(num, sizeof(num), "%" PRIu64, json_object_get_uint64(j));
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
	for (uint32_t c = 1; is_percpu(m) && c < bpfrt_map__nr_cpus(m); c++)
		memcpy(buf + c * value_stride(m), buf, bpfrt_map__value_size(m));
}

/* Store one key (NULL for maps without keys) and value, for every CPU. */
static int update_elem(struct bpfrt_map *m, const uint8_t *key, uint8_t *val, uint64_t flags)
{
	size_t ks = bpfrt_map__key_size(m);

	spread(m, val);
	return bpfrt_map__update_elem(m, ks ? key : NULL, ks, val, value_buf_size(m), flags);
}

/* Fill one map from the array of --map-init entries; `what` names the map. */
static int map_init_one(struct bpfrt_map *m, json_object *entries, const char *what)
{
	size_t ks = bpfrt_map__key_size(m), vs = value_buf_size(m);
	uint8_t *key = calloc(1, ks ? ks : 1), *val = calloc(1, vs ? vs : 1);
	int rc = CLI_OK;

	if (!key || !val) {
		cli_err("%s: %s", what, strerror(ENOMEM));
		rc = CLI_FAIL;
	} else if (!json_object_is_type(entries, json_type_array)) {
		cli_err("%s: expected an array of entries", what);
		rc = CLI_FAIL;
	}
	for (size_t i = 0; !rc && i < json_object_array_length(entries); i++) {
		json_object *e = json_object_array_get_idx(entries, i), *jk = NULL, *jv;
		char ewhat[192];
		int err;

		snprintf(ewhat, sizeof(ewhat), "%s entry %zu", what, i);
		if (!json_object_object_get_ex(e, "value", &jv) ||
		    (ks && !json_object_object_get_ex(e, "key", &jk))) {
			cli_err("%s: needs \"key\" and \"value\"", ewhat);
			rc = CLI_FAIL;
		} else if ((ks && json_bytes(ewhat, jk, key, ks)) ||
			   json_bytes(ewhat, jv, val, bpfrt_map__value_size(m))) {
			rc = CLI_FAIL;
		} else if ((err = update_elem(m, key, val, BPFRT_ANY))) {
			cli_err("%s: update failed: %s", ewhat, cli_strerror(err));
			rc = CLI_FAIL;
		}
	}
	free(key);
	free(val);
	return rc;
}

/*
 * --map-init FILE.json:
 *   { "MAP": [ { "key": K, "value": V }, ... ], ... }
 * K and V as json_bytes() reads them; per-CPU maps take V for every CPU.
 */
static int map_init(struct cli_session *s, const char *path)
{
	const char *name = cli_path_name(path);
	enum json_tokener_error jerr;
	json_object *root;
	uint8_t *text;
	size_t len;
	int rc = CLI_OK;

	if (cli_read_file(path, &text, &len))
		return CLI_FAIL;
	root = json_tokener_parse_verbose((const char *)text, &jerr);
	free(text);
	if (!root) {
		cli_err("%s: not valid JSON: %s", name, json_tokener_error_desc(jerr));
		return CLI_FAIL;
	}
	if (!json_object_is_type(root, json_type_object)) {
		cli_err("%s: expected an object { \"MAP\": [ { \"key\": ..., \"value\": ... } ] }", name);
		json_object_put(root);
		return CLI_FAIL;
	}
	json_object_object_foreach(root, map, entries)
	{
		struct bpfrt_map *m = find_map(s, map);
		char what[160];

		snprintf(what, sizeof(what), "%s: map '%s'", name, map);
		rc = m ? map_init_one(m, entries, what) : CLI_FAIL;
		if (rc)
			break;
	}
	json_object_put(root);
	return rc;
}

/* ---- dump --------------------------------------------------------------- */

/* Bytes as "0a 00" (text) or as bpftool's ["0x0a","0x00"] (JSON). */
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

/* One element: `key: ..  value: ..` or {"key": [..], "value": [..]}; per-CPU "values". */
static void print_elem(const struct bpfrt_map *m, const uint8_t *key, const uint8_t *val, bool json)
{
	size_t v = bpfrt_map__value_size(m);

	printf(json ? "{\"key\": " : "key: ");
	print_bytes(key, bpfrt_map__key_size(m), json);
	printf(json ? ", " : "  ");
	if (!is_percpu(m)) {
		printf(json ? "\"value\": " : "value: ");
		print_bytes(val, v, json);
	} else {
		printf(json ? "\"values\": [" : "values:");
		for (uint32_t c = 0; c < bpfrt_map__nr_cpus(m); c++) {
			printf(json ? "%s{\"cpu\": %u, \"value\": " : "%s cpu %u: ", json && c ? ", " : "",
			       c);
			print_bytes(val + c * value_stride(m), v, json);
			if (json)
				printf("}");
		}
		if (json)
			printf("]");
	}
	printf(json ? "}" : "\n");
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

/* `map 'NAME' (type):` then one element per line, or {name, type, elements}. 0 or -errno. */
static int dump_map(struct bpfrt_map *m, bool json)
{
	size_t ks = bpfrt_map__key_size(m), vs = value_buf_size(m);
	uint8_t *key = calloc(1, ks ? ks : 1), *next = calloc(1, ks ? ks : 1);
	uint8_t *val = calloc(1, vs ? vs : 1);
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
		printf(json ? (cnt ? ", " : "") : "  ");
		print_elem(m, key, val, json);
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
		printf("]");
}

/* ---- map dump|lookup|update|delete -------------------------------------- */

enum { MAP_OPT_JSON, MAP_OPT_FLAGS, MAP_OPT_MAP_INIT, MAP_OPT_BTF, MAP_OPT_KCONFIG };

static const struct cli_opt map_opts[] = {
	[MAP_OPT_JSON] = { "json", 0, false },
	[MAP_OPT_FLAGS] = { "flags", 0, true },
	/* Options of the session: the command line's, not a shell line's. */
	[MAP_OPT_MAP_INIT] = { "map-init", 0, true },
	[MAP_OPT_BTF] = { "btf", 0, true },
	[MAP_OPT_KCONFIG] = { "kconfig", 0, true },
	{ 0 },
};

struct map_cmd {
	const char *sub;      /* dump, lookup, update, delete */
	const char *map;      /* NULL: dump every map */
	const char *key;
	const char *value;
	uint64_t flags;
	bool json;
};

#define MAP_CMD_USAGE                                                                      \
	"map dump [MAP] | lookup MAP KEY | update MAP KEY VALUE [--flags any|noexist|exist] | " \
	"delete MAP KEY"

/*
 * Parse argv = { SUB, [FILE.o], operands and options }: FILE.o and the
 * session options only if `so` (the command line). CLI_OK, -1 after the
 * help, or CLI_USAGE after printing why.
 */
static int parse_map_cmd(struct map_cmd *c, struct cli_session_opts *so, int argc, char **argv)
{
	const char *operand[4] = { NULL }, *val;
	size_t nops = 0, first = so ? 1 : 0, n;
	struct cli_args args;
	bool ok;
	int opt;

	*c = (struct map_cmd){ .sub = argv[0], .flags = BPFRT_ANY };
	cli_args_init(&args, argc, argv);
	while ((opt = cli_args_next(&args, map_opts, &val)) != CLI_ARG_END) {
		if (opt >= MAP_OPT_MAP_INIT && !so)
			return cli_usage_err("--%s: an option of `bpfrt shell`, not of its lines",
					     map_opts[opt].name);
		switch (opt) {
		case MAP_OPT_JSON:
			c->json = true;
			break;
		case MAP_OPT_FLAGS:
			if (!strcmp(val, "any"))
				c->flags = BPFRT_ANY;
			else if (!strcmp(val, "noexist"))
				c->flags = BPFRT_NOEXIST;
			else if (!strcmp(val, "exist"))
				c->flags = BPFRT_EXIST;
			else
				return cli_usage_err("--flags: '%s' is not any, noexist or exist", val);
			break;
		case MAP_OPT_MAP_INIT:
			so->map_init = val;
			break;
		case MAP_OPT_BTF:
			so->obj.btf_path = val;
			break;
		case MAP_OPT_KCONFIG:
			so->obj.kconfig_path = val;
			break;
		case CLI_ARG_OPERAND:
			if (nops == first + 3)
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
	if (so && !(so->file = operand[0]))
		return cli_usage_err("missing FILE (an ELF object; see 'bpfrt help map')");
	n = nops - first;
	if (!strcmp(c->sub, "dump"))
		ok = n <= 1;
	else if (!strcmp(c->sub, "lookup") || !strcmp(c->sub, "delete"))
		ok = n == 2;
	else if (!strcmp(c->sub, "update"))
		ok = n == 3;
	else
		return cli_usage_err("unknown subcommand '%s' (usage: %s)", c->sub, MAP_CMD_USAGE);
	if (!ok)
		return cli_usage_err("usage: %s", MAP_CMD_USAGE);
	c->map = operand[first];
	c->key = operand[first + 1];
	c->value = operand[first + 2];
	return CLI_OK;
}

static int map_cmd_run(struct cli_session *s, const struct map_cmd *c)
{
	struct bpfrt_map *m = NULL;
	size_t ks, vs;
	uint8_t *key = NULL, *value = NULL;
	int err, rc = CLI_OK;

	if (!c->map) {
		cli_session_dump_maps(s, c->json);
		if (c->json)
			printf("\n");
		return CLI_OK;
	}
	if (!(m = find_map(s, c->map)))
		return CLI_FAIL;
	if (!strcmp(c->sub, "dump")) {
		err = dump_map(m, c->json);
		if (c->json)
			printf("\n");
		if (err)
			cli_err("%s: map '%s': dump: %s", s->file, bpfrt_map__name(m), cli_strerror(err));
		return err ? CLI_FAIL : CLI_OK;
	}
	ks = bpfrt_map__key_size(m);
	vs = value_buf_size(m);
	key = calloc(1, ks ? ks : 1);
	value = calloc(1, vs ? vs : 1);
	if (!key || !value) {
		cli_err("%s", strerror(ENOMEM));
		rc = CLI_FAIL;
		goto out;
	}
	if (cli_parse_bytes("KEY", c->key, key, ks) ||
	    (c->value && cli_parse_bytes("VALUE", c->value, value, bpfrt_map__value_size(m)))) {
		rc = CLI_USAGE;
		goto out;
	}
	if (!strcmp(c->sub, "lookup")) {
		err = bpfrt_map__lookup_elem(m, key, ks, value, vs, 0);
		if (!err) {
			print_elem(m, key, value, c->json);
			if (c->json)
				printf("\n");
		}
	} else if (!strcmp(c->sub, "update")) {
		err = update_elem(m, key, value, c->flags);
	} else {
		err = bpfrt_map__delete_elem(m, key, ks, 0);
	}
	if (err) {
		cli_err("%s: map '%s': %s: %s", s->file, bpfrt_map__name(m), c->sub,
			err == -ENOENT ? "no such key" : cli_strerror(err));
		rc = CLI_FAIL;
	}
out:
	free(key);
	free(value);
	return rc;
}

int cli_session_map_cmd(struct cli_session *s, int argc, char **argv)
{
	struct map_cmd c;
	int rc;

	if (argc < 1)
		return cli_usage_err("missing subcommand (%s)", MAP_CMD_USAGE);
	rc = parse_map_cmd(&c, NULL, argc, argv);
	return rc ? rc : map_cmd_run(s, &c);
}

int cli_map_session_cmd(int argc, char **argv)
{
	struct cli_session_opts so = { 0 };
	struct cli_session s;
	struct map_cmd c;
	int rc;

	/* argv: "map", SUB, FILE.o, ... */
	rc = parse_map_cmd(&c, &so, argc - 1, argv + 1);
	if (rc)
		return rc < 0 ? CLI_OK : rc;
	rc = cli_session_start(&s, &so, CLI_LOAD_NONE, NULL);
	if (!rc)
		rc = map_cmd_run(&s, &c);
	cli_session_close(&s);
	return rc;
}
