package dev.netscan.core;

/**
 * Who a device says it is over SNMP (MIB-2 system group). Strings are already bounded and
 * sanitised by whoever built the value (no control characters, at most 1,024 bytes of UTF-8);
 * any of them may be {@code null} when the agent did not give it.
 *
 * @param sysName 1.3.6.1.2.1.1.5.0
 * @param sysDescr 1.3.6.1.2.1.1.1.0
 * @param sysObjectId 1.3.6.1.2.1.1.2.0, dotted numeric without a leading dot
 * @param sysUpTimeHundredths 1.3.6.1.2.1.1.3.0 in hundredths of a second, or -1 when unknown
 * @param sysContact 1.3.6.1.2.1.1.4.0
 * @param sysLocation 1.3.6.1.2.1.1.6.0
 */
public record SnmpInfo(
        String sysName,
        String sysDescr,
        String sysObjectId,
        long sysUpTimeHundredths,
        String sysContact,
        String sysLocation) {

    /** An identity with nothing known. */
    public static final SnmpInfo UNKNOWN = new SnmpInfo(null, null, null, -1, null, null);

    /** Uptime in whole seconds, or -1 when unknown. */
    public long sysUpTimeSeconds() {
        return sysUpTimeHundredths < 0 ? -1 : sysUpTimeHundredths / 100;
    }

    /** True when the agent gave at least one field. */
    public boolean isKnown() {
        return sysName != null || sysDescr != null || sysObjectId != null || sysUpTimeHundredths >= 0
                || sysContact != null || sysLocation != null;
    }
}
