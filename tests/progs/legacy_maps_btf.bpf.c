// SPDX-License-Identifier: MIT
/*
 * legacy_maps_btf: legacy_maps.bpf.c with its maps defined in .maps, the
 * reference libbpf 1.x can open for the comparison.
 */
#define LEGACY_AS_BTF
#include "legacy_maps.bpf.c"
