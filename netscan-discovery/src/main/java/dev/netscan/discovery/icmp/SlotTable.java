package dev.netscan.discovery.icmp;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The engine's table of probe slots in primitive arrays, and the protocol by which the sender and
 * the receiver agree on who completes a probe. Package-private: a part of {@link Transceiver}.
 *
 * <h2>The stamp</h2>
 * Each slot has a stamp {@code (generation << 2) | phase} with phase FREE, SENT or DONE. The sender
 * {@link #allocate allocates} a free slot, {@link #load fills} its fields, takes the next
 * generation ({@link #nextGeneration}) and publishes the stamp {@link #publish} (SENT, or DONE for
 * a probe cancelled before it left) with release semantics. Whoever ends the probe (the receiver
 * on a reply, the sender on a timeout or send error) first wins the compare-and-set SENT -> DONE
 * ({@link #complete}); only the winner delivers the result, so every probe has exactly one. The
 * receiver hands its slots back through a {@link SlotRing}; the sender {@link #release releases}
 * them. A slot's fields change only after release, which needs DONE first, so a thread whose CAS
 * succeeded reads fields consistent with the generation it expected.
 *
 * <h2>Threads</h2>
 * Stamps: read and CAS'd by any thread. Free stack, lane counts, {@link #markAttempt attempts},
 * retries: written by the sender only. The other per-slot fields: written by the sender while the
 * slot is not SENT, read by any thread after an acquire read of a SENT stamp of the expected
 * generation.
 */
final class SlotTable {
    /** A slot never used yet (stamp 0); a used slot stays DONE until its next generation is published. */
    @SuppressWarnings("unused") private static final long PHASE_FREE = 0;
    private static final long PHASE_SENT = 1;
    private static final long PHASE_DONE = 2;
    private static final long PHASE_MASK = 3;
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);

    private final int capacity;
    /** {@code (generation << 2) | phase}; see the class doc. */
    private final long[] stamp;
    private final int[] addr4;
    private final long[] addr6Hi;
    private final long[] addr6Lo;
    private final boolean[] isV6;
    private final long[] firstSentNanos;
    private final long[] timeoutNanos;
    /** Sender only. */
    private final int[] retriesLeft;
    /** Written by the sender only; a reader after its CAS may see one more (a concurrent retry). */
    private final int[] attempts;
    private final Object[] listeners;
    /** Sender only: the lane whose probe holds the slot. */
    private final byte[] laneOf;
    /** Sender only: slots in use per lane. */
    private final int[] inFlightByLane;
    /** Sender only: free slots, top at {@code freeTop - 1}. */
    private final int[] freeStack;
    private int freeTop;

    /** A table of {@code capacity} free slots for probes of {@code lanes} lanes. */
    SlotTable(int capacity, int lanes) {
        if (capacity < 1) {
            throw new IllegalArgumentException("slot capacity must be at least 1, was " + capacity);
        }
        this.capacity = capacity;
        stamp = new long[capacity];
        addr4 = new int[capacity];
        addr6Hi = new long[capacity];
        addr6Lo = new long[capacity];
        isV6 = new boolean[capacity];
        firstSentNanos = new long[capacity];
        timeoutNanos = new long[capacity];
        retriesLeft = new int[capacity];
        attempts = new int[capacity];
        listeners = new Object[capacity];
        laneOf = new byte[capacity];
        inFlightByLane = new int[lanes];
        freeStack = new int[capacity];
        for (int i = 0; i < capacity; i++) {
            freeStack[i] = capacity - 1 - i;
        }
        freeTop = capacity;
    }

    int capacity() {
        return capacity;
    }

    // ---- sender: the free stack ----

    /** Free slots. Sender only. */
    int free() {
        return freeTop;
    }

    /** Slots allocated and not yet released. Sender only. */
    int inUse() {
        return capacity - freeTop;
    }

    /** Slots allocated to {@code lane} and not yet released. Sender only. */
    int inUse(int lane) {
        return inFlightByLane[lane];
    }

    /** Takes a free slot for a probe of {@code lane}; only when {@code free() > 0}. Sender only. */
    int allocate(int lane) {
        int s = freeStack[--freeTop];
        laneOf[s] = (byte) lane;
        inFlightByLane[lane]++;
        return s;
    }

    /** Returns slot {@code s} (DONE) to the free stack and drops its listener. Sender only. */
    void release(int s) {
        inFlightByLane[laneOf[s]]--;
        listeners[s] = null;
        freeStack[freeTop++] = s;
    }

    /** Fills the fields of an allocated slot, before its stamp is published. Sender only. */
    void load(int s, int ipv4, long hi, long lo, boolean v6, long timeout, int retries, Object listener) {
        addr4[s] = ipv4;
        addr6Hi[s] = hi;
        addr6Lo[s] = lo;
        isV6[s] = v6;
        timeoutNanos[s] = timeout;
        retriesLeft[s] = retries;
        listeners[s] = listener;
    }

    /**
     * The stamp of slot {@code s}'s next use (its generation plus one, phase bits clear), for
     * {@link #publish}. Records the first send time and clears the attempt count. Sender only.
     */
    long nextGeneration(int s, long sendNanos) {
        attempts[s] = 0;
        firstSentNanos[s] = sendNanos;
        return ((((long) (int) (stamp[s] >>> 2)) + 1) & 0xFFFF_FFFFL) << 2;
    }

    /**
     * Publishes slot {@code s} with release semantics: SENT (one attempt made; returns the stamp)
     * or, for a probe cancelled before it left, DONE. Sender only.
     */
    long publish(int s, long generationStamp, boolean sent) {
        if (sent) {
            attempts[s] = 1;
        }
        long st = generationStamp | (sent ? PHASE_SENT : PHASE_DONE);
        LONGS.setRelease(stamp, s, st);
        return st;
    }

    /** Counts one more attempt (a retry). Sender only. */
    void markAttempt(int s) {
        attempts[s]++;
    }

    /** Takes one retry if any is left. Sender only. */
    boolean takeRetry(int s) {
        if (retriesLeft[s] > 0) {
            retriesLeft[s]--;
            return true;
        }
        return false;
    }

    // ---- any thread: the stamp protocol ----

    /** Acquire read of slot {@code s}'s stamp. */
    long stamp(int s) {
        return (long) LONGS.getAcquire(stamp, s);
    }

    /** The SENT stamp of generation {@code gen}. */
    static long sentStamp(int gen) {
        return ((gen & 0xFFFF_FFFFL) << 2) | PHASE_SENT;
    }

    static boolean isSent(long stamp) {
        return (stamp & PHASE_MASK) == PHASE_SENT;
    }

    static int generation(long stamp) {
        return (int) (stamp >>> 2);
    }

    /**
     * Ends the probe of slot {@code s} if its stamp is still {@code sentStamp}: the CAS SENT ->
     * DONE. True for exactly one caller per generation; only that caller may deliver the result.
     */
    boolean complete(int s, long sentStamp) {
        return LONGS.compareAndSet(stamp, s, sentStamp, (sentStamp & ~PHASE_MASK) | PHASE_DONE);
    }

    /**
     * After every engine thread stopped: makes a SENT slot DONE without a CAS and returns true
     * (the caller delivers its timeout), false for any other phase. Plain accesses.
     */
    boolean completeStopped(int s) {
        long st = stamp[s];
        if ((st & PHASE_MASK) != PHASE_SENT) {
            return false;
        }
        stamp[s] = (st & ~PHASE_MASK) | PHASE_DONE;
        return true;
    }

    // ---- fields (see the class doc for when they may be read) ----

    int ipv4(int s) {
        return addr4[s];
    }

    boolean isV6(int s) {
        return isV6[s];
    }

    long addr6Hi(int s) {
        return addr6Hi[s];
    }

    long addr6Lo(int s) {
        return addr6Lo[s];
    }

    long firstSentNanos(int s) {
        return firstSentNanos[s];
    }

    long timeoutNanos(int s) {
        return timeoutNanos[s];
    }

    int attempts(int s) {
        return attempts[s];
    }

    Object listener(int s) {
        return listeners[s];
    }
}
