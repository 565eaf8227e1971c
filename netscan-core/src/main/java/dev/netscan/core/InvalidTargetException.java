package dev.netscan.core;

/**
 * An address, CIDR range or target set that cannot be accepted. The message names the input and
 * says what is wrong with it, e.g. {@code invalid target "10.0.0.0/33": prefix length 33 is
 * greater than 32}.
 */
public final class InvalidTargetException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final String input;
    private final String reason;

    public InvalidTargetException(String input, String reason) {
        super("invalid target \"" + sanitize(input) + "\": " + reason);
        this.input = input;
        this.reason = reason;
    }

    /** The text that was refused, as given. */
    public String input() {
        return input;
    }

    /** What is wrong with it, without the input. */
    public String reason() {
        return reason;
    }

    /**
     * At most 80 characters of {@code s}, with control characters (C0, DEL, C1) shown as
     * {@code ?}, so untrusted input can be quoted in a message or a log line.
     */
    static String sanitize(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder b = new StringBuilder(Math.min(s.length(), 80));
        for (int i = 0; i < s.length() && i < 80; i++) {
            char c = s.charAt(i);
            b.append(c < 0x20 || (c >= 0x7F && c <= 0x9F) ? '?' : c);
        }
        if (s.length() > 80) {
            b.append("...");
        }
        return b.toString();
    }
}
