// SPDX-License-Identifier: MIT
/*
 * loops: iteration without unrolling. bpf_loop with a static callback,
 * bpf_for_each_map_elem with callbacks over a hash and an array, and a
 * bounded loop that clang keeps as a real back-edge (#pragma nounroll).
 * Callbacks are referenced by LDDW with src_reg BPF_PSEUDO_FUNC, so the
 * loader must append them like called subprograms and fix the LDDW's
 * instruction offset. At -mcpu=v3 and later the atomics use fetch forms
 * (CORPUS_CPU is the -mcpu level, defined by build.sh).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 128);
	__type(key, __u32);
	__type(value, __u64);
} loop_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 32);
	__type(key, __u32);
	__type(value, __u64);
} loop_arr SEC(".maps");

struct bpf_map;

struct sum_ctx {
	__u64 sum;
	__u32 seen;
	__u32 limit;
};

__u64 loop_total = 0;

static int sum_cb(__u32 idx, struct sum_ctx *c)
{
	if (idx >= c->limit)
		return 1;
	c->sum += idx * idx;
	return 0;
}

static __u64 hash_cb(struct bpf_map *map, __u32 *key, __u64 *val, struct sum_ctx *c)
{
	c->sum += *val;
	c->seen++;
	return c->seen >= c->limit;
}

static __u64 arr_cb(struct bpf_map *map, __u32 *key, __u64 *val, struct sum_ctx *c)
{
	*val += *key;
	return 0;
}

SEC("xdp")
int xdp_loops(struct xdp_md *ctx)
{
	struct sum_ctx c = { .limit = 16 };
	__u32 len = ctx->data_end - ctx->data;
	__u64 acc = 0;
	__u32 i;

	bpf_loop(64, sum_cb, &c, 0);
	bpf_for_each_map_elem(&loop_hash, hash_cb, &c, 0);
	bpf_for_each_map_elem(&loop_arr, arr_cb, &c, 0);
#pragma nounroll
	for (i = 0; i < 40 && i < len; i++)
		acc = acc * 31 + i;
#if CORPUS_CPU >= 3
	if (__sync_fetch_and_add(&loop_total, acc) > c.sum)
		return XDP_DROP;
	__sync_fetch_and_or(&loop_total, 1);
	__sync_lock_test_and_set(&loop_total, c.sum);
#else
	__sync_fetch_and_add(&loop_total, acc);
#endif
	return c.seen & 1 ? XDP_TX : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
