package dev.netscan.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * On-link discovery, for networks a sweep cannot cover (an IPv6 /64): per listed interface, an
 * echo to the all-nodes multicast address {@code ff02::1%iface} and a read of the kernel's
 * neighbour tables (IPv4 ARP and IPv6 NDP entries of that interface). File keys:
 * {@code discovery.interfaces}, {@code discovery.all_nodes_multicast},
 * {@code discovery.neighbour_table}, {@code discovery.reply_wait}.
 *
 * <p>Off unless {@code interfaces} names at least one interface. Interfaces are checked for
 * syntax here (a Linux interface name: 1 to 15 characters, no {@code /}, {@code :}, whitespace
 * or control characters); one that does not exist when discovery runs is reported then, since
 * interfaces come and go.
 *
 * @param interfaces interface names, no duplicates; empty: on-link discovery is off
 * @param allNodesMulticast whether to send the all-nodes echo on each interface
 * @param neighbourTable whether to read the neighbour tables of each interface
 * @param replyWait how long to collect replies to the all-nodes echo, 100 ms to 10 s
 */
public record OnLinkSettings(List<String> interfaces, boolean allNodesMulticast, boolean neighbourTable,
        Duration replyWait) {

    /** Off: no interfaces. */
    public static final OnLinkSettings OFF = new OnLinkSettings(List.of(), true, true, Duration.ofSeconds(1));

    public OnLinkSettings {
        interfaces = List.copyOf(interfaces);
    }

    /** True when at least one interface is listed and at least one method is on. */
    public boolean enabled() {
        return !interfaces.isEmpty() && (allNodesMulticast || neighbourTable);
    }

    /**
     * Validates the settings into {@code problems} under the file keys and returns them (as given,
     * even when there are problems; never use them then).
     */
    public static OnLinkSettings validate(List<String> interfaces, boolean allNodesMulticast, boolean neighbourTable,
            Duration replyWait, ConfigProblems problems) {
        List<String> names = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < interfaces.size(); i++) {
            String n = interfaces.get(i);
            String key = "discovery.interfaces[" + i + "]";
            String why = interfaceNameProblem(n);
            if (why != null) {
                problems.add(key, "\"" + InvalidTargetException.sanitize(n) + "\" " + why);
            } else if (!seen.add(n)) {
                problems.add(key, "\"" + n + "\" is listed twice");
            }
            names.add(n);
        }
        if (!names.isEmpty() && !allNodesMulticast && !neighbourTable) {
            problems.add("discovery.interfaces", "are listed but both discovery.all_nodes_multicast and "
                    + "discovery.neighbour_table are false: nothing would be discovered");
        }
        problems.between("discovery.reply_wait", replyWait, Duration.ofMillis(100), Duration.ofSeconds(10));
        return new OnLinkSettings(names, allNodesMulticast, neighbourTable, replyWait);
    }

    /** Why {@code name} cannot be a Linux interface name, or null when it can. */
    static String interfaceNameProblem(String name) {
        if (name == null || name.isEmpty()) {
            return "is not an interface name: it is empty";
        }
        if (name.length() > 15) {
            return "is not an interface name: longer than 15 characters";
        }
        if (name.equals(".") || name.equals("..")) {
            return "is not an interface name";
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '/' || c == ':' || c <= ' ' || c >= 0x7F) {
                return "is not an interface name: character " + (i + 1) + " is not allowed";
            }
        }
        return null;
    }
}
