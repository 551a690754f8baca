#!/usr/bin/env bash
# Commands typed on listen's standard input are read as `vt106 craft` reads its arguments
# ("IMEI track 30s"), checked as craft checks them (a misspelt command or a value out of range is
# refused with craft's words, nothing sent), held for a device that is not connected until it
# connects, and acknowledged on stderr with the device's reply. A device that never connects is
# told at the end, as a device_not_connected record.
set -u
bin=$(readlink -f "$1")
work=$(mktemp -d)
cleanup() { exec 3>&- 2>/dev/null; kill $(jobs -p) 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; for f in "$work"/err "$work"/out; do echo "--- $f"; head -c 3000 "$f"; done; exit 1; }
command -v python3 >/dev/null || { echo "skipped: python3 missing"; exit 77; }
imei=867648040000018 absent=867648040000026
mkfifo "$work/in"
exec 3<> "$work/in"
"$bin" listen --port 0 --bind 127.0.0.1 --duration 8 --password 654321 < "$work/in" > "$work/out" 2> "$work/err" &
lp=$!
for _ in $(seq 100); do port=$(sed -n 's/.*listening on .*:\([0-9]*\) (tcp and udp).*/\1/p' "$work/err"); [ -n "$port" ] && break; sleep 0.05; done
[ -n "$port" ] || fail "listen did not start"
{
  echo "$imei trak 30s"          # misspelt: refused, with what was meant
  echo "$imei track 3000s"       # out of range: refused, with the range
  echo "$imei track 30s"         # the device is not connected yet: held
  echo "nonsense"
  echo "$imei :654321ZZ"         # not a frame
} >&3
for _ in $(seq 100); do grep -q "is sent when it connects" "$work/err" && break; sleep 0.05; done
python3 - "$port" "$imei" > "$work/device.log" 2>&1 <<'PY' || fail "device: $(cat "$work/device.log")"
import socket, sys, time
port, imei = int(sys.argv[1]), sys.argv[2]
s = socket.create_connection(("127.0.0.1", port), timeout=10)
s.sendall(f"#{imei},CMD-X#".encode())
got = b""
deadline = time.time() + 5
while b"#" not in got and time.time() < deadline:
    got += s.recv(1000)
assert got == b":654321M1,030S#", got  # crafted with --password, sent once the device spoke
s.sendall(f"#{imei},CMD-M,A,DATE:090329,TIME:223252,LAT:22.7634066N,LOT:114.3964783E,Speed:000.0,84-20,000#".encode())
time.sleep(0.5)
s.close()
PY
echo "$absent locate" >&3
wait "$lp"; status=$?
[ "$status" = 0 ] || fail "listen exited $status"
grep -q "standard input line 1: vt106 craft: 'trak' is not a subcommand of vt106 craft; did you mean 'track'?.*; not sent" "$work/err" || fail "misspelt command"
grep -q "standard input line 2: vt106 craft track: tracking interval 3000 s is out of range: allowed 1-254 s; not sent" "$work/err" || fail "range"
grep -q "$imei is not connected; 'track 30s' (:654321M1,030S#) is sent when it connects" "$work/err" || fail "held command"
grep -q "standard input line 4: 'nonsense' is not 'IMEI COMMAND'" "$work/err" || fail "malformed line"
grep -q "standard input line 5: ':654321ZZ' is not a GOTOP command frame" "$work/err" || fail "bad frame"
grep -q "$imei answered 'track 30s' (:654321M1,030S#): #$imei,CMD-M,A," "$work/err" || fail "no acknowledgement with the reply"
python3 - "$work/out" "$imei" "$absent" <<'PY' || fail "records"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
imei, absent = sys.argv[2], sys.argv[3]
down = [r for r in recs if r["kind"] == "message" and r["dir"] == "down"]
assert [(r["raw"], r["imei"]) for r in down] == [(":654321M1,030S#", imei)], down  # only the checked one went out
reply = [r for r in recs if r["kind"] == "message" and r.get("type") == "CMD-M"]
assert len(reply) == 1 and reply[0]["event"] == "command_reply", reply
missing = [r for r in recs if r["kind"] == "error" and r["code"] == "device_not_connected"]
assert len(missing) == 1 and missing[0]["imei"] == absent and missing[0]["raw"] == ":654321F#", missing
PY
echo "listen commands: typed like craft, refused with craft's words, held until the device connects, acknowledged with its reply"
