// SPDX-License-Identifier: MIT
/*
 * xdp_filter: source-address block lists in LPM tries (IPv4 and IPv6), a
 * per-source packet rate limiter in an LRU per-CPU hash, and the XDP
 * section variants: a frags-aware program (xdp.frags), a devmap program
 * (xdp/devmap) and a cpumap program (xdp/cpumap).
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct lpm_v4 {
	__u32 prefixlen;
	__u8 addr[4];
};

struct lpm_v6 {
	__u32 prefixlen;
	__u8 addr[16];
};

struct rate {
	__u64 window;
	__u64 packets;
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 16384);
	__type(key, struct lpm_v4);
	__type(value, __u32);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} block_v4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 4096);
	__type(key, struct lpm_v6);
	__type(value, __u32);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} block_v6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH);
	__uint(max_entries, 8192);
	__type(key, __u32);
	__type(value, struct rate);
} rates SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
	__uint(max_entries, 32);
	__type(key, __u32);
	__type(value, struct bpf_devmap_val);
} egress SEC(".maps");

const volatile __u64 max_pps = 100000;

static __always_inline int over_rate(__u32 src)
{
	__u64 now = bpf_ktime_get_ns() / 1000000000ull;
	struct rate *r = bpf_map_lookup_elem(&rates, &src);
	struct rate init = { .window = now, .packets = 1 };

	if (!r) {
		bpf_map_update_elem(&rates, &src, &init, BPF_NOEXIST);
		return 0;
	}
	if (r->window != now) {
		r->window = now;
		r->packets = 0;
	}
	return ++r->packets > max_pps;
}

SEC("xdp")
int xdp_block(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *iph = (void *)(eth + 1);
		struct lpm_v4 k = { .prefixlen = 32 };

		if ((void *)(iph + 1) > data_end)
			return XDP_DROP;
		__builtin_memcpy(k.addr, &iph->saddr, 4);
		if (bpf_map_lookup_elem(&block_v4, &k))
			return XDP_DROP;
		if (over_rate(iph->saddr))
			return XDP_DROP;
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6h = (void *)(eth + 1);
		struct lpm_v6 k = { .prefixlen = 128 };

		if ((void *)(ip6h + 1) > data_end)
			return XDP_DROP;
		__builtin_memcpy(k.addr, &ip6h->saddr, 16);
		if (bpf_map_lookup_elem(&block_v6, &k))
			return XDP_DROP;
	}
	return XDP_PASS;
}

SEC("xdp.frags")
int xdp_frags_len(struct xdp_md *ctx)
{
	__u8 first[2];

	/* Multi-buffer packets are read through the helper, not data/data_end. */
	if (bpf_xdp_load_bytes(ctx, 0, first, sizeof(first)))
		return XDP_DROP;
	if (bpf_xdp_get_buff_len(ctx) > 9000)
		return XDP_DROP;
	return first[0] & 1 ? XDP_PASS : bpf_redirect_map(&egress, first[1], XDP_PASS);
}

SEC("xdp/devmap")
int xdp_devmap_tx(struct xdp_md *ctx)
{
	return ctx->egress_ifindex ? XDP_PASS : XDP_DROP;
}

SEC("xdp/cpumap")
int xdp_cpumap_rx(struct xdp_md *ctx)
{
	return ctx->rx_queue_index < 64 ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
