#!/usr/bin/env bash
# Benchmark of vt106 replay into vt106 listen on loopback: throughput at --top-speed and send
# lateness at a fixed --rate, on a deterministic capture from make_capture.py. Prints the
# replay summary records and listen's summary lines; asserts nothing (tests never time).
#
# usage: bench/replay_to_listen.sh BUILD/vt106 [DEVICES] [MESSAGES] [RATE]
set -euo pipefail
bin=$(readlink -f "${1:?usage: bench/replay_to_listen.sh BUILD/vt106 [DEVICES] [MESSAGES] [RATE]}")
devices=${2:-2000} messages=${3:-200000} rate=${4:-20000}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT

python3 "$here/make_capture.py" "$work/bench.pcap" --devices "$devices" --messages "$messages"

run() {  # LABEL, replay options...
  local label=$1; shift
  "$bin" listen --port 0 --max-connections $((devices * 2)) --duration 600 < /dev/null > /dev/null 2> "$work/listen.err" &
  local listen_pid=$! port=""
  for _ in $(seq 100); do
    port=$(sed -n 's/.*listening on .*:\([0-9]*\) (tcp and udp).*/\1/p' "$work/listen.err")
    [ -n "$port" ] && break
    sleep 0.1
  done
  echo "== $label"
  "$bin" replay "$work/bench.pcap" --to "127.0.0.1:$port" --max-connections $((devices * 2)) -q "$@" | tail -n 1
  kill -INT "$listen_pid"; wait "$listen_pid" || true
  tail -n 1 "$work/listen.err"
}

run "top speed: messages_per_s" --top-speed
run "rate $rate/s: late_p50_us, late_p99_us, late_max_us" --rate "$rate"
