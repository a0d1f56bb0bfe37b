"""A real OpenStack control plane on this machine, from Debian 12's packages, without systemd.

Public surface (see :mod:`govcloud.lab.openstack.api`)::

    from govcloud.lab.openstack import lab_up, lab_down, lab_status, OpenStackLabSpec

    status = lab_up()            # cold 1-8 min, warm 0.5-2.5 min (machine load), already up 0.2 s
    status.clouds_yaml           # clouds govcloud-lab-admin and govcloud-lab-tenant
    lab_down()                   # keep state for a warm start; lab_down(purge=True) wipes it

lab_up(spec) only grows the lab (regions, compute hosts, projects of earlier specs stay), so
test suites asking for different specs do not restart services under each other.
"""

from govcloud.lab.openstack.api import lab_down, lab_spec_in_use, lab_status, lab_up
from govcloud.lab.openstack.clouds import ADMIN_CLOUD, TENANT_CLOUD
from govcloud.lab.openstack.labspec import ComputeHost, OpenStackLabSpec, TenantSpec, default_spec
from govcloud.lab.openstack.status import LabStatus, ServiceStatus

__all__ = [
    "ADMIN_CLOUD",
    "TENANT_CLOUD",
    "ComputeHost",
    "LabStatus",
    "OpenStackLabSpec",
    "ServiceStatus",
    "TenantSpec",
    "default_spec",
    "lab_down",
    "lab_spec_in_use",
    "lab_status",
    "lab_up",
]
