# hello.asm - the Internet checksum (RFC 1071) of the input memory.
#
# At entry r1 points to the memory and r2 holds its length. The memory is
# summed as big-endian 16-bit words (an odd last byte is padded with a zero
# byte), the carries are folded back into 16 bits and the ones' complement
# of the sum is returned. Over an IPv4 header whose checksum field is zero
# that is the checksum to put there; over a header that already carries a
# correct checksum it is 0.
#
#   bpfrt run examples/hello.asm --mem-hex "$(cat examples/packet.hex)"
#   retval: 0xb861 (47201)
#
# Written in the uBPF / conformance-suite syntax; examples/ipv4_parse.asm
# uses the LLVM syntax. The assembler reads both.

	mov r0, 0               # the sum
	mov r3, r1              # cursor
	mov r4, r1
	add r4, r2              # end of the memory
words:
	mov r5, r3
	add r5, 2
	jgt r5, r4, tail        # fewer than two bytes left
	ldxh r6, [r3+0]
	be16 r6                 # network byte order
	add r0, r6
	mov r3, r5
	ja words
tail:
	jge r3, r4, fold        # no odd byte
	ldxb r6, [r3+0]
	lsh r6, 8
	add r0, r6
fold:
	mov r6, r0
	rsh r6, 16
	jeq r6, 0, done         # no carries left
	and r0, 0xffff
	add r0, r6
	ja fold
done:
	xor r0, 0xffff
	exit
