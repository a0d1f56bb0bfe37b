"""`lab down --purge` takes the instance's migration workload with it: its processes, namespaces
and folder (the purged state described them; left running, the next demo's wave 1 would wait on a
promoted cluster that never replays)."""

from __future__ import annotations

import subprocess
import time

import psutil
import pytest

from govcloud.lab.workload.layout import ns_prefix
from govcloud.lab.workload.namespaces import namespaces, teardown_all
from govcloud.paths import current_instance

pytestmark = pytest.mark.integration


def test_teardown_all_leaves_no_process_namespace_or_folder_of_the_workload(tmp_path):
    assert not current_instance().is_default, "the tests' own lab instance, never the user's"
    assert namespaces() == [], f"another suite left workload namespaces: {namespaces()}"
    root = tmp_path / "workload"
    (root / "s1" / "places" / "province").mkdir(parents=True)
    names = [f"{ns_prefix()}probe-{n}" for n in (1, 2)]
    sleepers = []
    for name in names:
        subprocess.run(["ip", "netns", "add", name], check=True, capture_output=True)
        sleepers.append(subprocess.Popen(["ip", "netns", "exec", name, "sleep", "600"], start_new_session=True))
    time.sleep(0.5)
    assert all(psutil.pid_exists(p.pid) for p in sleepers)

    gone = teardown_all(root)

    assert gone == {"namespaces": 2, "changed": True}
    assert namespaces() == [] and not root.exists()
    for sleeper in sleepers:
        assert sleeper.wait(timeout=10) is not None  # killed: it was to sleep 600 s
    assert teardown_all(root) == {"namespaces": 0, "changed": False}
