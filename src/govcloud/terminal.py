"""Consoles that print whole values: tables cut to 80 columns are for terminals only.

Rich sizes output to the terminal; written to a file or a pipe (a CI log, ``make demo | tee``) it
would fall back to 80 columns and cut stack names and paths short (``lab-provi…``). There the
console is made wide enough that every table column gets its full text.
"""

from __future__ import annotations

import sys
from typing import IO, Any

from rich.console import Console

# Wide enough for any row govcloud prints; rich still sizes each table to its content.
NOT_A_TERMINAL_WIDTH = 2000


def make_console(*, stderr: bool = False, file: IO[str] | None = None, **options: Any) -> Console:
    """A rich Console for ``file`` (default stdout, or stderr): terminal width on a terminal,
    never cut anywhere else; no emoji codes."""
    stream = file or (sys.stderr if stderr else sys.stdout)
    options.setdefault("emoji", False)  # ":a:" inside an IPv6 address (2001:db8:2:a::3) is no emoji code
    if "width" not in options and not _is_terminal(stream):
        options["width"] = NOT_A_TERMINAL_WIDTH
    return Console(stderr=stderr, file=file, **options)


def _is_terminal(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # closed or not a real stream
        return False
