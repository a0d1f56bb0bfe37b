"""Drift on the real lab: `up` lab-province; a converged lab has no drift (0 false positives);
a security-group rule changed by hand with openstacksdk is reported as drift and as the rule it
breaks (with its clauses); `drift --fix` brings it back through adopt + refresh + up (under the
stack's lease: a run holding it refuses the fix, naming the holder); a second drift reports
nothing. A department router's gateway moved by hand from the transit to the internet-facing
network is drift and breaks the exit rules (the state's reference no longer holds); --fix moves it
back. The state is exported, verified and imported back on the way.

Runs on a throw-away copy of the project with its own file backend (support.projects); the
stack is destroyed at the end. Drift run times are printed (figures, not assertions).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from govcloud.lab.openstack import ADMIN_CLOUD
from support.projects import copy_lab_project

from drift_handmade import (SEC_GROUP_RULE, department_router_on_transit, managed_ingress_rule, move_gateway_to,
                            open_rule_to_the_world)

pytestmark = pytest.mark.integration
STACK = "lab-province"


class Project:
    def __init__(self, root: Path, backend: Path, clouds_yaml: Path) -> None:
        self.root, self.backend, self.clouds_yaml = root, backend, clouds_yaml

    def govcloud(self, *args: str, engine: bool = True, backend: bool = True,
                 expect: tuple[int, ...] = (0,)) -> subprocess.CompletedProcess:
        extra = (["--backend", self.backend.as_uri()] if backend else []) + \
            (["--clouds-yaml", str(self.clouds_yaml)] if engine else [])
        done = subprocess.run([str(Path(sys.executable).parent / "govcloud"), *args, *extra], cwd=self.root,
                              capture_output=True, text=True, timeout=3600)
        assert done.returncode in expect, f"{' '.join(args)} exited {done.returncode}:\n{done.stderr[-4000:]}"
        return done

    def drift(self, *extra: str, expect: tuple[int, ...] = (0, 3)) -> tuple[int, dict]:
        done = self.govcloud("drift", "--env", "lab", "--stack", STACK, "--format", "json", *extra, expect=expect)
        return done.returncode, json.loads(done.stdout)


@pytest.fixture(scope="module")
def deployed(engine, clouds_yaml, tmp_path_factory):
    base = tmp_path_factory.mktemp("drift")
    backend = base / "state"
    backend.mkdir()
    project = Project(copy_lab_project(base / "project"), backend, clouds_yaml)
    project.govcloud("up", "--env", "lab", "--stack", STACK, "--format", "json")
    yield project
    project.govcloud("destroy", "--env", "lab", "--stack", STACK, "--format", "json")


def test_state_exports_verifies_and_imports_back(deployed, tmp_path):
    backup = tmp_path / "lab-province.json"
    deployed.govcloud("state", "export", "--env", "lab", "--stack", STACK, "--output", str(backup), engine=False)
    verified = json.loads(deployed.govcloud("state", "verify", str(backup), "--json", engine=False,
                                                   backend=False).stdout)
    assert verified["stack"] == STACK and verified["resources"] > 50
    deployed.govcloud("state", "import", str(backup), "--env", "lab", "--stack", STACK, engine=False)
    again = tmp_path / "again.json"
    deployed.govcloud("state", "export", "--env", "lab", "--stack", STACK, "--output", str(again), engine=False)
    assert json.loads(again.read_text())["deployment"]["resources"] == json.loads(backup.read_text())["deployment"][
        "resources"]


def test_drift_reports_a_hand_made_rule_and_the_rule_it_breaks_and_fix_restores_it(deployed, connector, tmp_path):
    code, converged = deployed.drift()
    print(f"drift on a converged lab-province: {converged['checked_seconds']}")
    assert code == 0 and converged["differences"] == [] and converged["findings"] == [], converged

    backup = tmp_path / "before.json"
    deployed.govcloud("state", "export", "--env", "lab", "--stack", STACK, "--output", str(backup), engine=False)
    resources = json.loads(backup.read_text())["deployment"]["resources"]
    rule = managed_ingress_rule(resources)
    conn = connector(ADMIN_CLOUD)
    handmade = open_rule_to_the_world(conn, rule)

    code, drifted = deployed.drift()
    print(f"drift with a hand-made rule: {drifted['checked_seconds']}")
    assert code == 3
    changes = {(d["change"], d["what"].rsplit("::", 1)[-1].split("-unmanaged-")[-1]) for d in drifted["differences"]}
    assert changes == {("gone", rule["urn"].rsplit("::", 1)[-1]), ("unmanaged", handmade)}
    broken = {f["rule"]: f for f in drifted["findings"]}
    assert "GOV-SG-001" in broken and "::/0" in broken["GOV-SG-001"]["message"]
    assert broken["GOV-SG-001"]["clauses"] and broken["GOV-SG-001"]["type"] == SEC_GROUP_RULE

    code, fixed = deployed.drift("--fix")
    assert code == 0 and fixed["differences"] == [] and fixed["findings"] == [], fixed
    live = list(conn.network.security_group_rules(security_group_id=rule["outputs"]["securityGroupId"]))
    assert handmade not in {r.id for r in live}
    assert rule["outputs"]["remoteIpPrefix"] in {r.remote_ip_prefix for r in live}

    code, again = deployed.drift()
    print(f"drift after the fix: {again['checked_seconds']}")
    assert code == 0 and again["differences"] == [] and again["findings"] == []


def test_a_department_gateway_moved_to_the_internet_is_drift_and_breaks_the_exit_rules(deployed, connector,
                                                                                       tmp_path):
    backup = tmp_path / "before.json"
    deployed.govcloud("state", "export", "--env", "lab", "--stack", STACK, "--output", str(backup), engine=False)
    router = department_router_on_transit(json.loads(backup.read_text())["deployment"]["resources"])
    transit = router["outputs"]["externalNetworkId"]
    conn = connector(ADMIN_CLOUD)
    public = move_gateway_to(conn, router, "public")

    code, drifted = deployed.drift()
    print(f"drift with a department gateway moved to the internet: {drifted['checked_seconds']}")
    assert code == 3
    moved = [d for d in drifted["differences"] if d["what"] == router["urn"]]
    assert moved and moved[0]["change"] == "changed", drifted["differences"]
    assert {"key": "externalNetworkId", "deployed": transit, "live": public} in [
        {k: p[k] for k in ("key", "deployed", "live")} for p in moved[0]["properties"]]
    broken = {f["rule"]: f for f in drifted["findings"] if f["urn"] == router["urn"]}
    assert {"GOV-EXIT-001", "GOV-XNET-001"} <= set(broken), drifted["findings"]
    assert all(f["clauses"] for f in broken.values())

    # The fix takes the stack's lease like up: another run holding it is named, and nothing changes.
    lease = deployed.backend / ".govcloud" / "leases" / f"govcloud.{STACK}.json"
    lease.parent.mkdir(parents=True, exist_ok=True)
    lease.write_text(json.dumps({"user": "carol", "host": "ops-9", "pid": 4242, "command": "govcloud up",
                                 "working_copy": "/srv/carol/govcloud", "since": "2026-12-06T10:00:00+00:00",
                                 "expires": "2999-01-01T00:00:00+00:00"}))
    refused = deployed.govcloud("drift", "--env", "lab", "--stack", STACK, "--fix", expect=(1,))
    assert "locked by carol@ops-9" in refused.stderr.replace("\n", " ")
    assert conn.network.get_router(router["id"]).external_gateway_info["network_id"] == public
    deployed.govcloud("state", "unlock", "--env", "lab", "--stack", STACK, engine=False)

    code, fixed = deployed.drift("--fix")
    assert code == 0 and fixed["differences"] == [] and fixed["findings"] == [], fixed
    assert conn.network.get_router(router["id"]).external_gateway_info["network_id"] == transit
