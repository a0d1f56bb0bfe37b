"""The extranet drawing's layout: the province core on the left, one row per city, the city's
counties along its row, each county carrying a small bar of its folded townships and villages by
IPv6 status. Exits are badges by consolidation status. Pure geometry from :class:`ExtranetView`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .extranet import ExtranetView

ROW_H = 88
CORE_X = 70
CITY_X = 250
COUNTY_X0 = 400
COUNTY_W = 124
FOLD_BAR_W = 72
MIN_WIDTH = 1000  # room for the legend
STATUS_ORDER = ("dual-stack", "planned", "none")
EXIT_ORDER = ("legacy", "unified", "decommissioned")


@dataclass(frozen=True)
class TopoSite:
    code: str
    label: str
    tier: str
    x: float
    y: float
    ipv6: str
    title: str
    node: str
    fold: list[tuple[float, float, str, str]] = field(default_factory=list)
    """Folded sites as bar segments: (x, width, css, title)."""
    caption: list[str] = field(default_factory=list)
    """Lines under the site: folded sites and horizontal units."""
    badges: list[tuple[float, str, int]] = field(default_factory=list)
    """Exit badges right of the site: (x, status, count)."""


@dataclass(frozen=True)
class ExtranetLayout:
    width: int
    height: int
    sites: list[TopoSite]
    edges: list[tuple[float, float, float, float, str]]


def layout(view: ExtranetView) -> ExtranetLayout:
    by_parent: dict[str | None, list[dict[str, Any]]] = {}
    for site in view.sites:
        by_parent.setdefault(site["parent"], []).append(site)
    core = by_parent[None][0]
    cities = by_parent.get(core["code"], [])
    most = max((len(by_parent.get(c["code"], [])) for c in cities), default=0)
    height = max(len(cities), 1) * ROW_H + 50
    width = max(COUNTY_X0 + max(most, 1) * COUNTY_W + 20, MIN_WIDTH)
    core_y = height / 2
    sites = [_site(core, CORE_X, core_y)]
    edges = []
    for row, city in enumerate(cities):
        y = 40 + row * ROW_H
        sites.append(_site(city, CITY_X, y))
        edges.append((CORE_X, core_y, CITY_X, y, "uplink"))
        counties = by_parent.get(city["code"], [])
        if counties:
            edges.append((CITY_X, y, COUNTY_X0 + (len(counties) - 1) * COUNTY_W, y, "uplink"))
        sites.extend(_site(county, COUNTY_X0 + i * COUNTY_W, y) for i, county in enumerate(counties))
    return ExtranetLayout(width, int(height), sites, edges)


def _site(site: dict[str, Any], x: float, y: float) -> TopoSite:
    folded = site["folded"]
    fold: list[tuple[float, float, str, str]] = []
    if folded["sites"]:
        left = x - FOLD_BAR_W / 2
        for status in STATUS_ORDER:
            width = FOLD_BAR_W * folded[status] / folded["sites"]
            if width:
                fold.append((round(left, 1), round(width, 1), f"ipv6-{status}",
                             f"{folded[status]} of {folded['sites']} townships/villages: {status}"))
                left += width
    exits = {s: 0 for s in EXIT_ORDER}
    for ex in site["exits"]:
        exits[ex["status"]] += 1
    for status, count in folded["exits"].items():
        exits[status] += count
    shown = [(s, n) for s, n in exits.items() if n]
    badges = [(round(x + 26 + 18 * i, 1), s, n) for i, (s, n) in enumerate(shown)]
    title = (f"{site['name']} ({site['code']}), {site['tier']}: IPv6 {site['ipv6']}, {site['units']} units"
             + (f", cloud node {site['node']}" if site["node"] else "")
             + (f"; below it {folded['sites']} sites ({folded['dual-stack']} dual-stack), {folded['units']} units"
                if folded["sites"] else "")
             + ("; exits " + ", ".join(f"{n} {s}" for s, n in shown) if shown else ""))
    units = site["units"] + folded["units"]
    caption = [part for part in (f"{folded['sites']} 乡镇/村" if folded["sites"] else "",
                                 f"{units} 单位" if units else "") if part]
    return TopoSite(site["code"], _short(site["name"]), site["tier"], x, y, site["ipv6"], title, site["node"], fold,
                    caption, badges)


def _short(name: str, most: int = 7) -> str:
    return name if len(name) <= most else name[:most - 1] + "…"
