"""The user-lab guard of scripts/test.sh: every kind of change to the user's lab is reported."""

from __future__ import annotations

from support.user_lab import _differences


def _print(**cloud) -> dict:
    base = {"projects": ["p1 dept-a True []"], "networks": ["n1 public rev=1"], "quotas": ["dept-a net:10/10/50/1/10"]}
    base.update(cloud)
    return {"cloud": base, "namespaces": ["gc-core"], "state": {".state/lab.json": "abc"}}


def test_an_unchanged_lab_has_no_differences():
    assert _differences(_print(), _print()) == []


def test_a_changed_revision_a_deleted_project_and_a_new_network_are_each_reported():
    after = _print(projects=[], networks=["n1 public rev=2", "n2 test-net rev=1"])
    lines = _differences(_print(), after)
    assert "projects: gone or changed: p1 dept-a True []" in lines
    assert "networks: gone or changed: n1 public rev=1" in lines
    assert "networks: new or changed: n1 public rev=2" in lines
    assert "networks: new or changed: n2 test-net rev=1" in lines


def test_a_changed_quota_namespace_or_state_file_is_reported():
    after = _print(quotas=["dept-a net:0/10/50/1/10"])
    after["namespaces"] = []
    after["state"] = {".state/lab.json": "def"}
    lines = _differences(_print(), after)
    assert any(line.startswith("quotas: ") for line in lines)
    assert any(line.startswith("namespaces: ") for line in lines)
    assert any(line.startswith("state: ") for line in lines)


def test_a_lab_stopped_by_the_tests_is_reported():
    after = _print()
    after["cloud"] = None
    assert _differences(_print(), after)[0] == "default lab up before: True, after: False"
