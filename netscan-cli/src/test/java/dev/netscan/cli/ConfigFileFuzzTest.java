package dev.netscan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netscan.core.InvalidConfigException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * Fuzzes {@link ConfigFile} with YAML documents built from its real keys (and the values of
 * {@code netscan.example.yml}), then broken: wrong types, huge numbers, nested junk, unknown and
 * duplicate keys, tags, anchors and alias bombs, byte-level mutations, non-UTF-8 files. From a
 * fixed seed.
 *
 * <p>A crash is a throwable that {@link #DOCUMENTED} does not accept, a documented one without a
 * problem naming its key or the file ({@code key: what}), or a case slower than
 * {@link #SLOW_NANOS} (a hang in the making). An escape is a document accepted although it holds
 * something the loader must refuse: a
 * mapping or list where a single value belongs, or an unknown key.
 *
 * <p>The suite runs 10,000 cases; {@code netscan-bench/scripts/fuzz.sh} runs 1,000,000 through
 * {@code -Dnetscan.fuzz.cases}.
 */
class ConfigFileFuzzTest {
    /** The one exception a bad configuration may throw; the one place to change if that changes. */
    private static final Predicate<Throwable> DOCUMENTED = e -> e instanceof InvalidConfigException;

    private static final long CASES = Long.getLong("netscan.fuzz.cases", 10_000);
    private static final long SEED = Long.getLong("netscan.fuzz.seed", 0xC0F16L);
    /** A hang detector, generous because the build machine is shared (one case takes well under 1 ms alone). */
    private static final long SLOW_NANOS = 10_000_000_000L;
    private static final String SOURCE = "fuzz.yml";
    private static final Map<String, String> ENV = Map.of("SNMP_COMMUNITY", "lab-c0mmunity", "VAR", "v\nx: 1");
    private static final List<String> KEYS = List.copyOf(ConfigFile.knownKeys());
    private static final List<String> LIST_KEYS = List.of("networks", "exclude", "discovery.interfaces");

    /** Values that are not valid anywhere or only in some places: types, ranges, syntax. */
    private static final String[] HOSTILE = {
        "0", "-1", "2147483648", "-2147483649", "9223372036854775808", "99999999999999999999999999999",
        "1e308", "-1e400", ".nan", ".inf", "-.inf", "0x7fffffff", "0o777", "1_000_000", "12abc", "1.5",
        "0s", "-5s", "1e400s", "99999999999999999999h", "2562047h2562047h2562047h2562047h", "1.2.3s", "5",
        "1h30", "µs", "9999999999999TiB", "99999999999999999999GiB", "5 MB", "1KiB", "-1GiB",
        "true", "yes", "off", "maybe", "null", "~", "''", "\"\"", "\" \"",
        "\"${VAR}\"", "\"${UNSET_VARIABLE}\"", "\"${X:-default}\"", "\"${\"", "\"$${VAR}}\"",
        "\"a\\0b\"", "\"\\e[31mred\\e[0m\"", "\"line\\nbreak\"", "\"\\u2028\\uFEFF\\uD800\"", "\"x\\x85y\"",
        "[]", "{}", "[1, [2, [3]]]", "{a: 1, b: {c: [d]}}", "[\"192.168.1.0/24\", {x: y}]",
        "!!binary AAECAwQ=", "!!set {a, b}", "!!timestamp 2001-12-14t21:59:43.10-05:00", "!!float \"1\"",
        "!!int \"x\"", "!!str 12", "!!omap [a: 1, b: 2]", "!!pairs [a: 1, a: 2]", "!!java.lang.Object {}",
        "!custom 1", "&anchor 5", "*anchor", "*missing", "? complex key", "|\n  block\n  text",
        ">-\n  folded", "\"10.0.0.0/8\"", "\"0.0.0.0/0\"", "\"300.1.1.1\"", "\"10.0.0.1/24\"", "\"http://\"",
        "\"http://[::1\"", "\"ftp://x\"", "\"/dev/null\\0\"", "\"::1\"", "high-performance", "HIGH",
    };

    private static final String YAML_SYNTAX = "\n:-[]{}&*!|>'\"#%@`\t ,?";
    private static Map<String, Object> exampleValues;

    @TempDir
    Path tmp;

    private long slowest;
    private String slowestInput;
    private long crashes;
    private long escapes;
    private final List<String> examples = new ArrayList<>();

    @Test
    void configurationLoaderThrowsOnlyTheDocumentedExceptionAndAcceptsNothingItMustRefuse() throws Exception {
        exampleValues = flatten("", new Yaml().load(Files.readString(Path.of("..", "netscan.example.yml"))));
        SplittableRandom rnd = new SplittableRandom(SEED);
        long accepted = 0;
        long start = System.nanoTime();
        for (long i = 0; i < CASES; i++) {
            Doc doc = document(rnd);
            byte[] bytes = null;
            if (rnd.nextInt(8) == 0) {
                bytes = mutate(rnd, doc.text.getBytes(StandardCharsets.UTF_8));
                doc = new Doc(new String(bytes, StandardCharsets.UTF_8), false);
            }
            accepted += check(doc, rnd.nextInt(50) == 0 ? bytes : null) ? 1 : 0;
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("FUZZ YAML configuration loader: seed %d, cases %d (accepted %d), crashes %d, escapes %d, %.0f cases/s%n",
                SEED, CASES, accepted, crashes, escapes, CASES / seconds);
        System.out.printf("  slowest case %.1f ms: %s%n", slowest / 1e6, slowestInput);
        assertThat(examples).as("crashes %d, escapes %d", crashes, escapes).isEmpty();
        assertThat(accepted).as("some documents must be valid").isGreaterThan(CASES / 50);
    }

    /** Loads one document (from a file when {@code fileBytes} is given, to reach the decoder). */
    private boolean check(Doc doc, byte[] fileBytes) throws Exception {
        long t0 = System.nanoTime();
        Throwable thrown = null;
        try {
            if (fileBytes != null) {
                Path f = tmp.resolve(SOURCE);
                Files.write(f, fileBytes);
                ConfigFile.load(f, ENV);
            } else {
                ConfigFile.parse(doc.text, SOURCE, ENV);
            }
        } catch (Throwable e) {
            thrown = e;
        }
        long took = System.nanoTime() - t0;
        if (took > slowest) {
            slowest = took;
            slowestInput = doc.text.length() > 120 ? doc.text.substring(0, 120) + "... (" + doc.text.length() + " chars)" : doc.text;
        }
        if (took > SLOW_NANOS) {
            fail(true, doc.text, "took " + took / 1_000_000 + " ms");
        }
        if (thrown == null) {
            if (doc.mustFail) {
                fail(false, doc.text, "accepted");
            }
            return true;
        }
        if (!DOCUMENTED.test(thrown)) {
            fail(true, doc.text, thrown.toString());
        } else if (thrown instanceof InvalidConfigException ice
                && (ice.problems().isEmpty() || ice.problems().stream().anyMatch(p -> p.key().isBlank() || p.message().isBlank()))) {
            fail(true, doc.text, "problem without a key: " + ice.problems());
        }
        return false;
    }

    private void fail(boolean crash, String input, String what) {
        if (crash) {
            crashes++;
        } else {
            escapes++;
        }
        if (examples.size() < 10) {
            String in = input.length() > 300 ? input.substring(0, 300) + "..." : input;
            examples.add((crash ? "crash: " : "escape: ") + what + " on\n" + in);
        }
    }

    // ---- generators

    /** A document and whether the loader must refuse it. */
    record Doc(String text, boolean mustFail) {}

    static Doc document(SplittableRandom rnd) {
        switch (rnd.nextInt(40)) {
            case 0 -> {
                return new Doc(billionLaughs(rnd), false);
            }
            case 1 -> {
                int depth = 10 + rnd.nextInt(5_000);
                return new Doc("networks: " + "[".repeat(depth) + "]".repeat(depth), true);
            }
            case 2 -> {
                return new Doc(rnd.nextBoolean() ? "- a\n- b\n" : "just a string", true);
            }
            case 3 -> {
                return new Doc("x".repeat(1 + rnd.nextInt(rnd.nextInt(10) == 0 ? 100_000 : 1_000)) + "ab: 1", true);
            }
            default -> {
                // fall through to a document of real keys
            }
        }
        Map<String, Map<String, String>> sections = new LinkedHashMap<>();
        Map<String, Boolean> wrong = new LinkedHashMap<>(); // per key: the last value written must be refused
        boolean mustFail = false;
        int n = 1 + rnd.nextInt(12);
        StringBuilder anchors = new StringBuilder();
        for (int i = 0; i < n; i++) {
            String key = KEYS.get(rnd.nextInt(KEYS.size()));
            String value;
            boolean bad = false;
            int kind = rnd.nextInt(10);
            if (kind < 6 && exampleValues.containsKey(key)) {
                value = yamlScalar(exampleValues.get(key));
            } else if (kind == 6 && !LIST_KEYS.contains(key)) {
                value = rnd.nextBoolean() ? "[1s]" : "{" + key.replace('.', '_') + ": 1}";
                bad = true;
            } else if (kind == 7) {
                key = typo(rnd, key);
                value = "1";
                bad = !KEYS.contains(key);
            } else {
                value = HOSTILE[rnd.nextInt(HOSTILE.length)];
                if (value.startsWith("&")) {
                    anchors.append("x-anchor-holder: ").append(value).append('\n');
                    mustFail = true; // the holder is an unknown key
                    value = "*anchor";
                }
            }
            int dot = key.indexOf('.');
            String section = dot < 0 ? "" : key.substring(0, dot);
            sections.computeIfAbsent(section, s -> new LinkedHashMap<>()).put(key.substring(dot + 1), value);
            wrong.put(key, bad);
        }
        mustFail |= wrong.containsValue(true);
        StringBuilder b = new StringBuilder(anchors);
        for (Map.Entry<String, Map<String, String>> s : sections.entrySet()) {
            String indent = s.getKey().isEmpty() ? "" : "  ";
            if (!s.getKey().isEmpty()) {
                b.append(s.getKey()).append(":\n");
            }
            for (Map.Entry<String, String> e : s.getValue().entrySet()) {
                b.append(indent).append(e.getKey()).append(": ").append(e.getValue().replace("\n", "\n" + indent + "  ")).append('\n');
            }
        }
        if (rnd.nextInt(30) == 0 && !sections.isEmpty()) {
            b.append(b); // every key twice: duplicates are refused
            mustFail = true;
        }
        // an alias defined after use, a forward reference, is an error; so are anchors in wrong places
        if (!anchors.isEmpty() && b.indexOf("*anchor") < b.indexOf("&anchor")) {
            mustFail = true;
        }
        return new Doc(b.toString(), mustFail);
    }

    /** Nested aliases: each level references the previous one ten times. */
    private static String billionLaughs(SplittableRandom rnd) {
        int levels = 3 + rnd.nextInt(8);
        StringBuilder b = new StringBuilder("l0: &l0 [\"lol\"]\n");
        for (int i = 1; i < levels; i++) {
            b.append('l').append(i).append(": &l").append(i).append(" [");
            for (int j = 0; j < 10; j++) {
                b.append(j == 0 ? "" : ", ").append("*l").append(i - 1);
            }
            b.append("]\n");
        }
        b.append("networks: *l").append(levels - 1).append('\n');
        return b.toString();
    }

    private static String typo(SplittableRandom rnd, String key) {
        StringBuilder b = new StringBuilder(key);
        int at = rnd.nextInt(b.length());
        switch (rnd.nextInt(4)) {
            case 0 -> b.deleteCharAt(at);
            case 1 -> b.insert(at, (char) ('a' + rnd.nextInt(26)));
            case 2 -> b.setCharAt(at, Character.toUpperCase(b.charAt(at)));
            default -> b.append("_").append("x".repeat(rnd.nextInt(20) == 0 ? 10_000 : 3));
        }
        String s = b.toString();
        // a key of only dots or an empty section name is junk the loader must still refuse
        return s.startsWith(".") || s.endsWith(".") ? "z" + s + "z" : s;
    }

    private static String yamlScalar(Object v) {
        if (v instanceof List<?> l) {
            StringBuilder b = new StringBuilder("[");
            for (Object o : l) {
                b.append(b.length() > 1 ? ", " : "").append(yamlScalar(o));
            }
            return b.append(']').toString();
        }
        return v instanceof String s ? "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"" : String.valueOf(v);
    }

    private static byte[] mutate(SplittableRandom rnd, byte[] in) {
        byte[] b = in.length == 0 ? new byte[] {' '} : in.clone();
        int edits = 1 + rnd.nextInt(6);
        for (int e = 0; e < edits; e++) {
            int at = rnd.nextInt(b.length);
            switch (rnd.nextInt(4)) {
                case 0 -> b[at] = (byte) rnd.nextInt(256); // stray bytes: not UTF-8 at all
                case 1 -> b[at] = (byte) YAML_SYNTAX.charAt(rnd.nextInt(YAML_SYNTAX.length()));
                case 2 -> b[at] ^= (byte) (1 << rnd.nextInt(8));
                default -> b[at] = (byte) (0xC0 + rnd.nextInt(0x40)); // a lead byte with no continuation
            }
        }
        return b;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> flatten(String prefix, Object node) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (node instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                String key = prefix + e.getKey();
                if (e.getValue() instanceof Map<?, ?> && !KEYS.contains(key)) {
                    out.putAll(flatten(key + ".", e.getValue()));
                } else {
                    out.put(key, e.getValue());
                }
            }
        }
        return out;
    }
}
