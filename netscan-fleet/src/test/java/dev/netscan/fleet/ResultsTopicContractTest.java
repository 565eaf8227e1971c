package dev.netscan.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netscan.core.DeviceEvent;
import dev.netscan.core.HealthReport;
import dev.netscan.core.MetricsSink;
import dev.netscan.core.PingResult;
import dev.netscan.core.SinkCounters;
import dev.netscan.core.SnmpInfo;
import dev.netscan.influx.LineProtocolStreamSink;
import dev.netscan.influx.MetricsSinkContract;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;

/**
 * The results topic against a real broker: the {@link MetricsSinkContract} (every point accounted
 * for, flush and close deliver, refusals counted), and what a consumer such as Telegraf's
 * {@code kafka_consumer} reads: records of whole line-protocol lines, each tagged with the
 * instance, read back with a plain {@link KafkaConsumer}.
 */
class ResultsTopicContractTest extends MetricsSinkContract {
    private static final String INSTANCE = "pi-7";
    private static final String TAG = ",instance=" + INSTANCE;
    private static final AtomicInteger TOPICS = new AtomicInteger();
    private String topic;

    private static Properties props() throws Exception {
        Properties p = new Properties();
        p.put("bootstrap.servers", TestBroker.bootstrap());
        return p;
    }

    private static String newTopic() throws Exception {
        String t = "results-" + ProcessHandle.current().pid() + "-" + TOPICS.incrementAndGet();
        TestBroker.createTopic(t, 2, Map.of());
        return t;
    }

    @Override
    protected MetricsSink create(int queueCapacity) throws Exception {
        topic = newTopic();
        return ResultsTopic.sink(props(), topic, INSTANCE, queueCapacity);
    }

    @Override
    protected void start(MetricsSink sink) {
        ((LineProtocolStreamSink) sink).start();
    }

    @Override
    protected long delivered(List<PingResult> pings) throws Exception {
        Set<String> expected = new HashSet<>(expectedLines(pings));
        return read(topic).stream().map(ResultsTopicContractTest::untagged).filter(expected::contains).count();
    }

    /** Every line of every record in {@code topic}, in order per partition. */
    static List<String> read(String topic) throws Exception {
        List<String> lines = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(props(), new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> tps = c.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                    .map(pi -> new TopicPartition(topic, pi.partition())).toList();
            Map<TopicPartition, Long> end = c.endOffsets(tps, Duration.ofSeconds(10));
            c.assign(tps);
            c.seekToBeginning(tps);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (tps.stream().anyMatch(tp -> c.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    assertThat(r.value().length).as("record size").isLessThanOrEqualTo(ResultsTopic.MAX_RECORD_BYTES);
                    assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo(INSTANCE);
                    new String(r.value(), StandardCharsets.UTF_8).lines().forEach(lines::add);
                }
            }
        }
        return lines;
    }

    /** The line without its instance tag, which must be in its tag set (before the first unescaped space). */
    static String untagged(String line) {
        int space = 0;
        while (space < line.length() && line.charAt(space) != ' ') {
            space += line.charAt(space) == '\\' ? 2 : 1;
        }
        String head = line.substring(0, space);
        assertThat(head).as("measurement and tags of %s", line).contains(TAG);
        return head.replaceFirst(TAG, "") + line.substring(space);
    }

    @Test
    void everyKindOfPointArrivesAsLineProtocolTaggedWithTheInstance() throws Exception {
        MetricsSink sink = create(65_536);
        start(sink);
        long ts = 1_700_000_000_000_000_000L;
        List<PingResult> pings = new ArrayList<>();
        for (int i = 0; i < 3_000; i++) { // several records: more than 64 KiB of lines
            pings.add(PingResult.reply(0x64400001 + (i % 50), ts + i * 1_000_000L, 250_000L + i));
        }
        pings.forEach(sink::offerPing);
        // a string field with spaces, commas, quotes and an escaped tag value: the tag goes before the fields
        sink.offerDeviceInfo(0x64400001, new SnmpInfo("core sw,1", "Cisco IOS \"XE\", v17 = new", "1.3.6.1.4.1.9",
                4_200, null, "rack 3, row 2"), ts);
        sink.offerHealth(new HealthReport(ts, Map.of("memory_used_pct", 42.5, "goroutines_or_threads", 31L)));
        sink.offerDeviceEvent(new DeviceEvent(0x64400002, "down", "core sw,1", ts));
        sink.close();
        SinkCounters c = sink.counters();
        assertThat(c.unaccounted()).isZero();
        assertThat(c.pointsConfirmed()).isEqualTo(3_003);
        List<String> lines = read(topic);
        assertThat(lines).hasSize(3_003);
        List<String> untagged = lines.stream().map(ResultsTopicContractTest::untagged).toList();
        assertThat(untagged).containsAll(expectedLines(pings));
        assertThat(untagged).anySatisfy(l -> assertThat(l).startsWith("device_info,ip=100.64.0.1 ")
                .contains("\"Cisco IOS \\\"XE\\\", v17 = new\""));
        assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("health_metrics,instance=pi-7 "));
        assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("device_event" + TAG + ",ip=100.64.0.2,"));
        assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("ping" + TAG + ",ip=100.64.0.1 "));
    }
}
