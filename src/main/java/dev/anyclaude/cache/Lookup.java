package dev.anyclaude.cache;

import dev.anyclaude.messages.StreamEvent;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** The response cache's answer to one request: a replayable hit, or a miss to be recorded. */
public sealed interface Lookup {

    /** The value of the {@code anyclaude-cache} response header: {@code hit}, {@code miss} or {@code bypass}. */
    String header();

    /**
     * A stored answer, ready to send as SSE or JSON: fresh message and tool-use ids, usage reporting the
     * prompt as read from cache.
     */
    record Hit(List<StreamEvent> events, Tier tier) implements Lookup {
        @Override
        public String header() {
            return "hit";
        }
    }

    /**
     * No stored answer. {@code key} is null when the answer must not be stored (policy, {@code no-store});
     * pass this miss to {@link ResponseCache#recorder} either way.
     */
    record Miss(Reason reason, @Nullable CacheKey key) implements Lookup {
        @Override
        public String header() {
            return reason == Reason.NOT_FOUND ? "miss" : "bypass";
        }
    }

    /** Where a hit came from. */
    enum Tier {
        MEMORY,
        REDIS
    }

    /** Why a request was not answered from the cache. */
    enum Reason {
        /** Looked up, not there. */
        NOT_FOUND,
        /** The client said {@code cache-control: no-cache}. */
        NO_CACHE,
        /** The policy excludes this request (off, or a non-zero temperature under deterministic). */
        POLICY
    }
}
