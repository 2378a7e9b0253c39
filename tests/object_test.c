/* SPDX-License-Identifier: MIT */
/*
 * The object loader: BPF C programs compiled here with the installed clang
 * (-mcpu=v3, and v4 with clang-19) are opened and checked through the API
 * (programs, section conventions, maps, relocated instruction shapes, line
 * info), one is run on the interpreter to prove the relocations end to
 * end, malformed objects (truncated, wrong machine, big-endian, bad
 * indexes and offsets) must be rejected with a message naming the thing at
 * fault, and opening a 5,000-instruction object must take under 5 ms.
 *
 * Without clang every check that needs an object reports SKIP.
 */
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bpfrt/bpfrt.h"
#include "bpfrt/object.h"
#include "harness.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Everything the test programs need, without system headers. */
static const char prelude[] =
	"#define SEC(n) __attribute__((section(n), used))\n"
	"#define __uint(name, val) int (*name)[val]\n"
	"#define __type(name, val) typeof(val) *name\n"
	"#define __array(name, val) typeof(val) *name[]\n"
	"#define __noinline __attribute__((noinline))\n"
	"#define __weak __attribute__((weak))\n"
	"#define __kconfig __attribute__((section(\".kconfig\")))\n"
	"#define __ksym __attribute__((section(\".ksyms\")))\n"
	"typedef unsigned int u32;\n"
	"typedef unsigned long long u64;\n"
	"static void *(*bpf_map_lookup_elem)(void *map, const void *key) = (void *)1;\n"
	"static long (*bpf_tail_call)(void *ctx, void *map, u32 idx) = (void *)12;\n"
	"static long (*bpf_loop)(u32 nr, void *fn, void *ctx, u64 flags) = (void *)181;\n"
	"char LICENSE[] SEC(\"license\") = \"Dual MIT/GPL\";\n";

/* Several programs per section, subprograms in .text, global data, callbacks. */
static const char src_multi[] =
	"int arr[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };\n"
	"char msg[] = \"hi\";\n"
	"const volatile int scale = 3;\n"
	"long result;\n"
	"static int counter;\n"
	"static __noinline int add_static(int a, int b) { return a + b; }\n"
	"__noinline int mul_global(int a) { return a * scale; }\n"
	"static long loop_cb(u32 i, void *ctx) { counter += i; return 0; }\n"
	"SEC(\"socket\") int sum_arr(void *ctx)\n"
	"{\n"
	"	int s = 0;\n"
	"	for (int i = 0; i < 8; i++)\n"
	"		s = add_static(s, arr[i]);\n"
	"	result = mul_global(s);\n"
	"	return result;\n"
	"}\n"
	"SEC(\"socket\") int second(void *ctx) { return mul_global(msg[0]); }\n"
	"SEC(\"xdp\") int xdp_loop(void *ctx) { bpf_loop(4, loop_cb, 0, 0); return counter; }\n"
	"SEC(\"?tc\") int optional_tc(void *ctx) { return 7; }\n"
	"SEC(\"kprobe/do_sys_open\") int kp(void *ctx) { return 0; }\n"
	"SEC(\"tp/syscalls/sys_enter_openat\") int tp(void *ctx) { return 0; }\n"
	"SEC(\"fentry/do_unlinkat\") int fent(void *ctx) { return 0; }\n"
	"SEC(\"xdp.frags\") int frags(void *ctx) { return 2; }\n"
	"SEC(\"lsm.s/file_open\") int lsm_open(void *ctx) { return 0; }\n"
	"SEC(\"tcx/ingress\") int tcx_in(void *ctx) { return 0; }\n"
	"SEC(\"cgroup/connect4\") int conn4(void *ctx) { return 1; }\n"
	"SEC(\"uretprobe/lib.so:fn\") int urp(void *ctx) { return 0; }\n"
	"SEC(\"not_a_known_section\") int unknown(void *ctx) { return 0; }\n";

/* BTF-defined maps: map-in-map with initial values, prog array slots, sizes. */
static const char src_maps[] =
	"struct key5 { char c[5]; };\n"
	"struct inner { __uint(type, 2); __uint(max_entries, 4); __type(key, u32); __type(value, u64); };\n"
	"struct inner inner_a SEC(\".maps\"), inner_b SEC(\".maps\");\n"
	"struct { __uint(type, 12); __uint(max_entries, 3); __type(key, u32);\n"
	"	__array(values, struct inner); } outer SEC(\".maps\") = { .values = { [0] = &inner_a, [2] = &inner_b } };\n"
	"SEC(\"tc\") int tail_a(void *ctx) { return 1; }\n"
	"SEC(\"tc\") int tail_b(void *ctx) { return 2; }\n"
	"struct { __uint(type, 3); __uint(max_entries, 4); __uint(key_size, 4);\n"
	"	__array(values, int (void *)); } jumps SEC(\".maps\") = { .values = { [1] = (void *)&tail_a, [3] = (void *)&tail_b } };\n"
	"struct { __uint(type, 1); __uint(max_entries, 128); __type(key, struct key5); __type(value, u64);\n"
	"	__uint(map_flags, 1); __uint(pinning, 1); } h SEC(\".maps\");\n"
	"struct { __uint(type, 27); __uint(max_entries, 5000); } rb SEC(\".maps\");\n"
	"struct { __uint(type, 30); __uint(max_entries, 100); __uint(value_size, 8); __uint(map_extra, 3); } bloom SEC(\".maps\");\n"
	"SEC(\"tc\") int entry(void *ctx)\n"
	"{\n"
	"	u32 k = 0;\n"
	"	bpf_tail_call(ctx, &jumps, 1);\n"
	"	u64 *v = bpf_map_lookup_elem(&h, &k);\n"
	"	void *in = bpf_map_lookup_elem(&outer, &k);\n"
	"	return v ? *v : in != 0;\n"
	"}\n";

/* The `maps` section of struct bpf_map_def records. */
static const char src_legacy[] =
	"struct bpf_map_def { u32 type, key_size, value_size, max_entries, map_flags; };\n"
	"struct bpf_map_def SEC(\"maps\") lcount = { .type = 2, .key_size = 4, .value_size = 8, .max_entries = 16 };\n"
	"struct bpf_map_def SEC(\"maps\") lhash = { .type = 1, .key_size = 8, .value_size = 16, .max_entries = 256, .map_flags = 1 };\n"
	"SEC(\"socket\") int use_legacy(void *ctx)\n"
	"{\n"
	"	u32 k = 0;\n"
	"	long *v = bpf_map_lookup_elem(&lcount, &k);\n"
	"	void *h = bpf_map_lookup_elem(&lhash, &k);\n"
	"	return (v ? *v : 0) + (h != 0);\n"
	"}\n";

static const char src_kconfig[] =
	"enum libbpf_tristate { TRI_NO = 0, TRI_YES = 1, TRI_MODULE = 2 };\n"
	"extern unsigned int LINUX_KERNEL_VERSION __kconfig;\n"
	"extern int CONFIG_HZ __kconfig __weak;\n"
	"extern _Bool CONFIG_BPF_JIT __kconfig;\n"
	"extern enum libbpf_tristate CONFIG_TRI __kconfig __weak;\n"
	"extern char CONFIG_NAME[8] __kconfig __weak;\n"
	"extern int CONFIG_MISSING __kconfig __weak;\n"
	"SEC(\"socket\") int kc(void *ctx)\n"
	"{\n"
	"	return LINUX_KERNEL_VERSION + CONFIG_HZ + CONFIG_BPF_JIT + CONFIG_TRI + CONFIG_NAME[0] +\n"
	"	       CONFIG_MISSING;\n"
	"}\n";

static const char src_kfunc[] =
	"extern void *bpf_obj_new_impl(u64 local_type_id, void *meta) __ksym;\n"
	"extern int bpf_maybe(int x) __ksym __weak;\n"
	"extern const int bpf_prog_active __ksym;\n"
	"SEC(\"tc\") int uses_kfunc(void *ctx) { return bpf_obj_new_impl(1, 0) != 0; }\n"
	"SEC(\"tc\") int uses_weak(void *ctx) { return bpf_maybe ? bpf_maybe(3) : 0; }\n"
	"SEC(\"tc\") int uses_ksym(void *ctx) { return bpf_prog_active; }\n"
	"SEC(\"tc\") int plain(void *ctx) { return 0; }\n";

/* Map definitions that must be rejected, with the message expected. */
static const struct {
	const char *name;
	const char *src;
	const char *msg;
} bad_maps[] = {
	{ "bad_array_key",
	  "struct { __uint(type, 2); __uint(max_entries, 4); __type(key, u64); __type(value, int); } bad SEC(\".maps\");\n",
	  "map 'bad' (array): key size 8, must be 4" },
	{ "bad_prog_array_value",
	  "struct { __uint(type, 3); __uint(max_entries, 4); __type(key, u32); __type(value, u64); } pa SEC(\".maps\");\n",
	  "map 'pa' (prog_array): value size 8, must be 4" },
	{ "bad_hash_value",
	  "struct { __uint(type, 1); __uint(max_entries, 4); __type(key, u32); } hv SEC(\".maps\");\n",
	  "map 'hv' (hash): value size 0" },
	{ "bad_key_conflict",
	  "struct { __uint(type, 1); __uint(max_entries, 4); __uint(key_size, 8); __type(key, int); __type(value, int); } kc SEC(\".maps\");\n",
	  "map 'kc': conflicting key size 8 != 4" },
	{ "bad_unknown_field",
	  "struct { __uint(type, 1); __uint(max_entries, 4); __type(key, int); __type(value, int); __uint(colour, 2); } uf SEC(\".maps\");\n",
	  "map 'uf': unknown field 'colour'" },
	{ "bad_no_type",
	  "struct { __uint(max_entries, 4); __type(key, int); __type(value, int); } nt SEC(\".maps\");\n",
	  "map 'nt': map type isn't specified" },
	{ "bad_max_entries",
	  "struct { __uint(type, 2); __type(key, int); __type(value, int); } me SEC(\".maps\");\n",
	  "map 'me' (array): max_entries 0" },
	{ "bad_unknown_type",
	  "struct { __uint(type, 200); __uint(max_entries, 4); __type(key, int); __type(value, int); } ut SEC(\".maps\");\n",
	  "map 'ut': unknown map type 200" },
};

static char tmpdir[64];

/* ---- helpers ---- */

static int write_file(const char *path, const char *a, const char *b)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	fputs(a, f);
	fputs(b, f);
	return fclose(f);
}

static bool have_cmd(const char *cmd)
{
	char buf[256];

	snprintf(buf, sizeof(buf), "command -v %s >/dev/null 2>&1", cmd);
	return system(buf) == 0;
}

/* Compile prelude + src as NAME.c into out; 0 or -1 (message printed). */
static int compile(const char *cc, const char *cpu, const char *name, const char *src, char *out,
		   size_t out_size)
{
	char c_path[128], cmd[512];

	snprintf(c_path, sizeof(c_path), "%s/%s.c", tmpdir, name);
	snprintf(out, out_size, "%s/%s.%s.o", tmpdir, name, cpu);
	if (write_file(c_path, prelude, src))
		return -1;
	snprintf(cmd, sizeof(cmd), "%s -target bpf -mcpu=%s -g -O2 -c %s -o %s 2>%s/%s.err", cc, cpu,
		 c_path, out, tmpdir, name);
	if (system(cmd) != 0) {
		printf("compile of %s with %s failed:\n", name, cc);
		snprintf(cmd, sizeof(cmd), "head -20 %s/%s.err", tmpdir, name);
		if (system(cmd)) {}
		return -1;
	}
	return 0;
}

static void *read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	void *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc(n > 0 ? (size_t)n : 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*size = (size_t)n;
	return buf;
}

static struct bpfrt_object *open_path(const char *path, const char *kconfig, char *log,
				      size_t log_size)
{
	struct bpfrt_object_open_opts o = {
		.sz = sizeof(o), .log_buf = log, .log_size = log_size, .kconfig = kconfig,
		.kernel_version = 0x050a00,
	};

	return bpfrt_object__open_file(path, &o);
}

/* Offset of global variable `var` in DATASEC `sec` of the object's BTF, or -1. */
static long var_offset(const struct bpfrt_object *obj, const char *sec, const char *var)
{
	const struct bpfrt_btf *btf = bpfrt_object__btf(obj);
	int sid = btf ? bpfrt_btf__find_by_name_kind(btf, sec, BTF_KIND_DATASEC) : -1;
	const struct btf_type *t;
	const struct btf_var_secinfo *vs;

	if (sid <= 0)
		return -1;
	t = bpfrt_btf__type_by_id(btf, (uint32_t)sid);
	vs = (const void *)(t + 1);
	for (uint32_t i = 0; i < BTF_INFO_VLEN(t->info); i++) {
		const struct btf_type *v = bpfrt_btf__type_by_id(btf, vs[i].type);
		const char *name = v ? bpfrt_btf__str(btf, v->name_off) : NULL;

		if (name && strcmp(name, var) == 0)
			return vs[i].offset;
	}
	return -1;
}

/* The first LDDW with this pseudo source and imm, its index or -1. */
static long find_lddw(const struct bpfrt_program *p, int src, int imm, int imm2)
{
	const struct bpfrt_insn *in = bpfrt_program__insns(p);
	size_t n = bpfrt_program__insn_cnt(p);

	for (size_t i = 0; i + 1 < n; i++) {
		if (in[i].code == (BPFRT_LD | BPFRT_IMM | BPFRT_DW) && in[i].src_reg == src &&
		    in[i].imm == imm && (imm2 < 0 || in[i + 1].imm == imm2))
			return (long)i;
	}
	return -1;
}

/* ---- running a relocated program ---- */

struct run_maps {
	const struct bpfrt_object *obj;
	void *vals[16];
	size_t cnt;
};

static int resolve(void *ctx, size_t pc, const struct bpfrt_insn *insn, uint64_t *value)
{
	struct run_maps *rm = ctx;

	(void)pc;
	if (insn->src_reg != BPFRT_PSEUDO_MAP_IDX_VALUE || (unsigned)insn[0].imm >= rm->cnt ||
	    !rm->vals[insn[0].imm])
		return -ENOTSUP;
	*value = (uint64_t)(uintptr_t)rm->vals[insn[0].imm] + (uint32_t)insn[1].imm;
	return 0;
}

static void maps_init(struct run_maps *rm, const struct bpfrt_object *obj)
{
	memset(rm, 0, sizeof(*rm));
	rm->obj = obj;
	for (struct bpfrt_map *m = bpfrt_object__next_map(obj, NULL); m && rm->cnt < 16;
	     m = bpfrt_object__next_map(obj, m)) {
		size_t sz;
		const void *init = bpfrt_map__initial_value(m, &sz);

		rm->vals[rm->cnt] = init ? calloc(1, bpfrt_map__value_size(m) + 8) : NULL;
		if (rm->vals[rm->cnt])
			memcpy(rm->vals[rm->cnt], init, sz);
		rm->cnt++;
	}
}

static void maps_free(struct run_maps *rm)
{
	for (size_t i = 0; i < rm->cnt; i++)
		free(rm->vals[i]);
}

/* Load program `name` and run it on `engine`; returns r0 or -1. */
static long run_prog(const struct bpfrt_object *obj, const char *name, struct run_maps *rm,
		     enum bpfrt_engine engine, char *why, size_t why_size)
{
	const struct bpfrt_program *p = bpfrt_object__find_program_by_name(obj, name);
	struct bpfrt_load_opts lo = { .sz = sizeof(lo), .log_buf = why, .log_size = why_size,
				      .resolve_ld_imm64 = resolve, .resolve_ctx = rm };
	struct bpfrt_region regions[16];
	struct bpfrt_run_opts ro = { .sz = sizeof(ro), .engine = engine };
	struct bpfrt_vm *vm = bpfrt_vm__new();
	struct bpfrt_prog *prog;
	size_t nreg = 0;
	long ret = -1;

	why[0] = '\0';
	if (!p || !vm) {
		snprintf(why, why_size, "no program '%s'", name);
		bpfrt_vm__free(vm);
		return -1;
	}
	prog = bpfrt_prog__load(vm, bpfrt_program__insns(p), bpfrt_program__insn_cnt(p), &lo);
	if (prog) {
		for (size_t i = 0; i < rm->cnt; i++) {
			const struct bpfrt_map *m = bpfrt_object__map_by_index(obj, (unsigned)i);

			if (!rm->vals[i])
				continue;
			regions[nreg++] = (struct bpfrt_region){ .name = bpfrt_map__name(m),
				.addr = rm->vals[i], .size = bpfrt_map__value_size(m),
				.writable = !bpfrt_map__is_readonly(m) };
		}
		ro.regions = regions;
		ro.region_cnt = nreg;
		if (bpfrt_prog__run(prog, &ro) == 0)
			ret = (long)(int32_t)ro.retval;
		else
			snprintf(why, why_size, "%s", ro.fault.msg);
		bpfrt_prog__free(prog);
	}
	bpfrt_vm__free(vm);
	return ret;
}

/* ---- the multi-program object ---- */

static void test_multi(const char *path, const char *tag)
{
	static const struct {
		const char *name, *sec, *target;
		enum bpfrt_prog_type type;
		int attach;
		bool autoload;
		uint32_t flags;
	} want[] = {
		{ "sum_arr", "socket", "", BPFRT_PROG_TYPE_SOCKET_FILTER, 0, true, 0 },
		{ "second", "socket", "", BPFRT_PROG_TYPE_SOCKET_FILTER, 0, true, 0 },
		{ "xdp_loop", "xdp", "", BPFRT_PROG_TYPE_XDP, 37, true, 0 },
		{ "optional_tc", "tc", "", BPFRT_PROG_TYPE_SCHED_CLS, 0, false, 0 },
		{ "kp", "kprobe/do_sys_open", "do_sys_open", BPFRT_PROG_TYPE_KPROBE, 0, true, 0 },
		{ "tp", "tp/syscalls/sys_enter_openat", "syscalls/sys_enter_openat",
		  BPFRT_PROG_TYPE_TRACEPOINT, 0, true, 0 },
		{ "fent", "fentry/do_unlinkat", "do_unlinkat", BPFRT_PROG_TYPE_TRACING, 24, true, 0 },
		{ "frags", "xdp.frags", "", BPFRT_PROG_TYPE_XDP, 37, true, 1u << 5 },
		{ "lsm_open", "lsm.s/file_open", "file_open", BPFRT_PROG_TYPE_LSM, 27, true, 1u << 4 },
		{ "tcx_in", "tcx/ingress", "", BPFRT_PROG_TYPE_SCHED_CLS, 46, true, 0 },
		{ "conn4", "cgroup/connect4", "", BPFRT_PROG_TYPE_CGROUP_SOCK_ADDR, 10, true, 0 },
		{ "urp", "uretprobe/lib.so:fn", "lib.so:fn", BPFRT_PROG_TYPE_KPROBE, 0, true, 0 },
		{ "unknown", "not_a_known_section", "", BPFRT_PROG_TYPE_UNSPEC, -1, true, 0 },
	};
	char log[512] = "", why[256];
	struct bpfrt_object *obj = open_path(path, NULL, log, sizeof(log));
	const struct bpfrt_program *p, *sum;
	const struct bpfrt_map *data, *rodata, *bss;
	struct run_maps rm;
	size_t i = 0, sz;
	bool ok = true;
	long off_arr, off_result, pc;
	struct bpfrt_line line;

	if (!obj) {
		t_fail("%s: open: %s", tag, log);
		return;
	}
	T_CHECK(strcmp(bpfrt_object__name(obj), "multi") == 0, "%s: object name '%s' from the file name",
		tag, bpfrt_object__name(obj));
	T_CHECK(strcmp(bpfrt_object__license(obj), "Dual MIT/GPL") == 0, "%s: license", tag);
	for (p = bpfrt_object__next_program(obj, NULL); p; p = bpfrt_object__next_program(obj, p), i++) {
		if (i >= ARRAY_SIZE(want) || strcmp(bpfrt_program__name(p), want[i].name) ||
		    strcmp(bpfrt_program__section_name(p), want[i].sec) ||
		    strcmp(bpfrt_program__attach_target(p), want[i].target) ||
		    bpfrt_program__type(p) != want[i].type ||
		    bpfrt_program__expected_attach_type(p) != want[i].attach ||
		    bpfrt_program__autoload(p) != want[i].autoload ||
		    bpfrt_program__flags(p) != want[i].flags) {
			t_fail("%s: program #%zu: got %s in '%s' type %d attach %d target '%s'", tag, i,
			       bpfrt_program__name(p), bpfrt_program__section_name(p),
			       bpfrt_program__type(p), bpfrt_program__expected_attach_type(p),
			       bpfrt_program__attach_target(p));
			ok = false;
		}
	}
	T_CHECK(ok && i == ARRAY_SIZE(want),
		"%s: %zu programs in section order with libbpf's types, attach types, targets, flags", tag, i);
	T_CHECK(!bpfrt_object__find_program_by_name(obj, "add_static") && errno == ENOENT &&
			!bpfrt_object__find_program_by_name(obj, "mul_global"),
		"%s: .text functions are subprograms, not programs", tag);

	data = bpfrt_object__find_map_by_name(obj, "multi.data");
	rodata = bpfrt_object__find_map_by_name(obj, "multi.rodata");
	bss = bpfrt_object__find_map_by_name(obj, "multi.bss");
	T_CHECK(data && rodata && bss && bpfrt_object__find_map_by_name(obj, ".rodata") == rodata,
		"%s: global data maps named as libbpf names them", tag);
	if (!data || !rodata || !bss) {
		bpfrt_object__close(obj);
		return;
	}
	T_CHECK(bpfrt_map__is_internal(data) && !bpfrt_map__is_readonly(data) &&
			bpfrt_map__is_readonly(rodata) && bpfrt_map__type(bss) == BPFRT_MAP_TYPE_ARRAY &&
			bpfrt_map__max_entries(bss) == 1 && bpfrt_map__key_size(bss) == 4 &&
			bpfrt_map__btf_value_type_id(data) != 0,
		"%s: global data maps: 1-entry arrays, .rodata read-only, DATASEC value type", tag);
	off_arr = var_offset(obj, ".data", "arr");
	off_result = var_offset(obj, ".bss", "result");
	T_CHECK(off_arr >= 0 && off_result >= 0 && var_offset(obj, ".data", "msg") != off_arr,
		"%s: BTF DATASEC offsets fixed from the symbols (arr at %ld, result at %ld)", tag,
		off_arr, off_result);
	{
		const int *v = bpfrt_map__initial_value(data, &sz);

		T_CHECK(v && off_arr >= 0 && sz >= (size_t)off_arr + 32 && v[off_arr / 4] == 1 &&
				v[off_arr / 4 + 7] == 8,
			"%s: .data initial value is the section", tag);
	}

	sum = bpfrt_object__find_program_by_name(obj, "sum_arr");
	T_CHECK(sum &&
			find_lddw(sum, BPFRT_PSEUDO_MAP_IDX_VALUE, bpfrt_map__index(data), (int)off_arr) >= 0 &&
			find_lddw(sum, BPFRT_PSEUDO_MAP_IDX_VALUE, bpfrt_map__index(bss), (int)off_result) >= 0 &&
			find_lddw(sum, BPFRT_PSEUDO_MAP_IDX_VALUE, bpfrt_map__index(rodata), -1) >= 0,
		"%s: global data LDDWs are PSEUDO_MAP_IDX_VALUE with map index and variable offset", tag);
	ok = sum != NULL;
	for (size_t k = 0; sum && k < bpfrt_program__insn_cnt(sum); k++) {
		const struct bpfrt_insn *in = &bpfrt_program__insns(sum)[k];
		const char *fn;

		if (in->code != (BPFRT_JMP | BPFRT_CALL) || in->src_reg != BPFRT_PSEUDO_CALL)
			continue;
		fn = bpfrt_program__func_name(sum, k + 1 + (size_t)in->imm);
		if (!fn || (strcmp(fn, "add_static") && strcmp(fn, "mul_global")))
			ok = false;
	}
	T_CHECK(ok, "%s: calls land on the appended static and global subprograms", tag);
	p = bpfrt_object__find_program_by_name(obj, "xdp_loop");
	pc = -1;
	for (size_t k = 0; p && k < bpfrt_program__insn_cnt(p); k++) {
		if (bpfrt_program__insns(p)[k].src_reg == BPFRT_PSEUDO_FUNC &&
		    bpfrt_program__insns(p)[k].code == (BPFRT_LD | BPFRT_IMM | BPFRT_DW))
			pc = (long)k;
	}
	{
		const char *cb = pc >= 0 ? bpfrt_program__func_name(
						   p, (size_t)(pc + 1 + bpfrt_program__insns(p)[pc].imm))
					 : NULL;

		ok = cb && strcmp(cb, "loop_cb") == 0;
	}
	T_CHECK(ok,
		"%s: bpf_loop callback is a PSEUDO_FUNC LDDW pointing at the appended callback", tag);
	T_CHECK(sum && bpfrt_program__line(sum, 0, &line) == 0 && strstr(line.file, "multi.c") &&
			line.line > 0 && line.text[0] &&
			strcmp(bpfrt_program__func_name(sum, 0), "sum_arr") == 0 &&
			bpfrt_program__line(sum, bpfrt_program__insn_cnt(sum), &line) == -EINVAL,
		"%s: line and function info", tag);

	/* End to end: sum the global array on the interpreter. */
	maps_init(&rm, obj);
	for (int e = 0; e < 2; e++) {
		enum bpfrt_engine eng = e ? BPFRT_ENGINE_CHECKED : BPFRT_ENGINE_INTERP;
		long r = run_prog(obj, "sum_arr", &rm, eng, why, sizeof(why));
		long res = 0;

		memcpy(&res, (char *)rm.vals[bpfrt_map__index(bss)] + off_result, sizeof(res));
		T_CHECK(r == 108 && res == 108, "%s: sum_arr runs on %s: %ld, result %ld (want 108) %s",
			tag, bpfrt_engine_name(eng), r, res, why);
	}
	T_CHECK(run_prog(obj, "second", &rm, BPFRT_ENGINE_CHECKED, why, sizeof(why)) == 'h' * 3,
		"%s: second runs through the shared global subprogram %s", tag, why);
	maps_free(&rm);

	/* Changing data before running. */
	{
		int ones[64];
		size_t dsz = bpfrt_map__value_size(data);
		const char *init = bpfrt_map__initial_value(data, &sz);
		char *copy = malloc(dsz);

		for (size_t k = 0; k < ARRAY_SIZE(ones); k++)
			ones[k] = 1;
		memcpy(copy, init, dsz);
		memcpy(copy + off_arr, ones, 32);
		T_CHECK(bpfrt_map__set_initial_value((struct bpfrt_map *)data, copy, dsz - 1) == -EINVAL &&
				bpfrt_map__set_initial_value((struct bpfrt_map *)data, copy, dsz) == 0 &&
				bpfrt_map__set_max_entries((struct bpfrt_map *)data, 4) == -EINVAL,
			"%s: set_initial_value needs the whole value; global data keeps one entry", tag);
		free(copy);
		maps_init(&rm, obj);
		T_CHECK(run_prog(obj, "sum_arr", &rm, BPFRT_ENGINE_INTERP, why, sizeof(why)) == 24,
			"%s: the new initial value is what the program sees %s", tag, why);
		maps_free(&rm);
	}
	bpfrt_object__close(obj);
}

/* ---- maps ---- */

static void test_maps(const char *path, const char *tag)
{
	char log[512] = "";
	struct bpfrt_object *obj = open_path(path, NULL, log, sizeof(log));
	static const char *const names[] = { "inner_a", "inner_b", "outer", "jumps", "h", "rb", "bloom" };
	const struct bpfrt_map *m, *outer, *jumps, *h, *rb, *bloom, *in;
	const struct bpfrt_program *entry;
	size_t i = 0;
	bool ok = true;

	if (!obj) {
		t_fail("%s: open: %s", tag, log);
		return;
	}
	for (m = bpfrt_object__next_map(obj, NULL); m; m = bpfrt_object__next_map(obj, m), i++) {
		if (i >= ARRAY_SIZE(names) || strcmp(bpfrt_map__name(m), names[i]) ||
		    bpfrt_map__index(m) != (int)i || bpfrt_object__map_by_index(obj, (unsigned)i) != m)
			ok = false;
	}
	T_CHECK(ok && i == ARRAY_SIZE(names), "%s: BTF maps in definition order with indexes", tag);
	outer = bpfrt_object__find_map_by_name(obj, "outer");
	jumps = bpfrt_object__find_map_by_name(obj, "jumps");
	h = bpfrt_object__find_map_by_name(obj, "h");
	rb = bpfrt_object__find_map_by_name(obj, "rb");
	bloom = bpfrt_object__find_map_by_name(obj, "bloom");
	if (!outer || !jumps || !h || !rb || !bloom) {
		t_fail("%s: maps missing", tag);
		bpfrt_object__close(obj);
		return;
	}
	in = bpfrt_map__inner_map(outer);
	T_CHECK(in && strcmp(bpfrt_map__name(in), "outer.inner") == 0 &&
			bpfrt_map__type(in) == BPFRT_MAP_TYPE_ARRAY && bpfrt_map__value_size(in) == 8 &&
			bpfrt_map__max_entries(in) == 4 && bpfrt_map__index(in) == -ENOENT &&
			bpfrt_map__value_size(outer) == 4 && bpfrt_map__max_entries(outer) == 3,
		"%s: map-in-map with its inner definition", tag);
	T_CHECK(bpfrt_map__init_slot_cnt(outer) == 3 &&
			bpfrt_map__init_slot_map(outer, 0) == bpfrt_object__find_map_by_name(obj, "inner_a") &&
			!bpfrt_map__init_slot_map(outer, 1) &&
			bpfrt_map__init_slot_map(outer, 2) == bpfrt_object__find_map_by_name(obj, "inner_b") &&
			!bpfrt_map__init_slot_prog(outer, 0),
		"%s: map-in-map 'values' slots", tag);
	T_CHECK(bpfrt_map__init_slot_cnt(jumps) == 4 &&
			bpfrt_map__init_slot_prog(jumps, 1) == bpfrt_object__find_program_by_name(obj, "tail_a") &&
			bpfrt_map__init_slot_prog(jumps, 3) == bpfrt_object__find_program_by_name(obj, "tail_b") &&
			!bpfrt_map__init_slot_prog(jumps, 0) && bpfrt_map__value_size(jumps) == 4,
		"%s: prog array 'values' slots", tag);
	T_CHECK(bpfrt_map__key_size(h) == 5 && bpfrt_map__value_size(h) == 8 &&
			bpfrt_map__map_flags(h) == 1 && bpfrt_map__pinning(h) == 1 &&
			bpfrt_map__btf_key_type_id(h) && bpfrt_map__btf_value_type_id(h) &&
			bpfrt_map__max_entries(h) == 128 && !bpfrt_map__is_internal(h),
		"%s: hash with key type, flags and pinning", tag);
	T_CHECK(bpfrt_map__max_entries(rb) == (uint32_t)sysconf(_SC_PAGESIZE) * 2 ||
			bpfrt_map__max_entries(rb) == 8192,
		"%s: ring buffer size rounded up to a power-of-2 number of pages (%u)", tag,
		bpfrt_map__max_entries(rb));
	T_CHECK(bpfrt_map__map_extra(bloom) == 3 && bpfrt_map__key_size(bloom) == 0,
		"%s: bloom filter map_extra", tag);
	T_CHECK(bpfrt_map__set_max_entries((struct bpfrt_map *)h, 4096) == 0 &&
			bpfrt_map__max_entries(h) == 4096 && bpfrt_map__initial_value(h, NULL) == NULL &&
			bpfrt_map__set_initial_value((struct bpfrt_map *)h, "x", 1) == -EINVAL,
		"%s: set_max_entries on a BTF map; no initial value", tag);
	entry = bpfrt_object__find_program_by_name(obj, "entry");
	T_CHECK(entry && find_lddw(entry, BPFRT_PSEUDO_MAP_IDX, bpfrt_map__index(jumps), 0) >= 0 &&
			find_lddw(entry, BPFRT_PSEUDO_MAP_IDX, bpfrt_map__index(h), 0) >= 0 &&
			find_lddw(entry, BPFRT_PSEUDO_MAP_IDX, bpfrt_map__index(outer), 0) >= 0,
		"%s: map LDDWs are PSEUDO_MAP_IDX with the map index", tag);
	bpfrt_object__close(obj);
}

static void test_legacy(const char *path, const char *tag)
{
	char log[512] = "";
	struct bpfrt_object *obj = open_path(path, NULL, log, sizeof(log));
	const struct bpfrt_map *c, *h;
	const struct bpfrt_program *p;

	if (!obj) {
		t_fail("%s: open: %s", tag, log);
		return;
	}
	c = bpfrt_object__map_by_index(obj, 0);
	h = bpfrt_object__map_by_index(obj, 1);
	T_CHECK(c && h && strcmp(bpfrt_map__name(c), "lcount") == 0 && strcmp(bpfrt_map__name(h), "lhash") == 0 &&
			bpfrt_map__type(c) == BPFRT_MAP_TYPE_ARRAY && bpfrt_map__value_size(c) == 8 &&
			bpfrt_map__max_entries(c) == 16 && bpfrt_map__type(h) == BPFRT_MAP_TYPE_HASH &&
			bpfrt_map__key_size(h) == 8 && bpfrt_map__value_size(h) == 16 &&
			bpfrt_map__map_flags(h) == 1,
		"%s: legacy 'maps' definitions", tag);
	p = bpfrt_object__find_program_by_name(obj, "use_legacy");
	T_CHECK(p && find_lddw(p, BPFRT_PSEUDO_MAP_IDX, 0, -1) >= 0 &&
			find_lddw(p, BPFRT_PSEUDO_MAP_IDX, 1, -1) >= 0,
		"%s: legacy map LDDWs relocated", tag);
	bpfrt_object__close(obj);
}

static void test_kconfig(const char *path, const char *tag)
{
	static const char text[] = "# comment\nCONFIG_HZ=250\nCONFIG_BPF_JIT=y\nCONFIG_TRI=m\n"
				   "CONFIG_NAME=\"ab\"\nCONFIG_UNUSED=y\n";
	char log[512] = "", why[256];
	struct bpfrt_object *obj = open_path(path, text, log, sizeof(log));
	const struct bpfrt_map *kc;
	const uint8_t *v;
	struct run_maps rm;
	size_t sz;
	int32_t hz = -1, lkv = -1, tri = -1, missing = -1;
	long o_hz, o_lkv, o_jit, o_tri, o_name, o_missing;

	if (!obj) {
		t_fail("%s: open: %s", tag, log);
		return;
	}
	kc = bpfrt_object__find_map_by_name(obj, ".kconfig");
	T_CHECK(kc && strcmp(bpfrt_map__name(kc), "kconfig.kconfig") == 0 && bpfrt_map__is_readonly(kc) &&
			bpfrt_map__is_internal(kc),
		"%s: .kconfig map '%s'", tag, kc ? bpfrt_map__name(kc) : "?");
	if (!kc) {
		bpfrt_object__close(obj);
		return;
	}
	v = bpfrt_map__initial_value(kc, &sz);
	o_hz = var_offset(obj, ".kconfig", "CONFIG_HZ");
	o_lkv = var_offset(obj, ".kconfig", "LINUX_KERNEL_VERSION");
	o_jit = var_offset(obj, ".kconfig", "CONFIG_BPF_JIT");
	o_tri = var_offset(obj, ".kconfig", "CONFIG_TRI");
	o_name = var_offset(obj, ".kconfig", "CONFIG_NAME");
	o_missing = var_offset(obj, ".kconfig", "CONFIG_MISSING");
	if (v && o_hz >= 0 && o_lkv >= 0 && o_tri >= 0 && o_missing >= 0) {
		memcpy(&hz, v + o_hz, 4);
		memcpy(&lkv, v + o_lkv, 4);
		memcpy(&tri, v + o_tri, 4);
		memcpy(&missing, v + o_missing, 4);
	}
	/* libbpf's layout: 4-byte-aligned externs by name, then the 1-byte ones. */
	T_CHECK(o_hz == 0 && o_missing == 4 && o_tri == 8 && o_lkv == 12 && o_jit == 16 && o_name == 17 &&
			sz == 25,
		"%s: .kconfig layout as libbpf's (align, size, name)", tag);
	T_CHECK(v && hz == 250 && lkv == 0x050a00 && tri == 2 && missing == 0 && o_jit >= 0 &&
			v[o_jit] == 1 && o_name >= 0 && strcmp((const char *)v + o_name, "ab") == 0,
		"%s: .kconfig values from the options, weak missing one 0", tag);
	maps_init(&rm, obj);
	T_CHECK(run_prog(obj, "kc", &rm, BPFRT_ENGINE_CHECKED, why, sizeof(why)) == 0x050a00 + 250 + 1 + 2 + 'a',
		"%s: kconfig program runs with the values %s", tag, why);
	maps_free(&rm);
	bpfrt_object__close(obj);

	obj = open_path(path, "CONFIG_HZ=100\n", log, sizeof(log));
	T_CHECK(!obj && errno == ESRCH && strstr(log, "'CONFIG_BPF_JIT' (strong): not resolved"),
		"%s: a strong kconfig extern without a value is an error: %s", tag, log);
	bpfrt_object__close(obj);
	obj = open_path(path, "CONFIG_BPF_JIT=y\nCONFIG_HZ\n", log, sizeof(log));
	T_CHECK(!obj && strstr(log, "kconfig line 2 'CONFIG_HZ': no '=' separator"),
		"%s: malformed kconfig text is reported by line: %s", tag, log);
	bpfrt_object__close(obj);
	obj = open_path(path, "CONFIG_BPF_JIT=m\n", log, sizeof(log));
	T_CHECK(!obj && strstr(log, "'CONFIG_BPF_JIT': value 'm' implies a tristate or char type"),
		"%s: a tristate value for a bool is an error: %s", tag, log);
	bpfrt_object__close(obj);
}

static void test_kfunc(const char *path, const char *tag)
{
	char log[512] = "";
	struct bpfrt_object *obj = open_path(path, NULL, log, sizeof(log));
	const struct bpfrt_program *k, *w, *s, *plain;
	const char *r;
	bool poisoned = false;

	if (!obj) {
		t_fail("%s: open: %s", tag, log);
		return;
	}
	k = bpfrt_object__find_program_by_name(obj, "uses_kfunc");
	w = bpfrt_object__find_program_by_name(obj, "uses_weak");
	s = bpfrt_object__find_program_by_name(obj, "uses_ksym");
	plain = bpfrt_object__find_program_by_name(obj, "plain");
	r = bpfrt_program__unsupported_reason(k);
	T_CHECK(r && strcmp(r, "program 'uses_kfunc' uses kernel function 'bpf_obj_new_impl' (kfunc): not supported by the bpfrt runtime") == 0,
		"%s: kfunc use marks the program unsupported: %s", tag, r ? r : "(none)");
	r = bpfrt_program__unsupported_reason(s);
	T_CHECK(r && strstr(r, "kernel variable 'bpf_prog_active' (ksym)"),
		"%s: ksym use marks the program unsupported", tag);
	for (size_t i = 0; w && i < bpfrt_program__insn_cnt(w); i++) {
		const struct bpfrt_insn *in = &bpfrt_program__insns(w)[i];

		if (in->code == (BPFRT_JMP | BPFRT_CALL) && in->src_reg == 0 && in->imm >= 2002000000)
			poisoned = true;
	}
	T_CHECK(w && !bpfrt_program__unsupported_reason(w) && poisoned && plain &&
			!bpfrt_program__unsupported_reason(plain),
		"%s: a __weak kfunc is poisoned as libbpf does, other programs unaffected", tag);
	bpfrt_object__close(obj);
}

/* ---- malformed objects ---- */

static Elf64_Shdr *shdr(uint8_t *buf, size_t i)
{
	Elf64_Ehdr *eh = (Elf64_Ehdr *)buf;

	return (Elf64_Shdr *)(buf + eh->e_shoff) + i;
}

static int sec_by_name(uint8_t *buf, const char *name)
{
	Elf64_Ehdr *eh = (Elf64_Ehdr *)buf;
	const char *strs = (const char *)buf + shdr(buf, eh->e_shstrndx)->sh_offset;

	for (int i = 1; i < eh->e_shnum; i++) {
		if (strcmp(strs + shdr(buf, (size_t)i)->sh_name, name) == 0)
			return i;
	}
	return -1;
}

static void expect_reject(const char *what, const uint8_t *buf, size_t size, const char *needle)
{
	char log[512] = "";
	struct bpfrt_object_open_opts o = { .sz = sizeof(o), .log_buf = log, .log_size = sizeof(log) };
	struct bpfrt_object *obj = bpfrt_object__open_mem(buf, size, &o);

	if (obj) {
		t_fail("malformed %s: opened", what);
		bpfrt_object__close(obj);
		return;
	}
	T_CHECK(strstr(log, needle) != NULL, "malformed %s: \"%s\"", what, log);
}

static void test_malformed(const char *path)
{
	size_t size, bad = 0, npoints = 0;
	uint8_t *orig = read_file(path, &size), *b;
	int sym_sec, rel_sec, code_sec;

	if (!orig || size < sizeof(Elf64_Ehdr)) {
		t_fail("malformed: cannot read %s", path);
		free(orig);
		return;
	}
	b = malloc(size);

	/* Truncation anywhere: rejected with a message, never a crash. */
	for (size_t cut = 0; cut < size; cut += cut < 128 ? 1 : 61, npoints++) {
		char log[256] = "";
		struct bpfrt_object_open_opts o = { .sz = sizeof(o), .log_buf = log, .log_size = sizeof(log) };
		struct bpfrt_object *obj = bpfrt_object__open_mem(orig, cut ? cut : 1, &o);

		if (obj || !log[0]) {
			if (!bad)
				printf("truncated at %zu: %s\n", cut, obj ? "opened" : "no message");
			bad++;
			bpfrt_object__close(obj);
		}
	}
	T_CHECK(bad == 0, "malformed: truncated at %zu points: all rejected with a message", npoints);

	memcpy(b, orig, size);
	((Elf64_Ehdr *)b)->e_machine = 62; /* EM_X86_64 */
	expect_reject("e_machine", b, size, "e_machine 62 is not EM_BPF (247)");
	memcpy(b, orig, size);
	b[EI_DATA] = ELFDATA2MSB;
	expect_reject("EI_DATA", b, size, "big-endian objects are not supported");
	memcpy(b, orig, size);
	b[EI_CLASS] = ELFCLASS32;
	expect_reject("EI_CLASS", b, size, "not a 64-bit ELF object");
	memcpy(b, orig, size);
	((Elf64_Ehdr *)b)->e_type = ET_EXEC;
	expect_reject("e_type", b, size, "e_type 2 is not ET_REL");
	memcpy(b, orig, size);
	b[1] = 'X';
	expect_reject("magic", b, size, "not an ELF object");
	memcpy(b, orig, size);
	((Elf64_Ehdr *)b)->e_shstrndx = 999;
	expect_reject("e_shstrndx", b, size, "e_shstrndx 999 does not name a section");

	memcpy(b, orig, size);
	sym_sec = sec_by_name(b, ".symtab");
	rel_sec = sec_by_name(b, ".relsocket");
	code_sec = sec_by_name(b, "socket");
	if (sym_sec < 0 || rel_sec < 0 || code_sec < 0) {
		t_fail("malformed: sections .symtab, .relsocket, socket not found");
		free(b);
		free(orig);
		return;
	}
	shdr(b, (size_t)sym_sec)->sh_link = 99;
	expect_reject("symtab sh_link", b, size, "section '.symtab' (index");
	memcpy(b, orig, size);
	shdr(b, (size_t)rel_sec)->sh_link = (Elf64_Word)code_sec;
	expect_reject("rel sh_link", b, size, "is not the symbol table");
	memcpy(b, orig, size);
	shdr(b, (size_t)rel_sec)->sh_info = 500;
	expect_reject("rel sh_info", b, size, "section '.relsocket'");
	memcpy(b, orig, size);
	shdr(b, (size_t)code_sec)->sh_offset = size - 8;
	expect_reject("section offset", b, size, "section 'socket' (index");
	{
		Elf64_Shdr *ss;
		size_t nsyms;
		Elf64_Sym *syms;
		Elf64_Rel *rel;
		char want[256];

		memcpy(b, orig, size);
		ss = shdr(b, (size_t)sym_sec);
		nsyms = ss->sh_size / sizeof(Elf64_Sym);
		syms = (Elf64_Sym *)(b + ss->sh_offset);
		for (size_t i = 0; i < nsyms; i++) {
			if (ELF64_ST_TYPE(syms[i].st_info) == STT_FUNC) {
				syms[i].st_shndx = 0x7000;
				break;
			}
		}
		expect_reject("symbol section index", b, size, "refers to section 28672, but the object has");

		memcpy(b, orig, size);
		rel = (Elf64_Rel *)(b + shdr(b, (size_t)rel_sec)->sh_offset);
		rel[0].r_info = ELF64_R_INFO(9999, ELF64_R_TYPE(rel[0].r_info));
		snprintf(want, sizeof(want),
			 "section 'socket' (index %d): relocation #0 at offset 0x%llx refers to symbol 9999, but the symbol table has %zu symbols",
			 code_sec, (unsigned long long)rel[0].r_offset, nsyms);
		expect_reject("relocation symbol", b, size, want);

		memcpy(b, orig, size);
		rel = (Elf64_Rel *)(b + shdr(b, (size_t)rel_sec)->sh_offset);
		rel[0].r_offset = shdr(b, (size_t)code_sec)->sh_size + 16;
		snprintf(want, sizeof(want), "section 'socket' (index %d): relocation #0 at offset 0x%llx is outside the section",
			 code_sec, (unsigned long long)rel[0].r_offset);
		expect_reject("relocation offset", b, size, want);

		memcpy(b, orig, size);
		rel = (Elf64_Rel *)(b + shdr(b, (size_t)rel_sec)->sh_offset);
		rel[0].r_offset += 4;
		expect_reject("relocation alignment", b, size, "is not at an instruction boundary");
	}
	memcpy(b, orig, size);
	shdr(b, (size_t)code_sec)->sh_size -= 4;
	expect_reject("code size", b, size, "section 'socket' (index");

	/* Random byte corruption: any verdict, but no crash (run under ASan). */
	{
		bpfrt_print_fn old = bpfrt_set_print(NULL);
		unsigned int seed = 12345;
		int opened = 0;

		for (int round = 0; round < 400; round++) {
			struct bpfrt_object *obj;

			memcpy(b, orig, size);
			for (int k = 0; k < 1 + round % 8; k++) {
				seed = seed * 1103515245u + 12345u;
				b[(seed >> 8) % size] ^= (uint8_t)(1u << (seed % 8));
			}
			obj = bpfrt_object__open_mem(b, size, NULL);
			opened += obj != NULL;
			bpfrt_object__close(obj);
		}
		bpfrt_set_print(old);
		t_pass("malformed: 400 randomly corrupted objects, no crash (%d still opened)", opened);
	}
	free(b);
	free(orig);
}

static void test_bad_maps(const char *cc)
{
	for (size_t i = 0; i < ARRAY_SIZE(bad_maps); i++) {
		char path[128], src[1024], log[512] = "";
		struct bpfrt_object *obj;

		snprintf(src, sizeof(src), "%sSEC(\"socket\") int p(void *ctx) { return 0; }\n", bad_maps[i].src);
		if (compile(cc, "v3", bad_maps[i].name, src, path, sizeof(path))) {
			t_fail("%s: compile", bad_maps[i].name);
			continue;
		}
		obj = open_path(path, NULL, log, sizeof(log));
		T_CHECK(!obj && strstr(log, bad_maps[i].msg), "%s: rejected: \"%s\"", bad_maps[i].name, log);
		bpfrt_object__close(obj);
	}
}

/* ---- API ---- */

static void test_api(const char *path)
{
	union {
		struct bpfrt_object_open_opts o;
		char raw[sizeof(struct bpfrt_object_open_opts) + 16];
	} big;
	struct bpfrt_object_open_opts small = { .sz = sizeof(size_t) };
	char log[256] = "";
	struct bpfrt_object *obj;

	/* The rejections below also warn through the print callback: keep quiet. */
	bpfrt_print_fn old = bpfrt_set_print(NULL);

	memset(&big, 0, sizeof(big));
	big.o.sz = sizeof(big);
	big.raw[sizeof(big.o) + 3] = 1;
	errno = 0;
	T_CHECK(!bpfrt_object__open_file(path, &big.o) && errno == EINVAL,
		"api: unknown non-zero option bytes are rejected");
	big.raw[sizeof(big.o) + 3] = 0;
	big.o.object_name = "renamed";
	obj = bpfrt_object__open_file(path, &big.o);
	T_CHECK(obj && strcmp(bpfrt_object__name(obj), "renamed") == 0,
		"api: a larger options struct with zero tail is accepted; object_name used");
	bpfrt_object__close(obj);
	obj = bpfrt_object__open_file(path, &small);
	T_CHECK(obj != NULL, "api: a shorter options struct (older caller) is accepted");
	bpfrt_object__close(obj);
	obj = bpfrt_object__open_file(path, NULL);
	T_CHECK(obj && bpfrt_object__btf(obj), "api: no options; the object's BTF");
	if (obj) {
		size_t size;
		void *buf = read_file(path, &size);
		struct bpfrt_object *m = buf ? bpfrt_object__open_mem(buf, size, NULL) : NULL;

		T_CHECK(m && strcmp(bpfrt_object__name(m), "mem") == 0 &&
				bpfrt_object__next_program(m, bpfrt_object__next_program(obj, NULL)) == NULL &&
				errno == EINVAL,
			"api: open_mem names the object 'mem'; iterating with another object's program is EINVAL");
		bpfrt_object__close(m);
		free(buf);
	}
	bpfrt_object__close(obj);
	errno = 0;
	T_CHECK(!bpfrt_object__open_file("/nonexistent/x.o", &(struct bpfrt_object_open_opts){
		.sz = sizeof(struct bpfrt_object_open_opts), .log_buf = log, .log_size = sizeof(log) }) &&
			errno == ENOENT && strstr(log, "cannot open '/nonexistent/x.o'"),
		"api: missing file: ENOENT with the path in the message");
	T_CHECK(!bpfrt_object__open_mem(NULL, 0, NULL) && errno == EINVAL &&
			!bpfrt_object__find_program_by_name(NULL, "x") && !bpfrt_program__name(NULL) &&
			bpfrt_map__index(NULL) == -EINVAL && bpfrt_program__line(NULL, 0, NULL) == -EINVAL,
		"api: NULL arguments");
	bpfrt_object__close(NULL);
	bpfrt_set_print(old);
}

/* ---- speed ---- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void test_speed(const char *cc)
{
	char *src = malloc(1 << 20), path[128];
	size_t len = 0, size, insns = 0;
	double times[21];
	void *buf;
	/* Sanitizer builds are several times slower: the limit is for -O2 builds. */
#if defined(__SANITIZE_ADDRESS__)
	const double limit = 50.0;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
	const double limit = 50.0;
#else
	const double limit = 5.0;
#endif
#else
	const double limit = 5.0;
#endif

	len += (size_t)sprintf(src + len, "long g[64];\nconst volatile int k = 3;\n"
				   "struct { __uint(type, 2); __uint(max_entries, 64); __type(key, u32); __type(value, long); } m SEC(\".maps\");\n");
	for (int i = 0; i < 220; i++)
		len += (size_t)sprintf(src + len,
				       "static __noinline long f%d(long x) { long a = x * %d; a ^= g[%d]; a += k; if (a > %d) a -= %d; g[%d] = a; a <<= 2; a |= %d; return a + x; }\n",
				       i, i + 1, i % 64, i * 7, i, (i + 1) % 64, i);
	for (int p = 0; p < 4; p++) {
		len += (size_t)sprintf(src + len, "SEC(\"socket\") long prog%d(void *ctx) { long r = %d;", p, p);
		for (int j = p * 55; j < p * 55 + 55; j++)
			len += (size_t)sprintf(src + len, " r += f%d(r);", j);
		len += (size_t)sprintf(src + len, " u32 z = 0; long *v = bpf_map_lookup_elem(&m, &z); return r + (v ? *v : 0); }\n");
	}
	if (compile(cc, "v3", "big", src, path, sizeof(path)) || !(buf = read_file(path, &size))) {
		t_fail("speed: cannot build the big object");
		free(src);
		return;
	}
	for (size_t r = 0; r < ARRAY_SIZE(times); r++) {
		struct timespec a, b;
		struct bpfrt_object *obj;

		clock_gettime(CLOCK_MONOTONIC, &a);
		obj = bpfrt_object__open_mem(buf, size, NULL);
		clock_gettime(CLOCK_MONOTONIC, &b);
		times[r] = (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6;
		insns = 0;
		for (struct bpfrt_program *p = bpfrt_object__next_program(obj, NULL); p;
		     p = bpfrt_object__next_program(obj, p))
			insns += bpfrt_program__insn_cnt(p);
		bpfrt_object__close(obj);
	}
	qsort(times, ARRAY_SIZE(times), sizeof(times[0]), cmp_double);
	printf("INFO: open of a %zu-byte object (%zu relocated instructions, with BTF): median %.3f ms, min %.3f ms\n",
	       size, insns, times[ARRAY_SIZE(times) / 2], times[0]);
	T_CHECK(insns >= 5000 && times[ARRAY_SIZE(times) / 2] < limit,
		"speed: open of %zu instructions takes %.3f ms (median of %zu; limit %.0f ms)", insns,
		times[ARRAY_SIZE(times) / 2], ARRAY_SIZE(times), limit);
	free(buf);
	free(src);
}

int main(void)
{
	const char *cc = have_cmd("clang") ? "clang" : have_cmd("clang-19") ? "clang-19" :
			 have_cmd("clang-14") ? "clang-14" : NULL;
	const char *cc4 = have_cmd("clang-19") ? "clang-19" : NULL;
	char path[128], cmd[160];
	struct {
		const char *cc, *cpu;
	} builds[2] = { { cc, "v3" }, { cc4, "v4" } };

	if (!cc) {
		t_skip("object tests: no clang to compile BPF programs");
		return t_exit();
	}
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/bpfrt-object-test-XXXXXX");
	if (!mkdtemp(tmpdir)) {
		t_fail("mkdtemp: %s", strerror(errno));
		return t_exit();
	}
	for (size_t b = 0; b < ARRAY_SIZE(builds); b++) {
		char tag[64];

		if (!builds[b].cc) {
			t_skip("-mcpu=v4 objects: clang-19 not found");
			continue;
		}
		snprintf(tag, sizeof(tag), "%s -mcpu=%s", builds[b].cc, builds[b].cpu);
		if (compile(builds[b].cc, builds[b].cpu, "multi", src_multi, path, sizeof(path)) == 0) {
			test_multi(path, tag);
			if (b == 0) {
				test_malformed(path);
				test_api(path);
			}
		} else {
			t_fail("%s: compile multi", tag);
		}
		if (compile(builds[b].cc, builds[b].cpu, "maps", src_maps, path, sizeof(path)) == 0)
			test_maps(path, tag);
		else
			t_fail("%s: compile maps", tag);
		if (compile(builds[b].cc, builds[b].cpu, "legacy", src_legacy, path, sizeof(path)) == 0)
			test_legacy(path, tag);
		else
			t_fail("%s: compile legacy", tag);
		if (compile(builds[b].cc, builds[b].cpu, "kconfig", src_kconfig, path, sizeof(path)) == 0)
			test_kconfig(path, tag);
		else
			t_fail("%s: compile kconfig", tag);
		if (compile(builds[b].cc, builds[b].cpu, "kfunc", src_kfunc, path, sizeof(path)) == 0)
			test_kfunc(path, tag);
		else
			t_fail("%s: compile kfunc", tag);
	}
	test_bad_maps(cc);
	test_speed(cc);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	if (system(cmd)) {}
	return t_exit();
}
