"""What the province needs addresses for: a tree of keyed requirements, derived from the model.

Keys are built from stable model codes only (never from positions), which is what lets the
ledger keep every existing allocation in place when the model grows, shrinks or is reordered.
"""

from __future__ import annotations

from typing import NamedTuple

from ..model import DrMode, Province, Tier
from .levels import INFRA_LEVELS, Level


class Requirement(NamedTuple):
    """Something that needs a prefix: its ledger key, its level and its parent's key.

    A NamedTuple, not a frozen dataclass: the example province builds ~14,000 of them per plan and
    tuples are created about four times faster."""

    key: str
    level: Level
    parent: str | None


ROOT_V6 = "province"
TIER_LEVEL = {Tier.PROVINCE: Level.PROVINCE, Tier.CITY: Level.CITY, Tier.COUNTY: Level.COUNTY,
              Tier.TOWNSHIP: Level.TOWNSHIP, Tier.VILLAGE: Level.VILLAGE}


def site_key(code: str) -> str:
    return f"site:{code}"


def v6_block_key(province: Province, site_code: str) -> str:
    """The province core's block is the province block itself."""
    return ROOT_V6 if site_code == province.core.code else site_key(site_code)


def infra_key(site: str) -> str:
    return f"infra:{site}"


def loopback_key(site: str) -> str:
    return f"loopback:{site}"


def lan_key(site: str, unit: str) -> str:
    return f"lan:{site}/{unit}"


def link_key(a: str, b: str) -> str:
    return f"link:{a}--{b}"


def transit_key(node: str) -> str:
    return f"transit:{node}"


def department_key(dept: str) -> str:
    return f"dept:{dept}"


def subnet_key(dept: str, network: str) -> str:
    return f"subnet:{dept}/{network}"


DR_SIDES = ("a", "b")
"""The two halves of a dual-active pair: ``a`` on the target node, ``b`` on the DR node."""


def replication_key(system: str, side: str) -> str:
    """The IPv6 /64 of a dual-active system's replication network on one side."""
    return f"repl:{system}/{side}"


def v4_replication_key(system: str, side: str) -> str:
    return f"v4:repl:{system}/{side}"


def _dual_active(p: Province, dept_code: str):
    return [s for s in p.systems_by_owner.get(dept_code, [])
            if s.dr is DrMode.DUAL_ACTIVE and s.target_node is not None]


def v4_space_key(index: int) -> str:
    return f"v4:space:{index}"


def v4_node_key(node: str) -> str:
    return f"v4:node:{node}"


def v4_department_key(dept: str) -> str:
    return f"v4:dept:{dept}"


def v4_subnet_key(dept: str, network: str) -> str:
    return f"v4:subnet:{dept}/{network}"


def v4_transit_key(node: str) -> str:
    return f"v4:transit:{node}"


def build_requirements(p: Province) -> list[Requirement]:
    """Every requirement, parents before children."""
    reqs: list[Requirement] = [Requirement(ROOT_V6, Level.PROVINCE, None)]
    for site in p.walk_sites():
        reqs.extend(_site_requirements(p, site))
    reqs.extend(_node_requirements(p))
    return reqs


def requirements_for(p: Province, sites: tuple[str, ...] = (), departments: tuple[str, ...] = ()) -> list[Requirement]:
    """Requirements of some sites (with everything under them) and some departments only."""
    reqs: list[Requirement] = []
    # The uplink of a new site is numbered from its parent's infra block, outside the subtree.
    reqs.extend(Requirement(link_key(link.a, link.b), Level.SUBNET, _infra_of(p, p.site_by_code[link.a]))
                for link in p.links if link.b in sites and link.a not in sites)
    stack = [p.site_by_code[code] for code in reversed(sites)]
    while stack:
        site = stack.pop()
        reqs.extend(_site_requirements(p, site))
        stack.extend(reversed(p.children_of.get(site.code, [])))
    for code in departments:
        dept = p.department_by_code[code]
        reqs.extend(_department_requirements(p, dept))
        reqs.extend(_v4_department_requirements(p, dept))
    return reqs


def _department_requirements(p: Province, dept) -> list[Requirement]:
    dkey = department_key(dept.code)
    block = v6_block_key(p, dept.site)
    # A department hangs directly under its site's block (beside the infra block and child sites);
    # the replication networks of its dual-active systems are numbered from its block too.
    return [Requirement(dkey, Level.DEPARTMENT, block),
            *(Requirement(subnet_key(dept.code, n.name), Level.SUBNET, dkey) for n in dept.networks),
            *(Requirement(replication_key(s.code, side), Level.SUBNET, dkey)
              for s in _dual_active(p, dept.code) for side in DR_SIDES)]


def _v4_department_requirements(p: Province, dept) -> list[Requirement]:
    dkey = v4_department_key(dept.code)
    return [Requirement(dkey, Level.V4_DEPARTMENT, v4_node_key(dept.node)),
            *(Requirement(v4_subnet_key(dept.code, n.name), Level.V4_SUBNET, dkey) for n in dept.networks),
            *(Requirement(v4_replication_key(s.code, side), Level.V4_REPLICATION, dkey)
              for s in _dual_active(p, dept.code) for side in DR_SIDES)]


def _site_requirements(p: Province, site) -> list[Requirement]:
    block = v6_block_key(p, site.code)
    reqs = []
    if site.parent is not None:
        reqs.append(Requirement(block, TIER_LEVEL[site.tier], v6_block_key(p, site.parent)))
    departments = p.departments_at(site.code)
    infra = _infra_of(p, site)
    if infra != block:
        reqs.append(Requirement(infra, INFRA_LEVELS[TIER_LEVEL[site.tier]], block))
    reqs.append(Requirement(loopback_key(site.code), Level.SUBNET, infra))
    reqs.extend(Requirement(lan_key(site.code, u.code), Level.SUBNET, infra) for u in site.units)
    # A link's /64 comes from the upstream end's infra block (RFC 6164: reserve the /64, use a /127).
    reqs.extend(Requirement(link_key(link.a, link.b), Level.SUBNET, infra) for link in p.links_from.get(site.code, []))
    reqs.extend(Requirement(transit_key(n.code), Level.SUBNET, infra) for n in p.nodes if n.site == site.code)
    for dept in departments:
        reqs.extend(_department_requirements(p, dept))
    return reqs


def _infra_of(p: Province, site) -> str:
    """Key of the block that holds a site's own /64s.

    A village (the bottom tier) holds its few /64s directly; every other site groups them in an
    infra block, so they pack into one slot beside child sites and departments it has or may gain.
    """
    return v6_block_key(p, site.code) if site.tier is Tier.VILLAGE else infra_key(site.code)


def _node_requirements(p: Province) -> list[Requirement]:
    reqs = [Requirement(v4_space_key(i), Level.V4_SPACE, None) for i in range(len(p.ipam.cloud_ipv4))]
    by_node: dict[str, list] = {}
    for dept in p.departments:
        by_node.setdefault(dept.node, []).append(dept)
    for node in p.nodes:
        nkey = v4_node_key(node.code)
        reqs.append(Requirement(nkey, Level.V4_NODE, None))  # parent space chosen at allocation
        reqs.append(Requirement(v4_transit_key(node.code), Level.V4_SUBNET, nkey))
        for dept in by_node.get(node.code, []):
            reqs.extend(_v4_department_requirements(p, dept))
    return reqs
