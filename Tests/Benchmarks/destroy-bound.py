#!/usr/bin/env python3
"""How fast the cloud the OS_* variables name can destroy machines, whatever the client does.

Reads machine records (as `fabric-store list machines -p ID` prints them) on standard input and
destroys them the fastest way found: a thread per machine deletes its floating IPs and, as soon
as they are gone, its server (no batch waits for the slowest address), then one server list
every 0.1 s until Nova lists none of them (DELETED counts as gone, as fabric-destroy holds).
Prints when the DELETEs were answered and when the last server was gone. Not a fabric tool: it
measures the floor under `fabric-destroy`'s figures in README's Performance section, e.g.

    fabric machine create lab --number_machines 10 --public_network public
    fabric-store list machines -p lab | python3 Tests/Benchmarks/destroy-bound.py
    fabric-store list machines -p lab | fabric-store remove

Keystone v3 password auth only; the password is read from OS_PASSWORD, never printed.
"""
import json
import os
import sys
import threading
import time
import urllib.error
import urllib.request

COMPUTE_VERSION = {"OpenStack-API-Version": "compute 2.90"}


def call(method, url, token=None, body=None, headers=None):
    sent = {"Accept": "application/json", "Content-Type": "application/json", **(headers or {})}
    if token:
        sent["X-Auth-Token"] = token
    data = json.dumps(body).encode() if body is not None else None
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data, sent, method=method)) as reply:
            return reply.status, reply.headers, reply.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def login():
    env = os.environ
    domain = lambda name: {"name": env.get(name, "Default")}
    body = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": env["OS_USERNAME"], "domain": domain("OS_USER_DOMAIN_NAME"), "password": env["OS_PASSWORD"]}}},
        "scope": {"project": {"name": env["OS_PROJECT_NAME"], "domain": domain("OS_PROJECT_DOMAIN_NAME")}}}}
    status, headers, reply = call("POST", env["OS_AUTH_URL"].rstrip("/") + "/auth/tokens", body=body)
    if status != 201:
        sys.exit(f"destroy-bound: Keystone answered HTTP {status}")
    catalog = json.loads(reply)["token"]["catalog"]
    interface = env.get("OS_INTERFACE", "public")

    def endpoint(kind):
        service = next(entry for entry in catalog if entry["type"] == kind)
        return next(point["url"] for point in service["endpoints"] if point["interface"] == interface).rstrip("/")
    return headers["X-Subject-Token"], endpoint("compute"), endpoint("network") + "/v2.0"


def main():
    uuids = [json.loads(line)["uuid"] for line in sys.stdin if line.strip()]
    if not uuids:
        sys.exit("destroy-bound: no machine records on standard input")
    token, nova, neutron = login()
    started = time.monotonic()
    ports = json.loads(call("GET", f"{neutron}/ports?" + "&".join("device_id=" + u for u in uuids), token)[2])["ports"]
    machine_of_port = {port["id"]: port["device_id"] for port in ports}
    floating = json.loads(call("GET", f"{neutron}/floatingips?" + "&".join("port_id=" + p for p in machine_of_port),
                               token)[2])["floatingips"] if ports else []
    addresses = {uuid: [f["id"] for f in floating if machine_of_port.get(f["port_id"]) == uuid] for uuid in uuids}
    answered = {}

    def destroy(uuid):
        for address in addresses[uuid]:
            call("DELETE", f"{neutron}/floatingips/{address}", token)
        call("DELETE", f"{nova}/servers/{uuid}", token, headers=COMPUTE_VERSION)
        answered[uuid] = time.monotonic() - started

    threads = [threading.Thread(target=destroy, args=(uuid,)) for uuid in uuids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    left = set(uuids)
    while left:
        servers = json.loads(call("GET", f"{nova}/servers/detail", token, headers=COMPUTE_VERSION)[2])["servers"]
        left &= {s["id"] for s in servers if s["status"] not in ("DELETED", "SOFT_DELETED")}
        if left:
            time.sleep(0.1)
    gone = time.monotonic() - started
    times = sorted(answered.values())
    print(f"N = {len(uuids)}: server DELETEs answered at {times[0]:.2f}-{times[-1]:.2f} s, all gone at {gone:.2f} s")


if __name__ == "__main__":
    main()
