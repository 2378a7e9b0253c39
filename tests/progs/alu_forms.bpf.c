// SPDX-License-Identifier: MIT
/*
 * alu_forms: code whose instruction selection depends on -mcpu. 32-bit
 * subregister arithmetic and JMP32 (v2, v3), signed loads and sign
 * extension (MOVSX, LDSX at v4), byte swaps (BSWAP at v4, shifts before),
 * signed division and modulo (only expressible at v4: clang rejects them
 * before), and 32-bit atomics (fetch-or/xor on 32 bits need v3).
 *
 * CORPUS_CPU is the -mcpu level, defined by build.sh (clang 14 has no
 * __BPF_CPU_VERSION__).
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __s64);
} alu_out SEC(".maps");

__u32 alu_words[4];

static __always_inline void emit(__u32 k, __s64 v)
{
	bpf_map_update_elem(&alu_out, &k, &v, BPF_ANY);
}

SEC("xdp")
int xdp_alu(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	signed char *sb = data;
	short *sh = data;
	__u64 *q = data;
	__s64 a, b;
	__u32 w;

	if (data + 16 > data_end)
		return XDP_PASS;
	a = sb[3] + sh[2];
	w = (__u32)q[0] * 2654435761u + (__u32)(q[1] >> 7);
	b = __builtin_bswap64(q[1]) ^ __builtin_bswap32(w) ^ __builtin_bswap16((__u16)a);
#if defined(__BPF_FEATURE_SDIV_SMOD)
	if (a != 0 && a != -1)
		b = (b / a) + (b % a);
	a = (__s64)(int)w / 7 - (__s64)(int)w % 3;
#else
	if (a > 0)
		b = (__u64)b / (__u64)a;
	a = w / 7 - w % 3;
#endif
	emit(0, a);
	emit(1, b);
	emit(2, (__s64)(int)(w >> 3) - (int)a);
	__sync_fetch_and_add(&alu_words[w & 3], 1);
#if CORPUS_CPU >= 3
	__sync_fetch_and_or(&alu_words[1], w);
	__sync_fetch_and_xor(&alu_words[2], (__u32)a);
#endif
	return (w & 1) ? XDP_PASS : XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
