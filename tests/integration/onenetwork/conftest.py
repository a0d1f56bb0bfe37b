"""The one-network test needs the lab's real Neutron data plane (opt-in, off for every other suite).

It asks for it in the lab instance the session runs in (GOVCLOUD_LAB_INSTANCE); the next
``lab up`` without the data plane (any other suite's) turns it off again.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="session")
def clouds_yaml() -> Path:
    from govcloud.lab.openstack import lab_up
    from govcloud.lab.openstack.from_model import lab_spec
    from govcloud.model import load_environment

    status = lab_up(replace(lab_spec(load_environment("lab", ROOT).province), data_plane=True))
    assert status.up, f"the OpenStack lab is not up with its data plane: {status.not_answering}"
    assert status.clouds_yaml, "the lab wrote no clouds.yaml"
    return Path(status.clouds_yaml)
