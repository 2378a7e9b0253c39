/* SPDX-License-Identifier: MIT */
/*
 * tests/insn_test.c - data-driven instruction tests.
 *
 * Reads every .data file in tests/insn (format: tests/insn/README.md), assembles
 * the program, loads it and runs it on every engine, printing one
 * PASS/FAIL/SKIP line per (file, engine). A malformed file is a FAIL.
 *
 *   build/tests/insn_test                  every file in tests/insn
 *   build/tests/insn_test FILE.data...     only these files
 */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfrt/bpfrt.h"
#include "harness.h"

#define INSN_DIR "tests/insn"

/* One parsed .data file. */
struct tcase {
	char *asm_text;       /* NUL-terminated text of the -- asm section */
	uint8_t *mem;         /* -- mem bytes (NULL if none) */
	size_t mem_size;
	bool has_mem;
	bool has_result;
	uint64_t result;
	bool has_error;
	int n_errors;
	char error[4][192];   /* substrings all expected in the load log or fault */
	bool has_engines;
	unsigned engine_mask; /* bit per enum bpfrt_engine when has_engines */
};

enum section { SEC_NONE, SEC_ASM, SEC_MEM, SEC_RESULT, SEC_ERROR, SEC_ENGINES };

/*
 * Helpers the tests may call (documented in tests/insn/README.md).
 *   5: returns its first argument (the conformance-suite plugin protocol).
 *   6: returns r1 + r2 + r3 + r4 + r5.
 *   7: returns r1 * 2 + r2 (tells the first two arguments apart).
 */
static uint64_t helper_ret_r1(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
			      struct bpfrt_run *run)
{
	(void)r2, (void)r3, (void)r4, (void)r5, (void)run;
	return r1;
}

static uint64_t helper_sum(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
			   struct bpfrt_run *run)
{
	(void)run;
	return r1 + r2 + r3 + r4 + r5;
}

static uint64_t helper_r1x2_plus_r2(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4,
				    uint64_t r5, struct bpfrt_run *run)
{
	(void)r3, (void)r4, (void)r5, (void)run;
	return r1 * 2 + r2;
}

static char *read_file(const char *path, char *why, size_t why_size)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0;

	if (!f) {
		snprintf(why, why_size, "cannot open: %s", strerror(errno));
		return NULL;
	}
	for (;;) {
		size_t n;

		if (cap - len < 4096) {
			char *p = realloc(buf, cap + 65536);

			if (!p) {
				snprintf(why, why_size, "out of memory");
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = p;
			cap += 65536;
		}
		n = fread(buf + len, 1, cap - len - 1, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		snprintf(why, why_size, "read error");
		free(buf);
		fclose(f);
		return NULL;
	}
	fclose(f);
	buf[len] = '\0';
	return buf;
}

/* Strip a '#' comment and surrounding blanks in place; returns the text. */
static char *trim(char *s)
{
	char *hash = strchr(s, '#');
	char *end;

	if (hash)
		*hash = '\0';
	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
		*--end = '\0';
	return s;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int parse_mem_line(struct tcase *tc, char *line, char *why, size_t why_size)
{
	char *tok, *save = NULL;

	for (tok = strtok_r(line, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		uint8_t *p;

		if (strlen(tok) != 2 || hexval(tok[0]) < 0 || hexval(tok[1]) < 0) {
			snprintf(why, why_size, "-- mem: '%s' is not a hex byte", tok);
			return -1;
		}
		p = realloc(tc->mem, tc->mem_size + 1);
		if (!p) {
			snprintf(why, why_size, "out of memory");
			return -1;
		}
		tc->mem = p;
		tc->mem[tc->mem_size++] = (uint8_t)(hexval(tok[0]) << 4 | hexval(tok[1]));
	}
	return 0;
}

static int parse_result(struct tcase *tc, const char *s, char *why, size_t why_size)
{
	char *end;

	if (tc->has_result) {
		snprintf(why, why_size, "-- result: more than one value");
		return -1;
	}
	errno = 0;
	if (s[0] == '-')
		tc->result = (uint64_t)strtoll(s, &end, 0);
	else
		tc->result = strtoull(s, &end, 0);
	if (errno || end == s || *end) {
		snprintf(why, why_size, "-- result: '%s' is not a 64-bit number", s);
		return -1;
	}
	tc->has_result = true;
	return 0;
}

static int parse_engines(struct tcase *tc, char *line, char *why, size_t why_size)
{
	char *tok, *save = NULL;

	for (tok = strtok_r(line, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		int e = bpfrt_engine_from_name(tok);

		if (e < 0) {
			snprintf(why, why_size, "-- engines: unknown engine '%s'", tok);
			return -1;
		}
		tc->engine_mask |= 1u << e;
	}
	return 0;
}

static void tcase_free(struct tcase *tc)
{
	free(tc->asm_text);
	free(tc->mem);
	memset(tc, 0, sizeof(*tc));
}

/*
 * Parse `text` (modified in place) into tc. Returns 0, or -1 with the
 * reason in why.
 */
static int tcase_parse(struct tcase *tc, char *text, char *why, size_t why_size)
{
	enum section sec = SEC_NONE;
	bool seen[SEC_ENGINES + 1] = { false };
	size_t asm_len = 0, asm_cap = 0;
	char *line = text;
	int lineno = 0;

	memset(tc, 0, sizeof(*tc));
	while (line) {
		char *nl = strchr(line, '\n');
		char *s;

		lineno++;
		if (nl)
			*nl = '\0';
		if (strncmp(line, "--", 2) == 0 && (line[2] == ' ' || line[2] == '\t')) {
			char *name = trim(line + 2);
			static const char *const names[] = {
				[SEC_ASM] = "asm", [SEC_MEM] = "mem", [SEC_RESULT] = "result",
				[SEC_ERROR] = "error", [SEC_ENGINES] = "engines",
			};

			sec = SEC_NONE;
			for (int i = SEC_ASM; i <= SEC_ENGINES; i++)
				if (strcmp(name, names[i]) == 0)
					sec = (enum section)i;
			if (sec == SEC_NONE) {
				snprintf(why, why_size, "line %d: unknown section '-- %s'", lineno,
					 name);
				return -1;
			}
			if (seen[sec]) {
				snprintf(why, why_size, "line %d: second '-- %s' section", lineno,
					 name);
				return -1;
			}
			seen[sec] = true;
			if (sec == SEC_MEM)
				tc->has_mem = true;
			if (sec == SEC_ENGINES)
				tc->has_engines = true;
			goto next;
		}
		if (sec == SEC_ASM) {
			size_t n = strlen(line);

			if (asm_cap - asm_len < n + 2) {
				char *p;

				asm_cap = (asm_cap + n + 2) * 2;
				p = realloc(tc->asm_text, asm_cap);
				if (!p) {
					snprintf(why, why_size, "out of memory");
					return -1;
				}
				tc->asm_text = p;
			}
			memcpy(tc->asm_text + asm_len, line, n);
			asm_len += n;
			tc->asm_text[asm_len++] = '\n';
			tc->asm_text[asm_len] = '\0';
			goto next;
		}
		if (sec == SEC_ERROR) {
			/* The message may contain '#'; only whole-line comments here. */
			s = line;
			while (*s == ' ' || *s == '\t')
				s++;
			if (*s == '#')
				goto next;
			for (char *e = s + strlen(s); e > s && (e[-1] == ' ' || e[-1] == '\t' ||
								 e[-1] == '\r');)
				*--e = '\0';
			if (!*s)
				goto next;
			if (tc->n_errors == 4) {
				snprintf(why, why_size, "line %d: -- error takes at most 4 lines", lineno);
				return -1;
			}
			snprintf(tc->error[tc->n_errors++], sizeof(tc->error[0]), "%s", s);
			tc->has_error = true;
			goto next;
		}
		s = trim(line);
		if (!*s)
			goto next;
		switch (sec) {
		case SEC_NONE:
			snprintf(why, why_size, "line %d: text outside a section", lineno);
			return -1;
		case SEC_MEM:
			if (parse_mem_line(tc, s, why, why_size))
				return -1;
			break;
		case SEC_RESULT:
			if (parse_result(tc, s, why, why_size))
				return -1;
			break;
		case SEC_ENGINES:
			if (parse_engines(tc, s, why, why_size))
				return -1;
			break;
		default:
			break;
		}
next:
		line = nl ? nl + 1 : NULL;
	}
	if (!seen[SEC_ASM]) {
		snprintf(why, why_size, "no '-- asm' section");
		return -1;
	}
	if (tc->has_result == tc->has_error) {
		snprintf(why, why_size, "needs exactly one of '-- result' and '-- error' (with a value)");
		return -1;
	}
	if (tc->has_engines && !tc->engine_mask) {
		snprintf(why, why_size, "'-- engines' lists no engine");
		return -1;
	}
	if (!tc->asm_text) {
		tc->asm_text = strdup("");
		if (!tc->asm_text) {
			snprintf(why, why_size, "out of memory");
			return -1;
		}
	}
	return 0;
}

/* Does msg contain every expected error substring? */
static bool error_matches(const struct tcase *tc, const char *msg)
{
	for (int i = 0; i < tc->n_errors; i++)
		if (!strstr(msg, tc->error[i]))
			return false;
	return true;
}

/* The expected error lines joined for messages: 'a' + 'b'. */
static const char *error_text(const struct tcase *tc, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (int i = 0; i < tc->n_errors && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s'%s'", i ? " + " : "", tc->error[i]);
	return buf;
}

/* True if the asm text holds nothing but blanks and comments. */
static bool asm_is_empty(const char *text)
{
	bool comment = false;

	for (const char *p = text; *p; p++) {
		if (*p == '\n')
			comment = false;
		else if (*p == '#' || *p == ';' || (p[0] == '/' && p[1] == '/'))
			comment = true;
		else if (!comment && *p != ' ' && *p != '\t' && *p != '\r')
			return false;
	}
	return true;
}

static struct bpfrt_vm *make_vm(void)
{
	struct bpfrt_vm *vm = bpfrt_vm__new();

	if (!vm)
		return NULL;
	if (bpfrt_vm__register_helper(vm, 5, "test_ret_r1", helper_ret_r1) ||
	    bpfrt_vm__register_helper(vm, 6, "test_sum", helper_sum) ||
	    bpfrt_vm__register_helper(vm, 7, "test_r1x2_plus_r2", helper_r1x2_plus_r2)) {
		bpfrt_vm__free(vm);
		return NULL;
	}
	return vm;
}

/* Report one line per engine, all with the same verdict. */
static void report_all(const char *name, bool pass, const char *why, const char *detail)
{
	for (int e = 0; e < BPFRT_ENGINE__COUNT; e++) {
		const char *en = bpfrt_engine_name((enum bpfrt_engine)e);

		if (pass)
			t_pass("%s [%s]", name, en);
		else
			t_fail("%s [%s]: %s%s", name, en, why, detail);
	}
}

static void run_engine(const char *name, const struct tcase *tc, const struct bpfrt_prog *prog,
		       enum bpfrt_engine engine)
{
	const char *en = bpfrt_engine_name(engine);
	struct bpfrt_run_opts opts;
	uint8_t *mem = NULL;
	int err;

	if (tc->has_engines && !(tc->engine_mask & (1u << engine))) {
		t_skip("%s [%s]: not in -- engines", name, en);
		return;
	}
	/* A fresh copy per run: programs may write to their input. */
	if (tc->has_mem && tc->mem_size) {
		mem = malloc(tc->mem_size);
		if (!mem) {
			t_fail("%s [%s]: out of memory", name, en);
			return;
		}
		memcpy(mem, tc->mem, tc->mem_size);
	}
	memset(&opts, 0, sizeof(opts));
	opts.sz = sizeof(opts);
	opts.engine = engine;
	opts.mem = mem;
	opts.mem_size = mem ? tc->mem_size : 0;
	err = bpfrt_prog__run(prog, &opts);
	if (tc->has_result) {
		if (err)
			t_fail("%s [%s]: expected r0 = 0x%llx, got fault %d: %s", name, en,
			       (unsigned long long)tc->result, err, opts.fault.msg);
		else if (opts.retval != tc->result)
			t_fail("%s [%s]: expected r0 = 0x%llx, got 0x%llx", name, en,
			       (unsigned long long)tc->result, (unsigned long long)opts.retval);
		else
			t_pass("%s [%s]", name, en);
	} else {
		char exp[512];

		if (!err)
			t_fail("%s [%s]: expected error %s, got r0 = 0x%llx", name, en,
			       error_text(tc, exp, sizeof(exp)), (unsigned long long)opts.retval);
		else if (!error_matches(tc, opts.fault.msg))
			t_fail("%s [%s]: expected error %s, got fault %d: %s", name, en,
			       error_text(tc, exp, sizeof(exp)), err, opts.fault.msg);
		else
			t_pass("%s [%s]", name, en);
	}
	free(mem);
}

static void run_file(struct bpfrt_vm *vm, const char *path)
{
	const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	struct bpfrt_insn *insns = NULL;
	struct bpfrt_load_opts lopts;
	struct bpfrt_prog *prog;
	struct tcase tc;
	char why[1024], log[512], exp[512];
	size_t cnt = 0;
	char *text;
	int err;

	text = read_file(path, why, sizeof(why));
	if (!text) {
		report_all(name, false, "malformed test: ", why);
		return;
	}
	if (tcase_parse(&tc, text, why, sizeof(why))) {
		report_all(name, false, "malformed test: ", why);
		tcase_free(&tc);
		free(text);
		return;
	}
	free(text);

	/* An empty program is passed to the loader as is (cnt 0). */
	if (!asm_is_empty(tc.asm_text)) {
		log[0] = '\0';
		err = bpfrt_asm(tc.asm_text, &insns, &cnt, log, sizeof(log));
		if (err) {
			report_all(name, false, "malformed test: assembler: ", log);
			tcase_free(&tc);
			return;
		}
	}

	memset(&lopts, 0, sizeof(lopts));
	lopts.sz = sizeof(lopts);
	lopts.log_buf = log;
	lopts.log_size = sizeof(log);
	log[0] = '\0';
	prog = bpfrt_prog__load(vm, insns, cnt, &lopts);
	if (!prog) {
		if (tc.has_error && error_matches(&tc, log)) {
			report_all(name, true, "", "");
		} else if (tc.has_error) {
			snprintf(why, sizeof(why), "expected error %s, load rejected: %s",
				 error_text(&tc, exp, sizeof(exp)), log);
			report_all(name, false, why, "");
		} else {
			snprintf(why, sizeof(why), "expected r0 = 0x%llx, load rejected: %s",
				 (unsigned long long)tc.result, log);
			report_all(name, false, why, "");
		}
	} else {
		for (int e = 0; e < BPFRT_ENGINE__COUNT; e++)
			run_engine(name, &tc, prog, (enum bpfrt_engine)e);
		bpfrt_prog__free(prog);
	}
	bpfrt_free(insns);
	tcase_free(&tc);
}

static int has_data_suffix(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return n > 5 && strcmp(d->d_name + n - 5, ".data") == 0;
}

int main(int argc, char **argv)
{
	struct bpfrt_vm *vm;
	struct dirent **list;
	int n;

	/* Messages are checked through log_buf and the fault; keep stderr quiet. */
	bpfrt_set_print(NULL);
	vm = make_vm();
	if (!vm) {
		t_fail("insn_test: cannot create vm: %s", strerror(errno));
		return t_exit();
	}
	if (argc > 1) {
		for (int i = 1; i < argc; i++)
			run_file(vm, argv[i]);
		bpfrt_vm__free(vm);
		return t_exit();
	}
	n = scandir(INSN_DIR, &list, has_data_suffix, alphasort);
	if (n < 0) {
		t_fail("insn_test: cannot read %s: %s", INSN_DIR, strerror(errno));
	} else if (n == 0) {
		t_fail("insn_test: no .data files in %s", INSN_DIR);
		free(list);
	} else {
		for (int i = 0; i < n; i++) {
			char path[512];

			snprintf(path, sizeof(path), "%s/%s", INSN_DIR, list[i]->d_name);
			run_file(vm, path);
			free(list[i]);
		}
		free(list);
	}
	bpfrt_vm__free(vm);
	return t_exit();
}
