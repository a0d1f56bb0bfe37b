"""The registration scope of a targeted run as data: what it registers, the values it knows, and
its text in the run's stack settings (``govcloud:scope``), read back by the stack program."""

from __future__ import annotations

import json

import pytest

from govcloud.errors import PlanError
from govcloud.stackgraph.scope import RegistrationScope

SCOPE = RegistrationScope(frozenset({"fx-water-net", "fx-water"}),
                          {"fx-water-project": {"id": "p-1"}, "transit-city-a-net": {"id": "n-1", "name": "transit"}})


def test_a_scope_registers_only_the_specs_it_names() -> None:
    assert SCOPE.registers("fx-water-net") and SCOPE.registers("fx-water")
    assert not SCOPE.registers("fx-water-project")


def test_a_scope_gives_the_state_s_value_of_a_spec_it_leaves_out() -> None:
    assert SCOPE.value("fx-water-project", "id") == "p-1"
    assert SCOPE.value("transit-city-a-net", "name") == "transit"


@pytest.mark.parametrize("name, attr", [("fx-water-router", "id"), ("fx-water-project", "name")])
def test_a_value_the_scope_lacks_is_a_plan_error_that_says_to_run_in_full(name, attr) -> None:
    with pytest.raises(PlanError) as info:
        SCOPE.value(name, attr)
    assert (info.value.message, info.value.fix) == (
        f"the targeted run's scope has no value for {name}.{attr}",
        "run without --changed (a full run registers every resource)")


def test_the_scope_reads_back_from_its_text_as_it_was() -> None:
    text = SCOPE.to_json()
    assert json.loads(text) == {"names": ["fx-water", "fx-water-net"],
                                "known": {"fx-water-project": {"id": "p-1"},
                                          "transit-city-a-net": {"id": "n-1", "name": "transit"}}}
    assert RegistrationScope.from_json(text) == SCOPE


def test_the_scope_s_text_does_not_depend_on_the_order_it_was_gathered_in() -> None:
    """The text is written into the run's settings: the same scope must give the same text."""
    shuffled = RegistrationScope(frozenset({"fx-water", "fx-water-net"}),
                                 {"transit-city-a-net": {"name": "transit", "id": "n-1"},
                                  "fx-water-project": {"id": "p-1"}})
    assert shuffled.to_json() == SCOPE.to_json()


def test_no_scope_text_means_a_full_run() -> None:
    assert RegistrationScope.from_json(None) is None
    assert RegistrationScope.from_json("") is None


def test_a_scope_without_known_values_reads_as_knowing_none() -> None:
    for text in ('{"names": ["a"]}', '{"names": ["a"], "known": null}'):
        scope = RegistrationScope.from_json(text)
        assert scope == RegistrationScope(frozenset({"a"}), {})
        assert scope.known == {}
