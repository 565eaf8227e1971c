package dev.netscan.state;

/**
 * Hears about changes to a {@link DeviceRegistry}: devices arriving and leaving, and the circuit
 * breaker opening and closing. Every method has an empty default, so implement only what you
 * need.
 *
 * <p>Calls are made synchronously on the thread that made the change (or on the registry's
 * expiry timer for suspensions that run out), <em>while the registry's lock is held</em>, after
 * the registry is consistent again. Events therefore arrive in exactly the order the changes
 * happened, but an implementation must be quick and must not block: hand work to a queue. It may
 * read the registry (the lock is reentrant). A {@link RuntimeException} it throws is caught and
 * counted in {@link DeviceRegistry#listenerFailures()}; the change itself stands.
 */
public interface RegistryListener {
    /** A listener that ignores everything. */
    RegistryListener NONE = new RegistryListener() {};

    /** A device not known before was added. */
    default void onAdded(int ipv4) {}

    /** A device was dropped to make room for a new one (it was the least recently seen). */
    default void onEvicted(int ipv4) {}

    /** A device was dropped by {@link DeviceRegistry#prune(long)}. */
    default void onPruned(int ipv4) {}

    /** A device was dropped by {@link DeviceRegistry#remove(int)}. */
    default void onRemoved(int ipv4) {}

    /**
     * The circuit breaker opened: the device failed too many pings in a row and should not be
     * pinged before {@code suspendedUntilEpochMillis}.
     *
     * @param suspensions how many suspensions in a row this is (1 for the first)
     */
    default void onSuspended(int ipv4, long suspendedUntilEpochMillis, int suspensions) {}

    /**
     * The suspension ended: either it ran out ({@code expired}) or a ping succeeded. Not called
     * when a suspended device is evicted, pruned or removed.
     */
    default void onResumed(int ipv4, boolean expired) {}
}
