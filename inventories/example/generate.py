"""Generate the example province: 1 provincial platform + 16 city nodes at realistic scale.

    python inventories/example/generate.py            # writes the YAML files beside this script
    python inventories/example/generate.py --seed 7   # another province of the same shape

Seeded, so the committed output is reproducible: re-running with the default seed must not change
a byte (a unit test holds it to that). Ranges: 2001:db8::/32 for the IPv6 plan (documentation),
10.0.0.0/9 and 172.16.0.0/16 as the extranet's IPv4 in use today, 10.128.0.0/9 for cloud tenants,
203.0.113.0/24 and 198.51.100.0/24 for exit uplinks.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

import yaml
from netaddr import IPNetwork

HERE = Path(__file__).resolve().parent
SEED = 20261126

CITIES = ["东州", "西州", "南州", "北州", "安平", "长宁", "永和", "青山", "河阳", "临江", "白水", "石门",
          "云台", "金川", "玉溪", "松原"]
# (slug, name) of provincial departments; the rest are numbered bureaus of the same shape.
PROVINCE_DEPTS = [
    ("gov-office", "省人民政府办公厅"), ("drc", "省发展和改革委员会"), ("edu", "省教育厅"), ("sci", "省科学技术厅"),
    ("miit", "省工业和信息化厅"), ("police", "省公安厅"), ("civil", "省民政厅"), ("justice", "省司法厅"),
    ("finance", "省财政厅"), ("hrss", "省人力资源和社会保障厅"), ("land", "省自然资源厅"), ("env", "省生态环境厅"),
    ("housing", "省住房和城乡建设厅"), ("transport", "省交通运输厅"), ("water", "省水利厅"),
    ("agri", "省农业农村厅"), ("commerce", "省商务厅"), ("culture", "省文化和旅游厅"), ("health", "省卫生健康委员会"),
    ("veterans", "省退役军人事务厅"), ("emergency", "省应急管理厅"), ("audit", "省审计厅"),
    ("market", "省市场监督管理局"), ("stats", "省统计局"), ("medical", "省医疗保障局"), ("sport", "省体育局"),
    ("forest", "省林业局"), ("data", "省政务服务和数据管理局"), ("tax", "省税务局"), ("archives", "省档案局"),
]
CITY_DEPT_SLUGS = ["gov-office", "drc", "edu", "police", "civil", "justice", "finance", "hrss", "land", "env",
                   "housing", "transport", "water", "agri", "commerce", "culture", "health", "emergency", "audit",
                   "market", "stats", "medical", "data", "urban", "forest", "sport", "veterans", "tax", "archives",
                   "science", "ethnic", "petition", "grain", "energy", "tobacco", "weather", "post", "fire", "port",
                   "tourism", "housing-fund", "supply", "radio"]
SHARED_SERVICES = [("identity", "统一身份认证平台"), ("e-licence", "电子证照库"), ("e-seal", "电子印章系统"),
                   ("exchange", "数据共享交换平台"), ("payment", "统一公共支付平台"), ("e-archive", "电子档案系统"),
                   ("messaging", "统一消息平台"), ("gis", "政务地理信息平台"), ("credit", "公共信用信息平台")]
UNIT_KINDS = [("party-committee", "党委"), ("peoples-congress", "人大"), ("cppcc", "政协"), ("court", "法院"),
              ("procuratorate", "检察院")]


def build(seed: int) -> dict[str, dict]:
    rng = random.Random(seed)
    sites, links, departments, exits, systems, nodes = [], [], [], [], [], []
    v4_in_use = list(IPNetwork("10.0.0.0/9").subnet(13))
    sites.append(_site("core", "省电子政务外网核心", "province", None, ["172.16.0.0/16"], _units("省", None)))
    nodes.append(_node("province", "省级政务云平台", "province", "core", 4000, 16000, 800000))
    for i, (slug, name) in enumerate(PROVINCE_DEPTS + [(f"bureau-{n}", f"省直单位{n}") for n in range(1, 31)]):
        departments.append(_department(rng, f"prov-{slug}", name, "province", "province", "core"))
    for c, city_name in enumerate(CITIES):
        _build_city(rng, c, city_name, v4_in_use[c], sites, links, departments, nodes)
    _build_exits(rng, sites, departments, exits, nodes)
    _build_systems(rng, departments, nodes, systems)
    _size_nodes(nodes, systems)
    network_plan = _network_plan(rng, exits)  # last: the random draws before it stay as they were
    return {
        "province.yaml": {"province": {"code": "example", "name": "示范省"},
                          "ipam": {"ipv6_block": "2001:db8::/32", "cloud_ipv4": ["10.128.0.0/9"], "headroom": 0.5,
                                   "ipv4_subnet_prefixlen": 24},
                          "nodes": nodes, "targets": _targets(), "network_plan": network_plan},
        "departments.yaml": {"departments": departments},
        "extranet.yaml": {"sites": sites, "links": links},
        "exits.yaml": {"exits": exits, "unified_exit_plan": {"designations": [
            {"exit": ex["code"], "designated_by": "example", "decision": "示范省电子政务外网互联网出口整合方案"}
            for ex in exits if ex["status"] == "unified"]}},
        "systems.yaml": {"systems": systems},
    }


def _site(code, name, tier, parent, ipv4, units):
    site = {"code": code, "name": name, "tier": tier}
    if parent:
        site["parent"] = parent
    site["ipv4_in_use"] = ipv4
    if units:
        site["units"] = units
    return site


def _units(prefix: str, depts) -> list[dict]:
    units = [{"code": kind, "kind": kind, "name": prefix + label} for kind, label in UNIT_KINDS]
    return units + [{"code": d["code"], "kind": "department", "department": d["code"]} for d in depts or []]


def _node(code, name, kind, site, vcpu, ram, storage, index=0):
    # One private 4-byte ASN (RFC 6996) per node's BGP speaker; the extranet is one AS.
    return {"code": code, "name": name, "kind": kind, "site": site, "cloud": f"example-{code}",
            "region": f"region-{code}", "availability_zones": ["az1", "az2"],
            "capacity": {"vcpu": vcpu, "ram_gb": ram, "storage_gb": storage},
            "routing": {"speaker_asn": 4200001000 + index, "border_asn": 4200000000}}


def _department(rng, code, name, tier, node, site):
    dept = {"code": code, "name": name, "tier": tier, "node": node, "site": site,
            "mlps_level": rng.choices([2, 3], weights=[3, 2])[0],
            "quotas": {"instances": rng.choice([10, 20, 40]), "cores": rng.choice([20, 40, 80]),
                       "ram_mb": rng.choice([40960, 81920, 163840])}}
    if rng.random() < 0.4:
        dept["networks"] = [{"name": "business"},
                            {"name": "management", "purpose": "management", "ipv6_mode": "dhcpv6-stateful"}]
    return dept


def _build_city(rng, c, city_name, block, sites, links, departments, nodes):
    code = f"c{c + 1:02d}"
    subnets20 = list(block.subnet(20))
    city_depts = [_department(rng, f"{code}-{slug}", f"{city_name}市{slug}局", "city", code, code)
                  for slug in CITY_DEPT_SLUGS[: rng.randint(30, 43)]]
    departments.extend(city_depts)
    sites.append(_site(code, f"{city_name}市", "city", "core", [str(subnets20[0])], _units(f"{city_name}市", city_depts)))
    links.append({"a": "core", "b": code, "bandwidth_mbps": 10000})
    nodes.append(_node(code, f"{city_name}市政务云节点", "city", code, 1200, 4800, 240000, c + 1))
    for k in range(rng.randint(7, 11)):
        county = f"{code}-x{k + 1:02d}"
        county_dept = _department(rng, f"{county}-gov", f"{city_name}市第{k + 1}县人民政府", "county", code, county)
        departments.append(county_dept)
        sites.append(_site(county, f"{city_name}市第{k + 1}县", "county", code, [str(subnets20[k + 1])],
                           _units(f"第{k + 1}县", [county_dept])))
        links.append({"a": code, "b": county, "bandwidth_mbps": 1000})
        township_space = list(subnets20[64 + k].subnet(24))
        for t in range(rng.randint(10, 16)):
            township = f"{county}-t{t + 1:02d}"
            sites.append(_site(township, f"第{k + 1}县第{t + 1}镇", "township", county, [str(township_space[t])],
                               [{"code": "gov", "kind": "department", "name": "镇人民政府"}]))
            links.append({"a": county, "b": township, "bandwidth_mbps": 100})
            if rng.random() < 0.1:
                village = f"{township}-v1"
                sites.append(_site(village, f"第{t + 1}镇一村", "village", township, [], []))
                links.append({"a": township, "b": village, "bandwidth_mbps": 20})


def _build_exits(rng, sites, departments, exits, nodes):
    """The unified exits, one of each kind (a node has at most one: it holds the transit's +2): the
    province's appliance at the core, run by the network team, and the first city's cloud router,
    whose cloud reaches the internet by its own provider network; then the legacy exits."""
    uplinks = iter(IPNetwork("198.51.100.0/24").subnet(29))
    exits.append({"code": "unified-province-telecom", "name": "省统一互联网出口(telecom)", "owner_kind": "province",
                  "owner": "core", "site": "core", "status": "unified", "node": "province", "kind": "appliance",
                  "uplink": {"isp": "telecom", "bandwidth_mbps": 40000, "ipv4": str(next(uplinks)),
                             "ipv6": "2001:db8:ff00::/44"}})
    city = nodes[1]["code"]
    exits.append({"code": f"unified-{city}-unicom", "name": f"{nodes[1]['name']}互联网出口(unicom)", "owner_kind": "city",
                  "owner": city, "site": city, "status": "unified", "node": city, "kind": "cloud-router",
                  "uplink": {"isp": "unicom", "bandwidth_mbps": 10000, "ipv4": str(next(uplinks)),
                             "ipv6": "2001:db8:ff10::/44"}})
    legacy = iter(IPNetwork("203.0.113.0/24").subnet(32))
    legacy_n = 0

    def add_legacy(code, owner_kind, owner, site):
        nonlocal legacy_n
        legacy_n += 1
        prefix = next(legacy, None) or IPNetwork(f"100.{64 + legacy_n // 256}.{legacy_n % 256}.0/29")
        exits.append({"code": code, "owner_kind": owner_kind, "owner": owner, "site": site, "status": "legacy",
                      "uplink": {"isp": rng.choice(["telecom", "unicom", "mobile"]),
                                 "bandwidth_mbps": rng.choice([100, 200, 500, 1000]), "ipv4": str(prefix)}})

    for dept in departments:
        if dept["tier"] != "county" and rng.random() < 0.25:
            add_legacy(f"legacy-{dept['code']}", "department", dept["code"], dept["site"])
    for site in sites:
        if site["tier"] in ("city", "county") and rng.random() < 0.9:
            add_legacy(f"legacy-{site['code']}", site["tier"], site["code"], site["code"])


def _build_systems(rng, departments, nodes, systems):
    node_codes = [n["code"] for n in nodes]
    shared = []
    for slug, name in SHARED_SERVICES:
        system = _system(rng, f"prov-{slug}", name, "prov-data", "core", "province", [], criticality="key")
        systems.append(system)
        shared.append(system["code"])
    city_shared: dict[str, str] = {}
    for node in node_codes[1:]:
        system = _system(rng, f"{node}-data-platform", f"{node}市数据中台", f"{node}-data", node, node,
                         [shared[0], shared[3]], criticality="key")
        systems.append(system)
        city_shared[node] = system["code"]
    per_dept = (3000 - len(systems)) / len(departments)
    for dept in departments:
        own: list[str] = []
        count = int(per_dept) + (1 if rng.random() < per_dept % 1 else 0)
        for n in range(count):
            deps = rng.sample(shared, rng.choice([0, 1, 1, 2, 2, 3]))
            if dept["node"] in city_shared and rng.random() < 0.5:
                deps.append(city_shared[dept["node"]])
            if own and rng.random() < 0.3:
                deps.append(rng.choice(own))  # only earlier systems: the graph stays acyclic
            system = _system(rng, f"{dept['code']}-s{n + 1}", f"{dept['name']}业务系统{n + 1}", dept["code"],
                             dept["site"], dept["node"], deps)
            systems.append(system)
            own.append(system["code"])
    _place_dr(rng, systems, node_codes)


def _system(rng, code, name, owner, site, node, deps, criticality=None):
    criticality = criticality or rng.choices(["low", "medium", "high", "key"], weights=[30, 45, 20, 5])[0]
    data_class = "classified" if rng.random() < 0.02 else rng.choices(["public", "internal", "sensitive"],
                                                                      weights=[2, 6, 2])[0]
    system = {"code": code, "name": name, "owner": owner, "current_site": site,
              "mlps_level": 3 if criticality in ("high", "key") else 2, "criticality": criticality,
              "data_class": data_class, "depends_on": deps,
              "footprint": {"vcpu": rng.choice([2, 4, 8]), "ram_gb": rng.choice([4, 8, 16, 32]),
                            "storage_gb": rng.choice([50, 100, 200, 500])}}
    if data_class != "classified":
        system["target_node"] = node
        system["on_cloud"] = rng.random() < 0.3
    return system


def _place_dr(rng, systems, node_codes):
    for system in systems:
        if "target_node" not in system or system["criticality"] not in ("key", "high"):
            continue
        other = [n for n in node_codes if n != system["target_node"]]
        dr_node = "province" if system["target_node"] != "province" else rng.choice(other)
        if system["criticality"] == "key":
            system.update(dr="dual-active", dr_node=dr_node, rpo_s=0, rto_s=60)
        elif system["data_class"] == "sensitive":
            system.update(dr="offsite-backup", dr_node=dr_node, rpo_s=3600, rto_s=14400)


def _size_nodes(nodes, systems):
    """Capacity = what the node's systems need (both halves of dual-active pairs, off-site backup
    copies) plus 30 %."""
    need = {n["code"]: [0, 0, 0] for n in nodes}
    for s in systems:
        fp = s["footprint"]
        for node in filter(None, (s.get("target_node"), s.get("dr_node") if s.get("dr") == "dual-active" else None)):
            need[node] = [need[node][0] + fp["vcpu"], need[node][1] + fp["ram_gb"], need[node][2] + fp["storage_gb"]]
        if s.get("dr") == "offsite-backup":  # the backup copy takes storage in the other node
            need[s["dr_node"]][2] += fp["storage_gb"]
    for node in nodes:
        vcpu, ram, storage = (int(v * 1.3) + 1 for v in need[node["code"]])
        node["capacity"] = {"vcpu": vcpu, "ram_gb": ram, "storage_gb": storage}


def _targets():
    deadline = "2027-12-31"
    return {"cloud_adoption": {"value": 0.9, "deadline": deadline},
            "cloud_adoption_by_city": {f"c{c + 1:02d}": {"value": 0.85, "deadline": deadline} for c in range(16)},
            "ipv6_coverage": {"province": {"value": 1.0, "deadline": "2026-12-31"},
                              "city": {"value": 1.0, "deadline": "2027-06-30"},
                              "county": {"value": 0.9, "deadline": deadline},
                              "township": {"value": 0.8, "deadline": "2028-06-30"}},
            "exits_consolidated": {"value": 1.0, "deadline": deadline},
            "dr_coverage_key_systems": {"value": 1.0, "deadline": deadline}}


def _network_plan(rng, exits):
    """The IPv6 waves (the township wave planned past its target's deadline) and most legacy exits'
    consolidation: most in time, some late, some not dated yet; so the report shows every status."""
    quarters = ["2026-06-30", "2026-09-30", "2026-12-31", "2027-03-31", "2027-06-30", "2027-09-30", "2027-12-31"]
    consolidation = {}
    for ex in exits:
        if ex["status"] != "legacy":
            continue
        draw = rng.random()
        if draw < 0.8:
            consolidation[ex["code"]] = rng.choice(quarters)
        elif draw < 0.9:
            consolidation[ex["code"]] = "2028-06-30"
    return {"start": "2026-01-01",
            "ipv6_waves": {"province": "2026-06-30", "city": "2027-03-31", "county": "2027-09-30",
                           "township": "2028-09-30"},
            "exit_consolidation": consolidation}


def write(files: dict[str, dict], folder: Path) -> None:
    header = "# Generated by inventories/example/generate.py (seed {seed}); edit the generator, not this file.\n"
    for name, content in files.items():
        text = yaml.dump(content, allow_unicode=True, sort_keys=False, width=120, Dumper=yaml.CSafeDumper)
        (folder / name).write_text(header.format(seed=SEED) + text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--out", type=Path, default=HERE)
    args = parser.parse_args()
    write(build(args.seed), args.out)


if __name__ == "__main__":
    main()
