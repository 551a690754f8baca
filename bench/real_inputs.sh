#!/usr/bin/env bash
# Throughput of the real-input readers next to capture decoding, in one run on one machine:
# Traccar's log and a prefixed server log (one line per message of a generated capture), an xxd
# dump of a capture and a tcpdump -tttt -XX dump, each against the reference tool that reads the
# same text (grep for the logs, xxd -r for the xxd dump) and against vt106 decoding the capture.
# The reference tools write into a pipe: GNU grep stops at the first match when its output is
# /dev/null.
#
#   bench/real_inputs.sh [MESSAGES] [DEVICES] [RUNS]      defaults: 1000000 2000 3
#
# Writes bench/REAL_INPUTS.md (and prints it): median wall time of RUNS runs, MB/s of input,
# messages/s, peak RSS. Dumps are made of a capture a tenth the size (xxd output is 4× its input).
set -euo pipefail
cd "$(dirname "$0")/.."
messages=${1:-1000000} devices=${2:-2000} runs=${3:-3}
work=${BENCH_DIR:-$(mktemp -d)}
trap '[ -z "${BENCH_DIR:-}" ] && rm -rf "$work"' EXIT
for tool in tcpdump xxd python3; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is needed (scripts/deps installs it)" >&2; exit 1; }
done

cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DVT106_TESTS=OFF >/dev/null
cmake --build build-bench -j"$(nproc)" --target vt106 >/dev/null
vt106=$PWD/build-bench/vt106

python3 bench/make_capture.py "$work/cap.pcap" --messages "$messages" --devices "$devices" 2>/dev/null
"$vt106" decode "$work/cap.pcap" > "$work/records.ndjson"
lines=$(python3 bench/make_logs.py "$work/records.ndjson" "$work/tracker-server.log" "$work/server.log")
small=$((messages / 10))
python3 bench/make_capture.py "$work/small.pcap" --messages "$small" --devices "$devices" 2>/dev/null
small_msgs=$("$vt106" decode "$work/small.pcap" | grep -c '"kind":"message"')
xxd "$work/small.pcap" > "$work/small.xxd"
TZ=UTC tcpdump -r "$work/small.pcap" -tttt -XX 2>/dev/null > "$work/small.tcpdump"
rm -f "$work/records.ndjson"
sync
cat "$work"/* > /dev/null

: > "$work/results.txt"
measure() {  # NAME INPUT MESSAGES COMMAND...
  local name=$1 input=$2 msgs=$3; shift 3
  local times=() rss=0
  for _ in $(seq "$runs"); do
    sync
    local t0 t1
    t0=$(date +%s%N)
    /usr/bin/time -f "%M" -o "$work/time.txt" bash -c "$*" >/dev/null 2>"$work/stderr.txt" ||
      { echo "bench: '$*' failed:" >&2; cat "$work/stderr.txt" >&2; exit 1; }
    t1=$(date +%s%N)
    times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')")
    m=$(tail -n 1 "$work/time.txt")
    [ "$m" -gt "$rss" ] && rss=$m
  done
  local med
  med=$(printf '%s\n' "${times[@]}" | sort -g | awk -v n="$runs" 'NR==int((n+1)/2)')
  echo "$name $med $(stat -c %s "$input") $msgs $rss" >> "$work/results.txt"
}

check() {  # INPUT EXPECTED: vt106 decodes every message of it
  local got
  got=$("$vt106" decode "$1" | grep -c '"kind":"message"' || true)
  [ "$got" = "$2" ] || { echo "bench: $1 gave $got messages, expected $2" >&2; exit 1; }
}
check "$work/tracker-server.log" "$lines"
check "$work/server.log" "$lines"
check "$work/small.xxd" "$small_msgs"
check "$work/small.tcpdump" "$small_msgs"

measure capture "$work/cap.pcap" "$lines" "'$vt106' decode '$work/cap.pcap' > /dev/null"
measure traccar "$work/tracker-server.log" "$lines" "'$vt106' decode '$work/tracker-server.log' > /dev/null"
measure traccar_grep "$work/tracker-server.log" "$lines" "grep ' gotop ' '$work/tracker-server.log' | wc -l"
measure server "$work/server.log" "$lines" "'$vt106' decode '$work/server.log' > /dev/null"
measure server_grep "$work/server.log" "$lines" "grep -o '#[^#]*#' '$work/server.log' | wc -l"
measure xxd_dump "$work/small.xxd" "$small_msgs" "'$vt106' decode '$work/small.xxd' > /dev/null"
measure xxd_revert "$work/small.xxd" "$small_msgs" "xxd -r '$work/small.xxd' | wc -c"
measure small_capture "$work/small.pcap" "$small_msgs" "'$vt106' decode '$work/small.pcap' > /dev/null"
measure tcpdump_dump "$work/small.tcpdump" "$small_msgs" "'$vt106' decode '$work/small.tcpdump' > /dev/null"

get() { awk -v n="$1" -v f="$2" '$1==n {print $f}' "$work/results.txt"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a / b }'; }
row() {
  local name=$1 label=$2
  awk -v l="$label" -v t="$(get "$name" 2)" -v b="$(get "$name" 3)" -v m="$(get "$name" 4)" -v r="$(get "$name" 5)" \
    'BEGIN { printf "| %s | %.3f | %.1f | %.0f | %.0f | %.1f |\n", l, t, b / 1e6, b / t / 1e6, m / t, r / 1024 }'
}
cpu=$(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -1)
{
cat <<REPORT
# Real inputs: throughput

Written by \`bench/real_inputs.sh $messages $devices $runs\` on $(date -u +%Y-%m-%d) ($(git rev-parse --short HEAD 2>/dev/null || echo "no git")):
$(nproc) cores ($cpu). Median wall time of $runs runs, input in the page cache, output to /dev/null.
The logs have one line per message of the generated capture ($lines lines, \`bench/make_logs.py\`); the
dumps are of a capture of $small messages (\`xxd\`, \`tcpdump -r -tttt -XX\`). Every vt106 run was first
checked to decode every message.

| command | median s | input MB | input MB/s | messages/s | peak RSS MB |
|---|---:|---:|---:|---:|---:|
REPORT
row capture "\`vt106 decode capture.pcap\`"
row traccar "\`vt106 decode tracker-server.log\`"
row traccar_grep "\`grep ' gotop ' tracker-server.log \\| wc -l\` (reference: the session lines picked out)"
row server "\`vt106 decode server.log\`"
row server_grep "\`grep -o '#[^#]*#' server.log \\| wc -l\` (reference: frames cut out)"
row small_capture "\`vt106 decode small.pcap\`"
row xxd_dump "\`vt106 decode small.xxd\`"
row xxd_revert "\`xxd -r small.xxd \\| wc -c\` (reference: the dump back to bytes)"
row tcpdump_dump "\`vt106 decode small.tcpdump\` (tcpdump -tttt -XX)"
cat <<REPORT

- Traccar log: $(ratio "$(get traccar 2)" "$(get traccar_grep 2)")× the time of grep's scan of it; $(ratio "$(get traccar 2)" "$(get capture 2)")× the time of decoding the capture it came from.
- Server log: $(ratio "$(get server 2)" "$(get server_grep 2)")× the time of grep cutting the frames out; $(ratio "$(get server 2)" "$(get capture 2)")× the capture.
- xxd dump: $(ratio "$(get xxd_dump 2)" "$(get xxd_revert 2)")× the time of \`xxd -r\`; $(ratio "$(get xxd_dump 2)" "$(get small_capture 2)")× decoding the capture itself.
- tcpdump -XX dump: $(ratio "$(get tcpdump_dump 2)" "$(get small_capture 2)")× decoding the capture itself.
REPORT
} > bench/REAL_INPUTS.md
cat bench/REAL_INPUTS.md
