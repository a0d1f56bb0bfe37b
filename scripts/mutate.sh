#!/usr/bin/env bash
# Mutation testing of one core package against its fast unit tests (mutmut), in a scratch copy of
# the tracked files so that nothing in the work tree changes. A benchmark of the tests, not a gate:
# it prints the mutants killed and survived, the survival rate, and every survivor's name and diff.
#
#   make mutate PKG=ipam            # or model, stackgraph, policy-rules, migration
#   JOBS=2 make mutate PKG=ipam     # worker processes (default 1: the machine is shared)
#   MUTANTS='govcloud.ipam.ledger.x_load_ledger* govcloud.ipam.exports.x_utilisation__mutmut_48' make mutate PKG=ipam
#                                   # only these mutants (mutmut's names, * matches): re-check survivors after
#                                   # writing tests; the figures then cover the mutants run, not the package
#   TIMEOUT_MULTIPLIER=15 ...       # mutmut's wall-clock timeout factor (default here 60: the machine is shared)
#
# Each package runs against its fast unit tests only: the property tests run every function many
# times per mutant (ipam's would take hours). Survivors are worth checking against them by hand.
# The whole script is one block, read before it runs: bash reads a script as it goes, and an edit
# of this file during an hour-long run would otherwise run whatever text lands at the old offset.
{
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
pkg=${1:-ipam}
jobs=${JOBS:-1}
case $pkg in
  model)        only='"src/govcloud/model/*"'
                # Not test_fuzz.py: its hypothesis run takes minutes per mutant. It stays in the unit suite.
                tests='"tests/unit/model/test_accepted_shapes.py", "tests/unit/model/test_bad_input.py",
                       "tests/unit/model/test_bad_input_classes.py", "tests/unit/model/test_exit_kind.py",
                       "tests/unit/model/test_hosting_and_exit_plan.py",
                       "tests/unit/model/test_loader.py", "tests/unit/model/test_loader_errors.py",
                       "tests/unit/model/test_partial.py",
                       "tests/unit/model/test_placement.py", "tests/unit/model/test_recovery.py",
                       "tests/unit/model/test_reference_edges.py",
                       "tests/unit/model/test_routing.py", "tests/unit/model/test_shapes.py",
                       "tests/unit/model/test_site_checks.py", "tests/unit/model/test_system_cycles.py",
                       "tests/unit/model/test_tenant_quotas.py", "tests/unit/model/test_ipv6_block.py",
                       "tests/unit/test_parsecache.py"' ;;
  ipam)         only='"src/govcloud/ipam/*"'
                tests='"tests/unit/ipam/test_allocator.py", "tests/unit/ipam/test_golden.py", "tests/unit/ipam/test_exports.py",
                       "tests/unit/ipam/test_addressplan_ledger.py", "tests/unit/ipam/test_addressplan_accessors.py",
                       "tests/unit/ipam/test_ledger_file.py", "tests/unit/ipam/test_ledger_errors.py",
                       "tests/unit/ipam/test_conflicts.py", "tests/unit/ipam/test_transit.py", "tests/unit/ipam/test_growth.py",
                       "tests/unit/commands/test_model_and_ipam_commands.py",
                       "tests/unit/model/test_bad_input.py"' ;;
  stackgraph)   only='"src/govcloud/stackgraph/*"';           tests='"tests/unit/stackgraph"' ;;
  policy-rules) only='"src/govcloud/policy/rules/*"'
                tests='"tests/unit/policy/test_policy_golden.py", "tests/unit/policy/test_own_baseline.py"' ;;
  migration)    only='"src/govcloud/migration/scheduler.py", "src/govcloud/migration/capacity.py",
                      "src/govcloud/migration/planner.py", "src/govcloud/migration/validation.py",
                      "src/govcloud/model/recovery.py"'
                # Not test_scheduler_properties.py: its hypothesis runs make every mutant take ~25 s. It stays
                # in the unit suite; check the scheduler's survivors against it by hand.
                tests='"tests/unit/migration/test_wave_scheduler.py", "tests/unit/migration/test_wave_validation.py",
                       "tests/unit/migration/test_validation_findings.py", "tests/unit/migration/test_committed_plans.py",
                       "tests/unit/model/test_recovery.py"' ;;
  *) echo "mutate: unknown package '$pkg' (use model, ipam, stackgraph, policy-rules or migration)" >&2; exit 2 ;;
esac

work=${MUTATE_DIR:-${TMPDIR:-/tmp}/govcloud-mutate-$pkg}
rm -rf "$work" && mkdir -p "$work"
git ls-files -z | tar --null -T - -c | tar -x -C "$work"
cat >> "$work/pyproject.toml" <<TOML

[tool.mutmut]
source_paths = ["src/"]
only_mutate = [$only]
pytest_add_cli_args_test_selection = [$tests]
pytest_add_cli_args = ["-p", "no:cacheprovider", "-x", "-q"]
# A mutant is "timeout" (counted killed) after (tests' time + 1 s) x this many seconds of wall time. mutmut's
# 15 is too short on a loaded machine (nice 19, load 6 on 2 cores): mutants that merely fail late timed out.
timeout_multiplier = ${TIMEOUT_MULTIPLIER:-60}
# The tests run inside mutants/: they read the committed environments, settings and plans there.
also_copy = ["inventories/", "policies/", "stacks/", "migrations/", "roles/", "playbooks/", "Pulumi.yaml"]
TOML
cd "$work"
# The unit tests' conftest makes a parse-cache folder in $TMPDIR for each test run, and mutmut runs
# one per mutant: keep those thousands of folders in the scratch copy, not in /tmp.
mkdir -p "$work/tmp" && export TMPDIR=$work/tmp
started=$SECONDS
# shellcheck disable=SC2086  # MUTANTS is a list of names
"$root/.venv/bin/mutmut" run --max-children "$jobs" ${MUTANTS:-} >mutmut-run.log 2>&1 || { tail -40 mutmut-run.log; exit 1; }
"$root/.venv/bin/mutmut" results --all true >mutmut-results.txt 2>&1 || true
if [ -n "${MUTANTS:-}" ]; then  # the mutants not asked for were not run
  grep -v ': not checked$' mutmut-results.txt >mutmut-results.run || true
  mv mutmut-results.run mutmut-results.txt
fi
# Killed: a test failed (or timed out). Not killed: survived, or no fast test reaches the mutant.
awk -F': ' -v pkg="$pkg" -v secs=$((SECONDS - started)) '
  { n[$2]++; total++ }
  END {
    dead = n["killed"] + n["timeout"] + n["caught by type check"]
    printf "mutate %s: %d mutants in %d s: %d killed, %d survived, %d reached by no fast test, %d other",
           pkg, total, secs, dead, n["survived"], n["no tests"], total - dead - n["survived"] - n["no tests"]
    printf "; surviving: %.1f %% of all mutants, %.1f %% of those the tests reach\n",
           total ? 100 * (total - dead) / total : 0, (total - n["no tests"]) ? 100 * n["survived"] / (total - n["no tests"]) : 0
  }' mutmut-results.txt
echo "survivors (all results: $work/mutmut-results.txt; a diff: cd $work && $root/.venv/bin/mutmut show NAME):"
grep -E ': (survived|no tests)$' mutmut-results.txt | sed 's/^ */  /' || true
exit
}
