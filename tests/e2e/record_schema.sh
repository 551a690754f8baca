#!/usr/bin/env bash
# Every record vt106 writes validates against schema/record.schema.json: the NDJSON and JSON of
# every golden case, and the records of every shipped capture and sample file (with --flows).
set -u
bin=$1
python3 -c 'import jsonschema' 2>/dev/null || { echo "python3-jsonschema is missing (scripts/deps installs it)"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for input in captures/*.pcap captures/*.pcapng; do
  "$bin" decode --flows "$input" > "$tmp/$(basename "$input").ndjson" 2>/dev/null
done
"$bin" decode tests/data/frames.txt > "$tmp/frames.ndjson"
tail -n +2 tests/data/gotop-samples.tsv | cut -f1 | "$bin" decode - > "$tmp/samples.ndjson"
"$bin" decode --format json --flows captures/mixed.pcapng > "$tmp/mixed.json"
# Real inputs: the dumps the real tools made, platform logs made from a capture's records (Traccar's
# layout and a prefixed one, with a session of another protocol), several inputs at once.
for dump in tests/data/dumps/*.*; do
  case $dump in *.md|*.sh) continue ;; esac
  "$bin" decode --flows "$dump" > "$tmp/dump-$(basename "$dump").ndjson" 2>/dev/null
done
logs=$(mktemp -d)
trap 'rm -rf "$tmp" "$logs"' EXIT
"$bin" decode captures/tcp-ipv4.pcap captures/udp.pcap > "$logs/records.ndjson"
python3 bench/make_logs.py "$logs/records.ndjson" "$logs/tracker-server.log" "$logs/server.log" > /dev/null
printf '2026-12-01 10:00:00  INFO: [T0badcafe: gt06 < 10.0.0.9] 78780d010352887071911998000479d00d0a\n' >> "$logs/tracker-server.log"
"$bin" decode --flows "$logs/tracker-server.log" > "$tmp/traccar.ndjson"
"$bin" decode --flows "$logs/server.log" "$logs/tracker-server.log" captures/tcp-ipv4.pcap > "$tmp/several.ndjson"
grep -q '"kind":"foreign"' "$tmp/traccar.ndjson" || { echo "no foreign record from the Traccar log"; exit 1; }
grep -q '"input":' "$tmp/several.ndjson" || { echo "no input field with several inputs"; exit 1; }
python3 - "$tmp" <<'PY'
import json, pathlib, sys
import jsonschema

schema = json.loads(pathlib.Path("schema/record.schema.json").read_text())
jsonschema.Draft202012Validator.check_schema(schema)
validator = jsonschema.Draft202012Validator(schema)

def values(text):
    """The JSON values of a file: NDJSON lines, --pretty records or one --format json array."""
    decoder, i, out = json.JSONDecoder(), 0, []
    while True:
        while i < len(text) and text[i].isspace():
            i += 1
        if i == len(text):
            return out
        value, i = decoder.raw_decode(text, i)
        out.extend(value if isinstance(value, list) else [value])

def record_outputs():
    for out in sorted(pathlib.Path("tests/golden/cases").glob("*.out")):
        args = out.with_suffix(".cmd").read_text().split("\n")
        if args[0] not in ("decode", "capture", "listen", "craft"):
            continue  # detect verdicts and doctor findings are other records
        fmt = args[args.index("--format") + 1] if "--format" in args else "ndjson"
        if args[0] in ("decode", "capture") and fmt not in ("ndjson", "json"):
            continue  # csv, table and the maps are checked by their own consumers
        text = out.read_text(encoding="utf-8")
        if text.lstrip()[:1] in ("{", "["):
            yield out, text
    for out in sorted(pathlib.Path(sys.argv[1]).iterdir()):
        yield out, out.read_text(encoding="utf-8")

checked, failed = 0, 0
for path, text in record_outputs():
    for n, record in enumerate(values(text), 1):
        checked += 1
        for error in validator.iter_errors(record):
            failed += 1
            print(f"{path} record {n}: {error.message} at {'/'.join(map(str, error.absolute_path))}")

# The schema has teeth: an unknown field and a wrong type are refused.
bad = {"kind": "message", "protocol": "gotop", "dir": "up", "event": "position", "raw": "#1#", "lat": "51"}
assert not validator.is_valid(bad)
assert not validator.is_valid({"kind": "error", "code": "junk", "message": "m", "colour": "red"})
if checked < 100:
    print(f"only {checked} records found")
    sys.exit(1)
print(f"{checked} records validate against schema/record.schema.json" if not failed else f"{failed} problems")
sys.exit(1 if failed else 0)
PY
