package dev.netscan.state;

/**
 * An open-addressing hash map from an {@code int} key (an IPv4 address) to a slot number
 * ({@code 0 .. 2^31-2}), with the key and the slot packed into one {@code long} per table entry.
 *
 * <p>Why not a library map: a lookup here reads one table entry, so one cache line per probe,
 * where a map with separate key and value arrays touches two (the difference shows at a million
 * devices, where the table is not in cache). Linear probing, Fibonacci hashing, at most half
 * full, deletion by backward shift (no tombstones, so probe runs never degrade under the
 * add/evict churn of a full registry).
 *
 * <p>Entry layout: {@code key << 32 | (slot + 1)}; 0 is an empty entry (the slot part of a used
 * entry is never 0). Not thread-safe: the owning {@link DeviceRegistry} calls it under its lock.
 * Allocation-free except when it grows.
 */
final class IntSlotMap {
    static final int ABSENT = -1;
    private static final int MIN_BITS = 4;

    private long[] table;
    private int mask;
    /** 32 - log2(table length): the shift that turns the hash into an index. */
    private int shift;
    private int size;
    /** Grow when size reaches this (half the table). */
    private int growAt;

    IntSlotMap(int expected) {
        int bits = MIN_BITS;
        while ((1 << bits) < 2L * expected && bits < 30) {
            bits++;
        }
        alloc(bits);
    }

    private void alloc(int bits) {
        table = new long[1 << bits];
        mask = (1 << bits) - 1;
        shift = 32 - bits;
        growAt = 1 << (bits - 1);
    }

    int size() {
        return size;
    }

    private int home(int key) {
        return (key * 0x9E3779B9) >>> shift;
    }

    /** The slot of {@code key}, or {@link #ABSENT}. */
    int get(int key) {
        long[] t = table;
        int m = mask;
        for (int i = home(key); ; i = (i + 1) & m) {
            long e = t[i];
            if (e == 0) {
                return ABSENT;
            }
            if ((int) (e >>> 32) == key) {
                return (int) e - 1;
            }
        }
    }

    boolean containsKey(int key) {
        return get(key) != ABSENT;
    }

    /**
     * Maps {@code key} to {@code slot} unless it is already mapped, with one probe run.
     *
     * @return the existing slot, or {@link #ABSENT} if the mapping was added
     */
    int putIfAbsent(int key, int slot) {
        long[] t = table;
        int m = mask;
        int i = home(key);
        for (; ; i = (i + 1) & m) {
            long e = t[i];
            if (e == 0) {
                break;
            }
            if ((int) (e >>> 32) == key) {
                return (int) e - 1;
            }
        }
        t[i] = entry(key, slot);
        if (++size >= growAt) {
            rehash();
        }
        return ABSENT;
    }

    /** Maps {@code key} to {@code slot}, replacing any mapping. */
    void put(int key, int slot) {
        long[] t = table;
        int m = mask;
        int i = home(key);
        for (; ; i = (i + 1) & m) {
            long e = t[i];
            if (e == 0) {
                break;
            }
            if ((int) (e >>> 32) == key) {
                t[i] = entry(key, slot);
                return;
            }
        }
        t[i] = entry(key, slot);
        if (++size >= growAt) {
            rehash();
        }
    }

    /** Removes {@code key}; returns its slot or {@link #ABSENT}. */
    int remove(int key) {
        long[] t = table;
        int m = mask;
        int i = home(key);
        long e;
        for (; ; i = (i + 1) & m) {
            e = t[i];
            if (e == 0) {
                return ABSENT;
            }
            if ((int) (e >>> 32) == key) {
                break;
            }
        }
        // Backward shift: move later entries of the run into the hole when their home allows it.
        int hole = i;
        for (int j = (i + 1) & m; ; j = (j + 1) & m) {
            long f = t[j];
            if (f == 0) {
                break;
            }
            int h = home((int) (f >>> 32));
            // f may move to the hole if its home is not in (hole, j] (cyclically).
            if (((j - h) & m) >= ((j - hole) & m)) {
                t[hole] = f;
                hole = j;
            }
        }
        t[hole] = 0;
        size--;
        return (int) e - 1;
    }

    private static long entry(int key, int slot) {
        return (long) key << 32 | (slot + 1L);
    }

    private void rehash() {
        long[] old = table;
        alloc(Integer.numberOfTrailingZeros(old.length) + 1);
        long[] t = table;
        int m = mask;
        for (long e : old) {
            if (e != 0) {
                int i = home((int) (e >>> 32));
                while (t[i] != 0) {
                    i = (i + 1) & m;
                }
                t[i] = e;
            }
        }
    }
}
