// SPDX-License-Identifier: MIT
/*
 * sock_filter: socket filters. The first reads headers with the legacy
 * packet loads (LD_ABS / LD_IND through the llvm.bpf.load.* intrinsics,
 * as the kernel's samples do) and keeps only TCP packets to port 80 or
 * 443; the second uses bpf_skb_load_bytes and counts IP protocols.
 */
#include <stddef.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

unsigned long long load_byte(void *skb, unsigned long long off) asm("llvm.bpf.load.byte");
unsigned long long load_half(void *skb, unsigned long long off) asm("llvm.bpf.load.half");
unsigned long long load_word(void *skb, unsigned long long off) asm("llvm.bpf.load.word");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, __u64);
} proto_count SEC(".maps");

SEC("socket")
int sock_http_only(struct __sk_buff *skb)
{
	__u32 ihl, dport;

	if (load_half(skb, offsetof(struct ethhdr, h_proto)) != ETH_P_IP)
		return 0;
	if (load_byte(skb, ETH_HLEN + offsetof(struct iphdr, protocol)) != IPPROTO_TCP)
		return 0;
	/* Fragments other than the first carry no TCP header. */
	if (load_half(skb, ETH_HLEN + offsetof(struct iphdr, frag_off)) & 0x1fff)
		return 0;
	ihl = (load_byte(skb, ETH_HLEN) & 0xf) << 2;
	dport = load_half(skb, ETH_HLEN + ihl + offsetof(struct tcphdr, dest));
	if (dport == 80 || dport == 443)
		return skb->len;
	return load_word(skb, ETH_HLEN + offsetof(struct iphdr, daddr)) == 0x7f000001 ? -1 : 0;
}

SEC("socket")
int sock_count_proto(struct __sk_buff *skb)
{
	__u8 proto;
	__u32 key;
	__u64 *v;

	if (skb->protocol != bpf_htons(ETH_P_IP))
		return 0;
	if (bpf_skb_load_bytes(skb, ETH_HLEN + offsetof(struct iphdr, protocol), &proto, 1))
		return 0;
	key = proto;
	v = bpf_map_lookup_elem(&proto_count, &key);
	if (v)
		__sync_fetch_and_add(v, skb->len);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
