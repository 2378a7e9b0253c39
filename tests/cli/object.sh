#!/bin/sh
# ELF objects: prog list, map list, disasm with source lines and map comments,
# btf dump (raw and C), and the errors of each (test runs of objects are in
# test_run.sh, the map commands and the shell in session.sh). Uses the corpus
# ($BUILD/progs, built by `make progs`) and the programs of
# tests/cli/data/*.bpf.c, compiled here with clang; SKIPs what is missing.
. "$(dirname "$0")/lib.inc"

P=$BUILD/progs
vmlinux=/sys/kernel/btf/vmlinux
have_vmlinux() { [ -r "$vmlinux" ]; }

# What some corpus objects need to open: a target BTF for CO-RE, a kernel
# configuration for their strong .kconfig externs.
printf 'CONFIG_BPF_SYSCALL=y\nCONFIG_HZ=250\n' >"$T/kconfig"
obj_opts="--kconfig $T/kconfig"
have_vmlinux && obj_opts="$obj_opts --btf $vmlinux"

# ---- help and usage errors (no objects needed) -----------------------------

for cmd in prog map btf shell; do
	t_run "$BPFRT" help "$cmd"
	t_check "help $cmd shows its usage" [ "$rc:$(head -c $((13 + ${#cmd})) "$T/out")" = "0:usage: bpfrt $cmd" ]
	cp "$T/out" "$T/help"
	t_check "help $cmd has no unexpanded @MARK@" [ -z "$(grep -o '@[A-Z_]*@' "$T/help")" ]
	t_run "$BPFRT" "$cmd" --help
	t_check "$cmd --help is help $cmd" cmp -s "$T/out" "$T/help"
	[ "$cmd" = shell ] && continue
	sub=list subs=list
	[ "$cmd" = btf ] && sub=dump subs=dump
	[ "$cmd" = map ] && subs="list, dump, lookup, update, delete"
	t_run "$BPFRT" "$cmd" "$sub" -h
	t_check "$cmd $sub -h is help $cmd" cmp -s "$T/out" "$T/help"
	t_run "$BPFRT" "$cmd"
	t_err "$cmd without a subcommand" 2 "bpfrt $cmd:" "missing subcommand ($cmd has: $subs;"
	t_run "$BPFRT" "$cmd" frob
	t_err "$cmd with an unknown subcommand" 2 "unknown subcommand 'frob' ($cmd has: $subs)"
	t_run "$BPFRT" "$cmd" "$sub"
	t_err "$cmd $sub without FILE" 2 "bpfrt $cmd $sub:" "missing FILE"
	t_run "$BPFRT" "$cmd" "$sub" a.o b.o
	t_err "$cmd $sub with two FILEs" 2 "unexpected argument 'b.o'"
	t_run "$BPFRT" "$cmd" "$sub" a.o --frob
	t_err "$cmd $sub: unknown option" 2 "unknown option '--frob'"
done
t_run "$BPFRT" --help
for cmd in prog map btf shell; do
	t_check "--help lists $cmd" grep -q "^  $cmd  " "$T/out"
done
t_run "$BPFRT" btf dump a.o --format xml
t_err "btf dump: unknown --format" 2 "--format" "'xml'"
t_run "$BPFRT" disasm examples/hello.asm --prog x
t_err "disasm --prog of a non-object" 2 "--prog" "hello.asm" "not one"
t_run "$BPFRT" disasm examples/hello.asm --no-source
t_err "disasm --no-source of a non-object" 2 "--no-source"
t_run "$BPFRT" run examples/hello.asm --btf "$vmlinux"
t_err "run --btf of a non-object" 2 "--btf" "hello.asm"
t_run "$BPFRT" disasm a.o --no-source --linum
t_err "disasm --no-source with --linum" 2 "--no-source and --linum"

# ---- files that are no (valid) objects -------------------------------------

for cmd in "prog list" "map list" "disasm" "run"; do
	# shellcheck disable=SC2086
	t_run "$BPFRT" $cmd "$T/nosuch.o"
	t_err "$cmd: missing file" 1 "nosuch.o" "No such file"
done
for cmd in "prog list" "map list"; do
	# shellcheck disable=SC2086
	t_run "$BPFRT" $cmd examples/hello.asm
	t_err "$cmd: not an ELF file" 1 "hello.asm" "not an ELF object"
done
# The bpfrt executable is ELF, but no relocatable BPF object.
for cmd in "prog list" "map list" "disasm" "run"; do
	# shellcheck disable=SC2086
	t_run "$BPFRT" $cmd "$BPFRT"
	t_err "$cmd: an ELF executable is no object" 1 "$BPFRT"
done
printf '\177ELF' >"$T/magic.o"
for cmd in "prog list" "disasm" "run"; do
	# shellcheck disable=SC2086
	t_run "$BPFRT" $cmd "$T/magic.o"
	t_err "$cmd: the ELF magic alone" 1 "magic.o"
done
t_run "$BPFRT" btf dump examples/hello.asm
t_err "btf dump: not BTF" 1 "hello.asm" "BTF"
t_run "$BPFRT" btf dump "$T/nosuch.btf"
t_err "btf dump: missing file" 1 "nosuch.btf" "No such file"

# ---- the corpus ------------------------------------------------------------

sub=$(corpus subprogs)
glob=$(corpus globals)
if [ -z "$sub" ] || [ -z "$glob" ]; then
	skip "corpus tests: no subprogs/globals objects in $P (make progs needs clang and libbpf-dev)"
else
	# prog list: the entry points (not the .text subprograms), with types.
	t_run "$BPFRT" prog list "$sub"
	t_check "prog list: header" grep -q '^NAME  *SECTION  *TYPE  *INSNS  *ATTACH' "$T/out"
	for row in "xdp_sub xdp xdp" "tc_sub tc sched_cls" "sock_sub socket socket_filter"; do
		set -- $row
		t_check "prog list: $1 in section $2, type $3, insns > 0" \
			awk -v n="$1" -v s="$2" -v t="$3" '$1 == n && $2 == s && $3 == t && $4 > 0 { ok = 1 } END { exit !ok }' "$T/out"
	done
	t_check "prog list: subprograms are no programs" [ "$(grep -c 'clamp_len\|mix32\|hist_add' "$T/out")" -eq 0 ]
	t_check "prog list: one line per program" [ "$(wc -l <"$T/out")" -eq 4 ]
	cp "$T/out" "$T/sub.list"

	t_run "$BPFRT" prog list "$sub" --json
	if have_python; then
		t_check "prog list --json" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert [p["name"] for p in d] == ["xdp_sub", "tc_sub", "sock_sub"], d
assert [p["type"] for p in d] == ["xdp", "sched_cls", "socket_filter"], d
for p in d:
	assert p["section"] and isinstance(p["insns"], int) and p["insns"] > 0, p
	assert "attach_target" in p and "expected_attach_type" in p, p
' "$T/out"
	fi

	# map list: the .maps map, then global data (internal, .rodata read-only).
	t_run "$BPFRT" map list "$sub"
	t_check "map list: sub_hist is an array, key 4, value 8, 16 entries" \
		awk '$2 == "sub_hist" && $3 == "array" && $4 == 4 && $5 == 8 && $6 == 16 { ok = 1 } END { exit !ok }' "$T/out"
	t_check "map list: .bss is internal" grep -q '^ *[0-9]  *subprogs\.bss .*internal' "$T/out"
	t_check "map list: .rodata is internal and read-only" grep -q '^ *[0-9]  *subprogs\.rodata .*internal, read-only' "$T/out"
	t_run "$BPFRT" map list "$glob"
	t_check "map list: custom sections are maps of their own" \
		sh -c 'grep -q "\.data\.custom .*internal" "$1" && grep -q "\.rodata\.custom .*read-only" "$1"' sh "$T/out"
	t_run "$BPFRT" map list "$sub" --json
	if have_python; then
		t_check "map list --json" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
m = {x["name"]: x for x in d}
h = m["sub_hist"]
assert (h["type"], h["key_size"], h["value_size"], h["max_entries"]) == ("array", 4, 8, 16), h
assert not h["internal"] and h["inner_map"] is None, h
ro = [x for x in d if x["internal"] and x["readonly"]]
assert len(ro) == 1 and ro[0]["name"].endswith(".rodata"), d
assert sorted(x["index"] for x in d) == list(range(len(d))), d
' "$T/out"
	fi

	# disasm: header, source lines, function labels, map and helper comments.
	t_run "$BPFRT" disasm "$sub"
	t_check "disasm: exit 0" [ "$rc" -eq 0 ]
	n=$(awk '$1 == "xdp_sub" { print $4 }' "$T/sub.list")
	t_check "disasm: header line with the insns of prog list" \
		grep -qx "xdp_sub (section xdp, type xdp, $n insns):" "$T/out"
	t_check "disasm: a header per program" [ "$(grep -c '^[a-z_]* (section .*, type .*, [0-9]* insns):$' "$T/out")" -eq 3 ]
	t_check "disasm: source lines" grep -q '^; .*hist_add(' "$T/out"
	t_check "disasm: appended subprograms are labelled" grep -qx '<mix32>:' "$T/out"
	t_check "disasm: map comment" grep -q "r[0-9] = map_idx(0x[0-9a-f]*) ll  # map 'sub_hist'$" "$T/out"
	t_check "disasm: helper comment" grep -q 'call 0x1  # bpf_map_lookup_elem$' "$T/out"
	t_check "disasm: subprogram call comment" grep -q 'call pc+0x[0-9a-f]*  # <clamp_len>$' "$T/out"
	t_check "disasm: global data comment" grep -q 'map_idx_value(0x[0-9a-f]*, 0x0) ll  # .bss + 0 (sub_calls)$' "$T/out"
	t_run "$BPFRT" disasm "$glob"
	t_check "disasm: global data at an offset" grep -q '# .rodata + 16 (cfg_limits)$' "$T/out"
	t_check "disasm: custom data sections" grep -q '# .data.custom + 8 (custom_table)$' "$T/out"
	t_run "$BPFRT" disasm "$sub" --prog tc_sub
	t_check "disasm --prog: that program only" \
		[ "$(grep -c 'insns):$' "$T/out"):$(head -n 1 "$T/out" | cut -d' ' -f1)" = "1:tc_sub" ]
	t_run "$BPFRT" disasm "$sub" --no-source
	t_check "disasm --no-source" [ "$rc:$(grep -c '^;' "$T/out")" = "0:0" ]
	t_run "$BPFRT" disasm "$sub" --linum
	t_check "disasm --linum" grep -q '^; .* \[.*subprogs\.bpf\.c:[0-9]*:[0-9]*\]$' "$T/out"
	t_run "$BPFRT" disasm "$sub" --syntax ubpf --prog sock_sub
	t_check "disasm --syntax ubpf of an object" grep -q '^ *[0-9]*:	exit$' "$T/out"
	t_run "$BPFRT" disasm "$sub" --json
	if have_python; then
		t_check "disasm --json of an object" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
progs = d["programs"]
assert [p["name"] for p in progs] == ["xdp_sub", "tc_sub", "sock_sub"], progs
for p in progs:
	slots = sum(len(i["bytes"].split()) // 8 for i in p["insns"])
	assert slots == p["count"] and all(i["valid"] for i in p["insns"]), p["name"]
insns = [i for p in progs for i in p["insns"]]
assert any("source" in i and i["source"]["line"] > 0 for i in insns)
assert any(i.get("func") == "mix32" for i in insns)
assert any(i.get("comment") == "map \x27sub_hist\x27" for i in insns)
' "$T/out"
	fi
	t_run "$BPFRT" disasm "$sub" --prog nosuch
	t_err "disasm --prog of no program" 1 "no program 'nosuch'" "xdp_sub, tc_sub, sock_sub"

	# btf dump
	t_run "$BPFRT" btf dump "$sub"
	t_check "btf dump raw of an object" \
		sh -c 'grep -q "^\[[0-9]*\] FUNC '\''xdp_sub'\'' type_id=[0-9]* linkage=global$" "$1" &&
		       grep -q "^\[[0-9]*\] DATASEC '\''\.maps'\'' size=[0-9]* vlen=1$" "$1" &&
		       grep -q "^	'\''len'\'' type_id=[0-9]* bits_offset=0$" "$1"' sh "$T/out"
	if have_clang; then
		for name in subprogs globals map_zoo xdp_lb tc_rewrite kconfig; do
			o=$(corpus $name)
			[ -n "$o" ] || continue
			t_run "$BPFRT" btf dump "$o" --format c
			cp "$T/out" "$T/dump.h"
			t_run clang -fsyntax-only -x c "$T/dump.h"
			t_check "btf dump --format c of $name compiles" [ "$rc" -eq 0 ]
		done
	else
		skip "btf dump --format c compiles: no clang"
	fi

	# Every object of the corpus (at one -mcpu level: they differ in code,
	# not in what the CLI shows) lists, disassembles and dumps.
	objs=$(ls "$P"/*.v3.o 2>/dev/null)
	[ -n "$objs" ] || objs=$(ls "$P"/*.o)
	mkdir "$T/corpus"
	bad= n=0
	for o in $objs; do
		n=$((n + 1))
		name=$(basename "$o" .o)
		for cmd in "prog list" "map list" "disasm"; do
			out="$T/corpus/$name.$(echo "$cmd" | cut -d' ' -f1).json"
			# shellcheck disable=SC2086
			"$BPFRT" $cmd --json "$o" $obj_opts >"$out" 2>"$T/err"
			r=$?
			if [ $r -ne 0 ] && ! have_vmlinux && grep -q -- '--btf' "$T/err"; then
				rm -f "$out" # CO-RE without a target BTF
				continue
			fi
			if [ $r -ne 0 ] || grep -q 'Sanitizer\|runtime error:' "$T/err"; then
				bad="$bad $name:${cmd%% *}"
			fi
		done
		"$BPFRT" btf dump "$o" >"$T/out" 2>"$T/err" || bad="$bad $name:btf"
	done
	t_check "every corpus object ($n): prog list, map list, disasm, btf dump${bad:+ (not:$bad)}" [ -z "$bad" ]
	if have_python; then
		t_check "--json of every corpus object; prog list: name, section, type, insns > 0" python3 -c '
import glob, json, sys
bad = []
for f in sorted(glob.glob(sys.argv[1] + "/*.json")):
	try:
		d = json.load(open(f))
		if f.endswith(".prog.json"):
			assert isinstance(d, list) and d
			for p in d:
				assert isinstance(p["name"], str) and p["name"]
				assert isinstance(p["section"], str) and isinstance(p["type"], str)
				assert isinstance(p["insns"], int) and p["insns"] > 0
	except Exception as e:
		bad.append("%s (%r)" % (f.split("/")[-1], e))
assert not bad, bad
' "$T/corpus"
	fi

	head -c 300 "$sub" >"$T/trunc.o"
	for cmd in "prog list" "map list" "disasm" "run"; do
		# shellcheck disable=SC2086
		t_run "$BPFRT" $cmd "$T/trunc.o"
		t_err "$cmd: a truncated object" 1 "trunc.o"
	done
fi

# ---- BTF of the running kernel ---------------------------------------------

if have_vmlinux; then
	t_run "$BPFRT" btf dump "$vmlinux"
	t_check "btf dump raw of vmlinux" [ "$rc" -eq 0 ]
	t_check "btf dump raw of vmlinux has task_struct" grep -q "^\[[0-9]*\] STRUCT 'task_struct' size=[0-9]* vlen=[0-9]*$" "$T/out"
	t_run "$BPFRT" btf dump - --format raw <"$vmlinux"
	t_check "btf dump of raw BTF on standard input" grep -q "STRUCT 'task_struct'" "$T/out"
	if have_clang; then
		t_run "$BPFRT" btf dump "$vmlinux" --format c
		cp "$T/out" "$T/vmlinux.h"
		t_run clang -fsyntax-only -x c "$T/vmlinux.h"
		t_check "btf dump --format c of vmlinux compiles" [ "$rc" -eq 0 ]
	fi
else
	skip "btf dump of vmlinux: no $vmlinux"
fi

# ---- a program of our own -------------------------------------------------

data_obj globals_run
case $? in
1) skip "objects built from tests/cli/data: no clang"; t_end ;;
2) t_end ;;
esac
gr=$T/globals_run.o
t_run "$BPFRT" disasm "$gr"
t_check "disasm: .rodata at an offset names its variable" grep -q '# .rodata + 4 (tag)$' "$T/out"
t_check "disasm: a hash map" grep -q "# map 'counters'$" "$T/out"
t_check "disasm: a helper" grep -q "call 0x8  # bpf_get_smp_processor_id$" "$T/out"
t_run "$BPFRT" disasm - <"$gr"
t_check "disasm of an object on standard input" grep -q '^globals_run (section mem, type unspec, 21 insns):$' "$T/out"
t_run "$BPFRT" prog list - <"$gr"
t_check "prog list of an object on standard input" \
	[ "$rc:$(awk 'NR > 1 { printf "%s ", $1 }' "$T/out")" = "0:globals_run writes_rodata count_key cpu_bytes " ]
t_run "$BPFRT" disasm "$gr" --format raw
t_check "disasm --format raw reads an object as bytecode" \
	sh -c '[ "$1" -eq 1 ] && ! grep -q "insns):$" "$2"' sh "$rc" "$T/out"
t_run "$BPFRT" btf dump "$gr"
t_check "btf dump raw: INT" grep -qx "\[[0-9]*\] INT 'unsigned int' size=4 bits_offset=0 nr_bits=32 encoding=(none)" "$T/out"
t_check "btf dump raw: VAR" grep -qx "\[[0-9]*\] VAR 'base' type_id=[0-9]*, linkage=global" "$T/out"
t_check "btf dump raw: DATASEC" grep -q "^\[[0-9]*\] DATASEC '.rodata' size=[0-9]* vlen=2$" "$T/out"
t_check "btf dump raw: STRUCT member" grep -qx "	'max_entries' type_id=[0-9]* bits_offset=64" "$T/out"
t_run "$BPFRT" btf dump "$gr" --format c
cp "$T/out" "$T/gr.h"
t_run clang -fsyntax-only -x c "$T/gr.h"
t_check "btf dump --format c of our object compiles" [ "$rc" -eq 0 ]

# A CO-RE access nothing resolves is poisoned (its runs are in test_run.sh).
if data_obj core_poison; then
	t_run "$BPFRT" disasm "$T/core_poison.o"
	t_check "disasm: a poisoned CO-RE relocation" grep -q 'call 0xbad2310  # CO-RE relocation failed' "$T/out"
	if have_vmlinux; then
		t_run "$BPFRT" disasm "$T/core_poison.o" --btf "$vmlinux"
		t_check "disasm: a CO-RE relocation poisoned against vmlinux" grep -q 'call 0xbad2310  # CO-RE relocation failed' "$T/out"
	fi
fi

t_end
