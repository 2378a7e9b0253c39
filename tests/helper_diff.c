/* SPDX-License-Identifier: MIT */
/*
 * tests/helper_diff.c - differential test of bpfrt's helpers against the
 * running kernel's.
 *
 * Each family is one or a few programs that use only the stack and maps
 * (never the context), assembled once and loaded twice: into the kernel as
 * a socket filter (LDDW map references carry the kernel map's fd) and into
 * bpfrt as an UNSPEC program (the same LDDW carry the index of the bpfrt
 * map in the load options). A case writes its input into an array map
 * ("in"), runs the program with BPF_PROG_TEST_RUN and on every bpfrt
 * engine, and compares what the program stored into the "out" array map
 * (helper results, r0 values, buffers); stateful families (ring buffers,
 * hash and queue operations) keep one map set per side, so that every side
 * sees the same history, and also compare the maps themselves.
 *
 * Sides: 0 is the kernel; 1-4 the bpfrt engines. BPF_PROG_TEST_RUN needs
 * at least an Ethernet header of data: every side gets 64 zero bytes,
 * which the programs ignore.
 *
 * Families: strtol/strtoul over generated strings and flags; strncmp;
 * snprintf over formats (read-only frozen maps hold them, as the kernel
 * requires for ARG_PTR_TO_CONST_STR; it checks them at load, so a format
 * it refuses must make bpfrt's snprintf answer -EINVAL), generated
 * arguments, strings and output sizes; bpf_loop; ringbuf_output and
 * ringbuf_query; spin locks (the map's value type described in BTF);
 * map update/lookup/delete sequences on a hash map.
 *
 * Environment: HDIFF_SEED=S (default random, printed), HDIFF_SCALE=N
 * (cases per family x N, default 1).
 */
#include <errno.h>
#include <inttypes.h>
#include <linux/bpf.h>
#include <linux/btf.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "bpfrt/asm.h"
#include "bpfrt/bpfrt.h"
#include "harness.h"

#define SIDES   5 /* the kernel, then the engines */
#define ENGINES (SIDES - 1)
#define MAX_MAPS 4
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define ENOTSUPP_ 524 /* the kernel's ENOTSUPP */

static struct bpfrt_vm *vm;
static uint64_t rng, scale = 1;
static char vlog[1 << 16];

static uint64_t rnd(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint32_t below(uint32_t n)
{
	return (uint32_t)(rnd() % n);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int sys_bpf(int cmd, union bpf_attr *attr)
{
	int r = (int)syscall(__NR_bpf, cmd, attr, sizeof(*attr));

	return r < 0 ? -errno : r;
}

/* ---- maps on every side ---- */

struct dmap {
	int fd;                       /* the kernel's */
	struct bpfrt_map *b[ENGINES]; /* bpfrt's, one per engine */
	uint32_t ks, vs;
};

static int btf_fd = -1; /* the BTF of the spin-lock value type, when needed */

static int dmap_create(struct dmap *dm, enum bpf_map_type type, uint32_t ks, uint32_t vs,
		       uint32_t n, uint32_t flags, bool spin_lock)
{
	struct bpfrt_map_create_opts mo = { .sz = sizeof(mo), .map_flags = flags,
					    .value_has_spin_lock = spin_lock };
	union bpf_attr a;

	memset(dm, 0, sizeof(*dm));
	memset(&a, 0, sizeof(a));
	a.map_type = type;
	a.key_size = ks;
	a.value_size = vs;
	a.max_entries = n;
	a.map_flags = flags;
	if (spin_lock) {
		a.btf_fd = (uint32_t)btf_fd;
		a.btf_key_type_id = 1;
		a.btf_value_type_id = 4;
	}
	dm->fd = sys_bpf(BPF_MAP_CREATE, &a);
	dm->ks = ks;
	dm->vs = vs;
	if (dm->fd < 0) {
		t_fail("helper_diff: kernel map type %d: %s", type, strerror(-dm->fd));
		return dm->fd;
	}
	for (int s = 0; s < ENGINES; s++) {
		dm->b[s] = bpfrt_map__create((enum bpfrt_map_type)type, ks, vs, n, &mo);
		if (!dm->b[s]) {
			int err = -errno;

			if (err == -ENOTSUPP_)
				t_skip("helper_diff: bpfrt has no map type %d yet", type);
			else
				t_fail("helper_diff: bpfrt map type %d: %s", type, strerror(-err));
			return err;
		}
	}
	return 0;
}

/*
 * Does bpfrt's `helper` (push, or for_each) work on maps of `type` (value
 * size 8), or answer -ENOTSUPP (an operation the map types do not have
 * yet)? Asks a small bpfrt-only program.
 */
static bool bpfrt_has_op(enum bpf_map_type type, uint32_t ks, int helper)
{
	struct bpfrt_map *m = bpfrt_map__create((enum bpfrt_map_type)type, ks, 8, 4, NULL);
	struct bpfrt_load_opts lo = { .sz = sizeof(lo), .maps = &m, .map_cnt = 1, .gpl = true };
	struct bpfrt_insn *insns = NULL;
	struct bpfrt_prog *p = NULL;
	struct bpfrt_run_opts o = { .sz = sizeof(o) };
	char text[256];
	size_t cnt;
	bool ok = false;

	if (helper == BPF_FUNC_for_each_map_elem)
		snprintf(text, sizeof(text), "r1 = map_fd(0) ll\n r2 = func(cb) ll\n r3 = 0\n r4 = 0\n"
			 "call %d\n exit\n cb:\n r0 = 1\n exit\n", helper);
	else
		snprintf(text, sizeof(text), "*(u64 *)(r10 - 8) = 0\n r1 = map_fd(0) ll\n r2 = r10\n"
			 "r2 += -8\n r3 = 0\n call %d\n exit\n", helper);
	if (m && !bpfrt_asm(text, &insns, &cnt, NULL, 0))
		p = bpfrt_prog__load(vm, insns, cnt, &lo);
	if (p && !bpfrt_prog__run(p, &o))
		ok = o.retval != (uint64_t)-ENOTSUPP_;
	bpfrt_prog__free(p);
	bpfrt_free(insns);
	bpfrt_map__destroy(m);
	return ok;
}

static void dmap_destroy(struct dmap *dm)
{
	if (dm->fd >= 0)
		close(dm->fd);
	for (int s = 0; s < ENGINES; s++)
		bpfrt_map__destroy(dm->b[s]);
	memset(dm, 0, sizeof(*dm));
	dm->fd = -1;
}

static int k_elem(int cmd, int fd, const void *key, void *val, uint64_t flags)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)fd;
	a.key = (uint64_t)(uintptr_t)key;
	a.value = (uint64_t)(uintptr_t)val;
	a.flags = flags;
	return sys_bpf(cmd, &a);
}

/* Set key's value on every side. */
static int dmap_set(struct dmap *dm, uint32_t key, const void *val)
{
	int err = k_elem(BPF_MAP_UPDATE_ELEM, dm->fd, &key, (void *)val, 0);

	for (int s = 0; !err && s < ENGINES; s++)
		err = bpfrt_map__update_elem(dm->b[s], &key, 4, val, dm->vs, 0);
	return err;
}

/* Side s's value of key (0: the kernel). */
static int dmap_get(struct dmap *dm, int side, uint32_t key, void *val)
{
	if (side == 0)
		return k_elem(BPF_MAP_LOOKUP_ELEM, dm->fd, &key, val, 0);
	return bpfrt_map__lookup_elem(dm->b[side - 1], &key, 4, val, dm->vs, 0);
}

/* A read-only-for-programs frozen array holding `data` (formats, constant strings). */
static int dmap_const(struct dmap *dm, const void *data, uint32_t size)
{
	int err = dmap_create(dm, BPF_MAP_TYPE_ARRAY, 4, size, 1, BPF_F_RDONLY_PROG, false);
	union bpf_attr a;

	if (!err)
		err = dmap_set(dm, 0, data);
	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)dm->fd;
	if (!err)
		err = sys_bpf(BPF_MAP_FREEZE, &a);
	for (int s = 0; !err && s < ENGINES; s++)
		err = bpfrt_map__freeze(dm->b[s]);
	return err;
}

/* ---- programs on every side ---- */

struct dprog {
	int fd;                        /* the kernel's, or -errno if it refused the program */
	struct bpfrt_prog *b[ENGINES];
};

/* Load raw BTF (header, types, strings): an fd or -errno. */
static int btf_load(const uint32_t *types, size_t types_len, const char *strs, size_t strs_len)
{
	uint8_t blob[1024];
	struct btf_header h = { .magic = BTF_MAGIC, .version = BTF_VERSION,
				.hdr_len = sizeof(struct btf_header), .type_off = 0,
				.type_len = (uint32_t)types_len, .str_off = (uint32_t)types_len,
				.str_len = (uint32_t)strs_len };
	union bpf_attr a;

	memcpy(blob, &h, sizeof(h));
	memcpy(blob + sizeof(h), types, types_len);
	memcpy(blob + sizeof(h) + types_len, strs, strs_len);
	memset(&a, 0, sizeof(a));
	a.btf = (uint64_t)(uintptr_t)blob;
	a.btf_size = (uint32_t)(sizeof(h) + types_len + strs_len);
	vlog[0] = 0;
	a.btf_log_buf = (uint64_t)(uintptr_t)vlog;
	a.btf_log_size = sizeof(vlog);
	a.btf_log_level = 1;
	return sys_bpf(BPF_BTF_LOAD, &a);
}

/*
 * The BTF the kernel wants for programs with callbacks: every function
 * (the main program, each callback) described by a FUNC of type
 * int (void): [1] int, [2] FUNC_PROTO, [3] FUNC "f".
 */
static int func_btf(void)
{
	static const char strs[] = "\0int\0f";
	static const uint32_t types[] = {
		1, BTF_KIND_INT << 24, 4, BTF_INT_SIGNED << 24 | 32,
		0, BTF_KIND_FUNC_PROTO << 24, 1,
		5, BTF_KIND_FUNC << 24, 2,
	};

	return btf_load(types, sizeof(types), strs, sizeof(strs));
}

/*
 * Assemble `text` (map_fd(i) / map_value(i, off) name maps[i]) and load it
 * on every side, into the kernel as `type`. 0; or -errno if the kernel
 * refused it (then vlog has the verifier's log and bpfrt's copies are
 * still loaded); other failures are reported.
 */
static int dprog_load_type(struct dprog *dp, const char *text, struct dmap **maps, size_t map_cnt,
			   enum bpf_prog_type type)
{
	struct bpf_func_info finfo[8] = { { 0, 3 } };
	uint32_t nfunc = 1;
	int fbtf = -1;
	struct bpfrt_insn *insns;
	struct bpfrt_map *bm[MAX_MAPS];
	char log[512];
	union bpf_attr a;
	size_t cnt;

	memset(dp, 0, sizeof(*dp));
	if (bpfrt_asm(text, &insns, &cnt, log, sizeof(log))) {
		t_fail("helper_diff: assemble: %s", log);
		dp->fd = -EINVAL;
		return -EINVAL;
	}
	for (int s = 0; s < ENGINES; s++) {
		struct bpfrt_load_opts lo = { .sz = sizeof(lo), .log_buf = log, .log_size = sizeof(log),
					      .maps = bm, .map_cnt = map_cnt, .gpl = true };

		for (size_t i = 0; i < map_cnt; i++)
			bm[i] = maps[i]->b[s];
		dp->b[s] = bpfrt_prog__load(vm, insns, cnt, &lo);
		if (!dp->b[s])
			t_fail("helper_diff: bpfrt load: %s", log);
	}
	/* The kernel's copy: map references carry fds; callbacks need func_info. */
	for (size_t pc = 0; pc < cnt; pc++)
		if (insns[pc].code == (BPFRT_LD | BPFRT_DW | BPFRT_IMM)) {
			if (insns[pc].src_reg == BPF_PSEUDO_MAP_FD ||
			    insns[pc].src_reg == BPF_PSEUDO_MAP_VALUE)
				insns[pc].imm = maps[insns[pc].imm]->fd;
			if (insns[pc].src_reg == BPF_PSEUDO_FUNC && nfunc < NELEM(finfo))
				finfo[nfunc++] = (struct bpf_func_info){
					(uint32_t)((int64_t)pc + insns[pc].imm + 1), 3 };
			pc++;
		}
	memset(&a, 0, sizeof(a));
	if (nfunc > 1) {
		fbtf = func_btf();
		a.prog_btf_fd = (uint32_t)fbtf;
		a.func_info = (uint64_t)(uintptr_t)finfo;
		a.func_info_cnt = nfunc;
		a.func_info_rec_size = sizeof(finfo[0]);
	}
	a.prog_type = type;
	a.insns = (uint64_t)(uintptr_t)insns;
	a.insn_cnt = (uint32_t)cnt;
	a.license = (uint64_t)(uintptr_t)"GPL";
	vlog[0] = 0;
	a.log_buf = (uint64_t)(uintptr_t)vlog;
	a.log_size = sizeof(vlog);
	a.log_level = 1;
	dp->fd = sys_bpf(BPF_PROG_LOAD, &a);
	if (dp->fd < 0) { /* retry without a log: a full log buffer fails the load */
		a.log_buf = 0;
		a.log_size = 0;
		a.log_level = 0;
		if (sys_bpf(BPF_PROG_LOAD, &a) >= 0)
			t_fail("helper_diff: the verifier log was too small");
	}
	if (fbtf >= 0)
		close(fbtf);
	bpfrt_free(insns);
	return dp->fd < 0 ? dp->fd : 0;
}

static int dprog_load(struct dprog *dp, const char *text, struct dmap **maps, size_t map_cnt)
{
	return dprog_load_type(dp, text, maps, map_cnt, BPF_PROG_TYPE_SOCKET_FILTER);
}

static void dprog_free(struct dprog *dp)
{
	if (dp->fd >= 0)
		close(dp->fd);
	for (int s = 0; s < ENGINES; s++)
		bpfrt_prog__free(dp->b[s]);
	memset(dp, 0, sizeof(*dp));
	dp->fd = -1;
}

/* Run on side s; 0 with the 32-bit r0, or -errno. */
static int dprog_run(struct dprog *dp, int side, uint32_t *r0)
{
	uint8_t data[64] = { 0 };

	if (side == 0) {
		union bpf_attr a;
		int err;

		memset(&a, 0, sizeof(a));
		a.test.prog_fd = (uint32_t)dp->fd;
		a.test.data_in = (uint64_t)(uintptr_t)data;
		a.test.data_size_in = sizeof(data);
		a.test.repeat = 1;
		err = sys_bpf(BPF_PROG_TEST_RUN, &a);
		*r0 = a.test.retval;
		return err;
	}
	struct bpfrt_run_opts o = { .sz = sizeof(o), .engine = side - 1, .mem = data,
				    .mem_size = sizeof(data) };
	int err = bpfrt_prog__run(dp->b[side - 1], &o);

	*r0 = (uint32_t)o.retval;
	if (err)
		printf("helper_diff: %s run faulted: %s\n", bpfrt_engine_name(side - 1), o.fault.msg);
	return err;
}

/* ---- bookkeeping ---- */

struct family {
	const char *name;
	uint64_t cases, mismatches;
};

#define SHOW_MAX 4

static void hexdump(const char *what, const uint8_t *p, size_t n)
{
	printf("  %s:", what);
	for (size_t i = 0; i < n; i++)
		printf("%s%02x", i % 8 ? "" : " ", p[i]);
	printf("\n");
}

/*
 * Run case `desc` on every side and compare the out map's value (size vs)
 * of each engine with the kernel's. True if all agree.
 */
static bool compare_out(struct family *f, struct dprog *dp, struct dmap *out, const char *desc)
{
	uint8_t want[1024], got[1024];
	uint32_t r0[SIDES];
	bool ok = true;

	f->cases++;
	for (int s = 0; s < SIDES; s++) {
		uint8_t *buf = s ? got : want;

		if (dprog_run(dp, s, &r0[s])) {
			ok = false;
			break;
		}
		if (dmap_get(out, s, 0, buf)) {
			ok = false;
			break;
		}
		if (s && (memcmp(want, got, out->vs) || r0[s] != r0[0])) {
			if (f->mismatches < SHOW_MAX) {
				printf("helper_diff: %s: %s: %s differs from the kernel (r0 %u, kernel's %u)\n",
				       f->name, desc, bpfrt_engine_name(s - 1), r0[s], r0[0]);
				hexdump("kernel", want, out->vs);
				hexdump("bpfrt ", got, out->vs);
			}
			ok = false;
			break;
		}
	}
	if (!ok)
		f->mismatches++;
	return ok;
}

static void report(const struct family *f)
{
	T_CHECK(f->mismatches == 0 && f->cases > 0, "helper_diff: %s: %" PRIu64 " cases, %" PRIu64
		" mismatches", f->name, f->cases, f->mismatches);
}

static uint64_t total_cases, total_mismatches;

static void account(const struct family *f)
{
	total_cases += f->cases;
	total_mismatches += f->mismatches;
	report(f);
}

/* ---- strtol / strtoul ---- */

/*
 * in: u32 len, u32 pad, u64 flags, char str[128] (at 16). out: u64 r0,
 * u64 res. len is masked to 1..127 for the verifier (the value has room).
 */
static const char strtox_text[] =
	"r6 = map_value(0, 0) ll\n r7 = map_value(1, 0) ll\n"
	"r2 = *(u32 *)(r6 + 0)\n r2 &= 127\n if r2 == 0 goto out\n"
	"r1 = r6\n r1 += 16\n r3 = *(u64 *)(r6 + 8)\n r4 = r10\n r4 += -8\n call %d\n"
	"*(u64 *)(r7 + 0) = r0\n r1 = *(u64 *)(r10 - 8)\n *(u64 *)(r7 + 8) = r1\n"
	"out:\n r0 = 0\n exit\n";

static void gen_number_string(char *s, size_t max)
{
	static const char digits[] = "0123456789abcdefABCDEFxX";
	static const char *const prefixes[] = { "", "", "", "-", " ", "  -", "\t", "0", "0x",
						"-0x", "0X", "+", "--", "\xa0", " \n\v\f\r" };
	static const char *const edges[] = {
		"9223372036854775807", "9223372036854775808", "18446744073709551615",
		"18446744073709551616", "ffffffffffffffff", "10000000000000000",
		"1777777777777777777777", "2000000000000000000000", "0",
	};
	size_t n = 0;

	n += (size_t)snprintf(s, max, "%s", prefixes[below(NELEM(prefixes))]);
	if (below(4) == 0) {
		n += (size_t)snprintf(s + n, max - n, "%s", edges[below(NELEM(edges))]);
	} else {
		size_t len = below(100) < 80 ? below(12) : below(70);

		for (size_t i = 0; i < len && n + 1 < max; i++)
			s[n++] = below(3) ? (char)('0' + below(10)) : digits[below(sizeof(digits) - 1)];
		s[n] = 0;
	}
	if (below(4) == 0 && n + 3 < max)
		n += (size_t)snprintf(s + n, max - n, "%s", below(2) ? "z9" : " 1");
}

static void diff_strtox(void)
{
	struct family f[2] = { { .name = "strtol" }, { .name = "strtoul" } };
	struct dmap in, out;
	struct dprog p[2];
	char text[1024];

	if (dmap_create(&in, BPF_MAP_TYPE_ARRAY, 4, 144, 1, 0, false) ||
	    dmap_create(&out, BPF_MAP_TYPE_ARRAY, 4, 16, 1, 0, false))
		return;
	for (int k = 0; k < 2; k++) {
		struct dmap *maps[] = { &in, &out };

		snprintf(text, sizeof(text), strtox_text, k ? BPF_FUNC_strtoul : BPF_FUNC_strtol);
		if (dprog_load(&p[k], text, maps, 2))
			t_fail("helper_diff: %s: the kernel refuses the program: %s", f[k].name, vlog);
	}
	for (uint64_t i = 0; p[0].fd >= 0 && p[1].fd >= 0 && i < 600 * scale; i++) {
		static const uint64_t flag_set[] = { 0, 0, 0, 8, 10, 16, 16, 1, 2, 17, 32, 0x20 | 10,
						     1ULL << 32 };
		struct {
			uint32_t len, pad;
			uint64_t flags;
			char str[128];
		} v;
		char desc[200];
		size_t slen;

		memset(&v, 0, sizeof(v));
		gen_number_string(v.str, 72);
		slen = strlen(v.str);
		v.flags = flag_set[below(NELEM(flag_set))];
		v.len = (uint32_t)(below(5) ? slen : 1 + below(90));
		if (!v.len)
			v.len = 1;
		if (below(8) == 0) /* bytes after the NUL */
			memset(v.str + slen + 1, '7', 100 - slen - 1);
		dmap_set(&in, 0, &v);
		snprintf(desc, sizeof(desc), "\"%s\" len %u flags %#" PRIx64, v.str, v.len, v.flags);
		for (int k = 0; k < 2; k++)
			compare_out(&f[k], &p[k], &out, desc);
	}
	for (int k = 0; k < 2; k++) {
		account(&f[k]);
		dprog_free(&p[k]);
	}
	dmap_destroy(&in);
	dmap_destroy(&out);
}

/* ---- strncmp ---- */

static void diff_strncmp(void)
{
	static const char *const s2s[] = { "abc", "", "hello world", "\xff\x01", "0123456789abcdef" };
	struct family f = { .name = "strncmp" };
	struct dmap in, out;

	if (dmap_create(&in, BPF_MAP_TYPE_ARRAY, 4, 48, 1, 0, false) ||
	    dmap_create(&out, BPF_MAP_TYPE_ARRAY, 4, 8, 1, 0, false))
		return;
	for (size_t k = 0; k < NELEM(s2s); k++) {
		struct dmap cs;
		struct dprog p;
		char s2[32] = { 0 };

		strcpy(s2, s2s[k]);
		if (dmap_const(&cs, s2, sizeof(s2)))
			break;
		{
			/* in: u32 n (masked 1..31), char s1[32] at 8. */
			struct dmap *maps[] = { &in, &out, &cs };

			if (dprog_load(&p, "r6 = map_value(0, 0) ll\n r7 = map_value(1, 0) ll\n"
					   "r2 = *(u32 *)(r6 + 0)\n r2 &= 31\n if r2 == 0 goto out\n"
					   "r1 = r6\n r1 += 8\n r3 = map_value(2, 0) ll\n call 182\n"
					   "*(u64 *)(r7 + 0) = r0\n out:\n r0 = 0\n exit\n",
				       maps, 3))
				t_fail("helper_diff: strncmp: the kernel refuses the program: %s", vlog);
		}
		for (uint64_t i = 0; p.fd >= 0 && i < 60 * scale; i++) {
			struct {
				uint32_t n, pad;
				char s1[40];
			} v;
			char desc[120];
			size_t l = strlen(s2);

			memset(&v, 0, sizeof(v));
			memcpy(v.s1, s2, l);
			/* A change somewhere, or a cut, or the same. */
			if (below(3) && l)
				v.s1[below((uint32_t)l)] += (char)(below(2) ? 1 : -1);
			if (below(4) == 0)
				v.s1[below((uint32_t)l + 1)] = 0;
			if (below(4) == 0)
				v.s1[l] = (char)('a' + below(26));
			v.n = 1 + below(31);
			dmap_set(&in, 0, &v);
			snprintf(desc, sizeof(desc), "s1 \"%.32s\" n %u s2 \"%s\"", v.s1, v.n, s2);
			compare_out(&f, &p, &out, desc);
		}
		dprog_free(&p);
		dmap_destroy(&cs);
	}
	account(&f);
	dmap_destroy(&in);
	dmap_destroy(&out);
}

/* ---- snprintf ---- */

/*
 * Formats: the kernel checks each at load (a program per format). Their
 * arguments are 8-byte values of the in map; for the conversions that
 * take addresses (%s, %pks, %pus, %pI4, %pi4, %pI6, %pi6) the value is an
 * offset into the in map's strings area, which the program turns into an
 * address.
 */
static const char *const formats[] = {
	"plain text", "%d", "%i|%u|%x|%X", "%ld %lu %lx %lld %llu %llx %llX %lli",
	"[%5d][%-5d][%05d][%+d][% d][%-+5d][%0-5d][% 05d]", "[%8x][%-8X][%08x][%20lld]",
	"%c%c%c%c", "[%3c][%-3c][%03c]", "%s", "[%10s][%-10s][%010s]", "%s|%s|%s|%s",
	"%s%s%s%s%s%s%s%s%s%s%s%s", "%pks %pus", "%pI4 %pi4", "%pI6|%pi6", "%px %20px %-18px|",
	"%%|%5%", "%d%%", "tab\there\nnewline", "%lld%lld%lld%lld%lld%lld%lld%lld%lld%lld%lld%lld",
	"%c%s%d%pI4%c", "%pI4abc %pi6x", "%ps|%pS|%pB", "%+u %+x % u", "%00010d|%-010d",
	"%123456d", "%8388607d|%8388608x|%-16777217c|%99999999999s", "%d %d", "%q", "%hd", "%.3d", "%#x", "%o", "%sx", "%pZ",
	"%n", "%5%", "%lld%", "%L", "%zu", "\x01", "%pI5", "%pks1", "%llld", "%ls", "%-s",
	"%+c",
};

/* Is conversion `c` of the format at `p` one taking an address? Sets its kind. */
static int conv_kinds(const char *fmt, char *kinds, int max)
{
	int n = 0;

	for (const char *p = fmt; *p && n < max; p++) {
		if (*p != '%')
			continue;
		if (p[1] == '%') {
			p++;
			continue;
		}
		p++;
		while (*p && strchr("0+- ", *p))
			p++;
		while (*p >= '0' && *p <= '9')
			p++;
		if (*p == 's' || (*p == 'p' && ((p[1] == 'k' || p[1] == 'u') && p[2] == 's')))
			kinds[n++] = 's';
		else if (*p == 'p' && (p[1] == 'i' || p[1] == 'I'))
			kinds[n++] = 'i';
		else
			kinds[n++] = 'n';
		if (!*p)
			break;
	}
	return n;
}

/* in: u32 room, pad, u64 args[12] (at 8), strings (at 104, 400 bytes). out: u64 ret, char buf[64]. */
#define STRS_OFF 104
#define IN_SIZE  (STRS_OFF + 400)

static void build_snprintf_text(char *text, size_t size, const char *kinds, int nargs)
{
	size_t n = 0;

	n += (size_t)snprintf(text + n, size - n,
			      "r6 = map_value(0, 0) ll\n r7 = map_value(1, 0) ll\n");
	/* Arguments to the stack at fp - 96 .. fp - 8. */
	for (int i = 0; i < nargs; i++) {
		n += (size_t)snprintf(text + n, size - n, "r1 = *(u64 *)(r6 + %d)\n", 8 + 8 * i);
		if (kinds[i] != 'n')
			n += (size_t)snprintf(text + n, size - n, "r1 &= 255\n r2 = r6\n r2 += %d\n"
					      "r2 += r1\n r1 = r2\n", STRS_OFF);
		n += (size_t)snprintf(text + n, size - n, "*(u64 *)(r10 - %d) = r1\n", 96 - 8 * i);
	}
	n += (size_t)snprintf(text + n, size - n,
			      "r2 = *(u32 *)(r6 + 0)\n if r2 > 64 goto out\n"
			      "r1 = r7\n r1 += 8\n r3 = map_value(2, 0) ll\n r4 = %s\n %s r5 = %d\n"
			      "call 165\n *(u64 *)(r7 + 0) = r0\n out:\n r0 = 0\n exit\n",
			      nargs ? "r10" : "0", nargs ? "r4 += -96\n" : "", 8 * nargs);
}

static void gen_printable(char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		s[i] = (char)(' ' + below(95));
	s[len] = 0;
}

static void diff_snprintf(void)
{
	struct family f = { .name = "snprintf" }, frej = { .name = "snprintf formats the kernel refuses" };
	struct dmap in, out;
	unsigned int refused = 0;

	if (dmap_create(&in, BPF_MAP_TYPE_ARRAY, 4, IN_SIZE, 1, 0, false) ||
	    dmap_create(&out, BPF_MAP_TYPE_ARRAY, 4, 72, 1, 0, false))
		return;
	for (size_t k = 0; k < NELEM(formats); k++) {
		char fmt[128] = { 0 }, kinds[16], text[8192];
		struct dmap *maps[3] = { &in, &out, NULL }, fm;
		int nargs = conv_kinds(formats[k], kinds, 12);
		struct dprog p;
		int err;

		strcpy(fmt, formats[k]);
		if (dmap_const(&fm, fmt, sizeof(fmt)))
			break;
		maps[2] = &fm;
		build_snprintf_text(text, sizeof(text), kinds, nargs);
		err = dprog_load(&p, text, maps, 3);
		if (err) {
			/* The kernel refused the format: bpfrt's snprintf must answer -EINVAL. */
			uint64_t want = (uint64_t)-EINVAL, got = 0;
			uint32_t r0;
			uint8_t zero[72] = { 0 };
			bool ok = true;

			refused++;
			frej.cases++;
			for (int s = 1; s < SIDES; s++) {
				memset(zero, 0, sizeof(zero));
				dmap_set(&out, 0, zero);
				if (dprog_run(&p, s, &r0) || dmap_get(&out, s, 0, zero)) {
					ok = false;
					continue;
				}
				memcpy(&got, zero, 8);
				if (got != want)
					ok = false;
			}
			if (!ok || !strstr(vlog, "format")) {
				frej.mismatches++;
				if (frej.mismatches <= SHOW_MAX)
					printf("helper_diff: format \"%s\": kernel refuses (%s), bpfrt's snprintf "
					       "answers %" PRId64 "\n%.300s\n", formats[k], strerror(-err),
					       (int64_t)got, vlog);
			}
			dprog_free(&p);
			dmap_destroy(&fm);
			continue;
		}
		/* Huge widths cost the kernel a loop per padding byte: few cases. */
		for (uint64_t i = 0; i < (strstr(formats[k], "8388") ? 2 : 24) * scale; i++) {
			struct {
				uint32_t room, pad;
				uint64_t args[12];
				char strs[400];
			} v;
			char desc[256];

			memset(&v, 0, sizeof(v));
			/* Strings at 0, 64, 128, ... (offsets the args use). */
			/* Long strings a third of the time: the 512-byte staging buffer fills. */
			bool longs = below(3) == 0;

			for (int s = 0; s < 6; s++)
				gen_printable(v.strs + 64 * s, longs ? 40 + below(23) : below(4) ? below(20) : below(63));
			for (int a = 0; a < 12; a++) {
				static const uint64_t edge[] = { 0, 1, (uint64_t)-1, 0x7fffffff, 0x80000000,
								 0xffffffff, INT64_MIN, INT64_MAX, 'A', 255,
								 0x100000041ULL, 0xdeadbeefcafef00dULL };

				if (a < nargs && kinds[a] != 'n')
					v.args[a] = 64 * below(6) + (below(4) ? 0 : below(8));
				else
					v.args[a] = below(3) ? edge[below(NELEM(edge))] : rnd() >> below(64);
			}
			v.room = below(3) ? 64 : below(65);
			dmap_set(&in, 0, &v);
			snprintf(desc, sizeof(desc), "format \"%s\" room %u args %#" PRIx64 " %#" PRIx64
				 " %#" PRIx64, formats[k], v.room, v.args[0], v.args[1], v.args[2]);
			compare_out(&f, &p, &out, desc);
		}
		dprog_free(&p);
		dmap_destroy(&fm);
	}
	account(&f);
	T_CHECK(frej.mismatches == 0 && refused > 10,
		"helper_diff: %u formats the kernel refuses at load make bpfrt's snprintf answer -EINVAL "
		"(%" PRIu64 " disagree)", refused, frej.mismatches);
	total_cases += frej.cases;
	total_mismatches += frej.mismatches;
	dmap_destroy(&in);
	dmap_destroy(&out);
}

/* ---- bpf_loop ---- */

static void diff_loop(void)
{
	struct family f = { .name = "loop" };
	struct dmap in, out;
	struct dprog p;

	if (dmap_create(&in, BPF_MAP_TYPE_ARRAY, 4, 24, 1, 0, false) ||
	    dmap_create(&out, BPF_MAP_TYPE_ARRAY, 4, 24, 1, 0, false))
		return;
	{
		/*
		 * in: u64 nr, flags, stop. ctx on the stack: { sum, stop, calls }.
		 * The callback adds i * 3 + 1 to sum and returns 1 when i == stop.
		 */
		struct dmap *maps[] = { &in, &out };

		if (dprog_load(&p, "r6 = map_value(0, 0) ll\n r7 = map_value(1, 0) ll\n"
				   "*(u64 *)(r10 - 24) = 0\n r1 = *(u64 *)(r6 + 16)\n *(u64 *)(r10 - 16) = r1\n"
				   "*(u64 *)(r10 - 8) = 0\n"
				   "r1 = *(u64 *)(r6 + 0)\n r2 = func(cb) ll\n r3 = r10\n r3 += -24\n"
				   "r4 = *(u64 *)(r6 + 8)\n call 181\n"
				   "*(u64 *)(r7 + 0) = r0\n r1 = *(u64 *)(r10 - 24)\n *(u64 *)(r7 + 8) = r1\n"
				   "r1 = *(u64 *)(r10 - 8)\n *(u64 *)(r7 + 16) = r1\n r0 = 0\n exit\n"
				   "cb:\n r3 = r1\n r3 *= 3\n r3 += 1\n r4 = *(u64 *)(r2 + 0)\n r4 += r3\n"
				   "*(u64 *)(r2 + 0) = r4\n r4 = *(u64 *)(r2 + 16)\n r4 += 1\n"
				   "*(u64 *)(r2 + 16) = r4\n r0 = 0\n r4 = *(u64 *)(r2 + 8)\n"
				   "if r1 != r4 goto +1\n r0 = 1\n exit\n",
			       maps, 2))
			t_fail("helper_diff: loop: the kernel refuses the program: %s", vlog);
	}
	for (uint64_t i = 0; p.fd >= 0 && i < 60 * scale; i++) {
		static const uint64_t nrs[] = { 0, 1, 2, 100, 1000, (1 << 23) + 1, 1ULL << 32,
						0xffffffff, (uint64_t)-1, 5 };
		uint64_t v[3] = { below(2) ? below(200) : nrs[below(NELEM(nrs))], below(6) ? 0 : 1 + below(3),
				  below(2) ? below(100) : (uint64_t)-1 };
		char desc[120];

		dmap_set(&in, 0, v);
		snprintf(desc, sizeof(desc), "loop(%#" PRIx64 ", flags %" PRIu64 "), stop at %" PRId64, v[0],
			 v[1], (int64_t)v[2]);
		compare_out(&f, &p, &out, desc);
	}
	account(&f);
	dprog_free(&p);
	dmap_destroy(&in);
	dmap_destroy(&out);
}

/* ---- ringbuf_output, ringbuf_query ---- */

static void diff_ringbuf(void)
{
	struct family f = { .name = "ringbuf" };
	struct dmap in, out, rb;
	struct dprog p;

	if (dmap_create(&in, BPF_MAP_TYPE_ARRAY, 4, 16 + 256, 1, 0, false) ||
	    dmap_create(&out, BPF_MAP_TYPE_ARRAY, 4, 56, 1, 0, false) ||
	    dmap_create(&rb, BPF_MAP_TYPE_RINGBUF, 0, 0, 4096, 0, false))
		return;
	{
		/*
		 * in: u32 size (masked to 0..255), u32 mode, u64 flags, data[256];
		 * output(data, size, flags); then mode 1: reserve 24 bytes and
		 * submit, 2: and discard, 3: reserve with flags 1 (NULL). out:
		 * output's r0, the 5 queries, what reserve did (0 NULL, 1, 2).
		 */
		struct dmap *maps[] = { &in, &out, &rb };

		if (dprog_load(&p, "r6 = map_value(0, 0) ll\n r7 = map_value(1, 0) ll\n"
				   "r3 = *(u32 *)(r6 + 0)\n r3 &= 255\n r1 = map_fd(2) ll\n r2 = r6\n r2 += 16\n"
				   "r4 = *(u64 *)(r6 + 8)\n call 130\n *(u64 *)(r7 + 0) = r0\n"
				   "r8 = *(u32 *)(r6 + 4)\n if r8 == 0 goto q\n r3 = 0\n if r8 != 3 goto +1\n"
				   "r3 = 1\n r1 = map_fd(2) ll\n r2 = 24\n call 131\n r1 = 0\n"
				   "if r0 == 0 goto stored\n *(u64 *)(r0 + 0) = 5\n r1 = r0\n r2 = 0\n"
				   "if r8 == 2 goto disc\n call 132\n r1 = 1\n goto stored\n"
				   "disc:\n call 133\n r1 = 2\n"
				   "stored:\n *(u64 *)(r7 + 48) = r1\n"
				   "q:\n r1 = map_fd(2) ll\n r2 = 0\n call 134\n *(u64 *)(r7 + 8) = r0\n"
				   "r1 = map_fd(2) ll\n r2 = 1\n call 134\n *(u64 *)(r7 + 16) = r0\n"
				   "r1 = map_fd(2) ll\n r2 = 2\n call 134\n *(u64 *)(r7 + 24) = r0\n"
				   "r1 = map_fd(2) ll\n r2 = 3\n call 134\n *(u64 *)(r7 + 32) = r0\n"
				   "r1 = map_fd(2) ll\n r2 = 4\n call 134\n *(u64 *)(r7 + 40) = r0\n"
				   "r0 = 0\n exit\n",
			       maps, 3))
			t_fail("helper_diff: ringbuf: the kernel refuses the program: %s", vlog);
	}
	/* No consumer: the ring fills up and output starts answering -EAGAIN. */
	for (uint64_t i = 0; p.fd >= 0 && i < 60; i++) {
		uint64_t v[2 + 32] = { below(256) | (uint64_t)below(4) << 32,
				       below(8) ? 0 : below(2) ? 1 + below(2) : 4 };
		uint8_t zero[56] = { 0 };
		char desc[80];

		for (int k = 2; k < 34; k++)
			v[k] = rnd();
		dmap_set(&in, 0, v);
		dmap_set(&out, 0, zero);
		snprintf(desc, sizeof(desc), "output #%" PRIu64 " of %u bytes, flags %" PRIu64 ", mode %u",
			 i, (uint32_t)v[0], v[1], (uint32_t)(v[0] >> 32));
		compare_out(&f, &p, &out, desc);
	}
	account(&f);
	dprog_free(&p);
	dmap_destroy(&in);
	dmap_destroy(&out);
	dmap_destroy(&rb);
}

/* ---- spin locks ---- */

/*
 * BTF for the value { struct bpf_spin_lock lock; u32 pad; u64 count; }:
 * [1] int, [2] struct bpf_spin_lock { int val; }, [3] u64, [4] struct val.
 */
static int load_spin_lock_btf(void)
{
	static const char strs[] = "\0int\0bpf_spin_lock\0val\0u64\0lock\0pad\0count\0v";
	enum { S_INT = 1, S_LOCK = 5, S_VAL = 19, S_U64 = 23, S_LOCKM = 27, S_PAD = 32, S_COUNT = 36,
	       S_V = 42 };
	static const uint32_t types[] = {
		/* [1] int */ S_INT, BTF_KIND_INT << 24, 4, BTF_INT_SIGNED << 24 | 32,
		/* [2] bpf_spin_lock */ S_LOCK, BTF_KIND_STRUCT << 24 | 1, 4, S_VAL, 1, 0,
		/* [3] u64 */ S_U64, BTF_KIND_INT << 24, 8, 64,
		/* [4] v */ S_V, BTF_KIND_STRUCT << 24 | 3, 16, S_LOCKM, 2, 0, S_PAD, 1, 32, S_COUNT, 3, 64,
	};

	return btf_load(types, sizeof(types), strs, sizeof(strs));
}

static void diff_spin_lock(void)
{
	struct family f = { .name = "spin_lock" };
	struct dmap in, out, val;
	struct dprog p;

	btf_fd = load_spin_lock_btf();
	if (btf_fd < 0) {
		t_fail("helper_diff: spin_lock: BTF_LOAD: %s: %s", strerror(-btf_fd), vlog);
		return;
	}
	if (dmap_create(&in, BPF_MAP_TYPE_ARRAY, 4, 8, 1, 0, false) ||
	    dmap_create(&out, BPF_MAP_TYPE_ARRAY, 4, 8, 1, 0, false) ||
	    dmap_create(&val, BPF_MAP_TYPE_ARRAY, 4, 16, 1, 0, true))
		return;
	{
		/* count += in.delta under the lock; out = the new count. */
		struct dmap *maps[] = { &in, &out, &val };

		/* Socket filters may not take spin locks: a tc classifier. */
		if (dprog_load_type(&p, "r6 = map_value(0, 0) ll\n r7 = map_value(1, 0) ll\n"
				   "*(u32 *)(r10 - 4) = 0\n r1 = map_fd(2) ll\n r2 = r10\n r2 += -4\n call 1\n"
				   "if r0 == 0 goto out\n r8 = r0\n r1 = r8\n call 93\n"
				   "r1 = *(u64 *)(r8 + 8)\n r2 = *(u64 *)(r6 + 0)\n r1 += r2\n"
				   "*(u64 *)(r8 + 8) = r1\n r9 = r1\n r1 = r8\n call 94\n"
				   "*(u64 *)(r7 + 0) = r9\n out:\n r0 = 0\n exit\n",
			       maps, 3, BPF_PROG_TYPE_SCHED_CLS))
			t_fail("helper_diff: spin_lock: the kernel refuses the program: %s", vlog);
	}
	for (uint64_t i = 0; p.fd >= 0 && i < 30; i++) {
		uint64_t delta = rnd();
		char desc[64];

		dmap_set(&in, 0, &delta);
		snprintf(desc, sizeof(desc), "count += %#" PRIx64, delta);
		compare_out(&f, &p, &out, desc);
	}
	account(&f);
	dprog_free(&p);
	dmap_destroy(&in);
	dmap_destroy(&out);
	dmap_destroy(&val);
	close(btf_fd);
	btf_fd = -1;
}

/* ---- map element helpers on a hash map ---- */

#define OPS 8

/*
 * in: OPS x { u32 op, u32 key, u64 value, u64 flags } (24 bytes each).
 * op 0: update(key, value, flags); 1: lookup (out: the value or -1); 2:
 * delete. out: OPS u64 results.
 */
static void build_map_ops_text(char *text, size_t size)
{
	size_t n = 0;

	n += (size_t)snprintf(text + n, size - n, "r6 = map_value(0, 0) ll\n r7 = map_value(1, 0) ll\n");
	for (int i = 0; i < OPS; i++) {
		int o = 24 * i;

		n += (size_t)snprintf(text + n, size - n,
			"r1 = *(u32 *)(r6 + %d)\n *(u32 *)(r10 - 4) = r1\n"
			"r1 = *(u64 *)(r6 + %d)\n *(u64 *)(r10 - 16) = r1\n"
			"r8 = *(u32 *)(r6 + %d)\n"
			"r1 = map_fd(2) ll\n r2 = r10\n r2 += -4\n"
			"if r8 != 0 goto u%d\n r3 = r10\n r3 += -16\n r4 = *(u64 *)(r6 + %d)\n call 2\n goto d%d\n"
			"u%d:\n if r8 != 1 goto l%d\n call 1\n r1 = -1\n if r0 == 0 goto +1\n r1 = *(u64 *)(r0 + 0)\n"
			"r0 = r1\n goto d%d\n"
			"l%d:\n call 3\n"
			"d%d:\n *(u64 *)(r7 + %d) = r0\n",
			o + 4, o + 8, o, i, o + 16, i, i, i, i, i, i, 8 * i);
	}
	snprintf(text + n, size - n, "r0 = 0\n exit\n");
}

/* Both hash maps hold the same elements? */
static bool same_hash(struct dmap *h, int side)
{
	uint64_t kv = 0, bv = 0;
	int kn = 0, bn = 0;

	for (uint32_t key = 0; key < 8; key++) {
		int ke = dmap_get(h, 0, key, &kv), be = dmap_get(h, side, key, &bv);

		kn += !ke;
		bn += !be;
		if ((ke == 0) != (be == 0) || (!ke && kv != bv))
			return false;
	}
	return kn == bn;
}

static void diff_map_ops(void)
{
	struct family f = { .name = "map update/lookup/delete" };
	struct dmap in, out, h;
	struct dprog p;
	char text[16384];

	if (dmap_create(&in, BPF_MAP_TYPE_ARRAY, 4, 24 * OPS, 1, 0, false) ||
	    dmap_create(&out, BPF_MAP_TYPE_ARRAY, 4, 8 * OPS, 1, 0, false) ||
	    dmap_create(&h, BPF_MAP_TYPE_HASH, 4, 8, 4, 0, false))
		return;
	build_map_ops_text(text, sizeof(text));
	{
		struct dmap *maps[] = { &in, &out, &h };

		if (dprog_load(&p, text, maps, 3))
			t_fail("helper_diff: map ops: the kernel refuses the program: %.2000s", vlog);
	}
	for (uint64_t i = 0; p.fd >= 0 && i < 150 * scale; i++) {
		struct {
			uint32_t op, key;
			uint64_t value, flags;
		} ops[OPS];
		char desc[64];

		for (int k = 0; k < OPS; k++) {
			static const uint64_t flags[] = { 0, 0, 1, 2, 3, 4, 1ULL << 32 };

			ops[k].op = below(3);
			ops[k].key = below(6);
			ops[k].value = rnd();
			ops[k].flags = flags[below(NELEM(flags))];
		}
		dmap_set(&in, 0, ops);
		snprintf(desc, sizeof(desc), "op sequence %" PRIu64, i);
		if (compare_out(&f, &p, &out, desc))
			for (int s = 1; s < SIDES; s++)
				if (!same_hash(&h, s)) {
					printf("helper_diff: %s: the hash map of %s differs from the kernel's\n",
					       desc, bpfrt_engine_name(s - 1));
					f.mismatches++;
					break;
				}
	}
	account(&f);
	dprog_free(&p);
	dmap_destroy(&in);
	dmap_destroy(&out);
	dmap_destroy(&h);
}

/* ---- push / pop / peek on queues and stacks ---- */

/*
 * in: OPS x { u32 op, u32 pad, u64 value, u64 flags }. op 0: push(value,
 * flags); 1: pop; 2: peek. out: OPS x { r0, the value popped or peeked }.
 */
static void build_queue_ops_text(char *text, size_t size)
{
	size_t n = 0;

	n += (size_t)snprintf(text + n, size - n, "r6 = map_value(0, 0) ll\n r7 = map_value(1, 0) ll\n");
	for (int i = 0; i < OPS; i++) {
		int o = 24 * i;

		n += (size_t)snprintf(text + n, size - n,
			"r1 = *(u64 *)(r6 + %d)\n *(u64 *)(r10 - 8) = r1\n *(u64 *)(r10 - 16) = 0\n"
			"r8 = *(u32 *)(r6 + %d)\n r1 = map_fd(2) ll\n r2 = r10\n"
			"if r8 != 0 goto u%d\n r2 += -8\n r3 = *(u64 *)(r6 + %d)\n call 87\n goto d%d\n"
			"u%d:\n r2 += -16\n if r8 != 1 goto l%d\n call 88\n goto d%d\n"
			"l%d:\n call 89\n"
			"d%d:\n *(u64 *)(r7 + %d) = r0\n r1 = *(u64 *)(r10 - 16)\n *(u64 *)(r7 + %d) = r1\n",
			o + 8, o, i, o + 16, i, i, i, i, i, i, 16 * i, 16 * i + 8);
	}
	snprintf(text + n, size - n, "r0 = 0\n exit\n");
}

static void diff_queue_stack(void)
{
	if (!bpfrt_has_op(BPF_MAP_TYPE_QUEUE, 0, BPF_FUNC_map_push_elem)) {
		t_skip("helper_diff: push/pop/peek: bpfrt's queues have no push yet");
		return;
	}
	for (int k = 0; k < 2; k++) {
		struct family f = { .name = k ? "stack push/pop/peek" : "queue push/pop/peek" };
		struct dmap in, out, q;
		struct dprog p;
		char text[16384];

		if (dmap_create(&in, BPF_MAP_TYPE_ARRAY, 4, 24 * OPS, 1, 0, false) ||
		    dmap_create(&out, BPF_MAP_TYPE_ARRAY, 4, 16 * OPS, 1, 0, false))
			return;
		if (dmap_create(&q, k ? BPF_MAP_TYPE_STACK : BPF_MAP_TYPE_QUEUE, 0, 8, 4, 0, false)) {
			dmap_destroy(&in);
			dmap_destroy(&out);
			return;
		}
		build_queue_ops_text(text, sizeof(text));
		{
			struct dmap *maps[] = { &in, &out, &q };

			if (dprog_load(&p, text, maps, 3))
				t_fail("helper_diff: %s: the kernel refuses the program: %.2000s", f.name, vlog);
		}
		for (uint64_t i = 0; p.fd >= 0 && i < 100 * scale; i++) {
			struct {
				uint32_t op, pad;
				uint64_t value, flags;
			} ops[OPS];
			char desc[64];

			for (int o = 0; o < OPS; o++) {
				static const uint64_t flags[] = { 0, 0, 0, 2, 2, 1, 3, 1ULL << 32 };

				ops[o] = (typeof(ops[o])){ below(3), 0, rnd(), flags[below(NELEM(flags))] };
			}
			dmap_set(&in, 0, ops);
			snprintf(desc, sizeof(desc), "op sequence %" PRIu64, i);
			compare_out(&f, &p, &out, desc);
		}
		account(&f);
		dprog_free(&p);
		dmap_destroy(&in);
		dmap_destroy(&out);
		dmap_destroy(&q);
	}
}

/* ---- for_each_map_elem ---- */

/*
 * ctx on the stack: { count, stop, keys[8] }. The callback records the
 * key it is given (in visiting order), adds 1 to the value and the key's
 * weight to the sum, and stops at key == stop. in: u64 flags, stop, 0 (the
 * count starts from the map, so the verifier does not walk every value it
 * could take). out: r0, then the ctx.
 */
static const char for_each_text[] =
	"r6 = map_value(0, 0) ll\n"
	"r1 = *(u64 *)(r6 + 16)\n *(u64 *)(r10 - 80) = r1\n r1 = *(u64 *)(r6 + 8)\n *(u64 *)(r10 - 72) = r1\n"
	"*(u64 *)(r10 - 64) = 0\n *(u64 *)(r10 - 56) = 0\n *(u64 *)(r10 - 48) = 0\n"
	"*(u64 *)(r10 - 40) = 0\n *(u64 *)(r10 - 32) = 0\n *(u64 *)(r10 - 24) = 0\n"
	"*(u64 *)(r10 - 16) = 0\n *(u64 *)(r10 - 8) = 0\n"
	"r1 = map_fd(2) ll\n r2 = func(cb) ll\n r3 = r10\n r3 += -80\n r4 = *(u64 *)(r6 + 0)\n"
	"call 164\n r7 = map_value(1, 0) ll\n *(u64 *)(r7 + 0) = r0\n"
	"r1 = *(u64 *)(r10 - 80)\n *(u64 *)(r7 + 8) = r1\n"
	"r1 = *(u64 *)(r10 - 64)\n *(u64 *)(r7 + 16) = r1\n r1 = *(u64 *)(r10 - 56)\n *(u64 *)(r7 + 24) = r1\n"
	"r1 = *(u64 *)(r10 - 48)\n *(u64 *)(r7 + 32) = r1\n r1 = *(u64 *)(r10 - 40)\n *(u64 *)(r7 + 40) = r1\n"
	"r1 = *(u64 *)(r10 - 32)\n *(u64 *)(r7 + 48) = r1\n r1 = *(u64 *)(r10 - 24)\n *(u64 *)(r7 + 56) = r1\n"
	"r1 = *(u64 *)(r10 - 16)\n *(u64 *)(r7 + 64) = r1\n r1 = *(u64 *)(r10 - 8)\n *(u64 *)(r7 + 72) = r1\n"
	"r0 = 0\n exit\n"
	"cb:\n r6 = *(u32 *)(r2 + 0)\n r7 = *(u64 *)(r4 + 0)\n r8 = r7\n r8 &= 7\n r8 <<= 3\n"
	"r9 = r4\n r9 += r8\n *(u64 *)(r9 + 16) = r6\n r7 += 1\n *(u64 *)(r4 + 0) = r7\n"
	"r8 = *(u64 *)(r3 + 0)\n r8 += 1\n *(u64 *)(r3 + 0) = r8\n"
	"r0 = 0\n r8 = *(u64 *)(r4 + 8)\n if r6 != r8 goto +1\n r0 = 1\n exit\n";

static void diff_for_each(void)
{
	if (!bpfrt_has_op(BPF_MAP_TYPE_ARRAY, 4, BPF_FUNC_for_each_map_elem)) {
		t_skip("helper_diff: for_each_map_elem: bpfrt's maps have no for_each yet");
		return;
	}
	for (int k = 0; k < 2; k++) {
		struct family f = { .name = k ? "for_each_map_elem (hash)" : "for_each_map_elem (array)" };
		struct dmap in, out, m;
		uint32_t keys[8];
		int nkeys = 0;
		struct dprog p;

		if (dmap_create(&in, BPF_MAP_TYPE_ARRAY, 4, 24, 1, 0, false) ||
		    dmap_create(&out, BPF_MAP_TYPE_ARRAY, 4, 80, 1, 0, false) ||
		    /* A hash map's order depends on its seed: 0 on every side. */
		    dmap_create(&m, k ? BPF_MAP_TYPE_HASH : BPF_MAP_TYPE_ARRAY, 4, 8, 8,
				k ? BPF_F_ZERO_SEED : 0, false))
			return;
		{
			struct dmap *maps[] = { &in, &out, &m };

			if (dprog_load(&p, for_each_text, maps, 3))
				t_fail("helper_diff: %s: the kernel refuses the program: %.3000s", f.name, vlog);
		}
		for (uint64_t i = 0; p.fd >= 0 && i < 60 * scale; i++) {
			uint64_t v[3] = { below(8) ? 0 : 1 + below(3), below(2) ? below(8) : 99, 0 };
			char desc[80];

			/* The hash map gets a random set of keys, inserted in a random order. */
			if (k) {
				for (int e = 0; e < nkeys; e++) {
					k_elem(BPF_MAP_DELETE_ELEM, m.fd, &keys[e], NULL, 0);
					for (int s = 0; s < ENGINES; s++)
						bpfrt_map__delete_elem(m.b[s], &keys[e], 4, 0);
				}
				nkeys = 0;
				/*
				 * Distinct keys: the kernel relinks an updated element at
				 * its bucket's head, bpfrt's hash map updates in place, so
				 * updating a present key changes the kernel's order only.
				 */
				for (int e = 0, n = 1 + (int)below(8); e < n; e++) {
					uint32_t key = below(5) * 8 + (uint32_t)e;
					uint64_t val = rnd();

					dmap_set(&m, key, &val);
					keys[nkeys++] = key;
				}
			}
			dmap_set(&in, 0, v);
			snprintf(desc, sizeof(desc), "case %" PRIu64 ", flags %" PRIu64 ", stop at key %" PRIu64,
				 i, v[0], v[1]);
			if (compare_out(&f, &p, &out, desc) && !k)
				for (int s = 1; s < SIDES; s++) {
					uint64_t kv, bv;
					bool same = true;

					for (uint32_t key = 0; key < 8; key++)
						same &= !dmap_get(&m, 0, key, &kv) && !dmap_get(&m, s, key, &bv) &&
							kv == bv;
					if (!same) {
						printf("helper_diff: %s: %s: values differ after the walk\n", f.name,
						       desc);
						f.mismatches++;
						break;
					}
				}
		}
		account(&f);
		dprog_free(&p);
		dmap_destroy(&in);
		dmap_destroy(&out);
		dmap_destroy(&m);
	}
}

/* ---- tail calls ---- */

/*
 * The caller adds 1 to out[0], then tail_call(ctx, pa, in[0]); falling
 * through it returns 1000 + out[0]. Slot 0 holds the caller itself (so it
 * runs 1 + 33 times), slot 1 a program returning 77, slot 2 nothing.
 */
static void diff_tail_call(void)
{
	struct family f = { .name = "tail_call" };
	struct dmap in = { .fd = -1 }, out = { .fd = -1 }, pa = { .fd = -1 };
	struct dprog caller, target, counter;
	uint32_t slot;
	int err = 0;

	memset(&counter, 0, sizeof(counter));
	counter.fd = -1;

	memset(&caller, 0, sizeof(caller));
	memset(&target, 0, sizeof(target));
	caller.fd = target.fd = -1;
	if (dmap_create(&in, BPF_MAP_TYPE_ARRAY, 4, 12, 1, 0, false) ||
	    dmap_create(&out, BPF_MAP_TYPE_ARRAY, 4, 8, 1, 0, false) ||
	    dmap_create(&pa, BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 4, 0, false))
		goto out;
	{
		struct dmap *maps[] = { &in, &out, &pa };

		if (dprog_load(&caller, "r6 = r1\n r7 = map_value(1, 0) ll\n r1 = *(u64 *)(r7 + 0)\n"
					"r1 += 1\n *(u64 *)(r7 + 0) = r1\n r8 = map_value(0, 0) ll\n"
					"r3 = *(u32 *)(r8 + 0)\n r1 = r6\n r2 = map_fd(2) ll\n call 12\n"
					"r0 = *(u64 *)(r7 + 0)\n r0 += 1000\n exit\n", maps, 3) ||
		    dprog_load(&target, "r0 = 77\n exit\n", NULL, 0) ||
		    /*
		     * n tail calls to the empty slot, then one to slot 1: the
		     * kernel counts a call to an empty slot against the 33.
		     */
		    dprog_load(&counter, "r6 = r1\n r8 = map_value(0, 0) ll\n r9 = *(u32 *)(r8 + 4)\n"
					 "r7 = 0\n loop:\n if r7 >= r9 goto done\n if r7 >= 40 goto done\n"
					 "r1 = r6\n r2 = map_fd(2) ll\n r3 = *(u32 *)(r8 + 8)\n call 12\n r7 += 1\n goto loop\n"
					 "done:\n r1 = r6\n r2 = map_fd(2) ll\n r3 = 1\n call 12\n"
					 "r0 = r7\n r0 += 2000\n exit\n", maps, 3)) {
			t_fail("helper_diff: tail_call: the kernel refuses the programs: %s", vlog);
			goto out;
		}
	}
	/* Slots: the kernel's take program fds, bpfrt's program ids. */
	for (int s = 0; s < SIDES && !err; s++)
		for (slot = 0; slot < 2 && !err; slot++) {
			struct dprog *p = slot ? &target : &caller;

			if (s == 0) {
				uint32_t fd = (uint32_t)p->fd;

				err = k_elem(BPF_MAP_UPDATE_ELEM, pa.fd, &slot, &fd, 0);
			} else {
				uint32_t id = bpfrt_prog__id(p->b[s - 1]);

				err = bpfrt_map__update_elem(pa.b[s - 1], &slot, 4, &id, 4, 0);
			}
		}
	if (err) {
		t_fail("helper_diff: tail_call: filling the program arrays: %s", strerror(-err));
		goto out;
	}
	for (uint64_t i = 0; i < 40; i++) {
		uint32_t in_v[3] = { i < 4 ? (uint32_t)i : below(2) ? below(3) : 5, 30 + below(6), 2 };
		uint64_t zero = 0;
		char desc[64];

		dmap_set(&in, 0, in_v);
		dmap_set(&out, 0, &zero);
		snprintf(desc, sizeof(desc), "tail call to slot %u", in_v[0]);
		compare_out(&f, &caller, &out, desc);
		snprintf(desc, sizeof(desc), "%u tail calls to an empty slot, then one more", in_v[1]);
		compare_out(&f, &counter, &out, desc);
	}
	/* The slots hold references on the programs (kernel and bpfrt): empty them. */
	for (slot = 0; slot < 2; slot++) {
		k_elem(BPF_MAP_DELETE_ELEM, pa.fd, &slot, NULL, 0);
		for (int s = 0; s < ENGINES; s++)
			bpfrt_map__delete_elem(pa.b[s], &slot, 4, 0);
	}
	account(&f);
out:
	dprog_free(&caller);
	dprog_free(&target);
	dprog_free(&counter);
	dmap_destroy(&in);
	dmap_destroy(&out);
	dmap_destroy(&pa);
}

/* ---- main ---- */

/* 0 if bpf() can load and test-run a socket filter here; else says why (SKIP). */
static int kernel_usable(void)
{
	struct dprog p;
	uint32_t r0;
	int err;

	memset(&p, 0, sizeof(p));
	err = dprog_load(&p, "r0 = 0\n exit\n", NULL, 0);
	if (err == -EPERM || err == -EACCES || err == -ENOSYS) {
		t_skip("helper_diff: bpf() not permitted here: %s", strerror(-err));
		dprog_free(&p);
		return err;
	}
	if (!err)
		err = dprog_run(&p, 0, &r0);
	if (err)
		t_skip("helper_diff: cannot load and test-run a socket filter: %s", strerror(-err));
	dprog_free(&p);
	return err;
}

int main(void)
{
	uint64_t seed;
	double t0 = now();

	seed = getenv("HDIFF_SEED") ? strtoull(getenv("HDIFF_SEED"), NULL, 0)
				    : (uint64_t)time(NULL) * 1000003u ^ (uint64_t)getpid();
	if (getenv("HDIFF_SCALE"))
		scale = strtoull(getenv("HDIFF_SCALE"), NULL, 0);
	rng = seed;
	vm = bpfrt_vm__new();
	if (!vm)
		return t_fail("helper_diff: bpfrt_vm__new"), t_exit();
	for (uint32_t id = 1; id < 256; id++)
		if (bpfrt_kernel_helper(id))
			bpfrt_vm__add_helper(vm, id, bpfrt_kernel_helper(id));
	if (kernel_usable()) {
		bpfrt_vm__free(vm);
		return t_exit();
	}
	printf("helper_diff: seed %" PRIu64 " (HDIFF_SEED to replay)\n", seed);
	diff_strtox();
	diff_strncmp();
	diff_snprintf();
	diff_loop();
	diff_ringbuf();
	diff_spin_lock();
	diff_map_ops();
	diff_queue_stack();
	diff_for_each();
	diff_tail_call();
	T_CHECK(total_mismatches == 0, "helper_diff: %" PRIu64 " cases against the kernel, %" PRIu64
		" mismatches (seed %" PRIu64 ", %.2f s)", total_cases, total_mismatches, seed, now() - t0);
	bpfrt_vm__free(vm);
	return t_exit();
}
