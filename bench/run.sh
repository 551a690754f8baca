#!/usr/bin/env bash
# The benchmark, in one command: vt106 decode on one core and on every core against the I/O floor
# (tcpdump) and the tool a user would reach for today (tshark extracting the payloads) on one
# generated capture, then vt106 replay into vt106 listen on loopback (bench/replay_to_listen.sh), vt106 proxy with 10,000 devices (bench/proxy.sh),
# live capture under load beside tcpdump (bench/live_capture.sh, as root) and the README's first
# command on a fresh clone (BENCH_FIRST_RUN=0 leaves that out).
#
#   bench/run.sh [MESSAGES] [DEVICES] [RUNS]      defaults: 1000000 2000 5
#
# Writes bench/RESULTS.md (and prints it): median, min and max wall time of RUNS runs of each
# command, messages/s and MB/s, peak RSS, the ratios between them, peak RSS of decode on a
# capture four times larger, the replay → listen section, and which targets are met. Installs
# tshark and tcpdump from Debian when they are missing (as root). Builds vt106 in build-bench
# (Release) first. BENCH_NO_REPLAY=1 leaves the replay part out (and the file unwritten);
# BENCH_REPLAY_REFERENCE=OTHER/vt106 runs another build's replay beside this one's (ratios).
set -euo pipefail
cd "$(dirname "$0")/.."
messages=${1:-1000000} devices=${2:-2000} runs=${3:-5}
work=${BENCH_DIR:-$(mktemp -d)}
trap '[ -z "${BENCH_DIR:-}" ] && rm -rf "$work"' EXIT

if ! command -v tshark >/dev/null || ! command -v tcpdump >/dev/null; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends tshark tcpdump >&2
  else
    echo "bench: tshark and tcpdump are needed: apt-get install tshark tcpdump" >&2
    exit 1
  fi
fi
command -v python3 >/dev/null || { echo "bench: python3 is needed for the generator" >&2; exit 1; }

cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DVT106_TESTS=OFF >/dev/null
cmake --build build-bench -j"$(nproc)" --target vt106 >/dev/null
vt106=$PWD/build-bench/vt106

capture=$work/bench.pcap
python3 bench/make_capture.py "$capture" --messages "$messages" --devices "$devices" 2> "$work/gen.txt"
frames=$(sed -E 's/wrote ([0-9]+) uplink and ([0-9]+) downlink.*/\1 \2/' "$work/gen.txt" | awk '{print $1 + $2}')
bytes=$(stat -c %s "$capture")
sync
cat "$capture" > /dev/null  # in the page cache for every command alike
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

# measure NAME COMMAND...: RUNS runs; records "name median min max peak_rss_kb"
measure() {
  local name=$1; shift
  local times=() rss=0
  for _ in $(seq "$runs"); do
    # Written-back pages of the generator or of an earlier run would compete for the 2 cores:
    # flush them first, outside the timing.
    sync
    # Wall time from the clock in nanoseconds (time's own %e has 10 ms steps), peak RSS from time.
    local t0 t1
    t0=$(date +%s%N)
    /usr/bin/time -f "%M" -o "$work/time.txt" bash -c "$*" >/dev/null 2>"$work/stderr.txt" ||
      { echo "bench: '$*' failed:" >&2; cat "$work/stderr.txt" >&2; exit 1; }
    t1=$(date +%s%N)
    t=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
    m=$(tail -n 1 "$work/time.txt")
    times+=("$t")
    [ "$m" -gt "$rss" ] && rss=$m
  done
  printf '%s\n' "${times[@]}" | sort -g > "$work/sorted.txt"
  echo "$name $(awk -v n="$runs" 'NR==int((n+1)/2){m=$1} NR==1{lo=$1} {hi=$1} END{print m, lo, hi}' "$work/sorted.txt") $rss" >> "$work/results.txt"
}

: > "$work/results.txt"
cores=$(nproc)
measure tcpdump "tcpdump -r '$capture' -w /dev/null"
measure decode_null "'$vt106' decode -j 1 '$capture' > /dev/null"
[ "$cores" -gt 2 ] && measure decode_j2 "'$vt106' decode -j 2 '$capture' > /dev/null"
measure decode_all "'$vt106' decode '$capture' > /dev/null"
measure decode_file "'$vt106' decode '$capture' > '$work/out.ndjson'"
"$vt106" decode -j 1 "$capture" > "$work/one.ndjson"
cmp -s "$work/one.ndjson" "$work/out.ndjson" || { echo "bench: decode on $cores threads differs from -j 1" >&2; exit 1; }
rm -f "$work/one.ndjson"
measure tshark "tshark -r '$capture' -T fields -e frame.time_epoch -e ip.src -e tcp.srcport -e tcp.payload -e udp.payload > /dev/null"
decoded=$("$vt106" decode "$capture" | grep -c '"kind":"message"')
if [ "$decoded" -ne "$frames" ]; then
  echo "bench: vt106 decoded $decoded messages of the $frames frames written" >&2
  exit 1
fi
out_bytes=$(stat -c %s "$work/out.ndjson")

python3 bench/make_capture.py "$work/big.pcap" --messages $((messages * 4)) --devices "$devices" 2>/dev/null
sync
/usr/bin/time -f "%e %M" -o "$work/big.txt" "$vt106" decode -j 1 "$work/big.pcap" > /dev/null
read -r big_t big_rss < "$work/big.txt"
/usr/bin/time -f "%e %M" -o "$work/big.txt" "$vt106" decode "$work/big.pcap" > /dev/null
read -r big_all_t big_all_rss < "$work/big.txt"
rm -f "$work/big.pcap"

get() { awk -v n="$1" -v f="$2" '$1==n {print $f}' "$work/results.txt"; }
rate() { awk -v a="$1" -v t="$2" 'BEGIN { printf "%.0f", a / t }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a / b }'; }
mb() { awk -v a="$1" -v t="$2" 'BEGIN { printf "%.0f", a / t / 1e6 }'; }

cpu=$(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -1)
decode_report() {
cat <<REPORT
# Benchmark results

Written by \`bench/run.sh $messages $devices $runs\` on $(date -u +%Y-%m-%d) ($(git rev-parse --short HEAD 2>/dev/null || echo "no git")):
$(nproc) cores ($cpu), $(free -g | awk '/Mem:/ {print $2}') GiB, load average before the run: $load_before.
Re-run the script to refresh this file.

## Decode

Capture: \`python3 bench/make_capture.py bench.pcap --messages $messages --devices $devices\` —
$frames frames, $(ratio "$bytes" 1000000) MB, TCP (split, glued, 1 % retransmitted, some reordered) and UDP.
vt106 decoded $decoded messages ($(ratio "$out_bytes" 1000000) MB of NDJSON). $runs runs each, every one after
\`sync\` (so no earlier write-back competes for the cores), the capture already in the page cache; wall time.

| command | median s | min s | max s | messages/s | capture MB/s | peak RSS MB |
|---|---:|---:|---:|---:|---:|---:|
REPORT
for name in decode_null decode_j2 decode_all decode_file tcpdump tshark; do
  [ -n "$(get $name 2)" ] || continue
  case $name in
    decode_null) label="\`vt106 decode -j 1 FILE > /dev/null\` (one core)" ;;
    decode_j2) label="\`vt106 decode -j 2 FILE > /dev/null\`" ;;
    decode_all) label="\`vt106 decode FILE > /dev/null\` (all $cores cores)" ;;
    decode_file) label="\`vt106 decode FILE > out.ndjson\` (all $cores cores)" ;;
    tcpdump) label="\`tcpdump -r FILE -w /dev/null\` (I/O floor)" ;;
    tshark) label="\`tshark -r FILE -T fields -e frame.time_epoch -e ip.src -e tcp.srcport -e tcp.payload -e udp.payload\`" ;;
  esac
  med=$(get $name 2)
  echo "| $label | $med | $(get $name 3) | $(get $name 4) | $(rate "$frames" "$med") | $(mb "$bytes" "$med") | $(ratio "$(get $name 5)" 1024) |"
done
cat <<REPORT

- vt106 decode on one core is **$(ratio "$(get tshark 2)" "$(get decode_null 2)")×** faster than the tshark extraction
  (which only splits packets into fields, decoding nothing) and **$(ratio "$(get decode_null 2)" "$(get tcpdump 2)")×** the tcpdump I/O floor;
  on all $cores cores (the default) **$(ratio "$(get decode_all 2)" "$(get tcpdump 2)")×** the floor, $(ratio "$(get decode_null 2)" "$(get decode_all 2)")× the speed of one core,
  its output byte for byte that of \`-j 1\` (compared in this run).
- Peak RSS: $(ratio "$(get decode_null 5)" 1024) MB (one core) and $(ratio "$(get decode_all 5)" 1024) MB (all cores) on this capture;
  on one four times larger ($((messages * 4)) messages) $(ratio "$big_rss" 1024) MB in ${big_t} s and $(ratio "$big_all_rss" 1024) MB in ${big_all_t} s:
  memory does not grow with the capture.
REPORT

decode_rate=$(rate "$frames" "$(get decode_null 2)")
vs_tshark=$(ratio "$(get tshark 2)" "$(get decode_null 2)")
vs_tcpdump=$(ratio "$(get decode_null 2)" "$(get tcpdump 2)")
rss_mb=$(ratio "$(get decode_null 5)" 1024) big_mb=$(ratio "$big_rss" 1024)
met() { if awk "BEGIN { exit !($1) }"; then echo met; else echo "**not met**"; fi; }
cat <<REPORT

| target (issue #9) | measured | |
|---|---|---|
| decode ≥ 1,500,000 messages/s into NDJSON, one core | $decode_rate messages/s (median) | $(met "$decode_rate >= 1500000") |
| ≥ 40× faster than the tshark extraction | ${vs_tshark}× | $(met "$vs_tshark >= 40") |
| within 5× of \`tcpdump -r FILE -w /dev/null\` | ${vs_tcpdump}× | $(met "$vs_tcpdump <= 5") |
| peak RSS < 64 MB, and on a 4× larger capture | $rss_mb MB and $big_mb MB | $(met "$rss_mb < 64 && $big_mb < 64") |
REPORT
}

all_vs_floor=$(ratio "$(get decode_all 2)" "$(get tcpdump 2)")
all_mb=$(ratio "$(get decode_all 5)" 1024) big_all_mb=$(ratio "$big_all_rss" 1024)
scale_report() {
cat <<REPORT

| target (issue #18) | measured | |
|---|---|---|
| decode on every core (default) ≤ 2.5× the tcpdump floor | ${all_vs_floor}× ($cores cores) | $(met "$all_vs_floor <= 2.5") |
| the same bytes as \`-j 1\` | compared on this capture | met |
| decode memory ≤ 64 MB on 1× and 4× the capture, any \`-j\` | -j 1: $rss_mb and $big_mb MB; all cores: $all_mb and $big_all_mb MB | $(met "$rss_mb <= 64 && $big_mb <= 64 && $all_mb <= 64 && $big_all_mb <= 64") |
REPORT
}

# The README's first command on a fresh clone of this commit, without ccache (the packages it
# installs are already here: this times the build and the decode).
first_run() {
  local clone=$work/first-run
  git clone -q . "$clone"
  local t0 t1
  t0=$(date +%s%N)
  (cd "$clone" && CCACHE_DISABLE=1 scripts/dev demo > "$work/first-run.out" 2>&1) ||
    { echo "bench: the first command failed:" >&2; tail -20 "$work/first-run.out" >&2; return 1; }
  t1=$(date +%s%N)
  local secs
  secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", (b - a) / 1e9 }')
  cat <<REPORT
## First run

\`scripts/dev demo\` (the README's first command, without its package installation) on a fresh clone
of $(git rev-parse --short HEAD), ccache off: **$secs s** from nothing to decoded records, $(grep -c '"kind"' "$work/first-run.out") records
printed. Target (issue #18): at most 180 s: $(met "$secs <= 180").
REPORT
  rm -rf "$clone"
}

results=bench/RESULTS.md
if [ -n "${BENCH_NO_REPLAY:-}" ]; then
  decode_report
  scale_report
else
  { decode_report; scale_report; } > "$work/decode.md"
  echo "bench: replay → listen ..." >&2
  bench/replay_to_listen.sh "$vt106" ${BENCH_REPLAY_REFERENCE:+--reference "$BENCH_REPLAY_REFERENCE"} > "$work/replay.md"
  echo "bench: proxy ..." >&2
  bench/proxy.sh "$vt106" > "$work/proxy.md"
  : > "$work/live.md"
  if [ "$(id -u)" = 0 ]; then
    echo "bench: live capture ..." >&2
    bench/live_capture.sh > /dev/null || true  # its table is written either way
    cp bench/LIVE_CAPTURE.md "$work/live.md"
  fi
  : > "$work/first.md"
  if [ "${BENCH_FIRST_RUN:-1}" != 0 ]; then
    echo "bench: first run ..." >&2
    first_run > "$work/first.md"
  fi
  { cat "$work/decode.md"; echo; cat "$work/replay.md"; echo; cat "$work/proxy.md"; echo; sed 's/^# /## /' "$work/live.md"; echo; cat "$work/first.md"; } > "$results"
  cat "$results"
  echo "bench: wrote $results" >&2
fi
