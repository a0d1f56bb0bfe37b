"""The live wave display: each host's task, counts and state, from ansible-runner's events."""

from __future__ import annotations

import io

from rich.console import Console

from govcloud.network.waveview import RolloutWaveView
from govcloud.terminal import make_console


def event(kind: str, host: str | None = None, task: str = "", **res) -> dict:
    data = {"task": task, "res": res}
    if host:
        data["host"] = host
    return {"event": kind, "event_data": data}


def test_a_skipped_task_does_not_replace_what_the_host_last_did():
    progress = RolloutWaveView("wave 1", ["core", "city-a"], console=Console(file=io.StringIO()))
    with progress:
        for kind, host, task, res in [("runner_on_start", "core", "Deploy", {}), ("runner_on_ok", "core", "Deploy",
                                      {"changed": True}), ("runner_on_start", "core", "Restore", {}),
                                      ("runner_on_skipped", "core", "Restore", {})]:
            progress.on_event(event(kind, host, task, **res))
        row = progress.rows["core"]
        assert (row.current or row.last, row.ok, row.changed) == ("Deploy", 1, 1)
        assert "running" in _render(progress) and "done" not in _render(progress)
        progress.on_event(event("playbook_on_stats"))
    text = _render(progress)
    assert "Deploy" in text and "Restore" not in text and "done" in text
    assert progress.rows["city-a"].last == "" and "waiting" in text  # never started: not "done"


def test_a_failure_shows_its_message():
    with RolloutWaveView("wave 3", ["county-a2"], console=Console(file=io.StringIO())) as progress:
        progress.on_event(event("runner_on_start", "county-a2", "Verify"))
        progress.on_event(event("runner_on_failed", "county-a2", "Verify", msg="0 of 1 OSPFv3 adjacencies Full"))
    assert "failed" in _render(progress) and "0 of 1 OSPFv3" in _render(progress)


def _render(progress: RolloutWaveView) -> str:
    out = io.StringIO()
    Console(file=out, width=200).print(progress._table())
    return out.getvalue()


def test_written_to_a_file_the_table_is_printed_once_at_the_end_with_whole_task_names():
    out = io.StringIO()
    long_task = "Wait for OSPFv3, usable addresses, the route to the core and pings to upstream and core"
    with RolloutWaveView("wave 2", ["city-a"], console=make_console(file=out)) as progress:
        progress.on_event(event("runner_on_start", "city-a", long_task))
        assert out.getvalue() == ""  # nothing redrawn into a log while the wave runs
        progress.on_event(event("runner_on_ok", "city-a", long_task, changed=False))
        progress.on_event(event("playbook_on_stats"))
    text = out.getvalue()
    assert long_task in text and text.count("wave 2") == 1
