/* SPDX-License-Identifier: MIT */
/*
 * `bpfrt run`: run bytecode or assembler text on input memory (r1, r2),
 * or test-run one program of an ELF object as BPF_PROG_TEST_RUN would, in
 * a session (session.h) of its own; also the `run` lines of `bpfrt shell`.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/bpf.h> /* BPF_F_TEST_RUN_ON_CPU */

#include "bpfrt/object.h"
#include "cli.h"
#include "session.h"
#include "util.h"

#define RUN_MAX_REPEAT 100000000ULL

enum { RUN_OPT_MEM, RUN_OPT_MEM_HEX, RUN_OPT_ENGINE, RUN_OPT_REPEAT, RUN_OPT_BUDGET,
       RUN_OPT_JSON, RUN_OPT_FORMAT, RUN_OPT_PROG, RUN_OPT_BTF, RUN_OPT_KCONFIG, RUN_OPT_DATA,
       RUN_OPT_DATA_HEX, RUN_OPT_CTX, RUN_OPT_CTX_HEX, RUN_OPT_MAP_INIT, RUN_OPT_DUMP_MAPS,
       RUN_OPT_CPU };

static const struct cli_opt run_opts[] = {
	[RUN_OPT_MEM] = { "mem", 0, true },
	[RUN_OPT_MEM_HEX] = { "mem-hex", 0, true },
	[RUN_OPT_ENGINE] = { "engine", 0, true },
	[RUN_OPT_REPEAT] = { "repeat", 0, true },
	[RUN_OPT_BUDGET] = { "budget", 0, true },
	[RUN_OPT_JSON] = { "json", 0, false },
	[RUN_OPT_FORMAT] = { "format", 0, true },
	[RUN_OPT_PROG] = { "prog", 0, true },
	[RUN_OPT_BTF] = { "btf", 0, true },
	[RUN_OPT_KCONFIG] = { "kconfig", 0, true },
	[RUN_OPT_DATA] = { "data", 0, true },
	[RUN_OPT_DATA_HEX] = { "data-hex", 0, true },
	[RUN_OPT_CTX] = { "ctx", 0, true },
	[RUN_OPT_CTX_HEX] = { "ctx-hex", 0, true },
	[RUN_OPT_MAP_INIT] = { "map-init", 0, true },
	[RUN_OPT_DUMP_MAPS] = { "dump-maps", 0, false },
	[RUN_OPT_CPU] = { "cpu", 0, true },
	{ 0 },
};

struct run_cfg {
	const char *file;
	const char *mem_path;
	const char *mem_hex;
	enum cli_format fmt;
	enum bpfrt_engine engine;
	uint64_t repeat;
	bool repeat_given;
	uint64_t budget;
	bool json;
	/* ELF objects only */
	const char *prog;         /* --prog, then the program that runs */
	struct cli_obj_opts obj;
	char prog_buf[128];
	char hex_opt[16];         /* --mem-hex or --data-hex, as given */
	const char *ctx_path;
	const char *ctx_hex;
	const char *map_init;
	bool dump_maps;
	uint64_t cpu;
	bool cpu_given;
	const char *obj_only;     /* an object-only option that was given, or NULL */
};

static bool engine_is_checked(enum bpfrt_engine e)
{
	return e == BPFRT_ENGINE_CHECKED || e == BPFRT_ENGINE_CHECKED_SWITCH;
}

/* in_session: a line of `bpfrt shell`, where FILE is the session's. */
static int parse_args(struct run_cfg *cfg, int argc, char **argv, bool in_session)
{
	struct cli_args args;
	const char *val;
	bool budget_given = false;
	int opt, f;

	cli_args_init(&args, argc, argv);
	while ((opt = cli_args_next(&args, run_opts, &val)) != CLI_ARG_END) {
		if (opt >= RUN_OPT_PROG && opt != RUN_OPT_DATA && opt != RUN_OPT_DATA_HEX)
			cfg->obj_only = run_opts[opt].name;
		switch (opt) {
		case RUN_OPT_MEM:
		case RUN_OPT_DATA:
			if (cfg->mem_path)
				return cli_usage_err("--data/--mem given twice");
			cfg->mem_path = val;
			break;
		case RUN_OPT_MEM_HEX:
		case RUN_OPT_DATA_HEX:
			if (cfg->mem_hex)
				return cli_usage_err("--data-hex/--mem-hex given twice");
			cfg->mem_hex = val;
			snprintf(cfg->hex_opt, sizeof(cfg->hex_opt), "--%s", run_opts[opt].name);
			break;
		case RUN_OPT_CTX:
			cfg->ctx_path = val;
			break;
		case RUN_OPT_CTX_HEX:
			cfg->ctx_hex = val;
			break;
		case RUN_OPT_MAP_INIT:
			cfg->map_init = val;
			break;
		case RUN_OPT_DUMP_MAPS:
			cfg->dump_maps = true;
			break;
		case RUN_OPT_CPU:
			if (cli_parse_u64("--cpu", val, 0, BPFRT_MAP_MAX_CPUS - 1, &cfg->cpu))
				return CLI_USAGE;
			cfg->cpu_given = true;
			break;
		case RUN_OPT_ENGINE:
			if (cli_parse_engine(val, &cfg->engine))
				return CLI_USAGE;
			break;
		case RUN_OPT_REPEAT:
			if (cli_parse_u64("--repeat", val, 1, RUN_MAX_REPEAT, &cfg->repeat))
				return CLI_USAGE;
			cfg->repeat_given = true;
			break;
		case RUN_OPT_BUDGET:
			if (cli_parse_u64("--budget", val, 1, UINT64_MAX, &cfg->budget))
				return CLI_USAGE;
			budget_given = true;
			break;
		case RUN_OPT_JSON:
			cfg->json = true;
			break;
		case RUN_OPT_FORMAT:
			f = cli_format_from_name(val);
			if (f < 0)
				return cli_usage_err("--format: unknown format '%s' (see 'bpfrt help "
						     "run')", val);
			cfg->fmt = (enum cli_format)f;
			break;
		case RUN_OPT_PROG:
			cfg->prog = val;
			break;
		case RUN_OPT_BTF:
			cfg->obj.btf_path = val;
			break;
		case RUN_OPT_KCONFIG:
			cfg->obj.kconfig_path = val;
			break;
		case CLI_ARG_OPERAND:
			if (cfg->file)
				return cli_usage_err(in_session ? "unexpected argument '%s'"
								: "unexpected argument '%s' (one FILE only)", val);
			cfg->file = val;
			break;
		case CLI_ARG_HELP:
			cli_help("run");
			return -1;
		default:
			return CLI_USAGE;
		}
	}
	if (!cfg->file)
		return cli_usage_err("missing FILE (see 'bpfrt help run')");
	if (cfg->mem_path && cfg->mem_hex)
		return cli_usage_err("--mem/--data and %s cannot be used together", cfg->hex_opt);
	if (cfg->ctx_path && cfg->ctx_hex)
		return cli_usage_err("--ctx and --ctx-hex cannot be used together");
	if (!strcmp(cfg->file, "-") + (cfg->mem_path && !strcmp(cfg->mem_path, "-")) +
	    (cfg->ctx_path && !strcmp(cfg->ctx_path, "-")) > 1)
		return cli_usage_err("only one of the program, --mem/--data and --ctx can be "
				     "standard input");
	if (budget_given && !engine_is_checked(cfg->engine))
		return cli_usage_err("--budget needs a checked engine, not '%s'",
				     bpfrt_engine_name(cfg->engine));
	return CLI_OK;
}

static void json_head(const struct run_cfg *cfg)
{
	printf("{\"file\": ");
	cli_json_string(stdout, cli_path_name(cfg->file));
	if (cfg->prog) {
		printf(", \"prog\": ");
		cli_json_string(stdout, cfg->prog);
	}
	printf(", \"engine\": \"%s\", \"repeat\": %" PRIu64, bpfrt_engine_name(cfg->engine),
	       cfg->repeat);
}

static void json_error(const struct run_cfg *cfg, const char *stage, const char *msg)
{
	json_head(cfg);
	printf(", \"stage\": \"%s\", \"error\": ", stage);
	cli_json_string(stdout, msg);
	printf("}\n");
}

static double elapsed_ns(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) * 1e9 + (double)(b->tv_nsec - a->tv_nsec);
}

static int run_prog(const struct run_cfg *cfg, const struct bpfrt_prog *prog, uint8_t *mem,
		    size_t mem_len)
{
	struct bpfrt_run_opts opts;
	struct timespec t0, t1;
	uint64_t i;
	double mean;
	int err = 0;

	memset(&opts, 0, sizeof(opts));
	opts.sz = sizeof(opts);
	opts.engine = cfg->engine;
	opts.mem = mem;
	opts.mem_size = mem_len;
	opts.insn_budget = cfg->budget;

	/*
	 * Time the whole loop, never one run by itself: the clock costs tens
	 * of nanoseconds, as much as a short program.
	 */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < cfg->repeat; i++) {
		err = bpfrt_prog__run(prog, &opts);
		if (err)
			break;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);

	if (err) {
		char msg[sizeof(opts.fault.msg) + 64];

		snprintf(msg, sizeof(msg), "%s", opts.fault.msg[0] ? opts.fault.msg : strerror(-err));
		if (cfg->repeat > 1) {
			size_t n = strlen(msg);

			snprintf(msg + n, sizeof(msg) - n, " (run %" PRIu64 " of %" PRIu64 ")", i + 1,
				 cfg->repeat);
		}
		if (cfg->json)
			json_error(cfg, "run", msg);
		cli_err("%s: fault: %s", cli_path_name(cfg->file), msg);
		return CLI_FAIL;
	}

	mean = elapsed_ns(&t0, &t1) / (double)cfg->repeat;
	if (cfg->json) {
		json_head(cfg);
		printf(", \"retval\": %" PRIu64 ", \"retval_hex\": \"0x%" PRIx64 "\"", opts.retval,
		       opts.retval);
		printf(", \"duration_ns\": %.1f", mean);
		if (engine_is_checked(cfg->engine))
			printf(", \"insns\": %" PRIu64, opts.insn_executed);
		printf("}\n");
		return CLI_OK;
	}
	printf("retval: 0x%" PRIx64 " (%" PRIu64, opts.retval, opts.retval);
	if ((int64_t)opts.retval < 0)
		printf(", %" PRId64, (int64_t)opts.retval);
	printf(")\n");
	if (cfg->repeat_given)
		printf("time: %.1f ns/run (mean of %" PRIu64 " run%s, %s)\n", mean, cfg->repeat,
		       cfg->repeat == 1 ? "" : "s", bpfrt_engine_name(cfg->engine));
	return CLI_OK;
}

/* ---- programs of ELF objects ----------------------------------------- */

/*
 * What each program type's test run takes, as the kernel's
 * BPF_PROG_TEST_RUN does (net/bpf/test_run.c; bpfrt's own test runs of
 * memory, kprobe, tracepoint and perf_event programs in src/progtypes):
 * packet data (data_in and data_out), a context in and back out, repeat,
 * a cpu. The CLI passes a type only what it takes, so that an option the
 * type has no use for is named here instead of being refused as EINVAL.
 */
enum test_cpu {
	TEST_CPU_ANY,  /* the run's worker index */
	TEST_CPU_NONE, /* refused, as by the kernel's skb test runs */
	TEST_CPU_FLAG, /* with BPF_F_TEST_RUN_ON_CPU (raw tracepoints) */
};

struct test_inputs {
	enum bpfrt_prog_type type;
	bool data, ctx, ctx_out, repeat;
	enum test_cpu cpu;
};

static const struct test_inputs test_inputs[] = {
	/* type                             data   ctx    ctx_out repeat cpu */
	{ BPFRT_PROG_TYPE_UNSPEC,           true,  false, false,  true,  TEST_CPU_ANY },
	{ BPFRT_PROG_TYPE_XDP,              true,  true,  true,   true,  TEST_CPU_ANY },
	{ BPFRT_PROG_TYPE_SOCKET_FILTER,    true,  true,  true,   true,  TEST_CPU_NONE },
	{ BPFRT_PROG_TYPE_SCHED_CLS,        true,  true,  true,   true,  TEST_CPU_NONE },
	{ BPFRT_PROG_TYPE_SCHED_ACT,        true,  true,  true,   true,  TEST_CPU_NONE },
	{ BPFRT_PROG_TYPE_KPROBE,           false, true,  false,  true,  TEST_CPU_ANY },
	{ BPFRT_PROG_TYPE_TRACEPOINT,       false, true,  false,  true,  TEST_CPU_ANY },
	{ BPFRT_PROG_TYPE_PERF_EVENT,       false, true,  false,  true,  TEST_CPU_ANY },
	{ BPFRT_PROG_TYPE_RAW_TRACEPOINT,   false, true,  false,  false, TEST_CPU_FLAG },
};

static const struct test_inputs *find_test_inputs(enum bpfrt_prog_type type)
{
	/* A type the library learns later: pass on whatever is given. */
	static const struct test_inputs any = { 0, true, true, false, true, TEST_CPU_ANY };

	for (size_t i = 0; i < sizeof(test_inputs) / sizeof(test_inputs[0]); i++)
		if (test_inputs[i].type == type)
			return &test_inputs[i];
	return &any;
}

static const char *type_name(enum bpfrt_prog_type type)
{
	const char *s = bpfrt_prog_type_name(type);

	return type == BPFRT_PROG_TYPE_UNSPEC ? "memory (unspec)" : s ? s : "unknown";
}

/* Are the options of this run ones the program's type takes? CLI_OK or CLI_USAGE. */
static int check_test_inputs(const struct run_cfg *cfg, const struct test_inputs *in,
			     enum bpfrt_prog_type type)
{
	const char *t = type_name(type);

	if (!in->data && (cfg->mem_path || cfg->mem_hex))
		return cli_usage_err("--data: %s programs take no data, only a context (--ctx)", t);
	if (!in->ctx && (cfg->ctx_path || cfg->ctx_hex))
		return cli_usage_err("--ctx: %s programs take no context, only data (--data)", t);
	if (!in->repeat && cfg->repeat_given)
		return cli_usage_err("--repeat: %s programs are test-run once (as in the kernel)", t);
	if (in->cpu == TEST_CPU_NONE && cfg->cpu_given)
		return cli_usage_err("--cpu: %s programs are test-run on no chosen cpu (as in the "
				     "kernel)", t);
	return CLI_OK;
}

/* The input of a run: --data (--mem) and --ctx, each from a file or hex text, or none. */
struct run_input {
	uint8_t *data, *ctx;
	size_t data_len, ctx_len;
};

static int read_one(const char *hex_opt, const char *hex, const char *path, uint8_t **out,
		    size_t *len)
{
	if (hex)
		return cli_parse_hex(hex_opt, hex, strlen(hex), out, len) ? CLI_USAGE : CLI_OK;
	if (path)
		return cli_read_file(path, out, len) ? CLI_FAIL : CLI_OK;
	return CLI_OK;
}

static void free_input(struct run_input *in)
{
	free(in->data);
	free(in->ctx);
	memset(in, 0, sizeof(*in));
}

/* CLI_OK, or an exit status after printing why (and the JSON error). */
static int read_input(const struct run_cfg *cfg, struct run_input *in)
{
	int rc;

	memset(in, 0, sizeof(*in));
	rc = read_one(cfg->hex_opt, cfg->mem_hex, cfg->mem_path, &in->data, &in->data_len);
	if (!rc)
		rc = read_one("--ctx-hex", cfg->ctx_hex, cfg->ctx_path, &in->ctx, &in->ctx_len);
	if (rc) {
		if (cfg->json && rc == CLI_FAIL)
			json_error(cfg, "input", cli_last_error());
		free_input(in);
	}
	return rc;
}

static void print_hex_field(const char *name, const uint8_t *p, size_t n, bool json)
{
	if (json) {
		printf(", \"%s\": \"", name);
		for (size_t i = 0; i < n; i++)
			printf("%02x", p[i]);
		printf("\"");
		return;
	}
	printf("%s (%zu bytes):", name, n);
	for (size_t i = 0; i < n; i++)
		printf(" %02x", p[i]);
	printf("\n");
}

/* The results of a test run that succeeded. */
static void print_test_run(const struct run_cfg *cfg, struct cli_session *s,
			   const struct bpfrt_test_run_opts *t)
{
	if (cfg->json) {
		json_head(cfg);
		printf(", \"retval\": %u, \"retval_hex\": \"0x%x\", \"duration_ns\": %" PRIu64,
		       t->retval, t->retval, t->duration_ns);
		if (engine_is_checked(cfg->engine))
			printf(", \"insns\": %" PRIu64, t->insn_executed);
	} else {
		printf("retval: 0x%x (%u", t->retval, t->retval);
		if ((int32_t)t->retval < 0)
			printf(", %d", (int32_t)t->retval);
		printf(")\n");
	}
	if (t->data_out)
		print_hex_field("data_out", t->data_out, t->data_size_out, cfg->json);
	if (t->ctx_out)
		print_hex_field("ctx_out", t->ctx_out, t->ctx_size_out, cfg->json);
	if (t->redirect_ifindex || t->redirect_flags) {
		if (cfg->json)
			printf(", \"redirect_ifindex\": %u, \"redirect_flags\": %" PRIu64,
			       t->redirect_ifindex, t->redirect_flags);
		else
			printf("redirect: ifindex %u flags 0x%" PRIx64 "\n", t->redirect_ifindex,
			       t->redirect_flags);
	}
	if (cfg->repeat_given && !cfg->json)
		printf("time: %" PRIu64 " ns/run (mean of %" PRIu64 " run%s, %s)\n", t->duration_ns,
		       cfg->repeat, cfg->repeat == 1 ? "" : "s", bpfrt_engine_name(cfg->engine));
	if (cfg->dump_maps) {
		if (cfg->json)
			printf(", \"maps\": ");
		cli_session_dump_maps(s, cfg->json);
	}
	if (cfg->json)
		printf("}\n");
}

/* Why a test run failed: a fault of the program, or (kind NONE) its input was refused. */
static void print_test_run_err(const struct run_cfg *cfg, struct cli_session *s,
			       const struct bpfrt_test_run_opts *t, enum bpfrt_prog_type type, int err)
{
	bool fault = t->fault.kind != BPFRT_FAULT_NONE;
	const char *why = t->fault.msg[0] ? t->fault.msg : cli_strerror(err);
	char data[32] = "none", ctx[32] = "none";

	if (t->data_in)
		snprintf(data, sizeof(data), "%u bytes", t->data_size_in);
	if (t->ctx_in)
		snprintf(ctx, sizeof(ctx), "%u bytes", t->ctx_size_in);
	if (fault)
		cli_err("%s: program '%s': fault: %s", s->file, cfg->prog, why);
	else if (err == -BPFRT_ENOTSUPP || err == -EOPNOTSUPP)
		cli_err("%s: program '%s' (%s): bpfrt cannot test-run it on this input (data: %s, "
			"ctx: %s): %s", s->file, cfg->prog, type_name(type), data, ctx, why);
	else
		cli_err("%s: program '%s' (%s): the test run refused its input (data: %s, ctx: %s): "
			"%s", s->file, cfg->prog, type_name(type), data, ctx, why);
	if (cfg->json)
		json_error(cfg, fault ? "run" : "input", cli_last_error());
}

/*
 * Test-run the session's program cfg->prog as BPF_PROG_TEST_RUN would, on
 * --data and --ctx; print events as they arrive, then the results (and
 * the maps with --dump-maps).
 */
static int session_test_run(struct run_cfg *cfg, struct cli_session *s, const struct run_input *in)
{
	const struct bpfrt_program *p = bpfrt_object__find_program_by_name(s->obj, cfg->prog);
	enum bpfrt_prog_type type = bpfrt_program__type(p);
	const struct test_inputs *ti = find_test_inputs(type);
	struct bpfrt_test_run_opts t = { .sz = sizeof(t) };
	uint32_t ctx_cap = in->ctx_len > 4096 ? (uint32_t)in->ctx_len : 4096;
	uint8_t *data_out = NULL, *ctx_out = NULL;
	int rc, err;

	rc = check_test_inputs(cfg, ti, type);
	if (rc)
		return rc;
	/*
	 * data_out has room for what head and tail adjustments can add (a
	 * page: the kernel's test frames are one); ctx_out for the whole
	 * context, which may be larger than what was given.
	 */
	if ((in->data && !(data_out = malloc(in->data_len + 4096))) ||
	    (in->ctx && ti->ctx_out && !(ctx_out = malloc(ctx_cap)))) {
		cli_err("%s: %s", s->file, strerror(ENOMEM));
		rc = CLI_FAIL;
		goto out;
	}
	t.data_in = in->data;
	t.data_size_in = (uint32_t)in->data_len;
	t.data_out = data_out;
	t.data_size_out = data_out ? (uint32_t)in->data_len + 4096 : 0;
	t.ctx_in = in->ctx;
	t.ctx_size_in = (uint32_t)in->ctx_len;
	t.ctx_out = ctx_out;
	t.ctx_size_out = ctx_out ? ctx_cap : 0;
	t.repeat = cfg->repeat_given ? (uint32_t)cfg->repeat : 0;
	t.cpu = (uint32_t)cfg->cpu;
	t.flags = ti->cpu == TEST_CPU_FLAG && cfg->cpu_given ? BPF_F_TEST_RUN_ON_CPU : 0;
	t.engine = cfg->engine;
	t.insn_budget = cfg->budget;
	t.env = &s->env;
	s->json = cfg->json;
	cli_session_watch(s, true);
	err = bpfrt_prog__test_run(bpfrt_program__prog(p), &t);
	cli_session_watch(s, false);
	if (err) {
		print_test_run_err(cfg, s, &t, type, err);
		rc = CLI_FAIL;
	} else {
		print_test_run(cfg, s, &t);
	}
out:
	fflush(stdout);
	free(data_out);
	free(ctx_out);
	return rc;
}

/* `bpfrt run FILE.o`: a session for this one run. */
static int run_object(struct run_cfg *cfg, const uint8_t *file, size_t file_len,
		      const struct run_input *in)
{
	struct cli_session_opts so = {
		.file = cfg->file, .data = file, .len = file_len, .obj = cfg->obj,
		.prog = cfg->prog, .map_init = cfg->map_init,
	};
	struct cli_session s;
	const char *stage;
	int rc;

	rc = cli_session_start(&s, &so, CLI_LOAD_ONE, &stage);
	if (s.prog) {
		/* Its name outlives the session, for the messages after it. */
		snprintf(cfg->prog_buf, sizeof(cfg->prog_buf), "%s", bpfrt_program__name(s.prog));
		cfg->prog = cfg->prog_buf;
	}
	if (!rc)
		rc = session_test_run(cfg, &s, in);
	else if (cfg->json)
		json_error(cfg, stage, cli_last_error());
	cli_session_close(&s);
	return rc;
}

int cli_session_run(struct cli_session *s, int argc, char **argv)
{
	struct run_cfg cfg = { .engine = CLI_DEFAULT_ENGINE, .repeat = 1, .fmt = CLI_FORMAT_AUTO };
	const struct bpfrt_program *p;
	struct run_input in;
	int rc;

	cfg.file = s->file;
	rc = parse_args(&cfg, argc, argv, true);
	if (rc)
		return rc;
	if (cfg.map_init || cfg.obj.btf_path || cfg.obj.kconfig_path)
		return cli_usage_err("--map-init, --btf and --kconfig are options of `bpfrt shell`, "
				     "not of its lines");
	rc = cli_session_pick(s, cfg.prog, &p);
	if (rc)
		return rc;
	cfg.prog = bpfrt_program__name(p);
	rc = read_input(&cfg, &in);
	if (!rc)
		rc = session_test_run(&cfg, s, &in);
	free_input(&in);
	return rc;
}

/* ---- run ------------------------------------------------------------ */

/* `bpfrt run FILE` of bytecode, assembler or hex text (read already into `data`). */
static int run_bytecode(struct run_cfg *cfg, const uint8_t *data, size_t len,
			const struct run_input *in)
{
	static uint8_t no_mem[1]; /* r1 for a run without memory: valid, 0 bytes long */
	struct bpfrt_load_opts lopts = { .sz = sizeof(lopts) };
	struct bpfrt_insn *insns = NULL;
	struct bpfrt_prog *prog = NULL;
	struct bpfrt_vm *vm;
	char log[512] = "";
	size_t cnt;
	int rc;

	if (cli_parse_insns(cfg->file, data, len, cfg->fmt, &insns, &cnt, NULL)) {
		if (cfg->json)
			json_error(cfg, "input", cli_last_error());
		return CLI_FAIL;
	}
	vm = cli_vm_new();
	if (!vm) {
		free(insns);
		return CLI_FAIL;
	}
	lopts.log_buf = log;
	lopts.log_size = sizeof(log);
	prog = bpfrt_prog__load(vm, insns, cnt, &lopts);
	if (!prog) {
		cli_err("%s: %s", cli_path_name(cfg->file), log[0] ? log : strerror(errno));
		if (cfg->json)
			json_error(cfg, "load", log[0] ? log : strerror(errno));
		rc = CLI_FAIL;
	} else {
		rc = run_prog(cfg, prog, in->data_len ? in->data : no_mem, in->data_len);
	}
	bpfrt_prog__free(prog);
	bpfrt_vm__free(vm);
	free(insns);
	return rc;
}

int cmd_run(int argc, char **argv)
{
	struct run_cfg cfg = { .engine = CLI_DEFAULT_ENGINE, .repeat = 1, .fmt = CLI_FORMAT_AUTO };
	struct run_input in;
	uint8_t *file;
	size_t len;
	int rc;

	rc = parse_args(&cfg, argc, argv, false);
	if (rc)
		return rc < 0 ? CLI_OK : rc;
	rc = read_input(&cfg, &in);
	if (rc)
		return rc;
	if (cli_read_file(cfg.file, &file, &len)) {
		if (cfg.json)
			json_error(&cfg, "input", cli_last_error());
		free_input(&in);
		return CLI_FAIL;
	}
	if (cfg.fmt == CLI_FORMAT_AUTO && cli_is_elf(file, len))
		rc = run_object(&cfg, file, len, &in);
	else if (cfg.obj_only)
		rc = cli_usage_err("--%s: only for ELF objects, and %s is not one", cfg.obj_only,
				   cli_path_name(cfg.file));
	else
		rc = run_bytecode(&cfg, file, len, &in);
	free(file);
	free_input(&in);
	return rc;
}
