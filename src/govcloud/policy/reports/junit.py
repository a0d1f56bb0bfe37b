"""Findings as JUnit XML, for CI dashboards: one suite per stack, one test case per rule.

A mandatory finding fails its rule's test case; advisory and waived findings are listed in the
case's ``system-out`` and leave it passing; disabled rules are skipped. A case carries the
``file`` and ``line`` of its first finding's location (what GitLab and other readers annotate);
each finding's text names every location and its fingerprint. Waivers get a suite of their own, in
which an expired waiver fails.

Why the standard library writes it: the document is a few elements and attributes, which
ElementTree writes exactly; junitparser (a dev dependency) reads the result back in the tests,
which is where a library earns its place: proving that JUnit readers accept it.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict

from ..clauses import CLAUSES
from ..rule import Enforcement, Finding
from ..checker import CheckResult


def _line(f: Finding) -> str:
    clauses = "; ".join(f"{CLAUSES[k].standard} {CLAUSES[k].title}" for k in f.clauses)
    where = "".join(f"\n  {location.kind}: {location}" for location in f.locations)
    return (f"[{f.level.value}] {f.urn}: {f.message}{where}\n  clauses: {clauses}\n  fix: {f.remediation}"
            f"\n  fingerprint: {f.fingerprint}")


def _waived_line(item) -> str:
    w = item.waiver
    return (f"[waived] {_line(item.finding)}\n  waiver: {w.owner} until {w.expires.isoformat()}: {w.reason} "
            f"({w.file}:{w.line})")


def _waiver_suite(root: ET.Element, result: CheckResult, env: str) -> dict[str, int]:
    """One case per waiver: an expired one fails (it fails the check), an unused one says so."""
    suite = ET.SubElement(root, "testsuite", name="waivers")
    counts = {"tests": 0, "failures": 0, "skipped": 0}
    used = {item.waiver.fingerprint: item for item in result.waived}
    for waiver in (*(item.waiver for item in result.waived), *result.expired_waivers, *result.unused_waivers):
        case = ET.SubElement(suite, "testcase", classname=f"{env}.waivers", name=f"{waiver.rule} {waiver.fingerprint}",
                             file=waiver.file, line=str(waiver.line))
        counts["tests"] += 1
        if waiver in result.expired_waivers:
            failure = ET.SubElement(case, "failure", type="expired-waiver",
                                    message=f"waiver expired on {waiver.expires.isoformat()} (owner {waiver.owner})")
            failure.text = f"{waiver}: {waiver.reason}\n  fix: renew it after review or fix the finding"
            counts["failures"] += 1
        elif waiver.fingerprint in used:
            ET.SubElement(case, "system-out").text = _waived_line(used[waiver.fingerprint])
        else:
            ET.SubElement(case, "system-out").text = f"unused: {waiver} matches no finding; delete it"
    for key, value in counts.items():
        suite.set(key, str(value))
    suite.set("errors", "0")
    return counts


def to_junit(result: CheckResult, env: str) -> str:
    by_case: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for f in result.findings:
        by_case[(f.stack, f.rule_id)].append(f)
    waived: dict[tuple[str, str], list] = defaultdict(list)
    for item in result.waived:
        waived[(item.finding.stack, item.finding.rule_id)].append(item)
    since = f" (new findings only, {result.changes})" if result.changes is not None else ""
    root = ET.Element("testsuites", name=f"govcloud policy check {env}{since}")
    totals = {"tests": 0, "failures": 0, "skipped": 0}
    for stack in result.stacks:
        suite = ET.SubElement(root, "testsuite", name=stack)
        counts = {"tests": 0, "failures": 0, "skipped": 0}
        for rule in result.rules:
            level = result.levels.get(rule.id, rule.enforcement)
            case = ET.SubElement(suite, "testcase", classname=f"{env}.{stack}", name=f"{rule.id} {rule.title}")
            counts["tests"] += 1
            findings = by_case.get((stack, rule.id), [])
            if level is Enforcement.DISABLED:
                ET.SubElement(case, "skipped", message="rule disabled in this environment")
                counts["skipped"] += 1
                continue
            mandatory = [f for f in findings if f.level is Enforcement.MANDATORY]
            located = next((f.locations[0] for f in mandatory or findings if f.locations), None)
            if located is not None:  # the first place to edit, for CI that annotates files from JUnit
                case.set("file", located.file)
                case.set("line", str(located.line))
            if mandatory:
                failure = ET.SubElement(case, "failure", type=rule.id,
                                        message=f"{len(mandatory)} violation(s) of {rule.id}: {mandatory[0].message}")
                failure.text = "\n".join(_line(f) for f in mandatory)
                counts["failures"] += 1
            advisory = [f for f in findings if f.level is Enforcement.ADVISORY]
            notes = [_line(f) for f in advisory] + [_waived_line(w) for w in waived.get((stack, rule.id), [])]
            if notes:
                ET.SubElement(case, "system-out").text = "\n".join(notes)
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
        suite.set("errors", "0")
    if result.waived or result.expired_waivers or result.unused_waivers:
        counts = _waiver_suite(root, result, env)
        for key, value in counts.items():
            totals[key] += value
    for key, value in totals.items():
        root.set(key, str(value))
    root.set("errors", "0")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
