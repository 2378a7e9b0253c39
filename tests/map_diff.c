/* SPDX-License-Identifier: MIT */
/*
 * tests/map_diff.c - differential test of bpfrt's maps against the kernel's.
 *
 * The same random operation sequences run on a kernel map (bpf(2):
 * BPF_MAP_CREATE, *_ELEM, GET_NEXT_KEY, FREEZE, *_BATCH) and on a bpfrt map
 * (include/bpfrt/map.h) with the same attributes; every error code, every
 * value returned, every key reached must agree.
 *
 * Each map type under test is one row of rows[]: type, key and value size,
 * max_entries, flags, a "shape" (how keys are drawn and how results
 * compare), the op mix, and the kernel results the ops must have met (a
 * coverage check on the generator). A row whose bpfrt_map__create fails
 * with ENOTSUPP is a SKIP ("bpfrt does not implement <type> yet").
 *
 * Comparing. Arrays iterate in a defined order, so iterations and batch
 * lookups compare element by element. Hash maps and tries do not: a full
 * iteration (get_next_key from NULL until ENOENT) and a batch walk (calls
 * chained through out_batch until ENOENT) compare as sets of (key, value),
 * and each side must visit every key exactly once. A single get_next_key
 * from a present key of a hash map may be 0 or ENOENT on either side (it
 * depends on the order); its result must then be a present key other than
 * the one given. Batch tokens are opaque and never compared; the kernel's
 * hash batches are bucket-sized (ENOSPC when a bucket does not fit), so
 * only whole walks compare there. A batch's *count is compared when the
 * call ran (0, ENOENT, E2BIG, EEXIST, ENOSPC): the kernel leaves it alone
 * when it rejects a call before starting, so callers cannot rely on it then.
 * A bloom filter's peek of a value never pushed may be a false positive on
 * either side and is not compared. Output buffers are poisoned first (the
 * padding of per-CPU values is compared too) and guarded after.
 *
 * Per-CPU maps: the kernel's user-space values have one slot per possible
 * CPU (/sys/devices/system/cpu/possible); bpfrt's maps are made with that
 * nr_cpus, so the buffers compare byte for byte.
 *
 * Not counted as mismatches: the kernel's ENOMEM on an update (its maps
 * without preallocation refill per-CPU caches asynchronously; fresh maps
 * follow), and in the create check the kernel's ENOMEM and EPERM.
 *
 * The create check: random attributes (type, sizes, max_entries, flags,
 * map_extra, name), mostly valid for the type, must get the same verdict;
 * maps that could take more than 4 MiB are not tried.
 *
 * The op sequence: epochs of a few thousand ops on fresh maps; within an
 * epoch the mix swings between filling (mostly updates) and draining
 * (mostly deletes), so hash maps fill up (E2BIG) and empty out. Freezing
 * ends an epoch after a short frozen tail. After a mismatch both maps are
 * made again, so one bug is one mismatch, not a cascade.
 *
 * A mismatch is printed with the op and both results, then minimised: the
 * ops since the last fresh map are replayed on fresh maps and dropped
 * while the last op still differs (and no earlier one does), and the
 * shortest sequence is printed with both sides' results for every op.
 *
 * Environment: MAPDIFF_OPS=N (ops per type, default 100000), MAPDIFF_SEED=S
 * (default random; printed), MAPDIFF_TYPE=a,b (only those rows; no create
 * check), MAPDIFF_TRACE=1 (print every op with both results),
 * MAPDIFF_CREATE=N (attribute sets for the create check, default 3000),
 * MAPDIFF_STATS=1 (print the kernel's results by op for each row).
 * A mismatch at op I replays with MAPDIFF_SEED=S MAPDIFF_TYPE=row
 * MAPDIFF_OPS=I+1 MAPDIFF_TRACE=1: the op sequence does not depend on
 * results, so it is the same run up to op I.
 */
#include <errno.h>
#include <inttypes.h>
#include <linux/bpf.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "bpfrt/bpfrt.h"
#include "bpfrt/map.h"
#include "bpfrt/types.h"
#include "harness.h"

#ifndef ENOTSUPP
#define ENOTSUPP 524 /* the kernel's; user space headers lack it */
#endif

#define DEFAULT_OPS    100000
#define DEFAULT_CREATE 3000
#define SHOW_MAX    5       /* mismatches printed in full (and minimised) */
#define KEY_MAX     16      /* largest key a row may have */
#define BATCH_MAX   16      /* keys in one update/delete batch */
#define RING        32      /* recently written keys the generator reuses */
#define GUARD       16      /* bytes checked after every output buffer */
#define TOKEN       16      /* batch token buffers (hash: 4 bytes, arrays: a key) */
#define CALLS_MAX   80      /* per-call results of a batch walk kept */
#define EPOCH_MIN   2000    /* ops on one pair of maps ... */
#define EPOCH_SPAN  4000    /* ... plus up to this many */
#define TIDE        300     /* ops in each fill / churn / drain phase */
#define FROZEN_TAIL 150     /* ops on a frozen map before fresh maps */
#define MINIMISE_S  3.0     /* seconds one minimisation may take */
#define WATCHDOG_S  40      /* seconds one row may take */
#define CREATE_MEM  (4u << 20) /* create check: largest map tried, bytes */

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define PICK(a) ((a)[below(NELEM(a))])

/* ---- random numbers ---------------------------------------------------- */

static uint64_t rng, seed;

static uint64_t splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t rnd(void)
{
	return splitmix(&rng);
}

static uint32_t below(uint32_t n)
{
	return (uint32_t)(rnd() % n);
}

static bool chance(unsigned pct)
{
	return below(100) < pct;
}

/* ---- ops and rows ------------------------------------------------------ */

/* X(NAME, "name") */
#define OPS(X)                                                  \
	X(LOOKUP, "lookup")                                     \
	X(UPDATE, "update")                                     \
	X(DELETE, "delete")                                     \
	X(LOOKUP_AND_DELETE, "lookup_and_delete")               \
	X(NEXT_KEY, "next_key")                                 \
	X(ITERATE, "iterate")                                   \
	X(FREEZE, "freeze")                                     \
	X(LOOKUP_BATCH, "lookup_batch")                         \
	X(LOOKUP_AND_DELETE_BATCH, "lookup_and_delete_batch")   \
	X(UPDATE_BATCH, "update_batch")                         \
	X(DELETE_BATCH, "delete_batch")                         \
	X(RESET, "reset")

enum op_kind {
#define X(name, str) OP_##name,
	OPS(X)
#undef X
	OP__COUNT
};

static const char *const op_names[OP__COUNT] = {
#define X(name, str) [OP_##name] = str,
	OPS(X)
#undef X
};

/* How keys are drawn and how results compare. */
enum shape {
	SH_ARRAY, /* u32 index keys, defined order: compare exactly */
	SH_HASH,  /* keys from a key space, no order: compare sets */
	SH_LPM,   /* struct bpf_lpm_trie_key_u8 with IPv4 data, no order */
	SH_QUEUE, /* no keys: push (update), peek (lookup), pop */
	SH_BLOOM, /* no keys: push, and peeks that may be false positives */
	SH_NONE,  /* no keys and no element ops at all (ringbuf) */
};

struct row {
	const char *name;
	enum bpfrt_map_type type;
	uint32_t key_size, value_size, max_entries, map_flags;
	uint64_t map_extra;
	enum shape shape;
	uint32_t key_space;          /* hash keys / bloom values drawn from */
	uint16_t mix[OP__COUNT];     /* relative weights of the ops */
	const char *must_see;        /* "op:ERR ...": kernel results to meet */
};

/* The op mixes, in parts of about 10,000. */
#define MIX_KEYED                                                         \
	{ [OP_LOOKUP] = 2000, [OP_UPDATE] = 3000, [OP_DELETE] = 1200,     \
	  [OP_LOOKUP_AND_DELETE] = 500, [OP_NEXT_KEY] = 1000,             \
	  [OP_ITERATE] = 30, [OP_FREEZE] = 3, [OP_LOOKUP_BATCH] = 150,    \
	  [OP_LOOKUP_AND_DELETE_BATCH] = 5, [OP_UPDATE_BATCH] = 200,      \
	  [OP_DELETE_BATCH] = 150 }
#define MIX_KEYLESS                                                       \
	{ [OP_LOOKUP] = 2500, [OP_UPDATE] = 3000, [OP_DELETE] = 200,      \
	  [OP_LOOKUP_AND_DELETE] = 2000, [OP_NEXT_KEY] = 200,             \
	  [OP_ITERATE] = 20, [OP_FREEZE] = 3, [OP_LOOKUP_BATCH] = 100,    \
	  [OP_LOOKUP_AND_DELETE_BATCH] = 20, [OP_UPDATE_BATCH] = 100,     \
	  [OP_DELETE_BATCH] = 100 }

#define COMMON_SEEN "update:EINVAL update:EPERM lookup:EINVAL delete:EINVAL freeze:EPERM "
#define ARRAY_SEEN COMMON_SEEN                                                 \
	"lookup:ENOENT update:E2BIG update:EEXIST next_key:ENOENT "            \
	"lookup_and_delete:ENOTSUPP lookup_batch:ENOENT update_batch:EINVAL "   \
	"update_batch:E2BIG delete_batch:ENOTSUPP"
#define HASH_SEEN COMMON_SEEN                                                  \
	"lookup:ENOENT update:E2BIG update:EEXIST update:ENOENT delete:ENOENT "  \
	"lookup_and_delete:ENOENT next_key:ENOENT lookup_batch:ENOENT "          \
	"lookup_and_delete_batch:ENOENT update_batch:E2BIG update_batch:EINVAL " \
	"delete_batch:ENOENT"

/*
 * The rows. Hash maps have a key space twice their size, so the fill
 * phases reach E2BIG; LRU maps have one far below theirs, because an LRU
 * map evicts in an order private to each implementation (the kernel's
 * per-CPU free lists even evict before the map is full), so only maps that
 * never evict compare exactly.
 */
static const struct row rows[] = {
	{ "array", BPFRT_MAP_TYPE_ARRAY, 4, 12, 32, 0, 0, SH_ARRAY, 0, MIX_KEYED, ARRAY_SEEN },
	{ "percpu_array", BPFRT_MAP_TYPE_PERCPU_ARRAY, 4, 12, 16, 0, 0, SH_ARRAY, 0, MIX_KEYED,
	  ARRAY_SEEN },
	{ "hash", BPFRT_MAP_TYPE_HASH, 4, 8, 64, 0, 0, SH_HASH, 128, MIX_KEYED, HASH_SEEN },
	{ "hash/no_prealloc", BPFRT_MAP_TYPE_HASH, 6, 12, 64, BPFRT_F_NO_PREALLOC, 0, SH_HASH,
	  128, MIX_KEYED, HASH_SEEN },
	{ "percpu_hash", BPFRT_MAP_TYPE_PERCPU_HASH, 8, 4, 48, 0, 0, SH_HASH, 96, MIX_KEYED,
	  HASH_SEEN },
	{ "percpu_hash/no_prealloc", BPFRT_MAP_TYPE_PERCPU_HASH, 4, 20, 48,
	  BPFRT_F_NO_PREALLOC, 0, SH_HASH, 96, MIX_KEYED, HASH_SEEN },
	{ "array/rdonly", BPFRT_MAP_TYPE_ARRAY, 4, 8, 8, BPFRT_F_RDONLY, 0, SH_ARRAY, 0,
	  MIX_KEYED, "update:EPERM delete:EPERM update_batch:EPERM freeze:EPERM lookup:ENOENT" },
	{ "hash/wronly", BPFRT_MAP_TYPE_HASH, 4, 8, 32, BPFRT_F_WRONLY, 0, SH_HASH, 64, MIX_KEYED,
	  "lookup:EPERM next_key:EPERM lookup_batch:EPERM update:E2BIG delete:ENOENT" },
	{ "lru_hash", BPFRT_MAP_TYPE_LRU_HASH, 4, 8, 1024, 0, 0, SH_HASH, 256, MIX_KEYED,
	  COMMON_SEEN "lookup:ENOENT update:EEXIST update:ENOENT delete:ENOENT" },
	{ "lru_percpu_hash", BPFRT_MAP_TYPE_LRU_PERCPU_HASH, 4, 12, 1024, 0, 0, SH_HASH, 256,
	  MIX_KEYED, COMMON_SEEN "lookup:ENOENT update:EEXIST update:ENOENT delete:ENOENT" },
	{ "lpm_trie", BPFRT_MAP_TYPE_LPM_TRIE, 8, 8, 24, BPFRT_F_NO_PREALLOC, 0, SH_LPM, 0,
	  MIX_KEYED, COMMON_SEEN "lookup:ENOENT update:ENOSPC update:EEXIST update:ENOENT "
	  "delete:ENOENT next_key:ENOENT" },
	{ "queue", BPFRT_MAP_TYPE_QUEUE, 0, 8, 16, 0, 0, SH_QUEUE, 0, MIX_KEYLESS,
	  "update:E2BIG update:EINVAL update:EPERM lookup:ENOENT lookup_and_delete:ENOENT "
	  "delete:EINVAL next_key:EINVAL" },
	{ "stack", BPFRT_MAP_TYPE_STACK, 0, 8, 16, 0, 0, SH_QUEUE, 0, MIX_KEYLESS,
	  "update:E2BIG update:EINVAL update:EPERM lookup:ENOENT lookup_and_delete:ENOENT "
	  "delete:EINVAL next_key:EINVAL" },
	{ "bloom_filter", BPFRT_MAP_TYPE_BLOOM_FILTER, 0, 8, 64, 0, 3, SH_BLOOM, 256, MIX_KEYLESS,
	  "update:EINVAL update:EPERM lookup:ENOENT" },
	{ "ringbuf", BPFRT_MAP_TYPE_RINGBUF, 0, 0, 16384, 0, 0, SH_NONE, 0, MIX_KEYLESS,
	  "lookup:ENOTSUPP update:ENOTSUPP" },
};

/* One op, fully specified: replaying it needs nothing else. */
struct op {
	enum op_kind kind;
	bool null_key;
	bool walk;               /* batch reads: chain calls until ENOENT */
	uint8_t key[KEY_MAX];
	uint64_t flags;          /* flags, or a batch's elem_flags */
	uint64_t vseed;          /* value i is made from vseed + i */
	int32_t vidx;            /* bloom filter: index of the value, or -1 */
	uint32_t count;          /* batch: capacity, or number of keys */
	uint8_t keys[BATCH_MAX][KEY_MAX];
};

/* What one side made of an op. */
struct result {
	int err;                 /* the op's error; a walk's last */
	int err2;                /* a second call's; see exec_op() */
	bool loose;              /* err may be 0 or ENOENT (hash order) */
	bool has_count;
	uint32_t count;          /* a single batch call's *count */
	size_t nrec;             /* records: key, then value */
	uint8_t *rec;
	int ncalls;              /* a batch walk's calls, when compared */
	int32_t calls[CALLS_MAX][2];
	char broken[240];        /* an invariant this side broke, or "" */
};

/* The row under test, with derived sizes and scratch buffers. */
static struct {
	const struct row *row;
	uint32_t ks, vs, uv;     /* key size, value size, value bytes in user space */
	size_t rec;              /* ks + uv */
	size_t cap;              /* records one result or batch buffer holds */
	bool ordered, keyed;
	uint8_t *kb, *vb;        /* batch buffers */
	uint8_t *val, *nkey;     /* one value, one key */
	uint8_t tok_in[TOKEN], tok_out[TOKEN + GUARD];
	uint8_t *pushed;         /* bloom filter: values pushed, by index */
} cx;

static int ncpus;
static bool trace, stats;

static bool is_percpu(enum bpfrt_map_type t)
{
	return t == BPFRT_MAP_TYPE_PERCPU_ARRAY || t == BPFRT_MAP_TYPE_PERCPU_HASH ||
	       t == BPFRT_MAP_TYPE_LRU_PERCPU_HASH;
}

static uint32_t round8(uint32_t n)
{
	return (n + 7) & ~7u;
}

/* ---- the two maps ------------------------------------------------------ */

struct target {
	const char *name;
	int fd;                  /* the kernel's map */
	struct bpfrt_map *map;   /* bpfrt's */
};

static struct target kt = { "kernel", -1, NULL };
static struct target bt = { "bpfrt", -1, NULL };

static uint64_t ptr(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

/* 0 (or an fd) or -errno. */
static int sys_bpf(int cmd, union bpf_attr *attr)
{
	long r = syscall(__NR_bpf, cmd, attr, sizeof(*attr));

	return r < 0 ? -errno : (int)r;
}

static int k_create(enum bpfrt_map_type type, uint32_t ks, uint32_t vs, uint32_t me,
		    uint32_t flags, uint64_t extra, const char *name)
{
	union bpf_attr a;
	size_t len = strlen(name);

	memset(&a, 0, sizeof(a));
	a.map_type = type;
	a.key_size = ks;
	a.value_size = vs;
	a.max_entries = me;
	a.map_flags = flags;
	a.map_extra = extra;
	/* A name of 16 bytes or more arrives without its NUL: EINVAL. */
	memcpy(a.map_name, name, len < sizeof(a.map_name) ? len : sizeof(a.map_name));
	return sys_bpf(BPF_MAP_CREATE, &a);
}

/* bpfrt's last diagnostic, shown with a failed create instead of on stderr. */
static char bpfrt_msg[256];

static int keep_msg(enum bpfrt_print_level level, const char *fmt, va_list ap)
{
	size_t n;

	(void)level;
	vsnprintf(bpfrt_msg, sizeof(bpfrt_msg), fmt, ap);
	n = strlen(bpfrt_msg);
	while (n && bpfrt_msg[n - 1] == '\n')
		bpfrt_msg[--n] = 0;
	return 0;
}

/* NULL with errno set; bpfrt_msg says why, if bpfrt said. */
static struct bpfrt_map *b_create(enum bpfrt_map_type type, uint32_t ks, uint32_t vs, uint32_t me,
				  uint32_t flags, uint64_t extra, const char *name)
{
	struct bpfrt_map_create_opts o;

	memset(&o, 0, sizeof(o));
	o.sz = sizeof(o);
	o.name = name;
	o.map_flags = flags;
	o.map_extra = extra;
	o.nr_cpus = is_percpu(type) ? (uint32_t)ncpus : 0;
	bpfrt_msg[0] = 0;
	return bpfrt_map__create(type, ks, vs, me, &o);
}

static int k_elem(int cmd, int fd, const void *key, void *val, uint64_t flags)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)fd;
	a.key = ptr(key);
	a.value = ptr(val);
	a.flags = flags;
	return sys_bpf(cmd, &a);
}

static int m_lookup(const struct target *t, const void *key, void *val, uint64_t flags)
{
	if (t->map)
		return bpfrt_map__lookup_elem(t->map, key, cx.ks, val, cx.uv, flags);
	return k_elem(BPF_MAP_LOOKUP_ELEM, t->fd, key, val, flags);
}

static int m_update(const struct target *t, const void *key, const void *val, uint64_t flags)
{
	if (t->map)
		return bpfrt_map__update_elem(t->map, key, cx.ks, val, cx.uv, flags);
	return k_elem(BPF_MAP_UPDATE_ELEM, t->fd, key, (void *)(uintptr_t)val, flags);
}

/* bpf(2) has no flags for DELETE_ELEM: nonzero ones there are EINVAL. */
static int m_delete(const struct target *t, const void *key, uint64_t flags)
{
	if (t->map)
		return bpfrt_map__delete_elem(t->map, key, cx.ks, flags);
	return k_elem(BPF_MAP_DELETE_ELEM, t->fd, key, NULL, flags);
}

static int m_lookup_and_delete(const struct target *t, const void *key, void *val,
			       uint64_t flags)
{
	if (t->map)
		return bpfrt_map__lookup_and_delete_elem(t->map, key, cx.ks, val, cx.uv, flags);
	return k_elem(BPF_MAP_LOOKUP_AND_DELETE_ELEM, t->fd, key, val, flags);
}

static int m_next_key(const struct target *t, const void *key, void *next)
{
	union bpf_attr a;

	if (t->map)
		return bpfrt_map__get_next_key(t->map, key, next, cx.ks);
	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)t->fd;
	a.key = ptr(key);
	a.next_key = ptr(next);
	return sys_bpf(BPF_MAP_GET_NEXT_KEY, &a);
}

static int m_freeze(const struct target *t)
{
	union bpf_attr a;

	if (t->map)
		return bpfrt_map__freeze(t->map);
	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)t->fd;
	return sys_bpf(BPF_MAP_FREEZE, &a);
}

/* cmd: BPF_MAP_{LOOKUP,LOOKUP_AND_DELETE,UPDATE,DELETE}_BATCH. */
static int m_batch(const struct target *t, int cmd, void *in, void *out, void *keys,
		   void *vals, uint32_t *count, uint64_t flags)
{
	union bpf_attr a;
	int err;

	if (t->map) {
		switch (cmd) {
		case BPF_MAP_LOOKUP_BATCH:
			return bpfrt_map__lookup_batch(t->map, in, out, keys, vals, count, flags);
		case BPF_MAP_LOOKUP_AND_DELETE_BATCH:
			return bpfrt_map__lookup_and_delete_batch(t->map, in, out, keys, vals,
								  count, flags);
		case BPF_MAP_UPDATE_BATCH:
			return bpfrt_map__update_batch(t->map, keys, vals, count, flags);
		default:
			return bpfrt_map__delete_batch(t->map, keys, count, flags);
		}
	}
	memset(&a, 0, sizeof(a));
	a.batch.in_batch = ptr(in);
	a.batch.out_batch = ptr(out);
	a.batch.keys = ptr(keys);
	a.batch.values = ptr(vals);
	a.batch.count = *count;
	a.batch.map_fd = (uint32_t)t->fd;
	a.batch.elem_flags = flags;
	err = sys_bpf(cmd, &a);
	*count = a.batch.count;
	return err;
}

static void close_maps(void)
{
	if (kt.fd >= 0)
		close(kt.fd);
	kt.fd = -1;
	bpfrt_map__destroy(bt.map);
	bt.map = NULL;
}

/* Fresh maps for cx.row on both sides: 0, or the failing side's -errno in *kerr / *berr. */
static int open_maps(int *kerr, int *berr)
{
	const struct row *r = cx.row;

	close_maps();
	*kerr = *berr = 0;
	kt.fd = k_create(r->type, r->key_size, r->value_size, r->max_entries, r->map_flags,
			 r->map_extra, "map_diff");
	if (kt.fd < 0) {
		*kerr = kt.fd;
		kt.fd = -1;
		return -1;
	}
	bt.map = b_create(r->type, r->key_size, r->value_size, r->max_entries, r->map_flags,
			  r->map_extra, "map_diff");
	if (!bt.map) {
		*berr = -errno;
		close_maps();
		return -1;
	}
	if (cx.pushed)
		memset(cx.pushed, 0, cx.row->key_space);
	return 0;
}

/* ---- names and printing ------------------------------------------------ */

static const struct {
	int err;
	const char *name;
} errnames[] = {
	{ 0, "0" }, { ENOENT, "ENOENT" }, { EEXIST, "EEXIST" }, { E2BIG, "E2BIG" },
	{ EINVAL, "EINVAL" }, { EPERM, "EPERM" }, { ENOSPC, "ENOSPC" },
	{ ENOTSUPP, "ENOTSUPP" }, { EOPNOTSUPP, "EOPNOTSUPP" }, { EBUSY, "EBUSY" },
	{ EFAULT, "EFAULT" }, { ENOMEM, "ENOMEM" }, { EACCES, "EACCES" }, { EBADF, "EBADF" },
};

#define NERR (NELEM(errnames) + 1) /* the last counts any other error */

static size_t err_index(int err)
{
	size_t i;

	for (i = 0; i < NELEM(errnames); i++)
		if (errnames[i].err == -err)
			return i;
	return NELEM(errnames);
}

static const char *err_str(int err)
{
	static char buf[4][24];
	static unsigned n;
	size_t i = err_index(err);
	char *b;

	if (i < NELEM(errnames))
		return errnames[i].name;
	b = buf[n++ % 4];
	snprintf(b, sizeof(buf[0]), "errno %d", -err);
	return b;
}

__attribute__((format(printf, 4, 5))) static void add(char *s, size_t sz, size_t *len,
						      const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*len + 1 >= sz)
		return;
	va_start(ap, fmt);
	n = vsnprintf(s + *len, sz - *len, fmt, ap);
	va_end(ap);
	if (n > 0)
		*len = *len + (size_t)n < sz ? *len + (size_t)n : sz - 1;
}

/* Hex of p[0..n), at most 24 bytes shown. */
static const char *hex(const uint8_t *p, size_t n)
{
	static char buf[8][64];
	static unsigned k;
	char *b = buf[k++ % 8];
	size_t i, len = 0, show = n > 24 ? 24 : n;

	b[0] = 0;
	for (i = 0; i < show; i++)
		add(b, sizeof(buf[0]), &len, "%02x", p[i]);
	if (show < n)
		add(b, sizeof(buf[0]), &len, "..");
	if (!n)
		add(b, sizeof(buf[0]), &len, "(empty)");
	return b;
}

static const char *key_str(const uint8_t *key)
{
	static char buf[4][64];
	static unsigned k;
	char *b;
	uint32_t v;

	if (!key)
		return "NULL";
	switch (cx.row->shape) {
	case SH_ARRAY:
		b = buf[k++ % 4];
		memcpy(&v, key, 4);
		snprintf(b, sizeof(buf[0]), "%" PRIu32, v);
		return b;
	case SH_LPM:
		b = buf[k++ % 4];
		memcpy(&v, key, 4);
		snprintf(b, sizeof(buf[0]), "%u.%u.%u.%u/%" PRIu32, key[4], key[5], key[6], key[7],
			 v);
		return b;
	default:
		return hex(key, cx.ks);
	}
}

static const char *flags_str(uint64_t f)
{
	static char buf[4][32];
	static unsigned k;
	char *b = buf[k++ % 4];
	static const char *const names[] = { "ANY", "NOEXIST", "EXIST", "3", "F_LOCK" };

	if (f < NELEM(names) && f != 3)
		snprintf(b, sizeof(buf[0]), "%s", names[f]);
	else
		snprintf(b, sizeof(buf[0]), "0x%" PRIx64, f);
	return b;
}

/* A record (key, then value) as text. */
static const char *rec_str(const uint8_t *rec, bool key_only)
{
	static char buf[4][160];
	static unsigned k;
	char *b = buf[k++ % 4];

	if (!cx.ks)
		snprintf(b, sizeof(buf[0]), "value %s", hex(rec, cx.uv));
	else if (key_only || !cx.uv)
		snprintf(b, sizeof(buf[0]), "key %s", key_str(rec));
	else
		snprintf(b, sizeof(buf[0]), "key %s value %s", key_str(rec), hex(rec + cx.ks, cx.uv));
	return b;
}

static void value_of(const struct op *op, uint32_t i, uint8_t *v);

static void op_str(const struct op *op, char *s, size_t sz)
{
	size_t len = 0;
	uint32_t i;

	s[0] = 0;
	add(s, sz, &len, "%s", op_names[op->kind]);
	switch (op->kind) {
	case OP_LOOKUP:
	case OP_LOOKUP_AND_DELETE:
	case OP_DELETE:
	case OP_UPDATE:
		if (cx.keyed)
			add(s, sz, &len, " key %s", key_str(op->null_key ? NULL : op->key));
		if (op->kind == OP_UPDATE || cx.row->shape == SH_BLOOM) {
			value_of(op, 0, cx.val);
			add(s, sz, &len, " value %s", hex(cx.val, cx.uv));
			if (op->vidx >= 0)
				add(s, sz, &len, " (#%" PRId32 ")", op->vidx);
		}
		if (op->kind == OP_UPDATE)
			add(s, sz, &len, " flags %s", flags_str(op->flags));
		else
			add(s, sz, &len, " flags 0x%" PRIx64, op->flags);
		break;
	case OP_NEXT_KEY:
		add(s, sz, &len, " key %s", key_str(op->null_key ? NULL : op->key));
		break;
	case OP_LOOKUP_BATCH:
	case OP_LOOKUP_AND_DELETE_BATCH:
		add(s, sz, &len, " count %" PRIu32 " elem_flags 0x%" PRIx64 "%s", op->count,
		    op->flags, op->walk ? " (calls chained until ENOENT)" : " (one call)");
		break;
	case OP_UPDATE_BATCH:
	case OP_DELETE_BATCH:
		add(s, sz, &len, " count %" PRIu32 " elem_flags 0x%" PRIx64 " keys [", op->count,
		    op->flags);
		for (i = 0; i < op->count; i++)
			add(s, sz, &len, "%s%s", i ? " " : "", key_str(op->keys[i]));
		add(s, sz, &len, "]");
		if (op->kind == OP_UPDATE_BATCH && op->count) {
			value_of(op, 0, cx.val);
			add(s, sz, &len, " values %s...", hex(cx.val, cx.uv));
		}
		break;
	default:
		break;
	}
}

static void res_str(const struct op *op, const struct result *r, char *s, size_t sz)
{
	size_t len = 0;
	int i;

	s[0] = 0;
	add(s, sz, &len, "%s", err_str(r->err));
	if (r->loose)
		add(s, sz, &len, " (0 or ENOENT: order)");
	if (r->has_count)
		add(s, sz, &len, ", count %" PRIu32, r->count);
	if (op->kind == OP_NEXT_KEY && cx.keyed && !cx.ordered && !op->null_key)
		add(s, sz, &len, ", key present: %s", r->err2 ? err_str(r->err2) : "yes");
	if (op->kind == OP_LOOKUP_AND_DELETE_BATCH && op->walk)
		add(s, sz, &len, ", then get_next_key(NULL): %s", err_str(r->err2));
	if (r->nrec == 1)
		add(s, sz, &len, ", %s", rec_str(r->rec, op->kind == OP_NEXT_KEY));
	else if (r->nrec > 1)
		add(s, sz, &len, ", %zu elements", r->nrec);
	if (r->ncalls > 1) {
		add(s, sz, &len, ", calls (err/count):");
		for (i = 0; i < r->ncalls && i < 8; i++)
			add(s, sz, &len, " %s/%" PRId32, err_str(r->calls[i][0]), r->calls[i][1]);
		if (r->ncalls > 8)
			add(s, sz, &len, " ...");
	}
	if (r->broken[0])
		add(s, sz, &len, "; BROKEN: %s", r->broken);
}

/* Where two records first differ, as text (values may be cut short when printed). */
static const char *where_diff(const uint8_t *a, const uint8_t *b)
{
	static char buf[96];
	size_t i;

	for (i = 0; i < cx.rec && a[i] == b[i]; i++)
		;
	if (i < cx.ks)
		snprintf(buf, sizeof(buf), "key byte %zu", i);
	else if (is_percpu(cx.row->type))
		snprintf(buf, sizeof(buf), "value byte %zu: CPU %zu, byte %zu of %" PRIu32 "%s",
			 i - cx.ks, (i - cx.ks) / round8(cx.vs), (i - cx.ks) % round8(cx.vs),
			 round8(cx.vs), (i - cx.ks) % round8(cx.vs) >= cx.vs ? " (padding)" : "");
	else
		snprintf(buf, sizeof(buf), "value byte %zu", i - cx.ks);
	return buf;
}

/* The records that differ: the first for ordered results, else set differences. */
static void print_diff(const struct result *k, const struct result *b)
{
	size_t i = 0, j = 0;
	int shown = 0;

	if (cx.ordered) {
		for (i = 0; i < k->nrec && i < b->nrec; i++)
			if (memcmp(k->rec + i * cx.rec, b->rec + i * cx.rec, cx.rec))
				break;
		if (i < k->nrec && i < b->nrec)
			printf("  element %zu first differs at %s\n", i,
			       where_diff(k->rec + i * cx.rec, b->rec + i * cx.rec));
		else if (i < k->nrec || i < b->nrec)
			printf("  element %zu: kernel %s | bpfrt %s\n", i,
			       i < k->nrec ? rec_str(k->rec + i * cx.rec, false) : "(none)",
			       i < b->nrec ? rec_str(b->rec + i * cx.rec, false) : "(none)");
		return;
	}
	while ((i < k->nrec || j < b->nrec) && shown < 8) {
		int c = i == k->nrec ? 1 : j == b->nrec ? -1 :
			memcmp(k->rec + i * cx.rec, b->rec + j * cx.rec, cx.rec);

		if (c == 0) {
			i++, j++;
		} else if (cx.ks && i < k->nrec && j < b->nrec &&
			   !memcmp(k->rec + i * cx.rec, b->rec + j * cx.rec, cx.ks)) {
			printf("  key %s: values differ at %s\n", key_str(k->rec + i * cx.rec),
			       where_diff(k->rec + i * cx.rec, b->rec + j * cx.rec));
			i++, j++;
			shown++;
		} else if (c < 0) {
			printf("  only the kernel has %s\n", rec_str(k->rec + i++ * cx.rec, false));
			shown++;
		} else {
			printf("  only bpfrt has %s\n", rec_str(b->rec + j++ * cx.rec, false));
			shown++;
		}
	}
}

/* ---- executing an op on one side --------------------------------------- */

static void broken(struct result *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void broken(struct result *r, const char *fmt, ...)
{
	va_list ap;

	if (r->broken[0])
		return;
	va_start(ap, fmt);
	vsnprintf(r->broken, sizeof(r->broken), fmt, ap);
	va_end(ap);
}

static void guard_set(uint8_t *p)
{
	memset(p, 0xa5, GUARD);
}

static void guard_check(struct result *r, const uint8_t *p, const char *what)
{
	size_t i;

	for (i = 0; i < GUARD; i++)
		if (p[i] != 0xa5) {
			broken(r, "wrote past the end of %s", what);
			return;
		}
}

/* Value i of an op: a bloom filter value by its index, else from vseed. */
static void value_of(const struct op *op, uint32_t i, uint8_t *v)
{
	uint64_t s = op->vidx >= 0 ? 0xb100f000ull + (uint64_t)op->vidx : op->vseed + i, w = 0;
	uint32_t b;

	for (b = 0; b < cx.uv; b++) {
		if (b % 8 == 0)
			w = splitmix(&s);
		v[b] = (uint8_t)(w >> (8 * (b % 8)));
	}
}

static void rec_add(struct result *r, const uint8_t *key, const uint8_t *val)
{
	uint8_t *p;

	if (r->nrec >= cx.cap) {
		broken(r, "returned more than %zu elements", cx.cap);
		return;
	}
	p = r->rec + r->nrec++ * cx.rec;
	if (cx.ks)
		memcpy(p, key, cx.ks);
	if (!cx.uv)
		return;
	if (val)
		memcpy(p + cx.ks, val, cx.uv);
	else
		memset(p + cx.ks, 0, cx.uv);
}

static int rec_cmp(const void *a, const void *b)
{
	return memcmp(a, b, cx.rec);
}

/* Sort records; every key must occur once. */
static void rec_set(struct result *r)
{
	size_t i;

	if (!cx.rec)
		return;
	qsort(r->rec, r->nrec, cx.rec, rec_cmp);
	for (i = 1; i < r->nrec; i++)
		if (cx.ks && !memcmp(r->rec + (i - 1) * cx.rec, r->rec + i * cx.rec, cx.ks)) {
			broken(r, "returned key %s twice", key_str(r->rec + i * cx.rec));
			return;
		}
}

/* A lookup into cx.val, which is poisoned first (the padding of per-CPU values counts). */
static int lookup_into_val(const struct target *t, const void *key, struct result *r)
{
	int err;

	memset(cx.val, 0xcc, cx.uv);
	guard_set(cx.val + cx.uv);
	err = m_lookup(t, key, cx.val, 0);
	guard_check(r, cx.val + cx.uv, "the value");
	return err;
}

static void exec_next_key(const struct target *t, const struct op *op, struct result *r)
{
	const uint8_t *key = op->null_key ? NULL : op->key;
	bool strict = true;

	/*
	 * From a present key of a hash map the answer depends on the order:
	 * then both results are checked, not compared. err2 says whether the
	 * key is present (compared).
	 */
	if (cx.keyed && !cx.ordered && key) {
		r->err2 = lookup_into_val(t, key, r);
		strict = r->err2 != 0;
	}
	memset(cx.nkey, 0xcc, cx.ks);
	guard_set(cx.nkey + cx.ks);
	r->err = m_next_key(t, key, cx.nkey);
	guard_check(r, cx.nkey + cx.ks, "the next key");
	r->loose = !strict;
	if (r->err)
		return;
	if (cx.ordered || !cx.keyed) {
		rec_add(r, cx.nkey, NULL);
		return;
	}
	if (key && !memcmp(key, cx.nkey, cx.ks)) {
		broken(r, "get_next_key(%s) returned the key it was given", key_str(key));
	} else {
		int err = lookup_into_val(t, cx.nkey, r);

		if (err)
			broken(r, "get_next_key returned %s, which lookup does not find (%s)",
			       key_str(cx.nkey), err_str(err));
	}
}

/* get_next_key from NULL until ENOENT, then a lookup of each key. */
static void exec_iterate(const struct target *t, struct result *r)
{
	uint32_t steps = 0, limit = cx.row->max_entries + 2, i;
	const uint8_t *prev = NULL;
	int err;

	if (!cx.keyed) {
		r->err = m_next_key(t, NULL, cx.nkey);
		return;
	}
	for (;;) {
		uint8_t *k = cx.kb + (size_t)steps * cx.ks;

		guard_set(k + cx.ks);
		err = m_next_key(t, prev, k);
		guard_check(r, k + cx.ks, "the next key");
		if (err)
			break;
		if (++steps > limit) {
			broken(r, "get_next_key did not reach ENOENT in %" PRIu32 " steps", limit);
			break;
		}
		prev = k;
	}
	r->err = err;
	for (i = 0; i < steps && i < limit; i++) {
		const uint8_t *k = cx.kb + (size_t)i * cx.ks;

		err = lookup_into_val(t, k, r);
		if (err && !(cx.row->map_flags & BPFRT_F_WRONLY))
			broken(r, "iteration reached %s, which lookup does not find (%s)",
			       key_str(k), err_str(err));
		rec_add(r, k, err ? NULL : cx.val);
	}
	if (!cx.ordered)
		rec_set(r);
}

static bool count_ran(int err)
{
	return !err || err == -ENOENT || err == -E2BIG || err == -EEXIST || err == -ENOSPC;
}

/* lookup_batch / lookup_and_delete_batch: one call, or calls chained until ENOENT. */
static void exec_batch_read(const struct target *t, const struct op *op, struct result *r)
{
	int cmd = op->kind == OP_LOOKUP_BATCH ? BPF_MAP_LOOKUP_BATCH :
						BPF_MAP_LOOKUP_AND_DELETE_BATCH;
	uint32_t c = op->count, calls, limit = 2 * cx.row->max_entries + 8, i;
	bool keep_calls = cx.ordered && op->walk;
	void *in = NULL;
	int err = 0;

	for (calls = 0;; calls++) {
		uint32_t cnt = c;

		if (calls == limit) {
			broken(r, "the batch walk did not reach ENOENT in %" PRIu32 " calls", limit);
			break;
		}
		guard_set(cx.kb + (size_t)c * cx.ks);
		guard_set(cx.vb + (size_t)c * cx.uv);
		memset(cx.tok_out, 0, TOKEN);
		guard_set(cx.tok_out + TOKEN);
		err = m_batch(t, cmd, in, cx.tok_out, cx.kb, cx.vb, &cnt, op->flags);
		guard_check(r, cx.kb + (size_t)c * cx.ks, "the keys");
		guard_check(r, cx.vb + (size_t)c * cx.uv, "the values");
		guard_check(r, cx.tok_out + TOKEN, "out_batch");
		if (keep_calls && r->ncalls < CALLS_MAX) {
			r->calls[r->ncalls][0] = err;
			r->calls[r->ncalls++][1] = count_ran(err) ? (int32_t)cnt : -1;
		}
		if (!op->walk) {
			r->has_count = count_ran(err);
			r->count = r->has_count ? cnt : 0;
		}
		if (count_ran(err)) {
			if (cnt > c) {
				broken(r, "*count came back %" PRIu32 ", above the %" PRIu32 " asked",
				       cnt, c);
				break;
			}
			for (i = 0; i < cnt; i++)
				rec_add(r, cx.kb + (size_t)i * cx.ks, cx.vb + (size_t)i * cx.uv);
		}
		if (!op->walk)
			break;
		/* The first bucket did not fit: ask for more, as callers do. */
		if (err == -ENOSPC && cnt == 0 && !cx.ordered && c < cx.cap) {
			c = 2 * c < cx.cap ? 2 * c : (uint32_t)cx.cap;
			continue;
		}
		if (err || cnt == 0)
			break;
		memcpy(cx.tok_in, cx.tok_out, TOKEN);
		in = cx.tok_in;
	}
	r->err = err;
	if (!cx.ordered)
		rec_set(r);
	if (cmd == BPF_MAP_LOOKUP_AND_DELETE_BATCH && op->walk)
		r->err2 = m_next_key(t, NULL, cx.nkey); /* drained: ENOENT */
}

static void exec_batch_write(const struct target *t, const struct op *op, struct result *r)
{
	int cmd = op->kind == OP_UPDATE_BATCH ? BPF_MAP_UPDATE_BATCH : BPF_MAP_DELETE_BATCH;
	uint32_t cnt = op->count, i;

	for (i = 0; i < op->count; i++) {
		if (cx.ks)
			memcpy(cx.kb + (size_t)i * cx.ks, op->keys[i], cx.ks);
		value_of(op, i, cx.vb + (size_t)i * cx.uv);
	}
	r->err = m_batch(t, cmd, NULL, NULL, cx.kb, cmd == BPF_MAP_UPDATE_BATCH ? cx.vb : NULL,
			 &cnt, op->flags);
	r->has_count = count_ran(r->err);
	r->count = r->has_count ? cnt : 0;
}

static void exec_op(const struct target *t, const struct op *op, struct result *r)
{
	const uint8_t *key = op->null_key ? NULL : op->key;

	r->err = r->err2 = 0;
	r->loose = r->has_count = false;
	r->count = 0;
	r->nrec = 0;
	r->ncalls = 0;
	r->broken[0] = 0;
	switch (op->kind) {
	case OP_LOOKUP:
	case OP_LOOKUP_AND_DELETE:
		if (cx.row->shape == SH_BLOOM)
			value_of(op, 0, cx.val); /* a bloom filter's lookup takes the value */
		else
			memset(cx.val, 0xcc, cx.uv);
		guard_set(cx.val + cx.uv);
		r->err = op->kind == OP_LOOKUP ? m_lookup(t, key, cx.val, op->flags) :
						 m_lookup_and_delete(t, key, cx.val, op->flags);
		guard_check(r, cx.val + cx.uv, "the value");
		if (cx.row->shape == SH_BLOOM) {
			/* A value never pushed may be a false positive on either side. */
			r->loose = op->kind == OP_LOOKUP && op->flags == 0 &&
				   !(op->vidx >= 0 && cx.pushed[op->vidx]);
		} else if (!r->err) {
			rec_add(r, key, cx.val);
		}
		break;
	case OP_UPDATE:
		value_of(op, 0, cx.val);
		r->err = m_update(t, key, cx.val, op->flags);
		break;
	case OP_DELETE:
		r->err = m_delete(t, key, op->flags);
		break;
	case OP_NEXT_KEY:
		exec_next_key(t, op, r);
		break;
	case OP_ITERATE:
		exec_iterate(t, r);
		break;
	case OP_FREEZE:
		r->err = m_freeze(t);
		break;
	case OP_LOOKUP_BATCH:
	case OP_LOOKUP_AND_DELETE_BATCH:
		exec_batch_read(t, op, r);
		break;
	case OP_UPDATE_BATCH:
	case OP_DELETE_BATCH:
		exec_batch_write(t, op, r);
		break;
	default:
		break;
	}
}

static bool zero_or_enoent(int err)
{
	return !err || err == -ENOENT;
}

static bool same(const struct result *k, const struct result *b)
{
	if (k->broken[0] || b->broken[0])
		return false;
	if (k->err != b->err &&
	    !(k->loose && b->loose && zero_or_enoent(k->err) && zero_or_enoent(b->err)))
		return false;
	if (k->err2 != b->err2 || k->has_count != b->has_count || k->count != b->count)
		return false;
	if (k->ncalls != b->ncalls ||
	    memcmp(k->calls, b->calls, sizeof(k->calls[0]) * (size_t)k->ncalls))
		return false;
	return k->nrec == b->nrec && !memcmp(k->rec, b->rec, k->nrec * cx.rec);
}

static struct result rk, rb;

/* Run op on both maps; true when the results agree. */
static bool run_op(const struct op *op)
{
	exec_op(&kt, op, &rk);
	exec_op(&bt, op, &rb);
	if (op->kind == OP_UPDATE && cx.row->shape == SH_BLOOM && op->vidx >= 0 && !rk.err)
		cx.pushed[op->vidx] = 1;
	return same(&rk, &rb);
}

/* ---- generating ops ---------------------------------------------------- */

struct gen {
	uint64_t n;              /* ops generated */
	uint64_t epoch_start, epoch_len;
	int64_t frozen_at;       /* op that froze the maps, or -1 */
	uint8_t ring[RING][KEY_MAX];
	unsigned ring_n, ring_pos;
};

static const uint64_t bad_flags[] = {
	3, 4, 5, 6, 7, 8, 16, 0x100, 1ull << 32, 0x8000000000000000ull, ~0ull,
};

static const uint64_t batch_flags[] = { 1, 2, 3, 4, 5, 8, 1ull << 32 };

static void ring_push(struct gen *g, const uint8_t *key)
{
	memcpy(g->ring[g->ring_pos], key, KEY_MAX);
	g->ring_pos = (g->ring_pos + 1) % RING;
	if (g->ring_n < RING)
		g->ring_n++;
}

/*
 * Key number idx of a hash row's key space. When keys are longer than 4
 * bytes, pairs of keys share their first four bytes and differ only in the
 * last, so a comparison that stops early is caught.
 */
static void hash_key(uint32_t idx, uint8_t *key)
{
	uint32_t lo = cx.ks > 4 ? idx >> 1 : idx, i;

	for (i = 0; i < cx.ks; i++)
		key[i] = i < 4 ? (uint8_t)(lo >> (8 * i)) :
			 (uint8_t)(0x5a + 3 * i + ((idx & 1) && i == cx.ks - 1));
}

static void array_key(uint8_t *key)
{
	static const uint32_t far[] = { 0x7fffffff, 0x80000000, 0xffffffff, 0xfffffffe, 0x10000 };
	uint32_t me = cx.row->max_entries, r = below(100), v;

	v = r < 88 ? below(me) : r < 96 ? me + below(4) : PICK(far);
	memcpy(key, &v, 4);
}

/* An LPM key: u32 prefixlen (host order), then 4 bytes of IPv4 address. */
static void lpm_key(uint8_t *key)
{
	static const uint32_t bases[] = {
		0x0a000000, 0x0a010000, 0x0a010200, 0xc0a80000, 0xc0a80100, 0,
	};
	static const uint32_t plens[] = { 0, 8, 12, 16, 24, 30, 31, 32 };
	static const uint32_t bad_plens[] = { 33, 40, 0xffffffff, 0x80000020 };
	uint32_t plen, data = PICK(bases);

	plen = chance(95) ? (chance(80) ? PICK(plens) : below(33)) : PICK(bad_plens);
	if (chance(40))
		data |= below(256);
	/* Bits past the prefix: the kernel keeps them as they were given. */
	if (chance(20) && plen < 32)
		data |= (uint32_t)rnd() & (0xffffffffu >> plen);
	memcpy(key, &plen, 4);
	key[4] = (uint8_t)(data >> 24);
	key[5] = (uint8_t)(data >> 16);
	key[6] = (uint8_t)(data >> 8);
	key[7] = (uint8_t)data;
}

static void gen_key(struct gen *g, uint8_t *key)
{
	memset(key, 0, KEY_MAX);
	switch (cx.row->shape) {
	case SH_ARRAY:
		array_key(key);
		break;
	case SH_HASH:
	case SH_LPM:
		if (g->ring_n && chance(40))
			memcpy(key, g->ring[below(g->ring_n)], KEY_MAX);
		else if (cx.row->shape == SH_HASH)
			hash_key(below(cx.row->key_space), key);
		else
			lpm_key(key);
		break;
	default:
		break;
	}
}

/*
 * Per cent of element ops with invalid flags. Higher on frozen maps: there
 * bpf(2) answers EINVAL before EPERM for delete and lookup_and_delete (the
 * flags are checked first) but EPERM first for update.
 */
static unsigned bad_pct;

static uint64_t update_flags(void)
{
	unsigned r = below(100);

	if (chance(bad_pct))
		return PICK(bad_flags);

	if (cx.row->shape == SH_BLOOM)
		return r < 90 ? 0 : r < 95 ? 1 + below(2) : PICK(bad_flags);
	if (cx.row->shape == SH_QUEUE)
		return r < 60 ? 0 : r < 85 ? 2 : r < 90 ? 1 : PICK(bad_flags);
	return r < 35 ? 0 : r < 60 ? 1 : r < 85 ? 2 : PICK(bad_flags);
}

static uint64_t read_flags(void)
{
	static const uint64_t bad[] = { 1, 2, 4, 8, 1ull << 32, ~0ull };

	return chance(100 - bad_pct) ? 0 : PICK(bad);
}

static uint32_t batch_count(void)
{
	uint32_t me = cx.row->max_entries;
	uint32_t c[] = { 0, 1, 2, 3, 5, 8, me / 2, me - 1, me, me + 1, 2 * me };

	return PICK(c);
}

static enum op_kind pick_kind(const struct gen *g)
{
	/* Fill, churn, drain, churn: weights of inserts and deletes, in quarters. */
	static const unsigned ins[4] = { 12, 4, 1, 4 }, del[4] = { 1, 4, 12, 4 };
	unsigned phase = (unsigned)((g->n - g->epoch_start) / TIDE) % 4;
	uint32_t w[OP__COUNT], total = 0, r;
	int k;

	for (k = 0; k < OP__COUNT; k++) {
		unsigned m = k == OP_UPDATE || k == OP_UPDATE_BATCH ? ins[phase] :
			     k == OP_DELETE || k == OP_LOOKUP_AND_DELETE || k == OP_DELETE_BATCH ?
			     del[phase] : 4;

		w[k] = cx.row->mix[k] * m;
		/* Freezing a frozen map again: EPERM (freeze needs write access). */
		if (k == OP_FREEZE && g->frozen_at >= 0)
			w[k] *= 40;
		total += w[k];
	}
	r = below(total);
	for (k = 0; k < OP__COUNT - 1; k++) {
		if (r < w[k])
			break;
		r -= w[k];
	}
	return (enum op_kind)k;
}

static void gen_op(struct gen *g, struct op *op)
{
	uint32_t i;

	memset(op, 0, sizeof(*op));
	op->vidx = -1;
	op->null_key = !cx.keyed;
	g->n++;
	if ((g->frozen_at >= 0 && g->n - (uint64_t)g->frozen_at > FROZEN_TAIL) ||
	    g->n - g->epoch_start > g->epoch_len) {
		op->kind = OP_RESET;
		g->epoch_start = g->n;
		g->epoch_len = EPOCH_MIN + below(EPOCH_SPAN);
		g->frozen_at = -1;
		return;
	}
	op->kind = pick_kind(g);
	bad_pct = g->frozen_at >= 0 ? 30 : 6;
	switch (op->kind) {
	case OP_LOOKUP:
	case OP_LOOKUP_AND_DELETE:
		gen_key(g, op->key);
		op->flags = read_flags();
		if (cx.row->shape == SH_BLOOM)
			op->vidx = chance(90) ? (int32_t)below(cx.row->key_space) : -1;
		op->vseed = rnd();
		break;
	case OP_UPDATE:
		gen_key(g, op->key);
		op->flags = update_flags();
		op->vseed = rnd();
		if (cx.row->shape == SH_BLOOM)
			op->vidx = chance(90) ? (int32_t)below(cx.row->key_space) : -1;
		if (cx.keyed)
			ring_push(g, op->key);
		break;
	case OP_DELETE:
		gen_key(g, op->key);
		op->flags = chance(100 - bad_pct / 2) ? 0 : 1 + below(4);
		break;
	case OP_NEXT_KEY:
		if (cx.keyed && chance(85))
			gen_key(g, op->key);
		else
			op->null_key = true;
		break;
	case OP_FREEZE:
		if (g->frozen_at < 0)
			g->frozen_at = (int64_t)g->n;
		break;
	case OP_LOOKUP_BATCH:
	case OP_LOOKUP_AND_DELETE_BATCH:
		op->count = batch_count();
		op->flags = chance(92) ? 0 : read_flags() | 1;
		/*
		 * A hash map's single call compares only when it returns all
		 * (count >= max_entries) or nothing; a delete takes all.
		 */
		op->walk = op->count && !op->flags &&
			   (cx.ordered ? chance(50) :
			    op->kind == OP_LOOKUP_AND_DELETE_BATCH ||
			    op->count < cx.row->max_entries || chance(50));
		break;
	case OP_UPDATE_BATCH:
	case OP_DELETE_BATCH:
		op->count = chance(3) ? 0 : 1 + below(BATCH_MAX);
		/* bpf(2) takes only 0 (or BPF_F_LOCK) here: NOEXIST and EXIST are EINVAL. */
		op->flags = chance(88) ? 0 : PICK(batch_flags);
		op->vseed = rnd();
		for (i = 0; i < op->count; i++) {
			gen_key(g, op->keys[i]);
			if (op->kind == OP_UPDATE_BATCH && cx.keyed)
				ring_push(g, op->keys[i]);
		}
		break;
	default:
		break;
	}
}

/* ---- mismatches: report and minimise ----------------------------------- */

static struct op *oplog;
static size_t log_n, log_cap;
static double minimise_budget = 10.0;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void log_op(const struct op *op)
{
	if (log_n == log_cap) {
		log_cap = log_cap ? 2 * log_cap : 4096;
		oplog = realloc(oplog, log_cap * sizeof(*oplog));
		if (!oplog) {
			printf("FAIL: map_diff: out of memory\n");
			exit(1);
		}
	}
	oplog[log_n++] = *op;
}

static void print_pair(const struct op *op, const char *indent)
{
	char s[1024];

	res_str(op, &rk, s, sizeof(s));
	printf("%skernel: %s\n", indent, s);
	res_str(op, &rb, s, sizeof(s));
	printf("%sbpfrt:  %s\n", indent, s);
}

/* The errors of the mismatch being minimised: a replay must end in the same. */
static int want_kerr, want_berr;

/*
 * Replay ops idx[0..n) on fresh maps. True when the last op differs with
 * the same errors as the mismatch, and no earlier op differs. print: show
 * every op with both results.
 */
static bool replay(const size_t *idx, size_t n, bool print)
{
	char s[1024];
	int kerr, berr;
	size_t j;
	bool ok = true;

	if (open_maps(&kerr, &berr))
		return false;
	for (j = 0; j < n; j++) {
		ok = run_op(&oplog[idx[j]]);
		if (print) {
			op_str(&oplog[idx[j]], s, sizeof(s));
			printf("    %zu. %s%s\n", j + 1, s, ok ? "" : "   <-- differs");
			print_pair(&oplog[idx[j]], "         ");
		}
		if (!ok && j + 1 < n)
			return false;
	}
	return !ok && rk.err == want_kerr && rb.err == want_berr;
}

/* Drop chunks of ops (all but the last) while the replay still differs. */
static size_t minimise(size_t *idx, size_t n, double deadline)
{
	size_t *trial = malloc(n * sizeof(*trial)), chunk = n / 2, start, len;
	bool progress;

	if (!trial)
		return n;
	while (chunk >= 1) {
		progress = false;
		for (start = 0; start + 1 < n && now() < deadline;) {
			len = start + chunk < n - 1 ? chunk : n - 1 - start;
			memcpy(trial, idx, start * sizeof(*idx));
			memcpy(trial + start, idx + start + len, (n - start - len) * sizeof(*idx));
			if (replay(trial, n - len, false)) {
				memcpy(idx, trial, (n - len) * sizeof(*idx));
				n -= len;
				progress = true;
			} else {
				start += len;
			}
		}
		if (now() >= deadline)
			break;
		if (!progress)
			chunk /= 2;
		else if (chunk > n / 2)
			chunk = n / 2;
	}
	free(trial);
	return n;
}

static void report(uint64_t i, const struct op *op, uint64_t nth)
{
	const struct row *r = cx.row;
	size_t *idx, n = log_n, j;
	double t0 = now();
	char s[1024];

	printf("map_diff %s: mismatch #%" PRIu64 " at op %" PRIu64 " (replay: MAPDIFF_SEED=%" PRIu64
	       " MAPDIFF_TYPE=%s MAPDIFF_OPS=%" PRIu64 " MAPDIFF_TRACE=1)\n",
	       r->name, nth, i, seed, r->name, i + 1);
	op_str(op, s, sizeof(s));
	printf("  op:     %s\n", s);
	print_pair(op, "  ");
	print_diff(&rk, &rb);
	if (minimise_budget <= 0)
		return;
	idx = malloc(n * sizeof(*idx));
	if (!idx)
		return;
	for (j = 0; j < n; j++)
		idx[j] = j;
	want_kerr = rk.err;
	want_berr = rb.err;
	alarm(WATCHDOG_S);
	if (!replay(idx, n, false)) {
		printf("  (the %zu ops since the maps were made do not reproduce it on fresh maps)\n",
		       n);
	} else {
		n = minimise(idx, n, t0 + (MINIMISE_S < minimise_budget ? MINIMISE_S :
					   minimise_budget));
		printf("  reproducer: %zu of the %zu ops since the maps were made, on fresh maps "
		       "(%s: key_size %" PRIu32 ", value_size %" PRIu32 ", max_entries %" PRIu32
		       ", map_flags 0x%" PRIx32 ", map_extra %" PRIu64 "%s):\n", n, log_n,
		       bpfrt_map_type_name(r->type), r->key_size, r->value_size, r->max_entries,
		       r->map_flags, r->map_extra, is_percpu(r->type) ? ", per-CPU" : "");
		replay(idx, n, true);
	}
	minimise_budget -= now() - t0;
	free(idx);
}

/* ---- one row ----------------------------------------------------------- */

static uint32_t seen[OP__COUNT][NERR];
static bool bpfrt_has[64];
static char watchdog_msg[256];

static void on_alarm(int sig)
{
	ssize_t w;

	(void)sig;
	w = write(STDOUT_FILENO, watchdog_msg, strlen(watchdog_msg));
	(void)w;
	_exit(1);
}

/* MAPDIFF_STATS=1: the kernel's results, by op. */
static void print_stats(const struct row *r)
{
	char line[512];
	size_t len, e;
	int k;

	printf("map_diff %s: kernel results by op:\n", r->name);
	for (k = 0; k < OP__COUNT; k++) {
		len = 0;
		line[0] = 0;
		for (e = 0; e < NERR; e++)
			if (seen[k][e])
				add(line, sizeof(line), &len, " %s %" PRIu32,
				    e < NELEM(errnames) ? errnames[e].name : "other", seen[k][e]);
		if (len)
			printf("  %-24s%s\n", op_names[k], line);
	}
}

/* The must_see entries the kernel's results never met. */
static void check_seen(const struct row *r)
{
	char missing[512] = "", tok[64];
	const char *p = r->must_see;
	size_t len = 0, n;
	int k, e;

	while (*p) {
		while (*p == ' ')
			p++;
		n = strcspn(p, " ");
		if (!n)
			break;
		snprintf(tok, sizeof(tok), "%.*s", (int)n, p);
		p += n;
		for (k = 0; k < OP__COUNT; k++) {
			size_t l = strlen(op_names[k]);

			if (!strncmp(tok, op_names[k], l) && tok[l] == ':')
				break;
		}
		for (e = 0; k < OP__COUNT && e < (int)NELEM(errnames); e++)
			if (!strcmp(tok + strlen(op_names[k]) + 1, errnames[e].name))
				break;
		if (k == OP__COUNT || e == (int)NELEM(errnames) || !seen[k][e])
			add(missing, sizeof(missing), &len, " %s", tok);
	}
	T_CHECK(!len, "map_diff %s: the ops met every kernel result the row lists%s%s", r->name,
		len ? "; never:" : "", missing);
}

static void setup_row(const struct row *r)
{
	cx.row = r;
	cx.ks = r->key_size;
	cx.vs = r->value_size;
	cx.uv = is_percpu(r->type) ? round8(r->value_size) * (uint32_t)ncpus : r->value_size;
	cx.rec = (size_t)cx.ks + cx.uv;
	cx.cap = 2 * (size_t)r->max_entries + 8;
	cx.ordered = r->shape == SH_ARRAY;
	cx.keyed = r->shape == SH_ARRAY || r->shape == SH_HASH || r->shape == SH_LPM;
	cx.kb = calloc(1, cx.cap * cx.ks + GUARD);
	cx.vb = calloc(1, cx.cap * cx.uv + GUARD);
	cx.val = calloc(1, cx.uv + GUARD);
	cx.nkey = calloc(1, KEY_MAX + GUARD);
	cx.pushed = r->key_space ? calloc(1, r->key_space) : NULL;
	rk.rec = calloc(cx.cap, cx.rec + 1);
	rb.rec = calloc(cx.cap, cx.rec + 1);
	if (!cx.kb || !cx.vb || !cx.val || !cx.nkey || !rk.rec || !rb.rec ||
	    (r->key_space && !cx.pushed)) {
		printf("FAIL: map_diff: out of memory\n");
		exit(1);
	}
}

static void teardown_row(void)
{
	close_maps();
	free(cx.kb);
	free(cx.vb);
	free(cx.val);
	free(cx.nkey);
	free(cx.pushed);
	free(rk.rec);
	free(rb.rec);
	memset(&cx, 0, sizeof(cx));
	rk.rec = rb.rec = NULL;
}

/* 0 when both maps exist; else the row was reported (SKIP or FAIL). */
static int start_row(const struct row *r)
{
	int kerr, berr;

	if (!open_maps(&kerr, &berr)) {
		if (is_percpu(r->type) && bpfrt_map__nr_cpus(bt.map) != (uint32_t)ncpus) {
			t_fail("map_diff %s: bpfrt_map__nr_cpus is %" PRIu32 ", asked for %d", r->name,
			       bpfrt_map__nr_cpus(bt.map), ncpus);
			return -1;
		}
		return 0;
	}
	if (kerr)
		t_skip("map_diff %s: the running kernel cannot create it: %s", r->name,
		       err_str(kerr));
	else if (berr == -ENOTSUPP)
		t_skip("map_diff %s: bpfrt does not implement %s yet (bpfrt_map__create: ENOTSUPP)",
		       r->name, bpfrt_map_type_name(r->type));
	else
		t_fail("map_diff %s: the kernel creates it, bpfrt_map__create fails: %s (\"%s\")",
		       r->name, err_str(berr), bpfrt_msg);
	return -1;
}

static uint64_t shown;

static void run_row(const struct row *r, uint64_t nops)
{
	uint64_t bad = 0, bad_op[OP__COUNT] = { 0 }, i, h = 1469598103934665603ull;
	uint64_t kernel_enomem = 0;
	double t0 = now();
	struct gen g;
	struct op op;
	char s[1024], summary[256] = "";
	size_t len = 0;
	const char *p;
	int k, kerr, berr;

	setup_row(r);
	memset(seen, 0, sizeof(seen));
	if (start_row(r)) {
		teardown_row();
		return;
	}
	bpfrt_has[r->type] = true;
	snprintf(watchdog_msg, sizeof(watchdog_msg),
		 "FAIL: map_diff %s: did not finish in %d s (seed %" PRIu64 ")\n", r->name,
		 WATCHDOG_S, seed);
	alarm(WATCHDOG_S);
	/* Each row's ops depend on the seed and its name only. */
	for (p = r->name; *p; p++)
		h = (h ^ (uint8_t)*p) * 1099511628211ull;
	rng = seed ^ h;
	memset(&g, 0, sizeof(g));
	g.epoch_len = EPOCH_MIN + below(EPOCH_SPAN);
	g.frozen_at = -1;
	log_n = 0;
	for (i = 0; i < nops; i++) {
		bool ok;

		gen_op(&g, &op);
		if (op.kind == OP_RESET) {
			if (trace)
				printf("#%" PRIu64 " reset: fresh maps\n", i);
			if (open_maps(&kerr, &berr)) {
				t_fail("map_diff %s: making the maps again failed: kernel %s, bpfrt %s",
				       r->name, err_str(kerr), err_str(berr));
				break;
			}
			log_n = 0;
			continue;
		}
		log_op(&op);
		ok = run_op(&op);
		seen[op.kind][err_index(rk.err)]++;
		if (trace) {
			op_str(&op, s, sizeof(s));
			printf("#%" PRIu64 " %s%s\n", i, s, ok ? "" : "   <-- differs");
			print_pair(&op, "    ");
		}
		if (ok)
			continue;
		/*
		 * The kernel's maps without preallocation take elements from
		 * per-CPU caches refilled asynchronously, and an update may
		 * fail with ENOMEM while they refill: the kernel's limits, not
		 * its rules. Start afresh without counting a mismatch.
		 */
		if (rk.err == -ENOMEM && rb.err != -ENOMEM) {
			kernel_enomem++;
			if (open_maps(&kerr, &berr)) {
				t_fail("map_diff %s: making the maps again failed: kernel %s, bpfrt %s",
				       r->name, err_str(kerr), err_str(berr));
				break;
			}
			log_n = 0;
			continue;
		}
		bad++;
		bad_op[op.kind]++;
		if (shown < SHOW_MAX || bad == 1) {
			if (shown++ >= SHOW_MAX)
				minimise_budget = 0; /* a one-line note for this row only */
			report(i, &op, bad);
		}
		/* Both maps afresh, so one difference is one mismatch. */
		if (open_maps(&kerr, &berr)) {
			t_fail("map_diff %s: making the maps again failed: kernel %s, bpfrt %s",
			       r->name, err_str(kerr), err_str(berr));
			break;
		}
		log_n = 0;
		alarm(WATCHDOG_S);
	}
	alarm(0);
	for (k = 0; k < OP__COUNT; k++)
		if (bad_op[k])
			add(summary, sizeof(summary), &len, "%s%s %" PRIu64, len ? ", " : " (",
			    op_names[k], bad_op[k]);
	if (len)
		add(summary, sizeof(summary), &len, ")");
	if (kernel_enomem)
		add(summary, sizeof(summary), &len, ", %" PRIu64 " kernel ENOMEM (left out)",
		    kernel_enomem);
	T_CHECK(bad == 0, "map_diff %s: %" PRIu64 " ops, %" PRIu64 " mismatches%s (seed %" PRIu64
		", %.2f s)", r->name, i, bad, summary, seed, now() - t0);
	if (stats)
		print_stats(r);
	/* Mismatches make fresh maps, which may keep them from filling up. */
	if (nops >= 20000 && !bad)
		check_seen(r);
	teardown_row();
}

/* ---- creation: random attributes, the same verdict ---------------------- */

static uint64_t pow2_at_least(uint64_t n)
{
	uint64_t p = 1;

	while (p < n)
		p <<= 1;
	return p;
}

/* A generous estimate of what a map with these attributes may allocate. */
static uint64_t est_bytes(enum bpfrt_map_type t, uint64_t ks, uint64_t vs, uint64_t me)
{
	uint64_t pc = is_percpu(t) ? (uint64_t)ncpus : 1, v8 = (vs + 7) & ~7ull;

	switch (t) {
	case BPFRT_MAP_TYPE_ARRAY:
	case BPFRT_MAP_TYPE_PERCPU_ARRAY:
		return me * v8 * pc;
	case BPFRT_MAP_TYPE_QUEUE:
	case BPFRT_MAP_TYPE_STACK:
		return (me + 1) * vs;
	case BPFRT_MAP_TYPE_BLOOM_FILTER:
		return me * 16;
	case BPFRT_MAP_TYPE_RINGBUF:
		return 2 * me;
	default:
		return pow2_at_least(me) * 16 + me * (ks + v8 * pc + 64);
	}
}

static void check_create(uint64_t n)
{
	static const enum bpfrt_map_type types[] = {
		BPFRT_MAP_TYPE_ARRAY, BPFRT_MAP_TYPE_PERCPU_ARRAY, BPFRT_MAP_TYPE_HASH,
		BPFRT_MAP_TYPE_PERCPU_HASH, BPFRT_MAP_TYPE_LRU_HASH,
		BPFRT_MAP_TYPE_LRU_PERCPU_HASH, BPFRT_MAP_TYPE_LPM_TRIE, BPFRT_MAP_TYPE_QUEUE,
		BPFRT_MAP_TYPE_STACK, BPFRT_MAP_TYPE_BLOOM_FILTER, BPFRT_MAP_TYPE_RINGBUF,
	};
	static const uint32_t kss[] = { 0, 1, 3, 4, 5, 8, 16, 20, 64, 255, 256, 260, 261, 512, 513,
					4096 };
	static const uint32_t vss[] = { 0, 1, 3, 4, 8, 12, 100, 4096, 32767, 32768, 32769, 65536,
					(1u << 22) + 1 };
	static const uint32_t mes[] = { 0, 1, 2, 3, 16, 64, 1000, 4096, 4095, 8192, 16384,
					65536, 1u << 20, 0x80000000u, 0xffffffffu };
	static const uint32_t known[] = {
		BPFRT_F_NO_PREALLOC, BPFRT_F_NO_COMMON_LRU, BPFRT_F_NUMA_NODE, BPFRT_F_RDONLY,
		BPFRT_F_WRONLY, BPFRT_F_ZERO_SEED, BPFRT_F_RDONLY_PROG, BPFRT_F_WRONLY_PROG,
		BPFRT_F_MMAPABLE, BPFRT_F_INNER_MAP,
	};
	static const uint32_t unknown[] = { 1u << 5, 1u << 9, 1u << 20, 1u << 31 };
	static const uint64_t extras[] = { 0, 1, 3, 5, 15, 16, 0x10000, 1ull << 32 };
	static const char *const names[] = {
		"", "m", "map_diff.1", "a-b", "sp ace", "0123456789abcde", "0123456789abcdef", "\xc3\xa9",
	};
	uint64_t i, tried = 0, bad = 0, env = 0, unimpl = 0;
	double t0 = now();
	size_t f;

	rng = seed ^ 0xc4ea7e5ull;
	for (i = 0; i < n; i++) {
		enum bpfrt_map_type t = PICK(types);
		uint32_t ks = PICK(kss), vs = PICK(vss), me = PICK(mes), flags = 0;
		uint64_t extra = chance(80) ? 0 : PICK(extras);
		const char *name = chance(70) ? "map_diff" : PICK(names);
		struct bpfrt_map *m;
		int kfd, berr;

		/* Mostly attributes a type can take, so the later checks are reached. */
		if (chance(60)) {
			bool keyless = t == BPFRT_MAP_TYPE_QUEUE || t == BPFRT_MAP_TYPE_STACK ||
				       t == BPFRT_MAP_TYPE_BLOOM_FILTER || t == BPFRT_MAP_TYPE_RINGBUF;

			ks = t == BPFRT_MAP_TYPE_ARRAY || t == BPFRT_MAP_TYPE_PERCPU_ARRAY ? 4 :
			     t == BPFRT_MAP_TYPE_LPM_TRIE ? 8 : keyless ? 0 : ks;
			if (t == BPFRT_MAP_TYPE_RINGBUF)
				vs = 0;
			if (t == BPFRT_MAP_TYPE_LPM_TRIE)
				flags |= BPFRT_F_NO_PREALLOC;
		}
		for (f = 0; f < NELEM(known); f++)
			if (chance(8))
				flags |= known[f];
		if (chance(3))
			flags |= PICK(unknown);
		if (est_bytes(t, ks, vs, me) > CREATE_MEM)
			continue;
		tried++;
		kfd = k_create(t, ks, vs, me, flags, extra, name);
		if (kfd >= 0)
			close(kfd);
		/* The kernel's memory limits and privileges, not its rules. */
		if (kfd == -ENOMEM || kfd == -EPERM) {
			env++;
			continue;
		}
		m = b_create(t, ks, vs, me, flags, extra, name);
		berr = m ? 0 : -errno;
		bpfrt_map__destroy(m);
		if (berr == -ENOTSUPP && kfd != -ENOTSUPP && !bpfrt_has[t]) {
			unimpl++;
			continue;
		}
		if ((kfd >= 0 ? 0 : kfd) == berr)
			continue;
		if (++bad <= SHOW_MAX)
			printf("map_diff create: mismatch #%" PRIu64 ": %s key_size %" PRIu32
			       " value_size %" PRIu32 " max_entries %" PRIu32 " map_flags 0x%" PRIx32
			       " map_extra 0x%" PRIx64 " name \"%s\"%s: kernel %s, bpfrt %s%s%s%s\n",
			       bad, bpfrt_map_type_name(t), ks, vs, me, flags, extra, name,
			       is_percpu(t) ? " (per-CPU)" : "", kfd >= 0 ? "0" : err_str(kfd),
			       err_str(berr), bpfrt_msg[0] ? " (\"" : "", bpfrt_msg,
			       bpfrt_msg[0] ? "\")" : "");
	}
	if (unimpl)
		printf("map_diff create: %" PRIu64 " attribute sets of types bpfrt does not "
		       "implement yet were left out\n", unimpl);
	if (env)
		printf("map_diff create: %" PRIu64 " attribute sets the kernel had no memory or "
		       "privilege for were left out\n", env);
	T_CHECK(bad == 0, "map_diff create: %" PRIu64 " attribute sets, %" PRIu64
		" mismatches (seed %" PRIu64 ", %.2f s)", tried - env - unimpl, bad, seed,
		now() - t0);
}

/* ---- main -------------------------------------------------------------- */

/* The kernel's num_possible_cpus(): its per-CPU values have that many slots. */
static int possible_cpus(void)
{
	FILE *f = fopen("/sys/devices/system/cpu/possible", "r");
	char buf[256], *p, *end;
	int n = 0;

	if (!f)
		return -1;
	if (!fgets(buf, sizeof(buf), f)) {
		fclose(f);
		return -1;
	}
	fclose(f);
	for (p = buf; *p && *p != '\n';) {
		unsigned long a = strtoul(p, &end, 10), b = a;

		if (end == p)
			return -1;
		p = end;
		if (*p == '-') {
			b = strtoul(p + 1, &end, 10);
			p = end;
		}
		n += (int)(b - a + 1);
		if (*p == ',')
			p++;
	}
	return n;
}

static uint64_t env_u64(const char *name, uint64_t def)
{
	const char *s = getenv(name);

	return s && *s ? strtoull(s, NULL, 0) : def;
}

static bool selected(const char *list, const char *name)
{
	size_t n = strlen(name);
	const char *p = list;

	if (!list || !*list)
		return true;
	while ((p = strstr(p, name))) {
		if ((p == list || p[-1] == ',') && (p[n] == ',' || !p[n]))
			return true;
		p += n;
	}
	return false;
}

int main(void)
{
	uint64_t nops = env_u64("MAPDIFF_OPS", DEFAULT_OPS);
	const char *only = getenv("MAPDIFF_TYPE");
	double t0 = now();
	size_t r;
	int fd;

	setvbuf(stdout, NULL, _IOLBF, 0);
	seed = env_u64("MAPDIFF_SEED", (uint64_t)time(NULL) * 1000003u ^ (uint64_t)getpid());
	trace = env_u64("MAPDIFF_TRACE", 0);
	stats = env_u64("MAPDIFF_STATS", 0);
	ncpus = possible_cpus();
	if (ncpus < 1) {
		t_fail("map_diff: cannot read /sys/devices/system/cpu/possible");
		return t_exit();
	}
	fd = k_create(BPFRT_MAP_TYPE_ARRAY, 4, 4, 1, 0, 0, "map_diff");
	if (fd == -EPERM || fd == -EACCES || fd == -ENOSYS) {
		t_skip("map_diff: bpf() not permitted: %s (%s)", err_str(fd), strerror(-fd));
		return t_exit();
	}
	if (fd < 0) {
		t_fail("map_diff: the kernel cannot create a 1-element array: %s", err_str(fd));
		return t_exit();
	}
	close(fd);
	signal(SIGALRM, on_alarm);
	bpfrt_set_print(keep_msg);
	printf("map_diff: seed %" PRIu64 ", %" PRIu64 " ops per type, %d possible CPUs\n", seed,
	       nops, ncpus);
	for (r = 0; r < NELEM(rows); r++)
		if (selected(only, rows[r].name))
			run_row(&rows[r], nops);
	if (!only || !*only)
		check_create(env_u64("MAPDIFF_CREATE", DEFAULT_CREATE));
	printf("map_diff: %.1f s in all\n", now() - t0);
	free(oplog);
	return t_exit();
}
