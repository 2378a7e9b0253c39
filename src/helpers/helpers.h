/* SPDX-License-Identifier: MIT */
/*
 * src/helpers/helpers.h - the kernel's helper functions as bpfrt implements
 * them: one table (helper_defs.h) of id and prototype, and one file per
 * family of helpers.
 *
 * Module prefix: helpers_.
 */
#ifndef BPFRT_HELPERS_HELPERS_H
#define BPFRT_HELPERS_HELPERS_H

#include <stdbool.h>
#include <stdint.h>

#include "bpfrt/vm.h"
#include "helpers/helper_defs.h"

/* Every helper's prototype: helper_<name>_proto, defined in its family's file. */
#define X(id, name) extern const struct bpfrt_helper_proto helper_##name##_proto;
HELPERS(X)
#undef X

/*
 * Program-type variants of a table row (the kernel's bpf_xdp_event_output
 * and bpf_skb_event_output for BPF_FUNC_perf_event_output: samples may
 * carry packet bytes), returned by those types' func_proto.
 */
extern const struct bpfrt_helper_proto helper_xdp_event_output_proto;
extern const struct bpfrt_helper_proto helper_skb_event_output_proto;

/* The implemented helper `id` (= bpfrt_kernel_helper()), or NULL. */
const struct bpfrt_helper_proto *helpers_proto(uint32_t id);

/*
 * The kernel's bpf_base_func_proto(): helpers every program type may call
 * (maps, time, random, smp_processor_id, tail_call, spin locks, loop,
 * strings, ring buffers, snprintf, trace_printk, ...), GPL-only ones only
 * when `gpl`. NULL if `id` is not one of them.
 */
const struct bpfrt_helper_proto *helpers_base_proto(uint32_t id, bool gpl);

/*
 * The kernel's bpf_tracing_func_proto(): the base helpers plus those of
 * tracing programs (probe_read*, get_current_*, perf_event_output,
 * get_func_ip, get_attach_cookie, ...).
 */
const struct bpfrt_helper_proto *helpers_tracing_proto(uint32_t id, bool gpl);

#endif /* BPFRT_HELPERS_HELPERS_H */
