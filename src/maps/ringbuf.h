/* SPDX-License-Identifier: MIT */
/*
 * src/maps/ringbuf.h - BPF_MAP_TYPE_RINGBUF, the program side: what the
 * helpers bpf_ringbuf_reserve/submit/discard/output/query call. The consumer
 * side is public (bpfrt_ringbuf__new() in include/bpfrt/map.h).
 *
 * Module prefix: ringbuf_. Semantics are those of kernel/bpf/ringbuf.c.
 *
 * Record layout. Every record starts with an 8-byte header and is padded so
 * that the next one starts 8-byte aligned:
 *
 *   bit 31   30   29 ............................. 0
 *      ┌────┬─────┬────────────────────────────────┐
 *   +0 │BUSY│DISC │ len: the sample's size in bytes │
 *      ├────┴─────┴────────────────────────────────┤
 *   +4 │ pg_off: 4 KiB units from the mapping start │
 *      ├───────────────────────────────────────────┤
 *   +8 │ sample: len bytes ... pad to 8            │
 *      └───────────────────────────────────────────┘
 *
 * BUSY is set while the record is reserved and not yet submitted or
 * discarded; the consumer stops at a busy record. DISCARD marks a record the
 * consumer skips. pg_off lets submit/discard find the ring from the sample
 * pointer alone, as the kernel's does.
 *
 * Positions. producer_pos and consumer_pos only grow (u64); a position p is
 * at data + (p & mask). The data area (max_entries bytes, a power of 2) is
 * mapped twice, back to back (a memfd mapped at two addresses, as the kernel
 * maps its pages twice), so that a record that wraps past the end is still
 * contiguous in memory, for programs and for the consumer alike:
 *
 *   area ─► ┌ meta page ┐┌──── data ────┐┌── data again ──┐
 *           │ ring ptr  ││ 0 ... mask   ││ 0 ... mask     │
 *           └───────────┘└──────────────┘└────────────────┘
 */
#ifndef BPFRT_MAPS_RINGBUF_H
#define BPFRT_MAPS_RINGBUF_H

#include <stdint.h>

#include "maps/map.h"

/* Header bits and size (the kernel's BPF_RINGBUF_*). */
#define RINGBUF_BUSY_BIT    (1U << 31)
#define RINGBUF_DISCARD_BIT (1U << 30)
#define RINGBUF_HDR_SZ      8U

/* Flags of submit/discard/output (BPF_RB_*). */
#define RINGBUF_NO_WAKEUP    (1U << 0)
#define RINGBUF_FORCE_WAKEUP (1U << 1)

/* What ringbuf_query() reports (BPF_RB_*). */
#define RINGBUF_AVAIL_DATA 0
#define RINGBUF_RING_SIZE  1
#define RINGBUF_CONS_POS   2
#define RINGBUF_PROD_POS   3

/*
 * bpf_ringbuf_reserve(): room for a `size`-byte sample, or NULL when flags
 * are not 0, the size is above the kernel's limit, or there is not enough
 * free space. The sample must be submitted or discarded. Safe from many
 * threads at once (producers serialise on a spin lock, as in the kernel).
 */
void *ringbuf_reserve(struct map *m, uint64_t size, uint64_t flags);

/*
 * bpf_ringbuf_submit() / bpf_ringbuf_discard(): hand the sample to the
 * consumer, or tell it to skip it. The consumer is woken when it has caught
 * up with this record, unless flags has RINGBUF_NO_WAKEUP; always with
 * RINGBUF_FORCE_WAKEUP.
 */
void ringbuf_submit(void *sample, uint64_t flags);
void ringbuf_discard(void *sample, uint64_t flags);

/*
 * bpf_ringbuf_output(): reserve, copy and submit. 0, -EINVAL for flags other
 * than the wakeup flags, -EAGAIN when there is no room.
 */
int ringbuf_output(struct map *m, const void *data, uint64_t size, uint64_t flags);

/* bpf_ringbuf_query(): one of RINGBUF_AVAIL_DATA..PROD_POS; 0 for others. */
uint64_t ringbuf_query(struct map *m, uint64_t flags);

#endif /* BPFRT_MAPS_RINGBUF_H */
