#!/usr/bin/env bash
# vt106 doctor reads every input as one story: a capture, a platform log in a generic layout,
# Traccar's tracker-server.log layout, a tcpdump -X dump (made here by the real tcpdump from the
# capture) and standard input, all of one device (867648044456745), give ONE device whose
# connections come from every input; an unreadable input among them is named on stderr, the
# others are still diagnosed, and the exit status says so.
set -u
bin=$(readlink -f "$1")
here=$(pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
command -v python3 >/dev/null || { echo "skipped: python3 missing"; exit 77; }
failures=0
bad() { echo "FAIL: $*"; failures=$((failures + 1)); }
imei=867648044456745
capture=$here/captures/doctor/healthy.pcap

# A platform log of the same device, in the generic layout (time, address, frame), now.
d=$(date -u +%y%m%d) t=$(date -u +%H%M%S) now=$(date -u +"%Y-%m-%d %H:%M:%S")
cat > "$work/server.log" <<LOG
$now INFO received from 10.9.8.7:40001: #$imei,CMD-T,A,DATE:$d,TIME:$t,LAT:02.9930825N,LON:101.5746188E,Speed:036.0,095-70,59.5,00.90#
$now INFO received from 10.9.8.7:40001: #$imei,CMD-X#
LOG
# The same frames in Traccar's layout: one session, hex payloads.
hex=$(printf '#%s,CMD-X#' "$imei" | od -An -tx1 | tr -d ' \n')
cat > "$work/tracker-server.log" <<LOG
$now  INFO: [T0a1b2c3d: gotop < 10.9.8.6] HEX: $hex
$now  INFO: [T0a1b2c3d] disconnected
LOG

ndjson() { python3 -c '
import json, sys
recs = [json.loads(l) for l in sys.stdin if l.strip()]
v = [r for r in recs if r["kind"] == "verdict"][0]
devices = {r["device"] for r in recs if r["kind"] == "finding" and r["device"]}
print(v["devices_seen"], ",".join(sorted(devices)), v["failed"])
'; }

# 1. Capture + generic log + Traccar log: one device.
out=$("$bin" doctor "$capture" "$work/server.log" "$work/tracker-server.log" --format ndjson 2> "$work/err"); status=$?
read -r seen devices failed <<<"$(ndjson <<<"$out")"
[ "$seen" = 1 ] || bad "capture + two logs: $seen devices seen, expected 1 ($devices)"
[ "$devices" = "$imei" ] || bad "capture + two logs: findings name '$devices', expected $imei"
[ "$status" = 0 ] || bad "capture + two logs: exit $status, expected 0: $(head -3 "$work/err")"
text=$("$bin" doctor "$capture" "$work/server.log" "$work/tracker-server.log" --imei "$imei")
grep -q "GOTOP device $imei (.*10.9.8.7.*)" <<<"$text" || bad "the device's addresses do not include the log's 10.9.8.7: $(grep -m1 'GOTOP device' <<<"$text")"
grep -q "10.9.8.6" <<<"$text" || bad "the Traccar session's address 10.9.8.6 is not the device's"
grep -qE "reach.traffic +2 connections from 1 device" <<<"$text" || bad "expected the capture's and the Traccar log's connections, one device: $(grep reach.traffic <<<"$text")"

# 2. A tcpdump -X dump of the capture (the real tcpdump), and the capture from standard input.
if command -v tcpdump >/dev/null; then
  tcpdump -r "$capture" -nn -tttt -X > "$work/dump.txt" 2>/dev/null
  out=$("$bin" doctor "$work/dump.txt" - --imei "$imei" --format ndjson < "$capture" 2> "$work/err"); status=$?
  read -r seen devices failed <<<"$(ndjson <<<"$out")"
  [ "$seen" = 1 ] && [ "$devices" = "$imei" ] || bad "dump + stdin: devices '$devices' ($seen seen), expected $imei: $(head -3 "$work/err")"
  [ "$status" = 0 ] || bad "dump + stdin: exit $status, expected 0: $(head -3 "$work/err")"
  text=$("$bin" doctor "$work/dump.txt" - --imei "$imei" < "$capture")
  grep -qE "reach.traffic +2 connections" <<<"$text" || bad "dump + stdin: expected 2 connections (one per input): $(grep reach.traffic <<<"$text")"
else
  echo "tcpdump missing: the dump part is skipped"
fi

# 3. An unreadable input among readable ones: named on stderr, the rest diagnosed, exit 1.
printf '\xd4\xc3\xb2\xa1\x02\x00' > "$work/broken.pcap"
out=$("$bin" doctor "$work/broken.pcap" "$capture" --imei "$imei" 2> "$work/err"); status=$?
[ "$status" = 1 ] || bad "broken + good capture: exit $status, expected 1"
grep -q "broken.pcap" "$work/err" || bad "broken + good capture: stderr does not name broken.pcap: $(cat "$work/err")"
grep -q "GOTOP device $imei" <<<"$out" || bad "broken + good capture: the good capture was not diagnosed"
# Only unusable inputs: exit 1, no report.
out=$("$bin" doctor "$work/broken.pcap" 2> "$work/err"); status=$?
[ "$status" = 1 ] && [ -z "$out" ] || bad "only a broken capture: exit $status, stdout '$out'"

[ $failures = 0 ] && echo "doctor: a capture, two log layouts, a tcpdump dump and standard input are one device"
[ $failures = 0 ]
