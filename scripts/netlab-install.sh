#!/usr/bin/env bash
# Install the Debian 12 packages the network lab runs from (govcloud.lab.netlab).
#
# Idempotent and quiet about services: see scripts/lib/apt-install.sh.
set -euo pipefail

PACKAGES=(openssh-server frr frr-pythontools nftables iputils-ping traceroute iproute2)
DAEMON_NAMES='^(sshd|watchfrr|zebra|ospfd|ospf6d|bgpd|staticd|mgmtd)$'

NAME=netlab-install
# shellcheck source=lib/apt-install.sh
source "$(dirname "$0")/lib/apt-install.sh"
main "$@"
