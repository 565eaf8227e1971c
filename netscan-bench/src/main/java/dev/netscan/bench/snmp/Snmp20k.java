package dev.netscan.bench.snmp;

import dev.netscan.core.Ipv4;
import dev.netscan.core.SnmpInfo;
import dev.netscan.discovery.snmp.SnmpCounters;
import dev.netscan.discovery.snmp.SnmpListener;
import dev.netscan.discovery.snmp.SnmpOutcome;
import dev.netscan.discovery.snmp.SnmpScanner;
import dev.netscan.discovery.snmp.SnmpSettings;
import dev.netscan.discovery.snmp.SnmpVersion;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Question: how long does the scanner take to enrich or time out 20,000 devices of which half are
 * silent (timeout 1 s, 1 retry)? Target: at most 15 s wall. Reference design: 32 blocking workers
 * with a 5 s timeout need about 10,000 x 5 s / 32 = 26 minutes for the silent half alone.
 *
 * <p>Run inside a network namespace prepared by {@code netscan-bench/scripts/snmp-20k.sh} (agent
 * on 0.0.0.0:PORT answering every 127.x.y.z; iptables dropping the silent half). Never sends
 * outside 127.0.0.0/8.
 *
 * <p>Usage: {@code Snmp20k PORT COMMUNITY DEVICES FIRST_ADDRESS MAX_IN_FLIGHT [async|blocking]};
 * prints one result line and exits 0 when every device ended within 120 s (async) or 600 s
 * (blocking), 1 otherwise. {@code blocking} is the reference design measured on the same set-up:
 * MAX_IN_FLIGHT platform threads each doing synchronous snmp4j GETs (same timeout and retry).
 */
public final class Snmp20k {
    private Snmp20k() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 5 && args.length != 6) {
            System.err.println("usage: Snmp20k PORT COMMUNITY DEVICES FIRST_ADDRESS MAX_IN_FLIGHT [async|blocking]");
            System.exit(2);
        }
        int port = Integer.parseInt(args[0]);
        String community = args[1];
        int devices = Integer.parseInt(args[2]);
        int first = Ipv4.parse(args[3]);
        int maxInFlight = Integer.parseInt(args[4]);
        if (!Ipv4.isLoopback(first) || !Ipv4.isLoopback(first + devices - 1)) {
            System.err.println("Snmp20k: addresses must stay inside 127.0.0.0/8");
            System.exit(2);
        }
        if (args.length == 6 && args[5].equals("blocking")) {
            blocking(port, community, devices, first, maxInFlight);
            return;
        }
        SnmpSettings settings = SnmpSettings.builder().version(SnmpVersion.V2C).community(community).port(port)
                .timeout(Duration.ofSeconds(1)).retries(1).maxInFlight(maxInFlight).build();
        CountDownLatch done = new CountDownLatch(devices);
        LongAdder ok = new LongAdder();
        LongAdder silent = new LongAdder();
        SnmpListener listener = new SnmpListener() {
            @Override
            public void onSuccess(int ipv4, SnmpInfo info, long ts) {
                ok.increment();
                done.countDown();
            }

            @Override
            public void onFailure(int ipv4, SnmpOutcome outcome, String detail) {
                if (outcome == SnmpOutcome.TIMEOUT) {
                    silent.increment();
                }
                done.countDown();
            }
        };
        try (SnmpScanner scanner = SnmpScanner.builder(settings).listener(listener).warnings(m -> {}).build()) {
            scanner.start();
            long t0 = System.nanoTime();
            for (int i = 0; i < devices; i++) {
                scanner.submit(first + i);
            }
            boolean all = done.await(120, TimeUnit.SECONDS);
            long wallMs = (System.nanoTime() - t0) / 1_000_000;
            SnmpCounters c = scanner.counters();
            System.out.printf("snmp-20k devices=%d maxInFlight=%d wall_ms=%d enriched=%d timed_out=%d other=%d requests=%d all_ended=%s target_15s=%s%n",
                    devices, maxInFlight, wallMs, ok.sum(), silent.sum(), c.errors() + c.authFailures(), c.requests(), all,
                    all && wallMs <= 15_000 ? "met" : "missed");
            System.exit(all ? 0 : 1);
        }
    }

    /** The reference design: N blocking workers, one synchronous GET each at a time. */
    private static void blocking(int port, String community, int devices, int first, int workers) throws Exception {
        java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
        LongAdder ok = new LongAdder();
        LongAdder silent = new LongAdder();
        try (org.snmp4j.Snmp snmp = new org.snmp4j.Snmp(new org.snmp4j.transport.DefaultUdpTransportMapping())) {
            snmp.listen();
            long t0 = System.nanoTime();
            Thread[] threads = new Thread[workers];
            for (int w = 0; w < workers; w++) {
                threads[w] = Thread.ofPlatform().start(() -> {
                    int i;
                    while ((i = next.getAndIncrement()) < devices) {
                        org.snmp4j.CommunityTarget<org.snmp4j.smi.UdpAddress> t = new org.snmp4j.CommunityTarget<>(
                                new org.snmp4j.smi.UdpAddress(Ipv4.format(first + i) + "/" + port),
                                new org.snmp4j.smi.OctetString(community));
                        t.setVersion(org.snmp4j.mp.SnmpConstants.version2c);
                        t.setTimeout(1000);
                        t.setRetries(1);
                        org.snmp4j.PDU pdu = new org.snmp4j.PDU();
                        for (int f = 1; f <= 6; f++) {
                            pdu.add(new org.snmp4j.smi.VariableBinding(new org.snmp4j.smi.OID(new int[] {1, 3, 6, 1, 2, 1, 1, f, 0})));
                        }
                        try {
                            if (snmp.get(pdu, t).getResponse() != null) {
                                ok.increment();
                            } else {
                                silent.increment();
                            }
                        } catch (java.io.IOException e) {
                            silent.increment();
                        }
                    }
                });
            }
            for (Thread th : threads) {
                th.join(600_000);
            }
            long wallMs = (System.nanoTime() - t0) / 1_000_000;
            System.out.printf("snmp-20k-baseline blocking_workers=%d devices=%d wall_ms=%d enriched=%d timed_out=%d"
                    + " (scaled to 20000 devices: %d s; reference 32 workers x 5 s timeout, 10000 silent: %d s)%n",
                    workers, devices, wallMs, ok.sum(), silent.sum(), wallMs * 20_000 / devices / 1000, 10_000L * 5 / 32);
        }
    }
}
