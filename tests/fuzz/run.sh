#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) and runs each for a bounded time.
#   tests/fuzz/run.sh [SECONDS] [TARGET...]   default: 60 seconds, every target
# New inputs go to build-fuzz/corpus/TARGET (the committed corpus is only read); a crash leaves
# its input in build-fuzz/artifacts/ and makes the script exit 1 after the other targets ran.
# Prints, per target, the time it ran and how many inputs it executed.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(stream sms capture text craft detect log hexdump input doctor table replay commands splice segment)

cxx=${VT106_FUZZ_CXX:-$(command -v clang++ || command -v clang++-14 || true)}
if [ -z "$cxx" ]; then
  echo "fuzz: clang++ not found (scripts/deps installs clang and libFuzzer)" >&2
  exit 1
fi
build=build-fuzz
cmake -S . -B "$build" -DCMAKE_CXX_COMPILER="$cxx" -DVT106_FUZZ=ON -DVT106_TESTS=OFF \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j"$(nproc 2>/dev/null || echo 2)" --target "${targets[@]/#/fuzz_}" >/dev/null

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
failed=()
for t in "${targets[@]}"; do
  work=$build/corpus/$t
  mkdir -p "$work" "$build/artifacts"
  dict=()
  words=tests/fuzz/$t.dict
  [ "$t" = text ] && words=tests/fuzz/stream.dict  # the same frames, as text
  [ -f "$words" ] && dict=(-dict="$words")
  seeds=(tests/fuzz/corpus/"$t")
  [ -d "tests/fuzz/regressions/$t" ] && seeds+=(tests/fuzz/regressions/"$t")
  log=$build/fuzz-$t.log
  start=$(date +%s)
  status=0
  # -timeout: one input taking longer than 10 s is a hang; -rss_limit_mb: memory must stay bounded.
  "$build/tests/fuzz/fuzz_$t" "$work" "${seeds[@]}" "${dict[@]}" -max_total_time="$seconds" -timeout=10 \
    -rss_limit_mb=1024 -print_final_stats=1 -artifact_prefix="$build/artifacts/$t-" >"$log" 2>&1 || status=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  echo "fuzz: $t ran $(( $(date +%s) - start )) s, ${runs:-?} inputs executed, exit status $status"
  if [ "$status" != 0 ]; then
    failed+=("$t")
    grep -E "ERROR|invariant|SUMMARY|Test unit written" "$log" | head -20 >&2 || true
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: crashes in ${failed[*]}: fix them, then add the input to tests/fuzz/regressions/TARGET/" >&2
  exit 1
fi
