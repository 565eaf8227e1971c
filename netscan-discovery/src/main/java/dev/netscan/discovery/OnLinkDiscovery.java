package dev.netscan.discovery;

import dev.netscan.core.OnLinkSettings;
import java.net.Inet6Address;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * On-link discovery, for networks no sweep can cover (an IPv6 /64 holds 2^64 addresses): on each
 * configured interface, an echo to the all-nodes multicast address {@code ff02::1} (sent from the
 * interface's link-local address and from each of its global ones, so hosts answer from both
 * kinds) and a read of the kernel's neighbour tables (IPv4 ARP and IPv6 NDP, resolved entries of
 * that interface only, which also finds hosts that drop ICMP). Each host found goes to the
 * {@link OnLinkListener}. See {@link OnLinkSettings} for the settings.
 *
 * <p>One {@link #discover()} is one round, bounded in time (the reply wait plus a neighbour-table
 * read of at most {@link #TABLE_READ_MILLIS}); the caller schedules rounds (the service beside its
 * sweeps). A problem with one interface (it does not exist, is down, no ICMPv6 socket) is reported
 * to the warnings consumer and the round goes on with the others; it never throws for them.
 *
 * <p>Packets: one echo request per interface address per round, to the link's all-nodes group
 * only; nothing is ever sent off the link. Thread-safe: rounds may run on any thread, one at a time
 * per instance (they are serialised).
 */
public final class OnLinkDiscovery {
    /** Longest a neighbour-table read may take. */
    public static final int TABLE_READ_MILLIS = 2_000;

    private final OnLinkSettings settings;
    private final OnLinkListener listener;
    private final Consumer<String> warnings;

    /**
     * @param settings validated settings (see {@link OnLinkSettings#validate})
     * @param listener receives every host found
     * @param warnings receives one line per interface problem (a missing interface, no socket)
     */
    public OnLinkDiscovery(OnLinkSettings settings, OnLinkListener listener, Consumer<String> warnings) {
        if (settings == null || listener == null || warnings == null) {
            throw new IllegalArgumentException("settings, listener and warnings are required");
        }
        this.settings = settings;
        this.listener = listener;
        this.warnings = warnings;
    }

    /** What one round found. */
    public record Round(int echoReplies, int neighbours, int interfacesMissing) {}

    /**
     * Runs one round on every configured interface (see the class comment).
     *
     * @return how many hosts each method reported, and how many interfaces were missing
     */
    public synchronized Round discover() {
        int echo = 0;
        int table = 0;
        int missing = 0;
        Map<String, List<InterfaceAddress6>> v6 = InterfaceAddress6.read();
        Map<Integer, String> byIndex = new HashMap<>();
        for (String name : settings.interfaces()) {
            List<InterfaceAddress6> addresses = v6.getOrDefault(name, List.of());
            int index = addresses.isEmpty() ? indexOf(name) : addresses.getFirst().interfaceIndex();
            if (index <= 0) {
                missing++;
                warnings.accept("on-link discovery: interface " + name + " does not exist (discovery.interfaces)");
                continue;
            }
            byIndex.put(index, name);
            if (settings.allNodesMulticast()) {
                echo += echo(name, index, addresses);
            }
        }
        if (settings.neighbourTable() && !byIndex.isEmpty()) {
            try {
                for (NeighbourTable.Neighbour n : NeighbourTable.read(TABLE_READ_MILLIS)) {
                    String name = byIndex.get(n.interfaceIndex());
                    if (name != null) {
                        listener.onFound(n.address(), name, OnLinkListener.Source.NEIGHBOUR_TABLE);
                        table++;
                    }
                }
            } catch (IllegalStateException e) {
                warnings.accept("on-link discovery: " + e.getMessage());
            }
        }
        return new Round(echo, table, missing);
    }

    /** The index of an interface without IPv6 addresses (for its ARP entries), or 0 when it does not exist. */
    private static int indexOf(String name) {
        try {
            NetworkInterface nif = NetworkInterface.getByName(name);
            return nif == null ? 0 : nif.getIndex();
        } catch (SocketException e) {
            return 0;
        }
    }

    private int echo(String name, int index, List<InterfaceAddress6> addresses) {
        List<Inet6Address> sources = new ArrayList<>();
        Set<Inet6Address> own = new HashSet<>();
        for (InterfaceAddress6 a : addresses) {
            own.add(a.address());
            if (a.usable()) {
                sources.add(a.address());
            }
        }
        if (sources.isEmpty()) {
            warnings.accept("on-link discovery: interface " + name + " has no usable IPv6 address; no all-nodes echo sent");
            return 0;
        }
        Set<Inet6Address> found;
        try {
            found = AllNodesEcho.probe(index, sources, own, (int) settings.replyWait().toMillis());
        } catch (IllegalStateException e) {
            warnings.accept("on-link discovery on " + name + ": " + e.getMessage());
            return 0;
        }
        for (Inet6Address a : found) {
            listener.onFound(a, name, OnLinkListener.Source.ALL_NODES_ECHO);
        }
        return found.size();
    }
}
