"""Type tokens of the pulumi-openstack provider (5.5.x) and of govcloud's own components.

Written out once so that specs, components, policies and tests agree on them. Note the provider's
own spelling of the block-storage quota: ``quoteSetV3``.
"""

from __future__ import annotations

PROJECT = "openstack:identity/project:Project"
ROLE_ASSIGNMENT = "openstack:identity/roleAssignment:RoleAssignment"
COMPUTE_QUOTA = "openstack:compute/quotaSetV2:QuotaSetV2"
NETWORK_QUOTA = "openstack:networking/quotaV2:QuotaV2"
VOLUME_QUOTA = "openstack:blockstorage/quoteSetV3:QuoteSetV3"
NETWORK = "openstack:networking/network:Network"
SUBNET = "openstack:networking/subnet:Subnet"
ROUTER = "openstack:networking/router:Router"
ROUTER_INTERFACE = "openstack:networking/routerInterface:RouterInterface"
PORT = "openstack:networking/port:Port"
BGP_SPEAKER = "openstack:networking/bgpSpeakerV2:BgpSpeakerV2"
BGP_PEER = "openstack:networking/bgpPeerV2:BgpPeerV2"
SEC_GROUP = "openstack:networking/secGroup:SecGroup"
SEC_GROUP_RULE = "openstack:networking/secGroupRule:SecGroupRule"
ADDRESS_SCOPE = "openstack:networking/addressScope:AddressScope"
SUBNET_POOL = "openstack:networking/subnetPool:SubnetPool"
RBAC_POLICY = "openstack:networking/rbacPolicyV2:RbacPolicyV2"
SERVER_GROUP = "openstack:compute/serverGroup:ServerGroup"
INSTANCE = "openstack:compute/instance:Instance"
VOLUME = "openstack:blockstorage/volume:Volume"
VOLUME_ATTACH = "openstack:compute/volumeAttach:VolumeAttach"
STACK_REFERENCE = "pulumi:pulumi:StackReference"
PROVIDER = "pulumi:providers:openstack"  # an explicit provider (one per region, or per project)

# Provider functions (data sources) that Lookups may name.
GET_NETWORK = "openstack:networking/getNetwork:getNetwork"
GET_ROLE = "openstack:identity/getRole:getRole"
GET_USER = "openstack:identity/getUser:getUser"
GET_GROUP = "openstack:identity/getGroup:getGroup"

# govcloud's components.
DEPARTMENT_TENANT = "govcloud:cloud:DepartmentTenant"
DEPARTMENT_BASE = "govcloud:cloud:DepartmentBase"  # an operated node's: what needs an admin
DEPARTMENT_NETWORKS = "govcloud:cloud:DepartmentNetworks"  # an operated node's: what the operator runs
EXTRANET_ATTACHMENT = "govcloud:extranet:ExtranetAttachment"
UNIFIED_EXIT = "govcloud:exit:UnifiedExit"
DR_PAIR = "govcloud:dr:DRPair"
SHARED_SERVICES = "govcloud:province:SharedServices"

# Resources that take a ``tags`` list (Neutron and Keystone tags); Cinder volumes take metadata.
TAGGED = frozenset({PROJECT, NETWORK, SUBNET, ROUTER, PORT, SEC_GROUP, SUBNET_POOL, INSTANCE})
