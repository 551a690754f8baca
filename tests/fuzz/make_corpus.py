#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets (tests/fuzz/corpus/<target>/) from the real samples:
tests/data/gotop-samples.tsv, tests/data/frames.txt and captures/*.pcap*. Run it from anywhere;
it replaces the seed files it writes and leaves other files (inputs the fuzzers found) alone.

Each target's input layout is described at the top of tests/fuzz/fuzz_<target>.cpp.
"""
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = ROOT / "tests" / "fuzz" / "corpus"

# An SMS position block as TL402 firmware writes it (gsm.c Send_Msg_To_Phone).
SMS_POSITION = ("\nDATE:24/08/13\nTIME:23:59:37\nSPEED:0.0\nBAT:95\nCSQ:20 \n"
                "http://maps.google.com/maps?f=q&hl=en&q=2.9930825,101.5746188")


def samples():
    rows = []
    lines = (ROOT / "tests" / "data" / "gotop-samples.tsv").read_text(encoding="utf-8").splitlines()
    for line in lines[1:]:
        fields = line.split("\t")
        if len(fields) >= 2 and fields[0]:
            rows.append((fields[0], fields[1]))
    return rows


def write(target, name, data):
    folder = OUT / target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))


def stream_corpus(rows):
    frames = []
    for i, (text, kind) in enumerate(rows):
        if kind == "uplink":
            frames.append("#" + text + "#")
        elif kind == "downlink":
            frames.append(text)
    # options, max frame, four slice sizes (see fuzz_stream.cpp)
    headers = [bytes([0, 0, 2, 6, 0, 63]), bytes([1, 0, 0, 1, 15, 200]), bytes([2, 0, 4, 4, 4, 4]),
               bytes([0x5c, 40, 1, 2, 3, 4])]
    for i, frame in enumerate(frames):
        write("stream", "sample-%02d" % i, headers[i % len(headers)] + frame.encode("utf-8"))
    glued = "".join(frames[:6])
    write("stream", "glued", headers[0] + glued.encode("utf-8"))
    write("stream", "log-text-around", headers[3] + ("2024-08-13 23:59:37 INFO got " + frames[0] + "\r\n"
                                                     "garbage ## " + frames[1]).encode("utf-8"))
    write("stream", "frames-txt", headers[1] + (ROOT / "tests" / "data" / "frames.txt").read_bytes())


def sms_corpus(rows):
    n = 0
    for text, kind in rows:
        if kind != "sms":
            continue
        write("sms", "sample-%02d" % n, text)
        n += 1
        if not text[:6].isdigit():  # device messages also come with a position block
            write("sms", "sample-%02d" % n, text + SMS_POSITION)
            n += 1
    write("sms", "two-escaped", "HELP ME!" + SMS_POSITION.replace("\n", "\\n") + "\n\n123456M1,030S\n")
    write("sms", "named-before", "My car\nGPS NG!\nBefore!" + SMS_POSITION)


def capture_corpus():
    for path in sorted((ROOT / "captures").glob("*.pcap*")):
        write("capture", path.name, path.read_bytes())


def text_corpus(rows):
    uplinks = [text for text, kind in rows if kind == "uplink"]
    frames = (ROOT / "tests" / "data" / "frames.txt").read_bytes()
    write("text", "frames-txt", b"\x00" + frames)
    write("text", "bare-bodies", b"\x02" + "\n".join(uplinks[:8]).encode("utf-8") + b"\n")
    write("text", "server-log", b"\x02" + "".join("12:00:%02d recv #%s#\n" % (i, u)
                                                     for i, u in enumerate(uplinks[8:14])).encode("utf-8"))
    frame = ("#" + uplinks[0] + "#").encode("utf-8")
    write("text", "hex-spaced", b"\x01" + " ".join("%02x" % b for b in frame).encode("ascii"))
    write("text", "hex-0x-colons", b"\x02" + ":".join("0x%02X" % b for b in frame[:40]).encode("ascii") + b"\n")
    write("text", "hex-lines", b"\x02" + b"\n".join(frame[i:i + 16].hex().encode("ascii")
                                                    for i in range(0, len(frame), 16)) + b"\n")


def craft_corpus():
    # command index, flags, password, then the arguments (see fuzz_craft.cpp)
    seeds = {
        "locate": (0, 0, "", []), "track": (1, 0, "", ["30s"]), "track-off": (1, 0, "", ["off"]),
        "heartbeat": (2, 0, "", ["300"]), "sos-number": (3, 0, "", ["1", "+8613145906426", "Mum"]),
        "sos-delete": (3, 0, "", ["2", ""]), "speed-alarm": (4, 0, "", ["80"]),
        "geofence": (5, 1, "", ["1", "51.193125,9.21575", "50.4041,11.0198"]),
        "geofence-off": (5, 0, "", ["3", "off"]), "timezone": (6, 0, "", ["+05:30"]),
        "low-battery": (7, 0, "", ["20"]), "password": (8, 0, "", ["654321"]), "fuel": (9, 0, "", []),
        "call-mode": (10, 1, "", []), "server": (11, 1, "123456", ["CMNET", "54.85.159.138:8888"]),
        "apn-login": (12, 0, "", ["internet", "secret"]), "query": (13, 0, "", []), "version": (14, 0, "", []),
        "gprs": (15, 1, "", []), "call": (16, 1, "", ["+4930123456"]), "obd": (17, 4, "", []),
        "raw": (18, 0, "111111", ["Z2,My car"]), "factory-reset": (19, 0, "", []),
    }
    for name, (which, flags, password, args) in seeds.items():
        write("craft", name, bytes([which, flags]) + "\0".join([password] + args).encode("utf-8"))


def main():
    rows = samples()
    stream_corpus(rows)
    sms_corpus(rows)
    capture_corpus()
    text_corpus(rows)
    craft_corpus()


if __name__ == "__main__":
    main()
