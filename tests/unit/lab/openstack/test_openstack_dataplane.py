"""The data plane: per-instance namespace, agent configs, services that reach RabbitMQ through relays."""

from __future__ import annotations

import ast
import configparser
from pathlib import Path

import pytest

from govcloud.errors import InputError
from govcloud.lab.openstack import dataplane
from govcloud.lab.openstack.config import rendered_files
from govcloud.lab.openstack.ports import LabPorts
from govcloud.lab.openstack.daemons import plan_services
from govcloud.lab.openstack.from_model import lab_spec
from govcloud.lab.openstack.labspec import ComputeHost, OpenStackLabSpec
from govcloud.lab.openstack.statedir import ACCOUNTS, OpenStackLabPaths
from govcloud.model import load_folder
from govcloud.paths import LabInstance

SPEC = OpenStackLabSpec(regions=("RegionA",), compute_hosts=(ComputeHost("c1"),), data_plane=True, bgp_agents=3)
SECRETS = {name: f"{name}-secret" for name in ACCOUNTS}
NEUTRON_PRIVILEGED = Path("/usr/lib/python3/dist-packages/neutron/privileged/__init__.py")


def _paths(tmp_path, index: int) -> OpenStackLabPaths:
    instance = LabInstance(f"i{index}", index) if index else LabInstance()
    return OpenStackLabPaths(tmp_path / str(index), LabPorts(1000 * index), instance)


def _bgp_configs(paths: OpenStackLabPaths) -> list[str]:
    files = rendered_files(paths, SPEC, SECRETS)
    return [files[agent.config] for agent in dataplane.agents(paths, SPEC.bgp_agents) if agent.binary == dataplane.BGP_AGENT]


def test_two_instances_never_share_a_namespace_or_a_bgp_router_id(tmp_path):
    one, two = _paths(tmp_path, 3), _paths(tmp_path, 4)
    assert (one.dataplane_namespace, two.dataplane_namespace) == ("g03os", "g04os")
    assert _paths(tmp_path, 0).dataplane_namespace == "gcos"
    assert "bgp_router_id = 198.18.252.254" in _bgp_configs(one)[0]
    assert "bgp_router_id = 198.18.251.254" in _bgp_configs(two)[0]


def test_one_bgp_agent_per_speaker_each_its_own_host_and_router_id(tmp_path):
    configs = _bgp_configs(_paths(tmp_path, 3))
    assert len(configs) == 3
    hosts = {line for text in configs for line in text.splitlines() if line.startswith("host = ")}
    ids = {line for text in configs for line in text.splitlines() if line.startswith("bgp_router_id = ")}
    assert hosts == {f"host = {dataplane.NETWORK_HOST}-bgp{n}" for n in (1, 2, 3)}
    assert ids == {"bgp_router_id = 198.18.252.254", "bgp_router_id = 198.18.252.253", "bgp_router_id = 198.18.252.252"}


def test_a_spec_with_no_bgp_agent_or_more_than_the_router_ids_allow_is_refused():
    for count in (0, 33):
        with pytest.raises(InputError, match="bgp_agents"):
            OpenStackLabSpec(data_plane=True, bgp_agents=count)


def test_every_agent_config_names_its_host_and_no_tunnel(tmp_path):
    paths = _paths(tmp_path, 3)
    files = rendered_files(paths, SPEC, SECRETS)
    for agent in dataplane.agents(paths, SPEC.bgp_agents):
        assert f"host = {agent.host}\n" in files[agent.config]
    bridge_agent = next(a for a in dataplane.agents(paths, 1) if a.name == "neutron-linuxbridge-agent")
    assert "enable_vxlan = false" in files[bridge_agent.config]
    ml2 = files[paths.etc / "neutron" / "ml2_conf.ini"]
    assert "tenant_network_types = local" in ml2 and "mechanism_drivers = linuxbridge,openvswitch" in ml2
    neutron = files[paths.etc / "neutron" / "neutron.conf"]
    assert "service_plugins = router,qos,trunk,port_forwarding,bgp" in neutron
    assert "linuxbridge = true" in neutron
    # govcloud's `up` places the speakers; the default scheduler would race with it.
    assert "bgp_drscheduler_driver = neutron_dynamic_routing.services.bgp.scheduler.bgp_dragent_scheduler." \
           "StaticScheduler\n" in neutron


def test_agents_run_in_the_instance_namespace_after_the_server_and_the_relays(tmp_path):
    paths = _paths(tmp_path, 3)
    plan = plan_services(paths, SPEC)
    wanted = {agent.name: agent for agent in dataplane.agents(paths, SPEC.bgp_agents)}
    agents = {s.name: s for s in plan.workers if s.name in wanted}
    assert set(agents) == set(wanted) and len(wanted) == len(dataplane.AGENTS) + SPEC.bgp_agents
    for service in agents.values():
        assert service.argv[:4] == ("/usr/bin/ip", "netns", "exec", "g03os")
        assert service.argv[5] == f"/usr/bin/{wanted[service.name].binary}"
        assert set(service.after) == {"neutron-server", dataplane.RELAY_IN}
        assert wanted[service.name].config in service.configs
    relays = {s.name: s for s in plan.core if s.name in (dataplane.RELAY_OUT, dataplane.RELAY_IN)}
    # The relay inside the namespace listens on the instance's RabbitMQ port, the outer one connects to it.
    assert f"TCP-LISTEN:{paths.ports.RABBIT},bind=127.0.0.1,fork,reuseaddr" in relays[dataplane.RELAY_IN].argv
    assert f"TCP:127.0.0.1:{paths.ports.RABBIT}" in relays[dataplane.RELAY_OUT].argv
    assert relays[dataplane.RELAY_IN].argv[3] == "g03os"


def test_the_lab_model_asks_for_a_bgp_agent_per_speaker_of_each_routed_node(project_root):
    province = load_folder(project_root / "inventories" / "lab", name="lab").province
    routed = [node for node in province.nodes if node.routing is not None]
    assert routed and lab_spec(province).bgp_agents == 2 * len(routed)  # IPv4 and IPv6 speakers



def test_every_privsep_daemon_of_the_agents_runs_one_worker_thread(tmp_path):
    """More than one worker per daemon loses eventlet lock hand-overs (see dataplane.wedged)."""
    paths = _paths(tmp_path, 3)
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.read_string(rendered_files(paths, SPEC, SECRETS)[paths.etc / "neutron" / "neutron.conf"])
    sections = _neutron_privsep_sections() - {"privsep_ovs_vsctl"}  # no Open vSwitch in the lab
    assert sections >= {"privsep", "privsep_link", "privsep_namespace"}
    assert {section: parser.get(section, "thread_pool_size", fallback=None) for section in sections} == \
        dict.fromkeys(sections, "1")


def _neutron_privsep_sections() -> set[str]:
    """The config sections of the privileged contexts in the neutron the lab runs (Debian's)."""
    assert NEUTRON_PRIVILEGED.exists(), f"{NEUTRON_PRIVILEGED} is missing: `make setup` installs python3-neutron"
    tree = ast.parse(NEUTRON_PRIVILEGED.read_text())
    return {keyword.value.value for call in ast.walk(tree) if isinstance(call, ast.Call)
            for keyword in call.keywords if keyword.arg == "cfg_section"}


def test_an_agent_is_wedged_only_by_a_privsep_deadlock_since_its_latest_start(tmp_path):
    paths = _paths(tmp_path, 3)
    paths.create()
    log = paths.log_file("neutron-dhcp-agent")
    assert not dataplane.wedged(paths, "neutron-dhcp-agent")  # no log yet
    start = "\n=== govcloud lab: starting neutron-dhcp-agent at 2026-12-07 08:12:19\n"
    deadlock = f"WARNING oslo.privsep.daemon [-] privsep log: {dataplane.PRIVSEP_DEADLOCK}\n"
    log.write_text(start + "INFO DHCP agent started\n" + deadlock)
    assert dataplane.wedged(paths, "neutron-dhcp-agent")
    log.write_text(start + deadlock + start + "INFO DHCP agent started\n")  # restarted since
    assert not dataplane.wedged(paths, "neutron-dhcp-agent")
    assert not dataplane.wedged(paths, "neutron-l3-agent")
