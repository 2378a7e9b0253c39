// SPDX-License-Identifier: MIT
/*
 * CO-RE relocations (src/loader/core.c) on objects clang builds, against a
 * target BTF with different layouts, checked three independent ways:
 *
 *   1. every relocated instruction against the value the target layout
 *      implies, computed here from a host-compiled copy of the target types
 *      (offsetof, sizeof, bit positions found by setting bitfields) and
 *      from type ids looked up by name;
 *   2. the relocated programs run on bpfrt's checked engine against a host
 *      object of the target layout: every value read (and written) must be
 *      the host's;
 *   3. the same objects opened and loaded by libbpf (dlopen'ed
 *      libbpf.so.1, btf_custom_path = the target): the instructions libbpf
 *      hands to the kernel must equal bpfrt's, instruction for instruction
 *      (also against /sys/kernel/btf/vmlinux).
 *
 * Plus malformed relocations, bpfrt's built-in BTF, and the time to
 * resolve every member of every struct of vmlinux against vmlinux.
 *
 * Needs clang (SKIP without it), clang-19 for enum64/TYPE_MATCHES, and
 * root + libbpf.so.1 for the libbpf comparison (SKIP otherwise).
 * CORE_TEST_VERBOSE=1 prints every relocation record.
 */
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <linux/btf.h>

#include "bpfrt/bpfrt.h"
#include "bpfrt/btf.h"
#include "harness.h"
#include "loader/core.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define STR(...) #__VA_ARGS__
#define XSTR(...) STR(__VA_ARGS__)

/* ------------------------------------------------------------------ */
/* The target: compiled for the host here and by clang for the target BTF. */

#define TARGET_TYPES                                                         \
	enum core_color { CC_GREEN = 20, CC_RED = 10, CC_BLUE = -5, CC_PURPLE = 7 }; \
	enum core_big { CB_TWO = 7, CB_ONE = 0x300000000ULL };               \
	struct core_inner { long pad; int y; int x; };                       \
	struct core_s {                                                      \
		long pad0;                                                   \
		struct core_inner *ptr;                                      \
		union {                                                      \
			int dummy;                                           \
			struct core_inner in;                                \
		};                                                           \
		unsigned int c;                                              \
		int d;                                                       \
		char b;                                                      \
		int newname;                                                 \
		unsigned long long bf4 : 40;                                 \
		int bf3 : 5;                                                 \
		unsigned int bf2 : 9;                                        \
		unsigned int bf1 : 3;                                        \
		int a;                                                       \
		int arr[8];                                                  \
		enum core_color col;                                         \
		short e;                                                     \
		int tail[];                                                  \
	};                                                                   \
	typedef struct core_s core_s_t;                                      \
	struct core_dup { int a; int b; };                                   \
	struct core_dup___v2 { int a; long pad; int c; };                    \
	struct core_only_target { int q; };                                  \
	struct core_amb { int x; };                                          \
	struct core_amb___2 { long pad; int x; };

TARGET_TYPES

/* Functions make clang emit the types; each struct named by a parameter first. */
static const char target_src[] =
	XSTR(TARGET_TYPES) "\n"
	"int use_inner(struct core_inner *i) { return i != 0; }\n"
	"int use_s(struct core_s *s, core_s_t *t, enum core_color c, enum core_big b)"
	" { return s != 0 && t != 0 && c && b; }\n"
	"int use_dup(struct core_dup *a, struct core_dup___v2 *b, struct core_only_target *c)"
	" { return a && b && c; }\n"
	"int use_amb(struct core_amb *a, struct core_amb___2 *b) { return a && b; }\n";

/* ------------------------------------------------------------------ */
/* The programs: their own ("local") view of the types. */

#define PRELUDE                                                                        \
	"typedef unsigned char __u8; typedef signed char __s8;\n"                       \
	"typedef unsigned short __u16; typedef short __s16;\n"                          \
	"typedef unsigned int __u32; typedef int __s32;\n"                              \
	"typedef unsigned long long __u64; typedef long long __s64;\n"                  \
	"typedef __u16 __be16; typedef __u32 __be32; typedef __u32 __wsum;\n"           \
	"#include <bpf/bpf_helpers.h>\n"                                                \
	"#include <bpf/bpf_core_read.h>\n"                                              \
	"#define PAI __attribute__((preserve_access_index))\n"                          \
	"struct io { unsigned long long out[32]; void *obj; void *aux; };\n"

#define LOCAL_TYPES                                                                    \
	"enum core_color { CC_RED = 0, CC_GREEN = 1, CC_BLUE = 2, CC_GONE = 3 };\n"     \
	"enum core_color___v2 { CC_PURPLE___v2 = 100, CC_RED___v2 = 101 };\n"           \
	"struct core_inner { int x; int y; } PAI;\n"                                    \
	"struct core_s {\n"                                                             \
	"	int a;\n"                                                               \
	"	char b;\n"                                                              \
	"	unsigned long c;\n"                                                     \
	"	long d;\n"                                                              \
	"	struct core_inner in;\n"                                                \
	"	int arr[4];\n"                                                          \
	"	unsigned int bf1 : 3;\n"                                                \
	"	unsigned int bf2 : 9;\n"                                                \
	"	int bf3 : 5;\n"                                                         \
	"	unsigned long long bf4 : 40;\n"                                         \
	"	struct core_inner *ptr;\n"                                              \
	"	enum core_color col;\n"                                                 \
	"	int removed;\n"                                                         \
	"	short e;\n"                                                             \
	"	int tail[];\n"                                                          \
	"} PAI;\n"                                                                      \
	"typedef struct core_s core_s_t;\n"                                             \
	"struct core_s___flavor { int a; int newname; int removed; } PAI;\n"            \
	"struct core_missing { int z; } PAI;\n"                                         \
	"struct core_dup { int a; int b; int c; } PAI;\n"

static const char main_src[] =
	PRELUDE LOCAL_TYPES
	"SEC(\"bpfrt_core/fields\") int fields(struct io *io)\n"
	"{\n"
	"	struct core_s *o = io->obj;\n"
	"	struct core_s___flavor *f = io->obj;\n"
	"	io->out[0] = o->a;\n"
	"	io->out[1] = o->b;\n"
	"	io->out[2] = o->c;\n"
	"	io->out[3] = o->in.y;\n"
	"	io->out[4] = o->in.x;\n"
	"	io->out[5] = o->arr[3];\n"
	"	io->out[6] = o->ptr->x;\n"
	"	io->out[7] = o->col;\n"
	"	io->out[8] = o->e;\n"
	"	io->out[9] = o->tail[5];\n"
	"	io->out[10] = f->newname;\n"
	"	o->a = 77;\n"
	"	o->c = io->out[31];\n"
	"	o->e = 9;\n"
	"	return 0;\n"
	"}\n"
	"SEC(\"bpfrt_core/bits\") int bits(struct io *io)\n"
	"{\n"
	"	struct core_s *o = io->obj;\n"
	"	io->out[0] = BPF_CORE_READ_BITFIELD(o, bf1);\n"
	"	io->out[1] = BPF_CORE_READ_BITFIELD(o, bf2);\n"
	"	io->out[2] = BPF_CORE_READ_BITFIELD(o, bf3);\n"
	"	io->out[3] = BPF_CORE_READ_BITFIELD(o, bf4);\n"
	"	io->out[4] = BPF_CORE_READ_BITFIELD_PROBED(o, bf3);\n"
	"	io->out[5] = BPF_CORE_READ_BITFIELD_PROBED(o, bf4);\n"
	"	io->out[6] = BPF_CORE_READ(o, ptr, y);\n"
	"	return 0;\n"
	"}\n"
	"SEC(\"bpfrt_core/info\") int info(struct io *io)\n"
	"{\n"
	"	struct core_s *o = io->obj;\n"
	"	struct core_s___flavor *f = io->obj;\n"
	"	struct core_missing *m = io->obj;\n"
	"	io->out[0] = bpf_core_field_exists(o->a);\n"
	"	io->out[1] = bpf_core_field_exists(o->removed);\n"
	"	io->out[2] = bpf_core_field_exists(f->newname);\n"
	"	io->out[3] = bpf_core_field_exists(f->removed);\n"
	"	io->out[4] = bpf_core_field_size(o->c);\n"
	"	io->out[5] = bpf_core_field_size(o->arr);\n"
	"	io->out[6] = bpf_core_field_size(o->in);\n"
	"	io->out[7] = bpf_core_field_offset(o->in.x);\n"
	"	io->out[8] = bpf_core_field_offset(o->arr[2]);\n"
	"	io->out[9] = bpf_core_type_exists(struct core_s);\n"
	"	io->out[10] = bpf_core_type_exists(struct core_missing);\n"
	"	io->out[11] = bpf_core_type_size(struct core_s);\n"
	"	io->out[12] = bpf_core_type_size(struct core_missing);\n"
	"	io->out[13] = bpf_core_type_size(core_s_t);\n"
	"	io->out[14] = bpf_core_type_id_local(struct core_s);\n"
	"	io->out[15] = bpf_core_type_id_kernel(struct core_s);\n"
	"	io->out[16] = bpf_core_type_id_kernel(struct core_missing);\n"
	"	io->out[17] = bpf_core_field_exists(m->z);\n"
	"	io->out[18] = bpf_core_field_size(o->tail);\n"
	"	io->out[19] = bpf_core_field_offset(o->tail[5]);\n"
	"	io->out[20] = bpf_core_type_exists(core_s_t);\n"
	"	io->out[21] = bpf_core_field_size(o->e);\n"
	"	io->out[22] = bpf_core_field_offset(o->ptr);\n"
	"	if (bpf_core_field_exists(o->removed))\n"
	"		io->out[23] = o->removed;\n"
	"	else\n"
	"		io->out[23] = 1234;\n"
	"	return 0;\n"
	"}\n"
	"SEC(\"bpfrt_core/enums\") int enums(struct io *io)\n"
	"{\n"
	"	io->out[0] = bpf_core_enum_value_exists(enum core_color, CC_GONE);\n"
	"	io->out[1] = bpf_core_enum_value_exists(enum core_color, CC_BLUE);\n"
	"	io->out[2] = bpf_core_enum_value(enum core_color, CC_BLUE);\n"
	"	io->out[3] = bpf_core_enum_value(enum core_color, CC_RED);\n"
	"	io->out[4] = bpf_core_enum_value(enum core_color___v2, CC_PURPLE___v2);\n"
	"	io->out[5] = bpf_core_enum_value_exists(enum core_color___v2, CC_RED___v2);\n"
	"	return 0;\n"
	"}\n"
	"SEC(\"bpfrt_core/poison_memsz\") int poison_memsz(struct io *io)\n"
	"{\n"
	"	struct core_s *o = io->obj;\n"
	"	io->out[0] = o->d;\n"
	"	return 0;\n"
	"}\n"
	"SEC(\"bpfrt_core/poison_field\") int poison_field(struct io *io)\n"
	"{\n"
	"	struct core_s *o = io->obj;\n"
	"	io->out[0] = o->removed;\n"
	"	return 0;\n"
	"}\n"
	"SEC(\"bpfrt_core/poison_enum\") int poison_enum(struct io *io)\n"
	"{\n"
	"	io->out[0] = bpf_core_enum_value(enum core_color, CC_GONE);\n"
	"	return 0;\n"
	"}\n"
	/* dup.b keeps only core_dup as a candidate; dup.c then finds none. */
	"SEC(\"bpfrt_core/dup\") int dup(struct io *io)\n"
	"{\n"
	"	struct core_dup *d = io->aux;\n"
	"	io->out[0] = d->b;\n"
	"	io->out[1] = d->c;\n"
	"	return 0;\n"
	"}\n";

/* clang >= 15: enum64 values and TYPE_MATCHES. */
static const char new_src[] =
	PRELUDE LOCAL_TYPES
	"enum core_big { CB_ONE = 0x100000000ULL, CB_TWO = 2, CB_GONE = 0x500000000ULL };\n"
	"SEC(\"bpfrt_core/enum64\") int enum64(struct io *io)\n"
	"{\n"
	"	io->out[0] = bpf_core_enum_value(enum core_big, CB_ONE);\n"
	"	io->out[1] = bpf_core_enum_value(enum core_big, CB_TWO);\n"
	"	io->out[2] = bpf_core_enum_value_exists(enum core_big, CB_GONE);\n"
	"	return 0;\n"
	"}\n"
	"SEC(\"bpfrt_core/matches\") int matches(struct io *io)\n"
	"{\n"
	"	io->out[0] = bpf_core_type_matches(struct core_inner);\n"
	"	io->out[1] = bpf_core_type_matches(struct core_s);\n"
	"	io->out[2] = bpf_core_type_matches(enum core_color);\n"
	"	io->out[3] = bpf_core_type_matches(enum core_color___v2);\n"
	"	io->out[4] = bpf_core_type_matches(struct core_dup);\n"
	"	io->out[5] = bpf_core_type_matches(core_s_t);\n"
	"	io->out[6] = bpf_core_type_matches(struct core_missing);\n"
	"	return 0;\n"
	"}\n"
	"SEC(\"bpfrt_core/poison_enum64\") int poison_enum64(struct io *io)\n"
	"{\n"
	"	io->out[0] = bpf_core_enum_value(enum core_big, CB_GONE);\n"
	"	return 0;\n"
	"}\n";

/* Relocations libbpf refuses: two candidates place x differently. */
static const char err_src[] =
	PRELUDE
	"struct core_amb { int x; } PAI;\n"
	"SEC(\"bpfrt_core/amb\") int amb(struct io *io)\n"
	"{\n"
	"	struct core_amb *a = io->obj;\n"
	"	io->out[0] = a->x;\n"
	"	return 0;\n"
	"}\n";

/* Kernel types as a program built without vmlinux.h would declare them. */
static const char vmlinux_src[] =
	PRELUDE
	"struct mm_struct { unsigned long start_code; unsigned long end_code; } PAI;\n"
	"struct task_struct {\n"
	"	int pid; int tgid; struct task_struct *real_parent; struct mm_struct *mm;\n"
	"	char comm[16]; unsigned int flags; unsigned long long start_time;\n"
	"} PAI;\n"
	"struct task_struct___old { long state; } PAI;\n"
	"struct task_struct___new { unsigned int __state; } PAI;\n"
	"struct sock_common { unsigned short skc_family; unsigned int skc_daddr;\n"
	"	unsigned short skc_dport; unsigned char skc_reuse : 4; unsigned char skc_reuseport : 1; } PAI;\n"
	"struct sock { struct sock_common __sk_common; int sk_rcvbuf; } PAI;\n"
	"struct inode { unsigned long i_ino; unsigned short i_mode; long long i_size; } PAI;\n"
	"struct file { struct inode *f_inode; unsigned int f_flags; } PAI;\n"
	"struct sk_buff { unsigned int len; unsigned char *data; unsigned short protocol; } PAI;\n"
	"struct bpfrt_no_such_type { int x; } PAI;\n"
	"enum pid_type { PIDTYPE_PID, PIDTYPE_TGID, PIDTYPE_PGID, PIDTYPE_SID, PIDTYPE_MAX };\n"
	"SEC(\"bpfrt_core/vmlinux\") int vm(struct io *io)\n"
	"{\n"
	"	struct task_struct *t = io->obj;\n"
	"	struct sock *sk = io->aux;\n"
	"	struct file *f = io->aux;\n"
	"	struct sk_buff *skb = io->obj;\n"
	"	io->out[0] = BPF_CORE_READ(t, real_parent, tgid);\n"
	"	io->out[1] = BPF_CORE_READ(t, mm, start_code);\n"
	"	io->out[2] = t->pid;\n"
	"	io->out[3] = t->flags;\n"
	"	io->out[4] = t->start_time;\n"
	"	if (bpf_core_field_exists(((struct task_struct___new *)t)->__state))\n"
	"		io->out[5] = BPF_CORE_READ((struct task_struct___new *)t, __state);\n"
	"	else\n"
	"		io->out[5] = BPF_CORE_READ((struct task_struct___old *)t, state);\n"
	"	io->out[6] = BPF_CORE_READ(sk, __sk_common.skc_daddr);\n"
	"	io->out[7] = BPF_CORE_READ_BITFIELD_PROBED(&sk->__sk_common, skc_reuse);\n"
	"	io->out[8] = bpf_core_type_exists(struct bpfrt_no_such_type);\n"
	"	io->out[9] = bpf_core_type_size(struct task_struct);\n"
	"	io->out[10] = bpf_core_enum_value(enum pid_type, PIDTYPE_SID);\n"
	"	io->out[11] = bpf_core_type_id_kernel(struct task_struct);\n"
	"	io->out[12] = bpf_core_field_size(t->comm);\n"
	"	io->out[13] = BPF_CORE_READ(f, f_inode, i_ino);\n"
	"	io->out[14] = BPF_CORE_READ(f, f_inode, i_size);\n"
	"	io->out[15] = f->f_flags;\n"
	"	io->out[16] = skb->len;\n"
	"	io->out[17] = BPF_CORE_READ(skb, protocol);\n"
	"	io->out[18] = bpf_core_field_exists(sk->sk_rcvbuf);\n"
	"	return 0;\n"
	"}\n";

/* bpfrt's own BTF as the target. */
static const char builtin_src[] =
	PRELUDE
	"struct __sk_buff___l { __u32 mark; __u32 priority; __u32 data; __u32 data_end; } PAI;\n"
	"struct xdp_md___l { __u32 data_end; __u32 ingress_ifindex; } PAI;\n"
	"struct bpf_sock___l { __u32 mark; __u32 state; __u32 rx_queue_mapping; } PAI;\n"
	"struct pt_regs___l { unsigned long di; unsigned long si; unsigned long ip; unsigned long sp; } PAI;\n"
	"SEC(\"bpfrt_core/builtin\") int builtin(struct io *io)\n"
	"{\n"
	"	struct __sk_buff___l *skb = io->obj;\n"
	"	struct xdp_md___l *xdp = io->obj;\n"
	"	struct bpf_sock___l *sk = io->obj;\n"
	"	struct pt_regs___l *regs = io->obj;\n"
	"	io->out[0] = skb->mark;\n"
	"	io->out[1] = skb->priority;\n"
	"	io->out[2] = skb->data;\n"
	"	io->out[3] = skb->data_end;\n"
	"	io->out[4] = xdp->data_end;\n"
	"	io->out[5] = xdp->ingress_ifindex;\n"
	"	io->out[6] = sk->mark;\n"
	"	io->out[7] = sk->state;\n"
	"	io->out[8] = sk->rx_queue_mapping;\n"
	"	io->out[9] = regs->di;\n"
	"	io->out[10] = regs->si;\n"
	"	io->out[11] = regs->ip;\n"
	"	io->out[12] = regs->sp;\n"
	"	io->out[13] = bpf_core_type_size(struct __sk_buff___l);\n"
	"	return 0;\n"
	"}\n";

/* ------------------------------------------------------------------ */
/* Files, compilers, ELF. */

static char tmpdir[64];
static int verbose;

static const char *tmp_path(const char *name)
{
	static char bufs[8][256];
	static int next;
	char *b = bufs[next++ % 8];

	snprintf(b, sizeof(bufs[0]), "%s/%s", tmpdir, name);
	return b;
}

static int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -errno;
	fputs(text, f);
	return fclose(f) ? -errno : 0;
}

static unsigned char *read_file(const char *path, size_t *size)
{
	unsigned char *buf = NULL;
	size_t cap = 0, len = 0, n;
	FILE *f = fopen(path, "rb");

	if (!f)
		return NULL;
	do {
		if (len == cap) {
			unsigned char *p = realloc(buf, cap = cap ? cap * 2 : 1 << 16);

			if (!p) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = p;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n);
	fclose(f);
	*size = len;
	return buf;
}

static int have_cmd(const char *cmd)
{
	char buf[256];

	snprintf(buf, sizeof(buf), "command -v %s >/dev/null 2>&1", cmd);
	return system(buf) == 0;
}

/* Compile src (text) with cc and flags into tmpdir/obj; 0 or -1 with the compiler output shown. */
static int compile_flags(const char *cc, const char *flags, const char *src_name, const char *src,
			 const char *obj)
{
	char cmd[1024];
	size_t n;
	unsigned char *log;

	if (write_file(tmp_path(src_name), src))
		return -1;
	snprintf(cmd, sizeof(cmd), "%s -target bpf %s -g -O2 -c %s -o %s >%s 2>&1", cc, flags,
		 tmp_path(src_name), tmp_path(obj), tmp_path("cc.log"));
	if (system(cmd) == 0)
		return 0;
	log = read_file(tmp_path("cc.log"), &n);
	printf("compiling %s with %s failed:\n%.*s\n", src_name, cc, log ? (int)n : 0,
	       log ? (char *)log : "");
	free(log);
	return -1;
}

static int compile(const char *cc, const char *src_name, const char *src, const char *obj)
{
	return compile_flags(cc, "", src_name, src, obj);
}

struct elf_file {
	unsigned char *data;
	size_t size;
};

static int elf_open(struct elf_file *f, const char *path)
{
	const Elf64_Ehdr *eh;

	f->data = read_file(path, &f->size);
	if (!f->data)
		return -1;
	eh = (const Elf64_Ehdr *)f->data;
	if (f->size < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_shoff + (size_t)eh->e_shnum * sizeof(Elf64_Shdr) > f->size)
		return -1;
	return 0;
}

static const void *elf_section(const struct elf_file *f, const char *name, size_t *size)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)f->data;
	const Elf64_Shdr *sh = (const Elf64_Shdr *)(f->data + eh->e_shoff);
	const char *names = (const char *)f->data + sh[eh->e_shstrndx].sh_offset;

	for (int i = 0; i < eh->e_shnum; i++) {
		if (strcmp(names + sh[i].sh_name, name) == 0) {
			*size = sh[i].sh_size;
			return f->data + sh[i].sh_offset;
		}
	}
	return NULL;
}

/* The .BTF.ext CO-RE records, parsed here rather than through the loader under test. */
struct relo_group {
	const char *sec;
	uint32_t cnt;
	uint32_t rec_size;
	const unsigned char *recs;
};

struct btf_ext_hdr {
	uint16_t magic;
	uint8_t version;
	uint8_t flags;
	uint32_t hdr_len;
	uint32_t func_info_off, func_info_len;
	uint32_t line_info_off, line_info_len;
	uint32_t core_relo_off, core_relo_len;
};

static int relo_groups(const struct elf_file *f, const struct bpfrt_btf *btf,
		       struct relo_group *groups, int max)
{
	const struct btf_ext_hdr *h;
	const unsigned char *p, *end;
	size_t size;
	uint32_t rec_size;
	int n = 0;

	h = elf_section(f, ".BTF.ext", &size);
	if (!h || size < sizeof(*h) || h->magic != BTF_MAGIC || h->hdr_len < sizeof(*h))
		return -1;
	p = (const unsigned char *)h + h->hdr_len + h->core_relo_off;
	end = p + h->core_relo_len;
	if (h->core_relo_len == 0)
		return 0;
	memcpy(&rec_size, p, 4);
	p += 4;
	while (p + 8 <= end && n < max) {
		uint32_t name_off, cnt;

		memcpy(&name_off, p, 4);
		memcpy(&cnt, p + 4, 4);
		groups[n].sec = bpfrt_btf__str(btf, name_off);
		groups[n].cnt = cnt;
		groups[n].rec_size = rec_size;
		groups[n].recs = p + 8;
		p += 8 + (size_t)cnt * rec_size;
		n++;
	}
	return n;
}

static struct bpf_core_relo group_rec(const struct relo_group *g, uint32_t i)
{
	struct bpf_core_relo r;

	memcpy(&r, g->recs + (size_t)i * g->rec_size, sizeof(r));
	return r;
}

static struct bpfrt_btf *elf_btf(const struct elf_file *f)
{
	char log[256];
	size_t size;
	const void *data = elf_section(f, ".BTF", &size);
	struct bpfrt_btf *btf;

	if (!data)
		return NULL;
	btf = bpfrt_btf__parse(data, size, log, sizeof(log));
	if (!btf)
		printf("BTF rejected: %s\n", log);
	return btf;
}

static const char *type_name(const struct bpfrt_btf *btf, uint32_t id)
{
	const struct btf_type *t = bpfrt_btf__type_by_id(btf, id);
	const char *s = t ? bpfrt_btf__str(btf, t->name_off) : NULL;

	return s ? s : "";
}

/* ------------------------------------------------------------------ */
/* One object, relocated section by section with one context. */

struct section {
	char name[64];
	struct bpfrt_insn *orig;
	struct bpfrt_insn *insns;
	size_t cnt;
	int err;            /* first core_relocate error, 0 if none */
	char log[512];
};

struct object {
	struct elf_file elf;
	struct bpfrt_btf *btf;
	struct relo_group groups[32];
	int ngroups;
	struct section secs[32];
	int nsecs;
	int relo_cnt;
};

static void object_free(struct object *o)
{
	for (int i = 0; i < o->nsecs; i++) {
		free(o->secs[i].orig);
		free(o->secs[i].insns);
	}
	bpfrt_btf__free(o->btf);
	free(o->elf.data);
	memset(o, 0, sizeof(*o));
}

static struct section *object_section(struct object *o, const char *name)
{
	for (int i = 0; i < o->nsecs; i++)
		if (strcmp(o->secs[i].name, name) == 0)
			return &o->secs[i];
	return NULL;
}

/* Open tmpdir/obj, relocate all its CO-RE records against targ. 0, or -1 on a setup failure. */
static int object_relocate(struct object *o, const char *obj, const struct bpfrt_btf *targ)
{
	struct core_ctx *ctx;

	memset(o, 0, sizeof(*o));
	if (elf_open(&o->elf, tmp_path(obj)))
		return -1;
	o->btf = elf_btf(&o->elf);
	if (!o->btf)
		return -1;
	o->ngroups = relo_groups(&o->elf, o->btf, o->groups, (int)ARRAY_SIZE(o->groups));
	if (o->ngroups < 0)
		return -1;
	ctx = core_ctx_new(o->btf, targ);
	if (!ctx)
		return -1;
	for (int g = 0; g < o->ngroups; g++) {
		const struct relo_group *grp = &o->groups[g];
		struct section *s = &o->secs[o->nsecs++];
		size_t size;
		const void *code = elf_section(&o->elf, grp->sec, &size);

		snprintf(s->name, sizeof(s->name), "%s", grp->sec);
		if (!code)
			return -1;
		s->cnt = size / sizeof(struct bpfrt_insn);
		s->orig = malloc(size);
		s->insns = malloc(size);
		memcpy(s->orig, code, size);
		memcpy(s->insns, code, size);
		for (uint32_t i = 0; i < grp->cnt; i++) {
			struct bpf_core_relo r = group_rec(grp, i);
			char log[512] = "";
			int err = core_relocate(ctx, s->insns, s->cnt, &r, (int)i, s->name, log,
						sizeof(log));

			o->relo_cnt++;
			if (verbose)
				printf("  %s #%u insn %u: %s %s \"%s\" -> %d %s\n", s->name, i,
				       r.insn_off / 8, bpfrt_btf_kind_name(BTF_INFO_KIND(
				       bpfrt_btf__type_by_id(o->btf, r.type_id)->info)),
				       type_name(o->btf, r.type_id), bpfrt_btf__str(o->btf, r.access_str_off),
				       err, log);
			if (err && !s->err) {
				s->err = err;
				snprintf(s->log, sizeof(s->log), "%s", log);
			}
		}
	}
	core_ctx_free(ctx);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Check 1: each record against the value the target layout implies. */

struct expect {
	const char *type;                 /* root type name in the local BTF */
	enum bpf_core_relo_kind kind;
	const char *access;
	bool poison;
	uint64_t val;
	int mem_sz;                       /* loads/stores: expected size in bytes (0: any) */
};

static struct expect expects[160];
static int nexpects;

static void expect_val(const char *type, enum bpf_core_relo_kind kind, const char *access,
		       uint64_t val, int mem_sz)
{
	expects[nexpects++] = (struct expect){ type, kind, access, false, val, mem_sz };
}

static void expect_poison(const char *type, enum bpf_core_relo_kind kind, const char *access)
{
	expects[nexpects++] = (struct expect){ type, kind, access, true, 0, 0 };
}

static int insn_size(uint8_t code)
{
	static const int sz[4] = { 4, 2, 1, 8 }; /* W, H, B, DW */

	return sz[(code >> 3) & 3];
}

static bool is_poison(const struct bpfrt_insn *i)
{
	return i->code == (BPFRT_JMP | BPFRT_CALL) && i->imm == CORE_POISON_ID && !i->src_reg &&
	       !i->dst_reg && !i->off;
}

/* Does the relocated instruction carry exactly what e says? why gets the difference. */
static bool insn_matches(const struct bpfrt_insn *before, const struct bpfrt_insn *after,
			 const struct expect *e, char *why, size_t size)
{
	bool lddw = before->code == (BPFRT_LD | BPFRT_IMM | BPFRT_DW);

	if (e->poison) {
		if (is_poison(after) && (!lddw || is_poison(after + 1)))
			return true;
		snprintf(why, size, "not poisoned (code 0x%02x imm %d)", after->code, after->imm);
		return false;
	}
	switch (BPFRT_CLASS(before->code)) {
	case BPFRT_ALU:
	case BPFRT_ALU64:
		if ((uint32_t)after->imm == (uint32_t)e->val)
			return true;
		snprintf(why, size, "imm %d, expected %llu", after->imm, (unsigned long long)e->val);
		return false;
	case BPFRT_LDX:
	case BPFRT_ST:
	case BPFRT_STX:
		if (after->off != (int64_t)e->val) {
			snprintf(why, size, "off %d, expected %llu", after->off, (unsigned long long)e->val);
			return false;
		}
		if (e->mem_sz && insn_size(after->code) != e->mem_sz) {
			snprintf(why, size, "access of %d bytes, expected %d", insn_size(after->code),
				 e->mem_sz);
			return false;
		}
		if (BPFRT_MODE(after->code) != BPFRT_MODE(before->code) ||
		    BPFRT_CLASS(after->code) != BPFRT_CLASS(before->code)) {
			snprintf(why, size, "opcode changed beyond its size");
			return false;
		}
		return true;
	case BPFRT_LD:
		if (lddw && ((uint64_t)(uint32_t)after[0].imm | (uint64_t)(uint32_t)after[1].imm << 32) == e->val)
			return true;
		snprintf(why, size, "imm64 %llu, expected %llu",
			 (unsigned long long)((uint64_t)(uint32_t)after[0].imm |
					      (uint64_t)(uint32_t)after[1].imm << 32),
			 (unsigned long long)e->val);
		return false;
	default:
		snprintf(why, size, "unexpected instruction class");
		return false;
	}
}

/* Every record of the object must have an expectation and meet it. */
static void check_expectations(const char *what, struct object *o)
{
	int checked = 0, bad = 0, missing = 0;

	for (int g = 0; g < o->ngroups; g++) {
		struct section *s = &o->secs[g];

		for (uint32_t i = 0; i < o->groups[g].cnt; i++) {
			struct bpf_core_relo r = group_rec(&o->groups[g], i);
			const char *tn = type_name(o->btf, r.type_id);
			const char *acc = bpfrt_btf__str(o->btf, r.access_str_off);
			const struct expect *e = NULL;
			char why[160] = "";

			for (int k = 0; k < nexpects && !e; k++)
				if (expects[k].kind == r.kind && !strcmp(expects[k].type, tn) &&
				    !strcmp(expects[k].access, acc))
					e = &expects[k];
			if (!e) {
				t_fail("%s: %s relo #%u (kind %d, %s \"%s\"): no expectation in the test",
				       what, s->name, i, r.kind, tn, acc);
				missing++;
				continue;
			}
			checked++;
			if (!insn_matches(&s->orig[r.insn_off / 8], &s->insns[r.insn_off / 8], e, why,
					  sizeof(why))) {
				bad++;
				t_fail("%s: %s relo #%u at insn %u (kind %d, %s \"%s\"): %s", what,
				       s->name, i, r.insn_off / 8, r.kind, tn, acc, why);
			}
		}
	}
	T_CHECK(bad == 0 && missing == 0 && checked > 0,
		"%s: %d relocations match the target layout (%d wrong, %d unexpected)", what,
		checked, bad, missing);
}

/* ------------------------------------------------------------------ */
/* Check 2: run the relocated programs on the host object. */

struct host_io {
	uint64_t out[32];
	void *obj;
	void *aux;
};

static uint64_t h_probe_read(uint64_t dst, uint64_t size, uint64_t src, uint64_t r4, uint64_t r5,
			     struct bpfrt_run *run)
{
	(void)r4, (void)r5, (void)run;
	memcpy((void *)(uintptr_t)dst, (const void *)(uintptr_t)src, size);
	return 0;
}

static uint64_t h_poison(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
			 struct bpfrt_run *run)
{
	(void)r1, (void)r2, (void)r3, (void)r4, (void)r5;
	bpfrt_run__abort(run, "poisoned CO-RE relocation reached");
	return 0;
}

static struct bpfrt_vm *vm;

#define POISON_STANDIN 0xfffff0

/* Run section s with io; returns bpfrt_prog__run's result, -1000 if loading failed. */
static int run_section(const struct section *s, struct host_io *io,
		       const struct bpfrt_region *regions, size_t nregions, struct bpfrt_fault *fault)
{
	struct bpfrt_load_opts lo = { .sz = sizeof(lo) };
	struct bpfrt_run_opts ro = { .sz = sizeof(ro) };
	char log[256] = "";
	struct bpfrt_prog *p;
	int err;

	struct bpfrt_insn *code = malloc(s->cnt * sizeof(*code));

	/*
	 * bpfrt_prog__load binds every call to a registered helper, and
	 * CORE_POISON_ID is above BPFRT_MAX_HELPER_ID: stand in a helper that
	 * aborts the run, to see whether the poison is reached.
	 */
	memcpy(code, s->insns, s->cnt * sizeof(*code));
	for (size_t k = 0; k < s->cnt; k++)
		if (is_poison(&code[k]))
			code[k].imm = POISON_STANDIN;
	lo.log_buf = log;
	lo.log_size = sizeof(log);
	p = bpfrt_prog__load(vm, code, s->cnt, &lo);
	free(code);
	if (!p) {
		printf("%s: load failed: %s\n", s->name, log);
		return -1000;
	}
	ro.engine = BPFRT_ENGINE_CHECKED;
	ro.mem = io;
	ro.mem_size = sizeof(*io);
	ro.regions = regions;
	ro.region_cnt = nregions;
	ro.insn_budget = 100000;
	err = bpfrt_prog__run(p, &ro);
	if (fault)
		*fault = ro.fault;
	bpfrt_prog__free(p);
	return err;
}

static void check_outputs(const char *what, const struct host_io *io, const uint64_t *exp, int n)
{
	int bad = 0;

	for (int i = 0; i < n; i++) {
		if (io->out[i] != exp[i]) {
			bad++;
			t_fail("%s: out[%d] = %#llx, expected %#llx", what, i,
			       (unsigned long long)io->out[i], (unsigned long long)exp[i]);
		}
	}
	T_CHECK(bad == 0, "%s: %d values read through relocated code equal the host's", what, n);
}

/* ------------------------------------------------------------------ */
/* Check 3: libbpf, dlopen'ed. */

static struct {
	void *h;
	struct bpf_object *(*open_file)(const char *, const struct bpf_object_open_opts *);
	int (*load)(struct bpf_object *);
	void (*close)(struct bpf_object *);
	const char *(*section_name)(const struct bpf_program *);
	const struct bpf_insn *(*insns)(const struct bpf_program *);
	size_t (*insn_cnt)(const struct bpf_program *);
	int (*set_insns)(struct bpf_program *, struct bpf_insn *, size_t);
	int (*register_handler)(const char *, enum bpf_prog_type, enum bpf_attach_type,
				const struct libbpf_prog_handler_opts *);
	int (*unregister_handler)(int);
	libbpf_print_fn_t (*set_print)(libbpf_print_fn_t);
	int handler;
} lb = { .handler = -1 };

/* What libbpf was about to hand the kernel, per section. */
static struct captured {
	char sec[64];
	struct bpfrt_insn *insns;
	size_t cnt;
} captured[32];
static int ncaptured;
static char lb_log[16384];
static size_t lb_log_len;

static int lb_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG || lb_log_len >= sizeof(lb_log) - 1)
		return 0;
	lb_log_len += (size_t)vsnprintf(lb_log + lb_log_len, sizeof(lb_log) - lb_log_len, fmt, ap);
	if (lb_log_len > sizeof(lb_log) - 1)
		lb_log_len = sizeof(lb_log) - 1;
	return 0;
}

/*
 * Called by libbpf after relocation, just before BPF_PROG_LOAD: keep the
 * instructions, then give the kernel a trivial program (the real ones
 * dereference test pointers the verifier would reject).
 */
static int lb_prepare(struct bpf_program *prog, struct bpf_prog_load_opts *opts, long cookie)
{
	static struct bpf_insn trivial[2] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	struct captured *c;

	(void)cookie;
	if (ncaptured == (int)ARRAY_SIZE(captured))
		return -E2BIG;
	c = &captured[ncaptured++];
	snprintf(c->sec, sizeof(c->sec), "%s", lb.section_name(prog));
	c->cnt = lb.insn_cnt(prog);
	c->insns = malloc(c->cnt * sizeof(*c->insns));
	memcpy(c->insns, lb.insns(prog), c->cnt * sizeof(*c->insns));
	opts->func_info = NULL;
	opts->func_info_cnt = 0;
	opts->line_info = NULL;
	opts->line_info_cnt = 0;
	return lb.set_insns(prog, trivial, 2);
}

static const char *libbpf_setup(void)
{
	LIBBPF_OPTS(libbpf_prog_handler_opts, hopts, .prog_prepare_load_fn = lb_prepare);

	if (geteuid() != 0)
		return "not root: libbpf cannot load programs";
	lb.h = dlopen("libbpf.so.1", RTLD_NOW | RTLD_LOCAL);
	if (!lb.h)
		return "libbpf.so.1 not found";
#define SYM(field, name)                                          \
	do {                                                      \
		*(void **)&lb.field = dlsym(lb.h, name);          \
		if (!lb.field)                                    \
			return "libbpf.so.1 lacks " name;         \
	} while (0)
	SYM(open_file, "bpf_object__open_file");
	SYM(load, "bpf_object__load");
	SYM(close, "bpf_object__close");
	SYM(section_name, "bpf_program__section_name");
	SYM(insns, "bpf_program__insns");
	SYM(insn_cnt, "bpf_program__insn_cnt");
	SYM(set_insns, "bpf_program__set_insns");
	SYM(register_handler, "libbpf_register_prog_handler");
	SYM(unregister_handler, "libbpf_unregister_prog_handler");
	SYM(set_print, "libbpf_set_print");
#undef SYM
	lb.set_print(lb_print);
	lb.handler = lb.register_handler("bpfrt_core/", BPF_PROG_TYPE_SOCKET_FILTER, 0, &hopts);
	if (lb.handler < 0)
		return "libbpf_register_prog_handler failed";
	return NULL;
}

static void captured_free(void)
{
	for (int i = 0; i < ncaptured; i++)
		free(captured[i].insns);
	ncaptured = 0;
}

/* libbpf's bpf_object__load on tmpdir/obj with target btf_path: 0 or its error. */
static int libbpf_load(const char *obj, const char *btf_path)
{
	LIBBPF_OPTS(bpf_object_open_opts, oopts, .btf_custom_path = btf_path);
	struct bpf_object *bo;
	int err;

	captured_free();
	lb_log_len = 0;
	lb_log[0] = 0;
	bo = lb.open_file(tmp_path(obj), &oopts);
	if (!bo)
		return -errno;
	err = lb.load(bo);
	lb.close(bo);
	return err;
}

/* bpfrt's sections == what libbpf captured, instruction for instruction. */
static void compare_with_libbpf(const char *what, const struct object *o)
{
	int insns = 0, relos = 0, bad = 0;

	for (int i = 0; i < o->nsecs; i++) {
		const struct section *s = &o->secs[i];
		const struct captured *c = NULL;

		for (int k = 0; k < ncaptured && !c; k++)
			if (!strcmp(captured[k].sec, s->name))
				c = &captured[k];
		if (!c) {
			t_fail("%s: libbpf did not load section %s", what, s->name);
			bad++;
			continue;
		}
		if (c->cnt != s->cnt) {
			t_fail("%s: %s has %zu instructions under libbpf, %zu under bpfrt", what,
			       s->name, c->cnt, s->cnt);
			bad++;
			continue;
		}
		for (size_t k = 0; k < s->cnt; k++) {
			if (memcmp(&c->insns[k], &s->insns[k], sizeof(s->insns[k])) != 0) {
				t_fail("%s: %s insn %zu: libbpf code 0x%02x off %d imm %d, bpfrt code "
				       "0x%02x off %d imm %d", what, s->name, k, c->insns[k].code,
				       c->insns[k].off, c->insns[k].imm, s->insns[k].code,
				       s->insns[k].off, s->insns[k].imm);
				bad++;
			}
		}
		insns += (int)s->cnt;
		relos += (int)o->groups[i].cnt;
	}
	T_CHECK(bad == 0, "%s: libbpf and bpfrt agree on %d instructions of %d sections (%d CO-RE "
		"relocations)", what, insns, o->nsecs, relos);
}

/* ------------------------------------------------------------------ */
/* The host object of the target layout, and what the programs must read. */

static struct core_s *hobj;
static struct core_inner hinner = { .pad = 0x5151, .y = 72, .x = 71 };
static struct core_dup hdup = { .a = 1, .b = 2 };

static void host_init(void)
{
	hobj = calloc(1, sizeof(*hobj) + 16 * sizeof(int));
	hobj->pad0 = 0x1111;
	hobj->ptr = &hinner;
	hobj->in.pad = 0x2222;
	hobj->in.x = 31;
	hobj->in.y = 32;
	hobj->c = 0xdeadbeef;
	hobj->d = -12345;
	hobj->b = -7;
	hobj->newname = 4242;
	hobj->bf4 = 0x123456789aULL;
	hobj->bf3 = -9;
	hobj->bf2 = 300;
	hobj->bf1 = 5;
	hobj->a = -100;
	for (int i = 0; i < 8; i++)
		hobj->arr[i] = 1000 + i;
	hobj->col = CC_GREEN;
	hobj->e = -321;
	for (int i = 0; i < 16; i++)
		hobj->tail[i] = 500 + i;
}

/* Bit offset and size of a bitfield: set it in a zeroed object and look. */
static void bit_range(const void *obj, size_t size, unsigned int *off, unsigned int *sz)
{
	const unsigned char *p = obj;
	unsigned int first = ~0u, last = 0;

	for (unsigned int bit = 0; bit < size * 8; bit++) {
		if (p[bit / 8] >> (bit % 8) & 1) {
			if (first == ~0u)
				first = bit;
			last = bit;
		}
	}
	*off = first;
	*sz = last - first + 1;
}

#define BITFIELD_RANGE(field, off, sz)                              \
	do {                                                        \
		struct core_s s_;                                   \
		memset(&s_, 0, sizeof(s_));                         \
		s_.field = -1;                                      \
		bit_range(&s_, sizeof(s_), off, sz);                \
	} while (0)

/*
 * Expectations for a bitfield read (BPF_CORE_READ_BITFIELD): the load that
 * covers it, starting from the declared type's size and alignment.
 */
static void expect_bitfield(const char *access, unsigned int bit_off, unsigned int bit_sz,
			    unsigned int decl_sz, bool is_signed)
{
	unsigned int sz = decl_sz, off = bit_off / 8 / sz * sz;

	while (bit_off + bit_sz - off * 8 > sz * 8) {
		sz *= 2;
		off = bit_off / 8 / sz * sz;
	}
	expect_val("core_s", BPF_CORE_FIELD_BYTE_OFFSET, access, off, 0);
	expect_val("core_s", BPF_CORE_FIELD_BYTE_SIZE, access, sz, 0);
	expect_val("core_s", BPF_CORE_FIELD_LSHIFT_U64, access, 64 - (bit_off + bit_sz - off * 8), 0);
	expect_val("core_s", BPF_CORE_FIELD_RSHIFT_U64, access, 64 - bit_sz, 0);
	expect_val("core_s", BPF_CORE_FIELD_SIGNED, access, is_signed, 0);
}

static void build_expectations(const struct bpfrt_btf *local, const struct bpfrt_btf *targ)
{
	const size_t in = offsetof(struct core_s, in);
	unsigned int off, sz;

	nexpects = 0;
	/* struct core_s (local member indexes: a b c d in arr bf1 bf2 bf3 bf4 ptr col removed e tail) */
	expect_val("core_s", BPF_CORE_FIELD_BYTE_OFFSET, "0:0", offsetof(struct core_s, a), 4);
	expect_val("core_s", BPF_CORE_FIELD_BYTE_OFFSET, "0:1", offsetof(struct core_s, b), 1);
	expect_val("core_s", BPF_CORE_FIELD_BYTE_OFFSET, "0:2", offsetof(struct core_s, c), 4);
	expect_poison("core_s", BPF_CORE_FIELD_BYTE_OFFSET, "0:3"); /* long -> int: signed, resized */
	expect_val("core_s", BPF_CORE_FIELD_BYTE_OFFSET, "0:4:1", in + offsetof(struct core_inner, y), 4);
	expect_val("core_s", BPF_CORE_FIELD_BYTE_OFFSET, "0:4:0", in + offsetof(struct core_inner, x), 4);
	expect_val("core_s", BPF_CORE_FIELD_BYTE_OFFSET, "0:5:3", offsetof(struct core_s, arr) + 12, 4);
	expect_val("core_s", BPF_CORE_FIELD_BYTE_OFFSET, "0:5:2", offsetof(struct core_s, arr) + 8, 4);
	expect_val("core_s", BPF_CORE_FIELD_BYTE_OFFSET, "0:10", offsetof(struct core_s, ptr), 8);
	expect_val("core_s", BPF_CORE_FIELD_BYTE_OFFSET, "0:11", offsetof(struct core_s, col), 4);
	expect_poison("core_s", BPF_CORE_FIELD_BYTE_OFFSET, "0:12");
	expect_val("core_s", BPF_CORE_FIELD_BYTE_OFFSET, "0:13", offsetof(struct core_s, e), 2);
	expect_val("core_s", BPF_CORE_FIELD_BYTE_OFFSET, "0:14:5", offsetof(struct core_s, tail) + 20, 4);
	expect_val("core_inner", BPF_CORE_FIELD_BYTE_OFFSET, "0:0", offsetof(struct core_inner, x), 4);
	expect_val("core_inner", BPF_CORE_FIELD_BYTE_OFFSET, "0:1", offsetof(struct core_inner, y), 4);
	expect_val("core_inner", BPF_CORE_FIELD_BYTE_SIZE, "0:1", 4, 0);
	expect_val("core_s___flavor", BPF_CORE_FIELD_BYTE_OFFSET, "0:1", offsetof(struct core_s, newname), 4);
	expect_val("core_dup", BPF_CORE_FIELD_BYTE_OFFSET, "0:1", offsetof(struct core_dup, b), 4);
	expect_poison("core_dup", BPF_CORE_FIELD_BYTE_OFFSET, "0:2"); /* core_dup___v2 was pruned */

	expect_val("core_s", BPF_CORE_FIELD_EXISTS, "0:0", 1, 0);
	expect_val("core_s", BPF_CORE_FIELD_EXISTS, "0:12", 0, 0);
	expect_val("core_s___flavor", BPF_CORE_FIELD_EXISTS, "0:1", 1, 0);
	expect_val("core_s___flavor", BPF_CORE_FIELD_EXISTS, "0:2", 0, 0);
	expect_val("core_missing", BPF_CORE_FIELD_EXISTS, "0:0", 0, 0);
	expect_val("core_s", BPF_CORE_FIELD_BYTE_SIZE, "0:2", sizeof(hobj->c), 0);
	expect_val("core_s", BPF_CORE_FIELD_BYTE_SIZE, "0:5", sizeof(hobj->arr), 0);
	expect_val("core_s", BPF_CORE_FIELD_BYTE_SIZE, "0:4", sizeof(struct core_inner), 0);
	expect_val("core_s", BPF_CORE_FIELD_BYTE_SIZE, "0:14", 0, 0);
	expect_val("core_s", BPF_CORE_FIELD_BYTE_SIZE, "0:13", sizeof(hobj->e), 0);

	BITFIELD_RANGE(bf1, &off, &sz);
	expect_bitfield("0:6", off, sz, sizeof(unsigned int), false);
	BITFIELD_RANGE(bf2, &off, &sz);
	expect_bitfield("0:7", off, sz, sizeof(unsigned int), false);
	BITFIELD_RANGE(bf3, &off, &sz);
	expect_bitfield("0:8", off, sz, sizeof(int), true);
	BITFIELD_RANGE(bf4, &off, &sz);
	expect_bitfield("0:9", off, sz, sizeof(unsigned long long), false);

	expect_val("core_s", BPF_CORE_TYPE_EXISTS, "0", 1, 0);
	expect_val("core_missing", BPF_CORE_TYPE_EXISTS, "0", 0, 0);
	expect_val("core_s_t", BPF_CORE_TYPE_EXISTS, "0", 1, 0);
	expect_val("core_s", BPF_CORE_TYPE_SIZE, "0", sizeof(struct core_s), 0);
	expect_val("core_missing", BPF_CORE_TYPE_SIZE, "0", 0, 0);
	expect_val("core_s_t", BPF_CORE_TYPE_SIZE, "0", sizeof(core_s_t), 0);
	expect_val("core_s", BPF_CORE_TYPE_ID_LOCAL, "0",
		   (uint64_t)bpfrt_btf__find_by_name_kind(local, "core_s", BTF_KIND_STRUCT), 0);
	expect_val("core_s", BPF_CORE_TYPE_ID_TARGET, "0",
		   (uint64_t)bpfrt_btf__find_by_name_kind(targ, "core_s", BTF_KIND_STRUCT), 0);
	expect_val("core_missing", BPF_CORE_TYPE_ID_TARGET, "0", 0, 0);

	/* enumerator indexes in the local enums */
	expect_val("core_color", BPF_CORE_ENUMVAL_EXISTS, "3", 0, 0);
	expect_val("core_color", BPF_CORE_ENUMVAL_EXISTS, "2", 1, 0);
	expect_val("core_color", BPF_CORE_ENUMVAL_VALUE, "2", (uint64_t)(int64_t)CC_BLUE, 0);
	expect_val("core_color", BPF_CORE_ENUMVAL_VALUE, "0", (uint64_t)(int64_t)CC_RED, 0);
	expect_poison("core_color", BPF_CORE_ENUMVAL_VALUE, "3");
	expect_val("core_color___v2", BPF_CORE_ENUMVAL_VALUE, "0", (uint64_t)CC_PURPLE, 0);
	expect_val("core_color___v2", BPF_CORE_ENUMVAL_EXISTS, "1", 1, 0);
	expect_val("core_big", BPF_CORE_ENUMVAL_VALUE, "0", (uint64_t)CB_ONE, 0);
	expect_val("core_big", BPF_CORE_ENUMVAL_VALUE, "1", (uint64_t)CB_TWO, 0);
	expect_val("core_big", BPF_CORE_ENUMVAL_EXISTS, "2", 0, 0);
	expect_poison("core_big", BPF_CORE_ENUMVAL_VALUE, "2");

	/*
	 * TYPE_MATCHES: core_inner's members x, y exist in the target with
	 * equal int types; core_s has `removed` the target lacks; the local
	 * core_color has CC_GONE; core_color___v2's enumerators all exist;
	 * core_dup has three members, its candidates two and three but
	 * without b; core_missing has no candidate.
	 */
	expect_val("core_inner", BPF_CORE_TYPE_MATCHES, "0", 1, 0);
	expect_val("core_s", BPF_CORE_TYPE_MATCHES, "0", 0, 0);
	expect_val("core_color", BPF_CORE_TYPE_MATCHES, "0", 0, 0);
	expect_val("core_color___v2", BPF_CORE_TYPE_MATCHES, "0", 1, 0);
	expect_val("core_dup", BPF_CORE_TYPE_MATCHES, "0", 0, 0);
	expect_val("core_s_t", BPF_CORE_TYPE_MATCHES, "0", 0, 0);
	expect_val("core_missing", BPF_CORE_TYPE_MATCHES, "0", 0, 0);
}

/* ------------------------------------------------------------------ */

static struct bpfrt_region regions[3];

static void run_main_object(const char *label, struct object *o, const struct bpfrt_btf *targ)
{
	char what[96];
	struct host_io io;
	struct bpfrt_fault fault;
	struct section *s;
	int err;

	regions[0] = (struct bpfrt_region){ "obj", hobj, sizeof(*hobj) + 16 * sizeof(int), true };
	regions[1] = (struct bpfrt_region){ "inner", &hinner, sizeof(hinner), true };
	regions[2] = (struct bpfrt_region){ "dup", &hdup, sizeof(hdup), true };

	s = object_section(o, "bpfrt_core/fields");
	if (s) {
		struct core_s before = *hobj;
		uint64_t exp[] = {
			(uint64_t)(int64_t)hobj->a, (uint64_t)(int64_t)hobj->b, hobj->c,
			(uint64_t)hobj->in.y, (uint64_t)hobj->in.x, (uint64_t)hobj->arr[3],
			(uint64_t)hinner.x, (uint64_t)hobj->col, (uint64_t)(int64_t)hobj->e,
			(uint64_t)hobj->tail[5], (uint64_t)hobj->newname,
		};

		memset(&io, 0, sizeof(io));
		io.obj = hobj;
		io.out[31] = 0x1abcdef01ULL;
		err = run_section(s, &io, regions, 3, &fault);
		T_CHECK(err == 0, "%s: run fields: %d %s", label, err, err ? fault.msg : "");
		check_outputs((snprintf(what, sizeof(what), "%s: fields", label), what), &io, exp, (int)ARRAY_SIZE(exp));
		/* The stores: a (ST), c narrowed to 4 bytes (STX), e (ST halfword). */
		T_CHECK(hobj->a == 77 && hobj->c == 0xabcdef01u && hobj->e == 9 &&
			hobj->d == before.d && hobj->b == before.b && hobj->newname == before.newname,
			"%s: relocated stores wrote a, c (resized to 4 bytes), e and nothing else", label);
		hobj->a = before.a, hobj->c = before.c, hobj->e = before.e;
	}

	s = object_section(o, "bpfrt_core/bits");
	if (s) {
		uint64_t exp[] = {
			hobj->bf1, hobj->bf2, (uint64_t)(int64_t)hobj->bf3, hobj->bf4,
			(uint64_t)(int64_t)hobj->bf3, hobj->bf4, (uint64_t)hinner.y,
		};

		memset(&io, 0, sizeof(io));
		io.obj = hobj;
		err = run_section(s, &io, regions, 3, &fault);
		T_CHECK(err == 0, "%s: run bits: %d %s", label, err, err ? fault.msg : "");
		check_outputs((snprintf(what, sizeof(what), "%s: bitfields", label), what), &io, exp, (int)ARRAY_SIZE(exp));
	}

	s = object_section(o, "bpfrt_core/info");
	if (s) {
		uint64_t exp[] = {
			1, 0, 1, 0, sizeof(hobj->c), sizeof(hobj->arr), sizeof(struct core_inner),
			offsetof(struct core_s, in) + offsetof(struct core_inner, x),
			offsetof(struct core_s, arr) + 8, 1, 0, sizeof(struct core_s), 0,
			sizeof(core_s_t),
			(uint64_t)bpfrt_btf__find_by_name_kind(o->btf, "core_s", BTF_KIND_STRUCT),
			(uint64_t)bpfrt_btf__find_by_name_kind(targ, "core_s", BTF_KIND_STRUCT), 0, 0, 0,
			offsetof(struct core_s, tail) + 20, 1, sizeof(hobj->e),
			offsetof(struct core_s, ptr), 1234,
		};

		memset(&io, 0, sizeof(io));
		io.obj = hobj;
		err = run_section(s, &io, regions, 3, &fault);
		T_CHECK(err == 0, "%s: run info: %d %s", label, err, err ? fault.msg : "");
		check_outputs((snprintf(what, sizeof(what), "%s: field/type info", label), what), &io, exp, (int)ARRAY_SIZE(exp));
	}

	s = object_section(o, "bpfrt_core/enums");
	if (s) {
		uint64_t exp[] = { 0, 1, (uint64_t)(int64_t)CC_BLUE, CC_RED, CC_PURPLE, 1 };

		memset(&io, 0, sizeof(io));
		err = run_section(s, &io, regions, 3, &fault);
		T_CHECK(err == 0, "%s: run enums: %d %s", label, err, err ? fault.msg : "");
		check_outputs((snprintf(what, sizeof(what), "%s: enums", label), what), &io, exp, (int)ARRAY_SIZE(exp));
	}

	{
		static const char *const poisoned[] = {
			"bpfrt_core/poison_memsz", "bpfrt_core/poison_field", "bpfrt_core/poison_enum",
			"bpfrt_core/dup",
		};

		for (size_t i = 0; i < ARRAY_SIZE(poisoned); i++) {
			s = object_section(o, poisoned[i]);
			if (!s) {
				t_fail("%s: no such section", poisoned[i]);
				continue;
			}
			memset(&io, 0, sizeof(io));
			io.obj = hobj;
			io.aux = &hdup;
			err = run_section(s, &io, regions, 3, &fault);
			T_CHECK(err == -ECANCELED && fault.kind == BPFRT_FAULT_ABORT,
				"%s: %s: the poisoned instruction is reached and stops the run (%d: %s)",
				label, poisoned[i], err, fault.msg);
		}
	}
}

static void run_new_object(struct object *o)
{
	struct host_io io;
	struct bpfrt_fault fault;
	struct section *s = object_section(o, "bpfrt_core/enum64");
	int err;

	if (s) {
		uint64_t exp[] = { (uint64_t)CB_ONE, (uint64_t)CB_TWO, 0 };

		memset(&io, 0, sizeof(io));
		err = run_section(s, &io, regions, 3, &fault);
		T_CHECK(err == 0, "run enum64: %d %s", err, err ? fault.msg : "");
		check_outputs("enum64", &io, exp, (int)ARRAY_SIZE(exp));
	}
	s = object_section(o, "bpfrt_core/matches");
	if (s) {
		uint64_t exp[] = { 1, 0, 0, 1, 0, 0, 0 };

		memset(&io, 0, sizeof(io));
		err = run_section(s, &io, regions, 3, &fault);
		T_CHECK(err == 0, "run matches: %d %s", err, err ? fault.msg : "");
		check_outputs("type matches", &io, exp, (int)ARRAY_SIZE(exp));
	}
	s = object_section(o, "bpfrt_core/poison_enum64");
	if (s) {
		memset(&io, 0, sizeof(io));
		err = run_section(s, &io, regions, 3, &fault);
		T_CHECK(err == -ECANCELED && fault.kind == BPFRT_FAULT_ABORT,
			"poison_enum64: both LDDW slots poisoned, the first reached (%d: %s)", err,
			fault.msg);
	}
}

static bool all_relocated(const char *what, const struct object *o)
{
	bool ok = true;

	for (int i = 0; i < o->nsecs; i++) {
		if (o->secs[i].err) {
			t_fail("%s: %s: core_relocate %d: %s", what, o->secs[i].name, o->secs[i].err,
			       o->secs[i].log);
			ok = false;
		}
	}
	return ok;
}

/* ------------------------------------------------------------------ */
/* Malformed relocations and instructions, one at a time. */

static char printed[1024];

static int capture_print(enum bpfrt_print_level level, const char *fmt, va_list ap)
{
	size_t n = strlen(printed);

	if (level == BPFRT_DEBUG && n < sizeof(printed) - 1)
		vsnprintf(printed + n, sizeof(printed) - n, fmt, ap);
	return 0;
}

/* The string offset of an access string some record of the object uses, or 0. */
static uint32_t find_access(const struct object *o, const char *acc)
{
	for (int g = 0; g < o->ngroups; g++)
		for (uint32_t i = 0; i < o->groups[g].cnt; i++) {
			struct bpf_core_relo x = group_rec(&o->groups[g], i);

			if (!strcmp(bpfrt_btf__str(o->btf, x.access_str_off), acc))
				return x.access_str_off;
		}
	return 0;
}

static uint32_t local_id(const struct object *o, const char *name, int kind)
{
	int id = bpfrt_btf__find_by_name_kind(o->btf, name, kind);

	return id > 0 ? (uint32_t)id : 0;
}

static void test_errors(struct object *o, const struct bpfrt_btf *targ, bool have_libbpf)
{
	struct section *s = object_section(o, "bpfrt_core/fields");
	const struct relo_group *g = NULL;
	struct bpf_core_relo good, r;
	struct bpfrt_insn *insns;
	struct core_ctx *ctx;
	uint32_t anon = 0, core_s_name;
	char log[512];
	size_t cnt, at;
	int err;

	for (int i = 0; i < o->ngroups; i++)
		if (!strcmp(o->groups[i].sec, "bpfrt_core/fields"))
			g = &o->groups[i];
	if (!s || !g) {
		t_fail("errors: no fields section to work on");
		return;
	}
	cnt = s->cnt;
	insns = malloc(cnt * sizeof(*insns));
	good = group_rec(g, 0); /* the first relocation of `fields`: o->a, an LDX */
	at = good.insn_off / 8;
	core_s_name = bpfrt_btf__type_by_id(o->btf, local_id(o, "core_s", BTF_KIND_STRUCT))->name_off;
	for (uint32_t id = 1; id < bpfrt_btf__type_cnt(o->btf) && !anon; id++)
		if (BTF_INFO_KIND(bpfrt_btf__type_by_id(o->btf, id)->info) == BTF_KIND_PTR)
			anon = id;
	ctx = core_ctx_new(o->btf, targ);

#define TRY(desc, mutate, expect_err, substr)                                                \
	do {                                                                                  \
		memcpy(insns, s->orig, cnt * sizeof(insns[0]));                               \
		r = good;                                                                     \
		mutate;                                                                       \
		log[0] = 0;                                                                   \
		err = core_relocate(ctx, insns, cnt, &r, 7, "fields", log, sizeof(log));      \
		T_CHECK(err == (expect_err) && strstr(log, substr) &&                         \
			strstr(log, "CO-RE relocation #7 in fields at insn"),                \
			"errors: %s: %d \"%s\"", desc, err, log);                             \
	} while (0)

	TRY("insn offset not a multiple of 8", r.insn_off += 4, -EINVAL, "outside the section");
	TRY("insn offset past the section", r.insn_off = (uint32_t)cnt * 8, -EINVAL, "outside");
	TRY("type id out of range", r.type_id = 1u << 30, -EINVAL, "bad type id");
	TRY("access string not digits", r.access_str_off = core_s_name, -EINVAL,
	    "malformed access string");
	TRY("member index out of range", (r.access_str_off = find_access(o, "0:14:5"),
	    r.type_id = local_id(o, "core_inner", BTF_KIND_STRUCT)), -EINVAL,
	    "member index out of range");
	TRY("unknown kind", r.kind = (enum bpf_core_relo_kind)99, -EINVAL, "unknown relocation kind");
	TRY("type relocation with a field access", r.kind = BPF_CORE_TYPE_SIZE, -EINVAL,
	    "access string other than");
	TRY("instruction holds another value", insns[at].off += 4, -EINVAL, "unexpected insn value");
	TRY("relocated instruction is a jump", insns[at] = BPFRT_JMP_IMM(BPFRT_JEQ, 1, 0, 0), -EINVAL,
	    "cannot carry");
	TRY("ALU with a register operand", (insns[at] = BPFRT_ALU64_REG(BPFRT_ADD, 1, 2),
	    r.kind = BPF_CORE_FIELD_EXISTS), -EINVAL, "register operand");
	TRY("LDDW at the end of the section",
	    (insns[cnt - 1] = BPFRT_RAW_INSN(BPFRT_LD | BPFRT_IMM | BPFRT_DW, 1, 0, 0, 1),
	     r.insn_off = (uint32_t)(cnt - 1) * 8, r.kind = BPF_CORE_FIELD_EXISTS), -EINVAL, "LDDW");
	/* An anonymous root type (a pointer) has no name to look up: libbpf refuses it too. */
	TRY("anonymous root type", (r.type_id = anon, r.kind = BPF_CORE_FIELD_EXISTS,
	    r.access_str_off = find_access(o, "0"), insns[at] = BPFRT_MOV64_IMM(1, 1)), -EINVAL,
	    "anonymous");
#undef TRY

	/* A poisoning is reported at debug level, naming type and access. */
	for (int gi = 0; gi < o->ngroups; gi++) {
		struct section *ps = &o->secs[gi];
		struct bpf_core_relo x;
		struct core_ctx *pctx;
		struct bpfrt_insn *pi;

		if (strcmp(o->groups[gi].sec, "bpfrt_core/poison_field") || !o->groups[gi].cnt)
			continue;
		x = group_rec(&o->groups[gi], 0);
		pctx = core_ctx_new(o->btf, targ);
		pi = malloc(ps->cnt * sizeof(*pi));
		memcpy(pi, ps->orig, ps->cnt * sizeof(*pi));
		printed[0] = 0;
		bpfrt_set_print(capture_print);
		err = core_relocate(pctx, pi, ps->cnt, &x, 3, "poison_field", log, sizeof(log));
		bpfrt_set_print(NULL);
		printed[strcspn(printed, "\n")] = 0;
		T_CHECK(err == 0 && is_poison(&pi[x.insn_off / 8]) &&
			strstr(printed, "CO-RE relocation #3 in poison_field at insn ") &&
			strstr(printed, ": struct core_s 0:12: no matching target type, poisoned"),
			"poisoning reported at debug level: %s", printed);
		free(pi);
		core_ctx_free(pctx);
	}

	/* TYPE_ID_LOCAL needs no candidate and no check of the old value. */
	memcpy(insns, s->orig, cnt * sizeof(insns[0]));
	r = good;
	r.kind = BPF_CORE_TYPE_ID_LOCAL;
	r.type_id = local_id(o, "core_missing", BTF_KIND_STRUCT);
	r.access_str_off = find_access(o, "0");
	insns[at] = BPFRT_MOV64_IMM(1, 12345);
	err = core_relocate(ctx, insns, cnt, &r, 0, "fields", log, sizeof(log));
	T_CHECK(err == 0 && insns[at].imm == (int32_t)r.type_id,
		"TYPE_ID_LOCAL of a type the target lacks: %d, imm %d (id %u)", err, insns[at].imm,
		r.type_id);

	core_ctx_free(ctx);
	free(insns);

	/* Ambiguity: core_amb and core_amb___2 place x at different offsets. */
	{
		struct object eo;

		if (compile("clang", "err.bpf.c", err_src, "err.o") ||
		    object_relocate(&eo, "err.o", targ)) {
			t_fail("errors: cannot build the ambiguity object");
		} else {
			struct section *es = object_section(&eo, "bpfrt_core/amb");

			T_CHECK(es && es->err == -EINVAL && strstr(es->log, "ambiguity"),
				"errors: candidates disagreeing on a field offset: %d \"%s\"",
				es ? es->err : 0, es ? es->log : "");
			if (have_libbpf) {
				err = libbpf_load("err.o", tmp_path("target.o"));
				T_CHECK(err < 0 && strstr(lb_log, "ambiguity"),
					"errors: libbpf refuses the same object (%d)", err);
			}
		}
		object_free(&eo);
	}
}

/*
 * Random records against the object's BTF: any type id, any string as the
 * access, any kind, any instruction. Nothing may crash (make asan), every
 * call returns 0 or a negative errno.
 */
static void test_random_records(struct object *o, const struct bpfrt_btf *targ)
{
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	uint32_t ntypes = bpfrt_btf__type_cnt(o->btf), nacc = 0, strs = 0;
	struct bpf_core_relo real[128];
	struct section *s = object_section(o, "bpfrt_core/fields");
	struct bpfrt_insn *insns;
	struct core_ctx *ctx = core_ctx_new(o->btf, targ);
	int ok = 0, rejected = 0, odd = 0, n = 20000;
	char log[512];

	if (!s || !ctx) {
		t_fail("random records: setup");
		core_ctx_free(ctx);
		return;
	}
	for (int g = 0; g < o->ngroups; g++)
		for (uint32_t i = 0; i < o->groups[g].cnt && nacc < ARRAY_SIZE(real); i++)
			if (!strcmp(o->groups[g].sec, s->name))
				real[nacc++] = group_rec(&o->groups[g], i);
	while (bpfrt_btf__str(o->btf, strs))
		strs++;
	insns = malloc(s->cnt * sizeof(*insns));
	for (int i = 0; i < n; i++) {
		struct bpf_core_relo r;
		int err;

#define RND() (x ^= x << 13, x ^= x >> 7, x ^= x << 17, x)
		/* a real record of `fields` with one to four parts replaced */
		memcpy(insns, s->orig, s->cnt * sizeof(*insns));
		r = real[RND() % nacc];
		for (int k = 1 + (int)(RND() % 4); k > 0; k--) {
			switch (RND() % 6) {
			case 0:
				r.insn_off = (uint32_t)(RND() % (s->cnt * 8 + 16));
				if (RND() % 4)
					r.insn_off &= ~7u;
				break;
			case 1: r.type_id = (uint32_t)(RND() % (ntypes + 2)); break;
			case 2: r.access_str_off = real[RND() % nacc].access_str_off; break;
			case 3: r.access_str_off = (uint32_t)(RND() % strs); break;
			case 4: r.kind = (enum bpf_core_relo_kind)(RND() % 14); break;
			default:
				/* scramble an instruction so the patcher meets every class */
				memcpy(&insns[RND() % s->cnt], &(uint64_t){ RND() }, sizeof(insns[0]));
				break;
			}
		}
#undef RND
		err = core_relocate(ctx, insns, s->cnt, &r, i, "random", log, sizeof(log));
		if (err == 0)
			ok++;
		else if (err < 0 && err > -4096 && strstr(log, "CO-RE relocation #"))
			rejected++;
		else
			odd++;
	}
	T_CHECK(odd == 0, "random records: %d relocated, %d rejected with a message, %d other", ok,
		rejected, odd);
	free(insns);
	core_ctx_free(ctx);
}

/* ------------------------------------------------------------------ */
/* bpfrt's own BTF. */

static void test_builtin(void)
{
	const struct bpfrt_btf *b = core_builtin_btf();
	struct object o;

	if (!b) {
		t_skip("built-in BTF: not generated into this build (%s)", strerror(errno));
		return;
	}
	T_CHECK(b == core_builtin_btf(), "built-in BTF: parsed once");
	{
		static const struct {
			const char *name;
			int kind;
			int64_t size;
		} types[] = {
			{ "__sk_buff", BTF_KIND_STRUCT, sizeof(struct __sk_buff) },
			{ "xdp_md", BTF_KIND_STRUCT, sizeof(struct xdp_md) },
			{ "bpf_sock", BTF_KIND_STRUCT, sizeof(struct bpf_sock) },
			{ "bpf_flow_keys", BTF_KIND_STRUCT, sizeof(struct bpf_flow_keys) },
			{ "pt_regs", BTF_KIND_STRUCT, 21 * 8 },
			{ "u8", BTF_KIND_TYPEDEF, 1 }, { "u16", BTF_KIND_TYPEDEF, 2 },
			{ "u32", BTF_KIND_TYPEDEF, 4 }, { "u64", BTF_KIND_TYPEDEF, 8 },
			{ "s8", BTF_KIND_TYPEDEF, 1 }, { "s64", BTF_KIND_TYPEDEF, 8 },
			{ "__u32", BTF_KIND_TYPEDEF, 4 }, { "__s64", BTF_KIND_TYPEDEF, 8 },
			{ "__be16", BTF_KIND_TYPEDEF, 2 },
		};
		int bad = 0;

		for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
			int id = bpfrt_btf__find_by_name_kind(b, types[i].name, types[i].kind);

			if (id <= 0 || bpfrt_btf__resolve_size(b, (uint32_t)id) != types[i].size) {
				t_fail("built-in BTF: %s: id %d size %lld, expected %lld", types[i].name,
				       id, id > 0 ? (long long)bpfrt_btf__resolve_size(b, (uint32_t)id) : -1LL,
				       (long long)types[i].size);
				bad++;
			}
		}
		T_CHECK(bad == 0, "built-in BTF: %zu context types and typedefs with <linux/bpf.h> sizes",
			ARRAY_SIZE(types));
	}
	if (compile("clang", "builtin.bpf.c", builtin_src, "builtin.o") ||
	    object_relocate(&o, "builtin.o", b)) {
		t_fail("built-in BTF: cannot build the test program");
		return;
	}
	if (all_relocated("built-in BTF", &o)) {
		const struct section *s = &o.secs[0];
		static const int64_t regs[] = { 14 * 8, 13 * 8, 16 * 8, 19 * 8 }; /* di si ip sp */
		const int64_t exp[] = {
			offsetof(struct __sk_buff, mark), offsetof(struct __sk_buff, priority),
			offsetof(struct __sk_buff, data), offsetof(struct __sk_buff, data_end),
			offsetof(struct xdp_md, data_end), offsetof(struct xdp_md, ingress_ifindex),
			offsetof(struct bpf_sock, mark), offsetof(struct bpf_sock, state),
			offsetof(struct bpf_sock, rx_queue_mapping), regs[0], regs[1], regs[2], regs[3],
		};
		int got = 0, bad = 0, sized = 0;

		/* The loads, in program order (one per out[] slot), then the type size. */
		for (size_t k = 0; k < s->cnt; k++) {
			const struct bpfrt_insn *in = &s->insns[k];

			if (BPFRT_CLASS(in->code) != BPFRT_LDX || in->src_reg == 1 || in->off < 0)
				continue;
			if (got < (int)ARRAY_SIZE(exp) && in->off != exp[got]) {
				t_fail("built-in BTF: load #%d at insn %zu: off %d, expected %lld", got, k,
				       in->off, (long long)exp[got]);
				bad++;
			}
			got++;
		}
		for (size_t k = 0; k < s->cnt; k++)
			sized += s->insns[k].code == (BPFRT_ALU64 | BPFRT_MOV | BPFRT_K) &&
				 s->insns[k].imm == (int32_t)sizeof(struct __sk_buff);
		T_CHECK(bad == 0 && got == (int)ARRAY_SIZE(exp) && sized == 1,
			"built-in BTF: __sk_buff, xdp_md, bpf_sock and pt_regs fields relocate to "
			"the kernel's offsets (%d loads, type size %s)", got, sized ? "ok" : "wrong");
	}
	object_free(&o);
}

/* ------------------------------------------------------------------ */
/* vmlinux: against libbpf, and the cost of resolving every member of every struct. */

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void test_vmlinux_program(bool have_libbpf)
{
	const char *path = "/sys/kernel/btf/vmlinux";
	struct bpfrt_btf *vml;
	struct object o;
	char log[256];
	double t0, t1;

	if (access(path, R_OK) != 0) {
		t_skip("vmlinux: %s not readable", path);
		return;
	}
	t0 = now_ms();
	vml = bpfrt_btf__load_file(path, log, sizeof(log));
	t1 = now_ms();
	if (!vml) {
		t_fail("vmlinux: bpfrt cannot parse %s: %s", path, log);
		return;
	}
	if (compile("clang", "vmlinux.bpf.c", vmlinux_src, "vmlinux.o")) {
		t_fail("vmlinux: cannot build the test program");
		bpfrt_btf__free(vml);
		return;
	}
	{
		double r0 = now_ms(), r1;
		int ok = object_relocate(&o, "vmlinux.o", vml);

		r1 = now_ms();
		if (ok == 0 && all_relocated("vmlinux", &o)) {
			t_pass("vmlinux: %d relocations against %u types resolved", o.relo_cnt,
			       bpfrt_btf__type_cnt(vml));
			printf("info: vmlinux: parse %.1f ms; %d relocations incl. name index %.2f ms\n",
			       t1 - t0, o.relo_cnt, r1 - r0);
		} else if (ok) {
			t_fail("vmlinux: cannot open the relocated object");
		}
	}
	if (have_libbpf) {
		int err = libbpf_load("vmlinux.o", path);

		if (err)
			t_fail("vmlinux: libbpf load failed: %d\n%s", err, lb_log);
		else
			compare_with_libbpf("vmlinux", &o);
	}
	object_free(&o);
	bpfrt_btf__free(vml);
}

/*
 * Resolve FIELD_BYTE_OFFSET for every named member of every named struct
 * and union of vmlinux against vmlinux itself: each must come back unchanged
 * (or fail because vmlinux has several incompatible types of that name).
 * The access strings "0:N" are appended to a copy of the raw BTF.
 */
static void test_vmlinux_self(void)
{
	const char *path = "/sys/kernel/btf/vmlinux";
	unsigned char *raw, *big;
	size_t size, extra = 0;
	struct btf_header *h;
	struct bpfrt_btf *local, *targ;
	uint32_t acc_off[1024];
	unsigned int max_vlen = 0;
	char log[256];
	int ok = 0, changed = 0, errs = 0, poisoned = 0, total = 0;
	double t0, t1;
	struct core_ctx *ctx;

	raw = read_file(path, &size);
	if (!raw) {
		t_skip("vmlinux self-relocation: %s not readable", path);
		return;
	}
	targ = bpfrt_btf__parse(raw, size, log, sizeof(log));
	if (!targ) {
		t_fail("vmlinux self-relocation: %s", log);
		free(raw);
		return;
	}
	for (uint32_t id = 1; id < bpfrt_btf__type_cnt(targ); id++) {
		const struct btf_type *t = bpfrt_btf__type_by_id(targ, id);

		if ((BTF_INFO_KIND(t->info) == BTF_KIND_STRUCT || BTF_INFO_KIND(t->info) == BTF_KIND_UNION) &&
		    BTF_INFO_VLEN(t->info) > max_vlen)
			max_vlen = BTF_INFO_VLEN(t->info);
	}
	if (max_vlen > ARRAY_SIZE(acc_off))
		max_vlen = ARRAY_SIZE(acc_off);
	big = malloc(size + (size_t)max_vlen * 8);
	memcpy(big, raw, size);
	h = (struct btf_header *)big;
	if (h->hdr_len + h->str_off + h->str_len != size) {
		t_skip("vmlinux self-relocation: string section is not last");
		goto out;
	}
	for (unsigned int i = 0; i < max_vlen; i++) {
		acc_off[i] = h->str_len + (uint32_t)extra;
		extra += (size_t)sprintf((char *)big + size + extra, "0:%u", i) + 1;
	}
	h->str_len += (uint32_t)extra;
	local = bpfrt_btf__parse(big, size + extra, log, sizeof(log));
	if (!local) {
		t_fail("vmlinux self-relocation: extended BTF rejected: %s", log);
		goto out;
	}

	t0 = now_ms();
	ctx = core_ctx_new(local, targ);
	for (uint32_t id = 1; id < bpfrt_btf__type_cnt(local); id++) {
		const struct btf_type *t = bpfrt_btf__type_by_id(local, id);
		const struct btf_member *m = (const struct btf_member *)(t + 1);
		unsigned int kind = BTF_INFO_KIND(t->info);

		if ((kind != BTF_KIND_STRUCT && kind != BTF_KIND_UNION) || !t->name_off)
			continue;
		for (unsigned int i = 0; i < BTF_INFO_VLEN(t->info) && i < max_vlen; i++) {
			uint32_t bit = BTF_INFO_KFLAG(t->info) ? BTF_MEMBER_BIT_OFFSET(m[i].offset) : m[i].offset;
			uint32_t bits = BTF_INFO_KFLAG(t->info) ? BTF_MEMBER_BITFIELD_SIZE(m[i].offset) : 0;
			uint32_t want = bit / 8;
			struct bpfrt_insn insn;

			/* An anonymous member is no field of its own (clang never names one). */
			if (!m[i].name_off)
				continue;
			if (bits) {
				/* a bitfield: the offset of the load that covers it */
				int64_t sz = bpfrt_btf__resolve_size(targ, m[i].type);

				while (sz > 0 && sz < 8 && (int64_t)(bit + bits) - bit / 8 / sz * sz * 8 > sz * 8)
					sz *= 2;
				want = sz > 0 ? (uint32_t)(bit / 8 / sz * sz) : 0;
			}
			insn = BPFRT_MOV64_IMM(0, (int32_t)want);
			struct bpf_core_relo r = { 0, id, acc_off[i], BPF_CORE_FIELD_BYTE_OFFSET };
			char rlog[256];
			int err = core_relocate(ctx, &insn, 1, &r, total, "self", rlog, sizeof(rlog));

			total++;
			if (err)
				errs++;
			else if (is_poison(&insn))
				poisoned++;
			else if (insn.imm == (int32_t)want)
				ok++;
			else if (changed++ < 5 && verbose)
				printf("  changed: [%u] %s member %u: %d -> %d\n", id,
				       type_name(local, id), i, want, insn.imm);
		}
	}
	core_ctx_free(ctx);
	t1 = now_ms();
	T_CHECK(changed == 0 && poisoned == 0 && ok > total * 9 / 10,
		"vmlinux self-relocation: %d of %d members unchanged, %d ambiguous names, %d changed, "
		"%d poisoned", ok, total, errs, changed, poisoned);
	printf("info: vmlinux self-relocation: %d relocations in %.1f ms (%.2f us each, name index "
	       "included)\n", total, t1 - t0, (t1 - t0) * 1e3 / (total ? total : 1));
	bpfrt_btf__free(local);
out:
	bpfrt_btf__free(targ);
	free(big);
	free(raw);
}

/* ------------------------------------------------------------------ */

static void cleanup(void)
{
	char cmd[128];

	if (tmpdir[0] && !getenv("CORE_TEST_KEEP")) {
		snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
		if (system(cmd) != 0)
			fprintf(stderr, "cannot remove %s\n", tmpdir);
	}
}

static const struct {
	const char *cc, *flags, *label, *obj;
} variants[] = {
	{ "clang", "", "main", "main0.o" },
	{ "clang-19", "-mcpu=v3", "main (clang-19 v3)", "main1.o" },
	{ "clang-19", "-mcpu=v4", "main (clang-19 v4)", "main2.o" },
};

/*
 * Relocate tmpdir/obj against another target and compare with libbpf:
 * the same instructions, or both refusing the object.
 */
static void cross_check(const char *label, const char *obj, const char *targ_path,
			const struct bpfrt_btf *targ, bool have_libbpf)
{
	struct object o;
	int failed = 0, err;

	if (access(tmp_path(obj), R_OK) != 0) {
		t_skip("%s: %s was not built", label, obj);
		return;
	}
	if (object_relocate(&o, obj, targ)) {
		t_fail("%s: cannot open %s", label, obj);
		object_free(&o);
		return;
	}
	for (int i = 0; i < o.nsecs; i++)
		failed += o.secs[i].err != 0;
	if (!have_libbpf) {
		T_CHECK(failed == 0, "%s: %d relocations resolved", label, o.relo_cnt);
	} else {
		err = libbpf_load(obj, targ_path);
		if (failed)
			T_CHECK(err < 0, "%s: bpfrt and libbpf both refuse the object (libbpf %d)",
				label, err);
		else if (err)
			t_fail("%s: libbpf load failed: %d\n%s", label, err, lb_log);
		else
			compare_with_libbpf(label, &o);
	}
	object_free(&o);
}

int main(void)
{
	struct bpfrt_btf *targ = NULL;
	struct elf_file tf = { 0 };
	struct object o, n;
	const char *no_libbpf;
	bool have_new = have_cmd("clang-19");

	verbose = getenv("CORE_TEST_VERBOSE") != NULL;
	bpfrt_set_print(NULL);
	if (!have_cmd("clang")) {
		t_skip("CO-RE: clang not found");
		return t_exit();
	}
	if (access("/usr/include/bpf/bpf_core_read.h", R_OK) != 0) {
		t_skip("CO-RE: libbpf headers (<bpf/bpf_core_read.h>) not found");
		return t_exit();
	}
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/bpfrt-core-XXXXXX");
	if (!mkdtemp(tmpdir)) {
		t_fail("mkdtemp: %s", strerror(errno));
		return t_exit();
	}
	atexit(cleanup);
	host_init();
	vm = bpfrt_vm__new();
	bpfrt_vm__register_helper(vm, 113, "probe_read_kernel", h_probe_read);
	bpfrt_vm__register_helper(vm, POISON_STANDIN, "core_poison", h_poison);

	no_libbpf = libbpf_setup();
	if (no_libbpf)
		t_skip("CO-RE vs libbpf: %s", no_libbpf);

	/* clang 14 writes 64-bit enumerators truncated into a 32-bit BTF enum: prefer clang-19. */
	if (compile(have_new ? "clang-19" : "clang", "target.c", target_src, "target.o") || elf_open(&tf, tmp_path("target.o")) ||
	    !(targ = elf_btf(&tf))) {
		t_fail("CO-RE: cannot build the target BTF");
		return t_exit();
	}

	/*
	 * The main object from clang's default (14 on Debian 12), and from
	 * clang-19 at -mcpu=v3 and v4 (32-bit jumps, sign-extending loads):
	 * different code, the same relocations.
	 */
	for (size_t v = 0; v < ARRAY_SIZE(variants); v++) {
		const char *label = variants[v].label;

		if (v > 0 && !have_new) {
			t_skip("%s: clang-19 not found", label);
			continue;
		}
		if (compile_flags(variants[v].cc, variants[v].flags, "main.bpf.c", main_src,
				  variants[v].obj) || object_relocate(&o, variants[v].obj, targ)) {
			t_fail("%s: cannot build or open the main object", label);
			object_free(&o);
			continue;
		}
		build_expectations(o.btf, targ);
		if (all_relocated(label, &o)) {
			check_expectations(label, &o);
			run_main_object(label, &o, targ);
			if (!no_libbpf) {
				int err = libbpf_load(variants[v].obj, tmp_path("target.o"));

				if (err)
					t_fail("%s: libbpf load failed: %d\n%s", label, err, lb_log);
				else
					compare_with_libbpf(label, &o);
			}
		}
		if (v == 0) {
			test_errors(&o, targ, !no_libbpf);
			test_random_records(&o, targ);
		}
		object_free(&o);
	}

	/* enum64 and TYPE_MATCHES need clang >= 15. */
	if (!have_new) {
		t_skip("CO-RE enum64 / type_matches: clang-19 not found");
	} else if (compile("clang-19", "new.bpf.c", new_src, "new.o") ||
		   object_relocate(&n, "new.o", targ)) {
		t_fail("CO-RE: cannot build or open the clang-19 object");
	} else {
		build_expectations(n.btf, targ);
		if (all_relocated("clang-19", &n)) {
			check_expectations("clang-19", &n);
			run_new_object(&n);
			if (!no_libbpf) {
				int err = libbpf_load("new.o", tmp_path("target.o"));

				if (err)
					t_fail("clang-19: libbpf load failed: %d\n%s", err, lb_log);
				else
					compare_with_libbpf("clang-19", &n);
			}
		}
		object_free(&n);
	}

	test_builtin();
	test_vmlinux_program(!no_libbpf);

	/* Every object against the other targets: mostly "nothing matches" paths. */
	if (access("/sys/kernel/btf/vmlinux", R_OK) == 0) {
		char log[256];
		struct bpfrt_btf *vml = bpfrt_btf__load_file("/sys/kernel/btf/vmlinux", log, sizeof(log));
		const char *vp = "/sys/kernel/btf/vmlinux";

		if (vml) {
			cross_check("main vs vmlinux", "main0.o", vp, vml, !no_libbpf);
			cross_check("clang-19 vs vmlinux", "new.o", vp, vml, !no_libbpf);
			/* bpfrt's context types relocate as the kernel's own would */
			cross_check("built-in program vs vmlinux", "builtin.o", vp, vml, !no_libbpf);
			bpfrt_btf__free(vml);
		}
		cross_check("vmlinux program vs test target", "vmlinux.o", tmp_path("target.o"), targ,
			    !no_libbpf);
	}
	test_vmlinux_self();

	captured_free();
	if (lb.handler >= 0)
		lb.unregister_handler(lb.handler);
	bpfrt_btf__free(targ);
	free(tf.data);
	bpfrt_vm__free(vm);
	free(hobj);
	return t_exit();
}
