/* SPDX-License-Identifier: MIT */
/*
 * .BTF.ext: the function info, line info and CO-RE relocation records clang
 * emits beside .BTF. The layout (libbpf's, there is no uapi header for it):
 *
 *   header   u16 magic 0xeB9F, u8 version 1, u8 flags 0, u32 hdr_len,
 *            u32 func_info_off, func_info_len, line_info_off, line_info_len,
 *            [u32 core_relo_off, core_relo_len  -- if hdr_len covers them]
 *   group    (at hdr_len + *_off, *_len bytes)
 *            u32 rec_size
 *            { u32 sec_name_off; u32 num_info; rec_size * num_info bytes }...
 *
 * sec_name_off and the strings inside records are offsets into the
 * object's .BTF string section; insn_off is a byte offset into the ELF
 * section the group names. Everything is checked here, so that the loader
 * and CO-RE can index records without further bounds checks.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/bpf.h>

#include "core/core.h"
#include "loader/btf_ext.h"

struct ext_hdr {
	uint16_t magic;
	uint8_t version;
	uint8_t flags;
	uint32_t hdr_len;
	uint32_t func_info_off;
	uint32_t func_info_len;
	uint32_t line_info_off;
	uint32_t line_info_len;
	/* optional: present when hdr_len covers them */
	uint32_t core_relo_off;
	uint32_t core_relo_len;
};

#define EXT_HDR_MIN  offsetof(struct ext_hdr, core_relo_off)
#define EXT_HDR_CORE sizeof(struct ext_hdr)

enum group { G_FUNC, G_LINE, G_CORE };

static const struct group_desc {
	const char *name;
	uint32_t min_rec; /* the known prefix of a record */
} groups[] = {
	[G_FUNC] = { "func_info", sizeof(struct bpf_func_info) },
	[G_LINE] = { "line_info", sizeof(struct bpf_line_info) },
	[G_CORE] = { "core_relo", sizeof(struct bpf_core_relo) },
};

struct ectx {
	const struct bpfrt_btf *btf;
	const char *base; /* the owned copy */
	size_t size;
	char *log;
	size_t log_size;
};

static int ext_err(struct ectx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int ext_err(struct ectx *c, const char *fmt, ...)
{
	char why[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	core_log(c->log, c->log_size, ".BTF.ext: %s", why);
	return -EINVAL;
}

static uint32_t get_u32(const char *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* "0:1:2": what CO-RE accepts as an access string (and not absurdly long). */
static bool access_str_ok(const char *s)
{
	bool digit = false;

	for (size_t n = 0; *s; s++, n++) {
		if (n >= 4096)
			return false;
		if (*s >= '0' && *s <= '9')
			digit = true;
		else if (*s == ':' && digit)
			digit = false;
		else
			return false;
	}
	return digit;
}

/* Per-record checks of one section's records. */
static int check_records(struct ectx *c, enum group g, const struct btf_ext_sec *sec, uint32_t rec_size)
{
	const char *gname = groups[g].name, *sname = sec->sec_name;
	uint32_t cnt = bpfrt_btf__type_cnt(c->btf), prev = 0;
	char kn[16];

	for (uint32_t i = 0; i < sec->cnt; i++) {
		const char *rec = (const char *)sec->recs + (size_t)i * rec_size;
		uint32_t insn_off = get_u32(rec);

		if (insn_off % 8)
			return ext_err(c, "%s of section '%.64s': record #%u insn_off %u is not a multiple of 8",
				       gname, sname, i, insn_off);
		switch (g) {
		case G_FUNC: {
			const struct bpf_func_info *fi = (const void *)rec;
			const struct btf_type *t = bpfrt_btf__type_by_id(c->btf, fi->type_id);

			/* the kernel requires strictly increasing offsets */
			if (i && insn_off <= prev)
				return ext_err(c, "func_info of section '%.64s': record #%u insn_off %u is not above the previous record's (%u)",
					       sname, i, insn_off, prev);
			if (!t || BTF_INFO_KIND(t->info) != BTF_KIND_FUNC) {
				snprintf(kn, sizeof(kn), "%s", t ? bpfrt_btf_kind_name((int)BTF_INFO_KIND(t->info)) :
					 fi->type_id ? "out of range" : "void");
				return ext_err(c, "func_info of section '%.64s': record #%u type id %u is not a FUNC (%s)",
					       sname, i, fi->type_id, kn);
			}
			break;
		}
		case G_LINE: {
			const struct bpf_line_info *li = (const void *)rec;

			if (i && insn_off < prev)
				return ext_err(c, "line_info of section '%.64s': record #%u insn_off %u is below the previous record's (%u)",
					       sname, i, insn_off, prev);
			if (!bpfrt_btf__str(c->btf, li->file_name_off))
				return ext_err(c, "line_info of section '%.64s': record #%u file name offset %u is not in the BTF strings",
					       sname, i, li->file_name_off);
			if (!bpfrt_btf__str(c->btf, li->line_off))
				return ext_err(c, "line_info of section '%.64s': record #%u line offset %u is not in the BTF strings",
					       sname, i, li->line_off);
			break;
		}
		case G_CORE: {
			const struct bpf_core_relo *r = (const void *)rec;
			const char *acc = bpfrt_btf__str(c->btf, r->access_str_off);

			if (r->type_id >= cnt)
				return ext_err(c, "core_relo of section '%.64s': record #%u type id %u out of range (max %u)",
					       sname, i, r->type_id, cnt - 1);
			if (!acc)
				return ext_err(c, "core_relo of section '%.64s': record #%u access string offset %u is not in the BTF strings",
					       sname, i, r->access_str_off);
			if (!access_str_ok(acc))
				return ext_err(c, "core_relo of section '%.64s': record #%u access string \"%.64s\" is not of the form 0:1:2",
					       sname, i, acc);
			if ((uint32_t)r->kind > BPF_CORE_TYPE_MATCHES)
				return ext_err(c, "core_relo of section '%.64s': record #%u has unknown kind %u",
					       sname, i, (uint32_t)r->kind);
			break;
		}
		}
		prev = insn_off;
	}
	return 0;
}

static int ptr_cmp(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)*(const char *const *)a, y = (uintptr_t)*(const char *const *)b;

	return x < y ? -1 : x > y;
}

/*
 * One record group per ELF section, or btf_ext_find() would be ambiguous.
 * Names are compared by string offset (clang's string tables hold each
 * string once), sorted, so that many sections stay cheap.
 */
static int check_unique(struct ectx *c, const char *gname, const struct btf_ext_info *info)
{
	const char **names;
	int err = 0;

	if (info->sec_cnt < 2)
		return 0;
	names = core_calloc(info->sec_cnt, sizeof(*names));
	if (!names) {
		core_log(c->log, c->log_size, ".BTF.ext: out of memory");
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < info->sec_cnt; i++)
		names[i] = info->secs[i].sec_name;
	qsort(names, info->sec_cnt, sizeof(*names), ptr_cmp);
	for (uint32_t i = 1; i < info->sec_cnt && !err; i++)
		if (names[i] == names[i - 1])
			err = ext_err(c, "%s lists section '%.64s' twice", gname, names[i]);
	core_free(names);
	return err;
}

static int parse_group(struct ectx *c, enum group g, uint32_t hdr_len, uint32_t off, uint32_t len,
		       struct btf_ext_info *info)
{
	const char *gname = groups[g].name;
	uint64_t start = (uint64_t)hdr_len + off, end = start + len;
	uint32_t rec_size, n = 0;
	uint64_t p;

	if (!len)
		return 0;
	if (end > c->size)
		return ext_err(c, "%s (offset %u, length %u) exceeds the section (%zu bytes after a %u-byte header)",
			       gname, off, len, c->size - hdr_len, hdr_len);
	if (start % 4)
		return ext_err(c, "%s offset %u is not 4-byte aligned", gname, off);
	if (len < sizeof(uint32_t))
		return ext_err(c, "%s of %u bytes has no room for its record size", gname, len);
	rec_size = get_u32(c->base + start);
	if (rec_size < groups[g].min_rec)
		return ext_err(c, "%s record size %u is below %u", gname, rec_size, groups[g].min_rec);
	if (rec_size % 4)
		return ext_err(c, "%s record size %u is not a multiple of 4", gname, rec_size);

	/* first pass: bounds, and how many sections */
	for (p = start + 4; p < end; n++) {
		uint32_t name_off, num;
		const char *name;
		uint64_t need;

		if (end - p < 8)
			return ext_err(c, "%s: truncated section header at offset %llu", gname,
				       (unsigned long long)(p - hdr_len));
		name_off = get_u32(c->base + p);
		num = get_u32(c->base + p + 4);
		name = bpfrt_btf__str(c->btf, name_off);
		if (!name || !*name)
			return ext_err(c, "%s: section name offset %u is not a name in the BTF strings", gname, name_off);
		if (!num)
			return ext_err(c, "%s of section '%.64s' has no records", gname, name);
		need = (uint64_t)num * rec_size;
		if (need > end - p - 8)
			return ext_err(c, "%s of section '%.64s': %u records of %u bytes overrun the %s data (%llu bytes left)",
				       gname, name, num, rec_size, gname, (unsigned long long)(end - p - 8));
		p += 8 + need;
	}
	info->secs = core_calloc(n, sizeof(*info->secs));
	if (!info->secs) {
		core_log(c->log, c->log_size, ".BTF.ext: out of memory");
		return -ENOMEM;
	}
	info->rec_size = rec_size;
	/* second pass: fill in and check each record */
	for (p = start + 4; p < end; info->sec_cnt++) {
		struct btf_ext_sec *sec = &info->secs[info->sec_cnt];
		int err;

		sec->sec_name = bpfrt_btf__str(c->btf, get_u32(c->base + p));
		sec->cnt = get_u32(c->base + p + 4);
		sec->recs = c->base + p + 8;
		err = check_records(c, g, sec, rec_size);
		if (err)
			return err;
		p += 8 + (uint64_t)sec->cnt * rec_size;
	}
	return check_unique(c, gname, info);
}

void btf_ext_free(struct btf_ext *ext)
{
	if (!ext)
		return;
	core_free(ext->func_info.secs);
	core_free(ext->line_info.secs);
	core_free(ext->core_relo.secs);
	core_free(ext->data);
	core_free(ext);
}

int btf_ext_parse(const void *data, size_t size, const struct bpfrt_btf *btf,
		  struct btf_ext **out, char *log, size_t log_size)
{
	struct ectx c = { .btf = btf, .size = size, .log = log, .log_size = log_size };
	struct ext_hdr h = { 0 };
	struct btf_ext *ext;
	int err;

	if (!out)
		return -EINVAL;
	*out = NULL;
	if (!btf)
		return ext_err(&c, "no .BTF to check it against");
	if (!data || size < EXT_HDR_MIN)
		return ext_err(&c, "truncated header (%zu bytes, need %zu)", data ? size : 0, EXT_HDR_MIN);
	memcpy(&h, data, size < sizeof(h) ? size : sizeof(h));
	if (h.magic == 0x9feb)
		return ext_err(&c, "big-endian .BTF.ext is not supported (magic 0x%04x)", h.magic);
	if (h.magic != BTF_MAGIC)
		return ext_err(&c, "bad magic 0x%04x (expected 0x%04x)", h.magic, BTF_MAGIC);
	if (h.version != BTF_VERSION)
		return ext_err(&c, "unsupported version %u (expected %u)", h.version, BTF_VERSION);
	if (h.flags)
		return ext_err(&c, "unsupported header flags 0x%x", h.flags);
	if (h.hdr_len < EXT_HDR_MIN)
		return ext_err(&c, "header length %u is below %zu", h.hdr_len, EXT_HDR_MIN);
	if (h.hdr_len > size)
		return ext_err(&c, "header length %u exceeds the section (%zu bytes)", h.hdr_len, size);
	/* a header too short for the CO-RE fields has no CO-RE relocations */
	if (h.hdr_len < EXT_HDR_CORE)
		h.core_relo_off = h.core_relo_len = 0;

	ext = core_calloc(1, sizeof(*ext));
	if (ext)
		ext->data = core_malloc(size);
	if (!ext || !ext->data) {
		btf_ext_free(ext);
		core_log(log, log_size, ".BTF.ext: out of memory");
		return -ENOMEM;
	}
	memcpy(ext->data, data, size);
	c.base = ext->data;
	err = parse_group(&c, G_FUNC, h.hdr_len, h.func_info_off, h.func_info_len, &ext->func_info);
	if (!err)
		err = parse_group(&c, G_LINE, h.hdr_len, h.line_info_off, h.line_info_len, &ext->line_info);
	if (!err)
		err = parse_group(&c, G_CORE, h.hdr_len, h.core_relo_off, h.core_relo_len, &ext->core_relo);
	if (err) {
		btf_ext_free(ext);
		return err;
	}
	*out = ext;
	return 0;
}

const struct btf_ext_sec *btf_ext_find(const struct btf_ext_info *info, const char *sec_name)
{
	if (!info || !sec_name)
		return NULL;
	for (uint32_t i = 0; i < info->sec_cnt; i++)
		if (!strcmp(info->secs[i].sec_name, sec_name))
			return &info->secs[i];
	return NULL;
}
