#!/usr/bin/env bash
# Records captures/errors.pcap: GOTOP devices that send what a decoder must report rather than
# decode (a latitude over 90°, a month 13, a speed that is no number, text that is no frame, a
# frame over the 1024-byte limit, an unclosed datagram, a connection whose capture begins in
# the middle of a frame, a command with a bad password), between good frames, over real sockets
# on loopback inside a network namespace this script creates. One TCP device talks to port 7700,
# which no dissector or decoder knows, so that finding it takes the content alone; its first
# frame and its SOS frame are each cut over several segments. Run as root.
set -euo pipefail
cd "$(dirname "$0")"
. ./netns_capture.sh
netns_capture_start record-errors.sh vt106errors errors.pcap 'port 7700 or port 8888'
ip netns exec "$ns" python3 - <<'PY'
import socket, threading, time
IMEI = "867648040000190"
def f(body):
    return ("#" + IMEI + "," + body + "#").encode()
good = f("CMD-T,A,DATE:090329,TIME:223252,LAT:22.7634066N,LOT:114.3964783E,Speed:000.0,84-20,000")
sos = f("ALM-A,V,DATE:120903,TIME:160649,LAT:19.4265944N,LOT:098.8781135W,Speed:005.5,X-X-X-X-82-10,000,24202-0324-0E26")
bad_lat = f("CMD-T,A,DATE:090329,TIME:223252,LAT:99.7634066N,LOT:114.3964783E,Speed:000.0,84-20,000")
bad_date = f("CMD-T,A,DATE:091329,TIME:223252,LAT:22.7634066N,LOT:114.3964783E,Speed:000.0,84-20,000")
too_long = f("CMD-T," + "A" * 1100)
bad_speed = f("CMD-T,V,DATE:120903,TIME:160749,LAT:19.427989N,LOT:098.8780723W,Speed:abc,X-X-X-X-49-5,000,24202-0ED9-D93B")

srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", 7700)); srv.listen(4); srv.settimeout(10)
srv2 = socket.socket(); srv2.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv2.bind(("127.0.0.1", 8888)); srv2.listen(4); srv2.settimeout(10)
udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); udp.bind(("127.0.0.1", 8888)); udp.settimeout(10)

def platform(s, commands):
    conn, _ = s.accept(); conn.settimeout(5)
    got = b""
    try:
        while True:
            data = conn.recv(65536)
            if not data: break
            got += data
            if commands and got.count(b"#") >= 2:
                for c in commands:  # one command a segment
                    conn.sendall(c); time.sleep(0.05)
                commands = []
    except socket.timeout:
        pass
    conn.close()

t1 = threading.Thread(target=platform, args=(srv, [b":123456F#", b":12x456F#"])); t1.start()
t2 = threading.Thread(target=platform, args=(srv2, [])); t2.start()

def send_cut(c, data, cuts):
    last = 0
    for cut in cuts + [len(data)]:
        c.sendall(data[last:cut]); last = cut; time.sleep(0.05)

c = socket.create_connection(("127.0.0.1", 7700), timeout=5)
c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
send_cut(c, good, [20, 61])           # one frame, three segments
got = b""
while got.count(b"#") < 2:            # the platform's two commands
    got += c.recv(4096)
for data in (bad_lat, bad_date, b"HELLO WORLD#", too_long):
    c.sendall(data); time.sleep(0.05)
send_cut(c, sos, [sos.index(b"LAT:"), sos.index(b"Speed:")])
time.sleep(0.2); c.shutdown(socket.SHUT_WR); c.recv(4096); c.close()

# A connection whose capture begins in the middle of a frame: its first bytes are a frame's end.
c = socket.create_connection(("127.0.0.1", 8888), timeout=5)
c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
c.sendall(good[good.index(b"TIME:"):]); time.sleep(0.05)
c.sendall(f("CMD-X")); time.sleep(0.05)
c.sendall(good); time.sleep(0.2); c.shutdown(socket.SHUT_WR); c.recv(4096); c.close()

u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for data in (good, bad_speed, f("CMD-X")[:-1]):  # the last datagram is never closed
    u.sendto(data, ("127.0.0.1", 8888)); udp.recvfrom(4096); time.sleep(0.05)
t1.join(10); t2.join(10)
PY
netns_capture_stop
cp "$work/errors.pcap" errors.pcap
echo "wrote errors.pcap ($(stat -c %s errors.pcap) bytes)"
