#!/usr/bin/env python3
"""vt106 proxy between a device and a platform, each a separate program (proxy_peers.py), on
loopback: every case starts the platform, the proxy and the device, then checks what each side
received, the proxy's records and its summary.  proxy_cases.py VT106 [CASE...]"""
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

BIN = os.path.abspath(sys.argv[1])
HERE = os.path.dirname(os.path.abspath(__file__))
PEERS = os.path.join(HERE, "proxy_peers.py")
WORK = tempfile.mkdtemp(prefix="vt106-proxy-")
IMEI = "867648040000018"
failures = []


class Case:
    def __init__(self, name):
        self.name = name
        self.dir = os.path.join(WORK, name)
        os.makedirs(self.dir)
        self.procs = []

    def path(self, name):
        return os.path.join(self.dir, name)

    def platform(self, mode, *extra):
        port_file = self.path("platform.port")
        p = subprocess.Popen([sys.executable, PEERS, "platform", "--mode", mode, "--port-file", port_file,
                              "--out", self.path("platform.json"), *extra])
        self.procs.append(p)
        for _ in range(200):
            if os.path.exists(port_file):
                return p, int(open(port_file).read())
            time.sleep(0.025)
        raise AssertionError("the platform did not start")

    def proxy(self, to, *extra, listen="127.0.0.1:0", stdin=subprocess.DEVNULL):
        self.out = open(self.path("proxy.out"), "wb")
        self.err = open(self.path("proxy.err"), "wb")
        p = subprocess.Popen([BIN, "proxy", "--listen", listen, "--to", to, *extra], stdin=stdin, stdout=self.out,
                             stderr=self.err)
        self.procs.append(p)
        for _ in range(200):
            m = re.search(r"relaying .*:(\d+) \(tcp and udp\)", self.stderr())
            if m:
                return p, int(m.group(1))
            if p.poll() is not None:
                raise AssertionError(f"the proxy exited {p.returncode}: {self.stderr()}")
            time.sleep(0.025)
        raise AssertionError("the proxy did not start")

    def device(self, mode, port, *extra, wait=True):
        p = subprocess.Popen([sys.executable, PEERS, "device", "--mode", mode, "--port", str(port), "--out",
                              self.path("device.json"), *extra])
        self.procs.append(p)
        if wait:
            p.wait(timeout=60)
            return self.result("device")
        return p

    def result(self, who):
        return json.load(open(self.path(who + ".json")))

    def stderr(self):
        return open(self.path("proxy.err"), encoding="utf-8", errors="replace").read()

    def stop(self, proxy):
        proxy.send_signal(signal.SIGINT)
        proxy.wait(timeout=30)
        return proxy.returncode

    def records(self):
        return [json.loads(line) for line in open(self.path("proxy.out"), encoding="utf-8")]

    def close(self):
        for p in self.procs:
            if p.poll() is None:
                p.kill()
                p.wait()


def case(fn):
    name = fn.__name__
    if len(sys.argv) > 2 and name not in sys.argv[2:]:
        return fn
    c = Case(name)
    try:
        fn(c)
        print(f"ok   {name}")
    except Exception as e:  # one case failing does not hide the others
        failures.append(name)
        print(f"FAIL {name}: {e.__class__.__name__}: {e}")
        for f in ("proxy.err", "proxy.out"):
            if os.path.exists(c.path(f)):
                print(f"--- {f}\n" + open(c.path(f), encoding="utf-8", errors="replace").read()[:3000])
    finally:
        c.close()
    return fn


def wait_for(predicate, what, limit=10):
    deadline = time.time() + limit
    while time.time() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def rss_kb(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def peak_rss_kb(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


@case
def relay_exact_both_ways(c):
    """Megabytes of frames split and glued at random places, arbitrary bytes between them: each side
    receives exactly what the other sent (digests), and the frames are decoded both ways."""
    plat, pport = c.platform("relay", "--size", str(3 << 20))
    proxy, port = c.proxy(f"127.0.0.1:{pport}")
    dev = c.device("relay", port, "--size", str(4 << 20))
    plat.wait(timeout=60)
    p = c.result("platform")
    assert "exception" not in dev and "exception" not in p, (dev, p)
    assert p["got"]["sha256"] == dev["sent"]["sha256"] and p["got"]["len"] == 4 << 20, "device -> platform differs"
    assert dev["got"]["sha256"] == p["sent"]["sha256"] and dev["got"]["len"] == 3 << 20, "platform -> device differs"
    assert c.stop(proxy) == 0
    recs = c.records()
    up = [r for r in recs if r["kind"] == "message" and r["dir"] == "up"]
    down = [r for r in recs if r["kind"] == "message" and r["dir"] == "down"]
    assert len(up) > 1000 and len(down) > 1000, (len(up), len(down))
    # (random bytes between the frames may happen to look like a frame "#5,...": event unknown)
    assert all(r["imei"] == IMEI for r in up if r["event"] != "unknown"), "every uplink record names the device"
    assert all(r["src"].startswith("127.0.0.1:") for r in up), "uplink records come from the device's address"
    flows = [r for r in recs if r["kind"] == "flow"]
    assert len(flows) == 1 and flows[0]["close"] == "fin", flows
    assert flows[0]["bytes_up"] == 4 << 20 and flows[0]["bytes_down"] == 3 << 20, flows


@case
def command_between_platform_frames(c):
    """A command typed while the platform is in the middle of a frame goes after that frame, never
    inside it; the device's answer is shown beside it and reaches the platform too."""
    plat, pport = c.platform("midframe", "--pause", "1.5", "--limit", "8")
    r, w = os.pipe()
    proxy, port = c.proxy(f"127.0.0.1:{pport}", stdin=r)
    os.close(r)
    dev = c.device("answer", port, "--limit", "6", wait=False)
    # The platform has sent ":123456" and pauses: the command arrives now.
    time.sleep(0.7)
    os.write(w, f"{IMEI} track 30s\n".encode())
    dev.wait(timeout=30)
    os.close(w)
    d = c.result("device")
    got = d["got"]["head"]
    assert got == ":123456F#:123456M1,030S#", got
    plat.wait(timeout=30)
    p = c.result("platform")
    assert "CMD-F" in p["got"]["head"] and "CMD-M" in p["got"]["head"], "the platform receives both answers"
    assert c.stop(proxy) == 0
    assert re.search(rf"{IMEI} answered 'track 30s' \(:123456M1,030S#\): #{IMEI},CMD-M,A,", c.stderr()), c.stderr()
    down = [(r["raw"], r["imei"]) for r in c.records() if r["kind"] == "message" and r["dir"] == "down"]
    assert down == [(":123456F#", IMEI), (":123456M1,030S#", IMEI)], down  # commands name their device
    assert "1 commands put in" in c.stderr()


@case
def send_option_waits_for_the_device(c):
    plat, pport = c.platform("header", "--limit", "6")
    proxy, port = c.proxy(f"127.0.0.1:{pport}", "--send", f"{IMEI} locate")
    assert f"{IMEI} is not connected; 'locate' (:123456F#) is sent when it connects" in c.stderr(), c.stderr()
    d = c.device("answer", port, "--limit", "5", "--close-after-answer")
    assert d["got"]["head"] == ":123456F#", d
    plat.wait(timeout=30)
    assert c.stop(proxy) == 0
    assert f"{IMEI} answered 'locate'" in c.stderr()


@case
def device_half_close(c):
    """The device's FIN reaches the platform, which still answers; the device hears it."""
    plat, pport = c.platform("wait_eof_then_reply")
    proxy, port = c.proxy(f"127.0.0.1:{pport}")
    d = c.device("halfclose", port)
    assert d["got"]["head"] == ":123456F#" and d["error"] is None, d
    plat.wait(timeout=30)
    assert c.result("platform")["got"]["head"].startswith(f"#{IMEI},CMD-T")
    assert c.stop(proxy) == 0
    flows = [r for r in c.records() if r["kind"] == "flow"]
    assert flows and flows[0]["close"] == "fin", flows
    assert "closed by the device" in c.stderr(), c.stderr()


@case
def platform_half_close(c):
    plat, pport = c.platform("halfclose")
    proxy, port = c.proxy(f"127.0.0.1:{pport}")
    d = c.device("after_platform_fin", port)
    assert d["got"]["head"] == ":123456F#" and d["error"] is None, d
    plat.wait(timeout=30)
    got = c.result("platform")["got"]["head"]
    assert got.endswith(f"#{IMEI},CMD-X#"), got  # sent by the device after the platform's FIN
    assert c.stop(proxy) == 0
    assert "closed by the platform" in c.stderr(), c.stderr()


@case
def device_reset(c):
    plat, pport = c.platform("stall", "--pause", "1.0", "--limit", "5")
    proxy, port = c.proxy(f"127.0.0.1:{pport}")
    c.device("reset", port)
    plat.wait(timeout=30)
    p = c.result("platform")
    assert p.get("error") == "ConnectionResetError", p  # the reset was passed on
    assert c.stop(proxy) == 0
    errs = [r for r in c.records() if r["kind"] == "error"]
    assert [e["code"] for e in errs] == ["device_reset"], errs


@case
def platform_reset(c):
    plat, pport = c.platform("reset")
    proxy, port = c.proxy(f"127.0.0.1:{pport}")
    d = c.device("wait_reset", port)
    assert d.get("error") == "ConnectionResetError", d
    assert c.stop(proxy) == 0
    errs = [r for r in c.records() if r["kind"] == "error"]
    assert [e["code"] for e in errs] == ["platform_reset"], errs
    assert errs[0]["imei"] == IMEI


@case
def upstream_refused(c):
    # A port nothing listens on: bind one, note it, close it.
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    dead = s.getsockname()[1]
    s.close()
    proxy, port = c.proxy(f"127.0.0.1:{dead}")
    d = c.device("wait_reset", port)
    assert d.get("error") == "ConnectionResetError" or "ConnectionResetError" in d.get("exception", ""), d
    assert c.stop(proxy) == 0
    errs = [r for r in c.records() if r["kind"] == "error"]
    assert [e["code"] for e in errs] == ["upstream_refused"], errs
    assert "refused the connection" in errs[0]["message"], errs


@case
def upstream_timeout(c):
    plat, pport = c.platform("never_accept", "--limit", "6")
    time.sleep(0.3)
    proxy, port = c.proxy(f"127.0.0.1:{pport}", "--connect-timeout", "0.5")
    t0 = time.time()
    d = c.device("wait_reset", port, "--limit", "8")
    took = time.time() - t0
    assert d.get("error") == "ConnectionResetError", d
    assert took < 6, took
    assert c.stop(proxy) == 0
    errs = [r for r in c.records() if r["kind"] == "error"]
    assert [e["code"] for e in errs] == ["upstream_timeout"], errs


@case
def stalled_platform_bounded(c):
    """The platform reads nothing for 4 s while the device sends 200 MB: the proxy stops reading the
    device (back-pressure) instead of holding it, then everything arrives."""
    plat, pport = c.platform("stall", "--pause", "4", "--limit", "60")
    proxy, port = c.proxy(f"127.0.0.1:{pport}", "--max-buffer", "262144", "--no-doctor")
    at_start = rss_kb(proxy.pid)  # what the program holds before any traffic (more under the sanitizers)
    dev = c.device("flood", port, "--size", str(200 << 20), "--pause", "2", "--limit", "60", wait=False)
    time.sleep(3)
    rss_stalled = peak_rss_kb(proxy.pid)
    dev.wait(timeout=120)
    plat.wait(timeout=120)
    d, p = c.result("device"), c.result("platform")
    assert d.get("stopped") in ("timeout", "TimeoutError"), d  # the device's writes blocked: it was not read
    assert p["got"]["len"] == d["sent"], (p["got"]["len"], d["sent"])
    assert rss_stalled - at_start < 48 * 1024, f"peak RSS {rss_stalled} kB while the platform stalled ({at_start} kB at the start)"
    assert c.stop(proxy) == 0
    assert re.search(r"a side paused [1-9]\d* times", c.stderr()), c.stderr()


@case
def stalled_device_bounded(c):
    plat, pport = c.platform("flood", "--size", str(400 << 20), "--pause", "2", "--limit", "30")
    proxy, port = c.proxy(f"127.0.0.1:{pport}", "--max-buffer", "262144", "--no-doctor")
    at_start = rss_kb(proxy.pid)
    c.device("stall", port, "--pause", "6")
    plat.wait(timeout=60)
    p = c.result("platform")
    # The platform's writes blocked (or met the device's reset at the end): it could not push more
    # than the queues and the kernel's buffers hold.
    assert p.get("stopped") in ("timeout", "TimeoutError", "ConnectionResetError") and p["sent"] < 64 << 20, p
    peak = peak_rss_kb(proxy.pid)
    assert peak - at_start < 48 * 1024, f"peak RSS {peak} kB while the device stalled ({at_start} kB at the start)"
    assert c.stop(proxy) == 0


@case
def udp_devices(c):
    plat, pport = c.platform("udp", "--udp", "--count", "6")
    proxy, port = c.proxy(f"127.0.0.1:{pport}")
    d1 = c.device("udp", port, "--udp", "--count", "3")
    os.rename(c.path("device.json"), c.path("device1.json"))
    d2 = c.device("udp", port, "--udp", "--count", "3")
    assert d1["replies"] == [":123456F#"] * 3 and d2["replies"] == [":123456F#"] * 3, (d1, d2)
    plat.wait(timeout=30)
    assert c.stop(proxy) == 0
    recs = c.records()
    msgs = [r for r in recs if r["kind"] == "message"]
    assert len(msgs) == 12 and all(r["transport"] == "udp" for r in msgs), msgs
    assert len({r["flow"] for r in msgs}) == 2, "one flow per device address"
    assert "2 udp devices (2 at once at most)" in c.stderr(), c.stderr()


@case
def ipv6_and_capture(c):
    """IPv6 on both sides; -w saves the device's side as a capture that decode reads back as the
    same records, and replay plans from."""
    plat, pport = c.platform("relay", "--ipv6", "--size", "20000")
    proxy, port = c.proxy(f"[::1]:{pport}", "-w", c.path("seen.pcapng"), listen="[::1]:0")
    dev = c.device("relay", port, "--ipv6", "--host", "::1", "--size", "30000")
    plat.wait(timeout=30)
    assert c.result("platform")["got"]["sha256"] == dev["sent"]["sha256"]
    assert c.stop(proxy) == 0
    live = [(r["dir"], r["raw"]) for r in c.records() if r["kind"] == "message"]
    out = subprocess.run([BIN, "decode", c.path("seen.pcapng")], capture_output=True, text=True, timeout=60)
    again = [json.loads(l) for l in out.stdout.splitlines()]
    assert [(r["dir"], r["raw"]) for r in again if r["kind"] == "message"] == live, "the capture decodes as it was seen"
    assert all(r["src"].startswith("[::1]:") for r in again if r["kind"] == "message" and r["dir"] == "up")
    doc = subprocess.run([BIN, "doctor", c.path("seen.pcapng")], capture_output=True, text=True, timeout=60)
    assert f"GOTOP device {IMEI}" in doc.stdout, doc.stdout[:1000] + doc.stderr
    plan = subprocess.run([BIN, "replay", c.path("seen.pcapng")], capture_output=True, text=True, timeout=60)
    assert plan.returncode == 0 and '"kind":"plan"' in plan.stdout.replace(" ", ""), plan.stdout[:500] + plan.stderr


@case
def proxy_protocol_headers(c):
    for version, check in (("v1", lambda h, port: h.startswith(f"PROXY TCP4 127.0.0.1 127.0.0.1 ") and f" {port}\r\n" in h),
                           ("v2", lambda h, port: h.startswith("\r\n\r\n\x00\r\nQUIT\n\x21\x11\x00\x0c"))):
        plat, pport = c.platform("header", "--limit", "5")
        proxy, port = c.proxy(f"127.0.0.1:{pport}", "--proxy-protocol", version)
        c.device("halfclose", port)
        plat.wait(timeout=30)
        head = c.result("platform")["got"]["head"]
        assert check(head, port), (version, head)
        assert head.endswith(f"#{IMEI},CMD-T,A,DATE:240101,TIME:120000,LAT:22.5000000N,LOT:114.0000000E,Speed:000.0,X-X-X-X-81-5,000,460-0-0-0#")
        assert c.stop(proxy) == 0
        recs = c.records()
        assert not any(r["kind"] == "error" for r in recs), "the header is not the device's: no error for it"
        os.rename(c.path("platform.json"), c.path(f"platform-{version}.json"))
        os.remove(c.path("platform.port"))


@case
def connection_limit(c):
    """Beyond --max-connections a device is refused (its connection closed) with a record, and the
    devices already relayed go on."""
    plat, pport = c.platform("wait_eof_then_reply", "--limit", "8")
    proxy, port = c.proxy(f"127.0.0.1:{pport}", "--max-connections", "1")
    import socket
    first = socket.create_connection(("127.0.0.1", port))
    first.sendall(f"#{IMEI},CMD-X#".encode())
    wait_for(lambda: "connection_limit" not in open(c.path("proxy.out")).read(), "the first device")
    time.sleep(0.3)
    second = socket.create_connection(("127.0.0.1", port))
    second.settimeout(5)
    assert second.recv(100) == b"", "the second device's connection is closed"
    second.close()
    first.shutdown(socket.SHUT_WR)
    first.settimeout(5)
    assert first.recv(100) == b":123456F#", "the first device is still relayed"
    first.close()
    plat.wait(timeout=30)
    assert c.stop(proxy) == 0
    errs = [r for r in c.records() if r["kind"] == "error"]
    assert [e["code"] for e in errs] == ["connection_limit"], errs
    assert "refused: 1 device is relayed already (--max-connections 1)" in errs[0]["message"], errs


@case
def summary_and_verdict(c):
    plat, pport = c.platform("wait_eof_then_reply")
    proxy, port = c.proxy(f"127.0.0.1:{pport}")
    c.device("halfclose", port)
    plat.wait(timeout=30)
    assert c.stop(proxy) == 0
    err = c.stderr()
    assert re.search(rf"\n  {IMEI} +1 connection, 1 messages up, 1 down", err), err
    assert re.search(r"GOTOP device " + IMEI, err), err  # the doctor's verdict for it


@case
def foreign_protocol_relayed(c):
    plat, pport = c.platform("wait_eof_then_reply")
    proxy, port = c.proxy(f"127.0.0.1:{pport}")
    import socket
    s = socket.create_connection(("127.0.0.1", port))
    gt06 = bytes.fromhex("78780d01086471700328358100093f040d0a")  # a GT06 login (Traccar's test vector)
    s.sendall(gt06)
    s.shutdown(socket.SHUT_WR)
    s.settimeout(5)
    back = b""
    while True:
        chunk = s.recv(100)
        if not chunk:
            break
        back += chunk
    s.close()
    plat.wait(timeout=30)
    assert back == b":123456F#"
    assert c.result("platform")["got"]["head"].encode("latin-1") == gt06, "relayed all the same"
    assert c.stop(proxy) == 0
    foreign = [r for r in c.records() if r["kind"] == "foreign"]
    assert len(foreign) == 1 and foreign[0]["protocol"] == "gt06", foreign


print(f"{len(failures)} failed" if failures else "all proxy cases passed")
sys.exit(1 if failures else 0)
