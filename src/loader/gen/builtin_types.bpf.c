/* SPDX-License-Identifier: MIT */
/*
 * src/loader/gen/builtin_types.bpf.c - the types of bpfrt's own BTF.
 *
 * Not part of the library's C sources: the build compiles this file with
 * `clang -target bpf -g -O2 -c` and embeds the .BTF section of the result
 * (tools/gen/embed_btf.c) as the target BTF that CO-RE relocations use
 * when no other is given (core_builtin_btf()). It describes the context
 * types of bpfrt's program types with the kernel's layouts and names, so
 * programs built against vmlinux.h or <linux/bpf.h> relocate unchanged.
 *
 * Clang emits BTF only for types that functions or variables use, and a
 * struct reached first through a pointer MEMBER only as a forward
 * declaration; hence one function per type, in an order where each struct
 * is named by a parameter before any struct points to it. No global
 * variables: they would add a DATASEC that needs the loader's fix-ups.
 */
#include <linux/bpf.h>

typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
typedef __s8 s8;
typedef __s16 s16;
typedef __s32 s32;
typedef __s64 s64;

/*
 * x86-64 registers as the kernel saves them (arch/x86/include/asm/ptrace.h,
 * the vmlinux BTF names: `di`, not the uapi `rdi`). Kernels since 6.9 wrap
 * cs and ss in unions with FRED state; the offsets are the same.
 */
struct pt_regs {
	unsigned long r15;
	unsigned long r14;
	unsigned long r13;
	unsigned long r12;
	unsigned long bp;
	unsigned long bx;
	unsigned long r11;
	unsigned long r10;
	unsigned long r9;
	unsigned long r8;
	unsigned long ax;
	unsigned long cx;
	unsigned long dx;
	unsigned long si;
	unsigned long di;
	unsigned long orig_ax;
	unsigned long ip;
	unsigned long cs;
	unsigned long flags;
	unsigned long sp;
	unsigned long ss;
};

int bpfrt_builtin_sock(struct bpf_sock *sk) { return sk != 0; }
int bpfrt_builtin_flow_keys(struct bpf_flow_keys *keys) { return keys != 0; }
int bpfrt_builtin_skb(struct __sk_buff *skb) { return skb != 0; }
int bpfrt_builtin_xdp(struct xdp_md *xdp) { return xdp != 0; }
int bpfrt_builtin_regs(struct pt_regs *regs) { return regs != 0; }
int bpfrt_builtin_uints(u8 a, u16 b, u32 c, u64 d) { return a + b + c + d; }
int bpfrt_builtin_sints(s8 a, s16 b, s32 c, s64 d) { return a + b + c + d; }
int bpfrt_builtin_kuints(__u8 a, __u16 b, __u32 c, __u64 d) { return a + b + c + d; }
int bpfrt_builtin_ksints(__s8 a, __s16 b, __s32 c, __s64 d) { return a + b + c + d; }
