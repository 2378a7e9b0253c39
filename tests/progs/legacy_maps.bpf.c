// SPDX-License-Identifier: MIT
/*
 * legacy_maps: the pre-BTF way. Maps are struct bpf_map_def records in the
 * "maps" section (libbpf 1.x removed both the struct and support for the
 * section, so the struct is defined here), the kernel version sits in a
 * "version" section, and the programs use the old bare section names.
 *
 * libbpf 1.x refuses to open this object. Its twin legacy_maps_btf.bpf.c
 * compiles the same programs with the same maps defined in .maps; the
 * comparison test checks bpfrt's view of this object against libbpf's view
 * of the twin.
 */
#include <linux/bpf.h>
#include <linux/version.h>
#include <bpf/bpf_helpers.h>

#ifdef LEGACY_AS_BTF
#define LEGACY_MAP(name, t, ks, vs, n, fl)   \
	struct {                              \
		__uint(type, t);              \
		__uint(key_size, ks);         \
		__uint(value_size, vs);       \
		__uint(max_entries, n);       \
		__uint(map_flags, fl);        \
	} name SEC(".maps")
#else
struct bpf_map_def {
	unsigned int type;
	unsigned int key_size;
	unsigned int value_size;
	unsigned int max_entries;
	unsigned int map_flags;
};
#define LEGACY_MAP(name, t, ks, vs, n, fl) \
	struct bpf_map_def SEC("maps") name = { t, ks, vs, n, fl }
#endif

LEGACY_MAP(legacy_counts, BPF_MAP_TYPE_ARRAY, sizeof(__u32), sizeof(__u64), 16, 0);
LEGACY_MAP(legacy_hash, BPF_MAP_TYPE_HASH, sizeof(__u32), sizeof(__u32), 1024,
	   BPF_F_NO_PREALLOC);
LEGACY_MAP(legacy_lru, BPF_MAP_TYPE_LRU_HASH, 8, 16, 256, 0);
LEGACY_MAP(legacy_progs, BPF_MAP_TYPE_PROG_ARRAY, sizeof(__u32), sizeof(__u32), 4, 0);

SEC("socket")
int legacy_sock(struct __sk_buff *skb)
{
	__u32 key = skb->protocol & 15, len = skb->len;
	__u64 *v = bpf_map_lookup_elem(&legacy_counts, &key);

	if (v)
		__sync_fetch_and_add(v, 1);
	bpf_map_update_elem(&legacy_hash, &key, &len, BPF_ANY);
	bpf_tail_call(skb, &legacy_progs, 0);
	return 0;
}

SEC("kprobe/vfs_read")
int legacy_kprobe(void *ctx)
{
	__u64 key = bpf_get_current_pid_tgid();
	__u64 val[2] = { bpf_ktime_get_ns(), 0 };

	bpf_map_update_elem(&legacy_lru, &key, val, BPF_ANY);
	return 0;
}

char _license[] SEC("license") = "GPL";
__u32 _version SEC("version") = LINUX_VERSION_CODE;
