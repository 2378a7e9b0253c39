/* SPDX-License-Identifier: MIT */
/*
 * tests/map_diff_fd.c - differential test of bpfrt's maps of references
 * (prog_array, perf_event_array, array_of_maps, hash_of_maps) against the
 * kernel's, through the engine of map_diff.h (which describes the method
 * and the environment variables).
 *
 * Values name objects: the kernel's bpf(2) takes file descriptors, bpfrt
 * takes ids, and both return ids on look-up. Each row gets a set of
 * objects made the same way on both sides, N kernel programs
 * (BPF_PROG_TYPE_SOCKET_FILTER and XDP, "r0 = 0; exit") or inner maps with
 * their bpfrt twins; a value holds an object number, which becomes the fd
 * on the kernel's side and the id on bpfrt's, or a reference to nothing
 * (an fd that is not open, an id no object has: EBADF on both); looked-up
 * ids turn back into object numbers (+1, so that 0 is "no value"). The
 * objects include incompatible ones (another program type or attach type,
 * inner maps of another type, size or flags), so EINVAL is compared too.
 *
 * perf_event_array: bpfrt has no perf events, the kernel test makes none;
 * what compares is everything without one: update EBADF (any value),
 * lookup ENOTSUPP, delete ENOENT/E2BIG, iteration, freezing, batches.
 *
 * The create check: random attributes for these four types with a random
 * template (none, an array, a hash map, a prog_array, a map-in-map, ...)
 * on both sides, the same verdict.
 */
#include <fcntl.h>

#include "bpfrt/insn.h"
#include "bpfrt/vm.h"
#include "map_diff.h"
#include "map_diff_run.h"

#define NOBJ_MAX 8
#define BAD_ID   0x7ffffff0u   /* an id no bpfrt object has */
#define BAD_FD   1000000       /* an fd no process has open */
#define F_PRESERVE_ELEMS (1u << 11)

/* ---- the objects values name ------------------------------------------- */

enum objset { OBJ_NONE, OBJ_PROGS, OBJ_ARRAYS, OBJ_HASHES };

static struct {
	int n;
	int kfd[NOBJ_MAX];
	uint32_t kid[NOBJ_MAX];
	uint32_t bid[NOBJ_MAX];
	struct bpfrt_prog *bprog[NOBJ_MAX];
	struct bpfrt_map *bmap[NOBJ_MAX];
	int ktmpl;                   /* the row's template, kernel side */
	struct bpfrt_map *btmpl;
} objs;

static struct bpfrt_vm *vm;

static void obj_in(const struct target *t, uint8_t *val)
{
	uint32_t k, v;

	memcpy(&k, val, 4);
	k %= (uint32_t)objs.n + 1;
	if (k == (uint32_t)objs.n)
		v = t->map ? BAD_ID : (uint32_t)BAD_FD;
	else
		v = t->map ? objs.bid[k] : (uint32_t)objs.kfd[k];
	memcpy(val, &v, 4);
}

static void obj_out(const struct target *t, uint8_t *val)
{
	uint32_t v, k = 0xeeeeeeee;

	memcpy(&v, val, 4);
	for (int i = 0; i < objs.n; i++)
		if ((t->map ? objs.bid[i] : objs.kid[i]) == v)
			k = (uint32_t)i + 1;
	memcpy(val, &k, 4);
}

static const struct value_names obj_names = { obj_in, obj_out };

/* BPF_OBJ_GET_INFO_BY_FD: the id of a program or map fd, or 0. */
static uint32_t k_id(int fd, bool prog)
{
	struct bpf_prog_info pi;
	struct bpf_map_info mi;
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	memset(&pi, 0, sizeof(pi));
	memset(&mi, 0, sizeof(mi));
	a.info.bpf_fd = (uint32_t)fd;
	a.info.info_len = prog ? sizeof(pi) : sizeof(mi);
	a.info.info = prog ? ptr(&pi) : ptr(&mi);
	if (sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &a))
		return 0;
	return prog ? pi.id : mi.id;
}

/* "r0 = 0; exit" of a type, on each side. */
static void add_prog(enum bpfrt_prog_type type, int attach)
{
	struct bpf_insn kin[2] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	struct bpfrt_insn bin[2] = { BPFRT_MOV64_IMM(0, 0), BPFRT_EXIT_INSN() };
	struct bpfrt_load_opts o;
	union bpf_attr a;
	int i = objs.n, fd;

	memset(&a, 0, sizeof(a));
	a.prog_type = (uint32_t)type;
	a.insn_cnt = 2;
	a.insns = ptr(kin);
	a.license = ptr("GPL");
	a.expected_attach_type = (uint32_t)attach;
	fd = sys_bpf(BPF_PROG_LOAD, &a);
	if (fd < 0)
		return; /* this kernel does not take it: leave it out on both sides */
	memset(&o, 0, sizeof(o));
	o.sz = sizeof(o);
	o.prog_type = type;
	o.expected_attach_type = attach;
	objs.bprog[i] = bpfrt_prog__load(vm, bin, 2, &o);
	objs.kfd[i] = fd;
	objs.kid[i] = k_id(fd, true);
	objs.bid[i] = bpfrt_prog__id(objs.bprog[i]);
	objs.n++;
}

/* A map on each side; *kfd / *bmap, or -1 / NULL. */
static void twin_map(enum bpfrt_map_type type, uint32_t ks, uint32_t vs, uint32_t me,
		     uint32_t flags, int *kfd, struct bpfrt_map **bmap)
{
	*kfd = k_create(type, ks, vs, me, flags, 0, "inner");
	*bmap = *kfd >= 0 ? b_create(type, ks, vs, me, flags, 0, "inner") : NULL;
}

static void add_map(enum bpfrt_map_type type, uint32_t ks, uint32_t vs, uint32_t me,
		    uint32_t flags)
{
	int i = objs.n;

	twin_map(type, ks, vs, me, flags, &objs.kfd[i], &objs.bmap[i]);
	if (objs.kfd[i] < 0)
		return;
	objs.kid[i] = k_id(objs.kfd[i], false);
	objs.bid[i] = bpfrt_map__id(objs.bmap[i]);
	objs.n++;
}

static void objs_free(void)
{
	for (int i = 0; i < objs.n; i++) {
		close(objs.kfd[i]);
		bpfrt_prog__free(objs.bprog[i]);
		bpfrt_map__destroy(objs.bmap[i]);
	}
	if (objs.ktmpl >= 0)
		close(objs.ktmpl);
	bpfrt_map__destroy(objs.btmpl);
	memset(&objs, 0, sizeof(objs));
	objs.ktmpl = -1;
}

/* The objects of a row, and its template; false if some could not be made. */
static bool objs_make(enum objset set)
{
	objs_free();
	switch (set) {
	case OBJ_PROGS:
		for (int i = 0; i < 4; i++)
			add_prog(BPFRT_PROG_TYPE_SOCKET_FILTER, 0);
		add_prog(BPFRT_PROG_TYPE_XDP, 0);
		add_prog(BPFRT_PROG_TYPE_SOCKET_FILTER, 5);
		add_prog(BPFRT_PROG_TYPE_SCHED_CLS, 0);
		break;
	case OBJ_ARRAYS:
		twin_map(BPFRT_MAP_TYPE_ARRAY, 4, 8, 4, 0, &objs.ktmpl, &objs.btmpl);
		for (int i = 0; i < 3; i++)
			add_map(BPFRT_MAP_TYPE_ARRAY, 4, 8, 4, 0);
		add_map(BPFRT_MAP_TYPE_ARRAY, 4, 8, 8, 0);          /* max_entries */
		add_map(BPFRT_MAP_TYPE_ARRAY, 4, 16, 4, 0);         /* value size */
		add_map(BPFRT_MAP_TYPE_HASH, 4, 8, 4, 0);           /* type */
		add_map(BPFRT_MAP_TYPE_ARRAY, 4, 8, 4, BPFRT_F_RDONLY_PROG); /* flags */
		break;
	case OBJ_HASHES:
		twin_map(BPFRT_MAP_TYPE_HASH, 4, 8, 16, 0, &objs.ktmpl, &objs.btmpl);
		add_map(BPFRT_MAP_TYPE_HASH, 4, 8, 16, 0);
		add_map(BPFRT_MAP_TYPE_HASH, 4, 8, 64, 0);          /* any max_entries */
		add_map(BPFRT_MAP_TYPE_HASH, 4, 8, 2, 0);
		add_map(BPFRT_MAP_TYPE_HASH, 4, 8, 16, BPFRT_F_NO_PREALLOC); /* flags */
		add_map(BPFRT_MAP_TYPE_LRU_HASH, 4, 8, 16, 0);      /* type */
		add_map(BPFRT_MAP_TYPE_HASH, 8, 8, 16, 0);          /* key size */
		break;
	default:
		break;
	}
	for (int i = 0; i < objs.n; i++)
		if (!objs.kid[i] || !objs.bid[i])
			return false;
	if (set == OBJ_ARRAYS || set == OBJ_HASHES)
		return objs.ktmpl >= 0 && objs.btmpl;
	return set != OBJ_PROGS || objs.n >= 2;
}

/* ---- the rows ---------------------------------------------------------- */

#define MIX_FD                                                            \
	{ [OP_LOOKUP] = 2000, [OP_UPDATE] = 3000, [OP_DELETE] = 1500,     \
	  [OP_LOOKUP_AND_DELETE] = 200, [OP_NEXT_KEY] = 800,              \
	  [OP_ITERATE] = 40, [OP_FREEZE] = 3, [OP_LOOKUP_BATCH] = 150,    \
	  [OP_LOOKUP_AND_DELETE_BATCH] = 20, [OP_UPDATE_BATCH] = 200,     \
	  [OP_DELETE_BATCH] = 100 }

#define FD_ARRAY_SEEN                                                          \
	"update:0 update:EINVAL update:E2BIG update:EPERM lookup:0 lookup:ENOENT " \
	"delete:0 delete:ENOENT delete:E2BIG delete:EPERM next_key:ENOENT "     \
	"lookup_and_delete:ENOTSUPP freeze:EPERM "
#define NAMED_SEEN FD_ARRAY_SEEN "update:EBADF "

/*
 * Map-in-maps are slow on the kernel's side: every successful update or
 * delete waits for an RCU grace period (maybe_wait_bpf_programs), a
 * millisecond or more on a busy machine. Unless MAPDIFF_OPS is given, their
 * rows run for SLOW_ROW_S seconds each rather than the full count.
 */
#define SLOW_ROW_S 0.4

struct fd_row {
	struct row row;
	enum objset set;
	bool slow;
};

static const struct fd_row fd_rows[] = {
	{ { "prog_array", BPFRT_MAP_TYPE_PROG_ARRAY, 4, 4, 16, 0, 0, SH_ARRAY, 0, MIX_FD,
	    NAMED_SEEN "lookup_batch:ENOTSUPP update_batch:ENOTSUPP", &obj_names }, OBJ_PROGS,
	  false },
	{ { "perf_event_array", BPFRT_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, 16, 0, 0, SH_ARRAY, 0,
	    MIX_FD, "update:EBADF update:EINVAL update:E2BIG lookup:ENOTSUPP delete:ENOENT "
	    "delete:E2BIG next_key:ENOENT lookup_batch:ENOTSUPP freeze:EPERM", NULL }, OBJ_NONE,
	  false },
	{ { "array_of_maps", BPFRT_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 16, 0, 0, SH_ARRAY, 0, MIX_FD,
	    NAMED_SEEN "lookup_batch:ENOENT update_batch:EINVAL delete_batch:ENOTSUPP",
	    &obj_names }, OBJ_ARRAYS, true },
	{ { "hash_of_maps", BPFRT_MAP_TYPE_HASH_OF_MAPS, 4, 4, 16, 0, 0, SH_HASH, 32, MIX_FD,
	    "update:0 update:EBADF update:EINVAL update:EEXIST update:ENOENT update:E2BIG "
	    "lookup:0 lookup:ENOENT delete:0 delete:ENOENT lookup_and_delete:ENOTSUPP "
	    "lookup_batch:ENOENT lookup_and_delete_batch:ENOENT update_batch:E2BIG "
	    "delete_batch:ENOENT", &obj_names }, OBJ_HASHES, true },
	{ { "hash_of_maps/no_prealloc", BPFRT_MAP_TYPE_HASH_OF_MAPS, 8, 4, 12,
	    BPFRT_F_NO_PREALLOC, 0, SH_HASH, 24, MIX_FD,
	    "update:0 update:EBADF update:EINVAL update:E2BIG lookup:0 delete:0", &obj_names },
	  OBJ_HASHES, true },
};

/* ---- creation ---------------------------------------------------------- */

/* The templates the create check tries, on both sides (index 0: none). */
#define NTMPL 14
static int ktmpls[NTMPL];
static struct bpfrt_map *btmpls[NTMPL];

static void templates_make(void)
{
	static const struct {
		enum bpfrt_map_type type;
		uint32_t ks, vs, me, flags;
	} t[NTMPL] = {
		{ 0, 0, 0, 0, 0 },
		{ BPFRT_MAP_TYPE_ARRAY, 4, 8, 4, 0 },
		{ BPFRT_MAP_TYPE_ARRAY, 4, 8, 4, BPFRT_F_INNER_MAP },
		{ BPFRT_MAP_TYPE_HASH, 4, 8, 16, 0 },
		{ BPFRT_MAP_TYPE_PROG_ARRAY, 4, 4, 4, 0 },
		{ BPFRT_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 4, 0 },
		{ BPFRT_MAP_TYPE_HASH_OF_MAPS, 4, 4, 4, 0 },
		{ BPFRT_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, 4, 0 },
		{ BPFRT_MAP_TYPE_QUEUE, 0, 8, 4, 0 },
		{ BPFRT_MAP_TYPE_RINGBUF, 0, 0, 4096, 0 },
		{ BPFRT_MAP_TYPE_PERCPU_ARRAY, 4, 8, 4, 0 },
		{ BPFRT_MAP_TYPE_LRU_HASH, 4, 8, 16, 0 },
		{ BPFRT_MAP_TYPE_LPM_TRIE, 8, 8, 16, BPFRT_F_NO_PREALLOC },
		{ BPFRT_MAP_TYPE_BLOOM_FILTER, 0, 8, 16, 0 },
	};

	ktmpls[0] = 0; /* stdin: not a map (main makes sure it is open) */
	btmpls[0] = NULL;
	for (int i = 1; i < NTMPL; i++) {
		/* Map-in-map templates are made from the array (1) and hash (3) ones. */
		int inner = t[i].type == BPFRT_MAP_TYPE_ARRAY_OF_MAPS ? 1 :
			    t[i].type == BPFRT_MAP_TYPE_HASH_OF_MAPS ? 3 : 0;
		uint64_t extra = t[i].type == BPFRT_MAP_TYPE_BLOOM_FILTER ? 3 : 0;

		ktmpls[i] = k_create_inner(t[i].type, t[i].ks, t[i].vs, t[i].me, t[i].flags, extra,
					   "tmpl", inner ? ktmpls[inner] : 0);
		btmpls[i] = ktmpls[i] < 0 ? NULL :
			    b_create_inner(t[i].type, t[i].ks, t[i].vs, t[i].me, t[i].flags, extra,
					   "tmpl", inner ? btmpls[inner] : NULL);
	}
}

static void templates_free(void)
{
	for (int i = 1; i < NTMPL; i++) {
		if (ktmpls[i] >= 0)
			close(ktmpls[i]);
		bpfrt_map__destroy(btmpls[i]);
	}
}

static void check_create(uint64_t n)
{
	static const enum bpfrt_map_type types[] = {
		BPFRT_MAP_TYPE_PROG_ARRAY, BPFRT_MAP_TYPE_PERF_EVENT_ARRAY,
		BPFRT_MAP_TYPE_ARRAY_OF_MAPS, BPFRT_MAP_TYPE_HASH_OF_MAPS,
	};
	static const uint32_t kss[] = { 0, 1, 4, 4, 4, 8, 16 };
	static const uint32_t vss[] = { 0, 1, 4, 4, 4, 8 };
	static const uint32_t mes[] = { 0, 1, 2, 4, 16, 1000, 65536 };
	static const uint32_t known[] = {
		BPFRT_F_NO_PREALLOC, BPFRT_F_NO_COMMON_LRU, BPFRT_F_NUMA_NODE, BPFRT_F_RDONLY,
		BPFRT_F_WRONLY, BPFRT_F_ZERO_SEED, BPFRT_F_RDONLY_PROG, BPFRT_F_WRONLY_PROG,
		BPFRT_F_MMAPABLE, BPFRT_F_INNER_MAP, F_PRESERVE_ELEMS,
	};
	uint64_t i, tried = 0, bad = 0, env = 0, verdicts[NERR] = { 0 };
	double t0 = now();

	templates_make();
	rng = seed ^ 0xfdc4ea7eull;
	for (i = 0; i < n; i++) {
		enum bpfrt_map_type t = PICK(types);
		uint32_t ks = PICK(kss), vs = PICK(vss), me = PICK(mes), flags = 0;
		int tm = (int)below(NTMPL), kfd, berr;
		struct bpfrt_map *m;

		/* Mostly attributes the type can take, so the later checks are reached. */
		if (chance(60)) {
			ks = 4;
			vs = 4;
			if (chance(70))
				tm = 1 + (int)below(3);
		}
		for (size_t f = 0; f < NELEM(known); f++)
			if (chance(5))
				flags |= known[f];
		if (chance(3))
			flags |= 1u << 20;
		if (tm && (ktmpls[tm] < 0 || !btmpls[tm]))
			continue;
		tried++;
		kfd = k_create_inner(t, ks, vs, me, flags, 0, "map_diff", ktmpls[tm]);
		if (kfd >= 0)
			close(kfd);
		if (kfd == -ENOMEM || kfd == -EPERM) {
			env++;
			continue;
		}
		verdicts[err_index(kfd >= 0 ? 0 : kfd)]++;
		m = b_create_inner(t, ks, vs, me, flags, 0, "map_diff", btmpls[tm]);
		berr = m ? 0 : -errno;
		bpfrt_map__destroy(m);
		if ((kfd >= 0 ? 0 : kfd) == berr)
			continue;
		if (++bad <= SHOW_MAX)
			printf("map_diff_fd create: mismatch #%" PRIu64 ": %s key_size %" PRIu32
			       " value_size %" PRIu32 " max_entries %" PRIu32 " map_flags 0x%" PRIx32
			       " template #%d: kernel %s, bpfrt %s%s%s%s\n", bad, bpfrt_map_type_name(t),
			       ks, vs, me, flags, tm, kfd >= 0 ? "0" : err_str(kfd), err_str(berr),
			       bpfrt_msg[0] ? " (\"" : "", bpfrt_msg, bpfrt_msg[0] ? "\")" : "");
	}
	templates_free();
	if (stats) {
		printf("map_diff_fd create: the kernel's verdicts:");
		for (size_t e = 0; e < NERR; e++)
			if (verdicts[e])
				printf(" %s %" PRIu64, e < NELEM(errnames) ? errnames[e].name : "other",
				       verdicts[e]);
		printf("\n");
	}
	if (env)
		printf("map_diff_fd create: %" PRIu64 " attribute sets the kernel had no memory or "
		       "privilege for were left out\n", env);
	T_CHECK(bad == 0, "map_diff_fd create: %" PRIu64 " attribute sets, %" PRIu64
		" mismatches (seed %" PRIu64 ", %.2f s)", tried - env, bad, seed, now() - t0);
}

/* ---- main -------------------------------------------------------------- */

int main(void)
{
	uint64_t nops = env_u64("MAPDIFF_OPS", DEFAULT_OPS);
	const char *only = getenv("MAPDIFF_TYPE");
	double t0 = now();
	int fd;

	setvbuf(stdout, NULL, _IOLBF, 0);
	seed = env_u64("MAPDIFF_SEED", (uint64_t)time(NULL) * 1000003u ^ (uint64_t)getpid());
	trace = env_u64("MAPDIFF_TRACE", 0);
	stats = env_u64("MAPDIFF_STATS", 0);
	ncpus = possible_cpus();
	objs.ktmpl = -1;
	fd = k_create(BPFRT_MAP_TYPE_ARRAY, 4, 4, 1, 0, 0, "map_diff");
	if (fd == -EPERM || fd == -EACCES || fd == -ENOSYS) {
		t_skip("map_diff_fd: bpf() not permitted: %s (%s)", err_str(fd), strerror(-fd));
		return t_exit();
	}
	if (fd < 0) {
		t_fail("map_diff_fd: the kernel cannot create a 1-element array: %s", err_str(fd));
		return t_exit();
	}
	close(fd);
	/* inner_map_fd 0 must be a file that is not a map (EINVAL), not a closed fd (EBADF). */
	if (fcntl(0, F_GETFD) < 0 && open("/dev/null", O_RDONLY) != 0) {
		t_fail("map_diff_fd: cannot open /dev/null as fd 0");
		return t_exit();
	}
	vm = bpfrt_vm__new();
	if (!vm) {
		t_fail("map_diff_fd: bpfrt_vm__new");
		return t_exit();
	}
	signal(SIGALRM, on_alarm);
	bpfrt_set_print(keep_msg);
	printf("map_diff_fd: seed %" PRIu64 ", %" PRIu64 " ops per type\n", seed, nops);
	for (size_t r = 0; r < NELEM(fd_rows); r++) {
		const struct fd_row *fr = &fd_rows[r];

		if (!selected(only, fr->row.name))
			continue;
		if (!objs_make(fr->set)) {
			t_fail("map_diff_fd %s: making the objects its values name failed", fr->row.name);
			continue;
		}
		row_inner_fd = objs.ktmpl >= 0 ? objs.ktmpl : 0;
		row_inner = objs.btmpl;
		if (stats)
			printf("map_diff_fd %s: %d objects\n", fr->row.name, objs.n);
		row_budget_s = fr->slow && !getenv("MAPDIFF_OPS") ? SLOW_ROW_S : 0;
		row_watchdog_s = fr->slow ? WATCHDOG_S + (unsigned)(nops / 100) : WATCHDOG_S;
		if (row_budget_s > 0)
			printf("map_diff_fd %s: %.1f s of ops (the kernel waits for RCU after each "
			       "change; MAPDIFF_OPS=N for a full count)\n", fr->row.name, row_budget_s);
		run_row(&fr->row, nops);
	}
	objs_free();
	row_inner_fd = 0;
	row_inner = NULL;
	if (!only || !*only)
		check_create(env_u64("MAPDIFF_CREATE", DEFAULT_CREATE));
	bpfrt_vm__free(vm);
	printf("map_diff_fd: %.1f s in all\n", now() - t0);
	free(oplog);
	return t_exit();
}
