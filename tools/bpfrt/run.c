/* SPDX-License-Identifier: MIT */
/*
 * `bpfrt run`: load a program and run it on input memory, optionally timed.
 * The program is bytecode, assembler text, or one program of an ELF object
 * with its global data (see prepare_object).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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
	if (cfg->mem_path && strcmp(cfg->mem_path, "-") == 0 && strcmp(cfg->file, "-") == 0)
		return cli_usage_err("the program and --mem cannot both be standard input");
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
		    size_t mem_len, const struct bpfrt_region *regions, size_t region_cnt)
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
	if (engine_is_checked(cfg->engine)) {
		opts.regions = regions;
		opts.region_cnt = region_cnt;
	}

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

/* Pick the program: --prog, or the only one. CLI_OK or an exit status after printing why. */
static int pick_program(struct run_cfg *cfg, struct bpfrt_object *obj)
{
	const char *name = cli_path_name(cfg->file);
	const struct bpfrt_program *p = NULL, *only = NULL;
	char names[512];
	size_t n = 0;

	cli_object_prog_names(obj, names, sizeof(names));
	if (cfg->prog) {
		p = bpfrt_object__find_program_by_name(obj, cfg->prog);
		if (!p) {
			cli_err("%s: no program '%s' (programs: %s)", name, cfg->prog,
				names[0] ? names : "none");
			return CLI_FAIL;
		}
	} else {
		while ((p = bpfrt_object__next_program(obj, p)))
			n++, only = p;
		if (n != 1) {
			if (!n) {
				cli_err("%s: the object has no programs", name);
				return CLI_FAIL;
			}
			cli_err("%s: %zu programs, choose one with --prog: %s", name, n, names);
			return CLI_USAGE;
		}
		p = only;
	}
	if (bpfrt_program__unsupported_reason(p)) {
		/* "program 'foo' uses kernel function ...": the loader says it best. */
		cli_err("%s: %s", name, bpfrt_program__unsupported_reason(p));
		return CLI_FAIL;
	}
	snprintf(cfg->prog_buf, sizeof(cfg->prog_buf), "%s", bpfrt_program__name(p));
	cfg->prog = cfg->prog_buf; /* outlives the object, for messages */
	return CLI_OK;
}

/*
 * Test-run the session's program cfg->prog as BPF_PROG_TEST_RUN would, on
 * `data` and --ctx/--ctx-hex; print events as they arrive and the results
 * (and the maps with --dump-maps).
 */
static int session_test_run(struct run_cfg *cfg, struct cli_session *s, const uint8_t *data,
			    size_t data_len)
{
	struct bpfrt_test_run_opts t = { .sz = sizeof(t) };
	const struct bpfrt_program *p = bpfrt_object__find_program_by_name(s->obj, cfg->prog);
	uint8_t *ctx = NULL, *data_out = NULL, *ctx_out = NULL;
	size_t ctx_len = 0;
	int rc = CLI_OK, err;

	if (!p || !bpfrt_program__prog(p)) {
		cli_err("%s: program '%s' is not loaded in this session", s->file, cfg->prog);
		return CLI_FAIL;
	}
	if ((cfg->ctx_hex &&
	     cli_parse_hex("--ctx-hex", cfg->ctx_hex, strlen(cfg->ctx_hex), &ctx, &ctx_len)) ||
	    (cfg->ctx_path && cli_read_file(cfg->ctx_path, &ctx, &ctx_len))) {
		if (cfg->json)
			json_error(cfg, "input", cli_last_error());
		return cfg->ctx_hex ? CLI_USAGE : CLI_FAIL;
	}
	/* Room for what head/tail adjustments can add, as the kernel allows. */
	data_out = malloc(data_len + 4096);
	ctx_out = malloc(ctx_len ? ctx_len : 1);
	if (!data_out || !ctx_out) {
		cli_err("%s: %s", s->file, strerror(ENOMEM));
		rc = CLI_FAIL;
		goto out;
	}
	t.data_in = data;
	t.data_size_in = (uint32_t)data_len;
	t.data_out = data_out;
	t.data_size_out = (uint32_t)data_len + 4096;
	t.ctx_in = ctx;
	t.ctx_size_in = (uint32_t)ctx_len;
	t.ctx_out = ctx_len ? ctx_out : NULL;
	t.ctx_size_out = ctx_len ? (uint32_t)ctx_len : 0;
	t.repeat = (uint32_t)cfg->repeat;
	t.cpu = (uint32_t)cfg->cpu;
	t.engine = cfg->engine;
	t.insn_budget = cfg->budget;
	t.env = &s->env;
	s->json = cfg->json;
	err = bpfrt_prog__test_run(bpfrt_program__prog(p), &t);
	cli_session_drain(s);
	if (err) {
		const char *msg = t.fault.msg[0] ? t.fault.msg : strerror(-err);

		if (cfg->json)
			json_error(cfg, "run", msg);
		cli_err("%s: program '%s': %s%s", s->file, cfg->prog, t.fault.msg[0] ? "fault: " : "",
			msg);
		rc = CLI_FAIL;
		goto out;
	}
	if (cfg->json) {
		json_head(cfg);
		printf(", \"retval\": %u, \"retval_hex\": \"0x%x\", \"duration_ns\": %" PRIu64,
		       t.retval, t.retval, t.duration_ns);
		if (engine_is_checked(cfg->engine))
			printf(", \"insns\": %" PRIu64, t.insn_executed);
		if (data_len || t.data_size_out)
			print_hex_field("data_out", data_out, t.data_size_out, true);
		if (ctx_len)
			print_hex_field("ctx_out", ctx_out, t.ctx_size_out, true);
		if (t.redirect_ifindex || t.redirect_flags)
			printf(", \"redirect_ifindex\": %u, \"redirect_flags\": %" PRIu64,
			       t.redirect_ifindex, t.redirect_flags);
		if (cfg->dump_maps) {
			printf(", \"maps\": ");
			cli_session_dump_maps(s, true);
		}
		printf("}\n");
	} else {
		printf("retval: 0x%x (%u", t.retval, t.retval);
		if ((int32_t)t.retval < 0)
			printf(", %d", (int32_t)t.retval);
		printf(")\n");
		if (data_len || t.data_size_out)
			print_hex_field("data_out", data_out, t.data_size_out, false);
		if (ctx_len)
			print_hex_field("ctx_out", ctx_out, t.ctx_size_out, false);
		if (t.redirect_ifindex || t.redirect_flags)
			printf("redirect: ifindex %u flags 0x%" PRIx64 "\n", t.redirect_ifindex,
			       t.redirect_flags);
		if (cfg->repeat_given)
			printf("time: %" PRIu64 " ns/run (mean of %" PRIu64 " run%s, %s)\n",
			       t.duration_ns, cfg->repeat, cfg->repeat == 1 ? "" : "s",
			       bpfrt_engine_name(cfg->engine));
		if (cfg->dump_maps)
			cli_session_dump_maps(s, false);
	}
out:
	fflush(stdout);
	free(ctx);
	free(data_out);
	free(ctx_out);
	return rc;
}

/* `bpfrt run FILE.o`: a session for this one run. */
static int run_object(struct run_cfg *cfg, const uint8_t *file, size_t file_len, const uint8_t *data,
		      size_t data_len, const char **stage)
{
	struct cli_session s;
	int rc;

	*stage = "input";
	rc = cli_session_open(&s, cfg->file, file, file_len, &cfg->obj);
	if (!rc)
		rc = pick_program(cfg, s.obj);
	if (!rc) {
		*stage = "load";
		rc = cli_session_load(&s, cfg->prog, false);
	}
	if (!rc && cfg->map_init) {
		*stage = "input";
		rc = cli_session_map_init(&s, cfg->map_init);
	}
	if (!rc) {
		*stage = "run";
		rc = session_test_run(cfg, &s, data, data_len);
	}
	cli_session_close(&s);
	return rc;
}

int cli_session_run(struct cli_session *s, int argc, char **argv)
{
	struct run_cfg cfg = { .engine = CLI_DEFAULT_ENGINE, .repeat = 1, .fmt = CLI_FORMAT_AUTO };
	uint8_t *data = NULL;
	size_t len = 0;
	int rc;

	cfg.file = s->file;
	rc = parse_args(&cfg, argc, argv, true);
	if (rc)
		return rc < 0 ? CLI_OK : rc;
	if (cfg.map_init || cfg.obj.btf_path || cfg.obj.kconfig_path)
		return cli_usage_err("--map-init, --btf and --kconfig are options of the session, not of run");
	if (!cfg.prog) {
		const struct bpfrt_program *p = NULL, *only = NULL;
		size_t n = 0;

		while ((p = bpfrt_object__next_program(s->obj, p)))
			if (bpfrt_program__prog(p))
				n++, only = p;
		if (n != 1)
			return cli_usage_err("%zu programs are loaded: choose one with --prog", n);
		cfg.prog = bpfrt_program__name(only);
	}
	if (cfg.mem_hex)
		rc = cli_parse_hex(cfg.hex_opt, cfg.mem_hex, strlen(cfg.mem_hex), &data, &len)
			     ? CLI_USAGE : CLI_OK;
	else if (cfg.mem_path)
		rc = cli_read_file(cfg.mem_path, &data, &len) ? CLI_FAIL : CLI_OK;
	if (!rc)
		rc = session_test_run(&cfg, s, data, len);
	free(data);
	return rc;
}

/* ---- run -------------------------------------------------------------- */

int cmd_run(int argc, char **argv)
{
	struct run_cfg cfg = { .engine = CLI_DEFAULT_ENGINE, .repeat = 1, .fmt = CLI_FORMAT_AUTO };
	static uint8_t no_mem[1]; /* r1 for a run without memory: valid, 0 bytes long */
	struct bpfrt_insn *insns = NULL;
	struct bpfrt_load_opts lopts;
	struct bpfrt_prog *prog = NULL;
	struct bpfrt_vm *vm = NULL;
	uint8_t *mem = NULL, *data = NULL;
	size_t cnt, len, mem_len = 0;
	const char *stage = "input";
	char log[512] = "";
	bool is_obj;
	int rc;

	rc = parse_args(&cfg, argc, argv, false);
	if (rc)
		return rc < 0 ? CLI_OK : rc;

	if (cfg.mem_hex &&
	    cli_parse_hex(cfg.hex_opt, cfg.mem_hex, strlen(cfg.mem_hex), &mem, &mem_len))
		return CLI_USAGE;
	if ((cfg.mem_path && cli_read_file(cfg.mem_path, &mem, &mem_len)) ||
	    cli_read_file(cfg.file, &data, &len)) {
		rc = CLI_FAIL;
		goto input_err;
	}
	is_obj = cfg.fmt == CLI_FORMAT_AUTO && cli_is_elf(data, len);
	if (!is_obj && cfg.obj_only) {
		rc = cli_usage_err("--%s: only for ELF objects, and %s is not one", cfg.obj_only,
				   cli_path_name(cfg.file));
		goto out;
	}
	if (is_obj) {
		rc = run_object(&cfg, data, len, mem, mem_len, &stage);
		if (rc && cfg.json && !strcmp(stage, "run"))
			goto out; /* the JSON error is out already */
		goto input_err;
	}
	vm = cli_vm_new();
	if (!vm) {
		rc = CLI_FAIL;
		goto out;
	}
	if (cli_parse_insns(cfg.file, data, len, cfg.fmt, &insns, &cnt, NULL)) {
		rc = CLI_FAIL;
		goto input_err;
	}

	memset(&lopts, 0, sizeof(lopts));
	lopts.sz = sizeof(lopts);
	lopts.log_buf = log;
	lopts.log_size = sizeof(log);
	prog = bpfrt_prog__load(vm, insns, cnt, &lopts);
	if (!prog) {
		const char *why = log[0] ? log : strerror(errno);

		if (cfg.json)
			json_error(&cfg, "load", why);
		cli_err("%s: %s", cli_path_name(cfg.file), why);
		rc = CLI_FAIL;
		goto out;
	}

	rc = run_prog(&cfg, prog, mem_len ? mem : no_mem, mem_len, NULL, 0);
	goto out;
input_err:
	if (cfg.json && rc == CLI_FAIL)
		json_error(&cfg, stage, cli_last_error());
out:
	if (prog)
		bpfrt_prog__free(prog);
	if (vm)
		bpfrt_vm__free(vm);
	free(insns);
	free(data);
	free(mem);
	return rc;
}
