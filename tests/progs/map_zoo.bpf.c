// SPDX-License-Identifier: MIT
/*
 * map_zoo: one definition of most map types libbpf knows, with the
 * attributes that go with them: flags (BPF_F_NO_PREALLOC, BPF_F_RDONLY_PROG,
 * BPF_F_ZERO_SEED), value-only maps (queue, stack, bloom filter with
 * map_extra), key/value given by size rather than type, numa_node, local
 * storage maps (task, sk, inode) and socket maps. An fentry program uses
 * several of them.
 */
#include "vmlinux_min.h"
#include <linux/bpf.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

struct flow {
	u32 saddr, daddr;
	u16 sport, dport;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct flow);
	__type(value, u64);
	__uint(map_flags, BPF_F_NO_PREALLOC | BPF_F_ZERO_SEED | BPF_F_NUMA_NODE);
	__uint(numa_node, 0);
} zoo_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 512);
	__uint(key_size, 8);
	__uint(value_size, 16);
} zoo_pcpu_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 2048);
	__type(key, u32);
	__type(value, struct flow);
	__uint(map_flags, BPF_F_NO_COMMON_LRU);
} zoo_lru SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, u32);
	__type(value, u64);
	__uint(map_flags, BPF_F_RDONLY_PROG);
} zoo_ro_array SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, u32);
	__type(value, u64);
} zoo_pcpu_array SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 256);
	__type(key, u32);
	__uint(value_size, 127 * sizeof(u64));
} zoo_stacks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, 64);
	__type(value, u32);
} zoo_queue SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK);
	__uint(max_entries, 64);
	__type(value, u64);
} zoo_stack SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_BLOOM_FILTER);
	__uint(max_entries, 1000);
	__type(value, u32);
	__uint(map_extra, 5);
} zoo_bloom SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, u64);
} zoo_task_store SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, u32);
} zoo_sk_store SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_INODE_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, u32);
} zoo_inode_store SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_SOCKMAP);
	__uint(max_entries, 16);
	__type(key, u32);
	__type(value, u64);
} zoo_sockmap SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_SOCKHASH);
	__uint(max_entries, 16);
	__type(key, struct flow);
	__type(value, u64);
} zoo_sockhash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_ARRAY);
	__uint(max_entries, 4);
	__type(key, u32);
	__type(value, u32);
} zoo_cgroups SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, 8);
	__type(key, u32);
	__type(value, u32);
} zoo_devmap SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, 8);
	__type(key, u32);
	__type(value, u32);
} zoo_xsks SEC(".maps");

SEC("fentry/tcp_v4_connect")
int BPF_PROG(zoo_connect, struct sock *sk)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct flow f = {};
	u64 one = 1, *cnt;
	u32 pid = bpf_get_current_pid_tgid() >> 32, zero = 0;

	f.daddr = BPF_CORE_READ(sk, __sk_common.skc_daddr);
	f.dport = BPF_CORE_READ(sk, __sk_common.skc_dport);
	bpf_map_update_elem(&zoo_hash, &f, &one, BPF_NOEXIST);
	bpf_map_update_elem(&zoo_lru, &pid, &f, BPF_ANY);
	bpf_map_push_elem(&zoo_queue, &pid, BPF_EXIST);
	bpf_map_push_elem(&zoo_stack, &one, 0);
	if (bpf_map_peek_elem(&zoo_bloom, &pid) == 0)
		return 0;
	cnt = bpf_task_storage_get(&zoo_task_store, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (cnt)
		*cnt += 1;
	cnt = bpf_map_lookup_elem(&zoo_pcpu_array, &zero);
	if (cnt)
		*cnt += bpf_get_stackid(ctx, &zoo_stacks, 0) >= 0;
	cnt = bpf_map_lookup_elem(&zoo_ro_array, &zero);
	return cnt ? *cnt : 0;
}

char LICENSE[] SEC("license") = "GPL";
