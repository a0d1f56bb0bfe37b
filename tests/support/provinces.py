"""Small synthetic provinces for planner tests, built from a compact shape.

A shape is ``{city_code: {county_code: [township_code, ...]}}`` plus departments per site; codes
are stable so that tests can add and remove parts and check nothing else moved.
"""

from __future__ import annotations

from govcloud.model import Province

TARGETS = {"cloud_adoption": {"value": 0.9, "deadline": "2027-12-31"},
           "exits_consolidated": {"value": 1.0, "deadline": "2027-12-31"},
           "dr_coverage_key_systems": {"value": 1.0, "deadline": "2027-12-31"}}


def build_province(shape: dict[str, dict[str, list[str]]], departments: dict[str, int],
                   ipv6_block: str = "2001:db8::/32", headroom: float = 0.5) -> Province:
    sites = [{"code": "core", "name": "core", "tier": "province"}]
    links = []
    for city, counties in shape.items():
        sites.append({"code": city, "name": city, "tier": "city", "parent": "core"})
        links.append({"a": "core", "b": city})
        for county, townships in counties.items():
            sites.append({"code": county, "name": county, "tier": "county", "parent": city})
            links.append({"a": city, "b": county})
            for township in townships:
                sites.append({"code": township, "name": township, "tier": "township", "parent": county})
                links.append({"a": county, "b": township})
    tier_of = {s["code"]: s["tier"] for s in sites}
    depts = []
    for site, count in departments.items():
        if site in tier_of and tier_of[site] in ("province", "city", "county"):
            depts += [{"code": f"{site}-d{i}", "name": f"{site} d{i}", "tier": tier_of[site], "node": "province",
                       "site": site, "networks": [{"name": "business"}, {"name": "management",
                                                                          "purpose": "management"}][: 1 + i % 2]}
                      for i in range(count)]
    return Province.model_validate({
        "province": {"code": "test", "name": "test"},
        "ipam": {"ipv6_block": ipv6_block, "cloud_ipv4": ["198.18.0.0/15"], "headroom": headroom},
        "nodes": [{"code": "province", "name": "p", "kind": "province", "site": "core", "cloud": "c",
                   "capacity": {"vcpu": 1, "ram_gb": 1, "storage_gb": 1},
                   "routing": {"speaker_asn": 4200001000, "border_asn": 4200000000}}],
        "departments": depts, "sites": sites, "links": links, "targets": TARGETS,
    })
