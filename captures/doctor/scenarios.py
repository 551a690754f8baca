#!/usr/bin/env python3
"""Device/server sessions for the `vt106 doctor` scenario captures (see README.md).

Standard library only. Driven by record.sh, which runs `run` inside a network namespace
it creates while tcpdump records the namespace's loopback.

    scenarios.py list
        scenario names, one per line, with their pcap file name
    scenarios.py run NAME --sent SENT.json
        play the scenario on 127.0.0.1 (server and device threads in this process);
        SENT.json records what the device sent (frames, with their wall-clock time)
    scenarios.py check NAME FILE.pcap --sent SENT.json
        read the capture back (own pcap reader) and check that it shows what the
        scenario is about (flags, frames, ICMP, times); exit 1 if not
    scenarios.py tsv OUT.tsv
        write scenarios.tsv (file, imei_option, expected_failure, notes)

Every loop is bounded: sockets time out, servers stop after the planned number of
connections or after DEADLINE seconds, whichever comes first.
"""
import datetime
import json
import re
import socket
import ssl
import struct
import sys
import threading
import time

DEADLINE = 15.0          # hard limit for any server / device of one scenario, seconds
HOST, PORT = "127.0.0.1", 8888
PASSWORD = "123456"
IMEI = "867648044456745"          # the device of every TCP scenario (Luhn-valid)
IMEI_REGISTERED_WRONG = "867648044456746"   # what the platform has in wrong-imei (see README)
IMEI_UDP = "867648044456752"      # second device of refused.pcap (Luhn-valid)
BASE_LAT, BASE_LON = 2.9930825, 101.5746188
ROLLOVER = datetime.timedelta(days=7168)    # 1024 GPS weeks
UTC_PLUS_8 = datetime.timedelta(hours=8)

# GT06 packets. The login packet is the byte string given in the brief; note that its CRC
# (8C DD) is the one of the GT06 manual's example (terminal ID 01 23 45 67 89 01 23 45),
# not of this terminal ID (CRC-ITU of 0D..00 01 here is EC 1E). Kept byte-exact on purpose.
GT06_LOGIN = bytes.fromhex("78780D01035341903295400300018CDD0D0A")


def crc_itu(data):
    crc = 0xFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ 0x8408 if crc & 1 else crc >> 1
    return (~crc) & 0xFFFF


def gt06_heartbeat(serial=2):
    # 0x13 status packet: terminal info 0x40 (GPS tracking on), voltage 4, GSM 4, alarm/lang 00 01
    body = bytes([0x0A, 0x13, 0x40, 0x04, 0x04, 0x00, 0x01]) + struct.pack(">H", serial)
    return b"\x78\x78" + body + struct.pack(">H", crc_itu(body)) + b"\x0d\x0a"


def luhn_ok(s):
    total = 0
    for i, c in enumerate(reversed(s)):
        d = int(c)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


assert luhn_ok(IMEI) and luhn_ok(IMEI_UDP) and not luhn_ok(IMEI_REGISTERED_WRONG)


# --------------------------------------------------------------------------- frames

def utcnow():
    return datetime.datetime.now(datetime.timezone.utc)


def cmd_t(imei, when, lat, lon, valid="A", speed=0.0, batt=95, rssi=70, alt=59.5, hdop=0.90):
    """CMD-T with labels, same layout as the brief's example (no cell/WIFI groups)."""
    ns = "N" if lat >= 0 else "S"
    ew = "E" if lon >= 0 else "W"
    return (f"#{imei},CMD-T,{valid},DATE:{when:%y%m%d},TIME:{when:%H%M%S},"
            f"LAT:{abs(lat):010.7f}{ns},LON:{abs(lon):011.7f}{ew},Speed:{speed:05.1f},"
            f"{batt:03d}-{rssi:02d},{alt:.1f},{hdop:05.2f}#")


def cmd_x(imei):
    return f"#{imei},CMD-X#"


# A device step: ("T", kwargs) position, ("X",) heartbeat, ("sleep", s), ("raw", bytes).
# Position kwargs: clock offset "shift" (timedelta), "valid", "lat", "lon", ... for cmd_t.

def moving(n, shift=datetime.timedelta(0), gap=0.5, heartbeat_at=None):
    """n positions of a car going north at 36 km/h (10 m/s, ~0.000045 deg per 0.5 s)."""
    steps = []
    for i in range(n):
        if heartbeat_at == i:
            steps += [("X",), ("sleep", gap)]
        steps.append(("T", dict(shift=shift, lat=BASE_LAT + i * 0.0000450, lon=BASE_LON,
                                speed=36.0)))
        if i < n - 1:
            steps.append(("sleep", gap))
    return steps


SCENARIOS = {
    "healthy": dict(
        file="healthy.pcap", imei_option="-", failure="none",
        server=dict(kind="keep", conns=1),
        device=dict(kind="tcp", conns=[moving(5, heartbeat_at=3) + [("sleep", 0.3)]]),
        notes="TCP 127.0.0.1:8888; 5 CMD-T A (36 km/h northbound) ~0.5 s apart + 1 CMD-X; "
              "DATE/TIME = real UTC at send time; server silent, keeps the connection; "
              "device closes (FIN). --imei 867648044456745 also passes"),
    "wrong-protocol": dict(
        file="wrong-protocol.pcap", imei_option="-", failure="wrong_protocol",
        server=dict(kind="keep", conns=1),
        device=dict(kind="tcp", conns=[[("raw", GT06_LOGIN), ("sleep", 1.0),
                                        ("raw", gt06_heartbeat()), ("sleep", 0.8)]]),
        notes="GT06 device on 8888: login 78 78 0D 01 (terminal 0353419032954003; CRC bytes "
              "8C DD copied from the GT06 manual example, wrong for this ID) then status/"
              "heartbeat 78 78 0A 13 (valid CRC); server never answers; device closes (FIN)"),
    "tls": dict(
        file="tls.pcap", imei_option="-", failure="tls",
        server=dict(kind="tls_reader", conns=1),
        device=dict(kind="tls"),
        notes="python ssl ClientHello (SNI tracker.example.com) to a plain TCP server on 8888 "
              "that reads it and closes (FIN); the client then sends a 7-byte TLS alert "
              "(15 03 01 00 02 02 32) which the closed server socket answers with RST"),
    "refused": dict(
        file="refused.pcap", imei_option="-", failure="connection_refused",
        server=None,
        device=dict(kind="refused"),
        notes="nothing listens: 3 SYN to 127.0.0.1:8888 ~0.5 s apart each answered by the "
              "kernel with RST,ACK; then device 867648044456752 sends 1 UDP CMD-T datagram to "
              "closed UDP 8888 -> ICMP port unreachable, which quotes the whole datagram (the frame's "
              "bytes appear twice in the file; count it once) (also udp_port_unreachable)"),
    "silent": dict(
        file="silent.pcap", imei_option="-", failure="silent_connection",
        server=dict(kind="keep", conns=1),
        device=dict(kind="tcp", conns=[[("sleep", 2.0)]]),
        notes="TCP handshake completes, no payload in either direction for 2 s, device "
              "closes (FIN)"),
    "heartbeats-only": dict(
        file="heartbeats-only.pcap", imei_option="-", failure="heartbeats_only",
        server=dict(kind="keep", conns=1),
        device=dict(kind="tcp", conns=[[("X",), ("sleep", 0.5), ("X",), ("sleep", 0.5),
                                        ("X",), ("sleep", 0.5), ("X",), ("sleep", 0.3)]]),
        notes="4 CMD-X heartbeats ~0.5 s apart, no position frame; device closes (FIN)"),
    "invalid-fix": dict(
        file="invalid-fix.pcap", imei_option="-", failure="invalid_fix",
        server=dict(kind="keep", conns=1),
        device=dict(kind="tcp", conns=[[
            ("T", dict(valid="V", lat=0.0, lon=0.0, alt=0.0, hdop=99.99)), ("sleep", 0.5),
            ("T", dict(valid="V", lat=0.0, lon=0.0, alt=0.0, hdop=99.99)), ("sleep", 0.5),
            ("X",), ("sleep", 0.5),
            ("T", dict(valid="V", lat=BASE_LAT, lon=BASE_LON, alt=0.0, hdop=99.99)),
            ("sleep", 0.5),
            ("T", dict(valid="A", lat=0.0, lon=0.0, alt=0.0, hdop=0.90)), ("sleep", 0.3)]]),
        notes="current UTC; CMD-T V at 0/0 (x2), CMD-X, CMD-T V with the last known "
              "position, CMD-T A at LAT:00.0000000N,LON:000.0000000E; no usable fix"),
    "future-time": dict(
        file="future-time.pcap", imei_option="-", failure="future_time",
        server=dict(kind="keep", conns=1),
        device=dict(kind="tcp", conns=[moving(5, shift=UTC_PLUS_8, heartbeat_at=2)
                                       + [("sleep", 0.3)]]),
        notes="like healthy but DATE/TIME = real UTC + 8 h (device set to local time "
              "UTC+8); 5 CMD-T A + 1 CMD-X"),
    "rollover-time": dict(
        file="rollover-time.pcap", imei_option="-", failure="rollover_time",
        server=dict(kind="keep", conns=1),
        device=dict(kind="tcp", conns=[moving(5, shift=-ROLLOVER, heartbeat_at=2)
                                       + [("sleep", 0.3)]]),
        notes="like healthy but DATE/TIME = real UTC - 7168 days (1024 GPS weeks, week "
              "number rollover); time of day unchanged; 5 CMD-T A + 1 CMD-X"),
    "wrong-imei": dict(
        file="wrong-imei.pcap", imei_option=IMEI_REGISTERED_WRONG, failure="wrong_imei",
        server=dict(kind="keep", conns=1),
        device=dict(kind="tcp", conns=[moving(4, heartbeat_at=2) + [("sleep", 0.3)]]),
        notes="healthy session of 867648044456745 (4 CMD-T A + 1 CMD-X, current UTC); "
              "run doctor with --imei 867648044456746 (platform typo; that IMEI also fails "
              "the Luhn check)"),
    "server-closes": dict(
        file="server-closes.pcap", imei_option="-", failure="server_closes",
        server=dict(kind="close_after_first", conns=3, modes=["fin", "rst", "fin"]),
        device=dict(kind="tcp", conns=[
            [("T", {}), ("sleep", 0.4), ("T", dict(lat=BASE_LAT + 0.0000450)), ("sleep", 0.2)]
            for _ in range(3)], reconnect_gap=0.5),
        notes="3 connections; server closes right after the first CMD-T: conn 1 and 3 FIN "
              "(the device's 2nd CMD-T 0.4 s later is answered with RST by the kernel), "
              "conn 2 RST (SO_LINGER 0; the 2nd CMD-T is never sent); device reconnects "
              "after 0.5 s"),
}


# --------------------------------------------------------------------------- server

class Server:
    def __init__(self, spec, log):
        self.spec, self.log = spec, log
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((HOST, PORT))
        self.sock.listen(8)
        self.sock.settimeout(0.1)
        self.thread = threading.Thread(target=self.run)

    def run(self):
        end = time.monotonic() + DEADLINE
        n = 0
        while time.monotonic() < end and n < self.spec["conns"]:
            try:
                c, a = self.sock.accept()
            except socket.timeout:
                continue
            self.log(f"server: accepted {a[0]}:{a[1]}")
            self.serve(c, n, end)   # one device at a time
            n += 1
        self.sock.close()
        if n < self.spec["conns"]:
            self.log(f"server: ERROR accepted {n} of {self.spec['conns']} connections")

    def serve(self, c, idx, end):
        kind = self.spec["kind"]
        c.settimeout(0.1)
        buf = b""
        while time.monotonic() < end:
            try:
                data = c.recv(4096)
            except socket.timeout:
                continue
            except ConnectionResetError:
                self.log("server: connection reset by device")
                break
            if not data:
                self.log("server: device closed (EOF)")
                break
            buf += data
            if kind == "tls_reader" and len(buf) >= 5 and len(buf) >= 5 + struct.unpack(">H", buf[3:5])[0]:
                self.log(f"server: read {len(buf)} bytes (TLS record type {buf[0]:#04x}), closing")
                break
            if kind == "close_after_first" and re.search(rb"#[^#]*#", buf):
                mode = self.spec["modes"][idx]
                if mode == "rst":
                    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.log(f"server: got first frame, closing with {mode.upper()}")
                break
        c.close()


# --------------------------------------------------------------------------- device

def play(sock, steps, sent, log):
    for step in steps:
        if step[0] == "sleep":
            time.sleep(step[1])
            continue
        if step[0] == "raw":
            data = step[1]
        elif step[0] == "X":
            data = cmd_x(IMEI).encode()
        else:
            kw = dict(step[1])
            shift = kw.pop("shift", datetime.timedelta(0))
            kw.setdefault("lat", BASE_LAT)
            kw.setdefault("lon", BASE_LON)
            data = cmd_t(IMEI, utcnow() + shift, **kw).encode()
        try:
            sock.sendall(data)
        except OSError as e:
            log(f"device: send failed: {e!r}")
            return False
        sent.append(dict(t=time.time(), data=data.decode("latin-1")))
        log(f"device: sent {data[:60]!r}")
    return True


def device_tcp(spec, sent, log):
    for i, steps in enumerate(spec["conns"]):
        if i:
            time.sleep(spec.get("reconnect_gap", 0.5))
        s = socket.create_connection((HOST, PORT), timeout=3)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        log(f"device: connected from port {s.getsockname()[1]}")
        play(s, steps, sent, log)
        s.close()
        log("device: closed")


def device_tls(spec, sent, log):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    s = socket.create_connection((HOST, PORT), timeout=3)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sent.append(dict(t=time.time(), data="<TLS ClientHello>"))
    try:
        ts = ctx.wrap_socket(s, server_hostname="tracker.example.com")
        log("device: ERROR handshake succeeded?")
        ts.close()
    except (ssl.SSLError, OSError) as e:
        log(f"device: TLS handshake failed as expected: {e!r}")
        s.close()


def device_refused(spec, sent, log):
    for i in range(3):
        if i:
            time.sleep(0.5)
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.settimeout(3)
        try:
            s.connect((HOST, PORT))
            log("device: ERROR connect succeeded")
        except ConnectionRefusedError:
            log(f"device: attempt {i + 1}: connection refused")
        finally:
            s.close()
    time.sleep(0.5)
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.settimeout(1.0)
    u.connect((HOST, PORT))
    frame = cmd_t(IMEI_UDP, utcnow(), BASE_LAT, BASE_LON)
    u.send(frame.encode())
    sent.append(dict(t=time.time(), data=frame))
    try:
        u.recv(100)
        log("device: ERROR got a UDP answer")
    except ConnectionRefusedError:
        log("device: UDP: ICMP port unreachable reported (ECONNREFUSED)")
    except socket.timeout:
        log("device: UDP: no ICMP error seen")
    u.close()


def run(name, sent_path):
    sc = SCENARIOS[name]
    t0 = time.monotonic()

    def log(msg):
        print(f"   [{time.monotonic() - t0:5.2f}] {msg}", flush=True)

    errors = []

    def logx(msg):
        if "ERROR" in msg:
            errors.append(msg)
        log(msg)

    server = Server(sc["server"], logx) if sc["server"] else None
    if server:
        server.thread.start()
    sent = []
    dev = sc["device"]
    {"tcp": device_tcp, "tls": device_tls, "refused": device_refused}[dev["kind"]](dev, sent, logx)
    if server:
        server.thread.join(DEADLINE + 5)
    json.dump(sent, open(sent_path, "w"), indent=1)
    return 1 if errors else 0


# --------------------------------------------------------------------------- check

def read_pcap(path):
    """Packets of an EN10MB/IPv4 pcap: dicts with ts, proto, src, dst, sport, dport, flags, payload."""
    raw = open(path, "rb").read()
    magic = raw[:4]
    if magic == b"\xd4\xc3\xb2\xa1":
        e, div = "<", 1e6
    elif magic == b"\xa1\xb2\xc3\xd4":
        e, div = ">", 1e6
    elif magic == b"\x4d\x3c\xb2\xa1":
        e, div = "<", 1e9
    else:
        raise ValueError("not a pcap file")
    linktype = struct.unpack(e + "I", raw[20:24])[0]
    assert linktype == 1, f"link type {linktype}, expected 1 (EN10MB)"
    off, out = 24, []
    while off + 16 <= len(raw):
        sec, frac, caplen, _ = struct.unpack(e + "IIII", raw[off:off + 16])
        pkt = raw[off + 16:off + 16 + caplen]
        off += 16 + caplen
        if struct.unpack(">H", pkt[12:14])[0] != 0x0800:
            continue
        ip = pkt[14:]
        ihl = (ip[0] & 15) * 4
        tot = struct.unpack(">H", ip[2:4])[0]
        p = dict(ts=sec + frac / div, proto=ip[9], src=socket.inet_ntoa(ip[12:16]),
                 dst=socket.inet_ntoa(ip[16:20]), sport=0, dport=0, flags="", payload=b"")
        l4 = ip[ihl:tot]
        if p["proto"] == 6:
            p["sport"], p["dport"] = struct.unpack(">HH", l4[:4])
            fl = l4[13]
            p["flags"] = "".join(c for c, bit in zip("FSRPA", (1, 2, 4, 8, 16)) if fl & bit)
            p["payload"] = l4[(l4[12] >> 4) * 4:]
        elif p["proto"] == 17:
            p["sport"], p["dport"] = struct.unpack(">HH", l4[:4])
            p["payload"] = l4[8:]
        elif p["proto"] == 1:
            p["icmp"] = (l4[0], l4[1])
            p["payload"] = l4[8:]
        out.append(p)
    return out


def frame_time(frame):
    m = re.search(r"DATE:(\d{6}),TIME:(\d{6})", frame)
    if not m:
        return None
    d = datetime.datetime.strptime(m.group(1) + m.group(2), "%y%m%d%H%M%S")
    return d.replace(tzinfo=datetime.timezone.utc).timestamp()


def check(name, path, sent_path):
    sc = SCENARIOS[name]
    pk = read_pcap(path)
    sent = json.load(open(sent_path))
    bad = []

    def need(cond, what):
        if not cond:
            bad.append(what)

    tcp = [p for p in pk if p["proto"] == 6]
    up = [p for p in tcp if p["dport"] == PORT]
    down = [p for p in tcp if p["sport"] == PORT]
    conns = sorted({p["sport"] for p in up if p["flags"] == "S"})
    frames = []   # '#…#' text frames; not looked for in binary sessions (a ClientHello's
    binary = name in ("tls", "wrong-protocol")   # random bytes may hold two '#')
    for p in [] if binary else up + [p for p in pk if p["proto"] == 17 and p["dport"] == PORT]:
        for f in re.findall(rb"#[^#]*#", p["payload"]):
            frames.append((p["ts"], f.decode("latin-1")))
    # every frame the device says it sent is in the capture, in order
    sent_frames = [s["data"] for s in sent if s["data"].startswith("#")]
    need([f for _, f in frames] == sent_frames, "captured frames differ from the sent ones")
    need(not any(p["payload"] for p in down), "server sent payload")

    def first_fin_from(port_of_conn):
        for p in tcp:
            if "F" in p["flags"] and port_of_conn in (p["sport"], p["dport"]):
                return "device" if p["dport"] == PORT else "server"
        return None

    def times(offset):
        for ts, f in frames:
            ft = frame_time(f)
            if ft is not None:
                need(abs(ft - offset - ts) < 2.0,
                     f"frame time {ft:.0f} vs capture {ts:.3f} (offset {offset})")

    if sc["failure"] in ("none", "wrong_imei", "future_time", "rollover_time",
                         "heartbeats_only", "invalid_fix", "silent_connection",
                         "wrong_protocol"):
        need(len(conns) == 1, f"{len(conns)} connections")
        need(all("R" not in p["flags"] for p in tcp), "RST seen")
        need(conns and first_fin_from(conns[0]) == "device", "device did not close first")
    if name in ("healthy", "wrong-imei", "heartbeats-only", "invalid-fix"):
        times(0)
    if name == "future-time":
        times(UTC_PLUS_8.total_seconds())
    if name == "rollover-time":
        times(-ROLLOVER.total_seconds())
    if name == "healthy":
        need(sum(",CMD-T,A," in f for _, f in frames) == 5 and
             sum(",CMD-X#" in f for _, f in frames) == 1, "not 5 CMD-T A + 1 CMD-X")
    if name == "heartbeats-only":
        need(len(frames) == 4 and all(f.endswith(",CMD-X#") for _, f in frames), "not 4 CMD-X")
    if name == "invalid-fix":
        for _, f in frames:
            need(",CMD-T,V," in f or "LAT:00.0000000N,LON:000.0000000E" in f or ",CMD-X#" in f,
                 f"usable fix in {f}")
    if name == "silent":
        need(not any(p["payload"] for p in tcp), "payload seen")
        syn = [p["ts"] for p in up if p["flags"] == "S"]
        fin = [p["ts"] for p in up if "F" in p["flags"]]
        need(syn and fin and fin[0] - syn[0] >= 1.9, "connection not silent for ~2 s")
    if name == "wrong-protocol":
        data = b"".join(p["payload"] for p in up)
        need(data == GT06_LOGIN + gt06_heartbeat(), "GT06 bytes differ")
    if name == "tls":
        data = b"".join(p["payload"] for p in up)
        need(data[:1] == b"\x16" and data[1:2] == b"\x03" and data[5:6] == b"\x01",
             "no TLS ClientHello")
        need(conns and first_fin_from(conns[0]) == "server", "server did not close first")
    if name == "refused":
        syns = [p for p in up if p["flags"] == "S"]
        rsts = [p for p in down if "R" in p["flags"]]
        need(len(syns) == 3 and len(rsts) == 3, f"{len(syns)} SYN / {len(rsts)} RST")
        need(not any("A" in p["flags"] and "S" in p["flags"] for p in down), "SYN-ACK seen")
        icmp = [p for p in pk if p["proto"] == 1 and p.get("icmp") == (3, 3)]
        need(len(icmp) == 1, f"{len(icmp)} ICMP port unreachable")
        need(len([p for p in pk if p["proto"] == 17]) == 1, "not exactly 1 UDP datagram")
    if name == "server-closes":
        need(len(conns) == 3, f"{len(conns)} connections")
        for port, mode in zip(conns, sc["server"]["modes"]):
            c = [p for p in tcp if port in (p["sport"], p["dport"])]
            first_data = next((i for i, p in enumerate(c) if p["dport"] == PORT and p["payload"]), None)
            close = next((i for i, p in enumerate(c) if p["sport"] == PORT and
                          ("F" in p["flags"] or "R" in p["flags"])), None)
            need(first_data is not None and close is not None and close > first_data,
                 f"port {port}: server did not close after the first frame")
            if close is not None:
                flag = "F" if mode == "fin" else "R"
                need(flag in c[close]["flags"], f"port {port}: server closed with {c[close]['flags']}, wanted {mode}")
                need(all(not (p["dport"] == PORT and "F" in p["flags"]) for p in c[:close]),
                     f"port {port}: device closed first")
    if name not in ("refused",):
        need(all(f[1:].startswith(IMEI + ",") for _, f in frames), "unexpected IMEI")
    print(f"   check {name}: {len(pk)} packets, {len(conns)} TCP connection(s), {len(frames)} frames"
          + ("" if not bad else " -- FAILED: " + "; ".join(bad)))
    return 1 if bad else 0


# --------------------------------------------------------------------------- main

def main(argv):
    if len(argv) < 2:
        print(__doc__)
        return 2
    cmd = argv[1]

    def opt(name):
        return argv[argv.index(name) + 1] if name in argv else None

    if cmd == "list":
        for name, sc in SCENARIOS.items():
            print(name, sc["file"])
        return 0
    if cmd == "run":
        return run(argv[2], opt("--sent"))
    if cmd == "check":
        return check(argv[2], argv[3], opt("--sent"))
    if cmd == "tsv":
        with open(argv[2], "w") as f:
            f.write("file\timei_option\texpected_failure\tnotes\n")
            for name, sc in SCENARIOS.items():
                f.write(f"{sc['file']}\t{sc['imei_option']}\t{sc['failure']}\t{sc['notes']}\n")
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
