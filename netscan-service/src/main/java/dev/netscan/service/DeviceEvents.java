package dev.netscan.service;

import dev.netscan.core.AddressBook;
import dev.netscan.state.RegistryListener;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import java.util.function.LongSupplier;

/**
 * Device events for the operator: a device went {@code down} (its circuit breaker opened after
 * {@code failure_threshold} failed pings), came back {@code up} (a ping succeeded while
 * suspended), is {@code new}, or was {@code evicted} / {@code pruned} / {@code removed}. Each
 * event is kept in a ring of the last {@value #KEPT} (the page and {@code GET /api/v1/events})
 * and handed to the subscribers (the event stream, the {@code device_event} point, the webhook).
 *
 * <p>Registry callbacks arrive under the registry's lock, so {@link #listener()} only appends to
 * the ring and calls the subscribers, which must not block (they queue). A suspension that runs
 * out without a reply is not an "up" event: the device is merely pinged again. Thread-safe.
 */
final class DeviceEvents {
    static final int KEPT = 200;

    /** One event; {@code name} is the SNMP name, empty when unknown. */
    record Event(long epochMillis, String type, int ipv4, String name) {
        Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("time", Instant.ofEpochMilli(epochMillis).toString());
            m.put("type", type);
            m.put("address", AddressBook.shared().text(ipv4));
            m.put("name", name);
            return m;
        }
    }

    private final ArrayDeque<Event> ring = new ArrayDeque<>(KEPT); // guarded by itself
    private final CopyOnWriteArrayList<Consumer<Event>> subscribers = new CopyOnWriteArrayList<>();
    private final LongSupplier wallMillis;
    private final IntFunction<String> nameOf;
    private final RegistryListener listener = new RegistryListener() {
        @Override public void onAdded(int ipv4) { emit("new", ipv4); }
        @Override public void onEvicted(int ipv4) { emit("evicted", ipv4); }
        @Override public void onPruned(int ipv4) { emit("pruned", ipv4); }
        @Override public void onRemoved(int ipv4) { emit("removed", ipv4); }
        @Override public void onSuspended(int ipv4, long until, int suspensions) {
            if (suspensions == 1) {
                emit("down", ipv4); // later suspensions in a row: still down, no new event
            }
        }
        @Override public void onResumed(int ipv4, boolean expired) {
            if (!expired) {
                emit("up", ipv4);
            }
        }
    };

    /** @param nameOf the SNMP name of a device, or null (called under the registry's lock: the registry is reentrant) */
    DeviceEvents(LongSupplier wallMillis, IntFunction<String> nameOf) {
        this.wallMillis = wallMillis;
        this.nameOf = nameOf;
    }

    RegistryListener listener() {
        return listener;
    }

    /** Adds a subscriber; it is called on the thread that caused the event and must not block. */
    void subscribe(Consumer<Event> s) {
        subscribers.add(s);
    }

    void unsubscribe(Consumer<Event> s) {
        subscribers.remove(s);
    }

    void emit(String type, int ipv4) {
        String name = nameOf.apply(ipv4);
        Event e = new Event(wallMillis.getAsLong(), type, ipv4, name == null ? "" : name);
        synchronized (ring) {
            if (ring.size() == KEPT) {
                ring.pollFirst();
            }
            ring.addLast(e);
        }
        for (Consumer<Event> s : subscribers) {
            try {
                s.accept(e);
            } catch (RuntimeException ex) {
                // a subscriber's failure is its own; the event stands
            }
        }
    }

    /** The kept events, newest first, as JSON maps. */
    List<Map<String, Object>> recent() {
        List<Event> copy;
        synchronized (ring) {
            copy = new ArrayList<>(ring);
        }
        List<Map<String, Object>> out = new ArrayList<>(copy.size());
        for (int i = copy.size() - 1; i >= 0; i--) {
            out.add(copy.get(i).json());
        }
        return out;
    }
}
