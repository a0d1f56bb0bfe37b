"""An empty state over existing govcloud objects: `up` refuses and names them."""

from __future__ import annotations

from pathlib import Path

from govcloud.engine.adoption import existing_objects, refuse_existing, state_is_empty
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
