"""Render every config file of the lab into the state directory.

Templates live beside this module (``templates/*.j2``). Rendering is pure (context in, text out);
:func:`render_all` writes only the files whose text changed, so a warm start touches nothing.
The packaged ``api-paste.ini`` files under ``/etc`` are used read-only.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import jinja2

from govcloud.lab.openstack import dataplane
from govcloud.lab.openstack.ports import HOST, LabPorts
from govcloud.lab.openstack.labspec import ComputeHost, OpenStackLabSpec
from govcloud.lab.openstack.statedir import OpenStackLabPaths, write_if_changed

TEMPLATES = Path(__file__).with_name("templates")
PHYSNET = "physnet1"
ML2_CONF = "ml2_conf.ini"  # neutron's ML2 settings; neutron-db-manage reads them too (dbsync)
# The host name Nova's and Cinder's control services report (compute hosts use their spec name).
CONTROLLER = "controller"


@dataclass(frozen=True)
class LabQuotas:
    """Default quotas, raised so several test runs fit side by side in one project."""

    instances: int = 200
    cores: int = 1000
    ram: int = 1_024_000
    key_pairs: int = 200
    server_groups: int = 50
    networks: int = 200
    subnets: int = 400
    ports: int = 2000
    routers: int = 100
    floating_ips: int = 200
    security_groups: int = 200
    security_group_rules: int = 4000
    # The extranet's address scopes are shared with each department project by an RBAC policy
    # the admin project owns: two per department, far past Neutron's default of 10.
    rbac_policies: int = 1000
    volumes: int = 200
    snapshots: int = 200
    gigabytes: int = 4000
    backups: int = 50


@dataclass(frozen=True)
class UwsgiApp:
    """One WSGI API served by uwsgi."""

    name: str
    port: int
    wsgi_file: str
    processes: int
    threads: int


def uwsgi_apps(lab_ports: LabPorts) -> tuple[UwsgiApp, ...]:
    # nova-api must run with one thread per process: with native uwsgi threads its eventlet
    # patching causes intermittent 60 s MessagingTimeouts (volume attach failed 2 of 3 times).
    return (
        UwsgiApp("keystone", lab_ports.KEYSTONE, "/usr/bin/keystone-wsgi-public", processes=2, threads=2),
        UwsgiApp("placement", lab_ports.PLACEMENT, "/usr/bin/placement-api", processes=1, threads=4),
        UwsgiApp("nova-api", lab_ports.NOVA, "/usr/bin/nova-api-wsgi", processes=2, threads=1),
    )


def db_url(paths: OpenStackLabPaths, secrets: dict[str, str], database: str, user: str | None = None) -> str:
    """An oslo.db URL through the lab's MariaDB socket; the user defaults to the database name."""
    user = user or database
    return (
        f"mysql+pymysql://{user}:{secrets[user]}@localhost/{database}"
        f"?unix_socket={paths.mysql_socket}&charset=utf8"
    )


def render_all(paths: OpenStackLabPaths, spec: OpenStackLabSpec, secrets: dict[str, str]) -> list[Path]:
    """Write every config file; return the ones that changed (empty on an unchanged warm start)."""
    files = rendered_files(paths, spec, secrets)
    return [path for path, text in files.items() if write_if_changed(path, text)]


def rendered_files(paths: OpenStackLabPaths, spec: OpenStackLabSpec, secrets: dict[str, str]) -> dict[Path, str]:
    """Every config file of the lab as ``{path: text}``; pure, for tests and diffs."""
    env = _environment()
    context = _context(paths, spec, secrets)
    etc = paths.etc

    def render(template: str, **extra: object) -> str:
        return env.get_template(template).render(**context, **extra)

    files = {
        etc / "keystone.conf": render("keystone.conf.j2"),
        etc / "placement" / "placement.conf": render("placement.conf.j2"),
        etc / "glance-api.conf": render("glance-api.conf.j2"),
        etc / "neutron" / "neutron.conf": render("neutron.conf.j2"),
        etc / "neutron" / ML2_CONF: render("ml2_conf.ini.j2"),
        etc / "nova" / "nova.conf": render("nova.conf.j2", compute_host=None),
        etc / "cinder.conf": render("cinder.conf.j2"),
        etc / "my.cnf": render("my.cnf.j2"),
        etc / "rabbitmq.conf": render("rabbitmq.conf.j2"),
        etc / "rabbitmq-env.conf": render("rabbitmq-env.conf.j2"),
        etc / "rabbitmq-enabled-plugins": "[].\n",
    }
    if spec.data_plane:
        for agent in dataplane.agents(paths, spec.bgp_agents):
            files[agent.config] = render(agent.template, agent=agent)
    for host in spec.compute_hosts:
        files[compute_config(paths, host)] = render("nova.conf.j2", compute_host=host.name)
    for app in uwsgi_apps(paths.ports):
        files[uwsgi_config(paths, app.name)] = render("uwsgi.ini.j2", **asdict(app))
    return files


def compute_config(paths: OpenStackLabPaths, host: ComputeHost) -> Path:
    """The full nova.conf of one fake compute host (it differs from nova.conf only by ``host =``)."""
    return paths.etc / "nova" / f"nova-compute-{host.name}.conf"


def uwsgi_config(paths: OpenStackLabPaths, app: str) -> Path:
    return paths.etc / "uwsgi" / f"{app}.ini"


def _context(paths: OpenStackLabPaths, spec: OpenStackLabSpec, secrets: dict[str, str]) -> dict[str, object]:
    return {
        "host": HOST,
        "ports": paths.ports.as_dict(),
        "etc": paths.etc,
        "run": paths.run,
        "log": paths.log,
        "data": paths.data,
        "pw": secrets,
        "region": spec.primary_region,
        "keystone_url": paths.ports.keystone_url,
        "transport_url": f"rabbit://govcloud:{secrets['rabbit']}@{HOST}:{paths.ports.RABBIT}/",
        "physnet": PHYSNET,
        "controller": CONTROLLER,
        "quota": asdict(LabQuotas()),
        # None when the lab has no data plane: the Neutron templates then render as they did
        # before it existed (openvswitch only, vxlan tenant networks, no DHCP notifications).
        "dataplane": _dataplane() if spec.data_plane else None,
        # 256-bit key for Cinder's fixed-key manager, derived from a lab secret so it is stable.
        "fixed_key": (secrets["cinder"] * 4)[:64],
        "db_url": lambda database, user=None: db_url(paths, secrets, database, user),
    }


def _dataplane() -> dataplane.DataPlane:
    return dataplane.DataPlane(dataplane.NETWORK_HOST, dataplane.REPORT_INTERVAL)


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,  # INI files, not HTML
    )
