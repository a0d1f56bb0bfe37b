"""A stack check in a preview sees each created resource's outputs, and the provider reports the
ones it computes as unknown: a router created without a gateway shows ``externalNetworkId``
unknown. That is no gateway (a real one is known or depends on another resource), so
`govcloud preview` of a fresh stack is not blocked by the gateway rules (it was, by GOV-EXIT-001
and GOV-EXIT-005, on the lab's management routers)."""

from __future__ import annotations

import pytest
from policy_fixtures import engine_names, fixture_context, graph_from_fixture

from govcloud.policy.registry import rule_by_id

GATEWAY_RULES = ("GOV-EXIT-001", "GOV-EXIT-005", "GOV-XNET-001", "GOV-NET-009")
TAGS = ["dept:city-a-edu", "mlps:2", "govcloud:managed"]


def _stack(gateway: dict | None):
    router_inputs = {"tags": [*TAGS, "purpose:management"]}
    if gateway is not None:
        router_inputs["externalNetworkId"] = gateway
    return graph_from_fixture("fx-city-a", [
        {"type": "component", "name": "edu"},
        {"type": "network", "name": "edu-mgmt", "parent": "edu", "inputs": {"tags": [*TAGS, "purpose:management"]}},
        {"type": "subnet", "name": "edu-mgmt-v4", "parent": "edu",
         "inputs": {"networkId": {"$ref": "edu-mgmt"}, "ipVersion": 4, "cidr": "198.19.64.0/24", "tags": TAGS}},
        {"type": "router", "name": "edu-mgmt-router", "parent": "edu", "inputs": router_inputs},
        {"type": "router-if", "name": "edu-mgmt-if", "parent": "edu",
         "inputs": {"routerId": {"$ref": "edu-mgmt-router"}, "subnetId": {"$ref": "edu-mgmt-v4"}}},
    ])


@pytest.mark.parametrize("rule_id", GATEWAY_RULES)
def test_a_gateway_the_provider_computes_is_no_gateway_in_a_preview(rule_id):
    computed = {"edu-mgmt-router": {"externalNetworkId"}}
    assert engine_names(rule_by_id(rule_id), _stack(None), fixture_context(), computed) == []


@pytest.mark.parametrize("rule_id", GATEWAY_RULES)
def test_a_gateway_on_a_network_of_the_stack_is_still_seen_while_unknown(rule_id):
    # The same router given a gateway on a network this stack creates (unknown in a preview, with
    # the dependency recorded): every gateway rule still judges it.
    computed = {"edu-mgmt-router": {"externalNetworkId"}}
    assert engine_names(rule_by_id(rule_id), _stack({"$ref": "edu-mgmt"}), fixture_context(),
                        computed) == ["edu-mgmt-router"]
