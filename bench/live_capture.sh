#!/usr/bin/env bash
# Live capture under load, against tcpdump in the same run: `vt106 replay --top-speed` sends a
# generated capture's MESSAGES messages from DEVICES devices over loopback into `vt106 listen`,
# while `tcpdump -w` and `vt106 capture` both capture that traffic on lo. Reports, per run, how
# many messages the capture decoded against how many replay sent, the packets tcpdump kept
# and the drops each reported; writes bench/LIVE_CAPTURE.md. Needs root; asserts nothing about
# speed.
#   bench/live_capture.sh [MESSAGES] [DEVICES] [RUNS]     defaults: 1000000 2000 3
set -euo pipefail
cd "$(dirname "$0")/.."
messages=${1:-1000000} devices=${2:-2000} runs=${3:-3}
[ "$(id -u)" = 0 ] || { echo "bench: capturing needs root" >&2; exit 1; }
command -v tcpdump >/dev/null || { echo "bench: tcpdump is needed (scripts/deps installs it)" >&2; exit 1; }
cmake -S . -B build >/dev/null && cmake --build build -j"$(nproc)" --target vt106 >/dev/null
bin=$(readlink -f build/vt106)
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
python3 bench/make_capture.py "$work/load.pcap" --messages "$messages" --devices "$devices" 2>/dev/null
rows=()
for run in $(seq "$runs"); do
  "$bin" listen --port 0 --bind 127.0.0.1 --count "$messages" --duration 120 < /dev/null > /dev/null 2> "$work/listen.err" &
  listen_pid=$!
  port=""
  for _ in $(seq 100); do
    port=$(sed -n 's/.*listening on .*:\([0-9]*\) (tcp and udp).*/\1/p' "$work/listen.err" 2>/dev/null || true)
    [ -n "$port" ] && break; sleep 0.1
  done
  [ -n "$port" ] || { echo "bench: listen did not start" >&2; cat "$work/listen.err" >&2; exit 1; }
  tcpdump -i lo -w "$work/tcpdump.pcap" "tcp port $port" 2> "$work/tcpdump.err" &
  tcpdump_pid=$!
  "$bin" capture -i lo --port "$port" > "$work/capture.ndjson" 2> "$work/capture.err" &
  capture_pid=$!
  for _ in $(seq 100); do grep -q "listening on" "$work/capture.err" 2>/dev/null && grep -q "listening on" "$work/tcpdump.err" 2>/dev/null && break; sleep 0.1; done
  "$bin" replay "$work/load.pcap" --to "127.0.0.1:$port" --top-speed --duration 120 > /dev/null 2> "$work/replay.err" || true
  for _ in $(seq 600); do kill -0 "$listen_pid" 2>/dev/null || break; sleep 0.1; done
  kill "$listen_pid" 2>/dev/null || true
  sleep 1
  kill -INT "$capture_pid" "$tcpdump_pid" 2>/dev/null || true
  wait "$capture_pid" "$tcpdump_pid" 2>/dev/null || true
  received=$(sed -n 's/^vt106 replay: \([0-9]*\) messages.*/\1/p' "$work/replay.err" | tail -1)
  decoded=$(grep -c '"kind":"message"' "$work/capture.ndjson" || true)
  cap_drops=$(sed -n 's/.*kernel dropped \([0-9]*\).*/\1/p' "$work/capture.err" | tail -1)
  tcp_captured=$(sed -n 's/^\([0-9]*\) packets captured.*/\1/p' "$work/tcpdump.err")
  tcp_drops=$(sed -n 's/^\([0-9]*\) packets dropped by kernel.*/\1/p' "$work/tcpdump.err")
  kept_msgs=$("$bin" decode "$work/tcpdump.pcap" 2>/dev/null | grep -c '"kind":"message"' || true)
  rows+=("| $run | ${received:-?} | $decoded ($(awk -v a="$decoded" -v b="${received:-0}" 'BEGIN { printf "%.1f", b ? 100 * a / b : 0 }') %) | ${cap_drops:-?} | $kept_msgs ($(awk -v a="$kept_msgs" -v b="${received:-0}" 'BEGIN { printf "%.1f", b ? 100 * a / b : 0 }') %) | ${tcp_captured:-?} | ${tcp_drops:-?} |")
  echo "bench: run $run: replay sent ${received:-?}, capture decoded $decoded (kernel dropped ${cap_drops:-?}), tcpdump kept $kept_msgs messages (dropped ${tcp_drops:-?})" >&2
done
{
  echo "# Live capture under load"
  echo
  echo "$(date -u +%Y-%m-%d) ($(git rev-parse --short HEAD)), $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)."
  echo "Written by \`bench/live_capture.sh $messages $devices $runs\`: \`vt106 replay --top-speed\` of a generated capture"
  echo "($messages messages, $devices devices, one TCP connection each) into \`vt106 listen\` on loopback, while"
  echo "\`tcpdump -i lo -w FILE\` and \`vt106 capture -i lo\` (defaults: -B 32 MiB, a capture thread) capture it."
  echo
  echo "| run | messages replay sent | vt106 capture decoded | capture: kernel dropped | messages in tcpdump's file | tcpdump packets | tcpdump: kernel dropped |"
  echo "|---|---|---|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
} > bench/LIVE_CAPTURE.md
cat bench/LIVE_CAPTURE.md
