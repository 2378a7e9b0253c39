/* SPDX-License-Identifier: MIT */
/*
 * tests/map_diff.h - the engine of the differential tests of bpfrt's maps
 * against the kernel's (tests/map_diff.c: maps of values; map_diff_fd.c:
 * maps of references). map_diff_run.h holds the second half: generating
 * ops, minimising mismatches, running a row.
 *
 * The same random operation sequences run on a kernel map (bpf(2):
 * BPF_MAP_CREATE, *_ELEM, GET_NEXT_KEY, FREEZE, *_BATCH) and on a bpfrt map
 * (include/bpfrt/map.h) with the same attributes; every error code, every
 * value returned, every key reached must agree.
 *
 * Each map type under test is one struct row: type, key and value size,
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
 * Maps of references. A row with `names` stores object numbers in its
 * values; on the way in each side turns a number into its own reference
 * (the kernel a file descriptor, bpfrt an id), on the way out the fd's or
 * id's object back into its number, so values compare as object numbers.
 * The row's template (map-in-map) is row_inner_fd / row_inner.
 *
 * The create check (in each test's main file): random attributes (type,
 * sizes, max_entries, flags, map_extra, name), mostly valid for the type,
 * must get the same verdict; maps that could take more than 4 MiB are not
 * tried.
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
#ifndef BPFRT_TESTS_MAP_DIFF_H
#define BPFRT_TESTS_MAP_DIFF_H

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

struct target;

/* Maps of references: object numbers into one side's references, and back. */
struct value_names {
	void (*in)(const struct target *t, uint8_t *val);
	void (*out)(const struct target *t, uint8_t *val);
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
	const struct value_names *names; /* maps of references (see the top), or NULL */
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

/* The template of the row's maps (map-in-map), on each side: an fd, a map. */
static int row_inner_fd;
static const struct bpfrt_map *row_inner;

static int k_create_inner(enum bpfrt_map_type type, uint32_t ks, uint32_t vs, uint32_t me,
			  uint32_t flags, uint64_t extra, const char *name, int inner_fd)
{
	union bpf_attr a;
	size_t len = strlen(name);

	memset(&a, 0, sizeof(a));
	a.inner_map_fd = (uint32_t)inner_fd;
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

static int k_create(enum bpfrt_map_type type, uint32_t ks, uint32_t vs, uint32_t me,
		    uint32_t flags, uint64_t extra, const char *name)
{
	return k_create_inner(type, ks, vs, me, flags, extra, name, 0);
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
static struct bpfrt_map *b_create_inner(enum bpfrt_map_type type, uint32_t ks, uint32_t vs,
					uint32_t me, uint32_t flags, uint64_t extra, const char *name,
					const struct bpfrt_map *inner)
{
	struct bpfrt_map_create_opts o;

	memset(&o, 0, sizeof(o));
	o.sz = sizeof(o);
	o.inner_map = inner;
	o.name = name;
	o.map_flags = flags;
	o.map_extra = extra;
	o.nr_cpus = is_percpu(type) ? (uint32_t)ncpus : 0;
	bpfrt_msg[0] = 0;
	return bpfrt_map__create(type, ks, vs, me, &o);
}

static struct bpfrt_map *b_create(enum bpfrt_map_type type, uint32_t ks, uint32_t vs, uint32_t me,
				  uint32_t flags, uint64_t extra, const char *name)
{
	return b_create_inner(type, ks, vs, me, flags, extra, name, NULL);
}

/* Maps of references: a value as one side stores it, and as the test compares it. */
static const uint8_t *names_in(const struct target *t, const void *val, uint8_t *buf, size_t n)
{
	if (!cx.row->names || !val)
		return val;
	memcpy(buf, val, n);
	for (size_t i = 0; i + cx.uv <= n; i += cx.uv)
		cx.row->names->in(t, buf + i);
	return buf;
}

static void names_out(const struct target *t, void *val, size_t n)
{
	if (!cx.row->names || !val)
		return;
	for (size_t i = 0; i + cx.uv <= n; i += cx.uv)
		cx.row->names->out(t, (uint8_t *)val + i);
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
	int err;

	if (t->map)
		err = bpfrt_map__lookup_elem(t->map, key, cx.ks, val, cx.uv, flags);
	else
		err = k_elem(BPF_MAP_LOOKUP_ELEM, t->fd, key, val, flags);
	if (!err)
		names_out(t, val, cx.uv);
	return err;
}

static int m_update(const struct target *t, const void *key, const void *val, uint64_t flags)
{
	uint8_t buf[64];

	val = names_in(t, val, buf, cx.uv);
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
	int err;

	if (t->map)
		err = bpfrt_map__lookup_and_delete_elem(t->map, key, cx.ks, val, cx.uv, flags);
	else
		err = k_elem(BPF_MAP_LOOKUP_AND_DELETE_ELEM, t->fd, key, val, flags);
	if (!err)
		names_out(t, val, cx.uv);
	return err;
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
	static uint8_t named[BATCH_MAX * 64];
	union bpf_attr a;
	int err;

	if (cmd == BPF_MAP_UPDATE_BATCH && *count <= BATCH_MAX)
		vals = (void *)names_in(t, vals, named, (size_t)*count * cx.uv);
	if (t->map) {
		switch (cmd) {
		case BPF_MAP_LOOKUP_BATCH:
			err = bpfrt_map__lookup_batch(t->map, in, out, keys, vals, count, flags);
			break;
		case BPF_MAP_LOOKUP_AND_DELETE_BATCH:
			err = bpfrt_map__lookup_and_delete_batch(t->map, in, out, keys, vals, count,
								 flags);
			break;
		case BPF_MAP_UPDATE_BATCH:
			return bpfrt_map__update_batch(t->map, keys, vals, count, flags);
		default:
			return bpfrt_map__delete_batch(t->map, keys, count, flags);
		}
	} else {
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
		if (cmd == BPF_MAP_UPDATE_BATCH || cmd == BPF_MAP_DELETE_BATCH)
			return err;
	}
	/* Values came back for the elements counted. */
	if (!err || err == -ENOENT)
		names_out(t, vals, (size_t)*count * cx.uv);
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
	kt.fd = k_create_inner(r->type, r->key_size, r->value_size, r->max_entries, r->map_flags,
			       r->map_extra, "map_diff", row_inner_fd);
	if (kt.fd < 0) {
		*kerr = kt.fd;
		kt.fd = -1;
		return -1;
	}
	bt.map = b_create_inner(r->type, r->key_size, r->value_size, r->max_entries, r->map_flags,
				r->map_extra, "map_diff", row_inner);
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
	{ EINTR, "EINTR" },
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

/*
 * Arrays of references have empty slots (and a perf event array no
 * user-space look-up at all): a key iteration reaches may then not look up.
 */
static bool slots_may_be_empty(void)
{
	enum bpfrt_map_type t = cx.row->type;

	return t == BPFRT_MAP_TYPE_PROG_ARRAY || t == BPFRT_MAP_TYPE_PERF_EVENT_ARRAY ||
	       t == BPFRT_MAP_TYPE_ARRAY_OF_MAPS;
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
		if (err && !(cx.row->map_flags & BPFRT_F_WRONLY) && !slots_may_be_empty())
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

#endif /* BPFRT_TESTS_MAP_DIFF_H */
