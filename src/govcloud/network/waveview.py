"""A live view of a wave: one row per host with its current task and counts, fed by the runner's
events. Only presentation: the outcomes that count come from the run's stats.

On a terminal the table is redrawn in place and long task names are cut to fit; written to a file
or a pipe (a CI log) it is printed once, at the end, with every value whole."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rich.console import Console
from rich.live import Live
from rich.table import Table

from ..terminal import make_console

TASK_WIDTH, MESSAGE_WIDTH = 50, 80  # on a terminal only


@dataclass
class _HostRow:
    current: str = ""  # the task running now
    last: str = ""  # the last task that ran (skipped ones do not count: they did nothing)
    ok: int = 0
    changed: int = 0
    failed: bool = False
    message: str = ""


@dataclass
class RolloutWaveView:
    """Use as a context manager; pass :meth:`on_event` as the runner's event callback."""

    title: str
    hosts: list[str]
    console: Console = field(default_factory=make_console)
    rows: dict[str, _HostRow] = field(default_factory=dict)
    finished: bool = False
    _live: Live | None = None

    def __enter__(self) -> RolloutWaveView:
        self.rows = {h: _HostRow() for h in self.hosts}
        if self.console.is_terminal:
            self._live = Live(self._table(), console=self.console, refresh_per_second=4, transient=False)
            self._live.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._live is not None:
            self._live.update(self._table())
            self._live.__exit__(*exc)
        else:
            self.console.print(self._table())

    def on_event(self, event: dict[str, Any]) -> None:
        data = event.get("event_data", {})
        kind = event.get("event", "")
        row = self.rows.get(data.get("host", ""))
        if kind == "playbook_on_stats":
            self.finished = True
        elif row is not None:
            self._update(row, kind, data)
        else:
            return
        if self._live is not None:
            self._live.update(self._table())

    @staticmethod
    def _update(row: _HostRow, kind: str, data: dict[str, Any]) -> None:
        if kind == "runner_on_start":
            row.current = data.get("task", "")
            return
        task, row.current = row.current, ""
        if kind == "runner_on_skipped":
            return
        row.last = task or data.get("task", "")
        if kind == "runner_on_ok":
            row.ok += 1
            row.changed += bool(data.get("res", {}).get("changed"))
        elif kind in ("runner_on_failed", "runner_on_unreachable") and not data.get("ignore_errors"):
            row.failed = True
            row.message = str(data.get("res", {}).get("msg", ""))

    def _cut(self, text: str, width: int) -> str:
        return text[:width] if self.console.is_terminal else text

    def _table(self) -> Table:
        table = Table(title=self.title, expand=False)
        for column in ("host", "task", "ok", "changed", "state"):
            table.add_column(column)
        for host, row in self.rows.items():
            started = bool(row.current or row.last)
            state = (f"[red]failed[/red] {self._cut(row.message, MESSAGE_WIDTH)}" if row.failed
                     else "done" if self.finished and started else "running" if started else "")
            task = self._cut(row.current or row.last or "waiting", TASK_WIDTH)
            table.add_row(host, task, str(row.ok), str(row.changed), state)
        return table
