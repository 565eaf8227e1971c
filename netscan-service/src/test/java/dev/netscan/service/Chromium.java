package dev.netscan.service;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;

/**
 * Headless Debian chromium driven over the DevTools protocol (java.net.http WebSocket): navigate,
 * evaluate JavaScript, take screenshots. One browser per instance, with a fresh profile; closed by
 * its PID. Loopback only.
 */
final class Chromium implements AutoCloseable {
    private final Process process;
    private final Path profile;
    private final WebSocket socket;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<Map<String, Object>>> pending = new ConcurrentHashMap<>();

    /** The browser's path; missing under CI=true fails, elsewhere skips with the reason. */
    static String binary() {
        for (String p : new String[] {"/usr/bin/chromium", "/usr/bin/chromium-browser"}) {
            if (new File(p).canExecute()) {
                return p;
            }
        }
        String why = "chromium is missing: install Debian's chromium package (scripts/test does as root)";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new AssertionError(why);
        }
        System.err.println("SKIPPED: " + why);
        Assumptions.abort(why);
        return null;
    }

    Chromium(int width, int height) throws Exception {
        profile = Files.createTempDirectory("netscan-chromium-");
        process = new ProcessBuilder(binary(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--disable-default-apps", "--user-data-dir=" + profile, "--remote-debugging-address=127.0.0.1",
                "--remote-debugging-port=0", "--window-size=" + width + "," + height, "about:blank")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.PIPE).start();
        String ws = null;
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        Pattern p = Pattern.compile("DevTools listening on (ws://127\\.0\\.0\\.1:(\\d+)/\\S+)");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        String line;
        StringBuilder seen = new StringBuilder();
        while (ws == null && System.nanoTime() < deadline && (line = out.readLine()) != null) {
            seen.append(line).append('\n');
            Matcher m = p.matcher(line);
            if (m.find()) {
                ws = m.group(2);
            }
        }
        if (ws == null) {
            close();
            throw new IOException("chromium did not announce its DevTools port:\n" + seen);
        }
        Thread.ofVirtual().start(() -> { // keep draining its output
            try {
                while (out.readLine() != null) { }
            } catch (IOException ignored) { }
        });
        HttpClient http = HttpClient.newHttpClient();
        String targets = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ws + "/json/list")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        String pageWs = null;
        for (Object t : JSON.std.listFrom(targets)) {
            Map<?, ?> m = (Map<?, ?>) t;
            if ("page".equals(m.get("type"))) {
                pageWs = (String) m.get("webSocketDebuggerUrl");
            }
        }
        socket = http.newWebSocketBuilder().buildAsync(URI.create(pageWs), new WebSocket.Listener() {
            private final StringBuilder buf = new StringBuilder();

            @Override
            public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                buf.append(data);
                if (last) {
                    try {
                        Map<String, Object> msg = JSON.std.mapFrom(buf.toString());
                        Object id = msg.get("id");
                        if (id instanceof Integer i && pending.containsKey(i)) {
                            pending.remove(i).complete(msg);
                        }
                    } catch (IOException ignored) {
                        // events we do not follow
                    }
                    buf.setLength(0);
                }
                w.request(1);
                return null;
            }
        }).get(10, TimeUnit.SECONDS);
    }

    /** Sends one DevTools command and waits for its answer. */
    @SuppressWarnings("unchecked")
    Map<String, Object> call(String method, Map<String, Object> params) throws Exception {
        int id = ids.incrementAndGet();
        CompletableFuture<Map<String, Object>> f = new CompletableFuture<>();
        pending.put(id, f);
        socket.sendText(JSON.std.asString(Map.of("id", id, "method", method, "params", params)), true).get(10, TimeUnit.SECONDS);
        Map<String, Object> r = f.get(30, TimeUnit.SECONDS);
        if (r.containsKey("error")) {
            throw new IOException(method + ": " + r.get("error"));
        }
        return (Map<String, Object>) r.get("result");
    }

    void navigate(String url) throws Exception {
        call("Page.navigate", Map.of("url", url));
    }

    /** The value of a JavaScript expression (awaited when it is a promise), or null. */
    @SuppressWarnings("unchecked")
    Object eval(String expression) throws Exception {
        Map<String, Object> r = call("Runtime.evaluate", Map.of("expression", expression, "returnByValue", true, "awaitPromise", true));
        Map<String, Object> result = (Map<String, Object>) r.get("result");
        return result == null ? null : result.get("value");
    }

    /** Waits until {@code expression} is truthy; false at the deadline. */
    boolean await(String expression, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Object v = eval(expression);
            if (v != null && !Boolean.FALSE.equals(v) && !Integer.valueOf(0).equals(v) && !"".equals(v)) {
                return true;
            }
            Thread.sleep(50);
        }
        return false;
    }

    /** Writes a PNG screenshot of the viewport. */
    void screenshot(Path png) throws Exception {
        Map<String, Object> r = call("Page.captureScreenshot", Map.of("format", "png"));
        Files.write(png, Base64.getDecoder().decode((String) r.get("data")));
    }

    @Override
    public void close() throws IOException {
        if (socket != null) {
            socket.abort();
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        // the browser's helper processes may still be writing the profile for a moment after it exits
        for (int attempt = 0; attempt < 20 && Files.exists(profile); attempt++) {
            try (var files = Files.walk(profile)) {
                for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(f);
                }
            } catch (IOException | java.io.UncheckedIOException e) {
                try {
                    Thread.sleep(100); // retry the cleanup, not synchronisation
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    static List<Object> list(Object o) {
        return o instanceof List<?> l ? List.copyOf(l) : List.of();
    }
}
