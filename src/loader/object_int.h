/* SPDX-License-Identifier: MIT */
/*
 * src/loader/object_int.h - the object loader's internal structures.
 *
 * Opening runs one pipeline (object.c), each step in its own file:
 *
 *   elf.c        ELF file -> validated sections, symbols, relocation tables
 *   object.c     license/version, programs found from function symbols
 *   kconfig.c    .kconfig/.ksyms externs; .kconfig values
 *   maps_def.c   BTF DATASEC fix-ups, maps (.maps, legacy maps, global
 *                data, .kconfig, .struct_ops), `values` slots, map API
 *   reloc.c      relocation records, CO-RE, subprogram appending, data
 *                relocation, func/line info
 *   sections.c   the table of section-name conventions
 *
 * Everything an open needs only while it runs lives in struct obj_ctx;
 * what the object keeps afterwards lives in struct bpfrt_object.
 *
 * Module prefixes: elf_ (elf.c), sec_ (sections.c), kcfg_ (kconfig.c),
 * mapdef_ (maps_def.c), reloc_ (reloc.c), obj_ (object.c).
 */
#ifndef BPFRT_LOADER_OBJECT_INT_H
#define BPFRT_LOADER_OBJECT_INT_H

#include <gelf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpfrt/object.h"
#include "core/core.h"
#include "loader/btf_ext.h"

struct map;

#define OBJ_NAME_LEN 16       /* the kernel's BPF_OBJ_NAME_LEN */
#define OBJ_INSN_SZ 8

/* Program load flags libbpf derives from the section name (uapi values). */
#define OBJ_F_SLEEPABLE     (1U << 4)  /* BPF_F_SLEEPABLE */
#define OBJ_F_XDP_HAS_FRAGS (1U << 5)  /* BPF_F_XDP_HAS_FRAGS */

/* Map flags the loader sets (uapi values). */
#define OBJ_F_RDONLY_PROG (1U << 7)    /* BPF_F_RDONLY_PROG */
#define OBJ_F_MMAPABLE    (1U << 10)   /* BPF_F_MMAPABLE */
#define OBJ_F_LINK        (1U << 13)   /* BPF_F_LINK (.struct_ops.link) */

/* ---- sections.c ---- */

enum sec_def_flags {
	SEC_F_TARGET = 1,      /* the part after '/' names the attach target */
	SEC_F_SLEEPABLE = 2,
	SEC_F_XDP_FRAGS = 4,
	SEC_F_ATTACH_BTF = 8,  /* target resolved through kernel BTF */
	SEC_F_USDT = 16,
};

struct sec_def {
	const char *pattern;   /* "xdp", "kprobe+", ... */
	enum bpfrt_prog_type type;
	int attach_type;       /* enum bpf_attach_type */
	unsigned int flags;    /* enum sec_def_flags */
};

/* The row for a section name (without a leading '?'), or NULL. */
const struct sec_def *sec_def_find(const char *sec_name);
/* The attach target part of sec_name ("" if none); points into sec_name. */
const char *sec_attach_target(const struct sec_def *def, const char *sec_name);
/* OBJ_F_SLEEPABLE / OBJ_F_XDP_HAS_FRAGS as libbpf passes them to the kernel. */
uint32_t sec_prog_flags(const struct sec_def *def);

/* ---- elf.c ---- */

/* What the loader makes of a section. */
enum elf_sec_kind {
	ELF_SEC_OTHER,         /* ignored */
	ELF_SEC_PROG,          /* executable code */
	ELF_SEC_DATA,          /* .data, .data.* */
	ELF_SEC_RODATA,        /* .rodata, .rodata.* */
	ELF_SEC_BSS,           /* .bss, .bss.* */
	ELF_SEC_MAPS,          /* .maps (BTF-defined maps) */
	ELF_SEC_LEGACY_MAPS,   /* maps (struct bpf_map_def records) */
	ELF_SEC_STRUCT_OPS,    /* .struct_ops, .struct_ops.link */
	ELF_SEC_RELO,          /* SHT_REL for one of the above */
};

struct elf_sec {
	const char *name;      /* valid while the ELF is open */
	GElf_Shdr sh;
	const void *data;      /* NULL for SHT_NOBITS and empty sections */
	size_t size;           /* sh_size (also for SHT_NOBITS) */
	enum elf_sec_kind kind;
	int map_idx;           /* global-data map of this section, or -1 */
};

struct elf_sym {
	const char *name;      /* "" if none; valid while the ELF is open */
	uint64_t value;
	uint64_t size;
	uint32_t shndx;
	unsigned char type;    /* STT_* */
	unsigned char bind;    /* STB_* */
	unsigned char visibility; /* STV_* */
};

struct elf_rel {
	uint64_t offset;
	uint32_t sym;
	uint32_t type;
};

struct elf_file {
	Elf *elf;
	void *buf;             /* our copy of the file */
	size_t size;
	struct elf_sec *secs;  /* indexed by section number; [0] is SHN_UNDEF */
	size_t sec_cnt;
	struct elf_sym *syms;
	size_t sym_cnt;
	int symtab_idx;
	int text_idx;          /* .text with code, or -1 */
	int maps_idx;          /* .maps, or -1 */
	int legacy_maps_idx;   /* maps, or -1 */
	int btf_idx;           /* .BTF, or -1 */
	int btf_ext_idx;       /* .BTF.ext, or -1 */
	int st_ops_idx;        /* .struct_ops, or -1 */
	int st_ops_link_idx;   /* .struct_ops.link, or -1 */
	int license_idx;       /* license, or -1 */
	int version_idx;       /* version, or -1 */
};

/*
 * Parse and check an ELF object: takes ownership of buf (a core_malloc'ed
 * copy of the file). Every section, symbol and relocation table is checked
 * against the file; messages name the section, symbol or offset at fault.
 * 0 or -errno; elf_close() must be called in both cases.
 */
int elf_open(struct elf_file *ef, void *buf, size_t size, char *log, size_t log_size);
void elf_close(struct elf_file *ef);
/* Section index by name, or -1. */
int elf_sec_by_name(const struct elf_file *ef, const char *name);
/*
 * The relocations of SHT_REL section `idx`, checked (symbol in range,
 * offset inside the target section, 8-byte aligned for code); *out is a
 * core_malloc'ed array of *cnt records (NULL if none). 0 or -errno.
 */
int elf_read_rels(const struct elf_file *ef, int idx, struct elf_rel **out, size_t *cnt,
		  char *log, size_t log_size);
/* Name for messages: the symbol's name, or its section's for STT_SECTION. */
const char *elf_sym_display_name(const struct elf_file *ef, const struct elf_sym *sym);

/* ---- the object ---- */

struct obj_func_info {
	uint32_t insn_off;     /* instruction index in the relocated program */
	uint32_t type_id;      /* BTF FUNC */
};

struct obj_line_info {
	uint32_t insn_off;     /* instruction index in the relocated program */
	uint32_t file_name_off;
	uint32_t line_off;
	uint32_t line_col;     /* line << 10 | column */
};

enum reloc_type {
	RELO_LD64,             /* LDDW of a map: map_idx */
	RELO_DATA,             /* LDDW into global data: map_idx, sym_off */
	RELO_CALL,             /* bpf-to-bpf call: sym_off */
	RELO_SUBPROG_ADDR,     /* LDDW of a function address: sym_off */
	RELO_EXTERN_LD64,      /* LDDW of an extern: ext_idx */
	RELO_EXTERN_CALL,      /* call of a kfunc: ext_idx */
};

struct reloc_desc {
	enum reloc_type type;
	uint32_t insn_idx;     /* in the program's own frame */
	int map_idx;
	int ext_idx;
	int64_t sym_off;
};

struct bpfrt_program {
	struct bpfrt_object *obj;
	char *name;
	char *sec_name;        /* section name without a leading '?' */
	const struct sec_def *def;  /* NULL: unrecognized section name */
	enum bpfrt_prog_type type;
	int attach_type;       /* -1 when the section name is not recognized */
	const char *attach_target;  /* points into sec_name */
	uint32_t prog_flags;
	bool autoload;         /* false for SEC("?...") */
	bool sym_global;
	bool is_subprog;       /* a .text function of an object with several */
	size_t sec_idx;
	size_t sec_insn_off;   /* first instruction in the section */
	size_t sec_insn_cnt;   /* instructions of the function itself */
	size_t sub_insn_off;   /* while relocating: where it was appended */
	struct bpfrt_insn *insns;
	size_t insn_cnt;       /* with appended subprograms */
	struct reloc_desc *relos;  /* sorted by insn_idx */
	size_t relo_cnt;
	struct obj_func_info *func_info;
	size_t func_info_cnt;
	struct obj_line_info *line_info;
	size_t line_info_cnt;
	char *unsupported;     /* why the runtime cannot run it, or NULL */
	uint32_t st_ops_type_id;   /* struct_ops: the struct it implements a member of */
	struct bpfrt_prog *loaded; /* after bpfrt_object__load(), if it was loaded */
};

struct bpfrt_map {
	struct bpfrt_object *obj;
	char *name;            /* the name libbpf gives it */
	char *real_name;       /* global data: the ELF section name */
	int idx;               /* in obj->maps; -1 for inner maps */
	bool internal;         /* global data and .kconfig */
	bool readonly;
	int sec_idx;           /* defining ELF section, or -1 */
	size_t sec_offset;
	int btf_var_idx;       /* .maps: index in the DATASEC */
	enum bpfrt_map_type type;
	uint32_t key_size;
	uint32_t value_size;
	uint32_t max_entries;
	uint32_t map_flags;
	uint32_t numa_node;
	uint32_t pinning;
	uint64_t map_extra;
	uint32_t btf_key_type_id;
	uint32_t btf_value_type_id;
	struct bpfrt_map *inner;   /* map-in-map inner definition */
	void *init;            /* initial contents, or NULL */
	size_t init_size;
	int *slots;            /* `values`: program or map index, -1 = empty;
				* struct_ops: program index per member */
	uint32_t slot_cnt;
	uint32_t st_ops_type_id;   /* struct_ops: BTF id of the struct */
	/*
	 * The live map (src/maps/map.h), or NULL for a definition. A map made
	 * by bpfrt_map__create() has obj == NULL, idx == -1 and live set.
	 */
	struct map *live;
};

enum obj_ext_type {
	EXT_KCFG = 1,          /* sorted before ksyms, as libbpf does */
	EXT_KSYM,
};

enum kcfg_type {
	KCFG_UNKNOWN,
	KCFG_CHAR,
	KCFG_BOOL,
	KCFG_INT,
	KCFG_TRISTATE,
	KCFG_CHAR_ARR,
};

struct obj_extern {
	enum obj_ext_type type;
	char *name;
	int sym_idx;
	uint32_t btf_id;       /* the extern VAR or FUNC */
	uint32_t sec_btf_id;   /* its DATASEC */
	bool is_weak;
	bool is_set;
	bool is_func;          /* ksym: a kfunc */
	/* kcfg */
	enum kcfg_type kcfg_type;
	int kcfg_sz;
	int kcfg_align;
	bool kcfg_signed;
	uint32_t kcfg_off;     /* in the .kconfig map */
};

struct bpfrt_object {
	char name[OBJ_NAME_LEN];
	char license[64];
	uint32_t kversion;
	struct bpfrt_btf *btf;
	struct btf_ext *btf_ext;
	struct bpfrt_program *progs;   /* section order, subprograms included */
	size_t prog_cnt;
	struct bpfrt_map *maps;
	size_t map_cnt;
	struct obj_extern *externs;
	size_t extern_cnt;
	int kconfig_map_idx;
	bool loaded;           /* maps live, programs loaded (load.c) */
	struct bpfrt_vm *vm;   /* the programs' vm once loaded */
	bool own_vm;           /* made by bpfrt_object__load: freed with the object */
};

/* State of one open. */
struct obj_ctx {
	struct bpfrt_object *obj;
	const struct bpfrt_object_open_opts *opts;  /* full-size copy, never NULL */
	struct elf_file ef;
	char *log;
	size_t log_size;
	uint32_t maps_sec_btf_id;  /* DATASEC .maps */
	int st_ops_map_first;      /* first .struct_ops map index, or -1 */
};

/* Report a rejection into the open's log (and the print callback). */
#define obj_err(ctx, ...) core_log((ctx)->log, (ctx)->log_size, __VA_ARGS__)

/* ---- load.c ---- */

/* Free what bpfrt_object__load() made (programs, live maps, vm). */
void obj_unload(struct bpfrt_object *obj);

/* ---- object.c ---- */

/* Program containing instruction insn_idx of section sec_idx, or NULL. */
struct bpfrt_program *obj_prog_by_sec_insn(const struct bpfrt_object *obj, size_t sec_idx,
					   size_t insn_idx);
/* Entry-point program by name (subprograms skipped), or NULL. */
struct bpfrt_program *obj_find_prog(const struct bpfrt_object *obj, const char *name);
/* BTF helpers shared by the steps. */
const struct btf_type *obj_btf_type(const struct bpfrt_btf *btf, uint32_t id);
const char *obj_btf_name(const struct bpfrt_btf *btf, const struct btf_type *t);

/* ---- kconfig.c ---- */

/* Find the .kconfig and .ksyms externs among the symbols. 0 or -errno. */
int kcfg_collect_externs(struct obj_ctx *ctx);
/* Compute .kconfig offsets; returns the map size (0 if no kconfig externs). */
size_t kcfg_layout(struct bpfrt_object *obj);
/* Fill the .kconfig map's initial value from the options. 0 or -errno. */
int kcfg_fill(struct obj_ctx *ctx, void *data);
/* The extern for symbol sym_idx, or -1. */
int kcfg_extern_by_sym(const struct bpfrt_object *obj, int sym_idx);

/* ---- maps_def.c ---- */

/*
 * Rewrite the raw .BTF so that it agrees with the ELF, as libbpf does
 * before anything reads it: DATASEC sizes and global variable offsets
 * (which clang leaves zero), .kconfig offsets, variables sorted by offset.
 * raw is a writable copy of the section. 0 or -errno.
 */
int mapdef_fixup_btf(struct obj_ctx *ctx, const struct bpfrt_btf *btf, void *raw, size_t size);
/* All maps, in libbpf's order. 0 or -errno. */
int mapdef_init_maps(struct obj_ctx *ctx);
/* `values` slots from the relocations of .maps. 0 or -errno. */
int mapdef_collect_slots(struct obj_ctx *ctx, const struct elf_rel *rels, size_t cnt);
/* Programs named in .struct_ops relocations. 0 or -errno. */
int mapdef_collect_st_ops(struct obj_ctx *ctx, int sec_idx, const struct elf_rel *rels,
			  size_t cnt);
/* Free one map's memory (not the map itself). */
void mapdef_free(struct bpfrt_map *map);

/* ---- reloc.c ---- */

/* Record the relocations of one code section in its programs. 0 or -errno. */
int reloc_collect(struct obj_ctx *ctx, int sec_idx, const struct elf_rel *rels, size_t cnt);
/* CO-RE, subprogram appending, data relocation, func/line info. 0 or -errno. */
int reloc_programs(struct obj_ctx *ctx);

#endif /* BPFRT_LOADER_OBJECT_INT_H */
