"""Wave files: round trip, sealing, all-or-nothing writes, and errors that name the file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from govcloud.errors import OperationError
from govcloud.migration.findings import PlanErrors
from govcloud.migration.planner import PlanSettings, plan_waves
from govcloud.migration.store import read_plan, write_plan
from govcloud.model import load_environment


@pytest.fixture(scope="module")
def lab_waves(project_root):
    province = load_environment("lab", project_root).province
    return plan_waves(province, [], PlanSettings(start=dt.date(2027, 1, 9))).planned


def test_round_trip_keeps_every_field_and_the_hash(tmp_path: Path, lab_waves):
    write_plan(tmp_path, lab_waves, "lab")
    loaded = read_plan(tmp_path)
    assert [lw.wave for lw in loaded] == lab_waves
    assert all(lw.wave.content_hash == lw.wave.computed_hash() for lw in loaded)


def test_the_seal_covers_the_content_and_the_window(lab_waves):
    wave = lab_waves[0].sealed_copy()
    assert not wave.is_tampered()
    assert wave.model_copy(update={"slug": "elsewhere"}).is_tampered()
    later = wave.window.model_copy(update={"end": wave.window.end + dt.timedelta(hours=1)})
    assert wave.model_copy(update={"window": later}).is_tampered(), "a sealed wave cannot be rescheduled unnoticed"


def test_the_written_file_carries_no_progress(tmp_path: Path, lab_waves):
    write_plan(tmp_path, lab_waves, "lab")
    assert all("status:" not in p.read_text(encoding="utf-8") for p in tmp_path.glob("*.yaml"))


def test_a_failed_write_leaves_nothing_behind(tmp_path: Path, lab_waves, monkeypatch):
    calls = {"n": 0}
    original = Path.write_text

    def failing_write(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError(28, "No space left on device")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", failing_write)
    with pytest.raises(OperationError, match="nothing was changed"):
        write_plan(tmp_path, lab_waves, "lab")
    assert list(tmp_path.iterdir()) == []


def test_stale_planned_files_are_removed_after_the_new_ones_exist(tmp_path: Path, lab_waves):
    stale = tmp_path / "0009-old.yaml"
    stale.write_text("old", encoding="utf-8")
    write_plan(tmp_path, lab_waves, "lab", remove=[stale])
    assert sorted(p.name for p in tmp_path.iterdir()) == [w.file_name for w in lab_waves]


def test_file_name_must_match_the_content(tmp_path: Path, lab_waves):
    write_plan(tmp_path, lab_waves[:1], "lab")
    (tmp_path / "0001-province.yaml").rename(tmp_path / "0005-province.yaml")
    (tmp_path / "notes.yaml").write_text("x: 1\n", encoding="utf-8")
    with pytest.raises(PlanErrors) as exc:
        read_plan(tmp_path)
    text = str(exc.value)
    assert "0005-province.yaml:4: wave: the file name says wave 0005-province, the content says 0001-province" in text
    assert "notes.yaml: not a wave file name" in text


def test_yaml_syntax_error_names_the_line(tmp_path: Path):
    (tmp_path / "0001-x.yaml").write_text("wave: 1\nslug: x\nsystems: [\n", encoding="utf-8")
    with pytest.raises(PlanErrors, match=r"0001-x\.yaml:\d+: YAML syntax error"):
        read_plan(tmp_path)
