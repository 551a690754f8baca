#!/usr/bin/env bash
# The jq cookbook in README.md works: every command of its block runs on docs/drive.pcap (for
# "the last hour", the hour before 08:40 on the day of that drive, which holds its SOS) and gives
# the answers expected.
set -u
bin=$1
command -v jq >/dev/null || { echo "jq is missing (scripts/deps installs it)"; exit 77; }
fail=0
block=$(sed -n '/^<!-- cookbook/,/^<!-- end of cookbook/p' README.md | sed '1,2d;$d' | sed '$d')
[ -n "$block" ] || { echo "no cookbook block in README.md"; exit 1; }
answers=()
command=
run() {
  [ -n "$command" ] || return
  command=${command//platform.pcap/docs/drive.pcap}
  command=${command//1 hour ago/2024-08-13T08:40:00Z 1 hour ago}
  local out
  out=$(set -o pipefail; PATH="$(dirname "$bin"):$PATH" bash -c "$command" 2>&1) || { echo "failed: $command"; echo "$out"; fail=1; }
  answers+=("$out")
  command=
}
while IFS= read -r line; do
  case $line in
    '#'*) ;;
    '') run ;;
    *) command+="$line"$'\n' ;;
  esac
done <<< "$block"
run
[ ${#answers[@]} = 5 ] || { echo "expected 5 cookbook commands, found ${#answers[@]}"; fail=1; }
expect() {  # expect N TEXT: answer N contains TEXT
  grep -qF -- "$2" <<< "${answers[$1]}" || { printf 'answer %s lacks "%s":\n%s\n' "$1" "$2" "${answers[$1]}"; fail=1; }
}
expect 0 '"867648040070011": {'
expect 0 '"fix_time": "2024-08-13T08:29:37Z"'
expect 1 $'867648040070011\t8 of 120 fixes invalid'
expect 2 '"event":"sos"'
expect 3 $'2 867648040070029\t2024-08-13T07:30'
[ "$(grep -c . <<< "${answers[4]}")" = 0 ] || { echo "errors in docs/drive.pcap: ${answers[4]}"; fail=1; }
[ $fail = 0 ] && echo "the README cookbook answers its questions on docs/drive.pcap"
exit $fail
