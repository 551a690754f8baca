#!/usr/bin/env bash
# vt106 listen on loopback with real TCP and UDP devices (python3): frames decoded with the
# receive time and endpoints, --command sent on a device's first frame (TCP and UDP), a command
# line on standard input sent to a connected device, device_not_connected for one that is not,
# an HTTP request reported once as a foreign record (as decode reports one) and closed, a silent connection closed by
# --idle-timeout, --save-ndjson, --count, and a clean stop on SIGINT.
set -u
bin=$(readlink -f "$1")
work=$(mktemp -d)
trap 'exec 3>&- 2>/dev/null; kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; for f in "$work"/*.err "$work"/*.ndjson; do [ -f "$f" ] && { echo "--- $f"; cat "$f"; }; done; exit 1; }
command -v python3 >/dev/null || fail "python3 missing (scripts/deps installs it)"

tcp_imei=867648040000018 udp_imei=867648040000026 absent_imei=867648040000034
position="CMD-T,A,DATE:090329,TIME:223252,LAT:22.7634066N,LOT:114.3964783E,Speed:000.0,84-20,000"

# Waits for the "listening on" line of listen run NAME and prints its port.
port_of() {
  for _ in $(seq 100); do
    if grep -q "listening on" "$work/$1.err" 2>/dev/null; then
      sed -n 's/.*listening on .*:\([0-9]*\) (tcp and udp).*/\1/p' "$work/$1.err"
      return 0
    fi
    sleep 0.1
  done
  fail "listen $1 did not start"
}

# A device: sends frames, prints what the server sends back; every wait is bounded.
cat > "$work/device.py" <<'PY'
import socket, sys, time
mode, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
def recv_until(sock, count, limit=10):
    sock.settimeout(limit); got = b""
    while got.count(b"#") < count:
        chunk = sock.recv(4096)
        if not chunk: break
        got += chunk
    return got.decode()
if mode == "tcp":  # frame, wait for --command, signal, wait for the stdin command, close
    imei, frame, signal_file = sys.argv[4], sys.argv[5], sys.argv[6]
    s = socket.create_connection((host, port), timeout=10)
    s.sendall(("#%s,%s#" % (imei, frame)).encode()[:30]); time.sleep(0.05)
    s.sendall(("#%s,%s#" % (imei, frame)).encode()[30:])
    print(recv_until(s, 1), flush=True)
    open(signal_file, "w").write("ready")
    print(recv_until(s, 1), flush=True)
    s.sendall(("#%s,CMD-X#" % imei).encode()); time.sleep(0.1); s.close()
elif mode == "udp":
    imei, frame = sys.argv[4], sys.argv[5]
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.settimeout(10)
    u.sendto(("#%s,CMD-X##%s,%s#" % (imei, imei, frame)).encode(), (host, port))
    print(u.recvfrom(4096)[0].decode(), flush=True)
elif mode == "http":  # the server must close the connection by itself
    s = socket.create_connection((host, port), timeout=10)
    s.sendall(b"GET / HTTP/1.1\r\nHost: tracker\r\n\r\n")
    print("closed" if s.recv(4096) == b"" else "answered", flush=True)
elif mode == "silent":
    s = socket.create_connection((host, port), timeout=10)
    start = time.time()
    print("closed" if s.recv(4096) == b"" else "answered", flush=True)
PY

# 1. Commands: --command for both devices, a line on standard input, --save-ndjson.
mkfifo "$work/stdin"
"$bin" listen --port 0 --bind 127.0.0.1 --duration 60 --save-ndjson "$work/saved.ndjson" \
  --command "$tcp_imei=:123456F#" --command "$udp_imei=:123456F#" \
  < "$work/stdin" > "$work/main.ndjson" 2> "$work/main.err" &
listen_pid=$!
exec 3> "$work/stdin"
port=$(port_of main)
timeout 30 python3 "$work/device.py" tcp 127.0.0.1 "$port" "$tcp_imei" "$position" "$work/ready" > "$work/tcp.out" &
device_pid=$!
for _ in $(seq 100); do [ -f "$work/ready" ] && break; sleep 0.1; done
[ -f "$work/ready" ] || fail "the TCP device did not receive its --command"
echo "$tcp_imei :123456M1,030S#" >&3
echo "$absent_imei :123456F#" >&3
wait "$device_pid" || fail "the TCP device failed"
timeout 30 python3 "$work/device.py" udp 127.0.0.1 "$port" "$udp_imei" "$position" > "$work/udp.out" || fail "the UDP device got no command"
exec 3>&-  # end of standard input: listen goes on
sleep 0.2
kill -0 "$listen_pid" 2>/dev/null || fail "listen stopped at the end of standard input"
kill -INT "$listen_pid"; wait "$listen_pid"; status=$?
[ "$status" = 0 ] || fail "listen exited $status after SIGINT"
[ "$(sed -n 1p "$work/tcp.out")" = ":123456F#" ] || fail "TCP device received '$(sed -n 1p "$work/tcp.out")' for --command"
[ "$(sed -n 2p "$work/tcp.out")" = ":123456M1,030S#" ] || fail "TCP device received '$(sed -n 2p "$work/tcp.out")' for the stdin line"
[ "$(cat "$work/udp.out")" = ":123456F#" ] || fail "UDP device received '$(cat "$work/udp.out")'"
grep -q "commands sent" "$work/main.err" || fail "no summary line on stderr after SIGINT"
python3 - "$work/main.ndjson" "$work/saved.ndjson" "$tcp_imei" "$udp_imei" "$absent_imei" "$port" <<'PY' || fail "records of the command run"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
saved = [json.loads(l) for l in open(sys.argv[2])]
tcp_imei, udp_imei, absent, port = sys.argv[3:7]
assert recs == saved, "the --save-ndjson file differs from standard output"
msgs = [r for r in recs if r["kind"] == "message"]
up = [(r["transport"], r["imei"], r["type"]) for r in msgs if r["dir"] == "up"]
assert up == [("tcp", tcp_imei, "CMD-T"), ("tcp", tcp_imei, "CMD-X"), ("udp", udp_imei, "CMD-X"), ("udp", udp_imei, "CMD-T")], up
down = [(r["transport"], r["raw"], r.get("imei")) for r in msgs if r["dir"] == "down"]
# Commands name the device they went to, as decode's downlink records do.
assert down == [("tcp", ":123456F#", tcp_imei), ("tcp", ":123456M1,030S#", tcp_imei), ("udp", ":123456F#", udp_imei)], down
for r in msgs:
    assert r["ts"].endswith("Z") and r["flow"] in (1, 2), r
    device, listener = (r["src"], r["dst"]) if r["dir"] == "up" else (r["dst"], r["src"])
    assert listener == "127.0.0.1:" + port and device.startswith("127.0.0.1:") and device != listener, r
assert [r["offset"] for r in msgs if r["dir"] == "up" and r["transport"] == "tcp"] == [0, 104], msgs
errors = [r for r in recs if r["kind"] == "error"]
assert [(e["code"], e.get("imei")) for e in errors] == [("device_not_connected", absent)], errors
PY

# 2. Foreign protocol, idle timeout, --count.
"$bin" listen --port 0 --bind ::1 --idle-timeout 1 --count 1 --duration 60 < /dev/null > "$work/other.ndjson" 2> "$work/other.err" &
listen_pid=$!
port=$(port_of other)
[ "$(timeout 30 python3 "$work/device.py" http ::1 "$port")" = closed ] || fail "the HTTP connection was not closed"
[ "$(timeout 30 python3 "$work/device.py" silent ::1 "$port")" = closed ] || fail "the silent connection was not closed"
kill -0 "$listen_pid" 2>/dev/null || fail "listen stopped before its --count"
printf '#%s,CMD-X#' "$tcp_imei" | timeout 10 python3 -c '
import socket, sys
s = socket.create_connection(("::1", int(sys.argv[1])), timeout=10); s.sendall(sys.stdin.buffer.read()); s.close()' "$port"
for _ in $(seq 100); do kill -0 "$listen_pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$listen_pid" 2>/dev/null && fail "listen --count 1 did not stop"
wait "$listen_pid"; status=$?
[ "$status" = 0 ] || fail "listen --count exited $status"
python3 - "$work/other.ndjson" <<'PY' || fail "records of the foreign/idle run"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
errors = [r for r in recs if r["kind"] == "error"]
codes = [e["code"] for e in errors]
assert codes == ["idle_timeout"], codes
# The HTTP request: one foreign record, as decode writes for a flow in another protocol, named by
# the same detector.
foreign = [r for r in recs if r["kind"] == "foreign"]
assert len(foreign) == 1, foreign
foreign = foreign[0]
assert foreign["transport"] == "tcp" and foreign["src"].startswith("[::1]:") and foreign["flow"] == 1, foreign
assert foreign["protocol"] == "http" and foreign["status"] == "match" and foreign["evidence"], foreign
assert errors[0]["flow"] == 2
msgs = [r for r in recs if r["kind"] == "message"]
assert len(msgs) == 1 and msgs[0]["type"] == "CMD-X" and msgs[0]["flow"] == 3, msgs
PY

# 3. A port already taken: exit status 1 and a message naming the address.
"$bin" listen --port 0 --bind 127.0.0.1 --duration 20 < /dev/null > /dev/null 2> "$work/first.err" &
port=$(port_of first)
"$bin" listen --port "$port" --bind 127.0.0.1 --duration 5 < /dev/null > /dev/null 2> "$work/second.err"; status=$?
[ "$status" = 1 ] || fail "listening on a taken port exited $status"
grep -q "127.0.0.1:$port" "$work/second.err" || fail "the taken port is not named"
"$bin" listen --bind not-an-address --duration 1 < /dev/null > /dev/null 2>&1; [ $? = 1 ] || fail "--bind not-an-address"
"$bin" listen --command 867648040000018 < /dev/null > /dev/null 2>&1; [ $? = 2 ] || fail "--command without =FRAME is not a usage error"
echo "listen: records, commands (--command, stdin, tcp, udp), foreign protocol, idle timeout, --save-ndjson, --count, SIGINT"
