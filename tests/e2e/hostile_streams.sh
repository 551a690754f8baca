#!/usr/bin/env bash
# Hostile text streams through `vt106 decode`: a megabyte without '#' (on one line and in many
# lines), NUL bytes and bytes that are not UTF-8 in and around frames. Every output line must be
# one valid JSON object, the frames around the damage must still decode, and memory must not grow
# with the input: 16 MiB without '#' may cost at most a few MiB more than 1 MiB (GNU time).
set -u
bin=$1
fail=0
# Under ASan, freed memory waits in a quarantine (256 MB by default): measure what vt106 holds.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
frame_a='#353327020412763,CMD-X#'
frame_b='#353327020115804,CMD-T,A,DATE:090329,TIME:223252,LAT:22.7634066N,LOT:114.3964783E,Speed:000.0,84-20,000#'

python3 - "$dir" "$frame_a" "$frame_b" <<'EOF'
import random, sys
d, a, b = sys.argv[1], sys.argv[2].encode(), sys.argv[3].encode()
rnd = random.Random(106)
letters = bytes(range(0x21, 0x7f)).replace(b"#", b"")
def junk(n):
    return bytes(rnd.choice(letters) for _ in range(n))
one_line = junk(1 << 16)
open(f"{d}/mb-one-line.txt", "wb").write(a + b"\n" + one_line * 17 + b"\n" + b)
open(f"{d}/16mb-one-line.txt", "wb").write(a + b"\n" + one_line * 256 + b"\n" + b)
lines = b"".join(b"#" + junk(rnd.randint(1, 200)) + b"\n" for _ in range(11000))
open(f"{d}/mb-lines.txt", "wb").write(a + b"\n" + lines[: 1 << 20] + b"\n" + b)
nul = a + b"\0" * 5000 + b"#35332702\0\x0041276,CMD-X#" + b"\0\n\0" + b + b"\0" * 3
open(f"{d}/nul.txt", "wb").write(nul)
bad_utf8 = [b"\x80", b"\xff\xfe", b"\xc0\xaf", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xe2\x82", b"caf\xc3\xa9",
            b"\xf0\x9f\x98\x80"]
parts = [a]
for s in bad_utf8:
    parts += [b"#353327020412763,CMD-" + s + b"#", b"#" + s + b",CMD-X#", s + b"\n", b"353327020412763," + s + b"\n"]
parts.append(b)
open(f"{d}/non-utf8.txt", "wb").write(b"".join(parts))
EOF

# check FILE: every line of FILE is one JSON object of a known kind; prints the frames decoded.
check() {
  python3 - "$1" <<'EOF' || return 1
import json, sys
raws = []
for n, line in enumerate(open(sys.argv[1], "rb").read().split(b"\n")[:-1], 1):
    try:
        text = line.decode("utf-8")
        record = json.loads(text)
    except ValueError as e:
        sys.exit(f"line {n} is not valid UTF-8 JSON ({e}): {line[:200]!r}")
    if not isinstance(record, dict) or record.get("kind") not in ("message", "error"):
        sys.exit(f"line {n} is not a record: {text[:200]}")
    if record["kind"] == "message":
        raws.append(record["raw"])
print("\n".join(raws))
EOF
}

rss_kib() {  # rss_kib FILE: peak resident memory of decoding FILE, in KiB (empty without GNU time)
  [ -x /usr/bin/time ] || return 0
  /usr/bin/time -f %M -o "$dir/rss" "$bin" decode "$1" >/dev/null 2>&1
  cat "$dir/rss"
}

for input in mb-one-line mb-lines nul non-utf8; do
  "$bin" decode "$dir/$input.txt" >"$dir/$input.out" 2>"$dir/$input.err"
  status=$?
  [ $status = 0 ] || { echo "$input: exit status $status"; cat "$dir/$input.err"; fail=1; }
  raws=$(check "$dir/$input.out") || { echo "$input: $raws"; fail=1; continue; }
  [ "$(head -1 <<<"$raws")" = "$frame_a" ] || { echo "$input: the frame before the damage is missing"; fail=1; }
  [ "$(tail -1 <<<"$raws")" = "$frame_b" ] || { echo "$input: the frame after the damage is missing"; fail=1; }
done
# Standard input goes the same way (the records name the input "-").
"$bin" decode - <"$dir/non-utf8.txt" | sed "s|\"-: |\"$dir/non-utf8.txt: |" | cmp -s - "$dir/non-utf8.out" ||
  { echo "stdin: the records differ from those of the file"; fail=1; }

# A line over the line limit (1 MiB) is reported once, with its line and length, and its junk
# is one frame_too_long record; broken frames one per line are one record each.
n=$(grep -c '"code":"frame_too_long"' "$dir/mb-one-line.out")
[ "$n" = 1 ] || { echo "mb-one-line: $n frame_too_long records, expected 1"; fail=1; }
long=$(grep '"code":"line_too_long"' "$dir/mb-one-line.out")
[ "$(grep -o '"line":[0-9]*' <<<"$long")" = '"line":2' ] || { echo "mb-one-line: no line_too_long record for line 2"; fail=1; }
length=$(grep -o '"length":[0-9]*' <<<"$long" | cut -d: -f2)
[ "${length:-0}" -gt $((1 << 20)) ] || { echo "mb-one-line: length '$length', expected over 1 MiB"; fail=1; }
n=$(wc -l <"$dir/mb-lines.out")
[ "$n" -gt 10000 ] || { echo "mb-lines: only $n records"; fail=1; }
# The damaged frame inside the NUL run is reported, not dropped; invalid UTF-8 comes with raw_hex.
grep -q '"raw_hex"' "$dir/non-utf8.out" || { echo "non-utf8: no raw_hex"; fail=1; }
grep -q '"raw":"#35332702\\u0000\\u000041276,CMD-X#"' "$dir/nul.out" || { echo "nul: the frame with NULs is missing"; fail=1; }

small=$(rss_kib "$dir/mb-one-line.txt")
large=$(rss_kib "$dir/16mb-one-line.txt")
if [ -n "$small" ] && [ -n "$large" ]; then
  echo "peak RSS: 1 MiB without '#': $small KiB; 16 MiB without '#': $large KiB"
  [ $((large - small)) -lt 4096 ] || { echo "memory grows with the input: $small KiB -> $large KiB"; fail=1; }
fi
exit $fail
