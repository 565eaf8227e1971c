package dev.netscan.discovery.snmp;

import java.util.Locale;

/**
 * SNMPv3 USM authentication protocols: those both snmp4j and net-snmp's {@code snmpd} implement.
 * The names match net-snmp's {@code -a} values ({@code MD5}, {@code SHA}, {@code SHA-224},
 * {@code SHA-256}, {@code SHA-384}, {@code SHA-512}); each is checked against a real
 * {@code snmpd} in the scanner's tests.
 *
 * <p>{@link #MD5} is {@linkplain #weak() weak} (HMAC-MD5-96 and MD5 key localisation), but many
 * deployed agents offer nothing else, so it is accepted and the scanner warns once at start.
 */
public enum SnmpAuthProtocol {
    /** HMAC-MD5-96 (RFC 3414); net-snmp {@code MD5}. Weak: accepted with a warning. */
    MD5("MD5", true),
    /** HMAC-SHA-96 (RFC 3414); net-snmp {@code SHA}. */
    SHA1("SHA", false),
    /** HMAC-128-SHA-224 (RFC 7860); net-snmp {@code SHA-224}. */
    SHA224("SHA-224", false),
    /** HMAC-192-SHA-256 (RFC 7860); net-snmp {@code SHA-256}. */
    SHA256("SHA-256", false),
    /** HMAC-256-SHA-384 (RFC 7860); net-snmp {@code SHA-384}. */
    SHA384("SHA-384", false),
    /** HMAC-384-SHA-512 (RFC 7860); net-snmp {@code SHA-512}. */
    SHA512("SHA-512", false);

    private final String netSnmpName;
    private final boolean weak;

    SnmpAuthProtocol(String netSnmpName, boolean weak) {
        this.netSnmpName = netSnmpName;
        this.weak = weak;
    }

    /** The name net-snmp uses for this protocol (e.g. {@code SHA-256}). */
    public String netSnmpName() {
        return netSnmpName;
    }

    /** True for protocols accepted only for old agents ({@link #MD5}); using one draws a warning. */
    public boolean weak() {
        return weak;
    }

    /**
     * The protocol a configuration names: net-snmp's name or this enum's, ignoring case, with or
     * without the dash ({@code SHA-256}, {@code sha256}, {@code SHA1}).
     *
     * @return the protocol, or null when {@code name} is null or names none
     */
    public static SnmpAuthProtocol byName(String name) {
        if (name == null) {
            return null;
        }
        String n = name.strip().toUpperCase(Locale.ROOT).replace("-", "");
        for (SnmpAuthProtocol p : values()) {
            if (p.name().equals(n) || p.netSnmpName.replace("-", "").equals(n)) {
                return p;
            }
        }
        return null;
    }
}
