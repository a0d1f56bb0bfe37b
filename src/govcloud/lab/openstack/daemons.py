"""The daemons of the lab: command lines, environments, ports, start order and probes.

Two groups start in turn. ``core`` (MariaDB, RabbitMQ, the relays to the data plane and every
API) can start on a fresh schema; ``workers`` (Nova's conductor, scheduler and compute hosts) die
with 401 unless the service users exist and Placement answers, so on a cold start they wait for
the identity step. The data plane's agents (:mod:`.dataplane`, only when the spec asks for it)
start with the workers.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from govcloud.lab.openstack import database, dataplane
from govcloud.lab.openstack.ports import HOST
from govcloud.lab.openstack.config import CONTROLLER, compute_config, uwsgi_config
from govcloud.lab.openstack.readiness import (
    HeartbeatBoard,
    amqp_probe,
    http_probe,
    tcp_probe,
    unix_greeting_probe,
)
from govcloud.lab.openstack.labspec import ComputeHost, OpenStackLabSpec
from govcloud.lab.openstack.statedir import OpenStackLabPaths
from govcloud.lab.openstack.supervisor import Service, started_at

PYTHON = "/usr/bin/python3"
# nova-compute is not installed (it pulls in libvirt and qemu); python3-nova has its entry point.
_NOVA_COMPUTE = "import sys; from nova.cmd.compute import main; sys.exit(main())"


@dataclass(frozen=True)
class ServicePlan:
    """The lab's services in start order: ``core`` first, then ``workers``."""

    core: tuple[Service, ...]
    workers: tuple[Service, ...]

    @property
    def all(self) -> tuple[Service, ...]:
        return self.core + self.workers


def plan_services(paths: OpenStackLabPaths, spec: OpenStackLabSpec) -> ServicePlan:
    """Every service of a lab holding ``spec``."""
    board = HeartbeatBoard(lambda: database.heartbeats(paths), lambda: database.mapped_compute_hosts(paths))
    # The data plane is opt-in (spec.data_plane): without it no relay or agent is planned.
    network = dataplane.services(paths, spec.bgp_agents, lambda agent: board.probe(
        agent.binary, agent.host, lambda: started_at(paths, agent.name))) if spec.data_plane else ()
    relays, agents = network[:2], network[2:]
    core = (
        *_infrastructure(paths),
        *relays,
        *_apis(paths),
        _rpc_worker(paths, board, "cinder-scheduler", "cinder.conf", CONTROLLER),
        _rpc_worker(paths, board, "cinder-volume", "cinder.conf", f"{CONTROLLER}@fake"),
    )
    workers = (
        _rpc_worker(paths, board, "nova-conductor", "nova/nova.conf", CONTROLLER),
        _rpc_worker(paths, board, "nova-scheduler", "nova/nova.conf", CONTROLLER),
        *(_compute(paths, board, host) for host in spec.compute_hosts),
        *agents,
    )
    return ServicePlan(core=core, workers=workers)


def _infrastructure(paths: OpenStackLabPaths) -> tuple[Service, ...]:
    rabbit_env = {
        "RABBITMQ_CONF_ENV_FILE": str(paths.etc / "rabbitmq-env.conf"),
        # The Erlang cookie lives in $HOME: keep it private to the lab.
        "HOME": str(paths.rabbit_dir),
        "ERL_EPMD_ADDRESS": HOST,
        "ERL_EPMD_PORT": str(paths.ports.EPMD),
    }
    return (
        Service(
            "mariadb",
            database.mariadbd_argv(paths),
            probe=unix_greeting_probe(paths.mysql_socket),
            configs=(paths.etc / "my.cnf",),
            stop_timeout=30,
        ),
        # Started by us (not auto-started by Erlang) so its PID is tracked and stopped.
        Service(
            "epmd",
            ("/usr/bin/epmd", "-address", HOST, "-port", str(paths.ports.EPMD)),
            probe=tcp_probe(HOST, paths.ports.EPMD),
            ports=(paths.ports.EPMD,),
        ),
        Service(
            "rabbitmq",
            ("/usr/lib/rabbitmq/bin/rabbitmq-server",),
            probe=amqp_probe(HOST, paths.ports.RABBIT),
            env=rabbit_env,
            ports=(paths.ports.RABBIT, paths.ports.RABBIT_DIST),
            after=("epmd",),
            configs=(paths.etc / "rabbitmq.conf", paths.etc / "rabbitmq-env.conf"),
            stop_timeout=30,
        ),
    )


def _apis(paths: OpenStackLabPaths) -> tuple[Service, ...]:
    etc = paths.etc
    nova_conf = etc / "nova" / "nova.conf"
    return (
        _uwsgi(
            paths,
            "keystone",
            paths.ports.KEYSTONE,
            "/v3",
            {"OS_KEYSTONE_CONFIG_FILES": str(etc / "keystone.conf")},
            configs=(etc / "keystone.conf",),
        ),
        _uwsgi(
            paths,
            "placement",
            paths.ports.PLACEMENT,
            "/",
            {"OS_PLACEMENT_CONFIG_DIR": str(etc / "placement")},
            configs=(etc / "placement" / "placement.conf",),
        ),
        # nova-api looks for api-paste.ini in its config dir unless it is named in the file list.
        _uwsgi(
            paths,
            "nova-api",
            paths.ports.NOVA,
            "/",
            {"OS_NOVA_CONFIG_DIR": str(etc / "nova"), "OS_NOVA_CONFIG_FILES": f"/etc/nova/api-paste.ini;{nova_conf}"},
            configs=(nova_conf,),
            after=("mariadb", "rabbitmq"),
        ),
        _daemon(paths, "glance-api", ("glance-api.conf",), paths.ports.GLANCE, after=("mariadb",)),
        _daemon(paths, "neutron-server", ("neutron/neutron.conf", "neutron/ml2_conf.ini"), paths.ports.NEUTRON),
        _daemon(paths, "cinder-api", ("cinder.conf",), paths.ports.CINDER),
    )


def _uwsgi(
    paths: OpenStackLabPaths,
    name: str,
    port: int,
    probe_path: str,
    env: dict[str, str],
    configs: tuple[Path, ...],
    after: tuple[str, ...] = ("mariadb",),
) -> Service:
    ini = uwsgi_config(paths, name)
    return Service(
        name,
        ("/usr/bin/uwsgi", "--ini", str(ini)),
        probe=http_probe(f"http://{HOST}:{port}{probe_path}"),
        env=env,
        ports=(port,),
        after=after,
        configs=(ini, *configs),
    )


def _daemon(
    paths: OpenStackLabPaths, name: str, configs: tuple[str, ...], port: int, after: tuple[str, ...] = ("mariadb", "rabbitmq")
) -> Service:
    return Service(
        name,
        (PYTHON, f"/usr/bin/{name}", *_config_args(paths, configs)),
        probe=http_probe(f"http://{HOST}:{port}/"),
        ports=(port,),
        after=after,
        configs=tuple(paths.etc / config for config in configs),
    )


def _rpc_worker(paths: OpenStackLabPaths, board: HeartbeatBoard, binary: str, config: str, host: str) -> Service:
    return Service(
        binary,
        (PYTHON, f"/usr/bin/{binary}", *_config_args(paths, (config,))),
        probe=board.probe(binary, host, lambda: started_at(paths, binary)),
        configs=(paths.etc / config,),
        after=("mariadb", "rabbitmq", "keystone", "placement") if binary.startswith("nova") else ("mariadb", "rabbitmq"),
    )


def _compute(paths: OpenStackLabPaths, board: HeartbeatBoard, host: ComputeHost) -> Service:
    name = f"nova-compute-{host.name}"
    return Service(
        name,
        (PYTHON, "-c", _NOVA_COMPUTE, "--config-file", str(compute_config(paths, host))),
        probe=board.probe("nova-compute", host.name, lambda: started_at(paths, name), needs_mapping=True),
        configs=(compute_config(paths, host),),
        after=("mariadb", "rabbitmq", "keystone", "placement"),
    )


def _config_args(paths: OpenStackLabPaths, configs: tuple[str, ...]) -> tuple[str, ...]:
    args: list[str] = []
    for config in configs:
        args += ["--config-file", str(paths.etc / config)]
    return tuple(args)
