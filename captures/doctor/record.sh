#!/usr/bin/env bash
# Re-records every `vt106 doctor` scenario capture in this folder (see README.md). Run as root.
#
# Each scenario is played by scenarios.py (server + device threads on 127.0.0.1:8888) inside a
# fresh network namespace (vt106doc) that this script creates and removes again, while tcpdump
# records that namespace's loopback: real kernel TCP/UDP/ICMP, nothing on the host touched.
# Each capture is read back by `scenarios.py check` (flags, frames, times, ICMP) and recorded
# again (at most 3 times) if it does not show what the scenario is about. Takes about 35 s.
#
# Needs: bash, python3 (standard library), tcpdump, iproute2 (ip).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
cd "$HERE"
PY=${PYTHON:-python3}
export PYTHONDONTWRITEBYTECODE=1
NS=vt106doc

[ "$(id -u)" = 0 ] || { echo "record.sh: run as root (network namespaces, tcpdump)" >&2; exit 1; }
for tool in tcpdump "$PY" ip; do
    command -v "$tool" >/dev/null || { echo "record.sh: missing $tool" >&2; exit 1; }
done
if ip netns list | awk '{print $1}' | grep -qx "$NS"; then
    echo "record.sh: namespace $NS already exists (leftover? remove with: ip netns del $NS)" >&2
    exit 1
fi

TMP=$(mktemp -d /tmp/vt106-doctor.XXXXXX)
CAP_PID=
NS_MADE=

cleanup() {
    [ -n "$CAP_PID" ] && { kill -INT "$CAP_PID" 2>/dev/null || true; wait "$CAP_PID" 2>/dev/null || true; }
    [ -n "$NS_MADE" ] && { ip netns del "$NS" 2>/dev/null || true; }
    [ -n "${KEEP_TMP:-}" ] && echo "kept $TMP" || rm -rf "$TMP"
}
trap cleanup EXIT

log() { printf '== %s\n' "$*"; }

start_cap() {   # start_cap OUTFILE tcpdump-args...
    local out=$1 i
    shift
    ip netns exec "$NS" tcpdump -n -U --immediate-mode -i lo -w "$out" "$@" 2>"$out.log" &
    CAP_PID=$!
    for i in $(seq 100); do
        grep -q "listening on" "$out.log" 2>/dev/null && return 0
        sleep 0.05
    done
    cat "$out.log" >&2
    exit 1
}

stop_cap() {
    sleep 0.3   # let the last FIN/ACK reach the capture
    kill -INT "$CAP_PID"
    wait "$CAP_PID" || true
    CAP_PID=
}

START=$(date +%s)
while read -r name file; do
    ok=
    for try in 1 2 3; do
        log "$file (attempt $try)"
        rm -f "$TMP/$file" "$TMP/$name.sent.json"
        ip netns add "$NS"; NS_MADE=1
        ip -n "$NS" link set lo up
        start_cap "$TMP/$file" "port 8888 or icmp"
        rc=0
        ip netns exec "$NS" "$PY" scenarios.py run "$name" --sent "$TMP/$name.sent.json" || rc=$?
        stop_cap
        ip netns del "$NS"; NS_MADE=
        if [ "$rc" = 0 ] && "$PY" scenarios.py check "$name" "$TMP/$file" --sent "$TMP/$name.sent.json"; then
            ok=1
            break
        fi
    done
    [ -n "$ok" ] || { echo "record.sh: $name failed 3 times" >&2; exit 1; }
done < <("$PY" scenarios.py list)

log "installing into $HERE"
rm -f -- *.pcap scenarios.tsv
while read -r name file; do cp "$TMP/$file" .; done < <("$PY" scenarios.py list)
"$PY" scenarios.py tsv scenarios.tsv
while read -r name file; do
    printf '   %-22s %3d packets, %5d bytes\n' "$file" \
        "$(tcpdump -nn -r "$file" 2>/dev/null | wc -l)" "$(stat -c %s "$file")"
done < <("$PY" scenarios.py list)
log "done in $(( $(date +%s) - START )) s"
