#!/bin/sh
# bpfrt conformance-plugin: the bpf_conformance plugin protocol. The runner
# starts PLUGIN [MEMHEX] [OPTIONS...], writes the program as hex to stdin,
# and reads r0 back from stdout as hex (exit 0), or an error (exit != 0).
. "$(dirname "$0")/lib.inc"

engines="interp checked interp-switch checked-switch"
plugin() { "$BPFRT" conformance-plugin "$@"; }

# mov r0, 0x2a; exit
ret42="b7 00 00 00 2a 00 00 00 95 00 00 00 00 00 00 00"
# ldxw r0, [r1+0]; exit
ldxw="61 10 00 00 00 00 00 00 95 00 00 00 00 00 00 00"

echo "$ret42" >"$T/ret42"
t_run plugin <"$T/ret42"
t_out "no memory: r0 in bare hex" "2a"
t_run plugin "" <"$T/ret42"
t_out "empty MEMHEX argument" "2a"
t_run plugin "" "" <"$T/ret42"
t_out "empty MEMHEX and empty options (older runners)" "2a"
echo "$ldxw" >"$T/ldxw"
t_run plugin "01 02 03 04" <"$T/ldxw"
t_out "memory: r1 points to it" "4030201"
# mov r0, r2; exit (r2 = memory length), spaced as the runner's encoder
# does it: two spaces after every byte.
printf 'bf  20  00  00  00  00  00  00  95  00  00  00  00  00  00  00  \n' >"$T/len"
t_run plugin "aa  bb  cc  dd  ee  " <"$T/len"
t_out "memory: r2 is its length (runner spacing)" "5"
t_run plugin <"$T/len"
t_out "no memory: r2 is 0" "0"

for e in $engines; do
	t_run plugin "01 02 03 04" --engine "$e" <"$T/ldxw"
	t_out "--engine $e" "4030201"
	t_run plugin "01 02 03 04" "--engine $e" <"$T/ldxw"
	t_out "\"--engine $e\" as one argument" "4030201"
done
t_run plugin "01 02 03 04" --engine=interp --debug <"$T/ldxw"
t_out "--engine=interp --debug: stdout is only r0" "4030201"
t_check "--debug describes the test on stderr" grep -q "memory (4 bytes): 01 02 03 04" "$T/err"

# Helper 5 returns its first argument; callx calls the helper whose id the
# register holds (the conformance suite's callx.data, then with a check
# that the helper really ran).
"$BPFRT" asm --hex - >"$T/callx" <<'ASM'
mov r1, -1
mov r2, 5
callx r2
mov r0, 2
exit
ASM
"$BPFRT" asm --hex - >"$T/callx2" <<'ASM'
mov r1, 0x77
mov r2, 5
callx r2
exit
ASM
"$BPFRT" asm --hex - >"$T/call5" <<'ASM'
mov r1, 0x1234
call 5
exit
ASM
for e in $engines; do
	t_run plugin --engine "$e" <"$T/callx"
	t_out "callx.data ($e)" "2"
	t_run plugin --engine "$e" <"$T/callx2"
	t_out "callx r2 with r2 = 5 returns r1 ($e)" "77"
	t_run plugin --engine "$e" <"$T/call5"
	t_out "call 5 returns r1 ($e)" "1234"
done
# callx with the register in dst_reg, written as hex (mov r1, 0x55; mov r3,
# 5; callx r3; exit): independent of the assembler.
echo "b7 01 00 00 55 00 00 00 b7 03 00 00 05 00 00 00 8d 03 00 00 00 00 00 00
95 00 00 00 00 00 00 00" >"$T/callx3"
t_run plugin <"$T/callx3"
t_out "callx r3, encoded by hand" "55"

# Called through a link named bpfrt-conformance-plugin, as the runner does.
ln -s "$(cd "$(dirname "$BPFRT")" && pwd)/bpfrt" "$T/bpfrt-conformance-plugin"
t_run "$T/bpfrt-conformance-plugin" "01 02 03 04" "--engine interp" <"$T/ldxw"
t_out "through the bpfrt-conformance-plugin link" "4030201"
t_run "$T/bpfrt-conformance-plugin" <"$T/ret42"
t_out "through the link, no memory" "2a"

# Errors: stdout empty, one line on stderr, non-zero status.
t_run plugin "01 02 03" <"$T/ldxw"
t_err "fault: read past the memory" 1 "fault" "pc 0"
t_check "fault: stdout empty" [ ! -s "$T/out" ]
echo "ff 00 00 00 00 00 00 00 95 00 00 00 00 00 00 00" >"$T/badop"
t_run plugin <"$T/badop"
t_err "rejected program" 1 "rejected" "pc 0"
t_check "rejected program: stdout empty" [ ! -s "$T/out" ]
echo "b7 00 00 00 01 00 00 00 95 00 00" >"$T/short"
t_run plugin <"$T/short"
t_err "program size not a multiple of 8" 1 "size 11 is not a multiple of 8"
echo "b7 00 00 00 01 00 00 00 95 00 00 00 00 00 00 xx" >"$T/nothex"
t_run plugin <"$T/nothex"
t_err "program that is not hex" 1 "'xx'" "not hex"
t_run plugin </dev/null
t_err "empty program" 1 "empty program"
t_run plugin "01 0g" <"$T/ret42"
t_err "MEMHEX that is not hex" 2 "memory" "'0g'"
t_run plugin --jit <"$T/ret42"
t_err "unknown option" 2 "unknown option '--jit'"
t_run plugin "01" "--engine" <"$T/ret42"
t_err "--engine without a value" 2 "'--engine' needs a value"
t_run plugin --engine ubpf <"$T/ret42"
t_err "unknown engine" 2 "unknown engine 'ubpf'"
t_run plugin "01" "02" <"$T/ret42"
t_err "a second MEMHEX" 2 "unexpected argument '02'"
echo "b7 02 00 00 63 00 00 00 8d 02 00 00 00 00 00 00 95 00 00 00 00 00 00 00" >"$T/callx99"
t_run plugin <"$T/callx99"
t_err "callx to an unregistered helper" 1 "fault"

t_end
