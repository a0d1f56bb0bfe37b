#!/usr/bin/env bash
# Issue 12's proof: the README's two commands, one after the other, in the order given, with
# nothing done by hand in between. `bash scripts/sequences.sh demo test test demo demo` covers the
# four pairs demo;test, test;test, test;demo and demo;demo. Each run's output goes to
# build/sequences/<n>-<target>.log; a table of exit codes and wall times is printed at the end and
# the script exits non-zero when any run failed (it goes on after a failure: later pairs still
# tell something).
set -uo pipefail
cd "$(dirname "$0")/.."
if [ $# -eq 0 ]; then
  echo "usage: $0 demo|test [demo|test ...]   (e.g. demo test test demo demo)" >&2
  exit 2
fi
for target in "$@"; do
  case $target in demo|test) ;; *) echo "error: '$target' is not demo or test (fix: name README commands only)" >&2; exit 2;; esac
done
out=build/sequences
mkdir -p "$out"
rows=() failed=0 n=0 previous=
for target in "$@"; do
  n=$((n + 1)); log=$out/$n-$target.log; start=$SECONDS
  echo "== $n: make $target (log: $log)"
  make "$target" >"$log" 2>&1; code=$?
  seconds=$((SECONDS - start))
  pair=${previous:+$previous;}$target
  rows+=("$(printf '%-3s %-12s %-5s %5d s  %s' "$n" "$pair" "$code" "$seconds" "$log")")
  echo "${rows[-1]}"
  [ "$code" -eq 0 ] || failed=1
  previous=$target
done
echo
printf '%-3s %-12s %-5s %7s  %s\n' "#" "sequence" "exit" "wall" "log"
printf '%s\n' "${rows[@]}"
exit $failed
