#!/usr/bin/env bash
# Detection speed on every first message of the test vectors (all protocols, every message kind),
# judged RUNS times N verdicts each; writes bench/DETECT.md (and prints it).
#   bench/detect.sh [N] [RUNS]        defaults: 2000000 5
# Target: at least 1,000,000 first messages per second on one core. Builds in build-bench (Release).
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-2000000} runs=${2:-5}
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DVT106_TESTS=OFF >/dev/null
cmake --build build-bench -j"$(nproc)" --target vt106_detect_bench >/dev/null
rates=()
for _ in $(seq "$runs"); do
  out=$(build-bench/vt106_detect_bench "$n" tests/data/detect/vectors-*.tsv tests/data/detect-samples.tsv)
  rates+=("$(sed -E 's/.*: ([0-9]+) verdicts\/s.*/\1/' <<<"$out")")
  last=$out
done
sorted=$(printf '%s\n' "${rates[@]}" | sort -n)
median=$(sed -n "$(( (runs + 1) / 2 ))p" <<<"$sorted")
{
  echo "# vt106 detect: speed"
  echo
  echo "$(date -u +%Y-%m-%d), $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1), one thread."
  echo "Last run: $last"
  echo
  echo "| runs | median verdicts/s | min | max |"
  echo "|---|---|---|---|"
  echo "| $runs | $median | $(head -1 <<<"$sorted") | $(tail -1 <<<"$sorted") |"
  echo
  echo "Target: at least 1,000,000 first messages per second."
} > bench/DETECT.md
cat bench/DETECT.md
