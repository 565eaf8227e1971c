package dev.netscan.core;

/**
 * An immutable snapshot of what is known about one device at one moment. Times are wall-clock
 * milliseconds since the epoch.
 *
 * @param ipv4 the device's key: its IPv4 address (see {@link Ipv4}), or for an IPv6 device its
 *     {@link AddressBook} key
 * @param firstSeenEpochMillis when it was first discovered
 * @param lastSeenEpochMillis when it last answered (or was last added/touched)
 * @param snmp what it said over SNMP, {@link SnmpInfo#UNKNOWN} until it answered
 * @param snmpUpdatedEpochMillis when {@code snmp} was last updated, 0 if never
 * @param failureStreak consecutive failed pings
 * @param suspendedUntilEpochMillis end of the current suspension (circuit breaker), 0 if none
 * @param suspensions how many times in a row it was suspended (drives the doubling backoff)
 * @param lastStats the latest completed ping-statistics window, or {@code null}
 */
public record Device(
        int ipv4,
        long firstSeenEpochMillis,
        long lastSeenEpochMillis,
        SnmpInfo snmp,
        long snmpUpdatedEpochMillis,
        int failureStreak,
        long suspendedUntilEpochMillis,
        int suspensions,
        PingStats lastStats) {

    public Device {
        if (snmp == null) {
            snmp = SnmpInfo.UNKNOWN;
        }
    }

    /** True when suspended at {@code nowEpochMillis}. */
    public boolean suspendedAt(long nowEpochMillis) {
        return suspendedUntilEpochMillis > nowEpochMillis;
    }

    /** The address as text: dotted-quad for IPv4, RFC 5952 for IPv6 ({@link AddressBook#text(int)}). */
    public String address() {
        return AddressBook.shared().text(ipv4);
    }
}
