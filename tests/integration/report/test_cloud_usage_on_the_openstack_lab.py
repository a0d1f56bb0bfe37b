"""The cloud usage collector against the live OpenStack lab: a department of its own (added to the
copied model, so nothing collides with what stacks deploy), its project given quotas and a known
set of resources (a server, volumes, networks, a subnet, ports, a router, a security group), then
`govcloud report --measure-cloud` must record exactly that use against exactly those quotas, and
the supervision data must flag the department by it."""

from __future__ import annotations

import json
import secrets

import pytest

from govcloud.model import load_folder

pytestmark = pytest.mark.integration

FLAVOR = "m1.tiny"  # 1 vCPU, 512 MB (the lab's seed)
QUOTAS = {"instances": 2, "cores": 1, "ram_mb": 2048, "volumes": 4, "gigabytes": 10, "networks": 4}


@pytest.fixture(scope="module")
def department(project) -> str:
    """A department of this test's own, hosted by the province node."""
    code = f"usage-{secrets.token_hex(3)}"
    quotas = ", ".join(f"{k}: {v}" for k, v in QUOTAS.items())
    with (project / "inventories" / "lab" / "departments.yaml").open("a", encoding="utf-8") as model:
        model.write(f"  - code: {code}\n    name: 用量测试局\n    tier: province\n    node: province\n"
                    f"    site: core\n    mlps_level: 2\n    quotas: {{{quotas}}}\n")
    environment = load_folder(project / "inventories" / "lab", name="lab")
    assert code in {d.code for d in environment.province.departments}
    return code


@pytest.fixture(scope="module")
def created(connector, department):
    """The department's project with its quotas and resources; removed afterwards."""
    admin = connector("govcloud-lab-admin")
    project = admin.identity.create_project(name=department, description="usage collector test")
    user = admin.current_user_id
    for role in ("admin", "member"):
        found = admin.identity.find_role(role)
        if found is not None:
            admin.identity.assign_project_role_to_user(project, user, found)
    admin.set_compute_quotas(project.id, instances=QUOTAS["instances"], cores=QUOTAS["cores"], ram=QUOTAS["ram_mb"])
    admin.set_volume_quotas(project.id, volumes=QUOTAS["volumes"], gigabytes=QUOTAS["gigabytes"])
    admin.network.update_quota(project.id, networks=QUOTAS["networks"])
    conn = admin.connect_as_project(department)  # a string is taken as the project's name
    made: dict = {"project": project}
    try:
        made["networks"] = [conn.network.create_network(name=f"{department}-{i}") for i in range(2)]
        made["subnet"] = conn.network.create_subnet(network_id=made["networks"][0].id, ip_version=4,
                                                    cidr="192.0.2.0/26", enable_dhcp=False)
        made["ports"] = [conn.network.create_port(network_id=made["networks"][1].id) for _ in range(3)]
        made["router"] = conn.network.create_router(name=f"{department}-router")
        made["group"] = conn.network.create_security_group(name=f"{department}-sg")
        made["volumes"] = [conn.block_storage.create_volume(size=size, name=f"{department}-v{size}")
                           for size in (1, 2)]
        for volume in made["volumes"]:
            conn.block_storage.wait_for_status(volume, status="available", failures=["error"], wait=120)
        flavor = conn.compute.find_flavor(FLAVOR)
        image = conn.image.find_image("govcloud-lab-raw")
        server = conn.compute.create_server(name=f"{department}-vm", flavor_id=flavor.id, image_id=image.id,
                                            networks=[{"uuid": made["networks"][0].id}])
        made["server"] = conn.compute.wait_for_server(server, status="ACTIVE", failures=["ERROR"], wait=180)
        made["flavor"] = flavor
        yield made
    finally:
        _remove(conn, admin, made)


def _remove(conn, admin, made) -> None:
    try:
        if "server" in made:
            conn.compute.delete_server(made["server"])
            conn.compute.wait_for_delete(made["server"], wait=120)
        for volume in made.get("volumes", ()):
            conn.block_storage.delete_volume(volume)
            conn.block_storage.wait_for_delete(volume, wait=120)
        project = made["project"].id
        for port in admin.network.ports(project_id=project):
            admin.network.delete_port(port)
        for router in admin.network.routers(project_id=project):
            admin.network.delete_router(router)
        for network in admin.network.networks(project_id=project):  # its subnets go with it
            admin.network.delete_network(network)
        for group in admin.network.security_groups(project_id=project):  # ours and Neutron's default
            admin.network.delete_security_group(group)
    finally:
        admin.identity.delete_project(made["project"])


@pytest.fixture(scope="module")
def measured(created, govcloud, clouds_yaml, department):
    done = govcloud("report", "--env", "lab", "--measure-cloud", "--clouds-yaml", str(clouds_yaml),
                    "--no-policy", "--format", "json")
    assert done.returncode == 0, done.stderr
    assert "live usage recorded" in done.stderr  # stdout is the JSON alone
    return json.loads(done.stdout)


def test_usage_equals_what_the_test_created(measured, created, department):
    row = next(d for d in measured["supervision"]["departments"] if d["code"] == department)
    usage = {k: (u["used"], u["limit"]) for k, u in row["usage"].items()}
    flavor = created["flavor"]
    assert usage["instances"] == (1, QUOTAS["instances"])
    assert usage["cores"] == (flavor.vcpus, QUOTAS["cores"])
    assert usage["ram_mb"] == (flavor.ram, QUOTAS["ram_mb"])
    assert usage["volumes"] == (2, QUOTAS["volumes"])
    assert usage["gigabytes"] == (1 + 2, QUOTAS["gigabytes"])
    assert usage["networks"] == (2, QUOTAS["networks"])
    assert usage["subnets"][0] == 1 and usage["routers"][0] == 1
    assert usage["ports"][0] == 3 + 1  # three made here, one for the server
    assert usage["security_groups"][0] == 2  # ours and the default one Neutron makes per project


def test_the_department_is_flagged_by_its_measured_use(measured, department):
    row = next(d for d in measured["supervision"]["departments"] if d["code"] == department)
    assert row["worst"] == 1.0 and row["flag"] == "near"  # all of its one core in use
    province = next(n for n in measured["supervision"]["nodes"] if n["code"] == "province")
    assert province["not_measured"] is None and province["used"]["vcpu"] >= 1
