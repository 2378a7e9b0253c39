// SPDX-License-Identifier: MIT
/*
 * xdp_lb: a small L4 load balancer in the style of katran. A packet to a
 * known VIP (hash map keyed by address, port and protocol) picks a real
 * server through a connection table (LRU hash) or, for a new flow, by
 * hashing the 5-tuple into the VIP's slice of the ring (array); it is then
 * encapsulated in an outer IPv4 header (IPIP) with bpf_xdp_adjust_head and
 * the outer checksum is computed by an unrolled loop. Packets for no VIP go
 * to the stack; a VIP flagged for CPU steering is redirected through a
 * cpumap.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#define RING_SIZE   64
#define MAX_VIPS    512
#define MAX_REALS   4096
#define CONN_SLOTS  65536
#define F_CPU_STEER 0x1

struct vip_key {
	__be32 addr;
	__be16 port;
	__u8 proto;
	__u8 pad;
};

struct vip_meta {
	__u32 flags;
	__u32 vip_num;
};

struct flow_key {
	__be32 src;
	__be32 dst;
	__be16 sport;
	__be16 dport;
	__u8 proto;
	__u8 pad[3];
};

struct real_def {
	__be32 addr;
	__u32 flags;
};

struct conn_state {
	__u32 real_idx;
	__u32 last_seen;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_VIPS);
	__type(key, struct vip_key);
	__type(value, struct vip_meta);
} vip_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MAX_VIPS * RING_SIZE);
	__type(key, __u32);
	__type(value, __u32);
} ch_rings SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MAX_REALS);
	__type(key, __u32);
	__type(value, struct real_def);
} reals SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, CONN_SLOTS);
	__type(key, struct flow_key);
	__type(value, struct conn_state);
} conn_table SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_CPUMAP);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, struct bpf_cpumap_val);
} cpu_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} lb_stats SEC(".maps");

/* The tunnel source address, set by the control plane. */
const volatile __be32 tunnel_src = 0;
const volatile __u32 steer_cpus = 1;

static __always_inline void stat_inc(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&lb_stats, &idx);

	if (v)
		*v += 1;
}

static __always_inline __u16 csum_fold(__u64 sum)
{
	int i;

#pragma unroll
	for (i = 0; i < 4; i++) {
		if (sum >> 16)
			sum = (sum & 0xffff) + (sum >> 16);
	}
	return ~sum;
}

static __always_inline void ipv4_csum(struct iphdr *iph)
{
	__u16 *p = (__u16 *)iph;
	__u64 sum = 0;
	int i;

	iph->check = 0;
#pragma unroll
	for (i = 0; i < (int)(sizeof(*iph) >> 1); i++)
		sum += *p++;
	iph->check = csum_fold(sum);
}

static __always_inline __u32 flow_hash(const struct flow_key *k)
{
	__u32 h = k->src ^ (k->dst * 0x9e3779b1u);

	h ^= ((__u32)k->sport << 16) | k->dport;
	h ^= h >> 15;
	h *= 0x2c1b3c6d;
	h ^= h >> 12;
	return h ^ k->proto;
}

static __always_inline int encap(struct xdp_md *ctx, __be32 dst, __u16 inner_len)
{
	struct ethhdr *new_eth, *old_eth;
	struct iphdr *outer;
	void *data, *data_end;

	if (bpf_xdp_adjust_head(ctx, 0 - (int)sizeof(struct iphdr)))
		return XDP_DROP;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	new_eth = data;
	old_eth = data + sizeof(struct iphdr);
	outer = data + sizeof(struct ethhdr);
	if ((void *)(new_eth + 1) > data_end || (void *)(old_eth + 1) > data_end ||
	    (void *)(outer + 1) > data_end)
		return XDP_DROP;
	__builtin_memcpy(new_eth->h_source, old_eth->h_dest, ETH_ALEN);
	__builtin_memcpy(new_eth->h_dest, old_eth->h_source, ETH_ALEN);
	new_eth->h_proto = bpf_htons(ETH_P_IP);
	outer->version = 4;
	outer->ihl = 5;
	outer->tos = 0;
	outer->tot_len = bpf_htons(inner_len + sizeof(struct iphdr));
	outer->id = 0;
	outer->frag_off = 0;
	outer->ttl = 64;
	outer->protocol = IPPROTO_IPIP;
	outer->saddr = tunnel_src;
	outer->daddr = dst;
	ipv4_csum(outer);
	return XDP_TX;
}

SEC("xdp")
int xdp_lb(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *iph;
	struct vip_key vk = {};
	struct flow_key fk = {};
	struct vip_meta *vip;
	struct conn_state *cs, ncs = {};
	struct real_def *real;
	__u32 ring_idx, *real_idx;

	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	iph = (void *)(eth + 1);
	if ((void *)(iph + 1) > data_end)
		return XDP_DROP;
	if (iph->ihl != 5 || (iph->frag_off & bpf_htons(0x3fff)))
		return XDP_PASS;
	fk.src = iph->saddr;
	fk.dst = iph->daddr;
	fk.proto = iph->protocol;
	if (iph->protocol == IPPROTO_TCP) {
		struct tcphdr *th = (void *)(iph + 1);

		if ((void *)(th + 1) > data_end)
			return XDP_DROP;
		fk.sport = th->source;
		fk.dport = th->dest;
	} else if (iph->protocol == IPPROTO_UDP) {
		struct udphdr *uh = (void *)(iph + 1);

		if ((void *)(uh + 1) > data_end)
			return XDP_DROP;
		fk.sport = uh->source;
		fk.dport = uh->dest;
	} else {
		return XDP_PASS;
	}
	vk.addr = fk.dst;
	vk.port = fk.dport;
	vk.proto = fk.proto;
	vip = bpf_map_lookup_elem(&vip_map, &vk);
	if (!vip) {
		stat_inc(0);
		return XDP_PASS;
	}
	if ((vip->flags & F_CPU_STEER) && steer_cpus)
		return bpf_redirect_map(&cpu_map, flow_hash(&fk) % steer_cpus, 0);

	cs = bpf_map_lookup_elem(&conn_table, &fk);
	if (!cs) {
		ring_idx = vip->vip_num * RING_SIZE + flow_hash(&fk) % RING_SIZE;
		real_idx = bpf_map_lookup_elem(&ch_rings, &ring_idx);
		if (!real_idx)
			return XDP_DROP;
		ncs.real_idx = *real_idx;
		ncs.last_seen = bpf_ktime_get_ns() >> 30;
		bpf_map_update_elem(&conn_table, &fk, &ncs, BPF_ANY);
		cs = &ncs;
		stat_inc(1);
	}
	real = bpf_map_lookup_elem(&reals, &cs->real_idx);
	if (!real)
		return XDP_DROP;
	stat_inc(2);
	return encap(ctx, real->addr, bpf_ntohs(iph->tot_len));
}

char LICENSE[] SEC("license") = "GPL";
