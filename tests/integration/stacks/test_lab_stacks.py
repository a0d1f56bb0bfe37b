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

from netaddr import IPNetwork

from govcloud.ipam import plan_environment
from govcloud.ipam.requirements import (department_key, replication_key, subnet_key, v4_department_key,
                                        v4_replication_key, v4_subnet_key)
from govcloud.lab.openstack import ADMIN_CLOUD
from govcloud.model import DataClass, DrMode, load_environment
from govcloud.model.cloud import NetworkPurpose
from govcloud.model.routing import reaches_extranet
from govcloud.stackgraph import plan_stacks
from support.projects import copy_lab_project

pytestmark = pytest.mark.integration

EXTRA = {"code": "city-b-water", "name": "乙市水利局", "tier": "city", "node": "city-b", "site": "city-b",
         "quotas": {"routers": 3}}
# Model quota field -> (service, openstacksdk attribute); written here from the model's and the SDK's
# documentation, not taken from the planner under test.
MODEL_QUOTAS = {"instances": ("compute", "instances"), "cores": ("compute", "cores"), "ram_mb": ("compute", "ram"),
                "volumes": ("volume", "volumes"), "gigabytes": ("volume", "gigabytes"),
                "networks": ("network", "networks"), "subnets": ("network", "subnets"), "ports": ("network", "ports"),
                "routers": ("network", "routers"), "security_groups": ("network", "security_groups"),
                "floating_ips": ("network", "floating_ips")}
UNMANAGED_QUOTAS = {"compute": ("key_pairs",), "volume": ("snapshots",), "network": ()}
ANY = "any source"
MANAGEMENT_PORTS = (22, 3389)  # SSH and RDP (the model's management access)


def govcloud(*args: str, project: Path, backend: str, clouds_yaml: Path) -> dict:
    command = [str(Path(sys.executable).parent / "govcloud"), *args, "--env", "lab", "--format", "json",
               "--backend", backend, "--clouds-yaml", str(clouds_yaml)]
    done = subprocess.run(command, cwd=project, capture_output=True, text=True, timeout=3600)
    assert done.returncode == 0, f"{' '.join(args)} failed:\n{done.stderr[-4000:]}"
    return json.loads(done.stdout)


def changed(result: dict) -> dict[str, dict[str, int]]:
    return {s["stack"]: {k: n for k, n in s["changes"].items() if k != "same" and n} for s in result["stacks"]}


def _quotas(conn, project_id: str) -> dict[str, dict[str, int]]:
    sets = {"compute": conn.compute.get_quota_set(project_id), "network": conn.network.get_quota(project_id),
            "volume": conn.block_storage.get_quota_set(project_id)}
    keys: dict[str, set[str]] = {service: set(extra) for service, extra in UNMANAGED_QUOTAS.items()}
    for service, attribute in MODEL_QUOTAS.values():
        keys[service].add(attribute)
    return {service: {k: getattr(sets[service], k) for k in sorted(keys[service])} for service in sets}


def expected_quotas(dept, defaults: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    """A quota the model names has its value; one it does not name keeps the cloud's default."""
    want = {service: dict(values) for service, values in defaults.items()}
    for field, (service, attribute) in MODEL_QUOTAS.items():
        value = getattr(dept.quotas, field)
        if value is not None:
            want[service][attribute] = value
    return want


def _source(prefix: str | None) -> str:
    # Neutron may keep 0.0.0.0/0 and ::/0 as given or store no prefix at all: both mean any source.
    return ANY if prefix in (None, "", "0.0.0.0/0", "::/0") else str(IPNetwork(prefix).cidr)


def _protocol(protocol: str | None) -> str | None:
    return "ipv6-icmp" if protocol in ("icmpv6", "ipv6-icmp", "58") else protocol


def ingress_rules(conn, group) -> set[tuple]:
    """A group's ingress rules as (ethertype, protocol, ports, source, remote group id)."""
    return {(r.ether_type, _protocol(r.protocol), (r.port_range_min, r.port_range_max),
             _source(r.remote_ip_prefix) if r.remote_group_id is None else None, r.remote_group_id)
            for r in conn.network.security_group_rules(security_group_id=group.id) if r.direction == "ingress"}


def expected_group_rules(dept, plan, baseline_id: str) -> dict[str, set[tuple]]:
    """What the model asks of a department's groups: baseline admits ICMP from the department's own
    IPv4 block, ICMPv6 from anywhere (RFC 4890) and everything between members; mgmt admits only the
    management ports, only from the department's management networks (its whole blocks when it has
    none), never from anywhere."""
    code = dept.code
    baseline = {("IPv4", "icmp", (None, None), _source(str(plan[v4_department_key(code)])), None),
                ("IPv6", "ipv6-icmp", (None, None), ANY, None),
                ("IPv4", None, (None, None), None, baseline_id),
                ("IPv6", None, (None, None), None, baseline_id)}
    management = [n for n in dept.networks if n.purpose is NetworkPurpose.MANAGEMENT]
    sources = [(plan[v4_subnet_key(code, n.name)], plan[subnet_key(code, n.name)]) for n in management] or \
        [(plan[v4_department_key(code)], plan[department_key(code)])]
    mgmt = {(ethertype, "tcp", (port, port), _source(str(prefix)), None)
            for v4, v6 in sources for port in MANAGEMENT_PORTS for ethertype, prefix in (("IPv4", v4), ("IPv6", v6))}
    return {"baseline": baseline, "mgmt": mgmt}


def check_cloud_matches_model(conn, project: Path, connector) -> int:
    """Every department's project, quotas, networks, subnets, routers and security-group rules, the
    unified exit, and every system's DR resources, as ``project``'s lab model and its committed
    address plan say (not as the stack planner under test says). Returns the number of departments."""
    environment = load_environment("lab", project)
    province = environment.province
    plan = plan_environment(environment)
    default_quotas = _quotas(conn, conn.identity.find_project("admin").id)  # no stack sets its quotas
    for dept in province.departments:
        project_ = conn.identity.find_project(dept.code)
        assert project_ is not None, dept.code
        assert {f"dept:{dept.code}", f"mlps:{dept.mlps_level.value}", "govcloud:managed"} <= set(project_.tags)
        assert _quotas(conn, project_.id) == expected_quotas(dept, default_quotas), dept.code
        node = province.node_by_code[dept.node]
        node_conn = connector(node.cloud, node.region)
        routers = list(node_conn.network.routers(project_id=project_.id))
        # A router per purpose (management never shares one with business, MLPS 8.1.5.4a); only the
        # routers of purposes the model routes into the extranet take a gateway, on the node's transit
        # network and without SNAT; the others have none.
        purposes = {n.purpose for n in dept.networks}
        assert {r.name for r in routers} == {router_name(dept.code, p) for p in purposes}
        transit = node_conn.network.find_network(f"transit-{dept.node}")
        extranet_routers = {router_name(dept.code, p) for p in purposes if reaches_extranet(p)}
        for router in routers:
            gateway = router.external_gateway_info
            if router.name in extranet_routers:
                assert gateway and gateway["network_id"] == transit.id and gateway.get("enable_snat") is False, \
                    (router.name, gateway)
            else:
                assert not gateway, (router.name, gateway)
        interface_subnets = {ip["subnet_id"] for r in routers for p in node_conn.network.ports(device_id=r.id)
                             for ip in p.fixed_ips}
        for net in dept.networks:
            network = node_conn.network.find_network(f"{dept.code}-{net.name}", project_id=project_.id)
            assert network is not None, (dept.code, net.name)
            subnets = {s.ip_version: s for s in node_conn.network.subnets(network_id=network.id)}
            assert IPNetwork(subnets[4].cidr) == plan[v4_subnet_key(dept.code, net.name)]
            assert IPNetwork(subnets[6].cidr) == plan[subnet_key(dept.code, net.name)]
            assert subnets[6].ipv6_ra_mode == subnets[6].ipv6_address_mode == net.ipv6_mode.value
            assert subnets[4].subnet_pool_id and subnets[6].subnet_pool_id
            assert {subnets[4].id, subnets[6].id} <= interface_subnets
        groups = {g: node_conn.network.find_security_group(f"{dept.code}-{g}", project_id=project_.id)
                  for g in ("baseline", "mgmt")}
        assert all(groups.values()), (dept.code, groups)
        expected = expected_group_rules(dept, plan, groups["baseline"].id)
        for name, group in groups.items():
            assert ingress_rules(node_conn, group) == expected[name], (dept.code, name)
    check_gateways(connector, province)
    check_dr_matches_model(conn, connector, project, environment, plan)
    return len(province.departments)


def router_name(code: str, purpose: NetworkPurpose) -> str:
    return f"{code}-router" if purpose is NetworkPurpose.BUSINESS else f"{code}-{purpose.value}-router"


def check_gateways(connector, province) -> None:
    """Every router gateway on every node: only the model's unified exits built as cloud routers
    (``kind: cloud-router``; the lab's is an appliance, so none) have one on an external network,
    each on its own node's (DESIGN: only unified exits reach the internet); every other
    gateway is on a node's transit network and belongs to a department router the model routes
    into the extranet (DESIGN: one network)."""
    want_exits = {f"{e.code}-router": e.node for e in province.exits if e.is_cloud_router}
    want_transit = {router_name(d.code, p): d.node for d in province.departments
                    for p in {n.purpose for n in d.networks} if reaches_extranet(p)}
    on_external: dict[str, set[str]] = {}
    on_transit: dict[str, set[str]] = {}
    for node in province.nodes:
        node_conn = connector(node.cloud, node.region)
        external = node_conn.network.find_network(node.external_network)
        transit = node_conn.network.find_network(f"transit-{node.code}")
        assert external is not None and transit is not None, (node.code, external, transit)
        for router in node_conn.network.routers():
            gateway = (router.external_gateway_info or {}).get("network_id")
            if gateway is None or router.name.startswith("smoke-"):  # the engine tests' own routers
                continue
            if gateway == external.id:
                on_external.setdefault(router.name, set()).add(node.code)
            elif gateway == transit.id:
                on_transit.setdefault(router.name, set()).add(node.code)
    # Nodes may share one external network (the lab's regions share one Neutron): the exit's
    # router is then seen from each of them, and its own node must be among those.
    assert set(on_external) == set(want_exits), sorted(on_external)
    assert all(want_exits[name] in nodes for name, nodes in on_external.items()), on_external
    assert on_transit == {name: {node} for name, node in want_transit.items()}, on_transit


def _encrypted_type(project: Path, stack: str) -> str:
    """The encrypted volume type the stack's settings name (the catalogue of the environment)."""
    config = yaml.safe_load((project / "stacks" / f"Pulumi.{stack}.yaml").read_text(encoding="utf-8"))["config"]
    return config["govcloud:encryptedVolumeType"]


def check_dr_matches_model(conn, connector, project: Path, environment, plan) -> None:
    """Each system with a DR design in the model (and a target node, not classified) has it on the
    cloud: an off-site backup volume of its storage size, or for dual-active one side per node with
    an anti-affinity server group, an instance in it on the side's replication network (subnets from
    the address plan, in the owner's project) and a data volume attached to it. Nothing else."""
    province = environment.province
    systems = [s for s in province.systems
               if s.dr is not DrMode.NONE and s.target_node is not None and s.data_class is not DataClass.CLASSIFIED]
    assert systems, "the lab model has systems with a DR design"
    volumes = {}
    for node in province.nodes:  # seen from every node's region, in case the regions' volume services differ
        volumes.update((v.name, v) for v in connector(node.cloud, node.region).block_storage.volumes(all_projects=True)
                       if (v.metadata or {}).get("govcloud") == "managed" and (v.metadata or {}).get("system"))
    expected_volumes = set()
    for system in systems:
        size = max(1, system.footprint.storage_gb)
        encrypted = _encrypted_type(project, f"{environment.name}-{system.target_node}") \
            if system.mlps_level.value >= 3 else None
        if system.dr is DrMode.OFFSITE_BACKUP:
            name = f"{system.code}-backup"
            expected_volumes.add(name)
            volume = volumes.get(name)
            assert volume is not None, f"{system.code}: no off-site backup volume"
            assert volume.size == size and volume.metadata["dr"] == "offsite-backup", (name, volume.size)
            assert encrypted is None or volume.volume_type == encrypted, (name, volume.volume_type)
            continue
        owner = conn.identity.find_project(system.owner)
        for side, node_code in (("a", system.target_node), ("b", system.dr_node)):
            node = province.node_by_code[node_code]
            side_conn = connector(node.cloud, node.region)  # each side in its node's region
            base = f"{system.code}-{side}"
            networks = list(side_conn.network.networks(tags=f"system:{system.code},node:{node_code}"))
            assert [n.name for n in networks] == [f"{base}-replication"], (base, [n.name for n in networks])
            assert networks[0].project_id == owner.id, f"{base}: replication network outside {system.owner}"
            subnets = {s.ip_version: s for s in side_conn.network.subnets(network_id=networks[0].id)}
            assert IPNetwork(subnets[4].cidr) == plan[v4_replication_key(system.code, side)], base
            assert IPNetwork(subnets[6].cidr) == plan[replication_key(system.code, side)], base
            servers = list(side_conn.compute.servers(all_projects=True, name=f"^{base}$"))
            assert len(servers) == 1, (base, [s.name for s in servers])
            server = servers[0]
            assert f"{base}-replication" in (server.addresses or {}), (base, server.addresses)
            groups = [g for g in side_conn.compute.server_groups(all_projects=True) if g.name == base]
            assert len(groups) == 1, base
            policy = getattr(groups[0], "policy", None) or (groups[0].policies or [None])[0]
            assert policy == "anti-affinity" and server.id in (groups[0].member_ids or []), (base, policy)
            name = f"{base}-data"
            expected_volumes.add(name)
            volume = volumes.get(name)
            assert volume is not None and volume.size == size, (name, volume and volume.size)
            assert volume.metadata["dr"] == "dual-active" and volume.metadata["side"] == side
            assert encrypted is None or volume.volume_type == encrypted, (name, volume.volume_type)
            assert server.id in {a["server_id"] for a in volume.attachments or []}, f"{name} not attached to {base}"
    model_codes = {s.code for s in province.systems}
    assert {n for n, v in volumes.items() if v.metadata["system"] in model_codes} == expected_volumes


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
        assert check_cloud_matches_model(conn, project, connector) == 5

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
        assert check_cloud_matches_model(conn, project, connector) == 6
    finally:
        run("destroy", "--all")
    assert managed_leftovers(conn) == []
