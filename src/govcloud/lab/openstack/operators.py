"""The lab's per-city operators: the Keystone users and groups a model's ``operators:`` name, and
one clouds.yaml per operators' cloud, as a real site's identity team and operators would have them.

A real province creates its operators' accounts in its own Keystone (or its LDAP behind it) and
each operator keeps a clouds.yaml of their own; the model only names them. The lab plays that
part here: find-or-create, a password generated once per user (kept with the lab's secrets, mode
0600), and ``<lab>/operators/<cloud>.yaml`` holding that one cloud, scoped to the first of the
node's department projects. No role is granted here: the node's base stack grants ``member``
(before it has run, the entry's login is refused, as a real operator's would be).
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from pathlib import Path

import openstack
import openstack.config
import openstack.connection
import yaml

from govcloud.lab.openstack.clouds import ADMIN_CLOUD, password_entry
from govcloud.lab.openstack.identity import DOMAIN
from govcloud.lab.openstack.statedir import OpenStackLabPaths, lab_paths_from_env, write_if_changed
from govcloud.model import Node, Province

PASSWORDS = "keystone-operators.json"  # the operator users' passwords, generated once
CLOUDS_DIR = "operators"


@dataclass(frozen=True)
class OperatorLogin:
    """The account one operators' cloud logs in as, and the project its entry is scoped to."""

    cloud: str
    user: str
    groups: tuple[str, ...]
    project: str | None


def operator_logins(province: Province) -> list[OperatorLogin]:
    """One login per node with operators: its first user (a node naming only groups gets a user
    named after its cloud, in its first group), scoped to the node's first department."""
    logins = []
    for node in province.nodes:
        if node.operators is None:
            continue
        ops = node.operators
        user = ops.users[0] if ops.users else ops.cloud
        groups = ops.groups if not ops.users else ()  # the made-up user joins the group it stands for
        logins.append(OperatorLogin(ops.cloud, user, groups, _first_project(province, node)))
    return logins


def _first_project(province: Province, node: Node) -> str | None:
    return next((d.code for d in province.departments if d.node == node.code), None)


def ensure_operators(province: Province, paths: OpenStackLabPaths | None = None) -> dict[str, Path]:
    """Make Keystone hold every operator user and group of ``province``; write each operators'
    cloud file. Returns cloud name -> clouds.yaml path (empty when no node has operators)."""
    logins = operator_logins(province)
    if not logins:
        return {}
    paths = paths or lab_paths_from_env()
    config = openstack.config.OpenStackConfig(config_files=[str(paths.clouds_yaml)], load_envvars=False)
    admin = openstack.connection.Connection(config=config.get_one(cloud=ADMIN_CLOUD))
    passwords = _passwords(paths)
    identity = admin.identity
    users = {u.name: u for u in identity.users(domain_id=DOMAIN)}
    groups = {g.name: g for g in identity.groups(domain_id=DOMAIN)}
    names = sorted({n for node in province.nodes if node.operators for n in node.operators.users}
                   | {login.user for login in logins})
    for name in names:
        _ensure_user(identity, users, name, passwords)
    for node in province.nodes:
        for group in node.operators.groups if node.operators else ():
            if group not in groups:
                groups[group] = identity.create_group(name=group, domain_id=DOMAIN,
                                                      description="govcloud lab: operators of a node")
    for login in logins:
        for group in login.groups:
            identity.add_user_to_group(users[login.user], groups[group])
    write_if_changed(paths.root / PASSWORDS, json.dumps(passwords, indent=2, sort_keys=True) + "\n")
    auth_url = _admin_auth(paths)["auth_url"]
    return {login.cloud: _write_cloud(paths, login, passwords[login.user], auth_url) for login in logins}


def _ensure_user(identity, users: dict, name: str, passwords: dict[str, str]) -> None:
    """Create the user, or give an existing one a password the lab knows (the file was lost)."""
    if name in users and name in passwords:
        return
    passwords[name] = secrets.token_hex(16)
    if name in users:
        identity.update_user(users[name], password=passwords[name])
    else:
        users[name] = identity.create_user(name=name, password=passwords[name], domain_id=DOMAIN, is_enabled=True)


def _passwords(paths: OpenStackLabPaths) -> dict[str, str]:
    file = paths.root / PASSWORDS
    return json.loads(file.read_text(encoding="utf-8")) if file.is_file() else {}


def _admin_auth(paths: OpenStackLabPaths) -> dict:
    data = yaml.safe_load(paths.clouds_yaml.read_text(encoding="utf-8"))
    return data["clouds"][ADMIN_CLOUD]["auth"]


def _write_cloud(paths: OpenStackLabPaths, login: OperatorLogin, password: str, auth_url: str) -> Path:
    entry = password_entry(auth_url, login.user, password, login.project)
    path = paths.root / CLOUDS_DIR / f"{login.cloud}.yaml"
    header = f"# Written by govcloud.lab.openstack.operators: the login of operators' cloud {login.cloud}. Private.\n"
    write_if_changed(path, header + yaml.safe_dump({"clouds": {login.cloud: entry}}, sort_keys=False))
    return path
