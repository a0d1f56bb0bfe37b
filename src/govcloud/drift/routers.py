"""The live routers against the roles: the rollout's playbook in check mode with diff (the existing
ansible-runner wrapper), on the hosts the rollout record says were rolled out. A task that would
change something is a difference; its diff says what.

Hosts not yet rolled out are not compared: what the rollout has still to do is a plan, not drift.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ..network.rollout import PLAYBOOK, Access
from ..network.ansible import PlaybookRequest, run_playbook
from ..network.outcomes import RolloutRecord
from .differences import Change, Difference, Kind

IN_STEP_OUTCOMES = ("ok", "changed")


def rolled_out_hosts(rollout_record: RolloutRecord | None) -> list[str]:
    """Hosts whose last rollout outcome put them in step with the role (none without a record)."""
    hosts = rollout_record.hosts if rollout_record is not None else {}
    return sorted(h for h, entry in hosts.items() if entry.outcome in IN_STEP_OUTCOMES)


def _diff_text(result: Mapping[str, Any]) -> str:
    diffs = result.get("diff") or []
    if isinstance(diffs, Mapping):
        diffs = [diffs]
    parts = []
    for diff in diffs:
        if diff.get("prepared"):
            parts.append(str(diff["prepared"]).strip())
        elif "before" in diff or "after" in diff:
            parts.append(f"{str(diff.get('before', '')).strip()!r} → {str(diff.get('after', '')).strip()!r}")
    return "\n".join(parts)


def router_differences(events: Iterable[Mapping[str, Any]]) -> list[Difference]:
    """One difference per task that would change a host, from ansible-runner's events."""
    differences = []
    for event in events:
        if event.get("event") != "runner_on_ok":
            continue
        data = event.get("event_data") or {}
        result = data.get("res") or {}
        if not result.get("changed"):
            continue
        task = data.get("task") or "?"
        detail = _diff_text(result) or result.get("msg") or "would change"
        differences.append(Difference(Kind.ROUTER, data.get("host", "?"), task, data.get("role") or "role",
                                      Change.CHANGED, detail=f"{task}: {detail}"[:2000]))
    return differences


def check_routers(access: Access, hosts: Sequence[str]) -> list[Difference]:
    """Run the rollout's role in check+diff mode on ``hosts``; RunnerError when it cannot run."""
    if not hosts:
        return []
    events: list[dict[str, Any]] = []
    request = PlaybookRequest(PLAYBOOK, access.inventory, access.known_hosts, limit=tuple(hosts), check=True,
                              connection=access.connection, pipelining=access.pipelining,
                              forks=max(8, len(hosts) + 2), work_dir=access.work_dir)
    result = run_playbook(request, events.append)
    result.raise_for_status()
    return router_differences(events)
