#!/usr/bin/env bash
# Command-line mistakes are told in vt106's own words, on standard error, with exit status 2 and
# nothing on standard output: the misspelt subcommand, option or value with what was most likely
# meant, the valid choices, ranges, and missing values.
set -u
bin=$(readlink -f "$1")
here=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
n=0
# says EXPECTED-TEXT ARGS...: exit 2, nothing on stdout, stderr is one line holding the text.
says() {
  local want=$1; shift
  "$bin" "$@" > "$work/out" 2> "$work/err" < /dev/null; local s=$?
  [ "$s" = 2 ] || fail "vt106 $*: exit status $s, expected 2 ($(cat "$work/err"))"
  [ -s "$work/out" ] && fail "vt106 $*: wrote to standard output: $(head -c 200 "$work/out")"
  [ "$(wc -l < "$work/err")" = 1 ] || fail "vt106 $*: $(wc -l < "$work/err") lines on stderr, expected one: $(cat "$work/err")"
  grep -qF -- "$want" "$work/err" || fail "vt106 $*: stderr lacks '$want': $(cat "$work/err")"
  grep -q "Run with --help" "$work/err" && fail "vt106 $*: the parser's own text: $(cat "$work/err")"
  n=$((n + 1))
}
cap=$here/captures/tcp-ipv4.pcap
says "vt106: give a subcommand: decode" 
says "'decod' is not a subcommand of vt106; did you mean 'decode'?" decod "$cap"
says "did you mean 'doctor'?" dcotor "$cap"
says "(the subcommands: decode, capture" frobnicate
says "vt106 craft: 'trak' is not a subcommand of vt106 craft; did you mean 'track'?" craft trak 30s
says "vt106: unknown option '--foo'" --foo
says "vt106 decode: unknown option '--formt'; did you mean '--format'?" decode --formt csv "$cap"
says "unknown option '--formt'; did you mean '--format'?" decode --formt=csv "$cap"
says "vt106 replay: unknown option '--sped'; did you mean '--speed'?" replay "$cap" --to 127.0.0.1:9 --sped 2
says "vt106 decode: --format 'cvs' is not one of ndjson, json, csv, table, geojson, gpx, kml; did you mean 'csv'?" decode --format cvs "$cap"
says "vt106 doctor: --format 'txt' is not one of text, ndjson, json; did you mean 'text'?" doctor --format txt "$cap"
says "vt106 decode: --event 'sso' is not an event; did you mean 'sos'?" decode --event sso "$cap"
says "vt106 capture: --event 'hartbeat' is not an event; did you mean 'heartbeat'?" capture -i lo --event hartbeat
says "vt106 replay: --speed '-1' is out of range: it goes from 0.000001 to 1000000000" replay "$cap" --to 127.0.0.1:9 --speed -1
says "vt106 replay: --speed 'fast' is not a number" replay "$cap" --to 127.0.0.1:9 --speed fast
says "vt106 decode: --jobs '0' is out of range: it goes from 1 to 256" decode -j 0 "$cap"
says "vt106 decode: --format needs a value: one of ndjson, json" decode "$cap" --format
says "vt106 replay: --to needs a value (HOST:PORT)" replay "$cap" --to
says "vt106 listen: --port '99999' is not a valid" listen --port 99999
says "vt106 craft track: INTERVAL is required" craft track
says "vt106 craft track: unexpected argument 'extra'" craft track 30s extra
says "vt106 help: no subcommand 'dcode'; did you mean 'decode'?" help dcode
says "vt106 craft gprs: 'of' is not allowed: on or off; did you mean 'off'?" craft gprs of
says "vt106 craft obd-request: 'vn' is not allowed: vin, vin-legacy or odometer; did you mean 'vin'?" craft obd-request vn
says "vt106 decode: --columns: 'evnt' is not a column; did you mean 'event'?" decode --format table --columns imei,evnt "$cap"
says "vt106 decode: --device-tz 'eight' is not a UTC offset" decode --device-tz eight "$cap"
# The offsets people write are all accepted, and mean the same.
for tz in 8 +8 +08 +08:00 +0800 UTC+8; do
  "$bin" decode --device-tz "$tz" "$cap" > "$work/tz-$tz" 2>/dev/null || fail "--device-tz $tz was refused"
  cmp -s "$work/tz-8" "$work/tz-$tz" || fail "--device-tz $tz decodes differently from 8"
done
for tz in -0530 -05:30 -5:30 UTC-05:30; do
  "$bin" decode --device-tz "$tz" "$cap" > "$work/tzw" 2>/dev/null || fail "--device-tz $tz was refused"
  "$bin" decode --device-tz -0530 "$cap" | cmp -s - "$work/tzw" || fail "--device-tz $tz decodes differently from -0530"
done
# --help and --version still go to standard output with status 0.
"$bin" decode --help > "$work/out" 2>&1 && grep -q -- "--format" "$work/out" || fail "decode --help"
"$bin" --version | grep -q "^vt106 " || fail "--version"
echo "usage errors: $n mistakes told in vt106's words with exit status 2; ten spellings of a UTC offset accepted"
