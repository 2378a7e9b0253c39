// SPDX-License-Identifier: MIT
/*
 * src/loader/core_spec.c - CO-RE access specs and type compatibility.
 *
 * Parsing an access string against the local BTF, matching it against one
 * candidate of the target BTF, and the two type relations of libbpf:
 * "compatible" (TYPE_EXISTS/SIZE/ID_TARGET, field types) and "matches"
 * (TYPE_MATCHES). The semantics follow libbpf's relo_core.c so that an
 * object relocates the same way under bpfrt and under libbpf; see
 * core_spec.h for the two forms of a spec.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "loader/core_spec.h"

/* libbpf's bounds: chains of typedefs/arrays, and nesting of function prototypes. */
#define MAX_RESOLVE_DEPTH 32
#define MAX_MATCH_LEVEL   32
#define MAX_MOD_CHAIN     1024

static const struct btf_type void_type; /* kind UNKN, no name, size 0 */

const struct btf_type *core_type(const struct bpfrt_btf *btf, uint32_t id)
{
	if (id == 0)
		return &void_type;
	return bpfrt_btf__type_by_id(btf, id);
}

const char *core_name(const struct bpfrt_btf *btf, uint32_t off)
{
	const char *s = bpfrt_btf__str(btf, off);

	return s ? s : "";
}

static bool is_mod_or_typedef(const struct btf_type *t)
{
	switch (core_kind(t)) {
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPE_TAG:
		return true;
	default:
		return false;
	}
}

const struct btf_type *core_skip_mods(const struct bpfrt_btf *btf, uint32_t id, uint32_t *res_id)
{
	const struct btf_type *t = core_type(btf, id);
	int hops = 0;

	/* The parser rejects cycles; the bound only keeps a bad BTF from hanging us. */
	while (t && is_mod_or_typedef(t)) {
		if (++hops > MAX_MOD_CHAIN)
			return NULL;
		id = t->type;
		t = core_type(btf, id);
	}
	if (t && res_id)
		*res_id = id;
	return t;
}

int64_t core_resolve_size(const struct bpfrt_btf *btf, uint32_t id)
{
	const struct btf_type *t = core_type(btf, id);
	uint64_t nelems = 1;
	int64_t size = -1;
	int i;

	for (i = 0; i < MAX_RESOLVE_DEPTH && t && id != 0; i++) {
		switch (core_kind(t)) {
		case BTF_KIND_INT:
		case BTF_KIND_STRUCT:
		case BTF_KIND_UNION:
		case BTF_KIND_ENUM:
		case BTF_KIND_ENUM64:
		case BTF_KIND_DATASEC:
		case BTF_KIND_FLOAT:
			size = t->size;
			goto done;
		case BTF_KIND_PTR:
			/* Pointers of BPF programs and of 64-bit kernels. */
			size = 8;
			goto done;
		case BTF_KIND_TYPEDEF:
		case BTF_KIND_VOLATILE:
		case BTF_KIND_CONST:
		case BTF_KIND_RESTRICT:
		case BTF_KIND_VAR:
		case BTF_KIND_DECL_TAG:
		case BTF_KIND_TYPE_TAG:
			id = t->type;
			break;
		case BTF_KIND_ARRAY:
			if (nelems && core_array(t)->nelems > UINT32_MAX / nelems)
				return -E2BIG;
			nelems *= core_array(t)->nelems;
			id = core_array(t)->type;
			break;
		default:
			return -EINVAL;
		}
		t = core_type(btf, id);
	}
done:
	if (size < 0)
		return -EINVAL;
	if (nelems && (uint64_t)size > UINT32_MAX / nelems)
		return -E2BIG;
	return (int64_t)(nelems * (uint64_t)size);
}

/* "X___Y" with X and Y not underscores: the start of a flavor suffix. */
static bool is_flavor_sep(const char *s)
{
	return s[0] != '_' && s[1] == '_' && s[2] == '_' && s[3] == '_' && s[4] != '_';
}

size_t core_essential_name_len(const char *name)
{
	size_t n = strlen(name);
	size_t i;

	/* The LAST separator counts: "a___b___c" is flavor "c" of "a___b". */
	for (i = n >= 5 ? n - 5 + 1 : 0; i-- > 0;)
		if (is_flavor_sep(name + i))
			return i + 1;
	return n;
}

const char *core_kind_str(enum bpf_core_relo_kind kind)
{
	switch (kind) {
	case BPF_CORE_FIELD_BYTE_OFFSET: return "byte_off";
	case BPF_CORE_FIELD_BYTE_SIZE:   return "byte_sz";
	case BPF_CORE_FIELD_EXISTS:      return "field_exists";
	case BPF_CORE_FIELD_SIGNED:      return "signed";
	case BPF_CORE_FIELD_LSHIFT_U64:  return "lshift_u64";
	case BPF_CORE_FIELD_RSHIFT_U64:  return "rshift_u64";
	case BPF_CORE_TYPE_ID_LOCAL:     return "local_type_id";
	case BPF_CORE_TYPE_ID_TARGET:    return "target_type_id";
	case BPF_CORE_TYPE_EXISTS:       return "type_exists";
	case BPF_CORE_TYPE_MATCHES:      return "type_matches";
	case BPF_CORE_TYPE_SIZE:         return "type_size";
	case BPF_CORE_ENUMVAL_EXISTS:    return "enumval_exists";
	case BPF_CORE_ENUMVAL_VALUE:     return "enumval_value";
	default:                         return "unknown";
	}
}

bool core_kind_is_field(enum bpf_core_relo_kind kind)
{
	switch (kind) {
	case BPF_CORE_FIELD_BYTE_OFFSET:
	case BPF_CORE_FIELD_BYTE_SIZE:
	case BPF_CORE_FIELD_EXISTS:
	case BPF_CORE_FIELD_SIGNED:
	case BPF_CORE_FIELD_LSHIFT_U64:
	case BPF_CORE_FIELD_RSHIFT_U64:
		return true;
	default:
		return false;
	}
}

bool core_kind_is_type(enum bpf_core_relo_kind kind)
{
	switch (kind) {
	case BPF_CORE_TYPE_ID_LOCAL:
	case BPF_CORE_TYPE_ID_TARGET:
	case BPF_CORE_TYPE_EXISTS:
	case BPF_CORE_TYPE_MATCHES:
	case BPF_CORE_TYPE_SIZE:
		return true;
	default:
		return false;
	}
}

bool core_kind_is_enumval(enum bpf_core_relo_kind kind)
{
	return kind == BPF_CORE_ENUMVAL_EXISTS || kind == BPF_CORE_ENUMVAL_VALUE;
}

/*
 * A zero-length array that is the last member of the struct holding it
 * (`acc` is the accessor of that member) may be indexed past its end.
 */
static bool is_flex_array(const struct bpfrt_btf *btf, const struct core_accessor *acc,
			  const struct btf_array *arr)
{
	const struct btf_type *t;

	if (!acc->name || arr->nelems > 0)
		return false;
	t = core_type(btf, acc->type_id);
	return t && acc->idx == core_vlen(t) - 1;
}

/* Split "0:12:3" into raw indexes; digits only, one ':' between them. */
static int parse_access(const char *s, struct core_spec *spec, const char **why)
{
	while (*s) {
		uint64_t v = 0;

		if (*s == ':' && spec->raw_len > 0)
			s++;
		if (*s < '0' || *s > '9') {
			*why = "malformed access string";
			return -EINVAL;
		}
		while (*s >= '0' && *s <= '9') {
			v = v * 10 + (uint64_t)(*s++ - '0');
			if (v > INT32_MAX) {
				*why = "access index out of range";
				return -EINVAL;
			}
		}
		if (*s && *s != ':') {
			*why = "malformed access string";
			return -EINVAL;
		}
		if (spec->raw_len == CORE_SPEC_MAX_LEN) {
			*why = "access string too deep";
			return -E2BIG;
		}
		spec->raw[spec->raw_len++] = (uint32_t)v;
	}
	if (spec->raw_len == 0) {
		*why = "empty access string";
		return -EINVAL;
	}
	return 0;
}

int core_spec_parse(const struct bpfrt_btf *btf, const struct bpf_core_relo *relo,
		    struct core_spec *spec, const char **why)
{
	const struct btf_type *t;
	const char *str;
	uint32_t id, idx;
	int64_t sz;
	int i, err;

	str = core_name(btf, relo->access_str_off);
	memset(spec, 0, sizeof(*spec));
	spec->btf = btf;
	spec->root_type_id = relo->type_id;
	spec->kind = relo->kind;
	if (!*str || *str == ':') {
		*why = "empty access string";
		return -EINVAL;
	}

	/* Type-based relocations name the type itself: the access is always "0". */
	if (core_kind_is_type(relo->kind)) {
		if (strcmp(str, "0") != 0) {
			*why = "type relocation with an access string other than \"0\"";
			return -EINVAL;
		}
		return 0;
	}

	err = parse_access(str, spec, why);
	if (err)
		return err;

	t = core_skip_mods(btf, relo->type_id, &id);
	if (!t) {
		*why = "bad type id";
		return -EINVAL;
	}
	spec->acc[0].type_id = id;
	spec->acc[0].idx = spec->raw[0];
	spec->len = 1;

	if (core_kind_is_enumval(relo->kind)) {
		if (!core_is_any_enum(t) || spec->raw_len > 1 || spec->raw[0] >= core_vlen(t)) {
			*why = "enumerator access on a non-enum or out of range";
			return -EINVAL;
		}
		spec->acc[0].name = core_name(btf, core_enumerator_name_off(t, spec->raw[0]));
		return 0;
	}
	if (!core_kind_is_field(relo->kind)) {
		*why = "unknown relocation kind";
		return -EINVAL;
	}

	/* The first index steps over whole root objects: &p[n]. */
	sz = core_resolve_size(btf, id);
	if (sz < 0) {
		*why = "root type has no size";
		return (int)sz;
	}
	spec->bit_offset = (uint64_t)spec->raw[0] * (uint64_t)sz * 8;

	for (i = 1; i < spec->raw_len; i++) {
		struct core_accessor *acc = &spec->acc[spec->len];

		t = core_skip_mods(btf, id, &id);
		if (!t) {
			*why = "bad type id";
			return -EINVAL;
		}
		idx = spec->raw[i];

		if (core_is_composite(t)) {
			const struct btf_member *m;

			if (idx >= core_vlen(t)) {
				*why = "member index out of range";
				return -EINVAL;
			}
			spec->bit_offset += core_member_bit_offset(t, idx);
			m = core_members(t) + idx;
			/* Anonymous members are kept in raw only (see core_spec.h). */
			if (m->name_off) {
				acc->name = core_name(btf, m->name_off);
				if (!*acc->name) {
					*why = "member with an invalid name";
					return -EINVAL;
				}
				acc->type_id = id;
				acc->idx = idx;
				spec->len++;
			}
			id = m->type;
		} else if (core_kind(t) == BTF_KIND_ARRAY) {
			const struct btf_array *a = core_array(t);

			if (!core_skip_mods(btf, a->type, &id)) {
				*why = "bad array element type";
				return -EINVAL;
			}
			if (!is_flex_array(btf, acc - 1, a) && idx >= a->nelems) {
				*why = "array index out of range";
				return -EINVAL;
			}
			acc->type_id = id;
			acc->idx = idx;
			acc->name = NULL;
			spec->len++;
			sz = core_resolve_size(btf, id);
			if (sz < 0) {
				*why = "array element has no size";
				return (int)sz;
			}
			spec->bit_offset += (uint64_t)idx * (uint64_t)sz * 8;
		} else {
			*why = "access steps into a type that is neither struct, union nor array";
			return -EINVAL;
		}
	}
	return 0;
}

/*
 * May a field of local type `lid` be relocated to a target field of type
 * `tid`? Structs and unions mix freely, pointers and floats always match,
 * enums and forward declarations need equal essential names (or one of them
 * anonymous), integers of any size and signedness match except the old
 * bitfield-style ones (INT with a bit offset), arrays by element type.
 */
static int fields_are_compat(const struct bpfrt_btf *local, uint32_t lid,
			     const struct bpfrt_btf *targ, uint32_t tid)
{
	const struct btf_type *lt, *tt;
	int depth;

	for (depth = 0; depth < MAX_MOD_CHAIN; depth++) {
		lt = core_skip_mods(local, lid, &lid);
		tt = core_skip_mods(targ, tid, &tid);
		if (!lt || !tt)
			return -EINVAL;
		if (core_is_composite(lt) && core_is_composite(tt))
			return 1;
		if (!core_kind_compat(lt, tt))
			return 0;

		switch (core_kind(lt)) {
		case BTF_KIND_PTR:
		case BTF_KIND_FLOAT:
			return 1;
		case BTF_KIND_FWD:
		case BTF_KIND_ENUM:
		case BTF_KIND_ENUM64: {
			const char *ln = core_name(local, lt->name_off);
			const char *tn = core_name(targ, tt->name_off);
			size_t ll = core_essential_name_len(ln);
			size_t tl = core_essential_name_len(tn);

			return ll == 0 || tl == 0 || (ll == tl && strncmp(ln, tn, ll) == 0);
		}
		case BTF_KIND_INT:
			return BTF_INT_OFFSET(core_int_data(lt)) == 0 &&
			       BTF_INT_OFFSET(core_int_data(tt)) == 0;
		case BTF_KIND_ARRAY:
			lid = core_array(lt)->type;
			tid = core_array(tt)->type;
			continue;
		default:
			return 0;
		}
	}
	return -EINVAL;
}

/*
 * Find the target member named like local accessor `la` in composite
 * `targ_id`, descending into anonymous members. On success, the target's
 * raw indexes and bit offset include the path to the member, one named
 * accessor is appended, and *next_id is the member's type. 1 found, 0 not
 * found (or found with an incompatible type), -errno.
 */
static int match_member(const struct bpfrt_btf *local, const struct core_accessor *la,
			const struct bpfrt_btf *targ, uint32_t targ_id,
			struct core_spec *ts, uint32_t *next_id)
{
	const struct btf_member *lm, *m;
	const struct btf_type *tt, *lt;
	const char *lname;
	unsigned int i, n;
	int found;

	tt = core_skip_mods(targ, targ_id, &targ_id);
	if (!tt)
		return -EINVAL;
	if (!core_is_composite(tt))
		return 0;

	lt = core_type(local, la->type_id);
	lm = core_members(lt) + la->idx;
	lname = core_name(local, lm->name_off);

	n = core_vlen(tt);
	m = core_members(tt);
	for (i = 0; i < n; i++, m++) {
		uint32_t bit_off = core_member_bit_offset(tt, i);
		const char *tname = core_name(targ, m->name_off);

		if (ts->raw_len == CORE_SPEC_MAX_LEN)
			return -E2BIG;
		/* Assume this member is on the path; undone below if not. */
		ts->bit_offset += bit_off;
		ts->raw[ts->raw_len++] = i;

		if (!*tname) {
			found = match_member(local, la, targ, m->type, ts, next_id);
			if (found)
				return found;
		} else if (strcmp(lname, tname) == 0) {
			struct core_accessor *ta = &ts->acc[ts->len++];

			ta->type_id = targ_id;
			ta->idx = i;
			ta->name = tname;
			*next_id = m->type;
			found = fields_are_compat(local, lm->type, targ, m->type);
			if (found)
				return found;
			/* Same name, wrong type: no member of another name can match either. */
			ts->len--;
			ts->bit_offset -= bit_off;
			ts->raw_len--;
			return 0;
		}
		ts->bit_offset -= bit_off;
		ts->raw_len--;
	}
	return 0;
}

static int match_enumval(const struct core_spec *local, const struct bpfrt_btf *targ,
			 uint32_t targ_id, struct core_spec *ts)
{
	const struct btf_type *tt = core_skip_mods(targ, targ_id, &targ_id);
	const char *lname = local->acc[0].name;
	size_t llen = core_essential_name_len(lname);
	unsigned int i;

	if (!tt)
		return -EINVAL;
	if (!core_is_any_enum(tt))
		return 0;
	/* Enumerators may carry flavors too: FOO___v2 stands for FOO. */
	for (i = 0; i < core_vlen(tt); i++) {
		const char *tname = core_name(targ, core_enumerator_name_off(tt, i));

		if (core_essential_name_len(tname) != llen || strncmp(lname, tname, llen) != 0)
			continue;
		ts->acc[0].type_id = targ_id;
		ts->acc[0].idx = i;
		ts->acc[0].name = tname;
		ts->len = 1;
		ts->raw[0] = i;
		ts->raw_len = 1;
		return 1;
	}
	return 0;
}

int core_spec_match(const struct core_spec *local, const struct bpfrt_btf *targ,
		    uint32_t targ_id, struct core_spec *ts)
{
	int i, found;

	memset(ts, 0, sizeof(*ts));
	ts->btf = targ;
	ts->root_type_id = targ_id;
	ts->kind = local->kind;

	if (core_kind_is_type(local->kind)) {
		if (local->kind == BPF_CORE_TYPE_MATCHES)
			return core_types_match(local->btf, local->root_type_id, targ, targ_id);
		return core_types_are_compat(local->btf, local->root_type_id, targ, targ_id);
	}
	if (core_kind_is_enumval(local->kind))
		return match_enumval(local, targ, targ_id, ts);
	if (!core_kind_is_field(local->kind))
		return -EINVAL;

	for (i = 0; i < local->len; i++) {
		const struct core_accessor *la = &local->acc[i];
		const struct btf_type *tt;
		int64_t sz;

		tt = core_skip_mods(targ, targ_id, &targ_id);
		if (!tt)
			return -EINVAL;

		if (la->name) {
			found = match_member(local->btf, la, targ, targ_id, ts, &targ_id);
			if (found <= 0)
				return found;
			continue;
		}

		/* An index: the root's (targ_id is already the element), or an array's. */
		if (i > 0) {
			const struct btf_array *a;

			if (core_kind(tt) != BTF_KIND_ARRAY)
				return 0;
			a = core_array(tt);
			if (!is_flex_array(targ, &ts->acc[i - 1], a) && la->idx >= a->nelems)
				return 0;
			if (!core_skip_mods(targ, a->type, &targ_id))
				return -EINVAL;
		}
		if (ts->raw_len == CORE_SPEC_MAX_LEN)
			return -E2BIG;
		ts->acc[ts->len].type_id = targ_id;
		ts->acc[ts->len].idx = la->idx;
		ts->acc[ts->len].name = NULL;
		ts->len++;
		ts->raw[ts->raw_len++] = la->idx;
		sz = core_resolve_size(targ, targ_id);
		if (sz < 0)
			return (int)sz;
		ts->bit_offset += (uint64_t)la->idx * (uint64_t)sz * 8;
	}
	return 1;
}

static int types_are_compat(const struct bpfrt_btf *local, uint32_t lid,
			    const struct bpfrt_btf *targ, uint32_t tid, int level)
{
	const struct btf_type *lt, *tt;
	int depth;

	/* The caller matched the names; the root kinds must agree before typedefs are skipped. */
	lt = core_type(local, lid);
	tt = core_type(targ, tid);
	if (!lt || !tt)
		return -EINVAL;
	if (!core_kind_compat(lt, tt))
		return 0;

	for (depth = 0; depth < MAX_RESOLVE_DEPTH; depth++) {
		lt = core_skip_mods(local, lid, &lid);
		tt = core_skip_mods(targ, tid, &tid);
		if (!lt || !tt)
			return -EINVAL;
		if (!core_kind_compat(lt, tt))
			return 0;

		switch (core_kind(lt)) {
		case BTF_KIND_UNKN:
		case BTF_KIND_STRUCT:
		case BTF_KIND_UNION:
		case BTF_KIND_ENUM:
		case BTF_KIND_ENUM64:
		case BTF_KIND_FWD:
			return 1;
		case BTF_KIND_INT:
			return BTF_INT_OFFSET(core_int_data(lt)) == 0 &&
			       BTF_INT_OFFSET(core_int_data(tt)) == 0;
		case BTF_KIND_PTR:
			lid = lt->type;
			tid = tt->type;
			continue;
		case BTF_KIND_ARRAY:
			lid = core_array(lt)->type;
			tid = core_array(tt)->type;
			continue;
		case BTF_KIND_FUNC_PROTO: {
			const struct btf_param *lp = core_params(lt), *tp = core_params(tt);
			unsigned int i, n = core_vlen(lt);
			int err;

			if (n != core_vlen(tt))
				return 0;
			for (i = 0; i < n; i++) {
				uint32_t la = 0, ta = 0;

				if (level <= 0)
					return -EINVAL;
				if (!core_skip_mods(local, lp[i].type, &la) ||
				    !core_skip_mods(targ, tp[i].type, &ta))
					return -EINVAL;
				err = types_are_compat(local, la, targ, ta, level - 1);
				if (err <= 0)
					return err;
			}
			/* then the return types */
			lid = lt->type;
			tid = tt->type;
			continue;
		}
		default:
			return 0;
		}
	}
	return -EINVAL;
}

int core_types_are_compat(const struct bpfrt_btf *local, uint32_t local_id,
			  const struct bpfrt_btf *targ, uint32_t targ_id)
{
	return types_are_compat(local, local_id, targ, targ_id, MAX_MATCH_LEVEL);
}

/* Equal essential names; an anonymous target matches only an anonymous local. */
static bool names_match(const struct bpfrt_btf *local, uint32_t loff,
			const struct bpfrt_btf *targ, uint32_t toff)
{
	const char *ln = core_name(local, loff), *tn = core_name(targ, toff);
	size_t ll, tl;

	if (!*tn)
		return !*ln;
	ll = core_essential_name_len(ln);
	tl = core_essential_name_len(tn);
	return ll == tl && strncmp(ln, tn, ll) == 0;
}

/* Same size; every local enumerator has a target enumerator of that name (values may differ). */
static int enums_match(const struct bpfrt_btf *local, const struct btf_type *lt,
		       const struct bpfrt_btf *targ, const struct btf_type *tt)
{
	unsigned int i, j, ln = core_vlen(lt), tn = core_vlen(tt);

	if (lt->size != tt->size || ln > tn)
		return 0;
	for (i = 0; i < ln; i++) {
		uint32_t loff = core_enumerator_name_off(lt, i);

		for (j = 0; j < tn; j++)
			if (names_match(local, loff, targ, core_enumerator_name_off(tt, j)))
				break;
		if (j == tn)
			return 0;
	}
	return 1;
}

static int types_match(const struct bpfrt_btf *local, uint32_t lid,
		       const struct bpfrt_btf *targ, uint32_t tid, bool behind_ptr, int level);

/* Every local member has a target member of the same name whose type matches. */
static int composites_match(const struct bpfrt_btf *local, const struct btf_type *lt,
			    const struct bpfrt_btf *targ, const struct btf_type *tt,
			    bool behind_ptr, int level)
{
	const struct btf_member *lm = core_members(lt);
	unsigned int i, j, ln = core_vlen(lt), tn = core_vlen(tt);
	int err;

	if (ln > tn)
		return 0;
	for (i = 0; i < ln; i++, lm++) {
		const struct btf_member *tm = core_members(tt);
		bool matched = false;

		for (j = 0; j < tn && !matched; j++, tm++) {
			if (!names_match(local, lm->name_off, targ, tm->name_off))
				continue;
			err = types_match(local, lm->type, targ, tm->type, behind_ptr, level - 1);
			if (err < 0)
				return err;
			matched = err > 0;
		}
		if (!matched)
			return 0;
	}
	return 1;
}

/*
 * TYPE_MATCHES: modifiers and typedefs are skipped, names must match at
 * every level, kinds must be equal (a struct/union behind a pointer may
 * also match a forward declaration of the same kind; enum matches enum64),
 * integers by size and signedness, arrays by length and element, structs
 * and unions member by member (only names and kinds once behind a
 * pointer), enums by enumerator names and size, function prototypes by
 * parameters and return type.
 */
static int types_match(const struct bpfrt_btf *local, uint32_t lid,
		       const struct bpfrt_btf *targ, uint32_t tid, bool behind_ptr, int level)
{
	const struct btf_type *lt, *tt;
	unsigned int lk, tk;
	int depth;

	if (level <= 0)
		return -EINVAL;

	for (depth = 0; depth < MAX_RESOLVE_DEPTH; depth++) {
		lt = core_skip_mods(local, lid, &lid);
		tt = core_skip_mods(targ, tid, &tid);
		if (!lt || !tt)
			return -EINVAL;
		if (!names_match(local, lt->name_off, targ, tt->name_off))
			return 0;
		lk = core_kind(lt);
		tk = core_kind(tt);

		switch (lk) {
		case BTF_KIND_UNKN:
			return lk == tk;
		case BTF_KIND_FWD: {
			bool lf = core_kflag(lt); /* kflag: forward declaration of a union */

			if (lk == tk)
				return lf == core_kflag(tt);
			if (!behind_ptr)
				return 0;
			return (tk == BTF_KIND_STRUCT && !lf) || (tk == BTF_KIND_UNION && lf);
		}
		case BTF_KIND_ENUM:
		case BTF_KIND_ENUM64:
			if (!core_is_any_enum(tt))
				return 0;
			return enums_match(local, lt, targ, tt);
		case BTF_KIND_STRUCT:
		case BTF_KIND_UNION:
			if (behind_ptr) {
				if (lk == tk)
					return 1;
				if (tk != BTF_KIND_FWD)
					return 0;
				return (lk == BTF_KIND_UNION) == core_kflag(tt);
			}
			if (lk != tk)
				return 0;
			return composites_match(local, lt, targ, tt, behind_ptr, level);
		case BTF_KIND_INT:
			if (lk != tk)
				return 0;
			return lt->size == tt->size &&
			       (BTF_INT_ENCODING(core_int_data(lt)) & BTF_INT_SIGNED) ==
			       (BTF_INT_ENCODING(core_int_data(tt)) & BTF_INT_SIGNED);
		case BTF_KIND_PTR:
			if (lk != tk)
				return 0;
			behind_ptr = true;
			lid = lt->type;
			tid = tt->type;
			continue;
		case BTF_KIND_ARRAY:
			if (lk != tk || core_array(lt)->nelems != core_array(tt)->nelems)
				return 0;
			lid = core_array(lt)->type;
			tid = core_array(tt)->type;
			continue;
		case BTF_KIND_FUNC_PROTO: {
			const struct btf_param *lp = core_params(lt), *tp = core_params(tt);
			unsigned int i, n = core_vlen(lt);
			int err;

			if (lk != tk || n != core_vlen(tt))
				return 0;
			for (i = 0; i < n; i++) {
				err = types_match(local, lp[i].type, targ, tp[i].type,
						  behind_ptr, level - 1);
				if (err <= 0)
					return err;
			}
			lid = lt->type;
			tid = tt->type;
			continue;
		}
		default:
			return 0;
		}
	}
	return -EINVAL;
}

int core_types_match(const struct bpfrt_btf *local, uint32_t local_id,
		     const struct bpfrt_btf *targ, uint32_t targ_id)
{
	return types_match(local, local_id, targ, targ_id, false, MAX_MATCH_LEVEL);
}

const char *core_spec_format(const struct core_spec *spec, char *buf, size_t size)
{
	const struct btf_type *t = core_type(spec->btf, spec->root_type_id);
	const char *name = t ? core_name(spec->btf, t->name_off) : "";
	size_t len = 0;
	int i;

#define APPEND(...)                                                        \
	do {                                                               \
		int n_ = snprintf(buf + len, size - len, __VA_ARGS__);     \
		if (n_ > 0)                                                \
			len += (size_t)n_ < size - len ? (size_t)n_ : size - len - 1; \
	} while (0)

	if (!size)
		return buf;
	buf[0] = 0;
	APPEND("[%u] %s %s", spec->root_type_id, t ? bpfrt_btf_kind_name((int)core_kind(t)) : "?",
	       *name ? name : "<anon>");
	if (core_kind_is_type(spec->kind) || !t || spec->len == 0)
		return buf;
	if (core_kind_is_enumval(spec->kind)) {
		const struct btf_type *et = core_type(spec->btf, spec->acc[0].type_id);
		uint64_t v = et ? core_enumerator_value(et, spec->acc[0].idx) : 0;

		APPEND("::%s = %" PRId64, spec->acc[0].name, (int64_t)v);
		return buf;
	}
	for (i = 0; i < spec->len; i++) {
		if (spec->acc[i].name)
			APPEND(".%s", spec->acc[i].name);
		else if (i > 0 || spec->acc[i].idx > 0)
			APPEND("[%u]", spec->acc[i].idx);
	}
	APPEND(" (");
	for (i = 0; i < spec->raw_len; i++)
		APPEND("%s%u", i ? ":" : "", spec->raw[i]);
	if (spec->bit_offset % 8)
		APPEND(" @ offset %" PRIu64 ".%u)", spec->bit_offset / 8,
		       (unsigned int)(spec->bit_offset % 8));
	else
		APPEND(" @ offset %" PRIu64 ")", spec->bit_offset / 8);
#undef APPEND
	return buf;
}
