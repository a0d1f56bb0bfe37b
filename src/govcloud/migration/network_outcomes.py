"""The network's recorded outcomes as the KPIs read them: progress recorded outside the model by other commands.

Two optional files under ``.state/<env>/`` (written by the network rollout and exit consolidation
commands); when a file is absent, the model's own statuses stand.

``rollout.json``: the IPv6 rollout's progress per extranet site, the status either directly or under
``ipv6`` (``govcloud.network.rollout`` writes the first form)::

    {"sites": {"<site-code>": "none" | "planned" | "dual-stack", ...}, ...}
    {"sites": {"<site-code>": {"ipv6": "none" | "planned" | "dual-stack", ...}, ...}, ...}

``exits.json``: the consolidation's progress per internet exit, the status either directly or under
``status`` (``govcloud.network`` writes the second form, with the loss measured at the switch)::

    {"exits": {"<exit-code>": "legacy" | "unified" | "decommissioned", ...}, ...}
    {"exits": {"<exit-code>": {"status": "legacy" | "unified" | "decommissioned", ...}, ...}, ...}

Keys not listed here are ignored, so the writers may record more than the KPIs read.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict

from ..jsonstate import read_json_state
from ..model import ExitStatus, Ipv6Status
from ..paths import env_state_dir

ROLLOUT_FILE = "rollout.json"
EXITS_FILE = "exits.json"


class _Lenient(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class SiteRollout(_Lenient):
    ipv6: Ipv6Status


class ExitRecord(_Lenient):
    status: ExitStatus


class RolloutState(_Lenient):
    sites: dict[str, Ipv6Status | SiteRollout] = {}


class ExitsState(_Lenient):
    exits: dict[str, ExitStatus | ExitRecord] = {}


def state_folder(project_root: Path, env_name: str) -> Path:
    return env_state_dir(project_root, env_name)


def read_rollout_state(folder: Path) -> dict[str, Ipv6Status]:
    """IPv6 status per site code from ``rollout.json``; empty when the file does not exist."""
    state = _read(folder / ROLLOUT_FILE, RolloutState, '{"sites": {"<site-code>": "dual-stack"}}')
    if state is None:
        return {}
    return {code: site.ipv6 if isinstance(site, SiteRollout) else site for code, site in state.sites.items()}


def read_exits_state(folder: Path) -> dict[str, ExitStatus]:
    """Status per exit code from ``exits.json``; empty when the file does not exist."""
    state = _read(folder / EXITS_FILE, ExitsState, '{"exits": {"<exit-code>": {"status": "decommissioned"}}}')
    if state is None:
        return {}
    return {code: e.status if isinstance(e, ExitRecord) else e for code, e in state.exits.items()}


def _read(path: Path, model: type[_Lenient], example: str):
    return read_json_state(path, model, f"correct the JSON; expected shape: {example}", _user_path)


def _user_path(loc: tuple) -> list[str]:
    """The JSON path of an error, without the names pydantic gives the members of a union."""
    path = []
    for part in loc:
        if isinstance(part, str) and ("[" in part or part[:1].isupper()):
            break
        path.append(str(part))
    return path
