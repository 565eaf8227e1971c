package dev.netscan.bench.registry;

import dev.netscan.state.DeviceRegistry;
import java.util.SplittableRandom;

/** Builds the 20K-device registries the registry benchmarks read and write. */
final class Fixture {
    static final int BASE = 0x0A000000;

    private Fixture() {}

    /** A registry holding {@code devices} addresses from 10.0.0.0 up; never suspends (threshold is huge). */
    static DeviceRegistry registry(int devices) {
        DeviceRegistry r = DeviceRegistry.builder().maxDevices(devices).failureThreshold(Integer.MAX_VALUE)
                .expiryTimer(false).build();
        for (int i = 0; i < devices; i++) {
            r.add(BASE + i);
        }
        return r;
    }

    /**
     * The addresses of {@link #registry(int)} in a fixed random order, length rounded up to a
     * power of two (by repeating) so a benchmark can cycle with a mask: the order defeats the
     * prefetcher as results from 20K pingers would.
     */
    static int[] shuffledAddresses(int devices, long seed) {
        int n = Integer.highestOneBit(devices - 1) << 1;
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = BASE + (i % devices);
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = out[i];
            out[i] = out[j];
            out[j] = t;
        }
        return out;
    }
}
