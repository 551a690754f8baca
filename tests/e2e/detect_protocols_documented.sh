#!/usr/bin/env bash
# Every protocol `vt106 detect --list` knows has an entry in man/vt106-detect.1 with its default
# port, and the bash completion completes the detect subcommand and its options.
set -u
bin=$1
fail=0
man=man/vt106-detect.1
list=$("$bin" detect --list --format text) || { echo "vt106 detect --list failed"; exit 1; }
[ "$(printf '%s\n' "$list" | grep -c ' tracker ')" = 55 ] || { echo "expected 55 tracker protocols"; fail=1; }
while read -r name category port transport _; do
  if [ "$port" = - ]; then want="^\\.BR $name \" ($transport)\"\$"; else want="^\\.BR $name \" ($port, $transport)\"\$"; fi
  grep -q -- "$want" "$man" || { echo "$man lacks an entry '.BR $name \" ($port, $transport)\"'"; fail=1; }
done <<< "$list"
got=$(bash -c 'source completions/vt106.bash; COMP_WORDS=(vt106 det); COMP_CWORD=1; _vt106; echo "${COMPREPLY[*]}"')
[ "$got" = detect ] || { echo "bash completion of 'vt106 det' gave '$got'"; fail=1; }
got=$(bash -c 'source completions/vt106.bash; COMP_WORDS=(vt106 detect --trans); COMP_CWORD=2; _vt106; echo "${COMPREPLY[*]}"')
[ "$got" = --transport ] || { echo "bash completion of 'vt106 detect --trans' gave '$got'"; fail=1; }
[ $fail = 0 ] && echo "man/vt106-detect.1 documents all $(printf '%s\n' "$list" | wc -l) protocols"
exit $fail
