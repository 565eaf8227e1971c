package dev.netscan.service;

import dev.netscan.core.AddressBook;
import dev.netscan.discovery.SweepListener;
import java.net.Inet6Address;
import dev.netscan.state.DeviceRegistry;
import java.util.function.IntConsumer;
import java.util.function.IntPredicate;

/**
 * A discovery sweep's listener: probes only the addresses this instance owns, and adds the ones
 * that answer to the registry (at the reply's receive time when the engine gives it), telling
 * {@code discovered} about each device that is new. IPv6 devices are registered under their
 * {@link AddressBook} key, and ownership is asked about that key (a process-local key: a fleet
 * does not partition IPv6 devices consistently across members). Called on the sweep's threads.
 */
final class OwnedDiscovery implements SweepListener {
    private final IntPredicate owns;
    private final DeviceRegistry registry;
    private final IntConsumer discovered;

    OwnedDiscovery(IntPredicate owns, DeviceRegistry registry, IntConsumer discovered) {
        this.owns = owns;
        this.registry = registry;
        this.discovered = discovered;
    }

    @Override
    public boolean accepts(int ip) {
        return owns.test(ip);
    }

    @Override
    public void onAlive(int ip, long rttNanos) {
        if (owns.test(ip) && registry.add(ip)) {
            discovered.accept(ip);
        }
    }

    @Override
    public void onAlive(int ip, long rttNanos, long answeredAtEpochMillis) {
        if (owns.test(ip) && registry.add(ip, answeredAtEpochMillis)) { // no second clock read
            discovered.accept(ip);
        }
    }

    @Override
    public void onAliveIpv6(Inet6Address address, long rttNanos, long answeredAtEpochMillis) {
        int key = AddressBook.shared().intern(address);
        if (owns.test(key) && registry.add(key, answeredAtEpochMillis)) {
            discovered.accept(key);
        }
    }
}
