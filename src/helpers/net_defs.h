/* SPDX-License-Identifier: MIT */
/*
 * src/helpers/net_defs.h - rows X(id, name) of the packet helpers
 * (net.c): checksums, XDP head/tail/meta adjustment, redirects. Part of
 * the one helper table (helper_defs.h).
 */
#ifndef BPFRT_HELPERS_NET_DEFS_H
#define BPFRT_HELPERS_NET_DEFS_H

#define HELPERS_NET(X)

#endif /* BPFRT_HELPERS_NET_DEFS_H */
