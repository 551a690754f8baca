#!/usr/bin/env bash
# Runs one golden CLI case: CASE.cmd holds the arguments, one per line; CASE.stdin (optional) is
# fed on standard input; stdout must equal CASE.out and the exit status CASE.status (default 0).
# Set VT106_GOLDEN_UPDATE=1 to rewrite CASE.out from the current output after review.
set -u
bin=$1 case=$2
base=${case%.cmd}
mapfile -t args < "$case"
stdin=/dev/null
[ -f "$base.stdin" ] && stdin=$base.stdin
want_status=0
[ -f "$base.status" ] && want_status=$(cat "$base.status")
got=$(mktemp) err=$(mktemp)
trap 'rm -f "$got" "$err"' EXIT
"$bin" "${args[@]}" < "$stdin" > "$got" 2> "$err"
status=$?
if [ "${VT106_GOLDEN_UPDATE:-}" = 1 ]; then cp "$got" "$base.out"; fi
fail=0
if [ "$status" != "$want_status" ]; then
  echo "exit status $status, expected $want_status"; fail=1
fi
if ! diff -u "$base.out" "$got"; then fail=1; fi
if [ -f "$base.err" ] && ! grep -qF -f "$base.err" "$err"; then
  echo "stderr does not contain: $(cat "$base.err")"; echo "stderr was:"; cat "$err"; fail=1
fi
[ $fail = 0 ] || { echo "--- stderr"; cat "$err"; }
exit $fail
