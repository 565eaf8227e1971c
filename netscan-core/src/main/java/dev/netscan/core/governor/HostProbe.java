package dev.netscan.core.governor;

/**
 * The port through which the governor measures the host: memory, heap, RSS, CPU load, CPU
 * temperature, threads, GC time. The real implementation is {@link OshiHostProbe}; the fake for
 * tests is {@link FakeHostProbe}.
 *
 * <p>Contract: {@link #sample()} is called by one thread at a time (the governor's), may take a few
 * milliseconds, never returns {@code null}, and reports a value the host cannot give as
 * unavailable (see {@link HostSample}), never as 0.
 */
@FunctionalInterface
public interface HostProbe {

    /**
     * Measures the host now. CPU load is the system load over the time since the previous call
     * (or since construction for the first call).
     *
     * @return the sample, never {@code null}
     * @throws RuntimeException if the host could not be read at all; the governor logs it and skips
     *     that sample
     */
    HostSample sample();
}
