#!/usr/bin/env bash
# Detection speed on every first message of the test vectors (all protocols, every message kind),
# judged RUNS times N verdicts each, in both details: brief (the verdict without its sentences, as
# a platform routing new connections and a flow reader waiting for the rest of a first message
# use it) and full (with every sentence, as `vt106 detect` prints it). Writes bench/DETECT.md (and
# prints it).
#   bench/detect.sh [N] [RUNS] [REF]    defaults: 2000000 5, no reference
# REF: a commit whose detector runs in the same session, interleaved run by run with this one
# (built in build-bench-ref from a git worktree), so that the ratio holds on a machine whose
# speed drifts; a reference without the brief detail runs full verdicts in both rows. Target: at
# least 1,000,000 first messages per second on one core. Builds in build-bench (Release), with
# JOBS parallel jobs (default: the number of cores).
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-2000000} runs=${2:-5} ref=${3:-} jobs=${JOBS:-$(nproc)}
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DVT106_TESTS=OFF >/dev/null
cmake --build build-bench -j"$jobs" --target vt106_detect_bench >/dev/null
vectors=(tests/data/detect/vectors-*.tsv tests/data/detect-samples.tsv)
refbin=
if [ -n "$ref" ]; then
  tree=build-bench-ref/tree
  rm -rf "$tree" && git worktree prune
  git worktree add -q --detach "$tree" "$ref"
  cmake -S "$tree" -B build-bench-ref/build -DCMAKE_BUILD_TYPE=Release -DVT106_TESTS=OFF >/dev/null
  cmake --build build-bench-ref/build -j"$jobs" --target vt106_detect_bench >/dev/null
  refbin=build-bench-ref/build/vt106_detect_bench
fi
rate() { sed -E 's/.*: ([0-9]+) verdicts\/s.*/\1/' <<<"$1"; }
median() { printf '%s\n' "$@" | sort -n | sed -n "$(( ($# + 1) / 2 ))p"; }
# The reference takes --brief when it knows it (it then says "brief" in its line).
refbrief=
if [ -n "$refbin" ] && $refbin 1 --brief "${vectors[@]}" 2>/dev/null | grep -q ' brief '; then refbrief=--brief; fi
declare -A all
last=()
for _ in $(seq "$runs"); do
  for mode in brief full; do
    flag=; [ "$mode" = brief ] && flag=--brief
    out=$(build-bench/vt106_detect_bench "$n" $flag "${vectors[@]}")
    all[this-$mode]+=" $(rate "$out")"
    last[$([ "$mode" = brief ] && echo 0 || echo 1)]=$out
    if [ -n "$refbin" ]; then
      rflag=; [ "$mode" = brief ] && rflag=$refbrief
      refout=$($refbin "$n" $rflag "${vectors[@]}")
      all[ref-$mode]+=" $(rate "$refout")"
    fi
  done
done
row() {  # label key
  local -a r; read -ra r <<<"${all[$2]}"
  local sorted; sorted=$(printf '%s\n' "${r[@]}" | sort -n)
  echo "| $1 | $runs | $(median "${r[@]}") | $(head -1 <<<"$sorted") | $(tail -1 <<<"$sorted") |"
}
med() { local -a r; read -ra r <<<"${all[$1]}"; median "${r[@]}"; }
{
  echo "# vt106 detect: speed"
  echo
  echo "$(date -u +%Y-%m-%d) ($(git rev-parse --short HEAD)), $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1), one thread."
  echo "Written by \`bench/detect.sh $n $runs${ref:+ $ref}\`. Last runs:"
  echo
  echo "    ${last[0]}"
  echo "    ${last[1]}"
  echo
  echo "| detector | runs | median verdicts/s | min | max |"
  echo "|---|---|---|---|---|"
  row "this build, brief verdicts" this-brief
  row "this build, full verdicts (with evidence)" this-full
  if [ -n "$refbin" ]; then
    reflabel=", full verdicts"; [ -n "$refbrief" ] && reflabel=", brief verdicts"
    row "$ref$reflabel (same session, interleaved)" ref-brief
    row "$ref, full verdicts (same session, interleaved)" ref-full
    echo
    echo "This build: brief $(awk -v a="$(med this-brief)" -v b="$(med ref-brief)" 'BEGIN { printf "%.2f", a / b }')×," \
      "full $(awk -v a="$(med this-full)" -v b="$(med ref-full)" 'BEGIN { printf "%.2f", a / b }')× the verdicts per second of $ref."
  fi
  echo
  echo "Target: at least 1,000,000 first messages per second: brief verdicts" \
    "$(awk -v a="$(med this-brief)" 'BEGIN { printf "%.2f", a / 1000000 }')× of it, full verdicts" \
    "$(awk -v a="$(med this-full)" 'BEGIN { printf "%.2f", a / 1000000 }')× of it."
} > bench/DETECT.md
[ -n "$ref" ] && { git worktree remove --force "$tree" 2>/dev/null || true; }
cat bench/DETECT.md
