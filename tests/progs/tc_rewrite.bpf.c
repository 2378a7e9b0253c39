// SPDX-License-Identifier: MIT
/*
 * tc_rewrite: traffic-control programs. The classifier remarks the DSCP of
 * IPv4 packets to a configured class (bpf_skb_store_bytes, then
 * bpf_l3_csum_replace to patch the header checksum), rewrites the
 * destination port of matching UDP packets (bpf_l4_csum_replace with the
 * pseudo-header flag), sets skb->mark and skb->priority, and counts what it
 * did. Also present: the legacy section names "classifier" and "action".
 */
#include <stddef.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#define IP_OFF      ETH_HLEN
#define IP_TOS_OFF  (IP_OFF + offsetof(struct iphdr, tos))
#define IP_CSUM_OFF (IP_OFF + offsetof(struct iphdr, check))
#define UDP_OFF     (IP_OFF + sizeof(struct iphdr))
#define UDP_DPORT_OFF (UDP_OFF + offsetof(struct udphdr, dest))
#define UDP_CSUM_OFF  (UDP_OFF + offsetof(struct udphdr, check))

struct port_rule {
	__be16 to_port;
	__u16 dscp;
	__u32 mark;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __be16);
	__type(value, struct port_rule);
} port_rules SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 3);
	__type(key, __u32);
	__type(value, __u64);
} tc_counts SEC(".maps");

const volatile __u8 default_dscp = 10;

static __always_inline void count(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&tc_counts, &idx);

	if (v)
		__sync_fetch_and_add(v, 1);
}

static __always_inline int set_dscp(struct __sk_buff *skb, __u8 dscp)
{
	__u8 old_tos, new_tos;

	if (bpf_skb_load_bytes(skb, IP_TOS_OFF, &old_tos, 1))
		return -1;
	new_tos = (old_tos & 0x3) | (dscp << 2);
	if (new_tos == old_tos)
		return 0;
	if (bpf_l3_csum_replace(skb, IP_CSUM_OFF, bpf_htons(old_tos), bpf_htons(new_tos), 2))
		return -1;
	return bpf_skb_store_bytes(skb, IP_TOS_OFF, &new_tos, 1, 0);
}

SEC("tc")
int tc_remark(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *iph = data + ETH_HLEN;
	struct udphdr *uh;
	struct port_rule *rule;
	__be16 dport;
	__u8 dscp = default_dscp;

	if (data + UDP_OFF + sizeof(*uh) > data_end)
		return TC_ACT_OK;
	if (eth->h_proto != bpf_htons(ETH_P_IP) || iph->ihl != 5)
		return TC_ACT_OK;
	if (iph->protocol == IPPROTO_UDP) {
		uh = data + UDP_OFF;
		dport = uh->dest;
		rule = bpf_map_lookup_elem(&port_rules, &dport);
		if (rule) {
			dscp = rule->dscp;
			skb->mark = rule->mark;
			if (rule->to_port != dport) {
				bpf_l4_csum_replace(skb, UDP_CSUM_OFF, dport, rule->to_port,
						    BPF_F_PSEUDO_HDR | sizeof(dport));
				bpf_skb_store_bytes(skb, UDP_DPORT_OFF, &rule->to_port,
						    sizeof(rule->to_port), 0);
				count(1);
			}
		}
	}
	if (set_dscp(skb, dscp) < 0)
		return TC_ACT_SHOT;
	skb->priority = dscp >> 3;
	count(0);
	return TC_ACT_OK;
}

SEC("classifier")
int tc_legacy_cls(struct __sk_buff *skb)
{
	if (skb->len < ETH_HLEN)
		return TC_ACT_SHOT;
	skb->tc_classid = 0x10001;
	return skb->protocol == bpf_htons(ETH_P_ARP) ? TC_ACT_OK : TC_ACT_UNSPEC;
}

SEC("action")
int tc_legacy_act(struct __sk_buff *skb)
{
	count(2);
	return bpf_skb_pull_data(skb, 0) ? TC_ACT_SHOT : TC_ACT_PIPE;
}

char LICENSE[] SEC("license") = "GPL";
