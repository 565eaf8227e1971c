package dev.netscan.core;

/**
 * Where a {@link SupervisedLoop} reports trouble: a pass that threw and was survived, and a
 * thread that ended anyway and was restarted by the watchdog. The service implements it once and
 * turns both into alerts (a WARNING for failures, a CRITICAL for a restart); modules take it from
 * their builders and default to {@link #NONE}.
 *
 * <p>Called on the loop's own thread (or on the dying thread, for a restart); implementations must
 * be quick and must not block. One that throws while a failure is reported ends the loop's thread,
 * which the watchdog then restarts.
 */
public interface LoopFaults {

    /** Reports nothing (the loop still counts and logs). */
    LoopFaults NONE = new LoopFaults() {
        @Override
        public void failed(String loop, Throwable cause, long failures) {
        }

        @Override
        public void restarted(String loop, Throwable cause, long restarts) {
        }
    };

    /**
     * A pass of {@code loop} threw {@code cause}; the loop backs off and continues.
     *
     * @param failures the loop's failures so far, this one included
     */
    void failed(String loop, Throwable cause, long failures);

    /**
     * The thread of {@code loop} ended before the loop was closed ({@code cause} escaped it, or
     * null when unknown) and a new thread was started.
     *
     * @param restarts the loop's restarts so far, this one included
     */
    void restarted(String loop, Throwable cause, long restarts);
}
