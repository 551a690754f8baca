#!/usr/bin/env bash
# bench/make_capture.py: the default output is the same bytes as it always was (benchmarks stay
# comparable across versions), and --interval-us / --duration set the gap between packets and
# so the span of the capture, without changing anything else in it.
set -u
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
command -v python3 >/dev/null || fail "python3 missing (scripts/deps installs it)"
gen=bench/make_capture.py

python3 "$gen" "$work/default.pcap" --devices 40 --messages 400 --seed 7 2>/dev/null || fail "the generator failed"
# The digest of this output before --interval-us and --duration existed.
want=837033f1ebd51f0541ac2511a6767cf99231914bab8c25ac60f113fec1088668
got=$(sha256sum "$work/default.pcap" | cut -d' ' -f1)
[ "$got" = "$want" ] || fail "the default output changed: sha256 $got, not $want"
python3 "$gen" "$work/150.pcap" --devices 40 --messages 400 --seed 7 --interval-us 150 2>/dev/null
cmp -s "$work/default.pcap" "$work/150.pcap" || fail "--interval-us 150 differs from the default"

# pcap_span FILE: packets, seconds from the first to the last, and the payload bytes after the
# packet headers (which must not depend on the pace).
cat > "$work/span.py" <<'PY'
import hashlib, struct, sys
data = open(sys.argv[1], "rb").read()
at, times, digest = 24, [], hashlib.sha256()
while at < len(data):
    sec, usec, incl, _ = struct.unpack_from("<IIII", data, at)
    times.append(sec + usec / 1e6)
    digest.update(data[at + 16:at + 16 + incl])
    at += 16 + incl
print(len(times), round(times[-1] - times[0], 3), digest.hexdigest())
PY
read -r n0 span0 body0 < <(python3 "$work/span.py" "$work/default.pcap")
python3 "$gen" "$work/slow.pcap" --devices 40 --messages 400 --seed 7 --interval-us 1000 2>/dev/null
read -r n1 span1 body1 < <(python3 "$work/span.py" "$work/slow.pcap")
[ "$n1" = "$n0" ] && [ "$body1" = "$body0" ] || fail "--interval-us changed the packets, not only their times"
python3 -c "import sys; assert abs(float(sys.argv[2]) - float(sys.argv[1]) * 1000 / 150) < 0.01" "$span0" "$span1" \
  || fail "--interval-us 1000: span $span1 s, the default's was $span0 s"
python3 "$gen" "$work/ten.pcap" --devices 40 --messages 400 --seed 7 --duration 10 2>/dev/null
read -r n2 span2 body2 < <(python3 "$work/span.py" "$work/ten.pcap")
[ "$body2" = "$body0" ] || fail "--duration changed the packets, not only their times"
python3 -c "import sys; assert 8 <= float(sys.argv[1]) <= 12" "$span2" || fail "--duration 10: the capture spans $span2 s"
python3 "$gen" "$work/x.pcap" --devices 4 --messages 40 --duration 0 2>/dev/null && fail "--duration 0 accepted"
python3 "$gen" "$work/x.pcap" --devices 4 --messages 40 --interval-us 5 --duration 3 2>/dev/null && fail "both paces accepted"
echo "make_capture.py: default output unchanged; --interval-us and --duration only move the times"
