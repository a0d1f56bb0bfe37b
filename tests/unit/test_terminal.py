"""Tables printed to a file or a pipe keep their whole values (no cut to 80 columns)."""

from __future__ import annotations

import io

from rich.table import Table

from govcloud.terminal import make_console


def _table() -> Table:
    table = Table(title="stacks")
    for column in ("stack", "log"):
        table.add_column(column)
    table.add_row("lab-province-with-a-rather-long-name", "/var/lib/govcloud/" + "x" * 120 + "/up.log")
    return table


def test_a_console_on_a_file_prints_every_value_whole():
    out = io.StringIO()
    make_console(file=out).print(_table())
    text = out.getvalue()
    assert "lab-province-with-a-rather-long-name" in text
    assert "x" * 120 + "/up.log" in text
    assert "…" not in text


def test_an_explicit_width_still_wins():
    out = io.StringIO()
    make_console(file=out, width=40).print(_table())
    assert "…" in out.getvalue() or "x" * 120 not in out.getvalue()
