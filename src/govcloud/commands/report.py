"""`govcloud report`: the province report as a static site (or its data as JSON)."""

from __future__ import annotations

import datetime as dt
import json
import sys
from enum import Enum
from pathlib import Path

import typer

from ..errors import UsageError
from ..migration.network_outcomes import state_folder
from .common import ENV_OPTION, console, err_console, lab_topology, load_env, netlab_paths, project_root
from .network import STATE_OPTION


class ReportFormat(str, Enum):
    HTML = "html"
    JSON = "json"


def register(app: typer.Typer) -> None:
    app.command("report")(report)


def report(env: str = ENV_OPTION,
           output: Path = typer.Option(None, "--output", "-o", help="Folder for the pages (and report.json)."),
           format: ReportFormat = typer.Option(ReportFormat.HTML, "--format", "-f",
                                               help="html: write the site into --output; json: print the data "
                                                    "(or write report.json into --output)."),
           as_of: str = typer.Option(None, "--as-of", help="Judge deadlines on this date (YYYY-MM-DD); default today."),
           policy: bool = typer.Option(True, "--policy/--no-policy", help="Run the offline policy check for the "
                                                                          "findings summary."),
           measure_cloud: bool = typer.Option(False, "--measure-cloud", help="First read live usage per project "
                                              "from every node's APIs (clouds.yaml) and record it."),
           measure_ipv6: bool = typer.Option(False, "--measure-ipv6", help="First probe every site router over "
                                             "IPv4 and IPv6 from a department host, and read the unified exits' "
                                             "counters (over SSH), and record it."),
           probe_from: str = typer.Option(None, "--probe-from", help="The host to probe from (default: the first "
                                          "department host)."),
           probe_tcp_port: int = typer.Option(None, "--probe-tcp-port", min=1, max=65535,
                                              help="Also try TCP connects to this port of every site router "
                                                   "(where a service listens); without it TCP is not measured."),
           clouds_yaml: Path = typer.Option(None, "--clouds-yaml", help="The clouds.yaml --measure-cloud reads."),
           state_dir: Path | None = STATE_OPTION) -> None:
    """KPIs against targets, cloud adoption and waves, the extranet, IPv6 quality, cloud supervision,
    DR and policy findings, and their trend; each run appends a snapshot to the environment's state."""
    from ..report.collect import build_report
    from ..report.sources import gather_inputs
    from ..report.trend import append_snapshot

    if format is ReportFormat.HTML and output is None:
        raise UsageError("--output is needed for the HTML report", fix="e.g. --output build/report/lab")
    for given, option, needs in ((probe_from, "--probe-from", measure_ipv6), (probe_tcp_port, "--probe-tcp-port",
                                  measure_ipv6), (clouds_yaml, "--clouds-yaml", measure_cloud)):
        if given is not None and not needs:
            what = "--measure-ipv6" if option.startswith("--probe") else "--measure-cloud"
            raise UsageError(f"{option} is only read by {what}, which was not asked for",
                             fix=f"add {what}, or leave out {option}")
    if output is not None and output.exists() and not output.is_dir():
        raise UsageError(f"--output {output}: a file is there, not a folder",
                         fix="give --output a folder (it is made when missing)")
    environment = load_env(env)
    root = project_root()
    state = state_folder(root, environment.path)
    # JSON on stdout is for other tools: what the measurements say goes to stderr then.
    say = err_console if format is ReportFormat.JSON and output is None else console
    if measure_cloud:
        from ..report.cloud_usage import measure_environment

        path = measure_environment(environment.province, state, clouds_yaml)
        say.print(f"live usage recorded in {path}", highlight=False)
    if measure_ipv6:
        path = _measure_ipv6(environment, state, probe_from, probe_tcp_port, state_dir)
        say.print(f"IPv6 probe recorded in {path}", highlight=False)
    result = None
    if policy:
        from ..policy import check_environment

        _, result, _ = check_environment(environment, root)
    day = _parse_date(as_of) if as_of else dt.date.today()
    data, snapshot = build_report(gather_inputs(environment, root, day, result), dt.datetime.now(dt.timezone.utc))
    if format is ReportFormat.JSON and output is None:
        sys.stdout.write(json.dumps(data.to_dict(), indent=2, ensure_ascii=False) + "\n")
    elif format is ReportFormat.JSON:
        from ..report.render import JSON_FILE

        output.mkdir(parents=True, exist_ok=True)
        (output / JSON_FILE).write_text(json.dumps(data.to_dict(), indent=2, ensure_ascii=False) + "\n",
                                        encoding="utf-8")
        console.print(f"written {output / JSON_FILE}", highlight=False)
    else:
        from ..report.render import write_site

        written = write_site(data, output)
        console.print(f"{len(written)} files written; open {(output / 'index.html').resolve().as_uri()}",
                      highlight=False, soft_wrap=True)
    append_snapshot(state, snapshot)


def _measure_ipv6(environment, state: Path, probe_from: str | None, tcp_port: int | None,
                  state_dir: Path | None) -> Path:
    from ..report.measurements import IPV6_QUALITY_FILE, write_measurement
    from ..report.probe_ssh import SshAccess, measure_over_ssh

    paths = netlab_paths(state_dir)
    quality = measure_over_ssh(lab_topology(environment), SshAccess(paths.client_key, paths.known_hosts),
                               probe_from=probe_from, tcp_port=tcp_port)
    return write_measurement(state / IPV6_QUALITY_FILE, quality)


def _parse_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--as-of {text!r} is not a date", fix="write it as YYYY-MM-DD") from None
