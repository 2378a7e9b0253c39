#!/bin/sh
# The README's demo: real eBPF programs on a real UDP packet. First a parser
# in assembler on every engine; then an XDP program compiled by clang against
# libbpf's headers, loaded with its maps and test-run as the kernel's
# BPF_PROG_TEST_RUN would, its maps read afterwards.
set -e
BPFRT=${1:-build/bpfrt}
cd "$(dirname "$0")/.."
PKT=examples/udp_packet.bin
TMP=$(mktemp -d "${TMPDIR:-/tmp}/bpfrt-demo.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

echo "== The input: $PKT ($(wc -c <"$PKT") bytes, Ethernet + IPv4 + UDP, a DNS query)"
od -A d -t x1 "$PKT" | head -5
echo

echo "== 1. A parser in assembler (examples/ipv4_parse.asm, $("$BPFRT" disasm examples/ipv4_parse.asm | wc -l) instructions):"
echo "   r1 = the packet, r2 = its length; it returns the UDP destination port."
for e in checked interp; do
	printf '%-8s ' "$e:"
	"$BPFRT" run examples/ipv4_parse.asm --mem "$PKT" --engine "$e" --repeat 100000 | tr '\n' ' '
	echo
done
echo "A truncated packet is caught by the program's own bounds checks (-1):"
head -c 30 "$PKT" >"$TMP/short.bin"
"$BPFRT" run examples/ipv4_parse.asm --mem "$TMP/short.bin"
echo

echo "== 2. An XDP program in C: tests/progs/xdp_parse.bpf.c, compiled by clang"
OBJ=$TMP/xdp_parse.o
if ! clang -target bpf -g -O2 -mcpu=v3 -I/usr/include/"$(cc -print-multiarch 2>/dev/null)" \
	-c tests/progs/xdp_parse.bpf.c -o "$OBJ" 2>"$TMP/cc.err"; then
	echo "   (skipped: clang cannot compile BPF programs against libbpf's headers here:"
	sed 's/^/   /' "$TMP/cc.err" | head -3
	echo "   run scripts/deps.sh)"
	exit 0
fi
echo "   Its programs and maps, as bpfrt's loader opens the object (no kernel):"
"$BPFRT" prog list "$OBJ"
"$BPFRT" map list "$OBJ"
echo
echo "   The parser's entry, relocated, with its source lines:"
"$BPFRT" disasm "$OBJ" --prog xdp_parse | head -12
echo "   ..."
echo

# The XDP verdicts, for the reader.
action() {
	case $1 in
	0) echo XDP_ABORTED ;; 1) echo XDP_DROP ;; 2) echo XDP_PASS ;; 3) echo XDP_TX ;;
	4) echo XDP_REDIRECT ;; *) echo "?" ;;
	esac
}
run() {
	"$BPFRT" run "$OBJ" --prog xdp_parse "$@" >"$TMP/out"
	cat "$TMP/out"
	ret=$(sed -n 's/^retval: 0x[0-9a-f]* (\([0-9]*\).*/\1/p' "$TMP/out" | head -n 1)
	echo "   -> $(action "$ret")"
}
# le64 N: the N-th little-endian u64 (from 1) of CPU 0's value in the dump
# line on standard input.
le64() {
	n=$1 hex=
	# shellcheck disable=SC2046
	set -- $(sed 's/.*cpu 0: //')
	shift $(( (n - 1) * 8 ))
	for _ in 1 2 3 4 5 6 7 8; do
		hex=$1$hex
		shift
	done
	echo $(( 0x$hex ))
}
echo "== Test run: xdp_parse on the packet (an xdp_md over it, 256 bytes of headroom),"
echo "   the packet after the run (data_out), then the maps (proto_stats: UDP's slot 2)"
run --data "$PKT" --dump-maps | sed '/^  key: 0[0134] 00 00 00  values:/d'
echo
echo "== The same packet cut inside its IPv4 header: counted as bad (slot 4), dropped:"
head -c 20 "$PKT" >"$TMP/cut.bin"
run --data "$TMP/cut.bin"
echo
echo "== 100000 runs on the fast engine; the counters carry over from run to run:"
"$BPFRT" run "$OBJ" --prog xdp_parse --data "$PKT" --engine interp --repeat 100000 \
	--dump-maps >"$TMP/out"
grep '^retval\|^time' "$TMP/out"
slot=$(grep '^  key: 02 00 00 00  values:' "$TMP/out")
echo "proto_stats slot 2 on cpu 0: $(echo "$slot" | le64 1) packets, $(echo "$slot" | le64 2) bytes"
echo
echo "== One live session (bpfrt shell): runs and map commands on the same maps:"
printf '%s\n' \
	"run --prog xdp_count_all --data $PKT --repeat 3" \
	"map lookup seen 0" \
	"map update seen 0 1000" \
	"run --prog xdp_count_all --data $PKT" \
	"map lookup seen 0" | tee "$TMP/script" | sed 's/^/   > /'
"$BPFRT" shell "$OBJ" --script "$TMP/script" | grep -v '^data_out'
echo "   (a fresh run would start from the object's initial values: see"
echo "   \`bpfrt help run\`, \`bpfrt help map\` and \`bpfrt help shell\`)"
