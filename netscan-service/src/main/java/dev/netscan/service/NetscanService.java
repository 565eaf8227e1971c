package dev.netscan.service;

import dev.netscan.core.Device;
import dev.netscan.core.HealthReport;
import dev.netscan.core.MetricsSink;
import dev.netscan.core.NetscanConfig;
import dev.netscan.core.governor.ActiveAlert;
import dev.netscan.core.governor.Alert;
import dev.netscan.core.governor.AlertListener;
import dev.netscan.core.governor.AlertTier;
import dev.netscan.core.governor.Governor;
import dev.netscan.core.governor.HostProbe;
import dev.netscan.core.governor.OshiHostProbe;
import dev.netscan.core.governor.Throttle;
import dev.netscan.discovery.IcmpCounters;
import dev.netscan.discovery.IcmpEngine;
import dev.netscan.discovery.IcmpEngineConfig;
import dev.netscan.discovery.OnLinkDiscovery;
import dev.netscan.discovery.Sweep;
import dev.netscan.discovery.SweepOptions;
import dev.netscan.discovery.SweepSummary;
import dev.netscan.discovery.monitor.PingScheduler;
import dev.netscan.discovery.snmp.SnmpCounters;
import dev.netscan.discovery.snmp.SnmpEnrichment;
import dev.netscan.discovery.snmp.SnmpSettings;
import dev.netscan.state.DeviceRegistry;
import dev.netscan.state.RegistryListener;
import it.unimi.dsi.fastutil.ints.IntArrayList;
import it.unimi.dsi.fastutil.ints.IntList;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.OptionalInt;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import java.util.function.IntPredicate;

/**
 * netscan as a service you can embed: build it from a {@link NetscanConfig}, {@link #start()} it,
 * read its devices and counters, subscribe to device and alert events, {@link #close()} it.
 *
 * <p>Once started it runs, until closed: discovery sweeps of the configured networks (at start and
 * every {@code icmp_discovery_interval}), continuous pings of every known device, SNMP on
 * discovery and every {@code snmp_interval}, pruning of devices not seen for
 * {@code prune_after}, registry snapshots to {@code data_dir} (every {@code snapshot_interval}
 * and at close), health reports every {@code health_report_interval}, and the governor that
 * throttles all of it when the host is under pressure.
 *
 * <p><b>Admission.</b> Monitoring and discovery have separate budgets on the one ICMP engine.
 * Monitoring gets the rate its schedule needs (known devices / {@code ping_interval}) and up to
 * {@code max_concurrent_pingers} probes in flight; the politeness limits ({@code ping_rate_limit},
 * {@code icmp_workers}, the profile's pacing, and the governor's scaling of them) govern discovery
 * sweeps only. When the schedule needs more than the caps and the host can serve
 * ({@code max_concurrent_pingers / ping_timeout} probes a second, and
 * {@value #HOST_PPS_PER_CORE} per available core), the service says so once (a log warning with
 * the numbers and the key to change, a {@code WARNING} alert {@code ping_schedule}, and the
 * {@code ping_schedule_stretched} / {@code ping_interval_effective_ms} health fields) and the
 * scheduler stretches the interval evenly.
 *
 * <p>Measurements go to the sink given to the builder, else to InfluxDB when
 * {@code influxdb} is configured, else to line-protocol files in {@code data_dir/metrics}.
 *
 * <p>No {@code System.exit}, no console output, no global state: several instances can run in one
 * JVM (each with its own {@code data_dir}). Thread-safe.
 */
public final class NetscanService implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(NetscanService.class.getName());
    private static final String SNAPSHOT = "registry.snapshot";
    /**
     * Probes a second one core of the host is assumed to serve for monitoring (the schedule check's
     * host ceiling): 94,207 devices at 1 s measured 69% of one core of the 2-core build machine
     * through {@code monitor}, so 100,000 keeps a margin on a slower core.
     */
    public static final long HOST_PPS_PER_CORE = 100_000;
    /** Alert cause of a schedule that cannot be served. */
    public static final String CAUSE_SCHEDULE = "ping_schedule";

    private final NetscanConfig config;
    /** Every module's configuration, validated once by the builder. */
    private final Settings.Modules modules;
    private final LongSupplier epochMillis;
    private final MetricsSink customSink;
    private final MetricsSink secondSink; // offered every point as well (a fleet's results topic), or null
    private final List<String> pointTags; // key, value of a tag on every database/file point; or empty
    private final HostProbe hostProbe;
    private final IcmpEngineConfig engineConfig;
    private final SnmpSettings snmpSettings;
    /** Which addresses this instance is responsible for (a fleet member's share); all when alone. */
    private final IntPredicate owns;
    private final CopyOnWriteArrayList<RegistryListener> deviceListeners = new CopyOnWriteArrayList<>();
    private final CopyOnWriteArrayList<AlertListener> alertListeners = new CopyOnWriteArrayList<>();
    private final ReentrantLock sweepLock = new ReentrantLock();
    private final AtomicReference<Sweep> runningSweep = new AtomicReference<>();
    private final AtomicReference<SweepSummary> lastSweep = new AtomicReference<>();
    private final AtomicLong sweepsRun = new AtomicLong();
    private final AtomicLong devicesPruned = new AtomicLong();
    private final Object lifecycle = new Object();

    // set by start(), read by anyone after it (published under lifecycle, then effectively final)
    private volatile boolean started;
    private volatile boolean closed;
    private volatile Instant startedAt;
    private final HttpSettings httpSettings;
    /** The operator's surface (history, events, scans, HTTP); set by start() before the scheduler. */
    private volatile OperatorSurface surface;
    private DeviceRegistry registry;
    private MetricsSink sink;
    private boolean ownsSink;
    private IcmpEngine engine;
    private PingScheduler scheduler;
    private SnmpEnrichment snmp;
    private Governor governor;
    /** The periodic jobs, each on a supervised loop; started by start(), closed by shutdown. */
    private final ServiceJobs jobs = new ServiceJobs();
    /** Storage and writer conditions as alerts; set by startLocked once the governor exists. */
    private volatile FaultWatch faults;
    /** A snapshot found unusable by loadRegistry (file, aside, why), reported once the governor exists. */
    private RegistryRestore.SetAside corruptSnapshot;
    /** Runs after the restore (registry snapshot and the writer's spool scan), before anything else starts. */
    private final Runnable restoreHook;
    /** Effective interval last said (warning or clearance); scheduler thread only. */
    private long saidEffectiveNanos;
    /** The governor's error rates from the counters; fed under this service's lock. */
    private final ErrorFeed errorFeed;

    private NetscanService(Builder b) {
        this.config = b.config;
        this.modules = b.modules;
        this.epochMillis = b.epochMillis;
        this.customSink = b.sink;
        this.secondSink = b.alsoSink;
        this.pointTags = b.pointTags;
        this.hostProbe = b.hostProbe;
        this.engineConfig = b.engineConfig != null ? b.engineConfig : modules.engine();
        this.snmpSettings = b.snmpSettings != null ? b.snmpSettings : modules.snmp();
        this.httpSettings = b.httpSettings != null ? b.httpSettings : HttpSettings.defaults();
        this.owns = b.owns != null ? b.owns : ip -> true;
        this.errorFeed = new ErrorFeed(config.spoolMaxBytes());
        this.restoreHook = b.restoreHook;
    }

    /** Engine in-flight bound: the sweep's politeness share plus monitoring's own. */
    private int inFlightBound(int slots, int sweepInFlight) {
        return (int) Math.min(slots, (long) sweepInFlight + config.maxConcurrentPingers());
    }

    /** A builder for a service running {@code config}. */
    public static Builder builder(NetscanConfig config) {
        return new Builder(config);
    }

    /**
     * Starts everything. With {@code health_check_port} set, the HTTP surface comes up first
     * ({@code /health/ready} answers 503 until start has finished). Loads the registry snapshot
     * from {@code data_dir} if there is one (a damaged or unreadable snapshot is set aside as
     * {@code registry.snapshot.corrupt-<time>}, counted in {@code snapshot_corrupt_total} and
     * alerted, and the service starts without it), opens the writer (which scans its spool), the
     * ICMP socket, and schedules the periodic jobs; the first discovery sweep starts at once in the
     * background. Idempotent.
     *
     * @throws dev.netscan.discovery.IcmpUnavailableException when no ICMP socket can be opened
     *     (the message says how to grant one)
     * @throws IOException when {@code data_dir} cannot be created or the SNMP socket opened
     */
    public void start() throws IOException {
        synchronized (lifecycle) {
            if (closed) {
                throw new IllegalStateException("service is closed");
            }
            if (started) {
                return;
            }
            try {
                surface = new OperatorSurface(this, httpSettings);
                if (config.healthCheckPort() > 0) {
                    // before the restore: /health/ready answers 503 (and /health "starting") while it runs
                    surface.startHttp(config.healthCheckPort());
                }
                startLocked();
                started = true;
                startedAt = Instant.now();
                scheduleJobs();
            } catch (IOException | RuntimeException e) {
                started = false;
                shutdown(Duration.ofSeconds(10));
                throw e;
            }
        }
    }

    private void startLocked() throws IOException {
        Files.createDirectories(config.dataDir());
        registry = loadRegistry();
        dropUnowned(); // a snapshot may hold devices another instance owns now
        ServiceSink.Chosen chosen = ServiceSink.open(customSink, secondSink, config, modules.writer(), pointTags);
        sink = chosen.sink();
        ownsSink = chosen.owned();
        if (restoreHook != null) {
            restoreHook.run();
        }
        engine = IcmpEngine.start(engineConfig);
        governor = new Governor(modules.governor(), hostProbe != null ? hostProbe : new OshiHostProbe());
        governor.addThrottleListener(this::applyThrottle);
        governor.addAlertListener(this::fanOutAlert);
        governor.loopFaults(governor.loopAlerts());
        faults = new FaultWatch(governor, config.dataDir(), config.snapshotInterval());
        if (corruptSnapshot != null) {
            faults.snapshotCorrupt(corruptSnapshot.file(), corruptSnapshot.aside(), corruptSnapshot.why());
        }
        for (String w : config.capWarnings()) {
            LOG.log(System.Logger.Level.WARNING, w);
        }
        scheduler = PingScheduler.builder().engine(engine).registry(registry).sink(surface.observe(sink))
                .pingInterval(config.pingInterval()).pingTimeout(config.pingTimeout())
                .maxConcurrentPingers(config.maxConcurrentPingers())
                .hostCeilingPps(HOST_PPS_PER_CORE * Runtime.getRuntime().availableProcessors())
                .shed(() -> governor.throttle().discoveryPaused())
                .scheduleListener(this::scheduleChecked).loopFaults(governor.loopAlerts())
                .reconcileInterval(config.reconcileInterval()).statsWindow(config.statsWindow()).build();
        if (config.snmp().enabled()) {
            snmp = SnmpEnrichment.builder(snmpSettings).listener(new SnmpToRegistry(registry, sink)).loopFaults(governor.loopAlerts())
                    .warnings(w -> LOG.log(System.Logger.Level.WARNING, w)).build();
            snmp.start();
        }
        applyThrottle(null, governor.throttle());
        governor.start();
        scheduler.start();
        if (snmp != null) {
            snmp.schedulePeriodic(() -> {
                IntArrayList known = new IntArrayList(registry.size());
                registry.addresses(known);
                return known;
            });
            // devices restored from the snapshot are asked at once too
            IntArrayList restored = new IntArrayList(registry.size());
            registry.addresses(restored);
            snmp.scanAll(restored);
        }
    }

    /**
     * The scheduler checked its schedule (scheduler thread): monitoring's rate budget follows it,
     * and a schedule that cannot be served is said once, loudly, until it can again.
     */
    private void scheduleChecked(PingScheduler.Schedule s) {
        applyThrottle(null, governor.throttle());
        long said = saidEffectiveNanos;
        saidEffectiveNanos = s.effectiveIntervalNanos();
        if (said == s.effectiveIntervalNanos()) {
            return; // said already: once per change, not once per reconciliation
        }
        if (s.stretched()) {
            String message = ScheduleNotice.stretched(s, config); // logged by the governor with the alert
            governor.hold(CAUSE_SCHEDULE, AlertTier.WARNING, s.effectiveIntervalNanos() / 1e6, message);
        } else {
            governor.hold(CAUSE_SCHEDULE, AlertTier.INFO, s.effectiveIntervalNanos() / 1e6, ScheduleNotice.served(s, config));
        }
    }

    private void scheduleJobs() {
        jobs.start(config, new ServiceJobs.Tasks(this::sweepJob, this::discoverOnLinkNow, this::prune, this::saveSnapshot,
                this::reportHealth, () -> faults.check(sink.counters())), governor.loopAlerts());
    }

    private DeviceRegistry loadRegistry() throws IOException {
        DeviceRegistry.Builder b = Settings.registry(config).clock(epochMillis)
                .listener(new DeviceFanOut(() -> snmp, () -> surface, deviceListeners));
        return RegistryRestore.load(config.dataDir().resolve(SNAPSHOT), b, epochMillis.getAsLong(), a -> corruptSnapshot = a);
    }

    // ---------------------------------------------------------------- sweeps

    /**
     * Runs one discovery sweep of the configured networks now and waits for it (after any sweep
     * already running). Returns empty when the governor has paused discovery or there are no
     * networks.
     */
    public Optional<SweepSummary> sweepNow() throws InterruptedException {
        requireStarted();
        return sweep();
    }

    private Optional<SweepSummary> sweep() throws InterruptedException {
        if (config.targets().isEmpty() || governor.throttle().discoveryPaused()) {
            return Optional.empty();
        }
        sweepLock.lockInterruptibly();
        try {
            if (closed) {
                return Optional.empty();
            }
            SweepOptions options = modules.sweep().withSeed(System.nanoTime());
            Sweep sweep = Sweep.start(engine, config.targets(), options,
                    new OwnedDiscovery(owns, registry, this::discovered));
            runningSweep.set(sweep);
            try {
                SweepSummary summary = sweep.await();
                lastSweep.set(summary);
                sweepsRun.incrementAndGet();
                scheduler.requestReconcile();
                return Optional.of(summary);
            } finally {
                runningSweep.set(null);
            }
        } finally {
            sweepLock.unlock();
        }
    }

    /**
     * Tells the service that the ownership predicate given to {@link Builder#ownership} changed
     * (a fleet rebalance). Stops any running sweep, removes every device no longer owned from the
     * registry and waits, up to {@code bound}, until the scheduler has taken them off its
     * schedule; then starts a sweep in the background to find the newly owned devices. When this
     * returns true no new ping to a device no longer owned will be sent (probes already in flight
     * may still complete). Returns false when {@code bound} passed first.
     *
     * <p>Call it from one thread at a time (the fleet's membership thread).
     */
    public boolean ownershipChanged(Duration bound) throws InterruptedException {
        requireStarted();
        long deadline = System.nanoTime() + bound.toNanos();
        Sweep s = runningSweep.get();
        if (s != null) {
            s.cancel();
        }
        // holding the sweep lock: no sweep adds a device between the check and the removal
        if (!sweepLock.tryLock(bound.toNanos(), TimeUnit.NANOSECONDS)) {
            return false;
        }
        IntList dropped;
        try {
            dropped = dropUnowned();
        } finally {
            sweepLock.unlock();
        }
        boolean off = true;
        if (!dropped.isEmpty()) {
            scheduler.requestReconcile();
            off = awaitUnscheduled(dropped, deadline);
        }
        if (!closed) {
            jobs.sweepSoon();
        }
        return off;
    }

    /** Adds owned devices with the state another instance kept (a fleet's changelog); known ones stay. */
    public int restoreDevices(Collection<Device> devices) {
        requireStarted();
        int n = registry.restore(devices.stream().filter(d -> owns.test(d.ipv4())).toList());
        scheduler.requestReconcile();
        return n;
    }

    private IntList dropUnowned() {
        IntArrayList known = new IntArrayList(registry.size());
        registry.addresses(known);
        IntArrayList dropped = new IntArrayList();
        for (int i = 0; i < known.size(); i++) {
            int ip = known.getInt(i);
            if (!owns.test(ip) && registry.remove(ip)) {
                dropped.add(ip);
            }
        }
        return dropped;
    }

    private boolean awaitUnscheduled(IntList ips, long deadline) throws InterruptedException {
        int i = 0;
        while (i < ips.size()) {
            if (!scheduler.isScheduled(ips.getInt(i))) {
                i++;
            } else if (System.nanoTime() - deadline >= 0) {
                return false;
            } else {
                scheduler.requestReconcile();
                Thread.sleep(1); // the scheduler thread reconciles within its next tick
            }
        }
        return true;
    }

    private void discovered(int ip) {
        if (snmp != null) {
            snmp.deviceDiscovered(ip);
        }
    }

    /**
     * Runs one round of on-link discovery ({@code discovery.*}) now and registers what it finds
     * like swept devices (see {@code OnLinkRegistration}); empty when it is not configured or the
     * governor has paused discovery. Rounds also run every {@code icmp_discovery_interval}.
     */
    public Optional<OnLinkDiscovery.Round> discoverOnLinkNow() {
        requireStarted();
        if (!config.onLink().enabled() || governor.throttle().discoveryPaused() || closed) {
            return Optional.empty();
        }
        OnLinkDiscovery.Round round = OnLinkRegistration.round(config, owns, registry, this::discovered);
        scheduler.requestReconcile();
        return Optional.of(round);
    }

    /** The sweeper's job; what it throws is counted, alerted and survived by its loop. */
    private void sweepJob() {
        try {
            sweep();
        } catch (InterruptedException e) {
            // closing: the loop ends (the flag is not set again, so its park does not spin)
        }
    }

    // ---------------------------------------------------------------- periodic jobs

    private void prune() {
        IntList gone = registry.pruneNotSeenFor(config.pruneAfter()); // by the registry's (injected) clock
        devicesPruned.addAndGet(gone.size());
        if (!gone.isEmpty()) {
            LOG.log(System.Logger.Level.INFO, "pruned " + gone.size() + " devices not seen for " + config.pruneAfter());
        }
    }

    private void saveSnapshot() {
        Path file = config.dataDir().resolve(SNAPSHOT);
        try {
            registry.save(file);
            faults.snapshotSaved();
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "registry snapshot failed", e);
            faults.snapshotFailed(file, e, false);
        }
    }

    private void reportHealth() {
        feedErrorRates();
        sink.offerHealth(new HealthReport(epochNanosNow(), HealthFields.reportable(healthFields())));
    }

    /** Feeds the governor's error rates from the engine's and writer's counters. */
    private synchronized void feedErrorRates() {
        errorFeed.feed(engine.counters(), sink.counters(), governor, diskFull());
    }

    /** True when the disk holding {@code data_dir} has less than 64 MiB usable (or cannot be asked). */
    private boolean diskFull() {
        try {
            return Files.getFileStore(config.dataDir()).getUsableSpace() < (64L << 20);
        } catch (IOException e) {
            return false;
        }
    }

    private synchronized void applyThrottle(Throttle previous, Throttle t) {
        // Separate budgets: the engine's rate limit paces sweeps only (the governor's politeness
        // rate); monitoring is paced by its schedule and bounded by max_concurrent_pingers in flight.
        engine.setRateLimitPps(t.rateLimitPps());
        // monitoring needs room for every scheduled device; the governor's in-flight knob caps sweeps
        engine.setMaxInFlight(inFlightBound(engine.config().slotCapacity(), t.probesInFlight()));
        engine.setSweepMaxInFlight(t.probesInFlight());
        if (snmp != null) {
            snmp.setMaxInFlight(t.snmpInFlight());
        }
        sink.setBatchSize(Math.max(500, Math.min(5_000, t.writerBatchSize())));
        if (t.discoveryPaused()) {
            Sweep s = runningSweep.get();
            if (s != null) {
                s.cancel();
            }
        }
    }

    private void fanOutAlert(Alert a) {
        for (AlertListener l : alertListeners) {
            try {
                l.onAlert(a);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "alert listener threw", e);
            }
        }
    }

    // ---------------------------------------------------------------- reading

    /** Every known device, as immutable snapshots. */
    public List<Device> devices() {
        requireStarted();
        return registry.snapshot();
    }

    /** One device, or empty when unknown. */
    public Optional<Device> device(int ipv4) {
        requireStarted();
        return Optional.ofNullable(registry.get(ipv4));
    }

    /** Number of known devices. */
    public int deviceCount() {
        requireStarted();
        return registry.size();
    }

    /** The most recent completed sweep. */
    public Optional<SweepSummary> lastSweep() {
        return Optional.ofNullable(lastSweep.get());
    }

    /** Progress of the discovery sweep running now, or empty when none runs. */
    public Optional<dev.netscan.discovery.SweepProgress> sweepProgress() {
        Sweep s = runningSweep.get();
        return s == null ? Optional.empty() : Optional.of(s.progress());
    }

    /** The configuration this service runs. */
    public NetscanConfig config() {
        return config;
    }

    /** The ICMP engine, for remote scans (package-private: not part of the embedding API). */
    IcmpEngine engine() {
        return engine;
    }

    /** The governor, for the operator's surface. */
    Governor governor() {
        return governor;
    }

    /** When {@link #start()} finished, or null before. */
    Instant startedAt() {
        return startedAt;
    }

    /**
     * The conditions in force now (memory, temperature, error rates, a full disk, a failed snapshot,
     * a loop that failed or was restarted, a schedule that cannot be served...), most severe first,
     * each with its reason and since when. Empty when all is well.
     */
    public List<ActiveAlert> activeAlerts() {
        requireStarted();
        return governor.activeAlerts();
    }

    /** The governor's last 100 alerts, oldest first. */
    public List<Alert> alerts() {
        requireStarted();
        return governor.alerts();
    }

    /** True once the first sweep finished (or there is nothing to sweep) and the service runs. */
    public boolean ready() {
        return started && !closed && (config.targets().isEmpty() || sweepsRun.get() > 0);
    }

    /** True between {@link #start()} and {@link #close()}. */
    public boolean running() {
        return started && !closed;
    }

    /** Scheduler counters. */
    public PingScheduler.Counters schedulerCounters() {
        requireStarted();
        return scheduler.counters();
    }

    /** ICMP engine counters (socket kind, sent, replies, ignored packets...). */
    public IcmpCounters icmpCounters() {
        requireStarted();
        return engine.counters();
    }

    /** SNMP counters, or empty when SNMP is disabled. */
    public Optional<SnmpCounters> snmpCounters() {
        requireStarted();
        return Optional.ofNullable(snmp).map(SnmpEnrichment::counters);
    }

    /**
     * Everything the health endpoint and the {@code health_metrics} measurement report, by
     * snake_case name: counts, counters, host sample and throttle. Values the host cannot give
     * are absent.
     */
    public Map<String, Object> healthFields() {
        requireStarted();
        return HealthFields.of(new HealthFields.Sources(registry, scheduler, engine, snmp, sink, governor,
                lastSweep.get(), sweepsRun.get(), devicesPruned.get(), faults.snapshotFailures(), faults.snapshotsCorrupt(),
                jobs.failures(), jobs.restarts(), startedAt));
    }

    /** {@link #healthFields()}, or empty while starting (the HTTP surface serves during the restore). */
    Map<String, Object> healthFieldsIfStarted() {
        return started ? healthFields() : Map.of();
    }

    /** {@link #activeAlerts()}, or empty while starting. */
    List<ActiveAlert> activeAlertsIfStarted() {
        return started ? governor.activeAlerts() : List.of();
    }

    /**
     * The port the HTTP surface ({@code /health}, {@code /health/ready}, {@code /health/live},
     * {@code /metrics}) listens on, on loopback; empty when {@code health_check_port} is 0 or the
     * service is not running.
     */
    public OptionalInt httpPort() {
        OperatorSurface o = surface;
        return o == null || closed ? OptionalInt.empty() : o.httpPort(); // during start too: readiness answers 503
    }

    /**
     * The {@code /health} document: {@code status}, {@code degraded_reasons}, version, uptime,
     * readiness, every {@link #healthFields()} entry, the conditions in force
     * ({@code active_alerts}: cause, tier, reason, since) and the alert history. {@code status} is
     * {@code starting} until {@link #start()} has restored the registry and the spool and started
     * everything, {@code stopping} once closed, {@code degraded} when {@code degraded_reasons} is not
     * empty (the database unreachable for more than two flush intervals, points dropped in the last
     * health interval, a full or unwritable data directory, a writer flush loop restarted, a ping
     * schedule that cannot be served, any WARNING, CRITICAL or EMERGENCY alert in force), and
     * {@code ok} otherwise. Callable from any thread at any time, during start too.
     */
    public Map<String, Object> healthDocument() {
        if (!started) {
            return HealthFields.notStarted(closed);
        }
        Map<String, Object> fields = healthFields();
        boolean running = running();
        List<String> trouble = running ? HealthFields.degradedReasons(sink.counters(), epochNanosNow() / 1_000_000L,
                config.flushInterval(), errorFeed.writerDroppedLastInterval(), config.dataDir(), scheduler.schedule(),
                governor.activeAlerts()) : List.of();
        return HealthFields.document(running, ready(), fields, trouble, governor.activeAlerts(), alerts());
    }

    /** netscan's version, from the jar manifest, else the build's. */
    public static String version() {
        String v = NetscanService.class.getPackage().getImplementationVersion();
        return v != null ? v : "0.1.0-SNAPSHOT";
    }

    // ---------------------------------------------------------------- listeners

    /** Device events (added, evicted, pruned, removed, suspended, resumed), on the thread that caused them. */
    public void addDeviceListener(RegistryListener listener) {
        deviceListeners.add(Objects.requireNonNull(listener));
    }

    public void removeDeviceListener(RegistryListener listener) {
        deviceListeners.remove(listener);
    }

    /** Governor alerts (INFO / WARNING / CRITICAL, raised and cleared). */
    public void addAlertListener(AlertListener listener) {
        alertListeners.add(Objects.requireNonNull(listener));
    }

    public void removeAlertListener(AlertListener listener) {
        alertListeners.remove(listener);
    }

    // ---------------------------------------------------------------- shutdown

    /**
     * Graceful stop, bounded in time: stops sweeping and pinging, stops SNMP, flushes the sink
     * (what cannot be written stays in the writer's spool), saves the registry snapshot. Idempotent.
     */
    @Override
    public void close() {
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            closed = true;
            shutdown(Duration.ofSeconds(20));
        }
    }

    private void shutdown(Duration bound) {
        long deadline = System.nanoTime() + bound.toNanos();
        quietly("operator surface", () -> { if (surface != null) surface.close(); });
        Sweep s = runningSweep.get();
        if (s != null) {
            s.cancel();
        }
        jobs.close(Duration.ofMillis(1)); // no job starts a run from now on; those running end below
        quietly("scheduler", () -> {
            if (scheduler != null) {
                scheduler.close();
                // let the probes in flight end in their real outcome (reply or a full timeout)
                // rather than a timeout the engine's close would make up
                long until = Math.min(deadline, System.nanoTime() + config.pingTimeout().toNanos() + 200_000_000L);
                while (scheduler.counters().inFlight() > 0 && System.nanoTime() < until) {
                    Thread.sleep(10);
                }
            }
        });
        quietly("snmp", () -> { if (snmp != null) snmp.close(); });
        quietly("governor", () -> { if (governor != null) governor.close(); });
        quietly("icmp engine", () -> { if (engine != null) engine.close(); });
        jobs.close(Duration.ofNanos(Math.max(0, deadline - System.nanoTime()) / 2));
        quietly("sink", () -> {
            if (sink != null) {
                if (ownsSink) {
                    sink.close();
                } else {
                    sink.flush();
                }
            }
        });
        quietly("registry snapshot", () -> {
            if (registry != null && started) {
                try {
                    registry.save(config.dataDir().resolve(SNAPSHOT));
                } catch (IOException | RuntimeException e) {
                    faults.snapshotFailed(config.dataDir().resolve(SNAPSHOT), e, true); // counted and alerted, then logged
                    throw e;
                }
            }
        });
        quietly("registry", () -> { if (registry != null) registry.close(); });
    }

    private interface Step {
        void run() throws Exception;
    }

    private static void quietly(String what, Step step) {
        try {
            step.run();
        } catch (Exception e) {
            LOG.log(System.Logger.Level.ERROR, "stopping " + what + " failed", e);
        }
    }

    private void requireStarted() {
        if (!started) {
            throw new IllegalStateException("service is not started");
        }
    }

    private static long epochNanosNow() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    /** Builds a {@link NetscanService}. */
    public static final class Builder {
        private final NetscanConfig config;
        private Settings.Modules modules;
        private LongSupplier epochMillis = System::currentTimeMillis;
        private MetricsSink sink;
        private MetricsSink alsoSink;
        private List<String> pointTags = List.of();
        private HostProbe hostProbe;
        private IcmpEngineConfig engineConfig;
        private SnmpSettings snmpSettings;
        private HttpSettings httpSettings;
        private IntPredicate owns;
        private Runnable restoreHook;

        private Builder(NetscanConfig config) {
            this.config = Objects.requireNonNull(config, "config");
        }

        /** Your own sink instead of the configured one; the service flushes it but does not close it. */
        public Builder sink(MetricsSink v) { sink = v; return this; }

        /** A second sink offered every point too (a fleet's results topic; null: none); flushed, not closed. */
        public Builder alsoSink(MetricsSink v) { alsoSink = v; return this; }

        /** A tag on every point written to the database or the metrics files (a fleet member's {@code instance}). */
        public Builder pointTag(String key, String value) { pointTags = List.of(key, value); return this; }

        /** The host probe the governor samples (default: OSHI). */
        public Builder hostProbe(HostProbe v) { hostProbe = v; return this; }

        /** ICMP engine settings (default: from the configuration). */
        public Builder engineConfig(IcmpEngineConfig v) { engineConfig = v; return this; }

        /** SNMP settings (default: from the configuration). */
        public Builder snmpSettings(SnmpSettings v) { snmpSettings = v; return this; }

        /** The HTTP surface's bind address, token, scan caps, webhook (default: {@link HttpSettings#defaults()}). */
        public Builder httpSettings(HttpSettings v) { httpSettings = v; return this; }

        /**
         * The wall clock of the registry (last seen, suspensions, pruning), in epoch milliseconds;
         * default {@link System#currentTimeMillis()}. Tests pass a fake one.
         */
        public Builder clock(LongSupplier epochMillis) { this.epochMillis = Objects.requireNonNull(epochMillis); return this; }

        /**
         * Restricts the service to the addresses {@code v} accepts: sweeps add, and the scheduler
         * and SNMP see, only those (default: every address). The predicate is called from sweep
         * and job threads and must be thread-safe and cheap; when its answer changes, call
         * {@link NetscanService#ownershipChanged}. netscan-fleet sets it to the partitions Kafka
         * assigned this instance.
         */
        public Builder ownership(IntPredicate v) { owns = v; return this; }

        /** Test seam: runs on the starting thread after the restore, before the engine opens. */
        Builder restoreHook(Runnable v) { restoreHook = v; return this; }

        /**
         * Checks the configuration against every module's own rules ({@link Settings#of}) and
         * builds the service; nothing starts until {@link NetscanService#start()}.
         *
         * @throws dev.netscan.core.InvalidConfigException with every problem, keyed by file key
         */
        public NetscanService build() {
            modules = Settings.of(config);
            return new NetscanService(this);
        }
    }
}
