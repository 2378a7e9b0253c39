/* SPDX-License-Identifier: MIT */
/*
 * Many threads run programs that update shared maps while user space
 * iterates and deletes: no update may be lost, nothing may crash, and the
 * build under ThreadSanitizer (`make tsan`) must stay quiet.
 *
 * Each worker runs, STRESS_RUNS times, a program that counts one hit for
 * key (run % STRESS_KEYS) in a hash map (look up; if missing, insert 1 with
 * BPF_NOEXIST, and on -EEXIST look up again; then an atomic add) and in a
 * per-CPU array (its own slot: no atomics needed), and inserts then deletes
 * a scratch key in a second hash map that user space deletes from and walks
 * at the same time. At the end every hash counter must equal the number of
 * runs that hit it, and the per-CPU slots must sum to the total.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "bpfrt/bpfrt.h"
#include "harness.h"

#define STRESS_THREADS 4
#define STRESS_RUNS    20000
#define STRESS_KEYS    64
#define SCRATCH_KEYS   256

/*
 * r6 = mem (u32 key at 0, u32 scratch key at 4)
 *  1: r2 = &key; r0 = lookup(counts, key); if r0 goto add
 *     *(u64 *)(fp - 8) = 1; r3 = fp - 8; r4 = NOEXIST
 *     r0 = update(counts, key, fp - 8, NOEXIST); if r0 == 0 goto pcpu
 *     r0 = lookup(counts, key); if !r0 goto fail
 * add: lock *(u64 *)(r0 + 0) += 1
 * pcpu: r0 = lookup(percpu, zero) ; *(u64 *)r0 += 1 (own slot)
 *     update(scratch, &skey, fp - 8, ANY); delete(scratch, &skey)
 *     return 0
 * fail: return 1
 */
static struct bpfrt_insn prog[] = {
	BPFRT_MOV64_REG(6, 1),
	/* pc 1 */
	BPFRT_LD_IMM64_RAW(1, BPFRT_PSEUDO_MAP_FD, 0),
	BPFRT_MOV64_REG(2, 6),
	BPFRT_CALL_HELPER(1),
	BPFRT_JMP_IMM(BPFRT_JNE, 0, 0, 14),              /* pc 5 -> add (pc 20) */
	BPFRT_ST_MEM(BPFRT_DW, 10, -8, 1),
	BPFRT_LD_IMM64_RAW(1, BPFRT_PSEUDO_MAP_FD, 0),   /* pc 7 */
	BPFRT_MOV64_REG(2, 6),
	BPFRT_MOV64_REG(3, 10),
	BPFRT_ALU64_IMM(BPFRT_ADD, 3, -8),
	BPFRT_MOV64_IMM(4, 1),
	BPFRT_CALL_HELPER(2),
	BPFRT_JMP_IMM(BPFRT_JEQ, 0, 0, 7),               /* pc 14 -> pcpu (pc 22) */
	BPFRT_LD_IMM64_RAW(1, BPFRT_PSEUDO_MAP_FD, 0),   /* pc 15 */
	BPFRT_MOV64_REG(2, 6),
	BPFRT_CALL_HELPER(1),
	BPFRT_JMP_IMM(BPFRT_JEQ, 0, 0, 27),              /* pc 19 -> fail (pc 47) */
	/* add: pc 20 */
	BPFRT_MOV64_IMM(1, 1),
	BPFRT_ATOMIC_OP(BPFRT_DW, BPFRT_ADD, 0, 1, 0),
	/* pcpu: pc 22 */
	BPFRT_ST_MEM(BPFRT_W, 10, -12, 0),
	BPFRT_LD_IMM64_RAW(1, BPFRT_PSEUDO_MAP_FD, 1),   /* pc 23 */
	BPFRT_MOV64_REG(2, 10),
	BPFRT_ALU64_IMM(BPFRT_ADD, 2, -12),
	BPFRT_CALL_HELPER(1),
	BPFRT_JMP_IMM(BPFRT_JEQ, 0, 0, 18),              /* pc 28 -> fail (pc 47) */
	BPFRT_LDX_MEM(BPFRT_DW, 1, 0, 0),
	BPFRT_ALU64_IMM(BPFRT_ADD, 1, 1),
	BPFRT_STX_MEM(BPFRT_DW, 0, 1, 0),
	BPFRT_LD_IMM64_RAW(1, BPFRT_PSEUDO_MAP_FD, 2),   /* pc 32: scratch */
	BPFRT_MOV64_REG(2, 6),
	BPFRT_ALU64_IMM(BPFRT_ADD, 2, 4),
	BPFRT_MOV64_REG(3, 10),
	BPFRT_ALU64_IMM(BPFRT_ADD, 3, -8),
	BPFRT_MOV64_IMM(4, 0),
	BPFRT_CALL_HELPER(2),
	BPFRT_LD_IMM64_RAW(1, BPFRT_PSEUDO_MAP_FD, 2),   /* pc 40 */
	BPFRT_MOV64_REG(2, 6),
	BPFRT_ALU64_IMM(BPFRT_ADD, 2, 4),
	BPFRT_CALL_HELPER(3),
	BPFRT_MOV64_IMM(0, 0),
	BPFRT_EXIT_INSN(),
	/* fail: pc 47 */
	BPFRT_MOV64_IMM(0, 1),
	BPFRT_EXIT_INSN(),
};

struct worker {
	pthread_t thread;
	struct bpfrt_prog *prog;
	int engine;
	unsigned int cpu;
	uint64_t hits[STRESS_KEYS];
	int failures;
};

static volatile int stop_user;

static void *work(void *arg)
{
	struct worker *w = arg;
	uint32_t mem[2];
	struct bpfrt_run_opts o;

	for (uint32_t i = 0; i < STRESS_RUNS; i++) {
		mem[0] = (i * 7 + w->cpu) % STRESS_KEYS;
		mem[1] = (i + w->cpu * 31) % SCRATCH_KEYS;
		o = (struct bpfrt_run_opts){ .sz = sizeof(o), .engine = w->engine, .mem = mem,
					     .mem_size = sizeof(mem), .cpu = w->cpu };
		if (bpfrt_prog__run(w->prog, &o) || o.retval) {
			w->failures++;
			continue;
		}
		w->hits[mem[0]]++;
	}
	return NULL;
}

/* User space: walk the scratch map and delete what it finds, until told to stop. */
static void *meddle(void *arg)
{
	struct bpfrt_map *scratch = arg;
	uint32_t key, next;

	while (!__atomic_load_n(&stop_user, __ATOMIC_ACQUIRE)) {
		int err = bpfrt_map__get_next_key(scratch, NULL, &next, sizeof(next));

		while (!err) {
			key = next;
			bpfrt_map__delete_elem(scratch, &key, sizeof(key), 0);
			err = bpfrt_map__get_next_key(scratch, &key, &next, sizeof(next));
		}
	}
	return NULL;
}

static void stress(int engine)
{
	struct bpfrt_map_create_opts pco = { .sz = sizeof(pco), .nr_cpus = STRESS_THREADS };
	struct bpfrt_map *counts = bpfrt_map__create(BPFRT_MAP_TYPE_HASH, 4, 8, STRESS_KEYS, NULL);
	struct bpfrt_map *pcpu = bpfrt_map__create(BPFRT_MAP_TYPE_PERCPU_ARRAY, 4, 8, 1, &pco);
	struct bpfrt_map *scratch = bpfrt_map__create(BPFRT_MAP_TYPE_HASH, 4, 8, SCRATCH_KEYS, NULL);
	struct bpfrt_map *maps[3] = { counts, pcpu, scratch };
	struct bpfrt_load_opts lo = { .sz = sizeof(lo), .maps = maps, .map_cnt = 3 };
	struct worker w[STRESS_THREADS];
	const char *en = bpfrt_engine_name(engine);
	struct bpfrt_vm *vm = bpfrt_vm__new();
	struct bpfrt_prog *p;
	pthread_t user;
	uint64_t want, got, total = 0, pc_sum = 0, pc_vals[STRESS_THREADS];
	int lost = 0, failures = 0;
	char log[256] = "";

	lo.log_buf = log;
	lo.log_size = sizeof(log);
	p = vm && counts && pcpu && scratch ? bpfrt_prog__load(vm, prog, sizeof(prog) / sizeof(prog[0]), &lo)
					     : NULL;
	T_CHECK(p != NULL, "%s: the stress program loads (%s)", en, log);
	if (!p)
		goto out;
	memset(w, 0, sizeof(w));
	stop_user = 0;
	pthread_create(&user, NULL, meddle, scratch);
	for (int i = 0; i < STRESS_THREADS; i++) {
		w[i].prog = p;
		w[i].engine = engine;
		w[i].cpu = (unsigned int)i;
		pthread_create(&w[i].thread, NULL, work, &w[i]);
	}
	for (int i = 0; i < STRESS_THREADS; i++) {
		pthread_join(w[i].thread, NULL);
		failures += w[i].failures;
	}
	__atomic_store_n(&stop_user, 1, __ATOMIC_RELEASE);
	pthread_join(user, NULL);

	for (uint32_t k = 0; k < STRESS_KEYS; k++) {
		want = 0;
		for (int i = 0; i < STRESS_THREADS; i++)
			want += w[i].hits[k];
		got = 0;
		bpfrt_map__lookup_elem(counts, &k, 4, &got, 8, 0);
		lost += got != want;
		total += want;
	}
	T_CHECK(failures == 0, "%s: every run succeeded (%d failed)", en, failures);
	T_CHECK(lost == 0 && total == (uint64_t)STRESS_THREADS * STRESS_RUNS,
		"%s: %d threads x %d runs: no update lost in the shared hash map (%d keys off, "
		"%llu hits)", en, STRESS_THREADS, STRESS_RUNS, lost, (unsigned long long)total);
	{
		uint32_t k = 0;

		bpfrt_map__lookup_elem(pcpu, &k, 4, pc_vals, sizeof(pc_vals), 0);
		for (int i = 0; i < STRESS_THREADS; i++)
			pc_sum += pc_vals[i];
	}
	T_CHECK(pc_sum == total, "%s: per-CPU slots sum to the runs (%llu)", en,
		(unsigned long long)pc_sum);
out:
	bpfrt_prog__free(p);
	bpfrt_vm__free(vm);
	for (int i = 0; i < 3; i++)
		bpfrt_map__destroy(maps[i]);
}

int main(void)
{
	stress(BPFRT_ENGINE_INTERP);
	stress(BPFRT_ENGINE_CHECKED);
	return t_exit();
}
