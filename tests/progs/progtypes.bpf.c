// SPDX-License-Identifier: MIT
/*
 * progtypes: one maps-free program of each program type bpfrt runs, as
 * clang compiles real code, for tests/progtype_test.c (bpfrt's test runs)
 * and tests/progtype_diff.c (the same programs in the kernel): context
 * reads and writes of every width, narrow reads, the ctx pointer kept in
 * callee-saved registers and passed to helpers, packet helpers, XDP
 * head/meta/tail adjustment, LD_ABS.
 */
#define __TARGET_ARCH_x86
#include <stddef.h>
#include <linux/bpf.h>
#include <linux/bpf_perf_event.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <linux/ptrace.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

unsigned long long load_byte(void *skb, unsigned long long off) asm("llvm.bpf.load.byte");
unsigned long long load_half(void *skb, unsigned long long off) asm("llvm.bpf.load.half");
unsigned long long load_word(void *skb, unsigned long long off) asm("llvm.bpf.load.word");

/*
 * XDP: 8 bytes of metadata recording the packet's length and ingress
 * queue, a 4-byte tag pushed before the Ethernet header (which moves
 * forward), 2 bytes of padding at the tail; XDP_TX when all went well.
 */
SEC("xdp")
int xdp_tag(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	__u32 len = data_end - data, *meta;
	struct ethhdr *eth, *old;
	__u8 *tag;

	if (bpf_xdp_adjust_meta(ctx, -8))
		return XDP_ABORTED;
	meta = (void *)(long)ctx->data_meta;
	data = (void *)(long)ctx->data;
	if ((void *)(meta + 2) > data)
		return XDP_ABORTED;
	meta[0] = len;
	meta[1] = ctx->rx_queue_index << 16 | ctx->ingress_ifindex;
	if (bpf_xdp_adjust_head(ctx, -4))
		return XDP_DROP;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	eth = data;
	old = data + 4;
	if ((void *)(old + 1) > data_end)
		return XDP_DROP;
	__builtin_memmove(eth, old, sizeof(*eth));
	tag = (void *)(eth + 1);
	tag[0] = 0xbf;
	tag[1] = 0x7e;
	tag[2] = len >> 8;
	tag[3] = len;
	if (bpf_xdp_adjust_tail(ctx, 2))
		return XDP_PASS;
	return XDP_TX;
}

/*
 * tc: for IPv4/UDP, rewrite the destination port to 53 (l4_csum_replace
 * with the pseudo-header flag) and the TOS to 0x20 (l3_csum_replace);
 * record what was seen in mark, priority, tc_classid and cb[].
 */
SEC("tc")
int tc_fields(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *iph = data + sizeof(*eth);
	struct udphdr *uh = (void *)(iph + 1);
	__be16 port = bpf_htons(53), old_port;
	__u8 tos = 0x20, old_tos;

	skb->cb[0] = skb->len;
	skb->cb[1] = skb->pkt_type << 16 | skb->protocol;
	skb->cb[2] = *(__u16 *)((void *)skb + offsetof(struct __sk_buff, len) + 2);
	skb->cb[3] = skb->ifindex << 8 | skb->ingress_ifindex;
	skb->cb[4] += skb->mark;
	if ((void *)(uh + 1) > data_end)
		return TC_ACT_UNSPEC;
	if (eth->h_proto != bpf_htons(ETH_P_IP) || iph->ihl != 5 || iph->protocol != IPPROTO_UDP)
		return TC_ACT_OK;
	old_port = uh->dest;
	old_tos = iph->tos;
	if (bpf_l4_csum_replace(skb, ETH_HLEN + sizeof(*iph) + offsetof(struct udphdr, check),
				old_port, port, BPF_F_PSEUDO_HDR | BPF_F_MARK_MANGLED_0 | sizeof(port)))
		return TC_ACT_SHOT;
	if (bpf_skb_store_bytes(skb, ETH_HLEN + sizeof(*iph) + offsetof(struct udphdr, dest), &port,
				sizeof(port), 0))
		return TC_ACT_SHOT;
	if (bpf_l3_csum_replace(skb, ETH_HLEN + offsetof(struct iphdr, check), bpf_htons(old_tos),
				bpf_htons(tos), 2))
		return TC_ACT_SHOT;
	if (bpf_skb_store_bytes(skb, ETH_HLEN + offsetof(struct iphdr, tos), &tos, 1, 0))
		return TC_ACT_SHOT;
	skb->mark = 0x5eed;
	skb->priority = old_tos;
	skb->tc_classid = bpf_ntohs(old_port);
	skb->tstamp = 1000000;
	return TC_ACT_OK;
}

/* A socket filter keeping TCP to port 80 or 443, the whole packet. */
SEC("socket")
int sock_web(struct __sk_buff *skb)
{
	__u32 ihl, dport;

	if (skb->protocol != bpf_htons(ETH_P_IP))
		return 0;
	if (load_byte(skb, offsetof(struct iphdr, protocol)) != IPPROTO_TCP)
		return 0;
	if (load_half(skb, offsetof(struct iphdr, frag_off)) & 0x1fff)
		return 0;
	ihl = (load_byte(skb, 0) & 0xf) << 2;
	dport = load_half(skb, ihl + 2);
	if (dport == 80 || dport == 443)
		return skb->len;
	return load_word(skb, offsetof(struct iphdr, daddr)) == 0x7f000001 ? 1 : 0;
}

SEC("kprobe/do_sys_openat2")
int BPF_KPROBE(kprobe_args, long dfd, long name, long how)
{
	return (int)(dfd + name * 3 + how * 5 + PT_REGS_IP(ctx) % 7);
}

SEC("raw_tracepoint/sys_enter")
int raw_tp_args(struct bpf_raw_tracepoint_args *ctx)
{
	return (int)(ctx->args[0] * 11 + ctx->args[1] + (__u8)ctx->args[2]);
}

/* A record as trace_event_raw_sys_enter lays it out. */
struct sys_enter_rec {
	__u64 common;
	long id;
	unsigned long args[6];
};

SEC("tracepoint/syscalls/sys_enter_openat")
int tp_record(struct sys_enter_rec *ctx)
{
	return (int)(ctx->id * 1000 + ctx->args[2]);
}

/* sched_process_exec's record: the file name is a __data_loc string. */
struct exec_rec {
	__u64 common;
	__u32 data_loc_filename;
	int pid;
};

SEC("tp/sched/sched_process_exec")
int tp_exec_name(struct exec_rec *ctx)
{
	unsigned int off = ctx->data_loc_filename & 0xffff;
	char name[16];
	long n;

	n = bpf_probe_read_kernel_str(name, sizeof(name), (void *)ctx + off);
	return n < 2 ? -1 : (int)(n << 16 | name[0] << 8 | name[1]);
}

SEC("perf_event")
int perf_sample(struct bpf_perf_event_data *ctx)
{
	return (int)(ctx->sample_period ^ ctx->addr ^ PT_REGS_IP(&ctx->regs));
}

char LICENSE[] SEC("license") = "GPL";
