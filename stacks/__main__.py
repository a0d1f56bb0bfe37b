"""The govcloud Pulumi program: stack name → environment → model → address plan → components.

Thin on purpose: everything it creates is decided by pure functions in govcloud.stackgraph, the
same ones `govcloud plan` runs offline.
"""

import json
from pathlib import Path

import pulumi

from govcloud.components import run_stack
from govcloud.ipam import plan_environment
from govcloud.model import load_environment
from govcloud.stackgraph import stack_components
from govcloud.stackgraph.options import options_from_config
from govcloud.stackgraph.scope import CONFIG_KEY, RegistrationScope

config = pulumi.Config("govcloud")
env_name = config.require("env")
environment = load_environment(env_name, Path(__file__).resolve().parents[1])
options = options_from_config({key: config.get(key)
                               for key in ("drImage", "drFlavor", "encryptedVolumeType", "bgpSpeakers")})
# `govcloud up --adopt` puts the existing objects to import here, in the run's private settings only.
adopt = json.loads(config.get("adopt") or "{}")
# `govcloud up|preview --changed` puts the specs its targeted run registers here (the rest stay as they are).
scope = RegistrationScope.from_json(config.get(CONFIG_KEY))
# `pulumi config set govcloud:sdkDebug true` sends the SDK's own debug lines to the engine (`pulumi --debug`).
run_stack(stack_components(environment.province, plan_environment(environment), environment.name,
                           pulumi.get_stack(), options), adopt, scope, sdk_debug=config.get_bool("sdkDebug") or False)
