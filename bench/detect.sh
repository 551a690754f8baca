#!/usr/bin/env bash
# Detection speed on every first message of the test vectors (all protocols, every message kind),
# judged RUNS times N verdicts each; writes bench/DETECT.md (and prints it).
#   bench/detect.sh [N] [RUNS] [REF]    defaults: 2000000 5, no reference
# REF: a commit whose detector runs in the same session, interleaved run by run with this one
# (built in build-bench-ref from a git worktree), so that the ratio holds on a machine whose
# speed drifts. Target: at least 1,000,000 first messages per second on one core. Builds in
# build-bench (Release).
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-2000000} runs=${2:-5} ref=${3:-}
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DVT106_TESTS=OFF >/dev/null
cmake --build build-bench -j"$(nproc)" --target vt106_detect_bench >/dev/null
vectors=(tests/data/detect/vectors-*.tsv tests/data/detect-samples.tsv)
refbin=
if [ -n "$ref" ]; then
  tree=build-bench-ref/tree
  rm -rf "$tree" && git worktree prune
  git worktree add -q --detach "$tree" "$ref"
  cmake -S "$tree" -B build-bench-ref/build -DCMAKE_BUILD_TYPE=Release -DVT106_TESTS=OFF >/dev/null
  cmake --build build-bench-ref/build -j"$(nproc)" --target vt106_detect_bench >/dev/null
  refbin=build-bench-ref/build/vt106_detect_bench
fi
rate() { sed -E 's/.*: ([0-9]+) verdicts\/s.*/\1/' <<<"$1"; }
median() { printf '%s\n' "$@" | sort -n | sed -n "$(( ($# + 1) / 2 ))p"; }
rates=() refrates=()
for _ in $(seq "$runs"); do
  out=$(build-bench/vt106_detect_bench "$n" "${vectors[@]}")
  rates+=("$(rate "$out")")
  last=$out
  if [ -n "$refbin" ]; then
    refout=$($refbin "$n" "${vectors[@]}")
    refrates+=("$(rate "$refout")")
  fi
done
sorted=$(printf '%s\n' "${rates[@]}" | sort -n)
med=$(median "${rates[@]}")
{
  echo "# vt106 detect: speed"
  echo
  echo "$(date -u +%Y-%m-%d) ($(git rev-parse --short HEAD)), $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1), one thread."
  echo "Written by \`bench/detect.sh $n $runs${ref:+ $ref}\`. Last run: $last"
  echo
  echo "| detector | runs | median verdicts/s | min | max |"
  echo "|---|---|---|---|---|"
  echo "| this build | $runs | $med | $(head -1 <<<"$sorted") | $(tail -1 <<<"$sorted") |"
  if [ -n "$refbin" ]; then
    refsorted=$(printf '%s\n' "${refrates[@]}" | sort -n)
    refmed=$(median "${refrates[@]}")
    echo "| $ref (same session, runs interleaved) | $runs | $refmed | $(head -1 <<<"$refsorted") | $(tail -1 <<<"$refsorted") |"
    echo
    echo "This build: $(awk -v a="$med" -v b="$refmed" 'BEGIN { printf "%.2f", a / b }')× the verdicts per second of $ref."
  fi
  echo
  echo "Target: at least 1,000,000 first messages per second: $(awk -v a="$med" 'BEGIN { printf "%.2f", a / 1000000 }')× of it."
} > bench/DETECT.md
[ -n "$ref" ] && { git worktree remove --force "$tree" 2>/dev/null || true; }
cat bench/DETECT.md
