"""Per-run files: the committed stack settings are read, never written; run ids never collide."""

from __future__ import annotations

import subprocess
import sys

import pytest

from govcloud.engine.progress import log_path, parse_log_name
from govcloud.engine.stackfiles import RunFiles, new_run_id, sweep

SETTINGS = "config:\n  govcloud:env: lab\n"


def _project(tmp_path):
    root = tmp_path / "project"
    (root / "stacks").mkdir(parents=True)
    (root / "Pulumi.yaml").write_text("name: govcloud\nruntime: python\nstackConfigDir: stacks/\n")
    (root / "stacks" / "Pulumi.lab-province.yaml").write_text(SETTINGS + "encryptionsalt: v1:left:behind\n")
    return root


def test_the_private_settings_copy_has_no_salt_and_the_committed_file_is_untouched(tmp_path):
    root = _project(tmp_path)
    before = (root / "stacks" / "Pulumi.lab-province.yaml").read_bytes()
    files = RunFiles.create(root, tmp_path / "runs", new_run_id())
    private = files.config_file("lab-province")
    assert private.read_text() == SETTINGS
    private.write_text(SETTINGS + "encryptionsalt: v1:new\n")  # what the engine writes back
    assert (files.scratch_project / "Pulumi.yaml").is_file()
    files.remove()
    assert (root / "stacks" / "Pulumi.lab-province.yaml").read_bytes() == before
    assert not files.run_dir.exists()


def test_run_ids_and_log_names_differ_within_one_second(tmp_path):
    ids = {new_run_id() for _ in range(50)}
    assert len(ids) == 50
    assert len({log_path(tmp_path, "lab-province", "up", run_id) for run_id in ids}) == 50


def test_a_killed_runs_directory_is_swept_by_the_next_and_a_live_one_kept(tmp_path):
    root = _project(tmp_path)
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    live = RunFiles.create(root, tmp_path / "runs", new_run_id())
    dead = tmp_path / "runs" / f"20261206T150000-{child.pid}-abcdef"
    dead.mkdir(parents=True)
    assert sweep(tmp_path / "runs") == [dead]
    assert live.run_dir.is_dir()


def test_a_log_name_gives_back_its_run_stack_and_operation(tmp_path):
    run_id = new_run_id()
    for stack in ("lab-province", "lab-city-a", "p"):
        log = log_path(tmp_path, stack, "up", run_id)
        assert parse_log_name(log.name) == (run_id, stack, "up")


def test_a_foreign_file_name_is_not_taken_for_a_log():
    with pytest.raises(ValueError, match="not an engine log name"):
        parse_log_name("notes.log")
