#!/usr/bin/env bash
# vt106 replay reads its input as it sends: a device connects when its first message comes
# near (here at --rate 2: a second before it), not all at the start; --connect-ahead opens every
# connection first, as before; a pipe replayed with --loop is kept in a temporary file and read
# again; a capture far larger than the read-ahead is replayed with the read-ahead held to it.
# The server is a python one on 127.0.0.1 that logs when it accepted each connection.
set -u
bin=$(readlink -f "$1")
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; for f in "$work"/*.err "$work"/*.log; do [ -f "$f" ] && { echo "--- $f"; tail -n 20 "$f"; }; done; exit 1; }
command -v python3 >/dev/null || fail "python3 missing (scripts/deps installs it)"

early=867648040000018 late=867648040000026
{
  for i in 1 2 3 4 5; do echo "#$early,CMD-X#"; done
  echo "#$late,CMD-X#"
} > "$work/frames.txt"

# The server: accepts, reads until the client closes, logs "accept_time first_bytes" per connection.
cat > "$work/server.py" <<'PY'
import selectors, socket, sys, time
out, want = sys.argv[1], int(sys.argv[2])
srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", 0)); srv.listen(4096)  # 3000 devices may connect at once
print(srv.getsockname()[1], flush=True)
sel = selectors.DefaultSelector(); sel.register(srv, selectors.EVENT_READ)
first, accepted, first_data, closed, start = {}, {}, {}, 0, time.time()
while closed < want and time.time() - start < 60:
    for key, _ in sel.select(0.5):
        if key.fileobj is srv:
            c, _ = srv.accept(); c.setblocking(False)
            accepted[c] = time.time(); first[c] = b""
            sel.register(c, selectors.EVENT_READ)
            continue
        c = key.fileobj
        try:
            d = c.recv(65536)
        except ConnectionError:
            d = b""
        if d:
            first_data.setdefault(c, time.time())
            first[c] += d
            continue
        sel.unregister(c)
        with open(out, "a") as log:
            log.write("%.6f %s %.6f\n" % (accepted[c], first[c][:16].decode(errors="replace"), first_data.get(c, 0)))
        c.close(); closed += 1
PY

# serve NAME CONNECTIONS: starts the server, sets $port.
serve() {
  python3 "$work/server.py" "$work/$1.log" "$2" > "$work/$1.port" 2> "$work/$1-server.err" &
  port=""
  for _ in $(seq 100); do port=$(head -1 "$work/$1.port" 2>/dev/null); [ -n "$port" ] && break; sleep 0.05; done
  [ -n "$port" ] || fail "$1: the server did not start"
}
# gap NAME: seconds between the accepts of the early and the late device.
gap() {
  python3 - "$work/$1.log" "$early" "$late" <<'PY'
import sys
at = {}
for line in open(sys.argv[1]):
    t, first, _ = line.split(" ", 2)
    at[first[1:16]] = float(t)
print("%.3f" % (at[sys.argv[3]] - at[sys.argv[2]]))
PY
}

# --rate 2: the late device's first message is the sixth, due at 2.5 s; it connects a second before.
serve streamed 2
"$bin" replay "$work/frames.txt" --to "127.0.0.1:$port" --rate 2 --linger 0.2 > "$work/streamed.ndjson" 2> "$work/streamed.err" \
  || fail "streamed replay exited $?"
wait
g=$(gap streamed) || fail "streamed: the server did not see both devices"
python3 -c "import sys; g = float(sys.argv[1]); sys.exit(0 if 1.0 <= g <= 2.4 else 1)" "$g" \
  || fail "streamed: the late device connected $g s after the early one, not about 1.5 s"

serve ahead 2
"$bin" replay "$work/frames.txt" --to "127.0.0.1:$port" --rate 2 --linger 0.2 --connect-ahead > "$work/ahead.ndjson" 2> "$work/ahead.err" \
  || fail "--connect-ahead replay exited $?"
wait
g=$(gap ahead) || fail "ahead: the server did not see both devices"
python3 -c "import sys; g = float(sys.argv[1]); sys.exit(0 if g < 0.5 else 1)" "$g" \
  || fail "--connect-ahead: the late device connected $g s after the early one, not at the start"
grep -q '"preconnected":2' "$work/ahead.ndjson" || fail "--connect-ahead: the summary has no preconnected 2"

# A pipe with --loop 3: every pass sent whole, the input read three times.
serve looped 6
cat "$work/frames.txt" | "$bin" replay - --to "127.0.0.1:$port" --top-speed --loop 3 --linger 0.2 \
  > "$work/looped.ndjson" 2> "$work/looped.err" || fail "piped --loop 3 exited $?"
wait
python3 - "$work/looped.ndjson" <<'PY' || fail "piped --loop 3: not 18 messages in 3 passes"
import json, sys
s = [json.loads(l) for l in open(sys.argv[1])][-1]
assert s["kind"] == "summary" and s["messages"] == 18 and s["passes"] == 3 and s["planned"] == 6 and s["unsent"] == 0, s
PY

# 3000 devices' frames of 500 bytes, 30000 in all (15 MB), through a 256 KiB read-ahead.
python3 - "$work/big.txt" <<'PY'
import sys
with open(sys.argv[1], "w") as out:
    for i in range(30000):
        out.write("#%015d,CMD-X,%s#\n" % (867648040000000 + (i * 7919) % 3000, "y" * 470))
PY
serve big 3000
"$bin" replay "$work/big.txt" --to "127.0.0.1:$port" --top-speed --linger 0.2 --read-ahead 256 --max-connections 4000 \
  > "$work/big.ndjson" 2> "$work/big.err" || fail "big replay exited $?"
wait
python3 - "$work/big.ndjson" "$work/big.log" <<'PY' || fail "big: not every message, or the read-ahead ran past its bound"
import json, sys
s = [json.loads(l) for l in open(sys.argv[1])][-1]
assert s["messages"] == 30000 and s["unsent"] == 0 and s["connections"] == 3000, s
# Held to the read-ahead, plus at most one batch (a quarter of it) let past when nothing else moves.
assert 0 < s["read_ahead_peak_kib"] <= 256 * 5 // 4 + 1, s
assert sum(1 for _ in open(sys.argv[2])) == 3000
PY
echo "replay streams: devices connect as their first message nears, --connect-ahead first, piped loops, bounded read-ahead"
