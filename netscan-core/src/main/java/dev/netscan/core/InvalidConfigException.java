package dev.netscan.core;

import java.util.List;

/**
 * A configuration that cannot be used. Carries every problem found, each as
 * {@code key: what is wrong}, so a user fixes them all in one pass.
 */
public final class InvalidConfigException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final List<String> problems;

    public InvalidConfigException(List<String> problems) {
        super(problems.size() == 1
                ? "invalid configuration: " + problems.getFirst()
                : "invalid configuration (" + problems.size() + " problems):\n  - " + String.join("\n  - ", problems));
        this.problems = List.copyOf(problems);
    }

    /** Every problem, in the order found, each {@code key: message}. */
    public List<String> problems() {
        return problems;
    }
}
