"""The provisioners: the offline one lists the stack graph's resources of the system; the engine one
runs `up` on the target node's stack and insists on both replication networks (engine patched)."""

from __future__ import annotations

from pathlib import Path

import pytest

from govcloud.engine import automation
from govcloud.errors import EngineError
from govcloud.migration.execution.providers import (EngineProvisioner, PlannedSpecProvisioner, provision_stacks,
                                                    target_stacks)
from govcloud.migration.store import read_plan
from govcloud.model import load_environment

ROOT = Path(__file__).resolve().parents[4]


@pytest.fixture(scope="module")
def lab():
    return load_environment("lab", ROOT)


@pytest.fixture(scope="module")
def entry():
    wave = read_plan(ROOT / "migrations" / "lab")[0].wave
    return next(e for e in wave.systems if e.code == "unified-identity")


def test_the_dr_pair_lives_in_the_target_nodes_stack(lab, entry):
    assert target_stacks(lab, entry) == ["lab-province"]
    assert provision_stacks(lab, entry) == ["lab-province"]


def test_a_city_target_is_provisioned_after_the_province_stack_it_reads(lab):
    city = next(e for p in read_plan(ROOT / "migrations" / "lab") for e in p.wave.systems
                if e.target_node is not None and lab.province.node_by_code[e.target_node].kind.value == "city")
    node_stack = target_stacks(lab, city)
    assert node_stack[0].startswith("lab-city-")
    assert provision_stacks(lab, city) == ["lab-province", *node_stack]


def test_the_planned_provisioner_lists_both_sides_without_creating_anything(lab, entry):
    details = PlannedSpecProvisioner(lab).provision(entry)
    assert details["created"] is False and details["stacks"] == ["lab-province"]
    names = set(details["resources"])
    assert {"unified-identity-a-group", "unified-identity-b-group", "unified-identity-a-repl-net",
            "unified-identity-b-repl-net"} <= names


class Result:
    stack = "lab-province"
    changes = {"same": 40}


def test_the_engine_provisioner_runs_up_on_the_target_stack(lab, entry, monkeypatch):
    calls = []
    monkeypatch.setattr(automation, "run", lambda op, env, stacks, settings, quiet: calls.append((op, stacks)) or
                        [Result()])
    monkeypatch.setattr(EngineProvisioner, "_tagged_networks",
                        lambda self, e: {entry.target_node: ["unified-identity-a-replication"],
                                         entry.dr.node: ["unified-identity-b-replication"]})
    details = EngineProvisioner(lab, settings=object()).provision(entry)
    assert calls == [(automation.Operation.UP, ["lab-province"])]
    assert details["created"] and details["changes"] == {"lab-province": {"same": 40}}
    assert details["replication_networks"] == ["unified-identity-a-replication", "unified-identity-b-replication"]


def test_the_engine_provisioner_refuses_a_pair_that_is_not_there(lab, entry, monkeypatch):
    monkeypatch.setattr(automation, "run", lambda *a, **k: [Result()])
    # Both networks on one side (regions sharing a Neutron would show them from either) is no pair.
    monkeypatch.setattr(EngineProvisioner, "_tagged_networks",
                        lambda self, e: {entry.target_node: ["unified-identity-a-replication",
                                                             "unified-identity-b-replication"], entry.dr.node: []})
    with pytest.raises(EngineError, match=f"DR side {entry.dr.node}"):
        EngineProvisioner(lab, settings=object()).provision(entry)


def test_a_stack_put_up_for_an_earlier_system_of_the_run_is_not_put_up_again(lab, monkeypatch):
    calls = []

    def up(op, env, stacks, settings, quiet):
        calls.append(list(stacks))
        return [type("Result", (), {"stack": s, "changes": {"create": 1}})() for s in stacks]

    monkeypatch.setattr(automation, "run", up)
    city_a, city_b = (next(e for p in read_plan(ROOT / "migrations" / "lab") for e in p.wave.systems
                           if e.target_node == node and e.dr.mode.value != "dual-active")
                      for node in ("city-a", "city-b"))
    provisioner = EngineProvisioner(lab, settings=object())
    first = provisioner.provision(city_a)
    second = provisioner.provision(city_b)
    again = provisioner.provision(city_a)
    assert calls == [["lab-province", "lab-city-a"], ["lab-city-b"]]
    assert first["up_earlier_in_run"] == [] and set(first["changes"]) == {"lab-province", "lab-city-a"}
    assert second["up_earlier_in_run"] == ["lab-province"] and second["stacks"] == ["lab-province", "lab-city-b"]
    assert again["up_earlier_in_run"] == ["lab-province", "lab-city-a"] and again["changes"] == {}
    assert EngineProvisioner(lab, settings=object()).provision(city_a)["up_earlier_in_run"] == [], \
        "a new run (a resumed one too) puts its stacks up again"
