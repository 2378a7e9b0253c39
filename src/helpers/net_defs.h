/* SPDX-License-Identifier: MIT */
/*
 * src/helpers/net_defs.h - rows X(id, name) of the packet helpers
 * (net.c): checksums, packet bytes, XDP head/tail/meta adjustment,
 * redirects, the skb hash. Part of the one helper table (helper_defs.h);
 * which program types may call each is their func_proto's business
 * (src/progtypes/xdp.c, skb.c).
 */
#ifndef BPFRT_HELPERS_NET_DEFS_H
#define BPFRT_HELPERS_NET_DEFS_H

#define HELPERS_NET(X)                     \
	X(9, skb_store_bytes)              \
	X(10, l3_csum_replace)             \
	X(11, l4_csum_replace)             \
	X(23, redirect)                    \
	X(26, skb_load_bytes)              \
	X(28, csum_diff)                   \
	X(34, get_hash_recalc)             \
	X(39, skb_pull_data)               \
	X(40, csum_update)                 \
	X(41, set_hash_invalid)            \
	X(44, xdp_adjust_head)             \
	X(48, set_hash)                    \
	X(51, redirect_map)                \
	X(54, xdp_adjust_meta)             \
	X(65, xdp_adjust_tail)             \
	X(68, skb_load_bytes_relative)     \
	X(135, csum_level)                 \
	X(188, xdp_get_buff_len)           \
	X(189, xdp_load_bytes)             \
	X(190, xdp_store_bytes)

#endif /* BPFRT_HELPERS_NET_DEFS_H */
