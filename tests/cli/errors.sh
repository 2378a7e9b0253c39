#!/bin/sh
# Bad input anywhere: a non-zero status (2 for usage errors, 1 for runtime
# failures), one line on stderr that says what is wrong and where, no crash.
. "$(dirname "$0")/lib.inc"

printf 'mov r0, 1\nexit\n' >"$T/ok.s"
hex2bin "$T/13.bin" b7 00 00 00 01 00 00 00 95 00 00 00 00
mkdir "$T/dir"
: >"$T/empty"

# Usage errors: 2.
t_run "$BPFRT"
t_check "no command: usage on stderr, status 2" [ "$rc:$(head -c 12 "$T/err")" = "2:usage: bpfrt" ]
t_run "$BPFRT" frobnicate
t_err "unknown command" 2 "unknown command 'frobnicate'"
t_run "$BPFRT" --frob
t_err "unknown top-level option" 2 "unknown option '--frob'"
t_run "$BPFRT" run
t_err "run without FILE" 2 "bpfrt run:" "missing FILE"
t_run "$BPFRT" run "$T/ok.s" "$T/ok.s"
t_err "run with two FILEs" 2 "unexpected argument"
t_run "$BPFRT" run "$T/ok.s" --frob
t_err "run: unknown option" 2 "bpfrt run:" "unknown option '--frob'"
t_run "$BPFRT" run "$T/ok.s" --frob=1
t_err "run: unknown option with a value" 2 "unknown option '--frob'"
t_run "$BPFRT" run "$T/ok.s" -x
t_err "run: unknown short option" 2 "unknown option '-x'"
t_run "$BPFRT" run "$T/ok.s" --engine
t_err "run: --engine without a value" 2 "'--engine' needs a value"
t_run "$BPFRT" run "$T/ok.s" --engine jit
t_err "run: unknown engine" 2 "unknown engine 'jit'" "interp" "checked-switch"
t_run "$BPFRT" run "$T/ok.s" --json=yes
t_err "run: --json takes no value" 2 "'--json' takes no value"
t_run "$BPFRT" run "$T/ok.s" --repeat abc
t_err "run: non-numeric --repeat" 2 "--repeat" "'abc' is not a number"
t_run "$BPFRT" run "$T/ok.s" --repeat 12x
t_err "run: --repeat with trailing junk" 2 "--repeat" "not a number"
t_run "$BPFRT" run "$T/ok.s" --repeat -1
t_err "run: negative --repeat" 2 "--repeat" "not a number"
t_run "$BPFRT" run "$T/ok.s" --repeat 0
t_err "run: --repeat 0" 2 "--repeat" "out of range"
t_run "$BPFRT" run "$T/ok.s" --repeat 1000000000000
t_err "run: absurd --repeat" 2 "--repeat" "out of range"
t_run "$BPFRT" run "$T/ok.s" --repeat 99999999999999999999999
t_err "run: --repeat beyond 64 bits" 2 "--repeat" "out of range"
t_run "$BPFRT" run "$T/ok.s" --budget 10 --engine interp
t_err "run: --budget needs a checked engine" 2 "--budget" "interp"
t_run "$BPFRT" run "$T/ok.s" --mem "$T/13.bin" --mem-hex 00
t_err "run: --mem and --mem-hex together" 2 "--mem/--data and --mem-hex"
t_run "$BPFRT" run "$T/ok.s" --mem-hex "00 1"
t_err "run: --mem-hex with an odd digit count" 2 "--mem-hex" "'1'" "odd"
t_run "$BPFRT" run "$T/ok.s" --mem-hex "00 zz 11"
t_err "run: --mem-hex that is not hex" 2 "--mem-hex" "'zz'" "offset 3" "not hex"
t_run "$BPFRT" run "$T/ok.s" --format elf
t_err "run: unknown --format" 2 "--format" "'elf'"
t_run "$BPFRT" run - --mem -
t_err "run: program and memory both from stdin" 2 "standard input"
t_run "$BPFRT" disasm "$T/ok.s" --syntax intel
t_err "disasm: unknown syntax" 2 "bpfrt disasm:" "'intel'"
t_run "$BPFRT" disasm
t_err "disasm without FILE" 2 "missing FILE"
t_run "$BPFRT" asm
t_err "asm without FILE" 2 "bpfrt asm:" "missing FILE"
t_run "$BPFRT" asm "$T/ok.s" -o
t_err "asm: -o without a value" 2 "'-o' needs a value"
t_run "$BPFRT" help frobnicate
t_err "help on an unknown command" 2 "unknown command 'frobnicate'"
t_run "$BPFRT" version extra
t_err "version with an argument" 2 "unexpected argument 'extra'"

# Runtime failures: 1.
t_run "$BPFRT" run "$T/nosuch.bin"
t_err "run: missing file" 1 "bpfrt run:" "nosuch.bin" "No such file"
t_run "$BPFRT" run "$T/nosuch.bin" --json
t_err "run --json: missing file" 1 "nosuch.bin" "No such file"
if have_python; then
	t_check "run --json: missing file reports stage input" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["stage"] == "input" and "No such file" in d["error"] and "retval" not in d, d
' "$T/out"
fi
t_run "$BPFRT" run "$T/dir"
t_err "run: a directory" 1 "dir" "Is a directory"
t_run "$BPFRT" run "$T/13.bin"
t_err "run: bytecode size not a multiple of 8" 1 "13.bin: size 13 is not a multiple of 8"
t_run "$BPFRT" run "$T/13.bin" --format asm
t_err "run: --format asm on bytecode" 1 "13.bin" "NUL"
t_run "$BPFRT" run "$T/empty"
t_err "run: empty file" 1 "empty"
t_run "$BPFRT" run "$T/ok.s" --mem "$T/nosuch.mem"
t_err "run: missing --mem file" 1 "nosuch.mem" "No such file"
printf 'b7 00 00 00 01 00 00 00 95 00 00 00 00 00 00\n' >"$T/short.hex"
t_run "$BPFRT" run "$T/short.hex"
t_err "run: hex program size not a multiple of 8" 1 "short.hex" "size 15 is not a multiple of 8"
printf 'b7 00 00 00 01 00 00 00 95 00 00 00 00 00 00 0g\n' >"$T/bad.hex"
t_run "$BPFRT" run "$T/bad.hex" --format hex
t_err "run: bad hex in a hex program" 1 "bad.hex" "'0g'" "not hex"
printf 'mov r0, 1\n\naddd r0, 1\nexit\n' >"$T/typo.s"
t_run "$BPFRT" run "$T/typo.s"
t_err "run: unknown mnemonic, with its line" 1 "bpfrt run: " "typo.s: line 3:" "addd"
printf 'mov r10, 1\nexit\n' >"$T/r10.s"
t_run "$BPFRT" run "$T/r10.s"
t_err "run: program rejected (write to r10)" 1 "r10.s" "pc 0"
printf 'ja +5\nexit\n' >"$T/jump.s"
t_run "$BPFRT" run "$T/jump.s"
t_err "run: program rejected (jump out of range)" 1 "jump.s" "pc 0"
t_run "$BPFRT" run "$T/jump.s" --json
t_check "run --json: a rejected program exits 1" [ "$rc" -eq 1 ]
if have_python; then
	t_check "run --json: a rejected program reports stage load" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["stage"] == "load" and "pc 0" in d["error"] and "retval" not in d, d
' "$T/out"
fi
printf 'call 1234\nexit\n' >"$T/nohelper.s"
t_run "$BPFRT" run "$T/nohelper.s"
t_err "run: call to an unknown helper is rejected" 1 "nohelper.s" "pc 0"
t_run "$BPFRT" disasm "$T/nosuch.bin"
t_err "disasm: missing file" 1 "bpfrt disasm:" "nosuch.bin"
t_run "$BPFRT" asm "$T/ok.s" -o "$T/dir/no/such/dir/out.bin"
t_err "asm: unwritable output" 1 "out.bin" "No such file"

t_end
