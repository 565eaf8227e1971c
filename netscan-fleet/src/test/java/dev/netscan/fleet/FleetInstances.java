package dev.netscan.fleet;

import static org.assertj.core.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The fleet tests' instances: {@link FleetInstanceMain} processes (so one can be killed with
 * SIGKILL), what each printed, and bounded waits that fail when an instance died unexpectedly.
 */
final class FleetInstances implements AutoCloseable {
    private final Path dir;
    private final List<Instance> instances = new ArrayList<>();

    FleetInstances(Path dir) {
        this.dir = dir;
    }

    /** One instance process and what it printed. */
    static final class Instance {
        final String name;
        final Process process;
        final long startedAtMillis;
        /** Every reply this instance received: ip -> ping times (epoch millis). Guarded by this. */
        final Map<Integer, List<Long>> pings = new HashMap<>();
        /** What its last changelog restore read: ip -> {lastSeen, suspendedUntil}. Guarded by this. */
        final Map<Integer, long[]> restored = new HashMap<>();
        volatile Set<Integer> owned = Set.of();
        volatile long firstOwnedAtMillis;
        volatile int restores;

        Instance(String name, Process process) {
            this.name = name;
            this.process = process;
            this.startedAtMillis = System.currentTimeMillis();
        }

        void read() {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                Map<Integer, long[]> restoring = new HashMap<>();
                while ((line = r.readLine()) != null) {
                    String[] f = line.split(" ");
                    if (f[0].equals("ping") && f.length == 3) {
                        synchronized (this) {
                            pings.computeIfAbsent(Integer.parseInt(f[1]), k -> new ArrayList<>()).add(Long.parseLong(f[2]));
                        }
                    } else if (f[0].equals("device") && f.length == 4) {
                        restoring.put(Integer.parseInt(f[1]), new long[] {Long.parseLong(f[2]), Long.parseLong(f[3])});
                    } else if (f[0].equals("owned") && f.length == 2) {
                        Set<Integer> s = new HashSet<>();
                        String body = f[1].substring(1, f[1].length() - 1);
                        if (!body.isEmpty()) {
                            Arrays.stream(body.split(",")).map(Integer::valueOf).forEach(s::add);
                        }
                        if (!s.isEmpty() && firstOwnedAtMillis == 0) {
                            firstOwnedAtMillis = System.currentTimeMillis();
                        }
                        owned = Set.copyOf(s);
                        log("owned " + new TreeSet<>(s));
                    } else {
                        if (f[0].equals("restored")) {
                            synchronized (this) {
                                restored.clear();
                                restored.putAll(restoring);
                            }
                            restoring.clear();
                            restores++;
                        }
                        log(line);
                    }
                }
            } catch (IOException e) {
                // the process died
            }
        }

        private void log(String what) {
            System.out.println("[" + name + " +" + (System.currentTimeMillis() - startedAtMillis) + " ms] " + what);
        }

        synchronized boolean pingedAfter(int ip, long t) {
            List<Long> l = pings.get(ip);
            return l != null && !l.isEmpty() && l.getLast() > t;
        }

        synchronized boolean everPinged(int ip) {
            return pings.containsKey(ip);
        }

        synchronized long firstPingAfter(int ip, long t) {
            for (long x : pings.getOrDefault(ip, List.of())) {
                if (x > t) {
                    return x;
                }
            }
            return Long.MAX_VALUE;
        }

        synchronized long lastPingBefore(int ip, long t) {
            long best = Long.MIN_VALUE;
            for (long x : pings.getOrDefault(ip, List.of())) {
                if (x <= t) {
                    best = Math.max(best, x);
                }
            }
            return best;
        }

        synchronized Map<Integer, long[]> restored() {
            return Map.copyOf(restored);
        }
    }

    /** Starts an instance; {@code network} "-" for none; {@code opts} as {@link FleetInstanceMain} takes them. */
    Instance launch(String name, String bootstrap, String group, int partitions, String network, String... opts)
            throws IOException {
        Path data = Files.createDirectories(dir.resolve(name));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-Xmx160m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), FleetInstanceMain.class.getName(),
                bootstrap, group, Integer.toString(partitions), network, data.toString(), name));
        cmd.addAll(List.of(opts));
        Process p = new ProcessBuilder(cmd).redirectError(data.resolve("stderr.txt").toFile()).start();
        Instance i = new Instance(name, p);
        instances.add(i);
        Thread.ofVirtual().name("fleet-test-" + name).start(i::read);
        return i;
    }

    /** Waits for {@code condition}, failing after {@code boundMillis} or when an instance died unexpectedly. */
    void await(long boundMillis, String what, BooleanSupplier condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(boundMillis);
        while (!condition.getAsBoolean()) {
            for (Instance i : instances) {
                if (!i.process.isAlive() && i.process.exitValue() != 137 && i.process.exitValue() != 0) {
                    fail("instance " + i.name + " exited with " + i.process.exitValue() + ": "
                            + Files.readString(dir.resolve(i.name).resolve("stderr.txt")));
                }
            }
            if (System.nanoTime() - deadline > 0) {
                StringBuilder sb = new StringBuilder();
                for (Instance i : instances) {
                    sb.append("\n  ").append(i.name).append(i.process.isAlive() ? " alive" : " dead")
                            .append(" owns ").append(i.owned).append(" pinged ").append(i.pings.size()).append(" devices");
                }
                fail("not within " + boundMillis + " ms: " + what + sb);
            }
            Thread.sleep(50); // polling the condition, bounded by the deadline above
        }
    }

    /** Kills every instance and prints their warnings and errors. */
    @Override
    public void close() throws Exception {
        for (Instance i : instances) {
            i.process.destroyForcibly();
            i.process.waitFor(10, TimeUnit.SECONDS);
            Files.readAllLines(dir.resolve(i.name).resolve("stderr.txt")).stream()
                    .filter(l -> l.contains("WARN") || l.contains("ERROR") || l.contains("Exception")
                            || l.contains("restored"))
                    .limit(20).forEach(l -> System.out.println("[" + i.name + " stderr] " + l));
        }
    }
}
