// SPDX-License-Identifier: MIT
/*
 * map_in_map: maps of maps. An array of maps whose inner definition is an
 * array, initialised with two named inner maps (slots 0 and 2); a hash of
 * maps whose inner definition is a hash, initialised by key slot 1. The
 * program looks up the outer map, then the inner one.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct inner_arr {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
};

struct inner_arr inner_a SEC(".maps");
struct inner_arr inner_b SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, struct inner_arr);
} outer_arr SEC(".maps") = {
	.values = { [0] = &inner_a, [2] = &inner_b },
};

struct inner_hash {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u32);
};

struct inner_hash inner_h SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, 16);
	__type(key, __u32);
	__array(values, struct inner_hash);
} outer_hash SEC(".maps") = {
	.values = { [1] = &inner_h },
};

/* An outer map with no initial values and its own anonymous inner definition. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 2);
	__type(key, __u32);
	__array(values, struct {
		__uint(type, BPF_MAP_TYPE_RINGBUF);
		__uint(max_entries, 4096);
	});
} outer_rb SEC(".maps");

SEC("tc")
int tc_mim(struct __sk_buff *skb)
{
	__u32 outer_key = skb->len & 3, inner_key = skb->protocol & 7;
	__u32 hkey = 1, hval = 1;
	__u64 *cnt;
	void *inner;

	inner = bpf_map_lookup_elem(&outer_arr, &outer_key);
	if (inner) {
		cnt = bpf_map_lookup_elem(inner, &inner_key);
		if (cnt)
			__sync_fetch_and_add(cnt, 1);
	}
	inner = bpf_map_lookup_elem(&outer_hash, &hkey);
	if (inner)
		bpf_map_update_elem(inner, &inner_key, &hval, BPF_ANY);
	inner = bpf_map_lookup_elem(&outer_rb, &hkey);
	if (inner)
		bpf_ringbuf_output(inner, &hval, sizeof(hval), 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
