package dev.anyclaude.backend.launch;

/** Asks a server whether it can take requests. */
@FunctionalInterface
public interface HealthProbe {

    Health check() throws InterruptedException;

    /** The answer: ready or not, and what the server said (for the progress display). */
    record Health(boolean ready, String detail) {}
}
