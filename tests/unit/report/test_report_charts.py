"""Chart geometry and the topology layout: shapes sized by the numbers they stand for."""

from __future__ import annotations

import datetime as dt

import pytest

from govcloud.report import charts
from govcloud.report.extranet import ExtranetView
from govcloud.report.drawing import COUNTY_W, layout


def test_bar_segments_stack_in_proportion_to_their_values():
    chart = charts.bar_chart("t", [{"label": "a", "segments": [(0.25, "achieved", ""), (0.5, "projected", "")],
                                    "markers": [(0.9, "target", "")]}], 1.0, [])
    first, second = chart.rows[0].segments
    assert first.width == pytest.approx(chart.bar_w * 0.25, abs=0.1)
    assert second.x == pytest.approx(first.x + first.width, abs=0.1)
    assert second.width == pytest.approx(chart.bar_w * 0.5, abs=0.1)
    assert chart.rows[0].markers[0].x == pytest.approx(chart.bar_x + chart.bar_w * 0.9, abs=0.1)


def test_timeline_places_waves_in_date_order_with_today_and_the_deadline():
    tz = dt.timezone(dt.timedelta(hours=8))
    events = [{"lane": "p", "start": dt.datetime(2027, m, 9, 22, tzinfo=tz), "end": dt.datetime(2027, m, 10, 6, tzinfo=tz),
               "css": "wave-planned", "label": str(m), "title": ""} for m in (1, 3, 6)]
    chart = charts.timeline(["p"], events, dt.date(2026, 12, 6), dt.date(2027, 12, 31))
    xs = [m.x for m in chart.marks]
    assert xs == sorted(xs) and len(set(xs)) == 3
    today, deadline = chart.lines
    assert today[0] < xs[0] < xs[-1] < deadline[0]


def test_trend_line_has_one_point_per_snapshot_on_a_0_to_1_scale():
    series = [{"taken_at": f"2027-0{i}-01", "as_of": f"2027-0{i}-01", "achieved": i, "total": 4, "value": i / 4}
              for i in (1, 2, 4)]
    chart = charts.line_chart("k", series, 0.9)
    ys = [y for _, y, _ in chart.points]
    assert len(ys) == 3 and ys[0] > ys[1] > ys[2]  # higher values draw higher (smaller y)
    assert ys[2] == chart.y_ticks[-1][0]  # 100% sits on the top grid line


def _site(code, tier, parent, folded=0):
    return {"code": code, "name": code, "tier": tier, "parent": parent, "ipv6": "none", "units": 1, "node": "",
            "exits": [], "folded": {"sites": folded, "dual-stack": folded, "planned": 0, "none": 0, "units": 0,
                                    "exits": {"legacy": 0, "unified": 0, "decommissioned": 0}}}


def test_layout_puts_cities_in_rows_and_counties_along_them():
    sites = [_site("core", "province", None), _site("c1", "city", "core"), _site("c2", "city", "core")]
    sites += [_site(f"c1-x{i}", "county", "c1", folded=3) for i in range(4)]
    topology = layout(ExtranetView(sites=sites, tiers=[], exits={}))
    at = {s.code: s for s in topology.sites}
    assert at["c1"].y != at["c2"].y
    assert {at[f"c1-x{i}"].y for i in range(4)} == {at["c1"].y}
    assert at["c1-x3"].x - at["c1-x2"].x == COUNTY_W
    assert at["c1-x0"].fold and at["c1-x0"].caption[0].startswith("3 ")
    assert len(topology.edges) == 2 + 1  # core to each city, one row line for c1
