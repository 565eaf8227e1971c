package dev.netscan.discovery.monitor;

import dev.netscan.core.AddressBook;
import dev.netscan.core.LocalOutcome;
import dev.netscan.core.PingResult;
import dev.netscan.discovery.IcmpEngine;
import dev.netscan.discovery.Ipv6ProbeListener;
import dev.netscan.discovery.Lane;
import dev.netscan.discovery.ProbeListener;
import java.net.Inet6Address;

/**
 * How the scheduler hands a probe to the ICMP engine: queue one monitoring probe without
 * blocking. The engine later calls {@code listener} exactly once with the probe's result.
 */
@FunctionalInterface
public interface MonitorProber {
    /**
     * Returns false, without calling the listener, when the probe cannot be accepted now. An
     * accepted probe may wait for {@link #flush()} before it is sent.
     */
    boolean trySubmit(int ipv4, long timeoutNanos, ProbeListener listener);

    /**
     * Sends what {@link #trySubmit} accepted since the last flush; the scheduler calls it after
     * each tick's probes. The default does nothing (for probers that send at once).
     */
    default void flush() {}

    /**
     * Why the last {@link #trySubmit} that returned false refused (called on the same thread right
     * after it). The default says the queue was full.
     */
    default LocalOutcome refusalCause() {
        return LocalOutcome.IN_FLIGHT_FULL;
    }

    /**
     * Probes through {@code engine}'s {@link Lane#MONITOR} lane, without retries; the engine's
     * sender is woken once per {@link #flush()} rather than once per probe. An IPv6 key
     * ({@link AddressBook#isIpv6Key}) is probed over the engine's ICMPv6 socket and its result
     * handed to the listener as a {@link PingResult} under the same key. Meant for one submitting
     * thread (the scheduler's).
     */
    static MonitorProber of(IcmpEngine engine) {
        AddressBook book = AddressBook.shared();
        return new MonitorProber() {
            /** The listener the scheduler passes (always the same one) and its IPv6 adapter. */
            private ProbeListener adapted;
            private Ipv6ProbeListener adapter;

            @Override
            public boolean trySubmit(int ipv4, long timeoutNanos, ProbeListener listener) {
                if (!AddressBook.isIpv6Key(ipv4)) {
                    return engine.trySubmitDeferred(ipv4, timeoutNanos, 0, Lane.MONITOR, listener);
                }
                Inet6Address address = book.ipv6(ipv4);
                if (address == null) {
                    return false; // no longer in the book: the device left; the next reconciliation drops it
                }
                return engine.trySubmitDeferred(address, timeoutNanos, 0, Lane.MONITOR, adapterFor(listener));
            }

            private Ipv6ProbeListener adapterFor(ProbeListener listener) {
                if (listener != adapted) {
                    adapter = (address, sentAtEpochNanos, outcome, rttNanos, attempts) -> {
                        int key = book.idOf(address);
                        if (key == AddressBook.NONE) {
                            // cannot happen while the device is held; complete the probe, attributed to nobody
                            listener.onLocal(AddressBook.NONE, sentAtEpochNanos, LocalOutcome.CANCELLED);
                            return;
                        }
                        listener.onResult(outcome == PingResult.Outcome.REPLY
                                ? PingResult.reply(key, sentAtEpochNanos, rttNanos)
                                : PingResult.failed(key, sentAtEpochNanos, outcome), attempts);
                    };
                    adapted = listener;
                }
                return adapter;
            }

            @Override
            public void flush() {
                engine.flushSubmissions();
            }

            @Override
            public LocalOutcome refusalCause() {
                // The monitor lane is exempt from the rate limit (the sweep's budget): a full
                // queue means the in-flight bound held the sender back.
                return LocalOutcome.IN_FLIGHT_FULL;
            }
        };
    }
}
