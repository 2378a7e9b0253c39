/* SPDX-License-Identifier: MIT */
/*
 * tests/map_diff_run.h - the second half of the map differential engine
 * (see map_diff.h): generating ops, reporting and minimising mismatches,
 * running one row, and the environment both tests read.
 */
#ifndef BPFRT_TESTS_MAP_DIFF_RUN_H
#define BPFRT_TESTS_MAP_DIFF_RUN_H

#include "map_diff.h"

/*
 * Rows whose kernel side is slow (map-in-maps: every successful change
 * waits for an RCU grace period) may run under a time budget instead of
 * the full count (0: none), and need a longer watchdog for full counts.
 */
static double row_budget_s;
static unsigned row_watchdog_s = WATCHDOG_S;

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
	alarm(row_watchdog_s);
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
		 row_watchdog_s, seed);
	alarm(row_watchdog_s);
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

		if (row_budget_s > 0 && i % 64 == 0 && now() - t0 > row_budget_s)
			break;

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
		alarm(row_watchdog_s);
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
	if (i >= 20000 && !bad)
		check_seen(r);
	teardown_row();
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

#endif /* BPFRT_TESTS_MAP_DIFF_RUN_H */
