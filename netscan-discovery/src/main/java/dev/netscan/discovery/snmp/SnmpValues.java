package dev.netscan.discovery.snmp;

import org.snmp4j.PDU;
import org.snmp4j.smi.Counter64;
import org.snmp4j.smi.Integer32;
import org.snmp4j.smi.OID;
import org.snmp4j.smi.OctetString;
import org.snmp4j.smi.UnsignedInteger32;
import org.snmp4j.smi.Variable;

/**
 * How the scanner reads untrusted values from agents: text sanitised ({@link SnmpText}), object
 * ids checked to be dotted numbers, uptimes of any non-negative integer type, USM report names.
 * Stateless.
 */
final class SnmpValues {
    private SnmpValues() {}

    /** usmStats: 1.3.6.1.6.3.15.1.1 (RFC 3414). */
    private static final OID USM_STATS = new OID(new int[] {1, 3, 6, 1, 6, 3, 15, 1, 1});
    private static final String[] USM_STATS_NAMES = {
        null, "usmStatsUnsupportedSecLevels", "usmStatsNotInTimeWindows", "usmStatsUnknownUserNames",
        "usmStatsUnknownEngineIDs", "usmStatsWrongDigests", "usmStatsDecryptionErrors",
    };

    static String reportName(PDU report) {
        if (report.size() == 0) {
            return "(empty)";
        }
        OID oid = report.get(0).getOid();
        if (oid != null && oid.size() > USM_STATS.size() && oid.startsWith(USM_STATS)) {
            int which = oid.get(USM_STATS.size());
            if (which > 0 && which < USM_STATS_NAMES.length) {
                return USM_STATS_NAMES[which];
            }
            return "usmStats." + which;
        }
        String dotted = oid == null ? "" : oid.toDottedString();
        return dotted.length() > 128 ? dotted.substring(0, 128) : dotted;
    }

    static String textOf(Variable v) {
        if (v instanceof OctetString s) {
            return SnmpText.sanitize(s.getValue());
        }
        return SnmpText.sanitize(v.toString());
    }

    static String objectIdOf(Variable v) {
        String dotted;
        if (v instanceof OID oid) {
            dotted = oid.size() == 0 ? null : oid.toDottedString();
        } else if (v instanceof OctetString s && s.length() <= SnmpText.MAX_BYTES) {
            dotted = s.toString();
            if (dotted.startsWith(".")) {
                dotted = dotted.substring(1);
            }
            if (!isDottedNumeric(dotted)) {
                dotted = null;
            }
        } else {
            dotted = null;
        }
        return dotted != null && dotted.length() <= SnmpText.MAX_BYTES ? dotted : null;
    }

    private static boolean isDottedNumeric(String s) {
        if (s.isEmpty() || s.charAt(0) == '.' || s.charAt(s.length() - 1) == '.') {
            return false;
        }
        int digits = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '.') {
                if (digits == 0) {
                    return false;
                }
                digits = 0;
            } else if (c >= '0' && c <= '9') {
                if (++digits > 10) {
                    return false;
                }
            } else {
                return false;
            }
        }
        return true;
    }

    static long uptimeOf(Variable v) {
        if (v instanceof UnsignedInteger32 u) { // TimeTicks, Gauge32, Counter32
            return u.getValue();
        }
        if (v instanceof Integer32 i) {
            return i.getValue() >= 0 ? i.getValue() : -1;
        }
        if (v instanceof Counter64 c) {
            return c.getValue() >= 0 ? c.getValue() : -1;
        }
        return -1;
    }

}
