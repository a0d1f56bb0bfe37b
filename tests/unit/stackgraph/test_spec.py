"""References among specs, however deeply an input nests them, and the URNs the engine gives."""

from __future__ import annotations

from types import MappingProxyType

from govcloud.stackgraph import tokens as t
from govcloud.stackgraph.spec import Lookup, Ref, ResourceSpec, StackGraph, StackOutputRef, refs_in, stack_output_refs

NESTED = {
    "name": "x", "size": 1, "enabled": True, "ratio": 0.5, "none": None,
    "networkId": Ref("net"),
    "networks": [{"uuid": Ref("net-b")}, "plain"],
    "pair": (Ref("group", "name"), 3),
    "scopeId": StackOutputRef("fx-province", "addressScopeV4Id"),
    "lookup": Lookup(t.GET_NETWORK, (("name", "public"), ("tenant", Ref("project")),
                                     ("scope", StackOutputRef("fx-province", "projectId")))),
    "frozen": MappingProxyType({"deep": [[Ref("deepest")]], "far": StackOutputRef("fx-province", "transit")}),
}


def test_every_ref_is_found_in_mappings_lists_tuples_and_lookups_in_input_order() -> None:
    expected = [Ref("net"), Ref("net-b"), Ref("group", "name"), Ref("project"), Ref("deepest")]
    assert list(refs_in(NESTED)) == expected
    assert list(ResourceSpec(t.INSTANCE, "vm", NESTED).refs()) == expected


def test_every_stack_output_ref_is_found_and_no_ref_is_taken_for_one() -> None:
    assert list(stack_output_refs(NESTED)) == [StackOutputRef("fx-province", "addressScopeV4Id"),
                                               StackOutputRef("fx-province", "projectId"),
                                               StackOutputRef("fx-province", "transit")]
    assert list(stack_output_refs(Ref("net"))) == [] and list(refs_in(StackOutputRef("s", "o"))) == []


def test_a_reference_given_on_its_own_is_found_and_plain_values_hold_none() -> None:
    assert list(refs_in(Ref("net"))) == [Ref("net")]
    assert list(stack_output_refs(StackOutputRef("s", "o"))) == [StackOutputRef("s", "o")]
    for plain in ("net", 1, 0.5, True, None, [], {}, ["a", 1], {"a": "net"}):
        assert list(refs_in(plain)) == [] and list(stack_output_refs(plain)) == []


def test_a_urn_qualifies_the_type_with_every_ancestor_s_type() -> None:
    graph = StackGraph("govcloud", "fx-province", (
        ResourceSpec("govcloud:fx:Outer", "outer"),
        ResourceSpec("govcloud:fx:Inner", "inner", parent="outer"),
        ResourceSpec(t.NETWORK, "net", parent="inner"),
    ))
    urns = list(graph.urns())
    assert urns == ["urn:pulumi:fx-province::govcloud::govcloud:fx:Outer::outer",
                    "urn:pulumi:fx-province::govcloud::govcloud:fx:Outer$govcloud:fx:Inner::inner",
                    f"urn:pulumi:fx-province::govcloud::govcloud:fx:Outer$govcloud:fx:Inner${t.NETWORK}::net"]
