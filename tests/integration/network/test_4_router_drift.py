"""Router drift on the real network lab, through the CLI an operator uses.

In a throw-away copy of the project: render the inventory, roll IPv6 out, and `govcloud drift
--routers-only` reports nothing. Then a router's FRR is changed by hand the way operators do it
(vtysh, never written to frr.conf): drift reports that router, with what would be taken out of its
running configuration (exit 3); `--fix` reruns its wave (exit 0), the hand change is gone from the
router, and a last drift run is clean. Run times are printed (figures, not assertions).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from support.projects import copy_lab_project

pytestmark = pytest.mark.integration
ROUTER = "city-a"
HAND_CHANGE = "ipv6 ospf6 cost 77"


def govcloud(project: Path, *args: str, expect: tuple[int, ...] = (0,)) -> subprocess.CompletedProcess:
    done = subprocess.run([str(Path(sys.executable).parent / "govcloud"), *args], cwd=project,
                          capture_output=True, text=True, timeout=1800)
    assert done.returncode in expect, f"{' '.join(args)} exited {done.returncode}:\n{done.stderr[-3000:]}"
    return done


def drift(project: Path, *extra: str) -> tuple[int, dict]:
    done = govcloud(project, "drift", "--env", "lab", "--routers-only", "--format", "json", *extra, expect=(0, 3))
    return done.returncode, json.loads(done.stdout)


def interface_of(lab) -> str:
    """A link interface of the router, as its running configuration names it."""
    running = lab.sh(ROUTER, "vtysh -c 'show running-config'")
    return next(line.split()[1] for line in running.splitlines() if line.startswith("interface dn"))


def test_a_hand_change_on_a_router_is_drift_and_fix_takes_it_away(lab, tmp_path):
    project = copy_lab_project(tmp_path / "project")
    govcloud(project, "inventory", "render", "--env", "lab")
    govcloud(project, "rollout", "ipv6", "--env", "lab", "--quiet")

    code, converged = drift(project)
    print(f"router drift on a freshly rolled-out lab: {converged['checked_seconds']}")
    assert code == 0 and converged["differences"] == [], converged

    interface = interface_of(lab)
    lab.sh(ROUTER, f"vtysh -c 'conf t' -c 'interface {interface}' -c '{HAND_CHANGE}'")
    assert HAND_CHANGE in lab.sh(ROUTER, "vtysh -c 'show running-config'")
    code, drifted = drift(project)
    print(f"router drift with a hand change on {ROUTER}: {drifted['checked_seconds']}")
    assert code == 3 and drifted["drifted"], drifted
    assert [d["where"] for d in drifted["differences"]] == [ROUTER], drifted["differences"]
    assert f"interface {interface}\n no {HAND_CHANGE}" in drifted["differences"][0]["summary"]

    code, fixed = drift(project, "--fix")
    print(f"router drift --fix: {fixed['checked_seconds']}")
    assert code == 0 and fixed["differences"] == [], fixed
    assert HAND_CHANGE not in lab.sh(ROUTER, "vtysh -c 'show running-config'")

    code, again = drift(project)
    assert code == 0 and again["differences"] == [], again
    in_step = json.loads((project / ".state" / "lab" / "drift.json").read_text(encoding="utf-8"))["in_step"]
    assert ROUTER in in_step
