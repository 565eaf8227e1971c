package dev.netscan.discovery.snmp;

import dev.netscan.core.SnmpInfo;

/**
 * Receives the outcome of each device's SNMP query. Exactly one call per accepted
 * {@link SnmpScanner#submit(int) submit}.
 *
 * <p>Called from the scanner's I/O threads (snmp4j's receive thread or its timer thread), possibly
 * from several at once: implementations must be thread-safe and fast, and must not block (hand
 * off to a queue, as {@code MetricsSink} does). An exception thrown by a listener is logged and
 * otherwise ignored.
 */
public interface SnmpListener {

    /**
     * The device answered.
     *
     * @param ipv4 the device address
     * @param info its identity, sanitised and bounded ({@link SnmpText}); some fields may be null
     * @param timestampEpochNanos when the answer was received, from the scanner's clock
     */
    void onSuccess(int ipv4, SnmpInfo info, long timestampEpochNanos);

    /**
     * The device did not answer usefully.
     *
     * @param ipv4 the device address
     * @param outcome any outcome but {@link SnmpOutcome#SUCCESS}; {@link SnmpOutcome#LOCAL_REFUSAL} is
     *     this host's refusal and must not be recorded as the device's failure
     * @param detail a short sanitised explanation without credentials (e.g. {@code usmStatsWrongDigests})
     */
    void onFailure(int ipv4, SnmpOutcome outcome, String detail);

    /** A listener that ignores everything. */
    SnmpListener NONE = new SnmpListener() {
        @Override
        public void onSuccess(int ipv4, SnmpInfo info, long timestampEpochNanos) {}

        @Override
        public void onFailure(int ipv4, SnmpOutcome outcome, String detail) {}
    };
}
