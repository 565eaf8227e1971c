package dev.netscan.core;

import dev.netscan.core.InvalidConfigException.Problem;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Collects every problem (and warning) of a configuration in one pass, each keyed by its setting,
 * and throws them together as one {@link InvalidConfigException}. Every configuration builder of
 * netscan validates through one of these, so all of them report in the same shape.
 *
 * <p>The model is Micrometer's {@code Validated} / {@code checkAll}: a builder checks its own
 * invariants; a caller that assembles several parts {@link #collect(Supplier, UnaryOperator)
 * collects} each part's problems (renaming the part's keys to its own, e.g. {@code maxInFlight}
 * to {@code snmp_workers}) instead of stopping at the first part that fails.
 *
 * <p>Messages say what is wrong and, where it helps, what is allowed; they never quote a
 * credential (callers pass none in). Not thread-safe: one collector per validation.
 */
public final class ConfigProblems {
    private static final Pattern CAMEL_CASE = Pattern.compile("\\b[a-z][a-z0-9]*[A-Z][A-Za-z0-9]*\\b");

    private final List<Problem> problems = new ArrayList<>();
    private final List<Problem> warnings = new ArrayList<>();

    /** An empty collector. */
    public ConfigProblems() {}

    /** Records a problem of {@code key}. */
    public ConfigProblems add(String key, String message) {
        problems.add(new Problem(key, message));
        return this;
    }

    /** Records a warning: the setting works, but the user should know ({@code MD5}, a weak community). */
    public ConfigProblems warn(String key, String message) {
        warnings.add(new Problem(key, message));
        return this;
    }

    /** Records {@code message} for {@code key} unless {@code ok}; returns {@code ok}. */
    public boolean check(boolean ok, String key, String message) {
        if (!ok) {
            add(key, message);
        }
        return ok;
    }

    /** {@code value} must not be null; returns whether it was present. */
    public boolean required(String key, Object value) {
        return check(value != null, key, "is required");
    }

    /** {@code min <= v <= max}. */
    public boolean range(String key, long v, long min, long max) {
        return check(v >= min && v <= max, key, "must be between " + min + " and " + max + ", was " + v);
    }

    /** {@code v} present and at least {@code min}. */
    public boolean atLeast(String key, Duration v, Duration min) {
        if (!required(key, v)) {
            return false;
        }
        return check(v.compareTo(min) >= 0, key, "must be at least " + NetscanConfig.human(min) + ", was "
                + NetscanConfig.human(v));
    }

    /** {@code v} present and within {@code [min, max]}. */
    public boolean between(String key, Duration v, Duration min, Duration max) {
        if (!required(key, v)) {
            return false;
        }
        return check(v.compareTo(min) >= 0 && v.compareTo(max) <= 0, key, "must be between "
                + NetscanConfig.human(min) + " and " + NetscanConfig.human(max) + ", was " + NetscanConfig.human(v));
    }

    /** A percentage in {@code (0, 100]}. */
    public boolean percent(String key, double v) {
        return check(v > 0 && v <= 100, key, "must be a percentage in (0, 100], was " + v);
    }

    /**
     * Runs {@code build} (another part's builder) and keeps its problems instead of stopping.
     *
     * @return what {@code build} returned, or null when it threw an {@link InvalidConfigException}
     */
    public <T> T collect(Supplier<T> build) {
        return collect(build, UnaryOperator.identity());
    }

    /**
     * Runs {@code build} and keeps its problems with each key renamed by {@code rename} (and the
     * part's own setting names inside messages, e.g. {@code memoryCriticalPct}). A problem
     * whose key already had one before this call is dropped: the part was given a value this
     * collector already reported (the first, outer message names it), and a rename to null drops
     * a problem too.
     *
     * @return what {@code build} returned, or null when it threw an {@link InvalidConfigException}
     */
    public <T> T collect(Supplier<T> build, UnaryOperator<String> rename) {
        try {
            return build.get();
        } catch (InvalidConfigException e) {
            Set<String> reported = new HashSet<>();
            for (Problem p : problems) {
                reported.add(p.key());
            }
            for (Problem p : e.problems()) {
                String key = rename.apply(p.key());
                if (key != null && !reported.contains(key)) {
                    add(key, renameInMessage(p.message(), rename));
                }
            }
            return null;
        }
    }

    /**
     * A part's message may name another of its settings ({@code must be below memoryCriticalPct});
     * those names are camelCase identifiers, never English words, so each is renamed as keys are.
     */
    private static String renameInMessage(String message, UnaryOperator<String> rename) {
        Matcher m = CAMEL_CASE.matcher(message);
        StringBuilder out = new StringBuilder(message.length() + 16);
        while (m.find()) {
            String renamed = rename.apply(m.group());
            m.appendReplacement(out, Matcher.quoteReplacement(renamed != null ? renamed : m.group()));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** True when no problem was recorded. */
    public boolean isEmpty() {
        return problems.isEmpty();
    }

    /** The problems so far, in the order found. */
    public List<Problem> problems() {
        return List.copyOf(problems);
    }

    /** The warnings so far, in the order found. */
    public List<Problem> warnings() {
        return List.copyOf(warnings);
    }

    /** @throws InvalidConfigException with every problem, when there is any */
    public void throwIfAny() {
        throwIfAny(null);
    }

    /**
     * @param source where the configuration came from (a file name), or null
     * @throws InvalidConfigException with every problem, when there is any
     */
    public void throwIfAny(String source) {
        if (!problems.isEmpty()) {
            throw new InvalidConfigException(source, problems);
        }
    }

    /** {@code value} when there is no problem; else throws them all. */
    public <T> T orThrow(T value) {
        throwIfAny();
        return value;
    }
}
