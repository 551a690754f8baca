#!/usr/bin/env bash
# vt106 craft --send against real loopback listeners (TCP over IPv4, a DNS name and IPv6; UDP):
# the listener checks the bytes it receives and answers like a device; vt106 must print the
# decoded reply. A closed port must give a clear message and exit status 1.
set -u
bin=$1
fail=0
tmp=$(mktemp -d)
listener_pid=
cleanup() {
  [ -n "$listener_pid" ] && kill "$listener_pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

reply='#353327020412763,CMD-M,V,DATE:240813,TIME:235937,LAT:02.9930825N,LOT:101.5746188E,Speed:000.0,84-20,000#'

# A one-shot device stand-in: takes one command (TCP connection or UDP datagram), writes the
# bytes to $tmp/got, answers with the reply frame. Every wait is bounded.
cat > "$tmp/device.py" <<'EOF'
import os, socket, sys
transport, host, port_file, got_file, reply = sys.argv[1:6]
family = socket.AF_INET6 if ":" in host else socket.AF_INET
kind = socket.SOCK_STREAM if transport == "tcp" else socket.SOCK_DGRAM
s = socket.socket(family, kind)
s.settimeout(15)
s.bind((host, 0))
if transport == "tcp":
    s.listen(1)
with open(port_file + ".tmp", "w") as f:
    f.write(str(s.getsockname()[1]))
os.rename(port_file + ".tmp", port_file)
if transport == "tcp":
    conn, _ = s.accept()
    conn.settimeout(10)
    data = b""
    while not data.endswith(b"#") and len(data) < 200:
        chunk = conn.recv(200)
        if not chunk:
            break
        data += chunk
    open(got_file, "wb").write(data)
    conn.sendall(reply.encode())
    conn.close()
else:
    data, peer = s.recvfrom(200)
    open(got_file, "wb").write(data)
    s.sendto(reply.encode(), peer)
s.close()
EOF

start_device() {  # transport host
  rm -f "$tmp/port" "$tmp/got"
  python3 "$tmp/device.py" "$1" "$2" "$tmp/port" "$tmp/got" "$reply" &
  listener_pid=$!
  for _ in $(seq 100); do
    [ -s "$tmp/port" ] && break
    sleep 0.1
  done
  [ -s "$tmp/port" ] || { echo "the $1 listener on $2 did not start"; return 1; }
  port=$(cat "$tmp/port")
}

stop_device() {
  wait "$listener_pid" 2>/dev/null
  listener_pid=
}

# check_exchange NAME WANT_BYTES TRANSPORT: what arrived and what vt106 printed.
check_exchange() {
  local name=$1 want=$2 transport=$3
  if [ "$(cat "$tmp/got" 2>/dev/null)" != "$want" ]; then
    echo "$name: listener received '$(cat "$tmp/got" 2>/dev/null)', expected '$want'"; fail=1
  fi
  if ! python3 - "$tmp/out" "$transport" "$port" <<'EOF'
import json, sys
records = [json.loads(line) for line in open(sys.argv[1])]
assert len(records) == 1, records
r = records[0]
want = {"kind": "message", "dir": "up", "transport": sys.argv[2], "imei": "353327020412763", "type": "CMD-M",
        "event": "command_reply", "command": "M", "valid": False, "fix_time": "2024-08-13T23:59:37Z",
        "battery": 84, "gsm": 20}
for k, v in want.items():
    assert r.get(k) == v, (k, r.get(k), v)
assert r["src"].endswith(":" + sys.argv[3]), r["src"]
assert abs(r["lat"] - 2.9930825) < 1e-9 and abs(r["lon"] - 101.5746188) < 1e-9, r
EOF
  then
    echo "$name: vt106 did not print the decoded reply:"; cat "$tmp/out"; cat "$tmp/err"; fail=1
  fi
}

# TCP over IPv4: the listener closes after answering, so vt106 stops before --wait runs out.
start_device tcp 127.0.0.1 || exit 1
timeout 30 "$bin" craft track 30s --send "127.0.0.1:$port" --wait 10 > "$tmp/out" 2> "$tmp/err"
status=$?
stop_device
[ $status = 0 ] || { echo "tcp: exit status $status"; cat "$tmp/err"; fail=1; }
check_exchange tcp ':123456M1,030S#' tcp
grep -q "the peer closed the connection, 1 message(s)" "$tmp/err" || { echo "tcp: stderr was: $(cat "$tmp/err")"; fail=1; }

# A name: localhost may resolve to ::1 first; vt106 must try the next address.
start_device tcp 127.0.0.1 || exit 1
timeout 30 "$bin" craft --password 654321 sos-number 1 +8613812345678 --send "localhost:$port" --wait 10 \
  > "$tmp/out" 2> "$tmp/err"
status=$?
stop_device
[ $status = 0 ] || { echo "tcp by name: exit status $status"; cat "$tmp/err"; fail=1; }
check_exchange "tcp by name" ':654321A1,+8613812345678#' tcp

# IPv6, when the machine has it.
if python3 -c 'import socket; socket.socket(socket.AF_INET6).bind(("::1", 0))' 2>/dev/null; then
  start_device tcp ::1 || exit 1
  timeout 30 "$bin" craft speed-alarm 80 --send "[::1]:$port" --wait 10 > "$tmp/out" 2> "$tmp/err"
  status=$?
  stop_device
  [ $status = 0 ] || { echo "tcp6: exit status $status"; cat "$tmp/err"; fail=1; }
  check_exchange tcp6 ':123456J1,080#' tcp
  grep -q "\"src\":\"\[::1\]:$port\"" "$tmp/out" || { echo "tcp6: src is not [::1]:$port"; fail=1; }
else
  echo "no IPv6 loopback: skipping the IPv6 case"
fi

# UDP: no connection to close, so vt106 waits the whole --wait.
start_device udp 127.0.0.1 || exit 1
timeout 30 "$bin" craft timezone +8 --send "127.0.0.1:$port" --transport udp --wait 2 > "$tmp/out" 2> "$tmp/err"
status=$?
stop_device
[ $status = 0 ] || { echo "udp: exit status $status"; cat "$tmp/err"; fail=1; }
check_exchange udp ':123456L+08#' udp

# A closed port: the kernel refuses (TCP RST, or ICMP port unreachable for UDP).
closed=$(python3 "$(dirname "$0")/free_port.py")
timeout 30 "$bin" craft locate --send "127.0.0.1:$closed" > "$tmp/out" 2> "$tmp/err"
status=$?
[ $status = 1 ] || { echo "refused tcp: exit status $status, expected 1"; fail=1; }
grep -q "cannot connect to 127.0.0.1:$closed over tcp: Connection refused" "$tmp/err" ||
  { echo "refused tcp: stderr was: $(cat "$tmp/err")"; fail=1; }
[ -s "$tmp/out" ] && { echo "refused tcp: printed $(cat "$tmp/out")"; fail=1; }
timeout 30 "$bin" craft locate --send "127.0.0.1:$closed" --transport udp --wait 2 > "$tmp/out" 2> "$tmp/err"
status=$?
[ $status = 1 ] || { echo "refused udp: exit status $status, expected 1"; fail=1; }
grep -q "nothing listens at 127.0.0.1:$closed over udp: Connection refused" "$tmp/err" ||
  { echo "refused udp: stderr was: $(cat "$tmp/err")"; fail=1; }

[ $fail = 0 ] && echo "craft --send: tcp, tcp by name, udp and refused connections behave"
exit $fail
