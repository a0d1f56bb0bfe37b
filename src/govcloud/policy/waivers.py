"""Waivers: findings a reviewer accepted for a while, as reviewed data beside the pack.

``policies/govcloud-baseline/waivers/<env>.yaml``::

    waivers:
      - fingerprint: "5c5efd42…" # Finding.fingerprint, as every report shows it (quoted)
        rule: GOV-DR-003         # the rule it was accepted for (a guard against a copied fingerprint)
        owner: ops@example.gov.cn
        reason: DR for this system is budgeted for 2027; tracked in OPS-1234
        expires: 2027-06-30

A live waiver moves its finding out of the verdict and into every report as *waived* (and the
pack inside the engine does not report it). An expired
waiver waives nothing and fails the check by itself: the reviewer renews it, or the finding gets
fixed. A waiver that matches no finding is reported as unused (its finding was fixed: delete it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from ..yamlfile import YamlFile, read_yaml, refuse_look_alike
from ..paths import policy_waivers_file
from .rule import Finding
from .checker import CheckResult

WAIVERS_FIX = ("a waivers file is a mapping with a 'waivers:' list; each entry has fingerprint, rule, owner, "
               "reason and expires (YYYY-MM-DD)")
_FINGERPRINT = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class Waiver:
    fingerprint: str
    rule: str
    owner: str
    reason: str
    expires: date
    file: str = ""
    line: int = 0

    def expired(self, today: date) -> bool:
        return self.expires < today

    def to_dict(self) -> dict[str, Any]:
        return {"fingerprint": self.fingerprint, "rule": self.rule, "owner": self.owner, "reason": self.reason,
                "expires": self.expires.isoformat(), "file": self.file, "line": self.line}

    def __str__(self) -> str:
        return (f"{self.rule} {self.fingerprint[:12]}… owner {self.owner}, expires {self.expires.isoformat()} "
                f"({self.file}:{self.line})")


@dataclass(frozen=True)
class WaivedFinding:
    finding: Finding
    waiver: Waiver


def waivers_path(project_root: Path, env: str) -> Path:
    return policy_waivers_file(project_root, env)


def load_waivers(path: Path, shown_as: str | None = None, known_rules: set[str] | None = None) -> tuple[Waiver, ...]:
    """The waivers of a file (none when it does not exist); every mistake is a located error,
    among them a rule that is not in ``known_rules`` (a typo would otherwise waive nothing and
    read as merely unused)."""
    refuse_look_alike(path, "waivers")
    if not path.is_file():
        return ()
    file = read_yaml(path, what="waivers", fix=WAIVERS_FIX)
    data = file.data or {}
    for key in data:
        if key != "waivers":
            raise file.error((key,), f"unknown section {key!r}", fix=WAIVERS_FIX)
    entries = data.get("waivers") or []
    if not isinstance(entries, list):
        raise file.error(("waivers",), "waivers is not a list", fix=WAIVERS_FIX)
    waivers = [_waiver(file, index, entry, shown_as or str(path)) for index, entry in enumerate(entries)]
    for index, waiver in enumerate(waivers):
        if known_rules is not None and waiver.rule not in known_rules:
            raise file.error(("waivers", index, "rule"), f"waivers[{index}].rule: {waiver.rule!r} names no rule",
                             fix="copy the rule id from the report (see `govcloud policy list`)")
    seen: dict[str, int] = {}
    for index, waiver in enumerate(waivers):
        if waiver.fingerprint in seen:
            raise file.error(("waivers", index, "fingerprint"), f"fingerprint {waiver.fingerprint[:12]}… is "
                             f"waived twice (first at waivers[{seen[waiver.fingerprint]}])", fix="keep one entry")
        seen[waiver.fingerprint] = index
    return tuple(waivers)


def _waiver(file: YamlFile, index: int, entry: Any, shown_as: str) -> Waiver:
    at = ("waivers", index)
    entry = file.mapping(at, entry, fix=WAIVERS_FIX)
    values: dict[str, Any] = {}
    for key in ("fingerprint", "rule", "owner", "reason", "expires"):
        value = entry.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            raise file.error(at, f"waivers[{index}] has no {key}", fix=WAIVERS_FIX)
        values[key] = file.scalar((*at, key), value, fix=WAIVERS_FIX)
    for key in entry:
        if key not in values:
            raise file.error((*at, key), f"waivers[{index}].{key} is not a field of a waiver", fix=WAIVERS_FIX)
    fingerprint = str(values["fingerprint"]).strip().lower()
    if not _FINGERPRINT.match(fingerprint):
        raise file.error((*at, "fingerprint"), f"{fingerprint!r} is not a finding's fingerprint",
                         fix="copy the 64-character fingerprint (in quotes) from a report (JSON 'fingerprint', SARIF "
                             "partialFingerprints)")
    expires = values["expires"]
    if not isinstance(expires, date):
        try:
            expires = date.fromisoformat(str(expires))
        except ValueError:
            raise file.error((*at, "expires"), f"expires {expires!r} is not a date", fix="write YYYY-MM-DD") \
                from None
    return Waiver(fingerprint, str(values["rule"]), str(values["owner"]), str(values["reason"]), expires,
                  shown_as, file.line(at))


def apply_waivers(result: CheckResult, waivers: tuple[Waiver, ...], today: date) -> CheckResult:
    """``result`` with the findings live waivers accept moved to ``waived``; expired and unused
    waivers recorded. A waiver for another rule than its finding's waives nothing (it is unused)."""
    by_fingerprint = {w.fingerprint: w for w in waivers}
    findings: list[Finding] = []
    waived: list[WaivedFinding] = []
    used: set[str] = set()
    for finding in result.findings:
        waiver = by_fingerprint.get(finding.fingerprint)
        if waiver is not None and waiver.rule == finding.rule_id:
            used.add(waiver.fingerprint)
            if not waiver.expired(today):
                waived.append(WaivedFinding(finding, waiver))
                continue
        findings.append(finding)
    expired = tuple(w for w in waivers if w.expired(today))
    unused = tuple(w for w in waivers if w.fingerprint not in used and not w.expired(today))
    return replace(result, findings=tuple(findings), waived=tuple(waived), expired_waivers=expired,
                   unused_waivers=unused)


def live_fingerprints(waivers: tuple[Waiver, ...], today: date) -> dict[str, str]:
    """Fingerprint -> rule of the waivers that still hold (what the engine's pack skips)."""
    return {w.fingerprint: w.rule for w in waivers if not w.expired(today)}
