#!/usr/bin/env bash
# Measures the governor's figures recorded in docs/bench/governor.md: one real host-probe sample
# (production shape: OSHI caches expired) and back to back, the lock-free throttle read and the
# error counter, with -prof gc for allocation. Short runs; the machine is shared, so figures are noisy.
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/jdk.sh
if [ ! -f netscan-bench/target/benchmarks.jar ]; then
  ./mvnw -B -q -ntp -DskipTests -pl netscan-bench -am package
fi
jar=netscan-bench/target/benchmarks.jar
java --enable-native-access=ALL-UNNAMED -jar "$jar" -f 1 -wi 2 -i 3 -w 1s -r 1s -prof gc \
  'dev.netscan.bench.governor.(ThrottleReadBenchmark|ErrorRateRecordBenchmark)' "$@"
java --enable-native-access=ALL-UNNAMED -jar "$jar" -f 1 -wi 5 -i 30 \
  'dev.netscan.bench.governor.HostProbeSampleBenchmark.sampleAfterCachesExpire' "$@"
java --enable-native-access=ALL-UNNAMED -jar "$jar" -f 1 -wi 2 -i 3 -w 1s -r 1s -prof gc \
  'dev.netscan.bench.governor.HostProbeSampleBenchmark.sampleBackToBack' "$@"
