package dev.netscan.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netscan.core.Device;
import dev.netscan.core.PingResult;
import dev.netscan.core.SinkCounters;
import dev.netscan.core.SnmpInfo;
import dev.netscan.influx.LineProtocolStreamSink;
import dev.netscan.state.DeviceRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The figures docs/fleet.md quotes, against the real (in-JVM) broker, engine only (no netscan
 * process): how long a new owner takes to read a changelog of N devices and put them into a
 * registry, and how many points a second the results topic confirms. Small by default so the
 * suite stays quick; {@code -Dnetscan.fleet.figures.devices=100000 -Dnetscan.fleet.figures.points=500000}
 * for the documented run. Asserts completeness, never speed.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class FleetFiguresTest {
    private static final int PARTITIONS = 16;

    private static Properties props() throws Exception {
        Properties p = new Properties();
        p.put("bootstrap.servers", TestBroker.bootstrap());
        return p;
    }

    @Test
    void restoresAChangelogOfNDevicesIntoARegistry() throws Exception {
        int n = Integer.getInteger("netscan.fleet.figures.devices", 5_000);
        FleetConfig cfg = FleetConfig.builder().kafkaBootstrap(TestBroker.bootstrap()).group("figures-" + System.nanoTime())
                .partitions(PARTITIONS).build();
        TestBroker.createTopic(cfg.changelogTopic(), PARTITIONS, Map.of("cleanup.policy", "compact"));
        long now = System.currentTimeMillis();
        Properties pp = props();
        pp.put("linger.ms", "20");
        pp.put("batch.size", "262144");
        long bytes = 0;
        List<String> seedErrors = java.util.Collections.synchronizedList(new ArrayList<>());
        long seedStart = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(pp, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < n; i++) {
                int ip = 0x0a000000 + i; // record keys only: nothing is sent to these addresses
                // a typical identity: ~250 bytes of SNMP text
                Device d = new Device(ip, now - 86_400_000L, now - i % 60_000, new SnmpInfo("sw-" + i + ".site-a.example.net",
                        "Cisco IOS Software, C2960X Software (C2960X-UNIVERSALK9-M), Version 15.2(7)E8, RELEASE SOFTWARE (fc3)",
                        "1.3.6.1.4.1.9.1.1208", 123_456_789L, "noc@example.net", "building 4, floor 2, rack 17"),
                        now - 3_600_000L, 0, i % 100 == 0 ? now + 600_000 : 0, i % 100 == 0 ? 1 : 0, null);
                byte[] value = DeviceCodec.value(d);
                bytes += value.length + 4;
                p.send(new ProducerRecord<>(cfg.changelogTopic(), AddressPartitioner.partitionOf(ip, PARTITIONS),
                        DeviceCodec.key(ip), value), (meta, error) -> {
                            if (error != null) {
                                seedErrors.add(error.toString());
                            }
                        });
            }
            p.flush();
        }
        assertThat(seedErrors).as("records the broker refused while seeding").isEmpty();
        System.out.printf("fleet figures: seeded %,d changelog records in %d ms%n", n,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - seedStart));
        Properties cp = props();
        cp.put("auto.offset.reset", "earliest");
        List<Integer> all = new ArrayList<>();
        for (int i = 0; i < PARTITIONS; i++) {
            all.add(i);
        }
        try (RegistryChangelog log = new RegistryChangelog(cfg, ip -> true, ip -> Optional.empty(), List::of,
                new KafkaProducer<>(props(), new ByteArraySerializer(), new ByteArraySerializer()),
                new KafkaConsumer<>(cp, new ByteArrayDeserializer(), new ByteArrayDeserializer()));
                DeviceRegistry registry = DeviceRegistry.builder().maxDevices(Math.max(n, 1_000)).build()) {
            long t0 = System.nanoTime();
            RegistryChangelog.Restored r = log.restore(all, Duration.ofSeconds(120));
            long read = System.nanoTime();
            int added = registry.restore(r.devices());
            long done = System.nanoTime();
            assertThat(r.complete()).as("restore finished within its bound: %s", r).isTrue();
            assertThat(r.records()).as("records read: %s", r).isEqualTo(n);
            assertThat(added).isEqualTo(n);
            assertThat(registry.suspendedCount()).isEqualTo((n + 99) / 100);
            System.out.printf("fleet figures: changelog of %,d devices (%,d bytes of values and keys, %d partitions):"
                    + " read in %d ms, into the registry in %d ms, %d ms in all%n", n, bytes, PARTITIONS,
                    TimeUnit.NANOSECONDS.toMillis(read - t0), TimeUnit.NANOSECONDS.toMillis(done - read),
                    TimeUnit.NANOSECONDS.toMillis(done - t0));
        }
    }

    @Test
    void resultsTopicConfirmsPoints() throws Exception {
        int n = Integer.getInteger("netscan.fleet.figures.points", 20_000);
        String topic = "figures-results-" + System.nanoTime();
        TestBroker.createTopic(topic, 1, Map.of());
        LineProtocolStreamSink sink = ResultsTopic.sink(props(), topic, "figures", 1 << 20).start();
        long ts = System.currentTimeMillis() * 1_000_000L;
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            while (!sink.offerPing(PingResult.reply(0x0a000000 + (i % 10_000), ts + i, 250_000L + i))) {
                Thread.onSpinWait(); // a full queue: offered again (each refusal is counted)
            }
        }
        sink.close();
        long nanos = System.nanoTime() - t0;
        SinkCounters c = sink.counters();
        assertThat(c.unaccounted()).isZero();
        assertThat(c.pointsConfirmed()).isEqualTo(n);
        System.out.printf("fleet figures: results topic confirmed %,d ping points in %d ms: %,.0f points/s (%,d refusals"
                + " of a full queue)%n", n, TimeUnit.NANOSECONDS.toMillis(nanos), n * 1e9 / nanos, c.droppedQueueFull());
    }
}
