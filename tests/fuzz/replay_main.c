/* SPDX-License-Identifier: MIT */
/*
 * Replays a fuzz target's regression inputs and seeds as an ordinary test
 * (built by the Makefile as $(BUILD)/tests/replay_TARGET, so `make check`
 * and `make asan` run every input that ever broke something): each file of
 * tests/fuzz/regress/TARGET/ and tests/fuzz/seeds/TARGET/ goes through the
 * target's LLVMFuzzerTestOneInput. A crash or sanitizer report fails it.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		char path[4096];
		uint8_t *buf;
		long size;
		FILE *f;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		f = fopen(path, "rb");
		if (!f || fseek(f, 0, SEEK_END) || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
			t_fail("replay %s: cannot read", path);
			if (f)
				fclose(f);
			continue;
		}
		buf = malloc(size ? (size_t)size : 1);
		if (!buf || fread(buf, 1, (size_t)size, f) != (size_t)size) {
			t_fail("replay %s: cannot read", path);
		} else {
			LLVMFuzzerTestOneInput(buf, (size_t)size);
			n++;
		}
		free(buf);
		fclose(f);
	}
	closedir(d);
	return n;
}

int main(void)
{
	int n = replay_dir("tests/fuzz/regress/" FUZZ_TARGET);
	int s = replay_dir("tests/fuzz/seeds/" FUZZ_TARGET);

#ifdef FUZZ_MORE_SEEDS
	s += replay_dir(FUZZ_MORE_SEEDS); /* seeds kept elsewhere, e.g. examples/ */
#endif

	t_pass("replay " FUZZ_TARGET ": %d regression inputs and %d seeds ran clean", n, s);
	return t_exit();
}
