"""`drift --fix` changes stacks like `up` does: under their leases, taken before anything changes
(the adoption writes the state) and held until its `up` is over; a stack another run holds is
not touched, and the operator is told who holds it."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from govcloud.commands.drift import _fix
from govcloud.drift.differences import Change, Difference, DriftReport, Kind
from govcloud.engine import automation, live
from govcloud.engine.lease import FileLeaseStore, Holder, StackLeased, acquire, lease_key
from govcloud.engine.settings import EngineSettings
from govcloud.engine.stackrun import leased

STACKS = ("lab-city-a", "lab-province")


@pytest.fixture
def settings(tmp_path):
    (tmp_path / "Pulumi.yaml").write_text("name: govcloud\nruntime: python\n", encoding="utf-8")
    return EngineSettings(tmp_path, backend_url=(tmp_path / "state").as_uri())


def drifted(*stacks: str) -> DriftReport:
    report = DriftReport("lab")
    for stack in stacks:
        report.differences.append(Difference(Kind.CLOUD, stack, f"urn:pulumi:{stack}::govcloud::x::y", "x",
                                             Change.GONE))
    return report


def holders(settings) -> dict[str, Holder | None]:
    store = settings.leases()
    return {s: (Holder.from_bytes(found[0]) if (found := store.read(lease_key("govcloud", s))) else None)
            for s in STACKS}


def test_adoption_refresh_and_up_all_run_under_the_drifted_stacks_leases(settings, monkeypatch):
    seen = []

    def fake_adopt(environment, stack, resources, settings_):
        seen.append(("adopt", stack, {s: h and h.command for s, h in holders(settings).items()}))

    def fake_run(operation, environment, stacks, settings_, quiet=False):
        with leased(operation, settings_, stacks):  # as the real run does: its own lease is no refusal
            seen.append((operation.value, tuple(stacks), {s: h and h.command for s, h in holders(settings).items()}))
        return []

    monkeypatch.setattr(live, "adopt", fake_adopt)
    monkeypatch.setattr(automation, "run", fake_run)
    _fix(None, drifted(*STACKS), settings, None)
    held = {"lab-city-a": "govcloud drift --fix", "lab-province": "govcloud drift --fix"}
    assert seen == [("adopt", "lab-city-a", held), ("adopt", "lab-province", held),
                    ("refresh", STACKS, held), ("up", STACKS, held)]
    assert holders(settings) == {"lab-city-a": None, "lab-province": None}  # released at the end


def test_a_stack_another_run_holds_is_not_touched_and_the_holder_is_named(settings, monkeypatch):
    since = datetime.now(timezone.utc)
    other = Holder("alice", "ops-3", 4242, "govcloud up", "/srv/alice/govcloud", since.isoformat(timespec="seconds"),
                   (since + timedelta(hours=1)).isoformat(timespec="seconds"))
    store: FileLeaseStore = settings.leases()
    acquire(store, lease_key("govcloud", "lab-province"), "lab-province", other)
    called = []
    monkeypatch.setattr(live, "adopt", lambda *a, **k: called.append("adopt"))
    monkeypatch.setattr(automation, "run", lambda *a, **k: called.append("run"))
    with pytest.raises(StackLeased, match="stack lab-province is locked by alice@ops-3"):
        _fix(None, drifted(*STACKS), settings, None)
    assert called == []
    # All or none: city A's lease, taken first, was given back.
    assert holders(settings)["lab-city-a"] is None and holders(settings)["lab-province"].user == "alice"


def test_a_lease_is_taken_once_per_run_but_still_refuses_another_run(settings):
    store = settings.leases()
    me = Holder.me("govcloud drift --fix", settings.project_root)
    from govcloud.engine.lease import held

    with held(store, "govcloud", "lab-city-a", me):
        with held(store, "govcloud", "lab-city-a", me) as waited:  # nested in the same run: not taken again
            assert waited == 0.0
        assert holders(settings)["lab-city-a"] is not None  # the inner block did not release it
        stranger = Holder("bob", "ops-7", 77, "govcloud up", "/srv/bob", me.since, me.expires)
        with pytest.raises(StackLeased):
            acquire(store, lease_key("govcloud", "lab-city-a"), "lab-city-a", stranger)
    assert holders(settings)["lab-city-a"] is None
