package dev.netscan.bench.monitor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Per-thread CPU (user and system, from {@code /proc/self/task/*}/stat, in clock ticks of 10 ms)
 * and context switches (from {@code status}: voluntary ones are wake-ups after blocking) of this
 * process, as snapshots whose difference is printed. Linux only; a bench tool, not thread safe.
 */
final class ThreadCpu {
    /** tid -> {user ticks, sys ticks, voluntary switches, involuntary switches}; name by tid. */
    private final Map<String, long[]> values = new HashMap<>();
    private final Map<String, String> names = new HashMap<>();

    private ThreadCpu() {}

    /** Reads every thread of this process now; threads that end while being read are skipped. */
    static ThreadCpu snapshot() throws IOException {
        ThreadCpu s = new ThreadCpu();
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path t : (Iterable<Path>) tasks::iterator) {
                try {
                    String stat = Files.readString(t.resolve("stat"));
                    String status = Files.readString(t.resolve("status"));
                    int open = stat.indexOf('(');
                    int close = stat.lastIndexOf(')');
                    String[] f = stat.substring(close + 2).split(" ");
                    long vol = 0;
                    long invol = 0;
                    for (String line : status.split("\n")) {
                        if (line.startsWith("voluntary_ctxt_switches:")) {
                            vol = Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
                        } else if (line.startsWith("nonvoluntary_ctxt_switches:")) {
                            invol = Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
                        }
                    }
                    String tid = t.getFileName().toString();
                    s.values.put(tid, new long[] {Long.parseLong(f[11]), Long.parseLong(f[12]), vol, invol});
                    s.names.put(tid, stat.substring(open + 1, close).replace(' ', '_'));
                } catch (IOException | RuntimeException e) {
                    // the thread ended meanwhile
                }
            }
        }
        return s;
    }

    /**
     * Lines "thread name=.. user_s=.. sys_s=.. cpu_pct=.. wakeups_per_s=.." for threads that used
     * CPU between {@code before} and this snapshot, busiest first, plus a process total.
     */
    List<String> since(ThreadCpu before, double seconds) {
        List<long[]> rows = new ArrayList<>();
        List<String> rowNames = new ArrayList<>();
        long[] total = new long[4];
        for (var e : values.entrySet()) {
            long[] b = before.values.getOrDefault(e.getKey(), new long[4]);
            long[] d = new long[4];
            for (int i = 0; i < 4; i++) {
                d[i] = e.getValue()[i] - b[i];
                total[i] += d[i];
            }
            if (d[0] + d[1] > 0) {
                rows.add(d);
                rowNames.add(names.get(e.getKey()));
            }
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            order.add(i);
        }
        order.sort((x, y) -> Long.compare(rows.get(y)[0] + rows.get(y)[1], rows.get(x)[0] + rows.get(x)[1]));
        List<String> out = new ArrayList<>();
        for (int i : order) {
            out.add(line(rowNames.get(i), rows.get(i), seconds));
        }
        out.add(line("TOTAL(threads_alive_at_end)", total, seconds));
        return out;
    }

    private static String line(String name, long[] d, double seconds) {
        return String.format(Locale.ROOT, "thread name=%s user_s=%.2f sys_s=%.2f cpu_pct_of_one_core=%.2f wakeups_per_s=%.0f",
                name, d[0] / 100.0, d[1] / 100.0, 100.0 * (d[0] + d[1]) / 100.0 / seconds, d[2] / seconds);
    }

    /** OS threads of this process (JVM-internal ones included). */
    static int osThreads() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("Threads:")) {
                return Integer.parseInt(line.substring(8).trim());
            }
        }
        return -1;
    }
}
