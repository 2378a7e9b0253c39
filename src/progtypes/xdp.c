/* SPDX-License-Identifier: MIT */
/*
 * BPF_PROG_TYPE_XDP: r1 = struct xdp_md, rewritten onto struct pt_xdp
 * (kern.h), the kernel's xdp_buff.
 *
 * Accesses (the kernel's xdp_is_valid_access): 4-byte aligned reads of
 * the six fields, nothing else; egress_ifindex only for programs attached
 * to a devmap (expected attach type BPF_XDP_DEVMAP). data, data_end and
 * data_meta become 64-bit loads of the pointers.
 *
 * Test run (the kernel's bpf_prog_test_run_xdp): one 4096-byte frame;
 * the packet starts XDP_PACKET_HEADROOM (256) bytes in, the tail keeps the
 * kernel's skb_shared_info room; the packet must have an Ethernet header
 * (14 bytes); ctx_in/ctx_out are a struct xdp_md whose data_meta must be
 * 0, data_end the data size, and data the length of metadata at the start
 * of data_in (a multiple of 4, leaving room for a struct xdp_frame in the
 * headroom: at most 216 bytes).
 * data_out runs from data_meta to data_end after the program moved them.
 *
 * bpfrt has no network devices. The kernel runs test packets on the
 * loopback device's queue 0, so without ctx_in a program reads
 * ingress_ifindex 1 and rx_queue_index 0; with ctx_in, bpfrt takes
 * ingress_ifindex and rx_queue_index as given (the kernel requires the
 * device to exist and the queue to be registered: -ENODEV/-EINVAL; bpfrt
 * knows only that the loopback device, 1, has one queue).
 * Not supported: BPF_F_TEST_XDP_LIVE_FRAMES, and multi-buffer packets (the
 * kernel builds one from data larger than a frame, or beyond a ctx_in
 * data_end smaller than data_size_in): -EOPNOTSUPP.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <linux/bpf.h>

#include "core/core.h"
#include "exec/exec.h"
#include "helpers/helpers.h"
#include "progtypes/kern.h"
#include "progtypes/progtype.h"

#define ETH_HLEN 14

static const struct progtype_field xdp_fields[] = {
	{ "data", offsetof(struct xdp_md, data), 4, 0 },
	{ "data_end", offsetof(struct xdp_md, data_end), 4, 0 },
	{ "data_meta", offsetof(struct xdp_md, data_meta), 4, 0 },
	{ "ingress_ifindex", offsetof(struct xdp_md, ingress_ifindex), 4, 0 },
	{ "rx_queue_index", offsetof(struct xdp_md, rx_queue_index), 4, 0 },
	{ "egress_ifindex", offsetof(struct xdp_md, egress_ifindex), 4, 0 },
	{ NULL, 0, 0, 0 },
};

static bool xdp_is_valid_access(const struct bpfrt_prog *prog, const struct progtype_access *a,
				struct progtype_access_info *info)
{
	(void)info;
	if (a->off == offsetof(struct xdp_md, egress_ifindex) &&
	    prog->expected_attach_type != BPFRT_ATTACH_XDP_DEVMAP)
		return false;
	if (a->write)
		return false; /* the kernel allows rx_queue_index only to offloaded programs */
	if (a->off < 0 || a->off >= (int32_t)sizeof(struct xdp_md) || a->off % a->size)
		return false;
	/* The packet pointers cannot be read sign-extended. */
	if (a->sx && a->off < (int32_t)offsetof(struct xdp_md, ingress_ifindex))
		return false;
	return a->size == sizeof(uint32_t);
}

static int xdp_convert_access(const struct bpfrt_prog *prog, const struct bpfrt_insn *si,
			      bool write, struct bpfrt_insn *buf, uint32_t *target_size)
{
	(void)prog, (void)write, (void)target_size;
	switch (si->off) {
	case offsetof(struct xdp_md, data):
		buf[0] = BPFRT_LDX_MEM(BPFRT_DW, si->dst_reg, si->src_reg, offsetof(struct pt_xdp, data));
		return 1;
	case offsetof(struct xdp_md, data_end):
		buf[0] = BPFRT_LDX_MEM(BPFRT_DW, si->dst_reg, si->src_reg,
				       offsetof(struct pt_xdp, data_end));
		return 1;
	case offsetof(struct xdp_md, data_meta):
		buf[0] = BPFRT_LDX_MEM(BPFRT_DW, si->dst_reg, si->src_reg,
				       offsetof(struct pt_xdp, data_meta));
		return 1;
	case offsetof(struct xdp_md, ingress_ifindex):
		buf[0] = BPFRT_LDX_MEM(BPFRT_W, si->dst_reg, si->src_reg,
				       offsetof(struct pt_xdp, ingress_ifindex));
		return 1;
	case offsetof(struct xdp_md, rx_queue_index):
		buf[0] = BPFRT_LDX_MEM(BPFRT_W, si->dst_reg, si->src_reg,
				       offsetof(struct pt_xdp, rx_queue_index));
		return 1;
	case offsetof(struct xdp_md, egress_ifindex):
		buf[0] = BPFRT_LDX_MEM(BPFRT_W, si->dst_reg, si->src_reg,
				       offsetof(struct pt_xdp, egress_ifindex));
		return 1;
	}
	return 0;
}

/* The kernel's xdp_func_proto(), as far as bpfrt implements it. */
static const struct bpfrt_helper_proto *xdp_func_proto(uint32_t id, const struct bpfrt_prog *prog)
{
	switch (id) {
	case BPF_FUNC_perf_event_output:
		return prog->gpl ? &helper_xdp_event_output_proto : NULL;
	case BPF_FUNC_csum_diff:
		return &helper_csum_diff_proto;
	case BPF_FUNC_xdp_adjust_head:
		return &helper_xdp_adjust_head_proto;
	case BPF_FUNC_xdp_adjust_meta:
		return &helper_xdp_adjust_meta_proto;
	case BPF_FUNC_xdp_adjust_tail:
		return &helper_xdp_adjust_tail_proto;
	case BPF_FUNC_redirect:
		return &helper_redirect_proto;
	case BPF_FUNC_redirect_map:
		return &helper_redirect_map_proto;
	case BPF_FUNC_xdp_get_buff_len:
		return &helper_xdp_get_buff_len_proto;
	case BPF_FUNC_xdp_load_bytes:
		return &helper_xdp_load_bytes_proto;
	case BPF_FUNC_xdp_store_bytes:
		return &helper_xdp_store_bytes_proto;
	default:
		return helpers_base_proto(id, prog->gpl);
	}
}

static bool metalen_invalid(uint32_t len)
{
	return len % 4 || len > PT_XDP_META_MAX;
}

static int xdp_test_run(const struct bpfrt_prog *prog, struct bpfrt_test_run_opts *opts)
{
	uint32_t size = opts->data_size_in, headroom = PT_XDP_PACKET_HEADROOM, max_data;
	struct xdp_md md;
	struct pt_xdp x = { 0 };
	struct bpfrt_region regions[2];
	struct exec_hook hook = { 0 };
	uint8_t *frame;
	bool given;
	int err;

	if (prog->expected_attach_type == BPFRT_ATTACH_XDP_DEVMAP ||
	    prog->expected_attach_type == BPFRT_ATTACH_XDP_CPUMAP)
		return progtype_refuse(opts, -EINVAL, "devmap and cpumap XDP programs cannot be test-run");
	if (opts->flags & ~BPF_F_TEST_XDP_LIVE_FRAMES)
		return progtype_refuse(opts, -EINVAL, "unknown flags 0x%x", opts->flags);
	if (opts->flags) /* live frames need a device to send them on */
		return progtype_refuse(opts, -EOPNOTSUPP, "live frames need a network device");
	err = progtype_ctx_in(opts, &md, sizeof(md), &given);
	if (err)
		return err;
	if (given) {
		/* There can't be user provided data before the metadata. */
		if (md.data_meta || md.data_end > size || md.data > md.data_end ||
		    metalen_invalid(md.data))
			return progtype_refuse(opts, -EINVAL, "xdp_md: data_meta must be 0, data <= "
					       "data_end <= the data size, and data (the metadata "
					       "length) a multiple of 4 up to 32");
		if (md.egress_ifindex || (!md.ingress_ifindex && md.rx_queue_index))
			return progtype_refuse(opts, -EINVAL, "xdp_md: egress_ifindex must be 0, and "
					       "rx_queue_index needs ingress_ifindex");
		if (md.ingress_ifindex == 1 && md.rx_queue_index) /* loopback has one queue */
			return progtype_refuse(opts, -EINVAL, "xdp_md: the loopback device has one "
					       "queue (rx_queue_index 0)");
		/* The metadata comes from the headroom, which keeps room for an xdp_frame. */
		if (md.data > PT_XDP_PACKET_HEADROOM - PT_XDP_FRAME_HDR)
			return progtype_refuse(opts, -EINVAL, "xdp_md: the metadata does not fit "
					       "the headroom");
		headroom -= md.data;
	}
	if (size - (given ? md.data : 0) < ETH_HLEN)
		return progtype_refuse(opts, -EINVAL, "XDP data must be at least %d bytes (an "
				       "Ethernet header), not %u", ETH_HLEN,
				       size - (given ? md.data : 0));
	max_data = PT_PAGE_SIZE - headroom - PT_XDP_TAILROOM;
	if (size > max_data || (given && md.data_end < size)) /* a multi-buffer packet */
		return progtype_refuse(opts, -EOPNOTSUPP, "XDP data of %u bytes would need a "
				       "multi-buffer packet (at most %u here)", size, max_data);
	frame = core_calloc(1, PT_PAGE_SIZE);
	if (!frame)
		return -ENOMEM;
	if (size)
		memcpy(frame + headroom, opts->data_in, size);
	x.data_hard_start = frame;
	x.data_meta = frame + headroom;
	x.data = x.data_meta + (given ? md.data : 0);
	x.data_end = x.data_meta + size;
	x.frame_sz = PT_PAGE_SIZE;
	x.ingress_ifindex = given && md.ingress_ifindex ? md.ingress_ifindex : 1; /* lo */
	x.rx_queue_index = given ? md.rx_queue_index : 0;

	regions[0] = (struct bpfrt_region){ "xdp frame", frame, PT_PAGE_SIZE, true };
	regions[1] = (struct bpfrt_region){ "xdp_buff", &x, sizeof(x), false };
	hook.r1 = (uint64_t)(uintptr_t)&x;
	hook.ctx = &x;
	hook.regions = regions;
	hook.region_cnt = 2;
	err = progtype_run(prog, opts, &hook);
	/* Only helpers move the pointers, inside the frame: else the context was written over. */
	if (!err && (x.data_hard_start != frame || x.data_meta < frame + PT_XDP_FRAME_HDR ||
		     x.data_meta > x.data || x.data > x.data_end ||
		     x.data_end > frame + PT_PAGE_SIZE - PT_XDP_TAILROOM)) {
		snprintf(opts->fault.msg, sizeof(opts->fault.msg),
			 "the xdp_buff's packet pointers were written over (by a helper given the context)");
		opts->fault.kind = BPFRT_FAULT_ABORT;
		err = -EFAULT;
	}
	if (!err) {
		md.data = (uint32_t)(x.data - x.data_meta);
		md.data_end = (uint32_t)(x.data_end - x.data_meta);
		err = progtype_data_out(opts, x.data_meta, (uint32_t)(x.data_end - x.data_meta));
		if (!err && given)
			err = progtype_ctx_out(opts, &md, sizeof(md));
	}
	core_free(frame);
	return err;
}

const struct progtype progtype_xdp = {
	.name = "xdp",
	.type = BPFRT_PROG_TYPE_XDP,
	.ctx_name = "struct xdp_md",
	.ctx_size = sizeof(struct xdp_md),
	.fields = xdp_fields,
	.is_valid_access = xdp_is_valid_access,
	.convert_access = xdp_convert_access,
	.func_proto = xdp_func_proto,
	.test_run = xdp_test_run,
	.ret_min = XDP_ABORTED,
	.ret_max = XDP_REDIRECT,
};
