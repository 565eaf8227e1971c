package dev.netscan.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The settings of a systemd service unit that decide how its process starts: the command, the user, the
 * capabilities, the directory and the environment. Parses the subset of the unit syntax our unit uses and
 * refuses what it does not understand (ExecStart prefixes, specifiers, variables, continuation lines), so
 * that a test never starts something other than what systemd would.
 */
record SystemdUnit(Map<String, List<String>> service) {

    /** PATH that systemd gives a system service (systemd 252, merged /usr). */
    static final String SYSTEMD_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    static SystemdUnit parse(Path unit) throws IOException {
        Map<String, List<String>> service = new LinkedHashMap<>();
        String section = "";
        int n = 0;
        for (String raw : Files.readAllLines(unit)) {
            n++;
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            if (line.endsWith("\\")) {
                throw new IllegalArgumentException(unit + ":" + n + ": continuation lines are not supported here");
            }
            if (line.startsWith("[")) {
                section = line;
                continue;
            }
            int eq = line.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException(unit + ":" + n + ": not a key=value line: " + line);
            }
            if (section.equals("[Service]")) {
                service.computeIfAbsent(line.substring(0, eq).strip(), k -> new ArrayList<>())
                        .add(line.substring(eq + 1).strip());
            }
        }
        return new SystemdUnit(service);
    }

    /** The last value of {@code key} in [Service], or {@code ""}. */
    String get(String key) {
        List<String> v = service.getOrDefault(key, List.of());
        return v.isEmpty() ? "" : v.getLast();
    }

    /** ExecStart split into words as systemd splits it (double quotes group words). */
    List<String> execStart() {
        String exec = get("ExecStart");
        if (exec.isEmpty() || "-@:+!".indexOf(exec.charAt(0)) >= 0 || exec.contains("%") || exec.contains("$")) {
            throw new IllegalArgumentException("ExecStart=" + exec + ": empty, or uses prefixes, specifiers or"
                    + " variables, which this test does not reproduce");
        }
        return words(exec);
    }

    /**
     * The environment systemd gives the process: its own variables for a service with User=, then
     * Environment=, then the EnvironmentFile= files (read under {@code root}; a leading '-' makes a file
     * optional), which override Environment=.
     */
    Map<String, String> environment(Path root, String home) throws IOException {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", SYSTEMD_PATH);
        env.put("USER", get("User"));
        env.put("LOGNAME", get("User"));
        env.put("HOME", home);
        env.put("SHELL", "/usr/sbin/nologin");
        for (String assignments : service.getOrDefault("Environment", List.of())) {
            for (String a : words(assignments)) {
                put(env, a, "Environment=" + assignments);
            }
        }
        for (String file : service.getOrDefault("EnvironmentFile", List.of())) {
            boolean optional = file.startsWith("-");
            Path f = under(root, optional ? file.substring(1) : file);
            if (!Files.exists(f) && optional) {
                continue;
            }
            for (String line : Files.readAllLines(f)) {
                String l = line.strip();
                if (!l.isEmpty() && !l.startsWith("#") && !l.startsWith(";")) {
                    put(env, l, f.toString());
                }
            }
        }
        return env;
    }

    /** {@code path} (absolute, as the unit names it) under the installation root. */
    static Path under(Path root, String path) {
        return root.resolve(path.substring(1));
    }

    /** Capability names of a setting such as {@code CAP_NET_RAW CAP_NET_ADMIN}, as setpriv(1) writes them. */
    List<String> capabilities(String key) {
        List<String> caps = new ArrayList<>();
        for (String c : get(key).split("\\s+")) {
            if (!c.isEmpty()) {
                caps.add(c.toLowerCase(java.util.Locale.ROOT).replaceFirst("^cap_", ""));
            }
        }
        return caps;
    }

    private static void put(Map<String, String> env, String assignment, String where) {
        int eq = assignment.indexOf('=');
        if (eq <= 0) {
            throw new IllegalArgumentException(where + ": not a VAR=value assignment: " + assignment);
        }
        env.put(assignment.substring(0, eq), unquote(assignment.substring(eq + 1)));
    }

    private static String unquote(String s) {
        if (s.length() >= 2 && (s.startsWith("\"") && s.endsWith("\"") || s.startsWith("'") && s.endsWith("'"))) {
            return s.substring(1, s.length() - 1);
        }
        return s;
    }

    private static List<String> words(String s) {
        List<String> words = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        boolean quoted = false;
        boolean inWord = false;
        for (char c : s.toCharArray()) {
            if (c == '"') {
                quoted = !quoted;
                inWord = true;
            } else if (Character.isWhitespace(c) && !quoted) {
                if (inWord) {
                    words.add(w.toString());
                    w.setLength(0);
                    inWord = false;
                }
            } else {
                w.append(c);
                inWord = true;
            }
        }
        if (quoted) {
            throw new IllegalArgumentException("unbalanced quotes: " + s);
        }
        if (inWord) {
            words.add(w.toString());
        }
        return words;
    }
}
