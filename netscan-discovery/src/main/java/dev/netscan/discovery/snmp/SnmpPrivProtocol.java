package dev.netscan.discovery.snmp;

import java.util.Locale;

/**
 * SNMPv3 USM privacy (encryption) protocols: those both snmp4j and net-snmp's {@code snmpd}
 * implement, named as net-snmp's {@code -x} values and each checked against a real {@code snmpd}
 * in the scanner's tests.
 *
 * <p>AES-192 and AES-256 here are the key localisation net-snmp uses for {@code AES-192} and
 * {@code AES-256}: the localised key is extended as in draft-blumenthal-aes-usm-04 (hash the
 * localised key again and append). snmp4j implements that in {@code org.snmp4j.security.PrivAES192}
 * and {@code PrivAES256}; the other extension (draft-reeder, used by Cisco and by net-snmp's
 * {@code AES-256-C}) is {@code PrivAES256With3DESKeyExtension} and is not offered.
 *
 * <p>{@link #DES} is {@linkplain #weak() weak} (56-bit keys), but many deployed agents offer
 * nothing else, so it is accepted and the scanner warns once at start.
 */
public enum SnmpPrivProtocol {
    /** No privacy: authNoPriv. */
    NONE("none", false),
    /** CBC-DES (RFC 3414); net-snmp {@code DES}. Weak: accepted with a warning. */
    DES("DES", true),
    /** CFB128-AES-128 (RFC 3826); net-snmp {@code AES} or {@code AES-128}. */
    AES128("AES", false),
    /** CFB128-AES-192 with Blumenthal key extension; net-snmp {@code AES-192}. */
    AES192("AES-192", false),
    /** CFB128-AES-256 with Blumenthal key extension; net-snmp {@code AES-256}. */
    AES256("AES-256", false);

    private final String netSnmpName;
    private final boolean weak;

    SnmpPrivProtocol(String netSnmpName, boolean weak) {
        this.netSnmpName = netSnmpName;
        this.weak = weak;
    }

    /** The name net-snmp uses for this protocol (e.g. {@code AES-256}). */
    public String netSnmpName() {
        return netSnmpName;
    }

    /** True for protocols accepted only for old agents ({@link #DES}); using one draws a warning. */
    public boolean weak() {
        return weak;
    }

    /**
     * The protocol a configuration names: net-snmp's name or this enum's, ignoring case, with or
     * without the dash ({@code AES}, {@code AES-128}, {@code aes256}, {@code DES}).
     *
     * @return the protocol, or null when {@code name} is null or names none
     */
    public static SnmpPrivProtocol byName(String name) {
        if (name == null) {
            return null;
        }
        String n = name.strip().toUpperCase(Locale.ROOT).replace("-", "");
        if (n.equals("AES128")) {
            return AES128;
        }
        for (SnmpPrivProtocol p : values()) {
            if (p.name().equals(n) || p.netSnmpName.toUpperCase(Locale.ROOT).replace("-", "").equals(n)) {
                return p;
            }
        }
        return null;
    }
}
