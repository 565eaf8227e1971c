package dev.netscan.core.governor;

import dev.netscan.core.LoopFaults;
import dev.netscan.core.SupervisedLoop;
import java.time.Duration;
import java.time.InstantSource;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * The health and thermal governor: samples the host and the error rates, raises and clears
 * alerts with hysteresis, and publishes the {@link Throttle} that the sweep, the scheduler, SNMP
 * and the writer read.
 *
 * <h2>Decision step ({@link #sampleNow()})</h2>
 * <ol>
 * <li>Conditions. System memory used: WARNING at {@code memoryWarningPct}, CRITICAL at
 *     {@code memoryCriticalPct}. CPU temperature: WARNING (throttle) at
 *     {@code temperatureThrottleCelsius}, CRITICAL at {@code temperatureCriticalCelsius}. Each
 *     error source: WARNING (backoff) at {@code errorRateBackoffPct} of its events in the window
 *     (windows with fewer than {@code errorRateMinEvents} events do not change its state). A
 *     condition rises as soon as one sample reaches a threshold (jumping straight to CRITICAL if
 *     the value is there) and falls only when a sample is below the threshold minus its clear
 *     margin; each change is one {@link Alert} (a fall to clear is an {@link AlertTier#INFO} alert).
 *     Unavailable values (no temperature sensor) never raise nor clear anything; the first sample
 *     without a temperature raises one {@link AlertTier#INFO} alert saying thermal throttling is
 *     inactive (value NaN), once per governor.</li>
 * <li>Scale. The probe rate, probes in flight and SNMP in flight are the profile's base values
 *     times a scale in [{@code minimumScale}, 1]; the pacing delay is the base divided by it.
 *     The target scale is {@code criticalScale} while any host condition is CRITICAL,
 *     {@code warningScale} while any is WARNING, 1 otherwise; while a source's error rate is at or
 *     above the backoff threshold the target is also at most half the current scale (exponential
 *     backoff), and while its backoff alert is raised but the rate is in the hysteresis band the
 *     scale holds. A lower target is applied at once (pressure acts within one sample); a higher
 *     one is approached by multiplying by {@code recoveryFactor} per sample (1.25: from 0.5 back to
 *     1 takes four healthy samples).</li>
 * <li>Writer batch. Memory CRITICAL: the profile's minimum at once. Memory WARNING: halved per
 *     sample down to the minimum. Otherwise, when healthy (no condition active and the scale fully
 *     recovered to 1) and the writer's reported backlog is at least twice the batch: doubled per
 *     sample up to the profile's maximum. Otherwise
 *     a batch below the base climbs by {@code recoveryFactor} per sample and a batch above the base
 *     whose backlog has drained below it halves back towards the base.</li>
 * <li>{@code discoveryPaused} while memory or temperature is CRITICAL.</li>
 * <li>Publish: the new throttle becomes visible through {@link #throttle()}, then throttle
 *     listeners (if it changed), then the alerts go to the log and the alert listeners.</li>
 * </ol>
 *
 * <h2>Threads</h2>
 * {@link #throttle()}, {@link #level()}, {@link #lastSample()}, {@link #alerts()},
 * {@link #reportWriterBacklog(long)} and {@link #errorRate(String)} may be called from any thread;
 * {@code throttle()} is a single volatile read. Decision steps are serialised by a lock; listeners
 * run inside it, on the sampling thread, and must not block. {@link #start()} samples at once and
 * then every {@code sampleInterval} on one daemon thread named {@code netscan-governor}, a
 * {@link SupervisedLoop}: a sample that throws (an {@link OutOfMemoryError} included) is counted,
 * reported to the {@link #loopFaults(LoopFaults)} and skipped; a thread that ends is restarted.
 *
 * <h2>The one alert path</h2>
 * Besides its own conditions, the governor carries the conditions the rest of netscan detects
 * ({@link #raise}, {@link #clear}, {@link #hold}): a full disk, a failed registry snapshot, a loop
 * that failed or had to be restarted, a schedule that cannot be served. Every alert, sampled or
 * raised, goes to the same history ({@link #alerts()}), listeners and {@link #level()};
 * {@link #activeAlerts()} lists the conditions in force, each with its reason and since when.
 */
public final class Governor implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(Governor.class.getName());
    private static final Pattern SOURCE_NAME = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,63}");
    private static final long CLOSE_WAIT_MILLIS = 2_000;
    private static final String NO_SENSOR = "no CPU temperature sensor readable";

    private final GovernorSettings settings;
    private final Knobs profile;
    private final HostProbe probe;
    private final InstantSource clock;
    private final AlertLog alertLog;
    private final CopyOnWriteArrayList<AlertListener> alertListeners = new CopyOnWriteArrayList<>();
    private final CopyOnWriteArrayList<ThrottleListener> throttleListeners = new CopyOnWriteArrayList<>();
    // Registered by any thread; iterated by the step under stepLock.
    private final ConcurrentHashMap<String, ErrorRate> errorRates = new ConcurrentHashMap<>();
    private final AtomicLong listenerFailures = new AtomicLong();

    // Written only by the step (under stepLock), read by any thread: one volatile read each.
    private volatile Throttle throttle;
    private volatile HealthSample lastSample;
    private volatile AlertTier level = AlertTier.INFO;
    // Written by the writer (any thread), read by the step.
    private volatile long writerBacklog;

    // Step state: guarded by stepLock.
    private final Object stepLock = new Object();
    private final Condition memory;
    private final Condition temperature;
    private final Map<String, Condition> errorConditions = new TreeMap<>();
    private double scale = 1.0;
    private int batch;
    private boolean noSensorNoted;
    /** Conditions other parts of netscan hold (e.g. a schedule that cannot be served), by cause. */
    private final Map<String, AlertTier> held = new TreeMap<>();
    /** The level the last sample found, before held conditions. */
    private AlertTier sampledLevel = AlertTier.INFO;
    private double lastMemoryPct = Double.NaN;
    private int memoryRises;
    private boolean memoryEmergency;
    private boolean storageEmergency;
    // Written by the service (any thread), read by the step.
    private volatile boolean spoolAtCap;
    private volatile boolean diskFull;

    /** Loop alerts raised (cause {@code loop:<name>}) and when their loop last failed; guarded by stepLock. */
    private final Map<String, Instant> loopTrouble = new TreeMap<>();
    private final LoopFaults loopAlerts = new LoopAlerts();
    /** Conditions in force by cause, in the order first raised; guarded by stepLock. */
    private final Map<String, ActiveAlert> active = new LinkedHashMap<>();

    // Lifecycle: guarded by lifecycleLock.
    private final Object lifecycleLock = new Object();
    private SupervisedLoop loop;
    private LoopFaults loopFaults = LoopFaults.NONE;
    private boolean closed;

    /**
     * Creates a governor that reads the host through {@code probe} and stamps time with the
     * system clock. Does not sample; call {@link #start()} or {@link #sampleNow()}.
     */
    public Governor(GovernorSettings settings, HostProbe probe) {
        this(settings, probe, InstantSource.system());
    }

    /**
     * Creates a governor with an explicit clock (tests inject a fixed or stepping one).
     *
     * @throws NullPointerException if an argument is null
     */
    public Governor(GovernorSettings settings, HostProbe probe, InstantSource clock) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.probe = Objects.requireNonNull(probe, "probe");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.profile = settings.knobs();
        this.alertLog = new AlertLog(settings.alertHistory());
        this.throttle = profile.baseline();
        this.batch = profile.batchBase();
        this.memory = new Condition(Alert.CAUSE_MEMORY, "system memory used", "%",
                settings.memoryWarningPct(), settings.memoryCriticalPct(), settings.memoryClearMarginPct());
        this.temperature = new Condition(Alert.CAUSE_TEMPERATURE, "CPU temperature", " C",
                settings.temperatureThrottleCelsius(), settings.temperatureCriticalCelsius(),
                settings.temperatureClearMarginCelsius());
    }

    /**
     * @return a governor over the real host ({@link OshiHostProbe}) with the system clock
     */
    public static Governor create(GovernorSettings settings) {
        return new Governor(settings, new OshiHostProbe());
    }

    /** @return the settings this governor was built with */
    public GovernorSettings settings() {
        return settings;
    }

    /**
     * The knobs in force. Lock-free and allocation-free: one volatile read. Before the first
     * sample it is the profile's {@link Knobs#baseline()}.
     *
     * @return the current throttle, never {@code null}
     */
    public Throttle throttle() {
        return throttle;
    }

    /** @return the most severe active condition, {@link AlertTier#INFO} when none */
    public AlertTier level() {
        return level;
    }

    /** @return the last sample taken, or empty before the first */
    public Optional<HealthSample> lastSample() {
        return Optional.ofNullable(lastSample);
    }

    /** @return the retained alerts (at most {@code alertHistory}), oldest first, immutable */
    public List<Alert> alerts() {
        return alertLog.snapshot();
    }

    /**
     * Returns the error counter of a source, creating it on first use; the same name always gives
     * the same counter. Its window is evaluated at every sample.
     *
     * @param source lower-case name, e.g. {@code icmp} or {@code writer} ({@code [a-z0-9][a-z0-9_.-]{0,63}})
     * @throws IllegalArgumentException if the name is not of that form
     */
    public ErrorRate errorRate(String source) {
        if (source == null || !SOURCE_NAME.matcher(source).matches()) {
            throw new IllegalArgumentException("error source name must match " + SOURCE_NAME.pattern() + ", was '" + source + "'");
        }
        return errorRates.computeIfAbsent(source, ErrorRate::new);
    }

    /**
     * The writer reports how many points wait to be written; the next sample uses the latest
     * value to size batches. Lock-free (one volatile write); call as often as convenient.
     *
     * @param points points queued and not yet written, >= 0
     * @throws IllegalArgumentException if negative
     */
    public void reportWriterBacklog(long points) {
        if (points < 0) throw new IllegalArgumentException("writer backlog must be >= 0, was " + points);
        writerBacklog = points;
    }

    /**
     * Raises (or, with {@link AlertTier#INFO}, clears) a condition that another part of netscan
     * detected, such as a ping schedule the host cannot serve: the alert goes to the history and
     * the listeners at once, and {@link #level()} stays at least {@code tier} until it is cleared.
     * Repeating the tier in force for a cause does nothing. Called from any thread; listeners run
     * on the caller's thread.
     *
     * @param cause short name of the condition, e.g. {@code ping_schedule}
     * @param message what is wrong and what to change
     */
    public void hold(String cause, AlertTier tier, double value, String message) {
        Objects.requireNonNull(cause, "cause");
        Objects.requireNonNull(tier, "tier");
        Alert a;
        synchronized (stepLock) {
            AlertTier before = held.getOrDefault(cause, AlertTier.INFO);
            if (before == tier) {
                return;
            }
            if (tier == AlertTier.INFO) {
                held.remove(cause);
            } else {
                held.put(cause, tier);
            }
            level = sampledLevel.max(heldLevel());
            a = new Alert(clock.instant(), tier, cause, value, message);
            LOG.log(logLevel(tier), "alert " + tier + " " + cause + ": " + message);
            publish(a);
        }
    }

    /**
     * Raises a condition that another part of netscan detected: a {@link #hold} without a value.
     * The tier in force for {@code cause} stays until {@link #clear}; raising it again at the same
     * tier does nothing. Any thread.
     *
     * @param cause the condition's code, e.g. {@code disk_full} or {@code loop:ping-scheduler}
     * @param tier WARNING, CRITICAL or EMERGENCY
     * @param reason what is wrong (and, where known, what to do)
     * @throws IllegalArgumentException if {@code tier} is INFO (use {@link #clear})
     */
    public void raise(String cause, AlertTier tier, String reason) {
        if (tier == AlertTier.INFO) {
            throw new IllegalArgumentException("raise needs WARNING, CRITICAL or EMERGENCY; clear " + cause + " instead");
        }
        hold(cause, tier, Double.NaN, reason);
    }

    /**
     * Clears a condition raised by {@link #raise} or {@link #hold}: an INFO alert with
     * {@code reason} goes to the history and the listeners. Nothing happens when it is not raised.
     * Any thread.
     */
    public void clear(String cause, String reason) {
        hold(cause, AlertTier.INFO, Double.NaN, reason);
    }

    /**
     * The conditions in force now: those the samples found (memory, temperature, error rates,
     * emergencies) and those raised by the rest of netscan, most severe first, then oldest first.
     *
     * @return an immutable snapshot, empty when all is well
     */
    public List<ActiveAlert> activeAlerts() {
        List<ActiveAlert> out;
        synchronized (stepLock) {
            out = new ArrayList<>(active.values());
        }
        out.sort(Comparator.comparing(ActiveAlert::tier).reversed().thenComparing(ActiveAlert::since));
        return List.copyOf(out);
    }

    /** Prefix of the causes of loop alerts; the loop's name follows. */
    public static final String CAUSE_LOOP_PREFIX = "loop:";
    /** A loop's WARNING (it failed and continued) clears after this long without another failure. */
    public static final Duration LOOP_FAILURE_QUIET = Duration.ofMinutes(1);
    /** A loop's CRITICAL (its thread ended and was restarted) clears after this long without trouble. */
    public static final Duration LOOP_RESTART_QUIET = Duration.ofMinutes(10);

    /**
     * The loops' side of the alert path: give it to every {@link SupervisedLoop} (and report a
     * writer's loop through it). A failure raises WARNING {@code loop:<name>}, a restart raises
     * CRITICAL; either clears by itself at the first sample after the loop has been quiet for
     * {@link #LOOP_FAILURE_QUIET} (WARNING) or {@link #LOOP_RESTART_QUIET} (CRITICAL). Calls may
     * pass a null cause when only a count is known. Any thread.
     */
    public LoopFaults loopAlerts() {
        return loopAlerts;
    }

    private final class LoopAlerts implements LoopFaults {
        @Override
        public void failed(String loop, Throwable cause, long failures) {
            trouble(loop, AlertTier.WARNING, "loop " + loop + " failed (" + failures + " so far" + describe(cause)
                    + "); it backs off and continues");
        }

        @Override
        public void restarted(String loop, Throwable cause, long restarts) {
            trouble(loop, AlertTier.CRITICAL, "loop " + loop + " ended" + describe(cause) + " and was restarted by its watchdog ("
                    + restarts + " restarts so far)");
        }

        private void trouble(String loop, AlertTier tier, String reason) {
            String cause = CAUSE_LOOP_PREFIX + loop;
            synchronized (stepLock) {
                loopTrouble.put(cause, clock.instant());
                if (held.getOrDefault(cause, AlertTier.INFO).ordinal() < tier.ordinal()) {
                    hold(cause, tier, Double.NaN, reason);
                }
            }
        }

        private static String describe(Throwable t) {
            if (t == null) {
                return "";
            }
            String m = t.getMessage();
            String s = t.getClass().getName() + (m == null ? "" : ": " + m);
            return "; last: " + (s.length() > 200 ? s.substring(0, 200) + "..." : s);
        }
    }

    /** Clears loop alerts whose loop has been quiet long enough. Under stepLock. */
    private void clearQuietLoops(Instant now) {
        var it = loopTrouble.entrySet().iterator();
        while (it.hasNext()) {
            var e = it.next();
            AlertTier tier = held.getOrDefault(e.getKey(), AlertTier.INFO);
            Duration quiet = tier == AlertTier.CRITICAL ? LOOP_RESTART_QUIET : LOOP_FAILURE_QUIET;
            if (tier == AlertTier.INFO || Duration.between(e.getValue(), now).compareTo(quiet) >= 0) {
                it.remove();
                if (tier != AlertTier.INFO) {
                    hold(e.getKey(), AlertTier.INFO, Double.NaN, e.getKey().substring(CAUSE_LOOP_PREFIX.length())
                            + " has run without trouble for " + quiet.toMinutes() + " min: cleared");
                }
            }
        }
    }

    /** Adds {@code a} to the history and the conditions in force, then tells the listeners. Under stepLock. */
    private void publish(Alert a) {
        alertLog.add(a);
        ActiveAlert was = active.get(a.cause());
        AlertTier tier = a.tier();
        if (tier == AlertTier.INFO && a.cause().equals(Alert.CAUSE_MEMORY) && memory.state() != AlertTier.INFO) {
            tier = memory.state(); // a memory emergency cleared: the memory condition itself holds on
        }
        boolean note = tier == AlertTier.INFO && a.message().startsWith(NO_SENSOR); // says, clears nothing
        if (tier == AlertTier.INFO && !note) {
            active.remove(a.cause());
        } else if (tier != AlertTier.INFO) {
            active.put(a.cause(), new ActiveAlert(a.cause(), tier, a.message(), was != null ? was.since() : a.time()));
        }
        notifyAlert(a);
    }

    private static System.Logger.Level logLevel(AlertTier tier) {
        return switch (tier) {
            case INFO -> System.Logger.Level.INFO;
            case WARNING -> System.Logger.Level.WARNING;
            case CRITICAL, EMERGENCY -> System.Logger.Level.ERROR;
        };
    }

    /** Hands {@code a} to every alert listener; a listener that throws is counted and logged. */
    private void notifyAlert(Alert a) {
        for (AlertListener l : alertListeners) {
            try {
                l.onAlert(a);
            } catch (RuntimeException | LinkageError | AssertionError e) {
                listenerFailures.incrementAndGet();
                LOG.log(System.Logger.Level.WARNING, "alert listener " + l + " threw", e);
            }
        }
    }

    private AlertTier heldLevel() {
        AlertTier t = AlertTier.INFO;
        for (AlertTier v : held.values()) {
            t = t.max(v);
        }
        return t;
    }

    /** Adds an alert listener; see {@link AlertListener} for the calling contract. */
    public void addAlertListener(AlertListener listener) {
        alertListeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** Removes an alert listener; no effect if absent. */
    public void removeAlertListener(AlertListener listener) {
        alertListeners.remove(listener);
    }

    /**
     * Adds a throttle listener, told of every later change. It is not called for the throttle in
     * force when added: apply {@link #throttle()} yourself when wiring.
     */
    public void addThrottleListener(ThrottleListener listener) {
        throttleListeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** Removes a throttle listener; no effect if absent. */
    public void removeThrottleListener(ThrottleListener listener) {
        throttleListeners.remove(listener);
    }

    /** @return how many listener calls threw */
    public long listenerFailures() {
        return listenerFailures.get();
    }

    /** @return how many scheduled samples failed (the probe threw); they are logged and skipped */
    public long sampleFailures() {
        SupervisedLoop l;
        synchronized (lifecycleLock) {
            l = loop;
        }
        return l == null ? 0 : l.failures();
    }

    /** @return times the sampling thread ended unexpectedly and was restarted */
    public long sampleLoopRestarts() {
        SupervisedLoop l;
        synchronized (lifecycleLock) {
            l = loop;
        }
        return l == null ? 0 : l.restarts();
    }

    /**
     * Runs one decision step now: samples the host and the error windows, updates the conditions,
     * publishes the throttle and fires alerts (see the class comment). Serialised with other
     * steps; works before {@link #start()} and after {@link #close()}.
     *
     * @return what was sampled and decided
     * @throws RuntimeException whatever the probe throws; nothing is changed then
     */
    public HealthSample sampleNow() {
        synchronized (stepLock) {
            Instant now = clock.instant();
            HostSample host = Objects.requireNonNull(probe.sample(), "host probe returned null");
            List<Alert> fired = new ArrayList<>(2);
            addIfPresent(fired, memory.update(host.memoryUsedPct(), now));
            addIfPresent(fired, temperature.update(host.cpuTemperatureCelsius(), now));
            if (!host.cpuTemperatureAvailable() && !noSensorNoted) {
                noSensorNoted = true;
                fired.add(new Alert(now, AlertTier.INFO, Alert.CAUSE_TEMPERATURE, Double.NaN,
                        NO_SENSOR + ": thermal throttling is inactive"));
            }

            Map<String, ErrorRate.Window> windows = new TreeMap<>();
            boolean errorAbove = false;
            boolean errorRaised = false;
            for (ErrorRate rate : new TreeMap<>(errorRates).values()) {
                ErrorRate.Window w = rate.drainWindow();
                windows.put(rate.source(), w);
                Condition c = errorConditions.computeIfAbsent(rate.source(), s -> new Condition(
                        Alert.CAUSE_ERROR_RATE_PREFIX + s, "error rate of " + s, "%",
                        settings.errorRateBackoffPct(), Double.NaN, settings.errorRateClearMarginPct()));
                double pct = w.events() >= settings.errorRateMinEvents() ? w.errorPct() : Double.NaN;
                addIfPresent(fired, c.update(pct, now));
                if (c.state() != AlertTier.INFO) {
                    errorRaised = true;
                    errorAbove |= pct >= settings.errorRateBackoffPct();
                }
            }

            emergencies(host.memoryUsedPct(), now, fired);
            clearQuietLoops(now);
            AlertTier hostTier = memory.state().max(temperature.state());
            if (memoryEmergency || storageEmergency) {
                hostTier = AlertTier.EMERGENCY;
            }
            sampledLevel = errorRaised ? hostTier.max(AlertTier.WARNING) : hostTier;
            AlertTier newLevel = sampledLevel.max(heldLevel());

            double target = switch (hostTier) {
                case CRITICAL, EMERGENCY -> settings.criticalScale();
                case WARNING -> settings.warningScale();
                case INFO -> 1.0;
            };
            if (errorAbove) {
                target = Math.min(target, scale * 0.5);
            } else if (errorRaised) {
                target = Math.min(target, scale);
            }
            scale = target <= scale
                    ? Math.max(target, settings.minimumScale())
                    : Math.min(target, scale * settings.recoveryFactor());

            batch = nextBatch(batch, newLevel == AlertTier.INFO && scale >= 1.0);
            boolean paused = hostTier == AlertTier.CRITICAL || hostTier == AlertTier.EMERGENCY;
            Throttle base = profile.baseline();
            Throttle next = new Throttle(
                    scaled(base.rateLimitPps()), scaled(base.probesInFlight()), scaled(base.snmpInFlight()),
                    batch, Math.round(base.pacingNanos() / scale), paused);

            Throttle previous = throttle;
            throttle = next;
            level = newLevel;
            HealthSample sample = new HealthSample(now, host, windows, next, newLevel);
            lastSample = sample;

            if (!next.equals(previous)) {
                for (ThrottleListener l : throttleListeners) {
                    try {
                        l.onThrottleChange(previous, next);
                    } catch (RuntimeException | LinkageError | AssertionError e) {
                        listenerFailures.incrementAndGet();
                        LOG.log(System.Logger.Level.WARNING, "throttle listener " + l + " threw", e);
                    }
                }
            }
            for (Alert a : fired) {
                LOG.log(logLevel(a.tier()), "governor alert " + a.tier() + " " + a.cause() + ": " + a.message());
                publish(a);
            }
            return sample;
        }
    }

    /**
     * EMERGENCY conditions. Memory: CRITICAL and higher than the sample before, {@value #RISES_FOR_EMERGENCY}
     * samples in a row; cleared by a sample that is not higher or not CRITICAL. Storage: the disk
     * full with the spool at its cap (as last reported by {@link #reportStorage}).
     */
    private void emergencies(double memoryPct, Instant now, List<Alert> fired) {
        boolean critical = memory.state() == AlertTier.CRITICAL;
        boolean rising = critical && !Double.isNaN(memoryPct) && !Double.isNaN(lastMemoryPct) && memoryPct > lastMemoryPct;
        memoryRises = rising ? memoryRises + 1 : 0;
        lastMemoryPct = memoryPct;
        boolean memNow = memoryRises >= RISES_FOR_EMERGENCY;
        if (memNow != memoryEmergency) {
            memoryEmergency = memNow;
            fired.add(memNow
                    ? new Alert(now, AlertTier.EMERGENCY, Alert.CAUSE_MEMORY, memoryPct, "memory " + memoryPct
                            + "% is critical and still rising (" + memoryRises + " samples in a row): the host will run out soon")
                    : new Alert(now, AlertTier.INFO, Alert.CAUSE_MEMORY, memoryPct, "memory " + memoryPct + "% stopped rising: emergency cleared"));
        }
        boolean storageNow = spoolAtCap && diskFull;
        if (storageNow != storageEmergency) {
            storageEmergency = storageNow;
            fired.add(new Alert(now, storageNow ? AlertTier.EMERGENCY : AlertTier.INFO, CAUSE_STORAGE, Double.NaN, storageNow
                    ? "the disk is full and the writer's spool is at its cap: measurements are being lost"
                    : "disk space or spool room is back: storage emergency cleared"));
        }
    }

    /** Samples in a row memory must rise while CRITICAL to become EMERGENCY. */
    static final int RISES_FOR_EMERGENCY = 2;
    /** The cause of storage EMERGENCY alerts. */
    public static final String CAUSE_STORAGE = "storage";

    /**
     * Tells the governor about local storage (the service calls it each health report): whether
     * the writer's spool is at its cap and whether the disk holding it is full. Both at once is an
     * EMERGENCY from the next sample on. Any thread.
     */
    public void reportStorage(boolean spoolAtCap, boolean diskFull) {
        this.spoolAtCap = spoolAtCap;
        this.diskFull = diskFull;
    }

    private int nextBatch(int current, boolean healthy) {
        int min = profile.batchMin();
        int base = profile.batchBase();
        int max = profile.batchMax();
        long backlog = writerBacklog;
        if (memory.state() == AlertTier.CRITICAL) return min;
        if (memory.state() == AlertTier.WARNING) return Math.max(min, current / 2);
        if (healthy && backlog >= 2L * current && current < max) {
            return (int) Math.min(max, 2L * current);
        }
        if (current < base) return (int) Math.min(base, (long) Math.ceil(current * settings.recoveryFactor()));
        if (current > base && backlog < current) return Math.max(base, current / 2);
        return current;
    }

    private int scaled(int baseValue) {
        return (int) Math.max(1, Math.round(baseValue * scale));
    }

    private static void addIfPresent(List<Alert> list, Alert a) {
        if (a != null) list.add(a);
    }

    /**
     * Where the sampling loop reports a sample that threw and a thread restart (the service wires
     * its alert path here). Call before {@link #start()}; default {@link LoopFaults#NONE}.
     */
    public void loopFaults(LoopFaults faults) {
        synchronized (lifecycleLock) {
            loopFaults = Objects.requireNonNull(faults, "faults");
        }
    }

    /**
     * Samples at once and then every {@code sampleInterval} on a daemon thread (a
     * {@link SupervisedLoop} named {@code governor}). A sample whose probe throws anything is
     * logged, counted ({@link #sampleFailures()}), reported and skipped. Idempotent.
     *
     * @throws IllegalStateException if closed
     */
    public void start() {
        synchronized (lifecycleLock) {
            if (closed) throw new IllegalStateException("governor is closed");
            if (loop != null) return;
            loop = SupervisedLoop.every("governor", Duration.ZERO, settings.sampleInterval(), this::sampleNow, loopFaults);
        }
    }

    /**
     * Stops sampling and waits at most 2 s for a running step. Idempotent. The last throttle stays
     * readable.
     */
    @Override
    public void close() {
        SupervisedLoop l;
        synchronized (lifecycleLock) {
            if (closed) return;
            closed = true;
            l = loop;
        }
        if (l != null && !l.close(Duration.ofMillis(CLOSE_WAIT_MILLIS))) {
            LOG.log(System.Logger.Level.WARNING, "governor sample still running after " + CLOSE_WAIT_MILLIS + " ms; left behind");
        }
    }
}
