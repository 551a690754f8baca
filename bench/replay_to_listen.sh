#!/usr/bin/env bash
# Benchmark of vt106 replay into vt106 listen on loopback, on captures from make_capture.py:
#  - throughput: DEVICES devices (one TCP connection each) send MESSAGES messages at
#    --top-speed; listen decodes them all; messages/s as replay sent them and as listen
#    received and decoded them (first byte to last message), peak RSS of both;
#  - timing: DEVICES devices report TIMED_MESSAGES messages over TIMED_DURATION seconds, replayed
#    with the capture's own timing (--speed 1): send lateness p50, p99, max.
# Each measurement runs RUNS times; the report gives median, min and max and the load average.
# Every run must deliver exactly what was planned (replay sent every message with no error,
# listen decoded as many with no error record), otherwise the script exits 1. It asserts
# nothing about durations.
#
# usage: bench/replay_to_listen.sh BUILD/vt106 [--devices N] [--messages N] [--timed-messages N]
#                                  [--timed-duration SECONDS] [--runs N] [--reference OTHER/vt106]
#        defaults: 10000 devices, 1000000 messages, 60000 timed messages over 20 s, 5 runs
# --reference: another build (an earlier commit, say) run the same way, each of its runs right
# after this build's, top speed and timing alike: the ratios between the two hold even when the
# machine's speed drifts during the benchmark.
#
# Standard output is a Markdown section (bench/run.sh appends it to bench/RESULTS.md); progress
# goes to standard error. Needs python3 (the generator) and GNU time (peak RSS: /usr/bin/time
# -f %M; installed with apt-get when missing and run as root).
set -euo pipefail
usage="usage: bench/replay_to_listen.sh BUILD/vt106 [--devices N] [--messages N] [--timed-messages N] [--timed-duration SECONDS] [--runs N] [--reference OTHER/vt106]"
[ $# -ge 1 ] || { echo "$usage" >&2; exit 2; }
bin=$(readlink -f "$1"); shift
devices=10000 messages=1000000 timed_messages=60000 timed_duration=20 runs=5 reference=""
while [ $# -gt 0 ]; do
  case $1 in
    --devices) devices=$2 ;;
    --messages) messages=$2 ;;
    --timed-messages) timed_messages=$2 ;;
    --timed-duration) timed_duration=$2 ;;
    --runs) runs=$2 ;;
    --reference) reference=$(readlink -f "$2") ;;
    *) echo "$usage" >&2; exit 2 ;;
  esac
  shift 2
done
for n in "$devices" "$messages" "$timed_messages" "$runs"; do
  [[ $n =~ ^[1-9][0-9]*$ ]] || { echo "bench: '$n' is not a positive whole number" >&2; exit 2; }
done
[[ $timed_duration =~ ^[0-9]+([.][0-9]+)?$ ]] || { echo "bench: --timed-duration '$timed_duration' is not a number of seconds" >&2; exit 2; }
[ -x "$bin" ] || { echo "bench: $bin is not an executable" >&2; exit 2; }
[ -z "$reference" ] || [ -x "$reference" ] || { echo "bench: --reference $reference is not an executable" >&2; exit 2; }
command -v python3 >/dev/null || { echo "bench: python3 is needed (apt-get install python3)" >&2; exit 1; }
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
pids=()
# Stops a listen started under time (time itself ignores SIGINT and dies of SIGTERM).
stop_listen() {
  local child
  for child in $(pgrep -P "$1" 2>/dev/null || true); do kill -TERM "$child" 2>/dev/null || true; done
}
cleanup() {
  for p in "${pids[@]}"; do stop_listen "$p"; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
log() { echo "bench: $*" >&2; }

# Peak RSS from GNU time (-f %M: ru_maxrss, KiB).
if [ ! -x /usr/bin/time ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    log "installing GNU time (apt-get install time) for peak RSS"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends time >&2
  else
    echo "bench: /usr/bin/time is needed for peak RSS: apt-get install time" >&2
    exit 1
  fi
fi

# Both programs raise their soft limit on open files to the hard one; say so when that is short.
hard=$(ulimit -Hn)
if [ "$hard" != unlimited ] && [ "$hard" -lt $((devices + 100)) ]; then
  log "the hard limit on open files is $hard, below $devices connections: fewer will be open at once (ulimit -Hn)"
fi

top=$work/top.pcap timed=$work/timed.pcap
top_gen="python3 bench/make_capture.py top.pcap --devices $devices --messages $messages --udp-share 0"
timed_gen="python3 bench/make_capture.py timed.pcap --devices $devices --messages $timed_messages --udp-share 0 --duration $timed_duration"
log "generating the captures"
python3 "$here/make_capture.py" "$top" --devices "$devices" --messages "$messages" --udp-share 0 2> "$work/gen-top.txt"
python3 "$here/make_capture.py" "$timed" --devices "$devices" --messages "$timed_messages" --udp-share 0 \
  --duration "$timed_duration" 2> "$work/gen-timed.txt"

max_conn=$((devices + 100))
top_limit=600 timed_limit=$(python3 -c "print(int(float('$timed_duration')) + 300)")
listen_top="vt106 listen --port 0 --bind 127.0.0.1 --max-connections $max_conn --count $messages --duration $top_limit"
listen_timed="vt106 listen --port 0 --bind 127.0.0.1 --max-connections $max_conn --count $timed_messages --duration $timed_limit"
top_cmd="vt106 replay top.pcap --to 127.0.0.1:PORT --max-connections $max_conn -q --duration $top_limit --top-speed"
timed_cmd="vt106 replay timed.pcap --to 127.0.0.1:PORT --max-connections $max_conn -q --duration $timed_limit --speed 1"

# measure KIND RUN CAPTURE COUNT LIMIT REPLAY_OPTIONS...: one replay into a fresh listen.
# Appends a line of results to $work/KIND.txt; exits 1 when anything was lost or went wrong.
measure() {
  local kind=$1 run=$2 capture=$3 count=$4 limit=$5; shift 5
  local err=$work/$kind-$run
  local load_before
  load_before=$(cut -d' ' -f1 /proc/loadavg)
  # listen stops by itself after COUNT messages, or after LIMIT seconds at worst.
  /usr/bin/time -f %M -o "$err.listen-rss" "$bin" listen --port 0 --bind 127.0.0.1 --max-connections "$max_conn" \
    --count "$count" --duration "$limit" < /dev/null > /dev/null 2> "$err.listen-err" &
  local listen_pid=$! port=""
  pids+=("$listen_pid")
  for _ in $(seq 200); do
    port=$(sed -n 's/.*listening on .*:\([0-9]*\) (tcp and udp).*/\1/p' "$err.listen-err" 2>/dev/null || true)
    [ -n "$port" ] && break
    kill -0 "$listen_pid" 2>/dev/null || break
    sleep 0.05
  done
  [ -n "$port" ] || { log "listen did not start:"; cat "$err.listen-err" >&2; exit 1; }
  local status=0
  # replay_bin: the reference build's replay (--reference), into this build's listen alike.
  /usr/bin/time -f "%U %S %M" -o "$err.replay-rss" "${replay_bin:-$bin}" replay "$capture" --to "127.0.0.1:$port" \
    --max-connections "$max_conn" -q --duration "$limit" "$@" > "$err.replay-out" 2> "$err.replay-err" || status=$?
  # listen ends once it has decoded every message; bounded wait, then it is told to stop.
  for _ in $(seq 1200); do kill -0 "$listen_pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$listen_pid" 2>/dev/null && stop_listen "$listen_pid"
  wait "$listen_pid" || true
  pids=()
  python3 - "$kind" "$run" "$count" "$status" "$err" "$load_before" >> "$work/$kind.txt" <<'PY'
import json, re, sys
kind, run, count, status, err, load = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], sys.argv[6]
problems = []
lines = [l for l in open(err + ".replay-out") if l.strip()]
s = json.loads(lines[-1]) if lines else {}
if s.get("kind") != "summary":
    problems.append("replay wrote no summary")
elif s["messages"] != count or s["planned"] != count or s["unsent"] != 0 or s["errors"]:
    problems.append("replay sent %s of %d planned messages, %s unsent, errors %s" % (s["messages"], count, s["unsent"], s["errors"]))
if status != 0:
    problems.append("replay exited with status %d" % status)
listen = open(err + ".listen-err").read()
m = re.search(r"(\d+) messages from (\d+) devices(?: \(([\d.]+) s from the first byte to the last message, (\d+) messages/s\))?, (\d+) errors", listen)
if not m:
    problems.append("listen wrote no summary line")
else:
    got, errors = int(m.group(1)), int(m.group(5))
    if got != count or errors != 0:
        problems.append("listen decoded %d of %d messages with %d error records" % (got, count, errors))
if problems:
    sys.stderr.write("bench: %s run %s: %s\n--- replay stderr:\n%s--- listen stderr:\n%s" % (
        kind, run, "; ".join(problems), open(err + ".replay-err").read()[-2000:], listen[-2000:]))
    sys.exit(1)
rss = lambda name: int(open(err + name).read().split()[-1])  # GNU time's last line
rss_replay, rss_listen = rss(".replay-rss"), rss(".listen-rss")
cpu_replay = sum(float(v) for v in open(err + ".replay-rss").read().split()[-3:-1])  # user + system, s
print(run, s.get("messages_per_s", 0), m.group(4) or 0, s.get("connect_s", 0), s.get("late_p50_us", "-"),
      s.get("late_p99_us", "-"), s.get("late_max_us", "-"), rss_replay, rss_listen, load, f"{cpu_replay:.2f}")
PY
}

: > "$work/top.txt"
: > "$work/timed.txt"
started=$(date -u '+%Y-%m-%d %H:%M UTC')
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
: > "$work/ahead.txt"
: > "$work/big.txt"
: > "$work/reftop.txt"
: > "$work/reftimed.txt"
for run in $(seq "$runs"); do
  log "top speed, run $run of $runs ($devices devices, $messages messages)"
  measure top "$run" "$top" "$messages" "$top_limit" --top-speed
  if [ -n "$reference" ]; then
    log "top speed, the reference build, run $run of $runs"
    replay_bin=$reference measure reftop "$run" "$top" "$messages" "$top_limit" --top-speed
  fi
  log "top speed, every connection first, run $run of $runs"
  measure ahead "$run" "$top" "$messages" "$top_limit" --top-speed --connect-ahead
done
# Memory on a capture four times larger: once, at top speed.
big_messages=$((messages * 4))
log "generating a capture of $big_messages messages"
python3 "$here/make_capture.py" "$work/big.pcap" --devices "$devices" --messages "$big_messages" --udp-share 0 2>/dev/null
log "top speed, $big_messages messages"
measure big 1 "$work/big.pcap" "$big_messages" "$top_limit" --top-speed
rm -f "$work/big.pcap"
for run in $(seq "$runs"); do
  log "capture timing, run $run of $runs ($devices devices, $timed_messages messages over about $timed_duration s)"
  measure timed "$run" "$timed" "$timed_messages" "$timed_limit" --speed 1
  if [ -n "$reference" ]; then
    log "capture timing, the reference build, run $run of $runs"
    replay_bin=$reference measure reftimed "$run" "$timed" "$timed_messages" "$timed_limit" --speed 1
  fi
done
load_end=$(cut -d' ' -f1-3 /proc/loadavg)

# The report, from the per-run lines (python: medians and formatting).
export work devices messages timed_messages timed_duration runs started load_start load_end big_messages
export top_gen timed_gen listen_top listen_timed top_cmd timed_cmd
cpu=$(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -1)
version=$("$bin" --version 2>/dev/null | head -1 || true)
reference_version=""
[ -n "$reference" ] && reference_version=$("$reference" --version 2>/dev/null | head -1 || echo "$reference")
memory=$(free -g | awk '/Mem:/ {print $2}')
export cpu version reference_version memory cores=$(nproc) kernel=$(uname -r)
python3 - <<'PY'
import os, re, statistics
e = os.environ
work, devices, messages, timed_messages, runs = e["work"], int(e["devices"]), int(e["messages"]), int(e["timed_messages"]), int(e["runs"])
rows = lambda kind: [l.split() for l in open(f"{work}/{kind}.txt") if l.strip()]
top, timed, ahead, big = rows("top"), rows("timed"), rows("ahead"), rows("big")
reftop, reftimed = rows("reftop"), rows("reftimed")
col = lambda rs, i: [float(r[i]) for r in rs]
def mmm(values, fmt="{:,.0f}"):
    return " | ".join(fmt.format(v) for v in (statistics.median(values), min(values), max(values)))
mb = lambda values: [v / 1024 for v in values]
sent, decoded, connect = col(top, 1), col(top, 2), col(top, 3)
p50, p99, pmax = col(timed, 4), col(timed, 5), col(timed, 6)
def frames(name):
    text = open(f"{work}/gen-{name}.txt").read()
    up, down, dev = re.search(r"wrote (\d+) uplink and (\d+) downlink frames from (\d+) devices", text).groups()
    return f"{int(up):,} uplink frames from {int(dev):,} devices ({int(down):,} downlink frames, not replayed)"
tick = "`" * 3
print(f"""## Replay → listen

{e["started"]}, {e["cores"]} cores ({e["cpu"]}), {e["memory"]} GiB, Linux {e["kernel"]}, {e["version"]}.
Load average (1, 5, 15 min) at the start: {e["load_start"]}; at the end: {e["load_end"]}. {runs} runs of
each measurement, each into a fresh `vt106 listen`; both on this machine, over loopback.

{tick}sh
{e["top_gen"]}
{e["timed_gen"]}
{e["listen_top"]} &    # stops after the last message
{e["top_cmd"]}
{e["listen_timed"]} &
{e["timed_cmd"]}
{tick}

top.pcap: {frames("top")}. timed.pcap: {frames("timed")}, over about {e["timed_duration"]} s.
Every run was checked: replay sent every planned message without an error, and listen decoded
exactly as many without an error record.

**Top speed**: {devices:,} devices, one TCP connection each, {messages:,} messages. Replay reads the
capture as it sends (the default 8 MiB read-ahead): the devices of its first quarter connect before the clock
starts, the others as the reading reaches them; it counts from the start to the last message handed to
the kernel (socket buffers absorb part of it); listen counts from the first byte it received to the last
message it decoded: that is the delivered rate. With `--connect-ahead` every connection is opened
before the clock starts ({statistics.median(col(ahead, 3)):.2f} s median, reading the capture once for it).

| measure | median | min | max |
|---|---:|---:|---:|
| messages/s sent (handed to the kernel) by replay | {mmm(sent)} |
| messages/s delivered and decoded by listen | {mmm(decoded)} |
| peak RSS replay, MB | {mmm(mb(col(top, 7)), "{:,.1f}")} |
| peak RSS listen, MB | {mmm(mb(col(top, 8)), "{:,.1f}")} |
| with `--connect-ahead`: messages/s delivered and decoded by listen | {mmm(col(ahead, 2))} |
| with `--connect-ahead`: peak RSS replay, MB | {mmm(mb(col(ahead, 7)), "{:,.1f}")} |
| {int(e["big_messages"]):,} messages (one run): messages/s delivered, peak RSS replay MB | {float(big[0][2]):,.0f} | {float(big[0][7]) / 1024:,.1f} | |

**Capture timing, `--speed 1`**: {devices:,} devices, {timed_messages:,} messages over about {e["timed_duration"]} s. Lateness
is when the kernel had taken a message against when the capture's timing wanted it sent.

| measure | median | min | max |
|---|---:|---:|---:|
| lateness p50, µs | {mmm(p50)} |
| lateness p99, µs | {mmm(p99)} |
| lateness max, µs | {mmm(pmax)} |
| peak RSS replay, MB | {mmm(mb(col(timed, 7)), "{:,.1f}")} |
| peak RSS listen, MB | {mmm(mb(col(timed, 8)), "{:,.1f}")} |

Each run (top speed: sent/s, decoded/s, connecting s, load average; timing: p50, p99, max µs, load average):
""")
for a, b in zip(top, timed):
    print(f"- run {a[0]}: {float(a[1]):,.0f}/s, {float(a[2]):,.0f}/s, {float(a[3]):.2f} s, load {a[9]}; "
          f"{float(b[4]):,.0f}, {float(b[5]):,.0f}, {float(b[6]):,.0f} µs, load {b[9]}")
if reftop:
    ref_decoded, ref_p99 = col(reftop, 2), col(reftimed, 5)
    ratio = statistics.median(decoded) / statistics.median(ref_decoded)
    print(f"""
**Against the reference build** ({e["reference_version"]}), each of its runs right after this build's, into
this build's listen:

| measure | this build, median | reference, median | reference min | reference max |
|---|---:|---:|---:|---:|
| top speed: messages/s delivered and decoded by listen | {statistics.median(decoded):,.0f} | {mmm(ref_decoded)} |
| top speed: peak RSS replay, MB | {statistics.median(mb(col(top, 7))):,.1f} | {mmm(mb(col(reftop, 7)), "{:,.1f}")} |
| top speed: replay's CPU (user + system), s | {statistics.median(col(top, 10)):,.2f} | {mmm(col(reftop, 10), "{:,.2f}")} |
| `--speed 1`: lateness p99, µs | {statistics.median(p99):,.0f} | {mmm(ref_p99)} |
| `--speed 1`: lateness max, µs | {statistics.median(pmax):,.0f} | {mmm(col(reftimed, 6))} |

This build delivers **{ratio:.2f}×** the reference's messages/s at top speed (medians of the same run).""")
verdict = lambda ok: "**met**" if ok else "**not met**"
rss_top, rss_big = max(mb(col(top, 7) + col(ahead, 7))), float(big[0][7]) / 1024
print(f"""
Targets (issue #18):

- replay peak RSS at most 64 MB on {messages:,} and {int(e["big_messages"]):,} messages: {verdict(rss_top <= 64 and rss_big <= 64)}
  ({rss_top:,.1f} MB and {rss_big:,.1f} MB)
- top speed at least 1.9 million messages/s delivered (the rate before replay streamed, when the whole
  capture was read before the clock started): {verdict(statistics.median(decoded) >= 1.9e6)}
  (median {statistics.median(decoded):,.0f}/s; {statistics.median(col(ahead, 2)):,.0f}/s with `--connect-ahead`)
- `--speed 1` lateness p99 at most 100 µs: {verdict(statistics.median(p99) <= 100)} (median of the runs' p99 {statistics.median(p99):,.0f} µs)""")
print(f"""
Targets (issue #9):

- at least 200,000 messages/s delivered and decoded by listen, 10,000 concurrent TCP connections:
  {verdict(devices >= 10000 and statistics.median(decoded) >= 200000)} (median {statistics.median(decoded):,.0f}/s, slowest run {min(decoded):,.0f}/s, {devices:,} connections)
- lateness p99 under 2 ms at `--speed 1`: {verdict(statistics.median(p99) < 2000)} (median of the runs' p99
  {statistics.median(p99):,.0f} µs, worst run {max(p99):,.0f} µs)""")
PY
