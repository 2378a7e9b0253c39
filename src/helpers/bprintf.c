/* SPDX-License-Identifier: MIT */
/*
 * src/helpers/bprintf.c - the formatter of bpf_trace_printk,
 * bpf_trace_vprintk and bpf_snprintf, as the kernel's
 * bpf_bprintf_prepare() (kernel/bpf/helpers.c) and bstr_printf()
 * (lib/vsprintf.c) behave together.
 *
 * The kernel works in two passes and so does this file, because their
 * interplay is visible to programs: prepare() checks the format and packs
 * every argument into a 512-byte staging buffer (ints as 4 or 8 bytes at
 * 4-byte alignment, %c as one byte, strings copied with their NUL, IP
 * addresses pre-formatted as text); format() then walks the format again
 * and reads the arguments back from that buffer. Hence the kernel's limits
 * (-ENOSPC when the staging buffer is full, strings cut to the room left in
 * it) and its quirks (a pre-formatted %pI4 is skipped in the staging buffer
 * only while the output still has room) come out the same.
 *
 * Address spaces: %s and %pks read what helpers_readable() allows (the
 * program's memory and the probe regions), %pus only the probe regions,
 * which stand for the traced process's memory (see task.c).
 *
 * Staging buffer layout, in format order:
 *
 *   %d %i %u %x %X      4 bytes at a 4-aligned offset (u32 of the argument)
 *   %l.. %ll.. %p %pK.. 8 bytes at a 4-aligned offset
 *   %c                  1 byte
 *   %s %pks %pus        the string and its NUL (cut to the room left)
 *   %pI4 %pi4 %pI6 %pi6 the address as text and its NUL
 *   %pB                 "0x<hex>" and its NUL
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "helpers/helpers_int.h"

#define BIN_ARGS 512 /* the kernel's MAX_BPRINTF_BIN_ARGS */
/* Slack after the staging buffer: reads past it (kernel quirks) see zeros. */
#define BIN_SLACK 64

/* ---- pass 1: bpf_bprintf_prepare() ---- */

struct bin {
	uint8_t b[BIN_ARGS + BIN_SLACK];
	long t; /* next free offset; may pass BIN_ARGS after a %pI4 (as in the kernel) */
};

static long room(const struct bin *bin)
{
	return BIN_ARGS - bin->t;
}

/* An int or pointer argument of `size` (4 or 8) bytes. */
static int put_num(struct bin *bin, uint64_t v, unsigned int size)
{
	bin->t = (bin->t + 3) & ~3L;
	if (room(bin) < (long)size)
		return -ENOSPC;
	if (size == 8)
		memcpy(bin->b + bin->t, &v, 8);
	else {
		uint32_t w = (uint32_t)v;

		memcpy(bin->b + bin->t, &w, 4);
	}
	bin->t += size;
	return 0;
}

/* ip4_string() / ip6_string() of lib/vsprintf.c. */
static int ip_text(char *out, size_t size, const uint8_t *a, char kind, char ver)
{
	if (ver == '4') {
		if (kind == 'i')
			return snprintf(out, size, "%03u.%03u.%03u.%03u", a[0], a[1], a[2], a[3]);
		return snprintf(out, size, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
	}
	char text[40];
	size_t n = 0;

	for (int i = 0; i < 16; i += 2) {
		n += (size_t)snprintf(text + n, sizeof(text) - n, "%02x%02x", a[i], a[i + 1]);
		if (kind == 'I' && i != 14)
			text[n++] = ':';
	}
	text[n] = 0;
	return snprintf(out, size, "%s", text);
}

static int prepare(struct bpfrt_run *run, const char *fmt, size_t fmt_size, const uint64_t *args,
		   uint32_t num_args, struct bin *bin)
{
	uint32_t num_spec = 0;

	for (size_t i = 0; i < fmt_size; i++) {
		unsigned char c = (unsigned char)fmt[i];
		unsigned int arg_size;
		char ptype;

		if ((!kc_isprint(c) && !kc_isspace(c)) || c >= 0x80)
			return -EINVAL;
		if (c != '%')
			continue;
		if (fmt[i + 1] == '%') {
			i++;
			continue;
		}
		if (num_spec >= num_args)
			return -EINVAL;

		/* fmt is NUL-terminated: fmt[i + 1] can always be read. */
		i++;
		/* Optional "[0 +-][num]" width; no precision, no '#'. */
		while (fmt[i] == '0' || fmt[i] == '+' || fmt[i] == '-' || fmt[i] == ' ')
			i++;
		if (fmt[i] >= '1' && fmt[i] <= '9') {
			i++;
			while (kc_isdigit((unsigned char)fmt[i]))
				i++;
		}

		if (fmt[i] == 'p') {
			unsigned char n = (unsigned char)fmt[i + 1];

			if ((n == 'k' || n == 'u') && fmt[i + 2] == 's') {
				ptype = (char)n;
				i += 2;
				goto fmt_str;
			}
			if (n == 0 || kc_isspace(n) || kc_ispunct(n) || n == 'K' || n == 'x' ||
			    n == 's' || n == 'S') {
				/* Just the pointer's value. */
				i++;
				arg_size = 8;
				goto put;
			}
			if (n == 'B') {
				/* Pre-formatted: no symbols here, so its address. */
				int len;

				if (room(bin) <= 0)
					return -ENOSPC;
				len = snprintf((char *)bin->b + bin->t, (size_t)room(bin), "0x%llx",
					       (unsigned long long)args[num_spec]);
				bin->t += len + 1;
				i++;
				num_spec++;
				continue;
			}
			/* Only %pI4, %pi4, %pI6 and %pi6. */
			if ((n != 'i' && n != 'I') || (fmt[i + 2] != '4' && fmt[i + 2] != '6'))
				return -EINVAL;
			i += 2;

			unsigned int ip_size = fmt[i] == '4' ? 4 : 16;
			uint8_t ip[16] = { 0 };
			int len;

			if (room(bin) < (long)ip_size)
				return -ENOSPC;
			/* An unreadable address prints as zeros, as in the kernel. */
			if (helpers_readable(run, args[num_spec], ip_size))
				memcpy(ip, HELPER_PTR(args[num_spec]), ip_size);
			len = ip_text((char *)bin->b + bin->t, (size_t)room(bin), ip, (char)n,
				      fmt[i]);
			bin->t += len + 1;
			num_spec++;
			continue;
		} else if (fmt[i] == 's') {
			ptype = 's';
fmt_str:
			{
				unsigned char n = (unsigned char)fmt[i + 1];
				long len;

				if (n != 0 && !kc_isspace(n) && !kc_ispunct(n))
					return -EINVAL;
				if (room(bin) <= 0)
					return -ENOSPC;
				/*
				 * %pus reads user memory: the probe regions only (the
				 * program's own memory is "kernel" memory, which the
				 * kernel's strncpy_from_user_nofault() refuses).
				 */
				len = helpers_copy_str(run, (char *)bin->b + bin->t,
						       args[num_spec], (uint32_t)room(bin),
						       ptype == 'u');
				if (len < 0) {
					bin->b[bin->t] = 0;
					len = 1;
				}
				bin->t += len;
				num_spec++;
				continue;
			}
		} else if (fmt[i] == 'c') {
			if (room(bin) <= 0)
				return -ENOSPC;
			bin->b[bin->t++] = (uint8_t)args[num_spec];
			num_spec++;
			continue;
		}

		arg_size = 4;
		if (fmt[i] == 'l') {
			arg_size = 8;
			i++;
		}
		if (fmt[i] == 'l')
			i++;
		if (fmt[i] != 'i' && fmt[i] != 'd' && fmt[i] != 'u' && fmt[i] != 'x' &&
		    fmt[i] != 'X')
			return -EINVAL;
put:
		if (put_num(bin, args[num_spec], arg_size))
			return -ENOSPC;
		num_spec++;
	}
	return 0;
}

/* ---- pass 2: bstr_printf() ---- */

/* Output with snprintf semantics: writes what fits, counts everything. */
struct out {
	char *buf;
	size_t size;
	size_t pos;
};

static void put(struct out *o, char c)
{
	if (o->pos < o->size)
		o->buf[o->pos] = c;
	o->pos++;
}

static void pad(struct out *o, char c, long n)
{
	for (; n > 0 && o->pos < o->size; n--)
		o->buf[o->pos++] = c;
	if (n > 0)
		o->pos += (size_t)n;
}

static void puts_n(struct out *o, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		put(o, s[i]);
}

enum { LEFT = 1, PLUS = 2, SPACE = 4, ZEROPAD = 8, SIGN = 16, SMALL = 32 };

/* The kernel's struct printf_spec, as far as BPF formats can set it. */
struct spec {
	unsigned int flags;
	int width; /* -1: none */
	unsigned int base;
};

/* lib/vsprintf.c number(), without precision and '#' (BPF formats have neither). */
static void number(struct out *o, uint64_t num, struct spec s)
{
	static const char upper[] = "0123456789ABCDEF";
	char tmp[24], sign = 0;
	long width = s.width;
	int i = 0;

	if (s.flags & LEFT)
		s.flags &= ~(unsigned int)ZEROPAD;
	if (s.flags & SIGN) {
		if ((int64_t)num < 0) {
			sign = '-';
			num = -num;
			width--;
		} else if (s.flags & PLUS) {
			sign = '+';
			width--;
		} else if (s.flags & SPACE) {
			sign = ' ';
			width--;
		}
	}
	do {
		tmp[i++] = (char)(upper[num % s.base] | ((s.flags & SMALL) ? 0x20 : 0));
		num /= s.base;
	} while (num);

	width -= i;
	if (!(s.flags & (ZEROPAD | LEFT))) {
		pad(o, ' ', width);
		width = 0;
	}
	if (sign)
		put(o, sign);
	if (!(s.flags & LEFT)) {
		pad(o, (s.flags & ZEROPAD) ? '0' : ' ', width);
		width = 0;
	}
	while (--i >= 0)
		put(o, tmp[i]);
	pad(o, ' ', width);
}

/* string() and widen_string(): pad with spaces to the width. */
static void string(struct out *o, const char *s, size_t len, struct spec sp)
{
	long spaces = sp.width > (long)len ? sp.width - (long)len : 0;

	if (!(sp.flags & LEFT))
		pad(o, ' ', spaces);
	puts_n(o, s, len);
	if (sp.flags & LEFT)
		pad(o, ' ', spaces);
}

/* The staging buffer, read back as bstr_printf's get_arg() does. */
struct args {
	const uint8_t *b;
	size_t off;
};

static uint64_t get_arg(struct args *a, unsigned int size)
{
	uint64_t v = 0;

	if (size > 1)
		a->off = (a->off + 3) & ~(size_t)3;
	if (a->off + size <= BIN_ARGS + BIN_SLACK)
		memcpy(&v, a->b + a->off, size); /* little-endian host */
	a->off += size;
	return v;
}

static size_t arg_strlen(const struct args *a)
{
	if (a->off >= BIN_ARGS + BIN_SLACK)
		return 0;
	return strnlen((const char *)a->b + a->off, BIN_ARGS + BIN_SLACK - a->off);
}

/* pointer(): what %p and its extensions print for a value. */
static void pointer(struct out *o, char ext, uint64_t ptr, struct spec sp)
{
	if (ext == 's' || ext == 'S') {
		char text[24];
		int n = snprintf(text, sizeof(text), "0x%llx", (unsigned long long)ptr);

		string(o, text, (size_t)n, sp);
		return;
	}
	/* 'x', and (unhashed here) plain %p and 'K': pointer_string(). */
	sp.base = 16;
	sp.flags |= SMALL;
	if (sp.width == -1) {
		sp.width = 16;
		sp.flags |= ZEROPAD;
	}
	number(o, ptr, sp);
}

/* The kernel clamps field widths to its 24-bit field (FIELD_WIDTH_MAX). */
#define FIELD_WIDTH_MAX ((1 << 23) - 1)

static void format(struct out *o, const char *fmt, const uint8_t *bin)
{
	struct args a = { .b = bin };

	while (*fmt) {
		struct spec sp = { .width = -1, .base = 10 };
		unsigned int qual = 0;
		char conv;

		if (*fmt != '%') {
			const char *end = strchr(fmt, '%');
			size_t n = end ? (size_t)(end - fmt) : strlen(fmt);

			puts_n(o, fmt, n);
			fmt += n;
			continue;
		}
		if (fmt[1] == '%') {
			put(o, '%');
			fmt += 2;
			continue;
		}
		fmt++;
		for (;; fmt++) {
			if (*fmt == '-')
				sp.flags |= LEFT;
			else if (*fmt == '+')
				sp.flags |= PLUS;
			else if (*fmt == ' ')
				sp.flags |= SPACE;
			else if (*fmt == '0')
				sp.flags |= ZEROPAD;
			else
				break;
		}
		if (kc_isdigit((unsigned char)*fmt)) {
			long w = 0;

			while (kc_isdigit((unsigned char)*fmt)) {
				if (w <= FIELD_WIDTH_MAX)
					w = w * 10 + (*fmt - '0');
				fmt++;
			}
			sp.width = w > FIELD_WIDTH_MAX ? FIELD_WIDTH_MAX : (int)w;
		}
		while (*fmt == 'l') {
			qual++;
			fmt++;
		}
		conv = *fmt++;
		switch (conv) {
		case 'c': {
			/* width - 1 spaces before the character, or after it with '-'. */
			long spaces = sp.width > 1 ? sp.width - 1 : 0;
			char c;

			if (!(sp.flags & LEFT))
				pad(o, ' ', spaces);
			c = (char)get_arg(&a, 1);
			put(o, c);
			if (sp.flags & LEFT)
				pad(o, ' ', spaces);
			break;
		}
		case 's': {
			size_t n = arg_strlen(&a);

			string(o, (const char *)a.b + a.off, n, sp);
			a.off += n + 1;
			break;
		}
		case 'p': {
			char ext = *fmt;

			if (ext == 's' || ext == 'S' || ext == 'x' || ext == 'K' ||
			    !kc_isalnum((unsigned char)ext)) {
				pointer(o, ext, get_arg(&a, 8), sp);
			} else if (o->pos < o->size) {
				/*
				 * Pre-formatted in pass 1 (%pI4, %pks, %pB...), copied
				 * without width. As in the kernel, the staging buffer
				 * moves on only while the output has room.
				 */
				size_t n = arg_strlen(&a);

				puts_n(o, (const char *)a.b + a.off, n);
				a.off += n + 1;
			}
			while (kc_isalnum((unsigned char)*fmt))
				fmt++;
			break;
		}
		default: { /* d i u x X, checked by prepare() */
			uint64_t num;

			if (conv == 'd' || conv == 'i')
				sp.flags |= SIGN;
			if (conv == 'x' || conv == 'X') {
				sp.base = 16;
				if (conv == 'x')
					sp.flags |= SMALL;
			}
			if (qual) {
				num = get_arg(&a, 8);
			} else {
				uint32_t v = (uint32_t)get_arg(&a, 4);

				num = (sp.flags & SIGN) ? (uint64_t)(int64_t)(int32_t)v : v;
			}
			number(o, num, sp);
			break;
		}
		}
	}
}

int helpers_bprintf(struct bpfrt_run *run, const char *fmt, uint32_t fmt_size,
		    const uint64_t *args, uint32_t num_args, char *out, uint32_t out_size)
{
	struct bin bin;
	struct out o = { .buf = out, .size = out_size };
	size_t len = strnlen(fmt, fmt_size);
	int err;

	if (len == fmt_size)
		return -EINVAL; /* no NUL within fmt_size */
	memset(&bin, 0, sizeof(bin));
	err = prepare(run, fmt, len, args, num_args, &bin);
	if (err)
		return err;
	format(&o, fmt, bin.b);
	if (out_size > 0)
		out[o.pos < o.size ? o.pos : o.size - 1] = 0;
	return o.pos > INT32_MAX ? INT32_MAX : (int)o.pos;
}
