"""The drift record (``.state/<env>/drift.json``) is a state file: broken, it is bad input (exit 2)
naming the file, the line or the field, and the fix; never a traceback, and nothing is changed."""

from __future__ import annotations

import pytest

from govcloud import cli
from govcloud.drift import run as drift_run
from govcloud.drift.differences import DriftReport
from govcloud.drift.record import drift_state_path, record_run
from govcloud.errors import ModelError


@pytest.mark.parametrize("text, named", [
    ('{"env": "lab", "in_step": {"lab-province": "2026-12-01T10:00:00Z"},\n  "first_seen": {,}}\n', ":2"),
    ('{"env": "lab", "in_step": ["lab-province"], "first_seen": {}}\n', "in_step"),
    ('{"env": "lab", "in_step": {"lab-province": 7}, "first_seen": {}}\n', "in_step.lab-province"),
    ('[1, 2]\n', "drift.json"),
])
def test_a_broken_drift_record_is_bad_input_naming_file_line_or_field_and_fix(tmp_path, text, named):
    path = drift_state_path(tmp_path, tmp_path / "inventories" / "lab")
    path.parent.mkdir(parents=True)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ModelError) as refused:
        record_run(path, DriftReport("lab"), ["lab-province"], now="2026-12-02T10:00:00Z")
    message = str(refused.value)
    assert str(path) in message and named in message
    assert "drift.json" in refused.value.fix
    assert path.read_text(encoding="utf-8") == text  # nothing changed


def test_the_command_exits_2_on_a_broken_record(tmp_path, monkeypatch, capsys):
    path = drift_state_path(tmp_path, tmp_path / "inventories" / "lab")
    path.parent.mkdir(parents=True)
    path.write_text("{not json\n", encoding="utf-8")

    real = drift_run.detect
    monkeypatch.setattr(drift_run, "detect",
                        lambda env, root, targets, context: real(tmp_path / "inventories" / "lab", tmp_path,
                                                                 drift_run.DriftTargets([], None),
                                                                 context))
    with pytest.raises(SystemExit) as info:
        cli.main(["drift", "--env", "lab", "--stack", "lab-province", "--no-routers"])
    err = capsys.readouterr().err
    assert info.value.code == 2 and "drift.json:1" in err and "Traceback" not in err
