"""Starting a group of services: a wedged daemon is restarted, a healthy one left alone."""

from __future__ import annotations

import sys
import time

import pytest

from govcloud.lab.openstack import startup, supervisor
from govcloud.lab.openstack.statedir import OpenStackLabPaths
from govcloud.lab.openstack.supervisor import Service


@pytest.fixture
def paths(tmp_path) -> OpenStackLabPaths:
    paths = OpenStackLabPaths(tmp_path / "lab")
    paths.create()
    return paths


def _sleeper(paths: OpenStackLabPaths, wedged: bool) -> Service:
    argv = (sys.executable, "-c", "import time; time.sleep(60)", f"--config-file={paths.etc / 'svc.conf'}")
    return Service("svc", argv, probe=lambda: supervisor.running_pid(paths, "svc") is not None,
                   wedged=lambda: wedged, stop_timeout=5)


@pytest.mark.parametrize("wedged", [False, True])
def test_a_running_service_is_restarted_only_when_wedged(paths, wedged):
    service = _sleeper(paths, wedged)
    first = supervisor.start(service, paths)
    for _ in range(1000):  # until the launching shell has exec'd the daemon (its record matches)
        if supervisor.running_pid(paths, "svc"):
            break
        time.sleep(0.01)
    else:
        pytest.fail("the sleeper did not exec within 10 s")
    try:
        started = startup.bring_up(paths, [service], timeout=30)
        pid = supervisor.running_pid(paths, "svc")
        assert started == (["svc"] if wedged else [])
        assert (pid != first.pid) is wedged and pid is not None
    finally:
        supervisor.stop(paths, service)
