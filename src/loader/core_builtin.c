// SPDX-License-Identifier: MIT
/*
 * src/loader/core_builtin.c - bpfrt's own BTF: the context types of its
 * program types (struct __sk_buff, xdp_md, bpf_sock, bpf_flow_keys,
 * pt_regs for x86-64) and the usual integer typedefs (u8..s64, __u8..__s64).
 *
 * The bytes are the .BTF section of src/loader/gen/builtin_types.bpf.c as
 * clang compiles it, embedded at build time as builtin_btf.inc (see the
 * Makefile). A build without the generated file still links; the BTF is
 * then reported missing (ENOENT) and CO-RE needs an explicit target.
 */
#include <errno.h>
#include <stdio.h>

#include "core/core.h"
#include "loader/core.h"

#if defined(__has_include)
#if __has_include("builtin_btf.inc")
#define HAVE_BUILTIN_BTF 1
#endif
#endif

#ifdef HAVE_BUILTIN_BTF
static const unsigned char builtin_btf[] __attribute__((aligned(8))) = {
#include "builtin_btf.inc"
};
#endif

static struct bpfrt_btf *parsed;

const struct bpfrt_btf *core_builtin_btf(void)
{
#ifdef HAVE_BUILTIN_BTF
	struct bpfrt_btf *btf, *expected = NULL;
	char log[256];

	btf = __atomic_load_n(&parsed, __ATOMIC_ACQUIRE);
	if (btf)
		return btf;
	btf = bpfrt_btf__parse(builtin_btf, sizeof(builtin_btf), log, sizeof(log));
	if (!btf) {
		int err = errno;

		core_print(BPFRT_WARN, "bpfrt: built-in BTF rejected: %s\n", log);
		errno = err;
		return NULL;
	}
	/*
	 * Parsed once and kept for the life of the process. Two threads may
	 * race to parse it: the first to publish wins, the other frees its copy.
	 */
	if (!__atomic_compare_exchange_n(&parsed, &expected, btf, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE)) {
		bpfrt_btf__free(btf);
		btf = expected;
	}
	return btf;
#else
	(void)parsed;
	errno = ENOENT;
	return NULL;
#endif
}
