#!/usr/bin/env bash
# SNMP benchmark: 20,000 devices, half of them silent, timeout 1 s, 1 retry; target <= 15 s wall.
#
# Inside a fresh network namespace (lo up), one SNMP agent bound to 0.0.0.0:PORT answers for every
# address of 127.0.0.0/8. Devices are FIRST .. FIRST+19,999 (127.10.0.0 - 127.10.78.31); iptables
# drops UDP to PORT for every odd address (destination mask 0.0.0.1/0.0.0.1), so exactly half are
# silent. The scanner (dev.netscan.bench.snmp.Snmp20k) runs in the same namespace. Nothing leaves the
# namespace; the namespace, its rules and the agent (by PID) are removed on exit.
#
# Needs root (ip netns, iptables). Usage: netscan-bench/scripts/snmp-20k.sh [MAX_IN_FLIGHT ...]
# (default 4096; several values run one after another). Then the reference design (32 blocking
# workers) runs on BASELINE_DEVICES (default 2000; 0 skips it) of the same devices.
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/jdk.sh

if [ "$(id -u)" != 0 ]; then
  echo "snmp-20k: needs root for ip netns and iptables" >&2
  exit 1
fi
JAR=netscan-bench/target/benchmarks.jar
if [ ! -f "$JAR" ]; then
  ./mvnw -B -q -ntp -DskipTests -pl netscan-bench -am package
fi

NS="netscan-snmp-$$"
PORT=16161
COMMUNITY=netscan-bench
DEVICES=20000
FIRST=127.10.0.0
AGENT_PID=""
cleanup() {
  if [ -n "$AGENT_PID" ]; then kill "$AGENT_PID" 2>/dev/null || true; wait "$AGENT_PID" 2>/dev/null || true; fi
  ip netns del "$NS" 2>/dev/null || true
}
trap cleanup EXIT

ip netns add "$NS"
ip netns exec "$NS" ip link set lo up
ip netns exec "$NS" iptables -A INPUT -p udp --dport "$PORT" -d 0.0.0.1/0.0.0.1 -j DROP

ip netns exec "$NS" java -XX:+UseSerialGC -Xmx256m -cp "$JAR" dev.netscan.bench.snmp.SnmpBenchAgent "$PORT" "$COMMUNITY" 600 &
AGENT_PID=$!
deadline=$((SECONDS + 30))
until ip netns exec "$NS" ss -Hlun "sport = :$PORT" | grep -q .; do
  [ $SECONDS -lt $deadline ] || { echo "snmp-20k: agent did not start" >&2; exit 1; }
  sleep 0.2
done

status=0
for mif in "${@:-4096}"; do
  ip netns exec "$NS" java -XX:+UseSerialGC -Xmx512m -cp "$JAR" dev.netscan.bench.snmp.Snmp20k \
      "$PORT" "$COMMUNITY" "$DEVICES" "$FIRST" "$mif" || status=1
done
# The reference design on the same set-up, on a slice (it is slow): 32 blocking workers, same 1 s / 1 retry.
BASELINE_DEVICES=${BASELINE_DEVICES:-2000}
if [ "$BASELINE_DEVICES" -gt 0 ]; then
  ip netns exec "$NS" java -XX:+UseSerialGC -Xmx256m -cp "$JAR" dev.netscan.bench.snmp.Snmp20k \
      "$PORT" "$COMMUNITY" "$BASELINE_DEVICES" "$FIRST" 32 blocking || status=1
fi
echo "dropped by iptables (silent half, requests incl. retries): $(ip netns exec "$NS" iptables -L INPUT -v -x -n | awk '/DROP/ {print $1}')"
exit $status
