"""Edges of the cross-reference checks that the bad-model corpus does not reach: how close a typo
must be to get a "did you mean", and a date on the day a plan starts."""

from __future__ import annotations

from pathlib import Path

import pytest

from govcloud.model import ModelErrors, load_folder


def _edit(file: Path, old: str, new: str) -> None:
    text = file.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {file.name}"
    file.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(("typo", "fix"), [
    # fuzz.ratio 2*3/(4+6) = 60 %: the cut-off itself still suggests the code.
    ("cit9", "did you mean 'city-a'?"),
    # One letter of 'city-a': a partial match would suggest it, the plain ratio (29 %) does not.
    ("a", "define a node 'a' or use an existing code"),
])
def test_an_unknown_code_is_told_the_closest_code_from_60_percent_alike(lab_copy: Path, typo: str, fix: str) -> None:
    systems = lab_copy / "systems.yaml"
    _edit(systems, "    target_node: city-b\n", f"    target_node: {typo}\n")
    with pytest.raises(ModelErrors) as info:
        load_folder(lab_copy)
    (error,) = info.value.errors
    assert (error.location.field, error.message.split(": ", 2)[-1], error.fix) == (
        "systems[4].target_node", f"unknown node {typo!r}", fix)


def test_a_date_on_the_day_the_plan_starts_is_in_the_plan(lab_copy: Path) -> None:
    province = lab_copy / "province.yaml"
    _edit(province, "    province: 2026-09-30\n", "    province: 2026-01-01\n")
    _edit(province, "    legacy-city-a: 2027-03-31\n", "    legacy-city-a: 2026-01-01\n")
    plan = load_folder(lab_copy).province.network_plan
    assert plan.start.isoformat() == "2026-01-01"
    assert {t.value: d.isoformat() for t, d in plan.ipv6_waves.items()}["province"] == "2026-01-01"
