package dev.netscan.core.governor;

import java.time.Instant;
import java.util.Objects;

/**
 * A condition in force now, as {@code /health} lists it: what it is ({@code cause}), how bad
 * ({@code tier}, never {@link AlertTier#INFO}), why (the latest message), and since when (the
 * first alert that raised it; escalating or lowering the tier keeps the time).
 *
 * @param cause the condition's code, e.g. {@code memory}, {@code disk_full}, {@code loop:ping-scheduler}
 * @param tier WARNING, CRITICAL or EMERGENCY
 * @param reason the message of the latest alert for this cause
 * @param since when the condition was first raised
 */
public record ActiveAlert(String cause, AlertTier tier, String reason, Instant since) {

    /** @throws NullPointerException if a component is null */
    public ActiveAlert {
        Objects.requireNonNull(cause, "cause");
        Objects.requireNonNull(tier, "tier");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(since, "since");
    }
}
