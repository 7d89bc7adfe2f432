#!/usr/bin/env python3
"""A local EC2 for fabric's AMAZON tests: moto's server, and a strict proxy in front of it.

    ec2_fake.py moto
        Starts moto's server on 127.0.0.1 (a free port) with AMI, instance type and key pair
        validation on, prints {"url": ...} once it answers, and stops when stdin closes (the test
        run that started it ends). One per test run.

    ec2_fake.py proxy --moto URL --account 123456789012 [--cache DIR]
        Starts a proxy on 127.0.0.1 (a free port) in front of that moto, prints {"url": ...},
        stops when stdin closes. One per test: every request it forwards names the test's own
        account (x-moto-account-id), so tests running at once never see each other's machines.

The proxy is as strict as EC2 where moto is not: it verifies each request's AWS Signature V4
(and session token) against the credentials the test gave it, refuses what EC2 refuses (user data
over 16 KB, more than 50 tags), honours RunInstances' ClientToken (a repeat answers with the first
reply, different parameters are IdempotentParameterMismatch), and keeps machines pending, images
pending and terminated machines shutting-down for a while, as EC2 does. It injects faults (latency,
500, 503, RequestLimitExceeded, a reset before or after moto did the work) and records every
request. Its control API (JSON, under /_proxy/) sets credentials, knobs and faults, returns the
requests, seeds a test account (key pair, subnet, security groups, snapshot, golden image) and
reports what EC2 holds, read with boto3's own signed Describe* calls straight from moto.
Standard library only, except boto3 for the seed and state calls (installed beside moto).
"""

import argparse
from html import escape
import datetime
import fnmatch
import hashlib
import hmac
import base64
import http.client
import ipaddress
import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlencode, urlsplit

NS = "http://ec2.amazonaws.com/doc/2016-11-15"
ET.register_namespace("", NS)
USER_DATA_MAX = 16 * 1024
CONSOLE_MAX = 64 * 1024
CLOUD_INIT = "Cloud-init v. 24.1.4-0ubuntu1~22.04.1"
DEFAULT_CONSOLE_LOG = [
    [0.0, "[    0.000000] Linux version 6.8.0-1018-aws (buildd@lcy02-amd64-071) #19-Ubuntu SMP"],
    [0.2, "[    3.022145] cloud-init[488]: " + CLOUD_INIT + " running 'init' at {time}. Up 3.01 seconds."],
    [1.0, "[   11.473002] cloud-init[702]: " + CLOUD_INIT + " finished at {time}. Datasource DataSourceEc2Local.  Up 11.46 seconds"],
]
TAGS_MAX = 50


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def exit_with_parent(cleanup=None):
    """The parent (the test run) holds our stdin: when it closes it, or is gone, so are we."""
    parent = os.getppid()

    def watch():
        try:
            while os.getppid() == parent:
                ready, _, _ = select.select([0], [], [], 0.5)
                if ready and not os.read(0, 4096):
                    break
        finally:
            if cleanup:
                cleanup()
            os._exit(0)
    threading.Thread(target=watch, daemon=True).start()


def detach_from_test_runner():
    """A test runner may hand down SIGTERM and SIGINT ignored and blocked: undo that, so a
    terminate() stops us (and moto, which inherits it)."""
    for number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(number, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})


def ready(url):
    print(json.dumps({"url": url, "pid": os.getpid()}), flush=True)


# ---------------------------------------------------------------------------------------------
# moto

def run_moto(_args):
    port = free_port()
    env = dict(os.environ, MOTO_ENABLE_AMI_VALIDATION="1", MOTO_EC2_ENABLE_INSTANCE_TYPE_VALIDATION="1",
               MOTO_ENABLE_KEYPAIR_VALIDATION="1")
    server = os.path.join(os.path.dirname(sys.executable), "moto_server")
    child = subprocess.Popen([server, "-H", "127.0.0.1", "-p", str(port)], env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    exit_with_parent(lambda: (child.terminate(), child.wait(5)))
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/moto-api/")
            connection.getresponse().read()
            break
        except OSError:
            if child.poll() is not None:
                sys.exit(f"moto_server exited with {child.returncode}")
            time.sleep(0.1)
    else:
        sys.exit("moto_server did not answer within 60 s")
    ready(url)
    child.wait()


# ---------------------------------------------------------------------------------------------
# EC2's words

def ec2_error(status, code, message):
    body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>{code}</Code>'
            f"<Message>{message}</Message></Error></Errors><RequestID>{os.urandom(8).hex()}</RequestID></Response>")
    return status, body.encode()


class Refusal(Exception):
    def __init__(self, status, code, message):
        super().__init__(code)
        self.reply = ec2_error(status, code, message)


# ---------------------------------------------------------------------------------------------
# AWS Signature V4, verified as EC2 does (hashlib and hmac; the client's signature is libcurl's)

def _hmac(key, text):
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def verify_signature(method, path, headers, body, credentials, region):
    """Returns the access key id of a correctly signed request, or raises Refusal."""
    authorization = headers.get("Authorization", "")
    if not authorization.startswith("AWS4-HMAC-SHA256 "):
        raise Refusal(401, "AuthFailure", "AWS was not able to validate the provided access credentials")
    fields = dict(part.strip().split("=", 1) for part in authorization[len("AWS4-HMAC-SHA256 "):].split(",") if "=" in part)
    try:
        key_id, date, scope_region, service, terminator = fields["Credential"].split("/")
        signed = fields["SignedHeaders"].split(";")
        signature = fields["Signature"]
    except (KeyError, ValueError):
        raise Refusal(400, "IncompleteSignature", "the Authorization header is malformed")
    credential = credentials.get(key_id)
    if credential is None:
        raise Refusal(401, "AuthFailure", "AWS was not able to validate the provided access credentials")
    if service != "ec2" or terminator != "aws4_request" or scope_region != region:
        raise Refusal(403, "SignatureDoesNotMatch", f"Credential should be scoped to a valid region and service (ec2, {region})")
    if "host" not in signed or "x-amz-date" not in signed:
        raise Refusal(403, "SignatureDoesNotMatch", "host and x-amz-date must be signed")
    amz_date = headers.get("x-amz-date", "")
    try:
        stamp = datetime.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.timezone.utc)
    except ValueError:
        raise Refusal(400, "IncompleteSignature", "x-amz-date is missing or malformed")
    if abs((datetime.datetime.now(datetime.timezone.utc) - stamp).total_seconds()) > 900 or amz_date[:8] != date:
        raise Refusal(400, "RequestExpired", "Request has expired")
    token = credential.get("token")
    if token is not None and headers.get("X-Amz-Security-Token") != token:
        raise Refusal(401, "AuthFailure", "AWS was not able to validate the provided access credentials (session token)")
    canonical_headers = "".join(f"{name}:{' '.join((headers.get(name) or '').split())}\n" for name in signed)
    canonical = "\n".join([method, path or "/", "", canonical_headers, ";".join(signed), hashlib.sha256(body).hexdigest()])
    scope = f"{date}/{scope_region}/ec2/aws4_request"
    to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    key = _hmac(_hmac(_hmac(_hmac(("AWS4" + credential["secret"]).encode(), date), scope_region), "ec2"), "aws4_request")
    if not hmac.compare_digest(hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest(), signature):
        raise Refusal(403, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided")
    return key_id


# ---------------------------------------------------------------------------------------------
# The proxy

def q(name):
    return f"{{{NS}}}{name}"


# The filters DescribeImages takes (EC2 API reference); any other name is refused as EC2 does.
IMAGE_FILTERS = {
    "architecture", "block-device-mapping.delete-on-termination", "block-device-mapping.device-name",
    "block-device-mapping.snapshot-id", "block-device-mapping.volume-size", "block-device-mapping.volume-type",
    "block-device-mapping.encrypted", "creation-date", "description", "ena-support", "free-tier-eligible", "hypervisor",
    "image-allowed", "image-id", "image-type", "is-public", "kernel-id", "manifest-location", "name", "owner-alias",
    "owner-id", "platform", "platform-details", "product-code", "product-code.type", "ramdisk-id", "root-device-name",
    "root-device-type", "source-image-id", "source-image-region", "source-instance-id", "state", "state-reason-code",
    "state-reason-message", "sriov-net-support", "tag-key", "tag-value", "usage-operation", "virtualization-type",
}


def request_filters(params):
    """{name: [values]} of Filter.N.Name / Filter.N.Value.M."""
    filters, index = {}, 1
    while f"Filter.{index}.Name" in params:
        filters[params[f"Filter.{index}.Name"]] = numbered(params, f"Filter.{index}.Value")
        index += 1
    return filters


def without_search(params):
    """The request with its filters and named ids or types left out: what a cloud that
    ignores them answers."""
    return {name: value for name, value in params.items()
            if not name.startswith(("Filter.", "ImageId.", "InstanceType."))}


def numbered(params, prefix):
    """The values of prefix.1, prefix.2, ... in order."""
    values, index = [], 1
    while f"{prefix}.{index}" in params:
        values.append(params[f"{prefix}.{index}"])
        index += 1
    return values


class Proxy:
    def __init__(self, moto_url, account, cache=None):
        self.cache = cache
        self.catalogs = {}
        parts = urlsplit(moto_url)
        self.moto_url, self.moto_host, self.moto_port = moto_url, parts.hostname, parts.port
        self.account = account
        self.lock = threading.Lock()
        self.credentials = {}
        self.region = "us-east-1"
        self.requests = []
        self.faults = []
        # console_log: the boot log GetConsoleOutput serves, [seconds after the instance is
        # running, line] as the fake OpenStack cloud's knob of the same name; moto has none.
        self.knobs = {"latency_ms": 0, "build_seconds": 0.3, "snapshot_seconds": 0.3, "terminate_seconds": 0.2,
                      "fail_machine": None, "fail_snapshot": False, "console_log": DEFAULT_CONSOLE_LOG,
                      "loopback_cidr": None,
                      # ignore_filters: DescribeImages and DescribeInstanceTypes answer as if no
                      # Filter, ImageId or InstanceType was given (checked first, as EC2 does).
                      # extra_images: a catalogue of this many more AMIs of the account
                      # (bulk-image-00001, ...), which moto does not hold; moto's own instance
                      # types are already a public cloud's (about 1,300).
                      "ignore_filters": False, "extra_images": 0}
        # With loopback_cidr (a range in 127.0.0.0/8), the instances' addresses as DescribeInstances
        # answers are mapped into it, one each, so that a test can run servers where machines are.
        self.loopback = {}
        self.client_tokens = {}
        self.launched = {}
        self.terminated = {}
        self.images = {}
        # Placement groups, which moto 5.2 does not have: by name, and the instance launched
        # into each (RunInstances' Placement.GroupName, which moto ignores).
        self.placement_groups = {}
        self.placement_members = {}
        self._boto = None
        self.bulk_images = []

    # -- faults --------------------------------------------------------------------------------

    def take_fault(self, action, params):
        """The first rule for this action (or "*"), and the parameters it names if any, with
        tries left; each use spends one."""
        with self.lock:
            for rule in self.faults:
                if (rule.get("action", "*") in (action, "*") and rule.get("times", 1) > 0
                        and all(params.get(name) == value for name, value in rule.get("params", {}).items())):
                    rule["times"] = rule.get("times", 1) - 1
                    rule["used"] = rule.get("used", 0) + 1
                    return dict(rule)
        return None

    # -- moto ----------------------------------------------------------------------------------

    def forward(self, body, headers):
        connection = http.client.HTTPConnection(self.moto_host, self.moto_port, timeout=60)
        passed = {name: headers[name] for name in ("Authorization", "X-Amz-Date", "Content-Type", "X-Amz-Security-Token")
                  if headers.get(name) is not None}
        passed["x-moto-account-id"] = self.account
        passed["Content-Length"] = str(len(body))
        connection.request("POST", "/", body=body, headers=passed)
        response = connection.getresponse()
        payload = response.read()
        connection.close()
        return response.status, payload

    def boto(self):
        if self._boto is None:
            import boto3
            client = boto3.client("ec2", endpoint_url=self.moto_url, region_name=self.region,
                                  aws_access_key_id="AKIDPROXYCHECKS0000", aws_secret_access_key="proxy-checks")
            account = self.account
            client.meta.events.register("before-send.ec2.*",
                                        lambda request, **_: request.headers.__setitem__("x-moto-account-id", account))
            self._boto = client
        return self._boto

    # -- what EC2 refuses that moto lets through -----------------------------------------------

    @staticmethod
    def check_limits(action, params):
        if "UserData" in params:
            try:
                size = len(base64.b64decode(params["UserData"], validate=True))
            except ValueError:
                raise Refusal(400, "InvalidParameterValue", "Invalid BASE64 encoding of user data")
            if size > USER_DATA_MAX:
                raise Refusal(400, "InvalidParameterValue", f"User data is limited to {USER_DATA_MAX} bytes")
        index = 1
        while f"TagSpecification.{index}.ResourceType" in params:
            count = sum(1 for name in params if name.startswith(f"TagSpecification.{index}.Tag.") and name.endswith(".Key"))
            if count > TAGS_MAX:
                raise Refusal(400, "TagLimitExceeded", f"The maximum number of tags per resource is {TAGS_MAX}")
            for name, value in params.items():
                if name.startswith(f"TagSpecification.{index}.Tag.") and name.endswith(".Key") and value.lower().startswith("aws:"):
                    raise Refusal(400, "InvalidParameterValue", "Tag keys starting with 'aws:' are reserved for internal use")
            index += 1
        if action == "RunInstances":
            if params.get("MinCount") != params.get("MaxCount"):
                # moto launches MinCount; EC2 launches as many as it can up to MaxCount. fabric
                # always asks for exactly N, so anything else is a mistake worth failing on.
                raise Refusal(400, "InvalidParameterValue", "the proxy expects MinCount = MaxCount")
            if any(name.startswith("NetworkInterface.") for name in params) and (
                    "SubnetId" in params or any(name.startswith("SecurityGroup.") or name.startswith("SecurityGroupId.") for name in params)):
                raise Refusal(400, "InvalidParameterCombination",
                              "Network interfaces and an instance-level subnet ID or security groups may not be specified on the same request")

    # -- the actions the proxy follows ---------------------------------------------------------

    def handle(self, action, params, body, headers):
        self.check_limits(action, params)
        if action in ("CreatePlacementGroup", "DescribePlacementGroups", "DeletePlacementGroup"):
            return self.placement_group_action(action, params)
        if action == "RunInstances":
            return self.run_instances(params, body, headers)
        if action == "DescribeInstances":
            self.settle(headers)
            status, payload = self.forward(body, headers)
            return status, self.rewrite_instances(payload) if status == 200 else payload
        if action == "TerminateInstances":
            instances = numbered(params, "InstanceId")
            with self.lock:
                done = instances and all(instance in self.terminated for instance in instances)
            if done:
                # EC2 answers a repeat with the instances' state; moto fails on their interfaces.
                items = "".join(f"<item><instanceId>{instance}</instanceId><currentState><code>48</code><name>terminated</name>"
                                f"</currentState><previousState><code>48</code><name>terminated</name></previousState></item>"
                                for instance in instances)
                return 200, (f'<?xml version="1.0" encoding="UTF-8"?>\n<TerminateInstancesResponse xmlns="{NS}"><requestId>'
                             f"{os.urandom(8).hex()}</requestId><instancesSet>{items}</instancesSet></TerminateInstancesResponse>").encode()
            status, payload = self.forward(body, headers)
            if status == 200:
                with self.lock:
                    for instance in numbered(params, "InstanceId"):
                        self.terminated.setdefault(instance, time.time())
            return status, payload
        if action == "CreateImage":
            status, payload = self.forward(body, headers)
            if status == 200:
                image = ET.fromstring(payload).findtext(q("imageId"))
                with self.lock:
                    self.images[image] = time.time()
            return status, payload
        if action == "DescribeInstanceTypes":
            return self.instance_types(params, body, headers)
        if action == "GetConsoleOutput":
            return self.console_output(params)
        if action == "DescribeImages":
            return self.describe_images(params, headers)
        return self.forward(body, headers)

    def describe_images(self, params, headers):
        filters = request_filters(params)
        for name in filters:
            if name not in IMAGE_FILTERS and not name.startswith("tag:"):
                raise Refusal(400, "InvalidParameterValue", f"The filter '{name}' is invalid")
        if self.knobs.get("ignore_filters"):
            params, filters = without_search(params), {}
        status, payload = self.forward(urlencode(params).encode(), headers)
        if status != 200:
            return status, payload
        root = ET.fromstring(self.rewrite_images(payload))
        owners = numbered(params, "Owner")
        if self.knobs.get("extra_images") and (not owners or "self" in owners or self.account in owners):
            images = root.find(q("imagesSet"))
            ids = numbered(params, "ImageId")
            for fields, item in self.bulk_catalog():
                if (not ids or fields["image-id"] in ids) and all(
                        any(fnmatch.fnmatchcase(fields.get(name, ""), pattern) for pattern in values) and name in fields
                        for name, values in filters.items()):
                    images.append(ET.fromstring(item))
        return 200, ET.tostring(root, xml_declaration=True, encoding="utf-8")

    def bulk_catalog(self):
        """The extra_images AMIs: their filterable fields and their <item>, made once."""
        count = int(self.knobs.get("extra_images") or 0)
        with self.lock:
            while len(self.bulk_images) < count:
                n = len(self.bulk_images) + 1
                fields = {"image-id": "ami-%017x" % (0xb00000 + n), "name": "bulk-image-%05d" % n, "state": "available",
                          "architecture": "x86_64", "owner-id": self.account, "is-public": "false",
                          "root-device-type": "ebs", "virtualization-type": "hvm", "image-type": "machine"}
                item = (f'<item xmlns="{NS}"><imageId>{fields["image-id"]}</imageId><imageLocation>bulk/{fields["name"]}</imageLocation>'
                        f'<imageState>available</imageState><imageOwnerId>{self.account}</imageOwnerId><isPublic>false</isPublic>'
                        f'<architecture>x86_64</architecture><imageType>machine</imageType><name>{fields["name"]}</name>'
                        f'<rootDeviceType>ebs</rootDeviceType><rootDeviceName>/dev/xvda</rootDeviceName><blockDeviceMapping><item>'
                        f'<deviceName>/dev/xvda</deviceName><ebs><volumeSize>8</volumeSize><deleteOnTermination>true</deleteOnTermination>'
                        f'<volumeType>gp3</volumeType></ebs></item></blockDeviceMapping><virtualizationType>hvm</virtualizationType>'
                        f'<hypervisor>xen</hypervisor><creationDate>2025-06-01T00:00:00.000Z</creationDate></item>')
                self.bulk_images.append((fields, item))
            return self.bulk_images[:count]

    def console_output(self, params):
        """GetConsoleOutput as EC2 answers it: the most recent 64 KB of the log, base64-encoded,
        <output> absent while there is none yet; an instance the proxy did not launch is not
        found. Latest (true/false) is accepted, as EC2 does for instances of any type here."""
        instance = params.get("InstanceId", "")
        if not instance.startswith("i-") or not all(c in "0123456789abcdef" for c in instance[2:]):
            raise Refusal(400, "InvalidInstanceID.Malformed", f'Invalid id: "{instance}"')
        if params.get("Latest", "false") not in ("true", "false"):
            raise Refusal(400, "InvalidParameterValue", f"Value ({params['Latest']}) for parameter latest is invalid")
        with self.lock:
            info = self.launched.get(instance)
        if info is None:
            raise Refusal(400, "InvalidInstanceID.NotFound", f"The instance ID '{instance}' does not exist")
        running_at = info["at"] + self.knobs["build_seconds"]
        now = time.time()
        lines = [line.replace("{time}", time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime(running_at + delay)))
                 for delay, line in self.knobs["console_log"] if not info["fail"] and now >= running_at + float(delay)]
        log = "".join(line + "\n" for line in lines).encode("utf-8", "surrogateescape")[-CONSOLE_MAX:]
        output = f"<output>{base64.b64encode(log).decode()}</output>" if log else ""
        return 200, (f'<?xml version="1.0" encoding="UTF-8"?>\n<GetConsoleOutputResponse xmlns="{NS}"><requestId>'
                     f"{os.urandom(8).hex()}</requestId><instanceId>{instance}</instanceId><timestamp>"
                     f"{time.strftime('%Y-%m-%dT%H:%M:%S.000Z', time.gmtime(now))}</timestamp>{output}"
                     f"</GetConsoleOutputResponse>").encode()

    def instance_types(self, params, body, headers):
        """EC2 pages the catalog (at most MaxResults, default 100, then nextToken); moto sends all
        ~1,400 at once, in about 2 s. The catalog is fixed, so moto is asked once per test run
        (a file beside the moto server) and the proxy pages it as EC2 does."""
        if self.knobs.get("ignore_filters"):
            params = without_search(params)
        filters = {name: value for name, value in params.items() if name not in ("Action", "Version", "MaxResults", "NextToken")}
        key = hashlib.sha256(json.dumps(filters, sort_keys=True).encode()).hexdigest()[:16]
        items = self.catalogs.get(key)
        cached = os.path.join(self.cache, f"instance-types-{self.region}-{key}.json") if self.cache else None
        if items is None and cached and os.path.exists(cached):
            with open(cached) as file:
                items = json.load(file)
        if items is None:
            form = urlencode([("Action", "DescribeInstanceTypes"), ("Version", "2016-11-15")] + sorted(filters.items()))
            status, payload = self.forward(form.encode(), headers)
            if status != 200:
                return status, payload
            types = ET.fromstring(payload).find(q("instanceTypeSet"))
            items = [ET.tostring(item, encoding="unicode") for item in (types if types is not None else [])]
            if cached:
                with open(cached + f".{os.getpid()}", "w") as file:
                    json.dump(items, file)
                os.replace(cached + f".{os.getpid()}", cached)
        self.catalogs[key] = items
        try:
            size = int(params.get("MaxResults", "100"))
            start = int(params.get("NextToken", "0"))
        except ValueError:
            raise Refusal(400, "InvalidParameterValue", "MaxResults and NextToken must be what EC2 gave")
        if not 5 <= size <= 100:
            raise Refusal(400, "InvalidParameterValue", "MaxResults must be from 5 to 100")
        token = f"<nextToken>{start + size}</nextToken>" if start + size < len(items) else ""
        page = (f'<?xml version="1.0" encoding="UTF-8"?>\n<DescribeInstanceTypesResponse xmlns="{NS}">'
                f"<requestId>{os.urandom(8).hex()}</requestId><instanceTypeSet>{''.join(items[start:start + size])}</instanceTypeSet>"
                f"{token}</DescribeInstanceTypesResponse>")
        return 200, page.encode()

    # -- placement groups (EC2's API reference; moto 5.2 answers them with a 500) --------------

    def _reply(self, action, inner):
        return 200, (f'<?xml version="1.0" encoding="UTF-8"?>\n<{action}Response xmlns="{NS}"><requestId>{os.urandom(8).hex()}'
                     f'</requestId>{inner}</{action}Response>').encode()

    @staticmethod
    def _placement_group_xml(group, tag="item"):
        tags = "".join(f"<item><key>{escape(k)}</key><value>{escape(v)}</value></item>" for k, v in group["tags"])
        return (f"<{tag}><groupName>{escape(group['name'])}</groupName><state>{group['state']}</state>"
                f"<strategy>{group['strategy']}</strategy><groupId>{group['id']}</groupId>"
                + ("<spreadLevel>rack</spreadLevel>" if group["strategy"] == "spread" else "")
                + f"<tagSet>{tags}</tagSet></{tag}>")

    def _live(self, instance):
        return not (instance in self.terminated and time.time() - self.terminated[instance] >= self.knobs["terminate_seconds"])

    def placement_group_action(self, action, params):
        if action == "CreatePlacementGroup":
            name, strategy = params.get("GroupName", ""), params.get("Strategy", "")
            if not name or len(name) > 255 or not name.isascii():
                raise Refusal(400, "InvalidParameterValue", "Invalid placement group name")
            if strategy not in ("cluster", "spread", "partition"):
                raise Refusal(400, "InvalidParameterValue", f"Value ({strategy}) for parameter strategy is invalid.")
            tags = []
            index = 1
            while f"TagSpecification.{index}.ResourceType" in params:
                if params[f"TagSpecification.{index}.ResourceType"] != "placement-group":
                    raise Refusal(400, "InvalidParameterValue", "TagSpecification resource type must be placement-group")
                tag = 1
                while f"TagSpecification.{index}.Tag.{tag}.Key" in params:
                    tags.append((params[f"TagSpecification.{index}.Tag.{tag}.Key"], params.get(f"TagSpecification.{index}.Tag.{tag}.Value", "")))
                    tag += 1
                index += 1
            with self.lock:
                if name in self.placement_groups:
                    raise Refusal(400, "InvalidPlacementGroup.Duplicate", f"The Placement Group '{name}' already exists.")
                group = {"name": name, "strategy": strategy, "state": "available", "id": "pg-" + os.urandom(9).hex()[:17], "tags": tags}
                self.placement_groups[name] = group
            return self._reply(action, "<return>true</return>" + self._placement_group_xml(group, "placementGroup"))
        if action == "DescribePlacementGroups":
            filters = request_filters(params)
            names = numbered(params, "GroupName")
            for name in filters:
                if name not in ("group-name", "state", "strategy", "spread-level", "group-arn", "tag-key") and not name.startswith("tag:"):
                    raise Refusal(400, "InvalidParameterValue", f"The filter '{name}' is invalid")
            with self.lock:
                for name in names:
                    if name not in self.placement_groups:
                        raise Refusal(400, "InvalidPlacementGroup.Unknown", f"The Placement Group '{name}' is unknown.")
                found = [group for group in self.placement_groups.values() if (not names or group["name"] in names)
                         and all(group["name"] in values for key, values in filters.items() if key == "group-name")]
            return self._reply(action, "<placementGroupSet>" + "".join(map(self._placement_group_xml, found)) + "</placementGroupSet>")
        name = params.get("GroupName", "")
        with self.lock:
            if name not in self.placement_groups:
                raise Refusal(400, "InvalidPlacementGroup.Unknown", f"The Placement Group '{name}' is unknown.")
            if any(group == name and self._live(instance) for instance, group in self.placement_members.items()):
                raise Refusal(400, "InvalidPlacementGroup.InUse", f"The placement group '{name}' is in use and may not be deleted.")
            del self.placement_groups[name]
        return self._reply(action, "<return>true</return>")

    def check_placement(self, params):
        """A launch into a placement group: the group exists, and a spread group holds at most 7
        running instances per Availability Zone."""
        name = params["Placement.GroupName"]
        with self.lock:
            group = self.placement_groups.get(name)
            members = [instance for instance, held in self.placement_members.items() if held == name and self._live(instance)]
        if group is None:
            raise Refusal(400, "InvalidPlacementGroup.Unknown", f"The Placement Group '{name}' is unknown.")
        zone = params.get("Placement.AvailabilityZone")
        if not zone and params.get("SubnetId"):
            zone = self.boto().describe_subnets(SubnetIds=[params["SubnetId"]])["Subnets"][0]["AvailabilityZone"]
        zone = zone or self.region + "a"
        in_zone = 0
        if members:
            for reservation in self.boto().describe_instances(InstanceIds=members)["Reservations"]:
                in_zone += sum(1 for instance in reservation["Instances"]
                               if instance["Placement"]["AvailabilityZone"] == zone and instance["State"]["Name"] != "terminated")
        if group["strategy"] == "spread" and in_zone + int(params.get("MinCount", "1")) > 7:
            raise Refusal(400, "InsufficientInstanceCapacity",
                          "A spread placement group can have a maximum of seven running instances per Availability Zone.")

    def run_instances(self, params, body, headers):
        if "Placement.GroupName" in params:
            self.check_placement(params)
        token = params.get("ClientToken")
        with self.lock:
            if token in self.client_tokens:
                first_params, first_reply = self.client_tokens[token]
                if first_params != params:
                    raise Refusal(400, "IdempotentParameterMismatch",
                                  f"Arguments on this idempotent request are inconsistent with arguments used in previous request(s) (client token {token})")
                return 200, first_reply
        status, payload = self.forward(body, headers)
        if status != 200:
            return status, payload
        fail = self.knobs.get("fail_machine")
        now = time.time()
        with self.lock:
            for item in ET.fromstring(payload).iter(q("item")):
                instance, index = item.findtext(q("instanceId")), item.findtext(q("amiLaunchIndex"))
                if instance and index is not None:
                    self.launched[instance] = {"at": now, "fail": fail is not None and int(index) + 1 == int(fail), "failed": False}
                    if "Placement.GroupName" in params:
                        self.placement_members[instance] = params["Placement.GroupName"]
            if token:
                self.client_tokens[token] = (params, payload)
        return status, payload

    def settle(self, headers):
        """Machines due to fail do: moto terminates them, and they report why, as EC2's would."""
        with self.lock:
            due = [instance for instance, info in self.launched.items()
                   if info["fail"] and not info["failed"] and time.time() - info["at"] >= self.knobs["build_seconds"]]
            for instance in due:
                self.launched[instance]["failed"] = True
                self.terminated[instance] = 0
        if due:
            form = "&".join(["Action=TerminateInstances", "Version=2016-11-15"] + [f"InstanceId.{i + 1}={d}" for i, d in enumerate(due)])
            self.forward(form.encode(), headers)

    def loopback_address(self, address):
        cidr = self.knobs.get("loopback_cidr")
        if not cidr or not address:
            return address
        network = ipaddress.ip_network(cidr)
        if not network.subnet_of(ipaddress.ip_network("127.0.0.0/8")):
            raise Refusal(500, "InternalError", f"loopback_cidr {cidr} is not in 127.0.0.0/8")
        with self.lock:
            if address not in self.loopback:
                self.loopback[address] = str(network.network_address + 2 + len(self.loopback))
            return self.loopback[address]

    def rewrite_instances(self, payload):
        root = ET.fromstring(payload)
        now = time.time()
        for element in root.iter():
            if element.tag in (q("privateIpAddress"), q("ipAddress")) and element.text:
                element.text = self.loopback_address(element.text)
        for instances in root.iter(q("instancesSet")):
            for item in instances.findall(q("item")):
                instance = item.findtext(q("instanceId"))
                placement = item.find(q("placement"))
                if instance in self.placement_members and placement is not None and placement.find(q("groupName")) is None:
                    ET.SubElement(placement, q("groupName")).text = self.placement_members[instance]
                state = item.find(q("instanceState"))
                if state is None:
                    continue
                name, code = state.find(q("name")), state.find(q("code"))
                info = self.launched.get(instance)
                if info and info["failed"]:
                    reason = item.find(q("stateReason"))
                    if reason is None:
                        reason = ET.SubElement(item, q("stateReason"))
                    for field, text in (("code", "Server.InternalError"), ("message", "Server.InternalError: Internal error on launch")):
                        element = reason.find(q(field))
                        if element is None:
                            element = ET.SubElement(reason, q(field))
                        element.text = text
                elif name.text == "running" and info and (now - info["at"] < self.knobs["build_seconds"] or info["fail"]):
                    # Still building; one due to fail stays pending until settle() fails it, even
                    # if moto's answer took longer than the build.
                    name.text, code.text = "pending", "0"
                elif name.text == "terminated" and now - self.terminated.get(instance, 0) < self.knobs["terminate_seconds"]:
                    name.text, code.text = "shutting-down", "32"
        return ET.tostring(root, xml_declaration=True, encoding="utf-8")

    def rewrite_images(self, payload):
        root = ET.fromstring(payload)
        now = time.time()
        for item in root.iter(q("item")):
            image, state = item.findtext(q("imageId")), item.find(q("imageState"))
            if image not in self.images or state is None or state.text != "available":
                continue
            if self.knobs.get("fail_snapshot"):
                state.text = "failed"
                reason = item.find(q("stateReason"))
                if reason is None:
                    reason = ET.SubElement(item, q("stateReason"))
                ET.SubElement(reason, q("code")).text = "Client.InternalError"
                ET.SubElement(reason, q("message")).text = "Client.InternalError: the snapshot of the volume failed"
            elif now - self.images[image] < self.knobs["snapshot_seconds"]:
                state.text = "pending"
        return ET.tostring(root, xml_declaration=True, encoding="utf-8")

    # -- control: seed and state, with boto3's own signed calls straight to moto ---------------

    def seed(self):
        """What a team's account holds before fabric runs: a key pair, a subnet named db-private
        in a VPC of its own, security groups named mysql (default VPC and that VPC), an EBS snapshot for --block_device and a golden image of its own."""
        ec2, zone = self.boto(), self.region + "a"
        ec2.create_key_pair(KeyName="fabric-key")
        vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.20.1.0/24", AvailabilityZone=zone, TagSpecifications=[
            {"ResourceType": "subnet", "Tags": [{"Key": "Name", "Value": "db-private"}]}])["Subnet"]["SubnetId"]
        group = ec2.create_security_group(GroupName="mysql", Description="MySQL clients")["GroupId"]
        vpc_group = ec2.create_security_group(GroupName="mysql", Description="MySQL clients", VpcId=vpc)["GroupId"]
        volume = ec2.create_volume(Size=8, AvailabilityZone=zone)["VolumeId"]
        snapshot = ec2.create_snapshot(VolumeId=volume, Description="data")["SnapshotId"]
        ec2.delete_volume(VolumeId=volume)
        base = ec2.describe_images(Owners=["amazon"], Filters=[{"Name": "name", "Values": ["amzn2-ami-hvm-2.0.20180810-x86_64-gp2"]}])["Images"][0]["ImageId"]
        builder = ec2.run_instances(ImageId=base, InstanceType="t3.micro", MinCount=1, MaxCount=1)["Instances"][0]["InstanceId"]
        golden = ec2.create_image(InstanceId=builder, Name="mysql-8.4-golden", TagSpecifications=[
            {"ResourceType": "image", "Tags": [{"Key": "mysql_version", "Value": "8.4"}]}])["ImageId"]
        ec2.terminate_instances(InstanceIds=[builder])
        held = self.state()
        # A placement group the account made by hand, as --scheduler_hints placement_group= names one.
        with self.lock:
            self.placement_groups["spread-db"] = {"name": "spread-db", "strategy": "spread", "state": "available",
                                                  "id": "pg-0a1b2c3d4e5f60718", "tags": []}
        return {"key_name": "fabric-key", "vpc": vpc, "subnet": subnet, "subnet_name": "db-private", "placement_group": "spread-db",
                "security_group": group, "vpc_security_group": vpc_group,
                "snapshot": snapshot, "base_image": base, "golden_image": golden, "golden_image_name": "mysql-8.4-golden",
                "builder": builder, "seeded_snapshots": [s["id"] for s in held["snapshots"]],
                "seeded_volumes": [v["id"] for v in held["volumes"]]}

    def state(self):
        ec2 = self.boto()
        tags = lambda resource: {tag["Key"]: tag["Value"] for tag in resource.get("Tags", [])}
        instances = []
        for reservation in ec2.describe_instances()["Reservations"]:
            for instance in reservation["Instances"]:
                instances.append({
                    "id": instance["InstanceId"], "state": instance["State"]["Name"], "tags": tags(instance),
                    "type": instance["InstanceType"], "image": instance["ImageId"],
                    "zone": instance["Placement"]["AvailabilityZone"], "placement_group": self.placement_members.get(instance["InstanceId"]),
                    "subnet": instance.get("SubnetId"), "key": instance.get("KeyName"),
                    "groups": sorted(group["GroupId"] for group in instance.get("SecurityGroups", [])),
                    "public_ip": instance.get("PublicIpAddress"), "private_ip": instance.get("PrivateIpAddress"),
                    "launch_index": instance.get("AmiLaunchIndex"),
                    "interfaces": [{"subnet": eni.get("SubnetId"), "private_ip": eni.get("PrivateIpAddress"),
                                    "public_ip": eni.get("Association", {}).get("PublicIp"),
                                    "groups": sorted(g["GroupId"] for g in eni.get("Groups", []))}
                                   for eni in instance.get("NetworkInterfaces", [])],
                    "devices": {m["DeviceName"]: m["Ebs"]["VolumeId"] for m in instance.get("BlockDeviceMappings", []) if "Ebs" in m}})
        addresses = [{"allocation": a.get("AllocationId"), "public_ip": a.get("PublicIp"), "instance": a.get("InstanceId"),
                      "association": a.get("AssociationId"), "pool": a.get("PublicIpv4Pool"), "tags": tags(a)}
                     for a in ec2.describe_addresses()["Addresses"]]
        images = [{"id": i["ImageId"], "name": i["Name"], "state": i["State"], "tags": tags(i),
                   "snapshots": [m["Ebs"]["SnapshotId"] for m in i.get("BlockDeviceMappings", []) if "SnapshotId" in m.get("Ebs", {})]}
                  for i in ec2.describe_images(Owners=["self"])["Images"]]
        snapshots = [{"id": s["SnapshotId"], "volume": s.get("VolumeId"), "tags": tags(s)}
                     for s in ec2.describe_snapshots(OwnerIds=["self"])["Snapshots"]
                     if s.get("OwnerId") == self.account]  # moto also lists its catalog's as "self"
        volumes = [{"id": v["VolumeId"], "state": v["State"], "size": v["Size"], "tags": tags(v),
                    "attached": [a["InstanceId"] for a in v.get("Attachments", [])]}
                   for v in ec2.describe_volumes()["Volumes"]]
        live = {instance["id"] for instance in instances if instance["state"] not in ("terminated", "shutting-down")}
        with self.lock:
            groups = [{"name": group["name"], "strategy": group["strategy"], "tags": dict(group["tags"]),
                       "instances": sorted(i for i, held in self.placement_members.items() if held == group["name"] and i in live)}
                      for group in self.placement_groups.values()]
        return {"instances": instances, "addresses": addresses, "images": images, "snapshots": snapshots, "volumes": volumes,
                "placement_groups": groups}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    proxy: Proxy = None

    def log_message(self, *_):
        pass

    def reply(self, status, payload, content_type="text/xml;charset=UTF-8"):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def reply_json(self, value, status=200):
        self.reply(status, json.dumps(value).encode(), "application/json")

    def body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def drop(self):
        """A reset: the connection closes with no reply at all."""
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def do_GET(self):
        self.dispatch()

    def do_DELETE(self):
        self.dispatch()

    def do_POST(self):
        self.dispatch()

    def dispatch(self):
        path = urlsplit(self.path).path
        body = self.body()
        if path.startswith("/_proxy/"):
            return self.control(path[len("/_proxy/"):], body)
        proxy = self.proxy
        try:
            if self.command != "POST" or path != "/":
                raise Refusal(400, "InvalidAction", "fabric's EC2 takes POST / only")
            if not (self.headers.get("Content-Type") or "").startswith("application/x-www-form-urlencoded"):
                raise Refusal(400, "InvalidParameterValue", "the body must be application/x-www-form-urlencoded")
            key = verify_signature(self.command, path, self.headers, body, proxy.credentials, proxy.region)
            try:
                params = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=True))
            except (UnicodeDecodeError, ValueError):
                raise Refusal(400, "MalformedQueryString", "the body is not a form-encoded query")
            action = params.get("Action", "")
            if params.get("Version") != "2016-11-15":
                raise Refusal(400, "InvalidParameterValue", "Version must be 2016-11-15")
            with proxy.lock:
                proxy.requests.append({"action": action, "params": params, "access_key": key, "time": time.time(),
                                       "session_token": self.headers.get("X-Amz-Security-Token") is not None,
                                       "signed_headers": self.headers.get("Authorization", "").split("SignedHeaders=")[-1].split(",")[0]})
            fault = proxy.take_fault(action, params)
            delay = proxy.knobs.get("latency_ms", 0) + (fault or {}).get("ms", 0)
            if delay:
                time.sleep(delay / 1000)
            when = (fault or {}).get("when", "before")
            if fault and when == "before":
                if self.fault(fault["fault"]):
                    return
            status, payload = proxy.handle(action, params, body, self.headers)
            if fault and when == "after":
                if self.fault(fault["fault"]):
                    return
            self.reply(status, payload)
        except Refusal as refusal:
            self.reply(*refusal.reply)

    def fault(self, kind):
        """Answers as the fault says; False when it only delays."""
        if kind == "reset":
            self.drop()
        elif kind == "throttle":
            self.reply(*ec2_error(503, "RequestLimitExceeded", "Request limit exceeded."))
        elif kind == "500":
            self.reply(*ec2_error(500, "InternalError", "An internal error has occurred"))
        elif kind == "503":
            self.reply(*ec2_error(503, "Unavailable", "The server is overloaded and cannot handle the request"))
        elif kind == "latency":
            return False
        else:
            self.reply(*ec2_error(500, "InternalError", f"unknown fault {kind}"))
        return True

    def control(self, name, body):
        proxy = self.proxy
        value = json.loads(body) if body else None
        try:
            if name == "credentials" and self.command == "POST":
                proxy.credentials = {key["access_key"]: key for key in value["keys"]}
                proxy.region = value.get("region", proxy.region)
                return self.reply_json({"ok": True})
            if name == "config" and self.command == "POST":
                proxy.knobs.update(value)
                return self.reply_json(proxy.knobs)
            if name == "faults" and self.command == "POST":
                with proxy.lock:
                    proxy.faults = value
                return self.reply_json({"ok": True})
            if name == "faults" and self.command == "GET":
                return self.reply_json(proxy.faults)
            if name == "requests" and self.command == "GET":
                with proxy.lock:
                    return self.reply_json(proxy.requests)
            if name == "requests" and self.command == "DELETE":
                with proxy.lock:
                    proxy.requests = []
                return self.reply_json({"ok": True})
            if name == "seed" and self.command == "POST":
                return self.reply_json(proxy.seed())
            if name == "state" and self.command == "GET":
                return self.reply_json(proxy.state())
            self.reply_json({"error": f"no control {self.command} {name}"}, 404)
        except Exception as error:  # the test reads the message
            self.reply_json({"error": f"{type(error).__name__}: {error}"}, 500)


class ProxyServer(ThreadingHTTPServer):
    # Read when the socket starts listening: the default backlog of 5 drops the SYNs of a
    # client opening many connections at once, which then wait a second to retry.
    request_queue_size = 256
    daemon_threads = True


def run_proxy(args):
    Handler.proxy = Proxy(args.moto, args.account, args.cache)
    server = ProxyServer(("127.0.0.1", 0), Handler)
    exit_with_parent()
    ready(f"http://127.0.0.1:{server.server_address[1]}/")
    server.serve_forever()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("moto")
    proxy = commands.add_parser("proxy")
    proxy.add_argument("--moto", required=True)
    proxy.add_argument("--account", required=True)
    proxy.add_argument("--cache", help="a directory shared by the proxies of one moto, for its fixed catalogs")
    args = parser.parse_args()
    detach_from_test_runner()
    run_moto(args) if args.command == "moto" else run_proxy(args)


if __name__ == "__main__":
    main()
