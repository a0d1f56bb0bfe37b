"""Golden plans: each environment's model and ledger beside the plan they must give.

Inputs are the committed environments (inventories/<env>); expected outputs live in
tests/data/ipam/<env>.plan.json. Regenerate after a deliberate change with
``GOVCLOUD_UPDATE_GOLDEN=1 pytest tests/unit/ipam/test_golden.py`` and review the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from govcloud.ipam import plan_addresses, to_json
from govcloud.model import load_folder

DATA = Path(__file__).parents[2] / "data" / "ipam"
ROOT = Path(__file__).parents[3]


@pytest.mark.parametrize("env", ["lab", "highland"])
def test_plan_from_scratch_matches_golden(env):
    environment = load_folder(ROOT / "inventories" / env)
    got = to_json(plan_addresses(environment.province))
    golden = DATA / f"{env}.plan.json"
    if os.environ.get("GOVCLOUD_UPDATE_GOLDEN"):
        golden.write_text(json.dumps(got, indent=1, ensure_ascii=False) + "\n")
    assert got == json.loads(golden.read_text())


@pytest.mark.parametrize("env", ["lab", "example", "highland"])
def test_committed_ledger_is_what_the_model_plans(env):
    """The ledger beside the model is complete: planning against it adds and releases nothing."""
    from govcloud.ipam import plan_environment

    plan = plan_environment(load_folder(ROOT / "inventories" / env))
    assert not plan.changed, f"added {plan.added[:5]} released {plan.released[:5]}: run govcloud ipam plan " \
                             f"--env {env} --write-ledger"
