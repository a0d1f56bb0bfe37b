"""What the executor needs from the outside world, as two small protocols, and the provisioners.

* :class:`Provisioner` creates a system's target resources (step ``provision``). The real one,
  :class:`EngineProvisioner`, runs the engine's ``up`` on the province stack (which every city
  stack reads) and the stack of the system's target node (the DR pair of the system lives in
  that stack, its second side placed by region), then checks with openstacksdk that the system's
  tagged resources exist. :class:`PlannedSpecProvisioner` only computes the same resources offline
  from the stack graph and records them: for tests and for labs without an OpenStack, and it says
  so in its details.
* :class:`WorkloadDriver` moves the application and its data (every step). The lab's driver is
  :class:`govcloud.lab.workload.driver.LabWorkloadDriver`.

Every method returns a small JSON-able dict of what it did; the executor records it with the step.
"""

from __future__ import annotations

from typing import Any, Protocol

from ...engine.credentials import find_clouds_yaml, load_credentials
from ...errors import EngineError
from ...ipam import plan_environment
from ...model import Environment
from ...stackgraph import plan_stacks, stack_names
from ...stackgraph.stacks import infrastructure_stack_name
from ..schema import WaveEntry

Details = dict[str, Any]


class Provisioner(Protocol):
    def provision(self, entry: WaveEntry) -> Details:
        """Make sure the system's target resources exist; idempotent."""


class WorkloadDriver(Protocol):
    """One method per lifecycle step; each is idempotent (a killed run repeats the step it was in)."""

    def provision(self, entry: WaveEntry) -> Details: ...

    def replicate(self, entry: WaveEntry) -> Details: ...

    def test(self, entry: WaveEntry) -> Details: ...

    def cutover(self, entry: WaveEntry) -> Details: ...

    def finalize(self, entry: WaveEntry) -> Details: ...

    def rollback(self, entry: WaveEntry, from_phase: str) -> Details: ...


def target_stacks(environment: Environment, entry: WaveEntry) -> list[str]:
    """The stack holding the system's resources: its target node's (DR sides are placed by region),
    an operated node's base."""
    node = environment.province.node_by_code[entry.target_node]
    return [infrastructure_stack_name(environment.name, node, environment.province)]


def provision_stacks(environment: Environment, entry: WaveEntry) -> list[str]:
    """The stacks `up` must run on, in order: the province stack first (every city stack reads it
    through a StackReference), then the target node's when that is a city's."""
    province = stack_names(environment.province, environment.name)[0]
    return [province, *(s for s in target_stacks(environment, entry) if s != province)]


class PlannedSpecProvisioner:
    """The system's resources from the offline stack graph, recorded but not created."""

    def __init__(self, environment: Environment) -> None:
        self.environment = environment

    def provision(self, entry: WaveEntry) -> Details:
        if entry.target_node is None:
            return {"provisioner": "planned-specs", "resources": []}
        plan = plan_environment(self.environment)
        graphs = plan_stacks(self.environment.province, plan, self.environment.name,
                             target_stacks(self.environment, entry))
        names = sorted(r.name for g in graphs for r in g.resources if r.name.startswith(f"{entry.code}-"))
        return {"provisioner": "planned-specs", "created": False, "stacks": [g.stack for g in graphs],
                "resources": names}


class EngineProvisioner:
    """``up`` of the target node's stack through the engine wrapper, then an openstacksdk check.

    One provisioner serves one `migrate run`, whose model was loaded once: a stack it already put
    up for an earlier system of the run holds every system's resources of that model, so it is not
    put up again (a no-op `up` of a node stack still takes minutes). A new run (a resumed one
    too) puts each stack up once more."""

    def __init__(self, environment: Environment, settings: Any) -> None:
        self.environment = environment
        self.settings = settings  # govcloud.engine.settings.EngineSettings
        self.up_in_this_run: set[str] = set()

    def provision(self, entry: WaveEntry) -> Details:
        from ...engine.automation import Operation, run  # lazy: engine.automation loads pulumi (about 1 s)

        stacks = provision_stacks(self.environment, entry)
        pending = [s for s in stacks if s not in self.up_in_this_run]
        results = run(Operation.UP, self.environment, pending, self.settings, quiet=True) if pending else []
        self.up_in_this_run.update(pending)
        found: dict[str, list[str]] = {}
        if entry.dr.mode.value == "dual-active":
            found = self._tagged_networks(entry)
            empty = [node for node, names in found.items() if not names]
            if empty:
                raise EngineError(f"after `up` of {', '.join(stacks)} no replication network tagged "
                                  f"system:{entry.code} is on DR side {', '.join(empty)}",
                                  fix="look at the engine log of the stack and run `govcloud up` by hand")
        return {"provisioner": "engine", "created": True, "stacks": stacks,
                "changes": {r.stack: r.changes for r in results},
                "up_earlier_in_run": [s for s in stacks if s not in pending],
                "replication_networks": sorted(n for names in found.values() for n in names)}

    def _tagged_networks(self, entry: WaveEntry) -> dict[str, list[str]]:
        """The system's networks per DR side node. Each side is matched by its node tag as well as
        its region: regions may share one Neutron endpoint (they do in the lab)."""
        import openstack  # lazy: openstacksdk (about 2 s) only when the cloud is asked

        node = self.environment.province.node_by_code[entry.target_node]
        credentials = load_credentials(self.settings.cloud or node.cloud, find_clouds_yaml(self.settings.clouds_yaml))
        found: dict[str, list[str]] = {}
        for dr_node in (entry.target_node, entry.dr.node):
            region = self.environment.province.node_by_code[dr_node].region
            connection = openstack.connect(load_yaml_config=False, load_envvars=False, auth_type="password",
                                           auth=dict(credentials.auth), region_name=region)
            tags = f"system:{entry.code},node:{dr_node}"  # Neutron matches networks carrying all of them
            found[dr_node] = sorted(n.name for n in connection.network.networks(tags=tags))
        return found
