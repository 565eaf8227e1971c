package dev.netscan.service;

import dev.netscan.discovery.snmp.SnmpEnrichment;
import dev.netscan.state.RegistryListener;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The registry's listener: sends its events to the operator's surface and the service's
 * subscribers, and forgets SNMP state of devices that left. Called on the thread that caused the
 * event; a subscriber that throws is logged and the others still hear.
 */
final class DeviceFanOut implements RegistryListener {
    private static final System.Logger LOG = System.getLogger(NetscanService.class.getName());
    private final Supplier<SnmpEnrichment> snmp;
    private final Supplier<OperatorSurface> surface;
    private final List<RegistryListener> subscribers;

    /** {@code snmp} and {@code surface} read the service's current ones (null before start). */
    DeviceFanOut(Supplier<SnmpEnrichment> snmp, Supplier<OperatorSurface> surface, List<RegistryListener> subscribers) {
        this.snmp = snmp;
        this.surface = surface;
        this.subscribers = subscribers;
    }

    @Override public void onAdded(int ip) { operator().onAdded(ip); each(l -> l.onAdded(ip)); }
    @Override public void onEvicted(int ip) { forget(ip); operator().onEvicted(ip); each(l -> l.onEvicted(ip)); }
    @Override public void onPruned(int ip) { forget(ip); operator().onPruned(ip); each(l -> l.onPruned(ip)); }
    @Override public void onRemoved(int ip) { forget(ip); operator().onRemoved(ip); each(l -> l.onRemoved(ip)); }
    @Override public void onSuspended(int ip, long until, int n) { operator().onSuspended(ip, until, n); each(l -> l.onSuspended(ip, until, n)); }
    @Override public void onResumed(int ip, boolean expired) { operator().onResumed(ip, expired); each(l -> l.onResumed(ip, expired)); }

    private void forget(int ip) {
        SnmpEnrichment e = snmp.get();
        if (e != null) {
            e.forget(ip);
        }
    }

    /** The surface's device listener, or none while the registry loads (before the surface exists). */
    private RegistryListener operator() {
        OperatorSurface o = surface.get();
        return o == null ? RegistryListener.NONE : o.deviceListener();
    }

    private void each(Consumer<RegistryListener> event) {
        for (RegistryListener l : subscribers) {
            try {
                event.accept(l);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "device listener threw", e);
            }
        }
    }
}
