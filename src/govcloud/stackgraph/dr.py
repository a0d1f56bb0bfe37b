"""Disaster recovery of one system across two nodes, as data.

*Dual-active*: on each side (the target node and the DR node) a server group with the
anti-affinity policy, one instance in it, one volume attached to it, and a replication network
with an IPv4 and an IPv6 /64 subnet the address plan allocates from the owning department's blocks
(keys ``v4:repl:<system>/<side>`` and ``repl:<system>/<side>``), in its subnet pools. (Letting the
pools choose by prefix length is not an option: a pool hands out its lowest free prefix, which
races the department's own planned subnets.) *Off-site backup*: one backup volume on the DR node. Everything is
labelled with the system, its owner, its MLPS level and its DR mode, and lives in the stack of the
system's target node; the other side is placed through the resource's ``region``.

The instances and volumes are created in the provider's project (the resources have no project
argument); scoping them to the department would need one provider per department.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


from ..model import DrMode, LegacySystem, Node
from . import tokens as t
from .specparts import ComponentPlan, SpecList, tags
from .spec import Ref, ResourceSpec

@dataclass(frozen=True)
class DRPairArgs:
    system: LegacySystem
    primary: Node
    secondary: Node
    owner_project: Any = None  # Ref / StackOutputRef of the owner's project id
    owner_pools: tuple[Any, Any] | None = None  # (v4 pool id, v6 pool id) as Ref / StackOutputRef
    replication: tuple[tuple[str, str], tuple[str, str]] | None = None  # per side (IPv4, IPv6)
    image: str = "cirros"
    flavor: str = "m1.small"
    encrypted_volume_type: str | None = None

    @property
    def volume_type(self) -> str | None:
        """Level-3 (and above) data sits on an encrypted volume type (GB/T 22239 8.1.4.8)."""
        return self.encrypted_volume_type if self.system.mlps_level.value >= 3 else None


def build_dr_pair(args: DRPairArgs) -> ComponentPlan:
    system = args.system
    component = ResourceSpec(t.DR_PAIR, f"{system.code}-dr")
    specs = SpecList(component)
    label = tags(dept=system.owner, system=system.code, mlps=system.mlps_level.value,
                 extra=(f"dr:{system.dr.value}",))
    metadata = {"govcloud": "managed", "dept": system.owner, "system": system.code,
                "mlps": str(system.mlps_level.value), "dr": system.dr.value,
                "rpo_s": str(system.rpo_s), "rto_s": str(system.rto_s)}
    size = max(1, system.footprint.storage_gb)
    outputs: dict[str, Any] = {}
    if system.dr is DrMode.OFFSITE_BACKUP:
        backup = specs.add(t.VOLUME, f"{system.code}-backup", {
            "name": f"{system.code}-backup", "size": size, "region": args.secondary.region,
            "volumeType": args.volume_type,
            "description": f"{system.name}: off-site backup target on {args.secondary.code}",
            "metadata": {**metadata, "role": "backup-target"},
        })
        outputs["backupVolumeId"] = Ref(backup)
        return specs.plan(outputs)
    for index, (side, node) in enumerate((("a", args.primary), ("b", args.secondary))):
        outputs[side] = _side(specs, args, side, node, size, label, metadata, index)
    return specs.plan(outputs)


def _side(specs: SpecList, args: DRPairArgs, side: str, node: Node, size: int, label, metadata, index: int) -> dict:
    system = args.system
    base = f"{system.code}-{side}"
    region = node.region
    side_tags = sorted({*label, f"node:{node.code}"})
    group = specs.add(t.SERVER_GROUP, f"{base}-group", {
        "name": base, "policies": "anti-affinity", "region": region,
    })
    network = specs.add(t.NETWORK, f"{base}-repl-net", {
        "name": f"{base}-replication", "tenantId": args.owner_project, "region": region, "tags": side_tags,
    })
    subnets = []
    cidrs = args.replication[index] if args.replication else (None, None)
    for version, pool, cidr in zip((4, 6), args.owner_pools or (None, None), cidrs):
        extra = {"ipv6AddressMode": "slaac", "ipv6RaMode": "slaac"} if version == 6 else {}
        subnets.append(specs.add(t.SUBNET, f"{base}-repl-v{version}", {
            "name": f"{base}-replication-v{version}", "networkId": Ref(network), "tenantId": args.owner_project,
            "ipVersion": version, "cidr": cidr, "subnetpoolId": pool, "region": region, "tags": side_tags, **extra,
        }))
    volume = specs.add(t.VOLUME, f"{base}-data", {
        "name": f"{base}-data", "size": size, "region": region, "volumeType": args.volume_type,
        "description": f"{system.name}: data volume, side {side} ({node.code})",
        "metadata": {**metadata, "side": side},
    })
    instance = specs.add(t.INSTANCE, f"{base}-vm", {
        "name": base, "region": region, "imageName": args.image, "flavorName": args.flavor,
        "networks": [{"uuid": Ref(network)}], "schedulerHints": [{"group": Ref(group)}],
        "tags": side_tags, "metadata": {**metadata, "side": side},
    }, depends_on=subnets)
    specs.add(t.VOLUME_ATTACH, f"{base}-attach", {
        "instanceId": Ref(instance), "volumeId": Ref(volume), "region": region,
    })
    return {"instanceId": Ref(instance), "networkId": Ref(network), "serverGroupId": Ref(group)}
