// SPDX-License-Identifier: MIT
/*
 * subprogs: BPF-to-BPF calls. Static noinline functions and global
 * (separately verified) functions live in .text and are called from
 * programs in different sections (xdp, tc, socket); subprograms call
 * other subprograms, touch maps and global data, and one is used both as a
 * call target and as a bpf_loop callback. The loader must append each
 * program's reachable subprograms in libbpf's order and fix every call
 * offset and every map reference inside the appended code.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} sub_hist SEC(".maps");

__u64 sub_calls = 0;
const volatile __u32 sub_shift = 3;

static __noinline __u32 mix32(__u32 x)
{
	x ^= x >> 16;
	x *= 0x7feb352d;
	x ^= x >> 15;
	return x;
}

static __noinline __u32 bucket(__u32 len)
{
	__u32 b = (mix32(len) >> sub_shift) & 15;

	sub_calls++;
	return b;
}

static __noinline void hist_add(__u32 len)
{
	__u32 key = bucket(len);
	__u64 *v = bpf_map_lookup_elem(&sub_hist, &key);

	if (v)
		__sync_fetch_and_add(v, 1);
}

/* A global function: verified on its own, arguments are plain scalars. */
__noinline int clamp_len(int len, int lo, int hi)
{
	if (len < lo)
		return lo;
	if (len > hi)
		return hi;
	return len;
}

/* Global function taking the program context. */
__noinline int xdp_len(struct xdp_md *ctx)
{
	if (!ctx)
		return 0;
	return ctx->data_end - ctx->data;
}

static int loop_step(__u32 i, void *data)
{
	__u64 *acc = data;

	*acc += mix32(i);
	return *acc > 1000000 ? 1 : 0;
}

SEC("xdp")
int xdp_sub(struct xdp_md *ctx)
{
	int len = clamp_len(xdp_len(ctx), 0, 9000);
	__u64 acc = 0;

	hist_add(len);
	bpf_loop(len & 31, loop_step, &acc, 0);
	return acc & 1 ? XDP_PASS : XDP_PASS + (len < 0);
}

SEC("tc")
int tc_sub(struct __sk_buff *skb)
{
	hist_add(skb->len);
	return clamp_len(skb->len, 0, 1) ? 0 : 2;
}

SEC("socket")
int sock_sub(struct __sk_buff *skb)
{
	return mix32(skb->protocol) & 1 ? skb->len : 0;
}

char LICENSE[] SEC("license") = "GPL";
