/* SPDX-License-Identifier: MIT */
/*
 * src/maps/jhash.h - the kernel's jhash (Bob Jenkins' lookup3), as
 * include/linux/jhash.h computes it, so that maps hashing with it (hash.c's
 * buckets, bloom.c's bits) reach the kernel's results bit for bit when the
 * seed is the kernel's (BPF_F_ZERO_SEED: 0).
 *
 * jhash2(): a key of `words` 32-bit words (host order, any alignment).
 * jhash():  a key of `len` bytes; the tail is read byte by byte as
 *           little-endian words, as the kernel does.
 */
#ifndef BPFRT_MAPS_JHASH_H
#define BPFRT_MAPS_JHASH_H

#include <stdint.h>
#include <string.h>

#define JHASH_INITVAL 0xdeadbeefU

static inline uint32_t jhash_rol32(uint32_t w, unsigned int s)
{
	return (w << s) | (w >> (32 - s));
}

static inline uint32_t jhash_load32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v)); /* keys from a program's stack may be unaligned */
	return v;
}

#define JHASH_MIX(a, b, c) do {                                        \
	a -= c; a ^= jhash_rol32(c, 4);  c += b;                       \
	b -= a; b ^= jhash_rol32(a, 6);  a += c;                       \
	c -= b; c ^= jhash_rol32(b, 8);  b += a;                       \
	a -= c; a ^= jhash_rol32(c, 16); c += b;                       \
	b -= a; b ^= jhash_rol32(a, 19); a += c;                       \
	c -= b; c ^= jhash_rol32(b, 4);  b += a;                       \
} while (0)

#define JHASH_FINAL(a, b, c) do {                                      \
	c ^= b; c -= jhash_rol32(b, 14);                               \
	a ^= c; a -= jhash_rol32(c, 11);                               \
	b ^= a; b -= jhash_rol32(a, 25);                               \
	c ^= b; c -= jhash_rol32(b, 16);                               \
	a ^= c; a -= jhash_rol32(c, 4);                                \
	b ^= a; b -= jhash_rol32(a, 14);                               \
	c ^= b; c -= jhash_rol32(b, 24);                               \
} while (0)

static inline uint32_t jhash2(const void *key, uint32_t words, uint32_t seed)
{
	const unsigned char *k = key;
	uint32_t a, b, c;

	a = b = c = JHASH_INITVAL + (words << 2) + seed;
	for (; words > 3; words -= 3, k += 12) {
		a += jhash_load32(k);
		b += jhash_load32(k + 4);
		c += jhash_load32(k + 8);
		JHASH_MIX(a, b, c);
	}
	switch (words) {
	case 3: c += jhash_load32(k + 8); /* fall through */
	case 2: b += jhash_load32(k + 4); /* fall through */
	case 1: a += jhash_load32(k);
		JHASH_FINAL(a, b, c);
		break;
	default:
		break;
	}
	return c;
}

static inline uint32_t jhash(const void *key, uint32_t len, uint32_t seed)
{
	const unsigned char *k = key;
	uint32_t a, b, c;

	a = b = c = JHASH_INITVAL + len + seed;
	for (; len > 12; len -= 12, k += 12) {
		a += jhash_load32(k);
		b += jhash_load32(k + 4);
		c += jhash_load32(k + 8);
		JHASH_MIX(a, b, c);
	}
	switch (len) {
	case 12: c += (uint32_t)k[11] << 24; /* fall through */
	case 11: c += (uint32_t)k[10] << 16; /* fall through */
	case 10: c += (uint32_t)k[9] << 8;   /* fall through */
	case 9:  c += k[8];                  /* fall through */
	case 8:  b += (uint32_t)k[7] << 24;  /* fall through */
	case 7:  b += (uint32_t)k[6] << 16;  /* fall through */
	case 6:  b += (uint32_t)k[5] << 8;   /* fall through */
	case 5:  b += k[4];                  /* fall through */
	case 4:  a += (uint32_t)k[3] << 24;  /* fall through */
	case 3:  a += (uint32_t)k[2] << 16;  /* fall through */
	case 2:  a += (uint32_t)k[1] << 8;   /* fall through */
	case 1:  a += k[0];
		JHASH_FINAL(a, b, c);
		break;
	default:
		break;
	}
	return c;
}

#undef JHASH_MIX
#undef JHASH_FINAL
#undef JHASH_INITVAL

#endif /* BPFRT_MAPS_JHASH_H */
