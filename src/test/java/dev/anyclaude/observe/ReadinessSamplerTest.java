package dev.anyclaude.observe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.anyclaude.backend.Backend;
import dev.anyclaude.backend.BackendRequest;
import dev.anyclaude.messages.EventSink;
import dev.anyclaude.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Readiness is asked of the backend at most once per maximum age, however many probes arrive. */
class ReadinessSamplerTest {
    private long now;
    private final Clock clock = Clock.of(() -> now, InstantSource.fixed(Instant.EPOCH));
    private final AtomicInteger asked = new AtomicInteger();
    private volatile Backend.Readiness answer = Backend.Readiness.up();

    private final Backend backend = new Backend() {
        @Override
        public String name() {
            return "fake";
        }

        @Override
        public void generate(BackendRequest request, EventSink sink) {}

        @Override
        public TokenCount countTokens(BackendRequest request) {
            return new TokenCount(0, false);
        }

        @Override
        public List<String> models() {
            return List.of();
        }

        @Override
        public Readiness readiness() {
            asked.incrementAndGet();
            return answer;
        }
    };

    @Test
    void answersFromTheSampleUntilItIsOlderThanTheMaximumAge() {
        ReadinessSampler sampler = new ReadinessSampler(backend, clock, Duration.ofSeconds(1));
        assertThat(asked).hasValue(1);

        answer = Backend.Readiness.down("model loading");
        for (int i = 0; i < 100; i++) {
            assertThat(sampler.current().ready()).isTrue();
        }
        assertThat(asked).hasValue(1);

        now += Duration.ofSeconds(1).toNanos();
        assertThat(sampler.current().reason()).isEqualTo("model loading");
        assertThat(sampler.current().ready()).isFalse();
        assertThat(asked).hasValue(2);
        assertThat(sampler.last().ready()).isFalse();
    }

    @Test
    void aThrowingReadinessCheckIsNotReadyWithTheReason() {
        Backend broken = new Backend() {
            @Override
            public String name() {
                return "broken";
            }

            @Override
            public void generate(BackendRequest request, EventSink sink) {}

            @Override
            public TokenCount countTokens(BackendRequest request) {
                return new TokenCount(0, false);
            }

            @Override
            public List<String> models() {
                return List.of();
            }

            @Override
            public Readiness readiness() {
                throw new IllegalStateException("probe exploded");
            }
        };

        Backend.Readiness r = new ReadinessSampler(broken, clock, Duration.ofSeconds(1)).current();

        assertThat(r.ready()).isFalse();
        assertThat(r.reason()).contains("probe exploded");
    }
}
