"""What the shared cloud may host (one rule with the policy baseline) and the provincial plan's
designation of unified exits: checked when the model loads, with file, line and fix."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from govcloud.model import ModelErrors, load_folder
from govcloud.model.hosting import off_shared_cloud

ROOT = Path(__file__).resolve().parents[3]
LAB = ROOT / "inventories" / "lab"
PLAN = "unified_exit_plan.designations[0]"
PLAN = "unified_exit_plan.designations[0]"


@pytest.mark.parametrize(("level", "data_class", "off"), [
    (2, "internal", False), (3, "sensitive", False), (4, "internal", True), (2, "classified", True),
    (None, None, False), (4, None, True),
])
def test_what_the_shared_cloud_hosts(level, data_class, off) -> None:
    assert (off_shared_cloud(level, data_class) is not None) is off


@pytest.fixture
def lab(tmp_path) -> Path:
    shutil.copytree(LAB, tmp_path / "lab")
    return tmp_path / "lab"


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _errors(folder: Path) -> list:
    with pytest.raises(ModelErrors) as info:
        load_folder(folder)
    return info.value.errors


def test_a_level_4_system_placed_on_the_shared_cloud_is_refused(lab) -> None:
    systems = lab / "systems.yaml"
    _edit(systems, "    data_class: classified\n", "    data_class: sensitive\n    target_node: province\n")
    (error,) = _errors(lab)
    assert "MLPS level 4" in str(error) and "remove target_node" in error.fix
    assert error.location.file == systems and error.location.line


def test_a_classified_system_marked_as_running_on_the_cloud_is_refused(lab) -> None:
    systems = lab / "systems.yaml"
    _edit(systems, "    data_class: classified\n", "    data_class: classified\n    on_cloud: true\n")
    (error,) = _errors(lab)
    assert "classified" in str(error) and "on_cloud" in error.fix
    assert error.location.file == systems and error.location.line


def test_a_level_4_department_is_refused_as_a_tenant_of_the_shared_cloud(lab) -> None:
    departments = lab / "departments.yaml"
    _edit(departments, "    mlps_level: 3\n", "    mlps_level: 4\n")
    (error,) = _errors(lab)
    assert "MLPS level 4" in str(error) and "mlps_level" in error.fix
    assert error.location.file == departments and error.location.line


def test_the_lab_and_example_plans_designate_their_unified_exits() -> None:
    for env in ("lab", "example"):
        province = load_folder(ROOT / "inventories" / env).province
        unified = {ex.code for ex in province.exits if ex.status.value == "unified"}
        assert unified and {d.exit for d in province.unified_exit_plan.designations} == unified


@pytest.mark.parametrize(("old", "new", "message", "field"), [
    ("- exit: unified-province\n", "- exit: legacy-city-a\n", "its status is legacy", f"{PLAN}.exit"),
    ("- exit: unified-province\n", "- exit: ghost-exit\n", "unknown exit 'ghost-exit'", f"{PLAN}.exit"),
    ("designated_by: lab\n", "designated_by: prov-health\n", "may not designate", f"{PLAN}.designated_by"),
    ("designated_by: lab\n", "designated_by: city-a\n", "outside its area", f"{PLAN}.designated_by"),
])
def test_a_designation_names_a_unified_exit_made_by_the_province_or_its_city(lab, old, new, message, field) -> None:
    _edit(lab / "exits.yaml", old, new)
    errors = _errors(lab)
    assert any(message in str(e) and e.location.field == field and e.location.line for e in errors), \
        [str(e) for e in errors]
