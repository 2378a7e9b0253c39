#!/bin/sh
# Compile the BPF C corpus: every tests/progs/NAME.bpf.c becomes
# $BUILD/progs/NAME.vN.o for N = 1, 2, 3 (the system clang) and 4 (clang-19,
# or the system clang if it is 18 or newer). An object is rebuilt only when
# something it was built from (clang's dependency list) is newer.
#
# Prints one "progs: skipped ..." line per thing it cannot build (no clang,
# no clang new enough for v4, no libbpf headers) and exits 0 then: the tests
# that use the corpus report SKIP for what is missing. Exits 1 if a compile
# that should work fails.
#
# Environment: BUILD (default build), CLANG (default clang), CLANG_V4
# (default clang-19), PROGS_VERBOSE=1 to echo each compile.
set -u

here=$(cd "$(dirname "$0")" && pwd)
BUILD=${BUILD:-build}
out="$BUILD/progs"
CLANG=${CLANG:-clang}
CLANG_V4=${CLANG_V4:-clang-19}

mkdir -p "$out" || exit 1

if ! command -v "$CLANG" >/dev/null 2>&1; then
	echo "progs: skipped everything: $CLANG not found"
	exit 0
fi
if [ ! -f /usr/include/bpf/bpf_helpers.h ]; then
	echo "progs: skipped everything: libbpf headers (<bpf/bpf_helpers.h>, package libbpf-dev) not found"
	exit 0
fi

clang_major() {
	"$1" -dumpversion 2>/dev/null | sed 's/\..*//'
}

# Which compiler builds level v4: clang-19 if present, else the system clang
# when it knows -mcpu=v4 (LLVM 18 and later).
v4cc=""
if command -v "$CLANG_V4" >/dev/null 2>&1; then
	v4cc=$CLANG_V4
elif [ "$(clang_major "$CLANG")" -ge 18 ] 2>/dev/null; then
	v4cc=$CLANG
else
	echo "progs: skipped -mcpu=v4: $CLANG_V4 not found and $CLANG is version $(clang_major "$CLANG") (v4 needs 18 or later)"
fi

arch_inc="/usr/include/$(uname -m)-linux-gnu"
cflags="-target bpf -g -O2 -Wall -I$arch_inc -I$here"

# up_to_date OBJ DEPFILE: true if OBJ exists and is newer than all it depends on.
# (sh has no local variables: names here must not clash with compile()'s.)
up_to_date() {
	[ -f "$1" ] && [ -f "$2" ] || return 1
	[ "$1" -nt "$here/build.sh" ] || return 1
	for utd_input in $(sed -e '1s/^[^:]*://' -e 's/\\$//' "$2"); do
		[ -e "$utd_input" ] || return 1
		[ "$1" -nt "$utd_input" ] || return 1
	done
	return 0
}

# compile CC LEVEL SRC: build one object; prints the failure, returns 1 on it.
compile() {
	c_cc=$1 c_level=$2 c_src=$3
	c_name=$(basename "$c_src" .bpf.c)
	c_obj="$out/$c_name.v$c_level.o"
	up_to_date "$c_obj" "$out/$c_name.v$c_level.d" && return 0
	[ "${PROGS_VERBOSE:-0}" = 1 ] && echo "progs: $c_cc -mcpu=v$c_level $c_src"
	# shellcheck disable=SC2086
	if ! "$c_cc" $cflags -mcpu="v$c_level" -DCORPUS_CPU="$c_level" \
		-MD -MF "$out/$c_name.v$c_level.d" -c "$c_src" -o "$c_obj.tmp" 2>"$c_obj.log"; then
		echo "progs: FAILED: $c_cc -mcpu=v$c_level $c_src:"
		sed 's/^/    /' "$c_obj.log"
		rm -f "$c_obj.tmp" "$c_obj" "$c_obj.log"
		return 1
	fi
	[ -s "$c_obj.log" ] && sed 's/^/progs: warning: /' "$c_obj.log"
	rm -f "$c_obj.log"
	mv "$c_obj.tmp" "$c_obj"
}

status=0
for src in "$here"/*.bpf.c; do
	[ -f "$src" ] || continue
	pids=""
	for level in 1 2 3; do
		compile "$CLANG" $level "$src" &
		pids="$pids $!"
	done
	if [ -n "$v4cc" ]; then
		compile "$v4cc" 4 "$src" &
		pids="$pids $!"
	fi
	for p in $pids; do
		wait "$p" || status=1
	done
done
[ "$status" -eq 0 ] || echo "progs: some objects failed to build"
exit $status
