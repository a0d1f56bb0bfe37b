"""Golden runbooks: each folder of tests/data/migration/runbooks holds a wave file of the lab
province (``wave.yaml``) and the Markdown it must render to (``expected.md``).

Regenerate after a deliberate change with ``GOVCLOUD_UPDATE_GOLDEN=1 pytest <this file>`` and
review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from govcloud.migration.runbook import render_runbook
from govcloud.migration.schema import MigrationWave

CASES = Path(__file__).resolve().parents[2] / "data" / "migration" / "runbooks"


@pytest.mark.parametrize("case", sorted(p.name for p in CASES.iterdir() if p.is_dir()))
def test_runbook_matches_golden(case: str) -> None:
    folder = CASES / case
    wave = MigrationWave.model_validate(yaml.safe_load((folder / "wave.yaml").read_text(encoding="utf-8")))
    runbook = render_runbook(wave, "lab")
    expected = folder / "expected.md"
    if os.environ.get("GOVCLOUD_UPDATE_GOLDEN"):
        expected.write_text(runbook.markdown, encoding="utf-8")
    assert runbook.markdown == expected.read_text(encoding="utf-8")
    assert runbook.html.count("<h2>") == runbook.markdown.count("\n## ")
