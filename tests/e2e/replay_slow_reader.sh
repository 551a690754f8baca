#!/usr/bin/env bash
# vt106 replay against a server that stops reading one device's connection for a while (small
# receive buffer, so the device's socket fills and writes are partial): the other device's
# messages all arrive in the meantime (one slow peer never holds up the loop), and both
# devices' bytes arrive complete and in order once the server reads again.
set -u
bin=$(readlink -f "$1")
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; for f in "$work"/*.err "$work"/*.log; do [ -f "$f" ] && { echo "--- $f"; cat "$f"; }; done; exit 1; }
command -v python3 >/dev/null || fail "python3 missing (scripts/deps installs it)"

slow=867648040000018 fast=867648040000026
# Frames of about 560 bytes: 10000 for the slow device (5.6 MB, more than the largest send
# buffer Linux grows to, 4 MB), 2000 for the fast one, interleaved.
python3 - "$work/frames.txt" "$slow" "$fast" <<'PY'
import sys
slow, fast = sys.argv[2:4]
with open(sys.argv[1], "w") as out:
    for i in range(10000):
        out.write("#%s,CMD-X,%d,%s#\n" % (slow, i, "x" * 520))
        if i < 2000:
            out.write("#%s,CMD-X,%d,%s#\n" % (fast, i, "x" * 520))
PY

# The server: reads the fast device at once; reads 100 bytes of the slow one, then nothing
# for 2 s, then the rest. Logs when each stream ended and when the pause ended.
cat > "$work/server.py" <<'PY'
import selectors, socket, sys, time
slow_imei, out_dir = sys.argv[1], sys.argv[2]
srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # inherited by accepted sockets
srv.bind(("127.0.0.1", 0)); srv.listen(4)
print(srv.getsockname()[1], flush=True)
sel = selectors.DefaultSelector(); sel.register(srv, selectors.EVENT_READ)
data, paused_until, ended, start = {}, {}, {}, time.time()
log = open(out_dir + "/server.log", "w")
while len(ended) < 2 and time.time() - start < 60:
    now = time.time()
    for conn, until in list(paused_until.items()):
        if now >= until:
            del paused_until[conn]; sel.register(conn, selectors.EVENT_READ)
            log.write("resumed %.3f\n" % (now - start))
    for key, _ in sel.select(0.05):
        if key.fileobj is srv:
            conn, _ = srv.accept(); data[conn] = b""; sel.register(conn, selectors.EVENT_READ); continue
        conn = key.fileobj
        chunk = conn.recv(100 if len(data[conn]) < 100 else 65536)
        if not chunk:
            sel.unregister(conn); ended[conn] = time.time() - start
            imei = data[conn][1:16].decode()
            open("%s/%s.got" % (out_dir, imei), "wb").write(data[conn])
            log.write("ended %s %.3f\n" % (imei, ended[conn])); conn.close(); continue
        first = len(data[conn]) == 0
        data[conn] += chunk
        if first and data[conn][1:16].decode() == slow_imei:
            sel.unregister(conn); paused_until[conn] = time.time() + 2.0
            log.write("paused %.3f\n" % (time.time() - start))
log.close()
PY
timeout 90 python3 "$work/server.py" "$slow" "$work" > "$work/port" &
server=$!
for _ in $(seq 50); do [ -s "$work/port" ] && break; sleep 0.1; done
port=$(cat "$work/port")
[ -n "$port" ] || fail "the server did not start"
"$bin" replay "$work/frames.txt" --to "127.0.0.1:$port" --top-speed --linger 30 > "$work/replay.ndjson" 2> "$work/replay.err"
status=$?
wait "$server" || fail "the server failed"
[ "$status" = 0 ] || fail "replay exited $status"
python3 - "$work" "$slow" "$fast" <<'PY' || fail "a slow reader held up the other device, or bytes were lost"
import json, sys
work, slow, fast = sys.argv[1:4]
log = dict()
for line in open(work + "/server.log"):
    parts = line.split()
    log[" ".join(parts[:-1])] = float(parts[-1])
frames = open(work + "/frames.txt").read().split("\n")
for imei in (slow, fast):
    want = "".join(f for f in frames if f.startswith("#" + imei)).encode()
    got = open("%s/%s.got" % (work, imei), "rb").read()
    assert got == want, (imei, len(got), len(want))
# The fast device was served completely while the slow one's reader was paused.
assert log["ended " + fast] < log["resumed"], log
assert log["ended " + slow] > log["resumed"], log
summary = [json.loads(l) for l in open(work + "/replay.ndjson")][-1]
assert summary["messages"] == 12000 and summary["errors"] == {} and summary["unsent"] == 0, summary
PY
echo "replay: a slow reader delays only its own connection; partial writes lose nothing"
