#!/bin/sh
# The README's demo: parse a real UDP packet with an eBPF program.
set -e
BPFRT=${1:-build/bpfrt}
cd "$(dirname "$0")/.."
echo "== The program (examples/ipv4_parse.asm), as bpfrt disassembles it:"
"$BPFRT" disasm examples/ipv4_parse.asm | head -25
echo "   ... ($("$BPFRT" disasm examples/ipv4_parse.asm | wc -l) instructions)"
echo
echo "== The input: examples/udp_packet.bin ($(wc -c <examples/udp_packet.bin) bytes, Ethernet + IPv4 + UDP, a DNS query)"
od -A d -t x1 examples/udp_packet.bin | head -5
echo
echo "== Run: the program returns the UDP destination port (or a negative verdict)"
for e in checked interp; do
	printf '%-8s ' "$e:"
	"$BPFRT" run examples/ipv4_parse.asm --mem examples/udp_packet.bin --engine "$e" --repeat 100000 | tr '\n' ' '
	echo
done
echo
echo "== A truncated packet is caught by the program's own bounds checks:"
head -c 30 examples/udp_packet.bin >/tmp/bpfrt-demo-short.bin
"$BPFRT" run examples/ipv4_parse.asm --mem /tmp/bpfrt-demo-short.bin
rm -f /tmp/bpfrt-demo-short.bin

echo
echo "== A real ELF object: tests/progs/xdp_parse.bpf.c compiled by clang (libbpf headers),"
echo "   opened by bpfrt's loader (BTF, maps, relocations) without a kernel:"
OBJ=${TMPDIR:-/tmp}/bpfrt-demo-xdp_parse.o
if clang -target bpf -g -O2 -mcpu=v3 -I/usr/include/"$(cc -print-multiarch 2>/dev/null)" \
	-c tests/progs/xdp_parse.bpf.c -o "$OBJ" 2>/dev/null; then
	"$BPFRT" prog list "$OBJ"
	echo
	"$BPFRT" map list "$OBJ"
	echo
	"$BPFRT" disasm "$OBJ" --prog xdp_parse | head -24
	echo "   ..."
	rm -f "$OBJ"
else
	echo "   (skipped: clang cannot compile BPF programs here)"
fi
