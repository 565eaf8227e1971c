package dev.netscan.cli;

import dev.netscan.core.Ipv4;
import dev.netscan.fleet.FailoverScenario;
import dev.netscan.fleet.FleetInstances;
import dev.netscan.fleet.FleetInstances.Instance;
import dev.netscan.fleet.TestBroker;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17's fleet test on the product path: {@link FailoverScenario} (three members, one killed
 * with SIGKILL, a fourth joining, then leaving on SIGTERM) where every member is the packaged
 * {@code java -jar netscan-cli.jar monitor -c fleet.yml} with a {@code fleet:} section, against a
 * real broker. What a member pinged is read from its metrics files (the file sink: the reply's own
 * timestamp), what it owns from its log ("fleet a: ... owns 5/16 [..]").
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class FleetFailoverIT {
    @TempDir
    Path dir;
    private FleetInstances fleet;

    @AfterEach
    void tearDown() throws Exception {
        if (fleet != null) {
            fleet.close();
        }
    }

    @Test
    void threeMonitorsShareTheSpaceSurviveAKillAndTakeInAJoiner() throws Exception {
        String bootstrap = TestBroker.bootstrap();
        String group = "cli-failover-" + ProcessHandle.current().pid();
        fleet = new FleetInstances(dir);
        new FailoverScenario(fleet, name -> launch(name, bootstrap, group)).run();
    }

    private Instance launch(String name, String bootstrap, String group) throws IOException {
        Path data = Files.createDirectories(dir.resolve(name));
        Path cfg = data.resolve("fleet.yml");
        Files.writeString(cfg, """
                networks: ["%s"]
                ping_interval: 1s
                ping_timeout: 500ms
                reconcile_interval: 1s
                data_dir: "%s"
                health_check_port: 0
                snmp:
                  enabled: false
                fleet:
                  kafka_bootstrap: %s
                  group: %s
                  partitions: %d
                  instance: %s
                  session_timeout: 4s
                  heartbeat_interval: 500ms
                """.formatted(FailoverScenario.NETWORK, data, bootstrap, group, FailoverScenario.PARTITIONS, name));
        Path log = data.resolve("netscan.log");
        Process p = new ProcessBuilder(CliIT.command("monitor", "-c", cfg.toString(), "--duration", "230s"))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Instance i = fleet.adopt(new Instance(name, p, p::destroy)); // SIGTERM: the graceful stop
        Thread.ofVirtual().name("fleet-it-" + name).start(() -> follow(i, p, log, data.resolve("metrics")));
        return i;
    }

    /** Feeds {@code i} from the member's log and metrics files until the process has exited. */
    private static void follow(Instance i, Process p, Path log, Path metrics) {
        Map<Path, Tail> tails = new HashMap<>();
        String owns = "fleet " + i.name() + ": ";
        Consumer<String> logLine = line -> {
            int at = line.indexOf(owns);
            int list = line.indexOf(" owns ", at);
            if (at >= 0 && list >= 0) {
                String body = line.substring(line.indexOf('[', list) + 1, line.lastIndexOf(']'));
                i.recordOwned(body.isBlank() ? Set.of() : Arrays.stream(body.split(","))
                        .map(s -> Integer.valueOf(s.strip())).collect(Collectors.toSet()));
            } else if (line.contains("WARN") || line.contains("ERROR") || line.contains("Exception")) {
                i.log(line);
            }
        };
        Consumer<String> point = line -> {
            // ping,instance=a,ip=127.5.0.7 rtt_ms=0.05,success=true,outcome="reply" 1764447200123456789
            if (line.startsWith("ping,") && line.contains("success=true")) {
                int ip = line.indexOf(",ip=") + 4;
                int end = line.indexOf(' ', ip);
                int comma = line.indexOf(',', ip);
                i.recordPing(Ipv4.parse(line.substring(ip, comma > 0 && comma < end ? comma : end)),
                        Long.parseLong(line.substring(line.lastIndexOf(' ') + 1)) / 1_000_000L);
            }
        };
        try {
            boolean last = false;
            while (!last) {
                last = !p.isAlive(); // one more pass after it exited, then stop
                tails.computeIfAbsent(log, Tail::new).read(logLine);
                if (Files.isDirectory(metrics)) {
                    try (Stream<Path> files = Files.list(metrics)) {
                        for (Path f : files.sorted().toList()) {
                            tails.computeIfAbsent(f, Tail::new).read(point);
                        }
                    }
                }
                Thread.sleep(100); // polling the files, bounded by the process's life
            }
        } catch (IOException | InterruptedException e) {
            i.log("following its files stopped: " + e);
        }
    }

    /** The complete lines a file gained since the last read. */
    private static final class Tail {
        private final Path file;
        private long offset;

        Tail(Path file) {
            this.file = file;
        }

        void read(Consumer<String> lines) throws IOException {
            if (!Files.exists(file)) {
                return;
            }
            try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
                long length = f.length();
                if (length <= offset) {
                    return;
                }
                byte[] b = new byte[(int) Math.min(length - offset, 8 << 20)];
                f.seek(offset);
                f.readFully(b);
                int end = b.length;
                while (end > 0 && b[end - 1] != '\n') {
                    end--;
                }
                offset += end;
                new String(b, 0, end, StandardCharsets.UTF_8).lines().forEach(lines);
            }
        }
    }
}
