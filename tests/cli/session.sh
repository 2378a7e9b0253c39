#!/bin/sh
# bpfrt map dump|lookup|update|delete FILE.o (a fresh session per command,
# after --map-init) and bpfrt shell FILE.o (commands on one live session):
# output, errors and exit statuses. Uses tests/cli/data/globals_run.bpf.c,
# compiled here with clang, and the corpus ($BUILD/progs) for per-CPU maps.
. "$(dirname "$0")/lib.inc"

data_obj globals_run
case $? in
1) skip "map commands and shell: no clang"; t_end ;;
2) t_end ;;
esac
gr=$T/globals_run.o
maps="counters, per_cpu, globals_.rodata, globals_.data, globals_.bss"
cat >"$T/init.json" <<'EOF'
{ "counters": [ { "key": 5, "value": 41 }, { "key": "07 00 00 00", "value": [1, 0, 0, 0, 0, 0, 0, 0] } ] }
EOF

# ---- map dump ----------------------------------------------------------------

t_run "$BPFRT" map dump "$gr"
t_head "map dump: every map, global data with its initial values" "map 'counters' (hash):
  (empty)
map 'per_cpu' (percpu_array):"
t_check "map dump: .rodata" grep -qx "  key: 00 00 00 00  value: 03 00 00 00 0a 14 1e 28" "$T/out"
t_check "map dump: .data" grep -qx "  key: 00 00 00 00  value: 64 00 00 00 00 00 00 00" "$T/out"
t_check "map dump: per-CPU values" grep -q "^  key: 00 00 00 00  values: cpu 0: 00 00 00 00 00 00 00 00" "$T/out"
t_run "$BPFRT" map dump "$gr" counters --map-init "$T/init.json"
t_sorted "map dump MAP after --map-init" "map 'counters' (hash):
  key: 07 00 00 00  value: 01 00 00 00 00 00 00 00
  key: 05 00 00 00  value: 29 00 00 00 00 00 00 00"
t_run "$BPFRT" map dump --map-init="$T/init.json" "$gr" --json
py "map dump --json: one line, bpftool's hex bytes" '
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) == 1, lines
d = json.loads(lines[0])
assert [m["name"] for m in d] == sys.argv[2].split(", "), d
c = d[0]
assert c["type"] == "hash" and len(c["elements"]) == 2, c
assert {"key": ["0x05", "0x00", "0x00", "0x00"], "value": ["0x29"] + ["0x00"] * 7} in c["elements"], c
p = d[1]
assert p["type"] == "percpu_array" and [v["cpu"] for v in p["elements"][0]["values"]] == list(range(len(p["elements"][0]["values"]))), p
' "$T/out" "$maps"
t_run "$BPFRT" map dump "$gr" per_cpu --json
py "map dump MAP --json: one object" '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["name"] == "per_cpu" and d["elements"][0]["key"] == ["0x00"] * 4, d
' "$T/out"

# ---- map lookup, update, delete -------------------------------------------------

t_run "$BPFRT" map lookup "$gr" counters 5 --map-init "$T/init.json"
t_out "map lookup" "key: 05 00 00 00  value: 29 00 00 00 00 00 00 00"
t_run "$BPFRT" map lookup "$gr" counters 0x05000000 --map-init "$T/init.json" --json
t_out "map lookup of a hex key, --json" '{"key": ["0x05","0x00","0x00","0x00"], "value": ["0x29","0x00","0x00","0x00","0x00","0x00","0x00","0x00"]}'
t_run "$BPFRT" map lookup "$gr" counters "07 00 00 00" --map-init "$T/init.json"
t_out "map lookup of a key as hex bytes" "key: 07 00 00 00  value: 01 00 00 00 00 00 00 00"
t_run "$BPFRT" map lookup "$gr" globals_.rodata 0
t_out "map lookup in .rodata" "key: 00 00 00 00  value: 03 00 00 00 0a 14 1e 28"
t_run "$BPFRT" map update "$gr" counters 6 "01 02 03 04 05 06 07 08"
t_out "map update: nothing printed" ""
t_run "$BPFRT" map update "$gr" counters 5 1 --flags exist --map-init "$T/init.json"
t_out "map update --flags exist of a present key" ""
t_run "$BPFRT" map update --flags noexist "$gr" counters 6 1
t_out "map update --flags noexist (before FILE) of an absent key" ""
t_run "$BPFRT" map delete "$gr" counters 7 --map-init "$T/init.json"
t_out "map delete of a present key" ""

# Errors: 1 when the map or key is not there or the map refuses (the
# kernel's errno), 2 when the command line is wrong.
t_run "$BPFRT" map lookup "$gr" counters 6
t_err "map lookup: no such key" 1 "bpfrt map lookup:" "map 'counters': lookup: no such key"
t_run "$BPFRT" map lookup "$gr" nosuch 6
t_err "map lookup: no such map, the maps listed" 1 "no map 'nosuch' (maps: $maps)"
t_run "$BPFRT" map delete "$gr" counters 7
t_err "map delete: no such key" 1 "map 'counters': delete: no such key"
t_run "$BPFRT" map update "$gr" counters 5 2 --flags noexist --map-init "$T/init.json"
t_err "map update --flags noexist of a present key: EEXIST" 1 "map 'counters': update: File exists"
t_run "$BPFRT" map update "$gr" counters 5 2 --flags exist
t_err "map update --flags exist of an absent key: ENOENT" 1 "map 'counters': update: no such key"
t_run "$BPFRT" map update "$gr" globals_.rodata 0 "04 00 00 00 0a 14 1e 28"
t_err "map update of the frozen .rodata: EPERM" 1 "map 'globals_.rodata': update: Operation not permitted"
t_run "$BPFRT" map delete "$gr" globals_.data 0
t_err "map delete in an array: EINVAL" 1 "map 'globals_.data': delete: Invalid argument"
t_run "$BPFRT" map update "$gr" globals_.data 1 0
t_err "map update past an array's end: E2BIG" 1 "map 'globals_.data': update: Argument list too long"
t_run "$BPFRT" map lookup "$gr" counters zz
t_err "map lookup: a key that is no number and no hex" 2 "KEY: 'zz'" "not hex"
t_run "$BPFRT" map update "$gr" counters 5 "00 1"
t_err "map update: an odd number of hex digits" 2 "VALUE" "odd"
t_run "$BPFRT" map lookup "$gr" counters 0x0500
t_err "map lookup: a key of the wrong size" 2 "KEY: 2 bytes given, the map needs 4"
t_run "$BPFRT" map update "$gr" counters 5 "01 02 03"
t_err "map update: a value of the wrong size" 2 "VALUE: 3 bytes given, the map needs 8"
t_run "$BPFRT" map lookup "$gr" counters 4294967296
t_err "map lookup: a number too large for the key" 2 "KEY: 4294967296 does not fit in 4 bytes"
t_run "$BPFRT" map update "$gr" counters 5 1 --flags maybe
t_err "map update: unknown --flags" 2 "--flags: 'maybe' is not any, noexist or exist"
t_run "$BPFRT" map lookup "$gr" counters
t_err "map lookup without KEY" 2 "bpfrt map lookup:" "usage: map dump [MAP] | lookup MAP KEY"
t_run "$BPFRT" map update "$gr" counters 5
t_err "map update without VALUE" 2 "usage: map dump"
t_run "$BPFRT" map dump "$gr" counters extra
t_err "map dump with two maps" 2 "usage: map dump"
t_run "$BPFRT" map delete "$gr" counters 5 6 7
t_err "map delete with too many arguments" 2 "unexpected argument '7'"
t_run "$BPFRT" map dump
t_err "map dump without FILE" 2 "bpfrt map dump:" "missing FILE"
t_run "$BPFRT" map dump "$gr" --prog globals_run
t_err "map dump --prog" 2 "unknown option '--prog'"
t_run "$BPFRT" map dump "$T/nosuch.o"
t_err "map dump: missing file" 1 "nosuch.o" "No such file"
t_run "$BPFRT" map dump examples/hello.asm
t_err "map dump: not an ELF object" 1 "hello.asm" "not an ELF object"
t_run "$BPFRT" map dump "$gr" --map-init "$T/nosuch.json"
t_err "map dump: --map-init of a missing file" 1 "nosuch.json" "No such file"
t_run "$BPFRT" map dump "$gr" --help
t_check "map dump --help is help map" [ "$rc:$(head -c 16 "$T/out")" = "0:usage: bpfrt map" ]

# Per-CPU maps: one value per CPU; an update sets every CPU's.
parse=$(corpus xdp_parse)
if [ -n "$parse" ]; then
	t_run "$BPFRT" map lookup "$parse" proto_stats 2 --json
	py "map lookup of a per-CPU map: a value per CPU" '
import json, sys
d = json.load(open(sys.argv[1]))
assert len(d["values"]) >= 1 and all(v["value"] == ["0x00"] * 16 for v in d["values"]), d
' "$T/out"
fi

# ---- shell -----------------------------------------------------------------------

# Runs and map commands on one live session: the update is seen by the next
# run, global data carries over between runs; a failing line is reported
# with its number and the shell goes on, then exits 1.
cat >"$T/script" <<'EOF'
# count_key around an update
run --prog count_key --data-hex "05 00 00 00"
map update counters 5 41
run --prog count_key --data-hex "05 00 00 00"   # 42

map dump counters
frob
map lookup counters "5
run --prog globals_run --data-hex "01 00 00 00"
run --prog globals_run --data-hex "01 00 00 00"
map lookup counters 6
run --prog nosuch
run
map lookup counters 5 --json
EOF
t_run "$BPFRT" shell "$gr" <"$T/script"
t_check "shell: a failing line makes the exit status 1" [ "$rc" -eq 1 ]
rc=0
t_out "shell: runs and map commands on one live session" "retval: 0xffffffff (4294967295, -1)
data_out (4 bytes): 05 00 00 00
retval: 0x2a (42)
data_out (4 bytes): 05 00 00 00
map 'counters' (hash):
  key: 05 00 00 00  value: 2a 00 00 00 00 00 00 00
retval: 0x86 (134)
data_out (4 bytes): 01 00 00 00
retval: 0x8a (138)
data_out (4 bytes): 01 00 00 00
{\"key\": [\"0x05\",\"0x00\",\"0x00\",\"0x00\"], \"value\": [\"0x2a\",\"0x00\",\"0x00\",\"0x00\",\"0x00\",\"0x00\",\"0x00\",\"0x00\"]}"
t_check "shell: each failing line says which it is" sh -c 'cmp -s "$1" - <<EOF
bpfrt shell: line 7: unknown command '\''frob'\'' (run, map, help, quit)
bpfrt shell: line 8: unterminated quote
bpfrt shell: line 11: $2: map '\''counters'\'': lookup: no such key
bpfrt shell: line 12: $2: no program '\''nosuch'\'' (programs: globals_run, writes_rodata, count_key, cpu_bytes)
bpfrt shell: line 13: $2: 4 loaded programs, choose one with --prog: globals_run, writes_rodata, count_key, cpu_bytes
EOF' sh "$T/err" "$gr"

printf 'run --data-hex "05 00 00 00" --repeat 2\nmap dump counters\nquit\nrun --prog frob\n' >"$T/script"
t_run "$BPFRT" shell "$gr" --prog count_key --map-init "$T/init.json" --script "$T/script"
t_sorted "shell --prog --map-init --script: quit ends it, exit 0" "retval: 0x2b (43)
data_out (4 bytes): 05 00 00 00
$(grep '^time: [0-9]* ns/run (mean of 2 runs, checked)$' "$T/out")
map 'counters' (hash):
  key: 07 00 00 00  value: 01 00 00 00 00 00 00 00
  key: 05 00 00 00  value: 2b 00 00 00 00 00 00 00"
printf 'run --prog globals_run --data-hex "05 00 00 00"\n' >"$T/script"
t_run "$BPFRT" shell "$gr" --prog count_key --script "$T/script"
t_err "shell --prog loads that program only" 1 "line 1:" "program 'globals_run' is not loaded (loaded: count_key)"
printf 'map update per_cpu 0 9\nmap lookup per_cpu 0 --json\nmap update counters 1 1 --map-init x.json\nrun --btf x\n' >"$T/script"
t_run "$BPFRT" shell "$gr" --script "$T/script"
py "shell: a per-CPU update sets every CPU" '
import json, sys
d = json.load(open(sys.argv[1]))
assert all(v["value"] == ["0x09"] + ["0x00"] * 7 for v in d["values"]), d
' "$T/out"
t_check "shell: session options in a line are usage errors; exit 1" sh -c '[ "$1" -eq 1 ] && cmp -s "$2" - <<EOF
bpfrt shell: line 3: --map-init: an option of \`bpfrt shell\`, not of its lines
bpfrt shell: line 4: --map-init, --btf and --kconfig are options of \`bpfrt shell\`, not of its lines
EOF' sh "$rc" "$T/err"
printf 'help\n' | "$BPFRT" shell "$gr" >"$T/out" 2>"$T/err"
rc=$?
"$BPFRT" help shell >"$T/help"
t_check "shell: help is help shell" sh -c '[ "$1" -eq 0 ] && cmp -s "$2" "$3"' sh "$rc" "$T/out" "$T/help"
: >"$T/script"
t_run "$BPFRT" shell "$gr" --script "$T/script"
t_out "shell: an empty script" ""
t_run "$BPFRT" shell "$gr" --script "$T/nosuch.script"
t_err "shell: a missing script" 1 "nosuch.script" "No such file"
t_run "$BPFRT" shell "$T/nosuch.o" --script "$T/script"
t_err "shell: a missing object" 1 "nosuch.o" "No such file"
t_run "$BPFRT" shell
t_err "shell without FILE" 2 "bpfrt shell:" "missing FILE"
t_run "$BPFRT" shell "$gr" "$gr"
t_err "shell with two FILEs" 2 "unexpected argument"
t_run "$BPFRT" shell - </dev/null
t_err "shell: the object and the commands both on standard input" 2 "standard input"
t_run "$BPFRT" shell "$gr" --frob
t_err "shell: unknown option" 2 "unknown option '--frob'"

t_end
