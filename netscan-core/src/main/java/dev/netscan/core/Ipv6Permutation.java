package dev.netscan.core;

import java.net.Inet6Address;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Visits every IPv6 address of a {@link TargetSet} exactly once in a seed-dependent,
 * random-looking order, in O(1) memory (the same Feistel walk as {@link AddressPermutation}).
 * Each address is a new {@link Inet6Address}, since that is what an ICMPv6 probe is submitted
 * with; IPv6 sweeps are at most {@link TargetSet#IPV6_MAX_PREFIX_ADDRESSES} addresses a prefix.
 *
 * <p>Not thread-safe: one consumer.
 */
public final class Ipv6Permutation implements Iterator<Inet6Address> {
    private final TargetSet targets;
    private final IndexPermutation order;

    Ipv6Permutation(TargetSet targets, long seed) {
        this.targets = targets;
        this.order = new IndexPermutation(targets.ipv6Size(), seed);
    }

    /** Number of addresses in the whole permutation. */
    public long size() {
        return order.size();
    }

    /** Number of addresses already returned. */
    public long emitted() {
        return order.emitted();
    }

    @Override
    public boolean hasNext() {
        return order.hasNext();
    }

    /** The next address, without a scope. */
    @Override
    public Inet6Address next() {
        if (!order.hasNext()) {
            throw new NoSuchElementException("all " + order.size() + " addresses visited");
        }
        return targets.ipv6At(order.next());
    }
}
