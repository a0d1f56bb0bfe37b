"""The OpenStack lab for integration tests: started once per session, never skipped.

If the lab cannot start, every test that needs it fails with the lab's own error (which says
how to fix it): a silently skipped integration suite would look green and prove nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import openstack
import pytest
from openstack.connection import Connection

from govcloud.errors import LabError
from govcloud.lab.openstack import (
    ADMIN_CLOUD,
    TENANT_CLOUD,
    LabStatus,
    OpenStackLabSpec,
    default_spec,
    lab_spec_in_use,
    lab_up,
)


@pytest.fixture(scope="session")
def lab_spec() -> OpenStackLabSpec:
    """The default spec, unless the lab was already built with another (``govcloud lab up``
    builds it from the model): tests must not reshape a lab others are using."""
    return lab_spec_in_use() or default_spec()


@pytest.fixture(scope="session")
def openstack_lab(lab_spec: OpenStackLabSpec) -> Iterator[LabStatus]:
    """The running lab; its clouds.yaml is what openstacksdk reads."""
    try:
        status = lab_up(lab_spec)
    except LabError as error:
        pytest.fail(f"the OpenStack lab did not start: {error}", pytrace=False)
    if not status.up or status.clouds_yaml is None:
        pytest.fail(f"the OpenStack lab is not answering: {status.summary()}", pytrace=False)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("OS_CLIENT_CONFIG_FILE", status.clouds_yaml)
        yield status


@pytest.fixture(scope="session")
def admin_conn(openstack_lab: LabStatus) -> Iterator[Connection]:
    conn = openstack.connect(cloud=ADMIN_CLOUD)
    yield conn
    conn.close()


@pytest.fixture(scope="session")
def tenant_conn(openstack_lab: LabStatus) -> Iterator[Connection]:
    conn = openstack.connect(cloud=TENANT_CLOUD)
    yield conn
    conn.close()


@pytest.fixture
def cleanup() -> Iterator[Callable[[Callable[[], object]], None]]:
    """Register undo steps; they run in reverse order even when the test fails."""
    steps: list[Callable[[], object]] = []
    yield steps.append
    errors = []
    for step in reversed(steps):
        try:
            step()
        except openstack.exceptions.NotFoundException:
            pass  # already gone (the test deleted it itself)
        except openstack.exceptions.SDKException as error:
            errors.append(error)
    if errors:
        pytest.fail(f"cleanup failed: {errors}", pytrace=False)
