#!/usr/bin/env bash
# SNMP through the front door (issue 19): the product's CLI, not a harness, on 20,476 loopback addresses
# (127.2.0.0/18 + 127.2.64.0/20 for scan; for monitor 19,965: 127.10.0.0/18 + 127.10.64.0/20 without 127.10.78.0/23), each case in its own
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
#      answer and half are silent. Targets: every answering device has its device_info, and every silent
#      one is counted as timed out, within 30 s of its discovery. Measured from /health polled every
#      0.5 s: the lag of the k-th outcome (snmp_successes_total, snmp_timeouts_total) behind the k-th
#      discovery of its kind (device_count / 2), worst over k; and the time from the first discovery
#      until all of them (a bound that also counts the sweep's own 20 s). The device_info points
#      written to data_dir are checked too: one for every answering device, none for silent ones.
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
JAVA=(java --enable-native-access=ALL-UNNAMED -XX:+UseSerialGC)
# scan runs as scripts/netscan runs it (C1 only for the one-shot scan); the baseline jar gets the same flags.
SCAN_JAVA=("${JAVA[@]}" -XX:TieredStopAtLevel=1)
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
  ip netns exec "$ns" "${SCAN_JAVA[@]}" -jar "$jar" scan 127.2.0.0/18 127.2.64.0/20 \
      --rate 1000000 --in-flight 65536 --format csv ${EXTRA:-} >"$WORK/out.csv" 2>"$WORK/err.txt" || true
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
  EXTRA=--no-snmp scan_case "A' same, --no-snmp (the floor)" "$ns" "$CLI" ""
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
exclude: ["127.10.78.0/23"]
data_dir: $WORK/data
health_check_port: $PORT
EOF
  ip netns exec "$ns" "${JAVA[@]}" -jar "$CLI" monitor --config "$WORK/netscan.yml" --duration "${MONITOR_SECONDS}s" \
      >"$WORK/monitor.txt" 2>&1 &
  MON_PID=$!
  # /health once a second: when the first device was known, and the SNMP outcome counters over time
  : >"$WORK/health.txt"
  for _ in $(seq 1 $((2 * MONITOR_SECONDS + 10))); do
    kill -0 "$MON_PID" 2>/dev/null || break
    h=$(ip netns exec "$ns" curl -s -m 1 "http://127.0.0.1:$PORT/health" 2>/dev/null || true)
    [ -n "$h" ] && echo "$(date +%s.%N) $h" >>"$WORK/health.txt"
    sleep 0.5
  done
  wait "$MON_PID" || { echo "snmp-frontdoor: monitor failed"; cat "$WORK/monitor.txt"; status=1; }
  MON_PID=""
  python3 - "$WORK" <<'PY' || status=1
import glob, json, re, sys
work = sys.argv[1]
# Expected devices: the two ranges without their network and broadcast addresses; odd last octets are silent.
ranges = [(0x7F0A0000, 1 << 14), (0x7F0A4000, 1 << 12)]
excluded = range(0x7F0A4E00, 0x7F0A5000)  # 127.10.78.0/23: 19,965 devices, under the default max_devices (20,000)
expected = [a for base, n in ranges for a in range(base + 1, base + n - 1) if a not in excluded]
silent_n = sum(1 for a in expected if a & 1)
answering_n = len(expected) - silent_n
info = {}
for f in glob.glob(work + "/data/metrics/*.lp"):
    for line in open(f, encoding="utf-8", errors="replace"):
        m = re.match(r'device_info,ip=([0-9.]+)\S* .* (\d+)$', line.rstrip("\n"))
        if m and (m.group(1) not in info or int(m.group(2)) < info[m.group(1)]):
            info[m.group(1)] = int(m.group(2))
odd = lambda ip: int(ip.rsplit(".", 1)[1]) % 2 == 1
wrong = [ip for ip in info if odd(ip)]
samples = []  # (t, devices, successes, timeouts)
last = None
for line in open(work + "/health.txt"):
    t, doc = line.split(" ", 1)
    try:
        d = json.loads(doc)
    except ValueError:
        continue
    f = d.get("fields", d)
    samples.append((float(t), f.get("device_count", 0), f.get("snmp_successes_total", 0), f.get("snmp_timeouts_total", 0)))
    last = f
ok = True
print(f"C monitor: {len(expected)} addresses, {answering_n} answering, {silent_n} silent; "
      f"{len(info)} device_info points, {len(wrong)} of them for silent devices")
if last:
    keys = ["device_count", "snmp_successes_total", "snmp_timeouts_total", "snmp_no_agent_total", "snmp_errors_total",
            "snmp_local_refusals_total", "snmp_max_in_flight"]
    print("  last /health: " + ", ".join(f"{k}={last.get(k)}" for k in keys))
first = next((t for t, dc, _, _ in samples if dc > 0), None)
def when(pred):
    return next((t for t, dc, su, to in samples if pred(dc, su, to)), None)
# Lag of the k-th outcome behind the k-th discovery of its kind (the sweep interleaves odd and even
# addresses, so the k-th silent device is found when about 2k devices are known; the scanner serves
# devices in discovery order): the horizontal distance between the curves, +-0.5 s of polling.
def lag(col, total):
    worst = 0.0
    for k in range(max(1, total // 50), total + 1, max(1, total // 50)):
        td = when(lambda dc, su, to: dc >= min(len(expected) - 1, 2 * k))
        tk = when(lambda dc, su, to: (su if col == 2 else to) >= k)
        if td is None or tk is None:
            return None
        worst = max(worst, tk - td)
    return worst
if first is None:
    print("  MISSED: no device discovered"); sys.exit(1)
for name, col, total, target in (("answering devices have device_info", 2, answering_n, 30),
                                 ("silent devices counted as timed out", 3, silent_n, 30)):
    done = when(lambda dc, su, to: (su if col == 2 else to) >= total)
    l = lag(col, total)
    if done is None or l is None:
        print(f"  MISSED: not all {name} within the run"); ok = False; continue
    print(f"  all {total} {name}: {done - first:.1f} s after the first discovery; "
          f"worst lag behind discovery {l:.1f} s (target {target} s)")
    if l > target:
        print("  MISSED"); ok = False
if len(info) < answering_n or wrong:
    print("  MISSED: device_info for exactly the answering devices"); ok = False
sys.exit(0 if ok else 1)
PY
fi
echo "snmp-frontdoor: load average after $(cut -d' ' -f1-3 /proc/loadavg)"
exit $status
