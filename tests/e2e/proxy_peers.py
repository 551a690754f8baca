#!/usr/bin/env python3
"""A device and a platform as separate programs, for the proxy's tests. Each writes what it saw as
one JSON object to --out when it ends (bytes received as hex and as a SHA-256, what it sent, the
error that ended it); every wait is bounded.

  proxy_peers.py platform --mode MODE --port-file F --out F [--udp]
  proxy_peers.py device --mode MODE --port PORT [--host H] --out F [--udp]
"""
import argparse
import hashlib
import json
import os
import random
import socket
import struct
import sys
import threading
import time

IMEI = "867648040000018"
LOGIN = f"#{IMEI},CMD-T,A,DATE:240101,TIME:120000,LAT:22.5000000N,LOT:114.0000000E,Speed:000.0,X-X-X-X-81-5,000,460-0-0-0#"
HEARTBEAT = f"#{IMEI},CMD-X#"


def stream_bytes(seed, size):
    """Deterministic traffic: GOTOP frames (some glued together) mixed with arbitrary bytes."""
    rnd = random.Random(seed)
    out = bytearray()
    while len(out) < size:
        k = rnd.random()
        if k < 0.4:
            out += LOGIN.encode()
        elif k < 0.6:
            out += (HEARTBEAT * rnd.randint(1, 4)).encode()
        elif k < 0.8:
            out += f":123456M1,{rnd.randint(1, 254):03d}S#".encode()
        else:
            out += bytes(rnd.getrandbits(8) for _ in range(rnd.randint(1, 300)))
    return bytes(out[:size])


def send_in_pieces(sock, data, seed):
    """Sends `data` cut at random places (frames split across writes), with short pauses."""
    rnd = random.Random(seed)
    at = 0
    while at < len(data):
        n = rnd.choice([1, 3, 17, 200, 1400, 9000, 65536])
        sock.sendall(data[at:at + n])
        at += n
        if rnd.random() < 0.05:
            time.sleep(0.001)


def read_until_eof(sock, limit_s=20, on_chunk=None):
    got = bytearray()
    error = None
    deadline = time.time() + limit_s
    sock.settimeout(0.5)
    while time.time() < deadline:
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            continue
        except OSError as e:
            error = e.__class__.__name__
            break
        if not chunk:
            break
        got += chunk
        if on_chunk:
            on_chunk(bytes(got))
    else:
        error = "timeout"
    return bytes(got), error


def read_until(sock, needle, limit_s=10):
    got = bytearray()
    deadline = time.time() + limit_s
    sock.settimeout(0.5)
    while needle not in got and time.time() < deadline:
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            continue
        if not chunk:
            break
        got += chunk
    return bytes(got)


def summary(**kw):
    for key in list(kw):
        if isinstance(kw[key], (bytes, bytearray)):
            data = bytes(kw[key])
            kw[key] = {"len": len(data), "sha256": hashlib.sha256(data).hexdigest(), "head": data[:400].decode("latin-1")}
    return kw


def reset(sock):
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def platform(args):
    family = socket.AF_INET6 if args.ipv6 else socket.AF_INET
    host = "::1" if args.ipv6 else "127.0.0.1"
    if args.udp:
        s = socket.socket(family, socket.SOCK_DGRAM)
        s.bind((host, 0))
        open(args.port_file + ".tmp", "w").write(str(s.getsockname()[1]))
        os.rename(args.port_file + ".tmp", args.port_file)
        s.settimeout(0.5)
        got = []
        deadline = time.time() + args.limit
        while time.time() < deadline and len(got) < args.count:
            try:
                data, peer = s.recvfrom(65536)
            except socket.timeout:
                continue
            got.append(data.decode("latin-1"))
            s.sendto(b":123456F#", peer)  # a real platform's command, answered per datagram
        return {"datagrams": got}
    ls = socket.socket(family, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((host, 0))
    ls.listen(0 if args.mode == "never_accept" else 16)
    open(args.port_file + ".tmp", "w").write(str(ls.getsockname()[1]))
    os.rename(args.port_file + ".tmp", args.port_file)
    if args.mode == "never_accept":
        # A backlog that is full: a filler connection takes the only place, later SYNs go unanswered.
        filler = socket.create_connection((host, ls.getsockname()[1]))
        time.sleep(args.limit)
        filler.close()
        return {}
    ls.settimeout(args.limit)
    c, peer = ls.accept()
    result = {"peer": list(peer[:2])}
    mode = args.mode
    if mode == "relay":
        sent = stream_bytes(2, args.size)
        t = threading.Thread(target=send_in_pieces, args=(c, sent, 3))
        t.start()
        got, err = read_until_eof(c, args.limit)
        t.join()
        c.shutdown(socket.SHUT_WR)
        read_until_eof(c, 2)
        return summary(got=got, sent=sent, error=err, **result)
    if mode == "midframe":
        first = read_until(c, b"#", 10)  # the device's login
        c.sendall(b":123456")            # a command begun ...
        time.sleep(args.pause)           # ... while the engineer's command arrives at the proxy
        c.sendall(b"F#")
        got, err = read_until_eof(c, args.limit)
        return summary(got=first + got, error=err, **result)
    if mode == "header":
        got, err = read_until_eof(c, args.limit)
        return summary(got=got, error=err, **result)
    if mode == "wait_eof_then_reply":
        got, err = read_until_eof(c, args.limit)
        c.sendall(b":123456F#")  # still heard by the device after its FIN
        c.close()
        return summary(got=got, error=err, **result)
    if mode == "halfclose":
        read_until(c, b"#", 10)
        c.sendall(b":123456F#")
        c.shutdown(socket.SHUT_WR)  # no more commands; still listening
        got, err = read_until_eof(c, args.limit)
        return summary(got=got, error=err, **result)
    if mode == "reset":
        got = read_until(c, b"#", 10)
        reset(c)
        return summary(got=got, **result)
    if mode == "stall":
        time.sleep(args.pause)  # reads nothing for a while ...
        got, err = read_until_eof(c, args.limit)  # ... then everything
        return summary(got=got, error=err, **result)
    if mode == "flood":
        sent = 0
        c.settimeout(args.pause)
        block = (":123456F#" * 1000).encode()
        try:
            while sent < args.size:
                c.sendall(block)
                sent += len(block)
        except (socket.timeout, OSError) as e:
            result["stopped"] = e.__class__.__name__
        result["sent"] = sent
        reset(c)
        return result
    raise SystemExit(f"unknown platform mode {mode}")


def device(args):
    family = socket.AF_INET6 if args.ipv6 else socket.AF_INET
    host = args.host
    if args.udp:
        s = socket.socket(family, socket.SOCK_DGRAM)
        s.settimeout(2)
        replies = []
        for i in range(args.count):
            s.sendto(f"#{IMEI},CMD-X#".encode(), (host, args.port))
            try:
                replies.append(s.recv(65536).decode("latin-1"))
            except socket.timeout:
                replies.append(None)
        return {"replies": replies, "local": list(s.getsockname()[:2])}
    c = socket.create_connection((host, args.port), timeout=10)
    result = {"local": list(c.getsockname()[:2])}
    mode = args.mode
    if mode == "relay":
        sent = stream_bytes(1, args.size)
        t = threading.Thread(target=send_in_pieces, args=(c, sent, 4))
        t.start()
        t.join()
        c.shutdown(socket.SHUT_WR)
        got, err = read_until_eof(c, args.limit)
        return summary(got=got, sent=sent, error=err, **result)
    if mode == "answer":
        # Logs in, then answers every command as a GOTOP device does, until the platform closes.
        c.sendall(LOGIN.encode())
        got = bytearray()
        answered = 0
        deadline = time.time() + args.limit
        c.settimeout(0.3)
        while time.time() < deadline:
            try:
                chunk = c.recv(65536)
            except socket.timeout:
                if answered and args.close_after_answer:
                    break
                continue
            if not chunk:
                break
            got += chunk
            frames = bytes(got).split(b"#")[:-1]
            while answered < len(frames):
                body = frames[answered].decode("latin-1").lstrip(":")
                letter = body[6:7] if len(body) > 6 else "X"
                c.sendall(f"#{IMEI},CMD-{letter},A,DATE:240101,TIME:120001,LAT:22.5000000N,LOT:114.0000000E,Speed:000.0,X-X-X-X-81-5,000,460-0-0-0#".encode())
                answered += 1
        c.close()
        return summary(got=got, answered=answered, **result)
    if mode == "halfclose":
        c.sendall(LOGIN.encode())
        c.shutdown(socket.SHUT_WR)  # done sending, still listening
        got, err = read_until_eof(c, args.limit)
        return summary(got=got, error=err, **result)
    if mode == "after_platform_fin":
        c.sendall(LOGIN.encode())
        got, err = read_until_eof(c, args.limit)  # the platform's FIN arrives ...
        c.sendall(HEARTBEAT.encode())              # ... and the device can still speak
        time.sleep(0.3)
        c.close()
        return summary(got=got, error=err, **result)
    if mode == "reset":
        c.sendall(LOGIN.encode())
        time.sleep(0.3)
        reset(c)
        return result
    if mode == "wait_reset":
        c.sendall(LOGIN.encode())
        got, err = read_until_eof(c, args.limit)
        return summary(got=got, error=err, **result)
    if mode == "flood":
        c.settimeout(args.pause)
        sent = 0
        block = (LOGIN * 200).encode()
        try:
            while sent < args.size:
                c.sendall(block)
                sent += len(block)
        except (socket.timeout, OSError) as e:
            result["stopped"] = e.__class__.__name__
        result["sent"] = sent
        c.shutdown(socket.SHUT_WR)
        read_until_eof(c, args.limit)
        return result
    if mode == "stall":
        c.sendall(LOGIN.encode())
        time.sleep(args.pause)  # reads nothing while the platform floods
        reset(c)
        return result
    raise SystemExit(f"unknown device mode {mode}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("role", choices=["platform", "device"])
    ap.add_argument("--mode", default="relay")
    ap.add_argument("--port-file")
    ap.add_argument("--port", type=int)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--out", required=True)
    ap.add_argument("--udp", action="store_true")
    ap.add_argument("--ipv6", action="store_true")
    ap.add_argument("--size", type=int, default=1 << 20)
    ap.add_argument("--count", type=int, default=3)
    ap.add_argument("--pause", type=float, default=1.0)
    ap.add_argument("--limit", type=float, default=20)
    ap.add_argument("--close-after-answer", action="store_true")
    args = ap.parse_args()
    try:
        result = platform(args) if args.role == "platform" else device(args)
    except Exception as e:  # the driver asserts on what happened, failures included
        result = {"exception": f"{e.__class__.__name__}: {e}"}
    json.dump(result, open(args.out, "w"))


if __name__ == "__main__":
    main()
