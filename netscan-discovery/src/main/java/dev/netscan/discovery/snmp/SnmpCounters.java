package dev.netscan.discovery.snmp;

/**
 * A snapshot of the scanner's counters since it was built. Each field is read atomically but the
 * snapshot as a whole is not a single atomic cut. Outcomes are counted after the listener has
 * returned from them.
 *
 * @param requests PDUs sent (GET, and GETNEXT for fallbacks), not counting snmp4j's retries
 * @param inFlight devices whose query has started and not yet ended
 * @param queued devices submitted and waiting for an in-flight slot
 * @param successes queries that ended {@link SnmpOutcome#SUCCESS}
 * @param timeouts queries that ended {@link SnmpOutcome#TIMEOUT}
 * @param authFailures queries that ended {@link SnmpOutcome#AUTH_FAILURE}
 * @param noAgent queries that ended {@link SnmpOutcome#NO_AGENT} (ICMP port-unreachable)
 * @param errors queries that ended {@link SnmpOutcome#ERROR} (the agent answered, but not usefully)
 * @param localRefusals queries that ended {@link SnmpOutcome#LOCAL_REFUSAL} (we could not send; not the device's failure)
 * @param rateLimited times a query start waited for the rate limit ({@code snmp_rate_limit}); 0 without one
 * @param fallbacks queries that needed the GETNEXT fallback
 * @param suspended devices currently in backoff (0 for a bare scanner; {@link SnmpEnrichment} fills it)
 */
public record SnmpCounters(
        long requests,
        int inFlight,
        int queued,
        long successes,
        long timeouts,
        long authFailures,
        long noAgent,
        long errors,
        long localRefusals,
        long rateLimited,
        long fallbacks,
        int suspended) {

    /** Queries that have ended, whatever the outcome. */
    public long completed() {
        return successes + timeouts + authFailures + noAgent + errors + localRefusals;
    }

    SnmpCounters withSuspended(int count) {
        return new SnmpCounters(requests, inFlight, queued, successes, timeouts, authFailures, noAgent, errors,
                localRefusals, rateLimited, fallbacks, count);
    }
}
