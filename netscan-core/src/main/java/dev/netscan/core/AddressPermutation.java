package dev.netscan.core;

import java.util.NoSuchElementException;
import java.util.PrimitiveIterator;

/**
 * Visits every address of a {@link TargetSet} exactly once in a seed-dependent, random-looking
 * order, in O(1) memory.
 *
 * <p>How: a balanced four-round Feistel network is a bijection on {@code [0, 2^(2h))} for any
 * round function; we pick the smallest {@code 2^(2h) >= size} (so at most 4x the size) and walk
 * the indices {@code 0, 1, 2, ...} through it, skipping images {@code >= size}. Every index of
 * {@code [0, size)} therefore comes out exactly once, and each is mapped to its address by
 * {@link TargetSet#addressAt(long)}.
 *
 * <p>Not thread-safe: one consumer.
 */
public final class AddressPermutation implements PrimitiveIterator.OfInt {
    private static final int ROUNDS = 4;

    private final TargetSet targets;
    private final long size;
    private final int halfBits;
    private final long halfMask;
    private final long[] keys = new long[ROUNDS];
    private long counter;
    private long emitted;

    AddressPermutation(TargetSet targets, long seed) {
        this.targets = targets;
        this.size = targets.size();
        int bits = 64 - Long.numberOfLeadingZeros(Math.max(1, size - 1));
        this.halfBits = Math.max(1, (bits + 1) / 2);
        this.halfMask = (1L << halfBits) - 1;
        long s = seed;
        for (int i = 0; i < ROUNDS; i++) {
            s += 0x9E3779B97F4A7C15L;
            keys[i] = mix(s);
        }
    }

    /** Number of addresses in the whole permutation. */
    public long size() {
        return size;
    }

    /** Number of addresses already returned. */
    public long emitted() {
        return emitted;
    }

    @Override
    public boolean hasNext() {
        return emitted < size;
    }

    /** The next address as an int; see {@link Ipv4}. */
    @Override
    public int nextInt() {
        if (emitted >= size) {
            throw new NoSuchElementException("all " + size + " addresses visited");
        }
        long index;
        do {
            index = permute(counter++);
        } while (index >= size);
        emitted++;
        return targets.addressAt(index);
    }

    private long permute(long x) {
        long left = x >>> halfBits;
        long right = x & halfMask;
        for (int r = 0; r < ROUNDS; r++) {
            long next = left ^ (mix(right ^ keys[r]) & halfMask);
            left = right;
            right = next;
        }
        return (left << halfBits) | right;
    }

    /** SplitMix64's finaliser: a fast, well-mixed 64-bit hash. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
