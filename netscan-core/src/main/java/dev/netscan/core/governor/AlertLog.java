package dev.netscan.core.governor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Ring buffer of the most recent alerts. Thread safety: all methods synchronized (alerts are rare). */
final class AlertLog {

    // Guarded by this. ring[(start + i) % ring.length] for i < size, oldest first.
    private final Alert[] ring;
    private int start;
    private int size;

    AlertLog(int capacity) {
        this.ring = new Alert[capacity];
    }

    synchronized void add(Alert alert) {
        if (size < ring.length) {
            ring[(start + size) % ring.length] = alert;
            size++;
        } else {
            ring[start] = alert;
            start = (start + 1) % ring.length;
        }
    }

    /** @return the retained alerts, oldest first, as an unmodifiable copy */
    synchronized List<Alert> snapshot() {
        List<Alert> out = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            out.add(ring[(start + i) % ring.length]);
        }
        return Collections.unmodifiableList(out);
    }
}
