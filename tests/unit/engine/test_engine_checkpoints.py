"""Checkpoints: a preview never pays for them; up, destroy and refresh keep them unless asked."""

from __future__ import annotations

from pathlib import Path

import pytest

from govcloud.cli import main
from govcloud.engine.checkpoints import SKIP_CHECKPOINTS, checkpoint_env
from govcloud.engine.automation import Operation


def test_a_preview_always_skips_checkpoints():
    assert checkpoint_env(Operation.PREVIEW) == {SKIP_CHECKPOINTS: "true"}
    assert checkpoint_env("preview") == {SKIP_CHECKPOINTS: "true"}


def test_an_applying_run_starts_with_checkpoints_its_skip_is_decided_where_it_is_journaled():
    """Only StackRun._start_journal turns the skip on for up, destroy and refresh, and it journals
    every run it turns it on for (test_engine_journal): the environment never skips unjournaled."""
    for operation in (Operation.UP, Operation.DESTROY, Operation.REFRESH):
        assert checkpoint_env(operation) == {}


def test_changed_is_refused_for_destroy_before_anything_runs(monkeypatch, capsys):
    monkeypatch.chdir(Path(__file__).resolve().parents[3])
    with pytest.raises(SystemExit) as caught:
        main(["destroy", "--env", "lab", "--all", "--changed"])
    assert caught.value.code == 2
    assert "--changed does not apply to destroy" in capsys.readouterr().err
