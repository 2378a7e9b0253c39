/* SPDX-License-Identifier: MIT */
/*
 * src/progtypes/kern.h - bpfrt's kernel-side contexts: what r1 really
 * points at when a program of a packet or perf-event type runs, after its
 * accesses to the uapi struct were rewritten (progtype.h). The packet
 * helpers (src/helpers/net.c) work on these too.
 *
 * Only bpfrt's code lays these out; programs never see them except through
 * rewritten accesses, so the layout is free, but each field keeps the width
 * of its kernel counterpart: narrow loads of a uapi field that the kernel
 * reads from a narrower kernel field (a u16 behind a __u32) then give what
 * the kernel gives, quirks included.
 */
#ifndef BPFRT_PROGTYPES_KERN_H
#define BPFRT_PROGTYPES_KERN_H

#include <stddef.h>
#include <stdint.h>

/*
 * XDP: the kernel's struct xdp_buff plus what its rxq/txq pointers lead
 * to. One frame of `frame_sz` bytes:
 *
 *   data_hard_start                                     + frame_sz
 *   |<- headroom ->|<- meta ->|<---- packet ---->|       |<- tailroom ->|
 *   +--------------+----------+------------------+-------+--------------+
 *   | xdp_frame ...|          |                  | (grow)| shared info  |
 *   +--------------+----------+------------------+-------+--------------+
 *                  data_meta  data               data_end  hard end
 *
 * bpf_xdp_adjust_head/meta keep sizeof(struct xdp_frame) bytes at the
 * start; bpf_xdp_adjust_tail keeps the kernel's skb_shared_info tailroom.
 */
struct pt_xdp {
	uint8_t *data;            /*  0: xdp_md->data */
	uint8_t *data_end;        /*  8: xdp_md->data_end */
	uint8_t *data_meta;       /* 16: xdp_md->data_meta (== data: no metadata) */
	uint8_t *data_hard_start; /* 24 */
	uint32_t frame_sz;        /* 32 */
	uint32_t ingress_ifindex; /* 36: rxq->dev->ifindex */
	uint32_t rx_queue_index;  /* 40: rxq->queue_index */
	uint32_t egress_ifindex;  /* 44: txq->dev->ifindex (devmap programs) */
};

/* Kernel constants of the XDP frame (x86-64, Linux 6.x). */
#define PT_XDP_PACKET_HEADROOM 256 /* XDP_PACKET_HEADROOM */
#define PT_XDP_FRAME_HDR       40  /* sizeof(struct xdp_frame) */
#define PT_XDP_TAILROOM        320 /* SKB_DATA_ALIGN(sizeof(struct skb_shared_info)) */
#define PT_XDP_META_MAX        255 /* xdp_metalen_invalid(): u8 meta_len, multiple of 4 */
#define PT_PAGE_SIZE           4096

/*
 * The skb of the socket filter and tc types: struct sk_buff, its
 * qdisc_skb_cb (cb, tc_classid, wire_len) and skb_shared_info (gso, hw
 * timestamp) in one flat struct. What programs may write (through
 * rewritten stores) comes last, so checked engines can give them that part
 * only; the pointers stay out of reach. Offsets are bytes:
 *
 *     0 data           8 data_end       16 data_meta     24 head
 *    32 end           40 mac_header     48 network_header 56 hwtstamp
 *    64 len   68 skb_iif   72 ifindex   76 hash   80 napi_id   84 wire_len
 *    88 csum  92 vlan_proto  94 vlan_tci  (92: vlan_all, one u32)
 *    96 protocol  98 gso_segs  100 gso_size  102 pkt_type  103 tstamp_type
 *   104 ip_summed  105 csum_level  106 hash_flags
 *   --- writable by programs ---
 *   112 tstamp  120 mark  124 priority  128 cb[5] (20 bytes, 8-aligned)
 *   148 queue_mapping  150 tc_index  152 tc_classid
 *
 * `data` is where the program's view starts: the MAC header for tc, the
 * network header for socket filters (LD_ABS offsets count from it too);
 * `len` is data_end - data (bpfrt's skbs are linear).
 */
struct pt_skb {
	uint8_t *data;
	uint8_t *data_end;
	uint8_t *data_meta;
	uint8_t *head;
	uint8_t *end;
	uint8_t *mac_header;
	uint8_t *network_header;
	uint64_t hwtstamp;
	uint32_t len;
	uint32_t skb_iif;
	uint32_t ifindex;
	uint32_t hash;
	uint32_t napi_id;
	uint32_t wire_len;
	uint32_t csum;       /* __wsum for CHECKSUM_COMPLETE */
	uint16_t vlan_proto; /* big-endian */
	uint16_t vlan_tci;
	uint16_t protocol;   /* big-endian */
	uint16_t gso_segs;
	uint16_t gso_size;
	uint8_t pkt_type;    /* PACKET_HOST ... (3 bits in the kernel) */
	uint8_t tstamp_type;
	uint8_t ip_summed;   /* CHECKSUM_NONE ... */
	uint8_t csum_level;
	uint8_t hash_flags;  /* PT_SKB_L4_HASH | PT_SKB_SW_HASH */
	/* Writable by programs from here. */
	uint64_t tstamp __attribute__((aligned(8)));
	uint32_t mark;
	uint32_t priority;
	uint32_t cb[5];
	uint16_t queue_mapping;
	uint16_t tc_index;
	uint16_t tc_classid;
};

#define PT_SKB_WRITABLE offsetof(struct pt_skb, tstamp)

_Static_assert(offsetof(struct pt_skb, cb) % 8 == 0, "cb must be 8-byte aligned");
_Static_assert(offsetof(struct pt_skb, vlan_tci) == offsetof(struct pt_skb, vlan_proto) + 2,
	       "vlan_proto, vlan_tci form vlan_all");
_Static_assert(offsetof(struct pt_skb, vlan_proto) % 4 == 0, "vlan_all is a u32");
_Static_assert(offsetof(struct pt_skb, tstamp) == 112 && offsetof(struct pt_skb, tc_classid) == 152,
	       "layout drawn above");

/* skb->ip_summed */
#define PT_CHECKSUM_NONE        0
#define PT_CHECKSUM_UNNECESSARY 1
#define PT_CHECKSUM_COMPLETE    2
#define PT_CHECKSUM_PARTIAL     3
#define PT_SKB_MAX_CSUM_LEVEL   3

#define PT_SKB_L4_HASH 1
#define PT_SKB_SW_HASH 2

/*
 * The perf_event type: the kernel's bpf_perf_event_data_kern (a pointer to
 * the registers) with the sample's period and address inline.
 */
struct pt_perf_event {
	uint64_t *regs;         /* 0: struct pt_regs (bpf_user_pt_regs_t) */
	uint64_t sample_period; /* 8: data->period */
	uint64_t addr;          /* 16: data->addr */
};

/* sizeof(struct pt_regs) on x86-64: 21 registers. */
#define PT_REGS_SIZE 168

/*
 * x86-64's csum_partial(): a ones' complement sum of the buffer's
 * little-endian 64-bit words (the tail zero-padded) and the seed, folded
 * to 32 bits as (t + ror64(t, 32)) >> 32. Ones' complement addition does
 * not care about order, so one pass gives the bits of the kernel's
 * unrolled loops. bpf_csum_diff() returns values built from it, so the
 * bits matter, not only the folded checksum.
 */
static inline uint32_t pt_csum_partial(const void *buf, size_t len, uint32_t seed)
{
	const uint8_t *p = (const uint8_t *)buf;
	unsigned __int128 acc = seed;
	uint64_t t, w;

	for (; len >= 8; p += 8, len -= 8) {
		__builtin_memcpy(&w, p, 8);
		acc += w;
	}
	if (len) {
		w = 0;
		__builtin_memcpy(&w, p, len);
		acc += w;
	}
	while (acc >> 64)
		acc = (acc & UINT64_MAX) + (acc >> 64);
	t = (uint64_t)acc;
	return (uint32_t)((t + (t >> 32 | t << 32)) >> 32);
}

/* csum_fold(): the 16-bit checksum of a 32-bit partial sum. */
static inline uint16_t pt_csum_fold(uint32_t s)
{
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

#endif /* BPFRT_PROGTYPES_KERN_H */
