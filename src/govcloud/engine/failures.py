"""Engine failures as one EngineError each, with the fix, from the engine's own text."""

from __future__ import annotations

import re
import signal
import subprocess
from pathlib import Path

from ..errors import EngineError
from .locks import lock_holders_in, locked_error
from .outcome import Operation
from .settings import EngineSettings


# The Automation API's failure text starts with the CLI's exit code; negative: killed by that signal.
_KILLED = re.compile(r"^\s*code: -(\d+)\s*$", re.MULTILINE)
_SIGNALS = {s.value for s in signal.Signals}

# Engine messages (regular expressions, any case) and what to do about them, most specific first.
_KNOWN_FAILURES = (
    ("incorrect passphrase", "the passphrase does not open this stack's secrets",
     "use the passphrase file the stack was created with (GOVCLOUD_PASSPHRASE_FILE)"),
    ("no resource plugin 'pulumi-resource-openstack'", "the OpenStack provider plugin is not installed",
     "run `make setup` (scripts/engine.sh) to build and register it"),
    ("could not find plugin", "a plugin the program needs is not installed",
     "run `make setup` (scripts/engine.sh) to build and register it"),
    ("authentication failed", "OpenStack refused the credentials",
     "correct the credentials in clouds.yaml (for the lab: `govcloud lab up` rewrites it)"),
    (r"(?:got|code:?|status) 401\b|\b401 unauthorized", "OpenStack refused the credentials",
     "correct the credentials in clouds.yaml (for the lab: `govcloud lab up` rewrites it)"),
    ("connection refused", "the cloud does not answer", "start the lab with `govcloud lab up`"),
    ("failed to login", "the state backend cannot be reached", "check --backend (or PULUMI_BACKEND_URL)"),
    ("unable to open bucket", "the state backend cannot be reached", "check --backend (or PULUMI_BACKEND_URL)"),
    ("unsupported backend", "the state backend URL is not supported",
     "use file://<dir>, s3://…, azblob://…, gs://… or a Pulumi Cloud URL"),
)


def backend_error(stack: str, settings: EngineSettings, exc: Exception) -> EngineError:
    """Selecting or creating the stack failed: the backend (or the passphrase) is the cause."""
    if "passphrase" in str(exc).lower():
        return EngineError(f"the passphrase does not open stack {stack}",
                           fix="use the passphrase file the stack was created with (GOVCLOUD_PASSPHRASE_FILE)")
    detail = next((line.strip() for line in str(exc).splitlines() if "error" in line.lower()), "")
    return EngineError(f"the state backend {settings.backend()} cannot be used for {stack}"
                       + (f": {detail}" if detail else ""),
                       fix="check --backend (or PULUMI_BACKEND_URL) and that the backend is reachable; for the "
                           f"default local backend, that {settings.state_dir} is writable")


def killed_by_signal(exc: Exception) -> bool:
    """Whether the engine's process ended by a signal (rather than exiting with its own error)."""
    if isinstance(exc, subprocess.CalledProcessError):
        return exc.returncode < 0
    return _KILLED.search(str(exc)) is not None


def engine_error(stack: str, operation: Operation, exc: Exception, log_file: Path) -> EngineError:
    """One EngineError with a fix, from the engine's failure text."""
    text = str(exc)
    lower = text.lower()
    if "currently locked" in lower:  # a race lost after our own lock check: name the winner
        return locked_error(stack, lock_holders_in(text))
    killed = _KILLED.search(text)
    if killed:
        number = int(killed.group(1))
        name = signal.Signals(number).name if number in _SIGNALS else f"signal {number}"
        return EngineError(f"{operation.value} of {stack} stopped: the engine process was killed ({name}) "
                           f"(log: {log_file})",
                           fix=f"run `govcloud {operation.value}` again: it releases the dead run's lock and "
                               "resolves what the engine left pending")
    for needle, what, fix in _KNOWN_FAILURES:
        if re.search(needle, lower):
            return EngineError(f"{operation.value} of {stack} failed: {what} (log: {log_file})", fix=fix)
    causes = resource_errors(text) or [line for line in text.splitlines() if line.strip()][-6:]
    return EngineError(f"{operation.value} of {stack} failed (log: {log_file}):\n" + "\n".join(causes),
                       fix=f"read {log_file}; fix the cause and run `govcloud {operation.value}` again")


# The engine's summary: "Diagnostics:", then per resource a "  <type> (<name>):" line and its messages.
_DIAGNOSTICS = re.compile(r"^Diagnostics:\s*$(.*?)(?=^\S|\Z)", re.MULTILINE | re.DOTALL)
_RESOURCE = re.compile(r"^  (\S+) \((.+)\):\s*$", re.MULTILINE)
_STACK_TYPE = "pulumi:pulumi:Stack"
_LINES_PER_RESOURCE = 3


def resource_errors(text: str) -> list[str]:
    """Each failed resource's own error, from the engine's diagnostics, one line or a few each.

    The stack's own lines ("update failed", "Resource monitor has terminated") only say that
    something failed, and come last; a resource's error says what, so it leads, and the stack's
    lines are given only when no resource has one."""
    section = _DIAGNOSTICS.search(text)
    if section is None:
        return []
    blocks = _RESOURCE.split(section.group(1))[1:]  # type, name, body, type, name, body, ...
    found = [(kind, name, _cause(body)) for kind, name, body in zip(blocks[::3], blocks[1::3], blocks[2::3])]
    found = [entry for entry in found if entry[2]]
    own = [entry for entry in found if entry[0] != _STACK_TYPE] or found
    return [f"  {name} ({kind}): " + "\n    ".join(cause) for kind, name, cause in own]


def _cause(body: str) -> list[str]:
    """A resource's messages, shortened: a Python traceback to its last line (the exception)."""
    lines = [line.strip() for line in body.splitlines() if line.strip()]
    start = next((i for i, line in enumerate(lines) if "Traceback (most recent call last)" in line), None)
    if start is not None:  # the exception is the traceback's last line, before any later "error:" line
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("error:")), len(lines))
        return lines[end - 1:end]
    errors = [line.removeprefix("error: ") for line in lines]
    return errors[:_LINES_PER_RESOURCE]
