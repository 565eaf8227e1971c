package dev.netscan.service;

import com.fasterxml.jackson.jr.ob.JSON;
import com.fasterxml.jackson.jr.ob.JSONObjectException;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.netscan.core.AddressBook;
import dev.netscan.core.Ipv4;
import dev.netscan.core.Ipv6;
import dev.netscan.core.governor.Alert;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The REST API under {@code /api/v1} (JSON in and out, documented by {@code /api/v1/openapi.json}):
 * <ul>
 *   <li>{@code GET status}, {@code GET devices} (paged, filtered, sorted), {@code GET devices/{ip}}
 *       (with the last hour), {@code GET alerts}, {@code GET events};
 *   <li>{@code POST scans}, {@code GET scans}, {@code GET scans/{id}}, {@code DELETE scans/{id}}.
 * </ul>
 * Reads may need the token ({@link HttpSettings#readNeedsToken()}); POST and DELETE need it
 * whenever one is set. Request bodies are bounded; malformed JSON and unknown fields get 400.
 */
final class ApiRoutes implements HttpHandler {
    private static final String PREFIX = "/api/v1/";
    private static final Set<String> SCAN_FIELDS = Set.of("targets", "rate_pps", "max_duration_s");

    private final NetscanService service;
    private final OperatorSurface surface;
    private final RemoteScans scans;
    private final HttpSettings settings;
    private final BearerAuth auth;

    ApiRoutes(NetscanService service, OperatorSurface surface, RemoteScans scans, HttpSettings settings) {
        this.service = service;
        this.surface = surface;
        this.scans = scans;
        this.settings = settings;
        this.auth = new BearerAuth(settings);
    }

    @Override
    public void handle(HttpExchange ex) throws IOException {
        try {
            route(ex);
        } catch (Exchanges.BodyTooLarge e) {
            Exchanges.error(ex, 413, e.getMessage());
        } catch (IllegalArgumentException e) {
            Exchanges.error(ex, 400, clip(String.valueOf(e.getMessage())));
        } catch (RuntimeException e) {
            Exchanges.error(ex, 500, "internal error: " + e.getClass().getSimpleName());
        }
    }

    private void route(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        String method = ex.getRequestMethod();
        boolean read = Exchanges.isRead(ex);
        if (!path.startsWith(PREFIX)) {
            Exchanges.error(ex, 404, "no such endpoint: " + path);
            return;
        }
        String rest = path.substring(PREFIX.length());
        if (!auth.permits(ex, !read)) {
            HealthServer.unauthorized(ex);
            return;
        }
        Map<String, String> q = query(ex.getRequestURI().getRawQuery());
        switch (rest) {
            case "status" -> onlyRead(ex, read, () -> Exchanges.json(ex, 200, status()));
            case "devices" -> onlyRead(ex, read, () -> Exchanges.json(ex, 200, DeviceTable.page(service, surface.history(), q)));
            case "alerts" -> onlyRead(ex, read, () -> Exchanges.json(ex, 200, Map.of("alerts", alerts())));
            case "events" -> onlyRead(ex, read, () -> Exchanges.json(ex, 200, Map.of("events", surface.events().recent())));
            case "openapi.json" -> onlyRead(ex, read, () -> openApi(ex));
            case "scans" -> {
                if ("POST".equals(method)) {
                    postScan(ex);
                } else {
                    onlyRead(ex, read, () -> {
                        List<Object> all = new ArrayList<>();
                        for (RemoteScans.Scan s : scans.list()) {
                            all.add(s.document());
                        }
                        Exchanges.json(ex, 200, Map.of("scans", all));
                    });
                }
            }
            default -> {
                if (rest.startsWith("devices/")) {
                    onlyRead(ex, read, () -> device(ex, rest.substring("devices/".length())));
                } else if (rest.startsWith("scans/")) {
                    scan(ex, rest.substring("scans/".length()), method);
                } else {
                    Exchanges.error(ex, 404, "no such endpoint: " + path);
                }
            }
        }
    }

    private interface Io {
        void run() throws IOException;
    }

    private static void onlyRead(HttpExchange ex, boolean read, Io body) throws IOException {
        if (!read) {
            ex.getResponseHeaders().set("Allow", "GET, HEAD");
            Exchanges.error(ex, 405, ex.getRequestMethod() + " is not allowed here");
        } else {
            body.run();
        }
    }

    Map<String, Object> status() {
        Map<String, Object> m = new LinkedHashMap<>();
        Map<String, Object> health = service.healthDocument();
        m.put("version", NetscanService.version());
        Instant started = service.startedAt();
        m.put("uptime_s", started == null ? 0 : Duration.between(started, Instant.now()).toSeconds());
        m.put("status", health.get("status"));
        m.put("ready", health.get("ready"));
        m.put("active_scans", scans.active());
        service.sweepProgress().ifPresent(p -> {
            Map<String, Object> sp = new LinkedHashMap<>();
            sp.put("total", p.total());
            sp.put("submitted", p.submitted());
            sp.put("completed", p.completed());
            sp.put("alive", p.alive());
            sp.put("eta_s", p.etaNanos() / 1e9);
            m.put("sweep", sp);
        });
        service.lastSweep().ifPresent(s -> m.put("last_sweep", Map.of("targets", s.targets(), "alive", s.alive())));
        Map<String, Object> fields = new LinkedHashMap<>(health);
        fields.remove("alerts");
        m.put("health", fields);
        return m;
    }

    List<Map<String, Object>> alerts() {
        List<Map<String, Object>> history = new ArrayList<>();
        for (Alert a : service.alerts()) {
            Map<String, Object> am = new LinkedHashMap<>();
            am.put("time", a.time().toString());
            am.put("tier", a.tier().name());
            am.put("cause", a.cause());
            am.put("value", Double.isFinite(a.value()) ? a.value() : null);
            am.put("message", a.message());
            history.add(am);
        }
        return history;
    }

    private void device(HttpExchange ex, String ip) throws IOException {
        int ipv4;
        try {
            ipv4 = ip.indexOf(':') >= 0 ? AddressBook.shared().idOf(Ipv6.parse(ip)) : Ipv4.parse(ip);
        } catch (RuntimeException e) {
            Exchanges.error(ex, 400, "not an IPv4 or IPv6 address: " + e.getMessage());
            return;
        }
        Map<String, Object> d = ipv4 == AddressBook.NONE ? null : DeviceTable.detail(service, surface.history(), ipv4);
        if (d == null) {
            Exchanges.error(ex, 404, "no device " + ip);
        } else {
            Exchanges.json(ex, 200, d);
        }
    }

    private void postScan(HttpExchange ex) throws IOException {
        String type = ex.getRequestHeaders().getFirst("Content-Type");
        if (type != null && !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
            Exchanges.error(ex, 415, "send application/json");
            return;
        }
        byte[] body = Exchanges.body(ex, settings.maxBodyBytes());
        Map<String, Object> req;
        try {
            req = JSON.std.mapFrom(body);
        } catch (JSONObjectException e) {
            Exchanges.error(ex, 400, "the body is not a JSON object: " + firstLine(e.getOriginalMessage()));
            return;
        } catch (IOException e) {
            Exchanges.error(ex, 400, "malformed JSON: " + firstLine(e.getMessage()));
            return;
        }
        if (req == null) {
            Exchanges.error(ex, 400, "the body must be a JSON object");
            return;
        }
        for (String k : req.keySet()) {
            if (!SCAN_FIELDS.contains(k)) {
                Exchanges.error(ex, 400, "unknown field \"" + clip(k) + "\"; known: " + SCAN_FIELDS);
                return;
            }
        }
        List<String> targets = new ArrayList<>();
        if (!(req.get("targets") instanceof List<?> list)) {
            Exchanges.error(ex, 400, "targets: a list of CIDRs or addresses is required");
            return;
        }
        for (Object o : list) {
            if (!(o instanceof String s)) {
                Exchanges.error(ex, 400, "targets: every entry must be a string");
                return;
            }
            targets.add(s);
        }
        int rate;
        Duration bound = null;
        try {
            rate = intField(req, "rate_pps", 0);
            int seconds = intField(req, "max_duration_s", -1);
            if (seconds != -1) {
                bound = Duration.ofSeconds(seconds);
            }
        } catch (IllegalArgumentException e) {
            Exchanges.error(ex, 400, e.getMessage());
            return;
        }
        String client = ex.getRemoteAddress().getAddress().getHostAddress();
        Object r = scans.submit(client, targets, rate, bound);
        if (r instanceof RemoteScans.Refusal no) {
            if (no.retryAfterSeconds() > 0) {
                ex.getResponseHeaders().set("Retry-After", Long.toString(no.retryAfterSeconds()));
            }
            Exchanges.error(ex, no.status(), no.reason());
            return;
        }
        RemoteScans.Scan s = (RemoteScans.Scan) r;
        ex.getResponseHeaders().set("Location", PREFIX + "scans/" + s.id);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", s.id);
        m.put("addresses", s.addresses);
        m.put("rate_pps", s.ratePps);
        m.put("status_url", PREFIX + "scans/" + s.id);
        Exchanges.json(ex, 202, m);
    }

    private static int intField(Map<String, Object> req, String key, int absent) {
        Object v = req.get(key);
        if (v == null) {
            return absent;
        }
        if (v instanceof Integer i) {
            return i;
        }
        throw new IllegalArgumentException(key + ": must be a whole number");
    }

    private void scan(HttpExchange ex, String id, String method) throws IOException {
        if (!id.matches("[0-9a-f]{16}")) {
            Exchanges.error(ex, 404, "no scan " + clip(id));
            return;
        }
        switch (method) {
            case "GET", "HEAD" -> {
                var s = scans.get(id);
                if (s.isEmpty()) {
                    Exchanges.error(ex, 404, "no scan " + id + " (results are kept " + settings.resultTtl().toMinutes() + " minutes)");
                } else {
                    Exchanges.json(ex, 200, s.get().document());
                }
            }
            case "DELETE" -> {
                if (scans.cancel(id)) {
                    Exchanges.json(ex, 200, scans.get(id).map(RemoteScans.Scan::document).orElse(Map.of("id", id)));
                } else {
                    Exchanges.error(ex, 404, "no scan " + id);
                }
            }
            default -> {
                ex.getResponseHeaders().set("Allow", "GET, HEAD, DELETE");
                Exchanges.error(ex, 405, method + " is not allowed here");
            }
        }
    }

    private static void openApi(HttpExchange ex) throws IOException {
        try (InputStream in = ApiRoutes.class.getResourceAsStream("openapi.json")) {
            if (in == null) {
                Exchanges.error(ex, 500, "openapi.json is missing from the jar");
                return;
            }
            Exchanges.send(ex, 200, "application/json", in.readAllBytes());
        }
    }

    static Map<String, String> query(String raw) {
        Map<String, String> m = new HashMap<>();
        if (raw == null || raw.isEmpty()) {
            return m;
        }
        for (String part : raw.split("&", 32)) {
            int eq = part.indexOf('=');
            String k = eq < 0 ? part : part.substring(0, eq);
            String v = eq < 0 ? "" : part.substring(eq + 1);
            try {
                m.put(URLDecoder.decode(k, StandardCharsets.UTF_8), URLDecoder.decode(v, StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                // a malformed escape: the parameter is ignored
            }
        }
        return m;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return clip(nl < 0 ? s : s.substring(0, nl));
    }

    /** Untrusted text echoed back: bounded, control characters replaced. */
    static String clip(String s) {
        String t = s.length() > 80 ? s.substring(0, 80) + "..." : s;
        return t.replaceAll("\\p{Cntrl}", "?");
    }
}
