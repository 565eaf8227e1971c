package dev.netscan.state;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Records every event as text ("added 10.0.0.1") in order. Thread-safe. */
final class RecordingListener implements RegistryListener {
    final List<String> events = Collections.synchronizedList(new ArrayList<>());

    @Override
    public void onAdded(int ipv4) {
        events.add("added " + dev.netscan.core.Ipv4.format(ipv4));
    }

    @Override
    public void onEvicted(int ipv4) {
        events.add("evicted " + dev.netscan.core.Ipv4.format(ipv4));
    }

    @Override
    public void onPruned(int ipv4) {
        events.add("pruned " + dev.netscan.core.Ipv4.format(ipv4));
    }

    @Override
    public void onRemoved(int ipv4) {
        events.add("removed " + dev.netscan.core.Ipv4.format(ipv4));
    }

    @Override
    public void onSuspended(int ipv4, long suspendedUntilEpochMillis, int suspensions) {
        events.add("suspended " + dev.netscan.core.Ipv4.format(ipv4) + " until " + suspendedUntilEpochMillis + " #" + suspensions);
    }

    @Override
    public void onResumed(int ipv4, boolean expired) {
        events.add("resumed " + dev.netscan.core.Ipv4.format(ipv4) + (expired ? " expired" : " success"));
    }

    List<String> drain() {
        synchronized (events) {
            List<String> copy = new ArrayList<>(events);
            events.clear();
            return copy;
        }
    }
}
