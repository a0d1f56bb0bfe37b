"""The province's IPv6 block: global unicast space (RFC 4291 §2.4), and no larger than a province is
ever assigned (a /20; an LIR receives a /32 or a few bits more). Blocks outside the documentation
range are the point of these tests: the boundary is a /20, wider than 2001:db8::/32."""

from __future__ import annotations

from pathlib import Path

import pytest

from govcloud.model import Province, load_environment
from govcloud.model.province import reference_problems

ROOT = Path(__file__).resolve().parents[3]
TOO_LARGE_FIX = "write the block the registry assigned, typically a /32"
NOT_GLOBAL_FIX = "use the global unicast block (2000::/3) assigned to the province, e.g. a /32 such as 2001:db8::/32"


def _block_problems(block: str) -> list[tuple]:
    data = load_environment("lab", ROOT).province.model_dump(mode="json")
    province = Province.model_validate({**data, "ipam": {**data["ipam"], "ipv6_block": block}})
    return [(p.message, p.fix) for p in reference_problems(province) if p.path == ("ipam", "ipv6_block")]


@pytest.mark.parametrize("block", ["2001:db8::/32", "2001::/20"])
def test_rfc_4291_a_global_unicast_block_of_a_20_or_longer_is_a_province_s(block: str) -> None:
    assert _block_problems(block) == []


def test_a_block_wider_than_a_20_is_a_typo() -> None:
    assert _block_problems("2000::/19") == [
        ("2000::/19 is larger than any block a province is assigned (/20 at most); a prefix length this short is "
         "usually a typo", TOO_LARGE_FIX)]


def test_rfc_4193_unique_local_space_is_not_a_province_s_block() -> None:
    assert _block_problems("fd00:db8::/32") == [
        ("fd00:db8::/32 is unique local space (RFC 4193), not routed on the internet", NOT_GLOBAL_FIX)]
