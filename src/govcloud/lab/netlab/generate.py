"""Generated provinces of any size (dozens of routers) for benchmarks. Pure: a model as data.

The shape mimics a real province: one core, up to four cities under it, up to three counties per
city, then townships; every site a /24 of 198.18.0.0/16; a department with a host at the core, a
unified exit at the core and a legacy exit at the first city.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from ...errors import UsageError
from ...paths import MODEL_FILE

MAX_ROUTERS = 200


def _tiers(routers: int) -> list[tuple[str, str, str | None]]:
    """(code, tier, parent) for every site, parents first."""
    sites = [("core", "province", None)]
    cities = [f"city-{i}" for i in range(1, min(4, routers - 1) + 1)]
    sites += [(c, "city", "core") for c in cities]
    left = routers - len(sites)
    counties: list[tuple[str, str, str | None]] = []
    for slot in range(min(left, 3 * len(cities))):
        city = cities[slot % len(cities)]
        counties.append((f"county-{slot + 1}", "county", city))
    sites += counties
    left = routers - len(sites)
    for slot in range(left):
        parent = counties[slot % len(counties)][0] if counties else cities[slot % len(cities)]
        tier = "township" if counties else "county"
        sites.append((f"town-{slot + 1}", tier, parent))
    return sites


def generate_province(routers: int) -> dict[str, Any]:
    """A valid province model (as YAML-ready data) with ``routers`` extranet routers."""
    if not 2 <= routers <= MAX_ROUTERS:
        raise UsageError(f"--routers {routers}: out of range", fix=f"choose between 2 and {MAX_ROUTERS}")
    sites = []
    for index, (code, tier, parent) in enumerate(_tiers(routers)):
        site: dict[str, Any] = {"code": code, "name": code, "tier": tier, "ipv4_in_use": [f"198.18.{index}.0/24"]}
        if parent:
            site["parent"] = parent
        sites.append(site)
    sites[0]["units"] = [{"code": "office", "kind": "department", "department": "prov-office"}]
    first_city = sites[1]["code"]
    return {
        "province": {"code": "gen", "name": f"generated {routers}"},
        "ipam": {"ipv6_block": "2001:db8::/32", "cloud_ipv4": ["198.19.0.0/16"], "headroom": 0.5},
        "nodes": [{"code": "province", "name": "province", "kind": "province", "site": "core", "cloud": "gen",
                   "capacity": {"vcpu": 8, "ram_gb": 32, "storage_gb": 100},
                   "routing": {"speaker_asn": 4200001000, "border_asn": 4200000000}}],
        "departments": [{"code": "prov-office", "name": "office", "tier": "province", "node": "province",
                         "site": "core"}],
        "sites": sites,
        "links": [{"a": s["parent"], "b": s["code"]} for s in sites if "parent" in s],
        "exits": [
            {"code": "unified", "owner_kind": "province", "owner": "core", "site": "core", "status": "unified",
             "node": "province", "uplink": {"isp": "isp", "bandwidth_mbps": 1000, "ipv4": "203.0.113.0/28",
                                            "ipv6": "2001:db8:ffff:100::/56"}},
            {"code": "legacy-city", "owner_kind": "city", "owner": first_city, "site": first_city,
             "status": "legacy", "uplink": {"isp": "isp", "bandwidth_mbps": 100, "ipv4": "203.0.113.16/28"}},
        ],
        "targets": {"cloud_adoption": {"value": 0.9, "deadline": "2030-12-31"},
                    "exits_consolidated": {"value": 1.0, "deadline": "2030-12-31"},
                    "dr_coverage_key_systems": {"value": 1.0, "deadline": "2030-12-31"}},
    }


def write_generated_env(routers: int, folder: Path) -> Path:
    """Write a generated province as ``folder/province.yaml``; returns the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MODEL_FILE).write_text(yaml.safe_dump(generate_province(routers), sort_keys=False,
                                                         allow_unicode=True))
    return folder
