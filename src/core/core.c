/* SPDX-License-Identifier: MIT */
/* The allocator hook, the print callback and small shared utilities. */
#include "core/core.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *default_alloc(void *ud, void *ptr, size_t size)
{
	(void)ud;
	if (size == 0) {
		free(ptr);
		return NULL;
	}
	return realloc(ptr, size);
}

static bpfrt_alloc_fn alloc_fn = default_alloc;
static void *alloc_ud;

void bpfrt_set_allocator(bpfrt_alloc_fn fn, void *ud)
{
	alloc_fn = fn ? fn : default_alloc;
	alloc_ud = fn ? ud : NULL;
}

void *core_realloc(void *ptr, size_t size)
{
	void *p = alloc_fn(alloc_ud, ptr, size ? size : 1);

	if (!p)
		errno = ENOMEM;
	return p;
}

void *core_malloc(size_t size)
{
	return core_realloc(NULL, size);
}

void *core_calloc(size_t n, size_t size)
{
	void *p;

	if (size && n > SIZE_MAX / size) {
		errno = ENOMEM;
		return NULL;
	}
	p = core_malloc(n * size);
	if (p)
		memset(p, 0, n * size);
	return p;
}

void core_free(void *ptr)
{
	if (ptr)
		alloc_fn(alloc_ud, ptr, 0);
}

void bpfrt_free(void *ptr)
{
	core_free(ptr);
}

char *core_strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = core_malloc(n);

	if (p)
		memcpy(p, s, n);
	return p;
}

static int default_print(enum bpfrt_print_level level, const char *fmt, va_list ap)
{
	if (level > BPFRT_WARN)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static bpfrt_print_fn print_fn = default_print;

bpfrt_print_fn bpfrt_set_print(bpfrt_print_fn fn)
{
	bpfrt_print_fn old = print_fn;

	print_fn = fn;
	return old;
}

void core_print(enum bpfrt_print_level level, const char *fmt, ...)
{
	va_list ap;

	if (!print_fn)
		return;
	va_start(ap, fmt);
	print_fn(level, fmt, ap);
	va_end(ap);
}

void core_log(char *buf, size_t size, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (buf && size) {
		snprintf(buf, size, "%s", msg);
		core_print(BPFRT_DEBUG, "bpfrt: %s\n", msg);
	} else {
		core_print(BPFRT_WARN, "bpfrt: %s\n", msg);
	}
}

int core_opts_valid(const void *opts, size_t user_sz, size_t lib_sz)
{
	const unsigned char *p = opts;

	if (user_sz < sizeof(size_t))
		return -EINVAL;
	/* A newer caller's extra fields must be zero: we don't know them. */
	for (size_t i = lib_sz; i < user_sz; i++)
		if (p[i])
			return -EINVAL;
	return 0;
}

const char *bpfrt_version(void)
{
	return BPFRT_VERSION;
}
