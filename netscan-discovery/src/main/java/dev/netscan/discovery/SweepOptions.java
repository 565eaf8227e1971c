package dev.netscan.discovery;

import dev.netscan.core.ConfigProblems;
import dev.netscan.core.InvalidConfigException;
import java.time.Duration;

/**
 * Immutable settings of one {@link Sweep}. Build with {@link #builder()}; {@code build()} reports
 * every invalid setting at once.
 *
 * @param timeout how long to wait for each attempt's reply
 * @param retries extra attempts for an address that did not answer
 * @param seed seed of the permuted visiting order (same seed, same order)
 * @param allowLarge must be true to sweep more than 65,536 addresses (ranges wider than /16);
 *     more than 16,777,216 (wider than /8) is always refused
 */
public record SweepOptions(Duration timeout, int retries, long seed, boolean allowLarge) {

    /** Largest target set swept without {@code allowLarge}: a /16. */
    public static final long SMALL_LIMIT = 1L << 16;
    /** Largest target set ever swept: a /8. */
    public static final long HARD_LIMIT = 1L << 24;

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** The same options with another seed. */
    public SweepOptions withSeed(long newSeed) {
        return new SweepOptions(timeout, retries, newSeed, allowLarge);
    }

    /** Defaults: 1 s timeout, 1 retry, seed 0, no large sweeps. */
    public static SweepOptions defaults() {
        return builder().build();
    }

    /** Collects settings; not thread-safe. */
    public static final class Builder {
        private Duration timeout = Duration.ofSeconds(1);
        private int retries = 1;
        private long seed;
        private boolean allowLarge;

        private Builder() {}

        /** Timeout of each attempt; default 1 s, at most 5 minutes. */
        public Builder timeout(Duration timeout) {
            this.timeout = timeout;
            return this;
        }

        /** Extra attempts for an address that did not answer, 0 to 10; default 1. */
        public Builder retries(int retries) {
            this.retries = retries;
            return this;
        }

        /** Seed of the permuted order; default 0. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Opt in to sweeping more than 65,536 addresses (never more than a /8); default false. */
        public Builder allowLarge(boolean allowLarge) {
            this.allowLarge = allowLarge;
            return this;
        }

        /** @throws InvalidConfigException listing every invalid setting, keyed by builder method name */
        public SweepOptions build() {
            ConfigProblems problems = new ConfigProblems();
            problems.between("timeout", timeout, Duration.ofNanos(1), Duration.ofMinutes(5));
            problems.range("retries", retries, 0, 10);
            problems.throwIfAny();
            return new SweepOptions(timeout, retries, seed, allowLarge);
        }
    }
}
