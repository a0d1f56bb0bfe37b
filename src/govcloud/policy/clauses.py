"""The clauses the baseline serves: GB/T 22239-2019 (MLPS 2.0) level 3, its cloud-computing
extension, GB/T 39786-2021 (commercial cryptography), and the province plan's own rules.

The mapping is at the control point (the numbered item of the standard's level-3 chapter, with the
lettered requirement where one applies). Rule metadata names clauses by their key here, and the
reports print key and title so an auditor can find the text in the standard.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Clause:
    key: str
    standard: str
    title: str
    summary: str


MLPS = "GB/T 22239-2019"
CRYPTO = "GB/T 39786-2021"
PLAN = "Province 1+N plan"

_CLAUSES = (
    # GB/T 22239-2019, chapter 8 (level 3): general requirements.
    Clause("MLPS-8.1.2.1c", MLPS, "安全通信网络 / 网络架构 c)", "Divide the network into zones and address them by plan."),
    Clause("MLPS-8.1.2.1d", MLPS, "安全通信网络 / 网络架构 d)",
           "Keep important zones away from the border; isolate them from other zones reliably."),
    Clause("MLPS-8.1.2.1e", MLPS, "安全通信网络 / 网络架构 e)", "Redundancy of lines and key devices for availability."),
    Clause("MLPS-8.1.3.1a", MLPS, "安全区域边界 / 边界防护 a)",
           "Traffic crossing the border passes through the controlled interfaces of border devices."),
    Clause("MLPS-8.1.3.1c", MLPS, "安全区域边界 / 边界防护 c)", "Check or restrict unauthorised connections to outside networks."),
    Clause("MLPS-8.1.3.2a", MLPS, "安全区域边界 / 访问控制 a)",
           "Access-control rules between zones; by default the controlled interface denies everything not allowed."),
    Clause("MLPS-8.1.3.2b", MLPS, "安全区域边界 / 访问控制 b)", "Remove redundant rules; keep the rule set minimal."),
    Clause("MLPS-8.1.3.2c", MLPS, "安全区域边界 / 访问控制 c)",
           "Check source and destination address, port and protocol to allow or deny traffic."),
    Clause("MLPS-8.1.4.1", MLPS, "安全计算环境 / 身份鉴别", "Identify and authenticate users; protect authentication data."),
    Clause("MLPS-8.1.4.4b", MLPS, "安全计算环境 / 入侵防范 b)", "Close unneeded services, default shares and high-risk ports."),
    Clause("MLPS-8.1.4.4c", MLPS, "安全计算环境 / 入侵防范 c)",
           "Restrict management terminals by access method or network address range."),
    Clause("MLPS-8.1.4.8b", MLPS, "安全计算环境 / 数据保密性 b)", "Cryptography protects important data at rest."),
    Clause("MLPS-8.1.4.9b", MLPS, "安全计算环境 / 数据备份恢复 b)", "Real-time off-site backup of important data."),
    Clause("MLPS-8.1.4.9c", MLPS, "安全计算环境 / 数据备份恢复 c)", "Hot redundancy of important data-processing systems."),
    Clause("MLPS-8.1.5.4a", MLPS, "安全管理中心 / 集中管控 a)", "A dedicated management zone for security devices and components."),
    Clause("MLPS-8.1.5.4b", MLPS, "安全管理中心 / 集中管控 b)", "A secured path for management traffic."),
    Clause("MLPS-8.1.10.2a", MLPS, "安全运维管理 / 资产管理 a)",
           "An asset list naming each asset's owning department, importance and location."),
    # GB/T 22239-2019, 8.2: cloud-computing extension, level 3.
    Clause("MLPS-8.2.2.1a", MLPS, "云计算扩展 / 安全通信网络 / 网络架构 a)",
           "The platform carries no system above its own protection level."),
    Clause("MLPS-8.2.2.1b", MLPS, "云计算扩展 / 安全通信网络 / 网络架构 b)",
           "Virtual networks of different cloud customers are isolated."),
    Clause("MLPS-8.2.3.1a", MLPS, "云计算扩展 / 安全区域边界 / 访问控制 a)",
           "Access control at the virtual network border, with rules set."),
    Clause("MLPS-8.2.3.1b", MLPS, "云计算扩展 / 安全区域边界 / 访问控制 b)",
           "Access control at the borders between zones of different levels."),
    Clause("MLPS-8.2.4.2", MLPS, "云计算扩展 / 安全计算环境 / 访问控制",
           "Access-control policies follow virtual machines; customers control their own resources."),
    Clause("MLPS-8.2.4.4a", MLPS, "云计算扩展 / 安全计算环境 / 镜像和快照保护 a)",
           "Hardened operating-system images for important systems."),
    Clause("MLPS-8.2.4.4b", MLPS, "云计算扩展 / 安全计算环境 / 镜像和快照保护 b)",
           "Integrity checking of virtual-machine images and snapshots."),
    Clause("MLPS-8.2.4.5d", MLPS, "云计算扩展 / 安全计算环境 / 数据完整性和保密性 d)",
           "Customers can run their own key management and encrypt their data."),
    Clause("MLPS-8.2.4.6b", MLPS, "云计算扩展 / 安全计算环境 / 数据备份恢复 b)",
           "Customers can find where their data and backups are stored."),
    Clause("MLPS-8.2.4.6c", MLPS, "云计算扩展 / 安全计算环境 / 数据备份恢复 c)",
           "Several consistent, usable copies of customer data."),
    Clause("MLPS-8.2.7.1", MLPS, "云计算扩展 / 安全运维管理 / 云计算环境管理",
           "Operation of the cloud environment is managed and located in the country."),
    # GB/T 39786-2021, chapter 7 (technical requirements), level 3.
    Clause("CRYPTO-7.2", CRYPTO, "网络和通信安全", "Cryptographic protection of communication and of border access control."),
    Clause("CRYPTO-7.3", CRYPTO, "设备和计算安全",
           "Identity authentication and integrity of devices and of their access-control information."),
    Clause("CRYPTO-7.4-store-conf", CRYPTO, "应用和数据安全 / 重要数据存储机密性",
           "Important data is encrypted at rest with approved (SM-series) algorithms."),
    Clause("CRYPTO-7.4-store-int", CRYPTO, "应用和数据安全 / 重要数据存储完整性",
           "Integrity of important data at rest, including software images."),
    # The province plan's own rules.
    Clause("PLAN-IPV6-DUALSTACK", PLAN, "IPv6: dual stack", "Every tenant network carries IPv4 and IPv6."),
    Clause("PLAN-IPV6-ADDRESSING", PLAN, "IPv6: addressing",
           "IPv6 subnets are /64 allocated by the address plan inside the department's prefix."),
    Clause("PLAN-EXIT-UNIFIED", PLAN, "Unified internet exits",
           "Only the unified exits named in the model reach the internet; legacy exits are consolidated."),
    Clause("PLAN-ONE-NETWORK", PLAN, "One network: the cloud on the extranet",
           "Department routers reach the extranet through their node's transit network, without NAT inside "
           "the extranet's address scopes; only unified exits translate and reach the internet."),
    Clause("PLAN-SHARED-CLOUD", PLAN, "Shared cloud, no new private clouds",
           "Departments are tenants of the shared platform; no project or tenant outside the model."),
    Clause("PLAN-QUOTA", PLAN, "Approved resources", "Quotas stay within each department's approved request."),
    Clause("PLAN-DR", PLAN, "Disaster recovery", "Systems get the DR the model gives them, across two nodes."),
    Clause("PLAN-ASSETS", PLAN, "Asset labels", "Every resource names its department, system and MLPS level."),
)

CLAUSES: dict[str, Clause] = {c.key: c for c in _CLAUSES}


def describe(key: str) -> str:
    """``"GB/T 22239-2019 8.2.2.1 b) 云计算扩展 / …"``-style text for reports."""
    clause = CLAUSES[key]
    return f"{clause.standard} {clause.title}"
