#!/usr/bin/env python3
"""Makes docs/drive.pcap and docs/track.png, the picture in the README.

Two trackers drive for an hour and report over TCP every 30 s (bench/make_capture.py writes the
packets); the first loses its fix in a tunnel, where it sends invalid fixes that drift off the
road, and raises an SOS alarm. `vt106 decode --format geojson` decodes the capture, and the
GeoJSON it writes is drawn with matplotlib (Debian: python3-matplotlib): tracks as lines, every
fix as a dot, invalid fixes as red crosses. The same arguments always give the same capture.

usage: docs/make_track_picture.py build/vt106
"""
import json
import math
import pathlib
import random
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "bench"))
from make_capture import Writer, luhn_imei  # noqa: E402  (the benchmark's packet writer)

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

START = (2024, 8, 13, 7, 30, 0)  # the drive's first fix, UTC
REPORTS = 120                    # every 30 s: one hour


def ring_road(t):
    """A loop around a town centre at 45.76 N, 4.84 E: t in [0, 1)."""
    a = 2 * math.pi * t
    r = 0.045 + 0.008 * math.sin(3 * a) + 0.004 * math.cos(7 * a)
    return 45.76 + r * math.sin(a), 4.84 + 1.4 * r * math.cos(a)


def cross_town(t):
    """A road from the north-east to the south-west, bending through the centre."""
    return 45.83 - 0.13 * t + 0.012 * math.sin(5 * t), 4.93 - 0.17 * t + 0.02 * math.sin(3 * math.pi * t)


def frame(imei, kind, valid, seconds, lat, lon, speed, course, battery):
    day = 13 + seconds // 86400
    hh, mm, ss = (7 * 3600 + 30 * 60 + seconds) // 3600 % 24, (30 * 60 + seconds) // 60 % 60, seconds % 60
    ns, ew = ("N" if lat >= 0 else "S"), ("E" if lon >= 0 else "W")
    return (f"#{imei},{kind},{'A' if valid else 'V'},DATE:2408{day:02d},TIME:{hh:02d}{mm:02d}{ss:02d},"
            f"LAT:{abs(lat):010.7f}{ns},LOT:{abs(lon):011.7f}{ew},Speed:{speed:05.1f},{battery}-24,{course:03d}#").encode()


def write_capture(path):
    rnd = random.Random(106)
    server = bytes([10, 0, 0, 1])
    devices = [
        {"imei": luhn_imei(7001), "ip": bytes([10, 1, 0, 2]), "port": 40001, "route": ring_road, "seq": 1000},
        {"imei": luhn_imei(7002), "ip": bytes([10, 1, 0, 3]), "port": 40002, "route": cross_town, "seq": 5000},
    ]
    with open(path, "wb") as f:
        w = Writer(f)
        w.ts_us = 1_723_534_200 * 1_000_000  # 2024-08-13T07:30:00Z
        for d in devices:
            w.packet(d["ip"], server, d["port"], 8888, 6, b"", d["seq"], 0, 0x02)
            w.packet(server, d["ip"], 8888, d["port"], 6, b"", 1, d["seq"] + 1, 0x12)
            d["seq"] += 1
        for n in range(REPORTS):
            for i, d in enumerate(devices):
                t = n / REPORTS
                lat, lon = d["route"](t)
                nlat, nlon = d["route"](t + 1 / REPORTS)
                course = int(math.degrees(math.atan2(nlon - lon, nlat - lat))) % 360
                speed = 30 + 25 * abs(math.sin(7 * t + i))
                valid, kind = True, "CMD-T"
                if i == 0 and 52 <= n < 60:  # the tunnel: no fix, positions drift off the road
                    valid = False
                    lat += rnd.uniform(-0.012, 0.012)
                    lon += rnd.uniform(-0.016, 0.016)
                if i == 0 and n == 90:
                    kind = "ALM-A"  # SOS
                data = frame(d["imei"], kind, valid, n * 30 + i * 7, lat, lon, speed, course, 95 - n // 4)
                if n % 10 == 5:
                    data += f"#{d['imei']},CMD-X#".encode()  # a heartbeat, glued on
                w.ts_us = (1_723_534_200 + n * 30 + i * 7) * 1_000_000
                w.packet(d["ip"], server, d["port"], 8888, 6, data, d["seq"], 1)
                d["seq"] += len(data)


def render(geojson, png):
    fig, ax = plt.subplots(figsize=(8, 6.4), dpi=110)
    colours = ["#1f6fb4", "#2b9348"]
    devices = []
    for feature in geojson["features"]:
        p, g = feature["properties"], feature["geometry"]
        if p["imei"] not in devices:
            devices.append(p["imei"])
        colour = colours[devices.index(p["imei"]) % len(colours)]
        if g["type"] == "LineString":
            xs, ys = zip(*g["coordinates"])
            ax.plot(xs, ys, color=colour, linewidth=2.2, alpha=0.8, label=f"{p['imei']}: track of {p['valid_fixes']} valid fixes")
        elif p.get("valid") is False:
            ax.plot(*g["coordinates"], marker="x", color="#d62828", markersize=7, mew=2, linestyle="none")
        else:
            ax.plot(*g["coordinates"], marker="o", color=colour, markersize=3, linestyle="none")
        if g["type"] == "Point" and p["event"] == "sos":
            ax.plot(*g["coordinates"], marker="*", color="#f77f00", markersize=18, markeredgecolor="black", linestyle="none")
            ax.annotate("SOS", g["coordinates"], xytext=(10, 8), textcoords="offset points", fontweight="bold")
    ax.plot([], [], marker="x", color="#d62828", mew=2, linestyle="none", label='invalid fix ("valid": false), kept')
    ax.plot([], [], marker="*", color="#f77f00", markeredgecolor="black", markersize=12, linestyle="none", label="sos alarm")
    ax.set_aspect(1 / math.cos(math.radians(45.76)))  # degrees of longitude are shorter here
    ax.set_xlabel("longitude")
    ax.set_ylabel("latitude")
    ax.set_title("vt106 decode --format geojson docs/drive.pcap", family="monospace", fontsize=11)
    ax.grid(color="#dddddd")
    ax.legend(loc="lower right", fontsize=8, framealpha=0.95)
    fig.tight_layout()
    fig.savefig(png, metadata={"Software": None})


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__.split("\n\n")[-1].strip())
    vt106 = sys.argv[1]
    capture = HERE / "drive.pcap"
    write_capture(capture)
    out = subprocess.run([vt106, "decode", "--format", "geojson", str(capture)], check=True, capture_output=True)
    render(json.loads(out.stdout), HERE / "track.png")
    print(f"wrote {capture.relative_to(HERE.parent)} and docs/track.png", file=sys.stderr)


if __name__ == "__main__":
    main()
