#!/usr/bin/env python3
"""Writes a deterministic pcap of GOTOP traffic for benchmarks.

N devices report M messages in total over TCP (most) and UDP, with the variants of the GOTOP
protocol (positions in several layouts, heartbeats, alarms, Wi-Fi lists), frames split across
segments and glued together, a small share of retransmitted and reordered segments, and a
downlink command now and then. The same arguments always give the same bytes. Prints how many
frames it wrote (uplink and downlink) on stderr.

By default packets are 150 µs apart; --interval-us sets another gap and --duration spreads the
capture over that many seconds instead (every device then reports now and then over a realistic
span, for replays at the capture's own pace).

usage: make_capture.py OUT.pcap --devices 2000 --messages 1000000 [--seed 1] [--udp-share 0.1]
                       [--interval-us 150 | --duration SECONDS]
"""
import argparse
import random
import struct
import sys

BODIES = [
    "{imei},CMD-T,A,DATE:{d},TIME:{t},LAT:{lat}N,LOT:{lon}E,Speed:{spd},X-X-X-X-{bat}-{csq},{crs},24202-0ED9-D93B",
    "{imei},CMD-T,A,DATE:{d},TIME:{t},LAT:{lat}N,LON:{lon}E,Speed:{spd},0{bat}-{csq},01.00,WIFI:{{84-a0-6e-94-42-5e&-47,b2-22-7a-56-5a-2a&-48}},BLE:{{1f-cf-4d-3c-61-bf&-91}}",
    "{imei},CMD-T,A,DATE:{d},TIME:{t},LAT:{lat}N,LOT:{lon}E,Speed:{spd},1-0-0-0-{bat}-{csq},{crs},25002-1E17-4F03,10,0.98,25.0,,,",
    "{imei},CMD-X",
    "{imei},ALM-A,V,DATE:{d},TIME:{t},LAT:{lat}N,LOT:{lon}E,Speed:{spd},{bat}-{csq},{crs}",
    "{imei},CMD-F,V,DATE:{d},TIME:{t},LAT:{lat}N,LOT:{lon}E,Speed:{spd},{bat}-{csq},",
]
WEIGHTS = [50, 15, 15, 12, 4, 4]
COMMANDS = [":123456F#", ":123456M1,030S#", ":123456J1,080#", ":123456L+00#"]


def luhn_imei(n):
    base = "86764804%06d" % n
    total = 0
    for i, ch in enumerate(base):
        v = int(ch)
        if i % 2 == 1:
            v *= 2
            if v > 9:
                v -= 9
        total += v
    return base + str((10 - total % 10) % 10)


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


class Writer:
    def __init__(self, out, interval_us=150):
        self.out = out
        self.interval_us = interval_us
        self.ts_us = 1_700_000_000 * 1_000_000
        out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))

    def packet(self, src, dst, sport, dport, proto, payload, seq=0, ack=0, flags=0x18):
        self.ts_us += self.interval_us
        if proto == 6:
            l4 = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, 5 << 4, flags, 65535, 0, 0)
        else:
            l4 = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0)
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4) + len(payload), 0, 0x4000, 64, proto, 0, src, dst)
        ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
        frame = b"\x00" * 12 + b"\x08\x00" + ip + l4 + payload
        self.out.write(struct.pack("<IIII", self.ts_us // 1_000_000, self.ts_us % 1_000_000, len(frame), len(frame)))
        self.out.write(frame)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("--devices", type=int, default=2000)
    ap.add_argument("--messages", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--udp-share", type=float, default=0.1)
    pace = ap.add_mutually_exclusive_group()
    pace.add_argument("--interval-us", type=int, default=150, help="microseconds between two packets (default 150)")
    pace.add_argument("--duration", type=float, help="seconds the capture spans (sets the gap between packets)")
    a = ap.parse_args()
    if a.interval_us < 1:
        ap.error("--interval-us must be at least 1")
    interval_us = a.interval_us
    if a.duration is not None:
        if a.duration <= 0:
            ap.error("--duration must be positive")
        # About 1.05 packets per message (splits and retransmissions less glued frames) and two
        # per TCP handshake: close enough for a span, never below 1 µs between packets.
        interval_us = max(1, round(a.duration * 1e6 / (a.messages * 1.05 + 2 * a.devices)))
    rnd = random.Random(a.seed)
    server = bytes([10, 0, 0, 1])
    devices = []
    for i in range(a.devices):
        devices.append({
            "imei": luhn_imei(i + 1),
            "ip": bytes([10, 1 + i // 65000, (i // 250) % 256, 2 + i % 250]),
            "port": 20000 + i % 40000,
            "udp": rnd.random() < a.udp_share,
            "seq": rnd.randrange(1 << 32),
            "sseq": rnd.randrange(1 << 32),
            "open": False,
            "pending": b"",
        })
    up = down = 0
    with open(a.out, "wb") as f:
        w = Writer(f, interval_us)
        for n in range(a.messages):
            d = devices[rnd.randrange(a.devices)]
            body = rnd.choices(BODIES, WEIGHTS)[0].format(
                imei=d["imei"], d="24%02d%02d" % (1 + n % 12, 1 + n % 28), t="%02d%02d%02d" % (n % 24, n % 60, (n * 7) % 60),
                lat="%02d.%07d" % (n % 80, (n * 7919) % 10_000_000), lon="%03d.%07d" % (n % 170, (n * 104729) % 10_000_000),
                spd="%05.1f" % ((n % 1200) / 10), bat=n % 100, csq=n % 32, crs="%03d" % (n % 360))
            frame = ("#" + body + "#").encode()
            up += 1
            if d["udp"]:
                w.packet(d["ip"], server, d["port"], 8888, 17, frame)
                continue
            if not d["open"]:
                w.packet(d["ip"], server, d["port"], 8888, 6, b"", d["seq"], 0, 0x02)
                w.packet(server, d["ip"], 8888, d["port"], 6, b"", d["sseq"], d["seq"] + 1, 0x12)
                d["seq"] += 1
                d["sseq"] += 1
                d["open"] = True
            data = d["pending"] + frame
            d["pending"] = b""
            r = rnd.random()
            if r < 0.15:  # glue: keep this frame for the next segment of the device
                d["pending"] = data
                continue
            if r < 0.35:  # split in two segments, sometimes sent in the wrong order
                cut = rnd.randrange(1, len(data))
                first, second = (data[:cut], d["seq"]), (data[cut:], d["seq"] + cut)
                segs = [second, first] if rnd.random() < 0.05 else [first, second]
            else:
                segs = [(data, d["seq"])]
            for payload, seq in segs:
                w.packet(d["ip"], server, d["port"], 8888, 6, payload, seq, d["sseq"])
                if rnd.random() < 0.01:  # retransmission
                    w.packet(d["ip"], server, d["port"], 8888, 6, payload, seq, d["sseq"])
            d["seq"] += len(data)
            if rnd.random() < 0.002:
                cmd = rnd.choice(COMMANDS).encode()
                w.packet(server, d["ip"], 8888, d["port"], 6, cmd, d["sseq"], d["seq"])
                d["sseq"] += len(cmd)
                down += 1
        for d in devices:  # flush glued frames
            if d["pending"]:
                w.packet(d["ip"], server, d["port"], 8888, 6, d["pending"], d["seq"], d["sseq"])
                d["seq"] += len(d["pending"])
    print(f"wrote {up} uplink and {down} downlink frames from {a.devices} devices to {a.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
