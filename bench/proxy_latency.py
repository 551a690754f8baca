#!/usr/bin/env python3
"""Round trips through a TCP path: an echo platform (this script, a thread) answers each frame at
once; a device sends a GOTOP heartbeat and waits for its echo, ROUNDS times on one connection.

  proxy_latency.py serve PORT_FILE SECONDS     an echo platform on 127.0.0.1, its port in PORT_FILE
  proxy_latency.py measure PORT ROUNDS         prints {"p50_us":..,"p99_us":..,"max_us":..}
"""
import json
import os
import socket
import sys
import threading
import time

FRAME = b"#867648040000018,CMD-X#"


def serve(port_file, seconds):
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", 0))
    ls.listen(64)
    with open(port_file + ".tmp", "w") as f:
        f.write(str(ls.getsockname()[1]))
    os.rename(port_file + ".tmp", port_file)
    ls.settimeout(0.5)
    deadline = time.time() + seconds

    def echo(c):
        c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        c.settimeout(1)
        while time.time() < deadline:
            try:
                data = c.recv(65536)
            except socket.timeout:
                continue
            except OSError:
                break
            if not data:
                break
            c.sendall(data)
        c.close()

    while time.time() < deadline:
        try:
            c, _ = ls.accept()
        except socket.timeout:
            continue
        threading.Thread(target=echo, args=(c,), daemon=True).start()


def measure(port, rounds):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    times = []
    for i in range(rounds + 50):
        t0 = time.perf_counter_ns()
        s.sendall(FRAME)
        got = b""
        while len(got) < len(FRAME):
            chunk = s.recv(65536)
            if not chunk:
                raise SystemExit("the path closed")
            got += chunk
        if i >= 50:  # the first round trips warm the path up
            times.append((time.perf_counter_ns() - t0) / 1000)
    s.close()
    times.sort()
    pick = lambda q: round(times[min(len(times) - 1, int(q * len(times)))], 1)
    print(json.dumps({"p50_us": pick(0.5), "p99_us": pick(0.99), "max_us": round(times[-1], 1), "rounds": rounds}))


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(sys.argv[2], float(sys.argv[3]))
    else:
        measure(int(sys.argv[2]), int(sys.argv[3]))
