/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: arbitrary bytes as raw BTF, walked through every
 * look-up and the C dump; or, when the first byte has its top bit set, as
 * a .BTF.ext section checked against the BTF that the next bytes hold
 * (byte 1-2: little-endian length of that BTF).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bpfrt/bpfrt.h"
#include "bpfrt/btf.h"
#include "loader/btf_ext.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int quiet(enum bpfrt_print_level level, const char *fmt, va_list ap)
{
	(void)level, (void)fmt, (void)ap;
	return 0;
}

static void discard(void *ctx, const char *text)
{
	(void)ctx, (void)text;
}

static void walk(const struct bpfrt_btf *btf)
{
	uint32_t n = bpfrt_btf__type_cnt(btf);

	for (uint32_t id = 0; id <= n; id++) {
		const struct btf_type *t = bpfrt_btf__type_by_id(btf, id);

		(void)bpfrt_btf__resolve_size(btf, id);
		(void)bpfrt_btf__skip_mods_and_typedefs(btf, id);
		if (t && bpfrt_btf__str(btf, t->name_off))
			(void)bpfrt_btf__find_by_name_kind(btf, bpfrt_btf__str(btf, t->name_off),
							   BTF_INFO_KIND(t->info));
	}
	bpfrt_btf__dump_c(btf, discard, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bpfrt_btf *btf;
	char log[256];

	bpfrt_set_print(quiet);
	if (size >= 3 && (data[0] & 0x80)) {
		size_t len = (size_t)data[1] | (size_t)data[2] << 8;
		struct btf_ext *ext;

		if (len > size - 3)
			return 0;
		btf = bpfrt_btf__parse(data + 3, len, log, sizeof(log));
		if (!btf)
			return 0;
		if (!btf_ext_parse(data + 3 + len, size - 3 - len, btf, &ext, log, sizeof(log)))
			btf_ext_free(ext);
		bpfrt_btf__free(btf);
		return 0;
	}
	btf = bpfrt_btf__parse(data, size, log, sizeof(log));
	if (btf) {
		walk(btf);
		bpfrt_btf__free(btf);
	}
	return 0;
}
