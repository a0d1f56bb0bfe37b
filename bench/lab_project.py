"""A throw-away copy of the project whose stack settings point at the lab, for the engine benches.

The example's stack settings name the example's regions (``openstack:region: region-c01`` …),
which the lab does not have, and stack settings win over the ``OS_REGION_NAME`` a run sets. So a
bench that says it runs against the lab copies the project and overrides ``openstack:region`` in
the copy's settings, explicitly and visibly (it prints the override); the repository's files are
never touched. The copy's state goes to a backend of the caller's choosing.

One cost differs from a real run: objects whose inputs name their stack's own region (168 in the
province stack, about 70 in a city's) then differ from the overridden region, so they go through
one more explicit provider (``stackgraph.regions``): one more provider process per stack (about
0.1 CPU-s to start; the work on those objects is the same, moved off the default provider).
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def lab_project(folder: Path, env: str, region: str) -> Path:
    """Copy Pulumi.yaml, the program, ``env``'s stack settings (region overridden), the policy packs
    and ``inventories/<env>`` into ``folder``; its .venv links to the running virtualenv."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "Pulumi.yaml", folder / "Pulumi.yaml")
    (folder / ".venv").symlink_to(Path(sys.prefix), target_is_directory=True)
    shutil.copytree(ROOT / "stacks", folder / "stacks",
                    ignore=shutil.ignore_patterns("__pycache__", "Pulumi.*.yaml"))
    speakers = _lab_runs_bgp_agents()
    for settings in sorted((ROOT / "stacks").glob(f"Pulumi.{env}-*.yaml")):
        data = yaml.safe_load(settings.read_text(encoding="utf-8")) or {}
        config = data.setdefault("config", {})
        config["openstack:region"] = region  # the override: the lab's region, whatever the example says
        if not speakers:  # an up places every speaker on a BGP agent: none runs without the data plane
            config["govcloud:bgpSpeakers"] = False
        (folder / "stacks" / settings.name).write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    shutil.copytree(ROOT / "policies", folder / "policies", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "inventories" / env, folder / "inventories" / env,
                    ignore=shutil.ignore_patterns("hosts.yml", "group_vars"))
    print(f"engine runs on a copy of the project in {folder}: openstack:region overridden to {region} "
          f"in every {env} stack's settings (the lab has no other region)"
          + ("" if speakers else "; govcloud:bgpSpeakers overridden to false (the lab runs no BGP agent: "
                                 "`govcloud lab up --env lab --data-plane` runs them)"))
    return folder


def _lab_runs_bgp_agents() -> bool:
    from govcloud.lab.openstack.api import lab_status  # lazy: the lab's status only when a copy is made
    from govcloud.lab.openstack.dataplane import BGP_AGENT

    return any(s.name.startswith(BGP_AGENT) and s.running for s in lab_status().services)
