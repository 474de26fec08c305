package dev.anyclaude.backend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.anyclaude.time.ManualClock;
import java.io.ByteArrayInputStream;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The idle limit is measured on the guard's clock: silence only counts when that clock moves. */
class IdleGuardTest {

    @Test
    void expiresWhenItsClockPassesTheLimitAndNotBefore() throws Exception {
        ManualClock clock = new ManualClock();
        try (IdleGuard guard = new IdleGuard(new ByteArrayInputStream(new byte[16]), Duration.ofMillis(40), clock)) {
            Thread.sleep(200); // five limits of real time, none on the guard's clock
            assertThat(guard.expired()).isFalse();

            clock.advance(Duration.ofSeconds(1));
            long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (!guard.expired() && System.nanoTime() < until) {
                Thread.sleep(5);
            }
            assertThat(guard.expired()).isTrue();
        }
    }

    @Test
    void aReadRestartsTheSilence() throws Exception {
        ManualClock clock = new ManualClock();
        try (IdleGuard guard = new IdleGuard(new ByteArrayInputStream(new byte[16]), Duration.ofMillis(40), clock)) {
            clock.advance(Duration.ofMillis(30));
            assertThat(guard.read()).isZero();
            clock.advance(Duration.ofMillis(30)); // 60 ms since the guard began, 30 since the read
            Thread.sleep(200); // the watcher looks every 10 ms
            assertThat(guard.expired()).isFalse();
        }
    }
}
