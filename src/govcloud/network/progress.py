"""A live view of a wave: one row per host with its current task and counts, fed by the runner's
events. Only presentation: the outcomes that count come from the run's stats."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rich.console import Console
from rich.live import Live
from rich.table import Table


@dataclass
class _HostRow:
    task: str = "waiting"
    ok: int = 0
    changed: int = 0
    failed: bool = False
    message: str = ""


@dataclass
class WaveProgress:
    """Use as a context manager; pass :meth:`on_event` as the runner's event callback."""

    title: str
    hosts: list[str]
    console: Console = field(default_factory=Console)
    rows: dict[str, _HostRow] = field(default_factory=dict)
    _live: Live | None = None

    def __enter__(self) -> WaveProgress:
        self.rows = {h: _HostRow() for h in self.hosts}
        self._live = Live(self._table(), console=self.console, refresh_per_second=4, transient=False)
        self._live.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._live is not None:
            self._live.update(self._table())
            self._live.__exit__(*exc)

    def on_event(self, event: dict[str, Any]) -> None:
        data = event.get("event_data", {})
        host = data.get("host")
        kind = event.get("event", "")
        row = self.rows.get(host) if host else None
        if row is None:
            return
        if kind == "runner_on_start":
            row.task = data.get("task", "")
        elif kind == "runner_on_ok":
            row.ok += 1
            row.changed += bool(data.get("res", {}).get("changed"))
        elif kind in ("runner_on_failed", "runner_on_unreachable") and not data.get("ignore_errors"):
            row.failed = True
            row.message = str(data.get("res", {}).get("msg", ""))[:80]
        if self._live is not None:
            self._live.update(self._table())

    def _table(self) -> Table:
        table = Table(title=self.title, expand=False)
        for column in ("host", "task", "ok", "changed", "state"):
            table.add_column(column)
        for host, row in self.rows.items():
            state = f"[red]failed[/red] {row.message}" if row.failed else "running" if row.task != "waiting" else ""
            table.add_row(host, row.task[:50], str(row.ok), str(row.changed), state)
        return table
