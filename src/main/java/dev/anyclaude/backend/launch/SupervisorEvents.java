package dev.anyclaude.backend.launch;

import java.time.Duration;

/** What happens to a supervised server after its first start: the supervisor reports it here. */
public interface SupervisorEvents {

    /** Writes the events to the supervisor's logger. */
    static SupervisorEvents logging(String name, java.nio.file.Path logFile) {
        org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ServerSupervisor.class);
        return new SupervisorEvents() {
            @Override
            public void exited(long pid, int exitCode) {
                log.warn("{} (pid {}) exited with code {}; its log: {}", name, pid, exitCode, logFile);
            }

            @Override
            public void restarting(int failures, Duration delay) {
                log.warn(
                        "restarting {} in {} ms (consecutive failure {}); requests get overloaded_error meanwhile",
                        name,
                        delay.toMillis(),
                        failures);
            }

            @Override
            public void ready(long pid, int restarts) {
                log.info("{} is up again (pid {}, restart {})", name, pid, restarts);
            }

            @Override
            public void gaveUp(int failures) {
                log.error("{} failed {} times in a row; not restarting it again. See {}", name, failures, logFile);
            }
        };
    }

    /** The server exited without being asked to. */
    default void exited(long pid, int exitCode) {}

    /** A restart will be tried after {@code delay}; {@code failures} counts consecutive failures so far. */
    default void restarting(int failures, Duration delay) {}

    /** A restarted server answers its health check. */
    default void ready(long pid, int restarts) {}

    /** Too many consecutive failures: the server stays down. */
    default void gaveUp(int failures) {}
}
