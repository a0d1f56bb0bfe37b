"""`govcloud preview` of the lab province's fresh stack, with the baseline pack inside the real
engine, finds no mandatory violation: the model's own stacks pass their own baseline in the engine
as they do offline. In a preview the engine hands the pack each created resource's outputs, the
provider-computed ones unknown (a router without a gateway shows ``externalNetworkId`` unknown);
the gateway rules once read that as a gateway and blocked every fresh preview."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from support.projects import ROOT, copy_lab_project

pytestmark = pytest.mark.integration


def test_a_fresh_stack_previews_clean_against_the_baseline_in_the_engine(tmp_path: Path):
    project = copy_lab_project(tmp_path / "project")
    environ = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    result = subprocess.run([sys.executable, "-c", "from govcloud.cli import main; main()", "preview", "--env", "lab",
                             "--stack", "lab-province", "--format", "json"], cwd=project, env=environ,
                            capture_output=True, text=True, timeout=900, check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "mandatory" not in result.stdout + result.stderr
    assert '"create"' in result.stdout  # it previewed the whole fresh stack, not nothing
