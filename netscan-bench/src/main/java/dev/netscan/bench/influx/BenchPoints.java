package dev.netscan.bench.influx;

import dev.netscan.core.PingResult;

/** Deterministic ping results shaped like a 20,000-device monitor's output. */
final class BenchPoints {
    private BenchPoints() {}

    static final long T0 = 1_765_000_000_000_000_000L;

    /** Result {@code i} of a run over {@code devices} devices pinged once a second. */
    static PingResult ping(long i, int devices) {
        return ping(i, devices, T0);
    }

    /** As {@link #ping(long, int)} with the first round at {@code t0} (epoch nanos). */
    static PingResult ping(long i, int devices, long t0) {
        int dev = (int) (i % devices);
        int ip = 0x0A000000 + dev + 1;
        long ts = t0 + (i / devices) * 1_000_000_000L + dev * 50_000L;
        return i % 50 == 7 ? PingResult.failed(ip, ts, PingResult.Outcome.TIMEOUT)
                : PingResult.reply(ip, ts, 180_000L + (i * 7919) % 2_000_000L);
    }

    static PingResult[] pings(int n, int devices) {
        PingResult[] out = new PingResult[n];
        for (int i = 0; i < n; i++) out[i] = ping(i, devices);
        return out;
    }
}
