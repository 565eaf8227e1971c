package dev.netscan.discovery;

import dev.netscan.discovery.icmp.Libc;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * A network namespace this test creates ({@code ip netns add nstest-<pid>-<n>}) with loopback up,
 * removed on {@link #close()} (its iptables rules go with it). Only loopback addresses inside it
 * are ever probed. Needs root; use {@link #create()} which skips or fails (CI=true) otherwise.
 */
final class NetNamespace implements AutoCloseable {
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final int CLONE_NEWNET = 0x40000000;
    private static final MethodHandle OPEN;

    static {
        // open(2) is variadic in C; declared as such (test-only helper, not engine code).
        Linker linker = Linker.nativeLinker();
        OPEN = linker.downcallHandle(linker.defaultLookup().find("open").orElseThrow(),
                FunctionDescriptor.of(Libc.C_INT, Libc.C_POINTER, Libc.C_INT),
                Linker.Option.firstVariadicArg(2), Linker.Option.captureCallState("errno"));
    }

    final String name;

    private NetNamespace(String name) {
        this.name = name;
    }

    /** Creates a fresh namespace with lo up, or skips / fails (CI=true) when that is not possible. */
    static NetNamespace create() {
        String name = "nstest-" + ProcessHandle.current().pid() + "-" + COUNTER.incrementAndGet();
        String problem = null;
        try {
            run("ip", "netns", "add", name);
            run("ip", "-n", name, "link", "set", "lo", "up");
        } catch (IOException e) {
            problem = e.getMessage();
            try {
                run("ip", "netns", "del", name);
            } catch (IOException ignored) {
                // it was never created
            }
        }
        Privileged.require(problem == null, "cannot create a network namespace (needs root and iproute2): " + problem);
        return new NetNamespace(name);
    }

    /** Runs a command inside the namespace. */
    void exec(String... command) throws IOException {
        List<String> c = new ArrayList<>(List.of("ip", "netns", "exec", name));
        c.addAll(List.of(command));
        run(c.toArray(String[]::new));
    }

    /** Drops echo requests to {@code cidr} on arrival: those addresses never answer (they time out). */
    void dropEchoRequestsTo(String cidr) throws IOException {
        iptables("-w", "-A", "INPUT", "-p", "icmp", "--icmp-type", "echo-request", "-d", cidr, "-j", "DROP");
    }

    private void iptables(String... args) throws IOException {
        List<String> c = new ArrayList<>(List.of("iptables"));
        c.addAll(List.of(args));
        try {
            exec(c.toArray(String[]::new));
        } catch (IOException e) {
            Privileged.require(false, "iptables does not work in the test namespace (install iptables; needs root): " + e.getMessage());
        }
    }

    /** Answers echo requests to {@code cidr} with ICMP host-unreachable. */
    void rejectEchoRequestsTo(String cidr) throws IOException {
        iptables("-w", "-A", "INPUT", "-p", "icmp", "--icmp-type", "echo-request", "-d", cidr,
                "-j", "REJECT", "--reject-with", "icmp-host-unreachable");
    }

    void allowDatagramIcmp(boolean allowed) throws IOException {
        exec("sysctl", "-q", "-w", "net.ipv4.ping_group_range=" + (allowed ? "0 2147483647" : "1 0"));
    }

    /** Runs {@code body} on a thread moved into this namespace (sockets it opens stay in it). */
    <T> T inside(Supplier<T> body) throws InterruptedException {
        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = Thread.ofPlatform().name("netns-" + name).start(() -> {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment errno = Libc.newErrnoSegment(arena);
                MemorySegment path = arena.allocateFrom("/var/run/netns/" + name, StandardCharsets.UTF_8);
                int fd = (int) OPEN.invokeExact(errno, path, 0x80000 /* O_RDONLY | O_CLOEXEC */);
                if (fd < 0) {
                    throw new IllegalStateException("open netns " + name + ": " + Libc.errnoName(Libc.errno(errno)));
                }
                int r = Libc.setns(errno, fd, CLONE_NEWNET);
                int e = Libc.errno(errno);
                Libc.close(errno, fd);
                if (r != 0) {
                    throw new IllegalStateException("setns " + name + ": " + Libc.errnoName(e));
                }
                result.set(body.get());
            } catch (Throwable x) {
                failure.set(x);
            }
        });
        t.join();
        if (failure.get() instanceof RuntimeException re) {
            throw re;
        }
        if (failure.get() instanceof Error err) {
            throw err;
        }
        if (failure.get() != null) {
            throw new IllegalStateException(failure.get());
        }
        return result.get();
    }

    /** Starts an engine whose sockets live in this namespace. */
    IcmpEngine engine(IcmpEngineConfig config) throws InterruptedException {
        return inside(() -> IcmpEngine.start(config));
    }

    @Override
    public void close() throws IOException {
        run("ip", "netns", "del", name);
    }

    static void run(String... command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("timed out: " + String.join(" ", command));
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + String.join(" ", command));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " exited " + p.exitValue() + ": " + out);
        }
    }
}
