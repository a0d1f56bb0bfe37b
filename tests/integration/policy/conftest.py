"""The engine and the OpenStack lab for the policy integration tests: started when needed, never
skipped. A missing engine or a lab that cannot start fails every test here with the error's fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from govcloud.engine.locate import find_engine


@pytest.fixture(scope="session")
def engine():
    return find_engine()  # EngineError (with the fix) when there is none: a loud failure


@pytest.fixture(scope="session")
def clouds_yaml() -> Path:
    from govcloud.lab.openstack import lab_status, lab_up

    status = lab_status()
    if not status.up:
        status = lab_up()  # idempotent
    assert status.up, f"the OpenStack lab is not up: {status.not_answering}"
    assert status.clouds_yaml, "the lab wrote no clouds.yaml"
    return Path(status.clouds_yaml)
