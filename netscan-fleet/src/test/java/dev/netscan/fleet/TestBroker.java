package dev.netscan.fleet;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * One real single-node KRaft broker (Kafka's own test kit) shared by the fleet tests of this JVM:
 * started on first use (8-18 s on the 2-core build machine), closed when the JVM exits. Group
 * timeouts are lowered so that a killed member's partitions move within seconds.
 */
public final class TestBroker {
    private static KafkaClusterTestKit cluster;
    private static String bootstrap;

    private TestBroker() {}

    /**
     * Creates a topic and returns once every partition's leader answers (a new topic's partitions
     * say "not leader" for a moment, and a producer that met that may wait out its delivery timeout).
     */
    public static void createTopic(String name, int partitions, Map<String, String> configs) throws Exception {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap());
        try (Admin admin = Admin.create(p)) {
            admin.createTopics(List.of(new NewTopic(name, Optional.of(partitions), Optional.empty()).configs(configs)))
                    .all().get(30, TimeUnit.SECONDS);
        }
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> tps = new ArrayList<>();
            for (int i = 0; i < partitions; i++) {
                tps.add(new TopicPartition(name, i));
            }
            c.endOffsets(tps, Duration.ofSeconds(30)); // asks each leader; retried until they answer
        }
    }

    /** The broker's bootstrap servers, starting it on first call. */
    public static synchronized String bootstrap() throws Exception {
        if (bootstrap != null) {
            return bootstrap;
        }
        long t0 = System.nanoTime();
        Path dir = Files.createTempDirectory("netscan-kafka-");
        cluster = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder().setCombined(true)
                .setNumBrokerNodes(1).setNumControllerNodes(1).setBaseDirectory(dir).build())
                // let the group use a short session timeout (the broker's floor is 45 s by default)
                .setConfigProp("group.consumer.min.session.timeout.ms", "2000")
                .setConfigProp("group.consumer.min.heartbeat.interval.ms", "250")
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                .setConfigProp("offsets.topic.num.partitions", "1")
                .setConfigProp("offsets.topic.replication.factor", "1")
                .build();
        cluster.format();
        cluster.startup();
        cluster.waitForReadyBrokers();
        bootstrap = cluster.bootstrapServers();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                cluster.close();
                try (var files = Files.walk(dir)) {
                    files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
                }
            } catch (Exception e) {
                // the JVM is going away
            }
        }));
        System.out.printf("test broker: up at %s in %d ms%n", bootstrap,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        return bootstrap;
    }
}
