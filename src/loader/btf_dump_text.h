/* SPDX-License-Identifier: MIT */
/*
 * src/loader/btf_dump_text.h - the text side of the C dump (btf_dump.c):
 * growable strings, and C identifiers made unique per namespace (names
 * that are C keywords or taken get a suffix). Static functions, included
 * by btf_dump.c only: this is that file's second half, kept apart so each
 * part has one concern.
 */
#ifndef BPFRT_LOADER_BTF_DUMP_TEXT_H
#define BPFRT_LOADER_BTF_DUMP_TEXT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"

/* ---- growable strings ---- */

struct sbuf {
	char *p;
	size_t len, cap;
	bool oom;
};

/* Room for n more bytes and a NUL; false (and oom set) if there is none. */
static bool sb_reserve(struct sbuf *b, size_t n)
{
	size_t cap = b->cap ? b->cap : 64;
	char *np;

	if (b->oom)
		return false;
	if (b->len + n + 1 <= b->cap)
		return true;
	while (b->len + n + 1 > cap)
		cap *= 2;
	np = core_realloc(b->p, cap);
	if (!np) {
		b->oom = true;
		return false;
	}
	b->p = np;
	b->cap = cap;
	return true;
}

static void sb_add(struct sbuf *b, const char *s, size_t n)
{
	if (!sb_reserve(b, n))
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void sb_puts(struct sbuf *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

static void sb_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !sb_reserve(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

static void sb_indent(struct sbuf *b, int n)
{
	while (n-- > 0)
		sb_add(b, "\t", 1);
}

/* Put s in front of what b holds. */
static void sb_prepend(struct sbuf *b, const char *s)
{
	size_t n = strlen(s);

	sb_add(b, s, n); /* grow */
	if (b->oom)
		return;
	memmove(b->p + n, b->p, b->len - n);
	memcpy(b->p, s, n);
}

static void sb_free(struct sbuf *b)
{
	core_free(b->p);
	memset(b, 0, sizeof(*b));
}

/* A C string literal: quotes, backslashes and unprintables escaped. */
static void sb_cstring(struct sbuf *b, const char *s)
{
	sb_add(b, "\"", 1);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			sb_printf(b, "\\%c", c);
		else if (c < 0x20 || c > 0x7e)
			sb_printf(b, "\\%03o", c);
		else
			sb_add(b, (const char *)&c, 1);
	}
	sb_add(b, "\"", 1);
}

/* Text for inside a comment: a "*" "/" pair would end it early. */
static void sb_comment_text(struct sbuf *b, const char *s)
{
	for (; *s; s++) {
		sb_add(b, s, 1);
		if (s[0] == '*' && s[1] == '/')
			sb_add(b, " ", 1);
	}
}

/* ---- C names ---- */

/* Keywords and names the compiler predefines: no BTF name may take them. */
static const char *const reserved_names[] = {
	"_Alignas", "_Alignof", "_Atomic", "_Bool", "_Complex", "_Generic", "_Imaginary",
	"_Noreturn", "_Static_assert", "_Thread_local", "__NSConstantString", "__asm__",
	"__attribute__", "__builtin_ms_va_list", "__builtin_va_list", "__const", "__extension__",
	"__imag__", "__inline", "__inline__", "__int128", "__int128_t", "__label__", "__real__",
	"__restrict", "__restrict__", "__signed__", "__typeof__", "__uint128_t", "__volatile__",
	"asm", "auto", "break", "case", "char", "const", "continue", "default", "do", "double",
	"else", "enum", "extern", "float", "for", "goto", "if", "inline", "int", "linux", "long",
	"register", "restrict", "return", "short", "signed", "sizeof", "static", "struct",
	"switch", "typedef", "typeof", "union", "unix", "unsigned", "void", "volatile", "while",
};

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool is_reserved(const char *s)
{
	return bsearch(&s, reserved_names, sizeof(reserved_names) / sizeof(reserved_names[0]),
		       sizeof(reserved_names[0]), str_cmp) != NULL;
}

/*
 * A C identifier for a BTF name: characters C does not allow become '_'
 * (the kernel allows '.'), and reserved words get a trailing '_'. Writes
 * into buf (size >= 2) and returns it; true in *changed if it differs.
 */
static const char *c_ident(const char *s, char *buf, size_t size, bool *changed)
{
	size_t i = 0;
	bool ch = false;

	if (*s >= '0' && *s <= '9') {
		buf[i++] = '_';
		ch = true;
	}
	for (; *s && i + 2 < size; s++) {
		char c = *s;

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) {
			c = '_';
			ch = true;
		}
		buf[i++] = c;
	}
	if (*s)
		ch = true; /* truncated */
	buf[i] = '\0';
	if (!i) {
		snprintf(buf, size, "_");
		ch = true;
	} else if (is_reserved(buf)) {
		buf[i++] = '_';
		buf[i] = '\0';
		ch = true;
	}
	if (changed)
		*changed = ch;
	return buf;
}

/* A set of names in use; unique() hands out name, name___2, name___3... */
struct nameset {
	char **keys;
	uint32_t *next; /* next suffix to try for this base */
	uint32_t mask;
	uint32_t used;
};

static uint32_t str_hash(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

static int ns_grow(struct nameset *ns)
{
	uint32_t cap = ns->mask ? (ns->mask + 1) * 2 : 1024;
	char **keys = core_calloc(cap, sizeof(*keys));
	uint32_t *next = core_calloc(cap, sizeof(*next));

	if (!keys || !next) {
		core_free(keys);
		core_free(next);
		return -ENOMEM;
	}
	for (uint32_t i = 0; ns->mask && i <= ns->mask; i++) {
		uint32_t h;

		if (!ns->keys[i])
			continue;
		h = str_hash(ns->keys[i]) & (cap - 1);
		while (keys[h])
			h = (h + 1) & (cap - 1);
		keys[h] = ns->keys[i];
		next[h] = ns->next[i];
	}
	core_free(ns->keys);
	core_free(ns->next);
	ns->keys = keys;
	ns->next = next;
	ns->mask = cap - 1;
	return 0;
}

/* Slot of name, or of the empty slot where it would go. */
static uint32_t ns_slot(const struct nameset *ns, const char *name)
{
	uint32_t h = str_hash(name) & ns->mask;

	while (ns->keys[h] && strcmp(ns->keys[h], name))
		h = (h + 1) & ns->mask;
	return h;
}

static bool ns_has(const struct nameset *ns, const char *name)
{
	return ns->mask && ns->keys[ns_slot(ns, name)];
}

/* Add name; returns the stored copy or NULL (out of memory). */
static char *ns_add(struct nameset *ns, const char *name)
{
	uint32_t h;

	if ((ns->used + 1) * 2 > ns->mask + 1 && ns_grow(ns))
		return NULL;
	h = ns_slot(ns, name);
	if (!ns->keys[h]) {
		ns->keys[h] = core_strdup(name);
		if (!ns->keys[h])
			return NULL;
		ns->next[h] = 2;
		ns->used++;
	}
	return ns->keys[h];
}

/* base if free, else base___N for the first free N. */
static char *ns_unique(struct nameset *ns, const char *base)
{
	char buf[600];
	uint32_t h;

	if (!ns_has(ns, base))
		return ns_add(ns, base);
	h = ns_slot(ns, base);
	for (uint32_t n = ns->next[h];; n++) {
		snprintf(buf, sizeof(buf), "%s___%u", base, n);
		if (!ns_has(ns, buf)) {
			ns->next[ns_slot(ns, base)] = n + 1;
			return ns_add(ns, buf);
		}
	}
}

static void ns_free(struct nameset *ns)
{
	for (uint32_t i = 0; ns->mask && i <= ns->mask; i++)
		core_free(ns->keys[i]);
	core_free(ns->keys);
	core_free(ns->next);
	memset(ns, 0, sizeof(*ns));
}

#endif /* BPFRT_LOADER_BTF_DUMP_TEXT_H */
