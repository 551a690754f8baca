#!/usr/bin/env bash
# Logs written by a logging platform (python3 on 127.0.0.1, TCP and UDP) while python3 devices
# send it real GOTOP frames (tests/data/detect-samples.tsv) and real GT06 bytes: Traccar's
# tracker-server.log in Traccar's layout and a generic prefixed log. Every frame is decoded with
# its device, the log line's time, the client's address and its line number; commands carry the
# device's IMEI; --flows gives one flow per Traccar session closed "disconnected"; GT06 sessions
# (labelled gt06, or gotop with GT06 bytes) give one foreign record each; vt106 doctor reads the
# log. Then bad input (broken frames, binary lines, a 100 MB line, CRLF, an odd hex digit) and
# several inputs (two captures, a directory with a .gz log, a gzip'd capture).
set -u
bin=$(readlink -f "$1")
here=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT
fail() {
  echo "FAIL: $*"
  for f in "$work"/*.err; do [ -s "$f" ] && { echo "--- $f"; head -c 3000 "$f"; echo; }; done
  exit 1
}
failures=0
# bad MESSAGE: a wrong result; the other checks still run, the test fails at the end.
bad() { echo "FAIL: $*"; failures=$((failures + 1)); }
for tool in python3 jq gzip xxd hexdump; do command -v "$tool" >/dev/null || { echo "skipped: $tool missing"; exit 77; }; done
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0
cd "$work" || exit 1

# Real frames: the GOTOP samples with a device id, and a GT06 login, from the detection samples.
samples=$here/tests/data/detect-samples.tsv
[ -f "$samples" ] || fail "missing $samples"
awk -F'\t' '$1=="gotop" && $3=="text" && $7 ~ /^[0-9]+$/ && gsub(/#/, "#", $4) == 2 {print $7 "\t" $4}' "$samples" > frames.tsv
gt06=$(awk -F'\t' '$1=="gt06" && $3=="hex" && $7 ~ /^[0-9]+$/ {print $4; exit}' "$samples")
gt06_id=$(awk -F'\t' '$1=="gt06" && $3=="hex" && $7 ~ /^[0-9]+$/ {print $7; exit}' "$samples")
[ "$(wc -l < frames.tsv)" -ge 6 ] && [ -n "$gt06" ] || fail "not enough samples in $samples"

# ---------------------------------------------------------------------------------------------
# The platform: logs what it receives and sends (Traccar layout and a generic one) and writes
# truth.jsonl: for each frame, the log lines that hold it, their time text and the peer.
cat > platform.py <<'PY'
import json, os, random, socket, sys, threading, time
gotop_port, gt06_port, ready = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
lock = threading.Lock()
traccar = open("tracker-server.log", "w"); generic = open("server.log", "w"); truth = open("truth.jsonl", "w")
lines = {"traccar": 0, "generic": 0}
def log(kind, text):  # returns the line number written
    f = traccar if kind == "traccar" else generic
    f.write(text + "\n"); f.flush(); lines[kind] += 1; return lines[kind]
def now():
    t = time.time(); return t, time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(t)), int(t * 1000) % 1000
def tlog(level, msg):  # Traccar: %1$tF %1$tT %2$5s: %3$s
    t, s, ms = now(); return log("traccar", "%s %5s: %s" % (s, level, msg)), s.replace(" ", "T") + ".000000Z"
def glog(msg):
    t, s, ms = now(); return log("generic", "%s,%03d INFO [pool-1-thread-%d] %s" % (s, ms, threading.get_ident() % 7, msg)), "%s.%03d000Z" % (s.replace(" ", "T"), ms)
def frames_of(data):
    out, i = [], 0
    text = data.decode("latin-1")
    while True:
        a = text.find("#", i) if text[i:i+1] != ":" else i
        c = text.find(":", i)
        starts = [x for x in (a, c) if x >= 0]
        if not starts: return out
        s = min(starts); e = text.find("#", s + 1)
        if e < 0: return out
        out.append(text[s:e + 1]); i = e + 1
def record(dir, proto, peer, data, session, transport):
    with lock:
        chan = session
        arrow = "<" if dir == "up" else ">"
        tl, tts = tlog("INFO", "[%s: %s %s %s] %s" % (chan, proto, arrow, peer[0], data.hex()))
        gl, gts = glog("%s %s:%d: %s" % ("recv from" if dir == "up" else "send to", peer[0], peer[1], data.decode("latin-1")))
        for fr in (frames_of(data) if proto == "gotop" else []):
            truth.write(json.dumps({"dir": dir, "raw": fr, "session": chan, "transport": transport,
                "traccar_line": tl, "traccar_ts": tts, "generic_line": gl, "generic_ts": gts,
                "host": peer[0], "port": peer[1]}) + "\n")
        truth.flush()
def session(conn, peer, proto):
    chan = "T%08x" % random.getrandbits(32)
    with lock: tlog("INFO", "[%s] connected" % chan)
    conn.settimeout(10); sent = False; got = b""
    try:
        while True:
            data = conn.recv(4096)
            if not data: break
            record("up", proto, peer, data, chan, "tcp"); got += data
            if proto == "gotop" and not sent and got.startswith(b"#") and got.count(b"#") >= 4:
                cmd = b":123456M1,030S#"; conn.sendall(cmd); record("down", proto, peer, cmd, chan, "tcp"); sent = True
                with lock:
                    imei = got[1:16].decode()
                    tlog("INFO", "[%s] id: %s, command type: positionPeriodic sent" % (chan, imei))
            if proto == "gotop" and got.startswith(b"#") and not b"#" in data[:-1] and random.random() < 2:
                with lock: tlog("INFO", "[%s] id: %s, time: 2026-12-01 10:00:00, lat: 59.93266, lon: 10.78750, course: 0.0" % (chan, got[1:16].decode()))
    finally:
        if proto == "gt06":
            with lock:
                tlog(" WARN", "[%s] error - Index: 18, Size: 18 - IndexOutOfBoundsException (... < Gt06ProtocolDecoder:1234 < ...)" % chan)
                log("traccar", "java.lang.IndexOutOfBoundsException: Index: 18, Size: 18")
                log("traccar", "\tat io.netty.buffer.AbstractByteBuf.checkIndex0(AbstractByteBuf.java:1431)")
        with lock: tlog("INFO", "[%s] disconnected" % chan)
        conn.close()
def server(port, proto):
    srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", port)); srv.listen(8); srv.settimeout(30)
    while True:
        try: conn, peer = srv.accept()
        except OSError: return
        threading.Thread(target=session, args=(conn, peer, proto), daemon=True).start()
def udp_server(port):
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", port)); u.settimeout(30)
    chan = "U%08x" % random.getrandbits(32)
    while True:
        try: data, peer = u.recvfrom(4096)
        except OSError: return
        record("up", "gotop", peer, data, chan, "udp")
with lock: tlog("INFO", "Operating system name: Linux version: 6.1 architecture: amd64")
for target, args in ((server, (gotop_port, "gotop")), (server, (gt06_port, "gt06")), (udp_server, (gotop_port,))):
    threading.Thread(target=target, args=args, daemon=True).start()
open(ready, "w").write("ready")
while not os.path.exists("devices.done"): time.sleep(0.05)
time.sleep(0.3)
with lock: tlog("INFO", "Shutting down server...")
PY

# The devices: two TCP sessions (3 frames, then the command, then a heartbeat), UDP from two
# sockets, a GT06 device on the gt06 port and one on the GOTOP port.
cat > devices.py <<'PY'
import socket, sys, time
gotop_port, gt06_port, gt06 = int(sys.argv[1]), int(sys.argv[2]), bytes.fromhex(sys.argv[3])
frames = {}
for line in open("frames.tsv"):
    imei, frame = line.rstrip("\n").split("\t"); frames.setdefault(imei, []).append(frame.encode())
by_count = sorted(frames, key=lambda k: -len(frames[k]))
def tcp(imei, fs):
    s = socket.create_connection(("127.0.0.1", gotop_port), timeout=10)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    padded = (fs * 3)[:3]
    for f in padded: s.sendall(f); time.sleep(0.15)
    got = b""
    while not got.endswith(b"#"): got += s.recv(100)
    assert got == b":123456M1,030S#", got
    s.sendall(b"#%s,CMD-X#" % imei.encode()); time.sleep(0.15); s.close()
    return len(padded) + 1
sent = tcp(by_count[0], frames[by_count[0]]); time.sleep(1.05)  # a later second for the next
sent += tcp(by_count[1], frames[by_count[1]])
for imei in by_count[2:4]:
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for f in frames[imei]: u.sendto(f, ("127.0.0.1", gotop_port)); sent += 1; time.sleep(0.1)
for port in (gt06_port, gotop_port):
    s = socket.create_connection(("127.0.0.1", port), timeout=10); s.sendall(gt06); time.sleep(0.2); s.close(); time.sleep(0.1)
print(sent)
PY

free_port() { python3 "$here/tests/e2e/free_port.py"; }
gotop_port=$(free_port) gt06_port=$(free_port)
TZ=UTC timeout 60 python3 platform.py "$gotop_port" "$gt06_port" platform.ready > platform.err 2>&1 &
platform_pid=$!
for _ in $(seq 100); do [ -f platform.ready ] && break; sleep 0.05; done
[ -f platform.ready ] || fail "the platform did not start"
sent=$(timeout 40 python3 devices.py "$gotop_port" "$gt06_port" "$gt06" 2> devices.err) || fail "the devices failed"
touch devices.done
wait "$platform_pid" || fail "the platform failed: $(cat platform.err)"
uplinks=$(jq -s '[.[] | select(.dir=="up")] | length' truth.jsonl)
[ "$uplinks" = "$sent" ] && [ "$sent" -ge 10 ] || fail "the platform logged $uplinks uplink frames, the devices sent $sent"

# check_log LOG KIND: the records of LOG against truth.jsonl (KIND traccar or generic).
check_log() {
  local log=$1 kind=$2
  "$bin" decode "$log" > "$kind.ndjson" 2> "$kind.err"; local status=$?
  [ "$status" = 0 ] || fail "vt106 decode $log exited $status"
  jq -e . "$kind.ndjson" > /dev/null || fail "$log: output is not JSON"
  python3 - "$kind" "$kind.ndjson" truth.jsonl "$log" <<'PY' || bad "vt106 decode $log: records do not match what the platform logged"
import json, sys
kind, out, truth_file, log = sys.argv[1:5]
recs = [json.loads(l) for l in open(out)]
truth = [json.loads(l) for l in open(truth_file)]
msgs = [r for r in recs if r["kind"] == "message"]
errors = [r for r in recs if r["kind"] == "error"]
problems = []
if errors: problems.append("error records for a clean log: %s" % errors[:3])
want = [(t["raw"], t["dir"]) for t in truth]
got = [(m["raw"], m["dir"]) for m in msgs]
if sorted(got) != sorted(want):
    problems.append("frames: expected %d %s, got %d %s" % (len(want), want, len(got), got))
imei_of_session = {}
for t in truth:
    if t["dir"] == "up": imei_of_session.setdefault(t["session"] if t["transport"] == "tcp" else t["port"], t["raw"][1:16])
remaining = list(msgs)
for t in truth:
    cand = [m for m in remaining if m["raw"] == t["raw"] and m["dir"] == t["dir"] and m.get("line") == t[kind + "_line"]]
    if not cand:  # go on with the next record of that frame to check the other fields
        cand = [m for m in remaining if m["raw"] == t["raw"] and m["dir"] == t["dir"]]
        problems.append("%s line %d (%s): no record with \"line\":%d; the next record of that frame has line %s" % (log, t[kind + "_line"], t["raw"][:30], t[kind + "_line"], cand[0].get("line") if cand else "(none)"))
        if not cand: continue
    m = cand[0]; remaining.remove(m)
    peer = t["host"] if kind == "traccar" else "%s:%d" % (t["host"], t["port"])
    key = "src" if t["dir"] == "up" else "dst"
    imei = imei_of_session[t["session"] if t["transport"] == "tcp" else t["port"]]
    if m.get("ts") != t[kind + "_ts"]: problems.append("line %s: ts %s, the log says %s" % (m.get("line"), m.get("ts"), t[kind + "_ts"]))
    if m.get(key) != peer: problems.append("line %s: %s %s, expected %s" % (m.get("line"), key, m.get(key), peer))
    if m.get("imei") != imei: problems.append("line %s (%s): imei %s, expected %s" % (m.get("line"), t["dir"], m.get("imei"), imei))
    if kind == "traccar" and m.get("transport") != t["transport"]: problems.append("line %s: transport %s, expected %s" % (m.get("line"), m.get("transport"), t["transport"]))
if not [t for t in truth if t["dir"] == "down"]: problems.append("no command in the log: nothing to check")
if problems:
    print("\n".join(problems[:8] + ["... %d problems in all" % len(problems)] + [p for p in problems if "no record with" not in p][:8])); sys.exit(1)
PY
}
check_log server.log generic
check_log tracker-server.log traccar

# --flows on Traccar's log: a flow per session, closed "disconnected"; GT06 sessions foreign.
"$bin" decode --flows tracker-server.log > flows.ndjson 2> flows.err || fail "decode --flows tracker-server.log exited $?"
tcp_sessions=$(grep -c '] connected$' tracker-server.log)
[ "$tcp_sessions" = 4 ] || fail "the platform logged $tcp_sessions TCP sessions, expected 4"
jq -e -s --argjson n "$tcp_sessions" '[.[] | select(.kind=="flow" and .transport=="tcp")] |
  length == $n and all(.[]; .close == "disconnected" and .client == "127.0.0.1")' flows.ndjson > /dev/null \
  || bad "--flows: expected $tcp_sessions tcp flow records, client 127.0.0.1, close disconnected; got $(jq -c 'select(.kind=="flow") | {flow,transport,client,close,messages}' flows.ndjson | tr '\n' ' ')"
jq -e -s '[.[] | select(.kind=="flow") | .flow] | length > 0 and length == (unique | length)' flows.ndjson > /dev/null \
  || bad "--flows: flow ids are not unique"
jq -e -s '[.[] | select(.kind=="flow" and .transport=="tcp" and .protocol=="gotop")] | length == 2 and all(.[]; .messages == 5)' flows.ndjson > /dev/null \
  || bad "--flows: the two GOTOP sessions should have 5 messages each (4 up, 1 command): $(jq -c 'select(.kind=="flow")' flows.ndjson | tr '\n' ' ')"
foreign=$(jq -c 'select(.kind=="foreign") | [.platform_protocol, .protocol, .device_id.imei]' flows.ndjson | sort | tr '\n' ' ')
[ "$foreign" = "[\"gotop\",\"gt06\",\"$gt06_id\"] [\"gt06\",\"gt06\",\"$gt06_id\"] " ] \
  || bad "foreign records: expected one per GT06 session (gt06 and gotop labels, device $gt06_id), got: $foreign"
# every message's flow has a flow record; messages of one session share it
jq -e -s '([.[] | select(.kind=="flow") | .flow] | unique) as $f | [.[] | select(.kind=="message") | .flow] | length > 0 and all(.[]; . as $x | $f | index($x))' flows.ndjson > /dev/null \
  || bad "--flows: a message names a flow without a flow record"

# vt106 doctor on the log: runs, names the devices.
"$bin" doctor tracker-server.log --all > doctor.out 2> doctor.err; status=$?
[ "$status" = 0 ] || [ "$status" = 1 ] || bad "vt106 doctor tracker-server.log exited $status: $(head -5 doctor.err)"
devices=$(jq -r 'select(.dir=="up") | .raw[1:16]' truth.jsonl | sort -u)
[ "$(wc -w <<<"$devices")" -ge 4 ] || fail "fewer than 4 devices in the log"
for imei in $devices; do
  grep -q "$imei" doctor.out || bad "vt106 doctor tracker-server.log does not mention device $imei"
done
grep -q "0\.0\.0\.0" doctor.out && bad "vt106 doctor tracker-server.log names a device 0.0.0.0 (the log says 127.0.0.1): $(grep -m1 0.0.0.0 doctor.out)"

# ---------------------------------------------------------------------------------------------
# Bad input. Lines: 1 good (CRLF), 2 broken frame, 3 binary, 4 good (LF), 5: 100 MB, 6 good
# (CRLF), 7 command (CRLF), 8 syslog.
f1=$(sed -n 1p frames.tsv | cut -f2) imei1=$(sed -n 1p frames.tsv | cut -f1)
python3 - "$f1" <<'PY'
import sys
f = sys.argv[1].encode()
with open("bad.log", "wb") as out:
    out.write(b"2026-12-01 10:00:00,100 INFO recv from 127.0.0.1:40001: " + f + b"\r\n")
    out.write(b"2026-12-01 10:00:01,200 INFO recv from 127.0.0.1:40001: " + f[:40] + b"\n")
    out.write(bytes(range(256)).replace(b"\n", b"") + b"\xff\xfe\x00#\x00\n")
    out.write(b"2026-12-01 10:00:02,300 INFO recv from 127.0.0.1:40001: " + f + b"\n")
    out.write(b"2026-12-01 10:00:03,400 INFO recv from 127.0.0.1:40001: " + b"A" * (100 << 20) + b"\n")
    out.write(b"2026-12-01 10:00:04,500 INFO recv from 127.0.0.1:40001: " + f + b"\r\n")
    out.write(b"2026-12-01 10:00:05,600 INFO send to 127.0.0.1:40001: :123456F#\r\n")
    out.write(b"Dec  1 10:00:06 gw gotopd[42]: recv from 127.0.0.1:40001: " + f + b"\n")
PY
if [ -x /usr/bin/time ]; then
  /usr/bin/time -f %M -o bad.rss "$bin" decode bad.log > bad.ndjson 2> bad.err; status=$?
  rss=$(tail -1 bad.rss)
  [ "$rss" -lt 204800 ] || bad "a 100 MB line took $rss KiB (over 200 MB)"
else
  "$bin" decode bad.log > bad.ndjson 2> bad.err; status=$?
fi
[ "$status" = 0 ] || bad "bad.log: exit $status (bad lines are records, not a failed input)"
jq -e . bad.ndjson > /dev/null || bad "bad.log: output is not JSON"
got=$(jq -r 'select(.kind=="message") | "\(.line) \(.dir) \(.imei) \(.ts)"' bad.ndjson | tr '\n' ';')
want="1 up $imei1 2026-12-01T10:00:00.100000Z;4 up $imei1 2026-12-01T10:00:02.300000Z;6 up $imei1 2026-12-01T10:00:04.500000Z;7 down $imei1 2026-12-01T10:00:05.600000Z;8 up $imei1 2026-12-01T10:00:06.000000Z;"
[ "$got" = "$want" ] || bad "bad.log: messages (line dir imei ts)
expected: $want
got:      $got"
jq -e -s --arg f "$f1" '[.[] | select(.kind=="message" and .dir=="up")] | all(.[]; .raw == $f)' bad.ndjson > /dev/null \
  || bad "bad.log: a raw differs from the frame (CR kept?)"
jq -e -s '[.[] | select(.kind=="error" and .line == 2 and .code == "truncated")] | length == 1' bad.ndjson > /dev/null \
  || bad "bad.log: the broken frame on line 2 should be one truncated error with line 2; errors: $(jq -c 'select(.kind=="error") | {line,code}' bad.ndjson | tr '\n' ' ')"
jq -e -s '[.[] | select(.kind=="error") | .line] | all(.[]; . != null)' bad.ndjson > /dev/null || bad "bad.log: an error record without its line"

# An odd hex digit in an xxd dump: an error naming line 3 and the column, exit 1, the other
# frames and the next dump unit (hexdump -C) decoded.
cut -f2 frames.tsv | head -4 | tr -d '\n' > four.bin
printf '#353327020412763,CMD-X#' > one.bin
{ xxd four.bin | sed '3s/^\(.\{12\}\)./\1/'; echo; hexdump -C one.bin; } > odd.dump
"$bin" decode odd.dump > odd.ndjson 2> odd.err; status=$?
[ "$status" = 1 ] || bad "odd-digit dump: exit $status, expected 1"
jq -e -s '[.[] | select(.kind=="error" and .code=="bad_hex")] | length == 1 and .[0].line == 3 and .[0].column == 13' odd.ndjson > /dev/null \
  || bad "odd-digit dump: expected one bad_hex error at line 3, column 13; got $(jq -c 'select(.kind=="error") | {code,line,column}' odd.ndjson | tr '\n' ' ')"
grep -q "line 3, column 13" odd.err || bad "odd-digit dump: standard error does not name line 3, column 13"
grep -q "line 3, column 13: line 3, column 13" odd.err && bad "odd-digit dump: the position is written twice: $(cat odd.err)"
[ "$(jq -r 'select(.kind=="message") | .imei' odd.ndjson | tail -1)" = 353327020412763 ] || bad "odd-digit dump: the hexdump -C unit after it is not decoded"
[ "$(jq -c 'select(.kind=="message")' odd.ndjson | wc -l)" -ge 3 ] || bad "odd-digit dump: the frames after the bad line are not decoded"

# ---------------------------------------------------------------------------------------------
# Several inputs.
caps=$here/captures
cp "$caps/tcp-ipv4.pcap" a.pcap && cp "$caps/udp.pcap" b.pcap || fail "captures missing"
"$bin" decode --flows a.pcap b.pcap > two.ndjson 2> two.err || fail "two captures: exit $?"
jq -e -s 'length > 0 and all(.[]; .input == "a.pcap" or .input == "b.pcap")' two.ndjson > /dev/null \
  || bad "two captures: a record without input a.pcap/b.pcap"
jq -e -s '[.[] | select(.kind=="flow") | .flow] | length > 2 and length == (unique | length)' two.ndjson > /dev/null \
  || bad "two captures: flow ids not unique: $(jq -c 'select(.kind=="flow") | [.input, .flow]' two.ndjson | tr '\n' ' ')"
jq -e -s '[.[] | select(.kind=="flow")] | group_by(.input) | length == 2' two.ndjson > /dev/null || bad "two captures: flows of one input only"
for c in a b; do
  n1=$("$bin" decode $c.pcap | jq -c 'select(.kind=="message") | [.raw, .src, .dst, .ts]' | sort | md5sum)
  n2=$(jq -c --arg i $c.pcap 'select(.kind=="message" and .input == $i) | [.raw, .src, .dst, .ts]' two.ndjson | sort | md5sum)
  [ "$n1" = "$n2" ] || bad "two captures: the messages of $c.pcap differ from decoding it alone"
done

# a directory: files in name order, .gz decompressed
mkdir logs
cp server.log logs/1-server.log
gzip -c tracker-server.log > logs/2-tracker-server.log.gz
"$bin" decode logs > dir.ndjson 2> dir.err || fail "directory: exit $?: $(cat dir.err)"
"$bin" decode server.log tracker-server.log | jq -c 'del(.input)' > plain.ndjson
jq -c 'del(.input)' dir.ndjson | cmp -s - plain.ndjson || bad "directory with a .gz log: records differ from the uncompressed files"
[ "$(jq -r '.input' dir.ndjson | uniq | tr '\n' ' ')" = "logs/1-server.log logs/2-tracker-server.log.gz " ] \
  && [ "$(jq -r '.input' dir.ndjson | grep -c null)" = 0 ] \
  || bad "directory: inputs should be the two files in name order, got $(jq -r '.input' dir.ndjson | uniq | tr '\n' ' ')"
[ "$(jq -c 'select(.kind=="message")' dir.ndjson | wc -l)" -ge $((2 * sent)) ] || bad "directory: messages missing"

# gzip -c of a capture decodes like the capture
gzip -c a.pcap > a.pcap.gz
"$bin" decode a.pcap | jq -c 'del(.input) | if .message then .message |= ltrimstr("a.pcap: ") else . end' > a.norm
"$bin" decode a.pcap.gz > gz.ndjson 2> gz.err || fail "a.pcap.gz: exit $?"
jq -c 'del(.input) | if .message then .message |= ltrimstr("a.pcap.gz: ") else . end' gz.ndjson | cmp -s - a.norm \
  || bad "gzip -c a.pcap: records differ from a.pcap"
gzip -c a.pcap | "$bin" decode - | jq -c 'del(.input) | if .message then .message |= ltrimstr("-: ") else . end' | cmp -s - a.norm \
  || bad "gzip -c a.pcap | vt106 decode -: records differ from a.pcap"

[ "$failures" = 0 ] || { echo "$failures checks failed"; exit 1; }
echo "server logs: $sent frames through a logging platform decoded from both logs; flows, foreign sessions, doctor, bad input and several inputs as expected"
