/* SPDX-License-Identifier: MIT */
/*
 * The one table of libbpf's section-name conventions: SEC("name") ->
 * program type, expected attach type, load flags, and whether the part
 * after '/' names an attach target. Rows follow libbpf's section_defs
 * (src/libbpf.c, v1.4) in the same order, because the first matching row
 * wins ("sk_reuseport/migrate" before "sk_reuseport", "xdp.frags/devmap"
 * before "xdp.frags").
 *
 * A pattern is matched as libbpf does:
 *   "name"   the section name must be exactly "name";
 *   "name+"  exactly "name", or "name/anything";
 *   "name/"  "name/anything" (a '/' and possibly nothing after it).
 */
#include <string.h>

#include "loader/object_int.h"

/* Short names for the row flags. */
#define TGT  SEC_F_TARGET
#define SLP  SEC_F_SLEEPABLE
#define FRG  SEC_F_XDP_FRAGS
#define BTFA SEC_F_ATTACH_BTF
#define USDT SEC_F_USDT

/* X(pattern, PROG_TYPE, attach type, flags) */
#define SEC_DEFS(X)                                                            \
	X("socket",                  SOCKET_FILTER, 0, 0)                      \
	X("sk_reuseport/migrate",    SK_REUSEPORT, BPFRT_ATTACH_SK_REUSEPORT_SELECT_OR_MIGRATE, 0) \
	X("sk_reuseport",            SK_REUSEPORT, BPFRT_ATTACH_SK_REUSEPORT_SELECT, 0)  \
	X("kprobe+",                 KPROBE, 0, TGT)                           \
	X("uprobe+",                 KPROBE, 0, TGT)                           \
	X("uprobe.s+",               KPROBE, 0, TGT | SLP)                     \
	X("kretprobe+",              KPROBE, 0, TGT)                           \
	X("uretprobe+",              KPROBE, 0, TGT)                           \
	X("uretprobe.s+",            KPROBE, 0, TGT | SLP)                     \
	X("kprobe.multi+",           KPROBE, BPFRT_ATTACH_TRACE_KPROBE_MULTI, TGT)       \
	X("kretprobe.multi+",        KPROBE, BPFRT_ATTACH_TRACE_KPROBE_MULTI, TGT)       \
	X("uprobe.multi+",           KPROBE, BPFRT_ATTACH_TRACE_UPROBE_MULTI, TGT)       \
	X("uretprobe.multi+",        KPROBE, BPFRT_ATTACH_TRACE_UPROBE_MULTI, TGT)       \
	X("uprobe.multi.s+",         KPROBE, BPFRT_ATTACH_TRACE_UPROBE_MULTI, TGT | SLP) \
	X("uretprobe.multi.s+",      KPROBE, BPFRT_ATTACH_TRACE_UPROBE_MULTI, TGT | SLP) \
	X("ksyscall+",               KPROBE, 0, TGT)                           \
	X("kretsyscall+",            KPROBE, 0, TGT)                           \
	X("usdt+",                   KPROBE, 0, TGT | USDT)                    \
	X("usdt.s+",                 KPROBE, 0, TGT | USDT | SLP)              \
	X("tc/ingress",              SCHED_CLS, BPFRT_ATTACH_TCX_INGRESS, 0)             \
	X("tc/egress",               SCHED_CLS, BPFRT_ATTACH_TCX_EGRESS, 0)              \
	X("tcx/ingress",             SCHED_CLS, BPFRT_ATTACH_TCX_INGRESS, 0)             \
	X("tcx/egress",              SCHED_CLS, BPFRT_ATTACH_TCX_EGRESS, 0)              \
	X("tc",                      SCHED_CLS, 0, 0)                          \
	X("classifier",              SCHED_CLS, 0, 0)                          \
	X("action",                  SCHED_ACT, 0, 0)                          \
	X("netkit/primary",          SCHED_CLS, BPFRT_ATTACH_NETKIT_PRIMARY, 0)          \
	X("netkit/peer",             SCHED_CLS, BPFRT_ATTACH_NETKIT_PEER, 0)             \
	X("tracepoint+",             TRACEPOINT, 0, TGT)                       \
	X("tp+",                     TRACEPOINT, 0, TGT)                       \
	X("raw_tracepoint+",         RAW_TRACEPOINT, 0, TGT)                   \
	X("raw_tp+",                 RAW_TRACEPOINT, 0, TGT)                   \
	X("raw_tracepoint.w+",       RAW_TRACEPOINT_WRITABLE, 0, TGT)          \
	X("raw_tp.w+",               RAW_TRACEPOINT_WRITABLE, 0, TGT)          \
	X("tp_btf+",                 TRACING, BPFRT_ATTACH_TRACE_RAW_TP, TGT | BTFA)     \
	X("fentry+",                 TRACING, BPFRT_ATTACH_TRACE_FENTRY, TGT | BTFA)     \
	X("fmod_ret+",               TRACING, BPFRT_ATTACH_MODIFY_RETURN, TGT | BTFA)    \
	X("fexit+",                  TRACING, BPFRT_ATTACH_TRACE_FEXIT, TGT | BTFA)      \
	X("fentry.s+",               TRACING, BPFRT_ATTACH_TRACE_FENTRY, TGT | BTFA | SLP) \
	X("fmod_ret.s+",             TRACING, BPFRT_ATTACH_MODIFY_RETURN, TGT | BTFA | SLP) \
	X("fexit.s+",                TRACING, BPFRT_ATTACH_TRACE_FEXIT, TGT | BTFA | SLP) \
	X("freplace+",               EXT, 0, TGT | BTFA)                       \
	X("lsm+",                    LSM, BPFRT_ATTACH_LSM_MAC, TGT | BTFA)              \
	X("lsm.s+",                  LSM, BPFRT_ATTACH_LSM_MAC, TGT | BTFA | SLP)        \
	X("lsm_cgroup+",             LSM, BPFRT_ATTACH_LSM_CGROUP, TGT | BTFA)           \
	X("iter+",                   TRACING, BPFRT_ATTACH_TRACE_ITER, TGT | BTFA)       \
	X("iter.s+",                 TRACING, BPFRT_ATTACH_TRACE_ITER, TGT | BTFA | SLP) \
	X("syscall",                 SYSCALL, 0, SLP)                          \
	X("xdp.frags/devmap",        XDP, BPFRT_ATTACH_XDP_DEVMAP, FRG)                  \
	X("xdp/devmap",              XDP, BPFRT_ATTACH_XDP_DEVMAP, 0)                    \
	X("xdp.frags/cpumap",        XDP, BPFRT_ATTACH_XDP_CPUMAP, FRG)                  \
	X("xdp/cpumap",              XDP, BPFRT_ATTACH_XDP_CPUMAP, 0)                    \
	X("xdp.frags",               XDP, BPFRT_ATTACH_XDP, FRG)                         \
	X("xdp",                     XDP, BPFRT_ATTACH_XDP, 0)                           \
	X("perf_event",              PERF_EVENT, 0, 0)                         \
	X("lwt_in",                  LWT_IN, 0, 0)                             \
	X("lwt_out",                 LWT_OUT, 0, 0)                            \
	X("lwt_xmit",                LWT_XMIT, 0, 0)                           \
	X("lwt_seg6local",           LWT_SEG6LOCAL, 0, 0)                      \
	X("sockops",                 SOCK_OPS, BPFRT_ATTACH_CGROUP_SOCK_OPS, 0)          \
	X("sk_skb/stream_parser",    SK_SKB, BPFRT_ATTACH_SK_SKB_STREAM_PARSER, 0)       \
	X("sk_skb/stream_verdict",   SK_SKB, BPFRT_ATTACH_SK_SKB_STREAM_VERDICT, 0)      \
	X("sk_skb",                  SK_SKB, 0, 0)                             \
	X("sk_msg",                  SK_MSG, BPFRT_ATTACH_SK_MSG_VERDICT, 0)             \
	X("lirc_mode2",              LIRC_MODE2, BPFRT_ATTACH_LIRC_MODE2, 0)             \
	X("flow_dissector",          FLOW_DISSECTOR, BPFRT_ATTACH_FLOW_DISSECTOR, 0)     \
	X("cgroup_skb/ingress",      CGROUP_SKB, BPFRT_ATTACH_CGROUP_INET_INGRESS, 0)    \
	X("cgroup_skb/egress",       CGROUP_SKB, BPFRT_ATTACH_CGROUP_INET_EGRESS, 0)     \
	X("cgroup/skb",              CGROUP_SKB, 0, 0)                         \
	X("cgroup/sock_create",      CGROUP_SOCK, BPFRT_ATTACH_CGROUP_INET_SOCK_CREATE, 0) \
	X("cgroup/sock_release",     CGROUP_SOCK, BPFRT_ATTACH_CGROUP_INET_SOCK_RELEASE, 0) \
	X("cgroup/sock",             CGROUP_SOCK, BPFRT_ATTACH_CGROUP_INET_SOCK_CREATE, 0) \
	X("cgroup/post_bind4",       CGROUP_SOCK, BPFRT_ATTACH_CGROUP_INET4_POST_BIND, 0) \
	X("cgroup/post_bind6",       CGROUP_SOCK, BPFRT_ATTACH_CGROUP_INET6_POST_BIND, 0) \
	X("cgroup/bind4",            CGROUP_SOCK_ADDR, BPFRT_ATTACH_CGROUP_INET4_BIND, 0) \
	X("cgroup/bind6",            CGROUP_SOCK_ADDR, BPFRT_ATTACH_CGROUP_INET6_BIND, 0) \
	X("cgroup/connect4",         CGROUP_SOCK_ADDR, BPFRT_ATTACH_CGROUP_INET4_CONNECT, 0) \
	X("cgroup/connect6",         CGROUP_SOCK_ADDR, BPFRT_ATTACH_CGROUP_INET6_CONNECT, 0) \
	X("cgroup/connect_unix",     CGROUP_SOCK_ADDR, BPFRT_ATTACH_CGROUP_UNIX_CONNECT, 0) \
	X("cgroup/sendmsg4",         CGROUP_SOCK_ADDR, BPFRT_ATTACH_CGROUP_UDP4_SENDMSG, 0) \
	X("cgroup/sendmsg6",         CGROUP_SOCK_ADDR, BPFRT_ATTACH_CGROUP_UDP6_SENDMSG, 0) \
	X("cgroup/sendmsg_unix",     CGROUP_SOCK_ADDR, BPFRT_ATTACH_CGROUP_UNIX_SENDMSG, 0) \
	X("cgroup/recvmsg4",         CGROUP_SOCK_ADDR, BPFRT_ATTACH_CGROUP_UDP4_RECVMSG, 0) \
	X("cgroup/recvmsg6",         CGROUP_SOCK_ADDR, BPFRT_ATTACH_CGROUP_UDP6_RECVMSG, 0) \
	X("cgroup/recvmsg_unix",     CGROUP_SOCK_ADDR, BPFRT_ATTACH_CGROUP_UNIX_RECVMSG, 0) \
	X("cgroup/getpeername4",     CGROUP_SOCK_ADDR, BPFRT_ATTACH_CGROUP_INET4_GETPEERNAME, 0) \
	X("cgroup/getpeername6",     CGROUP_SOCK_ADDR, BPFRT_ATTACH_CGROUP_INET6_GETPEERNAME, 0) \
	X("cgroup/getpeername_unix", CGROUP_SOCK_ADDR, BPFRT_ATTACH_CGROUP_UNIX_GETPEERNAME, 0) \
	X("cgroup/getsockname4",     CGROUP_SOCK_ADDR, BPFRT_ATTACH_CGROUP_INET4_GETSOCKNAME, 0) \
	X("cgroup/getsockname6",     CGROUP_SOCK_ADDR, BPFRT_ATTACH_CGROUP_INET6_GETSOCKNAME, 0) \
	X("cgroup/getsockname_unix", CGROUP_SOCK_ADDR, BPFRT_ATTACH_CGROUP_UNIX_GETSOCKNAME, 0) \
	X("cgroup/sysctl",           CGROUP_SYSCTL, BPFRT_ATTACH_CGROUP_SYSCTL, 0)       \
	X("cgroup/getsockopt",       CGROUP_SOCKOPT, BPFRT_ATTACH_CGROUP_GETSOCKOPT, 0)  \
	X("cgroup/setsockopt",       CGROUP_SOCKOPT, BPFRT_ATTACH_CGROUP_SETSOCKOPT, 0)  \
	X("cgroup/dev",              CGROUP_DEVICE, BPFRT_ATTACH_CGROUP_DEVICE, 0)       \
	X("struct_ops+",             STRUCT_OPS, 0, TGT)                       \
	X("struct_ops.s+",           STRUCT_OPS, 0, TGT | SLP)                 \
	X("sk_lookup",               SK_LOOKUP, BPFRT_ATTACH_SK_LOOKUP, 0)               \
	X("netfilter",               NETFILTER, BPFRT_ATTACH_NETFILTER, 0)

static const struct sec_def sec_defs[] = {
#define X(pat, ptype, atype, fl) \
	{ .pattern = pat, .type = BPFRT_PROG_TYPE_##ptype, .attach_type = atype, .flags = fl },
	SEC_DEFS(X)
#undef X
};

#undef TGT
#undef SLP
#undef FRG
#undef BTFA
#undef USDT
#undef SEC_DEFS

static bool sec_def_matches(const struct sec_def *def, const char *name)
{
	size_t len = strlen(def->pattern);
	char last = def->pattern[len - 1];

	if (last == '/')
		return strncmp(name, def->pattern, len) == 0;
	if (last == '+') {
		len--;
		if (strncmp(name, def->pattern, len) != 0)
			return false;
		return name[len] == '\0' || name[len] == '/';
	}
	return strcmp(name, def->pattern) == 0;
}

const struct sec_def *sec_def_find(const char *sec_name)
{
	for (size_t i = 0; i < sizeof(sec_defs) / sizeof(sec_defs[0]); i++) {
		if (sec_def_matches(&sec_defs[i], sec_name))
			return &sec_defs[i];
	}
	return NULL;
}

const char *sec_attach_target(const struct sec_def *def, const char *sec_name)
{
	const char *slash;

	if (!def || !(def->flags & SEC_F_TARGET))
		return "";
	slash = strchr(sec_name, '/');
	return slash ? slash + 1 : "";
}

uint32_t sec_prog_flags(const struct sec_def *def)
{
	uint32_t flags = 0;

	if (!def)
		return 0;
	if (def->flags & SEC_F_SLEEPABLE)
		flags |= OBJ_F_SLEEPABLE;
	if ((def->flags & SEC_F_XDP_FRAGS) && def->type == BPFRT_PROG_TYPE_XDP)
		flags |= OBJ_F_XDP_HAS_FRAGS;
	return flags;
}
