package dev.netscan.service;

import com.sun.net.httpserver.HttpExchange;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Who may call what on the HTTP surface. With a token set, mutating requests need
 * {@code Authorization: Bearer <token>}, and read requests too when {@code readNeedsToken}.
 * Without a token (only allowed on loopback, see {@link HttpSettings}) everything is open.
 *
 * <p>The comparison is constant-time: both sides are hashed with SHA-256 and compared with
 * {@link MessageDigest#isEqual}, so neither the content nor the length of the token leaks through
 * timing. The token is never logged or echoed. Thread-safe.
 */
final class BearerAuth {
    private final byte[] tokenDigest; // null when no token
    private final boolean readNeedsToken;

    BearerAuth(HttpSettings settings) {
        this.tokenDigest = settings.token() == null ? null : sha256(settings.token());
        this.readNeedsToken = settings.readNeedsToken();
    }

    /** True when the request may proceed; {@code mutating} for POST/DELETE endpoints. */
    boolean permits(HttpExchange ex, boolean mutating) {
        if (tokenDigest == null || !mutating && !readNeedsToken) {
            return true;
        }
        String h = ex.getRequestHeaders().getFirst("Authorization");
        if (h == null || h.length() < 7 || !h.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        return MessageDigest.isEqual(tokenDigest, sha256(h.substring(7).strip()));
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
