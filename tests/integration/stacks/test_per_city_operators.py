"""Per-city operators on the lab: the lab model with an operator declared for each city
(``operators:``), the bases run by the provincial team, city A's stack run by city A's operator
with their own clouds.yaml, and the same operator turned away from city B at every layer that
can refuse: govcloud before the engine starts (Keystone gives no token for city B's project; the
base needs an administrator), Keystone itself, and Neutron on city B's objects.

The stacks run from a throw-away copy of the project (support.projects) on a throw-away file
backend, with the provincial departments and the legacy systems left out of the model (the
province stack then holds only the scopes and its transit). The lab's overlay makes the operators'
Keystone users and one clouds.yaml each (`govcloud lab up --env lab` on the copy). Everything is
destroyed at the end, city A's stack by its operator."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import openstack.config
import openstack.connection
import pytest
import yaml
from keystoneauth1 import exceptions as ks
from keystoneauth1 import session
from keystoneauth1.identity import v3
from openstack import exceptions as sdk

from govcloud.ipam import plan_environment
from govcloud.model import load_environment
from govcloud.stackgraph import plan_stack
from govcloud.stackgraph import tokens as t
from support.operated import declare_operators, keep_only_city_tenants
from support.projects import copy_lab_project

pytestmark = pytest.mark.integration

ADMIN = "govcloud-lab-admin"
CITY_A, CITY_B = "govcloud-lab-city-a", "govcloud-lab-city-b"
BASES = ("lab-province", "lab-city-a-base", "lab-city-b-base")


def govcloud(project: Path, *args: str, timeout: int = 1800) -> subprocess.CompletedProcess:
    command = [str(Path(sys.executable).parent / "govcloud"), *args]
    return subprocess.run(command, cwd=project, capture_output=True, text=True, timeout=timeout)


def _ok(done: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert done.returncode == 0, f"{' '.join(done.args[1:])} failed:\n{done.stderr[-4000:]}"
    return done


def _connect(clouds_yaml: Path, cloud: str) -> openstack.connection.Connection:
    config = openstack.config.OpenStackConfig(config_files=[str(clouds_yaml)], load_envvars=False)
    return openstack.connection.Connection(config=config.get_one(cloud=cloud, region_name="RegionCityA"))


@pytest.fixture(scope="module")
def operated_lab(tmp_path_factory, engine, clouds_yaml):
    base = tmp_path_factory.mktemp("operators")
    project = copy_lab_project(base / "project")
    env = project / "inventories" / "lab"
    keep_only_city_tenants(env)
    declare_operators(env, "city-a", users=("city-a-ops",), cloud=CITY_A)
    declare_operators(env, "city-b", users=("city-b-ops",), cloud=CITY_B)
    for city in ("city-a", "city-b"):  # the bases' settings: the city stacks' (region, no BGP in this lab)
        shutil.copy(project / "stacks" / f"Pulumi.lab-{city}.yaml", project / "stacks" / f"Pulumi.lab-{city}-base.yaml")
    started = time.monotonic()
    lab = json.loads(_ok(govcloud(project, "lab", "up", "--env", "lab", "--format", "json")).stdout)
    operators = {cloud: Path(path) for cloud, path in lab["operators"].items()}
    assert set(operators) == {CITY_A, CITY_B}
    (base / "state").mkdir()
    common = ["--env", "lab", "--backend", (base / "state").as_uri()]
    admin = [*common, "--clouds-yaml", str(clouds_yaml)]
    stacks = [arg for name in BASES for arg in ("--stack", name)]
    try:
        _ok(govcloud(project, "up", *admin, *stacks, "--format", "json"))
        print(f"province and both bases up in {time.monotonic() - started:.0f} s")
        yield project, common, admin, operators, base / "state"
    finally:
        destroyed = govcloud(project, "destroy", *common, "--stack", "lab-city-a",
                             "--clouds-yaml", str(operators[CITY_A]))
        _ok(govcloud(project, "destroy", *admin, *stacks))
        _ok(destroyed)  # the operator destroys their own stack (checked after the bases are gone either way)
        print(f"whole test, from the lab overlay to the last destroy: {time.monotonic() - started:.0f} s")


def test_city_a_s_operator_runs_city_a_s_stack_and_is_refused_city_b(operated_lab, clouds_yaml):
    project, common, admin_args, operators, state = operated_lab
    as_a = [*common, "--clouds-yaml", str(operators[CITY_A])]

    up = json.loads(_ok(govcloud(project, "up", *as_a, "--stack", "lab-city-a", "--format", "json")).stdout)
    assert up["stacks"][0]["changes"]["create"] == 35
    admin = _connect(clouds_yaml, ADMIN)
    member = admin.identity.find_role("member")
    ops = admin.identity.find_user("city-a-ops")
    for dept in ("city-a-edu", "county-a1-agri"):
        project_id = admin.identity.find_project(dept).id
        network = admin.network.find_network(f"{dept}-business")
        assert network is not None and network.project_id == project_id, dept
        groups = {g.name: g.project_id for g in admin.network.security_groups(project_id=project_id)}
        assert groups.get(f"{dept}-baseline") == project_id and groups.get(f"{dept}-mgmt") == project_id
        roles = {a.role["id"] for a in admin.identity.role_assignments(user_id=ops.id, scope_project_id=project_id)}
        assert roles == {member.id}, dept  # member, never admin
    again = json.loads(_ok(govcloud(project, "preview", *as_a, "--stack", "lab-city-a", "--format", "json")).stdout)
    assert {k: n for k, n in again["stacks"][0]["changes"].items() if k != "same" and n} == {}
    _created_as_planned(project, common, state.parent / "lab-city-a.json")
    # Drift reads the stack through its providers, with the operator's login: nothing differs.
    drift = govcloud(project, "drift", *as_a, "--stack", "lab-city-a", "--no-routers", "--format", "json")
    assert drift.returncode == 0, drift.stdout[-3000:] + drift.stderr[-3000:]

    # City B's stack with city A's operator's login: Keystone gives no token for its project.
    refused = govcloud(project, "up", *as_a, "--stack", "lab-city-b", "--cloud", CITY_A)
    told = " ".join(refused.stderr.split())
    assert refused.returncode == 2, told
    assert ("Keystone gives user 'city-a-ops' (cloud 'govcloud-lab-city-a') no token for project 'city-b-civil' "
            "of stack lab-city-b") in told and "nothing was changed" in told, told
    assert not list(state.rglob("lab-city-b.json*")), "the refused run wrote city B's state"
    # City B's base (projects, routers, gateways) needs an administrator.
    refused = govcloud(project, "up", *as_a, "--stack", "lab-city-b-base", "--cloud", CITY_A)
    assert refused.returncode == 2 and "logs in without the admin role" in " ".join(refused.stderr.split())


def _created_as_planned(project: Path, common: list[str], exported: Path) -> None:
    """The engine made the offline plan of lab-city-a: every spec's URN is in the state, and every
    department object went through the provider of its department's project."""
    _ok(govcloud(project, "state", "export", *common, "--stack", "lab-city-a", "--output", str(exported)))
    state = {r["urn"]: r for r in json.loads(exported.read_text(encoding="utf-8"))["deployment"]["resources"]}
    environment = load_environment("lab", project)
    graph = plan_stack(environment.province, plan_environment(environment), "lab", "lab-city-a")
    by_name = graph.by_name()
    assert {graph.urn(spec) for spec in graph.resources} <= set(state)
    for spec in graph.resources:
        recorded = state[graph.urn(spec)]
        if spec.type == t.PROVIDER:
            assert recorded["inputs"]["tenantName"] == spec.parent, spec.name
        elif spec.provider is not None:
            assert recorded["provider"].rsplit("::", 1)[0] == graph.urn(by_name[spec.provider]), spec.name


def test_city_a_s_operator_gets_no_token_for_city_b_and_neutron_refuses_its_objects(operated_lab, clouds_yaml):
    """Past govcloud: Keystone and Neutron themselves, asked directly with city A's operator's login."""
    _, _, _, operators, _ = operated_lab
    auth = yaml.safe_load(operators[CITY_A].read_text(encoding="utf-8"))["clouds"][CITY_A]["auth"]
    with pytest.raises(ks.Unauthorized) as keystone:
        session.Session(auth=v3.Password(**{**auth, "project_name": "city-b-civil"})).get_token()
    assert keystone.value.http_status == 401
    admin = _connect(clouds_yaml, ADMIN)
    city_b = admin.identity.find_project("city-b-civil").id
    router = admin.network.find_router("city-b-civil-router", ignore_missing=False)
    transit = admin.network.find_network("transit-city-b", ignore_missing=False)
    as_a = _connect(operators[CITY_A], CITY_A)
    own_subnet = as_a.network.find_subnet("city-a-edu-business-v4", ignore_missing=False)

    refusals = {
        # Neutron takes a project other than the token's only from an admin.
        "a network in city B's project": (400, lambda: as_a.network.create_network(name="intruder", project_id=city_b)),
        # City B's router is not even visible to city A's operator.
        "an interface on city B's router": (404, lambda: as_a.network.add_interface_to_router(
            router.id, subnet_id=own_subnet.id)),
        "deleting city B's router": (404, lambda: as_a.network.delete_router(router.id, ignore_missing=False)),
        # City B's transit is visible (external) but only the admin may change it or plug into it.
        "renaming city B's transit": (403, lambda: as_a.network.update_network(transit.id, name="hijacked")),
        "a port on city B's transit": (403, lambda: as_a.network.create_port(network_id=transit.id)),
    }
    for what, (status, attempt) in refusals.items():
        with pytest.raises(sdk.HttpException) as refused:
            attempt()
        assert refused.value.status_code == status, f"{what}: {refused.value}"
    assert admin.network.get_router(router.id).name == "city-b-civil-router"
    assert admin.network.get_network(transit.id).name == "transit-city-b"
    assert admin.network.find_network("intruder") is None
