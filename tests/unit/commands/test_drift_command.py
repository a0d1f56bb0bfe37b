"""`govcloud drift` exit codes and formats, with the detection replaced by fake reports."""

from __future__ import annotations

import json

import pytest

from govcloud import cli
from govcloud.drift import run as drift_run
from govcloud.drift.differences import Change, Difference, DriftReport, Kind
from govcloud.errors import EngineError


def exit_code(args: list[str]) -> int:
    with pytest.raises(SystemExit) as exc:
        cli.main(args)
    return exc.value.code


def fake_detect(report: DriftReport):
    def detect(env, project_root, targets, context):
        assert list(targets.stacks) == ["lab-province"]
        return report

    return detect


def test_no_drift_exits_0_and_drift_exits_3_with_json(monkeypatch, capsys):
    monkeypatch.setattr(drift_run, "detect", fake_detect(DriftReport("lab", checked={"lab-province": 2.0})))
    assert exit_code(["drift", "--env", "lab", "--stack", "lab-province", "--no-routers"]) == 0
    assert "no drift" in capsys.readouterr().out
    gone = Difference(Kind.CLOUD, "lab-province", "urn:pulumi:lab-province::govcloud::t::r", "t", Change.GONE)
    monkeypatch.setattr(drift_run, "detect", fake_detect(DriftReport("lab", differences=[gone])))
    assert exit_code(["drift", "--env", "lab", "--stack", "lab-province", "--no-routers", "--format", "json"]) == 3
    data = json.loads(capsys.readouterr().out)
    assert data["drifted"] is True and data["differences"][0]["change"] == "gone"


def test_a_failed_read_exits_1_and_bad_arguments_exit_2(monkeypatch, capsys):
    def broken(*args):
        raise EngineError("refresh of lab-province failed", fix="read the log")

    monkeypatch.setattr(drift_run, "detect", broken)
    assert exit_code(["drift", "--env", "lab", "--stack", "lab-province", "--no-routers"]) == 1
    assert "refresh of lab-province failed" in capsys.readouterr().err
    assert exit_code(["drift", "--env", "lab", "--no-routers"]) == 2  # neither --stack nor --all


def test_fix_on_a_backend_without_a_lease_exits_2_before_anything_is_read(monkeypatch, capsys):
    def never(*args):
        raise AssertionError("the live cloud was read although --fix could never take the stack's lease")

    monkeypatch.setattr(drift_run, "detect", never)
    args = ["drift", "--env", "lab", "--stack", "lab-province", "--no-routers", "--fix",
            "--backend", "s3://govcloud-state?endpoint=http://192.0.2.10:8080"]
    assert exit_code(args) == 2
    err = capsys.readouterr().err
    assert "no lease govcloud can trust" in err and "--lock-url" in err
    # With a folder for the leases the same backend is accepted (the run goes on to read the cloud).
    monkeypatch.setattr(drift_run, "detect", fake_detect(DriftReport("lab", checked={"lab-province": 1.0})))
    assert exit_code(args + ["--lock-url", "file:///srv/govcloud-leases"]) == 0


def test_fix_takes_the_stacks_leases_before_reading_and_a_held_one_refuses_at_once(monkeypatch, capsys, tmp_path):
    from datetime import datetime, timedelta, timezone

    from govcloud.engine.lease import FileLeaseStore, Holder, acquire, lease_key

    def never(*args):
        raise AssertionError("the live cloud was read although another run holds the stack")

    since = datetime.now(timezone.utc)
    acquire(FileLeaseStore(tmp_path / "leases"), lease_key("govcloud", "lab-province"), "lab-province",
            Holder("carol", "ops-9", 4242, "govcloud up", "/srv/carol/govcloud", since.isoformat(timespec="seconds"),
                   (since + timedelta(hours=1)).isoformat(timespec="seconds")))
    monkeypatch.setattr(drift_run, "detect", never)
    args = ["drift", "--env", "lab", "--stack", "lab-province", "--no-routers", "--lock-url",
            (tmp_path / "leases").as_uri()]
    assert exit_code(args + ["--fix"]) == 1
    assert "stack lab-province is locked by carol@ops-9" in capsys.readouterr().err.replace("\n", " ")
    # Without --fix nothing is changed, so nothing is locked: a report is read under anyone's lease.
    monkeypatch.setattr(drift_run, "detect", fake_detect(DriftReport("lab", checked={"lab-province": 1.0})))
    assert exit_code(args) == 0
