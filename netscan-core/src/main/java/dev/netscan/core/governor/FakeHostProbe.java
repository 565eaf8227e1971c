package dev.netscan.core.governor;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The fake of {@link HostProbe}, for tests and for embedders that want to drive the governor with
 * values of their own (a simulator, a replay): it returns whatever was last set. Not used by
 * netscan in production; the real probe is {@link OshiHostProbe}.
 *
 * <p>Thread safety: setters and {@link #sample()} may be called from any thread; a sample sees a
 * complete value set by one setter call.
 */
public final class FakeHostProbe implements HostProbe {

    /**
     * The initial reading: memory 40%, heap 30%, RSS 200 MiB, CPU load 0.2, 50 C, 24 threads,
     * 0 ms GC.
     */
    public static final HostSample HEALTHY = new HostSample(40, 30, 200L << 20, 0.2, 50, 24, 0);

    private volatile HostSample next = HEALTHY;
    private final AtomicLong samples = new AtomicLong();

    /** Creates a probe that reads {@link #HEALTHY}. */
    public FakeHostProbe() {}

    /**
     * Sets the whole next reading.
     *
     * @return this
     */
    public synchronized FakeHostProbe set(HostSample sample) {
        next = java.util.Objects.requireNonNull(sample, "sample");
        return this;
    }

    /**
     * Sets the CPU temperature, keeping the other values.
     *
     * @param celsius degrees Celsius, or NaN for "no sensor"
     * @return this
     */
    public synchronized FakeHostProbe temperatureCelsius(double celsius) {
        HostSample s = next;
        next = new HostSample(s.memoryUsedPct(), s.heapUsedPct(), s.rssBytes(), s.cpuLoad(), celsius, s.threads(), s.gcTimeMillis());
        return this;
    }

    /**
     * Sets system memory used, keeping the other values.
     *
     * @param pct percent in [0, 100], or NaN
     * @return this
     */
    public synchronized FakeHostProbe memoryUsedPct(double pct) {
        HostSample s = next;
        next = new HostSample(pct, s.heapUsedPct(), s.rssBytes(), s.cpuLoad(), s.cpuTemperatureCelsius(), s.threads(), s.gcTimeMillis());
        return this;
    }

    /** @return the value last set */
    @Override
    public HostSample sample() {
        samples.incrementAndGet();
        return next;
    }

    /** @return how many times {@link #sample()} was called */
    public long samples() {
        return samples.get();
    }
}
