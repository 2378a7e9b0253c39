/* SPDX-License-Identifier: MIT */
/*
 * src/helpers/task.c - "the current task" and the memory it may read:
 * get_current_pid_tgid / uid_gid / comm / task / task_btf from the run's
 * environment (or the calling thread), the probe_read* family against the
 * environment's probe regions, and the memory checks the other families
 * share (helpers_int.h).
 */
#include <errno.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "helpers/helpers_int.h"

static const struct bpfrt_env default_env = { .sz = sizeof(struct bpfrt_env) };

const struct bpfrt_env *helpers_env(const struct bpfrt_run *run)
{
	return run && run->env ? run->env : &default_env;
}

bool helpers_probe_ok(const struct bpfrt_env *env, uint64_t addr, uint64_t size)
{
	const struct bpfrt_region *r = HELPERS_ENV(env, probe_regions);
	size_t cnt = HELPERS_ENV(env, probe_region_cnt);

	if (addr + size < addr)
		return false;
	for (size_t i = 0; r && i < cnt; i++) {
		uint64_t start = (uint64_t)(uintptr_t)r[i].addr;

		if (addr >= start && addr - start <= r[i].size && size <= r[i].size - (addr - start))
			return true;
	}
	return false;
}

/* The first page: NULL and small integers are never memory. */
#define NULL_PAGE 4096

bool helpers_readable(const struct bpfrt_run *run, uint64_t addr, uint64_t size)
{
	if (addr < NULL_PAGE || addr + size < addr)
		return false;
	if (helpers_probe_ok(helpers_env(run), addr, size))
		return true;
	return bpfrt_run__mem_ok(run, addr, size, false);
}

static bool can_read(struct bpfrt_run *run, uint64_t addr, uint64_t size, bool probe_only)
{
	if (probe_only)
		return helpers_probe_ok(helpers_env(run), addr, size);
	return helpers_readable(run, addr, size);
}

long helpers_copy_str(struct bpfrt_run *run, char *dst, uint64_t addr, uint32_t size,
		      bool probe_only)
{
	const char *src = HELPER_PTR(addr);
	const char *nul;

	if (size == 0)
		return 0;
	/* Fast path: all of [addr, addr + size) may be read. */
	if (can_read(run, addr, size, probe_only)) {
		nul = memchr(src, 0, size);
		if (nul) {
			memcpy(dst, src, (size_t)(nul - src) + 1);
			return nul - src + 1;
		}
		memcpy(dst, src, size - 1);
		dst[size - 1] = 0;
		return size;
	}
	/* Byte by byte, up to the first one that may not be read. */
	for (uint32_t i = 0; i < size; i++) {
		if (!can_read(run, addr + i, 1, probe_only)) {
			dst[0] = 0;
			return -EFAULT;
		}
		dst[i] = src[i];
		if (!dst[i])
			return (long)i + 1;
	}
	dst[size - 1] = 0;
	return size;
}

/* ---- the current task ---- */

HELPER_FN(get_current_pid_tgid)
{
	const struct bpfrt_env *env = helpers_env(run);

	HELPER_UNUSED();
	if (HELPERS_ENV(env, task_set))
		return HELPERS_ENV(env, pid_tgid);
	return (uint64_t)getpid() << 32 | (uint32_t)syscall(SYS_gettid);
}

const struct bpfrt_helper_proto helper_get_current_pid_tgid_proto = {
	.name = "get_current_pid_tgid",
	.fn = h_get_current_pid_tgid,
	.ret = BPFRT_RET_INTEGER,
};

HELPER_FN(get_current_uid_gid)
{
	const struct bpfrt_env *env = helpers_env(run);

	HELPER_UNUSED();
	if (HELPERS_ENV(env, task_set))
		return HELPERS_ENV(env, uid_gid);
	return (uint64_t)getgid() << 32 | getuid();
}

const struct bpfrt_helper_proto helper_get_current_uid_gid_proto = {
	.name = "get_current_uid_gid",
	.fn = h_get_current_uid_gid,
	.ret = BPFRT_RET_INTEGER,
};

/*
 * bpf_get_current_comm(buf, size): strscpy_pad() of the comm: at most
 * size - 1 bytes, a NUL, zeros to the end of buf. Returns 0.
 */
HELPER_FN(get_current_comm)
{
	const struct bpfrt_env *env = helpers_env(run);
	char comm[17] = { 0 };
	char *buf = HELPER_PTR(r1);
	uint32_t size = (uint32_t)r2;
	size_t n;

	HELPER_UNUSED();
	if (size == 0)
		return 0; /* the verifier refuses it; strscpy_pad() writes nothing */
	if (HELPERS_ENV_HAS(env, comm) && env->task_set)
		memcpy(comm, env->comm, sizeof(env->comm));
	else
		prctl(PR_GET_NAME, comm);
	comm[16] = 0;
	n = strnlen(comm, 16);
	if (n > size - 1)
		n = size - 1;
	memcpy(buf, comm, n);
	memset(buf + n, 0, size - n);
	return 0;
}

const struct bpfrt_helper_proto helper_get_current_comm_proto = {
	.name = "get_current_comm",
	.fn = h_get_current_comm,
	.ret = BPFRT_RET_INTEGER,
	.args = { BPFRT_ARG_PTR_TO_UNINIT_MEM, BPFRT_ARG_CONST_SIZE },
};

HELPER_FN(get_current_task)
{
	HELPER_UNUSED();
	return HELPERS_ENV(helpers_env(run), task);
}

const struct bpfrt_helper_proto helper_get_current_task_proto = {
	.name = "get_current_task",
	.fn = h_get_current_task,
	.ret = BPFRT_RET_INTEGER,
	.flags = BPFRT_HELPER_GPL_ONLY,
};

const struct bpfrt_helper_proto helper_get_current_task_btf_proto = {
	.name = "get_current_task_btf",
	.fn = h_get_current_task,
	.ret = BPFRT_RET_PTR_TO_BTF_ID,
	.flags = BPFRT_HELPER_GPL_ONLY,
};

/* ---- probe_read*: only env->probe_regions may be read ---- */

/*
 * copy_from_kernel_nofault() as the helpers use it: 0, or -EFAULT with
 * dst zeroed.
 */
HELPER_FN(probe_read)
{
	void *dst = HELPER_PTR(r1);
	uint32_t size = (uint32_t)r2;

	HELPER_UNUSED();
	if (size == 0)
		return 0;
	if (!helpers_probe_ok(helpers_env(run), r3, size)) {
		memset(dst, 0, size);
		return HELPER_ERR(EFAULT);
	}
	memmove(dst, HELPER_PTR(r3), size);
	return 0;
}

/*
 * strncpy_from_*_nofault() as the helpers use it: the length copied with
 * its NUL (size when cut), or -EFAULT with dst zeroed.
 */
HELPER_FN(probe_read_str)
{
	char *dst = HELPER_PTR(r1);
	uint32_t size = (uint32_t)r2;
	long n;

	HELPER_UNUSED();
	n = helpers_copy_str(run, dst, r3, size, true);
	if (n < 0)
		memset(dst, 0, size);
	return (uint64_t)(int64_t)n;
}

#define PROBE_PROTO(name_, fn_)                                                             \
	const struct bpfrt_helper_proto helper_##name_##_proto = {                          \
		.name = #name_,                                                             \
		.fn = h_##fn_,                                                                  \
		.ret = BPFRT_RET_INTEGER,                                                   \
		.args = { BPFRT_ARG_PTR_TO_UNINIT_MEM, BPFRT_ARG_CONST_SIZE_OR_ZERO,        \
			  BPFRT_ARG_ANYTHING },                                             \
		.flags = BPFRT_HELPER_GPL_ONLY,                                             \
	};

/* One address space here: the kernel and user forms are the same. */
PROBE_PROTO(probe_read, probe_read)
PROBE_PROTO(probe_read_kernel, probe_read)
PROBE_PROTO(probe_read_user, probe_read)
PROBE_PROTO(probe_read_str, probe_read_str)
PROBE_PROTO(probe_read_kernel_str, probe_read_str)
PROBE_PROTO(probe_read_user_str, probe_read_str)
#undef PROBE_PROTO
