"""Local labs: the OpenStack control plane (``govcloud.lab.openstack``) and the network lab."""
