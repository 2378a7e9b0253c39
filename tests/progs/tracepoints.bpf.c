// SPDX-License-Identifier: MIT
/*
 * tracepoints: the three kinds of tracepoint programs. Classic tracepoints
 * (tracepoint/ and tp/ prefixes) read the trace_event_raw_* record,
 * including a __data_loc string; raw tracepoints (raw_tp/, raw_tracepoint/)
 * get the raw arguments as u64 and read the task with CO-RE; BTF-typed
 * raw tracepoints (tp_btf/) dereference their typed arguments directly.
 */
#include "vmlinux_min.h"
#include <linux/bpf.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, u32);
	__type(value, u64);
} syscalls_seen SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, char[256]);
} exec_name SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, u32);
	__type(value, u64);
} tp_counts SEC(".maps");

static __always_inline void bump(u32 idx)
{
	u64 *v = bpf_map_lookup_elem(&tp_counts, &idx);

	if (v)
		__sync_fetch_and_add(v, 1);
}

SEC("tracepoint/syscalls/sys_enter_openat")
int tp_enter_openat(struct trace_event_raw_sys_enter *ctx)
{
	u32 tid = (u32)bpf_get_current_pid_tgid();
	u64 flags = ctx->args[2];

	bpf_map_update_elem(&syscalls_seen, &tid, &flags, BPF_ANY);
	bump(0);
	return 0;
}

SEC("tp/syscalls/sys_exit_openat")
int tp_exit_openat(struct trace_event_raw_sys_exit *ctx)
{
	u32 tid = (u32)bpf_get_current_pid_tgid();

	if (ctx->ret < 0)
		bump(1);
	bpf_map_delete_elem(&syscalls_seen, &tid);
	return 0;
}

SEC("tp/sched/sched_process_exec")
int tp_exec(struct trace_event_raw_sched_process_exec *ctx)
{
	unsigned int off = ctx->__data_loc_filename & 0xffff;
	u32 zero = 0;
	char *buf = bpf_map_lookup_elem(&exec_name, &zero);

	if (!buf)
		return 0;
	bpf_probe_read_kernel_str(buf, 256, (void *)ctx + off);
	return 0;
}

SEC("raw_tp/sched_switch")
int BPF_PROG(raw_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	u32 pid = BPF_CORE_READ(next, pid);
	u64 state = BPF_CORE_READ(prev, __state);

	if (pid && !state)
		bump(2);
	return 0;
}

SEC("raw_tracepoint/sys_enter")
int raw_sys_enter(struct bpf_raw_tracepoint_args *ctx)
{
	unsigned long id = ctx->args[1];

	if (id == 257) /* openat on x86-64 */
		bump(3);
	return 0;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(btf_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	u32 pid = next->pid;
	u64 *v;

	v = bpf_map_lookup_elem(&syscalls_seen, &pid);
	if (v)
		*v += prev->prio;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
