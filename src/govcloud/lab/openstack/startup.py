"""Start a group of services in dependency order and stop them in reverse, in parallel.

Starting is one loop: launch every service whose dependencies answer, poll the probes of the
ones launched, repeat. Independent services (all the APIs) therefore start side by side,
which matters on a two-core machine where each Python service spends seconds importing.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

from govcloud.errors import LabError
from govcloud.lab.openstack import supervisor
from govcloud.lab.openstack.statedir import OpenStackLabPaths
from govcloud.lab.openstack.supervisor import Service

POLL_INTERVAL = 0.3


def answering(services: Sequence[Service]) -> dict[str, bool]:
    """Run every probe at once; ``{name: answers}``."""
    if not services:
        return {}
    with ThreadPoolExecutor(max_workers=len(services)) as pool:
        results = pool.map(lambda service: service.probe(), services)
        return dict(zip((s.name for s in services), results, strict=True))


def bring_up(paths: OpenStackLabPaths, services: Sequence[Service], timeout: float) -> list[str]:
    """Start what is not running (or is wedged), wait until every service answers; return the names started.

    Dependencies on services outside ``services`` count as met (an earlier group answered).
    Raises :class:`LabError` with the service's last log lines if one dies or never answers.
    """
    names = {service.name for service in services}
    ready: set[str] = set()
    started: list[str] = []
    deadline = time.monotonic() + timeout
    for service in services:  # stuck for good: restarted like a stopped one
        if service.wedged is not None and supervisor.running_pid(paths, service.name) and service.wedged():
            supervisor.stop(paths, service)
    while len(ready) < len(services):
        for service in services:
            deps_met = all(dep in ready or dep not in names for dep in service.after)
            if service.name not in ready and deps_met and supervisor.running_pid(paths, service.name) is None:
                if service.name in started:
                    _died(paths, service)
                supervisor.start(service, paths)
                started.append(service.name)
        waiting = [s for s in services if s.name not in ready and supervisor.running_pid(paths, s.name) is not None]
        for name, answers in answering(waiting).items():
            if answers:
                ready.add(name)
        if len(ready) < len(services):
            if time.monotonic() > deadline:
                _timed_out(paths, [s for s in services if s.name not in ready])
            time.sleep(POLL_INTERVAL)
    return started


def bring_down(paths: OpenStackLabPaths, tiers: Sequence[Sequence[Service]]) -> list[str]:
    """Stop our services tier by tier (each tier in parallel); return the names that were running."""
    stopped: list[str] = []
    for tier in tiers:
        if not tier:
            continue
        with ThreadPoolExecutor(max_workers=len(tier)) as pool:
            results = pool.map(lambda service: supervisor.stop(paths, service), tier)
            stopped += [service.name for service, was_running in zip(tier, results, strict=True) if was_running]
    return stopped


def _died(paths: OpenStackLabPaths, service: Service) -> None:
    log = paths.log_file(service.name)
    raise LabError(
        f"{service.name} died at start; last lines of {log}:\n{supervisor.tail(log)}",
        fix=f"read {log}, fix the cause, then run lab_up again",
    )


def _timed_out(paths: OpenStackLabPaths, services: Sequence[Service]) -> None:
    names = ", ".join(service.name for service in services)
    first = services[0]
    log = paths.log_file(first.name)
    raise LabError(
        f"not answering in time: {names}; last lines of {log}:\n{supervisor.tail(log)}",
        fix="the machine may be overloaded: run lab_up again, or read the logs under " + str(paths.log),
    )
