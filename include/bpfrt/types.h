/* SPDX-License-Identifier: MIT */
/*
 * bpfrt/types.h - program types and map types, with the
 * kernel's numeric values (include/uapi/linux/bpf.h) and the names bpftool
 * prints. Each list is declared once, here, as an X-macro.
 */
#ifndef BPFRT_TYPES_H
#define BPFRT_TYPES_H

#ifdef __cplusplus
extern "C" {
#endif

/* X(NAME, value, "name") */
#define BPFRT_PROG_TYPES(X)                                    \
	X(UNSPEC, 0, "unspec")                                  \
	X(SOCKET_FILTER, 1, "socket_filter")                    \
	X(KPROBE, 2, "kprobe")                                  \
	X(SCHED_CLS, 3, "sched_cls")                            \
	X(SCHED_ACT, 4, "sched_act")                            \
	X(TRACEPOINT, 5, "tracepoint")                          \
	X(XDP, 6, "xdp")                                        \
	X(PERF_EVENT, 7, "perf_event")                          \
	X(CGROUP_SKB, 8, "cgroup_skb")                          \
	X(CGROUP_SOCK, 9, "cgroup_sock")                        \
	X(LWT_IN, 10, "lwt_in")                                 \
	X(LWT_OUT, 11, "lwt_out")                               \
	X(LWT_XMIT, 12, "lwt_xmit")                             \
	X(SOCK_OPS, 13, "sock_ops")                             \
	X(SK_SKB, 14, "sk_skb")                                 \
	X(CGROUP_DEVICE, 15, "cgroup_device")                   \
	X(SK_MSG, 16, "sk_msg")                                 \
	X(RAW_TRACEPOINT, 17, "raw_tracepoint")                 \
	X(CGROUP_SOCK_ADDR, 18, "cgroup_sock_addr")             \
	X(LWT_SEG6LOCAL, 19, "lwt_seg6local")                   \
	X(LIRC_MODE2, 20, "lirc_mode2")                         \
	X(SK_REUSEPORT, 21, "sk_reuseport")                     \
	X(FLOW_DISSECTOR, 22, "flow_dissector")                 \
	X(CGROUP_SYSCTL, 23, "cgroup_sysctl")                   \
	X(RAW_TRACEPOINT_WRITABLE, 24, "raw_tracepoint_writable") \
	X(CGROUP_SOCKOPT, 25, "cgroup_sockopt")                 \
	X(TRACING, 26, "tracing")                               \
	X(STRUCT_OPS, 27, "struct_ops")                         \
	X(EXT, 28, "ext")                                       \
	X(LSM, 29, "lsm")                                       \
	X(SK_LOOKUP, 30, "sk_lookup")                           \
	X(SYSCALL, 31, "syscall")                               \
	X(NETFILTER, 32, "netfilter")

enum bpfrt_prog_type {
#define X(name, val, str) BPFRT_PROG_TYPE_##name = val,
	BPFRT_PROG_TYPES(X)
#undef X
};

/* X(NAME, value, "name") */
#define BPFRT_MAP_TYPES(X)                                     \
	X(UNSPEC, 0, "unspec")                                  \
	X(HASH, 1, "hash")                                      \
	X(ARRAY, 2, "array")                                    \
	X(PROG_ARRAY, 3, "prog_array")                          \
	X(PERF_EVENT_ARRAY, 4, "perf_event_array")              \
	X(PERCPU_HASH, 5, "percpu_hash")                        \
	X(PERCPU_ARRAY, 6, "percpu_array")                      \
	X(STACK_TRACE, 7, "stack_trace")                        \
	X(CGROUP_ARRAY, 8, "cgroup_array")                      \
	X(LRU_HASH, 9, "lru_hash")                              \
	X(LRU_PERCPU_HASH, 10, "lru_percpu_hash")               \
	X(LPM_TRIE, 11, "lpm_trie")                             \
	X(ARRAY_OF_MAPS, 12, "array_of_maps")                   \
	X(HASH_OF_MAPS, 13, "hash_of_maps")                     \
	X(DEVMAP, 14, "devmap")                                 \
	X(SOCKMAP, 15, "sockmap")                               \
	X(CPUMAP, 16, "cpumap")                                 \
	X(XSKMAP, 17, "xskmap")                                 \
	X(SOCKHASH, 18, "sockhash")                             \
	X(CGROUP_STORAGE, 19, "cgroup_storage")                 \
	X(REUSEPORT_SOCKARRAY, 20, "reuseport_sockarray")       \
	X(PERCPU_CGROUP_STORAGE, 21, "percpu_cgroup_storage")   \
	X(QUEUE, 22, "queue")                                   \
	X(STACK, 23, "stack")                                   \
	X(SK_STORAGE, 24, "sk_storage")                         \
	X(DEVMAP_HASH, 25, "devmap_hash")                       \
	X(STRUCT_OPS, 26, "struct_ops")                         \
	X(RINGBUF, 27, "ringbuf")                               \
	X(INODE_STORAGE, 28, "inode_storage")                   \
	X(TASK_STORAGE, 29, "task_storage")                     \
	X(BLOOM_FILTER, 30, "bloom_filter")                     \
	X(USER_RINGBUF, 31, "user_ringbuf")                     \
	X(CGRP_STORAGE, 32, "cgrp_storage")                     \
	X(ARENA, 33, "arena")

enum bpfrt_map_type {
#define X(name, val, str) BPFRT_MAP_TYPE_##name = val,
	BPFRT_MAP_TYPES(X)
#undef X
};

/* "xdp", "hash", ...; NULL for values outside the lists. */
const char *bpfrt_prog_type_name(enum bpfrt_prog_type type);
const char *bpfrt_map_type_name(enum bpfrt_map_type type);

#ifdef __cplusplus
}
#endif

#endif /* BPFRT_TYPES_H */
