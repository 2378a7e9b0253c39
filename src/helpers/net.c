/* SPDX-License-Identifier: MIT */
/*
 * The packet helpers (net_defs.h) with the kernel's semantics
 * (net/core/filter.c, Linux 6.x): arguments checked in the same order,
 * the same errors, checksum arithmetic bit for bit as on x86-64. r1 is
 * the kernel-side context of src/progtypes/kern.h: struct pt_skb for the
 * skb helpers, struct pt_xdp for the XDP ones.
 *
 * bpfrt's skbs are linear, so the kernel's "make the first n bytes
 * writable" (bpf_try_make_writable) reduces to "n <= skb->len".
 *
 * Redirects are recorded in the run's hook (redirect_ifindex, _flags,
 * _map) for the embedder (test runs report them). bpfrt has no devmap,
 * cpumap or xskmap, so bpf_redirect_map() always finds no entry and
 * returns what the kernel returns then: the low bits of its flags (an XDP
 * action), after recording the map and key anyway; with BPF_F_BROADCAST it
 * returns XDP_REDIRECT, as the kernel's devmap would.
 */
#include <errno.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "core/core.h"
#include "exec/exec.h"
#include "helpers/helpers.h"
#include "maps/jhash.h"
#include "maps/map.h"
#include "progtypes/kern.h"

#define ETH_HLEN 14
#define CSUM_MANGLED_0 0xffff
/* ENOTSUPP: the kernel's internal "operation not supported" (maps/map.h). */

#define RET(v) ((uint64_t)(int64_t)(v))

/* ---- checksums, as the kernel computes them on x86-64 ---- */

static uint32_t csum_add(uint32_t a, uint32_t b)
{
	uint32_t r = a + b;

	return r + (r < b);
}

static uint32_t csum_sub(uint32_t a, uint32_t b)
{
	return csum_add(a, ~b);
}

/* A block's sum at an odd offset counts in the other byte lanes. */
static uint32_t csum_block_add(uint32_t csum, uint32_t csum2, uint32_t offset)
{
	return csum_add(csum, offset & 1 ? (csum2 >> 8 | csum2 << 24) : csum2);
}

static uint16_t csum16_add(uint16_t csum, uint16_t addend)
{
	uint16_t r = (uint16_t)(csum + addend);

	return (uint16_t)(r + (r < addend));
}

static uint16_t csum_from32to16(uint32_t s)
{
	s += (s >> 16) | (s << 16);
	return (uint16_t)(s >> 16);
}

/* The 16-bit checksum field at `p` (any alignment). */
static uint16_t get16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return v;
}

static void put16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, 2);
}

static void csum_replace_by_diff(uint8_t *sum, uint32_t diff)
{
	put16(sum, pt_csum_fold(csum_add(diff, ~(uint32_t)get16(sum))));
}

static void csum_replace2(uint8_t *sum, uint16_t from, uint16_t to)
{
	put16(sum, (uint16_t)~csum16_add(csum16_add((uint16_t)~get16(sum), (uint16_t)~from), to));
}

static void csum_replace4(uint8_t *sum, uint32_t from, uint32_t to)
{
	uint32_t tmp = csum_sub(~(uint32_t)get16(sum), from);

	put16(sum, pt_csum_fold(csum_add(tmp, to)));
}

static void proto_csum_replace4(uint8_t *sum, struct pt_skb *skb, uint32_t from, uint32_t to,
				bool pseudo)
{
	if (skb->ip_summed != PT_CHECKSUM_PARTIAL) {
		csum_replace4(sum, from, to);
		if (skb->ip_summed == PT_CHECKSUM_COMPLETE && pseudo)
			skb->csum = ~csum_add(csum_sub(~skb->csum, from), to);
	} else if (pseudo) {
		put16(sum, (uint16_t)~pt_csum_fold(csum_add(csum_sub(get16(sum), from), to)));
	}
}

static void proto_csum_replace_by_diff(uint8_t *sum, struct pt_skb *skb, uint32_t diff,
				       bool pseudo, bool ipv6)
{
	if (skb->ip_summed != PT_CHECKSUM_PARTIAL) {
		csum_replace_by_diff(sum, diff);
		if (skb->ip_summed == PT_CHECKSUM_COMPLETE && pseudo && !ipv6)
			skb->csum = ~csum_sub(diff, skb->csum);
	} else if (pseudo) {
		put16(sum, (uint16_t)~pt_csum_fold(csum_add(diff, get16(sum))));
	}
}

/* ---- skb ---- */

/* bpf_try_make_writable(skb, n) of a linear skb. */
static bool skb_writable(const struct pt_skb *skb, uint64_t n)
{
	return n <= skb->len;
}

static void skb_clear_hash(struct pt_skb *skb)
{
	skb->hash = 0;
	skb->hash_flags = 0;
}

static uint64_t skb_store_bytes(uint64_t r1, uint64_t offset, uint64_t from, uint64_t len,
				uint64_t flags, struct bpfrt_run *run)
{
	struct pt_skb *skb = (struct pt_skb *)(uintptr_t)r1;
	uint32_t off = (uint32_t)offset, n = (uint32_t)len;
	uint8_t *ptr;

	(void)run;
	if (flags & ~(uint64_t)(BPF_F_RECOMPUTE_CSUM | BPF_F_INVALIDATE_HASH))
		return RET(-EINVAL);
	if (off > INT32_MAX || !skb_writable(skb, (uint64_t)off + n))
		return RET(-EFAULT);
	ptr = skb->data + off;
	/* __skb_postpull_rcsum(), then __skb_postpush_rcsum() */
	if ((flags & BPF_F_RECOMPUTE_CSUM) && skb->ip_summed == PT_CHECKSUM_COMPLETE)
		skb->csum = csum_block_add(skb->csum, ~pt_csum_partial(ptr, n, 0), off);
	memmove(ptr, (const void *)(uintptr_t)from, n);
	if ((flags & BPF_F_RECOMPUTE_CSUM) && skb->ip_summed == PT_CHECKSUM_COMPLETE)
		skb->csum = csum_block_add(skb->csum, pt_csum_partial(ptr, n, 0), off);
	if (flags & BPF_F_INVALIDATE_HASH)
		skb_clear_hash(skb);
	return 0;
}

static uint64_t skb_load_bytes(uint64_t r1, uint64_t offset, uint64_t to, uint64_t len,
			       uint64_t r5, struct bpfrt_run *run)
{
	const struct pt_skb *skb = (const struct pt_skb *)(uintptr_t)r1;
	uint32_t off = (uint32_t)offset, n = (uint32_t)len;
	void *dst = (void *)(uintptr_t)to;

	(void)r5, (void)run;
	if (off <= INT32_MAX && (uint64_t)off + n <= skb->len) {
		memcpy(dst, skb->data + off, n);
		return 0;
	}
	memset(dst, 0, n);
	return RET(-EFAULT);
}

static uint64_t skb_load_bytes_relative(uint64_t r1, uint64_t offset, uint64_t to, uint64_t len,
					uint64_t start_header, struct bpfrt_run *run)
{
	const struct pt_skb *skb = (const struct pt_skb *)(uintptr_t)r1;
	uint32_t off = (uint32_t)offset, n = (uint32_t)len;
	void *dst = (void *)(uintptr_t)to;
	const uint8_t *start = NULL;

	(void)run;
	if (off <= 0xffff) {
		if ((uint32_t)start_header == BPF_HDR_START_MAC)
			start = skb->mac_header;
		else if ((uint32_t)start_header == BPF_HDR_START_NET)
			start = skb->network_header;
	}
	if (start && (uint64_t)(start - skb->head) + off + n <= (uint64_t)(skb->data_end - skb->head)) {
		memcpy(dst, start + off, n);
		return 0;
	}
	memset(dst, 0, n);
	return RET(-EFAULT);
}

static uint64_t skb_pull_data(uint64_t r1, uint64_t len, uint64_t r3, uint64_t r4, uint64_t r5,
			      struct bpfrt_run *run)
{
	const struct pt_skb *skb = (const struct pt_skb *)(uintptr_t)r1;

	(void)r3, (void)r4, (void)r5, (void)run;
	return skb_writable(skb, (uint32_t)len) ? 0 : RET(-ENOMEM);
}

static uint64_t l3_csum_replace(uint64_t r1, uint64_t offset, uint64_t from, uint64_t to,
				uint64_t flags, struct bpfrt_run *run)
{
	struct pt_skb *skb = (struct pt_skb *)(uintptr_t)r1;
	uint32_t off = (uint32_t)offset;
	uint8_t *ptr;

	(void)run;
	if (flags & ~(uint64_t)BPF_F_HDR_FIELD_MASK)
		return RET(-EINVAL);
	if (off > 0xffff || off & 1 || !skb_writable(skb, off + 2))
		return RET(-EFAULT);
	ptr = skb->data + off;
	switch (flags & BPF_F_HDR_FIELD_MASK) {
	case 0:
		if (from)
			return RET(-EINVAL);
		csum_replace_by_diff(ptr, (uint32_t)to);
		break;
	case 2:
		csum_replace2(ptr, (uint16_t)from, (uint16_t)to);
		break;
	case 4:
		csum_replace4(ptr, (uint32_t)from, (uint32_t)to);
		break;
	default:
		return RET(-EINVAL);
	}
	return 0;
}

static uint64_t l4_csum_replace(uint64_t r1, uint64_t offset, uint64_t from, uint64_t to,
				uint64_t flags, struct bpfrt_run *run)
{
	struct pt_skb *skb = (struct pt_skb *)(uintptr_t)r1;
	bool pseudo = flags & BPF_F_PSEUDO_HDR, mmzero = flags & BPF_F_MARK_MANGLED_0;
	bool mforce = flags & BPF_F_MARK_ENFORCE, ipv6 = flags & BPF_F_IPV6;
	uint32_t off = (uint32_t)offset;
	uint8_t *ptr;

	(void)run;
	if (flags & ~(uint64_t)(BPF_F_MARK_MANGLED_0 | BPF_F_MARK_ENFORCE | BPF_F_PSEUDO_HDR |
				BPF_F_HDR_FIELD_MASK | BPF_F_IPV6))
		return RET(-EINVAL);
	if (off > 0xffff || off & 1 || !skb_writable(skb, off + 2))
		return RET(-EFAULT);
	ptr = skb->data + off;
	if (mmzero && !mforce && !get16(ptr))
		return 0;
	switch (flags & BPF_F_HDR_FIELD_MASK) {
	case 0:
		if (from)
			return RET(-EINVAL);
		proto_csum_replace_by_diff(ptr, skb, (uint32_t)to, pseudo, ipv6);
		break;
	case 2:
		proto_csum_replace4(ptr, skb, (uint16_t)from, (uint16_t)to, pseudo);
		break;
	case 4:
		proto_csum_replace4(ptr, skb, (uint32_t)from, (uint32_t)to, pseudo);
		break;
	default:
		return RET(-EINVAL);
	}
	if (mmzero && !get16(ptr))
		put16(ptr, CSUM_MANGLED_0);
	return 0;
}

/*
 * Since Linux 6.13 the same on every architecture: sums of the two
 * buffers folded to 16 bits (not complemented), any sizes (the kernel
 * dropped the multiple-of-4 and 512-byte checks with its scratch pad).
 */
static uint64_t csum_diff(uint64_t from, uint64_t from_size, uint64_t to, uint64_t to_size,
			  uint64_t seed, struct bpfrt_run *run)
{
	uint32_t fs = (uint32_t)from_size, ts = (uint32_t)to_size, ret = (uint32_t)seed;
	const void *f = (const void *)(uintptr_t)from, *t = (const void *)(uintptr_t)to;

	(void)run;
	if ((!f && fs) || (!t && ts))
		return RET(-EINVAL); /* the verifier refuses it: a NULL buffer has no bytes */
	if (fs && ts)
		ret = csum_sub(pt_csum_partial(t, ts, ret), pt_csum_partial(f, fs, 0));
	else if (ts)
		ret = pt_csum_partial(t, ts, ret);
	else if (fs)
		ret = ~pt_csum_partial(f, fs, ~ret);
	return csum_from32to16(ret);
}

static uint64_t csum_update(uint64_t r1, uint64_t csum, uint64_t r3, uint64_t r4, uint64_t r5,
			    struct bpfrt_run *run)
{
	struct pt_skb *skb = (struct pt_skb *)(uintptr_t)r1;

	(void)r3, (void)r4, (void)r5, (void)run;
	if (skb->ip_summed == PT_CHECKSUM_COMPLETE)
		return skb->csum = csum_add(skb->csum, (uint32_t)csum);
	return RET(-ENOTSUPP);
}

static uint64_t csum_level(uint64_t r1, uint64_t level, uint64_t r3, uint64_t r4, uint64_t r5,
			   struct bpfrt_run *run)
{
	struct pt_skb *skb = (struct pt_skb *)(uintptr_t)r1;
	bool unnecessary = skb->ip_summed == PT_CHECKSUM_UNNECESSARY;

	(void)r3, (void)r4, (void)r5, (void)run;
	switch (level) {
	case BPF_CSUM_LEVEL_INC:
		if (unnecessary && skb->csum_level < PT_SKB_MAX_CSUM_LEVEL) {
			skb->csum_level++;
		} else if (skb->ip_summed == PT_CHECKSUM_NONE) {
			skb->ip_summed = PT_CHECKSUM_UNNECESSARY;
			skb->csum_level = 0;
		}
		return 0;
	case BPF_CSUM_LEVEL_DEC:
		if (unnecessary && !skb->csum_level)
			skb->ip_summed = PT_CHECKSUM_NONE;
		else if (unnecessary)
			skb->csum_level--;
		return 0;
	case BPF_CSUM_LEVEL_RESET:
		if (unnecessary) {
			skb->ip_summed = PT_CHECKSUM_NONE;
			skb->csum_level = 0;
		}
		return 0;
	case BPF_CSUM_LEVEL_QUERY:
		return unnecessary ? skb->csum_level : RET(-EACCES);
	default:
		return RET(-EINVAL);
	}
}

/*
 * The flow hash when none is set. The kernel keys its flow hash with a
 * secret drawn at boot (siphash of the dissected flow); bpfrt hashes the
 * same fields (addresses, protocol, ports) with jhash and a fixed seed, so
 * values are stable across runs but not the kernel's.
 */
static uint32_t flow_hash(const struct pt_skb *skb, bool *l4)
{
	const uint8_t *nh = skb->network_header, *end = skb->data_end;
	uint32_t key[10] = { skb->protocol };
	unsigned int proto = 0, hlen = 0, n = 1;

	*l4 = false;
	if (skb->protocol == 0x0008 /* htons(ETH_P_IP) */ && end - nh >= 20) {
		memcpy(&key[1], nh + 12, 8);
		proto = nh[9];
		hlen = (nh[0] & 15u) * 4;
		n = 3;
		if (nh[6] & 0x3f || nh[7]) /* a fragment: no ports */
			proto = 0;
	} else if (skb->protocol == 0xdd86 /* htons(ETH_P_IPV6) */ && end - nh >= 40) {
		memcpy(&key[1], nh + 8, 32);
		proto = nh[6];
		hlen = 40;
		n = 9;
	}
	key[n++] = proto;
	if ((proto == 6 || proto == 17) && hlen >= 20 && end - nh >= (ptrdiff_t)hlen + 4) {
		memcpy(&key[n++], nh + hlen, 4);
		*l4 = true;
	}
	return jhash2(key, n, 0x62706672 /* "bpfr" */);
}

static uint64_t get_hash_recalc(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
				struct bpfrt_run *run)
{
	struct pt_skb *skb = (struct pt_skb *)(uintptr_t)r1;

	(void)r2, (void)r3, (void)r4, (void)r5, (void)run;
	if (!skb->hash_flags) {
		bool l4;

		skb->hash = flow_hash(skb, &l4);
		skb->hash_flags = l4 ? PT_SKB_L4_HASH : 0;
		if (!skb->hash_flags && !skb->hash)
			skb->hash = 1; /* the kernel's __flow_hash_from_keys never returns 0 */
	}
	return skb->hash;
}

static uint64_t set_hash_invalid(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4,
				 uint64_t r5, struct bpfrt_run *run)
{
	(void)r2, (void)r3, (void)r4, (void)r5, (void)run;
	skb_clear_hash((struct pt_skb *)(uintptr_t)r1);
	return 0;
}

static uint64_t set_hash(uint64_t r1, uint64_t hash, uint64_t r3, uint64_t r4, uint64_t r5,
			 struct bpfrt_run *run)
{
	struct pt_skb *skb = (struct pt_skb *)(uintptr_t)r1;

	(void)r3, (void)r4, (void)r5, (void)run;
	skb->hash = (uint32_t)hash;
	skb->hash_flags = PT_SKB_L4_HASH | PT_SKB_SW_HASH;
	return 0;
}

/* ---- redirects ---- */

static uint64_t redirect(uint64_t ifindex, uint64_t flags, uint64_t r3, uint64_t r4, uint64_t r5,
			 struct bpfrt_run *run)
{
	(void)r3, (void)r4, (void)r5;
	if (run->prog->type == BPFRT_PROG_TYPE_XDP) {
		if (flags)
			return XDP_ABORTED;
	} else if (flags & ~(uint64_t)BPF_F_INGRESS) {
		return RET(TC_ACT_SHOT);
	}
	run->hook->redirect_ifindex = (uint32_t)ifindex;
	run->hook->redirect_flags = flags;
	run->hook->redirect_map = NULL;
	return run->prog->type == BPFRT_PROG_TYPE_XDP ? XDP_REDIRECT : TC_ACT_REDIRECT;
}

static uint64_t redirect_map(uint64_t map, uint64_t key, uint64_t flags, uint64_t r4, uint64_t r5,
			     struct bpfrt_run *run)
{
	const uint64_t actions = XDP_ABORTED | XDP_DROP | XDP_PASS | XDP_TX;

	(void)r4, (void)r5;
	if (flags & ~(actions | BPF_F_BROADCAST | BPF_F_EXCLUDE_INGRESS))
		return XDP_ABORTED;
	run->hook->redirect_map = (void *)(uintptr_t)map;
	run->hook->redirect_ifindex = (uint32_t)key;
	run->hook->redirect_flags = flags;
	return flags & BPF_F_BROADCAST ? XDP_REDIRECT : flags & actions;
}

/* ---- XDP ---- */

/* Offsets from data_hard_start: pointer comparisons stay defined. */
static int64_t xoff(const struct pt_xdp *x, const uint8_t *p)
{
	return (int64_t)((uintptr_t)p - (uintptr_t)x->data_hard_start);
}

static uint64_t xdp_adjust_head(uint64_t r1, uint64_t offset, uint64_t r3, uint64_t r4,
				uint64_t r5, struct bpfrt_run *run)
{
	struct pt_xdp *x = (struct pt_xdp *)(uintptr_t)r1;
	int32_t delta = (int32_t)offset;
	int64_t meta = xoff(x, x->data_meta), data = xoff(x, x->data), end = xoff(x, x->data_end);
	int64_t metalen = meta <= data ? data - meta : 0, nd = data + delta;

	(void)r3, (void)r4, (void)r5, (void)run;
	if (nd < PT_XDP_FRAME_HDR + metalen || nd > end - ETH_HLEN)
		return RET(-EINVAL);
	if (metalen)
		memmove(x->data_meta + delta, x->data_meta, (size_t)metalen);
	x->data_meta += delta;
	x->data += delta;
	return 0;
}

static uint64_t xdp_adjust_tail(uint64_t r1, uint64_t offset, uint64_t r3, uint64_t r4,
				uint64_t r5, struct bpfrt_run *run)
{
	struct pt_xdp *x = (struct pt_xdp *)(uintptr_t)r1;
	int32_t delta = (int32_t)offset;
	int64_t ne = xoff(x, x->data_end) + delta;

	(void)r3, (void)r4, (void)r5, (void)run;
	if (ne > (int64_t)x->frame_sz - PT_XDP_TAILROOM || ne < xoff(x, x->data) + ETH_HLEN)
		return RET(-EINVAL);
	if (delta > 0)
		memset(x->data_end, 0, (size_t)delta); /* the kernel clears what it grows */
	x->data_end += delta;
	return 0;
}

static uint64_t xdp_adjust_meta(uint64_t r1, uint64_t offset, uint64_t r3, uint64_t r4,
				uint64_t r5, struct bpfrt_run *run)
{
	struct pt_xdp *x = (struct pt_xdp *)(uintptr_t)r1;
	int64_t meta = xoff(x, x->data_meta) + (int32_t)offset, data = xoff(x, x->data);

	(void)r3, (void)r4, (void)r5, (void)run;
	if (x->data_meta > x->data)
		return RET(-ENOTSUPP);
	if (meta < PT_XDP_FRAME_HDR || meta > data)
		return RET(-EINVAL);
	if ((data - meta) % 4 || data - meta > PT_XDP_META_MAX)
		return RET(-EACCES);
	x->data_meta = x->data_hard_start + meta;
	return 0;
}

static uint64_t xdp_get_buff_len(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
				 struct bpfrt_run *run)
{
	const struct pt_xdp *x = (const struct pt_xdp *)(uintptr_t)r1;

	(void)r2, (void)r3, (void)r4, (void)r5, (void)run;
	return (uint64_t)(x->data_end - x->data);
}

/* bpf_xdp_pointer() of a linear buffer: the bytes, or an error. */
static int xdp_pointer(const struct pt_xdp *x, uint64_t offset, uint64_t len, uint8_t **p)
{
	uint32_t off = (uint32_t)offset, n = (uint32_t)len;

	if (off > 0xffff || n > 0xffff)
		return -EFAULT;
	if ((uint64_t)off + n > (uint64_t)(x->data_end - x->data))
		return -EINVAL;
	*p = x->data + off;
	return 0;
}

static uint64_t xdp_load_bytes(uint64_t r1, uint64_t offset, uint64_t buf, uint64_t len,
			       uint64_t r5, struct bpfrt_run *run)
{
	uint8_t *p;
	int err = xdp_pointer((const struct pt_xdp *)(uintptr_t)r1, offset, len, &p);

	(void)r5, (void)run;
	if (err)
		return RET(err);
	memcpy((void *)(uintptr_t)buf, p, (uint32_t)len);
	return 0;
}

static uint64_t xdp_store_bytes(uint64_t r1, uint64_t offset, uint64_t buf, uint64_t len,
				uint64_t r5, struct bpfrt_run *run)
{
	uint8_t *p;
	int err = xdp_pointer((const struct pt_xdp *)(uintptr_t)r1, offset, len, &p);

	(void)r5, (void)run;
	if (err)
		return RET(err);
	memmove(p, (const void *)(uintptr_t)buf, (uint32_t)len);
	return 0;
}

/* ---- prototypes ---- */

#define A(t) BPFRT_ARG_##t
#define PKT_ACCESS BPFRT_HELPER_PKT_ACCESS
#define PKT_CHANGE BPFRT_HELPER_PKT_CHANGE
#define PROTO(nm, r, a1, a2, a3, a4, a5, fl)                                               \
	const struct bpfrt_helper_proto helper_##nm##_proto = {                           \
		.name = #nm, .fn = nm, .ret = BPFRT_RET_##r,                              \
		.args = { A(a1), A(a2), A(a3), A(a4), A(a5) }, .flags = (fl),            \
	};

PROTO(skb_store_bytes, INTEGER, PTR_TO_CTX, ANYTHING, PTR_TO_MEM, CONST_SIZE, ANYTHING, PKT_CHANGE)
PROTO(skb_load_bytes, INTEGER, PTR_TO_CTX, ANYTHING, PTR_TO_UNINIT_MEM, CONST_SIZE, NONE, 0)
PROTO(skb_load_bytes_relative, INTEGER, PTR_TO_CTX, ANYTHING, PTR_TO_UNINIT_MEM, CONST_SIZE,
      ANYTHING, 0)
PROTO(skb_pull_data, INTEGER, PTR_TO_CTX, ANYTHING, NONE, NONE, NONE, PKT_CHANGE)
PROTO(l3_csum_replace, INTEGER, PTR_TO_CTX, ANYTHING, ANYTHING, ANYTHING, ANYTHING, PKT_CHANGE)
PROTO(l4_csum_replace, INTEGER, PTR_TO_CTX, ANYTHING, ANYTHING, ANYTHING, ANYTHING, PKT_CHANGE)
PROTO(csum_diff, INTEGER, PTR_TO_MEM_OR_NULL, CONST_SIZE_OR_ZERO, PTR_TO_MEM_OR_NULL,
      CONST_SIZE_OR_ZERO, ANYTHING, PKT_ACCESS)
PROTO(csum_update, INTEGER, PTR_TO_CTX, ANYTHING, NONE, NONE, NONE, 0)
PROTO(csum_level, INTEGER, PTR_TO_CTX, ANYTHING, NONE, NONE, NONE, 0)
PROTO(get_hash_recalc, INTEGER, PTR_TO_CTX, NONE, NONE, NONE, NONE, 0)
PROTO(set_hash_invalid, VOID, PTR_TO_CTX, NONE, NONE, NONE, NONE, 0)
PROTO(set_hash, INTEGER, PTR_TO_CTX, ANYTHING, NONE, NONE, NONE, 0)
PROTO(redirect, INTEGER, ANYTHING, ANYTHING, NONE, NONE, NONE, 0)
PROTO(redirect_map, INTEGER, CONST_MAP_PTR, ANYTHING, ANYTHING, NONE, NONE, 0)
PROTO(xdp_adjust_head, INTEGER, PTR_TO_CTX, ANYTHING, NONE, NONE, NONE, PKT_CHANGE)
PROTO(xdp_adjust_tail, INTEGER, PTR_TO_CTX, ANYTHING, NONE, NONE, NONE, PKT_CHANGE)
PROTO(xdp_adjust_meta, INTEGER, PTR_TO_CTX, ANYTHING, NONE, NONE, NONE, PKT_CHANGE)
PROTO(xdp_get_buff_len, INTEGER, PTR_TO_CTX, NONE, NONE, NONE, NONE, 0)
PROTO(xdp_load_bytes, INTEGER, PTR_TO_CTX, ANYTHING, PTR_TO_UNINIT_MEM, CONST_SIZE, NONE, 0)
PROTO(xdp_store_bytes, INTEGER, PTR_TO_CTX, ANYTHING, PTR_TO_MEM, CONST_SIZE, NONE, 0)

#undef PROTO
#undef PKT_CHANGE
#undef PKT_ACCESS
#undef A

/* ---- perf samples with packet bytes ---- */

/*
 * bpf_perf_event_output() of XDP and skb programs (the kernel's
 * bpf_xdp_event_output / bpf_skb_event_output): besides `size` bytes of
 * data, the upper 32 bits of flags (BPF_F_CTXLEN_MASK) ask for that many
 * bytes of the packet, from its start, appended to the sample.
 */
static uint64_t event_output(struct bpfrt_run *run, uint64_t map, uint64_t flags,
			     const void *data, uint64_t size, const uint8_t *pkt, uint64_t pkt_len)
{
	uint64_t ctx_len = (flags & BPF_F_CTXLEN_MASK) >> 32;
	uint8_t *buf;
	int err;

	struct map *m = (struct map *)(uintptr_t)map;

	if (flags & ~(BPF_F_CTXLEN_MASK | BPF_F_INDEX_MASK))
		return RET(-EINVAL);
	if (ctx_len > pkt_len)
		return RET(-EFAULT);
	if (!ctx_len)
		return RET(map_perf_event_output(m, run->cpu, flags, data, size));
	buf = core_malloc(size + ctx_len);
	if (!buf)
		return RET(-ENOMEM);
	memcpy(buf, data, size);
	memcpy(buf + size, pkt, ctx_len);
	err = map_perf_event_output(m, run->cpu, flags & BPF_F_INDEX_MASK, buf, size + ctx_len);
	core_free(buf);
	return RET(err);
}

static uint64_t xdp_event_output(uint64_t r1, uint64_t map, uint64_t flags, uint64_t data,
				 uint64_t size, struct bpfrt_run *run)
{
	const struct pt_xdp *x = (const struct pt_xdp *)(uintptr_t)r1;

	return event_output(run, map, flags, (const void *)(uintptr_t)data, size, x->data,
			    (uint64_t)(x->data_end - x->data));
}

static uint64_t skb_event_output(uint64_t r1, uint64_t map, uint64_t flags, uint64_t data,
				 uint64_t size, struct bpfrt_run *run)
{
	const struct pt_skb *skb = (const struct pt_skb *)(uintptr_t)r1;

	return event_output(run, map, flags, (const void *)(uintptr_t)data, size, skb->data,
			    skb->len);
}

const struct bpfrt_helper_proto helper_xdp_event_output_proto = {
	.name = "perf_event_output",
	.fn = xdp_event_output,
	.ret = BPFRT_RET_INTEGER,
	.args = { BPFRT_ARG_PTR_TO_CTX, BPFRT_ARG_CONST_MAP_PTR, BPFRT_ARG_ANYTHING,
		  BPFRT_ARG_PTR_TO_MEM, BPFRT_ARG_CONST_SIZE_OR_ZERO },
	.flags = BPFRT_HELPER_GPL_ONLY,
};

const struct bpfrt_helper_proto helper_skb_event_output_proto = {
	.name = "perf_event_output",
	.fn = skb_event_output,
	.ret = BPFRT_RET_INTEGER,
	.args = { BPFRT_ARG_PTR_TO_CTX, BPFRT_ARG_CONST_MAP_PTR, BPFRT_ARG_ANYTHING,
		  BPFRT_ARG_PTR_TO_MEM, BPFRT_ARG_CONST_SIZE_OR_ZERO },
	.flags = BPFRT_HELPER_GPL_ONLY,
};
