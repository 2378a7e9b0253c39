/* SPDX-License-Identifier: MIT */
/*
 * tests/libbpf_compare.c - bpfrt's object loader against libbpf, on every
 * object of the corpus ($BUILD/progs/NAME.vN.o, built by tests/progs/build.sh).
 *
 * For each object, both loaders open it and must agree on:
 *
 *   object    license, kernel version section, the values of .kconfig
 *             externs (after libbpf's load phase, which fills them);
 *   programs  names, section names, program types, expected attach types,
 *             autoload (SEC("?...")), in order; load flags (sleepable, xdp
 *             frags) against libbpf's section rules, as libbpf does not
 *             report them;
 *   maps      names, types, key/value sizes, max_entries, flags, numa node,
 *             map_extra, pinning, BTF key/value type ids, internal or not,
 *             inner map definitions, initial contents of global-data maps,
 *             and the `values` initialisers of prog arrays and maps of maps,
 *             in order;
 *   insns     per program, the relocated instructions, byte for byte.
 *
 * libbpf 1.x relocates only in bpf_object__load(), which needs the kernel:
 * maps are created first and relocated LDDW carry their fds. The map fds are
 * taken from libbpf's debug log ("map 'X': created successfully, fd=N"), so
 * the comparison works even when the kernel then rejects a program (libbpf
 * relocates every program before it loads the first one, and keeps the
 * instructions): such programs are named in a note. Every program is set to
 * autoload, so SEC("?...") programs are relocated too.
 *
 * What legitimately differs is normalised before comparing:
 *
 *   - map references: libbpf's LDDW has src_reg BPF_PSEUDO_MAP_FD or
 *     BPF_PSEUDO_MAP_VALUE with a kernel map fd in imm; bpfrt's has
 *     BPFRT_PSEUDO_MAP_IDX or BPFRT_PSEUDO_MAP_IDX_VALUE with the map's index.
 *     Both sides are mapped to the map's name (offset in the second slot
 *     compared as is);
 *   - kernel symbols: typed ksym LDDW (BPF_PSEUDO_BTF_ID) and kfunc calls
 *     (BPF_PSEUDO_KFUNC_CALL) carry a type id of the kernel's BTF in libbpf,
 *     of the object's BTF in bpfrt: both are mapped to the symbol's name. A
 *     __weak kfunc the kernel lacks is `call kfunc 0` in libbpf 1.1 and the
 *     newer libbpf's poison `call 2002000000 + n` in bpfrt: accepted as the
 *     same when extern #n is one libbpf left unresolved;
 *   - internal map names: libbpf calls them "<object name, cut to fit>.data";
 *     if bpfrt uses another prefix the names are compared by their section
 *     suffix, and a note says so;
 *   - expected attach type: libbpf reports 0 for "none", bpfrt -1;
 *   - kernel version: libbpf reports the running kernel's when the object
 *     has no "version" section, bpfrt 0;
 *   - the .kconfig externs LINUX_HAS_BPF_COOKIE and LINUX_HAS_SYSCALL_WRAPPER,
 *     which libbpf probes from the kernel and bpfrt sets to 0 by design
 *     (a note shows when they differ).
 *
 * Both loaders resolve CO-RE against the same target, the running kernel's
 * /sys/kernel/btf/vmlinux (no module BTF), and .kconfig externs against the
 * same text, the running kernel's configuration (/boot/config-$(uname -r)
 * or /proc/config.gz, as libbpf reads it).
 *
 * Twins: libbpf 1.x cannot open objects with legacy SEC("maps") definitions.
 * For NAME.vN.o with a NAME_btf.vN.o beside it (the same programs with the
 * maps in .maps), libbpf's side of the comparison is the twin; maps are then
 * matched by name and their BTF ids are not compared.
 *
 * Output: per object "NAME.vN: opens", "...: object", "...: programs",
 * "...: maps", and per program "NAME.vN: PROG: instructions". A mismatch
 * names the first differing instruction and disassembles both. SKIP lines
 * when the corpus, libbpf or bpf() is missing (then only the open phase is
 * compared). A self-test checks once that a changed instruction and a
 * changed map reference are caught, so the comparison cannot pass vacuously.
 *
 * Environment: BUILD (default build), COMPARE_ONLY=substring to restrict the
 * objects, COMPARE_VERBOSE=1 to echo libbpf's warnings.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "bpfrt/bpfrt.h"
#include "bpfrt/object.h"
#include "harness.h"

#if defined(__has_include)
#if __has_include(<bpf/libbpf.h>)
#define HAVE_LIBBPF 1
#endif
#endif

#ifndef HAVE_LIBBPF
int main(void)
{
	t_skip("libbpf_compare: libbpf headers not installed (package libbpf-dev)");
	return t_exit();
}
#else

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#define VMLINUX_BTF  "/sys/kernel/btf/vmlinux"
#define MAX_OBJECTS  512
#define MAX_MAPS     128
#define MAX_PROGS    128
#define MAX_SLOTS    256
#define MSG_MAX      2048
#define LDDW         (BPFRT_LD | BPFRT_DW | BPFRT_IMM)

/* ---- a growing text buffer --------------------------------------------- */

struct strbuf {
	char *s;
	size_t len, cap;
};

__attribute__((format(printf, 2, 3))) static void sb_printf(struct strbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		size_t room = b->cap - b->len;

		va_start(ap, fmt);
		n = vsnprintf(b->s ? b->s + b->len : NULL, room, fmt, ap);
		va_end(ap);
		if (n < 0)
			return;
		if ((size_t)n < room) {
			b->len += (size_t)n;
			return;
		}
		b->cap = (b->cap + (size_t)n + 1) * 2;
		b->s = realloc(b->s, b->cap);
		if (!b->s) {
			perror("realloc");
			exit(2);
		}
	}
}

/* ---- libbpf's log, captured line by line -------------------------------- */

struct log_line {
	enum libbpf_print_level level;
	char *text;
};

static struct log_line *lg;
static size_t lg_cnt, lg_cap;

static int capture(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char buf[4096];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	if (lg_cnt == lg_cap) {
		lg_cap = lg_cap ? lg_cap * 2 : 256;
		lg = realloc(lg, lg_cap * sizeof(*lg));
		if (!lg) {
			perror("realloc");
			exit(2);
		}
	}
	buf[strcspn(buf, "\n")] = '\0';
	lg[lg_cnt].level = level;
	lg[lg_cnt].text = strdup(buf);
	lg_cnt++;
	return 0;
}

static void log_clear(void)
{
	for (size_t i = 0; i < lg_cnt; i++)
		free(lg[i].text);
	lg_cnt = 0;
}

/* The last warning-level line, for "why did it fail". */
static const char *log_last_warning(void)
{
	for (size_t i = lg_cnt; i-- > 0;)
		if (lg[i].level == LIBBPF_WARN)
			return lg[i].text;
	return "(no message)";
}

/* ---- what libbpf told us about one object -------------------------------- */

struct slot {
	char map[64];
	int idx;
	char target[64];
	bool is_prog;
};

struct ref {
	struct bpf_object *obj;
	char license[128];
	bool have_license;
	unsigned int kversion;   /* at open: libbpf's load phase overwrites it */
	/* filled by the load phase */
	bool loaded;     /* bpf_object__load() succeeded */
	bool relocated;  /* the instructions are relocated (even if load failed) */
	char why[MSG_MAX];
	struct {
		char name[64];
		int fd;
	} fds[MAX_MAPS];
	int fd_cnt;
	char rejected[MAX_PROGS][64];
	int rejected_cnt;
	char reject_msg[256];   /* the kernel's answer to the first rejection */
	struct slot slots[MAX_SLOTS];
	int slot_cnt;
	/* libbpf's externs by number; which weak ones the load left unresolved */
	char ext_name[64][64];
	bool ext_unresolved[64];
	/* .kconfig externs libbpf computes from kernel features: offset, name */
	struct {
		int off;
		char name[64];
	} feature_kcfg[8];
	int feature_kcfg_cnt;
};

/*
 * libbpf sets these from probes of the running kernel; bpfrt, which
 * attaches to no kernel, sets them to 0 by design (src/loader/kconfig.c).
 * Both are one byte (bool or char), the only sizes libbpf accepts.
 */
static bool is_kernel_feature_extern(const char *name)
{
	return strcmp(name, "LINUX_HAS_BPF_COOKIE") == 0 ||
	       strcmp(name, "LINUX_HAS_SYSCALL_WRAPPER") == 0;
}

/* Open-phase lines: license and `values` initialisers. */
static void ref_scan_open_log(struct ref *r)
{
	for (size_t i = 0; i < lg_cnt; i++) {
		const char *t = lg[i].text, *p;
		struct slot s = { 0 };
		char kind[8];

		char ename[64];
		int sym, off, num;

		if (sscanf(t, "libbpf: extern (ksym) #%d: symbol %d, name %63s", &num, &sym, ename) == 3 &&
		    num >= 0 && num < 64)
			snprintf(r->ext_name[num], sizeof(r->ext_name[0]), "%s", ename);
		if (sscanf(t, "libbpf: extern (kcfg) #%d: symbol %d, off %d, name %63s", &num, &sym,
			   &off, ename) == 4) {
			if (num >= 0 && num < 64)
				snprintf(r->ext_name[num], sizeof(r->ext_name[0]), "%s", ename);
			if (is_kernel_feature_extern(ename) && r->feature_kcfg_cnt < 8) {
				r->feature_kcfg[r->feature_kcfg_cnt].off = off;
				snprintf(r->feature_kcfg[r->feature_kcfg_cnt].name,
					 sizeof(r->feature_kcfg[0].name), "%s", ename);
				r->feature_kcfg_cnt++;
			}
		} else if ((p = strstr(t, "libbpf: license of ")) && (p = strstr(p, " is "))) {
			snprintf(r->license, sizeof(r->license), "%s", p + 4);
			r->have_license = true;
		} else if ((p = strstr(t, ": map '")) && strstr(t, " points to ") &&
			   sscanf(p, ": map '%63[^']' slot [%d] points to %7s '%63[^']'", s.map,
				  &s.idx, kind, s.target) == 4 && r->slot_cnt < MAX_SLOTS) {
			s.is_prog = strcmp(kind, "prog") == 0;
			r->slots[r->slot_cnt++] = s;
		}
	}
}

/* Load-phase lines: map fds and programs the kernel rejected. */
static void ref_scan_load_log(struct ref *r)
{
	for (size_t i = 0; i < lg_cnt; i++) {
		const char *t = lg[i].text;
		char name[64];
		int fd, err;

		if (sscanf(t, "libbpf: extern '%63[^']' (weak): not resolved", name) == 1) {
			for (int k = 0; k < 64; k++)
				if (strcmp(r->ext_name[k], name) == 0)
					r->ext_unresolved[k] = true;
			continue;
		}
		if (sscanf(t, "libbpf: map '%63[^']': created successfully, fd=%d", name, &fd) == 2 &&
		    r->fd_cnt < MAX_MAPS) {
			snprintf(r->fds[r->fd_cnt].name, sizeof(r->fds[0].name), "%s", name);
			r->fds[r->fd_cnt++].fd = fd;
		} else if (!r->reject_msg[0] && strstr(t, "BPF program load failed: ")) {
			snprintf(r->reject_msg, sizeof(r->reject_msg), "%s",
				 strstr(t, "BPF program load failed: ") + 25);
		} else if (strstr(t, "': failed to load: ") &&
			   sscanf(t, "libbpf: prog '%63[^']': failed to load: %d", name, &err) == 2 &&
			   r->rejected_cnt < MAX_PROGS) {
			snprintf(r->rejected[r->rejected_cnt++], sizeof(r->rejected[0]), "%s", name);
		}
	}
}

static const char *ref_map_by_fd(const struct ref *r, int fd)
{
	for (int i = 0; i < r->fd_cnt; i++)
		if (r->fds[i].fd == fd)
			return r->fds[i].name;
	return NULL;
}

/* ---- naming rules ------------------------------------------------------ */

/*
 * Same map? Equal names, or both internal and bpfrt's name ends with the
 * section part of libbpf's ("xdp_pars.rodata" -> ".rodata"; custom sections
 * like ".data.custom" have no prefix at all).
 */
static bool same_map_name(const char *bpfrt_name, bool bpfrt_internal, const char *libbpf_name,
			  bool libbpf_internal, bool *by_suffix)
{
	const char *suffix;
	size_t bl, sl;

	if (strcmp(bpfrt_name, libbpf_name) == 0)
		return true;
	if (!bpfrt_internal || !libbpf_internal)
		return false;
	suffix = strchr(libbpf_name, '.');
	if (!suffix)
		return false;
	bl = strlen(bpfrt_name);
	sl = strlen(suffix);
	if (bl < sl || strcmp(bpfrt_name + bl - sl, suffix) != 0)
		return false;
	if (by_suffix)
		*by_suffix = true;
	return true;
}

static bool is_kconfig_map(const char *name)
{
	size_t n = strlen(name);

	return n >= 8 && strcmp(name + n - 8, ".kconfig") == 0;
}

/* ---- the kernel configuration, as libbpf would read it ----------------- */

static char *read_kconfig(void)
{
	struct strbuf b = { 0 };
	struct utsname u;
	char path[512], line[4096];
	FILE *f = NULL;
	bool piped = false;

	if (uname(&u) == 0) {
		snprintf(path, sizeof(path), "/boot/config-%s", u.release);
		f = fopen(path, "r");
	}
	if (!f && access("/proc/config.gz", R_OK) == 0) {
		f = popen("gzip -dc /proc/config.gz 2>/dev/null", "r");
		piped = f != NULL;
	}
	if (!f)
		return NULL;
	while (fgets(line, sizeof(line), f))
		sb_printf(&b, "%s", line);
	if (piped)
		pclose(f);
	else
		fclose(f);
	return b.s;
}

/* ---- the kernel -------------------------------------------------------- */

/* Can we create maps and load programs? Returns 0 or -errno. */
static int probe_bpf(void)
{
	int fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, NULL, 4, 4, 1, NULL);

	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

/* ---- the corpus -------------------------------------------------------- */

struct objfile {
	char base[128];  /* "xdp_parse" */
	int level;       /* 1..4 */
	char path[512];
	char twin[512];  /* NAME_btf.vN.o beside it, or "" */
};

static int cmp_objfile(const void *a, const void *b)
{
	const struct objfile *x = a, *y = b;
	int c = strcmp(x->base, y->base);

	return c ? c : x->level - y->level;
}

static int list_corpus(const char *dir, struct objfile *out, int max)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	int n = 0;

	if (!d)
		return -errno;
	while ((de = readdir(d)) && n < max) {
		const char *nm = de->d_name;
		size_t len = strlen(nm);
		struct objfile *o = &out[n];
		const char *v;

		/* NAME.vN.o */
		if (len < 6 || strcmp(nm + len - 2, ".o") != 0)
			continue;
		v = nm + len - 5;
		if (v[0] != '.' || v[1] != 'v' || v[2] < '1' || v[2] > '9')
			continue;
		if ((size_t)(v - nm) >= sizeof(o->base))
			continue;
		memcpy(o->base, nm, (size_t)(v - nm));
		o->base[v - nm] = '\0';
		o->level = v[2] - '0';
		if (snprintf(o->path, sizeof(o->path), "%s/%s", dir, nm) >= (int)sizeof(o->path))
			continue;
		o->twin[0] = '\0';
		n++;
	}
	closedir(d);
	qsort(out, (size_t)n, sizeof(*out), cmp_objfile);
	for (int i = 0; i < n; i++) {
		struct stat st;
		char twin[512];

		if (snprintf(twin, sizeof(twin), "%s/%s_btf.v%d.o", dir, out[i].base,
			     out[i].level) >= (int)sizeof(twin))
			continue;
		if (stat(twin, &st) == 0)
			snprintf(out[i].twin, sizeof(out[i].twin), "%s", twin);
	}
	return n;
}

/* ---- comparisons ------------------------------------------------------- */

struct ctx {
	const char *tag;             /* "xdp_parse.v1" */
	struct bpfrt_object *bo;
	struct ref *r;
	bool twin;
	bool noted_naming;
	/* bpfrt map index -> libbpf map, by name */
	struct bpf_map *lmap_of[MAX_MAPS];
};

static struct bpf_map *libbpf_map_by_name_equiv(struct ctx *c, const struct bpfrt_map *bm)
{
	struct bpf_map *m;

	bpf_object__for_each_map(m, c->r->obj) {
		bool by_suffix = false;

		if (same_map_name(bpfrt_map__name(bm), bpfrt_map__is_internal(bm), bpf_map__name(m),
				  bpf_map__is_internal(m), &by_suffix))
			return m;
	}
	return NULL;
}

/* KERNEL_VERSION() of the running kernel, as libbpf computes it. */
static unsigned int running_kversion(void)
{
	unsigned int major = 0, minor = 0, patch = 0;
	struct utsname u;

	if (uname(&u) || sscanf(u.release, "%u.%u.%u", &major, &minor, &patch) < 2)
		return 0;
	return (major << 16) + (minor << 8) + (patch > 255 ? 255 : patch);
}

static void compare_object(struct ctx *c, bool after_load)
{
	struct strbuf why = { 0 };
	const char *lic = bpfrt_object__license(c->bo);
	struct bpf_map *m;

	if (!c->r->have_license)
		sb_printf(&why, " libbpf logged no license line;");
	else if (strcmp(lic ? lic : "", c->r->license) != 0)
		sb_printf(&why, " license: bpfrt \"%s\", libbpf \"%s\";", lic ? lic : "(null)",
			  c->r->license);
	/* libbpf: the "version" section, else the running kernel's; bpfrt: 0 then. */
	if (bpfrt_object__kversion(c->bo) != c->r->kversion &&
	    !(bpfrt_object__kversion(c->bo) == 0 && c->r->kversion == running_kversion()))
		sb_printf(&why, " kversion: bpfrt %#x, libbpf %#x;", bpfrt_object__kversion(c->bo),
			  c->r->kversion);
	/* .kconfig values exist only once libbpf's load phase resolved the externs. */
	bpf_object__for_each_map(m, c->r->obj) {
		const struct bpfrt_map *bm;
		const void *lv, *bv;
		size_t lsz = 0, bsz = 0;

		if (!bpf_map__is_internal(m) || !is_kconfig_map(bpf_map__name(m)))
			continue;
		if (!after_load)
			break;
		bm = NULL;
		for (const struct bpfrt_map *x = bpfrt_object__next_map(c->bo, NULL); x;
		     x = bpfrt_object__next_map(c->bo, x))
			if (bpfrt_map__is_internal(x) && is_kconfig_map(bpfrt_map__name(x)))
				bm = x;
		if (!bm) {
			sb_printf(&why, " bpfrt has no .kconfig map;");
			break;
		}
		lv = bpf_map__initial_value(m, &lsz);
		bv = bpfrt_map__initial_value(bm, &bsz);
		if (!lv || !bv || lsz != bsz) {
			sb_printf(&why, " .kconfig size: bpfrt %zu bytes, libbpf %zu;", bv ? bsz : 0,
				  lv ? lsz : 0);
			break;
		}
		for (size_t i = 0; i < lsz; i++) {
			uint8_t b = ((const uint8_t *)bv)[i], l = ((const uint8_t *)lv)[i];
			const char *feature = NULL;

			for (int k = 0; k < c->r->feature_kcfg_cnt; k++)
				if (c->r->feature_kcfg[k].off == (int)i)
					feature = c->r->feature_kcfg[k].name;
			if (b == l)
				continue;
			if (feature) {
				printf("note: %s: %s: bpfrt %u (it attaches to no kernel), libbpf %u (probed from this kernel): not compared\n",
				       c->tag, feature, b, l);
				continue;
			}
			sb_printf(&why, " .kconfig contents differ, first at byte %zu (bpfrt %#x, libbpf %#x);",
				  i, b, l);
			break;
		}
	}
	if (why.len)
		t_fail("%s: object:%s", c->tag, why.s);
	else
		t_pass("%s: object (license, kversion%s)", c->tag,
		       after_load ? ", .kconfig values" : "");
	free(why.s);
}

/*
 * The load flags libbpf 1.x derives from a section name. It passes them to
 * the kernel without recording them (bpf_program__flags() reports only what
 * the user set), so bpfrt is checked against libbpf's rules instead:
 * BPF_F_SLEEPABLE for "syscall" and for prefixes ending in ".s" (fentry.s/,
 * lsm.s/, iter.s/, uprobe.s/...), BPF_F_XDP_HAS_FRAGS for "xdp.frags".
 */
static uint32_t section_flags(const char *sec)
{
	size_t plen = strcspn(sec, "/");
	uint32_t flags = 0;

	if (*sec == '?')
		sec++, plen--;
	if (strcmp(sec, "syscall") == 0 || (plen > 2 && strncmp(sec + plen - 2, ".s", 2) == 0))
		flags |= BPF_F_SLEEPABLE;
	if (plen == 9 && strncmp(sec, "xdp.frags", 9) == 0)
		flags |= BPF_F_XDP_HAS_FRAGS;
	return flags;
}

static void compare_programs(struct ctx *c)
{
	struct strbuf why = { 0 };
	const struct bpfrt_program *bp = bpfrt_object__next_program(c->bo, NULL);
	struct bpf_program *lp = bpf_object__next_program(c->r->obj, NULL);
	int n = 0;

	for (; bp || lp; n++) {
		if (!bp || !lp) {
			sb_printf(&why, " #%d: bpfrt %s, libbpf %s;", n,
				  bp ? bpfrt_program__name(bp) : "(end)",
				  lp ? bpf_program__name(lp) : "(end)");
			break;
		}
		const char *name = bpf_program__name(lp);
		int beat = bpfrt_program__expected_attach_type(bp);
		int leat = (int)bpf_program__expected_attach_type(lp);

		if (strcmp(bpfrt_program__name(bp), name) != 0)
			sb_printf(&why, " #%d: name bpfrt %s, libbpf %s;", n, bpfrt_program__name(bp),
				  name);
		if (strcmp(bpfrt_program__section_name(bp), bpf_program__section_name(lp)) != 0)
			sb_printf(&why, " %s: section bpfrt \"%s\", libbpf \"%s\";", name,
				  bpfrt_program__section_name(bp), bpf_program__section_name(lp));
		if ((int)bpfrt_program__type(bp) != (int)bpf_program__type(lp))
			sb_printf(&why, " %s: type bpfrt %d (%s), libbpf %d;", name,
				  (int)bpfrt_program__type(bp),
				  bpfrt_prog_type_name(bpfrt_program__type(bp)) ?: "?",
				  (int)bpf_program__type(lp));
		/* libbpf: 0 for none (also BPF_CGROUP_INET_INGRESS); bpfrt: -1 for none. */
		if (beat != leat && !(beat == -1 && leat == 0))
			sb_printf(&why, " %s: expected attach type bpfrt %d, libbpf %d;", name, beat,
				  leat);
		if (bpfrt_program__flags(bp) != section_flags(bpf_program__section_name(lp)))
			sb_printf(&why, " %s: flags bpfrt %#x, libbpf's section rules %#x;", name,
				  bpfrt_program__flags(bp), section_flags(bpf_program__section_name(lp)));
		if (bpfrt_program__autoload(bp) != bpf_program__autoload(lp))
			sb_printf(&why, " %s: autoload bpfrt %d, libbpf %d;", name,
				  bpfrt_program__autoload(bp), bpf_program__autoload(lp));
		bp = bpfrt_object__next_program(c->bo, bp);
		lp = bpf_object__next_program(c->r->obj, lp);
	}
	if (why.len)
		t_fail("%s: programs:%s", c->tag, why.s);
	else
		t_pass("%s: programs (%d: names, sections, types, attach types, autoload, flags)",
		       c->tag, n);
	free(why.s);
}

static void compare_one_map(struct ctx *c, const struct bpfrt_map *bm, struct bpf_map *lm,
			    struct strbuf *why)
{
	const char *name = bpf_map__name(lm);
	const struct bpfrt_map *bi;
	struct bpf_map *li;

#define CMP_FIELD(what, bv, lv)                                                          \
	do {                                                                             \
		unsigned long long b_ = (bv), l_ = (lv);                                 \
		if (b_ != l_)                                                            \
			sb_printf(why, " %s: %s bpfrt %llu, libbpf %llu;", name, what, b_, l_); \
	} while (0)

	CMP_FIELD("type", bpfrt_map__type(bm), bpf_map__type(lm));
	CMP_FIELD("key_size", bpfrt_map__key_size(bm), bpf_map__key_size(lm));
	CMP_FIELD("value_size", bpfrt_map__value_size(bm), bpf_map__value_size(lm));
	CMP_FIELD("max_entries", bpfrt_map__max_entries(bm), bpf_map__max_entries(lm));
	CMP_FIELD("map_flags", bpfrt_map__map_flags(bm), bpf_map__map_flags(lm));
	CMP_FIELD("numa_node", bpfrt_map__numa_node(bm), bpf_map__numa_node(lm));
	CMP_FIELD("map_extra", bpfrt_map__map_extra(bm), bpf_map__map_extra(lm));
	CMP_FIELD("internal", bpfrt_map__is_internal(bm), bpf_map__is_internal(lm));
	/* LIBBPF_PIN_BY_NAME: libbpf gives the map a pin path at open. */
	CMP_FIELD("pinning", bpfrt_map__pinning(bm), bpf_map__pin_path(lm) != NULL);
	if (!c->twin) {
		CMP_FIELD("btf_key_type_id", bpfrt_map__btf_key_type_id(bm),
			  bpf_map__btf_key_type_id(lm));
		CMP_FIELD("btf_value_type_id", bpfrt_map__btf_value_type_id(bm),
			  bpf_map__btf_value_type_id(lm));
	}
	bi = bpfrt_map__inner_map(bm);
	li = bpf_map__inner_map(lm);
	if (!bi != !li) {
		sb_printf(why, " %s: inner map: bpfrt %s, libbpf %s;", name, bi ? "yes" : "none",
			  li ? "yes" : "none");
	} else if (bi) {
		CMP_FIELD("inner type", bpfrt_map__type(bi), bpf_map__type(li));
		CMP_FIELD("inner key_size", bpfrt_map__key_size(bi), bpf_map__key_size(li));
		CMP_FIELD("inner value_size", bpfrt_map__value_size(bi), bpf_map__value_size(li));
		CMP_FIELD("inner max_entries", bpfrt_map__max_entries(bi), bpf_map__max_entries(li));
		CMP_FIELD("inner map_flags", bpfrt_map__map_flags(bi), bpf_map__map_flags(li));
	}
#undef CMP_FIELD

	/* Initial contents of global data (.kconfig is filled at load: see object). */
	if (bpf_map__is_internal(lm) && !is_kconfig_map(name)) {
		size_t lsz = 0, bsz = 0;
		const uint8_t *lv = bpf_map__initial_value(lm, &lsz);
		const uint8_t *bv = bpfrt_map__initial_value(bm, &bsz);

		if (!bv) /* bpfrt: NULL = starts empty (zeroes) */
			bsz = lsz;
		if (lsz != bsz) {
			sb_printf(why, " %s: initial value size bpfrt %zu, libbpf %zu;", name, bsz, lsz);
		} else {
			for (size_t i = 0; i < lsz; i++) {
				uint8_t b = bv ? bv[i] : 0, l = lv ? lv[i] : 0;

				if (b != l) {
					sb_printf(why,
						  " %s: initial value differs at byte %zu (bpfrt %#x, libbpf %#x);",
						  name, i, b, l);
					break;
				}
			}
		}
	}

	/* `values` initialisers: compare slot by slot with libbpf's open log. */
	{
		uint32_t bcnt = bpfrt_map__init_slot_cnt(bm);
		int lmax = -1;

		for (int i = 0; i < c->r->slot_cnt; i++)
			if (strcmp(c->r->slots[i].map, name) == 0 && c->r->slots[i].idx > lmax)
				lmax = c->r->slots[i].idx;
		for (uint32_t s = 0; s < bcnt || (int)s <= lmax; s++) {
			const char *want = NULL, *got = NULL;
			const struct bpfrt_program *sp;
			const struct bpfrt_map *sm;

			for (int i = 0; i < c->r->slot_cnt; i++)
				if (strcmp(c->r->slots[i].map, name) == 0 && c->r->slots[i].idx == (int)s)
					want = c->r->slots[i].target;
			sp = s < bcnt ? bpfrt_map__init_slot_prog(bm, s) : NULL;
			sm = s < bcnt ? bpfrt_map__init_slot_map(bm, s) : NULL;
			got = sp ? bpfrt_program__name(sp) : sm ? bpfrt_map__name(sm) : NULL;
			if ((want == NULL) != (got == NULL) || (want && strcmp(want, got) != 0))
				sb_printf(why, " %s: slot %u: bpfrt %s, libbpf %s;", name, s,
					  got ? got : "(empty)", want ? want : "(empty)");
		}
	}
}

static void compare_maps(struct ctx *c)
{
	struct strbuf why = { 0 };
	const struct bpfrt_map *bm;
	struct bpf_map *lm;
	int bn = 0, ln = 0;
	bool by_suffix = false;

	for (bm = bpfrt_object__next_map(c->bo, NULL); bm; bm = bpfrt_object__next_map(c->bo, bm))
		bn++;
	bpf_object__for_each_map(lm, c->r->obj)
		ln++;
	if (bn != ln)
		sb_printf(&why, " count: bpfrt %d, libbpf %d;", bn, ln);

	if (c->twin) {
		/* The twin's maps come in another order: match by name. */
		for (bm = bpfrt_object__next_map(c->bo, NULL); bm;
		     bm = bpfrt_object__next_map(c->bo, bm)) {
			lm = libbpf_map_by_name_equiv(c, bm);
			if (!lm)
				sb_printf(&why, " %s: not in libbpf's list;", bpfrt_map__name(bm));
			else
				compare_one_map(c, bm, lm, &why);
		}
	} else {
		bm = bpfrt_object__next_map(c->bo, NULL);
		lm = bpf_object__next_map(c->r->obj, NULL);
		for (int i = 0; bm && lm; i++) {
			if (!same_map_name(bpfrt_map__name(bm), bpfrt_map__is_internal(bm),
					   bpf_map__name(lm), bpf_map__is_internal(lm), &by_suffix))
				sb_printf(&why, " #%d: name bpfrt %s, libbpf %s;", i, bpfrt_map__name(bm),
					  bpf_map__name(lm));
			else
				compare_one_map(c, bm, lm, &why);
			bm = bpfrt_object__next_map(c->bo, bm);
			lm = bpf_object__next_map(c->r->obj, lm);
		}
	}
	if (by_suffix && !c->noted_naming) {
		printf("note: %s: bpfrt names internal maps differently from libbpf (compared by section suffix)\n",
		       c->tag);
		c->noted_naming = true;
	}
	if (why.len)
		t_fail("%s: maps:%s", c->tag, why.s);
	else
		t_pass("%s: maps (%d)", c->tag, bn);
	free(why.s);
}

/*
 * A reference to something outside the program, reduced to what both sides
 * share: the map (LDDW of a map or into its value) or the kernel symbol
 * (LDDW of a typed ksym, kfunc call) by name.
 */
enum ref_kind { REF_NONE, REF_MAP, REF_MAP_VALUE, REF_KSYM, REF_KFUNC };

struct symref {
	enum ref_kind kind;
	const char *name; /* the map's libbpf name or the symbol's; NULL if unknown */
};

static const char *const ref_kind_name[] = {
	[REF_NONE] = "", [REF_MAP] = "map", [REF_MAP_VALUE] = "map value",
	[REF_KSYM] = "ksym", [REF_KFUNC] = "kfunc",
};

static struct btf *g_vmlinux; /* libbpf's ksym/kfunc ids are in the kernel's BTF */

static const char *bpfrt_btf_name(struct ctx *c, int32_t id)
{
	const struct bpfrt_btf *btf = bpfrt_object__btf(c->bo);
	const struct btf_type *t = btf && id > 0 ? bpfrt_btf__type_by_id(btf, (uint32_t)id) : NULL;

	return t ? bpfrt_btf__str(btf, t->name_off) : NULL;
}

static const char *vmlinux_name(int32_t id)
{
	const struct btf_type *t = g_vmlinux && id > 0 ? btf__type_by_id(g_vmlinux, (__u32)id) : NULL;

	return t ? btf__name_by_offset(g_vmlinux, t->name_off) : NULL;
}

static bool is_kfunc_call(uint8_t code, uint8_t src)
{
	return code == (BPFRT_JMP | BPFRT_CALL) && src == BPFRT_PSEUDO_KFUNC_CALL;
}

/*
 * A __weak kfunc the kernel lacks: libbpf 1.1 leaves `call kfunc 0`; newer
 * libbpf, and bpfrt, a helper call to 2002000000 + the extern's number.
 * Both stand for the same thing; bpfrt's number must name such an extern.
 */
#define POISON_CALL_KFUNC_BASE 2002000000
#define UNRESOLVED_KFUNC       "(unresolved __weak kfunc)"

static struct symref bpfrt_ref(struct ctx *c, const struct bpfrt_insn *in)
{
	struct symref m = { 0 };
	const struct bpfrt_map *bm;
	struct bpf_map *lm;

	if (is_kfunc_call(in->code, in->src_reg)) {
		m.kind = REF_KFUNC;
		m.name = bpfrt_btf_name(c, in->imm);
		return m;
	}
	if (in->code == (BPFRT_JMP | BPFRT_CALL) && in->src_reg == BPFRT_PSEUDO_CALL_HELPER &&
	    in->imm >= POISON_CALL_KFUNC_BASE && in->imm < POISON_CALL_KFUNC_BASE + 64) {
		int n = in->imm - POISON_CALL_KFUNC_BASE;

		m.kind = REF_KFUNC;
		m.name = c->r->ext_unresolved[n] ? UNRESOLVED_KFUNC : NULL;
		return m;
	}
	if (in->code != LDDW)
		return m;
	switch (in->src_reg) {
	case BPFRT_PSEUDO_BTF_ID:
		m.kind = REF_KSYM;
		m.name = bpfrt_btf_name(c, in->imm);
		return m;
	case BPFRT_PSEUDO_MAP_IDX:
	case BPFRT_PSEUDO_MAP_IDX_VALUE:
		m.kind = in->src_reg == BPFRT_PSEUDO_MAP_IDX ? REF_MAP : REF_MAP_VALUE;
		bm = in->imm >= 0 ? bpfrt_object__map_by_index(c->bo, (unsigned)in->imm) : NULL;
		lm = bm ? libbpf_map_by_name_equiv(c, bm) : NULL;
		m.name = lm ? bpf_map__name(lm) : NULL;
		return m;
	}
	return m;
}

static struct symref libbpf_ref(struct ctx *c, const struct bpf_insn *in)
{
	struct symref m = { 0 };

	if (is_kfunc_call(in->code, in->src_reg)) {
		m.kind = REF_KFUNC;
		if (in->imm == 0 && in->off == 0)
			m.name = UNRESOLVED_KFUNC;
		else
			m.name = in->off == 0 ? vmlinux_name(in->imm) : NULL; /* off: module BTF */
		return m;
	}
	if (in->code != LDDW)
		return m;
	switch (in->src_reg) {
	case BPF_PSEUDO_BTF_ID:
		m.kind = REF_KSYM;
		m.name = in[1].imm == 0 ? vmlinux_name(in->imm) : NULL; /* imm2: module BTF fd */
		return m;
	case BPF_PSEUDO_MAP_FD:
	case BPF_PSEUDO_MAP_VALUE:
		m.kind = in->src_reg == BPF_PSEUDO_MAP_FD ? REF_MAP : REF_MAP_VALUE;
		m.name = ref_map_by_fd(c->r, in->imm);
		return m;
	}
	return m;
}

static void show(char *buf, size_t size, const struct bpfrt_insn *insns, size_t cnt, size_t pc,
		 const struct symref *ref)
{
	char text[256];

	if (pc >= cnt) {
		snprintf(buf, size, "(end of program)");
		return;
	}
	bpfrt_disasm_insn(insns + pc, cnt - pc, BPFRT_SYNTAX_LLVM, text, sizeof(text));
	if (ref && ref->kind != REF_NONE)
		snprintf(buf, size, "`%s` (%s %s)", text, ref_kind_name[ref->kind],
			 ref->name ? ref->name : "?");
	else
		snprintf(buf, size, "`%s`", text);
}

static bool slot_equal(const struct bpfrt_insn *a, const struct bpf_insn *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

/*
 * Compare two instruction streams; returns true if they agree, else false
 * with *at = the first differing index (or the shorter length). *refs
 * counts the map references seen.
 */
static bool insns_agree(struct ctx *c, const struct bpfrt_insn *bi, size_t bn,
			const struct bpf_insn *li, size_t ln, size_t *at, size_t *refs)
{
	size_t pc = 0;

	_Static_assert(sizeof(struct bpf_insn) == sizeof(struct bpfrt_insn), "insn layout");
	*refs = 0;
	while (pc < bn && pc < ln) {
		struct symref br = bpfrt_ref(c, &bi[pc]);
		struct symref lr = libbpf_ref(c, &li[pc]);
		bool same;
		size_t step = 1;

		if (br.kind != REF_NONE || lr.kind != REF_NONE) {
			/* Same kind, same name, same registers and offset; LDDW's second slot as is. */
			same = br.kind == lr.kind && br.name && lr.name && strcmp(br.name, lr.name) == 0 &&
			       bi[pc].code == li[pc].code && bi[pc].dst_reg == li[pc].dst_reg &&
			       (bi[pc].off == li[pc].off || strcmp(br.name, UNRESOLVED_KFUNC) == 0);
			if (br.kind != REF_KFUNC) {
				same = same && pc + 1 < bn && pc + 1 < ln &&
				       slot_equal(&bi[pc + 1], &li[pc + 1]);
				step = 2;
			}
			(*refs)++;
		} else {
			same = slot_equal(&bi[pc], &li[pc]);
		}
		if (!same) {
			*at = pc;
			return false;
		}
		pc += step;
	}
	*at = pc;
	return bn == ln;
}

static void compare_insns(struct ctx *c, const struct bpfrt_program *bp, struct bpf_program *lp)
{
	const struct bpfrt_insn *bi = bpfrt_program__insns(bp);
	const struct bpf_insn *li = bpf_program__insns(lp);
	size_t bn = bpfrt_program__insn_cnt(bp), ln = bpf_program__insn_cnt(lp);
	const char *name = bpf_program__name(lp);
	size_t at, refs;
	char b[320], l[320];

	if (insns_agree(c, bi, bn, li, ln, &at, &refs)) {
		t_pass("%s: %s: instructions (%zu, %zu map/kernel references)", c->tag, name, bn,
		       refs);
		return;
	}
	{
		struct symref br = at < bn ? bpfrt_ref(c, &bi[at]) : (struct symref){ 0 };
		struct symref lr = at < ln ? libbpf_ref(c, &li[at]) : (struct symref){ 0 };

		show(b, sizeof(b), bi, bn, at, &br);
		show(l, sizeof(l), (const struct bpfrt_insn *)li, ln, at, &lr);
	}
	t_fail("%s: %s: instructions: first difference at insn %zu (bpfrt has %zu, libbpf %zu): bpfrt %s, libbpf %s",
	       c->tag, name, at, bn, ln, b, l);
}

/*
 * The comparison must be able to fail: on the first program with a map
 * reference that agrees, change one plain instruction and, separately, the
 * map one LDDW names, and check that each is caught where it was made.
 */
static bool selftest_done;

static void selftest_comparator(struct ctx *c, const struct bpfrt_program *bp,
				struct bpf_program *lp)
{
	const struct bpfrt_insn *bi = bpfrt_program__insns(bp);
	const struct bpf_insn *li = bpf_program__insns(lp);
	size_t bn = bpfrt_program__insn_cnt(bp), ln = bpf_program__insn_cnt(lp);
	size_t at, refs, lddw = bn, plain = bn;
	struct bpfrt_insn *copy;
	bool caught_plain, caught_map;
	int nmaps = 0;

	if (selftest_done || !insns_agree(c, bi, bn, li, ln, &at, &refs) || !refs)
		return;
	for (const struct bpfrt_map *m = bpfrt_object__next_map(c->bo, NULL); m;
	     m = bpfrt_object__next_map(c->bo, m))
		nmaps++;
	for (size_t i = 0; i < bn; i++) {
		enum ref_kind k = bpfrt_ref(c, &bi[i]).kind;

		if (k == REF_MAP || k == REF_MAP_VALUE) {
			if (lddw == bn)
				lddw = i;
			i++;
		} else if (k == REF_KSYM) {
			i++;
		} else if (plain == bn && bi[i].code != 0) {
			plain = i;
		}
	}
	if (nmaps < 2 || lddw == bn || plain == bn)
		return;
	copy = malloc(bn * sizeof(*copy));
	if (!copy)
		return;
	memcpy(copy, bi, bn * sizeof(*copy));
	copy[plain].imm ^= 0x40;
	caught_plain = !insns_agree(c, copy, bn, li, ln, &at, &refs) && at == plain;
	memcpy(copy, bi, bn * sizeof(*copy));
	copy[lddw].imm = (copy[lddw].imm + 1) % nmaps;
	caught_map = !insns_agree(c, copy, bn, li, ln, &at, &refs) && at == lddw;
	free(copy);
	T_CHECK(caught_plain && caught_map,
		"comparator self-test on %s: %s: a changed insn %zu %s, a changed map at insn %zu %s",
		c->tag, bpf_program__name(lp), plain, caught_plain ? "caught" : "MISSED", lddw,
		caught_map ? "caught" : "MISSED");
	selftest_done = true;
}

/* ---- one object ---------------------------------------------------------- */

static const char *g_kconfig;
static const char *g_btf_path;
static int g_bpf_err; /* 0 if bpf() works, else -errno */

static bool verbose(void)
{
	const char *v = getenv("COMPARE_VERBOSE");

	return v && *v == '1';
}

static struct bpf_object *libbpf_open(const char *path)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .kconfig = g_kconfig,
		    .btf_custom_path = g_btf_path);

	return bpf_object__open_file(path, &opts);
}

static void print_warnings(const char *tag, const char *phase)
{
	if (!verbose())
		return;
	for (size_t i = 0; i < lg_cnt; i++)
		if (lg[i].level == LIBBPF_WARN)
			printf("note: %s: libbpf %s: %s\n", tag, phase, lg[i].text);
}

static void run_object(const struct objfile *of)
{
	struct bpfrt_object_open_opts bopts = { .sz = sizeof(bopts) };
	char tag[160], blog[4096] = "";
	struct ref *r = calloc(1, sizeof(*r));
	struct ctx c = { .tag = tag, .r = r };
	const char *lpath = of->twin[0] ? of->twin : of->path;
	struct bpf_program *lp;
	struct bpf_map *lm;

	if (!r) {
		perror("calloc");
		exit(2);
	}
	snprintf(tag, sizeof(tag), "%s.v%d", of->base, of->level);

	bopts.btf_custom_path = g_btf_path;
	bopts.kconfig = g_kconfig;
	bopts.log_buf = blog;
	bopts.log_size = sizeof(blog);
	c.bo = bpfrt_object__open_file(of->path, &bopts);
	if (!c.bo) {
		t_fail("%s: opens: bpfrt: %s (%s)", tag, strerror(errno), blog[0] ? blog : "no log");
		free(r);
		return;
	}
	t_pass("%s: opens", tag);

	log_clear();
	r->obj = libbpf_open(lpath);
	print_warnings(tag, "open");
	if (!r->obj) {
		t_fail("%s: libbpf cannot open %s: %s (%s)", tag, lpath, strerror(errno),
		       log_last_warning());
		goto out;
	}
	c.twin = of->twin[0] != '\0';
	if (c.twin)
		printf("note: %s: libbpf's side is the twin %s (libbpf 1.x refuses SEC(\"maps\"))\n",
		       tag, lpath);
	r->kversion = bpf_object__kversion(r->obj);
	ref_scan_open_log(r);

	compare_programs(&c);
	compare_maps(&c);

	if (g_bpf_err) {
		compare_object(&c, false);
		t_skip("%s: instructions: bpf() not permitted here (%s): libbpf relocates only when loading",
		       tag, strerror(-g_bpf_err));
		goto out;
	}

	/*
	 * Load everything, optional (SEC("?...")) programs included; pin
	 * nothing (there may be no BPF FS, and the test must leave no trace).
	 */
	bpf_object__for_each_program(lp, r->obj)
		bpf_program__set_autoload(lp, true);
	bpf_object__for_each_map(lm, r->obj)
		bpf_map__set_pin_path(lm, NULL);
	log_clear();
	r->loaded = bpf_object__load(r->obj) == 0;
	print_warnings(tag, "load");
	ref_scan_load_log(r);
	/* libbpf relocates all programs before loading any: a rejection means relocated. */
	r->relocated = r->loaded || r->rejected_cnt > 0;
	if (!r->relocated)
		snprintf(r->why, sizeof(r->why), "%s", log_last_warning());
	compare_object(&c, r->relocated);

	if (r->rejected_cnt) {
		printf("note: %s: the kernel rejected %s", tag, r->rejected[0]);
		for (int i = 1; i < r->rejected_cnt; i++)
			printf(", %s", r->rejected[i]);
		printf(" (libbpf: %s); compared as libbpf relocated before the load attempt\n",
		       r->reject_msg);
	}

	bpf_object__for_each_program(lp, r->obj) {
		const struct bpfrt_program *bp =
			bpfrt_object__find_program_by_name(c.bo, bpf_program__name(lp));

		if (!bp) {
			t_fail("%s: %s: instructions: bpfrt has no such program", tag,
			       bpf_program__name(lp));
			continue;
		}
		if (!r->relocated) {
			t_skip("%s: %s: instructions: libbpf did not get to relocate (%s)", tag,
			       bpf_program__name(lp), r->why);
			continue;
		}
		compare_insns(&c, bp, lp);
		selftest_comparator(&c, bp, lp);
	}
out:
	if (r->obj)
		bpf_object__close(r->obj);
	bpfrt_object__close(c.bo);
	free(r);
}

/* bpfrt's diagnostics, on stdout with the rest (stderr would interleave). */
static int bpfrt_note(enum bpfrt_print_level level, const char *fmt, va_list ap)
{
	char buf[2048];

	if (level != BPFRT_WARN && !verbose())
		return 0;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	buf[strcspn(buf, "\n")] = '\0';
	printf("note: %s%s\n", strncmp(buf, "bpfrt: ", 7) ? "bpfrt: " : "", buf);
	return 0;
}

int main(void)
{
	const char *build = getenv("BUILD");
	const char *only = getenv("COMPARE_ONLY");
	static struct objfile objs[MAX_OBJECTS];
	char dir[512];
	int n;

	setvbuf(stdout, NULL, _IOLBF, 0);
	snprintf(dir, sizeof(dir), "%s/progs", build && *build ? build : "build");
	n = list_corpus(dir, objs, MAX_OBJECTS);
	if (n <= 0) {
		t_skip("libbpf_compare: no compiled corpus in %s (no clang or libbpf headers? see `make progs`)",
		       dir);
		return t_exit();
	}

	libbpf_set_print(capture);
	bpfrt_set_print(bpfrt_note);
	g_btf_path = access(VMLINUX_BTF, R_OK) == 0 ? VMLINUX_BTF : NULL;
	if (!g_btf_path)
		printf("note: no %s: CO-RE resolves against bpfrt's own BTF and libbpf's default\n",
		       VMLINUX_BTF);
	if (g_btf_path)
		g_vmlinux = btf__parse(g_btf_path, NULL);
	g_kconfig = read_kconfig();
	if (!g_kconfig)
		printf("note: no kernel configuration found: .kconfig externs take their defaults\n");
	g_bpf_err = probe_bpf();

	for (int i = 0; i < n; i++) {
		if (only && *only && !strstr(objs[i].path, only))
			continue;
		run_object(&objs[i]);
	}
	if (!g_bpf_err && !selftest_done) {
		if (only && *only)
			t_skip("comparator self-test: no program referencing one of two or more maps among the objects selected");
		else
			t_fail("comparator self-test: no program to run it on");
	}
	log_clear();
	free(lg);
	free((void *)g_kconfig);
	btf__free(g_vmlinux);
	return t_exit();
}

#endif /* HAVE_LIBBPF */
