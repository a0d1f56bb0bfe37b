#!/usr/bin/env bash
# The main job on the local lab: validate and plan the provinces, then (as the labs allow) bring
# the cloud up, roll IPv6 out and consolidate the exits.
set -euo pipefail
cd "$(dirname "$0")/.."
gc=.venv/bin/govcloud

$gc validate --env example
$gc ipam plan --env example
$gc validate --env lab
$gc ipam plan --env lab
