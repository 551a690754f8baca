#!/usr/bin/env bash
# Dumps made by the real tools decode like what they dump. For the shipped captures: xxd, xxd -p,
# xxd -p -c 0 (a one-line hex stream), xxd -i (a C array), hexdump -C (with and without -v), od -A
# x -t x1z (with and without -v) of the FILE give exactly the records of `vt106 decode FILE` (the
# input's name aside); tcpdump -r FILE -tttt -X/-XX and -tt -x/-xx (TZ=UTC, and -tttt in another
# zone with --log-tz) give messages with the capture's imei/type/raw/src/dst/ts; Wireshark-style
# C arrays (one `xxd -i` array per packet, the packet bytes taken from tcpdump -xx) give the
# capture's messages without inventing a time.
set -u
bin=$(readlink -f "$1")
here=$(cd "$(dirname "$0")/../.." && pwd)
caps=$here/captures
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
for tool in xxd hexdump od tcpdump jq python3; do
  command -v "$tool" >/dev/null || { echo "skipped: $tool missing"; exit 77; }
done
export LC_ALL=C

# norm FILE NAME: the records with the input's name taken out (input field, message prefix).
norm() {
  jq -c --arg name "$2: " 'del(.input) | if .message then .message |= ltrimstr($name) else . end' "$1"
}
proj='select(.kind=="message") | [.dir, .imei, .type, .command, .raw, .src, .dst, .ts, .transport, .flow]'

checked=0 tcpdumped=0
for name in tcp-ipv4.pcap tcp-ipv6.pcap udp.pcap cooked-any.pcap cooked-any-sll2.pcap retransmit.pcap foreign.pcap mixed.pcapng; do
  file=$caps/$name
  [ -f "$file" ] || continue
  cp "$file" "$work/$name"  # a short name: error messages carry it
  cd "$work" || exit 1
  "$bin" decode "$name" > "ref.ndjson" 2> ref.err || fail "vt106 decode $name exited $?: $(cat ref.err)"
  n=$(jq -c 'select(.kind=="message" or .kind=="foreign")' ref.ndjson | wc -l)
  [ "$n" -gt 0 ] || fail "$name decodes to no messages: nothing to compare"
  norm ref.ndjson "$name" > ref.norm

  # 1. Dumps of the file: exactly the same records.
  for cmd in "xxd" "xxd -p" "xxd -p -c 0" "xxd -i" "hexdump -C" "hexdump -C -v" "od -A x -t x1z" "od -A x -t x1z -v"; do
    $cmd "$name" > dump.txt || fail "$cmd $name failed"
    for how in file pipe; do
      if [ $how = file ]; then
        "$bin" decode dump.txt > got.ndjson 2> got.err; status=$?; label=dump.txt
      else
        "$bin" decode - < dump.txt > got.ndjson 2> got.err; status=$?; label=-
      fi
      [ "$status" = 0 ] || fail "$cmd $name | vt106 decode ($how) exited $status: $(cat got.err)"
      norm got.ndjson "$label" > got.norm
      if ! cmp -s ref.norm got.norm; then
        echo "--- vt106 decode $name vs $cmd $name | vt106 decode ($how):"
        diff ref.norm got.norm | head -20
        fail "$cmd of $name does not decode like $name"
      fi
      checked=$((checked + 1))
    done
  done

  # 2. tcpdump's own dumps: each packet decoded as a packet.
  if [ "$(TZ=UTC tcpdump -n -r "$name" 2>/dev/null | wc -l)" -gt 0 ]; then
    jq -c "$proj" ref.ndjson > ref.proj
    for opts in "-tttt -X" "-tttt -XX" "-tt -x" "-tt -xx" "-n -tttt -X" "-n -tt -XX"; do
      TZ=UTC tcpdump -r "$name" $opts > td.txt 2> td.err || fail "tcpdump -r $name $opts failed: $(cat td.err)"
      "$bin" decode td.txt > got.ndjson 2> got.err; status=$?
      [ "$status" = 0 ] || fail "tcpdump -r $name $opts | vt106 decode exited $status: $(cat got.err)"
      jq -c "$proj" got.ndjson > got.proj
      if ! cmp -s ref.proj got.proj; then
        echo "--- vt106 decode $name vs TZ=UTC tcpdump -r $name $opts | vt106 decode:"
        diff ref.proj got.proj | head -20
        fail "tcpdump $opts of $name: messages differ from the capture's"
      fi
      tcpdumped=$((tcpdumped + 1))
    done
    # A local-time dump read with the zone it was written in.
    TZ=Asia/Shanghai tcpdump -r "$name" -tttt -X > td.txt 2>/dev/null
    if [ "$(head -c 19 td.txt)" != "$(TZ=UTC tcpdump -r "$name" -tttt -X 2>/dev/null | head -c 19)" ]; then
      "$bin" decode --log-tz +08 td.txt | jq -c "$proj" > got.proj
      cmp -s ref.proj got.proj || { diff ref.proj got.proj | head; fail "TZ=Asia/Shanghai tcpdump -tttt -X $name | vt106 decode --log-tz +08: times differ"; }
    fi
  fi
done
[ "$checked" -ge 16 ] || fail "only $checked dumps compared"
[ "$tcpdumped" -ge 6 ] || fail "only $tcpdumped tcpdump dumps compared"

# 3. Wireshark-style C arrays, one per packet from the link header (bytes from tcpdump -xx).
cd "$work" || exit 1
name=tcp-ipv4.pcap
TZ=UTC tcpdump -n -r "$name" -xx 2>/dev/null | python3 -c '
import re, sys
packets, cur = [], None
for line in sys.stdin:
    m = re.match(r"\s+0x[0-9a-f]+:\s+((?:[0-9a-f]{2,4} ?)+)", line)
    if m:
        cur += bytes.fromhex(m.group(1).replace(" ", ""))
    else:
        if cur is not None: packets.append(cur)
        cur = b""
packets.append(cur)
for i, p in enumerate(packets, 1): open("pkt%d" % i, "wb").write(p)
print(len(packets))' > packets.count
count=$(cat packets.count)
[ "$count" -gt 10 ] || fail "tcpdump -xx gave $count packets"
for i in $(seq "$count"); do xxd -i "pkt$i"; done > arrays.c
"$bin" decode arrays.c > got.ndjson 2> got.err || fail "C arrays: exit $?: $(cat got.err)"
proj_nots='select(.kind=="message") | [.dir, .imei, .type, .command, .raw, .src, .dst, .transport, .flow]'
"$bin" decode "$name" | jq -c "$proj_nots" > ref.proj
jq -c "$proj_nots" got.ndjson > got.proj
[ -s ref.proj ] || fail "no messages in $name"
cmp -s ref.proj got.proj || { diff ref.proj got.proj | head; fail "per-packet C arrays (xxd -i) do not decode as the packets of $name"; }
# A C array carries no time: no ts rather than one made up (1970-01-01).
bad_ts=$(jq -r 'select(.kind=="message" and has("ts")) | .ts' got.ndjson | sort -u | head -3 | tr '\n' ' ')
[ -z "$bad_ts" ] || fail "per-packet C arrays (no times in them) give messages with ts: $bad_ts(expected no ts: absent values are omitted)"

echo "hex dumps: $checked dumps of captures and $tcpdumped tcpdump dumps decode like the captures; C arrays as packets"
