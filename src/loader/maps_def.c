/* SPDX-License-Identifier: MIT */
/*
 * Map definitions, in libbpf's order and with libbpf's names:
 *
 *   1. legacy `maps` records (struct bpf_map_def), by offset;
 *   2. BTF-defined `.maps` (the DATASEC's variables, by offset): __uint,
 *      __type and __array members, inner definitions of map-in-map;
 *   3. global data, one single-entry array per .data*, .rodata*, .bss*
 *      section, in section order, named "<obj>.<sec>" as libbpf names them
 *      (the object name truncated so the whole fits 15 characters; custom
 *      sections such as .rodata.str1.1 keep their own name only);
 *   4. ".kconfig" for .kconfig externs;
 *   5. .struct_ops and .struct_ops.link variables.
 *
 * Global-data maps carry BPF_F_MMAPABLE when their DATASEC has a
 * non-static, non-hidden variable (libbpf's map_is_mmapable()); .rodata*
 * and .kconfig also BPF_F_RDONLY_PROG.
 *
 * Before any of this, mapdef_fixup_btf() rewrites the raw .BTF as libbpf
 * does: clang leaves DATASEC sizes and global variables' offsets zero.
 *
 * Unlike libbpf, which lets the kernel judge sizes when it creates the
 * map, bpfrt checks key, value and max_entries per map type at open time
 * (the kernel's rules), so a bad definition is reported with the map's
 * name.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "loader/object_int.h"

#define PIN_NONE    0
#define PIN_BY_NAME 1

static const struct btf_type *skip_mods(const struct bpfrt_btf *btf, uint32_t id, uint32_t *res_id)
{
	uint32_t rid = bpfrt_btf__skip_mods_and_typedefs(btf, id);

	if (res_id)
		*res_id = rid;
	return bpfrt_btf__type_by_id(btf, rid);
}

static const char *kind_str(const struct btf_type *t)
{
	const char *s = t ? bpfrt_btf_kind_name(BTF_INFO_KIND(t->info)) : "void";

	return s ? s : "unknown";
}

static uint32_t member_bit_offset(const struct btf_type *t, const struct btf_member *m)
{
	return BTF_INFO_KFLAG(t->info) ? BTF_MEMBER_BIT_OFFSET(m->offset) : m->offset;
}

/* ---- BTF fix-ups on the raw section ---- */

struct raw_btf {
	uint8_t *types;        /* start of the type section */
	uint32_t *offs;        /* offset of type id i (1-based) in types */
	uint32_t cnt;          /* ids 1 .. cnt - 1 */
};

static int64_t raw_rec_size(const struct btf_type *t)
{
	uint32_t vlen = BTF_INFO_VLEN(t->info);
	size_t base = sizeof(*t);

	switch (BTF_INFO_KIND(t->info)) {
	case BTF_KIND_INT:
	case BTF_KIND_VAR:
	case BTF_KIND_DECL_TAG:
		return (int64_t)base + 4;
	case BTF_KIND_ARRAY:
		return (int64_t)(base + sizeof(struct btf_array));
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		return (int64_t)(base + vlen * sizeof(struct btf_member));
	case BTF_KIND_ENUM:
		return (int64_t)(base + vlen * sizeof(struct btf_enum));
	case BTF_KIND_FUNC_PROTO:
		return (int64_t)(base + vlen * sizeof(struct btf_param));
	case BTF_KIND_DATASEC:
		return (int64_t)(base + vlen * sizeof(struct btf_var_secinfo));
	case BTF_KIND_ENUM64:
		return (int64_t)(base + vlen * 12);
	case BTF_KIND_PTR:
	case BTF_KIND_FWD:
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_FUNC:
	case BTF_KIND_FLOAT:
	case BTF_KIND_TYPE_TAG:
		return (int64_t)base;
	default:
		return -1;
	}
}

/* Index the raw records; the parsed copy `btf` vouches for their validity. */
static int raw_index(struct raw_btf *r, void *raw, size_t size, uint32_t type_cnt)
{
	struct btf_header hdr;
	size_t off = 0, end;

	if (size < sizeof(hdr))
		return -EINVAL;
	memcpy(&hdr, raw, sizeof(hdr));
	if (hdr.magic != BTF_MAGIC || hdr.hdr_len > size || size - hdr.hdr_len < hdr.type_off ||
	    size - hdr.hdr_len - hdr.type_off < hdr.type_len)
		return -EINVAL;
	r->types = (uint8_t *)raw + hdr.hdr_len + hdr.type_off;
	end = hdr.type_len;
	r->cnt = type_cnt;
	r->offs = core_calloc(type_cnt, sizeof(*r->offs));
	if (!r->offs)
		return -ENOMEM;
	for (uint32_t id = 1; id < type_cnt; id++) {
		struct btf_type t;
		int64_t sz;

		if (end - off < sizeof(t))
			return -EINVAL;
		memcpy(&t, r->types + off, sizeof(t));
		sz = raw_rec_size(&t);
		if (sz < 0 || (size_t)sz > end - off)
			return -EINVAL;
		r->offs[id] = (uint32_t)off;
		off += (size_t)sz;
	}
	return 0;
}

static struct btf_type *raw_type(const struct raw_btf *r, uint32_t id)
{
	return (struct btf_type *)(void *)(r->types + r->offs[id]);
}

/* A global variable's ELF symbol, as libbpf finds it: by name, any section. */
static const struct elf_sym *find_var_sym(const struct elf_file *ef, const char *name)
{
	for (size_t i = 0; i < ef->sym_cnt; i++) {
		const struct elf_sym *s = &ef->syms[i];

		if (s->type == STT_OBJECT && (s->bind == STB_GLOBAL || s->bind == STB_WEAK) &&
		    strcmp(s->name, name) == 0)
			return s;
	}
	return NULL;
}

static void sort_secinfos(struct btf_var_secinfo *vs, uint32_t n)
{
	/* Insertion sort: stable, and sections hold few variables. */
	for (uint32_t i = 1; i < n; i++) {
		struct btf_var_secinfo v = vs[i];
		uint32_t j = i;

		while (j > 0 && vs[j - 1].offset > v.offset) {
			vs[j] = vs[j - 1];
			j--;
		}
		vs[j] = v;
	}
}

static int fixup_kconfig_datasec(struct obj_ctx *ctx, const struct bpfrt_btf *btf,
				 const struct raw_btf *r, struct btf_type *sec)
{
	struct btf_var_secinfo *vs = (void *)(sec + 1);
	struct bpfrt_object *obj = ctx->obj;

	sec->size = (uint32_t)kcfg_layout(obj);
	for (uint32_t i = 0; i < BTF_INFO_VLEN(sec->info); i++) {
		const char *name = obj_btf_name(btf, obj_btf_type(btf, vs[i].type));
		struct btf_type *var;
		size_t k;

		for (k = 0; k < obj->extern_cnt; k++) {
			if (obj->externs[k].type == EXT_KCFG && strcmp(obj->externs[k].name, name) == 0)
				break;
		}
		if (k == obj->extern_cnt || vs[i].type >= r->cnt) {
			obj_err(ctx, "DATASEC '.kconfig': variable '%s' has no extern symbol", name);
			return -ESRCH;
		}
		var = raw_type(r, vs[i].type);
		if (BTF_INFO_KIND(var->info) == BTF_KIND_VAR)
			((struct btf_var *)(var + 1))->linkage = BTF_VAR_GLOBAL_ALLOCATED;
		vs[i].offset = obj->externs[k].kcfg_off;
	}
	sort_secinfos(vs, BTF_INFO_VLEN(sec->info));
	return 0;
}

static int fixup_datasec(struct obj_ctx *ctx, const struct bpfrt_btf *btf, const struct raw_btf *r,
			 struct btf_type *sec, const char *sec_name)
{
	struct btf_var_secinfo *vs = (void *)(sec + 1);
	bool fix_offsets = false;

	if (sec->size == 0) {
		int idx = elf_sec_by_name(&ctx->ef, sec_name);

		if (idx < 0 || ctx->ef.secs[idx].size == 0) {
			obj_err(ctx, "BTF DATASEC '%s': no ELF section of that name to take its size from",
				sec_name);
			return -ENOENT;
		}
		sec->size = (uint32_t)ctx->ef.secs[idx].size;
		fix_offsets = true;
	}
	for (uint32_t i = 0; i < BTF_INFO_VLEN(sec->info); i++) {
		const struct elf_sym *sym;
		struct btf_type *var;
		struct btf_var *v;
		const char *name;

		if (vs[i].type == 0 || vs[i].type >= r->cnt ||
		    BTF_INFO_KIND(raw_type(r, vs[i].type)->info) != BTF_KIND_VAR) {
			obj_err(ctx, "BTF DATASEC '%s': member #%u is not a VAR", sec_name, i);
			return -EINVAL;
		}
		var = raw_type(r, vs[i].type);
		v = (struct btf_var *)(var + 1);
		if (v->linkage == BTF_VAR_STATIC || v->linkage == BTF_VAR_GLOBAL_EXTERN)
			continue;
		name = obj_btf_name(btf, obj_btf_type(btf, vs[i].type));
		sym = find_var_sym(&ctx->ef, name);
		if (!sym) {
			obj_err(ctx, "BTF DATASEC '%s': no ELF symbol for variable '%s'", sec_name, name);
			return -ENOENT;
		}
		if (fix_offsets)
			vs[i].offset = (uint32_t)sym->value;
		/* Hidden globals are static to the verifier, as in libbpf. */
		if (sym->visibility == STV_HIDDEN || sym->visibility == STV_INTERNAL)
			v->linkage = BTF_VAR_STATIC;
	}
	sort_secinfos(vs, BTF_INFO_VLEN(sec->info));
	return 0;
}

int mapdef_fixup_btf(struct obj_ctx *ctx, const struct bpfrt_btf *btf, void *raw, size_t size)
{
	uint32_t cnt = bpfrt_btf__type_cnt(btf);
	struct raw_btf r = { 0 };
	int err, changed = 0;

	err = raw_index(&r, raw, size, cnt);
	if (err) {
		core_free(r.offs);
		if (err == -ENOMEM)
			return err;
		/* The parser accepted it, so it is in a form we do not rewrite. */
		core_print(BPFRT_DEBUG, "bpfrt: .BTF not rewritten (unexpected layout)\n");
		return 0;
	}
	for (uint32_t id = 1; id < cnt && !err; id++) {
		struct btf_type *t = raw_type(&r, id);
		const char *name;

		if (BTF_INFO_KIND(t->info) != BTF_KIND_DATASEC)
			continue;
		name = obj_btf_name(btf, obj_btf_type(btf, id));
		if (strcmp(name, ".ksyms") == 0)
			continue; /* libbpf rewrites it for the kernel only */
		if (strcmp(name, ".kconfig") == 0)
			err = fixup_kconfig_datasec(ctx, btf, &r, t);
		else
			err = fixup_datasec(ctx, btf, &r, t, name);
		changed = 1;
	}
	core_free(r.offs);
	return err ? err : changed;
}

/* ---- adding maps ---- */

static struct bpfrt_map *add_map(struct bpfrt_object *obj, size_t *cap)
{
	struct bpfrt_map *m;

	if (obj->map_cnt == *cap) {
		size_t ncap = *cap ? *cap * 2 : 8;
		void *np = core_realloc(obj->maps, ncap * sizeof(*obj->maps));

		if (!np)
			return NULL;
		obj->maps = np;
		*cap = ncap;
	}
	m = &obj->maps[obj->map_cnt];
	memset(m, 0, sizeof(*m));
	m->obj = obj;
	m->idx = (int)obj->map_cnt;
	m->sec_idx = -1;
	m->btf_var_idx = -1;
	obj->map_cnt++;
	return m;
}

void mapdef_free(struct bpfrt_map *map)
{
	if (map->inner) {
		mapdef_free(map->inner);
		core_free(map->inner);
	}
	core_free(map->name);
	core_free(map->real_name);
	core_free(map->init);
	core_free(map->slots);
	memset(map, 0, sizeof(*map));
}

/* ---- size rules per map type (the kernel's map_alloc_check) ---- */

enum { K_ANY, K_4, K_0, K_LPM, K_CGS };
enum { V_ANY, V_4, V_0, V_4_8, V_MUL8 };
enum { M_POS, M_ANY, M_0, M_RINGBUF };

struct map_rule {
	unsigned char key, value, max;
	bool known;
};

static struct map_rule map_rule(uint32_t type)
{
	switch (type) {
	case BPFRT_MAP_TYPE_HASH:
	case BPFRT_MAP_TYPE_PERCPU_HASH:
	case BPFRT_MAP_TYPE_LRU_HASH:
	case BPFRT_MAP_TYPE_LRU_PERCPU_HASH:
		return (struct map_rule){ K_ANY, V_ANY, M_POS, true };
	case BPFRT_MAP_TYPE_ARRAY:
	case BPFRT_MAP_TYPE_PERCPU_ARRAY:
		return (struct map_rule){ K_4, V_ANY, M_POS, true };
	case BPFRT_MAP_TYPE_PROG_ARRAY:
	case BPFRT_MAP_TYPE_CGROUP_ARRAY:
	case BPFRT_MAP_TYPE_ARRAY_OF_MAPS:
	case BPFRT_MAP_TYPE_XSKMAP:
		return (struct map_rule){ K_4, V_4, M_POS, true };
	case BPFRT_MAP_TYPE_PERF_EVENT_ARRAY:
		/* 0: libbpf sizes it to the number of CPUs. */
		return (struct map_rule){ K_4, V_4, M_ANY, true };
	case BPFRT_MAP_TYPE_HASH_OF_MAPS:
		return (struct map_rule){ K_ANY, V_4, M_POS, true };
	case BPFRT_MAP_TYPE_STACK_TRACE:
		return (struct map_rule){ K_4, V_MUL8, M_POS, true };
	case BPFRT_MAP_TYPE_LPM_TRIE:
		return (struct map_rule){ K_LPM, V_ANY, M_POS, true };
	case BPFRT_MAP_TYPE_DEVMAP:
	case BPFRT_MAP_TYPE_DEVMAP_HASH:
	case BPFRT_MAP_TYPE_SOCKMAP:
	case BPFRT_MAP_TYPE_CPUMAP:
	case BPFRT_MAP_TYPE_REUSEPORT_SOCKARRAY:
		return (struct map_rule){ K_4, V_4_8, M_POS, true };
	case BPFRT_MAP_TYPE_SOCKHASH:
		return (struct map_rule){ K_ANY, V_4_8, M_POS, true };
	case BPFRT_MAP_TYPE_CGROUP_STORAGE:
	case BPFRT_MAP_TYPE_PERCPU_CGROUP_STORAGE:
		return (struct map_rule){ K_CGS, V_ANY, M_0, true };
	case BPFRT_MAP_TYPE_QUEUE:
	case BPFRT_MAP_TYPE_STACK:
	case BPFRT_MAP_TYPE_BLOOM_FILTER:
		return (struct map_rule){ K_0, V_ANY, M_POS, true };
	case BPFRT_MAP_TYPE_SK_STORAGE:
	case BPFRT_MAP_TYPE_INODE_STORAGE:
	case BPFRT_MAP_TYPE_TASK_STORAGE:
	case BPFRT_MAP_TYPE_CGRP_STORAGE:
		return (struct map_rule){ K_4, V_ANY, M_0, true };
	case BPFRT_MAP_TYPE_STRUCT_OPS:
		return (struct map_rule){ K_4, V_ANY, M_POS, true };
	case BPFRT_MAP_TYPE_RINGBUF:
	case BPFRT_MAP_TYPE_USER_RINGBUF:
		return (struct map_rule){ K_0, V_0, M_RINGBUF, true };
	case BPFRT_MAP_TYPE_ARENA:
		return (struct map_rule){ K_0, V_0, M_POS, true };
	default:
		return (struct map_rule){ 0, 0, 0, false };
	}
}

static int check_def(struct obj_ctx *ctx, const struct bpfrt_map *m)
{
	struct map_rule rule = map_rule(m->type);
	const char *tname = bpfrt_map_type_name(m->type);
	const char *why = NULL;
	long page = sysconf(_SC_PAGESIZE);

	if (m->type == BPFRT_MAP_TYPE_UNSPEC) {
		obj_err(ctx, "map '%s': map type isn't specified", m->name);
		return -EINVAL;
	}
	if (!rule.known) {
		obj_err(ctx, "map '%s': unknown map type %u", m->name, m->type);
		return -EINVAL;
	}
	switch (rule.key) {
	case K_ANY: why = m->key_size ? NULL : "key size 0, must be at least 1"; break;
	case K_4: why = m->key_size == 4 ? NULL : "key size %u, must be 4"; break;
	case K_0: why = m->key_size == 0 ? NULL : "key size %u, must be 0"; break;
	case K_LPM: why = m->key_size >= 5 && m->key_size <= 260 ? NULL :
			  "key size %u, must be 5..260 (a 4-byte prefix length and the data)"; break;
	case K_CGS: why = m->key_size == 8 || m->key_size == 16 ? NULL : "key size %u, must be 8 or 16"; break;
	}
	if (why) {
		char buf[96];

		snprintf(buf, sizeof(buf), why, m->key_size);
		obj_err(ctx, "map '%s' (%s): %s", m->name, tname, buf);
		return -EINVAL;
	}
	switch (rule.value) {
	case V_ANY: why = m->value_size ? NULL : "value size 0, must be at least 1"; break;
	case V_4: why = m->value_size == 4 ? NULL : "value size %u, must be 4"; break;
	case V_0: why = m->value_size == 0 ? NULL : "value size %u, must be 0"; break;
	case V_4_8: why = m->value_size == 4 || m->value_size == 8 ? NULL : "value size %u, must be 4 or 8"; break;
	case V_MUL8: why = m->value_size && m->value_size % 8 == 0 ? NULL :
			   "value size %u, must be a non-zero multiple of 8"; break;
	}
	if (why) {
		char buf[96];

		snprintf(buf, sizeof(buf), why, m->value_size);
		obj_err(ctx, "map '%s' (%s): %s", m->name, tname, buf);
		return -EINVAL;
	}
	switch (rule.max) {
	case M_POS: why = m->max_entries ? NULL : "max_entries 0, must be at least 1"; break;
	case M_0: why = m->max_entries == 0 ? NULL : "max_entries %u, must be 0"; break;
	case M_RINGBUF:
		why = m->max_entries && page > 0 && m->max_entries % (uint32_t)page == 0 &&
		      ((m->max_entries / (uint32_t)page) & (m->max_entries / (uint32_t)page - 1)) == 0
			      ? NULL : "max_entries %u, must be a power-of-2 multiple of the page size";
		break;
	default: why = NULL; break;
	}
	if (why) {
		char buf[96];

		snprintf(buf, sizeof(buf), why, m->max_entries);
		obj_err(ctx, "map '%s' (%s): %s", m->name, tname, buf);
		return -EINVAL;
	}
	if (m->inner)
		return check_def(ctx, m->inner);
	return 0;
}

/* As libbpf: round a ring buffer up to a power-of-2 number of pages. */
static uint32_t adjust_ringbuf_sz(uint32_t sz)
{
	long page = sysconf(_SC_PAGESIZE);
	uint32_t pg = page > 0 ? (uint32_t)page : 4096;

	if (sz == 0)
		return 0;
	if (sz % pg == 0 && ((sz / pg) & (sz / pg - 1)) == 0)
		return sz;
	for (uint64_t mul = 1; mul <= UINT32_MAX / pg; mul <<= 1) {
		if (mul * pg > sz)
			return (uint32_t)(mul * pg);
	}
	return sz;
}

static bool is_ringbuf(uint32_t type)
{
	return type == BPFRT_MAP_TYPE_RINGBUF || type == BPFRT_MAP_TYPE_USER_RINGBUF;
}

static bool is_map_in_map(uint32_t type)
{
	return type == BPFRT_MAP_TYPE_ARRAY_OF_MAPS || type == BPFRT_MAP_TYPE_HASH_OF_MAPS;
}

/* ---- legacy `maps` ---- */

struct legacy_def {
	uint32_t type, key_size, value_size, max_entries, map_flags;
};

static int cmp_maps_by_offset(const void *a_, const void *b_)
{
	const struct bpfrt_map *a = a_, *b = b_;

	return a->sec_offset < b->sec_offset ? -1 : a->sec_offset > b->sec_offset;
}

static int init_legacy_maps(struct obj_ctx *ctx, size_t *cap)
{
	const struct elf_file *ef = &ctx->ef;
	const struct elf_sec *s = &ef->secs[ef->legacy_maps_idx];
	struct bpfrt_object *obj = ctx->obj;
	size_t first = obj->map_cnt, nr = 0;

	for (size_t i = 0; i < ef->sym_cnt; i++) {
		const struct elf_sym *sym = &ef->syms[i];

		nr += (int)sym->shndx == ef->legacy_maps_idx && sym->type != STT_SECTION &&
		      sym->name[0];
	}
	for (size_t i = 0; i < ef->sym_cnt && nr; i++) {
		const struct elf_sym *sym = &ef->syms[i];
		size_t def_sz = sym->size ? sym->size : s->size / nr;
		struct legacy_def d = { 0 };
		struct bpfrt_map *m;

		if ((int)sym->shndx != ef->legacy_maps_idx || sym->type == STT_SECTION || !sym->name[0])
			continue;
		if (def_sz < sizeof(uint32_t) || sym->value > s->size || s->size - sym->value < def_sz) {
			obj_err(ctx,
				"section 'maps' (index %d): map '%s' at offset 0x%llx, size %zu, is outside the section (size %zu)",
				ef->legacy_maps_idx, sym->name, (unsigned long long)sym->value, def_sz,
				s->size);
			return -EINVAL;
		}
		memcpy(&d, (const uint8_t *)s->data + sym->value, def_sz < sizeof(d) ? def_sz : sizeof(d));
		for (size_t b = sizeof(d); b < def_sz; b++) {
			if (((const uint8_t *)s->data)[sym->value + b]) {
				obj_err(ctx,
					"map '%s': legacy definition has unrecognized, non-zero bytes at offset %zu (bpfrt reads struct bpf_map_def: type, key_size, value_size, max_entries, map_flags)",
					sym->name, b);
				return -EINVAL;
			}
		}
		m = add_map(obj, cap);
		if (!m)
			return -ENOMEM;
		m->name = core_strdup(sym->name);
		if (!m->name)
			return -ENOMEM;
		m->sec_idx = ef->legacy_maps_idx;
		m->sec_offset = sym->value;
		m->type = d.type;
		m->key_size = d.key_size;
		m->value_size = d.value_size;
		m->max_entries = is_ringbuf(d.type) ? adjust_ringbuf_sz(d.max_entries) : d.max_entries;
		m->map_flags = d.map_flags;
	}
	if (obj->map_cnt == first)
		return 0; /* a `maps` section without map symbols; obj->maps may be NULL */
	qsort(obj->maps + first, obj->map_cnt - first, sizeof(*obj->maps), cmp_maps_by_offset);
	for (size_t i = first; i < obj->map_cnt; i++)
		obj->maps[i].idx = (int)i;
	return 0;
}

/* ---- BTF-defined `.maps` ---- */

struct btf_map_def {
	uint32_t type, key_size, value_size, max_entries, map_flags, numa_node, pinning;
	uint64_t map_extra;
	uint32_t key_type_id, value_type_id;
	bool has_inner;
};

/* __uint(name, N) is `int (*name)[N]`: N is the array's length. */
static int map_field_int(struct obj_ctx *ctx, const char *map, const char *field,
			 const struct btf_member *m, uint32_t *res)
{
	const struct bpfrt_btf *btf = ctx->obj->btf;
	const struct btf_type *t = skip_mods(btf, m->type, NULL);
	const struct btf_type *arr;

	if (!t || BTF_INFO_KIND(t->info) != BTF_KIND_PTR) {
		obj_err(ctx, "map '%s': attribute '%s': expected PTR, got %s", map, field, kind_str(t));
		return -EINVAL;
	}
	arr = bpfrt_btf__type_by_id(btf, t->type);
	if (!arr || BTF_INFO_KIND(arr->info) != BTF_KIND_ARRAY) {
		obj_err(ctx, "map '%s': attribute '%s': expected a pointer to ARRAY, got one to %s",
			map, field, kind_str(arr));
		return -EINVAL;
	}
	*res = ((const struct btf_array *)(arr + 1))->nelems;
	return 0;
}

static int set_size(struct obj_ctx *ctx, const char *map, const char *what, uint32_t *cur,
		    int64_t sz)
{
	if (*cur && *cur != sz) {
		obj_err(ctx, "map '%s': conflicting %s size %u != %lld", map, what, *cur, (long long)sz);
		return -EINVAL;
	}
	*cur = (uint32_t)sz;
	return 0;
}

/* __type(key, T) is `T *key`: the size and BTF id of T. */
static int map_field_type(struct obj_ctx *ctx, const char *map, const char *what,
			  const struct btf_member *m, uint32_t *size, uint32_t *type_id)
{
	const struct bpfrt_btf *btf = ctx->obj->btf;
	const struct btf_type *t = bpfrt_btf__type_by_id(btf, m->type);
	int64_t sz;

	if (!t || BTF_INFO_KIND(t->info) != BTF_KIND_PTR) {
		obj_err(ctx, "map '%s': %s spec is not PTR: %s", map, what, kind_str(t));
		return -EINVAL;
	}
	sz = bpfrt_btf__resolve_size(btf, t->type);
	if (sz < 0 || sz > UINT32_MAX) {
		obj_err(ctx, "map '%s': cannot determine %s size for type [%u]", map, what, t->type);
		return -EINVAL;
	}
	if (set_size(ctx, map, what, size, sz))
		return -EINVAL;
	*type_id = t->type;
	return 0;
}

static int parse_btf_map_def(struct obj_ctx *ctx, const char *map, const struct btf_type *def_t,
			     struct btf_map_def *def, struct btf_map_def *inner)
{
	const struct bpfrt_btf *btf = ctx->obj->btf;
	const struct btf_member *m = (const void *)(def_t + 1);
	uint32_t vlen = BTF_INFO_VLEN(def_t->info);
	bool is_inner = inner == NULL;
	int err = 0;

	for (uint32_t i = 0; i < vlen && !err; i++, m++) {
		const char *name = bpfrt_btf__str(btf, m->name_off);
		uint32_t v;

		if (!name || !name[0]) {
			obj_err(ctx, "map '%s': member #%u has no name", map, i);
			return -EINVAL;
		}
		if (strcmp(name, "type") == 0) {
			err = map_field_int(ctx, map, name, m, &def->type);
		} else if (strcmp(name, "max_entries") == 0) {
			err = map_field_int(ctx, map, name, m, &def->max_entries);
		} else if (strcmp(name, "map_flags") == 0) {
			err = map_field_int(ctx, map, name, m, &def->map_flags);
		} else if (strcmp(name, "numa_node") == 0) {
			err = map_field_int(ctx, map, name, m, &def->numa_node);
		} else if (strcmp(name, "key_size") == 0) {
			err = map_field_int(ctx, map, name, m, &v);
			err = err ? err : set_size(ctx, map, "key", &def->key_size, v);
		} else if (strcmp(name, "key") == 0) {
			err = map_field_type(ctx, map, "key", m, &def->key_size, &def->key_type_id);
		} else if (strcmp(name, "value_size") == 0) {
			err = map_field_int(ctx, map, name, m, &v);
			err = err ? err : set_size(ctx, map, "value", &def->value_size, v);
		} else if (strcmp(name, "value") == 0) {
			err = map_field_type(ctx, map, "value", m, &def->value_size, &def->value_type_id);
		} else if (strcmp(name, "values") == 0) {
			bool mim = is_map_in_map(def->type);
			bool pa = def->type == BPFRT_MAP_TYPE_PROG_ARRAY;
			const char *desc = mim ? "map-in-map inner" : "prog-array value";
			const struct btf_type *t;
			char inner_name[128];

			if (is_inner) {
				obj_err(ctx, "map '%s': multi-level inner maps are not supported", map);
				return -ENOTSUP;
			}
			if (i != vlen - 1) {
				obj_err(ctx, "map '%s': member 'values' must be the last one", map);
				return -EINVAL;
			}
			if (!mim && !pa) {
				obj_err(ctx, "map '%s': 'values' needs a map-in-map or prog-array type (declare 'type' first)",
					map);
				return -ENOTSUP;
			}
			if (set_size(ctx, map, "value", &def->value_size, 4))
				return -EINVAL;
			t = bpfrt_btf__type_by_id(btf, m->type);
			if (!t || BTF_INFO_KIND(t->info) != BTF_KIND_ARRAY ||
			    ((const struct btf_array *)(t + 1))->nelems) {
				obj_err(ctx, "map '%s': %s spec is not a zero-sized array", map, desc);
				return -EINVAL;
			}
			t = skip_mods(btf, ((const struct btf_array *)(t + 1))->type, NULL);
			if (!t || BTF_INFO_KIND(t->info) != BTF_KIND_PTR) {
				obj_err(ctx, "map '%s': %s def is of unexpected kind %s", map, desc,
					kind_str(t));
				return -EINVAL;
			}
			t = skip_mods(btf, t->type, NULL);
			if (pa) {
				if (!t || BTF_INFO_KIND(t->info) != BTF_KIND_FUNC_PROTO) {
					obj_err(ctx, "map '%s': prog-array value def is of unexpected kind %s",
						map, kind_str(t));
					return -EINVAL;
				}
				continue;
			}
			if (!t || BTF_INFO_KIND(t->info) != BTF_KIND_STRUCT) {
				obj_err(ctx, "map '%s': map-in-map inner def is of unexpected kind %s", map,
					kind_str(t));
				return -EINVAL;
			}
			snprintf(inner_name, sizeof(inner_name), "%s.inner", map);
			err = parse_btf_map_def(ctx, inner_name, t, inner, NULL);
			def->has_inner = true;
		} else if (strcmp(name, "pinning") == 0) {
			if (is_inner) {
				obj_err(ctx, "map '%s': an inner map definition cannot be pinned", map);
				return -EINVAL;
			}
			err = map_field_int(ctx, map, name, m, &def->pinning);
			if (!err && def->pinning != PIN_NONE && def->pinning != PIN_BY_NAME) {
				obj_err(ctx, "map '%s': invalid pinning value %u", map, def->pinning);
				return -EINVAL;
			}
		} else if (strcmp(name, "map_extra") == 0) {
			err = map_field_int(ctx, map, name, m, &v);
			def->map_extra = v;
		} else {
			obj_err(ctx, "map '%s': unknown field '%s'", map, name);
			return -ENOTSUP;
		}
	}
	if (!err && def->type == BPFRT_MAP_TYPE_UNSPEC) {
		obj_err(ctx, "map '%s': map type isn't specified", map);
		return -EINVAL;
	}
	return err;
}

static void fill_map(struct bpfrt_map *m, const struct btf_map_def *d)
{
	m->type = d->type;
	m->key_size = d->key_size;
	m->value_size = d->value_size;
	m->max_entries = is_ringbuf(d->type) ? adjust_ringbuf_sz(d->max_entries) : d->max_entries;
	m->map_flags = d->map_flags;
	m->numa_node = d->numa_node;
	m->pinning = d->pinning;
	m->map_extra = d->map_extra;
	m->btf_key_type_id = d->key_type_id;
	m->btf_value_type_id = d->value_type_id;
}

static int init_btf_map(struct obj_ctx *ctx, const struct btf_type *sec, uint32_t var_idx,
			size_t *cap)
{
	const struct bpfrt_btf *btf = ctx->obj->btf;
	const struct btf_var_secinfo *vi = (const struct btf_var_secinfo *)(sec + 1) + var_idx;
	const struct elf_sec *s = &ctx->ef.secs[ctx->ef.maps_idx];
	struct btf_map_def def = { 0 }, inner = { 0 };
	const struct btf_type *var, *def_t;
	const char *name;
	struct bpfrt_map *m;
	int err;

	var = bpfrt_btf__type_by_id(btf, vi->type);
	name = obj_btf_name(btf, var);
	if (!name[0]) {
		obj_err(ctx, "section '.maps': map #%u has no name", var_idx);
		return -EINVAL;
	}
	if ((uint64_t)vi->offset + vi->size > s->size) {
		obj_err(ctx, "map '%s': its definition at offset %u, size %u, is outside section '.maps' (size %zu)",
			name, vi->offset, vi->size, s->size);
		return -EINVAL;
	}
	if (!var || BTF_INFO_KIND(var->info) != BTF_KIND_VAR) {
		obj_err(ctx, "map '%s': unexpected var kind %s", name, kind_str(var));
		return -EINVAL;
	}
	if (((const struct btf_var *)(var + 1))->linkage != BTF_VAR_GLOBAL_ALLOCATED) {
		obj_err(ctx, "map '%s': unsupported map linkage (maps must be non-static globals)", name);
		return -ENOTSUP;
	}
	def_t = skip_mods(btf, var->type, NULL);
	if (!def_t || BTF_INFO_KIND(def_t->info) != BTF_KIND_STRUCT) {
		obj_err(ctx, "map '%s': unexpected def kind %s (a struct is expected)", name,
			kind_str(def_t));
		return -EINVAL;
	}
	if (def_t->size > vi->size) {
		obj_err(ctx, "map '%s': invalid def size %u (the variable has %u bytes)", name,
			def_t->size, vi->size);
		return -EINVAL;
	}
	m = add_map(ctx->obj, cap);
	if (!m)
		return -ENOMEM;
	m->name = core_strdup(name);
	if (!m->name)
		return -ENOMEM;
	m->sec_idx = ctx->ef.maps_idx;
	m->sec_offset = vi->offset;
	m->btf_var_idx = (int)var_idx;
	err = parse_btf_map_def(ctx, m->name, def_t, &def, &inner);
	if (err)
		return err;
	fill_map(m, &def);
	if (def.has_inner) {
		m->inner = core_calloc(1, sizeof(*m->inner));
		if (!m->inner)
			return -ENOMEM;
		m->inner->obj = ctx->obj;
		m->inner->idx = -1;
		m->inner->sec_idx = ctx->ef.maps_idx;
		m->inner->btf_var_idx = -1;
		m->inner->name = core_malloc(strlen(name) + sizeof(".inner"));
		if (!m->inner->name)
			return -ENOMEM;
		sprintf(m->inner->name, "%s.inner", name);
		fill_map(m->inner, &inner);
	}
	return 0;
}

static int init_btf_maps(struct obj_ctx *ctx, size_t *cap)
{
	const struct bpfrt_btf *btf = ctx->obj->btf;
	const struct btf_type *sec;
	int id;

	if (!btf) {
		obj_err(ctx, "section '.maps' (index %d) needs BTF to describe its maps, but the object has none",
			ctx->ef.maps_idx);
		return -EINVAL;
	}
	id = bpfrt_btf__find_by_name_kind(btf, ".maps", BTF_KIND_DATASEC);
	if (id <= 0) {
		obj_err(ctx, "section '.maps' (index %d): no BTF DATASEC '.maps' describes it",
			ctx->ef.maps_idx);
		return -ENOENT;
	}
	ctx->maps_sec_btf_id = (uint32_t)id;
	sec = bpfrt_btf__type_by_id(btf, (uint32_t)id);
	for (uint32_t i = 0; i < BTF_INFO_VLEN(sec->info); i++) {
		int err = init_btf_map(ctx, sec, i, cap);

		if (err)
			return err;
	}
	return 0;
}

/* ---- global data ---- */

/*
 * libbpf's internal map name: as much of the object name as fits before
 * the section name in 15 characters, reserving at least 7 for the
 * section; names with a second dot (.rodata.str1.1) are used alone.
 */
static char *internal_map_name(const struct bpfrt_object *obj, const char *real_name)
{
	char buf[OBJ_NAME_LEN];
	size_t sfx = strlen(real_name) > 7 ? strlen(real_name) : 7;
	size_t pfx;

	if (sfx >= OBJ_NAME_LEN)
		sfx = OBJ_NAME_LEN - 1;
	if (strchr(real_name + 1, '.'))
		pfx = 0;
	else
		pfx = OBJ_NAME_LEN - sfx - 1 < strlen(obj->name) ? OBJ_NAME_LEN - sfx - 1
								  : strlen(obj->name);
	snprintf(buf, sizeof(buf), "%.*s%.*s", (int)pfx, obj->name, (int)sfx, real_name);
	for (char *p = buf; *p; p++) {
		if (!(*p >= 'a' && *p <= 'z') && !(*p >= 'A' && *p <= 'Z') &&
		    !(*p >= '0' && *p <= '9') && *p != '_' && *p != '.')
			*p = '_';
	}
	return core_strdup(buf);
}

/*
 * libbpf makes a global-data map mmap()able only if user space can see one
 * of its variables through a skeleton: a non-static (and not hidden) one.
 */
static bool datasec_has_global(const struct bpfrt_btf *btf, uint32_t id)
{
	const struct btf_type *t = id ? obj_btf_type(btf, id) : NULL;
	const struct btf_var_secinfo *vs;

	if (!t || BTF_INFO_KIND(t->info) != BTF_KIND_DATASEC)
		return false;
	vs = (const void *)(t + 1);
	for (uint32_t i = 0; i < BTF_INFO_VLEN(t->info); i++) {
		const struct btf_type *v = obj_btf_type(btf, vs[i].type);

		if (v && BTF_INFO_KIND(v->info) == BTF_KIND_VAR &&
		    ((const struct btf_var *)(v + 1))->linkage != BTF_VAR_STATIC)
			return true;
	}
	return false;
}

static struct bpfrt_map *add_internal_map(struct obj_ctx *ctx, const char *real_name,
					  int sec_idx, size_t size, bool readonly, size_t *cap)
{
	const struct bpfrt_btf *btf = ctx->obj->btf;
	struct bpfrt_map *m = add_map(ctx->obj, cap);

	if (!m)
		return NULL;
	m->internal = true;
	m->readonly = readonly;
	m->sec_idx = sec_idx;
	m->real_name = core_strdup(real_name);
	m->name = internal_map_name(ctx->obj, real_name);
	m->init = core_calloc(1, size ? size : 1);
	if (!m->real_name || !m->name || !m->init)
		return NULL;
	m->init_size = size;
	m->type = BPFRT_MAP_TYPE_ARRAY;
	m->key_size = 4;
	m->value_size = (uint32_t)size;
	m->max_entries = 1;
	m->map_flags = readonly ? OBJ_F_RDONLY_PROG : 0;
	if (btf) {
		int id = bpfrt_btf__find_by_name_kind(btf, real_name, BTF_KIND_DATASEC);

		/* None for .rodata.str1.1 and the like: that is fine. */
		m->btf_value_type_id = id > 0 ? (uint32_t)id : 0;
	}
	if (datasec_has_global(btf, m->btf_value_type_id))
		m->map_flags |= OBJ_F_MMAPABLE;
	return m;
}

#define GLOBAL_DATA_MAX (4U << 20)

static int init_global_data(struct obj_ctx *ctx, size_t *cap)
{
	struct elf_file *ef = &ctx->ef;

	for (size_t i = 1; i < ef->sec_cnt; i++) {
		struct elf_sec *s = &ef->secs[i];
		struct bpfrt_map *m;

		if ((s->kind != ELF_SEC_DATA && s->kind != ELF_SEC_RODATA && s->kind != ELF_SEC_BSS) ||
		    s->size == 0)
			continue;
		/*
		 * The kernel refuses array values above KMALLOC_MAX_SIZE (4 MiB on
		 * x86-64) with E2BIG; checking here also keeps a forged .bss size
		 * from costing gigabytes.
		 */
		if (s->size > GLOBAL_DATA_MAX) {
			obj_err(ctx, "section '%s' (index %zu): %zu bytes of global data, more than the %u bytes a map value may hold",
				s->name, i, s->size, GLOBAL_DATA_MAX);
			return -E2BIG;
		}
		m = add_internal_map(ctx, s->name, (int)i, s->size, s->kind == ELF_SEC_RODATA, cap);
		if (!m)
			return -ENOMEM;
		if (s->kind != ELF_SEC_BSS && s->data)
			memcpy(m->init, s->data, s->size);
		s->map_idx = m->idx;
	}
	return 0;
}

static int init_kconfig_map(struct obj_ctx *ctx, size_t *cap)
{
	struct bpfrt_object *obj = ctx->obj;
	size_t size = kcfg_layout(obj);
	struct bpfrt_map *m;

	if (size == 0)
		return 0;
	m = add_internal_map(ctx, ".kconfig", ctx->ef.symtab_idx, size, true, cap);
	if (!m)
		return -ENOMEM;
	obj->kconfig_map_idx = m->idx;
	return kcfg_fill(ctx, m->init);
}

/* ---- struct_ops ---- */

static int init_st_ops_maps(struct obj_ctx *ctx, int sec_idx, uint32_t flags, size_t *cap)
{
	const struct bpfrt_btf *btf = ctx->obj->btf;
	const struct elf_sec *s = &ctx->ef.secs[sec_idx];
	const struct btf_var_secinfo *vs;
	const struct btf_type *sec;
	int id;

	id = btf ? bpfrt_btf__find_by_name_kind(btf, s->name, BTF_KIND_DATASEC) : -ENOENT;
	if (id <= 0) {
		obj_err(ctx, "section '%s' (index %d): no BTF DATASEC '%s' describes it", s->name,
			sec_idx, s->name);
		return -EINVAL;
	}
	sec = bpfrt_btf__type_by_id(btf, (uint32_t)id);
	vs = (const void *)(sec + 1);
	for (uint32_t i = 0; i < BTF_INFO_VLEN(sec->info); i++) {
		const struct btf_type *var = bpfrt_btf__type_by_id(btf, vs[i].type);
		const char *var_name = obj_btf_name(btf, var);
		uint32_t tid;
		const struct btf_type *t = var ? skip_mods(btf, var->type, &tid) : NULL;
		struct bpfrt_map *m;

		if (!t || BTF_INFO_KIND(t->info) != BTF_KIND_STRUCT || !obj_btf_name(btf, t)[0]) {
			obj_err(ctx, "struct_ops '%s' in section '%s': its type is not a named struct",
				var_name, s->name);
			return -EINVAL;
		}
		if ((uint64_t)vs[i].offset + t->size > s->size || !s->data) {
			obj_err(ctx, "struct_ops '%s': at offset %u, size %u, beyond the end of section '%s' (size %zu)",
				var_name, vs[i].offset, t->size, s->name, s->size);
			return -EINVAL;
		}
		m = add_map(ctx->obj, cap);
		if (!m)
			return -ENOMEM;
		if (ctx->st_ops_map_first < 0)
			ctx->st_ops_map_first = m->idx;
		m->name = core_strdup(var_name);
		m->init = core_malloc(t->size ? t->size : 1);
		if (!m->name || !m->init)
			return -ENOMEM;
		memcpy(m->init, (const uint8_t *)s->data + vs[i].offset, t->size);
		m->init_size = t->size;
		m->sec_idx = sec_idx;
		m->sec_offset = vs[i].offset;
		m->type = BPFRT_MAP_TYPE_STRUCT_OPS;
		m->key_size = 4;
		m->value_size = t->size;
		m->max_entries = 1;
		m->map_flags = flags;
		m->st_ops_type_id = tid;
		m->slot_cnt = BTF_INFO_VLEN(t->info);
		m->slots = core_malloc((m->slot_cnt ? m->slot_cnt : 1) * sizeof(*m->slots));
		if (!m->slots)
			return -ENOMEM;
		for (uint32_t k = 0; k < m->slot_cnt; k++)
			m->slots[k] = -1;
	}
	return 0;
}

int mapdef_init_maps(struct obj_ctx *ctx)
{
	struct bpfrt_object *obj = ctx->obj;
	size_t cap = 0;
	int err = 0;

	if (ctx->ef.legacy_maps_idx >= 0)
		err = init_legacy_maps(ctx, &cap);
	if (!err && ctx->ef.maps_idx >= 0)
		err = init_btf_maps(ctx, &cap);
	for (size_t i = 0; i < obj->map_cnt && !err; i++)
		err = check_def(ctx, &obj->maps[i]);
	err = err ? err : init_global_data(ctx, &cap);
	err = err ? err : init_kconfig_map(ctx, &cap);
	if (!err && ctx->ef.st_ops_idx >= 0)
		err = init_st_ops_maps(ctx, ctx->ef.st_ops_idx, 0, &cap);
	if (!err && ctx->ef.st_ops_link_idx >= 0)
		err = init_st_ops_maps(ctx, ctx->ef.st_ops_link_idx, OBJ_F_LINK, &cap);
	return err;
}

/* ---- `values` and .struct_ops relocations ---- */

static int set_slot(struct bpfrt_map *m, uint32_t slot, int value)
{
	if (slot >= m->slot_cnt) {
		int *ns = core_realloc(m->slots, (slot + 1) * sizeof(*ns));

		if (!ns)
			return -ENOMEM;
		for (uint32_t k = m->slot_cnt; k <= slot; k++)
			ns[k] = -1;
		m->slots = ns;
		m->slot_cnt = slot + 1;
	}
	m->slots[slot] = value;
	return 0;
}

int mapdef_collect_slots(struct obj_ctx *ctx, const struct elf_rel *rels, size_t cnt)
{
	struct bpfrt_object *obj = ctx->obj;
	const struct bpfrt_btf *btf = obj->btf;
	const struct btf_var_secinfo *vs;
	const struct btf_type *sec;

	if (!btf || !ctx->maps_sec_btf_id)
		return cnt ? (obj_err(ctx, "relocations for '.maps' without its BTF DATASEC"), -EINVAL) : 0;
	sec = bpfrt_btf__type_by_id(btf, ctx->maps_sec_btf_id);
	vs = (const void *)(sec + 1);
	for (size_t i = 0; i < cnt; i++) {
		const struct elf_sym *sym = &ctx->ef.syms[rels[i].sym];
		const char *name = sym->name;
		const struct btf_var_secinfo *vi = NULL;
		const struct btf_type *def_t;
		const struct btf_member *last;
		struct bpfrt_map *m = NULL;
		uint64_t moff;
		int target;
		size_t j;

		for (j = 0; j < obj->map_cnt; j++) {
			m = &obj->maps[j];
			if (m->sec_idx != ctx->ef.maps_idx || m->btf_var_idx < 0)
				continue;
			vi = &vs[m->btf_var_idx];
			if (vi->offset <= rels[i].offset && rels[i].offset + 8 <= (uint64_t)vi->offset + vi->size)
				break;
		}
		if (j == obj->map_cnt) {
			obj_err(ctx, "section '.maps': relocation #%zu at offset 0x%llx ('%s') is in no map definition",
				i, (unsigned long long)rels[i].offset, name);
			return -EINVAL;
		}
		if (is_map_in_map(m->type)) {
			struct bpfrt_map *t = NULL;

			if ((int)sym->shndx != ctx->ef.maps_idx) {
				obj_err(ctx, "map '%s': 'values' entry '%s' is not a BTF-defined map", m->name, name);
				return -EINVAL;
			}
			if (m->type == BPFRT_MAP_TYPE_HASH_OF_MAPS && m->key_size != 4) {
				obj_err(ctx, "map '%s': hash-of-maps with initial values needs key size 4", m->name);
				return -EINVAL;
			}
			for (size_t k = 0; k < obj->map_cnt && !t; k++) {
				if (strcmp(obj->maps[k].name, name) == 0)
					t = &obj->maps[k];
			}
			if (!t) {
				obj_err(ctx, "map '%s': 'values' entry '%s' is not a valid map reference", m->name, name);
				return -ESRCH;
			}
			target = t->idx;
		} else if (m->type == BPFRT_MAP_TYPE_PROG_ARRAY) {
			struct bpfrt_program *p = obj_find_prog(obj, name);

			if (!p) {
				obj_err(ctx, "map '%s': 'values' entry '%s' is not a valid program reference", m->name, name);
				return -ESRCH;
			}
			if (p->sec_idx != sym->shndx || p->sec_insn_off * OBJ_INSN_SZ != sym->value) {
				obj_err(ctx, "map '%s': 'values' entry '%s' is not an entry-point program", m->name, name);
				return -EINVAL;
			}
			target = (int)(p - obj->progs);
		} else {
			obj_err(ctx, "map '%s': has initial 'values' but is neither a prog array nor a map-in-map", m->name);
			return -EINVAL;
		}
		def_t = skip_mods(btf, bpfrt_btf__type_by_id(btf, vi->type)->type, NULL);
		if (!def_t || BTF_INFO_VLEN(def_t->info) == 0) {
			obj_err(ctx, "map '%s': relocation #%zu but the definition has no 'values'", m->name, i);
			return -EINVAL;
		}
		last = (const struct btf_member *)(def_t + 1) + BTF_INFO_VLEN(def_t->info) - 1;
		if (!bpfrt_btf__str(btf, last->name_off) ||
		    strcmp(bpfrt_btf__str(btf, last->name_off), "values") != 0) {
			obj_err(ctx, "map '%s': relocation #%zu but the definition has no 'values'", m->name, i);
			return -EINVAL;
		}
		moff = member_bit_offset(def_t, last) / 8;
		if (rels[i].offset - vi->offset < moff || (rels[i].offset - vi->offset - moff) % 8) {
			obj_err(ctx, "map '%s': relocation #%zu at offset 0x%llx is not on a 'values' slot",
				m->name, i, (unsigned long long)rels[i].offset);
			return -EINVAL;
		}
		if (set_slot(m, (uint32_t)((rels[i].offset - vi->offset - moff) / 8), target))
			return -ENOMEM;
	}
	return 0;
}

int mapdef_collect_st_ops(struct obj_ctx *ctx, int sec_idx, const struct elf_rel *rels, size_t cnt)
{
	struct bpfrt_object *obj = ctx->obj;
	const struct bpfrt_btf *btf = obj->btf;

	for (size_t i = 0; i < cnt; i++) {
		const struct elf_sym *sym = &ctx->ef.syms[rels[i].sym];
		const struct btf_member *mem = NULL;
		const struct btf_type *st, *t;
		struct bpfrt_program *p;
		struct bpfrt_map *m = NULL;
		uint32_t moff, k;

		for (size_t j = 0; j < obj->map_cnt; j++) {
			struct bpfrt_map *c = &obj->maps[j];

			if (c->type == BPFRT_MAP_TYPE_STRUCT_OPS && c->sec_idx == sec_idx &&
			    c->sec_offset <= rels[i].offset && rels[i].offset - c->sec_offset < c->value_size) {
				m = c;
				break;
			}
		}
		if (!m) {
			obj_err(ctx, "section '%s': relocation #%zu at offset 0x%llx is in no struct_ops variable",
				ctx->ef.secs[sec_idx].name, i, (unsigned long long)rels[i].offset);
			return -EINVAL;
		}
		moff = (uint32_t)(rels[i].offset - m->sec_offset);
		st = bpfrt_btf__type_by_id(btf, m->st_ops_type_id);
		for (k = 0; k < BTF_INFO_VLEN(st->info); k++) {
			const struct btf_member *c = (const struct btf_member *)(st + 1) + k;

			if (member_bit_offset(st, c) == moff * 8) {
				mem = c;
				break;
			}
		}
		if (!mem) {
			obj_err(ctx, "struct_ops '%s': relocation #%zu: no member at offset %u", m->name, i, moff);
			return -EINVAL;
		}
		t = skip_mods(btf, mem->type, NULL);
		t = t && BTF_INFO_KIND(t->info) == BTF_KIND_PTR ? skip_mods(btf, t->type, NULL) : NULL;
		if (!t || BTF_INFO_KIND(t->info) != BTF_KIND_FUNC_PROTO) {
			obj_err(ctx, "struct_ops '%s': member '%s' is not a function pointer", m->name,
				bpfrt_btf__str(btf, mem->name_off));
			return -EINVAL;
		}
		if (sym->shndx >= ctx->ef.sec_cnt || sym->value % OBJ_INSN_SZ ||
		    !(p = obj_prog_by_sec_insn(obj, sym->shndx, sym->value / OBJ_INSN_SZ))) {
			obj_err(ctx, "struct_ops '%s': member '%s' does not point to a program", m->name,
				bpfrt_btf__str(btf, mem->name_off));
			return -EINVAL;
		}
		if (p->type != BPFRT_PROG_TYPE_STRUCT_OPS) {
			obj_err(ctx, "struct_ops '%s': program '%s' is not a struct_ops program", m->name, p->name);
			return -EINVAL;
		}
		if (p->st_ops_type_id && (p->st_ops_type_id != m->st_ops_type_id || p->attach_type != (int)k)) {
			obj_err(ctx, "struct_ops '%s': program '%s' is already used for another member", m->name,
				p->name);
			return -EINVAL;
		}
		/* As libbpf: the member index is the program's expected attach type. */
		p->st_ops_type_id = m->st_ops_type_id;
		p->attach_type = (int)k;
		m->slots[k] = (int)(p - obj->progs);
	}
	return 0;
}

/* ---- map API ---- */

struct bpfrt_map *bpfrt_object__next_map(const struct bpfrt_object *obj,
					 const struct bpfrt_map *prev)
{
	size_t i;

	if (!obj) {
		errno = EINVAL;
		return NULL;
	}
	if (!prev) {
		i = 0;
	} else {
		if (prev < obj->maps || prev >= obj->maps + obj->map_cnt) {
			errno = EINVAL;
			return NULL;
		}
		i = (size_t)(prev - obj->maps) + 1;
	}
	if (i < obj->map_cnt)
		return &obj->maps[i];
	errno = ENOENT;
	return NULL;
}

struct bpfrt_map *bpfrt_object__find_map_by_name(const struct bpfrt_object *obj, const char *name)
{
	if (!obj || !name) {
		errno = EINVAL;
		return NULL;
	}
	for (size_t i = 0; i < obj->map_cnt; i++) {
		struct bpfrt_map *m = &obj->maps[i];

		/* Internal maps also answer to their section name, as in libbpf. */
		if (strcmp(m->name, name) == 0 || (m->real_name && strcmp(m->real_name, name) == 0))
			return m;
	}
	errno = ENOENT;
	return NULL;
}

struct bpfrt_map *bpfrt_object__map_by_index(const struct bpfrt_object *obj, unsigned int idx)
{
	if (!obj || idx >= obj->map_cnt) {
		errno = obj ? ENOENT : EINVAL;
		return NULL;
	}
	return &obj->maps[idx];
}

int bpfrt_map__index(const struct bpfrt_map *map)
{
	if (!map)
		return -EINVAL;
	return map->idx >= 0 ? map->idx : -ENOENT;
}

const char *bpfrt_map__name(const struct bpfrt_map *map)
{
	return map ? map->name : NULL;
}

enum bpfrt_map_type bpfrt_map__type(const struct bpfrt_map *map)
{
	return map ? map->type : BPFRT_MAP_TYPE_UNSPEC;
}

uint32_t bpfrt_map__key_size(const struct bpfrt_map *map)
{
	return map ? map->key_size : 0;
}

uint32_t bpfrt_map__value_size(const struct bpfrt_map *map)
{
	return map ? map->value_size : 0;
}

uint32_t bpfrt_map__max_entries(const struct bpfrt_map *map)
{
	return map ? map->max_entries : 0;
}

uint32_t bpfrt_map__map_flags(const struct bpfrt_map *map)
{
	return map ? map->map_flags : 0;
}

uint32_t bpfrt_map__numa_node(const struct bpfrt_map *map)
{
	return map ? map->numa_node : 0;
}

uint32_t bpfrt_map__pinning(const struct bpfrt_map *map)
{
	return map ? map->pinning : 0;
}

uint64_t bpfrt_map__map_extra(const struct bpfrt_map *map)
{
	return map ? map->map_extra : 0;
}

uint32_t bpfrt_map__btf_key_type_id(const struct bpfrt_map *map)
{
	return map ? map->btf_key_type_id : 0;
}

uint32_t bpfrt_map__btf_value_type_id(const struct bpfrt_map *map)
{
	return map ? map->btf_value_type_id : 0;
}

const struct bpfrt_map *bpfrt_map__inner_map(const struct bpfrt_map *map)
{
	return map ? map->inner : NULL;
}

bool bpfrt_map__is_internal(const struct bpfrt_map *map)
{
	return map && map->internal;
}

bool bpfrt_map__is_readonly(const struct bpfrt_map *map)
{
	return map && (map->map_flags & OBJ_F_RDONLY_PROG);
}

const void *bpfrt_map__initial_value(const struct bpfrt_map *map, size_t *size)
{
	if (size)
		*size = map && map->init ? map->init_size : 0;
	return map ? map->init : NULL;
}

int bpfrt_map__set_max_entries(struct bpfrt_map *map, uint32_t max_entries)
{
	if (!map)
		return -EINVAL;
	/* A live map (standalone, or of a loaded object) has its size. */
	if (!map->obj || map->obj->loaded)
		return -EBUSY;
	/* A global-data map is one value: the section. */
	if (map->internal || map->type == BPFRT_MAP_TYPE_STRUCT_OPS)
		return -EINVAL;
	map->max_entries = is_ringbuf(map->type) ? adjust_ringbuf_sz(max_entries) : max_entries;
	return 0;
}

int bpfrt_map__set_initial_value(struct bpfrt_map *map, const void *data, size_t size)
{
	if (!map || (!data && size))
		return -EINVAL;
	if (!map->obj || map->obj->loaded)
		return -EBUSY;
	/* As libbpf: global data only (not .kconfig), the whole value at once. */
	if (!map->internal || map->idx == map->obj->kconfig_map_idx || size != map->value_size)
		return -EINVAL;
	memcpy(map->init, data, size);
	return 0;
}

uint32_t bpfrt_map__init_slot_cnt(const struct bpfrt_map *map)
{
	return map ? map->slot_cnt : 0;
}

const struct bpfrt_program *bpfrt_map__init_slot_prog(const struct bpfrt_map *map, uint32_t slot)
{
	if (!map || slot >= map->slot_cnt || map->slots[slot] < 0 ||
	    (map->type != BPFRT_MAP_TYPE_PROG_ARRAY && map->type != BPFRT_MAP_TYPE_STRUCT_OPS))
		return NULL;
	return &map->obj->progs[map->slots[slot]];
}

const struct bpfrt_map *bpfrt_map__init_slot_map(const struct bpfrt_map *map, uint32_t slot)
{
	if (!map || slot >= map->slot_cnt || map->slots[slot] < 0 || !is_map_in_map(map->type))
		return NULL;
	return &map->obj->maps[map->slots[slot]];
}
