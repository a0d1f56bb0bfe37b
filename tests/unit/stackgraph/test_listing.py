"""The offline plan's listing: every reference an input holds becomes a dependency, wherever it sits."""

from __future__ import annotations

from types import MappingProxyType

from govcloud.stackgraph import tokens as t
from govcloud.stackgraph.listing import encode, graph_to_json
from govcloud.stackgraph.spec import Lookup, Ref, ResourceSpec, StackGraph, StackOutputRef


def _graph(*specs: ResourceSpec) -> dict:
    return graph_to_json(StackGraph("govcloud", "fx", (ResourceSpec(t.PROJECT, "project"),
                                                       ResourceSpec(t.NETWORK, "net"), *specs)))


def _urn(type_: str, name: str) -> str:
    return f"urn:pulumi:fx::govcloud::{type_}::{name}"


def test_a_ref_inside_a_lookup_s_arguments_is_a_dependency() -> None:
    """The engine resolves the lookup with the referred output, so it waits for that resource."""
    lookup = Lookup(t.GET_NETWORK, (("name", "public"), ("tenant_id", Ref("project"))))
    listed = _graph(ResourceSpec(t.SUBNET, "s", {"networkId": lookup}))["resources"][-1]
    assert listed["dependencies"] == [_urn(t.PROJECT, "project")]
    assert listed["inputs"] == {"networkId": {"$lookup": t.GET_NETWORK, "attr": "id",
                                              "args": {"name": "public", "tenant_id": {"$ref": "project.id"}}}}


def test_refs_in_a_read_only_mapping_are_encoded_and_are_dependencies() -> None:
    inputs = MappingProxyType({"networkId": Ref("net"), "meta": MappingProxyType({"owner": Ref("project", "name"),
                                                                                 "size": 1})})
    listed = _graph(ResourceSpec(t.SUBNET, "s", inputs))["resources"][-1]
    assert listed["inputs"] == {"networkId": {"$ref": "net.id"}, "meta": {"owner": {"$ref": "project.name"},
                                                                          "size": 1}}
    assert listed["dependencies"] == [_urn(t.NETWORK, "net"), _urn(t.PROJECT, "project")]


def test_encoding_keeps_plain_values_and_names_every_reference() -> None:
    refs: list[str] = []
    value = {"a": [1, "x", None, Ref("net"), (Ref("project", "name"),)], "b": StackOutputRef("fx-province", "o"),
             "c": {"d": 0.5}}
    assert encode(value, refs) == {"a": [1, "x", None, {"$ref": "net.id"}, [{"$ref": "project.name"}]],
                                   "b": {"$stackOutput": "fx-province#o"}, "c": {"d": 0.5}}
    assert refs == ["net", "project"]
