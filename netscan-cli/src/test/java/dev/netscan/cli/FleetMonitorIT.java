package dev.netscan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netscan.fleet.TestBroker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The product path of a fleet: {@code netscan monitor -c fleet.yml} (the packaged jar) with a
 * {@code fleet:} section runs as a member of the group against a real broker: it owns every
 * partition (alone), pings its network, writes each device to the registry changelog, sends
 * every point to the results topic and to its metrics files, all tagged with its instance.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class FleetMonitorIT {
    private static final Set<String> DEVICES = Set.of("127.9.0.1", "127.9.0.2", "127.9.0.3", "127.9.0.4",
            "127.9.0.5", "127.9.0.6");

    @TempDir
    Path dir;

    @Test
    void monitorWithAFleetSectionJoinsTheGroupAndWritesChangelogAndResults() throws Exception {
        String bootstrap = TestBroker.bootstrap();
        String group = "cli-" + ProcessHandle.current().pid();
        String results = "results-" + group;
        Path cfg = dir.resolve("fleet.yml");
        Files.writeString(cfg, """
                networks: ["127.9.0.0/29"]
                ping_interval: 1s
                data_dir: "%s"
                health_check_port: 0
                snmp:
                  enabled: false
                fleet:
                  kafka_bootstrap: ${KAFKA}
                  group: %s
                  partitions: 4
                  instance: cli-a
                  session_timeout: 4s
                  heartbeat_interval: 500ms
                  results_topic: %s
                  changelog_refresh: 2s
                """.formatted(dir.resolve("data"), group, results));
        Path log = dir.resolve("netscan.log");
        ProcessBuilder pb = new ProcessBuilder(CliIT.command("monitor", "-c", cfg.toString(), "--duration", "60s"))
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("KAFKA", bootstrap);
        Process p = pb.start();
        try {
            Set<String> tagged = new HashSet<>();
            await(90, "ping points of all " + DEVICES.size() + " devices tagged instance=cli-a on topic " + results,
                    log, p, () -> {
                        for (String line : lines(bootstrap, results)) {
                            if (line.startsWith("ping,instance=cli-a,ip=")) {
                                tagged.add(line.substring("ping,instance=cli-a,ip=".length(), line.indexOf(' ')));
                            }
                        }
                        return tagged.containsAll(DEVICES);
                    });
            await(30, "a changelog record for each device", log, p,
                    () -> changelogKeys(bootstrap, "netscan-fleet." + group + ".registry") >= DEVICES.size());
            assertThat(Files.readString(log)).contains("fleet member cli-a of group " + group);
        } finally {
            p.destroy(); // SIGTERM: the graceful stop
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("netscan stops on SIGTERM").isTrue();
        }
        assertThat(p.exitValue()).as("exit code; log:%n%s", Files.readString(log)).isZero();
        List<String> files = new ArrayList<>();
        try (Stream<Path> fs = Files.list(dir.resolve("data").resolve("metrics"))) {
            for (Path f : fs.toList()) {
                files.addAll(Files.readAllLines(f));
            }
        }
        assertThat(files).filteredOn(l -> l.startsWith("ping,")).isNotEmpty()
                .allSatisfy(l -> assertThat(l).startsWith("ping,instance=cli-a,ip="));
    }

    private static void await(long seconds, String what, Path log, Process p, BooleanSupplier condition)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean()) {
            if (!p.isAlive() || System.nanoTime() - deadline > 0) {
                throw new AssertionError("not within " + seconds + " s: " + what + (p.isAlive() ? "" : " (netscan exited "
                        + p.exitValue() + ")") + "; log:\n" + Files.readString(log));
            }
            Thread.sleep(500); // polling the topic, bounded by the deadline above
        }
    }

    private static Properties props(String bootstrap) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        return p;
    }

    /** Everything in the topic so far, record by record, line by line; empty while it does not exist. */
    private static List<ConsumerRecord<byte[], byte[]>> records(String bootstrap, String topic) {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(props(bootstrap), new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> tps = c.listTopics(Duration.ofSeconds(10)).getOrDefault(topic, List.of()).stream()
                    .map(pi -> new TopicPartition(topic, pi.partition())).toList();
            if (tps.isEmpty()) {
                return out;
            }
            Map<TopicPartition, Long> end = c.endOffsets(tps, Duration.ofSeconds(10));
            c.assign(tps);
            c.seekToBeginning(tps);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (tps.stream().anyMatch(tp -> c.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }

    private static List<String> lines(String bootstrap, String topic) {
        List<String> lines = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : records(bootstrap, topic)) {
            new String(r.value(), StandardCharsets.UTF_8).lines().forEach(lines::add);
        }
        return lines;
    }

    private static long changelogKeys(String bootstrap, String topic) {
        return records(bootstrap, topic).stream().filter(r -> r.value() != null)
                .map(r -> java.util.Arrays.toString(r.key())).distinct().count();
    }
}
