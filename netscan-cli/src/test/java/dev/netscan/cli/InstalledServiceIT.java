package dev.netscan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What deploy/install.sh and the .deb install, started the way systemd starts it: the installed unit's
 * ExecStart (with {@code --duration}), as its User with only its AmbientCapabilities, in its
 * WorkingDirectory, with systemd's clean environment plus Environment= and EnvironmentFile=, through
 * setpriv(1). The launcher has to find Java 25 by itself: /usr/bin/java on the service's PATH is 17 on
 * Debian 12. Needs root (setpriv); installing the .deb, and install.sh without --root, change this
 * machine (undone after) and run in CI only.
 * Privileged parts skip with the reason printed off CI and fail under CI=true when they cannot run.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class InstalledServiceIT {
    private static final Path SRC = Path.of(System.getProperty("user.dir")).getParent();
    private static final boolean CI = "true".equalsIgnoreCase(System.getenv("CI"));
    private static final boolean ROOT = "root".equals(System.getProperty("user.name"));
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    /** Bit of CAP_NET_RAW (12 + 1) in /proc/PID/status capability masks. */
    private static final long CAP_NET_RAW = 1L << 13;

    @TempDir
    Path dir;

    record Result(int exit, String out) {}

    record Account(String name, int uid, int gid, String home) {}

    private static Result exec(Map<String, String> env, List<String> command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        if (env != null) {
            pb.environment().clear();
            pb.environment().putAll(env);
        }
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes(); // until the process closes its output
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish in 60 s");
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    private static Result exec(String... command) throws Exception {
        return exec(null, List.of(command));
    }

    /** Skips with the reason printed, or fails under CI=true, when {@code ok} is false. */
    private static void require(boolean ok, String why) {
        if (ok) {
            return;
        }
        if (CI) {
            throw new AssertionError("CI must run this: " + why);
        }
        System.out.println("InstalledServiceIT: skipped: " + why);
        Assumptions.abort(why);
    }

    private Path installRoot() throws Exception {
        Path root = dir.resolve("root");
        Result r = exec("bash", SRC.resolve("deploy/install.sh").toString(), "--root", root.toString());
        assertThat(r.exit()).as(r.out()).isZero();
        return root;
    }

    @Test
    void installShPutsTheLayoutUnderRootAndNeverOverwritesConfig() throws Exception {
        Path root = installRoot();
        for (String f : List.of("usr/lib/netscan/netscan", "usr/lib/netscan/jdk.sh", "usr/lib/netscan/netscan-cli.jar",
                "etc/systemd/system/netscan.service", "etc/netscan/netscan.yml", "etc/netscan/netscan.env",
                "usr/share/doc/netscan/README.md", "var/lib/netscan")) {
            assertThat(root.resolve(f)).exists();
        }
        assertThat(root.resolve("usr/lib/netscan/netscan")).isExecutable();
        String doc = Files.readString(root.resolve("etc/systemd/system/netscan.service")).lines()
                .filter(l -> l.startsWith("Documentation=")).findFirst().orElseThrow();
        assertThat(doc).startsWith("Documentation=file:/");
        assertThat(SystemdUnit.under(root, doc.substring("Documentation=file:".length())))
                .as("Documentation= names an installed file").exists();
        assertThat(Files.readString(root.resolve("etc/netscan/netscan.yml"))).contains("\ndata_dir: /var/lib/netscan\n");
        assertThat(Files.getPosixFilePermissions(root.resolve("etc/netscan/netscan.env")))
                .isEqualTo(PosixFilePermissions.fromString("rw-r-----"));

        Files.writeString(root.resolve("etc/netscan/netscan.yml"), "networks: [\"127.0.0.1\"]\n");
        Files.writeString(root.resolve("etc/netscan/netscan.env"), "SNMP_COMMUNITY=kept\n");
        Result again = exec("bash", SRC.resolve("deploy/install.sh").toString(), "--root", root.toString());
        assertThat(again.exit()).as(again.out()).isZero();
        assertThat(again.out()).doesNotContain("wrote");
        assertThat(root.resolve("etc/netscan/netscan.yml")).hasContent("networks: [\"127.0.0.1\"]");
        assertThat(root.resolve("etc/netscan/netscan.env")).hasContent("SNMP_COMMUNITY=kept");
        assertThat(root.resolve("usr/lib/netscan/netscan-cli.jar"))
                .hasSameBinaryContentAs(SRC.resolve("netscan-cli/target/netscan-cli.jar"));
    }

    /** No Java 25 anywhere the launcher looks: /usr/lib/jvm replaced by an empty directory, PATH's java is 17. */
    @Test
    void withoutJava25InstallRefusesAndTheLauncherExits78NamingWhatToInstall() throws Exception {
        Path root = installRoot();
        Path noJvms = Files.createDirectories(dir.resolve("no-jvms"));
        Map<String, String> env = Map.of("PATH", SystemdUnit.SYSTEMD_PATH, "NETSCAN_JVM_DIR", noJvms.toString());
        Result refused = exec(env, List.of("bash", SRC.resolve("deploy/install.sh").toString(), "--root",
                dir.resolve("refused").toString()));
        assertThat(refused.exit()).as(refused.out()).isEqualTo(1);
        assertThat(refused.out()).contains("temurin-25-jre", "refusing to install");
        assertThat(dir.resolve("refused")).doesNotExist();

        Result launcher = exec(env, List.of(root.resolve("usr/lib/netscan/netscan").toString(), "--version"));
        assertThat(launcher.exit()).as(launcher.out()).isEqualTo(78);
        assertThat(launcher.out()).contains("needs Java 25", "temurin-25-jre", "JAVA_HOME");
        assertThat(Files.readString(root.resolve("etc/systemd/system/netscan.service")))
                .containsPattern("\nRestartPreventExitStatus=[0-9 ]*\\b78\\b");
    }

    @Test
    void systemdAnalyzeVerifiesTheInstalledUnit() throws Exception {
        Path tool = Path.of("/usr/bin/systemd-analyze");
        if (!Files.isExecutable(tool)) {
            System.out.println("InstalledServiceIT: systemd-analyze verify skipped: " + tool + " is not installed");
            Assumptions.abort(tool + " is not installed (package systemd)");
        }
        Path root = installRoot();
        // the unit refers to systemd's own units (multi-user.target, ...): give the root this host's copies
        Path units = Files.createDirectories(root.resolve("usr/lib/systemd/system"));
        try (Stream<Path> host = Files.list(Path.of("/usr/lib/systemd/system"))) {
            for (Path u : host.toList()) {
                if (Files.isRegularFile(u)) {
                    Files.copy(u, units.resolve(u.getFileName()));
                }
            }
        }
        Result r = exec(tool.toString(), "verify", "--root=" + root, "netscan.service");
        assertThat(r.exit()).as(r.out()).isZero();
        assertThat(r.out()).as("no warnings").isEmpty();
    }

    @Test
    @Order(2)
    void installShUnitRunsAsTheServiceUserWithOnlyCapNetRaw() throws Exception {
        require(ROOT && Files.isExecutable(Path.of("/usr/bin/setpriv")),
                "starting the unit as its user with only CAP_NET_RAW needs root and setpriv (util-linux)");
        Path root = installRoot();
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        SystemdUnit unit = SystemdUnit.parse(root.resolve("etc/systemd/system/netscan.service"));
        Account user = account(unit.get("User"));
        // what install.sh does on a machine (and --root leaves out): the service user's group reads the
        // configuration, the user owns its state directory
        for (String f : List.of("etc/netscan", "etc/netscan/netscan.yml", "etc/netscan/netscan.env")) {
            assertThat(exec("chgrp", String.valueOf(user.gid()), root.resolve(f).toString()).exit()).isZero();
        }
        assertThat(exec("chown", user.uid() + ":" + user.gid(), root.resolve("var/lib/netscan").toString()).exit()).isZero();
        runLikeSystemd(root, unit, user, root.resolve("var/lib/netscan"));
    }

    /** install.sh without --root, on this machine: its files are then deleted again. */
    @Test
    @Order(3)
    void installShOnThisMachineCreatesTheUserAndItsUnitRuns() throws Exception {
        require(CI, "installs into /usr/lib, /etc and /var/lib of this machine: CI only");
        require(ROOT && Files.isExecutable(Path.of("/usr/bin/setpriv")), "needs root and setpriv");
        List<Path> installed = Stream.of("/usr/lib/netscan", "/usr/share/doc/netscan", "/etc/netscan", "/var/lib/netscan",
                "/etc/systemd/system/netscan.service").map(Path::of).toList();
        assertThat(installed).as("not a fresh machine: netscan is installed").noneMatch(Files::exists);
        try {
            Result r = exec("bash", SRC.resolve("deploy/install.sh").toString());
            assertThat(r.exit()).as(r.out()).isZero();
            assertThat(r.out()).contains("the service will run /");
            assertThat(exec("stat", "-c", "%U:%G %a", "/etc/netscan", "/etc/netscan/netscan.yml", "/etc/netscan/netscan.env",
                    "/var/lib/netscan").out().lines().toList())
                    .containsExactly("root:netscan 750", "root:netscan 640", "root:netscan 640", "netscan:netscan 750");
            Result again = exec("bash", SRC.resolve("deploy/install.sh").toString());
            assertThat(again.exit()).as(again.out()).isZero();
            Path unit = Path.of("/etc/systemd/system/netscan.service");
            runLikeSystemd(Path.of("/"), SystemdUnit.parse(unit), account("netscan"), Path.of("/var/lib/netscan"));
        } finally {
            for (Path p : installed) {
                exec("rm", "-rf", p.toString());
            }
        }
    }

    @Test
    @Order(1)
    void debInstallsRunsAndRemovesCleanly() throws Exception {
        require(CI, "installs the .deb system-wide (dpkg -i, dpkg -r): CI only");
        require(ROOT && Files.isExecutable(Path.of("/usr/bin/dpkg")) && Files.isExecutable(Path.of("/usr/bin/setpriv")),
                "needs root, dpkg and setpriv");
        Path deb;
        try (Stream<Path> files = Files.list(SRC.resolve("netscan-cli/target"))) {
            List<Path> debs = files.filter(f -> f.getFileName().toString().matches("netscan_.*_all\\.deb")).toList();
            assertThat(debs).as("the package phase builds exactly one .deb").hasSize(1);
            deb = debs.getFirst();
        }
        assertThat(status()).as("not a fresh machine: package netscan is installed; 'dpkg -P netscan' first")
                .doesNotContain("installed");
        assertThat(Path.of("/etc/netscan")).as("not a fresh machine").doesNotExist();
        boolean hadUser = exec("getent", "passwd", "netscan").exit() == 0;
        try {
            Result in = exec("dpkg", "-i", deb.toString());
            assertThat(in.exit()).as(in.out()).isZero();
            assertThat(in.out()).as("postinst finds Java 25").doesNotContain("will not start");
            System.out.println("InstalledServiceIT: dpkg -i " + deb.getFileName() + (hadUser ? " (user netscan existed)" : ""));
            Account user = account("netscan");
            assertThat(user.uid()).as("a system user").isLessThan(1000);
            assertThat(exec("stat", "-c", "%U:%G %a", "/var/lib/netscan").out().strip()).isEqualTo("netscan:netscan 750");
            assertThat(exec("stat", "-c", "%U:%G %a", "/etc/netscan/netscan.yml").out().strip()).isEqualTo("root:netscan 640");
            assertThat(exec("dpkg-query", "-W", "-f=${Conffiles}", "netscan").out())
                    .contains("/etc/netscan/netscan.yml", "/etc/netscan/netscan.env");
            assertThat(Files.readString(Path.of("/etc/netscan/netscan.yml"))).contains("\ndata_dir: /var/lib/netscan\n");
            assertThat(exec("bash", "-c", "ls /etc/systemd/system/*.wants/netscan.service 2>/dev/null").out())
                    .as("enables nothing").isEmpty();
            Path unitFile = Path.of("/usr/lib/systemd/system/netscan.service");
            if (Files.isExecutable(Path.of("/usr/bin/systemd-analyze"))) {
                Result v = exec("systemd-analyze", "verify", unitFile.toString());
                assertThat(v.exit()).as(v.out()).isZero();
            }
            runLikeSystemd(Path.of("/"), SystemdUnit.parse(unitFile), user, Path.of("/var/lib/netscan"));

            Result rm = exec("dpkg", "-r", "netscan");
            assertThat(rm.exit()).as(rm.out()).isZero();
            assertThat(status()).isEqualTo("deinstall ok config-files");
            for (String gone : List.of("/usr/lib/netscan", "/usr/share/doc/netscan", unitFile.toString())) {
                assertThat(Path.of(gone)).as("removed").doesNotExist();
            }
            assertThat(Path.of("/etc/netscan/netscan.yml")).as("configuration stays until purge").exists();
            Result purge = exec("dpkg", "-P", "netscan");
            assertThat(purge.exit()).as(purge.out()).isZero();
            assertThat(Path.of("/etc/netscan")).doesNotExist();
            assertThat(Path.of("/var/lib/netscan")).doesNotExist();
            assertThat(exec("dpkg-statoverride", "--list").out()).doesNotContain("/etc/netscan");
        } finally {
            if (!status().isEmpty()) {
                exec("dpkg", "-P", "netscan"); // leave the machine as it was
            }
        }
    }

    private static String status() throws Exception {
        Result r = exec("dpkg-query", "-W", "-f=${Status}", "netscan");
        return r.exit() == 0 ? r.out().strip() : "";
    }

    /** The unit's user; under CI one that does not exist yet is created as the package creates it. */
    private static Account account(String name) throws Exception {
        Result r = exec("getent", "passwd", name);
        if (r.exit() != 0 && CI) {
            exec("groupadd", "--system", name);
            Result add = exec("useradd", "--system", "--gid", name, "--no-create-home", "--home-dir", "/var/lib/" + name,
                    "--shell", "/usr/sbin/nologin", name);
            assertThat(add.exit()).as(add.out()).isZero();
            r = exec("getent", "passwd", name);
        }
        if (r.exit() != 0) {
            System.out.println("InstalledServiceIT: user " + name + " does not exist here (not CI): running as nobody");
            r = exec("getent", "passwd", "nobody");
        }
        String[] f = r.out().strip().split(":");
        return new Account(f[0], Integer.parseInt(f[2]), Integer.parseInt(f[3]), f[5]);
    }

    /**
     * Starts {@code unit}'s ExecStart (paths under {@code root}) as systemd would, for a /28 of loopback
     * addresses, and checks that it serves /health, pings every address, runs as {@code user} with only the
     * unit's capabilities on a Java 25, and on SIGTERM exits 0 with the registry saved in {@code dataDir}.
     */
    private void runLikeSystemd(Path root, SystemdUnit unit, Account user, Path dataDir) throws Exception {
        int port = freePort();
        String net = "127.77." + (ProcessHandle.current().pid() % 250) + ".";
        List<String> exec = unit.execStart();
        assertThat(exec).as("ExecStart names the configuration").contains("--config");
        Path config = SystemdUnit.under(root, exec.get(exec.indexOf("--config") + 1));
        Files.writeString(config, """
                networks: ["%s0/28"]
                icmp_discovery_interval: 1m
                ping_interval: 1s
                ping_timeout: 500ms
                data_dir: "%s"
                health_check_port: ${NETSCAN_TEST_HEALTH_PORT}
                health_report_interval: 1s
                snmp:
                  enabled: false
                """.formatted(net, dataDir));
        String envFile = unit.get("EnvironmentFile").replaceFirst("^-", "");
        Files.writeString(SystemdUnit.under(root, envFile), "\nNETSCAN_TEST_HEALTH_PORT=" + port + "\n",
                java.nio.file.StandardOpenOption.APPEND);

        List<String> caps = unit.capabilities("AmbientCapabilities");
        assertThat(caps).containsExactly("net_raw");
        String ambient = "-all" + caps.stream().map(c -> ",+" + c).reduce("", String::concat);
        List<String> command = new ArrayList<>(List.of("/usr/bin/setpriv", "--reuid=" + user.uid(), "--regid=" + user.gid(),
                "--init-groups", "--inh-caps=" + ambient, "--ambient-caps=" + ambient));
        if (!unit.get("CapabilityBoundingSet").isEmpty()) {
            command.add("--bounding-set=-all" + unit.capabilities("CapabilityBoundingSet").stream()
                    .map(c -> ",+" + c).reduce("", String::concat));
        }
        if (unit.get("NoNewPrivileges").equals("true")) {
            command.add("--no-new-privs");
        }
        command.add("--");
        for (String word : exec) { // a path the installation put under root is taken from there
            boolean installed = word.startsWith("/") && Files.exists(SystemdUnit.under(root, word));
            command.add(installed ? SystemdUnit.under(root, word).toString() : word);
        }
        command.addAll(List.of("--duration", "60s"));
        Map<String, String> env = unit.environment(root, user.home());
        env.put("USER", user.name());
        env.put("LOGNAME", user.name());
        System.out.println("InstalledServiceIT: /usr/bin/java here is " + javaVersion(Path.of("/usr/bin/java"))
                + "; starting " + String.join(" ", command));

        Path log = dir.resolve("service.log");
        ProcessBuilder pb = new ProcessBuilder(command).directory(SystemdUnit.under(root, unit.get("WorkingDirectory")).toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().clear();
        pb.environment().putAll(env);
        Process p = pb.start();
        String health = "http://127.0.0.1:" + port + "/health";
        try {
            await(p, log, "ready", 40_000, () -> ok(health + "/ready"));
            await(p, log, "every address pinged twice", 20_000, () -> {
                Map<String, Object> h = healthOf(health);
                return h != null && ((Number) h.get("device_count")).longValue() == 14
                        && ((Number) h.get("ping_replies_total")).longValue() >= 28;
            });
            // setpriv and the launcher exec: the process started is the JVM itself
            Map<String, String> status = procStatus(p.pid());
            assertThat(status.get("Uid").split("\\s+")).containsOnly(String.valueOf(user.uid()));
            for (String set : List.of("CapPrm", "CapEff", "CapAmb", "CapBnd")) {
                assertThat(Long.parseUnsignedLong(status.get(set), 16)).as(set).isEqualTo(CAP_NET_RAW);
            }
            Path exe = Files.readSymbolicLink(Path.of("/proc/" + p.pid() + "/exe"));
            assertThat(javaVersion(exe)).as("the launcher found Java 25 (%s)", exe).isGreaterThanOrEqualTo(25);
            p.destroy(); // SIGTERM, as systemctl stop
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("stops within 30 s of SIGTERM").isTrue();
        } finally {
            p.destroyForcibly();
        }
        String out = Files.readString(log);
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("socket RAW", "netscan: stopped");
        assertThat(dataDir.resolve("registry.snapshot")).as("registry saved").exists();
        List<String> lp = new ArrayList<>();
        try (Stream<Path> files = Files.list(dataDir.resolve("metrics"))) {
            for (Path f : files.toList()) {
                lp.addAll(Files.readAllLines(f));
            }
        }
        for (int host = 1; host <= 14; host++) {
            String ip = net + host;
            assertThat(lp).as("ping points of %s", ip).anyMatch(l -> l.startsWith("ping,ip=" + ip + " ") && l.contains("success=true"));
        }
    }

    /** The feature release of the java at {@code exe} from its JDK's release file, or -1. */
    private static int javaVersion(Path exe) throws IOException {
        if (!Files.exists(exe)) {
            return -1;
        }
        Path release = exe.toRealPath().getParent().getParent().resolve("release");
        if (!Files.exists(release)) {
            return -1;
        }
        for (String l : Files.readAllLines(release)) {
            if (l.startsWith("JAVA_VERSION=\"")) {
                return Integer.parseInt(l.substring(14).split("[.\"]")[0]);
            }
        }
        return -1;
    }

    private static Map<String, String> procStatus(long pid) throws IOException {
        Map<String, String> m = new java.util.HashMap<>();
        for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            int c = l.indexOf(':');
            m.put(l.substring(0, c), l.substring(c + 1).strip());
        }
        return m;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void await(Process p, Path log, String what, long millis, BooleanSupplier condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (!condition.getAsBoolean()) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError((p.isAlive() ? "timed out" : "the service exited") + " waiting for " + what
                        + "; its output:\n" + Files.readString(log));
            }
            Thread.sleep(100);
        }
    }

    private static boolean ok(String url) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static Map<String, Object> healthOf(String url) {
        try {
            return MiniJson.object(HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
