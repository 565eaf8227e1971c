package dev.netscan.discovery.snmp;

/**
 * SNMPv3 USM privacy (encryption) protocols.
 *
 * <p>AES-256 here is the key localisation net-snmp uses for {@code AES-256} (and {@code AES256}):
 * the localised key is extended to 32 bytes as in draft-blumenthal-aes-usm-04 (hash the localised
 * key again and append). snmp4j implements that in {@code org.snmp4j.security.PrivAES256}; the
 * other extension (draft-reeder, used by Cisco and by net-snmp's {@code AES-256-C}) is
 * {@code PrivAES256With3DESKeyExtension} and is not offered. The scanner's tests check the choice
 * against a real net-snmp {@code snmpd}.
 */
public enum SnmpPrivProtocol {
    /** No privacy: authNoPriv. */
    NONE,
    /** CFB128-AES-128 (RFC 3826); net-snmp {@code AES}. */
    AES128,
    /** CFB128-AES-256 with Blumenthal key extension; net-snmp {@code AES-256}. */
    AES256
}
