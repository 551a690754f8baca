#!/usr/bin/env bash
# Exit status means the same in every subcommand: 0 when the work asked for was done (a stop by
# --duration, --count, SIGINT or SIGTERM is asked for), 1 when an input or a peer failed, 2 for a
# usage error.
set -u
bin=$(readlink -f "$1")
here=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
cleanup() { kill $(jobs -p) 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
command -v python3 >/dev/null || { echo "skipped: python3 missing"; exit 77; }
n=0
expect() {  # expect STATUS WHAT: the last command's status
  [ "$last" = "$1" ] || fail "$2: exit status $last, expected $1"
  n=$((n + 1))
}
cap=$here/captures/doctor/platform.pcap

# A platform that accepts every TCP connection and reads (bounded: 20 s at most).
cat > "$work/platform.py" <<'PY'
import selectors, socket, sys, time
srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", 0)); srv.listen(512); srv.setblocking(False)
open(sys.argv[1], "w").write(str(srv.getsockname()[1]))
sel = selectors.DefaultSelector(); sel.register(srv, selectors.EVENT_READ)
end = time.time() + 20
while time.time() < end:
    for key, _ in sel.select(0.2):
        if key.fileobj is srv:
            c, _ = srv.accept(); c.setblocking(False); sel.register(c, selectors.EVENT_READ)
        else:
            try:
                if not key.fileobj.recv(65536): sel.unregister(key.fileobj); key.fileobj.close()
            except OSError:
                sel.unregister(key.fileobj); key.fileobj.close()
PY
python3 "$work/platform.py" "$work/port" & 
for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.05; done
port=$(cat "$work/port")

# replay: stopped by --duration, by SIGINT, by SIGTERM: 0, with messages left unsent.
"$bin" replay "$cap" --to "127.0.0.1:$port" --transport tcp --speed 1 --duration 1 -q > "$work/r1" 2>/dev/null; last=$?
expect 0 "replay stopped by --duration"
grep -q '"stopped":"duration"' "$work/r1" || fail "replay --duration: the summary does not say it stopped by duration"
jq -e 'select(.kind == "summary") | .unsent > 0' "$work/r1" > /dev/null 2>&1 || grep -q '"unsent":[1-9]' "$work/r1" \
  || fail "replay --duration: nothing was left unsent, the test proves nothing"
for sig in INT TERM; do
  "$bin" replay "$cap" --to "127.0.0.1:$port" --transport tcp --speed 1 -q > "$work/r2" 2>/dev/null & p=$!
  sleep 1; kill -"$sig" "$p"; wait "$p"; last=$?
  expect 0 "replay stopped by SIG$sig"
  grep -q '"stopped":"signal"' "$work/r2" || fail "replay SIG$sig: the summary does not say it stopped by a signal"
done
# replay to a port where nothing listens: the peer failed, 1.
dead=$(python3 "$here/tests/e2e/free_port.py")
"$bin" replay "$cap" --to "127.0.0.1:$dead" --transport tcp --top-speed -q > /dev/null 2>&1; last=$?
expect 1 "replay to a closed port"

# listen: --duration, --count, SIGINT, SIGTERM: 0.
"$bin" listen --port 0 --bind 127.0.0.1 --duration 1 -q > /dev/null 2>&1; last=$?
expect 0 "listen stopped by --duration"
for sig in INT TERM; do
  # The signal once listen says it listens (its handlers are set by then), however slow the start.
  "$bin" listen --port 0 --bind 127.0.0.1 > /dev/null 2> "$work/s.err" & p=$!
  for _ in $(seq 200); do grep -q "listening on" "$work/s.err" && break; sleep 0.05; done
  kill -"$sig" "$p"; wait "$p"; last=$?
  expect 0 "listen stopped by SIG$sig"
done
"$bin" listen --port 0 --bind 127.0.0.1 --count 3 --duration 20 > "$work/l" 2> "$work/l.err" & p=$!
for _ in $(seq 100); do lp=$(sed -n 's/.*listening on .*:\([0-9]*\) (tcp and udp).*/\1/p' "$work/l.err"); [ -n "$lp" ] && break; sleep 0.05; done
[ -n "$lp" ] || fail "listen did not start: $(cat "$work/l.err")"
"$bin" replay "$here/captures/tcp-ipv4.pcap" --to "127.0.0.1:$lp" --top-speed -q > /dev/null 2>&1
wait "$p"; last=$?
expect 0 "listen stopped by --count"

# capture (root and a live interface): --duration, -c and SIGINT: 0.
if [ "$(id -u)" = 0 ]; then
  "$bin" capture -i lo --duration 1 -q > /dev/null 2>&1; last=$?
  expect 0 "capture stopped by --duration"
  "$bin" capture -i lo -q > /dev/null 2>&1 & p=$!
  sleep 0.7; kill -INT "$p"; wait "$p"; last=$?
  expect 0 "capture stopped by SIGINT"
else
  echo "note: capture part skipped (needs root)"
fi

# decode and doctor: a missing input is 1, a usage error 2, a clean input 0.
"$bin" decode "$work/missing.pcap" > /dev/null 2>&1; last=$?
expect 1 "decode of a missing file"
"$bin" decode "$here/captures/tcp-ipv4.pcap" > /dev/null 2>&1; last=$?
expect 0 "decode of a capture"
"$bin" decode --format nope "$here/captures/tcp-ipv4.pcap" > /dev/null 2>&1; last=$?
expect 2 "decode with a wrong --format"
"$bin" doctor "$work/missing.pcap" > /dev/null 2>&1; last=$?
expect 1 "doctor of a missing file"
"$bin" replay "$cap" --to "127.0.0.1:$port" --speed 0 > /dev/null 2>&1; last=$?
expect 2 "replay with --speed 0"
# Filters that match nothing: a note on stderr naming the closest values seen, the output still
# valid; exit 1 only under --strict.
tcp=$here/captures/tcp-ipv4.pcap
"$bin" decode "$tcp" --imei 867648040000019 --format json > "$work/f.json" 2> "$work/f.err"; last=$?
expect 0 "decode --imei that matches nothing"
grep -q "imei 867648040000019 matched no record; the identifiers seen closest to it: 867648040000018" "$work/f.err" \
  || fail "decode --imei: no note naming the closest identifier: $(cat "$work/f.err")"
[ "$(jq length "$work/f.json")" = 0 ] || fail "decode --imei --format json: not an empty JSON array"
"$bin" decode "$tcp" --imei 867648040000019 --strict > /dev/null 2>&1; last=$?
expect 1 "decode --imei --strict that matches nothing"
"$bin" decode "$tcp" --event fall --strict > /dev/null 2> "$work/f.err"; last=$?
expect 1 "decode --event --strict that matches nothing"
grep -q "event fall matched no record; the events seen: .*sos" "$work/f.err" || fail "decode --event: $(cat "$work/f.err")"
"$bin" decode -j 2 "$tcp" --event sos --imei 867648040000018 --strict > /dev/null 2> "$work/f.err"; last=$?
expect 0 "decode -j 2 --strict with filters that match"
[ -s "$work/f.err" ] && grep -q "matched no record" "$work/f.err" && fail "a note for filters that matched: $(cat "$work/f.err")"
"$bin" listen --port 0 --bind 127.0.0.1 --duration 0.5 -q --imei 867648040000018 --strict > /dev/null 2> "$work/f.err"; last=$?
expect 1 "listen --strict that heard nothing for --imei"
grep -q "matched no record" "$work/f.err" || fail "listen --imei: no note: $(cat "$work/f.err")"

echo "exit status: $n cases, 0 for asked-for stops, 1 for failed inputs and peers, 2 for usage"
