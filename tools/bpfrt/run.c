/* SPDX-License-Identifier: MIT */
/* `bpfrt run`: load a program and run it on input memory, optionally timed. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "util.h"

#define RUN_MAX_REPEAT 100000000ULL

enum { RUN_OPT_MEM, RUN_OPT_MEM_HEX, RUN_OPT_ENGINE, RUN_OPT_REPEAT, RUN_OPT_BUDGET,
       RUN_OPT_JSON, RUN_OPT_FORMAT };

static const struct cli_opt run_opts[] = {
	[RUN_OPT_MEM] = { "mem", 0, true },
	[RUN_OPT_MEM_HEX] = { "mem-hex", 0, true },
	[RUN_OPT_ENGINE] = { "engine", 0, true },
	[RUN_OPT_REPEAT] = { "repeat", 0, true },
	[RUN_OPT_BUDGET] = { "budget", 0, true },
	[RUN_OPT_JSON] = { "json", 0, false },
	[RUN_OPT_FORMAT] = { "format", 0, true },
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
};

static bool engine_is_checked(enum bpfrt_engine e)
{
	return e == BPFRT_ENGINE_CHECKED || e == BPFRT_ENGINE_CHECKED_SWITCH;
}

static int parse_args(struct run_cfg *cfg, int argc, char **argv)
{
	struct cli_args args;
	const char *val;
	bool budget_given = false;
	int opt, f;

	cli_args_init(&args, argc, argv);
	while ((opt = cli_args_next(&args, run_opts, &val)) != CLI_ARG_END) {
		switch (opt) {
		case RUN_OPT_MEM:
			cfg->mem_path = val;
			break;
		case RUN_OPT_MEM_HEX:
			cfg->mem_hex = val;
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
		case CLI_ARG_OPERAND:
			if (cfg->file)
				return cli_usage_err("unexpected argument '%s' (one FILE only)", val);
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
		return cli_usage_err("--mem and --mem-hex cannot be used together");
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

int cmd_run(int argc, char **argv)
{
	struct run_cfg cfg = { .engine = CLI_DEFAULT_ENGINE, .repeat = 1, .fmt = CLI_FORMAT_AUTO };
	static uint8_t no_mem[1]; /* r1 for a run without memory: valid, 0 bytes long */
	struct bpfrt_insn *insns = NULL;
	struct bpfrt_load_opts lopts;
	struct bpfrt_prog *prog = NULL;
	struct bpfrt_vm *vm = NULL;
	uint8_t *mem = NULL;
	size_t cnt, mem_len = 0;
	char log[512] = "";
	int rc;

	rc = parse_args(&cfg, argc, argv);
	if (rc)
		return rc < 0 ? CLI_OK : rc;

	if (cfg.mem_hex &&
	    cli_parse_hex("--mem-hex", cfg.mem_hex, strlen(cfg.mem_hex), &mem, &mem_len))
		return CLI_USAGE;
	if ((cfg.mem_path && cli_read_file(cfg.mem_path, &mem, &mem_len)) ||
	    cli_load_insns(cfg.file, cfg.fmt, &insns, &cnt, NULL)) {
		if (cfg.json)
			json_error(&cfg, "input", cli_last_error());
		rc = CLI_FAIL;
		goto out;
	}

	vm = cli_vm_new();
	if (!vm) {
		rc = CLI_FAIL;
		goto out;
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

	rc = run_prog(&cfg, prog, mem_len ? mem : no_mem, mem_len);
out:
	if (prog)
		bpfrt_prog__free(prog);
	if (vm)
		bpfrt_vm__free(vm);
	free(insns);
	free(mem);
	return rc;
}
