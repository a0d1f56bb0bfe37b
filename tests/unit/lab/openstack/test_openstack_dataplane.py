"""The data plane: per-instance namespace, agent configs, services that reach RabbitMQ through relays."""

from __future__ import annotations

from govcloud.lab.openstack import dataplane
from govcloud.lab.openstack.config import rendered_files
from govcloud.lab.openstack.ports import LabPorts
from govcloud.lab.openstack.daemons import plan_services
from govcloud.lab.openstack.labspec import ComputeHost, OpenStackLabSpec
from govcloud.lab.openstack.statedir import ACCOUNTS, OpenStackLabPaths
from govcloud.paths import LabInstance

SPEC = OpenStackLabSpec(regions=("RegionA",), compute_hosts=(ComputeHost("c1"),), data_plane=True)
SECRETS = {name: f"{name}-secret" for name in ACCOUNTS}


def _paths(tmp_path, index: int) -> OpenStackLabPaths:
    instance = LabInstance(f"i{index}", index) if index else LabInstance()
    return OpenStackLabPaths(tmp_path / str(index), LabPorts(1000 * index), instance)


def test_two_instances_never_share_a_namespace_or_a_bgp_router_id(tmp_path):
    one, two = _paths(tmp_path, 3), _paths(tmp_path, 4)
    assert (one.dataplane_namespace, two.dataplane_namespace) == ("g03os", "g04os")
    assert _paths(tmp_path, 0).dataplane_namespace == "gcos"
    ids = {paths.dataplane_namespace: rendered_files(paths, SPEC, SECRETS)[dataplane.agent_config(
        paths, "neutron-bgp-dragent")] for paths in (one, two)}
    assert "bgp_router_id = 198.18.252.254" in ids["g03os"] and "bgp_router_id = 198.18.251.254" in ids["g04os"]


def test_every_agent_config_names_the_data_plane_host_and_no_tunnel(tmp_path):
    paths = _paths(tmp_path, 3)
    files = rendered_files(paths, SPEC, SECRETS)
    for agent in dataplane.AGENTS:
        assert f"host = {dataplane.NETWORK_HOST}\n" in files[dataplane.agent_config(paths, agent)]
    assert "enable_vxlan = false" in files[dataplane.agent_config(paths, "neutron-linuxbridge-agent")]
    ml2 = files[paths.etc / "neutron" / "ml2_conf.ini"]
    assert "tenant_network_types = local" in ml2 and "mechanism_drivers = linuxbridge,openvswitch" in ml2
    neutron = files[paths.etc / "neutron" / "neutron.conf"]
    assert "service_plugins = router,qos,trunk,port_forwarding,bgp" in neutron
    assert "linuxbridge = true" in neutron


def test_agents_run_in_the_instance_namespace_after_the_server_and_the_relays(tmp_path):
    paths = _paths(tmp_path, 3)
    plan = plan_services(paths, SPEC)
    agents = {s.name: s for s in plan.workers if s.name in dataplane.AGENTS}
    assert set(agents) == set(dataplane.AGENTS)
    for service in agents.values():
        assert service.argv[:4] == ("/usr/bin/ip", "netns", "exec", "g03os")
        assert set(service.after) == {"neutron-server", dataplane.RELAY_IN}
        assert dataplane.agent_config(paths, service.name) in service.configs
    relays = {s.name: s for s in plan.core if s.name in (dataplane.RELAY_OUT, dataplane.RELAY_IN)}
    # The relay inside the namespace listens on the instance's RabbitMQ port, the outer one connects to it.
    assert f"TCP-LISTEN:{paths.ports.RABBIT},bind=127.0.0.1,fork,reuseaddr" in relays[dataplane.RELAY_IN].argv
    assert f"TCP:127.0.0.1:{paths.ports.RABBIT}" in relays[dataplane.RELAY_OUT].argv
    assert relays[dataplane.RELAY_IN].argv[3] == "g03os"
