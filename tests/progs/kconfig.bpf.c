// SPDX-License-Identifier: MIT
/*
 * kconfig: .kconfig externs, which the loader resolves from the kernel
 * version and the kernel configuration into a read-only map. Covered: the
 * libbpf-provided LINUX_KERNEL_VERSION, an int option (CONFIG_HZ), bool and
 * tristate options, string options read as char arrays (one longer than
 * its array on most kernels: truncated, with a warning), weak externs
 * that no configuration sets (they read as zero), and externs of several
 * sizes, so the loader must lay them out in the map exactly as libbpf
 * does (sorted by alignment, then by name).
 */
#include <stdbool.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern unsigned int LINUX_KERNEL_VERSION __kconfig;
extern int CONFIG_HZ __kconfig __weak;
extern bool CONFIG_BPF_JIT __kconfig __weak;
extern bool CONFIG_BPF_SYSCALL __kconfig;
extern enum libbpf_tristate CONFIG_NET_CLS_BPF __kconfig __weak;
extern char CONFIG_LSM[64] __kconfig __weak; /* may be truncated, as libbpf warns */
extern char CONFIG_DEFAULT_HOSTNAME[16] __kconfig __weak;
extern unsigned long long CONFIG_NO_SUCH_OPTION_BPFRT __kconfig __weak;
extern unsigned char CONFIG_NO_SUCH_BYTE_BPFRT __kconfig __weak;
extern unsigned short CONFIG_NR_CPUS __kconfig __weak;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} kcfg_out SEC(".maps");

static __always_inline void put(__u32 k, __u64 v)
{
	bpf_map_update_elem(&kcfg_out, &k, &v, BPF_ANY);
}

SEC("socket")
int sock_kconfig(struct __sk_buff *skb)
{
	put(0, LINUX_KERNEL_VERSION);
	put(1, CONFIG_HZ);
	put(2, CONFIG_BPF_JIT | (CONFIG_BPF_SYSCALL << 1));
	put(3, CONFIG_NET_CLS_BPF);
	put(4, CONFIG_LSM[0] | (CONFIG_LSM[1] << 8) | (CONFIG_DEFAULT_HOSTNAME[1] << 16));
	put(5, CONFIG_NO_SUCH_OPTION_BPFRT + CONFIG_NO_SUCH_BYTE_BPFRT);
	put(6, CONFIG_NR_CPUS);
	if (LINUX_KERNEL_VERSION < KERNEL_VERSION(5, 8, 0))
		return 0;
	return skb->len;
}

char LICENSE[] SEC("license") = "GPL";
