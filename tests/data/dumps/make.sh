#!/usr/bin/env bash
# Regenerates the recorded dumps (README.md names the command behind each file) with the real
# programs: xxd, hexdump, od (Debian), tcpdump 4.99, tshark. Inputs are the shipped captures and
# tests/data/frames.txt; times are printed in UTC and addresses as numbers, so the output does
# not depend on the machine.
set -euo pipefail
out=$(cd "$(dirname "$0")" && pwd)
export TZ=UTC LC_ALL=C
cd "$out/.."  # tests/data: frames.txt
xxd frames.txt > "$out/frames.txt.xxd"
xxd -p frames.txt > "$out/frames.txt.xxd-p"
xxd -i frames.txt > "$out/frames.txt.xxd-i"
hexdump -C frames.txt > "$out/frames.txt.hexdump-C"
hexdump frames.txt > "$out/frames.txt.hexdump"
od -A x -t x1z -v frames.txt > "$out/frames.txt.od-Ax-tx1z-v"
od -A d -t x1z frames.txt > "$out/frames.txt.od-Ad-tx1z"
od -A o -t x1 frames.txt > "$out/frames.txt.od-Ao-tx1"
od frames.txt > "$out/frames.txt.od"
cd "$out/../../../captures"
xxd tcp-ipv4.pcap > "$out/tcp-ipv4.pcap.xxd"
hexdump -C tcp-ipv6.pcap > "$out/tcp-ipv6.pcap.hexdump-C"
hexdump tcp-ipv6.pcap > "$out/tcp-ipv6.pcap.hexdump"
od -A x -t x1z tcp-ipv6.pcap > "$out/tcp-ipv6.pcap.od-Ax-tx1z"
od -x tcp-ipv6.pcap > "$out/tcp-ipv6.pcap.od-x"
for o in x xx X XX; do tcpdump -n -r tcp-ipv4.pcap -$o > "$out/tcp-ipv4.pcap.tcpdump-$o" 2>/dev/null; done
tcpdump -n -tttt -X -r tcp-ipv4.pcap > "$out/tcp-ipv4.pcap.tcpdump-tttt-X" 2>/dev/null
tcpdump -n -tt -XX -r tcp-ipv4.pcap > "$out/tcp-ipv4.pcap.tcpdump-tt-XX" 2>/dev/null
tcpdump -n -X -r tcp-ipv6.pcap > "$out/tcp-ipv6.pcap.tcpdump-X" 2>/dev/null
tcpdump -n -v -x -r tcp-ipv4.pcap -c 8 > "$out/tcp-ipv4.pcap.tcpdump-v-x" 2>/dev/null
tshark -r tcp-ipv4.pcap -x -c 6 > "$out/tcp-ipv4.pcap.tshark-x" 2>/dev/null
tcpdump -n -r tcp-ipv4.pcap 2>/dev/null | wc -l > "$out/tcp-ipv4.pcap.packets"
tcpdump -n -r tcp-ipv6.pcap 2>/dev/null | wc -l > "$out/tcp-ipv6.pcap.packets"
