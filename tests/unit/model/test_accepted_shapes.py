"""Shapes a real province has are accepted through the CLI (issue 13): several provincial nodes,
one at a city's site serving cities, DR pairs between provincial nodes, cities without counties,
villages under any township, horizontal units at every tier. Each validates and plans against the
committed ledger without releasing or moving any allocation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from govcloud import cli
from govcloud.ipam import load_ledger

from support.model_edits import apply_edits

CASES = yaml.safe_load((Path(__file__).parents[2] / "data" / "good_models" / "shapes.yaml").read_text())


def run(args: list[str], capsys) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(args)
    captured = capsys.readouterr()
    return exit_info.value.code, captured.out, captured.err


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_a_real_shape_validates_and_plans_without_renumbering(case, lab_copy, capsys):
    for edit in case["edits"]:
        apply_edits(edit, lab_copy)
    code, _, err = run(["validate", "--env", str(lab_copy)], capsys)
    assert code == 0, err
    code, out, err = run(["ipam", "plan", "--env", str(lab_copy), "--format", "json", "--write-ledger"], capsys)
    assert code == 0, err
    result = json.loads(out)
    assert result["added"] and not result["released"], result
    before = load_ledger(Path(cli.__file__).parents[2] / "inventories" / "lab").allocations
    after = load_ledger(lab_copy).allocations
    assert {key: after[key].prefix for key in before} == {key: a.prefix for key, a in before.items()}
