"""The report's pages: one Jinja template per page over :class:`~.collect.ReportData`, charts laid
out by :mod:`.charts` and :mod:`.topology` and drawn as inline SVG. The site is self-contained:
no script, no web font, no link outside the folder; Chinese text uses the system's CJK fonts."""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from ..errors import OperationError
from . import charts
from .collect import ReportData
from .drawing import layout


@dataclass(frozen=True)
class Page:
    file: str
    template: str
    title: str


PAGES = (
    Page("index.html", "overview.html.j2", "总览 Overview"),
    Page("adoption.html", "adoption.html.j2", "上云 Cloud adoption"),
    Page("extranet.html", "extranet.html.j2", "电子政务外网 Extranet"),
    Page("ipv6.html", "ipv6.html.j2", "IPv6 质量 IPv6 quality"),
    Page("supervision.html", "supervision.html.j2", "云监管 Cloud operation"),
    Page("dr-security.html", "dr_security.html.j2", "灾备与安全 DR and security"),
    Page("trend.html", "trend.html.j2", "趋势 Trend"),
)
JSON_FILE = "report.json"


def _environment() -> Environment:
    env = Environment(loader=PackageLoader("govcloud.report", "templates"), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["pct"] = lambda v, digits=1: "—" if v is None else f"{v:.{digits}%}"
    env.filters["signed_pct"] = lambda v: "—" if v is None else f"{v:+.1%}"
    return env


def render_pages(data: ReportData) -> dict[str, str]:
    """File name → HTML of every page (and the JSON of the data)."""
    env = _environment()
    context = {"data": data, "pages": PAGES, "charts": chart_set(data)}
    out = {page.file: env.get_template(page.template).render(page=page, **context) for page in PAGES}
    out[JSON_FILE] = json.dumps(data.to_dict(), indent=2, ensure_ascii=False) + "\n"
    return out


def write_site(data: ReportData, folder: Path) -> list[Path]:
    """Write every page into ``folder`` (created); each file replaced atomically."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        written = []
        for name, text in render_pages(data).items():
            path = folder / name
            temp = folder / f".{name}.tmp-{os.getpid()}"
            temp.write_text(text, encoding="utf-8")
            os.replace(temp, path)
            written.append(path)
    except OSError as exc:
        raise OperationError(f"cannot write the report into {folder}: {exc}",
                             fix="choose a folder you can write to (--output)") from exc
    return written


def chart_set(data: ReportData) -> dict[str, Any]:
    """Every chart of every page, laid out once."""
    return {"kpis": _kpi_chart(data), "cities": _adoption_chart(data.adoption["by_city"], "city-adoption"),
            "nodes": _node_chart(data), "waves": _wave_timeline(data), "topology": layout(data.extranet),
            "tiers": _tier_chart(data), "ipv6_reach": _ipv6_chart(data), "supervision": _supervision_charts(data),
            "dr": _dr_chart(data), "policy_rules": _policy_chart(data),
            "policy_findings": _findings_chart(data), "trend": _trend_charts(data)}


def _progress_segments(achieved: int, projected: int | None, total: int) -> list[tuple]:
    segments = [(achieved / total if total else 1.0, "achieved", f"achieved {achieved}/{total}")]
    if projected is not None and projected > achieved and total:
        segments.append(((projected - achieved) / total, "projected", f"planned by the deadline: {projected}/{total}"))
    return segments


def _kpi_chart(data: ReportData) -> charts.BarChart:
    items = []
    for row in data.kpis:
        k = row.kpi
        items.append({"label": f"{k['kpi']} · {k['scope']}", "key": f"{k['kpi']}|{k['scope']}",
                      "value_text": f"{k['value']:.1%} {k['status']}",
                      "segments": _progress_segments(k["achieved"], k["projected"], k["total"]),
                      "markers": [(k["target"], "target", f"target {k['target']:.0%} by {k['deadline']}")]
                      if k["target"] is not None else []})
    return charts.bar_chart("kpis", items, 1.0, LEGEND_PROGRESS)


LEGEND_PROGRESS = [("achieved", "achieved 已完成"), ("projected", "planned by deadline 计划内"),
                   ("target", "target 目标")]


def _adoption_chart(rows: list[dict], kind: str) -> charts.BarChart:
    items = [{"label": f"{r['name']} ({r['scope']})" if r["name"] != r["scope"] else r["scope"], "key": r["scope"],
              "value_text": f"{r['achieved']}/{r['total']}",
              "segments": _progress_segments(r["achieved"], r["projected"], r["total"]),
              "markers": [(r["target"], "target", f"target {r['target']:.0%}")] if r["target"] is not None else []}
             for r in rows]
    return charts.bar_chart(kind, items, 1.0, LEGEND_PROGRESS)


def _node_chart(data: ReportData) -> charts.BarChart:
    rows = data.adoption["by_node"]
    most = max((r["targeted"] for r in rows), default=0) or 1
    items = [{"label": r["name"], "key": r["code"], "value_text": f"{r['on_cloud']}+{r['planned']}/{r['targeted']}",
              "segments": [(r["on_cloud"], "achieved", f"on the cloud: {r['on_cloud']}"),
                           (r["planned"], "projected", f"moved by the deadline: {r['planned']}"),
                           (r["targeted"] - r["on_cloud"] - r["planned"], "remaining",
                            f"later or unplanned: {r['targeted'] - r['on_cloud'] - r['planned']}")]} for r in rows]
    return charts.bar_chart("node-adoption", items, most,
                            [("achieved", "on cloud 已上云"), ("projected", "by deadline 期限内"),
                             ("remaining", "later 其后")])


def _wave_timeline(data: ReportData) -> charts.Timeline | None:
    waves = data.adoption["waves"]
    if not waves:
        return None
    lanes = list(dict.fromkeys(w["slug"] for w in waves))
    events = [{"lane": w["slug"], "start": dt.datetime.fromisoformat(w["start"]),
               "end": dt.datetime.fromisoformat(w["end"]), "css": f"wave-{w['status']}", "label": str(w["wave"]),
               "title": f"wave {w['wave']} {w['slug']}: {w['status']}, {w['systems']} systems, {w['start'][:16]}"}
              for w in waves]
    return charts.timeline(lanes, events, dt.date.fromisoformat(data.as_of),
                           dt.date.fromisoformat(data.adoption["deadline"]))


def _tier_chart(data: ReportData) -> charts.BarChart:
    items = [{"label": t["tier"], "key": t["tier"], "value_text": f"{t['dual-stack']}/{t['sites']}",
              "segments": [(t[s] / t["sites"], f"ipv6-{s}", f"{t[s]} {s}") for s in ("dual-stack", "planned", "none")],
              "markers": [(t["target"], "target", f"target {t['target']:.0%} by {t['deadline']}")]
              if t["target"] is not None else []} for t in data.extranet.tiers]
    return charts.bar_chart("tiers", items, 1.0, [("ipv6-dual-stack", "dual-stack 双栈"), ("ipv6-planned", "planned 计划"),
                                                  ("ipv6-none", "IPv4 only 未改造"), ("target", "target 目标")])


def _ipv6_chart(data: ReportData) -> charts.BarChart | None:
    quality = data.ipv6_quality
    if quality is None:
        return None
    items = [{"label": t["tier"], "key": t["tier"], "value_text": f"{t['reachable_v6']}/{t['probed']}",
              "segments": [((t["reachability_v6"] or 0), "achieved", f"IPv6 reachable: {t['reachable_v6']}/{t['probed']}")]}
             for t in quality["tiers"]]
    return charts.bar_chart("ipv6-reachability", items, 1.0, [("achieved", "IPv6 reachable 可达")])


def _supervision_charts(data: ReportData) -> list[tuple[str, charts.BarChart]]:
    out = []
    for resource in ("vcpu", "ram_gb", "storage_gb"):
        items = []
        for node in data.supervision["nodes"]:
            capacity = node["capacity"][resource]
            used = node["used"][resource] if node["used"] else None
            markers = [(node["allocated"][resource] / capacity, "allocated",
                        f"quotas allocated: {node['allocated'][resource]} of {capacity}")]
            if used is not None:
                markers.append((used / capacity, "used", f"in use (live): {used} of {capacity}"))
            items.append({"label": node["name"], "key": node["code"],
                          "value_text": f"{node['placed'][resource]}/{capacity}",
                          "segments": [(node["placed"][resource] / capacity, "achieved",
                                        f"claimed by systems on the cloud: {node['placed'][resource]} of {capacity}")],
                          "markers": markers})
        out.append((resource, charts.bar_chart(f"capacity-{resource}", items, 1.5,
                                               [("achieved", "systems placed 已承载"), ("allocated", "quotas 配额"),
                                                ("used", "live use 实际使用")])))
    return out


def _dr_chart(data: ReportData) -> charts.BarChart:
    levels = data.dr["levels"]
    most = max([*levels.values(), *data.dr["planned_levels"].values(), 1])
    items = [{"label": f"GB/T 20988 level {k}" if k.isdigit() else k, "key": k,
              "value_text": f"{n} (+{data.dr['planned_levels'].get(k, 0)})",
              "segments": [(n, "achieved" if k.isdigit() else "uncovered", f"{n} key systems now"),
                           (data.dr["planned_levels"].get(k, 0), "projected",
                            f"{data.dr['planned_levels'].get(k, 0)} more by the planned waves")]}
             for k, n in levels.items()]
    return charts.bar_chart("dr-levels", items, most, [("achieved", "now 现状"), ("projected", "planned 计划"),
                                                      ("uncovered", "not on cloud 未上云")])


def _policy_chart(data: ReportData) -> charts.BarChart | None:
    """Rules of each severity: passed, or with advisory or mandatory findings (drawn even when all pass)."""
    if data.policy is None:
        return None
    by_severity: dict[str, list[dict]] = {}
    for rule in data.policy["rules"]:
        by_severity.setdefault(rule["severity"], []).append(rule)
    most = max((len(rules) for rules in by_severity.values()), default=1)
    items = []
    for severity in ("critical", "high", "medium", "low"):
        rules = by_severity.get(severity, [])
        passed = sum(not r["findings"] for r in rules)
        failing = {level: sum(bool(r["findings"]) and r["level"] == level for r in rules)
                   for level in ("advisory", "mandatory")}
        items.append({"label": severity, "key": severity, "value_text": f"{passed}/{len(rules)} pass",
                      "segments": [(passed, "achieved", f"{passed} {severity} rules without findings"),
                                   (failing["advisory"], "level-advisory",
                                    f"{failing['advisory']} rules with advisory findings"),
                                   (failing["mandatory"], "level-mandatory",
                                    f"{failing['mandatory']} rules with mandatory findings")]})
    return charts.bar_chart("policy-rules", items, most, [("achieved", "passed 通过"),
                                                          ("level-advisory", "advisory 建议"),
                                                          ("level-mandatory", "mandatory 强制")])


def _findings_chart(data: ReportData) -> charts.BarChart | None:
    rules = [r for r in data.policy["rules"] if r["findings"]] if data.policy else []
    if not rules:
        return None
    most = max(r["findings"] for r in rules)
    items = [{"label": r["id"], "key": r["id"], "value_text": str(r["findings"]),
              "segments": [(r["findings"], f"level-{r['level']}", f"{r['title']}: {r['findings']} findings")]}
             for r in rules]
    return charts.bar_chart("policy-findings", items, most, [("level-mandatory", "mandatory 强制"),
                                                             ("level-advisory", "advisory 建议")])


def _trend_charts(data: ReportData) -> list[charts.LineChart]:
    targets = {f"{r.kpi['kpi']} / {r.kpi['scope']}": r.kpi["target"] for r in data.kpis}
    return [charts.line_chart(key, series, targets.get(key)) for key, series in data.trend["series"].items()]
