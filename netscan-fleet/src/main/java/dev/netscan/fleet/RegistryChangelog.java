package dev.netscan.fleet;

import dev.netscan.core.Device;
import dev.netscan.state.RegistryListener;
import it.unimi.dsi.fastutil.ints.IntArrayList;
import it.unimi.dsi.fastutil.ints.IntIterator;
import it.unimi.dsi.fastutil.ints.IntOpenHashSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;
import java.util.function.IntPredicate;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Each partition's registry in a compacted topic keyed by address, the way Kafka Streams keeps
 * its state stores: the owner writes, a new owner restores.
 *
 * <p><b>Writing.</b> As a {@link RegistryListener} it marks a device dirty when it arrives,
 * leaves, is suspended or resumes (quick: a set under a tiny lock). A writer thread, once a
 * second, writes the dirty devices of owned partitions as they are then (a tombstone for one no
 * longer known), at most {@code changelog_max_rate} records a second (the rest wait for the next
 * pass), and every {@code changelog_refresh} marks every owned device dirty so that last seen is
 * refreshed. A ping does not write: the rate is state changes plus devices / refresh.
 *
 * <p><b>Handing over.</b> {@link #revoked} runs after the ownership flag was cleared: it waits for
 * the writer's current send and then for the producer to deliver what it holds, so every record
 * the old owner writes for a partition is in the topic before the new owner reads it.
 *
 * <p><b>Restoring.</b> {@link #restore} reads the given partitions from the beginning up to the
 * end offsets captured at the start (what was written after belongs to the new owner itself),
 * bounded in time, and returns the devices (later records win, tombstones remove).
 *
 * <p>Thread-safe: listener methods from any thread; {@link #restore} and {@link #revoked} from the
 * member thread; the writer thread its own.
 */
final class RegistryChangelog implements RegistryListener, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(RegistryChangelog.class.getName());
    private static final long PASS_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** What one restore read. */
    record Restored(List<Device> devices, long records, long tombstones, long corrupt, long bytes, long millis,
            boolean complete) {
        @Override
        public String toString() {
            return "Restored[" + devices.size() + " devices from " + records + " records (" + bytes + " bytes, "
                    + tombstones + " tombstones, " + corrupt + " unreadable) in " + millis + " ms"
                    + (complete ? "" : ", incomplete") + "]";
        }
    }

    private final FleetConfig config;
    private final IntPredicate owns;
    private final IntFunction<Optional<Device>> lookup;
    private final Supplier<List<Device>> devices;
    private final KafkaProducer<byte[], byte[]> producer;
    private final KafkaConsumer<byte[], byte[]> restorer;
    /** Addresses to write; guarded by itself. */
    private final IntOpenHashSet dirty = new IntOpenHashSet();
    /** Held by the writer around check-owned-then-send, and by {@link #revoked}. */
    private final Object sending = new Object();
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong tombstones = new AtomicLong();
    private final AtomicLong sendFailures = new AtomicLong();
    /** The member thread while it restores: its onAdded events are the restore's own, not changes. */
    private volatile Thread restoring;
    private volatile boolean running = true;
    private final Thread writer;

    RegistryChangelog(FleetConfig config, IntPredicate owns, IntFunction<Optional<Device>> lookup,
            Supplier<List<Device>> devices, KafkaProducer<byte[], byte[]> producer,
            KafkaConsumer<byte[], byte[]> restorer) {
        this.config = config;
        this.owns = owns;
        this.lookup = lookup;
        this.devices = devices;
        this.producer = producer;
        this.restorer = restorer;
        this.writer = Thread.ofPlatform().name("netscan-fleet-changelog").daemon(true).start(this::run);
    }

    // ---------------------------------------------------------------- listener (any thread, quick)

    private void mark(int ip) {
        synchronized (dirty) {
            dirty.add(ip);
        }
    }

    @Override public void onAdded(int ip) { if (restoring != Thread.currentThread()) mark(ip); }
    @Override public void onEvicted(int ip) { mark(ip); }
    @Override public void onPruned(int ip) { mark(ip); }
    @Override public void onRemoved(int ip) { mark(ip); }
    @Override public void onSuspended(int ip, long until, int suspensions) { mark(ip); }
    @Override public void onResumed(int ip, boolean expired) { mark(ip); }

    /** Records written (tombstones included) since start. */
    long written() {
        return written.get();
    }

    /** Tombstones written since start. */
    long tombstones() {
        return tombstones.get();
    }

    /** Sends the producer reported failed (the device is marked again and rewritten). */
    long sendFailures() {
        return sendFailures.get();
    }

    // ---------------------------------------------------------------- writer thread

    private void run() {
        long budget = config.changelogMaxRate();
        long lastPass = System.nanoTime();
        long refreshNanos = config.changelogRefresh().toNanos();
        long nextRefresh = lastPass + refreshNanos;
        while (running) {
            LockSupport.parkNanos(PASS_NANOS);
            long now = System.nanoTime();
            budget = Math.min(config.changelogMaxRate(),
                    budget + (now - lastPass) * config.changelogMaxRate() / PASS_NANOS);
            lastPass = now;
            try {
                if (now - nextRefresh >= 0) {
                    nextRefresh = now + refreshNanos;
                    for (Device d : devices.get()) {
                        if (owns.test(d.ipv4())) {
                            mark(d.ipv4());
                        }
                    }
                }
                budget -= writeDirty((int) budget);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "fleet: writing the registry changelog failed; retrying", e);
            }
        }
        try {
            writeDirty(Integer.MAX_VALUE); // the last changes, while the member still owns its partitions
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "fleet: last changelog pass failed: " + e);
        }
    }

    /** Writes up to {@code max} dirty devices; returns how many records were sent. */
    private int writeDirty(int max) {
        IntArrayList batch = new IntArrayList();
        synchronized (dirty) {
            IntIterator it = dirty.iterator();
            while (it.hasNext() && batch.size() < max) {
                batch.add(it.nextInt());
                it.remove();
            }
        }
        int sent = 0;
        for (int i = 0; i < batch.size(); i++) {
            int ip = batch.getInt(i);
            synchronized (sending) {
                if (!owns.test(ip)) {
                    continue; // its partition moved: the new owner writes it from now on
                }
                Optional<Device> d = lookup.apply(ip);
                byte[] value = d.map(DeviceCodec::value).orElse(null);
                producer.send(new ProducerRecord<>(config.changelogTopic(), partition(ip), DeviceCodec.key(ip), value),
                        (meta, error) -> {
                            if (error != null) {
                                sendFailures.incrementAndGet();
                                mark(ip);
                            }
                        });
                sent++;
                written.incrementAndGet();
                if (value == null) {
                    tombstones.incrementAndGet();
                }
            }
        }
        return sent;
    }

    private int partition(int ip) {
        return AddressPartitioner.partitionOf(ip, config.partitions());
    }

    // ---------------------------------------------------------------- member thread

    /**
     * The partitions were revoked (their ownership flag is already cleared): returns once every
     * record written for them is delivered or failed (the producer's delivery timeout bounds it).
     */
    void revoked() {
        synchronized (sending) {
            if (running) {
                producer.flush();
            }
        }
    }

    /**
     * Reads {@code partitions} of the changelog from the beginning to the end offsets captured
     * now, within {@code bound}. A record that cannot be decoded is counted and skipped.
     */
    Restored restore(Collection<Integer> partitions, Duration bound) {
        long t0 = System.nanoTime();
        long deadline = t0 + bound.toNanos();
        List<TopicPartition> tps = new ArrayList<>();
        for (int p : partitions) {
            tps.add(new TopicPartition(config.changelogTopic(), p));
        }
        Map<TopicPartition, Long> end = restorer.endOffsets(tps, bound);
        restorer.assign(tps);
        restorer.seekToBeginning(tps);
        Map<Integer, Device> found = new HashMap<>();
        long records = 0;
        long tomb = 0;
        long corrupt = 0;
        long bytes = 0;
        boolean complete = false;
        while (System.nanoTime() - deadline < 0) {
            complete = true;
            for (TopicPartition tp : tps) {
                if (restorer.position(tp, bound) < end.getOrDefault(tp, 0L)) {
                    complete = false;
                    break;
                }
            }
            if (complete) {
                break;
            }
            for (ConsumerRecord<byte[], byte[]> r : restorer.poll(Duration.ofMillis(200))) {
                if (r.offset() >= end.getOrDefault(new TopicPartition(r.topic(), r.partition()), 0L)) {
                    continue; // written after the capture: ours
                }
                records++;
                bytes += (r.key() == null ? 0 : r.key().length) + (r.value() == null ? 0 : r.value().length);
                try {
                    int ip = DeviceCodec.ipv4(r.key());
                    if (r.value() == null) {
                        found.remove(ip);
                        tomb++;
                    } else {
                        found.put(ip, DeviceCodec.device(ip, r.value()));
                    }
                } catch (IllegalArgumentException e) {
                    corrupt++;
                    if (corrupt == 1) {
                        LOG.log(System.Logger.Level.WARNING, "fleet: skipping a bad changelog record at " + r.topic()
                                + "-" + r.partition() + "@" + r.offset() + ": " + e.getMessage());
                    }
                }
            }
        }
        // stays assigned (unsubscribing now would race the fetch in flight); the next restore reassigns
        return new Restored(List.copyOf(found.values()), records, tomb, corrupt, bytes,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), complete);
    }

    /** Within the current restore, on the member thread. */
    void restoring(boolean on) {
        restoring = on ? Thread.currentThread() : null;
    }

    /**
     * Stops the writer after a last pass, delivers what the producer holds (bounded), closes the
     * clients. Call it while the member still owns its partitions (before it leaves the group), so
     * the last records are in the topic before a new owner reads. Idempotent.
     */
    @Override
    public void close() {
        synchronized (sending) {
            running = false;
        }
        LockSupport.unpark(writer);
        try {
            writer.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(Duration.ofSeconds(5));
        restorer.close(Duration.ofSeconds(5));
    }
}
