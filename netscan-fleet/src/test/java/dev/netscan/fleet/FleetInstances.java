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
 * The fleet tests' instances as processes (so one can be killed with SIGKILL): {@link
 * FleetInstanceMain} test mains launched here, or any other process (the packaged {@code netscan
 * monitor} of netscan-cli's tests) {@linkplain #adopt adopted} with a reader that feeds its
 * {@link Instance}; what each pinged and owned, and bounded waits that fail when an instance died
 * unexpectedly. Public for netscan-cli's fleet tests (test-jar).
 */
public final class FleetInstances implements AutoCloseable {
    private final Path dir;
    private final List<Instance> instances = new ArrayList<>();

    /** Instances whose data (and {@code <name>/stderr.txt}) live under {@code dir}. */
    public FleetInstances(Path dir) {
        this.dir = dir;
    }

    /**
     * One instance process and what it reported: the pings it got a reply to and the partitions it
     * owns, fed by {@link #recordPing} and {@link #recordOwned} (from whatever the process writes).
     */
    public static final class Instance {
        final String name;
        final Process process;
        final long startedAtMillis;
        /** Asks the process to stop gracefully (leave the group, not a session timeout). */
        private final Runnable gracefulStop;
        /** Every reply this instance received: ip -> ping times (epoch millis). Guarded by this. */
        final Map<Integer, List<Long>> pings = new HashMap<>();
        /** What its last changelog restore read: ip -> {lastSeen, suspendedUntil}. Guarded by this. */
        final Map<Integer, long[]> restored = new HashMap<>();
        volatile Set<Integer> owned = Set.of();
        volatile long firstOwnedAtMillis;
        volatile int restores;

        /** An instance of {@code process}; {@code gracefulStop} asks it to leave the group and exit. */
        public Instance(String name, Process process, Runnable gracefulStop) {
            this.name = name;
            this.process = process;
            this.gracefulStop = gracefulStop;
            this.startedAtMillis = System.currentTimeMillis();
        }

        /** The instance's name (its {@code instance} tag). */
        public String name() {
            return name;
        }

        /** Records a reply from {@code ipv4} received at {@code epochMillis}. */
        public synchronized void recordPing(int ipv4, long epochMillis) {
            pings.computeIfAbsent(ipv4, k -> new ArrayList<>()).add(epochMillis);
        }

        /** Records that the instance now owns exactly {@code partitions}. */
        public void recordOwned(Set<Integer> partitions) {
            if (!partitions.isEmpty() && firstOwnedAtMillis == 0) {
                firstOwnedAtMillis = System.currentTimeMillis();
            }
            owned = Set.copyOf(partitions);
            log("owned " + new TreeSet<>(partitions));
        }

        /** Asks the process to stop gracefully. */
        void stopGracefully() {
            gracefulStop.run();
        }

        void read() {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                Map<Integer, long[]> restoring = new HashMap<>();
                while ((line = r.readLine()) != null) {
                    String[] f = line.split(" ");
                    if (f[0].equals("ping") && f.length == 3) {
                        recordPing(Integer.parseInt(f[1]), Long.parseLong(f[2]));
                    } else if (f[0].equals("device") && f.length == 4) {
                        restoring.put(Integer.parseInt(f[1]), new long[] {Long.parseLong(f[2]), Long.parseLong(f[3])});
                    } else if (f[0].equals("owned") && f.length == 2) {
                        Set<Integer> s = new HashSet<>();
                        String body = f[1].substring(1, f[1].length() - 1);
                        if (!body.isEmpty()) {
                            Arrays.stream(body.split(",")).map(Integer::valueOf).forEach(s::add);
                        }
                        recordOwned(s);
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

        /** Prints {@code what} with the instance's name and age. */
        public void log(String what) {
            System.out.println("[" + name + " +" + (System.currentTimeMillis() - startedAtMillis) + " ms] " + what);
        }

        synchronized boolean pingedAfter(int ip, long t) {
            List<Long> l = pings.get(ip);
            return l != null && !l.isEmpty() && l.getLast() > t;
        }

        /** Every reply from {@code ip} so far, oldest first. */
        synchronized List<Long> pingsOf(int ip) {
            return List.copyOf(pings.getOrDefault(ip, List.of()));
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
        Instance i = adopt(new Instance(name, p, () -> {
            try {
                p.getOutputStream().close(); // FleetInstanceMain leaves when its stdin closes
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }));
        Thread.ofVirtual().name("fleet-test-" + name).start(i::read);
        return i;
    }

    /**
     * Takes {@code i} into this set: its death fails {@link #await}, {@link #close} kills it and
     * prints the warnings of {@code <dir>/<name>/stderr.txt} if it wrote one.
     */
    public Instance adopt(Instance i) {
        instances.add(i);
        return i;
    }

    /** Waits for {@code condition}, failing after {@code boundMillis} or when an instance died unexpectedly. */
    public void await(long boundMillis, String what, BooleanSupplier condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(boundMillis);
        while (!condition.getAsBoolean()) {
            for (Instance i : instances) {
                if (!i.process.isAlive() && i.process.exitValue() != 137 && i.process.exitValue() != 0) {
                    fail("instance " + i.name + " exited with " + i.process.exitValue() + ": " + stderr(i));
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
            stderr(i).lines()
                    .filter(l -> l.contains("WARN") || l.contains("ERROR") || l.contains("Exception")
                            || l.contains("restored"))
                    .limit(20).forEach(l -> System.out.println("[" + i.name + " stderr] " + l));
        }
    }

    private String stderr(Instance i) throws IOException {
        Path f = dir.resolve(i.name).resolve("stderr.txt");
        return Files.exists(f) ? Files.readString(f) : "";
    }
}
