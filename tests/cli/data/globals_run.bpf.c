// SPDX-License-Identifier: MIT
/*
 * globals_run: programs of bpfrt's "memory" type for `bpfrt run`, `map` and
 * `shell` (tests/cli/object.sh). Their section, "mem", has no program type
 * in libbpf's table, so bpfrt test-runs them with r1 = the data and r2 = its
 * length. Self-contained (no kernel or libbpf headers), so any clang builds
 * it:
 *   clang -target bpf -g -O2 -c globals_run.bpf.c -o globals_run.o
 *
 * globals_run uses global data only (.rodata, .data, .bss): on data whose
 * first 4 bytes hold x, run N times in a row, it returns
 *   100 + N * x * 3 + N + 30
 * (scale = 3 in .rodata, base = 100 in .data, runs in .bss, tag[2] = 30).
 * writes_rodata stores into .rodata, which the loader froze: checked
 * engines stop it. count_key adds 1 to the value of key x in the hash map
 * `counters` and returns the new value, or -1 if x is not there. cpu_bytes
 * adds the data's length to this CPU's slot of `per_cpu` and returns the
 * CPU's number.
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

SEC("mem")
int globals_run(void *data, u64 len)
{
	u32 x = *(volatile u32 *)data;

	(void)len;
	runs++;
	base += (u64)x * scale;
	return (int)(base + runs + tag[2]);
}

SEC("mem")
int writes_rodata(void *data, u64 len)
{
	(void)data, (void)len;
	*(volatile u32 *)&scale = 4; /* a const variable: only a cast gets here */
	return 0;
}

struct {
	__uint(type, 1); /* BPF_MAP_TYPE_HASH */
	__uint(max_entries, 64);
	__type(key, u32);
	__type(value, u64);
} counters SEC(".maps");

struct {
	__uint(type, 6); /* BPF_MAP_TYPE_PERCPU_ARRAY */
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, u64);
} per_cpu SEC(".maps");

static void *(*bpf_map_lookup_elem)(void *map, const void *key) = (void *)1;
static u32 (*bpf_get_smp_processor_id)(void) = (void *)8;

SEC("mem")
int count_key(void *data, u64 len)
{
	u32 key = *(volatile u32 *)data;
	u64 *v = bpf_map_lookup_elem(&counters, &key);

	(void)len;
	if (!v)
		return -1;
	return (int)++*v;
}

SEC("mem")
int cpu_bytes(void *data, u64 len)
{
	u32 zero = 0;
	u64 *v = bpf_map_lookup_elem(&per_cpu, &zero);

	(void)data;
	if (v)
		*v += len;
	return (int)bpf_get_smp_processor_id();
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
