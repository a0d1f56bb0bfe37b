"""Ask each OpenStack service a stack needs whether it answers, and name the one that does not.

Logging in proves only that Keystone answers. A stack also needs Neutron, Nova, Cinder …: with
one of them down, the provider fails deep in an update with "retries exhausted … EOF" and names
no service. So before a run, and again after a failed one, each service the stack's resource
types belong to gets one cheap read; the first that fails becomes an EngineError naming it,
its endpoint and the fix.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from ..errors import EngineError


@dataclass(frozen=True)
class CloudService:
    type: str  # the catalog's service type
    name: str  # the project's name, as operators know it
    probe: Callable  # one cheap read through an openstacksdk Connection


SERVICES: Mapping[str, CloudService] = {
    "openstack:identity/": CloudService("identity", "Keystone", lambda c: next(iter(c.identity.regions()), None)),
    "openstack:networking/": CloudService("network", "Neutron", lambda c: next(iter(c.network.networks(limit=1)), None)),
    "openstack:compute/": CloudService("compute", "Nova", lambda c: next(iter(c.compute.flavors(limit=1)), None)),
    "openstack:blockstorage/": CloudService("block-storage", "Cinder", lambda c: next(iter(c.block_storage.types()), None)),
    "openstack:images/": CloudService("image", "Glance", lambda c: next(iter(c.image.images(limit=1)), None)),
}


def services_for(types: Iterable[str]) -> list[CloudService]:
    """The services behind these resource type tokens, Keystone first (everything needs it)."""
    found = {SERVICES["openstack:identity/"].type: SERVICES["openstack:identity/"]}
    for token in types:
        for prefix, service in SERVICES.items():
            if token.startswith(prefix):
                found.setdefault(service.type, service)
    return list(found.values())


def first_down(connection, services: Iterable[CloudService]) -> tuple[CloudService, str] | None:
    """The first service that does not answer, with a one-line reason; None when all do."""
    for service in services:
        try:
            service.probe(connection)
        except _failures() as exc:
            return service, _reason(exc)
    return None


def _reason(exc: Exception) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return (lines[0] if lines else type(exc).__name__)[:200]


def service_error(service: CloudService, reason: str, endpoint: str | None, during: str = "") -> EngineError:
    where = f" at {endpoint}" if endpoint else ""
    what = f"{service.name} ({service.type} service){where} does not answer"
    return EngineError(f"{during}{what}: {reason}",
                       fix=f"start {service.name} again (for the lab, `govcloud lab status` shows which service is "
                           f"down and `govcloud lab up` starts it), then re-run: the next run finishes what this "
                           f"one left pending")


def check_services(connection, services: Iterable[CloudService], during: str = "") -> None:
    """Raise :func:`service_error` for the first service that does not answer."""
    down = first_down(connection, services)
    if down is not None:
        service, reason = down
        raise service_error(service, reason, _endpoint(connection, service), during)


def _endpoint(connection, service: CloudService) -> str | None:
    try:
        return connection.endpoint_for(service.type)
    except _failures():
        return None


def _failures() -> tuple[type[Exception], ...]:
    """What a read of an unusable service raises: openstacksdk's and keystoneauth's errors."""
    from keystoneauth1 import exceptions as ks  # lazy: keystoneauth1 (0.3 s) only when a cloud is asked
    from openstack import exceptions as sdk  # lazy: openstacksdk (about 2 s) only when a cloud is asked

    return (sdk.SDKException, ks.ClientException)
