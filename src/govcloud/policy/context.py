"""What the rules know besides the resource: the province model, its address plan, and the
baseline's settings for the environment (enforcement levels and parameters).

Settings live beside the pack, one file per environment:
``policies/govcloud-baseline/environments/<env>.yaml``::

    enforcement:                 # rule id -> mandatory | advisory | disabled
      GOV-TAG-004: advisory
    parameters:                  # override the defaults below
      approved_images: [kylin-v10-sp3-hardened]

The same file is read by the offline runner and by the pack inside the engine, which is what keeps
their verdicts equal.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from functools import cached_property
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..ipam import plan_environment
from ..ipam.requirements import department_key, v4_department_key
from ..model import Environment, ExitStatus, Province, load_environment
from ..stackgraph.stacks import node_stacks
from ..yamlfile import YamlFile, read_yaml, refuse_look_alike
from ..paths import policy_settings_file
from .locate import Locator
from .prefix import Prefix, from_netaddr
from .rule import Enforcement



@dataclass(frozen=True)
class PortRange:
    low: int
    high: int

    @classmethod
    def parse(cls, text: str | int) -> PortRange:
        """``22`` or ``5900-5999``; ValueError for anything else (a half range, a port above
        65535, a range the wrong way round), so a settings file cannot widen or empty a list
        by accident."""
        low, dash, high = str(text).strip().partition("-")
        if dash and not high.strip():
            raise ValueError(f"{text!r} is a range without its end")
        first, last = int(low), int(high or low)
        if not 0 <= first <= last <= 65535:
            raise ValueError(f"{text!r} is not a port or a range of ports (0-65535, low-high)")
        return cls(first, last)

    def overlaps(self, low: int, high: int) -> bool:
        return self.low <= high and low <= self.high

    def __str__(self) -> str:
        return str(self.low) if self.low == self.high else f"{self.low}-{self.high}"


def _ports(*specs: str | int) -> tuple[PortRange, ...]:
    return tuple(PortRange.parse(s) for s in specs)


@dataclass(frozen=True)
class Parameters:
    """The values the rules compare against; an environment file may override any of them."""

    approved_images: frozenset[str] = frozenset({
        "kylin-v10-sp3-hardened", "uos-server-20-hardened", "openeuler-22.03-lts-sp4-hardened",
        "anolis-8.9-hardened",
    })
    encrypted_volume_types: frozenset[str] = frozenset({"encrypted-sm4", "encrypted-luks"})
    # SSH, Telnet, RDP, VNC, IPMI, SNMP, WinRM, Docker and Kubernetes APIs, kubelet, etcd.
    management_ports: tuple[PortRange, ...] = _ports(22, 23, 3389, "5900-5999", 623, 161, "5985-5986", "2375-2376",
                                                     6443, 10250, "2379-2380")
    # Oracle, SQL Server, MySQL, PostgreSQL, Dameng, KingbaseES, GBase, OceanBase, Redis, MongoDB,
    # Elasticsearch, HighGo, TDSQL/MariaDB Galera, Memcached.
    database_ports: tuple[PortRange, ...] = _ports(1521, 1433, 3306, 5432, 5236, 54321, 5258, 2881, 6379, 27017,
                                                   9200, 5866, 4567, 11211)
    public_ports: tuple[PortRange, ...] = _ports(80, 443)
    platform_purposes: frozenset[str] = frozenset({"transit", "unified-exit"})
    """``purpose`` tags of the platform's own resources (no department owns them)."""
    shared_network_purposes: frozenset[str] = frozenset({"transit"})
    """``purpose`` tags of the only networks that may be shared between tenants (the extranet transit)."""
    anti_affinity_policies: frozenset[str] = frozenset({"anti-affinity", "soft-anti-affinity"})

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], *, source: str = "", file: YamlFile | None = None) -> Parameters:
        known = {f.name for f in fields(cls)}
        defaults = cls()
        values: dict[str, Any] = {}
        for key, value in data.items():
            if key not in known:
                fix = f"use one of {', '.join(sorted(known))}"
                if file is not None:
                    raise file.error(("parameters", key), f"parameters.{key} is not a parameter of the baseline",
                                     fix=fix)
                raise InputError(f"{source}: parameters.{key} is not a parameter of the baseline", fix=fix)
            values[key] = _parameter(key, value, getattr(defaults, key), file)
        return replace(defaults, **values)


def _parameter(key: str, value: Any, default: Any, file: YamlFile | None) -> Any:
    """A parameter's value in the shape of its default (ports, a set of names, a single value)."""
    at = ("parameters", key)
    if file is None:
        return _ports(*value) if key.endswith("_ports") else frozenset(value) if isinstance(default, frozenset) \
            else value
    if key.endswith("_ports"):
        fix = "list ports and ranges, e.g. [22, 3389, 5900-5999]"
        items = file.strings(at, value, fix=fix)
        try:
            return _ports(*items)
        except ValueError as exc:
            raise file.error(at, f"parameters.{key}: {value!r} is not a list of ports ({exc})", fix=fix) from None
    if isinstance(default, frozenset):
        return frozenset(file.strings(at, value, fix="list the names, e.g. [name-one, name-two]"))
    return file.scalar(at, value, fix="give a single value")


@dataclass(frozen=True)
class Settings:
    """Enforcement overrides and parameters for one environment."""

    enforcement: Mapping[str, Enforcement] = field(default_factory=dict)
    parameters: Parameters = Parameters()
    source: str = ""

    def level_of(self, rule) -> Enforcement:
        return self.enforcement.get(rule.id, rule.enforcement)


def settings_path(project_root: Path, env: str) -> Path:
    return policy_settings_file(project_root, env)


SETTINGS_FIX = "a settings file is a mapping with 'enforcement:' (rule id: level) and 'parameters:' sections"


def load_settings(path: Path, known_rules: set[str] | None = None) -> Settings:
    """Read an environment's settings file; a missing file means the defaults. Every mistake in it
    (syntax, a list for a mapping, an unknown rule or level, a parameter of the wrong shape) is a
    located error: file, line, field and fix."""
    refuse_look_alike(path, "policy settings")
    if not path.is_file():
        return Settings(source=str(path))
    file = read_yaml(path, what="policy settings", fix=SETTINGS_FIX, allow_empty=False,
                     empty_fix="delete the file to take the baseline's defaults, or write its 'enforcement:' and "
                               "'parameters:' sections (an empty file may be one truncated by mistake)")
    data = file.data or {}
    for section in data:
        if section not in ("enforcement", "parameters"):
            raise file.error((section,), f"unknown section {section!r}", fix=SETTINGS_FIX)
    enforcement: dict[str, Enforcement] = {}
    levels = file.mapping(("enforcement",), data.get("enforcement"), fix="write 'GOV-XXX-000: advisory' lines")
    for rule_id, level in levels.items():
        at = ("enforcement", rule_id)
        if known_rules is not None and rule_id not in known_rules:
            raise file.error(at, f"enforcement.{rule_id} names no rule", fix="see `govcloud policy list`")
        try:
            enforcement[rule_id] = Enforcement(level)
        except ValueError:
            raise file.error(at, f"enforcement.{rule_id}: {level!r} is not a level",
                             fix="use mandatory, advisory or disabled") from None
    raw = file.mapping(("parameters",), data.get("parameters"), fix="write 'name: value' lines under parameters:")
    parameters = Parameters.from_mapping(raw, source=str(path), file=file)
    return Settings(enforcement, parameters, str(path))


@dataclass(frozen=True, eq=False)
class PolicyContext:
    """The province model and address plan of one environment, with indexes the rules share."""

    env: str
    province: Province
    plan: Any  # govcloud.ipam.AddressPlan
    settings: Settings = Settings()
    project_root: Path | None = None
    section_files: Mapping[str, Path] = field(default_factory=dict)
    """The model file of each section (from the loader): where findings point."""

    @cached_property
    def locator(self) -> Locator | None:
        """Finds the model and settings lines of findings; None when the files are not known."""
        if self.project_root is None or not self.section_files:
            return None
        return Locator(self.project_root, self.section_files)

    @property
    def parameters(self) -> Parameters:
        return self.settings.parameters

    def node_of(self, stack: str) -> str | None:
        """The node a stack deploys (the stack graph's naming: ``<env>-province``, ``<env>-province-<code>``,
        ``<env>-city-<code>``, and an operated node's ``<env>-city-<code>-base``)."""
        return self._node_of_stack.get(stack)

    @cached_property
    def _node_of_stack(self) -> dict[str, str]:
        return {found.name: found.node.code for found in node_stacks(self.province, self.env)}

    @cached_property
    def node_by_region(self) -> dict[str, str]:
        """Regions that name exactly one node (a shared region name tells nothing about placement)."""
        seen: dict[str, list[str]] = {}
        for node in self.province.nodes:
            seen.setdefault(node.region, []).append(node.code)
        return {region: codes[0] for region, codes in seen.items() if len(codes) == 1}

    def department(self, code: str | None):
        return self.province.department_by_code.get(code) if code else None

    def system(self, code: str | None):
        return self.province.system_by_code.get(code) if code else None

    def department_v6(self, code: str) -> Prefix | None:
        return self._department_blocks.get(department_key(code))

    def department_v4(self, code: str) -> Prefix | None:
        return self._department_blocks.get(v4_department_key(code))

    @cached_property
    def _department_blocks(self) -> dict[str, Prefix]:
        return {a.key: from_netaddr(a.prefix) for a in self.plan.allocations
                if a.key.startswith(("dept:", "v4:dept:"))}

    @cached_property
    def planned_subnets(self) -> frozenset[tuple[int, int, int]]:
        """Every subnet-level allocation of the plan (IPv6 /64s and IPv4 tenant subnets), by
        :attr:`Prefix.key`."""
        return frozenset((a.prefix.version, a.prefix.first, a.prefix.prefixlen) for a in self.plan.allocations
                         if a.key.startswith(("subnet:", "v4:subnet:", "transit:", "v4:transit:", "repl:", "v4:repl:")))

    @cached_property
    def unified_exits_by_node(self) -> dict[str, list[str]]:
        return self._exits_by_node(lambda ex: ex.status is ExitStatus.UNIFIED)

    @cached_property
    def cloud_router_exits_by_node(self) -> dict[str, list[str]]:
        """Unified exits a node's own stack builds as a router (``kind: cloud-router``): the only
        ones whose router may hold a gateway on an internet-facing network. An appliance exit is
        the network's device; with one, no stack of its node holds any."""
        return self._exits_by_node(lambda ex: ex.is_cloud_router)

    @cached_property
    def appliance_exits_by_node(self) -> dict[str, list[str]]:
        """Unified exits the network's appliance provides (``kind: appliance``), by node."""
        return self._exits_by_node(lambda ex: ex.is_appliance)

    def _exits_by_node(self, keep: Callable[[Any], bool]) -> dict[str, list[str]]:
        by_node: dict[str, list[str]] = {}
        for ex in self.province.exits:
            if keep(ex) and ex.node is not None:
                by_node.setdefault(ex.node, []).append(ex.code)
        return by_node

    @cached_property
    def designated_exits(self) -> frozenset[str]:
        """Exits the provincial plan designates unified: the only ones that may reach the internet."""
        return frozenset(d.exit for d in self.province.unified_exit_plan.designations)

    @cached_property
    def exit_by_code(self) -> dict[str, Any]:
        return {ex.code: ex for ex in self.province.exits}

    @cached_property
    def systems_by_node(self) -> dict[str, list]:
        """Systems by the nodes they live on (target node and DR node)."""
        by_node: dict[str, list] = {}
        for system in self.province.systems:
            for node in {system.target_node, system.dr_node} - {None}:
                by_node.setdefault(node, []).append(system)
        return by_node


def load_context(env: Any, project_root: Path, known_rules: set[str] | None = None) -> PolicyContext:
    """Load an environment's model (``env``: its name or path, or an already loaded
    :class:`~govcloud.model.Environment`), plan it, and read its baseline settings."""
    environment = env if isinstance(env, Environment) else load_environment(env, project_root)
    settings = load_settings(settings_path(project_root, environment.name), known_rules)
    return PolicyContext(environment.name, environment.province, plan_environment(environment), settings,
                         project_root, environment.section_files)
