package dev.netscan.service;

import dev.netscan.core.HealthReport;
import dev.netscan.core.LocalOutcome;
import dev.netscan.core.MetricsSink;
import dev.netscan.core.SinkCounters;
import dev.netscan.core.governor.ActiveAlert;
import dev.netscan.core.governor.Alert;
import dev.netscan.core.governor.Governor;
import dev.netscan.discovery.IcmpCounters;
import dev.netscan.discovery.IcmpEngine;
import dev.netscan.discovery.SweepSummary;
import dev.netscan.discovery.monitor.PingScheduler;
import dev.netscan.discovery.snmp.SnmpCounters;
import dev.netscan.discovery.snmp.SnmpEnrichment;
import dev.netscan.state.DeviceRegistry;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Assembles {@link NetscanService#healthFields()}, the {@code /health} document and the
 * {@code health_metrics} report from a started service's parts. Reads only: the service owns the
 * parts, their lifecycle and the threads that call these.
 */
final class HealthFields {
    private HealthFields() {
    }

    /** What the health fields are read from: the started service's parts and its own counters. */
    record Sources(DeviceRegistry registry, PingScheduler scheduler, IcmpEngine engine, SnmpEnrichment snmp,
            MetricsSink sink, Governor governor, SweepSummary lastSweep, long sweeps, long devicesPruned,
            long snapshotFailures, long snapshotsCorrupt, long jobFailures, long jobRestarts, Instant startedAt) {
    }

    /** Every health field by snake_case name (see {@link NetscanService#healthFields()}). */
    static Map<String, Object> of(Sources s) {
        Map<String, Object> m = new TreeMap<>();
        m.put("device_count", (long) s.registry().size());
        m.put("suspended_devices", (long) s.registry().suspendedCount());
        PingScheduler.Counters sc = s.scheduler().counters();
        m.put("active_pingers", (long) sc.scheduled());
        m.put("pings_sent_total", sc.pingsSent());
        m.put("ping_replies_total", sc.replies());
        m.put("ping_timeouts_total", sc.timeouts());
        m.put("ping_send_errors_total", sc.sendErrors());
        // our own refusals and drops, by cause: never a device's loss
        for (LocalOutcome o : LocalOutcome.values()) {
            m.put("ping_local_" + o.label() + "_total", sc.local().get(o));
        }
        m.put("ping_local_total", sc.local().total());
        PingScheduler.Schedule schedule = s.scheduler().schedule();
        m.put("ping_interval_effective_ms", sc.effectiveIntervalNanos() / 1_000_000);
        m.put("ping_schedule_stretched", schedule.stretched());
        m.put("ping_schedule_required_pps", Math.round(schedule.requiredPps()));
        m.put("ping_schedule_capacity_pps", Math.round(schedule.capacityPps()));
        m.put("ping_in_flight", sc.inFlight());
        m.put("late_pings_total", sc.latePings());
        m.put("ping_lateness_p50_us", sc.latenessP50Micros());
        m.put("ping_lateness_p99_us", sc.latenessP99Micros());
        m.put("ping_lateness_max_us", sc.latenessMaxMicros());
        m.put("ping_lateness_recent_p99_us", sc.latenessRecentP99Micros());
        m.put("ping_catch_up_skips_total", sc.catchUpSkips());
        IcmpCounters ic = s.engine().counters();
        m.put("icmp_socket", ic.socketKind() == null ? "none" : ic.socketKind().name().toLowerCase(java.util.Locale.ROOT));
        m.put("icmp_sent_total", ic.sent());
        m.put("icmp_ignored_total", ic.ignoredTotal());
        SnmpEnrichment snmp = s.snmp();
        if (snmp != null) {
            SnmpCounters c = snmp.counters();
            m.put("snmp_suspended_devices", (long) snmp.suspendedCount());
            m.put("snmp_requests_total", c.requests());
            m.put("snmp_successes_total", c.successes());
            m.put("snmp_timeouts_total", c.timeouts());
            m.put("snmp_auth_failures_total", c.authFailures());
            m.put("snmp_no_agent_total", c.noAgent());
            m.put("snmp_errors_total", c.errors());
            m.put("snmp_local_refusals_total", c.localRefusals());
            m.put("snmp_rate_limited_total", c.rateLimited());
            m.put("snmp_in_flight", (long) c.inFlight());
            m.put("snmp_queued", (long) c.queued());
            m.put("snmp_max_in_flight", (long) snmp.scanner().maxInFlight());
        }
        SweepSummary last = s.lastSweep();
        m.put("sweeps_total", s.sweeps());
        if (last != null) {
            m.put("last_sweep_alive", last.alive());
            m.put("last_sweep_targets", last.targets());
            m.put("last_sweep_ms", last.elapsed().toMillis());
        }
        m.put("devices_pruned_total", s.devicesPruned());
        m.put("snapshot_failures_total", s.snapshotFailures());
        m.put("snapshot_corrupt_total", s.snapshotsCorrupt());
        // every loop but the writer's (writer_loop_*): scheduler, governor, SNMP interval, the jobs
        long snmpFailures = snmp == null ? 0 : snmp.periodicFailures();
        long snmpRestarts = snmp == null ? 0 : snmp.periodicRestarts();
        m.put("loop_failures_total", sc.loopFailures() + s.governor().sampleFailures() + snmpFailures + s.jobFailures());
        m.put("loop_restarts_total", sc.loopRestarts() + s.governor().sampleLoopRestarts() + snmpRestarts + s.jobRestarts());
        SinkCounters writerCounters = s.sink().counters();
        if (writerCounters != SinkCounters.NONE) {
            m.putAll(writerCounters.asHealthFields()); // offered = confirmed + rejected + spooled + queued + dropped by reason
        }
        if (s.sink() instanceof TeeSink tee) {
            m.putAll(resultsFields(tee.secondCounters()));
        }
        m.put("goroutines", (long) ManagementFactory.getThreadMXBean().getThreadCount());
        Runtime rt = Runtime.getRuntime();
        m.put("memory_mb", (rt.totalMemory() - rt.freeMemory()) / 1_048_576L);
        s.governor().lastSample().ifPresent(sample -> {
            HealthReport r = sample.toHealthReport();
            m.putAll(r.fields());
            Object rss = r.fields().get("rss_bytes");
            if (rss instanceof Long bytes && bytes > 0) {
                m.put("rss_mb", bytes / 1_048_576L);
            }
        });
        m.put("alert_level", s.governor().level().name()); // held conditions count at once, not at the next sample
        List<ActiveAlert> active = s.governor().activeAlerts();
        m.put("alerts_active", (long) active.size());
        StringBuilder causes = new StringBuilder();
        for (ActiveAlert a : active) {
            causes.append(causes.isEmpty() ? "" : ",").append(a.tier().name()).append(' ').append(a.cause());
        }
        m.put("alerts_active_causes", causes.toString());
        m.put("uptime_s", s.startedAt() == null ? 0L : Duration.between(s.startedAt(), Instant.now()).toSeconds());
        m.put("process_cpu_time_ms", processCpuMillis());
        return m;
    }

    /** What a results sink tracks that a database writer also does. */
    private static final Set<String> RESULTS_FIELDS = Set.of("points_offered", "points_confirmed", "points_rejected",
            "points_queued", "points_dropped", "points_unaccounted", "dropped_queue_full", "dropped_closed",
            "dropped_unencodable", "dropped_shutdown", "dropped_write_error", "queue_depth", "loop_failures",
            "loop_restarts");

    /**
     * The second sink's accounting (a fleet's results topic) as {@code results_*} fields beside
     * the database's {@code writer_*}: offered = confirmed + rejected + queued + dropped by reason
     * (+ unaccounted, 0 when all is well); none when it keeps no counters.
     */
    static Map<String, Object> resultsFields(SinkCounters c) {
        Map<String, Object> m = new TreeMap<>();
        if (c == SinkCounters.NONE) {
            return m;
        }
        c.asHealthFields().forEach((k, v) -> {
            if (k.startsWith("writer_") && RESULTS_FIELDS.contains(k.substring("writer_".length()))) {
                m.put("results_" + k.substring("writer_".length()), v);
            }
        });
        return m;
    }

    /** The fields a {@code health_metrics} point can carry: numbers (finite), booleans and strings. */
    static Map<String, Object> reportable(Map<String, Object> fields) {
        Map<String, Object> out = new TreeMap<>(fields);
        out.values().removeIf(v -> !(v instanceof Long || v instanceof Double || v instanceof Boolean
                || v instanceof String) || v instanceof Double d && !Double.isFinite(d));
        return out;
    }

    /**
     * What is wrong now, for {@code /health}: the database unreachable for more than two flush
     * intervals (at {@code nowEpochMillis}), points dropped in the last health interval, a full or
     * unwritable data directory, a writer flush loop that had to be restarted, a ping schedule that
     * cannot be served, and every alert in force (WARNING, CRITICAL, EMERGENCY), each with its
     * reason. Empty when nothing is.
     */
    static List<String> degradedReasons(SinkCounters c, long nowEpochMillis, Duration flushInterval,
            long droppedLastInterval, Path dataDir, PingScheduler.Schedule schedule, List<ActiveAlert> active) {
        List<String> out = new ArrayList<>();
        long since = c.unreachableSinceEpochMillis();
        if (since > 0 && nowEpochMillis - since > 2 * flushInterval.toMillis()) {
            out.add("database unreachable since " + Instant.ofEpochMilli(since));
        }
        if (droppedLastInterval > 0) {
            out.add(droppedLastInterval + " points dropped in the last interval");
        }
        if (c.diskFull()) {
            out.add("data directory full or unwritable: " + dataDir);
        }
        if (c.loopRestarts() > 0) {
            out.add("writer flush loop restarted " + c.loopRestarts() + " times");
        }
        if (schedule.stretched()) {
            out.add("ping schedule cannot be served: " + schedule.devices() + " devices need " + Math.round(schedule.requiredPps())
                    + " probes/s, " + Math.round(schedule.capacityPps()) + " can be served (limited by " + schedule.limitedBy()
                    + "); the interval is stretched to " + schedule.effectiveIntervalNanos() / 1_000_000 + " ms");
        }
        for (ActiveAlert a : active) {
            out.add(a.tier().name() + " alert " + a.cause() + " since " + a.since() + ": " + a.reason());
        }
        return out;
    }

    /** The {@code /health} document before start finished (restoring) or after close. */
    static Map<String, Object> notStarted(boolean closed) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", closed ? "stopping" : "starting");
        m.put("degraded_reasons", List.of());
        m.put("version", NetscanService.version());
        m.put("ready", false);
        return m;
    }

    /**
     * The {@code /health} document (see {@link NetscanService#healthDocument()}): status, degraded
     * reasons, version, readiness, every field, the alerts in force, then the alert history.
     */
    static Map<String, Object> document(boolean running, boolean ready, Map<String, Object> fields,
            List<String> degradedReasons, List<ActiveAlert> active, List<Alert> alerts) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", !running ? "stopping" : !degradedReasons.isEmpty() ? "degraded" : "ok");
        m.put("degraded_reasons", degradedReasons);
        m.put("version", NetscanService.version());
        m.put("ready", ready);
        m.putAll(fields);
        List<Map<String, Object>> inForce = new ArrayList<>();
        for (ActiveAlert a : active) {
            Map<String, Object> am = new LinkedHashMap<>();
            am.put("cause", a.cause());
            am.put("tier", a.tier().name());
            am.put("reason", a.reason());
            am.put("since", a.since().toString());
            inForce.add(am);
        }
        m.put("active_alerts", inForce);
        List<Map<String, Object>> history = new ArrayList<>();
        for (Alert a : alerts) {
            Map<String, Object> am = new LinkedHashMap<>();
            am.put("time", a.time().toString());
            am.put("tier", a.tier().name());
            am.put("cause", a.cause());
            am.put("value", a.value());
            am.put("message", a.message());
            history.add(am);
        }
        m.put("alerts", history);
        return m;
    }

    private static long processCpuMillis() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime() / 1_000_000;
        }
        return -1;
    }
}
