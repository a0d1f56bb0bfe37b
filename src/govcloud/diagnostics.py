"""What `govcloud doctor` checks of the machine (the labs add theirs: :mod:`govcloud.lab.checks`): each check says what it found and, when something is wrong,
the one thing to do about it. Checks only look; they start, install or change nothing."""

from __future__ import annotations

import importlib.metadata
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from .errors import GovcloudError
from .paths import pulumi_state_dir
from .engine.discovery import engine_env, find_engine

SETUP_FIX = "run `make setup` as root"
PYTHON_PACKAGES = ("pydantic", "netaddr", "pulumi", "pulumi-openstack", "pulumi-policy", "ansible-core",
                   "ansible-runner", "paramiko", "typer", "rich", "networkx", "openstacksdk", "yaml-rs")


@dataclass(frozen=True)
class Check:
    area: str
    name: str
    ok: bool
    detail: str
    fix: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


def run_checks(*more: Callable[[], list[Check]]) -> list[Check]:
    """The Python packages and the engine, then ``more`` groups of checks (the labs' own, added by
    the doctor command: this module, like all production code, knows no lab)."""
    checks: list[Check] = []
    for group in (python_checks, engine_checks, *more):
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
    version = command_output([str(install.cli), "version"], env)
    checks = [Check("engine", "pulumi", bool(version), f"{version or 'does not run'} ({install.source}: "
                    f"{install.cli})", "" if version else SETUP_FIX)]
    plugins = command_output([str(install.cli), "plugin", "ls"], env) or ""
    has_openstack = "openstack" in plugins
    checks.append(Check("engine", "openstack provider", has_openstack,
                        "registered" if has_openstack else "not registered in " + str(install.pulumi_home),
                        "" if has_openstack else SETUP_FIX))
    for name in ("pulumi-language-python", "pulumi-analyzer-policy-python"):
        found = (install.bin_dir / name).exists() or shutil.which(name) is not None
        checks.append(Check("engine", name, found, "present" if found else "missing", "" if found else SETUP_FIX))
    return checks


def command_output(argv: list[str], env: dict | None) -> str | None:
    try:
        result = subprocess.run(argv, capture_output=True, text=True, timeout=30, env=env, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return result.stdout.strip() if result.returncode == 0 else None


