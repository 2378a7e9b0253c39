/* SPDX-License-Identifier: MIT */
/*
 * src/helpers/table.c - the helper table (helper_defs.h) indexed by id, the
 * names of all the kernel's helpers, and the kernel's two generic sets of
 * helpers that program types build on (bpf_base_func_proto and
 * bpf_tracing_func_proto).
 */
#include <linux/bpf.h>
#include <stddef.h>

#include "helpers/helpers.h"

/* The table's ids are the kernel's. */
#define X(id, name) _Static_assert((id) == BPF_FUNC_##name, "helper id of " #name);
HELPERS(X)
#undef X

/* Direct index by id. */
static const struct bpfrt_helper_proto *const by_id[] = {
#define X(id, name) [id] = &helper_##name##_proto,
	HELPERS(X)
#undef X
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

const struct bpfrt_helper_proto *helpers_proto(uint32_t id)
{
	return id < ARRAY_SIZE(by_id) ? by_id[id] : NULL;
}

const struct bpfrt_helper_proto *bpfrt_kernel_helper(uint32_t id)
{
	return helpers_proto(id);
}

/*
 * The kernel's helper names, from its own list in <linux/bpf.h>. Since
 * Linux 6.1 each row carries its id (and the rows no commas); before, the
 * id is the position in the list.
 */
static const char *const kernel_names[] = {
#ifdef ___BPF_FUNC_MAPPER
#define X(name, id, ...) [id] = #name,
	___BPF_FUNC_MAPPER(X)
#else
#define X(name) [BPF_FUNC_##name] = #name
	__BPF_FUNC_MAPPER(X)
#endif
#undef X
};

/*
 * Helpers the kernel added after the oldest <linux/bpf.h> bpfrt builds
 * with (the kernel takes no new helpers since: new functions are kfuncs).
 */
static const struct {
	uint32_t id;
	const char *name;
} late_names[] = {
	{ 210, "cgrp_storage_get" },
	{ 211, "cgrp_storage_delete" },
};

const char *bpfrt_helper_name(uint32_t id)
{
	if (id == 0)
		return NULL; /* BPF_FUNC_unspec is no helper */
	if (id < ARRAY_SIZE(kernel_names) && kernel_names[id])
		return kernel_names[id];
	for (size_t i = 0; i < ARRAY_SIZE(late_names); i++)
		if (late_names[i].id == id)
			return late_names[i].name;
	return NULL;
}

/*
 * The kernel's generic helper sets, as far as bpfrt implements them. BASE:
 * bpf_base_func_proto() (kernel/bpf/helpers.c) for a privileged loader
 * (CAP_BPF and CAP_PERFMON). TRACING: what bpf_tracing_func_proto()
 * (kernel/trace/bpf_trace.c) adds, with the per-type helpers every tracing
 * type of kprobe/tracepoint kind has (perf_event_output, get_func_ip,
 * get_attach_cookie).
 */
#define HELPERS_BASE_SET(X)                                                        \
	X(map_lookup_elem) X(map_update_elem) X(map_delete_elem) X(map_push_elem)  \
	X(map_pop_elem) X(map_peek_elem) X(map_lookup_percpu_elem)                 \
	X(get_prandom_u32) X(get_smp_processor_id) X(get_numa_node_id)             \
	X(tail_call) X(ktime_get_ns) X(ktime_get_boot_ns) X(ktime_get_tai_ns)      \
	X(ringbuf_output) X(ringbuf_reserve) X(ringbuf_submit) X(ringbuf_discard)  \
	X(ringbuf_query) X(strncmp) X(strtol) X(strtoul) X(get_current_pid_tgid)   \
	X(spin_lock) X(spin_unlock) X(jiffies64) X(for_each_map_elem) X(loop)      \
	X(trace_printk) X(get_current_task) X(get_current_task_btf)                \
	X(probe_read_user) X(probe_read_kernel) X(probe_read_user_str)             \
	X(probe_read_kernel_str) X(snprintf) X(trace_vprintk)

#define HELPERS_TRACING_SET(X)                                                     \
	X(get_current_uid_gid) X(get_current_comm) X(probe_read) X(probe_read_str) \
	X(perf_event_output) X(get_func_ip) X(get_attach_cookie)

enum { SET_BASE = 1, SET_TRACING = 2 };

static const uint8_t sets[] = {
#define X(name) [BPF_FUNC_##name] = SET_BASE,
	HELPERS_BASE_SET(X)
#undef X
#define X(name) [BPF_FUNC_##name] = SET_TRACING,
	HELPERS_TRACING_SET(X)
#undef X
};

static const struct bpfrt_helper_proto *in_set(uint32_t id, bool gpl, unsigned int set)
{
	const struct bpfrt_helper_proto *p;

	if (id >= ARRAY_SIZE(sets) || !(sets[id] & set))
		return NULL;
	p = helpers_proto(id);
	if (p && (p->flags & BPFRT_HELPER_GPL_ONLY) && !gpl)
		return NULL;
	return p;
}

const struct bpfrt_helper_proto *helpers_base_proto(uint32_t id, bool gpl)
{
	return in_set(id, gpl, SET_BASE);
}

const struct bpfrt_helper_proto *helpers_tracing_proto(uint32_t id, bool gpl)
{
	return in_set(id, gpl, SET_BASE | SET_TRACING);
}
