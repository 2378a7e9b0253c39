// SPDX-License-Identifier: MIT
/*
 * sectypes: one small program per section-name convention that maps to a
 * program type and expected attach type (cgroup, socket, LSM, iterator,
 * lwt, flow dissector, sk_lookup, syscall, sleepable iterator, ...), to pin
 * down the loader's classification against libbpf's section table.
 */
#include "vmlinux_min.h"
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

struct {
	__uint(type, BPF_MAP_TYPE_SOCKMAP);
	__uint(max_entries, 8);
	__type(key, u32);
	__type(value, u64);
} st_socks SEC(".maps");

SEC("cgroup_skb/ingress")
int st_cg_ingress(struct __sk_buff *skb)
{
	return skb->len < 65536;
}

SEC("cgroup_skb/egress")
int st_cg_egress(struct __sk_buff *skb)
{
	return 1;
}

SEC("cgroup/skb")
int st_cg_skb(struct __sk_buff *skb)
{
	return 1;
}

SEC("cgroup/sock_create")
int st_sock_create(struct bpf_sock *sk)
{
	return sk->type != 3; /* SOCK_RAW */
}

SEC("cgroup/post_bind4")
int st_post_bind4(struct bpf_sock *sk)
{
	return sk->src_port != 7;
}

SEC("cgroup/connect4")
int st_connect4(struct bpf_sock_addr *ctx)
{
	return ctx->user_port != 0;
}

SEC("cgroup/sendmsg6")
int st_sendmsg6(struct bpf_sock_addr *ctx)
{
	return 1;
}

SEC("cgroup/getsockopt")
int st_getsockopt(struct bpf_sockopt *ctx)
{
	return 1;
}

SEC("cgroup/sysctl")
int st_sysctl(struct bpf_sysctl *ctx)
{
	return ctx->write ? 0 : 1;
}

SEC("cgroup/dev")
int st_dev(struct bpf_cgroup_dev_ctx *ctx)
{
	return ctx->major != 1;
}

SEC("sockops")
int st_sockops(struct bpf_sock_ops *skops)
{
	u32 key = skops->local_port & 7;

	if (skops->op == BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB)
		bpf_sock_map_update(skops, &st_socks, &key, BPF_ANY);
	return 1;
}

SEC("sk_skb/stream_parser")
int st_parser(struct __sk_buff *skb)
{
	return skb->len;
}

SEC("sk_skb/stream_verdict")
int st_verdict(struct __sk_buff *skb)
{
	return bpf_sk_redirect_map(skb, &st_socks, 0, 0);
}

SEC("sk_msg")
int st_msg(struct sk_msg_md *msg)
{
	return msg->size > 0 ? SK_PASS : SK_DROP;
}

SEC("sk_lookup")
int st_lookup(struct bpf_sk_lookup *ctx)
{
	return ctx->local_port == 7 ? SK_DROP : SK_PASS;
}

SEC("flow_dissector")
int st_flow(struct __sk_buff *skb)
{
	return BPF_OK;
}

SEC("lwt_in")
int st_lwt_in(struct __sk_buff *skb)
{
	return BPF_OK;
}

SEC("lwt_xmit")
int st_lwt_xmit(struct __sk_buff *skb)
{
	return BPF_OK;
}

SEC("lsm/file_open")
int BPF_PROG(st_lsm_open, struct file *file)
{
	return 0;
}

SEC("iter/task")
int st_iter_task(void *ctx)
{
	return 0;
}

SEC("iter.s/task")
int st_iter_task_sleepable(void *ctx)
{
	return 0;
}

SEC("syscall")
int st_syscall(void *ctx)
{
	return 0;
}

SEC("raw_tp.w/sched_switch")
int st_raw_writable(void *ctx)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
