"""The committed plans (migrations/lab, migrations/example) were reviewed as `migrate plan` wrote
them: planning the same model from the same start again gives the same waves, field for field
(systems, nodes, DR design, budgets, owners, checklists, windows, file names), and so the same seals.

A deliberate change to a model or to the planner re-plans: ``govcloud migrate plan --env <env>
--start <first window's date>``, and the diff of the wave files is reviewed with the change.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from govcloud.migration.planner import PlanSettings, plan_waves
from govcloud.migration.store import read_plan
from govcloud.model import load_environment


@pytest.mark.parametrize("env", ["lab", "example"])
def test_the_committed_plan_is_what_the_planner_makes_of_the_model(project_root: Path, env: str):
    committed = read_plan(project_root / "migrations" / env)
    province = load_environment(env, project_root).province
    start = committed[0].wave.window.start.date()
    planned = plan_waves(province, [], PlanSettings(start=start)).planned
    assert [w.file_name for w in planned] == [lw.path.name for lw in committed]
    for loaded, wave in zip(committed, planned):
        assert wave == loaded.wave, (f"migrations/{env}/{loaded.path.name} differs from the plan of the model: "
                                     f"re-plan with govcloud migrate plan --env {env} --start {start} and review")
