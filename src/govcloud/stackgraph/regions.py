"""Which OpenStack provider creates a spec: the stack's own, or one per other region.

Most objects live in their stack's region and go through the engine's default provider (its
region is the stack setting ``openstack:region``). A DR pair's side b and an off-site backup
volume live in another region and carry it as their ``region`` input; creating them needs only
that input, but *reading* one by ID (``up --adopt`` imports, refresh) goes through the provider's
region, where the object is not. So each of those is created through an explicit provider of its
own region: one per region, named :func:`provider_name`, shared by the whole stack.
"""

from __future__ import annotations

from collections.abc import Mapping

from . import tokens as t
from .spec import ResourceSpec

PROVIDER_TYPE = t.PROVIDER

# Inputs the provider cannot read back (Nova does not report a server's scheduler hints). An
# object imported by `up --adopt` reads back without them, and as they force a replacement the
# engine would replace it. They act only when the object is created, so the program ignores later
# changes to them and follows the resources they name instead: replaced with them (replace_with).
WRITE_ONLY: Mapping[str, tuple[str, ...]] = {t.INSTANCE: ("schedulerHints",)}

# Outputs the provider's SDK class itself registers as secret, whatever the program asks
# (``secret_opts`` in pulumi_openstack's ``_internal_init``): a state records them among the
# resource's additional secret outputs, so they are no sign of a change.
SDK_SECRET_OUTPUTS: Mapping[str, tuple[str, ...]] = {t.INSTANCE: ("adminPass",), t.BGP_PEER: ("password",)}


def own_region(spec: ResourceSpec, stack_region: str | None) -> str | None:
    """The region of ``spec``'s explicit provider, or None for the stack's default provider."""
    region = spec.inputs.get("region")
    return region if isinstance(region, str) and region and region != stack_region else None


def provider_name(region: str) -> str:
    return f"openstack-{region}"
