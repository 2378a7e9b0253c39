// SPDX-License-Identifier: MIT
/*
 * kprobe_open: an opensnoop in the style of bcc's libbpf-tools. The kprobe
 * on do_sys_openat2 remembers the file name pointer and flags per thread;
 * the kretprobe pairs them with the result and sends an event through a
 * ring buffer. The task's parent and credentials are read two ways: with
 * BPF_CORE_READ (CO-RE relocated probe reads) and with BPF_PROBE_READ (plain
 * offsets from this file's struct layout, no relocation) -- the second only
 * in the legacy-read program, which libbpf-tools use for old kernels.
 */
#include "vmlinux_min.h"
#include <linux/bpf.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#define NAME_MAX 255

struct args_t {
	const char *fname;
	int flags;
};

struct open_event {
	u64 ts;
	u32 pid;
	u32 ppid;
	u32 uid;
	int ret;
	int flags;
	char comm[16];
	char fname[NAME_MAX + 1];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, u32);
	__type(value, struct args_t);
} start SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} open_events SEC(".maps");

const volatile pid_t targ_tgid = 0;
const volatile bool targ_failed = false;

struct open_how_min {
	u64 flags;
	u64 mode;
	u64 resolve;
};

SEC("kprobe/do_sys_openat2")
int BPF_KPROBE(open_entry, int dfd, const char *filename, struct open_how_min *how)
{
	u64 id = bpf_get_current_pid_tgid();
	u32 tgid = id >> 32, tid = (u32)id;
	struct args_t args = {};

	if (targ_tgid && targ_tgid != (pid_t)tgid)
		return 0;
	args.fname = filename;
	bpf_probe_read_kernel(&args.flags, sizeof(args.flags), &how->flags);
	bpf_map_update_elem(&start, &tid, &args, BPF_ANY);
	return 0;
}

SEC("kretprobe/do_sys_openat2")
int BPF_KRETPROBE(open_exit, long ret)
{
	u64 id = bpf_get_current_pid_tgid();
	u32 tid = (u32)id;
	struct task_struct *task;
	struct open_event *e;
	struct args_t *ap;

	ap = bpf_map_lookup_elem(&start, &tid);
	if (!ap)
		return 0;
	if (targ_failed && ret >= 0)
		goto cleanup;
	e = bpf_ringbuf_reserve(&open_events, sizeof(*e), 0);
	if (!e)
		goto cleanup;
	task = (struct task_struct *)bpf_get_current_task();
	e->ts = bpf_ktime_get_ns();
	e->pid = id >> 32;
	e->ppid = BPF_CORE_READ(task, real_parent, tgid);
	e->uid = BPF_CORE_READ(task, cred, uid.val);
	e->ret = ret;
	e->flags = ap->flags;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_probe_read_user_str(e->fname, sizeof(e->fname), ap->fname);
	bpf_ringbuf_submit(e, 0);
cleanup:
	bpf_map_delete_elem(&start, &tid);
	return 0;
}

/* Non-CO-RE reads: offsets come from vmlinux_min.h as compiled. */
struct task_legacy {
	char pad[2400];
	struct task_legacy *real_parent;
	int tgid;
};

SEC("kprobe/do_unlinkat")
int BPF_KPROBE(unlink_entry_legacy, int dfd, struct filename *name)
{
	struct task_legacy *task = (struct task_legacy *)bpf_get_current_task();
	u64 key = BPF_PROBE_READ(task, real_parent, tgid);
	struct args_t args = { .flags = -1 };

	args.fname = BPF_CORE_READ(name, name);
	bpf_map_update_elem(&start, &key, &args, BPF_ANY);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
