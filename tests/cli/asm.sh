#!/bin/sh
# bpfrt asm / disasm: assembling, the three input formats, round trips,
# invalid instructions, --bytes, --json.
. "$(dirname "$0")/lib.inc"

# hello.asm: 24 instructions, written in the uBPF syntax.
t_run "$BPFRT" asm examples/hello.asm -o "$T/hello.bin"
t_out "asm hello.asm -o" ""
t_check "asm writes 24 instructions (192 bytes)" [ "$(wc -c <"$T/hello.bin")" -eq 192 ]

t_run "$BPFRT" asm examples/hello.asm --hex
t_check "asm --hex: one line per instruction" [ "$(wc -l <"$T/out")" -eq 24 ]
t_check "asm --hex: mov r0, 0" [ "$(sed -n 1p "$T/out")" = "b7 00 00 00 00 00 00 00" ]
t_check "asm --hex: ldxh r6, [r3+0]" [ "$(sed -n 8p "$T/out")" = "69 36 00 00 00 00 00 00" ]
t_check "asm --hex: be16 r6" [ "$(sed -n 9p "$T/out")" = "dc 06 00 00 10 00 00 00" ]
t_check "asm --hex: jgt r5, r4, tail (+5)" [ "$(sed -n 7p "$T/out")" = "2d 45 05 00 00 00 00 00" ]
t_check "asm --hex: ja words (-8)" [ "$(sed -n 12p "$T/out")" = "05 00 f8 ff 00 00 00 00" ]
t_check "asm --hex: exit" [ "$(sed -n 24p "$T/out")" = "95 00 00 00 00 00 00 00" ]
cp "$T/out" "$T/hello.hex"

t_run "$BPFRT" asm - -o "$T/stdin.bin" <examples/hello.asm
t_out "asm from stdin" ""
t_check "asm from stdin: same bytes" cmp -s "$T/stdin.bin" "$T/hello.bin"

t_run "$BPFRT" asm examples/hello.asm -o -
t_check "asm -o - writes to stdout" cmp -s "$T/out" "$T/hello.bin"

# Bytecode is not written to a terminal unless -o says so.
if command -v script >/dev/null 2>&1 &&
	script -qec true /dev/null >/dev/null 2>&1 </dev/null; then
	t_run script -qec "'$BPFRT' asm examples/hello.asm" /dev/null </dev/null
	t_check "asm refuses to write bytecode to a terminal" \
		[ "$rc:$(grep -c 'refusing to write bytecode to a terminal' "$T/out")" = 2:1 ]
	t_run script -qec "'$BPFRT' asm examples/hello.asm --hex" /dev/null </dev/null
	t_check "asm --hex writes to a terminal" [ "$rc:$(grep -c '^95 00 00 00' "$T/out")" = 0:1 ]
else
	skip "asm to a terminal: script(1) cannot make one here"
fi

# The three forms of one program disassemble alike (--format auto).
t_run "$BPFRT" disasm "$T/hello.bin"
t_check "disasm raw: exit 0, 24 lines" [ "$rc:$(wc -l <"$T/out")" = 0:24 ]
cp "$T/out" "$T/dis.raw"
t_check "disasm raw: first line" [ "$(sed -n 1p "$T/out")" = "     0:	r0 = 0x0" ]
t_check "disasm raw: last line" [ "$(sed -n 24p "$T/out")" = "    23:	exit" ]
t_run "$BPFRT" disasm examples/hello.asm
t_check "disasm detects assembler text" cmp -s "$T/out" "$T/dis.raw"
t_run "$BPFRT" disasm "$T/hello.hex"
t_check "disasm detects hex text" cmp -s "$T/out" "$T/dis.raw"
t_run "$BPFRT" disasm --format hex - <"$T/hello.hex"
t_check "disasm --format hex from stdin" cmp -s "$T/out" "$T/dis.raw"
t_run "$BPFRT" disasm --format=raw "$T/hello.bin"
t_check "disasm --format=raw" cmp -s "$T/out" "$T/dis.raw"

# Round trips: asm -> disasm -> asm gives the same bytes, in both syntaxes.
for syntax in llvm ubpf; do
	t_run "$BPFRT" disasm --syntax "$syntax" "$T/hello.bin"
	sed 's/^ *[0-9]*:	//' "$T/out" >"$T/rt.$syntax.s"
	t_run "$BPFRT" asm "$T/rt.$syntax.s" -o "$T/rt.$syntax.bin"
	t_out "round trip ($syntax): reassembles" ""
	t_check "round trip ($syntax): same bytes" cmp -s "$T/rt.$syntax.bin" "$T/hello.bin"
done
t_run "$BPFRT" asm examples/ipv4_parse.asm -o "$T/ipv4.bin"
t_run "$BPFRT" disasm "$T/ipv4.bin"
sed 's/^ *[0-9]*:	//' "$T/out" >"$T/ipv4.s"
t_run "$BPFRT" asm "$T/ipv4.s" -o "$T/ipv4.rt.bin"
t_check "round trip of ipv4_parse.asm (LLVM syntax)" cmp -s "$T/ipv4.rt.bin" "$T/ipv4.bin"

# LDDW takes two slots: the pc after it skips one; --bytes shows all 16 bytes.
printf 'r0 = 0x1122334455667788 ll\nexit\n' >"$T/lddw.s"
t_run "$BPFRT" disasm --bytes "$T/lddw.s"
t_out "disasm --bytes with lddw" "     0:	18 00 00 00 88 77 66 55 00 00 00 00 44 33 22 11	r0 = 0x1122334455667788 ll
     2:	95 00 00 00 00 00 00 00	exit"

# An invalid instruction is shown in its place, everything is printed, exit 1.
hex2bin "$T/bad.bin" b7 00 00 00 01 00 00 00  ff 00 00 00 00 00 00 00 \
	95 00 00 00 00 00 00 00
t_run "$BPFRT" disasm "$T/bad.bin"
t_err "disasm of an invalid opcode exits 1" 1 "1 invalid instruction" "bad.bin"
t_check "disasm of an invalid opcode prints every line" [ "$(wc -l <"$T/out")" -eq 3 ]
t_check "disasm names the invalid opcode" grep -q '^     1:	.*unknown opcode 0xff' "$T/out"
t_check "disasm prints the line after the invalid one" grep -q '^     2:	exit$' "$T/out"

# --json
t_run "$BPFRT" disasm --json --syntax ubpf "$T/bad.bin"
if have_python; then
	t_check "disasm --json is valid JSON with the right fields" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["syntax"] == "ubpf" and d["count"] == 3 and d["invalid"] == 1, d
i = d["insns"]
assert [x["pc"] for x in i] == [0, 1, 2], i
assert i[0] == {"pc": 0, "bytes": "b7 00 00 00 01 00 00 00", "text": "mov r0, 1", "valid": True}, i[0]
assert i[1]["valid"] is False and "0xff" in i[1]["text"], i[1]
assert i[2]["text"] == "exit", i[2]
' "$T/out"
else
	skip "disasm --json: python3 not available"
fi
t_check "disasm --json exits 1 when an instruction is invalid" [ "$rc" -eq 1 ]

# A failed asm leaves the output file alone.
echo keep >"$T/keep"
printf 'mov r0, 1\nexit\naddd r0, 1\n' >"$T/typo.s"
t_run "$BPFRT" asm "$T/typo.s" -o "$T/keep"
t_err "asm with an unknown mnemonic" 1 "typo.s" "line 3" "addd"
t_check "a failed asm leaves -o OUT untouched" [ "$(cat "$T/keep")" = keep ]

t_end
