// SPDX-License-Identifier: MIT
/*
 * xdp_parse: an XDP packet parser in the style of xdp-tools' parsing
 * helpers. Ethernet, up to two VLAN tags (802.1Q / 802.1ad), IPv4 (with
 * options) or IPv6, then TCP or UDP, every header bounds-checked against
 * data_end before it is read. Counts packets and bytes per protocol in a
 * per-CPU array. A second program in the same section passes everything and
 * only counts, so SEC("xdp") holds two programs.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#define VLAN_MAX_DEPTH 2

struct vlan_hdr {
	__be16 h_vlan_TCI;
	__be16 h_vlan_encapsulated_proto;
};

struct cursor {
	void *pos;
	void *end;
};

enum proto_slot { SLOT_OTHER, SLOT_TCP, SLOT_UDP, SLOT_ICMP, SLOT_BAD, SLOT_MAX };

struct counters {
	__u64 packets;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SLOT_MAX);
	__type(key, __u32);
	__type(value, struct counters);
} proto_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} seen SEC(".maps");

static __always_inline int is_vlan(__u16 proto)
{
	return proto == bpf_htons(ETH_P_8021Q) || proto == bpf_htons(ETH_P_8021AD);
}

/* Returns the EtherType in network order, or -1 if truncated. */
static __always_inline int parse_eth(struct cursor *c, struct ethhdr **eth_out)
{
	struct ethhdr *eth = c->pos;
	struct vlan_hdr *vlh;
	__u16 proto;
	int i;

	if ((void *)(eth + 1) > c->end)
		return -1;
	c->pos = eth + 1;
	*eth_out = eth;
	proto = eth->h_proto;
	vlh = c->pos;
#pragma unroll
	for (i = 0; i < VLAN_MAX_DEPTH; i++) {
		if (!is_vlan(proto))
			break;
		if ((void *)(vlh + 1) > c->end)
			return -1;
		proto = vlh->h_vlan_encapsulated_proto;
		vlh++;
	}
	c->pos = vlh;
	return proto;
}

static __always_inline int parse_ipv4(struct cursor *c, struct iphdr **out)
{
	struct iphdr *iph = c->pos;
	int hdrsize;

	if ((void *)(iph + 1) > c->end)
		return -1;
	hdrsize = iph->ihl * 4;
	if (hdrsize < (int)sizeof(*iph))
		return -1;
	if (c->pos + hdrsize > c->end)
		return -1;
	c->pos += hdrsize;
	*out = iph;
	return iph->protocol;
}

static __always_inline int parse_ipv6(struct cursor *c, struct ipv6hdr **out)
{
	struct ipv6hdr *ip6h = c->pos;

	if ((void *)(ip6h + 1) > c->end)
		return -1;
	c->pos = ip6h + 1;
	*out = ip6h;
	return ip6h->nexthdr;
}

static __always_inline int parse_tcp(struct cursor *c, struct tcphdr **out)
{
	struct tcphdr *th = c->pos;
	int len;

	if ((void *)(th + 1) > c->end)
		return -1;
	len = th->doff * 4;
	if (len < (int)sizeof(*th))
		return -1;
	if (c->pos + len > c->end)
		return -1;
	c->pos += len;
	*out = th;
	return len;
}

static __always_inline int parse_udp(struct cursor *c, struct udphdr **out)
{
	struct udphdr *uh = c->pos;
	int len;

	if ((void *)(uh + 1) > c->end)
		return -1;
	c->pos = uh + 1;
	*out = uh;
	len = bpf_ntohs(uh->len) - sizeof(*uh);
	if (len < 0)
		return -1;
	return len;
}

static __always_inline void account(__u32 slot, __u64 bytes)
{
	struct counters *cnt = bpf_map_lookup_elem(&proto_stats, &slot);

	if (!cnt)
		return;
	cnt->packets++;
	cnt->bytes += bytes;
}

SEC("xdp")
int xdp_parse(struct xdp_md *ctx)
{
	struct cursor c = {
		.pos = (void *)(long)ctx->data,
		.end = (void *)(long)ctx->data_end,
	};
	__u64 bytes = c.end - c.pos;
	struct ethhdr *eth;
	struct iphdr *iph;
	struct ipv6hdr *ip6h;
	struct tcphdr *th;
	struct udphdr *uh;
	__u32 slot = SLOT_OTHER;
	int proto, l4;

	proto = parse_eth(&c, &eth);
	if (proto < 0) {
		slot = SLOT_BAD;
		goto out;
	}
	if (proto == bpf_htons(ETH_P_IP))
		l4 = parse_ipv4(&c, &iph);
	else if (proto == bpf_htons(ETH_P_IPV6))
		l4 = parse_ipv6(&c, &ip6h);
	else
		goto out;
	if (l4 < 0) {
		slot = SLOT_BAD;
		goto out;
	}
	switch (l4) {
	case IPPROTO_TCP:
		slot = parse_tcp(&c, &th) < 0 ? SLOT_BAD : SLOT_TCP;
		break;
	case IPPROTO_UDP:
		slot = parse_udp(&c, &uh) < 0 ? SLOT_BAD : SLOT_UDP;
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		slot = SLOT_ICMP;
		break;
	}
out:
	account(slot, bytes);
	return slot == SLOT_BAD ? XDP_DROP : XDP_PASS;
}

SEC("xdp")
int xdp_count_all(struct xdp_md *ctx)
{
	__u32 key = 0;
	__u64 *v = bpf_map_lookup_elem(&seen, &key);

	if (v)
		__sync_fetch_and_add(v, 1);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
