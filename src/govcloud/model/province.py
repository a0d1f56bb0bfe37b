"""The root of the model: one province, and every cross-reference between its parts.

Pydantic checks each object on its own; :func:`reference_problems` then checks what no single
object can see (unknown codes, duplicates, cycles, overlapping ranges). Both run once, at load.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from functools import cached_property

import networkx as nx
from netaddr import IPSet
from pydantic import Field
from rapidfuzz import fuzz, process

from ..problems import Problem
from .shape import SHAPE_CHECKS, site_and_ancestors
from .space import address_problems
from .primitives import Code, DisplayName, FrozenModel, IPv4Network, IPv6Network, Ratio, Tier, WholeNumber
from .cloud import Department, Node, NodeKind
from .exit_addresses import exit_address_problems
from .exits import ExitPlan, InternetExit
from .extranet import Link, Site
from .routing import example_routing
from .systems import LegacySystem
from .targets import NetworkPlan, Targets


PARENT_TIERS: dict[Tier, tuple[Tier, ...]] = {
    Tier.PROVINCE: (),
    Tier.CITY: (Tier.PROVINCE,),
    Tier.COUNTY: (Tier.CITY,),
    Tier.TOWNSHIP: (Tier.COUNTY, Tier.CITY),  # cities without counties govern townships directly
    Tier.VILLAGE: (Tier.TOWNSHIP,),  # villages "as needed", under any township
}
"""The tiers a site's parent may have."""


class ProvinceInfo(FrozenModel):
    code: Code
    name: DisplayName


class IpamSettings(FrozenModel):
    """The address space the plan divides, and how much room it leaves for growth."""

    ipv6_block: IPv6Network
    cloud_ipv4: tuple[IPv4Network, ...] = Field(min_length=1)
    headroom: Ratio = Field(default=0.5, ge=0, le=8, description="Spare fraction kept at every level.")
    ipv4_subnet_prefixlen: WholeNumber = Field(default=24, ge=16, le=29)


class Province(FrozenModel):
    province: ProvinceInfo
    ipam: IpamSettings
    nodes: tuple[Node, ...] = Field(min_length=1)
    departments: tuple[Department, ...] = ()
    sites: tuple[Site, ...] = Field(min_length=1)
    links: tuple[Link, ...] = ()
    exits: tuple[InternetExit, ...] = ()
    unified_exit_plan: ExitPlan = ExitPlan()
    systems: tuple[LegacySystem, ...] = ()
    targets: Targets
    network_plan: NetworkPlan | None = None

    # Indexes are derived once; the model is frozen so they never go stale.
    @cached_property
    def node_by_code(self) -> dict[str, Node]:
        return {n.code: n for n in self.nodes}

    @cached_property
    def department_by_code(self) -> dict[str, Department]:
        return {d.code: d for d in self.departments}

    @cached_property
    def site_by_code(self) -> dict[str, Site]:
        return {s.code: s for s in self.sites}

    @cached_property
    def system_by_code(self) -> dict[str, LegacySystem]:
        return {s.code: s for s in self.systems}

    @cached_property
    def children_of(self) -> dict[str | None, list[Site]]:
        children: dict[str | None, list[Site]] = {}
        for site in self.sites:
            children.setdefault(site.parent, []).append(site)
        return children

    @cached_property
    def systems_by_owner(self) -> dict[str, list[LegacySystem]]:
        by_owner: dict[str, list[LegacySystem]] = {}
        for system in self.systems:
            by_owner.setdefault(system.owner, []).append(system)
        return by_owner

    @cached_property
    def links_from(self) -> dict[str, list[Link]]:
        """Links by their upstream end (``a``)."""
        by_a: dict[str, list[Link]] = {}
        for link in self.links:
            by_a.setdefault(link.a, []).append(link)
        return by_a

    @property
    def core(self) -> Site:
        return self.children_of[None][0]

    @property
    def province_node(self) -> Node:
        """The provincial platform: the provincial node at the province core (it holds the shared
        services and address scopes every other node refers to)."""
        core = self.core.code if None in self.children_of else None
        provincial = [n for n in self.nodes if n.kind is NodeKind.PROVINCE]
        return next((n for n in provincial if n.site == core), provincial[0])

    @cached_property
    def provincial_nodes(self) -> tuple[Node, ...]:
        """The platform and every cross-region provincial node."""
        return tuple(n for n in self.nodes if n.kind is NodeKind.PROVINCE)

    def departments_at(self, site_code: str) -> list[Department]:
        return self._departments_by_site.get(site_code, [])

    @cached_property
    def _departments_by_site(self) -> dict[str, list[Department]]:
        by_site: dict[str, list[Department]] = {}
        for dept in self.departments:
            by_site.setdefault(dept.site, []).append(dept)
        return by_site

    def walk_sites(self) -> Iterator[Site]:
        """Sites top-down (parents before children), in model order within a parent."""
        stack = list(reversed(self.children_of.get(None, [])))
        while stack:
            site = stack.pop()
            yield site
            stack.extend(reversed(self.children_of.get(site.code, [])))


def reference_checks() -> tuple[Callable[[Province], Iterable[Problem]], ...]:
    """The cross-reference checks, in the order their problems are reported."""
    return (_duplicates, _duplicate_links, _node_refs, _site_refs, _department_refs, _exit_refs, _exit_plan_refs,
            _network_plan_refs, _system_refs, _system_cycles, _ipv4_overlaps, _node_routing, _node_operators,
            *SHAPE_CHECKS, address_problems, exit_address_problems)


def reference_problems(p: Province) -> list[Problem]:
    """Every cross-reference problem of the model, in file order."""
    problems: list[Problem] = []
    for check in reference_checks():
        problems.extend(check(p))
    return problems


SET_ASIDE: ContextVar[frozenset[str]] = ContextVar("set_aside", default=frozenset())
"""Codes of entries set aside as invalid while the rest of a model is checked (see .partial): a
reference to one is not unknown, so no suggestion is searched for it (the search dominates)."""


def _unknown(path, kind: str, code: str, known) -> Problem:
    if code in SET_ASIDE.get():
        return Problem(path, f"unknown {kind} {code!r}", "", unknown_code=code)
    # rapidfuzz, not difflib: a hundred typos against a thousand codes take milliseconds, not seconds.
    close = process.extractOne(code, list(known), scorer=fuzz.ratio, score_cutoff=60)
    hint = f"did you mean {close[0]!r}?" if close else f"define a {kind} {code!r} or use an existing code"
    return Problem(path, f"unknown {kind} {code!r}", hint, unknown_code=code)


def _duplicates(p: Province) -> Iterator[Problem]:
    for section in CODE_SECTIONS:
        yield from duplicate_codes(section, [item.code for item in getattr(p, section)])


def _duplicate_links(p: Province) -> Iterator[Problem]:
    # Apart from the codes: a model with schema errors checks codes over every entry as written
    # (partial.py) and links over the links it kept, like any other check.
    seen_links: set[frozenset[str]] = set()
    for index, link in enumerate(p.links):
        pair = frozenset((link.a, link.b))
        if pair in seen_links:
            yield Problem(("links", index), f"duplicate link {link.a} -- {link.b}", "remove the second entry")
        seen_links.add(pair)


CODE_SECTIONS = ("nodes", "departments", "sites", "exits", "systems")
"""The sections whose entries are named by a code of their own."""


def duplicate_codes(section: str, codes: list[object]) -> Iterator[Problem]:
    """Codes used twice in one section (``codes`` by position; entries without a code are None)."""
    seen: dict[object, int] = {}
    for index, code in enumerate(codes):
        if code is None:
            continue
        if code in seen:
            yield Problem((section, index, "code"), f"duplicate code {code!r} (first at index {seen[code]})",
                          "give every entry its own code")
        seen.setdefault(code, index)


def _node_refs(p: Province) -> Iterator[Problem]:
    core = [s.code for s in p.sites if s.tier is Tier.PROVINCE]
    platforms = [n for n in p.nodes if n.kind is NodeKind.PROVINCE and n.site in core]
    if len(platforms) != 1:
        yield Problem(("nodes",), f"{len(platforms)} nodes of kind 'province' at the province core",
                      "declare exactly one provincial platform (kind: province, site: the province core); "
                      "further provincial nodes sit at city sites")
    for index, node in enumerate(p.nodes):
        if node.site not in p.site_by_code:
            yield _unknown(("nodes", index, "site"), "site", node.site, p.site_by_code)


def _parent_fix(tier: Tier) -> str:
    allowed = PARENT_TIERS[tier]
    if not allowed:
        return f"a {tier.value} site is the root of the site tree: remove its parent:"
    return (f"a {tier.value} site's parent must be one tier up (province > city > county > township > village; "
            f"a city may govern townships directly): use a {' or '.join(t.value for t in allowed)} site")


def _site_refs(p: Province) -> Iterator[Problem]:
    roots = [s for s in p.sites if s.parent is None]
    if len(roots) != 1 or roots[0].tier is not Tier.PROVINCE:
        yield Problem(("sites",), f"{len(roots)} site{'' if len(roots) == 1 else 's'} without a parent",
                      "exactly one site, the province core (tier: province), has no parent")
    for index, site in enumerate(p.sites):
        if site.parent is None:
            continue
        parent = p.site_by_code.get(site.parent)
        if parent is None:
            yield _unknown(("sites", index, "parent"), "site", site.parent, p.site_by_code)
        elif parent is site:
            yield Problem(("sites", index, "parent"), f"site {site.code!r} is its own parent", _parent_fix(site.tier))
        elif parent.tier not in PARENT_TIERS[site.tier]:
            yield Problem(("sites", index, "parent"),
                          f"{site.tier.value} site {site.code!r} hangs under {parent.tier.value} site {parent.code!r}",
                          _parent_fix(site.tier))
        for u_index, unit in enumerate(site.units):
            if unit.department is not None and unit.department not in p.department_by_code:
                yield _unknown(("sites", index, "units", u_index, "department"), "department", unit.department,
                               p.department_by_code)
    for index, link in enumerate(p.links):
        for end in ("a", "b"):
            code = getattr(link, end)
            if code not in p.site_by_code:
                yield _unknown(("links", index, end), "site", code, p.site_by_code)
        if link.a == link.b:
            yield Problem(("links", index), f"link from {link.a!r} to itself", "connect two different sites")


def _department_refs(p: Province) -> Iterator[Problem]:
    for index, dept in enumerate(p.departments):
        if dept.node not in p.node_by_code:
            yield _unknown(("departments", index, "node"), "node", dept.node, p.node_by_code)
        site = p.site_by_code.get(dept.site)
        if site is None:
            yield _unknown(("departments", index, "site"), "site", dept.site, p.site_by_code)
        elif site.tier is not dept.tier:
            yield Problem(("departments", index, "site"),
                          f"{dept.tier.value} department attached to {site.tier.value} site {site.code!r}",
                          f"attach it to a {dept.tier.value} site or change its tier")
        names = [n.name for n in dept.networks]
        for n_index, name in enumerate(names):
            if names.index(name) != n_index:
                yield Problem(("departments", index, "networks", n_index, "name"),
                              f"duplicate network name {name!r}", "give every network of a department its own name")


def _exit_refs(p: Province) -> Iterator[Problem]:
    for index, ex in enumerate(p.exits):
        if ex.site not in p.site_by_code:
            yield _unknown(("exits", index, "site"), "site", ex.site, p.site_by_code)
        known = p.department_by_code if ex.owner_kind.value == "department" else p.site_by_code
        if ex.owner not in known:
            yield _unknown(("exits", index, "owner"), ex.owner_kind.value, ex.owner, known)
        elif ex.owner_kind.value != "department" and p.site_by_code[ex.owner].tier.value != ex.owner_kind.value:
            site = p.site_by_code[ex.owner]
            yield Problem(("exits", index, "owner"), f"owner_kind {ex.owner_kind.value!r} but {ex.owner!r} is a "
                          f"{site.tier.value} site", f"set owner_kind: {site.tier.value}, or name a "
                          f"{ex.owner_kind.value} site as owner")
        if ex.node is not None and ex.node not in p.node_by_code:
            yield _unknown(("exits", index, "node"), "node", ex.node, p.node_by_code)
        if ex.status.value == "unified" and ex.node is None:
            yield Problem(("exits", index, "node"), "a unified exit serves no node",
                          "set node: to the cloud node whose external network this exit serves")


def _exit_plan_refs(p: Province) -> Iterator[Problem]:
    """Designations name unified exits, made by the province, or by a city for its own area."""
    exits = {ex.code: ex for ex in p.exits}
    seen: set[str] = set()
    for index, designation in enumerate(p.unified_exit_plan.designations):
        path = ("unified_exit_plan", "designations", index)
        ex = exits.get(designation.exit)
        if ex is None:
            yield _unknown((*path, "exit"), "exit", designation.exit, exits)
            continue
        if designation.exit in seen:
            yield Problem((*path, "exit"), f"exit {designation.exit!r} is designated twice", "remove one entry")
        seen.add(designation.exit)
        if ex.status.value != "unified":
            yield Problem((*path, "exit"), f"exit {ex.code!r} is designated unified but its status is "
                          f"{ex.status.value}", "set the exit's status to unified once it is built, or remove "
                          "the designation")
        by = designation.designated_by
        if by == p.province.code:
            continue
        site = p.site_by_code.get(by)
        if site is None or site.tier is not Tier.CITY:
            yield Problem((*path, "designated_by"), f"{by!r} may not designate a unified exit",
                          f"the province ({p.province.code!r}) designates unified exits, or a city site for "
                          "an exit of its own area")
        elif by not in site_and_ancestors(p, ex.site):
            yield Problem((*path, "designated_by"), f"city {by!r} designates exit {ex.code!r} outside its area "
                          f"(site {ex.site!r})", f"let the province ({p.province.code!r}) designate it")


def _network_plan_refs(p: Province) -> Iterator[Problem]:
    """Planned dates name a tier that has a rollout wave (sites of that tier) and a legacy exit, on
    or after the plan's start (past a target's deadline is allowed: the KPI then reads behind)."""
    plan = p.network_plan
    if plan is None:
        return
    tiers = [t for t in Tier if any(s.tier is t for s in p.sites)]
    for tier, day in plan.ipv6_waves.items():
        path = ("network_plan", "ipv6_waves", tier.value)
        if tier not in tiers:
            yield Problem(path, f"no IPv6 rollout wave for the {tier.value} tier: the model has no "
                          f"{tier.value} sites",
                          f"date the wave of a tier with sites: {', '.join(t.value for t in tiers)}")
        yield from _before_start(path, day, plan.start)
    exits = {ex.code: ex for ex in p.exits}
    for code, day in plan.exit_consolidation.items():
        path = ("network_plan", "exit_consolidation", code)
        ex = exits.get(code)
        if ex is None:
            yield _unknown(path, "exit", code, exits)
        elif ex.status.value == "unified":
            yield Problem(path, f"exit {code!r} is unified: the other exits consolidate into it",
                          "remove it from exit_consolidation (only legacy exits are consolidated)")
        yield from _before_start(path, day, plan.start)


def _before_start(path: tuple[str | int, ...], day, start) -> Iterator[Problem]:
    if day < start:
        yield Problem(path, f"planned for {day}, before the plan starts ({start})",
                      f"plan it on or after {start}, or set network_plan.start earlier")


def _system_refs(p: Province) -> Iterator[Problem]:
    for index, system in enumerate(p.systems):
        if system.owner not in p.department_by_code:
            yield _unknown(("systems", index, "owner"), "department", system.owner, p.department_by_code)
        if system.current_site not in p.site_by_code:
            yield _unknown(("systems", index, "current_site"), "site", system.current_site, p.site_by_code)
        for field in ("target_node", "dr_node"):
            code = getattr(system, field)
            if code is not None and code not in p.node_by_code:
                yield _unknown(("systems", index, field), "node", code, p.node_by_code)
        if system.dr_node is not None and system.dr_node == system.target_node:
            yield Problem(("systems", index, "dr_node"), "DR copy in the same node as the primary",
                          "choose a dr_node different from target_node")
        for d_index, dep in enumerate(system.depends_on):
            if dep not in p.system_by_code:
                yield _unknown(("systems", index, "depends_on", d_index), "system", dep, p.system_by_code)
            elif dep == system.code:
                yield Problem(("systems", index, "depends_on", d_index), "a system depends on itself",
                              "remove it from its own depends_on")


def _system_cycles(p: Province) -> Iterator[Problem]:
    graph = nx.DiGraph()
    graph.add_edges_from((s.code, d) for s in p.systems for d in s.depends_on if d != s.code)
    index_of = {s.code: i for i, s in enumerate(p.systems)}
    for component in nx.strongly_connected_components(graph):
        if len(component) > 1:
            # A real cycle in dependency order (not the members in file order), from its first member.
            cycle = [edge[0] for edge in nx.find_cycle(graph.subgraph(component),
                                                       source=min(component, key=lambda c: index_of.get(c, 0)))]
            start = cycle.index(min(cycle, key=lambda c: index_of.get(c, 0)))
            cycle = cycle[start:] + cycle[:start]
            first = cycle[0]
            yield Problem(("systems", index_of.get(first, 0), "depends_on"),
                          f"dependency cycle: {' -> '.join(cycle + [first])}",
                          "break the cycle: one of these systems must not depend on the next")


def _ipv4_overlaps(p: Province) -> Iterator[Problem]:
    # Sorting by first address finds every overlap in one pass (ranges overlap only neighbours
    # or ones still open), instead of comparing every pair.
    ranges = sorted(
        ((net.first, net.last, net, idx, r_idx) for idx, site in enumerate(p.sites)
         for r_idx, net in enumerate(site.ipv4_in_use)),
        key=lambda r: (r[0], -r[1]),
    )
    widest = None
    for first, last, net, idx, r_idx in ranges:
        if widest is not None and first <= widest[1]:
            other = p.sites[widest[3]].code
            yield Problem(("sites", idx, "ipv4_in_use", r_idx),
                          f"{net} overlaps {widest[2]} in use at site {other!r}",
                          "each IPv4 range may be in use at one site only; correct one of them")
        if widest is None or last > widest[1]:
            widest = (first, last, net, idx)
    in_use = IPSet(n for s in p.sites for n in s.ipv4_in_use)
    for r_idx, block in enumerate(p.ipam.cloud_ipv4):
        clash = in_use & IPSet([block])
        if clash:
            yield Problem(("ipam", "cloud_ipv4", r_idx), f"{block} overlaps ranges in use today: "
                          f"{', '.join(str(c) for c in clash.iter_cidrs()[:3])}",
                          "choose cloud IPv4 space that no site uses today")


def _node_routing(p: Province) -> Iterator[Problem]:
    """Every node needs its BGP session to the extranet. (That its site is the province core or a
    city, the tiers with border routers, is a shape rule: :mod:`.shape`.)"""
    taken = [n.routing.speaker_asn for n in p.nodes if n.routing is not None]
    for index, node in enumerate(p.nodes):
        if node.routing is None:
            yield Problem(("nodes", index, "routing"),
                          f"node {node.code!r} has no routing: its departments' prefixes cannot reach the extranet",
                          f"add {example_routing(taken)} to node {node.code!r}")
    speakers: dict[int, int] = {}
    borders: dict[str, int] = {}
    for index, node in enumerate(p.nodes):
        if node.routing is None:
            continue
        first_at_site = borders.setdefault(node.site, index)
        if p.nodes[first_at_site].routing.border_asn != node.routing.border_asn:
            # One border router runs one BGP instance: one ASN for every node it serves.
            yield Problem(("nodes", index, "routing", "border_asn"),
                          f"border_asn {node.routing.border_asn} differs from node {p.nodes[first_at_site].code!r}'s "
                          f"at the same site {node.site!r}",
                          f"use border_asn {p.nodes[first_at_site].routing.border_asn}: one router, one ASN")
        first = speakers.setdefault(node.routing.speaker_asn, index)
        if first != index:
            yield Problem(("nodes", index, "routing", "speaker_asn"),
                          f"speaker_asn {node.routing.speaker_asn} is also the speaker ASN of node "
                          f"{p.nodes[first].code!r}",
                          "give every node's BGP speaker an ASN of its own")


def _node_operators(p: Province) -> Iterator[Problem]:
    """Per-city operators (opt-in): never on the provincial platform, whose stack holds what every
    other stack reads; and their own clouds.yaml entry, not the node's admin one."""
    platform = p.province_node.code if any(n.kind is NodeKind.PROVINCE for n in p.nodes) else None
    for index, node in enumerate(p.nodes):
        if node.operators is None:
            continue
        if node.code == platform:
            yield Problem(("nodes", index, "operators"),
                          f"node {node.code!r} is the provincial platform: its stack holds the shared services every "
                          "other stack reads, and the provincial team runs it",
                          "remove operators: here and declare them on the nodes they run")
        elif node.operators.cloud == node.cloud:
            yield Problem(("nodes", index, "operators", "cloud"),
                          f"the operators' cloud {node.cloud!r} is the node's own (admin) entry: their stack would run "
                          "with the provincial team's credentials",
                          "name the operators' own clouds.yaml entry (a user with the member role only)")
