"""The IPv6 probe run on the network's own hosts: over SSH (paramiko) to the probe host and to each
unified exit, the way the rollout reaches them (management address from the topology, the
operator's key, host keys already known: an unknown or changed one is refused, never accepted).

The commands and their parsing are :mod:`.ipv6_probe`'s; this module only supplies its runners.
"""

from __future__ import annotations

import shlex
import socket
import threading
import time
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import paramiko

from ..errors import OperationError, UsageError
from ..network.topology import NetNode, NodeRole, Topology
from ..model import ExitStatus
from .ipv6_probe import measure, targets_from_topology
from .measurements import Ipv6Quality

#: A command that has not finished after this long counts as failed (exit code 124, like timeout(1)).
COMMAND_TIMEOUT_S = 30.0
#: Commands run at once over one login. OpenSSH refuses a session beyond its MaxSessions (10 by
#: default), and a finished command's session still counts until its close is through, so the
#: server may count up to twice this: below the limit of a host whose sshd nobody tuned.
MAX_CHANNELS = 4
#: Tries to open a command's session before the host counts as failing (a refused or dropped one is
#: retried after a short pause, over a new login when the old one is gone).
OPEN_TRIES = 4


@dataclass(frozen=True)
class SshAccess:
    """How the controller logs in to the hosts: as ``user`` with ``key_file``, trusting only the
    host keys in ``known_hosts``."""

    key_file: Path
    known_hosts: Path
    user: str = "root"
    connect_timeout_s: float = 10.0


class SshRunner:
    """A :data:`~.ipv6_probe.Runner` on one host: ``with SshRunner(name, address, access) as run:``."""

    def __init__(self, name: str, address: str, access: SshAccess, port: int = 22) -> None:
        self.name = name
        self.address = address
        self.access = access
        self.port = port
        self._client: paramiko.SSHClient | None = None
        self._sessions = threading.BoundedSemaphore(MAX_CHANNELS)
        self._login = threading.Lock()

    def __enter__(self) -> SshRunner:
        self._client = self._connect()
        return self

    def _connect(self) -> paramiko.SSHClient:
        client = paramiko.SSHClient()
        try:
            client.load_host_keys(str(self.access.known_hosts))
            client.set_missing_host_key_policy(paramiko.RejectPolicy())
            timeout = self.access.connect_timeout_s
            client.connect(self.address, port=self.port, username=self.access.user, key_filename=str(self.access.key_file),
                           timeout=timeout, banner_timeout=timeout, auth_timeout=timeout, allow_agent=False,
                           look_for_keys=False)
        except (paramiko.SSHException, OSError) as exc:
            client.close()
            raise OperationError(f"the probe cannot log in to {self.name} ({self.address}): {_reason(exc)}",
                                 fix="make the host reachable over SSH with a known host key (the rollout's "
                                     "preflight checks the same), or choose another with --probe-from") from None
        return client

    def __exit__(self, *exc_info) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def __call__(self, argv: Sequence[str]) -> tuple[int, str]:
        with self._sessions:
            channel = self._open_session()
            try:
                channel.settimeout(COMMAND_TIMEOUT_S)
                channel.exec_command(shlex.join(argv))
                output = channel.makefile("rb").read().decode(errors="replace")
                return channel.recv_exit_status(), output
            except (socket.timeout, TimeoutError):
                return 124, ""
            finally:
                channel.close()  # frees the server's session now, not when the object is collected

    def _open_session(self) -> paramiko.Channel:
        """A new session on this host's login; a refused one is tried again, a lost login renewed.
        What finally fails is the host's failure (an OperationError naming it), never a traceback."""
        reason = ""
        for attempt in range(OPEN_TRIES):
            if attempt:
                time.sleep(0.2 * 2 ** attempt)
            try:
                return self._transport().open_session(timeout=self.access.connect_timeout_s)
            except (paramiko.SSHException, OSError, EOFError) as exc:
                # paramiko hands a refusal's reason to whichever thread asks first; the others
                # see only "Unable to open channel": a known reason is not overwritten by that.
                if not reason or "Unable to open channel" not in str(exc):
                    reason = _reason(exc)
        raise OperationError(f"the probe cannot run commands on {self.name} ({self.address}): {reason}, "
                             f"{OPEN_TRIES} tries",
                             fix="check the host's sshd (its MaxSessions, its load) and that it stays reachable; "
                                 "the rollout's preflight logs in the same way")

    def _transport(self) -> paramiko.Transport:
        with self._login:
            if self._client is None:
                raise RuntimeError("SshRunner used outside its with-block")
            transport = self._client.get_transport()
            if transport is None or not transport.is_active():
                self._client.close()
                self._client = self._connect()
                transport = self._client.get_transport()
            return transport


def _reason(exc: BaseException) -> str:
    if isinstance(exc, paramiko.BadHostKeyException):
        return "its host key differs from known_hosts (refused)"
    if isinstance(exc, OSError) and not isinstance(exc, paramiko.SSHException):
        return f"unreachable: {exc.strerror or exc}"
    return str(exc) or type(exc).__name__


def probe_node(topology: Topology, name: str | None) -> NetNode:
    """The node named ``name``, or the first department host (the users' side of the extranet)."""
    if name is not None:
        known = {node.name: node for node in topology.nodes}
        if name not in known:
            raise UsageError(f"--probe-from {name!r}: no such host in {topology.env}",
                             fix=f"use one of {', '.join(sorted(known))}")
        return known[name]
    hosts = topology.by_role(NodeRole.HOST)
    if not hosts:
        raise UsageError(f"{topology.env} has no department host to probe from",
                         fix="name a node with --probe-from")
    return hosts[0]


def check_access(access: SshAccess) -> None:
    """A key or known_hosts file that is not there is bad input, said before any login (paramiko
    would report it as an unreachable host)."""
    for what, path in (("the operator's SSH key", access.key_file), ("the known host keys", access.known_hosts)):
        if not path.is_file():
            raise UsageError(f"{what} {path}: no such file",
                             fix="point --state-dir at the folder holding keys/id_ed25519 and known_hosts "
                                 "(`govcloud netlab up` writes them for the lab)")


def unified_exits(topology: Topology) -> list[NetNode]:
    return [node for node in topology.by_role(NodeRole.EXIT) if node.exit_status is ExitStatus.UNIFIED]


def measure_over_ssh(topology: Topology, access: SshAccess, probe_from: str | None = None,
                     tcp_port: int | None = None, count: int = 5) -> Ipv6Quality:
    """Probe every site router from the probe host and read the unified exits' counters, over SSH."""
    node = probe_node(topology, probe_from)
    check_access(access)
    with ExitStack() as stack:
        probe = stack.enter_context(SshRunner(node.name, str(node.mgmt.ip), access))
        exits = {e.name: stack.enter_context(SshRunner(e.name, str(e.mgmt.ip), access))
                 for e in unified_exits(topology)}
        return measure(probe, targets_from_topology(topology), exits, probe_host=node.name, count=count,
                       tcp_port=tcp_port)
