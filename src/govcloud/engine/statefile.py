"""Backup and restore of a stack's state: export, verify, import.

An export is exactly what ``pulumi stack export`` writes (``{"version": 3 or 4, "deployment": …}``,
so the plain CLI can import it too), plus a ``<file>.sha256`` beside it in ``sha256sum`` format.
Secrets stay encrypted by the stack's own secrets provider; nothing is decrypted on the way.

``verify`` is pure and offline: the digest matches, the JSON parses, the format version is one
the engine reads, every resource has a URN and a type, URNs are unique and of the named stack,
and every parent, dependency and provider reference points at a resource in the file (the engine
refuses a state with a dangling reference, so a restore of one would fail half-way).
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..paths import stack_settings_file
from .discovery import find_engine
from .lease import Holder, held
from .salt import salt_file, salt_outside_config
from .settings import default_passphrase_file, ensure_passphrase_file

# 4 is 3's deployment plus a list of the features it uses (e.g. a resource's replaceWith, which
# the region providers' VMs carry): the engine writes 4 only for a state that uses one.
SUPPORTED_VERSIONS = (3, 4)


@dataclass(frozen=True)
class ExportSummary:
    stack: str
    resources: int
    version: int
    sha256: str
    pending_operations: int

    def to_dict(self) -> dict[str, Any]:
        return {"stack": self.stack, "resources": self.resources, "version": self.version, "sha256": self.sha256,
                "pending_operations": self.pending_operations}


def digest_path(path: Path) -> Path:
    return path.with_name(path.name + ".sha256")


def render_export(deployment: dict[str, Any]) -> str:
    """The file's text: stable key order, so the same state always exports to the same bytes."""
    return json.dumps(deployment, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_export(path: Path, deployment: dict[str, Any]) -> ExportSummary:
    """Write the export and its digest (both atomically), verified as written."""
    text = render_export(deployment)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    summary = verify_text(text, digest, str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    for target, content in ((path, text), (digest_path(path), f"{digest}  {path.name}\n")):
        tmp = target.with_name(target.name + f".tmp{time.monotonic_ns()}")
        tmp.write_text(content, encoding="utf-8")
        tmp.replace(target)
    return summary


def verify_file(path: Path) -> ExportSummary:
    """Verify an export against its digest file; InputError (exit 2) naming the problem."""
    if not path.is_file():
        raise InputError(f"{path}: no such export", fix="give the file `govcloud state export` wrote")
    sidecar = digest_path(path)
    if not sidecar.is_file():
        raise InputError(f"{sidecar}: the digest of {path.name} is missing",
                         fix="keep the .sha256 file beside the export (or export again)")
    expected = sidecar.read_text(encoding="utf-8").split()[0] if sidecar.read_text(encoding="utf-8").split() else ""
    return verify_text(path.read_bytes().decode("utf-8", errors="replace"), expected, str(path))


def verify_text(text: str, expected_sha256: str, where: str = "export") -> ExportSummary:
    actual = hashlib.sha256(text.encode("utf-8")).hexdigest()
    if actual != expected_sha256:
        raise InputError(f"{where}: the content does not match its digest (sha256 {actual[:12]}…, "
                         f"recorded {expected_sha256[:12] or 'nothing'}…): the file was changed or cut short",
                         fix="restore from an intact copy of the export and its .sha256")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{where}:{exc.lineno}: not valid JSON ({exc.msg})",
                         fix="restore from an intact copy of the export") from None
    return check_deployment(data, actual, where)


def check_deployment(data: Any, sha256: str = "", where: str = "export") -> ExportSummary:
    """The structural checks on a parsed export."""
    if not isinstance(data, dict) or not isinstance(data.get("deployment"), dict):
        raise InputError(f"{where}: not a stack export (no 'deployment' object)",
                         fix="give a file written by `govcloud state export` or `pulumi stack export`")
    version = data.get("version")
    if version not in SUPPORTED_VERSIONS:
        raise InputError(f"{where}: state format version {version!r} is not supported",
                         fix=f"export with an engine that writes version {SUPPORTED_VERSIONS[-1]}")
    deployment = data["deployment"]
    resources = deployment.get("resources") or []
    if not isinstance(resources, list):
        raise InputError(f"{where}: deployment.resources is not a list", fix="restore an intact export")
    urns: set[str] = set()
    stacks: set[str] = set()
    for index, resource in enumerate(resources):
        urn = resource.get("urn") if isinstance(resource, dict) else None
        if not urn or not resource.get("type"):
            raise InputError(f"{where}: deployment.resources[{index}] has no urn or type", fix="restore an intact export")
        if urn in urns:
            raise InputError(f"{where}: deployment.resources[{index}]: URN {urn} appears twice",
                             fix="restore an intact export")
        urns.add(urn)
        stacks.add(urn.removeprefix("urn:pulumi:").split("::", 1)[0])
    for index, resource in enumerate(resources):
        for ref in _references(resource):
            if ref not in urns:
                raise InputError(f"{where}: deployment.resources[{index}] ({resource['urn']}) refers to {ref}, "
                                 "which is not in the export", fix="restore an intact export")
    if len(stacks) > 1:
        raise InputError(f"{where}: resources of several stacks ({', '.join(sorted(stacks))})",
                         fix="export one stack per file")
    return ExportSummary(next(iter(stacks), ""), len(resources), version, sha256,
                         len(deployment.get("pending_operations") or []))


def _references(resource: dict[str, Any]) -> list[str]:
    refs = [resource["parent"]] if resource.get("parent") else []
    refs += list(resource.get("dependencies") or [])
    for urns in (resource.get("propertyDependencies") or {}).values():
        refs += list(urns or [])
    provider = resource.get("provider")
    if provider:
        refs.append(provider.rsplit("::", 1)[0])  # "<provider urn>::<provider id>"
    return refs


# --- through the engine ---------------------------------------------------------------------------

def _stack(settings, stack: str, create: bool):
    from pulumi import automation as auto  # lazy: pulumi (about 1 s); `state verify` must not

    from .automation import backend_error, engine_environment, project_workspace  # lazy: loads pulumi

    install = find_engine()
    passphrase = ensure_passphrase_file(settings.passphrase_file or default_passphrase_file())
    env = engine_environment(install, settings, passphrase, {})
    try:
        workspace = project_workspace(settings.project_root, install, env)
        if not create and stack not in {s.name for s in workspace.list_stacks()}:
            raise InputError(f"stack {stack} has no state in {settings.backend()}",
                             fix="check --stack and --backend")
        return (auto.Stack.create_or_select if create else auto.Stack.select)(stack, workspace)
    except auto.errors.CommandError as exc:
        raise backend_error(stack, settings, exc) from None


def export_state(settings, stack: str, path: Path) -> ExportSummary:
    """``pulumi stack export`` of ``stack`` into ``path`` (+ digest)."""
    config_file = stack_settings_file(settings.project_root, stack)
    with salt_outside_config(config_file, salt_file(settings.salts_dir, settings.backend(), stack)):
        exported = _stack(settings, stack, create=False).export_stack()
    return write_export(path, {"version": exported.version, "deployment": exported.deployment})


def import_state(settings, stack: str, path: Path) -> ExportSummary:
    """Verify ``path``, then replace ``stack``'s state with it. A file of another stack is refused."""
    from pulumi.automation import Deployment  # lazy: pulumi (about 1 s); `state verify` must not

    from .stackrun import _project_name  # lazy: loads pulumi

    summary = verify_file(path)
    if summary.stack and summary.stack != stack:
        raise InputError(f"{path} holds stack {summary.stack}, not {stack}",
                         fix=f"import it with --stack {summary.stack}")
    data = json.loads(path.read_text(encoding="utf-8"))
    config_file = stack_settings_file(settings.project_root, stack)
    holder = Holder.me("govcloud state import", settings.project_root)
    # An import replaces the state: never under a run that is changing it.
    with held(settings.leases(), _project_name(settings.project_root), stack, holder), \
            salt_outside_config(config_file, salt_file(settings.salts_dir, settings.backend(), stack)):
        _stack(settings, stack, create=True).import_stack(Deployment(version=data["version"],
                                                                     deployment=data["deployment"]))
    return summary
