/**
 * SNMP enrichment: who each device says it is (MIB-2 system group), over snmp4j, asynchronously
 * with a bound on queries in flight, SNMP v1/v2c/v3 (USM SHA-1/SHA-2, AES-128/AES-256), with
 * untrusted values sanitised and per-device backoff.
 *
 * <p>Front doors: {@link dev.netscan.discovery.snmp.SnmpEnrichment} (triggers + backoff, what the
 * service wires) and {@link dev.netscan.discovery.snmp.SnmpScanner} (one query per submitted
 * device). Configuration: {@link dev.netscan.discovery.snmp.SnmpSettings}. Outcomes:
 * {@link dev.netscan.discovery.snmp.SnmpListener}.
 *
 * <h2>What agents can and cannot do to us</h2>
 * <ul>
 *   <li>Strings: {@link dev.netscan.discovery.snmp.SnmpText#sanitize(byte[])} bounds them to
 *       1,024 bytes of UTF-8, removes NUL and other controls, folds line breaks into one space,
 *       shows invalid UTF-8 as hex. No value ever reaches a log: the scanner logs addresses and
 *       exception class names only.</li>
 *   <li>Huge values: one SNMP message travels in one UDP datagram (at most 65,507 bytes of
 *       payload; snmp4j's default inbound limit is 65,535), so a "10 MB string" cannot arrive. An
 *       agent holding one answers tooBig (snmp4j-agent does; so does net-snmp); the scanner then
 *       reads every other field through GETNEXT and leaves that one null. The largest value that
 *       can arrive (about 65,000 bytes) is cut to 1,024 bytes.</li>
 *   <li>Wrong types are tolerated (see {@link dev.netscan.discovery.snmp.SnmpScanner}).</li>
 *   <li>Answers outside the asked subtree are dropped (OID comparison, not string prefixes).</li>
 * </ul>
 *
 * <h2>Credentials</h2>
 * Community and passphrases never appear in {@code toString}, log lines, exception messages or
 * listener details. A weak community (public, private, ...) draws one warning per scanner.
 * A wrong v2c community and a wrong v3 privacy passphrase look like a timeout (the agent stays
 * silent); a wrong v3 authentication passphrase or unknown user is an authentication failure.
 * To see those reports the scanner switches snmp4j's JVM-wide report security level strategy
 * from {@code standard} to {@code noAuthNoPrivIfNeeded} when a v3 scanner starts.
 *
 * <h2>No agent, known within a round trip</h2>
 * The scanner's UDP socket ({@link dev.netscan.discovery.snmp.RecvErrUdpTransport}, FFM, Linux)
 * has {@code IP_RECVERR}: an ICMP port-unreachable from a host we asked arrives on the socket's
 * error queue and ends that device's query as {@code NO_AGENT} at once. Where the network sends
 * no such error (a dropping firewall, the ICMP rate limit) the query times out as before.
 *
 * <h2>Replies from another address</h2>
 * snmp4j matches a response to its request by request id (and, for v3, message id), not by the
 * source address: an agent that answers from another of its addresses is accepted.
 */
package dev.netscan.discovery.snmp;
