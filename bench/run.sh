#!/bin/sh
# bench/run.sh - run every benchmark binary in $BUILD/bench (one per
# bench/*.c), after a header saying what machine the figures come from.
# Exits non-zero if any benchmark does (a result mismatch, a refused load).
# For steadier figures on a busy machine run a binary by hand with more
# and longer rounds, e.g. build/bench/bench -r 15 -m 200 csum.
BUILD=${BUILD:-build}

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)
ncpu=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo '?')
mhz=$(sed -n 's/^cpu MHz[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)
jit=$(cat /proc/sys/net/core/bpf_jit_enable 2>/dev/null || echo '?')

echo "=== bpfrt benchmarks ==="
echo "date:      $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
echo "cpu:       ${cpu:-unknown} (${ncpu} online${mhz:+, ${mhz%.*} MHz})"
echo "kernel:    $(uname -srm); net.core.bpf_jit_enable = $jit"
echo "compiler:  $(${CC:-cc} --version 2>/dev/null | head -n 1)"
echo "load:      $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null) (1/5/15 min)"

status=0
found=0
for b in "$BUILD"/bench/*; do
	[ -f "$b" ] && [ -x "$b" ] || continue
	found=1
	echo
	echo "--- $(basename "$b") ---"
	"$b" || status=1
done
if [ "$found" = 0 ]; then
	echo "no benchmark binaries in $BUILD/bench" >&2
	exit 1
fi
exit $status
