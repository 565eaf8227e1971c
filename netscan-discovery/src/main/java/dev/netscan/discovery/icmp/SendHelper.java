package dev.netscan.discovery.icmp;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * The sender's send helper: a second IPv4 socket and the loop of a second thread that sends the
 * full batches the sender hands over, so the kernel's per-packet send work runs on two cores
 * during sweeps. Package-private: a part of {@link Transceiver}.
 *
 * <h2>Protocol</h2>
 * The sender owns two IPv4 batches and hands one over ({@link #handOff}) only while the other is
 * not {@link SendBatch#busy}: it sets {@code busy}, then publishes the batch in {@code handoff}
 * (volatile). The helper ({@link #run}) takes it, clears {@code handoff}, sends, then clears
 * {@code busy} (volatile), which publishes the batch's failures and send time back to the sender.
 * While a batch is busy the sender touches nothing of it but {@code busy} and
 * {@link SendBatch#minDeadline} (written before the hand-over).
 */
final class SendHelper {
    private static final VarHandle SENT;

    static {
        try {
            SENT = MethodHandles.lookup().findVarHandle(SendHelper.class, "sent", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final IcmpSocket socket;
    private final BooleanSupplier stopping;
    /** Batch handed over; written by the sender, cleared by the helper. */
    private volatile SendBatch handoff;
    /** True while the helper parks (or is about to: it re-checks {@code handoff} after setting it). */
    private volatile boolean parked;
    /** The thread running {@link #run}, once it started. */
    private volatile Thread thread;
    /** Packets sent; written by the helper only (opaque), read by any thread. */
    @SuppressWarnings("unused") private long sent;

    /** A helper sending on {@code socket} until {@code stopping} says so. */
    SendHelper(IcmpSocket socket, BooleanSupplier stopping) {
        this.socket = socket;
        this.stopping = stopping;
    }

    IcmpSocket socket() {
        return socket;
    }

    /** Sender: hands a full batch over (see the class doc); the helper sends it. */
    void handOff(SendBatch b) {
        b.commit();
        b.busy = true;
        handoff = b;
        Thread t = thread;
        if (parked && t != null) {
            LockSupport.unpark(t);
        }
    }

    /** Packets the helper sent; any thread. */
    long sent() {
        return (long) SENT.getOpaque(this);
    }

    /** The helper thread's loop: sends the batches handed over until {@code stopping}. */
    void run() {
        thread = Thread.currentThread();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Libc.newErrnoSegment(arena);
            while (!stopping.getAsBoolean()) {
                SendBatch b = handoff;
                if (b != null) {
                    handoff = null;
                    SENT.setOpaque(this, (long) SENT.getOpaque(this) + b.send(socket, errno, stopping));
                    b.busy = false; // publishes failed[] and sentDoneNanos to the sender
                    continue;
                }
                parked = true;
                if (handoff == null && !stopping.getAsBoolean()) {
                    LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(50));
                }
                parked = false;
            }
        }
    }
}
