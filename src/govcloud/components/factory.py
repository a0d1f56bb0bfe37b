"""Create one Pulumi resource from one ResourceSpec, with its Refs resolved.

The provider classes are looked up from the type token (``openstack:networking/subnet:Subnet`` →
``pulumi_openstack.networking.Subnet``), and the spec's property names (the engine's camelCase)
are mapped to the class's Python argument names through the class's own Args type, so a spec
property the provider does not know fails loudly here instead of being dropped.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from functools import cache
from typing import Any

import pulumi
import pulumi._types as pulumi_types

from ..errors import PlanError
from ..stackgraph import tokens as t
from ..stackgraph.regions import WRITE_ONLY, own_region, provider_name
from ..stackgraph.scope import RegistrationScope
from ..stackgraph.spec import Lookup, Ref, ResourceSpec, StackOutputRef, refs_in


@cache
def resource_class(type_token: str) -> tuple[type, dict[str, str]]:
    """The provider class of ``type_token`` and its camelCase → Python argument names."""
    package, module_path, class_name = type_token.split(":")
    if package != "openstack":
        raise PlanError(f"no resource class for type {type_token!r}", fix="use an openstack type token")
    module = importlib.import_module(f"pulumi_openstack.{module_path.split('/')[0]}")
    cls = getattr(module, class_name, None)
    args_cls = getattr(module, f"{class_name}Args", None)
    if cls is None or args_cls is None:
        raise PlanError(f"pulumi_openstack has no resource {type_token!r}", fix="check the token's spelling")
    names = {pulumi_name: py for py, pulumi_name in pulumi_types.input_type_py_to_pulumi_names(args_cls).items()}
    return cls, names


@cache
def _openstack_version() -> str:
    from pulumi_openstack import _utilities  # lazy: pulumi_openstack (about 1 s): the Pulumi program's only

    return _utilities.get_version()


def _py_name(name: str) -> str:
    """``ipv6AddressMode`` → ``ipv6_address_mode``, for output attributes of created resources."""
    out = []
    for index, char in enumerate(name):
        if char.isupper() and index:
            out.append("_")
        out.append(char.lower())
    return "".join(out)


class SpecContext:
    """What one stack program has created so far, by spec name: the targets of Refs."""

    def __init__(self, adopt: Mapping[str, str] | None = None, region: str | None = None,
                 scope: RegistrationScope | None = None) -> None:
        self.resources: dict[str, pulumi.Resource] = {}
        self._lookups: dict[tuple, pulumi.Output] = {}
        self._stack_outputs: dict[tuple[str, str], pulumi.Output] = {}
        # `up --adopt`: spec name -> ID of the existing object the engine imports instead of creating.
        self.adopt = dict(adopt or {})
        # The stack's region (its default provider's); objects of other regions get their own provider.
        self.region = region
        self._providers: dict[str, pulumi.ProviderResource] = {}
        # A targeted run's program registers only the specs its scope names (see stackgraph.scope).
        self.scope = scope

    def registers(self, name: str) -> bool:
        """Whether this run registers spec ``name`` (every spec, unless a scope leaves it out)."""
        return self.scope is None or self.scope.registers(name)

    def resolve(self, value: Any, parent: pulumi.Resource | None) -> Any:
        """``value`` with every Ref, StackOutputRef and Lookup replaced by the Output it names."""
        if isinstance(value, Ref):
            return self._output_of(value)
        if isinstance(value, StackOutputRef):
            return self._stack_output(value)
        if isinstance(value, Lookup):
            return self._lookup(value, parent)
        if isinstance(value, Mapping):
            return {k: self.resolve(v, parent) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [self.resolve(v, parent) for v in value]
        return value

    def _output_of(self, ref: Ref) -> Any:
        if not self.registers(ref.name):
            return self.scope.value(ref.name, ref.attr)  # left out: unchanged, so the state's value
        try:
            resource = self.resources[ref.name]
        except KeyError:
            raise PlanError(f"Ref to {ref.name!r}, which is not created before it",
                            fix="order the specs so that every Ref points backwards") from None
        return getattr(resource, _py_name(ref.attr))

    def _stack_output(self, ref: StackOutputRef) -> pulumi.Output:
        """One Output per stack output read, however many inputs read it: each ``get_output`` makes
        the SDK unwrap the referenced stack's whole outputs anew (about a thousand Outputs for the
        province's), and a city stack reads its two address scopes in about two hundred inputs."""
        key = (ref.stack, ref.output)
        if key not in self._stack_outputs:
            stack_ref = self.resources.get(ref.stack)
            if not isinstance(stack_ref, pulumi.StackReference):
                raise PlanError(f"no StackReference {ref.stack!r} before its outputs are used",
                                fix="put the StackReference spec first in the stack")
            first, *path = ref.output.split(".")
            output = stack_ref.get_output(first)
            self._stack_outputs[key] = output.apply(lambda value: _walk(value, path, ref)) if path else output
        return self._stack_outputs[key]

    def _lookup(self, lookup: Lookup, parent: pulumi.Resource | None) -> pulumi.Output:
        key = (lookup.token, lookup.args)
        if key not in self._lookups:
            props = {name: self.resolve(v, parent) for name, v in lookup.args}
            opts = pulumi.InvokeOutputOptions(parent=parent, version=_openstack_version())
            self._lookups[key] = pulumi.runtime.invoke_output(lookup.token, props, opts)
        return self._lookups[key].apply(lambda result: result[lookup.attr])

    def create(self, spec: ResourceSpec, parent: pulumi.Resource) -> pulumi.Resource:
        """Create ``spec``'s resource as a child of ``parent`` and remember it by name."""
        opts = self.options(spec, parent)
        if spec.type == t.STACK_REFERENCE:
            resource = pulumi.StackReference(spec.name, spec.inputs.get("name"), opts=opts)
        elif spec.type == t.PROVIDER:
            resource = _provider(spec, opts)
        else:
            cls, names = resource_class(spec.type)
            kwargs = {}
            for name, value in spec.inputs.items():
                if name not in names:
                    raise PlanError(f"{spec.type} has no input {name!r} (spec {spec.name!r})",
                                    fix=f"use one of {', '.join(sorted(names))}")
                kwargs[names[name]] = self.resolve(value, parent)
            resource = cls(spec.name, opts=opts, **kwargs)
        self.resources[spec.name] = resource
        return resource

    def options(self, spec: ResourceSpec, parent: pulumi.Resource | None) -> pulumi.ResourceOptions:
        """The engine options of ``spec``'s resource (the resources it names must exist already)."""
        depends_on = self._registered(spec.depends_on)
        unread = [key for key in WRITE_ONLY.get(spec.type, ()) if key in spec.inputs]
        followed = self._registered(ref.name for key in unread for ref in refs_in(spec.inputs[key]))
        return pulumi.ResourceOptions(parent=parent, depends_on=depends_on or None,
                                      additional_secret_outputs=list(spec.additional_secret_outputs) or None,
                                      import_=self.adopt.get(spec.name), provider=self._provider(spec),
                                      ignore_changes=unread or None, replace_with=followed or None)

    def _registered(self, names) -> list[pulumi.Resource]:
        """The resources of ``names``, without those a scope leaves out. Only a spec the targeted
        run leaves untouched names one (a target's every dependency is registered), and the engine
        keeps such a spec's recorded dependencies, not the ones registered now."""
        return [self.resources[name] for name in names if self.registers(name)]

    def _provider(self, spec: ResourceSpec) -> pulumi.ProviderResource | None:
        """The provider spec ``spec`` names (an operator stack's per-project one), else the explicit
        provider of its own region (None: the stack's default provider). Credentials reach them as
        they reach the default one, through the engine's OS_* variables."""
        if spec.provider is not None:
            return self.resources[spec.provider]
        if spec.type == t.PROVIDER:
            return None
        region = own_region(spec, self.region)
        if region is None:
            return None
        if region not in self._providers:
            from pulumi_openstack import Provider  # lazy: pulumi_openstack (1.7 s), only in the Pulumi program

            self._providers[region] = Provider(provider_name(region), region=region)
        return self._providers[region]


def _provider(spec: ResourceSpec, opts: pulumi.ResourceOptions) -> pulumi.ProviderResource:
    """An explicit provider from a provider spec (its inputs are the provider's own settings)."""
    from pulumi_openstack import Provider  # lazy: pulumi_openstack (1.7 s), only in the Pulumi program

    names = {"tenantName": "tenant_name", "region": "region"}
    unknown = sorted(set(spec.inputs) - set(names))
    if unknown:
        raise PlanError(f"provider spec {spec.name!r} has settings the program does not pass: {', '.join(unknown)}",
                        fix=f"use only {', '.join(sorted(names))}")
    return Provider(spec.name, opts=opts, **{names[k]: v for k, v in spec.inputs.items()})


def _walk(value: Any, path: list[str], ref: StackOutputRef) -> Any:
    for key in path:
        if not isinstance(value, Mapping) or key not in value:
            raise PlanError(f"stack {ref.stack!r} exports no {ref.output!r}",
                            fix=f"run `govcloud up --stack {ref.stack}` first")
        value = value[key]
    return value
