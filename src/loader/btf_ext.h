/* SPDX-License-Identifier: MIT */
/*
 * src/loader/btf_ext.h - the .BTF.ext section: per-section function info,
 * line info and CO-RE relocation records.
 *
 * Records keep the on-disk layouts of <linux/bpf.h> (struct bpf_func_info,
 * struct bpf_line_info, struct bpf_core_relo), with insn_off a BYTE offset
 * into the ELF section named by the record group, as clang emits them. A
 * group's records may be larger than the struct (rec_size): step by
 * rec_size, read the known prefix.
 */
#ifndef BPFRT_LOADER_BTF_EXT_H
#define BPFRT_LOADER_BTF_EXT_H

#include <stddef.h>
#include <stdint.h>

#include "bpfrt/btf.h"

struct btf_ext_sec {
	const char *sec_name;  /* ELF section the records refer to */
	uint32_t cnt;
	const void *recs;      /* cnt records of the group's rec_size */
};

struct btf_ext_info {
	uint32_t rec_size;     /* 0 if the object has none of this kind */
	uint32_t sec_cnt;
	struct btf_ext_sec *secs;
};

struct btf_ext {
	struct btf_ext_info func_info;  /* struct bpf_func_info */
	struct btf_ext_info line_info;  /* struct bpf_line_info */
	struct btf_ext_info core_relo;  /* struct bpf_core_relo */
	void *data;                     /* owned copy the records point into */
};

/*
 * Parse and check a .BTF.ext section against its object's BTF (section
 * names and file names are offsets into btf's strings; func info type ids
 * must name FUNCs; record sizes at least the known structs; every group
 * within bounds). Returns 0 with *out set, or -EINVAL with
 * ".BTF.ext: reason" in log.
 */
int btf_ext_parse(const void *data, size_t size, const struct bpfrt_btf *btf,
		  struct btf_ext **out, char *log, size_t log_size);
void btf_ext_free(struct btf_ext *ext);

/* The record group for an ELF section name, or NULL. */
const struct btf_ext_sec *btf_ext_find(const struct btf_ext_info *info, const char *sec_name);

#endif /* BPFRT_LOADER_BTF_EXT_H */
