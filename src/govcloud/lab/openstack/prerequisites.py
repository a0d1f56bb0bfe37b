"""Checks before anything starts: root, and every program the lab runs, by package.

A missing file is reported with the Debian package that ships it and the one command that
installs them all, instead of a traceback from deep inside a service start.
"""

from __future__ import annotations

import os
from pathlib import Path

from govcloud.errors import LabError

INSTALL_SCRIPT = "scripts/openstack-lab-install.sh"

# file the lab needs -> Debian package that ships it
REQUIRED_FILES = {
    "/usr/bin/python3": "python3",
    "/usr/sbin/mariadbd": "mariadb-server",
    "/usr/bin/mariadb-install-db": "mariadb-server",
    "/usr/bin/mariadb": "mariadb-client",
    "/usr/bin/epmd": "erlang-base",
    "/usr/lib/rabbitmq/bin/rabbitmq-server": "rabbitmq-server",
    "/usr/bin/uwsgi": "uwsgi-core",
    "/usr/lib/uwsgi/plugins/python3_plugin.so": "uwsgi-plugin-python3",
    "/usr/bin/keystone-wsgi-public": "keystone",
    "/usr/bin/keystone-manage": "keystone",
    "/usr/bin/placement-api": "placement-api",
    "/usr/bin/placement-manage": "placement-api",
    "/usr/bin/nova-api-wsgi": "nova-api",
    "/etc/nova/api-paste.ini": "nova-api",
    "/usr/bin/nova-manage": "nova-common",
    "/usr/bin/nova-conductor": "nova-conductor",
    "/usr/bin/nova-scheduler": "nova-scheduler",
    "/usr/lib/python3/dist-packages/nova/cmd/compute.py": "python3-nova",
    "/usr/bin/neutron-server": "neutron-server",
    "/usr/bin/neutron-db-manage": "neutron-common",
    "/etc/neutron/api-paste.ini": "neutron-common",
    "/usr/bin/glance-api": "glance-api",
    "/usr/bin/glance-manage": "glance-common",
    "/etc/glance/glance-api-paste.ini": "glance-api",
    "/usr/bin/cinder-api": "cinder-api",
    "/usr/bin/cinder-scheduler": "cinder-scheduler",
    "/usr/bin/cinder-volume": "cinder-volume",
    "/usr/bin/cinder-manage": "cinder-common",
    "/etc/cinder/api-paste.ini": "cinder-common",
    "/usr/lib/python3/dist-packages/cinder/tests/fake_driver.py": "python3-cinder",
    "/usr/lib/python3/dist-packages/pymysql/__init__.py": "python3-pymysql",
}


# The opt-in data plane's agents and tools (see dataplane.py): checked only for a lab that has it.
DATA_PLANE_FILES = {
    "/usr/bin/neutron-linuxbridge-agent": "neutron-linuxbridge-agent",
    "/usr/bin/neutron-l3-agent": "neutron-l3-agent",
    "/usr/bin/neutron-dhcp-agent": "neutron-dhcp-agent",
    "/usr/bin/neutron-bgp-dragent": "neutron-bgp-dragent",
    "/usr/lib/python3/dist-packages/neutron_dynamic_routing/__init__.py": "python3-neutron-dynamic-routing",
    "/usr/sbin/radvd": "radvd",
    "/usr/sbin/dnsmasq": "dnsmasq-base",
    "/usr/sbin/conntrack": "conntrack",
    "/usr/bin/socat": "socat",
    "/usr/sbin/ip": "iproute2",
}


def missing_packages(data_plane: bool = False) -> list[str]:
    """Packages whose files the lab (with its data plane, when asked) needs but cannot find, sorted."""
    required = {**REQUIRED_FILES, **(DATA_PLANE_FILES if data_plane else {})}
    return sorted({package for path, package in required.items() if not Path(path).exists()})


def check(data_plane: bool = False) -> None:
    """Raise :class:`LabError` with the fix when the lab cannot start on this machine."""
    if os.geteuid() != 0:
        raise LabError(
            "the OpenStack lab must run as root (it starts MariaDB, RabbitMQ and the services)",
            fix="run the command again as root",
        )
    missing = missing_packages(data_plane)
    if missing:
        raise LabError(
            "the OpenStack lab needs packages that are not installed: " + ", ".join(missing),
            fix=f"run {INSTALL_SCRIPT} as root",
        )
