/* SPDX-License-Identifier: MIT */
/*
 * bench/kernel.h - the kernel's eBPF through the raw bpf() syscall: load an
 * XDP program, ask whether it was JIT-compiled, run it with
 * BPF_PROG_TEST_RUN.
 *
 * No libbpf: three commands are all a benchmark needs, and the bench binary
 * links nothing but libbpfrt. struct bpfrt_insn has the kernel's layout, so
 * instructions go to the kernel as they are.
 */
#ifndef BPFRT_BENCH_KERNEL_H
#define BPFRT_BENCH_KERNEL_H

#include <errno.h>
#include <linux/bpf.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bpfrt/insn.h"

static inline int kbpf_sys(int cmd, union bpf_attr *attr)
{
	return (int)syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

/*
 * Load `cnt` instructions as an XDP program. Returns the program fd, or
 * -errno with the verifier's log (if any) in `log`.
 */
static inline int kbpf_load_xdp(const struct bpfrt_insn *insns, size_t cnt, char *log,
				size_t log_size)
{
	union bpf_attr attr;
	int fd;

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_XDP;
	attr.insns = (uint64_t)(uintptr_t)insns;
	attr.insn_cnt = (uint32_t)cnt;
	attr.license = (uint64_t)(uintptr_t)"GPL";
	memcpy(attr.prog_name, "bpfrt_bench", sizeof("bpfrt_bench"));
	fd = kbpf_sys(BPF_PROG_LOAD, &attr);
	if (fd >= 0 || !log || !log_size)
		return fd >= 0 ? fd : -errno;
	/* Load again with the verifier log on, only to explain the refusal. */
	log[0] = '\0';
	attr.log_level = 1;
	attr.log_buf = (uint64_t)(uintptr_t)log;
	attr.log_size = (uint32_t)log_size;
	fd = kbpf_sys(BPF_PROG_LOAD, &attr);
	if (fd >= 0)
		return fd; /* accepted the second time: keep it */
	return -errno;
}

/* What the kernel made of a loaded program. */
struct kbpf_info {
	bool jited;              /* native code, not the kernel's interpreter */
	uint32_t verified_insns; /* instructions the verifier processed */
};

static inline int kbpf_prog_info(int fd, struct kbpf_info *out)
{
	struct bpf_prog_info info;
	union bpf_attr attr;

	memset(&info, 0, sizeof(info));
	memset(&attr, 0, sizeof(attr));
	attr.info.bpf_fd = (uint32_t)fd;
	attr.info.info_len = sizeof(info);
	attr.info.info = (uint64_t)(uintptr_t)&info;
	if (kbpf_sys(BPF_OBJ_GET_INFO_BY_FD, &attr))
		return -errno;
	out->jited = info.jited_prog_len > 0;
	out->verified_insns = info.verified_insns;
	return 0;
}

/*
 * Run the program `repeat` times on `data`. On success *retval is r0 of
 * the (last) run and *duration_ns the mean time per run as the kernel
 * measured it. Returns 0 or -errno.
 */
static inline int kbpf_test_run(int fd, const void *data, uint32_t size, uint32_t repeat,
				uint32_t *retval, uint32_t *duration_ns)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.test.prog_fd = (uint32_t)fd;
	attr.test.data_in = (uint64_t)(uintptr_t)data;
	attr.test.data_size_in = size;
	attr.test.repeat = repeat;
	if (kbpf_sys(BPF_PROG_TEST_RUN, &attr))
		return -errno;
	*retval = attr.test.retval;
	*duration_ns = attr.test.duration;
	return 0;
}

#endif /* BPFRT_BENCH_KERNEL_H */
