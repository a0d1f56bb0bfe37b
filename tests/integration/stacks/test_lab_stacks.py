"""Issue 4 on the lab: `govcloud up --env lab --all` creates the province and both city stacks
exactly as the model says (checked with openstacksdk); a second `up` changes nothing; one more
department adds exactly its resources; `destroy --all` leaves nothing behind.

The stacks run from a throw-away copy of the project (support.projects) against a throw-away
file backend in tmp_path; the extra department is added to the copy's departments.yaml, so the
repository's model is never touched.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from govcloud.ipam import plan_environment
from govcloud.lab.openstack import ADMIN_CLOUD
from govcloud.model import load_environment
from govcloud.stackgraph import plan_stacks
from govcloud.stackgraph import tokens as t
from support.projects import copy_lab_project

pytestmark = pytest.mark.integration

EXTRA = {"code": "city-b-water", "name": "乙市水利局", "tier": "city", "node": "city-b", "site": "city-b",
         "quotas": {"routers": 3}}
QUOTA_KEYS = {"compute": ("instances", "cores", "ram", "key_pairs"), "network": ("network", "subnet", "port", "router"),
              "volume": ("volumes", "gigabytes", "snapshots")}


def govcloud(*args: str, project: Path, backend: str, clouds_yaml: Path) -> dict:
    command = [str(Path(sys.executable).parent / "govcloud"), *args, "--env", "lab", "--format", "json",
               "--backend", backend, "--clouds-yaml", str(clouds_yaml)]
    done = subprocess.run(command, cwd=project, capture_output=True, text=True, timeout=3600)
    assert done.returncode == 0, f"{' '.join(args)} failed:\n{done.stderr[-4000:]}"
    return json.loads(done.stdout)


def changed(result: dict) -> dict[str, dict[str, int]]:
    return {s["stack"]: {k: n for k, n in s["changes"].items() if k != "same" and n} for s in result["stacks"]}


def _quotas(conn, project_id: str) -> dict[str, dict[str, int]]:
    compute = conn.compute.get_quota_set(project_id)
    network = conn.network.get_quota(project_id)
    volume = conn.block_storage.get_quota_set(project_id)
    return {"compute": {k: getattr(compute, k) for k in QUOTA_KEYS["compute"]},
            "network": {k: getattr(network, {"network": "networks", "subnet": "subnets", "port": "ports",
                                              "router": "routers"}[k]) for k in QUOTA_KEYS["network"]},
            "volume": {k: getattr(volume, k) for k in QUOTA_KEYS["volume"]}}


def check_cloud_matches_model(conn, project: Path) -> int:
    """Every department's project, quotas, networks, subnets, router and security groups, and the
    unified exit, as the offline plan of ``project``'s lab model says. Returns the number of
    departments checked."""
    environment = load_environment("lab", project)
    graphs = plan_stacks(environment.province, plan_environment(environment), environment.name)
    specs = {r.name: r for g in graphs for r in g.resources}
    default_quotas = _quotas(conn, conn.identity.find_project("demo").id)
    for dept in environment.province.departments:
        project = conn.identity.find_project(dept.code)
        assert project is not None, dept.code
        assert {f"dept:{dept.code}", f"mlps:{dept.mlps_level.value}", "govcloud:managed"} <= set(project.tags)
        quotas = _quotas(conn, project.id)
        named = {spec.type: spec.inputs for spec in specs.values()
                 if spec.parent == dept.code and spec.type in (t.COMPUTE_QUOTA, t.NETWORK_QUOTA, t.VOLUME_QUOTA)}
        for service, token in (("compute", t.COMPUTE_QUOTA), ("network", t.NETWORK_QUOTA), ("volume", t.VOLUME_QUOTA)):
            for key, value in quotas[service].items():
                want = named.get(token, {}).get(key)
                # A quota the model names has its value; one it does not name keeps the default.
                assert value == (want if want is not None else default_quotas[service][key]), (dept.code, key)
        routers = [r for r in conn.network.routers(project_id=project.id)]
        assert {r.name for r in routers} == {s.inputs["name"] for s in specs.values()
                                             if s.parent == dept.code and s.type == t.ROUTER}
        assert not any(r.external_gateway_info for r in routers)
        interface_subnets = {ip["subnet_id"] for r in routers for p in conn.network.ports(device_id=r.id)
                             for ip in p.fixed_ips}
        for net in dept.networks:
            network = conn.network.find_network(f"{dept.code}-{net.name}", project_id=project.id)
            assert network is not None
            subnets = {s.ip_version: s for s in conn.network.subnets(network_id=network.id)}
            assert subnets[4].cidr == specs[f"{dept.code}-{net.name}-v4"].inputs["cidr"]
            assert subnets[6].cidr == specs[f"{dept.code}-{net.name}-v6"].inputs["cidr"]
            assert subnets[6].ipv6_ra_mode == subnets[6].ipv6_address_mode == net.ipv6_mode.value
            assert subnets[4].subnet_pool_id and subnets[6].subnet_pool_id
            assert {subnets[4].id, subnets[6].id} <= interface_subnets
        for group in ("baseline", "mgmt"):
            assert conn.network.find_security_group(f"{dept.code}-{group}", project_id=project.id) is not None
    gateways = [r.name for r in conn.network.routers() if r.external_gateway_info]
    unified = [f"{e.code}-router" for e in environment.province.exits if e.status.value == "unified"]
    assert sorted(n for n in gateways if n.endswith("-router") and "smoke" not in n) == sorted(unified)
    return len(environment.province.departments)


def managed_leftovers(conn) -> list[str]:
    left = [f"project {p.name}" for p in conn.identity.projects() if "govcloud:managed" in (p.tags or [])]
    left += [f"network {n.name}" for n in conn.network.networks(tags="govcloud:managed")
             if not n.name.startswith("smoke-")]
    left += [f"router {r.name}" for r in conn.network.routers(tags="govcloud:managed")
             if not r.name.startswith("smoke-")]
    left += [f"pool {p.name}" for p in conn.network.subnet_pools(tags="govcloud:managed")]
    left += [f"volume {v.name}" for v in conn.block_storage.volumes(all_projects=True)
             if (v.metadata or {}).get("govcloud") == "managed"]
    return left


def test_lab_stacks_up_again_grow_and_destroy(tmp_path, engine, clouds_yaml, connector):
    conn = connector(ADMIN_CLOUD)
    project = copy_lab_project(tmp_path / "project")
    departments = project / "inventories" / "lab" / "departments.yaml"
    backend = (tmp_path / "state").as_uri()
    (tmp_path / "state").mkdir()
    run = lambda *args: govcloud(*args, project=project, backend=backend, clouds_yaml=clouds_yaml)  # noqa: E731
    try:
        first = run("up", "--all")
        assert [s["stack"] for s in first["stacks"]] == ["lab-province", "lab-city-a", "lab-city-b"]
        assert all(s["changes"]["create"] > 0 for s in first["stacks"])
        assert check_cloud_matches_model(conn, project) == 5

        second = run("up", "--all")
        assert changed(second) == {"lab-province": {}, "lab-city-a": {}, "lab-city-b": {}}

        data = yaml.safe_load(departments.read_text(encoding="utf-8"))
        data["departments"].append(EXTRA)
        departments.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        environment = load_environment("lab", project)
        graph = next(g for g in plan_stacks(environment.province, plan_environment(environment), "lab")
                     if g.stack == "lab-city-b")
        expected = sum(1 for r in graph.resources if r.name.startswith("city-b-water"))
        grown = run("up", "--all")
        assert changed(grown) == {"lab-province": {}, "lab-city-a": {}, "lab-city-b": {"create": expected}}
        assert check_cloud_matches_model(conn, project) == 6
    finally:
        run("destroy", "--all")
    assert managed_leftovers(conn) == []
