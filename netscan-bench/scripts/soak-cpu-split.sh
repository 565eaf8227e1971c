#!/usr/bin/env bash
# How much of the monitoring soak's CPU is ours, and how much is the kernel answering its own
# loopback pings (work that on a real network happens on the devices, not on this host)?
# Runs, one after the other, for DURATION each (default 60s), 20,000 devices at 1 s:
#   1. SoakMain inside a fresh network namespace (lo only): the kernel answers every echo request
#   2. the same namespace with net.ipv4.icmp_echo_ignore_all=1: every request is sent and
#      delivered to the ICMP layer but not answered (no reply generated, nothing to receive);
#      the registry's failure threshold is raised so no device is suspended
#   3. the peer, as close to that rate as it goes: fping cannot keep 20,000 targets at 1 s (its
#      16-bit sequence map with a 10 s expiry allows about 6,500 probes/s: "not enough sequence
#      numbers available"), so fping -l over 5,000 addresses each every 1000 ms
#      (-p 1000 -i 0.2), and netscan's SoakMain with the same 5,000 devices at 1 s
# and prints process CPU (user/sys, % of one core) for each, with SoakMain's per-thread split.
# Needs root (ip netns), fping, netscan-bench/target/benchmarks.jar.
# Usage: netscan-bench/scripts/soak-cpu-split.sh [DURATION]
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/jdk.sh
duration=${1:-60s}
secs=${duration%s}
[ -f netscan-bench/target/benchmarks.jar ] || { echo "build netscan-bench first" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "run as root (ip netns)" >&2; exit 1; }
command -v fping >/dev/null || { echo "fping is not installed" >&2; exit 1; }
ns="nssoak-$$"
cleanup() { ip netns del "$ns" 2>/dev/null || true; }
trap cleanup EXIT
ip netns add "$ns"
ip -n "$ns" link set lo up
jvm=(java --enable-native-access=ALL-UNNAMED -XX:+UseSerialGC -Xmx256m -cp netscan-bench/target/benchmarks.jar)

echo "== 1. netscan SoakMain 20000 @ 1s for $duration in namespace $ns, kernel answers"
ip netns exec "$ns" sysctl -qw net.ipv4.icmp_echo_ignore_all=0
ip netns exec "$ns" "${jvm[@]}" dev.netscan.bench.monitor.SoakMain 20000 1s "$duration" | grep -v WARNING || true

echo "== 2. the same, net.ipv4.icmp_echo_ignore_all=1 (requests sent and delivered, no reply generated)"
ip netns exec "$ns" sysctl -qw net.ipv4.icmp_echo_ignore_all=1
ip netns exec "$ns" "${jvm[@]}" -Dsoak.failureThreshold=1000000 dev.netscan.bench.monitor.SoakMain 20000 1s "$duration" | grep -v WARNING || true
ip netns exec "$ns" sysctl -qw net.ipv4.icmp_echo_ignore_all=0

echo "== 3. fping -l -q -p 1000 -i 0.2 -t 500 over 5000 targets (5,000 probes/s), kernel answers"
tick=$(getconf CLK_TCK)
ip netns exec "$ns" fping -l -q -p 1000 -i 0.2 -t 500 -g 127.64.0.1 127.64.19.136 >/dev/null 2>"/tmp/fping-soak-$$.txt" &
fpid=$!
sleep 5 # let it reach its steady rate
read -r u0 s0 < <(awk '{print $14, $15}' "/proc/$fpid/stat")
sleep "$((secs - 5))"
if [ -r "/proc/$fpid/stat" ]; then
  read -r u1 s1 < <(awk '{print $14, $15}' "/proc/$fpid/stat")
  kill -INT "$fpid" 2>/dev/null || true
  wait "$fpid" 2>/dev/null || true
  awk -v u0="$u0" -v u1="$u1" -v s0="$s0" -v s1="$s1" -v t="$tick" -v w="$((secs - 5))" 'BEGIN{
    u=(u1-u0)/t; s=(s1-s0)/t;
    printf "fping steady %d s: user_s=%.2f sys_s=%.2f cpu_pct_of_one_core=%.2f\n", w, u, s, 100*(u+s)/w}'
else
  echo "fping ended early:"; tail -3 "/tmp/fping-soak-$$.txt"
fi
rm -f "/tmp/fping-soak-$$.txt"
echo "== 4. netscan SoakMain 5000 @ 1s for $duration in namespace $ns (the same load as fping above)"
ip netns exec "$ns" "${jvm[@]}" dev.netscan.bench.monitor.SoakMain 5000 1s "$duration" | grep -v WARNING || true
