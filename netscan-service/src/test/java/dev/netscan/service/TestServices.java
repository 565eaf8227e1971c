package dev.netscan.service;

import dev.netscan.core.NetscanConfig;
import dev.netscan.discovery.IcmpUnavailableException;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Assumptions;

/** Starting a real service with its HTTP surface on loopback, for the operator-surface tests. */
final class TestServices {
    private TestServices() {}

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** A config sweeping and pinging {@code network} on loopback, SNMP off, HTTP on a free port. */
    static NetscanConfig.Builder config(Path dir, String network) throws IOException {
        return NetscanConfig.builder().network(network).pingInterval(Duration.ofSeconds(1)).snmpEnabled(false)
                .healthCheckPort(freePort()).dataDir(dir);
    }

    /** Starts it; without an ICMP socket the test fails under CI=true and is skipped (with the reason) otherwise. */
    static NetscanService start(NetscanService s) throws Exception {
        try {
            s.start();
            return s;
        } catch (IcmpUnavailableException e) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw e;
            }
            System.err.println("SKIPPED: " + e.getMessage());
            Assumptions.abort(e.getMessage());
            throw e;
        }
    }

    /** Waits for {@code condition} up to {@code timeout}; false when it never held. */
    static boolean await(Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(20);
        }
        return condition.getAsBoolean();
    }

    static HttpResponse<String> get(HttpClient http, int port, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
