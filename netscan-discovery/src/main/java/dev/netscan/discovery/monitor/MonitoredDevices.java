package dev.netscan.discovery.monitor;

import dev.netscan.core.PingStats;
import it.unimi.dsi.fastutil.ints.IntArrayList;

/**
 * What the scheduler needs from the device registry. Implementations are thread-safe; every
 * method is cheap and allocation-free.
 */
public interface MonitoredDevices {
    /** Clears {@code into} and fills it with every known address. */
    void addresses(IntArrayList into);

    /** A counter that changes whenever a device is added or removed. */
    long modCount();

    /** True while the device's circuit breaker keeps it suspended. */
    boolean isSuspended(int ipv4);

    void recordPingSuccess(int ipv4);

    void recordPingFailure(int ipv4);

    void updateStats(int ipv4, PingStats stats);
}
