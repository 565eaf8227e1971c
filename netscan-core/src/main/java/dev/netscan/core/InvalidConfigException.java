package dev.netscan.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A configuration that cannot be used. Carries every problem found, each keyed by the setting it
 * is about, so a user fixes them all in one pass. Every configuration builder of netscan throws
 * this one type ({@code NetscanConfig}, {@code GovernorSettings}, {@code SnmpSettings},
 * {@code WriterConfig}, {@code IcmpEngineConfig}, {@code SweepOptions}, the registry and scheduler
 * builders), collected with a {@link ConfigProblems}.
 *
 * <p>Keys: a module's own builder names its settings as its builder methods do ({@code maxInFlight});
 * the service's mapping from the configuration file renames them to file keys
 * ({@code snmp_workers}, {@code snmp.auth_protocol}). Messages never quote a credential.
 */
public final class InvalidConfigException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /**
     * One thing wrong with a configuration.
     *
     * @param key the setting, e.g. {@code snmp.auth_protocol}, {@code networks[2]}, or a file name
     *     for problems of the file as a whole; never null
     * @param message what is wrong and, where it helps, what would be right; never null
     */
    public record Problem(String key, String message) {
        /** Checks both are present. */
        public Problem {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(message, "message");
        }

        /** {@code key: message}. */
        @Override
        public String toString() {
            return key + ": " + message;
        }
    }

    private final String source;
    private final transient List<Problem> problems;

    /**
     * @param problems every problem, in the order found; at least one
     */
    public InvalidConfigException(List<Problem> problems) {
        this(null, problems);
    }

    /**
     * @param source where the configuration came from (a file name), or null
     * @param problems every problem, in the order found; at least one
     */
    public InvalidConfigException(String source, List<Problem> problems) {
        super(message(source, problems));
        this.source = source;
        this.problems = List.copyOf(problems);
    }

    /** A single problem. */
    public static InvalidConfigException of(String key, String message) {
        return new InvalidConfigException(List.of(new Problem(key, message)));
    }

    private static String message(String source, List<Problem> problems) {
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("an invalid configuration has at least one problem");
        }
        String where = source == null ? "" : source + ": ";
        if (problems.size() == 1) {
            return where + "invalid configuration: " + problems.getFirst();
        }
        List<String> lines = new ArrayList<>(problems.size());
        for (Problem p : problems) {
            lines.add(p.toString());
        }
        return where + "invalid configuration (" + problems.size() + " problems):\n  - " + String.join("\n  - ", lines);
    }

    /** Where the configuration came from (a file name), or null when it was built in code. */
    public String source() {
        return source;
    }

    /** Every problem, in the order found. */
    public List<Problem> problems() {
        return problems;
    }

    /** Every problem as {@code key: message}, in the order found. */
    public List<String> messages() {
        List<String> out = new ArrayList<>(problems.size());
        for (Problem p : problems) {
            out.add(p.toString());
        }
        return out;
    }

    /** The keys with a problem, in the order found (a key appears once per problem). */
    public List<String> keys() {
        List<String> out = new ArrayList<>(problems.size());
        for (Problem p : problems) {
            out.add(p.key());
        }
        return out;
    }
}
