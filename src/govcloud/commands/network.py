"""`govcloud inventory render`, `govcloud rollout ipv6`, `govcloud exits audit|consolidate`."""

from __future__ import annotations

from pathlib import Path

import typer

from ..network.inventory import render_inventory, stale_inventory, write_inventory
from ..paths import ansible_inventory_file
from .common import ENV_OPTION, OutputFormat, console, lab_topology, load_env, netlab_paths, print_json, print_table

inventory_app = typer.Typer(no_args_is_help=True, help="Ansible inventories rendered from the model and the plan.")
STATE_OPTION = typer.Option(None, "--state-dir", envvar="GOVCLOUD_NETLAB_STATE",
                            help="Where the lab keeps its SSH keys and known_hosts (outside the repository).")


@inventory_app.command("render")
def render(env: str = ENV_OPTION, state_dir: Path | None = STATE_OPTION) -> None:
    """Write inventories/<env>/hosts.yml and group_vars/ (groups by tier, city and wave)."""
    environment = load_env(env)
    paths = netlab_paths(state_dir)
    files = render_inventory(lab_topology(environment), paths.client_key, paths.known_hosts)
    written = write_inventory(environment.path, files)
    if written:
        for path in written:
            console.print(f"wrote {path}")
    else:
        console.print(f"inventory of {environment.name} unchanged")


rollout_app = typer.Typer(no_args_is_help=True, help="Roll-outs across the extranet, in waves from the model.")


def _access(environment, state_dir: Path | None, connection: str, pipelining: bool):
    from ..network.rollout import Access
    from ..network.ansible import Connection

    paths = netlab_paths(state_dir)
    return Access(ansible_inventory_file(environment.path), paths.client_key, paths.known_hosts,
                  connection=Connection(connection), pipelining=pipelining)


def _progress_factory(quiet: bool):
    from ..network.waveview import RolloutWaveView

    def factory(wave):
        if quiet:
            return None, lambda: None
        view = RolloutWaveView(f"wave {wave.number}: {wave.tier.value}", list(wave.hosts), console=console)
        view.__enter__()
        return view.on_event, lambda: view.__exit__(None, None, None)

    return factory


@rollout_app.command("ipv6")
def rollout_ipv6(env: str = ENV_OPTION, wave: int = typer.Option(None, help="Only this wave (1 = province core)."),
                 tier: str = typer.Option(None, help="Only the wave of this tier (province, city, county …)."),
                 check: bool = typer.Option(False, "--check", help="Dry run: show what would change."),
                 max_failures: int = typer.Option(0, help="Failed hosts a wave may have before the rollout stops."),
                 connection: str = typer.Option("ssh", help="ssh (with pipelining) or paramiko."),
                 quiet: bool = typer.Option(False, help="No live progress table."),
                 state_dir: Path | None = STATE_OPTION) -> None:
    """Roll IPv6 out: province core, then cities, counties, townships (preflight first)."""
    from ..network.rollout import RolloutRecorder, run_waves
    from ..network.waves import ipv6_waves, select_waves
    from .common import project_root

    if connection not in ("ssh", "paramiko"):
        from ..errors import UsageError

        raise UsageError(f"--connection {connection!r}", fix="use ssh or paramiko")
    environment = load_env(env)
    topology = lab_topology(environment)
    waves = select_waves(ipv6_waves(topology), wave=wave, tier=tier)
    _require_inventory(environment, topology, state_dir)
    recorder = RolloutRecorder(project_root(), topology, environment.path)
    reports = run_waves(topology, waves, _access(environment, state_dir, connection, True), recorder, check=check,
                        max_failures=max_failures, progress=_progress_factory(quiet))
    for report in reports:
        console.print(f"wave {report.wave} ({report.tier}): {report.status}, {len(report.hosts)} hosts, "
                      f"changed={report.changed}, {report.seconds:.1f} s")
    if not check:
        console.print(f"recorded in {recorder.path}")


def _require_inventory(environment, topology, state_dir: Path | None) -> None:
    """The rendered inventory must match the model: a stale one would deploy old addresses."""
    from ..errors import InputError

    paths = netlab_paths(state_dir)
    files = render_inventory(topology, paths.client_key, paths.known_hosts)
    stale = stale_inventory(environment.path, files)
    if stale:
        raise InputError(f"the inventory of {environment.name} is missing or out of date: {', '.join(stale)}",
                         fix=f"run `govcloud inventory render --env {environment.name}`")


exits_app = typer.Typer(no_args_is_help=True, help="Internet exits: find them all, fold them into the unified ones.")


@exits_app.command("audit")
def exits_audit(env: str = ENV_OPTION, state_dir: Path | None = STATE_OPTION,
                format: OutputFormat = OutputFormat.TABLE) -> None:
    """Find every exit: default routes of its own, NAT rules, uplinks (read only)."""
    from ..network.exits import audit

    environment = load_env(env)
    topology = lab_topology(environment)
    _require_inventory(environment, topology, state_dir)
    findings = [f for f in audit(topology, _access(environment, state_dir, "ssh", True)) if f.is_exit]
    if format is OutputFormat.JSON:
        print_json([{**vars(f), "is_exit": f.is_exit} for f in findings])
        return
    print_table(f"internet exits of {environment.name}", ["host", "declared", "default v4", "default v6", "NAT rules",
                                                           "uplink up"],
                [[f.host, f.declared, ", ".join(f.default_v4) or "-", ", ".join(f.default_v6) or "-", f.nat_rules,
                  f.uplink_up] for f in findings])


@exits_app.command("consolidate")
def exits_consolidate(env: str = ENV_OPTION, check: bool = typer.Option(False, "--check", help="Dry run."),
                      state_dir: Path | None = STATE_OPTION) -> None:
    """Set up the unified exit, then migrate and decommission each legacy exit, measuring the loss."""
    from ..lab import netlab
    from ..lab.netlab.probes import LabSwitchProbe
    from ..network.exits import ExitRecorder, consolidate
    from ..lab.netlab.overlay import INTERNET_SERVER_V4, INTERNET_SERVER_V6
    from ..network.topology import NodeRole
    from .common import project_root

    environment = load_env(env)
    topology = lab_topology(environment)
    _require_inventory(environment, topology, state_dir)
    lab = netlab.read_lab(netlab_paths(state_dir))
    probe = None
    if lab is not None and lab["env"] == environment.name:
        probe = LabSwitchProbe([n.name for n in topology.by_role(NodeRole.HOST)], str(INTERNET_SERVER_V4),
                               str(INTERNET_SERVER_V6))
    recorder = ExitRecorder(project_root(), topology, environment.path)
    consolidate(topology, _access(environment, state_dir, "ssh", True), recorder, probe, check=check,
                log=console.print)
    if not check:
        console.print(f"recorded in {recorder.path}")


def register(app: typer.Typer) -> None:
    app.add_typer(inventory_app, name="inventory")
    app.add_typer(rollout_app, name="rollout")
    app.add_typer(exits_app, name="exits")
