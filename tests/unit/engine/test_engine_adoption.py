"""An empty state over existing govcloud objects: `up` refuses and names them."""

from __future__ import annotations

from pathlib import Path

import pytest

from govcloud.engine.adoption import existing_objects, plan_adoption, plan_takeover, refuse_existing, state_is_empty
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


class CreatedFinder(JoinFinder):
    """Answers what a pending create's lookup asks (find_created), and records the inputs it was given."""

    def __init__(self, existing, untagged=()):
        super().__init__(existing)
        self.inputs: dict[str, dict] = {}
        self.untagged = set(untagged)

    def find_created(self, type_, inputs):
        self.inputs[inputs.get("name")] = dict(inputs)
        if (type_, inputs.get("name")) in self.untagged:
            return [f"untagged-{inputs['name']}"], True
        return self.find(type_, inputs), False


def _in_state(graph, *names: str, ids: dict | None = None) -> dict:
    by_name = graph.by_name()
    return {"resources": [{"urn": graph.urn(by_name[name]), "type": by_name[name].type, "custom": True,
                           "id": (ids or {}).get(name, f"{name}-id")} for name in names]}


def test_a_take_over_looks_up_only_what_the_state_lacks_joined_through_the_states_ids():
    graph = _graph()
    by_name = graph.by_name()
    network, subnet = by_name["prov-gov-office-business-net"], by_name["prov-gov-office-business-v4"]
    finder = CreatedFinder({(t.NETWORK, network.inputs["name"]): "n-1", (t.SUBNET, subnet.inputs["name"]): "s-1",
                            (t.PROJECT, "prov-gov-office"): "p-other"})
    state = _in_state(graph, "prov-gov-office-project", "prov-gov-office-pool-v4",
                      ids={"prov-gov-office-project": "p-1"})
    taken = plan_takeover(graph, state, finder)
    assert taken[network.name] == "n-1" and taken[subnet.name] == "s-1"
    assert "prov-gov-office-project" not in taken and "prov-gov-office" not in finder.inputs  # the state holds it
    assert finder.inputs[network.inputs["name"]]["tenantId"] == "p-1"  # the state's project, not a guess
    assert finder.inputs[subnet.inputs["name"]]["networkId"] == "n-1"  # the object just taken over


def test_a_take_over_never_looks_for_what_joins_something_never_made():
    graph = _graph()
    # The second department's project is neither in the state nor found: its network, though a
    # network of that name exists, cannot be the dead run's.
    finder = CreatedFinder({(t.NETWORK, "prov-health-business"): "n-someone-else"})
    taken = plan_takeover(graph, _in_state(graph, "prov-gov-office-project"), finder)
    assert "prov-health-business-net" not in taken and "prov-health-business" not in finder.inputs


def test_a_take_over_finds_a_create_killed_before_its_tag_call_in_the_creates_project():
    graph = _graph()
    finder = CreatedFinder({}, untagged={(t.NETWORK, "prov-gov-office-business")})
    taken = plan_takeover(graph, _in_state(graph, "prov-gov-office-project"), finder)
    assert taken["prov-gov-office-business-net"] == "untagged-prov-gov-office-business"


def test_a_take_over_refuses_an_object_found_twice():
    graph = _graph()
    with pytest.raises(EngineError) as caught:
        plan_takeover(graph, _in_state(graph, "prov-gov-office-project"),
                      CreatedFinder({(t.NETWORK, "prov-gov-office-business"): ["n-1", "n-2"]}))
    assert "n-1, n-2" in caught.value.message and "run `up` again" in caught.value.fix


def test_a_take_over_of_a_whole_state_finds_nothing_to_take():
    graph = _graph()
    finder = CreatedFinder({(t.NETWORK, "transit-province"): "n-1"})
    everything = _in_state(graph, *(spec.name for spec in graph.resources))
    assert plan_takeover(graph, everything, finder) == {} and finder.asked == []
