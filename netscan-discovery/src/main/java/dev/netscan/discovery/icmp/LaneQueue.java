package dev.netscan.discovery.icmp;

import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A bounded FIFO of submitted probes for one priority lane, in parallel primitive arrays of its
 * own: many submitting threads, one consumer (the engine's sender), which moves probes straight
 * into a {@link SlotTable}. Package-private: a part of {@link Transceiver}.
 *
 * <p>Thread safety: every field is guarded by {@code lock}, except {@link #size()}, a volatile
 * copy of the count for the consumer's lock-free emptiness check. The consumer takes probes
 * between {@link #lockForTake()} and {@link #unlockAfterTake()}.
 */
final class LaneQueue {
    /** Receives a queued probe that is drained instead of sent (see {@link #drain}). */
    @FunctionalInterface
    interface Drained {
        void accept(int ipv4, long hi, long lo, boolean v6, Object listener);
    }

    /** Tells whether the listener of a probe about to be taken was cancelled. */
    @FunctionalInterface
    interface Cancellation {
        boolean isCancelled(Object listener);
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notFull = lock.newCondition();
    private final int cap;
    private final int[] qAddr4;
    private final long[] qHi;
    private final long[] qLo;
    private final boolean[] qV6;
    private final long[] qTimeout;
    private final int[] qRetries;
    private final Object[] qListener;
    /** Called after an offer that asked to wake the consumer (outside the lock). */
    private final Runnable wakeConsumer;
    private int head;
    private int count;
    private int waiters;
    private boolean closed;
    private volatile int size;

    /** An empty queue of {@code capacity} probes; {@code wakeConsumer} is run after a waking offer. */
    LaneQueue(int capacity, Runnable wakeConsumer) {
        if (capacity < 1) {
            throw new IllegalArgumentException("lane queue capacity must be at least 1, was " + capacity);
        }
        this.cap = capacity;
        this.wakeConsumer = wakeConsumer;
        qAddr4 = new int[capacity];
        qHi = new long[capacity];
        qLo = new long[capacity];
        qV6 = new boolean[capacity];
        qTimeout = new long[capacity];
        qRetries = new int[capacity];
        qListener = new Object[capacity];
    }

    /** Probes queued (a volatile read; any thread). */
    int size() {
        return size;
    }

    /**
     * Queues a probe unless the queue is full (returns false). Wakes the consumer when
     * {@code wake}.
     *
     * @throws IllegalStateException when the queue is closed
     */
    boolean offer(int ipv4, long hi, long lo, boolean v6, long timeoutNanos, int retries, Object listener, boolean wake) {
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("the ICMP engine is closed");
            }
            if (count == cap) {
                return false;
            }
            put(ipv4, hi, lo, v6, timeoutNanos, retries, listener);
        } finally {
            lock.unlock();
        }
        if (wake) {
            wakeConsumer.run();
        }
        return true;
    }

    /**
     * Queues a probe, waiting while the queue is full, then wakes the consumer.
     *
     * @throws InterruptedException if interrupted while waiting (nothing was queued)
     * @throws IllegalStateException when the queue is (or becomes) closed
     */
    void offerBlocking(int ipv4, long hi, long lo, boolean v6, long timeoutNanos, int retries, Object listener)
            throws InterruptedException {
        lock.lockInterruptibly();
        try {
            while (count == cap && !closed) {
                waiters++;
                try {
                    notFull.await();
                } finally {
                    waiters--;
                }
            }
            if (closed) {
                throw new IllegalStateException("the ICMP engine is closed");
            }
            put(ipv4, hi, lo, v6, timeoutNanos, retries, listener);
        } finally {
            lock.unlock();
        }
        wakeConsumer.run();
    }

    private void put(int a4, long hi, long lo, boolean v6, long timeout, int retries, Object listener) {
        int i = (head + count) % cap;
        qAddr4[i] = a4;
        qHi[i] = hi;
        qLo[i] = lo;
        qV6[i] = v6;
        qTimeout[i] = timeout;
        qRetries[i] = retries;
        qListener[i] = listener;
        count++;
        size = count;
    }

    /** Consumer: locks the queue for a run of {@link #take} calls. */
    void lockForTake() {
        lock.lock();
    }

    /** Consumer: wakes blocked offers if any (room was made) and unlocks. */
    void unlockAfterTake() {
        try {
            if (waiters > 0) {
                notFull.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Probes queued; lock held. */
    int count() {
        return count;
    }

    /**
     * Moves the head probe into slot {@code s} of {@code slots}; returns true when its listener
     * is cancelled (per {@code cancellation}). Lock held, {@code count() > 0}.
     */
    boolean take(SlotTable slots, int s, Cancellation cancellation) {
        int i = head;
        head = (head + 1) % cap;
        count--;
        size = count;
        Object l = qListener[i];
        qListener[i] = null;
        slots.load(s, qAddr4[i], qHi[i], qLo[i], qV6[i], qTimeout[i], qRetries[i], l);
        return cancellation.isCancelled(l);
    }

    /** Refuses every later offer (they throw) and wakes blocked ones. Idempotent. */
    void close() {
        lock.lock();
        try {
            closed = true;
            notFull.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Empties the queue in FIFO order, handing each probe to {@code to}; returns how many threw. */
    int drain(Drained to) {
        int threw = 0;
        lock.lock();
        try {
            while (count > 0) {
                int i = head;
                head = (head + 1) % cap;
                count--;
                Object l = qListener[i];
                qListener[i] = null;
                try {
                    to.accept(qAddr4[i], qHi[i], qLo[i], qV6[i], l);
                } catch (RuntimeException e) {
                    threw++;
                }
            }
            size = 0;
        } finally {
            lock.unlock();
        }
        return threw;
    }
}
