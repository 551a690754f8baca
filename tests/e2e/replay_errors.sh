#!/usr/bin/env bash
# vt106 replay against servers that misbehave, on loopback: a closed port (TCP refused, UDP
# port unreachable), a server that resets every connection, one that closes the first
# connection early (--reconnect), a name that does not resolve, and the dry run without --to.
# Each gives the documented error records, summary and exit status.
set -u
bin=$(readlink -f "$1")
captures=$(pwd)/captures
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; for f in "$work"/*.err "$work"/*.ndjson; do [ -f "$f" ] && { echo "--- $f"; cat "$f"; }; done; exit 1; }
command -v python3 >/dev/null || fail "python3 missing (scripts/deps installs it)"

# A port free for TCP and UDP below the ephemeral range, where no other test's socket can be
# given it while this one expects nothing to listen there.
free_port() { python3 "$(pwd)/tests/e2e/free_port.py"; }

# check NDJSON PYTHON-EXPRESSION: the expression holds for (records, summary).
check() {
  python3 - "$1" "$2" <<'PY' || fail "$1: $2"
import json, sys
records = [json.loads(l) for l in open(sys.argv[1])]
summary = records[-1]
assert summary["kind"] == "summary", summary
errors = [r for r in records if r["kind"] == "error"]
assert eval(sys.argv[2]), (summary, errors)
PY
}

# 1. Nothing listens: every TCP connection is refused, nothing is sent, exit status 1.
port=$(free_port)
"$bin" replay "$captures/tcp-ipv4.pcap" --to "127.0.0.1:$port" --top-speed > "$work/refused.ndjson" 2> "$work/refused.err"
status=$?
[ "$status" = 1 ] || fail "refused: exit $status, expected 1"
check "$work/refused.ndjson" 'summary["errors"] == {"connection_refused": 4} and summary["messages"] == 0 and summary["unsent"] == 13 and len(errors) == 4 and all(e["code"] == "connection_refused" and e["transport"] == "tcp" for e in errors)'
grep -q "connection_refused 4" "$work/refused.err" || fail "refused: no summary line on stderr"

# The same over UDP: ICMP port unreachable, reported once per device connection.
"$bin" replay "$captures/udp.pcap" --to "127.0.0.1:$port" --top-speed --linger 2 > "$work/unreachable.ndjson" 2> "$work/unreachable.err"
status=$?
[ "$status" = 1 ] || fail "udp refused: exit $status, expected 1"
check "$work/unreachable.ndjson" 'summary["errors"] == {"connection_refused": 2} and all(e["transport"] == "udp" for e in errors)'

# --reconnect against the closed port: each device tries 1 + 2 times, then gives up.
"$bin" replay "$captures/tcp-ipv4.pcap" --to "127.0.0.1:$port" --top-speed --reconnect --max-retries 2 > "$work/retried.ndjson" 2> "$work/retried.err"
status=$?
[ "$status" = 1 ] || fail "retried: exit $status, expected 1"
check "$work/retried.ndjson" 'summary["errors"] == {"connection_refused": 12} and summary["unsent"] == 13 and summary["connections"] == 0'

# 2. A server that accepts and resets every connection (SO_LINGER 0): connection_reset.
cat > "$work/resetter.py" <<'PY'
import socket, struct, sys, time
srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", 0)); srv.listen(16); srv.settimeout(20)
print(srv.getsockname()[1], flush=True)
for _ in range(int(sys.argv[1])):
    conn, _ = srv.accept()
    time.sleep(0.05)  # let the device's bytes arrive first
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()
PY
timeout 30 python3 "$work/resetter.py" 4 > "$work/resetter.port" &
for _ in $(seq 50); do [ -s "$work/resetter.port" ] && break; sleep 0.1; done
port=$(cat "$work/resetter.port")
[ -n "$port" ] || fail "the resetting server did not start"
"$bin" replay "$captures/tcp-ipv4.pcap" --to "127.0.0.1:$port" --top-speed --linger 5 > "$work/reset.ndjson" 2> "$work/reset.err"
status=$?
[ "$status" = 1 ] || fail "reset: exit $status, expected 1"
check "$work/reset.ndjson" 'summary["errors"] == {"connection_reset": 4} and summary["connections"] == 4 and all("reset" in e["message"] for e in errors)'

# 3. A server that closes the first connection before reading: with --reconnect the device
#    connects again after the backoff and the rest of its messages arrive.
cat > "$work/closer.py" <<'PY'
import socket, sys
srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", 0)); srv.listen(4); srv.settimeout(20)
print(srv.getsockname()[1], flush=True)
first, _ = srv.accept(); first.close()
conn, _ = srv.accept(); conn.settimeout(20)
got = b""
while True:
    chunk = conn.recv(4096)
    if not chunk: break
    got += chunk
open(sys.argv[1], "wb").write(got)
PY
for n in 1 2 3 4 5; do echo "#867648040000018,CMD-X#"; done > "$work/frames.txt"
timeout 30 python3 "$work/closer.py" "$work/received" > "$work/closer.port" &
closer=$!
for _ in $(seq 50); do [ -s "$work/closer.port" ] && break; sleep 0.1; done
port=$(cat "$work/closer.port")
"$bin" replay "$work/frames.txt" --to "127.0.0.1:$port" --rate 5 --reconnect > "$work/reconnect.ndjson" 2> "$work/reconnect.err"
status=$?
wait "$closer" || fail "the closing server failed"
[ "$status" = 1 ] || fail "reconnect: exit $status, expected 1 (a connection problem occurred)"
check "$work/reconnect.ndjson" 'summary["reconnects"] == 1 and summary["connections"] == 2 and summary["unsent"] == 0 and summary["messages"] == 5 and sum(summary["errors"].values()) == 1 and set(summary["errors"]) <= {"closed_by_server", "connection_reset"}'
python3 - "$work/received" <<'PY' || fail "the second connection did not carry the rest of the frames"
import sys
got = open(sys.argv[1], "rb").read().decode()
frames = [f for f in got.split("#") if f]
assert 3 <= len(frames) <= 5 and all(f == "867648040000018,CMD-X" for f in frames), got
PY

# 4. A name that does not resolve: dns_failure, nothing sent, exit 1.
timeout 60 "$bin" replay "$captures/udp.pcap" --to no-such-host.invalid:8888 > "$work/dns.ndjson" 2> "$work/dns.err"
status=$?
[ "$status" = 1 ] || fail "dns: exit $status, expected 1"
check "$work/dns.ndjson" 'summary["errors"] == {"dns_failure": 1} and errors[0]["code"] == "dns_failure" and summary["messages"] == 0'

# 5. Without --to nothing is sent: a plan record per connection, the totals on stderr, the summary
# says dry_run.
"$bin" replay "$captures/mixed.pcapng" > "$work/dry.ndjson" 2> "$work/dry.err"
status=$?
[ "$status" = 0 ] || fail "dry run: exit $status, expected 0"
check "$work/dry.ndjson" 'summary["dry_run"] and summary["planned"] == 10 and summary["messages"] == 0 and not errors and [r["kind"] for r in records[:-1]] == ["plan"] * 4 and sum(r["messages"] for r in records[:-1]) == 10'
grep -q "4 devices, 4 connections (2 tcp, 2 udp)" "$work/dry.err" || fail "dry run: no plan on stderr"
grep -q "nothing sent" "$work/dry.err" || fail "dry run: does not say that nothing was sent"

# Usage errors: exit 2.
"$bin" replay "$captures/udp.pcap" --to 127.0.0.1 > /dev/null 2>&1; [ $? = 2 ] || fail "--to without a port is not a usage error"
"$bin" replay "$captures/udp.pcap" --shard 3/2 > /dev/null 2>&1; [ $? = 2 ] || fail "--shard 3/2 is not a usage error"
"$bin" replay "$captures/udp.pcap" --speed 2 --top-speed > /dev/null 2>&1; [ $? = 2 ] || fail "--speed with --top-speed is not a usage error"
echo "replay errors: refused (tcp, udp, retried), reset, reconnect, dns, dry run and usage as documented"
