package dev.netscan.service;

import dev.netscan.core.AddressBook;
import dev.netscan.core.Device;
import dev.netscan.core.governor.ActiveAlert;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Quantile;
import io.prometheus.metrics.model.snapshots.Quantiles;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import io.prometheus.metrics.model.snapshots.Unit;
import it.unimi.dsi.fastutil.ints.Int2ObjectOpenHashMap;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * {@code /metrics} through the Prometheus Java client: one registry per service, holding a
 * collector that turns the service's health fields into Prometheus families (base units, HELP on
 * every family, counters ending in {@code _total}), the RTT histogram of every reply, and, when
 * switched on, per-device series in smokeping_prober's shape.
 *
 * <p>The health fields keep the Go service's names for InfluxDB's {@code health_metrics}; this class
 * is where they get Prometheus names. A field this table does not know yet (a new counter some
 * part adds) is still exported, with its unit suffix turned into a base unit and a HELP saying
 * which health field it is.
 *
 * <p>Per-device series ({@code netscan_device_up}, {@code netscan_device_rtt_seconds} histogram,
 * {@code netscan_device_ping_requests_total}, {@code netscan_device_ping_lost_total}, labelled
 * {@code ip} and {@code name}) cost 20 series a device (15 histogram buckets + sum + count, up,
 * requests, lost): 400,000 series at 20,000 devices, which is why they are off by default.
 * Thread-safe; each scrape builds fresh snapshots.
 */
final class PrometheusMetrics {
    /** How a health field becomes a Prometheus family. */
    record Family(String field, String name, boolean counter, double scale, Unit unit, String help) {}

    private static final List<Family> FAMILIES = List.of(
            g("device_count", "netscan_devices", "Devices in the registry."),
            g("suspended_devices", "netscan_devices_suspended", "Devices whose circuit breaker is open (pings paused after repeated failures)."),
            g("active_pingers", "netscan_ping_scheduled_devices", "Devices the ping scheduler is pinging."),
            g("pinger_overflow", "netscan_ping_unscheduled_devices", "Known devices the scheduler could not take (max_concurrent_pingers)."),
            c("pings_sent_total", "netscan_pings_sent", "Monitoring pings sent."),
            c("ping_replies_total", "netscan_ping_replies", "Monitoring pings answered."),
            c("ping_timeouts_total", "netscan_ping_timeouts", "Monitoring pings that got no reply in time."),
            c("ping_send_errors_total", "netscan_ping_send_errors", "Monitoring pings that could not be sent (local errors, not device loss)."),
            g("ping_in_flight", "netscan_pings_in_flight", "Monitoring pings awaiting a reply."),
            c("late_pings_total", "netscan_pings_late", "Monitoring pings sent later than their schedule allowed."),
            c("ping_catch_up_skips_total", "netscan_ping_catch_up_skips", "Device due times skipped because the scheduler was a whole interval behind (each such device was pinged once, late)."),
            gu("ping_lateness_recent_p99_us", "netscan_ping_lateness_recent_p99_seconds", 1e-6, Unit.SECONDS, "99th percentile lateness of monitoring pings over the last 30 to 60 s."),
            c("icmp_sent_total", "netscan_icmp_sent", "ICMP echo requests sent by the engine (monitoring and discovery)."),
            c("icmp_ignored_total", "netscan_icmp_ignored_packets", "ICMP packets received that matched no probe."),
            g("snmp_suspended_devices", "netscan_snmp_suspended_devices", "Devices SNMP is backing off from after repeated failures."),
            c("snmp_requests_total", "netscan_snmp_requests", "SNMP requests sent."),
            c("snmp_successes_total", "netscan_snmp_successes", "SNMP requests answered."),
            c("snmp_timeouts_total", "netscan_snmp_timeouts", "SNMP requests that timed out."),
            c("snmp_auth_failures_total", "netscan_snmp_auth_failures", "SNMP requests refused for authentication."),
            c("sweeps_total", "netscan_sweeps", "Discovery sweeps completed."),
            g("last_sweep_alive", "netscan_last_sweep_alive_devices", "Devices that answered the last discovery sweep."),
            g("last_sweep_targets", "netscan_last_sweep_target_addresses", "Addresses the last discovery sweep covered."),
            c("devices_pruned_total", "netscan_devices_pruned", "Devices dropped for not being seen within prune_after."),
            c("snapshot_failures_total", "netscan_registry_snapshot_failures", "Registry snapshots that could not be saved."),
            c("writer_points_offered", "netscan_writer_points_offered", "Points offered to the writer."),
            c("writer_points_confirmed", "netscan_writer_points_confirmed", "Points the database confirmed."),
            c("writer_batches_confirmed", "netscan_writer_batches_confirmed", "Batches the database confirmed."),
            c("writer_retries", "netscan_writer_retries", "Batch writes retried."),
            c("writer_failures", "netscan_writer_failures", "Batch write attempts that failed."),
            c("writer_points_rejected", "netscan_writer_points_rejected", "Points the database rejected as invalid."),
            c("writer_batches_rejected", "netscan_writer_batches_rejected", "Batches the database rejected as invalid."),
            c("writer_points_spooled", "netscan_writer_points_spooled", "Points written to the disk spool while the database was away."),
            c("writer_points_drained", "netscan_writer_points_drained", "Spooled points delivered later."),
            c("writer_points_dropped", "netscan_writer_points_dropped", "Points dropped (queue full or spool at its cap)."),
            c("writer_spool_cap_reached", "netscan_writer_spool_cap_reached", "Times the spool reached spool_max_bytes."),
            g("writer_queue_depth", "netscan_writer_queue_points", "Points waiting in the writer's queue."),
            gu("writer_spool_bytes", "netscan_writer_spool_bytes", 1, Unit.BYTES, "Bytes in the writer's disk spool."),
            g("writer_spool_pending_points", "netscan_writer_spool_points", "Points waiting in the writer's disk spool."),
            g("influxdb_ok", "netscan_database_up", "1 when the last write reached the database, else 0."),
            c("results_points_offered", "netscan_results_points_offered", "Points offered to the results topic (fleet)."),
            c("results_points_confirmed", "netscan_results_points_confirmed", "Points the results topic's broker acknowledged."),
            c("results_points_dropped", "netscan_results_points_dropped", "Points the results topic dropped, all reasons."),
            c("results_dropped_queue_full", "netscan_results_dropped_queue_full", "Results points refused: queue full."),
            c("results_dropped_write_error", "netscan_results_dropped_write_error", "Results points lost to a failed send."),
            c("results_dropped_shutdown", "netscan_results_dropped_shutdown", "Results points still queued at shutdown."),
            c("results_dropped_closed", "netscan_results_dropped_closed", "Results points offered after the sink closed."),
            c("results_dropped_unencodable", "netscan_results_dropped_unencodable", "Results points that could not be encoded."),
            g("results_queue_depth", "netscan_results_queue_points", "Points waiting in the results topic's queue."),
            gu("memory_used_pct", "netscan_host_memory_used_ratio", 0.01, Unit.RATIO, "Host memory in use, as a fraction of the total."),
            gu("heap_used_pct", "netscan_jvm_heap_used_ratio", 0.01, Unit.RATIO, "JVM heap in use, as a fraction of the maximum."),
            gu("rss_bytes", "process_resident_memory_bytes", 1, Unit.BYTES, "Resident memory size of the process."),
            gu("cpu_load", "netscan_host_cpu_load_ratio", 1, Unit.RATIO, "System-wide CPU load between the last two governor samples."),
            gu("cpu_temp_c", "netscan_host_cpu_temperature_celsius", 1, Unit.CELSIUS, "CPU temperature."),
            g("threads", "netscan_jvm_threads", "Live JVM threads (platform threads; virtual threads are not counted)."),
            new Family("gc_time_ms", "netscan_jvm_gc_time_seconds", true, 0.001, Unit.SECONDS, "Time the JVM spent in garbage collection."),
            gu("error_rate_pct", "netscan_error_rate_ratio", 0.01, Unit.RATIO, "Highest error rate the governor sees (ICMP sends, writes)."),
            g("throttle_rate_pps", "netscan_throttle_probe_rate", "The governor's current ICMP rate limit, probes a second."),
            g("throttle_in_flight", "netscan_throttle_probes_in_flight", "The governor's current bound on discovery probes in flight."),
            g("throttle_snmp_in_flight", "netscan_throttle_snmp_requests_in_flight", "The governor's current bound on SNMP requests in flight."),
            g("throttle_batch_size", "netscan_throttle_writer_batch_points", "The governor's current writer batch size."),
            gu("throttle_pacing_ns", "netscan_throttle_pacing_seconds", 1e-9, Unit.SECONDS, "The governor's current pacing between discovery probes."),
            g("discovery_paused", "netscan_discovery_paused", "1 while the governor pauses discovery sweeps."),
            new Family("process_cpu_time_ms", "process_cpu_seconds", true, 0.001, Unit.SECONDS, "Total user and system CPU time spent."));
    /** Fields not exported: the Go service's names for things exported above under their own names. */
    private static final Set<String> SKIPPED = Set.of("goroutines", "memory_mb", "rss_mb", "uptime_s",
            "influxdb_successful_batches", "influxdb_failed_batches", "ping_lateness_p50_us", "ping_lateness_p99_us",
            "ping_lateness_max_us", "alert_level", "icmp_socket", "alerts_active_causes");

    private static Family g(String field, String name, String help) {
        return new Family(field, name, false, 1, null, help);
    }

    private static Family c(String field, String name, String help) {
        return new Family(field, name, true, 1, null, help);
    }

    private static Family gu(String field, String name, double scale, Unit unit, String help) {
        return new Family(field, name, false, scale, unit, help);
    }

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

    /**
     * @param fields the service's health fields (Go names), read once per scrape
     * @param active the alerts in force, read once per scrape ({@code netscan_alert_active})
     * @param history RTT histograms and per-device counters
     * @param devices the registry's devices, read once per scrape when per-device series are on
     *     (for the SNMP names)
     */
    PrometheusMetrics(Supplier<Map<String, Object>> fields, Supplier<List<ActiveAlert>> active, DeviceHistory history,
            Supplier<List<Device>> devices) {
        registry.register((MultiCollector) () -> collect(fields.get(), active.get(), history, devices));
    }

    /** The registry, for embedders' and the HTTP surface's own instruments. */
    PrometheusRegistry registry() {
        return registry;
    }

    /** The text exposition's content type. */
    String contentType() {
        return PrometheusTextFormatWriter.CONTENT_TYPE;
    }

    /** Writes one scrape in the Prometheus text format. */
    void write(OutputStream out) throws IOException {
        writer.write(out, registry.scrape(), io.prometheus.metrics.config.EscapingScheme.UNDERSCORE_ESCAPING);
    }

    private static MetricSnapshots collect(Map<String, Object> fields, List<ActiveAlert> active, DeviceHistory history,
            Supplier<List<Device>> devices) {
        List<MetricSnapshot> out = new ArrayList<>(FAMILIES.size() + 16);
        Set<String> known = new HashSet<>();
        for (Family f : FAMILIES) {
            known.add(f.field());
            double v = number(fields.get(f.field()));
            if (!Double.isNaN(v)) {
                out.add(family(f, v * f.scale()));
            }
        }
        Set<String> taken = new HashSet<>();
        for (MetricSnapshot s : out) {
            taken.add(s.getMetadata().getName());
        }
        for (Map.Entry<String, Object> e : fields.entrySet()) {
            if (known.contains(e.getKey()) || SKIPPED.contains(e.getKey())) {
                continue;
            }
            double v = number(e.getValue());
            if (Double.isNaN(v)) {
                continue; // strings, and values the host cannot give: absent, never 0
            }
            Family f = fallback(e.getKey());
            if (taken.add(f.name())) {
                out.add(family(f, v * f.scale()));
            }
        }
        out.add(GaugeSnapshot.builder().name("netscan_jvm_heap_used_bytes").unit(Unit.BYTES)
                .help("JVM heap in use.").dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder()
                        .value(Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()).build()).build());
        out.add(GaugeSnapshot.builder().name("process_start_time_seconds").unit(Unit.SECONDS)
                .help("Start time of the process since the Unix epoch.").dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder()
                        .value(ManagementFactory.getRuntimeMXBean().getStartTime() / 1000.0).build()).build());
        out.add(InfoSnapshot.builder().name("netscan_build").help("The netscan version running.")
                .dataPoint(InfoSnapshot.InfoDataPointSnapshot.builder().labels(Labels.of("version", NetscanService.version())).build()).build());
        if (fields.get("icmp_socket") instanceof String kind) {
            out.add(InfoSnapshot.builder().name("netscan_icmp_socket").help("The kind of ICMP socket the engine opened (datagram, raw or none).")
                    .dataPoint(InfoSnapshot.InfoDataPointSnapshot.builder().labels(Labels.of("kind", kind)).build()).build());
        }
        if (fields.get("alert_level") instanceof String level) {
            out.add(GaugeSnapshot.builder().name("netscan_alert_tier")
                    .help("The governor's current alert tier: 0 INFO, 1 WARNING, 2 CRITICAL, 3 EMERGENCY.")
                    .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().value(tier(level)).build()).build());
        }
        GaugeSnapshot.Builder inForce = GaugeSnapshot.builder().name("netscan_alert_active")
                .help("1 for each alert in force, labelled with its cause and tier (see active_alerts in /health).");
        for (ActiveAlert a : active) {
            inForce.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder()
                    .labels(Labels.of("cause", a.cause(), "tier", a.tier().name())).value(1).build());
        }
        out.add(inForce.build());
        lateness(fields, out);
        DeviceHistory.Histogram all = history.total();
        out.add(HistogramSnapshot.builder().name("netscan_ping_rtt_seconds").unit(Unit.SECONDS)
                .help("Round-trip time of monitoring ping replies, all devices.")
                .dataPoint(histogram(all.counts(), 0, all.sumSeconds(), Labels.EMPTY)).build());
        if (history.perDevice()) {
            perDevice(history.devices(System.currentTimeMillis()), devices.get(), out);
        }
        return new MetricSnapshots(out);
    }

    private static void lateness(Map<String, Object> fields, List<MetricSnapshot> out) {
        double p50 = number(fields.get("ping_lateness_p50_us"));
        double p99 = number(fields.get("ping_lateness_p99_us"));
        double max = number(fields.get("ping_lateness_max_us"));
        List<Quantile> q = new ArrayList<>(3);
        if (!Double.isNaN(p50)) q.add(new Quantile(0.5, p50 / 1e6));
        if (!Double.isNaN(p99)) q.add(new Quantile(0.99, p99 / 1e6));
        if (!Double.isNaN(max)) q.add(new Quantile(1, max / 1e6));
        if (!q.isEmpty()) {
            out.add(SummarySnapshot.builder().name("netscan_ping_lateness_seconds").unit(Unit.SECONDS)
                    .help("How late monitoring pings left compared with their schedule, over the scheduler's recent window.")
                    .dataPoint(SummarySnapshot.SummaryDataPointSnapshot.builder().quantiles(Quantiles.of(q)).build()).build());
        }
    }

    private static void perDevice(DeviceHistory.Devices d, List<Device> registry, List<MetricSnapshot> out) {
        Int2ObjectOpenHashMap<String> names = new Int2ObjectOpenHashMap<>(registry.size());
        for (Device dev : registry) {
            String n = dev.snmp().sysName();
            if (n != null) {
                names.put(dev.ipv4(), n);
            }
        }
        GaugeSnapshot.Builder up = GaugeSnapshot.builder().name("netscan_device_up")
                .help("1 when the device answered its last monitoring ping, else 0.");
        CounterSnapshot.Builder requests = CounterSnapshot.builder().name("netscan_device_ping_requests")
                .help("Monitoring pings sent to the device (local send errors excluded).");
        CounterSnapshot.Builder lost = CounterSnapshot.builder().name("netscan_device_ping_lost")
                .help("Monitoring pings to the device that got no reply.");
        HistogramSnapshot.Builder rtt = HistogramSnapshot.builder().name("netscan_device_rtt_seconds").unit(Unit.SECONDS)
                .help("Round-trip time of the device's ping replies.");
        int nb = DeviceHistory.Devices.bucketsPerDevice();
        for (int i = 0; i < d.size(); i++) {
            Labels labels = Labels.of("ip", AddressBook.shared().text(d.ipv4()[i]), "name", names.getOrDefault(d.ipv4()[i], ""));
            up.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(labels).value(d.lastRttNanos()[i] >= 0 ? 1 : 0).build());
            requests.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().labels(labels).value(d.requests()[i]).build());
            lost.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().labels(labels).value(d.lost()[i]).build());
            if (d.buckets() != null) {
                rtt.dataPoint(histogram(d.buckets(), i * nb, d.rttSumSeconds()[i], labels));
            }
        }
        out.add(up.build());
        out.add(requests.build());
        out.add(lost.build());
        if (d.buckets() != null) {
            out.add(rtt.build());
        }
    }

    private static HistogramSnapshot.HistogramDataPointSnapshot histogram(long[] counts, int offset, double sum, Labels labels) {
        int nb = DeviceHistory.Devices.bucketsPerDevice();
        double[] bounds = new double[nb];
        long[] c = new long[nb];
        System.arraycopy(DeviceHistory.RTT_BOUNDS_SECONDS, 0, bounds, 0, nb - 1);
        bounds[nb - 1] = Double.POSITIVE_INFINITY;
        System.arraycopy(counts, offset, c, 0, nb);
        return HistogramSnapshot.HistogramDataPointSnapshot.builder().labels(labels)
                .classicHistogramBuckets(ClassicHistogramBuckets.of(bounds, c)).sum(sum).build();
    }

    private static MetricSnapshot family(Family f, double v) {
        if (f.counter()) {
            return CounterSnapshot.builder().name(f.name()).unit(f.unit()).help(f.help())
                    .dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().value(v).build()).build();
        }
        return GaugeSnapshot.builder().name(f.name()).unit(f.unit()).help(f.help())
                .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().value(v).build()).build();
    }

    /** A Prometheus family for a health field this class does not know by name. */
    static Family fallback(String field) {
        String n = field.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
        boolean counter = n.endsWith("_total");
        if (counter) {
            n = n.substring(0, n.length() - "_total".length());
        }
        double scale = 1;
        Unit unit = null;
        String[][] suffixes = {{"_ms", "_seconds", "0.001"}, {"_us", "_seconds", "0.000001"}, {"_ns", "_seconds", "1e-9"},
            {"_s", "_seconds", "1"}, {"_mb", "_bytes", "1048576"}, {"_kb", "_bytes", "1024"}, {"_pct", "_ratio", "0.01"},
            {"_c", "_celsius", "1"}};
        for (String[] s : suffixes) {
            if (n.endsWith(s[0])) {
                n = n.substring(0, n.length() - s[0].length()) + s[1];
                scale = Double.parseDouble(s[2]);
                unit = switch (s[1]) {
                    case "_seconds" -> Unit.SECONDS;
                    case "_bytes" -> Unit.BYTES;
                    case "_ratio" -> Unit.RATIO;
                    default -> Unit.CELSIUS;
                };
                break;
            }
        }
        return new Family(field, "netscan_" + n, counter, scale, unit, "Health field " + field + " (see /health).");
    }

    private static double tier(String level) {
        return switch (level) {
            case "WARNING" -> 1;
            case "CRITICAL" -> 2;
            case "EMERGENCY" -> 3;
            default -> 0;
        };
    }

    private static double number(Object v) {
        if (v instanceof Boolean b) {
            return b ? 1 : 0;
        }
        if (v instanceof Number n) {
            double d = n.doubleValue();
            return Double.isFinite(d) ? d : Double.NaN;
        }
        return Double.NaN;
    }
}
