#!/usr/bin/env bash
# Issue 14 item 7: an hour of abuse through the front door. Root, loopback only.
#
#   sudo netscan-bench/scripts/abuse-hour.sh            # MINUTES=60
#   MINUTES=7 netscan-bench/scripts/abuse-hour.sh       # a short run to validate the script
#
# What it does:
#   - builds the CLI jar (package, never install) and starts its own VictoriaMetrics (apt's
#     victoria-metrics) on a free loopback port with its own data directory, no deduplication:
#     every sample sent is kept, so the export shows resends (see "duplicates" below);
#   - runs `netscan monitor` through scripts/run-jar (the launcher the systemd unit uses, with the
#     unit's -Xmx512m) on a plain config: 20,000 loopback devices (127.14.0.0/18 + 127.14.64.0/20
#     minus 476 addresses), ping_interval 1s, VictoriaMetrics as the database (InfluxDB v1 line
#     protocol), data_dir and health_check_port of its own (the default port 8080 may be taken);
#   - abuses it on a schedule that scales with MINUTES (times for 60): database outages of 1, 5
#     and 10 minutes at 11, 20 and 36 min (VictoriaMetrics stopped by its PID, restarted on the
#     same data directory and port), kill -9 of netscan at 8, 16, 22.5 (inside the 5 min outage),
#     31 and 41 min (inside the 10 min outage), each followed at once by a restart;
#   - samples every 10 s: /health (status, writer accounting, lateness percentiles, heap used),
#     VmRSS of the process, the load average;
#   - at the end lets the spool drain (up to DRAIN_SECONDS), stops netscan with SIGTERM, exports
#     every device's ping_success samples from VictoriaMetrics and prints per requirement:
#       loss      points missing per device: inside each restart gap (<= 3 per kill per device)
#                 and anywhere else (must be 0, outages included: the spool fills them);
#       dups      samples of a device at the same millisecond (a resent batch: what
#                 VictoriaMetrics collapses with -dedup.minScrapeInterval=1ms) and samples closer
#                 than half an interval at different times (duplicates no dedup removes: must be 0);
#       memory    least-squares slope of heap used and RSS after the first 5 minutes;
#       lateness  p99 of each process's lifetime, as /health reports it (<= 10 ms).
#
# Everything goes to OUT (default netscan-bench/target/abuse-<UTC time>): config, logs, samples.tsv,
# events.tsv, summary.txt. Ends only the processes it started, by PID.
#   MINUTES=60  DRAIN_SECONDS=300  OUT=<dir>  SKIP_BUILD=1 (reuse netscan-cli/target/netscan-cli.jar)
#   NICE=-10    scheduling priority of netscan and VictoriaMetrics (only they get it). On a machine
#               shared with builds (load 10-25 on 2 cores) a process at the default priority gets a
#               fraction of a core: restarts then take 10-25 s and the engine's in-flight bound fills
#               (probes refused as local outcomes), which measures the neighbours, not netscan.
#               NICE=0 runs everything at the default priority.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)
[ "$(id -u)" = 0 ] || { echo "abuse-hour: needs root (raw ICMP for 20,000 devices, kill -9 of its own JVM)" >&2; exit 1; }
command -v victoria-metrics >/dev/null || { echo "abuse-hour: needs victoria-metrics (apt-get install victoria-metrics)" >&2; exit 1; }
command -v jq >/dev/null || { echo "abuse-hour: needs jq" >&2; exit 1; }
python3 -c 'import numpy' 2>/dev/null || { echo "abuse-hour: needs python3 with numpy (apt-get install python3-numpy)" >&2; exit 1; }
. scripts/jdk.sh
. scripts/test-servers # netscan_free_tcp_port only: no server is started from it

MINUTES=${MINUTES:-60}
NICE=${NICE:--10}
DRAIN_SECONDS=${DRAIN_SECONDS:-300}
OUT=${OUT:-$repo/netscan-bench/target/abuse-$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
jar=$repo/netscan-cli/target/netscan-cli.jar
if [ -z "${SKIP_BUILD:-}" ] || [ ! -f "$jar" ]; then
  echo "abuse-hour: building $jar" >&2
  ./mvnw -B -ntp -q -DskipTests -pl netscan-cli -am package
fi

# --- the schedule, in seconds for MINUTES=60, scaled -------------------------------------------
total=$((MINUTES * 60))
at() { python3 -c "print(round($1 * $total / 3600))"; }
KILLS=("$(at 480)" "$(at 960)" "$(at 1350)" "$(at 1860)" "$(at 2460)")
OUTAGE_START=("$(at 660)" "$(at 1200)" "$(at 2160)")
OUTAGE_LEN=("$(at 60)" "$(at 300)" "$(at 600)")
# The first kill must find a registry snapshot, which the service writes every snapshot_interval
# (default 5m): in a run shorter than the hour the interval shrinks with the schedule. At 60 minutes
# nothing is set.
snapshot_line=
if [ "$MINUTES" -lt 60 ]; then
  snapshot_line="snapshot_interval: $(at 300)s"
fi

# --- processes we started, ended by PID -----------------------------------------------------------
vm_pid=
ns_pid=
sampler_pid=
cleanup() {
  [ -n "$sampler_pid" ] && kill "$sampler_pid" 2>/dev/null || true
  if [ -n "$ns_pid" ] && kill -0 "$ns_pid" 2>/dev/null; then kill "$ns_pid" 2>/dev/null || true; wait "$ns_pid" 2>/dev/null || true; fi
  if [ -n "$vm_pid" ] && kill -0 "$vm_pid" 2>/dev/null; then kill "$vm_pid" 2>/dev/null || true; wait "$vm_pid" 2>/dev/null || true; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

now_ms() { date +%s%3N; }
event() { # name [detail]
  printf '%s\t%s\t%s\n' "$(now_ms)" "$1" "${2:-}" >>"$OUT/events.tsv"
  echo "abuse-hour: $(date -u +%H:%M:%S) +$(( $(date +%s) - t0 ))s $1 ${2:-}" >&2
}

vm_port=$(netscan_free_tcp_port 18528)
health_port=$(netscan_free_tcp_port 18580)
vm_url=http://127.0.0.1:$vm_port
start_vm() {
  nice -n "$NICE" victoria-metrics -httpListenAddr="127.0.0.1:$vm_port" -storageDataPath="$OUT/vm" -retentionPeriod=100y \
      -loggerLevel=ERROR >>"$OUT/vm.log" 2>&1 &
  vm_pid=$!
  echo "$vm_pid" >"$OUT/vm.pid"
  local deadline=$((SECONDS + 60))
  until curl -fsS -m 2 "$vm_url/health" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || { echo "abuse-hour: VictoriaMetrics did not start" >&2; tail "$OUT/vm.log" >&2; exit 1; }
    sleep 0.2
  done
}
stop_vm() {
  kill "$vm_pid"
  wait "$vm_pid" 2>/dev/null || true
  vm_pid=
  echo 0 >"$OUT/vm.pid"
}

cat >"$OUT/netscan.yml" <<YAML
# issue 14 item 7: a plain config; see netscan-bench/scripts/abuse-hour.sh for why each key is set
networks: ["127.14.0.0/18", "127.14.64.0/20"]
exclude: ["127.14.70.0/24", "127.14.71.0/25", "127.14.71.128/26", "127.14.71.192/28", "127.14.71.208/29", "127.14.71.216/30"]
ping_interval: 1s
data_dir: "$OUT/data"
health_check_port: $health_port
$snapshot_line
influxdb:
  url: "$vm_url"
  api_version: 1
  database: netscan
YAML

start_netscan() {
  NETSCAN_JAR=$jar NETSCAN_JAVA_OPTS=-Xmx512m nice -n "$NICE" "$repo/scripts/run-jar" monitor --config "$OUT/netscan.yml" \
      >>"$OUT/netscan.log" 2>&1 &
  ns_pid=$! # run-jar execs java: this is the JVM
  echo "$ns_pid" >"$OUT/ns.pid"
  event netscan_start "$ns_pid"
  local deadline=$((SECONDS + 120))
  until curl -fsS -m 2 "http://127.0.0.1:$health_port/health" >/dev/null 2>&1; do
    kill -0 "$ns_pid" 2>/dev/null || { echo "abuse-hour: netscan exited; log:" >&2; tail -30 "$OUT/netscan.log" >&2; exit 1; }
    [ $SECONDS -lt $deadline ] || { echo "abuse-hour: netscan /health did not answer in 120 s" >&2; exit 1; }
    sleep 0.1
  done
  event netscan_health "$ns_pid"
}

sample_loop() {
  local fields='[.status, .ready, .device_count, .writer_points_offered, .writer_points_confirmed,
    .writer_points_rejected, .writer_spool_pending_points, .writer_points_queued, .writer_points_dropped,
    .writer_points_unaccounted, .writer_points_spooled, .writer_points_drained, .writer_points_recovered,
    .ping_lateness_p50_us, .ping_lateness_p99_us, .ping_lateness_max_us, .memory_mb,
    .ping_interval_effective_ms, .ping_local_total, .ping_timeouts_total, .alert_level, .uptime_s]
    | map(if . == null then "" else tostring end) | @tsv'
  printf 'epoch_ms\telapsed_s\tpid\tvm_up\tload1\tload5\trss_mb\tstatus\tready\tdevices\toffered\tconfirmed\trejected\tspool_pending\tqueued\tdropped\tunaccounted\tspooled\tdrained\trecovered\tlate_p50_us\tlate_p99_us\tlate_max_us\theap_mb\teff_interval_ms\tlocal_total\ttimeouts\talert_level\tuptime_s\n' \
      >"$OUT/samples.tsv"
  local next=$(( $(date +%s) ))
  while :; do
    local pid vm rss load h
    pid=$(cat "$OUT/ns.pid" 2>/dev/null || echo 0)
    vm=$(cat "$OUT/vm.pid" 2>/dev/null || echo 0)
    rss=$(awk '/^VmRSS:/ {printf "%.1f", $2 / 1024}' "/proc/$pid/status" 2>/dev/null || true)
    read -r l1 l5 _ </proc/loadavg
    h=$(curl -sS -m 3 "http://127.0.0.1:$health_port/health" 2>/dev/null | jq -r "$fields" 2>/dev/null || true)
    [ -n "$h" ] || h=down
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(now_ms)" "$(( $(date +%s) - t0 ))" "$pid" "$([ "$vm" != 0 ] && echo 1 || echo 0)" \
        "$l1" "$l5" "${rss:-}" "$h" >>"$OUT/samples.tsv"
    next=$((next + 10))
    local wait_s=$((next - $(date +%s)))
    [ $wait_s -gt 0 ] && sleep "$wait_s"
  done
}

wait_until() { # seconds since t0
  local left=$(( t0 + $1 - $(date +%s) ))
  [ $left -gt 0 ] && sleep "$left"
  return 0
}

kill_restart() {
  local old=$ns_pid
  event kill9 "$old"
  kill -9 "$old"
  wait "$old" 2>/dev/null || true
  start_netscan
}

# --- the run ----------------------------------------------------------------------------------------
: >"$OUT/events.tsv"
t0=$(date +%s)
echo "abuse-hour: MINUTES=$MINUTES, NICE=$NICE, out $OUT, VictoriaMetrics $vm_url, health port $health_port, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
echo "abuse-hour: kills at ${KILLS[*]} s, outages at ${OUTAGE_START[*]} s lasting ${OUTAGE_LEN[*]} s" >&2
start_vm
event vm_start "$vm_pid"
start_netscan
sample_loop &
sampler_pid=$!

# the schedule, in time order
steps=()
for k in "${KILLS[@]}"; do steps+=("$k kill"); done
for i in 0 1 2; do
  steps+=("${OUTAGE_START[$i]} vm_stop")
  steps+=("$(( OUTAGE_START[i] + OUTAGE_LEN[i] )) vm_start")
done
while read -r when what; do
  wait_until "$when"
  case $what in
    kill) kill_restart ;;
    vm_stop) event vm_stop "$vm_pid"; stop_vm ;;
    vm_start) start_vm; event vm_start "$vm_pid" ;;
  esac
done < <(printf '%s\n' "${steps[@]}" | sort -n -k1,1)
wait_until "$total"
event run_end

# drain: wait until the spool is empty (the queue refills all the time: the stop flushes it)
deadline=$((SECONDS + DRAIN_SECONDS))
while :; do
  pending=$(curl -sS -m 3 "http://127.0.0.1:$health_port/health" | jq -r '.writer_spool_pending_points // 1' || echo 1)
  [ "$pending" = 0 ] && break
  [ $SECONDS -lt $deadline ] || { event drain_timeout "$pending"; break; }
  sleep 1
done
event drained "${pending:-}"
sleep 10 # one more sample of the quiet process
kill "$sampler_pid" 2>/dev/null || true
wait "$sampler_pid" 2>/dev/null || true
sampler_pid=
event netscan_term "$ns_pid"
kill "$ns_pid"
wait "$ns_pid" 2>/dev/null || true
ns_pid=
event netscan_exited
curl -fsS -m 30 "$vm_url/internal/force_flush" >/dev/null || true

python3 "$repo/netscan-bench/scripts/abuse-report.py" "$OUT" "$vm_url" "$MINUTES" "$NICE" | tee "$OUT/summary.txt"
