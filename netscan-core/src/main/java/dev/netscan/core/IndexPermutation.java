package dev.netscan.core;

/**
 * Every index of {@code [0, size)} exactly once, in a seed-dependent, random-looking order, in
 * O(1) memory: the walk both {@link AddressPermutation} (IPv4) and {@link Ipv6Permutation} map to
 * addresses.
 *
 * <p>How: a balanced four-round Feistel network is a bijection on {@code [0, 2^(2h))} for any
 * round function; we pick the smallest {@code 2^(2h) >= size} (so at most 4x the size) and walk
 * the indices {@code 0, 1, 2, ...} through it, skipping images {@code >= size}. Every index of
 * {@code [0, size)} therefore comes out exactly once.
 *
 * <p>Not thread-safe: one consumer.
 */
final class IndexPermutation {
    private static final int ROUNDS = 4;

    private final long size;
    private final int halfBits;
    private final long halfMask;
    private final long[] keys = new long[ROUNDS];
    private long counter;
    private long emitted;

    IndexPermutation(long size, long seed) {
        this.size = size;
        int bits = 64 - Long.numberOfLeadingZeros(Math.max(1, size - 1));
        this.halfBits = Math.max(1, (bits + 1) / 2);
        this.halfMask = (1L << halfBits) - 1;
        long s = seed;
        for (int i = 0; i < ROUNDS; i++) {
            s += 0x9E3779B97F4A7C15L;
            keys[i] = mix(s);
        }
    }

    long size() {
        return size;
    }

    long emitted() {
        return emitted;
    }

    boolean hasNext() {
        return emitted < size;
    }

    /** The next index; the caller has checked {@link #hasNext()}. */
    long next() {
        long index;
        do {
            index = permute(counter++);
        } while (index >= size);
        emitted++;
        return index;
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
