package dev.netscan.core;

/**
 * A change in a device's life that an operator wants to hear about (measurement
 * {@code device_event}).
 *
 * @param ipv4 the device's key: an IPv4 address (see {@link Ipv4}) or an IPv6 {@link AddressBook} key
 * @param type {@code down} (suspended after failing {@code ping_failure_threshold} pings in a
 *     row), {@code up} (answered again while suspended), {@code new}, {@code evicted},
 *     {@code pruned} or {@code removed}
 * @param name the device's SNMP sysName, empty when unknown
 * @param timestampEpochNanos when it happened, nanoseconds since the epoch
 */
public record DeviceEvent(int ipv4, String type, String name, long timestampEpochNanos) {
    /** The device's address as text ({@link AddressBook#text(int)}). */
    public String address() {
        return AddressBook.shared().text(ipv4);
    }

    public DeviceEvent {
        if (type == null || type.isEmpty()) {
            throw new IllegalArgumentException("type is required");
        }
        if (name == null) {
            name = "";
        }
    }
}
