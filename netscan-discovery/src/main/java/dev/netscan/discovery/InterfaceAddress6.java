package dev.netscan.discovery;

import java.io.IOException;
import java.io.InputStream;
import java.net.Inet6Address;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The IPv6 addresses of the host's interfaces, read from the calling thread's own network
 * namespace ({@code /proc/thread-self/net/if_inet6}). {@link java.net.NetworkInterface} reads
 * {@code /proc/net/if_inet6}, which is the namespace of the process's first thread: wrong for a
 * thread that moved into another namespace, as the namespace tests do.
 *
 * @param address the address, a link-local one scoped to its interface
 * @param interfaceIndex the interface's index
 * @param flags the kernel's IFA_F_* flags
 */
record InterfaceAddress6(Inet6Address address, int interfaceIndex, int flags) {
    private static final int IFA_F_DADFAILED = 0x08;
    private static final int IFA_F_TENTATIVE = 0x40;
    /** Bytes read at most: a few thousand addresses. */
    private static final int MAX_BYTES = 1 << 20;

    /** Whether the address can send (not tentative, DAD did not fail). */
    boolean usable() {
        return (flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED)) == 0 && !address.isLoopbackAddress()
                && !address.isMulticastAddress();
    }

    /** Every interface's addresses by interface name; empty when IPv6 is off or the file is unreadable. */
    static Map<String, List<InterfaceAddress6>> read() {
        for (String file : List.of("/proc/thread-self/net/if_inet6", "/proc/self/net/if_inet6")) {
            try (InputStream in = Files.newInputStream(Path.of(file))) {
                return parse(new String(in.readNBytes(MAX_BYTES), StandardCharsets.US_ASCII));
            } catch (IOException e) {
                // try the next; neither readable: no IPv6
            }
        }
        return Map.of();
    }

    /**
     * Parses if_inet6 lines ({@code <32 hex> <index hex> <prefix hex> <scope hex> <flags hex> <name>});
     * a line that does not have that shape is skipped.
     */
    static Map<String, List<InterfaceAddress6>> parse(String text) {
        Map<String, List<InterfaceAddress6>> out = new HashMap<>();
        for (String line : text.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length != 6 || f[0].length() != 32) {
                continue;
            }
            try {
                byte[] a = HexFormat.of().parseHex(f[0]);
                int index = Integer.parseInt(f[1], 16);
                int flags = Integer.parseInt(f[4], 16);
                boolean linkLocal = (a[0] & 0xFF) == 0xFE && (a[1] & 0xC0) == 0x80;
                Inet6Address address = Inet6Address.getByAddress(null, a, linkLocal ? index : -1);
                out.computeIfAbsent(f[5], k -> new ArrayList<>()).add(new InterfaceAddress6(address, index, flags));
            } catch (IllegalArgumentException | UnknownHostException e) {
                // not the shape the kernel writes: skip the line
            }
        }
        return out;
    }
}
