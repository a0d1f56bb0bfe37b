"""Process supervision without systemd: start daemons, record their PIDs, stop only our own.

A PID file holds the PID, the kernel's start time of that process and a signature of its
command line (the argument naming its config file in the state dir, else the program name). A
process counts as ours only while ``/proc/<pid>/stat`` shows the same start time and
``/proc/<pid>/cmdline`` still contains the signature, so a recycled PID is never signalled.
The command line is not compared whole: right after launch the PID still runs the launching
shell (until it execs), and neutron retitles its workers.
"""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from govcloud.errors import LabError
from govcloud.lab.openstack.ports import port_owner
from govcloud.lab.processes import launch_detached
from govcloud.lab.openstack.statedir import OpenStackLabPaths

# Services run from Debian's python3 and tools; pyenv shims must never come first.
CLEAN_PATH = "/usr/sbin:/usr/bin:/sbin:/bin"

# The shell forks the daemon and exits at once, so the daemon is re-parented to init and never
# becomes a child (or zombie) of a long-lived Python process such as a pytest session.
_LOG_LIMIT = 20 * 1024 * 1024
_START_MARK = "=== govcloud lab: starting "


@dataclass(frozen=True)
class Service:
    """One daemon of the lab: how to start it and how to tell that it answers."""

    name: str
    argv: tuple[str, ...]
    probe: Callable[[], bool] = field(compare=False)
    env: Mapping[str, str] = field(default_factory=dict, compare=False)
    ports: tuple[int, ...] = ()
    after: tuple[str, ...] = ()  # services that must answer before this one starts
    configs: tuple[Path, ...] = ()  # files it reads at start: a change means a restart
    stop_timeout: float = 15.0
    # True when the running daemon is alive but stuck for good (a known deadlock); it is restarted.
    wedged: Callable[[], bool] | None = field(default=None, compare=False)


@dataclass(frozen=True)
class PidRecord:
    pid: int
    start_time: int
    signature: str


def clean_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """A minimal environment: no PYTHONPATH, no pyenv, no proxies leaking into the services."""
    env = {"PATH": CLEAN_PATH, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "HOME": "/root"}
    env.update(extra or {})
    return env


def start(service: Service, paths: OpenStackLabPaths) -> PidRecord:
    """Launch ``service`` in the background, log to the state dir, record its PID. Returns the record."""
    for port in service.ports:
        owner = port_owner(port)
        if owner is not None:
            raise LabError(
                f"cannot start {service.name}: 127.0.0.1:{port} is already taken by {owner}",
                fix=f"stop that process (or the other lab using port {port}) and run lab_up again",
            )
    log = paths.log_file(service.name)
    if log.exists() and log.stat().st_size > _LOG_LIMIT:
        log.replace(log.with_name(log.name + ".1"))  # keep one old log; the state dir must not fill the disk
    with log.open("a") as handle:
        handle.write(f"\n{_START_MARK}{service.name} at {time.strftime('%F %T')}\n")
    pid = launch_detached(service.argv, log, clean_env(service.env), paths.root)
    record = PidRecord(pid, _start_time(pid) or 0, signature(service.argv, paths.root))
    write_record(paths, service.name, record)
    return record


def signature(argv: tuple[str, ...], root: Path) -> str:
    """What identifies our process in its command line: its state-dir argument, else its program."""
    for arg in argv:
        if str(root) in arg:
            return arg
    return os.path.basename(argv[0])


def write_record(paths: OpenStackLabPaths, name: str, record: PidRecord) -> None:
    paths.pid_file(name).write_text(
        json.dumps({"pid": record.pid, "start_time": record.start_time, "signature": record.signature}) + "\n"
    )


def read_record(paths: OpenStackLabPaths, name: str) -> PidRecord | None:
    try:
        raw = json.loads(paths.pid_file(name).read_text())
        return PidRecord(int(raw["pid"]), int(raw["start_time"]), str(raw["signature"]))
    except (OSError, ValueError, KeyError):
        return None


def running_pid(paths: OpenStackLabPaths, name: str) -> int | None:
    """The PID of our ``name`` daemon if it is still the process we started, else None."""
    record = read_record(paths, name)
    if record is None or _start_time(record.pid) != record.start_time:
        return None
    cmdline = _cmdline(record.pid)
    return record.pid if cmdline and record.signature in " ".join(cmdline) else None


def started_at(paths: OpenStackLabPaths, name: str) -> float | None:
    """Wall-clock time our ``name`` daemon started, or None when it is not running."""
    pid = running_pid(paths, name)
    record = read_record(paths, name)
    if pid is None or record is None:
        return None
    return _boot_time() + record.start_time / os.sysconf("SC_CLK_TCK")


def stop(paths: OpenStackLabPaths, service: Service) -> bool:
    """Stop our ``service`` (SIGTERM, then SIGKILL after its timeout). Returns True if it was running."""
    pid = running_pid(paths, service.name)
    paths.pid_file(service.name).unlink(missing_ok=True)
    if pid is None:
        return False
    # Workers forked by the daemon (uwsgi, neutron) are collected now, while we still know the
    # parent, so none is left behind if the parent dies before them.
    members = [(p, _start_time(p)) for p in (pid, *_descendants(pid))]
    _signal_alive(members, signal.SIGTERM)
    deadline = time.monotonic() + service.stop_timeout
    while time.monotonic() < deadline and any(_start_time(p) == start for p, start in members):
        time.sleep(0.1)
    _signal_alive(members, signal.SIGKILL)
    return True


def family(paths: OpenStackLabPaths, name: str) -> list[int]:
    """Our ``name`` daemon and every process it forked (workers), for accounting; empty when down."""
    pid = running_pid(paths, name)
    return [] if pid is None else [pid, *_descendants(pid)]


def log_since_start(paths: OpenStackLabPaths, name: str) -> str:
    """What our ``name`` daemon has logged since its latest start (empty when it never started)."""
    try:
        text = paths.log_file(name).read_text(errors="replace")
    except OSError:
        return ""
    start = text.rfind(f"{_START_MARK}{name} at ")
    return text[start:] if start >= 0 else ""


def tail(path: Path, lines: int = 20) -> str:
    """The last ``lines`` lines of a log file, for error messages."""
    try:
        with path.open("rb") as handle:
            handle.seek(0, os.SEEK_END)
            handle.seek(max(0, handle.tell() - 16384))
            text = handle.read().decode(errors="replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:])


def _start_time(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) may contain spaces; the fields after its ')' are fixed.
    fields = stat.rsplit(")", 1)[1].split()
    if fields[0] == "Z":  # a zombie is not a running service
        return None
    return int(fields[19])


def _boot_time() -> float:
    for line in Path("/proc/stat").read_text().splitlines():
        if line.startswith("btime "):
            return float(line.split()[1])
    return 0.0


def _cmdline(pid: int) -> tuple[str, ...] | None:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    return tuple(part.decode(errors="replace") for part in raw.split(b"\0") if part) or None


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _signal_alive(members: list[tuple[int, int | None]], sig: int) -> None:
    # Signal a PID only while it still has the start time seen earlier: never a recycled PID.
    for pid, start in members:
        if start is None or _start_time(pid) != start:
            continue
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            pass
