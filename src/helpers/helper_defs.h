/* SPDX-License-Identifier: MIT */
/*
 * src/helpers/helper_defs.h - THE table of the helpers bpfrt implements:
 * one row X(id, name) per helper, id being the kernel's (BPF_FUNC_<name>),
 * and `const struct bpfrt_helper_proto helper_<name>_proto` its prototype
 * and function, defined in the file of its family. The verifier, the
 * checked engines, the program types and the CLI all read this table.
 *
 * Families: the generic helpers here (HELPERS_GENERIC), the packet helpers
 * of the network program types in net_defs.h (HELPERS_NET).
 *
 * Ids are written as numbers so this header needs no kernel header;
 * table.c checks every one against <linux/bpf.h>'s enum bpf_func_id.
 *
 * Which file defines each prototype:
 *   map.c     map_*_elem, for_each_map_elem, map_lookup_percpu_elem
 *   events.c  ringbuf_*, perf_event_output, trace_printk, trace_vprintk,
 *             snprintf (the formatter is bprintf.c)
 *   misc.c    clocks, prandom, cpu and numa ids, strings (strncmp,
 *             strtol, strtoul), loop, tail_call, spin locks,
 *             get_func_ip, get_attach_cookie
 *   task.c    get_current_*, probe_read*
 */
#ifndef BPFRT_HELPERS_HELPER_DEFS_H
#define BPFRT_HELPERS_HELPER_DEFS_H

#include "helpers/net_defs.h"

#define HELPERS_GENERIC(X)                 \
	X(1, map_lookup_elem)              \
	X(2, map_update_elem)              \
	X(3, map_delete_elem)              \
	X(4, probe_read)                   \
	X(5, ktime_get_ns)                 \
	X(6, trace_printk)                 \
	X(7, get_prandom_u32)              \
	X(8, get_smp_processor_id)         \
	X(12, tail_call)                   \
	X(14, get_current_pid_tgid)        \
	X(15, get_current_uid_gid)         \
	X(16, get_current_comm)            \
	X(25, perf_event_output)           \
	X(35, get_current_task)            \
	X(42, get_numa_node_id)            \
	X(45, probe_read_str)              \
	X(87, map_push_elem)               \
	X(88, map_pop_elem)                \
	X(89, map_peek_elem)               \
	X(93, spin_lock)                   \
	X(94, spin_unlock)                 \
	X(105, strtol)                     \
	X(106, strtoul)                    \
	X(112, probe_read_user)            \
	X(113, probe_read_kernel)          \
	X(114, probe_read_user_str)        \
	X(115, probe_read_kernel_str)      \
	X(118, jiffies64)                  \
	X(125, ktime_get_boot_ns)          \
	X(130, ringbuf_output)             \
	X(131, ringbuf_reserve)            \
	X(132, ringbuf_submit)             \
	X(133, ringbuf_discard)            \
	X(134, ringbuf_query)              \
	X(158, get_current_task_btf)       \
	X(160, ktime_get_coarse_ns)        \
	X(164, for_each_map_elem)          \
	X(165, snprintf)                   \
	X(173, get_func_ip)                \
	X(174, get_attach_cookie)          \
	X(177, trace_vprintk)              \
	X(181, loop)                       \
	X(182, strncmp)                    \
	X(195, map_lookup_percpu_elem)     \
	X(208, ktime_get_tai_ns)

#define HELPERS(X) HELPERS_GENERIC(X) HELPERS_NET(X)

#endif /* BPFRT_HELPERS_HELPER_DEFS_H */
