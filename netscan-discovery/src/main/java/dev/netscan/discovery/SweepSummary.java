package dev.netscan.discovery;

import java.time.Duration;

/**
 * What a finished (or cancelled) {@link Sweep} did.
 *
 * @param targets addresses in the target set
 * @param probed probes completed (equals {@code targets} unless cancelled)
 * @param alive addresses that answered
 * @param sent echo requests sent (first attempts plus retries)
 * @param retried echo requests that were retries
 * @param lostReplies addresses that answered only after a retry (a request or reply was lost)
 * @param timeouts addresses that never answered
 * @param unreachable addresses for which an ICMP error came back
 * @param errors probes that could not be sent
 * @param elapsed time from start to the last result (or to cancellation)
 * @param achievedRatePps {@code sent} divided by {@code elapsed}
 * @param cancelled true when {@link Sweep#cancel()} stopped it early
 */
public record SweepSummary(long targets, long probed, long alive, long sent, long retried, long lostReplies,
                           long timeouts, long unreachable, long errors, Duration elapsed, double achievedRatePps,
                           boolean cancelled) {}
