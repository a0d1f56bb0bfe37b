"""clouds.yaml for the lab, and openstacksdk connections to it.

Two clouds: ``govcloud-lab-admin`` (admin in the admin project) and ``govcloud-lab-tenant``
(the spec's non-admin user in its project). The file sits in the state dir with mode 0600;
point ``OS_CLIENT_CONFIG_FILE`` at it to use it from the CLI, openstacksdk or Terraform.
"""

from __future__ import annotations

from typing import Any

import openstack
import yaml

from govcloud.lab.openstack.ports import LabPorts
from govcloud.lab.openstack.labspec import OpenStackLabSpec
from govcloud.lab.openstack.statedir import OpenStackLabPaths, write_if_changed

ADMIN_CLOUD = "govcloud-lab-admin"
TENANT_CLOUD = "govcloud-lab-tenant"
CLOUD_NAMES = (ADMIN_CLOUD, TENANT_CLOUD)


def cloud_entries(spec: OpenStackLabSpec, secrets: dict[str, str], lab_ports: LabPorts) -> dict[str, dict[str, Any]]:
    """The two cloud entries, keyed by cloud name."""
    url = lab_ports.keystone_url
    return {
        ADMIN_CLOUD: _entry(spec, url, "admin", secrets["admin"], "admin"),
        TENANT_CLOUD: _entry(spec, url, spec.tenant.user, secrets["tenant"], spec.tenant.project),
    }


def write_clouds_yaml(paths: OpenStackLabPaths, spec: OpenStackLabSpec, secrets: dict[str, str]) -> None:
    """Write (or keep, when unchanged) the lab's clouds.yaml, mode 0600."""
    header = (
        "# Written by govcloud.lab.openstack: the local OpenStack lab. Holds passwords: keep private.\n"
        f"# Use: export OS_CLIENT_CONFIG_FILE={paths.clouds_yaml}; openstack --os-cloud {ADMIN_CLOUD} ...\n"
    )
    body = yaml.safe_dump({"clouds": cloud_entries(spec, secrets, paths.ports)}, sort_keys=False, default_flow_style=False)
    write_if_changed(paths.clouds_yaml, header + body)


def connect(paths: OpenStackLabPaths, spec: OpenStackLabSpec, secrets: dict[str, str],
            cloud: str = ADMIN_CLOUD) -> openstack.connection.Connection:
    """An openstacksdk connection built from the entries above, ignoring the caller's own config."""
    entry = dict(cloud_entries(spec, secrets, paths.ports)[cloud])
    entry.pop("regions")
    return openstack.connect(load_yaml_config=False, load_envvars=False, region_name=spec.primary_region, **entry)


def _entry(spec: OpenStackLabSpec, auth_url: str, user: str, password: str, project: str) -> dict[str, Any]:
    # The first region is the default; the others are selectable (aliases of the same services).
    return password_entry(auth_url, user, password, project, regions=spec.regions)


def password_entry(auth_url: str, user: str, password: str, project: str | None = None,
                   regions: tuple[str, ...] = ()) -> dict[str, Any]:
    """A clouds.yaml entry logging ``user`` in by password, scoped to ``project`` when one is given
    (the lab's own accounts; the operators' logins of :mod:`.operators`, whose providers name their
    projects)."""
    auth = {"auth_url": auth_url, "username": user, "password": password}
    if project:
        auth["project_name"] = project
    auth["user_domain_name"] = "Default"
    if project:
        auth["project_domain_name"] = "Default"
    entry: dict[str, Any] = {"auth_type": "password", "auth": auth}
    if regions:
        entry["regions"] = list(regions)
    return {**entry, "interface": "public", "identity_api_version": 3}
