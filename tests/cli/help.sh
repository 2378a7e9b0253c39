#!/bin/sh
# bpfrt --help, help CMD, CMD --help, version, --version.
. "$(dirname "$0")/lib.inc"

t_run "$BPFRT" --help
t_check "--help exits 0" [ "$rc" -eq 0 ]
for cmd in asm disasm run conformance-plugin version help; do
	t_check "--help lists $cmd" grep -q "^  $cmd  " "$T/out"
done
cp "$T/out" "$T/top"
t_run "$BPFRT" -h
t_check "-h is --help" cmp -s "$T/out" "$T/top"
t_run "$BPFRT" help
t_check "help alone is --help" cmp -s "$T/out" "$T/top"

for cmd in asm disasm run conformance-plugin version help; do
	t_run "$BPFRT" help "$cmd"
	t_check "help $cmd shows its usage" [ "$rc:$(head -c $((13 + ${#cmd})) "$T/out")" = "0:usage: bpfrt $cmd" ]
	cp "$T/out" "$T/help"
	t_run "$BPFRT" "$cmd" --help
	t_check "$cmd --help is help $cmd" cmp -s "$T/out" "$T/help"
	t_run "$BPFRT" "$cmd" -h
	t_check "$cmd -h is help $cmd" cmp -s "$T/out" "$T/help"
	t_check "help $cmd has no unexpanded @MARK@" [ -z "$(grep -o '@[A-Z_]*@' "$T/help")" ]
done
t_run "$BPFRT" help run
cp "$T/out" "$T/help"
t_run "$BPFRT" run examples/hello.asm --mem-hex 00 --help
t_check "--help after other arguments" cmp -s "$T/out" "$T/help"
t_run "$BPFRT" help run
t_check "help run lists the engines" grep -q 'interp, checked, interp-switch, checked-switch (default: checked)' "$T/out"
t_check "help run lists helper 5" grep -q '^  5   identity' "$T/out"

version=$(sed -n 's/^#define BPFRT_VERSION "\(.*\)"/\1/p' include/bpfrt/bpfrt.h)
t_run "$BPFRT" version
t_out "version" "bpfrt $version
engines: interp checked interp-switch checked-switch (default: checked)"
cp "$T/out" "$T/version"
t_run "$BPFRT" --version
t_check "--version is version" cmp -s "$T/out" "$T/version"

t_end
