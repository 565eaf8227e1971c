#!/usr/bin/env bash
# The one-shot `netscan scan` as a user runs it (scripts/netscan, then scripts/run-jar: AOT cache, C1, young generation),
# against a baseline jar run with the old launcher's flags and against fping, alternated REPS times in
# one run; medians. Loopback only:
#   A  issue 19 case A: 127.2.0.0/18 + 127.2.64.0/20 (20,476 addresses), SNMP on, no agent, inside a
#      fresh network namespace (lo up) this script creates; `--rate 1000000 --in-flight 65536`.
#      Target: whole process <= 3 s.
#   S  issue 13 item 4: 127.1.0.0/16 on the host's loopback, `scan --no-snmp --rate max --in-flight 65536
#      --retries 0 --timeout 200ms --format json` vs `fping -g 127.1.0.0/16 -a -q -i 0 -r 0 -t 200`.
#      Targets: whole process <= fping's; sweep time (the scan's own elapsed_ms) >= 1.5x faster than
#      fping's elapsed.
# Prints every run, then medians of wall time (and user+sys CPU), and the load average before and after.
#
# Usage: [REPS=5] [BASE_JAR=path/to/old/netscan-cli.jar] netscan-bench/scripts/scan-front-door.sh [A] [S]
# Needs root (ip netns), fping for S. The jar is netscan-cli/target/netscan-cli.jar (built when missing).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
. scripts/jdk.sh
[ "$(id -u)" = 0 ] || { echo "scan-front-door: needs root (ip netns)" >&2; exit 1; }
JAR=$root/netscan-cli/target/netscan-cli.jar
[ -f "$JAR" ] || ./mvnw -B -q -ntp -DskipTests -pl netscan-cli -am package
REPS=${REPS:-5}
CASES=" ${*:-A S} "
thp=()
if grep -qE '\[(always|madvise)\]' /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null; then thp=(-XX:+UseTransparentHugePages); fi
# the launcher before this work: no AOT cache, C1 only for scan, default heap
BASE=("$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -XX:+UseSerialGC "${thp[@]}" -XX:TieredStopAtLevel=1 -jar)
work=$(mktemp -d /tmp/scan-front-door.XXXXXX)
ns="netscan-sfd-$$"
cleanup() { ip netns del "$ns" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
ip netns add "$ns"
ip -n "$ns" link set lo up
echo "scan-front-door: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), REPS=$REPS, $(date -u +%H:%M) UTC"
# a first run makes the AOT cache (once per build and flags); it is not measured
NETSCAN_JAR=$JAR bash scripts/run-jar scan 127.0.0.0/30 --no-snmp --format csv >/dev/null
ip netns exec "$ns" env NETSCAN_JAR="$JAR" bash scripts/run-jar scan 127.0.0.0/30 --format csv >/dev/null 2>&1 || true

# $1 label, rest: command; appends "wall cpu" to $work/$label and prints the run
run() {
  local label=$1
  shift
  /usr/bin/time -f "%e %U %S" -o "$work/time" "$@" >"$work/out" 2>"$work/err" || true
  local w u s
  read -r w u s < <(tail -1 "$work/time") || true # the last line: the first may say the exit status
  echo "$w $(awk -v u="$u" -v s="$s" 'BEGIN{print u+s}')" >>"$work/$label"
}
median() { sort -n | awk '{v[NR]=$1} END{if (NR%2) print v[(NR+1)/2]; else printf "%.3f\n", (v[NR/2]+v[NR/2+1])/2}'; }
report() { # label
  printf '  %-26s wall median %6.2f s (runs: %s)  cpu median %5.2f s\n' "$1" "$(cut -d' ' -f1 "$work/$1" | median)" \
      "$(cut -d' ' -f1 "$work/$1" | tr '\n' ' ')" "$(cut -d' ' -f2 "$work/$1" | median)"
}

A_ARGS=(scan 127.2.0.0/18 127.2.64.0/20 --rate 1000000 --in-flight 65536 --format csv)
S_ARGS=(scan 127.1.0.0/16 --no-snmp -q --rate max --in-flight 65536 --retries 0 --timeout 200ms --format json)
for rep in $(seq 1 "$REPS"); do
  if [[ "$CASES" == *" A "* ]]; then
    run A-ours ip netns exec "$ns" bash scripts/netscan "${A_ARGS[@]}"
    echo "rep $rep A ours: $(tail -1 "$work/A-ours") s wall/cpu; $(grep -h '^SNMP:' "$work/err" || echo 'no SNMP line'); rows $(($(wc -l <"$work/out") - 1))"
    if [ -n "${BASE_JAR:-}" ]; then
      run A-base ip netns exec "$ns" "${BASE[@]}" "$BASE_JAR" "${A_ARGS[@]}"
      echo "rep $rep A base: $(tail -1 "$work/A-base") s wall/cpu; $(grep -h '^SNMP:' "$work/err" || echo 'no SNMP line')"
    fi
  fi
  if [[ "$CASES" == *" S "* ]]; then
    run S-fping fping -g 127.1.0.0/16 -a -q -i 0 -r 0 -t 200
    echo "rep $rep S fping: $(tail -1 "$work/S-fping") s wall/cpu; $(wc -l <"$work/out") alive"
    run S-ours bash scripts/netscan "${S_ARGS[@]}"
    sweep=$(grep -o '"elapsed_ms":[0-9]*' "$work/out" | head -1 | cut -d: -f2)
    echo "${sweep:-0}" >>"$work/S-sweep"
    echo "rep $rep S ours: $(tail -1 "$work/S-ours") s wall/cpu; sweep ${sweep:-?} ms; $(grep -o '"alive":[0-9]*' "$work/out" | head -1)"
    if [ -n "${BASE_JAR:-}" ]; then
      run S-base "${BASE[@]}" "$BASE_JAR" "${S_ARGS[@]}"
      sweep=$(grep -o '"elapsed_ms":[0-9]*' "$work/out" | head -1 | cut -d: -f2)
      echo "${sweep:-0}" >>"$work/S-base-sweep"
      echo "rep $rep S base: $(tail -1 "$work/S-base") s wall/cpu; sweep ${sweep:-?} ms"
    fi
  fi
done
echo "medians ($REPS runs each, alternated), load average now $(cut -d' ' -f1-3 /proc/loadavg):"
status=0
if [[ "$CASES" == *" A "* ]]; then
  report A-ours
  [ -z "${BASE_JAR:-}" ] || report A-base
  awk -v w="$(cut -d' ' -f1 "$work/A-ours" | median)" 'BEGIN{exit !(w <= 3.0)}' \
      && echo "  A: whole process <= 3 s: met" || { echo "  A: whole process <= 3 s: MISSED"; status=1; }
fi
if [[ "$CASES" == *" S "* ]]; then
  report S-fping
  report S-ours
  [ -z "${BASE_JAR:-}" ] || report S-base
  f=$(cut -d' ' -f1 "$work/S-fping" | median)
  o=$(cut -d' ' -f1 "$work/S-ours" | median)
  sw=$(median <"$work/S-sweep")
  echo "  S: sweep median ${sw} ms (ours)$( [ -z "${BASE_JAR:-}" ] || echo ", ${BASE_JAR##*/}: $(median <"$work/S-base-sweep") ms")"
  awk -v o="$o" -v f="$f" 'BEGIN{exit !(o <= f)}' && echo "  S: whole process ${o} s <= fping ${f} s: met" \
      || { echo "  S: whole process ${o} s <= fping ${f} s: MISSED"; status=1; }
  awk -v s="$sw" -v f="$f" 'BEGIN{printf "  S: fping elapsed / our sweep = %.2fx (target >= 1.5x): ", f * 1000 / s; exit !(f * 1000 / s >= 1.5)}' \
      && echo met || { echo MISSED; status=1; }
fi
exit $status
