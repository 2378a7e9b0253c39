/* SPDX-License-Identifier: MIT */
/*
 * src/core/core.h - what every module shares: memory through the allocator
 * hook, diagnostics through the print callback.
 */
#ifndef BPFRT_CORE_H
#define BPFRT_CORE_H

#include <stdarg.h>
#include <stddef.h>

#include "bpfrt/bpfrt.h"

/* Allocation through the hook. Sizes of 0 are rounded up to 1. */
void *core_malloc(size_t size);
void *core_calloc(size_t n, size_t size); /* NULL on overflow */
void *core_realloc(void *ptr, size_t size);
void core_free(void *ptr);
char *core_strdup(const char *s);

/* Report through the print callback. */
void core_print(enum bpfrt_print_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Format a message into a caller-supplied log buffer and report it through
 * the print callback: as a warning when there is no buffer (the caller would
 * not see it otherwise), as debug output when there is one.
 */
void core_log(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Check the size prefix of an options struct: 0 if acceptable, -EINVAL. */
int core_opts_valid(const void *opts, size_t user_sz, size_t lib_sz);

#define CORE_OPTS_VALID(opts) \
	((opts) == NULL || core_opts_valid((opts), (opts)->sz, sizeof(*(opts))) == 0)

#endif /* BPFRT_CORE_H */
