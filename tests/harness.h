/* SPDX-License-Identifier: MIT */
/*
 * tests/harness.h - the tiny protocol every test binary speaks.
 *
 * Each check prints one line: "PASS: name", "FAIL: name: why" or
 * "SKIP: name: why". tests/run.sh counts them across binaries and prints
 * the closing "N passed, N failed, N skipped". A binary exits non-zero if
 * any of its checks failed.
 */
#ifndef BPFRT_TESTS_HARNESS_H
#define BPFRT_TESTS_HARNESS_H

#include <stdarg.h>
#include <stdio.h>

static int t_failed, t_passed, t_skipped;

__attribute__((format(printf, 1, 2), unused)) static void t_pass(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("PASS: ", stdout);
	vprintf(fmt, ap);
	fputc('\n', stdout);
	va_end(ap);
	t_passed++;
}

__attribute__((format(printf, 1, 2), unused)) static void t_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("FAIL: ", stdout);
	vprintf(fmt, ap);
	fputc('\n', stdout);
	va_end(ap);
	t_failed++;
}

__attribute__((format(printf, 1, 2), unused)) static void t_skip(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("SKIP: ", stdout);
	vprintf(fmt, ap);
	fputc('\n', stdout);
	va_end(ap);
	t_skipped++;
}

/* Record a check: passes when cond holds. */
#define T_CHECK(cond, ...) ((cond) ? t_pass(__VA_ARGS__) : t_fail(__VA_ARGS__))

/* Exit status for main(). */
__attribute__((unused)) static int t_exit(void)
{
	fflush(stdout);
	return t_failed ? 1 : 0;
}

#endif /* BPFRT_TESTS_HARNESS_H */
