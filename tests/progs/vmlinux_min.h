/* SPDX-License-Identifier: MIT */
/*
 * tests/progs/vmlinux_min.h - the few kernel types the tracing programs of
 * the corpus read, written by hand in the style of libbpf-tools' minimal
 * headers (not generated from any kernel).
 *
 * Every struct carries preserve_access_index, so clang emits a CO-RE
 * relocation for each member access and the loader fixes the offsets up
 * against the target kernel's BTF. Only the members that are read are
 * declared; their order and the padding between them do not matter, which
 * is the point of CO-RE. Some members live inside anonymous unions or
 * structs in the real kernel (sock_common.skc_daddr, dentry.d_name) and are
 * declared flat here: matching must look through anonymous members.
 *
 * Defining __VMLINUX_H__ makes <bpf/bpf_tracing.h> use the kernel's
 * pt_regs member names (di, si, ...) rather than the user-space ones. The
 * pt_regs below is x86-64's, so the corpus is built for that target
 * whatever the host (on another kernel the relocations of its members
 * resolve as "absent" on both sides of a comparison alike).
 */
#ifndef BPFRT_TESTS_VMLINUX_MIN_H
#define BPFRT_TESTS_VMLINUX_MIN_H
#define __VMLINUX_H__
#ifndef __TARGET_ARCH_x86
#define __TARGET_ARCH_x86
#endif

#include <linux/types.h>

typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
typedef __s32 s32;
typedef __s64 s64;
typedef int pid_t;
typedef _Bool bool;
#define true 1
#define false 0

#pragma clang attribute push(__attribute__((preserve_access_index)), apply_to = record)

struct pt_regs {
	unsigned long r15, r14, r13, r12, bp, bx, r11, r10;
	unsigned long r9, r8, ax, cx, dx, si, di, orig_ax;
	unsigned long ip, cs, flags, sp, ss;
};

typedef struct {
	unsigned int val;
} kuid_t;

struct cred {
	kuid_t uid;
	kuid_t euid;
};

struct task_struct {
	unsigned int __state;
	unsigned int flags;
	int prio;
	pid_t pid;
	pid_t tgid;
	struct task_struct *real_parent;
	struct task_struct *group_leader;
	const struct cred *cred;
	char comm[16];
};

/* Kernels before 5.14 called __state `state` (and it was a long). */
struct task_struct___pre514 {
	long state;
};

struct filename {
	const char *name;
};

struct qstr {
	u32 hash;
	u32 len;
	const unsigned char *name;
};

struct dentry {
	struct dentry *d_parent;
	struct qstr d_name;
};

struct path {
	struct dentry *dentry;
};

struct file {
	struct path f_path;
	unsigned int f_flags;
};

struct sock_common {
	__be32 skc_daddr;
	__be32 skc_rcv_saddr;
	__be16 skc_dport;
	__u16 skc_num;
	unsigned short skc_family;
	unsigned char skc_reuse : 4;
	unsigned char skc_reuseport : 1;
};

struct sock {
	struct sock_common __sk_common;
};

/* A member no kernel has: its CO-RE relocations resolve to "absent". */
struct sock___fake {
	int sk_no_such_member;
};

struct trace_entry {
	unsigned short type;
	unsigned char flags;
	unsigned char preempt_count;
	int pid;
};

struct trace_event_raw_sys_enter {
	struct trace_entry ent;
	long id;
	unsigned long args[6];
};

struct trace_event_raw_sys_exit {
	struct trace_entry ent;
	long id;
	long ret;
};

struct trace_event_raw_sched_process_exec {
	struct trace_entry ent;
	u32 __data_loc_filename;
	pid_t pid;
	pid_t old_pid;
};

struct trace_event_raw_sched_switch {
	struct trace_entry ent;
	char prev_comm[16];
	pid_t prev_pid;
	int prev_prio;
	long prev_state;
	char next_comm[16];
	pid_t next_pid;
	int next_prio;
};

#pragma clang attribute pop

/* The perf_event program context (uapi, stable: no CO-RE needed). */
struct bpf_perf_event_data {
	struct pt_regs regs;
	__u64 sample_period;
	__u64 addr;
};

enum pid_type {
	PIDTYPE_PID,
	PIDTYPE_TGID,
	PIDTYPE_PGID,
	PIDTYPE_SID,
	PIDTYPE_MAX,
};

/* A flavour with a value no kernel has. */
enum pid_type___fake {
	PIDTYPE_NO_SUCH___fake = 42,
};

#endif /* BPFRT_TESTS_VMLINUX_MIN_H */
