/* SPDX-License-Identifier: MIT */
/*
 * src/loader/core_spec.h - what core.c (candidates, results, patching) and
 * core_spec.c (access specs, type compatibility) share: BTF accessors with
 * libbpf's conventions and the parsed form of an access string.
 *
 * An access string "0:1:2:3" is kept twice:
 *
 *   raw    every index as written: the first indexes the root pointer
 *          (&p[0]), the others member indexes of structs/unions or indexes
 *          of arrays, anonymous members included;
 *   acc    only the points that carry meaning across BTFs: the root index,
 *          each NAMED member, each array index. Anonymous members are
 *          skipped, because the target may nest the same field differently.
 *
 * For `struct s { int x; struct { int y; int a[7]; }; } *p; &p->a[3]`:
 *
 *   raw  0 : 1 : 1 : 3        acc  [0]  .a  [3]
 *
 * Matching walks acc over the target, rebuilding the target's raw indexes
 * and bit offset as it goes.
 */
#ifndef BPFRT_LOADER_CORE_SPEC_H
#define BPFRT_LOADER_CORE_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/bpf.h>
#include <linux/btf.h>

#include "bpfrt/btf.h"

/* Deepest access string (libbpf's BPF_CORE_SPEC_MAX_LEN). */
#define CORE_SPEC_MAX_LEN 64

struct core_accessor {
	uint32_t type_id;  /* named member: its struct/union; index: the element type */
	uint32_t idx;      /* member index, array index, or enumerator index */
	const char *name;  /* member or enumerator name; NULL for an array index */
};

struct core_spec {
	const struct bpfrt_btf *btf;
	uint32_t root_type_id;
	enum bpf_core_relo_kind kind;
	int len;                                   /* entries of acc */
	struct core_accessor acc[CORE_SPEC_MAX_LEN];
	int raw_len;                               /* entries of raw */
	uint32_t raw[CORE_SPEC_MAX_LEN];
	uint64_t bit_offset;                       /* of the accessed field from the root pointer */
};

/* BTF record accessors (the layouts of <linux/btf.h>). */
static inline unsigned int core_kind(const struct btf_type *t) { return BTF_INFO_KIND(t->info); }
static inline unsigned int core_vlen(const struct btf_type *t) { return BTF_INFO_VLEN(t->info); }
static inline bool core_kflag(const struct btf_type *t) { return BTF_INFO_KFLAG(t->info); }

static inline bool core_is_composite(const struct btf_type *t)
{
	return core_kind(t) == BTF_KIND_STRUCT || core_kind(t) == BTF_KIND_UNION;
}

static inline bool core_is_any_enum(const struct btf_type *t)
{
	return core_kind(t) == BTF_KIND_ENUM || core_kind(t) == BTF_KIND_ENUM64;
}

/* Same kind, where enum and enum64 count as one. */
static inline bool core_kind_compat(const struct btf_type *a, const struct btf_type *b)
{
	return core_kind(a) == core_kind(b) || (core_is_any_enum(a) && core_is_any_enum(b));
}

static inline const struct btf_member *core_members(const struct btf_type *t)
{
	return (const struct btf_member *)(t + 1);
}

static inline const struct btf_array *core_array(const struct btf_type *t)
{
	return (const struct btf_array *)(t + 1);
}

static inline const struct btf_enum *core_enums(const struct btf_type *t)
{
	return (const struct btf_enum *)(t + 1);
}

static inline const struct btf_enum64 *core_enum64s(const struct btf_type *t)
{
	return (const struct btf_enum64 *)(t + 1);
}

static inline const struct btf_param *core_params(const struct btf_type *t)
{
	return (const struct btf_param *)(t + 1);
}

static inline uint32_t core_int_data(const struct btf_type *t)
{
	return *(const uint32_t *)(t + 1);
}

/* Bit offset of member i: with kflag the low 24 bits, the high 8 are the bitfield size. */
static inline uint32_t core_member_bit_offset(const struct btf_type *t, unsigned int i)
{
	uint32_t off = core_members(t)[i].offset;

	return core_kflag(t) ? BTF_MEMBER_BIT_OFFSET(off) : off;
}

static inline uint32_t core_member_bitfield_size(const struct btf_type *t, unsigned int i)
{
	return core_kflag(t) ? BTF_MEMBER_BITFIELD_SIZE(core_members(t)[i].offset) : 0;
}

/* Name index of enumerator i of an enum or enum64. */
static inline uint32_t core_enumerator_name_off(const struct btf_type *t, unsigned int i)
{
	return core_kind(t) == BTF_KIND_ENUM ? core_enums(t)[i].name_off
					     : core_enum64s(t)[i].name_off;
}

/*
 * The value of enumerator i as a 64-bit pattern: 32-bit values are
 * sign-extended (struct btf_enum's val is signed), as libbpf does.
 */
static inline uint64_t core_enumerator_value(const struct btf_type *t, unsigned int i)
{
	if (core_kind(t) == BTF_KIND_ENUM)
		return (uint64_t)(int64_t)core_enums(t)[i].val;
	return (uint64_t)core_enum64s(t)[i].val_hi32 << 32 | core_enum64s(t)[i].val_lo32;
}

/* The type with this id; id 0 is `void` (kind UNKN), not NULL. NULL if out of range. */
const struct btf_type *core_type(const struct bpfrt_btf *btf, uint32_t id);

/* A string of the BTF, or "" when the offset is invalid. */
const char *core_name(const struct bpfrt_btf *btf, uint32_t off);

/* Skip typedefs and modifiers; *res_id (if set) gets the id reached. NULL if invalid. */
const struct btf_type *core_skip_mods(const struct bpfrt_btf *btf, uint32_t id, uint32_t *res_id);

/* Size of a type as libbpf's btf__resolve_size computes it (pointers: 8), or -EINVAL/-E2BIG. */
int64_t core_resolve_size(const struct bpfrt_btf *btf, uint32_t id);

/* Length of `name` without its flavor: "foo___v2" -> 3 ("foo"). */
size_t core_essential_name_len(const char *name);

/* "byte_off", "field_exists", ... as libbpf names the kinds. */
const char *core_kind_str(enum bpf_core_relo_kind kind);

bool core_kind_is_field(enum bpf_core_relo_kind kind);
bool core_kind_is_type(enum bpf_core_relo_kind kind);
bool core_kind_is_enumval(enum bpf_core_relo_kind kind);

/*
 * Parse relo's access string against the local BTF. Returns 0, or -EINVAL
 * (-E2BIG for too deep an access) with a static reason in *why.
 */
int core_spec_parse(const struct bpfrt_btf *btf, const struct bpf_core_relo *relo,
		    struct core_spec *spec, const char **why);

/*
 * Match a parsed local spec against candidate targ_id of the target BTF,
 * filling targ_spec. Returns 1 (match), 0 (no match) or -errno.
 */
int core_spec_match(const struct core_spec *local, const struct bpfrt_btf *targ,
		    uint32_t targ_id, struct core_spec *targ_spec);

/* libbpf's bpf_core_types_are_compat(): 1, 0, or -EINVAL (too deep). */
int core_types_are_compat(const struct bpfrt_btf *local, uint32_t local_id,
			  const struct bpfrt_btf *targ, uint32_t targ_id);

/* libbpf's bpf_core_types_match() (TYPE_MATCHES): 1, 0, or -EINVAL (too deep). */
int core_types_match(const struct bpfrt_btf *local, uint32_t local_id,
		     const struct bpfrt_btf *targ, uint32_t targ_id);

/* "struct foo.a[3].b (0:1:3:0 @ offset 24)" into buf; returns buf. */
const char *core_spec_format(const struct core_spec *spec, char *buf, size_t size);

#endif /* BPFRT_LOADER_CORE_SPEC_H */
