#!/usr/bin/env bash
# vt106 doctor at platform scale against vt106 decode on the same generated capture:
#
#   bench/doctor.sh [MESSAGES] [DEVICES] [RUNS]      defaults: 1000000 2000 5
#
# Writes bench/DOCTOR.md (and prints it): median, min and max wall time of RUNS runs of decode
# (records to /dev/null), doctor (the summary; by default the capture is read on a thread of its
# own), doctor -j 1 (everything on one thread), doctor --format ndjson (every finding of every
# device) and doctor --imei (one device), each with its peak RSS, and the ratio of each doctor
# run to decode. Targets: doctor at most 2x decode's time, under 64 MB. Builds vt106 in
# build-bench (Release) first.
set -euo pipefail
cd "$(dirname "$0")/.."
messages=${1:-1000000} devices=${2:-2000} runs=${3:-5}
work=${BENCH_DIR:-$(mktemp -d)}
trap '[ -z "${BENCH_DIR:-}" ] && rm -rf "$work"' EXIT
command -v python3 >/dev/null || { echo "bench: python3 is needed for the generator" >&2; exit 1; }

cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DVT106_TESTS=OFF >/dev/null
cmake --build build-bench -j"$(nproc)" --target vt106 >/dev/null
vt106=$PWD/build-bench/vt106
capture=$work/bench.pcap
[ -s "$capture" ] || python3 bench/make_capture.py "$capture" --messages "$messages" --devices "$devices" 2> "$work/gen.txt"
cat "$capture" > /dev/null  # in the page cache for every command alike
imei=$("$vt106" doctor "$capture" --format ndjson | python3 -c '
import json, sys
for line in sys.stdin:
    r = json.loads(line)
    if r.get("kind") == "finding" and r.get("device"):
        print(r["device"]); break' || true)

results=()
measure() {  # measure NAME COMMAND...
  local name=$1; shift
  local times=() rss=0 t0 t1 t m
  for _ in $(seq "$runs"); do
    sync
    t0=$(date +%s%N)
    /usr/bin/time -f "%M" -o "$work/time.txt" "$@" > /dev/null 2> "$work/stderr.txt" || {
      [ $? = 1 ] || { echo "bench: '$*' failed:" >&2; cat "$work/stderr.txt" >&2; exit 1; }; }
    t1=$(date +%s%N)
    t=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
    m=$(tail -n 1 "$work/time.txt")
    times+=("$t")
    [ "$m" -gt "$rss" ] && rss=$m
  done
  local sorted
  sorted=$(printf '%s\n' "${times[@]}" | sort -n)
  results+=("$name|$(sed -n "$(( (runs + 1) / 2 ))p" <<<"$sorted")|$(head -1 <<<"$sorted")|$(tail -1 <<<"$sorted")|$rss")
}
measure "decode" "$vt106" decode "$capture"
measure "doctor" "$vt106" doctor "$capture"
measure "doctor -j 1" "$vt106" doctor -j 1 "$capture"
measure "doctor --format ndjson" "$vt106" doctor "$capture" --format ndjson
measure "doctor --imei" "$vt106" doctor "$capture" --imei "$imei"

decode_median=$(cut -d'|' -f2 <<<"${results[0]}")
{
  echo "# vt106 doctor at platform scale"
  echo
  echo "$(date -u +%Y-%m-%d), $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)."
  echo "Capture: bench/make_capture.py, $messages messages from $devices devices, $(stat -c %s "$capture") bytes."
  echo "Each command run $runs times; wall time median (min–max), peak RSS; ratio = median / decode's median."
  echo
  echo "| command | median s | min s | max s | peak RSS MB | ratio to decode |"
  echo "|---|---|---|---|---|---|"
  for r in "${results[@]}"; do
    IFS='|' read -r name med mn mx rss <<<"$r"
    awk -v n="$name" -v med="$med" -v mn="$mn" -v mx="$mx" -v rss="$rss" -v d="$decode_median" \
      'BEGIN { printf "| `vt106 %s` | %.2f | %.2f | %.2f | %.1f | %.2f |\n", n, med, mn, mx, rss / 1024, med / d }'
  done
  echo
  echo "Targets: doctor at most 2x the time of decode and under 64 MB."
  awk -v a="$(cut -d'|' -f2 <<<"${results[1]}")" -v b="$(cut -d'|' -f2 <<<"${results[2]}")" \
    'BEGIN { printf "doctor with the reading on a thread of its own: %.2fx the speed of doctor -j 1.\n", b / a }'
} > bench/DOCTOR.md
cat bench/DOCTOR.md
