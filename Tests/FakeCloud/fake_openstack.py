#!/usr/bin/env python3
"""A strict fake OpenStack cloud for fabric's tests and benchmarks.

Keystone (v3 and v2.0), Nova (v2.1 with microversions), Glance v2 and Neutron v2.0 on one
port, shaped as the OpenStack API reference shows them, refusing what the real services refuse
(unknown fields, a missing token, personality above 2.56, an unsupported microversion, ...).
A control API under /_fake/ sets knobs, injects faults, and exposes the requests received and
the resources held, so tests can assert on both. See README.md next to this file.
"""

import argparse
import base64
import binascii
import hashlib
import ipaddress
import json
import os
import re
import socket
import ssl
import struct
import sys
import threading
import time
import unicodedata
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

MIN_MICROVERSION = (2, 1)
DEFAULT_MAX_MICROVERSION = "2.96"
PERSONALITY_LAST_MICROVERSION = (2, 56)
NETWORKS_REQUIRED_MICROVERSION = (2, 37)
IMAGE_ID_IN_BODY_MICROVERSION = (2, 45)
FLAVOR_EMBEDDED_MICROVERSION = (2, 47)
SWAP_AS_INT_MICROVERSION = (2, 75)
USER_DATA_MAX = 65535


def now_iso(t=None):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t if t is not None else time.time()))


def parse_version(text):
    match = re.fullmatch(r"(\d+)\.(\d+)", text.strip())
    return (int(match.group(1)), int(match.group(2))) if match else None


class Reply(Exception):
    """Raised by a handler to answer at once: status, JSON body (or text), headers."""

    def __init__(self, status, body=None, headers=None, text=None):
        super().__init__(status)
        self.status, self.body, self.headers, self.text = status, body, headers or {}, text


# ---------------------------------------------------------------------------------------------
# Error bodies, one shape per service, as each service writes them.

NOVA_FAULT_KEYS = {400: "badRequest", 401: "unauthorized", 403: "forbidden", 404: "itemNotFound",
                   405: "badMethod", 409: "conflictingRequest", 413: "overLimit", 415: "badMediaType",
                   429: "overLimit", 501: "notImplemented", 503: "serviceUnavailable"}


CLOUD_INIT = "Cloud-init v. 24.1.4-0ubuntu1~22.04.1"
DEFAULT_CONSOLE_LOG = [
    [0.0, "[    0.000000] Linux version 6.8.0-49-generic (buildd@lcy02-amd64-103) #49-Ubuntu SMP"],
    [0.2, "[    2.113452] cloud-init[512]: " + CLOUD_INIT + " running 'init-local' at {time}. Up 2.10 seconds."],
    [0.5, "[    4.202511] cloud-init[604]: " + CLOUD_INIT + " running 'init' at {time}. Up 4.19 seconds."],
    [1.5, "[    9.880135] cloud-init[750]: " + CLOUD_INIT + " running 'modules:final' at {time}. Up 9.87 seconds."],
    [2.0, "[   10.113230] cloud-init[750]: " + CLOUD_INIT + " finished at {time}. Datasource DataSourceOpenStackLocal "
          "[net,ver=2].  Up 10.10 seconds"],
]


def nova_error(status, message):
    return Reply(status, {NOVA_FAULT_KEYS.get(status, "computeFault"): {"code": status, "message": message}})


def keystone_error(status, message, title=None):
    titles = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 409: "Conflict"}
    return Reply(status, {"error": {"code": status, "title": title or titles.get(status, "Error"), "message": message}})


def neutron_error(status, kind, message):
    return Reply(status, {"NeutronError": {"type": kind, "message": message, "detail": ""}})


def glance_error(status, message):
    reasons = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 409: "Conflict"}
    return Reply(status, text=f"{status} {reasons.get(status, 'Error')}\n\n{message}\n\n   ")


def unauthenticated():
    # keystonemiddleware answers for every service the same way.
    return Reply(401, {"error": {"code": 401, "title": "Unauthorized",
                                 "message": "The request you have made requires authentication."}},
                 {"WWW-Authenticate": "Keystone uri=\"/identity\""})


# ---------------------------------------------------------------------------------------------
# The cloud's state.

class Cloud:
    def __init__(self, options):
        self.lock = threading.RLock()
        self.options = options
        self.requests = []
        self.faults = []
        # Gates a "slow" fault waits on until the test opens them (POST /_fake/open_gate).
        self.gates = {}
        self.reset()

    def gate(self, name):
        with self.lock:
            return self.gates.setdefault(name, threading.Event())

    def reset(self):
        with self.lock:
            self.config = {
                "latency_ms": self.options.latency_ms,
                # As slow as the real services where a race hides: Nova answers a create in 1-2 s
                # and commits the servers (or the image) only as it answers; Keystone takes
                # ~0.3 s a token; Neutron ~0.3 s a floating IP.
                "create_seconds": self.options.create_seconds,
                "token_seconds": self.options.token_seconds,
                "floatingip_seconds": self.options.floatingip_seconds,
                "build_seconds": self.options.build_seconds,
                "snapshot_seconds": self.options.snapshot_seconds,
                # A DELETE as Nova's compute host does it: the guest and its ports go in
                # delete_seconds, then the server is still listed, status DELETED, while the host
                # finishes its bookkeeping, one server after another (1.6 s each on the lab).
                "delete_seconds": 0.5,
                "reclaim_seconds": 0.3,
                "max_microversion": DEFAULT_MAX_MICROVERSION,
                "quota_instances": 1000,
                "quota_floatingips": 1000,
                "error_server_name_regex": None,
                "error_server_nth": None,
                "error_message": "No valid host was found. There are not enough hosts available.",
                "snapshot_fails": False,
                "token_ttl_seconds": 3600,
                "page_size_max": 1000,
                # A cloud that lists everything whatever a listing asks for: Glance's and
                # Nova's filters (not limit and marker) are read, checked and then ignored.
                "ignore_filters": False,
                # A public cloud's catalogue: this many more images (bulk-image-00001, ...)
                # and flavors (bulk.flavor.0001, ...) beside the ones below.
                "extra_images": 0,
                "extra_flavors": 0,
                # The boot log os-getConsoleOutput serves: [seconds after the server went ACTIVE,
                # line], each line there once its time has come. The default is a guest whose
                # cloud-init finishes 2 s after ACTIVE; a test sets its own (a failure, no
                # cloud-init at all, a log of binary bytes). "{time}" is the line's own time.
                "console_log": DEFAULT_CONSOLE_LOG,
                # Compute hosts compute-1..N the servers are scheduled on (hostId in a server's view).
                "hosts": 3,
                # Nova's quotas for server groups and their members ([quota] server_groups,
                # server_group_members; 10 each by default), and what GET /limits shows for cores
                # and RAM (shown only: the fake does not refuse a create over them).
                "quota_server_groups": 10,
                "quota_server_group_members": 10,
                "quota_cores": 2000,
                "quota_ram": 5120000,
                # The late anti-affinity check (nova-compute's _validate_instance_group_policy):
                # the next N servers scheduled in a hard anti-affinity group land on a host that
                # holds a member already, as two schedulers racing do; "error" fails each after
                # its build (retries exhausted), "share" leaves it ACTIVE there (the check off).
                "anti_affinity_race": 0,
                "anti_affinity_race_mode": "error",
            }
            self.users = {"admin": {"id": "u-admin", "password": "secret", "domain": "Default"}}
            self.projects = {"demo": {"id": "p-demo", "domain": "Default"}}
            self.app_credentials = {"ac-fabric": {"name": "fabric-ci", "secret": "appsecret", "user": "admin",
                                                  "project": "demo"}}
            self.tokens = {}
            self.servers = {}
            self.server_groups = {}
            self.last_reclaim = 0.0
            self.created_count = 0
            self.ports = {}
            self.floatingips = {}
            self.keypairs = {"mykey": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFake fabric@test"}
            self.security_groups = {"default", "mysql"}
            self.zones = ["nova", "az2"]
            self.volumes = {"0b5f4a55-0000-4000-8000-00000000a001": 10, "0b5f4a55-0000-4000-8000-00000000a002": 50}
            self.volume_snapshots = {"0b5f4a55-0000-4000-8000-00000000b001": 10}
            self.networks = {
                "9d2c6f4e-0000-4000-8000-000000000001": {"name": "private", "cidr": "10.0.0.0/24", "external": False},
                "9d2c6f4e-0000-4000-8000-000000000002": {"name": "private2", "cidr": "10.1.0.0/24", "external": False},
                "9d2c6f4e-0000-4000-8000-000000000003": {"name": "public", "cidr": "172.24.4.0/24", "external": True},
            }
            self.next_host = {network_id: 10 for network_id in self.networks}
            self.flavors = [
                {"id": "1", "name": "m1.tiny", "vcpus": 1, "ram": 512, "disk": 1, "swap": 0, "ephemeral": 0},
                {"id": "2", "name": "m1.small", "vcpus": 1, "ram": 2048, "disk": 20, "swap": 0, "ephemeral": 0},
                {"id": "3", "name": "m1.medium", "vcpus": 2, "ram": 4096, "disk": 40, "swap": 0, "ephemeral": 0},
                {"id": "4", "name": "m1.large", "vcpus": 4, "ram": 8192, "disk": 80, "swap": 0, "ephemeral": 0},
                {"id": "5", "name": "m1.xlarge", "vcpus": 8, "ram": 16384, "disk": 160, "swap": 0, "ephemeral": 0},
                {"id": "6", "name": "db.mysql.medium", "vcpus": 2, "ram": 4096, "disk": 40, "swap": 1024,
                 "ephemeral": 10},
            ]
            base = {"visibility": "public", "disk_format": "qcow2", "container_format": "bare", "protected": False,
                    "owner": "p-admin", "tags": [], "created_at": "2026-01-05T10:00:00Z",
                    "updated_at": "2026-01-05T10:00:00Z", "size": 2147483648}
            self.images = {}
            for image_id, name, min_disk, min_ram, status, extra in [
                ("7c1e0a3b-0000-4000-8000-00000000c001", "ubuntu-24.04-mysql-8.4", 10, 1024, "active",
                 {"os_distro": "ubuntu", "os_version": "24.04", "mysql_version": "8.4"}),
                ("7c1e0a3b-0000-4000-8000-00000000c002", "oraclelinux-9-mysql-8.0", 20, 2048, "active",
                 {"os_distro": "ol", "os_version": "9", "mysql_version": "8.0"}),
                ("7c1e0a3b-0000-4000-8000-00000000c003", "debian-12-cloudinit", 4, 512, "active",
                 {"os_distro": "debian", "os_version": "12"}),
                ("7c1e0a3b-0000-4000-8000-00000000c004", "cirros-0.6.2", 1, 64, "active",
                 {"os_distro": "cirros"}),
                ("7c1e0a3b-0000-4000-8000-00000000c005", "ubuntu-26.04-mysql-9.1-upload", 10, 1024, "queued", {}),
            ]:
                image = dict(base, id=image_id, name=name, min_disk=min_disk, min_ram=min_ram, status=status, **extra)
                self.images[image_id] = image
            self.base_image = base

    def fill_catalog(self):
        """Adds or removes the generated images and flavors to match the extra_* knobs."""
        images, flavors = int(self.config["extra_images"]), int(self.config["extra_flavors"])
        for image_id in [i for i, image in self.images.items() if image.get("_bulk") and image["_bulk"] > images]:
            del self.images[image_id]
        for n in range(1, images + 1):
            image_id = "5e7d0000-0000-4000-8000-%012d" % n
            if image_id not in self.images:
                self.images[image_id] = dict(self.base_image, id=image_id, name="bulk-image-%05d" % n, min_disk=1 + n % 40,
                                             min_ram=256 * (1 + n % 8), status="active", created_at="2025-06-01T00:00:00Z",
                                             os_distro="bulk", _bulk=n)
        self.flavors = [f for f in self.flavors if f.get("_bulk", 0) <= flavors]
        held = {f["id"] for f in self.flavors}
        for n in range(1, flavors + 1):
            if "bulk-%04d" % n not in held:
                self.flavors.append({"id": "bulk-%04d" % n, "name": "bulk.flavor.%04d" % n, "vcpus": 1 + n % 16,
                                     "ram": 512 * (1 + n % 64), "disk": 10 * (1 + n % 20), "swap": 0, "ephemeral": 0, "_bulk": n})

    def held_seconds(self, method, path):
        """How long a request takes before the service acts on it and answers."""
        if method != "POST":
            return 0
        if re.fullmatch(r"/compute/v2\.1/servers(/[^/]+/action)?", path):
            return float(self.config["create_seconds"])
        if re.fullmatch(r"/identity/(v3/auth/tokens|v2\.0/tokens)", path):
            return float(self.config["token_seconds"])
        if path == "/network/v2.0/floatingips":
            return float(self.config["floatingip_seconds"])
        return 0

    # --- time-driven transitions, computed when state is read -----------------------------------

    def settle(self):
        t = time.time()
        for server in list(self.servers.values()):
            if server["status"] == "BUILD" and t >= server["ready_at"]:
                server["status"] = "ERROR" if server["will_fail"] else "ACTIVE"
                server["updated"] = now_iso()
                if server["will_fail"]:
                    server["fault"] = {"code": 500, "created": now_iso(),
                                       "message": server.get("fault_message") or self.config["error_message"]}
                    # Nova nils out the host of a server whose build failed.
                    server["host"] = None
            if server.get("deleted_at") and t >= server["deleted_at"] and server["status"] != "DELETED":
                server.update(status="DELETED", updated=now_iso(), terminated_at=now_iso())
                self.release_ports(server["id"])
                self.leave_groups(server["id"])
                self.last_reclaim = max(self.last_reclaim, server["deleted_at"]) + float(self.config["reclaim_seconds"])
                server["reclaimed_at"] = self.last_reclaim
            if server.get("reclaimed_at") and t >= server["reclaimed_at"]:
                self.servers.pop(server["id"], None)
        for image in self.images.values():
            states = image.get("_states")
            if states:
                while states and t >= states[0][0]:
                    image["status"] = states.pop(0)[1]
                    image["updated_at"] = now_iso()

    def remove_server(self, server_id):
        self.servers.pop(server_id, None)
        self.release_ports(server_id)
        self.leave_groups(server_id)

    def leave_groups(self, server_id):
        # A deleted instance is no member any more (Nova shows and counts only members not deleted).
        for group in self.server_groups.values():
            if server_id in group["members"]:
                group["members"].remove(server_id)

    # --- scheduling ----------------------------------------------------------------------------

    def host_names(self):
        return ["compute-%d" % n for n in range(1, int(self.config["hosts"]) + 1)]

    def host_load(self, host):
        return sum(1 for s in self.servers.values() if s.get("host") == host and s["status"] != "DELETED")

    def group_of(self, server_id):
        return next((g for g in self.server_groups.values() if server_id in g["members"]), None)

    def schedule(self, server_ids, group):
        """Places the servers of one create request as Nova's filter scheduler does: the least
        loaded host; affinity and anti-affinity (ServerGroupAffinityFilter,
        ServerGroupAntiAffinityFilter, max_server_per_host) as filters, where one server of the
        request that fits nowhere fails them all (NoValidHost, every one ERROR); soft policies as
        weighers, which never fail."""
        hosts = self.host_names()
        order = {h: i for i, h in enumerate(hosts)}
        load = {h: self.host_load(h) for h in hosts}
        policy = group["policy"] if group else None
        members = lambda: [self.servers[m].get("host") for m in group["members"] if m in self.servers]
        placed = {}
        for server_id in server_ids:
            on_host = {h: 0 for h in hosts}
            if group:
                for h in members() + list(placed.values()):
                    if h in on_host:
                        on_host[h] += 1
            candidates = list(hosts)
            key = lambda h: (load[h], order[h])
            if policy == "affinity":
                held = [h for h in hosts if on_host[h]]
                candidates = held[:1] or hosts
            elif policy == "anti-affinity":
                shared = [h for h in hosts if on_host[h]]
                if self.config["anti_affinity_race"] and shared:
                    # Two schedulers racing: each saw the group without the other's member.
                    self.config["anti_affinity_race"] = int(self.config["anti_affinity_race"]) - 1
                    host = max(shared, key=lambda h: (on_host[h], -order[h]))
                    placed[server_id] = host
                    load[host] += 1
                    self.servers[server_id]["race"] = True
                    continue
                most = int((group.get("rules") or {}).get("max_server_per_host", 1))
                candidates = [h for h in hosts if on_host[h] < most]
            elif policy == "soft-anti-affinity":
                key = lambda h: (on_host[h], load[h], order[h])
            elif policy == "soft-affinity":
                key = lambda h: (-on_host[h], load[h], order[h])
            if not candidates:
                placed = None
                break
            host = min(candidates, key=key)
            placed[server_id] = host
            load[host] += 1
        for server_id in server_ids:
            server = self.servers[server_id]
            if placed is None:
                # nova-conductor buries every instance of the request in cell0: no host, ERROR.
                server.update(host=None, will_fail=True, fault_message=NO_VALID_HOST)
                continue
            server["host"] = placed[server_id]
            if server.pop("race", False) and self.config["anti_affinity_race_mode"] != "share":
                # nova-compute's late check refuses the build (GroupAffinityViolation, rescheduled
                # by policy); every alternate host fails it too, and the conductor gives up
                # (nova/conductor/manager.py build_instances, scheduler/utils.py populate_retry).
                server["will_fail"] = True
                if len(self.host_names()) >= NOVA_MAX_ATTEMPTS:
                    server["fault_message"] = (
                        "Exceeded maximum number of retries. Exceeded max scheduling attempts %d for instance %s. "
                        "Last exception: Anti-affinity instance group policy was violated" % (NOVA_MAX_ATTEMPTS, server_id))
                else:
                    server["fault_message"] = (
                        "Exceeded maximum number of retries. Exhausted all hosts available for retrying build "
                        "failures for instance %s." % server_id)

    def release_ports(self, server_id):
        # Nova deletes the ports it created; their floating IPs stay allocated, disassociated.
        for port_id in [p for p, port in self.ports.items() if port["device_id"] == server_id]:
            port = self.ports[port_id]
            if port.get("_created_by_nova"):
                del self.ports[port_id]
            else:
                port["device_id"], port["device_owner"] = "", ""
            for fip in self.floatingips.values():
                if fip["port_id"] == port_id:
                    fip.update(port_id=None, fixed_ip_address=None, status="DOWN")

    def allocate_ip(self, network_id):
        network = ipaddress.ip_network(self.networks[network_id]["cidr"])
        host = self.next_host[network_id]
        self.next_host[network_id] += 1
        return str(network.network_address + host)

    def new_port(self, network_id, device_id, fixed_ip=None, by_nova=True):
        port_id = str(uuid.uuid4())
        address = fixed_ip or self.allocate_ip(network_id)
        subnet_id = "sub-" + network_id
        self.ports[port_id] = {
            "id": port_id, "network_id": network_id, "device_id": device_id,
            "device_owner": "compute:nova" if device_id else "", "status": "ACTIVE", "admin_state_up": True,
            "mac_address": "fa:16:3e:%02x:%02x:%02x" % tuple(uuid.uuid4().bytes[:3]),
            "fixed_ips": [{"subnet_id": subnet_id, "ip_address": address}], "name": "",
            "tenant_id": "p-demo", "project_id": "p-demo", "_created_by_nova": by_nova,
        }
        return self.ports[port_id]


# ---------------------------------------------------------------------------------------------
# Validation helpers shared by the services.

def require_object(value, where):
    if not isinstance(value, dict):
        raise nova_error(400, f"Invalid input for field/attribute {where}. Value: {json.dumps(value)}. "
                              f"{json.dumps(value)} is not of type 'object'")
    return value


def refuse_additional(body, allowed, where):
    extra = sorted(set(body) - set(allowed))
    if extra:
        quoted = ", ".join(f"'{key}'" for key in extra)
        verb = "was" if len(extra) == 1 else "were"
        raise nova_error(400, f"Invalid input for field/attribute {where}. Value: {json.dumps(body)}. "
                              f"Additional properties are not allowed ({quoted} {verb} unexpected)")


# ---------------------------------------------------------------------------------------------
# Nova's request schemas are checked by jsonschema (Draft 2020-12) and the first error found is
# the message: nova/api/validation/validators.py. The few keywords the schemas below use, in the
# order jsonschema walks them, with its messages.

def _json_type(value, kind):
    if kind == "object":
        return isinstance(value, dict)
    if kind == "array":
        return isinstance(value, list)
    if kind == "string":
        return isinstance(value, str)
    if kind == "integer":
        return (isinstance(value, int) and not isinstance(value, bool)) or (isinstance(value, float)
                                                                             and value.is_integer())
    if kind == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "null":
        return value is None
    if kind == "boolean":
        return isinstance(value, bool)
    return False


def _nova_name_ok(value):
    # parameter_types.valid_name_regex: printable characters (no C*, no Z* but Zs) below
    # U+FFFF, neither first nor last one a space.
    def printable(char):
        category = unicodedata.category(char)
        return ord(char) < 0xFFFF and not category.startswith("C") and (not category.startswith("Z") or category == "Zs")
    if not all(printable(c) for c in value):
        return False
    return not value or (unicodedata.category(value[0]) != "Zs" and unicodedata.category(value[-1]) != "Zs")


def _uuid_like(value):
    # oslo_utils.uuidutils.is_uuid_like
    try:
        return str(uuid.UUID(value)).replace("-", "") == value.replace("urn:", "").replace("uuid:", "").strip("{}").replace("-", "").lower()
    except (TypeError, ValueError, AttributeError):
        return False


def _schema_errors(schema, value, path):
    """Yields (message, path, value, invalid_name) as jsonschema's iter_errors would."""
    for keyword, argument in schema.items():
        if keyword == "type":
            kinds = argument if isinstance(argument, list) else [argument]
            if not any(_json_type(value, k) for k in kinds):
                yield "%r is not of type %s" % (value, ", ".join(repr(k) for k in kinds)), path, value, False
        elif keyword == "properties" and isinstance(value, dict):
            for name, sub in argument.items():
                if name in value:
                    yield from _schema_errors(sub, value[name], path + [name])
        elif keyword == "required" and isinstance(value, dict):
            for name in argument:
                if name not in value:
                    yield "%r is a required property" % name, path, value, False
        elif keyword == "additionalProperties" and argument is False and isinstance(value, dict):
            extras = sorted((k for k in value if k not in schema.get("properties", {})), key=str)
            if extras:
                yield ("Additional properties are not allowed (%s %s unexpected)"
                       % (", ".join(repr(e) for e in extras), "was" if len(extras) == 1 else "were")), path, value, False
        elif keyword == "enum":
            if not any(type(e) is type(value) and e == value for e in argument):
                yield "%r is not one of %r" % (value, argument), path, value, False
        elif keyword == "prefixItems" and isinstance(value, list):
            for index, (item, sub) in enumerate(zip(value, argument)):
                yield from _schema_errors(sub, item, path + [index])
        elif keyword == "items" and isinstance(value, list):
            for index, item in enumerate(value[len(schema.get("prefixItems", [])):]):
                yield from _schema_errors(argument, item, path + [index])
        elif keyword == "uniqueItems" and argument and isinstance(value, list):
            if len({json.dumps(v, sort_keys=True) for v in value}) != len(value):
                yield "%r has non-unique elements" % (value,), path, value, False
        elif keyword == "minItems" and isinstance(value, list) and len(value) < argument:
            yield "%r %s" % (value, "should be non-empty" if argument == 1 else "is too short"), path, value, False
        elif keyword == "maxItems" and isinstance(value, list) and len(value) > argument:
            yield "%r %s" % (value, "is expected to be empty" if argument == 0 else "is too long"), path, value, False
        elif keyword == "pattern" and isinstance(value, str) and not re.search(argument, value):
            yield "%r does not match %r" % (value, argument), path, value, False
        elif keyword == "minimum":
            # Nova's validator compares strings of numbers too ('0' is less than 1).
            number = value
            if not isinstance(value, bool):
                try:
                    number = int(value)
                except (TypeError, ValueError):
                    try:
                        number = float(value)
                    except (TypeError, ValueError):
                        number = None
            if _json_type(number, "number") and number < argument:
                yield "%r is less than the minimum of %r" % (number, argument), path, value, False
        elif keyword == "minLength" and isinstance(value, str) and len(value) < argument:
            yield "%r %s" % (value, "should be non-empty" if argument == 1 else "is too short"), path, value, False
        elif keyword == "maxLength" and isinstance(value, str) and len(value) > argument:
            yield "%r %s" % (value, "is expected to be empty" if argument == 0 else "is too long"), path, value, False
        elif keyword == "format" and argument == "name":
            if not isinstance(value, str) or not _nova_name_ok(value):
                yield None, path, value, True
        elif keyword == "format" and argument == "uuid":
            if isinstance(value, str) and not _uuid_like(value):
                yield "%r is not a %r" % (value, "uuid"), path, value, False
        elif keyword == "oneOf":
            valid = [sub for sub in argument if next(_schema_errors(sub, value, path), None) is None]
            if not valid:
                yield "%r is not valid under any of the given schemas" % (value,), path, value, False
            elif len(valid) > 1:
                yield "%r is valid under each of %s" % (value, ", ".join(repr(v) for v in valid)), path, value, False


def nova_validate(schema, value, is_body=True):
    """Nova's 400 for the first error, worded as nova/api/validation/validators.py words it."""
    error = next(_schema_errors(schema, value, []), None)
    if error is None:
        return
    message, path, instance, invalid_name = error
    if invalid_name:
        detail = ("An invalid 'name' value was provided. The name must be: printable characters. "
                  "Can not start or end with whitespace.")
    elif path and is_body:
        detail = "Invalid input for field/attribute %s. Value: %s. %s" % (path[-1], instance, message)
    elif path:
        detail = "Invalid input for query parameters %s. Value: %s. %s" % (path[0], instance, message)
    else:
        detail = message
    raise nova_error(400, detail)


# nova/api/validation/parameter_types.py and nova/api/openstack/compute/schemas/server_groups.py
NOVA_NAME = {"type": "string", "format": "name", "minLength": 1, "maxLength": 255}
NOVA_POSITIVE_INTEGER = {"type": ["integer", "string"], "pattern": "^[0-9]*$", "minimum": 1, "minLength": 1}
NOVA_NON_NEGATIVE_INTEGER = {"type": ["integer", "string"], "pattern": "^[0-9]*$", "minimum": 0, "minLength": 1}


def server_group_create_schema(version):
    if version >= (2, 64):
        group = {"type": "object", "properties": {
            "name": NOVA_NAME,
            "policy": {"type": "string", "enum": ["anti-affinity", "affinity", "soft-anti-affinity", "soft-affinity"]},
            "rules": {"type": "object", "properties": {"max_server_per_host": NOVA_POSITIVE_INTEGER},
                      "additionalProperties": False}},
            "required": ["name", "policy"], "additionalProperties": False}
    else:
        policies = ["anti-affinity", "affinity"] + (["soft-anti-affinity", "soft-affinity"] if version >= (2, 15) else [])
        group = {"type": "object", "properties": {
            "name": NOVA_NAME,
            "policies": {"type": "array", "prefixItems": [{"type": "string", "enum": policies}], "uniqueItems": True,
                         "minItems": 1, "maxItems": 1, "additionalItems": False}},
            "required": ["name", "policies"], "additionalProperties": False}
    return {"type": "object", "properties": {"server_group": group}, "required": ["server_group"],
            "additionalProperties": False}


def server_group_index_query_schema(version):
    return {"type": "object", "properties": {
        "all_projects": {"type": "array", "items": {"type": "string"}},
        "limit": {"type": "array", "items": NOVA_NON_NEGATIVE_INTEGER},
        "offset": {"type": "array", "items": NOVA_NON_NEGATIVE_INTEGER}},
        "additionalProperties": version < (2, 75)}


# The 'group' scheduler hint (nova/api/openstack/compute/schemas/servers.py _hints).
SCHEDULER_HINTS_SCHEMA = {"type": "object", "properties": {
    "group": {"oneOf": [{"type": "array", "items": {"type": "string", "format": "uuid"}},
                        {"type": "string", "format": "uuid"}]}},
    "additionalProperties": True}

# nova/scheduler/manager.py, nova/exception.py NoValidHost
NO_VALID_HOST = "No valid host was found. There are not enough hosts available."
# [scheduler]/max_attempts, Nova's default: the first host and two alternates.
NOVA_MAX_ATTEMPTS = 3


def host_id(project_id, host):
    # nova/utils.py generate_hostid
    return hashlib.sha224((project_id + host).encode("utf-8")).hexdigest() if host else ""


def is_uuid(text):
    try:
        uuid.UUID(str(text))
        return True
    except ValueError:
        return False


# ---------------------------------------------------------------------------------------------
# The HTTP side.

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "FakeOpenStack/1.0"
    cloud: Cloud = None
    base_url = ""

    def log_message(self, format, *args):  # the request log is the control API, not stderr
        pass

    # --- plumbing ------------------------------------------------------------------------------

    def do_GET(self):
        self.dispatch("GET")

    def do_POST(self):
        self.dispatch("POST")

    def do_PUT(self):
        self.dispatch("PUT")

    def do_DELETE(self):
        self.dispatch("DELETE")

    def do_PATCH(self):
        self.dispatch("PATCH")

    def do_HEAD(self):
        self.dispatch("HEAD")

    def dispatch(self, method):
        parts = urlsplit(self.path)
        self.route_path = parts.path
        self.query = parse_qs(parts.query, keep_blank_values=True)
        length = int(self.headers.get("Content-Length") or 0)
        self.raw_body = self.rfile.read(length) if length else b""
        self.body = None
        entry = None
        self.entry = None
        if not self.route_path.startswith("/_fake/"):
            entry = {"method": method, "path": self.route_path, "query": {k: v[0] if len(v) == 1 else v
                                                                        for k, v in self.query.items()},
                     "headers": {k: ("<token>" if k.lower() in ("x-auth-token", "x-subject-token") else v)
                                 for k, v in self.headers.items()},
                     "time": time.time()}
            self.entry = entry
            try:
                entry["body"] = json.loads(self.raw_body) if self.raw_body else None
            except ValueError:
                entry["body"] = self.raw_body.decode("utf-8", "replace")
            with self.cloud.lock:
                self.cloud.requests.append(entry)
            latency = self.cloud.config["latency_ms"]
            if latency:
                time.sleep(latency / 1000.0)
            held = self.cloud.held_seconds(method, self.route_path)
            if held:
                time.sleep(held)
            fault = self.matching_fault(method)
            if fault is not None and fault.get("kind") == "slow":
                # The service takes its time, then answers as it would have: `seconds`, or until
                # the test opens the rule's gate (at most `seconds`, default 60).
                if fault.get("gate"):
                    self.cloud.gate(fault["gate"]).wait(float(fault.get("seconds", 60)))
                else:
                    time.sleep(float(fault.get("seconds", 2)))
            elif fault is not None:
                entry["status"] = self.apply_fault(fault)
                return
        try:
            if entry is not None and self.raw_body and self.headers.get("Content-Type", "").split(";")[0].strip() \
                    not in ("application/json", "application/openstack-images-v2.1-json-patch"):
                raise Reply(415, {"badMediaType": {"code": 415, "message": "Unsupported Content-Type"}})
            if self.raw_body:
                try:
                    self.body = json.loads(self.raw_body)
                except ValueError:
                    raise self.service_error(400, "Malformed request body")
            self.route(method)
            raise Reply(404, text="404 Not Found\n\nThe resource could not be found.\n")
        except Reply as reply:
            if entry is not None:
                entry["status"] = reply.status
            self.send(reply)

    def service_error(self, status, message):
        path = self.route_path
        if path.startswith("/identity"):
            return keystone_error(status, message)
        if path.startswith("/network"):
            return neutron_error(status, "HTTPBadRequest", message)
        if path.startswith("/image"):
            return glance_error(status, message)
        return nova_error(status, message)

    def send(self, reply):
        if self.entry is not None:
            # When the answer left, so tests can order what the client did after it.
            self.entry["answered"] = time.time()
        if reply.text is not None:
            payload, content_type = reply.text.encode(), "text/plain; charset=UTF-8"
        elif reply.body is not None:
            payload, content_type = json.dumps(reply.body).encode(), "application/json"
        else:
            payload, content_type = b"", None
        self.send_response(reply.status)
        for key, value in reply.headers.items():
            self.send_header(key, value)
        if content_type and reply.status != 204:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", "0" if reply.status == 204 else str(len(payload)))
        self.send_header("X-Openstack-Request-Id", "req-" + str(uuid.uuid4()))
        self.end_headers()
        if reply.status != 204 and self.command != "HEAD":
            self.wfile.write(payload)

    # --- faults --------------------------------------------------------------------------------

    def matching_fault(self, method):
        with self.cloud.lock:
            for rule in self.cloud.faults:
                if rule.get("times", 1) == 0:
                    continue
                if rule.get("method") and rule["method"].upper() != method:
                    continue
                if rule.get("path") and not re.search(rule["path"], self.route_path):
                    continue
                if rule.get("times", 1) > 0:
                    rule["times"] = rule.get("times", 1) - 1
                rule["hits"] = rule.get("hits", 0) + 1
                return dict(rule)
        return None

    def apply_fault(self, rule):
        kind = rule.get("kind", "status")
        if kind == "reset":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            self.connection.close()
            return "reset"
        if kind == "hang":
            time.sleep(float(rule.get("seconds", 30)))
            self.close_connection = True
            return "hang"
        if kind == "malformed":
            payload = b'{"servers": [{"id": '
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
            return 200
        status = int(rule.get("status", 500))
        headers = {}
        if rule.get("retry_after") is not None:
            headers["Retry-After"] = str(rule["retry_after"])
        if rule.get("body") is not None:
            reply = Reply(status, rule["body"], headers)
        else:
            reply = self.service_error(status, rule.get("message", "Injected fault (fake cloud)"))
            reply.headers.update(headers)
        self.send(reply)
        return status

    # --- routing -------------------------------------------------------------------------------

    def route(self, method):
        path = self.route_path
        if path.startswith("/_fake/"):
            return self.control(method, path[len("/_fake/"):])
        if path.startswith("/identity"):
            return Identity(self).route(method, path[len("/identity"):])
        if path.startswith("/compute"):
            return Compute(self).route(method, path[len("/compute"):])
        if path.startswith("/image"):
            return Image(self).route(method, path[len("/image"):])
        if path.startswith("/network"):
            return Network(self).route(method, path[len("/network"):])

    def authenticated(self):
        token = self.headers.get("X-Auth-Token")
        with self.cloud.lock:
            info = self.cloud.tokens.get(token) if token else None
            if info is None or info["expires"] < time.time():
                raise unauthenticated()
            return info

    def control(self, method, what):
        cloud = self.cloud
        with cloud.lock:
            if what == "requests" and method == "GET":
                raise Reply(200, cloud.requests)
            if what == "requests" and method == "DELETE":
                cloud.requests.clear()
                raise Reply(204)
            if what == "config" and method == "GET":
                raise Reply(200, cloud.config)
            if what == "config" and method == "POST":
                unknown = set(self.body or {}) - set(cloud.config)
                if unknown:
                    raise Reply(400, {"error": f"unknown knobs: {sorted(unknown)}"})
                cloud.config.update(self.body or {})
                cloud.fill_catalog()
                raise Reply(200, cloud.config)
            if what == "cidrs" and method == "POST":
                # A network's addresses from a loopback range, so that a test can run servers
                # on the addresses machines get (fabric-wait's port and mysql stages): only
                # 127.0.0.0/8, nothing off this host.
                for name, cidr in (self.body or {}).items():
                    network_id = next((i for i, n in cloud.networks.items() if n["name"] == name), None)
                    if network_id is None or not ipaddress.ip_network(cidr).subnet_of(ipaddress.ip_network("127.0.0.0/8")):
                        raise Reply(400, {"error": f"cidrs: {name} is no network, or {cidr} is not in 127.0.0.0/8"})
                    cloud.networks[network_id]["cidr"] = cidr
                raise Reply(200, {name: n["cidr"] for name, n in ((n["name"], n) for n in cloud.networks.values())})
            if what == "users" and method == "POST":
                # Users of its own for a test, so a password can be one no other text holds.
                cloud.users.update(self.body or {})
                raise Reply(204)
            if what == "faults" and method == "POST":
                rules = self.body if isinstance(self.body, list) else [self.body]
                cloud.faults.extend(rules)
                raise Reply(200, cloud.faults)
            if what == "faults" and method == "GET":
                raise Reply(200, cloud.faults)
            if what == "faults" and method == "DELETE":
                cloud.faults.clear()
                raise Reply(204)
            if what == "tokens" and method == "GET":
                # The tokens issued, so tests can look for them where they must never appear.
                raise Reply(200, sorted(cloud.tokens))
            if what == "open_gate" and method == "POST":
                cloud.gate((self.body or {}).get("name")).set()
                raise Reply(204)
            if what == "finish_builds" and method == "POST":
                # Every server still building is ACTIVE now (its boot log's times follow).
                t = time.time()
                for server in cloud.servers.values():
                    if server["status"] == "BUILD":
                        server["ready_at"] = min(server["ready_at"], t)
                cloud.settle()
                raise Reply(204)
            if what == "expire_tokens" and method == "POST":
                cloud.tokens.clear()
                raise Reply(204)
            if what == "state" and method == "GET":
                cloud.settle()
                strip = lambda d: {k: v for k, v in d.items() if not k.startswith("_")}
                raise Reply(200, {
                    "servers": [{"id": s["id"], "name": s["name"], "status": s["status"],
                                 "metadata": s["metadata"], "deleting": bool(s.get("deleted_at")),
                                 "host": s.get("host")}
                                for s in cloud.servers.values()],
                    "ports": [strip(p) for p in cloud.ports.values()],
                    "floatingips": list(cloud.floatingips.values()),
                    "snapshots": [strip(i) for i in cloud.images.values() if i.get("image_type") == "snapshot"],
                    "server_groups": [{"id": g["id"], "name": g["name"], "policy": g["policy"], "rules": g["rules"],
                                       "members": [m for m in g["members"] if m in cloud.servers]}
                                      for g in cloud.server_groups.values()],
                })
            if what == "reset" and method == "POST":
                cloud.faults.clear()
                cloud.requests.clear()
                cloud.reset()
                raise Reply(204)
            if what == "delete_server" and method == "POST":
                # A server deleted behind fabric's back (openstack server delete): Nova removes
                # its ports; Neutron keeps their floating IPs allocated.
                cloud.remove_server((self.body or {}).get("id"))
                raise Reply(204)
            if what == "delete_network" and method == "POST":
                name = (self.body or {}).get("name")
                for network_id in [n for n, net in cloud.networks.items() if net["name"] == name]:
                    del cloud.networks[network_id]
                raise Reply(204)
            if what == "ports" and method == "POST":
                # A port made ahead of time by the user, for --private_nics port-id=...
                network_id = (self.body or {}).get("network_id")
                if network_id not in cloud.networks:
                    raise Reply(400, {"error": "unknown network_id"})
                port = cloud.new_port(network_id, "", by_nova=False)
                raise Reply(201, {"port": {k: v for k, v in port.items() if not k.startswith("_")}})
        raise Reply(404, {"error": f"no control endpoint {method} /_fake/{what}"})


# ---------------------------------------------------------------------------------------------
# Keystone

class Identity:
    def __init__(self, handler):
        self.h, self.cloud = handler, handler.cloud

    def route(self, method, path):
        base = self.h.base_url + "/identity"
        v3 = {"id": "v3.14", "status": "stable", "updated": "2020-04-07T00:00:00Z",
              "links": [{"rel": "self", "href": base + "/v3/"}],
              "media-types": [{"base": "application/json", "type": "application/vnd.openstack.identity-v3+json"}]}
        v2 = {"id": "v2.0", "status": "deprecated", "updated": "2016-08-04T00:00:00Z",
              "links": [{"rel": "self", "href": base + "/v2.0/"}],
              "media-types": [{"base": "application/json", "type": "application/vnd.openstack.identity-v2.0+json"}]}
        if method == "GET" and path in ("", "/"):
            raise Reply(300, {"versions": {"values": [v3, v2]}})
        if method == "GET" and path in ("/v3", "/v3/"):
            raise Reply(200, {"version": v3})
        if method == "GET" and path in ("/v2.0", "/v2.0/"):
            raise Reply(200, {"version": v2})
        if path == "/v3/auth/tokens":
            if method == "POST":
                return self.v3_issue()
            if method in ("GET", "HEAD"):
                self.h.authenticated()
                subject = self.cloud.tokens.get(self.h.headers.get("X-Subject-Token") or "")
                if subject is None:
                    raise keystone_error(404, "Could not find token.")
                raise Reply(200, {"token": subject["body"]})
        if path == "/v2.0/tokens" and method == "POST":
            return self.v2_issue()
        if path.startswith("/v3") or path.startswith("/v2.0"):
            raise keystone_error(404, "The resource could not be found.", "Not Found")

    def catalog_v3(self):
        catalog = []
        for kind, name, suffix in [("compute", "nova", "/compute/v2.1"), ("image", "glance", "/image"),
                                   ("network", "neutron", "/network"), ("identity", "keystone", "/identity")]:
            url = self.h.base_url + suffix
            endpoints = [{"id": f"{name}-{interface}", "interface": interface, "region": "RegionOne",
                          "region_id": "RegionOne", "url": url} for interface in ("public", "internal", "admin")]
            catalog.append({"id": f"svc-{name}", "type": kind, "name": name, "endpoints": endpoints})
        return catalog

    def new_token(self, body):
        token = "gAAAAA" + uuid.uuid4().hex + uuid.uuid4().hex
        ttl = float(self.cloud.config["token_ttl_seconds"])
        self.cloud.tokens[token] = {"expires": time.time() + ttl, "body": body}
        return token, now_iso(time.time() + ttl)

    def domain_matches(self, reference, expected):
        if not isinstance(reference, dict) or set(reference) - {"id", "name"} or not reference:
            return False
        return reference.get("name", expected) == expected and reference.get("id", expected.lower()) in (
            expected.lower(), expected)

    def v3_issue(self):
        body = self.h.body
        if not isinstance(body, dict) or not isinstance(body.get("auth"), dict) or set(body) != {"auth"}:
            raise keystone_error(400, "Expecting to find auth in request body.")
        auth = body["auth"]
        if set(auth) - {"identity", "scope"}:
            raise keystone_error(400, f"Additional properties are not allowed: {sorted(set(auth) - {'identity', 'scope'})}")
        identity = auth.get("identity")
        if not isinstance(identity, dict) or not isinstance(identity.get("methods"), list) or not identity["methods"]:
            raise keystone_error(400, "Expecting to find identity.methods in request body.")
        methods = identity["methods"]
        unknown = [m for m in methods if m not in ("password", "token", "application_credential")]
        if unknown:
            raise keystone_error(401, "The request you have made requires authentication.")
        with self.cloud.lock:
            user_name, project_name = None, None
            method = methods[0]
            if method not in identity:
                raise keystone_error(400, f"Expecting to find {method} in identity.")
            if method == "password":
                user = identity["password"].get("user") if isinstance(identity["password"], dict) else None
                if not isinstance(user, dict) or set(user) - {"id", "name", "domain", "password"}:
                    raise keystone_error(400, "Invalid password.user object.")
                if "name" in user and "domain" not in user:
                    raise keystone_error(400, "Expecting to find domain in user.")
                user_name = user.get("name") or next((n for n, u in self.cloud.users.items()
                                                      if u["id"] == user.get("id")), None)
                record = self.cloud.users.get(user_name)
                if (record is None or user.get("password") != record["password"]
                        or ("domain" in user and not self.domain_matches(user["domain"], record["domain"]))):
                    raise keystone_error(401, "The request you have made requires authentication.")
            elif method == "token":
                token = identity["token"].get("id") if isinstance(identity["token"], dict) else None
                info = self.cloud.tokens.get(token)
                if info is None or info["expires"] < time.time():
                    raise keystone_error(404, f"Could not find token: {token and token[:6]}…")
                user_name = info["body"]["user"]["name"]
                project_name = (info["body"].get("project") or {}).get("name")
            else:
                credential = identity["application_credential"]
                if not isinstance(credential, dict) or "secret" not in credential:
                    raise keystone_error(400, "Expecting to find secret in application_credential.")
                if "scope" in auth:
                    raise keystone_error(401, "Application credentials cannot request a scope.")
                match = None
                for credential_id, record in self.cloud.app_credentials.items():
                    if credential.get("id") == credential_id or (
                            credential.get("name") == record["name"] and isinstance(credential.get("user"), dict)
                            and credential["user"].get("name") == record["user"]):
                        match = record
                if match is None or credential["secret"] != match["secret"]:
                    raise keystone_error(401, "The request you have made requires authentication.")
                user_name, project_name = match["user"], match["project"]
            scope = auth.get("scope")
            if scope is not None:
                project = scope.get("project") if isinstance(scope, dict) else None
                if not isinstance(project, dict):
                    raise keystone_error(400, "Only project scope is offered by this cloud.")
                if "name" in project and "domain" not in project:
                    raise keystone_error(400, "Expecting to find domain in project.")
                project_name = project.get("name") or next((n for n, p in self.cloud.projects.items()
                                                            if p["id"] == project.get("id")), None)
                record = self.cloud.projects.get(project_name)
                if record is None or ("domain" in project and not self.domain_matches(project["domain"],
                                                                                      record["domain"])):
                    raise keystone_error(401, "The request you have made requires authentication.")
            token_body = {"methods": methods, "user": {"id": self.cloud.users[user_name]["id"], "name": user_name,
                                                       "domain": {"id": "default", "name": "Default"}},
                          "audit_ids": [uuid.uuid4().hex[:22]], "issued_at": now_iso()}
            if project_name:
                token_body["project"] = {"id": self.cloud.projects[project_name]["id"], "name": project_name,
                                         "domain": {"id": "default", "name": "Default"}}
                token_body["roles"] = [{"id": "r-member", "name": "member"}]
                token_body["catalog"] = self.catalog_v3()
            token, expires = self.new_token(token_body)
            token_body["expires_at"] = expires
            raise Reply(201, {"token": token_body}, {"X-Subject-Token": token})

    def v2_issue(self):
        body = self.h.body
        auth = body.get("auth") if isinstance(body, dict) else None
        if not isinstance(auth, dict):
            raise keystone_error(400, "Expecting to find auth in request body.")
        credentials = auth.get("passwordCredentials")
        with self.cloud.lock:
            if isinstance(credentials, dict):
                record = self.cloud.users.get(credentials.get("username"))
                if record is None or credentials.get("password") != record["password"]:
                    raise keystone_error(401, "Invalid user / password")
                user_name = credentials["username"]
            elif isinstance(auth.get("token"), dict):
                info = self.cloud.tokens.get(auth["token"].get("id"))
                if info is None:
                    raise keystone_error(401, "The request you have made requires authentication.")
                user_name = info["body"]["user"]["name"]
            else:
                raise keystone_error(400, "Expecting to find passwordCredentials or token in auth.")
            tenant = auth.get("tenantName") or next((n for n, p in self.cloud.projects.items()
                                                     if p["id"] == auth.get("tenantId")), None)
            if tenant not in self.cloud.projects:
                raise keystone_error(401, f"Project not found: {tenant}")
            catalog = []
            for service in self.catalog_v3():
                urls = {e["interface"]: e["url"] for e in service["endpoints"]}
                catalog.append({"type": service["type"], "name": service["name"], "endpoints": [
                    {"id": service["id"], "region": "RegionOne", "publicURL": urls["public"],
                     "internalURL": urls["internal"], "adminURL": urls["admin"]}], "endpoints_links": []})
            body = {"user": {"id": self.cloud.users[user_name]["id"], "name": user_name},
                    "project": {"id": self.cloud.projects[tenant]["id"], "name": tenant}}
            token, expires = self.new_token(body)
            raise Reply(200, {"access": {
                "token": {"id": token, "expires": expires, "issued_at": now_iso(),
                          "tenant": {"id": self.cloud.projects[tenant]["id"], "name": tenant, "enabled": True}},
                "serviceCatalog": catalog,
                "user": {"id": self.cloud.users[user_name]["id"], "name": user_name, "username": user_name,
                         "roles": [{"name": "member"}]},
                "metadata": {"is_admin": 0, "roles": []}}})


# ---------------------------------------------------------------------------------------------
# Nova

SERVER_FIELDS = {"name", "imageRef", "flavorRef", "adminPass", "metadata", "networks", "OS-DCF:diskConfig",
                 "accessIPv4", "accessIPv6", "availability_zone", "block_device_mapping",
                 "block_device_mapping_v2", "config_drive", "key_name", "min_count", "max_count",
                 "return_reservation_id", "security_groups", "user_data"}
SERVER_FIELDS_BY_VERSION = [((2, 19), "description"), ((2, 52), "tags"), ((2, 63), "trusted_image_certificates"),
                            ((2, 74), "host"), ((2, 74), "hypervisor_hostname"), ((2, 90), "hostname")]
BDM_FIELDS = {"source_type", "destination_type", "boot_index", "uuid", "volume_size", "delete_on_termination",
              "guest_format", "device_name", "disk_bus", "device_type", "no_device", "tag", "volume_type",
              "image_id", "snapshot_id", "volume_id"}
SERVER_LIST_FILTERS = {"name", "reservation_id", "status", "limit", "marker", "changes-since", "image", "flavor",
                       "ip", "ip6", "sort_key", "sort_dir", "deleted", "all_tenants", "tags", "tags-any",
                       "not-tags", "not-tags-any", "availability_zone", "key_name", "created_at", "launched_at",
                       "terminated_at", "locked", "changes-before", "user_id", "project_id", "host", "node"}


class Compute:
    def __init__(self, handler):
        self.h, self.cloud = handler, handler.cloud

    def version_document(self):
        return {"id": "v2.1", "status": "CURRENT", "version": self.cloud.config["max_microversion"],
                "min_version": "2.1", "updated": "2013-07-23T11:33:21Z",
                "links": [{"rel": "self", "href": self.h.base_url + "/compute/v2.1/"},
                          {"rel": "describedby", "type": "text/html", "href": "http://docs.openstack.org/"}],
                "media-types": [{"base": "application/json",
                                 "type": "application/vnd.openstack.compute+json;version=2.1"}]}

    def microversion(self):
        maximum = parse_version(self.cloud.config["max_microversion"])
        requested = None
        header = self.h.headers.get("OpenStack-API-Version")
        if header:
            fields = header.split()
            if len(fields) == 2 and fields[0].lower() == "compute":
                requested = fields[1]
        if requested is None:
            requested = self.h.headers.get("X-OpenStack-Nova-API-Version")
        if requested is None:
            version = MIN_MICROVERSION
        elif requested.strip() == "latest":
            version = maximum
        else:
            version = parse_version(requested)
            if version is None:
                raise nova_error(400, f"API Version String {requested} is of invalid format. "
                                      "Must be of format MajorNum.MinorNum.")
            if not (MIN_MICROVERSION <= version <= maximum):
                raise nova_error(406, f"Version {requested} is not supported by the API. "
                                      f"Minimum is 2.1 and maximum is {self.cloud.config['max_microversion']}.")
        self.version = version
        text = "%d.%d" % version
        self.headers = {"OpenStack-API-Version": "compute " + text, "X-OpenStack-Nova-API-Version": text,
                        "Vary": "OpenStack-API-Version, X-OpenStack-Nova-API-Version"}
        return version

    def reply(self, status, body=None, extra_headers=None):
        headers = dict(self.headers)
        headers.update(extra_headers or {})
        raise Reply(status, body, headers)

    def route(self, method, path):
        if method == "GET" and path in ("", "/"):
            raise Reply(300 if path == "" else 200, {"versions": [
                {"id": "v2.0", "status": "SUPPORTED", "version": "", "min_version": "",
                 "updated": "2011-01-21T11:33:21Z",
                 "links": [{"rel": "self", "href": self.h.base_url + "/compute/v2/"}]},
                self.version_document()]})
        if not path.startswith("/v2.1"):
            return
        rest = path[len("/v2.1"):]
        if method == "GET" and rest in ("", "/"):
            raise Reply(200, {"version": self.version_document()})
        self.h.authenticated()
        self.microversion()
        with self.cloud.lock:
            self.cloud.settle()
            routes = [
                ("GET", r"/flavors/detail", self.list_flavors),
                ("GET", r"/flavors/([^/]+)", self.get_flavor),
                ("GET", r"/os-keypairs", self.list_keypairs),
                ("GET", r"/os-availability-zone", self.list_zones),
                ("POST", r"/servers", self.create_server),
                ("GET", r"/servers", lambda: self.list_servers(detail=False)),
                ("GET", r"/servers/detail", lambda: self.list_servers(detail=True)),
                ("GET", r"/servers/([^/]+)", self.get_server),
                ("DELETE", r"/servers/([^/]+)", self.delete_server),
                ("POST", r"/servers/([^/]+)/action", self.server_action),
                ("GET", r"/servers/([^/]+)/os-interface", self.list_interfaces),
                ("GET", r"/os-server-groups", self.list_server_groups),
                ("POST", r"/os-server-groups", self.create_server_group),
                ("GET", r"/os-server-groups/([^/]+)", self.get_server_group),
                ("DELETE", r"/os-server-groups/([^/]+)", self.delete_server_group),
                ("GET", r"/limits", self.limits),
            ]
            for verb, pattern, action in routes:
                match = re.fullmatch(pattern, rest)
                if match and verb == method:
                    return action(*match.groups())
            if any(re.fullmatch(pattern, rest) for _, pattern, _ in routes):
                raise nova_error(405, "The method specified is not allowed for this resource.")
            raise nova_error(404, "The resource could not be found.")

    # --- flavors -------------------------------------------------------------------------------

    def flavor_view(self, flavor, detail=True):
        flavor = {k: v for k, v in flavor.items() if not k.startswith("_")}
        link = self.h.base_url + "/compute/v2.1/flavors/" + flavor["id"]
        view = {"id": flavor["id"], "name": flavor["name"], "links": [{"rel": "self", "href": link}]}
        if detail:
            swap = flavor["swap"] if (flavor["swap"] or self.version >= SWAP_AS_INT_MICROVERSION) else ""
            view.update({"vcpus": flavor["vcpus"], "ram": flavor["ram"], "disk": flavor["disk"], "swap": swap,
                         "OS-FLV-EXT-DATA:ephemeral": flavor["ephemeral"], "OS-FLV-DISABLED:disabled": False,
                         "rxtx_factor": 1.0, "os-flavor-access:is_public": True})
            if self.version >= (2, 55):
                view["description"] = None
            if self.version >= (2, 61):
                view["extra_specs"] = {}
        return view

    def paginate(self, items, key, collection):
        query = self.h.query
        if "marker" in query:
            marker = query["marker"][0]
            ids = [item[key] for item in items]
            if marker not in ids:
                raise nova_error(400, f"marker [{marker}] not found")
            items = items[ids.index(marker) + 1:]
        limit = self.cloud.config["page_size_max"]
        if "limit" in query:
            try:
                limit = min(int(query["limit"][0]), limit)
                if limit < 0:
                    raise ValueError
            except ValueError:
                raise nova_error(400, "limit param must be an integer")
        page = items[:limit]
        links = []
        if len(items) > limit and page:
            links = [{"rel": "next", "href": self.h.base_url + "/compute/v2.1/" + collection
                      + f"?limit={limit}&marker={page[-1][key]}"}]
        return page, links

    def list_flavors(self):
        query = self.h.query
        unknown = set(query) - {"is_public", "minDisk", "minRam", "sort_key", "sort_dir", "limit", "marker"}
        if unknown and self.version >= (2, 75):
            raise nova_error(400, f"Invalid input for query parameters {sorted(unknown)}.")
        flavors = self.cloud.flavors
        # As Nova: the flavors of at least this much memory (MB) and root disk (GB); a value
        # that int() refuses is a 400 naming it.
        for param, field, label in (("minRam", "ram", "minRam"), ("minDisk", "disk", "minDisk")):
            if param in query:
                try:
                    minimum = int(query[param][-1])
                except ValueError:
                    raise nova_error(400, f"Invalid {label} filter [{query[param][-1]}]")
                if not self.cloud.config["ignore_filters"]:
                    flavors = [f for f in flavors if f[field] >= minimum]
        page, links = self.paginate(flavors, "id", "flavors/detail")
        body = {"flavors": [self.flavor_view(f) for f in page]}
        if links:
            body["flavors_links"] = links
        self.reply(200, body)

    def get_flavor(self, flavor_id):
        for flavor in self.cloud.flavors:
            if flavor["id"] == flavor_id:
                self.reply(200, {"flavor": self.flavor_view(flavor)})
        raise nova_error(404, f"Flavor {flavor_id} could not be found.")

    def list_keypairs(self):
        self.reply(200, {"keypairs": [{"keypair": {"name": name, "public_key": key, "type": "ssh",
                                                   "fingerprint": "aa:bb"}} for name, key in
                                      self.cloud.keypairs.items()]})

    def list_zones(self):
        self.reply(200, {"availabilityZoneInfo": [{"zoneName": zone, "zoneState": {"available": True},
                                                   "hosts": None} for zone in self.cloud.zones]})

    # --- servers -------------------------------------------------------------------------------

    def validate_create(self, body):
        if not isinstance(body, dict) or "server" not in body:
            raise nova_error(400, "Invalid input for field/attribute server. 'server' is a required property")
        refuse_additional(body, {"server", "os:scheduler_hints", "OS-SCH-HNT:scheduler_hints"}, "Request body")
        server = require_object(body["server"], "server")
        allowed = set(SERVER_FIELDS)
        allowed |= {field for version, field in SERVER_FIELDS_BY_VERSION if self.version >= version}
        if self.version <= PERSONALITY_LAST_MICROVERSION:
            allowed.add("personality")
        refuse_additional(server, allowed, "server")
        for field in ("name", "flavorRef"):
            if field not in server:
                raise nova_error(400, f"Invalid input for field/attribute server. '{field}' is a required property")
        if not isinstance(server["name"], str) or not server["name"].strip() or len(server["name"]) > 255:
            raise nova_error(400, "Invalid input for field/attribute name. Value: %s." % json.dumps(server["name"]))
        networks_required = self.version >= NETWORKS_REQUIRED_MICROVERSION
        if networks_required and "networks" not in server:
            raise nova_error(400, "Invalid input for field/attribute server. 'networks' is a required property")
        for field in ("min_count", "max_count"):
            if field in server and (not isinstance(server[field], int) or isinstance(server[field], bool)
                                    or server[field] < 1):
                raise nova_error(400, f"Invalid input for field/attribute {field}. "
                                      f"Value: {json.dumps(server[field])}. must be an integer >= 1")
        if server.get("min_count", 1) > server.get("max_count", server.get("min_count", 1)):
            raise nova_error(400, "min_count must be <= max_count")
        metadata = server.get("metadata", {})
        require_object(metadata, "metadata")
        if len(metadata) > 128:
            raise nova_error(403, "Quota exceeded for metadata_items: Requested %d, but quota is 128" % len(metadata))
        for key, value in metadata.items():
            if not (1 <= len(key) <= 255) or not isinstance(value, str) or len(value) > 255:
                raise nova_error(400, f"Invalid input for field/attribute metadata. Value: {json.dumps(metadata)}. "
                                      f"'{key}' does not match any of the regexes or value is not a string <= 255")
        if "user_data" in server:
            data = server["user_data"]
            if not isinstance(data, str) or len(data) > USER_DATA_MAX:
                raise nova_error(400, "Invalid input for field/attribute user_data. Value: ... is too long "
                                      f"(limit {USER_DATA_MAX})")
            try:
                base64.b64decode(data, validate=True)
            except (binascii.Error, ValueError):
                raise nova_error(400, "Invalid input for field/attribute user_data. Value: ... is not a 'base64'")
        if "personality" in server:
            entries = server["personality"]
            if not isinstance(entries, list):
                raise nova_error(400, "Invalid input for field/attribute personality.")
            for entry in entries:
                if not isinstance(entry, dict) or set(entry) != {"path", "contents"}:
                    raise nova_error(400, "Invalid input for field/attribute personality. "
                                          "Each entry needs exactly path and contents.")
                if len(entry["path"]) > 255:
                    raise nova_error(400, "Personality file path exceeds maximum 255")
                try:
                    decoded = base64.b64decode(entry["contents"], validate=True)
                except (binascii.Error, ValueError):
                    raise nova_error(400, "Personality content for %s cannot be decoded" % entry["path"])
                if len(decoded) > 10240:
                    raise nova_error(403, "Personality file content exceeds maximum 10240")
            if len(entries) > 5:
                raise nova_error(403, "Personality file limit exceeded")
        if "config_drive" in server and not isinstance(server["config_drive"], (bool, str)):
            raise nova_error(400, "Invalid input for field/attribute config_drive.")
        if "security_groups" in server:
            groups = server["security_groups"]
            if not isinstance(groups, list) or not all(isinstance(g, dict) and set(g) == {"name"} for g in groups):
                raise nova_error(400, "Invalid input for field/attribute security_groups. Value: %s."
                                 % json.dumps(groups))
            for group in groups:
                if group["name"] not in self.cloud.security_groups:
                    raise nova_error(400, "Unable to find security_group with name or id '%s'" % group["name"])
        if "key_name" in server and server["key_name"] not in self.cloud.keypairs:
            raise nova_error(400, "Invalid key_name provided.")
        if "availability_zone" in server and server["availability_zone"].split(":")[0] not in self.cloud.zones:
            raise nova_error(400, "The requested availability zone is not available")
        hints = body.get("os:scheduler_hints", body.get("OS-SCH-HNT:scheduler_hints", {}))
        require_object(hints, "os:scheduler_hints")
        nova_validate({"type": "object", "properties": {"os:scheduler_hints": SCHEDULER_HINTS_SCHEMA}},
                      {"os:scheduler_hints": hints})
        bdms = server.get("block_device_mapping_v2", [])
        if not isinstance(bdms, list):
            raise nova_error(400, "Invalid input for field/attribute block_device_mapping_v2.")
        boots_from_volume = False
        for bdm in bdms:
            require_object(bdm, "block_device_mapping_v2")
            refuse_additional(bdm, BDM_FIELDS, "block_device_mapping_v2")
            source, destination = bdm.get("source_type"), bdm.get("destination_type", "volume")
            if source not in ("blank", "image", "snapshot", "volume"):
                raise nova_error(400, "Invalid input for field/attribute source_type. Value: %s. "
                                      "'%s' is not one of ['volume', 'image', 'snapshot', 'blank']" % (source, source))
            if destination not in ("local", "volume"):
                raise nova_error(400, "Invalid input for field/attribute destination_type.")
            if "volume_size" in bdm and (not isinstance(bdm["volume_size"], int) or bdm["volume_size"] < 0):
                raise nova_error(400, "Invalid input for field/attribute volume_size.")
            if "delete_on_termination" in bdm and not isinstance(bdm["delete_on_termination"], bool):
                raise nova_error(400, "Invalid input for field/attribute delete_on_termination.")
            if source == "blank" and destination == "local":
                if bdm.get("guest_format") not in ("swap", None, "ext4", "ext3", "xfs"):
                    raise nova_error(400, "Block Device Mapping is Invalid: Unrecognized guest format.")
            if source == "volume" and bdm.get("uuid") not in self.cloud.volumes:
                raise nova_error(400, "Block Device Mapping is Invalid: failed to get volume %s." % bdm.get("uuid"))
            if source == "snapshot" and bdm.get("uuid") not in self.cloud.volume_snapshots:
                raise nova_error(400, "Block Device Mapping is Invalid: failed to get snapshot %s." % bdm.get("uuid"))
            if source == "image" and bdm.get("uuid") not in self.cloud.images:
                raise nova_error(400, "Block Device Mapping is Invalid: failed to get image %s." % bdm.get("uuid"))
            if bdm.get("boot_index") == 0 and destination == "volume":
                boots_from_volume = True
        image_ref = server.get("imageRef", "")
        if not image_ref and not boots_from_volume:
            raise nova_error(400, "Block Device Mapping is Invalid: Boot sequence for the instance and image/"
                                  "block device mapping combination is not valid.")
        if image_ref:
            image = self.cloud.images.get(image_ref)
            if image is None:
                raise nova_error(400, "Can not find requested image")
            if image["status"] != "active":
                raise nova_error(400, "Image %s is not active." % image_ref)
        flavor = next((f for f in self.cloud.flavors if f["id"] == server["flavorRef"]), None)
        if flavor is None:
            raise nova_error(400, "Flavor %s could not be found." % server["flavorRef"])
        if image_ref:
            if flavor["ram"] < image["min_ram"]:
                raise nova_error(400, "Flavor's memory is too small for requested image.")
            if flavor["disk"] < image["min_disk"]:
                raise nova_error(400, "Flavor's disk is too small for requested image.")
        swap_mappings = [b for b in bdms if b.get("guest_format") == "swap"]
        # Swap mappings are sized in MB, as novaclient sends them; a flavor with swap caps them.
        if swap_mappings and flavor["swap"] and swap_mappings[0].get("volume_size", 0) > flavor["swap"]:
            raise nova_error(400, "Swap drive requested is larger than instance type allows.")
        networks = server.get("networks", [] if not networks_required else None)
        requested_networks = []
        if isinstance(networks, str):
            if networks not in ("auto", "none") or not networks_required:
                raise nova_error(400, "Invalid input for field/attribute networks. Value: %s." % networks)
            if networks == "auto":
                requested_networks = [{"network": self.network_by_name("private")}]
        else:
            if not isinstance(networks, list):
                raise nova_error(400, "Invalid input for field/attribute networks.")
            for entry in networks:
                require_object(entry, "networks")
                refuse_additional(entry, {"uuid", "fixed_ip", "port", "tag"}, "networks")
                if "port" in entry and entry["port"]:
                    port = self.cloud.ports.get(entry["port"])
                    if port is None:
                        raise nova_error(400, "Port %s could not be found." % entry["port"])
                    if port["device_id"]:
                        raise nova_error(409, "Port %s is still in use." % entry["port"])
                    if server.get("max_count", 1) > 1:
                        raise nova_error(400, "Unable to launch multiple instances with a single configured port "
                                              "ID. Please launch your instance one by one with different ports.")
                    requested_networks.append({"port": entry["port"]})
                    continue
                if entry.get("uuid") not in self.cloud.networks:
                    raise nova_error(400, "Network %s could not be found." % entry.get("uuid"))
                fixed = entry.get("fixed_ip")
                if fixed is not None:
                    try:
                        address = ipaddress.IPv4Address(fixed)
                    except ValueError:
                        raise nova_error(400, "Invalid input for field/attribute fixed_ip. Value: %s. "
                                              "'%s' is not a 'ipv4'" % (fixed, fixed))
                    cidr = ipaddress.ip_network(self.cloud.networks[entry["uuid"]]["cidr"])
                    if address not in cidr:
                        raise nova_error(400, "Fixed IP address %s is not valid on network %s" % (fixed, entry["uuid"]))
                    if any(p["fixed_ips"][0]["ip_address"] == fixed for p in self.cloud.ports.values()):
                        raise nova_error(409, "Fixed IP address %s is already in use on instance." % fixed)
                    if server.get("max_count", 1) > 1:
                        raise nova_error(400, "max_count cannot be greater than 1 if an fixed_ip is specified.")
                requested_networks.append({"network": entry["uuid"], "fixed_ip": fixed})
        return server, flavor, hints, requested_networks

    def network_by_name(self, name):
        return next(nid for nid, n in self.cloud.networks.items() if n["name"] == name)

    def create_server(self):
        server_request, flavor, hints, requested_networks = self.validate_create(self.h.body)
        count = server_request.get("max_count", server_request.get("min_count", 1))
        minimum = server_request.get("min_count", 1)
        # nova/compute/api.py _get_requested_instance_group: an unknown group is a 400
        # (InstanceGroupNotFound), before any quota.
        group = None
        group_hint = hints.get("group")
        if isinstance(group_hint, list):
            group_hint = group_hint[0] if group_hint else None
        if group_hint:
            group = self.cloud.server_groups.get(group_hint)
            if group is None:
                raise nova_error(400, "Instance group %s could not be found." % group_hint)
        available = self.cloud.config["quota_instances"] - len(self.cloud.servers)
        if available < minimum:
            raise nova_error(403, "Quota exceeded for instances: Requested %d, but already used %d of %d instances"
                             % (minimum, len(self.cloud.servers), self.cloud.config["quota_instances"]))
        count = min(count, available)
        if group is not None:
            # _provision_instances: each instance of the request adds one member, checked against
            # [quota] server_group_members; one over fails the whole request (OverQuota -> 403).
            members = [m for m in group["members"] if m in self.cloud.servers]
            if len(members) + count > int(self.cloud.config["quota_server_group_members"]):
                raise nova_error(403, "Quota exceeded, too many servers in group")
        reservation = "r-" + uuid.uuid4().hex[:8]
        name = server_request["name"]
        created = []
        for index in range(1, count + 1):
            self.cloud.created_count += 1
            server_id = str(uuid.uuid4())
            server_name = f"{name}-{index}" if count > 1 else name
            pattern = self.cloud.config["error_server_name_regex"]
            will_fail = bool(pattern and re.search(pattern, server_name)) or (
                self.cloud.config["error_server_nth"] == self.cloud.created_count)
            for network in requested_networks:
                if "port" in network:
                    port = self.cloud.ports[network["port"]]
                    port["device_id"], port["device_owner"] = server_id, "compute:nova"
                else:
                    self.cloud.new_port(network["network"], server_id, network.get("fixed_ip"))
            t = time.time()
            self.cloud.servers[server_id] = {
                "id": server_id, "name": server_name, "status": "BUILD", "reservation_id": reservation,
                "created": now_iso(t), "updated": now_iso(t), "ready_at": t + float(self.cloud.config["build_seconds"]),
                "will_fail": will_fail, "metadata": dict(server_request.get("metadata", {})),
                "image": server_request.get("imageRef", ""), "flavor": flavor,
                "availability_zone": server_request.get("availability_zone", "nova").split(":")[0],
                "key_name": server_request.get("key_name"),
                "security_groups": [g["name"] for g in server_request.get("security_groups", [{"name": "default"}])],
                "config_drive": server_request.get("config_drive", ""), "request": self.h.body,
                "hints": hints, "host": None,
            }
            created.append(server_id)
        if group is not None:
            group["members"].extend(created)
        self.cloud.schedule(created, group)
        if server_request.get("return_reservation_id"):
            self.reply(202, {"reservation_id": reservation})
        first = self.cloud.servers[created[0]]
        self.reply(202, {"server": {
            "id": first["id"], "OS-DCF:diskConfig": "MANUAL", "adminPass": "fakeAdminPass1",
            "security_groups": [{"name": g} for g in first["security_groups"]],
            "links": [{"rel": "self", "href": self.h.base_url + "/compute/v2.1/servers/" + first["id"]}]}},
            {"Location": self.h.base_url + "/compute/v2.1/servers/" + first["id"]})

    def server_view(self, server, detail=True):
        link = self.h.base_url + "/compute/v2.1/servers/" + server["id"]
        view = {"id": server["id"], "name": server["name"], "links": [{"rel": "self", "href": link}]}
        if not detail:
            return view
        addresses = {}
        for port in self.cloud.ports.values():
            if port["device_id"] != server["id"]:
                continue
            network_name = self.cloud.networks[port["network_id"]]["name"]
            entries = addresses.setdefault(network_name, [])
            for fixed in port["fixed_ips"]:
                entries.append({"addr": fixed["ip_address"], "version": 4, "OS-EXT-IPS:type": "fixed",
                                "OS-EXT-IPS-MAC:mac_addr": port["mac_address"]})
            for fip in self.cloud.floatingips.values():
                if fip["port_id"] == port["id"]:
                    entries.append({"addr": fip["floating_ip_address"], "version": 4, "OS-EXT-IPS:type": "floating",
                                    "OS-EXT-IPS-MAC:mac_addr": port["mac_address"]})
        flavor = server["flavor"]
        if self.version >= FLAVOR_EMBEDDED_MICROVERSION:
            flavor_view = {"vcpus": flavor["vcpus"], "ram": flavor["ram"], "disk": flavor["disk"],
                           "ephemeral": flavor["ephemeral"], "swap": flavor["swap"],
                           "original_name": flavor["name"], "extra_specs": {}}
        else:
            flavor_view = {"id": flavor["id"], "links": [{"rel": "bookmark", "href": self.h.base_url
                                                          + "/compute/flavors/" + flavor["id"]}]}
        view.update({
            "status": server["status"], "tenant_id": "p-demo", "user_id": "u-admin",
            "metadata": server["metadata"], "hostId": host_id("p-demo", server.get("host")),
            "image": {"id": server["image"]} if server["image"] else "",
            "flavor": flavor_view, "created": server["created"], "updated": server["updated"],
            "addresses": addresses, "accessIPv4": "", "accessIPv6": "", "OS-DCF:diskConfig": "MANUAL",
            "progress": 0 if server["status"] == "BUILD" else 100,
            "OS-EXT-AZ:availability_zone": server["availability_zone"] if server["status"] != "BUILD" else "",
            "config_drive": "True" if server["config_drive"] in (True, "true", "True") else "",
            "key_name": server["key_name"],
            "OS-EXT-STS:task_state": None if server["status"] == "DELETED" else "deleting" if server.get("deleted_at") else (
                "spawning" if server["status"] == "BUILD" else None),
            "OS-EXT-STS:vm_state": {"BUILD": "building", "ACTIVE": "active", "ERROR": "error",
                                    "DELETED": "deleted"}.get(server["status"]),
            "OS-EXT-STS:power_state": 1 if server["status"] == "ACTIVE" else 0,
            "os-extended-volumes:volumes_attached": [],
            "security_groups": [{"name": g} for g in server["security_groups"]],
        })
        if self.version >= (2, 9):
            view["locked"] = False
        if self.version >= (2, 19):
            view["description"] = None
        if server["status"] == "ERROR" and "fault" in server:
            view["fault"] = server["fault"]
        return view

    def list_servers(self, detail):
        query = self.h.query
        unknown = set(query) - SERVER_LIST_FILTERS
        if unknown and self.version >= (2, 75):
            raise nova_error(400, "Invalid input for query parameters %s. Additional properties are not allowed"
                             % sorted(unknown))
        servers = sorted(self.cloud.servers.values(), key=lambda s: (s["created"], s["name"]), reverse=True)
        if "name" in query:
            try:
                pattern = re.compile(query["name"][0])
            except re.error:
                raise nova_error(400, "Invalid name regex")
            servers = [s for s in servers if pattern.search(s["name"])]
        if "reservation_id" in query:
            servers = [s for s in servers if s["reservation_id"] == query["reservation_id"][0]]
        if "status" in query:
            servers = [s for s in servers if s["status"] == query["status"][0].upper()]
        page, links = self.paginate(servers, "id", "servers/detail" if detail else "servers")
        body = {"servers": [self.server_view(s, detail) for s in page]}
        if links:
            body["servers_links"] = links
        self.reply(200, body)

    def find_server(self, server_id):
        server = self.cloud.servers.get(server_id)
        if server is None:
            raise nova_error(404, "Instance %s could not be found." % server_id)
        return server

    def get_server(self, server_id):
        view = self.server_view(self.find_server(server_id))
        if self.version >= (2, 71):
            # views/servers.py show(show_server_groups=True): the group the server is in.
            group = self.cloud.group_of(server_id)
            view["server_groups"] = [group["id"]] if group else []
        self.reply(200, {"server": view})

    def delete_server(self, server_id):
        server = self.find_server(server_id)
        if not server.get("deleted_at"):
            server["deleted_at"] = time.time() + float(self.cloud.config["delete_seconds"])
            if self.cloud.config["delete_seconds"] <= 0:
                self.cloud.remove_server(server_id)
        self.reply(204)

    # --- server groups (nova/api/openstack/compute/server_groups.py) -------------------------------

    def server_group_view(self, group):
        view = {"id": group["id"], "name": group["name"]}
        if self.version >= (2, 64):
            view["policy"], view["rules"] = group["policy"], dict(group["rules"])
        else:
            view["policies"], view["metadata"] = [group["policy"]], {}
        view["members"] = [m for m in group["members"] if m in self.cloud.servers]
        if self.version >= (2, 13):
            view["project_id"], view["user_id"] = group["project_id"], group["user_id"]
        return view

    def find_server_group(self, group_id):
        group = self.cloud.server_groups.get(group_id)
        if group is None:
            raise nova_error(404, "Instance group %s could not be found." % group_id)
        return group

    def list_server_groups(self):
        query = {k: list(v) for k, v in self.h.query.items()}
        nova_validate(server_group_index_query_schema(self.version), query, is_body=False)
        # all_projects counts only for an admin (context.is_admin); a member gets its own groups.
        groups = list(self.cloud.server_groups.values())
        # common.limited: offset, then limit (0 or none: [api] max_limit).
        offset = int(query["offset"][-1]) if "offset" in query else 0
        limit = int(query["limit"][-1]) if "limit" in query else 0
        maximum = int(self.cloud.config["page_size_max"])
        limit = min(maximum, limit or maximum)
        self.reply(200, {"server_groups": [self.server_group_view(g) for g in groups[offset:offset + limit]]})

    def get_server_group(self, group_id):
        if self.version >= (2, 102) and self.h.query:
            nova_validate({"type": "object", "properties": {}, "additionalProperties": False},
                          {k: list(v) for k, v in self.h.query.items()}, is_body=False)
        self.reply(200, {"server_group": self.server_group_view(self.find_server_group(group_id))})

    def delete_server_group(self, group_id):
        del self.cloud.server_groups[self.find_server_group(group_id)["id"]]
        self.reply(204)

    def create_server_group(self):
        body = self.h.body
        nova_validate(server_group_create_schema(self.version), body)
        if len(self.cloud.server_groups) + 1 > int(self.cloud.config["quota_server_groups"]):
            raise nova_error(403, "Quota exceeded, too many server groups.")
        request = body["server_group"]
        if self.version >= (2, 64):
            policy, rules = request["policy"], request.get("rules", {})
            if policy != "anti-affinity" and rules:
                raise nova_error(400, "Only anti-affinity policy supports rules.")
            rules = {k: int(v) for k, v in rules.items()}
        else:
            policy, rules = request["policies"][0], {}
        group = {"id": str(uuid.uuid4()), "name": request["name"], "policy": policy, "rules": rules,
                 "members": [], "project_id": "p-demo", "user_id": "u-admin"}
        self.cloud.server_groups[group["id"]] = group
        self.reply(200, {"server_group": self.server_group_view(group)})

    # --- limits (nova/api/openstack/compute/limits.py, views/limits.py) ---------------------------

    def limits(self):
        query = {k: list(v) for k, v in self.h.query.items()}
        nova_validate({"type": "object", "properties": {"tenant_id": {"type": "array", "items": {"type": "string"}}},
                       "additionalProperties": self.version < (2, 75)}, query, is_body=False)
        if "tenant_id" in query:
            # os_compute_api:limits:other_project is for admins only.
            raise nova_error(403, "Policy doesn't allow os_compute_api:limits:other_project to be performed.")
        config = self.cloud.config
        servers = list(self.cloud.servers.values())
        # The deprecated nova-network quotas are -1 with 0 used (quota.py AbsoluteResource).
        quotas = {
            "instances": (int(config["quota_instances"]), len(servers)),
            "cores": (int(config["quota_cores"]), sum(s["flavor"]["vcpus"] for s in servers)),
            "ram": (int(config["quota_ram"]), sum(s["flavor"]["ram"] for s in servers)),
            "key_pairs": (100, None), "metadata_items": (128, None), "injected_files": (5, None),
            "injected_file_content_bytes": (10240, None), "floating_ips": (-1, 0), "security_groups": (-1, 0),
            "security_group_rules": (-1, None),
            "server_groups": (int(config["quota_server_groups"]), len(self.cloud.server_groups)),
            "server_group_members": (int(config["quota_server_group_members"]), None),
        }
        names = {"ram": ["maxTotalRAMSize"], "instances": ["maxTotalInstances"], "cores": ["maxTotalCores"],
                 "key_pairs": ["maxTotalKeypairs"], "floating_ips": ["maxTotalFloatingIps"],
                 "metadata_items": ["maxServerMeta", "maxImageMeta"], "injected_files": ["maxPersonality"],
                 "injected_file_content_bytes": ["maxPersonalitySize"], "security_groups": ["maxSecurityGroups"],
                 "security_group_rules": ["maxSecurityGroupRules"], "server_groups": ["maxServerGroups"],
                 "server_group_members": ["maxServerGroupMembers"]}
        used = {"totalRAMUsed": "ram", "totalCoresUsed": "cores", "totalInstancesUsed": "instances",
                "totalFloatingIpsUsed": "floating_ips", "totalSecurityGroupsUsed": "security_groups",
                "totalServerGroupsUsed": "server_groups"}
        filtered = []
        if self.version >= (2, 36):
            filtered = ["floating_ips", "security_groups", "security_group_rules"]
        if self.version >= (2, 57):
            filtered += ["injected_files", "injected_file_content_bytes"]
        absolute = {}
        for resource, (limit, _) in quotas.items():
            if resource not in filtered:
                for name in names[resource]:
                    if name == "maxImageMeta" and self.version >= (2, 39):
                        continue
                    absolute[name] = limit
        for name, resource in used.items():
            if resource not in filtered:
                absolute[name] = quotas[resource][1]
        self.reply(200, {"limits": {"rate": [], "absolute": absolute}})

    def list_interfaces(self, server_id):
        self.find_server(server_id)
        self.reply(200, {"interfaceAttachments": [
            {"port_id": p["id"], "net_id": p["network_id"], "mac_addr": p["mac_address"], "port_state": "ACTIVE",
             "fixed_ips": p["fixed_ips"]} for p in self.cloud.ports.values() if p["device_id"] == server_id]})

    def server_action(self, server_id):
        server = self.find_server(server_id)
        body = self.h.body
        if not isinstance(body, dict) or len(body) != 1:
            raise nova_error(400, "There is no such action: %s" % (list(body) if isinstance(body, dict) else body))
        action, argument = next(iter(body.items()))
        if action == "os-getConsoleOutput":
            self.console_output(server, argument)
        if action != "createImage":
            raise nova_error(400, "There is no such action: %s" % action)
        require_object(argument, "createImage")
        refuse_additional(argument, {"name", "metadata"}, "createImage")
        if not isinstance(argument.get("name"), str) or not argument["name"].strip():
            raise nova_error(400, "Invalid input for field/attribute name.")
        metadata = argument.get("metadata", {})
        require_object(metadata, "metadata")
        if server["status"] not in ("ACTIVE", "SHUTOFF") or server.get("deleted_at"):
            state = "deleting" if server.get("deleted_at") else {"BUILD": "building", "ERROR": "error"}[server["status"]]
            raise nova_error(409, "Cannot 'createImage' instance %s while it is in vm_state %s" % (server_id, state))
        image_id = str(uuid.uuid4())
        t = time.time()
        seconds = float(self.cloud.config["snapshot_seconds"])
        final = "killed" if self.cloud.config["snapshot_fails"] else "active"
        image = {"id": image_id, "name": argument["name"], "status": "queued", "visibility": "private",
                 "min_disk": self.cloud.flavors[0]["disk"] if not server["image"] else
                 self.cloud.images.get(server["image"], {}).get("min_disk", 0),
                 "min_ram": 0, "disk_format": "qcow2", "container_format": "bare", "protected": False,
                 "owner": "p-demo", "tags": [], "created_at": now_iso(t), "updated_at": now_iso(t), "size": None,
                 "image_type": "snapshot", "instance_uuid": server_id, "base_image_ref": server["image"],
                 "_states": [(t + seconds / 2, "saving"), (t + seconds, final)]}
        for key, value in metadata.items():
            image[key] = value
        self.cloud.images[image_id] = image
        location = {"Location": self.h.base_url + "/image/v2/images/" + image_id}
        if self.version >= IMAGE_ID_IN_BODY_MICROVERSION:
            self.reply(202, {"image_id": image_id}, location)
        self.reply(202, None, location)

    def console_output(self, server, argument):
        """As nova/api/openstack/compute/console_output.py and its schema: length is an integer
        (or a string of one) from -1, or null; -1 and null mean the whole log; the reply's output
        has the control characters other than tab and newline removed."""
        require_object(argument, "os-getConsoleOutput")
        refuse_additional(argument, {"length"}, "os-getConsoleOutput")
        length = argument.get("length")
        if length is not None:
            if isinstance(length, bool) or not isinstance(length, (int, str)) \
                    or (isinstance(length, str) and not re.fullmatch(r"-?[0-9]+", length)) or int(length) < -1:
                raise nova_error(400, "Invalid input for field/attribute length. Value: %s." % length)
            length = int(length)
        if server.get("deleted_at"):
            raise nova_error(404, "Instance %s could not be found." % server["id"])
        # Nova reads the log from the compute host: none before the server is scheduled there.
        t = time.time()
        if server["status"] == "ERROR" or (server["status"] == "BUILD" and t < server["ready_at"] - float(self.cloud.config["build_seconds"]) / 2):
            raise nova_error(409, "Instance %s is not ready" % server["id"])
        lines = []
        if server["status"] == "ACTIVE":
            for delay, line in self.cloud.config["console_log"]:
                if t >= server["ready_at"] + float(delay):
                    lines.append(line.replace("{time}", time.strftime("%a, %d %b %Y %H:%M:%S +0000",
                                                                     time.gmtime(server["ready_at"] + float(delay)))))
        if length is not None and length >= 0:
            lines = lines[-length:] if length else []
        output = re.sub(r"[\x00-\x08\x0B-\x1F]", "", "".join(line + "\n" for line in lines))
        self.reply(200, {"output": output})


# ---------------------------------------------------------------------------------------------
# Glance

IMAGE_CORE_FILTERS = {"limit", "marker", "name", "status", "visibility", "owner", "member_status", "tag",
                      "size_min", "size_max", "sort_key", "sort_dir", "sort", "os_hidden", "protected",
                      "created_at", "updated_at", "id", "container_format", "disk_format"}


class Image:
    def __init__(self, handler):
        self.h, self.cloud = handler, handler.cloud

    def route(self, method, path):
        if method == "GET" and path in ("", "/", "/versions"):
            raise Reply(300 if path != "/versions" else 200, {"versions": [
                {"id": "v2.16", "status": "CURRENT", "links": [{"rel": "self",
                                                               "href": self.h.base_url + "/image/v2/"}]}]})
        if not path.startswith("/v2/"):
            return
        self.h.authenticated()
        rest = path[len("/v2"):]
        with self.cloud.lock:
            self.cloud.settle()
            if rest == "/images" and method == "GET":
                return self.list_images()
            match = re.fullmatch(r"/images/([^/]+)", rest)
            if match and method == "GET":
                raise Reply(200, self.view(self.find(match.group(1))))
            if match and method == "DELETE":
                image = self.find(match.group(1))
                if image.get("protected"):
                    raise glance_error(403, "Image %s is protected and cannot be deleted." % image["id"])
                del self.cloud.images[image["id"]]
                raise Reply(204)
        raise glance_error(404, "The resource could not be found.")

    def find(self, image_id):
        image = self.cloud.images.get(image_id)
        if image is None:
            raise glance_error(404, "No image found with ID %s" % image_id)
        return image

    def view(self, image):
        view = {k: v for k, v in image.items() if not k.startswith("_")}
        view.update({"self": "/v2/images/" + image["id"], "file": "/v2/images/%s/file" % image["id"],
                     "schema": "/v2/schemas/image", "checksum": None if image["status"] != "active" else "0" * 32})
        return view

    # Glance's filters that take "in:a,b" (any of those values); the rest compare for equality,
    # core fields and image properties alike, and an image without the property never matches.
    IN_FILTERS = ("id", "name", "status", "container_format", "disk_format")

    def filter_images(self, images, query):
        visibility = query.get("visibility")
        if visibility is not None and visibility not in ("community", "public", "private", "shared", "all"):
            raise glance_error(400, "Invalid visibility value: %s" % visibility)
        if query.get("member_status", "accepted") not in ("pending", "accepted", "rejected", "all"):
            raise glance_error(400, "Invalid status value: %s" % query["member_status"])
        if "changes-since" in query:
            raise glance_error(400, 'The "changes-since" filter is no longer available on v2.')
        for key in ("protected", "os_hidden"):
            if key in query and query[key] not in ("true", "false"):
                raise glance_error(400, "Invalid value '%s' for '%s'. Valid values are 'true' or 'false'." % (query[key], key))
        if self.cloud.config["ignore_filters"]:
            return images
        for key, value in query.items():
            if key in ("limit", "marker", "sort_key", "sort_dir", "sort", "member_status"):
                continue
            if key == "visibility" and value == "all":
                continue
            if key in self.IN_FILTERS and value.startswith("in:"):
                wanted = value[3:].split(",")
                images = [i for i in images if str(i.get(key)) in wanted]
                continue
            images = [i for i in images if key in i and (str(i[key]).lower() if isinstance(i[key], bool) else str(i[key])) == value]
        return images

    def list_images(self):
        query = {k: v[0] for k, v in self.h.query.items()}
        images = sorted(self.cloud.images.values(), key=lambda i: (i["created_at"], i["id"]), reverse=True)
        images = self.filter_images(images, query)
        if "marker" in query:
            ids = [i["id"] for i in images]
            if query["marker"] not in ids:
                raise glance_error(400, "Invalid marker. Image %s could not be found." % query["marker"])
            images = images[ids.index(query["marker"]) + 1:]
        try:
            limit = min(int(query.get("limit", 25)), 1000)
        except ValueError:
            raise glance_error(400, "limit param must be an integer")
        page = images[:limit]
        body = {"images": [self.view(i) for i in page], "first": "/v2/images", "schema": "/v2/schemas/images"}
        if len(images) > limit:
            params = {k: v for k, v in query.items() if k != "marker"}
            params["marker"] = page[-1]["id"]
            body["next"] = "/v2/images?" + urlencode(params)
        raise Reply(200, body)


# ---------------------------------------------------------------------------------------------
# Neutron

class Network:
    def __init__(self, handler):
        self.h, self.cloud = handler, handler.cloud

    def route(self, method, path):
        if method == "GET" and path in ("", "/"):
            raise Reply(200, {"versions": [{"id": "v2.0", "status": "CURRENT", "links": [
                {"rel": "self", "href": self.h.base_url + "/network/v2.0/"}]}]})
        if not path.startswith("/v2.0/"):
            return
        self.h.authenticated()
        rest = path[len("/v2.0"):]
        with self.cloud.lock:
            self.cloud.settle()
            routes = [
                ("GET", r"/networks", self.list_networks),
                ("GET", r"/ports", self.list_ports),
                ("GET", r"/floatingips", self.list_floatingips),
                ("POST", r"/floatingips", self.create_floatingip),
                ("GET", r"/floatingips/([^/]+)", self.get_floatingip),
                ("DELETE", r"/floatingips/([^/]+)", self.delete_floatingip),
            ]
            for verb, pattern, action in routes:
                match = re.fullmatch(pattern, rest)
                if match and verb == method:
                    return action(*match.groups())
        raise neutron_error(404, "HTTPNotFound", "The resource could not be found.")

    def filtered(self, items, allowed):
        query = self.h.query
        for key, values in query.items():
            if key in ("fields", "limit", "marker", "sort_key", "sort_dir"):
                continue
            if key not in allowed:
                raise neutron_error(400, "HTTPBadRequest", "%s is invalid attribute for filtering" % key)
            items = [i for i in items if str(i.get(key)).lower() in [v.lower() for v in values]]
        return items

    def network_view(self, network_id, network):
        return {"id": network_id, "name": network["name"], "status": "ACTIVE", "admin_state_up": True,
                "subnets": ["sub-" + network_id], "shared": False, "router:external": network["external"],
                "tenant_id": "p-demo", "project_id": "p-demo", "mtu": 1450}

    def list_networks(self):
        views = [self.network_view(nid, n) for nid, n in self.cloud.networks.items()]
        raise Reply(200, {"networks": self.filtered(views, {"id", "name", "status", "router:external", "shared",
                                                            "tenant_id", "project_id", "admin_state_up"})})

    def list_ports(self):
        views = [{k: v for k, v in p.items() if not k.startswith("_")} for p in self.cloud.ports.values()]
        raise Reply(200, {"ports": self.filtered(views, {"id", "network_id", "device_id", "device_owner", "status",
                                                         "mac_address", "name", "tenant_id", "project_id"})})

    def list_floatingips(self):
        views = list(self.cloud.floatingips.values())
        raise Reply(200, {"floatingips": self.filtered(views, {"id", "port_id", "floating_network_id",
                                                               "floating_ip_address", "fixed_ip_address", "status",
                                                               "router_id", "tenant_id", "project_id"})})

    def get_floatingip(self, fip_id):
        fip = self.cloud.floatingips.get(fip_id)
        if fip is None:
            raise neutron_error(404, "FloatingIPNotFound", "Floating IP %s could not be found" % fip_id)
        raise Reply(200, {"floatingip": fip})

    def create_floatingip(self):
        body = self.h.body
        if not isinstance(body, dict) or set(body) != {"floatingip"} or not isinstance(body["floatingip"], dict):
            raise neutron_error(400, "HTTPBadRequest", "Resource body required")
        request = body["floatingip"]
        unknown = set(request) - {"floating_network_id", "port_id", "fixed_ip_address", "floating_ip_address",
                                  "description", "subnet_id", "tenant_id", "project_id", "dns_name", "dns_domain",
                                  "qos_policy_id"}
        if unknown:
            raise neutron_error(400, "HTTPBadRequest", "Unrecognized attribute(s) '%s'" % ", ".join(sorted(unknown)))
        network_id = request.get("floating_network_id")
        if network_id is None:
            raise neutron_error(400, "HTTPBadRequest", "Failed to parse request. Required attribute "
                                                       "'floating_network_id' not specified")
        network = self.cloud.networks.get(network_id)
        if network is None:
            raise neutron_error(404, "NetworkNotFound", "Network %s could not be found." % network_id)
        if not network["external"]:
            raise neutron_error(400, "BadRequest", "Bad floatingip request: Network %s is not a valid external "
                                                   "network." % network_id)
        if len(self.cloud.floatingips) >= self.cloud.config["quota_floatingips"]:
            raise neutron_error(409, "OverQuota", "Quota exceeded for resources: ['floatingip'].")
        port_id, fixed = request.get("port_id"), None
        if port_id is not None:
            port = self.cloud.ports.get(port_id)
            if port is None:
                raise neutron_error(404, "PortNotFound", "Port %s could not be found." % port_id)
            fixed = request.get("fixed_ip_address") or port["fixed_ips"][0]["ip_address"]
            if any(f["port_id"] == port_id and f["fixed_ip_address"] == fixed for f in self.cloud.floatingips.values()):
                raise neutron_error(409, "FloatingIPPortAlreadyAssociated",
                                    "Cannot associate floating IP with port %s using fixed IP %s, as that fixed IP "
                                    "already has a floating IP on external network %s." % (port_id, fixed, network_id))
        fip_id = str(uuid.uuid4())
        fip = {"id": fip_id, "floating_ip_address": self.cloud.allocate_ip(network_id),
               "floating_network_id": network_id, "port_id": port_id, "fixed_ip_address": fixed,
               "status": "ACTIVE" if port_id else "DOWN", "router_id": "router-1" if port_id else None,
               "tenant_id": "p-demo", "project_id": "p-demo", "description": request.get("description", ""),
               "created_at": now_iso()}
        self.cloud.floatingips[fip_id] = fip
        raise Reply(201, {"floatingip": fip})

    def delete_floatingip(self, fip_id):
        if self.cloud.floatingips.pop(fip_id, None) is None:
            raise neutron_error(404, "FloatingIPNotFound", "Floating IP %s could not be found" % fip_id)
        raise Reply(204)


# ---------------------------------------------------------------------------------------------

class CloudServer(ThreadingHTTPServer):
    # Read when the socket starts listening, in the constructor: the default backlog of 5 drops
    # the SYNs of a client opening ten connections at once, which then wait a second to retry.
    request_queue_size = 256
    daemon_threads = True


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--tls-cert")
    parser.add_argument("--tls-key")
    parser.add_argument("--latency-ms", type=float, default=0)
    parser.add_argument("--build-seconds", type=float, default=0.3)
    parser.add_argument("--snapshot-seconds", type=float, default=0.3)
    parser.add_argument("--create-seconds", type=float, default=1.0)
    parser.add_argument("--token-seconds", type=float, default=0.3)
    parser.add_argument("--floatingip-seconds", type=float, default=0.3)
    options = parser.parse_args()

    server = CloudServer((options.host, options.port), Handler)
    scheme = "http"
    if options.tls_cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(options.tls_cert, options.tls_key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
        scheme = "https"
    port = server.server_address[1]
    Handler.cloud = Cloud(options)
    Handler.base_url = f"{scheme}://{options.host}:{port}"
    print(json.dumps({"url": Handler.base_url, "pid": __import__("os").getpid()}), flush=True)
    import signal
    # A parent such as Foundation's Process may start us with signals blocked; SIGTERM must stop us.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    # A test process that is killed (SIGKILL, a runner stopped by hand) cannot stop its fakes:
    # the fake ends when its parent has gone, as the tests' MariaDB servers do.
    parent = os.getppid()

    def watch_parent():
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(0)

    threading.Thread(target=watch_parent, daemon=True).start()
    try:
        server.serve_forever(poll_interval=0.2)
    except (KeyboardInterrupt, SystemExit):
        pass


if __name__ == "__main__":
    main()
