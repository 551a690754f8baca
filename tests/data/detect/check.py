#!/usr/bin/env python3
"""Runs `vt106 detect` on test vectors and says which are named right, missed, or named wrong
with confidence (>= 0.75): the loop for writing protocol table blocks.

usage: tests/data/detect/check.py VT106 [--table FILE]... [--only PROTOCOL]... VECTORS.tsv...
"""
import json
import subprocess
import sys


def main():
    args = sys.argv[1:]
    binary, tables, only, files = args[0], [], set(), []
    i = 1
    while i < len(args):
        if args[i] == "--table":
            tables += ["--table", args[i + 1]]
            i += 2
        elif args[i] == "--only":
            only.add(args[i + 1])
            i += 2
        else:
            files.append(args[i])
            i += 1
    rows = []
    for f in files:
        with open(f) as fh:
            for n, line in enumerate(fh, 1):
                if n == 1 or not line.strip():
                    continue
                c = line.rstrip("\n").split("\t")
                if len(c) != 7:
                    print(f"{f}:{n}: {len(c)} columns", file=sys.stderr)
                    continue
                if only and c[5] not in only:
                    continue
                rows.append((f, n, c))
    results = {}
    for transport, encoding in (("tcp", "hex"), ("tcp", "text"), ("udp", "hex"), ("udp", "text")):
        batch = [r for r in rows if (r[2][1] or "tcp") == transport and (r[2][2] == "hex") == (encoding == "hex")]
        for start in range(0, len(batch), 200):
            part = batch[start:start + 200]
            cmd = [binary, "detect", "--format", "json", "--transport", transport] + tables
            for _, _, c in part:
                cmd += ["--hex", c[3]] if c[2] == "hex" else ["--text", c[3]]
            out = subprocess.run(cmd, capture_output=True, text=True)
            if out.returncode == 2:
                print(out.stderr, file=sys.stderr)
                sys.exit(2)
            verdicts = [json.loads(l) for l in out.stdout.splitlines() if l.strip()]
            for r, v in zip(part, verdicts):
                results[(r[0], r[1])] = v
    right = wrong = 0
    for f, n, c in rows:
        v = results.get((f, n))
        if v is None:
            print(f"{f}:{n}: no verdict")
            continue
        expected, dev = c[5], c[6]
        if v["protocol"] == expected and v["status"] == "match":
            got_id = (v.get("device_id") or {}).get("value", "")
            if dev and got_id != dev:
                print(f"ID     {f}:{n} {expected}: device id {got_id!r}, expected {dev!r}")
            right += 1
            continue
        conf = v.get("confidence", 0)
        tag = "WRONG " if v["status"] == "match" and conf >= 0.75 else "miss  "
        wrong += tag == "WRONG "
        alts = ", ".join(f"{a['protocol']} {a['confidence']}" for a in v.get("alternatives", []))
        print(f"{tag}{f}:{n} {expected}: got {v['protocol']} {conf} {v['status']}"
              + (f" (alternatives: {alts})" if alts else "") + f"  sample {c[3][:70]}")
    print(f"{right} of {len(rows)} named right, {wrong} named wrong with confidence >= 0.75")


if __name__ == "__main__":
    main()
