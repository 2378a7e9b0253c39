// SPDX-License-Identifier: MIT
/*
 * autoload: programs whose section name starts with '?' are not loaded
 * unless user space asks for them (libbpf sets autoload off); they are
 * otherwise ordinary programs, here sharing maps and a subprogram with an
 * autoloaded one.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} al_counts SEC(".maps");

static __noinline int al_count(__u32 slot)
{
	__u64 *v = bpf_map_lookup_elem(&al_counts, &slot);

	if (!v)
		return 0;
	return ++*v & 1;
}

SEC("xdp")
int al_always(struct xdp_md *ctx)
{
	return al_count(0) ? XDP_PASS : XDP_PASS;
}

SEC("?xdp")
int al_optional_xdp(struct xdp_md *ctx)
{
	return al_count(1) ? XDP_DROP : XDP_PASS;
}

SEC("?tc")
int al_optional_tc(struct __sk_buff *skb)
{
	return al_count(2);
}

SEC("?tp/syscalls/sys_enter_getpid")
int al_optional_tp(void *ctx)
{
	al_count(3);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
