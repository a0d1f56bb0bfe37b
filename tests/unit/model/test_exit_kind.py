"""How a unified exit is built (``exits[].kind``: appliance or cloud-router), and the model checks
that keep two devices off one address of a node's transit network (govcloud.model.exit_addresses):
refused when the model loads, with file, line, field and fix."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from govcloud.model import ExitKind, ModelErrors, load_folder

ROOT = Path(__file__).resolve().parents[3]
LAB = ROOT / "inventories" / "lab"
UNIFIED = "    status: unified\n    node: province\n"
HEALTH = "    status: legacy\n    uplink: {isp: lab-isp, bandwidth_mbps: 200"


@pytest.fixture
def lab(tmp_path) -> Path:
    shutil.copytree(LAB, tmp_path / "lab")
    return tmp_path / "lab"


def _edit(folder: Path, old: str, new: str) -> None:
    path = folder / "exits.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in exits.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _kind_of(folder: Path, code: str) -> ExitKind:
    return next(ex.kind for ex in load_folder(folder).province.exits if ex.code == code)


def _errors(folder: Path) -> list:
    with pytest.raises(ModelErrors) as info:
        load_folder(folder)
    return info.value.errors


def test_the_lab_s_unified_exit_says_it_is_an_appliance_and_the_example_has_one_of_each_kind() -> None:
    assert _kind_of(LAB, "unified-province") is ExitKind.APPLIANCE
    example = load_folder(ROOT / "inventories" / "example").province
    kinds = {ex.code: ex.kind for ex in example.exits if ex.status.value == "unified"}
    assert sorted(kinds.values(), key=lambda k: k.value) == [ExitKind.APPLIANCE, ExitKind.CLOUD_ROUTER]
    assert (LAB / "exits.yaml").read_text(encoding="utf-8").count("kind: appliance") == 1  # said, not implied


@pytest.mark.parametrize(("written", "kind"), [
    ("kind: appliance\n", ExitKind.APPLIANCE), ("kind: cloud-router\n", ExitKind.CLOUD_ROUTER),
    ("", ExitKind.APPLIANCE),  # left out: the network's appliance, what a province's unified exit is
])
def test_accepted_kinds(lab, written, kind) -> None:
    _edit(lab, "    kind: appliance\n", f"    {written}" if written else "")
    exit_ = next(ex for ex in load_folder(lab).province.exits if ex.code == "unified-province")
    assert exit_.kind is kind
    assert exit_.is_cloud_router is (kind is ExitKind.CLOUD_ROUTER)
    assert exit_.is_appliance is (kind is ExitKind.APPLIANCE)


@pytest.mark.parametrize("written", ["cloud_router", "router", "Appliance", "''", "1", "[appliance]"])
def test_refused_kinds_name_the_field_and_the_accepted_values(lab, written) -> None:
    _edit(lab, "    kind: appliance\n", f"    kind: {written}\n")
    (error,) = _errors(lab)
    assert error.location.field == "exits[0].kind"
    assert error.location.file == lab / "exits.yaml" and error.location.line == 12
    assert "'appliance'" in error.fix and "'cloud-router'" in error.fix


def test_a_legacy_exit_is_an_appliance_and_cannot_be_a_cloud_router(lab) -> None:
    _edit(lab, HEALTH, HEALTH.replace("legacy\n", "legacy\n    kind: appliance\n"))
    assert _kind_of(lab, "legacy-prov-health") is ExitKind.APPLIANCE
    _edit(lab, "    kind: appliance\n    uplink: {isp: lab-isp, bandwidth_mbps: 200",
          "    kind: cloud-router\n    uplink: {isp: lab-isp, bandwidth_mbps: 200")
    (error,) = _errors(lab)
    assert error.location.field == "exits[1].kind" and "is legacy" in str(error) and "remove kind:" in error.fix


@pytest.mark.parametrize("second_kind", ["appliance", "cloud-router"])
def test_two_unified_exits_of_one_node_would_both_hold_its_transit_s_exit_address(lab, second_kind) -> None:
    _edit(lab, HEALTH, HEALTH.replace("legacy\n", f"unified\n    node: province\n    kind: {second_kind}\n"))
    # (The network plan still consolidates the exit: that is refused too, on its own line.)
    (error,) = [e for e in _errors(lab) if e.location.field.startswith("exits")]
    assert error.location.field == "exits[1].node"
    assert "'unified-province' and 'legacy-prov-health' both serve node 'province'" in str(error)
    assert "one unified exit" in error.fix


def test_one_unified_exit_per_node_of_either_kind_is_valid(lab) -> None:
    # city-a's own exit becomes its cloud's router; the province keeps its appliance.
    _edit(lab, "    status: legacy\n    uplink: {isp: lab-isp, bandwidth_mbps: 1000",
          "    status: unified\n    node: city-a\n    kind: cloud-router\n    uplink: {isp: lab-isp, bandwidth_mbps: 1000")
    _edit(lab, "      decision: 实验省电子政务外网互联网出口整合方案\n",
          "      decision: 实验省电子政务外网互联网出口整合方案\n    - exit: legacy-city-a\n      designated_by: lab\n"
          "      decision: 甲市政务云出口\n")
    province = lab / "province.yaml"
    province.write_text(province.read_text(encoding="utf-8").replace("    legacy-city-a: 2027-03-31\n", ""),
                        encoding="utf-8")
    exits = {ex.code: ex for ex in load_folder(lab).province.exits}
    assert exits["unified-province"].is_appliance and exits["legacy-city-a"].is_cloud_router


def test_an_appliance_hangs_off_its_node_s_border_router_and_a_cloud_router_needs_no_site_of_its_node(lab) -> None:
    _edit(lab, "    site: core\n" + UNIFIED, "    site: city-a\n" + UNIFIED)
    (error,) = _errors(lab)
    assert error.location.field == "exits[0].site" and error.location.line == 7
    assert "router 'city-a' would hold the border address (+1) on the transit of node 'province'" in str(error)
    assert "attach the exit at site core" in error.fix and "kind: cloud-router" in error.fix
    # Built as the province cloud's own router it holds no address on the extranet: valid.
    _edit(lab, "    kind: appliance\n", "    kind: cloud-router\n")
    assert _kind_of(lab, "unified-province") is ExitKind.CLOUD_ROUTER
