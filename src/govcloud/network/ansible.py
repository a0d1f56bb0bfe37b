"""ansible-runner behind one typed request: a fresh private data directory per run, events out to
a callback, per-host outcomes back, and a failed status turned into :class:`RunnerError`.

A fresh directory per run matters: ansible-runner silently saves the first command line into
``env/cmdline`` of its private data dir and reuses it later. ``ANSIBLE_HOME``,
``ANSIBLE_LOCAL_TEMP`` live inside it too, and the SSH control sockets in a short private folder of
their own, so runs never share state.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from ..errors import InputError, RunnerError
from ..paths import SHORT_TEMP, roles_dir

ROLES_DIR = roles_dir()


class Connection(str, Enum):
    SSH = "ssh"
    PARAMIKO = "paramiko"


class HostOutcome(str, Enum):
    OK = "ok"
    CHANGED = "changed"
    FAILED = "failed"
    UNREACHABLE = "unreachable"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class PlaybookRequest:
    """Everything one ansible-runner run needs. ``known_hosts`` is what host keys are checked against."""

    playbook: Path
    inventory: Path
    known_hosts: Path
    limit: tuple[str, ...] = ()
    extravars: Mapping[str, Any] = field(default_factory=dict)
    check: bool = False
    connection: Connection = Connection.SSH
    pipelining: bool = True
    forks: int = 64
    timeout_s: int = 900
    work_dir: Path | None = None
    keep_artifacts: bool = False

    def validate(self) -> None:
        for name in ("playbook", "inventory", "known_hosts"):
            path = getattr(self, name)
            if not Path(path).exists():
                raise InputError(f"{name} {path} does not exist",
                                 fix="render the inventory (`govcloud inventory render`) and bring the lab up")


@dataclass
class PlaybookResult:
    status: str
    rc: int
    seconds: float
    outcomes: dict[str, HostOutcome]
    changed: dict[str, int]
    failures: dict[str, str]

    @property
    def failed_hosts(self) -> list[str]:
        return [h for h, o in self.outcomes.items() if o in (HostOutcome.FAILED, HostOutcome.UNREACHABLE)]

    @property
    def changed_total(self) -> int:
        return sum(self.changed.values())

    def raise_for_status(self) -> None:
        if self.status != "successful":
            detail = "; ".join(f"{h}: {m}" for h, m in list(self.failures.items())[:5])
            raise RunnerError(f"ansible run {self.status} (rc {self.rc}): {detail or 'no host reported a failure'}",
                              fix="read the failing task above; fix the host or the inputs and run again")


EventHandler = Callable[[dict[str, Any]], None]


def _envvars(request: PlaybookRequest, run_dir: Path, control_dir: Path) -> dict[str, str]:
    env = {
        "ANSIBLE_HOME": str(run_dir / "ansible-home"),
        "ANSIBLE_LOCAL_TEMP": str(run_dir / "tmp"),
        "ANSIBLE_SSH_CONTROL_PATH_DIR": str(control_dir),
        "ANSIBLE_ROLES_PATH": str(ROLES_DIR),
        "ANSIBLE_PIPELINING": "True" if request.pipelining else "False",
        "ANSIBLE_HOST_KEY_CHECKING": "True",
        "ANSIBLE_FORKS": str(request.forks),
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_RETRY_FILES_ENABLED": "False",
        "ANSIBLE_GATHERING": "explicit",
        "ANSIBLE_DEPRECATION_WARNINGS": "False",
        "ANSIBLE_SSH_ARGS": "-o ControlMaster=auto -o ControlPersist=60s",
        # paramiko reads host keys from ~/.ssh/known_hosts only: give it a home holding the lab's file.
        "HOME": str(run_dir / "home"),
        "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '/usr/bin:/bin')}",
    }
    return env


def run_playbook(request: PlaybookRequest, on_event: EventHandler | None = None) -> PlaybookResult:
    """Run one playbook; returns per-host outcomes. Raises RunnerError when the run could not happen."""
    import ansible_runner  # lazy: ansible_runner (0.6 s) only when a playbook runs

    request.validate()
    base = request.work_dir or Path(tempfile.gettempdir())
    base.mkdir(parents=True, exist_ok=True)
    run_dir = Path(tempfile.mkdtemp(prefix="govcloud-ansible-", dir=base))
    for sub in ("tmp", "home/.ssh", "ansible-home"):
        (run_dir / sub).mkdir(parents=True, exist_ok=True)
    # SSH's control sockets need a short path (a socket path has at most 107 bytes, and ssh adds a
    # suffix while it binds): not under the project, whose folder may be deep.
    control_dir = Path(tempfile.mkdtemp(prefix="gc-ssh-", dir=SHORT_TEMP))
    shutil.copy(request.known_hosts, run_dir / "home/.ssh/known_hosts")
    extravars = dict(request.extravars)
    if request.connection is Connection.PARAMIKO:
        extravars["ansible_connection"] = "paramiko"
    failures: dict[str, str] = {}

    def handler(event: dict[str, Any]) -> bool:
        data = event.get("event_data", {})
        if event.get("event") in ("runner_on_failed", "runner_on_unreachable") and not data.get("ignore_errors"):
            result = data.get("res", {})
            failures[data.get("host", "?")] = f"{data.get('task', '?')}: {result.get('msg', '')}".strip()[:300]
        if on_event is not None:
            on_event(event)
        return True

    started = time.monotonic()
    try:
        runner = ansible_runner.run(
            private_data_dir=str(run_dir), playbook=str(Path(request.playbook).resolve()),
            inventory=str(Path(request.inventory).resolve()), limit=",".join(request.limit) or None,
            extravars=extravars, forks=request.forks, envvars=_envvars(request, run_dir, control_dir),
            cmdline="--check --diff" if request.check else None, event_handler=handler, quiet=True,
            timeout=request.timeout_s, suppress_env_files=True,
        )
        seconds = time.monotonic() - started
        stats = runner.stats if runner.status not in ("timeout", "canceled") else None
        if stats is None:
            tail = (" ".join(runner.config.command) + " :: ") + (runner.stdout.read()[-300:] if runner.stdout else "")
            raise RunnerError(f"ansible run {runner.status} (rc {runner.rc}) after {seconds:.0f} s: {tail.strip()}",
                              fix="check the playbook syntax and the inventory; raise the timeout for big waves")
        return _result(runner.status, runner.rc, stats, seconds, failures)
    finally:
        shutil.rmtree(control_dir, ignore_errors=True)
        if not request.keep_artifacts:
            shutil.rmtree(run_dir, ignore_errors=True)


def _result(status: str, rc: int, stats: dict, seconds: float, failures: dict[str, str]) -> PlaybookResult:
    hosts = set().union(*(stats.get(k, {}).keys() for k in ("ok", "changed", "failures", "dark", "skipped",
                                                            "rescued", "ignored")))
    outcomes: dict[str, HostOutcome] = {}
    for host in sorted(hosts):
        if host in stats.get("dark", {}):
            outcomes[host] = HostOutcome.UNREACHABLE
        elif host in stats.get("failures", {}):
            outcomes[host] = HostOutcome.FAILED
        elif stats.get("changed", {}).get(host):
            outcomes[host] = HostOutcome.CHANGED
        elif host in stats.get("ok", {}):
            outcomes[host] = HostOutcome.OK
        else:
            outcomes[host] = HostOutcome.SKIPPED
    return PlaybookResult(status, rc, seconds, outcomes,
                          {h: n for h, n in stats.get("changed", {}).items()}, failures)
