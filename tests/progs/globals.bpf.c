// SPDX-License-Identifier: MIT
/*
 * globals: global variables in every section libbpf turns into a map.
 * .rodata holds `const volatile` configuration that user space sets before
 * load and string constants; .data initialised globals (including a static
 * one and a struct); .bss zero-initialised counters and a large buffer;
 * .data.custom and .rodata.custom are custom sections, each its own map
 * (named after the section, without the object prefix). Programs read and
 * write them at various offsets, so the relocated LDDW carry non-zero
 * value offsets.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct limits {
	__u32 lo;
	__u32 hi;
	__u64 scale;
};

/* .rodata */
const volatile __u32 cfg_mode = 1;
const volatile __u64 cfg_threshold = 1000;
const volatile struct limits cfg_limits = { .lo = 10, .hi = 1500, .scale = 3 };
const char greeting[] = "hello from .rodata";

/* .data */
__u64 total_bytes = 1;
int last_len = -1;
static __u32 calls = 7;
struct limits seen_limits = { .lo = ~0u };

/* .bss */
__u64 packets;
__u64 drops;
char scratch[4096];

/* custom sections: one map each */
__u64 custom_counter SEC(".data.custom") = 42;
__u32 custom_table[8] SEC(".data.custom") = { 1, 2, 3, 4, 5, 6, 7, 8 };
const volatile __u32 custom_ro SEC(".rodata.custom") = 0xc0ffee;

SEC("xdp")
int xdp_globals(struct xdp_md *ctx)
{
	int len = ctx->data_end - ctx->data;
	__u32 idx = len & 7;

	packets++;
	calls++;
	total_bytes += len * cfg_limits.scale;
	last_len = len;
	custom_counter += custom_table[idx];
	if (len < (int)seen_limits.lo)
		seen_limits.lo = len;
	if (len > (int)seen_limits.hi)
		seen_limits.hi = len;
	scratch[idx * 512] = greeting[idx];
	if (cfg_mode == 2 && (len < (int)cfg_limits.lo || len > (int)cfg_limits.hi)) {
		drops++;
		return XDP_DROP;
	}
	if (total_bytes > cfg_threshold && custom_ro == 0)
		return XDP_ABORTED;
	return XDP_PASS;
}

SEC("tc")
int tc_globals(struct __sk_buff *skb)
{
	custom_table[skb->len & 7] += 1;
	skb->mark = custom_ro ^ calls;
	return cfg_mode ? 0 : 2;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
