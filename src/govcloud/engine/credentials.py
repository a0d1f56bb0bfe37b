"""OpenStack credentials for the engine, from a clouds.yaml, checked before the engine starts.

They reach the provider as ``OS_*`` environment variables of the engine process only: nothing is
written to the stack's config file (committed with the repository) or to the state, and nothing is
printed. A login is tried first with openstacksdk so that a stopped lab, a wrong password or an
unknown cloud give one clear error instead of a provider stack trace deep in an update.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..errors import EngineError, UsageError
from ..paths import CLOUDS_FILE, openstack_lab_clouds_file
LAB_FIX = "start the lab with `govcloud lab up` (or point --clouds-yaml at a reachable cloud)"

# openstacksdk auth keys -> the provider's environment variables.
_AUTH_ENV = {
    "auth_url": "OS_AUTH_URL", "username": "OS_USERNAME", "password": "OS_PASSWORD",
    "project_name": "OS_PROJECT_NAME", "project_id": "OS_PROJECT_ID",
    "user_domain_name": "OS_USER_DOMAIN_NAME", "project_domain_name": "OS_PROJECT_DOMAIN_NAME",
    "user_domain_id": "OS_USER_DOMAIN_ID", "project_domain_id": "OS_PROJECT_DOMAIN_ID",
    "domain_name": "OS_DOMAIN_NAME",
}


_PROJECT_KEYS = ("project_name", "project_id")


@dataclass(frozen=True)
class CloudCredentials:
    cloud: str
    clouds_yaml: Path | None
    auth: Mapping[str, str]
    region: str | None

    def engine_env(self, region: str | None = None, per_project: bool = False) -> dict[str, str]:
        """Environment variables the OpenStack provider reads its credentials from. ``per_project``:
        without the entry's own project, for a stack whose providers each name theirs (an operator
        stack's; a project ID in the environment would win over the provider's project name)."""
        env = {_AUTH_ENV[k]: str(v) for k, v in self.auth.items()
               if k in _AUTH_ENV and v and not (per_project and k in _PROJECT_KEYS)}
        if region or self.region:
            env["OS_REGION_NAME"] = region or self.region or ""
        return env

    def scoped_to(self, project: str) -> dict[str, str]:
        """The auth settings with ``project`` (a name, in the entry's project domain) as the scope."""
        auth = {k: v for k, v in self.auth.items() if k not in _PROJECT_KEYS}
        auth["project_name"] = project
        if not auth.get("project_domain_name") and not auth.get("project_domain_id"):
            auth["project_domain_name"] = auth.get("user_domain_name") or "Default"
        return auth


def find_clouds_yaml(explicit: Path | None, environ: Mapping[str, str] | None = None) -> Path | None:
    env = os.environ if environ is None else environ
    if explicit is not None:
        return explicit
    if env.get("OS_CLIENT_CONFIG_FILE"):
        return Path(env["OS_CLIENT_CONFIG_FILE"])
    lab = openstack_lab_clouds_file(env)
    return lab if lab.is_file() else None  # None: openstacksdk searches its usual places


def load_credentials(cloud: str, clouds_yaml: Path | None) -> CloudCredentials:
    """The auth settings of ``cloud``.

    A clouds.yaml that is not one, or a cloud it does not hold, is bad input (UsageError, exit 2,
    naming the clouds there are); a lab that is not up (its clouds.yaml missing) is EngineError.
    """
    import openstack.config  # lazy: openstacksdk (about 2 s) only when a cloud is asked
    from openstack import exceptions  # lazy: openstacksdk (about 2 s) only when a cloud is asked

    if clouds_yaml is not None and not clouds_yaml.is_file():
        if "openstack-lab" in str(clouds_yaml):
            raise EngineError(f"no clouds.yaml at {clouds_yaml}", fix=LAB_FIX)
        raise UsageError(f"no clouds.yaml at {clouds_yaml}",
                         fix="give --clouds-yaml the path of a clouds.yaml holding the cloud")
    available = cloud_names(clouds_yaml) if clouds_yaml else None
    if available is not None and cloud not in available:
        raise _unknown_cloud(cloud, str(clouds_yaml), available)
    try:
        files = [str(clouds_yaml)] if clouds_yaml else None
        config = openstack.config.OpenStackConfig(config_files=files, load_envvars=False)
        region = config.get_one(cloud=cloud)
    except exceptions.ConfigException as exc:
        if clouds_yaml is None and cloud.startswith("govcloud-lab"):
            raise EngineError(f"cloud {cloud!r}: the lab's clouds.yaml is not there", fix=LAB_FIX) from None
        names = sorted(set(openstack.config.OpenStackConfig(load_envvars=False).get_cloud_names()) - {"defaults"}) \
            if clouds_yaml is None else []
        if clouds_yaml is None and cloud not in names:
            raise _unknown_cloud(cloud, "any clouds.yaml openstacksdk finds", names) from None
        raise UsageError(f"cloud {cloud!r} in {clouds_yaml or CLOUDS_FILE} cannot be used: {exc}",
                         fix="correct the cloud's entry in clouds.yaml") from None
    return CloudCredentials(cloud, clouds_yaml, dict(region.auth), region.region_name)


def cloud_names(clouds_yaml: Path) -> list[str]:
    """The cloud names in a clouds.yaml; UsageError saying what is wrong when it is not one."""
    try:
        data = yaml.safe_load(clouds_yaml.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{clouds_yaml} cannot be read: {exc}", fix=_CLOUDS_YAML_FIX) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        raise UsageError(f"{clouds_yaml}{where} is not valid YAML", fix=_CLOUDS_YAML_FIX) from None
    if not isinstance(data, dict) or not isinstance(data.get("clouds"), dict):
        raise UsageError(f"{clouds_yaml} is not a clouds.yaml: it has no `clouds:` mapping", fix=_CLOUDS_YAML_FIX)
    return sorted(str(name) for name in data["clouds"])


_CLOUDS_YAML_FIX = ("give --clouds-yaml a clouds.yaml: a `clouds:` mapping of cloud names to their `auth` "
                    "settings (see openstacksdk's configuration docs)")


def _unknown_cloud(cloud: str, where: str, available: list[str]) -> UsageError:
    listed = ", ".join(available) if available else "none"
    fix = f"pass --cloud with one of: {listed}" if available else "add the cloud to clouds.yaml"
    if cloud.startswith("govcloud-lab"):
        fix += f"; for the lab, {LAB_FIX}"
    return UsageError(f"cloud {cloud!r} is not in {where} (clouds there: {listed})", fix=fix)


def check_login(credentials: CloudCredentials, admin: bool = False) -> None:
    """Log in once with openstacksdk; a stopped lab or wrong credentials become an EngineError.
    ``admin``: the login must also administer the cloud (see :func:`require_admin`)."""
    import openstack  # lazy: openstacksdk (about 2 s) only when a cloud is asked
    from keystoneauth1 import exceptions as ks  # lazy: keystoneauth1 (0.3 s) only when a cloud is asked
    from openstack import exceptions as sdk  # lazy: openstacksdk (about 2 s) only when a cloud is asked

    try:
        connection = openstack.connect(load_yaml_config=False, load_envvars=False, auth_type="password",
                                       auth=dict(credentials.auth), region_name=credentials.region)
        connection.authorize()
    except (ks.Unauthorized, ks.ConnectFailure, ks.DiscoveryFailure, ks.ConnectTimeout, sdk.SDKException) as exc:
        raise _login_error(credentials, exc) from None
    if admin:
        require_admin(connection, credentials)


def require_admin(connection, credentials: CloudCredentials) -> None:
    """A province's stacks create projects and find objects across every project (an empty
    state's check for existing objects, the recovery of a killed run): through a project
    member's login those checks see nothing, and the engine would create duplicates until
    Keystone refused the first project. So a member's login (a misdirected ``--cloud``) is
    refused before anything runs; listing projects is what Keystone keeps for administrators."""
    from openstack import exceptions as sdk  # lazy: openstacksdk (about 2 s) only when a cloud is asked

    try:
        next(iter(connection.identity.projects(limit=1)), None)
    except sdk.ForbiddenException:
        fix = "pass --cloud naming an administrator's entry in clouds.yaml"
        if credentials.cloud.startswith("govcloud-lab"):
            fix += "; for the lab, govcloud-lab-admin"
        raise UsageError(f"cloud {credentials.cloud!r} logs in without the admin role "
                         f"(user {credentials.auth.get('username', '?')!r} of project "
                         f"{credentials.auth.get('project_name', '?')!r}): govcloud's stacks create projects "
                         "and must see every project's objects; nothing was changed",
                         fix=fix) from None


def _login_error(credentials: CloudCredentials, exc: Exception) -> EngineError:
    # openstacksdk wraps keystoneauth's errors in SDKException: tell the two causes apart by text.
    text = str(exc).lower()
    if "401" in text or "unauthorized" in text or "authenticate" in text and "establish" not in text:
        return EngineError(f"cloud {credentials.cloud!r} refused the credentials in "
                           f"{credentials.clouds_yaml or CLOUDS_FILE}",
                           fix="correct the user name, password or project in clouds.yaml "
                               "(for the lab: `govcloud lab up` rewrites it)")
    return EngineError(f"cloud {credentials.cloud!r} does not answer at {credentials.auth.get('auth_url')}",
                       fix=LAB_FIX)


def check_project_access(credentials: CloudCredentials, stack: str, projects: list[str]) -> None:
    """Ask Keystone for a token scoped to each of ``projects`` with ``credentials``, as the stack's
    per-project providers will: a project the user holds no role on gets none (401), and the run is
    refused before it starts, naming the project and the user (UsageError, nothing changed)."""
    from keystoneauth1 import exceptions as ks  # lazy: keystoneauth1 (0.3 s) only when a cloud is asked
    from keystoneauth1 import session  # lazy: keystoneauth1 (0.3 s) only when a cloud is asked
    from keystoneauth1.identity import v3  # lazy: keystoneauth1 (0.3 s) only when a cloud is asked

    user = credentials.auth.get("username", "?")
    for project in projects:
        auth = {k: v for k, v in credentials.scoped_to(project).items() if k in _V3_PASSWORD}
        try:
            session.Session(auth=v3.Password(**auth)).get_token()
        except ks.Unauthorized:
            raise UsageError(f"Keystone gives user {user!r} (cloud {credentials.cloud!r}) no token for project "
                             f"{project!r} of stack {stack}: the user holds no role on it; nothing was changed",
                             fix=f"run the stacks of the node you operate, or have the provincial team name {user!r} "
                                 "among this node's operators: in the model and run the node's base stack") from None
        except (ks.ConnectFailure, ks.DiscoveryFailure, ks.ConnectTimeout) as exc:
            raise _login_error(credentials, exc) from None


_V3_PASSWORD = ("auth_url", "username", "user_id", "password", "user_domain_name", "user_domain_id",
                "project_name", "project_domain_name", "project_domain_id")
