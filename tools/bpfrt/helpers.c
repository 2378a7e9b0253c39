/* SPDX-License-Identifier: MIT */
/*
 * The helper functions of programs run by the CLI (`run` and
 * `conformance-plugin`), in one table.
 *
 * Helper 5 follows the conformance suite rather than the kernel (where 5
 * is ktime_get_ns): the suite's `call 5` and `callx` tests expect it to
 * return its first argument.
 */
#include "cli.h"

#include <errno.h>
#include <string.h>

#include "util.h"

static uint64_t helper_identity(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
				struct bpfrt_run *run)
{
	(void)r2, (void)r3, (void)r4, (void)r5, (void)run;
	return r1;
}

const struct cli_helper cli_helpers[] = {
	{ 5, "identity", helper_identity, "returns its first argument (conformance suite)" },
};

const size_t cli_helper_cnt = sizeof(cli_helpers) / sizeof(cli_helpers[0]);

struct bpfrt_vm *cli_vm_new(void)
{
	struct bpfrt_vm *vm = bpfrt_vm__new();
	int err;

	if (!vm) {
		cli_err("cannot create a vm: %s", strerror(errno));
		return NULL;
	}
	for (size_t i = 0; i < cli_helper_cnt; i++) {
		err = bpfrt_vm__register_helper(vm, cli_helpers[i].id, cli_helpers[i].name,
						cli_helpers[i].fn);
		if (err) {
			cli_err("cannot register helper %u (%s): %s", cli_helpers[i].id,
				cli_helpers[i].name, strerror(-err));
			bpfrt_vm__free(vm);
			return NULL;
		}
	}
	return vm;
}

void cli_print_helpers(FILE *f, int indent)
{
	for (size_t i = 0; i < cli_helper_cnt; i++)
		fprintf(f, "%*s%-3u %-10s %s\n", indent, "", cli_helpers[i].id, cli_helpers[i].name,
			cli_helpers[i].doc);
}
