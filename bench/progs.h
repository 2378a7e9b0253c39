/* SPDX-License-Identifier: MIT */
/*
 * bench/progs.h - the benchmark programs, each written twice: as eBPF (with
 * the insn.h builders) and as the same algorithm in plain C.
 *
 * The eBPF bodies share one calling convention, that of XDP code:
 *
 *   entry:  r1 = packet start, r2 = packet end (one past the last byte)
 *   exit:   r0 = a 32-bit result (the kernel's test_run retval is 32 bits)
 *
 * and bounds-check every packet load against r2 the way the kernel
 * verifier wants it (`if (p + n > end) bail`); every loop is bounded by a
 * counter compared with a constant, so the verifier can walk it. Each
 * engine reaches this convention through a prologue of its own (see
 * bench.c): the kernel reads data/data_end from struct xdp_md, bpfrt turns
 * its (mem, length) pair into (start, end).
 *
 * The C twins take (packet, length) and must compute bit-for-bit what the
 * eBPF body computes, including where it stops on a short packet; bench.c
 * checks that every system agrees with them before timing anything.
 */
#ifndef BPFRT_BENCH_PROGS_H
#define BPFRT_BENCH_PROGS_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bpfrt/insn.h"
#include "pb.h"

#define PKT_LEN 1500

/* The packet: a TLV stream (type 0-7, total length 2-9, random value bytes). */
#define TLV_TYPES  8
#define TLV_WANTED 3

static inline void bench_packet_fill(uint8_t *pkt, size_t len)
{
	uint64_t s = 0x9e3779b97f4a7c15ull; /* xorshift64: same packet every run */
	size_t off = 0;

	for (size_t i = 0; i < len; i++) {
		s ^= s << 13, s ^= s >> 7, s ^= s << 17;
		pkt[i] = (uint8_t)(s >> 24);
	}
	while (off + 2 <= len) {
		s ^= s << 13, s ^= s >> 7, s ^= s << 17;
		pkt[off] = (uint8_t)(s % TLV_TYPES);
		pkt[off + 1] = (uint8_t)(2 + (s >> 8) % 8);
		off += pkt[off + 1];
	}
}

/* Little-endian loads, as an eBPF LDX does them on this (x86-64) host. */
static inline uint32_t ld32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline uint16_t ld16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* Shorthand for the bodies below; #undef'd at the end of this file. */
#define R0  BPFRT_REG_0
#define R1  BPFRT_REG_1
#define R2  BPFRT_REG_2
#define R3  BPFRT_REG_3
#define R4  BPFRT_REG_4
#define R5  BPFRT_REG_5
#define R6  BPFRT_REG_6
#define R7  BPFRT_REG_7
#define R8  BPFRT_REG_8
#define R9  BPFRT_REG_9
#define R10 BPFRT_REG_10
#define E(insn)          pb_emit(b, insn)
#define J(insn, label)   pb_jmp(b, insn, label)
#define L(label)         pb_label(b, label)
#define EXIT             BPFRT_EXIT_INSN()

/* ---- fnv1a: FNV-1a (32-bit) over every byte of the packet ---- */

#define FNV_OFFSET 0x811c9dc5u
#define FNV_PRIME  0x01000193u

static inline void fnv1a_body(struct pb *b)
{
	enum { L_LOOP, L_OUT };

	E(BPFRT_MOV32_IMM(R0, (int32_t)FNV_OFFSET));
	E(BPFRT_MOV64_IMM(R4, 0));                          /* i */
	L(L_LOOP);
	E(BPFRT_MOV64_REG(R3, R1));                         /* p = data + i */
	E(BPFRT_ALU64_REG(BPFRT_ADD, R3, R4));
	E(BPFRT_MOV64_REG(R5, R3));
	E(BPFRT_ALU64_IMM(BPFRT_ADD, R5, 1));
	J(BPFRT_JMP_REG(BPFRT_JGT, R5, R2, 0), L_OUT);      /* p + 1 > end */
	E(BPFRT_LDX_MEM(BPFRT_B, R5, R3, 0));
	E(BPFRT_ALU32_REG(BPFRT_XOR, R0, R5));
	E(BPFRT_ALU32_IMM(BPFRT_MUL, R0, (int32_t)FNV_PRIME));
	E(BPFRT_ALU64_IMM(BPFRT_ADD, R4, 1));
	J(BPFRT_JMP_IMM(BPFRT_JLT, R4, PKT_LEN, 0), L_LOOP);
	L(L_OUT);
	E(EXIT);
}

static uint32_t __attribute__((noinline)) fnv1a_native(const uint8_t *p, size_t len)
{
	size_t n = len < PKT_LEN ? len : PKT_LEN;
	uint32_t h = FNV_OFFSET;

	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * FNV_PRIME;
	return h;
}

/* ---- alu-mix: a multiply / xorshift / rotate mixer on two registers ---- */

#define ALU_ITERS 20000
#define ALU_MUL   0x9e3779b97f4a7c15ull

static inline void alu_mix_body(struct pb *b)
{
	enum { L_LOOP, L_SHORT };

	E(BPFRT_MOV64_REG(R3, R1));                         /* seeds from the packet */
	E(BPFRT_ALU64_IMM(BPFRT_ADD, R3, 8));
	J(BPFRT_JMP_REG(BPFRT_JGT, R3, R2, 0), L_SHORT);
	E(BPFRT_LDX_MEM(BPFRT_W, R6, R1, 0));               /* x */
	E(BPFRT_LDX_MEM(BPFRT_W, R7, R1, 4));               /* y */
	pb_ld_imm64(b, R8, ALU_MUL);
	E(BPFRT_MOV64_IMM(R4, 0));                          /* i */
	L(L_LOOP);
	E(BPFRT_ALU64_REG(BPFRT_MUL, R6, R8));              /* x = x * K + y */
	E(BPFRT_ALU64_REG(BPFRT_ADD, R6, R7));
	E(BPFRT_MOV64_REG(R5, R6));                         /* x ^= x >> 29 */
	E(BPFRT_ALU64_IMM(BPFRT_RSH, R5, 29));
	E(BPFRT_ALU64_REG(BPFRT_XOR, R6, R5));
	E(BPFRT_ALU64_REG(BPFRT_XOR, R7, R6));              /* y = rotl(y ^ x, 7) + i */
	E(BPFRT_MOV64_REG(R5, R7));
	E(BPFRT_ALU64_IMM(BPFRT_RSH, R5, 57));
	E(BPFRT_ALU64_IMM(BPFRT_LSH, R7, 7));
	E(BPFRT_ALU64_REG(BPFRT_OR, R7, R5));
	E(BPFRT_ALU64_REG(BPFRT_ADD, R7, R4));
	E(BPFRT_ALU64_IMM(BPFRT_ADD, R4, 1));
	J(BPFRT_JMP_IMM(BPFRT_JLT, R4, ALU_ITERS, 0), L_LOOP);
	E(BPFRT_MOV64_REG(R0, R6));                         /* fold x ^ y to 32 bits */
	E(BPFRT_ALU64_REG(BPFRT_XOR, R0, R7));
	E(BPFRT_MOV64_REG(R5, R0));
	E(BPFRT_ALU64_IMM(BPFRT_RSH, R5, 32));
	E(BPFRT_ALU32_REG(BPFRT_XOR, R0, R5));
	E(EXIT);
	L(L_SHORT);
	E(BPFRT_MOV64_IMM(R0, 0));
	E(EXIT);
}

static uint32_t __attribute__((noinline)) alu_mix_native(const uint8_t *p, size_t len)
{
	uint64_t x, y, v;

	if (len < 8)
		return 0;
	x = ld32(p);
	y = ld32(p + 4);
	for (uint64_t i = 0; i < ALU_ITERS; i++) {
		x = x * ALU_MUL + y;
		x ^= x >> 29;
		y ^= x;
		y = ((y << 7) | (y >> 57)) + i;
	}
	v = x ^ y;
	return (uint32_t)v ^ (uint32_t)(v >> 32);
}

/*
 * ---- sortnet: Batcher's odd-even merge sort of 32 u32 on the stack ----
 *
 * The 32 words of the packet's first 128 bytes are copied to the stack
 * (a[k] at fp - 128 + 4k), sorted by the network's 191 compare-exchanges,
 * unrolled, and summed as h = h * 31 + a[k] (unsigned order).
 * A network rather than insertion sort: the kernel verifier explores
 * every path of an insertion sort's data-dependent inner loop and gives
 * up at 1M instructions, while a network's branches rejoin at once.
 */
#define SORT_N 32

/*
 * The network, declared once for both versions: X(i, j) orders a[i] <= a[j].
 * The 191 compare-exchanges of Batcher's odd-even merge sort for 32 inputs,
 * in the order of its iterative form (p = 1, 2, 4...; k = p, p/2... 1).
 */
#define SORTNET_PAIRS(X) \
	X(0,1) X(2,3) X(4,5) X(6,7) X(8,9) X(10,11) X(12,13) X(14,15) X(16,17) X(18,19) \
	X(20,21) X(22,23) X(24,25) X(26,27) X(28,29) X(30,31) X(0,2) X(1,3) X(4,6) X(5,7) \
	X(8,10) X(9,11) X(12,14) X(13,15) X(16,18) X(17,19) X(20,22) X(21,23) X(24,26) \
	X(25,27) X(28,30) X(29,31) X(1,2) X(5,6) X(9,10) X(13,14) X(17,18) X(21,22) X(25,26) \
	X(29,30) X(0,4) X(1,5) X(2,6) X(3,7) X(8,12) X(9,13) X(10,14) X(11,15) X(16,20) \
	X(17,21) X(18,22) X(19,23) X(24,28) X(25,29) X(26,30) X(27,31) X(2,4) X(3,5) X(10,12) \
	X(11,13) X(18,20) X(19,21) X(26,28) X(27,29) X(1,2) X(3,4) X(5,6) X(9,10) X(11,12) \
	X(13,14) X(17,18) X(19,20) X(21,22) X(25,26) X(27,28) X(29,30) X(0,8) X(1,9) X(2,10) \
	X(3,11) X(4,12) X(5,13) X(6,14) X(7,15) X(16,24) X(17,25) X(18,26) X(19,27) X(20,28) \
	X(21,29) X(22,30) X(23,31) X(4,8) X(5,9) X(6,10) X(7,11) X(20,24) X(21,25) X(22,26) \
	X(23,27) X(2,4) X(3,5) X(6,8) X(7,9) X(10,12) X(11,13) X(18,20) X(19,21) X(22,24) \
	X(23,25) X(26,28) X(27,29) X(1,2) X(3,4) X(5,6) X(7,8) X(9,10) X(11,12) X(13,14) \
	X(17,18) X(19,20) X(21,22) X(23,24) X(25,26) X(27,28) X(29,30) X(0,16) X(1,17) X(2,18) \
	X(3,19) X(4,20) X(5,21) X(6,22) X(7,23) X(8,24) X(9,25) X(10,26) X(11,27) X(12,28) \
	X(13,29) X(14,30) X(15,31) X(8,16) X(9,17) X(10,18) X(11,19) X(12,20) X(13,21) \
	X(14,22) X(15,23) X(4,8) X(5,9) X(6,10) X(7,11) X(12,16) X(13,17) X(14,18) X(15,19) \
	X(20,24) X(21,25) X(22,26) X(23,27) X(2,4) X(3,5) X(6,8) X(7,9) X(10,12) X(11,13) \
	X(14,16) X(15,17) X(18,20) X(19,21) X(22,24) X(23,25) X(26,28) X(27,29) X(1,2) X(3,4) \
	X(5,6) X(7,8) X(9,10) X(11,12) X(13,14) X(15,16) X(17,18) X(19,20) X(21,22) X(23,24) \
	X(25,26) X(27,28) X(29,30)

static inline void sortnet_body(struct pb *b)
{
	enum { L_COPY, L_SUM, L_SHORT };
#define X(i, j) { i, j },
	static const uint8_t pairs[][2] = { SORTNET_PAIRS(X) };
#undef X

	E(BPFRT_MOV64_REG(R3, R1));
	E(BPFRT_ALU64_IMM(BPFRT_ADD, R3, SORT_N * 4));
	J(BPFRT_JMP_REG(BPFRT_JGT, R3, R2, 0), L_SHORT);
	E(BPFRT_MOV64_IMM(R4, 0));                          /* copy: k = 0 (bytes) */
	L(L_COPY);
	E(BPFRT_MOV64_REG(R3, R1));
	E(BPFRT_ALU64_REG(BPFRT_ADD, R3, R4));
	E(BPFRT_LDX_MEM(BPFRT_W, R5, R3, 0));
	E(BPFRT_MOV64_REG(R3, R10));
	E(BPFRT_ALU64_REG(BPFRT_ADD, R3, R4));
	E(BPFRT_STX_MEM(BPFRT_W, R3, R5, -SORT_N * 4));
	E(BPFRT_ALU64_IMM(BPFRT_ADD, R4, 4));
	J(BPFRT_JMP_IMM(BPFRT_JLT, R4, SORT_N * 4, 0), L_COPY);

	for (size_t c = 0; c < sizeof(pairs) / sizeof(pairs[0]); c++) { /* the network */
		int16_t oi = (int16_t)(-SORT_N * 4 + 4 * pairs[c][0]);
		int16_t oj = (int16_t)(-SORT_N * 4 + 4 * pairs[c][1]);

		E(BPFRT_LDX_MEM(BPFRT_W, R5, R10, oi));
		E(BPFRT_LDX_MEM(BPFRT_W, R6, R10, oj));
		E(BPFRT_JMP_REG(BPFRT_JLE, R5, R6, 2));     /* in order: skip the swap */
		E(BPFRT_STX_MEM(BPFRT_W, R10, R6, oi));
		E(BPFRT_STX_MEM(BPFRT_W, R10, R5, oj));
	}

	E(BPFRT_MOV32_IMM(R0, 0));                          /* checksum */
	E(BPFRT_MOV64_IMM(R4, 0));
	L(L_SUM);
	E(BPFRT_MOV64_REG(R3, R10));
	E(BPFRT_ALU64_REG(BPFRT_ADD, R3, R4));
	E(BPFRT_LDX_MEM(BPFRT_W, R5, R3, -SORT_N * 4));
	E(BPFRT_ALU32_IMM(BPFRT_MUL, R0, 31));
	E(BPFRT_ALU32_REG(BPFRT_ADD, R0, R5));
	E(BPFRT_ALU64_IMM(BPFRT_ADD, R4, 4));
	J(BPFRT_JMP_IMM(BPFRT_JLT, R4, SORT_N * 4, 0), L_SUM);
	E(EXIT);
	L(L_SHORT);
	E(BPFRT_MOV64_IMM(R0, 0));
	E(EXIT);
}

/* The same network, unrolled the same way, with branchless compare-exchanges. */
static uint32_t __attribute__((noinline)) sortnet_native(const uint8_t *p, size_t len)
{
	uint32_t a[SORT_N], h = 0;

	if (len < sizeof(a))
		return 0;
	for (int k = 0; k < SORT_N; k++)
		a[k] = ld32(p + 4 * k);
#define X(i, j)                                   \
	{                                         \
		uint32_t x = a[i], y = a[j];      \
		a[i] = x < y ? x : y;             \
		a[j] = x < y ? y : x;             \
	}
	SORTNET_PAIRS(X)
#undef X
	for (int k = 0; k < SORT_N; k++)
		h = h * 31 + a[k];
	return h;
}

static int cmp_u32(const void *x, const void *y)
{
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;

	return a < b ? -1 : a > b;
}

/* What sortnet must compute, by other means: qsort. */
static uint32_t sortnet_reference(const uint8_t *p, size_t len)
{
	uint32_t a[SORT_N], h = 0;

	if (len < sizeof(a))
		return 0;
	for (int k = 0; k < SORT_N; k++)
		a[k] = ld32(p + 4 * k);
	qsort(a, SORT_N, sizeof(a[0]), cmp_u32);
	for (int k = 0; k < SORT_N; k++)
		h = h * 31 + a[k];
	return h;
}

/* ---- csum: the Internet checksum (RFC 1071) of the packet, host order ---- */

static inline void csum_body(struct pb *b)
{
	enum { L_LOOP, L_FOLD };

	E(BPFRT_MOV64_IMM(R0, 0));
	E(BPFRT_MOV64_IMM(R4, 0));                          /* byte offset */
	L(L_LOOP);
	E(BPFRT_MOV64_REG(R3, R1));
	E(BPFRT_ALU64_REG(BPFRT_ADD, R3, R4));
	E(BPFRT_MOV64_REG(R5, R3));
	E(BPFRT_ALU64_IMM(BPFRT_ADD, R5, 2));
	J(BPFRT_JMP_REG(BPFRT_JGT, R5, R2, 0), L_FOLD);
	E(BPFRT_LDX_MEM(BPFRT_H, R5, R3, 0));
	E(BPFRT_ALU64_REG(BPFRT_ADD, R0, R5));
	E(BPFRT_ALU64_IMM(BPFRT_ADD, R4, 2));
	J(BPFRT_JMP_IMM(BPFRT_JLT, R4, PKT_LEN, 0), L_LOOP);
	L(L_FOLD);                                          /* < 2^26: two folds do */
	for (int i = 0; i < 2; i++) {
		E(BPFRT_MOV64_REG(R5, R0));
		E(BPFRT_ALU64_IMM(BPFRT_RSH, R5, 16));
		E(BPFRT_ALU64_IMM(BPFRT_AND, R0, 0xffff));
		E(BPFRT_ALU64_REG(BPFRT_ADD, R0, R5));
	}
	E(BPFRT_ALU64_IMM(BPFRT_XOR, R0, 0xffff));
	E(EXIT);
}

static uint32_t __attribute__((noinline)) csum_native(const uint8_t *p, size_t len)
{
	size_t n = len < PKT_LEN ? len : PKT_LEN;
	uint64_t sum = 0;

	for (size_t i = 0; i + 2 <= n; i += 2)
		sum += ld16(p + i);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint32_t)sum ^ 0xffff;
}

/*
 * ---- tlv: walk the packet's type-length-value stream ----
 *
 * Counts the TLVs and hashes the first value byte and length of each one
 * of type TLV_WANTED; stops at a length below 2, at the end of the packet
 * or after TLV_MAX of them. Returns h ^ (count << 16).
 */
#define TLV_MAX 512

static inline void tlv_body(struct pb *b)
{
	enum { L_LOOP, L_NEXT, L_OUT };

	E(BPFRT_MOV32_IMM(R0, 0));                          /* h */
	E(BPFRT_MOV64_IMM(R6, 0));                          /* count */
	E(BPFRT_MOV64_IMM(R4, 0));                          /* off */
	E(BPFRT_MOV64_IMM(R9, 0));                          /* iterations */
	L(L_LOOP);
	J(BPFRT_JMP_IMM(BPFRT_JGT, R4, PKT_LEN - 2, 0), L_OUT); /* bounds off for the verifier */
	E(BPFRT_MOV64_REG(R3, R1));
	E(BPFRT_ALU64_REG(BPFRT_ADD, R3, R4));
	E(BPFRT_MOV64_REG(R5, R3));
	E(BPFRT_ALU64_IMM(BPFRT_ADD, R5, 2));
	J(BPFRT_JMP_REG(BPFRT_JGT, R5, R2, 0), L_OUT);
	E(BPFRT_LDX_MEM(BPFRT_B, R7, R3, 0));               /* type */
	E(BPFRT_LDX_MEM(BPFRT_B, R8, R3, 1));               /* length */
	J(BPFRT_JMP_IMM(BPFRT_JLT, R8, 2, 0), L_OUT);
	E(BPFRT_ALU64_IMM(BPFRT_ADD, R6, 1));
	J(BPFRT_JMP_IMM(BPFRT_JNE, R7, TLV_WANTED, 0), L_NEXT);
	E(BPFRT_MOV64_REG(R5, R3));
	E(BPFRT_ALU64_IMM(BPFRT_ADD, R5, 3));
	J(BPFRT_JMP_REG(BPFRT_JGT, R5, R2, 0), L_NEXT);
	E(BPFRT_LDX_MEM(BPFRT_B, R5, R3, 2));
	E(BPFRT_ALU32_IMM(BPFRT_MUL, R0, 31));
	E(BPFRT_ALU32_REG(BPFRT_ADD, R0, R5));
	E(BPFRT_ALU32_REG(BPFRT_ADD, R0, R8));
	L(L_NEXT);
	E(BPFRT_ALU64_REG(BPFRT_ADD, R4, R8));
	E(BPFRT_ALU64_IMM(BPFRT_ADD, R9, 1));
	J(BPFRT_JMP_IMM(BPFRT_JLT, R9, TLV_MAX, 0), L_LOOP);
	L(L_OUT);
	E(BPFRT_ALU32_IMM(BPFRT_LSH, R6, 16));
	E(BPFRT_ALU32_REG(BPFRT_XOR, R0, R6));
	E(EXIT);
}

static uint32_t __attribute__((noinline)) tlv_native(const uint8_t *p, size_t len)
{
	uint32_t h = 0, count = 0;
	size_t off = 0;

	for (int i = 0; i < TLV_MAX; i++) {
		uint8_t type, l;

		if (off > PKT_LEN - 2 || off + 2 > len)
			break;
		type = p[off];
		l = p[off + 1];
		if (l < 2)
			break;
		count++;
		if (type == TLV_WANTED && off + 3 <= len)
			h = h * 31 + p[off + 2] + l;
		off += l;
	}
	return h ^ (count << 16);
}

#undef R0
#undef R1
#undef R2
#undef R3
#undef R4
#undef R5
#undef R6
#undef R7
#undef R8
#undef R9
#undef R10
#undef E
#undef J
#undef L
#undef EXIT

/* ---- the table ---- */

struct bench_prog {
	const char *name;
	const char *kind;   /* "alu", "load", "stack", "branch": the per-engine
			     * summary averages the alu and load programs */
	const char *what;
	void (*body)(struct pb *b);
	uint32_t (*native)(const uint8_t *pkt, size_t len);
	/* Optional: the same result computed another way, to check `native`. */
	uint32_t (*reference)(const uint8_t *pkt, size_t len);
};

static const struct bench_prog bench_progs[] = {
	{ "fnv1a", "load", "FNV-1a hash over every byte of the 1500-byte packet",
	  fnv1a_body, fnv1a_native, NULL },
	{ "alu-mix", "alu", "20,000 rounds of mul/add/xorshift/rotate on two registers",
	  alu_mix_body, alu_mix_native, NULL },
	{ "sortnet", "stack", "sort 32 u32 from the packet on the stack (191-comparator network), checksum",
	  sortnet_body, sortnet_native, sortnet_reference },
	{ "csum", "load", "Internet checksum (RFC 1071): 750 bounds-checked u16 loads",
	  csum_body, csum_native, NULL },
	{ "tlv", "branch", "walk a type-length-value stream, hash the values of one type",
	  tlv_body, tlv_native, NULL },
};

#define BENCH_PROG_CNT (sizeof(bench_progs) / sizeof(bench_progs[0]))

#endif /* BPFRT_BENCH_PROGS_H */
