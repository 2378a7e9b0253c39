// SPDX-License-Identifier: MIT
/*
 * probes: the newer kprobe-type section names and user-space probes, as
 * libbpf-tools use them: ksyscall/kretsyscall (libbpf picks the syscall
 * wrapper), kprobe.multi with a glob, uprobe/uretprobe with and without a
 * binary path, a sleepable uprobe (uprobe.s), and a USDT probe through
 * <bpf/usdt.bpf.h>, whose spec and IP-to-spec maps and .rodata come from
 * that header. A string literal lands in .rodata.str1.1 (a map of its
 * own), and a map asks to be pinned by name.
 */
#include "vmlinux_min.h"
#include <linux/bpf.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/usdt.bpf.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, u32);
	__type(value, u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} probe_counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, char[64]);
} probe_buf SEC(".maps");

static __always_inline void count(u32 key)
{
	u64 one = 1, *v = bpf_map_lookup_elem(&probe_counts, &key);

	if (v)
		__sync_fetch_and_add(v, 1);
	else
		bpf_map_update_elem(&probe_counts, &key, &one, BPF_NOEXIST);
}

SEC("ksyscall/openat")
int BPF_KSYSCALL(sys_openat_entry, int dfd, const char *pathname, int flags)
{
	count(flags & 0xff);
	return 0;
}

SEC("kretsyscall/openat")
int BPF_KRETPROBE(sys_openat_exit, long ret)
{
	count(ret < 0 ? 1000 : 1001);
	return 0;
}

SEC("kprobe.multi/vfs_rea*")
int BPF_KPROBE(vfs_reads)
{
	count(2000);
	return 0;
}

SEC("uprobe")
int BPF_KPROBE(any_uprobe, const char *arg)
{
	u32 zero = 0;
	char *buf = bpf_map_lookup_elem(&probe_buf, &zero);

	if (!buf)
		return 0;
	bpf_probe_read_user_str(buf, 64, arg);
	/* A string literal clang keeps in .rodata.str1.1, read at a variable index. */
	if (buf[0] == "hello"[buf[1] & 3])
		count(3000);
	return 0;
}

SEC("uretprobe//bin/sh:main")
int BPF_KRETPROBE(sh_main_exit, int ret)
{
	count(3001 + (ret & 1));
	return 0;
}

SEC("uprobe.s//bin/sh:main")
int BPF_KPROBE(sh_main_sleepable, int argc, char **argv)
{
	char first[16];

	bpf_copy_from_user(first, sizeof(first), argv);
	count(3003);
	return 0;
}

SEC("usdt/libc.so.6:libc:setjmp")
int BPF_USDT(libc_setjmp, void *env, int savemask)
{
	count(4000 + (savemask & 1) + bpf_usdt_arg_cnt(ctx));
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
