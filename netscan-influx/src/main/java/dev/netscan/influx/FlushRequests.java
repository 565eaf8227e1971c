package dev.netscan.influx;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * The flush handshake between any number of callers and a sink's single writer thread: a caller
 * takes a ticket and waits (bounded) until the writer reports having served it; the writer reads
 * the latest ticket before it drains, and marks it served once everything offered before it has
 * been written. Used by {@link QueuedSink}, the shared half of every sink.
 */
final class FlushRequests {
    private final AtomicLong requested = new AtomicLong();
    private volatile long served;

    /**
     * Caller: asks {@code writer} for a flush and waits until it is served, the writer stops, or
     * {@code timeoutNanos} pass, polling every {@code pollNanos}.
     */
    void requestAndAwait(Thread writer, BooleanSupplier stopped, long timeoutNanos, long pollNanos) {
        long ticket = requested.incrementAndGet();
        LockSupport.unpark(writer);
        long deadline = System.nanoTime() + timeoutNanos;
        while (served < ticket && !stopped.getAsBoolean() && System.nanoTime() - deadline < 0) {
            LockSupport.parkNanos(pollNanos);
        }
    }

    /** Writer: the latest ticket taken so far (read it before draining). */
    long latest() {
        return requested.get();
    }

    /** Writer: the latest ticket served. */
    long served() {
        return served;
    }

    /** Writer: every ticket up to {@code ticket} is served. */
    void markServed(long ticket) {
        served = ticket;
    }
}
