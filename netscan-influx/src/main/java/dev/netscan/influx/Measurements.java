package dev.netscan.influx;

import dev.netscan.core.DeviceEvent;
import dev.netscan.core.HealthReport;
import dev.netscan.core.PingResult;
import dev.netscan.core.PingStats;
import dev.netscan.core.SnmpInfo;
import java.util.Map;

/**
 * The netscan measurements as line protocol, with the names the Go netscan service wrote (so
 * dashboards and queries carry over):
 *
 * <ul>
 *   <li>{@code ping}, tag {@code ip}; fields {@code rtt_ms} (float, only when a reply came),
 *       {@code success} (bool), {@code outcome} (string: reply, timeout, unreachable, error);
 *       timestamp = when the probe was sent.</li>
 *   <li>{@code device_info}, tag {@code ip}; string fields {@code hostname} (sysName),
 *       {@code snmp_description} (sysDescr), {@code sys_object_id}, {@code sys_location},
 *       {@code sys_contact}, integer {@code sys_uptime_s}; each only when known.</li>
 *   <li>{@code ping_stats}, tag {@code ip}; {@code sent}, {@code received} (integers),
 *       {@code loss_pct}, {@code rtt_min_ms}, {@code rtt_avg_ms}, {@code rtt_max_ms},
 *       {@code rtt_stddev_ms}, {@code jitter_ms}, {@code rtt_p95_ms} (floats; NaN ones left
 *       out), {@code local} (integer, only when not 0: probes of the window refused or dropped on
 *       our side, which {@code sent} and {@code loss_pct} leave out); timestamp = end of the window.</li>
 *   <li>{@code health_metrics}, no tags; one field per {@link HealthReport} entry (Long as
 *       integer, Double as float with non-finite values left out, Boolean, String).</li>
 * </ul>
 *
 * <p>Each method writes one whole line or nothing and returns whether it wrote one. Stateless;
 * thread safety is that of the encoder passed in.
 */
public final class Measurements {
    /** Measurement of one probe result. */
    public static final String PING = "ping";
    /** Measurement of a device's SNMP identity. */
    public static final String DEVICE_INFO = "device_info";
    /** Measurement of a device's ping statistics window. */
    public static final String PING_STATS = "ping_stats";
    /** Measurement of a health report (health bucket). */
    public static final String HEALTH = "health_metrics";
    /** Device events: down, up, new, evicted, pruned, removed. */
    public static final String DEVICE_EVENT = "device_event";
    /** The {@code device_event} tag holding the event's type. */
    public static final String TAG_EVENT = "event";
    private static final LineProtocolEncoder.Name N_NAME = LineProtocolEncoder.Name.of("name");
    private static final LineProtocolEncoder.Name N_COUNT = LineProtocolEncoder.Name.of("count");
    /** The tag carrying the device address (dotted quad). */
    public static final String TAG_IP = "ip";

    private static final LineProtocolEncoder.Name N_PING = LineProtocolEncoder.Name.of(PING);
    private static final LineProtocolEncoder.Name N_PING_STATS = LineProtocolEncoder.Name.of(PING_STATS);
    private static final LineProtocolEncoder.Name N_IP = LineProtocolEncoder.Name.of(TAG_IP);
    private static final LineProtocolEncoder.Name N_RTT_MS = LineProtocolEncoder.Name.of("rtt_ms");
    private static final LineProtocolEncoder.Name N_SUCCESS = LineProtocolEncoder.Name.of("success");
    private static final LineProtocolEncoder.Name N_OUTCOME = LineProtocolEncoder.Name.of("outcome");
    private static final LineProtocolEncoder.Name N_SENT = LineProtocolEncoder.Name.of("sent");
    private static final LineProtocolEncoder.Name N_RECEIVED = LineProtocolEncoder.Name.of("received");
    private static final LineProtocolEncoder.Name N_LOSS = LineProtocolEncoder.Name.of("loss_pct");
    private static final LineProtocolEncoder.Name N_MIN = LineProtocolEncoder.Name.of("rtt_min_ms");
    private static final LineProtocolEncoder.Name N_AVG = LineProtocolEncoder.Name.of("rtt_avg_ms");
    private static final LineProtocolEncoder.Name N_MAX = LineProtocolEncoder.Name.of("rtt_max_ms");
    private static final LineProtocolEncoder.Name N_STDDEV = LineProtocolEncoder.Name.of("rtt_stddev_ms");
    private static final LineProtocolEncoder.Name N_JITTER = LineProtocolEncoder.Name.of("jitter_ms");
    private static final LineProtocolEncoder.Name N_P95 = LineProtocolEncoder.Name.of("rtt_p95_ms");
    private static final LineProtocolEncoder.Name N_LOCAL = LineProtocolEncoder.Name.of("local");

    private Measurements() {}

    /** Writes a {@code ping} line. Allocation-free. */
    public static boolean ping(LineProtocolEncoder enc, PingResult r) {
        enc.measurement(N_PING).tagAddress(N_IP, r.ipv4());
        if (r.success()) {
            // Exactly rttNanos / 10^6 in decimal: the same text as the shortest form of rttMillis().
            enc.decimalField(N_RTT_MS, r.rttNanos(), 6);
        }
        enc.boolField(N_SUCCESS, r.success())
                .stringField(N_OUTCOME, r.outcome().label())
                .endLine(r.sentAtEpochNanos());
        return true;
    }

    /** Writes a {@code device_event} line: tags {@code ip}, {@code event}; fields {@code name} (SNMP name, may be empty), {@code count=1i}. */
    public static boolean deviceEvent(LineProtocolEncoder enc, DeviceEvent e) {
        enc.measurement(DEVICE_EVENT).tagAddress(N_IP, e.ipv4()).tag(TAG_EVENT, e.type())
                .stringField(N_NAME, e.name()).intField(N_COUNT, 1).endLine(e.timestampEpochNanos());
        return true;
    }

    /** Writes a {@code device_info} line; writes nothing (false) when {@code info} knows nothing. */
    public static boolean deviceInfo(LineProtocolEncoder enc, int ipv4, SnmpInfo info, long timestampEpochNanos) {
        if (info == null || !info.isKnown()) {
            return false;
        }
        enc.measurement(DEVICE_INFO).tagAddress(N_IP, ipv4);
        if (info.sysName() != null) {
            enc.stringField("hostname", info.sysName());
        }
        if (info.sysDescr() != null) {
            enc.stringField("snmp_description", info.sysDescr());
        }
        if (info.sysObjectId() != null) {
            enc.stringField("sys_object_id", info.sysObjectId());
        }
        if (info.sysLocation() != null) {
            enc.stringField("sys_location", info.sysLocation());
        }
        if (info.sysContact() != null) {
            enc.stringField("sys_contact", info.sysContact());
        }
        if (info.sysUpTimeHundredths() >= 0) {
            enc.intField("sys_uptime_s", info.sysUpTimeSeconds());
        }
        enc.endLine(timestampEpochNanos);
        return true;
    }

    /** Writes a {@code ping_stats} line. Allocation-free. */
    public static boolean pingStats(LineProtocolEncoder enc, PingStats s) {
        enc.measurement(N_PING_STATS).tagAddress(N_IP, s.ipv4())
                .intField(N_SENT, s.sent())
                .intField(N_RECEIVED, s.received());
        finite(enc, N_LOSS, s.lossPercent());
        finite(enc, N_MIN, s.rttMinMillis());
        finite(enc, N_AVG, s.rttAvgMillis());
        finite(enc, N_MAX, s.rttMaxMillis());
        finite(enc, N_STDDEV, s.rttStddevMillis());
        finite(enc, N_JITTER, s.jitterMillis());
        finite(enc, N_P95, s.rttP95Millis());
        if (s.localOutcomes() > 0) {
            enc.intField(N_LOCAL, s.localOutcomes());
        }
        enc.endLine(s.windowEndEpochNanos());
        return true;
    }

    /** Writes a {@code health_metrics} line; nothing (false) when the report has no writable field. */
    public static boolean health(LineProtocolEncoder enc, HealthReport h) {
        boolean any = false;
        for (Map.Entry<String, Object> e : h.fields().entrySet()) {
            Object v = e.getValue();
            if (e.getKey().isEmpty() || (v instanceof Double d && !Double.isFinite(d))) {
                continue;
            }
            if (!any) {
                enc.measurement(HEALTH);
                any = true;
            }
            switch (v) {
                case Long l -> enc.intField(e.getKey(), l);
                case Double d -> enc.floatField(e.getKey(), d);
                case Boolean b -> enc.boolField(e.getKey(), b);
                case String s -> enc.stringField(e.getKey(), s);
                default -> throw new IllegalArgumentException("health field " + e.getKey() + " has unsupported type");
            }
        }
        if (any) {
            enc.endLine(h.timestampEpochNanos());
        }
        return any;
    }

    private static void finite(LineProtocolEncoder enc, LineProtocolEncoder.Name key, double v) {
        if (Double.isFinite(v)) {
            enc.floatField(key, v);
        }
    }
}
