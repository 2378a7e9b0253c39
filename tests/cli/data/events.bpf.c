// SPDX-License-Identifier: MIT
/*
 * events: XDP programs that report every packet, for the event output of
 * `bpfrt run` (tests/cli/object.sh). xdp_events writes a trace_printk line
 * ("packet N: LEN bytes, ethertype 0xT") and a ring buffer record,
 * reserved and submitted in place (discarded instead for packets longer
 * than 1000 bytes); xdp_sample sends the record as a perf event sample on
 * the current CPU's slot. A record is struct rec below (8 bytes, little-
 * endian): the packet's length, its EtherType (host order) and its
 * sequence number, counted in .bss from 1 (so --repeat N gives N of each).
 * Self-contained: clang -target bpf -g -O2 -c events.bpf.c -o events.o
 */
#define SEC(name) __attribute__((section(name), used))
#define __uint(name, val) int (*name)[val]
#define __type(name, val) __typeof__(val) *name

typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;

struct xdp_md {
	u32 data;
	u32 data_end;
	u32 data_meta;
	u32 ingress_ifindex;
	u32 rx_queue_index;
	u32 egress_ifindex;
};

struct rec {
	u32 len;
	u16 proto;
	u16 seq;
};

struct {
	__uint(type, 27); /* BPF_MAP_TYPE_RINGBUF */
	__uint(max_entries, 4096);
} rb SEC(".maps");

struct {
	__uint(type, 4); /* BPF_MAP_TYPE_PERF_EVENT_ARRAY */
	__uint(key_size, sizeof(u32));
	__uint(value_size, sizeof(u32));
	__uint(max_entries, 4);
} samples SEC(".maps");

u16 seq; /* .bss */

static long (*bpf_trace_printk)(const char *fmt, u32 fmt_size, ...) = (void *)6;
static long (*bpf_perf_event_output)(void *ctx, void *map, u64 flags, void *data,
				     u64 size) = (void *)25;
static void *(*bpf_ringbuf_reserve)(void *ringbuf, u64 size, u64 flags) = (void *)131;
static void (*bpf_ringbuf_submit)(void *data, u64 flags) = (void *)132;
static void (*bpf_ringbuf_discard)(void *data, u64 flags) = (void *)133;

#define BPF_F_CURRENT_CPU 0xffffffffULL
#define XDP_ABORTED 0
#define XDP_PASS 2

/* The record of a packet, or -1 if it is shorter than an Ethernet header. */
static __attribute__((always_inline)) int describe(struct xdp_md *ctx, struct rec *r)
{
	unsigned char *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;

	if (data + 14 > end)
		return -1;
	r->len = end - data;
	r->proto = data[12] << 8 | data[13];
	r->seq = ++seq;
	return 0;
}

SEC("xdp")
int xdp_events(struct xdp_md *ctx)
{
	static const char fmt[] = "packet %u: %u bytes, ethertype 0x%x";
	struct rec r, *e;

	if (describe(ctx, &r))
		return XDP_ABORTED;
	bpf_trace_printk(fmt, sizeof(fmt), r.seq, r.len, r.proto);
	e = bpf_ringbuf_reserve(&rb, sizeof(*e), 0);
	if (e) {
		*e = r;
		if (r.len > 1000)
			bpf_ringbuf_discard(e, 0);
		else
			bpf_ringbuf_submit(e, 0);
	}
	return XDP_PASS;
}

SEC("xdp")
int xdp_sample(struct xdp_md *ctx)
{
	struct rec r;

	if (describe(ctx, &r))
		return XDP_ABORTED;
	bpf_perf_event_output(ctx, &samples, BPF_F_CURRENT_CPU, &r, sizeof(r));
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
