/* SPDX-License-Identifier: MIT */
/*
 * BPF_PROG_TYPE_SOCKET_FILTER, SCHED_CLS and SCHED_ACT: r1 = struct
 * __sk_buff, rewritten onto struct pt_skb (kern.h), bpfrt's sk_buff.
 *
 * Accesses follow the kernel's bpf_skb_is_valid_access() with, on top,
 * sk_filter_is_valid_access() (socket filters: no packet pointers, no tc
 * fields, writes only to cb[]) or tc_cls_act_is_valid_access() (tc: writes
 * to mark, tc_index, priority, tc_classid, cb[], tstamp, queue_mapping).
 * Reads of 32-bit fields may be narrow (1 or 2 bytes, aligned); the
 * conversion is the kernel's bpf_convert_ctx_access() on a struct whose
 * fields have the kernel's widths, so narrow reads give what the kernel
 * gives. skb->sk reads as NULL: bpfrt has no sockets.
 *
 * Test run (the kernel's bpf_prog_test_run_skb): data_in is an Ethernet
 * frame of at least 14 bytes (IPv4: 34, IPv6: 54); its ethertype gives skb->protocol
 * (eth_type_trans(), on the loopback device: ifindex 1, MAC address 0),
 * and its destination MAC pkt_type. tc programs see the frame from the MAC
 * header; socket filters from the network header (LD_ABS offsets count
 * from there too), and their data_out starts with 14 zero bytes where the
 * MAC header was, as the kernel's. ctx_in/ctx_out are a struct __sk_buff;
 * only mark, priority, ingress_ifindex, ifindex, cb, tstamp, wire_len,
 * gso_segs, gso_size and hwtstamp may be set (-EINVAL otherwise). An
 * ifindex above 1 names a device bpfrt does not check (the kernel requires
 * it to exist, -ENODEV). BPF_F_TEST_SKB_CHECKSUM_COMPLETE runs the packet
 * with CHECKSUM_COMPLETE and checks skb->csum afterwards (-EBADMSG).
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <linux/bpf.h>
#include <linux/pkt_cls.h>

#include "core/core.h"
#include "exec/exec.h"
#include "helpers/helpers.h"
#include "progtypes/kern.h"
#include "progtypes/progtype.h"

#define SK(m) offsetof(struct __sk_buff, m)
#define SKEND(m) (offsetof(struct __sk_buff, m) + sizeof(((struct __sk_buff *)0)->m))
/* off inside member m: the kernel's case bpf_ctx_range(struct __sk_buff, m) */
#define IN(off, m) ((off) >= (int32_t)SK(m) && (off) < (int32_t)SKEND(m))
#define IN_TILL(off, m1, m2) ((off) >= (int32_t)SK(m1) && (off) < (int32_t)SKEND(m2))

static const struct progtype_field skb_fields[] = {
#define F(m) { #m, SK(m), sizeof(((struct __sk_buff *)0)->m), 0 }
#define FA(m) { #m, SK(m), sizeof(((struct __sk_buff *)0)->m), sizeof(((struct __sk_buff *)0)->m[0]) }
	F(len), F(pkt_type), F(mark), F(queue_mapping), F(protocol), F(vlan_present),
	F(vlan_tci), F(vlan_proto), F(priority), F(ingress_ifindex), F(ifindex), F(tc_index),
	FA(cb), F(hash), F(tc_classid), F(data), F(data_end), F(napi_id), F(family),
	F(remote_ip4), F(local_ip4), FA(remote_ip6), FA(local_ip6), F(remote_port),
	F(local_port), F(data_meta), F(flow_keys), F(tstamp), F(wire_len), F(gso_segs), F(sk),
	F(gso_size), F(tstamp_type), F(hwtstamp),
	{ NULL, 0, 0, 0 },
#undef FA
#undef F
};

/* bpf_skb_is_valid_access(): the rules all skb types share. */
static bool skb_valid(const struct progtype_access *a, struct progtype_access_info *info)
{
	int32_t off = a->off;

	if (off < 0 || off >= (int32_t)sizeof(struct __sk_buff) || off % a->size)
		return false;
	if (IN_TILL(off, cb[0], cb[4]))
		return off + a->size <= (int32_t)SKEND(cb[4]);
	if (IN(off, data) || IN(off, data_meta) || IN(off, data_end))
		return !a->sx && a->size == 4;
	if (IN_TILL(off, remote_ip6[0], remote_ip6[3]) || IN_TILL(off, local_ip6[0], local_ip6[3]) ||
	    IN(off, remote_ip4) || IN(off, local_ip4))
		return a->size == 4;
	if (IN(off, flow_keys))
		return false;
	if (IN(off, hwtstamp))
		return !a->write && a->size == 8;
	if (IN(off, tstamp))
		return a->size == 8;
	if (off == (int32_t)SK(sk))
		return !a->write && a->size == 8;
	if (off == (int32_t)SK(tstamp_type))
		return false;
	if (off >= (int32_t)SKEND(tstamp_type) && off < (int32_t)SK(hwtstamp))
		return false; /* padding */
	/* Only narrow reads of the 32-bit fields. */
	if (a->write)
		return a->size == 4;
	info->field_size = 4;
	return a->size <= 4;
}

/* sk_filter_is_valid_access() */
static bool sf_is_valid_access(const struct bpfrt_prog *prog, const struct progtype_access *a,
			       struct progtype_access_info *info)
{
	int32_t off = a->off;

	(void)prog;
	if (IN(off, tc_classid) || IN(off, data) || IN(off, data_meta) || IN(off, data_end) ||
	    IN_TILL(off, family, local_port) || IN(off, tstamp) || IN(off, wire_len) ||
	    IN(off, hwtstamp))
		return false;
	if (a->write && !IN_TILL(off, cb[0], cb[4]))
		return false;
	return skb_valid(a, info);
}

/* tc_cls_act_is_valid_access() */
static bool tc_is_valid_access(const struct bpfrt_prog *prog, const struct progtype_access *a,
			       struct progtype_access_info *info)
{
	int32_t off = a->off;

	(void)prog;
	if (a->write && !(IN(off, mark) || IN(off, tc_index) || IN(off, priority) ||
			  IN(off, tc_classid) || IN_TILL(off, cb[0], cb[4]) || IN(off, tstamp) ||
			  IN(off, queue_mapping)))
		return false;
	if (IN_TILL(off, family, local_port))
		return false;
	if (off == (int32_t)SK(tstamp_type))
		return a->size == 1;
	return skb_valid(a, info);
}

#define PT(m) offsetof(struct pt_skb, m)
#define LD(sz, m) BPFRT_LDX_MEM(BPFRT_##sz, si->dst_reg, si->src_reg, PT(m))
/* BPF_EMIT_STORE: keeps BPF_ST (imm) or BPF_STX (register) */
#define ST(sz, m) \
	BPFRT_RAW_INSN(BPFRT_CLASS(si->code) | BPFRT_##sz | BPFRT_MEM, si->dst_reg, si->src_reg, PT(m), si->imm)
#define LDST(sz, m) (write ? ST(sz, m) : LD(sz, m))

/* bpf_convert_ctx_access() */
static int skb_convert_access(const struct bpfrt_prog *prog, const struct bpfrt_insn *si,
			      bool write, struct bpfrt_insn *buf, uint32_t *target)
{
	int n = 0;

	(void)prog;
	if (si->off >= (int16_t)SK(cb[0]) && si->off < (int16_t)SKEND(cb[4])) {
		int16_t off = (int16_t)(si->off - SK(cb[0]) + PT(cb));

		buf[0] = write ? BPFRT_RAW_INSN(BPFRT_CLASS(si->code) | BPFRT_SIZE(si->code) | BPFRT_MEM,
					       si->dst_reg, si->src_reg, off, si->imm)
			       : BPFRT_LDX_MEM(BPFRT_SIZE(si->code), si->dst_reg, si->src_reg, off);
		return 1;
	}
	switch (si->off) {
	case SK(len):
		*target = 4, buf[n++] = LD(W, len);
		break;
	case SK(protocol):
		*target = 2, buf[n++] = LD(H, protocol);
		break;
	case SK(vlan_proto):
		*target = 2, buf[n++] = LD(H, vlan_proto);
		break;
	case SK(priority):
		*target = 4, buf[n++] = LDST(W, priority);
		break;
	case SK(ingress_ifindex):
		*target = 4, buf[n++] = LD(W, skb_iif);
		break;
	case SK(ifindex):
		*target = 4, buf[n++] = LD(W, ifindex);
		break;
	case SK(hash):
		*target = 4, buf[n++] = LD(W, hash);
		break;
	case SK(mark):
		*target = 4, buf[n++] = LDST(W, mark);
		break;
	case SK(pkt_type):
		*target = 1;
		buf[n++] = LD(B, pkt_type);
		buf[n++] = BPFRT_ALU32_IMM(BPFRT_AND, si->dst_reg, 7); /* PKT_TYPE_MAX */
		break;
	case SK(queue_mapping):
		*target = 2;
		if (!write) {
			buf[n++] = LD(H, queue_mapping);
		} else if (BPFRT_CLASS(si->code) == BPFRT_ST && si->imm >= 0xffff) {
			buf[n++] = BPFRT_JMP_A(0); /* NO_QUEUE_MAPPING and above: not stored */
		} else {
			if (BPFRT_CLASS(si->code) == BPFRT_STX)
				buf[n++] = BPFRT_JMP_IMM(BPFRT_JGE, si->src_reg, 0xffff, 1);
			buf[n++] = ST(H, queue_mapping);
		}
		break;
	case SK(vlan_present):
		*target = 4;
		buf[n++] = BPFRT_LDX_MEM(BPFRT_W, si->dst_reg, si->src_reg, PT(vlan_proto)); /* vlan_all */
		buf[n++] = BPFRT_JMP_IMM(BPFRT_JEQ, si->dst_reg, 0, 1);
		buf[n++] = BPFRT_MOV32_IMM(si->dst_reg, 1);
		break;
	case SK(vlan_tci):
		*target = 2, buf[n++] = LD(H, vlan_tci);
		break;
	case SK(tc_classid):
		*target = 2, buf[n++] = LDST(H, tc_classid);
		break;
	case SK(data):
		buf[n++] = LD(DW, data);
		break;
	case SK(data_meta):
		buf[n++] = LD(DW, data_meta);
		break;
	case SK(data_end):
		buf[n++] = LD(DW, data_end);
		break;
	case SK(tc_index):
		*target = 2, buf[n++] = LDST(H, tc_index);
		break;
	case SK(napi_id):
		*target = 4, buf[n++] = LD(W, napi_id);
		break;
	case SK(tstamp):
		*target = 8, buf[n++] = LDST(DW, tstamp);
		break;
	case SK(gso_segs):
		*target = 2, buf[n++] = LD(H, gso_segs);
		break;
	case SK(gso_size):
		*target = 2, buf[n++] = LD(H, gso_size);
		break;
	case SK(wire_len):
		*target = 4, buf[n++] = LD(W, wire_len);
		break;
	case SK(sk):
		buf[n++] = BPFRT_MOV64_IMM(si->dst_reg, 0); /* no sockets in bpfrt */
		break;
	case SK(tstamp_type):
		buf[n++] = LD(B, tstamp_type);
		break;
	case SK(hwtstamp):
		*target = 8, buf[n++] = LD(DW, hwtstamp);
		break;
	}
	return n;
}

#undef LDST
#undef ST
#undef LD

/* sk_filter_func_proto(), as far as bpfrt implements it. */
static const struct bpfrt_helper_proto *sf_func_proto(uint32_t id, const struct bpfrt_prog *prog)
{
	switch (id) {
	case BPF_FUNC_skb_load_bytes:
		return &helper_skb_load_bytes_proto;
	case BPF_FUNC_skb_load_bytes_relative:
		return &helper_skb_load_bytes_relative_proto;
	case BPF_FUNC_perf_event_output:
		return prog->gpl ? &helper_skb_event_output_proto : NULL;
	default:
		return helpers_base_proto(id, prog->gpl);
	}
}

/* tc_cls_act_func_proto(), as far as bpfrt implements it. */
static const struct bpfrt_helper_proto *tc_func_proto(uint32_t id, const struct bpfrt_prog *prog)
{
	switch (id) {
	case BPF_FUNC_skb_store_bytes:
		return &helper_skb_store_bytes_proto;
	case BPF_FUNC_skb_load_bytes:
		return &helper_skb_load_bytes_proto;
	case BPF_FUNC_skb_load_bytes_relative:
		return &helper_skb_load_bytes_relative_proto;
	case BPF_FUNC_skb_pull_data:
		return &helper_skb_pull_data_proto;
	case BPF_FUNC_csum_diff:
		return &helper_csum_diff_proto;
	case BPF_FUNC_csum_update:
		return &helper_csum_update_proto;
	case BPF_FUNC_csum_level:
		return &helper_csum_level_proto;
	case BPF_FUNC_l3_csum_replace:
		return &helper_l3_csum_replace_proto;
	case BPF_FUNC_l4_csum_replace:
		return &helper_l4_csum_replace_proto;
	case BPF_FUNC_redirect:
		return &helper_redirect_proto;
	case BPF_FUNC_get_hash_recalc:
		return &helper_get_hash_recalc_proto;
	case BPF_FUNC_set_hash_invalid:
		return &helper_set_hash_invalid_proto;
	case BPF_FUNC_set_hash:
		return &helper_set_hash_proto;
	case BPF_FUNC_perf_event_output:
		return prog->gpl ? &helper_skb_event_output_proto : NULL;
	default:
		return helpers_base_proto(id, prog->gpl);
	}
}

/* ---- test run ---- */

#define ETH_HLEN 14
#define SKB_HEADROOM 64  /* NET_SKB_PAD + NET_IP_ALIGN on x86-64 */
#define GSO_LEGACY_MAX_SIZE 65536
#define GSO_MAX_SEGS 65535

static bool range_zero(const struct __sk_buff *s, size_t from, size_t to)
{
	const uint8_t *p = (const uint8_t *)s;

	for (size_t i = from; i < to; i++)
		if (p[i])
			return false;
	return true;
}

/* convert___skb_to_skb(): what a user may preset, the rest must be 0. */
static int skb_from_user(struct bpfrt_test_run_opts *opts, struct pt_skb *skb,
			 const struct __sk_buff *u)
{
	if (!range_zero(u, 0, SK(mark)) || !range_zero(u, SKEND(mark), SK(priority)) ||
	    !range_zero(u, SKEND(ifindex), SK(cb)) || !range_zero(u, SKEND(cb), SK(tstamp)) ||
	    !range_zero(u, SKEND(gso_segs), SK(gso_size)) ||
	    !range_zero(u, SKEND(gso_size), SK(hwtstamp)) ||
	    !range_zero(u, SKEND(hwtstamp), sizeof(*u)))
		return progtype_refuse(opts, -EINVAL, "__sk_buff: only mark, priority, ifindex, "
				       "cb, tstamp, wire_len, gso_segs, gso_size and hwtstamp may "
				       "be set");
	skb->mark = u->mark;
	skb->priority = u->priority;
	skb->skb_iif = u->ingress_ifindex;
	skb->tstamp = u->tstamp;
	memcpy(skb->cb, u->cb, sizeof(skb->cb));
	if (!u->wire_len)
		skb->wire_len = skb->len;
	else if (u->wire_len < skb->len || u->wire_len > GSO_LEGACY_MAX_SIZE)
		return progtype_refuse(opts, -EINVAL, "__sk_buff: wire_len %u is below the packet "
				       "length or too large", u->wire_len);
	else
		skb->wire_len = u->wire_len;
	if (u->gso_segs > GSO_MAX_SEGS)
		return progtype_refuse(opts, -EINVAL, "__sk_buff: gso_segs %u is too large",
				       u->gso_segs);
	skb->gso_segs = (uint16_t)u->gso_segs;
	skb->gso_size = (uint16_t)u->gso_size;
	skb->hwtstamp = u->hwtstamp;
	return 0;
}

/* convert_skb_to___skb() */
static void skb_to_user(const struct pt_skb *skb, struct __sk_buff *u)
{
	u->mark = skb->mark;
	u->priority = skb->priority;
	u->ingress_ifindex = skb->skb_iif;
	u->ifindex = skb->ifindex;
	u->tstamp = skb->tstamp;
	memcpy(u->cb, skb->cb, sizeof(u->cb));
	u->wire_len = skb->wire_len;
	u->gso_segs = skb->gso_segs;
	u->hwtstamp = skb->hwtstamp;
}

/*
 * eth_type_trans() on a device whose address is 00:00:00:00:00:00 (the
 * loopback device, and bpfrt's stand-in for any other): skb->pkt_type from
 * the destination (the loopback device has no broadcast address, so
 * ff:ff:ff:ff:ff:ff is PACKET_MULTICAST), skb->protocol from the ethertype
 * (802.3 frames: the kernel's guess between raw IPX and 802.2 LLC).
 */
static void eth_type_trans(struct pt_skb *skb)
{
	const uint8_t *eth = skb->data;
	static const uint8_t zero[6];
	uint16_t proto;

	skb->mac_header = skb->data;
	skb->data += ETH_HLEN;
	skb->len -= ETH_HLEN;
	if (memcmp(eth, zero, 6))
		skb->pkt_type = eth[0] & 1 ? 2 /* PACKET_MULTICAST */ : 3 /* PACKET_OTHERHOST */;
	memcpy(&proto, eth + 12, 2);
	if ((uint16_t)(eth[12] << 8 | eth[13]) >= 0x600)
		skb->protocol = proto;
	else if (skb->len >= 2 && skb->data[0] == 0xff && skb->data[1] == 0xff)
		skb->protocol = 0x0100; /* htons(ETH_P_802_3) */
	else
		skb->protocol = 0x0400; /* htons(ETH_P_802_2) */
}

/* skb_checksum() from the network header (CHECKSUM_COMPLETE test runs). */
static uint32_t skb_csum_from_net(const struct pt_skb *skb)
{
	return pt_csum_partial(skb->network_header, (size_t)(skb->data_end - skb->network_header), 0);
}

static int skb_test_run(const struct bpfrt_prog *prog, struct bpfrt_test_run_opts *opts)
{
	bool l2 = prog->type == BPFRT_PROG_TYPE_SCHED_CLS || prog->type == BPFRT_PROG_TYPE_SCHED_ACT;
	bool complete = opts->flags & BPF_F_TEST_SKB_CHECKSUM_COMPLETE, given;
	uint32_t size = opts->data_size_in;
	struct __sk_buff u;
	struct pt_skb skb = { 0 }, view;
	struct bpfrt_region regions[3];
	struct exec_hook hook = { 0 };
	size_t bufsize;
	uint8_t *buf;
	int err;

	if ((opts->flags & ~BPF_F_TEST_SKB_CHECKSUM_COMPLETE) || opts->cpu)
		return progtype_refuse(opts, -EINVAL, "skb test runs take no cpu and no flags but "
				       "BPF_F_TEST_SKB_CHECKSUM_COMPLETE");
	if (size < ETH_HLEN || size > PT_PAGE_SIZE - SKB_HEADROOM - PT_XDP_TAILROOM)
		return progtype_refuse(opts, -EINVAL, "the data must be an Ethernet frame of %d to "
				       "%d bytes, not %u", ETH_HLEN,
				       PT_PAGE_SIZE - SKB_HEADROOM - PT_XDP_TAILROOM, size);
	err = progtype_ctx_in(opts, &u, sizeof(u), &given);
	if (err)
		return err;
	bufsize = SKB_HEADROOM + ((size + 63) & ~63u) + PT_XDP_TAILROOM;
	buf = core_calloc(1, bufsize);
	if (!buf)
		return -ENOMEM;
	memcpy(buf + SKB_HEADROOM, opts->data_in, size);
	skb.head = buf;
	skb.end = buf + bufsize;
	skb.data = buf + SKB_HEADROOM;
	skb.len = size;
	skb.ifindex = given && u.ifindex > 1 ? u.ifindex : 1; /* lo */
	eth_type_trans(&skb);
	skb.network_header = skb.data;
	/* The kernel reads the addresses of IP packets: it wants their header. */
	if ((skb.protocol == 0x0008 /* ETH_P_IP */ && skb.len < 20) ||
	    (skb.protocol == 0xdd86 /* ETH_P_IPV6 */ && skb.len < 40)) {
		err = progtype_refuse(opts, -EINVAL, "an IP frame shorter than its IP header");
		goto out;
	}
	if (l2) {
		skb.data -= ETH_HLEN;
		skb.len += ETH_HLEN;
	}
	skb.data_end = skb.data + skb.len;
	skb.data_meta = skb.data;
	if (given)
		err = skb_from_user(opts, &skb, &u);
	if (!err && complete) {
		skb.csum = skb_csum_from_net(&skb);
		skb.ip_summed = PT_CHECKSUM_COMPLETE;
	}
	if (err)
		goto out;

	/* The packet as it stays: bpfrt has no helper that moves it. */
	view = skb;
	regions[0] = (struct bpfrt_region){ "skb data", buf, bufsize, true };
	regions[1] = (struct bpfrt_region){ "sk_buff", &skb, PT_SKB_WRITABLE, false };
	regions[2] = (struct bpfrt_region){ "sk_buff fields", (uint8_t *)&skb + PT_SKB_WRITABLE,
					    sizeof(skb) - PT_SKB_WRITABLE, true };
	hook.r1 = (uint64_t)(uintptr_t)&skb;
	hook.ctx = &skb;
	hook.pkt = skb.data;
	hook.pkt_len = skb.len;
	hook.regions = regions;
	hook.region_cnt = 3;
	err = progtype_run(prog, opts, &hook);
	if (err)
		goto out;
	/*
	 * From here on only `view`'s pointers: a program that made a helper
	 * write over its context (what the verifier will refuse) cannot make
	 * them point elsewhere.
	 */
	if (complete && skb.ip_summed == PT_CHECKSUM_COMPLETE &&
	    pt_csum_fold(skb.csum) != pt_csum_fold(skb_csum_from_net(&view))) {
		err = progtype_refuse(opts, -EBADMSG, "CHECKSUM_COMPLETE: the checksum changed "
				      "and was not updated");
		goto out;
	}
	if (!l2) {
		view.data -= ETH_HLEN;
		view.len += ETH_HLEN;
		memset(view.data, 0, ETH_HLEN);
	}
	if (given)
		skb_to_user(&skb, &u);
	err = progtype_data_out(opts, view.data, view.len);
	if (!err && given)
		err = progtype_ctx_out(opts, &u, sizeof(u));
out:
	core_free(buf);
	return err;
}

const struct progtype progtype_socket_filter = {
	.name = "socket_filter",
	.type = BPFRT_PROG_TYPE_SOCKET_FILTER,
	.ctx_name = "struct __sk_buff",
	.ctx_size = sizeof(struct __sk_buff),
	.fields = skb_fields,
	.ld_abs = true,
	.is_valid_access = sf_is_valid_access,
	.convert_access = skb_convert_access,
	.func_proto = sf_func_proto,
	.test_run = skb_test_run,
	.ret_min = 0,
	.ret_max = UINT32_MAX, /* bytes of the packet to keep */
};

const struct progtype progtype_sched_cls = {
	.name = "sched_cls",
	.type = BPFRT_PROG_TYPE_SCHED_CLS,
	.ctx_name = "struct __sk_buff",
	.ctx_size = sizeof(struct __sk_buff),
	.fields = skb_fields,
	.ld_abs = true,
	.is_valid_access = tc_is_valid_access,
	.convert_access = skb_convert_access,
	.func_proto = tc_func_proto,
	.test_run = skb_test_run,
	.ret_min = TC_ACT_UNSPEC,
	.ret_max = TC_ACT_TRAP,
};

const struct progtype progtype_sched_act = {
	.name = "sched_act",
	.type = BPFRT_PROG_TYPE_SCHED_ACT,
	.ctx_name = "struct __sk_buff",
	.ctx_size = sizeof(struct __sk_buff),
	.fields = skb_fields,
	.ld_abs = true,
	.is_valid_access = tc_is_valid_access,
	.convert_access = skb_convert_access,
	.func_proto = tc_func_proto,
	.test_run = skb_test_run,
	.ret_min = TC_ACT_UNSPEC,
	.ret_max = TC_ACT_TRAP,
};
