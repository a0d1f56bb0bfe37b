"""Golden plans: every resource the lab's stacks create (URN, type, name, inputs, parent,
dependencies), the stacks' exports and their summaries, as ``govcloud plan --offline`` lists them
(:func:`govcloud.stackgraph.listing.graph_to_json`), one file per stack in tests/data/stackgraph/lab.

Any change to what the stacks build shows here as a diff to review. Regenerate after a deliberate
change with ``GOVCLOUD_UPDATE_GOLDEN=1 pytest <this file>`` and review the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from govcloud.ipam import plan_environment
from govcloud.model import load_environment
from govcloud.stackgraph import plan_stacks, stack_names
from govcloud.stackgraph.listing import graph_to_json

ROOT = Path(__file__).resolve().parents[3]
GOLDEN = ROOT / "tests" / "data" / "stackgraph" / "lab"


# Built for each test (a few ms): mutation testing (mutmut) credits a function to the test during which
# it ran, so a module-wide fixture would credit the whole plan to the first test alone.
@pytest.fixture
def graphs():
    environment = load_environment("lab", ROOT)
    return {g.stack: g for g in plan_stacks(environment.province, plan_environment(environment), "lab")}


@pytest.mark.parametrize("stack", ["lab-province", "lab-city-a", "lab-city-b"])
def test_the_lab_stack_builds_what_its_golden_plan_lists(graphs, stack):
    text = json.dumps(graph_to_json(graphs[stack]), indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    golden = GOLDEN / f"{stack}.json"
    if os.environ.get("GOVCLOUD_UPDATE_GOLDEN"):
        golden.write_text(text, encoding="utf-8")
    expected = golden.read_text(encoding="utf-8")
    assert text == expected, f"the plan of {stack} differs from {golden.relative_to(ROOT)} (regenerate and review)"


def test_the_golden_plans_are_the_lab_s_stacks(graphs):
    assert sorted(p.stem for p in GOLDEN.glob("*.json")) == sorted(graphs) == sorted(
        stack_names(load_environment("lab", ROOT).province, "lab"))
