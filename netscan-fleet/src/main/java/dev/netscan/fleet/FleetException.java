package dev.netscan.fleet;

/** The fleet cannot start: Kafka unreachable, topic or protocol mismatch. The message says what to do. */
public final class FleetException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public FleetException(String message) {
        super(message);
    }

    public FleetException(String message, Throwable cause) {
        super(message, cause);
    }
}
