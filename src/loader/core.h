/* SPDX-License-Identifier: MIT */
/*
 * src/loader/core.h - CO-RE relocations with libbpf's semantics.
 *
 * A relocation names a local type (in the object's BTF), an access string
 * ("0:1:2": indexes into struct members and arrays) and a kind (field byte
 * offset/size/existence/signedness/lshift/rshift, type id/existence/size/
 * matches, enum value existence/value). It is resolved against candidate
 * types of the target BTF with the same essential name ("task_struct___v1"
 * matches "task_struct"); all candidates that match must agree. The result
 * patches the instruction (an ALU/LDX/STX/ST immediate or offset, or an
 * LDDW constant). A relocation that finds no candidate poisons its
 * instruction as libbpf does (a call to helper CORE_POISON_ID), so the
 * program fails only if that instruction is reached.
 */
#ifndef BPFRT_LOADER_CORE_H
#define BPFRT_LOADER_CORE_H

#include <stddef.h>
#include <stdint.h>
#include <linux/bpf.h>

#include "bpfrt/btf.h"
#include "bpfrt/insn.h"
#include "bpfrt/vm.h"

/* libbpf's poison: `call 0xbad2310`; bpfrt's engines fault when it is reached. */
#define CORE_POISON_ID BPFRT_POISON_HELPER_ID

struct core_ctx;

/*
 * Candidate caches for one object against one target; NULL with errno
 * (EINVAL, ENOMEM). Both BTFs are borrowed and must outlive the context.
 * The target's name index is built on the first relocation that needs
 * candidates. Use one context for all the relocations of an object, in
 * .BTF.ext order: as in libbpf, a type's candidate list shrinks to the
 * candidates that matched, and later relocations see only those. A
 * context is not thread-safe.
 */
struct core_ctx *core_ctx_new(const struct bpfrt_btf *local, const struct bpfrt_btf *targ);
void core_ctx_free(struct core_ctx *ctx);

/*
 * Resolve one relocation and patch insns[relo->insn_off / 8] (insns is the
 * whole ELF section the relocation belongs to, cnt instructions). `prog` and
 * `relo_idx` only name the relocation in messages. Before patching, the
 * instruction must hold the value the LOCAL layout implies, as in libbpf.
 * Returns 0 (patched or poisoned; a poisoning is reported at debug level
 * through the print callback), or, with "CO-RE relocation #N in PROG at
 * insn I: reason" in log:
 *   -EINVAL  malformed relocation (bad type id, access string or kind, an
 *            anonymous root type, an instruction that cannot carry the
 *            result or holds an unexpected value) or candidates that
 *            disagree;
 *   -ERANGE  the new offset does not fit a load/store;
 *   -E2BIG   access string too deep, bitfield beyond one 64-bit load;
 *   -ENOMEM.
 * libbpf fails the object load in all these cases.
 */
int core_relocate(struct core_ctx *ctx, struct bpfrt_insn *insns, size_t cnt,
		  const struct bpf_core_relo *relo, int relo_idx, const char *prog,
		  char *log, size_t log_size);

/*
 * bpfrt's own BTF, describing the context types of its program types
 * (struct __sk_buff, xdp_md, bpf_sock, bpf_flow_keys, pt_regs for x86-64)
 * and the integer typedefs (u8..s64, __u8..__s64). Parsed on first use and
 * kept for the life of the process. NULL with errno ENOENT if the build
 * had no clang to generate it.
 */
const struct bpfrt_btf *core_builtin_btf(void);

#endif /* BPFRT_LOADER_CORE_H */
