package dev.anyclaude.api;

/**
 * One section of {@code GET /cache/stats}: a named snapshot (a record or a map of plain values; never
 * prompt or response text) and, optionally, what {@code DELETE /cache} empties.
 */
public interface StatsSection {
    String name();

    /** The current figures, serialized as JSON. */
    Object snapshot();

    /** Empties what this section describes; returns what it removed, or null when nothing can be cleared. */
    default Object clear() {
        return null;
    }
}
