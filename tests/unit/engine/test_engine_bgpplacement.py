"""After `up` each of a stack's BGP speakers is on exactly one agent: one the scheduler put on two
is taken off all but the first; one on none goes to a live, enabled agent hosting none (its
previous one when free), never to a busy, dead or disabled one; an error names the speaker when no
agent is free, or when a binding did not hold. A speaker placed just now is not re-seated."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from bgp_agents import Agent, Network, connection

from govcloud.engine import stackrun
from govcloud.engine.automation import Operation
from govcloud.engine.bgpplacement import settle, stack_speakers
from govcloud.errors import EngineError
from govcloud.ipam import plan_environment
from govcloud.model import load_environment
from govcloud.stackgraph import plan_stack
from govcloud.stackgraph import tokens as t
from govcloud.stackgraph.options import options_from_config

ROOT = Path(__file__).resolve().parents[3]


def test_the_stacks_speakers_of_both_families_are_named():
    environment = load_environment("lab", ROOT)
    plan = plan_environment(environment)
    graph = plan_stack(environment.province, plan, "lab", "lab-city-b", options_from_config({}))
    assert sorted(stack_speakers(graph)) == ["city-b-bgp-v4", "city-b-bgp-v6"]
    quiet = plan_stack(environment.province, plan, "lab", "lab-city-b", options_from_config({"bgpSpeakers": "false"}))
    assert stack_speakers(quiet) == ()
    assert all(s.type != t.BGP_SPEAKER for s in quiet.resources)


def test_an_unhosted_speaker_goes_to_a_live_free_agent_and_a_hosted_one_stays():
    busy, dead, disabled = Agent("a1", "bgp1"), Agent("a2", "bgp2", is_alive=False), \
        Agent("a3", "bgp3", is_admin_state_up=False)
    free_b, free_a = Agent("a5", "bgp5"), Agent("a4", "bgp4")
    other = Agent("l3", "l3", agent_type="L3 agent")
    network = Network([busy, dead, disabled, free_b, other, free_a], {"city-b-bgp-v4": "s4", "city-b-bgp-v6": "s6"},
                      {"s4": [busy]})
    done = settle(connection(network), ["city-b-bgp-v4", "city-b-bgp-v6"])
    assert network.calls == [("add", "a4", "s6")]  # the first free agent by host name
    assert done.placed == ["city-b-bgp-v6"] and "city-b-bgp-v6" in done.lines[0] and "bgp4" in done.lines[0]


def test_two_unhosted_speakers_get_two_agents():
    network = Network([Agent("a1", "bgp1"), Agent("a2", "bgp2")], {"v4": "s4", "v6": "s6"}, {})
    assert settle(connection(network), ["v4", "v6"]).placed == ["v4", "v6"]
    assert network.calls == [("add", "a1", "s4"), ("add", "a2", "s6")]


def test_a_speaker_on_two_agents_keeps_the_first_and_frees_the_other_for_one_on_none():
    first, second = Agent("a1", "bgp1"), Agent("a2", "bgp2")
    network = Network([second, first], {"prov-v4": "p4", "city-b-v4": "c4"}, {"p4": [second, first]})
    done = settle(connection(network), ["prov-v4", "city-b-v4"])
    assert network.calls == [("remove", "a2", "p4"), ("add", "a2", "c4")]
    assert network.hosting == {"p4": [first], "c4": [second]}
    assert "prov-v4" in done.lines[0] and "2 agents" in done.lines[0] and done.placed == ["city-b-v4"]
    assert done.hosts == {"prov-v4": "bgp1", "city-b-v4": "bgp2"}


def test_a_speaker_on_none_prefers_its_previous_agent_when_free():
    agents = [Agent("a1", "bgp1"), Agent("a2", "bgp2")]
    network = Network(agents, {"v6": "s6"}, {})
    assert settle(connection(network), ["v6"], {"v6": "a2"}).hosts == {"v6": "bgp2"}


def test_a_binding_neutron_did_not_keep_is_an_engine_error():
    network = Network([Agent("a1", "bgp1")], {"v6": "s6"}, {}, refuse_adds=True)
    with pytest.raises(EngineError) as failed:
        settle(connection(network), ["v6"])
    assert "not on exactly one" in failed.value.message and "v6" in failed.value.fix


def test_nothing_to_place_asks_for_no_agent_list():
    network = Network([], {"v6": "s6"}, {"s6": [Agent("a1", "bgp1")]})
    network.agents = None  # a call would fail
    assert settle(connection(network), ["v6", "missing"]).placed == []


def test_no_free_agent_is_an_engine_error_naming_the_speaker_and_the_fix():
    busy = Agent("a1", "bgp1")
    network = Network([busy, Agent("a2", "bgp2", is_alive=False)], {"v4": "s4", "v6": "s6"}, {"s4": [busy]})
    with pytest.raises(EngineError) as failed:
        settle(connection(network), ["v4", "v6"])
    assert "v6" in failed.value.message and "bgp dragent add speaker" in failed.value.fix
    assert network.calls == []


def test_after_up_places_first_and_reseats_only_the_speakers_it_did_not_place(monkeypatch):
    """A placed speaker is built from the server's routes: re-seating it would only restart it."""
    busy = Agent("a1", "bgp1")
    network = Network([busy, Agent("a2", "bgp2")], {"city-b-bgp-v4": "s4", "city-b-bgp-v6": "s6"}, {"s4": [busy]})
    monkeypatch.setattr(stackrun, "reseat", lambda conn, names: [f"re-seated {n}" for n in names])
    environment = load_environment("lab", ROOT)
    graph = plan_stack(environment.province, plan_environment(environment), "lab", "lab-city-b",
                       options_from_config({}))
    notes: list[str] = []
    run = stackrun.StackRun(Operation.UP, "lab-city-b", None, None, {}, SimpleNamespace(
        note=notes.append, changed_types={t.ROUTER_INTERFACE}), Path("log"), None, None,
        SimpleNamespace(connection=lambda: connection(network)), graph=graph)
    run._after_up()
    assert network.calls == [("add", "a2", "s6")]
    assert not any("re-seated city-b-bgp-v6" in n for n in notes), notes
    network.hosting["s6"] = [Agent("a2", "bgp2")]  # the next up: both hosted, a router changed
    notes.clear()
    run._after_up()
    assert notes == ["re-seated city-b-bgp-v6"]
