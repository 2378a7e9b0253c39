/* SPDX-License-Identifier: MIT */
/*
 * tests/progtype_test.c - the program types (src/progtypes/).
 *
 *   rewrites    tables of (type, program, expected program after load):
 *               each uapi context access becomes the kernel's conversion
 *               onto bpfrt's kernel-side struct; narrow and sign-extending
 *               loads; jumps, calls and callbacks retargeted around
 *               expanded instructions.
 *   rejections  (type, program, expected message): invalid accesses named
 *               by member, modified ctx pointers, pointers mixed on one
 *               instruction, atomics on the ctx, LD_ABS rules, what the
 *               analysis cannot follow.
 *   analysis    the ctx pointer through spills, subprograms, helpers.
 *   test runs   every type with data and ctx in and out, its input rules,
 *               -ENOSPC, repeat, redirects, on every engine; the corpus
 *               objects of tests/progs/progtypes.bpf.c as clang built them.
 *   corpus      every program of a supported type in $BUILD/progs loads
 *               (maps resolved to dummies): the analysis accepts clang's
 *               code at -mcpu=v1..v4.
 */
#include <dirent.h>
#include <errno.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <stdlib.h>
#include <string.h>

#include "bpfrt/bpfrt.h"
#include "harness.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static struct bpfrt_vm *vm;
static char log_buf[512];

static struct bpfrt_prog *load_insns(int type, int eat, const struct bpfrt_insn *insns, size_t n)
{
	struct bpfrt_load_opts o = {
		.sz = sizeof(o),
		.log_buf = log_buf,
		.log_size = sizeof(log_buf),
		.prog_type = (enum bpfrt_prog_type)type,
		.expected_attach_type = eat,
		.gpl = true,
	};

	log_buf[0] = 0;
	return bpfrt_prog__load(vm, insns, n, &o);
}

static struct bpfrt_prog *load_asm(int type, int eat, const char *text)
{
	struct bpfrt_insn *insns;
	struct bpfrt_prog *p;
	size_t n;

	if (bpfrt_asm(text, &insns, &n, log_buf, sizeof(log_buf))) {
		printf("  cannot assemble: %s\n", log_buf);
		return NULL;
	}
	p = load_insns(type, eat, insns, n);
	bpfrt_free(insns);
	return p;
}

struct text {
	char buf[4096];
	size_t len;
};

static void add_line(void *ctx, size_t pc, const char *line)
{
	struct text *t = ctx;
	int n;

	(void)pc;
	n = snprintf(t->buf + t->len, sizeof(t->buf) - t->len, "%s%s", t->len ? "\n" : "", line);
	if (n > 0 && t->len + (size_t)n < sizeof(t->buf))
		t->len += (size_t)n;
}

static void disasm(const struct bpfrt_prog *p, struct text *t)
{
	t->len = 0;
	t->buf[0] = 0;
	bpfrt_disasm(bpfrt_prog__insns(p), bpfrt_prog__insn_cnt(p), BPFRT_SYNTAX_LLVM, add_line, t);
}

/* ---- rewrites ---- */

#define SF BPF_PROG_TYPE_SOCKET_FILTER
#define TC BPF_PROG_TYPE_SCHED_CLS
#define XDP BPF_PROG_TYPE_XDP

static const struct {
	const char *name;
	int type, eat;
	const char *in, *out;
} rewrites[] = {
	{ "xdp packet pointers", XDP, 0,
	  "r2 = *(u32 *)(r1 + 0)\nr3 = *(u32 *)(r1 + 4)\nr4 = *(u32 *)(r1 + 8)\nr0 = 2\nexit",
	  "r2 = *(u64 *)(r1 + 0x0)\nr3 = *(u64 *)(r1 + 0x8)\nr4 = *(u64 *)(r1 + 0x10)\n"
	  "r0 = 0x2\nexit" },
	{ "xdp rx queue and ingress", XDP, 0,
	  "r0 = *(u32 *)(r1 + 16)\nr1 = *(u32 *)(r1 + 12)\nexit",
	  "w0 = *(u32 *)(r1 + 0x28)\nw1 = *(u32 *)(r1 + 0x24)\nexit" },
	{ "xdp devmap egress_ifindex", XDP, BPF_XDP_DEVMAP,
	  "r0 = *(u32 *)(r1 + 20)\nexit",
	  "w0 = *(u32 *)(r1 + 0x2c)\nexit" },
	{ "skb len, narrow reads", TC, 0,
	  "r0 = *(u32 *)(r1 + 0)\nr2 = *(u8 *)(r1 + 1)\nr3 = *(u16 *)(r1 + 2)\nexit",
	  "w0 = *(u32 *)(r1 + 0x40)\nw2 = *(u32 *)(r1 + 0x40)\nw2 >>= 0x8\nw2 &= 0xff\n"
	  "w3 = *(u32 *)(r1 + 0x40)\nw3 >>= 0x10\nw3 &= 0xffff\nexit" },
	{ "skb u16 fields keep the kernel's narrow-load quirk", TC, 0,
	  "r0 = *(u16 *)(r1 + 16)\nr2 = *(u16 *)(r1 + 18)\nr3 = *(u8 *)(r1 + 17)\nexit",
	  "w0 = *(u16 *)(r1 + 0x60)\nw2 = *(u16 *)(r1 + 0x60)\nw3 = *(u16 *)(r1 + 0x60)\n"
	  "w3 >>= 0x8\nw3 &= 0xff\nexit" },
	{ "skb pkt_type, vlan_present", SF, 0,
	  "r0 = *(u32 *)(r1 + 4)\nr2 = *(u32 *)(r1 + 20)\nexit",
	  "w0 = *(u8 *)(r1 + 0x66)\nw0 &= 0x7\nw2 = *(u32 *)(r1 + 0x5c)\n"
	  "if r2 == 0x0 goto +0x1\nw2 = 0x1\nexit" },
	{ "skb sign-extending loads", TC, 0,
	  "r0 = *(s8 *)(r1 + 8)\nr2 = *(s32 *)(r1 + 48)\nexit",
	  "w0 = *(u32 *)(r1 + 0x78)\nw0 &= 0xff\nr0 = (s8)r0\nw2 = *(u32 *)(r1 + 0x80)\n"
	  "r2 = (s32)r2\nexit" },
	{ "skb cb: any size, read and write, ST and STX", SF, 0,
	  "*(u64 *)(r1 + 48) = r2\n*(u8 *)(r1 + 67) = 7\nr0 = *(u16 *)(r1 + 58)\nexit",
	  "*(u64 *)(r1 + 0x80) = r2\n*(u8 *)(r1 + 0x93) = 0x7\nw0 = *(u16 *)(r1 + 0x8a)\n"
	  "exit" },
	{ "tc writes", TC, 0,
	  "*(u32 *)(r1 + 8) = r2\n*(u32 *)(r1 + 32) = 3\n*(u32 *)(r1 + 44) = r2\n"
	  "*(u32 *)(r1 + 72) = r2\n*(u64 *)(r1 + 152) = r2\nr0 = 0\nexit",
	  "*(u32 *)(r1 + 0x78) = w2\n*(u32 *)(r1 + 0x7c) = 0x3\n*(u16 *)(r1 + 0x96) = w2\n"
	  "*(u16 *)(r1 + 0x98) = w2\n*(u64 *)(r1 + 0x70) = r2\nr0 = 0x0\nexit" },
	{ "tc queue_mapping: NO_QUEUE_MAPPING is not stored", TC, 0,
	  "*(u32 *)(r1 + 12) = r2\n*(u32 *)(r1 + 12) = 65535\n*(u32 *)(r1 + 12) = 5\nr0 = 0\nexit",
	  "if r2 >= 0xffff goto +0x1\n*(u16 *)(r1 + 0x94) = w2\ngoto +0x0\n"
	  "*(u16 *)(r1 + 0x94) = 0x5\nr0 = 0x0\nexit" },
	{ "tc packet pointers, sk, tstamp_type", TC, 0,
	  "r2 = *(u32 *)(r1 + 76)\nr3 = *(u32 *)(r1 + 80)\nr4 = *(u32 *)(r1 + 140)\n"
	  "r5 = *(u64 *)(r1 + 168)\nr0 = *(u8 *)(r1 + 180)\nexit",
	  "r2 = *(u64 *)(r1 + 0x0)\nr3 = *(u64 *)(r1 + 0x8)\nr4 = *(u64 *)(r1 + 0x10)\n"
	  "r5 = 0x0\nw0 = *(u8 *)(r1 + 0x67)\nexit" },
	{ "jumps over expanded instructions", TC, 0,
	  "if r1 == 0x0 goto +2\nr0 = *(u8 *)(r1 + 1)\nif r0 == 0x1 goto -3\nexit",
	  "if r1 == 0x0 goto +0x4\nw0 = *(u32 *)(r1 + 0x40)\nw0 >>= 0x8\nw0 &= 0xff\n"
	  "if r0 == 0x1 goto -0x5\nexit" },
	{ "bpf-to-bpf calls over expanded instructions", TC, 0,
	  "r6 = r1\nr0 = *(u8 *)(r6 + 1)\ncall pc+2\nr0 = *(u8 *)(r6 + 2)\nexit\n"
	  "r0 = *(u8 *)(r1 + 3)\nexit",
	  "r6 = r1\nw0 = *(u32 *)(r6 + 0x40)\nw0 >>= 0x8\nw0 &= 0xff\ncall pc+0x4\n"
	  "w0 = *(u32 *)(r6 + 0x40)\nw0 >>= 0x10\nw0 &= 0xff\nexit\n"
	  "w0 = *(u32 *)(r1 + 0x40)\nw0 >>= 0x18\nw0 &= 0xff\nexit" },
	{ "perf_event registers behind a pointer, narrow sample_period", BPF_PROG_TYPE_PERF_EVENT, 0,
	  "r0 = *(u64 *)(r1 + 128)\nr2 = *(u32 *)(r1 + 172)\nr3 = *(u64 *)(r1 + 176)\nexit",
	  "r0 = *(u64 *)(r1 + 0x0)\nr0 = *(u64 *)(r0 + 0x80)\nr2 = *(u64 *)(r1 + 0x8)\n"
	  "r2 >>= 0x20\nw2 &= -0x1\nr3 = *(u64 *)(r1 + 0x10)\nexit" },
	{ "kprobe: pt_regs as it is", BPF_PROG_TYPE_KPROBE, 0,
	  "r0 = *(u64 *)(r1 + 112)\nr2 = *(u8 *)(r1 + 3)\nexit",
	  "r0 = *(u64 *)(r1 + 0x70)\nw2 = *(u8 *)(r1 + 0x3)\nexit" },
	{ "the ctx pointer through spills and moves", TC, 0,
	  "*(u64 *)(r10 - 8) = r1\nr6 = r1\nr1 = 0\nr2 = *(u64 *)(r10 - 8)\n"
	  "r0 = *(u32 *)(r2 + 8)\nr0 = *(u32 *)(r6 + 0)\nexit",
	  "*(u64 *)(r10 - 0x8) = r1\nr6 = r1\nr1 = 0x0\nr2 = *(u64 *)(r10 - 0x8)\n"
	  "w0 = *(u32 *)(r2 + 0x78)\nw0 = *(u32 *)(r6 + 0x40)\nexit" },
	{ "the ctx pointer into a subprogram", SF, 0,
	  "r6 = r1\ncall pc+1\nexit\nr0 = *(u32 *)(r1 + 0)\nexit",
	  "r6 = r1\ncall pc+0x1\nexit\nw0 = *(u32 *)(r1 + 0x40)\nexit" },
};

static void test_rewrites(void)
{
	static struct text t;
	bool print = getenv("PT_PRINT") != NULL;

	for (size_t i = 0; i < ARRAY_SIZE(rewrites); i++) {
		struct bpfrt_prog *p = load_asm(rewrites[i].type, rewrites[i].eat, rewrites[i].in);

		if (!p) {
			t_fail("rewrite: %s: load failed: %s", rewrites[i].name, log_buf);
			continue;
		}
		disasm(p, &t);
		if (print)
			printf("@@%s\n%s\n@@\n", rewrites[i].name, t.buf);
		T_CHECK(!strcmp(t.buf, rewrites[i].out), "rewrite: %s%s%s", rewrites[i].name,
			strcmp(t.buf, rewrites[i].out) ? ": got\n" : "",
			strcmp(t.buf, rewrites[i].out) ? t.buf : "");
		bpfrt_prog__free(p);
	}
}

/* ---- rejections ---- */

static const struct {
	const char *name;
	int type, eat;
	const char *prog, *msg;
} rejections[] = {
	{ "xdp: write", XDP, 0, "r2 = 0\n*(u32 *)(r1 + 0) = r2\nr0 = 0\nexit",
	  "pc 1: invalid bpf_context access off=0 size=4 (write to xdp_md->data)" },
	{ "xdp: narrow read", XDP, 0, "r0 = *(u16 *)(r1 + 4)\nexit",
	  "pc 0: invalid bpf_context access off=4 size=2 (read of xdp_md->data_end)" },
	{ "xdp: past the end", XDP, 0, "r0 = *(u32 *)(r1 + 24)\nexit",
	  "pc 0: invalid bpf_context access off=24 size=4 (read of 4 bytes outside xdp_md, which has 24)" },
	{ "xdp: egress_ifindex outside devmaps", XDP, 0, "r0 = *(u32 *)(r1 + 20)\nexit",
	  "invalid bpf_context access off=20 size=4 (read of xdp_md->egress_ifindex)" },
	{ "xdp: sign-extended packet pointer", XDP, 0, "r0 = *(s32 *)(r1 + 0)\nexit",
	  "(sign-extending read of xdp_md->data)" },
	{ "socket filter: packet pointers", SF, 0, "r0 = *(u32 *)(r1 + 76)\nexit",
	  "invalid bpf_context access off=76 size=4 (read of __sk_buff->data)" },
	{ "socket filter: write to mark", SF, 0, "*(u32 *)(r1 + 8) = 1\nr0 = 0\nexit",
	  "pc 0: invalid bpf_context access off=8 size=4 (write to __sk_buff->mark)" },
	{ "socket filter: cb beyond cb[4]", SF, 0, "r0 = *(u64 *)(r1 + 64)\nexit",
	  "invalid bpf_context access off=64 size=8 (read of __sk_buff->cb[4])" },
	{ "tc: narrow write", TC, 0, "*(u16 *)(r1 + 8) = r1\nr0 = 0\nexit",
	  "invalid bpf_context access off=8 size=2 (write to __sk_buff->mark)" },
	{ "tc: unaligned", TC, 0, "r0 = *(u16 *)(r1 + 9)\nexit",
	  "invalid bpf_context access off=9 size=2 (read of __sk_buff->mark + 1)" },
	{ "tc: wide read of a u32", TC, 0, "r0 = *(u64 *)(r1 + 0)\nexit",
	  "invalid bpf_context access off=0 size=8 (read of __sk_buff->len)" },
	{ "tc: socket fields", TC, 0, "r0 = *(u32 *)(r1 + 88)\nexit",
	  "invalid bpf_context access off=88 size=4 (read of __sk_buff->family)" },
	{ "tc: padding", TC, 0, "r0 = *(u8 *)(r1 + 181)\nexit",
	  "invalid bpf_context access off=181 size=1 (read of __sk_buff, no member there)" },
	{ "tc: write hwtstamp", TC, 0, "*(u64 *)(r1 + 184) = r1\nr0 = 0\nexit",
	  "(write to __sk_buff->hwtstamp)" },
	{ "kprobe: write", BPF_PROG_TYPE_KPROBE, 0, "*(u64 *)(r1 + 0) = r1\nr0 = 0\nexit",
	  "pc 0: invalid bpf_context access off=0 size=8 (write to pt_regs->r15)" },
	{ "kprobe: past the end", BPF_PROG_TYPE_KPROBE, 0, "r0 = *(u64 *)(r1 + 168)\nexit",
	  "invalid bpf_context access off=168 size=8 (read of 8 bytes outside pt_regs, which has 168)" },
	{ "tracepoint: common fields", BPF_PROG_TYPE_TRACEPOINT, 0, "r0 = *(u32 *)(r1 + 4)\nexit",
	  "invalid bpf_context access off=4 size=4 (read of trace record->common_pid)" },
	{ "raw_tp: write", BPF_PROG_TYPE_RAW_TRACEPOINT, 0, "*(u64 *)(r1 + 8) = 1\nr0 = 0\nexit",
	  "invalid bpf_context access off=8 size=8 (write to bpf_raw_tracepoint_args->args[1])" },
	{ "raw_tp: past the 12 arguments", BPF_PROG_TYPE_RAW_TRACEPOINT, 0, "r0 = *(u64 *)(r1 + 96)\nexit",
	  "invalid bpf_context access off=96 size=8" },
	{ "perf_event: narrow register read", BPF_PROG_TYPE_PERF_EVENT, 0, "r0 = *(u32 *)(r1 + 8)\nexit",
	  "invalid bpf_context access off=8 size=4 (read of bpf_perf_event_data->regs[1])" },
	{ "modified ctx pointer", TC, 0, "r1 += 8\nr0 = *(u32 *)(r1 + 0)\nexit",
	  "pc 1: dereference of modified ctx ptr R1 off=8 disallowed" },
	{ "modified ctx pointer, copied", TC, 0, "r2 = r1\nr2 -= 4\nr3 = r2\nr0 = *(u32 *)(r3 + 4)\nexit",
	  "pc 3: dereference of modified ctx ptr R3 off=-4 disallowed" },
	{ "ctx pointer plus a register", TC, 0, "r2 = 4\nr1 += r2\nr0 = *(u32 *)(r1 + 0)\nexit",
	  "pc 2: dereference of modified ctx ptr R1 disallowed (ctx pointer arithmetic)" },
	{ "ctx on one path, the stack on another", TC, 0,
	  "if r2 == 0x0 goto +1\nr1 = r10\nr0 = *(u32 *)(r1 - 8)\nexit",
	  "pc 2: same insn cannot be used with different pointers" },
	{ "ctx on one path, a scalar on another", SF, 0,
	  "r6 = r1\nif r2 == 0x0 goto +1\nr6 = 0\nr0 = *(u32 *)(r6 + 0)\nexit",
	  "pc 3: same insn cannot be used with different pointers" },
	{ "ctx from a subprogram's two callers", SF, 0,
	  "r6 = r1\ncall pc+3\nr1 = 0\ncall pc+1\nexit\nr0 = *(u32 *)(r1 + 0)\nexit",
	  "pc 5: same insn cannot be used with different pointers" },
	{ "atomic on the ctx", TC, 0, "r2 = 1\nlock *(u32 *)(r1 + 48) += r2\nr0 = 0\nexit",
	  "pc 1: BPF_ATOMIC stores into R1 ctx is not allowed" },
	{ "LD_ABS outside skb types", XDP, 0, "r6 = r1\nr0 = *(u8 *)skb[0]\nexit",
	  "pc 1: BPF_LD_[ABS|IND] instructions not allowed for this program type" },
	{ "LD_ABS without the ctx in r6", SF, 0, "r6 = 0\nr0 = *(u8 *)skb[0]\nexit",
	  "pc 1: at the time of BPF_LD_ABS|IND R6 != pointer to skb" },
	{ "ctx stored through an unknown stack pointer", TC, 0,
	  "r2 = r10\nr3 = 8\nr2 -= r3\n*(u64 *)(r2 + 0) = r1\nr0 = 0\nexit",
	  "pc 3: the ctx pointer in R1 is stored through a stack pointer bpfrt cannot follow" },
	{ "a frame holding the ctx handed to a subprogram", TC, 0,
	  "*(u64 *)(r10 - 8) = r1\nr1 = r10\nr1 += -16\ncall pc+2\nr0 = 0\nexit\nr0 = 0\nexit",
	  "pc 3: a subprogram gets a pointer to a stack frame holding the ctx pointer" },
};

static void test_rejections(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(rejections); i++) {
		struct bpfrt_prog *p = load_asm(rejections[i].type, rejections[i].eat, rejections[i].prog);

		T_CHECK(!p && errno != 0 && strstr(log_buf, rejections[i].msg), "reject: %s%s%s",
			rejections[i].name, p ? ": loaded" : strstr(log_buf, rejections[i].msg) ? "" : ": ",
			p || strstr(log_buf, rejections[i].msg) ? "" : log_buf);
		bpfrt_prog__free(p);
	}
}

/* ---- test runs ---- */

static const enum bpfrt_engine engines[] = { BPFRT_ENGINE_INTERP, BPFRT_ENGINE_CHECKED,
					     BPFRT_ENGINE_INTERP_SWITCH, BPFRT_ENGINE_CHECKED_SWITCH };

/* An IPv4/UDP frame with correct checksums: 10.0.0.1:1000 -> 10.0.0.2:2000. */
static uint32_t udp_frame(uint8_t *f)
{
	static const uint8_t hdr[] = {
		0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00,             /* eth */
		0x45, 0x10, 0, 36, 0x12, 0x34, 0x40, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
		0x03, 0xe8, 0x07, 0xd0, 0, 16, 0, 0,                                /* udp */
		'b', 'p', 'f', 'r', 't', '!', 0x0a, 0x00,
	};
	uint32_t sum = 0;

	memcpy(f, hdr, sizeof(hdr));
	for (int i = 14; i < 34; i += 2)
		sum += (uint32_t)f[i] << 8 | f[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	f[24] = (uint8_t)(~sum >> 8), f[25] = (uint8_t)~sum;
	/* UDP: pseudo header (addresses, protocol, length) and the datagram */
	sum = 0x0a00 + 0x0001 + 0x0a00 + 0x0002 + 17 + 16;
	for (int i = 34; i < 50; i += 2)
		sum += (uint32_t)f[i] << 8 | f[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	f[40] = (uint8_t)(~sum >> 8), f[41] = (uint8_t)~sum;
	return sizeof(hdr);
}

/* The ones' complement sum over a range is 0xffff when its checksum is right. */
static bool csum_ok(const uint8_t *p, size_t n, uint32_t sum)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum == 0xffff;
}

static struct bpfrt_object *corpus;

static struct bpfrt_prog *load_corpus(const char *name)
{
	const struct bpfrt_program *pr;

	pr = corpus ? bpfrt_object__find_program_by_name(corpus, name) : NULL;
	if (!pr)
		return NULL;
	return load_insns(bpfrt_program__type(pr), bpfrt_program__expected_attach_type(pr) < 0 ? 0 :
					       bpfrt_program__expected_attach_type(pr),
			  bpfrt_program__insns(pr), bpfrt_program__insn_cnt(pr));
}

static void test_run_xdp(void)
{
	struct bpfrt_prog *p = load_corpus("xdp_tag");
	uint8_t frame[64], out[128];
	struct xdp_md md;

	if (!p) {
		t_skip("test run: xdp_tag: %s", corpus ? log_buf : "no corpus (clang)");
		return;
	}
	udp_frame(frame);
	for (size_t e = 0; e < ARRAY_SIZE(engines); e++) {
		struct bpfrt_test_run_opts o = { .sz = sizeof(o), .data_in = frame, .data_size_in = 50,
						 .data_out = out, .data_size_out = sizeof(out),
						 .ctx_in = &md, .ctx_size_in = sizeof(md),
						 .ctx_out = &md, .ctx_size_out = sizeof(md),
						 .engine = engines[e] };
		uint32_t meta[2];
		int err;

		memset(&md, 0, sizeof(md));
		md.data_end = 50;
		md.ingress_ifindex = 7;
		md.rx_queue_index = 3;
		err = bpfrt_prog__test_run(p, &o);
		memcpy(meta, out, 8);
		T_CHECK(!err && o.retval == XDP_TX && o.data_size_out == 8 + 50 + 4 + 2 &&
			meta[0] == 50 && meta[1] == (3 << 16 | 7) && !memcmp(out + 8, frame, 14) &&
			out[22] == 0xbf && out[23] == 0x7e && out[25] == 50 &&
			!memcmp(out + 26, frame + 14, 36) && !out[62] && !out[63] && md.data == 8 &&
			md.data_end == 64 && md.ingress_ifindex == 7,
			"test run: xdp_tag on %s: meta, pushed tag, grown tail, ctx_out (err %d retval %u size %u)",
			bpfrt_engine_name(engines[e]), err, o.retval, o.data_size_out);
	}
	bpfrt_prog__free(p);
}

static void test_run_tc(void)
{
	struct bpfrt_prog *p = load_corpus("tc_fields");
	uint8_t frame[64], out[128];
	struct __sk_buff ctx;

	if (!p) {
		t_skip("test run: tc_fields: %s", corpus ? log_buf : "no corpus (clang)");
		return;
	}
	udp_frame(frame);
	for (size_t e = 0; e < ARRAY_SIZE(engines); e++) {
		struct bpfrt_test_run_opts o = { .sz = sizeof(o), .data_in = frame, .data_size_in = 50,
						 .data_out = out, .data_size_out = sizeof(out),
						 .ctx_in = &ctx, .ctx_size_in = sizeof(ctx),
						 .ctx_out = &ctx, .ctx_size_out = sizeof(ctx),
						 .engine = engines[e] };
		int err;

		memset(&ctx, 0, sizeof(ctx));
		ctx.mark = 5;
		ctx.cb[4] = 100;
		ctx.ingress_ifindex = 9;
		err = bpfrt_prog__test_run(p, &o);
		T_CHECK(!err && o.retval == TC_ACT_OK && o.data_size_out == 50 && out[15] == 0x20 &&
			out[36] == 0 && out[37] == 53 && csum_ok(out + 14, 20, 0) &&
			csum_ok(out + 34, 16, 0x0a00 + 1 + 0x0a00 + 2 + 17 + 16) &&
			ctx.mark == 0x5eed && ctx.priority == 0x10 && ctx.cb[0] == 50 &&
			ctx.cb[1] == (3u << 16 | 0x0008) && ctx.cb[2] == 0 && ctx.cb[3] == (1 << 8 | 9) &&
			ctx.cb[4] == 105 && ctx.tstamp == 1000000 && ctx.ifindex == 1 && ctx.wire_len == 50,
			"test run: tc_fields on %s: port and TOS rewritten, checksums right, ctx_out "
			"(err %d retval %u)", bpfrt_engine_name(engines[e]), err, o.retval);
	}
	bpfrt_prog__free(p);
}

static void test_run_socket(void)
{
	struct bpfrt_prog *p = load_corpus("sock_web");
	uint8_t frame[64], out[64];

	if (!p) {
		t_skip("test run: sock_web: %s", corpus ? log_buf : "no corpus (clang)");
		return;
	}
	udp_frame(frame);
	frame[23] = 6;     /* TCP */
	frame[36] = 0, frame[37] = 80;
	for (size_t e = 0; e < ARRAY_SIZE(engines); e++) {
		struct bpfrt_test_run_opts o = { .sz = sizeof(o), .data_in = frame, .data_size_in = 54,
						 .data_out = out, .data_size_out = sizeof(out),
						 .engine = engines[e] };
		int err = bpfrt_prog__test_run(p, &o);
		static const uint8_t zero[14];

		T_CHECK(!err && o.retval == 40 && o.data_size_out == 54 && !memcmp(out, zero, 14) &&
			!memcmp(out + 14, frame + 14, 40),
			"test run: sock_web on %s: LD_ABS from the network header, skb->len, MAC header "
			"zeroed in data_out (err %d retval %u)", bpfrt_engine_name(engines[e]), err, o.retval);
	}
	bpfrt_prog__free(p);
}

static void test_run_tracing(void)
{
	struct bpfrt_prog *k = load_corpus("kprobe_args"), *r = load_corpus("raw_tp_args");
	struct bpfrt_prog *t = load_corpus("tp_record"), *pe = load_corpus("perf_sample");
	struct bpfrt_prog *x = load_corpus("tp_exec_name");
	uint64_t regs[21] = { 0 }, args[3] = { 4, 5, 0x1ff }, rec[8] = { 0xffff, 257, 1, 2, 42 };
	uint64_t pdata[23] = { 0 };
	struct bpfrt_test_run_opts o;
	int err;

	if (!k || !r || !t || !pe) {
		t_skip("test run: tracing corpus programs: %s", corpus ? log_buf : "no corpus (clang)");
		goto out;
	}
	regs[14] = 10, regs[13] = 20, regs[12] = 30, regs[16] = 0x1006; /* di, si, dx, ip */
	o = (struct bpfrt_test_run_opts){ .sz = sizeof(o), .ctx_in = regs, .ctx_size_in = sizeof(regs) };
	err = bpfrt_prog__test_run(k, &o);
	T_CHECK(!err && o.retval == 10 + 60 + 150 + 0x1006 % 7, "test run: kprobe: pt_regs in ctx_in");
	o = (struct bpfrt_test_run_opts){ .sz = sizeof(o), .ctx_in = regs, .ctx_size_in = 8 };
	err = bpfrt_prog__test_run(k, &o);
	T_CHECK(!err && o.retval == 0, "test run: kprobe: short pt_regs zero-padded");
	o = (struct bpfrt_test_run_opts){ .sz = sizeof(o), .ctx_in = args, .ctx_size_in = sizeof(args) };
	err = bpfrt_prog__test_run(r, &o);
	T_CHECK(!err && o.retval == 4 * 11 + 5 + 0xff, "test run: raw_tp: args in ctx_in");
	o.ctx_size_in = 16;
	T_CHECK(bpfrt_prog__test_run(r, &o) == -EINVAL,
		"test run: raw_tp: ctx_in shorter than the arguments read: -EINVAL");
	o.ctx_size_in = sizeof(args);
	o.repeat = 2;
	T_CHECK(bpfrt_prog__test_run(r, &o) == -EINVAL, "test run: raw_tp: repeat: -EINVAL");
	o.repeat = 0;
	o.cpu = 3;
	T_CHECK(bpfrt_prog__test_run(r, &o) == -EINVAL, "test run: raw_tp: cpu without the flag");
	o.flags = BPF_F_TEST_RUN_ON_CPU;
	T_CHECK(bpfrt_prog__test_run(r, &o) == 0 && o.retval == 4 * 11 + 5 + 0xff,
		"test run: raw_tp: cpu with BPF_F_TEST_RUN_ON_CPU");
	o = (struct bpfrt_test_run_opts){ .sz = sizeof(o), .ctx_in = rec, .ctx_size_in = 40 };
	err = bpfrt_prog__test_run(t, &o);
	T_CHECK(!err && o.retval == 257 * 1000 + 42, "test run: tracepoint: the record in ctx_in");
	o.ctx_size_in = 32;
	T_CHECK(bpfrt_prog__test_run(t, &o) == -EINVAL,
		"test run: tracepoint: a record shorter than the fields read: -EINVAL");
	pdata[16] = 0x77;                  /* regs.ip */
	pdata[21] = 1000, pdata[22] = 0x55; /* sample_period, addr */
	o = (struct bpfrt_test_run_opts){ .sz = sizeof(o), .ctx_in = pdata, .ctx_size_in = sizeof(pdata) };
	err = bpfrt_prog__test_run(pe, &o);
	T_CHECK(!err && o.retval == (1000 ^ 0x55 ^ 0x77), "test run: perf_event: regs, sample_period, addr");
	o.data_in = rec;
	o.data_size_in = 8;
	T_CHECK(bpfrt_prog__test_run(pe, &o) == -EINVAL, "test run: perf_event: data_in: -EINVAL");
	if (x) {
		/* A __data_loc string at offset 16, read with bpf_probe_read_kernel_str. */
		uint8_t exec_rec[32] = { 0 };

		exec_rec[8] = 16, exec_rec[10] = 8;
		memcpy(exec_rec + 16, "/bin/sh", 8);
		o = (struct bpfrt_test_run_opts){ .sz = sizeof(o), .ctx_in = exec_rec,
						  .ctx_size_in = sizeof(exec_rec) };
		err = bpfrt_prog__test_run(x, &o);
		T_CHECK(!err && o.retval == (8 << 16 | '/' << 8 | 'b'),
			"test run: tracepoint: probes read the record (err %d retval %#x)", err, o.retval);
	}
out:
	bpfrt_prog__free(k);
	bpfrt_prog__free(r);
	bpfrt_prog__free(t);
	bpfrt_prog__free(pe);
	bpfrt_prog__free(x);
}

static void test_run_memory(void)
{
	struct bpfrt_prog *p = load_asm(BPF_PROG_TYPE_UNSPEC, 0,
					"r6 = r2\nr3 = *(u8 *)(r1 + 0)\nr3 += 1\n*(u8 *)(r1 + 0) = r3\n"
					"r0 = *(u16 *)skb[2]\nr0 += r6\nexit");
	uint8_t in[4] = { 9, 0, 1, 2 }, out[4];
	struct bpfrt_test_run_opts o = { .sz = sizeof(o), .data_in = in, .data_size_in = 4,
					 .data_out = out, .data_size_out = 4, .repeat = 3 };

	if (!p) {
		t_fail("test run: memory: load: %s", log_buf);
		return;
	}
	T_CHECK(!bpfrt_prog__test_run(p, &o) && o.retval == 4 + 0x102 && out[0] == 12 &&
		o.data_size_out == 4, "test run: memory: r1/r2, LD_ABS, data_out after 3 repeats");
	o.data_size_out = 2;
	T_CHECK(bpfrt_prog__test_run(p, &o) == -ENOSPC && o.data_size_out == 4 && out[0] == 12,
		"test run: memory: short data_out: -ENOSPC, the first bytes, the full size");
	o.ctx_in = in;
	o.ctx_size_in = 4;
	T_CHECK(bpfrt_prog__test_run(p, &o) == -EINVAL, "test run: memory: ctx_in: -EINVAL");
	bpfrt_prog__free(p);
}

static void test_run_inputs(void)
{
	struct bpfrt_prog *tc = load_asm(TC, 0,
					 "r1 = 3\nr2 = 1\ncall 23\nexit"); /* bpf_redirect(3, INGRESS) */
	struct bpfrt_prog *xdp = load_asm(XDP, 0, "r1 = 4\nr2 = 0\ncall 23\nexit");
	uint8_t frame[64] = { 0 }, out[64];
	struct __sk_buff ctx = { 0 }, cout;
	struct bpfrt_test_run_opts o;

	if (!tc || !xdp) {
		t_fail("test run inputs: load: %s", log_buf);
		goto out;
	}
	frame[12] = 0x08, frame[13] = 0x06;
	o = (struct bpfrt_test_run_opts){ .sz = sizeof(o), .data_in = frame, .data_size_in = 60 };
	T_CHECK(!bpfrt_prog__test_run(tc, &o) && o.retval == TC_ACT_REDIRECT &&
		o.redirect_ifindex == 3 && o.redirect_flags == BPF_F_INGRESS,
		"test run: tc redirect reported in the options");
	T_CHECK(!bpfrt_prog__test_run(xdp, &o) && o.retval == XDP_REDIRECT && o.redirect_ifindex == 4,
		"test run: xdp redirect reported in the options");
	o.data_size_in = 13;
	T_CHECK(bpfrt_prog__test_run(tc, &o) == -EINVAL, "test run: skb: 13-byte frame: -EINVAL");
	o.data_size_in = 3713;
	o.data_in = calloc(1, 4096);
	T_CHECK(bpfrt_prog__test_run(tc, &o) == -EINVAL, "test run: skb: frame above 3712 bytes: -EINVAL");
	free((void *)o.data_in);
	o = (struct bpfrt_test_run_opts){ .sz = sizeof(o), .data_in = frame, .data_size_in = 60,
					  .ctx_in = &ctx, .ctx_size_in = sizeof(ctx),
					  .ctx_out = &cout, .ctx_size_out = 8 };
	ctx.len = 1;
	T_CHECK(bpfrt_prog__test_run(tc, &o) == -EINVAL, "test run: skb: ctx_in len set: -EINVAL");
	ctx.len = 0;
	ctx.wire_len = 59;
	T_CHECK(bpfrt_prog__test_run(tc, &o) == -EINVAL, "test run: skb: wire_len below len: -EINVAL");
	ctx.wire_len = 0;
	T_CHECK(bpfrt_prog__test_run(tc, &o) == -ENOSPC && o.ctx_size_out == sizeof(ctx),
		"test run: skb: short ctx_out: -ENOSPC, the full size");
	o.ctx_size_out = sizeof(cout);
	o.flags = 1;
	T_CHECK(bpfrt_prog__test_run(tc, &o) == -EINVAL, "test run: skb: unknown flag: -EINVAL");
	o.flags = 0;
	o.data_out = out;
	o.data_size_out = 10;
	T_CHECK(bpfrt_prog__test_run(tc, &o) == -ENOSPC && o.data_size_out == 60,
		"test run: skb: short data_out: -ENOSPC, the full size");
	o = (struct bpfrt_test_run_opts){ .sz = sizeof(o), .data_in = frame, .data_size_in = 60,
					  .flags = BPF_F_TEST_XDP_LIVE_FRAMES };
	T_CHECK(bpfrt_prog__test_run(xdp, &o) == -EOPNOTSUPP, "test run: xdp: live frames: -EOPNOTSUPP");
	o.flags = 0;
	o.data_size_in = 3600;
	o.data_in = calloc(1, 4096);
	T_CHECK(bpfrt_prog__test_run(xdp, &o) == -EOPNOTSUPP,
		"test run: xdp: more than a frame (multi-buffer): -EOPNOTSUPP");
	free((void *)o.data_in);
out:
	bpfrt_prog__free(tc);
	bpfrt_prog__free(xdp);
}

/*
 * A callback (bpf_loop) after an expanded instruction: the LDDW of its
 * address is retargeted, and the callback, which gets a stack pointer of
 * the caller, leaves the ctx pointer alone.
 */
static void test_callback(void)
{
	struct bpfrt_prog *p = load_asm(TC, 0,
					"r6 = r1\nr0 = *(u8 *)(r6 + 1)\n*(u64 *)(r10 - 8) = r0\n"
					"r1 = 3\nr2 = func(cb) ll\nr3 = r10\nr3 += -8\nr4 = 0\n"
					"call 181\nr0 = *(u64 *)(r10 - 8)\nr1 = *(u8 *)(r6 + 0)\n"
					"r0 += r1\nexit\n"
					"cb:\nr3 = *(u64 *)(r2 + 0)\nr3 += 10\n*(u64 *)(r2 + 0) = r3\n"
					"r0 = 0\nexit");
	static uint8_t frame[300];

	if (!p) {
		t_fail("callback: load: %s", log_buf);
		return;
	}
	frame[12] = 0x08, frame[13] = 0x06;
	for (size_t e = 0; e < ARRAY_SIZE(engines); e++) {
		struct bpfrt_test_run_opts o = { .sz = sizeof(o), .data_in = frame, .data_size_in = 300,
						 .engine = engines[e] };
		int err = bpfrt_prog__test_run(p, &o);

		T_CHECK(!err && o.retval == 1 + 30 + 44, "callback of bpf_loop after rewritten accesses on %s "
			"(err %d retval %u%s%s)", bpfrt_engine_name(engines[e]), err, o.retval,
			err ? ": " : "", err ? o.fault.msg : "");
	}
	bpfrt_prog__free(p);
}

/* A fault after an expanded instruction names the instruction as loaded. */
static void test_fault_pc(void)
{
	struct bpfrt_prog *p = load_asm(TC, 0, "r2 = *(u8 *)(r1 + 1)\nr3 = 0\nr0 = *(u64 *)(r3 + 0)\nexit");
	uint8_t frame[60] = { 0 };
	struct bpfrt_test_run_opts o = { .sz = sizeof(o), .data_in = frame, .data_size_in = 60,
					 .engine = BPFRT_ENGINE_CHECKED };
	int err;

	if (!p) {
		t_fail("fault pc: load: %s", log_buf);
		return;
	}
	err = bpfrt_prog__test_run(p, &o);
	T_CHECK(err == -EFAULT && o.fault.kind == BPFRT_FAULT_READ && !strncmp(o.fault.msg, "pc 2:", 5),
		"fault after a rewritten access: pc of the loaded instruction (%s)", o.fault.msg);
	bpfrt_prog__free(p);
}

/* ---- the corpus ---- */

static int dummy_ld_imm64(void *ctx, size_t pc, const struct bpfrt_insn *insn, uint64_t *value)
{
	(void)ctx, (void)pc, (void)insn;
	*value = 0x1000;
	return 0;
}

static void test_corpus(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	unsigned int loaded = 0, helpers = 0, failed = 0;
	bpfrt_print_fn old_print;

	if (!d) {
		t_skip("corpus: no %s (make progs)", dir);
		return;
	}
	old_print = bpfrt_set_print(NULL); /* objects that need options warn as they open */
	while ((e = readdir(d))) {
		char path[1024];
		struct bpfrt_object *obj;
		const struct bpfrt_program *pr = NULL;
		size_t len = strlen(e->d_name);

		if (len < 5 || strcmp(e->d_name + len - 2, ".o"))
			continue;
		if (snprintf(path, sizeof(path), "%.500s/%.500s", dir, e->d_name) >= (int)sizeof(path))
			continue;
		obj = bpfrt_object__open_file(path, NULL);
		while (obj && (pr = bpfrt_object__next_program(obj, pr))) {
			struct bpfrt_load_opts o = { .sz = sizeof(o), .log_buf = log_buf,
						     .log_size = sizeof(log_buf),
						     .resolve_ld_imm64 = dummy_ld_imm64, .gpl = true };
			enum bpfrt_prog_type t = bpfrt_program__type(pr);
			struct bpfrt_prog *p;

			switch (t) {
			case BPFRT_PROG_TYPE_SOCKET_FILTER: case BPFRT_PROG_TYPE_KPROBE:
			case BPFRT_PROG_TYPE_SCHED_CLS: case BPFRT_PROG_TYPE_SCHED_ACT:
			case BPFRT_PROG_TYPE_TRACEPOINT: case BPFRT_PROG_TYPE_XDP:
			case BPFRT_PROG_TYPE_PERF_EVENT: case BPFRT_PROG_TYPE_RAW_TRACEPOINT:
				break;
			default:
				continue;
			}
			if (bpfrt_program__unsupported_reason(pr))
				continue;
			o.prog_type = t;
			o.expected_attach_type = bpfrt_program__expected_attach_type(pr) < 0 ? 0 :
						 bpfrt_program__expected_attach_type(pr);
			log_buf[0] = 0;
			p = bpfrt_prog__load(vm, bpfrt_program__insns(pr), bpfrt_program__insn_cnt(pr), &o);
			if (p) {
				loaded++;
			} else if (strstr(log_buf, "helper")) {
				helpers++; /* a kernel helper bpfrt lacks: not the analysis' business */
			} else {
				failed++;
				t_fail("corpus: %s: %s: %s", e->d_name, bpfrt_program__name(pr), log_buf);
			}
			bpfrt_prog__free(p);
		}
		bpfrt_object__close(obj);
	}
	closedir(d);
	bpfrt_set_print(old_print);
	if (loaded + helpers + failed == 0)
		t_skip("corpus: no objects in %s", dir);
	else if (!failed)
		t_pass("corpus: %u programs load and rewrite (%u more call helpers bpfrt lacks)", loaded,
		       helpers);
}

int main(void)
{
	const char *build = getenv("BUILD");
	char path[512];

	vm = bpfrt_vm__new();
	snprintf(path, sizeof(path), "%s/progs/progtypes.v3.o", build ? build : "build");
	corpus = bpfrt_object__open_file(path, NULL);

	test_rewrites();
	test_rejections();
	test_run_memory();
	test_run_xdp();
	test_run_tc();
	test_run_socket();
	test_run_tracing();
	test_run_inputs();
	test_callback();
	test_fault_pc();
	snprintf(path, sizeof(path), "%s/progs", build ? build : "build");
	test_corpus(path);

	bpfrt_object__close(corpus);
	bpfrt_vm__free(vm);
	return t_exit();
}
