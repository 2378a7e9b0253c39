/* SPDX-License-Identifier: MIT */
/*
 * bpfrt/object.h - open the ELF objects that clang and libbpf users build.
 *
 * Opening does everything libbpf's open and relocation phases do, without a
 * kernel: sections are classified by libbpf's naming conventions, maps are
 * collected from `.maps` (BTF-defined) and `maps` (legacy) and from the
 * global-data sections, and every program is relocated:
 *
 *   - map and global-data references become LDDW with src_reg
 *     BPFRT_PSEUDO_MAP_IDX (imm = map index) or BPFRT_PSEUDO_MAP_IDX_VALUE
 *     (imm = map index, second imm = offset in the value);
 *   - bpf-to-bpf calls and callback references: the subprograms a program
 *     uses are appended to it (in the order libbpf appends them) and the
 *     call/LDDW offsets are fixed;
 *   - CO-RE relocations are resolved against the target BTF (bpfrt's own
 *     BTF for its context types, or the file named in the options); one that
 *     cannot be resolved poisons its instruction as libbpf does, so it fails
 *     only if reached;
 *   - .kconfig externs are filled from the given config (or defaults).
 *
 * Errors: NULL with errno and a message naming the section, symbol or
 * offset at fault, in the log buffer and through the print callback.
 */
#ifndef BPFRT_OBJECT_H
#define BPFRT_OBJECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpfrt/btf.h"
#include "bpfrt/insn.h"
#include "bpfrt/types.h"

#ifdef __cplusplus
extern "C" {
#endif

struct bpfrt_object;
struct bpfrt_program; /* a program of an object */
struct bpfrt_map;     /* a map definition of an object */

struct bpfrt_object_open_opts {
	size_t sz;               /* sizeof(struct bpfrt_object_open_opts) */
	const char *object_name; /* default: the file's base name, or "mem" */
	/*
	 * Target BTF for CO-RE relocations: a raw BTF or ELF file such as
	 * /sys/kernel/btf/vmlinux. NULL: bpfrt's own BTF.
	 */
	const char *btf_custom_path;
	/* Kconfig text ("CONFIG_FOO=y\n..."), for .kconfig externs. */
	const char *kconfig;
	/* Value of LINUX_KERNEL_VERSION; 0 = that of the running kernel. */
	uint32_t kernel_version;
	char *log_buf;           /* receives the rejection message */
	size_t log_size;
};

struct bpfrt_object *bpfrt_object__open_file(const char *path,
					     const struct bpfrt_object_open_opts *opts);
struct bpfrt_object *bpfrt_object__open_mem(const void *buf, size_t size,
					    const struct bpfrt_object_open_opts *opts);
void bpfrt_object__close(struct bpfrt_object *obj);

const char *bpfrt_object__name(const struct bpfrt_object *obj);
const char *bpfrt_object__license(const struct bpfrt_object *obj); /* "" if none */
uint32_t bpfrt_object__kversion(const struct bpfrt_object *obj);   /* 0 if none */
/* The object's BTF, or NULL if it has none. */
const struct bpfrt_btf *bpfrt_object__btf(const struct bpfrt_object *obj);

/* Iterate programs in section order: next(obj, NULL) is the first. */
struct bpfrt_program *bpfrt_object__next_program(const struct bpfrt_object *obj,
						 const struct bpfrt_program *prev);
struct bpfrt_program *bpfrt_object__find_program_by_name(const struct bpfrt_object *obj,
							 const char *name);

const char *bpfrt_program__name(const struct bpfrt_program *prog);
const char *bpfrt_program__section_name(const struct bpfrt_program *prog);
enum bpfrt_prog_type bpfrt_program__type(const struct bpfrt_program *prog);
/* The kernel's enum bpf_attach_type value libbpf would use, or -1. */
int bpfrt_program__expected_attach_type(const struct bpfrt_program *prog);
/* For kprobe/, tracepoint/, fentry/...: the part after the prefix ("" if none). */
const char *bpfrt_program__attach_target(const struct bpfrt_program *prog);

/*
 * false for SEC("?name") programs (libbpf's "autoload off" prefix). bpfrt
 * relocates them all the same.
 */
bool bpfrt_program__autoload(const struct bpfrt_program *prog);
/*
 * Load flags libbpf derives from the section name: BPF_F_SLEEPABLE (1 << 4)
 * for ".s" sections and syscall, BPF_F_XDP_HAS_FRAGS (1 << 5) for
 * xdp.frags.
 */
uint32_t bpfrt_program__flags(const struct bpfrt_program *prog);
/*
 * Why the bpfrt runtime cannot run this program, or NULL if it can: e.g.
 * "program 'foo' uses kernel function 'bpf_obj_new_impl' (kfunc): not
 * supported by the bpfrt runtime". The object still opens; such a program
 * keeps its kfunc calls (BPFRT_PSEUDO_KFUNC_CALL, imm = the extern's BTF id
 * in the object's BTF) and ksym loads (BPFRT_PSEUDO_BTF_ID), which a load
 * rejects. __weak kfuncs and ksyms are not reasons: they resolve to
 * nothing (libbpf's poisoned call 2002000000 + n, and address 0).
 */
const char *bpfrt_program__unsupported_reason(const struct bpfrt_program *prog);

/* Instructions after relocation (subprograms appended). */
const struct bpfrt_insn *bpfrt_program__insns(const struct bpfrt_program *prog);
size_t bpfrt_program__insn_cnt(const struct bpfrt_program *prog);

/* Source position of an instruction, from .BTF.ext line info. */
struct bpfrt_line {
	const char *file;   /* source file name */
	const char *text;   /* the source line, as recorded by clang */
	uint32_t line;
	uint32_t col;
};
/*
 * The line info in force at instruction `pc` (the closest record at or
 * before it). Returns 0, or -ENOENT if the object has no line info there.
 */
int bpfrt_program__line(const struct bpfrt_program *prog, size_t pc, struct bpfrt_line *line);
/* Name of the function (BTF func info) that instruction `pc` belongs to, or NULL. */
const char *bpfrt_program__func_name(const struct bpfrt_program *prog, size_t pc);

/* Iterate maps in libbpf's order: next(obj, NULL) is the first. */
struct bpfrt_map *bpfrt_object__next_map(const struct bpfrt_object *obj,
					 const struct bpfrt_map *prev);
struct bpfrt_map *bpfrt_object__find_map_by_name(const struct bpfrt_object *obj, const char *name);
/* The index used in relocated LDDW (BPFRT_PSEUDO_MAP_IDX), or -ENOENT. */
int bpfrt_map__index(const struct bpfrt_map *map);
struct bpfrt_map *bpfrt_object__map_by_index(const struct bpfrt_object *obj, unsigned int idx);

const char *bpfrt_map__name(const struct bpfrt_map *map);
enum bpfrt_map_type bpfrt_map__type(const struct bpfrt_map *map);
uint32_t bpfrt_map__key_size(const struct bpfrt_map *map);
uint32_t bpfrt_map__value_size(const struct bpfrt_map *map);
uint32_t bpfrt_map__max_entries(const struct bpfrt_map *map);
uint32_t bpfrt_map__map_flags(const struct bpfrt_map *map);
uint32_t bpfrt_map__numa_node(const struct bpfrt_map *map);
/* map_extra (e.g. the number of hash functions of a bloom filter). */
uint64_t bpfrt_map__map_extra(const struct bpfrt_map *map);
/* 0 = none, 1 = LIBBPF_PIN_BY_NAME. */
uint32_t bpfrt_map__pinning(const struct bpfrt_map *map);
/* BTF type ids of key and value (0 if not given). */
uint32_t bpfrt_map__btf_key_type_id(const struct bpfrt_map *map);
uint32_t bpfrt_map__btf_value_type_id(const struct bpfrt_map *map);
/* For map-in-map: the inner map definition, else NULL. */
const struct bpfrt_map *bpfrt_map__inner_map(const struct bpfrt_map *map);
/* Global-data maps (.data, .rodata, .bss, .kconfig, ...): true. */
bool bpfrt_map__is_internal(const struct bpfrt_map *map);
/* .rodata and .kconfig: read-only for programs (BPF_F_RDONLY_PROG, frozen). */
bool bpfrt_map__is_readonly(const struct bpfrt_map *map);
/*
 * Initial contents (global data, or prog/map-in-map `values` as u32 slot ->
 * program/map index pairs are reported by bpfrt_map__init_slot()). NULL if
 * the map starts empty.
 */
const void *bpfrt_map__initial_value(const struct bpfrt_map *map, size_t *size);
/* Before running: change the size or initial contents. 0 or -EINVAL/-EBUSY. */
int bpfrt_map__set_max_entries(struct bpfrt_map *map, uint32_t max_entries);
int bpfrt_map__set_initial_value(struct bpfrt_map *map, const void *data, size_t size);
/*
 * `values` initialisers of prog arrays and map-in-map: slot i holds the
 * program (prog array) or map (map-in-map) returned here, or NULL. For a
 * struct_ops map, slot i is member i of the struct and init_slot_prog()
 * returns the program assigned to it.
 */
uint32_t bpfrt_map__init_slot_cnt(const struct bpfrt_map *map);
const struct bpfrt_program *bpfrt_map__init_slot_prog(const struct bpfrt_map *map, uint32_t slot);
const struct bpfrt_map *bpfrt_map__init_slot_map(const struct bpfrt_map *map, uint32_t slot);

/*
 * Load the object into the runtime, as libbpf's bpf_object__load() does
 * into the kernel: every map becomes live (bpfrt_map__lookup_elem() etc.
 * work on the object's maps from now on; global data maps hold their
 * initial contents, .rodata and .kconfig are frozen), every program whose
 * autoload is on is loaded with its type's context rewriting and helpers
 * (bpfrt_program__prog()), and prog_array initialisers are stored. The
 * maps and programs live until bpfrt_object__close().
 *
 * 0, or -errno with a message naming the map or program at fault (nothing
 * stays loaded then): -BPFRT_ENOTSUPP for a map type or program bpfrt
 * cannot run (turn its autoload off to load the rest), -EINVAL for a
 * program the load rejects, -EBUSY if already loaded.
 */
struct bpfrt_vm;
struct bpfrt_prog;

struct bpfrt_object_load_opts {
	size_t sz;               /* sizeof(struct bpfrt_object_load_opts) */
	/* Helpers of the embedder (used before the kernel's); NULL: none. It must outlive the object. */
	struct bpfrt_vm *vm;
	uint32_t nr_cpus;        /* per-CPU maps: workers (0: the possible CPUs) */
	char *log_buf;           /* receives the rejection message */
	size_t log_size;
};

int bpfrt_object__load(struct bpfrt_object *obj, const struct bpfrt_object_load_opts *opts);

/* The loaded program (bpfrt_prog__test_run(), bpfrt_prog__run()), or NULL. */
struct bpfrt_prog *bpfrt_program__prog(const struct bpfrt_program *prog);

/* Before loading: whether bpfrt_object__load() loads it. 0, -EINVAL, -EBUSY. */
int bpfrt_program__set_autoload(struct bpfrt_program *prog, bool autoload);

#ifdef __cplusplus
}
#endif

#endif /* BPFRT_OBJECT_H */
