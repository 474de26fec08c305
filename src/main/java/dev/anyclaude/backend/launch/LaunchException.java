package dev.anyclaude.backend.launch;

/** A model server could not be started: it is missing, exited, or never became healthy. The message says which. */
public final class LaunchException extends RuntimeException {
    public LaunchException(String message) {
        super(message);
    }

    public LaunchException(String message, Throwable cause) {
        super(message, cause);
    }
}
