// SPDX-License-Identifier: MIT
/*
 * core_poison: a CO-RE field access that no target BTF resolves (the struct
 * exists nowhere but here), on a path taken only when the first 4 bytes of
 * the data hold 7. The loader poisons the access as libbpf does; `bpfrt run`
 * must then fail only if the program reaches it (tests/cli/object.sh). The
 * section "mem" has no program type: bpfrt runs it with r1 = the data.
 */
#define SEC(name) __attribute__((section(name), used))

struct bpfrt_test_no_such_type {
	int a;
	int b;
} __attribute__((preserve_access_index));

SEC("mem")
int core_poison(void *data)
{
	unsigned int x = *(volatile unsigned int *)data;

	if (x == 7)
		return ((struct bpfrt_test_no_such_type *)data)->b;
	return 1;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
