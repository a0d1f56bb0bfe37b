"""Destroy removes the `default` security groups Neutron made in the stack's projects."""

from __future__ import annotations

from types import SimpleNamespace

from govcloud.engine.cleanup import project_ids, read, remember, remove_leftovers
from govcloud.stackgraph import tokens as t


class FakeCloud:
    def __init__(self, projects: set[str], groups: dict[str, list[str]]):
        self.projects, self.groups, self.deleted = projects, groups, []
        self.identity = SimpleNamespace(find_project=lambda pid, ignore_missing: pid if pid in self.projects else None)
        # Like Neutron, asking about one project (re)creates its `default` group: never do that.
        self.network = SimpleNamespace(
            security_groups=lambda **filters: [] if filters else [
                SimpleNamespace(id=f"{p}-{n}", name=n, project_id=p) for p, names in self.groups.items()
                for n in names],
            delete_security_group=lambda group, ignore_missing: self.deleted.append(group.id))


def test_the_projects_of_a_deployment_are_noted_across_killed_runs(tmp_path):
    deployment = {"resources": [{"type": t.PROJECT, "id": "p1"}, {"type": t.NETWORK, "id": "n1"},
                                {"type": t.PROJECT, "id": "p2"}]}
    assert project_ids(deployment) == ["p1", "p2"]
    note = tmp_path / "cleanup" / "lab-province.json"
    remember(note, ["p1"])
    assert remember(note, ["p2"]) == ["p1", "p2"]  # a second destroy after a kill still knows p1
    assert read(note) == ["p1", "p2"]


def test_groups_of_deleted_projects_go_and_a_surviving_projects_stay():
    cloud = FakeCloud({"p2"}, {"p1": ["default"], "p2": ["default"]})
    removed = remove_leftovers(cloud, ["p1", "p2"])
    assert cloud.deleted == ["p1-default"]
    assert removed == ["security group 'default' (p1-default) of deleted project p1"]
