"""A unified exit's router says what its uplink is: ISP, bandwidth and public ranges."""

from __future__ import annotations

from pathlib import Path

from govcloud.model import load_environment
from govcloud.stackgraph import tokens as t
from govcloud.stackgraph.exit import UnifiedExitArgs, build_unified_exit

ROOT = Path(__file__).resolve().parents[3]


def _router_description(ipv6: bool) -> tuple[str, object]:
    province = load_environment("lab", ROOT).province
    ex = next(e for e in province.exits if e.status.value == "unified")
    if not ipv6:
        ex = ex.model_copy(update={"uplink": ex.uplink.model_copy(update={"ipv6": None})})
    plan = build_unified_exit(UnifiedExitArgs(ex, province.node_by_code[ex.node], "transit-net", ()))
    (router,) = [s for s in plan.children if s.type == t.ROUTER]
    return router.inputs["description"], ex


def test_the_exit_router_names_the_uplink_s_isp_bandwidth_and_both_public_ranges() -> None:
    description, ex = _router_description(ipv6=True)
    uplink = ex.uplink
    assert description == (f"{ex.name or ex.code}: {uplink.isp} {uplink.bandwidth_mbps} Mbit/s, {uplink.ipv4}, "
                           f"{uplink.ipv6}")


def test_an_uplink_without_ipv6_names_its_ipv4_range_only() -> None:
    description, ex = _router_description(ipv6=False)
    uplink = ex.uplink
    assert description == f"{ex.name or ex.code}: {uplink.isp} {uplink.bandwidth_mbps} Mbit/s, {uplink.ipv4}"
