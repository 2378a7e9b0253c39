#!/bin/sh
# make_packet.sh - write examples/udp_packet.bin, the input of ipv4_parse.asm:
# a DNS query for example.com (type A) from 192.168.1.10:51234 to
# 192.168.1.1:53, in UDP, in IPv4, in Ethernet, with correct IPv4 header and
# UDP checksums. 71 bytes. Plain POSIX sh, so the bytes can be checked by
# reading this file:
#
#   sh examples/make_packet.sh [OUT]      (default examples/udp_packet.bin)
set -eu
out=${1:-examples/udp_packet.bin}

# DNS: id 0x1234, flags RD, 1 question; "example.com", type A, class IN.
dns="12 34 01 00 00 01 00 00 00 00 00 00
     07 65 78 61 6d 70 6c 65 03 63 6f 6d 00 00 01 00 01"
src="c0 a8 01 0a"        # 192.168.1.10
dst="c0 a8 01 01"        # 192.168.1.1

count() { echo $#; }
hex16() { printf '%02x %02x' $(( ($1 >> 8) & 255 )) $(( $1 & 255 )); }

# The Internet checksum (RFC 1071) of the bytes given as hex arguments.
checksum() {
	s=0
	while [ $# -ge 2 ]; do
		s=$(( s + 0x$1 * 256 + 0x$2 ))
		shift 2
	done
	if [ $# -eq 1 ]; then s=$(( s + 0x$1 * 256 )); fi
	while [ $(( s >> 16 )) -ne 0 ]; do
		s=$(( (s & 0xffff) + (s >> 16) ))
	done
	echo $(( s ^ 0xffff ))
}

udp_len=$(( 8 + $(count $dns) ))
ip_len=$(( 20 + udp_len ))

# IPv4: version 4, IHL 5, id 0x1c46, don't fragment, TTL 64, protocol 17.
ip_head="45 00 $(hex16 $ip_len) 1c 46 40 00 40 11"
ip="$ip_head $(hex16 "$(checksum $ip_head 00 00 $src $dst)") $src $dst"

# UDP: the checksum covers a pseudo header (addresses, protocol, length).
udp_head="c8 22 00 35 $(hex16 $udp_len)"
udp_sum=$(checksum $src $dst 00 11 $(hex16 $udp_len) $udp_head 00 00 $dns)
if [ "$udp_sum" -eq 0 ]; then udp_sum=65535; fi # 0 would mean "no checksum"
udp="$udp_head $(hex16 $udp_sum)"

# Ethernet: destination, source, EtherType IPv4.
eth="02 00 00 00 00 01 02 00 00 00 00 02 08 00"

for b in $eth $ip $udp $dns; do
	printf "\\$(printf '%03o' "0x$b")"
done >"$out"
