#!/usr/bin/env bash
# End-to-end writer throughput into a real VictoriaMetrics on loopback, or with --outage the
# compressed-time outage benchmark draining into it (through a verifying forwarder). Uses $NETSCAN_TEST_VM_URL when set; otherwise starts
# victoria-metrics itself on a free port with a temporary directory and stops it (by PID) after.
# Usage: netscan-bench/scripts/writer-e2e.sh [points=10000000] [devices=20000]
#        netscan-bench/scripts/writer-e2e.sh --outage [devices=20000] [outageSeconds=600]
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/jdk.sh
if [ ! -f netscan-bench/target/benchmarks.jar ]; then
  ./mvnw -B -q -ntp -DskipTests -pl netscan-bench -am package
fi
outage=
if [ "${1:-}" = "--outage" ]; then
  outage=1
  shift
fi
vm_pid=
tmp=
cleanup() {
  if [ -n "$vm_pid" ]; then kill "$vm_pid" 2>/dev/null || true; wait "$vm_pid" 2>/dev/null || true; fi
  if [ -n "$tmp" ]; then rm -rf "$tmp"; fi
}
trap cleanup EXIT
url=${NETSCAN_TEST_VM_URL:-}
if [ -z "$url" ]; then
  command -v victoria-metrics >/dev/null || { echo "needs victoria-metrics (apt-get install victoria-metrics) or NETSCAN_TEST_VM_URL" >&2; exit 1; }
  tmp=$(mktemp -d -t netscan-vm.XXXXXX)
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  victoria-metrics -httpListenAddr="127.0.0.1:$port" -storageDataPath="$tmp/vm" -retentionPeriod=100y \
      -loggerLevel=ERROR >"$tmp/vm.log" 2>&1 &
  vm_pid=$!
  url="http://127.0.0.1:$port"
  for _ in $(seq 150); do curl -fsS "$url/health" >/dev/null 2>&1 && break; sleep 0.2; done
fi
if [ -n "$outage" ]; then
  java -Xmx256m -cp netscan-bench/target/benchmarks.jar dev.netscan.bench.influx.OutageBench "${1:-20000}" "${2:-600}" 1000 - "$url"
else
  java -cp netscan-bench/target/benchmarks.jar dev.netscan.bench.influx.VmThroughput "$url" "${1:-10000000}" "${2:-20000}"
fi
