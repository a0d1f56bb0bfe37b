"""The real engine and OpenStack lab for integration tests: started when needed, never skipped.

Integration tests run in their own lab instance (``GOVCLOUD_LAB_INSTANCE``, ``test`` unless the
caller names another): their own OpenStack lab, network lab and workload namespaces, apart from
the user's lab that `make demo` deploys into, which they never see.

A missing engine or a lab that cannot start makes every test that needs them fail with the
error's fix. The lab holds what inventories/lab asks for (`govcloud lab up --env lab`); it only
grows, so a lab already up with more is used as it is."""

from __future__ import annotations

import os
from pathlib import Path

# Before anything reads it: every lab call, engine and CLI subprocess of this session uses it.
os.environ["GOVCLOUD_LAB_INSTANCE"] = os.environ.get("GOVCLOUD_LAB_INSTANCE") or "test"

import openstack  # noqa: E402
import openstack.config  # noqa: E402
import pytest  # noqa: E402

from govcloud.engine.discovery import find_engine  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that need the data plane run last: the lab turns it on once, when the first of them
    asks (a restart of Neutron and its agents), and every other suite runs on the lighter lab."""
    items.sort(key=lambda item: item.get_closest_marker("data_plane") is not None)


@pytest.fixture(scope="session")
def engine():
    return find_engine()  # EngineError (with the fix) when there is none: a loud failure


@pytest.fixture(scope="session")
def clouds_yaml() -> Path:
    from govcloud.lab.openstack import lab_up
    from govcloud.lab.openstack.from_model import lab_spec
    from govcloud.model import load_environment

    status = lab_up(lab_spec(load_environment("lab", ROOT).province))  # a no-op when already up
    assert status.up, f"the OpenStack lab is not up: {status.not_answering}"
    assert status.clouds_yaml, "the lab wrote no clouds.yaml"
    return Path(status.clouds_yaml)


def connect(clouds_yaml: Path, cloud: str, region: str | None = None) -> openstack.connection.Connection:
    """A connection to ``cloud``, in ``region`` (default: the cloud's first region)."""
    config = openstack.config.OpenStackConfig(config_files=[str(clouds_yaml)], load_envvars=False)
    return openstack.connection.Connection(config=config.get_one(cloud=cloud, region_name=region))


@pytest.fixture(scope="session")
def connector(clouds_yaml):
    return lambda cloud, region=None: connect(clouds_yaml, cloud, region)
