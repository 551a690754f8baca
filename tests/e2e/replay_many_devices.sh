#!/usr/bin/env bash
# Hundreds of devices with many messages each (bench/make_capture.py) replayed into vt106 listen:
# at --top-speed, read as it is sent (each device connecting when the input reaches it) and with
# --connect-ahead (connections opened before the clock), messages of a connection written
# together, every connection's bytes arrive exactly as sent and in order, also with a read-ahead
# far smaller than the capture; with an open-file limit too low for every device at once, a
# warning says so and every message still arrives; with the capture's own timing, each message
# is its own send and lateness is reported.
set -u
bin=$(readlink -f "$1")
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; for f in "$work"/*.err; do [ -f "$f" ] && { echo "--- $f"; tail -n 5 "$f"; }; done; exit 1; }
command -v python3 >/dev/null || fail "python3 missing (scripts/deps installs it)"

devices=400 messages=20000
python3 bench/make_capture.py "$work/top.pcap" --devices $devices --messages $messages --udp-share 0 2>/dev/null \
  || fail "generator failed"
python3 bench/make_capture.py "$work/timed.pcap" --devices $devices --messages 2000 --udp-share 0 --duration 3 2>/dev/null \
  || fail "generator failed"

# Every connection: the concatenated raw of replay's sent records (by local endpoint) is the
# concatenated raw of listen's message records (by src), in order.
cat > "$work/compare.py" <<'PY'
import json, sys
from collections import defaultdict
sent_file, received_file, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
sent, got = defaultdict(list), defaultdict(list)
summary = None
for line in open(sent_file):
    r = json.loads(line)
    if r["kind"] == "sent":
        sent[r["src"]].append(r["raw"])
    elif r["kind"] == "summary":
        summary = r
for line in open(received_file):
    r = json.loads(line)
    assert r["kind"] == "message" and r["dir"] == "up", r
    got[r["src"]].append(r["raw"])
assert summary and summary["messages"] == count and summary["unsent"] == 0 and summary["errors"] == {}, summary
assert sum(len(v) for v in got.values()) == count, sum(len(v) for v in got.values())
assert set(sent) == set(got), (len(sent), len(got))
for src in sent:
    assert "".join(sent[src]) == "".join(got[src]), src
    assert sent[src] == got[src], src
print(json.dumps(summary))
PY

# run NAME COUNT REPLAY_ARGS...: listen until COUNT messages, replay, compare; the summary on stdout.
run() {
  local name=$1 count=$2; shift 2
  "$bin" listen --port 0 --bind 127.0.0.1 --max-connections 2000 --count "$count" --duration 120 < /dev/null \
    > "$work/$name.received" 2> "$work/$name-listen.err" &
  local listen_pid=$! port=""
  for _ in $(seq 100); do
    port=$(sed -n 's/.*listening on .*:\([0-9]*\) (tcp and udp).*/\1/p' "$work/$name-listen.err" 2>/dev/null)
    [ -n "$port" ] && break
    sleep 0.1
  done
  [ -n "$port" ] || fail "$name: listen did not start"
  "$bin" replay "$@" --to "127.0.0.1:$port" --verbose > "$work/$name.sent" 2> "$work/$name-replay.err" \
    || fail "$name: replay exited $?"
  wait "$listen_pid" || fail "$name: listen failed"
  python3 "$work/compare.py" "$work/$name.sent" "$work/$name.received" "$count" > "$work/$name.summary" \
    || fail "$name: what listen received is not what replay sent"
}

run streamed $messages "$work/top.pcap" --top-speed --max-connections 1000 --read-ahead 64
python3 - "$work/streamed.summary" "$devices" <<'PY' || fail "top speed, streamed: not every device connected once, as the input reached it"
import json, sys
s = json.load(open(sys.argv[1]))
# Those of the first read (64 KiB) connect before the clock, the others as the reading reaches them.
assert s["connections"] == int(sys.argv[2]) and 0 < s.get("preconnected", 0) < s["connections"], s
PY

run top $messages "$work/top.pcap" --top-speed --max-connections 1000 --connect-ahead
python3 - "$work/top.summary" "$devices" <<'PY' || fail "top speed: the connections were not all opened before the clock"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["connections"] == int(sys.argv[2]) and s["preconnected"] == int(sys.argv[2]), s
assert s["connect_s"] >= 0 and "late_p50_us" not in s, s
PY
grep -q "$messages messages from $devices devices (.* s from the first byte to the last message, [0-9]* messages/s)" \
  "$work/top-listen.err" || fail "listen's summary line does not say how fast the messages came"

# 150 descriptors for 400 devices: a warning, fewer connections at once, every message delivered.
( ulimit -n 150 && run limited $messages "$work/top.pcap" --top-speed --connect-ahead ) || exit 1
grep -q "warning: the limit on open files is 150 (hard limit 150): 86 connections at once, not $devices" \
  "$work/limited-replay.err" || fail "no warning about the open-file limit"
python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); assert s["preconnected"] == 86 and s["connections"] == 400, s' \
  "$work/limited.summary" || fail "with 150 descriptors: not 86 connections at once, 400 in all"
( ulimit -n 150 && run limited-streamed $messages "$work/top.pcap" --top-speed ) || exit 1
grep -q "warning: the limit on open files is 150 (hard limit 150): 86 connections at once, and more devices are talking" \
  "$work/limited-streamed-replay.err" || fail "streamed: no warning about the open-file limit"
( ulimit -n 150 && "$bin" listen --port 0 --max-connections 1000 --duration 0.1 2> "$work/limit-listen.err" ) \
  || fail "listen failed under a low limit"
grep -q "warning: the limit on open files is 150 (hard limit 150): about 86 connections" "$work/limit-listen.err" \
  || fail "listen: no warning about the open-file limit"

# The capture's timing: lateness reported, and each message sent on its own (a sent record per
# message with its own due time).
run timed 2000 "$work/timed.pcap"
python3 - "$work/timed.summary" "$work/timed.sent" <<'PY' || fail "timed replay: no lateness figures"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["late_max_us"] >= s["late_p99_us"] >= s["late_p50_us"] >= 0, s
sent = [json.loads(l) for l in open(sys.argv[2])]
assert all("due" in r and "late_us" in r for r in sent if r["kind"] == "sent"), "a sent record without its due time"
PY
echo "replay of $devices devices: every connection byte for byte and in order, at top speed, under a low file limit, timed"
