/**
 * SNMP enrichment: who each device says it is (MIB-2 system group), over snmp4j, asynchronously
 * with a bound on queries in flight, SNMP v1/v2c/v3 (USM SHA-1/SHA-2, AES-128/AES-256), with
 * untrusted values sanitised ({@link dev.netscan.discovery.snmp.SnmpText}) and per-device backoff.
 *
 * <p>Front doors: {@link dev.netscan.discovery.snmp.SnmpEnrichment} (triggers + backoff, what the
 * service wires) and {@link dev.netscan.discovery.snmp.SnmpScanner} (one query per submitted
 * device). Configuration: {@link dev.netscan.discovery.snmp.SnmpSettings}.
 */
package dev.netscan.discovery.snmp;
