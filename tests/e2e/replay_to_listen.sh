#!/usr/bin/env bash
# Every shipped capture (not the damaged ones) replayed by vt106 replay to vt106 listen on
# loopback, over IPv4, IPv6 and a name, TCP and UDP: each device connection of the capture
# arrives on its own connection with exactly the uplink frames of captures/NAME.expected.tsv,
# byte for byte and in order. Also with --transport udp, --speed, --imei-map and --restamp.
set -u
bin=$(readlink -f "$1")
captures=$(pwd)/captures
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; for f in "$work"/*.err; do [ -f "$f" ] && { echo "--- $f"; cat "$f"; }; done; exit 1; }
command -v python3 >/dev/null || fail "python3 missing (scripts/deps installs it)"

# Compares what listen received with the capture's expected frames, connection by connection,
# matched through replay's `sent` records (their src is listen's src, recorded_src the capture's).
cat > "$work/compare.py" <<'PY'
import json, sys
from collections import defaultdict
expected_tsv, sent_file, received_file, transport, imei_map = sys.argv[1:6]
imei_map = dict(p.split("=") for p in imei_map.split(",") if p)
want = defaultdict(list)  # capture client endpoint -> (transport, frames)
for line in open(expected_tsv):
    line = line.rstrip("\n")
    if not line or line.startswith("#") or line.startswith("src\t"):
        continue
    src, dst, tr, direction, frame = line.split("\t")
    if direction == "up":
        for old, new in imei_map.items():
            frame = frame.replace("#" + old + ",", "#" + new + ",")
        want[src].append((tr, frame))
replayed = [json.loads(l) for l in open(sent_file)]
summary = replayed[-1]
assert summary["kind"] == "summary" and summary["errors"] == {} and summary["unsent"] == 0, summary
local_to_capture = {}
for r in replayed:
    if r["kind"] == "sent":
        local_to_capture.setdefault(r["src"], r["recorded_src"])
        assert local_to_capture[r["src"]] == r["recorded_src"], r
received = [json.loads(l) for l in open(received_file)]
got = defaultdict(list)
for r in received:
    assert r["kind"] == "message" and r["dir"] == "up", r
    got[local_to_capture[r["src"]]].append((r["transport"], r["raw"]))
assert set(got) == set(want), (sorted(got), sorted(want))
for client, frames in want.items():
    expected = [(transport or tr, f) for tr, f in frames]
    assert got[client] == expected, (client, got[client], expected)
    flows = {r["flow"] for r in received if local_to_capture[r["src"]] == client}
    assert len(flows) == 1, (client, flows)  # one connection (or UDP peer) per captured connection
assert summary["messages"] == sum(len(v) for v in want.values()), summary
print(len(want), sum(len(v) for v in want.values()))
PY

# replay_one NAME FILE TARGET_HOST [replay options...]: listen, replay, compare.
replay_one() {
  local name=$1 file=$2 host=$3; shift 3
  local frames transport="" imei_map=""
  frames=$(grep -v '^#' "$captures/$name.expected.tsv" | awk -F'\t' '$4 == "up"' | wc -l)
  for arg in "$@"; do case $arg in --transport=*) transport=${arg#--transport=} ;; --imei-map=*) imei_map=${arg#--imei-map=} ;; esac; done
  # listen stops by itself once it has every frame (--count), or after 60 s at worst.
  "$bin" listen --port 0 --count "$frames" --duration 60 < /dev/null > "$work/$name.received" 2> "$work/$name-listen.err" &
  local listen_pid=$! port=""
  for _ in $(seq 100); do
    port=$(sed -n 's/.*listening on .*:\([0-9]*\) (tcp and udp).*/\1/p' "$work/$name-listen.err" 2>/dev/null)
    [ -n "$port" ] && break
    sleep 0.1
  done
  [ -n "$port" ] || fail "$name: listen did not start"
  "$bin" replay "$file" --to "$host:$port" --verbose "$@" > "$work/$name.sent" 2> "$work/$name-replay.err" \
    || fail "$name: replay exited $?"
  for _ in $(seq 300); do kill -0 "$listen_pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$listen_pid" 2>/dev/null && fail "$name: listen did not receive the $frames frames"
  wait "$listen_pid" || fail "$name: listen failed"
  result=$(python3 "$work/compare.py" "$captures/$name.expected.tsv" "$work/$name.sent" "$work/$name.received" \
    "$transport" "$imei_map") || fail "$name: what listen received differs from the capture"
  echo "$name -> $host: $result (connections, frames)"
}

replay_one tcp-ipv4 "$captures/tcp-ipv4.pcap" 127.0.0.1 --top-speed
replay_one tcp-ipv6 "$captures/tcp-ipv6.pcap" '[::1]' --top-speed
replay_one udp "$captures/udp.pcap" '[::1]' --top-speed
replay_one cooked-any "$captures/cooked-any.pcap" 127.0.0.1 --top-speed
replay_one cooked-any-sll2 "$captures/cooked-any-sll2.pcap" localhost --top-speed
replay_one mixed "$captures/mixed.pcapng" '[::1]' --top-speed
replay_one mixed-linktypes "$captures/mixed-linktypes.pcapng" 127.0.0.1 --top-speed
replay_one retransmit "$captures/retransmit.pcap" 127.0.0.1 --top-speed

# The same captures again with other options: every connection over UDP; the capture's own
# timing ten times faster (lateness is reported); IMEIs rewritten.
replay_one tcp-ipv4 "$captures/tcp-ipv4.pcap" 127.0.0.1 --top-speed --transport=udp
replay_one mixed "$captures/mixed.pcapng" 127.0.0.1 --speed 10
python3 -c 'import json,sys; s=[json.loads(l) for l in open(sys.argv[1])][-1]; assert "late_p50_us" in s and s["late_max_us"] >= s["late_p50_us"], s' \
  "$work/mixed.sent" || fail "--speed: no lateness in the summary"
replay_one tcp-ipv6 "$captures/tcp-ipv6.pcap" '[::1]' --top-speed --imei-map=867648040000042=353327020412763

# --restamp: the same frames except DATE/TIME, which move to the send time.
"$bin" listen --port 0 --count 13 --duration 60 < /dev/null > "$work/restamp.received" 2> "$work/restamp-listen.err" &
listen_pid=$!
for _ in $(seq 100); do grep -q "listening on" "$work/restamp-listen.err" 2>/dev/null && break; sleep 0.1; done
port=$(sed -n 's/.*listening on .*:\([0-9]*\) (tcp and udp).*/\1/p' "$work/restamp-listen.err")
"$bin" replay "$captures/tcp-ipv4.pcap" --to "127.0.0.1:$port" --top-speed --restamp -q > "$work/restamp.sent" || fail "restamp replay failed"
wait "$listen_pid" || fail "restamp: listen failed"
python3 - "$work/restamp.received" <<'PY' || fail "--restamp did not move the fix times to now"
import json, sys, datetime
now = datetime.datetime.now(datetime.timezone.utc)
fixes = [json.loads(l) for l in open(sys.argv[1])]
fixes = [datetime.datetime.fromisoformat(r["fix_time"].replace("Z", "+00:00")) for r in fixes if "fix_time" in r]
assert len(fixes) == 10, len(fixes)
# Each connection's first dated frame is stamped with its send time; the others keep their
# distance to it, which in these captures' sample frames reaches years.
assert sum(1 for f in fixes if abs((f - now).total_seconds()) < 600) >= 4, fixes  # one per connection
PY
echo "replay to listen: every capture arrives byte for byte, per connection, in order"
