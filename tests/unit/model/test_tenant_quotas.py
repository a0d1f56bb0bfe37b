"""A department's quotas against what its own tenant stack creates (Department.tenant_demand): a
quota at exactly the demand is enough, -1 is unlimited, one below is refused at its field with the
number to raise it to."""

from __future__ import annotations

from pathlib import Path

from govcloud.model import Province, load_environment
from govcloud.model.province import reference_problems

ROOT = Path(__file__).resolve().parents[3]


def _with_quotas(**quotas: int) -> Province:
    """The lab with prov-gov-office's quotas set (its two networks, business and management: a demand
    of 2 networks, 4 subnets, 4 ports, 2 routers and 2 security groups)."""
    data = load_environment("lab", ROOT).province.model_dump(mode="json")
    departments = [{**d, "quotas": {**d["quotas"], **quotas}} if d["code"] == "prov-gov-office" else d
                   for d in data["departments"]]
    return Province.model_validate({**data, "departments": departments})


def _quota_problems(province: Province) -> list[tuple]:
    return [(p.path, p.message, p.fix) for p in reference_problems(province) if "quotas" in p.path]


def test_the_demand_itself_is_enough() -> None:
    province = _with_quotas(networks=2, subnets=4, ports=4, routers=2, security_groups=2)
    assert province.department_by_code["prov-gov-office"].tenant_demand() == {
        "networks": 2, "subnets": 4, "ports": 4, "routers": 2, "security_groups": 2}
    assert _quota_problems(province) == []


def test_unlimited_is_enough() -> None:
    assert _quota_problems(_with_quotas(networks=-1, subnets=-1, ports=-1, routers=-1, security_groups=-1)) == []


def test_one_below_the_demand_is_refused_with_the_number_to_raise_it_to() -> None:
    assert _quota_problems(_with_quotas(subnets=3, routers=1)) == [
        (("departments", 0, "quotas", "subnets"), "quota subnets 3 is below the 4 the department's tenant creates "
         "(its networks, subnets, routers, router ports and security groups)",
         "raise quotas.subnets to at least 4, with room for what runs in the tenant"),
        (("departments", 0, "quotas", "routers"), "quota routers 1 is below the 2 the department's tenant creates "
         "(its networks, subnets, routers, router ports and security groups)",
         "raise quotas.routers to at least 2, with room for what runs in the tenant")]
