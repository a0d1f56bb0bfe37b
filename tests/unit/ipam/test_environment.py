"""``plan_environment``: a planner's problem at a model field comes back as the one Problem type,
placed in the model's file and line like every problem found while loading."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from govcloud.errors import InputError
from govcloud.ipam import plan_environment
from govcloud.model.loader import load_folder

LAB = Path(__file__).resolve().parents[3] / "inventories" / "lab"


def lab_copy(tmp_path: Path, ipv6_block: str, keep_ledger: bool) -> Path:
    folder = tmp_path / "lab"
    shutil.copytree(LAB, folder)
    if not keep_ledger:
        (folder / "ipam-ledger.yaml").unlink()
    province = folder / "province.yaml"
    province.write_text(province.read_text(encoding="utf-8").replace("ipv6_block: 2001:db8::/32",
                                                                     f"ipv6_block: {ipv6_block}"), encoding="utf-8")
    return folder


def ipv6_block_line(folder: Path) -> int:
    lines = (folder / "province.yaml").read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, 1) if "ipv6_block:" in line)


@pytest.mark.parametrize(("block", "keep_ledger", "words"), [
    ("2001:db8::/60", False, "no room for"),  # the planner runs out of space
    ("2001:db8:8000::/33", True, "but the ledger was planned for 2001:db8::/32"),  # the block moved under the ledger
])
def test_a_planners_problem_names_the_models_file_line_and_field(tmp_path, block, keep_ledger, words):
    folder = lab_copy(tmp_path, block, keep_ledger)
    with pytest.raises(InputError) as raised:
        plan_environment(load_folder(folder, name="lab"))
    error = raised.value
    assert error.exit_code == 2
    [located] = error.errors
    assert (located.location.file, located.location.line, located.location.field) == \
        (folder / "province.yaml", ipv6_block_line(folder), "ipam.ipv6_block")
    assert words in str(error) and "fix:" in str(error)
