#!/usr/bin/env bash
# Soak bench for continuous monitoring on loopback (needs root or CAP_NET_RAW for raw ICMP sockets):
#   20,000 devices at 1 s for 5 minutes, then 100,000 devices at 5 s.
# Usage: netscan-bench/scripts/soak.sh [DURATION] (default 5m; e.g. 30s for a quick look)
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/jdk.sh
duration=${1:-5m}
[ -f netscan-bench/target/benchmarks.jar ] || ./mvnw -B -q -ntp -DskipTests -pl netscan-bench -am package
jvm=(java --enable-native-access=ALL-UNNAMED -XX:+UseSerialGC -Xmx256m -cp netscan-bench/target/benchmarks.jar)
"${jvm[@]}" dev.netscan.bench.monitor.SoakMain 20000 1s "$duration"
"${jvm[@]}" dev.netscan.bench.monitor.SoakMain 100000 5s "$duration"
