"""The pack as the engine runs it: policies/govcloud-baseline/__main__.py in its own process,
spoken to over the analyzer gRPC protocol (ConfigureStack, Analyze, AnalyzeStack) the way the
engine speaks to it. No engine and no cloud needed; the lab environment's model is the context."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import grpc
import pytest
from google.protobuf import empty_pb2, json_format, struct_pb2
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc

ROOT = Path(__file__).resolve().parents[3]
PACK = ROOT / "policies" / "govcloud-baseline"
STACK = "lab-city-b"  # node city-b: no unified exit in the lab model
PREFIX = f"urn:pulumi:{STACK}::govcloud::"


@pytest.fixture(scope="module")
def analyzer(tmp_path_factory):
    log = tmp_path_factory.mktemp("pack") / "stderr.log"
    with log.open("wb") as stderr:
        process = subprocess.Popen([sys.executable, str(PACK / "__main__.py"), "127.0.0.1:0"], cwd=PACK,
                                   stdout=subprocess.PIPE, stderr=stderr)
    try:
        port = process.stdout.readline().decode().strip()
        assert port.isdigit(), f"the pack did not start: {log.read_text()[-2000:]}"
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            stub = analyzer_pb2_grpc.AnalyzerStub(channel)
            stub.ConfigureStack(analyzer_pb2.AnalyzerStackConfigureRequest(
                stack=STACK, project="govcloud", config={"govcloud:env": "lab"}), timeout=60)
            yield stub
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()


def struct(data: dict) -> struct_pb2.Struct:
    return json_format.ParseDict(data, struct_pb2.Struct())


def test_the_pack_describes_every_rule(analyzer) -> None:
    from govcloud.policy.registry import all_rules

    info = analyzer.GetAnalyzerInfo(empty_pb2.Empty(), timeout=30)
    assert info.name == "govcloud-baseline"
    assert sorted(p.name for p in info.policies) == [r.id for r in all_rules()]


def test_analyze_reports_a_mandatory_violation_of_a_resource(analyzer) -> None:
    urn = f"{PREFIX}openstack:networking/router:Router::rogue-router"
    response = analyzer.Analyze(analyzer_pb2.AnalyzeRequest(
        type="openstack:networking/router:Router", name="rogue-router", urn=urn,
        properties=struct({"externalNetworkId": "9d8e7f00-0000-4000-8000-000000000002",
                           "tags": ["dept:city-b-civil", "mlps:2", "govcloud:managed"]})), timeout=60)
    found = {(d.policyName, d.urn, d.enforcementLevel) for d in response.diagnostics}
    # A gateway where the node has no unified exit, and for no exit the provincial plan designates.
    assert found == {("GOV-EXIT-001", urn, analyzer_pb2.MANDATORY), ("GOV-EXIT-005", urn, analyzer_pb2.MANDATORY)}


def test_analyze_stack_follows_property_dependencies(analyzer) -> None:
    net, sub = f"{PREFIX}openstack:networking/network:Network::civil-net", \
        f"{PREFIX}openstack:networking/subnet:Subnet::civil-v4"
    tags = ["dept:city-b-civil", "mlps:2", "govcloud:managed"]
    resources = [
        analyzer_pb2.AnalyzerResource(type="openstack:networking/network:Network", name="civil-net", urn=net,
                                      properties=struct({"tags": tags})),
        analyzer_pb2.AnalyzerResource(
            type="openstack:networking/subnet:Subnet", name="civil-v4", urn=sub,
            properties=struct({"ipVersion": 4, "cidr": "198.19.128.0/24", "tags": tags,
                               "networkId": "04da6b54-80e4-46f7-96ec-b56ff0331ba9"}),
            dependencies=[net], propertyDependencies={"networkId": analyzer_pb2.AnalyzerPropertyDependencies(urns=[net])}),
    ]
    response = analyzer.AnalyzeStack(analyzer_pb2.AnalyzeStackRequest(resources=resources), timeout=60)
    found = {(d.policyName, d.urn) for d in response.diagnostics}
    assert ("GOV-NET-001", net) in found
