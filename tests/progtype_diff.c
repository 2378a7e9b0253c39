/* SPDX-License-Identifier: MIT */
/*
 * tests/progtype_diff.c - the program types against the running kernel.
 *
 * The same programs are loaded with BPF_PROG_LOAD and bpfrt_prog__load(),
 * and run with BPF_PROG_TEST_RUN and bpfrt_prog__test_run():
 *
 *   matrix    every context access (offsets across and around the uapi
 *             struct, sizes 1/2/4/8, LDX, LDX sign-extending, STX, ST) of
 *             socket_filter, sched_cls, xdp, raw_tracepoint, kprobe,
 *             tracepoint and perf_event: accepted or rejected alike.
 *   reads     each readable scalar field of __sk_buff (socket_filter,
 *             sched_cls) and xdp_md at every accepted size and offset,
 *             on generated frames and contexts: same value.
 *   writes    each writable __sk_buff field (tc and socket filter), by
 *             BPF_ST and BPF_STX, read back and returned in ctx_out.
 *   helpers   sched_cls programs calling the checksum helpers
 *             (l3/l4_csum_replace with every flag, csum_diff, csum_update,
 *             csum_level), skb_load_bytes(_relative), skb_store_bytes,
 *             skb_pull_data, set_hash, redirect with generated arguments,
 *             with and without BPF_F_TEST_SKB_CHECKSUM_COMPLETE.
 *   xdp       chains of bpf_xdp_adjust_head/tail/meta with generated
 *             deltas, packet writes at data and data_meta, xdp
 *             load/store_bytes, redirect; with metadata in ctx_in.
 *   ld_abs    socket filters and tc programs reading the packet with
 *             LD_ABS / LD_IND at generated offsets and sizes.
 *   raw_tp    argument reads; the kernel's rules on ctx_size_in.
 *   inputs    test-run inputs the kernel refuses (short frames, context
 *             fields it does not let users set, bad metadata): same errno.
 *
 * Each run compares the error, retval, data_out and ctx_out. SKIP when
 * bpf() is not permitted here. Environment: PTDIFF_SEED (default: from
 * the clock, printed), PTDIFF_ROUNDS (inputs per generated program,
 * default 8), PTDIFF_VERBOSE=1 (print every mismatch).
 */
#include <errno.h>
#include <inttypes.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "bpfrt/bpfrt.h"
#include "harness.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MAX_INSNS 512
#define SHOW_MAX 6

/* ---- random numbers ---- */

static uint64_t rng;

static uint64_t rnd(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint32_t below(uint32_t n)
{
	return n ? (uint32_t)(rnd() % n) : 0;
}

static void fill(void *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		((uint8_t *)p)[i] = (uint8_t)rnd();
}

/* ---- programs ---- */

struct prog {
	struct bpfrt_insn in[MAX_INSNS];
	size_t n;
};

static void emit(struct prog *p, struct bpfrt_insn i)
{
	if (p->n < MAX_INSNS)
		p->in[p->n++] = i;
}

static void emit_ld64(struct prog *p, int reg, uint64_t v)
{
	struct bpfrt_insn two[] = { BPFRT_LD_IMM64(reg, v) };

	emit(p, two[0]);
	emit(p, two[1]);
}

/* r0 ^= r0 >> 32: BPF_PROG_TEST_RUN reports 32 bits of r0. */
static void emit_fold_exit(struct prog *p)
{
	emit(p, BPFRT_MOV64_REG(BPFRT_REG_1, BPFRT_REG_0));
	emit(p, BPFRT_ALU64_IMM(BPFRT_RSH, BPFRT_REG_1, 32));
	emit(p, BPFRT_ALU64_REG(BPFRT_XOR, BPFRT_REG_0, BPFRT_REG_1));
	emit(p, BPFRT_EXIT_INSN());
}

/* ---- the kernel ---- */

static int sys_bpf(int cmd, union bpf_attr *attr)
{
	return (int)syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

static char klog[1 << 16];

/* A kernel fd, or -errno. */
static int kload(int type, int eat, const struct prog *p, bool log)
{
	union bpf_attr a;
	int fd;

	memset(&a, 0, sizeof(a));
	a.prog_type = (uint32_t)type;
	a.expected_attach_type = (uint32_t)eat;
	a.insns = (uint64_t)(uintptr_t)p->in;
	a.insn_cnt = (uint32_t)p->n;
	a.license = (uint64_t)(uintptr_t)"GPL";
	if (log) {
		klog[0] = 0;
		a.log_buf = (uint64_t)(uintptr_t)klog;
		a.log_size = sizeof(klog);
		a.log_level = 1;
	}
	fd = sys_bpf(BPF_PROG_LOAD, &a);
	return fd < 0 ? -errno : fd;
}

/* ---- bpfrt ---- */

static struct bpfrt_vm *vm;
static char blog[512];

static struct bpfrt_prog *bload(int type, int eat, const struct prog *p)
{
	struct bpfrt_load_opts o = {
		.sz = sizeof(o),
		.log_buf = blog,
		.log_size = sizeof(blog),
		.prog_type = (enum bpfrt_prog_type)type,
		.expected_attach_type = eat,
		.gpl = true,
	};

	blog[0] = 0;
	return bpfrt_prog__load(vm, p->in, p->n, &o);
}

/* ---- test runs ---- */

struct io {
	const void *data;
	uint32_t data_size;
	const void *ctx;
	uint32_t ctx_size;
	bool data_out, ctx_out;
	uint32_t flags, repeat, cpu;
};

struct res {
	int err;
	uint32_t retval;
	uint32_t data_size, ctx_size;
	uint8_t data[4096];
	uint8_t ctx[512];
};

static void krun(int fd, const struct io *io, struct res *r)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	memset(r, 0, sizeof(*r));
	a.test.prog_fd = (uint32_t)fd;
	a.test.data_in = (uint64_t)(uintptr_t)io->data;
	a.test.data_size_in = io->data_size;
	if (io->data_out) {
		a.test.data_out = (uint64_t)(uintptr_t)r->data;
		a.test.data_size_out = sizeof(r->data);
	}
	a.test.ctx_in = (uint64_t)(uintptr_t)io->ctx;
	a.test.ctx_size_in = io->ctx_size;
	if (io->ctx_out) {
		a.test.ctx_out = (uint64_t)(uintptr_t)r->ctx;
		a.test.ctx_size_out = sizeof(r->ctx);
	}
	a.test.flags = io->flags;
	a.test.repeat = io->repeat;
	a.test.cpu = io->cpu;
	r->err = sys_bpf(BPF_PROG_TEST_RUN, &a) ? -errno : 0;
	r->retval = a.test.retval;
	r->data_size = a.test.data_size_out;
	r->ctx_size = a.test.ctx_size_out;
}

static void brun(const struct bpfrt_prog *prog, const struct io *io, struct res *r)
{
	struct bpfrt_test_run_opts o = {
		.sz = sizeof(o),
		.data_in = io->data,
		.data_size_in = io->data_size,
		.ctx_in = io->ctx,
		.ctx_size_in = io->ctx_size,
		.flags = io->flags,
		.repeat = io->repeat,
		.cpu = io->cpu,
		.engine = BPFRT_ENGINE_CHECKED,
	};

	memset(r, 0, sizeof(*r));
	if (io->data_out) {
		o.data_out = r->data;
		o.data_size_out = sizeof(r->data);
	}
	if (io->ctx_out) {
		o.ctx_out = r->ctx;
		o.ctx_size_out = sizeof(r->ctx);
	}
	r->err = bpfrt_prog__test_run(prog, &o);
	r->retval = o.retval;
	r->data_size = io->data_out ? o.data_size_out : 0;
	r->ctx_size = io->ctx_out ? o.ctx_size_out : 0;
	if (r->err == -EFAULT || r->err == -ECANCELED)
		printf("  bpfrt fault: %s\n", o.fault.msg);
}

/* What differs between two results, or NULL. */
static const char *differ(const struct io *io, const struct res *k, const struct res *b)
{
	if (k->err != b->err)
		return "error";
	if (k->err)
		return NULL;
	if (k->retval != b->retval)
		return "retval";
	if (io->data_out && (k->data_size != b->data_size ||
			     memcmp(k->data, b->data, k->data_size < sizeof(k->data) ? k->data_size
										: sizeof(k->data))))
		return "data_out";
	if (io->ctx_out && (k->ctx_size != b->ctx_size || memcmp(k->ctx, b->ctx, k->ctx_size)))
		return "ctx_out";
	return NULL;
}

static void hexdump(const char *what, const void *p, size_t n)
{
	printf("    %s (%zu):", what, n);
	for (size_t i = 0; i < n && i < 96; i++)
		printf("%s%02x", i % 16 ? " " : "\n      ", ((const uint8_t *)p)[i]);
	printf("\n");
}

static void show_prog(const struct prog *p)
{
	printf("    program:\n");
	for (size_t i = 0; i < p->n; i++)
		printf("      %3zu: %02x %x %x %6d %d\n", i, p->in[i].code, p->in[i].dst_reg,
		       p->in[i].src_reg, p->in[i].off, p->in[i].imm);
}

/* A section's tally. */
struct tally {
	const char *name;
	unsigned long runs, bad, loads;
	int shown;
};

static bool verbose;
static bool single_call; /* PTDIFF_SINGLE=1: one helper call per program */
static unsigned int rounds = 8;

static void mismatch(struct tally *t, const struct prog *p, const struct io *io,
		     const struct res *k, const struct res *b, const char *what)
{
	t->bad++;
	if (t->shown >= SHOW_MAX && !verbose)
		return;
	t->shown++;
	printf("  %s: %s differs: kernel err %d retval %u (0x%x) data %u ctx %u; bpfrt err %d retval %u "
	       "(0x%x) data %u ctx %u\n", t->name, what, k->err, k->retval, k->retval, k->data_size,
	       k->ctx_size, b->err, b->retval, b->retval, b->data_size, b->ctx_size);
	if (io->data_size)
		hexdump("data_in", io->data, io->data_size);
	if (io->ctx_size)
		hexdump("ctx_in", io->ctx, io->ctx_size);
	if (!k->err && !b->err && !strcmp(what, "data_out")) {
		size_t at = 0;

		while (at < k->data_size && at < b->data_size && k->data[at] == b->data[at])
			at++;
		at &= ~(size_t)15;
		printf("    data_out differs from byte %zu:\n", at);
		hexdump("kernel", k->data + at, k->data_size > at ? k->data_size - at : 0);
		hexdump("bpfrt", b->data + at, b->data_size > at ? b->data_size - at : 0);
	}
	if (!k->err && !b->err && !strcmp(what, "ctx_out")) {
		hexdump("kernel ctx_out", k->ctx, k->ctx_size);
		hexdump("bpfrt ctx_out", b->ctx, b->ctx_size);
	}
	if (p)
		show_prog(p);
}

/*
 * Load `p` on both sides and run it on `nio` inputs. Returns false if the
 * kernel refused it (bpfrt must then refuse it too, and nothing runs).
 */
static bool compare(struct tally *t, int type, int eat, const struct prog *p,
		    const struct io *ios, size_t nio)
{
	int fd = kload(type, eat, p, false);
	struct bpfrt_prog *bp = bload(type, eat, p);
	static struct res k, b;

	t->loads++;
	if (fd < 0 || !bp) {
		if ((fd < 0) != !bp) {
			t->bad++;
			if (t->shown < SHOW_MAX || verbose) {
				t->shown++;
				kload(type, eat, p, true);
				printf("  %s: kernel %s, bpfrt %s\n    kernel log: %.600s\n    bpfrt: %s\n",
				       t->name, fd < 0 ? "rejects" : "accepts", bp ? "accepts" : "rejects",
				       klog, blog);
				show_prog(p);
			}
		}
		if (fd >= 0)
			close(fd);
		bpfrt_prog__free(bp);
		return false;
	}
	for (size_t i = 0; i < nio; i++) {
		const char *what;

		krun(fd, &ios[i], &k);
		brun(bp, &ios[i], &b);
		t->runs++;
		what = differ(&ios[i], &k, &b);
		if (what)
			mismatch(t, p, &ios[i], &k, &b, what);
	}
	close(fd);
	bpfrt_prog__free(bp);
	return true;
}

static void report(const struct tally *t)
{
	if (t->bad)
		t_fail("progtype_diff: %s: %lu of %lu loads/runs differ from the kernel", t->name, t->bad,
		       t->loads + t->runs);
	else if (!t->runs)
		t_pass("progtype_diff: %s: %lu programs accepted or refused as by the kernel", t->name,
		       t->loads);
	else
		t_pass("progtype_diff: %s: %lu programs, %lu runs agree with the kernel", t->name,
		       t->loads, t->runs);
}

/* ---- the access matrix ---- */

struct access {
	int16_t off;
	uint8_t size;
	bool sx;
};

static const uint8_t size_code[9] = { [1] = BPFRT_B, [2] = BPFRT_H, [4] = BPFRT_W, [8] = BPFRT_DW };

/* Accepted reads, collected by the matrix for the value tests. */
static struct access reads[3][1024];
static size_t nreads[3];
/* Accepted writes (STX form), for the write tests. */
static struct access writes[3][256];
static size_t nwrites[3];

static void access_prog(struct prog *p, int mode, int16_t off, unsigned int size)
{
	p->n = 0;
	switch (mode) {
	case 0: /* LDX */
		emit(p, BPFRT_LDX_MEM(size_code[size], BPFRT_REG_0, BPFRT_REG_1, off));
		break;
	case 1: /* LDX sign-extending */
		emit(p, BPFRT_LDX_MEMSX(size_code[size], BPFRT_REG_0, BPFRT_REG_1, off));
		break;
	case 2: /* STX */
		emit(p, BPFRT_MOV64_IMM(BPFRT_REG_2, 0));
		emit(p, BPFRT_STX_MEM(size_code[size], BPFRT_REG_1, BPFRT_REG_2, off));
		break;
	case 3: /* ST */
		emit(p, BPFRT_ST_MEM(size_code[size], BPFRT_REG_1, off, 0));
		break;
	}
	emit(p, BPFRT_MOV64_IMM(BPFRT_REG_0, 0));
	emit(p, BPFRT_EXIT_INSN());
}

static void matrix(int type, int eat, const char *name, int lo, int hi, int slot)
{
	static const char *const modes[] = { "ldx", "ldsx", "stx", "st" };
	struct tally t = { .name = name };
	static struct prog p;
	char nm[64];

	snprintf(nm, sizeof(nm), "%s access matrix", name);
	t.name = nm;
	for (int mode = 0; mode < 4; mode++) {
		for (unsigned int size = 1; size <= 8; size *= 2) {
			if (mode == 1 && size == 8)
				continue;
			for (int off = lo; off < hi; off++) {
				int fd;
				struct bpfrt_prog *bp;

				access_prog(&p, mode, (int16_t)off, size);
				fd = kload(type, eat, &p, false);
				bp = bload(type, eat, &p);
				t.loads++;
				if ((fd >= 0) != (bp != NULL)) {
					t.bad++;
					if (t.shown < SHOW_MAX * 2 || verbose) {
						t.shown++;
						if (fd < 0)
							kload(type, eat, &p, true);
						printf("  %s: %s off=%d size=%u: kernel %s, bpfrt %s%s%s\n", nm,
						       modes[mode], off, size, fd >= 0 ? "accepts" : "rejects",
						       bp ? "accepts" : "rejects", bp ? "" : ": ", bp ? "" : blog);
						if (fd < 0)
							printf("    kernel: %.300s\n", klog);
					}
				}
				if (fd >= 0 && slot >= 0 && mode < 2 && nreads[slot] < ARRAY_SIZE(reads[0]))
					reads[slot][nreads[slot]++] = (struct access){ (int16_t)off, (uint8_t)size,
										      mode == 1 };
				if (fd >= 0 && slot >= 0 && mode == 2 && nwrites[slot] < ARRAY_SIZE(writes[0]))
					writes[slot][nwrites[slot]++] = (struct access){ (int16_t)off, (uint8_t)size,
											false };
				if (fd >= 0)
					close(fd);
				bpfrt_prog__free(bp);
			}
		}
	}
	report(&t);
}

enum { SLOT_SF, SLOT_TC, SLOT_XDP };

/* ---- generated inputs ---- */

static uint8_t frames[64][512];
static uint32_t frame_len[64];
static struct __sk_buff skctx[64];

/* An Ethernet frame with a varied destination, ethertype and payload. */
static uint32_t gen_frame(uint8_t *f, uint32_t max)
{
	static const uint16_t types[] = { 0x0800, 0x86dd, 0x0806, 0x8100, 0x88a8, 0x0600, 0x05ff,
					  0x0042, 0x0000, 0xffff };
	uint32_t len = 14 + below(max - 14 + 1);
	uint16_t et;

	fill(f, len);
	switch (below(5)) {
	case 0:
		memset(f, 0, 6);
		break;
	case 1:
		memset(f, 0xff, 6);
		break;
	case 2:
		f[0] |= 1; /* multicast */
		break;
	default:
		f[0] &= 0xfe;
		break;
	}
	et = below(4) ? types[below(ARRAY_SIZE(types))] : (uint16_t)rnd();
	f[12] = (uint8_t)(et >> 8);
	f[13] = (uint8_t)et;
	if (et == 0x0800 && len >= 34) {
		f[14] = 0x45;
		if (below(2))
			f[20] = f[21] = 0; /* not a fragment */
	}
	if (et < 0x600 && len >= 16 && below(2))
		f[14] = f[15] = 0xff; /* raw 802.3 (IPX) */
	return len;
}

/* A __sk_buff the kernel accepts as ctx_in for a frame of `len` bytes. */
static void gen_skctx(struct __sk_buff *c, uint32_t len)
{
	memset(c, 0, sizeof(*c));
	if (below(2))
		c->mark = (uint32_t)rnd();
	if (below(2))
		c->priority = (uint32_t)rnd();
	if (below(2))
		c->ingress_ifindex = below(100);
	c->ifindex = below(2);
	if (below(2))
		fill(c->cb, sizeof(c->cb));
	if (below(2))
		c->tstamp = rnd();
	if (below(2))
		c->wire_len = len + below(100);
	if (below(2))
		c->gso_segs = below(65536);
	if (below(2))
		c->gso_size = (uint32_t)rnd();
	if (below(2))
		c->hwtstamp = rnd();
}

static void gen_inputs(uint32_t max)
{
	for (size_t i = 0; i < ARRAY_SIZE(frames); i++) {
		frame_len[i] = gen_frame(frames[i], max);
		gen_skctx(&skctx[i], frame_len[i]);
	}
}

/* `n` skb test-run inputs from the generated frames (half with ctx_in). */
static size_t skb_ios(struct io *ios, size_t n, uint32_t flags)
{
	for (size_t i = 0; i < n; i++) {
		size_t f = below(ARRAY_SIZE(frames));
		bool ctx = below(2);

		ios[i] = (struct io){ .data = frames[f], .data_size = frame_len[f], .data_out = true,
				      .ctx = ctx ? &skctx[f] : NULL,
				      .ctx_size = ctx ? sizeof(skctx[f]) : 0, .ctx_out = ctx,
				      .flags = flags };
	}
	return n;
}

/* ---- field reads and writes ---- */

static bool pointer_field(int type, int16_t off)
{
	if (type == BPF_PROG_TYPE_XDP)
		return off < 12;
	return off == offsetof(struct __sk_buff, data) || off == offsetof(struct __sk_buff, data_end) ||
	       off == offsetof(struct __sk_buff, data_meta) || off == offsetof(struct __sk_buff, sk);
}

static void field_reads(int type, const char *name, int slot)
{
	struct tally t = { .name = name };
	static struct prog p;
	static struct io ios[64];
	static uint8_t xmeta[64][24];

	for (size_t i = 0; i < nreads[slot]; i++) {
		const struct access *a = &reads[slot][i];
		size_t nio = rounds;

		if (pointer_field(type, a->off))
			continue;
		p.n = 0;
		if (a->sx)
			emit(&p, BPFRT_LDX_MEMSX(size_code[a->size], BPFRT_REG_0, BPFRT_REG_1, a->off));
		else
			emit(&p, BPFRT_LDX_MEM(size_code[a->size], BPFRT_REG_0, BPFRT_REG_1, a->off));
		emit_fold_exit(&p);
		if (type == BPF_PROG_TYPE_XDP) {
			for (size_t j = 0; j < nio; j++) {
				struct xdp_md *md = (struct xdp_md *)xmeta[j];
				size_t f = below(ARRAY_SIZE(frames));

				memset(md, 0, sizeof(*md));
				md->data_end = frame_len[f];
				md->ingress_ifindex = below(2);
				ios[j] = (struct io){ .data = frames[f], .data_size = frame_len[f],
						      .data_out = true, .ctx = below(2) ? md : NULL,
						      .ctx_size = sizeof(*md) };
				ios[j].ctx_out = ios[j].ctx != NULL;
				if (!ios[j].ctx)
					ios[j].ctx_size = 0;
			}
		} else {
			skb_ios(ios, nio, 0);
		}
		compare(&t, type, 0, &p, ios, nio);
	}
	report(&t);
}

static void field_writes(int type, const char *name, int slot)
{
	struct tally t = { .name = name };
	static struct prog p;
	static struct io ios[64];

	for (size_t i = 0; i < nwrites[slot]; i++) {
		const struct access *a = &writes[slot][i];

		for (int st = 0; st < 2; st++) {
			int32_t v = below(4) ? (int32_t)rnd() : (int32_t)(0xfff0 + below(32));
			int16_t field = (int16_t)(a->off & ~3);
			bool wide = a->off >= (int16_t)offsetof(struct __sk_buff, tstamp) &&
				    a->off < (int16_t)offsetof(struct __sk_buff, wire_len);

			p.n = 0;
			emit(&p, BPFRT_MOV64_REG(BPFRT_REG_6, BPFRT_REG_1));
			if (st) {
				emit(&p, BPFRT_ST_MEM(size_code[a->size], BPFRT_REG_6, a->off, v));
			} else {
				emit_ld64(&p, BPFRT_REG_2, rnd());
				emit(&p, BPFRT_STX_MEM(size_code[a->size], BPFRT_REG_6, BPFRT_REG_2, a->off));
			}
			if (wide)
				emit(&p, BPFRT_LDX_MEM(BPFRT_DW, BPFRT_REG_0, BPFRT_REG_6,
						       offsetof(struct __sk_buff, tstamp)));
			else
				emit(&p, BPFRT_LDX_MEM(BPFRT_W, BPFRT_REG_0, BPFRT_REG_6, field));
			emit_fold_exit(&p);
			compare(&t, type, 0, &p, ios, skb_ios(ios, rounds, 0));
		}
	}
	report(&t);
}

/* ---- helpers of sched_cls and socket_filter ---- */

/* Stack bytes [r10 - n, r10) set to generated words. */
static void emit_stack_init(struct prog *p, int n)
{
	for (int off = -n; off < 0; off += 8) {
		emit_ld64(p, BPFRT_REG_2, rnd());
		emit(p, BPFRT_STX_MEM(BPFRT_DW, BPFRT_REG_10, BPFRT_REG_2, (int16_t)off));
	}
}

/* r0 = r7 folded with the n stack bytes below r10 (n multiple of 8). */
static void emit_fold_stack(struct prog *p, int n)
{
	emit(p, BPFRT_MOV64_REG(BPFRT_REG_0, BPFRT_REG_7));
	for (int off = -n; off < 0; off += 8) {
		emit(p, BPFRT_ALU64_IMM(BPFRT_MUL, BPFRT_REG_0, 31));
		emit(p, BPFRT_LDX_MEM(BPFRT_DW, BPFRT_REG_2, BPFRT_REG_10, (int16_t)off));
		emit(p, BPFRT_ALU64_REG(BPFRT_XOR, BPFRT_REG_0, BPFRT_REG_2));
	}
	emit_fold_exit(p);
}

/* r7 = r7 * 31 + r0 */
static void emit_acc(struct prog *p)
{
	emit(p, BPFRT_ALU64_IMM(BPFRT_MUL, BPFRT_REG_7, 31));
	emit(p, BPFRT_ALU64_REG(BPFRT_ADD, BPFRT_REG_7, BPFRT_REG_0));
}

static void emit_call(struct prog *p, int id)
{
	emit(p, BPFRT_CALL_HELPER(id));
}

/* An offset into (or just past) a frame of `len` bytes, sometimes absurd. */
static uint32_t gen_off(uint32_t len)
{
	switch (below(10)) {
	case 0:
		return (uint32_t)rnd();
	case 1:
		return 0x10000 + below(4);
	case 2:
		return below(2) ? 24 : below(2) ? 40 : 50; /* IPv4, UDP, TCP checksums */
	default:
		return below(len + 8);
	}
}

static uint64_t gen_value(void)
{
	switch (below(4)) {
	case 0:
		return below(0x10000);
	case 1:
		return (uint32_t)rnd();
	case 2:
		return 0;
	default:
		return rnd();
	}
}

static void gen_csum_replace(struct prog *p, bool l4)
{
	static const uint64_t l4flags[] = { BPF_F_PSEUDO_HDR, BPF_F_MARK_MANGLED_0, BPF_F_MARK_ENFORCE,
					    BPF_F_IPV6, 0x100 };
	uint64_t flags = below(8) ? (uint64_t[]){ 0, 2, 4 }[below(3)] : below(16);

	if (l4) {
		for (size_t i = 0; i < ARRAY_SIZE(l4flags); i++)
			if (below(i == 4 ? 12 : 3) == 0)
				flags |= l4flags[i];
	} else if (!below(12)) {
		flags |= BPF_F_PSEUDO_HDR;
	}
	emit(p, BPFRT_MOV64_REG(BPFRT_REG_1, BPFRT_REG_6));
	emit(p, BPFRT_MOV32_IMM(BPFRT_REG_2, (int32_t)gen_off(60)));
	emit_ld64(p, BPFRT_REG_3, (flags & 15) == 0 && below(4) ? 0 : gen_value());
	emit_ld64(p, BPFRT_REG_4, gen_value());
	emit_ld64(p, BPFRT_REG_5, flags);
	emit_call(p, l4 ? BPF_FUNC_l4_csum_replace : BPF_FUNC_l3_csum_replace);
	emit_acc(p);
}

static void gen_csum_diff(struct prog *p)
{
	static const int sizes[] = { 0, 4, 8, 12, 16, 20, 24, 32, 40, 64, 3, 6 };
	int fs = sizes[below(ARRAY_SIZE(sizes))], ts = sizes[below(ARRAY_SIZE(sizes))];

	emit(p, BPFRT_MOV64_REG(BPFRT_REG_1, BPFRT_REG_10));
	emit(p, BPFRT_ALU64_IMM(BPFRT_ADD, BPFRT_REG_1, -64 - (int)below(2) * 64));
	if (!fs && below(2))
		emit(p, BPFRT_MOV64_IMM(BPFRT_REG_1, 0));
	emit(p, BPFRT_MOV64_IMM(BPFRT_REG_2, fs));
	emit(p, BPFRT_MOV64_REG(BPFRT_REG_3, BPFRT_REG_10));
	emit(p, BPFRT_ALU64_IMM(BPFRT_ADD, BPFRT_REG_3, -64 - (int)below(2) * 64));
	if (!ts && below(2))
		emit(p, BPFRT_MOV64_IMM(BPFRT_REG_3, 0));
	emit(p, BPFRT_MOV64_IMM(BPFRT_REG_4, ts));
	emit_ld64(p, BPFRT_REG_5, gen_value());
	emit_call(p, BPF_FUNC_csum_diff);
	emit_acc(p);
}

static void gen_skb_helper(struct prog *p, bool tc)
{
	int kind = below(tc ? 12 : 2);

	switch (kind) {
	case 0: /* skb_load_bytes */
	case 1: /* skb_load_bytes_relative */ {
		uint32_t len = 1 + below(64);

		emit(p, BPFRT_MOV64_REG(BPFRT_REG_1, BPFRT_REG_6));
		emit(p, BPFRT_MOV32_IMM(BPFRT_REG_2, (int32_t)gen_off(120)));
		emit(p, BPFRT_MOV64_REG(BPFRT_REG_3, BPFRT_REG_10));
		emit(p, BPFRT_ALU64_IMM(BPFRT_ADD, BPFRT_REG_3, -64));
		emit(p, BPFRT_MOV64_IMM(BPFRT_REG_4, (int32_t)len));
		if (kind == 1)
			emit(p, BPFRT_MOV64_IMM(BPFRT_REG_5, (int32_t)below(3)));
		emit_call(p, kind ? BPF_FUNC_skb_load_bytes_relative : BPF_FUNC_skb_load_bytes);
		emit_acc(p);
		break;
	}
	case 2:
	case 3:
		gen_csum_replace(p, false);
		break;
	case 4:
	case 5:
		gen_csum_replace(p, true);
		break;
	case 6:
		gen_csum_diff(p);
		break;
	case 7: { /* skb_store_bytes */
		uint64_t flags = below(2) ? 0 : below(8);

		emit(p, BPFRT_MOV64_REG(BPFRT_REG_1, BPFRT_REG_6));
		emit(p, BPFRT_MOV32_IMM(BPFRT_REG_2, (int32_t)gen_off(60)));
		emit(p, BPFRT_MOV64_REG(BPFRT_REG_3, BPFRT_REG_10));
		emit(p, BPFRT_ALU64_IMM(BPFRT_ADD, BPFRT_REG_3, -128));
		emit(p, BPFRT_MOV64_IMM(BPFRT_REG_4, (int32_t)(1 + below(40))));
		emit(p, BPFRT_MOV64_IMM(BPFRT_REG_5, (int32_t)flags));
		emit_call(p, BPF_FUNC_skb_store_bytes);
		emit_acc(p);
		break;
	}
	case 8: /* csum_update */
		emit(p, BPFRT_MOV64_REG(BPFRT_REG_1, BPFRT_REG_6));
		emit_ld64(p, BPFRT_REG_2, below(2) ? (uint64_t[]){ 0, 0xffffffff, 0xffff }[below(3)] : rnd());
		emit_call(p, BPF_FUNC_csum_update);
		emit_acc(p);
		break;
	case 9: /* csum_level */
		emit(p, BPFRT_MOV64_REG(BPFRT_REG_1, BPFRT_REG_6));
		emit_ld64(p, BPFRT_REG_2, below(8) ? below(5) : rnd());
		emit_call(p, BPF_FUNC_csum_level);
		emit_acc(p);
		break;
	case 10: /* skb_pull_data */
		emit(p, BPFRT_MOV64_REG(BPFRT_REG_1, BPFRT_REG_6));
		emit(p, BPFRT_MOV32_IMM(BPFRT_REG_2, (int32_t)(below(4) ? below(300) : (uint32_t)rnd())));
		emit_call(p, BPF_FUNC_skb_pull_data);
		emit_acc(p);
		break;
	case 11: /* set_hash / set_hash_invalid, then skb->hash; or redirect */
		if (below(3)) {
			emit(p, BPFRT_MOV64_REG(BPFRT_REG_1, BPFRT_REG_6));
			emit_ld64(p, BPFRT_REG_2, rnd());
			emit_call(p, below(2) ? BPF_FUNC_set_hash : BPF_FUNC_set_hash_invalid);
			emit_acc(p);
			emit(p, BPFRT_LDX_MEM(BPFRT_W, BPFRT_REG_0, BPFRT_REG_6, offsetof(struct __sk_buff, hash)));
			emit_acc(p);
		} else {
			emit(p, BPFRT_MOV32_IMM(BPFRT_REG_1, (int32_t)below(10)));
			emit_ld64(p, BPFRT_REG_2, below(2) ? below(2) : rnd());
			emit_call(p, BPF_FUNC_redirect);
			emit_acc(p);
		}
		break;
	}
}

static void skb_helpers(int type, const char *name, int programs)
{
	struct tally t = { .name = name };
	static struct prog p;
	static struct io ios[64];
	bool tc = type == BPF_PROG_TYPE_SCHED_CLS;

	for (int i = 0; i < programs; i++) {
		int calls = single_call ? 1 : 1 + (int)below(4);
		uint32_t flags = tc && below(3) == 0 ? BPF_F_TEST_SKB_CHECKSUM_COMPLETE : 0;

		p.n = 0;
		emit(&p, BPFRT_MOV64_REG(BPFRT_REG_6, BPFRT_REG_1));
		emit(&p, BPFRT_MOV64_IMM(BPFRT_REG_7, 0));
		emit_stack_init(&p, 128);
		for (int c = 0; c < calls; c++)
			gen_skb_helper(&p, tc);
		emit_fold_stack(&p, 128);
		compare(&t, type, 0, &p, ios, skb_ios(ios, rounds, flags));
	}
	report(&t);
}

/* csum_diff over more than 512 bytes (the kernel's old scratch-pad limit). */
static void csum_diff_big(void)
{
	struct tally t = { .name = "sched_cls csum_diff sizes" };
	static struct prog p;
	static struct io ios[8];
	static const int sizes[][2] = { { 512, 0 }, { 256, 256 }, { 256, 260 }, { 508, 8 }, { 0, 512 },
					{ 4, 512 } };

	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		p.n = 0;
		emit(&p, BPFRT_MOV64_IMM(BPFRT_REG_7, 0));
		emit_stack_init(&p, 512);
		emit(&p, BPFRT_MOV64_REG(BPFRT_REG_1, BPFRT_REG_10));
		emit(&p, BPFRT_ALU64_IMM(BPFRT_ADD, BPFRT_REG_1, -512));
		emit(&p, BPFRT_MOV64_IMM(BPFRT_REG_2, sizes[i][0]));
		emit(&p, BPFRT_MOV64_REG(BPFRT_REG_3, BPFRT_REG_10));
		emit(&p, BPFRT_ALU64_IMM(BPFRT_ADD, BPFRT_REG_3, -512));
		emit(&p, BPFRT_MOV64_IMM(BPFRT_REG_4, sizes[i][1]));
		emit_ld64(&p, BPFRT_REG_5, gen_value());
		emit_call(&p, BPF_FUNC_csum_diff);
		emit_fold_exit(&p);
		compare(&t, BPF_PROG_TYPE_SCHED_CLS, 0, &p, ios, skb_ios(ios, 2, 0));
	}
	report(&t);
}

/* ---- XDP ---- */

static int32_t gen_delta(int kind)
{
	switch (kind) {
	case 0: /* head */
		return below(3) ? -(int32_t)below(300) : (int32_t)below(300);
	case 1: /* tail */
		return below(2) ? -(int32_t)below(300) : (int32_t)below(3800);
	default: /* meta */
		return below(6) ? -4 * (int32_t)below(10) : (int32_t)below(16) - 8;
	}
}

static void gen_xdp_prog(struct prog *p)
{
	static const int ids[] = { BPF_FUNC_xdp_adjust_head, BPF_FUNC_xdp_adjust_tail,
				   BPF_FUNC_xdp_adjust_meta };
	int calls = 1 + below(4);

	p->n = 0;
	emit(p, BPFRT_MOV64_REG(BPFRT_REG_6, BPFRT_REG_1));
	emit(p, BPFRT_MOV64_IMM(BPFRT_REG_7, 0));
	emit_stack_init(p, 16);
	for (int c = 0; c < calls; c++) {
		int k = below(8);

		if (k < 6) {
			emit(p, BPFRT_MOV64_REG(BPFRT_REG_1, BPFRT_REG_6));
			emit(p, BPFRT_MOV64_IMM(BPFRT_REG_2, gen_delta(k % 3)));
			emit_call(p, ids[k % 3]);
		} else if (k == 6) { /* load, store bytes */
			emit(p, BPFRT_MOV64_REG(BPFRT_REG_1, BPFRT_REG_6));
			emit(p, BPFRT_MOV32_IMM(BPFRT_REG_2, (int32_t)gen_off(100)));
			emit(p, BPFRT_MOV64_REG(BPFRT_REG_3, BPFRT_REG_10));
			emit(p, BPFRT_ALU64_IMM(BPFRT_ADD, BPFRT_REG_3, -16));
			emit(p, BPFRT_MOV64_IMM(BPFRT_REG_4, (int32_t)(1 + below(16))));
			emit_call(p, below(2) ? BPF_FUNC_xdp_load_bytes : BPF_FUNC_xdp_store_bytes);
			emit_acc(p);
			emit(p, BPFRT_MOV64_REG(BPFRT_REG_1, BPFRT_REG_6));
			emit_call(p, BPF_FUNC_xdp_get_buff_len);
		} else {
			emit(p, BPFRT_MOV32_IMM(BPFRT_REG_1, (int32_t)below(10)));
			emit(p, BPFRT_MOV64_IMM(BPFRT_REG_2, below(3) ? 0 : (int32_t)below(4)));
			emit_call(p, BPF_FUNC_redirect);
		}
		emit_acc(p);
	}
	/* The packet as the program sees it now, with marks at data and data_meta. */
	emit(p, BPFRT_LDX_MEM(BPFRT_W, BPFRT_REG_2, BPFRT_REG_6, offsetof(struct xdp_md, data)));
	emit(p, BPFRT_LDX_MEM(BPFRT_W, BPFRT_REG_3, BPFRT_REG_6, offsetof(struct xdp_md, data_end)));
	emit(p, BPFRT_LDX_MEM(BPFRT_W, BPFRT_REG_4, BPFRT_REG_6, offsetof(struct xdp_md, data_meta)));
	emit(p, BPFRT_MOV64_REG(BPFRT_REG_5, BPFRT_REG_2));
	emit(p, BPFRT_ALU64_IMM(BPFRT_ADD, BPFRT_REG_5, 1));
	emit(p, BPFRT_JMP_REG(BPFRT_JGT, BPFRT_REG_5, BPFRT_REG_3, 1));
	emit(p, BPFRT_ST_MEM(BPFRT_B, BPFRT_REG_2, 0, 0xab));
	emit(p, BPFRT_MOV64_REG(BPFRT_REG_5, BPFRT_REG_4));
	emit(p, BPFRT_ALU64_IMM(BPFRT_ADD, BPFRT_REG_5, 1));
	emit(p, BPFRT_JMP_REG(BPFRT_JGT, BPFRT_REG_5, BPFRT_REG_2, 1));
	emit(p, BPFRT_ST_MEM(BPFRT_B, BPFRT_REG_4, 0, 0xcd));
	emit(p, BPFRT_MOV64_REG(BPFRT_REG_0, BPFRT_REG_3));
	emit(p, BPFRT_ALU64_REG(BPFRT_SUB, BPFRT_REG_0, BPFRT_REG_2));
	emit(p, BPFRT_ALU64_IMM(BPFRT_LSH, BPFRT_REG_0, 8));
	emit(p, BPFRT_ALU64_REG(BPFRT_SUB, BPFRT_REG_2, BPFRT_REG_4));
	emit(p, BPFRT_ALU64_REG(BPFRT_XOR, BPFRT_REG_0, BPFRT_REG_2));
	emit(p, BPFRT_ALU64_IMM(BPFRT_LSH, BPFRT_REG_0, 8));
	emit(p, BPFRT_ALU64_REG(BPFRT_XOR, BPFRT_REG_0, BPFRT_REG_7));
	emit_fold_exit(p);
}

static struct xdp_md xmd[64];

static size_t xdp_ios(struct io *ios, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		size_t f = below(ARRAY_SIZE(frames));
		uint32_t len = below(4) ? frame_len[f] : below(15);
		struct xdp_md *md = &xmd[i];

		ios[i] = (struct io){ .data = frames[f], .data_size = len, .data_out = true };
		if (below(2)) {
			memset(md, 0, sizeof(*md));
			md->data = below(8) ? 4 * below(len / 4 < 9 ? len / 4 + 1 : 9) : below(40);
			md->data_end = below(16) ? len : len + 1; /* smaller: multi-buffer */
			if (below(3) == 0)
				md->ingress_ifindex = 1;
			if (below(10) == 0)
				md->rx_queue_index = 1;
			ios[i].ctx = md;
			ios[i].ctx_size = sizeof(*md);
			ios[i].ctx_out = true;
		}
	}
	return n;
}

static void xdp_progs(int programs)
{
	struct tally t = { .name = "xdp head/tail/meta, bytes, redirect" };
	static struct prog p;
	static struct io ios[64];

	for (int i = 0; i < programs; i++) {
		gen_xdp_prog(&p);
		compare(&t, BPF_PROG_TYPE_XDP, 0, &p, ios, xdp_ios(ios, rounds));
	}
	report(&t);
}

/* ---- LD_ABS / LD_IND ---- */

static void ld_abs(int type, const char *name, int programs)
{
	struct tally t = { .name = name };
	static struct prog p;
	static struct io ios[64];
	static const uint8_t sizes[] = { BPFRT_B, BPFRT_H, BPFRT_W };

	for (int i = 0; i < programs; i++) {
		int loads = 1 + below(8);

		p.n = 0;
		emit(&p, BPFRT_MOV64_REG(BPFRT_REG_6, BPFRT_REG_1));
		emit(&p, BPFRT_MOV64_IMM(BPFRT_REG_7, 0));
		emit(&p, BPFRT_MOV64_IMM(BPFRT_REG_8, (int32_t)below(64)));
		for (int l = 0; l < loads; l++) {
			uint8_t sz = sizes[below(3)];

			if (below(2))
				emit(&p, BPFRT_LD_ABS(sz, (int32_t)below(220)));
			else
				emit(&p, BPFRT_LD_IND(sz, BPFRT_REG_8, (int32_t)below(160)));
			emit_acc(&p);
		}
		emit(&p, BPFRT_LDX_MEM(BPFRT_W, BPFRT_REG_0, BPFRT_REG_6, offsetof(struct __sk_buff, len)));
		emit_acc(&p);
		emit(&p, BPFRT_MOV64_REG(BPFRT_REG_0, BPFRT_REG_7));
		emit_fold_exit(&p);
		compare(&t, type, 0, &p, ios, skb_ios(ios, rounds, 0));
	}
	report(&t);
}

/* ---- raw tracepoints ---- */

static void raw_tp(int programs)
{
	struct tally t = { .name = "raw_tracepoint args" };
	static struct prog p;
	static struct io ios[64];
	static uint64_t args[64][13];

	for (int i = 0; i < programs; i++) {
		int nread = 1 + below(6);
		uint32_t max = 0;

		p.n = 0;
		emit(&p, BPFRT_MOV64_REG(BPFRT_REG_6, BPFRT_REG_1));
		emit(&p, BPFRT_MOV64_IMM(BPFRT_REG_7, 0));
		for (int r = 0; r < nread; r++) {
			unsigned int size = 1u << below(4);
			uint32_t off = below(96 / size) * size;

			if (below(3) || size == 8)
				emit(&p, BPFRT_LDX_MEM(size_code[size], BPFRT_REG_0, BPFRT_REG_6, (int16_t)off));
			else
				emit(&p, BPFRT_LDX_MEMSX(size_code[size], BPFRT_REG_0, BPFRT_REG_6, (int16_t)off));
			emit_acc(&p);
			if (off + size > max)
				max = off + size;
		}
		emit(&p, BPFRT_MOV64_REG(BPFRT_REG_0, BPFRT_REG_7));
		emit_fold_exit(&p);
		for (size_t j = 0; j < rounds; j++) {
			fill(args[j], sizeof(args[j]));
			ios[j] = (struct io){ .ctx = args[j], .ctx_size = max + below(97 - max) };
			if (below(8) == 0)
				ios[j].ctx_size = below(max + 1);
			if (below(16) == 0)
				ios[j].ctx_size = 97 + below(8);
			if (below(16) == 0)
				ios[j].repeat = 1 + below(2);
			if (below(16) == 0)
				ios[j].cpu = 1;
			if (below(16) == 0)
				ios[j].flags = BPF_F_TEST_RUN_ON_CPU;
		}
		compare(&t, BPF_PROG_TYPE_RAW_TRACEPOINT, 0, &p, ios, rounds);
	}
	report(&t);
}

/* ---- test-run inputs ---- */

static void inputs(void)
{
	struct tally t = { .name = "test-run inputs" };
	static struct prog p;
	static struct io ios[512];
	static struct __sk_buff bad[64];
	static uint8_t big[4096], ctxbig[256];
	static struct xdp_md md[32];
	size_t n = 0, nb = 0, nm = 0;

	/* skb: frame sizes, every context word set, wire_len, gso_segs, sizes of ctx_in. */
	p.n = 0;
	emit(&p, BPFRT_LDX_MEM(BPFRT_W, BPFRT_REG_2, BPFRT_REG_1, offsetof(struct __sk_buff, cb[0])));
	emit(&p, BPFRT_ALU64_IMM(BPFRT_ADD, BPFRT_REG_2, 1));
	emit(&p, BPFRT_STX_MEM(BPFRT_W, BPFRT_REG_1, BPFRT_REG_2, offsetof(struct __sk_buff, cb[0])));
	emit(&p, BPFRT_LDX_MEM(BPFRT_W, BPFRT_REG_0, BPFRT_REG_1, offsetof(struct __sk_buff, len)));
	emit(&p, BPFRT_EXIT_INSN());
	fill(big, sizeof(big));
	big[12] = 0x08, big[13] = 0x06;
	for (uint32_t size = 0; size < 20; size++)
		ios[n++] = (struct io){ .data = big, .data_size = size, .data_out = true };
	for (uint32_t size = 3708; size < 3716; size++)
		ios[n++] = (struct io){ .data = big, .data_size = size, .data_out = true };
	for (uint32_t w = 0; w < sizeof(struct __sk_buff) / 4; w++) {
		struct __sk_buff *c = &bad[nb++];

		memset(c, 0, sizeof(*c));
		((uint32_t *)c)[w] = 1;
		ios[n++] = (struct io){ .data = big, .data_size = 60, .data_out = true, .ctx = c,
					.ctx_size = sizeof(*c), .ctx_out = true };
	}
	for (int i = 0; i < 6; i++) {
		struct __sk_buff *c = &bad[nb++];

		memset(c, 0, sizeof(*c));
		c->wire_len = (uint32_t[]){ 59, 60, 61, 65536, 65537, 0 }[i];
		c->gso_segs = (uint32_t[]){ 0, 65535, 65536, 1, 0, 7 }[i];
		ios[n++] = (struct io){ .data = big, .data_size = 60, .data_out = true, .ctx = c,
					.ctx_size = sizeof(*c), .ctx_out = true };
	}
	memset(ctxbig, 0, sizeof(ctxbig));
	ctxbig[4 * 12] = 9; /* cb[0] */
	ios[n++] = (struct io){ .data = big, .data_size = 60, .ctx = ctxbig, .ctx_size = 100,
				.ctx_out = true, .data_out = true };
	ios[n++] = (struct io){ .data = big, .data_size = 60, .ctx = ctxbig, .ctx_size = 256,
				.ctx_out = true, .data_out = true };
	ctxbig[200] = 1;
	ios[n++] = (struct io){ .data = big, .data_size = 60, .ctx = ctxbig, .ctx_size = 256,
				.ctx_out = true };
	ios[n++] = (struct io){ .data = big, .data_size = 60, .flags = 1 };
	ios[n++] = (struct io){ .data = big, .data_size = 60, .flags = 8 };
	ios[n++] = (struct io){ .data = big, .data_size = 60, .cpu = 1 };
	ios[n++] = (struct io){ .data = big, .data_size = 60, .repeat = 5, .ctx = &bad[0],
				.ctx_size = sizeof(bad[0]), .ctx_out = true };
	ios[n++] = (struct io){ .data = big, .data_size = 60, .ctx = &bad[0], .ctx_size = 0 };
	compare(&t, BPF_PROG_TYPE_SCHED_CLS, 0, &p, ios, n);
	compare(&t, BPF_PROG_TYPE_SOCKET_FILTER, 0, &p, ios, n);

	/* xdp: the rules on its context and data. */
	n = 0;
	gen_xdp_prog(&p);
	for (uint32_t size = 0; size < 16; size++)
		ios[n++] = (struct io){ .data = big, .data_size = size, .data_out = true };
	ios[n++] = (struct io){ .data = big, .data_size = 3520, .data_out = true };
	for (int i = 0; i < 12; i++) {
		struct xdp_md *m = &md[nm++];

		memset(m, 0, sizeof(*m));
		m->data_end = 64;
		switch (i) {
		case 0: m->data_meta = 4; break;
		case 1: m->data_end = 65; break;
		case 2: m->data = 65; break;
		case 3: m->data = 36; break;
		case 4: m->data = 6; break;
		case 5: m->data = 32; break;
		case 6: m->egress_ifindex = 1; break;
		case 7: m->rx_queue_index = 1; break;
		case 8: m->ingress_ifindex = 1; break;
		case 9: m->ingress_ifindex = 1, m->rx_queue_index = 1; break;
		case 10: m->data = 8, m->ingress_ifindex = 1; break;
		default: break;
		}
		ios[n++] = (struct io){ .data = big, .data_size = 64, .data_out = true, .ctx = m,
					.ctx_size = sizeof(*m), .ctx_out = true };
	}
	ios[n++] = (struct io){ .data = big, .data_size = 0, .data_out = true, .ctx_out = true };
	ios[n++] = (struct io){ .data = big, .data_size = 64, .flags = 4 };
	ios[n++] = (struct io){ .data = big, .data_size = 64, .repeat = 3, .data_out = true };
	compare(&t, BPF_PROG_TYPE_XDP, 0, &p, ios, n);
	report(&t);
}

/* ---- the ctx pointer moving around ---- */

/*
 * Random programs where the context pointer moves between registers and
 * stack slots, goes to a subprogram and a helper, is mixed with scalars on
 * some paths or moved by arithmetic, with reads and writes through
 * whatever holds it. The generator knows what each register holds, so it
 * never reads an uninitialised register nor dereferences a scalar (the
 * kernel would refuse for reasons outside bpfrt's analysis); it does
 * dereference a maybe-ctx or moved ctx now and then, which both must
 * refuse.
 */
enum gk { G_UNINIT, G_SCALAR, G_CTX, G_MAYBE, G_MOD };

static const int gvars[] = { BPFRT_REG_2, BPFRT_REG_3, BPFRT_REG_4, BPFRT_REG_5, BPFRT_REG_8,
			     BPFRT_REG_9 };

static void gen_flow_prog(struct prog *p, int slot, bool *sub_used)
{
	enum gk reg[11], stack[8];
	int steps = 4 + below(20);
	const struct access *rd = reads[slot];
	size_t nrd = nreads[slot];

	p->n = 0;
	*sub_used = false;
	for (int i = 0; i < 11; i++)
		reg[i] = G_UNINIT;
	emit(p, BPFRT_MOV64_REG(BPFRT_REG_6, BPFRT_REG_1));
	/* r7 unknown to the verifier, so it follows both arms of each branch on it. */
	emit(p, BPFRT_LDX_MEM(BPFRT_W, BPFRT_REG_7, BPFRT_REG_6, offsetof(struct __sk_buff, len)));
	for (int i = 0; i < 8; i++) {
		emit(p, BPFRT_ST_MEM(BPFRT_DW, BPFRT_REG_10, (int16_t)(-8 * (i + 1)), (int32_t)below(100)));
		stack[i] = G_SCALAR;
	}
	emit(p, BPFRT_ST_MEM(BPFRT_W, BPFRT_REG_10, -72, 0));
	for (int st = 0; st < steps; st++) {
		int v = gvars[below(ARRAY_SIZE(gvars))], w = gvars[below(ARRAY_SIZE(gvars))];
		int k = below(8);

		switch (below(11)) {
		case 0: /* v = ctx */
			emit(p, BPFRT_MOV64_REG(v, BPFRT_REG_6));
			reg[v] = G_CTX;
			break;
		case 1: /* v = scalar */
			emit(p, BPFRT_MOV64_IMM(v, (int32_t)below(1000)));
			reg[v] = G_SCALAR;
			break;
		case 2: /* w = v */
			if (reg[v] == G_UNINIT)
				break;
			emit(p, BPFRT_MOV64_REG(w, v));
			reg[w] = reg[v];
			break;
		case 3: /* spill */
			if (reg[v] == G_UNINIT)
				break;
			emit(p, BPFRT_STX_MEM(BPFRT_DW, BPFRT_REG_10, v, (int16_t)(-8 * (k + 1))));
			stack[k] = reg[v];
			break;
		case 4: /* fill */
			emit(p, BPFRT_LDX_MEM(BPFRT_DW, v, BPFRT_REG_10, (int16_t)(-8 * (k + 1))));
			reg[v] = stack[k];
			break;
		case 5: /* v = ctx or a scalar, by a bit of the accumulator */
			emit(p, BPFRT_MOV64_IMM(v, (int32_t)below(1000)));
			emit(p, BPFRT_JMP_IMM(BPFRT_JSET, BPFRT_REG_7, 1 << below(8), 1));
			emit(p, BPFRT_MOV64_REG(v, BPFRT_REG_6));
			reg[v] = G_MAYBE;
			break;
		case 6: /* v += 8 */
			if (reg[v] != G_CTX || below(3))
				break;
			emit(p, BPFRT_ALU64_IMM(BPFRT_ADD, v, 8));
			reg[v] = G_MOD;
			break;
		case 7: /* a helper gets the ctx: skb_load_bytes(v, off, fp - 72, 4) */
			if (reg[v] != G_CTX)
				break;
			emit(p, BPFRT_MOV64_REG(BPFRT_REG_1, v));
			emit(p, BPFRT_MOV64_IMM(BPFRT_REG_2, (int32_t)below(60)));
			emit(p, BPFRT_MOV64_REG(BPFRT_REG_3, BPFRT_REG_10));
			emit(p, BPFRT_ALU64_IMM(BPFRT_ADD, BPFRT_REG_3, -72));
			emit(p, BPFRT_MOV64_IMM(BPFRT_REG_4, 4));
			emit_call(p, BPF_FUNC_skb_load_bytes);
			emit_acc(p);
			emit(p, BPFRT_LDX_MEM(BPFRT_W, BPFRT_REG_0, BPFRT_REG_10, -72));
			emit_acc(p);
			for (int r = 1; r <= 5; r++)
				reg[r] = G_UNINIT;
			break;
		case 8: /* a subprogram gets the ctx */
			if (reg[v] != G_CTX)
				break;
			emit(p, BPFRT_MOV64_REG(BPFRT_REG_1, v));
			emit(p, BPFRT_CALL_LOCAL(0)); /* fixed below: the subprogram is last */
			emit_acc(p);
			*sub_used = true;
			for (int r = 1; r <= 5; r++)
				reg[r] = G_UNINIT;
			break;
		default: { /* read (or, for cb, write) through v */
			const struct access *a = &rd[below((uint32_t)nrd)];
			bool bad = reg[v] == G_MAYBE || reg[v] == G_MOD;

			if (reg[v] == G_UNINIT || reg[v] == G_SCALAR || (bad && below(4)) ||
			    pointer_field(BPF_PROG_TYPE_SCHED_CLS, a->off))
				break;
			if (below(4) == 0 && nwrites[slot]) {
				const struct access *wr = &writes[slot][below((uint32_t)nwrites[slot])];

				emit(p, BPFRT_STX_MEM(size_code[wr->size], v, BPFRT_REG_7, wr->off));
				break;
			}
			if (a->sx)
				emit(p, BPFRT_LDX_MEMSX(size_code[a->size], BPFRT_REG_0, v, a->off));
			else
				emit(p, BPFRT_LDX_MEM(size_code[a->size], BPFRT_REG_0, v, a->off));
			emit_acc(p);
			break;
		}
		}
	}
	emit(p, BPFRT_MOV64_REG(BPFRT_REG_0, BPFRT_REG_7));
	emit_fold_exit(p);
	if (*sub_used) {
		size_t sub = p->n;

		/* The subprogram: spill its r1, read len and mark through the fill. */
		emit(p, BPFRT_STX_MEM(BPFRT_DW, BPFRT_REG_10, BPFRT_REG_1, -8));
		emit(p, BPFRT_LDX_MEM(BPFRT_DW, BPFRT_REG_2, BPFRT_REG_10, -8));
		emit(p, BPFRT_LDX_MEM(BPFRT_W, BPFRT_REG_0, BPFRT_REG_2, offsetof(struct __sk_buff, len)));
		emit(p, BPFRT_LDX_MEM(BPFRT_H, BPFRT_REG_3, BPFRT_REG_1, offsetof(struct __sk_buff, mark)));
		emit(p, BPFRT_ALU64_REG(BPFRT_ADD, BPFRT_REG_0, BPFRT_REG_3));
		emit(p, BPFRT_EXIT_INSN());
		for (size_t i = 0; i < sub; i++)
			if (p->in[i].code == (BPFRT_JMP | BPFRT_CALL) && p->in[i].src_reg == BPFRT_PSEUDO_CALL)
				p->in[i].imm = (int32_t)(sub - i - 1);
	}
}

static void ctx_flow(int programs)
{
	struct tally t = { .name = "ctx pointer flow (sched_cls)" };
	static struct prog p;
	static struct io ios[64];
	unsigned long refused = 0;

	for (int i = 0; i < programs; i++) {
		bool sub;

		gen_flow_prog(&p, SLOT_TC, &sub);
		if (!compare(&t, BPF_PROG_TYPE_SCHED_CLS, 0, &p, ios, skb_ios(ios, rounds, 0)))
			refused++;
	}
	report(&t);
	printf("  ctx pointer flow: %lu of %d programs refused by both\n", refused, programs);
}

/* ---- clang-built programs (tests/progs/progtypes.bpf.c) ---- */

static void corpus_progs(const char *build)
{
	struct tally t = { .name = "clang-built programs (progtypes.bpf.c, v1-v4)" };
	static struct prog p;
	static struct io ios[64];
	static uint64_t args[64][12];
	bpfrt_print_fn old = bpfrt_set_print(NULL);
	unsigned int objects = 0;

	for (int cpu = 1; cpu <= 4; cpu++) {
		char path[512];
		struct bpfrt_object *obj;
		const struct bpfrt_program *pr = NULL;

		snprintf(path, sizeof(path), "%s/progs/progtypes.v%d.o", build, cpu);
		obj = bpfrt_object__open_file(path, NULL);
		if (!obj)
			continue;
		objects++;
		while ((pr = bpfrt_object__next_program(obj, pr))) {
			int type = (int)bpfrt_program__type(pr);
			size_t n = bpfrt_program__insn_cnt(pr), nio = rounds;

			if (n > MAX_INSNS)
				continue;
			memcpy(p.in, bpfrt_program__insns(pr), n * sizeof(p.in[0]));
			p.n = n;
			switch (type) {
			case BPF_PROG_TYPE_XDP:
				xdp_ios(ios, nio);
				break;
			case BPF_PROG_TYPE_SCHED_CLS:
			case BPF_PROG_TYPE_SOCKET_FILTER:
				skb_ios(ios, nio, 0);
				break;
			case BPF_PROG_TYPE_RAW_TRACEPOINT:
				for (size_t j = 0; j < nio; j++) {
					fill(args[j], sizeof(args[j]));
					ios[j] = (struct io){ .ctx = args[j], .ctx_size = 24 + 8 * below(10) };
				}
				break;
			default:
				continue; /* no kernel test run for kprobes, tracepoints, perf events */
			}
			compare(&t, type, 0, &p, ios, nio);
		}
		bpfrt_object__close(obj);
	}
	bpfrt_set_print(old);
	if (!objects)
		t_skip("progtype_diff: %s: no %s/progs/progtypes.v*.o (make progs)", t.name, build);
	else
		report(&t);
}

/* ---- main ---- */

static void add_helpers(void)
{
}

int main(void)
{
	const char *s = getenv("PTDIFF_SEED"), *r = getenv("PTDIFF_ROUNDS");
	uint64_t seed = s ? strtoull(s, NULL, 0) : (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 20);
	static struct prog probe;
	int fd;

	verbose = getenv("PTDIFF_VERBOSE") != NULL;
	single_call = getenv("PTDIFF_SINGLE") != NULL;
	if (r)
		rounds = (unsigned int)strtoul(r, NULL, 0);
	if (!rounds || rounds > 64)
		rounds = 8;
	rng = seed;
	printf("progtype_diff: seed 0x%" PRIx64 "\n", seed);

	emit(&probe, BPFRT_MOV64_IMM(BPFRT_REG_0, 0));
	emit(&probe, BPFRT_EXIT_INSN());
	fd = kload(BPF_PROG_TYPE_SOCKET_FILTER, 0, &probe, false);
	if (fd < 0) {
		t_skip("progtype_diff: bpf() not permitted: %s (needs root or CAP_BPF)", strerror(-fd));
		return t_exit();
	}
	close(fd);
	vm = bpfrt_vm__new();
	add_helpers();

	matrix(BPF_PROG_TYPE_SOCKET_FILTER, 0, "socket_filter", -4, 200, SLOT_SF);
	matrix(BPF_PROG_TYPE_SCHED_CLS, 0, "sched_cls", -4, 200, SLOT_TC);
	matrix(BPF_PROG_TYPE_XDP, 0, "xdp", -4, 32, SLOT_XDP);
	matrix(BPF_PROG_TYPE_XDP, BPF_XDP_DEVMAP, "xdp/devmap", 16, 32, -1);
	matrix(BPF_PROG_TYPE_RAW_TRACEPOINT, 0, "raw_tracepoint", -4, 104, -1);
	matrix(BPF_PROG_TYPE_KPROBE, 0, "kprobe", -4, 176, -1);
	matrix(BPF_PROG_TYPE_TRACEPOINT, 0, "tracepoint", -4, 40, -1);
	matrix(BPF_PROG_TYPE_TRACEPOINT, 0, "tracepoint (end)", 8176, 8200, -1);
	matrix(BPF_PROG_TYPE_PERF_EVENT, 0, "perf_event", -4, 192, -1);

	gen_inputs(200);
	field_reads(BPF_PROG_TYPE_SOCKET_FILTER, "socket_filter field reads", SLOT_SF);
	field_reads(BPF_PROG_TYPE_SCHED_CLS, "sched_cls field reads", SLOT_TC);
	field_reads(BPF_PROG_TYPE_XDP, "xdp field reads", SLOT_XDP);
	field_writes(BPF_PROG_TYPE_SOCKET_FILTER, "socket_filter field writes", SLOT_SF);
	field_writes(BPF_PROG_TYPE_SCHED_CLS, "sched_cls field writes", SLOT_TC);
	skb_helpers(BPF_PROG_TYPE_SCHED_CLS, "sched_cls helpers", 400);
	skb_helpers(BPF_PROG_TYPE_SOCKET_FILTER, "socket_filter helpers", 60);
	csum_diff_big();
	xdp_progs(400);
	ld_abs(BPF_PROG_TYPE_SOCKET_FILTER, "socket_filter LD_ABS/LD_IND", 150);
	ld_abs(BPF_PROG_TYPE_SCHED_CLS, "sched_cls LD_ABS/LD_IND", 60);
	raw_tp(150);
	inputs();
	ctx_flow(600);
	/* Frames for the clang-built programs: a third of them IPv4/UDP. */
	for (size_t i = 0; i < ARRAY_SIZE(frames); i++) {
		if (i % 3 || frame_len[i] < 42)
			continue;
		frames[i][12] = 0x08, frames[i][13] = 0x00;
		frames[i][14] = 0x45;
		frames[i][23] = 17;
	}
	corpus_progs(getenv("BUILD") ? getenv("BUILD") : "build");

	bpfrt_vm__free(vm);
	return t_exit();
}
