#!/usr/bin/env bash
# SNMP through the front door (issue 19): the product's CLI, not a harness, on 20,476 loopback addresses
# (127.2.0.0/18 + 127.2.64.0/20 for scan, 127.10.0.0/18 + 127.10.64.0/20 for monitor), each case in its own
# fresh network namespace (lo up; every address of 127.0.0.0/8 answers ICMP echo there). Nothing leaves the
# namespaces; they, their rules and the agent (by PID) are removed on exit.
#
#   A  scan, SNMP on, no agent anywhere: the kernel answers each SNMP request with port-unreachable.
#      Target: whole process <= 3 s.
#   B  the same with port-unreachable suppressed (iptables OUTPUT DROP of icmp port-unreachable), so every
#      SNMP query must time out (scan's defaults: 1 s, 1 retry). Target: whole process <= 15 s.
#   C  monitor --config with a plain config (only networks, data_dir, health_check_port set; SNMP port 161)
#      for MONITOR_SECONDS (default 75): a real SNMP agent (SnmpBenchAgent, snmp4j) bound to 0.0.0.0:161
#      answers for every address, and iptables drops UDP 161 to every odd address, so half the devices
#      answer and half are silent. Targets: every answering device has its device_info within 30 s of
#      its first ping point (its discovery); every silent device is counted as timed out within 30 s of
#      the first discovery (snmp_timeouts_total in /health reaches the silent count by then).
#
# BASE_JAR=path/to/old/netscan-cli.jar runs A and B with that jar too (the same-run baseline).
# Needs root (ip netns, iptables). Usage: netscan-bench/scripts/snmp-frontdoor.sh [A] [B] [C] (default all).
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/jdk.sh

if [ "$(id -u)" != 0 ]; then
  echo "snmp-frontdoor: needs root for ip netns and iptables" >&2
  exit 1
fi
CLI=netscan-cli/target/netscan-cli.jar
BENCH=netscan-bench/target/benchmarks.jar
if [ ! -f "$CLI" ] || [ ! -f "$BENCH" ]; then
  ./mvnw -B -q -ntp -DskipTests -pl netscan-cli,netscan-bench -am package
fi
JAVA=(java --enable-native-access=ALL-UNNAMED)
CASES=("${@:-A B C}")
CASES=" ${CASES[*]} "

NSES=()
AGENT_PID=""
MON_PID=""
WORK=$(mktemp -d /tmp/snmp-frontdoor.XXXXXX)
cleanup() {
  if [ -n "$MON_PID" ]; then kill "$MON_PID" 2>/dev/null || true; wait "$MON_PID" 2>/dev/null || true; fi
  if [ -n "$AGENT_PID" ]; then kill "$AGENT_PID" 2>/dev/null || true; wait "$AGENT_PID" 2>/dev/null || true; fi
  for ns in "${NSES[@]}"; do ip netns del "$ns" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

new_ns() {
  local ns="netscan-fd-$$-$1"
  ip netns add "$ns"
  NSES+=("$ns")
  ip netns exec "$ns" ip link set lo up
  echo "$ns"
}

status=0
echo "snmp-frontdoor: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"

# $1 label, $2 namespace, $3 jar, $4 target seconds
scan_case() {
  local label=$1 ns=$2 jar=$3 target=$4 t0 t1 ms
  t0=$(date +%s%N)
  ip netns exec "$ns" "${JAVA[@]}" -jar "$jar" scan 127.2.0.0/18 127.2.64.0/20 \
      --rate 1000000 --in-flight 65536 --format csv >"$WORK/out.csv" 2>"$WORK/err.txt" || true
  t1=$(date +%s%N)
  ms=$(( (t1 - t0) / 1000000 ))
  local alive
  alive=$(($(wc -l <"$WORK/out.csv") - 1))
  printf '%-34s %6d ms  (%d alive; %s)\n' "$label" "$ms" "$alive" "$(grep -h '^SNMP:' "$WORK/err.txt" || echo 'no SNMP summary')"
  if [ -n "$target" ] && [ "$ms" -gt $((target * 1000)) ]; then
    echo "  MISSED: target ${target} s"
    status=1
  fi
}

if [[ "$CASES" == *" A "* ]]; then
  ns=$(new_ns a)
  scan_case "A scan, port-unreachable" "$ns" "$CLI" 3
  if [ -n "${BASE_JAR:-}" ]; then scan_case "A baseline ($BASE_JAR)" "$ns" "$BASE_JAR" ""; fi
  ip netns exec "$ns" bash -c 'echo "  kernel: $(nstat -az IcmpOutDestUnreachs IcmpOutRateLimitGlobal IcmpOutRateLimitHost | tail -n +2 | tr -s " " | tr "\n" ";")"'
fi

if [[ "$CASES" == *" B "* ]]; then
  ns=$(new_ns b)
  ip netns exec "$ns" iptables -w -A OUTPUT -p icmp --icmp-type port-unreachable -j DROP
  scan_case "B scan, port-unreachable dropped" "$ns" "$CLI" 15
  if [ -n "${BASE_JAR:-}" ]; then scan_case "B baseline ($BASE_JAR)" "$ns" "$BASE_JAR" ""; fi
fi

if [[ "$CASES" == *" C "* ]]; then
  MONITOR_SECONDS=${MONITOR_SECONDS:-75}
  ns=$(new_ns c)
  ip netns exec "$ns" iptables -w -A INPUT -p udp --dport 161 -d 0.0.0.1/0.0.0.1 -j DROP
  ip netns exec "$ns" java -XX:+UseSerialGC -Xmx256m -cp "$BENCH" dev.netscan.bench.snmp.SnmpBenchAgent 161 public \
      $((MONITOR_SECONDS + 60)) >"$WORK/agent.txt" 2>&1 &
  AGENT_PID=$!
  deadline=$((SECONDS + 30))
  until ip netns exec "$ns" ss -Hlun "sport = :161" | grep -q .; do
    [ $SECONDS -lt $deadline ] || { echo "snmp-frontdoor: agent did not start" >&2; exit 1; }
    sleep 0.2
  done
  PORT=18099
  cat >"$WORK/netscan.yml" <<EOF
networks: ["127.10.0.0/18", "127.10.64.0/20"]
data_dir: $WORK/data
health_check_port: $PORT
EOF
  ip netns exec "$ns" "${JAVA[@]}" -jar "$CLI" monitor --config "$WORK/netscan.yml" --duration "${MONITOR_SECONDS}s" \
      >"$WORK/monitor.txt" 2>&1 &
  MON_PID=$!
  # /health once a second: when the first device was known, and the SNMP outcome counters over time
  : >"$WORK/health.txt"
  for _ in $(seq 1 $((MONITOR_SECONDS + 5))); do
    kill -0 "$MON_PID" 2>/dev/null || break
    h=$(ip netns exec "$ns" curl -s -m 1 "http://127.0.0.1:$PORT/health" 2>/dev/null || true)
    [ -n "$h" ] && echo "$(date +%s.%N) $h" >>"$WORK/health.txt"
    sleep 1
  done
  wait "$MON_PID" || { echo "snmp-frontdoor: monitor failed"; cat "$WORK/monitor.txt"; status=1; }
  MON_PID=""
  python3 - "$WORK" <<'PY' || status=1
import glob, json, re, sys
work = sys.argv[1]
first_ping, info = {}, {}
for f in glob.glob(work + "/data/metrics/*.lp"):
    for line in open(f, encoding="utf-8", errors="replace"):
        m = re.match(r'(ping|device_info),ip=([0-9.]+)\S* .* (\d+)$', line.rstrip("\n"))
        if not m:
            continue
        kind, ip, ts = m.group(1), m.group(2), int(m.group(3))
        if kind == "ping":
            if ip not in first_ping or ts < first_ping[ip]:
                first_ping[ip] = ts
        elif ip not in info or ts < info[ip]:
            info[ip] = ts
def odd(ip): return int(ip.rsplit(".", 1)[1]) % 2 == 1
answering = [ip for ip in first_ping if not odd(ip)]
silent = [ip for ip in first_ping if odd(ip)]
lags = sorted((info[ip] - first_ping[ip]) / 1e9 for ip in answering if ip in info)
missing = [ip for ip in answering if ip not in info]
ok = True
print(f"C monitor: {len(first_ping)} devices discovered ({len(answering)} answering, {len(silent)} silent)")
if lags:
    p = lambda q: lags[min(len(lags) - 1, int(q * len(lags)))]
    print(f"  device_info after discovery: p50 {p(0.5):.2f} s, p99 {p(0.99):.2f} s, max {lags[-1]:.2f} s; "
          f"{len(missing)} answering devices without device_info")
if missing or not lags or lags[-1] > 30:
    print("  MISSED: every answering device has device_info within 30 s"); ok = False
wrong = [ip for ip in info if odd(ip)]
if wrong:
    print(f"  WRONG: {len(wrong)} silent devices have device_info"); ok = False
first_seen, timed_out_at, last = None, None, None
for line in open(work + "/health.txt"):
    t, doc = line.split(" ", 1)
    try:
        d = json.loads(doc)
    except ValueError:
        continue
    f = d.get("fields", d)
    if first_seen is None and f.get("device_count", 0) > 0:
        first_seen = float(t)
    if timed_out_at is None and f.get("snmp_timeouts_total", 0) >= len(silent) > 0:
        timed_out_at = float(t)
    last = f
if last:
    keys = ["snmp_successes_total", "snmp_timeouts_total", "snmp_no_agent_total", "snmp_errors_total",
            "snmp_local_refusals_total", "snmp_max_in_flight"]
    print("  last /health: " + ", ".join(f"{k}={last.get(k)}" for k in keys))
if first_seen is None or timed_out_at is None:
    print("  MISSED: silent devices all counted as timed out"); ok = False
else:
    print(f"  all {len(silent)} silent devices timed out {timed_out_at - first_seen:.1f} s after the first discovery (+-1 s polling)")
    if timed_out_at - first_seen > 30:
        print("  MISSED: within 30 s"); ok = False
sys.exit(0 if ok else 1)
PY
fi
echo "snmp-frontdoor: load average after $(cut -d' ' -f1-3 /proc/loadavg)"
exit $status
