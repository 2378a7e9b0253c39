/* SPDX-License-Identifier: MIT */
/*
 * The context-pointer analysis, the kernel's narrow-load conversion, and
 * the patcher (see ctx.h).
 *
 * The analysis is a forward data flow over basic blocks. Its state says,
 * for each register and each 8-byte slot of the current stack frame, what
 * the value may be, as a set of kinds (a union over the paths that reach
 * the point):
 *
 *   K_OTHER  anything that is neither the context nor a stack pointer
 *   K_CTX    the context pointer as the hook passed it (r1 at entry)
 *   K_MOD    the context pointer moved by arithmetic (reg.cx: by how much,
 *            if the same constant on every path)
 *   K_FP     this frame's r10 + reg.fp
 *   K_SPTR   a pointer into some stack frame, where unknown
 *
 * A load or store whose base holds K_CTX and nothing else is a context
 * access; one whose base may hold K_CTX or K_MOD but not only K_CTX is
 * rejected. The context travels through MOV, spills and fills of its own
 * frame, and into a subprogram's r1-r5; anything else makes K_OTHER of it.
 *
 * Soundness rests on what the analysis cannot see being impossible or
 * rejected: the context stored through a pointer to an unknown stack place
 * is rejected; a frame holding a spilled context must not hand a pointer to
 * itself to a subprogram or to a helper that takes callbacks (they could
 * overwrite the slot behind the analysis' back); helpers that may write
 * through a stack pointer turn the slots they may reach into K_OTHER too.
 *
 * The fixed point is computed first without reporting anything (states
 * only grow, so a message from an early, partial state could be wrong);
 * a final pass over the stable states then checks and collects, in pc
 * order, so the first message is the one of the lowest pc.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "exec/exec.h"
#include "isa/opcodes.h"
#include "progtypes/ctx.h"

enum {
	K_OTHER = 1,
	K_CTX = 2,
	K_MOD = 4,
	K_FP = 8,
	K_SPTR = 16,
	K_CONST = 32, /* with K_OTHER alone: reg.cx holds the value */
};

#define OFF_UNKNOWN INT32_MIN
#define SLOTS (BPFRT_STACK_SIZE / 8)

struct areg {
	uint8_t k;
	int32_t fp; /* K_FP: offset from this frame's r10 */
	int32_t cx; /* K_MOD: offset from the context; K_CONST: the value */
};

struct astate {
	struct areg r[BPFRT_REG_COUNT];
	uint8_t slot[SLOTS]; /* slot i: bytes [r10 - 8(i+1), r10 - 8i) */
	bool reached;
};

struct ablock {
	uint32_t start, end; /* [start, end) */
	bool queued;
	struct astate in;
};

struct actx {
	const struct progtype *pt;
	const struct bpfrt_prog *prog;
	const struct bpfrt_insn *insns;
	size_t cnt;
	struct ablock *blocks;
	uint32_t nblocks;
	uint32_t *block_of; /* insn -> its block (valid at block starts) */
	uint32_t *work;
	uint32_t nwork;
	/* Final pass. */
	bool final;
	struct ctx_site *sites;
	size_t nsites, capsites;
	uint32_t max_off;
	char *log;
	size_t log_size;
	int err;
};

static const struct areg R_OTHER = { K_OTHER, 0, 0 };

static struct areg kind_only(uint8_t k)
{
	return (struct areg){ k ? k : K_OTHER, 0, 0 };
}

/* ---- the lattice ---- */

static struct areg reg_join(struct areg a, struct areg b)
{
	struct areg r = { (uint8_t)((a.k | b.k) & ~K_CONST), 0, 0 };

	if ((a.k & K_FP) && (b.k & K_FP))
		r.fp = a.fp == b.fp ? a.fp : OFF_UNKNOWN;
	else
		r.fp = (a.k & K_FP) ? a.fp : b.fp;
	if (r.k & K_FP && r.fp == OFF_UNKNOWN)
		r.k = (uint8_t)((r.k & ~K_FP) | K_SPTR);
	if ((a.k & K_MOD) && (b.k & K_MOD))
		r.cx = a.cx == b.cx ? a.cx : OFF_UNKNOWN;
	else if (r.k & K_MOD)
		r.cx = (a.k & K_MOD) ? a.cx : b.cx;
	else if (a.k == (K_OTHER | K_CONST) && b.k == a.k && a.cx == b.cx)
		r.k = a.k, r.cx = a.cx;
	return r;
}

static bool reg_eq(struct areg a, struct areg b)
{
	return a.k == b.k && (!(a.k & K_FP) || a.fp == b.fp) &&
	       (!(a.k & (K_MOD | K_CONST)) || a.cx == b.cx);
}

/* Join `s` into `dst`; true if dst changed. */
static bool state_join(struct astate *dst, const struct astate *s)
{
	bool changed = false;

	if (!dst->reached) {
		*dst = *s;
		dst->reached = true;
		return true;
	}
	for (int i = 0; i < BPFRT_REG_COUNT; i++) {
		struct areg j = reg_join(dst->r[i], s->r[i]);

		if (!reg_eq(j, dst->r[i])) {
			dst->r[i] = j;
			changed = true;
		}
	}
	for (int i = 0; i < SLOTS; i++) {
		uint8_t j = dst->slot[i] | s->slot[i];

		if (j != dst->slot[i]) {
			dst->slot[i] = j;
			changed = true;
		}
	}
	return changed;
}

/* A frame as it starts: r1-r5 given, the rest not pointers, r10 = fp. */
static void state_entry(struct astate *s, const struct areg *args)
{
	memset(s, 0, sizeof(*s));
	s->reached = true;
	for (int i = 0; i < BPFRT_REG_COUNT; i++)
		s->r[i] = R_OTHER;
	for (int i = 1; i <= 5; i++)
		s->r[i] = args[i - 1];
	s->r[BPFRT_REG_10] = (struct areg){ K_FP, 0, 0 };
	memset(s->slot, K_OTHER, sizeof(s->slot));
}

/* What a register becomes when stored in a slot (offsets are not kept). */
static uint8_t slot_kind(struct areg r)
{
	uint8_t k = r.k & ~K_CONST;

	if (k & K_FP)
		k = (uint8_t)((k & ~K_FP) | K_SPTR);
	return k;
}

/* What a caller's pointer is in its callee (not the callee's frame). */
static struct areg arg_kind(struct areg r)
{
	struct areg a = r;

	if (a.k & K_FP)
		a = (struct areg){ (uint8_t)((a.k & ~K_FP) | K_SPTR), 0, a.cx };
	return a;
}

static bool frame_holds_ctx(const struct astate *s)
{
	for (int i = 0; i < SLOTS; i++)
		if (s->slot[i] & (K_CTX | K_MOD))
			return true;
	return false;
}

static uint8_t frame_union(const struct astate *s)
{
	uint8_t u = 0;

	for (int i = 0; i < SLOTS; i++)
		u |= s->slot[i];
	return u;
}

static void frame_taint(struct astate *s, uint8_t k)
{
	for (int i = 0; i < SLOTS; i++)
		s->slot[i] |= k;
}

/*
 * Bytes [addr, addr + size) of the frame (addr relative to r10): the slots
 * they touch, or false if they are not inside the frame.
 */
static bool slot_range(int64_t addr, unsigned int size, int *lo, int *hi)
{
	if (addr < -BPFRT_STACK_SIZE || addr + size > 0)
		return false;
	*lo = (int)((-(addr + size)) / 8);   /* slot of the last byte */
	*hi = (int)((-addr - 1) / 8);        /* slot of the first byte */
	return true;
}

/* A write of `k` to [fp + off, + size) of this frame. */
static void frame_write(struct astate *s, int32_t fp, int32_t off, unsigned int size, uint8_t k,
			bool strong)
{
	int64_t addr = (int64_t)fp + off;
	int lo, hi;

	if (fp == OFF_UNKNOWN || !slot_range(addr, size, &lo, &hi))
		return;
	if (size != 8 || addr % 8)
		k = K_OTHER; /* part of a slot: no pointer survives it */
	for (int i = lo; i <= hi; i++)
		s->slot[i] = strong ? k : (uint8_t)(s->slot[i] | k);
}

static uint8_t frame_read(const struct astate *s, int32_t fp, int32_t off, unsigned int size)
{
	int64_t addr = (int64_t)fp + off;
	int lo, hi;

	if (fp == OFF_UNKNOWN || !slot_range(addr, size, &lo, &hi) || size != 8 || addr % 8)
		return K_OTHER;
	return s->slot[lo];
}

/* ---- messages ---- */

static void fail(struct actx *ax, int err, size_t pc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void fail(struct actx *ax, int err, size_t pc, const char *fmt, ...)
{
	char msg[160];
	va_list ap;

	if (ax->err)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	core_log(ax->log, ax->log_size, "pc %zu: %s", pc, msg);
	ax->err = err;
}

/* " (read of xdp_md->data)": which member an invalid access touched. */
static void describe(const struct progtype *pt, const struct progtype_access *a, char *buf,
		     size_t size)
{
	const char *ctx = pt->ctx_name ? pt->ctx_name : "context";
	const char *what = a->write ? "write to" : a->sx ? "sign-extending read of" : "read of";
	char field[48];

	if (!strncmp(ctx, "struct ", 7))
		ctx += 7;
	if (a->off < 0 || (uint32_t)a->off >= pt->ctx_size) {
		snprintf(buf, size, " (%s %u bytes outside %s, which has %u)", what, a->size, ctx,
			 pt->ctx_size);
		return;
	}
	for (const struct progtype_field *f = pt->fields; f && f->name; f++) {
		uint32_t off = (uint32_t)a->off, base = f->off;

		if (off < f->off || off >= f->off + f->size)
			continue;
		if (f->elem_size) {
			uint32_t i = (off - f->off) / f->elem_size;

			snprintf(field, sizeof(field), "%s[%u]", f->name, i);
			base = f->off + i * f->elem_size;
		} else {
			snprintf(field, sizeof(field), "%s", f->name);
		}
		if (off == base)
			snprintf(buf, size, " (%s %s->%s)", what, ctx, field);
		else
			snprintf(buf, size, " (%s %s->%s + %u)", what, ctx, field, off - base);
		return;
	}
	snprintf(buf, size, " (%s %s, no member there)", what, ctx);
}

static void add_site(struct actx *ax, size_t pc, const struct progtype_access *a)
{
	struct progtype_access_info info = { 0 };
	char why[96];

	if (!ax->pt->is_valid_access(ax->prog, a, &info)) {
		describe(ax->pt, a, why, sizeof(why));
		fail(ax, -EACCES, pc, "invalid bpf_context access off=%d size=%u%s", a->off, a->size,
		     why);
		return;
	}
	if (ax->nsites == ax->capsites) {
		size_t cap = ax->capsites ? ax->capsites * 2 : 16;
		struct ctx_site *s = core_realloc(ax->sites, cap * sizeof(*s));

		if (!s) {
			ax->err = -ENOMEM;
			return;
		}
		ax->sites = s;
		ax->capsites = cap;
	}
	ax->sites[ax->nsites++] = (struct ctx_site){ (uint32_t)pc, *a, info };
	if ((uint32_t)a->off + a->size > ax->max_off)
		ax->max_off = (uint32_t)a->off + a->size;
}

/*
 * A memory access with base `b` (final pass): a context access to check,
 * or a mix the kernel would refuse. True if it is a context access.
 */
static bool check_base(struct actx *ax, size_t pc, int regno, struct areg b)
{
	if (!(b.k & (K_CTX | K_MOD)))
		return false;
	if (b.k & K_MOD) {
		if (b.k == K_MOD && b.cx != OFF_UNKNOWN)
			fail(ax, -EACCES, pc, "dereference of modified ctx ptr R%d off=%d disallowed",
			     regno, b.cx);
		else
			fail(ax, -EACCES, pc,
			     "dereference of modified ctx ptr R%d disallowed (ctx pointer arithmetic)",
			     regno);
		return false;
	}
	if (b.k != K_CTX) {
		fail(ax, -EINVAL, pc, "same insn cannot be used with different pointers");
		return false;
	}
	return true;
}

/* ---- the transfer function ---- */

static void push(struct actx *ax, uint32_t b)
{
	if (!ax->blocks[b].queued) {
		ax->blocks[b].queued = true;
		ax->work[ax->nwork++] = b;
	}
}

static void flow_to(struct actx *ax, size_t target, const struct astate *s)
{
	uint32_t b = ax->block_of[target];

	if (state_join(&ax->blocks[b].in, s))
		push(ax, b);
}

static const struct bpfrt_helper_proto *helper_proto(const struct bpfrt_prog *prog, uint32_t id)
{
	const struct exec_helpers *h = &prog->helpers;
	uint32_t lo = 0, hi = h->cnt;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (h->list[mid].id == id)
			return h->list[mid].proto;
		if (h->list[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/*
 * A helper call: what it may write through stack pointers in r1-r5, and
 * whether it may run callbacks of the program (which could do anything
 * to a frame they get a pointer to). `proto` NULL: an embedder's helper,
 * assumed to do all of it.
 */
static void helper_effects(struct actx *ax, struct astate *s, size_t pc,
			   const struct bpfrt_helper_proto *proto)
{
	bool callbacks = !proto, escaped = false;

	for (int i = 0; proto && i < 5; i++)
		if (proto->args[i] == BPFRT_ARG_PTR_TO_FUNC)
			callbacks = true;
	for (int i = 0; i < 5; i++) {
		struct areg r = s->r[i + 1];
		enum bpfrt_arg_type t = proto ? proto->args[i] : BPFRT_ARG_PTR_TO_UNINIT_MEM;
		int64_t size = -1;

		if (!(r.k & (K_FP | K_SPTR)))
			continue;
		escaped = true;
		switch (t) {
		case BPFRT_ARG_NONE:
		case BPFRT_ARG_ANYTHING:
		case BPFRT_ARG_CONST_MAP_PTR:
		case BPFRT_ARG_PTR_TO_MAP_KEY:
		case BPFRT_ARG_PTR_TO_MAP_VALUE:
		case BPFRT_ARG_PTR_TO_MEM:
		case BPFRT_ARG_PTR_TO_MEM_OR_NULL:
		case BPFRT_ARG_CONST_SIZE:
		case BPFRT_ARG_CONST_SIZE_OR_ZERO:
		case BPFRT_ARG_PTR_TO_CTX:
		case BPFRT_ARG_PTR_TO_CTX_OR_NULL:
		case BPFRT_ARG_PTR_TO_FUNC:
		case BPFRT_ARG_PTR_TO_CONST_STR:
		case BPFRT_ARG_CONST_ALLOC_SIZE_OR_ZERO:
			continue; /* read, not written */
		case BPFRT_ARG_PTR_TO_LONG:
			size = 8;
			break;
		case BPFRT_ARG_PTR_TO_INT:
			size = 4;
			break;
		default:
			/* Written (and any kind added later): the size, if the next argument is a constant. */
			if (i < 4 && s->r[i + 2].k == (K_OTHER | K_CONST))
				size = s->r[i + 2].cx;
			break;
		}
		if (r.k == K_FP && size >= 0 && size <= BPFRT_STACK_SIZE)
			frame_write(s, r.fp, 0, (unsigned int)size, K_OTHER, false);
		else if (r.k & K_FP && r.fp != OFF_UNKNOWN && r.fp < 0 && r.fp >= -BPFRT_STACK_SIZE)
			frame_write(s, r.fp, 0, (unsigned int)-r.fp, K_OTHER, false);
		else
			frame_taint(s, K_OTHER);
	}
	if (ax->final && callbacks && escaped && frame_holds_ctx(s))
		fail(ax, -EINVAL, pc,
		     "a helper that runs callbacks gets a pointer to a stack frame holding the ctx "
		     "pointer (not supported without the verifier)");
}

static void step_alu(struct astate *s, const struct bpfrt_insn *in)
{
	struct areg *d = &s->r[in->dst_reg];
	bool x = BPFRT_SRC(in->code) == BPFRT_X, w64 = BPFRT_CLASS(in->code) == BPFRT_ALU64;
	uint8_t op = BPFRT_OP(in->code), k;

	if (op == BPFRT_MOV && !x) {
		int64_t v = w64 ? (int64_t)in->imm : (int64_t)(uint32_t)in->imm;

		*d = (struct areg){ K_OTHER, 0, 0 };
		if (v >= INT32_MIN && v <= INT32_MAX)
			*d = (struct areg){ K_OTHER | K_CONST, 0, (int32_t)v };
		return;
	}
	if (op == BPFRT_MOV && w64 && in->off == 0) {
		*d = s->r[in->src_reg];
		return;
	}
	if ((op == BPFRT_ADD || op == BPFRT_SUB) && !x && w64) {
		int64_t delta = op == BPFRT_ADD ? (int64_t)in->imm : -(int64_t)in->imm;
		struct areg r = { (uint8_t)(d->k & ~K_CONST), d->fp, OFF_UNKNOWN };

		if (d->k & K_FP)
			r.fp = d->fp + delta > -(1 << 20) && d->fp + delta < (1 << 20) ?
				       (int32_t)(d->fp + delta) : OFF_UNKNOWN;
		if (d->k & (K_CTX | K_MOD)) {
			int64_t base = (d->k & K_CTX) && !(d->k & K_MOD) ? 0 :
				       (d->k & K_MOD) && !(d->k & K_CTX) ? d->cx : OFF_UNKNOWN;

			r.k = (uint8_t)((r.k & ~K_CTX) | K_MOD);
			if (base != OFF_UNKNOWN && base + delta > INT32_MIN && base + delta <= INT32_MAX)
				r.cx = (int32_t)(base + delta);
		}
		if (r.k & K_FP && r.fp == OFF_UNKNOWN)
			r.k = (uint8_t)((r.k & ~K_FP) | K_SPTR);
		*d = r;
		return;
	}
	/* Anything else: a pointer operand makes a moved (unusable) pointer. */
	k = d->k | (x ? s->r[in->src_reg].k : 0);
	if (op == BPFRT_MOV)
		k = s->r[in->src_reg].k; /* 32-bit MOV or MOVSX: dst's old value is gone */
	*d = kind_only((uint8_t)(((k & (K_CTX | K_MOD)) ? K_MOD : 0) |
				 ((k & (K_FP | K_SPTR)) ? K_SPTR : 0) | (k & K_OTHER)));
	d->cx = OFF_UNKNOWN;
}

static void step_call(struct actx *ax, struct astate *s, size_t pc, const struct bpfrt_insn *in)
{
	if (in->code == OP_CALL && in->src_reg == BPFRT_PSEUDO_CALL) {
		size_t target = pc + 1 + (int64_t)in->imm;
		struct areg args[5];
		struct astate callee;
		bool escaped = false;

		for (int i = 0; i < 5; i++) {
			args[i] = arg_kind(s->r[i + 1]);
			escaped |= (s->r[i + 1].k & (K_FP | K_SPTR)) != 0;
		}
		if (ax->final && escaped && frame_holds_ctx(s))
			fail(ax, -EINVAL, pc,
			     "a subprogram gets a pointer to a stack frame holding the ctx pointer "
			     "(not supported without the verifier)");
		state_entry(&callee, args);
		flow_to(ax, target, &callee);
		if (escaped)
			frame_taint(s, K_OTHER | K_SPTR);
	} else if (in->code == OP_CALL && in->src_reg == BPFRT_PSEUDO_CALL_HELPER) {
		helper_effects(ax, s, pc, helper_proto(ax->prog, (uint32_t)in->imm));
	} else {
		/* callx, kfunc: unknown helpers, assume the worst. */
		helper_effects(ax, s, pc, NULL);
	}
	for (int i = 0; i <= 5; i++)
		s->r[i] = R_OTHER;
}

static void step_ldx(struct actx *ax, struct astate *s, size_t pc, const struct bpfrt_insn *in)
{
	struct areg b = s->r[in->src_reg];
	unsigned int size = isa_size_bytes(in->code);
	uint8_t k = 0;

	if (ax->final && check_base(ax, pc, in->src_reg, b))
		add_site(ax, pc, &(struct progtype_access){ in->off, (uint8_t)size, false,
							    BPFRT_MODE(in->code) == BPFRT_MEMSX });
	if (b.k & (K_OTHER | K_CTX | K_MOD))
		k |= K_OTHER;
	if (b.k & K_FP)
		k |= frame_read(s, b.fp, in->off, size);
	if (b.k & K_SPTR)
		k |= K_OTHER | frame_union(s); /* may be any slot of this frame */
	s->r[in->dst_reg] = kind_only(k);
	s->r[in->dst_reg].cx = OFF_UNKNOWN;
}

static void step_store(struct actx *ax, struct astate *s, size_t pc, const struct bpfrt_insn *in)
{
	struct areg b = s->r[in->dst_reg];
	unsigned int size = isa_size_bytes(in->code);
	bool stx = BPFRT_CLASS(in->code) == BPFRT_STX;
	uint8_t v = stx ? slot_kind(s->r[in->src_reg]) : K_OTHER;

	if (ax->final && check_base(ax, pc, in->dst_reg, b))
		add_site(ax, pc, &(struct progtype_access){ in->off, (uint8_t)size, true, false });
	if (b.k & K_FP)
		frame_write(s, b.fp, in->off, size, v, b.k == K_FP);
	if (b.k & K_SPTR) {
		if (ax->final && (v & (K_CTX | K_MOD)))
			fail(ax, -EINVAL, pc,
			     "the ctx pointer in R%d is stored through a stack pointer bpfrt cannot "
			     "follow (not supported without the verifier)", in->src_reg);
		frame_taint(s, (uint8_t)(K_OTHER | (v & K_SPTR)));
	}
}

static void step_atomic(struct actx *ax, struct astate *s, size_t pc, const struct bpfrt_insn *in)
{
	struct areg b = s->r[in->dst_reg];

	if (ax->final && (b.k & (K_CTX | K_MOD)))
		fail(ax, -EACCES, pc, "BPF_ATOMIC stores into R%d ctx is not allowed", in->dst_reg);
	if (b.k & K_FP)
		frame_write(s, b.fp, in->off, isa_size_bytes(in->code), K_OTHER, b.k == K_FP);
	if (b.k & K_SPTR)
		frame_taint(s, K_OTHER);
	if (in->imm & BPFRT_FETCH)
		s->r[in->src_reg] = R_OTHER;
	if (in->imm == BPFRT_CMPXCHG)
		s->r[BPFRT_REG_0] = R_OTHER;
}

static void step_ld(struct actx *ax, struct astate *s, size_t pc, const struct bpfrt_insn *in)
{
	if (in->code == OP_LDDW) {
		s->r[in->dst_reg] = R_OTHER;
		return;
	}
	/* LD_ABS / LD_IND: the kernel reads the packet of the skb in r6. */
	if (ax->final && !ax->pt->ld_abs)
		fail(ax, -EINVAL, pc, "BPF_LD_[ABS|IND] instructions not allowed for this program type");
	else if (ax->final && s->r[BPFRT_REG_6].k != K_CTX)
		fail(ax, -EINVAL, pc, "at the time of BPF_LD_ABS|IND R6 != pointer to skb");
	for (int i = 0; i <= 5; i++)
		s->r[i] = R_OTHER;
}

static void step(struct actx *ax, struct astate *s, size_t pc)
{
	const struct bpfrt_insn *in = &ax->insns[pc];

	switch (BPFRT_CLASS(in->code)) {
	case BPFRT_ALU:
	case BPFRT_ALU64:
		step_alu(s, in);
		break;
	case BPFRT_JMP:
	case BPFRT_JMP32:
		if (BPFRT_OP(in->code) == BPFRT_CALL)
			step_call(ax, s, pc, in);
		break;
	case BPFRT_LD:
		step_ld(ax, s, pc, in);
		break;
	case BPFRT_LDX:
		step_ldx(ax, s, pc, in);
		break;
	case BPFRT_ST:
		step_store(ax, s, pc, in);
		break;
	case BPFRT_STX:
		if (BPFRT_MODE(in->code) == BPFRT_ATOMIC)
			step_atomic(ax, s, pc, in);
		else
			step_store(ax, s, pc, in);
		break;
	}
}

/* ---- blocks ---- */

static bool is_jump(uint8_t code)
{
	uint8_t cls = BPFRT_CLASS(code), op = BPFRT_OP(code);

	return (cls == BPFRT_JMP || cls == BPFRT_JMP32) && op != BPFRT_CALL && op != BPFRT_EXIT;
}

/* Jump target of a jump instruction (validated: in range). */
static size_t jump_target(const struct bpfrt_insn *in, size_t pc)
{
	if (in->code == OP_JA32)
		return pc + 1 + (int64_t)in->imm;
	return pc + 1 + (int64_t)in->off;
}

static int build_blocks(struct actx *ax, uint8_t *leader)
{
	const struct bpfrt_insn *insns = ax->insns;
	size_t n = ax->cnt;
	uint32_t nb = 0;

	/* LDDW's second slots (bit 4), so no function may start there. */
	for (size_t pc = 0; pc < n; pc += isa_slots(insns[pc].code))
		if (insns[pc].code == OP_LDDW)
			leader[pc + 1] = 4;
	for (size_t pc = 0; pc < n; pc += isa_slots(insns[pc].code)) {
		const struct bpfrt_insn *in = &insns[pc];
		int64_t target = (int64_t)pc + 1 + in->imm;

		if (in->code != OP_LDDW || in->src_reg != BPFRT_PSEUDO_FUNC)
			continue;
		if (target < 0 || (uint64_t)target >= n || leader[target] == 4) {
			core_log(ax->log, ax->log_size,
				 "pc %zu: lddw of a function refers to instruction %lld, which does not "
				 "start one", pc, (long long)target);
			return -EINVAL;
		}
	}
	for (size_t pc = 0; pc < n; pc += isa_slots(insns[pc].code))
		if (insns[pc].code == OP_LDDW)
			leader[pc + 1] = 0;
	leader[0] |= 1;
	for (size_t pc = 0; pc < n; pc += isa_slots(insns[pc].code)) {
		const struct bpfrt_insn *in = &insns[pc];
		size_t next = pc + isa_slots(in->code);

		if (is_jump(in->code)) {
			leader[jump_target(in, pc)] |= 1;
			if (next < n)
				leader[next] |= 1;
		} else if (in->code == OP_EXIT && next < n) {
			leader[next] |= 1;
		} else if (in->code == OP_CALL && in->src_reg == BPFRT_PSEUDO_CALL) {
			leader[pc + 1 + (int64_t)in->imm] |= 1;
		} else if (in->code == OP_LDDW && in->src_reg == BPFRT_PSEUDO_FUNC) {
			leader[pc + 1 + (int64_t)in->imm] |= 3; /* 2: a callback's entry */
		}
	}
	for (size_t pc = 0; pc < n; pc++)
		nb += leader[pc] != 0;
	ax->blocks = core_calloc(nb, sizeof(*ax->blocks));
	ax->work = core_calloc(nb, sizeof(*ax->work));
	if (!ax->blocks || !ax->work)
		return -ENOMEM;
	nb = 0;
	for (size_t pc = 0; pc < n; pc++) {
		if (!leader[pc])
			continue;
		if (nb)
			ax->blocks[nb - 1].end = (uint32_t)pc;
		ax->blocks[nb].start = (uint32_t)pc;
		ax->block_of[pc] = nb++;
	}
	ax->blocks[nb - 1].end = (uint32_t)n;
	ax->nblocks = nb;
	return 0;
}

/* Run block `b` from its in-state; pass the result to its successors. */
static void run_block(struct actx *ax, uint32_t b)
{
	struct ablock *blk = &ax->blocks[b];
	struct astate s = blk->in;
	size_t pc = blk->start, last = pc;

	for (; pc < blk->end; pc += isa_slots(ax->insns[pc].code)) {
		last = pc;
		step(ax, &s, pc);
		if (ax->err)
			return;
	}
	const struct bpfrt_insn *in = &ax->insns[last];

	if (in->code == OP_EXIT)
		return;
	if (is_jump(in->code)) {
		flow_to(ax, jump_target(in, last), &s);
		if (in->code == OP_JA || in->code == OP_JA32)
			return;
	}
	if (blk->end < ax->cnt)
		flow_to(ax, blk->end, &s);
}

int ctx_analyze(const struct progtype *pt, const struct bpfrt_prog *prog, struct ctx_site **sites,
		size_t *cnt, uint32_t *max_off, char *log, size_t log_size)
{
	struct actx ax = { .pt = pt, .prog = prog, .insns = prog->insns, .cnt = prog->cnt,
			   .log = log, .log_size = log_size };
	struct areg args[5] = { { K_CTX, 0, 0 }, R_OTHER, R_OTHER, R_OTHER, R_OTHER };
	struct areg cb_args[5];
	uint8_t *leader = NULL;
	int err;

	*sites = NULL;
	*cnt = 0;
	*max_off = 0;
	if (!prog->cnt)
		return 0;
	leader = core_calloc(prog->cnt, 1);
	ax.block_of = core_calloc(prog->cnt, sizeof(*ax.block_of));
	err = leader && ax.block_of ? build_blocks(&ax, leader) : -ENOMEM;
	if (err)
		goto out;

	/* Entries: the program (r1 = ctx) and each callback (r1-r5 unknown). */
	for (int i = 0; i < 5; i++)
		cb_args[i] = kind_only(K_OTHER | K_SPTR);
	state_entry(&ax.blocks[0].in, args);
	push(&ax, 0);
	for (size_t pc = 0; pc < prog->cnt; pc++) {
		if (leader[pc] & 2) {
			state_entry(&ax.blocks[ax.block_of[pc]].in, cb_args);
			push(&ax, ax.block_of[pc]);
		}
	}
	while (ax.nwork) {
		uint32_t b = ax.work[--ax.nwork];

		ax.blocks[b].queued = false;
		run_block(&ax, b);
	}

	/* The states are stable: check and collect, in pc order. */
	ax.final = true;
	for (uint32_t b = 0; b < ax.nblocks && !ax.err; b++)
		if (ax.blocks[b].in.reached)
			run_block(&ax, b);
	err = ax.err;
out:
	core_free(leader);
	core_free(ax.block_of);
	core_free(ax.blocks);
	core_free(ax.work);
	if (err) {
		core_free(ax.sites);
		return err;
	}
	*sites = ax.sites;
	*cnt = ax.nsites;
	*max_off = ax.max_off;
	return 0;
}

/* ---- conversion ---- */

int ctx_convert(const struct progtype *pt, const struct bpfrt_prog *prog,
		const struct ctx_site *site, struct ctx_patch *out)
{
	const struct bpfrt_insn *orig = &prog->insns[site->pc];
	struct bpfrt_insn si = *orig;
	uint32_t field = site->info.field_size, size = site->a.size, target = 0;
	bool narrow = !site->a.write && size < field;
	int n;

	/*
	 * A load of part of a field reads the whole field (aligned down), then
	 * shifts and masks: the kernel's convert_ctx_accesses(), little-endian.
	 */
	if (narrow) {
		static const uint8_t code[9] = { [2] = BPFRT_H, [4] = BPFRT_W, [8] = BPFRT_DW };

		si.off = (int16_t)(site->a.off & ~(int32_t)(field - 1));
		si.code = BPFRT_LDX | BPFRT_MEM | code[field];
	}
	n = pt->convert_access(prog, &si, site->a.write, out->insns, &target);
	if (n <= 0 || n > PROGTYPE_MAX_PATCH - 3 || (field && !target))
		return -EFAULT;
	if (narrow && size < target) {
		uint32_t shift = (uint32_t)(site->a.off & (int32_t)(field - 1)) * 8;
		int32_t mask = (int32_t)(uint32_t)((1ULL << size * 8) - 1);

		if (field <= 4) {
			if (shift)
				out->insns[n++] = BPFRT_ALU32_IMM(BPFRT_RSH, si.dst_reg, (int32_t)shift);
		} else if (shift) {
			out->insns[n++] = BPFRT_ALU64_IMM(BPFRT_RSH, si.dst_reg, (int32_t)shift);
		}
		out->insns[n++] = BPFRT_ALU32_IMM(BPFRT_AND, si.dst_reg, mask);
	}
	if (site->a.sx)
		out->insns[n++] = BPFRT_RAW_INSN(BPFRT_ALU64 | BPFRT_MOV | BPFRT_X, si.dst_reg, si.dst_reg,
						 (int16_t)(size * 8), 0);
	out->pc = site->pc;
	out->len = (uint32_t)n;
	return 0;
}

/* ---- the patcher ---- */

/* Which offset of `in` is relative to the instruction after it (none: 0). */
enum rel { REL_NONE, REL_OFF, REL_IMM };

static enum rel relative(const struct bpfrt_insn *in)
{
	if (in->code == OP_JA32)
		return REL_IMM;
	if (is_jump(in->code))
		return REL_OFF;
	if (in->code == OP_CALL && in->src_reg == BPFRT_PSEUDO_CALL)
		return REL_IMM;
	if (in->code == OP_LDDW && in->src_reg == BPFRT_PSEUDO_FUNC)
		return REL_IMM;
	return REL_NONE;
}

int ctx_patch(struct bpfrt_prog *prog, const struct ctx_patch *p, size_t n, char *log,
	      size_t log_size)
{
	size_t cnt = prog->cnt, total = 0, k = 0;
	uint32_t *newpc, *orig;
	struct bpfrt_insn *out;

	if (!n)
		return 0;
	newpc = core_calloc(cnt + 1, sizeof(*newpc));
	if (!newpc)
		return -ENOMEM;
	for (size_t pc = 0; pc < cnt; pc++) {
		newpc[pc] = (uint32_t)total;
		if (k < n && p[k].pc == pc)
			total += p[k++].len;
		else
			total++;
		if (total > BPFRT_MAX_INSNS) {
			core_free(newpc);
			core_log(log, log_size, "pc %zu: too many instructions after ctx rewriting", pc);
			return -E2BIG;
		}
	}
	newpc[cnt] = (uint32_t)total;
	out = core_calloc(total, sizeof(*out));
	orig = core_calloc(total, sizeof(*orig));
	if (!out || !orig) {
		core_free(newpc);
		core_free(out);
		core_free(orig);
		return -ENOMEM;
	}
	k = 0;
	for (size_t pc = 0; pc < cnt; pc++) {
		uint32_t at = newpc[pc], from = prog->orig_pc ? prog->orig_pc[pc] : (uint32_t)pc;

		if (k < n && p[k].pc == pc) {
			memcpy(&out[at], p[k].insns, p[k].len * sizeof(*out));
			for (uint32_t i = 0; i < p[k].len; i++)
				orig[at + i] = from;
			k++;
			continue;
		}
		out[at] = prog->insns[pc];
		orig[at] = from;

		enum rel rel = relative(&prog->insns[pc]);
		int64_t target, delta;

		if (rel == REL_NONE)
			continue;
		target = (int64_t)pc + 1 + (rel == REL_OFF ? prog->insns[pc].off : prog->insns[pc].imm);
		delta = (int64_t)newpc[target] - at - 1;
		if (rel == REL_IMM) {
			out[at].imm = (int32_t)delta;
		} else if (delta < INT16_MIN || delta > INT16_MAX) {
			core_free(newpc);
			core_free(out);
			core_free(orig);
			core_log(log, log_size,
				 "pc %zu: jump offset %lld out of range after ctx rewriting", pc,
				 (long long)delta);
			return -ERANGE;
		} else {
			out[at].off = (int16_t)delta;
		}
	}
	core_free(newpc);
	core_free(prog->insns);
	core_free(prog->orig_pc);
	prog->insns = out;
	prog->cnt = total;
	prog->orig_pc = orig;
	return 0;
}
