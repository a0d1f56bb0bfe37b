"""An object store for the lab: OpenStack Swift from Debian 12's packages, with its S3 API.

A province keeps its state on its own platform; in the lab that platform's object store is one
Swift (proxy, account, container and object servers, one device, one replica, memcached for its
auth tokens) bound to 127.0.0.1 on the instance's ports, with the ``s3api`` middleware in front and
one ``tempauth`` user per operator in one shared account. The engine reaches it as an S3 backend
(:func:`backend_url`) with the operator's access key and secret in the usual ``AWS_*`` variables.

What the store cannot do, and why govcloud keeps its leases elsewhere: Swift 2.30's S3 API answers
a conditional PUT with 501 ("Conditional object PUTs are not supported"), so there is no
create-if-absent to build a lease on (see :mod:`govcloud.engine.lease`).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from ..errors import LabError
from ..paths import LabInstance, current_instance
from .openstack.ports import HOST
from .processes import alive, launch_detached, terminate

OBJECTSTORE = "objectstore"
ACCOUNT = "govcloud"  # one account: every operator sees the same buckets
BUCKET = "govcloud-state"
SERVERS = ("account", "container", "object")
PACKAGES = {"/usr/bin/swift-proxy-server": "swift-proxy", "/usr/bin/swift-object-server": "swift-object",
            "/usr/bin/swift-container-server": "swift-container", "/usr/bin/swift-account-server": "swift-account",
            "/usr/bin/swift-ring-builder": "swift", "/usr/bin/memcached": "memcached"}
PROXY_PIPELINE = ("catch_errors gatekeeper healthcheck proxy-logging cache listing_formats s3api tempauth "
                  "copy dlo slo proxy-logging proxy-server")


@dataclass(frozen=True)
class ObjectStorePaths:
    """Where one instance's object store keeps its files, and its ports (default ones + offset)."""

    root: Path
    offset: int = 0

    @classmethod
    def of(cls, instance: LabInstance | None = None) -> ObjectStorePaths:
        instance = instance or current_instance()
        return cls(instance.state_dir(OBJECTSTORE), instance.port_offset)

    @property
    def ports(self) -> dict[str, int]:
        return {"proxy": 8080 + self.offset, "object": 6200 + self.offset, "container": 6201 + self.offset,
                "account": 6202 + self.offset, "memcached": 11211 + self.offset}

    @property
    def endpoint(self) -> str:
        return f"http://{HOST}:{self.ports['proxy']}"

    @property
    def operators_file(self) -> Path:
        return self.root / "operators.json"

    def pid_file(self, name: str) -> Path:
        return self.root / "run" / f"{name}.pid"


def backend_url(paths: ObjectStorePaths, bucket: str = BUCKET) -> str:
    """The engine's backend URL for the lab's store (path-style requests, plain HTTP on 127.0.0.1)."""
    return f"s3://{bucket}?" + urlencode({"endpoint": paths.endpoint, "use_path_style": "true",
                                          "region": "us-east-1"})


def operator_env(paths: ObjectStorePaths, operator: str) -> dict[str, str]:
    """The ``AWS_*`` variables of one operator (access key ``govcloud:<operator>``)."""
    keys = json.loads(paths.operators_file.read_text(encoding="utf-8"))
    return {"AWS_ACCESS_KEY_ID": f"{ACCOUNT}:{operator}", "AWS_SECRET_ACCESS_KEY": keys[operator],
            "AWS_REGION": "us-east-1"}


def up(paths: ObjectStorePaths, operators: tuple[str, ...], timeout_s: float = 180) -> float:
    """Start the store (a no-op for what already runs) and create the state bucket; seconds taken."""
    started = time.monotonic()
    missing = sorted({pkg for binary, pkg in PACKAGES.items() if not Path(binary).exists()})
    if missing:
        raise LabError("the object store needs packages that are not installed: " + ", ".join(missing),
                       fix="apt-get install --no-install-recommends " + " ".join(missing))
    keys = _operators(paths, operators)
    _write_configs(paths, keys)
    for name, argv in _commands(paths).items():
        if not _running(paths, name):
            _start(paths, name, argv)
    _wait_healthy(paths, timeout_s)
    create_bucket(paths, operators[0])
    return round(time.monotonic() - started, 2)


def down(paths: ObjectStorePaths) -> None:
    pids = [int(f.read_text()) for f in (paths.root / "run").glob("*.pid")] if (paths.root / "run").is_dir() else []
    terminate([p for p in pids if alive(p)], 15)
    for pid_file in (paths.root / "run").glob("*.pid"):
        pid_file.unlink()


def _operators(paths: ObjectStorePaths, operators: tuple[str, ...]) -> dict[str, str]:
    """One secret per operator, made once, kept in a file only root reads."""
    paths.root.mkdir(parents=True, exist_ok=True)
    keys = json.loads(paths.operators_file.read_text(encoding="utf-8")) if paths.operators_file.is_file() else {}
    for operator in operators:
        keys.setdefault(operator, secrets.token_urlsafe(24))
    descriptor = os.open(paths.operators_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump(keys, handle)
    return keys


def _write_configs(paths: ObjectStorePaths, keys: dict[str, str]) -> None:
    etc, device = paths.root / "etc", paths.root / "srv" / "d1"
    for folder in (etc, device, paths.root / "run"):
        folder.mkdir(parents=True, exist_ok=True)
    shutil.chown(device.parent, "swift", "swift")
    shutil.chown(device, "swift", "swift")
    for server in SERVERS:
        builder = etc / f"{server}.builder"
        if not builder.exists():  # 2^10 partitions, one replica, one device
            for args in (("create", "10", "1", "1"), ("add", f"r1z1-{HOST}:{paths.ports[server]}/d1", "1"),
                         ("rebalance",)):
                subprocess.run(["swift-ring-builder", str(builder), *args], check=True, capture_output=True)
        (etc / f"{server}-server.conf").write_text(
            f"[DEFAULT]\nbind_ip = {HOST}\nbind_port = {paths.ports[server]}\ndevices = {device.parent}\n"
            f"mount_check = false\nswift_dir = {etc}\nworkers = 1\n\n[pipeline:main]\npipeline = {server}-server\n\n"
            f"[app:{server}-server]\nuse = egg:swift#{server}\n", encoding="utf-8")
    users = "".join(f"user_{ACCOUNT}_{name} = {key} .admin\n" for name, key in sorted(keys.items()))
    filters = {name: f"egg:swift#{name}" for name in ("catch_errors", "gatekeeper", "healthcheck", "listing_formats",
                                                       "copy", "dlo", "slo")}
    filters["proxy-logging"] = "egg:swift#proxy_logging"
    text = (f"[DEFAULT]\nbind_ip = {HOST}\nbind_port = {paths.ports['proxy']}\nswift_dir = {etc}\nworkers = 1\n\n"
            f"[pipeline:main]\npipeline = {PROXY_PIPELINE}\n\n"
            "[app:proxy-server]\nuse = egg:swift#proxy\naccount_autocreate = true\n\n"
            + "".join(f"[filter:{name}]\nuse = {egg}\n\n" for name, egg in filters.items())
            + f"[filter:cache]\nuse = egg:swift#memcache\nmemcache_servers = {HOST}:{paths.ports['memcached']}\n\n"
            "[filter:s3api]\nuse = egg:swift#s3api\nlocation = us-east-1\n\n"
            f"[filter:tempauth]\nuse = egg:swift#tempauth\n{users}")
    descriptor = os.open(etc / "proxy-server.conf", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
    shutil.chown(etc / "proxy-server.conf", "swift", "swift")  # its workers read it after dropping to swift


def _commands(paths: ObjectStorePaths) -> dict[str, list[str]]:
    etc = paths.root / "etc"
    commands = {"memcached": ["memcached", "-u", "nobody", "-l", HOST, "-p", str(paths.ports["memcached"]),
                              "-m", "32"]}
    for server in (*SERVERS, "proxy"):
        # -v: the servers log to syslog otherwise, and the lab has none
        commands[server] = ["/usr/bin/python3", f"/usr/bin/swift-{server}-server", str(etc / f"{server}-server.conf"),
                            "-v"]
    return commands


def _running(paths: ObjectStorePaths, name: str) -> bool:
    pid_file = paths.pid_file(name)
    return pid_file.is_file() and alive(int(pid_file.read_text()))


def _start(paths: ObjectStorePaths, name: str, argv: list[str]) -> None:
    # The distribution's Python and a plain PATH: the OpenStack packages are not in the venv.
    pid = launch_detached(argv, paths.root / f"{name}.log", {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin"}, paths.root)
    paths.pid_file(name).write_text(str(pid))


def _wait_healthy(paths: ObjectStorePaths, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{paths.endpoint}/healthcheck", timeout=5) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(1)
    raise LabError(f"the object store did not answer on {paths.endpoint} within {timeout_s:.0f} s",
                   fix=f"read the logs in {paths.root}")


def create_bucket(paths: ObjectStorePaths, operator: str, bucket: str = BUCKET) -> None:
    """A bucket, through Swift's own API (a container is a bucket); nothing to do when it exists."""
    key = json.loads(paths.operators_file.read_text(encoding="utf-8"))[operator]
    login = urllib.request.Request(f"{paths.endpoint}/auth/v1.0",
                                   headers={"X-Auth-User": f"{ACCOUNT}:{operator}", "X-Auth-Key": key})
    for attempt in range(30):  # the servers behind the proxy may still be starting
        try:
            with urllib.request.urlopen(login, timeout=10) as answer:
                storage, token = answer.headers["X-Storage-Url"], answer.headers["X-Auth-Token"]
            put = urllib.request.Request(f"{storage}/{bucket}", method="PUT", headers={"X-Auth-Token": token})
            with urllib.request.urlopen(put, timeout=10):
                return
        except (urllib.error.URLError, OSError):
            time.sleep(2)
    raise LabError(f"the object store did not create the bucket {bucket}", fix=f"read the logs in {paths.root}")
