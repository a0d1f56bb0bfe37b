"""Hypothesis strategies for address-plan tests: provinces built from their parts.

A :class:`Shape` is the tree of sites (cities, counties, townships, villages), the departments and
horizontal units at each site, and the headroom. Every part is drawn by its own strategy, so
hypothesis shrinks a failing province part by part (a city less, a village less, one department
less) down to the smallest one that still fails.

Most parts are small, but one level of each shape may be *wide* (17 to 70 children under one
parent): with the phantom child every block keeps, that is at least 18 slots, which no single
nibble holds, so the level spans two nibbles (the example province needs seven bits at one level).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hypothesis import strategies as st

from govcloud.model import Province

from support.provinces import TARGETS

WIDE_LEVELS = ("city", "county", "township", "village", "department", "unit")
WIDE = st.integers(17, 70)
"""A wide level: 17+ children and the phantom one need five bits or more, so two nibbles."""
HEADROOMS = st.sampled_from([0.5, 0.0, 0.25, 1.0])
V4_SUBNETS = st.sampled_from([28, 29])
"""IPv4 subnet lengths: every department sits on the one node, so with up to ~200 departments a
/24 per network would not fit the /15 of cloud IPv4 (that limit is the operator's, not a bug)."""


@dataclass
class Shape:
    """The parts of a province: ``tree[city][county][township] = [villages]``; departments and
    units by site code. Mutable so that edit sequences can add and remove parts."""

    tree: dict[str, dict[str, dict[str, list[str]]]]
    departments: dict[str, int] = field(default_factory=dict)
    units: dict[str, int] = field(default_factory=dict)
    headroom: float = 0.5
    v4_subnet: int = 28

    def province(self) -> Province:
        return build(self)

    def site_codes(self) -> list[str]:
        codes = ["core"]
        for city, counties in self.tree.items():
            codes.append(city)
            for county, townships in counties.items():
                codes.append(county)
                for township, villages in townships.items():
                    codes += [township, *villages]
        return codes


def _count(draw, level: str, wide: str | None, first: bool, small: int) -> int:
    """The number of children at ``level``: wide for the first parent of the wide level, and at
    least one on the first path down to a deeper wide level (so that the wide parent exists)."""
    if first and level == wide:
        return draw(WIDE)
    deeper = wide in WIDE_LEVELS[:4] and WIDE_LEVELS.index(level) < WIDE_LEVELS.index(wide)
    return draw(st.integers(1 if first and deeper else 0, small))


@st.composite
def shapes(draw, max_cities: int = 4) -> Shape:
    wide = draw(st.sampled_from((None, *WIDE_LEVELS)))  # shrinks towards None: no wide level
    tree: dict = {}
    cities = draw(WIDE) if wide == "city" else draw(st.integers(1, max_cities))
    for c in range(cities):
        city = f"c{c}"
        small_city = wide == "city"  # a wide province keeps its cities bare, to keep the plan small
        tree[city] = {}
        for k in range(0 if small_city else _count(draw, "county", wide, c == 0, 4)):
            county = f"{city}-x{k}"
            tree[city][county] = {}
            for t in range(_count(draw, "township", wide, c == 0 and k == 0, 4)):
                township = f"{county}-t{t}"
                tree[city][county][township] = [
                    f"{township}-v{v}" for v in range(_count(draw, "village", wide, c == 0 and k == 0 and t == 0, 2))]
    shape = Shape(tree, headroom=draw(HEADROOMS), v4_subnet=draw(V4_SUBNETS))
    sites = shape.site_codes()
    for site in sites:
        # The first city's departments and units are the wide ones (the core's block is the
        # operator's /32, sized by no level).
        if _tier(site) in ("province", "city", "county"):
            shape.departments[site] = _count(draw, "department", wide, site == "c0", 3)
        shape.units[site] = _count(draw, "unit", wide, site == "c0", 2)
    return shape


def _tier(code: str) -> str:
    """Tier of a site code of this module's naming (core, cN, cN-xK, cN-xK-tT, cN-xK-tT-vV)."""
    if code == "core":
        return "province"
    return ("city", "county", "township", "village")[code.count("-")]


def build(shape: Shape) -> Province:
    sites = [{"code": "core", "name": "core", "tier": "province"}]
    links = []

    def add(code: str, parent: str) -> None:
        sites.append({"code": code, "name": code, "tier": _tier(code), "parent": parent})
        links.append({"a": parent, "b": code})

    for city, counties in shape.tree.items():
        add(city, "core")
        for county, townships in counties.items():
            add(county, city)
            for township, villages in townships.items():
                add(township, county)
                for village in villages:
                    add(village, township)
    for site in sites:
        site["units"] = [{"code": f"u{i}", "kind": "department"} for i in range(shape.units.get(site["code"], 0))]
    depts = [{"code": f"{site}-d{i}", "name": f"{site} d{i}", "tier": _tier(site), "node": "province", "site": site,
              "networks": [{"name": "business"}, {"name": "management", "purpose": "management"}][: 1 + i % 2]}
             for site, count in shape.departments.items() for i in range(count)]
    return Province.model_validate({
        "province": {"code": "test", "name": "test"},
        "ipam": {"ipv6_block": "2001:db8::/32", "cloud_ipv4": ["198.18.0.0/15"], "headroom": shape.headroom,
                 "ipv4_subnet_prefixlen": shape.v4_subnet},
        "nodes": [{"code": "province", "name": "p", "kind": "province", "site": "core", "cloud": "c",
                   "capacity": {"vcpu": 1, "ram_gb": 1, "storage_gb": 1}}],
        "departments": depts, "sites": sites, "links": links, "targets": TARGETS,
    })


EDIT_KINDS = ("add-village", "drop-village", "add-township", "drop-township", "add-county", "drop-county",
              "add-dept", "drop-dept")
EDITS = st.lists(st.tuples(st.sampled_from(EDIT_KINDS), st.integers(0, 100)), min_size=1, max_size=8)
"""Edit sequences: what to add or drop, and which of the candidates (by index, modulo their number)."""


def apply_edit(shape: Shape, edit: tuple[str, int], serial: int) -> None:
    """Apply one edit in place; new parts get codes no earlier part had (``n<serial>``)."""
    kind, pick = edit
    cities = sorted(shape.tree)
    counties = [(c, k) for c in cities for k in shape.tree[c]]
    townships = [(c, k, t) for c, k in counties for t in shape.tree[c][k]]
    villages = [(c, k, t, v) for c, k, t in townships for v in shape.tree[c][k][t]]

    def choose(items):
        return items[pick % len(items)] if items else None

    if kind == "add-county":
        city = choose(cities)
        shape.tree[city][f"{city}-n{serial}"] = {}
    elif kind == "drop-county" and counties:
        city, county = choose(counties)
        for gone in [county, *shape.tree[city][county]]:
            shape.departments.pop(gone, None)
        del shape.tree[city][county]
    elif kind == "add-township" and counties:
        city, county = choose(counties)
        shape.tree[city][county][f"{county}-n{serial}"] = []
    elif kind == "drop-township" and townships:
        city, county, township = choose(townships)
        del shape.tree[city][county][township]
    elif kind == "add-village" and townships:
        city, county, township = choose(townships)
        shape.tree[city][county][township].append(f"{township}-n{serial}")
    elif kind == "drop-village" and villages:
        city, county, township, village = choose(villages)
        shape.tree[city][county][township].remove(village)
    elif kind == "add-dept":
        site = choose(["core", *cities, *(k for _, k in counties)])
        shape.departments[site] = shape.departments.get(site, 0) + 1
    elif kind == "drop-dept":
        site = choose([s for s, n in shape.departments.items() if n])
        if site is not None:
            shape.departments[site] -= 1
