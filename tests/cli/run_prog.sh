#!/bin/sh
# bpfrt run: the examples on every engine, with and without memory, --json,
# --repeat, --budget, faults, helpers.
. "$(dirname "$0")/lib.inc"

engines="interp checked interp-switch checked-switch"
pkt=examples/udp_packet.bin

# hello.asm: the Internet checksum of the memory.
for e in $engines; do
	t_run "$BPFRT" run examples/hello.asm --engine "$e" --mem-hex "$(cat examples/packet.hex)"
	t_out "hello.asm checksums packet.hex ($e)" "retval: 0xb861 (47201)"
	t_run "$BPFRT" run examples/hello.asm --engine "$e"
	t_out "hello.asm without memory ($e)" "retval: 0xffff (65535)"
done
hex2bin "$T/hdr.bin" $(sed 's/00 00 c0 a8 00 01/b8 61 c0 a8 00 01/' examples/packet.hex)
t_run "$BPFRT" run examples/hello.asm --mem "$T/hdr.bin"
t_out "hello.asm over a header with its checksum: 0" "retval: 0x0 (0)"
hex2bin "$T/odd.bin" 01 02 03
t_run "$BPFRT" run examples/hello.asm --mem "$T/odd.bin"
t_out "hello.asm pads an odd last byte" "retval: 0xfbfd (64509)"
"$BPFRT" asm examples/hello.asm -o "$T/hello.bin"
t_run "$BPFRT" run "$T/hello.bin" --mem - <"$T/hdr.bin"
t_out "run of bytecode with --mem from stdin" "retval: 0x0 (0)"

# ipv4_parse.asm on udp_packet.bin, which make_packet.sh rebuilds exactly.
sh examples/make_packet.sh "$T/pkt.bin"
t_check "make_packet.sh rebuilds udp_packet.bin" cmp -s "$T/pkt.bin" "$pkt"
for e in $engines; do
	t_run "$BPFRT" run examples/ipv4_parse.asm --engine "$e" --mem "$pkt"
	t_out "ipv4_parse: DNS query to port 53 ($e)" "retval: 0x35 (53)"
done
minus1="retval: 0xffffffffffffffff (18446744073709551615, -1)"
minus2="retval: 0xfffffffffffffffe (18446744073709551614, -2)"
minus3="retval: 0xfffffffffffffffd (18446744073709551613, -3)"
for n in 0 13 33 41; do
	head -c $n "$pkt" >"$T/short.bin"
	t_run "$BPFRT" run examples/ipv4_parse.asm --mem "$T/short.bin"
	t_out "ipv4_parse: truncated to $n bytes" "$minus1"
done
t_run "$BPFRT" run examples/ipv4_parse.asm
t_out "ipv4_parse: no memory at all" "$minus1"
# Every prefix of the frame: the checked engine would fault on a read past
# the end; each one is truncated but the whole frame.
n=0 bad=
while [ $n -lt 71 ]; do
	head -c $n "$pkt" >"$T/short.bin"
	"$BPFRT" run examples/ipv4_parse.asm --mem "$T/short.bin" >"$T/out" 2>&1
	[ "$?:$(cat "$T/out")" = "0:$minus1" ] || bad="$bad $n"
	n=$((n + 1))
done
t_check "ipv4_parse: every prefix of the frame is truncated, no fault${bad:+ (not:$bad)}" [ -z "$bad" ]
# patch OFFSET HEX: a copy of the packet with one byte changed, in $T/p.bin.
patch() {
	cp "$pkt" "$T/p.bin"
	printf "\\$(printf '%03o' "0x$2")" | dd of="$T/p.bin" bs=1 seek="$1" conv=notrunc 2>/dev/null
}
patch 25 9c
t_run "$BPFRT" run examples/ipv4_parse.asm --mem "$T/p.bin"
t_out "ipv4_parse: wrong header checksum" "$minus3"
patch 14 44
t_run "$BPFRT" run examples/ipv4_parse.asm --mem "$T/p.bin"
t_out "ipv4_parse: IHL 4 is malformed" "$minus2"
patch 14 65
t_run "$BPFRT" run examples/ipv4_parse.asm --mem "$T/p.bin"
t_out "ipv4_parse: version 6 in an IPv4 frame is malformed" "$minus2"
patch 13 06
t_run "$BPFRT" run examples/ipv4_parse.asm --mem "$T/p.bin"
t_out "ipv4_parse: ARP is not UDP" "retval: 0x0 (0)"
{ head -c 12 "$pkt"; printf '\201\000\000\144'; tail -c +13 "$pkt"; } >"$T/vlan.bin"
t_run "$BPFRT" run examples/ipv4_parse.asm --mem "$T/vlan.bin"
t_out "ipv4_parse: skips an 802.1Q tag" "retval: 0x35 (53)"

# --json
for e in $engines; do
	t_run "$BPFRT" run examples/ipv4_parse.asm --mem "$pkt" --engine "$e" --json
	if have_python; then
		t_check "run --json ($e)" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["retval"] == 53 and d["retval_hex"] == "0x35", d
assert d["engine"] == sys.argv[2] and d["repeat"] == 1, d
assert isinstance(d["duration_ns"], (int, float)) and d["duration_ns"] >= 0, d
assert d["file"] == "examples/ipv4_parse.asm", d
assert ("insns" in d) == sys.argv[2].startswith("checked"), d
assert "error" not in d, d
' "$T/out" "$e"
	else
		t_check "run --json ($e)" grep -q "\"retval\": 53,.*\"engine\": \"$e\"\|\"engine\": \"$e\".*\"retval\": 53" "$T/out"
	fi
done
t_run "$BPFRT" run examples/ipv4_parse.asm --mem "$T/short.bin" --json
if have_python; then
	t_check "run --json: retval is unsigned 64-bit" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["retval"] == 2**64 - 1 and d["retval_hex"] == "0xffffffffffffffff", d
' "$T/out"
else
	t_check "run --json: retval is unsigned 64-bit" grep -q '"retval": 18446744073709551615' "$T/out"
fi

# --repeat: the mean time per run; the memory carries over between runs
# (as with BPF_PROG_TEST_RUN), so a counter in it counts the runs.
t_run "$BPFRT" run examples/ipv4_parse.asm --mem "$pkt" --repeat 1000
t_check "run --repeat 1000: retval" [ "$rc:$(sed -n 1p "$T/out")" = "0:retval: 0x35 (53)" ]
t_check "run --repeat 1000: mean time" \
	grep -Eq '^time: [0-9]+\.[0-9] ns/run \(mean of 1000 runs, checked\)$' "$T/out"
printf 'ldxb r0, [r1+0]\nadd r0, 1\nstxb [r1+0], r0\nexit\n' >"$T/count.s"
for e in $engines; do
	t_run "$BPFRT" run "$T/count.s" --mem-hex 00 --repeat 5 --engine "$e"
	t_check "run --repeat 5: memory persists across runs ($e)" \
		[ "$rc:$(sed -n 1p "$T/out")" = "0:retval: 0x5 (5)" ]
done
t_run "$BPFRT" run "$T/count.s" --mem-hex 00 --repeat 7 --json
if have_python; then
	t_check "run --repeat --json" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["retval"] == 7 and d["repeat"] == 7 and d["insns"] == 4, d
' "$T/out"
fi

# Helpers: helper 5 returns its first argument, by `call 5` or by callx.
printf 'mov r1, 0x1234\ncall 5\nexit\n' >"$T/call5.s"
printf 'mov r1, 0x77\nmov r2, 5\ncallx r2\nexit\n' >"$T/callx.s"
for e in $engines; do
	t_run "$BPFRT" run "$T/call5.s" --engine "$e"
	t_out "call 5 returns its first argument ($e)" "retval: 0x1234 (4660)"
	t_run "$BPFRT" run "$T/callx.s" --engine "$e"
	t_out "callx r2 (= 5) returns its first argument ($e)" "retval: 0x77 (119)"
done

# Faults: the message names pc, size and region; exit 1.
printf 'ldxw r0, [r1+2]\nexit\n' >"$T/oob.s"
for e in checked checked-switch; do
	t_run "$BPFRT" run "$T/oob.s" --mem-hex "00 00 00 00" --engine "$e"
	t_err "out-of-bounds read faults ($e)" 1 "oob.s" "fault" "pc 0" "4 bytes" "mem"
	t_check "a fault prints no retval ($e)" [ ! -s "$T/out" ]
done
t_run "$BPFRT" run "$T/oob.s" --mem-hex "00 00 00 00" --json
t_check "a fault exits 1 with --json" [ "$rc" -eq 1 ]
if have_python; then
	t_check "run --json on a fault has error and stage" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["stage"] == "run" and "pc 0" in d["error"] and "retval" not in d, d
' "$T/out"
fi
printf 'mov r0, 0\nja -1\nexit\n' >"$T/forever.s"
t_run "$BPFRT" run "$T/forever.s" --budget 1000
t_err "--budget stops an endless loop" 1 "forever.s" "fault"
t_run "$BPFRT" run "$T/count.s" --mem-hex 00 --budget 3
t_err "--budget 3 stops a 4-instruction program" 1 "fault"
t_run "$BPFRT" run "$T/count.s" --mem-hex 00 --budget 4
t_out "--budget 4 lets a 4-instruction program finish" "retval: 0x1 (1)"
printf 'mov r2, 99\ncallx r2\nexit\n' >"$T/callx99.s"
t_run "$BPFRT" run "$T/callx99.s"
t_err "callx to an unregistered helper faults" 1 "fault"

t_end
