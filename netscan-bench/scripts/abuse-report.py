#!/usr/bin/env python3
"""The report of abuse-hour.sh (issue 14 item 7): reads OUT/events.tsv and OUT/samples.tsv, exports
every device's ping_success samples from VictoriaMetrics, and prints the figures with PASS/FAIL per
requirement. Usage: abuse-report.py OUT VM_URL MINUTES"""
import json
import sys
import urllib.parse
import urllib.request

import numpy as np

out, vm_url, minutes = sys.argv[1], sys.argv[2], float(sys.argv[3])
nice = sys.argv[4] if len(sys.argv) > 4 else "0"
INTERVAL = 1000  # ms: ping_interval 1s
MAX_LOST_PER_KILL = 3
LATENESS_P99_MAX_US = 10_000
FLAT_MAX_RISE = 0.10  # fitted rise over the window, as a fraction of the mean

# ---------------------------------------------------------------- events
events = []
with open(f"{out}/events.tsv") as f:
    for line in f:
        ms, name, detail = (line.rstrip("\n").split("\t") + ["", ""])[:3]
        events.append((int(ms), name, detail))
t_first = next(ms for ms, n, _ in events if n == "netscan_start")
t_end = next(ms for ms, n, _ in events if n == "netscan_term")
kills = []  # (kill ms, restart ms, health ms)
for i, (ms, n, _) in enumerate(events):
    if n == "kill9":
        start = next(m for m, nn, _ in events[i:] if nn == "netscan_start")
        health = next(m for m, nn, _ in events[i:] if nn == "netscan_health")
        kills.append((ms, start, health))
outages = []  # (stop ms, start ms)
for i, (ms, n, _) in enumerate(events):
    if n == "vm_stop":
        outages.append((ms, next(m for m, nn, _ in events[i:] if nn == "vm_start")))
starts = [ms for ms, n, _ in events if n == "netscan_start"]

# ---------------------------------------------------------------- samples
cols = None
samples = []
with open(f"{out}/samples.tsv") as f:
    for line in f:
        parts = line.rstrip("\n").split("\t")
        if cols is None:
            cols = parts
            continue
        parts += [""] * (len(cols) - len(parts))
        samples.append(dict(zip(cols, parts)))


def num(row, key):
    v = row.get(key, "")
    try:
        return float(v)
    except ValueError:
        return None


# ---------------------------------------------------------------- VictoriaMetrics export
def export(selector):
    q = urllib.parse.urlencode({"match[]": selector, "start": t_first // 1000 - 120, "end": t_end // 1000 + 120})
    with urllib.request.urlopen(f"{vm_url}/api/v1/export?{q}", timeout=600) as r:
        for line in r:
            if line.strip():
                yield json.loads(line)


devices = {}
for third in range(0, 80):
    chunk = {}
    for s in export('ping_success{ip=~"127\\\\.14\\\\.%d\\\\..+"}' % third):
        ip = s["metric"]["ip"]
        ts, vals = chunk.setdefault(ip, ([], []))
        ts.extend(s["timestamps"])
        vals.extend(s["values"])
    for ip, (ts, vals) in chunk.items():
        order = np.argsort(np.asarray(ts, dtype=np.int64), kind="stable")
        devices[ip] = (np.asarray(ts, dtype=np.int64)[order], np.asarray(vals)[order])

# Each process schedules every device on a fixed-rate grid of its own (a phase per address from
# its start), so samples are split by process: a sample belongs to the process started last before
# it. Within a process, a device's points lost = intervals its first..last samples span + 1 minus
# its distinct samples (a late probe is not lost: it only moves), and extra samples beyond one per
# interval are duplicates no millisecond dedup removes. Across a kill, the gap between the old
# process's last sample and the new one's first, minus one interval, is what the kill cost.
seg_starts = np.asarray(starts + [t_end + 1], dtype=np.int64)
n_seg = len(starts)
lost_by_kill = [np.zeros(len(devices), dtype=np.int64) for _ in kills]
gap_ms_by_kill = [np.zeros(len(devices), dtype=np.int64) for _ in kills]
lost_in_process = np.zeros(n_seg, dtype=np.int64)
seg_first_min = np.full(n_seg, np.iinfo(np.int64).max, dtype=np.int64)
extra_in_process = np.zeros(n_seg, dtype=np.int64)
devices_lost_in_process = set()
lost_at_stop = 0
devices_lost_at_stop = 0
missing_devices_in_process = np.zeros(n_seg, dtype=np.int64)
exact_dups = 0
bunched = 0
failed_pings = 0
total_points = 0
first_points = []
BIN_S = 30
n_bins = (t_end - t_first) // (BIN_S * 1000) + 2
span_s = (t_end - t_first) // 1000 + 3
expected_per_s = np.zeros(span_s + 1, dtype=np.int64)  # difference array: devices expected per second
actual_per_bin = np.zeros(n_bins, dtype=np.int64)

for di, (ip, (ts, vals)) in enumerate(sorted(devices.items())):
    total_points += len(ts)
    failed_pings += int((vals == 0).sum())
    first_points.append(ts[0])
    d = np.diff(ts)
    exact_dups += int((d == 0).sum())
    u = np.unique(ts)
    bunched += int(((np.diff(u) > 0) & (np.diff(u) < INTERVAL // 2)).sum())
    np.add.at(actual_per_bin, np.clip((u - t_first) // (BIN_S * 1000), 0, n_bins - 1), 1)
    seg_of = np.searchsorted(seg_starts, u, side="right") - 1
    firsts, lasts = {}, {}
    for k in range(n_seg):
        part = u[seg_of == k]
        if len(part) == 0:
            if k > 0:
                missing_devices_in_process[k] += 1
            continue
        firsts[k], lasts[k] = int(part[0]), int(part[-1])
        seg_first_min[k] = min(seg_first_min[k], firsts[k])
        expected = int(round((part[-1] - part[0]) / INTERVAL)) + 1
        if expected > len(part):
            lost_in_process[k] += expected - len(part)
            devices_lost_in_process.add(ip)
        else:
            extra_in_process[k] += len(part) - expected
        a = max(0, (int(part[0]) - t_first) // 1000)
        b = min(span_s, (int(part[-1]) - t_first) // 1000 + 1)
        expected_per_s[a] += 1
        expected_per_s[b] -= 1
    for k in range(len(kills)):
        if k in lasts and k + 1 in firsts:
            gap = firsts[k + 1] - lasts[k]
            lost_by_kill[k][di] = max(0, int(round(gap / INTERVAL)) - 1)
            gap_ms_by_kill[k][di] = gap
    if n_seg - 1 in lasts:
        tail = int(round((t_end - lasts[n_seg - 1]) / INTERVAL)) - 1
        if tail > 0:
            lost_at_stop += tail
            devices_lost_at_stop += 1

# where, in 30 s bins: samples written vs one per device per second of its processes' spans
exp_per_bin = np.add.reduceat(np.cumsum(expected_per_s)[:span_s], np.arange(0, span_s, BIN_S))[:n_bins]
deficits = []
for b in range(min(len(exp_per_bin), n_bins)):
    short = int(exp_per_bin[b]) - int(actual_per_bin[b])
    if exp_per_bin[b] > 0 and short > 0.001 * exp_per_bin[b]:
        lo, hi = t_first + b * BIN_S * 1000, t_first + (b + 1) * BIN_S * 1000
        tags = [f"outage {j + 1}" for j, (stop, start) in enumerate(outages) if lo < start and hi > stop]
        tags += [f"kill {k + 1}" for k, (kill_ms, s_ms, _) in enumerate(kills) if lo <= kill_ms < hi + 30_000]
        deficits.append(f"{b * BIN_S}-{(b + 1) * BIN_S}s: {short:,} of {int(exp_per_bin[b]):,}"
                        + (f" ({', '.join(tags)})" if tags else ""))

# ---------------------------------------------------------------- report
results = []


def verdict(name, ok, figure):
    results.append((name, "PASS" if ok else "FAIL", figure))


p = print
p(f"abuse-hour report: {minutes:g} min, nice {nice}, run {len(kills)} kill -9, {len(outages)} outages; out {out}")
p("")
p("events (s since first start):")
for ms, n, detail in events:
    p(f"  {(ms - t_first) / 1000:8.1f}  {n} {detail}")
p("")
p(f"devices in VictoriaMetrics: {len(devices)}; ping samples {total_points:,}; failed pings (success=0) {failed_pings:,}")
if first_points:
    fp = np.asarray(first_points)
    p(f"first sample per device: {(fp.min() - t_first) / 1000:.1f} .. {(fp.max() - t_first) / 1000:.1f} s after start")
p("")
p("points lost per device in each restart gap (kill -9 .. first sample of the new process):")
p("  kill  at(s)  kill->first new sample(s)  kill->/health(s)  max lost  p99  p50  devices >3  longest gap(s)")
worst_kill = 0
for k, (kill_ms, start_ms, health_ms) in enumerate(kills):
    lk = lost_by_kill[k]
    worst_kill = max(worst_kill, int(lk.max()) if len(lk) else 0)
    first_new = (seg_first_min[k + 1] - kill_ms) / 1000 if k + 1 < n_seg else float("nan")
    p(f"  {k + 1:4d}  {(kill_ms - t_first) / 1000:6.0f}  {first_new:24.1f}  {(health_ms - kill_ms) / 1000:15.1f}  {int(lk.max()):8d}  "
      f"{int(np.percentile(lk, 99)):3d}  {int(np.percentile(lk, 50)):3d}  {int((lk > MAX_LOST_PER_KILL).sum()):10d}  "
      f"{gap_ms_by_kill[k].max() / 1000:14.1f}")
lost_other = int(lost_in_process.sum())
p(f"points lost inside a process's life (outages included): {lost_other:,} on {len(devices_lost_in_process)} devices, "
  f"by process {lost_in_process.tolist()}; devices absent from a restarted process: {missing_devices_in_process.tolist()}")
pid_of = [d for ms, n, d in events if n == "netscan_start"]
local_last = {}
for r in samples:
    if num(r, "local_total") is not None:
        local_last[r["pid"]] = int(num(r, "local_total"))
p("  per process: points lost in its life vs probes it refused itself (local outcomes: counted by cause in /health,")
p("  never written as ping points; the last 10 s sample before a kill misses the last seconds):")
for k in range(n_seg):
    p(f"    process {k} (pid {pid_of[k]}): lost {int(lost_in_process[k]):,}, local outcomes {local_last.get(pid_of[k], 0):,}")
last_sample = next((r for r in reversed(samples) if num(r, "spool_pending") is not None), None)
if last_sample is not None and (num(last_sample, "spool_pending") or 0) > 0:
    p(f"  the spool still held {int(num(last_sample, 'spool_pending')):,} points at the last sample before the stop (durable on "
      f"disk; the next start sends them first): the newest points, so they count as lost at the end of the last process")
p(f"points lost at the final stop (SIGTERM): {lost_at_stop:,} on {devices_lost_at_stop} devices")
p("30 s bins where fewer samples were written than one per device per second (kill bins include the gap):")
for line in deficits:
    p(f"  {line}")
p(f"duplicates: same device, same millisecond (a resend; VictoriaMetrics collapses these with "
  f"-dedup.minScrapeInterval=1ms): {exact_dups:,}; samples beyond one per interval: {int(extra_in_process.sum()):,} "
  f"by process {extra_in_process.tolist()}; pairs closer than half an interval (a late probe caught up): {bunched:,}")
verdict("points lost only in restart gaps, <= 3 per kill per device",
        len(devices) == 20_000 and worst_kill <= MAX_LOST_PER_KILL and lost_other == 0 and lost_at_stop == 0
        and not missing_devices_in_process.any(),
        f"{len(devices)} devices; worst {worst_kill} per kill per device; {lost_other} elsewhere, {lost_at_stop} at the stop")
verdict("no duplicates beyond what the database deduplicates", int(extra_in_process.sum()) == 0,
        f"{exact_dups} same-ms resends (deduplicated at 1 ms), {int(extra_in_process.sum())} others")

# memory
p("")


def fit(rows, key):
    pts = [(num(r, "elapsed_s"), num(r, key)) for r in rows]
    pts = [(x, y) for x, y in pts if x is not None and y is not None]
    if len(pts) < 6:
        return None
    x = np.array([a for a, _ in pts]) / 3600.0
    y = np.array([b for _, b in pts])
    slope = np.polyfit(x, y, 1)[0]
    span = x.max() - x.min()
    return slope, span, y.mean(), y.min(), y.max()


after5 = [r for r in samples if (num(r, "elapsed_s") or 0) >= 300 and r.get("status") not in ("", "down")]
for key, label in (("heap_mb", "heap used (MB, /health memory_mb)"), ("rss_mb", "RSS (MB, /proc VmRSS)")):
    f = fit(after5, key)
    if f is None:
        verdict(f"{label} flat", False, "too few samples")
        continue
    slope, span, mean, lo, hi = f
    rise = slope * span
    p(f"{label} after 5 min: mean {mean:.0f}, min {lo:.0f}, max {hi:.0f}; slope {slope:+.1f} MB/h "
      f"= {rise:+.1f} MB over {span * 60:.0f} min ({rise / mean * 100:+.1f}% of the mean)")
    segs = []
    for pid in dict.fromkeys(r["pid"] for r in samples):
        seg = [r for r in samples if r["pid"] == pid and (num(r, "uptime_s") or 0) >= 120]
        g = fit(seg, key)
        if g is not None and g[1] * 60 >= 5:
            segs.append(f"pid {pid}: {g[0]:+.0f} MB/h over {g[1] * 60:.0f} min")
    p(f"  per process (after its first 2 min, lifetimes >= 5 min): {'; '.join(segs) or 'none'}")
    verdict(f"{label} flat", rise <= FLAT_MAX_RISE * mean,
            f"{slope:+.1f} MB/h, fitted rise {rise / mean * 100:+.1f}% of mean {mean:.0f} MB")

# lateness: each process's histogram since its start, last sample of its life
p("")
per_pid = {}
for r in samples:
    v = num(r, "late_p99_us")
    if v is not None:
        per_pid[r["pid"]] = (v, num(r, "late_p50_us"), num(r, "late_max_us"))
worst = max((v[0] for v in per_pid.values()), default=None)
p("lateness per process (us, since its start, at its last sample): " + "; ".join(
    f"pid {pid} p50 {v[1]:.0f} p99 {v[0]:.0f} max {v[2]:.0f}" for pid, v in per_pid.items()))
verdict("p99 lateness <= 10 ms", worst is not None and worst <= LATENESS_P99_MAX_US,
        f"worst process p99 {worst / 1000:.2f} ms" if worst is not None else "no samples")

# writer accounting and status
p("")
unacc = [r for r in samples if (num(r, "unaccounted") or 0) != 0]
dropped = max((num(r, "dropped") or 0 for r in samples), default=0)
last_by_pid = {}
for r in samples:
    if num(r, "offered") is not None:
        last_by_pid[r["pid"]] = r
p("writer accounting, last sample of each process (offered = confirmed + rejected + spool pending + queued + dropped):")
for pid, r in last_by_pid.items():
    p(f"  pid {pid}: offered {r['offered']} confirmed {r['confirmed']} rejected {r['rejected']} spool {r['spool_pending']} "
      f"queued {r['queued']} dropped {r['dropped']} unaccounted {r['unaccounted']} (recovered from spool {r['recovered']}); "
      f"probes refused on our side (local outcomes, never written) {r['local_total']}")
verdict("writer accounts for every point (unaccounted 0, dropped 0 in every sample)",
        not unacc and dropped == 0, f"{len(unacc)} samples with unaccounted != 0, dropped max {dropped:.0f}")
status = {}
for r in samples:
    k = ("database up" if r.get("vm_up") == "1" else "database down", r.get("status") or "no answer")
    status[k] = status.get(k, 0) + 1
p("status by database state (10 s samples): " + "; ".join(f"{a}: {b} {c}" for (a, b), c in sorted(status.items())))
loads = [num(r, "load1") for r in samples if num(r, "load1") is not None]
if loads:
    p(f"load average (1 min) over the run: min {min(loads):.2f}, mean {sum(loads) / len(loads):.2f}, max {max(loads):.2f} "
      f"({len(loads)} samples, 2 cores)")
p("")
p("requirement                                                  result  figure")
for name, v, figure in results:
    p(f"{name:60s} {v:6s}  {figure}")
sys.exit(0 if all(v == "PASS" for _, v, _ in results) else 1)
