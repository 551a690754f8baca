#!/usr/bin/env bash
# `vt106 listen -w FILE` saves what passed on its sockets as a pcapng capture with the real
# addresses, ports and times (TCP with its handshake, sequence numbers and FINs, UDP datagrams),
# over IPv4 and IPv6: decode reads back the records listen wrote, the real tcpdump reads it with
# every checksum right, and `vt106 replay` of the recording into a second listen delivers exactly
# the frames the devices sent.
set -u
bin=$(readlink -f "$1")
work=$(mktemp -d)
cleanup() { kill $(jobs -p) 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; for f in "$work"/*.err; do echo "--- $f"; head -c 2000 "$f"; done; exit 1; }
command -v python3 >/dev/null || { echo "skipped: python3 missing"; exit 77; }

start_listen() {  # start_listen NAME BIND ARGS...: sets port
  local name=$1 bind=$2; shift 2
  "$bin" listen --port 0 --bind "$bind" --duration 20 "$@" > "$work/$name.out" 2> "$work/$name.err" &
  eval "${name}_pid=$!"
  port=
  for _ in $(seq 100); do port=$(sed -n 's/.*listening on .*:\([0-9]*\) (tcp and udp).*/\1/p' "$work/$name.err"); [ -n "$port" ] && break; sleep 0.05; done
  [ -n "$port" ] || fail "$name did not start"
}
devices() {  # devices HOST PORT: two TCP devices (one gets a command) and one UDP device
  python3 - "$1" "$2" <<'PY' || fail "devices"
import socket, sys, time
host, port = sys.argv[1], int(sys.argv[2])
family = socket.AF_INET6 if ":" in host else socket.AF_INET
a = socket.create_connection((host, port)); a.sendall(b"#867648040000018,CMD-X#"); time.sleep(0.3)
assert a.recv(100) == b":123456F#"
a.sendall(b"#867648040000018,CMD-T,A,DATE:090329,TIME:223252,LAT:22.7634066N,LOT:114.3964783E,Speed:000.0,84-20,000#")
b = socket.create_connection((host, port)); b.sendall(b"#867648040000034,CMD-X#" * 3)
time.sleep(0.2); a.close(); b.close()
u = socket.socket(family, socket.SOCK_DGRAM); u.sendto(b"#867648040000026,CMD-X#", (host, port)); time.sleep(0.3)
PY
}
n=0
for bind in 127.0.0.1 ::1; do
  host=$bind
  start_listen first "$bind" -w "$work/rec.pcapng" --command "867648040000018=:123456F#"
  devices "$host" "$port"
  kill -INT "$first_pid"; wait "$first_pid" || fail "listen exited $?"
  "$bin" decode "$work/rec.pcapng" > "$work/decoded" 2> "$work/decode.err" || fail "decode of the recording exited $?"
  python3 - "$work/first.out" "$work/decoded" <<'PY' || fail "decode of the recording ($bind)"
import json, sys
key = lambda r: (r["kind"], r.get("dir"), r.get("imei"), r.get("raw"), r.get("transport"), r.get("src"), r.get("dst"))
live = [key(json.loads(l)) for l in open(sys.argv[1])]
back = [key(json.loads(l)) for l in open(sys.argv[2])]
assert len(live) == 7, live
assert sorted(live) == sorted(back), (live, back)
PY
  if command -v tcpdump >/dev/null; then
    tcpdump -vv -n -r "$work/rec.pcapng" > "$work/tcpdump.txt" 2>&1 || fail "tcpdump cannot read the recording"
    grep -qi "incorrect" "$work/tcpdump.txt" && fail "tcpdump finds a wrong checksum: $(grep -i incorrect "$work/tcpdump.txt" | head -2)"
    [ "$(grep -c "Flags \[S\]" "$work/tcpdump.txt")" = 2 ] || fail "not two SYNs in the recording"
  fi
  # Replayed into a second listen: the same uplink frames, device by device.
  start_listen second "$bind"
  "$bin" replay "$work/rec.pcapng" --to "$( [[ $host == *:* ]] && echo "[$host]" || echo "$host"):$port" --top-speed -q > "$work/replay.out" 2> "$work/replay.err" \
    || fail "replay of the recording exited $?"
  sleep 0.5; kill -INT "$second_pid"; wait "$second_pid"
  python3 - "$work/first.out" "$work/second.out" <<'PY' || fail "replay of the recording ($bind)"
import json, sys
up = lambda f: sorted((r["imei"], r["raw"], r["transport"]) for r in map(json.loads, open(f)) if r["kind"] == "message" and r["dir"] == "up")
first, second = up(sys.argv[1]), up(sys.argv[2])
assert len(first) == 6 and first == second, (first, second)
PY
  n=$((n + 1))
done
echo "listen -w: recordings over IPv4 and IPv6 decode to the records listen wrote, read cleanly by tcpdump, and replay exactly"
