package dev.netscan.fleet;

import dev.netscan.core.ConfigProblems;
import dev.netscan.core.InvalidConfigException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The {@code fleet:} section: which Kafka cluster and group this instance shares the target space
 * through. Immutable; built by {@link #builder()} or {@link #fromMap} (the YAML section as a map),
 * both validated in {@link Builder#build()}, which reports every problem at once.
 *
 * @param kafkaBootstrap Kafka bootstrap servers, {@code host:port[,host:port...]}
 * @param group the consumer group; instances with the same group share one target space
 * @param partitions how many partitions the target space is split into (the ownership topic has
 *     exactly this many); fixed for the life of a group, since it decides which instance owns an address
 * @param topic the small compacted topic whose partition assignment is the ownership
 * @param instance this instance's name, the {@code instance} tag and the Kafka {@code client.id}
 * @param groupProtocol {@code auto} (default: {@code consumer} where the cluster offers it, else
 *     {@code classic}), {@code consumer} (KIP-848, Kafka 4.0+) or {@code classic}
 * @param sessionTimeout how long the group waits for a silent (killed) member before its
 *     partitions move; with the {@code consumer} protocol this is set as the group's
 *     {@code consumer.session.timeout.ms}, which the broker bounds by
 *     {@code group.consumer.min.session.timeout.ms} (default 45 s)
 * @param heartbeatInterval how often members tell the coordinator they are alive
 * @param clientProperties passed to the Kafka clients as they are (security: {@code security.protocol},
 *     {@code sasl.*}, {@code ssl.*}); they win over what netscan sets, except {@code group.id},
 *     {@code bootstrap.servers} and the deserializers
 * @param changelog whether each partition's registry is kept in the compacted changelog topic
 *     {@code <topic>.registry} and restored by a new owner (default true)
 * @param changelogRefresh how often every owned device's record is rewritten (its last seen);
 *     state changes are written within a second (default 5 min)
 * @param changelogMaxRate the most changelog records a second this instance writes (default 2,000)
 * @param resultsTopic the topic every point also goes to in line protocol, tagged
 *     {@code instance}; empty for none (default)
 */
public record FleetConfig(String kafkaBootstrap, String group, int partitions, String topic, String instance,
        String groupProtocol, Duration sessionTimeout, Duration heartbeatInterval,
        Map<String, String> clientProperties, boolean changelog, Duration changelogRefresh, int changelogMaxRate,
        Optional<String> resultsTopic) {

    /** The default number of partitions of the target space. */
    public static final int DEFAULT_PARTITIONS = 64;

    public FleetConfig {
        clientProperties = Map.copyOf(clientProperties);
    }

    /** The compacted changelog topic of the partitions' registries: {@code <topic>.registry}. */
    public String changelogTopic() {
        return topic + ".registry";
    }

    /** A builder with the defaults: 64 partitions, protocol {@code auto}, 6 s session, 1 s heartbeat. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Reads the {@code fleet:} section as loaded from YAML: keys {@code kafka_bootstrap},
     * {@code group}, {@code partitions}, {@code topic}, {@code instance}, {@code group_protocol},
     * {@code session_timeout} and {@code heartbeat_interval} (ISO-8601 or {@code 6s}/{@code 500ms}),
     * {@code kafka} (a map of client properties). Unknown keys are errors.
     *
     * @throws InvalidConfigException naming every bad key as {@code fleet.<key>}
     */
    public static FleetConfig fromMap(Map<String, ?> section) {
        Builder b = builder();
        ConfigProblems problems = new ConfigProblems();
        for (Map.Entry<String, ?> e : section.entrySet()) {
            String key = e.getKey();
            Object v = e.getValue();
            String where = "fleet." + key;
            try {
                switch (key) {
                    case "kafka_bootstrap" -> b.kafkaBootstrap(text(v, where));
                    case "group" -> b.group(text(v, where));
                    case "topic" -> b.topic(text(v, where));
                    case "instance" -> b.instance(text(v, where));
                    case "group_protocol" -> b.groupProtocol(text(v, where));
                    case "partitions" -> b.partitions(integer(v, where));
                    case "session_timeout" -> b.sessionTimeout(duration(v, where));
                    case "heartbeat_interval" -> b.heartbeatInterval(duration(v, where));
                    case "changelog" -> b.changelog(bool(v, where));
                    case "changelog_refresh" -> b.changelogRefresh(duration(v, where));
                    case "changelog_max_rate" -> b.changelogMaxRate(integer(v, where));
                    case "results_topic" -> b.resultsTopic(text(v, where));
                    case "kafka" -> {
                        if (!(v instanceof Map<?, ?> m)) {
                            throw new IllegalArgumentException(where + ": must be a map of Kafka client properties, got " + v);
                        }
                        m.forEach((k, pv) -> b.clientProperty(String.valueOf(k), String.valueOf(pv)));
                    }
                    default -> throw new IllegalArgumentException(where + ": unknown key (known: kafka_bootstrap, group,"
                            + " partitions, topic, instance, group_protocol, session_timeout, heartbeat_interval, kafka,"
                            + " changelog, changelog_refresh, changelog_max_rate, results_topic)");
                }
            } catch (IllegalArgumentException ex) {
                // the message starts with "fleet.<key>: "
                String m = ex.getMessage();
                problems.add(where, m.startsWith(where + ": ") ? m.substring(where.length() + 2) : m);
            }
        }
        FleetConfig c = problems.collect(b::build);
        problems.throwIfAny();
        return c;
    }

    private static String text(Object v, String where) {
        if (!(v instanceof String s)) {
            throw new IllegalArgumentException(where + ": must be a string, got " + v);
        }
        return s;
    }

    private static boolean bool(Object v, String where) {
        if (v instanceof Boolean bo) {
            return bo;
        }
        throw new IllegalArgumentException(where + ": must be true or false, got " + v);
    }

    private static int integer(Object v, String where) {
        if (v instanceof Integer i) {
            return i;
        }
        throw new IllegalArgumentException(where + ": must be a whole number, got " + v);
    }

    private static Duration duration(Object v, String where) {
        String s = String.valueOf(v).trim().toLowerCase(Locale.ROOT);
        try {
            if (s.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
            }
            if (s.endsWith("s")) {
                return Duration.ofSeconds(Long.parseLong(s.substring(0, s.length() - 1)));
            }
            return Duration.parse(s.toUpperCase(Locale.ROOT));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(where + ": not a duration (e.g. 6s, 500ms, PT6S): " + v);
        }
    }

    /** Builds a {@link FleetConfig}; not thread-safe. */
    public static final class Builder {
        private String kafkaBootstrap;
        private String group;
        private int partitions = DEFAULT_PARTITIONS;
        private String topic;
        private String instance;
        private String groupProtocol = "auto";
        private Duration sessionTimeout = Duration.ofSeconds(6);
        private Duration heartbeatInterval = Duration.ofSeconds(1);
        private final Map<String, String> clientProperties = new TreeMap<>();
        private boolean changelog = true;
        private Duration changelogRefresh = Duration.ofMinutes(5);
        private int changelogMaxRate = 2_000;
        private String resultsTopic;

        private Builder() {}

        public Builder kafkaBootstrap(String v) { kafkaBootstrap = v; return this; }
        public Builder group(String v) { group = v; return this; }
        public Builder partitions(int v) { partitions = v; return this; }
        /** Default {@code netscan-fleet.<group>}. */
        public Builder topic(String v) { topic = v; return this; }
        /** Default: the host name (stable across restarts: it tags the points); set it when a host runs several. */
        public Builder instance(String v) { instance = v; return this; }
        public Builder groupProtocol(String v) { groupProtocol = v; return this; }
        public Builder sessionTimeout(Duration v) { sessionTimeout = v; return this; }
        public Builder heartbeatInterval(Duration v) { heartbeatInterval = v; return this; }
        /** Keep the partitions' registries in the changelog topic (default true). */
        public Builder changelog(boolean v) { changelog = v; return this; }
        /** How often every owned device's record is rewritten, 1 s..1 day (default 5 min). */
        public Builder changelogRefresh(Duration v) { changelogRefresh = v; return this; }
        /** The most changelog records a second, 10..1,000,000 (default 2,000). */
        public Builder changelogMaxRate(int v) { changelogMaxRate = v; return this; }
        /** The results topic; null for none (default). */
        public Builder resultsTopic(String v) { resultsTopic = v; return this; }
        /** One Kafka client property, e.g. {@code security.protocol=SASL_SSL}. */
        public Builder clientProperty(String key, String value) {
            clientProperties.put(Objects.requireNonNull(key), Objects.requireNonNull(value));
            return this;
        }

        /** @throws InvalidConfigException listing every problem, each naming its {@code fleet.} key */
        public FleetConfig build() {
            ConfigProblems p = new ConfigProblems();
            if (kafkaBootstrap == null || kafkaBootstrap.isBlank()) {
                p.add("fleet.kafka_bootstrap", "required (host:port[,host:port...])");
            } else {
                for (String server : kafkaBootstrap.split(",")) {
                    String s = server.trim();
                    int colon = s.lastIndexOf(':');
                    if (colon <= 0 || !isPort(s.substring(colon + 1))) {
                        p.add("fleet.kafka_bootstrap", "'" + s + "' is not host:port");
                    }
                }
            }
            if (group == null || !group.matches("[A-Za-z0-9._-]{1,200}")) {
                p.add("fleet.group", "required, 1-200 of A-Z a-z 0-9 . _ - (got " + group + ")");
            }
            if (partitions < 1 || partitions > 10_000) {
                p.add("fleet.partitions", "must be 1..10000, got " + partitions);
            }
            String t = topic != null ? topic : "netscan-fleet." + group;
            if (!t.matches("[A-Za-z0-9._-]{1,249}")) {
                p.add("fleet.topic", "not a valid Kafka topic name: " + t);
            }
            if (!List.of("auto", "consumer", "classic").contains(groupProtocol)) {
                p.add("fleet.group_protocol", "must be auto, consumer or classic, got " + groupProtocol);
            }
            if (sessionTimeout == null || sessionTimeout.toMillis() < 1_000 || sessionTimeout.toMillis() > 3_600_000) {
                p.add("fleet.session_timeout", "must be 1s..1h, got " + sessionTimeout);
            }
            if (heartbeatInterval == null || heartbeatInterval.toMillis() < 100
                    || sessionTimeout != null && heartbeatInterval.compareTo(sessionTimeout) >= 0) {
                p.add("fleet.heartbeat_interval", "must be at least 100ms and below session_timeout, got " + heartbeatInterval);
            }
            for (String k : List.of("group.id", "bootstrap.servers", "key.deserializer", "value.deserializer",
                    "group.protocol", "enable.auto.commit")) {
                if (clientProperties.containsKey(k)) {
                    p.add("fleet.kafka." + k, "set by netscan, remove it (use fleet.group / fleet.kafka_bootstrap"
                            + " / fleet.group_protocol)");
                }
            }
            if (changelogRefresh == null || changelogRefresh.toMillis() < 1_000 || changelogRefresh.toDays() > 1) {
                p.add("fleet.changelog_refresh", "must be 1s..1d, got " + changelogRefresh);
            }
            if (changelogMaxRate < 10 || changelogMaxRate > 1_000_000) {
                p.add("fleet.changelog_max_rate", "must be 10..1000000 records a second, got " + changelogMaxRate);
            }
            if (resultsTopic != null && !resultsTopic.matches("[A-Za-z0-9._-]{1,249}")) {
                p.add("fleet.results_topic", "not a valid Kafka topic name: " + resultsTopic);
            }
            String inst = instance != null ? instance : defaultInstance();
            if (!inst.matches("[A-Za-z0-9._:-]{1,200}")) {
                p.add("fleet.instance", "1-200 of A-Z a-z 0-9 . _ : - (it is a tag value and a client id), got " + inst);
            }
            p.throwIfAny();
            return new FleetConfig(kafkaBootstrap.trim(), group, partitions, t, inst, groupProtocol, sessionTimeout,
                    heartbeatInterval, clientProperties, changelog, changelogRefresh, changelogMaxRate,
                    Optional.ofNullable(resultsTopic));
        }

        private static boolean isPort(String s) {
            try {
                int port = Integer.parseInt(s);
                return port > 0 && port < 65_536;
            } catch (NumberFormatException e) {
                return false;
            }
        }

        private static String defaultInstance() {
            String host;
            try {
                host = java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.io.IOException e) {
                host = "netscan";
            }
            return host.replaceAll("[^A-Za-z0-9._:-]", "_");
        }
    }
}
