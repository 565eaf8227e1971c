package dev.netscan.service;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

/**
 * The status page's files, served from the jar (no CDN: it works offline on a Pi). Only the
 * paths listed here exist; any other path, however spelled ({@code ..}, encoded dots, absolute
 * paths), is 404, so nothing else on the classpath or the disk can be reached.
 */
final class StaticAssets implements HttpHandler {
    private static final String UPLOT = "/META-INF/resources/webjars/uplot/1.6.30/dist/";
    /** URL path -> classpath resource and content type. */
    private static final Map<String, String[]> FILES = Map.of(
            "/", new String[] {"/dev/netscan/service/static/index.html", "text/html; charset=utf-8"},
            "/index.html", new String[] {"/dev/netscan/service/static/index.html", "text/html; charset=utf-8"},
            "/app.js", new String[] {"/dev/netscan/service/static/app.js", "text/javascript; charset=utf-8"},
            "/app.css", new String[] {"/dev/netscan/service/static/app.css", "text/css; charset=utf-8"},
            "/vendor/uPlot.iife.min.js", new String[] {UPLOT + "uPlot.iife.min.js", "text/javascript; charset=utf-8"},
            "/vendor/uPlot.min.css", new String[] {UPLOT + "uPlot.min.css", "text/css; charset=utf-8"});

    private final BearerAuth auth;

    StaticAssets(BearerAuth auth) {
        this.auth = auth;
    }

    @Override
    public void handle(HttpExchange ex) throws IOException {
        if (!Exchanges.isRead(ex)) {
            ex.getResponseHeaders().set("Allow", "GET, HEAD");
            Exchanges.text(ex, 405, "text/plain", "method not allowed\n");
            return;
        }
        if (!auth.permits(ex, false)) {
            HealthServer.unauthorized(ex);
            return;
        }
        String[] file = FILES.get(ex.getRequestURI().getRawPath());
        if (file == null) {
            Exchanges.text(ex, 404, "text/plain", "not found\n");
            return;
        }
        try (InputStream in = StaticAssets.class.getResourceAsStream(file[0])) {
            if (in == null) {
                Exchanges.text(ex, 500, "text/plain", "missing from the jar: " + file[0] + "\n");
                return;
            }
            ex.getResponseHeaders().set("Content-Security-Policy",
                    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'");
            Exchanges.send(ex, 200, file[1], in.readAllBytes());
        }
    }
}
