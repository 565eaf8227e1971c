package dev.netscan.fleet;

import dev.netscan.influx.LineProtocolStreamSink;
import dev.netscan.influx.Precision;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The results topic: every point in InfluxDB line protocol, tagged {@code instance=<name>} (right
 * after the measurement name, as the database gets it), in
 * records of whole lines of at most {@value #MAX_RECORD_BYTES} bytes (Telegraf's
 * {@code kafka_consumer} with {@code data_format = "influx"} reads several lines per message; its
 * {@code max_message_len} examples are 65536 and 1000000), keyed by the instance. The sink is a
 * {@link LineProtocolStreamSink} (the shared queue, thread and accounting of every local sink)
 * over a stream that sends each chunk of lines and waits for Kafka's acknowledgement: a point is
 * confirmed once the broker acknowledged its record; the lines of a chunk whose send failed are
 * counted as dropped (write error), whole (a record of that chunk may have arrived).
 */
final class ResultsTopic {
    static final int MAX_RECORD_BYTES = 64 * 1024;

    private ResultsTopic() {}

    /**
     * A sink (not started) that writes to {@code topic}; it closes its producer when closed.
     *
     * @param clientProperties bootstrap servers and security settings
     */
    static LineProtocolStreamSink sink(Properties clientProperties, String topic, String instance, int queueCapacity) {
        Properties p = new Properties();
        p.putAll(clientProperties);
        p.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.putIfAbsent(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        p.putIfAbsent(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "15000");
        p.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000");
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
        LineProtocolStreamSink sink = new LineProtocolStreamSink(new RecordStream(producer, topic, instance), true,
                Precision.NANOSECONDS, queueCapacity);
        sink.tagEveryLine("instance", instance);
        return sink;
    }

    /** Whole lines in, records of whole lines out. Called by the sink's one thread only. */
    static final class RecordStream extends OutputStream {
        private final KafkaProducer<byte[], byte[]> producer;
        private final String topic;
        private final byte[] key;
        private byte[] record = new byte[MAX_RECORD_BYTES];
        private int size;
        private final List<Future<RecordMetadata>> sent = new ArrayList<>();

        RecordStream(KafkaProducer<byte[], byte[]> producer, String topic, String instance) {
            this.producer = producer;
            this.topic = topic;
            this.key = instance.getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public void write(int b) {
            throw new UnsupportedOperationException("whole lines only");
        }

        /** Sends the whole lines in {@code buf} and returns once Kafka acknowledged them. */
        @Override
        public void write(byte[] buf, int off, int len) throws IOException {
            int end = off + len;
            int line = off;
            IOException failure = null;
            try {
                while (line < end) {
                    int nl = line;
                    while (nl < end && buf[nl] != '\n') {
                        nl++;
                    }
                    append(buf, line, Math.min(nl + 1, end));
                    line = nl + 1;
                }
                send();
            } catch (RuntimeException e) { // the producer refused at once (closed, metadata timeout)
                size = 0;
                failure = new IOException("results topic " + topic + ": " + e, e);
            }
            for (Future<RecordMetadata> f : sent) {
                try {
                    f.get(); // bounded by the producer's delivery timeout
                } catch (ExecutionException e) {
                    failure = new IOException("results topic " + topic + ": " + e.getCause(), e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    failure = new IOException("interrupted waiting for Kafka", e);
                }
            }
            sent.clear();
            if (failure != null) {
                throw failure;
            }
        }

        /** Appends the line {@code buf[from, to)}; starts a new record when full. */
        private void append(byte[] buf, int from, int to) {
            int need = to - from;
            if (size > 0 && size + need > MAX_RECORD_BYTES) {
                send();
            }
            if (need > record.length) {
                record = Arrays.copyOf(record, need); // one line beyond a record: sent alone
            }
            System.arraycopy(buf, from, record, size, need);
            size += need;
        }

        private void send() {
            if (size == 0) {
                return;
            }
            sent.add(producer.send(new ProducerRecord<>(topic, key, Arrays.copyOf(record, size))));
            size = 0;
        }

        @Override
        public void close() {
            producer.close(Duration.ofSeconds(5));
        }
    }
}
