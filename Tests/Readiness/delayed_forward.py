#!/usr/bin/env python3
"""A MySQL server that starts late, for the mysql stage's tests: after --delay seconds it listens
on --listen ADDRESS:PORT (a loopback address the null provider's address_pool hands a machine),
or once the file --after-file names exists (a test's say-so, no clock), and forwards every connection to --to HOST:PORT, the test run's real MariaDB server, so the
stage speaks to MySQL itself. Prints "listening" once it does. Loopback only: it refuses any
other address. Ends with its parent (--parent PID) or after --lifetime seconds."""
import argparse
import ipaddress
import os
import socket
import sys
import threading
import time


def pump(source, sink):
    try:
        while True:
            data = source.recv(65536)
            if not data:
                break
            sink.sendall(data)
    except OSError:
        pass
    finally:
        for end in (source, sink):
            try:
                end.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def endpoint(text):
    host, port = text.rsplit(":", 1)
    if not ipaddress.ip_address(host).is_loopback:
        raise SystemExit(f"delayed_forward: {host} is not a loopback address")
    return host, int(port)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--listen", required=True, type=endpoint)
    parser.add_argument("--to", required=True, type=endpoint)
    parser.add_argument("--delay", type=float, default=0)
    parser.add_argument("--parent", type=int)
    parser.add_argument("--lifetime", type=float, default=600)
    parser.add_argument("--after-file")
    args = parser.parse_args()
    deadline = time.time() + args.lifetime

    def alive():
        if time.time() > deadline:
            return False
        if args.parent:
            try:
                os.kill(args.parent, 0)
            except OSError:
                return False
        return True

    time.sleep(args.delay)
    while args.after_file and not os.path.exists(args.after_file):
        if not alive():
            return 1
        time.sleep(0.05)
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(args.listen)
    server.listen(64)
    server.settimeout(0.5)
    print(f"listening {time.time():.6f}", flush=True)
    while alive():
        try:
            client, _ = server.accept()
        except socket.timeout:
            continue
        upstream = socket.create_connection(args.to, timeout=10)
        for a, b in ((client, upstream), (upstream, client)):
            threading.Thread(target=pump, args=(a, b), daemon=True).start()
    server.close()


if __name__ == "__main__":
    sys.exit(main())
