package dev.netscan.discovery.monitor;

import dev.netscan.core.PingResult;
import java.util.function.Consumer;

/**
 * What the scheduler needs from the ICMP engine: queue one monitoring probe without blocking.
 * The engine later calls {@code listener} exactly once with the probe's {@link PingResult}, from
 * one of its own threads.
 */
@FunctionalInterface
public interface MonitorProber {
    /** Returns false, without calling the listener, when the probe cannot be accepted now. */
    boolean trySubmit(int ipv4, long timeoutNanos, Consumer<PingResult> listener);
}
