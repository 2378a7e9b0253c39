#!/bin/sh
# bpfrt run FILE.o: objects are loaded (live maps, global data, frozen
# .rodata) and one program is test-run as BPF_PROG_TEST_RUN would for its
# type, with the kernel's helpers: corpus programs ($BUILD/progs, built by
# `make progs`) on a real Ethernet/IPv4/UDP frame on every engine, contexts
# (--ctx), --map-init and --dump-maps, events and trace lines, global data
# across --repeat, faults, and the errors of test-run inputs. The programs
# of tests/cli/data/*.bpf.c are compiled here with clang. SKIPs what is
# missing.
. "$(dirname "$0")/lib.inc"

engines="interp checked interp-switch checked-switch"
pkt=examples/udp_packet.bin
pkt_hex=$(hex_of "$pkt")
eth=$(echo "$pkt_hex" | cut -d' ' -f1-14)   # Ethernet header
rest=$(echo "$pkt_hex" | cut -d' ' -f15-)   # IPv4, UDP, DNS

# The JSON of --dump-maps, read by the python checks: u(m, name, key, off,
# size) is the little-endian number at `off` in the value of `key` (an int,
# little-endian in the map's key size); per-CPU maps take cpu=N.
pyhead='
import json, sys
def maps(d):
	return {m["name"]: m for m in d["maps"]}
def u(m, name, key, off, size, cpu=None):
	for e in m[name]["elements"]:
		k = bytes(int(b, 16) for b in e["key"])
		if int.from_bytes(k, "little") != key:
			continue
		v = e["value"] if cpu is None else e["values"][cpu]["value"]
		return int.from_bytes(bytes(int(b, 16) for b in v[off:off + size]), "little")
	raise KeyError((name, key))
'

# ---- the corpus on a real packet --------------------------------------------

parse=$(corpus xdp_parse)
if [ -z "$parse" ]; then
	skip "test runs of the corpus: not built in $BUILD/progs (make progs needs clang and libbpf-dev)"
else
	# xdp_parse counts the UDP frame (slot 2) and passes it unchanged.
	for e in $engines; do
		t_run "$BPFRT" run "$parse" --prog xdp_parse --data "$pkt" --engine "$e"
		t_out "xdp_parse passes a UDP frame, data_out unchanged ($e)" "retval: 0x2 (2)
data_out (71 bytes): $pkt_hex"
	done
	t_run "$BPFRT" run "$parse" --prog xdp_parse --mem "$pkt"
	t_out "--mem is --data" "retval: 0x2 (2)
data_out (71 bytes): $pkt_hex"
	head -c 20 "$pkt" >"$T/trunc20.bin"
	t_run "$BPFRT" run "$parse" --prog xdp_parse --data "$T/trunc20.bin"
	t_head "xdp_parse drops a frame cut in its IPv4 header (XDP_DROP)" "retval: 0x1 (1)"
	t_run "$BPFRT" run "$parse" --prog xdp_parse --data "$pkt" --repeat 5 --dump-maps --json
	py "xdp_parse --repeat 5 --dump-maps --json: 5 UDP packets, 355 bytes on cpu 0" "$pyhead"'
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) == 1, lines
d = json.loads(lines[0])
assert d["retval"] == 2 and d["prog"] == "xdp_parse" and d["repeat"] == 5 and d["insns"] > 0, d
assert d["data_out"] == sys.argv[2].replace(" ", ""), d
m = maps(d)
assert m["proto_stats"]["type"] == "percpu_array", m
assert (u(m, "proto_stats", 2, 0, 8, cpu=0), u(m, "proto_stats", 2, 8, 8, cpu=0)) == (5, 355)
assert all(u(m, "proto_stats", k, 0, 8, cpu=0) == 0 for k in (0, 1, 3, 4))
' "$T/out" "$pkt_hex"
	t_run "$BPFRT" run "$parse" --prog xdp_parse --data "$pkt" --cpu 1 --dump-maps --json
	py "xdp_parse --cpu 1: counted in CPU 1's slot" "$pyhead"'
m = maps(json.load(open(sys.argv[1])))
cpus = len(m["proto_stats"]["elements"][0]["values"])
assert u(m, "proto_stats", 2, 0, 8, cpu=0) == 0
assert cpus < 2 or u(m, "proto_stats", 2, 0, 8, cpu=1) == 1
' "$T/out"
	t_run "$BPFRT" run "$parse" --data "$pkt"
	t_err "an object of two programs without --prog" 2 "2 programs, choose one with --prog: xdp_parse, xdp_count_all"
	t_run "$BPFRT" run "$parse" --prog nosuch --data "$pkt"
	t_err "--prog of no program" 1 "no program 'nosuch' (programs: xdp_parse, xdp_count_all)"
fi

sockf=$(corpus sock_filter)
if [ -n "$sockf" ]; then
	# A socket filter sees the frame from its IP header (skb->len 57), and
	# data_out has the Ethernet header zeroed, as the kernel's has. These
	# programs read at Ethernet offsets from there, as they would in the
	# kernel's test run: sock_http_only finds no IPv4 EtherType (0), and
	# the "protocol" sock_count_proto counts is byte 23 of the IP packet,
	# the low byte of the UDP destination port (53).
	zero_eth="00 00 00 00 00 00 00 00 00 00 00 00 00 00 $rest"
	for e in $engines; do
		t_run "$BPFRT" run "$sockf" --prog sock_http_only --data "$pkt" --engine "$e"
		t_out "socket filter (LD_ABS): data_out without its Ethernet header ($e)" "retval: 0x0 (0)
data_out (71 bytes): $zero_eth"
	done
	t_run "$BPFRT" run "$sockf" --prog sock_count_proto --data "$pkt" --repeat 2 --dump-maps --json
	py "sock_count_proto: bpf_skb_load_bytes, 2 x 57 bytes" "$pyhead"'
m = maps(json.load(open(sys.argv[1])))
assert u(m, "proto_count", 53, 0, 8) == 114 and u(m, "proto_count", 17, 0, 8) == 0
' "$T/out"
	head -c 10 "$pkt" >"$T/short.bin"
	t_run "$BPFRT" run "$sockf" --prog sock_count_proto --data "$T/short.bin"
	t_err "socket filter on 10 bytes: refused, saying what was given" 1 \
		"program 'sock_count_proto' (socket_filter)" "refused its input" "data: 10 bytes, ctx: none" "Ethernet frame of 14"
	t_run "$BPFRT" run "$sockf" --prog sock_count_proto --data "$pkt" --cpu 1
	t_err "--cpu of a socket filter is a usage error" 2 "--cpu" "socket_filter"
fi

tc=$(corpus tc_rewrite)
if [ -n "$tc" ]; then
	# tc_remark: DSCP 10 (.rodata default) with l3_csum_replace; with a
	# rule for port 53 (--map-init) also port 5353 with l4_csum_replace,
	# DSCP 46, skb->mark 0x1234 and priority 5 in ctx_out. Both checksums
	# must still be right.
	ck='
import sys
def csum(b):
	b += b"\0" * (len(b) % 2)
	s = sum(int.from_bytes(b[i:i + 2], "big") for i in range(0, len(b), 2))
	while s >> 16:
		s = (s & 0xffff) + (s >> 16)
	return s
def frame(out):
	line = [l for l in open(out) if l.startswith("data_out (71 bytes): ")][0]
	f = bytes.fromhex(line.split(":", 1)[1])
	ip, udp = f[14:34], f[34:]
	assert csum(ip) == 0xffff, "IPv4 header checksum"
	assert csum(ip[12:20] + bytes([0, 17]) + len(udp).to_bytes(2, "big") + udp) == 0xffff, "UDP checksum"
	return f
'
	for e in $engines; do
		t_run "$BPFRT" run "$tc" --prog tc_remark --data "$pkt" --engine "$e"
		py "tc_remark: TC_ACT_OK, TOS 0x28, checksums right ($e)" "$ck"'
f = frame(sys.argv[1])
assert open(sys.argv[1]).readline() == "retval: 0x0 (0)\n"
assert f[15] == 0x28 and f[36:38] == b"\x00\x35"
' "$T/out"
	done
	cat >"$T/rules.json" <<-'EOF'
	{ "port_rules": [ { "key": "00 35", "value": "14 e9 2e 00 34 12 00 00" } ] }
	EOF
	zctx=$(printf '%0384d' 0)
	for e in $engines; do
		t_run "$BPFRT" run "$tc" --prog tc_remark --data "$pkt" --map-init "$T/rules.json" --ctx-hex "$zctx" --engine "$e" --dump-maps
		py "tc_remark with a port rule: port 5353, DSCP 46, mark, priority, counts ($e)" "$ck"'
f = frame(sys.argv[1])
text = open(sys.argv[1]).read()
assert f[15] == 46 << 2 and f[36:38] == (5353).to_bytes(2, "big")
ctx = bytes.fromhex([l for l in text.splitlines() if l.startswith("ctx_out (192 bytes): ")][0][21:])
assert ctx[8:12] == (0x1234).to_bytes(4, "little") and ctx[32:36] == (5).to_bytes(4, "little")
assert "  key: 00 00 00 00  value: 01 00 00 00 00 00 00 00\n  key: 01 00 00 00  value: 01 00 00 00 00 00 00 00\n" in text
' "$T/out"
	done
	t_run "$BPFRT" run "$tc" --prog tc_legacy_cls --data "$pkt"
	t_head "a negative retval is shown signed too (TC_ACT_UNSPEC)" "retval: 0xffffffff (4294967295, -1)"
fi

glob=$(corpus globals)
if [ -n "$glob" ]; then
	# xdp_globals on the frame 3 times: global data in every section, the
	# variables found where disasm says they are.
	t_run "$BPFRT" disasm "$glob" --prog xdp_globals
	off() { sed -n "s/.*# $1 + \([0-9]*\) ($2)\$/\1/p" "$T/dis" | head -n 1; }
	cp "$T/out" "$T/dis"
	for e in $engines; do
		t_run "$BPFRT" run "$glob" --prog xdp_globals --data "$pkt" --repeat 3 --dump-maps --json --engine "$e"
		py "xdp_globals --repeat 3: .data, .bss and .data.custom carry over ($e)" "$pyhead"'
d = json.load(open(sys.argv[1]))
m = maps(d)
o = dict(zip(("packets", "total_bytes", "last_len", "calls", "custom_counter"), map(int, sys.argv[2:])))
assert d["retval"] == 2, d
assert u(m, "globals.bss", 0, o["packets"], 8) == 3
assert u(m, "globals.data", 0, o["total_bytes"], 8) == 1 + 3 * 71 * 3
assert u(m, "globals.data", 0, o["last_len"], 4) == 71
assert u(m, "globals.data", 0, o["calls"], 4) == 7 + 3
assert u(m, ".data.custom", 0, o["custom_counter"], 8) == 42 + 3 * 8
assert u(m, ".rodata.custom", 0, 0, 4) == 0xc0ffee
' "$T/out" "$(off .bss packets)" "$(off .data total_bytes)" "$(off .data last_len)" \
			"$(off .data calls)" "$(off .data.custom custom_counter)"
	done
fi

loops=$(corpus loops)
if [ -n "$loops" ]; then
	# bpf_loop and bpf_for_each_map_elem: 3 hash elements (--map-init) make
	# the count odd (XDP_TX); every array element gets its key added.
	printf '{"loop_hash": [{"key": 1, "value": 10}, {"key": 2, "value": 20}, {"key": 3, "value": 30}]}\n' >"$T/loops.json"
	for e in $engines; do
		t_run "$BPFRT" run "$loops" --data "$pkt" --engine "$e"
		t_head "xdp_loops with an empty hash: XDP_PASS ($e)" "retval: 0x2 (2)"
		t_run "$BPFRT" run "$loops" --data "$pkt" --map-init "$T/loops.json" --dump-maps --json --engine "$e"
		py "xdp_loops with 3 hash elements: XDP_TX, for_each over the array ($e)" "$pyhead"'
d = json.load(open(sys.argv[1]))
m = maps(d)
assert d["retval"] == 3, d
assert [u(m, "loop_arr", k, 0, 8) for k in range(32)] == list(range(32))
assert sorted(u(m, "loop_hash", k, 0, 8) for k in (1, 2, 3)) == [10, 20, 30]
' "$T/out"
	done
fi

sub=$(corpus subprogs)
if [ -n "$sub" ]; then
	for e in $engines; do
		t_run "$BPFRT" run "$sub" --prog sock_sub --data "$pkt" --engine "$e"
		t_head "bpf-to-bpf calls in a socket filter ($e)" "retval: 0x39 (57)"
	done
fi

pt=$(corpus progtypes)
if [ -n "$pt" ]; then
	# xdp_tag: 8 bytes of metadata (length 71, ifindex 1), a 4-byte tag
	# after the Ethernet header (head moved by 4), 2 bytes more at the tail.
	md="00 00 00 00 47 00 00 00 00 00 00 00 01 00 00 00 00 00 00 00 00 00 00 00"
	for e in $engines; do
		t_run "$BPFRT" run "$pt" --prog xdp_tag --data "$pkt" --ctx-hex "$md" --engine "$e"
		t_out "xdp_tag: adjust_meta, adjust_head, adjust_tail; data_out and ctx_out ($e)" "retval: 0x3 (3)
data_out (85 bytes): 47 00 00 00 01 00 00 00 $eth bf 7e 00 47 $rest 00 00
ctx_out (24 bytes): 08 00 00 00 55 00 00 00 00 00 00 00 01 00 00 00 00 00 00 00 00 00 00 00"
	done
	# sock_web: the same frame made TCP to port 80 is kept whole (skb->len).
	{ head -c 23 "$pkt"; printf '\006'; head -c 36 "$pkt" | tail -c 12; printf '\000\120'; tail -c +39 "$pkt"; } >"$T/http.bin"
	t_check "the TCP frame is the UDP frame with 2 bytes changed" [ "$(cmp -l "$pkt" "$T/http.bin" | wc -l)" -eq 2 ]
	for e in $engines; do
		t_run "$BPFRT" run "$pt" --prog sock_web --data "$pkt" --engine "$e"
		t_head "socket filter: UDP to port 53 is dropped ($e)" "retval: 0x0 (0)"
		t_run "$BPFRT" run "$pt" --prog sock_web --data "$T/http.bin" --engine "$e"
		t_head "socket filter: TCP to port 80 is kept whole ($e)" "retval: 0x39 (57)"
	done
	# Contexts in: pt_regs (di, si, dx, ip), raw tracepoint arguments, a
	# tracepoint record.
	regs="$(printf '%0192d' 0)0300000000000000020000000000000001000000000000000000000000000000bc02000000000000$(printf '%064d' 0)"
	for e in $engines; do
		t_run "$BPFRT" run "$pt" --prog kprobe_args --ctx-hex "$regs" --engine "$e"
		t_out "kprobe: pt_regs from --ctx ($e)" "retval: 0x16 (22)"
		t_run "$BPFRT" run "$pt" --prog raw_tp_args --ctx-hex "0100000000000000 0200000000000000 0301000000000000" --engine "$e"
		t_out "raw tracepoint: u64 arguments from --ctx ($e)" "retval: 0x10 (16)"
		t_run "$BPFRT" run "$pt" --prog tp_record --ctx-hex "$(printf '%016d' 0)0101000000000000$(printf '%032d' 0)0700000000000000$(printf '%048d' 0)" --engine "$e"
		t_out "tracepoint: the record from --ctx ($e)" "retval: 0x3ebef (257007)"
	done
	printf '\001\000\000\000\000\000\000\000' >"$T/arg.bin"
	t_run "$BPFRT" run "$pt" --prog raw_tp_args --ctx - <"$T/arg.bin"
	t_err "raw tracepoint: fewer arguments than the program reads" 1 \
		"program 'raw_tp_args' (raw_tracepoint)" "refused its input" "data: none, ctx: 8 bytes"
	t_run "$BPFRT" run "$pt" --prog raw_tp_args --ctx-hex "$(printf '%048d' 0)" --cpu 1
	t_out "raw tracepoint --cpu (BPF_F_TEST_RUN_ON_CPU)" "retval: 0x0 (0)"
	t_run "$BPFRT" run "$pt" --prog raw_tp_args --ctx-hex "$(printf '%048d' 0)" --repeat 2
	t_err "--repeat of a raw tracepoint is a usage error" 2 "--repeat: raw_tracepoint programs are test-run once"
	t_run "$BPFRT" run "$pt" --prog kprobe_args --data "$pkt"
	t_err "--data of a kprobe is a usage error" 2 "--data: kprobe programs take no data"
	t_run "$BPFRT" run "$pt" --prog xdp_tag --data "$pkt" --ctx-hex "00 1"
	t_err "--ctx-hex that is not hex" 2 "--ctx-hex" "odd"
	t_run "$BPFRT" run "$pt" --prog xdp_tag --data "$pkt" --ctx "$T/nosuch.ctx"
	t_err "--ctx of a missing file" 1 "nosuch.ctx" "No such file"
fi

# Programs bpfrt cannot load say why, in one line of the CLI's (the
# library may warn first).
lb=$(corpus xdp_lb)
if [ -n "$lb" ]; then
	t_run "$BPFRT" run "$lb" --data "$pkt" --json
	t_check "a map type bpfrt lacks: exit 1, the map named" \
		sh -c '[ "$1" -eq 1 ] && tail -n 1 "$2" | grep -q "bpfrt run: .*map '\''cpu_map'\'' (cpumap): cannot create it"' sh "$rc" "$T/err"
	py "a map type bpfrt lacks: --json reports stage load" '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["stage"] == "load" and "cpu_map" in d["error"] and "retval" not in d, d
' "$T/out"
fi

# Programs referring to maps without value memory: prog_array, map-in-map.
tail=$(corpus tailcall)
if [ -n "$tail" ]; then
	t_run "$BPFRT" run "$tail" --prog tc_entry --data "$pkt" --dump-maps
	t_check "tail calls: tc_entry -> tc_parse -> tc_policy -> tc_nat records skb->len in ct" \
		sh -c '[ "$1" -eq 0 ] && head -n 1 "$2" | grep -qx "retval: 0x0 (0)" && grep -q "value: 47 00 00 00$" "$2"' sh "$rc" "$T/out"
	for f in "$pkt" "$T/trunc20.bin"; do
		t_run "$BPFRT" run "$tail" --prog xdp_dispatch --data "$f"
		t_check "tail call through a computed index: odd length XDP_DROP, even XDP_PASS ($(wc -c <"$f") bytes)" \
			[ "$rc:$(head -n 1 "$T/out")" = "0:retval: 0x$(( 2 - $(wc -c <"$f") % 2 )) ($(( 2 - $(wc -c <"$f") % 2 )))" ]
	done
fi
# bpf_perf_event_output of XDP with BPF_F_CTXLEN_MASK: the sample carries
# its 4 bytes of metadata (cookie 0xdead, length 71) and 64 packet bytes.
pb=$(corpus perfbuf)
if [ -n "$pb" ]; then
	t_run "$BPFRT" run "$pb" --prog xdp_sample --data "$pkt"
	t_check "an XDP perf sample with packet bytes (BPF_F_CTXLEN_MASK)" \
		sh -c '[ "$1" -eq 0 ] && grep -q "^event: perf '"'"'pkt_events'"'"' cpu 0 (68 bytes): ad de 47 00 02 00 00 00 00 01" "$2"' sh "$rc" "$T/out"
fi
mim=$(corpus map_in_map)
if [ -n "$mim" ]; then
	t_run "$BPFRT" run "$mim" --data "$pkt" --dump-maps
	t_head "maps of maps: tc_mim" "retval: 0x0 (0)"
fi

# ---- programs of our own -----------------------------------------------------

data_obj globals_run
case $? in
1) skip "test runs of tests/cli/data objects: no clang"; t_end ;;
2) t_end ;;
esac
gr=$T/globals_run.o

# Memory programs (section "mem"): r1 = data, r2 = its length. globals_run
# returns 100 (.data) + 5 * 3 (.rodata) + 1 run (.bss) + 30 (.rodata).
for e in $engines; do
	t_run "$BPFRT" run "$gr" --prog globals_run --data-hex "05 00 00 00" --engine "$e"
	t_out "global data: .data, .rodata and .bss ($e)" "retval: 0x92 (146)
data_out (4 bytes): 05 00 00 00"
	t_run "$BPFRT" run "$gr" --prog globals_run --data-hex "05 00 00 00" --engine "$e" --repeat 3
	t_head "global data persists across --repeat runs ($e)" "retval: 0xb2 (178)"
	t_check "--repeat prints the mean time ($e)" grep -Eq "^time: [0-9]+ ns/run \(mean of 3 runs, $e\)$" "$T/out"
done
t_run "$BPFRT" run "$gr" --prog globals_run --data-hex "05 00 00 00" --json --dump-maps
py "run --json of an object: one object; maps with the global data after the run" "$pyhead"'
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) == 1, lines
d = json.loads(lines[0])
assert d["prog"] == "globals_run" and d["retval"] == 146 and d["retval_hex"] == "0x92", d
assert d["insns"] > 0 and d["data_out"] == "05000000" and "ctx_out" not in d, d
m = maps(d)
assert [x["name"] for x in d["maps"]] == ["counters", "per_cpu", "globals_.rodata", "globals_.data", "globals_.bss"]
assert u(m, "globals_.data", 0, 0, 8) == 115 and u(m, "globals_.bss", 0, 0, 8) == 1
assert u(m, "globals_.rodata", 0, 0, 4) == 3 and m["counters"]["elements"] == []
' "$T/out"

# Faults: the message names pc, size and region; --json says stage run.
for e in checked checked-switch; do
	t_run "$BPFRT" run "$gr" --prog globals_run --data-hex "05 00" --engine "$e"
	t_err "a read past the data faults ($e)" 1 "program 'globals_run': fault: pc 0" "read of 4 bytes" "mem+0 (size 2)"
	t_check "a fault prints no retval ($e)" [ ! -s "$T/out" ]
	t_run "$BPFRT" run "$gr" --prog writes_rodata --engine "$e"
	t_err "a write to the frozen .rodata faults ($e)" 1 "program 'writes_rodata': fault: pc 3" "write of 4 bytes"
done
t_run "$BPFRT" run "$gr" --prog globals_run --data-hex "05 00" --json
py "a fault with --json: stage run" '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["stage"] == "run" and "pc 0" in d["error"] and "retval" not in d, d
' "$T/out"
t_run "$BPFRT" run "$gr" --prog globals_run --data-hex "05 00 00 00" --budget 5
t_err "--budget stops a program of an object" 1 "program 'globals_run': fault"

# Maps: --map-init fills them before the run, --dump-maps shows them after.
cat >"$T/init.json" <<'EOF'
{ "counters": [ { "key": 5, "value": 41 }, { "key": "07 00 00 00", "value": [1, 0, 0, 0, 0, 0, 0, 0] } ] }
EOF
for e in $engines; do
	t_run "$BPFRT" run "$gr" --prog count_key --data-hex "05 00 00 00" --engine "$e"
	t_head "a look-up of a missing key: -1 ($e)" "retval: 0xffffffff (4294967295, -1)"
	t_run "$BPFRT" run "$gr" --prog count_key --data-hex "05 00 00 00" --map-init "$T/init.json" --repeat 3 --engine "$e"
	t_head "--map-init, then 3 runs on the same map ($e)" "retval: 0x2c (44)"
done
t_run "$BPFRT" run "$gr" --prog count_key --data-hex "07 00 00 00" --map-init "$T/init.json" --dump-maps
printf '  key: 05 00 00 00  value: 29 00 00 00 00 00 00 00\n  key: 07 00 00 00  value: 02 00 00 00 00 00 00 00\n' >"$T/expect"
t_head "--dump-maps: the result, then the maps" "retval: 0x2 (2)
data_out (4 bytes): 07 00 00 00
map 'counters' (hash):"
t_check "--dump-maps: the elements after the run (in the hash's order)" \
	sh -c 'sed -n "4,5p" "$1" | sort | cmp -s - "$2"' sh "$T/out" "$T/expect"
t_check "--dump-maps: global data" grep -qx "  key: 00 00 00 00  value: 03 00 00 00 0a 14 1e 28" "$T/out"
for e in $engines; do
	t_run "$BPFRT" run "$gr" --prog cpu_bytes --data-hex "01 02 03" --cpu 1 --dump-maps --json --engine "$e"
	py "--cpu 1: bpf_get_smp_processor_id and the per-CPU slot ($e)" "$pyhead"'
d = json.load(open(sys.argv[1]))
m = maps(d)
assert d["retval"] == 1, d
assert u(m, "per_cpu", 0, 0, 8, cpu=0) == 0
assert len(m["per_cpu"]["elements"][0]["values"]) < 2 or u(m, "per_cpu", 0, 0, 8, cpu=1) == 3
' "$T/out"
done

# --map-init errors: one line naming the file, the map or the entry.
printf '{"counters": [{"key": 5, "value": 1}' >"$T/bad.json"
printf '[1, 2]' >"$T/array.json"
printf '{"nosuch": []}' >"$T/nomap.json"
printf '{"counters": [{"key": "05 00", "value": 1}]}' >"$T/ksize.json"
printf '{"counters": [{"value": 1}]}' >"$T/nokey.json"
printf '{"counters": {"key": 1}}' >"$T/noarray.json"
printf '{"counters": [{"key": 1, "value": 18446744073709551616}]}' >"$T/big.json"
t_run "$BPFRT" run "$gr" --prog count_key --data-hex "05 00 00 00" --map-init "$T/nosuch.json"
t_err "--map-init: missing file" 1 "nosuch.json" "No such file"
t_run "$BPFRT" run "$gr" --prog count_key --data-hex "05 00 00 00" --map-init "$T/bad.json"
t_err "--map-init: not JSON" 1 "bad.json: not valid JSON"
t_run "$BPFRT" run "$gr" --prog count_key --data-hex "05 00 00 00" --map-init "$T/array.json"
t_err "--map-init: not an object" 1 "array.json: expected an object"
t_run "$BPFRT" run "$gr" --prog count_key --data-hex "05 00 00 00" --map-init "$T/nomap.json"
t_err "--map-init: no such map, the maps listed" 1 "no map 'nosuch' (maps: counters, per_cpu, globals_.rodata, globals_.data, globals_.bss)"
t_run "$BPFRT" run "$gr" --prog count_key --data-hex "05 00 00 00" --map-init "$T/ksize.json"
t_err "--map-init: a key of the wrong size" 1 "ksize.json: map 'counters' entry 0: 2 bytes given, the map needs 4"
t_run "$BPFRT" run "$gr" --prog count_key --data-hex "05 00 00 00" --map-init "$T/nokey.json"
t_err "--map-init: an entry without a key" 1 "map 'counters' entry 0: needs \"key\" and \"value\""
t_run "$BPFRT" run "$gr" --prog count_key --data-hex "05 00 00 00" --map-init "$T/noarray.json"
t_err "--map-init: entries not in an array" 1 "map 'counters': expected an array of entries"
t_run "$BPFRT" run "$gr" --prog count_key --data-hex "05 00 00 00" --map-init "$T/nomap.json" --json
py "--map-init error with --json: stage input" '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["stage"] == "input" and "nosuch" in d["error"] and "retval" not in d, d
' "$T/out"

# Inputs a memory program does not take; objects that are not given.
t_run "$BPFRT" run "$gr" --prog count_key --data-hex "05 00 00 00" --ctx-hex "00"
t_err "--ctx of a memory program is a usage error" 2 "--ctx: memory (unspec) programs take no context"
t_run "$BPFRT" run "$gr"
t_err "run without --prog of an object of 4 programs" 2 "4 programs" "globals_run, writes_rodata, count_key, cpu_bytes"
t_run "$BPFRT" run "$gr" --prog nosuch
t_err "run --prog of no program" 1 "no program 'nosuch'"
t_run "$BPFRT" run - --prog globals_run --data-hex "05 00 00 00" <"$gr"
t_out "an object on standard input" "retval: 0x92 (146)
data_out (4 bytes): 05 00 00 00"
t_run "$BPFRT" run - --prog globals_run --data - <"$gr"
t_err "the object and --data both on standard input" 2 "standard input"
head -c 1000 "$gr" >"$T/trunc.o"
t_run "$BPFRT" run "$T/trunc.o"
t_err "run: a truncated object" 1 "trunc.o"

# ---- events and trace lines --------------------------------------------------

if data_obj events; then
	ev=$T/events.o
	for e in $engines; do
		t_run "$BPFRT" run "$ev" --prog xdp_events --data "$pkt" --repeat 2 --engine "$e"
		t_head "trace_printk lines, ring buffer events, the result ($e)" "trace: packet 1: 71 bytes, ethertype 0x800
trace: packet 2: 71 bytes, ethertype 0x800
event: ringbuf 'rb' (8 bytes): 47 00 00 00 00 08 01 00
event: ringbuf 'rb' (8 bytes): 47 00 00 00 00 08 02 00
retval: 0x2 (2)"
	done
	t_run "$BPFRT" run "$ev" --prog xdp_events --data "$pkt" --json
	py "--json: trace and event lines as JSON, then the result" '
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
assert lines[0] == {"trace": "packet 1: 71 bytes, ethertype 0x800"}, lines
assert lines[1] == {"event": "ringbuf", "map": "rb", "size": 8, "data": "4700000000080100"}, lines
assert lines[2]["retval"] == 2 and len(lines) == 3, lines
' "$T/out"
	head -c 1200 /dev/zero >"$T/big.bin"
	t_run "$BPFRT" run "$ev" --prog xdp_events --data "$T/big.bin"
	t_check "a discarded ring buffer record is no event" \
		sh -c '[ "$1" -eq 0 ] && grep -qx "trace: packet 1: 1200 bytes, ethertype 0x0" "$2" && ! grep -q "^event:" "$2"' sh "$rc" "$T/out"
	# Events print while the runs go on: 20000 records pass through a ring
	# of 4 KiB (256 of them) because a watcher thread consumes it meanwhile.
	t_run "$BPFRT" run "$ev" --prog xdp_events --data "$pkt" --repeat 20000 --engine interp
	t_check "events are consumed while --repeat runs (more than a full ring)" \
		sh -c '[ "$1" -eq 0 ] && [ "$(grep -c "^event: ringbuf" "$2")" -gt 256 ]' sh "$rc" "$T/out"
	t_run "$BPFRT" run "$ev" --prog xdp_sample --data "$pkt"
	# The sample's size is the raw record's, padded (as libbpf's callback gets it).
	t_check "a perf event sample" grep -qx "event: perf 'samples' cpu 0 (12 bytes): 47 00 00 00 00 08 01 00 00 00 00 00" "$T/out"

	# What the kernel refuses to test-run: an XDP frame shorter than an
	# Ethernet header. The message says what was given.
	t_run "$BPFRT" run "$ev" --prog xdp_events --data-hex "00 11 22 33 44 55 66 77"
	t_err "XDP data shorter than 14 bytes" 1 "program 'xdp_events' (xdp)" "the test run refused its input" "data: 8 bytes, ctx: none" "at least 14 bytes (an Ethernet header), not 8"
	t_run "$BPFRT" run "$ev" --prog xdp_events
	t_err "XDP without data" 1 "program 'xdp_events' (xdp)" "refused its input" "data: none"
	t_run "$BPFRT" run "$ev" --prog xdp_events --data-hex "00 11 22 33 44 55 66 77" --json
	py "a refused input with --json: stage input" '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["stage"] == "input" and "data: 8 bytes" in d["error"] and "retval" not in d, d
' "$T/out"
fi

# ---- CO-RE: a poisoned relocation fails only when it is reached ----------------

if data_obj core_poison; then
	for e in $engines; do
		t_run "$BPFRT" run "$T/core_poison.o" --data-hex "00 00 00 00 00 00 00 00" --engine "$e"
		t_out "a poisoned CO-RE relocation not reached ($e)" "retval: 0x1 (1)
data_out (8 bytes): 00 00 00 00 00 00 00 00"
		t_run "$BPFRT" run "$T/core_poison.o" --data-hex "07 00 00 00 00 00 00 00" --engine "$e"
		t_err "a poisoned CO-RE relocation reached ($e)" 1 "fault: pc 3" "poisoned by an unresolved CO-RE relocation"
	done
	if [ -r /sys/kernel/btf/vmlinux ]; then
		t_run "$BPFRT" run "$T/core_poison.o" --btf /sys/kernel/btf/vmlinux --data-hex "07 00 00 00 00 00 00 00"
		t_err "poisoned against vmlinux too" 1 "fault: pc 3" "poisoned by an unresolved CO-RE relocation"
	fi
fi

t_end
