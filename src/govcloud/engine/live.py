"""Read the live cloud through the engine without changing anything: per stack, the engine's
refresh in preview-only mode (``pulumi refresh --preview-only``: every resource is read from the
cloud, nothing is written to the state) and the stack's recorded state (``pulumi stack export``).

What comes back is data (:class:`LiveRead`), so the comparison with the model is a pure function
(:mod:`govcloud.drift.cloud`) that unit tests feed with fake reads. Same engine, backend,
passphrase and credential handling as :mod:`.automation` (its helpers are reused, not copied).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pulumi import automation as auto

from ..model import Environment
from ..stackgraph import stack_names
from ..stackgraph.stacks import StackPart, stack_of
from ..paths import stack_settings_file
from .credentials import CloudCredentials, check_login, find_clouds_yaml, load_credentials
from .discovery import find_engine
from .progress import log_path
from .automation import Operation, backend_error, engine_environment, engine_error, project_workspace
from .salt import salt_file, salt_outside_config
from .settings import EngineSettings, default_passphrase_file, ensure_passphrase_file


@dataclass(frozen=True)
class RefreshStep:
    """One resource as the refresh preview saw it: ``op`` is the engine's (``same``, ``update``,
    ``delete``, ``refresh`` …); ``live`` the outputs read from the cloud (None: the resource is gone)."""

    urn: str
    type: str
    op: str
    live: dict[str, Any] | None


@dataclass
class LiveRead:
    """One stack's live read: the refresh steps and the recorded state's resources."""

    stack: str
    steps: list[RefreshStep]
    resources: list[dict[str, Any]]  # the deployment's resources (urn, type, id, outputs, parent …)
    seconds: float = 0.0
    log: str = ""
    skipped: str | None = None
    cloud: str = ""
    region: str | None = None
    extras: list[dict[str, Any]] = field(default_factory=list)


def steps_from_events(events: Sequence[Any]) -> list[RefreshStep]:
    """The last step the engine reported per resource (outputs events win over pre events)."""
    steps: dict[str, RefreshStep] = {}
    for event in events:
        for kind in ("resource_pre_event", "res_outputs_event"):
            payload = getattr(event, kind, None)
            metadata = getattr(payload, "metadata", None) if payload is not None else None
            if metadata is None or metadata.urn is None:
                continue
            op = getattr(metadata.op, "value", metadata.op) or ""
            new = metadata.new
            gone = op in ("delete", "deleted", "read-discard", "discard") or new is None
            steps[metadata.urn] = RefreshStep(metadata.urn, metadata.type, str(op),
                                              None if gone else dict(new.outputs or {}))
    return list(steps.values())


def read_live(environment: Environment, stacks: Sequence[str], settings: EngineSettings) -> list[LiveRead]:
    """Refresh-preview and export each stack (the province first). A stack never deployed is
    reported as skipped: it has no live state to compare."""
    install = find_engine()
    passphrase = ensure_passphrase_file(settings.passphrase_file or default_passphrase_file())
    province = environment.province
    logins: dict[str, CloudCredentials] = {}
    reads = []
    stamp = time.strftime("%Y%m%dT%H%M%S")
    for stack in [s for s in stack_names(province, environment.name) if s in stacks]:
        found = stack_of(province, environment.name, stack)
        cloud = settings.cloud or found.cloud  # an operators' stack: theirs (its providers scope to their projects)
        if cloud not in logins:
            logins[cloud] = load_credentials(cloud, find_clouds_yaml(settings.clouds_yaml))
            check_login(logins[cloud])
        region = settings.region or found.node.region
        per_project = found.part is StackPart.OPERATED
        env = engine_environment(install, settings, passphrase, logins[cloud].engine_env(region, per_project))
        config_file = stack_settings_file(settings.project_root, stack)
        with salt_outside_config(config_file, salt_file(settings.salts_dir, settings.backend(), stack)):
            read = _read_stack(stack, settings, install, env, log_path(settings.logs, stack, "drift", stamp))
        read.cloud, read.region = cloud, region
        reads.append(read)
    return reads


def _read_stack(stack_name: str, settings: EngineSettings, install, env: dict[str, str], log_file) -> LiveRead:
    started = time.monotonic()
    try:
        workspace = project_workspace(settings.project_root, install, env)
        if stack_name not in {s.name for s in workspace.list_stacks()}:
            return LiveRead(stack_name, [], [], skipped=f"{stack_name} was never deployed (nothing live to compare)")
        stack = auto.Stack.select(stack_name, workspace)
    except auto.errors.CommandError as exc:
        raise backend_error(stack_name, settings, exc) from None
    events: list[Any] = []
    with log_file.open("w", encoding="utf-8") as log:
        try:
            stack.preview_refresh(on_event=events.append, on_output=lambda line: log.write(line + "\n"),
                                  show_secrets=False, color="never")
            deployment = stack.export_stack().deployment or {}
        except auto.errors.CommandError as exc:
            raise engine_error(stack_name, Operation.REFRESH, exc, log_file) from None
    return LiveRead(stack_name, steps_from_events(events), list(deployment.get("resources") or []),
                    round(time.monotonic() - started, 2), str(log_file))


def adopt(environment: Environment, stack: str, resources: Sequence[dict[str, Any]],
          settings: EngineSettings) -> None:
    """Import resources made out of band into ``stack``'s state, unprotected and without code:
    they are not in the program, so the next ``up`` deletes them through the engine (recorded in
    the stack's history like any change), instead of a side channel deleting them behind its back.
    ``resources`` carry ``type``, ``name`` and ``id``."""
    if not resources:
        return
    install = find_engine()
    passphrase = ensure_passphrase_file(settings.passphrase_file or default_passphrase_file())
    found = stack_of(environment.province, environment.name, stack)
    credentials = load_credentials(settings.cloud or found.cloud, find_clouds_yaml(settings.clouds_yaml))
    env = engine_environment(install, settings, passphrase, credentials.engine_env(
        settings.region or found.node.region, per_project=found.part is StackPart.OPERATED))
    log_file = log_path(settings.logs, stack, "adopt", time.strftime("%Y%m%dT%H%M%S"))
    config_file = stack_settings_file(settings.project_root, stack)
    with salt_outside_config(config_file, salt_file(settings.salts_dir, settings.backend(), stack)), \
            log_file.open("w", encoding="utf-8") as log:
        try:
            selected = auto.Stack.select(stack, project_workspace(settings.project_root, install, env))
            selected.import_resources(resources=[{"type": r["type"], "name": r["name"], "id": r["id"]}
                                                 for r in resources],
                                      protect=False, generate_code=False,
                                      on_output=lambda line: log.write(line + "\n"), show_secrets=False)
        except auto.errors.CommandError as exc:
            raise engine_error(stack, Operation.UP, exc, log_file) from None
