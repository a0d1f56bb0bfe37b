"""The preflight before any change: every host of a wave reachable over SSH, presenting a host key
already known, and giving us root. Over paramiko; an unknown or changed host key is refused
(``RejectPolicy``), never accepted.
"""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import paramiko

from ..errors import OperationError

CHECK_COMMAND = "id -u && test -w /etc/frr/frr.conf && echo writable"


@dataclass(frozen=True)
class PreflightTarget:
    name: str
    address: str


@dataclass(frozen=True)
class PreflightResult:
    host: str
    ok: bool
    problem: str = ""


def check_host(target: PreflightTarget, key_file: Path, known_hosts: Path, timeout_s: float = 5.0) -> PreflightResult:
    client = paramiko.SSHClient()
    try:
        client.load_host_keys(str(known_hosts))
        client.set_missing_host_key_policy(paramiko.RejectPolicy())
        client.connect(target.address, username="root", key_filename=str(key_file), timeout=timeout_s,
                       banner_timeout=timeout_s, auth_timeout=timeout_s, allow_agent=False, look_for_keys=False)
        _, stdout, _ = client.exec_command(CHECK_COMMAND, timeout=timeout_s)
        output = stdout.read().decode().split()
        if not output or output[0] != "0":
            return PreflightResult(target.name, False, "not root")
        if output[-1] != "writable":
            return PreflightResult(target.name, False, "/etc/frr/frr.conf not writable")
        return PreflightResult(target.name, True)
    except paramiko.BadHostKeyException:
        return PreflightResult(target.name, False, "host key differs from known_hosts (refused)")
    except paramiko.SSHException as exc:
        # RejectPolicy raises a plain SSHException for a host not in known_hosts.
        return PreflightResult(target.name, False, f"ssh: {exc}")
    except OSError as exc:
        return PreflightResult(target.name, False, f"unreachable: {exc.strerror or exc}")
    finally:
        client.close()


def preflight(targets: Iterable[PreflightTarget], key_file: Path, known_hosts: Path) -> list[PreflightResult]:
    targets = list(targets)
    if not targets:
        return []
    with ThreadPoolExecutor(max_workers=min(32, len(targets))) as pool:
        return list(pool.map(lambda t: check_host(t, key_file, known_hosts), targets))


def require_preflight(targets: Iterable[PreflightTarget], key_file: Path, known_hosts: Path) -> list[PreflightResult]:
    """Preflight, raising :class:`OperationError` naming every host that failed."""
    results = preflight(targets, key_file, known_hosts)
    bad = [r for r in results if not r.ok]
    if bad:
        raise OperationError("preflight failed, nothing was changed: " + "; ".join(f"{r.host}: {r.problem}" for r in bad),
                             fix="make the hosts reachable with a known host key and root access, then run again")
    return results
