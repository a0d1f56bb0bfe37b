"""One problem type for every kind of bad input, and one translator of pydantic's errors to it."""

from __future__ import annotations

from enum import Enum
from pathlib import Path

import pytest
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from govcloud.problems import Problem, pydantic_problem


class Colour(Enum):
    RED = "red"


class Entry(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str
    colour: Colour = Colour.RED
    count: int = Field(default=1, ge=1)


class Doc(BaseModel):
    entries: list[Entry]


def problems_of(data: dict) -> list[Problem]:
    with pytest.raises(ValidationError) as raised:
        Doc.model_validate(data)
    return [pydantic_problem(err, file=Path("doc.yaml")) for err in raised.value.errors()]


@pytest.mark.parametrize("entry, path, fix", [
    ({}, ("entries", 0, "code"), "add the field 'code'"),
    ({"code": "a", "colur": "red"}, ("entries", 0, "colur"), "remove 'colur' or correct its spelling"),
    ({"code": "a", "colour": "blue"}, ("entries", 0, "colour"), "use one of 'red'"),
    ({"code": "a", "count": "x"}, ("entries", 0, "count"), "write a whole number"),
    ({"code": "a", "count": 0}, ("entries", 0, "count"), "write a number in the allowed range (>= 1)"),
])
def test_a_pydantic_error_becomes_a_problem_at_its_field_with_a_fix(entry, path, fix):
    [problem] = problems_of({"entries": [entry]})
    assert (problem.path, problem.fix, problem.file) == (path, fix, Path("doc.yaml"))


def test_a_problem_is_located_in_its_file_and_says_where_who_what_and_the_fix(tmp_path):
    file = tmp_path / "wave.yaml"
    file.write_text("wave: 1\nsystems:\n  - code: a\n  - code: b\n", encoding="utf-8")
    problem = Problem(("systems", 1, "code"), "no such system", "remove it", file=file, system="b").located()
    assert problem.line == 4
    assert str(problem) == f"{file}:4: systems[1].code: system 'b': no such system (fix: remove it)"


def test_the_model_the_migration_plan_and_the_ledger_report_the_same_type():
    from govcloud.ipam.ledger import ledger_problems
    from govcloud.migration import findings, validation
    from govcloud.model import province

    assert province.Problem is Problem
    assert validation.Problem is Problem and findings.Problem is Problem
    assert ledger_problems([], {}) == []
    assert ledger_problems.__annotations__["return"] == "list[Problem]"
