#!/usr/bin/env bash
# vt106 report in a real browser: headless Chromium loads each page from file:// (report_browser.py
# speaks its DevTools protocol) and checks the rendered page (devices, timeline items, track
# points, findings linked to their moment), that the console shows no error and that no request
# left the page; then at platform scale (2,000 devices, 1,000,000 messages): the file stays under
# 20 MB and the page lists every device. Also: what the page holds is what decode and doctor say.
set -u
bin=$(readlink -f "$1")
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
command -v python3 >/dev/null || { echo "skipped: python3 missing"; exit 77; }
[ -x /usr/bin/chromium ] || { echo "skipped: chromium missing (scripts/deps installs it)"; exit 77; }
python3 -c 'import sys; sys.path.append("/usr/lib/python3/dist-packages"); import websocket' 2>/dev/null || { echo "skipped: python3-websocket missing"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
browse() { timeout 120 python3 "$here/report_browser.py" "$@" > "$work/browser.out" 2>&1 || { cat "$work/browser.out"; fail "browser check: $*"; }; }
# The JSON a page carries (for the checks against decode and doctor).
data() { python3 - "$1" <<'PY'
import json, re, sys
page = open(sys.argv[1], encoding="utf-8").read()
m = re.search(r'<script id="vt106-data" type="application/json">(.*?)</script>', page, re.S)
print(json.dumps(json.loads(m.group(1))))
PY
}

# 1. A shipped capture with several devices, commands and replies.
"$bin" report "$root/captures/tcp-ipv4.pcap" -o "$work/tcp.html" 2> "$work/err" || fail "report exited $?: $(cat "$work/err")"
grep -q "tcp.html: 3 devices" "$work/err" || fail "summary line: $(cat "$work/err")"
! grep -qiE '(src|href)="(https?:)?//' "$work/tcp.html" || fail "the page refers to something outside it"
browse "$work/tcp.html" --expect-devices 3
data "$work/tcp.html" > "$work/tcp.json"
"$bin" decode "$root/captures/tcp-ipv4.pcap" > "$work/tcp.ndjson"
python3 - "$work/tcp.json" "$work/tcp.ndjson" <<'PY' || fail "the page's data differs from decode's records"
import json, sys
d = json.load(open(sys.argv[1]))
recs = [json.loads(l) for l in open(sys.argv[2])]
for dev in d["devices"]:
    up = [r for r in recs if r["kind"] == "message" and r.get("imei") == dev["id"] and r["dir"] == "up"]
    down = [r for r in recs if r["kind"] == "message" and r.get("imei") == dev["id"] and r["dir"] == "down"]
    n = sum(v for k, v in dev["counts"].items() if k != "error")
    assert n == len(up) + len(down), (dev["id"], n, len(up), len(down))
    assert len(dev["commands"]) == len(down), dev["id"]
    fixes = [r for r in up if "lat" in r and not (r["lat"] == 0 and r["lon"] == 0)]
    assert dev["track_total"] == len(fixes), (dev["id"], dev["track_total"], len(fixes))
    assert dev["connections"], dev["id"]
print("data ok")
PY

# Hand-made data with hostile text (markup in an error message, a device without fixes) drawn as text.
browse "$work/sample.html" --data "$root/tests/data/report/sample.json" --template "$root/lib/vt106/report/page.html" --expect-devices 3

# 2. The doctor's platform capture: findings linked to the timeline, one device opened by name;
#    the page printed to A4.
"$bin" report "$root/captures/doctor/platform.pcap" -o "$work/platform.html" 2> "$work/err" || true
[ -s "$work/platform.html" ] || fail "no page for the platform capture: $(cat "$work/err")"
devices=$(data "$work/platform.html" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["devices"]))')
browse "$work/platform.html" --expect-devices "$devices" --pdf "$work/platform.pdf"
[ -s "$work/platform.pdf" ] || fail "no PDF"

# 3. --imei keeps one device; an identifier no device sends is said, exit 1.
"$bin" report "$root/captures/tcp-ipv4.pcap" --imei 867648040000018 -o "$work/one.html" 2>/dev/null
n=$(data "$work/one.html" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["devices"]))')
[ "$n" = 1 ] || fail "--imei kept $n devices"
"$bin" report "$root/captures/tcp-ipv4.pcap" --imei 867648040000000 -o "$work/none.html" 2> "$work/err"; st=$?
[ "$st" = 1 ] && grep -q "867648040000000: no device in the input sends it" "$work/err" || fail "unknown --imei: exit $st, $(cat "$work/err")"
"$bin" report /nonexistent.pcap -o "$work/x.html" 2> "$work/err"; st=$?
[ "$st" = 1 ] && [ ! -e "$work/x.html" ] || fail "a missing input: exit $st"

# 4. Platform scale: 2,000 devices, 1,000,000 messages.
python3 "$root/bench/make_capture.py" "$work/big.pcap" --devices 2000 --messages 1000000 --udp-share 0 2>/dev/null || fail "generator"
"$bin" report "$work/big.pcap" -o "$work/big.html" 2> "$work/err" || fail "report of the big capture: $(cat "$work/err")"
size=$(stat -c %s "$work/big.html")
[ "$size" -lt 20000000 ] || fail "the page is $size bytes, over 20 MB"
browse "$work/big.html" --expect-devices 2000
echo "report: pages checked in Chromium (3 devices, the platform capture, 2,000 devices in $size bytes)"
