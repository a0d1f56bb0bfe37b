#!/usr/bin/env bash
# Install the Debian 12 packages the OpenStack lab runs from (govcloud.lab.openstack).
#
# Idempotent and quiet about services (mariadb's bootstrap, epmd): see scripts/lib/apt-install.sh.
# The lab starts its own private copies under its state directory.
# Swift and memcached are the lab's object store (govcloud.lab.objectstore, shared state).
# nova-compute is deliberately absent: it pulls in libvirt and qemu; the lab runs
# nova.cmd.compute from python3-nova with the fake driver instead.
set -euo pipefail

PACKAGES=(
  keystone neutron-server nova-api nova-conductor nova-scheduler placement-api
  glance-api cinder-api cinder-scheduler cinder-volume mariadb-server rabbitmq-server
  python3-openstackclient python3-osc-placement python3-pymysql
  swift swift-proxy swift-object swift-container swift-account python3-swift memcached
  # The opt-in data plane (lab up --data-plane): Linux bridge, L3 (radvd for SLAAC), DHCP (dnsmasq)
  # and BGP agents, and the relay that lets them reach RabbitMQ from their own network namespace.
  # Installed always (nothing starts them unless the lab asks for the data plane).
  neutron-linuxbridge-agent neutron-l3-agent neutron-dhcp-agent neutron-bgp-dragent
  python3-neutron-dynamic-routing radvd dnsmasq-base conntrack socat iproute2
)
# Daemons a postinst may leave behind; only those this installation started are stopped.
DAEMON_NAMES='^(mariadbd|mysqld|mysqld_safe|epmd|beam[.]smp|erl_child_setup|inet_gethost|rabbitmq-server|keystone.*|neutron-.*|dnsmasq|radvd|nova-.*|glance-.*|cinder-.*|placement-.*|swift-.*|memcached|uwsgi|apache2)$'

NAME=openstack-lab-install
# shellcheck source=lib/apt-install.sh
source "$(dirname "$0")/lib/apt-install.sh"
main "$@"
