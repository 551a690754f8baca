#!/usr/bin/env bash
# The GOTOP dissector in the real tshark (Debian's), loaded from the build through
# WIRESHARK_PLUGIN_DIR: on every shipped capture the messages, positions, identifiers, events,
# fix times and error codes tshark shows are those `vt106 decode` writes (tests/e2e/wireshark_compare.py);
# display filters, expert info, TCP reassembly across segments, the heuristic on a port nobody
# registered, the port preference, and foreign protocols on the shared port left alone.
# Wireshark ignores WIRESHARK_PLUGIN_DIR for root: as root, tshark runs as nobody, on copies
# of the plugin and the captures in a directory nobody can read.
set -u
bin=$(readlink -f "$1")
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=$(dirname "$bin")
plugin=$(ls "$build"/wireshark/plugins/*/epan/gotop.so 2>/dev/null | head -1)
[ -n "$plugin" ] || { echo "skipped: the plugin is not built (configure with -DVT106_WIRESHARK=ON)"; exit 77; }
command -v tshark >/dev/null || { echo "skipped: tshark missing (scripts/deps installs it)"; exit 77; }
command -v jq >/dev/null || { echo "skipped: jq missing"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"
fail() { echo "FAIL: $*"; exit 1; }
release=$(basename "$(dirname "$(dirname "$plugin")")")
mkdir -p "$work/plugins/$release/epan" "$work/captures" "$work/home"
cp "$plugin" "$work/plugins/$release/epan/"
cp "$root"/captures/*.pcap "$root"/captures/*.pcapng "$work/captures/"
chmod -R a+rX "$work"
as_user=()
if [ "$(id -u)" = 0 ]; then
  command -v setpriv >/dev/null || { echo "skipped: setpriv missing (util-linux)"; exit 77; }
  as_user=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
  chown nobody "$work/home"
fi
ts() { "${as_user[@]}" env HOME="$work/home" WIRESHARK_PLUGIN_DIR="$work/plugins" tshark "$@" 2> "$work/tshark.err"; }
cap=$work/captures

# 1. Loaded, and its fields registered under the names decode writes.
ts -G plugins | grep -q "gotop.so" || fail "tshark does not list gotop.so: $(cat "$work/tshark.err")"
ts -G fields > "$work/fields" || fail "tshark -G fields"
for f in gotop.imei gotop.type gotop.event gotop.valid gotop.fix_time gotop.lat gotop.lon gotop.speed_kmh \
         gotop.battery gotop.gsm gotop.status gotop.flags.external_power gotop.cell.mcc gotop.cell.cid \
         gotop.wifi.mac gotop.wifi.rssi gotop.command gotop.args gotop.password gotop.error; do
  grep -qP "^F\t[^\t]*\t$f\t" "$work/fields" || fail "field $f is not registered"
done
# Every key decode writes in a message record of any shipped capture is a field (nested keys
# joined with '.', list items under their list's name).
for f in "$root"/captures/*.pcap "$root"/captures/*.pcapng; do "$bin" decode "$f" 2>/dev/null; done |
  jq -r 'select(.kind=="message") | del(.kind,.protocol,.ts,.transport,.src,.dst,.flow,.offset,.raw,.raw_hex,.input,.line)
         | paths(scalars) | map(select(type=="string")) | "gotop." + join(".")' | sort -u > "$work/keys"
[ "$(wc -l < "$work/keys")" -ge 20 ] || fail "too few keys from decode: $(cat "$work/keys")"
while read -r k; do
  grep -qP "^F\t[^\t]*\t$k\t" "$work/fields" || fail "decode writes $k but the dissector has no such field"
done < "$work/keys"
grep -qP "^F\t[^\t]*\tgotop.lat\tFT_DOUBLE" "$work/fields" || fail "gotop.lat is not a number"

# 2. Every shipped capture: what tshark shows is what decode writes.
python3 "$here/wireshark_compare.py" "$bin" "$cap" "$work" "${as_user[@]}" || fail "tshark and decode differ (above)"

# 3. Display filters.
sos=$("$bin" decode "$cap/tcp-ipv4.pcap" | jq -r 'select(.event=="sos") | .imei' | wc -l)
got=$(ts -r "$cap/tcp-ipv4.pcap" -Y 'gotop.event == "sos"' -T fields -e gotop.event | tr ',' '\n' | grep -c '^sos$')
[ "$sos" -ge 2 ] && [ "$got" = "$sos" ] || fail "gotop.event == \"sos\": $got SOS messages, decode has $sos"
imei=867648040000034
want=$("$bin" decode "$cap/tcp-ipv4.pcap" | jq -r "select(.kind==\"message\" and .imei==\"$imei\") | .event" | wc -l)
got=$(ts -r "$cap/tcp-ipv4.pcap" -Y "gotop.imei == \"$imei\"" -T fields -e gotop.imei | tr ',' '\n' | grep -c "^$imei\$")
[ "$want" -ge 3 ] && [ "$got" = "$want" ] || fail "gotop.imei == \"$imei\": $got messages, decode has $want"
n=$(ts -r "$cap/tcp-ipv4.pcap" -Y 'gotop.lat > 40 && gotop.valid == 0' -T fields -e gotop.lat | wc -l)
[ "$n" -ge 1 ] || fail "a numeric and boolean filter matched nothing"

# 4. Expert info: each error of decode's, with its code, in tshark's expert summary.
ts -r "$cap/errors.pcap" -q -z expert,warn > "$work/expert" || fail "tshark -z expert"
for code in bad_latitude bad_date bad_speed bad_password frame_too_long junk truncated; do
  grep -qP "GOTOP\s+$code: packet [0-9]+: " "$work/expert" || fail "no expert info for $code: $(cat "$work/expert")"
done
n=$(ts -r "$cap/errors.pcap" -Y 'gotop.error.bad_latitude' -T fields -e frame.number | wc -l)
[ "$n" = 1 ] || fail "the expert filter gotop.error.bad_latitude matched $n packets"
grep -q "Malformed" "$work/expert" || fail "parse errors are not in the Malformed group"

# 5. Reassembly: errors.pcap's first frame was sent in three segments; tshark shows it once, in
# the packet that completed it, from the three.
ts -r "$cap/errors.pcap" -Y 'gotop.event == "position"' -T fields -e tcp.dstport -e tcp.segment.count -e gotop.lat \
  > "$work/reassembled"
grep -qP '^7700\t3\t22.7634066$' "$work/reassembled" || fail "the frame sent in 3 segments: $(cat "$work/reassembled")"

# 6. Any port by the heuristic (7700 in errors.pcap); off with the heuristic disabled, while the
# port preference still claims 8888.
n=$(ts -r "$cap/errors.pcap" -Y 'tcp.port == 7700 && gotop' | wc -l)
[ "$n" -ge 5 ] || fail "port 7700 (the heuristic): $n GOTOP packets"
n=$(ts -r "$cap/errors.pcap" --disable-heuristic gotop_tcp -Y 'tcp.port == 7700 && gotop' | wc -l)
[ "$n" = 0 ] || fail "with the heuristic disabled, port 7700 still shows $n GOTOP packets"
n=$(ts -r "$cap/errors.pcap" --disable-heuristic gotop_tcp -Y 'tcp.port == 8888 && gotop' | wc -l)
[ "$n" -ge 2 ] || fail "the port preference (8888) without the heuristic: $n GOTOP packets"
ts -G decodes > "$work/decodes"
for t in tcp udp; do
  for port in 8888 5050; do
    grep -qP "^$t.port\t$port\tgotop$" "$work/decodes" || fail "$t port $port is not GOTOP's: $(grep gotop "$work/decodes")"
  done
done

# 7. Other trackers on the shared port are not GOTOP: foreign.pcap's seven other protocols.
n=$(ts -r "$cap/foreign.pcap" -Y gotop | wc -l)
[ "$n" = 1 ] || fail "foreign.pcap: $n GOTOP packets (one device speaks GOTOP): $(ts -r "$cap/foreign.pcap" -Y gotop)"

# 8. At scale: 200 devices, 20,000 messages (bench/make_capture.py, with reordered segments, which
# Wireshark reassembles with tcp.reassemble_out_of_order): every position, in order.
python3 "$root/bench/make_capture.py" "$cap/big.pcap" --devices 200 --messages 20000 > /dev/null 2>&1 ||
  fail "make_capture.py"
chmod a+r "$cap/big.pcap"
"$bin" decode "$cap/big.pcap" | jq -r 'select(.kind=="message") | .lat // empty' > "$work/big.decode"
ts -o tcp.reassemble_out_of_order:TRUE -r "$cap/big.pcap" -T fields -e gotop.lat | tr ',' '\n' | grep -v '^$' > "$work/big.tshark"
[ "$(wc -l < "$work/big.decode")" -ge 15000 ] || fail "decode found $(wc -l < "$work/big.decode") positions in big.pcap"
cmp -s "$work/big.decode" "$work/big.tshark" ||
  fail "big.pcap: tshark shows $(wc -l < "$work/big.tshark") positions, decode $(wc -l < "$work/big.decode"), or they differ"

# 9. cmake --install puts it in Wireshark's plugin folder (under a /usr prefix, Debian's), or,
# under another prefix, in that prefix's lib/wireshark/plugins/<release>/epan (for ~/.local,
# the user's own plugin folder).
plugindir=$(pkg-config --variable=plugindir wireshark 2>/dev/null)
if [ -n "$plugindir" ] && command -v cmake >/dev/null; then
  DESTDIR="$work/dest" cmake --install "$build" --prefix /usr --component wireshark > "$work/install.log" 2>&1 ||
    fail "cmake --install: $(cat "$work/install.log")"
  [ -f "$work/dest$plugindir/epan/gotop.so" ] || fail "cmake --install --prefix /usr: no $plugindir/epan/gotop.so: $(cat "$work/install.log")"
  cmake --install "$build" --prefix "$work/local" --component wireshark > "$work/install.log" 2>&1 ||
    fail "cmake --install: $(cat "$work/install.log")"
  [ -f "$work/local/lib/wireshark/plugins/$release/epan/gotop.so" ] || fail "cmake --install --prefix DIR: $(cat "$work/install.log")"
fi

echo "tshark $(tshark -v | head -1 | grep -oE '[0-9]+\.[0-9]+\.[0-9]+') with the GOTOP plugin agrees with decode on $(ls "$root"/captures/*.pcap* | wc -l) shipped captures and $(wc -l < "$work/big.decode") positions of 200 devices"
