"""One view of a resource for the rules, whether it is an offline spec or a resource in the engine.

Offline, a spec's input that refers to another resource is a :class:`~govcloud.stackgraph.spec.Ref`;
inside ``pulumi preview`` the same input is an unknown value and the reference shows up as a
property dependency. The view makes both look alike: such an input reads :data:`UNKNOWN`, and
``refs[property]`` names the resources it depends on. Rules that follow references are therefore
stack rules (a single-resource check in the engine sees no dependencies), and a rule never judges a
value it cannot know, so the engine and the offline runner report the same violations.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..stackgraph import tokens as t
from ..stackgraph.spec import ROOT_STACK_TYPE, Lookup, Ref, StackGraph, StackOutputRef

if TYPE_CHECKING:
    from .context import PolicyContext


class _Unknown:
    """A value not known before the update (an ID, or an output of another resource or stack)."""

    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "<unknown>"


UNKNOWN = _Unknown()


class LookedUp(str):
    """A data-source read (an external network's or a role's id, found by name). The engine resolves
    invokes during preview, so to the rules it is a known value, offline too."""

# Type tokens the rules read (the provider schema's, as the engine reports them; shared with the
# stack graph builders through ``stackgraph.tokens`` where they define them).
PROJECT = t.PROJECT
NETWORK = t.NETWORK
SUBNET = t.SUBNET
SUBNET_POOL = t.SUBNET_POOL
ADDRESS_SCOPE = t.ADDRESS_SCOPE
ROUTER = t.ROUTER
ROUTER_INTERFACE = t.ROUTER_INTERFACE
PORT = "openstack:networking/port:Port"
FLOATING_IP = "openstack:networking/floatingIp:FloatingIp"
FLOATING_IP_ASSOCIATE = "openstack:networking/floatingIpAssociate:FloatingIpAssociate"
SEC_GROUP = t.SEC_GROUP
SEC_GROUP_RULE = t.SEC_GROUP_RULE
RBAC_POLICY = t.RBAC_POLICY
INSTANCE = t.INSTANCE
SERVER_GROUP = t.SERVER_GROUP
VOLUME = t.VOLUME
COMPUTE_QUOTA = t.COMPUTE_QUOTA
NETWORK_QUOTA = t.NETWORK_QUOTA
VOLUME_QUOTA = t.VOLUME_QUOTA  # the provider spells it quoteSetV3

TAGGABLE = (PROJECT, NETWORK, SUBNET, SUBNET_POOL, ROUTER, PORT, FLOATING_IP, SEC_GROUP, INSTANCE, VOLUME)
"""Types that carry labels: ``tags`` (a list of ``key:value`` strings), or ``metadata`` for volumes."""

MORE_TAGGABLE = (
    "openstack:images/image:Image", "openstack:loadbalancer/loadBalancer:LoadBalancer",
    "openstack:loadbalancer/listener:Listener", "openstack:loadbalancer/pool:Pool",
    "openstack:loadbalancer/member:Member", "openstack:index/lbLoadbalancerV2:LbLoadbalancerV2",
    "openstack:networking/qosPolicy:QosPolicy", "openstack:networking/trunk:Trunk",
    "openstack:orchestration/stackV1:StackV1",
    "openstack:sharedfilesystem/share:Share", "openstack:objectstorage/container:Container",
)
"""The provider's other types with a ``tags`` input, and the data stores labelled by ``metadata``
as volumes are (pulumi-openstack 5.5): what future components may create. No builder makes them
today, so the older rules do not read them; the label rule does."""

LABELLED = TAGGABLE + MORE_TAGGABLE
"""Every type that can carry the asset labels."""


class ResourceView:
    """What a rule sees of one resource.

    Offline views are lazy: a spec's inputs are read as they are and an input holding a reference
    is turned into :data:`UNKNOWN` only when a rule reads it (a province has tens of thousands of
    resources and most rules read two or three inputs of a few types).
    """

    __slots__ = ("type", "name", "urn", "stack", "parent", "context", "_tags", "_inputs", "_refs", "_lazy")

    def __init__(self, type: str, name: str, urn: str, inputs: Mapping[str, Any], stack: str,
                 parent: str | None = None, refs: Mapping[str, tuple[str, ...]] | None = None,
                 context: PolicyContext | None = None, *, lazy: bool = False) -> None:
        self.type = type
        self.name = name
        self.urn = urn
        self.stack = stack
        self.parent = parent
        self.context = context
        self._inputs = inputs
        self._lazy = lazy
        self._refs = refs if refs is not None else (None if lazy else {})  # lazy: found on first use
        self._tags: dict[str, str] | None = None

    @property
    def tags(self) -> Mapping[str, str]:
        """``key:value`` tags (or volume metadata) as a mapping, parsed on first use."""
        if self._tags is None:
            self._tags = parse_tags(self._inputs)
        return self._tags

    def __repr__(self) -> str:
        return f"ResourceView({self.type!r}, {self.name!r})"

    @property
    def inputs(self) -> Mapping[str, Any]:
        """Every input as plain data (references read as :data:`UNKNOWN`)."""
        if not self._lazy:
            return self._inputs
        return {key: self.get(key) for key in self._inputs}

    @property
    def refs(self) -> Mapping[str, tuple[str, ...]]:
        if self._refs is None:
            self._refs = _spec_refs(self._inputs)
        return self._refs

    def get(self, key: str, default: Any = None) -> Any:
        value = self._inputs.get(key, default)
        if not self._lazy or type(value) in _SCALARS:
            return value
        return _plain_spec_value(value, [])

    def known(self, key: str) -> bool:
        """The input is set and its value is known now."""
        value = self.get(key)
        return value is not None and value is not UNKNOWN

    def refers_to(self, key: str) -> tuple[str, ...]:
        """Logical names of the resources this input depends on."""
        return self.refs.get(key, ())

    @property
    def node(self) -> str | None:
        return self.context.node_of(self.stack) if self.context else None


@dataclass
class StackView:
    """Every resource of one stack, with indexes the stack rules share."""

    stack: str
    resources: list[ResourceView]
    context: PolicyContext | None = None
    root_urn: str = ""

    def __post_init__(self) -> None:
        self._by_type: dict[str, list[ResourceView]] = {}
        self._by_name: dict[str, ResourceView] = {}
        self._shared: dict[str, Any] = {}
        for resource in self.resources:
            self._by_type.setdefault(resource.type, []).append(resource)
            self._by_name.setdefault(resource.name, resource)

    def of_type(self, *types: str) -> Iterator[ResourceView]:
        for token in types:
            yield from self._by_type.get(token, ())

    def shared(self, key: str, compute: Callable[[StackView], Any]) -> Any:
        """``compute(self)``, once per stack: indexes that several rules build alike."""
        if key not in self._shared:
            self._shared[key] = compute(self)
        return self._shared[key]

    def named(self, name: str) -> ResourceView | None:
        return self._by_name.get(name)

    def resolve(self, resource: ResourceView, key: str) -> list[ResourceView]:
        """The resources an input of ``resource`` refers to."""
        return [r for r in (self._by_name.get(n) for n in resource.refers_to(key)) if r is not None]

    @property
    def node(self) -> str | None:
        return self.context.node_of(self.stack) if self.context else None


def parse_tags(inputs: Mapping[str, Any]) -> dict[str, str]:
    """``["dept:x", "mlps:3", "govcloud:managed"]`` → ``{"dept": "x", "mlps": "3", "govcloud": "managed"}``.

    Volumes have no tags in the block-storage API; their ``metadata`` map carries the same keys.
    """
    tags: dict[str, str] = {}
    raw = inputs.get("tags")
    if type(raw) is list or type(raw) is tuple:
        for tag in raw:
            if type(tag) is str:
                key, _, value = tag.partition(":")
                tags.setdefault(key, value)
    metadata = inputs.get("metadata")
    if metadata is not None and isinstance(metadata, Mapping):
        for key, value in metadata.items():
            if isinstance(value, str):
                tags.setdefault(key, value)
    return tags


# --- offline: specs of a StackGraph ------------------------------------------------------------

_SCALARS = (str, int, float, bool, type(None))


def _plain_spec_value(value: Any, refs: list[str]) -> Any:
    """A spec input as the engine shows it in a preview; the names of referenced specs go to ``refs``."""
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is Ref:
        refs.append(value.name)
        return UNKNOWN
    if kind is StackOutputRef:
        return UNKNOWN  # as in a preview: the value is not known before the update
    if kind is Lookup:
        return LookedUp(f"<{value.token.rsplit(':', 1)[-1]} {dict(value.args)}>")
    if isinstance(value, Mapping):
        return {k: _plain_spec_value(v, refs) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain_spec_value(v, refs) for v in value]
    return value


def _spec_refs(inputs: Mapping[str, Any]) -> dict[str, tuple[str, ...]]:
    refs: dict[str, tuple[str, ...]] = {}
    for key, value in inputs.items():
        if type(value) in _SCALARS:
            continue
        names: list[str] = []
        _plain_spec_value(value, names)
        if names:
            refs[key] = tuple(dict.fromkeys(names))
    return refs


def root_urn(project: str, stack: str) -> str:
    return f"urn:pulumi:{stack}::{project}::{ROOT_STACK_TYPE}::{project}-{stack}"


def stack_view_from_graph(graph: StackGraph, context: PolicyContext | None = None) -> StackView:
    """The view of an offline stack graph; URNs computed as the engine will (parents' types joined by '$')."""
    by_name = {spec.name: spec for spec in graph.resources}
    qualified: dict[str, str] = {}

    def type_chain(name: str) -> str:
        # Memoised: a naive walk per resource is quadratic on the deep trees components make.
        if name not in qualified:
            spec = by_name[name]
            parent = spec.parent
            if parent is None or parent not in by_name or by_name[parent].type == ROOT_STACK_TYPE:
                qualified[name] = spec.type
            else:
                qualified[name] = f"{type_chain(parent)}${spec.type}"
        return qualified[name]

    views = []
    for spec in graph.resources:
        urn = f"urn:pulumi:{graph.stack}::{graph.project}::{type_chain(spec.name)}::{spec.name}"
        views.append(ResourceView(spec.type, spec.name, urn, spec.inputs, graph.stack, spec.parent, None, context,
                                  lazy=True))
    return StackView(graph.stack, views, context, root_urn(graph.project, graph.stack))


# --- in the engine: pulumi-policy's arguments ------------------------------------------------------

def plain_engine_value(value: Any) -> Any:
    """pulumi-policy's unknown-checking proxies → plain data with :data:`UNKNOWN` for unknown values.

    The proxies raise on reading an unknown value; rules must be able to skip what they cannot know
    instead, so the view unwraps them once.
    """
    from pulumi_policy.proxy import _is_unknown  # lazy: pulumi_policy (1.5 s) is the pack's

    if isinstance(value, Mapping):
        target = value["__target"] if _is_proxy(value) else value
        return {k: plain_engine_value(v) for k, v in target.items()}
    if isinstance(value, (list, tuple)) or _is_proxy_list(value):
        target = value["__target"] if _is_proxy_list(value) else value
        return [plain_engine_value(v) for v in target]
    if _is_unknown(value):
        return UNKNOWN
    return value


def _is_proxy(value: Any) -> bool:
    from pulumi_policy.proxy import _DictProxy  # lazy: pulumi_policy (1.5 s) is the pack's

    return isinstance(value, _DictProxy)


def _is_proxy_list(value: Any) -> bool:
    from pulumi_policy.proxy import _ListProxy  # lazy: pulumi_policy (1.5 s) is the pack's

    return isinstance(value, _ListProxy)


def split_urn(urn: str) -> tuple[str, str, str, str]:
    """``urn:pulumi:<stack>::<project>::<qualified type>::<name>`` → (stack, project, type chain, name)."""
    body = urn.removeprefix("urn:pulumi:")
    stack, project, qualified, name = body.split("::", 3)
    return stack, project, qualified, name


def resource_view_from_args(args: Any, context: PolicyContext | None = None) -> ResourceView:
    """The view of a ``ResourceValidationArgs`` (one resource, no dependencies)."""
    stack = split_urn(args.urn)[0]
    parent_urn = getattr(args.opts, "parent", None)
    parent = split_urn(parent_urn)[3] if parent_urn else None
    return ResourceView(type=args.resource_type, name=args.name, urn=args.urn,
                        inputs=plain_engine_value(args.props), stack=stack, parent=parent, context=context)


def stack_view_from_resources(resources: Iterable[Any], context: PolicyContext | None = None) -> StackView:
    """The view of ``StackValidationArgs.resources`` (``PolicyResource`` objects)."""
    views = []
    stack = ""
    root = ""
    for r in resources:
        stack = split_urn(r.urn)[0]
        if r.resource_type == ROOT_STACK_TYPE:
            root = r.urn
        refs = {k: tuple(d.name for d in deps) for k, deps in r.property_dependencies.items() if deps}
        views.append(ResourceView(type=r.resource_type, name=r.name, urn=r.urn, inputs=plain_engine_value(r.props),
                                  stack=stack, parent=r.parent.name if r.parent is not None else None, refs=refs,
                                  context=context))
    return StackView(stack, views, context, root)
