package dev.netscan.fleet;

import dev.netscan.service.NetscanService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntPredicate;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.FinalizedVersionRange;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * One instance's membership in a fleet: joins the Kafka consumer group of {@link FleetConfig#group()}
 * on the ownership topic and owns the partitions of the target space that Kafka assigns it.
 *
 * <p>Use: {@code FleetMember m = FleetMember.create(fleet);} then build the service with
 * {@code m.configure(NetscanService.builder(config))} (the ownership predicate and, when
 * {@code results_topic} is set, the results sink), start it, and {@link #start(NetscanService)}
 * the member. From then on the service sweeps, pings and queries only addresses whose
 * {@link AddressPartitioner partition} this member owns.
 *
 * <p>Registry changelog (unless {@code changelog: false}): the owner writes its partitions'
 * devices to {@link FleetConfig#changelogTopic()} (state changes within a second, every device
 * each {@code changelog_refresh}, at most {@code changelog_max_rate} records a second); a new
 * owner restores them on assignment, before the service reconciles and sweeps, so it pings them
 * without rediscovering them (see {@code RegistryChangelog}).
 *
 * <p>Handover: Kafka calls {@code onPartitionsRevoked} on this member's thread, and this member
 * takes the partitions' devices off the service's schedule (bounded) before it returns; only then
 * does the group coordinator hand the partitions to another member (the consumer protocol waits for
 * the revoking member's acknowledgement; the classic eager protocol revokes everything before the
 * new assignment). So the handover window in which two instances may ping one device is at most
 * the probes already in flight (one ping timeout). A member that dies without leaving (kill -9)
 * keeps its partitions until the group's session timeout expires; nothing pings them in that gap.
 *
 * <p>Thread-safe. {@link #owns} is allocation-free and may be called from any thread.
 */
public final class FleetMember implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(FleetMember.class.getName());
    private static final Duration HANDOVER_BOUND = Duration.ofSeconds(5);
    private static final Duration RESTORE_BOUND = Duration.ofSeconds(30);

    private final FleetConfig config;
    /** Owned partitions; replaced (never mutated) by the member thread, read by any thread. */
    private volatile boolean[] owned;
    private final AtomicLong ownershipChanges = new AtomicLong();
    private final Object lifecycle = new Object();
    private volatile boolean running;
    private Thread thread;
    private KafkaConsumer<byte[], byte[]> consumer;
    private NetscanService service;
    private String protocol;
    /** The registry changelog, or null when disabled; set by start(). */
    private volatile RegistryChangelog changelog;
    /** The results sink, or null; created by {@link #resultsSink()}, closed by {@link #close()}. */
    private dev.netscan.influx.LineProtocolStreamSink results;
    /** What the last restore read (member thread writes, any thread reads). */
    private volatile RegistryChangelog.Restored lastRestore;

    private FleetMember(FleetConfig config) {
        this.config = config;
        this.owned = new boolean[config.partitions()];
    }

    /** A member for {@code config}; it owns nothing until {@link #start} and Kafka's first assignment. */
    public static FleetMember create(FleetConfig config) {
        return new FleetMember(java.util.Objects.requireNonNull(config, "config"));
    }

    /**
     * Sets {@code builder}'s ownership predicate, the {@code instance} tag on the points written
     * to the database and, when {@code results_topic} is configured, the results sink as its
     * second sink; returns {@code builder}.
     */
    public NetscanService.Builder configure(NetscanService.Builder builder) {
        return builder.ownership(ownership()).pointTag("instance", config.instance())
                .alsoSink(resultsSink().orElse(null));
    }

    /**
     * The sink that writes every point to {@code results_topic} in line protocol, tagged
     * {@code instance}; started on the first call, closed by {@link #close()}. Its
     * {@link dev.netscan.core.MetricsSink#counters()} account for its points. Empty without
     * {@code results_topic}.
     */
    public synchronized Optional<dev.netscan.core.MetricsSink> resultsSink() {
        if (config.resultsTopic().isEmpty()) {
            return Optional.empty();
        }
        if (results == null) {
            results = ResultsTopic.sink(clientProperties(), config.resultsTopic().get(), config.instance(), 65_536).start();
        }
        return Optional.of(results);
    }

    /** The predicate to give {@link NetscanService.Builder#ownership}. */
    public IntPredicate ownership() {
        return this::owns;
    }

    /** Whether this member owns {@code ipv4}'s partition now. */
    public boolean owns(int ipv4) {
        return owned[AddressPartitioner.partitionOf(ipv4, owned.length)];
    }

    /** The partition of the target space {@code ipv4} belongs to in this fleet. */
    public int partitionOf(int ipv4) {
        return AddressPartitioner.partitionOf(ipv4, config.partitions());
    }

    /** The partitions owned now, ascending. */
    public List<Integer> ownedPartitions() {
        boolean[] o = owned;
        List<Integer> list = new ArrayList<>();
        for (int p = 0; p < o.length; p++) {
            if (o[p]) {
                list.add(p);
            }
        }
        return List.copyOf(list);
    }

    /** How many times the owned set changed (assignments, revocations, losses). */
    public long ownershipChanges() {
        return ownershipChanges.get();
    }

    /** The group protocol in use ({@code consumer} or {@code classic}); empty before {@link #start}. */
    public Optional<String> groupProtocol() {
        return Optional.ofNullable(protocol);
    }

    /**
     * Ensures the ownership topic exists (compacted, {@code partitions} partitions), picks the group
     * protocol, sets the group's session timeout, and joins the group on a member thread.
     * Idempotent. Bounded: each admin call waits at most 30 s.
     *
     * @throws FleetException when Kafka cannot be reached, the topic has another partition count,
     *     or the protocol asked for is not offered; the message says which and what to do
     */
    public void start(NetscanService service) {
        synchronized (lifecycle) {
            if (thread != null) {
                return;
            }
            this.service = java.util.Objects.requireNonNull(service, "service");
            requireCodec();
            try (Admin admin = Admin.create(clientProperties())) {
                ensureTopic(admin, config.topic(), "ownership");
                if (config.changelog()) {
                    ensureTopic(admin, config.changelogTopic(), "registry changelog");
                }
                protocol = chooseProtocol(admin);
                if ("consumer".equals(protocol)) {
                    setGroupTimeouts(admin);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new FleetException("interrupted while preparing the fleet group " + config.group(), e);
            }
            Properties p = clientProperties();
            p.put(ConsumerConfig.GROUP_ID_CONFIG, config.group());
            p.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, protocol);
            p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
            p.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
            if ("classic".equals(protocol)) {
                p.putIfAbsent(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, Long.toString(config.sessionTimeout().toMillis()));
                p.putIfAbsent(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG,
                        Long.toString(config.heartbeatInterval().toMillis()));
            }
            consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
            if (config.changelog()) {
                changelog = openChangelog(service);
                service.addDeviceListener(changelog);
            }
            running = true;
            thread = Thread.ofPlatform().name("netscan-fleet-member").daemon(true).start(this::run);
        }
    }

    /** A compression codec asked for must be on the class path (the CLI jar leaves zstd and snappy out). */
    private void requireCodec() {
        String codec = config.clientProperties().getOrDefault(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
        String probe = switch (codec) {
            case "zstd" -> "com.github.luben.zstd.Zstd";
            case "snappy" -> "org.xerial.snappy.Snappy";
            case "lz4" -> "net.jpountz.lz4.LZ4Factory";
            default -> null;
        };
        if (probe == null) {
            return;
        }
        try {
            Class.forName(probe, false, FleetMember.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new FleetException("fleet.kafka.compression.type: " + codec + " needs its codec library, which this"
                    + " build leaves out; use lz4 or none");
        }
    }

    private Properties clientProperties() {
        Properties p = new Properties();
        p.put(CommonClientConfigs.CLIENT_ID_CONFIG, "netscan-" + config.instance());
        p.putAll(config.clientProperties());
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrap());
        return p;
    }

    private RegistryChangelog openChangelog(NetscanService service) {
        Properties prod = clientProperties();
        prod.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, "20");
        prod.putIfAbsent(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        prod.putIfAbsent(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "10000"); // bounds the flush at revocation
        prod.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, "5000");
        Properties cons = clientProperties();
        cons.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        cons.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        cons.put(CommonClientConfigs.CLIENT_ID_CONFIG, "netscan-" + config.instance() + "-restore");
        KafkaConsumer<byte[], byte[]> restorer = new KafkaConsumer<>(cons, new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
        List<TopicPartition> all = new ArrayList<>();
        for (int i = 0; i < config.partitions(); i++) {
            all.add(new TopicPartition(config.changelogTopic(), i));
        }
        try {
            // every partition's leader answers before the first write (a topic created a moment ago
            // says "not leader" for a while, and a producer that met that may wait out its timeout)
            restorer.endOffsets(all, Duration.ofSeconds(30));
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "fleet: the changelog topic " + config.changelogTopic()
                    + " does not answer yet (" + e + "); continuing");
        }
        return new RegistryChangelog(config, this::owns, service::device, service::devices,
                new KafkaProducer<>(prod, new ByteArraySerializer(), new ByteArraySerializer()), restorer);
    }

    private void ensureTopic(Admin admin, String name, String what) throws InterruptedException {
        NewTopic topic = new NewTopic(name, Optional.of(config.partitions()), Optional.empty())
                .configs(Map.of("cleanup.policy", "compact"));
        try {
            admin.createTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
            LOG.log(System.Logger.Level.INFO, "fleet: created " + what + " topic " + name + " with "
                    + config.partitions() + " partitions");
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw unreachable("create the " + what + " topic " + name, e.getCause());
            }
            int existing = describe(admin, name).partitions().size();
            if (existing != config.partitions()) {
                throw new FleetException("fleet: topic " + name + " has " + existing
                        + " partitions but fleet.partitions is " + config.partitions()
                        + "; every instance of group " + config.group() + " must use the same number");
            }
        } catch (TimeoutException e) {
            throw unreachable("create the " + what + " topic " + name, e);
        }
    }

    private TopicDescription describe(Admin admin, String name) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                return admin.describeTopics(List.of(name)).allTopicNames().get(30, TimeUnit.SECONDS).get(name);
            } catch (ExecutionException e) {
                // another instance created it a moment ago: its metadata is on its way to this broker
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() - deadline > 0) {
                    throw unreachable("describe topic " + name, e.getCause());
                }
                Thread.sleep(200);
            } catch (TimeoutException e) {
                throw unreachable("describe topic " + name, e);
            }
        }
    }

    private String chooseProtocol(Admin admin) throws InterruptedException {
        if ("classic".equals(config.groupProtocol())) {
            return "classic";
        }
        FinalizedVersionRange groupVersion;
        try {
            groupVersion = admin.describeFeatures().featureMetadata().get(30, TimeUnit.SECONDS)
                    .finalizedFeatures().get("group.version");
        } catch (ExecutionException | TimeoutException e) {
            throw unreachable("describe the cluster's features", e instanceof ExecutionException ? e.getCause() : e);
        }
        if (groupVersion == null || groupVersion.maxVersionLevel() < 1) {
            if ("auto".equals(config.groupProtocol())) {
                LOG.log(System.Logger.Level.INFO, "fleet: the cluster does not offer the consumer group protocol;"
                        + " using classic");
                return "classic";
            }
            throw new FleetException("fleet: the Kafka cluster at " + config.kafkaBootstrap()
                    + " does not offer the consumer group protocol (KIP-848, feature group.version >= 1, Kafka 4.0+);"
                    + " set fleet.group_protocol: classic");
        }
        return "consumer";
    }

    private void setGroupTimeouts(Admin admin) throws InterruptedException {
        ConfigResource group = new ConfigResource(ConfigResource.Type.GROUP, config.group());
        List<AlterConfigOp> ops = List.of(
                new AlterConfigOp(new ConfigEntry("consumer.session.timeout.ms",
                        Long.toString(config.sessionTimeout().toMillis())), AlterConfigOp.OpType.SET),
                new AlterConfigOp(new ConfigEntry("consumer.heartbeat.interval.ms",
                        Long.toString(config.heartbeatInterval().toMillis())), AlterConfigOp.OpType.SET));
        try {
            admin.incrementalAlterConfigs(Map.of(group, ops)).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            // not fatal: the group runs with the broker's defaults, failover just takes longer
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            LOG.log(System.Logger.Level.WARNING, "fleet: could not set group " + config.group()
                    + " consumer.session.timeout.ms=" + config.sessionTimeout().toMillis()
                    + " (" + cause + "); a killed instance's devices wait for the broker's"
                    + " group.consumer.session.timeout.ms (default 45 s) instead; lower the broker's"
                    + " group.consumer.min.session.timeout.ms to allow it");
        }
    }

    private FleetException unreachable(String what, Throwable cause) {
        return new FleetException("fleet: could not " + what + " on Kafka at " + config.kafkaBootstrap() + ": "
                + cause, cause);
    }

    private void run() {
        try {
            consumer.subscribe(List.of(config.topic()), new Handover());
            while (running) {
                try {
                    consumer.poll(Duration.ofMillis(100)); // drives heartbeats' callbacks; records unused yet
                } catch (WakeupException e) {
                    // close() wakes us
                } catch (RuntimeException e) {
                    if (running) {
                        LOG.log(System.Logger.Level.ERROR, "fleet: poll failed; retrying", e);
                        parkQuietly();
                    }
                }
            }
        } finally {
            try {
                consumer.close(Duration.ofSeconds(5)); // leaves the group: the others take over at once
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "fleet: closing the consumer failed", e);
            }
        }
    }

    private static void parkQuietly() {
        try {
            Thread.sleep(1_000); // back off before the next poll after a failure
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void change(Collection<TopicPartition> parts, boolean own, String why) {
        boolean[] next = owned.clone();
        for (TopicPartition tp : parts) {
            if (tp.topic().equals(config.topic()) && tp.partition() < next.length) {
                next[tp.partition()] = own;
            }
        }
        owned = next;
        ownershipChanges.incrementAndGet();
        if (!service.running()) {
            return; // the service closed first (the right order at shutdown): nothing left to stop
        }
        long t0 = System.nanoTime();
        boolean done;
        try {
            RegistryChangelog log = changelog;
            if (log != null && own) {
                restore(log, parts);
            }
            done = service.ownershipChanged(HANDOVER_BOUND);
            if (log != null && !own) {
                log.revoked(); // what this member wrote for them is in the topic before it lets go
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "fleet: applying the new ownership failed", e);
            return;
        }
        List<Integer> now = ownedPartitions();
        LOG.log(done ? System.Logger.Level.INFO : System.Logger.Level.WARNING, "fleet " + config.instance() + ": "
                + why + " " + parts.size() + " partitions in "
                + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) + " ms" + (done ? "" : " (bound passed)")
                + "; owns " + now.size() + "/" + config.partitions() + " " + now);
    }

    /** Restores the devices of newly owned partitions from the changelog (member thread). */
    private void restore(RegistryChangelog log, Collection<TopicPartition> parts) {
        List<Integer> ps = new ArrayList<>();
        for (TopicPartition tp : parts) {
            ps.add(tp.partition());
        }
        log.restoring(true);
        try {
            RegistryChangelog.Restored r = log.restore(ps, RESTORE_BOUND);
            int added = service.restoreDevices(r.devices());
            lastRestore = r;
            LOG.log(r.complete() && r.corrupt() == 0 ? System.Logger.Level.INFO : System.Logger.Level.WARNING,
                    "fleet " + config.instance() + ": restored " + added + " devices of " + ps.size()
                    + " partitions from " + r.records() + " changelog records (" + r.bytes() + " bytes, "
                    + r.tombstones() + " tombstones, " + r.corrupt() + " unreadable) in " + r.millis() + " ms"
                    + (r.complete() ? "" : " (incomplete: the bound passed; a sweep finds the rest)"));
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "fleet: restoring from the changelog failed; a sweep finds the"
                    + " devices instead", e);
        } finally {
            log.restoring(false);
        }
    }

    /** What the last restore from the changelog read; empty before the first. */
    Optional<RegistryChangelog.Restored> lastRestore() {
        return Optional.ofNullable(lastRestore);
    }

    /** Changelog records written by this member so far (0 when the changelog is off). */
    public long changelogRecordsWritten() {
        RegistryChangelog log = changelog;
        return log == null ? 0 : log.written();
    }

    /** Runs on the member thread, inside poll(). */
    private final class Handover implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (!partitions.isEmpty()) {
                change(partitions, false, "revoked");
            }
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (!partitions.isEmpty()) {
                change(partitions, true, "assigned");
            }
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            if (!partitions.isEmpty()) {
                change(partitions, false, "lost");
            }
        }
    }

    /**
     * Writes the last changelog records and delivers them (about 10 s at most), then leaves the
     * group (the other members take this member's partitions at once, and read those records) and
     * stops the member thread (about 10 s), then closes the results sink. Does not close the
     * service: close the service first, then the member, so that no device is pinged by this
     * instance after another one took it over. Idempotent.
     */
    @Override
    public void close() {
        RegistryChangelog log = changelog;
        if (log != null) {
            log.close(); // its last records go out while this member still owns the partitions
        }
        Thread t;
        synchronized (lifecycle) {
            running = false;
            t = thread;
        }
        if (t != null) {
            consumer.wakeup();
            try {
                t.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (this) {
            if (results != null) {
                results.close();
            }
        }
        owned = new boolean[config.partitions()];
    }
}
