"""Runs of an environment with an operated node: the operators' stack after its base (and before
it for destroy), with its own cloud; ``--changed`` refused on it before anything starts."""

from __future__ import annotations

import pytest

from govcloud.engine.automation import Operation, ordered, run
from govcloud.engine.settings import EngineSettings
from govcloud.errors import UsageError
from govcloud.model import load_folder
from govcloud.stackgraph import stack_names
from support.operated import declare_operators


@pytest.fixture
def environment(lab_copy):
    declare_operators(lab_copy, "city-a", users=("city-a-ops",), cloud="lab-city-a-ops")
    return load_folder(lab_copy, name="lab")


def test_the_operators_stack_runs_after_its_base_and_is_destroyed_before_it(environment):
    names = stack_names(environment.province, "lab")
    assert ordered(Operation.UP, ["lab-city-a", "lab-city-a-base"], names) == ["lab-city-a-base", "lab-city-a"]
    assert ordered(Operation.DESTROY, names, names) == ["lab-city-a", "lab-city-b", "lab-city-a-base",
                                                         "lab-province"]


def test_changed_is_refused_on_an_operators_stack_before_anything_runs(environment, tmp_path):
    settings = EngineSettings(project_root=tmp_path, changed_only=True, clouds_yaml=tmp_path / "none.yaml")
    with pytest.raises(UsageError) as refused:
        run(Operation.UP, environment, ["lab-city-a"], settings)
    assert "--changed cannot target lab-city-a" in refused.value.message and "without --changed" in refused.value.fix
    assert not (tmp_path / ".state").exists()  # no lease taken, no state touched


def test_a_run_without_the_operators_login_says_whose_stack_it_is(environment, tmp_path):
    """The provincial team's `up --all` with their own clouds.yaml: refused before anything runs,
    naming the operators' stack and what to do, not only the missing cloud."""
    clouds = tmp_path / "clouds.yaml"
    clouds.write_text("clouds:\n  govcloud-lab-admin:\n    auth: {auth_url: 'http://127.0.0.1:9', username: admin}\n")
    settings = EngineSettings(project_root=tmp_path, clouds_yaml=clouds)
    with pytest.raises(UsageError) as refused:
        run(Operation.UP, environment, stack_names(environment.province, "lab"), settings)
    assert refused.value.message.startswith(
        "lab-city-a is run by node city-a's operators with their cloud 'lab-city-a-ops': cloud 'lab-city-a-ops' is not in")
    assert "--stack" in refused.value.fix and "'lab-city-a-ops'" in refused.value.fix
    assert not (tmp_path / ".state").exists()
