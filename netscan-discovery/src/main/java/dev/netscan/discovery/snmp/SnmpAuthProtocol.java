package dev.netscan.discovery.snmp;

/**
 * SNMPv3 USM authentication protocols. The names match net-snmp's {@code -a} values
 * ({@code SHA}, {@code SHA-224}, {@code SHA-256}, {@code SHA-384}, {@code SHA-512}).
 */
public enum SnmpAuthProtocol {
    /** HMAC-SHA-96 (RFC 3414); net-snmp {@code SHA}. */
    SHA1("SHA"),
    /** HMAC-128-SHA-224 (RFC 7860); net-snmp {@code SHA-224}. */
    SHA224("SHA-224"),
    /** HMAC-192-SHA-256 (RFC 7860); net-snmp {@code SHA-256}. */
    SHA256("SHA-256"),
    /** HMAC-256-SHA-384 (RFC 7860); net-snmp {@code SHA-384}. */
    SHA384("SHA-384"),
    /** HMAC-384-SHA-512 (RFC 7860); net-snmp {@code SHA-512}. */
    SHA512("SHA-512");

    private final String netSnmpName;

    SnmpAuthProtocol(String netSnmpName) {
        this.netSnmpName = netSnmpName;
    }

    /** The name net-snmp uses for this protocol (e.g. {@code SHA-256}). */
    public String netSnmpName() {
        return netSnmpName;
    }
}
