#!/usr/bin/env python3
"""A slow network for the tests: an ssh ProxyCommand that relays stdin/stdout to host:port at most
RATE bytes per second in each direction (a storage link much slower than the configured bandwidth)."""
import socket
import sys
import threading
import time

if len(sys.argv) != 4 or "--help" in sys.argv:
    print("usage: scripts/ci/slow-relay.py HOST PORT BYTES_PER_SECOND   (an ssh ProxyCommand)")
    sys.exit(0 if "--help" in sys.argv else 64)
host, port, rate = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
chunk = max(1, rate // 20)
sock = socket.create_connection((host, port))


def pump(read, write, done):
    try:
        while True:
            data = read(chunk)
            if not data:
                break
            write(data)
            time.sleep(len(data) / rate)
    except OSError:
        pass
    done()


def to_stdout(data):
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


up = threading.Thread(target=pump, args=(sys.stdin.buffer.raw.read, sock.sendall, lambda: sock.shutdown(socket.SHUT_WR)), daemon=True)
up.start()
pump(sock.recv, to_stdout, lambda: None)
