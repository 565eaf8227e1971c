package dev.netscan.cli;

import dev.netscan.core.SnmpInfo;
import java.util.List;

/**
 * What {@code netscan scan} found: the summary and one row per live device, sorted by address.
 *
 * @param targets addresses swept
 * @param alive addresses that answered
 * @param elapsedMillis wall time of the sweep (and SNMP, when asked)
 * @param ratePps achieved probe rate
 * @param devices one row per live device
 */
record ScanReport(long targets, long alive, long elapsedMillis, double ratePps, List<Row> devices) {

    /**
     * One live device.
     *
     * @param address dotted-quad or IPv6 text
     * @param ipv4 the address as an int, or 0 for IPv6
     * @param rttMillis round-trip time of the answering probe
     * @param snmp what it said over SNMP, {@link SnmpInfo#UNKNOWN} when it did not answer or was not asked
     * @param seenAtEpochNanos when the answering probe was sent
     */
    record Row(String address, int ipv4, double rttMillis, SnmpInfo snmp, long seenAtEpochNanos) {}
}
