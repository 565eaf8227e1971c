#!/usr/bin/env bash
# Issue 14 item 6 at full length: HostileIcmpTest with a 10 s junk flood at 100,000 packets/s
# (the suite floods for 1.5 s). Needs root (network namespace, raw sockets, iptables); every
# packet stays inside the namespace the test creates. Prints the packets sent, the rate reached,
# how they were counted (ignored by cause, kernel drops) and the monitoring rounds held.
#   netscan-bench/scripts/hostile-icmp.sh [seconds] [pps]
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/jdk.sh
seconds=${1:-10}
pps=${2:-100000}
echo "hostile ICMP: ${seconds}s at ${pps} pps asked, load average $(cut -d' ' -f1-3 /proc/loadavg)"
CI=true ./mvnw -B -ntp -q -pl netscan-discovery -am test -Dtest=HostileIcmpTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Dnetscan.hostile.floodSeconds="$seconds" -Dnetscan.hostile.floodPps="$pps" 2>&1 \
  | grep -E '^(hostile|junk)|Tests run|FAIL|ERROR\]' | grep -v '^\[ERROR\] *$' || true
echo "hostile ICMP: done, load average $(cut -d' ' -f1-3 /proc/loadavg)"
