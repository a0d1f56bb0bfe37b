"""A dependency cycle in the model is reported as a real cycle, in dependency order (issue 15):
each system named depends on the next, the last on the first."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from govcloud.model import ModelErrors, load_folder

ROOT = Path(__file__).parents[3]


def _lab_with(tmp_path: Path, depends_on) -> Path:
    """A copy of the lab model whose systems depend on ``depends_on(system)`` (a system's mapping)."""
    folder = tmp_path / "lab"
    shutil.copytree(ROOT / "inventories" / "lab", folder)
    path = folder / "systems.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for system in data["systems"]:
        system["depends_on"] = depends_on(system)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return folder


def with_dependencies(tmp_path: Path, extra: dict[str, list[str]]) -> Path:
    """The lab's dependencies plus ``extra``."""
    return _lab_with(tmp_path, lambda system: list(dict.fromkeys(system.get("depends_on", [])
                                                                 + extra.get(system["code"], []))))


@pytest.mark.parametrize("extra", [
    # unified-identity -> health-records -> (e-licence ->) unified-identity; file order is ui, e-licence, hr
    {"unified-identity": ["health-records"]},
    # a longer cycle through four systems listed out of order
    {"unified-identity": ["farm-subsidies"]},
])
def test_the_printed_cycle_is_a_cycle_of_the_model(tmp_path, extra):
    folder = with_dependencies(tmp_path, extra)
    with pytest.raises(ModelErrors) as raised:
        load_folder(folder)
    match = re.search(r"dependency cycle: ([a-z0-9 ->-]+?) \(fix", str(raised.value))
    assert match, str(raised.value)
    cycle = match.group(1).split(" -> ")
    assert cycle[0] == cycle[-1] and len(cycle) >= 3
    systems = yaml.safe_load((folder / "systems.yaml").read_text(encoding="utf-8"))["systems"]
    depends = {s["code"]: set(s["depends_on"]) for s in systems}
    for system, dependency in zip(cycle, cycle[1:]):
        assert dependency in depends[system], f"{system} does not depend on {dependency}: not a cycle"


def with_exactly(tmp_path: Path, depends_on: dict[str, list[str]]) -> Path:
    """Only the dependencies ``depends_on`` gives."""
    return _lab_with(tmp_path, lambda system: depends_on.get(system["code"], []))


@pytest.mark.parametrize(("depends_on", "line"), [
    # two systems that depend on each other
    ({"unified-identity": ["e-licence"], "e-licence": ["unified-identity"]},
     "systems[0].depends_on: dependency cycle: unified-identity -> e-licence -> unified-identity"),
    # a knot of four (e-licence, health-records, school-enrolment, relief-payments) with two cycles:
    # the one through its first-listed member, e-licence, is named (a search from the knot's first
    # node in graph order, relief-payments, would find health-records -> relief-payments first)
    ({"unified-identity": ["relief-payments", "school-enrolment"], "e-licence": ["school-enrolment"],
      "health-records": ["relief-payments", "school-enrolment"], "school-enrolment": ["e-licence", "health-records"],
      "relief-payments": ["health-records"]},
     "systems[1].depends_on: dependency cycle: e-licence -> school-enrolment -> e-licence"),
    # the search starts at the first-listed member (unified-identity), not at the one first by name (e-licence)
    ({"unified-identity": ["relief-payments"], "e-licence": ["school-enrolment"],
      "school-enrolment": ["e-licence", "farm-subsidies"], "relief-payments": ["farm-subsidies", "e-licence"],
      "farm-subsidies": ["unified-identity"]},
     "systems[0].depends_on: dependency cycle: unified-identity -> relief-payments -> farm-subsidies -> unified-identity"),
    # from e-licence, the first-listed member of its knot, whatever order the knot's set holds it in
    ({"e-licence": ["relief-payments", "health-records"], "health-records": ["school-enrolment", "e-licence"],
      "school-enrolment": ["health-records"], "relief-payments": ["unified-identity", "e-licence"],
      "farm-subsidies": ["health-records", "relief-payments"]},
     "systems[1].depends_on: dependency cycle: e-licence -> relief-payments -> e-licence"),
    # a cycle found away from the search's start is still named from its first-listed member
    ({"unified-identity": ["farm-subsidies"], "e-licence": ["farm-subsidies"], "health-records": ["unified-identity"],
      "school-enrolment": ["farm-subsidies"], "relief-payments": ["farm-subsidies", "school-enrolment"],
      "farm-subsidies": ["relief-payments", "health-records"]},
     "systems[4].depends_on: dependency cycle: relief-payments -> farm-subsidies -> relief-payments"),
])
def test_a_cycle_is_named_from_the_first_listed_system_of_its_knot(tmp_path, depends_on, line):
    with pytest.raises(ModelErrors) as raised:
        load_folder(with_exactly(tmp_path, depends_on))
    assert [(e.message.split(": ", 1)[1], e.fix) for e in raised.value.errors] == [
        (line, "break the cycle: one of these systems must not depend on the next")]


def test_each_knot_is_named_by_a_cycle_of_its_own_even_when_it_depends_on_another(tmp_path):
    # unified-identity <-> e-licence, and e-licence depends on the knot health-records <-> school-enrolment
    # (listed first among its dependencies, so a search that leaves the knot would find that cycle first)
    depends_on = {"unified-identity": ["e-licence"], "e-licence": ["health-records", "unified-identity"],
                  "health-records": ["school-enrolment"], "school-enrolment": ["health-records"]}
    with pytest.raises(ModelErrors) as raised:
        load_folder(with_exactly(tmp_path, depends_on))
    assert sorted(e.message.split(": ", 1)[1] for e in raised.value.errors) == [
        "systems[0].depends_on: dependency cycle: unified-identity -> e-licence -> unified-identity",
        "systems[2].depends_on: dependency cycle: health-records -> school-enrolment -> health-records"]
