package dev.netscan.service;

import dev.netscan.core.NetscanConfig;
import dev.netscan.discovery.monitor.PingScheduler;
import java.time.Duration;

/**
 * What the service says when the scheduler's ping schedule cannot be served, or can again: the
 * numbers, what limits it (this host's cores or {@code max_concurrent_pingers / ping_timeout}) and
 * the key to change. The service decides when to say it (once per change of the effective interval).
 */
final class ScheduleNotice {
    private ScheduleNotice() {
    }

    /** The warning for a stretched schedule {@code s} under {@code config}. */
    static String stretched(PingScheduler.Schedule s, NetscanConfig config) {
        boolean host = "host".equals(s.limitedBy());
        String key = host ? "ping_interval (or move netscan to a larger host)"
                : "max_concurrent_pingers (or lower ping_timeout)";
        return String.format(java.util.Locale.ROOT,
                "the ping schedule cannot be served: %d devices at ping_interval %s need %.0f probes/s, but %s allow "
                        + "%.0f probes/s; every device is still pinged, every %s instead; to keep %s, raise %s",
                s.devices(), NetscanConfig.human(config.pingInterval()), s.requiredPps(),
                host ? "this host's " + Runtime.getRuntime().availableProcessors()
                        + " cores (" + NetscanService.HOST_PPS_PER_CORE + " probes/s each)"
                        : "max_concurrent_pingers " + config.maxConcurrentPingers() + " over ping_timeout "
                                + NetscanConfig.human(config.pingTimeout()),
                s.capacityPps(), NetscanConfig.human(Duration.ofNanos(s.effectiveIntervalNanos())),
                NetscanConfig.human(config.pingInterval()), key);
    }

    /** The clearance for a schedule {@code s} served in full. */
    static String served(PingScheduler.Schedule s, NetscanConfig config) {
        return "the ping schedule is served: " + s.devices() + " devices every "
                + NetscanConfig.human(config.pingInterval());
    }
}
