#!/usr/bin/env bash
# vt106 listen under hostile traffic on loopback: 2000 idle connections, a device sending one
# byte every half second, a connection flooding 2 MB of junk and one sending a megabyte without
# '#'. Meanwhile a well-behaved device reports every 0.2 s: all its frames are decoded, the idle
# connections are closed by --idle-timeout, the junk is reported, memory stays bounded.
set -u
bin=$(readlink -f "$1")
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; tail -n 5 "$work/listen.err" 2>/dev/null; exit 1; }
command -v python3 >/dev/null || fail "python3 missing (scripts/deps installs it)"
ulimit -n 8192 2>/dev/null || true
[ "$(ulimit -n)" -ge 4500 ] || { echo "skipped: needs 4500 open files, have $(ulimit -n)"; exit 77; }

"$bin" listen --port 0 --bind 127.0.0.1 --idle-timeout 3 --max-connections 5000 --duration 40 \
  < /dev/null > "$work/records.ndjson" 2> "$work/listen.err" &
pid=$!
port=""
for _ in $(seq 100); do
  port=$(sed -n 's/.*listening on .*:\([0-9]*\) (tcp and udp).*/\1/p' "$work/listen.err")
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || fail "listen did not start"

timeout 60 python3 - "$port" "$pid" > "$work/traffic.txt" <<'PY' || fail "the traffic script failed"
import os, random, socket, sys, threading, time
port, pid = int(sys.argv[1]), int(sys.argv[2])
good, slow = "867648044456745", "353327020412763"
def vm(key):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith(key): return int(line.split()[1])
    return 0
idle = []
for _ in range(2000):
    s = socket.create_connection(("127.0.0.1", port), timeout=10); idle.append(s)
def slow_sender():
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    for b in f"#{slow},CMD-X#".encode():
        s.send(bytes([b])); time.sleep(0.5)
    s.close()
def junk(seed, hash_free):
    rnd = random.Random(seed)
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    try:  # the binary flood is judged foreign and closed: a reset is what it gets
        s.sendall(b"#8676480" + bytes(rnd.choice(b"ABCDEF0123456789,;") for _ in range(1 << 20)) if hash_free
                  else bytes(rnd.randrange(256) for _ in range(2 << 20)))
        time.sleep(0.5)
    except (ConnectionResetError, BrokenPipeError):
        pass
    s.close()
threads = [threading.Thread(target=slow_sender), threading.Thread(target=junk, args=(1, False)),
           threading.Thread(target=junk, args=(2, True))]
for t in threads: t.start()
dev = socket.create_connection(("127.0.0.1", port), timeout=10)
for i in range(60):  # 12 s of reports while the rest goes on
    dev.sendall(f"#{good},CMD-T,A,DATE:240813,TIME:2359{i:02d},LAT:02.9930825N,LON:101.5746188E,Speed:000.0,095-70,59.5,00.90#".encode())
    time.sleep(0.2)
for t in threads: t.join(30)
dev.close()
time.sleep(1)
print("rss_kb", vm("VmHWM:"))
PY
kill -INT "$pid"; wait "$pid"
python3 - "$work/records.ndjson" "$work/traffic.txt" <<'PY' || fail "records under hostile traffic"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
rss = int(open(sys.argv[2]).read().split()[1])
msgs = [r for r in recs if r["kind"] == "message"]
good = [m for m in msgs if m.get("imei") == "867648044456745"]
slow = [m for m in msgs if m.get("imei") == "353327020412763"]
codes = [r.get("code") for r in recs if r["kind"] == "error"]
assert len(good) == 60, f"{len(good)} of 60 frames of the well-behaved device"
assert [m["fix_time"][-3:-1] for m in good] == [f"{i:02d}" for i in range(60)], "out of order"
assert len(slow) == 1, "the slow sender's frame"
idle = codes.count("idle_timeout")
assert idle >= 2000, f"{idle} idle connections closed"
assert any(r["kind"] == "foreign" for r in recs), "the binary flood was not reported"
assert "frame_too_long" in codes, "the megabyte without '#' was not reported"
assert rss < 256 * 1024, f"peak RSS {rss} kB"
print(f"listen hostile: 60/60 good frames, slow frame decoded, {idle} idle closed, peak RSS {rss // 1024} MB")
PY
