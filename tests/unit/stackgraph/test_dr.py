"""One system's DR pair built on its own: the outputs the component registers (what a targeted
run's scope and a reader of the stack state find), and a volume for a system that stores nothing."""

from __future__ import annotations

from govcloud.model import LegacySystem, Node
from govcloud.stackgraph import tokens as t
from govcloud.stackgraph.dr import DRPairArgs, build_dr_pair
from govcloud.stackgraph.spec import Ref

NODE = {"kind": "city", "cloud": "fx-cloud", "availability_zones": ["nova"],
        "capacity": {"vcpu": 8, "ram_gb": 32, "storage_gb": 500}}
PRIMARY = Node(code="city-a", name="甲市", site="city-a", region="RegionCityA", **NODE)
SECONDARY = Node(code="city-b", name="乙市", site="city-b", region="RegionCityB", **NODE)
REPLICATION = (("192.0.2.0/28", "2001:db8:1::/64"), ("192.0.2.16/28", "2001:db8:2::/64"))


def _system(dr: str, storage_gb: int = 100) -> LegacySystem:
    return LegacySystem(code="permits", name="审批系统", owner="fx-water", current_site="city-a", target_node="city-a",
                        dr=dr, dr_node="city-b", rpo_s=0 if dr == "dual-active" else 3600,
                        footprint={"vcpu": 2, "ram_gb": 4, "storage_gb": storage_gb})


def test_a_dual_active_pair_registers_each_side_s_instance_network_and_server_group() -> None:
    plan = build_dr_pair(DRPairArgs(_system("dual-active"), PRIMARY, SECONDARY, Ref("fx-water-project"),
                                    (Ref("pool-v4"), Ref("pool-v6")), REPLICATION))
    assert plan.outputs == {side: {"instanceId": Ref(f"permits-{side}-vm"), "networkId": Ref(f"permits-{side}-repl-net"),
                                   "serverGroupId": Ref(f"permits-{side}-group")} for side in ("a", "b")}
    kinds = {s.name: s.type for s in plan.children}
    assert all(kinds[ref.name] == kind for side in plan.outputs.values()
               for ref, kind in zip(side.values(), (t.INSTANCE, t.NETWORK, t.SERVER_GROUP)))


def test_an_offsite_backup_registers_its_backup_volume_on_the_dr_node() -> None:
    plan = build_dr_pair(DRPairArgs(_system("offsite-backup"), PRIMARY, SECONDARY))
    assert plan.outputs == {"backupVolumeId": Ref("permits-backup")}
    (volume,) = plan.children
    assert (volume.type, volume.inputs["region"], volume.inputs["size"]) == (t.VOLUME, "RegionCityB", 100)


def test_a_system_that_stores_nothing_still_gets_the_smallest_volume_cinder_makes() -> None:
    """Cinder refuses a volume of 0 GB; a system of 1 GB gets exactly that."""
    for storage, size in ((0, 1), (1, 1), (2, 2)):
        backup = build_dr_pair(DRPairArgs(_system("offsite-backup", storage), PRIMARY, SECONDARY))
        assert backup.children[0].inputs["size"] == size
        pair = build_dr_pair(DRPairArgs(_system("dual-active", storage), PRIMARY, SECONDARY, None, None,
                                        REPLICATION))
        assert {s.inputs["size"] for s in pair.children if s.type == t.VOLUME} == {size}


def test_without_planned_replication_subnets_the_pair_names_no_cidr() -> None:
    """Built in code without an address plan (the component's own tests): the pools choose."""
    plan = build_dr_pair(DRPairArgs(_system("dual-active"), PRIMARY, SECONDARY, None,
                                    (Ref("pool-v4"), Ref("pool-v6"))))
    subnets = [s.inputs for s in plan.children if s.type == t.SUBNET]
    assert len(subnets) == 4 and not any("cidr" in s for s in subnets)
    assert {s["subnetpoolId"] for s in subnets} == {Ref("pool-v4"), Ref("pool-v6")}
