#!/usr/bin/env bash
# Re-records platform.pcap and platform.tsv in this folder (see README.md). Run as root.
#
# platform.py plays a tracking platform (127.0.0.1:8888 TCP and UDP) and its 200 devices, each
# from its own loopback source address (127.0.1.N, 127.0.2.N, 127.0.3.N), inside a fresh
# network namespace (vt106plat) that this script creates and removes again, while tcpdump
# records that namespace's loopback: real kernel TCP/UDP/ICMP, nothing on the host touched.
# The capture is read back by `platform.py check` (frames, flags, who closes, ICMP, times) and
# recorded again (at most 3 times) if something is off. Takes about 10 s.
#
# Needs: bash, python3 (standard library), tcpdump, iproute2 (ip), timeout (coreutils).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
cd "$HERE"
PY=${PYTHON:-python3}
export PYTHONDONTWRITEBYTECODE=1
NS=vt106plat
FILTER="port 8888 or port 8889 or icmp"

[ "$(id -u)" = 0 ] || { echo "record-platform.sh: run as root (network namespaces, tcpdump)" >&2; exit 1; }
for tool in tcpdump "$PY" ip timeout; do
    command -v "$tool" >/dev/null || { echo "record-platform.sh: missing $tool" >&2; exit 1; }
done
if ip netns list | awk '{print $1}' | grep -qx "$NS"; then
    echo "record-platform.sh: namespace $NS already exists (leftover? remove with: ip netns del $NS)" >&2
    exit 1
fi

TMP=$(mktemp -d /tmp/vt106-platform.XXXXXX)
CAP_PID=
NS_MADE=

cleanup() {
    [ -n "$CAP_PID" ] && { kill -INT "$CAP_PID" 2>/dev/null || true; wait "$CAP_PID" 2>/dev/null || true; }
    [ -n "$NS_MADE" ] && { ip netns del "$NS" 2>/dev/null || true; }
    [ -n "${KEEP_TMP:-}" ] && echo "kept $TMP" || rm -rf "$TMP"
}
trap cleanup EXIT

log() { printf '== %s\n' "$*"; }

make_ns() {
    ip netns add "$NS"; NS_MADE=1
    ip -n "$NS" link set lo up
    # The whole of 127/8 is local on lo, so a device can bind 127.0.1.7 without an address of
    # its own. Should a kernel not allow that, give every device its address.
    if ! ip netns exec "$NS" "$PY" -c 'import socket; socket.socket().bind(("127.0.1.1", 0))' 2>/dev/null; then
        log "binding 127.0.1.1 failed: adding the device addresses to lo"
        "$PY" platform.py addresses | while read -r a; do ip -n "$NS" addr add "$a/32" dev lo; done
    fi
}

start_cap() {   # start_cap OUTFILE
    local out=$1 i
    ip netns exec "$NS" tcpdump -n -U --immediate-mode -i lo -w "$out" "$FILTER" 2>"$out.log" &
    CAP_PID=$!
    for i in $(seq 100); do
        grep -q "listening on" "$out.log" 2>/dev/null && return 0
        sleep 0.05
    done
    cat "$out.log" >&2
    exit 1
}

stop_cap() {   # stop_cap OUTFILE; fails if tcpdump says it dropped packets
    sleep 0.5   # let the last FIN/ACK reach the capture
    kill -INT "$CAP_PID"
    wait "$CAP_PID" || true
    CAP_PID=
    if grep -E '^[1-9][0-9]* packets dropped' "$1.log" >&2; then
        return 1
    fi
}

START=$(date +%s.%N)
ok=
for try in 1 2 3; do
    log "platform.pcap (attempt $try)"
    rm -f "$TMP/platform.pcap" "$TMP/sent.json"
    make_ns
    start_cap "$TMP/platform.pcap"
    rc=0
    timeout -s KILL 40 ip netns exec "$NS" "$PY" platform.py run --sent "$TMP/sent.json" \
        >"$TMP/run.log" 2>&1 || rc=$?
    grep -E 'devices done|frames sent|ERROR' "$TMP/run.log" | head -20 || true
    stop_cap "$TMP/platform.pcap" || rc=1
    ip netns del "$NS"; NS_MADE=
    if [ "$rc" = 0 ] && "$PY" platform.py check "$TMP/platform.pcap" --sent "$TMP/sent.json"; then
        ok=1
        break
    fi
done
[ -n "$ok" ] || { echo "record-platform.sh: recording failed 3 times" >&2; exit 1; }

log "installing into $HERE"
cp "$TMP/platform.pcap" platform.pcap
"$PY" platform.py tsv platform.tsv
printf '   platform.pcap %d packets, %d bytes; platform.tsv %d devices\n' \
    "$(tcpdump -nn -r platform.pcap 2>/dev/null | wc -l)" "$(stat -c %s platform.pcap)" \
    "$(( $(wc -l < platform.tsv) - 1 ))"
log "done in $(awk -v a="$START" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s"
