/* SPDX-License-Identifier: MIT */
/*
 * src/core/ids.h - ids of live programs and maps, as the kernel's IDR.
 *
 * User space names programs and maps by id where the kernel uses file
 * descriptors: a prog_array's values are program ids, a map-in-map's values
 * map ids. Ids are process-wide (like the kernel's, system-wide), > 0, and
 * not reused until 2^31 ids later. The registry is the one piece of global
 * state besides the print callback and the allocator hook; a lock guards it.
 *
 * Checked engines also ask it whether a value a program passes as a map
 * pointer really is a live map (ids_has_ptr), so a forged pointer faults
 * instead of reaching a helper.
 *
 * Module prefix: ids_.
 */
#ifndef BPFRT_CORE_IDS_H
#define BPFRT_CORE_IDS_H

#include <stdbool.h>
#include <stdint.h>

enum ids_kind {
	IDS_PROG,
	IDS_MAP,
	IDS__COUNT,
};

/* A new id for `ptr`: > 0, or 0 when out of memory. */
uint32_t ids_alloc(enum ids_kind kind, void *ptr);
/* Forget `id` (0 is ignored). */
void ids_free(enum ids_kind kind, uint32_t id);
/* The object with that id, or NULL. */
void *ids_get(enum ids_kind kind, uint32_t id);
/* Is `ptr` a live object of that kind? */
bool ids_has_ptr(enum ids_kind kind, const void *ptr);

#endif /* BPFRT_CORE_IDS_H */
