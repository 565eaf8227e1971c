package dev.netscan.service;

import com.fasterxml.jackson.jr.ob.JSON;
import com.sun.net.httpserver.HttpExchange;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reading requests and writing responses on the JDK's HTTP server, bounded and uniform. */
final class Exchanges {
    private Exchanges() {}

    /** The request body is larger than allowed. */
    static final class BodyTooLarge extends IOException {
        private static final long serialVersionUID = 1L;

        BodyTooLarge(int limit) {
            super("request body larger than " + limit + " bytes");
        }
    }

    /** Reads the request body, refusing more than {@code limit} bytes (whatever Content-Length says). */
    static byte[] body(HttpExchange ex, int limit) throws IOException {
        String declared = ex.getRequestHeaders().getFirst("Content-Length");
        if (declared != null) {
            try {
                if (Long.parseLong(declared.trim()) > limit) {
                    throw new BodyTooLarge(limit);
                }
            } catch (NumberFormatException e) {
                // the server rejects malformed lengths itself; read with the bound below anyway
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(limit, 4096));
        byte[] buf = new byte[4096];
        try (InputStream in = ex.getRequestBody()) {
            int n;
            while ((n = in.read(buf)) > 0) {
                if (out.size() + n > limit) {
                    throw new BodyTooLarge(limit);
                }
                out.write(buf, 0, n);
            }
        }
        return out.toByteArray();
    }

    /** Sends a JSON document (written by jackson-jr). */
    static void json(HttpExchange ex, int status, Object document) throws IOException {
        send(ex, status, "application/json", JSON.std.asBytes(document));
    }

    /** Sends {@code {"error": message}} with {@code status}. */
    static void error(HttpExchange ex, int status, String message) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("error", message);
        m.put("status", status);
        json(ex, status, m);
    }

    /** Sends a text body. */
    static void text(HttpExchange ex, int status, String type, String body) throws IOException {
        send(ex, status, type, body.getBytes(StandardCharsets.UTF_8));
    }

    /** Sends bytes with {@code Cache-Control: no-store}; HEAD gets the headers only. Closes the exchange. */
    static void send(HttpExchange ex, int status, String type, byte[] bytes) throws IOException {
        try (ex) {
            ex.getResponseHeaders().set("Content-Type", type);
            ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
            if (!ex.getResponseHeaders().containsKey("Cache-Control")) {
                ex.getResponseHeaders().set("Cache-Control", "no-store");
            }
            boolean head = "HEAD".equals(ex.getRequestMethod());
            ex.sendResponseHeaders(status, head || bytes.length == 0 ? -1 : bytes.length);
            if (!head && bytes.length > 0) {
                try (OutputStream os = ex.getResponseBody()) {
                    os.write(bytes);
                }
            }
        }
    }

    /** True for GET and HEAD. */
    static boolean isRead(HttpExchange ex) {
        return "GET".equals(ex.getRequestMethod()) || "HEAD".equals(ex.getRequestMethod());
    }
}
