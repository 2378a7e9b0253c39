#!/bin/sh
# Run every test binary and CLI test script; count PASS/FAIL/SKIP lines.
# The last line is "N passed, N failed, N skipped". TESTS="a b" runs only
# those test binaries (and no CLI scripts), as `make tsan` does.
BUILD=${BUILD:-build}
export BUILD
out=$(mktemp)
status=0
for t in "$BUILD"/tests/*; do
	[ -x "$t" ] && [ -f "$t" ] || continue
	if [ -n "$TESTS" ]; then
		case " $TESTS " in *" $(basename "$t") "*) ;; *) continue ;; esac
	fi
	echo "== $(basename "$t")"
	( cd "$(dirname "$0")/.." && "$t" ) >"$out" 2>&1
	rc=$?
	grep -v '^PASS: ' "$out" | head -200
	if [ $rc -ne 0 ] && ! grep -q '^FAIL: ' "$out"; then
		echo "FAIL: $(basename "$t") exited with status $rc"
		echo "FAIL: $(basename "$t") exited with status $rc" >>"$out"
	fi
	cat "$out" >>"$out.all"
done
for s in tests/cli/*.sh; do
	[ -f "$s" ] && [ -z "$TESTS" ] || continue
	echo "== $(basename "$s")"
	sh "$s" >"$out" 2>&1
	rc=$?
	grep -v '^PASS: ' "$out" | head -200
	if [ $rc -ne 0 ] && ! grep -q '^FAIL: ' "$out"; then
		echo "FAIL: $(basename "$s") exited with status $rc" >>"$out"
		echo "FAIL: $(basename "$s") exited with status $rc"
	fi
	cat "$out" >>"$out.all"
done
passed=$(grep -c '^PASS: ' "$out.all")
failed=$(grep -c '^FAIL: ' "$out.all")
skipped=$(grep -c '^SKIP: ' "$out.all")
rm -f "$out" "$out.all"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] || status=1
exit $status
