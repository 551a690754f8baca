#!/usr/bin/env bash
# 100,000 TCP connections open at once: a capture with 100,000 SYNs, then one frame on each
# connection. With --max-flows 1000 the flow table holds at most 1000 of them: every eviction is
# a flow_limit record, every frame is still decoded, and peak memory (GNU time, when installed)
# stays far below what the default limit of 65536 flows costs.
set -u
bin=$1
fail=0
# Under ASan, freed memory waits in a quarantine (256 MB by default): measure what vt106 holds.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
flows=100000

python3 - "$dir/many.pcap" "$flows" <<'EOF'
import struct, sys
path, n = sys.argv[1], int(sys.argv[2])
server = bytes([10, 255, 255, 254])
def packet(i, seq, flags, payload=b""):
    client = bytes([10, 1 + i // 60000, (i // 250) % 240, 1 + i % 250])
    sport = 10000 + i % 50000
    tcp = struct.pack(">HHIIBBHHH", sport, 8888, seq, 0, 5 << 4, flags, 65535, 0, 0) + payload
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 1, 0, 64, 6, 0, client, server) + tcp
    return b"\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00" + ip
out = [struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1)]
t = 0
def record(data):
    global t
    t += 1
    out.append(struct.pack("<IIII", 1700000000 + t // 1000000, t % 1000000, len(data), len(data)) + data)
for i in range(n):
    record(packet(i, 1000, 0x02))  # SYN
for i in range(n):
    record(packet(i, 1001, 0x18, b"#%015d,CMD-X#" % (353327000000000 + i)))  # PSH ACK with a frame
open(path, "wb").write(b"".join(out))
EOF

# decode LIMIT: decodes the capture with --max-flows LIMIT; prints messages, flow_limit records
# and peak RSS in KiB (empty without GNU time).
decode() {
  local rss=""
  if [ -x /usr/bin/time ]; then
    /usr/bin/time -f %M -o "$dir/rss" "$bin" decode --max-flows "$1" "$dir/many.pcap" >"$dir/out" 2>"$dir/err"
  else
    "$bin" decode --max-flows "$1" "$dir/many.pcap" >"$dir/out" 2>"$dir/err"
  fi
  local status=$?
  [ $status = 0 ] || { echo "--max-flows $1: exit status $status" >&2; cat "$dir/err" >&2; return 1; }
  [ -x /usr/bin/time ] && rss=$(cat "$dir/rss")
  echo "$(grep -c '"kind":"message"' "$dir/out") $(grep -c '"code":"flow_limit"' "$dir/out") $rss"
}

read -r messages evicted small < <(decode 1000) || fail=1
[ "${messages:-0}" = $flows ] || { echo "--max-flows 1000: ${messages:-?} messages, expected $flows"; fail=1; }
# 99,000 SYN flows evicted to make room, then 99,000 of the frames start a flow anew.
[ "${evicted:-0}" -ge $((2 * (flows - 1000))) ] ||
  { echo "--max-flows 1000: ${evicted:-?} flow_limit records, expected at least $((2 * (flows - 1000)))"; fail=1; }
grep -m1 '"code":"flow_limit"' "$dir/out" | grep -q 'flow table full (1000 flows)' ||
  { echo "the flow_limit record does not name the limit"; fail=1; }
python3 -c '
import json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    json.loads(line)
' "$dir/out" || { echo "an output line is not valid JSON"; fail=1; }

read -r messages evicted large < <(decode 65536) || fail=1
[ "${messages:-0}" = $flows ] || { echo "--max-flows 65536: ${messages:-?} messages, expected $flows"; fail=1; }
if [ -n "$small" ] && [ -n "$large" ]; then
  echo "peak RSS for $flows connections: --max-flows 1000: $small KiB; --max-flows 65536: $large KiB"
  # Memory follows the limit: a 65x smaller table must cost well under half.
  [ $((small * 2)) -lt "$large" ] || { echo "memory does not follow --max-flows"; fail=1; }
fi
exit $fail
