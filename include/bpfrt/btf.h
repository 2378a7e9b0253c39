/* SPDX-License-Identifier: MIT */
/*
 * bpfrt/btf.h - BPF Type Format: parse, look up, dump.
 *
 * Types are the kernel's on-disk records (struct btf_type and the records
 * that follow it, from <linux/btf.h>); a struct bpfrt_btf owns a validated,
 * host-endian copy of the data and hands out pointers into it. Type id 0 is
 * `void`; valid ids are 1 .. bpfrt_btf__type_cnt() - 1.
 */
#ifndef BPFRT_BTF_H
#define BPFRT_BTF_H

#include <stddef.h>
#include <stdint.h>
#include <linux/btf.h>

#ifdef __cplusplus
extern "C" {
#endif

struct bpfrt_btf;

/*
 * Parse raw BTF (the contents of a .BTF section, or of
 * /sys/kernel/btf/vmlinux). Every record is checked: header, string
 * offsets, kinds, vlen and sizes within bounds, referenced type ids in
 * range, no type containing itself by value (through arrays or members)
 * and no cycle of pointers/modifiers/typedefs without a named type in
 * between. Rejections
 * return NULL with errno EINVAL and "BTF: type [N] ...: reason" in log.
 */
struct bpfrt_btf *bpfrt_btf__parse(const void *data, size_t size, char *log, size_t log_size);

/*
 * Read BTF from a file: raw BTF (e.g. /sys/kernel/btf/vmlinux) or an ELF
 * object's .BTF section.
 */
struct bpfrt_btf *bpfrt_btf__load_file(const char *path, char *log, size_t log_size);

void bpfrt_btf__free(struct bpfrt_btf *btf);

/* Number of type ids, counting id 0 (void). */
uint32_t bpfrt_btf__type_cnt(const struct bpfrt_btf *btf);

/* The type with this id, or NULL (id 0 and ids out of range). */
const struct btf_type *bpfrt_btf__type_by_id(const struct bpfrt_btf *btf, uint32_t id);

/* The string at this offset of the string section, or NULL. */
const char *bpfrt_btf__str(const struct bpfrt_btf *btf, uint32_t offset);

/* Id of the first type with this name and kind, or -ENOENT. */
int bpfrt_btf__find_by_name_kind(const struct bpfrt_btf *btf, const char *name, int kind);

/* Follow typedefs and modifiers (const, volatile, restrict, type tags). */
uint32_t bpfrt_btf__skip_mods_and_typedefs(const struct bpfrt_btf *btf, uint32_t id);

/* Size in bytes of a type (arrays and typedefs resolved), or -EINVAL. */
int64_t bpfrt_btf__resolve_size(const struct bpfrt_btf *btf, uint32_t id);

/*
 * Write all types as C declarations, in an order that compiles (forward
 * declarations first where needed), through `out` one chunk at a time.
 */
typedef void (*bpfrt_btf_out_fn)(void *ctx, const char *text);
int bpfrt_btf__dump_c(const struct bpfrt_btf *btf, bpfrt_btf_out_fn out, void *ctx);

/* The name of a BTF kind ("struct", "enum64", ...). */
const char *bpfrt_btf_kind_name(int kind);

#ifdef __cplusplus
}
#endif

#endif /* BPFRT_BTF_H */
