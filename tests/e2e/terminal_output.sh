#!/usr/bin/env bash
# What vt106 writes for a person at a terminal, and only then: the progress line and the summary
# on stderr (the progress line only where it cannot mix with the records), colours in tables
# (never with NO_COLOR), tables as wide as the terminal. Terminals are made with script(1).
set -u
bin=$(realpath "$1")
command -v script >/dev/null || { echo "script (util-linux) is missing"; exit 77; }
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
capture=captures/tcp-ipv4.pcap
esc=$'\033'

# Redirected: stderr stays empty (no progress bytes, no summary), tables have no colours.
"$bin" decode "$capture" > "$tmp/out" 2> "$tmp/err"
[ -s "$tmp/err" ] && { echo "stderr not empty when redirected: $(od -c "$tmp/err" | head -3)"; fail=1; }
"$bin" decode --format table "$capture" > "$tmp/out" 2> "$tmp/err"
grep -q "$esc" "$tmp/out" "$tmp/err" && { echo "escape sequences in redirected table output"; fail=1; }

on_terminal() {  # on_terminal FILE COMMAND: runs COMMAND with stdin, stdout and stderr on a terminal
  local file=$1; shift
  script -qefc "$*" /dev/null < /dev/null > "$file" 2>&1
}

# A table on a terminal is coloured (yellow invalid fixes, red errors), unless NO_COLOR is set.
on_terminal "$tmp/tty" "'$bin' decode --format table --text '#1#' $capture"
grep -q "${esc}\[33mno${esc}\[0m" "$tmp/tty" || { echo "no yellow invalid fix in a table on a terminal"; fail=1; }
grep -q "${esc}\[33myes" "$tmp/tty" && { echo "a valid fix in yellow"; fail=1; }
grep -q "${esc}\[31merror${esc}\[0m" "$tmp/tty" || { echo "no red error in a table on a terminal"; fail=1; }
on_terminal "$tmp/tty" "NO_COLOR=1 '$bin' decode --format table --text '#1#' $capture"
grep -q "${esc}\[3" "$tmp/tty" && { echo "colours with NO_COLOR=1"; fail=1; }
grep -q "867648040000018" "$tmp/tty" || { echo "no table on the terminal"; fail=1; }

# The summary line on a terminal; -q turns it off.
on_terminal "$tmp/tty" "'$bin' decode $capture > '$tmp/out'"
grep -q "vt106 decode: 16 messages from 3 devices, 0 errors" "$tmp/tty" || { echo "no summary: $(cat "$tmp/tty")"; fail=1; }
cmp -s "$tmp/out" tests/golden/cases/capture-tcp-ipv4.out || { echo "records differ on a terminal"; fail=1; }
on_terminal "$tmp/tty" "NO_COLOR=1 '$bin' decode --text '#1#' > /dev/null"
grep -q "1 error" "$tmp/tty" || { echo "no summary with an error: $(cat "$tmp/tty")"; fail=1; }
grep -q "$esc" "$tmp/tty" && { echo "a coloured summary with NO_COLOR=1"; fail=1; }
on_terminal "$tmp/tty" "'$bin' decode -q $capture > /dev/null"
[ -s "$tmp/tty" ] && { echo "output on the terminal with -q: $(cat "$tmp/tty")"; fail=1; }

# A read that takes more than half a second shows the progress line and erases it at the end.
slow="(head -c 2000 $capture; sleep 1.5; tail -c +2001 $capture)"
on_terminal "$tmp/tty" "$slow | '$bin' decode - > '$tmp/out'"
grep -q $'\rstandard input  [0-9]* messages  [0-9]* messages/s' "$tmp/tty" ||
  { echo "no progress line during a slow read: $(od -c "$tmp/tty" | head)"; fail=1; }
grep -q $'\r'"${esc}\[K" "$tmp/tty" || { echo "the progress line was not erased"; fail=1; }
cmp -s "$tmp/out" tests/golden/cases/capture-tcp-ipv4.out || { echo "records differ with a progress line"; fail=1; }
on_terminal "$tmp/tty" "$slow | '$bin' decode -q - > '$tmp/out'"
[ -s "$tmp/tty" ] && { echo "a progress line with -q"; fail=1; }
# Records going to the terminal themselves: no progress line over them.
on_terminal "$tmp/tty" "$slow | '$bin' decode -"
grep -q "messages/s" "$tmp/tty" && { echo "a progress line over records on the terminal"; fail=1; }
# Records going into a pipe whose reader prints on the same terminal (jq): no progress line either.
on_terminal "$tmp/tty" "$slow | '$bin' decode - | cat > '$tmp/out'"
grep -q "messages/s" "$tmp/tty" && { echo "a progress line while the records go into a pipe"; fail=1; }
cmp -s "$tmp/out" tests/golden/cases/capture-tcp-ipv4.out || { echo "records differ through a pipe"; fail=1; }

# A table fits the terminal: no line wider than it, whatever the records (errors, foreign flows,
# flow summaries); the most useful columns kept; --columns chooses them; redirected, rows are whole.
longest() { sed -e $'s/\r$//' -e "s/${esc}\[[0-9;]*m//g" "$1" | awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }'; }
for cols in 50 80 100 132; do
  for f in captures/*.pcap captures/*.pcapng; do
    on_terminal "$tmp/tty" "stty cols $cols rows 40; NO_COLOR=1 '$bin' decode --format table --flows $f 2>/dev/null"
    [ "$(longest "$tmp/tty")" -le "$cols" ] || { echo "table wider than $cols columns for $f: $(longest "$tmp/tty")"; fail=1; }
  done
done
on_terminal "$tmp/tty" "stty cols 80 rows 40; NO_COLOR=1 '$bin' decode --format table $capture"
head -1 "$tmp/tty" | grep -q "^TIME  *IMEI  *EVENT .*DETAIL" || { echo "80 columns: not TIME, IMEI, EVENT, DETAIL: $(head -1 "$tmp/tty")"; fail=1; }
on_terminal "$tmp/tty" "stty cols 200 rows 40; NO_COLOR=1 '$bin' decode --format table $capture"
head -1 "$tmp/tty" | grep -q "^TIME  *DIR  *IMEI  *EVENT  *VALID  *FIX TIME  *LAT  *LON  *KM/H  *BAT  *GSM  *DETAIL" ||
  { echo "200 columns: not every column: $(head -1 "$tmp/tty")"; fail=1; }
on_terminal "$tmp/tty" "stty cols 60 rows 40; NO_COLOR=1 '$bin' decode --format table --columns imei,lat,lon $capture"
[ "$(head -1 "$tmp/tty" | tr -s ' ' | tr -d '\r')" = "IMEI LAT LON" ] || { echo "--columns imei,lat,lon: $(head -1 "$tmp/tty")"; fail=1; }
"$bin" decode --format table "$capture" > "$tmp/out"
head -1 "$tmp/out" | grep -q "GSM  DETAIL" || { echo "redirected table lacks columns: $(head -1 "$tmp/out")"; fail=1; }
"$bin" decode --format table --columns time,event "$capture" > "$tmp/out"
[ "$(head -1 "$tmp/out" | tr -s ' ')" = "TIME EVENT" ] || { echo "redirected --columns time,event: $(head -1 "$tmp/out")"; fail=1; }

[ $fail = 0 ] && echo "progress, summary and colours only on a terminal, none with -q or NO_COLOR; tables fit the terminal"
exit $fail
