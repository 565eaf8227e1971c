package dev.netscan.bench.icmp;

import dev.netscan.core.Ipv4;
import dev.netscan.core.TargetSet;
import dev.netscan.discovery.IcmpCounters;
import dev.netscan.discovery.IcmpEngine;
import dev.netscan.discovery.IcmpEngineConfig;
import dev.netscan.discovery.Sweep;
import dev.netscan.discovery.SweepOptions;
import dev.netscan.discovery.SweepSummary;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;

/**
 * Runs one discovery sweep from the command line and prints what it found and how long it took;
 * used by {@code netscan-bench/scripts/sweep-vs-fping.sh} to compare with fping.
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp benchmarks.jar dev.netscan.bench.icmp.SweepMain \
 *     127.1.0.0/16 [--timeout-ms 200] [--retries 0] [--rate-pps 0] [--runs 1] [--alive-file F]
 * </pre>
 *
 * Only loopback (127.0.0.0/8) targets are accepted, so the bench can never send elsewhere.
 * Output: one line per run, {@code key=value} pairs; the alive addresses of the last run, sorted,
 * one per line, to {@code --alive-file} when given.
 */
public final class SweepMain {
    private SweepMain() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            usage("missing target range");
        }
        String range = args[0];
        long timeoutMs = 200;
        int retries = 0;
        long ratePps = 0;
        int runs = 1;
        int batch = IcmpEngineConfig.builder().build().batchSize();
        boolean parallelSend = true;
        boolean threadCpu = false;
        Path aliveFile = null;
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            if (i + 1 >= args.length) {
                usage("option " + a + " needs a value");
            }
            String v = args[++i];
            switch (a) {
                case "--timeout-ms" -> timeoutMs = Long.parseLong(v);
                case "--retries" -> retries = Integer.parseInt(v);
                case "--rate-pps" -> ratePps = Long.parseLong(v);
                case "--runs" -> runs = Integer.parseInt(v);
                case "--batch" -> batch = Integer.parseInt(v);
                case "--parallel-send" -> parallelSend = Boolean.parseBoolean(v);
                case "--alive-file" -> aliveFile = Path.of(v);
                case "--thread-cpu" -> threadCpu = Boolean.parseBoolean(v);
                default -> usage("unknown option " + a);
            }
        }
        TargetSet targets = TargetSet.of(range);
        for (var c : targets.includes()) {
            if (!Ipv4.isLoopback(c.network()) || !Ipv4.isLoopback(c.lastAddress())) {
                usage("only 127.0.0.0/8 targets are allowed in this bench, got " + c);
            }
        }
        SweepOptions options = SweepOptions.builder().timeout(Duration.ofMillis(timeoutMs)).retries(retries)
                .allowLarge(true).build();
        long startT0 = System.nanoTime();
        try (IcmpEngine engine = IcmpEngine.start(IcmpEngineConfig.builder().rateLimitPps(ratePps).batchSize(batch).parallelSend(parallelSend).build())) {
            int[] alive = new int[(int) targets.size()];
            long engineStartNanos = System.nanoTime() - startT0;
            if (threadCpu) {
                System.out.println("thread_cpu before the first sweep:");
                printThreadCpu();
            }
            for (int run = 1; run <= runs; run++) {
                int[] count = {0};
                long t0 = System.nanoTime();
                Sweep sweep = Sweep.start(engine, targets, options.withSeed(run), (ipv4, rtt) -> {
                    synchronized (alive) {
                        alive[count[0]++] = ipv4;
                    }
                });
                SweepSummary s = sweep.await();
                long wall = System.nanoTime() - t0;
                IcmpCounters c = engine.counters();
                // with_start_s: this sweep's wall time plus the engine's start (sockets, threads,
                // native-call linking) for the first run, which is what a one-shot `scan` pays
                long withStart = wall + (run == 1 ? engineStartNanos : 0);
                System.out.printf("run=%d range=%s socket=%s targets=%d alive=%d timeouts=%d sent=%d elapsed_s=%.3f wall_s=%.3f "
                                + "with_start_s=%.3f engine_start_s=%.3f rate_pps=%.0f ignored=%d lost_replies=%d%n",
                        run, range, engine.socketKind(), s.targets(), s.alive(), s.timeouts(), s.sent(),
                        s.elapsed().toNanos() / 1e9, wall / 1e9, withStart / 1e9, engineStartNanos / 1e9, s.achievedRatePps(),
                        c.ignoredTotal(), s.lostReplies());
                if (run == runs && aliveFile != null) {
                    int[] sorted;
                    synchronized (alive) {
                        sorted = Arrays.copyOf(alive, count[0]);
                    }
                    Arrays.sort(sorted);
                    write(aliveFile, sorted);
                }
            }
            if (threadCpu) {
                printThreadCpu();
            }
        }
    }

    /** CPU per thread of this process so far (user/sys ms from /proc/self/task, 10 ms ticks), busiest first. */
    static void printThreadCpu() throws IOException {
        java.util.List<String[]> rows = new java.util.ArrayList<>();
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path t : (Iterable<Path>) tasks::iterator) {
                String stat;
                try {
                    stat = Files.readString(t.resolve("stat"));
                } catch (IOException e) {
                    continue; // the thread ended meanwhile
                }
                int open = stat.indexOf('(');
                int close = stat.lastIndexOf(')');
                String[] f = stat.substring(close + 2).split(" ");
                long user = Long.parseLong(f[11]) * 10;
                long sys = Long.parseLong(f[12]) * 10;
                if (user + sys > 0) {
                    rows.add(new String[] {stat.substring(open + 1, close), Long.toString(user), Long.toString(sys)});
                }
            }
        }
        rows.sort((a, b) -> Long.compare(Long.parseLong(b[1]) + Long.parseLong(b[2]), Long.parseLong(a[1]) + Long.parseLong(a[2])));
        for (String[] r : rows) {
            System.out.printf("thread_cpu name=%s user_ms=%s sys_ms=%s%n", r[0].replace(' ', '_'), r[1], r[2]);
        }
    }

    private static void write(Path file, int[] sorted) throws IOException {
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(file))) {
            for (int a : sorted) {
                w.println(Ipv4.format(a));
            }
        }
    }

    private static void usage(String problem) {
        System.err.println("SweepMain: " + problem);
        System.err.println("usage: SweepMain <127.x.y.z/len> [--timeout-ms N] [--retries N] [--rate-pps N] [--runs N] [--batch N] [--parallel-send true|false] [--alive-file F] [--thread-cpu true]");
        System.exit(2);
    }
}
