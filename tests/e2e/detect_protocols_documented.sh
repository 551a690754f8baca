#!/usr/bin/env bash
# Every protocol `vt106 detect --list` knows is in docs/protocols.md, which is what
# docs/make_protocols.py generates from the binary and the protocol table (so it is current);
# every protocol of a code probe has an entry in man/vt106-detect.1 with its default port; the
# bash completion completes the detect subcommand and its options.
set -u
bin=$1
fail=0
man=man/vt106-detect.1
list=$("$bin" detect --list --format text) || { echo "vt106 detect --list failed"; exit 1; }
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
python3 docs/make_protocols.py "$bin" "$tmp" || { echo "docs/make_protocols.py failed"; exit 1; }
diff -u docs/protocols.md "$tmp" > /dev/null || { echo "docs/protocols.md is not current: run docs/make_protocols.py $bin"; diff -u docs/protocols.md "$tmp" | head -20; fail=1; }
table=$("$bin" detect --list | python3 -c 'import json,sys; print("\n".join(r["protocol"] for r in map(json.loads, sys.stdin) if r.get("family") == "table"))')
while read -r name category port transport _; do
  grep -qx "$name" <<<"$table" && continue  # described in docs/protocols.md from the table
  if [ "$port" = - ]; then want="^\\.BR $name \" ($transport)\"\$"; else want="^\\.BR $name \" ($port, $transport)\"\$"; fi
  grep -q -- "$want" "$man" || { echo "$man lacks an entry '.BR $name \" ($port, $transport)\"'"; fail=1; }
done <<< "$list"
got=$(bash -c 'source completions/vt106.bash; COMP_WORDS=(vt106 det); COMP_CWORD=1; _vt106; echo "${COMPREPLY[*]}"')
[ "$got" = detect ] || { echo "bash completion of 'vt106 det' gave '$got'"; fail=1; }
got=$(bash -c 'source completions/vt106.bash; COMP_WORDS=(vt106 detect --trans); COMP_CWORD=2; _vt106; echo "${COMPREPLY[*]}"')
[ "$got" = --transport ] || { echo "bash completion of 'vt106 detect --trans' gave '$got'"; fail=1; }
[ $fail = 0 ] && echo "man/vt106-detect.1 documents all $(printf '%s\n' "$list" | wc -l) protocols"
exit $fail
