"""`govcloud drift`: the live cloud and routers against the model, and the rules the live state breaks.

Exit codes: 0 no drift, 3 drift found (after ``--fix``: drift left), 1 the run failed, 2 bad input.
"""

from __future__ import annotations

import json
from contextlib import nullcontext
from enum import Enum
from pathlib import Path

import typer

from ..drift.differences import DriftReport
from ..engine.settings import EngineSettings
from ..engine.statesettings import state_location
from ..stackgraph import stack_names
from .common import ENV_OPTION, console, load_env, print_table, project_root
from .network import STATE_OPTION
from .plan import selected_stacks
from .state import LOCK_OPTION


class DriftFormat(str, Enum):
    TABLE = "table"
    JSON = "json"
    SARIF = "sarif"


def drift(env: str = ENV_OPTION,
          stack: list[str] = typer.Option(None, "--stack", "-s", help="A stack name (repeatable)."),
          all_: bool = typer.Option(False, "--all", help="Every stack of the environment."),
          format: DriftFormat = typer.Option(DriftFormat.TABLE, "--format", "-f", help="table, json or sarif."),
          output: Path = typer.Option(None, "--output", "-o", help="Write the report here instead of stdout."),
          routers: bool = typer.Option(True, "--routers/--no-routers",
                                       help="Also check the rolled-out routers (Ansible check mode with diff)."),
          routers_only: bool = typer.Option(False, "--routers-only", help="Only the rolled-out routers (no stack "
                                            "is read; --stack and --all are not needed)."),
          fix: bool = typer.Option(False, "--fix", help="Bring drifted stacks back with refresh + up and drifted "
                                   "routers with their rollout wave, then check again."),
          backend: str = typer.Option(None, "--backend", help="Pulumi backend URL (default: the project's)."),
          lock_url: str = LOCK_OPTION,
          cloud: str = typer.Option(None, "--cloud", help="clouds.yaml cloud instead of each node's."),
          clouds_yaml: Path = typer.Option(None, "--clouds-yaml", help="The clouds.yaml to read."),
          state_dir: Path | None = STATE_OPTION) -> None:
    """Report what changed outside govcloud (exit 0 none, 3 drift, 1 failed)."""
    from ..drift.run import DriftTargets, detect, engine_reader, fix_leases
    from ..policy.context import load_context
    from ..policy.registry import rule_ids

    environment = load_env(env)
    root = project_root()
    if routers_only and (stack or all_ or not routers):
        from ..errors import UsageError

        raise UsageError("--routers-only checks the routers alone", fix="leave out --stack, --all and --no-routers")
    names = [] if routers_only else selected_stacks(stack_names(environment.province, environment.name), stack,
                                                    all_)
    location = state_location(environment.path, backend, lock_url)
    settings = EngineSettings(root, backend_url=location.backend, lock_url=location.lock_url, cloud=cloud,
                              clouds_yaml=clouds_yaml)
    context = load_context(environment.name, root, rule_ids())
    hosts, checker = _routers(environment, state_dir) if routers else ((), None)
    targets = DriftTargets(names, engine_reader(environment, settings), hosts, checker)
    # --fix changes stacks: their leases first, before anything is read, as `up` takes them.
    with fix_leases(settings, names) if fix else nullcontext():
        report = detect(environment.path, root, targets, context)
        if fix and report.drifted:
            _fix(environment, report, settings, state_dir)
            report = detect(environment.path, root, targets, context)
    _emit(report, format, output)
    raise typer.Exit(report.exit_code)


def _routers(environment, state_dir: Path | None):
    """Rolled-out hosts and a checker, when the environment has a rollout record."""
    from ..drift.routers import check_routers, rolled_out_hosts
    from ..network.outcomes import read_rollout_record, rollout_state_path
    from .common import lab_topology
    from .network import _access, _require_inventory

    hosts = rolled_out_hosts(read_rollout_record(rollout_state_path(project_root(), environment.path)))
    if not hosts:
        return (), None
    _require_inventory(environment, lab_topology(environment), state_dir)
    access = _access(environment, state_dir, "ssh", True)
    return hosts, lambda chosen: check_routers(access, chosen)


def _fix(environment, report: DriftReport, settings: EngineSettings, state_dir: Path | None) -> None:
    """The normal paths: adopt what was made by hand, refresh, up (under the stacks' leases);
    routers get their wave again."""
    from ..drift.run import drifted_hosts, fix_stacks
    from .engine import BASELINE_PACK

    fix_stacks(environment, report, settings, (settings.project_root / BASELINE_PACK,))
    hosts = drifted_hosts(report)
    if hosts:
        from ..network.rollout import RolloutRecorder, run_waves
        from ..network.waves import ipv6_waves
        from .common import lab_topology
        from .network import _access

        topology = lab_topology(environment)
        waves = [w for w in ipv6_waves(topology) if set(w.hosts) & set(hosts)]
        run_waves(topology, waves, _access(environment, state_dir, "ssh", True),
                  RolloutRecorder(project_root(), topology, environment.path))


def _emit(report: DriftReport, format: DriftFormat, output: Path | None) -> None:
    from ..drift.views import finding_rows, rows, to_drift_sarif

    if format is DriftFormat.TABLE and output is None:
        print_table(f"drift of {report.env}", ["kind", "where", "what", "change", "in step until", "detail"],
                    rows(report))
        if report.findings:
            print_table("rules the live state breaks", ["rule", "severity", "stack", "resource", "clauses",
                                                        "message"], finding_rows(report))
        skipped = "".join(f"; {s} skipped: {why}" for s, why in report.skipped.items())
        checked = ", ".join(f"{k} {v:.1f} s" for k, v in report.checked.items())
        console.print(("drift found" if report.drifted else "no drift") + f" (checked: {checked or 'nothing'})"
                      + skipped)
        return
    data = to_drift_sarif(report) if format is DriftFormat.SARIF else report.to_dict()
    text = json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n"
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")


def register(app: typer.Typer) -> None:
    app.command("drift")(drift)
