"""A seeded synthetic province for scheduler tests: random dependency DAGs (or graphs with cycles),
footprints, DR designs and node capacities, built straight through the pydantic model (the loader's
cross-reference checks, which reject cycles, are bypassed on purpose)."""

from __future__ import annotations

import random

from govcloud.model import Province

DR_CHOICES = ("none", "none", "none", "offsite-backup", "dual-active")
CRITICALITY = ("low", "medium", "high", "key")


def build_province(seed: int, systems: int, cities: int = 3, *, capacity_factor: float = 1.3,
                   cycles: int = 0, dependency_rate: float = 0.3) -> Province:
    """``systems`` legacy systems over 1 + ``cities`` nodes; capacity = need x ``capacity_factor``."""
    rng = random.Random(seed)
    nodes = ["province"] + [f"city-{i}" for i in range(1, cities + 1)]
    sites = [{"code": "core", "name": "核心", "tier": "province"}] + [
        {"code": n, "name": n, "tier": "city", "parent": "core"} for n in nodes[1:]]
    departments = [{"code": f"dept-{n}", "name": n, "tier": "province" if n == "province" else "city",
                    "node": n, "site": "core" if n == "province" else n} for n in nodes]
    items = [_system(rng, index, nodes, dependency_rate) for index in range(systems)]
    for _ in range(cycles):
        if systems >= 2:
            a, b = sorted(rng.sample(range(systems), 2))
            items[a]["depends_on"] = sorted(set(items[a]["depends_on"]) | {items[b]["code"]})
    need = {n: [0, 0, 0] for n in nodes}
    for item in items:
        if item.get("data_class") == "classified":
            continue
        target = item.get("target_node") or f"{item['owner'].removeprefix('dept-')}"
        fp = item["footprint"]
        full = [fp["vcpu"], fp["ram_gb"], fp["storage_gb"]]
        need[target] = [a + b for a, b in zip(need[target], full)]
        if item.get("dr") == "dual-active":
            need[item["dr_node"]] = [a + b for a, b in zip(need[item["dr_node"]], full)]
        elif item.get("dr") == "offsite-backup":
            need[item["dr_node"]][2] += fp["storage_gb"]
    node_items = [{"code": n, "name": n, "kind": "province" if n == "province" else "city",
                   "site": "core" if n == "province" else n, "cloud": f"cloud-{n}",
                   "capacity": {k: max(1, int(v * capacity_factor))
                                for k, v in zip(("vcpu", "ram_gb", "storage_gb"), need[n])},
                   "routing": {"speaker_asn": 4200001000 + i, "border_asn": 4200000000}}
                  for i, n in enumerate(nodes)]
    return Province.model_validate({
        "province": {"code": "synthetic", "name": "合成省"},
        "ipam": {"ipv6_block": "2001:db8::/32", "cloud_ipv4": ["198.51.100.0/24"]},
        "nodes": node_items, "departments": departments, "sites": sites, "systems": items,
        "targets": {"cloud_adoption": {"value": 0.9, "deadline": "2027-12-31"},
                    "exits_consolidated": {"value": 1.0, "deadline": "2027-12-31"},
                    "dr_coverage_key_systems": {"value": 1.0, "deadline": "2027-12-31"}},
    })


def _system(rng: random.Random, index: int, nodes: list[str], dependency_rate: float) -> dict:
    home = rng.choice(nodes)
    deps = sorted({f"sys-{j}" for j in range(index) if rng.random() < dependency_rate / max(1, index ** 0.5)})
    item = {"code": f"sys-{index}", "name": f"系统{index}", "owner": f"dept-{home}", "current_site":
            "core" if home == "province" else home, "depends_on": deps,
            "criticality": rng.choice(CRITICALITY),
            "footprint": {"vcpu": rng.randint(1, 16), "ram_gb": rng.randint(1, 64),
                          "storage_gb": rng.randint(10, 2000)}}
    roll = rng.random()
    if roll < 0.1:
        item["on_cloud"] = True
    elif roll < 0.15:
        item["data_class"] = "classified"
        return item
    if rng.random() < 0.8:
        item["target_node"] = home
    dr = rng.choice(DR_CHOICES)
    item["dr"] = dr
    if dr != "none":
        item["dr_node"] = rng.choice([n for n in nodes if n != home])
        item["rpo_s"], item["rto_s"] = (0, 60) if dr == "dual-active" else (3600, 14400)
    return item
