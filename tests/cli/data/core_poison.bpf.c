// SPDX-License-Identifier: MIT
/*
 * core_poison: a CO-RE field access that no target BTF resolves (the struct
 * exists nowhere but here), on a path taken only when the first 4 bytes of
 * memory hold 7. The loader poisons the access as libbpf does; `bpfrt run`
 * must then fail only if the program reaches it (tests/cli/object.sh).
 */
#define SEC(name) __attribute__((section(name), used))

struct bpfrt_test_no_such_type {
	int a;
	int b;
} __attribute__((preserve_access_index));

SEC("socket")
int core_poison(void *ctx)
{
	unsigned int x = *(volatile unsigned int *)ctx;

	if (x == 7)
		return ((struct bpfrt_test_no_such_type *)ctx)->b;
	return 1;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
