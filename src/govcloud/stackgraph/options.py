"""Stack settings read from ``stacks/Pulumi.<stack>.yaml``, the same file the engine reads.

``govcloud:env`` names the environment; ``govcloud:drImage`` and ``govcloud:drFlavor`` the image
and flavor of DR instances (the model describes systems, not images); ``govcloud:encryptedVolumeType``
the volume type that level-3 data is stored on. The stack program reads
the same keys through ``pulumi.Config``; the offline plan reads them here.
"""

from __future__ import annotations

from pathlib import Path

from ..yamlfile import read_yaml
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
    return project_root / "stacks" / f"Pulumi.{stack}.yaml"


def options_from_config(config: dict) -> StackOptions:
    """StackOptions from a mapping of ``govcloud:`` keys (without the namespace)."""
    defaults = StackOptions()
    return StackOptions(dr_image=str(config.get("drImage") or defaults.dr_image),
                        dr_flavor=str(config.get("drFlavor") or defaults.dr_flavor),
                        encrypted_volume_type=str(config.get("encryptedVolumeType") or defaults.encrypted_volume_type))


STACK_SETTINGS_FIX = ("a stack settings file is a mapping with a 'config:' section of 'govcloud:<key>: value' "
                      "lines (see stacks/Pulumi.lab-province.yaml)")


def read_stack_options(project_root: Path, stack: str) -> StackOptions:
    """The stack's options; the defaults when its config file does not exist yet. A malformed
    file is a located error (file, line, fix), never a traceback."""
    path = stack_config_file(project_root, stack)
    if not path.is_file():
        return StackOptions()
    file = read_yaml(path, what="stack settings", fix=STACK_SETTINGS_FIX)
    config = file.mapping(("config",), (file.data or {}).get("config"), fix=STACK_SETTINGS_FIX)
    prefix = f"{CONFIG_NAMESPACE}:"
    values = {}
    for key, value in config.items():
        if isinstance(key, str) and key.startswith(prefix):
            values[key[len(prefix):]] = file.scalar(("config", key), value, fix=f"give {key} a single value")
    return options_from_config(values)
