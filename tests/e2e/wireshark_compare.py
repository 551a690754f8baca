"""Compares, capture by capture, what tshark with the GOTOP plugin shows with what `vt106 decode`
writes: every message with every field (each key of decode's record against the gotop.* field
of that name: numbers as numbers, booleans, times, nested and listed fields), in order, and the
error codes. Prints each difference; exits 1 if there is one.

    wireshark_compare.py VT106 CAPTURE_DIR WORK_DIR [COMMAND PREFIX TO RUN TSHARK AS...]

Where Wireshark's TCP reassembly cannot do what decode does, the check says so and checks what
it can: retransmit.pcap has a segment that arrives after later data (Wireshark reassembles it
only with tcp.reassemble_out_of_order, off by default) and one that is missing for good
(with out-of-order reassembly on, Wireshark then waits for it and shows nothing after it);
errors.pcap has a connection whose capture begins with the end of a frame, alone in its
packet: nothing in it says GOTOP, so the dissector leaves it to Wireshark, where decode, which
sees the whole connection, reports it as junk."""
import datetime
import json
import os
import subprocess
import sys

vt106, capdir, work = sys.argv[1:4]
as_user = sys.argv[4:]
CONTEXT = {"kind", "protocol", "ts", "transport", "src", "dst", "flow", "offset", "raw", "raw_hex", "input", "line"}
problems = []


def tshark(*args):
    """tshark's output, and whether it read the whole file (damaged-* files stop it)."""
    env = dict(os.environ, HOME=os.path.join(work, "home"), WIRESHARK_PLUGIN_DIR=os.path.join(work, "plugins"))
    out = subprocess.run(as_user + ["tshark", *args], capture_output=True, text=True, env=env, timeout=120)
    return out.stdout, out.returncode == 0


def norm(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(float(v))
    return str(v)


def tnorm(key, v):
    """A tshark JSON value in decode's terms."""
    if key.endswith(("valid", "external_power", "gps_enabled", "charging")):
        return "true" if v in ("1", "True", "true") else "false"
    if key == "gotop.fix_time":
        t = datetime.datetime.strptime(" ".join(v.split()).replace(".000000000 UTC", ""), "%b %d, %Y %H:%M:%S")
        return t.strftime("%Y-%m-%dT%H:%M:%SZ")
    try:
        if key not in ("gotop.imei", "gotop.password", "gotop.args", "gotop.obd_code", "gotop.status", "gotop.vin",
                       "gotop.command", "gotop.type", "gotop.version", "gotop.obd_value", "gotop.prefix", "gotop.extra",
                       "gotop.wifi.mac", "gotop.ble.mac", "gotop.name", "gotop.summary", "gotop.notice",
                       "gotop.device_name", "gotop.obd_text"):
            return repr(float(v))
    except ValueError:
        pass
    return v


def flatten_decode(rec):
    out = []
    for k, v in rec.items():
        if k in CONTEXT:
            continue
        name = "gotop." + k
        items = v if isinstance(v, list) else [v]
        for item in items:
            if isinstance(item, dict):
                out += [(f"{name}.{s}", norm(x)) for s, x in item.items()]
            else:
                out.append((name, norm(item)))
    return sorted(out)


def flatten_tshark(msg):
    out = []
    for k, v in msg.items():
        if k == "gotop.dir":
            out.append(("gotop.dir", v))
            continue
        items = v if isinstance(v, list) else [v]
        for item in items:
            if isinstance(item, dict):
                out += [(s, tnorm(s, x)) for s, x in item.items()]
            else:
                out.append((k, tnorm(k, item)))
    return sorted(out)


def decode(path):
    lines = subprocess.run([vt106, "decode", path], capture_output=True, text=True).stdout.splitlines()
    recs = [json.loads(l) for l in lines]
    msgs = [r for r in recs if r["kind"] == "message"]
    errs = [r for r in recs if r["kind"] == "error" and r.get("protocol") == "gotop"]
    return msgs, errs


def shown(path, *opts):
    """tshark's messages (each as decode's flattened fields, with dir) and error codes, in order."""
    text, whole = tshark("-r", path, *opts, "-T", "json", "--no-duplicate-keys", "-J", "gotop")
    try:
        packets = json.loads(text or "[]")
    except json.JSONDecodeError:
        packets = []
    msgs, errs = [], []
    for p in packets:
        layer = p["_source"]["layers"].get("gotop")
        if layer is None:
            continue
        for m in layer if isinstance(layer, list) else [layer]:
            if "gotop.error" in m:
                errs.append(m["gotop.error"])
            elif "gotop.event" in m:
                msgs.append(flatten_tshark(m))
    return msgs, errs, whole


def expected(msgs):
    return [flatten_decode(m) for m in msgs]


def same(name, got, want, what):
    if got == want:
        return
    problems.append(f"{name}: {what} differ")
    for i in range(max(len(got), len(want))):
        g = got[i] if i < len(got) else None
        w = want[i] if i < len(want) else None
        if g != w:
            problems.append(f"  #{i}: tshark {g}\n        decode {w}")
            break


def subsequence(short, long):
    it = iter(long)
    return all(any(x == y for y in it) for x in short)


files = sorted(f for f in os.listdir(capdir) if f.endswith((".pcap", ".pcapng")))
checked = 0
for f in files:
    path = os.path.join(capdir, f)
    dmsgs, derrs = decode(path)
    want = expected(dmsgs)
    got, terrs, whole = shown(path)
    codes = [e["code"] for e in derrs]
    if not whole:
        # A damaged file tshark stops reading (decode reads past the damage): what tshark
        # showed before it stopped is decode's, in order.
        if not f.startswith("damaged-"):
            problems.append(f"{f}: tshark could not read it")
        elif got != want[:len(got)]:
            problems.append(f"{f}: the {len(got)} messages tshark read before the damage are not decode's first ones")
    elif f == "retransmit.pcap":
        # Default preferences: every message tshark shows is decode's, in order; one is missing,
        # the frame completed by the segment that came out of order.
        if not subsequence(got, want) or len(got) != len(want) - 1:
            problems.append(f"{f}: tshark's {len(got)} messages are not decode's {len(want)} less the reordered one")
        # Out-of-order reassembly: the first connection whole.
        first = dmsgs[0]["flow"]
        got1, _, _ = shown(path, "-o", "tcp.reassemble_out_of_order:TRUE", "-Y", "tcp.stream == 0")
        same(f + " (first connection, out-of-order reassembly)", got1,
             expected([m for m in dmsgs if m["flow"] == first]), "messages")
    else:
        same(f, got, want, "messages")
        if f == "errors.pcap":
            # The connection that begins mid-frame: its first packet's junk is not shown.
            mid = [e for e in derrs if e["code"] == "junk" and e["offset"] == 0]
            if len(mid) != 1:
                problems.append(f"{f}: expected one junk at the start of a connection in decode, got {len(mid)}")
            codes = [e["code"] for e in derrs if e is not mid[0]] if mid else codes
        same(f, terrs, codes, "error codes")
    checked += len(got)
for p in problems:
    print(p)
print(f"{len(files)} captures, {checked} messages compared field by field")
sys.exit(1 if problems else 0)
