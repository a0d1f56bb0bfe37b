"""What recovery, adoption, cleanup and the service check rely on, held against real OpenStack
(no engine needed): lookups by name and tags, the extranet scope shared by RBAC only, the
`default` security group a project leaves, and a stopped Neutron named as such.

Every object here has a name unique to the test run, in a project of its own, and is deleted
at the end (the lab only grows; nothing of it is touched)."""

from __future__ import annotations

import secrets

import pytest
from openstack.exceptions import SDKException

from govcloud.engine.cleanup import remove_leftovers
from govcloud.engine.cloudfind import CloudFinder
from govcloud.engine.services import check_services, services_for
from govcloud.errors import EngineError
from govcloud.lab.openstack import ADMIN_CLOUD
from govcloud.lab.openstack.clouds import TENANT_CLOUD
from govcloud.stackgraph import tokens as t

pytestmark = pytest.mark.integration
TAGS = ["govcloud:managed", "dept:lookup-test"]


@pytest.fixture
def admin(connector):
    return connector(ADMIN_CLOUD)


@pytest.fixture
def project(admin):
    """A department-like project, removed with everything in it at the end."""
    name = f"lookup-{secrets.token_hex(3)}"
    created = admin.identity.create_project(name=name, domain_id="default", tags=TAGS)
    yield created
    admin.identity.delete_project(created, ignore_missing=True)
    remove_leftovers(admin, [created.id])
    assert _groups_of(admin, created.id) == []


def _groups_of(admin, project_id: str) -> list[str]:
    # Unfiltered: listing with a project filter makes Neutron create the project's `default` group.
    return [g.name for g in admin.network.security_groups() if g.project_id == project_id]


def _cleanup_network(admin, network) -> None:
    for port in admin.network.ports(network_id=network.id):
        if port.device_owner == "network:router_interface":
            admin.network.remove_interface_from_router(port.device_id, port_id=port.id)
    admin.network.delete_network(network, ignore_missing=True)


def test_objects_are_found_by_name_and_tags_and_nameless_ones_by_what_they_join(admin, project):
    finder = CloudFinder(admin)
    name = project.name
    network = admin.network.create_network(name=f"{name}-app", project_id=project.id)
    admin.network.set_tags(network, TAGS)
    router = admin.network.create_router(name=f"{name}-router", project_id=project.id)
    group = admin.network.create_security_group(name=f"{name}-baseline", project_id=project.id)
    try:
        subnet = admin.network.create_subnet(name=f"{name}-app-v4", network_id=network.id, ip_version=4,
                                             cidr="192.0.2.0/26", project_id=project.id)
        admin.network.add_interface_to_router(router, subnet_id=subnet.id)
        rule = admin.network.create_security_group_rule(security_group_id=group.id, direction="ingress",
                                                        ether_type="IPv4", protocol="tcp", port_range_min=22,
                                                        port_range_max=22, remote_ip_prefix="192.0.2.0/26")
        assert finder.find(t.PROJECT, {"name": name, "tags": TAGS}) == [project.id]
        assert finder.find(t.NETWORK, {"name": f"{name}-app", "tenantId": project.id, "tags": TAGS}) == [network.id]
        assert finder.find(t.NETWORK, {"name": f"{name}-app", "tags": [*TAGS, "dept:someone-else"]}) == []
        assert finder.find(t.SUBNET, {"name": f"{name}-app-v4", "networkId": network.id}) == [subnet.id]
        assert finder.find(t.ROUTER, {"name": f"{name}-router", "tenantId": project.id}) == [router.id]
        [port] = finder.find(t.ROUTER_INTERFACE, {"routerId": router.id, "subnetId": subnet.id})
        assert admin.network.get_port(port).device_id == router.id
        inputs = {"securityGroupId": group.id, "direction": "ingress", "ethertype": "IPv4", "protocol": "tcp",
                  "portRangeMin": 22, "portRangeMax": 22, "remoteIpPrefix": "192.0.2.0/26"}
        assert finder.find(t.SEC_GROUP_RULE, inputs) == [rule.id]
        assert finder.find(t.SEC_GROUP_RULE, {**inputs, "portRangeMin": 3389, "portRangeMax": 3389}) == []
    finally:
        _cleanup_network(admin, network)
        admin.network.delete_router(router, ignore_missing=True)
    assert finder.find(t.NETWORK, {"name": f"{name}-app", "tags": TAGS}) == []


def test_an_extranet_scope_shared_by_rbac_serves_its_department_and_refuses_other_tenants(admin, project,
                                                                                           connector):
    scope = admin.network.create_address_scope(name=f"{project.name}-extranet-v4", ip_version=4, shared=False)
    grant = pool = None
    try:
        grant = admin.network.create_rbac_policy(object_type="address_scope", object_id=scope.id,
                                                 action="access_as_shared", target_project_id=project.id)
        finder = CloudFinder(admin)
        assert finder.find(t.RBAC_POLICY, {"objectId": scope.id, "targetTenant": project.id,
                                           "action": "access_as_shared"}) == [grant.id]
        # What the department tenant component does: the department's pool in the scope.
        pool = admin.network.create_subnet_pool(name=f"{project.name}-v4", project_id=project.id,
                                                address_scope_id=scope.id, prefixes=["198.51.100.0/24"],
                                                min_prefixlen=26, default_prefixlen=26)
        assert pool.address_scope_id == scope.id
        # The lab's incident: another tenant puts a pool into the extranet's scope.
        tenant = connector(TENANT_CLOUD)
        with pytest.raises(SDKException) as refused:
            tenant.network.create_subnet_pool(name=f"{project.name}-intruder", prefixes=["198.51.100.64/26"],
                                              address_scope_id=scope.id, min_prefixlen=26)
        assert getattr(refused.value, "status_code", None) in (403, 404), refused.value
        assert not list(admin.network.subnet_pools(name=f"{project.name}-intruder"))
    finally:
        if pool is not None:
            admin.network.delete_subnet_pool(pool, ignore_missing=True)
        if grant is not None:
            admin.network.delete_rbac_policy(grant, ignore_missing=True)
        admin.network.delete_address_scope(scope, ignore_missing=True)


def test_the_default_group_a_deleted_project_leaves_is_removed(admin, project):
    admin.network.create_security_group(name=f"{project.name}-baseline", project_id=project.id)
    assert "default" in _groups_of(admin, project.id)  # Neutron made it: no stack ever did
    assert remove_leftovers(admin, [project.id]) == []  # the project still exists: its groups stay
    admin.identity.delete_project(project)
    removed = remove_leftovers(admin, [project.id])
    assert any("'default'" in line for line in removed)
    assert _groups_of(admin, project.id) == []


def test_every_service_a_stack_needs_is_asked_and_a_stopped_neutron_is_named(admin):
    from govcloud.lab.openstack import lab_up
    from govcloud.lab.openstack.api import _generic
    from govcloud.lab.openstack.statedir import lab_paths_from_env
    from govcloud.lab.openstack.supervisor import stop

    needed = services_for([t.PROJECT, t.NETWORK, t.INSTANCE, t.VOLUME])
    check_services(admin, needed)
    assert stop(lab_paths_from_env(), _generic("neutron-server"))
    try:
        with pytest.raises(EngineError) as caught:
            check_services(admin, needed)
        assert caught.value.message.startswith("Neutron (network service) at http://127.0.0.1:")
        assert "lab status" in caught.value.fix
    finally:
        assert lab_up().up  # starts what is missing
    check_services(admin, needed)
