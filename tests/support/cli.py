"""Running the real `govcloud` entry point inside a test: exit code, stdout and stderr."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass

import pytest


@dataclass
class Run:
    code: int
    out: str
    err: str


def cli_runner(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> Callable[..., Run]:
    """``run("migrate", "plan", ...)`` calls ``govcloud.cli.main`` as the shell would."""
    from govcloud.cli import main

    def run(*args: str) -> Run:
        monkeypatch.setattr(sys, "argv", ["govcloud", *args])
        capsys.readouterr()
        with pytest.raises(SystemExit) as exit_info:
            main()
        captured = capsys.readouterr()
        return Run(exit_info.value.code, captured.out, captured.err)

    return run
