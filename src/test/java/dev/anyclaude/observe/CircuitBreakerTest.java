package dev.anyclaude.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.anyclaude.messages.ErrorKind;
import dev.anyclaude.messages.GatewayException;
import dev.anyclaude.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import org.junit.jupiter.api.Test;

/** The circuit breaker's states, driven by a clock the test moves. */
class CircuitBreakerTest {
    private long now = 1_000_000_000L;
    private final CircuitBreaker breaker = new CircuitBreaker(
            "openai", 3, Duration.ofSeconds(10), Clock.of(() -> now, InstantSource.fixed(Instant.EPOCH)));

    private static final GatewayException UNREACHABLE =
            new GatewayException(ErrorKind.BACKEND_UNREACHABLE, "backend unreachable: http://127.0.0.1:9");

    private void fail(int times) {
        for (int i = 0; i < times; i++) {
            breaker.failed(breaker.admit(), UNREACHABLE);
        }
    }

    private void advance(Duration d) {
        now += d.toNanos();
    }

    @Test
    void opensAfterTheConfiguredConsecutiveRetryableFailures() {
        fail(2);
        assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
        fail(1);
        assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
    }

    @Test
    void anAnswerBetweenFailuresResetsTheCount() {
        fail(2);
        breaker.succeeded(breaker.admit());
        fail(2);

        assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(breaker.consecutiveFailures()).isEqualTo(2);
    }

    @Test
    void whileOpenCallsAreRefusedAsOverloadedWithTheSecondsLeft() {
        fail(3);
        advance(Duration.ofMillis(3500));

        assertThatThrownBy(breaker::admit).isInstanceOfSatisfying(GatewayException.class, e -> {
            assertThat(e.kind()).isEqualTo(ErrorKind.BACKEND_OVERLOADED);
            assertThat(e.kind().type()).isEqualTo("overloaded_error");
            assertThat(e.retryAfterSeconds()).isEqualTo(7);
            assertThat(e.getMessage())
                    .contains("circuit open after 3 consecutive failures")
                    .contains("backend unreachable: http://127.0.0.1:9");
        });
    }

    @Test
    void afterTheCoolDownOneCallProbesAndTheOthersAreStillRefused() {
        fail(3);
        advance(Duration.ofSeconds(10));

        CircuitBreaker.Ticket probe = breaker.admit();
        assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.HALF_OPEN);
        assertThatThrownBy(breaker::admit).isInstanceOf(GatewayException.class);

        breaker.succeeded(probe);
        assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
        breaker.admit();
    }

    @Test
    void aFailedProbeReopensForAnotherCoolDown() {
        fail(3);
        advance(Duration.ofSeconds(10));
        breaker.failed(breaker.admit(), UNREACHABLE);

        assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
        advance(Duration.ofSeconds(9));
        assertThatThrownBy(breaker::admit).isInstanceOf(GatewayException.class);
        advance(Duration.ofSeconds(1));
        breaker.admit();
        assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.HALF_OPEN);
    }

    @Test
    void aProbeTheClientAbandonedLetsTheNextCallProbeAtOnce() {
        fail(3);
        advance(Duration.ofSeconds(10));
        breaker.inconclusive(breaker.admit());

        breaker.admit();
        assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.HALF_OPEN);
    }

    @Test
    void aHungProbeIsReplacedAfterACoolDownAndItsLateOutcomeIgnored() {
        fail(3);
        advance(Duration.ofSeconds(10));
        CircuitBreaker.Ticket hung = breaker.admit();
        advance(Duration.ofSeconds(10));

        CircuitBreaker.Ticket second = breaker.admit();
        breaker.failed(hung, UNREACHABLE);
        assertThat(breaker.state()).as("the hung probe's failure is stale").isEqualTo(CircuitBreaker.State.HALF_OPEN);
        breaker.succeeded(second);
        assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
    }

    @Test
    void aLongStreamAdmittedBeforeTheCircuitOpenedCannotCloseIt() {
        CircuitBreaker.Ticket longStream = breaker.admit();
        fail(3);

        breaker.succeeded(longStream);

        assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
    }

    @Test
    void settingsAreValidatedWithTheOptionName() {
        assertThatThrownBy(() -> new CircuitBreaker("x", 0, Duration.ofSeconds(1), Clock.SYSTEM))
                .hasMessageContaining("--breaker-failures");
        assertThatThrownBy(() -> new CircuitBreaker("x", 1, Duration.ZERO, Clock.SYSTEM))
                .hasMessageContaining("--breaker-cooldown");
    }
}
