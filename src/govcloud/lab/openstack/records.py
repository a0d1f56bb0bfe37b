"""What the state dir records about the lab: the spec it holds, its tenants, which steps are done.

``spec.json`` is the spec the lab holds (the union of every spec lab_up was asked for, with the
latest tenant). ``seed.fingerprint`` is that spec's fingerprint once identity and seed steps
finished for it. ``tenants.json`` lists every tenant keystone holds. All writes are atomic
replaces, so a reader never sees half a file.
"""

from __future__ import annotations

import json

from govcloud.lab.openstack.labspec import OpenStackLabSpec, TenantSpec, spec_from_json, spec_to_json
from govcloud.lab.openstack.statedir import SEEDED, TENANTS, OpenStackLabPaths, write_if_changed

SPEC_FILE = "spec.json"


def recorded_spec(paths: OpenStackLabPaths) -> OpenStackLabSpec | None:
    """The spec the lab holds (or is being built for); None before the first lab_up."""
    try:
        return spec_from_json((paths.root / SPEC_FILE).read_text())
    except (OSError, ValueError, KeyError, TypeError):
        return None


def record_spec(paths: OpenStackLabPaths, spec: OpenStackLabSpec) -> None:
    write_if_changed(paths.root / SPEC_FILE, spec_to_json(spec))


def seeded_with(paths: OpenStackLabPaths, spec: OpenStackLabSpec) -> bool:
    """True when the identity and seed steps finished for exactly ``spec``."""
    marker = paths.marker(SEEDED)
    return marker.exists() and marker.read_text().strip() == spec.fingerprint()


def mark_seeded(paths: OpenStackLabPaths, spec: OpenStackLabSpec) -> None:
    write_if_changed(paths.marker(SEEDED), spec.fingerprint() + "\n")


def realised_spec(paths: OpenStackLabPaths) -> OpenStackLabSpec | None:
    """The recorded spec if the lab was fully built for it, else None."""
    recorded = recorded_spec(paths)
    return recorded if recorded is not None and seeded_with(paths, recorded) else None


def tenants(paths: OpenStackLabPaths) -> set[TenantSpec]:
    """Every tenant keystone holds: tenants of earlier specs stay, like their projects."""
    try:
        return {TenantSpec(**row) for row in json.loads(paths.marker(TENANTS).read_text())}
    except (OSError, ValueError, TypeError):
        return set()


def add_tenant(paths: OpenStackLabPaths, tenant: TenantSpec) -> None:
    rows = [{"project": t.project, "user": t.user} for t in sorted(tenants(paths) | {tenant}, key=str)]
    write_if_changed(paths.marker(TENANTS), json.dumps(rows, indent=2) + "\n")
