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

from ..errors import EngineError
from ..paths import OPENSTACK_LAB, current_instance
LAB_FIX = "start the lab with `govcloud lab up` (or point --clouds-yaml at a reachable cloud)"

# openstacksdk auth keys -> the provider's environment variables.
_AUTH_ENV = {
    "auth_url": "OS_AUTH_URL", "username": "OS_USERNAME", "password": "OS_PASSWORD",
    "project_name": "OS_PROJECT_NAME", "project_id": "OS_PROJECT_ID",
    "user_domain_name": "OS_USER_DOMAIN_NAME", "project_domain_name": "OS_PROJECT_DOMAIN_NAME",
    "user_domain_id": "OS_USER_DOMAIN_ID", "project_domain_id": "OS_PROJECT_DOMAIN_ID",
    "domain_name": "OS_DOMAIN_NAME",
}


@dataclass(frozen=True)
class CloudCredentials:
    cloud: str
    clouds_yaml: Path | None
    auth: Mapping[str, str]
    region: str | None

    def engine_env(self, region: str | None = None) -> dict[str, str]:
        """Environment variables the OpenStack provider reads its credentials from."""
        env = {_AUTH_ENV[k]: str(v) for k, v in self.auth.items() if k in _AUTH_ENV and v}
        if region or self.region:
            env["OS_REGION_NAME"] = region or self.region or ""
        return env


def find_clouds_yaml(explicit: Path | None, environ: Mapping[str, str] | None = None) -> Path | None:
    env = os.environ if environ is None else environ
    if explicit is not None:
        return explicit
    if env.get("OS_CLIENT_CONFIG_FILE"):
        return Path(env["OS_CLIENT_CONFIG_FILE"])
    lab_dir = env.get("GOVCLOUD_LAB_DIR") or current_instance(env).state_dir(OPENSTACK_LAB)
    lab = Path(lab_dir) / "clouds.yaml"
    return lab if lab.is_file() else None  # None: openstacksdk searches its usual places


def load_credentials(cloud: str, clouds_yaml: Path | None) -> CloudCredentials:
    """The auth settings of ``cloud``; EngineError with a fix when it cannot be found."""
    import openstack.config
    from openstack import exceptions

    if clouds_yaml is not None and not clouds_yaml.is_file():
        raise EngineError(f"no clouds.yaml at {clouds_yaml}", fix=LAB_FIX if "openstack-lab" in str(clouds_yaml)
                          else "give --clouds-yaml the path of a clouds.yaml holding the cloud")
    try:
        files = [str(clouds_yaml)] if clouds_yaml else None
        region = openstack.config.OpenStackConfig(config_files=files, load_envvars=False).get_one(cloud=cloud)
    except exceptions.ConfigException as exc:
        fix = LAB_FIX if cloud.startswith("govcloud-lab") else "add the cloud to clouds.yaml or pass --cloud"
        raise EngineError(f"cloud {cloud!r} is not in {clouds_yaml or 'any clouds.yaml'}: {exc}", fix=fix) from None
    return CloudCredentials(cloud, clouds_yaml, dict(region.auth), region.region_name)


def check_login(credentials: CloudCredentials) -> None:
    """Log in once with openstacksdk; a stopped lab or wrong credentials become an EngineError."""
    import openstack
    from keystoneauth1 import exceptions as ks
    from openstack import exceptions as sdk

    try:
        connection = openstack.connect(load_yaml_config=False, load_envvars=False, auth_type="password",
                                       auth=dict(credentials.auth), region_name=credentials.region)
        connection.authorize()
    except (ks.Unauthorized, ks.ConnectFailure, ks.DiscoveryFailure, ks.ConnectTimeout, sdk.SDKException) as exc:
        raise _login_error(credentials, exc) from None


def _login_error(credentials: CloudCredentials, exc: Exception) -> EngineError:
    # openstacksdk wraps keystoneauth's errors in SDKException: tell the two causes apart by text.
    text = str(exc).lower()
    if "401" in text or "unauthorized" in text or "authenticate" in text and "establish" not in text:
        return EngineError(f"cloud {credentials.cloud!r} refused the credentials in "
                           f"{credentials.clouds_yaml or 'clouds.yaml'}",
                           fix="correct the user name, password or project in clouds.yaml "
                               "(for the lab: `govcloud lab up` rewrites it)")
    return EngineError(f"cloud {credentials.cloud!r} does not answer at {credentials.auth.get('auth_url')}",
                       fix=LAB_FIX)
