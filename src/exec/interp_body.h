/* SPDX-License-Identifier: MIT */
/*
 * src/exec/interp_body.h - the interpreter loop, written once.
 *
 * interp.c includes this file four times, with
 *   INTERP_NAME     the function to define
 *   INTERP_CHECKED  1: check every memory access and count instructions
 *   INTERP_GOTO     1: computed-goto dispatch; 0: a switch in a loop
 * Each handler is spelled once; the dispatch is hidden behind CASE (a label
 * or a case), NEXT (go to pc + 1) and JUMP (go to pc + off + 1), in the
 * manner of Lua's vmdispatch/vmcase/vmbreak.
 *
 * Pointers are host addresses: r10 points into this function's stack
 * array, r1 at the caller's memory. The fast flavours trust the program
 * (a verifier vouched for it); the checked ones trust nothing but the
 * structural validation that bpfrt_prog__load() performed.
 */

int INTERP_NAME(const struct exec_args *a)
{
	const struct bpfrt_insn *const insns = a->prog->insns;
	const struct bpfrt_insn *pc = insns + a->start_pc;
	const unsigned int level = run_level(a->run);
	const struct exec_helpers *const helpers = &a->prog->helpers;
	struct bpfrt_run *const run = a->run;
	uint64_t reg[BPFRT_REG_COUNT] = { 0 };
	struct {
		const struct bpfrt_insn *ret;
		uint64_t saved[4]; /* r6-r9 */
		uint64_t fp;
	} frames[BPFRT_MAX_CALL_FRAMES];
	unsigned int depth = 0;
	uint8_t stack[BPFRT_MAX_CALL_FRAMES * BPFRT_STACK_SIZE] __attribute__((aligned(16)));
	const uint64_t stack_hi = (uint64_t)(uintptr_t)(stack + sizeof(stack));
#if INTERP_CHECKED
	/* The run may touch its own frame and its callers' frames. */
	uint64_t stack_lo = stack_hi - BPFRT_STACK_SIZE;
	uint64_t executed = a->run->executed;
	const uint64_t budget = a->budget;

	/*
	 * Deterministic results for programs no verifier has seen: each frame
	 * starts zeroed (the first here, the others when called).
	 */
	memset(stack + sizeof(stack) - BPFRT_STACK_SIZE, 0, BPFRT_STACK_SIZE);
#endif

	reg[1] = a->r1;
	reg[2] = a->r2;
	reg[3] = a->r3;
	reg[4] = a->r4;
	reg[5] = a->r5;
	reg[10] = stack_hi;

#define DST reg[pc->dst_reg]
#define SRC reg[pc->src_reg]
#define IMM ((uint64_t)(int64_t)pc->imm) /* sign-extended to 64 bits */
#define IMM32 ((uint32_t)pc->imm)

#if INTERP_CHECKED
#define COUNT() \
	if (__builtin_expect(executed++ >= budget, 0)) \
		goto budget_fault
#define CHECK_MEM(addr, n, write)                                                        \
	if (__builtin_expect(!mem_ok(a, stack_lo, stack_hi, (addr), (n), (write)), 0)) {     \
		run->executed = run->opts->insn_executed = executed;                         \
		return mem_fault(a, (size_t)(pc - insns), (addr), (n), (write), stack_lo, stack_hi); \
	}
#define CHECK_ATOMIC(addr, n)                                                             \
	if (__builtin_expect((addr) & ((n) - 1), 0))                                     \
		return exec_fault(run, -EFAULT, BPFRT_FAULT_WRITE, (size_t)(pc - insns),     \
				  "atomic access of %u bytes at 0x%llx is misaligned", (n),  \
				  (unsigned long long)(addr));                                \
	CHECK_MEM(addr, n, true)
#else
#define COUNT() ((void)0)
#define CHECK_MEM(addr, n, write)
#define CHECK_ATOMIC(addr, n)
#endif

#if INTERP_GOTO
	/* Every byte defaults to `invalid`; the table's rows override it. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpragmas"
#pragma GCC diagnostic ignored "-Woverride-init"
#pragma GCC diagnostic ignored "-Winitializer-overrides"
	static const void *const jump_table[256] = {
		[0 ... 255] = &&invalid,
#define X(name, code, kind, mnem) [code] = &&L_##name,
		ISA_OPCODES(X)
#undef X
	};
#pragma GCC diagnostic pop
#define DISPATCH() { COUNT(); goto *jump_table[pc->code]; }
#define CASE(name) L_##name:
#define NEXT { pc++; DISPATCH(); }
#define JUMP(off) { pc += (off) + 1; DISPATCH(); }
	DISPATCH();
#else
#define DISPATCH() continue
#define CASE(name) case OP_##name:
#define NEXT { pc++; continue; }
#define JUMP(off) { pc += (off) + 1; continue; }
	for (;;) {
	COUNT();
	switch (pc->code) {
#endif

	/* ALU: 64-bit results as is; 32-bit results zero-extended. */
#define ALU(N, OP)                                                                   \
	CASE(N##64_K) DST = DST OP IMM; NEXT                                          \
	CASE(N##64_X) DST = DST OP SRC; NEXT                                          \
	CASE(N##32_K) DST = (uint32_t)((uint32_t)DST OP IMM32); NEXT                  \
	CASE(N##32_X) DST = (uint32_t)((uint32_t)DST OP (uint32_t)SRC); NEXT
	ALU(ADD, +)
	ALU(SUB, -)
	ALU(MUL, *)
	ALU(OR, |)
	ALU(AND, &)
	ALU(XOR, ^)
#undef ALU

	/* Shift counts are masked to the operand width, as in the kernel's
	 * interpreter and JITs: a shift by >= the width is undefined in C. */
#define SHIFT(N, OP)                                                                 \
	CASE(N##64_K) DST = DST OP (IMM & 63); NEXT                                   \
	CASE(N##64_X) DST = DST OP (SRC & 63); NEXT                                   \
	CASE(N##32_K) DST = (uint32_t)((uint32_t)DST OP (IMM32 & 31)); NEXT           \
	CASE(N##32_X) DST = (uint32_t)((uint32_t)DST OP (SRC & 31)); NEXT
	SHIFT(LSH, <<)
	SHIFT(RSH, >>)
#undef SHIFT
	CASE(ARSH64_K) DST = (uint64_t)((int64_t)DST >> (IMM & 63)); NEXT
	CASE(ARSH64_X) DST = (uint64_t)((int64_t)DST >> (SRC & 63)); NEXT
	CASE(ARSH32_K) DST = (uint32_t)((int32_t)(uint32_t)DST >> (IMM32 & 31)); NEXT
	CASE(ARSH32_X) DST = (uint32_t)((int32_t)(uint32_t)DST >> (SRC & 31)); NEXT

	/* off 1 selects the signed forms; see div64() for division by zero. */
	CASE(DIV64_K) DST = div64(DST, IMM, pc->off); NEXT
	CASE(DIV64_X) DST = div64(DST, SRC, pc->off); NEXT
	CASE(DIV32_K) DST = div32((uint32_t)DST, IMM32, pc->off); NEXT
	CASE(DIV32_X) DST = div32((uint32_t)DST, (uint32_t)SRC, pc->off); NEXT
	CASE(MOD64_K) DST = mod64(DST, IMM, pc->off); NEXT
	CASE(MOD64_X) DST = mod64(DST, SRC, pc->off); NEXT
	CASE(MOD32_K) DST = mod32((uint32_t)DST, IMM32, pc->off); NEXT
	CASE(MOD32_X) DST = mod32((uint32_t)DST, (uint32_t)SRC, pc->off); NEXT

	CASE(NEG64) DST = -DST; NEXT
	CASE(NEG32) DST = (uint32_t)-(uint32_t)DST; NEXT

	/* MOV with off 8/16/32 is MOVSX: sign-extend the low bits of src. */
	CASE(MOV64_K) DST = IMM; NEXT
	CASE(MOV64_X)
		DST = __builtin_expect(pc->off == 0, 1) ? SRC : movsx(SRC, pc->off);
		NEXT
	CASE(MOV32_K) DST = IMM32; NEXT
	CASE(MOV32_X)
		DST = (uint32_t)(__builtin_expect(pc->off == 0, 1) ? SRC : movsx(SRC, pc->off));
		NEXT

	/* Byte order: the host is little-endian, so "to LE" only truncates. */
	CASE(LE)
		DST = pc->imm == 16 ? (uint16_t)DST : pc->imm == 32 ? (uint32_t)DST : DST;
		NEXT
	CASE(BE)
	CASE(BSWAP)
		DST = pc->imm == 16 ? __builtin_bswap16((uint16_t)DST)
		    : pc->imm == 32 ? __builtin_bswap32((uint32_t)DST)
		    : __builtin_bswap64(DST);
		NEXT

	/* Jumps: 64-bit compare the full registers with imm sign-extended;
	 * JMP32 compares the low 32 bits. */
#define JCOND(N, T64, T32, OP)                                                       \
	CASE(N##64_K) if ((T64)DST OP (T64)IMM) JUMP(pc->off) NEXT                   \
	CASE(N##64_X) if ((T64)DST OP (T64)SRC) JUMP(pc->off) NEXT                   \
	CASE(N##32_K) if ((T32)DST OP (T32)IMM32) JUMP(pc->off) NEXT                 \
	CASE(N##32_X) if ((T32)DST OP (T32)SRC) JUMP(pc->off) NEXT
	JCOND(JEQ, uint64_t, uint32_t, ==)
	JCOND(JNE, uint64_t, uint32_t, !=)
	JCOND(JGT, uint64_t, uint32_t, >)
	JCOND(JGE, uint64_t, uint32_t, >=)
	JCOND(JLT, uint64_t, uint32_t, <)
	JCOND(JLE, uint64_t, uint32_t, <=)
	JCOND(JSGT, int64_t, int32_t, >)
	JCOND(JSGE, int64_t, int32_t, >=)
	JCOND(JSLT, int64_t, int32_t, <)
	JCOND(JSLE, int64_t, int32_t, <=)
#undef JCOND
	CASE(JSET64_K) if (DST & IMM) JUMP(pc->off) NEXT
	CASE(JSET64_X) if (DST & SRC) JUMP(pc->off) NEXT
	CASE(JSET32_K) if ((uint32_t)DST & IMM32) JUMP(pc->off) NEXT
	CASE(JSET32_X) if ((uint32_t)DST & (uint32_t)SRC) JUMP(pc->off) NEXT
	CASE(JA) JUMP(pc->off)
	CASE(JA32) JUMP(pc->imm)

	/*
	 * Helper calls. Checked engines test the arguments against the
	 * helper's prototype first and note what it hands out; both kinds
	 * save where they are (stack, call depth) for helpers that call back
	 * into the program. A helper that aborted, faulted in a callback or
	 * made a tail call leaves run->pending set.
	 */
#if INTERP_CHECKED
#define HELPER_CALL(ID, ENTRY)                                                          \
	{                                                                               \
		const struct exec_helper *h_ = (ENTRY);                                 \
		int e_;                                                                 \
		run->nest_lo[level] = stack_lo;                                         \
		run->nest_hi[level] = stack_hi;                                         \
		run->nest_depth[level] = depth;                                         \
		run->executed = executed;                                               \
		e_ = exec_check_helper_args(run, h_, reg, (size_t)(pc - insns));       \
		if (e_)                                                                 \
			return e_;                                                      \
		reg[0] = h_->fn(reg[1], reg[2], reg[3], reg[4], reg[5], run);           \
		executed = run->executed;                                               \
		exec_track_helper_ret(run, h_, reg, reg[0]);                            \
		HELPER_PENDING(ID)                                                      \
	}
#else
#define HELPER_CALL(ID, ENTRY)                                                          \
	{                                                                               \
		run->nest_depth[level] = depth;                                         \
		reg[0] = (ENTRY)->fn(reg[1], reg[2], reg[3], reg[4], reg[5], run);      \
		HELPER_PENDING(ID)                                                      \
	}
#endif
#define HELPER_PENDING(ID)                                                              \
	if (__builtin_expect(run->pending != 0, 0)) {                                   \
		int ep_ = exec_pending(a, (size_t)(pc - insns), (ID), reg[1], depth, &reg[0]); \
		if (ep_)                                                                \
			return ep_;                                                     \
		RELOAD_EXECUTED();                                                      \
		goto do_exit; /* a tail call: its result is this function's */       \
	}
#if INTERP_CHECKED
#define RELOAD_EXECUTED() executed = run->executed
#else
#define RELOAD_EXECUTED() ((void)0)
#endif

	CASE(CALL)
		if (pc->src_reg == BPFRT_PSEUDO_CALL) {
			if (__builtin_expect(a->frame_base + depth + 1 >= BPFRT_MAX_CALL_FRAMES, 0))
				return exec_fault(run, -ELOOP, BPFRT_FAULT_CALL_DEPTH, (size_t)(pc - insns),
						  "call stack too deep: a call from frame %u would make %u frames (at most %d)",
						  a->frame_base + depth, a->frame_base + depth + 2,
						  BPFRT_MAX_CALL_FRAMES);
			frames[depth].ret = pc + 1;
			memcpy(frames[depth].saved, &reg[6], sizeof(frames[depth].saved));
			frames[depth].fp = reg[10];
			depth++;
			reg[10] -= BPFRT_STACK_SIZE;
#if INTERP_CHECKED
			stack_lo = reg[10] - BPFRT_STACK_SIZE;
			memset((void *)(uintptr_t)stack_lo, 0, BPFRT_STACK_SIZE);
#endif
			JUMP(pc->imm)
		}
		/* Helper ids were checked at load. */
		HELPER_CALL((uint32_t)pc->imm, exec_helper_entry(helpers, (uint32_t)pc->imm))
		NEXT
	CASE(CALLX)
	{
		const struct exec_helper *hx_ = exec_helper_entry(helpers, DST);

		if (!hx_)
			return exec_fault(run, -ENOENT, BPFRT_FAULT_HELPER, (size_t)(pc - insns),
					  "callx r%u: no helper has id %llu", pc->dst_reg,
					  (unsigned long long)DST);
		HELPER_CALL(DST, hx_)
		NEXT
	}
#undef HELPER_CALL
#undef HELPER_PENDING
#undef RELOAD_EXECUTED
	CASE(EXIT)
	do_exit:
		if (depth == 0) {
			run->opts->retval = reg[0];
#if INTERP_CHECKED
			run->executed = run->opts->insn_executed = executed;
#endif
			return 0;
		}
		depth--;
		pc = frames[depth].ret;
		memcpy(&reg[6], frames[depth].saved, sizeof(frames[depth].saved));
		reg[10] = frames[depth].fp;
#if INTERP_CHECKED
		stack_lo = reg[10] - BPFRT_STACK_SIZE;
#endif
		DISPATCH();

	CASE(LDDW)
		DST = (uint32_t)pc[0].imm | ((uint64_t)(uint32_t)pc[1].imm << 32);
		pc += 2;
		DISPATCH();

	/*
	 * Legacy packet loads, as the kernel rewrites them: offset = (s32)imm
	 * or (s32)(src + imm); an out-of-range read behaves as "r0 = 0; exit".
	 */
#define LDPKT(N, SZ, OFFSET)                                                        \
	CASE(N) if (!pkt_load(a, (int32_t)(OFFSET), SZ, &reg[0])) goto pkt_fault; NEXT
	LDPKT(LDABSB, 1, pc->imm)
	LDPKT(LDABSH, 2, pc->imm)
	LDPKT(LDABSW, 4, pc->imm)
	LDPKT(LDINDB, 1, (uint32_t)(SRC + IMM))
	LDPKT(LDINDH, 2, (uint32_t)(SRC + IMM))
	LDPKT(LDINDW, 4, (uint32_t)(SRC + IMM))
#undef LDPKT

	/* Loads zero- or sign-extend; addresses are base + signed 16-bit off. */
#define LDX(N, T, WIDEN)                                                            \
	CASE(N) {                                                                    \
		uint64_t addr_ = SRC + (uint64_t)(int64_t)pc->off;                   \
		T v_;                                                                \
		CHECK_MEM(addr_, sizeof(T), false)                                   \
		memcpy(&v_, (const void *)(uintptr_t)addr_, sizeof(T));              \
		DST = (uint64_t)(WIDEN)v_;                                           \
		NEXT                                                                 \
	}
	LDX(LDXB, uint8_t, uint64_t)
	LDX(LDXH, uint16_t, uint64_t)
	LDX(LDXW, uint32_t, uint64_t)
	LDX(LDXDW, uint64_t, uint64_t)
	LDX(LDXSB, int8_t, int64_t)
	LDX(LDXSH, int16_t, int64_t)
	LDX(LDXSW, int32_t, int64_t)
#undef LDX

#define STORE(N, T, VAL)                                                            \
	CASE(N) {                                                                    \
		uint64_t addr_ = DST + (uint64_t)(int64_t)pc->off;                   \
		T v_ = (T)(VAL);                                                     \
		CHECK_MEM(addr_, sizeof(T), true)                                    \
		memcpy((void *)(uintptr_t)addr_, &v_, sizeof(T));                    \
		NEXT                                                                 \
	}
	STORE(STB, uint8_t, pc->imm)
	STORE(STH, uint16_t, pc->imm)
	STORE(STW, uint32_t, pc->imm)
	STORE(STDW, uint64_t, IMM)
	STORE(STXB, uint8_t, SRC)
	STORE(STXH, uint16_t, SRC)
	STORE(STXW, uint32_t, SRC)
	STORE(STXDW, uint64_t, SRC)
#undef STORE

	/* Atomics are real atomics: maps are shared between threads. */
	CASE(ATOMIC32)
	{
		uint64_t addr_ = DST + (uint64_t)(int64_t)pc->off;

		CHECK_ATOMIC(addr_, 4u)
		atomic32((uint32_t *)(uintptr_t)addr_, pc->imm, &SRC, &reg[0]);
		NEXT
	}
	CASE(ATOMIC64)
	{
		uint64_t addr_ = DST + (uint64_t)(int64_t)pc->off;

		CHECK_ATOMIC(addr_, 8u)
		atomic64((uint64_t *)(uintptr_t)addr_, pc->imm, &SRC, &reg[0]);
		NEXT
	}

#if INTERP_GOTO
invalid:
#else
	default:
		goto invalid;
	} /* switch */
	} /* for */
invalid:
#endif
	/* Unreachable after validation; kept so corrupt code cannot run wild. */
	return exec_fault(run, -EINVAL, BPFRT_FAULT_ABORT, (size_t)(pc - insns),
			  "invalid opcode 0x%02x", pc->code);

pkt_fault:
	reg[0] = 0;
	goto do_exit;

#if INTERP_CHECKED
budget_fault:
	run->executed = run->opts->insn_executed = executed - 1;
	return exec_fault(run, -E2BIG, BPFRT_FAULT_BUDGET, (size_t)(pc - insns),
			  "instruction budget of %llu exhausted", (unsigned long long)budget);
#endif

#undef DST
#undef SRC
#undef IMM
#undef IMM32
#undef COUNT
#undef CHECK_MEM
#undef CHECK_ATOMIC
#undef DISPATCH
#undef CASE
#undef NEXT
#undef JUMP
}
