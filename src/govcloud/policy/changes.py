"""What a change did to the findings: the check at a git ref against the check now, compared by
fingerprint (rule, resource, message; not the line, which a change moves). For review comments:
only the findings the change introduced, and how many it fixed or left as they were.

The files of the ref (model, stack settings, pack settings) come from ``git archive`` into a
temporary folder and are checked by today's rules, so a change to the rules alone shows up as
unchanged findings, and a change to the model or settings as new or fixed ones.
"""

from __future__ import annotations

import io
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..errors import InputError, UsageError
from ..paths import INVENTORIES, MODEL_FILE, POLICIES, PROJECT_FILE, STACKS, inventory_dir
from .offline import check_environment
from .rule import Finding
from .checker import CheckResult

SNAPSHOT_PATHS = (PROJECT_FILE, INVENTORIES, POLICIES, STACKS)
"""What a check reads from the project, apart from the code."""


@dataclass(frozen=True)
class ChangeSummary:
    since: str
    new: int
    fixed: tuple[Finding, ...]
    unchanged: int

    def to_dict(self) -> dict[str, Any]:
        return {"since": self.since, "new": self.new, "fixed": len(self.fixed), "unchanged": self.unchanged,
                "fixed_findings": [{"rule": f.rule_id, "urn": f.urn, "message": f.message,
                                    "fingerprint": f.fingerprint} for f in self.fixed]}

    def __str__(self) -> str:
        return f"since {self.since}: {self.new} new, {len(self.fixed)} fixed, {self.unchanged} unchanged"


REF_FIX = "give a commit, branch or tag of this repository (e.g. origin/main, HEAD~1, a commit id)"


def _git(project_root: Path, *args: str, problem: str = "", fix: str = REF_FIX) -> bytes:
    """git's output; a failure is a usage error saying ``problem`` (else git's own words)."""
    try:
        done = subprocess.run(["git", "-C", str(project_root), *args], capture_output=True, check=False, timeout=120)
    except FileNotFoundError:
        raise UsageError("--changed-since needs git, which is not installed", fix="install git") from None
    if done.returncode != 0:
        said = done.stderr.decode(errors="replace").strip()
        raise UsageError(problem or f"git {' '.join(args[:2])}: {said}", fix=fix)
    return done.stdout


def check_ref(project_root: Path, ref: str) -> str:
    """The commit id ``ref`` names; a usage error saying why when it names none."""
    if not ref.strip():
        raise UsageError("--changed-since needs a git ref, and was given an empty one", fix=REF_FIX)
    if ref.startswith("-"):  # never let a "ref" become an option of git
        raise UsageError(f"--changed-since {ref!r} is not a git ref (it starts with '-')", fix=REF_FIX)
    _git(project_root, "rev-parse", "--show-toplevel",
         problem=f"--changed-since {ref}: the project {project_root} is not in a git repository",
         fix="run the check in a git checkout of the project (in CI: fetch the history, e.g. fetch-depth: 0)")
    found = _git(project_root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}",
                 problem=f"--changed-since {ref}: no commit of this repository is called that (a typo, or a "
                         "branch or history not fetched)")
    return found.decode().strip()


def snapshot(project_root: Path, ref: str, into: Path) -> None:
    """The files a check reads, as they were at ``ref``, written under ``into``."""
    commit = check_ref(project_root, ref)
    top = Path(_git(project_root, "rev-parse", "--show-toplevel").decode().strip())
    prefix = project_root.resolve().relative_to(top.resolve()).as_posix()
    prefix = "" if prefix == "." else prefix + "/"
    listing = ["ls-tree", "--full-name", "--name-only", commit] + ([f":(top){prefix}"] if prefix else [])
    present = set(_git(project_root, *listing).decode().splitlines())
    paths = [f"{prefix}{p}" for p in SNAPSHOT_PATHS if f"{prefix}{p}" in present]
    if not paths:
        return
    archive = _git(project_root, "archive", "--format=tar", commit, "--", *[f":(top){p}" for p in paths])
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    if prefix:  # the project lives in a folder of the repository: lift its files to the top
        for item in (into / prefix).iterdir():
            item.rename(into / item.name)


def compare(current: CheckResult, base: CheckResult, since: str) -> CheckResult:
    """``current`` reduced to the findings ``base`` did not have, with the counts of the change.
    A finding waived now still occurs: it is not counted as fixed. A finding that blocks now but
    did not (its rule made mandatory by the change) is new: the change made it fail the check."""
    before = {f.fingerprint: f.blocking for f in base.findings}
    now = {f.fingerprint for f in current.findings} | {item.finding.fingerprint for item in current.waived}
    new = tuple(f for f in current.findings
                if f.fingerprint not in before or (f.blocking and not before[f.fingerprint]))
    fixed = tuple(f for f in base.findings if f.fingerprint not in now)
    summary = ChangeSummary(since, len(new), fixed, len(current.findings) - len(new))
    return replace(current, findings=new, changes=summary)


def check_changes(env: str, project_root: Path, since: str, stacks: Sequence[str] | None = None,
                  waive: Callable[[CheckResult], CheckResult] = lambda result: result) -> tuple[Any, CheckResult]:
    """The check now (``waive`` applied: a waived finding is neither new nor a finding), reduced to
    what changed since ``since`` (a git ref)."""
    check_ref(project_root, since)  # a bad ref is refused before the (longer) check runs
    context, current, _ = check_environment(env, project_root, stacks)
    _in_project(context, project_root, since)
    current = waive(current)
    with tempfile.TemporaryDirectory(prefix="govcloud-base-") as folder:
        base_root = Path(folder)
        snapshot(project_root, since, base_root)
        base = _base_result(context.env, base_root, since, stacks)
    return context, compare(current, base, since)


def _in_project(context, project_root: Path, since: str) -> None:
    """The ref's files are the project's: an environment given by a path elsewhere has no past there."""
    env_dir = inventory_dir(project_root, context.env).resolve()
    folders = {path.parent.resolve() for path in context.section_files.values()}
    if folders and folders != {env_dir}:
        shown = ", ".join(sorted(str(f) for f in folders))
        raise UsageError(f"--changed-since {since}: environment {context.env!r} is read from {shown}, not from the "
                         f"project's {env_dir}, whose history the ref would give",
                         fix=f"check the environment inside the project (--env {context.env}), or drop "
                             "--changed-since")


def _base_result(env: str, base_root: Path, since: str, stacks: Sequence[str] | None) -> CheckResult:
    if not (inventory_dir(base_root, env) / MODEL_FILE).is_file():
        return CheckResult((), (), 0, ())  # the environment is new: every finding is new
    try:
        _, base, _ = check_environment(env, base_root, None, locate=False)
    except InputError as exc:
        raise UsageError(f"--changed-since {since}: environment {env!r} does not check at that commit: "
                         f"{exc.message}", fix="choose a commit where `govcloud policy check` ran") from None
    if stacks:
        wanted = set(stacks)
        base = replace(base, findings=tuple(f for f in base.findings if f.stack in wanted))
    return base
