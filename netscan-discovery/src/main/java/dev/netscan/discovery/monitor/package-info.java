/**
 * Continuous monitoring: {@link dev.netscan.discovery.monitor.PingScheduler} pings every device of
 * the registry once per interval on a fixed-rate phase wheel, reconciles the schedule with the
 * registry without allocating, keeps per-device rolling statistics ({@code ping_stats}) and
 * lateness percentiles, and hands every result to the registry and the
 * {@link dev.netscan.core.MetricsSink}.
 */
package dev.netscan.discovery.monitor;
