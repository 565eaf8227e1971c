package dev.netscan.discovery;

import dev.netscan.core.ConfigProblems;
import dev.netscan.core.InvalidConfigException;

/**
 * Immutable configuration of an {@link IcmpEngine}. Build with {@link #builder()}; {@code build()}
 * reports every invalid setting at once.
 *
 * @param requiredKind the socket kind to use, or null to prefer {@link SocketKind#DATAGRAM} and
 *     fall back to {@link SocketKind#RAW}
 * @param rateLimitPps initial send rate limit in echo requests per second (retries included);
 *     0 means unlimited. Adjustable at run time with {@link IcmpEngine#setRateLimitPps(long)}
 * @param maxInFlight initial bound on probes in flight, 1 to {@code slotCapacity}; adjustable with
 *     {@link IcmpEngine#setMaxInFlight(int)}
 * @param slotCapacity size of the in-flight slot table (fixed for the engine's life); about 60
 *     bytes of heap per slot
 * @param laneQueueCapacity probes each {@link Lane} can queue before {@code trySubmit} returns false
 * @param receiveBufferBytes socket receive buffer requested (SO_RCVBUFFORCE when permitted, else
 *     SO_RCVBUF, which the kernel caps at {@code net.core.rmem_max})
 * @param sendBufferBytes socket send buffer requested
 * @param batchSize messages per {@code sendmmsg}/{@code recvmmsg} call, 1 to 1024
 * @param ipv6 whether to open an ICMPv6 socket too (a failure to open it is not fatal: IPv6
 *     submissions then complete with ERROR)
 * @param parallelSend whether full IPv4 batches may be sent by a second thread on a second,
 *     send-only socket, so the kernel's per-packet send work (most of a sweep's cost) runs on two
 *     cores; only full batches go there, so at monitoring rates it stays idle
 */
public record IcmpEngineConfig(
        SocketKind requiredKind,
        long rateLimitPps,
        int maxInFlight,
        int slotCapacity,
        int laneQueueCapacity,
        int receiveBufferBytes,
        int sendBufferBytes,
        int batchSize,
        boolean ipv6,
        boolean parallelSend) {

    /** Defaults: auto socket kind, unlimited rate, 131,072 slots all usable, 256-message batches. */
    public static IcmpEngineConfig defaults() {
        return builder().build();
    }

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** Collects settings; not thread-safe. */
    public static final class Builder {
        private SocketKind requiredKind;
        private long rateLimitPps;
        private int slotCapacity = 131_072;
        private int maxInFlight = -1;
        private int laneQueueCapacity = 8_192;
        private int receiveBufferBytes = 32 << 20;
        private int sendBufferBytes = 4 << 20;
        private int batchSize = 256;
        private boolean ipv6 = true;
        private boolean parallelSend = true;

        private Builder() {}

        /** The socket kind to require; null (the default) prefers DATAGRAM and falls back to RAW. */
        public Builder requiredKind(SocketKind kind) {
            this.requiredKind = kind;
            return this;
        }

        /** Initial rate limit in echo requests per second; 0 (the default) = unlimited. */
        public Builder rateLimitPps(long pps) {
            this.rateLimitPps = pps;
            return this;
        }

        /** Defaults to {@code slotCapacity}. */
        public Builder maxInFlight(int max) {
            this.maxInFlight = max;
            return this;
        }

        /** Size of the in-flight slot table, 1 to 16,777,216; default 131,072. */
        public Builder slotCapacity(int slots) {
            this.slotCapacity = slots;
            return this;
        }

        /** Probes each lane can queue; default 8,192. */
        public Builder laneQueueCapacity(int capacity) {
            this.laneQueueCapacity = capacity;
            return this;
        }

        /** Socket receive buffer to request, bytes; default 32 MiB (the kernel doubles it). */
        public Builder receiveBufferBytes(int bytes) {
            this.receiveBufferBytes = bytes;
            return this;
        }

        /** Socket send buffer to request, bytes; default 4 MiB. */
        public Builder sendBufferBytes(int bytes) {
            this.sendBufferBytes = bytes;
            return this;
        }

        /** Messages per sendmmsg/recvmmsg call, 1 to 1024; default 256 (fewer system calls and native downcalls per packet, which matters most before the JIT has compiled the engine). */
        public Builder batchSize(int size) {
            this.batchSize = size;
            return this;
        }

        /** Whether to open an ICMPv6 socket too; default true. */
        public Builder ipv6(boolean enabled) {
            this.ipv6 = enabled;
            return this;
        }

        /** Whether full IPv4 batches may be sent by a second thread and socket; default true. */
        public Builder parallelSend(boolean enabled) {
            this.parallelSend = enabled;
            return this;
        }

        /** @throws InvalidConfigException listing every invalid setting, keyed by builder method name */
        public IcmpEngineConfig build() {
            ConfigProblems problems = new ConfigProblems();
            int max = maxInFlight < 0 ? slotCapacity : maxInFlight;
            problems.check(rateLimitPps >= 0, "rateLimitPps", "must be >= 0 (0 = unlimited), was " + rateLimitPps);
            if (problems.range("slotCapacity", slotCapacity, 1, 1 << 24)) {
                problems.range("maxInFlight", max, 1, slotCapacity);
            }
            problems.range("laneQueueCapacity", laneQueueCapacity, 1, Integer.MAX_VALUE);
            problems.range("receiveBufferBytes", receiveBufferBytes, 4096, Integer.MAX_VALUE);
            problems.range("sendBufferBytes", sendBufferBytes, 4096, Integer.MAX_VALUE);
            problems.range("batchSize", batchSize, 1, 1024);
            problems.throwIfAny();
            return new IcmpEngineConfig(requiredKind, rateLimitPps, max, slotCapacity, laneQueueCapacity,
                    receiveBufferBytes, sendBufferBytes, batchSize, ipv6, parallelSend);
        }
    }
}
