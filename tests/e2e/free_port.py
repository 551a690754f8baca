#!/usr/bin/env python3
"""Prints a port on 127.0.0.1 free for both TCP and UDP when asked, below the kernel's ephemeral
range (32768 up), where other tests' client sockets draw their ports: tests that must name a port
before anything binds it (a capture filter) take it from here."""
import random
import socket
import sys

for _ in range(200):
    port = random.randrange(20000, 32768)
    free = True
    for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
        s = socket.socket(socket.AF_INET, kind)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            free = False
        s.close()
    if free:
        print(port)
        sys.exit(0)
sys.exit("no free port below 32768")
