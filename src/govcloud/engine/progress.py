"""Live progress of an engine run: one line per resource as it finishes, a running count, and
every line of the engine's own output kept in a log file.

Event callbacks arrive on the Automation API's event thread; the printer only appends lines, so
it needs no locking beyond what rich's Console does.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import IO

from pulumi.automation import EngineEvent, OpType
from rich.console import Console
from rich.text import Text

from ..terminal import make_console

CHANGE_KEYS = ("create", "update", "replace", "delete", "same")
_SYMBOL = {"create": "+", "update": "~", "replace": "+-", "delete": "-", "same": " ", "read": ">",
           "refresh": "~"}


def normalise_changes(raw: dict | None) -> dict[str, int]:
    """The engine's op counts folded into create/update/replace/delete/same (others kept apart)."""
    counts = dict.fromkeys(CHANGE_KEYS, 0)
    for op, count in (raw or {}).items():
        key = str(op.value if isinstance(op, OpType) else op)
        if key in ("create-replacement", "delete-replaced", "replace"):
            # One replacement shows up as replace (+ create-replacement and delete-replaced steps).
            counts["replace"] = max(counts["replace"], int(count))
        elif key in counts:
            counts[key] += int(count)
        else:
            counts[key] = counts.get(key, 0) + int(count)
    return counts


_TRACEBACK = "Traceback (most recent call last):"


def without_traceback(message: str) -> str:
    """An engine diagnostic without the Python traceback it may hold (the program died, e.g. on a
    lookup while Neutron was down): the line before it and the exception it ends with say what
    happened; the frames, which are the SDK's, stay in the log only."""
    lines = message.splitlines()
    starts = [i for i, line in enumerate(lines) if line.strip() == _TRACEBACK]
    if not starts:
        return message
    head = [line for line in lines[:starts[0]] if line.strip()]
    frames = lines[starts[-1] + 1:]
    # Frames are indented ("  File ...", "    code", "    ^^^"); the exception starts at column 0.
    tail = next((i for i, line in enumerate(frames) if line and not line[0].isspace()), len(frames))
    return "\n".join(head + frames[tail:])


class Progress:
    """Prints finished resources to ``console`` and writes the engine's output to ``log``."""

    def __init__(self, stack: str, operation: str, log: IO[str], console: Console | None = None,
                 quiet: bool = False) -> None:
        self.stack = stack
        self.operation = operation
        self.log = log
        self.console = console or make_console(stderr=True, emoji=False, highlight=False)
        self.quiet = quiet
        self.done: Counter[str] = Counter()
        self.changed_types: set[str] = set()  # resource types created, updated, replaced or deleted
        self.failed: list[str] = []
        self.failed_creates: list = []  # the engine's records of creates that failed (see .resume.uncertain_create)

    def on_output(self, line: str) -> None:
        self.log.write(line.rstrip("\n") + "\n")
        self.log.flush()

    def targeted(self, selection) -> None:
        """Say what ``--changed`` chose (a :class:`govcloud.engine.targeting.TargetSelection`)."""
        diff = selection.diff
        line = (f"  --changed: {len(diff.new)} new, {len(diff.changed)} changed, {len(diff.undecided)} undecided, "
                f"{len(diff.deleted)} deleted of {diff.total}: {len(selection.targets)} targets, "
                f"{len(selection.reach)} resources within reach of them; the program registers "
                f"{len(selection.scope.names) if selection.scope is not None else 'all'}")
        self.on_output(line.strip())
        for urn, why in {**diff.changed, **diff.undecided}.items():
            self.on_output(f"  {self._short(urn)}: {why}")
        self._print(line, "cyan")

    def on_event(self, event: EngineEvent) -> None:
        if event.res_outputs_event is not None:
            self._finished(event.res_outputs_event.metadata)
        elif event.res_op_failed_event is not None:
            metadata = event.res_op_failed_event.metadata
            self.failed.append(metadata.urn)
            if _op_name(metadata.op) in ("create", "create-replacement") and metadata.new is not None:
                self.failed_creates.append(metadata)
            self._print(f"  ! failed {self._short(metadata.urn)}", "red")
        elif event.diagnostic_event is not None and event.diagnostic_event.severity == "error":
            self._print(f"  ! {without_traceback(event.diagnostic_event.message).strip()}", "red")

    def note(self, line: str) -> None:
        """A line of govcloud's own (e.g. what was recovered), on the console and in the log."""
        self.log.write(f"govcloud: {line}\n")
        self.log.flush()
        self._print(f"  * {line}", "cyan")

    def _finished(self, metadata) -> None:
        op = _op_name(metadata.op)
        self.done[op] += 1
        if op != "same":
            self.changed_types.add(metadata.type)
        if op != "same" and not metadata.type.startswith("pulumi:"):
            self._print(f"  {_SYMBOL.get(op, '?'):>2} {op:<7} {self._short(metadata.urn)}",
                        "green" if op == "create" else "yellow" if op != "delete" else "magenta")

    def _print(self, line: str, style: str) -> None:
        if not self.quiet:
            # One line per resource whatever the width: wrapped type tokens are unreadable in logs.
            self.console.print(Text(f"[{self.stack}]", style="bold") + Text(line, style=style), soft_wrap=True)

    @staticmethod
    def _short(urn: str) -> str:
        """``type::name`` of a URN (the stack and project are on every line already)."""
        parts = urn.split("::")
        return f"{parts[-2].split('$')[-1]}::{parts[-1]}" if len(parts) >= 4 else urn


def _op_name(op) -> str:
    return op.value if isinstance(op, OpType) else str(op)


def log_path(log_dir: Path, stack: str, operation: str, run_id: str) -> Path:
    """``<run id>-<stack>-<operation>.log``: the run id is unique per run (see .stackfiles), so two
    runs started in the same second never share a log."""
    log_dir.mkdir(parents=True, exist_ok=True)
    return log_dir / f"{run_id}-{stack}-{operation}.log"


def parse_log_name(name: str) -> tuple[str, str, str]:
    """``(run id, stack, operation)`` of a log file named by :func:`log_path`. The run id has three
    dash-separated parts (see .stackfiles.new_run_id) and operations have no dash; stacks may."""
    parts = name.removesuffix(".log").split("-")
    if len(parts) < 5:
        raise ValueError(f"{name} is not an engine log name (<run id>-<stack>-<operation>.log)")
    return "-".join(parts[:3]), "-".join(parts[3:-1]), parts[-1]
