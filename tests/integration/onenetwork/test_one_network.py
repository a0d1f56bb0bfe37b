"""Issue 14 on the real labs: the cloud's departments reachable over the extranet.

The lab stacks are deployed (a throw-away copy of the project and backend, BGP speakers on), the
network lab is built with the border routers' BGP sessions, the two labs are joined (`govcloud lab
join`), the IPv6 waves roll out (they deploy the border routers' BGP and verify that every session
is Established) and the legacy exits are consolidated onto the unified exit. Then: the border
routers hold exactly their node's department prefixes from BGP (and refuse one the plan does not
give); a township office host reaches a probe on a department's Neutron network on the provincial
node and on each city node, through the extranet routers and the department's Neutron router, with
ping and a TCP connection over IPv4 and IPv6; the probe's security group refuses a port it does not
open; a department's management network is not reachable; and a probe reaches the fake internet
only by the unified exit.

The lab runs with its data plane (`lab up --data-plane`, one BGP agent per speaker; see conftest.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from dataclasses import replace
from pathlib import Path

import pytest
from netaddr import IPAddress, IPNetwork

from govcloud.ipam import plan_environment
from govcloud.lab import netlab
from govcloud.lab.dataplane_probe import Probe, plug, unplug
from govcloud.lab.join import join_labs
from govcloud.lab.netlab.overlay import INTERNET_SERVER_PORT, INTERNET_SERVER_V4, INTERNET_SERVER_V6, LAB_FACTS, \
    with_lab_internet
from govcloud.lab.openstack import ADMIN_CLOUD
from govcloud.lab.openstack.dataplane import NETWORK_HOST
from govcloud.lab.openstack.statedir import lab_paths_from_env
from govcloud.model import load_folder
from govcloud.network.cloud_routing import node_prefixes, peerings_by_site
from govcloud.network.environment import environment_topology
from govcloud.network.exits import ExitRecorder, consolidate, unified_addresses
from govcloud.network.inventory import render_inventory, write_inventory
from govcloud.network.rollout import Access, RolloutRecorder, run_waves
from govcloud.network.waves import ipv6_waves
from govcloud.paths import current_instance
from support.projects import copy_lab_project

pytestmark = [pytest.mark.integration, pytest.mark.data_plane]

ROOT = Path(__file__).resolve().parents[3]
TCP_PORT = 7014
CLOSED_PORT = 7015  # the probe listens here too; only its security group keeps the office out
# The office the paths start from: a unit at a township site (the lowest tier of the lab's
# extranet), added to the copy's model. The lab's own model has no unit there, and a unit without a
# department gets a LAN on its site's router with nothing attached: the test plugs the office host
# into it, as a township plugs in its office's switch.
OFFICE_SITE = "township-a1-1"
OFFICE_UNIT_YAML = "    units:\n      - {code: township-a1-1-party, kind: party-committee, name: 东县一镇党委}\n"
# The department network (with a router on the transit) of each node.
TARGETS = {"province": "prov-gov-office", "city-a": "city-a-edu", "city-b": "city-b-civil"}
BORDERS = {"province": "core", "city-a": "city-a", "city-b": "city-b"}
BGP_WAIT_S = 180
PORT_WAIT_S = 90


def _cli_env() -> dict[str, str]:
    """The environment of the `govcloud` runs: this checkout's sources first. They run in the
    project's copy, where a relative PYTHONPATH (``src``) would name nothing and the virtualenv's
    own install of govcloud (another checkout's) would run instead."""
    inherited = [entry for entry in os.environ.get("PYTHONPATH", "").split(os.pathsep) if entry]
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), *inherited])}


@pytest.fixture(scope="module")
def one_network(clouds_yaml, tmp_path_factory):
    project = copy_lab_project(tmp_path_factory.mktemp("project"), speakers=True)
    environment = _with_township_office(project)
    backend = f"file://{tmp_path_factory.mktemp('backend')}"
    govcloud = str(Path(sys.executable).parent / "govcloud")
    common = ["--all", "--env", "lab", "--backend", backend, "--clouds-yaml", str(clouds_yaml)]
    started = time.monotonic()
    done = subprocess.run([govcloud, "up", *common], cwd=project, capture_output=True, text=True, timeout=3600,
                          env=_cli_env())
    assert done.returncode == 0, f"up failed:\n{done.stderr[-4000:]}"
    facts = replace(LAB_FACTS, mgmt_network=current_instance().mgmt_network)
    topology = with_lab_internet(environment_topology(environment, facts))  # every node speaks, as in the stacks
    paths = netlab.NetlabPaths()
    try:
        netlab.down(paths)
        netlab.up(topology, paths)
        plan = plan_environment(environment)
        joins = join_labs(topology, peerings_by_site(environment.province, plan), netlab.namespace)
        assert all(row.get("bridge") for row in joins), joins
        env_dir = project / "inventories" / "lab"
        write_inventory(env_dir, render_inventory(topology, paths.client_key, paths.known_hosts))
        access = Access(env_dir / "hosts.yml", paths.client_key, paths.known_hosts, work_dir=project / "runs")
        reports = run_waves(topology, ipv6_waves(topology), access, RolloutRecorder(project, topology))
        assert all(r.status == "done" for r in reports), [(r.wave, r.status) for r in reports]
        consolidate(topology, access, ExitRecorder(project, topology), None, log=lambda _line: None)
        _plug_office(topology.node(OFFICE_SITE))
        yield {"environment": environment, "plan": plan, "topology": topology, "started": started,
               "project": project, "govcloud": govcloud, "engine": common[1:]}
    finally:
        subprocess.run(["ip", "netns", "delete", _office_ns()], capture_output=True, check=False)
        netlab.down(paths)
        subprocess.run([govcloud, "destroy", *common], cwd=project, capture_output=True, text=True, timeout=3600,
                       check=False, env=_cli_env())


def _with_township_office(project: Path):
    """Give the copy's township site a unit, plan its LAN into the copy's ledger, load the copy."""
    extranet = project / "inventories" / "lab" / "extranet.yaml"
    text = extranet.read_text(encoding="utf-8")
    site = f"  - code: {OFFICE_SITE}\n"
    start = text.index(site)
    end = text.find("\n  - code:", start + len(site))
    end = len(text.rstrip("\n")) if end < 0 else end
    extranet.write_text(text[:end] + "\n" + OFFICE_UNIT_YAML.rstrip("\n") + text[end:], encoding="utf-8")
    planned = subprocess.run([str(Path(sys.executable).parent / "govcloud"), "ipam", "plan", "--env", "lab",
                              "--write-ledger"], cwd=project, capture_output=True, text=True, env=_cli_env())
    assert planned.returncode == 0, planned.stderr
    environment = load_folder(project / "inventories" / "lab", name="lab")
    assert any(site.code == OFFICE_SITE and site.units for site in environment.province.sites)
    return environment


def _office_ns() -> str:
    return f"{current_instance().prefix('gcof')}-{OFFICE_SITE}"


def _plug_office(router) -> None:
    """The office host: its own namespace on the township router's office LAN (a bridge in the
    router's namespace), the router's addresses on that LAN as its gateways."""
    lan = next(i for i in router.interfaces if i.kind == "lan")
    ns, router_ns = _office_ns(), netlab.namespace(router.name)
    host_v4, host_v6 = lan.ipv4.ip + 1, lan.ipv6.ip + 1
    for command in (["ip", "netns", "add", ns],
                    ["ip", "link", "add", "office0", "netns", ns, "type", "veth", "peer", "name", "office0p",
                     "netns", router_ns],
                    ["ip", "-n", router_ns, "link", "set", "office0p", "master", lan.name, "up"],
                    ["ip", "-n", ns, "link", "set", "lo", "up"], ["ip", "-n", ns, "link", "set", "office0", "up"],
                    ["ip", "-n", ns, "addr", "add", f"{host_v4}/{lan.ipv4.prefixlen}", "dev", "office0"],
                    ["ip", "-n", ns, "-6", "addr", "add", f"{host_v6}/{lan.ipv6.prefixlen}", "dev", "office0",
                     "nodad"],
                    ["ip", "-n", ns, "route", "add", "default", "via", str(lan.ipv4.ip)],
                    ["ip", "-n", ns, "-6", "route", "add", "default", "via", str(lan.ipv6.ip)]):
        subprocess.run(command, check=True, capture_output=True, text=True)


def _bgp_prefixes(router: str, family: str) -> set[IPNetwork]:
    out = netlab.node_exec(router, ["vtysh", "-c", f"show bgp {family} unicast json"]).stdout
    return {IPNetwork(prefix) for prefix in json.loads(out).get("routes", {})}


def _wait_for_prefixes(router: str, family: str, wanted: set[IPNetwork]) -> set[IPNetwork]:
    deadline = time.monotonic() + BGP_WAIT_S
    while time.monotonic() < deadline and _bgp_prefixes(router, family) != wanted:
        time.sleep(2)
    return _bgp_prefixes(router, family)


@pytest.mark.parametrize("node", list(BORDERS))
def test_the_border_router_holds_exactly_its_node_prefixes_from_bgp(one_network, node):
    v4, v6 = node_prefixes(one_network["environment"].province, one_network["plan"], node)
    assert v4 and v6
    assert _wait_for_prefixes(BORDERS[node], "ipv4", set(v4)) == set(v4)
    assert _wait_for_prefixes(BORDERS[node], "ipv6", set(v6)) == set(v6)


@pytest.fixture
def make_probe(one_network, connector):
    """Probes on a department's network, open to ICMP and TCP_PORT, listening on TCP_PORT and CLOSED_PORT."""
    conn = connector(ADMIN_CLOUD)
    made: list[tuple[Probe, list, object, object]] = []
    dp = lab_paths_from_env().dataplane_namespace

    def make(node: str, network_name: str = "business", department: str | None = None) -> Probe:
        department = department or TARGETS[node]
        network = conn.network.find_network(f"{department}-{network_name}", ignore_missing=False)
        group = conn.network.create_security_group(name=f"probe-{uuid.uuid4().hex[:8]}",
                                                   project_id=network.project_id)
        for ethertype, icmp in (("IPv4", "icmp"), ("IPv6", "ipv6-icmp")):
            conn.network.create_security_group_rule(security_group_id=group.id, direction="ingress",
                                                    ethertype=ethertype, protocol=icmp)
            conn.network.create_security_group_rule(security_group_id=group.id, direction="ingress",
                                                    ethertype=ethertype, protocol="tcp", port_range_min=TCP_PORT,
                                                    port_range_max=TCP_PORT)
        port = conn.network.create_port(network_id=network.id, project_id=network.project_id,
                                        security_group_ids=[group.id], binding_host_id=NETWORK_HOST,
                                        device_owner="compute:govcloud-probe", name=f"probe-{node}-{network_name}")
        addresses = []
        for fixed in port.fixed_ips:
            subnet = conn.network.get_subnet(fixed["subnet_id"])
            addresses.append((IPAddress(fixed["ip_address"]), IPNetwork(subnet.cidr),
                              IPAddress(subnet.gateway_ip) if subnet.gateway_ip else None))
        ns = f"{current_instance().prefix('gcpr')}-{department}-{network_name}"
        wired = plug(dp, ns, port.id, network.id, port.mac_address, addresses)
        servers = [subprocess.Popen(["ip", "netns", "exec", ns, "socat", f"TCP6-LISTEN:{p},fork,reuseaddr,ipv6only=0",
                                     "EXEC:/bin/echo probe"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                   for p in (TCP_PORT, CLOSED_PORT)]
        made.append((wired, servers, port, group))
        deadline = time.monotonic() + PORT_WAIT_S
        while time.monotonic() < deadline and conn.network.get_port(port.id).status != "ACTIVE":
            time.sleep(1)
        assert conn.network.get_port(port.id).status == "ACTIVE", "the Linux bridge agent did not wire the probe"
        return wired

    def remove(probe: Probe) -> None:
        for entry in [entry for entry in made if entry[0] is probe]:
            made.remove(entry)
            _remove_probe(conn, dp, *entry)

    make.remove = remove  # before a department's network goes: its ports would keep it
    yield make
    for entry in made:
        _remove_probe(conn, dp, *entry)


def _remove_probe(conn, dp: str, wired: Probe, servers: list, port, group) -> None:
    for server in servers:
        server.kill()
        server.wait()
    unplug(dp, wired)
    conn.network.delete_port(port.id)
    conn.network.delete_security_group(group.id)


def _in_office(argv: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(["ip", "netns", "exec", _office_ns(), *argv], capture_output=True, text=True, check=False)


def _ping(target: IPAddress) -> subprocess.CompletedProcess:
    return _in_office(["ping", "-c", "3", "-W", "2", str(target)])


def _tcp(target: IPAddress, port: int) -> subprocess.CompletedProcess:
    family = "TCP4" if target.version == 4 else "TCP6"
    host = str(target) if target.version == 4 else f"[{target}]"
    return _in_office(["socat", "-T", "5", "-", f"{family}:{host}:{port},connect-timeout=5"])


@pytest.mark.parametrize("version", [4, 6])
@pytest.mark.parametrize("node", list(TARGETS))
def test_a_township_office_reaches_a_department_probe(one_network, make_probe, node, version, capsys):
    probe = make_probe(node)
    target = probe.address(version)
    ping = _ping(target)
    assert ping.returncode == 0, ping.stdout + ping.stderr
    if "first_ping" not in one_network:  # a figure for the note, not a speed goal
        one_network["first_ping"] = time.monotonic() - one_network["started"]
        with capsys.disabled():
            print(f"\nfrom `up` to the first ping: {one_network['first_ping']:.0f} s")
    tcp = _tcp(target, TCP_PORT)
    assert tcp.stdout.strip() == "probe", tcp.stderr
    # The probe listens on CLOSED_PORT too: only the port's security group refuses the office.
    refused = _tcp(target, CLOSED_PORT)
    assert refused.returncode != 0 and "probe" not in refused.stdout, refused.stdout


def test_a_departments_management_network_is_not_reachable_from_the_extranet(make_probe):
    business, management = make_probe("province"), make_probe("province", "management")
    assert _ping(business.address(4)).returncode == 0  # the path works; the management network is not on it
    for version in (4, 6):
        ping = _ping(management.address(version))
        assert ping.returncode != 0, ping.stdout


@pytest.mark.parametrize("node", ["province", "city-b"])
def test_a_department_reaches_the_internet_only_by_the_unified_exit(one_network, make_probe, node):
    probe = make_probe(node)
    v4, v6 = unified_addresses(one_network["topology"])
    for server, allowed in ((INTERNET_SERVER_V4, v4), (INTERNET_SERVER_V6, v6)):
        seen = subprocess.run(["ip", "netns", "exec", probe.namespace, "timeout", "5", "bash", "-c",
                               f"exec 3<>/dev/tcp/{server}/{INTERNET_SERVER_PORT} && head -n1 <&3"],
                              capture_output=True, text=True)
        assert seen.returncode == 0, f"{probe.namespace} cannot reach {server}: {seen.stderr}"
        assert any(IPAddress(seen.stdout.strip()) in net for net in allowed), (server, seen.stdout)


# A department the lab model does not have, added to the copy's model on a city node.
NEW_DEPARTMENT = "city-b-health"
NEW_DEPARTMENT_YAML = """  - code: city-b-health
    name: 乙市卫生健康委员会
    tier: city
    node: city-b
    site: city-b
    mlps_level: 2
"""
NEW_NODE, NEW_STACK, NEW_TIER = "city-b", "lab-city-b", "city"  # the node, its stack, its border's wave


def _govcloud(one_network, *args: str) -> str:
    done = subprocess.run([one_network["govcloud"], *args], cwd=one_network["project"], capture_output=True,
                          text=True, timeout=3600, env=_cli_env())
    assert done.returncode == 0, f"govcloud {' '.join(args)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-4000:]}"
    return done.stdout + done.stderr


def _apply_model_change(one_network, said: str) -> tuple[tuple[IPNetwork, ...], tuple[IPNetwork, ...]]:
    """What an operator runs after editing the model: the address plan into the ledger, `up` of the
    node's stack (which must say ``said``), the inventory, and the rollout of the border router's
    wave. Returns the node's prefixes by the changed model."""
    _govcloud(one_network, "ipam", "plan", "--env", "lab", "--write-ledger")
    up = _govcloud(one_network, "up", "--stack", NEW_STACK, *one_network["engine"])
    assert said in up, up[-3000:]
    _govcloud(one_network, "inventory", "render", "--env", "lab")
    _govcloud(one_network, "rollout", "ipv6", "--env", "lab", "--tier", NEW_TIER, "--quiet")
    environment = load_folder(one_network["project"] / "inventories" / "lab", name="lab")
    return node_prefixes(environment.province, plan_environment(environment), NEW_NODE)


def _other_borders_hold_their_prefixes(one_network) -> None:
    for node, border in BORDERS.items():
        if node == NEW_NODE:
            continue
        v4, v6 = node_prefixes(one_network["environment"].province, one_network["plan"], node)
        assert _bgp_prefixes(border, "ipv4") == set(v4), node
        assert _bgp_prefixes(border, "ipv6") == set(v6), node


def test_adding_a_department_makes_its_prefix_reachable_and_removing_it_withdraws_the_route(one_network,
                                                                                             make_probe, connector):
    """model + `up` + `rollout`, then the same after taking the department out again. The `up`s
    re-seat the node's IPv6 speaker (govcloud.engine.bgpreseat): without it the speaker's session
    would stop sending after the new department's router interfaces are attached. Before the first,
    the speaker is taken off its agent, as Neutron's scheduler leaves a speaker it could not place:
    that `up` places it on a free agent (govcloud.engine.bgpplacement) instead of re-seating it."""
    conn = connector(ADMIN_CLOUD)
    speaker = conn.network.find_bgp_speaker(f"{NEW_NODE}-bgp-v6", ignore_missing=False)
    for agent in conn.network.get_bgp_dragents_hosting_speaker(speaker):
        conn.network.remove_bgp_speaker_from_dragent(agent, speaker)
    assert not list(conn.network.get_bgp_dragents_hosting_speaker(speaker))
    departments = one_network["project"] / "inventories" / "lab" / "departments.yaml"
    original = departments.read_text(encoding="utf-8")
    before_v4, before_v6 = node_prefixes(one_network["environment"].province, one_network["plan"], NEW_NODE)
    border = BORDERS[NEW_NODE]
    departments.write_text(original + NEW_DEPARTMENT_YAML, encoding="utf-8")
    try:
        v4, v6 = _apply_model_change(one_network, f"placed BGP speaker {NEW_NODE}-bgp-v6 on agent")
        assert list(conn.network.get_bgp_dragents_hosting_speaker(speaker))
        added = (set(v4) - set(before_v4)) | (set(v6) - set(before_v6))
        assert len(added) == 2 and set(before_v4) < set(v4) and set(before_v6) < set(v6), (v4, v6)
        assert _wait_for_prefixes(border, "ipv4", set(v4)) == set(v4)
        assert _wait_for_prefixes(border, "ipv6", set(v6)) == set(v6)
        _other_borders_hold_their_prefixes(one_network)
        probe = make_probe(NEW_NODE, department=NEW_DEPARTMENT)
        targets = [probe.address(4), probe.address(6)]
        assert {IPNetwork(f"{a}/{net.prefixlen}").cidr for a in targets for net in added if a in net} == added
        for target in targets:  # the new router's namespace may still be coming up on the L3 agent
            deadline = time.monotonic() + PORT_WAIT_S
            while (ping := _ping(target)).returncode != 0 and time.monotonic() < deadline:
                time.sleep(2)
            assert ping.returncode == 0, ping.stdout + ping.stderr
        make_probe.remove(probe)  # its port would keep the department's network from going
    finally:
        departments.write_text(original, encoding="utf-8")
    v4, v6 = _apply_model_change(one_network, f"re-seated IPv6 BGP speaker {NEW_NODE}-bgp-v6")
    assert (v4, v6) == (before_v4, before_v6)
    assert _wait_for_prefixes(border, "ipv4", set(v4)) == set(v4)
    assert _wait_for_prefixes(border, "ipv6", set(v6)) == set(v6)
    _other_borders_hold_their_prefixes(one_network)
    for target in targets:
        ping = _ping(target)
        assert ping.returncode != 0, ping.stdout


def _updates_received(router: str, neighbor: str) -> int:
    out = netlab.node_exec(router, ["vtysh", "-c", f"show bgp neighbors {neighbor} json"]).stdout
    return int(json.loads(out)[neighbor]["messageStats"]["updatesRecv"])


def test_a_prefix_the_plan_does_not_give_is_sent_by_the_speaker_and_refused_by_the_border(one_network, connector):
    """A subnet behind a department's router that the plan does not hold: the node's speaker
    advertises it (Neutron lists it, and the border router receives an update), and the border
    router's prefix list refuses it.

    Last in this module: neutron-dynamic-routing 21 (Zed) also hands the new IPv4 route, with the
    router's IPv6 next hop, to the node's IPv6 speaker, whose os-ken peer thread dies of it (seen
    on instance i14: that session never came back after its next drop). It adds the subnet by
    the API, not by `up`, so nothing re-seats that speaker: see docs/bgp-speakers.md."""
    conn = connector(ADMIN_CLOUD)
    dept = TARGETS["city-a"]
    business = conn.network.find_network(f"{dept}-business", ignore_missing=False)
    planned = conn.network.get_subnet(next(s for s in business.subnet_ids
                                           if conn.network.get_subnet(s).ip_version == 4))
    router = conn.network.find_router(f"{dept}-router", ignore_missing=False)  # the business router
    peering = next(p for p in one_network["topology"].node("city-a").cloud_peerings if p.node == "city-a")
    neighbor = str(peering.speaker_v4)
    updates = _updates_received("city-a", neighbor)
    network = conn.network.create_network(name=f"unplanned-{uuid.uuid4().hex[:6]}", project_id=business.project_id)
    subnet = conn.network.create_subnet(network_id=network.id, ip_version=4, subnetpool_id=planned.subnet_pool_id,
                                        prefixlen=IPNetwork(planned.cidr).prefixlen, project_id=business.project_id)
    conn.network.add_interface_to_router(router, subnet_id=subnet.id)
    try:
        speaker = conn.network.find_bgp_speaker("city-a-bgp-v4", ignore_missing=False)
        deadline = time.monotonic() + BGP_WAIT_S
        advertised: set[IPNetwork] = set()
        while time.monotonic() < deadline and (IPNetwork(subnet.cidr) not in advertised
                                               or _updates_received("city-a", neighbor) == updates):
            routes = conn.network.get_advertised_routes_of_speaker(speaker)["advertised_routes"]
            advertised = {IPNetwork(r["destination"]) for r in routes}
            time.sleep(2)
        assert IPNetwork(subnet.cidr) in advertised
        assert _updates_received("city-a", neighbor) > updates, "the border router received no update"
        v4, _ = node_prefixes(one_network["environment"].province, one_network["plan"], "city-a")
        assert IPNetwork(subnet.cidr) not in _bgp_prefixes("city-a", "ipv4")
        assert _bgp_prefixes("city-a", "ipv4") == set(v4)
    finally:
        conn.network.remove_interface_from_router(router, subnet_id=subnet.id)
        conn.network.delete_network(network.id)
