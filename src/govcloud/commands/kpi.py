"""`govcloud kpi`: the plan's KPIs against its targets."""

from __future__ import annotations

import datetime as dt

import typer

from ..errors import UsageError
from pathlib import Path

from ..migration.kpi import Kpi, MigrationState, measure, measure_cities, measure_nodes
from ..migration.locations import migration_folders
from ..migration.wavestatus import read_progress, statuses
from ..migration.network_outcomes import read_exits_state, read_rollout_state, state_folder
from ..migration.store import read_plan
from .common import ENV_OPTION, OutputFormat, load_env, print_json, print_table, project_root
from .migration_plan import MIGRATIONS_OPTION


def register(app: typer.Typer) -> None:
    app.command("kpi")(kpi)


def kpi(env: str = ENV_OPTION, format: OutputFormat = OutputFormat.TABLE,
        as_of: str = typer.Option(None, "--as-of", help="Judge deadlines on this date (YYYY-MM-DD); default today."),
        migrations: Path = MIGRATIONS_OPTION) -> None:
    """Cloud adoption, IPv6 coverage, exits consolidated and DR coverage, against the plan's targets;
    per city, the same targets on the city's own sites, exits and key systems; per node, adoption and capacity (claimed today, and once every system placed there has moved)."""
    environment = load_env(env)
    folders = migration_folders(environment, project_root(), migrations)
    waves = [lw.wave for lw in read_plan(folders.plans)]
    progress = statuses(read_progress(folders.state, environment.name, waves))  # the run state: one source
    # Where the rollout and exit commands record their outcomes (the same folder for a project's env).
    state = state_folder(project_root(), environment.path)
    day = _parse_date(as_of) if as_of else dt.date.today()
    migration = MigrationState.from_waves(waves, progress)
    ipv6, exits = read_rollout_state(state), read_exits_state(state)
    rows = measure(environment.province, migration, ipv6, exits, day)
    cities = measure_cities(environment.province, migration, ipv6, exits, day)
    # Per node apart: the report's KPIs are the plan's ("kpis"), node rows are the operators' view.
    nodes = measure_nodes(environment.province, migration, day)
    if format is OutputFormat.JSON:
        print_json({"env": environment.name, "as_of": day.isoformat(), "kpis": [r.to_dict() for r in rows],
                    "cities": [r.to_dict() for r in cities], "nodes": [r.to_dict() for r in nodes]})
        return
    for title, table in ((f"KPIs of {environment.name} as of {day}", rows), ("per city", cities), ("per node", nodes)):
        print_table(title, ["KPI", "scope", "value", "achieved", "by deadline (plan)", "target", "deadline",
                            "status", "gap to target"],
                    [[r.kpi, r.scope, f"{r.value:.1%}", f"{r.achieved}/{r.total}",
                      f"{r.projected}/{r.total}" if r.projected is not None else "-",
                      f"{r.target:.0%}" if r.target is not None else "-", r.deadline or "-", r.status, gap_text(r)]
                     for r in table])


def gap_text(row: Kpi) -> str:
    """'3 sites, 12.5 pp' for a row behind or missed (short by the deadline as planned, or today)."""
    if row.gap is None:
        return "-"
    return f"{row.gap_count}, {row.gap_points:.1f} pp"


def _parse_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--as-of {text!r} is not a date", fix="write it as YYYY-MM-DD") from None
