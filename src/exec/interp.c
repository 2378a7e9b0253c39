/* SPDX-License-Identifier: MIT */
/*
 * The interpreter: four flavours built from interp_body.h (fast/checked x
 * computed goto/switch), and the semantics they share, spelled out here
 * once: division by zero, signed division overflow, sign extension, packet
 * loads, atomics, and the checked flavours' memory test.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "exec/exec.h"
#include "isa/opcodes.h"

/*
 * Division as RFC 9669 and the kernel define it: x / 0 = 0 and x % 0 = x
 * (for 32-bit operations, the low 32 bits of x, zero-extended). Signed
 * forms (off 1) truncate toward zero; INT_MIN / -1 = INT_MIN and
 * INT_MIN % -1 = 0, which C leaves undefined, so -1 is handled apart.
 */
static inline uint64_t div64(uint64_t a, uint64_t b, int16_t sgn)
{
	if (!b)
		return 0;
	if (!sgn)
		return a / b;
	if ((int64_t)b == -1)
		return -a;
	return (uint64_t)((int64_t)a / (int64_t)b);
}

static inline uint64_t mod64(uint64_t a, uint64_t b, int16_t sgn)
{
	if (!b)
		return a;
	if (!sgn)
		return a % b;
	if ((int64_t)b == -1)
		return 0;
	return (uint64_t)((int64_t)a % (int64_t)b);
}

static inline uint32_t div32(uint32_t a, uint32_t b, int16_t sgn)
{
	if (!b)
		return 0;
	if (!sgn)
		return a / b;
	if ((int32_t)b == -1)
		return -a;
	return (uint32_t)((int32_t)a / (int32_t)b);
}

static inline uint32_t mod32(uint32_t a, uint32_t b, int16_t sgn)
{
	if (!b)
		return a;
	if (!sgn)
		return a % b;
	if ((int32_t)b == -1)
		return 0;
	return (uint32_t)((int32_t)a % (int32_t)b);
}

/* MOVSX: sign-extend the low `bits` (8, 16 or 32) of v to 64 bits. */
static inline uint64_t movsx(uint64_t v, int16_t bits)
{
	switch (bits) {
	case 8:
		return (uint64_t)(int64_t)(int8_t)v;
	case 16:
		return (uint64_t)(int64_t)(int16_t)v;
	default:
		return (uint64_t)(int64_t)(int32_t)v;
	}
}

/* A big-endian packet load; false if [off, off + size) is out of range. */
static inline bool pkt_load(const struct exec_args *a, int32_t off, unsigned int size,
			    uint64_t *out)
{
	const uint8_t *p;

	if (off < 0 || (uint64_t)off + size > a->pkt_len)
		return false;
	p = a->pkt + off;
	switch (size) {
	case 1:
		*out = p[0];
		break;
	case 2:
		*out = (uint64_t)p[0] << 8 | p[1];
		break;
	default:
		*out = (uint64_t)p[0] << 24 | (uint64_t)p[1] << 16 | (uint64_t)p[2] << 8 | p[3];
		break;
	}
	return true;
}

/* The atomic operations; `src` receives the old value for FETCH forms. */
static inline void atomic64(uint64_t *p, int32_t op, uint64_t *src, uint64_t *r0)
{
	switch (op) {
	case BPFRT_ADD: __atomic_fetch_add(p, *src, __ATOMIC_SEQ_CST); break;
	case BPFRT_OR: __atomic_fetch_or(p, *src, __ATOMIC_SEQ_CST); break;
	case BPFRT_AND: __atomic_fetch_and(p, *src, __ATOMIC_SEQ_CST); break;
	case BPFRT_XOR: __atomic_fetch_xor(p, *src, __ATOMIC_SEQ_CST); break;
	case BPFRT_ADD | BPFRT_FETCH: *src = __atomic_fetch_add(p, *src, __ATOMIC_SEQ_CST); break;
	case BPFRT_OR | BPFRT_FETCH: *src = __atomic_fetch_or(p, *src, __ATOMIC_SEQ_CST); break;
	case BPFRT_AND | BPFRT_FETCH: *src = __atomic_fetch_and(p, *src, __ATOMIC_SEQ_CST); break;
	case BPFRT_XOR | BPFRT_FETCH: *src = __atomic_fetch_xor(p, *src, __ATOMIC_SEQ_CST); break;
	case BPFRT_XCHG: *src = __atomic_exchange_n(p, *src, __ATOMIC_SEQ_CST); break;
	case BPFRT_CMPXCHG: {
		uint64_t expected = *r0;

		__atomic_compare_exchange_n(p, &expected, *src, false, __ATOMIC_SEQ_CST,
					    __ATOMIC_SEQ_CST);
		*r0 = expected; /* the old value, whether or not it matched */
		break;
	}
	}
}

/* 32-bit forms: fetched values and r0 of CMPXCHG are zero-extended. */
static inline void atomic32(uint32_t *p, int32_t op, uint64_t *src, uint64_t *r0)
{
	uint32_t s = (uint32_t)*src;

	switch (op) {
	case BPFRT_ADD: __atomic_fetch_add(p, s, __ATOMIC_SEQ_CST); break;
	case BPFRT_OR: __atomic_fetch_or(p, s, __ATOMIC_SEQ_CST); break;
	case BPFRT_AND: __atomic_fetch_and(p, s, __ATOMIC_SEQ_CST); break;
	case BPFRT_XOR: __atomic_fetch_xor(p, s, __ATOMIC_SEQ_CST); break;
	case BPFRT_ADD | BPFRT_FETCH: *src = __atomic_fetch_add(p, s, __ATOMIC_SEQ_CST); break;
	case BPFRT_OR | BPFRT_FETCH: *src = __atomic_fetch_or(p, s, __ATOMIC_SEQ_CST); break;
	case BPFRT_AND | BPFRT_FETCH: *src = __atomic_fetch_and(p, s, __ATOMIC_SEQ_CST); break;
	case BPFRT_XOR | BPFRT_FETCH: *src = __atomic_fetch_xor(p, s, __ATOMIC_SEQ_CST); break;
	case BPFRT_XCHG: *src = __atomic_exchange_n(p, s, __ATOMIC_SEQ_CST); break;
	case BPFRT_CMPXCHG: {
		uint32_t expected = (uint32_t)*r0;

		__atomic_compare_exchange_n(p, &expected, s, false, __ATOMIC_SEQ_CST,
					    __ATOMIC_SEQ_CST);
		*r0 = expected;
		break;
	}
	}
}

static inline bool region_has(uint64_t start, uint64_t size, uint64_t addr, uint32_t n)
{
	return addr >= start && n <= size && addr - start <= size - n;
}

/* Checked flavours: may [addr, addr + n) be read (or written)? */
static inline bool mem_ok(const struct exec_args *a, uint64_t stack_lo, uint64_t stack_hi,
			  uint64_t addr, uint32_t n, bool write)
{
	if (region_has(stack_lo, stack_hi - stack_lo, addr, n))
		return true;
	for (size_t i = 0; i < a->region_cnt; i++)
		if (region_has(a->regions[i].start, a->regions[i].size, addr, n))
			return !write || a->regions[i].writable;
	return exec_mem_ok_slow(a->run, addr, n, write);
}

/* Describe where addr lies relative to a region, for fault messages. */
static int describe(char *buf, size_t size, const char *name, uint64_t start, uint64_t len,
		    uint64_t addr)
{
	if (addr >= start && addr - start < len)
		return snprintf(buf, size, "%s+%llu (size %llu)", name,
				(unsigned long long)(addr - start), (unsigned long long)len);
	if (addr < start)
		return snprintf(buf, size, "%llu bytes below %s (size %llu)",
				(unsigned long long)(start - addr), name, (unsigned long long)len);
	return snprintf(buf, size, "%llu bytes past the end of %s (size %llu)",
			(unsigned long long)(addr - start - len), name, (unsigned long long)len);
}

/*
 * Name the region nearest to the faulting address, so the message says
 * "4 bytes past the end of mem (size 64)" rather than a bare address.
 */
static __attribute__((cold, noinline)) int mem_fault(const struct exec_args *a, size_t pc,
						     uint64_t addr, uint32_t n, bool write,
						     uint64_t stack_lo, uint64_t stack_hi)
{
	char where[96];
	uint64_t best = stack_lo <= addr ? addr - stack_lo : stack_lo - addr;
	const char *ro = "";

	describe(where, sizeof(where), "stack", stack_lo, stack_hi - stack_lo, addr);
	/* The run's regions, then the memory of the maps it uses. */
	for (size_t i = 0; i < a->region_cnt + a->prog->map_cnt + a->run->dyn_cnt; i++) {
		const struct exec_region *r =
			i < a->region_cnt ? &a->regions[i]
			: i < a->region_cnt + a->prog->map_cnt ? &a->prog->map_regions[i - a->region_cnt]
			: &a->run->dyn[i - a->region_cnt - a->prog->map_cnt];
		uint64_t d = r->start <= addr ? (addr - r->start < r->size ? 0 : addr - r->start - r->size)
					      : r->start - addr;

		if (r->size && d < best) {
			best = d;
			describe(where, sizeof(where), r->name, r->start, r->size, addr);
			ro = write && region_has(r->start, r->size, addr, n) ? ", which is read-only" : "";
		}
	}
	return exec_fault(a->run, -EFAULT, write ? BPFRT_FAULT_WRITE : BPFRT_FAULT_READ, pc,
			  "invalid %s of %u bytes at 0x%llx: %s%s", write ? "write" : "read", n,
			  (unsigned long long)addr, where, ro);
}

#define INTERP_NAME interp_run_fast
#define INTERP_CHECKED 0
#define INTERP_GOTO 1
#include "exec/interp_body.h"
#undef INTERP_NAME
#undef INTERP_CHECKED
#undef INTERP_GOTO

#define INTERP_NAME interp_run_fast_switch
#define INTERP_CHECKED 0
#define INTERP_GOTO 0
#include "exec/interp_body.h"
#undef INTERP_NAME
#undef INTERP_CHECKED
#undef INTERP_GOTO

#define INTERP_NAME interp_run_checked
#define INTERP_CHECKED 1
#define INTERP_GOTO 1
#include "exec/interp_body.h"
#undef INTERP_NAME
#undef INTERP_CHECKED
#undef INTERP_GOTO

#define INTERP_NAME interp_run_checked_switch
#define INTERP_CHECKED 1
#define INTERP_GOTO 0
#include "exec/interp_body.h"
#undef INTERP_NAME
#undef INTERP_CHECKED
#undef INTERP_GOTO
