"""Ordering, change counts, progress lines and error messages of engine runs (no engine needed)."""

from __future__ import annotations

import io
from pathlib import Path
from types import SimpleNamespace

import pytest
from pulumi.automation import OpType

from govcloud.engine.progress import Progress, normalise_changes
from govcloud.engine.automation import Operation, engine_error, ordered, run
from govcloud.engine.settings import EngineSettings
from govcloud.errors import EngineError
from govcloud.model import load_environment

ROOT = Path(__file__).resolve().parents[3]
ALL = ["lab-province", "lab-city-a", "lab-city-b"]


def test_province_first_and_last_for_destroy():
    assert ordered(Operation.UP, ["lab-city-b", "lab-province"], ALL) == ["lab-province", "lab-city-b"]
    assert ordered(Operation.DESTROY, ALL, ALL) == ["lab-city-b", "lab-city-a", "lab-province"]


def test_changes_fold_into_five_counts():
    raw = {OpType.CREATE: 3, "same": 7, "replace": 1, "create-replacement": 1, "delete-replaced": 1}
    assert normalise_changes(raw) == {"create": 3, "update": 0, "replace": 1, "delete": 0, "same": 7}
    assert normalise_changes(None) == {"create": 0, "update": 0, "replace": 0, "delete": 0, "same": 0}


def _event(op: str, urn: str):
    metadata = SimpleNamespace(op=OpType(op), urn=urn, type=urn.split("::")[2].split("$")[-1])
    return SimpleNamespace(res_outputs_event=SimpleNamespace(metadata=metadata), res_op_failed_event=None,
                           diagnostic_event=None)


def test_progress_prints_changed_resources_and_logs_output():
    from rich.console import Console

    out, log = io.StringIO(), io.StringIO()
    progress = Progress("lab-province", "up", log, Console(file=out, width=200))
    urn = "urn:pulumi:lab-province::govcloud::govcloud:cloud:DepartmentTenant$openstack:networking/network:Network::n1"
    progress.on_event(_event("create", urn))
    progress.on_event(_event("same", urn.replace("n1", "n2")))
    progress.on_output("Updating (lab-province)")
    assert "create  openstack:networking/network:Network::n1" in out.getvalue()
    assert "n2" not in out.getvalue()
    assert progress.done == {"create": 1, "same": 1}
    assert log.getvalue() == "Updating (lab-province)\n"


@pytest.mark.parametrize("text, fix", [
    ("error: incorrect passphrase", "passphrase file"),
    ("error: no resource plugin 'pulumi-resource-openstack' found", "scripts/engine.sh"),
    ("Authentication failed", "clouds.yaml"),
    ("dial tcp 127.0.0.1:5000: connect: connection refused", "govcloud lab up"),
    ("error: failed to login to backend", "--backend"),
])
def test_engine_failures_carry_a_fix(text, fix):
    error = engine_error("lab-province", Operation.UP, RuntimeError(text), Path("/tmp/x.log"))
    assert fix in error.fix and "/tmp/x.log" in error.message


def test_unknown_failures_point_at_the_log():
    error = engine_error("lab-province", Operation.UP, RuntimeError("a\nb\nsomething odd"), Path("/tmp/x.log"))
    assert "something odd" in error.message and "/tmp/x.log" in error.fix


def test_missing_engine_is_one_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    clouds = tmp_path / "clouds.yaml"  # the arguments are checked first: give a usable cloud
    clouds.write_text("clouds:\n  govcloud-lab-admin:\n    auth: {auth_url: 'http://127.0.0.1:9'}\n")
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(clouds))
    monkeypatch.setenv("GOVCLOUD_CACHE", str(tmp_path / "cache"))
    environment = load_environment("lab", ROOT)
    with pytest.raises(EngineError) as caught:
        run(Operation.UP, environment, ["lab-province"], EngineSettings(tmp_path))
    assert caught.value.exit_code == 1 and "engine" in caught.value.fix


def test_an_unusable_backend_names_it_and_the_fix(tmp_path):
    from govcloud.engine.automation import backend_error

    settings = EngineSettings(tmp_path, backend_url="s3://nowhere")
    error = backend_error("lab-province", settings, RuntimeError("stderr: error: failed to open bucket"))
    assert "s3://nowhere" in error.message and "--backend" in error.fix
    assert "passphrase" in backend_error("x", settings, RuntimeError("incorrect passphrase")).fix


def test_a_lost_race_names_the_winner_and_never_advises_pulumi_cancel():
    text = ("error: the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end "
            "or delete the lock file with `pulumi cancel`.\n"
            "  file:///s/.pulumi/locks/organization/govcloud/lab-province/x.json: created by ops@node1 "
            "(pid 4711) at 2026-12-06T15:04:05Z")
    error = engine_error("lab-province", Operation.UP, RuntimeError(text), Path("/tmp/x.log"))
    assert "ops@node1 (pid 4711) since 2026-12-06T15:04:05" in error.message
    assert "pulumi cancel" not in str(error)


def test_an_engine_killed_by_a_signal_is_said_so_with_the_way_on():
    text = "\n code: -9\n stdout: Destroying (lab-province)\n stderr: "
    error = engine_error("lab-province", Operation.DESTROY, RuntimeError(text), Path("/tmp/x.log"))
    assert "engine process was killed (SIGKILL)" in error.message
    assert "govcloud destroy" in error.fix and "pending" in error.fix
