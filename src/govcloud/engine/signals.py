"""A clean stop on SIGINT and SIGTERM, and no engine process left behind after a run.

The Pulumi CLI stops cleanly on its first SIGINT or SIGTERM (it cancels: operations in flight
finish, the checkpoint and the lock are written back) and terminates on the second. Left alone,
a Ctrl-C in a terminal reaches govcloud *and* the engine (one process group), and a plain SIGTERM
to govcloud (what a CI timeout sends) kills govcloud and orphans the engine, its language host,
the program and the provider. So:

* the engine runs in a session of its own (:func:`engine_command_root` wraps the CLI with
  ``setsid``), so only govcloud signals it, exactly once per signal govcloud receives;
* govcloud marks itself a *child subreaper* (Linux ``PR_SET_CHILD_SUBREAPER``): the engine's
  plugins, orphaned when the engine dies, become govcloud's children, where
  :meth:`EngineGuard.__exit__` finds and stops them;
* a signal does not interrupt govcloud's Python code (no KeyboardInterrupt traceback): it is
  recorded, forwarded, and the run ends with :class:`~govcloud.errors.EngineInterrupted`.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import signal
import stat
import threading
from pathlib import Path
from types import FrameType

import psutil

from ..errors import EngineInterrupted

PR_SET_CHILD_SUBREAPER = 36
PR_GET_CHILD_SUBREAPER = 37
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
GRACE_SECONDS = 10.0  # how long a stray process gets between SIGTERM and SIGKILL
# How long a cancelling engine gets before the second SIGTERM (terminate now). Seen on the lab: an
# engine that printed its summary after a cancel and then never exited. What a terminated engine
# leaves pending, the next run resolves (see .resume), so waiting longer buys nothing.
CANCEL_SECONDS = 180.0
_WRAPPER = ("#!/bin/sh\n# Written by govcloud: the engine in its own session, signalled only by govcloud.\n"
            "exec setsid {cli} \"$@\"\n")


def become_subreaper(on: bool = True) -> bool:
    """Adopt the orphans of our descendants (Linux), or stop adopting them (``on=False``); False
    where the kernel has no such call."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_CHILD_SUBREAPER, int(on), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def is_subreaper() -> bool:
    """Whether this process adopts its descendants' orphans now (False where unknown)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        flag = ctypes.c_int(0)
        return libc.prctl(PR_GET_CHILD_SUBREAPER, ctypes.byref(flag), 0, 0, 0) == 0 and flag.value != 0
    except (OSError, AttributeError):
        return False


def engine_command_root(cli: Path, wrapper_dir: Path) -> Path:
    """A ``root`` for ``PulumiCommand`` whose ``bin/pulumi`` starts ``cli`` in a new session.

    Without a ``setsid`` program (not Linux) the CLI's own root: a terminal's Ctrl-C then reaches
    the engine directly, and the guard does not forward it a second time.
    """
    if shutil.which("setsid") is None:
        return cli.parent.parent
    script = wrapper_dir / "bin" / "pulumi"
    text = _WRAPPER.format(cli=_shell_quote(str(cli)))
    if not script.is_file() or script.read_text(encoding="utf-8") != text:
        script.parent.mkdir(parents=True, exist_ok=True)
        temporary = script.with_name(f".pulumi.{os.getpid()}")
        temporary.write_text(text, encoding="utf-8")
        temporary.chmod(temporary.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
        temporary.replace(script)  # atomic: a racing run never sees half a script
    return wrapper_dir


def _shell_quote(text: str) -> str:
    return "'" + text.replace("'", "'\"'\"'") + "'"


class EngineGuard:
    """Around engine runs: forward stop signals to the engine, stop stray processes afterwards.

    ``received`` holds the signals that arrived; :meth:`check` raises EngineInterrupted once one did.
    """

    def __init__(self, grace: float = GRACE_SECONDS, cancel: float = CANCEL_SECONDS) -> None:
        self.grace, self.cancel = grace, cancel
        self.received: list[int] = []
        self.strays: list[str] = []  # descriptions of processes stopped on exit
        self._previous: dict[int, object] = {}
        self._before: set[int] = set()
        self._watchdog: threading.Timer | None = None
        self._was_subreaper = False

    def __enter__(self) -> EngineGuard:
        self._was_subreaper = is_subreaper()
        become_subreaper()
        self._before = {p.pid for p in psutil.Process().children(recursive=True)}
        if threading.current_thread() is threading.main_thread():
            for signum in STOP_SIGNALS:
                self._previous[signum] = signal.signal(signum, self._on_signal)
        return self

    def __exit__(self, *exc_info) -> None:
        if self._watchdog is not None:
            self._watchdog.cancel()
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)
        self.strays = stop_descendants(self._before, self.grace)
        if not self._was_subreaper:
            # A process that runs the engine in-process and goes on (a test session, a migration
            # run) must not keep adopting orphans it never reaps: a killed daemon would stay a
            # zombie that looks alive to whoever checks its PID (pg_ctl, for one).
            become_subreaper(False)

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self.received.append(signum)
        # The first signal asks the engine to cancel; a second one to terminate (the engine's own
        # convention); a third kills everything we started.
        if len(self.received) >= 3:
            for process in _descendants(self._before):
                _quietly(process.kill)
            return
        self._forward(signum)
        if len(self.received) == 1:
            self._watchdog = threading.Timer(self.cancel, self._terminate)
            self._watchdog.daemon = True
            self._watchdog.start()

    def _forward(self, signum: int) -> None:
        for process in engine_processes(self._before):
            if signum == signal.SIGINT and _same_group(process):
                continue  # a terminal's Ctrl-C reached the engine too (no setsid wrapper): once is enough
            _quietly(lambda: process.send_signal(signal.SIGTERM))

    def _terminate(self) -> None:
        """The engine did not finish its cancel in time: the second SIGTERM (terminate now)."""
        if len(self.received) == 1:
            self._forward(signal.SIGTERM)

    @property
    def interrupted(self) -> bool:
        return bool(self.received)

    def check(self, operation: str, stack: str) -> None:
        """Raise EngineInterrupted when a stop signal arrived during the run."""
        if self.received:
            raise interrupted_error(self.received[0], operation, stack)


def interrupted_error(signum: int, operation: str, stack: str) -> EngineInterrupted:
    name = signal.Signals(signum).name
    return EngineInterrupted(
        f"{operation} of {stack} stopped by {name}: the engine finished the operations in flight and saved "
        f"the stack's state", fix=f"run `govcloud {operation}` again to finish (it resolves what was left pending)",
        exit_code=128 + signum)


def engine_processes(exclude: set[int]) -> list[psutil.Process]:
    """Our Pulumi CLI processes (the engine; its plugins are signalled by it)."""
    found = []
    for process in _descendants(exclude):
        try:
            name = process.name()
            # The wrapper execs setsid, which execs pulumi: the name is pulumi once it runs.
            if name in ("pulumi", "setsid"):
                found.append(process)
        except psutil.Error:
            continue
    return found


def stop_descendants(exclude: set[int], grace: float) -> list[str]:
    """Terminate, then kill, every descendant not in ``exclude``; describe what was stopped."""
    strays = _descendants(exclude)
    described = []
    for process in strays:
        try:
            described.append(f"{process.pid} {process.name()}")
            process.terminate()
        except psutil.Error:
            continue
    _, alive = psutil.wait_procs(strays, timeout=grace)
    for process in alive:
        _quietly(process.kill)
    psutil.wait_procs(alive, timeout=grace)
    return described


def _same_group(process: psutil.Process) -> bool:
    try:
        return os.getpgid(process.pid) == os.getpgrp()
    except OSError:
        return False


def _descendants(exclude: set[int]) -> list[psutil.Process]:
    try:
        return [p for p in psutil.Process().children(recursive=True) if p.pid not in exclude]
    except psutil.Error:
        return []


def _quietly(action) -> None:
    try:
        action()
    except (psutil.Error, ProcessLookupError):
        pass

