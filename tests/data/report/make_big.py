#!/usr/bin/env python3
"""Writes a report data file at platform scale, to check that the report page stays responsive.

2,000 devices (by default) over two hours, shaped the way `vt106 report` shapes them: the whole
report lists at most EVENT_BUDGET messages, so past that a device with more than its share
(at least 200) is "aggregated": its events keep only alarms, commands and replies, and
per_minute counts every message per minute. Each device's track is thinned to its share of
TRACK_BUDGET fixes (at least 100), keeping the first, the last and every jump. Most devices
report every 30 s (aggregated), some every 10 min (listed one by one), one in twenty speaks
GT06 and has no track. The same arguments always give the same file.

usage: make_big.py OUT.json [--devices N] [--hours H] [--seed S]
"""
import argparse
import json
import math
import random

EVENT_BUDGET = 150_000
TRACK_BUDGET = 200_000
KINDS = ["position", "heartbeat", "alarm", "reply", "command", "error", "other"]
START = 1764993600000  # 2025-12-06 04:00:00 UTC
STATUS_TIMEOUT_S = 600


def luhn_imei(body14):
    total = 0
    for i, ch in enumerate(body14):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return body14 + str((10 - total % 10) % 10)


def km(a, b):
    la1, lo1, la2, lo2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 12742 * math.asin(math.sqrt(min(1, h)))


def gotop_device(rng, n, hours):
    """The raw records of one GOTOP tracker: messages (t, kind, event), fixes, commands, errors."""
    busy = rng.random() < 0.75
    every = 30_000 if busy else 600_000
    end = START + hours * 3_600_000
    t = START + rng.randrange(0, 120_000)
    lat, lon = 42.0 + rng.random() * 2, 22.5 + rng.random() * 4
    heading = rng.random() * 2 * math.pi
    msgs, fixes, commands, errors = [], [], [], []
    gap_at = t + rng.randrange(1_800_000, 5_400_000) if rng.random() < 0.2 else None
    tunnel = (t + rng.randrange(0, 3_600_000), rng.randrange(60_000, 600_000)) if rng.random() < 0.3 else None
    jumped = rng.random() < 0.05
    while t < end:
        if gap_at and t >= gap_at:  # a silence longer than the status timeout
            t += rng.randrange(STATUS_TIMEOUT_S * 1000 + 60_000, 2_400_000)
            gap_at = None
            continue
        heading += rng.gauss(0, 0.2)
        step = rng.random() * 0.004 * every / 30_000
        lat += step * math.cos(heading)
        lon += step * math.sin(heading) / math.cos(math.radians(lat))
        valid = not (tunnel and tunnel[0] <= t < tunnel[0] + tunnel[1])
        la, lo = (lat, lon) if valid else (lat + rng.gauss(0, 0.01), lon + rng.gauss(0, 0.01))
        if jumped and valid and t > START + 3_000_000:
            la, lo, jumped = lat + 0.7, lon - 0.4, False
        fixes.append((la, lo, t, valid))
        msgs.append((t, "position", "position"))
        if rng.random() < every / 300_000:
            msgs.append((t + 7000, "heartbeat", "heartbeat"))
        if rng.random() < 0.004:
            msgs.append((t + 3000, "alarm", rng.choice(["sos", "overspeed", "low_battery", "geofence", "shock"])))
        if rng.random() < 0.003:
            name, letter = rng.choice([("locate", "F"), ("interval", "M030"), ("reboot", "R")])
            reply = t + 1000 + rng.randrange(0, 4000) if rng.random() < 0.85 else 0
            commands.append((t + 500, ":123456%s#" % letter, name, reply))
            msgs.append((t + 500, "command", "command"))
            if reply:
                msgs.append((reply, "reply", "command_reply"))
        if rng.random() < 0.002:
            errors.append((t + 100, rng.choice(["bad_checksum", "truncated", "bad_latitude", "junk"])))
        t += every
    return msgs, fixes, commands, errors


def shape(rng, n, dev_id, protocol, msgs, fixes, commands, errors, per_device_events, per_device_fixes, budget_exceeded):
    """One device as the report's JSON has it."""
    msgs.sort()
    counts = {k: 0 for k in KINDS}
    for _, k, _ in msgs:
        counts[k] += 1
    counts["error"] = len(errors)
    flow = n + 1
    aggregated = budget_exceeded and len(msgs) + len(errors) > per_device_events
    events, minutes = [], {}
    for t, k, e in msgs:
        if aggregated:
            m = minutes.setdefault(t // 60000 * 60000, {})
            m[k] = m.get(k, 0) + 1
            if k in ("position", "heartbeat", "other"):
                continue
        events.append({"t": t, "k": k, "e": e, "flow": flow})
    if aggregated:
        for t, _ in errors:
            m = minutes.setdefault(t // 60000 * 60000, {})
            m["error"] = m.get("error", 0) + 1
    per_minute = [dict({"t": t}, **minutes[t]) for t in sorted(minutes)]
    silences, previous = [], 0
    for t, k, _ in msgs:
        if k == "command":
            continue
        if previous and t - previous > STATUS_TIMEOUT_S * 1000:
            silences.append({"from": previous, "to": t, "s": (t - previous) // 1000})
        previous = t
    jump, last_valid = [False] * len(fixes), None
    for i, f in enumerate(fixes):
        if not f[3]:
            continue
        if last_valid:
            hours = max(1.0, (f[2] - last_valid[2]) / 1000) / 3600
            d = km(last_valid, f)
            jump[i] = d > 1 and d / hours > 300
        last_valid = f
    stride = 1 if len(fixes) <= per_device_fixes else -(-len(fixes) // per_device_fixes)
    track = [[round(f[0], 6), round(f[1], 6), f[2], 1 if f[3] else 0, 1 if jump[i] else 0]
             for i, f in enumerate(fixes) if stride == 1 or i % stride == 0 or i + 1 == len(fixes) or jump[i]]
    first = min([m[0] for m in msgs] + [e[0] for e in errors], default=START)
    last = max([m[0] for m in msgs] + [e[0] for e in errors], default=START)
    how = rng.choice(["fin", "fin", "rst", "idle_timeout", "end_of_input"])
    connections = [{"flow": flow, "open": first - 200, "close": None if how == "end_of_input" else last + 300,
                    "transport": "tcp", "client": "10.%d.%d.%d:%d" % (n // 65536, n // 256 % 256, n % 256, 40000 + n % 20000),
                    "how": how, "closed_by": None if how in ("end_of_input", "idle_timeout") else rng.choice(["device", "platform"]),
                    "messages": len(msgs)}]
    findings = []
    invalid = sum(1 for f in fixes if not f[3])
    if protocol != "gotop":
        findings.append({"check": "protocol.detected", "status": "fail", "summary": "This device speaks %s, not GOTOP." % protocol.upper(),
                         "fix": "Point it at the platform's %s port." % protocol.upper(), "command": "vt106 detect platform.pcap", "t": first, "flow": flow})
    if any(jump):
        t = fixes[jump.index(True)][2]
        findings.append({"check": "content.time_future", "status": "fail", "summary": "A position jumps further than any vehicle can move.",
                         "fix": "Look at the raw frame.", "command": "vt106 decode --imei %s --format raw platform.pcap" % dev_id, "t": t, "flow": flow})
    if silences:
        findings.append({"check": "reach.silent", "status": "warn", "summary": "Silent for %d s, longer than the status timeout." % silences[0]["s"],
                         "fix": "Lower the reporting interval.", "command": "vt106 craft interval 60", "t": silences[0]["from"], "flow": None})
    if invalid:
        t = next(f[2] for f in fixes if not f[3])
        findings.append({"check": "content.fix_valid", "status": "warn", "summary": "%d positions have no valid fix." % invalid,
                         "fix": "Check the antenna.", "command": "", "t": t, "flow": flow})
    if errors:
        findings.append({"check": "protocol.framing", "status": "warn", "summary": "%d frames could not be decoded." % len(errors),
                         "fix": "", "command": "vt106 decode --errors platform.pcap", "t": errors[0][0], "flow": flow})
    if how == "rst":
        findings.append({"check": "session.ended", "status": "warn", "summary": "The connection was reset.", "fix": "", "command": "",
                         "t": connections[0]["close"], "flow": flow})
    findings.append({"check": "identity.imei", "status": "pass", "summary": "The identifier is well formed.", "fix": "", "command": "", "t": None, "flow": None})
    rank = {"fail": 0, "warn": 1, "pass": 2}
    worst = min((f["status"] for f in findings), key=rank.get)
    return {
        "id": dev_id, "label": ("GOTOP device " if protocol == "gotop" else "%s device " % protocol.upper()) + dev_id,
        "protocol": protocol, "worst": worst, "first_ts": first, "last_ts": last, "counts": counts,
        "messages": sum(v for k, v in counts.items() if k != "error"), "connections": connections, "aggregated": aggregated,
        "events": events, "per_minute": per_minute,
        "commands": [{"t": t, "frame": fr, "name": nm, "reply": {"t": rp, "raw": "#%s#%s#OK#" % (dev_id, nm)} if rp else None}
                     for t, fr, nm, rp in commands],
        "silences": silences,
        "errors": [{"t": t, "code": c, "message": "frame rejected: %s" % c, "flow": flow} for t, c in errors[:200]],
        "errors_total": len(errors), "track": track, "track_total": len(fixes), "findings": findings,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--devices", type=int, default=2000)
    ap.add_argument("--hours", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    raw = []
    for n in range(a.devices):
        if n % 20 == 19:
            dev_id = "3588990%08d" % n
            t0 = START + rng.randrange(0, 3_000_000)
            msgs = [(t0 + i * 20_000, "other", "unknown") for i in range(rng.randrange(5, 40))]
            raw.append((dev_id, "gt06", msgs, [], [], []))
        else:
            raw.append((luhn_imei("86764804%06d" % n), "gotop") + gotop_device(rng, n, a.hours))
    total = sum(len(r[2]) + len(r[5]) for r in raw)
    budget_exceeded = total > EVENT_BUDGET
    per_device_events = max(200, EVENT_BUDGET // max(1, a.devices))
    per_device_fixes = max(100, TRACK_BUDGET // max(1, a.devices))
    devices = [shape(rng, n, *r, per_device_events, per_device_fixes, budget_exceeded) for n, r in enumerate(raw)]
    first = min(d["first_ts"] for d in devices)
    last = max(d["last_ts"] for d in devices)
    failing = sum(1 for d in devices if d["worst"] == "fail")
    doc = {
        "generator": "vt106 0.1.0 (synthetic)", "generated": 1765000000000, "inputs": ["platform-big.pcap"],
        "status_timeout_s": STATUS_TIMEOUT_S,
        "summary": {"devices": len(devices), "messages": sum(d["messages"] for d in devices), "first_ts": first, "last_ts": last,
                    "verdict": "%d of %d devices have failures." % (failing, len(devices))},
        "devices": devices,
    }
    with open(a.out, "w", encoding="utf-8") as f:
        json.dump(doc, f, separators=(",", ":"))


if __name__ == "__main__":
    main()
