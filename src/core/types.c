/* SPDX-License-Identifier: MIT */
/* Names of program and map types, from the lists in bpfrt/types.h. */
#include <stddef.h>

#include "bpfrt/types.h"

static const char *const prog_type_names[] = {
#define X(name, val, str) [val] = str,
	BPFRT_PROG_TYPES(X)
#undef X
};

static const char *const map_type_names[] = {
#define X(name, val, str) [val] = str,
	BPFRT_MAP_TYPES(X)
#undef X
};

static const char *const attach_type_names[] = {
#define X(name, val, str) [val] = str,
	BPFRT_ATTACH_TYPES(X)
#undef X
};

const char *bpfrt_attach_type_name(enum bpfrt_attach_type type)
{
	return (unsigned)type < sizeof(attach_type_names) / sizeof(*attach_type_names) ? attach_type_names[type] : NULL;
}

const char *bpfrt_prog_type_name(enum bpfrt_prog_type type)
{
	return (unsigned)type < sizeof(prog_type_names) / sizeof(*prog_type_names) ? prog_type_names[type] : NULL;
}

const char *bpfrt_map_type_name(enum bpfrt_map_type type)
{
	return (unsigned)type < sizeof(map_type_names) / sizeof(*map_type_names) ? map_type_names[type] : NULL;
}
