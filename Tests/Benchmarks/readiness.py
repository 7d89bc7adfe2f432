#!/usr/bin/env python3
"""The readiness figures of `make bench` (scenario `ready`), one row a line, tab-separated
(name, median, min, max, unit, note), which Tests/Benchmarks/run prints in its table:

1. How long after MySQL starts to accept connections fabric sees it: N machines of the null
   provider on loopback addresses of its address_pool, each answered by a forwarder to the run's
   MariaDB server that starts listening 2 s after `fabric machine wait --until mysql:PORT`
   begins; the figure is the command's end minus the last forwarder's first listening moment
   (both on this host's clock), for 1 and 20 machines.
2. What `--ready cloud-init` asks of the fake OpenStack cloud for 1, 20 and 100 machines: its
   requests by kind (server lists, console-log actions) and the create's time.

Usage: readiness.py OUT_DIR RUNS [MARIADB_PORT]   (tools on PATH; no MariaDB port: part 1 skipped)
Loopback only: the pool, the forwarders and the fake cloud are all on 127.0.0.0/8.
"""
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FORWARDER = os.path.join(ROOT, "Tests/Readiness/delayed_forward.py")
FAKE = os.path.join(ROOT, "Tests/FakeCloud/fake_openstack.py")


def row(name, values, unit, note=""):
    values = sorted(values)
    print(f"{name}\t{statistics.median(values):.2f}\t{values[0]:.2f}\t{values[-1]:.2f}\t{unit}\t{note}", flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fabric(store, *args, stdin=None, env=None):
    result = subprocess.run(["fabric", "--json", *args], input=stdin, capture_output=True, text=True,
                            env={**os.environ, "FABRIC_STORE": store, **(env or {})})
    if result.returncode != 0:
        raise SystemExit(f"readiness bench: fabric {' '.join(args)}: {result.stderr.strip()}")
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def mysql_seen(out, runs, mariadb_port):
    for count in (1, 20):
        lags = []
        for run in range(runs):
            store = os.path.join(out, f"ready-mysql-{count}-{run}.db")
            for leftover in (store, store + "-wal", store + "-shm"):
                if os.path.exists(leftover):
                    os.remove(leftover)
            first = 2 + run * 24
            pool = f"127.0.0.{first}-127.0.0.{first + count - 1}"
            fabric(store, "provider", "register", "bench", "admin", "secret", "null://", "demo", "--provider_type", "null",
                   "--default_image", "ubuntu-24.04-mysql-8.4", "--default_flavor", "m1.medium", "--extra", f"address_pool={pool}")
            machines = fabric(store, "machine", "create", "bench", "--number_machines", str(count))
            port = free_port()
            forwarders = [subprocess.Popen([sys.executable, FORWARDER, "--listen", f"{m['addresses'][0]}:{port}",
                                            "--to", f"127.0.0.1:{mariadb_port}", "--delay", "2", "--parent", str(os.getpid()),
                                            "--lifetime", "60"], stdout=subprocess.PIPE, text=True) for m in machines]
            fabric(store, "machine", "wait", "bench", *[m["uuid"] for m in machines], "--until", f"mysql:{port}")
            ended = time.time()
            listening = [float(f.stdout.readline().split()[1]) for f in forwarders]
            for f in forwarders:
                f.terminate()
                f.wait()
            lags.append(ended - max(listening))
        row(f"mysql stage seen after the server listens, {count} machine{'s' if count > 1 else ''}", lags, "s",
            "fabric machine wait --until mysql:PORT; end of the command minus the last server's start")


def fake_requests(url):
    with urllib.request.urlopen(url + "/_fake/requests") as reply:
        return json.load(reply)


def cloud_init_requests(out, runs):
    for count in (1, 20, 100):
        times, lists, consoles, other = [], [], [], []
        for run in range(runs):
            fake = subprocess.Popen([sys.executable, FAKE, "--port", "0"], stdout=subprocess.PIPE, text=True)
            try:
                url = json.loads(fake.stdout.readline())["url"]
                store = os.path.join(out, f"ready-cloud-init-{count}-{run}.db")
                for leftover in (store, store + "-wal", store + "-shm"):
                    if os.path.exists(leftover):
                        os.remove(leftover)
                fabric(store, "provider", "register", "bench", "admin", "secret", url + "/identity/v3", "demo",
                       "--default_image", "ubuntu-24.04-mysql-8.4", "--default_flavor", "m1.medium", "--extra", "network=private")
                started = time.time()
                fabric(store, "machine", "create", "bench", "--number_machines", str(count), "--ready", "cloud-init")
                times.append(time.time() - started)
                requests = fake_requests(url)
                lists.append(sum(1 for r in requests if r["method"] == "GET" and re.search(r"/servers/(detail|[0-9a-f-]{36})$", r["path"])))
                consoles.append(sum(1 for r in requests if r["method"] == "POST" and r["path"].endswith("/action")))
                other.append(len(requests) - lists[-1] - consoles[-1])
            finally:
                fake.terminate()
                fake.wait()
        note = (f"requests: {statistics.median(lists):.0f} server states (lists, or one server's GET), {statistics.median(consoles):.0f} "
                f"os-getConsoleOutput ({statistics.median(consoles) / count:.1f} a machine), {statistics.median(other):.0f} others")
        row(f"machine create --ready cloud-init, {count} machine{'s' if count > 1 else ''} (fake cloud)", times, "s", note)


def main():
    out, runs = sys.argv[1], int(sys.argv[2])
    os.makedirs(out, exist_ok=True)
    if len(sys.argv) > 3 and sys.argv[3]:
        mysql_seen(out, runs, int(sys.argv[3]))
    else:
        print("mysql stage: skipped (no MariaDB server)\t-\t-\t-\t\t", flush=True)
    cloud_init_requests(out, runs)


if __name__ == "__main__":
    main()
