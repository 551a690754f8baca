#!/usr/bin/env bash
# Benchmark of vt106 proxy on loopback:
#  - throughput: DEVICES devices (one TCP connection each, all open at once: replay
#    --connect-ahead) send MESSAGES messages at --top-speed through the proxy into vt106 listen;
#    messages/s as listen received and decoded them, against the same replay straight into
#    listen in the same run; the proxy's peak RSS and peak open sockets;
#  - latency: a device's frame echoed by a platform, ROUNDS round trips on one connection,
#    straight and through the proxy: p50 and p99, and what the proxy adds.
# Every run must deliver every message (listen decoded all of them, no error record) and the
# proxy must have relayed every device, otherwise the script exits 1. It asserts nothing about
# durations. Standard output is a Markdown section; progress goes to standard error.
#
# usage: bench/proxy.sh BUILD/vt106 [--devices N] [--messages N] [--rounds N] [--runs N]
#        defaults: 10000 devices, 500000 messages, 2000 round trips, 3 runs
# As root the limit on open files is raised for the run (the proxy holds two sockets a device).
set -euo pipefail
usage="usage: bench/proxy.sh BUILD/vt106 [--devices N] [--messages N] [--rounds N] [--runs N]"
[ $# -ge 1 ] || { echo "$usage" >&2; exit 2; }
bin=$(readlink -f "$1"); shift
devices=10000 messages=500000 rounds=2000 runs=3
while [ $# -gt 0 ]; do
  case $1 in
    --devices) devices=$2 ;;
    --messages) messages=$2 ;;
    --rounds) rounds=$2 ;;
    --runs) runs=$2 ;;
    *) echo "$usage" >&2; exit 2 ;;
  esac
  shift 2
done
for n in "$devices" "$messages" "$rounds" "$runs"; do
  [[ $n =~ ^[1-9][0-9]*$ ]] || { echo "bench: '$n' is not a positive whole number" >&2; exit 2; }
done
[ -x "$bin" ] || { echo "bench: $bin is not an executable" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "bench: /usr/bin/time is needed for peak RSS: apt-get install time" >&2; exit 1; }
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
cleanup() { kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
log() { echo "bench: $*" >&2; }
if [ "$(id -u)" -eq 0 ]; then ulimit -Hn 1048576 2>/dev/null || true; ulimit -n "$(ulimit -Hn)"; fi
need=$((devices * 3 + 200))
[ "$(ulimit -Hn)" = unlimited ] || [ "$(ulimit -Hn)" -ge "$need" ] ||
  log "the hard limit on open files is $(ulimit -Hn): fewer than $devices devices can be relayed at once"
max_conn=$((devices + 100))

capture=$work/top.pcap
log "generating $messages messages of $devices devices"
python3 "$here/make_capture.py" "$capture" --devices "$devices" --messages "$messages" --udp-share 0 2> /dev/null

# start_listen ERRFILE: a vt106 listen that stops after MESSAGES messages; sets listen_pid, listen_port.
start_listen() {
  "$bin" listen --port 0 --bind 127.0.0.1 --max-connections "$max_conn" --count "$messages" --duration 600 \
    < /dev/null > /dev/null 2> "$1" &
  listen_pid=$! listen_port=""
  for _ in $(seq 200); do
    listen_port=$(sed -n 's/.*listening on .*:\([0-9]*\) (tcp and udp).*/\1/p' "$1" 2>/dev/null || true)
    [ -n "$listen_port" ] && return
    sleep 0.05
  done
  log "listen did not start"; cat "$1" >&2; exit 1
}
# listen_rate ERRFILE: messages/s of listen's summary; exits 1 unless every message came, error-free.
listen_rate() {
  python3 - "$1" "$messages" <<'PY'
import re, sys
text, count = open(sys.argv[1]).read(), int(sys.argv[2])
m = re.search(r"(\d+) messages from (\d+) devices \(([\d.]+) s from the first byte to the last message, (\d+) messages/s\), (\d+) errors", text)
if not m or int(m.group(1)) != count or int(m.group(5)) != 0:
    sys.exit("listen did not decode every message without error: " + text[-600:])
print(m.group(4))
PY
}
wait_listen() { for _ in $(seq 3000); do kill -0 "$listen_pid" 2>/dev/null || break; sleep 0.1; done; kill "$listen_pid" 2>/dev/null || true; wait "$listen_pid" 2>/dev/null || true; }

direct=() via=() rss=() sockets=() proxy_rate=()
for run in $(seq "$runs"); do
  log "run $run/$runs: straight into listen"
  start_listen "$work/direct-$run.err"
  "$bin" replay "$capture" --to "127.0.0.1:$listen_port" --max-connections "$max_conn" --top-speed --connect-ahead -q \
    --duration 600 > /dev/null 2> "$work/direct-replay-$run.err"
  wait_listen
  direct+=("$(listen_rate "$work/direct-$run.err")")

  log "run $run/$runs: through the proxy"
  start_listen "$work/via-$run.err"
  /usr/bin/time -f %M -o "$work/proxy-rss-$run" "$bin" proxy --listen 127.0.0.1:0 --to "127.0.0.1:$listen_port" \
    --max-connections "$max_conn" < /dev/null > /dev/null 2> "$work/proxy-$run.err" &
  time_pid=$!
  pport=""
  for _ in $(seq 200); do
    pport=$(sed -n 's/.*relaying .*:\([0-9]*\) (tcp and udp).*/\1/p' "$work/proxy-$run.err" 2>/dev/null || true)
    [ -n "$pport" ] && break
    sleep 0.05
  done
  [ -n "$pport" ] || { log "the proxy did not start"; cat "$work/proxy-$run.err" >&2; exit 1; }
  proxy_pid=$(pgrep -P "$time_pid" | head -1)
  # Peak open sockets of the proxy, sampled while the traffic passes.
  ( peak=0; while kill -0 "$proxy_pid" 2>/dev/null; do
      n=$(find /proc/"$proxy_pid"/fd -maxdepth 1 -lname 'socket:*' 2>/dev/null | wc -l)
      [ "$n" -gt "$peak" ] && peak=$n && echo "$peak" > "$work/sockets-$run"
      sleep 0.2
    done ) &
  "$bin" replay "$capture" --to "127.0.0.1:$pport" --max-connections "$max_conn" --top-speed --connect-ahead -q \
    --duration 600 > /dev/null 2> "$work/via-replay-$run.err"
  wait_listen
  kill -INT "$proxy_pid"
  wait "$time_pid" || true
  via+=("$(listen_rate "$work/via-$run.err")")
  grep -q "^vt106 proxy: $devices tcp connections" "$work/proxy-$run.err" ||
    { log "the proxy did not relay $devices devices:"; head -3 "$work/proxy-$run.err" >&2; exit 1; }
  proxy_rate+=("$(sed -n 's/.*messages decoded (\([0-9]*\) messages\/s).*/\1/p' "$work/proxy-$run.err" | head -1)")
  rss+=("$(tail -1 "$work/proxy-rss-$run")")
  sockets+=("$(cat "$work/sockets-$run" 2>/dev/null || echo 0)")
done

log "latency: $rounds round trips, straight and through the proxy"
python3 "$here/proxy_latency.py" serve "$work/echo.port" $((runs * 60 + 60)) &
for _ in $(seq 100); do [ -f "$work/echo.port" ] && break; sleep 0.05; done
echo_port=$(cat "$work/echo.port")
"$bin" proxy --listen 127.0.0.1:0 --to "127.0.0.1:$echo_port" -q > /dev/null 2> "$work/lat-proxy.err" &
lat_proxy=$!
for _ in $(seq 100); do
  lport=$(ss -ltnp 2>/dev/null | awk -v p="pid=$lat_proxy," 'index($0, p) {split($4, a, ":"); print a[length(a)]; exit}')
  [ -n "$lport" ] && break; sleep 0.05
done
[ -n "$lport" ] || { log "the latency proxy did not start"; exit 1; }
lat_direct=() lat_via=()
for run in $(seq "$runs"); do
  lat_direct+=("$(python3 "$here/proxy_latency.py" measure "$echo_port" "$rounds")")
  lat_via+=("$(python3 "$here/proxy_latency.py" measure "$lport" "$rounds")")
done
kill -INT "$lat_proxy"; wait "$lat_proxy" || true

python3 - "$devices" "$messages" "$rounds" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)" \
  "${direct[*]}" "${via[*]}" "${proxy_rate[*]}" "${rss[*]}" "${sockets[*]}" "$(printf '%s\n' "${lat_direct[@]}")" \
  "$(printf '%s\n' "${lat_via[@]}")" <<'PY'
import json, statistics, sys
devices, messages, rounds, cores, load = sys.argv[1:6]
nums = lambda s: [float(x) for x in s.split()]
direct, via, prate, rss, sockets = (nums(a) for a in sys.argv[6:11])
ld = [json.loads(l) for l in sys.argv[11].splitlines()]
lv = [json.loads(l) for l in sys.argv[12].splitlines()]
med = statistics.median
row = lambda name, xs, unit="": f"| {name} | {med(xs):,.0f}{unit} | {min(xs):,.0f}{unit} | {max(xs):,.0f}{unit} |"
print(f"## vt106 proxy\n\n{devices} devices (all connected at once), {messages:} messages at top speed, {cores} cores, "
      f"load {load}; {len(direct)} runs.\n")
print("| measure | median | min | max |\n|---|---|---|---|")
print(row("replay → listen, messages/s decoded by listen", direct))
print(row("replay → proxy → listen, messages/s decoded by listen", via))
print(row("the proxy's own decoding, messages/s", prate))
print(row("proxy peak RSS", [r / 1024 for r in rss], " MB"))
print(row("proxy peak open sockets", sockets))
print(f"\nThrough the proxy: {med(via) / med(direct):.2f}× the messages/s of the straight path.\n")
print(f"Round trips of a frame echoed by the platform ({rounds} on one connection, µs):\n")
print("| path | p50 | p99 | max |\n|---|---|---|---|")
for name, xs in (("straight", ld), ("through the proxy", lv)):
    print(f"| {name} | {med([x['p50_us'] for x in xs]):.0f} | {med([x['p99_us'] for x in xs]):.0f} | {med([x['max_us'] for x in xs]):.0f} |")
add50 = med([x['p50_us'] for x in lv]) - med([x['p50_us'] for x in ld])
add99 = med([x['p99_us'] for x in lv]) - med([x['p99_us'] for x in ld])
print(f"\nAdded by the proxy (both ways of a round trip): p50 {add50:.0f} µs, p99 {add99:.0f} µs.")
PY
