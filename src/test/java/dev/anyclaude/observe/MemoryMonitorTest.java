package dev.anyclaude.observe;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The memory monitor driven through fake probes: thresholds, order of reliefs, hysteresis, recovery. */
class MemoryMonitorTest {
    private static final long GIB = 1L << 30;

    private final AtomicLong systemUsed = new AtomicLong(10 * GIB);
    private final AtomicLong cacheBytes = new AtomicLong(800L << 20);
    private final AtomicLong kvBytes = new AtomicLong(2 * GIB);
    private final List<String> fired = new ArrayList<>();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    /** 100 GiB machine: warning at 85 GiB, critical at 95, hysteresis 5 points. */
    private MemoryMonitor monitor() {
        return new MemoryMonitor(MemoryThresholds.ofPercent(85, 95), registry, InstantSource.fixed(Instant.EPOCH))
                .watch("system", () -> new MemoryProbe.Reading(systemUsed.get(), 100 * GIB))
                .watch("kv", MemoryProbe.bytes(kvBytes::get))
                .onWarning("shrink-response-cache", () -> {
                    fired.add("shrink-response-cache");
                    long before = cacheBytes.get();
                    cacheBytes.set(before / 4);
                    return new Relief.Freed(before, cacheBytes.get(), "1200 -> 300 entries");
                })
                .onCritical("drop-saved-kv-states", Relief.measured(kvBytes::get, () -> {
                    fired.add("drop-saved-kv-states");
                    kvBytes.addAndGet(-GIB);
                }))
                .onCritical("erase-idle-slots", () -> {
                    fired.add("erase-idle-slots");
                    return new Relief.Freed(3, 1, "slots");
                });
    }

    private static List<String> actions(MemoryMonitor m) {
        return m.recentActions().stream().map(MemoryAction::action).toList();
    }

    @Test
    void belowWarningNothingHappens() {
        MemoryMonitor m = monitor();
        systemUsed.set(84 * GIB);

        assertThat(m.check()).isEqualTo(PressureLevel.NORMAL);
        assertThat(fired).isEmpty();
        assertThat(m.recentActions()).isEmpty();
    }

    @Test
    void climbingFiresWarningThenCriticalReliefsInOrderOncePerCrossing() {
        MemoryMonitor m = monitor();

        systemUsed.set(86 * GIB);
        assertThat(m.check()).isEqualTo(PressureLevel.WARNING);
        assertThat(fired).containsExactly("shrink-response-cache");

        systemUsed.set(90 * GIB);
        m.check();
        m.check();
        assertThat(fired).as("still above warning: nothing fires again").containsExactly("shrink-response-cache");

        systemUsed.set(96 * GIB);
        assertThat(m.check()).isEqualTo(PressureLevel.CRITICAL);
        systemUsed.set(97 * GIB);
        m.check();
        assertThat(fired).containsExactly("shrink-response-cache", "drop-saved-kv-states", "erase-idle-slots");
        assertThat(actions(m))
                .containsExactly(
                        "crossed-warning",
                        "shrink-response-cache",
                        "crossed-critical",
                        "drop-saved-kv-states",
                        "erase-idle-slots");
    }

    @Test
    void backToNormalUndoesTheWarningReliefOnceAndTheNextClimbShrinksAgain() {
        MemoryMonitor m = monitor().onRecovered("restore-response-cache", () -> {
            fired.add("restore-response-cache");
            cacheBytes.set(800L << 20);
        });

        systemUsed.set(86 * GIB);
        m.check();
        assertThat(cacheBytes.get()).isEqualTo(200L << 20);

        systemUsed.set(82 * GIB);
        assertThat(m.check()).as("inside the hysteresis margin: still warning").isEqualTo(PressureLevel.WARNING);
        assertThat(fired).containsExactly("shrink-response-cache");

        systemUsed.set(70 * GIB);
        assertThat(m.check()).isEqualTo(PressureLevel.NORMAL);
        m.check();
        assertThat(fired).containsExactly("shrink-response-cache", "restore-response-cache");
        assertThat(cacheBytes.get()).isEqualTo(800L << 20);
        assertThat(actions(m)).endsWith("recovered", "restore-response-cache");

        systemUsed.set(88 * GIB);
        m.check();
        assertThat(fired).containsExactly("shrink-response-cache", "restore-response-cache", "shrink-response-cache");
    }

    @Test
    void fallingFromCriticalToWarningRestoresNothing() {
        MemoryMonitor m = monitor().onRecovered("restore-response-cache", () -> fired.add("restore-response-cache"));
        systemUsed.set(99 * GIB);
        m.check();
        systemUsed.set(86 * GIB);

        assertThat(m.check()).isEqualTo(PressureLevel.WARNING);
        assertThat(fired).doesNotContain("restore-response-cache");
    }

    @Test
    void jumpingStraightToCriticalRunsTheWarningReliefsFirst() {
        MemoryMonitor m = monitor();
        systemUsed.set(99 * GIB);

        assertThat(m.check()).isEqualTo(PressureLevel.CRITICAL);
        assertThat(fired).containsExactly("shrink-response-cache", "drop-saved-kv-states", "erase-idle-slots");
    }

    @Test
    void criticalReliefsAreSkippedWhenTheWarningReliefsWereEnough() {
        MemoryMonitor m = monitor().onWarning("free-a-lot", () -> {
            systemUsed.set(70 * GIB);
            return new Relief.Freed(29 * GIB, 0, "");
        });
        systemUsed.set(99 * GIB);

        assertThat(m.check()).isEqualTo(PressureLevel.WARNING);
        assertThat(fired).containsExactly("shrink-response-cache");
    }

    @Test
    void hoveringAtTheThresholdDoesNotRefireUntilMemoryFallsBelowTheMargin() {
        MemoryMonitor m = monitor();
        systemUsed.set(86 * GIB);
        m.check();

        systemUsed.set(84 * GIB); // below 85 but within the 5-point margin
        assertThat(m.check()).isEqualTo(PressureLevel.WARNING);
        systemUsed.set(86 * GIB);
        m.check();
        assertThat(fired).containsExactly("shrink-response-cache");

        systemUsed.set(79 * GIB); // below 80: recovered
        assertThat(m.check()).isEqualTo(PressureLevel.NORMAL);
        systemUsed.set(86 * GIB); // a new crossing
        m.check();
        assertThat(fired).containsExactly("shrink-response-cache", "shrink-response-cache");
        assertThat(actions(m))
                .containsExactly(
                        "crossed-warning",
                        "shrink-response-cache",
                        "recovered",
                        "crossed-warning",
                        "shrink-response-cache");
    }

    @Test
    void recoveringFromCriticalGoesThroughWarningAndRearmsTheCriticalReliefs() {
        MemoryMonitor m = monitor();
        systemUsed.set(96 * GIB);
        m.check();

        systemUsed.set(91 * GIB); // within the margin of 95
        assertThat(m.check()).isEqualTo(PressureLevel.CRITICAL);
        systemUsed.set(88 * GIB);
        assertThat(m.check()).isEqualTo(PressureLevel.WARNING);
        systemUsed.set(96 * GIB);
        m.check();

        assertThat(fired)
                .containsExactly(
                        "shrink-response-cache",
                        "drop-saved-kv-states",
                        "erase-idle-slots",
                        "drop-saved-kv-states",
                        "erase-idle-slots");
    }

    @Test
    void eachReliefIsRecordedWithFiguresBeforeAndAfterAndCounted() {
        MemoryMonitor m = monitor();
        systemUsed.set(96 * GIB);
        m.check();

        MemoryAction shrink = m.recentActions().get(1);
        assertThat(shrink.action()).isEqualTo("shrink-response-cache");
        assertThat(shrink.level()).isEqualTo(PressureLevel.WARNING);
        assertThat(shrink.source()).isEqualTo("system");
        assertThat(shrink.usedBefore()).isEqualTo(96 * GIB);
        assertThat(shrink.limit()).isEqualTo(100 * GIB);
        assertThat(shrink.heldBefore()).isEqualTo(800L << 20);
        assertThat(shrink.heldAfter()).isEqualTo(200L << 20);
        assertThat(shrink.detail()).isEqualTo("1200 -> 300 entries");
        MemoryAction drop = m.recentActions().get(3);
        assertThat(drop.action()).isEqualTo("drop-saved-kv-states");
        assertThat(drop.heldBefore() - drop.heldAfter()).isEqualTo(GIB);

        assertThat(registry.get("anyclaude.memory.actions")
                        .tag("action", "erase-idle-slots")
                        .counter()
                        .count())
                .isEqualTo(1);
        assertThat(registry.get("anyclaude.memory.freed")
                        .tag("action", "shrink-response-cache")
                        .counter()
                        .count())
                .isEqualTo(600L << 20);
        assertThat(registry.get("anyclaude.memory.pressure").gauge().value()).isEqualTo(2);
        assertThat(registry.get("anyclaude.memory.used")
                        .tag("source", "kv")
                        .gauge()
                        .value())
                .isEqualTo(GIB);
    }

    @Test
    void aFailingReliefIsRecordedAndTheOthersStillRun() {
        MemoryMonitor m = new MemoryMonitor(
                        MemoryThresholds.ofPercent(85, 95), registry, InstantSource.fixed(Instant.EPOCH))
                .watch("system", () -> new MemoryProbe.Reading(systemUsed.get(), 100 * GIB))
                .onWarning("broken", () -> {
                    throw new IllegalStateException("slot server gone");
                })
                .onWarning("works", () -> {
                    fired.add("works");
                    return new Relief.Freed(1, 0, "");
                });
        systemUsed.set(90 * GIB);

        m.check();

        assertThat(fired).containsExactly("works");
        assertThat(m.recentActions().get(1).detail()).contains("failed").contains("slot server gone");
    }

    @Test
    void sourcesWithoutALimitAreReportedButNeverActedOn() {
        MemoryMonitor m = monitor();
        kvBytes.set(500 * GIB);

        assertThat(m.check()).isEqualTo(PressureLevel.NORMAL);
        assertThat(m.lastReadings().get("kv").usedBytes()).isEqualTo(500 * GIB);
        assertThat(fired).isEmpty();
    }

    @Test
    void theHighestSourceDecidesAndAnUnreadableOneIsSkipped() {
        AtomicLong heap = new AtomicLong(10);
        MemoryMonitor m = monitor()
                .watch("heap", () -> new MemoryProbe.Reading(heap.get(), 100))
                .watch("gone", () -> MemoryProbe.Reading.UNKNOWN)
                .watch("throws", () -> {
                    throw new IllegalStateException("no /proc");
                });
        heap.set(90);

        assertThat(m.check()).isEqualTo(PressureLevel.WARNING);
        assertThat(m.recentActions().getFirst().source()).isEqualTo("heap");
    }

    @Test
    void thresholdsAreValidatedWithTheOptionName() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> MemoryThresholds.ofPercent(90, 80))
                .hasMessageContaining("--memory-critical: 80");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> MemoryThresholds.ofPercent(0, 80))
                .hasMessageContaining("--memory-warning: 0");
    }
}
