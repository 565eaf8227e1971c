package dev.netscan.core;

import java.util.NoSuchElementException;
import java.util.PrimitiveIterator;

/**
 * Visits every IPv4 address of a {@link TargetSet} exactly once in a seed-dependent,
 * random-looking order, in O(1) memory: a Feistel walk of the indices (see
 * {@code IndexPermutation}), each index mapped to its address by {@link TargetSet#addressAt(long)}.
 * The IPv6 part has its own walk, {@link Ipv6Permutation}.
 *
 * <p>Not thread-safe: one consumer.
 */
public final class AddressPermutation implements PrimitiveIterator.OfInt {
    private final TargetSet targets;
    private final IndexPermutation order;

    AddressPermutation(TargetSet targets, long seed) {
        this.targets = targets;
        this.order = new IndexPermutation(targets.ipv4Size(), seed);
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

    /** The next address as an int; see {@link Ipv4}. */
    @Override
    public int nextInt() {
        if (!order.hasNext()) {
            throw new NoSuchElementException("all " + order.size() + " addresses visited");
        }
        return targets.addressAt(order.next());
    }
}
