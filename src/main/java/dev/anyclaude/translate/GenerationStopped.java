package dev.anyclaude.translate;

import java.io.IOException;

/**
 * Thrown by {@link StopSequenceFilter} into the producing backend once the response is complete because
 * a stop sequence matched. It is an {@link IOException} so that every backend already treats it like a
 * departed client: stop generating and cancel upstream. The caller that catches it knows the client
 * received a complete response ending in {@code stop_reason: stop_sequence}.
 */
public final class GenerationStopped extends IOException {
    private final String stopSequence;

    public GenerationStopped(String stopSequence) {
        super("stop sequence matched: " + stopSequence);
        this.stopSequence = stopSequence;
    }

    /** A normal end of generation, not a failure: no stack trace to capture. */
    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }

    public String stopSequence() {
        return stopSequence;
    }
}
