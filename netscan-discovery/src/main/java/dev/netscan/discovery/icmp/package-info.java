/**
 * Internals of the ICMP engine ({@link dev.netscan.discovery.IcmpEngine}); not an API, not
 * exported by the {@code dev.netscan.discovery} module, may change without notice (benchmarks and
 * tests reach it on the class path). Three types are public, each for a named user:
 *
 * <ul>
 *   <li>{@link dev.netscan.discovery.icmp.Transceiver}: the engine proper (the sender and receiver
 *       loops and their cross-thread protocol), behind {@code IcmpEngine}, which sits in the parent
 *       package and validates and documents the API.</li>
 *   <li>{@link dev.netscan.discovery.icmp.Libc}: the non-variadic libc calls (socket, setsockopt,
 *       getsockopt, sendmmsg, recvmmsg, poll, close, setns) bound through {@code java.lang.foreign},
 *       errno captured per call, C struct layouts derived from the platform's canonical layouts so
 *       they hold on x86_64 and aarch64. Also used by netscan-bench and by the tests' network
 *       namespaces ({@code setns}).</li>
 *   <li>{@link dev.netscan.discovery.icmp.EchoCodec}: echo request encoding and the total,
 *       never-throwing reply parser with the per-engine keyed payload token. Also used by
 *       netscan-bench ({@code ReplyParserBenchmark}).</li>
 * </ul>
 *
 * <p>The package-private parts of {@code Transceiver}, each with a test of its own:
 * {@code SlotTable} (the slot protocol: FREE/SENT/DONE plus generation, the stamp CAS),
 * {@code LaneQueue} (the submission queues), {@code TokenBucket} (the rate limit, time as an
 * argument), {@code DeadlineHeap}, {@code SlotRing} (receiver-to-sender slot hand-back), and,
 * tested through the engine on real sockets, {@code IcmpSocket} (opening datagram or raw sockets),
 * {@code SendBatch} / {@code RecvBatch} (the sendmmsg / recvmmsg vectors), {@code SendHelper},
 * {@code PollSet} and {@code ProbeOutcomes} (result delivery and counters).
 */
package dev.netscan.discovery.icmp;
