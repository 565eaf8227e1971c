package dev.netscan.discovery.icmp;

import dev.netscan.core.PingResult;
import dev.netscan.core.PingResult.Outcome;
import dev.netscan.discovery.IcmpCounters;
import dev.netscan.discovery.Ipv6ProbeListener;
import dev.netscan.discovery.ProbeListener;
import dev.netscan.discovery.SocketKind;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;

/**
 * The end of every probe of the engine: delivers its single result to its listener and counts it
 * by cause, together with the packets the receiver ignored, for {@link Transceiver#counters()}.
 * A listener that throws on an engine thread is counted, never propagated into the loop.
 *
 * <p>Threads: each counter array has one writer, which writes it with opaque stores; any thread
 * reads it with opaque loads ({@link #snapshot}). The sender's methods run on the sender thread
 * only (or on the closing thread once the engine threads stopped), the receiver's on the
 * receiver thread only. A slot's result is delivered only by the thread that made it DONE (see
 * {@link SlotTable}).
 */
final class ProbeOutcomes {
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);
    // ---- sender counters ----
    private static final int C_PROBES = 0, C_SENT = 1, C_RETRIES = 2, C_TIMEOUTS = 3, C_SEND_ERRORS = 4,
            C_CANCELLED = 5, C_MAX_IN_FLIGHT = 6, C_LISTENER_ERRORS = 7, C_IN_FLIGHT = 8;
    // ---- receiver counters ----
    private static final int R_REPLIES = 0, R_UNREACHABLE = 1, R_MALFORMED = 2, R_REQUESTS = 3, R_OTHER = 4,
            R_FOREIGN = 5, R_LATE = 6, R_LISTENER_ERRORS = 7;

    private final SlotTable slots;
    /** epoch nanos = System.nanoTime() + epochOffsetNanos. */
    private final long epochOffsetNanos;
    private final long[] sender = new long[9];
    private final long[] receiver = new long[8];

    ProbeOutcomes(SlotTable slots, long epochOffsetNanos) {
        this.slots = slots;
        this.epochOffsetNanos = epochOffsetNanos;
    }

    private static void bump(long[] counters, int i, long delta) {
        LONGS.setOpaque(counters, i, counters[i] + delta);
    }

    private static long read(long[] counters, int i) {
        return (long) LONGS.getOpaque(counters, i);
    }

    // ---- sender ----

    void probeTaken() {
        bump(sender, C_PROBES, 1);
    }

    void retried() {
        bump(sender, C_RETRIES, 1);
    }

    void sent(int packets) {
        bump(sender, C_SENT, packets);
    }

    /** Slot {@code s} (made DONE by the caller) timed out after its last attempt. */
    void timeout(int s) {
        bump(sender, C_TIMEOUTS, 1);
        deliver(s, Outcome.TIMEOUT, -1, false);
    }

    /** The kernel refused to send slot {@code s} (made DONE by the caller). */
    void sendError(int s) {
        bump(sender, C_SEND_ERRORS, 1);
        deliver(s, Outcome.ERROR, -1, false);
    }

    /** Slot {@code s}'s listener was cancelled before the probe left. */
    void cancelled(int s) {
        bump(sender, C_CANCELLED, 1);
        deliver(s, Outcome.ERROR, -1, false);
    }

    /** Publishes the probes in flight (and the highest seen). */
    void inFlight(long inFlight) {
        LONGS.setOpaque(sender, C_IN_FLIGHT, inFlight);
        if (inFlight > sender[C_MAX_IN_FLIGHT]) {
            LONGS.setOpaque(sender, C_MAX_IN_FLIGHT, inFlight);
        }
    }

    /** Closing thread, engine threads stopped: completes every probe still queued with ERROR (never sent). */
    void failQueued(LaneQueue q) {
        long nowEpoch = System.nanoTime() + epochOffsetNanos;
        int threw = q.drain((ipv4, hi, lo, v6, l) -> {
            if (v6) {
                deliver6((Ipv6ProbeListener) l, hi, lo, nowEpoch, Outcome.ERROR, -1, 0);
            } else {
                ((ProbeListener) l).onResult(PingResult.failed(ipv4, nowEpoch, Outcome.ERROR), 0);
            }
        });
        bump(sender, C_LISTENER_ERRORS, threw);
    }

    /**
     * Calling thread: an IPv6 probe the engine cannot send (no ICMPv6 socket) ends at once with
     * ERROR; a listener exception propagates to the caller (no engine loop is involved).
     */
    void noIpv6Socket(Ipv6ProbeListener l, long hi, long lo) {
        deliver6(l, hi, lo, System.nanoTime() + epochOffsetNanos, Outcome.ERROR, -1, 0);
    }

    // ---- receiver ----

    /** Slot {@code s} (made DONE by the caller) was answered after {@code rttNanos}. */
    void reply(int s, long rttNanos) {
        bump(receiver, R_REPLIES, 1);
        deliver(s, Outcome.REPLY, rttNanos, true);
    }

    /** An ICMP error quoting slot {@code s}'s request (made DONE by the caller). */
    void unreachable(int s) {
        bump(receiver, R_UNREACHABLE, 1);
        deliver(s, Outcome.UNREACHABLE, -1, true);
    }

    /** A reply or error for a slot no longer waiting for it (answered, timed out, reused). */
    void late() {
        bump(receiver, R_LATE, 1);
    }

    /** A packet that is not ours: another process's, or a valid token from the wrong address. */
    void foreign() {
        bump(receiver, R_FOREIGN, 1);
    }

    /** A packet {@link EchoCodec} did not attribute, counted by its parse result. */
    void ignored(int parseResult) {
        switch (parseResult) {
            case EchoCodec.IGNORED_MALFORMED -> bump(receiver, R_MALFORMED, 1);
            case EchoCodec.IGNORED_OWN_REQUEST -> bump(receiver, R_REQUESTS, 1);
            case EchoCodec.IGNORED_OTHER_TYPE -> bump(receiver, R_OTHER, 1);
            default -> bump(receiver, R_FOREIGN, 1);
        }
    }

    // ---- delivery ----

    /** Delivers slot {@code s}'s result; the caller has made the slot DONE. A listener that throws is counted. */
    private void deliver(int s, Outcome outcome, long rttNanos, boolean receiverThread) {
        long sentEpoch = slots.firstSentNanos(s) + epochOffsetNanos;
        int n = slots.attempts(s);
        Object l = slots.listener(s);
        try {
            if (slots.isV6(s)) {
                deliver6((Ipv6ProbeListener) l, slots.addr6Hi(s), slots.addr6Lo(s), sentEpoch, outcome, rttNanos, n);
            } else {
                int ipv4 = slots.ipv4(s);
                PingResult r = outcome == Outcome.REPLY
                        ? PingResult.reply(ipv4, sentEpoch, rttNanos)
                        : PingResult.failed(ipv4, sentEpoch, outcome);
                ((ProbeListener) l).onResult(r, n);
            }
        } catch (RuntimeException | Error e) {
            if (e instanceof VirtualMachineError vme) {
                throw vme;
            }
            bump(receiverThread ? receiver : sender, receiverThread ? R_LISTENER_ERRORS : C_LISTENER_ERRORS, 1);
        }
    }

    private static void deliver6(Ipv6ProbeListener l, long hi, long lo, long sentEpoch, Outcome outcome, long rtt, int n) {
        byte[] b = ByteBuffer.allocate(16).putLong(hi).putLong(lo).array();
        Inet6Address a;
        try {
            a = (Inet6Address) InetAddress.getByAddress(b);
        } catch (UnknownHostException | ClassCastException e) {
            throw new IllegalStateException("16 bytes are always an IPv6 address", e);
        }
        l.onResult(a, sentEpoch, outcome, rtt, n);
    }

    /** A snapshot of the counters; any thread. {@code helperSent}: packets the send helper sent. */
    IcmpCounters snapshot(SocketKind kind4, SocketKind kind6, int receiveBufferBytes, long helperSent) {
        return new IcmpCounters(kind4, kind6, receiveBufferBytes,
                read(sender, C_PROBES), read(sender, C_SENT) + helperSent, read(sender, C_RETRIES), read(receiver, R_REPLIES),
                read(sender, C_TIMEOUTS), read(receiver, R_UNREACHABLE), read(sender, C_SEND_ERRORS), read(sender, C_CANCELLED),
                read(sender, C_IN_FLIGHT), read(sender, C_MAX_IN_FLIGHT),
                read(receiver, R_MALFORMED), read(receiver, R_REQUESTS), read(receiver, R_OTHER), read(receiver, R_FOREIGN),
                read(receiver, R_LATE), read(sender, C_LISTENER_ERRORS) + read(receiver, R_LISTENER_ERRORS));
    }

    /** After close: nothing is in flight any more. */
    void noneInFlight() {
        LONGS.setOpaque(sender, C_IN_FLIGHT, 0L);
    }
}
