"""`govcloud netlab up|down|status|generate`: the network-namespace lab of an environment."""

from __future__ import annotations

from pathlib import Path

import typer

from ..lab import netlab
from ..network.lab import environment_topology
from .common import ENV_OPTION, OutputFormat, console, load_env, print_json, print_table

app = typer.Typer(no_args_is_help=True, help="The network lab: routers, exits and hosts in network namespaces.")
STATE_OPTION = typer.Option(netlab.runtime.DEFAULT_STATE_DIR, "--state-dir", envvar="GOVCLOUD_NETLAB_STATE",
                            help="Where the lab keeps keys and per-node files (outside the repository).")


@app.command("up")
def up(env: str = ENV_OPTION, state_dir: Path = STATE_OPTION) -> None:
    """Build the lab from the model: IPv4 only, legacy exits in use, OSPF converged."""
    topology = environment_topology(load_env(env))
    result = netlab.up(topology, netlab.LabPaths(state_dir))
    verb = "built" if result["changed"] else "already up, nothing changed"
    console.print(f"netlab {result['env']}: {result['nodes']} nodes {verb} in {result['seconds']} s")


@app.command("down")
def down(state_dir: Path = STATE_OPTION) -> None:
    """Stop every node and delete the namespaces; nothing to do says so."""
    result = netlab.down(netlab.LabPaths(state_dir))
    if result["changed"]:
        console.print(f"netlab {result['env']}: {result['namespaces']} namespaces removed in {result['seconds']} s")
    else:
        console.print("netlab: already down, nothing changed")


@app.command("status")
def status(state_dir: Path = STATE_OPTION, format: OutputFormat = OutputFormat.JSON) -> None:
    """What runs in each node (JSON by default)."""
    data = netlab.status(netlab.LabPaths(state_dir))
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
    console.print(f"wrote {folder / 'province.yaml'}")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="netlab")
