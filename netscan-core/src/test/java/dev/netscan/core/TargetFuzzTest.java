package dev.netscan.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes the target parsers ({@link Ipv4#parse}, {@link Cidr#parse}, {@link TargetSet.Builder})
 * with random and mutated strings from a fixed seed. A crash is any exception other than
 * {@link InvalidTargetException}, or one whose message does not name the input and a reason, or
 * carries raw control characters or unbounded text. An escape is an accepted input that is not
 * in canonical form (the parsers are strict, so {@code format(parse(x))} must give {@code x}
 * back) or a target set whose membership disagrees with its ranges.
 *
 * <p>The suite runs 10,000 cases; {@code netscan-bench/scripts/fuzz.sh} runs 1,000,000 through
 * {@code -Dnetscan.fuzz.cases}.
 */
class TargetFuzzTest {
    private static final long CASES = Long.getLong("netscan.fuzz.cases", 10_000);
    private static final long SEED = Long.getLong("netscan.fuzz.seed", 0x7A56E7L);
    /** Characters that matter to the grammar, and lookalikes that must be refused. */
    private static final String ALPHABET = "0123456789./ /-+x:e\t\n\r\u0000\u001b\u007f\u00a0\u0663\uff11\u2024\ud800#%,";

    private long crashes;
    private long escapes;
    private final List<String> examples = new ArrayList<>();

    @Test
    void targetParsersThrowOnlyTheirDocumentedExceptionAndRoundTripWhatTheyAccept() {
        SplittableRandom rnd = new SplittableRandom(SEED);
        long accepted = 0;
        long start = System.nanoTime();
        for (long i = 0; i < CASES; i++) {
            String text = candidate(rnd);
            switch ((int) (i % 3)) {
                case 0 -> accepted += checkCidr(text) ? 1 : 0;
                case 1 -> accepted += checkIpv4(text) ? 1 : 0;
                default -> accepted += checkTargetSet(rnd) ? 1 : 0;
            }
        }
        report("target/CIDR parser", start, accepted);
        assertThat(accepted).as("some cases must be valid, or the round trip is never tested").isGreaterThan(CASES / 20);
    }

    private void report(String target, long startNanos, long accepted) {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        System.out.printf("FUZZ %s: seed %d, cases %d (accepted %d), crashes %d, escapes %d, %.0f cases/s%n",
                target, SEED, CASES, accepted, crashes, escapes, CASES / seconds);
        assertThat(examples).as("crashes %d, escapes %d", crashes, escapes).isEmpty();
    }

    private boolean checkCidr(String text) {
        Cidr c;
        try {
            c = Cidr.parse(text);
        } catch (InvalidTargetException e) {
            checkMessage(text, e);
            return false;
        } catch (RuntimeException | StackOverflowError e) {
            crash(text, e);
            return false;
        }
        String canonical = c.toString();
        if (!(canonical.equals(text) || canonical.equals(text + "/32")) || !Cidr.parse(canonical).equals(c)) {
            escape(text, "accepted as " + canonical);
        }
        return true;
    }

    private boolean checkIpv4(String text) {
        int a;
        try {
            a = Ipv4.parse(text);
        } catch (InvalidTargetException e) {
            checkMessage(text, e);
            return false;
        } catch (RuntimeException | StackOverflowError e) {
            crash(text, e);
            return false;
        }
        if (!Ipv4.format(a).equals(text) || Ipv4.parse(Ipv4.format(a)) != a) {
            escape(text, "accepted as " + Ipv4.format(a));
        }
        return true;
    }

    /** A few includes and excludes; membership checked against the ranges directly. */
    private boolean checkTargetSet(SplittableRandom rnd) {
        TargetSet.Builder b = TargetSet.builder();
        List<Cidr> in = new ArrayList<>();
        List<Cidr> out = new ArrayList<>();
        int n = 1 + rnd.nextInt(4);
        String last = "";
        try {
            for (int i = 0; i < n; i++) {
                last = rnd.nextInt(4) == 0 ? candidate(rnd) : narrowRange(rnd);
                if (rnd.nextBoolean()) {
                    b.include(last);
                    in.add(Cidr.parse(last));
                } else {
                    b.exclude(last);
                    out.add(Cidr.parse(last));
                }
            }
        } catch (InvalidTargetException e) {
            checkMessage(last, e);
            return false;
        } catch (RuntimeException e) {
            crash(last, e);
            return false;
        }
        TargetSet set;
        try {
            set = b.build();
        } catch (RuntimeException e) {
            crash("build of " + in + " minus " + out, e);
            return false;
        }
        for (int k = 0; k < 8; k++) {
            int probe = k < 4 && !in.isEmpty() ? in.get(rnd.nextInt(in.size())).network() + rnd.nextInt(300) - 2 : 0x0A000000 | rnd.nextInt(1 << 16);
            boolean expected = in.stream().anyMatch(c -> c.contains(probe) && Integer.compareUnsigned(probe, c.firstHost()) >= 0
                    && Integer.compareUnsigned(probe, c.lastHost()) <= 0) && out.stream().noneMatch(c -> c.contains(probe));
            if (set.contains(probe) != expected) {
                escape(in + " minus " + out, Ipv4.format(probe) + " contained " + set.contains(probe));
            }
        }
        if (set.size() > 0) {
            long index = rnd.nextLong(set.size());
            if (!set.contains(set.addressAt(index))) {
                escape(in + " minus " + out, "addressAt(" + index + ") is not a member");
            }
        }
        return true;
    }

    /** "What and where": the input and a reason, no raw control characters, bounded. */
    private void checkMessage(String text, InvalidTargetException e) {
        String m = e.getMessage();
        boolean names = e.input() == null ? text == null : e.input().equals(text);
        if (!names || e.reason() == null || e.reason().isBlank() || !m.startsWith("invalid target \"")
                || m.length() > 400 || m.chars().anyMatch(c -> c < 0x20 || (c >= 0x7F && c <= 0x9F))) {
            crash(text, e);
        }
    }

    private void crash(String input, Throwable e) {
        crashes++;
        example("crash on " + quote(input) + ": " + e.getClass().getName() + ": " + quote(String.valueOf(e.getMessage())));
    }

    private void escape(String input, String what) {
        escapes++;
        example("escape on " + quote(input) + ": " + what);
    }

    private void example(String s) {
        if (examples.size() < 10) {
            examples.add(s);
        }
    }

    private static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        s.chars().limit(120).forEach(c -> b.append(c < 0x20 || c > 0x7E ? String.format("\\u%04x", c) : String.valueOf((char) c)));
        return b.append(s.length() > 120 ? "...\"" : "\"").toString();
    }

    // ---- generators

    private static String candidate(SplittableRandom rnd) {
        return switch (rnd.nextInt(10)) {
            case 0 -> randomString(rnd);
            case 1, 2 -> validAddress(rnd);
            case 3, 4 -> validRange(rnd);
            default -> mutate(rnd, rnd.nextBoolean() ? validRange(rnd) : validAddress(rnd));
        };
    }

    private static String validAddress(SplittableRandom rnd) {
        return Ipv4.format(rnd.nextInt(8) == 0 ? (rnd.nextBoolean() ? 0 : -1) : rnd.nextInt());
    }

    private static String validRange(SplittableRandom rnd) {
        int prefix = rnd.nextInt(33);
        return Ipv4.format(rnd.nextInt() & Cidr.mask(prefix)) + "/" + prefix;
    }

    /** A range of at most a few hundred addresses in 10.0/16, so ranges overlap often. */
    private static String narrowRange(SplittableRandom rnd) {
        int prefix = 23 + rnd.nextInt(10);
        return Ipv4.format((0x0A000000 | rnd.nextInt(1 << 16)) & Cidr.mask(prefix)) + "/" + prefix;
    }

    private static String randomString(SplittableRandom rnd) {
        int len = rnd.nextInt(40) == 0 ? 1_000 + rnd.nextInt(50_000) : rnd.nextInt(24);
        StringBuilder b = new StringBuilder(len);
        for (int i = 0; i < len; i++) {
            b.append(rnd.nextInt(4) == 0 ? (char) rnd.nextInt(0x10000) : ALPHABET.charAt(rnd.nextInt(ALPHABET.length())));
        }
        return b.toString();
    }

    private static String mutate(SplittableRandom rnd, String s) {
        StringBuilder b = new StringBuilder(s);
        int edits = 1 + rnd.nextInt(3);
        for (int e = 0; e < edits; e++) {
            int at = b.isEmpty() ? 0 : rnd.nextInt(b.length() + 1);
            char c = ALPHABET.charAt(rnd.nextInt(ALPHABET.length()));
            switch (rnd.nextInt(7)) {
                case 0 -> b.insert(at, c);
                case 1 -> {
                    if (at < b.length()) {
                        b.deleteCharAt(at);
                    }
                }
                case 2 -> {
                    if (at < b.length()) {
                        b.setCharAt(at, c);
                    }
                }
                case 3 -> b.insert(at, "0");
                case 4 -> b.insert(at, "9".repeat(1 + rnd.nextInt(25)));
                case 5 -> b.append(rnd.nextBoolean() ? "/" : ".").append(rnd.nextInt(-5, 300));
                default -> b.insert(at, b.substring(0, at));
            }
        }
        return b.toString();
    }
}
