#!/usr/bin/env bash
# Runs the fuzz targets of issue 14 (item 5) for 1,000,000 cases each (or the count given as $1),
# from the same fixed seeds as the test suite (which runs 10,000 each). Each target is its JUnit
# fuzz test in the module of the code under test, run with -Dnetscan.fuzz.cases, so the suite and
# this script share one generator and one oracle per target (netscan-bench cannot host them: the
# YAML loader lives in netscan-cli, on which nothing may depend). Prints one line per target:
#   FUZZ <target>: seed S, cases N (...), crashes C, escapes E, R cases/s
# and exits non-zero when any target has a crash or an escape.
#   netscan-bench/scripts/fuzz.sh [cases] [target-regex]   e.g.  fuzz.sh 1000000 'Echo|Snmp'
# Needs nothing but the JDK; no network. The machine is shared: cases/s depend on its load.
set -uo pipefail
cd "$(dirname "$0")/../.."
. scripts/jdk.sh
cases=${1:-1000000}
only=${2:-.}
targets=(
  netscan-core:TargetFuzzTest
  netscan-cli:ConfigFileFuzzTest
  netscan-discovery:EchoCodecFuzzTest
  netscan-discovery:SnmpValueFuzzTest
  netscan-influx:LineProtocolFuzzTest
)
failed=0
echo "fuzz: $cases cases per target, load average $(cut -d' ' -f1-3 /proc/loadavg)"
for t in "${targets[@]}"; do
  module=${t%%:*}
  test=${t##*:}
  [[ "$test" =~ $only ]] || continue
  log=$(mktemp)
  if ./mvnw -B -ntp -q -pl "$module" -am test -Dtest="$test" -Dsurefire.failIfNoSpecifiedTests=false \
      -Dnetscan.fuzz.cases="$cases" >"$log" 2>&1; then
    grep -h '^FUZZ\|^  slowest' "$log"
  else
    failed=1
    grep -h '^FUZZ' "$log" || true
    echo "fuzz: $test FAILED; first lines of its report:"
    grep -v '^\[INFO\]' "$log" | head -40
  fi
  rm -f "$log"
done
echo "fuzz: done, load average $(cut -d' ' -f1-3 /proc/loadavg)"
exit $failed
