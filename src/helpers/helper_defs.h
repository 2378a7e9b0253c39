/* SPDX-License-Identifier: MIT */
/*
 * src/helpers/helper_defs.h - THE table of the helpers bpfrt implements:
 * one row X(id, name) per helper, id being the kernel's (BPF_FUNC_<name>),
 * and `const struct bpfrt_helper_proto helper_<name>_proto` its prototype
 * and function, defined in the file of its family. The verifier, the
 * checked engines, the program types and the CLI all read this table.
 *
 * Families: the generic helpers here (HELPERS_GENERIC), the packet helpers
 * of the network program types in net_defs.h (HELPERS_NET).
 */
#ifndef BPFRT_HELPERS_HELPER_DEFS_H
#define BPFRT_HELPERS_HELPER_DEFS_H

#include "helpers/net_defs.h"

#define HELPERS_GENERIC(X)

#define HELPERS(X) HELPERS_GENERIC(X) HELPERS_NET(X)

#endif /* BPFRT_HELPERS_HELPER_DEFS_H */
