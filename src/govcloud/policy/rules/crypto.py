"""Commercial cryptography (GB/T 39786): data at rest on encrypted volume types."""

from __future__ import annotations

from ..rule import Enforcement, Severity, resource_rule
from ..view import INSTANCE, UNKNOWN, VOLUME, ResourceView
from .readings import mlps_level


def _unencrypted(resource: ResourceView) -> list[str]:
    """Volume types (or '(default)') of the resource's volumes that are not encrypted types."""
    allowed = resource.context.parameters.encrypted_volume_types
    types: list = []
    if resource.type == VOLUME:
        types.append(resource.get("volumeType"))
    else:
        for device in resource.get("blockDevices") or []:
            if isinstance(device, dict) and device.get("destinationType") == "volume":
                types.append(device.get("volumeType"))
    return [t or "(default)" for t in types if t is not UNKNOWN and t not in allowed]


def _check(resource: ResourceView, report, *, level_3: bool) -> None:
    if resource.context is None:
        return
    level = mlps_level(resource)
    if level is None or (level >= 3) != level_3:
        return
    bad = _unencrypted(resource)
    if bad:
        report(f"level-{level} {resource.name!r} stores data on unencrypted volume type(s) {', '.join(bad)}",
               resource.urn)


@resource_rule(id="GOV-CRY-001", title="Level-3 data sits on encrypted volume types", severity=Severity.HIGH,
               clauses=("CRYPTO-7.4-store-conf", "MLPS-8.1.4.8b", "MLPS-8.2.4.5d"), types=(VOLUME, INSTANCE),
               settings=("encryptedVolumeType",),
               remediation="Set volumeType to an encrypted type (SM4 / LUKS with keys in the KMS): see the "
                           "environment's encrypted_volume_types.")
def encrypted_level3(resource: ResourceView, report) -> None:
    _check(resource, report, level_3=True)


@resource_rule(id="GOV-CRY-002", title="Data below level 3 sits on encrypted volume types",
               severity=Severity.LOW, enforcement=Enforcement.ADVISORY,
               clauses=("CRYPTO-7.4-store-conf",), types=(VOLUME, INSTANCE), settings=("encryptedVolumeType",),
               remediation="Prefer an encrypted volume type; it costs little and the data's level may rise.")
def encrypted_below_level3(resource: ResourceView, report) -> None:
    _check(resource, report, level_3=False)
