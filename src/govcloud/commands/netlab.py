"""`govcloud netlab up|down|status|generate`: the network-namespace lab of an environment."""

from __future__ import annotations

from pathlib import Path

import typer

from ..errors import UsageError
from ..lab import netlab
from ..model import resolve_env
from ..paths import MODEL_FILE
from .common import (ENV_OPTION, OutputFormat, console, lab_topology, load_env, netlab_paths, print_json, print_table,
                     project_root)

app = typer.Typer(no_args_is_help=True, help="The network lab: routers, exits and hosts in network namespaces.")
STATE_OPTION = typer.Option(None, "--state-dir", envvar="GOVCLOUD_NETLAB_STATE",
                            help="Where the lab keeps keys and per-node files (outside the repository).")

LAB_ENV_OPTION = typer.Option(None, "--env", "-e", help="Act only if the lab that is up is this environment's.")


def _check_lab_env(env: str | None, paths: netlab.NetlabPaths) -> None:
    """One lab runs at a time: `--env` guards against taking down (or reading) another's."""
    if env is None:
        return
    name = resolve_env(env, project_root()).name
    lab = netlab.read_lab(paths)
    if lab is not None and lab["env"] != name:
        raise UsageError(f"--env {env}: the network lab that is up is {lab['env']!r}'s, not {name!r}'s",
                         fix=f"give --env {lab['env']} or no --env")


@app.command("up")
def up(env: str = ENV_OPTION, state_dir: Path | None = STATE_OPTION) -> None:
    """Build the lab from the model: IPv4 only, legacy exits in use, OSPF converged."""
    topology = lab_topology(load_env(env))
    result = netlab.up(topology, netlab_paths(state_dir))
    verb = "built" if result["changed"] else "already up, nothing changed"
    console.print(f"netlab {result['env']}: {result['nodes']} nodes {verb} in {result['seconds']} s")


@app.command("down")
def down(env: str | None = LAB_ENV_OPTION, state_dir: Path | None = STATE_OPTION) -> None:
    """Stop every node and delete the namespaces; nothing to do says so."""
    paths = netlab_paths(state_dir)
    _check_lab_env(env, paths)
    result = netlab.down(paths)
    if result["changed"]:
        console.print(f"netlab {result['env']}: {result['namespaces']} namespaces removed in {result['seconds']} s")
    else:
        console.print("netlab: already down, nothing changed")


@app.command("status")
def status(env: str | None = LAB_ENV_OPTION, state_dir: Path | None = STATE_OPTION,
           format: OutputFormat = OutputFormat.JSON) -> None:
    """What runs in each node (JSON by default)."""
    paths = netlab_paths(state_dir)
    _check_lab_env(env, paths)
    data = netlab.status(paths)
    if format is OutputFormat.JSON:
        print_json(data)
        return
    print_table(f"netlab {data['env'] or '(down)'}", ["node", "role", "mgmt", "sshd", "frr", "ok"],
                [[n["name"], n["role"], n["mgmt"], n["sshd"], ",".join(n["frr"]), n["ok"]] for n in data["nodes"]])


@app.command("generate")
def generate(routers: int = typer.Option(..., help="Number of extranet routers."),
             out: Path = typer.Option(..., help="Folder to write province.yaml into.")) -> None:
    """Write a generated province of ROUTERS routers (for benchmarks); bring it up with --env OUT."""
    folder = netlab.write_generated_env(routers, out)
    console.print(f"wrote {folder / MODEL_FILE}")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="netlab")
