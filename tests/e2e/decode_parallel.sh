#!/usr/bin/env bash
# vt106 decode -j N writes exactly what -j 1 writes, byte for byte and in the same order: on every
# shipped capture (damaged ones too), with flow summaries, filters and --pretty, on a generated
# capture of many batches and thousands of flows, and from a pipe; in every other format too
# (where -j reads on a thread of its own), with records out while a pipe pauses; and vt106
# doctor -j N reports what doctor -j 1 does, in every format.
set -u
bin=$(readlink -f "$1")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
command -v python3 >/dev/null || fail "python3 missing (scripts/deps installs it)"
here=$(cd "$(dirname "$0")/../.." && pwd)

# same NAME ARGS...: -j 1 and -j 2, -j 3 agree on stdout and exit status.
same() {
  local name=$1; shift
  "$bin" decode -j 1 "$@" > "$work/one" 2> /dev/null; local s1=$?
  for j in 2 3; do
    "$bin" decode -j "$j" "$@" > "$work/many" 2> /dev/null; local sj=$?
    [ "$s1" = "$sj" ] || fail "$name: exit status $s1 with -j 1, $sj with -j $j"
    cmp -s "$work/one" "$work/many" || fail "$name: -j $j differs from -j 1 ($(cmp "$work/one" "$work/many" | head -1))"
  done
  [ -s "$work/one" ] || fail "$name: no output at all"
}

n=0
for f in "$here"/captures/*.pcap "$here"/captures/*.pcapng; do
  same "$(basename "$f")" "$f"
  same "$(basename "$f") --flows" --flows "$f"
  n=$((n + 1))
done
same "filters" --flows --imei 867648040000018 --event position "$here/captures/tcp-ipv4.pcap"
same "--no-errors --pretty" --no-errors --pretty "$here/captures/mixed.pcapng"
same "several inputs" "$here/captures/tcp-ipv4.pcap" "$here/captures/udp.pcap" "$here/captures/foreign.pcap"

# 60,000 messages from 3,000 devices: many batches, every worker busy, flows ending everywhere.
python3 "$here/bench/make_capture.py" "$work/big.pcap" --devices 3000 --messages 60000 2>/dev/null || fail "generator failed"
same "generated capture" --flows "$work/big.pcap"
lines=$(wc -l < "$work/one")
[ "$lines" -gt 60000 ] || fail "generated capture: $lines records, expected more than 60000"

# From a pipe: the records are those of the file.
"$bin" decode -j 1 "$work/big.pcap" > "$work/file" 2>/dev/null
cat "$work/big.pcap" | "$bin" decode -j 2 - > "$work/pipe" 2>/dev/null || fail "pipe: exit status $?"
cmp -s "$work/file" "$work/pipe" || fail "a pipe with -j 2 differs from the file with -j 1"
# Other formats: the reading on a thread of its own (the same for any N of 2 or more), the same
# bytes: CSV on every shipped capture, each format on a few, two on the generated capture (kept
# small enough for the sanitizer build).
same2() {  # same2 NAME ARGS...: -j 1 and -j 2 agree on stdout and exit status
  local name=$1; shift
  "$bin" decode -j 1 "$@" > "$work/one" 2> /dev/null; local s1=$?
  "$bin" decode -j 2 "$@" > "$work/many" 2> /dev/null; local s2=$?
  [ "$s1" = "$s2" ] || fail "$name: exit status $s1 with -j 1, $s2 with -j 2"
  cmp -s "$work/one" "$work/many" || fail "$name: -j 2 differs from -j 1 ($(cmp "$work/one" "$work/many" | head -1))"
  [ -s "$work/one" ] || fail "$name: no output at all"
}
for f in "$here"/captures/*.pcap "$here"/captures/*.pcapng; do same2 "--format csv $(basename "$f")" --format csv --flows "$f"; done
for fmt in table json geojson gpx kml; do
  for f in tcp-ipv4.pcap mixed.pcapng foreign.pcap damaged-truncated-record.pcap; do
    same2 "--format $fmt $f" --format "$fmt" "$here/captures/$f"
  done
done
same2 "--format csv generated capture" --format csv "$work/big.pcap"
same2 "--format geojson generated capture" --format geojson "$work/big.pcap"
same "--format csv --flows, several inputs" --format csv --flows "$here/captures/tcp-ipv4.pcap" "$here/captures/foreign.pcap"

# A pipe that pauses half-way: with -j 2 in CSV, the records of the first half are out before
# the second half is written.
python3 - "$work/big.pcap" "$work/half.csv" "$bin" > "$work/pause.log" 2>&1 <<'PY' || fail "paused pipe: $(cat "$work/pause.log")"
import subprocess, sys, time
data = open(sys.argv[1], "rb").read()
out = open(sys.argv[2], "wb")
p = subprocess.Popen([sys.argv[3], "decode", "-j", "2", "--format", "csv", "-"], stdin=subprocess.PIPE, stdout=out,
                     stderr=subprocess.DEVNULL)
p.stdin.write(data[: len(data) // 2]); p.stdin.flush()
deadline = time.time() + 20
while time.time() < deadline and open(sys.argv[2], "rb").read().count(b"\n") < 100:
    time.sleep(0.05)
seen = open(sys.argv[2], "rb").read().count(b"\n")
p.stdin.write(data[len(data) // 2 :]); p.stdin.close()
if p.wait(timeout=60) != 0: sys.exit("exit status %d" % p.returncode)
if seen < 100: sys.exit("only %d lines out while the pipe paused after half the capture" % seen)
print("%d lines out while the pipe paused" % seen)
PY
"$bin" decode -j 1 --format csv "$work/big.pcap" > "$work/whole.csv" 2>/dev/null
cmp -s "$work/whole.csv" "$work/half.csv" || fail "paused pipe: the CSV differs from the file's with -j 1"

# doctor -j: the same report, every format, on every shipped capture and the generated one.
doctor_same() {
  local name=$1; shift
  for fmt in text json; do
    "$bin" doctor -j 1 --format "$fmt" "$@" > "$work/one" 2> /dev/null; local s1=$?
    "$bin" doctor -j 2 --format "$fmt" "$@" > "$work/many" 2> /dev/null; local s2=$?
    [ "$s1" = "$s2" ] || fail "doctor $name --format $fmt: exit status $s1 with -j 1, $s2 with -j 2"
    cmp -s "$work/one" "$work/many" || fail "doctor $name --format $fmt: -j 2 differs from -j 1"
    [ -s "$work/one" ] && reports=$((reports + 1))
  done
}
reports=0
for f in "$here"/captures/doctor/*.pcap "$here"/captures/tcp-ipv4.pcap "$here"/captures/mixed.pcapng \
    "$here"/captures/foreign.pcap "$here"/captures/damaged-truncated-record.pcap; do
  doctor_same "$(basename "$f")" "$f"
done
doctor_same "generated capture" "$work/big.pcap"
doctor_same "several inputs" "$here/captures/doctor/platform.pcap" "$here/captures/tcp-ipv4.pcap"
[ "$reports" -gt 15 ] || fail "doctor: only $reports reports were written (unreadable captures give none)"

echo "decode -j: $n shipped captures, filters, --pretty, several inputs, 60000 messages and a pipe, byte for byte as -j 1; six other formats and a paused pipe; doctor -j 2 as -j 1"
