/* SPDX-License-Identifier: MIT */
/*
 * bpfrt/bpfrt.h - umbrella header: version, diagnostics, memory.
 *
 * Error rule for the whole API: functions returning int return 0 (or a
 * count) on success and -errno on failure; functions returning a pointer
 * return NULL and set errno. Human-readable messages go to the print
 * callback below or into a caller-supplied log buffer; the library never
 * hands out heap strings, never exits and never aborts.
 */
#ifndef BPFRT_BPFRT_H
#define BPFRT_BPFRT_H

#include <stdarg.h>
#include <stddef.h>

#include "bpfrt/insn.h"
#include "bpfrt/vm.h"
#include "bpfrt/asm.h"
#include "bpfrt/map.h"
#include "bpfrt/object.h"

#ifdef __cplusplus
extern "C" {
#endif

#define BPFRT_VERSION_MAJOR 0
#define BPFRT_VERSION_MINOR 1
#define BPFRT_VERSION_PATCH 0
#define BPFRT_VERSION "0.1.0"

/* The library's version string, e.g. "0.1.0". */
const char *bpfrt_version(void);

enum bpfrt_print_level {
	BPFRT_WARN,
	BPFRT_INFO,
	BPFRT_DEBUG,
};

typedef int (*bpfrt_print_fn)(enum bpfrt_print_level level, const char *fmt, va_list ap);

/*
 * Set the one callback through which the library reports diagnostics
 * (NULL silences it). Returns the previous callback. The default prints
 * warnings to stderr.
 */
bpfrt_print_fn bpfrt_set_print(bpfrt_print_fn fn);

/*
 * The allocator hook, in the style of Lua's lua_Alloc: called as
 * realloc (size > 0) or free (size == 0, returns NULL). Every allocation
 * the library makes goes through it. Set it before creating any handle;
 * NULL restores the default (libc realloc/free).
 */
typedef void *(*bpfrt_alloc_fn)(void *ud, void *ptr, size_t size);
void bpfrt_set_allocator(bpfrt_alloc_fn fn, void *ud);

/* Free memory the library returned to the caller (e.g. from bpfrt_asm()). */
void bpfrt_free(void *ptr);

#ifdef __cplusplus
}
#endif

#endif /* BPFRT_BPFRT_H */
