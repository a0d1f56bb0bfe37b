"""A checkpoint sidecar a killed write left empty is removed before the run; nothing else is."""

from __future__ import annotations

import json

from govcloud.engine.tornwrite import repair_torn_sidecars


def _backend(tmp_path):
    stacks = tmp_path / ".pulumi" / "stacks" / "govcloud"
    stacks.mkdir(parents=True)
    for name in ("lab-province.json", "lab-province.json.bak", "lab-city-a.json"):
        (stacks / name).write_text('{"checkpoint": {}}', encoding="utf-8")
    return stacks


def test_an_empty_or_cut_sidecar_of_the_stack_is_removed_and_named(tmp_path):
    stacks = _backend(tmp_path)
    (stacks / "lab-province.json.attrs").write_text("", encoding="utf-8")  # the lab's case: SIGKILL mid-destroy
    (stacks / "lab-province.json.bak.attrs").write_text('{"user.content_type": "appl', encoding="utf-8")
    removed = repair_torn_sidecars(tmp_path.as_uri(), "govcloud", "lab-province")
    assert [p.name for p in removed] == ["lab-province.json.attrs", "lab-province.json.bak.attrs"]
    assert not any(stacks.glob("*.attrs"))
    assert (stacks / "lab-province.json").read_text(encoding="utf-8") == '{"checkpoint": {}}'  # content kept


def test_whole_sidecars_and_other_stacks_are_left_alone(tmp_path):
    stacks = _backend(tmp_path)
    whole = json.dumps({"user.content_type": "application/json", "md5": "AAAA"})
    (stacks / "lab-province.json.attrs").write_text(whole, encoding="utf-8")
    (stacks / "lab-city-a.json.attrs").write_text("", encoding="utf-8")  # another stack's: not this run's
    assert repair_torn_sidecars(tmp_path.as_uri(), "govcloud", "lab-province") == []
    assert (stacks / "lab-province.json.attrs").read_text(encoding="utf-8") == whole
    assert (stacks / "lab-city-a.json.attrs").exists()


def test_other_backends_are_not_touched(tmp_path):
    assert repair_torn_sidecars("s3://bucket/state", "govcloud", "lab-province") == []
