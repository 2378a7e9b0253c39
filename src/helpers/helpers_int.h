/* SPDX-License-Identifier: MIT */
/*
 * src/helpers/helpers_int.h - what the helper families share and nothing
 * outside src/helpers/ needs: the run's environment, the memory a helper
 * may read on a program's behalf, the kernel's ctype, and the formatter of
 * trace_printk / trace_vprintk / snprintf.
 */
#ifndef BPFRT_HELPERS_HELPERS_INT_H
#define BPFRT_HELPERS_HELPERS_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "exec/exec.h"
#include "helpers/helpers.h"

/* Every helper function has this signature; HELPER_FN(x) defines h_x. */
#define HELPER_FN(fn)                                                                     \
	static uint64_t h_##fn(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5, \
			   struct bpfrt_run *run)
#define HELPER_UNUSED(...) ((void)(r1), (void)(r2), (void)(r3), (void)(r4), (void)(r5), (void)(run))

/* A negative errno as the 64-bit value a helper returns in r0. */
#define HELPER_ERR(e) ((uint64_t)(int64_t)-(e))

/* Host pointer of a 64-bit argument. */
#define HELPER_PTR(r) ((void *)(uintptr_t)(r))

/* The run's environment: the caller's, or the all-defaults one. */
const struct bpfrt_env *helpers_env(const struct bpfrt_run *run);

/*
 * Does the caller's env have `field`? (An env from an older caller is
 * shorter: its missing fields read as 0, the default.)
 */
#define HELPERS_ENV_HAS(env, field) \
	((env)->sz >= offsetof(struct bpfrt_env, field) + sizeof((env)->field))
#define HELPERS_ENV(env, field) (HELPERS_ENV_HAS(env, field) ? (env)->field : 0)

/*
 * Is [addr, addr + size) inside one of env->probe_regions? That is all the
 * memory probe_read* may read.
 */
bool helpers_probe_ok(const struct bpfrt_env *env, uint64_t addr, uint64_t size);

/*
 * May a helper read [addr, addr + size) for the program, where the kernel
 * would read "any memory, without faulting" (strings and addresses that
 * trace_printk / snprintf print)? The probe regions and the memory the run
 * may access (bpfrt_run__mem_ok(): everything but the first page for the
 * fast engines, which trust a verifier).
 */
bool helpers_readable(const struct bpfrt_run *run, uint64_t addr, uint64_t size);

/*
 * Copy a NUL-terminated string of at most `size` bytes (NUL included) from
 * addr as the kernel's strncpy_from_kernel_nofault(): returns the length
 * copied with its NUL; a longer string is cut to size - 1 bytes and a NUL
 * and `size` returned; 0 when size is 0; -EFAULT when a byte is not
 * readable (by helpers_readable() if `probe_only` is false, else by
 * helpers_probe_ok()), dst[0] then being NUL.
 */
long helpers_copy_str(struct bpfrt_run *run, char *dst, uint64_t addr, uint32_t size,
		      bool probe_only);

/* The kernel's ctype (lib/ctype.c): ASCII plus Latin-1, 0xa0 is a space. */
static inline bool kc_isspace(unsigned char c)
{
	return (c >= 9 && c <= 13) || c == ' ' || c == 0xa0;
}

static inline bool kc_isdigit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static inline bool kc_isxdigit(unsigned char c)
{
	return kc_isdigit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
}

static inline bool kc_isalnum(unsigned char c)
{
	return kc_isdigit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') ||
	       (c >= 0xc0 && c != 0xd7 && c != 0xf7);
}

static inline bool kc_ispunct(unsigned char c)
{
	return (c >= 0x21 && c <= 0x2f) || (c >= 0x3a && c <= 0x40) || (c >= 0x5b && c <= 0x60) ||
	       (c >= 0x7b && c <= 0x7e) || (c >= 0xa1 && c <= 0xbf) || c == 0xd7 || c == 0xf7;
}

static inline bool kc_isprint(unsigned char c)
{
	return (c >= 0x20 && c <= 0x7e) || c >= 0xa0;
}

/* The kernel's MAX_BPRINTF_VARARGS and MAX_BPRINTF_BUF. */
#define BPRINTF_MAX_VARARGS 12
#define BPRINTF_BUF         1024

/*
 * The kernel's bpf_bprintf_prepare() + bstr_printf(): check `fmt` (NUL
 * within fmt_size bytes, printable ASCII, only the conversions BPF allows,
 * at most num_args of them), fetch what the arguments point at (%s, %pks,
 * %pI4/%pi4/%pI6/%pi6 through helpers_readable(), %pus through
 * helpers_probe_ok(): user memory is the probe regions), and format into
 * out (out_size bytes, NUL-terminated when out_size > 0; out may be NULL
 * when out_size is 0). Returns the length of the whole output without NUL
 * (as snprintf), or -EINVAL (bad format, too few arguments), -ENOSPC
 * (arguments do not fit the kernel's 512-byte staging buffer).
 *
 * Deviations: %p, %pK (hashed by the kernel) print the raw value as %px
 * does; %ps, %pS, %pB print 0x<hex> (no kernel symbols here).
 */
int helpers_bprintf(struct bpfrt_run *run, const char *fmt, uint32_t fmt_size,
		    const uint64_t *args, uint32_t num_args, char *out, uint32_t out_size);

#endif /* BPFRT_HELPERS_HELPERS_INT_H */
