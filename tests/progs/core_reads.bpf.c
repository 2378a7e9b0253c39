// SPDX-License-Identifier: MIT
/*
 * core_reads: every kind of CO-RE relocation libbpf resolves, against the
 * target kernel's BTF. Field byte offsets through pointers and through
 * members the kernel keeps in anonymous unions; field existence (true and
 * false) and size; bitfield reads (byte offset, size, left/right shifts,
 * signedness); type existence, size and kernel/local type ids; enum value
 * existence and value; type matches (clang 15 and later only); flavoured
 * types (task_struct___pre514) selected at run time. A relocation that
 * resolves to "absent" leaves a poisoned instruction in a branch the
 * verifier proves dead.
 */
#include "vmlinux_min.h"
#include <linux/bpf.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

struct core_out {
	u64 state;
	u32 daddr;
	u16 dport;
	u8 reuse;
	u8 reuseport;
	u32 fake;
	u32 field_size;
	u32 type_size;
	u32 flags;
	s64 pgid;
	u64 bits;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct core_out);
} core_results SEC(".maps");

static __always_inline struct core_out *out_slot(void)
{
	u32 zero = 0;

	return bpf_map_lookup_elem(&core_results, &zero);
}

SEC("kprobe/tcp_v4_connect")
int BPF_KPROBE(core_connect, struct sock *sk)
{
	struct core_out *o = out_slot();
	struct sock___fake *fk = (void *)sk;

	if (!o)
		return 0;
	o->daddr = BPF_CORE_READ(sk, __sk_common.skc_daddr);
	o->dport = BPF_CORE_READ(sk, __sk_common.skc_dport);
	o->reuse = BPF_CORE_READ_BITFIELD_PROBED(&sk->__sk_common, skc_reuse);
	o->reuseport = BPF_CORE_READ_BITFIELD_PROBED(&sk->__sk_common, skc_reuseport);
	if (bpf_core_field_exists(fk->sk_no_such_member))
		o->fake = BPF_CORE_READ(fk, sk_no_such_member);
	else
		o->fake = 0xfa4e;
	o->field_size = bpf_core_field_size(sk->__sk_common.skc_daddr);
	return 0;
}

SEC("raw_tp/sched_switch")
int BPF_PROG(core_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	struct task_struct___pre514 *old = (void *)prev;
	struct core_out *o = out_slot();

	if (!o)
		return 0;
	if (bpf_core_field_exists(prev->__state))
		o->state = BPF_CORE_READ(prev, __state);
	else
		o->state = BPF_CORE_READ(old, state);
	o->flags = BPF_CORE_READ(next, flags);
	o->type_size = bpf_core_type_size(struct task_struct);
	o->bits = bpf_core_type_exists(struct sock) |
		  bpf_core_type_exists(struct sock___fake) << 1 |
		  bpf_core_enum_value_exists(enum pid_type, PIDTYPE_SID) << 2 |
		  bpf_core_enum_value_exists(enum pid_type___fake, PIDTYPE_NO_SUCH___fake) << 3 |
		  bpf_core_field_exists(prev->group_leader) << 4;
	if (bpf_core_enum_value_exists(enum pid_type, PIDTYPE_PGID))
		o->pgid = bpf_core_enum_value(enum pid_type, PIDTYPE_PGID);
	else
		o->pgid = -1;
	o->bits |= (u64)bpf_core_type_id_kernel(struct task_struct) << 32;
	o->bits ^= bpf_core_type_id_local(struct cred) << 8;
#if __clang_major__ >= 15
	/* TYPE_MATCHES: here built only by the v4 compiler (clang 14 lacks it). */
	o->bits |= (u64)bpf_core_type_matches(struct trace_entry) << 5;
	o->bits |= (u64)bpf_core_type_matches(struct sock___fake) << 6;
#endif
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(core_exec, struct task_struct *p, pid_t old_pid)
{
	struct core_out *o = out_slot();

	if (!o)
		return 0;
	/* Direct BTF-typed reads, CO-RE relocated as plain field offsets. */
	o->state = p->real_parent->tgid;
	o->flags = p->cred->euid.val;
	bpf_probe_read_kernel(&o->field_size, sizeof(o->field_size), &p->pid);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
