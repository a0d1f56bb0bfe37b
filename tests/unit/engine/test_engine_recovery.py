"""Pending operations of a killed run: each create found by name and tags, imported or cleared."""

from __future__ import annotations

import io
from types import SimpleNamespace

import pytest

from govcloud.engine.cloudfind import CloudFinder
from pulumi.automation import EngineEvent, OpType, ResOpFailedEvent, StepEventMetadata, StepEventStateMetadata

from govcloud.engine.progress import Progress
from govcloud.engine.resume import (apply_resolutions, partly_created, pending_operations, plan_recovery,
                                   refresh_arguments, uncertain_create, with_uncertain_creates)
from govcloud.errors import EngineError
from govcloud.stackgraph import tokens as t

URN = "urn:pulumi:lab-province::govcloud::govcloud:cloud:DepartmentTenant${}::{}"
TAGS = ["dept:d1", "govcloud:managed", "mlps:3"]


def _op(type_: str, name: str, inputs: dict, kind: str = "creating") -> dict:
    return {"type": kind, "resource": {"urn": URN.format(type_, name), "type": type_, "inputs": inputs}}


class FakeNetwork:
    def __init__(self, networks=(), ports=(), rules=(), speakers=()):
        self._networks, self._ports, self._rules = list(networks), list(ports), list(rules)
        self._speakers = list(speakers)

    def bgp_speakers(self):
        return list(self._speakers)

    def networks(self, name=None, project_id=None):
        return [n for n in self._networks if n.name == name and project_id in (None, n.project_id)]

    def ports(self, device_id=None, name=None):
        return [p for p in self._ports if device_id in (None, p.device_id) and name in (None, getattr(p, "name", None))]

    def security_group_rules(self, security_group_id=None):
        return [r for r in self._rules if r.security_group_id == security_group_id]


def _finder(**network) -> CloudFinder:
    return CloudFinder(SimpleNamespace(network=FakeNetwork(**network), current_project_id="admin"))


def _net(id_, name, tags=TAGS, project="p1"):
    return SimpleNamespace(id=id_, name=name, tags=tags, project_id=project)


def test_a_create_that_happened_is_imported_one_that_did_not_is_cleared():
    deployment = {"pending_operations": [
        _op(t.NETWORK, "d1-app-net", {"name": "d1-app", "tenantId": "p1", "tags": TAGS}),
        _op(t.NETWORK, "d1-db-net", {"name": "d1-db", "tenantId": "p1", "tags": TAGS}),
        _op(t.NETWORK_QUOTA, "d1-network-quota", {"projectId": "p1", "port": 50}),
        _op(t.NETWORK, "d1-old-net", {"name": "d1-old"}, kind="deleting"),
    ]}
    finder = _finder(networks=[_net("n-app", "d1-app"), _net("n-other", "d1-db", tags=["dept:d2"])])
    plan = plan_recovery(pending_operations(deployment), finder)
    assert [(r.action, r.id) for r in plan] == [("import", "n-app"), ("clear", None), ("clear", None),
                                               ("refresh", None)]
    assert "imported" in plan[0].describe() and "had not been created" in plan[1].describe()


def test_an_object_of_the_same_name_in_another_project_or_with_other_tags_is_not_taken_for_ours():
    ops = pending_operations({"pending_operations": [
        _op(t.NETWORK, "d1-app-net", {"name": "d1-app", "tags": TAGS}),  # the run's own project: admin
        _op(t.NETWORK, "d1-db-net", {"name": "d1-db", "tenantId": "p1", "tags": TAGS})]})
    plan = plan_recovery(ops, _finder(networks=[_net("elsewhere", "d1-app", tags=[]),
                                                _net("foreign", "d1-db", tags=["owner:someone"])]))
    assert [r.action for r in plan] == ["clear", "clear"]


def test_a_create_killed_before_its_tag_call_is_imported_and_says_its_tags_come_next():
    # Neutron made the network; the provider's separate tag call never ran. Clearing it (as
    # recovery did) left an orphan and made the next run create a second network of the name.
    ops = pending_operations({"pending_operations": [
        _op(t.NETWORK, "d1-app-net", {"name": "d1-app", "tenantId": "p1", "tags": TAGS}),
        _op(t.NETWORK, "transit-net", {"name": "transit", "tags": TAGS})]})
    finder = _finder(networks=[_net("n-app", "d1-app", tags=[]), _net("n-transit", "transit", tags=None,
                                                                      project="admin")])
    plan = plan_recovery(ops, finder)
    assert [(r.action, r.id) for r in plan] == [("import", "n-app"), ("import", "n-transit")]
    assert "tags were never set" in plan[0].describe()


def test_untagged_objects_are_looked_for_only_when_the_tagged_one_is_missing_and_only_for_neutron():
    finder = _finder(networks=[_net("ours", "d1-app"), _net("bare", "d1-app", tags=[])])
    assert finder.find_created(t.NETWORK, {"name": "d1-app", "tenantId": "p1", "tags": TAGS}) == (["ours"], False)
    assert finder.find(t.NETWORK, {"name": "x", "tenantId": "p1", "tags": TAGS}) == []
    two_bare = _finder(networks=[_net("a", "d1-app", tags=[]), _net("b", "d1-app", tags=[])])
    with pytest.raises(EngineError, match="a, b"):
        plan_recovery(pending_operations({"pending_operations": [
            _op(t.NETWORK, "n", {"name": "d1-app", "tenantId": "p1", "tags": TAGS})]}), two_bare)


def test_duplicates_are_refused_naming_them():
    ops = pending_operations({"pending_operations": [
        _op(t.NETWORK, "d1-app-net", {"name": "d1-app", "tags": TAGS})]})
    with pytest.raises(EngineError) as caught:
        plan_recovery(ops, _finder(networks=[_net("a", "d1-app", project=None), _net("b", "d1-app", project=None)]))
    assert "a, b" in caught.value.message


def test_router_interfaces_and_rules_are_found_by_what_they_join():
    port = SimpleNamespace(id="port-1", device_id="r1", fixed_ips=[{"subnet_id": "s1", "ip_address": "192.0.2.1"}])
    rule = SimpleNamespace(id="rule-1", security_group_id="sg1", direction="ingress", ether_type="IPv4",
                           protocol="tcp", port_range_min=22, port_range_max=22, remote_ip_prefix="192.0.2.0/24",
                           remote_group_id=None)
    finder = _finder(ports=[port], rules=[rule])
    assert finder.find(t.ROUTER_INTERFACE, {"routerId": "r1", "subnetId": "s1"}) == ["port-1"]
    assert finder.find(t.ROUTER_INTERFACE, {"routerId": "r1", "subnetId": "s2"}) == []
    assert finder.find(t.ROUTER_INTERFACE, {"routerId": "r1", "portId": "port-1"}) == ["port-1"]  # an exit's
    assert finder.find(t.ROUTER_INTERFACE, {"routerId": "r2", "portId": "port-1"}) == []
    inputs = {"securityGroupId": "sg1", "direction": "ingress", "ethertype": "IPv4", "protocol": "tcp",
              "portRangeMin": 22, "portRangeMax": 22, "remoteIpPrefix": "192.0.2.0/24"}
    assert finder.find(t.SEC_GROUP_RULE, inputs) == ["rule-1"]
    assert finder.find(t.SEC_GROUP_RULE, {**inputs, "portRangeMin": 3389, "portRangeMax": 3389}) == []


def test_exit_ports_and_bgp_speakers_are_found_by_name():
    port = SimpleNamespace(id="port-2", name="exit-v4", device_id="", tags=["govcloud:managed"], fixed_ips=[])
    speaker = SimpleNamespace(id="bgp-1", name="province-bgp-v4")
    finder = _finder(ports=[port], speakers=[speaker, SimpleNamespace(id="bgp-2", name="other")])
    assert finder.find(t.PORT, {"name": "exit-v4", "tags": ["govcloud:managed"]}) == ["port-2"]
    assert finder.find(t.PORT, {"name": "exit-v6", "tags": ["govcloud:managed"]}) == []
    assert finder.find(t.BGP_SPEAKER, {"name": "province-bgp-v4"}) == ["bgp-1"]
    assert finder.can_find(t.BGP_PEER)


def test_every_named_type_of_a_stack_can_be_looked_up():
    from govcloud.engine.adoption import ADOPTABLE
    from govcloud.engine.cloudfind import FINDERS

    assert set(ADOPTABLE) <= set(FINDERS)


def test_secret_inputs_are_never_carried_into_the_lookup():
    [op] = pending_operations({"pending_operations": [_op(t.NETWORK, "n", {
        "name": "x", "password": {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
                                  "ciphertext": "v1:abc"}})]})
    assert op.inputs == {"name": "x", "password": None}


def test_imported_creates_become_resources_and_nothing_stays_pending():
    deployment = {"resources": [{"urn": "stack", "type": "pulumi:pulumi:Stack"}], "pending_operations": [
        _op(t.NETWORK, "d1-app-net", {"name": "d1-app", "tags": TAGS}),
        _op(t.NETWORK, "d1-db-net", {"name": "d1-db", "tags": TAGS}),
        _op(t.NETWORK, "d1-old-net", {"name": "d1-old"}, kind="deleting")]}
    plan = plan_recovery(pending_operations(deployment), _finder(networks=[_net("n-app", "d1-app", project=None)]))
    edited = apply_resolutions(deployment, plan)
    assert edited["pending_operations"] == []
    assert [(r["urn"].rsplit("::", 1)[-1], r.get("id")) for r in edited["resources"]] == [
        ("stack", None), ("d1-app-net", "n-app")]
    assert deployment["pending_operations"]  # the input is left as it was
    args = refresh_arguments("lab-province", plan, "/run/Pulumi.lab-province.yaml")
    targets = [args[i + 1] for i, arg in enumerate(args) if arg == "--target"]
    assert targets == [URN.format(t.NETWORK, "d1-app-net"), URN.format(t.NETWORK, "d1-old-net")]
    assert "--yes" in args and "--config-file" in args


def test_nothing_to_read_when_every_pending_create_was_cleared():
    ops = pending_operations({"pending_operations": [_op(t.NETWORK, "d1-db-net", {"name": "d1-db", "tags": TAGS})]})
    assert refresh_arguments("lab-province", plan_recovery(ops, _finder()), "/x") is None


def test_a_create_that_failed_part_way_is_read_again_before_the_next_up():
    """Neutron killed between a network's create and its tags: the engine keeps the network with
    ``initErrors`` and the tags it asked for, so without a read the next update sets nothing."""
    partial = {"urn": URN.format(t.NETWORK, "d1-app-net"), "id": "n-app", "initErrors": ["setting tags: EOF"]}
    whole = {"urn": URN.format(t.NETWORK, "d1-db-net"), "id": "n-db"}
    deployment = {"resources": [whole, partial], "pending_operations": [
        _op(t.NETWORK, "d1-old-net", {"name": "d1-old"}, kind="deleting"),
        _op(t.NETWORK, "d1-new-net", {"name": "d1-new", "tags": TAGS})]}
    [read_again] = partly_created(deployment)
    assert (read_again.urn, read_again.action) == (partial["urn"], "refresh")
    assert "failed part-way" in read_again.describe()
    plan = plan_recovery(pending_operations(deployment), _finder())
    args = refresh_arguments("lab-province", [*plan, *partly_created(deployment)], "/x")
    assert _targets(args) == [URN.format(t.NETWORK, "d1-old-net"), partial["urn"]]
    args = refresh_arguments("lab-province", [read_again, read_again], "/x")
    assert _targets(args) == [partial["urn"]]
    assert partly_created({"resources": [whole]}) == []


def _targets(args: list[str]) -> list[str]:
    return [args[i + 1] for i, arg in enumerate(args) if arg == "--target"]


def test_objects_are_looked_up_in_the_region_they_live_in(monkeypatch):
    """A DR pair's side b lives in another region than the stack's: its pending create is looked
    up there, not where the stack's own connection points."""
    import openstack

    from govcloud.engine.stackrun import CloudAccess

    volumes = {"RegionOne": [], "RegionCityA": [SimpleNamespace(id="v-b", name="app-b-data")]}

    class Volumes:
        def __init__(self, region):
            self.region = region

        def volumes(self, all_projects=True, name=None):
            return [v for v in volumes[self.region] if v.name == name]

    monkeypatch.setattr(openstack, "connect", lambda **kw: SimpleNamespace(block_storage=Volumes(kw["region_name"])))
    cloud = CloudAccess(SimpleNamespace(auth={}, region="RegionOne"), None)
    assert cloud.find(t.VOLUME, {"name": "app-b-data", "region": "RegionCityA"}) == ["v-b"]
    assert cloud.find(t.VOLUME, {"name": "app-b-data"}) == []  # the stack's own region


def _failed(op: OpType, type_: str, name: str, inputs: dict) -> EngineEvent:
    urn = URN.format(type_, name)
    new = StepEventStateMetadata(type=type_, urn=urn, id="", parent="urn:parent", provider="urn:provider::p-id",
                                 inputs=inputs)
    return EngineEvent(sequence=1, timestamp=0, res_op_failed_event=ResOpFailedEvent(
        StepEventMetadata(op=op, urn=urn, type=type_, provider="urn:provider::p-id", new=new), status=1, steps=1))


def test_a_create_that_failed_is_recovered_next_time_like_a_pending_one(tmp_path):
    """Neutron killed mid-request: the network was made but the answer lost (EOF), so the engine
    records a failed create and nothing else. The next run finds it by name and tags and imports it
    instead of making a second one; a failed update is no such doubt."""
    printer = Progress("lab-province", "up", io.StringIO(), quiet=True)
    printer.on_event(_failed(OpType.CREATE, t.NETWORK, "d1-app-net", {"name": "d1-app", "tenantId": "p1",
                                                                     "tags": TAGS}))
    printer.on_event(_failed(OpType.CREATE, t.NETWORK, "d1-db-net", {"name": "d1-db", "tenantId": "p1",
                                                                    "tags": TAGS}))
    printer.on_event(_failed(OpType.UPDATE, t.NETWORK, "d1-web-net", {"name": "d1-web"}))
    noted = [uncertain_create(metadata) for metadata in printer.failed_creates]
    assert [op["resource"]["urn"].rsplit("::", 1)[-1] for op in noted] == ["d1-app-net", "d1-db-net"]
    state = {"resources": [{"urn": URN.format(t.NETWORK, "d1-db-net"), "id": "n-db"}]}  # a later run made it
    deployment = with_uncertain_creates(state, noted)
    pending = pending_operations(deployment)
    assert [op.name for op in pending] == ["d1-app-net"]
    plan = plan_recovery(pending, _finder(networks=[_net("n-app", "d1-app")]))
    assert [(r.action, r.id) for r in plan] == [("import", "n-app")]
    imported = apply_resolutions(deployment, plan)["resources"][-1]
    assert (imported["id"], imported["provider"], imported["parent"]) == ("n-app", "urn:provider::p-id", "urn:parent")
