#!/usr/bin/env python3
"""Independent checker for the vt106 sample captures (standard library only).

Reads a pcap or pcapng file, decodes Ethernet / Linux cooked v1 / v2 /
IPv4 / IPv6 / TCP / UDP, reassembles each TCP direction by sequence number
(duplicates and out-of-order segments are folded in, holes are reported as
gaps), splits the byte streams and UDP datagrams into GOTOP frames and
compares them with an expected.tsv written by record_clients.py.

    pcapcheck.py FILE EXPECTED.tsv [--plan PLAN.json]   # verify, exit 1 on mismatch
    pcapcheck.py FILE --dump                            # print the frames found
    pcapcheck.py FILE --tcp-stats                       # retransmissions, reordering, gaps
    pcapcheck.py --merge OUT.pcapng IN.pcap...          # fallback for mergecap

It is also imported by make_damaged.py (read_packets, decode_frames).
It is a test helper for the captures, not part of vt106.
"""
import json
import struct
import sys

SERVER_PORTS = (8888, 5050)


class CaptureError(Exception):
    """Raised when the file is damaged; .offset is the byte offset of the defect."""

    def __init__(self, msg, offset):
        super().__init__(f"{msg} at byte offset {offset}")
        self.offset = offset


# --------------------------------------------------------------------------- file formats

def read_packets(data, strict=True):
    """Return (records, error). records = [(linktype, bytes, record_offset)].

    On a defect: raise CaptureError if strict, else return the records read so far
    and the CaptureError."""
    recs = []
    try:
        if len(data) < 4:
            raise CaptureError("file shorter than a magic number", 0)
        magic = data[:4]
        if magic == b"\x0a\x0d\x0d\x0a":
            _read_pcapng(data, recs)
        elif magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
            _read_pcap(data, recs)
        else:
            raise CaptureError(f"unknown magic {magic.hex()}", 0)
    except CaptureError as e:
        if strict:
            raise
        return recs, e
    return recs, None


def _read_pcap(data, recs):
    e = "<" if data[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    if len(data) < 24:
        raise CaptureError("truncated pcap file header", len(data))
    snaplen, linktype = struct.unpack(e + "II", data[16:24])
    linktype &= 0x0FFFFFFF
    off = 24
    while off < len(data):
        if off + 16 > len(data):
            raise CaptureError("truncated record header", off)
        _s, _us, caplen, _wire = struct.unpack(e + "IIII", data[off:off + 16])
        if caplen > max(snaplen, 262144):
            raise CaptureError(f"record caplen 0x{caplen:08x} larger than snaplen {snaplen}", off)
        if off + 16 + caplen > len(data):
            raise CaptureError("truncated record data", off)
        recs.append((linktype, data[off + 16:off + 16 + caplen], off))
        off += 16 + caplen


def _read_pcapng(data, recs):
    off = 0
    e = "<"
    ifaces = []
    while off < len(data):
        if off + 12 > len(data):
            raise CaptureError("truncated block header", off)
        btype = struct.unpack(e + "I", data[off:off + 4])[0]
        if btype == 0x0A0D0D0A:
            bom = data[off + 8:off + 12]
            e = "<" if bom == b"\x4d\x3c\x2b\x1a" else ">"
            ifaces = []
        btype, blen = struct.unpack(e + "II", data[off:off + 8])
        if blen < 12 or blen % 4 or off + blen > len(data):
            raise CaptureError(f"bad block length {blen} (0x{blen:08x})", off)
        if struct.unpack(e + "I", data[off + blen - 4:off + blen])[0] != blen:
            raise CaptureError("block trailing length differs from leading length", off)
        body = data[off + 8:off + blen - 4]
        if btype == 1:  # IDB
            ifaces.append(struct.unpack(e + "H", body[:2])[0])
        elif btype == 6:  # EPB
            ifid, _th, _tl, caplen, _ol = struct.unpack(e + "IIIII", body[:20])
            if ifid >= len(ifaces) or 20 + caplen > len(body):
                raise CaptureError("bad enhanced packet block", off)
            recs.append((ifaces[ifid], body[20:20 + caplen], off))
        elif btype == 3:  # SPB
            wire = struct.unpack(e + "I", body[:4])[0]
            recs.append((ifaces[0], body[4:4 + min(wire, len(body) - 4)], off))
        off += blen


# --------------------------------------------------------------------------- packets

def parse_packet(linktype, pkt):
    """Return (proto, src, dst, sport, dport, tcpinfo, payload) or None."""
    if linktype == 1:  # Ethernet
        if len(pkt) < 14:
            return None
        et, l3 = struct.unpack(">H", pkt[12:14])[0], pkt[14:]
    elif linktype == 113:  # Linux cooked v1
        if len(pkt) < 16:
            return None
        et, l3 = struct.unpack(">H", pkt[14:16])[0], pkt[16:]
    elif linktype == 276:  # Linux cooked v2
        if len(pkt) < 20:
            return None
        et, l3 = struct.unpack(">H", pkt[0:2])[0], pkt[20:]
    elif linktype in (101, 12):  # raw IP
        et = 0x0800 if pkt[:1] and pkt[0] >> 4 == 4 else 0x86DD
        l3 = pkt
    else:
        return None
    if et == 0x0800:
        if len(l3) < 20:
            return None
        ihl = (l3[0] & 15) * 4
        total = struct.unpack(">H", l3[2:4])[0]
        proto = l3[9]
        src = ".".join(str(b) for b in l3[12:16])
        dst = ".".join(str(b) for b in l3[16:20])
        l4 = l3[ihl:total]
        fmt = "{}:{}"
    elif et == 0x86DD:
        if len(l3) < 40:
            return None
        import ipaddress
        plen = struct.unpack(">H", l3[4:6])[0]
        proto = l3[6]
        src = str(ipaddress.IPv6Address(l3[8:24]))
        dst = str(ipaddress.IPv6Address(l3[24:40]))
        l4 = l3[40:40 + plen]
        fmt = "[{}]:{}"
    else:
        return None
    if proto == 6 and len(l4) >= 20:
        sport, dport, seq, _ack = struct.unpack(">HHII", l4[:12])
        doff = (l4[12] >> 4) * 4
        flags = l4[13]
        return ("tcp", fmt.format(src, sport), fmt.format(dst, dport), sport, dport,
                (seq, flags), l4[doff:])
    if proto == 17 and len(l4) >= 8:
        sport, dport = struct.unpack(">HH", l4[:4])
        return ("udp", fmt.format(src, sport), fmt.format(dst, dport), sport, dport, None, l4[8:])
    return None


# --------------------------------------------------------------------------- reassembly

def streams(records):
    """Yield units in capture order of first appearance:
    ('tcp', src, dst, [(kind, bytes)]) with kind 'data' or 'gap', or ('udp', src, dst, [('data', payload)])."""
    flows = {}   # (src,dst) -> dict
    order = []
    units = []
    segs_by_flow = {}
    for linktype, pkt, _off in records:
        p = parse_packet(linktype, pkt)
        if p is None:
            continue
        proto, src, dst, sport, dport, tcpinfo, payload = p
        if proto == "udp":
            if payload:
                units.append(("udp", src, dst, [("data", payload)]))
            continue
        key = (src, dst)
        seq, flags = tcpinfo
        if flags & 0x02:  # SYN: a new connection in this direction
            flows[key] = {"isn": (seq + 1) & 0xFFFFFFFF, "segs": {}}
            order.append((key, flows[key]))
            continue
        if not payload:
            continue
        f = flows.get(key)
        if f is None:  # connection started before the capture: anchor on first data
            f = flows[key] = {"isn": seq, "segs": {}}
            order.append((key, f))
        rel = (seq - f["isn"]) & 0xFFFFFFFF
        segs_by_flow.setdefault(key, []).append(payload)
        st = f.setdefault("stats", {"segments": 0, "retransmitted": 0, "out_of_order": 0})
        st["segments"] += 1
        hi = f.get("hi", 0)
        if rel + len(payload) <= hi:
            covered = any(r <= rel and rel + len(payload) <= r + len(d) for r, d in f["segs"].items())
            st["retransmitted" if covered else "out_of_order"] += 1
        f["hi"] = max(hi, rel + len(payload))
        old = f["segs"].get(rel)
        if old is None or len(payload) > len(old):
            f["segs"][rel] = payload
    for (src, dst), f in order:
        parts = []
        pos = 0
        for rel in sorted(f["segs"]):
            data = f["segs"][rel]
            if rel > pos:
                parts.append(("gap", rel - pos))
                pos = rel
            if rel + len(data) > pos:
                parts.append(("data", data[pos - rel:]))
                pos = rel + len(data)
        units.append(("tcp", src, dst, parts))
        st = f.get("stats", {"segments": 0, "retransmitted": 0, "out_of_order": 0})
        st["gaps"] = sum(1 for p in parts if p[0] == "gap")
        STATS[(src, dst)] = st
    return units, segs_by_flow


STATS = {}   # (src, dst) -> per-direction TCP statistics of the last streams() call


def split_frames(parts):
    """Split a stream (list of ('data', bytes) / ('gap', n)) into complete frames.

    Uplink frames are '#...#', downlink ':...#'. After a gap the partial frame is dropped
    and the framer resynchronises on the next '#' that ends the damaged frame."""
    frames = []
    cur = None        # bytes of the frame being built, or None between frames
    resync = False    # skipping the tail of a frame damaged by a gap
    for kind, val in parts:
        if kind == "gap":
            cur = None
            resync = True
            continue
        for b in val:
            c = bytes([b])
            if resync:
                if c == b"#":
                    resync = False
                continue
            if cur is None:
                if c in (b"#", b":"):
                    cur = bytearray(c)
                continue
            cur += c
            if c == b"#" and len(cur) > 1:
                frames.append(bytes(cur))
                cur = None
    return frames


def decode_frames(records):
    """Return [(src, dst, transport, dir, frame_text)] grouped per flow direction."""
    out = []
    units, _ = streams(records)
    for transport, src, dst, parts in units:
        dport = int(dst.rsplit(":", 1)[1])
        d = "up" if dport in SERVER_PORTS else "down"
        for fr in split_frames(parts):
            out.append((src, dst, transport, d, fr.decode("latin-1")))
    return out


# --------------------------------------------------------------------------- cli

def read_expected(path):
    rows = []
    with open(path, encoding="latin-1") as fh:
        for line in fh:
            line = line.rstrip("\n")
            if not line or line.startswith("#") or line.startswith("src\t"):
                continue
            rows.append(tuple(line.split("\t", 4)))
    return rows


def group(rows):
    g = {}
    for r in rows:
        g.setdefault(r[:4], []).append(r[4])
    return g


def merge_pcapng(out, inputs):
    """Fallback when mergecap is missing: merge classic pcap files into one pcapng with one
    interface per input file, packets in timestamp order (microsecond inputs only)."""
    def block(btype, body):
        body += b"\0" * (-len(body) % 4)
        n = len(body) + 12
        return struct.pack("<II", btype, n) + body + struct.pack("<I", n)
    blocks = [block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))]
    pkts = []
    for i, path in enumerate(inputs):
        data = open(path, "rb").read()
        e = "<" if data[:4] == b"\xd4\xc3\xb2\xa1" else ">"
        snap, lt = struct.unpack(e + "II", data[16:24])
        blocks.append(block(1, struct.pack("<HHI", lt, 0, snap)))
        off = 24
        while off + 16 <= len(data):
            sec, usec, cap, wire = struct.unpack(e + "IIII", data[off:off + 16])
            pkts.append((sec * 1000000 + usec, i, wire, data[off + 16:off + 16 + cap]))
            off += 16 + cap
    for ts, i, wire, pkt in sorted(pkts, key=lambda p: (p[0], p[1])):
        blocks.append(block(6, struct.pack("<IIIII", i, ts >> 32, ts & 0xFFFFFFFF, len(pkt), wire) + pkt))
    with open(out, "wb") as fh:
        fh.write(b"".join(blocks))


def main(argv):
    if argv[1] == "--merge":
        merge_pcapng(argv[2], argv[3:])
        return 0
    path = argv[1]
    with open(path, "rb") as fh:
        data = fh.read()
    recs, _ = read_packets(data, strict=True)
    got = decode_frames(recs)
    if len(argv) > 2 and argv[2] == "--tcp-stats":
        streams(recs)
        for (src, dst), st in STATS.items():
            print(f"{src} -> {dst}: " + " ".join(f"{k}={v}" for k, v in st.items()))
        return 0
    if len(argv) > 2 and argv[2] == "--dump":
        for r in got:
            print("\t".join(r))
        return 0
    exp = read_expected(argv[2])
    ok = True
    ge, gg = group(exp), group(got)
    for k in sorted(set(ge) | set(gg)):
        if ge.get(k, []) != gg.get(k, []):
            ok = False
            print(f"MISMATCH {k}:\n  expected {ge.get(k)}\n  found    {gg.get(k)}")
    if "--plan" in argv:
        plan = json.load(open(argv[argv.index("--plan") + 1]))
        _, segs = streams(recs)
        for item in plan:
            key = (item["src"], item["dst"])
            want = [c.encode("latin-1") for c in item["chunks"]]
            have = segs.get(key, [])
            if have != want:
                ok = False
                print(f"SEGMENTATION {key}:\n  planned {want}\n  captured {have}")
    print(f"{path}: {len(recs)} packets, {len(got)} frames, "
          f"{'OK' if ok else 'FAILED'} against {argv[2]}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
