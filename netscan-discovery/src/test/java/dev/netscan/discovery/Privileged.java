package dev.netscan.discovery;

import static org.assertj.core.api.Assertions.fail;

import org.junit.jupiter.api.Assumptions;

/**
 * Test gate for things that need privileges (raw sockets, namespaces, iptables): skips with the
 * reason when they are not available, but fails when {@code CI=true} (CI runs as root and must run
 * every test).
 */
final class Privileged {
    private Privileged() {}

    static void require(boolean available, String what) {
        if (available) {
            return;
        }
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail("CI=true but this test cannot run: " + what);
        }
        System.err.println("SKIPPED: " + what);
        Assumptions.abort(what);
    }

    /** Starts an engine on the host, or skips/fails when no ICMP socket is allowed. */
    static IcmpEngine engine(IcmpEngineConfig config) {
        try {
            return IcmpEngine.start(config);
        } catch (IcmpUnavailableException e) {
            require(false, e.getMessage());
            throw e;
        }
    }
}
