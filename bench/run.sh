#!/usr/bin/env bash
# The benchmark, in one command: vt106 decode against the I/O floor (tcpdump) and the tool a
# user would reach for today (tshark extracting the payloads) on one generated capture, then
# vt106 replay into vt106 listen on loopback (bench/replay_to_listen.sh).
#
#   bench/run.sh [MESSAGES] [DEVICES] [RUNS]      defaults: 1000000 2000 5
#
# Writes bench/RESULTS.md (and prints it): median, min and max wall time of RUNS runs of each
# command, messages/s and MB/s, peak RSS, the ratios between them, peak RSS of decode on a
# capture four times larger, the replay → listen section, and which targets are met. Installs
# tshark and tcpdump from Debian when they are missing (as root). Builds vt106 in build-bench
# (Release) first. BENCH_NO_REPLAY=1 leaves the replay part out (and the file unwritten).
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
measure tcpdump "tcpdump -r '$capture' -w /dev/null"
measure decode_null "'$vt106' decode '$capture' > /dev/null"
measure decode_file "'$vt106' decode '$capture' > '$work/out.ndjson'"
measure tshark "tshark -r '$capture' -T fields -e frame.time_epoch -e ip.src -e tcp.srcport -e tcp.payload -e udp.payload > /dev/null"
decoded=$("$vt106" decode "$capture" | grep -c '"kind":"message"')
if [ "$decoded" -ne "$frames" ]; then
  echo "bench: vt106 decoded $decoded messages of the $frames frames written" >&2
  exit 1
fi
out_bytes=$(stat -c %s "$work/out.ndjson")

python3 bench/make_capture.py "$work/big.pcap" --messages $((messages * 4)) --devices "$devices" 2>/dev/null
sync
/usr/bin/time -f "%e %M" -o "$work/big.txt" "$vt106" decode "$work/big.pcap" > /dev/null
read -r big_t big_rss < "$work/big.txt"
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
for name in decode_null decode_file tcpdump tshark; do
  case $name in
    decode_null) label="\`vt106 decode FILE > /dev/null\`" ;;
    decode_file) label="\`vt106 decode FILE > out.ndjson\`" ;;
    tcpdump) label="\`tcpdump -r FILE -w /dev/null\` (I/O floor)" ;;
    tshark) label="\`tshark -r FILE -T fields -e frame.time_epoch -e ip.src -e tcp.srcport -e tcp.payload -e udp.payload\`" ;;
  esac
  med=$(get $name 2)
  echo "| $label | $med | $(get $name 3) | $(get $name 4) | $(rate "$frames" "$med") | $(mb "$bytes" "$med") | $(ratio "$(get $name 5)" 1024) |"
done
cat <<REPORT

- vt106 decode is **$(ratio "$(get tshark 2)" "$(get decode_null 2)")×** faster than the tshark extraction
  (which only splits packets into fields, decoding nothing) and **$(ratio "$(get decode_null 2)" "$(get tcpdump 2)")×** the tcpdump I/O floor.
- Peak RSS: $(ratio "$(get decode_null 5)" 1024) MB on this capture, $(ratio "$big_rss" 1024) MB on one four times larger
  ($((messages * 4)) messages, decoded in ${big_t} s): memory does not grow with the capture.
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

results=bench/RESULTS.md
if [ -n "${BENCH_NO_REPLAY:-}" ]; then
  decode_report
else
  decode_report > "$work/decode.md"
  echo "bench: replay → listen ..." >&2
  bench/replay_to_listen.sh "$vt106" > "$work/replay.md"
  { cat "$work/decode.md"; echo; cat "$work/replay.md"; } > "$results"
  cat "$results"
  echo "bench: wrote $results" >&2
fi
