package dev.anyclaude.observe;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches memory — the JVM heap, the machine, a launched model server's resident memory, the embedded
 * engine's KV bytes — and gives memory back before the machine starts swapping or the kernel kills the
 * model server.
 *
 * <p>Each {@link #check()} reads every {@link MemoryProbe}; the source standing highest against its limit
 * sets the {@link PressureLevel}. On the way up, each crossing runs its reliefs once, in registration
 * order: warning reliefs (shrink the response cache) when warning is crossed, then — if memory is still
 * critical after them — critical reliefs (drop saved KV states, erase idle slots). The same reliefs do not
 * run again until the level has fallen below the threshold minus the hysteresis margin, so a reading that
 * hovers at a threshold costs nothing. Every crossing and relief is logged with the figures before and
 * after, counted in metrics and kept in {@link #recentActions()} for {@code /cache/stats}.
 *
 * <p>Checks run periodically and, for the heap, as soon as the JVM reports that the old generation
 * crossed the warning threshold (memory-pool usage-threshold notifications), so a heap filling between
 * two periodic checks is caught at once.
 */
public final class MemoryMonitor implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MemoryMonitor.class);
    private static final int RECENT = 64;

    private final MemoryThresholds thresholds;
    private final MeterRegistry registry;
    private final InstantSource wall;
    private final List<Source> sources = new CopyOnWriteArrayList<>();
    private final List<Named> warningReliefs = new CopyOnWriteArrayList<>();
    private final List<Named> criticalReliefs = new CopyOnWriteArrayList<>();
    private final List<NamedRestore> restores = new CopyOnWriteArrayList<>();
    private final Map<String, MemoryProbe.Reading> last = new ConcurrentHashMap<>();
    private final java.util.Set<String> limitExported = ConcurrentHashMap.newKeySet();
    private final Deque<MemoryAction> recent = new ArrayDeque<>();

    private volatile PressureLevel level = PressureLevel.NORMAL;
    private ScheduledFuture<?> periodic;
    private HeapWatch heapWatch;

    private record Source(String name, MemoryProbe probe) {}

    private record Named(String name, Relief relief) {}

    private record NamedRestore(String name, Runnable restore) {}

    /** All readings of one pass, and the source standing highest against its limit. */
    private record Snapshot(Map<String, MemoryProbe.Reading> readings, String worst) {
        MemoryProbe.Reading worstReading() {
            return worst == null ? MemoryProbe.Reading.UNKNOWN : readings.get(worst);
        }

        double fraction() {
            return worstReading().fraction();
        }
    }

    /** What {@code /cache/stats} shows about memory: the level, the latest readings, the recent actions. */
    public record Status(PressureLevel level, Map<String, MemoryProbe.Reading> readings, List<MemoryAction> recent) {}

    public MemoryMonitor(MemoryThresholds thresholds, MeterRegistry registry, InstantSource wall) {
        this.thresholds = thresholds;
        this.registry = registry;
        this.wall = wall;
        Gauge.builder("anyclaude.memory.pressure", this, m -> m.level.ordinal())
                .description("Memory pressure level: 0 normal, 1 warning, 2 critical")
                .register(registry);
    }

    /** Adds a memory source; its latest reading is exported as {@code anyclaude_memory_used_bytes{source}}. */
    public MemoryMonitor watch(String source, MemoryProbe probe) {
        sources.add(new Source(source, probe));
        Gauge.builder("anyclaude.memory.used", this, m -> m.figure(source, false))
                .tag("source", source)
                .baseUnit("bytes")
                .description("Memory in use, by source (latest reading)")
                .register(registry);
        return this;
    }

    /** Adds a relief run when memory crosses the warning threshold, e.g. shrinking the response cache. */
    public MemoryMonitor onWarning(String action, Relief relief) {
        warningReliefs.add(new Named(action, relief));
        return this;
    }

    /** Adds a relief run when memory crosses the critical threshold, e.g. dropping saved KV states. */
    public MemoryMonitor onCritical(String action, Relief relief) {
        criticalReliefs.add(new Named(action, relief));
        return this;
    }

    /**
     * Adds what undoes a warning relief once memory is back to normal (below the warning threshold minus the
     * hysteresis margin), e.g. growing the response cache back to its configured bound: a gateway that went
     * through one busy hour should not keep a quarter of its cache until it restarts.
     */
    public MemoryMonitor onRecovered(String action, Runnable restore) {
        restores.add(new NamedRestore(action, restore));
        return this;
    }

    public PressureLevel level() {
        return level;
    }

    /** Reads every source and acts on a threshold crossing; returns the level reached. */
    public synchronized PressureLevel check() {
        Snapshot now = readAll();
        PressureLevel target = thresholds.levelFor(now.fraction(), level);
        if (target.compareTo(level) > 0) {
            if (level == PressureLevel.NORMAL) {
                now = cross(PressureLevel.WARNING, warningReliefs, now);
                level = PressureLevel.WARNING;
                if (target == PressureLevel.CRITICAL
                        && thresholds.levelFor(now.fraction(), PressureLevel.WARNING) != PressureLevel.CRITICAL) {
                    target = PressureLevel.WARNING; // the warning reliefs were enough
                }
            }
            if (target == PressureLevel.CRITICAL) {
                cross(PressureLevel.CRITICAL, criticalReliefs, now);
            }
            level = target;
        } else if (target.compareTo(level) < 0) {
            MemoryProbe.Reading r = now.worstReading();
            log.info("memory pressure {} -> {} ({})", level.label(), target.label(), describe(now.worst, r));
            remember(new MemoryAction(
                    wall.instant(),
                    "recovered",
                    target,
                    now.worst,
                    r.usedBytes(),
                    r.usedBytes(),
                    r.limitBytes(),
                    -1,
                    -1,
                    "from " + level.label()));
            level = target;
            if (target == PressureLevel.NORMAL) {
                restore(now);
            }
        }
        return level;
    }

    private void restore(Snapshot now) {
        MemoryProbe.Reading r = now.worstReading();
        for (NamedRestore n : restores) {
            try {
                n.restore().run();
                log.info("memory normal again: {}", n.name());
                remember(new MemoryAction(
                        wall.instant(),
                        n.name(),
                        PressureLevel.NORMAL,
                        now.worst,
                        r.usedBytes(),
                        r.usedBytes(),
                        r.limitBytes(),
                        -1,
                        -1,
                        "undoes the warning relief"));
            } catch (RuntimeException e) {
                log.warn("memory restore {} failed: {}", n.name(), e.toString());
            }
        }
    }

    private Snapshot cross(PressureLevel reached, List<Named> reliefs, Snapshot before) {
        MemoryProbe.Reading r = before.worstReading();
        log.warn(
                "memory pressure {}: {} ({} relief{})",
                reached.label(),
                describe(before.worst, r),
                reliefs.size(),
                reliefs.size() == 1 ? "" : "s");
        remember(new MemoryAction(
                wall.instant(),
                "crossed-" + reached.label(),
                reached,
                before.worst,
                r.usedBytes(),
                r.usedBytes(),
                r.limitBytes(),
                -1,
                -1,
                ""));
        Snapshot current = before;
        for (Named n : reliefs) {
            current = relieve(n, reached, current);
        }
        return current;
    }

    private Snapshot relieve(Named n, PressureLevel reached, Snapshot before) {
        Relief.Freed freed;
        String detail;
        try {
            freed = n.relief.relieve();
            detail = freed.detail() == null ? "" : freed.detail();
        } catch (RuntimeException e) {
            log.error("memory relief {} failed", n.name, e);
            freed = new Relief.Freed(-1, -1, "");
            detail = "failed: " + e;
        }
        Snapshot after = readAll();
        String source = before.worst;
        MemoryProbe.Reading was = before.worstReading();
        MemoryProbe.Reading now = source == null ? MemoryProbe.Reading.UNKNOWN : after.readings.get(source);
        log.warn(
                "memory {}: {} held {} -> {} (freed {}{}); {} {} -> {}",
                reached.label(),
                n.name,
                bytes(freed.heldBefore()),
                bytes(freed.heldAfter()),
                bytes(freed.freed()),
                detail.isEmpty() ? "" : "; " + detail,
                source,
                bytes(was.usedBytes()),
                bytes(now.usedBytes()));
        remember(new MemoryAction(
                wall.instant(),
                n.name,
                reached,
                source,
                was.usedBytes(),
                now.usedBytes(),
                was.limitBytes(),
                freed.heldBefore(),
                freed.heldAfter(),
                detail));
        Counter.builder("anyclaude.memory.actions")
                .tag("action", n.name)
                .tag("level", reached.label())
                .description("Reliefs run by the memory monitor")
                .register(registry)
                .increment();
        Counter.builder("anyclaude.memory.freed")
                .tag("action", n.name)
                .baseUnit("bytes")
                .description("Bytes the memory monitor's reliefs reported freed")
                .register(registry)
                .increment(freed.freed());
        return after;
    }

    private Snapshot readAll() {
        Map<String, MemoryProbe.Reading> readings = new LinkedHashMap<>();
        String worst = null;
        double worstFraction = -1;
        for (Source s : sources) {
            MemoryProbe.Reading r;
            try {
                r = s.probe.read();
            } catch (RuntimeException e) {
                log.debug("memory probe {} failed: {}", s.name, e.toString());
                r = MemoryProbe.Reading.UNKNOWN;
            }
            readings.put(s.name, r);
            if (r.limitBytes() > 0 && limitExported.add(s.name)) { // from the first reading that has one
                Gauge.builder("anyclaude.memory.limit", this, m -> m.figure(s.name, true))
                        .tag("source", s.name)
                        .baseUnit("bytes")
                        .description("The limit a memory source counts against (sources without one are not acted on)")
                        .register(registry);
            }
            last.put(s.name, r);
            if (r.limitBytes() > 0 && r.known() && r.fraction() > worstFraction) {
                worst = s.name;
                worstFraction = r.fraction();
            }
        }
        return new Snapshot(readings, worst);
    }

    private void remember(MemoryAction a) {
        synchronized (recent) {
            if (recent.size() == RECENT) {
                recent.removeFirst();
            }
            recent.addLast(a);
        }
    }

    /** The monitor's latest actions, oldest first (at most 64). */
    public List<MemoryAction> recentActions() {
        synchronized (recent) {
            return List.copyOf(recent);
        }
    }

    /** The latest reading of every source, in the order they were added. */
    public Map<String, MemoryProbe.Reading> lastReadings() {
        Map<String, MemoryProbe.Reading> out = new LinkedHashMap<>();
        for (Source s : sources) {
            out.put(s.name, last.getOrDefault(s.name, MemoryProbe.Reading.UNKNOWN));
        }
        return out;
    }

    public Status status() {
        return new Status(level, lastReadings(), recentActions());
    }

    private double figure(String source, boolean limit) {
        MemoryProbe.Reading r = last.get(source);
        if (r == null || !r.known() || (limit && r.limitBytes() <= 0)) {
            return Double.NaN;
        }
        return limit ? r.limitBytes() : r.usedBytes();
    }

    /**
     * Checks every {@code every} on the scheduler (starting now) and, with {@code heapNotifications}, as
     * soon as the JVM reports the old generation crossing the warning threshold.
     */
    public void start(ScheduledExecutorService scheduler, Duration every, boolean heapNotifications) {
        long millis = Math.max(100, every.toMillis());
        periodic = scheduler.scheduleWithFixedDelay(this::checkQuietly, 0, millis, TimeUnit.MILLISECONDS);
        if (heapNotifications) {
            heapWatch = HeapWatch.install(thresholds.warning(), () -> scheduler.execute(this::checkQuietly));
        }
    }

    private void checkQuietly() {
        try {
            check();
        } catch (RuntimeException e) {
            log.error("memory check failed", e);
        }
    }

    @Override
    public void close() {
        if (periodic != null) {
            periodic.cancel(false);
        }
        if (heapWatch != null) {
            heapWatch.close();
        }
    }

    private static String describe(String source, MemoryProbe.Reading r) {
        if (source == null) {
            return "no source with a limit";
        }
        return String.format(
                Locale.ROOT,
                "%s %s of %s = %.1f%%",
                source,
                bytes(r.usedBytes()),
                bytes(r.limitBytes()),
                r.fraction() * 100);
    }

    /** A byte count for people: 812.0 MiB. */
    static String bytes(long n) {
        if (n < 0) {
            return "?";
        }
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
