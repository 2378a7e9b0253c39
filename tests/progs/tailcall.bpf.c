// SPDX-License-Identifier: MIT
/*
 * tailcall: a cilium-style pipeline of tc programs chained with tail calls.
 * The program array is declared with its initial contents
 * (__array(values, ...) = { [slot] = &prog }), so the loader must fill
 * slots 0, 1 and 3 with the named programs and leave slot 2 empty. An XDP
 * array shows the same for another program type, with a tail call through
 * a computed index.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

enum { STAGE_PARSE, STAGE_POLICY, STAGE_UNUSED, STAGE_NAT, STAGE_MAX };

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, __u32);
} ct SEC(".maps");

int tc_parse(struct __sk_buff *skb);
int tc_policy(struct __sk_buff *skb);
int tc_nat(struct __sk_buff *skb);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, STAGE_MAX);
	__uint(key_size, sizeof(__u32));
	__array(values, int (struct __sk_buff *));
} tc_stages SEC(".maps") = {
	.values = {
		[STAGE_PARSE] = (void *)&tc_parse,
		[STAGE_POLICY] = (void *)&tc_policy,
		[STAGE_NAT] = (void *)&tc_nat,
	},
};

SEC("tc")
int tc_entry(struct __sk_buff *skb)
{
	skb->cb[0] = 0;
	bpf_tail_call(skb, &tc_stages, STAGE_PARSE);
	return TC_ACT_OK; /* array slot empty: fall through */
}

SEC("tc")
int tc_parse(struct __sk_buff *skb)
{
	skb->cb[0] = skb->len;
	bpf_tail_call(skb, &tc_stages, STAGE_POLICY);
	return TC_ACT_OK;
}

SEC("tc")
int tc_policy(struct __sk_buff *skb)
{
	__u32 key = skb->ifindex;
	__u32 *verdict = bpf_map_lookup_elem(&ct, &key);

	if (verdict && *verdict)
		return TC_ACT_SHOT;
	bpf_tail_call(skb, &tc_stages, STAGE_NAT);
	return TC_ACT_OK;
}

SEC("tc")
int tc_nat(struct __sk_buff *skb)
{
	__u32 key = skb->ifindex, val = skb->cb[0];

	bpf_map_update_elem(&ct, &key, &val, BPF_ANY);
	return TC_ACT_OK;
}

int xdp_even(struct xdp_md *ctx);
int xdp_odd(struct xdp_md *ctx);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 2);
	__uint(key_size, sizeof(__u32));
	__array(values, int (struct xdp_md *));
} xdp_jumps SEC(".maps") = {
	.values = { (void *)&xdp_even, (void *)&xdp_odd },
};

SEC("xdp")
int xdp_dispatch(struct xdp_md *ctx)
{
	bpf_tail_call(ctx, &xdp_jumps, (ctx->data_end - ctx->data) & 1);
	return XDP_ABORTED;
}

SEC("xdp")
int xdp_even(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("xdp")
int xdp_odd(struct xdp_md *ctx)
{
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
