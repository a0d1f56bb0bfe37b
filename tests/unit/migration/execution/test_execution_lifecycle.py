"""The lifecycle as data: step order, what may follow what, rollback rules."""

from __future__ import annotations

import pytest

from govcloud.errors import UsageError
from govcloud.migration.execution.lifecycle import (ROLLBACK, STEP_NAMES, Phase, advance, can_roll_back,
                                                    remaining_steps)


def test_steps_walk_the_lifecycle_in_order():
    phase = Phase.READY
    for step in STEP_NAMES:
        phase = advance(phase, step)
    assert phase is Phase.FINALIZED
    assert STEP_NAMES == ("provision", "replicate", "test", "cutover", "finalize")


@pytest.mark.parametrize(("phase", "expected"), [
    (Phase.READY, STEP_NAMES), (Phase.REPLICATING, ("test", "cutover", "finalize")),
    (Phase.CUTOVER, ("finalize",)), (Phase.FINALIZED, ()), (Phase.ROLLED_BACK, ())])
def test_remaining_steps_start_at_the_recorded_phase(phase, expected):
    assert tuple(s.name for s in remaining_steps(phase)) == expected


def test_a_step_out_of_order_is_refused_with_a_fix():
    with pytest.raises(UsageError, match="starts from phase 'tested'") as info:
        advance(Phase.PROVISIONED, "cutover")
    assert info.value.fix


def test_an_unknown_step_is_refused():
    with pytest.raises(UsageError, match="no such step"):
        advance(Phase.READY, "teleport")


@pytest.mark.parametrize("phase", [p for p in Phase if p not in (Phase.READY, Phase.ROLLED_BACK)])
def test_every_started_phase_can_roll_back(phase):
    assert can_roll_back(phase)
    assert advance(phase, ROLLBACK) is Phase.ROLLED_BACK


@pytest.mark.parametrize("phase", [Phase.READY, Phase.ROLLED_BACK])
def test_nothing_to_roll_back_before_a_start_or_twice(phase):
    with pytest.raises(UsageError, match="nothing to roll back"):
        advance(phase, ROLLBACK)


def test_users_are_on_the_cloud_only_after_the_cutover():
    assert [p for p in Phase if p.on_cloud] == [Phase.CUTOVER, Phase.FINALIZED]
