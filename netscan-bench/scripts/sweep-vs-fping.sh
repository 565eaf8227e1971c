#!/usr/bin/env bash
# Compares netscan's ICMP sweep with fping, in one run, on loopback only:
#   1. all-alive 127.1.0.0/16 on the host's loopback: our sweep vs
#      `fping -g 127.1.0.0/16 -a -q -i 0 -r 0 -t 200`
#   2. the same /16 inside a network namespace this script creates, with echo requests to
#      127.1.128.0/17 dropped by iptables (half dead): our sweep vs fping, timeout 1 s
# Prints addresses found and wall time for each, the ratios, and checks: every live address
# found, no dead one reported, half-dead sweep done within timeout + 1 s.
#
# Needs root (raw sockets, ip netns, iptables), fping, and netscan-bench/target/benchmarks.jar
# (build: ./mvnw -B -ntp -pl netscan-bench -am package -DskipTests).
# Usage: [REPS=5] [SWEEP_JAVA_OPTS='...'] netscan-bench/scripts/sweep-vs-fping.sh [path/to/benchmarks.jar]
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$root/scripts/jdk.sh"
jar=${1:-$root/netscan-bench/target/benchmarks.jar}
[ -f "$jar" ] || { echo "missing $jar; build it with ./mvnw -B -ntp -pl netscan-bench -am package -DskipTests" >&2; exit 1; }
command -v fping >/dev/null || { echo "fping is not installed (apt-get install fping)" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "run as root: the namespace part needs ip netns and iptables" >&2; exit 1; }

ns="nsbench-$$"
work=$(mktemp -d)
cleanup() { ip netns del "$ns" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

# JVM flags for our sweep process (override with SWEEP_JAVA_OPTS). Default: none, i.e. the normal
# tiered JIT and default GC, which is what `java -jar netscan-cli.jar scan` gets. (The engine builds
# packets in heap arrays and moves them with bulk copies and 256-message sendmmsg/recvmmsg batches,
# so its first sweep is fast while the JIT still compiles it.) E.g. SWEEP_JAVA_OPTS="-XX:TieredStopAtLevel=1"
# for C1 only.
java_opts=${SWEEP_JAVA_OPTS:-}
# shellcheck disable=SC2206
java_sweep=(java --enable-native-access=ALL-UNNAMED $java_opts -cp "$jar" dev.netscan.bench.icmp.SweepMain)
echo "our JVM flags: ${java_opts:-(none: default JIT and GC)}"
now_ns() { date +%s%N; }
field() { sed -n "s/.*$1=\([^ ]*\).*/\1/p" | tail -1; }
fail=0

reps=${REPS:-5}
echo "== 1. all-alive 127.1.0.0/16 on loopback (timeout 200 ms, no retries), $reps alternating repetitions, medians"
median() { sort -n | awk '{v[NR]=$1} END{if (NR%2) print v[(NR+1)/2]; else printf "%.3f\n", (v[NR/2]+v[NR/2+1])/2}'; }
: > "$work/fping.s"; : > "$work/cold.s"; : > "$work/warm.s"; : > "$work/coldstart.s"
for rep in $(seq 1 "$reps"); do
  t0=$(now_ns)
  fping -g 127.1.0.0/16 -a -q -i 0 -r 0 -t 200 > "$work/fping-alive.txt" 2>/dev/null || true
  t1=$(now_ns)
  fping_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f", (b-a)/1e9}')
  fping_n=$(wc -l < "$work/fping-alive.txt")
  # run 1: the first sweep of a fresh JVM (cold: JIT still compiling); run 2: the same /16 again
  # in the same process (warm, as in the long-running service). Both are reported.
  out=$("${java_sweep[@]}" 127.1.0.0/16 --timeout-ms 200 --retries 0 --runs 2 --alive-file "$work/ours-alive.txt")
  cold_s=$(echo "$out" | grep '^run=1 ' | field elapsed_s)
  ours_s=$(echo "$out" | grep '^run=2 ' | field elapsed_s)
  cold_n=$(echo "$out" | grep '^run=1 ' | field alive)
  cold_start_s=$(echo "$out" | grep '^run=1 ' | field with_start_s)
  ours_n=$(wc -l < "$work/ours-alive.txt")
  echo "rep $rep: fping found $fping_n in ${fping_s} s; netscan first sweep found $cold_n in ${cold_s} s (${cold_start_s} s with engine start), second sweep $ours_n in ${ours_s} s"
  echo "$fping_s" >> "$work/fping.s"; echo "$cold_s" >> "$work/cold.s"; echo "$ours_s" >> "$work/warm.s"; echo "$cold_start_s" >> "$work/coldstart.s"
  [ "$fping_n" = 65534 ] || echo "note: fping found $fping_n of 65534"
  [ "$cold_n" = 65534 ] || { echo "FAIL: expected 65534 alive in the cold run, found $cold_n"; fail=1; }
  [ "$ours_n" = 65534 ] || { echo "FAIL: expected 65534 alive, found $ours_n"; fail=1; }
done
fping_s=$(median < "$work/fping.s"); cold_s=$(median < "$work/cold.s"); ours_s=$(median < "$work/warm.s"); cold_start_s=$(median < "$work/coldstart.s")
echo "medians: fping ${fping_s} s (process wall time); netscan first sweep ${cold_s} s (${cold_start_s} s with the engine's start), second sweep ${ours_s} s"
awk -v f="$fping_s" -v c="$cold_s" -v o="$ours_s" -v cs="$cold_start_s" 'BEGIN{printf "ratio fping/netscan (medians): %.2fx (cold, first sweep), %.2fx (warm), %.2fx (cold incl. engine start)\n", f/c, f/o, f/cs}'
awk -v f="$fping_s" -v c="$cold_s" 'BEGIN{exit !(f/c >= 1.5)}' || { echo "MISS: the first (cold) all-alive sweep is not 1.5x faster than fping (medians)"; fail=1; }
awk -v f="$fping_s" -v o="$ours_s" 'BEGIN{exit !(f/o >= 1.5)}' || { echo "MISS: the warm all-alive sweep is not 1.5x faster than fping (medians)"; fail=1; }

echo
echo "== 2. half-dead 127.1.0.0/16 in namespace $ns (127.1.128.0/17 dropped; timeout 1000 ms, no retries)"
ip netns add "$ns"
ip -n "$ns" link set lo up
ip netns exec "$ns" iptables -w -A INPUT -p icmp --icmp-type echo-request -d 127.1.128.0/17 -j DROP
t0=$(now_ns)
ip netns exec "$ns" fping -g 127.1.0.0/16 -a -q -i 0 -r 0 -t 1000 > "$work/fping-half.txt" 2>/dev/null || true
t1=$(now_ns)
fping_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f", (b-a)/1e9}')
fping_n=$(wc -l < "$work/fping-half.txt")
out=$(ip netns exec "$ns" "${java_sweep[@]}" 127.1.0.0/16 --timeout-ms 1000 --retries 0 --alive-file "$work/ours-half.txt")
echo "$out"
ours_s=$(echo "$out" | field elapsed_s)
ours_n=$(wc -l < "$work/ours-half.txt")
dead_reported=$(awk -F. '$3 >= 128' "$work/ours-half.txt" | wc -l)
echo "fping:   found $fping_n in ${fping_s} s"
echo "netscan: found $ours_n in ${ours_s} s (sweep); dead addresses reported: $dead_reported"
awk -v f="$fping_s" -v o="$ours_s" 'BEGIN{printf "ratio fping/netscan: %.2fx\n", f/o}'
echo "design bound of the reference (64 workers, each blocking up to 1 s per dead address): 32768 / 64 * 1 s = 512 s"
[ "$ours_n" = 32767 ] || { echo "FAIL: expected 32767 alive, found $ours_n"; fail=1; }
[ "$dead_reported" = 0 ] || { echo "FAIL: $dead_reported dead addresses reported alive"; fail=1; }
awk -v o="$ours_s" 'BEGIN{exit !(o <= 2.0)}' || { echo "MISS: half-dead sweep took more than timeout + 1 s"; fail=1; }

if [ "$fail" = 0 ]; then echo "OK: all targets met in this run"; else echo "NOT OK: see FAIL/MISS lines above"; fi
exit "$fail"
