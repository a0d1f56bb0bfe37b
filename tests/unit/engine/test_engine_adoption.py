"""An empty state over existing govcloud objects: `up` refuses and names them."""

from __future__ import annotations

from pathlib import Path

import pytest

from govcloud.engine.adoption import existing_objects, plan_adoption, refuse_existing, state_is_empty
from govcloud.errors import EngineError
from govcloud.ipam import plan_environment
from govcloud.model import load_environment
from govcloud.stackgraph import plan_stack
from govcloud.stackgraph import tokens as t

ROOT = Path(__file__).resolve().parents[3]


class Finder:
    """A cloud holding one transit network and one project of the lab province, both tagged."""

    def __init__(self, existing: dict[tuple[str, str], str]):
        self.existing = existing
        self.asked: list[str] = []

    def can_find(self, type_):
        return True

    def find(self, type_, inputs):
        self.asked.append(type_)
        found = self.existing.get((type_, inputs["name"]))
        return [found] if found else []


def _graph():
    environment = load_environment("lab", ROOT)
    return plan_stack(environment.province, plan_environment(environment), "lab", "lab-province")


def test_an_empty_state_is_one_without_cloud_resources():
    assert state_is_empty({})
    assert state_is_empty({"resources": [{"type": "pulumi:pulumi:Stack", "custom": False},
                                         {"type": "pulumi:providers:openstack", "custom": True}]})
    assert not state_is_empty({"resources": [{"type": t.NETWORK, "custom": True}]})


def test_existing_objects_are_found_by_the_graphs_names_and_refused():
    graph = _graph()
    project = next(r for r in graph.resources if r.type == t.PROJECT)
    transit = next(r for r in graph.resources if r.type == t.NETWORK and r.name.startswith("transit-"))
    finder = Finder({(t.PROJECT, project.inputs["name"]): "p-1", (t.NETWORK, transit.inputs["name"]): "n-1"})
    found = existing_objects(graph, finder)
    assert sorted((obj.type, obj.ids) for obj in found) == sorted([(t.PROJECT, ("p-1",)), (t.NETWORK, ("n-1",))])
    assert t.SEC_GROUP_RULE not in finder.asked  # nameless resources go with their parents
    error = refuse_existing("lab-province", "file:///typo", found)
    assert "file:///typo" in error.message and "2 of its objects" in error.message
    assert "--backend" in error.fix


def test_a_clean_cloud_lets_the_first_up_proceed():
    assert existing_objects(_graph(), Finder({})) == []


class JoinFinder(Finder):
    """Also finds router interfaces, but only when given the IDs of both the router and the subnet."""

    def find(self, type_, inputs):
        self.asked.append(type_)
        if type_ == t.ROUTER_INTERFACE:
            joined = (inputs.get("routerId"), inputs.get("subnetId"))
            return [f"port-of-{joined[0]}-{joined[1]}"] if None not in joined else []
        found = self.existing.get((type_, inputs.get("name")))
        return found if isinstance(found, list) else [found] if found else []


def test_adoption_finds_named_objects_then_what_joins_them_by_their_ids():
    graph = _graph()
    interface = next(r for r in graph.resources if r.type == t.ROUTER_INTERFACE and "subnetId" in r.inputs)
    router, subnet = (graph.by_name()[interface.inputs[key].name] for key in ("routerId", "subnetId"))
    finder = JoinFinder({(t.ROUTER, router.inputs["name"]): "r-1", (t.SUBNET, subnet.inputs["name"]): "s-1"})
    adopted = plan_adoption(graph, finder)
    assert adopted[router.name] == "r-1" and adopted[subnet.name] == "s-1"
    assert adopted[interface.name] == "port-of-r-1-s-1"
    # An interface whose router was not found is not looked for with a guessed ID: it is created.
    others = [r for r in graph.resources if r.type == t.ROUTER_INTERFACE and r.name != interface.name
              and r.inputs["routerId"].name != router.name]
    assert others and all(r.name not in adopted for r in others)
    assert t.COMPUTE_QUOTA not in finder.asked  # setting a quota again is idempotent: nothing to import


def test_adoption_refuses_an_object_found_twice():
    graph = _graph()
    transit = next(r for r in graph.resources if r.type == t.NETWORK and r.name.startswith("transit-"))
    with pytest.raises(EngineError) as caught:
        plan_adoption(graph, JoinFinder({(t.NETWORK, transit.inputs["name"]): ["n-1", "n-2"]}))
    assert "n-1, n-2" in caught.value.message and "--adopt" in caught.value.fix


def test_the_refusal_offers_adoption():
    assert "govcloud up --adopt" in refuse_existing("lab-province", "file:///typo", []).fix
