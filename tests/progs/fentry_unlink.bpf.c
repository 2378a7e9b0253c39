// SPDX-License-Identifier: MIT
/*
 * fentry_unlink: BTF-typed tracing in the style of libbpf-bootstrap's
 * fentry example. fentry/fexit on do_unlinkat read the struct filename
 * argument directly (the verifier knows its type from the kernel's BTF),
 * fmod_ret is absent on purpose (do_unlinkat is not on the error-injection
 * list), and bpf_printk leaves its format strings in .rodata.
 */
#include "vmlinux_min.h"
#include <linux/bpf.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, u32);
	__type(value, u64);
} unlink_start SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, u32);
	__type(value, u64);
} unlink_totals SEC(".maps");

SEC("fentry/do_unlinkat")
int BPF_PROG(unlink_enter, int dfd, struct filename *name)
{
	u32 pid = bpf_get_current_pid_tgid() >> 32;
	u64 ts = bpf_ktime_get_ns();
	const char *s = BPF_CORE_READ(name, name);

	bpf_map_update_elem(&unlink_start, &pid, &ts, BPF_ANY);
	bpf_printk("unlink pid=%d name=%s", pid, s);
	return 0;
}

SEC("fexit/do_unlinkat")
int BPF_PROG(unlink_exit, int dfd, struct filename *name, long ret)
{
	u32 pid = bpf_get_current_pid_tgid() >> 32;
	u32 slot = ret ? 1 : 0;
	u64 *tsp, *total;

	tsp = bpf_map_lookup_elem(&unlink_start, &pid);
	if (!tsp)
		return 0;
	total = bpf_map_lookup_elem(&unlink_totals, &slot);
	if (total)
		__sync_fetch_and_add(total, bpf_ktime_get_ns() - *tsp);
	bpf_map_delete_elem(&unlink_start, &pid);
	bpf_printk("unlink done pid=%d ret=%ld", pid, ret);
	return 0;
}

SEC("fentry/vfs_read")
int BPF_PROG(read_enter, void *file, char *buf, u64 count)
{
	u32 slot = 0;
	u64 *total = bpf_map_lookup_elem(&unlink_totals, &slot);

	if (total && count > (1 << 20))
		*total += 1;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
