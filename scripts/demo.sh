#!/usr/bin/env bash
# The main job on the local lab, end to end:
#   1. validate and plan the example province (addresses, stacks, policies, migration waves);
#   2. bring up the OpenStack lab and deploy the lab province's stacks (province + 2 cities);
#   3. build the network lab, roll IPv6 out across the extranet and consolidate the internet exits;
#   4. run the first migration wave (a real dual-active cutover) and show the KPIs;
#   5. write the lab's report (static pages) and say where to open it.
# Every step is idempotent: a second run changes nothing and says so.
set -euo pipefail
cd "$(dirname "$0")/.."
gc=.venv/bin/govcloud
step() { echo; echo "== $*"; }

step "example province: model, address plan, offline stacks, policy, migration plan"
$gc validate --env example
$gc ipam plan --env example
$gc plan --env example --all | tail -n 5
$gc policy check --env example --all --format table | tail -n 5  # advisory findings are listed, not fatal
$gc migrate validate --env example

step "lab province: OpenStack lab and stacks"
$gc validate --env lab
$gc lab up --env lab
$gc up --env lab --all

step "lab province: network lab, IPv6 rollout, exit consolidation"
$gc netlab up --env lab
$gc rollout ipv6 --env lab
$gc exits consolidate --env lab

step "lab province: first migration wave (dual-active cutover) and KPIs"
$gc migrate run --env lab --wave 1
$gc migrate status --env lab
$gc kpi --env lab

step "lab province: the report (KPIs, adoption, extranet, IPv6, supervision, DR, trend)"
$gc report --env lab --output build/report/lab
echo "open $(pwd)/build/report/lab/index.html in a browser (no network needed)"
