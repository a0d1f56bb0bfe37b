"""The lab's overlay for per-city operators: which account each operators' cloud logs in as."""

from __future__ import annotations

from govcloud.lab.openstack.operators import OperatorLogin, operator_logins
from govcloud.model import load_folder
from support.operated import declare_operators


def test_each_operators_cloud_logs_in_as_its_first_user_scoped_to_the_node_s_first_department(lab_copy):
    declare_operators(lab_copy, "city-a", users=("city-a-ops", "city-a-deputy"), groups=("city-a-team",),
                      cloud="lab-city-a-ops")
    declare_operators(lab_copy, "city-b", groups=("city-b-team",), cloud="lab-city-b-ops")
    logins = operator_logins(load_folder(lab_copy, name="lab").province)
    assert logins == [OperatorLogin("lab-city-a-ops", "city-a-ops", (), "city-a-edu"),
                      # only a group: the lab makes a user named after the cloud, in that group
                      OperatorLogin("lab-city-b-ops", "lab-city-b-ops", ("city-b-team",), "city-b-civil")]


def test_a_model_without_operators_needs_no_operator_account(lab_copy):
    assert operator_logins(load_folder(lab_copy, name="lab").province) == []
