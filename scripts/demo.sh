#!/usr/bin/env bash
# The main job on the local lab, end to end:
#   1. validate and plan the example province (addresses, stacks, policies, migration waves);
#   2. bring up the OpenStack lab and deploy the lab province's stacks (province + 2 cities);
#   3. build the network lab, join it to the cloud's data plane (each node's BGP speakers peer with its
#      border router), roll IPv6 out across the extranet and consolidate the internet exits;
#   4. run every migration wave of the lab (a dual-active cutover, rehosts onto city nodes, off-site
#      backups restored on their DR node) and show the KPIs;
#   5. measure live cloud usage and IPv6 quality, write the lab's report (static pages) and say
#      where to open it.
# Every step is idempotent: a second run changes nothing and says so.
set -euo pipefail
cd "$(dirname "$0")/.."
gc=.venv/bin/govcloud
step() { echo; echo "== $*"; }
# What the demo deploys lives in the lab, which is the machine's, not this checkout's: so its state
# (engine backend, logs, rollout and migration records) is kept with the lab. Another checkout's
# demo then converges on the same deployment instead of colliding with it, and `lab down --purge`
# removes the deployment's state with the cloud it describes.
GOVCLOUD_STATE_DIR=$($gc lab deployment-dir)
export GOVCLOUD_STATE_DIR

step "example province: model, address plan, offline stacks, policy, migration plan"
$gc validate --env example
$gc ipam plan --env example
$gc plan --env example --all | tail -n 5
$gc policy check --env example --all --format table | tail -n 5  # advisory findings are listed, not fatal
$gc migrate validate --env example

step "lab province: OpenStack lab and stacks"
$gc validate --env lab
$gc lab up --env lab --data-plane  # Neutron's agents too: routers, and a BGP agent per speaker
$gc up --env lab --all

step "lab province: network lab joined to the cloud (one network), IPv6 rollout, exit consolidation"
$gc netlab up --env lab
$gc lab join --env lab  # each node's transit meets its border router: the rollout verifies their BGP sessions
$gc rollout ipv6 --env lab
$gc exits consolidate --env lab

step "lab province: every migration wave (dual-active, rehost, off-site backup) and KPIs"
waves=$($gc migrate status --env lab --format json | .venv/bin/python -c 'import json, sys; print(" ".join(json.load(sys.stdin)["status"]))')
for wave in $waves; do
  $gc migrate run --env lab --wave "$wave"
done
$gc migrate status --env lab
$gc kpi --env lab

step "lab province: the report (KPIs, adoption, extranet, IPv6, supervision, DR, trend)"
# Measured first: live usage per department from the clouds' APIs, and the IPv6 probe from a
# department host to every site router over SSH (with the unified exits' traffic counters).
$gc report --env lab --output build/report/lab --measure-cloud --measure-ipv6
echo "open $(pwd)/build/report/lab/index.html in a browser (no network needed)"
