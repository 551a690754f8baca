#!/usr/bin/env python3
"""Platform logs of a decoded capture: Traccar's tracker-server.log and a prefixed server log.

    python3 bench/make_logs.py RECORDS.ndjson TRACCAR.log SERVER.log

RECORDS is the NDJSON that `vt106 decode CAPTURE` wrote. Each message becomes one line of each
log, as the platform would have logged the bytes it received or sent: Traccar's layout (a
`connected` line when a TCP session is first seen, then `[T<id>: gotop < host] <hex>` or `>` for
commands) and a generic `2026-12-01 10:00:00,123 INFO [pool-1] recv from ip:port: #...#` layout.
Prints the number of message lines written.
"""
import json
import sys
import time


def stamp(ts):
    # "2026-11-24T23:39:06.257902Z" -> "2026-11-24 23:39:06" and milliseconds
    return ts[:10] + " " + ts[11:19], ts[20:23]


def main():
    src, traccar_path, server_path = sys.argv[1:4]
    sessions = {}
    n = 0
    with open(src) as records, open(traccar_path, "w") as traccar, open(server_path, "w") as server:
        for line in records:
            r = json.loads(line)
            if r.get("kind") != "message" or "raw" not in r:
                continue
            when, ms = stamp(r["ts"])
            udp = r.get("transport") == "udp"
            device = r["src"] if r["dir"] == "up" else r["dst"]
            host = device.rsplit(":", 1)[0]
            key = (r.get("flow"), udp)
            if key not in sessions:
                sessions[key] = ("U" if udp else "T") + "%08x" % (len(sessions) + 1)
                if not udp:
                    traccar.write(f"{when}  INFO: [{sessions[key]}] connected\n")
            arrow = "<" if r["dir"] == "up" else ">"
            traccar.write(f"{when}  INFO: [{sessions[key]}: gotop {arrow} {host}] {r['raw'].encode().hex()}\n")
            word = "recv from" if r["dir"] == "up" else "send to"
            server.write(f"{when},{ms} INFO [pool-1-thread-3] {word} {device}: {r['raw']}\n")
            n += 1
    print(n)


if __name__ == "__main__":
    main()
