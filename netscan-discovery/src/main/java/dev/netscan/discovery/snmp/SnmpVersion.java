package dev.netscan.discovery.snmp;

/** The SNMP protocol versions the scanner speaks. */
public enum SnmpVersion {
    /** SNMPv1 (RFC 1157), community based. */
    V1,
    /** SNMPv2c (RFC 1901/3416), community based. */
    V2C,
    /** SNMPv3 with the user-based security model (RFC 3414, RFC 7860 for SHA-2, RFC 3826 for AES). */
    V3
}
