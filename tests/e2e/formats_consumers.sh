#!/usr/bin/env bash
# Every output format is accepted by the tool people read it with: jq for json and geojson,
# xmllint for gpx and kml, Python's csv module for csv; on every shipped capture, on the golden
# outputs, and on frames full of characters that each format must escape.
set -u
bin=$1
for tool in jq xmllint python3; do
  command -v "$tool" >/dev/null || { echo "$tool is missing (scripts/deps installs it)"; exit 77; }
done
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The consumer of each format; $1 is a file holding the output, $2 the NDJSON of the same input.
check_json() { jq -e 'type == "array" and all(.[]; .kind == "message" or .kind == "error" or .kind == "flow" or .kind == "foreign")' "$1" >/dev/null &&
  [ "$(jq length "$1")" = "$(grep -c . "$2")" ]; }
check_geojson() { jq -e '.type == "FeatureCollection" and all(.features[];
  .type == "Feature" and (.geometry.type == "Point" or (.geometry.type == "LineString" and (.geometry.coordinates | length) >= 2))
  and all(.geometry.coordinates | flatten[]; type == "number"))' "$1" >/dev/null; }
check_gpx() { xmllint --noout "$1"; }
check_kml() { xmllint --noout "$1"; }
check_csv() {
  python3 - "$1" "$2" <<'PY'
import csv, sys
with open(sys.argv[1], newline="", encoding="utf-8") as f:
    rows = list(csv.reader(f, strict=True))
header = rows[0]
assert header[:3] == ["kind", "ts", "dir"] and header[-1] == "raw_hex", header
assert all(len(r) == len(header) for r in rows), "a row with another number of fields"
with open(sys.argv[2], encoding="utf-8") as f:
    records = sum(1 for line in f if line.strip())
assert len(rows) - 1 == records, f"{len(rows) - 1} rows for {records} records"
PY
}

run() {  # run NAME ARGS...: every format of one input through its consumer
  local name=$1; shift
  "$bin" decode "$@" > "$tmp/ndjson" 2>/dev/null
  for format in json geojson gpx kml csv; do
    "$bin" decode --format "$format" "$@" > "$tmp/out" 2>/dev/null
    "check_$format" "$tmp/out" "$tmp/ndjson" || { echo "$name: --format $format is not accepted by its consumer"; fail=1; }
  done
}

for capture in captures/*.pcap captures/*.pcapng; do run "$capture" "$capture"; done
run "flows" --flows captures/tcp-ipv4.pcap
fix='DATE:240813,TIME:101500,LAT:51.5000000N,LOT:000.1000000W,Speed:030.0,80-20,090'
run "escaping" --text $'#353327020412763,CMD-<&"\'\x01\xff>,A,'"$fix"$'##junk, "with" \x1b[2J quotes\r\n#' \
  --text "#353327020412763,CMD-T,V,$fix#"

# Golden cases are "decode --format FORMAT ARGS...": the same ARGS without it give the NDJSON.
for golden in tests/golden/cases/format-*.out; do
  mapfile -t args < "${golden%.out}.cmd"
  format=${args[2]}
  declare -F "check_$format" >/dev/null || continue  # table (for people) and the refused format
  "$bin" "${args[0]}" "${args[@]:3}" > "$tmp/ndjson" 2>/dev/null
  "check_$format" "$golden" "$tmp/ndjson" || { echo "$golden is not accepted by its consumer"; fail=1; }
done
[ $fail = 0 ] && echo "every format is read back by jq, xmllint or csv"
exit $fail
