"""The real lab and engine for integration tests: started when needed, never skipped.

A missing engine or a lab that cannot start makes every test here fail with the error's fix."""

from __future__ import annotations

from pathlib import Path

import openstack
import openstack.config
import pytest

from govcloud.engine.locate import find_engine


@pytest.fixture(scope="session")
def engine():
    return find_engine()  # EngineError (with the fix) when there is none: a loud failure


def lab_regions() -> tuple[str, ...]:
    """The regions of the lab province's nodes, the province's first (aliases in the lab)."""
    from govcloud.model import load_environment

    province = load_environment("lab", Path(__file__).resolve().parents[3]).province
    nodes = sorted(province.nodes, key=lambda n: n.kind.value != "province")
    return tuple(dict.fromkeys(n.region for n in nodes))


@pytest.fixture(scope="session")
def clouds_yaml() -> Path:
    from dataclasses import replace

    from govcloud.lab.openstack import default_spec, lab_status, lab_up

    status = lab_status()
    if not (status.up and set(lab_regions()) <= set(status.regions)):
        # Start it (idempotent), or reseed it with the model's regions when it lacks some.
        status = lab_up(replace(default_spec(), regions=lab_regions()))
    assert status.up, f"the OpenStack lab is not up: {status.not_answering}"
    assert status.clouds_yaml, "the lab wrote no clouds.yaml"
    return Path(status.clouds_yaml)


def connect(clouds_yaml: Path, cloud: str) -> openstack.connection.Connection:
    region = openstack.config.OpenStackConfig(config_files=[str(clouds_yaml)], load_envvars=False).get_one(cloud=cloud)
    return openstack.connection.Connection(config=region)


@pytest.fixture(scope="session")
def connector(clouds_yaml):
    return lambda cloud: connect(clouds_yaml, cloud)
