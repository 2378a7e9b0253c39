// SPDX-License-Identifier: MIT
/*
 * ksyms: kernel symbols and kernel functions, as newer libbpf-tools use
 * them. Typed __ksym variables (a per-CPU one read through
 * bpf_this_cpu_ptr, a plain one through bpf_per_cpu_ptr), a __weak ksym no
 * kernel has (resolves to address 0), kfunc calls (bpf_task_acquire /
 * bpf_task_release, bpf_rcu_read_lock / unlock) and a __weak kfunc no kernel
 * has, guarded by bpf_ksym_exists. libbpf resolves these against the
 * kernel's BTF; bpfrt keeps them (it runs no kernel code), so the
 * comparison matches them by name.
 */
#include "vmlinux_min.h"
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#ifndef bpf_ksym_exists
#define bpf_ksym_exists(sym) (!!&(sym))
#endif

extern const int bpf_prog_active __ksym;
extern const int bpfrt_no_such_ksym __ksym __weak;

struct task_struct *bpf_task_acquire(struct task_struct *p) __ksym;
void bpf_task_release(struct task_struct *p) __ksym;
void bpf_rcu_read_lock(void) __ksym;
void bpf_rcu_read_unlock(void) __ksym;
void bpfrt_no_such_kfunc(void) __ksym __weak;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, u32);
	__type(value, u64);
} ksym_out SEC(".maps");

static __always_inline void put(u32 k, u64 v)
{
	bpf_map_update_elem(&ksym_out, &k, &v, BPF_ANY);
}

SEC("tp_btf/sched_switch")
int BPF_PROG(ksym_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	const int *active = bpf_this_cpu_ptr(&bpf_prog_active);
	const int *cpu0 = bpf_per_cpu_ptr(&bpf_prog_active, 0);
	struct task_struct *t;

	put(0, *active);
	if (cpu0)
		put(1, *cpu0);
	if (bpf_ksym_exists(bpfrt_no_such_ksym))
		put(2, 1);
	t = bpf_task_acquire(next);
	if (t) {
		put(3, t->pid);
		bpf_task_release(t);
	}
	bpf_rcu_read_lock();
	if (bpf_ksym_exists(bpfrt_no_such_kfunc))
		bpfrt_no_such_kfunc();
	bpf_rcu_read_unlock();
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
