"""Shapes a real province has are accepted through the CLI (issue 13): several provincial nodes,
one at a city's site serving cities, DR pairs between provincial nodes, cities without counties,
villages under any township, horizontal units at every tier. Each validates and plans against the
committed ledger without releasing or moving any allocation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from govcloud.ipam import load_ledger

from support.cli import cli_runner
from support.model_edits import apply_edits

CASES = yaml.safe_load((Path(__file__).parents[2] / "data" / "good_models" / "shapes.yaml").read_text())


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_a_real_shape_validates_and_plans_without_renumbering(case, lab_copy, project_root, monkeypatch, capsys):
    run = cli_runner(monkeypatch, capsys)
    for edit in case["edits"]:
        apply_edits(edit, lab_copy)
    validated = run("validate", "--env", str(lab_copy))
    assert validated.code == 0, validated.err
    planned = run("ipam", "plan", "--env", str(lab_copy), "--format", "json", "--write-ledger")
    assert planned.code == 0, planned.err
    result = json.loads(planned.out)
    assert result["added"] and not result["released"], result
    before = load_ledger(project_root / "inventories" / "lab").allocations
    after = load_ledger(lab_copy).allocations
    assert {key: after[key].prefix for key in before} == {key: a.prefix for key, a in before.items()}
