package dev.netscan.core;

/**
 * Where measurements go: the port that the InfluxDB writer, the line-protocol file sink and test
 * sinks implement. Producers are the ICMP scheduler (many results per second), the SNMP scanner
 * and the health reporter.
 *
 * <p>Contract for implementations: every {@code offer*} method is thread-safe and never blocks
 * the caller (no I/O, no waiting on locks held across I/O); it returns {@code true} when the
 * measurement was accepted for delivery and {@code false} when it had to be dropped (an
 * implementation that drops must count it). Timestamps are the ones inside the values, never
 * "now" at delivery.
 *
 * <p>Devices are named by an {@code int} key: an IPv4 address, or for an IPv6 device a key of
 * {@link AddressBook#shared()}; {@link AddressBook#text(int)} (or the records' {@code address()})
 * gives the address as text.
 */
public interface MetricsSink extends AutoCloseable {

    /** One probe's outcome (measurement {@code ping}). */
    boolean offerPing(PingResult result);

    /** A device's SNMP identity (measurement {@code device_info}). */
    boolean offerDeviceInfo(int ipv4, SnmpInfo info, long timestampEpochNanos);

    /** One device's ping statistics window (measurement {@code ping_stats}). */
    boolean offerPingStats(PingStats stats);

    /** A health report (measurement {@code health_metrics}, health bucket). */
    boolean offerHealth(HealthReport report);

    /**
     * A device event (measurement {@code device_event}). Sinks that predate it return
     * {@code false} (not written) by default.
     */
    default boolean offerDeviceEvent(DeviceEvent event) {
        return false;
    }

    /**
     * Where every offered point is now (see {@link SinkCounters} for the invariant). Cheap, any
     * thread, any time, also after {@link #close()}. The default accounts for nothing.
     */
    default SinkCounters counters() {
        return SinkCounters.NONE;
    }

    /**
     * Sets the points per batch from now on (the governor's knob). Any thread. Implementations
     * without batches ignore it (the default).
     *
     * @throws IllegalArgumentException outside the implementation's range, if it has one
     */
    default void setBatchSize(int points) {}

    /** Delivers what is buffered as far as possible within the implementation's bound; may block. */
    default void flush() {}

    /** Flushes within a bound and releases resources; idempotent. */
    @Override
    default void close() {}
}
