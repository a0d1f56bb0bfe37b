"""Problems of the model's shape that no single object can see: where nodes sit, which links make
a site a child of which, which node hosts what, DR pairs that cannot work, and codes used twice
inside one namespace (units of a site, zones of a node …)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from ..problems import Problem
from .primitives import Tier
from .cloud import NodeKind
from .exits import ExitOwnerKind
from .extranet import LinkKind
from .recovery import dr_inconsistencies
from .systems import DataClass

if TYPE_CHECKING:  # annotations only: province.py runs these checks
    from .province import Province


#: The tiers of sites a node of each kind may sit at.
NODE_SITE_TIERS = {NodeKind.PROVINCE: (Tier.PROVINCE, Tier.CITY), NodeKind.CITY: (Tier.CITY,)}


def _node_sites(p: Province) -> Iterator[Problem]:
    seen: dict[tuple[str, str], str] = {}
    for index, node in enumerate(p.nodes):
        other = seen.setdefault((node.cloud, node.region), node.code)
        if other != node.code:
            yield Problem(("nodes", index, "region"), f"nodes {other!r} and {node.code!r} name the same OpenStack "
                          f"(cloud {node.cloud!r}, region {node.region!r})",
                          "every node is its own cloud or region: correct cloud or region")
        site = p.site_by_code.get(node.site)
        allowed = NODE_SITE_TIERS[node.kind]
        if site is not None and site.tier not in allowed:
            yield Problem(("nodes", index, "site"), f"{node.kind.value} node {node.code!r} sits at {site.tier.value} "
                          f"site {site.code!r}", f"place it at a {' or '.join(t.value for t in allowed)} site")


def _uplinks(p: Province) -> Iterator[Problem]:
    """An uplink joins a site to its parent; one to any other site would give it a second parent."""
    for index, link in enumerate(p.links):
        if link.kind is not LinkKind.UPLINK or link.a not in p.site_by_code or link.b not in p.site_by_code \
                or link.a == link.b:  # a link to itself is reported as such, not as a second parent
            continue
        child, upper = p.site_by_code[link.b], p.site_by_code[link.a]
        if child.parent in (upper.code, child.code):  # a site that is its own parent is reported as such
            continue
        if upper.parent == child.code:
            yield Problem(("links", index), f"uplink {link.a} -- {link.b} is written child first",
                          f"write the parent as 'a': {{a: {link.b}, b: {link.a}}}")
        else:
            yield Problem(("links", index, "b"), f"uplink from {link.a!r} would give site {child.code!r} a second "
                          f"parent (its parent is {child.parent!r})",
                          "a site has one parent: make this a cross link (kind: cross) or change the site's parent")


def _reachable_sites(p: Province) -> Iterator[Problem]:
    """Every site but the core hangs off its parent by an uplink: without one no route reaches it,
    and the rollout would configure a site it cannot get to."""
    uplinks = {frozenset((link.a, link.b)) for link in p.links if link.kind is LinkKind.UPLINK}
    for index, site in enumerate(p.sites):
        if site.parent not in p.site_by_code or site.parent == site.code:  # reported as unknown / its own parent
            continue
        if frozenset((site.parent, site.code)) not in uplinks:
            yield Problem(("sites", index, "parent"), f"site {site.code!r} has no uplink to its parent "
                          f"{site.parent!r}: no route reaches it",
                          f"add {{a: {site.parent}, b: {site.code}}} to links")


def _target_scopes(p: Province) -> Iterator[Problem]:
    for code in p.targets.cloud_adoption_by_city:
        site = p.site_by_code.get(code)
        if site is None or site.tier is not Tier.CITY:
            cities = [s.code for s in p.sites if s.tier is Tier.CITY]
            what = "no site" if site is None else f"a {site.tier.value} site"
            yield Problem(("targets", "cloud_adoption_by_city", code), f"{code!r} is {what}, not a city",
                          f"name a city site ({', '.join(cities[:5]) or 'none defined'})",
                          unknown_code=code if site is None else None)  # silent when the site's entry was refused
    for code in p.targets.cloud_adoption_by_node:
        if code not in p.node_by_code:
            yield Problem(("targets", "cloud_adoption_by_node", code), f"{code!r} is no node",
                          f"name a node ({', '.join(n.code for n in p.nodes[:5])})", unknown_code=code)


def _served_cities(p: Province) -> Iterator[Problem]:
    for index, node in enumerate(p.nodes):
        if node.serves and (node.kind is not NodeKind.PROVINCE or node.code == _platform(p)):
            yield Problem(("nodes", index, "serves"), f"{node.kind.value} node {node.code!r} names cities it serves",
                          "only a provincial node sited at a city serves named cities: remove 'serves'")
            continue
        for s_index, code in enumerate(node.serves):
            site = p.site_by_code.get(code)
            if site is None or site.tier is not Tier.CITY:
                what = "no site" if site is None else f"a {site.tier.value} site"
                yield Problem(("nodes", index, "serves", s_index), f"{code!r} is {what}, not a city",
                              "name city sites in serves", unknown_code=code if site is None else None)
        yield from _twice(("nodes", index, "serves"), node.serves, "served city")


def _platform(p: Province) -> str | None:
    return p.province_node.code if p.provincial_nodes else None


def _city_of(p: Province, site_code: str) -> str | None:
    site = p.site_by_code.get(site_code)
    for _ in range(len(Tier)):  # bounded: tiers strictly rise towards the core
        if site is None or site.tier is Tier.CITY:
            break
        site = p.site_by_code.get(site.parent or "")
    return site.code if site is not None and site.tier is Tier.CITY else None


def _department_hosting(p: Province) -> Iterator[Problem]:
    """A cross-region provincial node hosts provincial departments and those of the cities it serves."""
    platform = _platform(p)
    for index, dept in enumerate(p.departments):
        node = p.node_by_code.get(dept.node)
        if node is None or node.kind is not NodeKind.PROVINCE or node.code == platform or dept.tier is Tier.PROVINCE:
            continue
        city = _city_of(p, dept.site)
        if city is not None and city not in node.serves:  # no city: an unknown site, reported as such
            yield Problem(("departments", index, "node"), f"provincial node {node.code!r} does not serve "
                          f"{dept.tier.value} department {dept.code!r} (city {city!r})",
                          f"add {city} to serves of node {node.code}, or host the department on its city's node")


def _department_units(p: Province) -> Iterator[Problem]:
    """A unit that names a department is where that department's offices attach, so the department's
    own ``site`` must be the unit's site (a second unit elsewhere would give it two places)."""
    for index, site in enumerate(p.sites):
        for u_index, unit in enumerate(site.units):
            dept = p.department_by_code.get(unit.department or "")
            if dept is not None and dept.site != site.code and dept.site in p.site_by_code:
                yield Problem(("sites", index, "units", u_index, "department"),
                              f"department {dept.code!r} is attached at site {site.code!r} here, but its site "
                              f"is {dept.site!r}",
                              f"set site: {site.code} on department {dept.code}, or move this unit to site {dept.site}")


def _exit_areas(p: Province) -> Iterator[Problem]:
    """A county's, city's or department's exit is attached inside its owner's area (the owner's site
    or a site below it); only the province's exits may sit anywhere. An exit at another area's site
    would be consolidated and accounted to the wrong owner."""
    for index, ex in enumerate(p.exits):
        if ex.owner_kind is ExitOwnerKind.PROVINCE or ex.site not in p.site_by_code:
            continue
        owner_dept = p.department_by_code.get(ex.owner) if ex.owner_kind is ExitOwnerKind.DEPARTMENT else None
        home = owner_dept.site if owner_dept is not None else ex.owner
        if home not in p.site_by_code or home in site_and_ancestors(p, ex.site):
            continue
        yield Problem(("exits", index, "site"), f"{ex.owner_kind.value} {ex.owner!r}'s exit {ex.code!r} is attached "
                      f"at site {ex.site!r}, outside its owner's area (site {home!r} and the sites below it)",
                      f"attach it at {home} or a site below it, or correct owner")


def site_and_ancestors(p: Province, code: str) -> set[str]:
    """``code`` and every site above it (the exit checks of province.py use it too)."""
    found: set[str] = set()
    while code and code not in found and code in p.site_by_code:  # bounded even on a parent cycle
        found.add(code)
        code = p.site_by_code[code].parent or ""
    return found


def _system_hosting(p: Province) -> Iterator[Problem]:
    """A system runs in its owner's tenant: on the node that hosts the owner, or anywhere when the
    owner is on the provincial platform (whose stack exports the owner's project to other nodes)."""
    platform = _platform(p)
    for index, system in enumerate(p.systems):
        owner = p.department_by_code.get(system.owner)
        if owner is None or system.target_node not in p.node_by_code or owner.node not in p.node_by_code:
            continue  # an unknown node is reported as such (its fix would name it: "set target_node: <typo>")
        if system.target_node != owner.node and owner.node != platform:
            yield Problem(("systems", index, "target_node"),
                          f"node {system.target_node!r} does not host owner {owner.code!r} (hosted on {owner.node!r})",
                          f"set target_node: {owner.node}, or host {owner.code} on the provincial platform")


def _dr_pairs(p: Province) -> Iterator[Problem]:
    for index, system in enumerate(p.systems):
        if system.data_class is DataClass.CLASSIFIED:
            continue
        primary, copy = p.node_by_code.get(system.target_node or ""), p.node_by_code.get(system.dr_node or "")
        if primary is not None and copy is not None and primary.code != copy.code \
                and (primary.cloud, primary.region) == (copy.cloud, copy.region):
            yield Problem(("systems", index, "dr_node"), f"nodes {primary.code!r} and {copy.code!r} are one OpenStack "
                          f"(cloud {primary.cloud!r}, region {primary.region!r}): losing it loses both copies",
                          "choose a dr_node in another cloud or region")
        # A dual-active system's rpo_s other than 0 never gets here: its own validator refuses the entry.
        for problem in dr_inconsistencies(system.dr, system.rpo_s, system.rto_s):
            yield problem.under("systems", index)


def _tenant_quotas(p: Province) -> Iterator[Problem]:
    """A quota below what the department's own tenant stack creates: the engine would fail on it
    minutes into an `up` (Neutron refuses the create past the quota)."""
    for index, dept in enumerate(p.departments):
        for quota, needed in dept.tenant_demand().items():
            value = getattr(dept.quotas, quota)
            if value is not None and value != -1 and value < needed:
                yield Problem(("departments", index, "quotas", quota), f"quota {quota} {value} is below the "
                              f"{needed} the department's tenant creates (its networks, subnets, routers, "
                              "router ports and security groups)",
                              f"raise quotas.{quota} to at least {needed}, with room for what runs in the tenant")


def _namespaces(p: Province) -> Iterator[Problem]:
    """Codes inside one object's namespace (the ledger and resource names are keyed by them)."""
    for index, site in enumerate(p.sites):
        yield from _twice(("sites", index, "units"), (u.code for u in site.units), "unit code", "code")
        depts = [u.department for u in site.units]
        for u_index, dept in enumerate(depts):
            if dept is not None and depts.index(dept) != u_index:
                yield Problem(("sites", index, "units", u_index, "department"),
                              f"department {dept!r} is attached twice at site {site.code!r}", "remove one of the units")
    for index, node in enumerate(p.nodes):
        yield from _twice(("nodes", index, "availability_zones"), node.availability_zones, "availability zone")
    for index, system in enumerate(p.systems):
        yield from _twice(("systems", index, "depends_on"), system.depends_on, "dependency")
    for index, dept in enumerate(p.departments):
        yield from _twice(("departments", index, "roles"),
                          ((r.role, r.group, r.user) for r in dept.roles), "role assignment")


def _twice(path: tuple, values: Iterable, what: str, field: str | None = None) -> Iterator[Problem]:
    seen: set = set()
    for index, value in enumerate(values):
        if value in seen:
            label = value if isinstance(value, str) else "/".join(v for v in value if v)
            yield Problem((*path, index, *((field,) if field else ())), f"{what} {label!r} appears twice",
                          f"give every {what} of this entry its own value, or remove the repeat")
        seen.add(value)


SHAPE_CHECKS = (_node_sites, _served_cities, _department_hosting, _department_units, _uplinks, _reachable_sites,
                _target_scopes, _exit_areas, _system_hosting, _dr_pairs, _tenant_quotas, _namespaces)
