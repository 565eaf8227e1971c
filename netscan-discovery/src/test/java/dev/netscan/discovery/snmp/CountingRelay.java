package dev.netscan.discovery.snmp;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.util.Arrays;
import java.util.concurrent.DelayQueue;
import java.util.concurrent.Delayed;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A UDP relay in front of a real agent that holds every request for {@code delayMillis} before
 * passing it on, and counts the requests outstanding at the agent (passed on, not yet answered):
 * {@link #maxOutstanding} is the most a manager ever had in flight to this one agent address.
 * One manager at a time (answers go back to the last sender).
 */
final class CountingRelay implements AutoCloseable {
    final AtomicInteger outstanding = new AtomicInteger();
    final AtomicInteger maxOutstanding = new AtomicInteger();
    final AtomicInteger requests = new AtomicInteger();
    private final DatagramSocket front;
    private final DatagramSocket back;
    private final InetSocketAddress agent;
    private final long delayNanos;
    private final DelayQueue<Held> held = new DelayQueue<>();
    private volatile SocketAddress manager;
    private volatile boolean closed;
    private final Thread[] threads;

    private record Held(byte[] data, long dueNanos) implements Delayed {
        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(dueNanos - System.nanoTime(), TimeUnit.NANOSECONDS);
        }

        @Override
        public int compareTo(Delayed o) {
            return Long.compare(dueNanos, ((Held) o).dueNanos);
        }
    }

    CountingRelay(int agentPort, long delayMillis) throws SocketException {
        this.front = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        this.back = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        this.agent = new InetSocketAddress(InetAddress.getLoopbackAddress(), agentPort);
        this.delayNanos = TimeUnit.MILLISECONDS.toNanos(delayMillis);
        threads = new Thread[] {
            Thread.ofPlatform().daemon(true).name("relay-in").start(this::in),
            Thread.ofPlatform().daemon(true).name("relay-forward").start(this::forward),
            Thread.ofPlatform().daemon(true).name("relay-out").start(this::out),
        };
    }

    int port() {
        return front.getLocalPort();
    }

    private void in() {
        byte[] buf = new byte[65_535];
        while (!closed) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                front.receive(p);
            } catch (IOException e) {
                return;
            }
            manager = p.getSocketAddress();
            requests.incrementAndGet();
            int now = outstanding.incrementAndGet();
            maxOutstanding.accumulateAndGet(now, Math::max);
            held.add(new Held(Arrays.copyOf(p.getData(), p.getLength()), System.nanoTime() + delayNanos));
        }
    }

    private void forward() {
        while (!closed) {
            try {
                Held h = held.poll(100, TimeUnit.MILLISECONDS);
                if (h != null) {
                    back.send(new DatagramPacket(h.data(), h.data().length, agent));
                }
            } catch (InterruptedException | IOException e) {
                return;
            }
        }
    }

    private void out() {
        byte[] buf = new byte[65_535];
        while (!closed) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                back.receive(p);
                outstanding.decrementAndGet(); // before the answer leaves: the manager may send the next at once
                front.send(new DatagramPacket(p.getData(), p.getLength(), manager));
            } catch (IOException e) {
                return;
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        closed = true;
        front.close();
        back.close();
        for (Thread t : threads) {
            t.join(2_000);
        }
    }
}
