/* SPDX-License-Identifier: MIT */
/*
 * bpfrt - the command line of the bpfrt eBPF runtime.
 *
 * The one table of commands below drives dispatch, `bpfrt --help` and
 * `bpfrt help CMD`. In usage texts the @NAME@ marks (see print_usage) are
 * replaced by lists generated from their own single tables, so no list is
 * spelled out twice.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "util.h"

struct cli_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
	const char *usage;
};

static const struct cli_cmd cmds[] = {
	{ "asm", cmd_asm, "assemble text into raw bytecode",
	  "usage: bpfrt asm FILE [-o OUT] [--hex]\n"
	  "\n"
	  "Assemble FILE (`-` = standard input) into raw bytecode: 8-byte little-endian\n"
	  "instructions. LLVM syntax (`r0 = 1`) and uBPF syntax (`mov r0, 1`) may be\n"
	  "mixed line by line; see include/bpfrt/asm.h.\n"
	  "\n"
	  "  -o, --output OUT  write to OUT (`-` = standard output). Without -o the\n"
	  "                    bytecode goes to standard output, but never to a terminal\n"
	  "      --hex         write hex text instead (\"b7 00 00 00 01 00 00 00\", one\n"
	  "                    instruction per line), as the conformance suite reads it\n"
	  "  -h, --help        show this help\n"
	  "\n"
	  "Exit status: 0; 1 if FILE cannot be read or assembled; 2 on usage errors.\n" },

	{ "disasm", cmd_disasm, "disassemble a program or the programs of an object",
	  "usage: bpfrt disasm FILE [--syntax llvm|ubpf] [--bytes] [--json] [--format F]\n"
	  "       bpfrt disasm FILE.o [--prog NAME] [--no-source | --linum] [--syntax S]\n"
	  "                    [--bytes] [--json] [--btf PATH] [--kconfig FILE]\n"
	  "\n"
	  "Print FILE (`-` = standard input) one instruction per line, `  pc: text`, as\n"
	  "llvm-objdump does. An LDDW takes two slots, so the pc after it skips one.\n"
	  "\n"
	  "  --syntax S   llvm (`r0 = 1`, default) or ubpf (`mov r0, 1`)\n"
	  "  --bytes      also print each instruction's bytes\n"
	  "  --json       print one JSON object: {\"insns\": [{\"pc\", \"bytes\", \"text\",\n"
	  "               \"valid\"}...], \"count\", \"invalid\", \"syntax\"}\n"
	  "  --format F   how FILE is written:\n"
	  "@FORMATS@\n"
	  "  -h, --help   show this help\n"
	  "\n"
	  "Detection (--format auto): a file starting with \"\\x7fELF\" is an ELF object\n"
	  "(below); other data containing a NUL byte, another control character than\n"
	  "whitespace, or bytes that are not UTF-8 is raw bytecode; text made only of\n"
	  "whitespace-separated hex digit pairs is hex; other text is assembler.\n"
	  "\n"
	  "ELF objects (clang -target bpf -g): each program, or the one named, as the\n"
	  "loader relocated it (its subprograms appended), after a header line\n"
	  "`NAME (section SEC, type T, N insns):`. A subprogram's start reads `<name>:`;\n"
	  "with line info (-g) each new source line is printed before its instructions\n"
	  "as `; text`; map and global-data references, calls of helpers and\n"
	  "subprograms carry a comment (`# map 'counters'`, `# .data + 16`,\n"
	  "`# bpf_map_lookup_elem`, `# <subprog>`).\n"
	  "\n"
	  "  --prog NAME    only the program NAME\n"
	  "  --no-source    leave out the source lines\n"
	  "  --linum        add `[file:line:col]` to each source line\n"
	  "  --btf PATH     target BTF for CO-RE relocations (a raw BTF file such as\n"
	  "                 /sys/kernel/btf/vmlinux, or an ELF file); default: bpfrt's own\n"
	  "  --kconfig FILE kernel configuration (CONFIG_X=y lines) for .kconfig externs\n"
	  "  --json         {\"file\", \"syntax\", \"programs\": [{\"name\", \"section\",\n"
	  "                 \"type\", \"count\", \"insns\": [...]}]}; an instruction may\n"
	  "                 add \"func\", \"source\" ({file, line, col, text}), \"comment\"\n"
	  "\n"
	  "Exit status: 0; 1 if FILE cannot be read or opened, if --prog names no\n"
	  "program, or if an instruction is invalid (its description is printed in its\n"
	  "place and every instruction is still printed); 2 on usage errors.\n" },

	{ "run", cmd_run, "run a program on input memory, or test-run a program of an object",
	  "usage: bpfrt run FILE [--mem FILE | --mem-hex HEX] [--engine E] [--repeat N]\n"
	  "                 [--budget N] [--json] [--format F]\n"
	  "       bpfrt run FILE.o [--prog NAME] [--data FILE | --data-hex HEX]\n"
	  "                 [--ctx FILE | --ctx-hex HEX] [--map-init FILE.json] [--dump-maps]\n"
	  "                 [--cpu N] [--btf PATH] [--kconfig FILE] [options]\n"
	  "\n"
	  "Load FILE (raw bytecode, assembler text, hex or an ELF object; see `bpfrt help\n"
	  "disasm`) and run it. Bytecode: at entry r1 points to the input memory and r2 holds\n"
	  "its length; with no memory given r1 points to an empty buffer and r2 is 0. Prints\n"
	  "`retval: 0x... (decimal)` (the signed value too when it is negative).\n"
	  "\n"
	  "  --mem FILE     input memory: the bytes of FILE (`-` = standard input)\n"
	  "  --mem-hex HEX  input memory as hex, e.g. \"45 00 00 14\"\n"
	  "  --engine E     @ENGINES@ (default: @DEFAULT_ENGINE@).\n"
	  "                 The checked engines check every memory access and every helper\n"
	  "                 argument, so they are safe for untrusted programs; the interp\n"
	  "                 engines trust the program (a stray access is undefined\n"
	  "                 behaviour, as in C)\n"
	  "  --repeat N     run N times (1..100000000) and print the mean time per run,\n"
	  "                 measured around the whole loop. As with the kernel's\n"
	  "                 BPF_PROG_TEST_RUN, the memory is copied in once: each run\n"
	  "                 sees the memory as the previous run left it, and the result\n"
	  "                 shown is the last run's\n"
	  "  --budget N     checked engines: fault after N instructions (per run)\n"
	  "  --json         print one JSON object instead: retval (unsigned number),\n"
	  "                 retval_hex, duration_ns (mean per run), repeat, engine, file,\n"
	  "                 insns (instructions per run, checked engines); objects also\n"
	  "                 data_out, ctx_out (hex), maps (--dump-maps); events and trace\n"
	  "                 lines come first, one JSON object per line; on failure error\n"
	  "                 (message) and stage (input, load or run)\n"
	  "  --format F     how FILE is written: @FORMATNAMES@ (default: auto)\n"
	  "  -h, --help     show this help\n"
	  "\n"
	  "Helpers raw bytecode may call:\n"
	  "@HELPERS@\n"
	  "\n"
	  "ELF objects: the object is loaded (its maps become live, global data holds its\n"
	  "initial values, .rodata is frozen) and one program is test-run as the kernel's\n"
	  "BPF_PROG_TEST_RUN would for its type: XDP gets an xdp_md over the data (with\n"
	  "256 bytes of headroom; at least an Ethernet header), socket filters and tc\n"
	  "programs an __sk_buff over the data as an Ethernet frame (a socket filter's\n"
	  "starts at the IP header), programs of sections without a type (\"memory\")\n"
	  "r1 = the data and r2 = its length; kprobes a pt_regs, tracepoints the record,\n"
	  "raw tracepoints their u64 arguments, perf events a bpf_perf_event_data, all\n"
	  "from --ctx and without data. The kernel's helpers are available as the program\n"
	  "type allows. Prints retval (32 bits, as the kernel reports it), data_out (the\n"
	  "data after the run, after head/tail adjustments), ctx_out (xdp and skb types,\n"
	  "given --ctx), the redirect a program asked for; ring buffer and perf buffer\n"
	  "events (`event: ringbuf 'MAP' (N bytes): ..`) and trace_printk lines\n"
	  "(`trace: ...`) as they arrive. Global data and maps carry over from one run of\n"
	  "--repeat to the next, as the data does.\n"
	  "\n"
	  "  --prog NAME    the program to run; may be left out if the object has one\n"
	  "  --data FILE    the packet or input data (--mem also works); --data-hex HEX\n"
	  "  --ctx FILE     the context (e.g. a struct xdp_md or __sk_buff); --ctx-hex HEX\n"
	  "  --map-init F   fill maps first from JSON: {\"MAP\": [{\"key\": K, \"value\":\n"
	  "                 V}, ...]} with K, V a number (little-endian), a hex string or an\n"
	  "                 array of bytes (per-CPU maps: V for every CPU)\n"
	  "  --dump-maps    print every map's elements after the run\n"
	  "  --cpu N        the worker the run is on (per-CPU maps, smp_processor_id; not\n"
	  "                 for skb types, as in the kernel)\n"
	  "  --btf PATH     target BTF for CO-RE relocations (see `bpfrt help disasm`)\n"
	  "  --kconfig FILE kernel configuration for .kconfig externs\n"
	  "\n"
	  "Exit status: 0; 1 if an input cannot be read, the program is rejected, the\n"
	  "test run refuses its input (e.g. XDP data shorter than 14 bytes) or a run\n"
	  "faults (the fault, with pc, address, size and region, goes to stderr); 2 on\n"
	  "usage errors (also: an object of several programs without --prog, an input\n"
	  "or option the program's type does not take).\n" },

	{ "prog", cmd_prog, "list the programs of an ELF object",
	  "usage: bpfrt prog list FILE [--json] [--btf PATH] [--kconfig FILE]\n"
	  "\n"
	  "Open FILE (`-` = standard input), an ELF object built by `clang -target bpf`,\n"
	  "as libbpf would, and print one line per program: its name, section, program\n"
	  "type, number of instructions after relocation (subprograms appended) and\n"
	  "attach target (the part of the section name after the prefix, e.g. the\n"
	  "function of kprobe/FUNC; `-` if none), and notes: autoload off (SEC(\"?...\")),\n"
	  "sleepable, xdp frags, not runnable (by bpfrt: it needs kfuncs or kernel\n"
	  "symbols).\n"
	  "\n"
	  "  --json         print a JSON array instead, one object per program: name,\n"
	  "                 section, type, insns, attach_target (or null),\n"
	  "                 expected_attach_type (the kernel's enum value, or null),\n"
	  "                 autoload, flags (BPF_F_SLEEPABLE, BPF_F_XDP_HAS_FRAGS),\n"
	  "                 unsupported (why bpfrt cannot run it, or null)\n"
	  "  --btf PATH     target BTF for CO-RE relocations (a raw BTF file such as\n"
	  "                 /sys/kernel/btf/vmlinux, or an ELF file); default: bpfrt's own\n"
	  "  --kconfig FILE kernel configuration (CONFIG_X=y lines) for .kconfig externs\n"
	  "  -h, --help     show this help\n"
	  "\n"
	  "Exit status: 0; 1 if FILE cannot be read or the loader rejects it (the message\n"
	  "names the section, symbol or offset at fault); 2 on usage errors.\n" },

	{ "map", cmd_map, "list the maps of an ELF object; read and change their elements",
	  "usage: bpfrt map list FILE [--json] [--btf PATH] [--kconfig FILE]\n"
	  "       bpfrt map dump FILE.o [MAP] [--map-init F] [--json]\n"
	  "       bpfrt map lookup FILE.o MAP KEY [--map-init F] [--json]\n"
	  "       bpfrt map update FILE.o MAP KEY VALUE [--flags any|noexist|exist] [--map-init F]\n"
	  "       bpfrt map delete FILE.o MAP KEY [--map-init F]\n"
	  "\n"
	  "list: open FILE (`-` = standard input), an ELF object, and print one line per map\n"
	  "in libbpf's order: the index relocated instructions use (map_idx), name,\n"
	  "type, key size, value size, max entries, flags, and notes: internal (global\n"
	  "data: .data, .rodata, .bss, .kconfig, custom sections), read-only, the size\n"
	  "of its initial value, pinning, NUMA node, the inner map of a map-in-map, the\n"
	  "number of slots a `values` initialiser fills.\n"
	  "\n"
	  "dump, lookup, update, delete: load the object (its maps become live, global\n"
	  "data holds its initial values), fill maps from --map-init (see `bpfrt help\n"
	  "run`), then act on map MAP (dump: every map without MAP) and print the result\n"
	  "(`key: 01 00 00 00  value: ...`; per-CPU maps one value per CPU). KEY and VALUE\n"
	  "are a decimal number (stored little-endian in the key or value size) or hex\n"
	  "bytes (\"0a 00 00 00\" or 0x0a000000). Each command loads the object afresh: to\n"
	  "act on maps between runs, use `bpfrt shell`.\n"
	  "\n"
	  "  --json         print JSON instead (list: an array, one object per map: index,\n"
	  "                 name, type, key_size, value_size, max_entries, flags, numa_node,\n"
	  "                 pinning, internal, readonly, initial_value_size,\n"
	  "                 btf_key_type_id, btf_value_type_id, inner_map, init_slots;\n"
	  "                 dump: {name, type, elements: [{key, value}]} as bpftool's hex\n"
	  "                 byte strings)\n"
	  "  --flags F      update: any (default), noexist, exist\n"
	  "  --btf PATH     target BTF for CO-RE relocations\n"
	  "  --kconfig FILE kernel configuration for .kconfig externs\n"
	  "  -h, --help     show this help\n"
	  "\n"
	  "Exit status: 0; 1 if FILE cannot be read or loaded, there is no such map or\n"
	  "key, or the map refuses the operation (the kernel's error); 2 on usage errors.\n" },

	{ "shell", cmd_shell, "load an object and run commands on it, line by line",
	  "usage: bpfrt shell FILE.o [--prog NAME] [--map-init F] [--script FILE]\n"
	  "                   [--btf PATH] [--kconfig FILE]\n"
	  "\n"
	  "Load FILE.o (every program bpfrt can run, or --prog only), fill its maps from\n"
	  "--map-init (see `bpfrt help run`), and read commands from standard input (or\n"
	  "--script FILE), one per line, all on the same live maps and global data:\n"
	  "\n"
	  "  run [--prog NAME] [--data F | --data-hex HEX] [--ctx F | --ctx-hex HEX]\n"
	  "      [--repeat N] [--engine E] [--cpu N] [--json] [--dump-maps]\n"
	  "                 test-run a program, as `bpfrt run FILE.o`\n"
	  "  map dump [MAP] | map lookup MAP KEY | map update MAP KEY VALUE [--flags F]\n"
	  "      | map delete MAP KEY    [--json]   as `bpfrt map`\n"
	  "  help, quit     (# starts a comment; \"double quotes\" group words)\n"
	  "\n"
	  "A failing command prints why (`bpfrt shell: line N: ...`) and the shell goes\n"
	  "on.\n"
	  "\n"
	  "Exit status: 0; 1 if the object cannot be loaded or any command failed; 2 on\n"
	  "usage errors.\n" },

	{ "btf", cmd_btf, "dump the BTF of an object or a BTF file",
	  "usage: bpfrt btf dump FILE [--format raw|c]\n"
	  "\n"
	  "Print the types of FILE: an ELF object (its .BTF section) or a raw BTF file\n"
	  "such as /sys/kernel/btf/vmlinux (`-` = standard input, raw BTF only).\n"
	  "\n"
	  "  --format raw   one line per type as `bpftool btf dump ... format raw` prints\n"
	  "                 it (`[1] INT 'int' size=4 bits_offset=0 nr_bits=32\n"
	  "                 encoding=SIGNED`), then one indented line per member,\n"
	  "                 enumerator, parameter or variable (default)\n"
	  "  --format c     C declarations, in an order that compiles (as vmlinux.h)\n"
	  "  -h, --help     show this help\n"
	  "\n"
	  "Exit status: 0; 1 if FILE cannot be read or its BTF is invalid; 2 on usage\n"
	  "errors.\n" },

	{ "conformance-plugin", cmd_conformance_plugin, "be a bpf_conformance plugin",
	  "usage: bpfrt conformance-plugin [MEMHEX] [--engine E] [--debug]\n"
	  "\n"
	  "The plugin protocol of the bpf_conformance suite. MEMHEX, one argument of hex\n"
	  "bytes (\"00 11 22\"; absent or empty when the test has no memory), is the input\n"
	  "memory; the program comes on standard input as hex text of the same form.\n"
	  "The program runs with r1 = memory, r2 = its length, a 512-byte stack, and the\n"
	  "helpers below (`callx rN` calls the helper whose id rN holds). Prints r0 as\n"
	  "bare lower-case hex (as uBPF's plugin does) and exits 0; or prints the error\n"
	  "on stderr and exits 1 (program rejected, fault) or 2 (bad arguments).\n"
	  "Options may also come together in one argument (\"--engine interp\").\n"
	  "\n"
	  "  --engine E   @ENGINES@ (default: @DEFAULT_ENGINE@)\n"
	  "  --debug      describe the test on stderr: memory, program, result\n"
	  "  -h, --help   show this help\n"
	  "\n"
	  "Helpers:\n"
	  "@HELPERS@\n"
	  "\n"
	  "The runner passes MEMHEX right after the plugin's path, so start bpfrt through\n"
	  "a link named bpfrt-conformance-plugin, which acts as `bpfrt conformance-plugin`:\n"
	  "  ln -s bpfrt build/bpfrt-conformance-plugin\n"
	  "  bpf_conformance_runner --test_file_directory tests \\\n"
	  "      --plugin_path build/bpfrt-conformance-plugin --plugin_options \"--engine interp\"\n" },

	{ "version", cmd_version, "print the version and the engines built in",
	  "usage: bpfrt version\n"
	  "\n"
	  "Print the version of bpfrt and the engines built in. Same as `bpfrt --version`.\n" },

	{ "help", cmd_help, "show help on a command",
	  "usage: bpfrt help [COMMAND]\n"
	  "\n"
	  "Show the help of COMMAND, or the list of commands. Same as\n"
	  "`bpfrt COMMAND --help`.\n" },
};

#define CMD_COUNT (sizeof(cmds) / sizeof(cmds[0]))

static const struct cli_cmd *find_cmd(const char *name)
{
	for (size_t i = 0; i < CMD_COUNT; i++)
		if (strcmp(cmds[i].name, name) == 0)
			return &cmds[i];
	return NULL;
}

/* The marks print_usage replaces; the multi-line lists end with a newline. */
enum { MARK_ENGINES, MARK_DEFAULT_ENGINE, MARK_FORMATS, MARK_FORMAT_NAMES, MARK_HELPERS,
       MARK__COUNT };

static const char *const marks[MARK__COUNT] = {
	[MARK_ENGINES] = "@ENGINES@",               /* "interp, checked, ..." */
	[MARK_DEFAULT_ENGINE] = "@DEFAULT_ENGINE@", /* "checked" */
	[MARK_FORMATS] = "@FORMATS@",               /* one line per format */
	[MARK_FORMAT_NAMES] = "@FORMATNAMES@",      /* "auto, raw, asm, hex" */
	[MARK_HELPERS] = "@HELPERS@",               /* one line per helper */
};

static void print_usage(FILE *f, const char *text)
{
	const char *p = text;

	while (*p) {
		const char *at = strchr(p, '@');
		int m;

		if (!at) {
			fputs(p, f);
			break;
		}
		fwrite(p, 1, (size_t)(at - p), f);
		p = at;
		for (m = 0; m < MARK__COUNT; m++)
			if (strncmp(p, marks[m], strlen(marks[m])) == 0)
				break;
		switch (m) {
		case MARK_ENGINES:
			cli_print_engines(f, ", ");
			break;
		case MARK_DEFAULT_ENGINE:
			fputs(bpfrt_engine_name(CLI_DEFAULT_ENGINE), f);
			break;
		case MARK_FORMATS:
			cli_print_formats(f, 17);
			break;
		case MARK_FORMAT_NAMES:
			for (int fmt = 0; fmt < CLI_FORMAT__COUNT; fmt++)
				fprintf(f, "%s%s", fmt ? ", " : "", cli_format_name(fmt));
			break;
		case MARK_HELPERS:
			cli_print_helpers(f, 2);
			break;
		default: /* a plain '@' */
			fputc('@', f);
			p++;
			continue;
		}
		p += strlen(marks[m]);
		if ((m == MARK_FORMATS || m == MARK_HELPERS) && *p == '\n')
			p++;
	}
}

static void print_top_usage(FILE *f)
{
	fputs("usage: bpfrt [-v] COMMAND [ARGS...]\n"
	      "\n"
	      "bpfrt runs eBPF programs outside the kernel.\n"
	      "\n"
	      "Commands:\n",
	      f);
	for (size_t i = 0; i < CMD_COUNT; i++)
		fprintf(f, "  %-20s %s\n", cmds[i].name, cmds[i].summary);
	fputs("\n"
	      "Options:\n"
	      "  -v, --verbose        also show the library's informational messages\n"
	      "  -h, --help           show this help\n"
	      "      --version        print the version\n"
	      "\n"
	      "`bpfrt help COMMAND` or `bpfrt COMMAND --help` shows the help of a command.\n",
	      f);
}

int cli_help(const char *name)
{
	const struct cli_cmd *cmd = find_cmd(name);

	if (cmd)
		print_usage(stdout, cmd->usage);
	else
		print_top_usage(stdout);
	return CLI_OK;
}

int cmd_help(int argc, char **argv)
{
	const struct cli_cmd *cmd;

	if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		if (argc < 2)
			print_top_usage(stdout);
		else
			print_usage(stdout, find_cmd("help")->usage);
		return CLI_OK;
	}
	if (argc > 2)
		return cli_usage_err("unexpected argument '%s'", argv[2]);
	cmd = find_cmd(argv[1]);
	if (!cmd)
		return cli_usage_err("unknown command '%s' (see 'bpfrt --help')", argv[1]);
	print_usage(stdout, cmd->usage);
	return CLI_OK;
}

int cmd_version(int argc, char **argv)
{
	if (argc > 1) {
		if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)
			return cli_help("version");
		return cli_usage_err("unexpected argument '%s'", argv[1]);
	}
	printf("bpfrt %s\n", bpfrt_version());
	printf("engines: ");
	cli_print_engines(stdout, " ");
	printf(" (default: %s)\n", bpfrt_engine_name(CLI_DEFAULT_ENGINE));
	return CLI_OK;
}

/*
 * The library's diagnostics: warnings always, the rest with -v. Each line
 * reaches stderr prefixed with "bpfrt:" (the library's own messages mostly
 * carry it already).
 */
static enum bpfrt_print_level verbosity = BPFRT_WARN;

static int print_cb(enum bpfrt_print_level level, const char *fmt, va_list ap)
{
	char msg[1024];
	size_t len;

	if (level > verbosity)
		return 0;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	len = strlen(msg);
	fflush(stdout);
	return fprintf(stderr, "%s%s%s", strncmp(msg, "bpfrt", 5) == 0 ? "" : "bpfrt: ", msg,
		       len && msg[len - 1] == '\n' ? "" : "\n");
}

/* Run a command; argv[0] is its name (or the link it was called through). */
static int run_cmd(const struct cli_cmd *cmd, int argc, char **argv)
{
	int rc;

	snprintf(cli_prog, sizeof(cli_prog), "bpfrt %s", cmd->name);
	rc = cmd->fn(argc, argv);
	if (fflush(stdout) || ferror(stdout)) {
		cli_err("writing standard output failed");
		return rc ? rc : CLI_FAIL;
	}
	return rc;
}

int main(int argc, char **argv)
{
	const struct cli_cmd *cmd;
	const char *base;
	int i = 1;

	bpfrt_set_print(print_cb);

	/*
	 * Called through a link named bpfrt-COMMAND, act as `bpfrt COMMAND`:
	 * the conformance runner puts its arguments right after the plugin's
	 * path, so bpfrt-conformance-plugin is how it can start the plugin.
	 */
	base = strrchr(argv[0], '/');
	base = base ? base + 1 : argv[0];
	if (strncmp(base, "bpfrt-", 6) == 0 && (cmd = find_cmd(base + 6)))
		return run_cmd(cmd, argc, argv);

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			print_top_usage(stdout);
			return CLI_OK;
		}
		if (strcmp(argv[i], "--version") == 0)
			return cmd_version(1, (char *[]){ "version", NULL });
		if (strcmp(argv[i], "-v") == 0 || strcmp(argv[i], "--verbose") == 0) {
			verbosity = BPFRT_DEBUG;
			continue;
		}
		return cli_usage_err("unknown option '%s' (see 'bpfrt --help')", argv[i]);
	}
	if (i >= argc) {
		print_top_usage(stderr);
		return CLI_USAGE;
	}
	cmd = find_cmd(argv[i]);
	if (!cmd)
		return cli_usage_err("unknown command '%s' (see 'bpfrt --help')", argv[i]);
	return run_cmd(cmd, argc - i, argv + i);
}
