// SPDX-License-Identifier: MIT
/*
 * globals_run: programs for `bpfrt run` of an ELF object (tests/cli/object.sh).
 * Self-contained (no kernel or libbpf headers), so any clang builds it:
 *   clang -target bpf -g -O2 -c globals_run.bpf.c -o globals_run.o
 *
 * globals_run uses global data only (.rodata, .data, .bss): with 4 bytes of
 * memory holding x, run N times in a row it returns
 *   100 + N * x * 3 + N + 30
 * (scale = 3 in .rodata, base = 100 in .data, runs in .bss, tag[2] = 30).
 * writes_rodata stores into .rodata, which checked engines refuse; uses_map
 * and uses_helper need what the CLI cannot give them.
 */
#define SEC(name) __attribute__((section(name), used))
#define __uint(name, val) int (*name)[val]
#define __type(name, val) __typeof__(val) *name

typedef unsigned int u32;
typedef unsigned long long u64;

const volatile u32 scale = 3;               /* .rodata */
const volatile unsigned char tag[4] = { 10, 20, 30, 40 };
u64 base = 100;                             /* .data */
u64 runs;                                   /* .bss */

SEC("socket")
int globals_run(void *ctx)
{
	u32 x = *(volatile u32 *)ctx;

	runs++;
	base += (u64)x * scale;
	return (int)(base + runs + tag[2]);
}

SEC("socket")
int writes_rodata(void *ctx)
{
	(void)ctx;
	*(volatile u32 *)&scale = 4; /* a const variable: only a cast gets here */
	return 0;
}

struct {
	__uint(type, 1); /* BPF_MAP_TYPE_HASH */
	__uint(max_entries, 64);
	__type(key, u32);
	__type(value, u64);
} counters SEC(".maps");

static void *(*bpf_map_lookup_elem)(void *map, const void *key) = (void *)1;
static u64 (*bpf_ktime_get_ns)(void) = (void *)5;

SEC("xdp")
int uses_map(void *ctx)
{
	u32 key = *(volatile u32 *)ctx;
	u64 *v = bpf_map_lookup_elem(&counters, &key);

	return v ? (int)*v : 0;
}

SEC("tc")
int uses_helper(void *ctx)
{
	(void)ctx;
	return (int)bpf_ktime_get_ns();
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
