package dev.netscan.discovery.snmp;

/** How one device's SNMP query ended. */
public enum SnmpOutcome {
    /** The agent answered with at least one system-group value. */
    SUCCESS,
    /**
     * No answer within the timeout after all retries. A wrong v1/v2c community ends here too:
     * agents stay silent when the community is wrong. So does a wrong v3 privacy passphrase with
     * a right authentication passphrase: net-snmp decrypts garbage and drops it without a report.
     */
    TIMEOUT,
    /**
     * The agent rejected the SNMPv3 credentials: it answered with a USM report (wrong digest, i.e.
     * wrong authentication passphrase; unknown user; decryption error; unsupported security
     * level).
     */
    AUTH_FAILURE,
    /** Anything else: an unexpected report, a transport error, or an answer without any system-group value. */
    ERROR
}
