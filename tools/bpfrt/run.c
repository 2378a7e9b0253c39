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
#include "util.h"

#define RUN_MAX_REPEAT 100000000ULL

enum { RUN_OPT_MEM, RUN_OPT_MEM_HEX, RUN_OPT_ENGINE, RUN_OPT_REPEAT, RUN_OPT_BUDGET,
       RUN_OPT_JSON, RUN_OPT_FORMAT, RUN_OPT_PROG, RUN_OPT_BTF, RUN_OPT_KCONFIG };

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
	const char *obj_only;     /* an object-only option that was given, or NULL */
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
		if (opt >= RUN_OPT_PROG)
			cfg->obj_only = run_opts[opt].name;
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

/*
 * A program of an object runs as bytecode does (r1 = memory, r2 = its
 * length; program-type contexts come with a later issue), plus its global
 * data: each internal map (.data, .rodata, .bss, .kconfig, custom sections)
 * gets a buffer of value_size bytes holding its initial value, and a
 * relocated `LDDW rN, map_idx_value(IDX, OFF)` loads the buffer's address
 * plus OFF. Checked engines may access each buffer as a region named after
 * its map, read-only for .rodata and .kconfig. Anything else the program
 * needs from the kernel (other maps, helpers, kfuncs, kernel symbols) is
 * refused before loading, with a message naming it.
 */
struct run_obj {
	struct bpfrt_object *obj;
	const struct bpfrt_program *prog;
	uint8_t **data;               /* by map index: global-data buffers, or NULL */
	size_t map_cnt;
	struct bpfrt_region *regions; /* one per buffer */
	size_t region_cnt;
};

/* libbpf's markers for what could not be resolved: the vm faults if reached. */
static bool is_poison(const struct bpfrt_insn *in)
{
	uint32_t id = (uint32_t)in->imm;

	return id == BPFRT_POISON_HELPER_ID ||
	       (id >= BPFRT_KFUNC_POISON_BASE && id - BPFRT_KFUNC_POISON_BASE <= BPFRT_KFUNC_POISON_MAX);
}

/* For messages: "'counters' (hash)". */
static void map_desc(const struct bpfrt_map *map, int idx, char *buf, size_t size)
{
	const char *type;

	if (!map) {
		snprintf(buf, size, "#%d (no such map)", idx);
		return;
	}
	type = bpfrt_map_type_name(bpfrt_map__type(map));
	snprintf(buf, size, "'%s' (%s)", bpfrt_map__name(map), type ? type : "unknown type");
}

/*
 * What the CLI cannot give instruction `pc` of the program, in `why`
 * ("uses map 'counters' (hash): ..."), or "" if nothing.
 */
static void insn_unsupported(const struct run_obj *ro, const struct bpfrt_vm *vm,
			     const struct bpfrt_insn *in, size_t pc, char *why, size_t size)
{
	const struct bpfrt_map *map;
	const char *name;
	char desc[128];

	why[0] = '\0';
	if (in->code == (BPFRT_LD | BPFRT_IMM | BPFRT_DW)) {
		switch (in->src_reg) {
		case 0:
			return;
		case BPFRT_PSEUDO_MAP_IDX:
		case BPFRT_PSEUDO_MAP_IDX_VALUE:
			map = bpfrt_object__map_by_index(ro->obj, (unsigned int)in->imm);
			if (map && bpfrt_map__is_internal(map) &&
			    in->src_reg == BPFRT_PSEUDO_MAP_IDX_VALUE)
				return;
			map_desc(map, in->imm, desc, sizeof(desc));
			snprintf(why, size, "uses map %s: maps are not supported by the runtime yet",
				 desc);
			return;
		case BPFRT_PSEUDO_FUNC:
			name = bpfrt_program__func_name(ro->prog, pc + (size_t)(int64_t)in->imm + 1);
			snprintf(why, size, "takes the address of function '%s' (a callback): "
				 "callbacks are not supported by the runtime yet", name ? name : "?");
			return;
		case BPFRT_PSEUDO_BTF_ID:
			snprintf(why, size, "uses a kernel symbol (BTF id %d): not available outside "
				 "the kernel", in->imm);
			return;
		default:
			snprintf(why, size, "pc %zu: LDDW with pseudo source %u, which objects do not "
				 "use", pc, in->src_reg);
			return;
		}
	}
	if (in->code != (BPFRT_JMP | BPFRT_CALL))
		return;
	if (in->src_reg == BPFRT_PSEUDO_KFUNC_CALL) {
		snprintf(why, size, "calls a kernel function (kfunc, BTF id %d): not available "
			 "outside the kernel", in->imm);
	} else if (in->src_reg == BPFRT_PSEUDO_CALL_HELPER && !is_poison(in) &&
		   (in->imm < 0 || !bpfrt_vm__helper_name(vm, (uint32_t)in->imm))) {
		name = cli_kernel_helper_name(in->imm);
		snprintf(why, size, "calls helper %s%s%d%s, which the CLI does not provide yet",
			 name ? name : "", name ? " (" : "", in->imm, name ? ")" : "");
	}
}

/* The address of global data for a relocated LDDW map_idx_value. */
static int resolve_global(void *ctx, size_t pc, const struct bpfrt_insn *insn, uint64_t *value)
{
	const struct run_obj *ro = ctx;
	const struct bpfrt_map *map;
	uint32_t off = (uint32_t)insn[1].imm;

	(void)pc;
	if (insn->src_reg != BPFRT_PSEUDO_MAP_IDX_VALUE || insn->imm < 0 ||
	    (size_t)insn->imm >= ro->map_cnt || !ro->data[insn->imm])
		return -EOPNOTSUPP; /* insn_unsupported() let none of these through */
	map = bpfrt_object__map_by_index(ro->obj, (unsigned int)insn->imm);
	if (off > bpfrt_map__value_size(map))
		return -ERANGE;
	*value = (uint64_t)(uintptr_t)(ro->data[insn->imm] + off);
	return 0;
}

static void run_obj_free(struct run_obj *ro)
{
	for (size_t i = 0; i < ro->map_cnt; i++)
		free(ro->data[i]);
	free(ro->data);
	free(ro->regions);
	if (ro->obj)
		bpfrt_object__close(ro->obj);
}

/* Give each global-data map its buffer (and region). 0 or -errno after printing why. */
static int setup_globals(struct run_obj *ro, const char *name)
{
	const struct bpfrt_map *m = NULL;

	while ((m = bpfrt_object__next_map(ro->obj, m)))
		if (bpfrt_map__index(m) >= 0 && (size_t)bpfrt_map__index(m) >= ro->map_cnt)
			ro->map_cnt = (size_t)bpfrt_map__index(m) + 1;
	ro->data = calloc(ro->map_cnt ? ro->map_cnt : 1, sizeof(*ro->data));
	ro->regions = calloc(ro->map_cnt ? ro->map_cnt : 1, sizeof(*ro->regions));
	if (!ro->data || !ro->regions)
		goto nomem;
	while ((m = bpfrt_object__next_map(ro->obj, m))) {
		int idx = bpfrt_map__index(m);
		size_t size = bpfrt_map__value_size(m), init_size = 0;
		const void *init;
		uint8_t *buf;

		if (!bpfrt_map__is_internal(m) || idx < 0)
			continue;
		/* One byte at least, so that even an empty section has an address. */
		buf = calloc(1, size ? size : 1);
		if (!buf)
			goto nomem;
		ro->data[idx] = buf;
		init = bpfrt_map__initial_value(m, &init_size);
		if (init)
			memcpy(buf, init, init_size < size ? init_size : size);
		ro->regions[ro->region_cnt++] = (struct bpfrt_region){
			.name = bpfrt_map__name(m),
			.addr = buf,
			.size = size,
			.writable = !bpfrt_map__is_readonly(m),
		};
	}
	return 0;
nomem:
	cli_err("%s: %s", name, strerror(ENOMEM));
	return -ENOMEM;
}

/*
 * Open the object, pick the program, check that the CLI can run it, set up
 * its global data; *insns (to free()) receives a copy of its instructions
 * with poisoned calls redirected. Returns CLI_OK, or the exit status after
 * printing why with *stage set for --json.
 */
static int prepare_object(struct run_cfg *cfg, struct run_obj *ro, const struct bpfrt_vm *vm,
			  const uint8_t *data, size_t len, struct bpfrt_insn **insns, size_t *cnt,
			  const char **stage)
{
	const char *name = cli_path_name(cfg->file);
	const struct bpfrt_program *p = NULL;
	char names[512], why[256];
	size_t n = 0;

	*stage = "input";
	ro->obj = cli_object_open(cfg->file, data, len, &cfg->obj);
	if (!ro->obj)
		return CLI_FAIL;
	cli_object_prog_names(ro->obj, names, sizeof(names));
	if (cfg->prog) {
		ro->prog = bpfrt_object__find_program_by_name(ro->obj, cfg->prog);
		if (!ro->prog) {
			cli_err("%s: no program '%s' (programs: %s)", name, cfg->prog,
				names[0] ? names : "none");
			return CLI_FAIL;
		}
	} else {
		while ((p = bpfrt_object__next_program(ro->obj, p)))
			n++;
		if (n != 1) {
			if (!n) {
				cli_err("%s: the object has no programs", name);
				return CLI_FAIL;
			}
			cli_err("%s: %zu programs, choose one with --prog: %s", name, n, names);
			return CLI_USAGE;
		}
		ro->prog = bpfrt_object__next_program(ro->obj, NULL);
	}
	cfg->prog = bpfrt_program__name(ro->prog);

	*stage = "load";
	if (bpfrt_program__unsupported_reason(ro->prog)) {
		/* "program 'foo' uses kernel function ...": the loader says it best. */
		cli_err("%s: %s", name, bpfrt_program__unsupported_reason(ro->prog));
		return CLI_FAIL;
	}
	*cnt = bpfrt_program__insn_cnt(ro->prog);
	if (!*cnt) {
		cli_err("%s: program '%s' has no instructions", name, cfg->prog);
		return CLI_FAIL;
	}
	*insns = malloc(*cnt * sizeof(**insns));
	if (!*insns) {
		cli_err("%s: %s", name, strerror(ENOMEM));
		return CLI_FAIL;
	}
	memcpy(*insns, bpfrt_program__insns(ro->prog), *cnt * sizeof(**insns));
	for (size_t pc = 0; pc < *cnt; pc++) {
		struct bpfrt_insn *in = &(*insns)[pc];

		insn_unsupported(ro, vm, in, pc, why, sizeof(why));
		if (why[0]) {
			cli_err("%s: program '%s' %s", name, cfg->prog, why);
			return CLI_FAIL;
		}
		if (in->code == (BPFRT_LD | BPFRT_IMM | BPFRT_DW))
			pc++; /* the second slot is no instruction */
	}
	return setup_globals(ro, name) ? CLI_FAIL : CLI_OK;
}

/* The vm of objects: no helper of the conformance suite (its id 5 is not the kernel's). */
static struct bpfrt_vm *object_vm_new(void)
{
	struct bpfrt_vm *vm = bpfrt_vm__new();

	if (!vm)
		cli_err("cannot create a vm: %s", strerror(errno));
	return vm;
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
	struct run_obj ro = { 0 };
	uint8_t *mem = NULL, *data = NULL;
	size_t cnt, len, mem_len = 0;
	const char *stage = "input";
	char log[512] = "";
	bool is_obj;
	int rc;

	rc = parse_args(&cfg, argc, argv);
	if (rc)
		return rc < 0 ? CLI_OK : rc;

	if (cfg.mem_hex &&
	    cli_parse_hex("--mem-hex", cfg.mem_hex, strlen(cfg.mem_hex), &mem, &mem_len))
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
	vm = is_obj ? object_vm_new() : cli_vm_new();
	if (!vm) {
		rc = CLI_FAIL;
		goto out;
	}
	if (is_obj) {
		rc = prepare_object(&cfg, &ro, vm, data, len, &insns, &cnt, &stage);
		if (rc)
			goto input_err;
	} else if (cli_parse_insns(cfg.file, data, len, cfg.fmt, &insns, &cnt, NULL)) {
		rc = CLI_FAIL;
		goto input_err;
	}

	memset(&lopts, 0, sizeof(lopts));
	lopts.sz = sizeof(lopts);
	lopts.log_buf = log;
	lopts.log_size = sizeof(log);
	if (is_obj) {
		lopts.resolve_ld_imm64 = resolve_global;
		lopts.resolve_ctx = &ro;
	}
	prog = bpfrt_prog__load(vm, insns, cnt, &lopts);
	if (!prog) {
		const char *why = log[0] ? log : strerror(errno);

		if (cfg.json)
			json_error(&cfg, "load", why);
		if (is_obj)
			cli_err("%s: program '%s': %s", cli_path_name(cfg.file), cfg.prog, why);
		else
			cli_err("%s: %s", cli_path_name(cfg.file), why);
		rc = CLI_FAIL;
		goto out;
	}

	rc = run_prog(&cfg, prog, mem_len ? mem : no_mem, mem_len, ro.regions, ro.region_cnt);
	goto out;
input_err:
	if (cfg.json && rc == CLI_FAIL)
		json_error(&cfg, stage, cli_last_error());
out:
	if (prog)
		bpfrt_prog__free(prog);
	if (vm)
		bpfrt_vm__free(vm);
	run_obj_free(&ro);
	free(insns);
	free(data);
	free(mem);
	return rc;
}
