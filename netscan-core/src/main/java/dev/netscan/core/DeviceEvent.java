package dev.netscan.core;

/**
 * A change in a device's life that an operator wants to hear about (measurement
 * {@code device_event}).
 *
 * @param ipv4 the device's address (see {@link Ipv4})
 * @param type {@code down} (suspended after failing {@code ping_failure_threshold} pings in a
 *     row), {@code up} (answered again while suspended), {@code new}, {@code evicted},
 *     {@code pruned} or {@code removed}
 * @param name the device's SNMP sysName, empty when unknown
 * @param timestampEpochNanos when it happened, nanoseconds since the epoch
 */
public record DeviceEvent(int ipv4, String type, String name, long timestampEpochNanos) {
    public DeviceEvent {
        if (type == null || type.isEmpty()) {
            throw new IllegalArgumentException("type is required");
        }
        if (name == null) {
            name = "";
        }
    }
}
