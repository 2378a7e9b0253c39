# bpfrt - eBPF outside the kernel.
#
#   make            library (build/libbpfrt.a, .so) and CLI (build/bpfrt)
#   make check      build and run every test; ends with "N passed, N failed, N skipped"
#   make asan       the same tests built with AddressSanitizer + UndefinedBehaviorSanitizer
#   make tsan       the multi-threaded tests built with ThreadSanitizer
#   make demo       run an example program on a real packet
#   make bench      side-by-side benchmarks (bpfrt engines, kernel JIT, native C)
#   make fuzz       libFuzzer targets (clang); FUZZ_SECONDS=600 make fuzz-run
#   make install    PREFIX=/usr/local: library, headers, CLI, pkg-config file
#
# Strict warnings are errors everywhere.

CC       ?= cc
BUILD    ?= build
PREFIX   ?= /usr/local
OPT      ?= -O2
CPPFLAGS += -Iinclude -Isrc -D_GNU_SOURCE
WARN     := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
            -Wpointer-arith -Wformat=2 -Wno-format-nonliteral -Werror
CFLAGS   ?= $(OPT) -g
CFLAGS   += -std=gnu11 -fPIC $(WARN) $(EXTRA_CFLAGS)
LDLIBS   += -lelf $(EXTRA_LDLIBS)

LIB_SRCS  := $(sort $(wildcard src/*/*.c))
LIB_OBJS  := $(LIB_SRCS:%.c=$(BUILD)/%.o)
CLI_SRCS  := $(sort $(wildcard tools/bpfrt/*.c))
CLI_OBJS  := $(CLI_SRCS:%.c=$(BUILD)/%.o)
TEST_SRCS := $(sort $(wildcard tests/*.c))
TEST_BINS := $(TEST_SRCS:tests/%.c=$(BUILD)/tests/%)
# Each fuzz target also builds as a test that replays its regression inputs.
FUZZ_TARGETS := $(patsubst tests/fuzz/%.c,%,$(filter-out tests/fuzz/replay_main.c,$(wildcard tests/fuzz/*.c)))
TEST_BINS += $(FUZZ_TARGETS:%=$(BUILD)/tests/replay_%)
BENCH_SRCS := $(sort $(wildcard bench/*.c))
BENCH_BINS := $(BENCH_SRCS:bench/%.c=$(BUILD)/bench/%)

LIB_A  := $(BUILD)/libbpfrt.a
LIB_SO := $(BUILD)/libbpfrt.so
CLI    := $(BUILD)/bpfrt

.PHONY: all check asan tsan bench demo progs fuzz fuzz-run install clean
all: $(LIB_A) $(LIB_SO) $(CLI)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

# bpfrt's own BTF (the context types of its program types), compiled from C
# by clang for the BPF target and embedded by a small host tool. Without
# clang the library still builds; core_builtin_btf() then reports ENOENT.
BPF_CLANG ?= clang
HOSTCC    ?= cc
MULTIARCH := $(shell $(HOSTCC) -print-multiarch 2>/dev/null)

$(BUILD)/gen/embed_btf: tools/gen/embed_btf.c
	@mkdir -p $(dir $@)
	$(HOSTCC) -O2 $(WARN) -o $@ $<

$(BUILD)/gen/builtin_types.o: src/loader/gen/builtin_types.bpf.c
	@mkdir -p $(dir $@)
	$(BPF_CLANG) -target bpf $(if $(MULTIARCH),-idirafter /usr/include/$(MULTIARCH)) -g -O2 -c $< -o $@

$(BUILD)/gen/builtin_btf.inc: $(BUILD)/gen/builtin_types.o $(BUILD)/gen/embed_btf
	$(BUILD)/gen/embed_btf $< $@

ifneq ($(shell command -v $(BPF_CLANG) 2>/dev/null),)
$(BUILD)/src/loader/core_builtin.o: $(BUILD)/gen/builtin_btf.inc
endif
$(BUILD)/src/loader/core_builtin.o: CPPFLAGS += -I$(BUILD)/gen

$(LIB_A): $(LIB_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@
	$(AR) rcs $@ $^

$(LIB_SO): $(LIB_OBJS)
	$(CC) $(CFLAGS) -shared -Wl,-soname,libbpfrt.so.0 -o $@ $^ $(LDLIBS)

$(CLI): LDLIBS += -ljson-c
$(CLI): $(CLI_OBJS) $(LIB_A)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)
	ln -sf bpfrt $(BUILD)/bpfrt-conformance-plugin

$(BUILD)/tests/%: tests/%.c $(LIB_A) $(wildcard tests/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Itests $(CFLAGS) -o $@ $< $(LIB_A) $(LDLIBS)

# Seeds a target takes from elsewhere in the tree, besides tests/fuzz/seeds/TARGET.
FUZZ_MORE_SEEDS_fuzz_asm := examples

$(BUILD)/tests/replay_%: tests/fuzz/%.c tests/fuzz/replay_main.c $(LIB_A) tests/harness.h
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Itests -DFUZZ_TARGET='"$*"' \
	  $(if $(FUZZ_MORE_SEEDS_$*),-DFUZZ_MORE_SEEDS='"$(FUZZ_MORE_SEEDS_$*)"') \
	  $(CFLAGS) -o $@ $< tests/fuzz/replay_main.c $(LIB_A) $(LDLIBS)

$(BUILD)/bench/%: bench/%.c $(LIB_A) $(wildcard bench/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Ibench $(CFLAGS) -o $@ $< $(LIB_A) $(LDLIBS)

# The whole test suite. tests/run.sh runs each test binary and the CLI tests
# and prints the closing "N passed, N failed, N skipped" line.
check: all $(TEST_BINS) progs
	BUILD=$(BUILD) sh tests/run.sh

# The BPF C corpus (tests/progs/*.bpf.c) at -mcpu=v1..v3 (and v4 with
# clang-19), into $(BUILD)/progs.
progs:
	BUILD=$(BUILD) sh tests/progs/build.sh

# The libbpf comparison links libbpf (tests only; the library never does).
$(BUILD)/tests/libbpf_compare: LDLIBS += -lbpf

asan:
	$(MAKE) BUILD=build-asan OPT=-O1 \
	  EXTRA_CFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" \
	  EXTRA_LDLIBS="-fsanitize=address,undefined" check

# The tests that run programs and maps on many threads at once, under
# ThreadSanitizer: races between programs, helpers and user space.
TSAN_TESTS := stress_test
tsan:
	$(MAKE) BUILD=build-tsan OPT=-O1 EXTRA_CFLAGS="-fsanitize=thread -Wno-tsan" \
	  EXTRA_LDLIBS="-fsanitize=thread" $(TSAN_TESTS:%=build-tsan/tests/%)
	TSAN_OPTIONS=halt_on_error=1 BUILD=build-tsan TESTS="$(TSAN_TESTS)" sh tests/run.sh

# The README's demo: a real program (an Ethernet/IPv4/UDP parser) on a real
# packet, disassembled, then run on every engine.
demo: all
	@sh scripts/demo.sh $(BUILD)/bpfrt

bench: all $(BENCH_BINS)
	BUILD=$(BUILD) sh bench/run.sh

FUZZ_SRCS := $(sort $(filter-out tests/fuzz/replay_main.c,$(wildcard tests/fuzz/*.c)))
FUZZ_BINS := $(FUZZ_SRCS:tests/fuzz/%.c=build-fuzz/%)
FUZZ_FLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZ_SECONDS ?= 60
fuzz: $(FUZZ_BINS)
build-fuzz/%: tests/fuzz/%.c $(LIB_SRCS) $(BUILD)/gen/builtin_btf.inc
	@mkdir -p $(dir $@)
	clang $(CPPFLAGS) -I$(BUILD)/gen -std=gnu11 $(WARN) $(FUZZ_FLAGS) -o $@ $< $(LIB_SRCS) -lelf
fuzz-run: fuzz
	@for f in $(FUZZ_BINS); do \
	  mkdir -p build-fuzz/corpus-$$(basename $$f); \
	  $$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 -artifact_prefix=build-fuzz/ build-fuzz/corpus-$$(basename $$f) tests/fuzz/seeds/$$(basename $$f) $(foreach t,$(FUZZ_TARGETS),$$([ "$$(basename $$f)" = $(t) ] && echo $(FUZZ_MORE_SEEDS_$(t)))) || exit 1; \
	done

install: all
	install -d $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include/bpfrt \
	  $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/pkgconfig
	install -m 644 $(LIB_A) $(DESTDIR)$(PREFIX)/lib/
	install -m 755 $(LIB_SO) $(DESTDIR)$(PREFIX)/lib/libbpfrt.so.0
	ln -sf libbpfrt.so.0 $(DESTDIR)$(PREFIX)/lib/libbpfrt.so
	install -m 644 include/bpfrt/*.h $(DESTDIR)$(PREFIX)/include/bpfrt/
	install -m 755 $(CLI) $(DESTDIR)$(PREFIX)/bin/
	ln -sf bpfrt $(DESTDIR)$(PREFIX)/bin/bpfrt-conformance-plugin
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|'$$(sed -n 's/^#define BPFRT_VERSION "\(.*\)"/\1/p' include/bpfrt/bpfrt.h)'|' \
	  bpfrt.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/bpfrt.pc

clean:
	rm -rf build build-asan build-tsan build-fuzz

-include $(LIB_OBJS:.o=.d) $(CLI_OBJS:.o=.d)
