"""The generated pages opened in a real headless Chromium (Debian's chromium + chromium-driver,
driven by selenium): no console errors, every chart and the topology drawn, the KPI numbers equal
to `govcloud kpi --format json`, and a screenshot of every page kept under build/test-artifacts/report
(git-ignored). Chromium missing is a failure with the install command, never a skip."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from support.projects import ROOT
from support.report_dates import AS_OF
from govcloud.report.render import PAGES

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
ARTIFACTS = ROOT / "build" / "test-artifacts" / "report"


@pytest.fixture(scope="module")
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.is_file()]
    if missing:
        pytest.fail(f"{', '.join(missing)} missing: run scripts/report-install.sh (as root)")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1300,900", "--disable-extensions", "--no-first-run"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # An explicit driver path: selenium then never tries to download a driver of its own.
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    yield driver
    driver.quit()


@pytest.fixture
def site(progressed: Path, govcloud) -> Path:
    output = progressed.parents[1] / "site"
    for _ in range(2):  # two runs: the trend has two snapshots
        result = govcloud("report", "--env", "lab", "--output", str(output), "--as-of", AS_OF)
        assert result.code == 0, result.err
    assert "index.html" in result.out
    return output


def open_page(browser, site: Path, page: str, shot: str = "") -> list[dict]:
    """Load a page, keep its screenshot, return the browser console's messages."""
    browser.get((site / page).as_uri())
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(1300, min(max(height, 600) + 40, 6000))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    assert browser.save_screenshot(str(ARTIFACTS / f"{shot or page}.png"))
    browser.set_window_size(1300, 900)
    return browser.get_log("browser")


def svg_shapes(browser, selector: str) -> list[dict]:
    """Each matching SVG's drawn size and its count of rect/circle/line/polyline elements."""
    return browser.execute_script("""
        return [...document.querySelectorAll(arguments[0])].map(svg => {
            const box = svg.getBoundingClientRect();
            return {width: box.width, height: box.height,
                    shapes: svg.querySelectorAll('rect, circle, line, polyline').length,
                    chart: svg.dataset.chart};
        });""", selector)


def test_every_page_loads_without_console_errors_and_draws_its_charts(browser, site):
    expected = {"index.html": {"kpis"}, "adoption.html": {"city-adoption", "node-adoption", "waves"},
                "extranet.html": {"topology", "tiers"}, "ipv6.html": {"ipv6-reachability"},
                "supervision.html": {"capacity-vcpu", "capacity-ram_gb", "capacity-storage_gb"},
                "dr-security.html": {"dr-levels", "policy-rules"}, "trend.html": {"trend"}}
    assert set(expected) == {p.file for p in PAGES}
    for page in PAGES:
        messages = open_page(browser, site, page.file)
        assert [m for m in messages if m["level"] in ("SEVERE", "WARNING")] == [], page.file
        charts = svg_shapes(browser, "svg.chart")
        drawn = {c["chart"] for c in charts}
        assert expected[page.file] <= drawn, page.file
        for chart in charts:
            assert chart["width"] > 100 and chart["height"] > 20 and chart["shapes"] > 0, (page.file, chart)
        assert browser.execute_script("return document.fonts.check('14px \"Noto Sans CJK SC\"')")


def test_topology_draws_every_site_down_to_the_county_with_its_colour(browser, site):
    open_page(browser, site, "extranet.html")
    sites = browser.execute_script("""
        return [...document.querySelectorAll('#topology g.site')].map(g => ({
            code: g.dataset.code, ipv6: g.dataset.ipv6,
            fill: getComputedStyle(g.querySelector('rect, circle')).fill,
            width: g.getBoundingClientRect().width}));""")
    assert {s["code"] for s in sites} == {"core", "city-a", "city-b", "county-a1", "county-a2", "county-b1"}
    assert all(s["width"] > 0 for s in sites)
    fills = {s["ipv6"]: s["fill"] for s in sites}
    assert len({fills["dual-stack"], fills["planned"], fills["none"]}) == 3  # three statuses, three colours
    edges = browser.execute_script("return document.querySelectorAll('#topology line.edge').length")
    assert edges == 4  # core to each of the two cities, and each city's row of counties
    badges = browser.execute_script(
        "return [...document.querySelectorAll('#topology g.exit-badge')].map(b => b.dataset.status)")
    assert sorted(badges) == ["decommissioned", "legacy", "unified"]


def kpi_rows_on_page(browser, table: str) -> list[dict]:
    return browser.execute_script("""
        return [...document.querySelectorAll(`#${arguments[0]} tr.kpi`)].map(tr => {
            const cell = f => tr.querySelector(`[data-field="${f}"]`).innerText.trim();
            return {kpi: tr.dataset.kpi, scope: tr.dataset.scope, value: cell('value'),
                    achieved: cell('achieved'), total: cell('total'), status: cell('status'),
                    projected: cell('projected'), gap: cell('gap')};
        });""", table)


def test_kpi_numbers_on_the_page_equal_the_kpi_command(browser, site, govcloud):
    result = govcloud("kpi", "--env", "lab", "--format", "json", "--as-of", AS_OF)
    assert result.code == 0, result.err
    kpis = json.loads(result.out)
    open_page(browser, site, "index.html")
    by_city = kpi_rows_on_page(browser, "city-kpi-table")
    # each city: its adoption (among the plan's rows), and its own part of every other target
    city_rows = [k for k in kpis["kpis"] if k["kpi"] == "cloud adoption" and k["scope"] != "province"] + kpis["cities"]
    assert sorted((r["kpi"], r["scope"]) for r in by_city) == sorted((k["kpi"], k["scope"]) for k in city_rows)
    assert {"ipv6 coverage", "exits consolidated", "cloud adoption"} <= {r["kpi"] for r in by_city}
    check_rows(by_city, sorted(city_rows, key=lambda k: [(r["kpi"], r["scope"]) for r in by_city].index(
        (k["kpi"], k["scope"]))))
    rows = kpi_rows_on_page(browser, "kpi-table")
    assert [(r["kpi"], r["scope"]) for r in rows] == [(k["kpi"], k["scope"]) for k in kpis["kpis"]]
    check_rows(rows, kpis["kpis"])


def check_rows(rows: list[dict], expected: list[dict]) -> None:
    for row, kpi in zip(rows, expected, strict=True):
        assert int(row["achieved"]) == kpi["achieved"] and int(row["total"]) == kpi["total"]
        assert row["value"] == f"{kpi['value'] * 100:.1f}%"
        assert row["status"] == kpi["status"]
        assert row["projected"] == (str(kpi["projected"]) if kpi["projected"] is not None else "—")
        # behind or missed: by how much, in items and percentage points, as `govcloud kpi` says
        unit = kpi["unit"][:-1] if kpi["gap"] == 1 else kpi["unit"]
        gap = f"{kpi['gap']} {unit} · {kpi['gap_points']:.1f} pp" if kpi["gap"] is not None else "—"
        assert row["gap"] == gap, (row, kpi)


def test_the_overview_says_by_how_much_a_kpi_is_behind_or_missed(browser, site):
    """The lab's network plan dates the county wave after its deadline, and the province's own
    wave is overdue: both show their gap, province-wide and for each city."""
    open_page(browser, site, "index.html", shot="overview-gaps.html")
    rows = {(r["kpi"], r["scope"]): r for r in kpi_rows_on_page(browser, "kpi-table")}
    assert (rows["ipv6 coverage", "county tier"]["status"], rows["ipv6 coverage", "county tier"]["gap"]) == (
        "behind", "3 sites · 90.0 pp")
    assert rows["ipv6 coverage", "city tier"]["status"] == "on track"  # city-a dual, city-b's wave in time
    assert rows["ipv6 coverage", "city tier"]["gap"] == "—"
    cities = {(r["kpi"], r["scope"]): r for r in kpi_rows_on_page(browser, "city-kpi-table")}
    assert cities["ipv6 coverage", "city-a, county tier"]["gap"] == "2 sites · 90.0 pp"
    assert cities["ipv6 coverage", "city-b, county tier"]["gap"] == "1 site · 90.0 pp"


def test_pages_say_not_measured_without_probes_or_live_usage(browser, project, govcloud):
    output = project / "bare-site"
    result = govcloud("report", "--env", "lab", "--output", str(output), "--as-of", AS_OF, "--no-policy")
    assert result.code == 0, result.err
    for page, minimum in (("ipv6.html", 1), ("supervision.html", 2), ("dr-security.html", 1)):
        open_page(browser, output, page, shot=f"not-measured-{page}")
        shown = browser.execute_script(
            "return [...document.querySelectorAll('[data-not-measured]')].filter(e => e.offsetHeight > 0).length")
        assert shown >= minimum, page


def test_example_province_pages_stay_usable_at_its_size(browser, project, govcloud):
    """17 nodes and ~2,100 sites: the topology draws the 155 sites down to the county (townships
    folded into counts) and every page loads without errors."""
    shutil.copytree(ROOT / "inventories" / "example", project / "inventories" / "example")
    shutil.copytree(ROOT / "migrations" / "example", project / "migrations" / "example")
    output = project / "example-site"
    result = govcloud("report", "--env", "example", "--output", str(output), "--as-of", AS_OF, "--no-policy")
    assert result.code == 0, result.err
    for page in PAGES:
        messages = open_page(browser, output, page.file, shot=f"example-{page.file}")
        assert [m for m in messages if m["level"] in ("SEVERE", "WARNING")] == [], page.file
    open_page(browser, output, "extranet.html", shot="example-extranet.html")
    counts = browser.execute_script("""
        const sites = document.querySelectorAll('#topology g.site');
        const box = document.querySelector('#topology').getBoundingClientRect();
        return {sites: sites.length, counties: document.querySelectorAll('#topology g.tier-county').length,
                folded: document.querySelectorAll('#topology g.tier-county rect.fold').length,
                width: box.width, height: box.height};""")
    assert counts["sites"] == 1 + 16 + 138 and counts["counties"] == 138
    assert counts["folded"] >= 138  # every county carries a bar of its townships
    assert counts["width"] < 2000 and counts["height"] < 2000  # one screen or two, not a wall of 2,000 nodes


def table_rows(browser, selector: str) -> dict[str, list[str]]:
    """Each row matching ``selector`` by its first data attribute's value: its cells' text."""
    return browser.execute_script("""
        return Object.fromEntries([...document.querySelectorAll(arguments[0])].map(tr =>
            [Object.values(tr.dataset)[0], [...tr.cells].map(c => c.innerText.trim())]));""", selector)


def test_measured_probe_results_show_on_the_ipv6_page(browser, site):
    """The probe file of the fixture (core: both families clean; city-a: IPv6 4 of 5 and slower;
    city-b: IPv6 dead) as the page shows it, per tier, with the degradation ratios."""
    open_page(browser, site, "ipv6.html", shot="measured-ipv6.html")
    tiers = table_rows(browser, "#ipv6-tier-table tr[data-tier]")
    assert set(tiers) == {"province", "city"}
    # tier, probed/sites, IPv6 reachable, RTT v4/v6, RTT degr., loss v4/v6, loss degr., TCP v4/v6, TCP degr.
    assert tiers["province"][1:] == ["1/1", "100.0%", "0.5 / 0.5", "+0.0%", "0.0% / 0.0%", "—",
                                     "100.0% / 100.0%", "+0.0%"]
    assert tiers["city"][1:] == ["2/2", "50.0%", "0.5 / 0.6", "+20.0%", "0.0% / 60.0%", "—",
                                 "100.0% / 50.0%", "-50.0%"]
    share = browser.execute_script("return document.querySelector('[data-field=\"ipv6-share\"]').innerText")
    assert share == "25.0%"
    assert browser.execute_script("return document.querySelectorAll('[data-not-measured]').length") == 0


def test_measured_cloud_usage_shows_on_the_supervision_page(browser, site):
    """Live usage of the fixture: prov-gov-office uses 19 of 20 cores (near its quota); city-a's
    node could not be read, and the page says so with the error."""
    open_page(browser, site, "supervision.html", shot="measured-supervision.html")
    nodes = table_rows(browser, "#node-table tr[data-node]")
    # capacity / quotas / placed / used, for vcpu, ram_gb and storage_gb: the use is the last figure.
    assert [cell.rsplit("/", 1)[1].strip() for cell in nodes["province"][2:]] == ["19", "8", "100"]
    assert all(cell.endswith("not measured") for cell in nodes["city-a"][2:])
    reason = browser.execute_script(
        "return document.querySelector('#node-table tr[data-node=\"city-a\"] .not-measured-cell').title")
    assert "ConnectFailure" in reason
    flagged = table_rows(browser, "#flagged-table tr[data-department]")
    assert list(flagged) == ["prov-gov-office"] and flagged["prov-gov-office"][2] == "near (95.0%)"
    # Every department is listed under its node, measured or not; the node with a flag is open
    # (a closed node's rows are not rendered, so their text is read from the document).
    departments = browser.execute_script("""
        return [...document.querySelectorAll('details[data-node]')].map(d => ({node: d.dataset.node, open: d.open,
            rows: [...d.querySelectorAll('tr[data-department]')].map(tr => ({code: tr.dataset.department,
                flag: tr.dataset.flag, cores: tr.querySelector('[data-quota="cores"]')?.textContent.trim()}))}));""")
    by_node = {d["node"]: d for d in departments}
    assert by_node["province"]["open"] and not by_node["city-a"]["open"]
    listed = {r["code"]: r for d in departments for r in d["rows"]}
    assert set(listed) == {"prov-gov-office", "prov-health", "city-a-edu", "city-b-civil", "county-a1-agri"}
    assert listed["prov-gov-office"] == {"code": "prov-gov-office", "flag": "near", "cores": "cores 19/20"}
    assert listed["city-a-edu"]["flag"] == "not measured" and listed["city-a-edu"]["cores"] == "cores ?/20"
