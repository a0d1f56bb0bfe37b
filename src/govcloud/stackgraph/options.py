"""Stack settings read from ``stacks/Pulumi.<stack>.yaml``, the same file the engine reads.

``govcloud:env`` names the environment; ``govcloud:drImage`` and ``govcloud:drFlavor`` the image
and flavor of DR instances (the model describes systems, not images); ``govcloud:encryptedVolumeType``
the volume type that level-3 data is stored on; ``govcloud:bgpSpeakers: false`` leaves out the
nodes' BGP speakers where the cloud's Neutron runs without neutron-dynamic-routing (its API would
refuse them). The stack program reads the same keys through ``pulumi.Config``; the offline plan
reads them here.
"""

from __future__ import annotations

import difflib
from pathlib import Path

from ..errors import InputError
from ..yamlfile import read_yaml, refuse_look_alike
from ..paths import stack_settings_file
from .stacks import StackOptions

CONFIG_NAMESPACE = "govcloud"

SETTING_INPUTS = {
    "drImage": ("imageName", "dr_image"),
    "drFlavor": ("flavorName", "dr_flavor"),
    "encryptedVolumeType": ("volumeType", "encrypted_volume_type"),
}
"""Setting (without the namespace) -> (the resource input it fills, the StackOptions field): what
tells a policy finding that a stack setting, not the model, put a value there."""


def stack_config_file(project_root: Path, stack: str) -> Path:
    return stack_settings_file(project_root, stack)


def options_from_config(config: dict) -> StackOptions:
    """StackOptions from a mapping of ``govcloud:`` keys (without the namespace)."""
    defaults = StackOptions()
    return StackOptions(dr_image=str(config.get("drImage") or defaults.dr_image),
                        dr_flavor=str(config.get("drFlavor") or defaults.dr_flavor),
                        encrypted_volume_type=str(config.get("encryptedVolumeType") or defaults.encrypted_volume_type),
                        bgp_speakers=_flag(config.get("bgpSpeakers"), defaults.bgp_speakers, "bgpSpeakers"))


def _flag(value, default: bool, key: str) -> bool:
    """A boolean setting as YAML or ``pulumi.Config.get`` gives it (a bool, or its text)."""
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "false"):
        return text == "true"
    raise InputError(f"stack setting {CONFIG_NAMESPACE}:{key} is {value!r}, not true or false",
                     fix=f"set {CONFIG_NAMESPACE}:{key} to true or false")


KNOWN_SETTINGS = ("env", "drImage", "drFlavor", "encryptedVolumeType", "bgpSpeakers")
"""The ``govcloud:`` keys a committed settings file may hold (``adopt`` is written only into a
run's private copy). Pulumi ignores a key nobody reads, so a misspelt one would silently leave the
default in place: the reader refuses it instead."""

STACK_SETTINGS_FIX = ("a stack settings file is a mapping with a 'config:' section of 'govcloud:<key>: value' "
                      "lines (see stacks/Pulumi.lab-province.yaml)")


def read_stack_options(project_root: Path, stack: str, env: str | None = None) -> StackOptions:
    """The stack's options; the defaults when its settings file does not exist yet. A malformed
    file is a located error (file, line, field, fix), never a traceback: a syntax error, a list or
    nothing where the mapping belongs, a key that is no setting, a value of the wrong shape, and
    a missing ``govcloud:env`` (the stack program requires it) or one naming another environment
    than ``env`` (the engine would deploy that other model)."""
    path = stack_config_file(project_root, stack)
    refuse_look_alike(path, "stack settings")  # Pulumi reads only Pulumi.<stack>.yaml
    if not path.is_file():
        return StackOptions()
    example = f"{CONFIG_NAMESPACE}:env: {env or '<env>'}"
    file = read_yaml(path, what="stack settings", fix=STACK_SETTINGS_FIX, allow_empty=False,
                     empty_fix=f"write its settings under 'config:' (at least '{example}'), or delete the file to "
                               "take the defaults")
    config = file.mapping(("config",), (file.data or {}).get("config"), fix=STACK_SETTINGS_FIX)
    prefix = f"{CONFIG_NAMESPACE}:"
    values = {}
    for key, value in config.items():
        if isinstance(key, str) and key.startswith(prefix):
            name = key[len(prefix):]
            if name not in KNOWN_SETTINGS:
                close = difflib.get_close_matches(name, KNOWN_SETTINGS, n=1)
                hint = f"did you mean {prefix}{close[0]}? " if close else ""
                raise file.error(("config", key), f"{key} is not a govcloud setting",
                                 fix=f"{hint}use one of {', '.join(prefix + k for k in KNOWN_SETTINGS)}")
            values[name] = file.scalar(("config", key), value, fix=f"give {key} a single value")
    _check_env(file, values.get("env"), env, example)
    try:
        _flag(values.get("bgpSpeakers"), True, "bgpSpeakers")
    except InputError as exc:  # the one setting with a kind to check: name its line
        raise file.error(("config", f"{prefix}bgpSpeakers"), exc.message, fix=exc.fix) from None
    return options_from_config(values)


def _check_env(file, value, env: str | None, example: str) -> None:
    field = ("config", f"{CONFIG_NAMESPACE}:env")
    if value in (None, ""):
        raise file.error(("config",), f"{CONFIG_NAMESPACE}:env is not set: the stack program cannot tell which "
                         "environment to deploy", fix=f"add '{example}' under config:")
    if env is not None and str(value) != env:
        raise file.error(field, f"{CONFIG_NAMESPACE}:env is {value!r}, but this stack belongs to environment "
                         f"{env!r}: the engine would deploy the model of {value!r}",
                         fix=f"set {CONFIG_NAMESPACE}:env: {env}")
