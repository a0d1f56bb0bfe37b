"""The public surface of the OpenStack lab: ``lab_up``, ``lab_down``, ``lab_status``.

``lab_up`` is idempotent: when the lab already runs the same spec and every service answers,
it returns in well under two seconds. A cold start (no state dir) creates the databases,
schemas, keystone content and seed data; a warm start reuses them and only starts processes.
"""

from __future__ import annotations

import fcntl
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from keystoneauth1.exceptions import ClientException
from openstack.exceptions import SDKException

from govcloud.errors import LabError
from govcloud.lab import objectstore
from govcloud.lab.openstack import (
    clouds,
    config,
    database,
    dataplane,
    dbsync,
    identity,
    prerequisites,
    records,
    seed,
    startup,
    supervisor,
)
from govcloud.lab.openstack.daemons import ServicePlan, plan_services
from govcloud.lab.openstack.labspec import OpenStackLabSpec, default_spec
from govcloud.lab.openstack.statedir import (
    BOOTSTRAPPED,
    OpenStackLabPaths,
    lab_paths_from_env,
    load_or_create_secrets,
)
from govcloud.lab.openstack.status import LabStatus, ServiceStatus

# Generous: a cold start on a busy two-core machine takes minutes, not seconds.
START_TIMEOUT = 420.0
# Stopped last, in this order: everything else needs them until it has stopped.
_INFRASTRUCTURE_TIERS = (("rabbitmq",), ("epmd", "mariadb"))


def lab_up(spec: OpenStackLabSpec | None = None) -> LabStatus:
    """Make the lab run and hold at least ``spec`` (default: :func:`default_spec`); return its status.

    The lab only grows: regions, compute hosts and projects of earlier specs stay (several
    test suites share one lab, each with its own spec; shrinking would restart services under
    the others). clouds.yaml's tenant cloud is ``spec``'s tenant. When the running lab already
    holds ``spec`` this is a no-op of a fraction of a second. ``lab_down(purge=True)`` resets.

    Raises :class:`LabError` (with a fix) when a package is missing, a port is taken by
    another process, or a service dies or does not answer.
    """
    spec = spec or default_spec()
    paths = lab_paths_from_env()
    status = _already_holding(paths, spec)
    if status is not None:
        return status
    prerequisites.check(data_plane=spec.data_plane)
    paths.create()
    with _exclusive(paths):
        # Another lab_up may have done the job while this one waited for the lock.
        if _already_holding(paths, spec) is None:
            _start(paths, _target(paths, spec))
    return lab_status()


def lab_down(purge: bool = False) -> None:
    """Stop every process the lab started (nothing else); with ``purge``, delete the state dir.

    A no-op when nothing runs. Without ``purge`` the state is kept for a warm start.
    """
    _object_store_down(purge)
    paths = lab_paths_from_env()
    if not paths.root.exists():
        return
    with _exclusive(paths):
        # Only a lab that had the data plane (its spec said so, or its namespace is still there)
        # has leftovers to clean; any other goes down as fast as before the data plane existed.
        had_data_plane = _had_data_plane(paths)
        # Asked before MariaDB stops: which router and DHCP namespaces are this lab's.
        ids = database.router_and_network_ids(paths) if had_data_plane else set()
        startup.bring_down(paths, _stop_tiers(paths))
        if had_data_plane:
            dataplane.remove_namespaces(paths, ids)
        if purge:
            shutil.rmtree(paths.root)


def _had_data_plane(paths: OpenStackLabPaths) -> bool:
    recorded = records.recorded_spec(paths)
    return bool(recorded and recorded.data_plane) or Path(f"/run/netns/{paths.dataplane_namespace}").exists()


def _object_store_down(purge: bool) -> None:
    """The instance's object store (started on demand, for shared state) goes down with the lab."""
    store = objectstore.ObjectStorePaths.of()
    if store.root.exists():
        objectstore.down(store)
        if purge:
            shutil.rmtree(store.root)


def lab_status() -> LabStatus:
    """Each service's PID, whether it runs and whether it answers, and where clouds.yaml is."""
    paths = lab_paths_from_env()
    spec = records.recorded_spec(paths) or default_spec()
    plan = plan_services(paths, spec)
    pids = {service.name: supervisor.running_pid(paths, service.name) for service in plan.all}
    answers = startup.answering([service for service in plan.all if pids[service.name] is not None])
    services = tuple(
        ServiceStatus(
            name=service.name,
            pid=pids[service.name],
            running=pids[service.name] is not None,
            answering=answers.get(service.name, False),
            log=str(paths.log_file(service.name)),
        )
        for service in plan.all
    )
    has_clouds = paths.clouds_yaml.exists()
    return LabStatus(
        state_dir=str(paths.root),
        services=services,
        clouds_yaml=str(paths.clouds_yaml) if has_clouds else None,
        clouds=clouds.CLOUD_NAMES if has_clouds else (),
        regions=spec.regions,
    )


def lab_spec_in_use() -> OpenStackLabSpec | None:
    """The spec the lab holds: the union of every spec lab_up was asked for, with the latest
    tenant (None before the first start). Integration tests can start the lab with it to be
    sure of a no-op."""
    return records.recorded_spec(lab_paths_from_env())


@contextmanager
def _exclusive(paths: OpenStackLabPaths) -> Iterator[None]:
    """One lab_up or lab_down at a time (two test sessions may start the lab together)."""
    with open(paths.root / "lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def _already_holding(paths: OpenStackLabPaths, spec: OpenStackLabSpec) -> LabStatus | None:
    """The status when the lab is up and already holds ``spec`` (after pointing clouds.yaml at
    ``spec``'s tenant, which costs no API call); None when lab_up has work to do."""
    held = records.realised_spec(paths)
    if held is None or not held.covers(spec) or spec.tenant not in records.tenants(paths):
        return None
    status = lab_status()
    if not status.up:
        return None
    target = replace(held, tenant=spec.tenant)
    if target != held:
        # No lock here (the caller may hold it): each write is an atomic replace.
        records.record_spec(paths, target)
        records.mark_seeded(paths, target)
    clouds.write_clouds_yaml(paths, target, load_or_create_secrets(paths))  # unchanged: not rewritten
    return status if status.clouds_yaml else lab_status()


def _target(paths: OpenStackLabPaths, spec: OpenStackLabSpec) -> OpenStackLabSpec:
    """What the lab must hold after this lab_up: what it held (or was asked for) plus ``spec``."""
    recorded = records.recorded_spec(paths)
    return recorded.merged_with(spec) if recorded else spec


def _start(paths: OpenStackLabPaths, spec: OpenStackLabSpec) -> None:
    """Everything lab_up does past its fast path; each step is safe to repeat."""
    secrets, plan = _prepare(paths, spec)
    if spec.data_plane:
        dataplane.ensure_namespace(paths)
    if not paths.marker(BOOTSTRAPPED).exists():
        _create_schemas(paths, plan, spec, secrets)
    startup.bring_up(paths, plan.core, START_TIMEOUT)
    try:
        _start_workers_and_seed(paths, plan, spec, secrets)
    except (SDKException, ClientException) as exc:
        raise LabError(
            f"the lab's APIs refused a bootstrap call: {exc}",
            fix=f"read the service logs under {paths.log}; then run lab_up again (every step is safe to repeat)",
        ) from exc
    clouds.write_clouds_yaml(paths, spec, secrets)


def _prepare(paths: OpenStackLabPaths, spec: OpenStackLabSpec) -> tuple[dict[str, str], ServicePlan]:
    """Secrets and configs; stop what the spec dropped or whose config changed."""
    plan = plan_services(paths, spec)
    _stop_services_not_in(paths, plan)
    records.record_spec(paths, spec)
    secrets = load_or_create_secrets(paths)
    changed = config.render_all(paths, spec, secrets)
    _make_data_dirs(paths, spec)
    _stop_services_reading(paths, plan, set(changed))
    return secrets, plan


def _start_workers_and_seed(
    paths: OpenStackLabPaths, plan: ServicePlan, spec: OpenStackLabSpec, secrets: dict[str, str]
) -> None:
    """Identity content before the workers (they die with 401 without service users), seed after."""
    if not records.seeded_with(paths, spec) or spec.tenant not in records.tenants(paths):
        with clouds.connect(paths, spec, secrets) as conn:
            identity.ensure_identity(conn, spec, secrets, paths.ports)
        paths.marker(BOOTSTRAPPED).write_text("keystone, schemas and service users are in place\n")
        records.add_tenant(paths, spec.tenant)
    startup.bring_up(paths, plan.workers, START_TIMEOUT)
    if not records.seeded_with(paths, spec):
        # A fresh connection: the first one's token was issued before the catalog existed.
        with clouds.connect(paths, spec, secrets) as conn:
            seed.seed(conn, paths, spec)
        records.mark_seeded(paths, spec)


def _create_schemas(paths: OpenStackLabPaths, plan: ServicePlan, spec: OpenStackLabSpec, secrets: dict[str, str]) -> None:
    """Cold start: data directory, databases, schemas and keystone bootstrap.

    RabbitMQ boots while the schemas are made (both take seconds; they do not depend on each other).
    """
    if not database.datadir_initialised(paths):
        database.init_datadir(paths)
    infrastructure = {service.name: service for service in plan.core}
    startup.bring_up(paths, [infrastructure["mariadb"], infrastructure["epmd"]], START_TIMEOUT)
    if supervisor.running_pid(paths, "rabbitmq") is None:
        supervisor.start(infrastructure["rabbitmq"], paths)
    database.create_databases(paths, secrets)
    dbsync.sync_all(paths)
    dbsync.keystone_bootstrap(paths, secrets["admin"], spec.primary_region, paths.ports.keystone_url)


def _make_data_dirs(paths: OpenStackLabPaths, spec: OpenStackLabSpec) -> None:
    for sub in ("glance/images", "glance/staging", "glance/tasks", "nova/instances", "neutron", "cinder/volumes"):
        (paths.data / sub).mkdir(parents=True, exist_ok=True)
    for service in ("glance", "nova", "neutron", "cinder"):
        (paths.data / service / "lock").mkdir(exist_ok=True)
    if spec.data_plane:
        (paths.data / "neutron" / "ra").mkdir(exist_ok=True)
    (paths.data / "keystone").mkdir(exist_ok=True)
    paths.rabbit_dir.mkdir(exist_ok=True)
    (paths.log / "rabbitmq").mkdir(exist_ok=True)


def _stop_tiers(paths: OpenStackLabPaths) -> list[list[supervisor.Service]]:
    """Every service with a PID file, in stop order: services first, then RabbitMQ, then the rest."""
    recorded = records.recorded_spec(paths) or default_spec()
    known = {service.name: service for service in plan_services(paths, recorded).all}
    names = sorted(pid_file.stem for pid_file in paths.pids.glob("*.pid"))
    services = {name: known.get(name) or _generic(name) for name in names}
    last = {name for tier in _INFRASTRUCTURE_TIERS for name in tier}
    tiers = [[service for name, service in services.items() if name not in last]]
    tiers += [[services[name] for name in tier if name in services] for tier in _INFRASTRUCTURE_TIERS]
    return [tier for tier in tiers if tier]


def _stop_services_not_in(paths: OpenStackLabPaths, plan: ServicePlan) -> None:
    """Stop compute hosts (or other services) the new spec no longer has."""
    wanted = {service.name for service in plan.all}
    stale = [_generic(p.stem) for p in paths.pids.glob("*.pid") if p.stem not in wanted]
    if stale:
        startup.bring_down(paths, [stale])


def _stop_services_reading(paths: OpenStackLabPaths, plan: ServicePlan, changed: set) -> None:
    """Stop running services whose config files changed; bring_up starts them again."""
    outdated = [s for s in plan.all if changed & set(s.configs) and supervisor.running_pid(paths, s.name)]
    if outdated:
        startup.bring_down(paths, [outdated])


def stop_service(name: str) -> bool:
    """Stop one running service of the lab (a failure drill: ``lab_up`` starts it again).
    True when it was running."""
    return supervisor.stop(lab_paths_from_env(), _generic(name))


def _generic(name: str) -> supervisor.Service:
    # Only the name matters for stopping: the PID file says which process is ours.
    return supervisor.Service(name, (), probe=lambda: False)


__all__ = ["LabError", "LabStatus", "OpenStackLabSpec", "lab_down", "lab_spec_in_use", "lab_status", "lab_up",
           "stop_service"]
