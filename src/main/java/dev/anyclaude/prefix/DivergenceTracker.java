package dev.anyclaude.prefix;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.anyclaude.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Remembers the previous prompt of each conversation stream and reports, for every new request, where it
 * first differs from it — the reason a turn had to re-prefill. Bounded: the least recently seen streams
 * are forgotten.
 */
public final class DivergenceTracker {
    private static final Logger log = LoggerFactory.getLogger(DivergenceTracker.class);

    private final Cache<String, Stream> streams;
    private final Clock clock;

    /** @param clock ages idle streams out and stamps when each was last seen */
    public DivergenceTracker(int maxStreams, Duration idle, Clock clock) {
        this.clock = clock;
        this.streams = Caffeine.newBuilder()
                .maximumSize(maxStreams)
                .expireAfterAccess(idle)
                .ticker(clock.caffeine())
                .build();
    }

    /** What a stream has seen so far, for /cache/stats. */
    public record StreamReport(
            String stream,
            long requests,
            long extended,
            long diverged,
            PromptShape.@Nullable Divergence last,
            long lastSeenMillis) {}

    private static final class Stream {
        @Nullable
        PromptShape previous;

        final AtomicLong requests = new AtomicLong();
        final AtomicLong extended = new AtomicLong();
        final AtomicLong diverged = new AtomicLong();
        volatile PromptShape.@Nullable Divergence last;
        volatile long lastSeen;
    }

    /**
     * Records {@code shape} as the newest prompt of {@code stream}; returns where it diverged from the
     * previous one, or null when it only extended it (or is the first).
     */
    public PromptShape.@Nullable Divergence observe(String stream, PromptShape shape) {
        Stream s = streams.get(stream, k -> new Stream());
        PromptShape.Divergence d;
        synchronized (s) {
            d = s.previous == null ? null : shape.divergenceFrom(s.previous);
            s.previous = shape;
        }
        s.lastSeen = clock.millis();
        if (s.requests.getAndIncrement() > 0) {
            if (d == null) {
                s.extended.incrementAndGet();
            } else {
                s.diverged.incrementAndGet();
                s.last = d;
                log.debug(
                        "prefix diverged in stream {} at {} (char {} of {}, {} reusable){}",
                        stream,
                        d.part(),
                        d.charOffset(),
                        d.totalChars(),
                        d.reusableChars(),
                        d.detail() == null ? "" : ": " + d.detail());
            }
        }
        return d;
    }

    /** The most recently seen streams first, at most {@code limit}. */
    public List<StreamReport> report(int limit) {
        List<StreamReport> out = new ArrayList<>();
        streams.asMap()
                .forEach((k, s) -> out.add(
                        new StreamReport(k, s.requests.get(), s.extended.get(), s.diverged.get(), s.last, s.lastSeen)));
        out.sort(Comparator.comparingLong(StreamReport::lastSeenMillis).reversed());
        return out.size() > limit ? out.subList(0, limit) : out;
    }
}
