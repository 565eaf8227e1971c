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
    /**
     * No agent: the host answered our request with ICMP port-unreachable (seen through the
     * socket's error queue, within one round trip instead of after timeout x (retries + 1)). The
     * backoff counts it as a failure, like a timeout. A network that sends no such error (a
     * firewall that drops, Linux's ICMP rate limit) ends in {@link #TIMEOUT} instead.
     */
    NO_AGENT,
    /**
     * The agent answered but not usefully (a decode error): an unexpected report, an answer
     * without any system-group value, or a message snmp4j could not process.
     */
    ERROR,
    /**
     * Our own refusal: the request could not be sent from this host (socket closed, no buffer
     * space, a local firewall refusing the send). Never the device's failure: the backoff does
     * not count it and it is never written as the device's outcome.
     */
    LOCAL_REFUSAL
}
