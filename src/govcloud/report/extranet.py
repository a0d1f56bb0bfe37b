"""The extranet as the report shows it: the tree of sites with townships and villages folded into
counts under their county (the example province has some 2,000 sites; a page cannot draw them one
by one and stay readable), the coverage of each tier, the exits, and the IPv6 quality measured."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from statistics import fmean
from typing import Any

from ..model import ExitStatus, Ipv6Status, Province, Tier
from .measurements import FamilyResult, Ipv6Quality, SiteProbe

#: Tiers drawn one site at a time; the ones below are folded into their nearest drawn ancestor.
DRAWN_TIERS = (Tier.PROVINCE, Tier.CITY, Tier.COUNTY)


@dataclass(frozen=True)
class ExtranetView:
    sites: list[dict[str, Any]]
    """Drawn sites, parents first: code, name, tier, parent, ipv6, units, node, exits, folded."""
    tiers: list[dict[str, Any]]
    exits: dict[str, Any]
    subtree_totals: dict[str, dict[str, int]] = field(default_factory=dict)


def extranet_view(province: Province, ipv6: dict[str, Ipv6Status], exits: dict[str, ExitStatus]) -> ExtranetView:
    """``ipv6`` and ``exits`` are the recorded statuses that override the model's (as in the KPIs)."""
    status_of = {s.code: ipv6.get(s.code, s.ipv6_status).value for s in province.sites}
    exit_status = {e.code: exits.get(e.code, e.status).value for e in province.exits}
    node_at = {n.site: n.code for n in province.nodes}
    exits_at: dict[str, list[dict[str, str]]] = {}
    for ex in province.exits:
        exits_at.setdefault(ex.site, []).append({"code": ex.code, "name": ex.name, "status": exit_status[ex.code],
                                                 "owner_kind": ex.owner_kind.value, "node": ex.node or ""})
    drawn: dict[str, dict[str, Any]] = {}
    anchor: dict[str, str] = {}  # each site's drawn ancestor (itself when drawn)
    city_of: dict[str, str] = {}
    totals: dict[str, Counter] = {}
    for site in province.walk_sites():  # parents first
        if site.tier is Tier.CITY:
            city_of[site.code] = site.code
        elif site.parent in city_of:
            city_of[site.code] = city_of[site.parent]
        if site.tier in DRAWN_TIERS or site.parent is None:
            anchor[site.code] = site.code
            drawn[site.code] = {"code": site.code, "name": site.name, "tier": site.tier.value, "parent": site.parent,
                                "ipv6": status_of[site.code], "units": len(site.units),
                                "node": node_at.get(site.code, ""), "exits": exits_at.get(site.code, []),
                                "folded": {"sites": 0, "dual-stack": 0, "planned": 0, "none": 0, "units": 0,
                                           "exits": {s.value: 0 for s in ExitStatus}}}
        else:
            anchor[site.code] = anchor[site.parent]
            folded = drawn[anchor[site.code]]["folded"]
            folded["sites"] += 1
            folded[status_of[site.code]] += 1
            folded["units"] += len(site.units)
            for ex in exits_at.get(site.code, []):
                folded["exits"][ex["status"]] += 1
        city = city_of.get(site.code)
        if city is not None:
            count = totals.setdefault(city, Counter())
            count["sites"] += 1
            count[status_of[site.code]] += 1
            for ex in exits_at.get(site.code, []):
                if ex["status"] != ExitStatus.UNIFIED.value:
                    count["exits"] += 1
                    count[ex["status"]] += 1
    return ExtranetView(sites=list(drawn.values()), tiers=_tiers(province, status_of),
                        exits=_exits(province, exit_status), subtree_totals={k: dict(v) for k, v in totals.items()})


def _tiers(province: Province, status_of: dict[str, str]) -> list[dict[str, Any]]:
    rows = []
    for tier in Tier:
        sites = [s for s in province.sites if s.tier is tier]
        if not sites:
            continue
        count = Counter(status_of[s.code] for s in sites)
        target = province.targets.ipv6_coverage.get(tier)
        rows.append({"tier": tier.value, "sites": len(sites), "units": sum(len(s.units) for s in sites),
                     **{status.value: count[status.value] for status in Ipv6Status},
                     "target": target.value if target else None,
                     "deadline": target.deadline.isoformat() if target else None})
    return rows


def _exits(province: Province, exit_status: dict[str, str]) -> dict[str, Any]:
    by_status = Counter(exit_status.values())
    by_owner: dict[str, Counter] = {}
    for ex in province.exits:
        by_owner.setdefault(ex.owner_kind.value, Counter())[exit_status[ex.code]] += 1
    unified = [{"code": e.code, "name": e.name, "site": e.site, "node": e.node, "isp": e.uplink.isp,
                "bandwidth_mbps": e.uplink.bandwidth_mbps, "ipv6": e.uplink.ipv6 is not None}
               for e in province.exits if exit_status[e.code] == ExitStatus.UNIFIED.value]
    return {"total": len(province.exits), "by_status": {s.value: by_status[s.value] for s in ExitStatus},
            "by_owner": {k: {s.value: v[s.value] for s in ExitStatus} for k, v in sorted(by_owner.items())},
            "unified": unified}


def ipv6_quality_view(province: Province, quality: Ipv6Quality | None) -> dict[str, Any] | None:
    """Per tier: IPv6 reachability and the IPv6/IPv4 degradation ((v6 - v4) / v4) of RTT, loss and
    TCP connect success; per unified exit: the IPv6 share of its traffic. None when not measured."""
    if quality is None:
        return None
    tiers = []
    for tier in Tier:
        probes = [p for p in quality.sites if p.tier == tier.value]
        if probes:
            tiers.append({"tier": tier.value, "sites": sum(s.tier is tier for s in province.sites),
                          **_aggregate(probes)})
    exits = [{"exit": e.exit, "ipv4_octets": e.ipv4_octets, "ipv6_octets": e.ipv6_octets,
              "ipv6_share": _ratio(e.ipv6_octets, e.ipv4_octets + e.ipv6_octets)} for e in quality.exits]
    v4 = sum(e.ipv4_octets for e in quality.exits)
    v6 = sum(e.ipv6_octets for e in quality.exits)
    return {"measured_at": quality.measured_at.isoformat(timespec="seconds"), "probe_host": quality.probe_host,
            "tiers": tiers, "sites": [{"site": p.site, "tier": p.tier, **_aggregate([p])} for p in quality.sites],
            "exits": exits, "ipv6_share": _ratio(v6, v4 + v6)}


def _aggregate(probes: list[SiteProbe]) -> dict[str, Any]:
    v4 = _family([p.ipv4 for p in probes])
    v6 = _family([p.ipv6 for p in probes])
    return {"probed": len(probes), "reachable_v4": v4["reachable"], "reachable_v6": v6["reachable"],
            "reachability_v6": _ratio(v6["reachable"], len(probes)), "ipv4": v4, "ipv6": v6,
            "degradation": {key: _degradation(v6[key], v4[key]) for key in ("rtt_ms", "loss", "tcp_success")}}


def _family(results: list[FamilyResult]) -> dict[str, Any]:
    sent = sum(r.sent for r in results)
    tries = sum(r.tcp_tries for r in results)
    rtts = [r.rtt_ms for r in results if r.rtt_ms is not None]
    return {"reachable": sum(r.received > 0 for r in results),
            "rtt_ms": round(fmean(rtts), 3) if rtts else None,
            "loss": round(1 - sum(r.received for r in results) / sent, 4) if sent else None,
            "tcp_success": round(sum(r.tcp_ok for r in results) / tries, 4) if tries else None}


def _degradation(v6: float | None, v4: float | None) -> float | None:
    """(v6 - v4) / v4; None when either is unknown or IPv4's value is zero (no ratio exists)."""
    if v6 is None or v4 is None or v4 == 0:
        return None
    return round((v6 - v4) / v4, 4)


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None
