package dev.anyclaude.messages;

import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * One section of {@code GET /cache/stats}: a named snapshot (a record or a map of plain values; never
 * prompt or response text) and, optionally, what {@code DELETE /cache} empties.
 */
public interface StatsSection {
    String name();

    /** The current figures, serialized as JSON. */
    Object snapshot();

    /** Empties what this section describes; returns what it removed, or null when nothing can be cleared. */
    default @Nullable Object clear() {
        return null;
    }

    /** The whole {@code /cache/stats} document: each section's snapshot under its name, in order. */
    static java.util.Map<String, Object> document(java.util.List<StatsSection> sections) {
        java.util.Map<String, Object> doc = new java.util.LinkedHashMap<>();
        for (StatsSection s : sections) {
            doc.put(s.name(), s.snapshot());
        }
        return doc;
    }

    /** A section made of two functions; {@code clear} may be null when nothing can be cleared. */
    static StatsSection of(String name, Supplier<Object> snapshot, @Nullable Supplier<Object> clear) {
        return new StatsSection() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Object snapshot() {
                return snapshot.get();
            }

            @Override
            public @Nullable Object clear() {
                return clear == null ? null : clear.get();
            }
        };
    }
}
