/**
 * Everything that talks to devices over ICMP.
 *
 * <ul>
 *   <li>{@link dev.netscan.discovery.IcmpEngine}: one engine multiplexes every probe over one ICMP
 *       socket per address family (datagram where {@code net.ipv4.ping_group_range} allows it,
 *       raw otherwise), opened through {@code java.lang.foreign}; rate limit and in-flight bound
 *       adjustable at run time; two lanes so monitoring keeps its schedule during a sweep.
 *   <li>{@link dev.netscan.discovery.Sweep}: discovery of a {@link dev.netscan.core.TargetSet} in
 *       permuted order (IPv4 targets, then IPv6 ones over the ICMPv6 socket), with progress,
 *       cancellation and a summary.
 *   <li>{@link dev.netscan.discovery.OnLinkDiscovery}: for networks no sweep covers, the
 *       all-nodes multicast echo ({@code ff02::1}) and the kernel's neighbour tables (one netlink
 *       dump) per configured interface, reporting hosts to an
 *       {@link dev.netscan.discovery.OnLinkListener}.
 *   <li>{@link dev.netscan.discovery.monitor}: the continuous ping scheduler.
 *   <li>{@link dev.netscan.discovery.snmp}: SNMP enrichment with snmp4j.
 * </ul>
 * Internals live in {@code dev.netscan.discovery.icmp}.
 */
package dev.netscan.discovery;
