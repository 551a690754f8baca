#!/usr/bin/env bash
# 10,000 devices relayed at once: replay opens 10,000 TCP connections (--connect-ahead) through
# (their messages spread over 15 s)
# vt106 proxy into vt106 listen, which must decode every message; the proxy's summary says it
# held all of them at once. The proxy needs two sockets a device: the limit on open files is
# raised where that is allowed; where the hard limit is lower (a container's 20,000), as many
# devices as fit beside the proxy's own descriptors, and never fewer than 5,000.
set -u
bin=$(readlink -f "$1")
here=$(cd "$(dirname "$0")" && pwd)
devices=10000 messages=100000
if [ "$(id -u)" -eq 0 ]; then ulimit -Hn 1048576 2>/dev/null; ulimit -n "$(ulimit -Hn)"; fi
hard=$(ulimit -Hn)
if [ "$hard" != unlimited ] && [ "$hard" -lt $((devices * 2 + 80)) ]; then devices=$(( (hard - 80) / 2 )); fi
[ "$devices" -ge 5000 ] || { echo "skipped: the open-file limit $hard allows only $devices devices"; exit 77; }
command -v python3 >/dev/null || { echo "skipped: python3 missing"; exit 77; }
work=$(mktemp -d)
cleanup() { kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; for f in "$work"/*.err; do echo "--- $f"; head -c 2000 "$f"; done; exit 1; }
# The messages spread over 15 s, replayed at their pace: every device stays connected meanwhile.
python3 "$here/../../bench/make_capture.py" "$work/many.pcap" --devices $devices --messages $messages --udp-share 0 \
  --duration 15 2>/dev/null ||
  fail "generator"
"$bin" listen --port 0 --bind 127.0.0.1 --max-connections 20000 --count $messages --duration 200 < /dev/null \
  > /dev/null 2> "$work/listen.err" &
lp=$!
for _ in $(seq 200); do port=$(sed -n 's/.*listening on .*:\([0-9]*\) (tcp and udp).*/\1/p' "$work/listen.err"); [ -n "$port" ] && break; sleep 0.05; done
[ -n "$port" ] || fail "listen did not start"
"$bin" proxy --listen 127.0.0.1:0 --to "127.0.0.1:$port" --max-connections 20000 --no-doctor --duration 200 < /dev/null \
  > "$work/proxy.out" 2> "$work/proxy.err" &
pp=$!
for _ in $(seq 200); do pport=$(sed -n 's/.*relaying .*:\([0-9]*\) (tcp and udp).*/\1/p' "$work/proxy.err"); [ -n "$pport" ] && break; sleep 0.05; done
[ -n "$pport" ] || fail "proxy did not start"
"$bin" replay "$work/many.pcap" --to "127.0.0.1:$pport" --max-connections 20000 --speed 1 --connect-ahead -q \
  --duration 200 > "$work/replay.out" 2> "$work/replay.err" || fail "replay exited $?"
wait "$lp"
kill -INT "$pp"; wait "$pp" || fail "proxy exited $?"
grep -q "$messages messages from $devices devices" "$work/listen.err" || fail "listen did not decode every message"
grep -q "^vt106 proxy: $devices tcp connections, 0 udp devices ($devices at once at most); $messages messages decoded" "$work/proxy.err" ||
  fail "the proxy's summary: $(head -1 "$work/proxy.err")"
flows=$(grep -c '"kind":"flow"' "$work/proxy.out")
[ "$flows" = $devices ] || fail "$flows flow records, not $devices"
echo "proxy: $devices devices relayed at once, $messages messages decoded by the proxy and by listen"
