# ipv4_parse.asm - classify an Ethernet frame; return its UDP destination port.
#
# At entry r1 points to the frame and r2 holds its length. Every read is
# checked against the end of the frame first, as the kernel's verifier
# demands of an XDP program. Returns:
#
#    1..65535  the UDP destination port: IPv4, first fragment, header
#              checksum correct (an optional 802.1Q VLAN tag is skipped)
#    0         not UDP over IPv4 (another EtherType or protocol, or a
#              fragment other than the first)
#   -1         truncated: the frame ends inside a header
#   -2         malformed IPv4 header (version, header or total length)
#   -3         wrong IPv4 header checksum
#
#   bpfrt run examples/ipv4_parse.asm --mem examples/udp_packet.bin
#   retval: 0x35 (53)
#
# Written in the LLVM syntax (what llvm-objdump prints); examples/hello.asm
# uses the uBPF syntax. The assembler reads both.

	r6 = r1                         # r6: start of the frame
	r7 = r1
	r7 += r2                        # r7: end of the frame

	# Ethernet: destination, source, EtherType at 12; 14 bytes.
	r8 = r6
	r8 += 14                        # r8: start of the network header
	if r8 > r7 goto truncated
	r3 = *(u16 *)(r6 + 12)
	r3 = be16 r3
	if r3 != 0x8100 goto ethertype
	# One 802.1Q tag (TCI, then the real EtherType): 4 more bytes.
	r8 += 4
	if r8 > r7 goto truncated
	r3 = *(u16 *)(r6 + 16)
	r3 = be16 r3
ethertype:
	if r3 != 0x800 goto other

	# IPv4: at least 20 bytes; IHL counts 32-bit words.
	r3 = r8
	r3 += 20
	if r3 > r7 goto truncated
	r4 = *(u8 *)(r8 + 0)            # version (high nibble), IHL (low)
	r3 = r4
	r3 >>= 4
	if r3 != 4 goto malformed
	r4 &= 0xf
	r4 <<= 2                        # r4: header length in bytes
	if r4 < 20 goto malformed
	r9 = r8
	r9 += r4                        # r9: start of the transport header
	if r9 > r7 goto truncated
	r3 = *(u16 *)(r8 + 2)           # total length: header and payload
	r3 = be16 r3
	if r3 < r4 goto malformed
	r2 = r8
	r2 += r3                        # r2: end of the datagram
	if r2 > r7 goto truncated

	# The ones' complement sum of the header's 16-bit words, checksum
	# included, is 0xffff when the checksum is right. Such sums do not
	# depend on byte order (RFC 1071), so words are added as loaded.
	r0 = 0
	r3 = r8
sum:
	r5 = *(u16 *)(r3 + 0)
	r0 += r5
	r3 += 2
	if r3 < r9 goto sum
fold:
	r5 = r0
	r5 >>= 16
	if r5 == 0 goto folded
	r0 &= 0xffff
	r0 += r5
	goto fold
folded:
	if r0 != 0xffff goto bad_checksum

	# Only the first fragment (offset 0) holds the UDP header.
	r3 = *(u16 *)(r8 + 6)           # flags and fragment offset
	r3 = be16 r3
	r3 &= 0x1fff
	if r3 != 0 goto other
	r3 = *(u8 *)(r8 + 9)            # protocol
	if r3 != 17 goto other

	# UDP: source port, destination port, length, checksum; 8 bytes, which
	# must lie inside the datagram.
	r3 = r9
	r3 += 8
	if r3 > r2 goto malformed
	r0 = *(u16 *)(r9 + 2)
	r0 = be16 r0
	exit

other:
	r0 = 0
	exit
truncated:
	r0 = -1
	exit
malformed:
	r0 = -2
	exit
bad_checksum:
	r0 = -3
	exit
