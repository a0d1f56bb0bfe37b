"""The data plane is opt-in: off, the lab renders and runs exactly what it did before it existed.

golden/lab_without_data_plane.json is the output of main's code before the data plane was merged
(every config file and the service plan of one fixed lab). A change to the lab that is meant to
alter it regenerates it with ``python tests/unit/lab/openstack/test_openstack_data_plane_optin.py``
(PYTHONPATH=src) and shows the diff in review.
"""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path

from govcloud.lab.openstack import api, dataplane, prerequisites, records
from govcloud.lab.openstack.config import rendered_files
from govcloud.lab.openstack.daemons import plan_services
from govcloud.lab.openstack.labspec import ComputeHost, OpenStackLabSpec, spec_from_json, spec_to_json
from govcloud.lab.openstack.statedir import ACCOUNTS, OpenStackLabPaths
from govcloud.lab.openstack.supervisor import Service
from govcloud.paths import LabInstance

GOLDEN = Path(__file__).with_name("golden") / "lab_without_data_plane.json"
ROOT = Path("/srv/govcloud-lab")
SPEC = OpenStackLabSpec(regions=("RegionOne", "RegionTwo"),
                        compute_hosts=(ComputeHost("compute1"), ComputeHost("compute2", "az2")))
SECRETS = {name: f"secret-{name}" for name in ACCOUNTS}


def _service(service: Service) -> dict[str, object]:
    # The probe is a closure (not comparable); everything else that decides how it runs is here.
    return {"name": service.name, "argv": list(service.argv), "env": dict(service.env), "ports": list(service.ports),
            "after": list(service.after), "configs": [str(c) for c in service.configs],
            "stop_timeout": service.stop_timeout}


def render(spec: OpenStackLabSpec) -> dict[str, object]:
    paths = OpenStackLabPaths(ROOT)
    files = {str(path.relative_to(ROOT)): text for path, text in rendered_files(paths, spec, SECRETS).items()}
    plan = plan_services(paths, spec)
    return {"files": files, "core": [_service(s) for s in plan.core], "workers": [_service(s) for s in plan.workers]}


def test_without_the_data_plane_every_config_and_the_service_plan_are_mains():
    golden = json.loads(GOLDEN.read_text())
    now = render(SPEC)
    assert sorted(now["files"]) == sorted(golden["files"])
    for name, text in golden["files"].items():
        assert now["files"][name] == text, f"{name} differs from main's"
    assert now["core"] == golden["core"]
    assert now["workers"] == golden["workers"]


def test_the_default_spec_has_no_data_plane_and_records_as_before():
    assert OpenStackLabSpec().data_plane is False
    assert "data_plane" not in spec_to_json(SPEC)  # a warm lab keeps its record and seed fingerprint
    on = replace(SPEC, data_plane=True)
    assert spec_from_json(spec_to_json(on)) == on and on.fingerprint() != SPEC.fingerprint()


def test_with_the_data_plane_the_agents_relays_and_their_configs_appear():
    paths = OpenStackLabPaths(ROOT)
    off, on = render(SPEC), render(replace(SPEC, data_plane=True))
    names = [s["name"] for s in on["workers"]]
    agents = {agent.name for agent in dataplane.agents(paths, SPEC.bgp_agents)}
    assert agents <= set(names) and not agents & {s["name"] for s in off["workers"]}
    relays = {dataplane.RELAY_OUT, dataplane.RELAY_IN}
    assert relays <= {s["name"] for s in on["core"]} and not relays & {s["name"] for s in off["core"]}
    agent_files = {str(agent.config.relative_to(ROOT)) for agent in dataplane.agents(paths, SPEC.bgp_agents)}
    assert agent_files <= set(on["files"]) and not agent_files & set(off["files"])
    ml2 = on["files"]["etc/neutron/ml2_conf.ini"]
    assert "mechanism_drivers = linuxbridge,openvswitch" in ml2 and "tenant_network_types = local" in ml2
    neutron = on["files"]["etc/neutron/neutron.conf"]
    assert "service_plugins = router,qos,trunk,port_forwarding,bgp" in neutron
    assert "dhcp_agent_notification = true" in neutron and "linuxbridge = true" in neutron
    # Every config an agent reads is one the lab renders.
    for service in on["workers"] + on["core"]:
        assert set(service["configs"]) <= {str(ROOT / name) for name in on["files"]}, service["name"]


def test_the_bgp_agents_count_is_recorded_with_the_data_plane_only_and_set_by_each_lab_up():
    assert "bgp_agents" not in spec_to_json(replace(SPEC, bgp_agents=6))  # off: recorded as before
    six = replace(SPEC, data_plane=True, bgp_agents=6)
    assert spec_from_json(spec_to_json(six)) == six and six.fingerprint() != replace(six, bgp_agents=2).fingerprint()
    two = replace(six, bgp_agents=2)
    assert not six.covers(two) and six.merged_with(two).bgp_agents == 2


def test_a_lab_up_without_the_data_plane_turns_it_off():
    on = replace(SPEC, data_plane=True)
    assert not on.covers(SPEC) and not SPEC.covers(on)
    assert on.merged_with(SPEC).data_plane is False and SPEC.merged_with(on).data_plane is True


def test_preflight_asks_for_the_agents_packages_only_with_the_data_plane(monkeypatch):
    monkeypatch.setattr(prerequisites, "REQUIRED_FILES", {})
    monkeypatch.setattr(prerequisites, "DATA_PLANE_FILES", {"/nonexistent/neutron-l3-agent": "neutron-l3-agent"})
    assert prerequisites.missing_packages() == []
    assert prerequisites.missing_packages(data_plane=True) == ["neutron-l3-agent"]


def _down_calls(monkeypatch, tmp_path, spec: OpenStackLabSpec) -> list[str]:
    """The data-plane steps lab_down takes for a lab recorded with ``spec`` (nothing really stops)."""
    # An instance no lab on this machine uses: its agents' namespace cannot exist.
    paths = OpenStackLabPaths(tmp_path / "lab", instance=LabInstance("optin-unit", 97))
    paths.create()
    records.record_spec(paths, spec)
    calls: list[str] = []
    monkeypatch.setattr(api, "lab_paths_from_env", lambda: paths)
    monkeypatch.setattr(api, "_object_store_down", lambda purge: None)
    monkeypatch.setattr(api.startup, "bring_down", lambda *args: calls.append("bring_down"))
    monkeypatch.setattr(api.database, "router_and_network_ids", lambda p: calls.append("ids") or set())
    monkeypatch.setattr(api.dataplane, "remove_namespaces", lambda p, ids: calls.append("remove_namespaces") or [])
    api.lab_down()
    return calls


def test_lab_down_skips_the_data_plane_cleanup_for_a_lab_without_it(monkeypatch, tmp_path):
    assert _down_calls(monkeypatch, tmp_path, SPEC) == ["bring_down"]  # no SQL query, no namespace scan
    assert _down_calls(monkeypatch, tmp_path, replace(SPEC, data_plane=True)) == [
        "ids", "bring_down", "remove_namespaces"]


if __name__ == "__main__":  # regenerate the golden file (see the module docstring)
    GOLDEN.write_text(json.dumps(render(SPEC), indent=1, sort_keys=True))
    sys.exit(0)
