package dev.netscan.core.governor;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counts operations and errors of one source (the ICMP engine, the writer) so the governor can
 * compute that source's error rate per sample window. Obtain one with
 * {@link Governor#errorRate(String)}.
 *
 * <p>An <em>event</em> is every operation attempted (a probe sent, a batch written), including
 * the ones that failed; an <em>error</em> is an operation that failed through a fault on our side
 * or the network's (a send error, a write failure). A probe to a dead host that times out is an
 * event and <em>not</em> an error. The rate of a window is {@code errors / events}.
 *
 * <p>Thread safety: the {@code record*} methods may be called from any number of threads; they
 * are lock-free and allocation-free in steady state ({@link LongAdder}, whose cells are allocated
 * once under first contention). Only the governor drains windows.
 */
public final class ErrorRate {

    private final String source;
    // Cumulative counters: written by any recording thread, read by the governor.
    private final LongAdder events = new LongAdder();
    private final LongAdder errors = new LongAdder();
    // Totals at the end of the previous window: read and written only by the governor, under its lock.
    private long drainedEvents;
    private long drainedErrors;

    ErrorRate(String source) {
        this.source = source;
    }

    /** @return the source name this counter was created for */
    public String source() {
        return source;
    }

    /** Counts one operation attempted. */
    public void recordEvent() {
        events.increment();
    }

    /** Counts {@code n} operations attempted (e.g. one {@code sendmmsg} batch); n >= 0. */
    public void recordEvents(long n) {
        events.add(n);
    }

    /** Counts one failed operation (it must also be counted as an event). */
    public void recordError() {
        errors.increment();
    }

    /** Counts {@code n} failed operations; n >= 0. */
    public void recordErrors(long n) {
        errors.add(n);
    }

    /** @return events counted since creation */
    public long totalEvents() {
        return events.sum();
    }

    /** @return errors counted since creation */
    public long totalErrors() {
        return errors.sum();
    }

    /** Returns the counts since the previous drain; governor only (under its lock). */
    Window drainWindow() {
        long ev = events.sum();
        long er = errors.sum();
        Window w = new Window(ev - drainedEvents, er - drainedErrors);
        drainedEvents = ev;
        drainedErrors = er;
        return w;
    }

    /**
     * The counts of one sample window.
     *
     * @param events operations attempted in the window
     * @param errors operations failed in the window
     */
    public record Window(long events, long errors) {

        /**
         * @return {@code 100 * errors / events}, capped at 100 (a recording race can put an error
         *     in the window before its event), or NaN when there were no events
         */
        public double errorPct() {
            if (events <= 0) return Double.NaN;
            return Math.min(100.0, 100.0 * errors / events);
        }
    }
}
