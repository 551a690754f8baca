#!/usr/bin/env bash
# Records captures/foreign.pcap: several tracker and non-tracker protocols sent to the VT-106
# port 8888 over real sockets on loopback, inside a network namespace this script creates, and
# captures/foreign.expected.tsv (the protocol each connection speaks). Run as root.
# The bytes are the first messages of real devices and clients (tests/data/detect-samples.tsv).
set -euo pipefail
cd "$(dirname "$0")"
. ./netns_capture.sh
netns_capture_start record-foreign.sh vt106foreign foreign.pcap 'tcp port 8888 or udp port 8888'
ip netns exec "$ns" python3 - "$work/foreign.expected.tsv" <<'PY'
import socket, sys, threading, time
sessions = [  # (protocol, transport, first message)
    ("gotop", "tcp", b"#867648044456745,CMD-T,A,DATE:240813,TIME:235937,LAT:02.9930825N,LON:101.5746188E,Speed:000.0,095-70,59.5,00.90#"),
    ("gt06", "tcp", bytes.fromhex("78780d010352887071911998000479d00d0a")),
    ("h02", "tcp", b"*HQ,4300256455,V1,111817,A,1935.5128,N,04656.3243,E,0.00,100,170913,FFE7FBFF#"),
    ("teltonika", "tcp", bytes.fromhex("000f313233343536373839303132333435")),
    ("gps103", "tcp", b"##,imei:359586015829802,A;"),
    ("jt808", "tcp", bytes.fromhex("7e0002000004304832546500b7ca7e")),
    ("osmand", "tcp", b"GET /?id=902064&lat=42.06288&lon=-88.23412&timestamp=2016-01-27T18%3A55%3A47Z&hdop=6.0&altitude=224.0&speed=0.0 HTTP/1.1\r\nHost: platform\r\n\r\n"),
    ("h02", "udp", b"*HQ,135790246811220,HTBT,100#"),
]
srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", 8888)); srv.listen(16); srv.settimeout(10)
udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); udp.bind(("127.0.0.1", 8888)); udp.settimeout(10)
def platform(n):
    for _ in range(n):
        conn, _ = srv.accept(); conn.settimeout(5)
        try:
            while conn.recv(4096): pass
        except socket.timeout:
            pass
        conn.close()
tcp_count = sum(1 for s in sessions if s[1] == "tcp")
t = threading.Thread(target=platform, args=(tcp_count,)); t.start()
rows = ["src\tdst\ttransport\tprotocol"]
for proto, transport, data in sessions:
    if transport == "tcp":
        c = socket.create_connection(("127.0.0.1", 8888), timeout=5)
        c.sendall(data); time.sleep(0.2); c.close()
    else:
        c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); c.sendto(data, ("127.0.0.1", 8888)); udp.recvfrom(4096)
    host, port = c.getsockname()[:2] if transport == "udp" else (None, None)
    time.sleep(0.2)
    rows.append(f"{proto}\t{transport}")
t.join(15)
open(sys.argv[1], "w").write("\n".join(rows[1:]) + "\n")
PY
netns_capture_stop
cp "$work/foreign.pcap" foreign.pcap
{ echo "protocol	transport"; cat "$work/foreign.expected.tsv"; } > foreign.expected.tsv
echo "wrote foreign.pcap ($(stat -c %s foreign.pcap) bytes) and foreign.expected.tsv"
