package dev.netscan.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netscan.core.Device;
import dev.netscan.core.SnmpInfo;
import dev.netscan.core.TargetSet;
import dev.netscan.fleet.FleetInstances.Instance;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The registry changelog against a real broker, with instances that have <em>no networks</em>:
 * whatever they ping they can only have learnt from the changelog. The test seeds the changelog
 * once (254 devices of 127.6.0.0/24, ten of them suspended for ten minutes), as an earlier owner
 * would have left it; instance a restores and pings them and writes its own records; b joins and
 * takes a share; a is killed with SIGKILL and b restores a's partitions from what a wrote, and
 * pings all of them without any sweep, never the suspended ones.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class FleetChangelogTest {
    private static final int PARTITIONS = 8;
    private static final String NETWORK = "127.6.0.0/24";

    @TempDir
    Path dir;
    private FleetInstances fleet;

    @BeforeEach
    void setUp() {
        fleet = new FleetInstances(dir);
    }

    @AfterEach
    void tearDown() throws Exception {
        fleet.close();
    }

    @Test
    void aNewOwnerRestoresDevicesAndSuspensionsFromTheChangelogWithoutASweep() throws Exception {
        String bootstrap = TestBroker.bootstrap();
        String group = "changelog-" + System.nanoTime();
        FleetConfig cfg = FleetConfig.builder().kafkaBootstrap(bootstrap).group(group).partitions(PARTITIONS).build();
        TargetSet targets = TargetSet.of(NETWORK);
        List<Integer> all = new ArrayList<>();
        for (long i = 0; i < targets.size(); i++) {
            all.add(targets.addressAt(i));
        }
        Set<Integer> suspended = new HashSet<>(all.subList(100, 110));
        List<Integer> live = all.stream().filter(ip -> !suspended.contains(ip)).toList();
        long seededAt = System.currentTimeMillis();
        long seenLong = seededAt - 60_000;
        long suspendedUntil = seededAt + 600_000;
        seed(cfg, all, suspended, seenLong, suspendedUntil);

        Instance a = fleet.launch("a", bootstrap, group, PARTITIONS, "-", "refresh=2");
        fleet.await(60_000, "a pings the " + live.size() + " devices it restored", () ->
                live.stream().allMatch(ip -> a.pingedAfter(ip, seededAt)));
        assertThat(a.restored()).as("a restored every seeded device").hasSize(all.size());
        assertThat(suspended).as("suspended devices a pinged").noneMatch(a::everPinged);

        // a writes its own records: a refresh carries the last seen of its pings
        fleet.await(30_000, "a's records in the changelog", () -> {
            Map<Integer, Device> latest = read(cfg);
            return live.stream().allMatch(ip -> latest.containsKey(ip) && latest.get(ip).lastSeenEpochMillis() > seededAt)
                    && suspended.stream().allMatch(ip -> latest.get(ip).suspendedUntilEpochMillis() == suspendedUntil);
        });

        Instance b = fleet.launch("b", bootstrap, group, PARTITIONS, "-", "refresh=2");
        fleet.await(60_000, "a and b share the partitions", () -> !b.owned.isEmpty() && !a.owned.isEmpty()
                && a.owned.size() + b.owned.size() == PARTITIONS);
        long shared = System.currentTimeMillis();
        List<Integer> ofB = live.stream().filter(ip -> b.owned.contains(part(ip))).toList();
        fleet.await(30_000, "b pings its " + ofB.size() + " devices", () -> ofB.stream().allMatch(ip -> b.pingedAfter(ip, shared)));

        // kill -9 a: b restores a's partitions from what a wrote
        Set<Integer> ofA = a.owned;
        List<Integer> aDevices = all.stream().filter(ip -> ofA.contains(part(ip))).toList();
        int restoresBefore = b.restores;
        long killedAt = System.currentTimeMillis();
        a.process.destroyForcibly();
        assertThat(a.process.waitFor(10, TimeUnit.SECONDS)).isTrue();
        fleet.await(60_000, "b restores a's partitions", () -> b.restores > restoresBefore && b.owned.size() == PARTITIONS);
        long restoredAt = System.currentTimeMillis();
        fleet.await(30_000, "b pings all " + live.size() + " live devices", () ->
                live.stream().allMatch(ip -> b.pingedAfter(ip, killedAt)));
        long failover = System.currentTimeMillis() - killedAt;
        Map<Integer, long[]> fromA = b.restored();
        assertThat(fromA.keySet()).as("devices b restored from a's partitions").containsAll(aDevices);
        for (int ip : aDevices) {
            long[] seenAndSuspended = fromA.get(ip);
            if (suspended.contains(ip)) {
                assertThat(seenAndSuspended[1]).as("suspension of %s", ip).isEqualTo(suspendedUntil);
            } else {
                assertThat(seenAndSuspended[0]).as("last seen of %s, written by a", ip).isGreaterThan(seededAt);
            }
        }
        assertThat(suspended).as("suspended devices b pinged").noneMatch(b::everPinged);
        System.out.printf("changelog test: kill -9 of a (%d partitions, %d devices): b restored them %d ms after the"
                + " kill and pinged every live device %d ms after it, with no network to sweep%n", ofA.size(),
                aDevices.size(), restoredAt - killedAt, failover);
    }

    private static int part(int ip) {
        return AddressPartitioner.partitionOf(ip, PARTITIONS);
    }

    private static Properties props(FleetConfig cfg) {
        Properties p = new Properties();
        p.put("bootstrap.servers", cfg.kafkaBootstrap());
        return p;
    }

    /** What an earlier owner would have left: one record per device, some suspended. */
    private static void seed(FleetConfig cfg, List<Integer> all, Set<Integer> suspended, long seen, long until)
            throws Exception {
        TestBroker.createTopic(cfg.changelogTopic(), PARTITIONS, Map.of("cleanup.policy", "compact"));
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(props(cfg), new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (int ip : all) {
                boolean s = suspended.contains(ip);
                Device d = new Device(ip, seen - 3_600_000, seen, s ? SnmpInfo.UNKNOWN
                        : new SnmpInfo("dev" + (ip & 0xff), null, "1.3.6.1.4.1.8072", 100, null, null), seen,
                        s ? 12 : 0, s ? until : 0, s ? 2 : 0, null);
                p.send(new ProducerRecord<>(cfg.changelogTopic(), part(ip), DeviceCodec.key(ip), DeviceCodec.value(d)));
            }
            p.flush();
        }
    }

    /** The changelog as it is now: the latest record per address. */
    static Map<Integer, Device> read(FleetConfig cfg) {
        Properties p = props(cfg);
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> tps = new ArrayList<>();
            for (int i = 0; i < cfg.partitions(); i++) {
                tps.add(new TopicPartition(cfg.changelogTopic(), i));
            }
            Map<TopicPartition, Long> end = c.endOffsets(tps, Duration.ofSeconds(10));
            c.assign(tps);
            c.seekToBeginning(tps);
            Map<Integer, Device> latest = new HashMap<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (tps.stream().anyMatch(tp -> c.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    int ip = DeviceCodec.ipv4(r.key());
                    if (r.value() == null) {
                        latest.remove(ip);
                    } else {
                        latest.put(ip, DeviceCodec.device(ip, r.value()));
                    }
                }
            }
            return latest;
        }
    }
}
