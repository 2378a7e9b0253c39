// SPDX-License-Identifier: MIT
/*
 * src/loader/core.c - CO-RE relocations: candidates, results, patching.
 *
 * One relocation goes through four steps, each with libbpf's semantics:
 *
 *   1. parse the access string against the local BTF (core_spec.c);
 *   2. find the candidates: target types of a compatible kind whose name
 *      equals the local name up to a "___flavor" suffix. A hash index of
 *      the target's names is built once per context, so a relocation costs
 *      a bucket walk even against vmlinux's ~150k types; the list found for
 *      a local type is cached, and pruned to the candidates that matched
 *      (as libbpf prunes its cache, which later relocations observe);
 *   3. match the spec against every candidate and compute the value each
 *      implies; all matching candidates must agree;
 *   4. patch the instruction, after checking that it holds the value the
 *      LOCAL layout implies (so a relocation is never applied to an
 *      instruction it does not describe), or poison it.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/core.h"
#include "loader/core.h"
#include "loader/core_spec.h"

#ifdef BPFRT_POISON_HELPER_ID
_Static_assert(CORE_POISON_ID == BPFRT_POISON_HELPER_ID, "the engines must know the poison");
#endif

/* Returned by the calc_* helpers: the instruction must be poisoned. */
#define CALC_POISON 1

struct core_cands {
	uint32_t *ids;  /* target type ids, ascending */
	uint32_t len;
	bool searched;
};

struct core_ctx {
	const struct bpfrt_btf *local;
	const struct bpfrt_btf *targ;

	/*
	 * Name index of the target: chains of type ids by hash of the
	 * essential name, each chain in ascending id order (libbpf scans the
	 * target in id order, and messages and TYPE_ID_TARGET follow it).
	 */
	uint32_t *buckets;  /* nbuckets chain heads; 0 = empty (id 0 has no name) */
	uint32_t *next;     /* indexed by target type id */
	uint32_t nbuckets;  /* a power of two */

	struct core_cands *cands; /* indexed by local type id */
	uint32_t local_cnt;

	struct core_spec specs[3]; /* local, candidate, chosen target: too big for the stack */
};

/* Where a relocation is, for messages. */
struct where {
	int relo_idx;
	const char *prog;
	size_t insn;
	char *log;
	size_t log_size;
};

/* The value a relocation computes, from the local spec (orig) and a target spec (new). */
struct core_res {
	uint64_t orig_val;
	uint64_t new_val;
	uint32_t orig_sz, new_sz;           /* field sizes, FIELD_BYTE_OFFSET only */
	uint32_t orig_type_id, new_type_id; /* field types, FIELD_BYTE_OFFSET only */
	bool poison;
	bool validate;          /* the instruction must hold orig_val */
	bool fail_memsz_adjust; /* sizes differ and a load/store cannot be resized safely */
};

__attribute__((format(printf, 3, 4)))
static int relo_err(const struct where *w, int err, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	core_log(w->log, w->log_size, "CO-RE relocation #%d in %s at insn %zu: %s",
		 w->relo_idx, w->prog, w->insn, msg);
	return err;
}

struct core_ctx *core_ctx_new(const struct bpfrt_btf *local, const struct bpfrt_btf *targ)
{
	struct core_ctx *ctx;

	if (!local || !targ) {
		errno = EINVAL;
		return NULL;
	}
	ctx = core_calloc(1, sizeof(*ctx));
	if (!ctx)
		goto nomem;
	ctx->local = local;
	ctx->targ = targ;
	ctx->local_cnt = bpfrt_btf__type_cnt(local);
	ctx->cands = core_calloc(ctx->local_cnt ? ctx->local_cnt : 1, sizeof(*ctx->cands));
	if (!ctx->cands)
		goto nomem;
	return ctx;
nomem:
	core_ctx_free(ctx);
	errno = ENOMEM;
	return NULL;
}

void core_ctx_free(struct core_ctx *ctx)
{
	uint32_t i;

	if (!ctx)
		return;
	if (ctx->cands)
		for (i = 0; i < ctx->local_cnt; i++)
			core_free(ctx->cands[i].ids);
	core_free(ctx->cands);
	core_free(ctx->buckets);
	core_free(ctx->next);
	core_free(ctx);
}

/* FNV-1a over the first len bytes. */
static uint32_t name_hash(const char *s, size_t len)
{
	uint32_t h = 2166136261u;

	while (len--)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

static int build_index(struct core_ctx *ctx)
{
	uint32_t n = bpfrt_btf__type_cnt(ctx->targ);
	uint32_t nb = 16, id;

	while (nb < n && nb < (1u << 30))
		nb <<= 1;
	ctx->buckets = core_calloc(nb, sizeof(*ctx->buckets));
	ctx->next = core_calloc(n ? n : 1, sizeof(*ctx->next));
	if (!ctx->buckets || !ctx->next) {
		core_free(ctx->buckets);
		core_free(ctx->next);
		ctx->buckets = ctx->next = NULL;
		return -ENOMEM;
	}
	ctx->nbuckets = nb;
	/* Prepending from the highest id leaves every chain in ascending order. */
	for (id = n; id-- > 1;) {
		const struct btf_type *t = bpfrt_btf__type_by_id(ctx->targ, id);
		const char *name;
		uint32_t b;

		if (!t || !t->name_off)
			continue;
		name = core_name(ctx->targ, t->name_off);
		if (!*name)
			continue;
		b = name_hash(name, core_essential_name_len(name)) & (nb - 1);
		ctx->next[id] = ctx->buckets[b];
		ctx->buckets[b] = id;
	}
	return 0;
}

/*
 * The candidates of local type `local_id` (a named type): target types of
 * a compatible kind with the same essential name. Cached per local type.
 */
static int find_cands(struct core_ctx *ctx, uint32_t local_id, struct core_cands **out)
{
	struct core_cands *c = &ctx->cands[local_id];
	const struct btf_type *lt = core_type(ctx->local, local_id);
	const char *lname = core_name(ctx->local, lt->name_off);
	size_t llen = core_essential_name_len(lname);
	uint32_t id, cap = 0;
	int err;

	*out = c;
	if (c->searched)
		return 0;
	if (!ctx->buckets) {
		err = build_index(ctx);
		if (err)
			return err;
	}
	for (id = ctx->buckets[name_hash(lname, llen) & (ctx->nbuckets - 1)]; id; id = ctx->next[id]) {
		const struct btf_type *t = bpfrt_btf__type_by_id(ctx->targ, id);
		const char *name = core_name(ctx->targ, t->name_off);

		if (!core_kind_compat(t, lt) || core_essential_name_len(name) != llen ||
		    strncmp(name, lname, llen) != 0)
			continue;
		if (c->len == cap) {
			uint32_t *ids;

			cap = cap ? cap * 2 : 4;
			ids = core_realloc(c->ids, cap * sizeof(*ids));
			if (!ids)
				return -ENOMEM;
			c->ids = ids;
		}
		c->ids[c->len++] = id;
	}
	c->searched = true;
	return 0;
}

/* Field relocations; spec NULL: no candidate matched. */
static int calc_field(const struct core_spec *spec, enum bpf_core_relo_kind kind,
		      uint64_t *val, uint32_t *field_sz, uint32_t *type_id, bool *validate,
		      const char **why)
{
	const struct core_accessor *acc;
	const struct btf_type *t, *mt;
	uint64_t bit_off, bit_sz, byte_off, byte_sz;
	uint32_t field_type_id = 0;
	bool bitfield;
	int64_t sz;

	*field_sz = 0;
	if (kind == BPF_CORE_FIELD_EXISTS) {
		*val = spec ? 1 : 0;
		return 0;
	}
	if (!spec)
		return CALC_POISON;

	acc = &spec->acc[spec->len - 1];

	/* The access ends on an array element (or the root object): no member, no bitfield. */
	if (!acc->name) {
		sz = core_resolve_size(spec->btf, acc->type_id);
		if (sz < 0) {
			*why = "accessed element has no size";
			return -EINVAL;
		}
		if (kind == BPF_CORE_FIELD_BYTE_OFFSET) {
			*val = spec->bit_offset / 8;
			*field_sz = (uint32_t)sz;
			*type_id = acc->type_id;
		} else if (kind == BPF_CORE_FIELD_BYTE_SIZE) {
			*val = (uint64_t)sz;
		} else {
			*why = "relocation kind does not apply to an array element";
			return -EINVAL;
		}
		if (validate)
			*validate = true;
		return 0;
	}

	t = core_type(spec->btf, acc->type_id);
	mt = core_skip_mods(spec->btf, core_members(t)[acc->idx].type, &field_type_id);
	if (!mt) {
		*why = "bad member type";
		return -EINVAL;
	}
	bit_off = spec->bit_offset;
	bit_sz = core_member_bitfield_size(t, acc->idx);
	bitfield = bit_sz > 0;

	if (bitfield) {
		/*
		 * The load that reaches the bitfield: the declared type's size,
		 * aligned to that size, doubled until the bits fit (a
		 * bitfield may straddle its natural unit).
		 */
		byte_sz = mt->size;
		if (byte_sz == 0) {
			*why = "bitfield of a zero-size type";
			return -EINVAL;
		}
		byte_off = bit_off / 8 / byte_sz * byte_sz;
		while (bit_off + bit_sz - byte_off * 8 > byte_sz * 8) {
			if (byte_sz >= 8) {
				*why = "bitfield cannot be read with one 64-bit load";
				return -E2BIG;
			}
			byte_sz *= 2;
			byte_off = bit_off / 8 / byte_sz * byte_sz;
		}
	} else {
		sz = core_resolve_size(spec->btf, field_type_id);
		if (sz < 0) {
			*why = "field has no size";
			return -EINVAL;
		}
		byte_sz = (uint64_t)sz;
		byte_off = bit_off / 8;
		bit_sz = byte_sz * 8;
	}

	/*
	 * For bitfields the compiler's choice of load may legitimately
	 * differ from ours, so only signedness and the right shift (which
	 * depend on the field alone) are checked against the instruction.
	 */
	if (validate)
		*validate = !bitfield;

	switch (kind) {
	case BPF_CORE_FIELD_BYTE_OFFSET:
		*val = byte_off;
		if (!bitfield) {
			*field_sz = (uint32_t)byte_sz;
			*type_id = field_type_id;
		}
		break;
	case BPF_CORE_FIELD_BYTE_SIZE:
		*val = byte_sz;
		break;
	case BPF_CORE_FIELD_SIGNED:
		*val = (core_is_any_enum(mt) && core_kflag(mt)) ||
		       (core_kind(mt) == BTF_KIND_INT &&
			(BTF_INT_ENCODING(core_int_data(mt)) & BTF_INT_SIGNED));
		if (validate)
			*validate = true;
		break;
	case BPF_CORE_FIELD_LSHIFT_U64:
		/* Shift the field's top bit to bit 63 of the loaded (host-order) value. */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		*val = 64 - (bit_off + bit_sz - byte_off * 8);
#else
		*val = (8 - byte_sz) * 8 + (bit_off - byte_off * 8);
#endif
		break;
	case BPF_CORE_FIELD_RSHIFT_U64:
		*val = 64 - bit_sz;
		if (validate)
			*validate = true;
		break;
	default:
		*why = "unknown relocation kind";
		return -EOPNOTSUPP;
	}
	return 0;
}

/* Type relocations; spec NULL: no candidate, which yields 0 rather than poison. */
static int calc_type(const struct core_spec *spec, enum bpf_core_relo_kind kind,
		     uint64_t *val, bool *validate, const char **why)
{
	int64_t sz;

	if (validate)
		*validate = true;
	if (!spec) {
		*val = 0;
		return 0;
	}
	switch (kind) {
	case BPF_CORE_TYPE_ID_TARGET:
		*val = spec->root_type_id;
		/* Type ids in the instruction are renumbered by static linking: nothing to check. */
		if (validate)
			*validate = false;
		break;
	case BPF_CORE_TYPE_EXISTS:
	case BPF_CORE_TYPE_MATCHES:
		*val = 1;
		break;
	case BPF_CORE_TYPE_SIZE:
		sz = core_resolve_size(spec->btf, spec->root_type_id);
		if (sz < 0) {
			*why = "type has no size";
			return -EINVAL;
		}
		*val = (uint64_t)sz;
		break;
	default:
		*why = "unknown relocation kind";
		return -EOPNOTSUPP;
	}
	return 0;
}

static int calc_enumval(const struct core_spec *spec, enum bpf_core_relo_kind kind,
			uint64_t *val, const char **why)
{
	switch (kind) {
	case BPF_CORE_ENUMVAL_EXISTS:
		*val = spec ? 1 : 0;
		return 0;
	case BPF_CORE_ENUMVAL_VALUE:
		if (!spec)
			return CALC_POISON;
		*val = core_enumerator_value(core_type(spec->btf, spec->acc[0].type_id),
					     spec->acc[0].idx);
		return 0;
	default:
		*why = "unknown relocation kind";
		return -EOPNOTSUPP;
	}
}

/* The result of relocating to one candidate (targ NULL: to none). */
static int calc_relo(enum bpf_core_relo_kind kind, const struct core_spec *local,
		     const struct core_spec *targ, struct core_res *res, const char **why)
{
	int err = -EOPNOTSUPP;

	memset(res, 0, sizeof(*res));
	res->validate = true;

	if (core_kind_is_field(kind)) {
		err = calc_field(local, kind, &res->orig_val, &res->orig_sz, &res->orig_type_id,
				 &res->validate, why);
		if (!err)
			err = calc_field(targ, kind, &res->new_val, &res->new_sz,
					 &res->new_type_id, NULL, why);
		if (!err && res->orig_sz != res->new_sz) {
			const struct btf_type *ot = core_type(local->btf, res->orig_type_id);
			const struct btf_type *nt = core_type(targ->btf, res->new_type_id);

			/*
			 * A load or store may change size only when the value
			 * survives it: pointers (a 32-bit target pointer is
			 * a zero-extended 64-bit one) and unsigned integers
			 * (zero extension). Anything else is poisoned if a
			 * load/store carries it.
			 */
			if (ot && nt && core_kind(ot) == BTF_KIND_PTR && core_kind(nt) == BTF_KIND_PTR)
				;
			else if (ot && nt && core_kind(ot) == BTF_KIND_INT &&
				 core_kind(nt) == BTF_KIND_INT &&
				 BTF_INT_ENCODING(core_int_data(ot)) != BTF_INT_SIGNED &&
				 BTF_INT_ENCODING(core_int_data(nt)) != BTF_INT_SIGNED)
				;
			else
				res->fail_memsz_adjust = true;
		}
	} else if (core_kind_is_type(kind)) {
		err = calc_type(local, kind, &res->orig_val, &res->validate, why);
		if (!err)
			err = calc_type(targ, kind, &res->new_val, NULL, why);
	} else if (core_kind_is_enumval(kind)) {
		err = calc_enumval(local, kind, &res->orig_val, why);
		if (!err)
			err = calc_enumval(targ, kind, &res->new_val, why);
	} else {
		*why = "unknown relocation kind";
	}

	if (err == CALC_POISON) {
		res->poison = true;
		err = 0;
	}
	return err;
}

/* libbpf's poison: a call to a helper that does not exist, harmless if never reached. */
static void poison_insn(struct bpfrt_insn *insn)
{
	*insn = BPFRT_RAW_INSN(BPFRT_JMP | BPFRT_CALL, 0, 0, 0, CORE_POISON_ID);
}

static int size_bytes(uint8_t code)
{
	switch (BPFRT_SIZE(code)) {
	case BPFRT_DW: return 8;
	case BPFRT_W:  return 4;
	case BPFRT_H:  return 2;
	default:       return 1;
	}
}

static int size_code(uint32_t bytes)
{
	switch (bytes) {
	case 8: return BPFRT_DW;
	case 4: return BPFRT_W;
	case 2: return BPFRT_H;
	case 1: return BPFRT_B;
	default: return -1;
	}
}

static bool is_lddw(const struct bpfrt_insn *insn)
{
	return insn->code == (BPFRT_LD | BPFRT_IMM | BPFRT_DW);
}

/*
 * Patch the instruction: the immediate of `rX op= imm`, the offset of a
 * load or store (resizing it when the field's size changed), or the
 * 64-bit constant of an LDDW.
 */
static int patch_insn(struct bpfrt_insn *insns, size_t cnt, const struct core_res *res,
		      const struct where *w)
{
	struct bpfrt_insn *insn = &insns[w->insn];
	uint64_t orig = res->orig_val, val = res->new_val;

	if (res->poison) {
poison:
		/* LDDW: poison the second slot too, so it does not read as an unknown opcode 0. */
		if (is_lddw(insn)) {
			if (w->insn + 1 >= cnt)
				return relo_err(w, -EINVAL, "LDDW without its second slot");
			poison_insn(insn + 1);
		}
		poison_insn(insn);
		return 0;
	}

	switch (BPFRT_CLASS(insn->code)) {
	case BPFRT_ALU:
	case BPFRT_ALU64:
		if (BPFRT_SRC(insn->code) != BPFRT_K)
			return relo_err(w, -EINVAL, "ALU instruction with a register operand");
		/* Compared as libbpf does: the s32 immediate sign-extended to 64 bits. */
		if (res->validate && (uint64_t)(int64_t)insn->imm != orig)
			return relo_err(w, -EINVAL,
					"unexpected insn value: imm %" PRId32 ", expected %" PRIu64
					" (-> %" PRIu64 ")", insn->imm, orig, val);
		core_print(BPFRT_DEBUG, "bpfrt: CO-RE relocation #%d in %s at insn %zu: imm %" PRId32
			   " -> %" PRIu64 "\n", w->relo_idx, w->prog, w->insn, insn->imm, val);
		insn->imm = (int32_t)(uint32_t)val;
		return 0;
	case BPFRT_LDX:
	case BPFRT_ST:
	case BPFRT_STX:
		if (res->validate && (uint64_t)(int64_t)insn->off != orig)
			return relo_err(w, -EINVAL,
					"unexpected insn value: off %d, expected %" PRIu64
					" (-> %" PRIu64 ")", insn->off, orig, val);
		if (val > INT16_MAX)
			return relo_err(w, -ERANGE, "offset %" PRIu64 " does not fit in an instruction",
					val);
		if (res->fail_memsz_adjust) {
			core_print(BPFRT_WARN, "bpfrt: CO-RE relocation #%d in %s at insn %zu: the field "
				   "changed size (%u -> %u bytes) and is neither a pointer nor "
				   "an unsigned integer, poisoned\n", w->relo_idx, w->prog, w->insn,
				   res->orig_sz, res->new_sz);
			goto poison;
		}
		core_print(BPFRT_DEBUG, "bpfrt: CO-RE relocation #%d in %s at insn %zu: off %d -> %"
			   PRIu64 "\n", w->relo_idx, w->prog, w->insn, insn->off, val);
		insn->off = (int16_t)val;
		if (res->new_sz != res->orig_sz) {
			int code = size_code(res->new_sz);

			if (size_bytes(insn->code) != (int)res->orig_sz)
				return relo_err(w, -EINVAL, "unexpected memory access size %d, "
						"expected %u", size_bytes(insn->code), res->orig_sz);
			if (code < 0)
				return relo_err(w, -EINVAL, "field of %u bytes cannot be loaded or "
						"stored by one instruction", res->new_sz);
			insn->code = (uint8_t)(BPFRT_MODE(insn->code) | code | BPFRT_CLASS(insn->code));
		}
		return 0;
	case BPFRT_LD: {
		uint64_t imm;

		if (!is_lddw(insn) || insn->src_reg || insn->off || w->insn + 1 >= cnt ||
		    insn[1].code || insn[1].dst_reg || insn[1].src_reg || insn[1].off)
			return relo_err(w, -EINVAL, "LDDW of unexpected form");
		imm = (uint64_t)(uint32_t)insn[0].imm | (uint64_t)(uint32_t)insn[1].imm << 32;
		if (res->validate && imm != orig)
			return relo_err(w, -EINVAL, "unexpected insn value: imm64 %" PRIu64
					", expected %" PRIu64 " (-> %" PRIu64 ")", imm, orig, val);
		core_print(BPFRT_DEBUG, "bpfrt: CO-RE relocation #%d in %s at insn %zu: imm64 %" PRIu64
			   " -> %" PRIu64 "\n", w->relo_idx, w->prog, w->insn, imm, val);
		insn[0].imm = (int32_t)(uint32_t)val;
		insn[1].imm = (int32_t)(uint32_t)(val >> 32);
		return 0;
	}
	default:
		return relo_err(w, -EINVAL, "instruction (code 0x%02x) cannot carry a CO-RE value",
				insn->code);
	}
}

int core_relocate(struct core_ctx *ctx, struct bpfrt_insn *insns, size_t cnt,
		  const struct bpf_core_relo *relo, int relo_idx, const char *prog,
		  char *log, size_t log_size)
{
	struct where w = {
		.relo_idx = relo_idx, .prog = prog ? prog : "?", .insn = relo->insn_off / 8,
		.log = log, .log_size = log_size,
	};
	struct core_spec *local = &ctx->specs[0], *cand = &ctx->specs[1], *targ = &ctx->specs[2];
	const struct btf_type *lt;
	const char *lname, *why = "";
	struct core_cands *cands;
	struct core_res res, cand_res;
	uint32_t i, j;
	int err;

	if (relo->insn_off % 8 || w.insn >= cnt)
		return relo_err(&w, -EINVAL, "instruction offset %u outside the section",
				relo->insn_off);
	lt = core_type(ctx->local, relo->type_id);
	if (!lt)
		return relo_err(&w, -EINVAL, "bad type id %u", relo->type_id);
	lname = core_name(ctx->local, lt->name_off);

	err = core_spec_parse(ctx->local, relo, local, &why);
	if (err)
		return relo_err(&w, err, "%s [%u] %s, access \"%s\" (%s): %s",
				bpfrt_btf_kind_name((int)core_kind(lt)), relo->type_id,
				*lname ? lname : "<anon>", core_name(ctx->local, relo->access_str_off),
				core_kind_str(relo->kind), why);

	/* The local type id needs no target. Static linking renumbers ids: no check. */
	if (relo->kind == BPF_CORE_TYPE_ID_LOCAL) {
		memset(&res, 0, sizeof(res));
		res.orig_val = res.new_val = relo->type_id;
		return patch_insn(insns, cnt, &res, &w);
	}

	if (!*lname)
		return relo_err(&w, -EINVAL, "%s relocation of an anonymous %s: no name to "
				"look for in the target", core_kind_str(relo->kind),
				bpfrt_btf_kind_name((int)core_kind(lt)));

	err = find_cands(ctx, relo->type_id, &cands);
	if (err)
		return relo_err(&w, err, "out of memory looking for candidates");

	for (i = 0, j = 0; i < cands->len; i++) {
		struct core_spec *tmp;
		char buf[256];

		err = core_spec_match(local, ctx->targ, cands->ids[i], cand);
		if (err < 0)
			return relo_err(&w, err, "error matching candidate [%u] of %s",
					cands->ids[i], core_spec_format(local, buf, sizeof(buf)));
		if (err == 0)
			continue;

		err = calc_relo(relo->kind, local, cand, &cand_res, &why);
		if (err)
			return relo_err(&w, err, "%s: %s", core_spec_format(cand, buf, sizeof(buf)),
					why);

		if (j == 0) {
			res = cand_res;
			tmp = targ, targ = cand, cand = tmp;
		} else if (cand->bit_offset != targ->bit_offset) {
			return relo_err(&w, -EINVAL, "field offset ambiguity: candidates [%u] and "
					"[%u] place it at bit %" PRIu64 " and %" PRIu64,
					targ->root_type_id, cand->root_type_id,
					targ->bit_offset, cand->bit_offset);
		} else if (cand_res.poison != res.poison || cand_res.new_val != res.new_val) {
			return relo_err(&w, -EINVAL, "relocation decision ambiguity: candidates "
					"[%u] and [%u] give %s %" PRIu64 " and %s %" PRIu64,
					targ->root_type_id, cand->root_type_id,
					res.poison ? "failure" : "success", res.new_val,
					cand_res.poison ? "failure" : "success", cand_res.new_val);
		}
		cands->ids[j++] = cands->ids[i];
	}

	if (j > 0) {
		/* Later relocations of this type consider only the candidates that fit. */
		cands->len = j;
	} else {
		/* No target: "exists" kinds yield 0, type kinds 0, the rest poison. */
		err = calc_relo(relo->kind, local, NULL, &res, &why);
		if (err)
			return relo_err(&w, err, "%s", why);
		if (res.poison)
			core_print(BPFRT_DEBUG, "bpfrt: CO-RE relocation #%d in %s at insn %zu: %s %s %s: "
				   "no matching target type, poisoned\n", relo_idx, w.prog, w.insn,
				   bpfrt_btf_kind_name((int)core_kind(lt)), lname,
				   core_name(ctx->local, relo->access_str_off));
	}
	return patch_insn(insns, cnt, &res, &w);
}
