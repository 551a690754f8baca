#!/usr/bin/env python3
"""Make the intentionally damaged capture files from real captures (deterministic).

    make_damaged.py SRC_DIR OUT_DIR

Reads SRC_DIR/tcp-ipv4.pcap and SRC_DIR/mixed.pcapng (as recorded by record.sh), writes
OUT_DIR/damaged-*.pcap(ng) and a damaged-*.expected.tsv next to each: the frames a perfect
decoder still gets (everything in the records before the defect), comment lines ('#')
describing the defect with its byte offset, and '# LOST' lines for the frames of the intact
capture that are gone. Which record is damaged is chosen by content, so the result does not
depend on port numbers or timing.
"""
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pcapcheck  # noqa: E402


def find_record(data, needle, fmt):
    """Byte offset of the first record whose bytes contain needle."""
    recs, _ = pcapcheck.read_packets(data)
    for _lt, pkt, off in recs:
        if needle in pkt:
            return off
    raise SystemExit(f"make_damaged: no {fmt} record contains {needle!r}")


def write(out_dir, name, data, defect_lines, intact_frames):
    path = os.path.join(out_dir, name)
    with open(path, "wb") as fh:
        fh.write(data)
    recs, err = pcapcheck.read_packets(data, strict=False)
    frames = pcapcheck.decode_frames(recs)
    lost = [f for f in intact_frames if f not in frames]
    exp = os.path.splitext(path)[0] + ".expected.tsv"
    with open(exp, "w", encoding="latin-1", newline="\n") as fh:
        for line in defect_lines:
            fh.write(f"# {line}\n")
        fh.write(f"# reader error expected: {err}\n" if err else "# no reader error?!\n")
        fh.write(f"# {len(recs)} intact records before the defect; frames below are complete in them\n")
        fh.write("src\tdst\ttransport\tdir\tframe\n")
        for f in frames:
            fh.write("\t".join(f) + "\n")
        for f in lost:
            fh.write("# LOST\t" + "\t".join(f) + "\n")
    print(f"   {name}: {len(data)} bytes, {len(frames)} frames kept, {len(lost)} lost; {err}")
    if err is None:
        raise SystemExit(f"make_damaged: {name} is not damaged")


def main(src_dir, out_dir):
    pcap = open(os.path.join(src_dir, "tcp-ipv4.pcap"), "rb").read()
    ng = open(os.path.join(src_dir, "mixed.pcapng"), "rb").read()
    frames_pcap = pcapcheck.decode_frames(pcapcheck.read_packets(pcap)[0])
    frames_ng = pcapcheck.decode_frames(pcapcheck.read_packets(ng)[0])
    src = "from tcp-ipv4.pcap"

    # 1. file header cut after 12 of its 24 bytes
    write(out_dir, "damaged-truncated-header.pcap", pcap[:12],
          [f"defect: pcap file header truncated: 12 of 24 bytes ({src})",
           "a decoder must report a truncated file header; no packets, no frames"], frames_pcap)

    # 2. file ends 8 bytes into the record header of the packet carrying the glued X+ALM-A chunk
    off = find_record(pcap, b",ALM-A,", "pcap")
    write(out_dir, "damaged-truncated-record-header.pcap", pcap[:off + 8],
          [f"defect: file ends 8 bytes into the 16-byte record header at offset {off} ({src})",
           "the records before it are intact"], frames_pcap)

    # 3. file ends in the middle of the data of the record carrying the WIFI/BLE frame body
    off = find_record(pcap, b",CMD-T,A,DATE:220516,TIME:100627,", "pcap")
    caplen = struct.unpack("<I", pcap[off + 8:off + 12])[0]
    cut = off + 16 + caplen // 2
    write(out_dir, "damaged-truncated-record.pcap", pcap[:cut],
          [f"defect: record at offset {off} has caplen {caplen} but the file ends after "
           f"{caplen // 2} of its data bytes (offset {cut}) ({src})",
           "a decoder may report the partial packet; it holds no complete frame"], frames_pcap)

    # 4. bad magic: one bit off the microsecond pcap magic
    write(out_dir, "damaged-bad-magic.pcap", b"\xd5\xc3\xb2\xa1" + pcap[4:],
          [f"defect: magic d5c3b2a1 instead of d4c3b2a1 (little-endian pcap); rest intact ({src})",
           "a decoder must refuse the file: no packets, no frames"], frames_pcap)

    # 5. caplen 0xFFFFFFFF in the record carrying the downlink ':123456M1,030S#...'
    off = find_record(pcap, b":123456M1,030S#", "pcap")
    bad = bytearray(pcap)
    bad[off + 8:off + 12] = b"\xff\xff\xff\xff"
    write(out_dir, "damaged-caplen-ffffffff.pcap", bytes(bad),
          [f"defect: record at offset {off} has caplen 0xFFFFFFFF (orig_len and data intact) ({src})",
           "a decoder must stop there (a pcap cannot be resynchronised) and must not allocate 4 GiB"],
          frames_pcap)

    # 6. pcapng: leading block total length of the EPB carrying the CMD-F,A reply made 2 larger
    off = find_record(ng, b",CMD-F,A,", "pcapng")
    blen = struct.unpack("<I", ng[off + 4:off + 8])[0]
    bad = bytearray(ng)
    bad[off + 4:off + 8] = struct.pack("<I", blen + 2)
    write(out_dir, "damaged-pcapng-bad-block-length.pcapng", bytes(bad),
          [f"defect: Enhanced Packet Block at offset {off}: block total length {blen + 2} "
           f"(0x{blen + 2:08x}) instead of {blen}: not a multiple of 4 and different from the "
           "trailing copy (from mixed.pcapng)",
           "a decoder must stop at that block (or skip by the trailing length, which is not "
           "recoverable in general); frames below are those of the blocks before it"], frames_ng)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
