package dev.anyclaude.observe;

import dev.anyclaude.messages.ErrorKind;
import dev.anyclaude.messages.GatewayException;
import dev.anyclaude.time.Clock;
import java.time.Duration;

/**
 * The state of a circuit breaker around one backend: closed (calls pass), open (calls are refused at
 * once with {@code overloaded_error} and a {@code retry-after}), half-open (one probe call passes; its
 * outcome closes or reopens the circuit).
 *
 * <p>Only retryable failures — unreachable, timeout, overloaded, rate-limited — count, and only
 * consecutive ones: any answer from the backend, even an error about the request, shows it is alive. Each
 * admitted call carries the epoch it was admitted in; an outcome from an older epoch (a long stream that
 * began before the circuit opened) does not move the state. A probe that neither succeeds nor fails
 * within the cool-down is given up on and the next call probes instead, so a hung probe cannot hold the
 * circuit half-open for the whole upstream timeout.
 */
final class CircuitBreaker {
    enum State {
        CLOSED,
        OPEN,
        HALF_OPEN
    }

    /** Permission for one call, issued in an epoch. */
    record Ticket(long epoch) {}

    private final String backend;
    private final int threshold;
    private final long coolDownNanos;
    private final Clock clock;

    private State state = State.CLOSED;
    private long epoch;
    private int consecutive;
    private long since;
    private String lastFailure = "";

    CircuitBreaker(String backend, int threshold, Duration coolDown, Clock clock) {
        if (threshold < 1) {
            throw new IllegalArgumentException(
                    "--breaker-failures: " + threshold + " (expected: 1 or more; 0 disables)");
        }
        if (coolDown.isNegative() || coolDown.isZero()) {
            throw new IllegalArgumentException(
                    "--breaker-cooldown: " + coolDown.toSeconds() + " (expected: a positive number of seconds)");
        }
        this.backend = backend;
        this.threshold = threshold;
        this.coolDownNanos = coolDown.toNanos();
        this.clock = clock;
    }

    /** Admits a call or refuses it with a fast {@code overloaded_error}; may turn this call into the probe. */
    synchronized Ticket admit() {
        long now = clock.nanoTime();
        switch (state) {
            case CLOSED -> {
                return new Ticket(epoch);
            }
            case OPEN -> {
                if (now - since >= coolDownNanos) {
                    move(State.HALF_OPEN, now);
                    return new Ticket(epoch);
                }
                throw refusal(coolDownNanos - (now - since));
            }
            case HALF_OPEN -> {
                if (now - since >= coolDownNanos) {
                    move(State.HALF_OPEN, now); // the probe hangs: a fresh epoch forgets it, this call probes
                    return new Ticket(epoch);
                }
                throw refusal(coolDownNanos - (now - since));
            }
        }
        throw new IllegalStateException(state.name());
    }

    /** The backend answered (first event, or a non-retryable error about the request). */
    synchronized void succeeded(Ticket t) {
        if (t.epoch() != epoch) {
            return;
        }
        consecutive = 0;
        if (state != State.CLOSED) {
            move(State.CLOSED, clock.nanoTime());
        }
    }

    /** A retryable failure: counts toward opening, or reopens after a failed probe. */
    synchronized void failed(Ticket t, GatewayException e) {
        if (t.epoch() != epoch) {
            return;
        }
        lastFailure = e.getMessage();
        consecutive++;
        if (state == State.HALF_OPEN || (state == State.CLOSED && consecutive >= threshold)) {
            move(State.OPEN, clock.nanoTime());
        }
    }

    /** The call ended without telling anything about the backend (the client left first). */
    synchronized void inconclusive(Ticket t) {
        if (t.epoch() == epoch && state == State.HALF_OPEN) {
            move(State.OPEN, clock.nanoTime() - coolDownNanos); // the next call probes at once
        }
    }

    private void move(State next, long now) {
        state = next;
        since = now;
        epoch++;
    }

    synchronized State state() {
        return state;
    }

    synchronized int consecutiveFailures() {
        return consecutive;
    }

    /** Why the circuit refuses calls, or null when it does not. */
    synchronized String openReason() {
        if (state == State.CLOSED) {
            return null;
        }
        long left = Math.max(0, coolDownNanos - (clock.nanoTime() - since));
        return "circuit open after " + consecutive + " consecutive failure" + (consecutive == 1 ? "" : "s")
                + " (last: " + lastFailure + "); "
                + (state == State.HALF_OPEN ? "probing the backend" : "next probe in " + seconds(left) + " s");
    }

    private GatewayException refusal(long leftNanos) {
        long retryAfter = seconds(leftNanos);
        return new GatewayException(
                ErrorKind.BACKEND_OVERLOADED, "backend " + backend + " is failing: " + openReason(), null, retryAfter);
    }

    private static long seconds(long nanos) {
        return Math.max(1, (nanos + 999_999_999L) / 1_000_000_000L);
    }
}
