"""What every command shares: finding the project, loading an environment, printing data."""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..model import Environment, load_environment
from ..paths import current_instance, find_project_root
from ..terminal import make_console

if TYPE_CHECKING:  # the labs and the network planners load only for the commands that use them
    from ..lab.netlab import NetlabPaths
    from ..network.topology import SiteFacts, Topology

console = make_console()
err_console = make_console(stderr=True)

ENV_OPTION = typer.Option(..., "--env", "-e", help="Environment: a folder name under inventories/ or its path.")


class OutputFormat(str, Enum):
    TABLE = "table"
    JSON = "json"


def project_root() -> Path:
    """The folder holding Pulumi.yaml: the current one or a parent, else the source checkout."""
    return find_project_root(Path.cwd())


def load_env(env: str) -> Environment:
    return load_environment(env, project_root())


def netlab_paths(state_dir: Path | None) -> NetlabPaths:
    """The network lab's state: ``--state-dir`` when given, else the lab instance's own folder."""
    from ..lab.netlab import NetlabPaths

    return NetlabPaths(state_dir) if state_dir else NetlabPaths()


def lab_topology(environment: Environment) -> Topology:
    """The environment's topology with its site facts (:func:`site_facts`); the stack settings
    decide which border routers peer with a BGP speaker. An environment that runs in the network
    lab (no inventory source of its own) gets the lab's simulated internet too."""
    from ..network.environment import environment_topology

    facts, in_lab = site_facts(environment)
    topology = environment_topology(environment, facts, project_root())
    if not in_lab:
        return topology
    from ..lab.netlab.overlay import with_lab_internet

    return with_lab_internet(topology)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


def print_table(title: str, columns: list[str], rows: list[list[Any]], to: Console | None = None) -> None:
    table = Table(title=title)
    for column in columns:
        table.add_column(column)
    for row in rows:  # values as plain text: "[POST …]" is no markup, and 2001:db8:2:a::3 holds no emoji ":a:"
        table.add_row(*(Text(str(v)) for v in row))
    (to or console).print(table)


def site_facts(environment: Environment) -> tuple[SiteFacts, bool]:
    """What the model does not hold about the environment's devices: its inventory source's
    export (``site-facts.yaml`` beside the model), or, without one, the network lab's overlay
    (an environment without an inventory source of its own runs in the network lab); and
    whether it is the lab's."""
    from ..network.facts import load_site_facts, site_facts_file

    path = site_facts_file(environment.path)
    if path.is_file():
        return load_site_facts(path), False
    from ..lab.netlab.overlay import LAB_FACTS

    # Numbered on the current lab instance's own management network: two labs never share one.
    return replace(LAB_FACTS, mgmt_network=current_instance().mgmt_network), True
