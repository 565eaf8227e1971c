package dev.netscan.service;

import dev.netscan.core.AddressBook;
import dev.netscan.core.Cidr;
import dev.netscan.core.Cidr6;
import dev.netscan.core.Ipv6;
import dev.netscan.core.NetscanConfig;
import dev.netscan.core.TargetSet;
import dev.netscan.discovery.OnLinkDiscovery;
import dev.netscan.discovery.OnLinkListener;
import dev.netscan.state.DeviceRegistry;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntConsumer;
import java.util.function.IntPredicate;

/**
 * On-link discovery's listener: registers each host it finds like a swept one (IPv4 by its
 * address, IPv6 under its {@link AddressBook} key), unless the configuration excludes it, this
 * instance does not own it, or it cannot be monitored:
 * <ul>
 *   <li>IPv6 link-local addresses ({@code fe80::/10}) are counted but not registered: the ICMP
 *       engine sends without a scope, so it could not ping them, and their failures would be ours.
 *       The all-nodes echo is also sent from the interface's global addresses, so hosts with one
 *       are found under it.</li>
 *   <li>IPv4 addresses in 240.0.0.0/4 (the range of IPv6 keys) are never registered.</li>
 * </ul>
 * Called on the thread running the discovery round.
 */
final class OnLinkRegistration implements OnLinkListener {
    private static final System.Logger LOG = System.getLogger(OnLinkRegistration.class.getName());
    private final TargetSet targets;
    private final IntPredicate owns;
    private final DeviceRegistry registry;
    private final IntConsumer discovered;
    /** Hosts found that were not registered because they are link-local. */
    final AtomicLong linkLocalSkipped = new AtomicLong();

    OnLinkRegistration(TargetSet targets, IntPredicate owns, DeviceRegistry registry, IntConsumer discovered) {
        this.targets = targets;
        this.owns = owns;
        this.registry = registry;
        this.discovered = discovered;
    }

    /**
     * Runs one on-link discovery round of {@code config} and registers what it finds; warnings
     * and the count of link-local hosts left out go to the log.
     */
    static OnLinkDiscovery.Round round(NetscanConfig config, IntPredicate owns, DeviceRegistry registry, IntConsumer discovered) {
        OnLinkRegistration registration = new OnLinkRegistration(config.targets(), owns, registry, discovered);
        OnLinkDiscovery.Round round = new OnLinkDiscovery(config.onLink(), registration,
                w -> LOG.log(System.Logger.Level.WARNING, w)).discover();
        long skipped = registration.linkLocalSkipped.get();
        if (skipped > 0) {
            LOG.log(System.Logger.Level.INFO, "on-link discovery: " + skipped
                    + " link-local hosts found and not registered (not monitorable without a scope)");
        }
        return round;
    }

    @Override
    public void onFound(InetAddress address, String interfaceName, Source source) {
        int key;
        if (address instanceof Inet4Address v4) {
            key = AddressBook.shared().keyOf(v4);
            if (AddressBook.isIpv6Key(key) || excluded4(key)) {
                return;
            }
        } else if (address instanceof Inet6Address v6) {
            if (v6.isLinkLocalAddress()) {
                linkLocalSkipped.incrementAndGet();
                return;
            }
            if (excluded6(v6)) {
                return;
            }
            key = AddressBook.shared().intern(Ipv6.toAddress(Ipv6.high(v6), Ipv6.low(v6)));
        } else {
            return;
        }
        if (owns.test(key) && registry.add(key)) {
            discovered.accept(key);
        }
    }

    private boolean excluded4(int ipv4) {
        for (Cidr c : targets.excludes()) {
            if (c.contains(ipv4)) {
                return true;
            }
        }
        return false;
    }

    private boolean excluded6(Inet6Address a) {
        long high = Ipv6.high(a);
        long low = Ipv6.low(a);
        for (Cidr6 c : targets.ipv6Excludes()) {
            if (c.contains(high, low)) {
                return true;
            }
        }
        return false;
    }
}
