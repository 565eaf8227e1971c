/**
 * Internals of the ICMP engine ({@link dev.netscan.discovery.IcmpEngine}); not an API, may change
 * without notice. Not exported by the {@code dev.netscan.discovery} module (its types are public
 * only for the engine in the parent package; benchmarks reach them on the class path).
 *
 * <ul>
 *   <li>{@link dev.netscan.discovery.icmp.Libc}: the non-variadic libc calls (socket, setsockopt,
 *       getsockopt, sendmmsg, recvmmsg, poll, close, setns) bound through {@code java.lang.foreign},
 *       errno captured per call, C struct layouts derived from the platform's canonical layouts so
 *       they hold on x86_64 and aarch64.</li>
 *   <li>{@link dev.netscan.discovery.icmp.IcmpSocket}: opening datagram or raw ICMP/ICMPv6
 *       sockets, buffer sizing, {@code ICMP_FILTER}/{@code ICMP6_FILTER}.</li>
 *   <li>{@link dev.netscan.discovery.icmp.EchoCodec}: echo request encoding and the total,
 *       never-throwing reply parser with the per-engine keyed payload token.</li>
 *   <li>{@link dev.netscan.discovery.icmp.DeadlineHeap} and
 *       {@link dev.netscan.discovery.icmp.SlotRing}: the primitive-array deadline heap and the
 *       receiver-to-sender slot hand-back ring.</li>
 * </ul>
 */
package dev.netscan.discovery.icmp;
