"""What `govcloud doctor` checks: each check says what it found and, when something is wrong,
the one thing to do about it. Checks only look; they start, install or change nothing."""

from __future__ import annotations

import importlib.metadata
import shutil
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path

from .errors import GovcloudError
from .paths import pulumi_state_dir
from .engine.discovery import engine_env, find_engine

SETUP_FIX = "run `make setup` as root"
PYTHON_PACKAGES = ("pydantic", "netaddr", "pulumi", "pulumi-openstack", "pulumi-policy", "ansible-core",
                   "ansible-runner", "paramiko", "typer", "rich", "networkx", "openstacksdk", "yaml-rs")
NETLAB_TOOLS = {"ip": "iproute2", "vtysh": "frr", "sshd": "openssh-server", "nft": "nftables",
                "ping": "iputils-ping"}


@dataclass(frozen=True)
class Check:
    area: str
    name: str
    ok: bool
    detail: str
    fix: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


def run_checks() -> list[Check]:
    checks: list[Check] = []
    for group in (python_checks, engine_checks, openstack_lab_checks, netlab_checks):
        checks.extend(group())
    return checks


def python_checks() -> list[Check]:
    checks = []
    for package in PYTHON_PACKAGES:
        try:
            version = importlib.metadata.version(package)
            checks.append(Check("python", package, True, version))
        except importlib.metadata.PackageNotFoundError:
            checks.append(Check("python", package, False, "not installed", "run `make setup`"))
    return checks


def engine_checks() -> list[Check]:
    try:
        install = find_engine()
    except GovcloudError as exc:
        return [Check("engine", "pulumi", False, exc.message, exc.fix)]
    env = engine_env(install, pulumi_state_dir(Path.cwd()))
    version = _output([str(install.cli), "version"], env)
    checks = [Check("engine", "pulumi", bool(version), f"{version or 'does not run'} ({install.source}: "
                    f"{install.cli})", "" if version else SETUP_FIX)]
    plugins = _output([str(install.cli), "plugin", "ls"], env) or ""
    has_openstack = "openstack" in plugins
    checks.append(Check("engine", "openstack provider", has_openstack,
                        "registered" if has_openstack else "not registered in " + str(install.pulumi_home),
                        "" if has_openstack else SETUP_FIX))
    for name in ("pulumi-language-python", "pulumi-analyzer-policy-python"):
        found = (install.bin_dir / name).exists() or shutil.which(name) is not None
        checks.append(Check("engine", name, found, "present" if found else "missing", "" if found else SETUP_FIX))
    return checks


def openstack_lab_checks() -> list[Check]:
    from .lab.openstack.api import lab_status  # lazy: the OpenStack lab loads openstacksdk (about 2 s)

    try:
        status = lab_status()
    except GovcloudError as exc:
        return [Check("openstack-lab", "status", False, exc.message, exc.fix)]
    if status.up:
        return [Check("openstack-lab", "services", True, f"up; clouds.yaml {status.clouds_yaml} "
                      f"({', '.join(status.clouds)})")]
    detail = "down" if status.down else f"degraded: not answering {', '.join(status.not_answering)}"
    return [Check("openstack-lab", "services", False, detail, "run `govcloud lab up`")]


def netlab_checks() -> list[Check]:
    checks = [Check("network-lab", tool, shutil.which(tool) is not None,
                    shutil.which(tool) or "missing", "" if shutil.which(tool) else f"install {package} ({SETUP_FIX})")
              for tool, package in NETLAB_TOOLS.items()]
    netns = _output(["ip", "netns", "list"], None) is not None
    checks.append(Check("network-lab", "network namespaces", netns, "usable" if netns else "not permitted",
                        "" if netns else "run as root on a kernel with network namespaces"))
    return checks


def _output(argv: list[str], env: dict | None) -> str | None:
    try:
        result = subprocess.run(argv, capture_output=True, text=True, timeout=30, env=env, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return result.stdout.strip() if result.returncode == 0 else None


