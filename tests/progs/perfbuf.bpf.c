// SPDX-License-Identifier: MIT
/*
 * perfbuf: perf buffer producers. A kprobe sends a fixed record with
 * bpf_perf_event_output on the current CPU; an XDP program samples packets
 * and appends their first bytes to the record (the length goes in the
 * upper 32 bits of the flags, as xdpdump does); a perf_event program counts
 * samples per CPU.
 */
#include "vmlinux_min.h"
#include <linux/bpf.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#define SAMPLE_BYTES 64

struct perf_rec {
	u64 ts;
	u32 pid;
	u32 cpu;
	char comm[16];
};

struct pkt_meta {
	u16 cookie;
	u16 len;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(u32));
	__uint(value_size, sizeof(u32));
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(u32));
	__uint(value_size, sizeof(u32));
	__uint(max_entries, 128);
} pkt_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, u64);
} samples SEC(".maps");

const volatile u32 sample_every = 16;
u64 pkt_seq = 0;

SEC("kprobe/vfs_read")
int BPF_KPROBE(perf_vfs_read)
{
	struct perf_rec r = {};

	r.ts = bpf_ktime_get_ns();
	r.pid = bpf_get_current_pid_tgid() >> 32;
	r.cpu = bpf_get_smp_processor_id();
	bpf_get_current_comm(r.comm, sizeof(r.comm));
	bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, &r, sizeof(r));
	return 0;
}

SEC("xdp")
int xdp_sample(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct pkt_meta meta;
	u64 flags = BPF_F_CURRENT_CPU;
	u64 len = data_end - data;

	if (__sync_fetch_and_add(&pkt_seq, 1) % sample_every)
		return XDP_PASS;
	if (len > SAMPLE_BYTES)
		len = SAMPLE_BYTES;
	meta.cookie = 0xdead;
	meta.len = data_end - data;
	flags |= len << 32;
	bpf_perf_event_output(ctx, &pkt_events, flags, &meta, sizeof(meta));
	return XDP_PASS;
}

SEC("perf_event")
int perf_sample(struct bpf_perf_event_data *ctx)
{
	u32 zero = 0;
	u64 *v = bpf_map_lookup_elem(&samples, &zero);

	if (v && ctx->sample_period)
		*v += 1;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
