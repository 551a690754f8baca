#!/usr/bin/env bash
# vt106 decode -j N writes exactly what -j 1 writes, byte for byte and in the same order: on every
# shipped capture (damaged ones too), with flow summaries, filters and --pretty, on a generated
# capture of many batches and thousands of flows, and from a pipe.
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
echo "decode -j: $n shipped captures, filters, --pretty, several inputs, 60000 messages and a pipe, byte for byte as -j 1"
