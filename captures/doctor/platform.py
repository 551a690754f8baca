#!/usr/bin/env python3
"""A tracking platform with 200 devices, for the `vt106 doctor` tests (see README.md).

Standard library only. Driven by record-platform.sh, which runs `run` inside a network
namespace it creates while tcpdump records the namespace's loopback.

    platform.py run --sent SENT.json
        play the platform (server on 127.0.0.1:8888 TCP+UDP) and its 200 devices, each from
        its own loopback source address; SENT.json records what every device sent (with the
        wall-clock time) and what it saw
    platform.py check FILE.pcap --sent SENT.json
        read the capture back (own pcap reader) and check that every device shows what it is
        about (frames, flags, who closes, ICMP, frame times); exit 1 if not
    platform.py tsv OUT.tsv
        write the manifest platform.tsv (one line per device)
    platform.py addresses
        the 200 device source addresses, one per line

Frame builders, CRC and Luhn come from scenarios.py (same folder). Every loop is bounded:
sockets time out and everything stops after DEADLINE seconds.
"""
import datetime
import json
import os
import re
import socket
import struct
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import scenarios  # noqa: E402  (frame builders, crc_itu, luhn_ok, GT06 heartbeat)
from scenarios import BASE_LAT, BASE_LON, cmd_t, cmd_x, crc_itu, luhn_ok, utcnow  # noqa: E402

DEADLINE = 25.0                 # hard limit for the whole run, seconds
SERVER = "127.0.0.1"
PORT = 8888                     # the platform, TCP and UDP
CLOSED_PORT = 8889              # nothing listens here (TCP and UDP)
IDLE_TIMEOUT = 2.0              # the server closes a connection silent this long (FIN)
STAGGER = 3.0                   # devices start spread over this many seconds
TAC = "86764804"
ROLLOVER = datetime.timedelta(days=7168)
PLUS_8 = datetime.timedelta(hours=8)
STALE = datetime.timedelta(days=3)
ALARM_AGE = datetime.timedelta(minutes=20)
HEADER = "imei\taddress\ttransport\tfault\tfail_checks\twarn_checks\tregistered_as\tnotes"

# The 20 single-fault devices, in the order of their addresses 127.0.1.1 ... 127.0.1.20:
# (fault, transport, fail checks, warn checks).
FAULTS = [
    ("wrong_protocol", "tcp", "protocol.detected", "-"),
    ("connection_refused", "tcp", "reach.refused", "-"),
    ("udp_unreachable", "udp", "reach.udp_unreachable", "-"),
    ("silent_connection", "tcp", "reach.silent", "-"),
    ("heartbeats_only", "tcp", "content.positions", "-"),
    ("invalid_fix", "tcp", "content.fix_valid", "-"),
    ("rollover_time", "tcp", "content.time_past", "-"),
    ("stale_fix", "tcp", "content.time_past", "-"),
    ("default_date", "tcp", "content.fix_valid content.time_past", "-"),
    ("server_closes", "tcp", "session.server_close", "-"),
    ("server_resets", "tcp", "session.server_close", "-"),
    ("idle_timeout", "tcp", "-", "session.ended"),
    ("device_resets", "tcp", "-", "session.ended"),
    ("duplicates", "tcp", "-", "content.duplicates"),
    ("bad_check_digit", "tcp", "-", "identity.imei"),
    ("short_id", "tcp", "-", "identity.imei"),
    ("buffered_alarm", "tcp", "-", "content.buffered_alarms"),
    ("several_ids", "tcp", "-", "identity.imei"),
    ("late_local_time_udp", "udp", "content.time_future", "-"),
    ("reconnects", "tcp", "-", "-"),
]
N_HEALTHY_TCP, N_HEALTHY_UDP, N_LOCAL_TIME = 158, 10, 12
NO_IMEI = ("connection_refused", "silent_connection")   # send no identifier at all

NOTES = {
    "healthy_tcp": "TCP 8888: 3 CMD-T A 0.4 s apart, 2 identical CMD-X 0.3 s apart, device closes (FIN); "
                   "server silent, answers FIN",
    "healthy_udp": "UDP 8888: 3 CMD-T A + 2 identical CMD-X, one frame per datagram, 0.3 s apart",
    "local_time": "like healthy TCP but DATE/TIME = UTC + 8 h (device set to local time UTC+8)",
    "wrong_protocol": "GT06 on 8888: login 78 78 0D 01 (terminal ID 0+IMEI, correct CRC-ITU), 1 s later "
                      "status/heartbeat 78 78 0A 13; device closes (FIN); the IMEI is only inside the login",
    "connection_refused": "3 SYN to 127.0.0.1:8889 0.5 s apart, each answered by the kernel with RST,ACK; "
                          "sends no identifier",
    "udp_unreachable": "1 CMD-T datagram to UDP 127.0.0.1:8889 -> ICMP port unreachable quoting it",
    "silent_connection": "connects to 8888, sends nothing for 1.5 s, closes (FIN); no identifier",
    "heartbeats_only": "4 CMD-X 0.3 s apart, no position; device closes (FIN)",
    "invalid_fix": "3 CMD-T V at LAT 0 / LON 0 (HDOP 99.99) 1 s apart; device closes (FIN)",
    "rollover_time": "like healthy TCP but DATE/TIME = UTC - 7168 days (GPS week rollover)",
    "stale_fix": "like healthy TCP (valid A) but DATE/TIME = UTC - 3 days",
    "default_date": "3 CMD-T V 1 s apart with DATE:000101 and TIME 000000, 000001, 000002 (receiver "
                    "without time), last known position",
    "server_closes": "server closes (FIN) right after the first CMD-T; the device's 2nd CMD-T 0.4 s later "
                     "is answered with RST by the server's kernel; device gives up",
    "server_resets": "server resets (SO_LINGER 0, RST) right after the first CMD-T; the device's 2nd send "
                     "0.4 s later fails locally (ECONNRESET), so one frame only",
    "idle_timeout": "1 CMD-T, then silent with the connection open; the server closes it (FIN) after "
                    "2.0 s of silence; the device then closes too",
    "device_resets": "healthy frames (3 CMD-T A + 2 CMD-X), then the device closes with RST (SO_LINGER 0)",
    "duplicates": "CMD-T A, B, B, B, C (B sent again byte-identical twice, 0.3 s apart), 2 CMD-X; "
                  "device closes (FIN)",
    "bad_check_digit": "healthy frames, but the IMEI's last digit is a wrong check digit (Luhn fails)",
    "short_id": "healthy frames, but the id sent is only the last 10 digits of the IMEI in registered_as",
    "buffered_alarm": "2 CMD-T A 0.4 s apart, then an SOS alarm ALM-A whose fix DATE/TIME is 20 min old; "
                      "device closes (FIN)",
    "several_ids": "one connection: 3 CMD-T A with its own IMEI, then 2 CMD-T A with IMEI {other} "
                   "(appears nowhere else); device closes (FIN)",
    "late_local_time_udp": "UDP 8888: like healthy UDP but DATE/TIME = UTC + 8 h",
    "reconnects": "3 connections in a row 0.3 s apart, 1 CMD-T A each, device closes each (FIN); healthy",
}


# --------------------------------------------------------------------------- IMEIs

def hamming(a, b):
    return sum(x != y for x, y in zip(a, b))


def transposes_into(a, b):
    """True if swapping two adjacent digits of a gives b."""
    if len(a) != len(b) or a == b:
        return False
    diff = [i for i in range(len(a)) if a[i] != b[i]]
    return (len(diff) == 2 and diff[1] == diff[0] + 1
            and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])


def luhn_digit(body14):
    return next(str(d) for d in range(10) if luhn_ok(body14 + str(d)))


def far_apart(a, b):
    """The rules for any two identifiers in the capture (also for ids of different length)."""
    if a.endswith(b) or b.endswith(a):
        return False
    n = min(len(a), len(b))
    ta, tb = a[-n:], b[-n:]    # compare the common tail when the lengths differ
    return hamming(ta, tb) >= 3 and not transposes_into(ta, tb) and not transposes_into(tb, ta)


class ImeiPool:
    """Deterministic IMEIs (TAC + serial + check digit), pairwise far apart."""

    AVOID = [scenarios.IMEI, scenarios.IMEI_UDP, scenarios.IMEI_REGISTERED_WRONG]

    def __init__(self):
        self.taken = list(self.AVOID)
        self.k = 0

    def _fits(self, cand, extra=()):
        return all(far_apart(cand, t) for t in list(self.taken) + list(extra))

    def take(self, bad_check=False, short=None):
        """Next IMEI; bad_check: wrong check digit; short=n: also its last n digits must fit."""
        while True:
            self.k += 1
            serial = f"{(self.k * 618041 + 271829) % 1000000:06d}"
            body = TAC + serial
            good = luhn_digit(body)
            cand = body + (str((int(good) + 5) % 10) if bad_check else good)
            if not self._fits(cand):
                continue
            if short and not self._fits(cand[-short:]):
                continue
            self.taken.append(cand)
            if short:
                self.taken.append(cand[-short:])
            return cand


# --------------------------------------------------------------------------- devices

def build_devices():
    """The 200 devices: dicts with addr, fault, transport, imei (id sent, or None),
    registered_as, fail, warn, notes, pos (lat, lon), other (second IMEI of several_ids)."""
    pool = ImeiPool()
    devs = []

    def dev(addr, fault, transport, fail="-", warn="-", notes_key=None):
        d = dict(addr=addr, fault=fault, transport=transport, fail=fail, warn=warn, imei=None,
                 registered_as=None, other=None, notes=NOTES[notes_key or fault])
        devs.append(d)
        return d

    for i, (fault, transport, fail, warn) in enumerate(FAULTS):
        d = dev(f"127.0.1.{i + 1}", fault, transport, fail, warn)
        if fault in NO_IMEI:
            continue
        if fault == "bad_check_digit":
            d["imei"] = pool.take(bad_check=True)
        elif fault == "short_id":
            d["registered_as"] = pool.take(short=10)
            d["imei"] = d["registered_as"][-10:]
        elif fault == "wrong_protocol":
            d["registered_as"] = pool.take()
        else:
            d["imei"] = pool.take()
        if fault == "several_ids":
            d["other"] = pool.take()
            d["notes"] = d["notes"].format(other=d["other"])
    for i in range(N_LOCAL_TIME):
        d = dev(f"127.0.1.{len(FAULTS) + 1 + i}", "local_time", "tcp", "content.time_future")
        d["imei"] = pool.take()
    for i in range(N_HEALTHY_TCP):
        d = dev(f"127.0.2.{i + 1}", "healthy", "tcp", notes_key="healthy_tcp")
        d["imei"] = pool.take()
    for i in range(N_HEALTHY_UDP):
        d = dev(f"127.0.3.{i + 1}", "healthy", "udp", notes_key="healthy_udp")
        d["imei"] = pool.take()
    # Positions: a 15-column grid around BASE_LAT/BASE_LON, ~550 m apart, one cell per device.
    for k, d in enumerate(devs):
        d["pos"] = (BASE_LAT + (k // 15 - 7) * 0.005, BASE_LON + (k % 15 - 7) * 0.005)
        # Start time within the stagger window; a fixed permutation mixes faults and healthy.
        d["start"] = ((k * 83) % 200) * STAGGER / 200
    return devs


def assert_ids(devs):
    ids = []
    for d in devs:
        for x in (d["imei"], d["registered_as"], d["other"]):
            if x and x not in ids:
                ids.append(x)
    for i, a in enumerate(ids):
        for b in ids[i + 1:]:
            related = any(d["imei"] == a and d["registered_as"] == b or d["imei"] == b and d["registered_as"] == a
                          for d in devs)   # short_id: the id sent is meant to be a suffix of its IMEI
            if related:
                continue
            assert not a.endswith(b) and not b.endswith(a), f"{a} / {b}: suffix"
            n = min(len(a), len(b))
            assert hamming(a[-n:], b[-n:]) >= 3, f"{a} / {b}: Hamming distance < 3"
            assert not transposes_into(a[-n:], b[-n:]), f"{a} / {b}: adjacent transposition"
    for d in devs:
        for x in (d["imei"], d["registered_as"], d["other"]):
            if x and len(x) == 15:
                assert x.startswith(TAC), x
                assert luhn_ok(x) == (d["fault"] != "bad_check_digit" or x != d["imei"]), f"Luhn {x}"
    assert len(devs) == 200 and len({d["addr"] for d in devs}) == 200


DEVICES = build_devices()
assert_ids(DEVICES)
BY_ADDR = {d["addr"]: d for d in DEVICES}


def gt06_login(imei15):
    tid = bytes.fromhex("0" + imei15)                # 8 bytes BCD
    body = bytes([0x0D, 0x01]) + tid + b"\x00\x01"  # length, protocol, terminal ID, serial
    return b"\x78\x78" + body + struct.pack(">H", crc_itu(body)) + b"\x0d\x0a"


def sos_alarm(imei, when, lat, lon):
    """GOTOP SOS alarm (ALM-A, gotop.md 5.3) with the same position block as cmd_t."""
    return cmd_t(imei, when, lat, lon).replace(",CMD-T,", ",ALM-A,", 1)


# --------------------------------------------------------------------------- server

class Server:
    """127.0.0.1:8888 TCP (a thread per connection) and UDP. Never sends application data."""

    def __init__(self, stop):
        self.stop = stop
        self.tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.tcp.bind((SERVER, PORT))
        self.tcp.listen(512)
        self.tcp.settimeout(0.1)
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind((SERVER, PORT))
        self.udp.settimeout(0.1)
        self.conns = []
        self.events = []            # (t, addr, port, what)
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self.accept_loop), threading.Thread(target=self.udp_loop)]

    def note(self, addr, port, what):
        with self.lock:
            self.events.append(dict(t=time.time(), addr=addr, port=port, what=what))

    def accept_loop(self):
        while not self.stop.is_set():
            try:
                c, (addr, port) = self.tcp.accept()
            except socket.timeout:
                continue
            t = threading.Thread(target=self.serve, args=(c, addr, port))
            with self.lock:
                self.conns.append(t)
            t.start()
        self.tcp.close()

    def udp_loop(self):
        while not self.stop.is_set():
            try:
                data, (addr, port) = self.udp.recvfrom(2048)
            except socket.timeout:
                continue
            self.note(addr, port, f"udp {len(data)} bytes")
        self.udp.close()

    def serve(self, c, addr, port):
        fault = BY_ADDR.get(addr, {}).get("fault")
        buf, last = b"", time.monotonic()
        how = "fin"
        while not self.stop.is_set():
            left = IDLE_TIMEOUT - (time.monotonic() - last)
            if left <= 0:
                self.note(addr, port, "idle timeout, closing (FIN)")
                break
            c.settimeout(min(left, 0.5))
            try:
                data = c.recv(4096)
            except socket.timeout:
                continue
            except ConnectionResetError:
                self.note(addr, port, "reset by device")
                break
            if not data:
                self.note(addr, port, "device closed (EOF)")
                break
            buf, last = buf + data, time.monotonic()
            if fault in ("server_closes", "server_resets") and re.search(rb"#[^#]*#", buf):
                if fault == "server_resets":
                    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    how = "rst"
                self.note(addr, port, f"first frame, closing ({how.upper()})")
                break
        c.close()


# --------------------------------------------------------------------------- devices

class Device:
    def __init__(self, d, errors):
        self.d, self.errors = d, errors
        self.sent = []      # dict(t, conn, proto, dport, data (latin-1))
        self.seen = []      # what the device saw (refused, ICMP, reset, EOF)
        self.conn = -1
        self.npos = 0

    def err(self, msg):
        self.errors.append(f"{self.d['addr']} ({self.d['fault']}): {msg}")

    # frames -----------------------------------------------------------------
    def position(self, shift=datetime.timedelta(0), valid="A", imei=None, **kw):
        lat, lon = self.d["pos"]
        kw.setdefault("lat", lat + self.npos * 0.0000360)   # 36 km/h north, 0.4 s apart
        kw.setdefault("lon", lon)
        kw.setdefault("speed", 36.0 if valid == "A" else 0.0)
        self.npos += 1
        return cmd_t(imei or self.d["imei"], utcnow() + shift, valid=valid, **kw)

    def record(self, proto, dport, data):
        self.sent.append(dict(t=time.time(), conn=self.conn, proto=proto, dport=dport,
                              data=data.decode("latin-1")))

    # transports -------------------------------------------------------------
    def tcp(self, dport=PORT):
        self.conn += 1
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.bind((self.d["addr"], 0))
        s.settimeout(3.0)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        s.connect((SERVER, dport))
        return s

    def send(self, s, data):
        data = data.encode("latin-1") if isinstance(data, str) else data
        try:
            s.sendall(data)
        except OSError as e:
            self.seen.append(f"send failed: {e.__class__.__name__}")
            return False
        self.record("tcp", PORT, data)
        return True

    def udp(self, frames_at, dport=PORT):
        """frames_at: list of (delay before, frame builder)."""
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        u.bind((self.d["addr"], 0))
        u.connect((SERVER, dport))
        for delay, build in frames_at:
            time.sleep(delay)
            data = build().encode()
            u.send(data)
            self.record("udp", dport, data)
        return u

    # behaviours -------------------------------------------------------------
    def healthy_tcp(self, shift=datetime.timedelta(0), close="fin"):
        s = self.tcp()
        for i in range(3):
            if i:
                time.sleep(0.4)
            self.send(s, self.position(shift))
        for i in range(2):
            time.sleep(0.3)
            self.send(s, cmd_x(self.d["imei"]))
        if close == "rst":
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        s.close()

    def healthy_udp(self, shift=datetime.timedelta(0)):
        frames = [(0.0, lambda: self.position(shift))] + [(0.3, lambda: self.position(shift))] * 2 \
            + [(0.3, lambda: cmd_x(self.d["imei"]))] * 2
        self.udp(frames).close()

    def run(self):
        f = self.d["fault"]
        t = self.d["transport"]
        if f == "healthy" and t == "tcp":
            self.healthy_tcp()
        elif f == "healthy":
            self.healthy_udp()
        elif f in ("local_time", "rollover_time", "stale_fix"):
            self.healthy_tcp({"local_time": PLUS_8, "rollover_time": -ROLLOVER, "stale_fix": -STALE}[f])
        elif f in ("bad_check_digit", "short_id"):
            self.healthy_tcp()
        elif f == "device_resets":
            self.healthy_tcp(close="rst")
        elif f == "late_local_time_udp":
            self.healthy_udp(PLUS_8)
        elif f == "wrong_protocol":
            s = self.tcp()
            self.send(s, gt06_login(self.d["registered_as"]))
            time.sleep(1.0)
            self.send(s, scenarios.gt06_heartbeat())
            s.close()
        elif f == "connection_refused":
            for i in range(3):
                if i:
                    time.sleep(0.5)
                try:
                    self.tcp(CLOSED_PORT).close()
                    self.err("connect to 8889 succeeded")
                except ConnectionRefusedError:
                    self.seen.append("refused")
        elif f == "udp_unreachable":
            u = self.udp([(0.0, lambda: self.position())], CLOSED_PORT)
            u.settimeout(1.0)
            try:
                u.recv(100)
                self.err("got a UDP answer")
            except ConnectionRefusedError:
                self.seen.append("icmp port unreachable")
            except socket.timeout:
                self.seen.append("no icmp")
            u.close()
        elif f == "silent_connection":
            s = self.tcp()
            time.sleep(1.5)
            s.close()
        elif f == "heartbeats_only":
            s = self.tcp()
            for i in range(4):
                if i:
                    time.sleep(0.3)
                self.send(s, cmd_x(self.d["imei"]))
            s.close()
        elif f == "invalid_fix":
            s = self.tcp()
            for i in range(3):
                if i:
                    time.sleep(1.0)   # a new second each time: the three frames differ in TIME only
                self.send(s, self.position(valid="V", lat=0.0, lon=0.0, alt=0.0, hdop=99.99))
            s.close()
        elif f == "default_date":
            s = self.tcp()
            boot = datetime.datetime(2000, 1, 1, tzinfo=datetime.timezone.utc)
            for i in range(3):
                if i:
                    time.sleep(1.0)
                lat, lon = self.d["pos"]
                self.send(s, cmd_t(self.d["imei"], boot + datetime.timedelta(seconds=i), lat, lon,
                                   valid="V", hdop=99.99))
            s.close()
        elif f in ("server_closes", "server_resets"):
            s = self.tcp()
            self.send(s, self.position())
            time.sleep(0.4)
            self.send(s, self.position())
            time.sleep(0.2)
            s.close()
        elif f == "idle_timeout":
            s = self.tcp()
            self.send(s, self.position())
            s.settimeout(4.0)
            try:
                data = s.recv(100)
                self.seen.append("server closed (EOF)" if not data else "got data")
            except socket.timeout:
                self.err("server did not close the idle connection")
            s.close()
        elif f == "duplicates":
            s = self.tcp()
            self.send(s, self.position())
            time.sleep(0.4)
            b = self.position()
            self.send(s, b)
            for _ in range(2):
                time.sleep(0.3)
                self.send(s, b)
            time.sleep(0.4)
            self.send(s, self.position())
            for _ in range(2):
                time.sleep(0.3)
                self.send(s, cmd_x(self.d["imei"]))
            s.close()
        elif f == "buffered_alarm":
            s = self.tcp()
            self.send(s, self.position())
            time.sleep(0.4)
            self.send(s, self.position())
            time.sleep(0.4)
            lat, lon = self.d["pos"]
            self.send(s, sos_alarm(self.d["imei"], utcnow() - ALARM_AGE, lat - 0.0072, lon))
            s.close()
        elif f == "several_ids":
            s = self.tcp()
            for i in range(5):
                if i:
                    time.sleep(0.4)
                self.send(s, self.position(imei=self.d["other"] if i >= 3 else None))
            s.close()
        elif f == "reconnects":
            for i in range(3):
                if i:
                    time.sleep(0.3)
                s = self.tcp()
                self.send(s, self.position())
                time.sleep(0.1)
                s.close()
        else:
            self.err("unknown fault")


def run(sent_path):
    t0 = time.monotonic()
    errors = []

    def log(msg):
        print(f"   [{time.monotonic() - t0:5.2f}] {msg}", flush=True)

    stop = threading.Event()
    server = Server(stop)
    for t in server.threads:
        t.start()
    t_end = t0 + DEADLINE
    devices = [Device(d, errors) for d in DEVICES]

    def play(dev):
        time.sleep(dev.d["start"])
        try:
            dev.run()
        except Exception as e:   # a device that fails must not hang the others
            dev.err(f"{e!r}")

    threads = [threading.Thread(target=play, args=(dv,), daemon=True) for dv in devices]
    for t in threads:
        t.start()
    for t in threads:
        t.join(max(0.0, t_end - time.monotonic()))
    alive = sum(t.is_alive() for t in threads)
    if alive:
        errors.append(f"{alive} devices still running at the deadline")
    log(f"devices done ({len(devices) - alive} of {len(devices)})")
    # Let the server's last FINs out, then stop it.
    for t in list(server.conns):
        t.join(max(0.0, min(t_end - time.monotonic(), 3.0)))
    stop.set()
    for t in server.threads + list(server.conns):
        t.join(2.0)
    out = dict(devices=[dict(addr=dv.d["addr"], fault=dv.d["fault"], sent=dv.sent, seen=dv.seen)
                        for dv in devices],
               server=server.events)
    with open(sent_path, "w") as f:
        json.dump(out, f, indent=0)
    n = sum(len(dv.sent) for dv in devices)
    log(f"{n} frames sent, {len(server.events)} server events, {len(errors)} errors")
    for e in errors:
        log(f"ERROR {e}")
    return 1 if errors else 0


# --------------------------------------------------------------------------- check

def read_pcap(path):
    """IPv4 packets of an EN10MB pcap: dicts ts, proto, src, dst, sport, dport, flags, seq,
    payload; ICMP also icmp=(type, code) and the quoted datagram (q_dst, q_dport, q_payload)."""
    with open(path, "rb") as f:
        raw = f.read()
    e, div = {b"\xd4\xc3\xb2\xa1": ("<", 1e6), b"\xa1\xb2\xc3\xd4": (">", 1e6),
              b"\x4d\x3c\xb2\xa1": ("<", 1e9), b"\xa1\xb2\x3c\x4d": (">", 1e9)}.get(raw[:4], (None, 0))
    if e is None:
        raise ValueError(f"{path}: not a pcap file")
    linktype = struct.unpack(e + "I", raw[20:24])[0]
    if linktype != 1:
        raise ValueError(f"{path}: link type {linktype}, expected 1 (EN10MB)")
    off, out = 24, []
    while off + 16 <= len(raw):
        sec, frac, caplen, _ = struct.unpack(e + "IIII", raw[off:off + 16])
        pkt = raw[off + 16:off + 16 + caplen]
        off += 16 + caplen
        if len(pkt) < 34 or pkt[12:14] != b"\x08\x00":
            continue
        ip = pkt[14:]
        ihl = (ip[0] & 15) * 4
        l4 = ip[ihl:struct.unpack(">H", ip[2:4])[0]]
        p = dict(ts=sec + frac / div, proto=ip[9], src=socket.inet_ntoa(ip[12:16]),
                 dst=socket.inet_ntoa(ip[16:20]), sport=0, dport=0, flags="", seq=0, payload=b"")
        if p["proto"] == 6:
            p["sport"], p["dport"], p["seq"] = struct.unpack(">HHI", l4[:8])
            p["flags"] = "".join(c for c, bit in zip("FSRPA", (1, 2, 4, 8, 16)) if l4[13] & bit)
            p["payload"] = l4[(l4[12] >> 4) * 4:]
        elif p["proto"] == 17:
            p["sport"], p["dport"] = struct.unpack(">HH", l4[:4])
            p["payload"] = l4[8:]
        elif p["proto"] == 1:
            p["icmp"] = (l4[0], l4[1])
            q = l4[8:]
            if len(q) >= 28:
                qihl = (q[0] & 15) * 4
                p["q_src"], p["q_dst"] = socket.inet_ntoa(q[12:16]), socket.inet_ntoa(q[16:20])
                p["q_dport"] = struct.unpack(">H", q[qihl + 2:qihl + 4])[0]
                p["q_payload"] = q[qihl + 8:]
        out.append(p)
    return out


def frame_time(frame):
    m = re.search(r"DATE:(\d{6}),TIME:(\d{6})", frame)
    if not m:
        return None
    d = datetime.datetime.strptime(m.group(1) + m.group(2), "%y%m%d%H%M%S")
    return d.replace(tzinfo=datetime.timezone.utc).timestamp()


def check(path, sent_path):
    pk = read_pcap(path)
    with open(sent_path) as f:
        sent = json.load(f)
    bad = []

    def need(cond, what):
        if not cond:
            bad.append(what)
        return cond

    ports = (PORT, CLOSED_PORT)
    # Device source addresses: whatever sends to the platform's ports.
    up_addrs = {p["src"] for p in pk if p["proto"] in (6, 17) and p["dport"] in ports and p["dst"] == SERVER}
    need(up_addrs == set(BY_ADDR), f"{len(up_addrs)} device source addresses, expected the 200 of the manifest "
                                   f"(missing {sorted(set(BY_ADDR) - up_addrs)[:5]}, extra "
                                   f"{sorted(up_addrs - set(BY_ADDR))[:5]})")
    need(not any(p["payload"] for p in pk if p["proto"] in (6, 17) and p["sport"] == PORT),
         "the server sent application data")
    by_addr = {}
    for p in pk:
        if p["proto"] in (6, 17):
            a = p["src"] if p["dport"] in ports else p["dst"] if p["sport"] in ports else None
            if a:
                by_addr.setdefault(a, []).append(p)
        elif p["proto"] == 1:
            by_addr.setdefault(p["dst"], []).append(p)
    sent_by = {d["addr"]: d for d in sent["devices"]}
    icmp_all = [p for p in pk if p["proto"] == 1]
    need(len(icmp_all) == 1 and icmp_all[0].get("icmp") == (3, 3),
         f"{len(icmp_all)} ICMP packets, expected 1 port unreachable")
    totals = dict(packets=len(pk), frames=0, conns=0)

    for d in DEVICES:
        a, f = d["addr"], d["fault"]
        ps = by_addr.get(a, [])
        sd = sent_by.get(a, dict(sent=[], seen=[]))
        tcp = [p for p in ps if p["proto"] == 6]
        conns = sorted({p["sport"] for p in tcp if p["flags"] == "S" and p["src"] == a})
        totals["conns"] += len(conns)
        # Frames on the wire from this device (retransmissions counted once).
        seen_seq, wire = set(), []
        for p in ps:
            if p["src"] != a or not p["payload"] or p["proto"] not in (6, 17):
                continue
            key = (p["proto"], p["sport"], p["seq"])
            if p["proto"] == 6 and key in seen_seq:
                continue
            seen_seq.add(key)
            wire.append(p)
        data_sent = [s["data"].encode("latin-1") for s in sd["sent"]]
        need([p["payload"] for p in wire] == data_sent,
             f"{a} {f}: captured payloads ({len(wire)}) differ from the sent ones ({len(data_sent)})")
        totals["frames"] += len(wire)

        def flow(port):
            return [p for p in tcp if port in (p["sport"], p["dport"])]

        def first_close(c):
            """(who, flags, index) of the first FIN or RST of a connection."""
            for i, p in enumerate(c):
                if "F" in p["flags"] or "R" in p["flags"]:
                    return ("device" if p["src"] == a else "server"), p["flags"], i
            return None, "", None

        n_conns = {"connection_refused": 3, "reconnects": 3, "udp_unreachable": 0,
                   "late_local_time_udp": 0}.get(f, 0 if d["transport"] == "udp" else 1)
        need(len(conns) == n_conns, f"{a} {f}: {len(conns)} TCP connections, expected {n_conns}")
        plain = f not in ("connection_refused", "server_closes", "server_resets", "idle_timeout",
                          "device_resets")
        if plain and d["transport"] == "tcp":
            need(not any("R" in p["flags"] for p in tcp), f"{a} {f}: RST seen")
            for port in conns:
                who, _, _ = first_close(flow(port))
                need(who == "device", f"{a} {f}: port {port}: device did not close first ({who})")
                c = flow(port)
                need(sum("F" in p["flags"] for p in c) == 2, f"{a} {f}: port {port}: not one FIN each way")
        if f == "connection_refused":
            syn = [p for p in tcp if p["flags"] == "S"]
            rst = [p for p in tcp if p["src"] == SERVER and "R" in p["flags"] and "A" in p["flags"]]
            need(len(syn) == 3 and len(rst) == 3 and all(p["dport"] == CLOSED_PORT for p in syn),
                 f"{a} {f}: {len(syn)} SYN / {len(rst)} RST,ACK on 8889")
            need(not any("S" in p["flags"] and "A" in p["flags"] for p in tcp), f"{a} {f}: SYN-ACK seen")
        if f == "udp_unreachable":
            icmp = [p for p in ps if p["proto"] == 1]
            need(len(icmp) == 1 and icmp[0].get("icmp") == (3, 3) and icmp[0].get("q_dport") == CLOSED_PORT
                 and icmp[0].get("q_src") == a and data_sent and icmp[0].get("q_payload") == data_sent[0],
                 f"{a} {f}: no ICMP port unreachable quoting its datagram")
        if f == "silent_connection" and conns:
            c = flow(conns[0])
            fin = [p["ts"] for p in c if p["src"] == a and "F" in p["flags"]]
            need(not any(p["payload"] for p in c) and fin and fin[0] - c[0]["ts"] >= 1.4,
                 f"{a} {f}: not a silent connection of ~1.5 s")
        if f in ("server_closes", "server_resets") and conns:
            c = flow(conns[0])
            who, flags, i = first_close(c)
            want = "F" if f == "server_closes" else "R"
            first_data = next((j for j, p in enumerate(c) if p["src"] == a and p["payload"]), None)
            need(who == "server" and want in flags and first_data is not None and i > first_data,
                 f"{a} {f}: server did not close ({want}) after the first frame ({who} {flags})")
            if f == "server_closes" and i is not None:
                after = c[i + 1:]
                d2 = next((j for j, p in enumerate(after) if p["src"] == a and p["payload"]), None)
                need(d2 is not None and any(p["src"] == SERVER and "R" in p["flags"] for p in after[d2:]),
                     f"{a} {f}: the 2nd CMD-T is not answered with RST")
            if f == "server_resets":
                need(len(wire) == 1, f"{a} {f}: {len(wire)} frames, expected 1")
        if f == "idle_timeout" and conns:
            c = flow(conns[0])
            who, flags, i = first_close(c)
            last_data = max((p["ts"] for p in c if p["src"] == a and p["payload"]), default=None)
            need(who == "server" and flags and "F" in flags and "R" not in flags and last_data is not None
                 and 1.9 <= c[i]["ts"] - last_data <= 3.5,
                 f"{a} {f}: no server FIN ~2 s after the last frame ({who} {flags})")
            need(not any("R" in p["flags"] for p in c), f"{a} {f}: RST seen")
        if f == "device_resets" and conns:
            c = flow(conns[0])
            who, flags, _ = first_close(c)
            need(who == "device" and "R" in flags, f"{a} {f}: device did not close with RST ({who} {flags})")
        if f == "wrong_protocol":
            need(b"".join(p["payload"] for p in wire) == gt06_login(d["registered_as"]) + scenarios.gt06_heartbeat(),
                 f"{a} {f}: GT06 bytes differ")
        # Frame contents and times.
        frames = [(p["ts"], m.decode("latin-1")) for p in wire for m in re.findall(rb"#[^#]*#", p["payload"])]
        if f != "wrong_protocol":
            ids = [fr[1:].split(",", 1)[0] for _, fr in frames]
            want_ids = [d["imei"]] * len(ids)
            if f == "several_ids":
                want_ids = [d["imei"]] * 3 + [d["other"]] * 2
            need(ids == want_ids, f"{a} {f}: identifiers {sorted(set(ids))}")
        shift = {"local_time": PLUS_8, "late_local_time_udp": PLUS_8, "rollover_time": -ROLLOVER,
                 "stale_fix": -STALE}.get(f, datetime.timedelta(0)).total_seconds()
        for ts, fr in frames:
            ft = frame_time(fr)
            if ft is None:
                continue
            if f == "default_date":
                need(fr.split(",")[3].startswith("DATE:000101") and ",CMD-T,V," in fr, f"{a} {f}: {fr}")
                continue
            s = shift - ALARM_AGE.total_seconds() if ",ALM-A," in fr else shift
            lag = ts - (ft - s)
            need(-0.01 <= lag < 2.0, f"{a} {f}: frame time vs capture {lag:.3f} s: {fr}")
        kinds = [fr.split(",")[1] + ("," + fr.split(",")[2] if fr.count(",") > 2 else "") for _, fr in frames]
        expect = {"healthy": ["CMD-T,A"] * 3 + ["CMD-X#"] * 2,
                  "heartbeats_only": ["CMD-X#"] * 4,
                  "invalid_fix": ["CMD-T,V"] * 3,
                  "default_date": ["CMD-T,V"] * 3,
                  "duplicates": ["CMD-T,A"] * 5 + ["CMD-X#"] * 2,
                  "buffered_alarm": ["CMD-T,A"] * 2 + ["ALM-A,A"],
                  "several_ids": ["CMD-T,A"] * 5,
                  "reconnects": ["CMD-T,A"] * 3,
                  "server_closes": ["CMD-T,A"] * 2,
                  "server_resets": ["CMD-T,A"],
                  "idle_timeout": ["CMD-T,A"],
                  "udp_unreachable": ["CMD-T,A"]}
        for g in ("local_time", "rollover_time", "stale_fix", "device_resets", "bad_check_digit", "short_id",
                  "late_local_time_udp"):
            expect[g] = expect["healthy"]
        if f in expect:
            need(kinds == expect[f], f"{a} {f}: frames {kinds}")
        if f == "duplicates" and len(frames) == 7:
            fs = [fr for _, fr in frames]
            need(fs[1] == fs[2] == fs[3] and len(set(fs[:5])) == 3, f"{a} {f}: not A, B, B, B, C")
        if f == "healthy" or f in expect and f not in ("duplicates",):
            ts_ = [fr for _, fr in frames if ",CMD-T," in fr or ",ALM-" in fr]
            need(len(set(ts_)) == len(ts_), f"{a} {f}: repeated position frames")
    print(f"   check: {totals['packets']} packets, {len(up_addrs)} device addresses, {totals['conns']} TCP "
          f"connections, {totals['frames']} device payloads"
          + ("" if not bad else f" -- FAILED ({len(bad)}):\n      " + "\n      ".join(bad[:40])))
    return 1 if bad else 0


# --------------------------------------------------------------------------- main

def write_tsv(path):
    with open(path, "w") as f:
        f.write(HEADER + "\n")
        for d in DEVICES:
            f.write("\t".join([d["imei"] or "-", d["addr"], d["transport"], d["fault"], d["fail"], d["warn"],
                               d["registered_as"] or "-", d["notes"]]) + "\n")


def main(argv):
    def opt(name):
        return argv[argv.index(name) + 1] if name in argv else None

    cmd = argv[1] if len(argv) > 1 else ""
    if cmd == "run" and opt("--sent"):
        return run(opt("--sent"))
    if cmd == "check" and len(argv) > 2 and opt("--sent"):
        return check(argv[2], opt("--sent"))
    if cmd == "tsv" and len(argv) > 2:
        write_tsv(argv[2])
        return 0
    if cmd == "addresses":
        print("\n".join(d["addr"] for d in DEVICES))
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
